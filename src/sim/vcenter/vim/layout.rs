//! A VM's `layoutEx` (`VirtualMachineFileLayoutEx`), as vSphere lays files out: the .vmx, each
//! disk's base, and per live snapshot a .vmsn (a .vmem too when taken powered on) plus a delta
//! on every disk, which together hold the size vCD reports for the same snapshot.
//!
//! The layout is first planned (which files, keys and sizes), then either built as a `Val` (for
//! SOAP and single reads) or written straight as VI/JSON by `json_page`: a bulk read of 100
//! layouts a page spent most of its time building and dropping the `Val` trees.

use std::io::Write;

use time::OffsetDateTime;

use super::Val;
use super::snapshots::Tree;
use crate::sim::vcd::xml::datetime;
use crate::sim::world::World;

/// What follows the VM's directory and name in a file's name (disk `k`, snapshot `n`).
#[derive(Clone, Copy)]
pub enum Suffix {
    Vmx,
    Descriptor(usize),
    Flat(usize),
    Vmsn(usize),
    Vmem(usize),
    DeltaDescriptor(usize, usize),
    Delta(usize, usize),
}

impl Suffix {
    /// Written as is: a suffix holds nothing JSON or XML must escape.
    pub fn write(self, out: &mut Vec<u8>) {
        // Writing into a Vec cannot fail.
        let _ = match self {
            Suffix::Vmx => write!(out, ".vmx"),
            Suffix::Descriptor(k) => write!(out, "_{k}.vmdk"),
            Suffix::Flat(k) => write!(out, "_{k}-flat.vmdk"),
            Suffix::Vmsn(n) => write!(out, "-Snapshot{n}.vmsn"),
            Suffix::Vmem(n) => write!(out, "-Snapshot{n}.vmem"),
            Suffix::DeltaDescriptor(k, n) => write!(out, "_{k}-{n:06}.vmdk"),
            Suffix::Delta(k, n) => write!(out, "_{k}-{n:06}-delta.vmdk"),
        };
    }
}

/// One file: its name's suffix, type and size; its key is its position.
pub struct File {
    pub suffix: Suffix,
    pub kind: &'static str,
    pub size: u64,
}

/// A snapshot's files: its moid, its data file's key and its memory file's (-1 for none).
pub struct SnapshotFiles<'a> {
    pub moid: &'a str,
    pub data: i64,
    pub memory: i64,
}

/// The layout of one VM, not yet rendered.
pub struct Plan<'a> {
    /// `[datastore] name/name`, every file's name up to its suffix.
    pub dir: String,
    pub files: Vec<File>,
    /// Per disk, its chain: the base, then a delta per snapshot; each (descriptor, extent) keys.
    pub chains: Vec<Vec<[i64; 2]>>,
    pub snapshots: Vec<SnapshotFiles<'a>>,
}

impl Plan<'_> {
    fn add(&mut self, suffix: Suffix, kind: &'static str, size: u64) -> i64 {
        self.files.push(File { suffix, kind, size });
        self.files.len() as i64 - 1
    }
}

