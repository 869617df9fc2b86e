//! A VM's `layoutEx` (`VirtualMachineFileLayoutEx`), as vSphere lays files out: the .vmx, each
//! disk's base, and per live snapshot a .vmsn (a .vmem too when taken powered on) plus a delta
//! on every disk, which together hold the size vCD reports for the same snapshot.

use time::OffsetDateTime;

use super::Val;
use super::snapshots::Tree;
use crate::sim::vcd::xml::datetime;
use crate::sim::world::World;

/// The files so far, each keyed by its position.
#[derive(Default)]
struct Files(Vec<Val>);

impl Files {
    fn add(&mut self, name: String, kind: &'static str, size: u64) -> i64 {
        let key = self.0.len() as i64;
        let size = Val::Int(size as i64);
        self.0.push(Val::Obj(
            "VirtualMachineFileLayoutExFileInfo",
            vec![
                ("key", Val::Int(key)),
                ("name", Val::Str(name)),
                ("type", Val::str(kind)),
                ("size", size.clone()),
                ("uniqueSize", size),
                ("accessible", Val::Bool(true)),
            ],
        ));
        key
    }
}

/// VM `v`'s `layoutEx` with the snapshots of tree `t`.
pub fn layout(w: &World, v: u32, t: &Tree) -> Val {
    let vm = &w.vms[v as usize];
    let dir = format!("[{}] {}/{}", w.datastore_name(v), vm.name, vm.name);
    let mut files = Files::default();
    files.add(format!("{dir}.vmx"), "config", 3 << 10);
    let disks = vm.disks_gb.len().max(1) as u64;
    // Per disk, its chain: the base, then a delta per snapshot; each a descriptor and extent.
    let mut chains: Vec<Vec<[i64; 2]>> = vm
        .disks_gb
        .iter()
        .enumerate()
        .map(|(k, gb)| {
            vec![[
                files.add(format!("{dir}_{k}.vmdk"), "diskDescriptor", 512),
                files.add(
                    format!("{dir}_{k}-flat.vmdk"),
                    "diskExtent",
                    u64::from(*gb) << 30,
                ),
            ]]
        })
        .collect();
    let mut snapshots = vec![];
    for (n, s) in t.snaps.iter().filter(|s| s.alive).enumerate() {
        let data = files.add(
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
            files.add(
                format!("{dir}-Snapshot{}.vmem", n + 1),
                "snapshotMemory",
                memory_bytes,
            )
        } else {
            -1
        };
        snapshots.push(Val::Obj(
            "VirtualMachineFileLayoutExSnapshotLayout",
            vec![
                ("key", Val::Ref("VirtualMachineSnapshot", s.moid.clone())),
                ("dataKey", Val::Int(data)),
                ("memoryKey", Val::Int(memory)),
            ],
        ));
        let delta = ((s.size - memory_bytes) / disks).saturating_sub(512);
        for (k, chain) in chains.iter_mut().enumerate() {
            chain.push([
                files.add(
                    format!("{dir}_{k}-{:06}.vmdk", n + 1),
                    "diskDescriptor",
                    512,
                ),
                files.add(
                    format!("{dir}_{k}-{:06}-delta.vmdk", n + 1),
                    "diskExtent",
                    delta,
                ),
            ]);
        }
    }
    let disks = chains
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
                Val::List("VirtualMachineFileLayoutExFileInfo", files.0),
            ),
            (
                "disk",
                Val::List("VirtualMachineFileLayoutExDiskLayout", disks),
            ),
            (
                "snapshot",
                Val::List("VirtualMachineFileLayoutExSnapshotLayout", snapshots),
            ),
            ("timestamp", Val::Str(datetime(OffsetDateTime::now_utc()))),
        ],
    )
}
