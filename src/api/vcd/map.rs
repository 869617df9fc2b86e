//! Maps vCD documents into the unified model: entity kinds from media types or element names,
//! integer and string statuses, tree nodes from entities and query records, offered actions from
//! link rels, and Task documents/records into TaskInfo.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::api::labels;
use crate::api::model::{
    ActionId, ActionOffer, Link, Node, NodeKind, Severity, Status, TaskInfo, TaskState, TaskTarget,
    VmFacts, mib_text,
};
use crate::api::xml::Element;

/// What a query record's mapping reads: its element's local name and its attributes (the
/// first of a name), from a parsed tree or straight from a page's bytes (`query::walk`).
pub trait Record {
    fn name(&self) -> &str;
    fn attr(&self, name: &str) -> Option<&str>;
}

impl Record for Element {
    fn name(&self) -> &str {
        &self.name
    }

    fn attr(&self, name: &str) -> Option<&str> {
        Element::attr(self, name)
    }
}

/// Node kind from a media type such as `application/vnd.vmware.vcloud.vm+xml`.
pub fn kind_of_type(media: &str) -> NodeKind {
    let name = media
        .rsplit('.')
        .next()
        .unwrap_or("")
        .trim_end_matches("+xml");
    kind_of_name(name)
}

/// Node kind from an element name or the last part of a media type.
pub fn kind_of_name(name: &str) -> NodeKind {
    match name.to_ascii_lowercase().as_str() {
        "org" | "adminorg" => NodeKind::Org,
        "vdc" | "adminvdc" => NodeKind::Vdc,
        "vapp" => NodeKind::VApp,
        "vm" => NodeKind::Vm,
        "catalog" | "admincatalog" => NodeKind::Catalog,
        "catalogitem" => NodeKind::CatalogItem,
        "vapptemplate" => NodeKind::VAppTemplate,
        "media" => NodeKind::Media,
        "network" | "orgnetwork" | "orgvdcnetwork" | "edgegateway" => NodeKind::Network,
        "task" => NodeKind::Task,
        "host" => NodeKind::Host,
        "datastore" => NodeKind::Datastore,
        "session" => NodeKind::Endpoint,
        _ => NodeKind::Other,
    }
}

/// The entity status integers of vCD (vApps, VMs, templates, media).
pub fn entity_status(code: &str) -> Status {
    let (label, severity) = match code.trim() {
        "-1" => ("FAILED_CREATION", Severity::Error),
        "0" => ("UNRESOLVED", Severity::Busy),
        "1" => ("RESOLVED", Severity::Muted),
        "2" => ("DEPLOYED", Severity::Neutral),
        "3" => ("SUSPENDED", Severity::Warn),
        "4" => ("POWERED_ON", Severity::Ok),
        "5" => ("WAITING_FOR_INPUT", Severity::Warn),
        "6" => ("UNKNOWN", Severity::Warn),
        "7" => ("UNRECOGNIZED", Severity::Warn),
        "8" => ("POWERED_OFF", Severity::Muted),
        "9" => ("INCONSISTENT_STATE", Severity::Error),
        "10" => ("MIXED", Severity::Warn),
        "11" => ("DESCRIPTOR_PENDING", Severity::Busy),
        "12" => ("COPYING_CONTENTS", Severity::Busy),
        "13" => ("DISK_CONTENTS_PENDING", Severity::Busy),
        "14" => ("QUARANTINED", Severity::Warn),
        "15" => ("QUARANTINE_EXPIRED", Severity::Error),
        "16" => ("REJECTED", Severity::Error),
        "17" => ("TRANSFER_TIMEOUT", Severity::Error),
        "18" => ("VAPP_UNDEPLOYED", Severity::Muted),
        "19" => ("VAPP_PARTIALLY_DEPLOYED", Severity::Warn),
        "20" => ("PARTIALLY_POWERED_OFF", Severity::Warn),
        "21" => ("PARTIALLY_SUSPENDED", Severity::Warn),
        other => return Status::new(format!("status {other}"), Severity::Neutral),
    };
    Status::new(label, severity)
}

