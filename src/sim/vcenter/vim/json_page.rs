//! A property read's page written straight as VI/JSON bytes: the snapshot view reads 100 VMs'
//! `layoutEx` or `snapshot` a page, and building each as a `Val` tree, writing and dropping it
//! was a fifth of the simulator's work at 100,000 VMs. Layouts and snapshot trees are written
//! here from the world; every other property (and the objects the read built to check its
//! paths) still goes through its `Val`. The bytes are those `vijson::write_json` writes for the
//! `Val`s (keys sorted, empty lists left out): `tests::written_pages_are_the_val_bytes`.

use tokio::time::Instant;

use super::Fault;
use super::layout::{Plan, plan, stamp};
use super::props::{FilterSpec, Item, Target, paths};
use super::snapshots::{Tree, VimState};
use crate::sim::inventory::vm_moid;
use crate::sim::vcd::xml::unix_datetime;
use crate::sim::vcenter::VcShared;
use crate::sim::vcenter::vijson::{write_json, write_str};
use crate::sim::world::World;

/// The `RetrieveResult` of a page of `items` (built or left for now) and its `token`, as
/// `write_json(&pages::result(token, props::build(..)))` writes it.
pub fn write_result(
    s: &VcShared,
    specs: &[FilterSpec],
    items: Vec<Item>,
    token: Option<String>,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(br#"{"_typeName":"RetrieveResult""#);
    let start = out.len();
    out.extend_from_slice(br#","objects":["#);
    let mut written = 0;
    {
        let w = s.vcd.read();
        let mut st = s.vim();
        let page = Page {
            w: &w,
            now: s.vcd.now(),
            stamp: stamp(),
        };
        for item in items {
            let mark = out.len();
            if written > 0 {
                out.push(b',');
            }
            let ok = match item {
                Item::Built(v) => {
                    write_json(&v, out);
                    true
                }
                // An object gone since the read began, or failing now, is left out.
                Item::Later { spec, kind, id } => Target::find(&w, &st, &kind, &id)
                    .and_then(|t| page.content(&mut st, &specs[spec], (&kind, &id), t, out))
                    .is_ok(),
            };
            match ok {
                true => written += 1,
                false => out.truncate(mark),
            }
        }
    }
    match written {
        0 => out.truncate(start),
        _ => out.push(b']'),
    }
    if let Some(token) = token {
        out.extend_from_slice(br#","token":"#);
        write_str(&token, out);
    }
    out.push(b'}');
}

/// What every object of a page is written against: the world, the clock, the layouts' stamp.
struct Page<'a> {
    w: &'a World,
    now: Instant,
    stamp: String,
}

impl Page<'_> {
    /// `target`'s `ObjectContent` for what `spec` asks of objects of type `kind`.
    fn content(
        &self,
        st: &mut VimState,
        spec: &FilterSpec,
        (kind, id): (&str, &str),
        target: Target,
        out: &mut Vec<u8>,
    ) -> Result<(), Fault> {
        out.extend_from_slice(br#"{"_typeName":"ObjectContent","obj":"#);
        write_ref(Target::kind_of(kind), id, out);
        let start = out.len();
        out.extend_from_slice(br#","propSet":["#);
        let mut written = 0;
        for path in paths(spec, kind) {
            let mark = out.len();
            if written > 0 {
                out.push(b',');
            }
            out.extend_from_slice(br#"{"_typeName":"DynamicProperty","name":"#);
            write_str(path, out);
            out.extend_from_slice(br#","val":"#);
            match self.value(st, target, path, out)? {
                true => {
                    out.push(b'}');
                    written += 1;
                }
                false => out.truncate(mark),
            }
        }
        match written {
            0 => out.truncate(start),
            _ => out.push(b']'),
        }
        out.push(b'}');
        Ok(())
    }

    /// Property `path`'s value as a `DynamicProperty.val`; false when unset.
    fn value(
        &self,
        st: &mut VimState,
        target: Target,
        path: &str,
        out: &mut Vec<u8>,
    ) -> Result<bool, Fault> {
        let w = self.w;
        match (target, path) {
            (Target::Vm(v), "layoutEx") => {
                write_layout(&plan(w, v, st.tree(w, v)), &self.stamp, out);
                Ok(true)
            }
            (Target::Vm(v), "snapshot") => Ok(write_snapshot_info(w, v, st.tree(w, v), out)),
            _ => Ok(match target.prop(w, st, self.now, path)? {
                Some(val) => {
                    write_json(&val.any(), out);
                    true
                }
                None => false,
            }),
        }
    }
}

fn write_ref(kind: &str, id: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"_typeName":"ManagedObjectReference","type":"#);
    write_str(kind, out);
    out.extend_from_slice(br#","value":"#);
    write_str(id, out);
    out.push(b'}');
}

fn write_int(i: i64, out: &mut Vec<u8>) {
    // Writing a number into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &i);
}

/// `layout::to_val(p, stamp)` as VI/JSON.
fn write_layout(p: &Plan, stamp: &str, out: &mut Vec<u8>) {
    // The directory escaped once: the suffixes after it never need it.
    let dir = {
        let mut d = Vec::with_capacity(p.dir.len() + 2);
        write_str(&p.dir, &mut d);
        d.pop();
        d.remove(0);
        d
    };
    out.extend_from_slice(br#"{"_typeName":"VirtualMachineFileLayoutEx""#);
    if !p.chains.is_empty() {
        out.extend_from_slice(br#","disk":["#);
        for (k, chain) in p.chains.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(
                br#"{"_typeName":"VirtualMachineFileLayoutExDiskLayout","chain":["#,
            );
            for (n, [descriptor, extent]) in chain.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(
                    br#"{"_typeName":"VirtualMachineFileLayoutExDiskUnit","fileKey":["#,
                );
                write_int(*descriptor, out);
                out.push(b',');
                write_int(*extent, out);
                out.extend_from_slice(b"]}");
            }
            out.extend_from_slice(br#"],"key":"#);
            write_int(2000 + k as i64, out);
            out.push(b'}');
        }
        out.push(b']');
    }
    out.extend_from_slice(br#","file":["#);
    for (key, f) in p.files.iter().enumerate() {
        if key > 0 {
            out.push(b',');
        }
        out.extend_from_slice(
            br#"{"_typeName":"VirtualMachineFileLayoutExFileInfo","accessible":true,"key":"#,
        );
        write_int(key as i64, out);
        out.extend_from_slice(br#","name":""#);
        out.extend_from_slice(&dir);
        f.suffix.write(out);
        out.extend_from_slice(br#"","size":"#);
        write_int(f.size as i64, out);
        out.extend_from_slice(br#","type":"#);
        write_str(f.kind, out);
        out.extend_from_slice(br#","uniqueSize":"#);
        write_int(f.size as i64, out);
        out.push(b'}');
    }
    out.push(b']');
    if !p.snapshots.is_empty() {
        out.extend_from_slice(br#","snapshot":["#);
        for (n, s) in p.snapshots.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(
                br#"{"_typeName":"VirtualMachineFileLayoutExSnapshotLayout","dataKey":"#,
            );
            write_int(s.data, out);
            out.extend_from_slice(br#","key":"#);
            write_ref("VirtualMachineSnapshot", s.moid, out);
            out.extend_from_slice(br#","memoryKey":"#);
            write_int(s.memory, out);
            out.push(b'}');
        }
        out.push(b']');
    }
    out.extend_from_slice(br#","timestamp":"#);
    write_str(stamp, out);
    out.push(b'}');
}

/// VM `v`'s `snapshot` (`VirtualMachineSnapshotInfo`) as VI/JSON; false (nothing written)
/// without snapshots, where the property is unset.
fn write_snapshot_info(w: &World, v: u32, t: &Tree, out: &mut Vec<u8>) -> bool {
    if t.children(None).next().is_none() {
        return false;
    }
    out.extend_from_slice(br#"{"_typeName":"VirtualMachineSnapshotInfo""#);
    if let Some(c) = t.current {
        out.extend_from_slice(br#","currentSnapshot":"#);
        write_ref("VirtualMachineSnapshot", &t.snaps[c].moid, out);
    }
    out.extend_from_slice(br#","rootSnapshotList":"#);
    write_trees(&vm_moid(w, v), t, None, out);
    out.push(b'}');
    true
}

/// The `VirtualMachineSnapshotTree`s under snapshot `of` (the roots for `None`), as a list;
/// the caller leaves out an empty one.
fn write_trees(vm: &str, t: &Tree, of: Option<usize>, out: &mut Vec<u8>) {
    out.push(b'[');
    for (n, i) in t.children(of).enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let s = &t.snaps[i];
        out.extend_from_slice(br#"{"_typeName":"VirtualMachineSnapshotTree""#);
        if t.children(Some(i)).next().is_some() {
            out.extend_from_slice(br#","childSnapshotList":"#);
            write_trees(vm, t, Some(i), out);
        }
        out.extend_from_slice(br#","createTime":"#);
        write_str(&unix_datetime(s.created), out);
        out.extend_from_slice(br#","description":"#);
        write_str(&s.description, out);
        out.extend_from_slice(br#","id":"#);
        write_int(i64::from(s.id), out);
        out.extend_from_slice(br#","name":"#);
        write_str(&s.name, out);
        out.extend_from_slice(br#","quiesced":"#);
        out.extend_from_slice(if s.quiesced { b"true" } else { b"false" });
        out.extend_from_slice(br#","replaySupported":false,"snapshot":"#);
        write_ref("VirtualMachineSnapshot", &s.moid, out);
        out.extend_from_slice(br#","state":"#);
        write_str(
            if s.powered_on {
                "poweredOn"
            } else {
                "poweredOff"
            },
            out,
        );
        out.extend_from_slice(br#","vm":"#);
        write_ref("VirtualMachine", vm, out);
        out.push(b'}');
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::super::pages::result;
    use super::super::props::tests::{shared, spec};
    use super::super::props::{self, PropSpec};
    use super::super::snapshots::{Op, run};
    use super::*;

    /// The bytes with each layout's read time (`"timestamp":"…Z"`, 24 characters) blanked.
    fn unstamped(bytes: Vec<u8>) -> String {
        let mut s = String::from_utf8(bytes).unwrap();
        let key = r#""timestamp":""#;
        let mut from = 0;
        while let Some(at) = s[from..].find(key) {
            let start = from + at + key.len();
            s.replace_range(start..start + 24, &"X".repeat(24));
            from = start;
        }
        s
    }

    fn create(s: &VcShared, vm: &str, name: &str, memory: bool) {
        let op = Op::Create {
            name: name.into(),
            description: format!("{name}: \"quoted\"\nsecond line \\ é"),
            memory,
            quiesce: !memory,
        };
        run(s, &op, vm).unwrap();
    }

    /// A page written from the world is the page `write_json` writes for the `Val`s `build`
    /// makes: layouts (several disks, memory files, removed snapshots), nested snapshot trees,
    /// VMs without snapshots, names JSON must escape, other properties, a spec asking for all
    /// properties, the token; and a page with no objects.
    #[test]
    fn written_pages_are_the_val_bytes() {
        let s = shared(150);
        let moid = |v: u32| vm_moid(&s.vcd.read(), v);
        let with: Vec<u32> = {
            let mut w = s.vcd.write();
            w.vms[3].name = "web \"03\" \\ tab\t\u{1} é".into();
            (0..w.vms.len() as u32)
                .filter(|&v| w.vms[v as usize].snapshot.is_some())
                .collect()
        };
        assert!(with.len() > 10, "{}", with.len());
        // Trees of several levels on a VM that had one snapshot, and on one that had none.
        let none = (0..150).find(|v| !with.contains(v)).unwrap();
        for v in [with[0], none, 3] {
            create(&s, &moid(v), "first", true);
            create(&s, &moid(v), "second", false);
            create(&s, &moid(v), "third \"x\"", true);
        }
        // Removing a middle snapshot leaves its child under its parent and a gap in the files.
        let middle = s.vim().tree(&s.vcd.read(), with[0]).snaps[1].moid.clone();
        run(&s, &Op::Remove { children: false }, &middle).unwrap();
        {
            let mut w = s.vcd.write();
            w.vms[with[1] as usize].disks_gb = vec![10, 20, 30];
            w.vms[with[2] as usize].disks_gb = vec![];
        }
        let paths = ["layoutEx", "snapshot", "name", "runtime.powerState"];
        let mut specs = vec![spec("VirtualMachine", (0..150).map(moid).collect(), &paths)];
        let mut all = spec("VirtualMachine", vec![moid(with[0]), moid(none)], &[]);
        all.props[0].all = true;
        all.props.push(PropSpec {
            kind: "VirtualMachine".into(),
            all: false,
            paths: vec!["layoutEx".into()],
        });
        specs.push(all);
        let token = Some("17".to_string());
        let mut want = Vec::new();
        write_json(
            &result(token.clone(), props::retrieve(&s, &specs).unwrap()),
            &mut want,
        );
        let mut got = Vec::new();
        write_result(
            &s,
            &specs,
            props::read(&s, &specs, 0).unwrap(),
            token,
            &mut got,
        );
        let (want, got) = (unstamped(want), unstamped(got));
        for part in [
            "childSnapshotList",
            "snapshotMemory",
            "2002",
            r#"web \"03\""#,
        ] {
            assert!(got.contains(part), "{part}");
        }
        assert_eq!(got, want);

        let (mut want, mut got) = (Vec::new(), Vec::new());
        write_json(&result(None, vec![]), &mut want);
        write_result(&s, &specs, vec![], None, &mut got);
        assert_eq!(got, want);
    }
}
