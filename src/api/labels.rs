//! Words an operator reads instead of the API's field names and codes: `needsCustomization` →
//! "Needs customization", `power_state` → "Power", `ubuntu64Guest` / `UBUNTU_64` → "Ubuntu
//! Linux (64-bit)". The detail sections use these, and the tree and tables show a node's
//! status through `status`; the raw view keeps the API's own names.

use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use time::OffsetDateTime;

use super::interned::Label;

/// Field names whose plain reading would still say the wrong thing.
const FIELDS: &[(&str, &str)] = &[
    ("power_state", "Power"),
    ("IsEnabled", "Enabled"),
    ("VApp", "vApp"),
    ("NicQuota", "NIC quota"),
    ("powerState", "Power"),
    ("guest_OS", "Guest OS"),
    ("guestOs", "Guest OS"),
    ("osType", "Guest OS type"),
    ("full_name", "Guest OS"),
    ("host_name", "Guest host name"),
    ("ip_address", "IP address"),
    ("family", "Guest family"),
    ("instance_uuid", "Instance UUID"),
    ("bios_uuid", "BIOS UUID"),
    ("href", "Href"),
    ("id", "Id"),
    ("urn", "URN"),
    ("vAppScopedLocalId", "Local id in the vApp"),
    ("VAppScopedLocalId", "Local id in the vApp"),
    ("drs_enabled", "DRS"),
    ("ha_enabled", "HA"),
    ("free_space", "Free"),
    ("capacity", "Capacity"),
    ("resource_pool", "Resource pool"),
    ("DeploymentLeaseInSeconds", "Deployment lease"),
    ("StorageLeaseInSeconds", "Storage lease"),
    ("DeploymentLeaseExpiration", "Deployment lease ends"),
    ("FenceMode", "Fence mode"),
    ("Dns1", "DNS 1"),
    ("Dns2", "DNS 2"),
    ("DnsSuffix", "DNS suffix"),
    ("SubnetPrefixLength", "Prefix length"),
    // vmext:Host: said whole it outgrows the key column and pushes its value off the line.
    ("EnableHostForHostSpanning", "Host spanning"),
];

/// Words kept in capitals (or their usual spelling) when a field name is read out.
const WORDS: &[(&str, &str)] = &[
    ("os", "OS"),
    ("ip", "IP"),
    ("ips", "IPs"),
    ("cpu", "CPU"),
    ("cpus", "CPUs"),
    ("vcpu", "vCPU"),
    ("uuid", "UUID"),
    ("urn", "URN"),
    ("mac", "MAC"),
    ("dns", "DNS"),
    ("vm", "VM"),
    ("vms", "VMs"),
    ("vapp", "vApp"),
    ("vdc", "VDC"),
    ("ha", "HA"),
    ("drs", "DRS"),
    ("mib", "MiB"),
    ("gib", "GiB"),
    ("mb", "MB"),
    ("gb", "GB"),
    ("mhz", "MHz"),
    ("bios", "BIOS"),
    ("efi", "EFI"),
    ("iso", "ISO"),
    ("url", "URL"),
    ("ldap", "LDAP"),
    ("vmware", "VMware"),
];