/// The string statuses of query records (`POWERED_ON`, `MIXED`, …).
pub fn record_status(label: &str) -> Status {
    let severity = match label {
        "POWERED_ON" => Severity::Ok,
        "POWERED_OFF" | "RESOLVED" | "VAPP_UNDEPLOYED" => Severity::Muted,
        "FAILED_CREATION" | "INCONSISTENT_STATE" | "REJECTED" => Severity::Error,
        "UNRESOLVED" | "COPYING_CONTENTS" | "DESCRIPTOR_PENDING" => Severity::Busy,
        "" => Severity::Neutral,
        _ => Severity::Warn,
    };
    Status::state(label, severity)
}

/// A host record's state in the words vCenter uses for the same host, so the two rows of one
/// host in `:hosts` read alike.
fn host_record_status(r: &(impl Record + ?Sized)) -> Status {
    match (r.attr("isInMaintenanceMode"), r.attr("connectionState")) {
        (Some("true"), _) => Status::state("MAINTENANCE", Severity::Warn),
        (_, Some("CONNECTED")) => Status::state("CONNECTED", Severity::Ok),
        (_, Some(s @ ("DISCONNECTED" | "NOT_RESPONDING"))) => Status::state(s, Severity::Error),
        (_, Some(s)) if !s.is_empty() => Status::state(s, Severity::Warn),
        _ => Status::NONE,
    }
}

/// A host document's state, in the record's words: an available host is a connected one.
fn host_status(h: &Element) -> Status {
    match (h.child_text("Enabled"), h.child_text("Available")) {
        (Some("false"), _) => Status::new("disabled", Severity::Muted),
        (_, Some("true")) => Status::state("CONNECTED", Severity::Ok),
        (_, Some(_)) => Status::state("NOT_RESPONDING", Severity::Error),
        _ => Status::NONE,
    }
}

/// Status for any entity: the integer on vApps/VMs, enabled/disabled on the others.
pub fn status_of(e: &Element) -> Status {
    if kind_of_name(&e.name) == NodeKind::Host {
        return host_status(e);
    }
    if let Some(code) = e.attr("status")
        && matches!(kind_of_name(&e.name), NodeKind::VApp | NodeKind::Vm)
    {
        return entity_status(code);
    }
    match e.child_text("IsEnabled") {
        Some("false") => Status::new("disabled", Severity::Muted),
        _ => Status::NONE,
    }
}

pub fn links(e: &Element) -> Vec<Link> {
    e.children_named("Link")
        .map(|l| Link {
            rel: l.attr("rel").unwrap_or("").to_string(),
            media_type: l.attr("type").unwrap_or("").to_string(),
            href: l.attr("href").unwrap_or("").to_string(),
            name: l.attr("name").unwrap_or("").to_string(),
        })
        .collect()
}

pub fn action_of_rel(rel: &str) -> Option<ActionId> {
    Some(match rel {
        "power:powerOn" => ActionId::PowerOn,
        "power:powerOff" => ActionId::PowerOff,
        "power:reset" => ActionId::Reset,
        "power:suspend" => ActionId::Suspend,
        "power:shutdown" => ActionId::Shutdown,
        "power:reboot" => ActionId::Reboot,
        "deploy" => ActionId::Deploy,
        "undeploy" => ActionId::Undeploy,
        "snapshot:create" => ActionId::SnapshotCreate,
        "snapshot:revertToCurrent" => ActionId::SnapshotRevert,
        "snapshot:removeAll" => ActionId::SnapshotRemoveAll,
        _ => return None,
    })
}

/// Only what the entity's links offer right now, never guessed from its state.
pub fn actions(e: &Element) -> Vec<ActionOffer> {
    e.children_named("Link")
        .filter_map(|l| {
            Some(ActionOffer::new(
                action_of_rel(l.attr("rel")?)?,
                l.attr("href")?,
            ))
        })
        .collect()
}

