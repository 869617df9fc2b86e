//! vCenter power and guest operations in the simulator: state changes shared with vCD, wrong
//! states, Tools-only guest services, busy VMs, and injected faults in vCenter's dialects.

use reqwest::StatusCode;
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::{Power, Tools, World};
use vnav::sim::{DEMO_USER, Faults, VcenterVersion};

use crate::sim_support::{attr, login, tags};
use crate::sim_vcenter_support::*;

/// First VM index with this power state and Tools condition.
fn pick(w: &World, power: Power, tools: impl Fn(Tools) -> bool) -> u32 {
    w.vms
        .iter()
        .position(|v| v.power == power && tools(v.tools))
        .expect("such a VM in the world") as u32
}

async fn vcd_status(s: &vnav::sim::Sim, name: &str) -> String {
    let c = login(&s.vcd_url, DEMO_USER).await;
    let doc = c
        .doc(&format!("/api/query?type=vm&filter=name=={name}"))
        .await;
    attr(tags(&doc, "VMRecord")[0], "status").unwrap()
}

#[tokio::test]
async fn power_actions_change_the_shared_vm() {
    let s = vc_sim(VcenterVersion::V8_0, 300, None).await;
    let w = vnav::sim::generate::generate(300, 42);
    let v = pick(&w, Power::On, |_| true);
    let vm = vm_moid(&w, v);
    let name = &w.vms[v as usize].name;
    let api = vc_login(&s.vcenter_url, D::Api).await;
    let rest = vc_login(&s.vcenter_url, D::Rest).await;
    // Already on.
    let (st, body) = api
        .post(&format!("/vcenter/vm/{vm}/power?action=start"), None)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error_type"], "ALREADY_IN_DESIRED_STATE");
    let (st, body) = rest
        .post(&format!("/vcenter/vm/{vm}/power/start"), None)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["type"],
        "com.vmware.vapi.std.errors.already_in_desired_state"
    );
    // Stop through /api (204), seen by vCD and by /rest.
    let (st, body) = api
        .post(&format!("/vcenter/vm/{vm}/power?action=stop"), None)
        .await;
    assert_eq!(
        (st, body),
        (StatusCode::NO_CONTENT, serde_json::Value::Null)
    );
    assert_eq!(vcd_status(&s, name).await, "POWERED_OFF");
    assert_eq!(
        rest.value(&format!("/vcenter/vm/{vm}/power")).await["state"],
        "POWERED_OFF"
    );
    // Off: suspend and reset are not allowed, stop is already done.
    for (op, kind) in [
        ("suspend", "not_allowed_in_current_state"),
        ("reset", "not_allowed_in_current_state"),
        ("stop", "already_in_desired_state"),
    ] {
        let (st, body) = rest
            .post(&format!("/vcenter/vm/{vm}/power/{op}"), None)
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{op}");
        assert_eq!(error_kind(&body), kind, "{op}");
    }
    // Start through /rest (200, no body), suspend, start again.
    let (st, body) = rest
        .post(&format!("/vcenter/vm/{vm}/power/start"), None)
        .await;
    assert_eq!((st, body), (StatusCode::OK, serde_json::Value::Null));
    assert_eq!(vcd_status(&s, name).await, "POWERED_ON");
    let (st, _) = api
        .post(&format!("/vcenter/vm/{vm}/power?action=suspend"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(vcd_status(&s, name).await, "SUSPENDED");
    let (st, _) = api
        .post(&format!("/vcenter/vm/{vm}/power?action=start"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = api
        .post(&format!("/vcenter/vm/{vm}/power?action=reset"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    // Unknown VM and unknown action.
    let (st, body) = api.post("/vcenter/vm/vm-7/power?action=start", None).await;
    assert_eq!(
        (st, error_kind(&body).as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (st, _) = api
        .post(&format!("/vcenter/vm/{vm}/power?action=explode"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn guest_services_need_running_tools() {
    let s = vc_sim(VcenterVersion::V8_0, 600, None).await;
    let w = vnav::sim::generate::generate(600, 42);
    let with = vm_moid(&w, pick(&w, Power::On, |t| t == Tools::Ok));
    let without = vm_moid(&w, pick(&w, Power::On, |t| t == Tools::NotInstalled));
    let off = vm_moid(&w, pick(&w, Power::Off, |t| t == Tools::Ok));
    for d in [D::Api, D::Rest] {
        let c = vc_login(&s.vcenter_url, d).await;
        let id = c.value(&format!("/vcenter/vm/{with}/guest/identity")).await;
        assert!(
            id["full_name"]["default_message"]
                .as_str()
                .unwrap()
                .contains("64-bit")
        );
        assert!(id["ip_address"].as_str().unwrap().starts_with("10."));
        let nics = c
            .value(&format!("/vcenter/vm/{with}/guest/networking/interfaces"))
            .await;
        assert!(nics[0]["ip"]["ip_addresses"][0]["ip_address"].is_string());
        for vm in [&without, &off] {
            for path in ["guest/identity", "guest/networking/interfaces"] {
                let (st, body) = c.get(&format!("/vcenter/vm/{vm}/{path}")).await;
                assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{vm} {path}");
                assert_eq!(error_kind(&body), "service_unavailable");
            }
        }
        assert_eq!(
            c.value(&format!("/vcenter/vm/{with}/guest/power")).await["state"],
            "RUNNING"
        );
        assert_eq!(
            c.value(&format!("/vcenter/vm/{off}/guest/power")).await["state"],
            "NOT_RUNNING"
        );
    }
    let api = vc_login(&s.vcenter_url, D::Api).await;
    let rest = vc_login(&s.vcenter_url, D::Rest).await;
    let (st, body) = api
        .post(
            &format!("/vcenter/vm/{without}/guest/power?action=shutdown"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error_type"], "SERVICE_UNAVAILABLE");
    let (st, body) = rest
        .post(
            &format!("/vcenter/vm/{off}/guest/power?action=reboot"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["type"],
        "com.vmware.vapi.std.errors.not_allowed_in_current_state"
    );
    let (st, _) = api
        .post(
            &format!("/vcenter/vm/{with}/guest/power?action=reboot"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = rest
        .post(
            &format!("/vcenter/vm/{with}/guest/power?action=standby"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        api.value(&format!("/vcenter/vm/{with}/power")).await["state"],
        "SUSPENDED"
    );
    api.post(&format!("/vcenter/vm/{with}/power?action=start"), None)
        .await;
    let (st, _) = api
        .post(
            &format!("/vcenter/vm/{with}/guest/power?action=shutdown"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        api.value(&format!("/vcenter/vm/{with}/power")).await["state"],
        "POWERED_OFF"
    );
}

#[tokio::test]
async fn a_vm_busy_with_a_vcd_task_refuses_power() {
    let s = vc_sim(VcenterVersion::V8_0, 100, None).await;
    let w = vnav::sim::generate::generate(100, 42);
    let v = pick(&w, Power::On, |_| true);
    let c = login(&s.vcd_url, DEMO_USER).await;
    let doc = c
        .doc(&format!(
            "/api/query?type=vm&filter=name=={}",
            w.vms[v as usize].name
        ))
        .await;
    let href = attr(tags(&doc, "VMRecord")[0], "href").unwrap();
    let (st, _) = c.post(&format!("{href}/power/action/reboot"), "").await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let api = vc_login(&s.vcenter_url, D::Api).await;
    let (st, body) = api
        .post(
            &format!("/vcenter/vm/{}/power?action=stop", vm_moid(&w, v)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error_type"], "RESOURCE_BUSY");
}

#[tokio::test]
async fn faults_speak_vcenter_dialects_and_expire_sessions() {
    let s = vc_sim(VcenterVersion::V8_0, 50, None).await;
    let api = vc_login(&s.vcenter_url, D::Api).await;
    let rest = vc_login(&s.vcenter_url, D::Rest).await;
    s.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let (st, body) = api.get("/vcenter/vm").await;
    assert_eq!(
        (st, body["error_type"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("SERVICE_UNAVAILABLE"))
    );
    let (st, body) = rest.get("/vcenter/vm").await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body["type"],
        "com.vmware.vapi.std.errors.service_unavailable"
    );
    s.set_faults(Faults {
        token_ttl_secs: Some(0),
        ..Faults::default()
    });
    assert_eq!(api.get("/vcenter/vm").await.0, StatusCode::UNAUTHORIZED);
    s.set_faults(Faults::default());
    let api = vc_login(&s.vcenter_url, D::Api).await;
    assert_eq!(api.value("/vcenter/vm").await.as_array().unwrap().len(), 50);
    assert_eq!(s.fault_counts().errors, 2);
}
