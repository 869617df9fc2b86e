//! Detail sections for vCD documents: what an operator wants to read about a VM, vApp, VDC,
//! Org, network or task, plus a generic fallback that shows any document's attributes and
//! simple fields, so unknown entity types still say something useful.

use super::map::{entity_status, hardware, kind_of_name};
use super::provider_sections::{self, DATASTORE_FIELDS, HOST_FIELDS};
use crate::api::labels;
use crate::api::model::{NodeKind, Section, bytes_text, mib_text};
use crate::api::xml::Element;

pub fn sections(e: &Element) -> Vec<Section> {
    let mut out = Vec::new();
    match kind_of_name(&e.name) {
        NodeKind::Vm => out.push(vm_summary(e)),
        NodeKind::Host => provider_sections::host(e, &mut out),
        NodeKind::Datastore => provider_sections::datastore(e, &mut out),
        _ => {}
    }
    out.push(general(e));
    match kind_of_name(&e.name) {
        NodeKind::Vm => vm_sections(e, &mut out),
        NodeKind::VApp => vapp_sections(e, &mut out),
        NodeKind::Vdc => vdc_sections(e, &mut out),
        NodeKind::Network => network_sections(e, &mut out),
        NodeKind::Task => task_sections(e, &mut out),
        _ => {}
    }
    if &*e.name == "QueryResultRecords" {
        out.push(records_section(e));
    }
    out.retain(|s| !s.rows.is_empty());
    out
}

/// Identity, status, attributes and leaf text fields of the root.
fn general(e: &Element) -> Section {
    let mut s = Section::new("General");
    s.row("Type", labels::field(&e.name));
    for (k, v) in &e.attrs {
        match &**k {
            "href" | "type" | "schemaLocation" => {}
            "status" if matches!(kind_of_name(&e.name), NodeKind::Vm | NodeKind::VApp) => {
                s.row("Status", labels::state(&entity_status(v).label));
            }
            // A network's and an edge gateway's status is their creation's, as a VDC's is
            // (0 not ready, 1 ready, -1 failed: network.xsd): "Status 1" said nothing.
            "status" if matches!(kind_of_name(&e.name), NodeKind::Vdc | NodeKind::Network) => {
                s.row("Status", creation_status(v));
            }
            _ if !v.is_empty() => {
                s.row(labels::field(k), labels::value(v));
            }
            _ => {}
        }
    }
    let said_above = match kind_of_name(&e.name) {
        NodeKind::Host => HOST_FIELDS,
        NodeKind::Datastore => DATASTORE_FIELDS,
        _ => &[],
    };
    for c in &e.children {
        if c.children.is_empty()
            && c.attrs.is_empty()
            && !c.text.is_empty()
            && !said_above.contains(&&*c.name)
        {
            s.row(labels::field(&c.name), child_value(&c.name, &c.text));
        }
    }
    if let Some(href) = e.attr("href") {
        s.row("Href", href);
    }
    s
}

/// A plain child's text in words where the schema gives it a meaning its text does not say:
/// a VDC's quotas of 0 are unlimited (VdcType, `vcloud/vdc.xsd`); allocation models as the
/// vCD UI names them.
fn child_value(name: &str, text: &str) -> String {
    match (name, text) {
        ("NicQuota" | "NetworkQuota" | "VmQuota", "0") => "unlimited".into(),
        ("AllocationModel", "AllocationVApp") => "Pay-as-you-go".into(),
        ("AllocationModel", model) => labels::field(model),
        _ => labels::value(text),
    }
}

/// The VDC `status` codes (VdcType in the vCD schema).
fn creation_status(code: &str) -> String {
    match code.trim() {
        "-1" => "Failed creation".into(),
        "0" => "Not ready".into(),
        "1" => "Ready".into(),
        "2" => "Unknown".into(),
        "3" => "Unrecognized".into(),
        other => format!("status {other}"),
    }
}

