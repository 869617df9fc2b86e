//! Properties of the objects the simulator's vim knows, VMs (name, power state, snapshot tree,
//! file layout), snapshot tasks (info and its parts) and the TaskManager (its recent tasks), and
//! RetrieveProperties over them. No views, no traversal.

use tokio::time::Instant;

use super::layout::layout;
use super::snapshots::{Tree, VimState, VimTask};
use super::usage;
use super::{Fault, Val};
use crate::sim::inventory::{Obj, vm_index, vm_moid};
use crate::sim::vcd::xml::{datetime, unix_datetime};
use crate::sim::vcenter::VcShared;
use crate::sim::world::{Power, World};

const VM_PROPS: &[&str] = &[
    "name",
    "runtime.powerState",
    "summary.runtime.powerState",
    "snapshot",
    "snapshot.currentSnapshot",
    "snapshot.rootSnapshotList",
    "layoutEx",
];
const TASK_MANAGER_PROPS: &[&str] = &["recentTask"];
/// How long vCenter keeps a finished task in `TaskManager.recentTask`.
const RECENT: std::time::Duration = std::time::Duration::from_secs(10 * 60);
const TASK_PROPS: &[&str] = &[
    "info",
    "info.state",
    "info.progress",
    "info.result",
    "info.error",
    "info.entity",
];

/// A `PropertySpec`: the paths asked of objects of type `kind` (every path when `all`).
pub struct PropSpec {
    pub kind: String,
    pub all: bool,
    pub paths: Vec<String>,
}

/// A `PropertyFilterSpec`: property specs and the (type, moid) of each object asked about.
pub struct FilterSpec {
    pub props: Vec<PropSpec>,
    pub objects: Vec<(String, String)>,
}

/// The `VirtualMachineSnapshotTree`s under snapshot `of` (the roots for `None`).
fn trees(w: &World, v: u32, t: &Tree, of: Option<usize>) -> Vec<Val> {
    t.children(of)
        .map(|i| {
            let s = &t.snaps[i];
            let state = if s.powered_on {
                "poweredOn"
            } else {
                "poweredOff"
            };
            Val::Obj(
                "VirtualMachineSnapshotTree",
                vec![
                    (
                        "snapshot",
                        Val::Ref("VirtualMachineSnapshot", s.moid.clone()),
                    ),
                    ("vm", Val::Ref("VirtualMachine", vm_moid(w, v))),
                    ("name", Val::str(&s.name)),
                    ("description", Val::str(&s.description)),
                    ("id", Val::Int(i64::from(s.id))),
                    ("createTime", Val::Str(unix_datetime(s.created))),
                    ("state", Val::Enum("VirtualMachinePowerState", state)),
                    ("quiesced", Val::Bool(s.quiesced)),
                    (
                        "childSnapshotList",
                        Val::List("VirtualMachineSnapshotTree", trees(w, v, t, Some(i))),
                    ),
                    ("replaySupported", Val::Bool(false)),
                ],
            )
        })
        .collect()
}

/// The VM's `snapshot` (`VirtualMachineSnapshotInfo`); unset without snapshots, as in vSphere.
fn snapshot_info(w: &World, v: u32, t: &Tree) -> Option<Val> {
    let roots = trees(w, v, t, None);
    if roots.is_empty() {
        return None;
    }
    let mut fields = vec![];
    if let Some(c) = t.current {
        let current = Val::Ref("VirtualMachineSnapshot", t.snaps[c].moid.clone());
        fields.push(("currentSnapshot", current));
    }
    fields.push((
        "rootSnapshotList",
        Val::List("VirtualMachineSnapshotTree", roots),
    ));
    Some(Val::Obj("VirtualMachineSnapshotInfo", fields))
}

