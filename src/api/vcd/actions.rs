//! Invoking actions safely: the request bodies actions need, and what to do when the answer to
//! a POST is lost — look for the task it created instead of sending it again.

use super::query::{self, Query};
use super::{NS, VcdBackend, map};
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{ActionId, ActionParams, TaskInfo};
use crate::api::xml::Element;

impl VcdBackend {
    /// Hrefs of the tasks recorded on an object, newest first.
    pub(super) async fn tasks_of(&self, object: &str) -> ApiResult<Vec<Element>> {
        let mut q = Query::new("task").filter(format!("object=={object}"));
        q.sort_asc = None;
        q.sort_desc = Some("startDate".into());
        query::records(&self.session, &q).await
    }

    /// After an ambiguous failure: the task the action created, if the server shows one that
    /// was not there before; otherwise the original error, saying the outcome is unknown.
    pub(super) async fn find_started(
        &self,
        object: &str,
        before: Option<Vec<Element>>,
        error: ApiError,
    ) -> ApiResult<TaskInfo> {
        let unknown = |why: &str| {
            ApiError::Transport(format!(
                "{error}; {why} — check the task list before trying again"
            ))
        };
        let Some(before) = before else {
            return Err(unknown("whether the action started is unknown"));
        };
        let known: Vec<&str> = before.iter().filter_map(|r| r.attr("href")).collect();
        let after = match self.tasks_of(object).await {
            Ok(after) => after,
            Err(_) => return Err(unknown("whether the action started is unknown")),
        };
        let started = after
            .iter()
            .find(|r| r.attr("href").is_some_and(|h| !known.contains(&h)));
        match started.and_then(map::task_record) {
            Some(record) => {
                tracing::info!(target: "vnav::vcd", "answer lost, but the action started: following its task");
                // The record lacks progress and cancel links: read the task itself.
                self.session
                    .get(&record.id)
                    .await
                    .map(|doc| map::task(&doc.root))
                    .or(Ok(record))
            }
            None => Err(unknown(
                "the server shows no new task, so it probably did not start",
            )),
        }
    }
}

/// The request body an action needs, with its media type.
pub(super) fn body(id: ActionId, params: &ActionParams) -> Option<(&'static str, String)> {
    match (id, params) {
        (ActionId::Deploy, _) => Some((
            "application/vnd.vmware.vcloud.deployVAppParams+xml",
            format!(r#"<DeployVAppParams xmlns="{NS}" powerOn="true"/>"#),
        )),
        (ActionId::Undeploy, _) => Some((
            "application/vnd.vmware.vcloud.undeployVAppParams+xml",
            format!(
                r#"<UndeployVAppParams xmlns="{NS}"><UndeployPowerAction>powerOff</UndeployPowerAction></UndeployVAppParams>"#
            ),
        )),
        (
            ActionId::SnapshotCreate,
            ActionParams::Snapshot {
                name,
                description,
                memory,
                quiesce,
            },
        ) => Some((
            "application/vnd.vmware.vcloud.createSnapshotParams+xml",
            format!(
                r#"<CreateSnapshotParams xmlns="{NS}" name="{}" memory="{memory}" quiesce="{quiesce}"><Description>{}</Description></CreateSnapshotParams>"#,
                escape(name),
                escape(description)
            ),
        )),
        _ => None,
    }
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}
