//! The simulated Orchestrator's user interaction: a run waiting for a person says what it asks
//! (`GET …/interaction`), refuses a wrong or missing answer with the error body (400), takes a
//! good one (204), runs on and completes with the answer in its outputs and logs; a run that is
//! not waiting answers 409, one that never asks 404.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnav::sim::{Sim, VroVersion};

use crate::sim_vro_support::*;

/// A "Request maintenance window" run just started for `reason`; returns its href.
async fn started_window(s: &Sim, c: &Vro, reason: &str) -> String {
    let wf = s.vro_workflow_id("Request maintenance window").unwrap();
    c.started(
        &wf,
        json!([
            param(
                "start",
                "Date",
                json!({"date": {"value": "2026-12-24T22:00:00.000Z"}})
            ),
            param("reason", "string", string(reason)),
        ]),
    )
    .await
}

/// A started "Request maintenance window" run, moved on until it waits; returns its href.
async fn waiting_run(s: &Sim, c: &Vro) -> String {
    let location = started_window(s, c, "kernel patching").await;
    s.advance(Duration::from_secs(16));
    assert_eq!(c.ok(&location).await["state"], "waiting");
    location
}

async fn answer(c: &Vro, location: &str, parameters: Value) -> (StatusCode, Value) {
    let (st, _, v) = c
        .send(
            Method::POST,
            &format!("{location}interaction"),
            Some(json!({"parameters": parameters})),
            "application/json",
        )
        .await;
    (st, v)
}

fn approved(v: bool) -> Value {
    param("approved", "boolean", json!({"boolean": {"value": v}}))
}

#[tokio::test]
async fn a_waiting_run_is_answered_and_completes_with_the_answer() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let location = waiting_run(&s, &c).await;
    let ui = c.ok(&format!("{location}interaction/")).await;
    assert_eq!(ui["state"], "WAITING");
    assert_eq!(ui["href"], format!("{location}interaction/"));
    assert!(!ui["assignee"].as_array().unwrap().is_empty());
    let names: Vec<&str> = ui["parameter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["approved", "comment"]);
    assert_eq!(ui["parameter"][0]["type"], "boolean");
    assert_eq!(ui["parameter"][1]["value"], string(""));

    let (st, v) = answer(
        &c,
        &location,
        json!([
            approved(true),
            param("comment", "string", string("go ahead"))
        ]),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    assert_eq!(c.ok(&format!("{location}state")).await["value"], "running");
    assert_eq!(
        c.ok(&format!("{location}interaction/")).await["state"],
        "FINISHED"
    );
    s.advance(Duration::from_secs(16));
    let done = c.ok(&location).await;
    assert_eq!(done["state"], "completed", "{done}");
    assert!(done.get("end-date").is_some());
    let out = |name: &str| {
        done["output-parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .map(|o| o["value"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(out("approved"), json!({"boolean": {"value": true}}));
    assert_eq!(out("comment"), string("go ahead"));
    assert_eq!(out("approvedBy"), string(s.vro_user()));
    let logs = c.ok(&format!("{location}syslogs")).await.to_string();
    assert!(logs.contains("answered by"), "{logs}");
    assert!(logs.contains("go ahead"), "{logs}");

    // Answered once: a second answer is refused.
    let (st, v) = answer(&c, &location, json!([approved(false)])).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_error(&v, 409);
}

#[tokio::test]
async fn a_wrong_or_missing_answer_is_refused_and_the_run_keeps_waiting() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let location = waiting_run(&s, &c).await;
    let cases = [
        (
            "missing mandatory",
            json!([param("comment", "string", string("x"))]),
        ),
        (
            "wrong type",
            json!([param("approved", "string", string("yes"))]),
        ),
        (
            "wrong wrapper",
            json!([param("approved", "boolean", string("yes"))]),
        ),
    ];
    for (what, parameters) in cases {
        let (st, v) = answer(&c, &location, parameters).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{what}: {v}");
        assert_error(&v, 400);
        assert!(
            v["message"].as_str().unwrap().contains("approved"),
            "{what}: {v}"
        );
    }
    assert_eq!(c.ok(&location).await["state"], "waiting");
    // A rejection is an answer too: it completes, saying so.
    let (st, _) = answer(&c, &location, json!([approved(false)])).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    s.advance(Duration::from_secs(16));
    let done = c.ok(&location).await;
    assert_eq!(done["state"], "completed");
    assert!(done.to_string().contains(r#"{"boolean":{"value":false}}"#));
}

#[tokio::test]
async fn only_a_waiting_run_has_an_interaction_to_answer() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    // Still running towards its interaction: none yet.
    let location = started_window(&s, &c, "early").await;
    let (st, v) = c.get(&format!("{location}interaction")).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let (st, v) = answer(&c, &location, json!([approved(true)])).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    // Canceled while waiting: nothing to answer any more.
    s.advance(Duration::from_secs(16));
    let (st, _, _) = c
        .send(Method::DELETE, &format!("{location}state"), None, "*/*")
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = answer(&c, &location, json!([approved(true)])).await;
    assert_eq!(st, StatusCode::CONFLICT);
    // A workflow that never asks has no interaction.
    let fail = s.vro_workflow_id("Rotate certificate").unwrap();
    let location = c
        .started(
            &fail,
            json!([
                param("hostname", "string", string("esx-01")),
                param(
                    "adminPassword",
                    "SecureString",
                    json!({"secure-string": {"value": "x"}})
                ),
            ]),
        )
        .await;
    s.advance(Duration::from_secs(60));
    let (st, v) = c.get(&format!("{location}interaction")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, 404);
}
