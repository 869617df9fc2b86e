//! A run's log, newest entry first: `…/executions/{eid}/syslogs` on 8 and 9 (ISO time stamps
//! plus `time-stamp-val` and `origin`), `…/executions/{eid}/logs` on 7 (epoch-ms time stamps).

use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::time::Duration;

use super::executions::Run;
use super::workflows::find;
use super::{VroResult, VroShared, ok};

fn entry(
    s: &VroShared,
    run: &Run,
    syslog: bool,
    (at, severity, short, long): (OffsetDateTime, &str, String, String),
) -> Value {
    let ms = (at.unix_timestamp_nanos() / 1_000_000) as i64;
    let mut e = json!({
        "severity": severity,
        "time-stamp": if syslog { s.date(at) } else { json!(ms) },
        "user": run.started_by,
        "short-description": short,
        "long-description": long,
    });
    if syslog {
        e["origin"] = json!("server");
        e["time-stamp-val"] = json!(ms);
    }
    json!({"entry": e})
}

pub fn get(s: &VroShared, id: &str, eid: &str, syslog: bool) -> VroResult<Response> {
    let wf = find(s, id)?;
    let name = &s.catalogue.workflows[wf].name;
    let runs = s.runs();
    let run = runs.get(wf, eid)?;
    let now = s.vcd.now();
    let v = run.view(s, now);
    let t0 = run.start_wall;
    let so_far = now.saturating_duration_since(run.start);
    let ms = Duration::from_millis;
    let mut lines = vec![(
        t0,
        "info",
        format!("Workflow '{name}' has started"),
        format!("Workflow '{name}' has started"),
    )];
    lines.push((
        t0 + ms(40).min(so_far),
        "info",
        "Running item: Scriptable task".to_string(),
        format!("Workflow '{name}' is running item 'Scriptable task' (item1)"),
    ));
    if let (Some(a), super::executions::Plan::Timed { duration, .. }) = (&run.answer, &run.plan) {
        lines.push((
            t0 + *duration,
            "info",
            "Workflow is waiting for user interaction".to_string(),
            format!("Workflow '{name}' has paused while waiting for user interaction"),
        ));
        let given: Vec<String> = a
            .given
            .iter()
            .map(|p| {
                let value = p["value"]
                    .as_object()
                    .and_then(|o| o.values().next())
                    .map(|w| w["value"].to_string())
                    .unwrap_or_default();
                format!("{} = {value}", p["name"].as_str().unwrap_or(""))
            })
            .collect();
        lines.push((
            t0 + a.at,
            "info",
            format!("User interaction answered by {}", a.by),
            format!(
                "User interaction of '{name}' answered by {}: {}",
                a.by,
                given.join(", ")
            ),
        ));
    }
    let end = t0 + v.took.unwrap_or(so_far);
    match v.state {
        "completed" => lines.push((
            end,
            "info",
            format!("Workflow '{name}' has completed"),
            format!("Workflow '{name}' has completed"),
        )),
        "failed" => lines.push((
            end,
            "error",
            format!("Workflow '{name}' has failed"),
            v.exception.clone().unwrap_or_default(),
        )),
        "canceled" => lines.push((
            end,
            "warning",
            format!("Workflow '{name}' has been canceled"),
            format!("Workflow '{name}' has been canceled by {}", run.started_by),
        )),
        "waiting" => lines.push((
            end,
            "info",
            "Workflow is waiting for user interaction".to_string(),
            format!("Workflow '{name}' has paused while waiting for user interaction"),
        )),
        _ => {}
    }
    let logs: Vec<Value> = lines
        .into_iter()
        .rev()
        .map(|l| entry(s, run, syslog, l))
        .collect();
    ok(json!({"logs": logs}))
}
