//! An entity's recent events through `EventManager.QueryEvents` (what the vSphere Client's
//! "Monitor › Events" shows): power operations, snapshots, reconfigurations, alarms, and the
//! tasks vnav itself ran, each with who and when. Read the same over SOAP and VI/JSON.

use super::data::Data;
use super::{Chosen, Transport, Vim};
use crate::api::error::ApiResult;
use crate::api::http::Http;
use crate::api::model::{Health, ObjectEvent, parse_time};

/// "VmPoweredOnEvent" → red for failures and errors, yellow for warnings, else nothing.
fn health(type_name: &str, severity: Option<&str>) -> Option<Health> {
    match severity {
        Some("error") => return Some(Health::Red),
        Some("warning") => return Some(Health::Yellow),
        _ => {}
    }
    if type_name.contains("Failed") || type_name.contains("Error") {
        Some(Health::Red)
    } else if type_name.contains("Warning") {
        Some(Health::Yellow)
    } else {
        None
    }
}

/// One vim `Event` in vnav's terms: its full formatted message (the server's own sentence),
/// else its type in words.
pub fn event<D: Data>(e: &D) -> ObjectEvent {
    let kind = e.type_name().unwrap_or_else(|| "Event".into());
    let text = e
        .str("fullFormattedMessage")
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| kind.trim_end_matches("Event").to_string());
    ObjectEvent {
        time: e.str("createdTime").and_then(|t| parse_time(&t)),
        user: e.str("userName").filter(|u| !u.is_empty()),
        text: text.trim().to_string(),
        // `EventEx` says its own severity; the classic events say it in their type.
        health: health(&kind, e.str("severity").as_deref()),
    }
}

impl Vim {
    /// The latest `max` events of the entity (vim type `kind`), newest first.
    pub async fn events(
        &self,
        http: &Http,
        kind: &str,
        moid: &str,
        max: usize,
    ) -> ApiResult<Vec<ObjectEvent>> {
        let mut out: Vec<ObjectEvent> = with_transport!(self, http, |t| {
            let found = t.query_events(kind, moid, max).await?;
            found.iter().map(event).collect::<Vec<_>>()
        });
        out.sort_by_key(|e| std::cmp::Reverse(e.time));
        out.truncate(max);
        Ok(out)
    }
}
