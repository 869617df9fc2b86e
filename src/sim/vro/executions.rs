//! Runs of workflows: `POST …/executions` validates the inputs and starts one (202 and an
//! absolute `Location` ending in `/`), `GET …/executions/{eid}/`, `…/state` and the paged list
//! of recent runs; `DELETE …/state` cancels. A run's state is a function of the simulator's
//! clock, so `Sim::advance` moves it on; runs that act on a VM or vApp start a vCD/vCenter task
//! on the shared world and follow it.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::time::{Duration, Instant};

use super::catalogue::{Behavior, Param, Workflow};
use super::values::{self, as_bool, as_f64, as_str, number, sdk_id, sdk_object, string};
use super::workflows::find;
use super::{Req, VroError, VroResult, VroShared, VroVersion, down, empty, json_response, ok};
use crate::sim::inventory::{vm_index, vm_moid};
use crate::sim::vcd::User;
use crate::sim::vcd::actions::validate;
use crate::sim::vcd::tasks::{Request, State as TaskState};
use crate::sim::vrops::ids::{mix, unit};
use crate::sim::world::{Entity, World, parse_uuid, uuid_str};

/// How a run ends when its time is up.
pub enum End {
    Complete(Vec<Value>),
    Fail(String),
    /// Stops for user interaction and stays there until answered (`…/interaction`) or
    /// canceled.
    Wait,
}

pub enum Plan {
    Timed {
        duration: Duration,
        end: End,
    },
    /// Follows the vCD task at this index of `Tasks::list`.
    Task(usize),
    /// Failed as it started (an SDK object that does not exist, a VM in the wrong state).
    Refused(String),
}

pub struct Run {
    pub id: String,
    pub wf: usize,
    pub start: Instant,
    pub start_wall: OffsetDateTime,
    pub started_by: String,
    /// As echoed: `{"value","type","name","scope"}`, secure strings without their value.
    pub inputs: Vec<Value>,
    pub plan: Plan,
    /// Time from start to cancel.
    pub canceled: Option<Duration>,
    /// The answer to its user interaction, once given.
    pub answer: Option<Answer>,
}

/// How a run waiting for user interaction was answered: it runs on until `done` (from its
/// start), then completes with `outputs`.
pub struct Answer {
    pub by: String,
    /// From the run's start to the answer.
    pub at: Duration,
    pub done: Duration,
    pub outputs: Vec<Value>,
    /// The answered parameters as echoed (`{"value","type","name","scope"}`), for the logs.
    pub given: Vec<Value>,
}

#[derive(Default)]
pub struct Runs {
    pub list: Vec<Run>,
    by_id: HashMap<String, usize>,
    /// Each workflow's runs, oldest first.
    by_wf: HashMap<usize, Vec<usize>>,
    /// How many of `list` are the past runs the server started with.
    pub preloaded: usize,
}

/// A run as of now.
pub struct View {
    pub state: &'static str,
    /// From start to end, once it ended.
    pub took: Option<Duration>,
    pub outputs: Vec<Value>,
    pub exception: Option<String>,
}

impl View {
    fn timed(state: &'static str, took: Option<Duration>) -> View {
        View {
            state,
            took,
            outputs: vec![],
            exception: None,
        }
    }
}

impl Run {
    pub fn view(&self, s: &VroShared, now: Instant) -> View {
        let elapsed = now.saturating_duration_since(self.start);
        if let Some(at) = self.canceled {
            return View::timed("canceled", Some(at));
        }
        match &self.plan {
            Plan::Refused(why) => View {
                exception: Some(why.clone()),
                ..View::timed("failed", Some(Duration::ZERO))
            },
            Plan::Timed { duration, .. } if elapsed < *duration => View::timed("running", None),
            Plan::Timed { duration, end } => match end {
                End::Complete(outputs) => View {
                    outputs: outputs.clone(),
                    ..View::timed("completed", Some(*duration))
                },
                End::Fail(e) => View {
                    exception: Some(e.clone()),
                    ..View::timed("failed", Some(*duration))
                },
                End::Wait => match &self.answer {
                    None => View::timed("waiting", None),
                    Some(a) if elapsed < a.done => View::timed("running", None),
                    Some(a) => View {
                        outputs: a.outputs.clone(),
                        ..View::timed("completed", Some(a.done))
                    },
                },
            },
            Plan::Task(i) => {
                let tasks = s.vcd.tasks();
                let t = &tasks.list[*i];
                match t.state(now) {
                    TaskState::Success => View::timed("completed", Some(t.duration)),
                    TaskState::Error => View {
                        exception: Some(format!(
                            "Task '{}' failed on the vCenter Server: a general system error occurred (Workflow:{} / vim task (item1)#3)",
                            t.op.operation_name(t.target),
                            s.catalogue.workflows[self.wf].name
                        )),
                        ..View::timed("failed", Some(t.duration))
                    },
                    TaskState::Canceled => View::timed("canceled", t.canceled),
                    _ => View::timed("running", None),
                }
            }
        }
    }
}