/// "needsCustomization" → "Needs customization", "memory_size_MiB" → "Memory size MiB".
pub fn field(key: &str) -> String {
    if let Some((_, label)) = FIELDS.iter().find(|(k, _)| *k == key) {
        return label.to_string();
    }
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == ' ' || c == '.' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        // A capital starts a word, except inside a run of capitals ("MiB" stays whole, the
        // "URL" of "vmURLText" too, until the next word's capital).
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let starts = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase() || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if starts && !cur.is_empty() && !(cur == "Mi" || cur == "Gi") {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let lower = w.to_lowercase();
        let word = match WORDS.iter().find(|(k, _)| *k == lower) {
            Some((_, fixed)) => fixed.to_string(),
            None if i == 0 => capitalize(&lower),
            None => lower,
        };
        out.push(word);
    }
    out.join(" ")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `true`/`false` as an operator says them, a timestamp as `when` writes it; anything else as
/// it came.
pub fn value(v: &str) -> String {
    match v {
        "true" => "Yes".into(),
        "false" => "No".into(),
        other => timestamp(other).unwrap_or_else(|| other.to_string()),
    }
}

/// `true`/`false` as "Yes"/"No".
pub fn yes_no(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

/// "2026-12-06 17:01:07": whole seconds in UTC, how a column or a name writes a time (a zone
/// suffix on every row would only widen it; the details say "UTC", see `when`).
pub fn time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// "2026-12-06 17:01:07 UTC": a time in a detail row, where the zone is said once per value.
pub fn when(t: OffsetDateTime) -> String {
    format!("{} UTC", time(t))
}

/// A server's RFC 3339 timestamp (`2023-02-25T05:51:17.000Z`) as `when` writes it; `None`
/// when the text is not one.
pub fn timestamp(text: &str) -> Option<String> {
    // Only text shaped like a date is parsed: most values are names and numbers.
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(when)
}

/// A state word such as `POWERED_ON` or `poweredOn` as "Powered on" (`VAPP_UNDEPLOYED` as
/// "vApp undeployed": the words keep their usual spelling).
pub fn state(v: &str) -> String {
    if v.chars().any(|c| c.is_lowercase()) {
        return field(v);
    }
    field(&v.to_lowercase())
}

/// A label inside a sentence: "Powered off" → "powered off" ("vApp undeployed" as it is).
pub fn in_sentence(label: &str) -> String {
    let mut c = label.chars();
    match (c.next(), c.next()) {
        (Some(f), Some(s)) if f.is_uppercase() && s.is_lowercase() => f
            .to_lowercase()
            .chain(label[f.len_utf8()..].chars())
            .collect(),
        _ => label.to_string(),
    }
}

/// A node's status as the tree, the tables and the detail pane show it: `state` of its
/// interned label, worked out once per distinct label and kept for the life of the process
/// (there are a few dozen), so drawing, sorting and filtering 300,000 rows never build a
/// string per row. The raw view, `vnav dump` and `vnav ls` keep the API's own word.
pub fn status(label: Label) -> &'static str {
    static HUMAN: LazyLock<RwLock<HashMap<Label, &'static str>>> = LazyLock::new(Default::default);
    if label == Label::NONE {
        return "";
    }
    if let Some(&text) = HUMAN.read().unwrap_or_else(|e| e.into_inner()).get(&label) {
        return text;
    }
    let mut human = HUMAN.write().unwrap_or_else(|e| e.into_inner());
    human
        .entry(label)
        .or_insert_with(|| Box::leak(state(&label).into_boxed_str()))
}

/// Guest OS identifiers: vim's `ubuntu64Guest` (vCD's `osType` too) and vCenter REST's
/// `UBUNTU_64` are the same id spelt two ways, so both are looked up by one normal form.
const GUEST_OS: &[(&str, &str)] = &[
    ("UBUNTU64", "Ubuntu Linux (64-bit)"),
    ("UBUNTU", "Ubuntu Linux (32-bit)"),
    ("DEBIAN1064", "Debian GNU/Linux 10 (64-bit)"),
    ("DEBIAN1164", "Debian GNU/Linux 11 (64-bit)"),
    ("DEBIAN1264", "Debian GNU/Linux 12 (64-bit)"),
    ("RHEL764", "Red Hat Enterprise Linux 7 (64-bit)"),
    ("RHEL864", "Red Hat Enterprise Linux 8 (64-bit)"),
    ("RHEL964", "Red Hat Enterprise Linux 9 (64-bit)"),
    ("CENTOS764", "CentOS 7 (64-bit)"),
    ("CENTOS864", "CentOS 8 (64-bit)"),
    ("CENTOS64", "CentOS 4/5 (64-bit)"),
    ("ROCKYLINUX64", "Rocky Linux (64-bit)"),
    ("ALMALINUX64", "AlmaLinux (64-bit)"),
    ("SLES1564", "SUSE Linux Enterprise 15 (64-bit)"),
    ("SLES1264", "SUSE Linux Enterprise 12 (64-bit)"),
    ("VMWAREPHOTON64", "VMware Photon OS (64-bit)"),
    ("OTHER3XLINUX64", "Other 3.x Linux (64-bit)"),
    ("OTHER4XLINUX64", "Other 4.x Linux (64-bit)"),
    ("OTHER5XLINUX64", "Other 5.x Linux (64-bit)"),
    ("OTHERLINUX64", "Other Linux (64-bit)"),
    ("OTHERLINUX", "Other Linux (32-bit)"),
    ("OTHER64", "Other (64-bit)"),
    ("OTHER", "Other (32-bit)"),
    ("WINDOWS764", "Microsoft Windows 7 (64-bit)"),
    ("WINDOWS9", "Microsoft Windows 10 (32-bit)"),
    ("WINDOWS964", "Microsoft Windows 10/11 (64-bit)"),
    ("WINDOWS8SERVER64", "Microsoft Windows Server 2012 (64-bit)"),
    (
        "WINDOWS9SERVER64",
        "Microsoft Windows Server 2016/2019 (64-bit)",
    ),
    ("WINDOWS2019SRV64", "Microsoft Windows Server 2019 (64-bit)"),
    (
        "WINDOWS2019SRVNEXT64",
        "Microsoft Windows Server 2022 (64-bit)",
    ),
    (
        "WINDOWSSERVER2021",
        "Microsoft Windows Server 2022 (64-bit)",
    ),
    (
        "WINDOWS2022SRVNEXT64",
        "Microsoft Windows Server 2025 (64-bit)",
    ),
    (
        "WINDOWS7SERVER64",
        "Microsoft Windows Server 2008 R2 (64-bit)",
    ),
    ("FREEBSD1364", "FreeBSD 13 (64-bit)"),
    ("FREEBSD64", "FreeBSD (64-bit)"),
];

/// The name the vSphere Client shows for a guest OS id, or None for an id vnav does not know.
pub fn guest_os(id: &str) -> Option<&'static str> {
    let norm: String = id
        .strip_suffix("Guest")
        .unwrap_or(id)
        .chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_uppercase)
        .collect();
    GUEST_OS.iter().find(|(k, _)| *k == norm).map(|(_, v)| *v)
}

