//! The two bulk property reads of the snapshot view over VI/JSON — each VM's file layout
//! (`layoutEx`) and snapshot tree (`snapshot`), 100 VMs a page — read straight from the
//! answer's bytes into borrowed structs that keep only what the sizes and counts need. Read
//! as `serde_json::Value` trees, the layouts' file names and the trees' text were built and
//! dropped again: a quarter of the client's time at 100,000 VMs (issue 18). Unknown fields
//! are skipped without being kept; the results are those the `Data` reading gives.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Number;

use super::{Count, Kept, Page};
use crate::api::error::{ApiError, ApiResult};

/// A `RetrieveResult` whose objects carry one property of type `V`.
#[derive(Deserialize)]
struct RetrieveResult<'a, V> {
    #[serde(borrow, default = "Vec::new")]
    objects: Vec<ObjectContent<'a, V>>,
    #[serde(borrow, default)]
    token: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ObjectContent<'a, V> {
    #[serde(borrow)]
    obj: MoRef<'a>,
    #[serde(rename = "propSet", default = "Vec::new")]
    props: Vec<Prop<'a, V>>,
}

#[derive(Deserialize)]
struct MoRef<'a> {
    #[serde(borrow, default)]
    value: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Prop<'a, V> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    val: V,
}

/// `VirtualMachineFileLayoutEx`: its files and disk chains (not their names).
#[derive(Deserialize)]
struct Layout<'a> {
    #[serde(borrow, default)]
    file: Vec<File<'a>>,
    #[serde(default)]
    disk: Vec<Disk>,
}

#[derive(Deserialize)]
struct File<'a> {
    key: Option<Number>,
    #[serde(rename = "type", borrow, default)]
    kind: Cow<'a, str>,
    size: Option<Number>,
}

#[derive(Deserialize)]
struct Disk {
    #[serde(default)]
    chain: Vec<Unit>,
}

#[derive(Deserialize)]
struct Unit {
    #[serde(rename = "fileKey", default)]
    file_key: Vec<Number>,
}

/// `VirtualMachineSnapshotInfo`: its trees, of which only the creation times count.
#[derive(Deserialize)]
struct SnapshotInfo<'a> {
    #[serde(rename = "rootSnapshotList", borrow, default)]
    roots: Vec<Tree<'a>>,
}

#[derive(Deserialize)]
struct Tree<'a> {
    #[serde(rename = "createTime", borrow, default)]
    created: Cow<'a, str>,
    #[serde(rename = "childSnapshotList", borrow, default)]
    children: Vec<Tree<'a>>,
}

/// The page `body` holds, each object with what `keep` makes of its property `path` (None
/// when it is unset). An empty body is the answer when nothing matched.
fn page<'a, V: Deserialize<'a>, T>(
    body: &'a [u8],
    path: &str,
    keep: impl Fn(&V) -> T,
) -> ApiResult<Page<Kept<T>>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Page {
            objects: Vec::new(),
            token: None,
        });
    }
    let result: Option<RetrieveResult<'a, V>> = serde_json::from_slice(body)
        .map_err(|e| ApiError::parse(format!("VI/JSON RetrieveResult: {e}")))?;
    let Some(result) = result else {
        return Ok(Page {
            objects: Vec::new(),
            token: None,
        });
    };
    let objects = result
        .objects
        .into_iter()
        .map(|o| Kept {
            moid: o.obj.value.into_owned(),
            value: o
                .props
                .iter()
                .find(|p| p.name == path)
                .map(|p| keep(&p.val)),
        })
        .collect();
    Ok(Page {
        objects,
        token: result.token.map(Cow::into_owned),
    })
}

/// A page of layouts: the bytes each VM's snapshots hold (as `data::snapshot_bytes` counts).
pub fn layouts(body: &[u8]) -> ApiResult<Page<Kept<u64>>> {
    page(body, "layoutEx", |l: &Layout| {
        let mut size = HashMap::with_capacity(l.file.len());
        let mut total = 0;
        for f in &l.file {
            let bytes = f.size.as_ref().and_then(Number::as_u64).unwrap_or(0);
            if matches!(&*f.kind, "snapshotData" | "snapshotMemory") {
                total += bytes;
            }
            if let Some(key) = f.key.as_ref().and_then(Number::as_i64) {
                size.insert(key, bytes);
            }
        }
        for disk in &l.disk {
            for unit in disk.chain.iter().skip(1) {
                for key in &unit.file_key {
                    total += key
                        .as_i64()
                        .and_then(|k| size.get(&k))
                        .copied()
                        .unwrap_or(0);
                }
            }
        }
        total
    })
}

