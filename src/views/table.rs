//! A `:` table in the tree pane: its title with the row count and sort, a header of the kind's
//! columns (as many as fit; the name takes what is left), and the rows on screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::api::columns::{self, Column, ColumnId};
use crate::app::table::Table;
use crate::app::{App, Pane};
use crate::theme::Role;

use super::pane_block;
use super::tree::{heart, name_width};

/// The name column never gets narrower than this, nor than the longest name on screen up to
/// `NAME_WANTS`; columns that would squeeze it are dropped from the right.
const MIN_NAME: u16 = 16;
const NAME_WANTS: u16 = 32;
/// A column that does not fit whole is shown cut to what is left when that is at least this
/// (an alert's resource cut short says more than no resource at all), the name giving it room
/// down to `NAME_GIVES` where that makes it fit: at 120 columns, three alerts of one name on
/// different VMs read apart.
const MIN_CUT: u16 = 12;
const NAME_GIVES: u16 = 24;
/// Names shorter than this still keep it, for the header ("Name▲").
const NAME_FLOOR: u16 = 6;
/// The sort column is kept cut down to this ("Powered…"), not narrower.
const MIN_KEPT: u16 = 8;

/// The columns that fit in `width`, each with the width it gets, the name keeping room for
/// `longest_name` cells. With `tag` cells (rows from several endpoints), an endpoint column that
/// does not fit whole is kept as that narrow tag (`columns::endpoint_tags`, titled
/// `columns::TAG_TITLE`) after the columns that fit, the columns right of the first giving way
/// to it: at 80 columns a vCD VM and its vCenter twin then read apart ("vCD", "vC"). The first
/// column after the name (a VM's state, a snapshot's age) is never dropped for it; the name
/// gives down to `MIN_NAME` for both (hosts' long names hid which endpoint a row was). The column
/// the rows are sorted by (`sort`) never gives way either: its room is held from the start,
/// the name giving down to `MIN_NAME` for it, so a title that says "sorted by State" names a
/// column on screen (alerts at 80 columns showed their summary instead).
pub fn fit(
    cols: &[Column],
    width: u16,
    longest_name: u16,
    tag: u16,
    sort: ColumnId,
) -> Vec<(Column, u16)> {
    let mut name_min = longest_name.clamp(MIN_NAME, NAME_WANTS);
    let others: Vec<&Column> = cols.iter().filter(|c| c.id != ColumnId::Name).collect();
    // A wide first column (a host's summary, where its state is empty) counts as cut, unless
    // the rows are sorted by it.
    let first = others.first().map_or(0, |c| match c.id == sort {
        true => 1 + c.width,
        false => 1 + c.width.min(MIN_CUT),
    });
    // Twins (a vCD host and its vCenter self) must read apart: the name gives down to
    // `MIN_NAME` for the first column and the tag.
    let wants_tag = tag > 0
        && others.iter().any(|c| c.id == ColumnId::Endpoint)
        && MIN_NAME + first + 1 + tag <= width;
    // The tag's room is held back from the start and given back if the full column fits.
    let mut held = if wants_tag { 1 + tag } else { 0 };
    let kept = kept_sort(&others, sort, wants_tag, width.saturating_sub(held));
    let beside = match kept {
        Some((_, w)) => 1 + w,
        None if wants_tag => first,
        None => 0,
    };
    name_min = name_min.min(width.saturating_sub(held + beside));
    let mut used = name_min + held + kept.map_or(0, |(_, w)| 1 + w);
    let mut out = vec![];
    let mut full = false;
    for c in others {
        if c.id == ColumnId::Endpoint && held > 0 {
            let left = width.saturating_sub(used - held + 1);
            let w = if left >= c.width { c.width } else { tag };
            used = used - held + 1 + w;
            held = 0;
            out.push((tagged(c, w), w));
            continue;
        }
        if let Some((k, w)) = kept.filter(|(k, _)| k.id == c.id) {
            out.push((k, w));
            continue;
        }
        let left = width.saturating_sub(used + 1);
        if full {
            continue;
        }
        if left < c.width {
            full = true;
            // The name gives what its cells do not use, and a long name down to `NAME_GIVES`:
            // at 120 columns the snapshot table's names of 12 cells kept 27 while the
            // endpoint ("demo vCenter") was dropped for want of 5.
            let floor = NAME_GIVES.min(longest_name.max(NAME_FLOOR)).min(name_min);
            let can_give = name_min - floor;
            let give = match c.width - left <= can_give {
                true => c.width - left,
                false => MIN_CUT.saturating_sub(left).min(can_give),
            };
            if left + give >= MIN_CUT.min(c.width) {
                name_min -= give;
                used += 1 + left;
                out.push((*c, left + give));
            }
            continue;
        }
        used += 1 + c.width;
        out.push((*c, c.width));
    }
    if held > 0 {
        let c = cols.iter().find(|c| c.id == ColumnId::Endpoint);
        out.extend(c.map(|c| (tagged(c, tag), tag)));
    }
    // Nothing beside a long name but the sort column (alerts at 80 columns: three "Virtual
    // machine has chronic high…" read the same; at 100, sorted by State, the state alone): the
    // name gives down to `MIN_NAME` for the column that tells such rows apart, an alert's
    // resource (its summary), else the state. Names that differ (workflows) keep their room:
    // "Drain checkout …" beside its category read worse than the whole name.
    let is_kept = |c: &Column| kept.is_some_and(|(k, _)| k.id == c.id);
    let beside = kept.map_or(0, |(_, w)| 1 + w);
    let room = width.saturating_sub(MIN_NAME + 1 + beside);
    if out.iter().all(|(c, _)| is_kept(c)) && name_min > MIN_NAME && room >= MIN_CUT {
        let apart = [ColumnId::Summary, ColumnId::State]
            .into_iter()
            .find_map(|id| cols.iter().find(|c| c.id == id && !is_kept(c)));
        if let Some(c) = apart {
            let w = c.width.min(room);
            out.push((*c, w));
            // In the kind's order: the state before the resource, whichever is kept.
            out.sort_by_key(|(c, _)| cols.iter().position(|o| o.id == c.id));
            used = width;
            name_min = width - 1 - w - beside;
        }
    }
    let name = cols.iter().find(|c| c.id == ColumnId::Name).copied();
    let mut all: Vec<(Column, u16)> = name
        .map(|n| (n, width.saturating_sub(used - name_min)))
        .into_iter()
        .collect();
    all.extend(out);
    all
}