/// A guest OS id with its readable name first, the id kept for searching: "Ubuntu Linux
/// (64-bit) · UBUNTU_64"; an unknown id as it came.
pub fn guest_os_text(id: &str) -> String {
    match guest_os(id) {
        Some(name) => format!("{name} · {id}"),
        None => id.to_string(),
    }
}

/// The task pane's words for what an action does, where the servers' own names for it differ
/// from the action's label (`app::actions`): the menu, the confirmation and the task pane say
/// one thing. vCD's `vappShutdownGuest` (the simulator's `vmShutdown`), vim's
/// `revertToCurrentSnapshot`, …
const ACTION_WORDS: &[(&str, &str)] = &[
    ("Shutdown", "Shut down guest"),
    ("ShutdownGuest", "Shut down guest"),
    ("Reboot", "Reboot guest"),
    ("RebootGuest", "Reboot guest"),
    ("StandbyGuest", "Standby guest"),
    ("RevertToCurrentSnapshot", "Revert to snapshot"),
    ("RevertToSnapshot", "Revert to snapshot"),
    ("UndeployPowerOff", "Undeploy (power off)"),
    ("UndeploySuspend", "Undeploy (suspend)"),
];

/// A method or operation name's last word run (`RevertToCurrentSnapshot`) in the task pane's
/// words, when an action names it otherwise.
fn action_words(rest: &str) -> Option<&'static str> {
    (ACTION_WORDS.iter())
        .find(|(k, _)| k.eq_ignore_ascii_case(rest))
        .map(|(_, v)| *v)
}

