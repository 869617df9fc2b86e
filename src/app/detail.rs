//! The detail pane: which entity it shows, loading it (debounced, so holding `j` does not fire a
//! request per row), a small cache so moving back is instant, scrolling, and the raw toggle.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::api::ApiError;
use crate::api::model::{Details, Link, NodeKind, Severity};

use super::App;
use super::event::{Effect, ReqId};
use super::keymap::Command;
use super::layout;
use super::tree::{EndpointId, EntryId};

const DEBOUNCE: Duration = Duration::from_millis(120);
const CACHE_SIZE: usize = 64;

#[derive(Clone, Debug, Default)]
pub enum DetailState {
    /// Nothing to fetch: endpoints and groups are described from the tree itself.
    #[default]
    Local,
    Loading,
    Loaded(Arc<Details>),
    Failed(String),
}

#[derive(Default)]
pub struct DetailPane {
    pub entry: Option<EntryId>,
    pub state: DetailState,
    pub raw: bool,
    pub scroll: usize,
    pub(crate) due: Option<Instant>,
    req: Option<ReqId>,
    cache: HashMap<(EndpointId, Box<str>), Arc<Details>>,
    order: VecDeque<(EndpointId, Box<str>)>,
}

/// One line of the structured detail view, in display order.
#[derive(Debug, PartialEq, Eq)]
pub enum DetailRow<'a> {
    Title(&'a str),
    Field(&'a str, &'a str),
    Blank,
    Link(&'a Link),
}

/// The structured view of an entity: its sections, then its links.
pub fn detail_rows(d: &Details) -> Vec<DetailRow<'_>> {
    let mut rows = Vec::new();
    for s in &d.sections {
        rows.push(DetailRow::Title(&s.title));
        for (k, v) in &s.rows {
            rows.push(DetailRow::Field(k, v));
        }
        rows.push(DetailRow::Blank);
    }
    if !d.links.is_empty() {
        rows.push(DetailRow::Title("Links"));
        rows.extend(d.links.iter().map(DetailRow::Link));
    }
    rows
}

impl DetailPane {
    pub fn is_loading(&self) -> bool {
        matches!(self.state, DetailState::Loading)
    }

    pub fn toggle_raw(&mut self) {
        self.raw = !self.raw;
        self.scroll = 0;
    }

    /// Drops a cached entity so the next view fetches it again (after a change or refresh).
    pub fn forget(&mut self, endpoint: EndpointId, id: &str) {
        self.cache.remove(&(endpoint, id.into()));
    }

    fn remember(&mut self, endpoint: EndpointId, details: Arc<Details>) {
        let key = (endpoint, details.node.id.clone());
        if self.cache.insert(key.clone(), details).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > CACHE_SIZE {
            if let Some(old) = self.order.pop_front() {
                self.cache.remove(&old);
            }
        }
    }

    /// Lines the pane currently has, for clamping the scroll.
    pub fn line_count(&self) -> usize {
        match &self.state {
            DetailState::Loaded(d) if self.raw => d.raw.text.lines().count(),
            DetailState::Loaded(d) => detail_rows(d).len(),
            _ => 0,
        }
    }
}

impl App {
    /// Called whenever the selected entry changes: show what we have, fetch the rest shortly.
    pub(crate) fn selection_changed(&mut self) {
        self.detail.entry = self.selected;
        self.detail.scroll = 0;
        self.detail.req = None;
        self.detail.due = None;
        let Some(id) = self.selected else {
            self.detail.state = DetailState::Local;
            return;
        };
        let e = self.tree.get(id);
        if matches!(e.node.kind, NodeKind::Endpoint | NodeKind::Group) {
            self.detail.state = DetailState::Local;
            return;
        }
        match self.detail.cache.get(&(e.endpoint, e.node.id.clone())) {
            Some(d) => self.detail.state = DetailState::Loaded(d.clone()),
            None => {
                self.detail.state = DetailState::Loading;
                self.detail.due = Some(Instant::now() + DEBOUNCE);
            }
        }
    }

    pub(crate) fn request_details(&mut self) {
        let Some(id) = self.detail.entry else { return };
        let e = self.tree.get(id);
        let (endpoint, node) = (e.endpoint, e.node.clone());
        let req = self.req();
        self.detail.req = Some(req);
        self.detail.state = DetailState::Loading;
        self.effects.push(Effect::Details {
            req,
            endpoint,
            node,
        });
    }

    pub(crate) fn on_details(&mut self, req: ReqId, result: Result<Details, ApiError>) -> bool {
        if self.detail.req != Some(req) {
            return false;
        }
        let Some(id) = self.detail.entry else {
            return false;
        };
        self.detail.req = None;
        match result {
            Ok(mut d) => {
                let endpoint = self.tree.get(id).endpoint;
                self.learn_link(endpoint, &d.node);
                self.add_same_vm_line(endpoint, &mut d);
                // The fresh read may show a new power state or name: update the tree row too.
                // Not its summary: the list that made the row chose it (a snapshot view shows
                // age and size there, not CPU and memory).
                let e = self.tree.get_mut(id);
                if d.node.id == e.node.id {
                    e.node.status = d.node.status.clone();
                    if !d.node.name.is_empty() {
                        e.node.name = d.node.name.clone();
                    }
                    if d.node.backing.is_some() {
                        e.node.backing = d.node.backing.clone();
                    }
                }
                let d = Arc::new(d);
                self.detail.remember(endpoint, d.clone());
                self.detail.state = DetailState::Loaded(d);
            }
            Err(e) => {
                self.notify(format!("details: {e}"), Severity::Error);
                self.detail.state = DetailState::Failed(e.to_string());
            }
        }
        true
    }

    pub(crate) fn detail_command(&mut self, cmd: Command) -> bool {
        let (w, h) = self.size;
        let areas = layout::areas(ratatui::layout::Rect::new(0, 0, w, h));
        let page = layout::inner_height(areas.detail).max(1);
        let max = self.detail.line_count().saturating_sub(page);
        let s = &mut self.detail.scroll;
        *s = match cmd {
            Command::Down => (*s + 1).min(max),
            Command::Up => s.saturating_sub(1),
            Command::PageDown => (*s + page).min(max),
            Command::PageUp => s.saturating_sub(page),
            Command::Home => 0,
            Command::End => max,
            _ => return false,
        };
        true
    }
}
