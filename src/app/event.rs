//! What flows into `App::handle` (events) and what comes out of it (effects to run).
//! Every remote answer carries the id of the request it answers, so stale ones can be dropped.

use std::time::Duration;

use crossterm::event::KeyEvent;

use crate::api::model::{
    ActionOffer, ActionParams, Backings, ChildBatch, Details, EndpointInfo, Node, NodeKind,
    ObjectEvent, SprawlRow, TaskInfo, VmHealth, VmInsight, VmKey,
};
use crate::api::{ApiError, SprawlUpdate};

use super::tree::EndpointId;

pub type ReqId = u64;

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Mouse(crossterm::event::MouseEvent),
    Resize(u16, u16),
    /// Time passed: spinners, debounced loads, due polls and toasts.
    Tick,
    Api(ApiEvent),
    /// SIGTERM/SIGHUP/SIGINT or a lost terminal: quit now, whatever is on screen.
    Terminate,
    /// A finished action's line could not be appended to the audit log.
    AuditNotWritten {
        record: AuditRecord,
        error: String,
    },
    /// A config context `:ctx` asked for was opened (`Effect::OpenContext`) as endpoint
    /// `endpoint` (the runtime already holds its client), with where its password came from
    /// (None: none was given, ask for it); or why it could not be.
    ContextOpened {
        name: String,
        endpoint: EndpointId,
        result: Result<(super::EndpointSpec, Option<crate::config::PasswordSource>), String>,
    },
    /// The client of a context `:ctx` asked for is built, off the UI (its `password_command`
    /// ran on a thread of its own): the app asks for it to be put in place
    /// (`Effect::InstallContext`), which the runtime answers with `ContextOpened`.
    ContextReady {
        name: String,
    },
    /// A `:theme` file was read (`Effect::LoadTheme`): the theme, or why it is unusable.
    ThemeLoaded {
        name: String,
        result: Result<crate::theme::Theme, String>,
    },
    /// A table's order a `Effect::SortOrder` built (None: it was cancelled or failed).
    SortBuilt {
        req: ReqId,
        built: Option<super::table_order::BuiltOrder>,
    },
    /// The user's themes folder was listed (`Effect::ListThemes`): the names `:theme` offers
    /// beside the built-in ones, themes added since start included.
    ThemesListed {
        names: Vec<String>,
    },
}

#[derive(Debug)]
pub struct ApiEvent {
    pub req: ReqId,
    pub endpoint: EndpointId,
    pub result: ApiAnswer,
}

#[derive(Debug)]
pub enum ApiAnswer {
    Connected(Result<EndpointInfo, ApiError>),
    Children(ChildBatch),
    ChildrenDone(Result<(), ApiError>),
    Details(Box<Result<Details, ApiError>>),
    Invoked(Result<TaskInfo, ApiError>),
    TaskPolled(Result<TaskInfo, ApiError>),
    Cancelled(Result<(), ApiError>),
    RecentTasks(Result<Vec<TaskInfo>, ApiError>),
    /// One endpoint's VMs with snapshots, complete, for the snapshot view.
    Sprawl(Result<Vec<SprawlRow>, ApiError>),
    /// Its rows, sizes and progress before it completes.
    SprawlUpdate(SprawlUpdate),
    /// Snapshot sizes a vCenter read for another endpoint's rows, by vCenter VM node id.
    SnapshotSizes(Result<Vec<(Box<str>, u64)>, ApiError>),
    /// What a `Find` found, best first.
    Found(Result<Vec<Node>, ApiError>),
    /// Where a found node sits: the nodes above it, the top one first.
    Ancestors(Result<Vec<Node>, ApiError>),
    /// The audit log could not be written; the action was not started.
    AuditFailed(String),
    /// What a monitoring endpoint says about VMs of other endpoints.
    VmInsight(Result<Vec<VmInsight>, ApiError>),
    /// One part of a bulk health read: dots for some of the VMs asked.
    VmHealth(Vec<VmHealth>),
    /// The bulk health read ended; every part came before this.
    VmHealthDone(Result<(), ApiError>),
    /// The vCenter VM behind each VM asked about.
    VmBackings(Result<Backings, ApiError>),
    /// The vCenter VM a monitoring endpoint's node watches.
    VmKey(Result<Option<VmKey>, ApiError>),
    /// An object's recent tasks and events, newest first.
    Events(Result<Vec<ObjectEvent>, ApiError>),
}

/// One line of the audit log (see `audit.rs`); filled in by the app, written by the runtime.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditRecord {
    pub timestamp: String,
    pub endpoint: String,
    pub user: String,
    pub target_id: String,
    pub target_name: String,
    pub action: String,
    pub parameters: serde_json::Value,
    pub task_id: Option<String>,
    pub result: String,
}

