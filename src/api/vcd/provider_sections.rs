//! Detail sections for the provider's hosts and datastores (`vmext:Host`, `vmext:Datastore`,
//! system administrators only): capacity and use in readable units, where the raw document
//! gives counts in MHz and MB spread over a dozen fields.

use super::sections::amount_text;
use crate::api::labels;
use crate::api::model::{Section, bytes_text};
use crate::api::xml::Element;

/// The fields the sections below say in words, left out of "General".
pub const HOST_FIELDS: &[&str] = &[
    "CpuTotal",
    "MemUsed",
    "MemTotal",
    "NumOfCpuCoresPhysical",
    "NumOfCpuCoresLogical",
    "NumOfCpusPackages",
    "NumOfCpusLogical",
    "HostOsName",
    "HostOsVersion",
    "VmMoRef",
];
pub const DATASTORE_FIELDS: &[&str] = &[
    "TotalCapacityMb",
    "TotalCapacityGb",
    "UsedCapacityMb",
    "UsedCapacityGb",
    "UsedCapacityPercent",
    "ThresholdYellowGb",
    "ThresholdRedGb",
    "DatastoreFsType",
];

fn number(e: &Element, field: &str) -> Option<f64> {
    e.child_text(field)?.trim().parse().ok()
}

fn percent(used: f64, total: f64) -> String {
    format!("{:.0} %", used * 100.0 / total.max(1.0))
}

/// "CPU 32 cores in 2 packages (64 logical) · 83.2 GHz", "Memory 6.7 GiB used of 512 GiB (1 %)".
pub fn host(h: &Element, out: &mut Vec<Section>) {
    let mut s = Section::new("Capacity");
    let int = |f| number(h, f).map(|n| n as u64);
    if let Some(cores) = int("NumOfCpuCoresPhysical") {
        let mut cpu = format!("{cores} cores");
        if let Some(packages) = int("NumOfCpusPackages") {
            cpu += &format!(" in {packages} packages");
        }
        if let Some(logical) = int("NumOfCpuCoresLogical").filter(|l| *l != cores) {
            cpu += &format!(" ({logical} logical)");
        }
        if let Some(mhz) = int("CpuTotal") {
            cpu += &format!(" · {}", labels::mhz_text(mhz));
        }
        s.row("CPU", cpu);
    }
    // vCD gives the host's memory in MB, like the rest of its extension API.
    if let (Some(used), Some(total)) = (number(h, "MemUsed"), number(h, "MemTotal")) {
        let mb = |n: f64| amount_text("MB", n as u64).unwrap_or_default();
        let text = format!(
            "{} used of {} ({})",
            mb(used),
            mb(total),
            percent(used, total)
        );
        s.row("Memory", text);
    }
    let os = [h.child_text("HostOsName"), h.child_text("HostOsVersion")];
    let os: Vec<&str> = os.into_iter().flatten().collect();
    if !os.is_empty() {
        s.row("Hypervisor", os.join(" "));
    }
    // `VmMoRef` is the host's moid in its vCenter: said as such beside the name the host has
    // there (the document's own name), so a bare `host-12` is not taken for a name.
    if let Some(moref) = h.child_text("VmMoRef") {
        let text = match h.attr("name").filter(|n| !n.is_empty()) {
            Some(name) => format!("{name} · moid {moref}"),
            None => format!("moid {moref}"),
        };
        s.row("vCenter host", text);
    }
    out.push(s);
}

/// The VimServer a host document's `up` link names: the vCenter the host is in.
pub fn vcenter_ref(h: &Element) -> Option<&str> {
    h.children_named("Link")
        .find(|l| {
            l.attr("rel") == Some("up")
                && l.attr("type")
                    .is_some_and(|t| t.contains("vmwvirtualcenter"))
        })
        .and_then(|l| l.attr("href"))
}

/// The vCenter a host is in, by the name vCD knows it by and its URL, under the host's row
/// there ("vCenter host  esx-01 · moid host-12" says which host, not which vCenter).
pub fn add_vcenter(out: &mut [Section], name: &str, url: &str) {
    let Some(s) = out.iter_mut().find(|s| s.title == "Capacity") else {
        return;
    };
    let text = match (name.is_empty(), url.is_empty()) {
        (false, false) => format!("{name} ({url})"),
        (true, _) => url.to_string(),
        (false, true) => name.to_string(),
    };
    let at = s.rows.iter().position(|r| r.0 == "vCenter host");
    s.rows
        .insert(at.map_or(s.rows.len(), |i| i + 1), ("vCenter".into(), text));
}