impl Runs {
    pub fn get(&self, wf: usize, eid: &str) -> VroResult<&Run> {
        self.by_id
            .get(eid)
            .map(|&i| &self.list[i])
            .filter(|r| r.wf == wf)
            .ok_or_else(|| VroError::not_found(format!("Workflow execution '{eid}' not found")))
    }
    /// Where the run `eid` of workflow `wf` sits in `list`.
    pub fn index(&self, wf: usize, eid: &str) -> VroResult<usize> {
        self.get(wf, eid).map(|r| self.by_id[&r.id])
    }
    pub fn add(&mut self, run: Run) {
        let i = self.list.len();
        self.by_id.insert(run.id.clone(), i);
        self.by_wf.entry(run.wf).or_default().push(i);
        self.list.push(run);
    }
    /// The runs of workflow `wf`, newest first.
    pub fn of(&self, wf: usize) -> impl Iterator<Item = &Run> {
        self.by_wf
            .get(&wf)
            .into_iter()
            .flat_map(|l| l.iter().rev())
            .map(|&i| &self.list[i])
    }
    pub fn len(&self) -> usize {
        self.list.len()
    }
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

pub fn href(s: &VroShared, run: &Run) -> String {
    format!(
        "{}executions/{}/",
        super::workflows::href(s, run.wf),
        run.id
    )
}

/// The given inputs, checked against the declared ones: a wrong type or a missing mandatory
/// input is the real server's 400. Returns them by name, as given.
fn checked_inputs<'a>(wf: &'a Workflow, body: &'a Value) -> VroResult<HashMap<&'a str, &'a Value>> {
    checked(&wf.inputs, body, "Input parameter")
}

/// `body`'s `parameters` checked against `declared` (`what` names them in errors).
pub fn checked<'a>(
    declared: &'a [Param],
    body: &'a Value,
    what: &str,
) -> VroResult<HashMap<&'a str, &'a Value>> {
    let given = match &body["parameters"] {
        Value::Null => vec![],
        Value::Array(a) => a.iter().collect(),
        _ => return Err(VroError::bad_request("'parameters' must be a list")),
    };
    let mut by_name = HashMap::new();
    for p in given {
        let Some(name) = p["name"].as_str() else {
            return Err(VroError::bad_request("Every parameter needs a name"));
        };
        by_name.insert(name, p);
    }
    let mut out = HashMap::new();
    for d in declared {
        let Some(p) = by_name.get(d.name.as_str()) else {
            if d.mandatory {
                return Err(VroError::bad_request(format!(
                    "{what} '{}' is mandatory but has no value",
                    d.name
                )));
            }
            continue;
        };
        if let Some(ty) = p["type"].as_str()
            && ty != d.ty
        {
            return Err(VroError::bad_request(format!(
                "{what} '{}' is of type '{}', not '{ty}'",
                d.name, d.ty
            )));
        }
        let filled = values::check(d.ty, &p["value"]).map_err(|m| {
            VroError::bad_request(format!(
                "Invalid value for {} '{}': {m}",
                what.to_lowercase(),
                d.name
            ))
        })?;
        if d.mandatory && !filled {
            return Err(VroError::bad_request(format!(
                "{what} '{}' is mandatory but has no value",
                d.name
            )));
        }
        if !p["value"].is_null() {
            out.insert(d.name.as_str(), &p["value"]);
        }
    }
    Ok(out)
}

