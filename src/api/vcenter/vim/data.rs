//! vim data objects as either protocol delivers them — SOAP XML elements or VI/JSON values —
//! read through one small trait, so snapshot trees, file layouts, task infos and lists of
//! references are decoded once for both.

use serde_json::Value;
use time::OffsetDateTime;

use crate::api::labels;
use crate::api::model::{TaskInfo, TaskState, TaskTarget, parse_time};
use crate::api::vcenter::map::{self, Kind};
use crate::api::xml::Element;

/// One snapshot in a VM's tree, depth-first, with its depth for indentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub moid: String,
    pub name: String,
    pub description: String,
    pub created: String,
    pub powered_on: bool,
    pub quiesced: bool,
    pub depth: usize,
    pub current: bool,
}

/// A vim data object or value.
pub trait Data {
    /// The fields called `name`: repeated XML children, or the items of a JSON array.
    fn all(&self, name: &str) -> Vec<&Self>;
    /// A scalar as text ("poweredOn", "12", "true"), or the moid of a reference.
    fn text(&self) -> Option<String>;
    /// The items of an array value (`ArrayOfManagedObjectReference`…).
    fn items(&self) -> Vec<&Self>;
    /// The managed object type of a reference (`VirtualMachine`).
    fn ref_type(&self) -> Option<String>;
    /// The data type of a value whose declared type is a base type (`VmPoweredOnEvent` for an
    /// `Event`): SOAP's `xsi:type`, VI/JSON's `_typeName`.
    fn type_name(&self) -> Option<String>;

    fn get(&self, name: &str) -> Option<&Self> {
        self.all(name).into_iter().next()
    }

    fn str(&self, name: &str) -> Option<String> {
        self.get(name)?.text()
    }

    fn num(&self, name: &str) -> Option<u64> {
        self.str(name)?.parse().ok()
    }
}

impl Data for Element {
    fn all(&self, name: &str) -> Vec<&Element> {
        self.children.iter().filter(|c| &*c.name == name).collect()
    }

    fn text(&self) -> Option<String> {
        Some(self.text.clone())
    }

    fn items(&self) -> Vec<&Element> {
        self.children.iter().collect()
    }

    fn ref_type(&self) -> Option<String> {
        self.attr("type").map(str::to_string)
    }

    fn type_name(&self) -> Option<String> {
        // `xsi:type`, read by its local name.
        self.attr("type").map(str::to_string)
    }
}

/// VI/JSON boxes values whose type is not fixed (`anyType`) as `{"_typeName", "_value"}`.
fn unboxed(v: &Value) -> &Value {
    match v.get("_value") {
        Some(inner) => inner,
        None => v,
    }
}

impl Data for Value {
    fn all(&self, name: &str) -> Vec<&Value> {
        match self.get(name).map(unboxed) {
            Some(Value::Array(items)) => items.iter().collect(),
            None | Some(Value::Null) => Vec::new(),
            Some(one) => vec![one],
        }
    }

    fn text(&self) -> Option<String> {
        match unboxed(self) {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            // A ManagedObjectReference: its moid.
            Value::Object(o) => o.get("value")?.as_str().map(str::to_string),
            _ => None,
        }
    }

    fn items(&self) -> Vec<&Value> {
        match unboxed(self) {
            Value::Array(items) => items.iter().collect(),
            _ => Vec::new(),
        }
    }

    fn ref_type(&self) -> Option<String> {
        self.get("type")?.text()
    }

    fn type_name(&self) -> Option<String> {
        self.get("_typeName")?.as_str().map(str::to_string)
    }
}

/// The moids in a list of references.
pub fn moids<D: Data>(list: &D) -> Vec<String> {
    list.items().into_iter().filter_map(Data::text).collect()
}

