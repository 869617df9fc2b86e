//! A split listing whose parts overlap: a VM that moved from one cluster to the other between
//! the two clusters' lists is in both, and shows once (`seen`), whatever its id looks like.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::*;
use crate::api::error::ApiError;

/// One datacenter over the cap, two clusters whose VM lists both hold the moved VMs.
struct Moved;

/// VMs in both clusters: a plain moid, one past the bit set's bound, one with a leading zero
/// and one that is no number.
const IN_BOTH: [&str; 4] = ["vm-7", "vm-16777300", "vm-07", "vm-x"];

impl Lister for Moved {
    async fn list(&self, kind: Kind, scope: &Scope) -> ApiResult<Vec<Value>> {
        let item = |key: &str, v: &str| json!({ key: v, "name": v });
        let cluster = scope.iter().find(|(k, _)| k == CLUSTER.filter);
        Ok(match (kind.rest, cluster) {
            ("vm", None) => {
                return Err(ApiError::Server {
                    status: 500,
                    code: Some("unable_to_allocate_resource".into()),
                    message: "too many".into(),
                });
            }
            ("vm", Some((_, c))) => {
                let own = match c.as_str() {
                    "c1" => ["vm-1", "vm-2"],
                    _ => ["vm-3", "vm-4"],
                };
                (own.iter().chain(&IN_BOTH))
                    .map(|id| item("vm", id))
                    .collect()
            }
            ("datacenter", _) => vec![item("datacenter", "dc")],
            ("cluster", _) => vec![item("cluster", "c1"), item("cluster", "c2")],
            // Both hosts are in the clusters: no standalone host.
            ("host", _) => vec![item("host", "h1"), item("host", "h2")],
            _ => Vec::new(),
        })
    }
}

#[tokio::test]
async fn a_vm_two_parts_list_shows_once() {
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let g = got.clone();
    let sink = ChildSink::new(move |b| {
        (g.lock().unwrap()).extend(b.nodes.iter().map(|n| n.id.to_string()));
    });
    stream_vms_from(&Moved, Vec::new(), 16, &sink, true)
        .await
        .unwrap();
    let mut got = got.lock().unwrap().clone();
    got.sort();
    let mut want: Vec<String> = (["vm-1", "vm-2", "vm-3", "vm-4"].iter().chain(&IN_BOTH))
        .map(|m| format!("vm/{m}"))
        .collect();
    want.sort();
    assert_eq!(got, want);
}
