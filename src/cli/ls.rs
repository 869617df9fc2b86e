//! `vnav ls PATH`: the children of one node, as the tree shows them. `/` is the top level: the
//! endpoint's own children with one endpoint (a vCD's orgs), the endpoints with several. Each
//! segment names a child of the one before: its exact name, else the one name equal to it
//! ignoring case, else the one name that starts with it (ignoring case). A `/` in a name is
//! written `\/`, as `vnav dump` writes paths.
//!
//! Exit codes: 0 listed; 1 the endpoint or a listing failed; 2 bad options or a path that names
//! nothing (with the names that were there).

use std::io::BufWriter;
use std::sync::Arc;

use super::endpoints::{self, EndpointArgs, Target};
use super::output::{self, Cell, Column, Format, Writer};
use super::rows::{self, Place};
use super::walk::{path_segment, split_path};
use crate::api::Backend;
use crate::api::backend::ChildSink;
use crate::api::model::{ChildBatch, Node, NodeKind};

#[derive(clap::Args, Clone, Debug)]
pub struct LsArgs {
    #[command(flatten)]
    pub endpoints: EndpointArgs,
    /// The node whose children to list, e.g. / or /acme/acme-ams-gold.
    #[arg(default_value = "/")]
    pub path: String,
    /// The columns to write (comma-separated; see `vnav dump --help`); default name, kind,
    /// state, summary, id.
    #[arg(long, value_delimiter = ',', value_parser = rows::column_arg)]
    pub columns: Vec<Column>,
    /// table: aligned; json: one object per line; csv: a header row, then a row per child.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Why `ls` stopped: `Usage` is exit 2, `Failed` exit 1.
pub enum LsError {
    Usage(String),
    Failed(String),
}

pub async fn run(args: &LsArgs) -> Result<(), LsError> {
    let resolved = endpoints::resolve(&args.endpoints)
        .await
        .map_err(LsError::Usage)?;
    let mut segments = split_path(&args.path).into_iter();
    let mut path = String::new();
    let target: &Target = if let [only] = resolved.targets.as_slice() {
        only
    } else {
        let Some(first) = segments.next() else {
            let endpoints: Vec<(Node, String)> = resolved
                .targets
                .iter()
                .map(|t| {
                    let node = Node::new(NodeKind::Endpoint, t.ctx.url.as_str(), t.label.as_str())
                        .with_summary(
                            format!("{:?} as {}", t.ctx.product, t.ctx.user).to_lowercase(),
                        );
                    (node, t.label.clone())
                })
                .collect();
            return write(args, "", endpoints);
        };
        let labels: Vec<&str> = resolved.targets.iter().map(|t| t.label.as_str()).collect();
        let i = pick(&labels, &first).map_err(|why| LsError::Usage(format!("/: {why}")))?;
        path = format!("/{}", path_segment(&resolved.targets[i].label));
        &resolved.targets[i]
    };
    let backend = endpoints::backend(&target.ctx, &target.label, target.password.0.clone())
        .map_err(LsError::Usage)?;
    let fail = |what: String| LsError::Failed(format!("{}: {what}", target.label));
    backend.connect().await.map_err(|e| fail(e.to_string()))?;
    let mut node = backend.root();
    node.name = target.label.as_str().into();
    for segment in segments {
        let children = children(&backend, &node)
            .await
            .map_err(|e| fail(format!("{}: {e}", shown(&path))))?;
        let names: Vec<&str> = children.iter().map(|c| &*c.name).collect();
        let i = pick(&names, &segment)
            .map_err(|why| LsError::Usage(format!("{}: {why}", shown(&path))))?;
        node = children.into_iter().nth(i).expect("picked among them");
        path.push('/');
        path.push_str(&path_segment(&node.name));
    }
    let children = children(&backend, &node)
        .await
        .map_err(|e| fail(format!("{}: {e}", shown(&path))))?;
    backend.logout().await;
    let rows = children
        .into_iter()
        .map(|c| {
            let p = format!("{path}/{}", path_segment(&c.name));
            (c, p)
        })
        .collect();
    write(args, &target.label, rows)
}

fn shown(path: &str) -> &str {
    if path.is_empty() { "/" } else { path }
}

/// A node's children in the tree's order: as the backend hands them over, and in name order
/// where it hands over parts that may finish in any order.
async fn children(backend: &Arc<dyn Backend>, node: &Node) -> crate::api::ApiResult<Vec<Node>> {
    let batches = Arc::new(std::sync::Mutex::new(Vec::<ChildBatch>::new()));
    let keep = batches.clone();
    let sink = ChildSink::new(move |b| {
        if let Ok(mut all) = keep.lock() {
            all.push(b);
        }
    });
    backend.children(node, &sink).await?;
    let batches = std::mem::take(
        &mut *batches
            .lock()
            .map_err(|_| crate::api::ApiError::Transport("listing interrupted".into()))?,
    );
    let by_name = batches.iter().any(|b| b.by_name);
    let mut nodes: Vec<Node> = batches.into_iter().flat_map(|b| b.nodes).collect();
    if by_name {
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(nodes)
}

/// The one name `wanted` names (see the module doc), or why there is none.
fn pick(names: &[&str], wanted: &str) -> Result<usize, String> {
    if let Some(i) = names.iter().position(|n| *n == wanted) {
        return Ok(i);
    }
    let lower = wanted.to_lowercase();
    let same: Vec<usize> = (0..names.len())
        .filter(|&i| names[i].to_lowercase() == lower)
        .collect();
    let starts: Vec<usize> = (0..names.len())
        .filter(|&i| names[i].to_lowercase().starts_with(&lower))
        .collect();
    match (same.as_slice(), starts.as_slice()) {
        ([i], _) | ([], [i]) => Ok(*i),
        (_, []) => {
            let near: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| n.to_lowercase().contains(&lower))
                .chain(names.iter().copied())
                .take(8)
                .collect();
            Err(if names.is_empty() {
                format!("no {wanted:?} here: it has no children")
            } else {
                format!("no {wanted:?} here (there are: {})", dedup(near).join(", "))
            })
        }
        (_, many) => Err(format!(
            "{wanted:?} names {} children: {}",
            many.len(),
            many.iter()
                .take(8)
                .map(|&i| names[i])
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn dedup(mut v: Vec<&str>) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|n| seen.insert(*n));
    v
}

fn write(args: &LsArgs, endpoint: &str, rows: Vec<(Node, String)>) -> Result<(), LsError> {
    let columns = if args.columns.is_empty() {
        rows::LS_DEFAULT
            .iter()
            .filter_map(|id| rows::column_arg(id).ok())
            .collect()
    } else {
        args.columns.clone()
    };
    let result = (|| {
        let out = BufWriter::new(std::io::stdout().lock());
        let mut w = Writer::new(args.format, columns, out)?;
        for (node, path) in &rows {
            let at = Place {
                endpoint: if endpoint.is_empty() {
                    &node.name
                } else {
                    endpoint
                },
                path,
                parent: None,
            };
            let cells: Vec<Cell> = w
                .columns()
                .iter()
                .map(|c| rows::cell(c, node, &at))
                .collect();
            w.row(&cells)?;
        }
        w.finish()
    })();
    match result {
        Err(e) if !output::reader_gone(&e) => Err(LsError::Failed(format!("cannot write: {e}"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn segments_match_exactly_then_ignoring_case_then_by_prefix() {
        let names = ["acme", "Acme-Labs", "globex", "web-1", "web-10"];
        assert_eq!(pick(&names, "acme"), Ok(0));
        assert_eq!(pick(&names, "ACME-labs"), Ok(1));
        assert_eq!(pick(&names, "glo"), Ok(2));
        assert_eq!(pick(&names, "web-1"), Ok(3));
        let many = pick(&names, "web").unwrap_err();
        assert!(many.contains("names 2 children: web-1, web-10"), "{many}");
        let none = pick(&names, "initech").unwrap_err();
        assert!(
            none.contains("no \"initech\" here (there are: acme, Acme-Labs"),
            "{none}"
        );
    }
}
