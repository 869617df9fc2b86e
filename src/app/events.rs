//! The "Events" section of the detail pane: the shown object's recent tasks and events
//! (`Backend::events`), read once its details arrive, in a request of its own so the rest of
//! the details never wait for it. While it is read the section says so (or keeps the events
//! an earlier read of the same object showed); a failure shows in the section; a product that
//! records no events gets no section.

use std::sync::Arc;

use time::OffsetDateTime;

use super::App;
use super::detail::DetailState;
use super::event::{Effect, ReqId};
use super::tree::EndpointId;
use crate::api::ApiError;
use crate::api::model::{Details, Node, ObjectEvent, Section, Table, TableRow};

pub const TITLE: &str = "Events";
const READING: &str = "reading…";

/// The section while its events are being read.
fn reading() -> Section {
    let mut s = Section::new(TITLE);
    s.row("", READING);
    s
}

/// Whether `d`'s Events section still waits for an answer (a cached copy whose read was
/// abandoned when the selection moved on).
pub fn pending(d: &Details) -> bool {
    d.sections
        .iter()
        .any(|s| s.title == TITLE && s.rows.iter().any(|(_, v)| v == READING))
}

/// A time in the events' column (no zone suffix, so the column stays narrow), or "–".
fn when(t: Option<OffsetDateTime>) -> String {
    t.map_or_else(|| "–".to_string(), crate::api::labels::time)
}

/// The events as a table, newest first whatever order the server sent.
pub fn section(mut events: Vec<ObjectEvent>) -> Section {
    let mut s = Section::new(TITLE);
    if events.is_empty() {
        s.row("", "No events recorded.");
        return s;
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.time));
    s.table = Some(Table {
        columns: vec!["Time (UTC)".into(), "User".into(), "What".into()],
        rows: events
            .into_iter()
            .map(|e| TableRow {
                cells: vec![when(e.time), e.user.unwrap_or_else(|| "–".into()), e.text],
                health: e.health,
                target: None,
            })
            .collect(),
    });
    s
}

impl App {
    /// Details of `node` arrived: read its events. The section keeps what an earlier read
    /// of the same object showed until the answer comes, else says it is reading.
    pub(crate) fn ask_events(&mut self, endpoint: EndpointId, node: &Node, d: &mut Details) {
        let before = match &self.detail.state {
            DetailState::Loaded(old) if old.node.id == node.id => old
                .sections
                .iter()
                .find(|s| s.title == TITLE)
                .cloned()
                .filter(|s| s.table.is_some()),
            _ => None,
        };
        d.sections.retain(|s| s.title != TITLE);
        d.sections.push(before.unwrap_or_else(reading));
        let req = self.req();
        if let Some((old, ..)) =
            self.detail
                .events
                .replace((req, endpoint, node.id.as_str().into()))
        {
            self.abandon(old);
        }
        self.effects.push(Effect::Events {
            req,
            endpoint,
            node: node.clone(),
        });
    }

    /// Stops waiting for the events of an object no longer shown.
    pub(crate) fn drop_events(&mut self) {
        if let Some((old, ..)) = self.detail.events.take() {
            self.abandon(old);
        }
    }

    pub(crate) fn on_events(
        &mut self,
        req: ReqId,
        result: Result<Vec<ObjectEvent>, ApiError>,
    ) -> bool {
        let Some((_, endpoint, id)) = self.detail.events.take_if(|(r, ..)| *r == req) else {
            return false;
        };
        let DetailState::Loaded(d) = &self.detail.state else {
            return false;
        };
        if d.node.id != id {
            return false;
        }
        let mut d = (**d).clone();
        let at = d.sections.iter().position(|s| s.title == TITLE);
        let fresh = match result {
            Ok(list) => Some(section(list)),
            Err(ApiError::Unsupported(_)) => None,
            Err(e) => {
                let mut s = Section::new(TITLE);
                s.row("Error", format!("✗ {e}"));
                Some(s)
            }
        };
        match (at, fresh) {
            (Some(i), Some(s)) => d.sections[i] = s,
            (None, Some(s)) => d.sections.push(s),
            (Some(i), None) => {
                d.sections.remove(i);
            }
            (None, None) => {}
        }
        let d = Arc::new(d);
        self.detail.remember(endpoint, d.clone());
        self.detail.state = DetailState::Loaded(d);
        true
    }
}