/// A tree node for an entity document or an embedded entity (a Vm inside a VApp).
/// The vCenter VM behind a Vm document, as `VCloudExtension/VmVimInfo/VmVimObjectRef` names
/// it: (VimServer href, VimServer name, moid). Only a system administrator's documents have it.
pub fn vm_vim_ref(vm: &Element) -> Option<(String, String, String)> {
    let r = vm
        .children_named("VCloudExtension")
        .find_map(|x| x.child("VmVimInfo"))?
        .child("VmVimObjectRef")?;
    let server = r.child("VimServerRef")?;
    Some((
        server.attr("href")?.to_string(),
        server.attr("name").unwrap_or("").to_string(),
        r.child_text("MoRef")?.to_string(),
    ))
}

pub fn entity_node(e: &Element) -> Node {
    let kind = e
        .attr("type")
        .map(kind_of_type)
        .filter(|k| *k != NodeKind::Other)
        .unwrap_or_else(|| kind_of_name(&e.name));
    let id = e.attr("href").unwrap_or("");
    let name = e.attr("name").unwrap_or("(unnamed)");
    let mut node = Node::new(kind, id, name)
        .with_status(status_of(e))
        .expandable(expandable(kind));
    if kind == NodeKind::Vm {
        node = node.with_facts(entity_facts(e));
    }
    node
}

pub fn expandable(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Org | NodeKind::Vdc | NodeKind::VApp | NodeKind::Catalog
    )
}

/// The Org's link to the query of its VDCs (API 33 on): `rel="down"`, a query records type, and
/// an href on the `orgVdc` (or `adminOrgVdc`) query type.
pub fn vdc_query_link(org: &Element) -> Option<String> {
    org.children_named("Link")
        .filter(|l| l.attr("rel") == Some("down"))
        .filter(|l| l.attr("type") == Some("application/vnd.vmware.vcloud.query.records+xml"))
        .filter_map(|l| l.attr("href"))
        .find(|href| {
            url::Url::parse(href).is_ok_and(|u| {
                u.query_pairs()
                    .any(|(k, v)| k == "type" && (v == "orgVdc" || v == "adminOrgVdc"))
            })
        })
        .map(str::to_string)
}

/// A node from a reference (`<Org href name type/>`, `<Link rel="down" …/>`).
pub fn reference_node(r: &Element) -> Option<Node> {
    let kind = kind_of_type(r.attr("type")?);
    Some(
        Node::new(kind, r.attr("href")?, r.attr("name").unwrap_or("(unnamed)"))
            .expandable(expandable(kind)),
    )
}

fn rasd_items(vm: &Element) -> Vec<&Element> {
    vm.child("VirtualHardwareSection")
        .map(|h| h.children_named("Item").collect())
        .unwrap_or_default()
}

/// `(resource type, item)` pairs of the virtual hardware, for summaries and sections.
pub fn hardware(vm: &Element) -> Vec<(u32, &Element)> {
    rasd_items(vm)
        .into_iter()
        .filter_map(|i| Some((i.child_text("ResourceType")?.parse().ok()?, i)))
        .collect()
}

fn quantity(vm: &Element, resource: u32) -> Option<u64> {
    hardware(vm)
        .into_iter()
        .find(|(t, _)| *t == resource)
        .and_then(|(_, i)| i.child_text("VirtualQuantity")?.parse().ok())
}

