//! All of vnav's behaviour: state, focus, selection, keys, filtering, detail and task panes.
//! `App::handle` is synchronous: events in, effects out. It never awaits or touches the
//! network, so the whole UI is testable without a terminal or a server.

pub mod actions;
mod all_snapshots;
pub mod command;
mod copy;
pub mod dialog;
pub mod event;
pub mod filter;
pub mod form;
pub mod history;
pub mod keymap;
pub mod layout;
pub mod table;
pub mod table_budget;
pub mod table_order;
pub mod tree;

mod detail;
pub mod detail_links;
pub mod detail_table;
mod events;
mod goto;
mod insight;
mod invoke;
mod listing;
mod mouse;
mod nav;
mod password;
mod picker;
mod related;
mod tasks;
mod vclink;

pub use detail::{
    DetailPane, DetailRow, DetailState, LINK_UNDER_INDENT, LocalRow, detail_rows, key_width, wrap,
};
pub use invoke::Invocations;
pub use password::PasswordPrompt;
pub use tasks::{TaskFilter, TaskPane, TaskRow};

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tokio::time::Instant;

use crate::api::model::{EndpointInfo, Node, Severity};
use crate::theme::Theme;
use event::{ApiAnswer, ApiEvent, Effect, Event, ReqId};
use keymap::{Command, Scope};
use tree::{EndpointId, EntryId, Load, Tree};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Tree,
    Detail,
    Tasks,
}

/// A configured endpoint and how its connection stands.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub label: String,
    pub root: EntryId,
    pub info: Option<EndpointInfo>,
    pub insecure: bool,
    /// Per-context read-only (the global flag is `App::read_only`).
    pub read_only: bool,
    /// Where the password came from, named when the server refuses it.
    pub password_source: Option<crate::config::PasswordSource>,
    /// The last login was refused: reconnecting asks for a new password first.
    pub login_refused: bool,
}

/// What the app is given about each endpoint at start (or when `:ctx` opens one).
#[derive(Debug)]
pub struct EndpointSpec {
    pub label: String,
    pub root: Node,
    pub insecure: bool,
    pub read_only: bool,
}

#[cfg(test)]
impl EndpointSpec {
    /// An endpoint labelled `label` whose root is named after it, for unit tests.
    pub(crate) fn named(label: &str) -> EndpointSpec {
        EndpointSpec {
            label: label.into(),
            root: Node::new(crate::api::model::NodeKind::Endpoint, label, label),
            insecure: false,
            read_only: false,
        }
    }
}

#[cfg(test)]
impl App {
    /// An endpoint's answer to request `req`, handled; the effects it asked for.
    pub(crate) fn answered(
        &mut self,
        req: ReqId,
        endpoint: EndpointId,
        result: ApiAnswer,
    ) -> Vec<Effect> {
        let ev = ApiEvent {
            req,
            endpoint,
            result,
        };
        self.handle(Event::Api(ev)).effects
    }

    /// The listings of a table asked for so far, (request, endpoint), taken from the effects.
    pub(crate) fn take_list_kinds(&mut self) -> Vec<(ReqId, EndpointId)> {
        (std::mem::take(&mut self.effects).into_iter())
            .filter_map(|e| match e {
                Effect::ListKind { req, endpoint, .. } => Some((req, endpoint)),
                _ => None,
            })
            .collect()
    }
}

/// A short message in the status bar that goes away by itself.
#[derive(Clone, Debug)]
pub struct Toast {
    pub text: String,
    pub severity: Severity,
    pub until: Instant,
}

/// The filter line: `typing` while the user edits it, `query` applied to the tree.
#[derive(Default)]
pub struct FilterState {
    pub query: String,
    pub typing: bool,
    pub engine: filter::Filter,
}

impl FilterState {
    /// The keys the filter line offers, the same in the tree and a table: while typing, `n`
    /// is a letter of the query (a table said "n/N next/prev" then); once kept, n/N step.
    pub fn hint(&self) -> &'static str {
        match self.typing {
            true => "Enter keeps · Esc clears",
            false => "n/N next/prev · Esc clears",
        }
    }
}

// Only one overlay exists at a time, so the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Overlay {
    Help { scroll: u16 },
    Dialog(dialog::Dialog),
    Password(PasswordPrompt),
}

/// What handling one event produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub effects: Vec<Effect>,
    pub redraw: bool,
}

