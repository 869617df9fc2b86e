//! The task pane: tasks started from vnav plus the endpoints' running and recent tasks, polled
//! with backoff until they finish; a finished task refreshes what it changed.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::api::ApiError;
use crate::api::model::{Details, NodeKind, Severity, TaskInfo, TaskState};

use super::App;
use super::event::{ApiAnswer, Effect, ReqId};
use super::keymap::Command;
use super::layout;
use super::tree::EndpointId;

const POLL_FIRST: Duration = Duration::from_millis(500);
const POLL_MAX: Duration = Duration::from_secs(5);
/// Recent tasks kept in the pane; older finished ones fall off.
const KEEP: usize = 200;

#[derive(Clone, Debug)]
pub struct TaskRow {
    pub endpoint: EndpointId,
    pub info: TaskInfo,
    /// An action started from this vnav session (as opposed to found on the server, or one of
    /// vnav's own listings).
    pub ours: bool,
    pub seen: Instant,
    /// When it reached a terminal state, as seen by vnav.
    pub ended: Option<Instant>,
    /// vnav's own job (a long listing): nothing to poll on the server.
    pub local: bool,
    /// The last progress reported while it ran: servers report 100 for a task that failed or
    /// was canceled, which is not how far it got.
    pub(crate) progress_seen: Option<u8>,
    polls: u32,
}

impl TaskRow {
    /// How far the task got: 100 once it succeeded; for one that ended otherwise, where it
    /// stood when last seen running (None when never seen running and the server says 100).
    pub fn progress(&self) -> Option<u8> {
        let reported = self.info.progress.map(|p| p.min(100));
        match self.info.state {
            TaskState::Success => Some(100),
            TaskState::Error | TaskState::Canceled | TaskState::Aborted => {
                self.progress_seen.or(reported.filter(|&p| p < 100))
            }
            TaskState::Queued
            | TaskState::Running
            | TaskState::WaitingForInput
            | TaskState::Suspended => reported,
        }
    }

    /// Takes in what the server now says about the task (a target it does not name, as an
    /// Orchestrator run's, stays the one known; a task vnav started keeps the words of the
    /// action that started it).
    fn update(&mut self, mut info: TaskInfo) {
        if !info.state.is_terminal() && info.progress.is_some() {
            self.progress_seen = info.progress.map(|p| p.min(100));
        }
        if info.target.is_none() {
            info.target = self.info.target.take();
        }
        if self.ours {
            info.operation = std::mem::take(&mut self.info.operation);
        }
        self.info = info;
    }

    /// What the task does to what, as a toast says it: "Power on web-01", "Run workflow
    /// Restart app tier".
    pub fn what(&self) -> String {
        match &self.info.target {
            Some(t) => format!("{} {}", self.info.operation, t.name),
            None => self.info.operation.clone(),
        }
    }

    pub(crate) fn local(endpoint: EndpointId, info: TaskInfo, now: Instant) -> TaskRow {
        TaskRow {
            endpoint,
            progress_seen: info.progress,
            info,
            ours: false,
            seen: now,
            ended: None,
            local: true,
            polls: 0,
        }
    }
}

/// Which tasks the pane shows; `t` steps through them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskFilter {
    #[default]
    All,
    Running,
    Failed,
    /// Started from this vnav session.
    Mine,
}

impl TaskFilter {
    pub fn label(self) -> &'static str {
        match self {
            TaskFilter::All => "all",
            TaskFilter::Running => "running",
            TaskFilter::Failed => "failed",
            TaskFilter::Mine => "mine",
        }
    }

    fn next(self) -> TaskFilter {
        match self {
            TaskFilter::All => TaskFilter::Running,
            TaskFilter::Running => TaskFilter::Failed,
            TaskFilter::Failed => TaskFilter::Mine,
            TaskFilter::Mine => TaskFilter::All,
        }
    }

    pub fn keeps(self, r: &TaskRow) -> bool {
        match self {
            TaskFilter::All => true,
            TaskFilter::Running => !r.info.state.is_terminal(),
            TaskFilter::Failed => matches!(r.info.state, TaskState::Error | TaskState::Aborted),
            TaskFilter::Mine => r.ours,
        }
    }
}

