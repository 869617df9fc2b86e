//! Orchestrator runs: each way a run ends (completed with outputs, failed with its
//! content-exception, canceled, waiting for user interaction), input validation 400s, the 7.x
//! dialect (epoch dates, `/logs`, empty 202), and the power-off workflow seen from vCenter and
//! vCD.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::{Power, uuid_str};
use vnav::sim::{DEMO_USER, Sim, VroVersion};

use crate::sim_support::{login, root_attr};
use crate::sim_vcenter_support::{D, vc_login};
use crate::sim_vro_support::*;

fn wf(s: &Sim, name: &str) -> String {
    s.vro_workflow_id(name).unwrap()
}

fn vm_param(moid: &str) -> Value {
    param(
        "vm",
        "VC:VirtualMachine",
        json!({"sdk-object": {"type": "VC:VirtualMachine", "id": moid}}),
    )
}

/// The run at `href`, polled with `Accept: */*` like real clients do.
async fn run_doc(c: &Vro, href: &str) -> Value {
    let (st, _, v) = c.send(Method::GET, href, None, "*/*").await;
    assert_eq!(st, StatusCode::OK, "{href}: {v}");
    v
}

/// The first powered-on VM of the world the test simulator builds (100 VMs, seed 42).
fn powered_on_vm() -> (u32, String, String) {
    let w = vnav::sim::generate::generate(100, 42);
    let v = w.vms.iter().position(|v| v.power == Power::On).unwrap() as u32;
    (v, vm_moid(&w, v), uuid_str(w.vms[v as usize].id))
}

