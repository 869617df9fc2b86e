//! What the server is and what it collects: `/versions/current`, `/adapterkinds`,
//! `/adapterkinds/{key}/resourcekinds` and `/adapters` (one vCenter adapter instance).

use axum::response::Response;
use serde_json::{Value, json};

use super::resources::{self, ADAPTER_KIND, KINDS, Res};
use super::{ApiError, ApiResult, Req, VropsShared, VropsVersion, now_ms, ok};

pub fn version(s: &VropsShared) -> ApiResult<Response> {
    // The 8.x answer is a real 8.18.4 server's; the 9.x one follows its shape.
    ok(match s.opts.version {
        VropsVersion::V8 => json!({
            "releaseName": "VMware Aria Operations 8.18.4",
            "major": 1,
            "minor": 74,
            "minorMinor": 0,
            "buildNumber": 24871725,
            "releasedDate": 1753185600090i64,
            "humanlyReadableReleaseDate": "Tuesday, July 22, 2025 at 12:00:00 PM Coordinated Universal Time",
            "description": null,
        }),
        VropsVersion::V9 => json!({
            "releaseName": "VMware Cloud Foundation Operations 9.0.1",
            "major": 1,
            "minor": 80,
            "minorMinor": 1,
            "buildNumber": 24962434,
            "releasedDate": 1758024000000i64,
            "humanlyReadableReleaseDate": "Tuesday, September 16, 2025 at 12:00:00 PM Coordinated Universal Time",
            "description": null,
        }),
    })
}

pub fn adapter_kinds(r: &Req) -> ApiResult<Response> {
    let wanted = r.all("adapterKindKey");
    let kinds: Vec<Value> = if wanted.is_empty() || wanted.iter().any(|k| k == ADAPTER_KIND) {
        vec![json!({
            "key": ADAPTER_KIND,
            "name": "vCenter",
            "description": "Provides the connection information and credentials required to monitor your vCenter Server instances",
            "adapterKindType": "GENERAL",
            "describeVersion": 956,
            "identifiers": [],
            "resourceKinds": KINDS,
            "links": [
                {"href": "/suite-api/api/adapterkinds/VMWARE", "rel": "SELF", "name": "linkToSelf"},
                {"href": "/suite-api/api/adapterkinds/VMWARE/resourcekinds", "rel": "RELATED", "name": "linkToAllResourceKinds"},
            ],
        })]
    } else {
        vec![]
    };
    ok(json!({ "adapter-kind": kinds }))
}

fn identifier_types(kind: &str) -> Vec<Value> {
    let t = |name: &str, unique: bool| json!({"name": name, "dataType": "STRING", "isPartOfUniqueness": unique});
    match kind {
        "VMwareAdapter Instance" => vec![
            t("AUTODISCOVERY", false),
            t("VCURL", true),
            t("VMEntityVCID", false),
        ],
        "VirtualMachine" => vec![
            t("isPingEnabled", false),
            t("VMEntityInstanceUUID", false),
            t("VMEntityName", false),
            t("VMEntityObjectID", true),
            t("VMEntityVCID", true),
            t("VMServiceMonitoringEnabled", false),
        ],
        _ => vec![
            t("VMEntityName", false),
            t("VMEntityObjectID", true),
            t("VMEntityVCID", true),
        ],
    }
}

/// A resource kind's name as the server localises it: the spec's `resource-kind.name` is "The
/// Localized name of the Resource Kind", and Aria Operations' own pages name the vCenter
/// adapter's kinds in words ("Virtual Machine", "Host System", "Cluster Compute Resource"),
/// not by key.
fn kind_name(key: &str) -> &str {
    match key {
        "VMwareAdapter Instance" => "vCenter Adapter Instance",
        "ClusterComputeResource" => "Cluster Compute Resource",
        "HostSystem" => "Host System",
        "VirtualMachine" => "Virtual Machine",
        other => other,
    }
}

pub fn resource_kinds(key: &str) -> ApiResult<Response> {
    if key != ADAPTER_KIND {
        return Err(ApiError::not_found(format!(
            "No such adapter kind - key: {key}"
        )));
    }
    let kinds: Vec<Value> = KINDS
        .iter()
        .enumerate()
        .map(|(i, k)| {
            json!({
                "key": k,
                "name": kind_name(k),
                "adapterKind": ADAPTER_KIND,
                "adapterKindName": "vCenter",
                "resourceKindType": if i == 0 { "ADAPTER_INSTANCE" } else { "GENERAL" },
                "resourceKindSubType": "NONE",
                "resourceIdentifierTypes": identifier_types(k),
            })
        })
        .collect();
    ok(json!({"adapterKind": ADAPTER_KIND, "resource-kind": kinds}))
}

pub fn adapters(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    if r.one("adapterKindKey").is_some_and(|k| k != ADAPTER_KIND) {
        return ok(json!({ "adapterInstancesInfoDto": [] }));
    }
    let w = s.vcd.read();
    let id = Res::Adapter.id(s.seed());
    let count = resources::all(&w).count();
    let res = resources::to_json(s, &w, Res::Adapter);
    // Collected on the last 5-minute cycle.
    let last = now_ms() / 300_000 * 300_000;
    ok(json!({ "adapterInstancesInfoDto": [{
        "resourceKey": res["resourceKey"],
        "description": "The simulated vCenter",
        "collectorId": 1,
        "monitoringInterval": 5,
        "numberOfMetricsCollected": count * 7,
        "numberOfResourcesCollected": count,
        "lastHeartbeat": last + 30_000,
        "lastCollected": last,
        "messageFromAdapterInstance": "",
        "links": [
            {"href": format!("/suite-api/api/adapters/{id}"), "rel": "SELF", "name": "linkToSelf"},
            {"href": "/suite-api/api/credentials/", "rel": "RELATED", "name": "linkToCredential"},
        ],
        "id": id,
    }]}))
}