pub struct App {
    pub endpoints: Vec<Endpoint>,
    pub tree: Tree,
    /// Where the user is in the tree (owned by `nav.rs`).
    pub cursor: nav::Cursor,
    pub focus: Pane,
    pub detail: DetailPane,
    pub tasks: TaskPane,
    pub filter: FilterState,
    pub invocations: Invocations,
    pub overlay: Option<Overlay>,
    pub toast: Option<Toast>,
    pub read_only: bool,
    /// The snapshot view across all endpoints.
    pub all_snapshots: Option<all_snapshots::AllSnapshots>,
    /// VMs seen through vCD and through its vCenter (see `vclink`).
    pub vc_links: vclink::VcLinks,
    /// VMs as a monitoring endpoint sees them (see `insight`).
    insight: insight::Insights,
    pub theme: Theme,
    /// The `:` command line.
    pub command: command::CommandLine,
    /// The table a `:` command opened, shown instead of the tree.
    pub table: Option<table::Table>,
    /// The hidden root holding each kind's flat listing on each endpoint.
    table_roots: std::collections::HashMap<(EndpointId, crate::api::model::NodeKind), EntryId>,
    /// Table roots whose endpoint has no such objects at all (its product lacks the kind).
    kind_absent: std::collections::HashSet<EntryId>,
    /// How many new rows a table's rebuild takes while listings pour in (learnt, kept across
    /// tables).
    table_budget: table_budget::RebuildBudget,
    /// The tree's `content` an open form's picker choices were last built for.
    form_choices_for: Option<u64>,
    /// The sort each kind of table had last, so it opens sorted the same way.
    sorts: std::collections::HashMap<(crate::api::model::NodeKind, table::Source), table::Sort>,
    /// Where the sorts are kept between runs (`table::sorts_path`); None: not kept.
    pub sorts_path: Option<std::path::PathBuf>,
    /// Tables of at least this many rows build a column's order off the UI thread
    /// (`Effect::SortOrder`) when first sorted by it; smaller ones on the key.
    pub sort_off_ui_from: usize,
    /// Every context the config names, opened or not (`:ctx` lists them).
    pub contexts: Vec<String>,
    /// Contexts `:ctx` asked the runtime to open, not answered yet.
    pub(crate) contexts_opening: Vec<String>,
    /// The user's theme folder (`<config dir>/themes`) and the themes found there at start,
    /// which `:theme` loads and completes beside the built-in ones.
    pub themes_dir: Option<std::path::PathBuf>,
    pub user_themes: Vec<String>,
    /// The columns each kind shows (the config's `[columns]`).
    pub columns: crate::api::columns::Choice,
    pending_goto: Option<goto::Pending>,
    /// A `:goto` answer waiting to hear where it sits: (request, endpoint, node).
    placing: Option<(ReqId, EndpointId, Node)>,
    pub size: (u16, u16),
    /// The wall-clock time of the event being handled, set by whoever runs the app (the
    /// runtime before each event, tests as they please): `App` never reads the clock itself.
    pub now: time::OffsetDateTime,
    pub quit: bool,
    pub history: history::History,
    /// `z`: the focused pane fills the screen.
    pub zoomed: bool,
    /// The key bindings in force (the table, with the config's `[keys]`).
    pub keymap: keymap::Keymap,
    pub bookmarks: history::Bookmarks,
    started: Instant,
    next_req: ReqId,
    /// Which tree entry each children request is for.
    loading: std::collections::HashMap<ReqId, EntryId>,
    effects: Vec<Effect>,
}

const SPINNER: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPIN_INTERVAL: Duration = Duration::from_millis(100);
const TOAST_FOR: Duration = Duration::from_secs(4);