/// What an operator looks for first about a VM: power, OS, policies, Tools and its addresses.
/// Where it sits (org / VDC / vApp) is added by the app from the tree it was found in.
fn vm_summary(vm: &Element) -> Section {
    let mut s = Section::new("Summary");
    if let Some(code) = vm.attr("status") {
        s.row("Power", labels::state(&entity_status(code).label));
    }
    if let Some(os) = vm.child("OperatingSystemSection") {
        let named = os
            .attr("osType")
            .and_then(labels::guest_os)
            .or(os.child_text("Description"));
        if let Some(name) = named {
            s.row("Guest OS", name);
        }
    }
    if let Some(p) = vm.child("StorageProfile").and_then(|p| p.attr("name")) {
        s.row("Storage policy", p);
    }
    // vCD 10 names the sizing policy in ComputePolicy; 9.7's VdcComputePolicy is the same idea.
    let sizing = vm
        .child("ComputePolicy")
        .and_then(|c| c.child("VmSizingPolicy"))
        .or(vm.child("VdcComputePolicy"))
        .and_then(|p| p.attr("name"));
    if let Some(p) = sizing {
        s.row("Sizing policy", p);
    }
    let tools = vm
        .child("RuntimeInfoSection")
        .and_then(|r| r.child("VMWareTools"))
        .and_then(|t| t.attr("version"));
    s.row(
        "VMware Tools",
        match tools {
            Some(v) => format!("installed, version {v}"),
            None => "not reported (not installed, or never started)".to_string(),
        },
    );
    if let Some(net) = vm.child("NetworkConnectionSection") {
        for c in net.children_named("NetworkConnection") {
            let label = format!(
                "IP of NIC {}",
                c.child_text("NetworkConnectionIndex").unwrap_or("?")
            );
            let ip = c
                .child_text("IpAddress")
                .or(c.child_text("ExternalIpAddress"))
                .unwrap_or("none");
            let on = c.attr("network").unwrap_or("?");
            s.row(label, format!("{ip} on {on}"));
        }
    }
    s
}

fn vm_sections(vm: &Element, out: &mut Vec<Section>) {
    let mut hw = Section::new("Hardware");
    let mut disks = Section::new("Disks");
    let mut nics = Section::new("NICs");
    if let Some(family) = vm
        .child("VirtualHardwareSection")
        .and_then(|h| h.child("System"))
        .and_then(|s| s.child_text("VirtualSystemType"))
    {
        hw.row("Hardware version", family);
    }
    for (kind, item) in hardware(vm) {
        let name = item.child_text("ElementName").unwrap_or("");
        let qty = item.child_text("VirtualQuantity").unwrap_or("");
        match kind {
            3 => {
                hw.row("CPU", format!("{qty} vCPU"));
            }
            4 => {
                hw.row("Memory", mib_text(qty.parse().unwrap_or(0)));
            }
            17 => {
                let res = item.child("HostResource");
                let capacity = res
                    .and_then(|r| r.attr("capacity"))
                    .and_then(|c| c.parse().ok())
                    .map(mib_text)
                    .unwrap_or_else(|| "?".into());
                let bus = res.and_then(|r| r.attr("busSubType")).unwrap_or("");
                disks.row(name, format!("{capacity} {bus}").trim().to_string());
            }
            10 => {
                let conn = item.child("Connection");
                let network = conn.map(|c| c.text.as_str()).unwrap_or("");
                let ip = conn.and_then(|c| c.attr("ipAddress")).unwrap_or("");
                let mac = item.child_text("Address").unwrap_or("");
                let value = [network, ip, mac].into_iter().filter(|v| !v.is_empty());
                hw.row(name, value.collect::<Vec<_>>().join(" · "));
            }
            15 | 16 => {
                hw.row(name, "CD/DVD");
            }
            _ => {}
        }
    }
    if let Some(net) = vm.child("NetworkConnectionSection") {
        for c in net.children_named("NetworkConnection") {
            let label = format!(
                "NIC {}",
                c.child_text("NetworkConnectionIndex").unwrap_or("?")
            );
            let connected = match c.child_text("IsConnected") {
                Some("true") => "connected",
                Some(_) => "disconnected",
                None => "",
            };
            let value = [
                c.attr("network").unwrap_or(""),
                c.child_text("IpAddress").unwrap_or(""),
                c.child_text("MACAddress").unwrap_or(""),
                c.child_text("IpAddressAllocationMode").unwrap_or(""),
                connected,
            ]
            .iter()
            .filter(|v| !v.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" · ");
            nics.row(label, value);
        }
    }
    let mut guest = Section::new("Guest/OS");
    if let Some(os) = vm.child("OperatingSystemSection") {
        if let Some(d) = os.child_text("Description") {
            guest.row("Guest OS", d);
        }
        if let Some(t) = os.attr("osType") {
            guest.row("OS type", labels::guest_os_text(t));
        }
    }
    if let Some(gc) = vm.child("GuestCustomizationSection") {
        // "Enabled" alone would not say what is enabled once out of its section.
        let keys = [
            ("ComputerName", "Computer name"),
            ("Enabled", "Customization enabled"),
            ("AdminPasswordEnabled", "Admin password"),
        ];
        for (key, label) in keys {
            if let Some(v) = gc.child_text(key) {
                guest.row(label, labels::value(v));
            }
        }
    }
    if let Some(tools) = vm
        .child("RuntimeInfoSection")
        .and_then(|r| r.child("VMWareTools"))
        .and_then(|t| t.attr("version"))
    {
        guest.row("VMware Tools", tools);
    }
    let mut snap = Section::new("Snapshot");
    if let Some(section) = vm.child("SnapshotSection") {
        let snapshots: Vec<_> = section.children_named("Snapshot").collect();
        if snapshots.is_empty() {
            snap.row("Snapshot", "none");
        }
        for s in snapshots {
            snap.row("Created", labels::value(s.attr("created").unwrap_or("?")));
            if let Some(size) = s.attr("size").and_then(|v| v.parse::<u64>().ok()) {
                snap.row("Size", bytes_text(size));
            }
            snap.row(
                "With memory",
                labels::value(s.attr("poweredOn").unwrap_or("?")),
            );
        }
    }
    out.extend([hw, guest, disks, nics, snap]);
}