/// "Used 1.2 TiB of 4 TiB (30 %)", the free-space alarm thresholds, the file system.
pub fn datastore(d: &Element, out: &mut Vec<Section>) {
    const MIB: f64 = 1024.0 * 1024.0;
    let mut s = Section::new("Capacity");
    if let (Some(used), Some(total)) = (number(d, "UsedCapacityMb"), number(d, "TotalCapacityMb")) {
        let bytes = |mb: f64| bytes_text((mb * MIB) as u64);
        s.row(
            "Used",
            format!(
                "{} of {} ({})",
                bytes(used),
                bytes(total),
                percent(used, total)
            ),
        );
        s.row("Free", bytes(total - used));
    }
    let gib = |f| number(d, f).map(|g| bytes_text((g * 1024.0 * MIB) as u64));
    if let (Some(yellow), Some(red)) = (gib("ThresholdYellowGb"), gib("ThresholdRedGb")) {
        s.row(
            "Alarms",
            format!("yellow below {yellow} free, red below {red}"),
        );
    }
    if let Some(fs) = d.child_text("DatastoreFsType") {
        s.row("Type", fs);
    }
    out.push(s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::xml;

    /// A host as vCD's extension API writes it (`HostType`, `vmwextensions.xsd`): its name
    /// is the vCenter's, `VmMoRef` its moid there.
    const HOST: &str = r#"<vmext:Host xmlns="http://www.vmware.com/vcloud/v1.5"
        xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5" name="esx-01.example.com"
        href="https://vcd/api/admin/extension/host/1" type="application/vnd.vmware.admin.host+xml">
      <vmext:Available>true</vmext:Available><vmext:Busy>false</vmext:Busy>
      <vmext:NumOfCpuCoresPhysical>32</vmext:NumOfCpuCoresPhysical>
      <vmext:NumOfCpuCoresLogical>64</vmext:NumOfCpuCoresLogical>
      <vmext:NumOfCpusPackages>2</vmext:NumOfCpusPackages>
      <vmext:NumOfCpusLogical>64</vmext:NumOfCpusLogical><vmext:CpuTotal>83200</vmext:CpuTotal>
      <vmext:MemUsed>25722.0</vmext:MemUsed><vmext:MemTotal>524288.0</vmext:MemTotal>
      <vmext:VmMoRef>host-12</vmext:VmMoRef></vmext:Host>"#;

    /// The vCenter a host is in, named under the host's row once its VimServer is read.
    #[test]
    fn a_hosts_vcenter_is_named_under_its_row() {
        let doc = r#"<vmext:Host xmlns="http://www.vmware.com/vcloud/v1.5"
            xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5" name="esx-01">
          <Link rel="up" type="application/vnd.vmware.admin.vmwvirtualcenter+xml"
            href="https://vcd/api/admin/extension/vimServer/7"/>
          <vmext:VmMoRef>host-12</vmext:VmMoRef></vmext:Host>"#;
        let doc = xml::parse(doc.as_bytes()).unwrap();
        assert_eq!(
            vcenter_ref(&doc),
            Some("https://vcd/api/admin/extension/vimServer/7")
        );
        let mut out = vec![];
        host(&doc, &mut out);
        add_vcenter(&mut out, "vc-01", "https://vc-01.example.com");
        let rows: Vec<(&str, &str)> = (out[0].rows.iter())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("vCenter host", "esx-01 · moid host-12"),
                ("vCenter", "vc-01 (https://vc-01.example.com)")
            ]
        );
        // A host document with no such link names none.
        assert_eq!(vcenter_ref(&xml::parse(HOST.as_bytes()).unwrap()), None);
    }

    #[test]
    fn a_hosts_vcenter_moid_is_labelled_beside_its_name() {
        let doc = xml::parse(HOST.as_bytes()).unwrap();
        let mut out = vec![];
        host(&doc, &mut out);
        let row = |k: &str| out[0].rows.iter().find(|r| r.0 == k).map(|r| r.1.clone());
        assert_eq!(
            row("vCenter host").as_deref(),
            Some("esx-01.example.com · moid host-12")
        );
        assert_eq!(
            row("CPU").as_deref(),
            Some("32 cores in 2 packages (64 logical) · 83.2 GHz")
        );
    }
}
