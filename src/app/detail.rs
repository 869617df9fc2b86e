//! The detail pane: which entity it shows, loading it (debounced, so holding `j` does not fire a
//! request per row), a small cache so moving back is instant, scrolling, and the raw toggle.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::time::Instant;
use unicode_width::UnicodeWidthStr;

use crate::api::ApiError;
use crate::api::model::{Details, Link, NodeKind, Section, Series, Severity, Table};

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
    /// Which of the loaded entity's rows that lead to another node Enter opens (see `goto`).
    pub pick: usize,
    pub(crate) due: Option<Instant>,
    req: Option<ReqId>,
    /// `/` inside the raw view: what is searched for, and whether it is still being typed.
    pub search: String,
    pub searching: bool,
    /// When the read in flight went out.
    since: Option<Instant>,
    /// The events read in flight for the shown entity: (request, endpoint, node id).
    pub(crate) events: Option<(ReqId, EndpointId, Box<str>)>,
    cache: HashMap<(EndpointId, Box<str>), Arc<Details>>,
    order: VecDeque<(EndpointId, Box<str>)>,
}

/// One line of the structured detail view, in display order. A value too long for the pane
/// goes on in further `Field` lines with an empty key.
#[derive(Debug, PartialEq, Eq)]
pub enum DetailRow<'a> {
    Title(Cow<'a, str>),
    Field(&'a str, String),
    /// A line of a row without a key ("No events recorded."): a sentence of its own, from
    /// where keys start, not a value floating beside an empty key.
    Note(String),
    Blank,
    /// A line of a link: the first says its rel and type, the rest go on with its text
    /// (`detail_links`), beside them or, `under` them where they leave it too little room,
    /// `LINK_UNDER_INDENT` in on lines of their own.
    Link {
        link: &'a Link,
        first: bool,
        under: bool,
        text: String,
    },
    /// A table's column headings.
    Header(&'a Table),
    /// Row `row` of a table; `target` counts the rows that lead somewhere, in display order
    /// (`DetailPane::pick` names one of them).
    /// Its last cell is `last`: the first line of that cell as wrapped to its column
    /// (`detail_table::layout`), empty when the layout puts it below the row.
    Cells {
        table: &'a Table,
        row: usize,
        target: Option<usize>,
        last: String,
    },
    /// A further line of row `row`'s last cell, under that column (or under the row,
    /// `BELOW_INDENT` in, when the layout puts it `below`, after the columns it moved there).
    More {
        table: &'a Table,
        row: usize,
        target: Option<usize>,
        text: String,
    },
    Series(&'a Series),
}

/// The width of the key column in a pane `width` columns wide: the longest key or series
/// label, up to 24 and to two fifths of the pane, so values keep room on a narrow console (at
/// 80 columns a key column of 22 left values 16 and wrapped a guest OS over three lines); wider,
/// up to the longest key, where that lays the fields out in fewer lines (`field_rows`: a key
/// wider than the column takes a line of its own unless its value fits after it), values
/// keeping `MIN_VALUE` columns; of equals the widest.
pub fn key_width(d: &Details, width: usize) -> usize {
    let keys = || d.sections.iter().flat_map(|s| s.rows.iter());
    let labels = d.sections.iter().flat_map(|s| s.series.iter());
    let widest = (keys().map(|(k, _)| k.width()))
        .chain(labels.map(|x| x.label.width()))
        .max()
        .unwrap_or(0)
        .min(24);
    // Two fifths of the pane leave values room on a narrow console; wider only where that
    // saves lines.
    let floor = widest.min((width * 2 / 5).max(12));
    let cap = widest.min(width.saturating_sub(4 + MIN_VALUE).max(floor));
    let mut widths: Vec<usize> = (keys().map(|(k, _)| k.width()))
        .filter(|w| (floor..cap).contains(w))
        .chain([floor])
        .collect();
    widths.push(cap);
    widths.sort_unstable();
    widths.dedup();
    let lines = |key_w: usize| -> usize {
        let room = width.saturating_sub(key_w + 4).max(8);
        keys()
            .map(|(k, v)| field_rows(k, v, key_w, room, width).len())
            .sum()
    };
    (widths.into_iter().rev())
        .min_by_key(|w| lines(*w))
        .unwrap_or(cap)
}

/// The fewest columns `key_width` leaves a value.
const MIN_VALUE: usize = 12;

/// The lines of field `k` = `v` (key, value) under a key column `key_w` wide, values wrapped to
/// `room` columns of a pane `width` wide. A URL breaks after a `/`, between its parts, not
/// wherever the line is full. A key wider than the column keeps a value that fits after it on
/// its line ("Needs customization  No"); a longer value goes under the column, the key on a
/// line of its own: beside it, the value would start past where it was wrapped for.
fn field_rows<'a>(
    k: &'a str,
    v: &str,
    key_w: usize,
    room: usize,
    width: usize,
) -> Vec<DetailRow<'a>> {
    if k.is_empty() {
        return wrap(v, width.saturating_sub(2).max(8))
            .into_iter()
            .map(DetailRow::Note)
            .collect();
    }
    let mut lines = match v.contains("://") && !v.contains(char::is_whitespace) {
        true => super::detail_links::wrap_path(v, room),
        false => wrap(v, room),
    };
    if k.width() <= key_w || (lines.len() == 1 && 2 + k.width() + 2 + v.width() <= width) {
        let first = DetailRow::Field(k, lines.remove(0));
        return std::iter::once(first)
            .chain(lines.into_iter().map(|l| DetailRow::Field("", l)))
            .collect();
    }
    std::iter::once(DetailRow::Field(k, String::new()))
        .chain(lines.into_iter().map(|l| DetailRow::Field("", l)))
        .collect()
}

/// The structured view of an entity for a pane `width` columns wide: each section's fields
/// (values wrapped after the key column, so nothing is cut off), table and series, then its
/// links.
pub fn detail_rows(d: &Details, width: usize) -> Vec<DetailRow<'_>> {
    let mut rows = Vec::new();
    // "  key  value": two spaces before the key, two after.
    let key_w = key_width(d, width);
    let room = width.saturating_sub(key_w + 4).max(8);
    let mut targets = 0;
    for s in &d.sections {
        rows.push(DetailRow::Title(Cow::Borrowed(&s.title)));
        for (k, v) in &s.rows {
            rows.extend(field_rows(k, v, key_w, room, width));
        }
        if let Some(t) = s.table.as_ref().filter(|t| !t.rows.is_empty()) {
            rows.push(DetailRow::Header(t));
            let layout = super::detail_table::layout(t, width);
            let last_w = layout.widths.last().copied().unwrap_or(1);
            for (i, r) in t.rows.iter().enumerate() {
                let target = r.target.is_some().then(|| {
                    targets += 1;
                    targets - 1
                });
                let text = r.cells.last().map_or("", String::as_str);
                // The last cell wraps under its column (or under the row, after the columns
                // moved there); a shorter row is drawn as it is.
                let mut lines = match (r.cells.len() == layout.widths.len(), layout.below) {
                    (false, _) => vec![text.to_string()],
                    (true, false) => wrap(text, last_w),
                    (true, true) => {
                        let mut l = vec![String::new()];
                        let moved = layout.under_text(t, &r.cells);
                        for text in [moved.as_str(), text] {
                            if !text.trim().is_empty() {
                                l.extend(wrap(text, last_w));
                            }
                        }
                        l
                    }
                }
                .into_iter();
                rows.push(DetailRow::Cells {
                    table: t,
                    row: i,
                    target,
                    last: lines.next().unwrap_or_default(),
                });
                rows.extend(lines.map(|text| DetailRow::More {
                    table: t,
                    row: i,
                    target,
                    text,
                }));
            }
        }
        rows.extend(s.series.iter().map(DetailRow::Series));
        rows.push(DetailRow::Blank);
    }
    if !d.links.is_empty() {
        use super::detail_links as dl;
        rows.push(DetailRow::Title(Cow::Owned(dl::links_title(d))));
        let origin = dl::links_origin(d);
        let (rel_w, type_w) = dl::link_widths(&d.links);
        // "  rel  type  text": what is left after the two columns is the text's; too little
        // (at 80 columns "snapshot:create  createSnapshotParams" left one cell, and each
        // path was cut to its first letter), or where that takes fewer lines (at 120, a vCD
        // UUID broken in three), the texts go under them.
        let beside = width.saturating_sub(2 + rel_w + 2 + type_w + 2);
        let below = width.saturating_sub(LINK_UNDER_INDENT).max(1);
        let count = |room| -> usize {
            (d.links.iter())
                .map(|l| dl::wrap_path(dl::link_text(l, origin.as_deref()), room).len())
                .sum()
        };
        let under = beside < LINK_MIN || d.links.len() + count(below) < count(beside);
        let room = if under { below } else { beside };
        for link in &d.links {
            let lines = dl::wrap_path(dl::link_text(link, origin.as_deref()), room);
            let lines = under.then(String::new).into_iter().chain(lines);
            rows.extend(lines.enumerate().map(|(i, text)| DetailRow::Link {
                link,
                first: i == 0,
                under,
                text,
            }));
        }
    }
    rows
}