#[tokio::test]
async fn a_run_completes_with_outputs_and_its_href_location_and_logs_agree() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let id = wf(&s, "Extend disk");
    let (_, moid, _) = powered_on_vm();
    let before = c.ok(&format!("/workflows/{id}/executions")).await["relations"]["total"]
        .as_i64()
        .unwrap();
    // POST with a trailing slash, as some clients send it.
    let (st, h, started) = c
        .send(
            Method::POST,
            &format!("/workflows/{id}/executions/"),
            Some(json!({"parameters": [
                vm_param(&moid),
                param("growGb", "number", json!({"number": {"value": 20}})),
            ]})),
            "application/json",
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{started}");
    let location = h["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(&s.vro_url), "absolute: {location}");
    assert!(location.ends_with('/'), "{location}");
    assert_eq!(started["state"], "running");
    assert!(started["start-date"].as_str().unwrap().ends_with("+00:00"));
    let eid = started["id"].as_str().unwrap().to_string();
    assert!(location.ends_with(&format!("/executions/{eid}/")));
    assert_eq!(s.vro_executions(), 1);
    let v = run_doc(&c, &location).await;
    assert_eq!(v["state"], "running");
    assert!(v.get("end-date").is_none());
    s.advance(Duration::from_secs(31));
    let v = run_doc(&c, &location).await;
    assert_eq!(v["state"], "completed", "{v}");
    assert_eq!(v["href"], location.as_str());
    assert_eq!(v["started-by"], s.vro_user());
    assert!(v["end-date"].is_string());
    assert!(v.get("content-exception").is_none());
    let outputs = v["output-parameters"].as_array().unwrap();
    let capacity = outputs
        .iter()
        .find(|o| o["name"] == "newCapacityGb")
        .unwrap();
    assert_eq!(capacity["type"], "number");
    assert!(capacity["value"]["number"]["value"].as_f64().unwrap() >= 20.0);
    let inputs = v["input-parameters"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    assert!(inputs.iter().all(|i| i["scope"] == "local"));
    let state = c.ok(&format!("{location}state")).await;
    assert_eq!(state, json!({"value": "completed"}));
    let logs = c.ok(&format!("{location}syslogs")).await;
    let entries = logs["logs"].as_array().unwrap();
    assert!(entries.len() >= 3);
    assert!(
        entries[0]["entry"]["short-description"]
            .as_str()
            .unwrap()
            .contains("completed")
    );
    assert_eq!(
        c.get(&format!("{location}logs")).await.0,
        StatusCode::NOT_FOUND
    );
    // The workflow's recent runs list it, newest first.
    let list = c.ok(&format!("/workflows/{id}/executions")).await;
    assert_eq!(list["relations"]["total"], before + 1);
    let runs = downs(&list);
    assert_eq!(attr(&runs[0], "id").as_deref(), Some(eid.as_str()));
    assert_eq!(attr(&runs[0], "state").as_deref(), Some("completed"));
    assert_eq!(runs[0]["href"], location.as_str());
}

#[tokio::test]
async fn a_failing_run_reports_its_content_exception_and_never_echoes_the_secret() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_bearer_8(&s).await;
    let secret = "s3cr3t-Pa55";
    let location = c
        .started(
            &wf(&s, "Rotate certificate"),
            json!([
                param("hostname", "string", string("esx-01.sim.local")),
                param(
                    "adminPassword",
                    "SecureString",
                    json!({"secure-string": {"value": secret}})
                ),
                param(
                    "subjectAltNames",
                    "Array/string",
                    json!({"array": {"elements": [string("esx-01")]}})
                ),
            ]),
        )
        .await;
    s.advance(Duration::from_secs(31));
    let (_, _, v) = c.send(Method::GET, &location, None, "*/*").await;
    assert_eq!(v["state"], "failed");
    let e = v["content-exception"].as_str().unwrap();
    assert!(
        e.contains("Rotate certificate") && e.contains("esx-01.sim.local"),
        "{e}"
    );
    assert!(v["end-date"].is_string());
    assert!(!v.to_string().contains(secret), "{v}");
    let logs = c.ok(&format!("{location}syslogs")).await;
    assert_eq!(logs["logs"][0]["entry"]["severity"], "error");
    assert!(!logs.to_string().contains(secret));
    assert_eq!(c.ok(&format!("{location}state")).await["value"], "failed");
}

#[tokio::test]
async fn a_slow_run_is_canceled_and_cannot_be_canceled_twice() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let (_, moid, _) = powered_on_vm();
    let location = c
        .started(&wf(&s, "Apply guest OS patches"), json!([vm_param(&moid)]))
        .await;
    s.advance(Duration::from_secs(60));
    assert_eq!(c.ok(&location).await["state"], "running");
    let (st, _, _) = c
        .send(Method::DELETE, &format!("{location}state"), None, "*/*")
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let v = c.ok(&location).await;
    assert_eq!(v["state"], "canceled");
    assert!(v["end-date"].is_string());
    s.advance(Duration::from_secs(3600));
    assert_eq!(c.ok(&format!("{location}state")).await["value"], "canceled");
    let (st, _, v) = c
        .send(Method::DELETE, &format!("{location}state"), None, "*/*")
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_error(&v, 400);
}

#[tokio::test]
async fn a_run_waits_for_user_interaction_until_canceled() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let location = c
        .started(
            &wf(&s, "Request maintenance window"),
            json!([
                param("start", "Date", json!({"date": {"value": "2026-12-24T22:00:00.000Z"}})),
                param("reason", "string", string("kernel patching")),
                param(
                    "tags",
                    "Properties",
                    json!({"properties": {"property": [{"key": "ticket", "value": string("CHG-1")}]}})
                ),
            ]),
        )
        .await;
    s.advance(Duration::from_secs(16));
    assert_eq!(c.ok(&format!("{location}state")).await["value"], "waiting");
    s.advance(Duration::from_secs(24 * 3600));
    let v = c.ok(&location).await;
    assert_eq!(v["state"], "waiting");
    assert!(v.get("end-date").is_none());
    let logs = c.ok(&format!("{location}syslogs")).await;
    assert!(
        logs["logs"][0]["entry"]["short-description"]
            .as_str()
            .unwrap()
            .contains("waiting for user interaction")
    );
    let (st, _, _) = c
        .send(Method::DELETE, &format!("{location}state"), None, "*/*")
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(c.ok(&location).await["state"], "canceled");
}