/// The task's `info` (`TaskInfo`) at `now`.
pub fn task_info(w: &World, t: &VimTask, now: Instant) -> Val {
    let (state, progress) = t.state(now);
    let mut f = vec![
        ("key", Val::str(&t.moid)),
        ("task", Val::Ref("Task", t.moid.clone())),
        ("descriptionId", Val::str(t.description_id)),
        ("entity", Val::Ref("VirtualMachine", vm_moid(w, t.vm))),
        ("entityName", Val::str(&w.vms[t.vm as usize].name)),
        ("state", Val::Enum("TaskInfoState", state)),
        ("cancelled", Val::Bool(false)),
        ("cancelable", Val::Bool(false)),
    ];
    if state == "error" {
        let fault = Val::Obj(
            "SystemError",
            vec![("reason", Val::str("Simulated failure"))],
        );
        let message = "A general system error occurred: Simulated failure";
        f.push((
            "error",
            Val::Obj(
                "LocalizedMethodFault",
                vec![
                    ("fault", fault.any()),
                    ("localizedMessage", Val::str(message)),
                ],
            ),
        ));
    }
    if state == "running" {
        f.push(("progress", Val::Int(i64::from(progress))));
    }
    if let Some(r) = t.result.as_ref().filter(|_| state == "success") {
        f.push((
            "result",
            Val::Ref("VirtualMachineSnapshot", r.clone()).any(),
        ));
    }
    let user = vec![("userName", Val::str("VSPHERE.LOCAL\\Administrator"))];
    f.push(("reason", Val::Obj("TaskReasonUser", user).any()));
    f.push(("queueTime", Val::Str(datetime(t.queued))));
    if state != "queued" {
        f.push(("startTime", Val::Str(datetime(t.queued + t.duration / 10))));
    }
    if matches!(state, "success" | "error") {
        let done = datetime(t.queued + t.duration);
        f.push(("completeTime", Val::Str(done)));
    }
    f.push(("eventChainId", Val::Int(1)));
    Val::Obj("TaskInfo", f)
}

/// Field `name` of a data object, if set.
fn field(v: Option<Val>, name: &str) -> Option<Val> {
    match v? {
        Val::Obj(_, fields) => fields.into_iter().find(|(n, _)| *n == name).map(|(_, v)| v),
        _ => None,
    }
}

/// Property `path` of VM `v`: `None` when unset.
pub fn vm_prop(w: &World, st: &mut VimState, v: u32, path: &str) -> Result<Option<Val>, Fault> {
    if let Some(val) = usage::vm_prop(w, v, path) {
        return Ok(val);
    }
    if !VM_PROPS.contains(&path) {
        return Err(Fault::invalid_property(path));
    }
    let vm = &w.vms[v as usize];
    Ok(match path {
        "name" => Some(Val::str(&vm.name)),
        "layoutEx" => Some(layout(w, v, st.tree(w, v))),
        "runtime.powerState" | "summary.runtime.powerState" => {
            let p = match vm.power {
                Power::On => "poweredOn",
                Power::Off => "poweredOff",
                Power::Suspended => "suspended",
            };
            Some(Val::Enum("VirtualMachinePowerState", p))
        }
        _ => {
            let info = snapshot_info(w, v, st.tree(w, v));
            match path.strip_prefix("snapshot.") {
                Some(part) => field(info, part),
                None => info,
            }
        }
    })
}

/// Property `path` of a task at `now`: `None` when unset.
pub fn task_prop(w: &World, t: &VimTask, now: Instant, path: &str) -> Result<Option<Val>, Fault> {
    if !TASK_PROPS.contains(&path) {
        return Err(Fault::invalid_property(path));
    }
    let info = Some(task_info(w, t, now));
    Ok(match path.strip_prefix("info.") {
        Some(part) => field(info, part),
        None => info,
    })
}

/// `TaskManager.recentTask`: every session's tasks that are unfinished or ended in the last
/// ten minutes, oldest first, as vCenter lists them.
fn recent_tasks(st: &VimState, now: Instant) -> Val {
    let recent = st.tasks.iter().filter(|t| {
        let ended = t.start + t.duration;
        now < ended || now.saturating_duration_since(ended) < RECENT
    });
    let refs = recent.map(|t| Val::Ref("Task", t.moid.clone())).collect();
    Val::List("ManagedObjectReference", refs)
}

/// An object that has properties here.
#[derive(Clone, Copy)]
enum Target {
    Vm(u32),
    Task(usize),
    TaskManager,
    Host(u32),
    Cluster(u32),
}

