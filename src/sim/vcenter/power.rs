//! VM power through vCenter: state reads, `start|stop|suspend|reset` and guest
//! `shutdown|reboot|standby`, applied at once to the shared world (vCD sees the same VM change).

use axum::response::Response;
use serde_json::json;

use super::errors::{VcError, VcResult};
use super::vm::{find, power_state, require_tools};
use super::{Req, VcShared, done, ok};
use crate::sim::world::{Entity, Power};

pub fn get(s: &VcShared, r: &Req, moid: &str) -> VcResult<Response> {
    let w = s.vcd.read();
    let vm = &w.vms[find(&w, moid)? as usize];
    let mut out = json!({ "state": power_state(vm.power) });
    if vm.power == Power::Off {
        out["clean_power_off"] = json!(true);
    }
    Ok(ok(r.d, out))
}

pub fn guest_get(s: &VcShared, r: &Req, moid: &str) -> VcResult<Response> {
    let w = s.vcd.read();
    let vm = &w.vms[find(&w, moid)? as usize];
    let running = vm.power == Power::On && require_tools(vm).is_ok();
    let state = match (vm.power, running) {
        (Power::On, true) => "RUNNING",
        (Power::Suspended, _) => "STANDBY",
        (Power::On, false) => "UNAVAILABLE",
        (Power::Off, _) => "NOT_RUNNING",
    };
    Ok(ok(
        r.d,
        json!({"state": state, "operations_ready": running}),
    ))
}

/// Locks the world, finds the VM and refuses while a vCD task is working on it.
fn change(
    s: &VcShared,
    moid: &str,
    f: impl FnOnce(&mut crate::sim::world::Vm) -> VcResult<Power>,
) -> VcResult<()> {
    let mut w = s.vcd.write();
    let v = find(&w, moid)?;
    if s.vcd.tasks().busy(&w, Entity::Vm(v), s.vcd.now()) {
        return Err(VcError::resource_busy(format!(
            "The virtual machine {moid} is performing another operation."
        )));
    }
    let vm = &mut w.vms[v as usize];
    let next = f(vm)?;
    vm.power = next;
    w.bump();
    Ok(())
}

pub fn act(s: &VcShared, r: &Req, moid: &str, op: &str) -> VcResult<Response> {
    if !matches!(op, "start" | "stop" | "suspend" | "reset") {
        return Err(VcError::no_operation(&format!(
            "/vcenter/vm/{moid}/power?action={op}"
        )));
    }
    change(s, moid, |vm| match (op, vm.power) {
        ("start", Power::On) => Err(VcError::already_in_desired_state(
            "Virtual machine is already powered on.",
        )),
        ("start", _) => Ok(Power::On),
        ("stop", Power::Off) => Err(VcError::already_in_desired_state(
            "Virtual machine is already powered off.",
        )),
        ("stop", _) => Ok(Power::Off),
        ("suspend", Power::Suspended) => Err(VcError::already_in_desired_state(
            "Virtual machine is already suspended.",
        )),
        ("suspend", Power::Off) => Err(VcError::not_allowed(
            "Virtual machine is powered off and cannot be suspended.",
        )),
        ("reset", Power::On) => Ok(Power::On),
        ("reset", _) => Err(VcError::not_allowed(
            "Virtual machine is not powered on and cannot be reset.",
        )),
        _ => Ok(Power::Suspended),
    })?;
    log(s, moid, op);
    Ok(done(r.d))
}

/// Writes the event vCenter logs for a power operation (`EventManager.QueryEvents`).
fn log(s: &VcShared, moid: &str, op: &str) {
    let w = s.vcd.read();
    let Ok(v) = find(&w, moid) else { return };
    let inv = &w.vc;
    let host = &inv.hosts[inv.vm_host[v as usize] as usize];
    let dc = &inv.datacenters[inv.clusters[host.cluster as usize].dc as usize].name;
    let name = &w.vms[v as usize].name;
    super::vim::events::power(s, name, moid, &host.name, dc, op);
}

pub fn guest_act(s: &VcShared, r: &Req, moid: &str, op: &str) -> VcResult<Response> {
    let next = match op {
        "shutdown" => Power::Off,
        "reboot" => Power::On,
        "standby" => Power::Suspended,
        _ => {
            return Err(VcError::no_operation(&format!(
                "/vcenter/vm/{moid}/guest/power?action={op}"
            )));
        }
    };
    change(s, moid, |vm| {
        if vm.power != Power::On {
            return Err(VcError::not_allowed(
                "Virtual machine is not powered on; guest operations need a running guest.",
            ));
        }
        require_tools(vm)?;
        Ok(next)
    })?;
    Ok(done(r.d))
}
