//! The task pane: newest first; operation (short), target, state, progress, started, elapsed,
//! user and endpoint, each in its own column so none is cut into the next.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use tokio::time::Instant;

use crate::api::model::{Severity, TaskState};
use crate::app::{App, Pane, TaskFilter, TaskRow};
use crate::theme::Role;

use super::pane_block;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let shown = app.tasks.shown();
    let running = app.tasks.running_count();
    let mut title = match app.tasks.filter {
        TaskFilter::All => format!(" Tasks · {running} running "),
        f => format!(" Tasks · {running} running · showing {} (t) ", f.label()),
    };
    if let Some(hint) = app.answer_hint() {
        title.push_str(&format!("· {hint} "));
    }
    let block = pane_block(app, Pane::Tasks, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let t = &app.theme;
    if shown.is_empty() {
        let msg = match app.tasks.filter {
            TaskFilter::All => "  no task yet".to_string(),
            f => format!("  no {} task (t shows others)", f.label()),
        };
        f.render_widget(Line::styled(msg, t.style(Role::Muted)), inner);
        return;
    }
    let rows_h = inner.height.saturating_sub(1) as usize;
    let sel = app.tasks.selected.min(shown.len() - 1);
    let start = sel.saturating_sub(rows_h.saturating_sub(1));
    let now = Instant::now();
    let rows = shown
        .iter()
        .enumerate()
        .skip(start)
        .take(rows_h)
        .map(|(i, r)| {
            let row = task_row(app, r, now, inner.width >= WIDE);
            if i == sel && app.focus == Pane::Tasks {
                row.style(t.style(Role::Selection))
            } else {
                row
            }
        });
    let wide = inner.width >= WIDE;
    let mut header = vec![
        "Operation",
        "Target",
        "State",
        "Progress",
        "Started",
        "Elapsed",
        "User",
    ];
    // As wide as the longest state shown ("waiting for input" is worth its room).
    let state_w = shown
        .iter()
        .map(|r| state_label(app, r.info.state).chars().count())
        .max()
        .unwrap_or(0)
        .max(10) as u16;
    let mut widths = vec![
        Constraint::Fill(3),
        Constraint::Fill(3),
        Constraint::Length(state_w),
        Constraint::Length(15),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Fill(2),
    ];
    if wide {
        header.push("Endpoint");
        widths.push(Constraint::Fill(2));
    }
    let header = Row::new(header).style(t.style(Role::Muted));
    f.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}

/// From this width on the endpoint has a column too.
const WIDE: u16 = 110;

fn task_row<'a>(app: &'a App, r: &'a TaskRow, now: Instant, wide: bool) -> Row<'a> {
    let t = &app.theme;
    let state = r.info.state;
    let severity = match state {
        TaskState::Success => Severity::Ok,
        TaskState::Error | TaskState::Aborted => Severity::Error,
        // Waiting on a person: someone has to look, so it does not blend in with running.
        TaskState::Canceled | TaskState::WaitingForInput | TaskState::Suspended => Severity::Warn,
        TaskState::Queued | TaskState::Running => Severity::Busy,
    };
    let state_label = state_label(app, state);
    let operation = match (&r.info.error, state) {
        (Some(err), TaskState::Error) => Line::from(vec![
            Span::raw(format!("{} ", r.info.operation)),
            Span::styled(err.clone(), t.style(Role::Error)),
        ]),
        _ => Line::raw(r.info.operation.clone()),
    };
    let target = r
        .info
        .target
        .as_ref()
        .map(|t| t.name.to_string())
        .unwrap_or_default();
    let ep = app.endpoints.get(r.endpoint);
    let endpoint = ep.map(|e| e.label.clone()).unwrap_or_default();
    // The server's word on who started it; ours were started as the endpoint's user.
    let user = r
        .info
        .user
        .clone()
        .or_else(|| {
            r.ours
                .then(|| ep.and_then(|e| e.info.as_ref()).map(|i| i.user.clone()))
                .flatten()
        })
        .unwrap_or_default();
    let started = r
        .info
        .started
        .map(|s| format!("{:02}:{:02}", s.hour(), s.minute()))
        .unwrap_or_default();
    let mut cells = vec![
        Cell::from(operation),
        Cell::from(target),
        Cell::from(Span::styled(state_label, t.severity(severity))),
        Cell::from(Span::styled(
            progress_bar(r.progress()),
            t.severity(severity),
        )),
        Cell::from(Span::styled(started, t.style(Role::Muted))),
        Cell::from(elapsed(r, now, app.now)),
        Cell::from(Span::styled(user, t.style(Role::Muted))),
    ];
    if wide {
        cells.push(Cell::from(Span::styled(endpoint, t.style(Role::Muted))));
    }
    Row::new(cells)
}

/// A moving state spins; one that waits (on a person, or suspended) does not.
fn state_label(app: &App, state: TaskState) -> String {
    match state {
        TaskState::Queued | TaskState::Running => format!("{} {}", app.spinner(), state.label()),
        TaskState::WaitingForInput | TaskState::Suspended => format!("‖ {}", state.label()),
        _ => state.label().to_string(),
    }
}

fn progress_bar(progress: Option<u8>) -> String {
    let Some(pct) = progress else {
        return String::new();
    };
    let filled = (pct as usize * 10).div_ceil(100);
    format!("{}{}{pct:>4}%", "█".repeat(filled), "░".repeat(10 - filled))
}

/// Server times when known (a running one's up to `wall`, the app's clock), else how long
/// vnav has watched it.
fn elapsed(r: &TaskRow, now: Instant, wall: time::OffsetDateTime) -> String {
    let secs = match (r.info.started, r.info.finished) {
        (Some(s), Some(e)) => (e - s).whole_seconds().max(0) as u64,
        (Some(s), None) if !r.info.state.is_terminal() => (wall - s).whole_seconds().max(0) as u64,
        _ => r.ended.unwrap_or(now).duration_since(r.seen).as_secs(),
    };
    if secs >= 3600 {
        format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
    } else if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_bar_fills_by_tenths() {
        assert_eq!(progress_bar(Some(0)), "░░░░░░░░░░   0%");
        assert_eq!(progress_bar(Some(45)), "█████░░░░░  45%");
        assert_eq!(progress_bar(Some(100)), "██████████ 100%");
        assert_eq!(progress_bar(None), "");
    }
}
