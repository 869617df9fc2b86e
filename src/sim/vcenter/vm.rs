//! One VM in vCenter's words: the full `GET /vcenter/vm/{vm}` (hardware, cpu, memory, disks,
//! NICs, boot…), and the guest views that need running VMware Tools (identity, interfaces).

use axum::response::Response;
use serde_json::{Value, json};

use super::errors::{VcError, VcResult};
use super::{Dialect, Req, VcShared, VcenterVersion, keyed, ok};
use crate::sim::inventory::vm_index;
use crate::sim::world::{Power, Tools, Vm, World, uuid_str};

pub fn power_state(p: Power) -> &'static str {
    match p {
        Power::On => "POWERED_ON",
        Power::Off => "POWERED_OFF",
        Power::Suspended => "SUSPENDED",
    }
}

/// The `guest_OS` enumeration value of the VM's guest id (7.0 has no Debian 12 yet).
pub fn guest_os(vm: &Vm, version: VcenterVersion) -> &'static str {
    match vm.os().2 {
        "ubuntu64Guest" => "UBUNTU_64",
        "rhel8_64Guest" => "RHEL_8_64",
        "rhel9_64Guest" => "RHEL_9_64",
        "vmwarePhoton64Guest" => "VMWARE_PHOTON_64",
        "centos7_64Guest" => "CENTOS_7_64",
        "debian11_64Guest" => "DEBIAN_11_64",
        "debian12_64Guest" if version == VcenterVersion::V8_0 => "DEBIAN_12_64",
        "debian12_64Guest" => "OTHER_5X_LINUX_64",
        "windows2019srv_64Guest" => "WINDOWS_9_SERVER_64",
        "windows2019srvNext_64Guest" => "WINDOWS_SERVER_2021",
        _ => "OTHER_64",
    }
}

/// VM index for the `{vm}` path segment, or `not_found`.
pub fn find(w: &World, moid: &str) -> VcResult<u32> {
    vm_index(w, moid).ok_or_else(|| VcError::not_found(moid))
}

pub fn mac(v: u32, nic: usize) -> String {
    let n = v as usize * 4 + nic;
    format!(
        "00:50:56:{:02x}:{:02x}:{:02x}",
        0x80 | ((n >> 16) & 0x3f),
        (n >> 8) & 0xff,
        n & 0xff
    )
}

fn tools_running(vm: &Vm) -> bool {
    vm.power == Power::On && vm.tools != Tools::NotInstalled
}

/// The 503 the guest services answer without running Tools.
pub fn require_tools(vm: &Vm) -> VcResult<()> {
    if tools_running(vm) {
        Ok(())
    } else {
        Err(VcError::service_unavailable(format!(
            "VMware Tools is not running in virtual machine {}.",
            vm.name
        )))
    }
}

