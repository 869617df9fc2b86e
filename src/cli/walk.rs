//! One pass over an endpoint's tree for `vnav dump`: depth first, each entity once (the backend
//! says which branches to list, `Backend::walk_into`), in an order that is the same on every
//! run of the same estate, holding only the listings on the current path.
//!
//! Order while streaming: children are sorted by (kind, name, id) within each batch the backend
//! hands over. Backends hand over a parent's children either in one batch, or in parts whose
//! order is itself fixed (vCD query pages of a name-sorted query, delivered in page order), so
//! that is a total, repeatable order without holding a whole listing. Parts that may finish in
//! any order (`ChildBatch::by_name`: a vCenter list split past the server's cap) are held
//! until that listing completes and then sorted: at most one such parent's children.
//!
//! Memory: the listings on the current path, plus up to `AHEAD` sibling listings read ahead at
//! each level; never the whole estate.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::api::backend::{Backend, ChildSink};
use crate::api::error::ApiError;
use crate::api::model::{ChildBatch, Node};

/// What the walk reports as it goes.
pub trait Visitor {
    /// A node found under `parent`, at `path` (its segments escaped, see `path_segment`).
    fn found(&mut self, node: &Node, path: &str, parent: &Node);
    /// Listing the children of the node at `path` failed; the walk goes on with its siblings.
    fn failed(&mut self, path: &str, error: ApiError);
    /// Whether the walk should stop (the reader of the output went away).
    fn stopped(&self) -> bool {
        false
    }
}

/// Listings started ahead of the walk among a node's children: the next siblings' children
/// are read while the walk is still in an earlier one, so a server with latency is kept busy
/// (the endpoint's connection limit still bounds the requests in flight).
const AHEAD: usize = 16;

/// A listing running on its own task, its batches waiting in a channel; stopped when dropped.
struct Listing {
    batches: mpsc::UnboundedReceiver<ChildBatch>,
    task: tokio::task::JoinHandle<crate::api::ApiResult<()>>,
}

impl Drop for Listing {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn start(backend: &Arc<dyn Backend>, node: &Node) -> Listing {
    let (tx, batches) = mpsc::unbounded_channel::<ChildBatch>();
    let (backend, node) = (backend.clone(), node.clone());
    let task = tokio::spawn(async move {
        let sink = ChildSink::new(move |batch| {
            let _ = tx.send(batch);
        });
        backend.children(&node, &sink).await
    });
    Listing { batches, task }
}

/// Walks everything below `node` (which is at `path`: "" for an endpoint's root).
pub async fn walk(backend: &Arc<dyn Backend>, node: &Node, path: &str, visitor: &mut dyn Visitor) {
    drain(backend, node, path, start(backend, node), visitor).await
}

/// Visits the children `listing` hands over, and below them.
fn drain<'a>(
    backend: &'a Arc<dyn Backend>,
    node: &'a Node,
    path: &'a str,
    mut listing: Listing,
    visitor: &'a mut dyn Visitor,
) -> Pin<Box<dyn Future<Output = ()> + 'a>> {
    Box::pin(async move {
        let mut held = Vec::new();
        while let Some(batch) = listing.batches.recv().await {
            if visitor.stopped() {
                return;
            }
            if batch.by_name {
                held.extend(batch.nodes);
            } else {
                visit(backend, batch.nodes, node, path, visitor).await;
            }
        }
        visit(backend, held, node, path, visitor).await;
        match (&mut listing.task).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => visitor.failed(path, e),
            Err(e) => visitor.failed(path, ApiError::Transport(format!("listing stopped: {e}"))),
        }
    })
}

async fn visit(
    backend: &Arc<dyn Backend>,
    mut nodes: Vec<Node>,
    parent: &Node,
    path: &str,
    visitor: &mut dyn Visitor,
) {
    nodes.sort_by(|a, b| (a.kind, &a.name, &a.id).cmp(&(b.kind, &b.name, &b.id)));
    let mut ahead: VecDeque<Option<Listing>> = VecDeque::new();
    let mut started = 0;
    for (i, child) in nodes.iter().enumerate() {
        if visitor.stopped() {
            return;
        }
        while started < nodes.len() && started < i + AHEAD {
            let next = &nodes[started];
            ahead.push_back(backend.walk_into(next).then(|| start(backend, next)));
            started += 1;
        }
        let child_path = format!("{path}/{}", path_segment(&child.name));
        visitor.found(child, &child_path, parent);
        if let Some(listing) = ahead.pop_front().flatten() {
            drain(backend, child, &child_path, listing, visitor).await;
        }
    }
}