#[derive(Default)]
pub struct TaskPane {
    /// Newest first.
    pub rows: Vec<TaskRow>,
    pub selected: usize,
    pub filter: TaskFilter,
    polling: HashMap<ReqId, (EndpointId, Box<str>)>,
    /// Re-reads of objects a finished task changed (see `refresh_node`).
    rereads: HashMap<ReqId, Box<str>>,
}

impl TaskPane {
    pub fn any_running(&self) -> bool {
        self.rows.iter().any(|r| !r.info.state.is_terminal())
    }

    /// Rows as shown, honouring the filter.
    pub fn shown(&self) -> Vec<&TaskRow> {
        self.rows.iter().filter(|r| self.filter.keeps(r)).collect()
    }

    pub(crate) fn position(&self, endpoint: EndpointId, id: &str) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.endpoint == endpoint && *r.info.id == *id)
    }

    pub fn running_count(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| !r.info.state.is_terminal())
            .count()
    }
}

fn poll_delay(polls: u32) -> Duration {
    POLL_FIRST.mul_f64(1.6f64.powi(polls as i32)).min(POLL_MAX)
}

impl App {
    pub(crate) fn refresh_recent_tasks(&mut self, endpoint: EndpointId) {
        let req = self.req();
        self.effects.push(Effect::RecentTasks { req, endpoint });
    }

    /// Adds or updates a task row; starts polling it if it is still running.
    pub(crate) fn track_task(&mut self, endpoint: EndpointId, info: TaskInfo, ours: bool) {
        let now = Instant::now();
        let idx = match self.tasks.position(endpoint, &info.id) {
            Some(i) => {
                let row = &mut self.tasks.rows[i];
                // Ours from now: this answer's words are the action's, kept from here on.
                row.update(info);
                row.ours |= ours;
                i
            }
            None => {
                let progress_seen = info.progress.filter(|_| !info.state.is_terminal());
                self.tasks.rows.insert(
                    0,
                    TaskRow {
                        endpoint,
                        info,
                        ours,
                        seen: now,
                        ended: None,
                        local: false,
                        progress_seen,
                        polls: 0,
                    },
                );
                if self.tasks.selected > 0 {
                    self.tasks.selected += 1;
                }
                0
            }
        };
        if !self.tasks.rows[idx].info.state.is_terminal() {
            self.schedule_poll(idx);
        }
        while self.tasks.rows.len() > KEEP {
            match self
                .tasks
                .rows
                .iter()
                .rposition(|r| r.info.state.is_terminal())
            {
                Some(i) => {
                    self.tasks.rows.remove(i);
                }
                None => break,
            }
        }
    }

    fn schedule_poll(&mut self, idx: usize) {
        let row = &self.tasks.rows[idx];
        if row.local {
            return;
        }
        let key = (row.endpoint, row.info.id.clone());
        if self.tasks.polling.values().any(|k| *k == key) {
            return;
        }
        let delay = poll_delay(row.polls);
        let (endpoint, task) = (row.endpoint, row.info.clone());
        let req = self.req();
        self.tasks.polling.insert(req, key);
        self.effects.push(Effect::PollTask {
            req,
            endpoint,
            task,
            delay,
        });
    }

    pub(crate) fn on_task_answer(
        &mut self,
        req: ReqId,
        endpoint: EndpointId,
        answer: ApiAnswer,
    ) -> bool {
        match answer {
            ApiAnswer::RecentTasks(Ok(list)) => {
                // Oldest first so the newest ends on top.
                for info in list.into_iter().rev() {
                    if self.tasks.position(endpoint, &info.id).is_none() {
                        self.track_task(endpoint, info, false);
                    }
                }
                true
            }
            ApiAnswer::RecentTasks(Err(e)) => {
                // Which endpoint's list, with several connected.
                let label = &self.endpoints[endpoint].label;
                self.notify(format!("{label}: task list: {e}"), Severity::Warn);
                true
            }
            ApiAnswer::TaskPolled(result) => self.on_polled(req, result),
            _ => false,
        }
    }

