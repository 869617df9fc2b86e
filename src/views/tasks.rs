//! The task pane: newest first; operation (short), target, state, progress, started, elapsed,
//! user and endpoint, each in its own column so none is cut into the next.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use tokio::time::Instant;

use crate::api::labels;
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
    let layout = Layout::for_width(inner.width);
    let rows = shown
        .iter()
        .enumerate()
        .skip(start)
        .take(rows_h)
        .map(|(i, r)| {
            let row = task_row(app, r, now, layout);
            if i == sel && app.focus == Pane::Tasks {
                row.style(t.style(Role::Selection))
            } else {
                row
            }
        });
    // As wide as the longest state shown ("waiting for input" is worth its room).
    let state_w = shown
        .iter()
        .map(|r| state_label(app, r.info.state).chars().count())
        .max()
        .unwrap_or(0)
        .max(10) as u16;
    let cols = layout.columns();
    let fixed = |c: &Col| match c {
        Col::State => Some(state_w),
        Col::Progress if layout == Layout::Narrow => Some(4),
        Col::Progress => Some(15),
        Col::Started | Col::Elapsed => Some(7),
        _ => None,
    };
    // The user and endpoint whole (an SSO user is long) while the operation and target keep
    // `MAIN` columns each; else all four share what is left.
    let widest = |text: &dyn Fn(&TaskRow) -> String, head: &str| {
        shown
            .iter()
            .map(|r| text(r).chars().count())
            .max()
            .unwrap_or(0)
            .max(head.len()) as u16
    };
    let user_w = widest(&|r| user_of(app, r), "User");
    let ep_w = widest(&|r| endpoint_of(app, r), "Endpoint");
    let spare = inner
        .width
        .saturating_sub(cols.iter().filter_map(fixed).sum::<u16>())
        .saturating_sub(cols.len() as u16 - 1);
    let whole: u16 = cols
        .iter()
        .map(|c| match c {
            Col::User => user_w,
            Col::Endpoint => ep_w,
            _ => 0,
        })
        .sum();
    let natural = spare >= 2 * MAIN + whole;
    let (header, widths): (Vec<_>, Vec<_>) = cols
        .iter()
        .map(|c| match c {
            Col::Operation => ("Operation", Constraint::Fill(3)),
            Col::Target => ("Target", Constraint::Fill(3)),
            Col::State => ("State", Constraint::Length(state_w)),
            Col::Progress if layout == Layout::Narrow => ("Done", Constraint::Length(4)),
            Col::Progress => ("Progress", Constraint::Length(15)),
            Col::Started => ("Started", Constraint::Length(7)),
            Col::Elapsed => ("Elapsed", Constraint::Length(7)),
            Col::User if natural => ("User", Constraint::Length(user_w)),
            Col::Endpoint if natural => ("Endpoint", Constraint::Length(ep_w)),
            Col::User => ("User", Constraint::Fill(2)),
            Col::Endpoint => ("Endpoint", Constraint::Fill(2)),
        })
        .unzip();
    let header = Row::new(header).style(t.style(Role::Muted));
    f.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}

/// The columns the operation and the target keep before the user and endpoint are cut.
const MAIN: u16 = 24;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Operation,
    Target,
    State,
    Progress,
    Started,
    Elapsed,
    User,
    Endpoint,
}

/// Which columns fit: on a narrow console the operation and its target keep their room and
/// the least needed columns go (user, start time, the bar), rather than every column being
/// cut to a few letters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Narrow,
    Normal,
    Wide,
}

impl Layout {
    fn for_width(width: u16) -> Layout {
        match width {
            0..80 => Layout::Narrow,
            80..110 => Layout::Normal,
            _ => Layout::Wide,
        }
    }

    fn columns(self) -> &'static [Col] {
        use Col::*;
        match self {
            Layout::Narrow => &[Operation, Target, State, Progress, Elapsed],
            Layout::Normal => &[Operation, Target, State, Progress, Started, Elapsed, User],
            Layout::Wide => &[
                Operation, Target, State, Progress, Started, Elapsed, User, Endpoint,
            ],
        }
    }
}

fn task_row<'a>(app: &'a App, r: &'a TaskRow, now: Instant, layout: Layout) -> Row<'a> {
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
    let endpoint = endpoint_of(app, r);
    let user = user_of(app, r);
    let started = r
        .info
        .started
        .map(|s| format!("{:02}:{:02}", s.hour(), s.minute()))
        .unwrap_or_default();
    let progress = match (layout, r.progress()) {
        (Layout::Narrow, Some(pct)) => format!("{pct:>3}%"),
        (Layout::Narrow, None) => String::new(),
        (_, pct) => progress_bar(pct),
    };
    let muted = |text: &str| Cell::from(Span::styled(text.to_string(), t.style(Role::Muted)));
    let cells = layout.columns().iter().map(|c| match c {
        Col::Operation => Cell::from(operation.clone()),
        Col::Target => Cell::from(target.clone()),
        Col::State => Cell::from(Span::styled(state_label.clone(), t.severity(severity))),
        Col::Progress => Cell::from(Span::styled(progress.clone(), t.severity(severity))),
        Col::Started => muted(&started),
        Col::Elapsed => Cell::from(elapsed(r, now, app.now)),
        Col::User => muted(&user),
        Col::Endpoint => muted(&endpoint),
    });
    Row::new(cells)
}

fn endpoint_of(app: &App, r: &TaskRow) -> String {
    app.endpoints
        .get(r.endpoint)
        .map(|e| e.label.clone())
        .unwrap_or_default()
}

/// The server's word on who started it; ours were started as the endpoint's user.
fn user_of(app: &App, r: &TaskRow) -> String {
    let ep = app.endpoints.get(r.endpoint);
    r.info
        .user
        .clone()
        .or_else(|| {
            r.ours
                .then(|| ep.and_then(|e| e.info.as_ref()).map(|i| i.user.clone()))
                .flatten()
        })
        .unwrap_or_default()
}

/// A moving state spins; one that waits (on a person, or suspended) does not. In words, as
/// the other panes write states ("Success", "Waiting for input").
fn state_label(app: &App, state: TaskState) -> String {
    let words = labels::state(state.label());
    match state {
        TaskState::Queued | TaskState::Running => format!("{} {words}", app.spinner()),
        TaskState::WaitingForInput | TaskState::Suspended => format!("‖ {words}"),
        _ => words,
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