fn vapp_sections(vapp: &Element, out: &mut Vec<Section>) {
    let mut vms = Section::new("VMs");
    for vm in vapp
        .child("Children")
        .into_iter()
        .flat_map(|c| c.children_named("Vm"))
    {
        vms.row(
            vm.attr("name").unwrap_or("?"),
            labels::state(&entity_status(vm.attr("status").unwrap_or("")).label),
        );
    }
    let mut lease = Section::new("Lease");
    if let Some(l) = vapp.child("LeaseSettingsSection") {
        for key in [
            "DeploymentLeaseInSeconds",
            "StorageLeaseInSeconds",
            "DeploymentLeaseExpiration",
        ] {
            if let Some(v) = l.child_text(key) {
                let v = match v.parse::<u64>() {
                    Ok(0) => "never ends".to_string(),
                    Ok(secs) => labels::duration(secs),
                    Err(_) => v.to_string(),
                };
                lease.row(labels::field(key), v);
            }
        }
    }
    if let Some(owner) = vapp.child("Owner").and_then(|o| o.child("User")) {
        lease.row("Owner", owner.attr("name").unwrap_or("?"));
    }
    out.extend([vms, lease]);
}

/// How to show an amount in these vCD units: CPU in GHz, memory and storage in GiB/TiB.
pub fn amount_text(units: &str, n: u64) -> Option<String> {
    const MIB: u64 = 1024 * 1024;
    // "128 GiB", not "128.0 GiB": the decimal only when it says something.
    let bytes = |scale: u64| Some(bytes_text(n.saturating_mul(scale)).replace(".0 ", " "));
    match units.to_ascii_uppercase().as_str() {
        "MHZ" => Some(labels::mhz_text(n)),
        "GHZ" => Some(labels::mhz_text(n.saturating_mul(1000))),
        // vCD's "MB" are binary megabytes.
        "KB" => bytes(1024),
        "MB" => bytes(MIB),
        "GB" => bytes(1024 * MIB),
        "TB" => bytes(1024 * 1024 * MIB),
        _ => None,
    }
}

