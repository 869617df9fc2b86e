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

/// Walks everything below `node` (which is at `path`: "" for an endpoint's root).
pub fn walk<'a>(
    backend: &'a Arc<dyn Backend>,
    node: &'a Node,
    path: &'a str,
    visitor: &'a mut dyn Visitor,
) -> Pin<Box<dyn Future<Output = ()> + 'a>> {
    Box::pin(async move {
        let (tx, mut rx) = mpsc::unbounded_channel::<ChildBatch>();
        // The listing runs on its own task, so its requests go on while the walk is deeper.
        let listing = {
            let (backend, node) = (backend.clone(), node.clone());
            tokio::spawn(async move {
                let sink = ChildSink::new(move |batch| {
                    let _ = tx.send(batch);
                });
                backend.children(&node, &sink).await
            })
        };
        let mut held = Vec::new();
        while let Some(batch) = rx.recv().await {
            if visitor.stopped() {
                listing.abort();
                return;
            }
            if batch.by_name {
                held.extend(batch.nodes);
            } else {
                visit(backend, batch.nodes, node, path, visitor).await;
            }
        }
        visit(backend, held, node, path, visitor).await;
        match listing.await {
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
    for child in nodes {
        if visitor.stopped() {
            return;
        }
        let child_path = format!("{path}/{}", path_segment(&child.name));
        visitor.found(&child, &child_path, parent);
        if backend.walk_into(&child) {
            walk(backend, &child, &child_path, visitor).await;
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