/// The world entity an SDK-object id names: a VM by moid (`vm-N`, or a vRO id ending in
/// `/vm-N` or `,vm-N`), a vApp by UUID or URN.
fn resolve(w: &World, ty: &str, id: &str) -> Option<Entity> {
    match ty {
        "VC:VirtualMachine" => {
            let moid = id.rsplit(['/', ',']).next().unwrap_or(id);
            vm_index(w, moid).map(Entity::Vm)
        }
        "vCloud:VApp" => {
            let uuid = id.rsplit(':').next().unwrap_or(id);
            match w.lookup(parse_uuid(uuid)?)? {
                e @ Entity::VApp(_) => Some(e),
                _ => None,
            }
        }
        _ => None,
    }
}

fn script_error(wf: &Workflow, line: u64, what: &str) -> String {
    format!(
        "{what} (Workflow:{} / Scriptable task (item1)#{line})",
        wf.name
    )
}

/// Decides what the run will do, and starts its task if it acts on the world.
fn plan(s: &VroShared, wf: &Workflow, inputs: &HashMap<&str, &Value>, seq: u64) -> Plan {
    let base = Duration::from_secs_f64(s.vcd.opts.task_seconds.clamp(0.0, 1e6));
    let timed = |duration, end| Plan::Timed { duration, end };
    // SDK-object inputs must name something that exists.
    let mut target = None;
    {
        let w = s.vcd.read();
        for d in &wf.inputs {
            let Some(id) = inputs.get(d.name.as_str()).and_then(|v| sdk_id(v)) else {
                continue;
            };
            match resolve(&w, d.ty, id) {
                Some(e) => target = target.or(Some(e)),
                None => {
                    return Plan::Refused(script_error(
                        wf,
                        4,
                        &format!("Unable to find {} with id '{id}'", d.ty),
                    ));
                }
            }
        }
    }
    let text = |name: &str| inputs.get(name).and_then(|v| as_str(v)).unwrap_or("");
    match wf.behavior {
        Behavior::Complete => {
            if unit(s.vcd.opts.seed, &[0x7270, seq]) < s.vcd.opts.fail_rate {
                return timed(
                    base,
                    End::Fail(script_error(
                        wf,
                        17,
                        "Error: the remote endpoint answered 503 Service Unavailable",
                    )),
                );
            }
            let mut outputs = vec![];
            for o in &wf.outputs {
                let value = match (o.name.as_str(), o.ty) {
                    ("newCapacityGb", _) => {
                        let w = s.vcd.read();
                        let disk = inputs
                            .get("diskIndex")
                            .and_then(|v| as_f64(v))
                            .unwrap_or(0.0);
                        let now = match target {
                            Some(Entity::Vm(v)) => w.vms[v as usize]
                                .disks_gb
                                .get(disk as usize)
                                .copied()
                                .unwrap_or(0),
                            _ => 0,
                        };
                        let grow = inputs.get("growGb").and_then(|v| as_f64(v)).unwrap_or(0.0);
                        number(now as f64 + grow)
                    }
                    ("durationSeconds", _) => number(base.as_secs_f64()),
                    (_, "number") => number(0.0),
                    _ => string("SUCCESSFUL"),
                };
                outputs.push(values::echoed(&o.name, o.ty, &value));
            }
            timed(base, End::Complete(outputs))
        }
        Behavior::FindVms => {
            let needle = text("criteria").to_lowercase();
            let w = s.vcd.read();
            let vms: Vec<Value> = (0..w.vms.len() as u32)
                .filter(|&v| w.vms[v as usize].name.to_lowercase().contains(&needle))
                .map(|v| sdk_object("VC:VirtualMachine", &vm_moid(&w, v)))
                .collect();
            let out = values::echoed("vms", "Array/VC:VirtualMachine", &values::array(vms));
            timed(base, End::Complete(vec![out]))
        }
        Behavior::DescribeVApp => {
            let Some(Entity::VApp(a)) = target else {
                return Plan::Refused(script_error(wf, 2, "TypeError: vApp is null"));
            };
            let w = s.vcd.read();
            let status = crate::sim::world::status_name(w.vapp_status(a));
            let outputs = vec![
                values::echoed(
                    "vmCount",
                    "number",
                    &number(w.vapps[a as usize].vm_count as f64),
                ),
                values::echoed("status", "string", &string(status)),
                values::echoed("owner", "string", &string(w.owner_name(a))),
            ];
            timed(base, End::Complete(outputs))
        }
        Behavior::Fail => timed(
            base,
            End::Fail(script_error(
                wf,
                12,
                &format!(
                    "TypeError: Cannot read property \"thumbprint\" from null: the certificate authority did not answer for {}",
                    text("hostname")
                ),
            )),
        ),
        Behavior::Wait => timed(base / 2, End::Wait),
        Behavior::Slow => timed(
            (base * 40).max(Duration::from_secs(60)),
            End::Complete(vec![values::echoed("installed", "number", &number(12.0))]),
        ),
        Behavior::Task(op) => {
            let Some(e) = target else {
                return Plan::Refused(script_error(wf, 2, "TypeError: vm is null"));
            };
            let w = s.vcd.read();
            if let Err(err) = validate(&w, op, e) {
                return Plan::Refused(script_error(wf, 6, &err.message));
            }
            let mut tasks = s.vcd.tasks();
            let now = s.vcd.now();
            if tasks.busy(&w, e, now) {
                return Plan::Refused(script_error(
                    wf,
                    6,
                    "The operation is not allowed in the current state: another task is in progress.",
                ));
            }
            let memory = inputs.get("memory").and_then(|v| as_bool(v)) == Some(true);
            let request = Request {
                op,
                target: e,
                memory,
            };
            // Started by the system administrator, in the org that owns the VM or vApp.
            Plan::Task(tasks.create(request, User { org: 0 }, w.org_of(e), &s.vcd.opts, now))
        }
    }
}

