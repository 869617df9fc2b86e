//! VM snapshot trees and the vim tasks that change them. A tree is kept in step with the VM's
//! vCD snapshot (`Vm::snapshot`, the current one): a vCD create/remove resets the tree, and a
//! vCenter change publishes its current snapshot back to the VM. The effect happens when the task
//! is created (unless the task is drawn to fail); the task then runs queued → running → success.

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::OffsetDateTime;
use tokio::time::{Duration, Instant};

use super::{Args, Fault, Val, required};
use crate::sim::inventory::vm_index;
use crate::sim::vcenter::VcShared;
use crate::sim::world::{Entity, Power, Snapshot, Vm, World};

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

pub struct VimTask {
    pub moid: String,
    pub description_id: &'static str,
    pub vm: u32,
    pub start: Instant,
    pub queued: OffsetDateTime,
    pub duration: Duration,
    pub fails: bool,
    pub result: Option<String>,
}

impl VimTask {
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

pub struct VimState {
    trees: HashMap<u32, Tree>,
    by_moid: HashMap<String, (u32, usize)>,
    pub tasks: Vec<VimTask>,
    next: u32,
    rng: ChaCha8Rng,
}

impl VimState {
    pub fn new(seed: u64) -> Self {
        VimState {
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
            if let Some(old) = self.trees.insert(v, Tree::default()) {
                old.snaps
                    .iter()
                    .for_each(|s| _ = self.by_moid.remove(&s.moid));
            }
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

    /// The live snapshot `moid` as (VM, index in its tree), after syncing that tree with vCD.
    pub fn find(&mut self, w: &World, moid: &str) -> Option<(u32, usize)> {
        let (v, _) = *self.by_moid.get(moid)?;
        self.tree(w, v);
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

/// A snapshot method and its arguments.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Create {
        name: String,
        description: String,
        memory: bool,
        quiesce: bool,
    },
    RevertToCurrent,
    RemoveAll,
    /// Called on a `VirtualMachineSnapshot`, as is `Remove`.
    Revert,
    Remove {
        children: bool,
    },
}

impl Op {
    /// The operation for vim method `method`, or `None` when it is no snapshot method.
    pub fn parse(method: &str, a: &impl Args) -> Result<Option<Op>, Fault> {
        Ok(Some(match method {
            "CreateSnapshot_Task" => Op::Create {
                name: required(a.text("name"), "name")?,
                description: a.text("description")?.unwrap_or_default(),
                memory: required(a.flag("memory"), "memory")?,
                quiesce: required(a.flag("quiesce"), "quiesce")?,
            },
            "RevertToCurrentSnapshot_Task" => Op::RevertToCurrent,
            "RemoveAllSnapshots_Task" => Op::RemoveAll,
            "RevertToSnapshot_Task" => Op::Revert,
            "RemoveSnapshot_Task" => Op::Remove {
                children: required(a.flag("removeChildren"), "removeChildren")?,
            },
            _ => return Ok(None),
        }))
    }
    /// The managed object type the method is called on.
    pub fn on(&self) -> &'static str {
        match self {
            Op::Revert | Op::Remove { .. } => "VirtualMachineSnapshot",
            _ => "VirtualMachine",
        }
    }
    fn description_id(&self) -> &'static str {
        match self {
            Op::Create { .. } => "VirtualMachine.createSnapshot",
            Op::Revert => "vm.Snapshot.revert",
            Op::RevertToCurrent => "VirtualMachine.revertToCurrentSnapshot",
            Op::Remove { .. } => "vm.Snapshot.remove",
            Op::RemoveAll => "VirtualMachine.removeAllSnapshots",
        }
    }
}

/// Runs `op` on object `this` (a VM, or a snapshot for revert/remove) and returns its task's
/// moid. Faults are those the method throws itself; a drawn failure shows in the task instead.
pub fn run(s: &VcShared, op: &Op, this: &str) -> Result<String, Fault> {
    let mut w = s.vcd.write();
    let target = match op.on() {
        "VirtualMachine" => vm_index(&w, this).map(|v| (v, usize::MAX)),
        _ => s.vim().find(&w, this),
    };
    let (v, i) = target.ok_or_else(|| Fault::not_found(op.on(), this))?;
    if s.vcd.tasks().busy(&w, Entity::Vm(v), s.vcd.now()) {
        return Err(Fault::new(
            "TaskInProgress",
            "The operation is not allowed in the current state.",
        )
        .with("task", Val::Ref("Task", "task-vcd".into())));
    }
    let mut st = s.vim();
    let current = st.tree(&w, v).current;
    if *op == Op::RevertToCurrent && current.is_none() {
        return Err(Fault::new(
            "NotFound",
            "The virtual machine has no current snapshot.",
        ));
    }
    let fails = s.vcd.opts.fail_rate > 0.0 && st.rng.random::<f64>() < s.vcd.opts.fail_rate;
    let result = if fails {
        None
    } else {
        let result = apply(&mut st, &mut w, op, v, i);
        if let Some(t) = st.trees.get_mut(&v) {
            publish(t, &mut w.vms[v as usize]);
        }
        w.bump();
        result
    };
    let moid = st.moid("task");
    st.tasks.push(VimTask {
        moid: moid.clone(),
        description_id: op.description_id(),
        vm: v,
        start: s.vcd.now(),
        queued: OffsetDateTime::now_utc(),
        duration: Duration::from_secs_f64(s.vcd.opts.task_seconds.clamp(0.05, 3600.0)),
        fails,
        result,
    });
    Ok(moid)
}

/// The effect of `op` on VM `v`'s tree (`i`: the snapshot it is called on); a create returns
/// the new snapshot's moid.
fn apply(st: &mut VimState, w: &mut World, op: &Op, v: u32, i: usize) -> Option<String> {
    let vm = &mut w.vms[v as usize];
    match op {
        Op::Create {
            name,
            description,
            memory,
            quiesce,
        } => {
            let with_memory = *memory && vm.power == Power::On;
            let snap = Snap {
                moid: String::new(),
                id: 0,
                name: name.clone(),
                description: description.clone(),
                created: OffsetDateTime::now_utc().unix_timestamp(),
                powered_on: with_memory,
                quiesced: *quiesce,
                parent: st.trees.get(&v).and_then(|t| t.current),
                alive: true,
                size: if with_memory {
                    (u64::from(vm.mem_mb) << 20) + (512 << 20)
                } else {
                    512 << 20
                },
            };
            let i = st.push(v, snap);
            let t = st.trees.get_mut(&v)?;
            t.current = Some(i);
            return Some(t.snaps[i].moid.clone());
        }
        Op::RevertToCurrent | Op::Revert => {
            let t = st.trees.get_mut(&v)?;
            let i = if *op == Op::Revert {
                Some(i)
            } else {
                t.current
            };
            let i = i?;
            t.current = Some(i);
            vm.power = if t.snaps[i].powered_on {
                Power::On
            } else {
                Power::Off
            };
        }
        Op::Remove { children } => {
            let t = st.trees.get_mut(&v)?;
            let parent = t.snaps[i].parent;
            let mut doomed = vec![i];
            let mut k = 0;
            while k < doomed.len() {
                let kids: Vec<usize> = t.children(Some(doomed[k])).collect();
                if *children {
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
        Op::RemoveAll => {
            let t = st.trees.get_mut(&v)?;
            t.snaps.iter_mut().for_each(|s| s.alive = false);
            t.current = None;
        }
    }
    None
}

/// `CancelTask`: the simulator's tasks are not cancelable, as their `cancelable` says.
pub fn cancel(s: &VcShared, task: &str) -> Fault {
    if s.vim().tasks.iter().any(|t| t.moid == task) {
        Fault::new("NotSupported", "The task is not cancelable.")
    } else {
        Fault::not_found("Task", task)
    }
}
