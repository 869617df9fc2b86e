//! Power actions through the REST API, and what to do when the answer to one is lost: read the
//! power state instead of sending it again. (Snapshot actions go through vim: `snapshots.rs`.)

use time::OffsetDateTime;

use super::{VcenterBackend, map};
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{ActionId, ActionOffer, Node, TaskInfo, TaskState, TaskTarget};

impl VcenterBackend {
    /// Power calls are synchronous: the task they return has already ended.
    pub(super) async fn power_invoke(
        &self,
        node: &Node,
        action: &ActionOffer,
    ) -> ApiResult<TaskInfo> {
        let dialect = self.session.dialect().await;
        let vm = map::moid(&action.href);
        let (path, label) = match action.id {
            ActionId::PowerOn => (dialect.power(vm, "start"), "Power on"),
            ActionId::PowerOff => (dialect.power(vm, "stop"), "Power off"),
            ActionId::Suspend => (dialect.power(vm, "suspend"), "Suspend"),
            ActionId::Reset => (dialect.power(vm, "reset"), "Reset"),
            ActionId::Shutdown => (dialect.guest_power(vm, "shutdown"), "Shut down guest"),
            ActionId::Reboot => (dialect.guest_power(vm, "reboot"), "Reboot guest"),
            ActionId::Standby => (dialect.guest_power(vm, "standby"), "Standby guest"),
            other => {
                return Err(ApiError::Unsupported(format!(
                    "{other:?} is not available through the vCenter REST API"
                )));
            }
        };
        let started = OffsetDateTime::now_utc();
        if let Err(e) = self.session.post(&path, None).await {
            self.settle_lost_answer(vm, action.id, e).await?;
        }
        // Power calls are synchronous: by the time they answer, the work is done.
        Ok(TaskInfo {
            id: format!("vnav:{}:{}", action.href, started.unix_timestamp_nanos()).into(),
            // The target has its own column in the task pane.
            operation: label.to_string(),
            target: Some(TaskTarget {
                kind: node.kind,
                id: node.id.as_str().into(),
                name: node.name.as_str().into(),
            }),
            state: TaskState::Success,
            progress: Some(100),
            started: Some(started),
            finished: Some(OffsetDateTime::now_utc()),
            error: None,
            user: None,
            cancel: None,
        })
    }

    /// A power call whose answer was lost may still have happened: read the power state
    /// instead of sending it again. Ok when the VM is where the action takes it.
    async fn settle_lost_answer(&self, vm: &str, action: ActionId, e: ApiError) -> ApiResult<()> {
        let target = match action {
            ActionId::PowerOn => "POWERED_ON",
            ActionId::PowerOff | ActionId::Shutdown => "POWERED_OFF",
            ActionId::Suspend | ActionId::Standby => "SUSPENDED",
            _ => return Err(e),
        };
        if !e.answer_lost() {
            return Err(e);
        }
        let d = self.session.dialect().await;
        match self
            .session
            .get(&d.path(&format!("vcenter/vm/{vm}/power")))
            .await
        {
            Ok((v, _)) if v["state"].as_str() == Some(target) => {
                tracing::info!(target: "vnav::vcenter", "answer lost, but the VM is {target}");
                Ok(())
            }
            Ok(_) => Err(ApiError::Transport(format!(
                "{e}; the VM is not {target}, so the action did not take effect (yet) — check before trying again"
            ))),
            Err(_) => Err(ApiError::Transport(format!(
                "{e}; whether the action happened is unknown — check the VM before trying again"
            ))),
        }
    }
}
