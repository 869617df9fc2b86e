//! The status bar: who and where we are, counts, safety badges, and the latest notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

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
    // Who and where, from the most said to the least: a notice is read whole first, so on a
    // narrow terminal the API version, then the URL, then the counts, then the user give way
    // to it (at 80 columns a long SSO user left "did you mean @d" of a notice).
    let who: Vec<String> = match ep {
        Some(ep) => match &ep.info {
            Some(i) => vec![
                format!(
                    " {} {} · {} · API {} ",
                    i.product.label(),
                    i.url,
                    i.user,
                    i.api_version
                ),
                format!(" {} {} · {} ", i.product.label(), i.url, i.user),
                format!(" {} · {} ", i.product.label(), i.user),
            ],
            None => vec![format!(" {} · not connected ", ep.label)],
        },
        None => vec![String::new()],
    };
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
    let (notice, style) = match &app.toast {
        Some(toast) => (
            format!("│ {} ", toast.text),
            bar.patch(t.severity(toast.severity)),
        ),
        None => ("│ ? help · q quit".to_string(), bar),
    };
    let fixed: usize = spans.iter().map(|s| s.width()).sum::<usize>() + notice.width();
    let room = (area.width as usize).saturating_sub(fixed);
    let fits = |a: &str, b: &str| a.width() + b.width() <= room;
    let product = ep
        .and_then(|e| e.info.as_ref())
        .map(|i| format!(" {} ", i.product.label()));
    let (who, counts) = (who.iter())
        .map(|w| (w.as_str(), counts.as_str()))
        .chain(who.last().map(|w| (w.as_str(), "")))
        .chain(product.as_deref().map(|p| (p, "")))
        .find(|(w, c)| fits(w, c))
        .unwrap_or((
            product
                .as_deref()
                .or(who.last().map(String::as_str))
                .unwrap_or(""),
            "",
        ));
    spans.push(Span::raw(who.to_string()));
    spans.push(Span::raw(counts.to_string()));
    spans.push(Span::styled(notice, style));
    f.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
}
