//! The one interface the app uses to talk to any product. Each product folder implements it.

use async_trait::async_trait;

use super::error::{ApiError, ApiResult};
use super::model::{
    ActionOffer, ActionParams, Backings, ChildBatch, Details, EndpointInfo, ListProgress, Node,
    NodeKind, ObjectEvent, SprawlRow, TaskInfo, VimRef, VmHealth, VmInsight, VmKey,
};

/// How many of an object's latest tasks and events its details show.
pub const EVENTS_SHOWN: usize = 15;

/// Receives children as they arrive, so the tree fills while a long listing runs.
pub struct ChildSink(Box<dyn Fn(ChildBatch) + Send + Sync>);

impl ChildSink {
    pub fn new(f: impl Fn(ChildBatch) + Send + Sync + 'static) -> Self {
        ChildSink(Box::new(f))
    }

    pub fn push(&self, batch: ChildBatch) {
        (self.0)(batch)
    }

    /// Hands over a whole list at once, in display order: what most listings do.
    pub fn all(&self, nodes: Vec<Node>) {
        self.push(ChildBatch {
            total: Some(nodes.len() as u64),
            nodes,
            progress: None,
            by_name: false,
        })
    }

    /// A sink that keeps every node it receives, for callers that want the whole list.
    pub fn collecting() -> (ChildSink, Collected) {
        let nodes = Collected::default();
        let keep = nodes.0.clone();
        let sink = ChildSink::new(move |batch| {
            if let Ok(mut n) = keep.lock() {
                n.extend(batch.nodes);
            }
        });
        (sink, nodes)
    }
}

/// The nodes a `ChildSink::collecting` sink received.
#[derive(Clone, Default)]
pub struct Collected(std::sync::Arc<std::sync::Mutex<Vec<Node>>>);

impl Collected {
    pub fn take(&self) -> Vec<Node> {
        self.0
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }
}

/// Receives a bulk health read's dots a part (one call's worth) at a time, so neither side
/// holds every VM's answer at once: at 3 × 100,000 VMs that made the process peak ~80 MB
/// higher than the tree it dotted.
pub struct HealthSink(Box<dyn Fn(Vec<VmHealth>) + Send + Sync>);

impl HealthSink {
    pub fn new(f: impl Fn(Vec<VmHealth>) + Send + Sync + 'static) -> Self {
        HealthSink(Box::new(f))
    }

    pub fn push(&self, part: Vec<VmHealth>) {
        (self.0)(part)
    }
}

/// What a snapshot sprawl read reports before it completes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SprawlUpdate {
    /// Every VM with snapshots, oldest first, before their sizes are known.
    Rows(Vec<SprawlRow>),
    /// Sizes read since, by VM node id.
    Sizes(Vec<(Box<str>, u64)>),
    /// The vCenter VM behind rows (by VM node id), learned before their sizes are read; the
    /// sizes of those on a vCenter the sink named (`SprawlSink::sized_elsewhere`) are not read.
    Backings(Vec<(Box<str>, VimRef)>),
    Progress(ListProgress),
}

/// Receives a sprawl read's rows first and their sizes as they are read, so a big estate shows
/// its oldest snapshots at once rather than after thousands of size reads.
pub struct SprawlSink {
    send: Box<dyn Fn(SprawlUpdate) + Send + Sync>,
    /// URLs of vCenters whose VMs' snapshot sizes the caller reads there, in bulk.
    elsewhere: Vec<Box<str>>,
}

impl SprawlSink {
    pub fn new(f: impl Fn(SprawlUpdate) + Send + Sync + 'static) -> Self {
        SprawlSink {
            send: Box::new(f),
            elsewhere: Vec::new(),
        }
    }

    /// The caller reads the snapshot sizes of VMs on these vCenters from the vCenters
    /// themselves (layouts in batches): a vCD read skips them and says which VMs they are.
    pub fn sized_elsewhere(mut self, vcenter_urls: Vec<Box<str>>) -> Self {
        self.elsewhere = vcenter_urls;
        self
    }

    /// Whether some vCenter's sizes are read elsewhere (worth learning what backs each VM).
    pub fn any_elsewhere(&self) -> bool {
        !self.elsewhere.is_empty()
    }

    /// Whether the size of the VM behind `r` is read on its vCenter rather than here.
    pub fn is_sized_elsewhere(&self, r: &VimRef) -> bool {
        self.elsewhere.iter().any(|url| r.is_at(url))
    }

    pub fn backings(&self, backings: Vec<(Box<str>, VimRef)>) {
        if !backings.is_empty() {
            (self.send)(SprawlUpdate::Backings(backings))
        }
    }

    /// A sink for callers that only want the final rows.
    pub fn ignore() -> Self {
        SprawlSink::new(|_| {})
    }

    pub fn rows(&self, rows: &[SprawlRow]) {
        (self.send)(SprawlUpdate::Rows(rows.to_vec()))
    }

    pub fn sizes(&self, sizes: Vec<(Box<str>, u64)>) {
        if !sizes.is_empty() {
            (self.send)(SprawlUpdate::Sizes(sizes))
        }
    }

    pub fn progress(&self, label: &str, done: u64, total: u64) {
        (self.send)(SprawlUpdate::Progress(ListProgress {
            label: label.to_string(),
            done,
            total,
        }))
    }
}

#[async_trait]
pub trait Backend: Send + Sync {
    /// The endpoint's own node: the root of its subtree.
    fn root(&self) -> Node;

    /// Logs in (negotiating the API version where there is one) and says who we are.
    async fn connect(&self) -> ApiResult<EndpointInfo>;

