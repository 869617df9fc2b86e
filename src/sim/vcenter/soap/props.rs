//! RetrieveProperties / RetrievePropertiesEx for the objects the SOAP subset knows: VMs (name,
//! power state, snapshot tree, file layout) and snapshot tasks (info and its parts). No views,
//! no traversal.

use axum::response::Response;
use tokio::time::Instant;

use super::snapshots::{layout_xml, task_info, tree_xml};
use super::{Elem, VcShared, elems, fault, moref, reply};
use crate::sim::inventory::vm_index;
use crate::sim::vcd::xml::esc;
use crate::sim::world::Power;

const VM_PROPS: &[&str] = &[
    "name",
    "runtime.powerState",
    "summary.runtime.powerState",
    "snapshot",
    "snapshot.currentSnapshot",
    "snapshot.rootSnapshotList",
    "layoutEx",
];
const TASK_PROPS: &[&str] = &[
    "info",
    "info.state",
    "info.progress",
    "info.result",
    "info.error",
    "info.entity",
];

/// Property paths asked for each object type in the `specSet`.
fn paths_for(spec: &str, kind: &str) -> Vec<String> {
    let mut out = vec![];
    for ps in elems(spec, "propSet") {
        let ty = elems(ps.text, "type")
            .first()
            .map(Elem::value)
            .unwrap_or_default();
        if ty != kind {
            continue;
        }
        let all = elems(ps.text, "all")
            .first()
            .is_some_and(|e| e.value() == "true");
        let list: Vec<String> = elems(ps.text, "pathSet").iter().map(Elem::value).collect();
        if all {
            let every = if kind == "Task" { TASK_PROPS } else { VM_PROPS };
            out.extend(every.iter().map(|s| s.to_string()));
        }
        out.extend(list);
    }
    out
}

pub fn retrieve(s: &VcShared, op: &str, body: &str) -> Response {
    let w = s.vcd.read();
    let mut st = s.soap();
    let now = Instant::now();
    let mut objects = vec![];
    for spec in elems(body, "specSet") {
        for os in elems(spec.text, "objectSet") {
            let Some(obj) = elems(os.text, "obj").into_iter().next() else {
                continue;
            };
            let kind = obj.attr("type").unwrap_or("").to_string();
            let id = obj.value();
            let mut props = String::new();
            match kind.as_str() {
                "VirtualMachine" => {
                    let Some(v) = vm_index(&w, &id) else {
                        return not_found(&id);
                    };
                    let vm = &w.vms[v as usize];
                    for path in paths_for(spec.text, &kind) {
                        let val = match path.as_str() {
                            "name" => Some(format!(
                                "<val xsi:type=\"xsd:string\">{}</val>",
                                esc(&vm.name)
                            )),
                            "runtime.powerState" | "summary.runtime.powerState" => {
                                let p = match vm.power {
                                    Power::On => "poweredOn",
                                    Power::Off => "poweredOff",
                                    Power::Suspended => "suspended",
                                };
                                Some(format!(
                                    "<val xsi:type=\"VirtualMachinePowerState\">{p}</val>"
                                ))
                            }
                            "snapshot"
                            | "snapshot.currentSnapshot"
                            | "snapshot.rootSnapshotList" => {
                                let t = st.tree(&w, v);
                                if t.children(None).next().is_none() {
                                    None // unset, as vSphere leaves it without snapshots
                                } else if path == "snapshot.currentSnapshot" {
                                    t.current.map(|c| {
                                        format!("<val type=\"VirtualMachineSnapshot\" xsi:type=\"ManagedObjectReference\">{}</val>", t.snaps[c].moid)
                                    })
                                } else {
                                    let mut x = String::new();
                                    if path == "snapshot" {
                                        x.push_str("<val xsi:type=\"VirtualMachineSnapshotInfo\">");
                                        if let Some(c) = t.current {
                                            x.push_str(&moref(
                                                "currentSnapshot",
                                                "VirtualMachineSnapshot",
                                                &t.snaps[c].moid,
                                            ));
                                        }
                                        tree_xml(&mut x, &w, v, t, None, "rootSnapshotList");
                                    } else {
                                        x.push_str(
                                            "<val xsi:type=\"ArrayOfVirtualMachineSnapshotTree\">",
                                        );
                                        tree_xml(
                                            &mut x,
                                            &w,
                                            v,
                                            t,
                                            None,
                                            "VirtualMachineSnapshotTree",
                                        );
                                    }
                                    x.push_str("</val>");
                                    Some(x)
                                }
                            }
                            "layoutEx" => Some(layout_xml(&w, v, st.tree(&w, v))),
                            _ => return invalid_property(&path),
                        };
                        if let Some(val) = val {
                            props.push_str(&format!("<propSet><name>{path}</name>{val}</propSet>"));
                        }
                    }
                }
                "Task" => {
                    let Some(t) = st.tasks.iter().find(|t| t.moid == id) else {
                        return not_found(&id);
                    };
                    let info = task_info(&w, t, now);
                    let (state, progress) = t.state(now);
                    for path in paths_for(spec.text, &kind) {
                        let val = match path.as_str() {
                            "info" => Some(format!("<val xsi:type=\"TaskInfo\">{info}</val>")),
                            "info.state" => Some(format!("<val xsi:type=\"TaskInfoState\">{state}</val>")),
                            "info.progress" => (state == "running")
                                .then(|| format!("<val xsi:type=\"xsd:int\">{progress}</val>")),
                            "info.entity" => Some(format!(
                                "<val type=\"VirtualMachine\" xsi:type=\"ManagedObjectReference\">{}</val>",
                                crate::sim::inventory::vm_moid(&w, t.vm)
                            )),
                            "info.result" => t.result.as_ref().filter(|_| state == "success").map(|r| {
                                format!("<val type=\"VirtualMachineSnapshot\" xsi:type=\"ManagedObjectReference\">{r}</val>")
                            }),
                            "info.error" => (state == "error").then(|| {
                                "<val xsi:type=\"LocalizedMethodFault\"><fault xsi:type=\"SystemError\"><reason>Simulated failure</reason></fault>\
                                 <localizedMessage>A general system error occurred: Simulated failure</localizedMessage></val>".to_string()
                            }),
                            _ => return invalid_property(&path),
                        };
                        if let Some(val) = val {
                            props.push_str(&format!("<propSet><name>{path}</name>{val}</propSet>"));
                        }
                    }
                }
                _ => return not_found(&id),
            }
            let mut o = moref("obj", &kind, &id);
            o.push_str(&props);
            objects.push(o);
        }
    }
    let inner = if op == "RetrievePropertiesEx" {
        if objects.is_empty() {
            String::new()
        } else {
            let all: String = objects
                .iter()
                .map(|o| format!("<objects>{o}</objects>"))
                .collect();
            format!("<returnval>{all}</returnval>")
        }
    } else {
        objects
            .iter()
            .map(|o| format!("<returnval>{o}</returnval>"))
            .collect()
    };
    reply(op, &inner)
}

fn not_found(id: &str) -> Response {
    fault(
        "ManagedObjectNotFound",
        &format!("The object '{id}' has already been deleted or has not been completely created"),
        &moref("obj", "ManagedObject", id),
    )
}

fn invalid_property(path: &str) -> Response {
    fault(
        "InvalidProperty",
        &format!("The simulator does not serve property {path}."),
        &format!("<name>{}</name>", esc(path)),
    )
}