/// A capacity (`Cpu`, `Memory`, `StorageCapacity`) in readable units with how full it is; 0 as a
/// limit means unlimited. Use beyond the limit is called out as overcommitment. A percentage
/// reads "(59 %)", as a vCenter cluster's and a provider's do.
pub fn capacity_text(r: &Element) -> String {
    let units = r.child_text("Units").unwrap_or("");
    let num = |k| r.child_text(k).and_then(|v| v.trim().parse::<u64>().ok());
    let show = |k| match num(k) {
        Some(n) => amount_text(units, n).unwrap_or_else(|| format!("{n} {units}")),
        None => "?".to_string(),
    };
    let (used, allocated, limit) = (num("Used"), num("Allocated"), num("Limit"));
    let mut text = format!("{} used", show("Used"));
    // An allocation equal to the limit (allocation pool) is said once, to keep the line short.
    if allocated.is_some_and(|a| a > 0) && allocated != limit {
        text += &format!(" of {} allocated", show("Allocated"));
    }
    match limit {
        Some(0) => text += ", no limit",
        Some(_) => text += &format!(", limit {}", show("Limit")),
        None => {}
    }
    let cap = limit.filter(|l| *l > 0).or(allocated.filter(|a| *a > 0));
    if let (Some(used), Some(cap)) = (used, cap) {
        let pct = (used as f64 * 100.0 / cap as f64).round();
        if used > cap {
            text += &format!(" — overcommitted {pct:.0} %");
        } else {
            text += &format!(" ({pct:.0} %)");
        }
    }
    text
}

fn vdc_sections(vdc: &Element, out: &mut Vec<Section>) {
    let mut compute = Section::new("Compute");
    if let Some(cc) = vdc.child("ComputeCapacity") {
        for (res, label) in [("Cpu", "CPU"), ("Memory", "Memory")] {
            if let Some(r) = cc.child(res) {
                compute.row(label, capacity_text(r));
            }
        }
    }
    let mut storage = Section::new("Storage");
    if let Some(sc) = vdc.child("StorageCapacity") {
        storage.row("Capacity", capacity_text(sc));
    }
    for p in vdc.descendants("VdcStorageProfile") {
        storage.row("Profile", p.attr("name").unwrap_or("?"));
    }
    let mut contents = Section::new("Contents");
    if let Some(re) = vdc.child("ResourceEntities") {
        contents.row("Resource entities", re.children.len().to_string());
    }
    if let Some(nets) = vdc.child("AvailableNetworks") {
        for n in nets.children_named("Network") {
            contents.row("Network", n.attr("name").unwrap_or("?"));
        }
    }
    out.extend([compute, storage, contents]);
}

fn network_sections(net: &Element, out: &mut Vec<Section>) {
    let mut s = Section::new("Configuration");
    if let Some(conf) = net.child("Configuration") {
        if let Some(mode) = conf.child_text("FenceMode") {
            s.row("Fence mode", mode);
        }
        for scope in conf.descendants("IpScope") {
            for key in [
                "Gateway",
                "Netmask",
                "SubnetPrefixLength",
                "Dns1",
                "DnsSuffix",
            ] {
                if let Some(v) = scope.child_text(key) {
                    s.row(labels::field(key), v);
                }
            }
            for range in scope.descendants("IpRange") {
                s.row(
                    "IP range",
                    format!(
                        "{} – {}",
                        range.child_text("StartAddress").unwrap_or("?"),
                        range.child_text("EndAddress").unwrap_or("?")
                    ),
                );
            }
        }
    }
    out.push(s);
}

fn task_sections(task: &Element, out: &mut Vec<Section>) {
    let mut s = Section::new("Task");
    if let Some(o) = task.child("Owner") {
        s.row("Target", o.attr("name").unwrap_or("?"));
    }
    if let Some(p) = task.child_text("Progress") {
        s.row("Progress", format!("{p}%"));
    }
    if let Some(err) = task.child("Error") {
        s.row("Error", err.attr("message").unwrap_or("?"));
    }
    out.push(s);
}

fn records_section(q: &Element) -> Section {
    let mut s = Section::new("Records");
    for r in q.children.iter().filter(|c| c.name.ends_with("Record")) {
        s.row(
            r.attr("name").unwrap_or("?"),
            r.attr("status").unwrap_or(&r.name).to_string(),
        );
    }
    s
}