/// The fewest cells a link's text keeps beside its rel and type; with fewer it goes under them.
const LINK_MIN: usize = 16;
/// How far in a link's text starts on the lines under its rel and type: as far as the rel, so a
/// vCD UUID and the slash after it (40 cells) fit on one line at 80 columns.
pub const LINK_UNDER_INDENT: usize = 2;

/// One line of what the pane says about an endpoint or a group, known without asking a server.
#[derive(Debug, PartialEq, Eq)]
pub enum LocalRow {
    Title(&'static str),
    Field(String, String),
    Warn(&'static str),
    Blank,
}

/// Word-wraps `text` to `width` columns; a word longer than a line is broken between its parts
/// (`detail_links::wrap_path`: after a `/`, `:` or `-`), else where it must be.
/// A place's parts ("Org initech / VDC initech-lon-gold") each stay on one line where they fit.
/// A unit that goes after its number ("13 %", "(3 %)") stays on its number's line: a line
/// ending "(13" over one reading "%)" said nothing. The detail pane draws these lines and
/// scrolls by them, so both agree on the count.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        match para.contains(PATH_SEPARATOR) {
            true => out.extend(wrap_path_parts(para, width)),
            false => out.extend(wrap_para(para, width)),
        }
    }
    out
}

/// What separates the parts of a place ("Org initech / VDC initech-lon-gold / vApp web").
const PATH_SEPARATOR: &str = " / ";