/// VM `v`'s files with the snapshots of tree `t`.
pub fn plan<'a>(w: &World, v: u32, t: &'a Tree) -> Plan<'a> {
    let vm = &w.vms[v as usize];
    let mut p = Plan {
        dir: format!("[{}] {}/{}", w.datastore_name(v), vm.name, vm.name),
        files: Vec::with_capacity(1 + 2 * vm.disks_gb.len() * (1 + t.snaps.len()) + t.snaps.len()),
        chains: Vec::with_capacity(vm.disks_gb.len()),
        snapshots: vec![],
    };
    p.add(Suffix::Vmx, "config", 3 << 10);
    let disks = vm.disks_gb.len().max(1) as u64;
    for (k, gb) in vm.disks_gb.iter().enumerate() {
        let base = [
            p.add(Suffix::Descriptor(k), "diskDescriptor", 512),
            p.add(Suffix::Flat(k), "diskExtent", u64::from(*gb) << 30),
        ];
        p.chains.push(vec![base]);
    }
    for (n, s) in t.snaps.iter().filter(|s| s.alive).enumerate() {
        let data = p.add(Suffix::Vmsn(n + 1), "snapshotData", 32 << 10);
        // The snapshot's size is its memory (when taken powered on) plus its disk deltas.
        let memory_bytes = if s.powered_on {
            (u64::from(vm.mem_mb) << 20).min(s.size)
        } else {
            0
        };
        let memory = if memory_bytes > 0 {
            p.add(Suffix::Vmem(n + 1), "snapshotMemory", memory_bytes)
        } else {
            -1
        };
        p.snapshots.push(SnapshotFiles {
            moid: &s.moid,
            data,
            memory,
        });
        let delta = ((s.size - memory_bytes) / disks).saturating_sub(512);
        for k in 0..p.chains.len() {
            let keys = [
                p.add(Suffix::DeltaDescriptor(k, n + 1), "diskDescriptor", 512),
                p.add(Suffix::Delta(k, n + 1), "diskExtent", delta),
            ];
            p.chains[k].push(keys);
        }
    }
    p
}

/// The time a layout is stamped with when read now.
pub fn stamp() -> String {
    datetime(OffsetDateTime::now_utc())
}

/// VM `v`'s `layoutEx` with the snapshots of tree `t`.
pub fn layout(w: &World, v: u32, t: &Tree) -> Val {
    to_val(&plan(w, v, t), stamp())
}

/// The plan as the `Val` SOAP and single reads answer, stamped `timestamp`.
pub fn to_val(p: &Plan, timestamp: String) -> Val {
    let files = p
        .files
        .iter()
        .enumerate()
        .map(|(key, f)| {
            let mut name = p.dir.as_bytes().to_vec();
            f.suffix.write(&mut name);
            let name = String::from_utf8(name).unwrap_or_default();
            let size = Val::Int(f.size as i64);
            Val::Obj(
                "VirtualMachineFileLayoutExFileInfo",
                vec![
                    ("key", Val::Int(key as i64)),
                    ("name", Val::Str(name)),
                    ("type", Val::str(f.kind)),
                    ("size", size.clone()),
                    ("uniqueSize", size),
                    ("accessible", Val::Bool(true)),
                ],
            )
        })
        .collect();
    let snapshots = p
        .snapshots
        .iter()
        .map(|s| {
            Val::Obj(
                "VirtualMachineFileLayoutExSnapshotLayout",
                vec![
                    ("key", Val::Ref("VirtualMachineSnapshot", s.moid.into())),
                    ("dataKey", Val::Int(s.data)),
                    ("memoryKey", Val::Int(s.memory)),
                ],
            )
        })
        .collect();
    let disks = p
        .chains
        .iter()
        .enumerate()
        .map(|(k, chain)| {
            let units = chain
                .iter()
                .map(|keys| {
                    let keys = keys.iter().map(|&f| Val::Int(f)).collect();
                    Val::Obj(
                        "VirtualMachineFileLayoutExDiskUnit",
                        vec![("fileKey", Val::List("int", keys))],
                    )
                })
                .collect();
            Val::Obj(
                "VirtualMachineFileLayoutExDiskLayout",
                vec![
                    ("key", Val::Int(2000 + k as i64)),
                    (
                        "chain",
                        Val::List("VirtualMachineFileLayoutExDiskUnit", units),
                    ),
                ],
            )
        })
        .collect();
    Val::Obj(
        "VirtualMachineFileLayoutEx",
        vec![
            (
                "file",
                Val::List("VirtualMachineFileLayoutExFileInfo", files),
            ),
            (
                "disk",
                Val::List("VirtualMachineFileLayoutExDiskLayout", disks),
            ),
            (
                "snapshot",
                Val::List("VirtualMachineFileLayoutExSnapshotLayout", snapshots),
            ),
            ("timestamp", Val::Str(timestamp)),
        ],
    )
}