/// A node from a query record (`VMRecord`, `AdminVMRecord`, `VAppRecord`, …).
pub fn record_node(r: &(impl Record + ?Sized)) -> Option<Node> {
    let href = r.attr("href")?;
    let kind = match r.name() {
        "VMRecord" | "AdminVMRecord" => NodeKind::Vm,
        "VAppRecord" | "AdminVAppRecord" => NodeKind::VApp,
        "OrgRecord" => NodeKind::Org,
        "OrgVdcRecord" | "AdminOrgVdcRecord" => NodeKind::Vdc,
        "CatalogRecord" | "AdminCatalogRecord" => NodeKind::Catalog,
        name => kind_of_name(name.trim_end_matches("Record")),
    };
    // Like `status_of`: power states for VMs and vApps, only "disabled" for the others, so a
    // node reads the same whether it came from a record or from its entity document.
    let status = match (kind, r.attr("isEnabled")) {
        (NodeKind::Vm | NodeKind::VApp, _) => record_status(r.attr("status").unwrap_or("")),
        (_, Some("false")) => Status::new("disabled", Severity::Muted),
        (NodeKind::Host, _) => host_record_status(r),
        _ => Status::NONE,
    };
    let mut node = Node::new(kind, href, r.attr("name").unwrap_or("(unnamed)"))
        .with_status(status)
        .expandable(expandable(kind));
    // A VM's summary is built from its facts when drawn (`Node::summary`), not stored.
    if kind == NodeKind::Vm {
        node = node.with_facts(record_facts(r));
    } else {
        node.set_summary(record_summary(r));
    }
    Some(node)
}

/// "vApp · 2 vCPU · 4 GiB · 3 VMs · OS · IP · owner · VDC": what a record that is not a VM
/// says, in a row.
fn record_summary(r: &(impl Record + ?Sized)) -> String {
    let mut summary = Vec::new();
    if let Some(vapp) = r.attr("containerName").filter(|v| !v.is_empty()) {
        summary.push(vapp.to_string());
    }
    if let Some(cpu) = r.attr("numberOfCpus") {
        summary.push(format!("{cpu} vCPU"));
    }
    if let Some(mem) = r.attr("memoryMB").and_then(|m| m.parse().ok()) {
        summary.push(mib_text(mem));
    }
    if let Some(n) = r.attr("numberOfVMs") {
        summary.push(format!("{n} VMs"));
    }
    for key in ["guestOs", "ipAddress", "ownerName", "vdcName"] {
        if let Some(v) = r.attr(key).filter(|v| !v.is_empty()) {
            summary.push(v.to_string());
        }
    }
    summary.join(" · ")
}

/// A VM query record's typed facts (`VMRecord`: owner and snapshot date; `AdminVMRecord`:
/// neither, the schema has no such attributes there).
fn record_facts(r: &(impl Record + ?Sized)) -> VmFacts {
    let text = |k: &str| crate::api::model::intern(r.attr(k).unwrap_or(""));
    VmFacts {
        cpus: r.attr("numberOfCpus").and_then(|v| v.parse().ok()).into(),
        memory_mib: r.attr("memoryMB").and_then(|v| v.parse().ok()).into(),
        guest_os: text("guestOs"),
        ip: r.attr("ipAddress").unwrap_or("").into(),
        place: text("containerName"),
        owner: text("ownerName"),
        snapshot_created: timestamp(r.attr("snapshotCreated")).into(),
        snapshot_bytes: Default::default(),
    }
}

/// A VM document's typed facts: sizing and guest OS from its sections, the first NIC's IP.
fn entity_facts(vm: &Element) -> VmFacts {
    let ip = vm
        .child("NetworkConnectionSection")
        .into_iter()
        .flat_map(|s| s.children_named("NetworkConnection"))
        .find_map(|c| c.child_text("IpAddress").filter(|ip| !ip.is_empty()))
        .unwrap_or("");
    VmFacts {
        cpus: quantity(vm, 3).and_then(|n| u32::try_from(n).ok()).into(),
        memory_mib: quantity(vm, 4).and_then(|n| u32::try_from(n).ok()).into(),
        guest_os: vm
            .child("OperatingSystemSection")
            .and_then(|s| s.child_text("Description"))
            .unwrap_or("")
            .into(),
        ip: ip.into(),
        ..VmFacts::default()
    }
}

