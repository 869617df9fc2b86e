//! Past runs the server starts with, so a workflow's recent executions are not all empty: about
//! half the workflows ran one to three times in the last two days, mostly successfully, with
//! inputs of their declared types (defaults and allowed values first, the world's VMs and vApps
//! for SDK objects). Deterministic for a seed.

use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::time::Duration;

use super::VroShared;
use super::catalogue::{Behavior, Param, Workflow};
use super::executions::{End, Plan, Run, run_id};
use super::values::{self, number, sdk_object, string};
use crate::sim::inventory::vm_moid;
use crate::sim::names::PEOPLE;
use crate::sim::vrops::ids::{mix, unit};
use crate::sim::world::{World, uuid_str};

/// A plausible value of `p`'s type; `k` varies it.
fn value(p: &Param, w: &World, k: u64) -> Value {
    if let Some(d) = &p.default {
        return d.clone();
    }
    if let Some(c) = p.choices.first() {
        return c.clone();
    }
    match p.ty {
        "string" => string(&format!("{}-{}", p.name, k % 97)),
        "SecureString" => json!({"secure-string": {"value": ""}}),
        "number" => number((k % 10 + 1) as f64),
        "boolean" => values::boolean(k.is_multiple_of(2)),
        "Date" => json!({"date": {"value": "2026-01-15T08:00:00.000Z"}}),
        "Properties" => json!({"properties": {"property": [
            {"key": "ticket", "value": string(&format!("CHG-{}", 1000 + k % 9000))},
        ]}}),
        "VC:VirtualMachine" if !w.vms.is_empty() => {
            sdk_object(p.ty, &vm_moid(w, (k % w.vms.len() as u64) as u32))
        }
        "vCloud:VApp" if !w.vapps.is_empty() => sdk_object(
            p.ty,
            &uuid_str(w.vapps[(k % w.vapps.len() as u64) as usize].id),
        ),
        t if t.starts_with("Array/") => values::array(vec![string(&format!("item-{}", k % 7))]),
        _ => Value::Null,
    }
}

fn outputs(wf: &Workflow, took: Duration, k: u64) -> Vec<Value> {
    wf.outputs
        .iter()
        .map(|o| {
            let v = match (o.name.as_str(), o.ty) {
                ("approvedBy", _) => string(PEOPLE[k as usize % PEOPLE.len()]),
                ("durationSeconds", _) => number(took.as_secs() as f64),
                ("comment", _) => string("approved at the change advisory board"),
                (_, "boolean") => values::boolean(true),
                (_, "number") => number((k % 50) as f64),
                (_, t) if t.starts_with("Array/") => values::array(vec![]),
                _ => string("SUCCESSFUL"),
            };
            values::echoed(&o.name, o.ty, &v)
        })
        .collect()
}

/// Adds the past runs to `s.runs`, oldest first.
pub fn record(s: &VroShared) {
    let seed = s.vcd.opts.seed;
    let now = s.vcd.now();
    let wall = OffsetDateTime::now_utc();
    let w = s.vcd.read();
    let mut past = vec![];
    for (i, wf) in s.catalogue.workflows.iter().enumerate() {
        let i = i as u64;
        if unit(seed, &[0x415, i]) >= 0.5 {
            continue;
        }
        let n = 1 + mix(seed ^ i) % 3;
        for j in 0..n {
            let k = mix(seed ^ (i << 8) ^ j);
            let ago = Duration::from_secs(600 + k % (48 * 3600));
            let took = Duration::from_secs(2 + (k >> 20) % 300);
            let failed = wf.behavior == Behavior::Fail || unit(seed, &[0x416, i, j]) < 0.15;
            let end = if failed {
                End::Fail(format!(
                    "Error: the remote endpoint answered 503 Service Unavailable (Workflow:{} / Scriptable task (item1)#17)",
                    wf.name
                ))
            } else {
                End::Complete(outputs(wf, took, k))
            };
            let Some(start) = now.checked_sub(ago) else {
                continue;
            };
            let inputs = wf
                .inputs
                .iter()
                .filter(|p| p.mandatory || (k >> 7).is_multiple_of(2))
                .map(|p| values::echoed(&p.name, p.ty, &value(p, &w, k)))
                .collect();
            past.push((ago, i as usize, start, inputs, took, end));
        }
    }
    drop(w);
    // Oldest first, so each workflow's list reads newest first.
    past.sort_by_key(|p| std::cmp::Reverse(p.0));
    let mut runs = s.runs();
    for (ago, wf, start, inputs, took, end) in past {
        let seq = runs.len() as u64;
        runs.add(Run {
            id: run_id(seed, s.opts.version, seq),
            wf,
            start,
            start_wall: wall - ago,
            started_by: s.opts.version.user().to_string(),
            inputs,
            plan: Plan::Timed {
                duration: took,
                end,
            },
            canceled: None,
            answer: None,
        });
    }
    runs.preloaded = runs.len();
}
