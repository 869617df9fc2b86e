//! Issue 17: a vCD object's Events include its audit trail events
//! (`/cloudapi/1.0.0/auditTrail?filter=eventEntity.id==<urn>`) beside its task records: the
//! simulator serves them (seeded past events and every finished action, system administrator
//! only), the client merges them newest first without repeating a task, and a user who may not
//! read the audit trail keeps the task records with no error.

use std::time::Duration;

use crossterm::event::KeyCode;
use reqwest::StatusCode;
use serde_json::Value;
use vnav::api::Backend;
use vnav::api::model::*;
use vnav::api::vcd::events::urn_of;
use vnav::api::vcd::query::Paging;
use vnav::sim::{DEMO_USER, Sim};

use crate::sim_support::{Client, login, sim};
use crate::vcd_client::{all_vms, connected, opts, run_to_end};

async fn trail(c: &Client, query: &str, version: &str) -> (StatusCode, Value) {
    let r = c
        .http
        .get(format!("{}/cloudapi/1.0.0/auditTrail?{query}", c.base))
        .header("accept", format!("application/json;version={version}"))
        .bearer_auth(&c.token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn filter(urn: &str) -> String {
    format!(
        "filter={}",
        url::form_urlencoded::byte_serialize(format!("eventEntity.id=={urn}").as_bytes())
            .collect::<String>()
    )
}

/// A VM whose seeded history holds at least two events, with its URN.
async fn vm_with_history(s: &Sim, c: &Client) -> (Node, String) {
    let b = connected(s, DEMO_USER).await;
    let (vms, _, _) = all_vms(&b, Paging::FollowLinks).await;
    for vm in vms {
        let urn = urn_of(&vm).expect("a VM href names its URN");
        let (_, page) = trail(c, &filter(&urn), "39.0").await;
        if page["resultTotal"].as_u64().unwrap_or(0) >= 2 && vm.status.label == "POWERED_ON" {
            return (vm, urn);
        }
    }
    panic!("no powered-on VM with a seeded history");
}

#[tokio::test]
async fn the_simulator_pages_filters_and_keeps_the_trail_to_the_provider() {
    let s = sim(opts(60, 0.2, 0.0)).await;
    let admin = login(&s.vcd_url, DEMO_USER).await;
    let (vm, urn) = vm_with_history(&s, &admin).await;

    // The whole trail, pages of 5 from 1, newest first.
    let (status, first) = trail(&admin, "page=1&pageSize=5&sortDesc=timestamp", "39.0").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let total = first["resultTotal"].as_u64().unwrap();
    assert!(total > 5, "a fresh simulator has a history: {first}");
    assert_eq!(first["pageCount"].as_u64().unwrap(), total.div_ceil(5));
    assert_eq!(first["values"].as_array().unwrap().len(), 5);
    let times: Vec<&str> = first["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["timestamp"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    for v in first["values"].as_array().unwrap() {
        for key in ["eventId", "eventType", "eventStatus", "timestamp"] {
            assert!(v[key].is_string(), "{key} in {v}");
        }
        assert!(v["user"]["name"].is_string() && v["eventEntity"]["id"].is_string());
    }

    // One entity's events only; an action adds its outcome with the task's id.
    let (_, mine) = trail(&admin, &filter(&urn), "39.0").await;
    let before = mine["resultTotal"].as_u64().unwrap();
    assert!(
        mine["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["eventEntity"]["id"] == urn.as_str())
    );
    let b = connected(&s, DEMO_USER).await;
    run_to_end(&b, &vm, ActionId::PowerOff, ActionParams::None).await;
    let (_, after) = trail(
        &admin,
        &format!("{}&sortDesc=timestamp", filter(&urn)),
        "39.0",
    )
    .await;
    assert_eq!(after["resultTotal"].as_u64().unwrap(), before + 1);
    let newest = &after["values"][0];
    assert_eq!(newest["eventType"], "com/vmware/cloud/event/vm/power_off");
    assert_eq!(newest["eventStatus"], "SUCCESS");
    assert!(
        newest["taskId"]
            .as_str()
            .is_some_and(|t| t.starts_with("urn:vcloud:task:"))
    );

    // Bad paging is a 400; a tenant may not read it; API 32.0 has no such resource.
    let (status, _) = trail(&admin, "page=0", "39.0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let tenant = login(&s.vcd_url, "orgadmin@acme").await;
    let (status, _) = trail(&tenant, &filter(&urn), "39.0").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = trail(&admin, "", "32.0").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_vms_events_merge_its_audit_events_newest_first_without_repeating_its_tasks() {
    let s = sim(opts(60, 0.2, 0.0)).await;
    let admin = login(&s.vcd_url, DEMO_USER).await;
    let (vm, _) = vm_with_history(&s, &admin).await;
    let b = connected(&s, DEMO_USER).await;

    // The seeded history: audit events and past task records, merged.
    let seeded = b.events(&vm).await.expect("events");
    assert!(seeded.len() >= 4, "{seeded:?}");
    assert!(
        seeded.iter().filter(|e| e.text.contains("(audit)")).count() >= 2,
        "{seeded:?}"
    );
    assert!(
        seeded.iter().any(|e| !e.text.contains("(audit)")),
        "{seeded:?}"
    );
    for e in &seeded {
        assert!(e.time.is_some() && e.user.is_some(), "{e:?}");
    }

    run_to_end(&b, &vm, ActionId::PowerOff, ActionParams::None).await;
    let events = b.events(&vm).await.expect("events");
    // The task record comes first (newest); its audit event, which names the task, is not
    // shown a second time.
    assert_eq!(events[0].text, "Power off: success", "{events:?}");
    assert!(
        !events
            .iter()
            .any(|e| e.text.starts_with("Power off: success (audit)")),
        "{events:?}"
    );
    assert_eq!(events.len(), seeded.len() + 1, "{events:?}");
    let times: Vec<_> = events.iter().map(|e| e.time).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

#[tokio::test]
async fn a_tenant_keeps_its_task_records_without_audit_events_or_an_error() {
    let s = sim(opts(60, 0.2, 0.0)).await;
    let b = connected(&s, "orgadmin@acme").await;
    let (vms, _, _) = all_vms(&b, Paging::FollowLinks).await;
    let vm = vms
        .iter()
        .find(|n| n.status.label == "POWERED_ON")
        .expect("a powered-on VM")
        .clone();
    run_to_end(&b, &vm, ActionId::PowerOff, ActionParams::None).await;
    let events = b.events(&vm).await.expect("the task records, not an error");
    let texts: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
    // Its own task first, then the VM's seeded past tasks; no audit event.
    assert_eq!(texts[0], "Power off: success");
    assert!(texts.len() >= 3, "{texts:?}");
    assert!(texts.iter().all(|t| !t.contains("(audit)")), "{texts:?}");
    assert!(
        s.seen_at("GET", "/cloudapi/1.0.0/auditTrail") > 0,
        "the audit trail was asked, and refused"
    );
}

/// The detail pane of a VM opened with `:goto` shows its audit events in the Events section.
#[tokio::test]
async fn the_detail_pane_shows_audit_events_with_user_and_time() {
    let s = sim(opts(60, 0.2, 0.0)).await;
    let admin = login(&s.vcd_url, DEMO_USER).await;
    let (vm, _) = vm_with_history(&s, &admin).await;
    let (mut d, _audit, _dir) = crate::sim_support::vcd_app(&s, Default::default());
    let t = Duration::from_secs(30);
    assert!(d.until(t, |a| a.endpoints[0].info.is_some()).await);
    d.key(KeyCode::Char(':'));
    d.type_str(&format!("goto {}", vm.name));
    d.key(KeyCode::Enter);
    let shown = d
        .until(t, |a| match &a.detail.state {
            vnav::app::DetailState::Loaded(det) => det.sections.iter().any(|s| {
                s.title == "Events" && s.table.as_ref().is_some_and(|tb| !tb.rows.is_empty())
            }),
            _ => false,
        })
        .await;
    let buf = d.render(160, 140);
    let text = vnav::runtime::driver::screen_text(&buf);
    assert!(shown, "{text}");
    assert!(text.contains("(audit)"), "{text}");
    d.shutdown().await;
}