pub fn task_state(status: &str) -> TaskState {
    match status {
        "queued" | "preRunning" => TaskState::Queued,
        "running" => TaskState::Running,
        "success" => TaskState::Success,
        "error" => TaskState::Error,
        "canceled" => TaskState::Canceled,
        "aborted" => TaskState::Aborted,
        _ => TaskState::Running,
    }
}

fn timestamp(v: Option<&str>) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(v?, &Rfc3339).ok().or_else(|| {
        // vCD writes offsets as -05:00 but milliseconds with three digits; RFC 3339 covers it,
        // older servers write no offset at all.
        OffsetDateTime::parse(&format!("{}Z", v?), &Rfc3339).ok()
    })
}

/// A `<Task>` document.
pub fn task(e: &Element) -> TaskInfo {
    let owner = e.child("Owner");
    TaskInfo {
        id: e.attr("href").unwrap_or("").into(),
        // "Power off", not "Powering off Virtual Machine web-116(urn:vcloud:vm:…)": the target
        // has its own column.
        operation: e
            .attr("operationName")
            .map(labels::vcd_operation)
            .or(e.attr("operation").map(str::to_string))
            .unwrap_or_else(|| "task".to_string()),
        target: owner.and_then(|o| {
            Some(TaskTarget {
                kind: kind_of_type(o.attr("type").unwrap_or("")),
                id: o.attr("href")?.into(),
                name: o.attr("name").unwrap_or("").into(),
            })
        }),
        state: task_state(e.attr("status").unwrap_or("")),
        progress: e.child_text("Progress").and_then(|p| p.parse().ok()),
        started: timestamp(e.attr("startTime")),
        finished: timestamp(e.attr("endTime")),
        error: e.child("Error").map(|err| {
            err.attr("message")
                .filter(|m| !m.is_empty())
                .unwrap_or("the task failed without a message")
                .to_string()
        }),
        cancel: e
            .children_named("Link")
            .find(|l| l.attr("rel") == Some("task:cancel"))
            .and_then(|l| l.attr("href"))
            .map(Into::into),
        user: e
            .child("User")
            .and_then(|u| u.attr("name"))
            .map(str::to_string),
    }
}

