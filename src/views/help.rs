//! The `?` screen, generated from the keymap table so it always tells the truth.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::App;
use crate::app::keymap::{Scope, keys_label};
use crate::theme::Role;
use unicode_width::UnicodeWidthStr;

use super::centered;

/// Every line of the help screen (also used by tests and `vnav keys`).
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    for scope in [Scope::Global, Scope::Tree, Scope::Detail, Scope::Tasks] {
        // The bindings in force, so keys changed in the config show as they are.
        let bindings: Vec<_> = app
            .keymap
            .bindings
            .iter()
            .filter(|b| b.scope == scope)
            .collect();
        if bindings.is_empty() {
            continue;
        }
        out.push(Line::styled(
            scope.label().to_string(),
            t.style(Role::Section),
        ));
        for b in bindings {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<22}", keys_label(&b.keys)), t.style(Role::Key)),
                Span::raw(b.description.to_string()),
            ]));
        }
        out.push(Line::raw(""));
    }
    // Actions come from the action table; read-only mode hides what it refuses.
    let actions = app.visible_actions();
    if actions.is_empty() {
        out.push(Line::styled(
            "Actions: none (read-only mode)".to_string(),
            t.style(Role::Section),
        ));
    } else {
        out.push(Line::styled(
            "Actions on the selected node, or on the marked ones (only when the server offers them)".to_string(),
            t.style(Role::Section),
        ));
        for a in actions {
            let key = a
                .key
                .map(|k| k.to_string())
                .unwrap_or_else(|| "a menu".into());
            let kinds: Vec<&str> = a.kinds.iter().map(|k| k.label()).collect();
            out.push(Line::from(vec![
                Span::styled(format!("  {key:<22}"), t.style(Role::Key)),
                Span::raw(format!("{} — {} ", a.label, a.description)),
                Span::styled(
                    format!("[{}; {}]", a.risk.label(), kinds.join(", ")),
                    t.style(Role::Muted),
                ),
            ]));
        }
    }
    out
}

/// The help lines fitted to `width` columns: a long line continues on the next, under its
/// description rather than under its key.
pub fn wrapped(app: &App, width: usize) -> Vec<Line<'static>> {
    lines(app)
        .into_iter()
        .flat_map(|l| wrap_line(l, width))
        .collect()
}

fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if line.width() <= width {
        return vec![line];
    }
    // A binding's first span is its key column; continuation lines are indented past it.
    let (prefix, rest) = match line.spans.split_first() {
        Some((first, rest)) if !rest.is_empty() => (Some(first.clone()), rest),
        _ => (None, &line.spans[..]),
    };
    let indent = prefix.as_ref().map_or(0, |p| p.width());
    if indent + 10 > width {
        return vec![line];
    }
    let mut out = Vec::new();
    let mut cur: Vec<Span<'static>> = prefix.into_iter().collect();
    let mut used = indent;
    for span in rest {
        for word in span.content.split_inclusive(' ') {
            if used > indent && used + word.trim_end().width() > width {
                out.push(Line::from(std::mem::take(&mut cur)));
                cur.push(Span::raw(" ".repeat(indent)));
                used = indent;
            }
            cur.push(Span::styled(word.to_string(), span.style));
            used += word.width();
        }
    }
    out.push(Line::from(cur));
    out
}

pub fn draw(app: &App, f: &mut Frame, scroll: u16) {
    let area = centered(f.area(), 110, f.area().height.saturating_sub(2));
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.style(Role::BorderFocused))
        .title(" Keys · any other key closes · j/k scroll ")
        .style(app.theme.style(Role::Dialog));
    let lines = wrapped(app, area.width.saturating_sub(2) as usize);
    let max = (lines.len() as u16).saturating_sub(area.height.saturating_sub(2));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max), 0)),
        area,
    );
}
