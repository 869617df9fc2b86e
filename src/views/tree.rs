//! The inventory tree pane. Virtualized: only the rows on screen are built each frame.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::api::model::NodeKind;
use crate::app::tree::{Entry, Load};
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
    for &id in &visible[start..end] {
        lines.push(row(app, id, inner.width));
    }
    if visible.is_empty() {
        lines.push(Line::styled(
            if app.tree.is_filtered() {
                "  no match"
            } else {
                "  (empty)"
            },
            app.theme.style(Role::Muted),
        ));
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
                if app.filter.typing {
                    "  Enter keep · Esc clear"
                } else {
                    "  Esc clears"
                },
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
    match &e.load {
        Load::Loading { .. } => (app.spinner().to_string(), t.style(Role::Busy)),
        Load::Failed(_) => ("✗".into(), t.style(Role::Error)),
        _ if !e.node.expandable => (" ".into(), Style::new()),
        _ if e.expanded || app.tree.is_filtered() => ("▾".into(), t.style(Role::Muted)),
        _ => ("▸".into(), t.style(Role::Muted)),
    }
}

fn row(app: &App, id: u32, width: u16) -> Line<'static> {
    let t = &app.theme;
    let e = app.tree.get(id);
    let mut spans = Vec::with_capacity(10);
    spans.push(Span::raw(" ".repeat(e.depth as usize * 2)));
    let (g, gs) = glyph(app, e);
    spans.push(Span::styled(g, gs));
    spans.push(Span::styled(
        if e.is_marked() { "*" } else { " " },
        t.style(Role::Mark),
    ));
    push_name(app, &e.node.name, &mut spans);
    // The health a monitoring product gives it, unless the status already says it (an Aria
    // Operations resource's status is its health).
    if let Some(h) = e.node.health.filter(|h| e.node.status.label != h.label()) {
        // A heart, not a dot: the status dot follows, and two dots side by side read as one.
        spans.push(Span::raw(" "));
        spans.push(Span::styled("♥", t.health(h)));
    }
    if !e.node.status.label.is_empty() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!("● {}", e.node.status.label),
            t.severity(e.node.status.severity),
        ));
    }
    let extra = match &e.load {
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
        _ if !e.node.summary.is_empty() => {
            Some((format!("  {}", app.row_summary(id)), t.style(Role::Muted)))
        }
        _ if !matches!(e.node.kind, NodeKind::Vm | NodeKind::VApp | NodeKind::Group) => {
            Some((format!("  {}", e.node.kind.label()), t.style(Role::Muted)))
        }
        _ => None,
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