/// A `TaskRecord` of the query service.
pub fn task_record(r: &Element) -> Option<TaskInfo> {
    let state = task_state(r.attr("status").unwrap_or(""));
    Some(TaskInfo {
        id: r.attr("href")?.into(),
        // `name` is the operationName.
        operation: r
            .attr("name")
            .map(labels::vcd_operation)
            .or(r.attr("operationFull").map(str::to_string))
            .unwrap_or_else(|| "task".to_string()),
        target: r.attr("object").map(|href| TaskTarget {
            kind: kind_of_name(r.attr("objectType").unwrap_or("")),
            id: href.into(),
            name: r.attr("objectName").unwrap_or("").into(),
        }),
        state,
        progress: r
            .attr("progress")
            .and_then(|p| p.parse().ok())
            .or((state == TaskState::Success).then_some(100)),
        started: timestamp(r.attr("startDate")),
        finished: timestamp(r.attr("endDate")),
        error: r
            .attr("message")
            .filter(|m| state == TaskState::Error && !m.is_empty())
            .map(str::to_string),
        cancel: None,
        user: r.attr("ownerName").map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::xml::parse;

    /// Issue 17: the task pane says "Undeploy (power off)" and who started it, not vCD's long
    /// "operation" sentence with the target's URN in it.
    #[test]
    fn a_real_task_has_a_short_operation_and_its_user() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vcd/samples/task_error.xml"
        );
        let t = task(&parse(&std::fs::read(path).expect("fixture")).unwrap());
        assert_eq!(t.operation, "Undeploy (power off)");
        assert_eq!(t.user.as_deref(), Some("labmanapi"));
    }

    /// A real vApp (Skyscape's, as a system administrator sees it): its VM names the vCenter VM
    /// behind it; a VM without the extension names none.
    #[test]
    fn the_vcenter_vm_behind_a_real_vm() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vcd/samples/vapp_skyscape_pretty.xml"
        );
        let vapp = parse(&std::fs::read(path).expect("fixture")).unwrap();
        let vm = vapp.descendants("Vm")[0];
        let (server, name, moid) = vm_vim_ref(vm).expect("VmVimInfo");
        assert_eq!(
            server,
            "https://vcloud.example.com/api/admin/extension/vimServer/5b2f648b-9da7-4d7b-8212-6ed8a83f2102"
        );
        assert_eq!(name, "ConfigWizard Configured vCenter");
        assert_eq!(moid, "vm-277", "the VM's, not its datastore's or host's");
        let bare = parse(br#"<Vm xmlns="http://www.vmware.com/vcloud/v1.5" name="x"/>"#).unwrap();
        assert_eq!(vm_vim_ref(&bare), None);
    }

    /// Real VM records carry the typed facts a table sorts on; the summary reads as before.
    #[test]
    fn vm_records_carry_typed_facts() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vcd/samples/query_vm_records.xml"
        );
        let page = parse(&std::fs::read(path).expect("fixture")).unwrap();
        let vm = page
            .children_named("VMRecord")
            .find_map(record_node)
            .expect("a VM record");
        let facts = vm.facts.as_ref().expect("facts");
        assert_eq!(
            (facts.cpus.get(), facts.memory_mib.get()),
            (Some(2), Some(2048))
        );
        assert_eq!(&*facts.guest_os, "CentOS 4/5/6/7 (64-bit)");
        assert_eq!(&*facts.place, "jenkins01");
        assert_eq!(
            vm.summary(),
            "jenkins01 · 2 vCPU · 2 GiB · CentOS 4/5/6/7 (64-bit)"
        );
        let owned = parse(
            br#"<VMRecord href="h" name="a" ownerName="ann" ipAddress="10.0.0.4" snapshotCreated="2026-01-02T03:04:05.000Z"/>"#,
        )
        .unwrap();
        let node = record_node(&owned).unwrap();
        let facts = node.facts.as_ref().unwrap();
        assert_eq!((&*facts.owner, &*facts.ip), ("ann", "10.0.0.4"));
        assert!(facts.snapshot_created.is_some());
        assert!(
            !node.summary().contains("ann"),
            "owner is a column, not summary"
        );
        let vapp = parse(br#"<VAppRecord href="h" name="a" ownerName="ann"/>"#).unwrap();
        assert_eq!(record_node(&vapp).unwrap().facts, None);
    }

    #[test]
    fn statuses_and_kinds() {
        assert_eq!(entity_status("4").label, "POWERED_ON");
        assert_eq!(entity_status("10").severity, Severity::Warn);
        assert_eq!(record_status("POWERED_ON").severity, Severity::Ok);
        assert_eq!(
            kind_of_type("application/vnd.vmware.vcloud.vApp+xml"),
            NodeKind::VApp
        );
        assert_eq!(
            kind_of_type("application/vnd.vmware.vcloud.orgNetwork+xml"),
            NodeKind::Network
        );
    }

    #[test]
    fn actions_come_only_from_links() {
        let vm = parse(
            br#"<Vm href="h" name="x" status="8" type="application/vnd.vmware.vcloud.vm+xml">
            <Link rel="power:powerOn" href="h/power/action/powerOn"/><Link rel="edit" href="h"/>
            <Link rel="snapshot:create" href="h/action/createSnapshot"/></Vm>"#,
        )
        .unwrap();
        let ids: Vec<_> = actions(&vm).into_iter().map(|a| a.id).collect();
        assert_eq!(ids, [ActionId::PowerOn, ActionId::SnapshotCreate]);
        let node = entity_node(&vm);
        assert_eq!(node.kind, NodeKind::Vm);
        assert_eq!(node.status.label, "POWERED_OFF");
    }
}