/// A name as one path segment: `/` and `\` escaped with `\`, so `vnav ls` can split a path
/// that `vnav dump` wrote.
pub fn path_segment(name: &str) -> String {
    name.replace('\\', "\\\\").replace('/', "\\/")
}

/// The segments of a path as `path_segment` wrote them, unescaped; empty ones are skipped.
pub fn split_path(path: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            '/' => {
                if !current.is_empty() {
                    segments.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{ActionOffer, ActionParams, Details, EndpointInfo, NodeKind, TaskInfo};

    /// An endpoint with two folders: `a` hands its children over in parts that finished in
    /// the "wrong" order (by_name), `b` cannot be listed.
    struct Fake;

    fn nope<T>() -> crate::api::ApiResult<T> {
        Err(ApiError::Unsupported("not in this fake".into()))
    }

    #[async_trait::async_trait]
    impl Backend for Fake {
        fn root(&self) -> Node {
            Node::new(NodeKind::Endpoint, "root", "fake").expandable(true)
        }
        async fn connect(&self) -> crate::api::ApiResult<EndpointInfo> {
            nope()
        }
        async fn children(&self, parent: &Node, sink: &ChildSink) -> crate::api::ApiResult<()> {
            let folder = |id: &str| Node::new(NodeKind::Folder, id, id).expandable(true);
            let vm = |name: &str| Node::new(NodeKind::Vm, format!("vm/{name}"), name);
            let part = |names: &[&str]| ChildBatch {
                nodes: names.iter().map(|n| vm(n)).collect(),
                by_name: true,
                ..ChildBatch::default()
            };
            match &*parent.id.as_str() {
                "root" => sink.all(vec![folder("b"), folder("a")]),
                "a" => {
                    sink.push(part(&["web-3", "web-4"]));
                    sink.push(part(&["web-1", "web-2"]));
                }
                _ => return Err(ApiError::Transport("connection reset".into())),
            }
            Ok(())
        }
        async fn details(&self, _: &Node) -> crate::api::ApiResult<Details> {
            nope()
        }
        async fn invoke(
            &self,
            _: &Node,
            _: &ActionOffer,
            _: &ActionParams,
        ) -> crate::api::ApiResult<TaskInfo> {
            nope()
        }
        async fn poll_task(&self, _: &TaskInfo) -> crate::api::ApiResult<TaskInfo> {
            nope()
        }
        async fn cancel_task(&self, _: &TaskInfo) -> crate::api::ApiResult<()> {
            nope()
        }
        async fn recent_tasks(&self) -> crate::api::ApiResult<Vec<TaskInfo>> {
            nope()
        }
        async fn logout(&self) {}
    }

    #[derive(Default)]
    struct Seen(Vec<String>);

    impl Visitor for Seen {
        fn found(&mut self, _: &Node, path: &str, parent: &Node) {
            self.0.push(format!("{path} (in {})", parent.name));
        }
        fn failed(&mut self, path: &str, error: ApiError) {
            self.0.push(format!("{path} failed: {error}"));
        }
    }

    #[tokio::test]
    async fn parts_in_any_order_come_out_sorted_and_a_failed_listing_is_reported() {
        let backend: Arc<dyn Backend> = Arc::new(Fake);
        let mut seen = Seen::default();
        walk(&backend, &backend.root(), "", &mut seen).await;
        assert_eq!(
            seen.0,
            [
                "/a (in fake)",
                "/a/web-1 (in a)",
                "/a/web-2 (in a)",
                "/a/web-3 (in a)",
                "/a/web-4 (in a)",
                "/b (in fake)",
                "/b failed: connection reset",
            ]
        );
    }

    #[test]
    fn paths_round_trip_names_with_slashes() {
        let names = ["acme", "a/b", "back\\slash", "x"];
        let path: String = names
            .iter()
            .map(|n| format!("/{}", path_segment(n)))
            .collect();
        assert_eq!(path, "/acme/a\\/b/back\\\\slash/x");
        assert_eq!(split_path(&path), names);
        assert_eq!(split_path("/"), Vec::<String>::new());
        assert_eq!(split_path("acme//gold/"), ["acme", "gold"]);
    }
}
