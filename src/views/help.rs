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
    out
}

pub fn draw(app: &App, f: &mut Frame, scroll: u16) {
    let area = centered(f.area(), 76, f.area().height.saturating_sub(4));
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
