//! Power and snapshot actions: which ones a VM or vApp offers in its current state, the checks
//! behind a POST (400 for a wrong state, 409 while busy), and the effect a successful task has.

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use time::OffsetDateTime;

use super::entities::vapp_path;
use super::errors::{VcdError, VcdResult};
use super::tasks::{Request, task_doc};
use super::xml::{link, respond};
use super::{Ctx, Shared};
use crate::sim::world::{Entity, Power, Snapshot, Vm, World, uuid_str};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    PowerOn,
    PowerOff,
    Reset,
    Suspend,
    Shutdown,
    Reboot,
    Deploy,
    Undeploy,
    CreateSnapshot,
    RevertSnapshot,
    RemoveSnapshots,
}

/// (op, link rel, path under the entity href, link media kind, operationName suffix, verb).
const OPS: &[(Op, &str, &str, &str, &str, &str)] = &[
    (
        Op::PowerOn,
        "power:powerOn",
        "power/action/powerOn",
        "",
        "PowerOn",
        "Powering on",
    ),
    (
        Op::PowerOff,
        "power:powerOff",
        "power/action/powerOff",
        "",
        "PowerOff",
        "Powering off",
    ),
    (
        Op::Reset,
        "power:reset",
        "power/action/reset",
        "",
        "Reset",
        "Resetting",
    ),
    (
        Op::Suspend,
        "power:suspend",
        "power/action/suspend",
        "",
        "Suspend",
        "Suspending",
    ),
    (
        Op::Shutdown,
        "power:shutdown",
        "power/action/shutdown",
        "",
        "Shutdown",
        "Shutting down",
    ),
    (
        Op::Reboot,
        "power:reboot",
        "power/action/reboot",
        "",
        "Reboot",
        "Rebooting",
    ),
    (
        Op::Deploy,
        "deploy",
        "action/deploy",
        "deployVAppParams",
        "Deploy",
        "Starting",
    ),
    (
        Op::Undeploy,
        "undeploy",
        "action/undeploy",
        "undeployVAppParams",
        "Undeploy",
        "Stopping",
    ),
    (
        Op::CreateSnapshot,
        "snapshot:create",
        "action/createSnapshot",
        "createSnapshotParams",
        "CreateSnapshot",
        "Creating snapshot of",
    ),
    (
        Op::RevertSnapshot,
        "snapshot:revertToCurrent",
        "action/revertToCurrentSnapshot",
        "",
        "RevertToCurrentSnapshot",
        "Reverting to current snapshot of",
    ),
    (
        Op::RemoveSnapshots,
        "snapshot:removeAll",
        "action/removeAllSnapshots",
        "",
        "RemoveAllSnapshots",
        "Removing all snapshots of",
    ),
];

fn row(
    op: Op,
) -> &'static (
    Op,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
) {
    OPS.iter().find(|r| r.0 == op).unwrap_or(&OPS[0])
}

impl Op {
    pub fn from_path(path: &str) -> Option<Op> {
        OPS.iter().find(|r| r.2 == path).map(|r| r.0)
    }
    pub fn operation_name(self, target: Entity) -> String {
        let prefix = if matches!(target, Entity::Vm(_)) {
            "vm"
        } else {
            "vapp"
        };
        format!("{prefix}{}", row(self).4)
    }
    pub fn describe(self, target: Entity, name: &str, urn: &str) -> String {
        let what = if matches!(target, Entity::Vm(_)) {
            "Virtual Machine"
        } else {
            "Virtual Application"
        };
        format!("{} {what} {name}({urn})", row(self).5)
    }
}

/// Why `op` cannot run on this VM right now, if it cannot.
fn vm_refusal(vm: &Vm, op: Op) -> Option<&'static str> {
    let p = vm.power;
    match op {
        Op::PowerOn if p == Power::On => Some("is not powered off"),
        Op::Deploy if p != Power::Off => Some("is already deployed"),
        Op::PowerOff | Op::Undeploy if p == Power::Off => Some("is not powered on"),
        Op::Reset | Op::Reboot | Op::Shutdown | Op::Suspend if p != Power::On => {
            Some("is not powered on")
        }
        Op::RevertSnapshot | Op::RemoveSnapshots if vm.snapshot.is_none() => {
            Some("has no snapshot")
        }
        _ => None,
    }
}

fn vms_of(w: &World, e: Entity) -> std::ops::Range<usize> {
    match e {
        Entity::Vm(v) => v as usize..v as usize + 1,
        Entity::VApp(a) => w.vapps[a as usize].vms(),
        _ => 0..0,
    }
}