/// A vCD task's `operationName` (`vappPowerOff`, `vdcComposeVapp`) as a short phrase ("Power
/// off", "Compose vApp"), for the task pane's operation column; worded as the action that
/// starts it is ("Shut down guest").
pub fn vcd_operation(name: &str) -> String {
    let rest = ["vappTemplate", "vapp", "vdc", "vm", "org", "catalog"]
        .iter()
        .find_map(|p| {
            name.strip_prefix(p)
                .filter(|r| r.starts_with(|c: char| c.is_uppercase()))
        })
        .unwrap_or(name);
    if rest.is_empty() {
        return name.to_string();
    }
    match action_words(rest) {
        Some(words) => words.to_string(),
        None => field(rest),
    }
}

/// What the task pane says for a vim task's `descriptionId`: vCenter's own ids for snapshot
/// tasks by name, any other (`VirtualMachine.powerOn`, vcsim's `VirtualMachineSnapshot.
/// removeSnapshot`…) from its method name in words, worded as the action that starts it is.
pub fn vim_operation(description_id: &str) -> String {
    match description_id {
        "VirtualMachine.createSnapshot" => "Create snapshot".into(),
        "vm.Snapshot.revert" => "Revert to snapshot".into(),
        "vm.Snapshot.remove" => "Remove snapshot".into(),
        "VirtualMachine.removeAllSnapshots" => "Remove all snapshots".into(),
        "" => "vim task".into(),
        other => method_words(other),
    }
}

/// "Folder.createVm_Task" → "Create vm", "VirtualMachine.RemoveAllSnapshots" → "Remove all
/// snapshots".
fn method_words(description_id: &str) -> String {
    let method = description_id.rsplit('.').next().unwrap_or(description_id);
    let method = method.strip_suffix("_Task").unwrap_or(method);
    if let Some(words) = action_words(method) {
        return words.to_string();
    }
    let mut out = String::new();
    for c in method.chars() {
        if out.is_empty() {
            out.extend(c.to_uppercase());
        } else if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        description_id.to_string()
    } else {
        out
    }
}

/// vim's `guest.toolsRunningStatus` as the vSphere Client says it.
pub fn tools_status(v: &str) -> String {
    match v {
        "guestToolsRunning" => "Running".into(),
        "guestToolsNotRunning" => "Not running".into(),
        "guestToolsExecutingScripts" => "Starting (running scripts)".into(),
        other => field(other.trim_start_matches("guestTools")),
    }
}

/// vCD's `vmToolsStatus` (a VM query record) in words.
pub fn vcd_tools_status(v: &str) -> String {
    match v {
        "toolsOk" => "Running".into(),
        "toolsOld" => "Running (out of date)".into(),
        "toolsNotRunning" => "Not running".into(),
        "toolsNotInstalled" => "Not installed".into(),
        other => field(other.trim_start_matches("tools")),
    }
}

/// CPU as vSphere writes it: "500 MHz", "12.5 GHz", "180 GHz" (one decimal only when it says
/// something).
pub fn mhz_text(mhz: u64) -> String {
    if mhz < 1000 {
        return format!("{mhz} MHz");
    }
    let ghz = format!("{:.1}", mhz as f64 / 1000.0);
    format!("{} GHz", ghz.strip_suffix(".0").unwrap_or(&ghz))
}