pub fn detail(w: &World, v: u32, d: Dialect, version: VcenterVersion) -> Value {
    let vm = &w.vms[v as usize];
    let inv = &w.vc;
    let windows = vm.os().3;
    let ds = &inv.datastores[inv.vm_datastore[v as usize] as usize].name;
    let connected = if vm.power == Power::On {
        "CONNECTED"
    } else {
        "NOT_CONNECTED"
    };
    let mut disks = vec![];
    let mut unit = 0;
    for (k, gb) in vm.disks_gb.iter().enumerate() {
        if unit == 7 {
            unit += 1; // the controller sits on unit 7
        }
        let suffix = if k == 0 {
            String::new()
        } else {
            format!("_{k}")
        };
        disks.push((
            (2000 + k).to_string(),
            json!({
                "label": format!("Hard disk {}", k + 1),
                "type": "SCSI",
                "scsi": {"bus": 0, "unit": unit},
                "backing": {
                    "type": "VMDK_FILE",
                    "vmdk_file": format!("[{ds}] {0}/{0}{suffix}.vmdk", vm.name),
                },
                "capacity": u64::from(*gb) << 30,
            }),
        ));
        unit += 1;
    }
    let dc = inv.clusters[inv.hosts[inv.vm_host[v as usize] as usize].cluster as usize].dc;
    let mut nics = vec![];
    for (k, nic) in vm.nics.iter().enumerate() {
        let pg = &inv.networks[inv.vcd_net_pg[nic.net as usize] as usize];
        let mut n = json!({
            "label": format!("Network adapter {}", k + 1),
            "type": if windows { "E1000E" } else { "VMXNET3" },
            "upt_compatibility_enabled": !windows,
            "mac_type": "ASSIGNED",
            "mac_address": mac(v, k),
            "pci_slot_number": 160 + 32 * k,
            "wake_on_lan_enabled": true,
            "backing": {
                "type": "DISTRIBUTED_PORTGROUP",
                "network": pg.moid,
                "network_name": pg.name,
                "distributed_switch_uuid": inv.datacenters[dc as usize].dvs_uuid,
                "distributed_port": (nic.host % 4096).to_string(),
                "connection_cookie": (nic.host as u64) * 7919 % 2_000_000_000,
            },
            "state": connected,
            "start_connected": true,
            "allow_guest_control": true,
        });
        if version == VcenterVersion::V8_0 {
            n["upt_v2_compatibility_enabled"] = json!(false);
        }
        nics.push(((4000 + k).to_string(), n));
    }
    let cdrom = json!({
        "type": "SATA",
        "label": "CD/DVD drive 1",
        "sata": {"bus": 0, "unit": 0},
        "backing": {"type": "CLIENT_DEVICE", "device_access_type": "PASSTHRU"},
        "state": "NOT_CONNECTED",
        "start_connected": false,
        "allow_guest_control": true,
    });
    let sata =
        json!({"label": "SATA controller 0", "type": "AHCI", "bus": 0, "pci_slot_number": 33});
    let scsi = json!({
        "label": "SCSI controller 0",
        "type": if windows { "LSILOGICSAS" } else { "PVSCSI" },
        "scsi": {"bus": 0, "unit": 7},
        "pci_slot_number": 160,
        "sharing": "NONE",
    });
    let mut out = json!({
        "name": vm.name,
        "guest_OS": guest_os(vm, version),
        "power_state": power_state(vm.power),
        "hardware": {
            "version": format!("VMX_{:02}", vm.hw_version),
            "upgrade_policy": "NEVER",
            "upgrade_status": "NONE",
        },
        "boot": {
            "type": if windows { "EFI" } else { "BIOS" },
            "delay": 0,
            "retry": false,
            "retry_delay": 10000,
            "enter_setup_mode": false,
        },
        "boot_devices": [],
        "cpu": {
            "count": vm.cpus,
            "cores_per_socket": if vm.cpus >= 8 { vm.cpus / 2 } else { 1 },
            "hot_add_enabled": false,
            "hot_remove_enabled": false,
        },
        "memory": {"size_MiB": vm.mem_mb, "hot_add_enabled": false},
        "disks": keyed(d, disks),
        "nics": keyed(d, nics),
        "cdroms": keyed(d, vec![("16000".into(), cdrom)]),
        "floppies": keyed(d, vec![]),
        "parallel_ports": keyed(d, vec![]),
        "serial_ports": keyed(d, vec![]),
        "sata_adapters": keyed(d, vec![("15000".into(), sata)]),
        "scsi_adapters": keyed(d, vec![("1000".into(), scsi)]),
    });
    if version != VcenterVersion::V6_7 {
        out["nvme_adapters"] = keyed(d, vec![]);
        out["instant_clone_frozen"] = json!(false);
        out["identity"] = json!({
            "name": vm.name,
            "bios_uuid": uuid_str(vm.id.rotate_left(64)),
            "instance_uuid": uuid_str(vm.id),
        });
    }
    out
}

pub fn get(s: &VcShared, r: &Req, moid: &str) -> VcResult<Response> {
    let w = s.vcd.read();
    let v = find(&w, moid)?;
    Ok(ok(r.d, detail(&w, v, r.d, s.version)))
}

pub fn identity(s: &VcShared, r: &Req, moid: &str) -> VcResult<Response> {
    let w = s.vcd.read();
    let v = find(&w, moid)?;
    let vm = &w.vms[v as usize];
    require_tools(vm)?;
    let (label, _, guest_id, windows) = vm.os();
    let mut out = json!({
        "name": guest_os(vm, s.version),
        "family": if windows { "WINDOWS" } else { "LINUX" },
        "full_name": {
            "args": [],
            "default_message": label,
            "id": format!("vmsg.guestos.{guest_id}.label"),
        },
        "host_name": vm.name,
    });
    if let Some(ip) = w.primary_ip(v) {
        out["ip_address"] = json!(ip);
    }
    Ok(ok(r.d, out))
}

pub fn interfaces(s: &VcShared, r: &Req, moid: &str) -> VcResult<Response> {
    let w = s.vcd.read();
    let v = find(&w, moid)?;
    let vm = &w.vms[v as usize];
    require_tools(vm)?;
    let list: Vec<Value> = vm
        .nics
        .iter()
        .enumerate()
        .map(|(k, nic)| {
            json!({
                "nic": (4000 + k).to_string(),
                "mac_address": mac(v, k),
                "ip": {"ip_addresses": [{
                    "ip_address": w.networks[nic.net as usize].ip(nic.host),
                    "prefix_length": 16,
                    "origin": "MANUAL",
                    "state": "PREFERRED",
                }]},
            })
        })
        .collect();
    Ok(ok(r.d, Value::Array(list)))
}