/// Ok when `op` applies to the VM, or to at least one VM of the vApp.
pub fn validate(w: &World, op: Op, e: Entity) -> VcdResult<()> {
    let mut reason = None;
    for vm in &w.vms[vms_of(w, e)] {
        match vm_refusal(vm, op) {
            None => return Ok(()),
            Some(r) => reason = Some(r),
        }
    }
    let (what, name) = match e {
        Entity::Vm(v) => ("VM", &w.vms[v as usize].name),
        Entity::VApp(a) => ("vApp", &w.vapps[a as usize].name),
        _ => return Err(VcdError::bad_request("Unsupported target")),
    };
    let reason = reason.unwrap_or("has no virtual machines");
    Err(VcdError::bad_request(format!(
        "The requested operation could not be executed since {what} \"{name}\" {reason}."
    )))
}

/// Links for every action valid in the current state, in a stable order.
pub fn action_links(out: &mut String, w: &World, e: Entity, href: &str) {
    for (op, rel, path, kind, _, _) in OPS {
        if validate(w, *op, e).is_ok() {
            link(out, rel, kind, "", &format!("{href}/{path}"));
        }
    }
}

/// The effect of a successful task, on each VM for which the operation still makes sense.
pub fn apply(w: &mut World, op: Op, e: Entity, memory: bool, when: OffsetDateTime) {
    for i in vms_of(w, e) {
        let vm = &mut w.vms[i];
        if vm_refusal(vm, op).is_some() {
            continue;
        }
        match op {
            Op::PowerOn | Op::Deploy | Op::Reset | Op::Reboot => vm.power = Power::On,
            Op::PowerOff | Op::Shutdown | Op::Undeploy => vm.power = Power::Off,
            Op::Suspend => vm.power = Power::Suspended,
            Op::CreateSnapshot => {
                let mem = if memory { (vm.mem_mb as u64) << 20 } else { 0 };
                vm.snapshot = Some(Snapshot {
                    created: when.unix_timestamp(),
                    size: mem + (512 << 20),
                    powered_on: memory && vm.power == Power::On,
                })
            }
            Op::RevertSnapshot => {
                if let Some(s) = vm.snapshot {
                    vm.power = if s.powered_on { Power::On } else { Power::Off };
                }
            }
            Op::RemoveSnapshots => vm.snapshot = None,
        }
    }
}

/// Reads `memory="true|false"` from a CreateSnapshotParams body; a body that is not XML is a 400.
fn snapshot_memory(body: &[u8]) -> VcdResult<bool> {
    let text = std::str::from_utf8(body)
        .map_err(|_| VcdError::bad_request("Request body is not UTF-8"))?;
    let text = text.trim();
    if text.is_empty() {
        return Ok(true);
    }
    if !text.starts_with('<') || !text.ends_with('>') {
        return Err(VcdError::bad_request("Request body is not well-formed XML"));
    }
    let Some(at) = text.find("memory=") else {
        return Ok(true);
    };
    let value: String = text[at + 7..]
        .chars()
        .skip(1)
        .take_while(|c| *c != '"' && *c != '\'')
        .collect();
    match value.as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(VcdError::bad_request(format!(
            "Invalid value for memory: {other}"
        ))),
    }
}

/// `POST /api/vApp/{vapp-|vm-}<uuid>/<path>` → 202 with the new Task.
pub fn post(s: &Shared, ctx: &Ctx, id: &str, path: &str, body: &[u8]) -> VcdResult<Response> {
    let op = Op::from_path(path).ok_or_else(|| VcdError::not_found(&format!("{id}/{path}")))?;
    let memory = snapshot_memory(body)?;
    let w = s.read();
    let e = vapp_path(&w, ctx, id)?;
    let mut tasks = s.tasks();
    if tasks.busy(&w, e, ctx.now) {
        let name = match e {
            Entity::Vm(v) => &w.vms[v as usize].name,
            Entity::VApp(a) => &w.vapps[a as usize].name,
            _ => id,
        };
        return Err(VcdError::busy(&format!("\"{name}\"")));
    }
    validate(&w, op, e)?;
    let i = tasks.create(
        Request {
            op,
            target: e,
            memory,
        },
        ctx.user,
        w.org_of(e),
        &s.opts,
        ctx.now,
    );
    let doc = task_doc(&w, &s.base, &tasks.list[i], ctx.now);
    let mut r = respond(StatusCode::ACCEPTED, "task", &ctx.version, doc);
    let loc = format!("{}/api/task/{}", s.base, uuid_str(tasks.list[i].id));
    if let Ok(v) = HeaderValue::from_str(&loc) {
        r.headers_mut().insert("location", v);
    }
    Ok(r)
}