#[tokio::test]
async fn inputs_are_validated_like_the_real_server() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let rotate = wf(&s, "Rotate certificate");
    let pw = param(
        "adminPassword",
        "SecureString",
        json!({"secure-string": {"value": "x"}}),
    );
    let cases = [
        ("missing mandatory", json!([pw.clone()])),
        (
            "empty mandatory",
            json!([param("hostname", "string", string("")), pw.clone()]),
        ),
        (
            "null mandatory",
            json!([param("hostname", "string", Value::Null), pw.clone()]),
        ),
        (
            "wrong wrapper",
            json!([
                param("hostname", "string", json!({"number": {"value": 1}})),
                pw.clone()
            ]),
        ),
        (
            "wrong declared type",
            json!([
                param("hostname", "number", json!({"number": {"value": 1}})),
                pw.clone()
            ]),
        ),
        (
            "not a number",
            json!([
                param("hostname", "string", string("h")),
                pw.clone(),
                param(
                    "validityDays",
                    "number",
                    json!({"number": {"value": "many"}})
                ),
            ]),
        ),
        (
            "array of the wrong type",
            json!([
                param("hostname", "string", string("h")),
                pw.clone(),
                param(
                    "subjectAltNames",
                    "Array/string",
                    json!({"array": {"elements": [{"boolean": {"value": true}}]}})
                ),
            ]),
        ),
    ];
    for (what, params) in cases {
        let (st, location, v) = c.run(&rotate, params).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{what}: {v}");
        assert_error(&v, 400);
        assert!(location.is_none());
    }
    let window = wf(&s, "Request maintenance window");
    let (st, _, v) = c
        .run(
            &window,
            json!([
                param("start", "Date", json!({"date": {"value": "next tuesday"}})),
                param("reason", "string", string("r")),
            ]),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    let (st, _, v) = c
        .run(
            &wf(&s, "Power off virtual machine"),
            json!([param(
                "vm",
                "VC:VirtualMachine",
                json!({"sdk-object": {"type": "vCloud:VApp", "id": "x"}})
            )]),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    let (st, _, v) = c
        .send(
            Method::POST,
            &format!("/workflows/{rotate}/executions"),
            None,
            "application/json",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "no body: {v}");
    let r = c
        .http
        .post(format!(
            "{}/vco/api/workflows/{rotate}/executions",
            s.vro_url
        ))
        .header("authorization", &c.auth)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (st, _, v) = c.run("no-such-workflow", json!([])).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, 404);
    assert_eq!(s.vro_executions(), 0, "no rejected run was started");
    // A null optional input is an unset one.
    let location = c
        .started(
            &rotate,
            json!([
                param("hostname", "string", string("h")),
                pw.clone(),
                param("subjectAltNames", "Array/string", Value::Null),
            ]),
        )
        .await;
    let names: Vec<Value> = c.ok(&location).await["input-parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, [json!("hostname"), json!("adminPassword")]);
    // An SDK object that does not exist is accepted, and the run fails on it.
    let location = c
        .started(
            &wf(&s, "Power off virtual machine"),
            json!([vm_param("vm-999999")]),
        )
        .await;
    let v = c.ok(&location).await;
    assert_eq!(v["state"], "failed");
    assert!(
        v["content-exception"]
            .as_str()
            .unwrap()
            .contains("vm-999999")
    );
}

#[tokio::test]
async fn the_power_off_workflow_powers_the_vm_off_in_vcenter_and_vcd() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let (_, moid, uuid) = powered_on_vm();
    let vc = vc_login(&s.vcenter_url, D::Api).await;
    let vcd = login(&s.vcd_url, DEMO_USER).await;
    let vc_power = async || vc.value(&format!("/vcenter/vm/{moid}/power")).await["state"].clone();
    let vcd_status =
        async || root_attr(&vcd.doc(&format!("/api/vApp/vm-{uuid}")).await, "status").unwrap();
    assert_eq!(vc_power().await, "POWERED_ON");
    let power_off = wf(&s, "Power off virtual machine");
    // vRO names vCenter VMs `<vcenter>/<moid>`; the moid after the last slash is what counts.
    let location = c
        .started(
            &power_off,
            json!([vm_param(&format!("vcenter.sim.local/{moid}"))]),
        )
        .await;
    assert_eq!(c.ok(&location).await["state"], "running");
    assert_eq!(vc_power().await, "POWERED_ON", "not before the run ends");
    s.advance(Duration::from_secs(31));
    assert_eq!(vc_power().await, "POWERED_OFF");
    assert_eq!(vcd_status().await, "8");
    assert_eq!(c.ok(&location).await["state"], "completed");
    // Again: the VM is already off, so this run fails the way the real workflow does.
    let again = c.started(&power_off, json!([vm_param(&moid)])).await;
    let v = c.ok(&again).await;
    assert_eq!(v["state"], "failed");
    assert!(
        v["content-exception"]
            .as_str()
            .unwrap()
            .contains("not powered on"),
        "{v}"
    );
}

