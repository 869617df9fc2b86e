//! The inventory tree pane. Virtualized: only the rows on screen are built each frame.
//! Sibling VM rows on screen line up as columns (state, CPU, memory, guest OS, IP, …, as
//! `api::columns` describes them), each as wide as its widest cell on screen; columns that do
//! not fit the pane are dropped from the right, but for the state, which keeps its dot. Other
//! rows' long names give way to the state after them (an alert's criticality).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use unicode_width::UnicodeWidthStr;

use crate::api::columns::{self, Column, ColumnId};
use crate::api::labels;
use crate::api::model::NodeKind;
use crate::app::tree::{Entry, EntryId, Load};
use crate::app::{App, Pane};
use crate::theme::Role;

use super::pane_block;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let count = app.tree.visible().len();
    let title = if app.tree.is_filtered() {
        format!(" Inventory · {count} shown ")
    } else {
        " Inventory ".to_string()
    };
    let block: Block = pane_block(app, Pane::Tree, title);
    let inner = block.inner(area);
    f.render_widget(block, area);

    let show_filter = app.filter.typing || !app.filter.query.is_empty();
    let rows_h = inner.height.saturating_sub(u16::from(show_filter)) as usize;
    let visible = app.tree.visible();
    let start = app.cursor.offset.min(visible.len());
    let end = (start + rows_h).min(visible.len());
    let mut lines = Vec::with_capacity(rows_h + 1);
    let on_screen = &visible[start..end];
    let mut i = 0;
    while i < on_screen.len() {
        let run = sibling_run(app, &on_screen[i..]);
        let layout = (run > 0).then(|| layout(app, &on_screen[i..i + run], inner.width));
        for &id in &on_screen[i..i + run.max(1)] {
            lines.push(row(app, id, inner.width, layout.as_ref()));
        }
        i += run.max(1);
    }
    if visible.is_empty() {
        // The filter reads only what is loaded: say where the rest can be found.
        let text: &[&str] = if app.tree.is_filtered() {
            &[
                "  no match among the loaded nodes",
                "  :goto asks the servers for the rest",
            ]
        } else {
            &["  (empty)"]
        };
        for t in text {
            lines.push(Line::styled(*t, app.theme.style(Role::Muted)));
        }
    }
    f.render_widget(
        Paragraph::new(lines),
        Rect {
            height: rows_h as u16,
            ..inner
        },
    );

    if show_filter {
        let cursor = if app.filter.typing { "▏" } else { "" };
        let line = Line::from(vec![
            Span::styled("/", app.theme.style(Role::Key)),
            Span::raw(app.filter.query.clone()),
            Span::styled(cursor, app.theme.style(Role::Accent)),
            Span::styled(
                format!("  {}", app.filter.hint()),
                app.theme.style(Role::Muted),
            ),
        ]);
        let y = inner.y + inner.height.saturating_sub(1);
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

fn glyph(app: &App, e: &Entry) -> (String, Style) {
    let t = &app.theme;
    match e.load() {
        Load::Loading { .. } => (app.spinner().to_string(), t.style(Role::Busy)),
        Load::Failed(_) => ("✗".into(), t.style(Role::Error)),
        _ if !e.node.expandable => (" ".into(), Style::new()),
        _ if e.expanded || app.tree.is_filtered() => ("▾".into(), t.style(Role::Muted)),
        _ => ("▸".into(), t.style(Role::Muted)),
    }
}

/// The name column never gets narrower than this while other columns are shown.
const MIN_NAME: usize = 14;
/// Between two columns.
const GAP: usize = 2;

/// How the rows of one run of sibling VMs line up: the name's width and the columns shown.
struct Layout {
    name: usize,
    cols: Vec<(Column, usize)>,
    /// CPU counts say "vCPU" (the tree has no header to say what a bare "4" counts), unless
    /// the unit would push a column off the pane.
    cpu_unit: bool,
}

/// How many rows from the start of `rows` are sibling VMs with typed columns (0: the first is
/// not one). The snapshot view's rows keep their own summary (count, oldest age, size).
fn sibling_run(app: &App, rows: &[EntryId]) -> usize {
    let lines_up = |id: EntryId| {
        let e = app.tree.get(id);
        e.node.kind == NodeKind::Vm
            && e.node.facts.is_some()
            && !e.parent().is_some_and(|p| app.is_all_snapshots(p))
    };
    let Some(&first) = rows.first().filter(|&&id| lines_up(id)) else {
        return 0;
    };
    let parent = app.tree.get(first).parent();
    rows.iter()
        .take_while(|&&id| lines_up(id) && app.tree.get(id).parent() == parent)
        .count()
}

/// The name with its health heart, as the name column holds it (the tree's and a table's).
pub(super) fn name_width(e: &Entry) -> usize {
    e.node.name.width() + if heart(e).is_some() { 2 } else { 0 }
}

/// The health a monitoring product gives a node, unless its status already says it (an Aria
/// Operations resource's status is its health).
pub(super) fn heart(e: &Entry) -> Option<crate::api::model::Health> {
    e.node.health.filter(|h| e.node.status.label != h.label())
}

/// A row's status in words ("Powered on", not `POWERED_ON`).
fn state(e: &Entry) -> &'static str {
    labels::status(e.node.status.label)
}

