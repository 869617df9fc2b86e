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
pub enum Target {
    Vm(u32),
    Task(usize),
    TaskManager,
    Host(u32),
    Cluster(u32),
}

impl Target {
    pub fn find(w: &World, st: &VimState, kind: &str, id: &str) -> Result<Target, Fault> {
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
    pub fn kind_of(kind: &str) -> &'static str {
        match kind {
            "VirtualMachine" => "VirtualMachine",
            "Task" => "Task",
            "TaskManager" => "TaskManager",
            "HostSystem" => "HostSystem",
            "ClusterComputeResource" => "ClusterComputeResource",
            _ => "ManagedObject",
        }
    }
    pub fn prop(
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

/// One object of a read: its `ObjectContent` built, or left for the page that hands it out
/// (spec `spec`'s object `kind`, `id`), so a first page costs its own objects, not the read's.
pub enum Item {
    Built(Val),
    Later {
        spec: usize,
        kind: String,
        id: String,
    },
}

/// The paths `spec` asks of objects of type `kind`, in the order they are answered.
pub fn paths<'a>(spec: &'a FilterSpec, kind: &'a str) -> impl Iterator<Item = &'a str> {
    spec.props
        .iter()
        .filter(move |p| p.kind == kind)
        .flat_map(move |p| {
            let every = match kind {
                "Task" => TASK_PROPS,
                "TaskManager" => TASK_MANAGER_PROPS,
                "HostSystem" => usage::HOST_PROPS,
                "ClusterComputeResource" => usage::CLUSTER_PROPS,
                _ => VM_PROPS,
            };
            let all = every.iter().filter(|_| p.all).copied();
            all.chain(p.paths.iter().map(String::as_str))
        })
}

/// The `ObjectContent` of `target` for what `spec` asks of objects of type `kind`.
fn content(
    w: &World,
    st: &mut VimState,
    now: Instant,
    spec: &FilterSpec,
    (kind, id): (&str, &str),
    target: Target,
) -> Result<Val, Fault> {
    let mut props = vec![];
    for path in paths(spec, kind) {
        if let Some(val) = target.prop(w, st, now, path)? {
            let prop = vec![("name", Val::str(path)), ("val", val.any())];
            props.push(Val::Obj("DynamicProperty", prop));
        }
    }
    Ok(Val::Obj(
        "ObjectContent",
        vec![
            ("obj", Val::Ref(Target::kind_of(kind), id.to_string())),
            ("propSet", Val::List("DynamicProperty", props)),
        ],
    ))
}

/// A read's objects in order, the first `built` of them computed and the rest `Later`. Every
/// object is looked up now and the first of each type in each spec is computed too (whether
/// a path is valid depends on the type only), so a read fails now or not at all.
pub fn read(s: &VcShared, specs: &[FilterSpec], built: usize) -> Result<Vec<Item>, Fault> {
    let w = s.vcd.read();
    let mut st = s.vim();
    let now = s.vcd.now();
    let mut items = vec![];
    let mut checked: Vec<(usize, &str)> = vec![];
    for (n, spec) in specs.iter().enumerate() {
        for (kind, id) in &spec.objects {
            let target = Target::find(&w, &st, kind, id)?;
            if items.len() >= built && checked.contains(&(n, kind.as_str())) {
                let (kind, id) = (kind.clone(), id.clone());
                items.push(Item::Later { spec: n, kind, id });
                continue;
            }
            checked.push((n, kind.as_str()));
            let val = content(&w, &mut st, now, spec, (kind, id), target)?;
            items.push(Item::Built(val));
        }
    }
    Ok(items)
}

/// The `ObjectContent`s of `items`, computing those left for later as the world stands now
/// (an object gone since the read began is left out).
pub fn build(s: &VcShared, specs: &[FilterSpec], items: Vec<Item>) -> Vec<Val> {
    if items.iter().all(|i| matches!(i, Item::Built(_))) {
        return items.into_iter().filter_map(Item::built).collect();
    }
    let w = s.vcd.read();
    let mut st = s.vim();
    let now = s.vcd.now();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Item::Built(v) => out.push(v),
            Item::Later { spec, kind, id } => {
                let Ok(target) = Target::find(&w, &st, &kind, &id) else {
                    continue;
                };
                if let Ok(v) = content(&w, &mut st, now, &specs[spec], (&kind, &id), target) {
                    out.push(v);
                }
            }
        }
    }
    out
}