#[tokio::test]
async fn version_7_answers_an_empty_202_epoch_dates_and_logs() {
    let s = vro_sim(VroVersion::V7).await;
    let c = vro_basic(&s);
    let (st, location, body) = c
        .run(
            &wf(&s, "Get virtual machines by name"),
            json!([param("criteria", "string", string("-"))]),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert!(body.is_null(), "{body}");
    let location = location.unwrap();
    let eid = location.trim_end_matches('/').rsplit('/').next().unwrap();
    assert_eq!(eid.len(), 32, "7.x ids are 32 hex digits: {eid}");
    s.advance(Duration::from_secs(31));
    let v = c.ok(&location).await;
    assert_eq!(v["state"], "completed");
    assert!(v["start-date"].is_i64() && v["end-date"].is_i64(), "{v}");
    let vms = &v["output-parameters"][0];
    assert_eq!(vms["type"], "Array/VC:VirtualMachine");
    assert!(
        !vms["value"]["array"]["elements"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let logs = c.ok(&format!("{location}logs")).await;
    assert!(logs["logs"][0]["entry"]["time-stamp"].is_i64());
    assert_eq!(
        c.get(&format!("{location}syslogs")).await.0,
        StatusCode::NOT_FOUND
    );
}

/// Start dates of the `down` links of a run list.
fn start_dates(list: &Value) -> Vec<String> {
    downs(list)
        .iter()
        .map(|l| attr(l, "startDate").unwrap())
        .collect()
}

#[tokio::test]
async fn workflows_start_with_past_runs_newest_first_and_paged() {
    for version in [VroVersion::V8, VroVersion::V9] {
        let s = vro_sim(version).await;
        let c = if version == VroVersion::V9 {
            vro_bearer_9(&s).await
        } else {
            vro_basic(&s)
        };
        assert_eq!(s.vro_executions(), 0, "past runs are not client runs");
        let all = downs(&c.ok("/workflows").await);
        let mut with_runs = 0;
        let mut longest = (0, String::new());
        for l in &all {
            let id = attr(l, "id").unwrap();
            let list = c.ok(&format!("/workflows/{id}/executions")).await;
            let runs = downs(&list);
            let total = list["relations"]["total"].as_i64().unwrap();
            let want = if version == VroVersion::V9 {
                -1
            } else {
                runs.len() as i64
            };
            assert_eq!(total, want);
            if !runs.is_empty() {
                with_runs += 1;
            }
            if runs.len() > longest.0 {
                longest = (runs.len(), id.clone());
            }
            for r in &runs {
                let state = attr(r, "state").unwrap();
                assert!(matches!(state.as_str(), "completed" | "failed"), "{state}");
                assert!(attr(r, "endDate").is_some());
            }
            let mut sorted = start_dates(&list);
            sorted.sort();
            sorted.reverse();
            assert_eq!(start_dates(&list), sorted, "newest first");
        }
        assert!(
            with_runs > 5 && with_runs < all.len(),
            "{with_runs} of {}",
            all.len()
        );
        // Paging one run at a time gives the same list.
        let (n, id) = longest;
        assert!(n >= 2);
        let whole = start_dates(&c.ok(&format!("/workflows/{id}/executions")).await);
        let mut paged = vec![];
        for i in 0..n + 1 {
            let page = c
                .ok(&format!(
                    "/workflows/{id}/executions?maxResult=1&startIndex={i}"
                ))
                .await;
            paged.extend(start_dates(&page));
        }
        assert_eq!(paged, whole);
        // A past run reads like any run.
        let list = c.ok(&format!("/workflows/{id}/executions")).await;
        let href = downs(&list)[0]["href"].as_str().unwrap().to_string();
        let run = c.ok(&href).await;
        assert_eq!(run["href"], href.as_str());
        assert!(run["input-parameters"].is_array());
    }
}

#[tokio::test]
async fn the_failure_rate_fails_runbook_runs_with_a_content_exception() {
    for (rate, want) in [(0.0, "completed"), (1.0, "failed")] {
        let s = vro_sim_with(
            vnav::sim::SimOptions {
                fail_rate: rate,
                ..vnav::sim::SimOptions::default()
            },
            vnav::sim::VroOptions::default(),
        )
        .await;
        let c = vro_basic(&s);
        let backups = c.ok("/workflows?conditions=name~Backup").await;
        let id = attr(&downs(&backups)[0], "id").unwrap();
        let location = c.started(&id, json!([])).await;
        s.advance(Duration::from_secs(31));
        let v = c.ok(&location).await;
        assert_eq!(v["state"], want, "{v}");
        if rate > 0.0 {
            assert!(v["content-exception"].as_str().unwrap().contains("Backup"));
            assert_eq!(v["output-parameters"], json!([]));
        } else {
            let outputs = v["output-parameters"].as_array().unwrap();
            assert!(outputs.iter().any(|o| o["name"] == "result"));
        }
    }
}

/// A run whose answer was lost still ran: a client recovers it from the workflow's recent runs.
#[tokio::test]
async fn a_dropped_start_still_starts_the_run() {
    let s = vro_sim(VroVersion::V8).await;
    let c = vro_basic(&s);
    let id = wf(&s, "Request maintenance window");
    let before = downs(&c.ok(&format!("/workflows/{id}/executions")).await).len();
    s.set_faults(vnav::sim::Faults {
        drop_rate: 1.0,
        ..vnav::sim::Faults::default()
    });
    let sent = c
        .http
        .post(format!("{}/vco/api/workflows/{id}/executions", s.vro_url))
        .header("authorization", &c.auth)
        .json(&json!({"parameters": [
            param("start", "Date", json!({"date": {"value": "2026-12-24T22:00:00.000Z"}})),
            param("reason", "string", string("lost answer")),
        ]}))
        .send()
        .await;
    let outcome = match sent {
        Ok(r) => r.text().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "the connection must break mid-body");
    assert_eq!(s.fault_counts().dropped, 1);
    s.set_faults(vnav::sim::Faults::default());
    assert_eq!(s.vro_executions(), 1);
    let runs = downs(&c.ok(&format!("/workflows/{id}/executions")).await);
    assert_eq!(runs.len(), before + 1);
    let newest = c.ok(runs[0]["href"].as_str().unwrap()).await;
    assert_eq!(
        newest["input-parameters"][1]["value"],
        string("lost answer")
    );
}