/// A place's parts, each kept on one line where it fits one: "VDC" at the end of a line and
/// its name at the start of the next read as two places.
fn wrap_path_parts(para: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let parts: Vec<&str> = para.split(PATH_SEPARATOR).collect();
    for (i, part) in parts.iter().enumerate() {
        let part = match i + 1 < parts.len() {
            true => format!("{part} /"),
            false => part.to_string(),
        };
        match out.last_mut() {
            Some(line) if line.width() + 1 + part.width() <= width => {
                line.push(' ');
                line.push_str(&part);
            }
            Some(_) if part.width() <= width => out.push(part),
            Some(line) => {
                let joined = format!("{line} {part}");
                out.pop();
                out.extend(wrap_para(&joined, width));
            }
            None => out.extend(wrap_para(&part, width)),
        }
    }
    out
}

/// One paragraph word-wrapped (see `wrap`).
fn wrap_para(para: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let (mut line, mut w) = (String::new(), 0);
    let mut sep = false;
    for word in glued_words(para) {
        // A separator ("started … · open 2 h") goes with the word after it, and is dropped
        // where the line breaks there: a line that ends or starts with "·" reads as cut.
        if word == SEPARATOR && w > 0 && !sep {
            sep = true;
            continue;
        }
        let ww = word.width();
        let before = if sep { 1 + SEPARATOR.width() } else { 0 };
        if w > 0 && w + before + 1 + ww > width {
            out.push(std::mem::take(&mut line));
            w = 0;
        }
        if w > 0 && sep {
            line.push(' ');
            line.push_str(SEPARATOR);
            w += before;
        }
        sep = false;
        if w > 0 {
            line.push(' ');
            w += 1;
        }
        // A word longer than a line (an id, an href) breaks between its parts.
        let mut pieces = match ww > width {
            true => super::detail_links::wrap_path(word, width),
            false => vec![word.to_string()],
        };
        let last = pieces.pop().unwrap_or_default();
        out.extend(pieces);
        w += last.width();
        line.push_str(&last);
    }
    if sep && w + 1 + SEPARATOR.width() <= width {
        line.push(' ');
        line.push_str(SEPARATOR);
    }
    out.push(line);
    out
}

/// What vnav puts between the parts of a value ("2026-12-07 21:35:00 UTC · open 2 h").
const SEPARATOR: &str = "·";

/// `para`'s words, a word that starts with "%" kept with the one before it ("(13 %)"), and a
/// short unit with its number ("2 h", "21.6 GHz"), a zone with its time ("17:55:26 UTC"):
/// "open 2" over "h" said nothing.
fn glued_words(para: &str) -> impl Iterator<Item = &str> {
    let at = |w: &str| w.as_ptr() as usize - para.as_ptr() as usize;
    let mut words = para.split_whitespace().peekable();
    std::iter::from_fn(move || {
        let first = words.next()?;
        let mut end = at(first) + first.len();
        let n = first.trim_start_matches('(');
        // A clock time too: "17:55:26" over "UTC" read as a time of no zone.
        let clock = n.contains(':') && n.chars().all(|c| c.is_ascii_digit() || c == ':');
        let number = clock || n.parse::<f64>().is_ok();
        if number && let Some(unit) = words.next_if(|w| is_unit(w)) {
            end = at(unit) + unit.len();
        }
        while let Some(next) = words.next_if(|w| w.starts_with('%')) {
            end = at(next) + next.len();
        }
        Some(&para[at(first)..end])
    })
}

