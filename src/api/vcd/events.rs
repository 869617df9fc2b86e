//! The recent tasks and audit events of one object, newest first, for its details' Events
//! section: the query service's task records filtered on the object's href (`adminTask` for a
//! system administrator, who sees every org's), which is where vCD records each operation, who
//! ran it, when, and how it ended — including the ones vnav started; and, from API 33.0, the
//! cloudapi audit trail filtered on the object's URN (changes that ran no task, logins,
//! settings). An audit event that reports a shown task is left out; an audit trail the user
//! may not read (403: tenants) or the server lacks (404) leaves the task records alone.

use super::VcdBackend;
use super::map;
use super::query::{self, Query};
use super::session::parse_version;
use crate::api::backend::EVENTS_SHOWN;
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{Health, Node, NodeKind, ObjectEvent, TaskState};
use crate::api::xml::Element;

/// The first API version with `/cloudapi/1.0.0/auditTrail` (vCD 10.0).
const AUDIT_TRAIL_FROM: (u32, u32) = (33, 0);

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
        if !entity || !node.id.as_str().starts_with("http") {
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
        let audit = self.audit_events(node);
        let (records, audit) = futures::join!(query::records(&self.session, &q), audit);
        let records = records?;
        let shown: Vec<&str> = records
            .iter()
            .filter_map(|r| r.attr("href"))
            .filter_map(last_segment)
            .collect();
        let mut events: Vec<ObjectEvent> = records.iter().filter_map(task_event).collect();
        events.extend(
            audit
                .iter()
                .filter(|e| {
                    e["taskId"]
                        .as_str()
                        .and_then(last_segment)
                        .is_none_or(|t| !shown.contains(&t))
                })
                .filter_map(audit_event),
        );
        events.sort_by_key(|e| std::cmp::Reverse(e.time));
        events.truncate(EVENTS_SHOWN);
        Ok(events)
    }

    /// The object's newest audit events (`values` of the audit trail), or none where the
    /// server has no audit trail or the user may not read it. Another failure is a row that
    /// says so, not a failed section: the task records are still worth showing.
    async fn audit_events(&self, node: &Node) -> Vec<serde_json::Value> {
        let version = self.session.version().await;
        if parse_version(&version).is_none_or(|v| v < AUDIT_TRAIL_FROM) {
            return Vec::new();
        }
        let Some(urn) = urn_of(node) else {
            return Vec::new();
        };
        let mut url = match url::Url::parse(&self.session.url("/cloudapi/1.0.0/auditTrail")) {
            Ok(u) => u,
            Err(_) => return Vec::new(),
        };
        url.query_pairs_mut()
            .append_pair("filter", &format!("eventEntity.id=={urn}"))
            .append_pair("sortDesc", "timestamp")
            .append_pair("page", "1")
            .append_pair("pageSize", &EVENTS_SHOWN.to_string());
        match self.session.get_json(url.as_str()).await {
            Ok(mut page) => match page["values"].take() {
                serde_json::Value::Array(values) => values,
                _ => Vec::new(),
            },
            Err(ApiError::Server {
                status: 403 | 404, ..
            }) => Vec::new(),
            Err(e) => vec![serde_json::json!({
                "eventType": "audit trail not read",
                "eventStatus": "WARNING",
                "description": e.to_string(),
            })],
        }
    }
}

/// An href's or URN's last part: the id tasks and audit events share (`…/task/<uuid>`,
/// `urn:vcloud:task:<uuid>`).
fn last_segment(s: &str) -> Option<&str> {
    s.rsplit(['/', ':']).next().filter(|t| !t.is_empty())
}

/// The URN of an entity from its href: `…/api/vApp/vm-<uuid>` → `urn:vcloud:vm:<uuid>`.
pub fn urn_of(node: &Node) -> Option<String> {
    let kind = match node.kind {
        NodeKind::Org => "org",
        NodeKind::Vdc => "vdc",
        NodeKind::VApp => "vapp",
        NodeKind::Vm => "vm",
        NodeKind::Catalog => "catalog",
        NodeKind::CatalogItem => "catalogitem",
        NodeKind::VAppTemplate => "vapptemplate",
        NodeKind::Media => "media",
        NodeKind::Network => "network",
        _ => return None,
    };
    let id = node.id.as_str();
    let last = id.trim_end_matches('/').rsplit('/').next()?;
    // `vm-<uuid>`, `vapp-<uuid>` or a bare uuid: the uuid is the last 36 characters.
    let uuid = last.get(last.len().saturating_sub(36)..)?;
    let shape = uuid.len() == 36 && uuid.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    shape.then(|| format!("urn:vcloud:{kind}:{uuid}"))
}

/// An audit trail event as an event: "Power off: failure (audit)" by its user, at its time.
pub fn audit_event(e: &serde_json::Value) -> Option<ObjectEvent> {
    let kind = e["eventType"].as_str()?;
    let what = kind.rsplit('/').next().unwrap_or(kind).replace('_', " ");
    let mut label: String = what.chars().take(1).flat_map(char::to_uppercase).collect();
    label.extend(what.chars().skip(1));
    let status = e["eventStatus"].as_str().unwrap_or("").to_lowercase();
    let mut text = match status.is_empty() {
        true => format!("{label} (audit)"),
        false => format!("{label}: {status} (audit)"),
    };
    if status != "success"
        && let Some(d) = e["description"].as_str().filter(|d| !d.is_empty())
    {
        text.push_str(" — ");
        text.push_str(d);
    }
    Some(ObjectEvent {
        time: e["timestamp"].as_str().and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        }),
        user: e["user"]["name"].as_str().map(str::to_string),
        text,
        health: match status.as_str() {
            "failure" => Some(Health::Red),
            "success" => None,
            _ => Some(Health::Yellow),
        },
    })
}
