//! How a detail table fits the pane. Each column is as wide as its widest cell (at most 40,
//! but the last). The last column (a description, a message) gets the room that is left,
//! wrapped onto further lines rather than cut at the pane's edge; when less than
//! `MIN_LAST` is left beside the others, it goes on lines of its own under each row,
//! indented, the full width of the pane. Columns before it that overflow the pane give up
//! room (cut with "…" when drawn), the widest first and each down to its heading; a column
//! whose heading would be cut goes under the row too, as "Heading: value" before the last
//! column's text (the rightmost first), so no heading reads "Mandato…" and no value falls off
//! the pane's edge. The first two columns (a name and a type) are never cut: the second goes
//! under the row when the two are wider than the pane. The detail pane
//! counts and the view draws the lines from here, so scrolling and drawing agree.

use unicode_width::UnicodeWidthStr;

use crate::api::model::Table;

/// The widest a column other than the last is drawn.
const MAX_COLUMN: usize = 40;
/// The least room the last column is read in beside the others.
const MIN_LAST: usize = 30;
/// What a middle column keeps when it gives up room.
const MIN_MIDDLE: usize = 5;
/// Where the last column's own lines start, under a row.
pub const BELOW_INDENT: usize = 6;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableLayout {
    /// Each column's width; the last one's is the room its text wraps to.
    pub widths: Vec<usize>,
    /// The last column goes on lines of its own under each row, `BELOW_INDENT` in.
    pub below: bool,
    /// Columns that go under each row as "Heading: value" (before the last column's text),
    /// left to right; only when `below`.
    pub under: Vec<usize>,
}

impl TableLayout {
    /// The columns drawn on a row's own line, left to right.
    pub fn beside(&self) -> impl Iterator<Item = usize> + '_ {
        let n = self.widths.len() - usize::from(self.below);
        (0..n).filter(|i| !self.under.contains(i))
    }

    /// What goes under a row before its last cell: each column moved there, "Heading: value"
    /// (empty values left out), joined by " · ".
    pub fn under_text(&self, table: &Table, cells: &[String]) -> String {
        let parts = self.under.iter().filter_map(|&i| {
            let value = cells.get(i).filter(|v| !v.trim().is_empty())?;
            Some(format!("{}: {value}", table.columns.get(i)?))
        });
        parts.collect::<Vec<_>>().join(" · ")
    }
}