/// Work the runtime performs for the app; answers come back as `Event::Api`.
#[derive(Debug)]
pub enum Effect {
    Connect {
        req: ReqId,
        endpoint: EndpointId,
    },
    Children {
        req: ReqId,
        endpoint: EndpointId,
        node: Node,
    },
    Details {
        req: ReqId,
        endpoint: EndpointId,
        node: Node,
    },
    /// Checks the audit log is writable, then invokes. Never retried.
    Invoke {
        req: ReqId,
        endpoint: EndpointId,
        node: Node,
        action: ActionOffer,
        params: ActionParams,
    },
    PollTask {
        req: ReqId,
        endpoint: EndpointId,
        task: TaskInfo,
        delay: Duration,
    },
    CancelTask {
        req: ReqId,
        endpoint: EndpointId,
        task: TaskInfo,
    },
    RecentTasks {
        req: ReqId,
        endpoint: EndpointId,
    },
    /// Every node of a kind on the endpoint (the `:vm`, `:host`, … tables); answered like
    /// `Children`, with `Children` batches and one `ChildrenDone`.
    ListKind {
        req: ReqId,
        endpoint: EndpointId,
        kind: NodeKind,
    },
    /// The objects matching a text, asked of the server (`:goto`); answered with `Found`.
    Find {
        req: ReqId,
        endpoint: EndpointId,
        text: String,
    },
    /// Where `node` sits in the tree (`Backend::ancestors`); answered with `Ancestors`.
    Ancestors {
        req: ReqId,
        endpoint: EndpointId,
        node: Node,
    },
    /// Rows, sizes and progress come back as `SprawlUpdate`s, the complete rows as `Sprawl`.
    /// The sizes of VMs on `vcenters` (URLs of connected vCenter endpoints) are left to them.
    Sprawl {
        req: ReqId,
        endpoint: EndpointId,
        vcenters: Vec<Box<str>>,
    },
    /// Asks a vCenter for the snapshot sizes of these VMs (node ids) in bulk: vCD rows whose
    /// VM it holds. Answered with `SnapshotSizes`.
    SnapshotSizes {
        req: ReqId,
        endpoint: EndpointId,
        vms: Vec<Box<str>>,
    },
    /// Stops the job started for `req`: nobody waits for its answer any more (a refresh, a
    /// collapse, another selection superseded it), so its remaining requests are not sent.
    /// Actions and task cancels are never abandoned.
    Abandon {
        req: ReqId,
    },
    /// Appends one finished action to the audit log.
    Audit(AuditRecord),
    /// Use this password for the endpoint from now on (typed after a refused login); the
    /// `Connect` that follows logs in with it.
    SetPassword {
        endpoint: EndpointId,
        password: secrecy::SecretString,
    },
    /// Asks a monitoring endpoint about VMs of other endpoints (≤ 1,000 a call is the
    /// backend's business), with their day of metrics when `day`.
    VmInsight {
        req: ReqId,
        endpoint: EndpointId,
        vms: Vec<VmKey>,
        day: bool,
    },
    /// Asks a monitoring endpoint for the health of VMs of other endpoints, answered a part
    /// at a time (`ApiAnswer::VmHealth`, then `VmHealthDone`).
    VmHealth {
        req: ReqId,
        endpoint: EndpointId,
        vms: Vec<VmKey>,
    },
    /// Asks an endpoint which vCenter VM is behind each of its VMs (within the vApp `within`,
    /// or all), so its rows can be matched to a monitoring endpoint's VMs.
    VmBackings {
        req: ReqId,
        endpoint: EndpointId,
        within: Option<Node>,
    },
    /// Asks a monitoring endpoint which vCenter VM its node watches.
    VmKey {
        req: ReqId,
        endpoint: EndpointId,
        node: Node,
    },
    /// Reads the recent tasks and events of the shown object (its details' Events section).
    Events {
        req: ReqId,
        endpoint: EndpointId,
        node: Node,
    },
    /// Builds the client of the config context `name`, not opened at start, off the UI;
    /// answered by `Event::ContextReady` (or at once by `Event::ContextOpened` when this vnav
    /// cannot open contexts).
    OpenContext {
        name: String,
    },
    /// Puts the context `name`, built after `OpenContext` (`Event::ContextReady`), in place as
    /// the next endpoint; answered by `Event::ContextOpened`.
    InstallContext {
        name: String,
    },
    /// Reads the theme `name` (`<dir>/<name>.toml`, else a built-in one) and answers with
    /// `Event::ThemeLoaded`.
    LoadTheme {
        name: String,
        dir: std::path::PathBuf,
    },
    /// Lists the user's themes folder (a directory listing) and answers with
    /// `Event::ThemesListed`.
    ListThemes {
        dir: std::path::PathBuf,
    },
    /// Builds a table's order by a column on a blocking thread (`SortJob::run`: a sort of
    /// every row's key, ~100 ms at 300,000 rows) and answers with `Event::SortBuilt`.
    SortOrder {
        req: ReqId,
        job: super::table_order::SortJob,
    },
    /// Replaces a small file of vnav's state (the bookmarks) with this text.
    WriteState {
        path: std::path::PathBuf,
        text: String,
    },
    /// Puts text on the user's clipboard (through the terminal: OSC 52, so it works over SSH).
    Copy(String),
    Suspend,
    Quit,
}
