//! Maps vCenter JSON into the unified model: list summaries into tree nodes, a VM's detail into
//! sections, power states into statuses and the actions each state allows.

use serde_json::Value;

use super::dialect::entries;
use crate::api::labels;
use crate::api::model::{
    ActionId, Node, NodeKind, Section, Severity, Status, VmFacts, bytes_text, mib_text,
};

/// The inventory kinds vnav lists, with their REST names and id fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    pub node: NodeKind,
    /// Path segment: `/vcenter/{rest}`.
    pub rest: &'static str,
    /// The id field of a summary (`vm`, `host`, …).
    pub id_field: &'static str,
    /// Filter key that narrows other lists to one of these (`hosts=…`).
    pub filter: &'static str,
}

pub const DATACENTER: Kind = Kind {
    node: NodeKind::Datacenter,
    rest: "datacenter",
    id_field: "datacenter",
    filter: "datacenters",
};
pub const CLUSTER: Kind = Kind {
    node: NodeKind::Cluster,
    rest: "cluster",
    id_field: "cluster",
    filter: "clusters",
};
pub const HOST: Kind = Kind {
    node: NodeKind::Host,
    rest: "host",
    id_field: "host",
    filter: "hosts",
};
pub const VM: Kind = Kind {
    node: NodeKind::Vm,
    rest: "vm",
    id_field: "vm",
    filter: "vms",
};
pub const DATASTORE: Kind = Kind {
    node: NodeKind::Datastore,
    rest: "datastore",
    id_field: "datastore",
    filter: "datastores",
};
pub const NETWORK: Kind = Kind {
    node: NodeKind::Network,
    rest: "network",
    id_field: "network",
    filter: "networks",
};
pub const FOLDER: Kind = Kind {
    node: NodeKind::Folder,
    rest: "folder",
    id_field: "folder",
    filter: "folders",
};
pub const RESOURCE_POOL: Kind = Kind {
    node: NodeKind::ResourcePool,
    rest: "resource-pool",
    id_field: "resource_pool",
    filter: "resource_pools",
};

pub const KINDS: [Kind; 8] = [
    DATACENTER,
    CLUSTER,
    HOST,
    VM,
    DATASTORE,
    NETWORK,
    FOLDER,
    RESOURCE_POOL,
];

pub fn kind_of(node: NodeKind) -> Option<Kind> {
    KINDS.into_iter().find(|k| k.node == node)
}

/// Node ids are `<kind>/<moid>` (`vm/vm-42`), so a bare moid never collides across kinds.
pub fn node_id(kind: Kind, moid: &str) -> String {
    format!("{}/{moid}", kind.rest)
}

pub fn moid(id: &str) -> &str {
    id.split_once('/').map_or(id, |(_, m)| m)
}

pub fn power_status(state: &str) -> Status {
    let severity = match state {
        "POWERED_ON" | "CONNECTED" => Severity::Ok,
        "POWERED_OFF" => Severity::Muted,
        "SUSPENDED" | "STANDBY" => Severity::Warn,
        "DISCONNECTED" | "NOT_RESPONDING" => Severity::Error,
        _ => Severity::Neutral,
    };
    Status::state(state, severity)
}

/// A VM's tree node from what its list summary says (the big list reads these fields
/// straight from the bytes, `vm_list`; every other list goes through `summary_node`).
pub fn vm_node(
    moid: &str,
    name: Option<&str>,
    state: Option<&str>,
    cpus: Option<u64>,
    memory_mib: Option<u64>,
) -> Node {
    // `node_id`'s text, built inline (a moid is short): no heap copy for each listed VM.
    let mut id = compact_str::CompactString::const_new(VM.rest);
    id.push('/');
    id.push_str(moid);
    // A VM's children are its snapshots.
    let node = Node::new(NodeKind::Vm, id, name.unwrap_or(moid)).expandable(true);
    let node = match state {
        Some(state) => node.with_status(power_status(state)),
        None => node,
    };
    // Its summary is built from these when drawn (`Node::summary`), not stored.
    node.with_facts(VmFacts {
        cpus: cpus.and_then(|n| u32::try_from(n).ok()).into(),
        memory_mib: memory_mib.and_then(|n| u32::try_from(n).ok()).into(),
        ..VmFacts::default()
    })
}

