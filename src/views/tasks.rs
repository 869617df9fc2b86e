//! The task pane: newest first; operation (short), target, state, progress, started, elapsed,
//! user and endpoint, each in its own column so none is cut into the next; the target, then
//! who and where keep their whole text as the width shrinks, at the cost of the less needed
//! columns (`Fit`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use tokio::time::Instant;
use unicode_width::UnicodeWidthStr;

use crate::api::labels;
use crate::api::model::{Severity, TaskState};
use crate::app::{App, Pane, TaskFilter, TaskRow};
use crate::theme::Role;

use super::pane_block;
use super::table::cell;

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
    // As wide as the longest state shown ("waiting for input" is worth its room).
    let state_w = shown
        .iter()
        .map(|r| state_label(app, r.info.state).chars().count())
        .max()
        .unwrap_or(0)
        .max(10) as u16;
    let fit = Fit::choose(app, &shown, inner.width, state_w);
    let rows = shown
        .iter()
        .enumerate()
        .skip(start)
        .take(rows_h)
        .map(|(i, r)| {
            let row = task_row(app, r, now, &fit);
            if i == sel && app.focus == Pane::Tasks {
                row.style(t.style(Role::Selection))
            } else {
                row
            }
        });
    let has_who = (fit.cols.iter()).any(|c| matches!(c, Col::User | Col::Endpoint));
    let (header, widths): (Vec<_>, Vec<_>) = fit
        .cols
        .iter()
        .map(|c| {
            let head = match c {
                Col::Progress if !fit.bar => "Done",
                c => c.head(),
            };
            let width = match (c, fit.whole_who, fit.target_w) {
                // The target whole; the operation what is left (all of it, when who started
                // it and where read whole too; else `MAIN`, and they share the rest).
                (Col::Target, _, Some(w)) => Constraint::Length(w),
                (Col::Operation, false, Some(_)) if has_who => Constraint::Length(fit.op_w),
                (Col::Operation, _, Some(_)) => Constraint::Fill(1),
                (Col::Operation | Col::Target, _, None) => Constraint::Fill(3),
                (Col::User, true, _) => Constraint::Length(fit.user_w),
                (Col::Endpoint, true, _) => Constraint::Length(fit.ep_w),
                (Col::User | Col::Endpoint, false, _) => Constraint::Fill(2),
                (c, _, _) => Constraint::Length(fit.fixed(*c)),
            };
            (head, width)
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
/// What the operation gives way to, for the target to read whole where nothing else can give
/// (80 columns: no user nor endpoint column): an operation's words are few and known ("Shut
/// down guest"), the VM it is about is not.
const OP_MIN: u16 = 16;

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

impl Col {
    fn head(self) -> &'static str {
        match self {
            Col::Operation => "Operation",
            Col::Target => "Target",
            Col::State => "State",
            Col::Progress => "Progress",
            Col::Started => "Started",
            Col::Elapsed => "Elapsed",
            Col::User => "User",
            Col::Endpoint => "Endpoint",
        }
    }
}

/// Which columns a width starts from: on a narrow console the operation and its target keep
/// their room and the least needed columns go (user, start time, the bar), rather than every
/// column being cut to a few letters. With one endpoint connected no row needs to say which
/// (the status bar does).
fn base_columns(width: u16, endpoints: usize) -> Vec<Col> {
    use Col::*;
    let cols: &[Col] = match width {
        0..80 => &[Operation, Target, State, Progress, Elapsed],
        80..110 => &[Operation, Target, State, Progress, Started, Elapsed, User],
        _ => &[
            Operation, Target, State, Progress, Started, Elapsed, User, Endpoint,
        ],
    };
    cols.iter()
        .copied()
        .filter(|c| *c != Endpoint || endpoints > 1)
        .collect()
}

/// The least room the user and the endpoint are cut to, each, for the target to read whole.
const WHO_MIN: u16 = 8;

/// How the columns share the pane. The target is what an operator reads: it reads whole (as
/// wide as the longest shown, at least `MAIN`) while the operation keeps `MAIN`, and so do
/// who started a task and where; to get there, step by step: the user
/// loses a domain that is the endpoint's own login's (`administrator@vsphere.local` and
/// `VSPHERE.LOCAL\Administrator` on a vCenter logged in as `administrator@vsphere.local`) and
/// an endpoint named by its host name loses the domain ("vcsa-01"); then the bar gives way to
/// its percentage; then the start time goes (the elapsed time stays). Only past all that do
/// the user and endpoint share what is left and get cut (the target still whole while they
/// keep `WHO_MIN` each; past that, the operation gives way down to `OP_MIN`; past that, the
/// four share the room).
struct Fit {
    cols: Vec<Col>,
    short: bool,
    bar: bool,
    /// The user and endpoint columns as wide as their longest text.
    whole_who: bool,
    /// The target column's width when it reads whole (or nearly, the operation cut to
    /// `OP_MIN`); None: it shares the room.
    target_w: Option<u16>,
    /// The operation's width beside a target of `target_w` and who started it: `MAIN`, less
    /// when it gave way.
    op_w: u16,
    user_w: u16,
    ep_w: u16,
    state_w: u16,
    /// Each endpoint's tag, said after the target where no Endpoint column fits and several
    /// are open ("app-06 · vC": a vCD VM's task and its vCenter twin's read apart).
    tags: Vec<String>,
}

impl Fit {
    fn choose(app: &App, shown: &[&TaskRow], width: u16, state_w: u16) -> Fit {
        let base = base_columns(width, app.endpoints.len());
        let narrow = !base.contains(&Col::Started);
        let widest = |text: &dyn Fn(&TaskRow) -> String, head: &str| {
            shown
                .iter()
                .map(|r| text(r).chars().count())
                .max()
                .unwrap_or(0)
                .max(head.len()) as u16
        };
        // (short names, the bar, the start time), most whole first.
        let steps = [
            (false, !narrow, true),
            (true, !narrow, true),
            (true, false, true),
            (true, false, false),
        ];
        // The target as drawn, with the endpoint's tag after it where no column says it.
        let tags = app.every_endpoint_tag();
        let tagged = app.endpoints.len() > 1 && !base.contains(&Col::Endpoint);
        let target_w = (shown.iter())
            .map(|r| {
                let name = r.info.target.as_ref().map_or(0, |t| t.name.chars().count());
                let tag = tags.get(r.endpoint).filter(|_| tagged);
                name + tag.map_or(0, |t| 3 + t.chars().count())
            })
            .max()
            .unwrap_or(0)
            .min(usize::from(u16::MAX)) as u16;
        // Short targets ("Snapshots · vCD") leave the operation the rest.
        let target_w = target_w.max(Col::Target.head().len() as u16);
        let mut last = None;
        for (short, bar, started) in steps {
            let cols: Vec<Col> = base
                .iter()
                .copied()
                .filter(|c| started || *c != Col::Started)
                .collect();
            let mut fit = Fit {
                short,
                bar,
                whole_who: false,
                target_w: None,
                op_w: MAIN,
                user_w: widest(&|r| user_of(app, r, short), "User"),
                ep_w: widest(&|r| endpoint_of(app, r, short), "Endpoint"),
                state_w,
                cols,
                tags: vec![],
            };
            let taken: u16 =
                fit.cols.iter().map(|c| fit.fixed(*c)).sum::<u16>() + fit.cols.len() as u16 - 1;
            if width.saturating_sub(taken) >= MAIN + target_w {
                fit.whole_who = true;
                fit.target_w = Some(target_w);
                return fit.tagged(app);
            }
            last = Some((fit, taken));
        }
        let (mut fit, taken) = last.expect("four steps");
        // The user and endpoint give way to the target, down to `WHO_MIN` each.
        let who: Vec<u16> = (fit.cols.iter())
            .filter(|c| matches!(c, Col::User | Col::Endpoint))
            .map(|c| fit.fixed(*c))
            .collect();
        let room = width.saturating_sub(taken) + who.iter().sum::<u16>();
        let who_min: u16 = who.iter().map(|w| (*w).min(WHO_MIN)).sum();
        if room >= MAIN + target_w + who_min {
            fit.target_w = Some(target_w);
        } else if room >= OP_MIN + MAIN + who_min {
            let target_w = target_w.min(room - OP_MIN - who_min);
            fit.op_w = room - who_min - target_w;
            fit.target_w = Some(target_w);
        }
        fit.tagged(app)
    }

    fn tagged(mut self, app: &App) -> Fit {
        if app.endpoints.len() > 1 && !self.cols.contains(&Col::Endpoint) {
            self.tags = app.every_endpoint_tag();
        }
        self
    }

    /// The width a column takes whatever the rest: the user and endpoint at their whole text
    /// (counted against `MAIN`), the operation and target none (they share what is left).
    fn fixed(&self, c: Col) -> u16 {
        match c {
            Col::State => self.state_w,
            Col::Progress if self.bar => 15,
            Col::Progress => 4,
            Col::Started | Col::Elapsed => 7,
            Col::User => self.user_w,
            Col::Endpoint => self.ep_w,
            Col::Operation | Col::Target => 0,
        }
    }
}

fn task_row<'a>(app: &'a App, r: &'a TaskRow, now: Instant, fit: &Fit) -> Row<'a> {
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
    // Where a column is known narrower than its text, the text says it was cut ("listing
    // VMs: 200/200" cut bare read "listing VMs: 200").
    let cut = |text: &str, w: Option<u16>| match w {
        Some(w) if text.width() > usize::from(w) => cell(text, w).trim_end().to_string(),
        _ => text.to_string(),
    };
    let op_w = (fit.op_w < MAIN).then_some(fit.op_w);
    let operation = match (&r.info.error, state) {
        (Some(err), TaskState::Error) => {
            let op = format!("{} ", r.info.operation);
            let left = op_w.map(|w| w.saturating_sub(op.width() as u16));
            match left {
                Some(0) => Line::raw(cut(&op, op_w)),
                _ => Line::from(vec![
                    Span::raw(op),
                    Span::styled(cut(err, left), t.style(Role::Error)),
                ]),
            }
        }
        _ => Line::raw(cut(&r.info.operation, op_w)),
    };
    let mut target = r
        .info
        .target
        .as_ref()
        .map(|t| t.name.to_string())
        .unwrap_or_default();
    if let Some(tag) = fit.tags.get(r.endpoint) {
        target = format!("{target} · {tag}");
    }
    let target = cut(&target, fit.target_w);
    let endpoint = endpoint_of(app, r, fit.short);
    let user = user_of(app, r, fit.short);
    let started = r
        .info
        .started
        .map(|s| format!("{:02}:{:02}", s.hour(), s.minute()))
        .unwrap_or_default();
    let progress = match (fit.bar, r.progress()) {
        (false, Some(pct)) => format!("{pct:>3}%"),
        (false, None) => String::new(),
        (true, pct) => progress_bar(pct),
    };
    let muted = |text: &str| Cell::from(Span::styled(text.to_string(), t.style(Role::Muted)));
    let cells = fit.cols.iter().map(|c| match c {
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

fn endpoint_of(app: &App, r: &TaskRow, short: bool) -> String {
    let label = app.endpoints.get(r.endpoint).map_or("", |e| &e.label);
    match short {
        true => short_host(label).to_string(),
        false => label.to_string(),
    }
}

/// The server's word on who started it; ours were started as the endpoint's user.
fn user_of(app: &App, r: &TaskRow, short: bool) -> String {
    let own = app
        .endpoints
        .get(r.endpoint)
        .and_then(|e| e.info.as_ref())
        .map(|i| i.user.as_str());
    let user = r
        .info
        .user
        .as_deref()
        .or(own.filter(|_| r.ours))
        .unwrap_or_default();
    match (short, own) {
        (true, Some(own)) => short_user(user, own).to_string(),
        _ => user.to_string(),
    }
}

/// `user` without its domain when that is the domain `own` (the endpoint's login) has:
/// `name@domain` or `DOMAIN\name`, the domain compared without case (vCenter's tasks say
/// `VSPHERE.LOCAL\Administrator` for `administrator@vsphere.local`). Another domain is kept:
/// it is the news.
fn short_user<'a>(user: &'a str, own: &str) -> &'a str {
    let split = |u: &'a str| -> Option<(&'a str, &'a str)> {
        match u.split_once('\\') {
            Some((domain, name)) => Some((name, domain)),
            None => u.rsplit_once('@'),
        }
    };
    let own_domain = match own.split_once('\\') {
        Some((domain, _)) => Some(domain),
        None => own.rsplit_once('@').map(|(_, d)| d),
    };
    match (split(user), own_domain) {
        (Some((name, domain)), Some(own))
            if !name.is_empty() && domain.eq_ignore_ascii_case(own) =>
        {
            name
        }
        _ => user,
    }
}

/// A host name's first label ("vcsa-01" of "vcsa-01.corp.example.com"); a context's own name
/// (it has a space, or no dot) and an IP address are kept whole.
fn short_host(label: &str) -> &str {
    let is_host = !label.contains(char::is_whitespace)
        && label.parse::<std::net::IpAddr>().is_err()
        && !label.starts_with('.');
    match label.split_once('.') {
        Some((first, _)) if is_host && !first.is_empty() => first,
        _ => label,
    }
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

    #[test]
    fn a_user_loses_only_the_endpoints_own_domain() {
        let own = "administrator@vsphere.local";
        assert_eq!(
            short_user("administrator@vsphere.local", own),
            "administrator"
        );
        assert_eq!(
            short_user("VSPHERE.LOCAL\\Administrator", own),
            "Administrator"
        );
        assert_eq!(
            short_user("VSPHERE.LOCAL\\svc-backup", "VSPHERE.LOCAL\\x"),
            "svc-backup"
        );
        assert_eq!(short_user("alice@corp.example", own), "alice@corp.example");
        assert_eq!(short_user("CORP\\alice", own), "CORP\\alice");
        assert_eq!(short_user("admin", "admin@System"), "admin");
        assert_eq!(short_user("@vsphere.local", own), "@vsphere.local");
    }

    #[test]
    fn a_host_name_keeps_its_first_label() {
        assert_eq!(short_host("vcsa-01.corp.example.com"), "vcsa-01");
        assert_eq!(short_host("10.0.0.12"), "10.0.0.12");
        assert_eq!(short_host("demo vCenter"), "demo vCenter");
        assert_eq!(short_host("prod"), "prod");
    }
}