/// The state column as wide as its widest cell on screen or its heading, not wider: alerts'
/// "Immediate" left three of its 12 cells empty at 100 columns, where the resource beside it
/// was cut to "k8s-worker-…".
fn narrowed(app: &App, rows: &[crate::app::tree::EntryId], c: Column, sort: ColumnId) -> Column {
    let heading = c.title.width() + usize::from(c.id == sort);
    let widest = (rows.iter())
        .map(|&id| {
            let e = app.tree.get(id);
            let label = &app.endpoints[e.endpoint()].label;
            columns::text(&e.node, c.id, label, app.now).width()
        })
        .fold(heading, usize::max);
    let width = c.width.min(u16::try_from(widest).unwrap_or(u16::MAX));
    Column { width, ..c }
}

/// The endpoint column as `w` cells hold it: whole, or titled as the tags its cells then show.
fn tagged(c: &Column, w: u16) -> Column {
    match w < c.width {
        true => Column {
            title: columns::TAG_TITLE,
            width: w,
            ..*c
        },
        false => *c,
    }
}

/// The sort column `fit` keeps whatever else gives way, with its width in `width` cells (the
/// name keeping `MIN_NAME`): none for the name (always shown), nor for the endpoint when it
/// shows as a tag (kept anyway), nor when fewer than `MIN_KEPT` cells are left for it.
fn kept_sort(
    others: &[&Column],
    sort: ColumnId,
    tagged: bool,
    width: u16,
) -> Option<(Column, u16)> {
    let c = others.iter().find(|c| c.id == sort)?;
    if c.id == ColumnId::Endpoint && tagged {
        return None;
    }
    let w = c.width.min(width.saturating_sub(MIN_NAME + 1));
    (w >= c.width.min(MIN_KEPT)).then_some((**c, w))
}