    fn on_polled(&mut self, req: ReqId, result: Result<TaskInfo, ApiError>) -> bool {
        let Some((endpoint, id)) = self.tasks.polling.remove(&req) else {
            return false;
        };
        let Some(idx) = self.tasks.position(endpoint, &id) else {
            return false;
        };
        let row = &mut self.tasks.rows[idx];
        row.polls += 1;
        match result {
            Ok(info) => {
                let was_terminal = row.info.state.is_terminal();
                let asks = info.state == TaskState::WaitingForInput
                    && row.info.state != TaskState::WaitingForInput;
                row.update(info);
                if asks && self.is_answerable(&self.tasks.rows[idx]) {
                    let row = &self.tasks.rows[idx];
                    let text =
                        format!("{}: {}", row.what(), self.answer_hint().unwrap_or_default());
                    self.notify(text, Severity::Warn);
                }
                let row = &mut self.tasks.rows[idx];
                if row.info.state.is_terminal() {
                    if !was_terminal {
                        row.ended = Some(Instant::now());
                        self.task_finished(idx);
                    }
                } else {
                    self.schedule_poll(idx);
                }
            }
            // A failed poll is not a failed task: keep polling, more slowly.
            Err(_) => self.schedule_poll(idx),
        }
        true
    }

    /// A task reached a terminal state: tell the user and refresh what it touched.
    fn task_finished(&mut self, idx: usize) {
        let row = self.tasks.rows[idx].clone();
        let target = row
            .info
            .target
            .as_ref()
            .map(|t| t.name.to_string())
            .unwrap_or_default();
        let (text, severity) = match row.info.state {
            TaskState::Success => (format!("✓ {} {target}", row.info.operation), Severity::Ok),
            TaskState::Error => (
                format!(
                    "✗ {} {target}: {}",
                    row.info.operation,
                    row.info.error.as_deref().unwrap_or("failed")
                ),
                Severity::Error,
            ),
            s => (
                format!("{} {target}: {}", row.info.operation, s.label()),
                Severity::Warn,
            ),
        };
        self.notify(text, severity);
        self.task_ended(row.endpoint, &row.info);
        if let Some(t) = &row.info.target {
            self.refresh_node(row.endpoint, &t.id.clone());
        }
    }

    /// After a task changed a node: re-reads that one object (and the objects its rows sit
    /// in, whose state may follow it: a vApp's from its VMs), not the lists holding them, so
    /// a VM among thousands costs one request. Its own open children (a VM's snapshots, a
    /// vApp's VMs) are listed again, as is the snapshot view when it holds the node.
    pub(crate) fn refresh_node(&mut self, endpoint: EndpointId, node_id: &str) {
        let entries = self.tree.find(endpoint, node_id);
        let mut reread = vec![node_id.to_string()];
        for &e in &entries {
            if let Some(p) = self.tree.get(e).parent() {
                if self.is_all_snapshots(p) {
                    self.refresh_snapshots_of(endpoint);
                } else if !matches!(
                    self.tree.get(p).node.kind,
                    NodeKind::Endpoint | NodeKind::Group
                ) {
                    reread.push(self.tree.get(p).node.id.to_string());
                }
            }
            if self.tree.get(e).node.expandable && self.tree.get(e).expanded {
                self.load_children(e);
            }
        }
        reread.dedup();
        for id in reread {
            self.detail.forget(endpoint, &id);
            let Some(&entry) = self.tree.find(endpoint, &id).first() else {
                continue;
            };
            let node = self.tree.get(entry).node.clone();
            let req = self.req();
            self.tasks.rereads.insert(req, id.into());
            self.effects.push(Effect::Details {
                req,
                endpoint,
                node,
            });
        }
    }

    pub(crate) fn is_reread(&self, req: ReqId) -> bool {
        self.tasks.rereads.contains_key(&req)
    }