/// A word that reads as a unit after a number: a few letters ("h", "min", "GB"), maybe closing
/// a bracket or a clause ("s)", "GB,").
fn is_unit(w: &str) -> bool {
    let letters = w.trim_end_matches([')', ',', ';', '.']);
    (1..=3).contains(&letters.chars().count()) && letters.chars().all(char::is_alphabetic)
}

impl DetailPane {
    /// Whether a read is due or on its way (also while older details stay on screen).
    pub fn is_loading(&self) -> bool {
        matches!(self.state, DetailState::Loading) || self.req.is_some() || self.due.is_some()
    }

    /// Loaded details shown while a newer version of them is being read.
    pub fn is_updating(&self) -> bool {
        matches!(self.state, DetailState::Loaded(_)) && (self.req.is_some() || self.due.is_some())
    }

    pub fn toggle_raw(&mut self) {
        self.raw = !self.raw;
        self.scroll = 0;
        self.searching = false;
    }

    /// Waits for `req` as the shown entity's read (a re-read started elsewhere); whatever
    /// read was pending is superseded.
    pub(crate) fn take_req(&mut self) -> Option<ReqId> {
        self.req.take()
    }

    pub(crate) fn expect(&mut self, req: ReqId) {
        self.req = Some(req);
        self.due = None;
    }

    /// Drops a cached entity so the next view fetches it again (after a change or refresh).
    pub fn forget(&mut self, endpoint: EndpointId, id: &str) {
        self.cache.remove(&(endpoint, id.into()));
    }

    pub(crate) fn remember(&mut self, endpoint: EndpointId, details: Arc<Details>) {
        let key = (endpoint, details.node.id.as_str().into());
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
        self.detail.entry = self.cursor.selected;
        self.detail.scroll = 0;
        self.detail.pick = 0;
        if let Some(old) = self.detail.req.take() {
            self.abandon(old);
        }
        self.drop_events();
        self.detail.due = None;
        self.detail.since = None;
        let Some(id) = self.cursor.selected else {
            self.detail.state = DetailState::Local;
            return;
        };
        let e = self.tree.get(id);
        if matches!(e.node.kind, NodeKind::Endpoint | NodeKind::Group) {
            self.detail.state = DetailState::Local;
            return;
        }
        match self
            .detail
            .cache
            .get(&(e.endpoint(), e.node.id.as_str().into()))
        {
            Some(d) => {
                let (d, endpoint) = (d.clone(), e.endpoint());
                // Left before its events came: ask for them again.
                if super::events::pending(&d) {
                    let (node, mut again) = (d.node.clone(), (*d).clone());
                    self.detail.state = DetailState::Loaded(d);
                    self.ask_events(endpoint, &node, &mut again);
                    self.detail.state = DetailState::Loaded(Arc::new(again));
                } else {
                    self.detail.state = DetailState::Loaded(d);
                }
            }
            None => {
                // The same entity read again (a refresh, the end of an action on it): what is
                // known stays on screen until the answer arrives.
                let same =
                    matches!(&self.detail.state, DetailState::Loaded(d) if d.node.id == e.node.id);
                if !same {
                    self.detail.state = DetailState::Loading;
                }
                self.detail.due = Some(Instant::now() + DEBOUNCE);
            }
        }
    }