/// A tree node from one list summary.
pub fn summary_node(kind: Kind, v: &Value) -> Option<Node> {
    let moid = v[kind.id_field].as_str()?;
    let name = v["name"].as_str().unwrap_or(moid);
    if kind.node == NodeKind::Vm {
        let state = v["power_state"].as_str().or(v["connection_state"].as_str());
        let (cpus, memory) = (v["cpu_count"].as_u64(), v["memory_size_MiB"].as_u64());
        return Some(vm_node(moid, Some(name), state, cpus, memory));
    }
    let mut node = Node::new(kind.node, node_id(kind, moid), name).expandable(matches!(
        kind.node,
        NodeKind::Datacenter | NodeKind::Cluster | NodeKind::Host
    ));
    if let Some(state) = v["connection_state"].as_str() {
        node = node.with_status(power_status(state));
    }
    let mut summary = Vec::new();
    if let Some(cpu) = v["cpu_count"].as_u64() {
        summary.push(format!("{cpu} vCPU"));
    }
    if let Some(mem) = v["memory_size_MiB"].as_u64() {
        summary.push(mib_text(mem));
    }
    if let (Some(free), Some(cap)) = (v["free_space"].as_u64(), v["capacity"].as_u64()) {
        summary.push(format!("{} free of {}", bytes_text(free), bytes_text(cap)));
    }
    // A network's type in words ("Distributed portgroup", not `DISTRIBUTED_PORTGROUP`); a
    // datastore's is a name already ("VMFS", "NFS").
    if let Some(t) = v["type"].as_str() {
        summary.push(match t.contains('_') {
            true => crate::api::labels::state(t),
            false => t.to_string(),
        });
    }
    for (flag, label) in [("drs_enabled", "DRS"), ("ha_enabled", "HA")] {
        if v[flag].as_bool() == Some(true) {
            summary.push(label.to_string());
        }
    }
    Some(node.with_summary(summary.join(" · ")))
}

/// What a VM's detail (and guest identity, while Tools run) adds to the facts its list row gave.
pub fn vm_facts(node: &mut Node, vm: &Value, guest: Option<&Value>) {
    let facts = node.facts.get_or_insert_with(Default::default);
    if let Some(n) = vm["cpu"]["count"].as_u64() {
        facts.cpus = u32::try_from(n).ok().into();
    }
    if let Some(m) = vm["memory"]["size_MiB"].as_u64() {
        facts.memory_mib = u32::try_from(m).ok().into();
    }
    if let Some(os) = vm["guest_OS"].as_str() {
        facts.guest_os = os.into();
    }
    if let Some(ip) = guest.and_then(|g| g["ip_address"].as_str()) {
        facts.ip = ip.into();
    }
}

/// The actions a VM's power state and guest tools allow (vCenter REST has no offer links).
pub fn vm_actions(power_state: &str, tools_ready: bool) -> Vec<ActionId> {
    let mut out = match power_state {
        "POWERED_OFF" => vec![ActionId::PowerOn],
        "SUSPENDED" => vec![ActionId::PowerOn, ActionId::PowerOff],
        "POWERED_ON" => vec![ActionId::PowerOff, ActionId::Reset, ActionId::Suspend],
        _ => Vec::new(),
    };
    if power_state == "POWERED_ON" && tools_ready {
        out.extend([ActionId::Shutdown, ActionId::Reboot, ActionId::Standby]);
    }
    out
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What an operator looks for first about a VM: power, OS, whether Tools run, and the guest's
/// addresses per NIC (`guest/networking/interfaces`, only while Tools run). Where the VM sits
/// (datacenter / cluster / host) is added by the app from the tree it was found in: the REST
/// API does not say it.
pub fn vm_summary(vm: &Value, tools_running: bool, interfaces: Option<&Value>) -> Section {
    let mut s = Section::new("Summary");
    if let Some(p) = vm["power_state"].as_str() {
        s.row("Power", labels::state(p));
    }
    if let Some(os) = vm["guest_OS"].as_str() {
        s.row("Guest OS", labels::guest_os(os).unwrap_or(os));
    }
    s.row(
        "VMware Tools",
        if tools_running {
            "running"
        } else {
            "not running"
        },
    );
    let nic_label = |key: &str| {
        entries(&vm["nics"])
            .into_iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, n)| n["label"].as_str().map(str::to_string))
            .unwrap_or_else(|| format!("NIC {key}"))
    };
    for iface in interfaces.and_then(Value::as_array).into_iter().flatten() {
        let ips: Vec<&str> = iface["ip"]["ip_addresses"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["ip_address"].as_str())
            .collect();
        let label = match iface["nic"].as_str() {
            Some(key) => nic_label(key),
            None => "NIC (not in the VM's hardware)".to_string(),
        };
        let ips = if ips.is_empty() {
            "none".to_string()
        } else {
            ips.join(", ")
        };
        s.row(format!("IP of {label}"), ips);
    }
    s
}

