//! The one interface the app uses to talk to any product. Each product folder implements it.

use async_trait::async_trait;

use super::error::ApiResult;
use super::model::{
    ActionOffer, ActionParams, ChildBatch, Details, EndpointInfo, Node, SprawlRow, TaskInfo,
};

/// Receives children as they arrive, so the tree fills while a long listing runs.
pub struct ChildSink(Box<dyn Fn(ChildBatch) + Send + Sync>);

impl ChildSink {
    pub fn new(f: impl Fn(ChildBatch) + Send + Sync + 'static) -> Self {
        ChildSink(Box::new(f))
    }

    pub fn push(&self, batch: ChildBatch) {
        (self.0)(batch)
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

#[async_trait]
pub trait Backend: Send + Sync {
    /// The endpoint's own node: the root of its subtree.
    fn root(&self) -> Node;

    /// Logs in (negotiating the API version where there is one) and says who we are.
    async fn connect(&self) -> ApiResult<EndpointInfo>;

    /// Streams the children of `parent` into `sink`, in display order; returns when complete.
    async fn children(&self, parent: &Node, sink: &ChildSink) -> ApiResult<()>;

    async fn details(&self, node: &Node) -> ApiResult<Details>;

    /// Starts an action the server offered and returns the task that tracks it.
    async fn invoke(
        &self,
        node: &Node,
        action: &ActionOffer,
        params: &ActionParams,
    ) -> ApiResult<TaskInfo>;

    async fn poll_task(&self, task: &TaskInfo) -> ApiResult<TaskInfo>;

    async fn cancel_task(&self, task: &TaskInfo) -> ApiResult<()>;

    /// Every VM with snapshots, oldest snapshot first: snapshot sprawl, the usual audit finding.
    /// Feeds the endpoint's own snapshot view and the one across all endpoints; progress of a
    /// long read goes to `progress`.
    async fn snapshot_sprawl(&self, progress: &ChildSink) -> ApiResult<Vec<SprawlRow>>;

    /// The endpoint's running and recently finished tasks.
    async fn recent_tasks(&self) -> ApiResult<Vec<TaskInfo>>;

    async fn logout(&self);
}