/// The text of a column in the tree (the state with its dot, as rows without columns show it).
fn cell_text(app: &App, e: &Entry, col: ColumnId, cpu_unit: bool) -> String {
    let label = &app.endpoints[e.endpoint()].label;
    match col {
        ColumnId::State if !e.node.status.label.is_empty() => format!("● {}", state(e)),
        // Under its host (or vApp) the row above says where it is; elsewhere (All VMs, a
        // datacenter's VMs) the place is what tells the rows apart.
        ColumnId::Place if names_parent(app, e) => String::new(),
        ColumnId::Cpu if cpu_unit => (e.node.facts.as_ref().and_then(|f| f.cpus.get()))
            .map_or_else(String::new, |n| format!("{n} vCPU")),
        _ => columns::text(&e.node, col, label, app.now).into_owned(),
    }
}

/// Whether a VM's place is the entry it sits under.
fn names_parent(app: &App, e: &Entry) -> bool {
    let place = e.node.facts.as_ref().map_or("", |f| f.place.as_str());
    !place.is_empty()
        && e.parent()
            .is_some_and(|p| app.tree.get(p).node.name.as_str() == place)
}

/// Widths from the rows on screen (a column empty on all of them is left out), each at most
/// the width a table gives it; then as many columns as fit `width`, from the left.
fn layout(app: &App, rows: &[EntryId], width: u16) -> Layout {
    let with_unit = layout_with(app, rows, width, true);
    let bare = layout_with(app, rows, width, false);
    match bare.cols.len() > with_unit.cols.len() {
        true => bare,
        false => with_unit,
    }
}

fn layout_with(app: &App, rows: &[EntryId], width: u16, cpu_unit: bool) -> Layout {
    let lead = app.tree.depth(rows[0]) * 2 + 2;
    let room = (width as usize).saturating_sub(lead + 1);
    let name = rows
        .iter()
        .map(|&id| name_width(app.tree.get(id)))
        .max()
        .unwrap_or(0);
    let mut used = name.min(MIN_NAME);
    let mut cols = Vec::new();
    let tree_cols = app
        .columns
        .of(NodeKind::Vm)
        .iter()
        .filter(|c| !matches!(c.id, ColumnId::Name | ColumnId::Endpoint));
    for c in tree_cols {
        // The state's dot and the CPU's unit come on top of the table's widths.
        let cap = c.width as usize
            + match c.id {
                ColumnId::State => 2,
                ColumnId::Cpu => 5,
                _ => 0,
            };
        let w = rows
            .iter()
            .map(|&id| cell_text(app, app.tree.get(id), c.id, cpu_unit).width())
            .max()
            .unwrap_or(0)
            .min(cap);
        if w == 0 {
            continue;
        }
        if used + GAP + w > room {
            // A state with no room for its words keeps its dot: its colour still tells a VM
            // that is off from one that runs (at 80 columns a vApp's VMs showed no state).
            if c.id == ColumnId::State && used + GAP < room {
                cols.push((*c, 1));
            }
            break;
        }
        cols.push((*c, w));
        // Only the first column (the state) cuts a long name: the others fit beside it whole
        // ("k8s-master-… ♥" at 160 columns gave its last letters to a guest OS, cut as well).
        used = name + cols.iter().map(|(_, w)| GAP + w).sum::<usize>();
    }
    // A bare count last, with no unit and no heading ("● Powered on  4" at 100 columns), says
    // nothing: the tree has no header to name it.
    if !cpu_unit && cols.last().is_some_and(|(c, _)| c.id == ColumnId::Cpu) {
        cols.pop();
    }
    let rest: usize = cols.iter().map(|(_, w)| GAP + w).sum();
    Layout {
        name: name.min(room.saturating_sub(rest)),
        cols,
        cpu_unit,
    }
}

