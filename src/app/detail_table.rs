//! How a detail table fits the pane. Each column is as wide as its widest cell (at most 40,
//! but the last). The last column (a description, a message) gets the room that is left,
//! wrapped onto further lines rather than cut at the pane's edge; when less than
//! `MIN_LAST` is left beside the others, it goes on lines of its own under each row,
//! indented, the full width of the pane. Columns before it that overflow the pane give up
//! room (cut with "…" when drawn), the widest first and each down to its heading before any
//! heading is cut, except the first two (a name and a type), which stay whole. The detail pane counts and the view draws the lines from here,
//! so scrolling and drawing agree.

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
        };
    }
    // The others keep the line; the widest middle column gives up room while they overflow,
    // each first down to its heading: a heading cut ("Mandato…") over short cells ("Yes")
    // leaves a column nobody can read, a long value cut still says what it begins with.
    let heading = |i: usize| table.columns.get(i).map_or(0, |c| c.width());
    let floors: [fn(usize) -> usize; 2] = [|h| h.max(MIN_MIDDLE), |_| MIN_MIDDLE];
    for floor in floors {
        while lead(&w) - 2 > width {
            let Some(i) = (2..last)
                .filter(|&i| w[i] > floor(heading(i)))
                .max_by_key(|&i| (w[i], std::cmp::Reverse(i)))
            else {
                break;
            };
            w[i] -= 1;
        }
    }
    w[last] = width.saturating_sub(BELOW_INDENT).max(1);
    TableLayout {
        widths: w,
        below: true,
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
        // down to their headings, then to their floor; names and types never.
        let l = layout(&t, 50);
        assert_eq!(l.widths[..4], [15, 12, 8, 7]);
        assert!(l.below);
        assert_eq!(layout(&t, 40).widths[..4], [15, 12, 5, 5]);
    }

    /// A workflow's Inputs in a 120-column terminal's detail pane (64 inside): the
    /// "Mandatory" heading over "Yes" stays whole; the long values give up the room.
    #[test]
    fn headings_over_short_cells_are_cut_last() {
        let t = table(
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
                    "Patch baseline",
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
        );
        let l = layout(&t, 64);
        assert!(l.below);
        assert_eq!(l.widths[..5], [13, 17, 9, 7, 8]);
        assert!(2 + l.widths[..5].iter().map(|w| w + 2).sum::<usize>() - 2 <= 64);
    }

    #[test]
    fn a_short_last_column_stays_beside_whole() {
        let t = table(&["Name", "State"], &[&["web-01", "Powered on"]]);
        assert_eq!(layout(&t, 40).widths, [6, 10]);
        assert!(!layout(&t, 40).below);
    }
}