    /// Streams the children of `parent` into `sink`, in display order; returns when complete.
    async fn children(&self, parent: &Node, sink: &ChildSink) -> ApiResult<()>;

    async fn details(&self, node: &Node) -> ApiResult<Details>;

    /// Whether a walk that lists every entity once (`vnav dump`) lists `node`'s children: no
    /// for views that repeat entities listed elsewhere (an "All VMs" group, a health view) and
    /// for branches that cost a request per entity where one paged listing has them all. Each
    /// entity kind is then reached by exactly one route. Default: every expandable node.
    fn walk_into(&self, node: &Node) -> bool {
        node.expandable
    }

    /// Starts an action the server offered and returns the task that tracks it.
    async fn invoke(
        &self,
        node: &Node,
        action: &ActionOffer,
        params: &ActionParams,
    ) -> ApiResult<TaskInfo>;

    async fn poll_task(&self, task: &TaskInfo) -> ApiResult<TaskInfo>;

    async fn cancel_task(&self, task: &TaskInfo) -> ApiResult<()>;

    /// Every VM with snapshots, oldest snapshot first, with sizes: snapshot sprawl, the usual
    /// audit finding. Rows, sizes and progress also go to `sink` as they are read. Optional:
    /// a backend that offers it says so in `EndpointInfo::capabilities`.
    async fn snapshot_sprawl(&self, _sink: &SprawlSink) -> ApiResult<Vec<SprawlRow>> {
        Err(ApiError::Unsupported(
            "this endpoint has no snapshots to list".into(),
        ))
    }

    /// Bytes the snapshots of these VMs (node ids) hold, read in bulk; VMs without a layout
    /// are left out. Optional: vCenter reads it for the vCD VMs it backs.
    async fn snapshot_sizes(&self, _vms: &[Box<str>]) -> ApiResult<Vec<(Box<str>, u64)>> {
        Err(ApiError::Unsupported(
            "this endpoint reads no snapshot sizes in bulk".into(),
        ))
    }

    /// What this endpoint says about these VMs of other products (health, active alerts
    /// and, with `day`, the last 24 h of key metrics), read in bulk and matched on
    /// (vCenter instance UUID, moid); VMs it does not know are left out. Optional: see
    /// `Capabilities::insight`.
    async fn vm_insight(&self, _vms: &[VmKey], _day: bool) -> ApiResult<Vec<VmInsight>> {
        Err(ApiError::Unsupported(
            "this endpoint rates no other product's VMs".into(),
        ))
    }

    /// The health of these VMs of other products, matched as `vm_insight` matches them, handed
    /// to `sink` a part at a time as each is read (`VmHealth::at`: the place in `vms`); VMs it
    /// does not know or has no health for are left out. An error ends the read: the parts
    /// handed over before it stand. Optional: see `Capabilities::insight`.
    async fn vm_health(&self, _vms: &[VmKey], _sink: &HealthSink) -> ApiResult<()> {
        Err(ApiError::Unsupported(
            "this endpoint rates no other product's VMs".into(),
        ))
    }

    /// The vCenter VM behind each VM of this endpoint, within the vApp `within` or, without
    /// one, every VM it has; VMs it names no vCenter VM for are left out. Read in bulk, so a
    /// listing's rows can be matched to a monitoring endpoint's VMs. Optional: see
    /// `Capabilities::backings`.
    async fn vm_backings(&self, _within: Option<&Node>) -> ApiResult<Backings> {
        Err(ApiError::Unsupported(
            "this endpoint names no vCenter VMs behind its VMs".into(),
        ))
    }

    /// The vCenter VM one of this endpoint's nodes watches, if it is one (`i` going back).
    async fn vm_key(&self, _node: &Node) -> ApiResult<Option<VmKey>> {
        Ok(None)
    }

    /// Every node of `kind` on the endpoint, flat, streamed into `sink` (the `:vm`, `:host`, …
    /// tables). Optional: an endpoint without such a kind says so.
    async fn list_kind(&self, kind: NodeKind, _sink: &ChildSink) -> ApiResult<()> {
        Err(ApiError::Unsupported(format!(
            "this endpoint has no {} list",
            kind.label()
        )))
    }

    /// The objects whose name, id/href/moid or IP matches `text`, asked of the server whether
    /// or not they are loaded (`:goto`), best first. Optional.
    async fn find(&self, _text: &str) -> ApiResult<Vec<Node>> {
        Err(ApiError::Unsupported("this endpoint cannot search".into()))
    }

    /// The nodes a browse from the endpoint passes to reach `node`, the top one first (neither
    /// the endpoint nor `node`): where `:goto` opens a node `find` found. Optional, asked only
    /// of endpoints whose capabilities say `places`.
    async fn ancestors(&self, _node: &Node) -> ApiResult<Vec<Node>> {
        Err(ApiError::Unsupported(
            "this endpoint cannot say where a node sits".into(),
        ))
    }

    /// The recent tasks and events of one object, newest first (at most `EVENTS_SHOWN`).
    /// Optional: `Unsupported` for products or kinds that record none, and the detail pane
    /// then shows no Events section.
    async fn events(&self, _node: &Node) -> ApiResult<Vec<ObjectEvent>> {
        Err(ApiError::Unsupported(
            "this endpoint records no events".into(),
        ))
    }

    /// The endpoint's running and recently finished tasks.
    async fn recent_tasks(&self) -> ApiResult<Vec<TaskInfo>>;

    async fn logout(&self);
}
