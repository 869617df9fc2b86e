//! VM snapshot trees and the vim tasks that change them. A tree is kept in step with the VM's
//! vCD snapshot (`Vm::snapshot`, the current one): a vCD create/remove resets the tree, and a
//! vCenter change publishes its current snapshot back to the VM. The effect happens when the task
//! is created (unless the task is drawn to fail); the task then runs queued → running → success.

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::OffsetDateTime;
use tokio::time::{Duration, Instant};

use super::{VcShared, elems, fault, field, moref, reply};
use crate::sim::inventory::{vm_index, vm_moid};
use crate::sim::vcd::xml::{datetime, esc, unix_datetime};
use crate::sim::world::{Entity, Power, Snapshot, Vm, World};
use axum::response::Response;

pub struct Snap {
    pub moid: String,
    pub id: u32,
    pub name: String,
    pub description: String,
    pub created: i64,
    pub powered_on: bool,
    pub quiesced: bool,
    pub parent: Option<usize>,
    pub alive: bool,
    /// Bytes on disk: memory when taken powered on, plus the disk changes since.
    pub size: u64,
}

#[derive(Default)]
pub struct Tree {
    pub snaps: Vec<Snap>,
    pub current: Option<usize>,
    /// The `Vm::snapshot.created` this tree last agreed with.
    pub synced: Option<i64>,
}

impl Tree {
    pub fn children(&self, of: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        (0..self.snaps.len()).filter(move |&i| self.snaps[i].alive && self.snaps[i].parent == of)
    }
}

pub struct SoapTask {
    pub moid: String,
    pub description_id: &'static str,
    pub vm: u32,
    pub start: Instant,
    pub queued: OffsetDateTime,
    pub duration: Duration,
    pub fails: bool,
    pub result: Option<String>,
}

impl SoapTask {
    /// (state, progress) at `now`.
    pub fn state(&self, now: Instant) -> (&'static str, u8) {
        let e = now.saturating_duration_since(self.start);
        if e >= self.duration {
            (if self.fails { "error" } else { "success" }, 100)
        } else if e < self.duration / 10 {
            ("queued", 0)
        } else {
            let p = (e.as_secs_f64() / self.duration.as_secs_f64() * 100.0) as u8;
            ("running", p.clamp(1, 99))
        }
    }
}

pub struct SoapState {
    trees: HashMap<u32, Tree>,
    by_moid: HashMap<String, (u32, usize)>,
    pub tasks: Vec<SoapTask>,
    next: u32,
    rng: ChaCha8Rng,
}

impl SoapState {
    pub fn new(seed: u64) -> Self {
        SoapState {
            trees: HashMap::new(),
            by_moid: HashMap::new(),
            tasks: vec![],
            next: 100,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x736f_6170),
        }
    }

    fn moid(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-{}", self.next)
    }

    fn push(&mut self, v: u32, mut snap: Snap) -> usize {
        snap.moid = self.moid("snapshot");
        let t = self.trees.entry(v).or_default();
        snap.id = t.snaps.len() as u32 + 1;
        t.snaps.push(snap);
        let i = t.snaps.len() - 1;
        self.by_moid.insert(t.snaps[i].moid.clone(), (v, i));
        i
    }

    /// VM `v`'s tree, reset from the VM's vCD snapshot when vCD changed it meanwhile.
    pub fn tree(&mut self, w: &World, v: u32) -> &mut Tree {
        let vm = &w.vms[v as usize];
        let want = vm.snapshot.map(|s| s.created);
        if self.trees.get(&v).is_none_or(|t| t.synced != want) {
            self.trees.insert(v, Tree::default());
            if let Some(s) = vm.snapshot {
                let root = Snap {
                    moid: String::new(),
                    id: 0,
                    name: format!("{} snapshot", vm.name),
                    description: "Created in vCloud Director".into(),
                    created: s.created,
                    powered_on: s.powered_on,
                    quiesced: false,
                    parent: None,
                    alive: true,
                    size: s.size,
                };
                let i = self.push(v, root);
                if let Some(t) = self.trees.get_mut(&v) {
                    t.current = Some(i);
                }
            }
            if let Some(t) = self.trees.get_mut(&v) {
                t.synced = want;
            }
        }
        self.trees.entry(v).or_default()
    }

    pub fn find(&self, moid: &str) -> Option<(u32, usize)> {
        let (v, i) = *self.by_moid.get(moid)?;
        self.trees.get(&v)?.snaps.get(i)?.alive.then_some((v, i))
    }
}

