//! The status bar: who and where we are, counts, safety badges, and the latest notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::theme::Role;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let bar = t.style(Role::StatusBar);
    let mut spans = Vec::new();
    if app.selection_read_only() {
        spans.push(Span::styled(" READ-ONLY ", t.style(Role::BadgeReadonly)));
    }
    if app.endpoints.iter().any(|e| e.insecure) {
        spans.push(Span::styled(" INSECURE TLS ", t.style(Role::BadgeInsecure)));
    }
    // The endpoint of the selected node; the view across all endpoints names its only one, or
    // says it spans them all.
    let ep = match app.cursor.selected {
        Some(s) => app.endpoint_of(s).or_else(|| match &app.endpoints[..] {
            [one] => Some(one),
            _ => None,
        }),
        None => app.endpoints.first(),
    };
    if ep.is_none() && app.endpoints.len() > 1 {
        spans.push(Span::raw(format!(
            " all {} endpoints ",
            app.endpoints.len()
        )));
    }
    if let Some(ep) = ep {
        let text = match &ep.info {
            Some(i) => format!(
                " {} {} · {} · API {} ",
                i.product.label(),
                i.url,
                i.user,
                i.api_version
            ),
            None => format!(" {} · not connected ", ep.label),
        };
        spans.push(Span::raw(text));
    }
    let marked = app.tree.marked_count();
    let mut counts = format!("│ {} nodes", app.tree.len());
    if app.endpoints.len() > 1 {
        counts.push_str(&format!(" · {} endpoints", app.endpoints.len()));
    }
    if marked > 0 {
        counts.push_str(&format!(" · {marked} marked"));
    }
    let running = app.tasks.running_count();
    if running > 0 {
        let s = if running == 1 { "" } else { "s" };
        counts.push_str(&format!(" · {running} task{s} running"));
    }
    counts.push(' ');
    spans.push(Span::raw(counts));
    match &app.toast {
        Some(toast) => spans.push(Span::styled(
            format!("│ {} ", toast.text),
            bar.patch(t.severity(toast.severity)),
        )),
        None => spans.push(Span::styled("│ ? help · q quit", bar)),
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
}