fn row(app: &App, id: u32, width: u16, layout: Option<&Layout>) -> Line<'static> {
    let t = &app.theme;
    let e = app.tree.get(id);
    let mut spans = Vec::with_capacity(10);
    spans.push(Span::raw(" ".repeat(app.tree.depth(id) * 2)));
    let (g, gs) = glyph(app, e);
    spans.push(Span::styled(g, gs));
    spans.push(Span::styled(
        if e.is_marked() { "*" } else { " " },
        t.style(Role::Mark),
    ));
    if let Some(layout) = layout {
        columns_row(app, e, layout, &mut spans);
    } else {
        // A long name gives way, down to `MIN_NAME`, to the state after it: an alert's
        // criticality (or a vApp's power) pushed past the pane's edge said nothing at all.
        let lead: usize = spans.iter().map(|s| s.width()).sum();
        let after = heart(e).map_or(0, |_| 2)
            + match e.node.status.label.is_empty() {
                true => 0,
                false => 2 + "● ".width() + state(e).width(),
            };
        let room = usize::from(width).saturating_sub(lead + after);
        match e.node.name.width() > room && room >= MIN_NAME && after > 0 {
            true => push_name(
                app,
                super::table::cell(&e.node.name, room as u16).trim_end(),
                &mut spans,
            ),
            false => push_name(app, &e.node.name, &mut spans),
        }
        if let Some(h) = heart(e) {
            // A heart, not a dot: the status dot follows, and two dots side by side read as one.
            spans.push(Span::raw(" "));
            spans.push(Span::styled("♥", t.health(h)));
        }
    }
    if layout.is_none() && !e.node.status.label.is_empty() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!("● {}", state(e)),
            t.severity(e.node.status.severity),
        ));
    }
    let extra = match e.load() {
        Load::Failed(msg) => Some((format!("  {msg}"), t.style(Role::Error))),
        Load::Loading(l) if l.total.is_some() => {
            let total = l.total.unwrap_or_default();
            Some((
                match app.waited(l.since) {
                    Some(w) => format!("  loading {}/{total} · {w}", e.children.len()),
                    None => format!("  loading {}/{total}", e.children.len()),
                },
                t.style(Role::Busy),
            ))
        }
        Load::Loading(l) => Some((
            match app.waited(l.since) {
                Some(w) => format!("  loading… {w}"),
                None => "  loading…".to_string(),
            },
            t.style(Role::Busy),
        )),
        _ if layout.is_some() => None,
        _ => match app.row_summary(id) {
            s if !s.is_empty() => Some((format!("  {s}"), t.style(Role::Muted))),
            _ if !matches!(e.node.kind, NodeKind::Vm | NodeKind::VApp | NodeKind::Group) => {
                Some((format!("  {}", e.node.kind.label()), t.style(Role::Muted)))
            }
            _ => None,
        },
    };
    if let Some((text, style)) = extra {
        spans.push(Span::styled(text, style));
    }
    let mut line = Line::from(spans);
    if app.cursor.selected == Some(id) {
        let role = if app.focus == Pane::Tree {
            Role::Selection
        } else {
            Role::SelectionUnfocused
        };
        // Pad so the selection bar spans the pane.
        let used = line.width();
        if used < width as usize {
            line.spans
                .push(Span::raw(" ".repeat(width as usize - used)));
        }
        line = line.style(t.style(role));
    }
    line
}

/// The name (cut to its column) and the columns of a VM row, padded to the run's widths.
fn columns_row(app: &App, e: &Entry, layout: &Layout, spans: &mut Vec<Span<'static>>) {
    let t = &app.theme;
    let heart = heart(e);
    let room = layout.name - if heart.is_some() { 2 } else { 0 };
    let cut = super::table::cell(&e.node.name, room as u16);
    push_name(app, cut.trim_end(), spans);
    let mut used = cut.trim_end().width();
    if let Some(h) = heart {
        spans.push(Span::raw(" ".repeat(room - used + 1)));
        spans.push(Span::styled("♥", t.health(h)));
        used = room + 2;
    }
    spans.push(Span::raw(" ".repeat(layout.name.saturating_sub(used))));
    for (c, w) in &layout.cols {
        let full = cell_text(app, e, c.id, layout.cpu_unit);
        let text = match c.id {
            ColumnId::State if full.width() > *w && !full.is_empty() => "●".into(),
            _ => super::table::cell(&full, *w as u16),
        };
        let style = match c.id {
            ColumnId::State => t.severity(e.node.status.severity),
            _ => t.style(Role::Muted),
        };
        spans.push(Span::raw(" ".repeat(GAP)));
        spans.push(Span::styled(text, style));
    }
}

/// The name, with the characters that match the filter highlighted.
fn push_name(app: &App, name: &str, spans: &mut Vec<Span<'static>>) {
    if app.filter.query.is_empty() {
        spans.push(Span::raw(name.to_string()));
        return;
    }
    let hits = app.filter.engine.highlights(&app.filter.query, name);
    let hl = app.theme.style(Role::Match);
    let mut plain = String::new();
    for (i, ch) in name.chars().enumerate() {
        if hits.binary_search(&(i as u32)).is_ok() {
            if !plain.is_empty() {
                spans.push(Span::raw(std::mem::take(&mut plain)));
            }
            spans.push(Span::styled(ch.to_string(), hl));
        } else {
            plain.push(ch);
        }
    }
    if !plain.is_empty() {
        spans.push(Span::raw(plain));
    }
}