impl Target {
    fn find(w: &World, st: &VimState, kind: &str, id: &str) -> Result<Target, Fault> {
        let found = match kind {
            "VirtualMachine" => vm_index(w, id).map(Target::Vm),
            "Task" => st.tasks.iter().position(|t| t.moid == id).map(Target::Task),
            "TaskManager" => (id == "TaskManager").then_some(Target::TaskManager),
            "HostSystem" => match w.vc.find(id) {
                Some(Obj::Host(h)) => Some(Target::Host(h)),
                _ => None,
            },
            "ClusterComputeResource" => match w.vc.find(id) {
                Some(Obj::Cluster(c)) => Some(Target::Cluster(c)),
                _ => None,
            },
            _ => None,
        };
        found.ok_or_else(|| Fault::not_found(Target::kind_of(kind), id))
    }
    fn kind_of(kind: &str) -> &'static str {
        match kind {
            "VirtualMachine" => "VirtualMachine",
            "Task" => "Task",
            "TaskManager" => "TaskManager",
            "HostSystem" => "HostSystem",
            "ClusterComputeResource" => "ClusterComputeResource",
            _ => "ManagedObject",
        }
    }
    fn prop(
        self,
        w: &World,
        st: &mut VimState,
        now: Instant,
        path: &str,
    ) -> Result<Option<Val>, Fault> {
        match self {
            Target::Vm(v) => vm_prop(w, st, v, path),
            Target::Task(t) => task_prop(w, &st.tasks[t], now, path),
            Target::TaskManager if TASK_MANAGER_PROPS.contains(&path) => {
                Ok(Some(recent_tasks(st, now)))
            }
            Target::TaskManager => Err(Fault::invalid_property(path)),
            Target::Host(h) => usage::host_prop(w, h, path),
            Target::Cluster(c) => usage::cluster_prop(w, c, path),
        }
    }
}

/// Property `path` of the object (`kind`, `id`), for a single-property read.
pub fn get(s: &VcShared, kind: &str, id: &str, path: &str) -> Result<Option<Val>, Fault> {
    let w = s.vcd.read();
    let mut st = s.vim();
    Target::find(&w, &st, kind, id)?.prop(&w, &mut st, s.vcd.now(), path)
}

/// `RetrievePropertiesEx`: one `ObjectContent` per object asked about, set properties only.
pub fn retrieve(s: &VcShared, specs: &[FilterSpec]) -> Result<Vec<Val>, Fault> {
    let w = s.vcd.read();
    let mut st = s.vim();
    let now = s.vcd.now();
    let mut objects = vec![];
    for spec in specs {
        for (kind, id) in &spec.objects {
            let target = Target::find(&w, &st, kind, id)?;
            let mut props = vec![];
            for p in spec.props.iter().filter(|p| p.kind == *kind) {
                let every = match kind.as_str() {
                    "Task" => TASK_PROPS,
                    "TaskManager" => TASK_MANAGER_PROPS,
                    "HostSystem" => usage::HOST_PROPS,
                    "ClusterComputeResource" => usage::CLUSTER_PROPS,
                    _ => VM_PROPS,
                };
                let all = every.iter().filter(|_| p.all).map(|s| s.to_string());
                for path in all.chain(p.paths.iter().cloned()) {
                    if let Some(val) = target.prop(&w, &mut st, now, &path)? {
                        let prop = vec![("name", Val::Str(path)), ("val", val.any())];
                        props.push(Val::Obj("DynamicProperty", prop));
                    }
                }
            }
            objects.push(Val::Obj(
                "ObjectContent",
                vec![
                    ("obj", Val::Ref(Target::kind_of(kind), id.clone())),
                    ("propSet", Val::List("DynamicProperty", props)),
                ],
            ));
        }
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Duration;

    fn task(moid: &str, start: Instant, secs: u64) -> VimTask {
        VimTask {
            moid: moid.into(),
            description_id: "VirtualMachine.createSnapshot",
            vm: 0,
            start,
            queued: time::OffsetDateTime::UNIX_EPOCH,
            duration: Duration::from_secs(secs),
            fails: false,
            result: None,
        }
    }

    /// Unfinished tasks and those that ended less than ten minutes ago are recent, oldest first.
    #[test]
    fn recent_tasks_are_unfinished_or_ended_in_the_last_ten_minutes() {
        let t0 = Instant::now();
        let mut st = VimState::new(1);
        st.tasks.push(task("task-1", t0, 3));
        st.tasks
            .push(task("task-2", t0 + Duration::from_secs(60), 3));
        st.tasks
            .push(task("task-3", t0 + Duration::from_secs(120), 3600));
        let moids = |now| match recent_tasks(&st, now) {
            Val::List("ManagedObjectReference", refs) => refs
                .into_iter()
                .map(|r| match r {
                    Val::Ref("Task", m) => m,
                    other => panic!("{other:?}"),
                })
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let at = |secs| t0 + Duration::from_secs(secs);
        assert_eq!(moids(at(200)), ["task-1", "task-2", "task-3"]);
        // task-1 ended at 3 s: gone after 603 s; task-2 (ended at 63 s) stays until 663 s.
        assert_eq!(moids(at(604)), ["task-2", "task-3"]);
        assert_eq!(moids(at(700)), ["task-3"], "a running task stays");
    }
}
