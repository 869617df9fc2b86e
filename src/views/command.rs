//! The `:` command line, drawn over the status bar while it is open, with the completions Tab
//! found when there are several.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::App;
use crate::theme::Role;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let c = &app.command;
    let mut spans = vec![
        Span::styled(":", t.style(Role::Key)),
        Span::raw(c.text.clone()),
        Span::styled("▏", t.style(Role::Accent)),
    ];
    if !c.hint.is_empty() {
        spans.push(Span::styled(
            format!("   {}", c.hint.join("  ")),
            t.style(Role::Muted),
        ));
    } else if c.text.is_empty() {
        spans.push(Span::styled(
            "   Tab completes · ↑/↓ history · Esc back",
            t.style(Role::Muted),
        ));
    }
    f.render_widget(Clear, area);
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
