//! The detail pane: which entity it shows, loading it (debounced, so holding `j` does not fire a
//! request per row), a small cache so moving back is instant, scrolling, and the raw toggle.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::api::ApiError;
use crate::api::model::{Details, Link, NodeKind, Severity};

use super::App;
use super::event::{Effect, ReqId};
use super::keymap::Command;
use super::layout;
use super::tree::{EndpointId, EntryId, Load};

const DEBOUNCE: Duration = Duration::from_millis(120);
/// A read waiting longer than this shows how long (a stalled server, not a slow screen).
const SAY_WAITED_AFTER: Duration = Duration::from_secs(2);
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
    /// When the read in flight went out.
    since: Option<Instant>,
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

/// One line of what the pane says about an endpoint or a group, known without asking a server.
#[derive(Debug, PartialEq, Eq)]
pub enum LocalRow {
    Title(&'static str),
    Field(String, String),
    Warn(&'static str),
    Blank,
}

/// Word-wraps `text` to `width` columns; a word longer than a line is broken where it must be.
/// The detail pane draws these lines and scrolls by them, so both agree on the count.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let (mut line, mut w) = (String::new(), 0);
        for word in para.split_whitespace() {
            let ww = word.width();
            if w > 0 && w + 1 + ww > width {
                out.push(std::mem::take(&mut line));
                w = 0;
            }
            if w > 0 {
                line.push(' ');
                w += 1;
            }
            for ch in word.chars() {
                let cw = ch.width().unwrap_or(0);
                if w > 0 && w + cw > width {
                    out.push(std::mem::take(&mut line));
                    w = 0;
                }
                line.push(ch);
                w += cw;
            }
        }
        out.push(line);
    }
    out
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
}

impl App {
    /// How long a read sent at `since` has waited, once that is long enough to say ("4 s");
    /// the spinner's ticks keep it current.
    pub fn waited(&self, since: Instant) -> Option<String> {
        let waited = Instant::now().saturating_duration_since(since);
        (waited >= SAY_WAITED_AFTER).then(|| format!("{} s", waited.as_secs()))
    }

    /// How long the detail read in flight has waited, once that is worth saying.
    pub fn detail_waited(&self) -> Option<String> {
        self.detail.since.and_then(|s| self.waited(s))
    }

    /// Called whenever the selected entry changes: show what we have, fetch the rest shortly.
    pub(crate) fn selection_changed(&mut self) {
        self.detail.entry = self.selected;
        self.detail.scroll = 0;
        if let Some(old) = self.detail.req.take() {
            self.abandon(old);
        }
        self.detail.due = None;
        self.detail.since = None;
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
        if let Some(old) = self.detail.req.replace(req) {
            self.abandon(old);
        }
        self.detail.state = DetailState::Loading;
        self.detail.since = Some(Instant::now());
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
        self.detail.since = None;
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

    /// Why the shown entry has no children, in full: drawn above its details, wrapped.
    pub fn detail_problem(&self) -> Option<String> {
        let id = self.detail.entry?;
        let e = self.tree.get(id);
        let Load::Failed(msg) = &e.load else {
            return None;
        };
        let connecting = !self.is_all_snapshots(id)
            && self
                .endpoints
                .get(e.endpoint)
                .is_some_and(|ep| ep.root == id && ep.info.is_none());
        Some(if connecting {
            format!("✗ Connecting failed: {msg} (Ctrl-R retries)")
        } else {
            format!("✗ Loading its children failed: {msg} (Ctrl-R retries)")
        })
    }

    /// Columns inside the detail pane's border.
    pub fn detail_width(&self) -> usize {
        let (w, h) = self.size;
        let areas = layout::areas(ratatui::layout::Rect::new(0, 0, w, h));
        areas.detail.width.saturating_sub(2) as usize
    }

    /// The problem banner as drawn: wrapped lines then a blank one, or nothing.
    pub fn detail_banner(&self) -> Vec<String> {
        let Some(text) = self.detail_problem() else {
            return Vec::new();
        };
        let mut lines = wrap(&text, self.detail_width());
        lines.push(String::new());
        lines
    }

    /// A failed read of the entity, wrapped as drawn.
    pub fn detail_failure(&self, msg: &str) -> Vec<String> {
        wrap(&format!("✗ {msg}"), self.detail_width())
    }

    /// Endpoints and groups, described from what the tree knows.
    pub fn local_rows(&self, id: EntryId) -> Vec<LocalRow> {
        let e = self.tree.get(id);
        let field = |k: &str, v: String| LocalRow::Field(k.to_string(), v);
        let mut rows = vec![
            LocalRow::Title("General"),
            field("Name", e.node.name.to_string()),
            field("Kind", e.node.kind.label().to_string()),
        ];
        let failed = matches!(e.load, Load::Failed(_));
        if e.node.kind == NodeKind::Endpoint {
            let ep = &self.endpoints[e.endpoint];
            match &ep.info {
                Some(info) => {
                    rows.push(field("Product", info.product.label().to_string()));
                    rows.push(field("URL", info.url.clone()));
                    rows.push(field("User", info.user.clone()));
                    rows.push(field("API version", info.api_version.clone()));
                }
                None if failed => rows.push(field("Connection", "failed (above)".into())),
                None => rows.push(field("Connection", "not connected".into())),
            }
            if ep.insecure {
                rows.push(LocalRow::Warn(
                    "TLS verification is OFF for this endpoint (--insecure)",
                ));
            }
        }
        // The node's own children, in its own section, before any table about other things.
        let state = match &e.load {
            Load::NotLoaded => "not loaded (Enter loads)".to_string(),
            Load::Loading { total, .. } => match total {
                Some(n) => format!("loading {}/{n}", e.children.len()),
                None => format!("loading ({} so far)", e.children.len()),
            },
            Load::Loaded => format!("{} loaded", e.children.len()),
            Load::Failed(_) => "failed (above)".to_string(),
        };
        rows.push(field("Children", state));
        if self.is_all_snapshots(id) {
            rows.push(LocalRow::Blank);
            rows.push(LocalRow::Title("Endpoints"));
            for (k, v) in self.all_snapshots_report() {
                rows.push(LocalRow::Field(k, v));
            }
        }
        rows
    }

    /// Lines the detail pane has now (banner included), for clamping the scroll.
    pub fn detail_line_count(&self) -> usize {
        let Some(id) = self.detail.entry else {
            return 0;
        };
        let body = match &self.detail.state {
            DetailState::Local => self.local_rows(id).len(),
            DetailState::Loading => 1,
            DetailState::Failed(msg) => self.detail_failure(msg).len() + 2,
            DetailState::Loaded(d) if self.detail.raw => d.raw.text.lines().count(),
            DetailState::Loaded(d) => detail_rows(d).len(),
        };
        self.detail_banner().len() + body
    }

    pub(crate) fn detail_command(&mut self, cmd: Command) -> bool {
        let (w, h) = self.size;
        let areas = layout::areas(ratatui::layout::Rect::new(0, 0, w, h));
        let page = layout::inner_height(areas.detail).max(1);
        let max = self.detail_line_count().saturating_sub(page);
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

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_at_spaces_and_inside_words_longer_than_a_line() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("AB:CD:EF:01", 5), ["AB:CD", ":EF:0", "1"]);
        assert_eq!(wrap("a\n\nb", 10), ["a", "", "b"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("✗ ab", 3), ["✗", "ab"]);
    }
}