/// The layout of `table` in a pane `width` columns wide; cells are drawn two columns in, two
/// apart (`"  a  b  c"`).
pub fn layout(table: &Table, width: usize) -> TableLayout {
    let mut w: Vec<usize> = table.columns.iter().map(|c| c.width()).collect();
    for r in &table.rows {
        for (i, c) in r.cells.iter().enumerate() {
            match w.get_mut(i) {
                Some(x) => *x = (*x).max(c.width()),
                None => w.push(c.width()),
            }
        }
    }
    let Some(last) = w.len().checked_sub(1).filter(|&l| l > 0) else {
        // One column: it is the whole table.
        return TableLayout {
            widths: w.iter().map(|_| width.saturating_sub(2).max(1)).collect(),
            below: false,
            under: vec![],
        };
    };
    for x in &mut w[..last] {
        *x = (*x).min(MAX_COLUMN);
    }
    let lead = |w: &[usize]| 2 + w[..last].iter().map(|x| x + 2).sum::<usize>();
    let room = width.saturating_sub(lead(&w));
    if room >= w[last].min(MIN_LAST) {
        w[last] = w[last].min(room).max(1);
        return TableLayout {
            widths: w,
            below: false,
            under: vec![],
        };
    }
    // The others keep the line; the widest middle column gives up room while they overflow,
    // each down to its heading: a heading cut ("Mandato…") over short cells ("Yes") leaves a
    // column nobody can read, a long value cut still says what it begins with. Columns that
    // do not fit even so go under the row, the rightmost first, down to the second (an
    // event's user, wider than the pane beside its time, went past the edge uncut).
    let heading = |i: usize| table.columns.get(i).map_or(0, |c| c.width());
    let floor: Vec<usize> = (0..w.len())
        .map(|i| heading(i).max(MIN_MIDDLE).min(w[i]))
        .collect();
    let mut under: Vec<usize> = vec![];
    fn on_line(last: usize, under: &[usize]) -> impl Iterator<Item = usize> + '_ {
        (0..last).filter(move |i| !under.contains(i))
    }
    // The least a column takes on the line: the name and type whole, the others their floor.
    let least: Vec<usize> = (0..last)
        .map(|i| if i < 2 { w[i] } else { floor[i] })
        .collect();
    while on_line(last, &under).map(|i| least[i] + 2).sum::<usize>() > width {
        match on_line(last, &under).filter(|&i| i >= 1).last() {
            Some(i) => under.insert(0, i),
            None => break,
        }
    }
    for &i in &under {
        w[i] = 0;
    }
    while on_line(last, &under).map(|i| w[i] + 2).sum::<usize>() > width {
        let Some(i) = on_line(last, &under)
            .filter(|&i| i >= 2 && w[i] > floor[i])
            .max_by_key(|&i| (w[i], std::cmp::Reverse(i)))
        else {
            break;
        };
        w[i] -= 1;
    }
    w[last] = width.saturating_sub(BELOW_INDENT).max(1);
    TableLayout {
        widths: w,
        below: true,
        under,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::TableRow;

    fn table(columns: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| TableRow {
                    cells: r.iter().map(|c| c.to_string()).collect(),
                    ..TableRow::default()
                })
                .collect(),
        }
    }

    #[test]
    fn the_last_column_goes_beside_when_it_has_room_and_below_when_not() {
        let t = table(
            &["Name", "Type", "Mandatory", "Allowed", "Description"],
            &[&[
                "subjectAltNames",
                "Array/string",
                "yes",
                "critical, security, all",
                "Extra DNS names to put in the new certificate besides the host name",
            ]],
        );
        // Wide: every column whole, the description beside them.
        let l = layout(&t, 160);
        assert_eq!((l.widths, l.below), (vec![15, 12, 9, 23, 67], false));
        // Less room: the description wraps beside them while it has 30 columns.
        let l = layout(&t, 2 + 17 + 14 + 11 + 25 + 30);
        assert_eq!((l.widths[4], l.below), (30, false));
        // Less: it goes below each row, and the others stay whole.
        let l = layout(&t, 90);
        assert_eq!((l.widths, l.below), (vec![15, 12, 9, 23, 84], true));
        // Too narrow even for the others: the middle ones give up room, the widest first,
        // down to their headings; one that would be cut past its heading goes under the row
        // ("Allowed: …"), the rightmost first; names and types never.
        let l = layout(&t, 50);
        assert_eq!(
            (&l.widths[..3], l.below, &l.under[..]),
            (&[15, 12, 9][..], true, &[3][..])
        );
        assert_eq!(l.beside().collect::<Vec<_>>(), [0, 1, 2]);
        let l = layout(&t, 40);
        assert_eq!((&l.widths[..2], &l.under[..]), (&[15, 12][..], &[2, 3][..]));
        assert_eq!(
            l.under_text(&t, &t.rows[0].cells),
            "Mandatory: yes · Allowed: critical, security, all"
        );
    }

    /// A workflow's Inputs, the baseline's description as given.
    fn workflow_inputs(baseline: &str) -> Table {
        table(
            &[
                "Name",
                "Type",
                "Mandatory",
                "Default",
                "Allowed",
                "Description",
            ],
            &[
                &[
                    "vm",
                    "VC:VirtualMachine",
                    "Yes",
                    "",
                    "",
                    "Virtual machine to patch",
                ],
                &[
                    "baseline",
                    "string",
                    "",
                    "critical",
                    "critical, security, all",
                    baseline,
                ],
                &[
                    "rebootAllowed",
                    "yes/no",
                    "",
                    "No",
                    "",
                    "Reboot if a patch needs it",
                ],
            ],
        )
    }

    /// A workflow's Inputs at 80 columns (the detail pane 42 inside): no heading cut
    /// ("Mandato…") and no value off the pane's edge; what the line has no room for reads
    /// under the row, before the description.
    #[test]
    fn columns_with_no_room_go_under_the_row_whole() {
        let t = workflow_inputs("Patch");
        let l = layout(&t, 42);
        assert_eq!(l.beside().collect::<Vec<_>>(), [0, 1]);
        assert_eq!(l.under, [2, 3, 4]);
        let under: Vec<String> = t.rows.iter().map(|r| l.under_text(&t, &r.cells)).collect();
        assert_eq!(
            under,
            [
                "Mandatory: Yes",
                "Default: critical · Allowed: critical, security, all",
                "Default: No"
            ]
        );
        // Room for one more column: the leftmost stays beside, whole.
        let l = layout(&t, 48);
        assert_eq!(
            (l.beside().collect::<Vec<_>>(), &l.under[..]),
            (vec![0, 1, 2], &[3, 4][..])
        );
        assert_eq!(l.widths[2], 9);
    }

    /// A workflow's Inputs in a 120-column terminal's detail pane (64 inside): the
    /// "Mandatory" heading over "Yes" stays whole; the long values give up the room.
    #[test]
    fn headings_over_short_cells_are_cut_last() {
        let t = workflow_inputs("Patch baseline");
        let l = layout(&t, 64);
        assert!(l.below);
        assert_eq!(l.widths[..5], [13, 17, 9, 7, 8]);
        assert!(2 + l.widths[..5].iter().map(|w| w + 2).sum::<usize>() - 2 <= 64);
    }

    /// An event at 80 columns: its time and a long SSO user are wider than the pane; the
    /// user goes under the row, whole, rather than past the pane's edge.
    #[test]
    fn a_second_column_wider_than_the_pane_goes_under_the_row() {
        let t = table(
            &["Time (UTC)", "User", "Message"],
            &[&[
                "2023-07-22 04:26:40",
                "VSPHERE.LOCAL\\Administrator",
                "Created cluster cl-ams01 in dc-ams",
            ]],
        );
        let l = layout(&t, 42);
        assert_eq!((l.beside().collect::<Vec<_>>(), l.below), (vec![0], true));
        assert_eq!(
            l.under_text(&t, &t.rows[0].cells),
            "User: VSPHERE.LOCAL\\Administrator"
        );
        // With the room, both beside.
        assert_eq!(layout(&t, 60).beside().collect::<Vec<_>>(), [0, 1]);
    }

    #[test]
    fn a_short_last_column_stays_beside_whole() {
        let t = table(&["Name", "State"], &[&["web-01", "Powered on"]]);
        assert_eq!(layout(&t, 40).widths, [6, 10]);
        assert!(!layout(&t, 40).below);
    }
}