/// Metadata entries as `key → value` rows (works for both the legacy and typed value forms).
pub fn metadata(doc: &Element) -> Section {
    let mut s = Section::new("Metadata");
    for entry in doc.children_named("MetadataEntry") {
        let key = entry.child_text("Key").unwrap_or("?");
        let value = entry
            .child("TypedValue")
            .and_then(|t| t.child_text("Value"))
            .or(entry.child_text("Value"))
            .unwrap_or("");
        s.row(key, value);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capacity(units: &str, allocated: u64, limit: u64, used: u64) -> String {
        let xml = format!(
            "<Cpu><Units>{units}</Units><Allocated>{allocated}</Allocated><Limit>{limit}</Limit><Used>{used}</Used></Cpu>"
        );
        capacity_text(&crate::api::xml::parse(xml.as_bytes()).unwrap())
    }

    fn sample(name: &str) -> Element {
        let path = format!(
            "{}/tests/fixtures/vcd/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        crate::api::xml::parse(&bytes).unwrap()
    }

    fn row<'a>(s: &'a Section, key: &str) -> Option<&'a str> {
        s.rows
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Issue 17: an operator reads a summary first, in words, not the API's field names.
    #[test]
    fn a_real_vcd10_vm_reads_as_a_summary_in_words() {
        let secs = sections(&sample("vm_vcd10_vmspec.xml"));
        let summary = &secs[0];
        assert_eq!(summary.title, "Summary");
        assert_eq!(row(summary, "Guest OS"), Some("Other 3.x Linux (64-bit)"));
        assert_eq!(row(summary, "Storage policy"), Some("*"));
        assert_eq!(row(summary, "Sizing policy"), Some("System Default"));
        assert_eq!(
            row(summary, "VMware Tools"),
            Some("installed, version 2147483647")
        );
        assert!(
            summary.rows.iter().any(|(k, _)| k.starts_with("IP of NIC")),
            "{summary:?}"
        );
        let general = &secs[1];
        assert_eq!(row(general, "Needs customization"), Some("Yes"));
        assert!(row(general, "needsCustomization").is_none());
        assert!(
            general.rows.iter().all(|(k, _)| !k.contains('_')),
            "{general:?}"
        );
        // Every key starts with a capital, as the other products' keys do ("Href", not "href").
        assert!(row(general, "Href").is_some_and(|h| h.starts_with("https://")));
        assert!(
            (secs.iter().flat_map(|s| &s.rows)).all(|(k, _)| !k
                .starts_with(|c: char| c.is_ascii_lowercase())
                || k.starts_with('v')),
            "{secs:?}"
        );
    }

    #[test]
    fn a_network_status_reads_as_a_word() {
        let secs = sections(&sample("org_vdc_network.xml"));
        assert_eq!(row(&secs[0], "Status"), Some("Ready"));
    }

    #[test]
    fn a_vdc_status_reads_as_a_word() {
        let secs = sections(&sample("admin_vdc_flex_vmext.xml"));
        assert_eq!(row(&secs[0], "Status"), Some("Ready"));
        // A quota of 0 is no limit (VdcType), not "no VMs".
        assert_eq!(row(&secs[0], "VM quota"), Some("unlimited"));
        assert_eq!(row(&secs[0], "NIC quota"), Some("unlimited"));
        assert_eq!(child_value("NetworkQuota", "0"), "unlimited");
        assert_eq!(child_value("NetworkQuota", "20"), "20");
        assert_eq!(row(&secs[0], "Enabled"), Some("Yes"));
        assert_eq!(
            child_value("AllocationModel", "AllocationPool"),
            "Allocation pool"
        );
        assert_eq!(
            child_value("AllocationModel", "AllocationVApp"),
            "Pay-as-you-go"
        );
    }

    /// The VDC of issue 12 read `Cpu 730000 used of 180000 allocated, limit 180000 MHz`.
    #[test]
    fn capacities_read_in_ghz_and_gib_and_say_when_overcommitted() {
        assert_eq!(
            capacity("MHz", 180_000, 180_000, 730_000),
            "730 GHz used, limit 180 GHz — overcommitted 406 %"
        );
        assert_eq!(
            capacity("MHz", 150_000, 180_000, 121_500),
            "121.5 GHz used of 150 GHz allocated, limit 180 GHz (68 %)"
        );
        assert_eq!(
            capacity("MB", 262_144, 262_144, 100_352),
            "98 GiB used, limit 256 GiB (38 %)"
        );
        assert_eq!(
            capacity("MB", 0, 3_145_728, 1_572_864),
            "1.5 TiB used, limit 3 TiB (50 %)"
        );
        assert_eq!(capacity("MHz", 0, 0, 500), "500 MHz used, no limit");
        assert_eq!(
            capacity("widgets", 5, 5, 1),
            "1 widgets used, limit 5 widgets (20 %)"
        );
    }
}
