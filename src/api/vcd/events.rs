//! The recent tasks of one object, newest first, for its details' Events section: the query
//! service's task records filtered on the object's href (`adminTask` for a system
//! administrator, who sees every org's), which is where vCD records each operation, who ran
//! it, when, and how it ended — including the ones vnav started.

use super::VcdBackend;
use super::map;
use super::query::{self, Query};
use crate::api::backend::EVENTS_SHOWN;
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{Health, Node, NodeKind, ObjectEvent, TaskState};
use crate::api::xml::Element;

/// A task record as an event: "Power off: success", "Create snapshot: error — why".
pub fn task_event(r: &Element) -> Option<ObjectEvent> {
    let t = map::task_record(r)?;
    let mut text = format!("{}: {}", t.operation, t.state.label());
    if let Some(why) = &t.error {
        text.push_str(" — ");
        text.push_str(why);
    }
    Some(ObjectEvent {
        time: t.started,
        user: t.user,
        text,
        health: match t.state {
            TaskState::Error => Some(Health::Red),
            TaskState::Canceled | TaskState::Aborted => Some(Health::Yellow),
            _ => None,
        },
    })
}

impl VcdBackend {
    pub(super) async fn object_events(&self, node: &Node) -> ApiResult<Vec<ObjectEvent>> {
        // The entities tasks run on; a snapshot's are its VM's, a group is no entity.
        let entity = matches!(
            node.kind,
            NodeKind::Org
                | NodeKind::Vdc
                | NodeKind::VApp
                | NodeKind::Vm
                | NodeKind::Catalog
                | NodeKind::CatalogItem
                | NodeKind::VAppTemplate
                | NodeKind::Media
                | NodeKind::Network
        );
        if !entity || !node.id.starts_with("http") {
            return Err(ApiError::Unsupported("no object to list events of".into()));
        }
        let kind = if self.info.read().await.is_system() {
            "adminTask"
        } else {
            "task"
        };
        let mut q = Query::new(kind).filter(format!("object=={}", node.id));
        q.sort_asc = None;
        q.sort_desc = Some("startDate".into());
        q.page_size = EVENTS_SHOWN as u32;
        let records = query::records(&self.session, &q).await?;
        Ok(records.iter().filter_map(task_event).collect())
    }
}
