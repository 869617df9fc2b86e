//! Detail sections for vCD documents: what an operator wants to read about a VM, vApp, VDC,
//! Org, network or task, plus a generic fallback that shows any document's attributes and
//! simple fields, so unknown entity types still say something useful.

use super::map::{entity_status, hardware, kind_of_name};
use crate::api::model::{NodeKind, Section, bytes_text, mib_text};
use crate::api::xml::Element;

pub fn sections(e: &Element) -> Vec<Section> {
    let mut out = vec![general(e)];
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
    s.row("Type", &*e.name);
    for (k, v) in &e.attrs {
        match &**k {
            "href" | "type" | "schemaLocation" => {}
            "status" if matches!(kind_of_name(&e.name), NodeKind::Vm | NodeKind::VApp) => {
                s.row("Status", format!("{} ({v})", entity_status(v).label));
            }
            _ if !v.is_empty() => {
                s.row(k.to_string(), v.clone());
            }
            _ => {}
        }
    }
    for c in &e.children {
        if c.children.is_empty() && c.attrs.is_empty() && !c.text.is_empty() {
            s.row(c.name.to_string(), c.text.clone());
        }
    }
    if let Some(href) = e.attr("href") {
        s.row("href", href);
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
            guest.row("OS type", t);
        }
    }
    if let Some(gc) = vm.child("GuestCustomizationSection") {
        for key in ["ComputerName", "Enabled", "AdminPasswordEnabled"] {
            if let Some(v) = gc.child_text(key) {
                guest.row(key, v);
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
            snap.row("Created", s.attr("created").unwrap_or("?"));
            if let Some(size) = s.attr("size").and_then(|v| v.parse::<u64>().ok()) {
                snap.row("Size", bytes_text(size));
            }
            snap.row("With memory", s.attr("poweredOn").unwrap_or("?"));
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
            entity_status(vm.attr("status").unwrap_or("")).label,
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
                lease.row(key, v);
            }
        }
    }
    if let Some(owner) = vapp.child("Owner").and_then(|o| o.child("User")) {
        lease.row("Owner", owner.attr("name").unwrap_or("?"));
    }
    out.extend([vms, lease]);
}

/// How to show an amount in these vCD units: CPU in GHz, memory and storage in GiB/TiB.
fn amount_text(units: &str, n: u64) -> Option<String> {
    const MIB: u64 = 1024 * 1024;
    // "128 GiB", not "128.0 GiB": the decimal only when it says something.
    let bytes = |scale: u64| Some(bytes_text(n.saturating_mul(scale)).replace(".0 ", " "));
    match units.to_ascii_uppercase().as_str() {
        "MHZ" if n < 1000 => Some(format!("{n} MHz")),
        "MHZ" => Some(ghz_text(n)),
        "GHZ" => Some(ghz_text(n.saturating_mul(1000))),
        // vCD's "MB" are binary megabytes.
        "KB" => bytes(1024),
        "MB" => bytes(MIB),
        "GB" => bytes(1024 * MIB),
        "TB" => bytes(1024 * 1024 * MIB),
        _ => None,
    }
}

/// "180 GHz", "12.5 GHz": one decimal only when it says something.
fn ghz_text(mhz: u64) -> String {
    let ghz = format!("{:.1}", mhz as f64 / 1000.0);
    format!("{} GHz", ghz.strip_suffix(".0").unwrap_or(&ghz))
}

/// A capacity (`Cpu`, `Memory`, `StorageCapacity`) in readable units with how full it is; 0 as a
/// limit means unlimited. Use beyond the limit is called out as overcommitment.
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
            text += &format!(" — overcommitted {pct:.0}%");
        } else {
            text += &format!(" ({pct:.0}%)");
        }
    }
    text
}

fn vdc_sections(vdc: &Element, out: &mut Vec<Section>) {
    let mut compute = Section::new("Compute");
    if let Some(cc) = vdc.child("ComputeCapacity") {
        for res in ["Cpu", "Memory"] {
            if let Some(r) = cc.child(res) {
                compute.row(res, capacity_text(r));
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
                    s.row(key, v);
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

    /// The VDC of issue 12 read `Cpu 730000 used of 180000 allocated, limit 180000 MHz`.
    #[test]
    fn capacities_read_in_ghz_and_gib_and_say_when_overcommitted() {
        assert_eq!(
            capacity("MHz", 180_000, 180_000, 730_000),
            "730 GHz used, limit 180 GHz — overcommitted 406%"
        );
        assert_eq!(
            capacity("MHz", 150_000, 180_000, 121_500),
            "121.5 GHz used of 150 GHz allocated, limit 180 GHz (68%)"
        );
        assert_eq!(
            capacity("MB", 262_144, 262_144, 100_352),
            "98 GiB used, limit 256 GiB (38%)"
        );
        assert_eq!(
            capacity("MB", 0, 3_145_728, 1_572_864),
            "1.5 TiB used, limit 3 TiB (50%)"
        );
        assert_eq!(capacity("MHz", 0, 0, 500), "500 MHz used, no limit");
        assert_eq!(
            capacity("widgets", 5, 5, 1),
            "1 widgets used, limit 5 widgets (20%)"
        );
    }
}