/// Sections of `GET /vcenter/vm/{vm}` (payload already unwrapped), plus guest identity.
pub fn vm_sections(vm: &Value, guest: Option<&Value>) -> Vec<Section> {
    let mut general = Section::new("General");
    for key in ["name", "power_state", "guest_OS"] {
        if let Some(v) = scalar(&vm[key]) {
            let v = match key {
                "power_state" => labels::state(&v),
                "guest_OS" => labels::guest_os_text(&v),
                _ => v,
            };
            general.row(labels::field(key), v);
        }
    }
    for key in ["instance_uuid", "bios_uuid"] {
        if let Some(v) = vm["identity"][key].as_str() {
            general.row(labels::field(key), v);
        }
    }
    let mut hw = Section::new("Hardware");
    if let Some(v) = vm["hardware"]["version"].as_str() {
        // `VMX_14` is what the vSphere Client calls "VM version 14".
        hw.row("Hardware version", v.strip_prefix("VMX_").unwrap_or(v));
    }
    if let Some(n) = vm["cpu"]["count"].as_u64() {
        let cores = vm["cpu"]["cores_per_socket"].as_u64().unwrap_or(1);
        hw.row("CPU", format!("{n} vCPU ({cores} per socket)"));
    }
    if let Some(m) = vm["memory"]["size_MiB"].as_u64() {
        hw.row("Memory", mib_text(m));
    }
    if let Some(t) = vm["boot"]["type"].as_str() {
        hw.row("Boot", t);
    }
    for (_, cd) in entries(&vm["cdroms"]) {
        // "ISO file · [ds1] iso/ubuntu.iso", "Client device".
        let backing = &cd["backing"];
        let parts = [
            backing["type"].as_str().map(labels::state),
            backing["iso_file"].as_str().map(str::to_string),
        ];
        let value: Vec<String> = parts.into_iter().flatten().collect();
        hw.row(cd["label"].as_str().unwrap_or("CD/DVD"), value.join(" · "));
    }
    let mut disks = Section::new("Disks");
    for (_, d) in entries(&vm["disks"]) {
        let cap = d["capacity"]
            .as_u64()
            .map(bytes_text)
            .unwrap_or_else(|| "?".into());
        let file = d["backing"]["vmdk_file"].as_str().unwrap_or("");
        disks.row(
            d["label"].as_str().unwrap_or("disk"),
            format!("{cap} {} {file}", d["type"].as_str().unwrap_or(""))
                .trim()
                .to_string(),
        );
    }
    let mut nics = Section::new("NICs");
    for (_, n) in entries(&vm["nics"]) {
        let parts = [
            n["backing"]["network_name"]
                .as_str()
                .or(n["backing"]["network"].as_str())
                .map(str::to_string),
            n["mac_address"].as_str().map(str::to_string),
            n["state"].as_str().map(labels::state),
            n["type"].as_str().map(str::to_string),
        ];
        let value: Vec<String> = parts.into_iter().flatten().collect();
        nics.row(n["label"].as_str().unwrap_or("NIC"), value.join(" · "));
    }
    let mut guest_section = Section::new("Guest/OS");
    if let Some(g) = guest {
        for key in ["full_name", "host_name", "ip_address", "family"] {
            let v = &g[key];
            let text = v["default_message"]
                .as_str()
                .map(str::to_string)
                .or(scalar(v));
            // Only the family is a code (`LINUX`); a host name, an address and the OS's name
            // read as the guest says them ("etl-01" read "Etl 01", "10.4.0.11" "10 4 0 11").
            if let Some(text) = text {
                let text = match key {
                    "family" => labels::state(&text),
                    _ => text,
                };
                guest_section.row(labels::field(key), text);
            }
        }
    } else {
        guest_section.row("Guest", "not available (VMware Tools not running)");
    }
    vec![general, hw, guest_section, disks, nics]
}

/// Whether `v` reads as a managed object id ("group-v4", "domain-c7", "resgroup-9"): a
/// lowercase word, a dash, then digits (no leading zero, unlike a name's "web-01") after at
/// most one letter.
fn looks_like_moid(v: &Value) -> bool {
    let Some((kind, n)) = v.as_str().and_then(|s| s.rsplit_once('-')) else {
        return false;
    };
    let n = n
        .strip_prefix(|c: char| c.is_ascii_lowercase())
        .unwrap_or(n);
    !kind.is_empty()
        && kind.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        && !n.is_empty()
        && !n.starts_with('0')
        && n.chars().all(|c| c.is_ascii_digit())
}

