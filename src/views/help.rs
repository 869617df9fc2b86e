//! The `?` screen, generated from the keymap table so it always tells the truth.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::App;
use crate::app::keymap::{KEYMAP, Scope, keys_label};
use crate::theme::Role;

use super::centered;

/// Every line of the help screen (also used by tests and `vnav keys`).
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    for scope in [Scope::Global, Scope::Tree, Scope::Detail, Scope::Tasks] {
        let bindings: Vec<_> = KEYMAP.iter().filter(|b| b.scope == scope).collect();
        if bindings.is_empty() {
            continue;
        }
        out.push(Line::styled(
            scope.label().to_string(),
            t.style(Role::Section),
        ));
        for b in bindings {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<22}", keys_label(b.keys)), t.style(Role::Key)),
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

pub fn draw(app: &App, f: &mut Frame, scroll: u16) {
    let area = centered(f.area(), 110, f.area().height.saturating_sub(2));
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.style(Role::BorderFocused))
        .title(" Keys · any other key closes · j/k scroll ")
        .style(app.theme.style(Role::Dialog));
    let lines = lines(app);
    let max = (lines.len() as u16).saturating_sub(area.height.saturating_sub(2));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max), 0)),
        area,
    );
}
