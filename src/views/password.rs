//! The password prompt after a refused login: why we ask, and one bullet per typed character.

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph, Wrap};

use crate::app::{App, PasswordPrompt};
use crate::theme::Role;

use super::centered;

pub fn draw(app: &App, f: &mut Frame, prompt: &PasswordPrompt) {
    let t = &app.theme;
    let label = app
        .endpoints
        .get(prompt.endpoint)
        .map_or("", |e| e.label.as_str());
    let lines = vec![
        Line::styled(prompt.reason.clone(), t.style(Role::Error)),
        Line::raw(""),
        Line::raw(format!(
            "Password: {}▏",
            "•".repeat(prompt.typed_len().min(40))
        )),
        Line::raw(""),
        Line::styled(
            "Enter log in with it · Esc keep the endpoint failed",
            t.style(Role::Muted),
        ),
    ];
    // The reason can be long (user, status, source): leave room for it to wrap.
    let width = 72u16.min(f.area().width);
    let reason_rows = (prompt.reason.chars().count() as u16 / width.saturating_sub(4).max(1)) + 1;
    let height = (lines.len() as u16 + reason_rows + 1).min(f.area().height);
    let area = centered(f.area(), width, height);
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::Warn))
        .title(Line::styled(
            format!(" Log in to {label} again "),
            t.style(Role::Title),
        ))
        .padding(Padding::horizontal(1))
        .style(t.style(Role::Dialog));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
