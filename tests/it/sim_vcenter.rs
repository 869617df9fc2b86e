//! The vCenter simulator over HTTP: sessions in both dialects, 6.7 without `/api`, caps and
//! partitioned listing, host sizing, and the CLI flags.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnav::sim::VcenterVersion;
use vnav::sim::inventory::vm_moid;

use crate::sim_support::http;
use crate::sim_vcenter_support::*;

#[tokio::test]
async fn both_dialects_log_in_list_get_and_log_out() {
    let s = vc_sim(VcenterVersion::V8_0, 200, None).await;
    for d in [D::Rest, D::Api] {
        let c = vc_login(&s.vcenter_url, d).await;
        let info = match d {
            D::Api => c.value("/session").await,
            D::Rest => {
                let (st, v) = c.post("/com/vmware/cis/session?~action=get", None).await;
                assert_eq!(st, StatusCode::OK);
                c.unwrap(v)
            }
        };
        assert_eq!(info["user"], "VSPHERE.LOCAL\\Administrator");
        assert!(info["created_time"].is_string() && info["last_accessed_time"].is_string());
        let vms = c.value("/vcenter/vm").await;
        let vms = vms.as_array().unwrap();
        assert_eq!(vms.len(), 200);
        let first = &vms[0];
        assert!(first["vm"].as_str().unwrap().starts_with("vm-"));
        assert!(first["memory_size_MiB"].as_u64().unwrap() >= 1024);
        let vm = c
            .value(&format!("/vcenter/vm/{}", first["vm"].as_str().unwrap()))
            .await;
        assert_eq!(vm["name"], first["name"]);
        assert_eq!(vm["power_state"], first["power_state"]);
        assert_eq!(vm["cpu"]["count"], first["cpu_count"]);
        match d {
            // `/api` keys device maps by key; `/rest` lists {key, value} pairs.
            D::Api => assert!(vm["disks"]["2000"]["capacity"].as_u64().unwrap() > 0),
            D::Rest => assert_eq!(vm["disks"][0]["key"], "2000"),
        }
        for kind in [
            "datacenter",
            "cluster",
            "host",
            "datastore",
            "network",
            "folder",
            "resource-pool",
        ] {
            let list = c.value(&format!("/vcenter/{kind}")).await;
            assert!(!list.as_array().unwrap().is_empty(), "{kind}");
        }
        let (st, _) = c.call(Method::DELETE, &session_path(d), None).await;
        assert_eq!(
            st,
            if d == D::Api {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::OK
            }
        );
        let (st, body) = c.get("/vcenter/vm").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        assert_eq!(error_kind(&body), "unauthenticated");
        match d {
            D::Api => assert_eq!(body["error_type"], "UNAUTHENTICATED"),
            D::Rest => assert_eq!(body["type"], "com.vmware.vapi.std.errors.unauthenticated"),
        }
    }
    // Wrong password, no header, made-up session.
    let r = http()
        .post(format!("{}/api/session", s.vcenter_url))
        .basic_auth("administrator@vsphere.local", Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http()
        .get(format!("{}/api/vcenter/vm", s.vcenter_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http()
        .get(format!("{}/rest/vcenter/vm", s.vcenter_url))
        .header("vmware-api-session-id", "0123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The two dialects see the same inventory.
    let a = vc_login(&s.vcenter_url, D::Api).await;
    let r = vc_login(&s.vcenter_url, D::Rest).await;
    assert_eq!(
        a.ids("/vcenter/host", "host").await,
        r.ids("/vcenter/host", "host").await
    );
}

fn session_path(d: D) -> String {
    match d {
        D::Api => "/session".into(),
        D::Rest => "/com/vmware/cis/session".into(),
    }
}

#[tokio::test]
async fn v67_has_no_api_and_caps_rest_lists_at_1000() {
    let s = vc_sim(VcenterVersion::V6_7, 1100, None).await;
    let r = http()
        .post(format!("{}/api/session", s.vcenter_url))
        .basic_auth("administrator@vsphere.local", Some("vnav-demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let c = vc_login(&s.vcenter_url, D::Rest).await;
    let (st, body) = c.get("/vcenter/vm").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body,
        json!({"type": "com.vmware.vapi.std.errors.unable_to_allocate_resource", "value": {"messages": [{
            "args": [],
            "default_message": "Too many virtual machines. Add more filter criteria to reduce the number.",
            "id": "com.vmware.api.vcenter.vm.too_many_vms"}]}})
    );
    // 6.7 has no identity or nvme adapters on the VM.
    let hosts = c.ids("/vcenter/host", "host").await;
    let vms = c
        .ids(
            &format!("/vcenter/vm{}", c.filter(&[("hosts", &hosts[0])])),
            "vm",
        )
        .await;
    let vm = c.value(&format!("/vcenter/vm/{}", vms[0])).await;
    assert!(vm.get("identity").is_none() && vm.get("nvme_adapters").is_none());
}

#[tokio::test]
async fn over_the_cap_lists_fail_and_per_host_lists_add_up() {
    let s = vc_sim(VcenterVersion::V8_0, 400, Some(60)).await;
    for d in [D::Api, D::Rest] {
        let c = vc_login(&s.vcenter_url, d).await;
        let (st, body) = c.get("/vcenter/vm").await;
        let msg = json!([{
            "args": [],
            "default_message": "Too many virtual machines. Add more filter criteria to reduce the number.",
            "id": "com.vmware.api.vcenter.vm.too_many_vms"}]);
        match d {
            D::Api => {
                assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
                assert_eq!(
                    body,
                    json!({"error_type": "UNABLE_TO_ALLOCATE_RESOURCE", "messages": msg})
                );
            }
            D::Rest => {
                assert_eq!(st, StatusCode::BAD_REQUEST);
                assert_eq!(body["value"]["messages"], msg);
            }
        }
        // Split: datacenter → cluster → host, as a client must.
        let mut all = BTreeSet::new();
        let mut calls = 0;
        for dc in c.ids("/vcenter/datacenter", "datacenter").await {
            let q = c.filter(&[("datacenters", &dc)]);
            let (st, v) = c.get(&format!("/vcenter/vm{q}")).await;
            calls += 1;
            if st == StatusCode::OK {
                all.extend(ids_of(&c.unwrap(v), "vm"));
                continue;
            }
            for cl in c.ids(&format!("/vcenter/cluster{q}"), "cluster").await {
                let q = c.filter(&[("clusters", &cl)]);
                let (st, v) = c.get(&format!("/vcenter/vm{q}")).await;
                if st == StatusCode::OK {
                    all.extend(ids_of(&c.unwrap(v), "vm"));
                    continue;
                }
                for h in c.ids(&format!("/vcenter/host{q}"), "host").await {
                    let q = c.filter(&[("hosts", &h)]);
                    let part = c.ids(&format!("/vcenter/vm{q}"), "vm").await;
                    assert!(part.len() <= 60);
                    all.extend(part);
                }
            }
        }
        assert!(calls >= 1);
        let w = vnav::sim::generate::generate(400, 42);
        let want: BTreeSet<String> = (0..400).map(|v| vm_moid(&w, v)).collect();
        assert_eq!(all, want);
    }
}

fn ids_of(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn hosts_carry_about_forty_vms() {
    let w = vnav::sim::generate::generate(5000, 7);
    let inv = &w.vc;
    let max = inv.hosts.iter().map(|h| h.vms.len()).max().unwrap();
    assert!(max <= 40, "{max} VMs on one host");
    assert_eq!(inv.hosts.iter().map(|h| h.vms.len()).sum::<usize>(), 5000);
    assert!(inv.hosts.len() >= 5000 / 40);
    // vCD's host and datastore names are vCenter's.
    for v in [0u32, 1234, 4999] {
        assert_eq!(
            w.host_name(v),
            inv.hosts[inv.vm_host[v as usize] as usize].name
        );
        assert_eq!(
            w.datastore_name(v),
            inv.datastores[inv.vm_datastore[v as usize] as usize].name
        );
    }
}

#[test]
fn vcenter_flags_parse() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: vnav::sim::cli::SimArgs,
    }
    let o = Cli::try_parse_from(["vnav", "--vcenter-version", "6.7", "--list-cap", "10"])
        .unwrap()
        .sim
        .options();
    assert_eq!(
        (o.vcenter_version, o.list_cap),
        (VcenterVersion::V6_7, Some(10))
    );
    let o = Cli::try_parse_from(["vnav"]).unwrap().sim.options();
    assert_eq!(
        (o.vcenter_version, o.list_cap),
        (VcenterVersion::V8_0, None)
    );
    assert!(Cli::try_parse_from(["vnav", "--vcenter-version", "9.1"]).is_err());
}

#[test]
fn vnav_sim_prints_both_urls_then_the_credentials() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vnav"))
        .args(["sim", "--vms", "20", "--vcenter-version", "7.0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || lines.next().unwrap().unwrap();
    // `vrops <url>` and `vro <url>` follow the vCenter URL (checked in sim_vrops, sim_vro).
    let (vcd, vcenter, _vrops, _vro, creds) = (next(), next(), next(), next(), next());
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(vcd.starts_with("vcd http://127.0.0.1:"), "{vcd}");
    assert!(
        vcenter.starts_with("vcenter http://127.0.0.1:"),
        "{vcenter}"
    );
    assert_ne!(vcd[4..], vcenter[8..]);
    assert!(creds.starts_with("credentials "), "{creds}");
}