impl App {
    pub fn new(specs: Vec<EndpointSpec>, theme: Theme, read_only: bool) -> App {
        let mut tree = Tree::default();
        // First in the tree, where an auditor looks first. Entries need an endpoint; the root's
        // own is never used to fetch anything (see `is_all_snapshots`).
        let all_snapshots = (!specs.is_empty()).then(|| {
            let node = all_snapshots::AllSnapshots::root_node(specs.len());
            all_snapshots::AllSnapshots::new(tree.add_root(0, node), specs.len())
        });
        let endpoints = specs
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let mut root = s.root;
                root.expandable = true;
                Endpoint {
                    label: s.label,
                    root: tree.add_root(i, root),
                    info: None,
                    insecure: s.insecure,
                    read_only: s.read_only,
                    password_source: None,
                    login_refused: false,
                }
            })
            .collect::<Vec<_>>();
        let cursor = nav::Cursor {
            selected: endpoints.first().map(|e| e.root),
            offset: 0,
        };
        let mut app = App {
            endpoints,
            tree,
            cursor,
            focus: Pane::Tree,
            detail: DetailPane::default(),
            tasks: TaskPane::default(),
            filter: FilterState::default(),
            invocations: Invocations::default(),
            overlay: None,
            toast: None,
            read_only,
            all_snapshots,
            vc_links: Default::default(),
            insight: Default::default(),
            theme,
            command: Default::default(),
            table: None,
            table_roots: Default::default(),
            kind_absent: Default::default(),
            table_budget: Default::default(),
            form_choices_for: None,
            sorts: Default::default(),
            sorts_path: None,
            sort_off_ui_from: table::SORT_OFF_UI_FROM,
            columns: Default::default(),
            contexts: Vec::new(),
            contexts_opening: Vec::new(),
            themes_dir: None,
            user_themes: Vec::new(),
            pending_goto: None,
            placing: None,
            size: (80, 24),
            now: time::OffsetDateTime::UNIX_EPOCH,
            quit: false,
            history: Default::default(),
            keymap: Default::default(),
            zoomed: false,
            bookmarks: Default::default(),
            started: Instant::now(),
            next_req: 1,
            loading: Default::default(),
            effects: Vec::new(),
        };
        // The detail pane describes the first row from the start (an endpoint that fails to
        // connect says why there at once).
        app.selection_changed();
        app
    }

    /// The effects to run at start: log in to every endpoint.
    pub fn start(&mut self) -> Vec<Effect> {
        for i in 0..self.endpoints.len() {
            self.connect(i);
        }
        self.tree.refresh_visible();
        std::mem::take(&mut self.effects)
    }

    fn connect(&mut self, endpoint: EndpointId) {
        let root = self.endpoints[endpoint].root;
        let req = self.req();
        self.tree.get_mut(root).set_load(Load::loading(req));
        self.loading.insert(req, root);
        self.effects.push(Effect::Connect { req, endpoint });
    }

    pub(crate) fn req(&mut self) -> ReqId {
        self.next_req += 1;
        self.next_req
    }

    /// Nobody waits for `req` any more: stop its job, so it sends no further request.
    pub(crate) fn abandon(&mut self, req: ReqId) {
        self.effects.push(Effect::Abandon { req });
    }

    pub fn handle(&mut self, event: Event) -> Outcome {
        let version = self.tree.version;
        let from_key = matches!(event, Event::Key(_) | Event::Mouse(_));
        let tick = matches!(event, Event::Tick);
        // A key works on the rows as a frame would show them now.
        if from_key || matches!(event, Event::Resize(..)) {
            self.before_frame();
        }
        let mut redraw = match event {
            Event::Key(key) => self.on_key(key),
            Event::Mouse(m) => self.on_mouse(m),
            Event::Resize(w, h) => {
                self.size = (w, h);
                self.scroll_to_selection();
                true
            }
            Event::Tick => self.on_tick(),
            Event::Api(ev) => self.on_api(ev),
            // SIGTERM and a lost terminal leave at once, without asking.
            Event::Terminate => {
                self.quit();
                false
            }
            Event::ContextOpened {
                name,
                endpoint,
                result,
            } => {
                self.context_opened(&name, endpoint, result);
                true
            }
            Event::ContextReady { name } => {
                self.effects.push(Effect::InstallContext { name });
                false
            }
            Event::SortBuilt { req, built } => self.sort_built(req, built),
            Event::ThemesListed { names } => {
                self.user_themes = names;
                false
            }
            Event::ThemeLoaded { name, result } => {
                self.theme_loaded(&name, result);
                true
            }
            Event::AuditNotWritten { record, error } => {
                self.notify(
                    format!(
                        "audit line for {} on {} NOT written: {error}",
                        record.action, record.target_name
                    ),
                    Severity::Error,
                );
                true
            }
        };
        // Whatever removed the selected entry (a refresh, a deleted node), the cursor lands on
        // the nearest row that is still there.
        self.table_changed(from_key, tick);
        self.refresh_form_choices();
        let moved = self.follow_removed();
        self.tree.take_removed();
        self.tree.refresh_visible();
        if moved {
            self.keep_selection_visible();
            redraw = true;
        }
        redraw |= self.tree.version != version || self.table_view_stale();
        self.filter.engine.observe(&self.tree);
        Outcome {
            effects: std::mem::take(&mut self.effects),
            redraw,
        }
    }

    /// When the app next needs a `Tick` (None: nothing is animating or due; stay idle).
    pub fn next_deadline(&self) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        let mut consider = |t: Instant| next = Some(next.map_or(t, |n: Instant| n.min(t)));
        if self.anything_spinning() {
            let since = self.started.elapsed().as_millis() as u64;
            let step = SPIN_INTERVAL.as_millis() as u64;
            consider(self.started + Duration::from_millis((since / step + 1) * step));
        }
        if let Some(t) = self.detail.due {
            consider(t);
        }
        if let Some(t) = &self.toast {
            consider(t.until);
        }
        if let Some(t) = self.table_deadline() {
            consider(t);
        }
        if let Some(t) = self.filter.engine.index_deadline(&self.tree) {
            consider(t);
        }
        if let Some(t) = self.sort_deadline() {
            consider(t);
        }
        // A refresh whose listing ended with work left: a slice a tick, at once.
        if self.tree.finish_due() {
            consider(Instant::now());
        }
        next
    }

    /// Children listings still waiting for an answer.
    pub fn loading_count(&self) -> usize {
        self.loading.len()
    }

    fn anything_spinning(&self) -> bool {
        !self.loading.is_empty() || self.detail.is_loading() || self.tasks.any_running()
    }

    pub fn spinner(&self) -> char {
        let n = self.started.elapsed().as_millis() / SPIN_INTERVAL.as_millis();
        SPINNER[n as usize % SPINNER.len()]
    }

    fn on_tick(&mut self) -> bool {
        let now = Instant::now();
        let mut redraw = self.anything_spinning() || self.table_deadline().is_some();
        if self.toast.as_ref().is_some_and(|t| t.until <= now) {
            self.toast = None;
            redraw = true;
        }
        if self.detail.due.is_some_and(|d| d <= now) {
            self.detail.due = None;
            self.request_details();
            redraw = true;
        }
        if self.tree.finish_due() {
            redraw |= self.refresh_slice();
        }
        // Nothing on screen changes: the filter's index, built while nothing happens.
        self.filter.engine.index_slice(&self.tree);
        self.read_sort_keys();
        redraw
    }

    /// A slice of an ended refresh (`Tree::finish_slice`): the children that went leave the
    /// rows, and the last slice swaps the listing in; the filter's rows follow, as when a
    /// listing ends (`on_children_done`).
    fn refresh_slice(&mut self) -> bool {
        let version = self.tree.version;
        let ended = self.tree.finish_slice();
        let changed = self.tree.version != version;
        if changed && self.tree.is_filtered() {
            self.apply_filter();
        }
        if let Some(parent) = ended {
            self.dots_insight(parent);
            self.keep_selection_visible();
        }
        changed
    }

    pub fn notify(&mut self, text: impl Into<String>, severity: Severity) {
        self.toast = Some(Toast {
            text: text.into(),
            severity,
            until: Instant::now() + TOAST_FOR,
        });
    }

    fn on_key(&mut self, key: KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        if let Some(Overlay::Dialog(_)) = &self.overlay {
            return self.on_dialog_key(key);
        }
        if let Some(Overlay::Password(_)) = &self.overlay {
            return self.on_password_key(key);
        }
        if self.command.open {
            return self.on_command_key(key);
        }
        if self.filter.typing {
            return self.on_filter_key(key);
        }
        if self.detail.searching {
            return self.on_search_key(key);
        }
        if let Some(what) = self.bookmarks.pending {
            let c = match key.code {
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => Some(c),
                _ => None,
            };
            return self.on_pending_key(what, c);
        }
        if let Some(Overlay::Help { scroll }) = &mut self.overlay {
            match self.keymap.lookup(&key, Scope::Global) {
                Some(Command::Down) => *scroll = scroll.saturating_add(1),
                Some(Command::Up) => *scroll = scroll.saturating_sub(1),
                Some(Command::PageDown) => *scroll = scroll.saturating_add(10),
                Some(Command::PageUp) => *scroll = scroll.saturating_sub(10),
                Some(Command::Quit) if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.ask_quit();
                }
                _ => self.overlay = None,
            }
            return true;
        }
        let scope = match self.focus {
            Pane::Tree => Scope::Tree,
            Pane::Detail => Scope::Detail,
            Pane::Tasks => Scope::Tasks,
        };
        match self.keymap.lookup(&key, scope) {
            Some(cmd) => self.command(cmd),
            None => match key.code {
                KeyCode::Char(c)
                    if scope == Scope::Tree && !key.modifiers.contains(KeyModifiers::CONTROL) =>
                {
                    match actions::by_key(c) {
                        Some(spec) => self.begin(dialog::Intent::Action(spec.id)),
                        None => false,
                    }
                }
                _ => false,
            },
        }
    }

    fn command(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::Quit => {
                self.ask_quit();
            }
            Command::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Command::NextPane | Command::PrevPane => {
                let order = [Pane::Tree, Pane::Detail, Pane::Tasks];
                let i = order.iter().position(|p| *p == self.focus).unwrap_or(0);
                let step = if cmd == Command::NextPane { 1 } else { 2 };
                self.focus = order[(i + step) % 3];
                // A pane the screen has no room for (the detail pane below 80 columns) is
                // passed over.
                if !self.zoomed && self.areas().detail.is_empty() && self.focus == Pane::Detail {
                    self.focus = order[(i + 2 * step) % 3];
                }
            }
            Command::Suspend => self.effects.push(Effect::Suspend),
            Command::SameVm => return self.go_to_same_vm(),
            Command::Insight => return self.go_insight(),
            Command::ToggleRaw => self.detail.toggle_raw(),
            Command::Copy => return self.open_copy_menu(),
            Command::CopyCommand => return self.copy_as_command(),
            Command::Zoom => {
                self.zoomed = !self.zoomed;
                self.scroll_to_selection();
            }
            Command::Back => return self.go_history(false),
            Command::Forward => return self.go_history(true),
            Command::SetMark => return self.begin_mark(history::Pending::SetMark),
            Command::GoToMark => return self.begin_mark(history::Pending::GoToMark),
            Command::Filter => {
                self.filter.typing = true;
                self.filter.engine.want_index();
                self.focus = Pane::Tree;
            }
            Command::ClearFilter => {
                if !self.filter.query.is_empty() {
                    self.clear_filter();
                } else if self.table.is_some() {
                    // Esc leaves a table once its filter is gone, as in k9s.
                    self.close_table();
                } else {
                    return false;
                }
            }
            Command::CommandLine => return self.open_command_line(),
            Command::Goto => {
                self.open_command_line();
                self.command.text = "goto ".into();
            }
            Command::NextMatch => return self.step_match(true),
            Command::PrevMatch => return self.step_match(false),
            Command::SortNext => return self.cycle_sort(true),
            Command::SortPrev => return self.cycle_sort(false),
            Command::SortFlip => return self.flip_sort(),
            _ => {
                return match self.focus {
                    Pane::Tree => self.tree_command(cmd),
                    Pane::Detail => self.detail_command(cmd),
                    Pane::Tasks => self.task_command(cmd),
                };
            }
        }
        true
    }

    fn on_filter_key(&mut self, key: KeyEvent) -> bool {
        match key.code {
            KeyCode::Esc => {
                self.filter.typing = false;
                self.clear_filter();
            }
            KeyCode::Enter => self.filter.typing = false,
            KeyCode::Backspace => {
                self.filter.query.pop();
                self.apply_filter();
                self.select_best_match();
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.ask_quit();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter.query.clear();
                self.apply_filter();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter.query.push(c);
                self.apply_filter();
                self.select_best_match();
            }
            KeyCode::Down | KeyCode::Up | KeyCode::PageDown | KeyCode::PageUp => {
                let cmd = self.keymap.lookup(&key, Scope::Tree);
                if let Some(cmd) = cmd {
                    self.tree_command(cmd);
                }
            }
            _ => return false,
        }
        true
    }

    fn apply_filter(&mut self) {
        if self.table.is_some() {
            self.resort_table();
            self.keep_selection_visible();
            return;
        }
        if self.filter.query.is_empty() {
            self.filter.engine.reset();
            self.tree.set_filter(None);
        } else {
            let matches = self.filter.engine.apply(&self.tree, &self.filter.query);
            if self.filter.engine.kept_every_match() && self.tree.is_filtered() {
                // The rows shown are the rows: nothing to lay out again.
                self.keep_selection_visible();
                return;
            }
            // The engine's index is in tree order and knows each entry's parent.
            let rows = self.filter.engine.rows();
            self.tree.set_filter_rows(matches, rows);
        }
        self.tree.refresh_visible();
        self.keep_selection_visible();
    }

    /// While the user types, the cursor goes to the best match (the exact name first), unless
    /// it already stands on a match as good.
    fn select_best_match(&mut self) {
        if self.table.is_some() {
            self.select_best_row();
            return;
        }
        let query = &self.filter.query;
        let Some(matches) = self.tree.filter_matches() else {
            return;
        };
        let Some(best) = self.filter.engine.best() else {
            return;
        };
        let rank = |id: EntryId| filter::rank_node(&self.tree.get(id).node, query);
        let stays = self
            .cursor
            .selected
            .is_some_and(|s| matches.contains(&s) && rank(s) <= rank(best));
        if let Some(id) = Some(best).filter(|_| !stays)
            && self.cursor.selected != Some(id)
        {
            self.cursor.selected = Some(id);
            self.selection_changed();
            self.scroll_to_selection();
        }
    }

    fn clear_filter(&mut self) {
        self.filter.query.clear();
        self.apply_filter();
    }

    fn on_api(&mut self, ev: ApiEvent) -> bool {
        let ApiEvent {
            req,
            endpoint,
            result,
        } = ev;
        match result {
            ApiAnswer::Connected(r) => self.on_connected(req, endpoint, r),
            ApiAnswer::Children(batch) => match self.loading.get(&req) {
                Some(&entry) => {
                    let progress = batch.progress.is_some();
                    if let Some(p) = &batch.progress {
                        self.listing_progress(req, entry, endpoint, p);
                    }
                    self.tree.accept_batch(entry, req, batch) || progress
                }
                None => false,
            },
            ApiAnswer::ChildrenDone(r) => self.on_children_done(req, endpoint, r),
            ApiAnswer::Sprawl(r) => self.on_sprawl(req, r),
            ApiAnswer::SprawlUpdate(u) => self.on_sprawl_update(req, u),
            ApiAnswer::SnapshotSizes(r) => self.on_snapshot_sizes(req, endpoint, r),
            ApiAnswer::Details(r) if self.is_lookup(req) => self.on_lookup(req, *r),
            ApiAnswer::Details(r) if self.is_reread(req) => self.on_reread(req, endpoint, *r),
            ApiAnswer::Details(r) => self.on_details(req, *r),
            ApiAnswer::Invoked(r) => self.on_invoked(req, endpoint, r),
            ApiAnswer::Cancelled(r) => self.on_cancelled(req, r),
            ApiAnswer::AuditFailed(msg) => self.on_audit_failed(req, msg),
            ApiAnswer::VmInsight(r) => self.on_vm_insight(req, r),
            ApiAnswer::VmHealth(dots) => self.on_vm_health(req, dots),
            ApiAnswer::VmHealthDone(r) => self.on_vm_health_done(req, endpoint, r),
            ApiAnswer::VmBackings(r) => self.on_vm_backings(req, r),
            ApiAnswer::VmKey(r) => self.on_vm_key(req, r),
            ApiAnswer::Events(r) => self.on_events(req, r),
            ApiAnswer::Found(r) if self.is_goto(req) => self.on_found(req, r),
            ApiAnswer::Found(_) => false,
            ApiAnswer::Ancestors(r) => self.on_ancestors(req, r),
            other => self.on_task_answer(req, endpoint, other),
        }
    }

    fn on_connected(
        &mut self,
        req: ReqId,
        endpoint: EndpointId,
        result: Result<EndpointInfo, crate::api::ApiError>,
    ) -> bool {
        let Some(root) = self.loading.remove(&req) else {
            return false;
        };
        match result {
            Ok(info) => {
                self.endpoints[endpoint].info = Some(info);
                self.tree.get_mut(root).set_load(Load::NotLoaded);
                self.tree.set_expanded(root, true);
                self.load_children(root);
                self.refresh_recent_tasks(endpoint);
                self.endpoint_connected(endpoint);
                self.dots_for_listed(endpoint);
                if self.cursor.selected == Some(root) {
                    self.selection_changed();
                }
            }
            Err(e) => {
                let msg = self.connect_failure(endpoint, &e);
                // The label prefixes the toast unless the message already names it (a --url
                // endpoint is labelled with its host, and transport errors name the host).
                let label = &self.endpoints[endpoint].label;
                let toast = if msg.contains(label.as_str()) {
                    msg.clone()
                } else {
                    format!("{label}: {msg}")
                };
                self.notify(toast, Severity::Error);
                self.offer_password_prompt(endpoint, &msg);
                self.tree.get_mut(root).set_load(Load::failed(msg));
            }
        }
        true
    }

    fn on_children_done(
        &mut self,
        req: ReqId,
        endpoint: EndpointId,
        result: Result<(), crate::api::ApiError>,
    ) -> bool {
        let Some(entry) = self.loading.remove(&req) else {
            return false;
        };
        // A table's endpoint whose product has no such objects lists none: no failure.
        let absent = self.table_kind_of(entry).is_some()
            && matches!(result, Err(crate::api::ApiError::Unsupported(_)));
        if absent && self.kind_absent.insert(entry) {
            // Nothing in the tree changes, but the table's notes may.
            if let Some(t) = &mut self.table {
                t.built_for = None;
            }
        }
        let result = match result {
            Err(_) if absent => Ok(()),
            r => r.map_err(|e| e.to_string()),
        };
        self.listing_done(req, endpoint, result.as_ref().err().cloned());
        let ok = result.is_ok();
        let changed = self.tree.finish_load(entry, req, result);
        // A refresh that ends in slices asks for its rows' health when its listing is in.
        if ok && !matches!(self.tree.get(entry).load(), Load::Loading(_)) {
            self.dots_insight(entry);
        }
        if changed {
            if self.tree.is_filtered() {
                self.apply_filter();
            }
            self.keep_selection_visible();
        }
        changed
    }

    /// Starts loading an entry's children (or reconnecting, for a failed endpoint root).
    pub(crate) fn load_children(&mut self, entry: EntryId) {
        if self.is_all_snapshots(entry) {
            self.load_all_snapshots();
            return;
        }
        if self.reload_table_root(entry) {
            return;
        }
        let e = self.tree.get(entry);
        let endpoint = e.endpoint();
        if self.endpoints[endpoint].root == entry && self.endpoints[endpoint].info.is_none() {
            match e.load() {
                Load::Loading { .. } => {}
                // The same password would be refused again: ask for another first.
                Load::Failed(msg) if self.endpoints[endpoint].login_refused => {
                    let msg = String::clone(msg);
                    self.open_password_prompt(endpoint, msg);
                }
                _ => self.connect(endpoint),
            }
            return;
        }
        let node = e.node.clone();
        let req = self.req();
        self.tree.start_load(entry, req);
        self.stop_loading(entry);
        self.loading.insert(req, entry);
        self.effects.push(Effect::Children {
            req,
            endpoint,
            node,
        });
    }

    /// Abandons every children listing still running for `entry`.
    pub(crate) fn stop_loading(&mut self, entry: EntryId) {
        let stale: Vec<ReqId> = self
            .loading
            .iter()
            .filter(|(_, e)| **e == entry)
            .map(|(r, _)| *r)
            .collect();
        for req in stale {
            self.loading.remove(&req);
            self.listing_canceled(req, self.tree.get(entry).endpoint());
            self.abandon(req);
        }
        self.stop_dots(entry);
    }

    /// The endpoint an entry belongs to, as shown to users; None for the view across all.
    pub fn endpoint_of(&self, entry: EntryId) -> Option<&Endpoint> {
        (!self.is_all_snapshots(entry)).then(|| &self.endpoints[self.tree.get(entry).endpoint()])
    }

    /// Where each pane is on the current screen (with the zoom), for keys and drawing alike.
    pub fn areas(&self) -> layout::Areas {
        let (w, h) = self.size;
        layout::areas_with(
            ratatui::layout::Rect::new(0, 0, w, h),
            self.zoomed.then_some(self.focus),
        )
    }

    pub fn selected_entry(&self) -> Option<&tree::Entry> {
        self.cursor.selected.map(|s| self.tree.get(s))
    }
}