impl Item {
    fn built(self) -> Option<Val> {
        match self {
            Item::Built(v) => Some(v),
            Item::Later { .. } => None,
        }
    }
}

/// `RetrieveProperties`: one `ObjectContent` per object asked about, set properties only.
pub fn retrieve(s: &VcShared, specs: &[FilterSpec]) -> Result<Vec<Val>, Fault> {
    let items = read(s, specs, usize::MAX)?;
    Ok(items.into_iter().filter_map(Item::built).collect())
}

#[cfg(test)]
pub(super) mod tests {
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

    pub(crate) fn shared(vms: usize) -> VcShared {
        let opts = crate::sim::SimOptions::default();
        let vcd = crate::sim::vcd::Shared::new(
            ("http://sim".into(), "http://vc".into()),
            opts.clone(),
            crate::sim::generate::generate(vms, 42),
            std::sync::Arc::new(crate::sim::faults::FaultState::new(0, Default::default())),
        );
        VcShared::new(std::sync::Arc::new(vcd))
    }

    pub(crate) fn spec(kind: &str, ids: Vec<String>, paths: &[&str]) -> FilterSpec {
        FilterSpec {
            props: vec![PropSpec {
                kind: kind.into(),
                all: false,
                paths: paths.iter().map(|p| p.to_string()).collect(),
            }],
            objects: ids.into_iter().map(|id| (kind.to_string(), id)).collect(),
        }
    }

    /// A paged read computes only its first page (and one object per type, to check paths);
    /// the rest, built when handed out, is what a whole read answers.
    #[test]
    fn a_read_builds_only_its_first_page_and_the_rest_later_alike() {
        let s = shared(60);
        let vms = |n: u32| {
            (0..n)
                .map(|v| vm_moid(&s.vcd.read(), v))
                .collect::<Vec<_>>()
        };
        let paths = ["name", "runtime.powerState", "snapshot", "layoutEx"];
        let specs = [spec("VirtualMachine", vms(50), &paths)];
        let items = read(&s, &specs, 20).unwrap();
        let later = items
            .iter()
            .filter(|i| matches!(i, Item::Later { .. }))
            .count();
        assert_eq!((items.len(), later), (50, 30));
        // `layoutEx` carries the time it was read: compare the rest.
        let strip = |objects: Vec<Val>| -> Vec<Val> {
            objects
                .into_iter()
                .map(|mut o| {
                    if let Val::Obj(_, fields) = &mut o
                        && let Some((_, Val::List(_, props))) = fields.get_mut(1)
                    {
                        props.retain(|p| !format!("{p:?}").contains("layoutEx"));
                    }
                    o
                })
                .collect()
        };
        let built = strip(build(&s, &specs, items));
        assert_eq!(built, strip(retrieve(&s, &specs).unwrap()));
    }

    /// A bad path fails the read at once even when every object it applies to is past the
    /// first page, as when all were computed up front.
    #[test]
    fn a_bad_path_past_the_first_page_still_fails_the_read() {
        let s = shared(10);
        let vms = (0..5).map(|v| vm_moid(&s.vcd.read(), v)).collect();
        let hosts = vec![s.vcd.read().vc.hosts[0].moid.clone()];
        let specs = [
            spec("VirtualMachine", vms, &["name"]),
            spec("HostSystem", hosts, &["no.such.path"]),
        ];
        let err = read(&s, &specs, 2).err().expect("a fault");
        assert_eq!(err.kind, "InvalidProperty");
    }
}