/// Writes the VM's current snapshot back to the world, so vCD sees what vCenter did.
fn publish(t: &mut Tree, vm: &mut Vm) {
    let shown = t
        .current
        .or_else(|| (0..t.snaps.len()).rev().find(|&i| t.snaps[i].alive));
    vm.snapshot = shown.map(|i| {
        let s = &t.snaps[i];
        Snapshot {
            created: s.created,
            size: s.size,
            powered_on: s.powered_on,
        }
    });
    t.synced = vm.snapshot.map(|s| s.created);
}

/// `VirtualMachineSnapshotTree` elements for the children of `of`, named `tag`.
pub fn tree_xml(out: &mut String, w: &World, v: u32, t: &Tree, of: Option<usize>, tag: &str) {
    for i in t.children(of) {
        let s = &t.snaps[i];
        out.push_str(&format!("<{tag}>"));
        out.push_str(&moref("snapshot", "VirtualMachineSnapshot", &s.moid));
        out.push_str(&moref("vm", "VirtualMachine", &vm_moid(w, v)));
        out.push_str(&format!(
            "<name>{}</name><description>{}</description><id>{}</id><createTime>{}</createTime>\
             <state>{}</state><quiesced>{}</quiesced>",
            esc(&s.name),
            esc(&s.description),
            s.id,
            unix_datetime(s.created),
            if s.powered_on {
                "poweredOn"
            } else {
                "poweredOff"
            },
            s.quiesced
        ));
        tree_xml(out, w, v, t, Some(i), "childSnapshotList");
        out.push_str(&format!("<replaySupported>false</replaySupported></{tag}>"));
    }
}

/// Inner elements of a `TaskInfo`.
pub fn task_info(w: &World, t: &SoapTask, now: Instant) -> String {
    let (state, progress) = t.state(now);
    let mut out = format!(
        "<key>{0}</key>{1}<descriptionId>{2}</descriptionId>",
        t.moid,
        moref("task", "Task", &t.moid),
        t.description_id
    );
    out.push_str(&moref("entity", "VirtualMachine", &vm_moid(w, t.vm)));
    out.push_str(&format!(
        "<entityName>{}</entityName><state>{state}</state><cancelled>false</cancelled><cancelable>false</cancelable>",
        esc(&w.vms[t.vm as usize].name)
    ));
    if state == "error" {
        out.push_str(
            "<error><fault xsi:type=\"SystemError\"><reason>Simulated failure</reason></fault>\
             <localizedMessage>A general system error occurred: Simulated failure</localizedMessage></error>",
        );
    }
    if state == "running" {
        out.push_str(&format!("<progress>{progress}</progress>"));
    }
    if state == "success"
        && let Some(r) = &t.result
    {
        out.push_str(&format!(
            "<result type=\"VirtualMachineSnapshot\" xsi:type=\"ManagedObjectReference\">{r}</result>"
        ));
    }
    out.push_str("<reason xsi:type=\"TaskReasonUser\"><userName>VSPHERE.LOCAL\\Administrator</userName></reason>");
    let q = datetime(t.queued);
    out.push_str(&format!("<queueTime>{q}</queueTime>"));
    if state != "queued" {
        out.push_str(&format!(
            "<startTime>{}</startTime>",
            datetime(t.queued + t.duration / 10)
        ));
    }
    if matches!(state, "success" | "error") {
        out.push_str(&format!(
            "<completeTime>{}</completeTime>",
            datetime(t.queued + t.duration)
        ));
    }
    out.push_str("<eventChainId>1</eventChainId>");
    out
}

fn not_found(moid: &str) -> Response {
    fault(
        "ManagedObjectNotFound",
        &format!("The object '{moid}' has already been deleted or has not been completely created"),
        &moref("obj", "ManagedObject", moid),
    )
}

