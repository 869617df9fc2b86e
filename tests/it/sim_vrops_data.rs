//! The Aria Operations simulator's data: deterministic 24 h series shaped by power state and
//! rolled up on request, a realistic spread of alerts with badges that agree with them, alert
//! definitions with recommendations, relationships that follow the vCenter placement, and
//! properties.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};
use vnav::sim::VropsVersion;
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::Power;

use crate::sim_vrops_support::*;

fn stat<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["stat-list"]["stat"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["statKey"]["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {v}"))
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// VM resources by world index.
async fn vm_ids(c: &Ops, n: usize) -> Vec<String> {
    let v = c.all_of("VirtualMachine", 1000).await;
    assert_eq!(v.len(), n);
    v.iter()
        .map(|r| r["identifier"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn series_cover_a_day_in_five_minute_points_shaped_by_power() {
    let s = ops_sim(VropsVersion::V8, 60).await;
    let w = vnav::sim::generate::generate(60, 42);
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    let ids = vm_ids(&c, 60).await;
    let on = w.vms.iter().position(|v| v.power == Power::On).unwrap();
    let off = w.vms.iter().position(|v| v.power == Power::Off).unwrap();
    let q = |id: &str| {
        json!({"resourceId": [id], "statKey": ["cpu|usage_average", "mem|usage_average",
            "disk|usage_average", "net|usage_average", "badge|health"]})
    };
    let a = c.ok_post("/resources/stats/query", q(&ids[on])).await;
    let b = c.ok_post("/resources/stats/query", q(&ids[on])).await;
    let cpu = stat(&a["values"][0], "cpu|usage_average");
    let ts: Vec<i64> = cpu["timestamps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_i64().unwrap())
        .collect();
    assert!((288..=289).contains(&ts.len()), "{} points", ts.len());
    assert!(ts.windows(2).all(|p| p[1] - p[0] == 300_000));
    let data = nums(&cpu["data"]);
    assert!(data.iter().all(|&x| (0.0..=100.0).contains(&x)));
    assert!(data.iter().any(|&x| x > 1.0), "a powered-on VM works");
    // Deterministic: the same call gives the same series (unless a 5-minute slot ticked over).
    let again = stat(&b["values"][0], "cpu|usage_average");
    if again["timestamps"] == cpu["timestamps"] {
        assert_eq!(again["data"], cpu["data"]);
    }
    let z = c.ok_post("/resources/stats/query", q(&ids[off])).await;
    for key in [
        "cpu|usage_average",
        "mem|usage_average",
        "disk|usage_average",
        "net|usage_average",
    ] {
        assert!(
            nums(&stat(&z["values"][0], key)["data"])
                .iter()
                .all(|&x| x == 0.0),
            "{key}"
        );
    }
    // Hourly averages are the means of the 5-minute points in each hour.
    let h = c
        .ok(&format!(
            "/resources/{}/stats?statKey=cpu%7Cusage_average&rollUpType=AVG&intervalType=HOURS&intervalQuantifier=1",
            ids[on]
        ))
        .await;
    let hourly = stat(&h["values"][0], "cpu|usage_average");
    let hts: Vec<i64> = hourly["timestamps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_i64().unwrap())
        .collect();
    assert!((24..=25).contains(&hts.len()), "{} hours", hts.len());
    let mut by_hour: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for (t, x) in ts.iter().zip(&data) {
        by_hour
            .entry(t / 3_600_000 * 3_600_000)
            .or_default()
            .push(*x);
    }
    if hts[0] == *by_hour.keys().next().unwrap() {
        let (t, xs) = by_hour.iter().nth(1).unwrap();
        let i = hts.iter().position(|x| x == t).unwrap();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((nums(&hourly["data"])[i] - mean).abs() < 0.02, "hour {t}");
    }
    // Latest: one point per key, the newest.
    let l = c.ok(&format!("/resources/{}/stats/latest", ids[on])).await;
    let keys: Vec<&str> = l["values"][0]["stat-list"]["stat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["statKey"]["key"].as_str().unwrap())
        .collect();
    for k in [
        "cpu|usage_average",
        "mem|usage_average",
        "disk|usage_average",
        "net|usage_average",
        "badge|health",
        "badge|risk",
        "badge|efficiency",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    let sk = c.ok(&format!("/resources/{}/statkeys", ids[on])).await;
    assert_eq!(sk["stat-key"].as_array().unwrap().len(), keys.len());
}

#[tokio::test]
async fn a_few_percent_of_vms_have_alerts_and_badges_agree_with_them() {
    let n = 1000;
    let s = ops_sim(VropsVersion::V8, n).await;
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    let vms = c.all_of("VirtualMachine", 1000).await;
    let active = c
        .ok_post(
            "/alerts/query?pageSize=10000",
            json!({"activeOnly": true, "resource-query": {"resourceKind": ["VirtualMachine"]}}),
        )
        .await;
    let active = active["alerts"].as_array().unwrap();
    let alerted: HashSet<&str> = active
        .iter()
        .map(|a| a["resourceId"].as_str().unwrap())
        .collect();
    let pct = alerted.len() as f64 * 100.0 / n as f64;
    assert!((1.0..=10.0).contains(&pct), "{pct}% of VMs alerted");
    assert!(active.iter().any(|a| a["alertLevel"] == "CRITICAL"));
    assert!(
        active
            .iter()
            .all(|a| a["status"] == "ACTIVE" && a["cancelTimeUTC"] == 0)
    );
    // Cancelled ones exist beside them, and activeOnly hides them.
    let all = c.ok("/alerts?pageSize=10000").await;
    let all = all["alerts"].as_array().unwrap();
    assert!(
        all.iter()
            .any(|a| a["status"] == "CANCELED" && a["cancelTimeUTC"].as_i64().unwrap() > 0)
    );
    let only = c.ok("/alerts?pageSize=10000&activeOnly=true").await;
    assert!(
        only["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["status"] == "ACTIVE")
    );
    // Health follows the worst active health alert; no alert, GREEN 100.
    let mut worst: BTreeMap<&str, &str> = BTreeMap::new();
    for a in active.iter().filter(|a| a["alertImpact"] == "HEALTH") {
        let id = a["resourceId"].as_str().unwrap();
        let level = a["alertLevel"].as_str().unwrap();
        let rank = |l: &str| {
            ["WARNING", "IMMEDIATE", "CRITICAL"]
                .iter()
                .position(|x| *x == l)
        };
        if worst.get(id).is_none_or(|w| rank(level) > rank(w)) {
            worst.insert(id, level);
        }
    }
    for r in &vms {
        let id = r["identifier"].as_str().unwrap();
        let want = match worst.get(id) {
            Some(&"CRITICAL") => "RED",
            Some(&"IMMEDIATE") => "ORANGE",
            Some(_) => "YELLOW",
            None => "GREEN",
        };
        assert_eq!(r["resourceHealth"], want, "{id}");
        let badge = r["badges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["type"] == "HEALTH")
            .unwrap();
        assert_eq!(badge["score"], r["resourceHealthValue"]);
        if !alerted.contains(id) {
            assert_eq!(r["resourceHealthValue"], 100.0);
        }
    }
    // The latest badge|health stat is the badge.
    let red = vms
        .iter()
        .find(|r| r["resourceHealth"] == "RED")
        .expect("a red VM");
    let id = red["identifier"].as_str().unwrap();
    let l = c
        .ok(&format!(
            "/resources/{id}/stats/latest?statKey=badge%7Chealth"
        ))
        .await;
    assert_eq!(
        stat(&l["values"][0], "badge|health")["data"][0],
        red["resourceHealthValue"]
    );
    // An alert by id, its definition (named, with recommendations that exist).
    let a = &active[0];
    let one = c
        .ok(&format!("/alerts/{}", a["alertId"].as_str().unwrap()))
        .await;
    assert_eq!(&one, a);
    let defs = c.ok("/alertdefinitions").await;
    let def = defs["alertDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == a["alertDefinitionId"])
        .expect("the alert's definition");
    assert_eq!(def["name"], a["alertDefinitionName"]);
    let recs: Vec<&String> = def["states"][0]["recommendationPriorityMap"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert!(!recs.is_empty());
    let known = c.ok("/recommendations").await;
    for r in recs {
        assert!(
            known["recommendations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["id"] == r.as_str() && k["description"].is_string())
        );
    }
    // Query by criticality with OR on resources: every answer satisfies one condition.
    let q = c
        .ok_post(
            "/alerts/query?pageSize=10000",
            json!({"compositeOperator": "OR", "alertCriticality": ["CRITICAL"],
                   "resource-query": {"resourceId": [id]}}),
        )
        .await;
    let q = q["alerts"].as_array().unwrap();
    assert!(q.iter().any(|x| x["resourceId"] == id));
    assert!(
        q.iter()
            .all(|x| x["alertLevel"] == "CRITICAL" || x["resourceId"] == id)
    );
    // Alerts of one resource.
    let mine = c.ok(&format!("/alerts?resourceId={id}")).await;
    assert!(
        mine["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["resourceId"] == id)
    );
}

#[tokio::test]
async fn relationships_follow_the_vcenter_placement() {
    let s = ops_sim(VropsVersion::V8, 100).await;
    let w = vnav::sim::generate::generate(100, 42);
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    let ids = vm_ids(&c, 100).await;
    let v = 5usize;
    let parents = c
        .ok(&format!(
            "/resources/{}/relationships?relationshipType=PARENT",
            ids[v]
        ))
        .await;
    let moids: Vec<String> = parents["resourceList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| identifier(r, "VMEntityObjectID").unwrap())
        .collect();
    let host = &w.vc.hosts[w.vc.vm_host[v] as usize];
    let ds = &w.vc.datastores[w.vc.vm_datastore[v] as usize];
    assert_eq!(moids, vec![host.moid.clone(), ds.moid.clone()]);
    let host_id = parents["resourceList"][0]["identifier"].as_str().unwrap();
    let children = c
        .ok(&format!(
            "/resources/{host_id}/relationships?relationshipType=CHILD&pageSize=1000"
        ))
        .await;
    let kids: Vec<String> = children["resourceList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| identifier(r, "VMEntityObjectID").unwrap())
        .collect();
    let want: Vec<String> = host.vms.iter().map(|&i| vm_moid(&w, i)).collect();
    assert_eq!(kids, want);
    // Bulk: the VM's ancestors reach its cluster, datacenter and the adapter instance.
    let b = c
        .ok_post(
            "/resources/bulk/relationships",
            json!({"relationshipType": "ANCESTOR", "resourceIds": [ids[v]], "hierarchyDepth": 5}),
        )
        .await;
    let rel = &b["resourcesRelations"][0];
    assert_eq!(rel["resource"]["identifier"], ids[v].as_str());
    let related: Vec<String> = rel["relatedResources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    let kinds: HashSet<String> = {
        let mut k = HashSet::new();
        for id in &related {
            k.insert(
                c.ok(&format!("/resources/{id}")).await["resourceKey"]["resourceKindKey"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        k
    };
    for k in [
        "HostSystem",
        "Datastore",
        "ClusterComputeResource",
        "Datacenter",
        "VMwareAdapter Instance",
    ] {
        assert!(kinds.contains(k), "{k} in {kinds:?}");
    }
    // Properties: one VM's, and the bulk query.
    let p = c
        .ok_post(
            "/resources/properties/latest/query",
            json!({"resourceIds": [ids[v]], "propertyKeys": ["summary|parentHost", "config|hardware|num_Cpu"]}),
        )
        .await;
    let contents = p["values"][0]["property-contents"]["property-content"]
        .as_array()
        .unwrap();
    let parent = contents
        .iter()
        .find(|x| x["statKey"] == "summary|parentHost")
        .unwrap();
    assert_eq!(parent["values"][0], host.name.as_str());
    let cpus = contents
        .iter()
        .find(|x| x["statKey"] == "config|hardware|num_Cpu")
        .unwrap();
    assert_eq!(
        cpus["values"][0].as_str().unwrap().parse::<f64>().unwrap(),
        w.vms[v].cpus as f64
    );
}
