//! vnav's own long jobs in the task pane: a listing that arrives in parts (a vCenter list split
//! under its cap, a many-page vCD query) shows as a task with its progress until it completes.
//! Listings that arrive in one go stay out of the pane.

use tokio::time::Instant;

use super::App;
use super::all_snapshots::AllSnapshots;
use super::event::ReqId;
use super::tasks::TaskRow;
use super::tree::{EndpointId, EntryId};
use crate::api::model::{ListProgress, TaskInfo, TaskState, TaskTarget};

fn task_id(req: ReqId) -> String {
    format!("vnav:listing:{req}")
}

impl App {
    /// `endpoint` is the one answering, which for the view across all endpoints is not the
    /// entry's own.
    pub(crate) fn listing_progress(
        &mut self,
        req: ReqId,
        entry: EntryId,
        endpoint: EndpointId,
        p: &ListProgress,
    ) {
        let e = self.tree.get(entry);
        let id = task_id(req);
        let pct = (p.done * 100).checked_div(p.total).unwrap_or(0).min(100) as u8;
        let operation = format!("{}: {}/{}", p.label, p.done, p.total);
        match self.tasks.position(endpoint, &id) {
            Some(i) => {
                let row = &mut self.tasks.rows[i];
                row.info.operation = operation;
                row.info.progress = Some(pct);
                row.progress_seen = Some(pct);
            }
            // Already complete at the first part: not a long job.
            None if p.done >= p.total => {}
            None => {
                let info = TaskInfo {
                    id: id.into(),
                    operation,
                    target: Some(TaskTarget {
                        kind: e.node.kind,
                        id: e.node.id.as_str().into(),
                        name: match AllSnapshots::is_root(&e.node) {
                            true => AllSnapshots::TASK_TARGET.into(),
                            false => e.node.name.as_str().into(),
                        },
                    }),
                    state: TaskState::Running,
                    progress: Some(pct),
                    started: Some(self.now),
                    finished: None,
                    error: None,
                    cancel: None,
                    user: None,
                };
                self.tasks
                    .rows
                    .insert(0, TaskRow::local(endpoint, info, Instant::now()));
                if self.tasks.selected > 0 {
                    self.tasks.selected += 1;
                }
            }
        }
    }

    pub(crate) fn listing_done(&mut self, req: ReqId, endpoint: EndpointId, error: Option<String>) {
        let state = if error.is_some() {
            TaskState::Error
        } else {
            TaskState::Success
        };
        self.listing_ended(req, endpoint, state, error);
    }

    /// A listing nobody waits for any more (refreshed, collapsed): it stops where it was.
    pub(crate) fn listing_canceled(&mut self, req: ReqId, endpoint: EndpointId) {
        self.listing_ended(req, endpoint, TaskState::Canceled, None);
    }

    fn listing_ended(
        &mut self,
        req: ReqId,
        endpoint: EndpointId,
        state: TaskState,
        error: Option<String>,
    ) {
        let Some(i) = self.tasks.position(endpoint, &task_id(req)) else {
            return;
        };
        let row = &mut self.tasks.rows[i];
        row.info.state = state;
        if state == TaskState::Success {
            row.info.progress = Some(100);
        }
        row.info.error = error;
        row.info.finished = Some(self.now);
        row.ended = Some(Instant::now());
    }
}