/// Any other object: its scalar fields, named for people, amounts in their units. The name
/// comes first and ids last: the REST answer's keys are alphabetical, which put a datacenter's
/// Name between its folders' moids.
pub fn plain_sections(title: &str, v: &Value) -> Vec<Section> {
    let mut s = Section::new(title);
    if let Value::Object(map) = v {
        let mut fields: Vec<(&String, &Value)> = map.iter().collect();
        fields.sort_by_key(|(k, v)| match (k.as_str(), looks_like_moid(v)) {
            ("name", _) => 0,
            (_, false) => 1,
            (_, true) => 2,
        });
        for (k, v) in fields {
            let label = labels::field(k);
            match v {
                Value::Array(a) => {
                    s.row(label, format!("{} items", a.len()));
                }
                Value::Number(n) if k == "capacity" || k == "free_space" => {
                    s.row(label, n.as_u64().map(bytes_text).unwrap_or(n.to_string()));
                }
                Value::Number(n) if k.ends_with("_MiB") => {
                    let text = n.as_u64().map(mib_text).unwrap_or(n.to_string());
                    s.row(label.trim_end_matches(" MiB").to_string(), text);
                }
                Value::String(st) if k.ends_with("state") => {
                    s.row(label, labels::state(st));
                }
                other => {
                    if let Some(text) = scalar(other) {
                        s.row(label, labels::value(&text));
                    }
                }
            }
        }
    }
    vec![s]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/vcenter/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn real_lists_map_to_nodes() {
        for (file, kind, unwrap) in [
            ("api_vcenter_vm_list.json", VM, false),
            ("rest_vcenter_vm_list.json", VM, true),
            ("api_vcenter_host_list.json", HOST, false),
            ("rest_vcenter_host_list.json", HOST, true),
            ("api_vcenter_cluster_list.json", CLUSTER, false),
            ("api_vcenter_datastore_list.json", DATASTORE, false),
            ("api_vcenter_network_list.json", NETWORK, false),
            ("api_vcenter_datacenter_list.json", DATACENTER, false),
        ] {
            let mut v = sample(file);
            if unwrap {
                v = v["value"].take();
            }
            let items = v.as_array().unwrap();
            let nodes: Vec<Node> = items.iter().filter_map(|i| summary_node(kind, i)).collect();
            assert_eq!(nodes.len(), items.len(), "{file}");
            assert!(nodes.iter().all(|n| !n.name.is_empty()), "{file}");
            // VM rows carry typed sizing for table columns; other kinds carry none.
            let typed = |n: &Node| n.facts.as_ref().is_some_and(|f| f.cpus.is_some());
            assert!(
                nodes
                    .iter()
                    .all(|n| typed(n) == (kind.node == NodeKind::Vm)),
                "{file}"
            );
        }
    }

    /// A real network list's types read in words; a datastore's type stays as it is.
    #[test]
    fn a_network_type_reads_in_words() {
        let v = sample("api_vcenter_network_list.json");
        let nodes: Vec<Node> = (v.as_array().unwrap().iter())
            .filter_map(|i| summary_node(NETWORK, i))
            .collect();
        let types: Vec<&str> = nodes.iter().map(|n| n.stored_summary()).collect();
        assert!(types.contains(&"Distributed portgroup"), "{types:?}");
        assert!(types.iter().all(|t| !t.contains('_')), "{types:?}");
        let ds = serde_json::json!({"datastore": "datastore-1", "name": "ds", "type": "VMFS"});
        assert_eq!(
            summary_node(DATASTORE, &ds).unwrap().stored_summary(),
            "VMFS"
        );
    }

    #[test]
    fn real_vm_detail_has_every_section() {
        let vm = sample("api_vcenter_vm_get_multi_nic.json");
        let guest = sample("api_vcenter_vm_guest_identity_get.json");
        let sections = vm_sections(&vm, Some(&guest));
        let titles: Vec<&str> = sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["General", "Hardware", "Guest/OS", "Disks", "NICs"]);
        assert!(sections.iter().all(|s| !s.rows.is_empty()), "{sections:?}");
        assert!(sections[4].rows.len() > 1, "several NICs");
        // The guest's own words and numbers stay as they are; only its family is a code.
        let rows: Vec<(&str, &str)> = (sections[2].rows.iter())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("Guest OS", "Ubuntu Linux (64-bit)"),
                ("Guest host name", "NSX-Manager-2"),
                ("IP address", "10.2.192.6"),
                ("Guest family", "Linux"),
            ]
        );
    }

    /// The hardware and NICs read in words: "19" for `VMX_19`, "Connected", "ISO file".
    #[test]
    fn a_real_vms_hardware_and_nics_read_in_words() {
        let mut vm = sample("api_vcenter_vm_get_multi_nic.json");
        vm["cdroms"] = serde_json::json!({"3000": {"label": "CD/DVD drive 1",
            "backing": {"type": "ISO_FILE", "iso_file": "[ds1] iso/ubuntu.iso"}}});
        let sections = vm_sections(&vm, None);
        let row = |title: &str, k: &str| {
            let s = sections.iter().find(|s| s.title == title).unwrap();
            s.rows
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(row("Hardware", "Hardware version").as_deref(), Some("19"));
        assert_eq!(
            row("Hardware", "CD/DVD drive 1").as_deref(),
            Some("ISO file · [ds1] iso/ubuntu.iso")
        );
        let nic = row("NICs", "Network adapter 1").unwrap();
        assert!(nic.contains(" · Connected · "), "{nic}");
    }

    /// Issue 17: the summary says power and OS in words and each NIC's addresses by its label.
    #[test]
    fn a_real_vm_reads_as_a_summary_with_ips_per_nic() {
        let vm = sample("api_vcenter_vm_get_multi_nic.json");
        let nics = entries(&vm["nics"]);
        let (key, nic) = &nics[0];
        let interfaces = serde_json::json!([{
            "nic": key,
            "mac_address": nic["mac_address"],
            "ip": {"ip_addresses": [
                {"ip_address": "10.0.0.7", "prefix_length": 24, "state": "PREFERRED"},
                {"ip_address": "fe80::1", "prefix_length": 64, "state": "UNKNOWN"}
            ]}
        }]);
        let s = vm_summary(&vm, true, Some(&interfaces));
        let row = |k: &str| {
            s.rows
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let label = nic["label"].as_str().unwrap();
        assert_eq!(row(&format!("IP of {label}")), Some("10.0.0.7, fe80::1"));
        assert_eq!(row("VMware Tools"), Some("running"));
        let os = vm["guest_OS"].as_str().unwrap();
        assert_eq!(row("Guest OS"), Some(labels::guest_os(os).unwrap_or(os)));
        let general = &vm_sections(&vm, None)[0];
        assert!(
            general.rows.iter().any(|(k, _)| k == "Power"),
            "{general:?}"
        );
        assert!(
            general.rows.iter().all(|(k, _)| !k.contains('_')),
            "{general:?}"
        );
    }

    #[test]
    fn a_datacenter_reads_its_name_first_and_its_folders_ids_last() {
        let dc = serde_json::json!({"datastore_folder": "group-s5", "host_folder": "group-h4",
            "name": "DC0", "network_folder": "group-n6", "vm_folder": "group-v3",
            "zone": "east"});
        let s = &plain_sections("General", &dc)[0];
        let keys: Vec<&str> = s.rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys[0], "Name", "{s:?}");
        assert_eq!(keys[1], labels::field("zone"), "{s:?}");
        assert_eq!(keys.len(), 6, "{s:?}");
        assert!(!looks_like_moid(&serde_json::json!("web-01 copy")));
        assert!(!looks_like_moid(&serde_json::json!("web-01")));
        assert!(looks_like_moid(&serde_json::json!("domain-c7")));
        assert!(looks_like_moid(&serde_json::json!("resgroup-9")));
    }

    #[test]
    fn plain_objects_read_in_words_and_units() {
        let ds = serde_json::json!({"name": "ds1", "capacity": 1_099_511_627_776u64,
            "free_space": 536_870_912_000u64, "thin_provisioning_supported": true});
        let s = &plain_sections("General", &ds)[0];
        assert!(
            s.rows.contains(&("Capacity".into(), "1.0 TiB".into())),
            "{s:?}"
        );
        assert!(
            s.rows.contains(&("Free".into(), "500.0 GiB".into())),
            "{s:?}"
        );
        assert!(
            s.rows
                .contains(&("Thin provisioning supported".into(), "Yes".into())),
            "{s:?}"
        );
    }

    #[test]
    fn power_states_decide_actions() {
        assert_eq!(vm_actions("POWERED_OFF", false), [ActionId::PowerOn]);
        assert!(vm_actions("POWERED_ON", true).contains(&ActionId::Shutdown));
        assert!(!vm_actions("POWERED_ON", false).contains(&ActionId::Shutdown));
    }
}