pub fn run_id(seed: u64, version: VroVersion, seq: u64) -> String {
    let h = (mix(seed ^ 0xe7ec) as u128) << 64 | mix(seq ^ 0x5eed) as u128;
    match version {
        // 7.x ids are 32 hex digits, like `ff8080814a1cb55c014a6481a9927a78`.
        VroVersion::V7 => format!("ff808081{:024x}", h & ((1 << 96) - 1)),
        _ => uuid_str(h & !(0xf << 76) & !(0x3 << 62) | (0x4 << 76) | (0x2 << 62)),
    }
}

pub fn start(s: &VroShared, r: &Req, id: &str, user: &str) -> VroResult<Response> {
    let wf = find(s, id)?;
    let w = &s.catalogue.workflows[wf];
    let body: Value = if r.body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(r.body)
            .map_err(|e| VroError::bad_request(format!("Malformed request body: {e}")))?
    };
    let inputs = checked_inputs(w, &body)?;
    let seq = s.runs().len() as u64;
    let plan = plan(s, w, &inputs, seq);
    let echoed = w
        .inputs
        .iter()
        .filter_map(|d| {
            inputs
                .get(d.name.as_str())
                .map(|v| values::echoed(&d.name, d.ty, v))
        })
        .collect();
    let run = Run {
        id: run_id(s.vcd.opts.seed, s.opts.version, seq),
        wf,
        start: s.vcd.now(),
        start_wall: OffsetDateTime::now_utc(),
        started_by: user.to_string(),
        inputs: echoed,
        plan,
        canceled: None,
        answer: None,
    };
    let location = href(s, &run);
    let body = match s.opts.version {
        VroVersion::V7 => None,
        _ => Some(json!({
            "id": run.id,
            "state": run.view(s, run.start).state,
            "start-date": s.date(run.start_wall),
            "started-by": run.started_by,
            "running-instance-id": "vco-sim-0",
            "name": w.name,
            "current-item-for-display": "__item-undefined__",
        })),
    };
    s.runs().add(run);
    let mut resp = match body {
        Some(b) => json_response(StatusCode::ACCEPTED, &b),
        None => empty(StatusCode::ACCEPTED),
    };
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

