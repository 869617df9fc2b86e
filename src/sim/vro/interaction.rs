//! The user interaction of a run that waits for a person (vRO's "Workflow Run Service"):
//! `GET …/executions/{eid}/interaction` says what it asks (`parameter[]`, `assignee[]`,
//! `state` WAITING or FINISHED) and `POST` on the same path with an `execution-context` body
//! answers it (204), after which the run goes on running and completes with the answer in its
//! outputs and logs. Answers are checked like a run's inputs (400 with the error body); a run
//! that is not waiting answers 409.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use tokio::time::Duration;

use super::catalogue::interaction;
use super::executions::{Answer, End, Plan, Run, checked, href};
use super::values::{self, as_bool, as_str, boolean, string};
use super::workflows::find;
use super::{Req, VroError, VroResult, VroShared, empty, ok};

/// Groups the interaction is assigned to, as the server names them.
const ASSIGNEES: &[&str] = &["vcoadmins", "change-managers"];

/// Whether the run stops for a person at all.
fn asks(run: &Run) -> bool {
    matches!(run.plan, Plan::Timed { end: End::Wait, .. })
}

pub fn get(s: &VroShared, id: &str, eid: &str) -> VroResult<Response> {
    let wf = find(s, id)?;
    let runs = s.runs();
    let run = runs.get(wf, eid)?;
    let state = run.view(s, s.vcd.now()).state;
    // Before it reaches the interaction there is none to read.
    if !asks(run) || (state == "running" && run.answer.is_none()) {
        return Err(VroError::not_found(format!(
            "Workflow execution '{eid}' has no user interaction"
        )));
    }
    let parameters: Vec<Value> = interaction()
        .iter()
        .map(|p| {
            let mut v = json!({"name": p.name, "type": p.ty, "description": p.description});
            if let Some(d) = &p.default {
                v["value"] = d.clone();
            }
            v
        })
        .collect();
    let assignees: Vec<Value> = ASSIGNEES.iter().map(|a| json!(a)).collect();
    ok(json!({
        "name": format!("Approve {}", s.catalogue.workflows[wf].name.to_lowercase()),
        "href": format!("{}interaction/", href(s, run)),
        "state": if state == "waiting" { "WAITING" } else { "FINISHED" },
        "assignee": assignees,
        "parameter": parameters,
    }))
}

pub fn answer(s: &VroShared, r: &Req, id: &str, eid: &str, user: &str) -> VroResult<Response> {
    let wf = find(s, id)?;
    let now = s.vcd.now();
    let body: Value = serde_json::from_slice(r.body)
        .map_err(|e| VroError::bad_request(format!("Malformed request body: {e}")))?;
    let declared = interaction();
    let given = checked(&declared, &body, "User interaction parameter")?;
    let mut runs = s.runs();
    let i = runs.index(wf, eid)?;
    let run = &runs.list[i];
    let state = run.view(s, now).state;
    if !asks(run) || state != "waiting" {
        return Err(VroError::new(
            StatusCode::CONFLICT,
            format!(
                "Workflow execution '{eid}' is not waiting for user interaction: it is {state}"
            ),
        ));
    }
    let approved = given.get("approved").and_then(|v| as_bool(v)) == Some(true);
    let comment = given
        .get("comment")
        .and_then(|v| as_str(v))
        .unwrap_or("")
        .to_string();
    let outputs = s.catalogue.workflows[wf]
        .outputs
        .iter()
        .map(|o| {
            let v = match o.name.as_str() {
                "approvedBy" => string(user),
                "approved" => boolean(approved),
                "comment" => string(&comment),
                _ => string("SUCCESSFUL"),
            };
            values::echoed(&o.name, o.ty, &v)
        })
        .collect();
    let echoed = declared
        .iter()
        .filter_map(|d| {
            given
                .get(d.name.as_str())
                .map(|v| values::echoed(&d.name, d.ty, v))
        })
        .collect();
    // It records the answer and goes on for half a task's time.
    let resume = Duration::from_secs_f64(s.vcd.opts.task_seconds.clamp(0.0, 1e6)) / 2;
    let run = &mut runs.list[i];
    let at = now.saturating_duration_since(run.start);
    run.answer = Some(Answer {
        by: user.to_string(),
        at,
        done: at + resume,
        outputs,
        given: echoed,
    });
    Ok(empty(StatusCode::NO_CONTENT))
}