/// The tree kind of a vim managed object type, for those vnav lists.
fn kind_of_vim(vim_type: &str) -> Option<Kind> {
    Some(match vim_type {
        "VirtualMachine" => map::VM,
        "HostSystem" => map::HOST,
        "ClusterComputeResource" => map::CLUSTER,
        "Datacenter" => map::DATACENTER,
        "Datastore" => map::DATASTORE,
        "Network" | "DistributedVirtualPortgroup" | "OpaqueNetwork" => map::NETWORK,
        "Folder" => map::FOLDER,
        "ResourcePool" => map::RESOURCE_POOL,
        _ => return None,
    })
}

/// What a task works on, from its `entity` and `entityName`, with the id the tree gives it.
pub fn task_target<D: Data>(info: &D) -> Option<TaskTarget> {
    let entity = info.get("entity")?;
    let kind = kind_of_vim(&entity.ref_type()?)?;
    let moid = entity.text()?;
    Some(TaskTarget {
        kind: kind.node,
        id: map::node_id(kind, &moid).into(),
        name: info.str("entityName").unwrap_or(moid).into(),
    })
}

/// A `VirtualMachineSnapshotInfo` as a flat list, depth-first.
pub fn snapshot_tree<D: Data>(info: &D) -> Vec<Snapshot> {
    let current = info.str("currentSnapshot");
    let mut out = Vec::new();
    flatten(
        info.all("rootSnapshotList"),
        0,
        current.as_deref(),
        &mut out,
    );
    out
}

fn flatten<D: Data>(level: Vec<&D>, depth: usize, current: Option<&str>, out: &mut Vec<Snapshot>) {
    for node in level {
        let moid = node.str("snapshot").unwrap_or_default();
        out.push(Snapshot {
            current: current == Some(moid.as_str()),
            moid,
            name: node.str("name").unwrap_or_default(),
            description: node.str("description").unwrap_or_default(),
            created: node.str("createTime").unwrap_or_default(),
            powered_on: node.str("state").as_deref() == Some("poweredOn"),
            quiesced: node.str("quiesced").as_deref() == Some("true"),
            depth,
        });
        flatten(node.all("childSnapshotList"), depth + 1, current, out);
    }
}

/// How many snapshots a `VirtualMachineSnapshotInfo` holds and when the oldest was taken;
/// None when its tree is empty.
pub fn snapshot_count<D: Data>(info: &D) -> Option<(usize, String)> {
    let list = snapshot_tree(info);
    let oldest = list.iter().map(|s| s.created.clone()).min()?;
    Some((list.len(), oldest))
}

/// Bytes a VM's snapshots hold, from its `layoutEx`: the snapshot data and memory files, plus
/// every delta disk (each disk chain after its base), which is what a snapshot grows into.
pub fn snapshot_bytes<D: Data>(layout: &D) -> u64 {
    let mut size = std::collections::HashMap::new();
    let mut total = 0;
    for f in layout.all("file") {
        let bytes = f.num("size").unwrap_or(0);
        if matches!(
            f.str("type").as_deref(),
            Some("snapshotData" | "snapshotMemory")
        ) {
            total += bytes;
        }
        if let Some(key) = f.str("key") {
            size.insert(key, bytes);
        }
    }
    for disk in layout.all("disk") {
        for unit in disk.all("chain").into_iter().skip(1) {
            for key in unit.all("fileKey") {
                total += key.text().and_then(|k| size.get(&k)).copied().unwrap_or(0);
            }
        }
    }
    total
}