pub fn get(s: &VroShared, id: &str, eid: &str) -> VroResult<Response> {
    let wf = find(s, id)?;
    let runs = s.runs();
    let run = runs.get(wf, eid)?;
    let v = run.view(s, s.vcd.now());
    let me = href(s, run);
    let logs = if s.opts.version == VroVersion::V7 {
        "logs"
    } else {
        "syslogs"
    };
    let mut out = json!({
        "relations": {"link": [
            {"href": format!("{}executions/", super::workflows::href(s, wf)), "rel": "up"},
            {"href": me, "rel": "remove"},
            {"href": format!("{me}{logs}/"), "rel": "logs"},
            {"href": format!("{me}state/"), "rel": "state"},
        ]},
        "id": run.id,
        "state": v.state,
        "name": s.catalogue.workflows[wf].name,
        "href": me,
        "start-date": s.date(run.start_wall),
        "started-by": run.started_by,
        "input-parameters": run.inputs,
        "output-parameters": v.outputs,
    });
    if let Some(took) = v.took {
        out["end-date"] = s.date(run.start_wall + took);
    }
    if let Some(e) = v.exception {
        out["content-exception"] = json!(e);
    }
    ok(out)
}

pub fn state(s: &VroShared, id: &str, eid: &str) -> VroResult<Response> {
    let wf = find(s, id)?;
    let runs = s.runs();
    let run = runs.get(wf, eid)?;
    ok(json!({"value": run.view(s, s.vcd.now()).state}))
}

pub fn cancel(s: &VroShared, id: &str, eid: &str) -> VroResult<Response> {
    let wf = find(s, id)?;
    let now = s.vcd.now();
    let mut runs = s.runs();
    let i = runs.get(wf, eid).map(|r| runs.by_id[&r.id])?;
    let state = runs.list[i].view(s, now).state;
    if !matches!(state, "running" | "waiting") {
        return Err(VroError::bad_request(format!(
            "Workflow execution '{eid}' cannot be canceled: it is {state}"
        )));
    }
    let run = &mut runs.list[i];
    let at = now.saturating_duration_since(run.start);
    run.canceled = Some(at);
    if let Plan::Task(t) = run.plan {
        let mut tasks = s.vcd.tasks();
        if !tasks.list[t].state(now).terminal() {
            tasks.list[t].canceled = Some(at);
        }
    }
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `GET …/executions`: this workflow's runs, newest first, paged by `maxResult`/`startIndex`.
pub fn list(s: &VroShared, r: &Req, id: &str) -> VroResult<Response> {
    let wf = find(s, id)?;
    let now = s.vcd.now();
    let runs = s.runs();
    let mine: Vec<&Run> = runs.of(wf).collect();
    let range = super::page(r, &mine)?;
    let me = super::workflows::href(s, wf);
    let mut links = vec![
        json!({"href": me, "rel": "up"}),
        json!({"href": format!("{me}executions/"), "rel": "add"}),
    ];
    for run in &mine[range] {
        let v = run.view(s, now);
        let mut attrs = vec![
            ("id", run.id.clone()),
            ("startDate", list_date(run.start_wall)),
        ];
        if let Some(took) = v.took {
            attrs.push(("endDate", list_date(run.start_wall + took)));
        }
        attrs.extend([
            ("startedBy", run.started_by.clone()),
            ("state", v.state.to_string()),
            ("name", s.catalogue.workflows[wf].name.clone()),
        ]);
        let mut link = down(href(s, run), &attrs);
        // The real list leaves `value` out of an empty currentItemDisplayName.
        if let Some(a) = link["attributes"].as_array_mut() {
            a.push(json!({"name": "currentItemDisplayName"}));
        }
        links.push(link);
    }
    let total = if s.opts.version == VroVersion::V9 {
        -1
    } else {
        mine.len() as i64
    };
    ok(json!({"relations": {"total": total, "link": links}}))
}

/// `2014-12-10T17:39:08.843Z`, the list's date form on every generation.
fn list_date(t: OffsetDateTime) -> String {
    let iso = super::iso(t);
    format!("{}Z", iso.trim_end_matches("+00:00"))
}
