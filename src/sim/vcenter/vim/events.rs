//! `EventManager.QueryEvents` filtered on one entity, for SOAP and VI/JSON alike. A VM's
//! events are its history (created, first powered on, from its creation date), the power
//! operations done to it over REST since the simulator started, and a `TaskEvent` for each
//! snapshot task run on it; hosts and clusters have their creation. Newest first, at most
//! the filter's `maxCount` (vCenter's default page of 1000 without it).

use std::sync::Mutex;

use time::OffsetDateTime;

use super::props::task_info;
use super::{Fault, Val};
use crate::sim::inventory::{Obj, vm_index};
use crate::sim::vcd::xml::{datetime, unix_datetime};
use crate::sim::vcenter::VcShared;

const ADMIN: &str = "VSPHERE.LOCAL\\Administrator";
const MAX: usize = 1000;

/// An event logged since the simulator started (a REST power operation).
pub struct Logged {
    pub moid: String,
    pub kind: &'static str,
    pub message: String,
    pub user: String,
    pub at: OffsetDateTime,
}

/// The events logged since start, in order.
#[derive(Default)]
pub struct Log(Mutex<Vec<Logged>>);

impl Log {
    pub fn push(&self, e: Logged) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(e);
    }
}

/// What an event needs before it is written: its type, when, who, its sentence, and the
/// argument naming its VM (`vm`: name and moid) or host.
struct Ev {
    kind: &'static str,
    at: String,
    user: Option<String>,
    message: String,
    vm: Option<(String, String)>,
    /// `TaskEvent.info`.
    info: Option<Val>,
}

fn write(key: i64, e: Ev) -> Val {
    let mut f = vec![
        ("key", Val::Int(key)),
        ("chainId", Val::Int(key)),
        ("createdTime", Val::Str(e.at)),
    ];
    if let Some(u) = e.user {
        f.push(("userName", Val::Str(u)));
    }
    if let Some((name, moid)) = e.vm {
        f.push((
            "vm",
            Val::Obj(
                "VmEventArgument",
                vec![
                    ("name", Val::Str(name)),
                    ("vm", Val::Ref("VirtualMachine", moid)),
                ],
            ),
        ));
    }
    f.push(("fullFormattedMessage", Val::Str(e.message)));
    if let Some(info) = e.info {
        f.push(("info", info));
    }
    if e.kind.starts_with("Vm") {
        f.push(("template", Val::Bool(false)));
    }
    Val::Obj(e.kind, f).any()
}

/// The events of `moid` (vim type `kind`), newest first, at most `max`.
pub fn query(s: &VcShared, kind: &str, moid: &str, max: Option<usize>) -> Result<Val, Fault> {
    let w = s.vcd.read();
    let inv = &w.vc;
    let mut out: Vec<(String, Ev)> = Vec::new();
    let mut push = |e: Ev| out.push((e.at.clone(), e));
    match (kind, inv.find(moid)) {
        ("VirtualMachine", _) => {
            let v = vm_index(&w, moid).ok_or_else(|| Fault::not_found("VirtualMachine", moid))?;
            let vm = &w.vms[v as usize];
            let host = &inv.hosts[inv.vm_host[v as usize] as usize];
            let dc = &inv.datacenters[inv.clusters[host.cluster as usize].dc as usize].name;
            let arg = Some((vm.name.clone(), moid.to_string()));
            push(Ev {
                kind: "VmCreatedEvent",
                at: unix_datetime(vm.created),
                user: Some(ADMIN.into()),
                message: format!(
                    "Created virtual machine {} on {} in {dc}",
                    vm.name, host.name
                ),
                vm: arg.clone(),
                info: None,
            });
            push(Ev {
                kind: "VmPoweredOnEvent",
                at: unix_datetime(vm.created + 300),
                user: Some(ADMIN.into()),
                message: format!("{} on {} in {dc} is powered on", vm.name, host.name),
                vm: arg.clone(),
                info: None,
            });
            let now = s.vcd.now();
            for t in s.vim().tasks.iter().filter(|t| t.vm == v) {
                push(Ev {
                    kind: "TaskEvent",
                    at: datetime(t.queued),
                    user: Some(ADMIN.into()),
                    message: format!("Task: {}", task_words(t.description_id)),
                    vm: arg.clone(),
                    info: Some(task_info(&w, t, now)),
                });
            }
        }
        ("HostSystem", Some(Obj::Host(h))) => {
            let host = &inv.hosts[h as usize];
            let dc = &inv.datacenters[inv.clusters[host.cluster as usize].dc as usize].name;
            push(Ev {
                kind: "HostConnectedEvent",
                at: unix_datetime(1_700_000_000 + i64::from(h) * 3600),
                user: Some(ADMIN.into()),
                message: format!("Connected to {} in {dc}", host.name),
                vm: None,
                info: None,
            });
        }
        ("ClusterComputeResource", Some(Obj::Cluster(c))) => {
            let cl = &inv.clusters[c as usize];
            let dc = &inv.datacenters[cl.dc as usize].name;
            push(Ev {
                kind: "ClusterCreatedEvent",
                at: unix_datetime(1_690_000_000 + i64::from(c) * 3600),
                user: Some(ADMIN.into()),
                message: format!("Created cluster {} in {dc}", cl.name),
                vm: None,
                info: None,
            });
        }
        (_, Some(_)) => {}
        (_, None) => return Err(Fault::not_found("ManagedEntity", moid)),
    }
    let logged = s.events.0.lock().unwrap_or_else(|e| e.into_inner());
    for l in logged.iter().filter(|l| l.moid == moid) {
        let vm = vm_index(&w, moid).map(|v| (w.vms[v as usize].name.clone(), moid.to_string()));
        push(Ev {
            kind: l.kind,
            at: datetime(l.at),
            user: Some(l.user.clone()),
            message: l.message.clone(),
            vm,
            info: None,
        });
    }
    // Same-format UTC timestamps sort as text; the sort is stable, so same-second events
    // keep the order they happened in.
    out.sort_by(|a, b| b.0.cmp(&a.0));
    out.truncate(max.unwrap_or(MAX).min(MAX));
    let events = out
        .into_iter()
        .enumerate()
        .map(|(i, (_, e))| write(i as i64 + 1, e))
        .collect();
    Ok(Val::List("Event", events))
}

/// "VirtualMachine.createSnapshot" → "Create virtual machine snapshot", as the vSphere
/// Client words a task event.
fn task_words(description_id: &str) -> &'static str {
    match description_id {
        "VirtualMachine.createSnapshot" => "Create virtual machine snapshot",
        "vm.Snapshot.revert" => "Revert snapshot",
        "VirtualMachine.revertToCurrentSnapshot" => "Revert to current snapshot",
        "vm.Snapshot.remove" => "Remove snapshot",
        "VirtualMachine.removeAllSnapshots" => "Remove all snapshots",
        _ => "Task",
    }
}

/// A REST power operation, logged as the event vCenter writes for it.
pub fn power(s: &VcShared, vm_name: &str, moid: &str, host: &str, dc: &str, op: &str) {
    let (kind, what) = match op {
        "start" => ("VmPoweredOnEvent", "is powered on"),
        "stop" => ("VmPoweredOffEvent", "is powered off"),
        "suspend" => ("VmSuspendedEvent", "is suspended"),
        "reset" => ("VmResettingEvent", "is reset"),
        _ => return,
    };
    s.events.push(Logged {
        moid: moid.to_string(),
        kind,
        message: format!("{vm_name} on {host} in {dc} {what}"),
        user: ADMIN.to_string(),
        at: OffsetDateTime::now_utc(),
    });
}
