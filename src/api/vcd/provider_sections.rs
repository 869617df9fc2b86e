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
    if let Some(moref) = h.child_text("VmMoRef") {
        s.row("vCenter host", moref);
    }
    out.push(s);
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