/// Seconds as "3 d 4 h", "2 h 5 min", "40 s".
pub fn duration(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_a_date_and_a_time_in_utc() {
        assert_eq!(value("2023-02-25T05:51:17.000Z"), "2023-02-25 05:51:17 UTC");
        assert_eq!(
            value("2023-02-25T07:51:17+02:00"),
            "2023-02-25 05:51:17 UTC"
        );
        assert_eq!(
            value("2023-02-25T05:51:17Z-ish"),
            "2023-02-25T05:51:17Z-ish"
        );
        assert_eq!(value("web-01"), "web-01");
        assert_eq!(value("true"), "Yes");
    }

    #[test]
    fn field_names_read_as_words() {
        assert_eq!(field("needsCustomization"), "Needs customization");
        assert_eq!(field("VApp"), "vApp", "a vApp's type, not 'V app'");
        assert_eq!(field("power_state"), "Power");
        assert_eq!(field("memory_size_MiB"), "Memory size MiB");
        assert_eq!(field("deployed"), "Deployed");
        assert_eq!(
            field("nestedHypervisorEnabled"),
            "Nested hypervisor enabled"
        );
        assert_eq!(field("cpu_count"), "CPU count");
        assert_eq!(field("VmToolsVersion"), "VM tools version");
        assert_eq!(field("DateCreated"), "Date created");
        assert_eq!(field("resource_pool"), "Resource pool");
        assert_eq!(field("EnableHostForHostSpanning"), "Host spanning");
    }

    #[test]
    fn guest_os_ids_of_both_spellings_read_the_same() {
        assert_eq!(guest_os("ubuntu64Guest"), Some("Ubuntu Linux (64-bit)"));
        assert_eq!(guest_os("UBUNTU_64"), Some("Ubuntu Linux (64-bit)"));
        assert_eq!(
            guest_os("windows9Server64Guest"),
            guest_os("WINDOWS_9_SERVER_64")
        );
        assert_eq!(
            guest_os("OTHER_3X_LINUX_64"),
            Some("Other 3.x Linux (64-bit)")
        );
        assert_eq!(guest_os("plan9"), None);
        assert_eq!(guest_os_text("plan9"), "plan9");
    }

    #[test]
    fn vcd_operations_read_short() {
        assert_eq!(vcd_operation("vappPowerOff"), "Power off");
        assert_eq!(vcd_operation("vappCreateSnapshot"), "Create snapshot");
        assert_eq!(
            vcd_operation("vappRemoveAllSnapshots"),
            "Remove all snapshots"
        );
        assert_eq!(vcd_operation("vdcComposeVapp"), "Compose vApp");
        assert_eq!(
            vcd_operation("vappUndeployPowerOff"),
            "Undeploy (power off)"
        );
        assert_eq!(vcd_operation("jobMystery"), "Job mystery");
        // The real name and the simulator's read alike, as the action says it.
        assert_eq!(vcd_operation("vappShutdownGuest"), "Shut down guest");
        assert_eq!(vcd_operation("vmShutdown"), "Shut down guest");
        assert_eq!(vcd_operation("vmReboot"), "Reboot guest");
        assert_eq!(
            vcd_operation("vmRevertToCurrentSnapshot"),
            "Revert to snapshot"
        );
    }

    #[test]
    fn vim_task_operations_read_as_words() {
        assert_eq!(vim_operation("vm.Snapshot.remove"), "Remove snapshot");
        assert_eq!(vim_operation("VirtualMachine.powerOn"), "Power on");
        assert_eq!(
            vim_operation("VirtualMachine.RemoveAllSnapshots"),
            "Remove all snapshots"
        );
        assert_eq!(
            vim_operation("VirtualMachineSnapshot.revertToSnapshot"),
            "Revert to snapshot"
        );
        assert_eq!(
            vim_operation("VirtualMachine.revertToCurrentSnapshot"),
            "Revert to snapshot"
        );
        assert_eq!(
            vim_operation("VirtualMachine.shutdownGuest"),
            "Shut down guest"
        );
        assert_eq!(vim_operation("Folder.createVm_Task"), "Create vm");
        assert_eq!(vim_operation(""), "vim task");
    }

    #[test]
    fn values_and_states_read_as_words() {
        assert_eq!(value("true"), "Yes");
        assert_eq!(state("POWERED_ON"), "Powered on");
        assert_eq!(state("poweredOff"), "Powered off");
        assert_eq!(state("VAPP_UNDEPLOYED"), "vApp undeployed");
        assert_eq!(state("NOT_RESPONDING"), "Not responding");
        assert_eq!(state("waiting for input"), "Waiting for input");
        assert_eq!(status(Label::new("POWERED_ON")), "Powered on");
        assert_eq!(status(Label::new("RESOLVED")), "Resolved");
        assert_eq!(status(Label::NONE), "");
        assert_eq!(duration(40), "40 s");
        assert_eq!(duration(3 * 3600 + 5 * 60), "3 h 5 min");
        assert_eq!(duration(2 * 86_400 + 3600), "2 d 1 h");
    }
}