/// A page of snapshot trees: how many snapshots each VM has and when the oldest was taken;
/// None for a VM whose tree is empty (as `data::snapshot_count` says).
pub fn counts(body: &[u8]) -> ApiResult<Page<Kept<Count>>> {
    fn walk<'t>(level: &'t [Tree<'t>], count: &mut usize, oldest: &mut Option<&'t str>) {
        for t in level {
            *count += 1;
            if oldest.is_none_or(|o| *t.created < *o) {
                *oldest = Some(&t.created);
            }
            walk(&t.children, count, oldest);
        }
    }
    page(body, "snapshot", |info: &SnapshotInfo| {
        let (mut count, mut oldest) = (0, None);
        walk(&info.roots, &mut count, &mut oldest);
        oldest.map(|o| (count, o.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::api::vcenter::vim::data::{snapshot_bytes, snapshot_count};

    fn file(key: i64, kind: &str, size: Value) -> Value {
        json!({"_typeName": "VirtualMachineFileLayoutExFileInfo", "key": key,
            "name": "[ds \"1\"] vm\\one/vm.vmdk", "type": kind, "size": size, "uniqueSize": size,
            "accessible": true})
    }

    /// Each object a page kept, as (moid, value).
    fn kept<T>(objects: Vec<Kept<T>>) -> Vec<(String, Option<T>)> {
        objects.into_iter().map(|k| (k.moid, k.value)).collect()
    }

    fn result(objects: Vec<Value>, token: Option<&str>) -> Vec<u8> {
        let mut r = json!({"_typeName": "RetrieveResult", "objects": objects});
        if let Some(t) = token {
            r["token"] = json!(t);
        }
        serde_json::to_vec(&r).unwrap()
    }

    fn object(moid: &str, path: &str, val: Option<Value>) -> Value {
        let props: Vec<Value> = val
            .into_iter()
            .map(|v| json!({"_typeName": "DynamicProperty", "name": path, "val": v}))
            .collect();
        json!({"_typeName": "ObjectContent",
            "obj": {"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": moid},
            "propSet": props})
    }

    #[test]
    fn layouts_read_typed_give_the_sizes_the_value_reading_gives() {
        let unit = |keys: &[i64]| json!({"_typeName": "VirtualMachineFileLayoutExDiskUnit", "fileKey": keys});
        let layout = json!({
            "_typeName": "VirtualMachineFileLayoutEx",
            "file": [
                file(0, "config", json!(3072)),
                file(1, "diskDescriptor", json!(512)),
                file(2, "diskExtent", json!(10u64 << 30)),
                file(3, "snapshotData", json!(32768)),
                file(4, "snapshotMemory", json!(1u64 << 30)),
                file(5, "diskDescriptor", json!(512)),
                file(6, "diskExtent", json!(123_456_789)),
                // A size that cannot be one counts nothing, as it did read as text.
                file(7, "snapshotData", json!(-1)),
            ],
            "disk": [{"_typeName": "VirtualMachineFileLayoutExDiskLayout", "key": 2000,
                "chain": [unit(&[1, 2]), unit(&[5, 6, 99])]}],
            "snapshot": [{"_typeName": "VirtualMachineFileLayoutExSnapshotLayout",
                "key": {"_typeName": "ManagedObjectReference", "type": "VirtualMachineSnapshot", "value": "snapshot-1"},
                "dataKey": 3, "memoryKey": 4}],
            "timestamp": "2026-12-07T00:00:00Z",
        });
        let expected = snapshot_bytes(&layout);
        assert_eq!(expected, 32768 + (1 << 30) + 512 + 123_456_789);
        let body = result(
            vec![
                object("vm-1", "layoutEx", Some(layout)),
                object("vm-\"2\"", "layoutEx", None),
            ],
            Some("7"),
        );
        let page = layouts(&body).unwrap();
        assert_eq!(page.token.as_deref(), Some("7"));
        let got = kept(page.objects);
        assert_eq!(
            got,
            [("vm-1".into(), Some(expected)), ("vm-\"2\"".into(), None)]
        );
    }

    #[test]
    fn snapshot_trees_read_typed_give_the_counts_the_value_reading_gives() {
        let tree = |created: &str, children: Vec<Value>| {
            json!({"_typeName": "VirtualMachineSnapshotTree",
                "snapshot": {"_typeName": "ManagedObjectReference", "type": "VirtualMachineSnapshot", "value": "snapshot-9"},
                "name": "a \"quoted\" name", "createTime": created, "state": "poweredOff",
                "quiesced": false, "childSnapshotList": children})
        };
        let info = json!({"_typeName": "VirtualMachineSnapshotInfo",
        "rootSnapshotList": [
            tree("2026-03-01T00:00:00Z", vec![tree("2026-01-01T00:00:00Z", vec![])]),
            tree("2026-02-01T00:00:00Z", vec![]),
        ]});
        let empty = json!({"_typeName": "VirtualMachineSnapshotInfo"});
        let body = result(
            vec![
                object("vm-1", "snapshot", Some(info.clone())),
                object("vm-2", "snapshot", Some(empty.clone())),
                object("vm-3", "snapshot", None),
            ],
            None,
        );
        let page = counts(&body).unwrap();
        assert_eq!(page.token, None);
        let got = kept(page.objects);
        assert_eq!(
            got,
            [
                ("vm-1".to_string(), Some(snapshot_count(&info))),
                ("vm-2".to_string(), Some(snapshot_count(&empty))),
                ("vm-3".to_string(), None),
            ]
        );
        assert_eq!(
            snapshot_count(&info),
            Some((3, "2026-01-01T00:00:00Z".to_string()))
        );
    }

    #[test]
    fn an_empty_answer_is_an_empty_page_and_a_wrong_shape_a_parse_error() {
        for body in [&b""[..], b"  ", b"null"] {
            let page = layouts(body).unwrap();
            assert!(page.objects.is_empty() && page.token.is_none());
        }
        let wrong = br#"{"objects": [{"obj": 5}]}"#;
        assert!(matches!(layouts(wrong), Err(ApiError::Parse(_))));
    }
}
