//! The vim-only parts of vCenter summaries, in words: a VM's annotation, uptime, CPU and memory
//! use and Tools status; a host's or cluster's capacity and use. A failed vim read leaves the
//! REST part of the details as it is and says why in a row.

use time::OffsetDateTime;

use super::vim::{HostUsage, VmRuntime};
use crate::api::labels;
use crate::api::model::{Section, mib_text};

/// "12.5 GHz of 83.2 GHz (15 %)".
fn share(used: String, total: String, used_n: u64, total_n: u64) -> String {
    if total_n == 0 {
        return used;
    }
    format!("{used} of {total} ({} %)", used_n * 100 / total_n)
}

/// Adds the vim rows to a VM's Summary, as of `now` (for the uptime).
pub fn vm_rows(s: &mut Section, rt: &VmRuntime, now: OffsetDateTime) {
    if let Some(t) = &rt.tools {
        let said = labels::tools_status(t);
        match s.rows.iter_mut().find(|(k, _)| k == "VMware Tools") {
            Some(row) => row.1 = said,
            None => {
                s.row("VMware Tools", said);
            }
        }
    }
    if let Some(boot) = rt.boot {
        let up = (now - boot).whole_seconds().max(0) as u64;
        s.row(
            "Uptime",
            format!("{} (booted {})", labels::duration(up), labels::when(boot)),
        );
    }
    if let Some(mhz) = rt.cpu_mhz {
        s.row("CPU use", labels::mhz_text(mhz));
    }
    if let Some(mb) = rt.guest_memory_mb {
        s.row("Guest memory use", mem_text(mb));
    }
    if let Some(a) = &rt.annotation {
        s.row("Annotation", a.clone());
    }
}

/// "Capacity" of hosts (one host, or a cluster's): CPU and memory used of total, VM count.
pub fn capacity(hosts: &[HostUsage], cluster: bool) -> Section {
    let mut s = Section::new("Capacity");
    let sum = |f: fn(&HostUsage) -> u64| hosts.iter().map(f).sum::<u64>();
    let (cpu_used, cpu_total) = (sum(|h| h.cpu_used_mhz), sum(|h| h.cpu_total_mhz));
    let (mem_used, mem_total) = (sum(|h| h.memory_used_mb), sum(|h| h.memory_total_bytes));
    let mem_total_mb = mem_total / (1024 * 1024);
    if cluster {
        s.row("Hosts", hosts.len().to_string());
    }
    s.row(
        "CPU",
        share(
            labels::mhz_text(cpu_used),
            labels::mhz_text(cpu_total),
            cpu_used,
            cpu_total,
        ),
    )
    .row(
        "Memory",
        share(
            mem_text(mem_used),
            mem_text(mem_total_mb),
            mem_used,
            mem_total_mb,
        ),
    )
    .row(
        "VMs",
        hosts.iter().map(|h| h.vms).sum::<usize>().to_string(),
    );
    s
}

/// Memory in use or installed: whole GiB as they are, the rest to a tenth ("20.0 GiB", not
/// "20518 MiB" beside "512 GiB").
fn mem_text(mib: u64) -> String {
    match mib.is_multiple_of(1024) {
        true => mib_text(mib),
        false => crate::api::model::bytes_text(mib * 1024 * 1024),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn vm_rows_say_uptime_use_and_tools_in_words() {
        let mut s = Section::new("Summary");
        s.row("VMware Tools", "not running");
        let rt = VmRuntime {
            annotation: Some("owner: web team".into()),
            boot: Some(datetime!(2026-12-01 10:00 UTC)),
            cpu_mhz: Some(12480),
            guest_memory_mb: Some(9666),
            tools: Some("guestToolsRunning".into()),
        };
        vm_rows(&mut s, &rt, datetime!(2026-12-06 12:00 UTC));
        let get = |k: &str| {
            s.rows
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("VMware Tools"), Some("Running"));
        assert_eq!(
            get("Uptime"),
            Some("5 d 2 h (booted 2026-12-01 10:00:00 UTC)")
        );
        assert_eq!(get("CPU use"), Some("12.5 GHz"));
        assert_eq!(get("Guest memory use"), Some("9.4 GiB"), "not 9666 MiB");
        assert_eq!(mem_text(20518), "20.0 GiB");
        assert_eq!(mem_text(512), "512 MiB");
        assert_eq!(get("Annotation"), Some("owner: web team"));
    }

    #[test]
    fn capacity_adds_up_hosts() {
        let h = |used, vms| HostUsage {
            cpu_used_mhz: used,
            cpu_total_mhz: 83200,
            memory_used_mb: 131072,
            memory_total_bytes: 512 * 1024 * 1024 * 1024,
            vms,
        };
        let s = capacity(&[h(10000, 3), h(6640, 2)], true);
        assert_eq!(
            s.rows,
            [
                ("Hosts".to_string(), "2".to_string()),
                ("CPU".into(), "16.6 GHz of 166.4 GHz (10 %)".into()),
                ("Memory".into(), "256 GiB of 1 TiB (25 %)".into()),
                ("VMs".into(), "5".into()),
            ]
        );
    }
}