/// Runs one snapshot operation and answers with its Task.
pub fn act(s: &VcShared, op: &str, body: &str) -> Response {
    let this = elems(body, "_this")
        .first()
        .map(|e| e.value())
        .unwrap_or_default();
    let mut w = s.vcd.write();
    let target = if op.starts_with("RevertToSnapshot") || op.starts_with("RemoveSnapshot") {
        s.soap().find(&this)
    } else {
        vm_index(&w, &this).map(|v| (v, usize::MAX))
    };
    let Some((v, i)) = target else {
        return not_found(&this);
    };
    if s.vcd.tasks().busy(&w, Entity::Vm(v), Instant::now()) {
        return fault(
            "TaskInProgress",
            "The operation is not allowed in the current state.",
            &moref("task", "Task", "task-vcd"),
        );
    }
    let mut st = s.soap();
    let fails = s.vcd.opts.fail_rate > 0.0 && st.rng.random::<f64>() < s.vcd.opts.fail_rate;
    let mut result = None;
    if !fails {
        st.tree(&w, v);
        let vm_power = w.vms[v as usize].power;
        let vm_mem_mb = w.vms[v as usize].mem_mb;
        match op {
            "CreateSnapshot_Task" => {
                let memory = field(body, "memory").as_deref() == Some("true");
                let current = st.tree(&w, v).current;
                let snap = Snap {
                    moid: String::new(),
                    id: 0,
                    name: field(body, "name").unwrap_or_else(|| "Snapshot".into()),
                    description: field(body, "description").unwrap_or_default(),
                    created: OffsetDateTime::now_utc().unix_timestamp(),
                    powered_on: memory && vm_power == Power::On,
                    quiesced: field(body, "quiesce").as_deref() == Some("true"),
                    parent: current,
                    alive: true,
                    size: if memory && vm_power == Power::On {
                        (u64::from(vm_mem_mb) << 20) + (512 << 20)
                    } else {
                        512 << 20
                    },
                };
                let i = st.push(v, snap);
                let t = st.tree(&w, v);
                t.current = Some(i);
                result = Some(t.snaps[i].moid.clone());
            }
            "RevertToCurrentSnapshot_Task" | "RevertToSnapshot_Task" => {
                let t = st.tree(&w, v);
                let i = if op == "RevertToSnapshot_Task" {
                    Some(i)
                } else {
                    t.current
                };
                let Some(i) = i else {
                    return fault(
                        "NotFound",
                        "The virtual machine has no current snapshot.",
                        "",
                    );
                };
                t.current = Some(i);
                w.vms[v as usize].power = if t.snaps[i].powered_on {
                    Power::On
                } else {
                    Power::Off
                };
            }
            "RemoveSnapshot_Task" => {
                let remove_children = field(body, "removeChildren").as_deref() != Some("false");
                let t = st.tree(&w, v);
                let parent = t.snaps[i].parent;
                let mut doomed = vec![i];
                let mut k = 0;
                while k < doomed.len() {
                    let kids: Vec<usize> = t.children(Some(doomed[k])).collect();
                    if remove_children {
                        doomed.extend(kids);
                    } else {
                        kids.iter().for_each(|&c| t.snaps[c].parent = parent);
                    }
                    k += 1;
                }
                for d in &doomed {
                    t.snaps[*d].alive = false;
                }
                if t.current.is_some_and(|c| !t.snaps[c].alive) {
                    t.current = parent;
                }
            }
            _ => {
                let t = st.tree(&w, v);
                t.snaps.iter_mut().for_each(|s| s.alive = false);
                t.current = None;
            }
        }
        let vm = &mut w.vms[v as usize];
        if let Some(t) = st.trees.get_mut(&v) {
            publish(t, vm);
        }
        w.bump();
    }
    let description_id = match op {
        "CreateSnapshot_Task" => "VirtualMachine.createSnapshot",
        "RevertToSnapshot_Task" => "vm.Snapshot.revert",
        "RevertToCurrentSnapshot_Task" => "VirtualMachine.revertToCurrentSnapshot",
        "RemoveSnapshot_Task" => "vm.Snapshot.remove",
        _ => "VirtualMachine.removeAllSnapshots",
    };
    let moid = st.moid("task");
    st.tasks.push(SoapTask {
        moid: moid.clone(),
        description_id,
        vm: v,
        start: Instant::now(),
        queued: OffsetDateTime::now_utc(),
        duration: Duration::from_secs_f64(s.vcd.opts.task_seconds.clamp(0.05, 3600.0)),
        fails,
        result,
    });
    reply(op, &moref("returnval", "Task", &moid))
}