/// A vim `TaskInfo` in vnav's terms; the task id is `vim:<moid>` for polling and cancel.
pub fn task_info<D: Data>(info: &D, task: &str, target: Option<TaskTarget>) -> TaskInfo {
    let state = match info.str("state").as_deref() {
        Some("queued") => TaskState::Queued,
        Some("success") => TaskState::Success,
        Some("error") => TaskState::Error,
        _ => TaskState::Running,
    };
    let time = |k: &str| -> Option<OffsetDateTime> { parse_time(&info.str(k)?) };
    let id = format!("vim:{task}");
    TaskInfo {
        operation: labels::vim_operation(&info.str("descriptionId").unwrap_or_default()),
        target,
        state,
        progress: match state {
            TaskState::Success => Some(100),
            _ => info.num("progress").map(|p| p.min(100) as u8),
        },
        started: time("startTime").or(time("queueTime")),
        finished: time("completeTime"),
        error: info.get("error").map(|e| {
            e.str("localizedMessage")
                .unwrap_or_else(|| "the task failed".into())
        }),
        cancel: (info.str("cancelable").as_deref() == Some("true") && !state.is_terminal())
            .then(|| id.clone().into()),
        user: info
            .get("reason")
            .and_then(|r| r.str("userName"))
            .filter(|u| !u.is_empty()),
        id: id.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::xml;
    use serde_json::json;

    #[test]
    fn the_same_snapshot_tree_reads_alike_from_xml_and_json() {
        let soap = xml::parse(
            br#"<val><currentSnapshot type="VirtualMachineSnapshot">snapshot-2</currentSnapshot>
            <rootSnapshotList><snapshot type="VirtualMachineSnapshot">snapshot-1</snapshot><name>base</name>
              <createTime>2026-01-01T00:00:00Z</createTime><state>poweredOff</state><quiesced>false</quiesced>
              <childSnapshotList><snapshot type="VirtualMachineSnapshot">snapshot-2</snapshot><name>child</name>
              <state>poweredOn</state><quiesced>true</quiesced></childSnapshotList>
            </rootSnapshotList></val>"#,
        )
        .unwrap();
        let moref = |v: &str| json!({"_typeName": "ManagedObjectReference", "type": "VirtualMachineSnapshot", "value": v});
        let vijson = json!({
            "_typeName": "VirtualMachineSnapshotInfo",
            "currentSnapshot": moref("snapshot-2"),
            "rootSnapshotList": [{
                "_typeName": "VirtualMachineSnapshotTree", "snapshot": moref("snapshot-1"),
                "name": "base", "createTime": "2026-01-01T00:00:00Z", "state": "poweredOff",
                "quiesced": false, "id": 1,
                "childSnapshotList": [{
                    "_typeName": "VirtualMachineSnapshotTree", "snapshot": moref("snapshot-2"),
                    "name": "child", "state": "poweredOn", "quiesced": true, "id": 2
                }]
            }]
        });
        let out = snapshot_tree(&soap);
        assert_eq!(out, snapshot_tree(&vijson));
        assert_eq!(out.len(), 2);
        assert_eq!(
            (out[0].name.as_str(), out[0].depth, out[0].current),
            ("base", 0, false)
        );
        assert_eq!(
            (out[1].name.as_str(), out[1].depth, out[1].current),
            ("child", 1, true)
        );
        assert!(out[1].powered_on && out[1].quiesced);
    }

    #[test]
    fn snapshot_size_counts_snapshot_files_and_delta_disks_not_the_base() {
        let soap = xml::parse(
            br#"<val><file><key>0</key><name>[ds] a/a.vmx</name><type>config</type><size>3000</size></file>
            <file><key>1</key><name>[ds] a/a.vmdk</name><type>diskDescriptor</type><size>500</size></file>
            <file><key>2</key><name>[ds] a/a-flat.vmdk</name><type>diskExtent</type><size>40000000000</size></file>
            <file><key>3</key><name>[ds] a/a.vmsd</name><type>snapshotList</type><size>400</size></file>
            <file><key>4</key><name>[ds] a/a-Snapshot1.vmsn</name><type>snapshotData</type><size>30000</size></file>
            <file><key>5</key><name>[ds] a/a-Snapshot1.vmem</name><type>snapshotMemory</type><size>4000000</size></file>
            <file><key>6</key><name>[ds] a/a-000001.vmdk</name><type>diskDescriptor</type><size>500</size></file>
            <file><key>7</key><name>[ds] a/a-000001-delta.vmdk</name><type>diskExtent</type><size>700000</size></file>
            <file><key>8</key><name>[ds] a/vmware.log</name><type>log</type><size>90000</size></file>
            <disk><key>2000</key><chain><fileKey>1</fileKey><fileKey>2</fileKey></chain>
              <chain><fileKey>6</fileKey><fileKey>7</fileKey></chain></disk>
            </val>"#,
        )
        .unwrap();
        let file =
            |key: u64, kind: &str, size: u64| json!({"key": key, "type": kind, "size": size});
        let vijson = json!({
            "file": [file(0, "config", 3000), file(1, "diskDescriptor", 500),
                file(2, "diskExtent", 40_000_000_000u64), file(3, "snapshotList", 400),
                file(4, "snapshotData", 30000), file(5, "snapshotMemory", 4_000_000),
                file(6, "diskDescriptor", 500), file(7, "diskExtent", 700_000), file(8, "log", 90000)],
            "disk": [{"key": 2000, "chain": [{"fileKey": [1, 2]}, {"fileKey": [6, 7]}]}]
        });
        let want = 30_000 + 4_000_000 + 500 + 700_000;
        assert_eq!(snapshot_bytes(&soap), want);
        assert_eq!(snapshot_bytes(&vijson), want);
    }

    #[test]
    fn recent_task_lists_and_task_targets_read_alike() {
        let soap = xml::parse(
            br#"<val><ManagedObjectReference type="Task">task-1</ManagedObjectReference>
            <ManagedObjectReference type="Task">task-2</ManagedObjectReference></val>"#,
        )
        .unwrap();
        let moref = |kind: &str, v: &str| json!({"_typeName": "ManagedObjectReference", "type": kind, "value": v});
        let vijson = json!({"_typeName": "ArrayOfManagedObjectReference",
            "_value": [moref("Task", "task-1"), moref("Task", "task-2")]});
        assert_eq!(moids(&soap), ["task-1", "task-2"]);
        assert_eq!(moids(&vijson), moids(&soap));

        let soap = xml::parse(
            br#"<val><entity type="HostSystem">host-9</entity><entityName>esx-09</entityName></val>"#,
        )
        .unwrap();
        let vijson = json!({"entity": moref("HostSystem", "host-9"), "entityName": "esx-09"});
        let t = task_target(&soap).unwrap();
        assert_eq!(Some(&t), task_target(&vijson).as_ref());
        assert_eq!(
            (t.kind, &*t.id, &*t.name),
            (crate::api::model::NodeKind::Host, "host/host-9", "esx-09")
        );
        let odd = json!({"entity": moref("VirtualApp", "resgroup-v1"), "entityName": "x"});
        assert_eq!(task_target(&odd), None, "a kind the tree does not list");
    }

    #[test]
    fn task_infos_read_alike_and_get_a_friendly_operation() {
        let soap = xml::parse(
            br#"<val><key>task-7</key><descriptionId>vm.Snapshot.revert</descriptionId>
            <state>error</state><cancelable>false</cancelable>
            <error><localizedMessage>A general system error occurred</localizedMessage></error>
            <queueTime>2026-01-01T00:00:00Z</queueTime><completeTime>2026-01-01T00:00:03Z</completeTime></val>"#,
        )
        .unwrap();
        let vijson = json!({
            "_typeName": "TaskInfo", "key": "task-7", "descriptionId": "vm.Snapshot.revert",
            "state": "error", "cancelable": false,
            "error": {"_typeName": "LocalizedMethodFault", "localizedMessage": "A general system error occurred"},
            "queueTime": "2026-01-01T00:00:00Z", "completeTime": "2026-01-01T00:00:03Z"
        });
        let a = task_info(&soap, "task-7", None);
        assert_eq!(a, task_info(&vijson, "task-7", None));
        assert_eq!(a.operation, "Revert to snapshot");
        assert_eq!(a.state, TaskState::Error);
        assert_eq!(a.error.as_deref(), Some("A general system error occurred"));
        assert!(a.started.is_some() && a.finished.is_some() && a.cancel.is_none());
        let running = json!({"state": {"_typeName": "TaskInfoState", "_value": "running"},
            "progress": 40, "cancelable": true});
        let r = task_info(&running, "task-8", None);
        assert_eq!(
            (r.progress, r.cancel.as_deref()),
            (Some(40), Some("vim:task-8"))
        );
    }
}