    /// A re-read object arrived: its rows take its new state and name, and the detail pane
    /// shows it if it shows that object.
    pub(crate) fn on_reread(
        &mut self,
        req: ReqId,
        endpoint: EndpointId,
        result: Result<Details, ApiError>,
    ) -> bool {
        let Some(id) = self.tasks.rereads.remove(&req) else {
            return false;
        };
        let d = match result {
            Ok(d) => d,
            // Gone (a removed snapshot) or unreadable: the lists holding it say what is left.
            Err(_) => {
                let mut parents: Vec<_> = self
                    .tree
                    .find(endpoint, &id)
                    .into_iter()
                    .filter_map(|e| self.tree.get(e).parent())
                    .filter(|&p| !self.is_all_snapshots(p))
                    .collect();
                parents.sort_unstable();
                parents.dedup();
                for p in parents {
                    self.detail
                        .forget(endpoint, &self.tree.get(p).node.id.as_str());
                    self.load_children(p);
                }
                return true;
            }
        };
        for entry in self.tree.find(endpoint, &id) {
            let n = &mut self.tree.get_mut(entry).node;
            n.status = d.node.status;
            if !d.node.name.is_empty() {
                n.name = d.node.name.clone();
            }
        }
        let shown = self.detail.entry.is_some_and(|e| {
            self.tree.get(e).endpoint() == endpoint && self.tree.get(e).node.id == *id
        });
        if shown {
            // Through the normal path, so the same-VM and path lines are added as usual.
            let req = self.req();
            if let Some(old) = self.detail.take_req() {
                self.abandon(old);
            }
            self.detail.expect(req);
            self.on_details(req, Ok(d));
        }
        true
    }

    pub(crate) fn task_command(&mut self, cmd: Command) -> bool {
        let n = self.tasks.shown().len();
        let last = n.saturating_sub(1);
        let page = layout::inner_height(self.areas().tasks)
            .saturating_sub(1)
            .max(1);
        let s = &mut self.tasks.selected;
        match cmd {
            Command::Down => *s = (*s + 1).min(last),
            Command::Up => *s = s.saturating_sub(1),
            Command::PageDown => *s = (*s + page).min(last),
            Command::PageUp => *s = s.saturating_sub(page),
            Command::Home => *s = 0,
            Command::End => *s = last,
            Command::TaskFilter => {
                self.tasks.filter = self.tasks.filter.next();
                self.tasks.selected = 0;
            }
            Command::Open => return self.open_task(),
            Command::CancelTask => {
                let Some(row) = self.selected_task() else {
                    return false;
                };
                return self.ask_cancel(row.endpoint, row.info);
            }
            Command::AnswerTask => {
                let Some(row) = self.selected_task() else {
                    return false;
                };
                return self.answer_task(&row);
            }
            _ => return false,
        }
        true
    }

    /// Polls a task again soon (after a cancel, say), unless a poll is already on its way.
    pub(crate) fn poll_now(&mut self, endpoint: EndpointId, id: &str) {
        if let Some(idx) = self.tasks.position(endpoint, id) {
            self.tasks.rows[idx].polls = 0;
            self.schedule_poll(idx);
        }
    }

    fn selected_task(&self) -> Option<TaskRow> {
        self.tasks
            .shown()
            .get(self.tasks.selected)
            .map(|r| (*r).clone())
    }

    /// Enter on a task: an Orchestrator run shows in the detail pane (outputs, exception,
    /// logs); another task's failure shows in full, else Enter jumps to its target in the tree.
    fn open_task(&mut self) -> bool {
        let Some(row) = self.selected_task() else {
            return false;
        };
        let product = self.endpoints[row.endpoint]
            .info
            .as_ref()
            .map(|i| i.product);
        if product == Some(crate::api::model::Product::Vro) {
            self.open_run(&row);
            return true;
        }
        if let (TaskState::Error | TaskState::Aborted, Some(err)) =
            (row.info.state, &row.info.error)
        {
            let target = row
                .info
                .target
                .as_ref()
                .map(|t| t.name.to_string())
                .unwrap_or_default();
            self.overlay = Some(super::Overlay::Dialog(super::dialog::Dialog::Message {
                title: format!(
                    "{} {target}: {}",
                    row.info.operation,
                    row.info.state.label()
                ),
                text: err.clone(),
                scroll: 0,
            }));
            return true;
        }
        let Some(target) = &row.info.target else {
            return false;
        };
        match self.tree.find(row.endpoint, &target.id).first() {
            Some(&entry) => {
                self.select_entry(entry);
                self.focus = super::Pane::Tree;
            }
            None => self.notify(
                format!("{} is not loaded in the tree", target.name),
                Severity::Warn,
            ),
        }
        true
    }
}