/// The VM's `layoutEx`, as vSphere lays files out: the .vmx, each disk's base, and per live
/// snapshot a .vmsn (a .vmem too when taken powered on) plus a delta on every disk, which
/// together hold the size vCD reports for the same snapshot.
pub fn layout_xml(w: &World, v: u32, t: &Tree) -> String {
    let vm = &w.vms[v as usize];
    let dir = format!("[{}] {}/{}", w.datastore_name(v), vm.name, vm.name);
    let mut files = String::new();
    let mut key = 0u32;
    let mut file = |name: String, kind: &str, size: u64| {
        files.push_str(&format!(
            "<file><key>{key}</key><name>{}</name><type>{kind}</type><size>{size}</size><uniqueSize>{size}</uniqueSize><accessible>true</accessible></file>",
            esc(&name)
        ));
        key += 1;
        key - 1
    };
    file(format!("{dir}.vmx"), "config", 3 << 10);
    let disks = vm.disks_gb.len().max(1) as u64;
    let mut chains: Vec<Vec<[u32; 2]>> = vm
        .disks_gb
        .iter()
        .enumerate()
        .map(|(k, gb)| {
            vec![[
                file(format!("{dir}_{k}.vmdk"), "diskDescriptor", 512),
                file(
                    format!("{dir}_{k}-flat.vmdk"),
                    "diskExtent",
                    u64::from(*gb) << 30,
                ),
            ]]
        })
        .collect();
    let mut snapshots = String::new();
    for (n, s) in t.snaps.iter().filter(|s| s.alive).enumerate() {
        let data = file(
            format!("{dir}-Snapshot{}.vmsn", n + 1),
            "snapshotData",
            32 << 10,
        );
        // The snapshot's size is its memory (when taken powered on) plus its disk deltas.
        let memory_bytes = if s.powered_on {
            (u64::from(vm.mem_mb) << 20).min(s.size)
        } else {
            0
        };
        let memory = if memory_bytes > 0 {
            i64::from(file(
                format!("{dir}-Snapshot{}.vmem", n + 1),
                "snapshotMemory",
                memory_bytes,
            ))
        } else {
            -1
        };
        snapshots.push_str(&format!(
            "<snapshot><key type=\"VirtualMachineSnapshot\">{}</key><dataKey>{data}</dataKey><memoryKey>{memory}</memoryKey></snapshot>",
            s.moid
        ));
        let delta = ((s.size - memory_bytes) / disks).saturating_sub(512);
        for (k, chain) in chains.iter_mut().enumerate() {
            chain.push([
                file(
                    format!("{dir}_{k}-{:06}.vmdk", n + 1),
                    "diskDescriptor",
                    512,
                ),
                file(
                    format!("{dir}_{k}-{:06}-delta.vmdk", n + 1),
                    "diskExtent",
                    delta,
                ),
            ]);
        }
    }
    let disks: String = chains
        .iter()
        .enumerate()
        .map(|(k, chain)| {
            let units: String = chain
                .iter()
                .map(|[d, e]| {
                    format!("<chain><fileKey>{d}</fileKey><fileKey>{e}</fileKey></chain>")
                })
                .collect();
            format!("<disk><key>{}</key>{units}</disk>", 2000 + k)
        })
        .collect();
    format!(
        "<val xsi:type=\"VirtualMachineFileLayoutEx\">{files}{disks}{snapshots}<timestamp>{}</timestamp></val>",
        datetime(OffsetDateTime::now_utc())
    )
}