/// Whether `fit` made this column the endpoint's tag.
fn is_tag(c: &Column) -> bool {
    c.id == ColumnId::Endpoint && c.title == columns::TAG_TITLE
}

/// `text` cut or padded to exactly `w` cells (an ellipsis where cut).
pub fn cell(text: &str, w: u16) -> String {
    let w = w as usize;
    if text.width() <= w {
        return format!("{text}{}", " ".repeat(w - text.width()));
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let cw = ch.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(ch);
        used += cw;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}

/// The pane's title in `room` cells: "VMs (400) · sorted by Name ▲", else without "sorted
/// by" ("VMs (400) · Name ▲"), else the name and count alone (the header's arrow still says
/// the sort), rather than cut mid-phrase ("VMs with snapshots (37) · sorted"). No `column`
/// (none on screen to name): the name and count alone.
fn title(name: &str, column: &str, arrow: &str, sorting: &str, room: u16) -> String {
    if column.is_empty() {
        return format!(" {name}{sorting} ");
    }
    [
        format!(" {name} · sorted by {column} {arrow}{sorting} "),
        format!(" {name} · {column} {arrow}{sorting} "),
        format!(" {name}{sorting} "),
    ]
    .into_iter()
    .find(|t| t.width() <= room as usize)
    .unwrap_or_else(|| format!(" {name} "))
}

pub fn draw(app: &App, f: &mut Frame, area: Rect, table: &Table) {
    let t = &app.theme;
    let arrow = if table.sort.desc { "▼" } else { "▲" };
    // While the sort column's order is built the rows keep their old order: said so.
    let sorting = if table.sorting() { " sorting…" } else { "" };
    // The block's inside does not depend on its title, which waits for the columns.
    let inner = pane_block(app, Pane::Tree, String::new()).inner(area);

    let show_filter = app.filter.typing || !app.filter.query.is_empty();
    let rows_h = inner
        .height
        .saturating_sub(1 + u16::from(show_filter) + u16::from(!table.notes.is_empty()))
        as usize;
    let visible = app.tree.visible();
    let start = app.cursor.offset.min(visible.len());
    let end = (start + rows_h).min(visible.len());
    let longest_name = visible[start..end]
        .iter()
        .map(|&id| name_width(app.tree.get(id)))
        .max()
        .unwrap_or(0);
    let tags = app.endpoint_tags(table);
    let tag_width = tags.iter().map(|t| t.width()).max().unwrap_or(0);
    // A column no row on screen fills gives way to one that says something (datastores at
    // 120 columns: an empty State, and no room for the free space).
    let filled: Vec<Column> = (table.columns().iter())
        .filter(|c| {
            c.id == ColumnId::Name
                || c.id == table.sort.column.id
                || start == end
                || visible[start..end].iter().any(|&id| {
                    let e = app.tree.get(id);
                    let label = &app.endpoints[e.endpoint()].label;
                    !columns::text(&e.node, c.id, label, app.now)
                        .trim()
                        .is_empty()
                })
        })
        .copied()
        .map(|c| match c.id {
            ColumnId::State => narrowed(app, &visible[start..end], c, table.sort.column.id),
            _ => c,
        })
        .collect();
    let cols = fit(
        &filled,
        inner.width.saturating_sub(1),
        longest_name.min(usize::from(u16::MAX)) as u16,
        tag_width.min(usize::from(u16::MAX)) as u16,
        table.sort.column.id,
    );
    // A pane too narrow even for the sort column keeps it out of the title too.
    let sorted_by = match cols.iter().any(|(c, _)| c.id == table.sort.column.id) {
        true => table.sort.column.title,
        false => "",
    };
    let title = title(
        &table.title(),
        sorted_by,
        arrow,
        sorting,
        area.width.saturating_sub(2),
    );
    f.render_widget(pane_block(app, Pane::Tree, title), area);
    // A state the pane has no room for still reads, as the name's colour (an alert's
    // criticality at 80 columns).
    let state_unseen = filled.iter().any(|c| c.id == ColumnId::State)
        && !cols.iter().any(|(c, _)| c.id == ColumnId::State);
    let mut lines = Vec::with_capacity(rows_h + 3);
    let header: Vec<Span> = cols
        .iter()
        .map(|(c, w)| {
            let title = match c.id == table.sort.column.id {
                true => format!("{}{arrow}", c.title),
                false => c.title.to_string(),
            };
            Span::styled(format!(" {}", cell(&title, *w)), t.style(Role::Title))
        })
        .collect();
    lines.push(Line::from(header));
    for &id in &visible[start..end] {
        let e = app.tree.get(id);
        let label = &app.endpoints[e.endpoint()].label;
        let mut spans: Vec<Span> = Vec::with_capacity(cols.len() + 1);
        for (c, w) in &cols {
            let text = match is_tag(c) {
                true => tags[e.endpoint()].as_str().into(),
                false => columns::text(&e.node, c.id, label, app.now),
            };
            let style = match c.id {
                ColumnId::State => t.severity(e.node.status.severity),
                ColumnId::Name if state_unseen => t.severity(e.node.status.severity),
                ColumnId::Name => ratatui::style::Style::new(),
                _ => t.style(Role::Muted),
            };
            // Aria Operations' health right after the name, as the tree shows it (a heart:
            // the state follows in its colour), the column's room after it.
            match heart(e).filter(|_| c.id == ColumnId::Name && *w > 2) {
                Some(h) => {
                    let name = cell(&text, w - 2);
                    let shown = name.trim_end();
                    spans.push(Span::styled(format!(" {shown} "), style));
                    spans.push(Span::styled("♥", t.health(h)));
                    spans.push(Span::styled(" ".repeat(name.len() - shown.len()), style));
                }
                None => spans.push(Span::styled(format!(" {}", cell(&text, *w)), style)),
            }
        }
        if e.is_marked() {
            spans[0] = Span::styled(format!("*{}", &spans[0].content[1..]), t.style(Role::Mark));
        }
        let mut line = Line::from(spans);
        if app.cursor.selected == Some(id) {
            let role = match app.focus == Pane::Tree {
                true => Role::Selection,
                false => Role::SelectionUnfocused,
            };
            line = line.style(t.style(role));
        }
        lines.push(line);
    }
    if visible.is_empty() {
        let loading = app.loading_count() > 0;
        lines.push(Line::styled(
            match (loading, show_filter) {
                (true, _) => format!("  {} loading…", app.spinner()),
                (false, true) => "  no match".to_string(),
                (false, false) => "  (none)".to_string(),
            },
            t.style(Role::Muted),
        ));
    }
    f.render_widget(
        Paragraph::new(lines),
        Rect {
            height: (rows_h + 1) as u16,
            ..inner
        },
    );
    let mut y = inner.y + 1 + rows_h as u16;
    if !table.notes.is_empty() {
        let note = Line::styled(format!(" {}", table.notes.join(" · ")), t.style(Role::Warn));
        f.render_widget(
            Paragraph::new(note),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
        y += 1;
    }
    if show_filter {
        let cursor = if app.filter.typing { "▏" } else { "" };
        let line = Line::from(vec![
            Span::styled("/", t.style(Role::Key)),
            Span::raw(app.filter.query.clone()),
            Span::styled(cursor, t.style(Role::Accent)),
            Span::styled(format!("  {}", app.filter.hint()), t.style(Role::Muted)),
        ]);
        f.render_widget(
            Paragraph::new(line),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At 80 columns the table pane is ~36 wide: the title drops "sorted by", then the sort,
    /// and is never cut mid-phrase.
    #[test]
    fn a_title_gives_up_words_rather_than_being_cut() {
        let t = |room| title("VMs with snapshots (37)", "Snapshot", "▲", "", room);
        assert_eq!(t(60), " VMs with snapshots (37) · sorted by Snapshot ▲ ");
        assert_eq!(t(40), " VMs with snapshots (37) · Snapshot ▲ ");
        assert_eq!(t(33), " VMs with snapshots (37) ");
        assert_eq!(
            title("VMs (400)", "Name", "▼", " sorting…", 30),
            " VMs (400) · Name ▼ sorting… "
        );
    }

    #[test]
    fn columns_fit_and_cells_are_exact_width() {
        let vm = columns::columns(crate::api::model::NodeKind::Vm);
        let narrow = fit(vm, 40, 6, 0, ColumnId::Name);
        assert_eq!(narrow[0].0.id, ColumnId::Name);
        assert!(narrow.iter().map(|(_, w)| w + 1).sum::<u16>() <= 41);
        assert!(fit(vm, 200, 6, 3, ColumnId::Name).len() == vm.len());
        // Long names on screen keep their room; a column that fits only in part is cut.
        let hosts = columns::columns(crate::api::model::NodeKind::Host);
        let fitted = fit(hosts, 59, 22, 0, ColumnId::Name);
        assert!(fitted[0].1 >= 22, "{fitted:?}");
        assert!(fitted.iter().map(|(_, w)| w + 1).sum::<u16>() <= 60);
        let alerts = columns::columns(crate::api::model::NodeKind::Alert);
        let ids: Vec<ColumnId> = fit(alerts, 59, 70, 0, ColumnId::Name)
            .iter()
            .map(|(c, _)| c.id)
            .collect();
        assert_eq!(ids, [ColumnId::Name, ColumnId::State, ColumnId::Summary]);
        // Narrower (the alerts table beside the detail pane at 120 columns): the long name
        // gives the resource room to be read, down to 24 cells.
        let fitted = fit(alerts, 52, 70, 0, ColumnId::Name);
        let ids: Vec<(ColumnId, u16)> = fitted.iter().map(|(c, w)| (c.id, *w)).collect();
        let (name, state, summary) = (ColumnId::Name, ColumnId::State, ColumnId::Summary);
        assert_eq!(ids, [(name, 26), (state, 12), (summary, 12)]);
        // A short name gives nothing: no column squeezes it under its names.
        assert_eq!(fit(alerts, 36, 20, 0, ColumnId::Name).len(), 2);
        assert_eq!(cell("web-01", 4), "web…");
    }

    /// At 120 columns the snapshot table has 49 cells for its columns: names of 12 cells gave
    /// it no room to spare, yet kept 27 while the endpoint was dropped. A column left out
    /// never leaves the name more than its names and the header need.
    #[test]
    fn no_column_is_dropped_while_the_name_has_room_to_spare() {
        let shape = |fitted: Vec<(Column, u16)>| -> Vec<(&str, u16)> {
            fitted.iter().map(|(c, w)| (c.title, *w)).collect()
        };
        let snaps = |width, longest| {
            let fitted = fit(
                columns::SNAPSHOT_COLUMNS,
                width,
                longest,
                0,
                ColumnId::SnapshotAge,
            );
            shape(fitted)
        };
        assert_eq!(
            snaps(49, 12),
            [
                ("Name", 12),
                ("Snapshot", 13),
                ("Snap size", 9),
                ("Endpoint", 12)
            ]
        );
        // Whole where the names leave room for it.
        assert_eq!(
            snaps(49, 10),
            [
                ("Name", 10),
                ("Snapshot", 13),
                ("Snap size", 9),
                ("Endpoint", 14)
            ]
        );
        // Names that need their room keep it (up to 24): the endpoint is left out.
        assert_eq!(
            snaps(49, 20),
            [("Name", 25), ("Snapshot", 13), ("Snap size", 9)]
        );
    }

    /// At 80 columns (33 cells for the columns) VMs from several endpoints keep the name, the
    /// state and the endpoint's tag; wide enough, the endpoint's label; the snapshot table's
    /// age is never dropped for the tag.
    #[test]
    fn the_endpoint_gives_way_to_a_tag_not_to_nothing() {
        let shape = |fitted: Vec<(Column, u16)>| -> Vec<(&str, u16)> {
            fitted.iter().map(|(c, w)| (c.title, *w)).collect()
        };
        let vm = columns::columns(crate::api::model::NodeKind::Vm);
        assert_eq!(
            shape(fit(vm, 33, 12, 3, ColumnId::Name)),
            [("Name", 16), ("State", 12), ("Src", 3)]
        );
        assert_eq!(
            shape(fit(vm, 33, 12, 0, ColumnId::Name)),
            [("Name", 20), ("State", 12)]
        );
        let wide = shape(fit(vm, 51, 12, 3, ColumnId::Name));
        assert_eq!(wide[..3], [("Name", 23), ("State", 12), ("Endpoint", 14)]);
        let snaps = shape(fit(
            columns::SNAPSHOT_COLUMNS,
            33,
            12,
            3,
            ColumnId::SnapshotAge,
        ));
        assert_eq!(snaps, [("Name", 19), ("Snapshot", 13)]);
        // A wide first column (hosts' summary, their empty state left out) is cut for the tag.
        let hosts = [columns::NAME, columns::SUMMARY, columns::ENDPOINT];
        assert_eq!(
            shape(fit(&hosts, 33, 22, 3, ColumnId::Name)),
            [("Name", 16), ("Summary", 12), ("Src", 3)]
        );
        // Long names and nothing else fits (alerts at 80 columns): the name gives down to
        // 16 for the resource, which tells three alerts of one name apart.
        let alerts = columns::columns(crate::api::model::NodeKind::Alert);
        assert_eq!(
            shape(fit(alerts, 33, 70, 0, ColumnId::Name)),
            [("Name", 16), ("Summary", 16)]
        );
        // The sort column never gives way: alerts by their state at 80 columns show it (the
        // name giving down for it), VMs by memory show memory and the endpoint's tag, in their order.
        let (name, state) = (ColumnId::Name, ColumnId::State);
        assert_eq!(
            shape(fit(alerts, 33, 70, 0, state)),
            [("Name", 20), ("State", 12)]
        );
        // At 100 columns (42 cells) the state kept for the sort left no room for the resource:
        // the name gives down to 16 for it, the state still whole.
        assert_eq!(
            shape(fit(alerts, 42, 70, 0, state)),
            [("Name", 16), ("State", 12), ("Summary", 12)]
        );
        // Wider, the name takes back its room first.
        assert_eq!(
            shape(fit(alerts, 50, 70, 0, state)),
            [("Name", 24), ("State", 12), ("Summary", 12)]
        );
        assert_eq!(
            shape(fit(vm, 33, 12, 3, ColumnId::Memory)),
            [("Name", 19), ("Src", 3), ("Memory", 9)]
        );
        assert_eq!(
            shape(fit(vm, 33, 12, 0, ColumnId::Owner)),
            [("Name", 22), ("Owner", 10)]
        );
        // Too narrow to keep it: left out, and the title then names no column.
        assert_eq!(shape(fit(vm, 22, 12, 0, ColumnId::Owner)), [("Name", 22)]);
        assert_eq!(title("VMs (4)", "", "▲", "", 60), " VMs (4) ");
        assert_eq!(
            shape(fit(vm, 33, 12, 0, name)),
            shape(fit(vm, 33, 12, 0, state))
        );
        // Hosts' long names from vCD and vCenter: the name gives down for the state and the
        // tag, so twins read apart; VMs' long names keep the state beside them.
        let hosts = columns::columns(crate::api::model::NodeKind::Host);
        assert_eq!(
            shape(fit(hosts, 33, 22, 3, name)),
            [("Name", 16), ("State", 12), ("Src", 3)]
        );
        assert_eq!(
            shape(fit(vm, 33, 28, 0, name)),
            [("Name", 20), ("State", 12)]
        );
        // Workflows' long names have no summary to give room to: they keep it.
        let workflows = columns::columns(crate::api::model::NodeKind::Workflow);
        assert_eq!(shape(fit(workflows, 33, 32, 0, name)), [("Name", 33)]);
        // Too narrow for the first column and the tag: as without a tag.
        assert_eq!(
            shape(fit(vm, 30, 12, 3, ColumnId::Name)),
            shape(fit(vm, 30, 12, 0, ColumnId::Name))
        );
        assert_eq!(cell("ab", 4), "ab  ");
    }
}