impl App {
    /// Whether vnav can answer this task: an Orchestrator run waiting for user interaction.
    fn is_answerable(&self, row: &TaskRow) -> bool {
        row.info.state == TaskState::WaitingForInput
            && self.endpoints[row.endpoint]
                .info
                .as_ref()
                .map(|i| i.product)
                == Some(crate::api::model::Product::Vro)
    }

    /// The key(s) in force for a command, as `?` shows them.
    pub(crate) fn key_for(&self, cmd: Command) -> String {
        self.keymap
            .bindings
            .iter()
            .find(|b| b.command == cmd)
            .map(|b| super::keymap::keys_label(&b.keys))
            .unwrap_or_default()
    }

    /// "waiting for your answer: press A", with the key in force, while a shown task asks.
    pub fn answer_hint(&self) -> Option<String> {
        let waiting = self
            .tasks
            .shown()
            .iter()
            .filter(|r| self.is_answerable(r))
            .count();
        if waiting == 0 {
            return None;
        }
        let key = self.key_for(Command::AnswerTask);
        Some(match waiting {
            1 => format!("waiting for your answer: press {key}"),
            n => format!("{n} waiting for your answer: press {key}"),
        })
    }

    /// The answer key on a task: a run waiting for a person is answered with the one form,
    /// built from what its interaction asks (read afresh from its `WorkflowRun` node, which
    /// offers it as a described action), through read-only refusal, confirmation and audit
    /// like Run. The run's row then follows it to its end.
    fn answer_task(&mut self, row: &TaskRow) -> bool {
        if !self.is_answerable(row) {
            let why = match row.info.state {
                TaskState::WaitingForInput => "vnav cannot answer this product's tasks",
                _ => "it is not waiting for an answer",
            };
            self.notify(format!("{}: {why}", row.what()), Severity::Warn);
            return true;
        }
        let entry = self.run_entry(row);
        self.begin_on(
            super::dialog::Intent::Action(crate::api::model::ActionId::Run),
            vec![entry],
        )
    }

    /// A workflow run is read like any node: its `WorkflowRun` entry (the one the tree lists
    /// under its workflow, or one opened there, or under the endpoint when the workflow is not
    /// loaded) is selected and read again now, and the detail pane shows it.
    fn open_run(&mut self, row: &TaskRow) {
        let endpoint = row.endpoint;
        let id = row.info.id.clone();
        let entry = self.run_entry(row);
        // A run moves on: what was read of it before is not what it is now.
        self.detail.forget(endpoint, &id);
        self.select_entry(entry);
        if self.detail.due.take().is_some() {
            self.request_details();
        }
        self.focus = super::Pane::Detail;
    }

    /// The tree entry of the run a task row follows, opened under its workflow (or the
    /// endpoint) when the tree does not list it.
    fn run_entry(&mut self, row: &TaskRow) -> super::tree::EntryId {
        let endpoint = row.endpoint;
        let id = row.info.id.clone();
        match self.tree.find(endpoint, &id).first() {
            Some(&e) => e,
            None => {
                let workflow = row
                    .info
                    .target
                    .as_ref()
                    .and_then(|t| self.tree.find(endpoint, &t.id).first().copied());
                let parent = workflow.unwrap_or(self.endpoints[endpoint].root);
                // Under its workflow a run is named by its start, as the tree lists runs;
                // under the endpoint it says which workflow ran.
                let mut name = match workflow {
                    Some(_) => String::new(),
                    None => row.what(),
                };
                if let Some(s) = row.info.started {
                    name = format!("{name} {}", crate::api::labels::time(s));
                }
                let name = match name.trim() {
                    "" => row.what(),
                    n => n.to_string(),
                };
                let node = crate::api::model::Node::new(NodeKind::WorkflowRun, &*id, name);
                self.tree.open_by_id(parent, node)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_backoff_rises_from_half_a_second_to_five() {
        assert_eq!(poll_delay(0), Duration::from_millis(500));
        assert!(poll_delay(1) > poll_delay(0));
        assert_eq!(poll_delay(20), POLL_MAX);
    }
}