    pub(crate) fn request_details(&mut self) {
        let Some(id) = self.detail.entry else { return };
        let e = self.tree.get(id);
        let (endpoint, node) = (e.endpoint(), e.node.clone());
        let req = self.req();
        if let Some(old) = self.detail.req.replace(req) {
            self.abandon(old);
        }
        let same = matches!(&self.detail.state, DetailState::Loaded(d) if d.node.id == node.id);
        if !same {
            self.detail.state = DetailState::Loading;
        }
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
                let endpoint = self.tree.get(id).endpoint();
                self.learn_link(endpoint, &d.node);
                self.details_insight(endpoint, &d.node);
                self.add_same_vm_line(endpoint, &mut d);
                self.add_path_line(id, &mut d);
                let node = d.node.clone();
                self.ask_events(endpoint, &node, &mut d);
                self.visited(id);
                // The fresh read may show a new power state or name: update the tree row too.
                // Not its summary: the list that made the row chose it (a snapshot view shows
                // age and size there, not CPU and memory).
                let e = self.tree.get_mut(id);
                if d.node.id == e.node.id {
                    e.node.status = d.node.status;
                    if !d.node.name.is_empty() {
                        e.node.name = d.node.name.clone();
                    }
                    if let Some(b) = d.node.backing() {
                        e.node.set_backing(Some(b.clone()));
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

    /// Where the entity sits, from the tree it was found in (org / VDC / vApp, datacenter /
    /// cluster / host), each kind named where a run of it starts: the first row of its first
    /// section. Groups ("All VMs") say nothing
    /// about place and are left out; a path of nothing adds no row. A server that states the
    /// place itself (Orchestrator's category path, as "Path" or "Category") is not repeated.
    fn add_path_line(&self, id: EntryId, d: &mut Details) {
        let placed = |s: &Section| s.rows.iter().any(|(k, _)| k == "Path" || k == "Category");
        if d.sections.first().is_some_and(placed) {
            return;
        }
        let mut names = Vec::new();
        let mut cur = self.tree.get(id).parent();
        while let Some(p) = cur {
            let e = self.tree.get(p);
            if matches!(e.node.kind, NodeKind::Endpoint) {
                break;
            }
            if e.node.kind != NodeKind::Group {
                names.push((e.node.kind, e.node.name.to_string()));
            }
            cur = e.parent();
        }
        if names.is_empty() {
            return;
        }
        names.reverse();
        // A kind is said where a run of it starts: "Category Library / vCenter / Basic".
        let names: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, (kind, name))| match i > 0 && names[i - 1].0 == *kind {
                true => name.clone(),
                false => format!("{} {name}", kind.label()),
            })
            .collect();
        if let Some(s) = d.sections.first_mut() {
            s.rows.insert(0, ("Path".to_string(), names.join(" / ")));
        }
    }

    /// What the tree already knows of an entity whose details are still being read, so the
    /// pane never goes blank.
    pub fn known_rows(&self, id: EntryId) -> Vec<LocalRow> {
        let n = &self.tree.get(id).node;
        let mut rows = vec![
            LocalRow::Title("Known so far"),
            LocalRow::Field("Name".into(), n.name.to_string()),
            LocalRow::Field("Kind".into(), n.kind.label().to_string()),
        ];
        if !n.status.label.is_empty() {
            rows.push(LocalRow::Field(
                "Status".into(),
                crate::api::labels::status(n.status.label).to_string(),
            ));
        }
        let summary = n.summary();
        if !summary.is_empty() {
            rows.push(LocalRow::Field("Summary".into(), summary.into_owned()));
        }
        rows.push(LocalRow::Blank);
        rows
    }

    /// Why the shown entry has no children, in full: drawn above its details, wrapped.
    pub fn detail_problem(&self) -> Option<String> {
        let id = self.detail.entry?;
        let e = self.tree.get(id);
        let Load::Failed(msg) = e.load() else {
            return None;
        };
        let connecting = !self.is_all_snapshots(id)
            && self
                .endpoints
                .get(e.endpoint())
                .is_some_and(|ep| ep.root == id && ep.info.is_none());
        Some(if connecting {
            format!("✗ Connecting failed: {msg} (Ctrl-R retries)")
        } else {
            format!("✗ Loading its children failed: {msg} (Ctrl-R retries)")
        })
    }

    /// Columns inside the detail pane's border.
    pub fn detail_width(&self) -> usize {
        let areas = self.areas();
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
        let failed = matches!(e.load(), Load::Failed(_));
        if e.node.kind == NodeKind::Endpoint {
            let ep = &self.endpoints[e.endpoint()];
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
        let state = match e.load() {
            Load::NotLoaded => "not loaded (Enter loads)".to_string(),
            Load::Loading(l) => match l.total {
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
            DetailState::Loading => self.known_rows(id).len() + 1,
            DetailState::Failed(msg) => self.detail_failure(msg).len() + 2,
            DetailState::Loaded(d) if self.detail.raw => d.raw.text.lines().count(),
            DetailState::Loaded(d) => detail_rows(d, self.detail_width()).len(),
        };
        self.detail_banner().len() + body
    }

    /// Lines of the raw view that hold the search text (any case).
    pub fn raw_matches(&self) -> Vec<usize> {
        let DetailState::Loaded(d) = &self.detail.state else {
            return Vec::new();
        };
        let needle = self.detail.search.to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        d.raw
            .text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    /// The raw line the view is scrolled to (the banner lines come first).
    fn raw_line_at_top(&self) -> usize {
        self.detail
            .scroll
            .saturating_sub(self.detail_banner().len())
    }

    /// Scrolls so the next (or previous) raw line holding the search text is on top; from the
    /// current line itself when `here` (while typing, so the match stays put as it narrows).
    fn search_step(&mut self, forward: bool, here: bool) -> bool {
        let matches = self.raw_matches();
        if matches.is_empty() {
            if !self.detail.search.is_empty() {
                self.notify(
                    format!("“{}” is not in the raw view", self.detail.search),
                    Severity::Warn,
                );
            }
            return true;
        }
        let top = self.raw_line_at_top();
        let line = if forward {
            matches
                .iter()
                .find(|&&m| if here { m >= top } else { m > top })
                .unwrap_or(&matches[0])
        } else {
            matches
                .iter()
                .rev()
                .find(|&&m| m < top)
                .unwrap_or(&matches[matches.len() - 1])
        };
        let areas = self.areas();
        let page = layout::inner_height(areas.detail).max(1);
        let max = self.detail_line_count().saturating_sub(page);
        self.detail.scroll = (self.detail_banner().len() + line).min(max);
        true
    }

    /// `/` in the detail pane: search the raw payload, showing it if it was not shown.
    fn start_search(&mut self) -> bool {
        if !matches!(self.detail.state, DetailState::Loaded(_)) {
            return false;
        }
        if !self.detail.raw {
            self.detail.toggle_raw();
        }
        self.detail.search.clear();
        self.detail.searching = true;
        true
    }

    /// A key while the search text is being typed: Enter keeps it (n/N step), Esc drops it.
    pub(crate) fn on_search_key(&mut self, key: KeyEvent) -> bool {
        match key.code {
            KeyCode::Esc => {
                self.detail.searching = false;
                self.detail.search.clear();
            }
            KeyCode::Enter => self.detail.searching = false,
            KeyCode::Backspace => {
                self.detail.search.pop();
                self.search_step(true, true);
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.detail.searching = false;
                self.ask_quit();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.detail.search.push(c);
                self.search_step(true, true);
            }
            _ => return false,
        }
        true
    }

    pub(crate) fn detail_command(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::Search => return self.start_search(),
            Command::SearchNext | Command::SearchPrev if self.detail.raw => {
                return self.search_step(cmd == Command::SearchNext, false);
            }
            _ => {}
        }
        let areas = self.areas();
        let page = layout::inner_height(areas.detail).max(1);
        let max = self.detail_line_count().saturating_sub(page);
        match cmd {
            Command::Open => return self.open_picked(),
            Command::SearchNext => return self.pick_target(1),
            Command::SearchPrev => return self.pick_target(-1),
            _ => {}
        }
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
        assert_eq!(wrap("AB:CD:EF:01", 5), ["AB:", "CD:", "EF:01"]);
        assert_eq!(
            wrap("id 7aaf88b6-a0fc-45b3", 12),
            ["id", "7aaf88b6-", "a0fc-45b3"]
        );
        assert_eq!(wrap("a\n\nb", 10), ["a", "", "b"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("✗ ab", 3), ["✗", "ab"]);
    }

    /// A cluster's CPU at 80 columns read "… 166.4 GHz (13" over "%)".
    #[test]
    fn wrap_keeps_a_percent_sign_with_its_number() {
        let cpu = "21.6 GHz of 166.4 GHz (13 %)";
        assert_eq!(wrap(cpu, 25), ["21.6 GHz of 166.4 GHz", "(13 %)"]);
        assert_eq!(wrap("used 40 % of it", 9), ["used 40 %", "of it"]);
        assert_eq!(wrap("% first", 10), ["% first"]);
    }

    #[test]
    fn a_separator_neither_ends_nor_starts_a_wrapped_line() {
        let started = "2026-12-07 21:35:00 UTC · open 2 h";
        assert_eq!(wrap(started, 28), ["2026-12-07 21:35:00 UTC", "open 2 h"]);
        assert_eq!(wrap(started, 25), ["2026-12-07 21:35:00 UTC", "open 2 h"]);
        assert_eq!(wrap(started, 34), [started]);
        assert_eq!(wrap("a · b · c", 5), ["a · b", "c"]);
        assert_eq!(wrap("a · b · c", 3), ["a", "b", "c"]);
        // Kept where the text has it at an end.
        assert_eq!(wrap("· a", 10), ["· a"]);
        assert_eq!(wrap("a ·", 10), ["a ·"]);
    }

    #[test]
    fn a_number_keeps_its_unit() {
        assert_eq!(wrap("open 2 h", 7), ["open", "2 h"]);
        assert_eq!(
            wrap("uses 512 MB, of 2 GB", 9),
            ["uses", "512 MB,", "of 2 GB"]
        );
        // A number before a word that is no unit breaks as any word.
        assert_eq!(wrap("has 2 disks", 5), ["has 2", "disks"]);
        // A time keeps its zone: "2023-11-13 17:55:26" over "UTC" at 80 columns.
        assert_eq!(
            wrap("2023-11-13 17:55:26 UTC", 20),
            ["2023-11-13", "17:55:26 UTC"]
        );
    }

    /// The key and value of each field line of `rows`' details in a pane `width` wide.
    fn fields(rows: &[(&str, &str)], width: usize) -> Vec<(String, String)> {
        use super::{DetailRow, detail_rows};
        use crate::api::model::{Details, Node, NodeKind, Raw, Section};
        let mut s = Section::new("General");
        for (k, v) in rows {
            s.row(*k, *v);
        }
        let d = Details {
            node: Node::new(NodeKind::Vm, "vm-1", "web-01"),
            sections: vec![s],
            links: Vec::new(),
            actions: Vec::new(),
            snapshot_slot: None,
            copies: Vec::new(),
            raw: Raw::json(""),
        };
        detail_rows(&d, width)
            .into_iter()
            .filter_map(|r| match r {
                DetailRow::Field(k, v) => Some((k.to_string(), v)),
                _ => None,
            })
            .collect()
    }

    /// A value that is a URL (a vCD host's href) breaks between its parts.
    /// A (key, value) line as `fields` gives it.
    fn field(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn a_url_value_wraps_after_a_slash() {
        let href = "https://vcd.example.com/api/admin/extension/host/f3453fc6-2579";
        let lines: Vec<String> = (fields(&[("href", href)], 50).into_iter())
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            lines,
            [
                "https://vcd.example.com/api/admin/",
                "extension/host/f3453fc6-2579"
            ]
        );
    }

    /// A vCD VM's links at 80 columns (42 cells): "snapshot:create  createSnapshotParams" left
    /// the paths one cell, and each was cut to its first letter. With less than 16 cells
    /// beside the rel and type, or where that takes fewer lines, the paths go under them,
    /// wrapped to the pane, and every line keeps to its width.
    #[test]
    fn links_go_under_their_rel_and_type_when_beside_them_is_too_narrow() {
        use super::{DetailRow, LINK_UNDER_INDENT, detail_rows};
        use crate::api::model::{Details, Link, Node, NodeKind, Raw};
        use unicode_width::UnicodeWidthStr;
        let vm = "https://vcd.example.com/api/vApp/vm-1383cb7e-233b-4e15-ad23-c6dc47a6c759";
        let link = |rel: &str, ty: &str, href: String| Link {
            rel: rel.into(),
            media_type: format!("application/vnd.vmware.vcloud.{ty}+xml"),
            href,
            name: String::new(),
        };
        let d = Details {
            node: Node::new(NodeKind::Vm, vm, "sql-10"),
            sections: Vec::new(),
            links: vec![
                link(
                    "snapshot:create",
                    "createSnapshotParams",
                    format!("{vm}/action/createSnapshot"),
                ),
                link("edit", "vm", vm.to_string()),
            ],
            actions: Vec::new(),
            snapshot_slot: None,
            copies: Vec::new(),
            raw: Raw::json(""),
        };
        let lines = |width| -> Vec<(bool, bool, String)> {
            (detail_rows(&d, width).into_iter())
                .filter_map(|r| match r {
                    DetailRow::Link {
                        first, under, text, ..
                    } => Some((first, under, text)),
                    _ => None,
                })
                .collect()
        };
        let narrow = lines(42);
        assert_eq!(
            narrow,
            [
                (true, true, String::new()),
                (false, true, "/api/vApp/".to_string()),
                (
                    false,
                    true,
                    "vm-1383cb7e-233b-4e15-ad23-c6dc47a6c759/".to_string()
                ),
                (false, true, "action/createSnapshot".to_string()),
                (true, true, String::new()),
                (false, true, "/api/vApp/".to_string()),
                (
                    false,
                    true,
                    "vm-1383cb7e-233b-4e15-ad23-c6dc47a6c759".to_string()
                ),
            ]
        );
        assert!(
            narrow
                .iter()
                .all(|(_, _, t)| LINK_UNDER_INDENT + t.width() <= 42)
        );
        // At 64 cells, 23 beside them broke the UUID in two: under them, fewer lines.
        let middle = lines(64);
        assert_eq!(middle.len(), 5, "{middle:?}");
        assert!(middle.iter().all(|(_, under, _)| *under));
        // Wide enough, the paths stay beside them.
        let wide = lines(120);
        assert_eq!(wide.len(), 2);
        assert!(wide.iter().all(|(first, under, _)| *first && !*under));
    }

    /// At 80 columns a VM's path read "Org initech / VDC" over "initech-lon-gold /": a kind at
    /// the end of a line and its name on the next. Each part stays whole where it fits a line.
    #[test]
    fn a_path_breaks_between_its_parts() {
        let path = "Org initech / VDC initech-lon-gold / vApp backup-test";
        assert_eq!(
            wrap(path, 22),
            [
                "Org initech /",
                "VDC initech-lon-gold /",
                "vApp backup-test"
            ]
        );
        assert_eq!(wrap(path, 60), [path], "what fits stays on one line");
        assert_eq!(
            wrap("Datacenter dc-fra / Cluster cl-fra03", 30),
            ["Datacenter dc-fra /", "Cluster cl-fra03"]
        );
        // A part wider than the line goes on from where the line is, word by word.
        assert_eq!(
            wrap("Org a / VDC the-gold-tier-of-ams / vApp b", 16),
            ["Org a / VDC", "the-gold-tier-", "of-ams / vApp b"]
        );
    }

    /// Long words in a sentence (a symptom's metric key, a vCenter's URL) break between their
    /// parts, the sentence between its words.
    #[test]
    fn a_long_word_in_a_value_breaks_between_its_parts() {
        let symptom = "VMware Tools is not installed (summary|guest|toolsVersionStatus2 = \
                       guestToolsNotInstalled)";
        assert_eq!(
            wrap(symptom, 26),
            [
                "VMware Tools is not",
                "installed",
                "(summary|guest|",
                "toolsVersionStatus2 =",
                "guestToolsNotInstalled)"
            ]
        );
        assert_eq!(
            wrap("vCenter (simulated) (http://127.0.0.1:37841)", 22),
            ["vCenter (simulated)", "(http://127.0.0.1:", "37841)"]
        );
    }

    /// A key longer than the key column (24 cells) whose value does not fit after it goes on a
    /// line of its own, its value under the column, so the value is not pushed past the pane's
    /// edge.
    #[test]
    fn a_key_wider_than_its_column_leaves_its_value_in_line() {
        let rows = [
            ("Power", "Powered on"),
            (
                "Guest customization enabled",
                "Yes, with an admin password set",
            ),
        ];
        assert_eq!(
            fields(&rows, 60),
            [
                field("Power", "Powered on"),
                field("Guest customization enabled", ""),
                field("", "Yes, with an admin password set"),
            ]
        );
    }

    /// In a narrow pane (an 80-column console's detail pane is 40 inside) the key column keeps
    /// to two fifths, and a longer key keeps a value that fits after it on its line:
    /// "Needs customization" and "IP of Network adapter 1" sat on lines of their own, their
    /// values under them.
    #[test]
    fn a_key_wider_than_a_narrow_column_keeps_a_short_value_beside_it() {
        let rows = [
            ("Guest OS", "Microsoft Windows Server 2019 (64-bit)"),
            ("Needs customization", "No"),
            ("IP of Network adapter 1", "10.7.0.21"),
        ];
        assert_eq!(
            fields(&rows, 40),
            [
                field("Guest OS", "Microsoft Windows"),
                field("", "Server 2019 (64-bit)"),
                field("Needs customization", "No"),
                field("IP of Network adapter 1", "10.7.0.21"),
            ]
        );
    }

    /// Long keys with long values: a column as wide as the keys saves their lines of their own.
    #[test]
    fn the_key_column_widens_where_that_saves_lines() {
        let policy = "vSAN Default Storage Policy for gold tier";
        let rows = [
            ("Storage policy of disk 1", policy),
            ("Storage policy of disk 2", policy),
            ("Power", "Powered on"),
        ];
        assert_eq!(
            fields(&rows, 50),
            [
                field("Storage policy of disk 1", "vSAN Default Storage"),
                field("", "Policy for gold tier"),
                field("Storage policy of disk 2", "vSAN Default Storage"),
                field("", "Policy for gold tier"),
                field("Power", "Powered on"),
            ]
        );
    }
}
