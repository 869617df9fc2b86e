//! Alerts: a small catalogue of VMware alert definitions with recommendations, the alerts the
//! world raises right now (hot VMs, VMs without Tools, idle VMs, busy hosts, full datastores,
//! clusters without HA, some cancelled ones), the badges they imply, and `/alerts`,
//! `/alerts/query`, `/alerts/{id}`, `/alertdefinitions`, `/symptomdefinitions`,
//! `/recommendations`.

use axum::response::Response;
use serde_json::{Value, json};

use super::ids::{self, Ns, unit};
use super::limits::Page;
use super::resources::{self, Filter, Res};
use super::{ApiError, ApiResult, Req, VropsShared, ok, stats};
use crate::sim::world::{Tools, World};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Impact {
    Health,
    Risk,
    Efficiency,
}

impl Impact {
    fn name(self) -> &'static str {
        match self {
            Impact::Health => "HEALTH",
            Impact::Risk => "RISK",
            Impact::Efficiency => "EFFICIENCY",
        }
    }
}

pub struct Def {
    pub key: &'static str,
    /// Index into `resources::KINDS`.
    pub kind: usize,
    pub name: &'static str,
    pub description: &'static str,
    pub impact: Impact,
    /// Alert type and subtype codes (16 virtualization, 18 storage; 19 performance, 20
    /// capacity, 22 configuration).
    pub kind_code: u8,
    pub sub_code: u8,
    /// Indexes into `RECOMMENDATIONS`, in priority order.
    pub recs: &'static [usize],
    /// The one symptom that raises it: its name and condition (type, key, operator, value).
    pub symptom: Symptom,
}

pub struct Symptom {
    pub name: &'static str,
    /// `CONDITION_HT` (a metric's hard threshold) or `CONDITION_PROPERTY_STRING`.
    pub kind: &'static str,
    pub key: &'static str,
    pub operator: &'static str,
    pub value: &'static str,
}

pub const RECOMMENDATIONS: &[(&str, &str)] = &[
    (
        "Recommendation-VMWARE-AddVcpu",
        "Add more CPUs to the virtual machine, or move it to a host with more CPU headroom.",
    ),
    (
        "Recommendation-VMWARE-CheckGuestCpu",
        "Check the applications in the guest operating system for runaway processes.",
    ),
    (
        "Recommendation-VMWARE-AddMemory",
        "Add memory to the virtual machine, or remove its memory limit.",
    ),
    (
        "Recommendation-VMWARE-InstallTools",
        "Install VMware Tools in the guest operating system.",
    ),
    (
        "Recommendation-VMWARE-ReclaimVcpu",
        "Reclaim the idle vCPUs: reduce the virtual machine's CPU count.",
    ),
    (
        "Recommendation-VMWARE-BalanceHost",
        "Use vMotion to move some virtual machines to a less loaded host, or enable DRS.",
    ),
    (
        "Recommendation-VMWARE-GrowDatastore",
        "Increase the datastore's capacity, or move virtual machines to another datastore.",
    ),
    (
        "Recommendation-VMWARE-DeleteSnapshots",
        "Delete old snapshots and unused virtual disks on the datastore.",
    ),
    (
        "Recommendation-VMWARE-EnableHa",
        "Enable vSphere HA on the cluster so virtual machines restart after a host failure.",
    ),
];

pub const DEFS: &[Def] = &[
    Def {
        key: "VmCpuStress",
        kind: 5,
        name: "Virtual machine has chronic high CPU workload leading to CPU stress",
        description: "The virtual machine's CPU demand has been above 85% for a long time.",
        impact: Impact::Health,
        kind_code: 16,
        sub_code: 19,
        recs: &[0, 1],
        symptom: Symptom {
            name: "Virtual machine CPU demand is above 85%",
            kind: "CONDITION_HT",
            key: "cpu|demandPct",
            operator: "GT",
            value: "85",
        },
    },
    Def {
        key: "VmMemoryContention",
        kind: 5,
        name: "Virtual machine has memory contention caused by ballooning or swapping",
        description: "The virtual machine's memory is being ballooned, compressed or swapped.",
        impact: Impact::Health,
        kind_code: 16,
        sub_code: 19,
        recs: &[2],
        symptom: Symptom {
            name: "Virtual machine memory is ballooned or swapped",
            kind: "CONDITION_HT",
            key: "mem|balloonPct",
            operator: "GT",
            value: "0",
        },
    },
    Def {
        key: "VmToolsNotInstalled",
        kind: 5,
        name: "VMware Tools is not installed on a powered-on virtual machine",
        description: "Without VMware Tools, guest operations and graceful shutdown are unavailable.",
        impact: Impact::Risk,
        kind_code: 16,
        sub_code: 22,
        recs: &[3],
        symptom: Symptom {
            name: "VMware Tools is not installed",
            kind: "CONDITION_PROPERTY_STRING",
            key: "summary|guest|toolsVersionStatus2",
            operator: "EQ",
            value: "guestToolsNotInstalled",
        },
    },
    Def {
        key: "VmOversized",
        kind: 5,
        name: "Virtual machine is oversized",
        description: "The virtual machine uses a small fraction of its configured CPUs.",
        impact: Impact::Efficiency,
        kind_code: 16,
        sub_code: 20,
        recs: &[4],
        symptom: Symptom {
            name: "Virtual machine CPU usage is below 10% for a long time",
            kind: "CONDITION_HT",
            key: "cpu|usage_average",
            operator: "LT",
            value: "10",
        },
    },
    Def {
        key: "HostCpuContention",
        kind: 3,
        name: "Host has CPU contention caused by overpopulation of virtual machines",
        description: "Virtual machines on the host wait for CPU because too many share it.",
        impact: Impact::Health,
        kind_code: 16,
        sub_code: 19,
        recs: &[5],
        symptom: Symptom {
            name: "Host CPU contention is above 10%",
            kind: "CONDITION_HT",
            key: "cpu|capacity_contentionPct",
            operator: "GT",
            value: "10",
        },
    },
    Def {
        key: "DatastoreSpace",
        kind: 4,
        name: "Datastore is running out of disk space",
        description: "The datastore's used space is above the warning threshold.",
        impact: Impact::Risk,
        kind_code: 18,
        sub_code: 20,
        recs: &[6, 7],
        symptom: Symptom {
            name: "Datastore space used is above 90%",
            kind: "CONDITION_HT",
            key: "capacity|usedSpacePct",
            operator: "GT",
            value: "90",
        },
    },
    Def {
        key: "ClusterHaDisabled",
        kind: 2,
        name: "vSphere High Availability (HA) is disabled for the cluster",
        description: "Virtual machines in the cluster are not restarted when a host fails.",
        impact: Impact::Risk,
        kind_code: 16,
        sub_code: 22,
        recs: &[8],
        symptom: Symptom {
            name: "vSphere HA is disabled on the cluster",
            kind: "CONDITION_PROPERTY_STRING",
            key: "configuration|dasConfig|enabled",
            operator: "EQ",
            value: "false",
        },
    },
];

pub fn def_id(d: &Def) -> String {
    format!("AlertDefinition-VMWARE-{}", d.key)
}

/// One alert on one resource.
#[derive(Clone, Copy, Debug)]
pub struct Alert {
    pub def: u8,
    pub res: Res,
    pub level: &'static str,
    pub start: i64,
    pub update: i64,
    pub cancel: Option<i64>,
}

impl Alert {
    pub fn active(&self) -> bool {
        self.cancel.is_none()
    }
    pub fn id(&self, seed: u64) -> String {
        let (k, i) = self.res.code();
        ids::encode_str(seed, Ns::Alert, k, i, self.def)
    }
}

const FIVE_MIN: i64 = 300_000;
const HOUR: i64 = 3_600_000;

/// Alert `def` on `r` as the world stands now, if it is raised (or was, and got cancelled).
pub fn eval(s: &VropsShared, w: &World, def: u8, r: Res) -> Option<Alert> {
    let d = DEFS.get(def as usize)?;
    let (kind, i) = r.code();
    if d.kind != kind as usize {
        return None;
    }
    let seed = s.seed();
    let on = |v: u32| resources::vm_on(w, v);
    // Worked out only by the rules that look at it (four hashes each time).
    let load = || stats::load(seed, r);
    let level = match (def, r) {
        (0, Res::Vm(v)) if on(v) && load().cpu > 0.85 => Some(if load().cpu > 0.93 {
            "CRITICAL"
        } else {
            "IMMEDIATE"
        }),
        (1, Res::Vm(v)) if on(v) && load().mem > 0.88 => Some("IMMEDIATE"),
        (1, Res::Vm(_)) if unit(seed, &[11, i as u64]) < 0.02 => {
            // Raised yesterday and cancelled since: history an `activeOnly=false` call shows.
            let start = (s.started_ms - 22 * HOUR) / FIVE_MIN * FIVE_MIN;
            let cancel = start + 2 * HOUR + FIVE_MIN * (i as i64 % 12);
            return Some(Alert {
                def,
                res: r,
                level: "WARNING",
                start,
                update: cancel,
                cancel: Some(cancel),
            });
        }
        (2, Res::Vm(v)) if on(v) && w.vms[v as usize].tools == Tools::NotInstalled => {
            Some("WARNING")
        }
        (3, Res::Vm(v)) if on(v) && load().cpu < 0.1 && unit(seed, &[12, i as u64]) < 0.1 => {
            Some("WARNING")
        }
        (4, Res::Host(_)) if unit(seed, &[13, i as u64]) < 0.05 => Some("IMMEDIATE"),
        (5, Res::Datastore(d)) => {
            let ds = &w.vc.datastores[d as usize];
            let used = 1.0 - ds.free as f64 / ds.capacity.max(1) as f64;
            // The generated datastores are at most two-thirds full, and in large worlds most
            // are: only one full datastore in five has grown past the threshold.
            let grown = unit(seed, &[15, i as u64]);
            (used > 0.6 && grown < 0.2).then_some(if grown < 0.05 { "CRITICAL" } else { "WARNING" })
        }
        (6, Res::Cluster(c)) if !w.vc.clusters[c as usize].ha => Some("WARNING"),
        _ => None,
    }?;
    let ago = (unit(seed, &[14, def as u64, kind as u64, i as u64]) * 20.0 * HOUR as f64) as i64;
    let start = (s.started_ms - ago) / FIVE_MIN * FIVE_MIN;
    Some(Alert {
        def,
        res: r,
        level,
        start,
        update: start + (ago / 2) / FIVE_MIN * FIVE_MIN,
        cancel: None,
    })
}

/// Every alert on `r`, active or cancelled.
pub fn on(s: &VropsShared, w: &World, r: Res) -> Vec<Alert> {
    (0..DEFS.len() as u8)
        .filter_map(|d| eval(s, w, d, r))
        .collect()
}

/// Health, risk and efficiency scores (0–100) implied by `r`'s active alerts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Badges {
    pub health: f64,
    pub risk: f64,
    pub efficiency: f64,
}

fn severity(level: &str) -> f64 {
    match level {
        "CRITICAL" => 100.0,
        "IMMEDIATE" => 75.0,
        "WARNING" => 50.0,
        _ => 25.0,
    }
}

pub fn badges(s: &VropsShared, w: &World, r: Res) -> Badges {
    let mut b = Badges {
        health: 100.0,
        risk: 0.0,
        efficiency: 100.0,
    };
    // Every resource of a page asks: each alert is judged and dropped, none collected.
    let raised = (0..DEFS.len() as u8).filter_map(|d| eval(s, w, d, r));
    for a in raised.filter(Alert::active) {
        let sev = severity(a.level);
        match DEFS[a.def as usize].impact {
            Impact::Health => b.health = b.health.min(100.0 - sev),
            Impact::Risk => b.risk = b.risk.max(sev),
            Impact::Efficiency => b.efficiency = b.efficiency.min(100.0 - sev),
        }
    }
    b
}

pub fn to_json(s: &VropsShared, w: &World, a: &Alert) -> Value {
    let d = &DEFS[a.def as usize];
    let id = a.id(s.seed());
    let _ = w;
    json!({
        "alertId": id,
        "resourceId": a.res.id(s.seed()),
        "alertLevel": a.level,
        "type": d.kind_code.to_string(),
        "subType": d.sub_code.to_string(),
        "status": if a.active() { "ACTIVE" } else { "CANCELED" },
        "startTimeUTC": a.start,
        "cancelTimeUTC": a.cancel.unwrap_or(0),
        "updateTimeUTC": a.update,
        "suspendUntilTimeUTC": 0,
        "controlState": "OPEN",
        "alertDefinitionId": def_id(d),
        "alertDefinitionName": d.name,
        "alertImpact": d.impact.name(),
        "links": [{"href": format!("/suite-api/api/alerts/{id}"), "rel": "SELF", "name": "linkToSelf"}],
    })
}

/// What selects alerts; `None` fields do not take part.
#[derive(Default)]
struct AlertFilter {
    /// `AND` (default) needs every given condition, `OR` any of them.
    any: bool,
    active_only: bool,
    criticality: Option<Vec<String>>,
    status: Option<Vec<String>>,
    impact: Option<Vec<String>>,
    alert_id: Option<Vec<String>>,
    resources: Option<Vec<Res>>,
}

impl AlertFilter {
    fn matches(&self, s: &VropsShared, a: &Alert) -> bool {
        if self.active_only && !a.active() {
            return false;
        }
        let impact = DEFS[a.def as usize].impact.name();
        let status = if a.active() { "ACTIVE" } else { "CANCELED" };
        let conds = [
            self.criticality
                .as_ref()
                .map(|c| c.iter().any(|x| x == a.level)),
            self.status.as_ref().map(|c| c.iter().any(|x| x == status)),
            self.impact.as_ref().map(|c| c.iter().any(|x| x == impact)),
            self.alert_id.as_ref().map(|c| c.contains(&a.id(s.seed()))),
            self.resources.as_ref().map(|c| c.contains(&a.res)),
        ];
        let mut given = conds.into_iter().flatten().peekable();
        if given.peek().is_none() {
            return true;
        }
        if self.any {
            given.any(|c| c)
        } else {
            given.all(|c| c)
        }
    }
}

/// Alerts of `rs` (or of every resource) that pass `f`, in resource then definition order.
fn select(s: &VropsShared, w: &World, rs: Option<&[Res]>, f: &AlertFilter) -> Vec<Alert> {
    let scan = |r: Res| on(s, w, r).into_iter().filter(|a| f.matches(s, a));
    match rs {
        Some(rs) => rs.iter().flat_map(|&r| scan(r)).collect(),
        None => resources::all(w).flat_map(scan).collect(),
    }
}

fn page_json(s: &VropsShared, w: &World, found: &[Alert], page: Page, path: &str) -> Value {
    json!({
        "pageInfo": page.info(found.len()),
        "links": page.links(path, found.len()),
        "alerts": page.slice(found).iter().map(|a| to_json(s, w, a)).collect::<Vec<_>>(),
    })
}

fn bool_param(r: &Req, key: &str) -> ApiResult<bool> {
    match r.one(key) {
        None => Ok(false),
        Some(v) => v
            .parse()
            .map_err(|_| ApiError::bad_request(format!("Invalid value '{v}' for parameter {key}"))),
    }
}

pub fn list(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let page = Page::of(r)?;
    let w = s.vcd.read();
    let ids = r.all("resourceId");
    let rs: Option<Vec<Res>> = (!ids.is_empty()).then(|| {
        ids.iter()
            .filter_map(|id| resources::resolve(s, &w, id))
            .collect()
    });
    let alert_ids = r.all("id");
    let f = AlertFilter {
        active_only: bool_param(r, "activeOnly")?,
        alert_id: (!alert_ids.is_empty()).then_some(alert_ids),
        ..AlertFilter::default()
    };
    let found = select(s, &w, rs.as_deref(), &f);
    ok(page_json(s, &w, &found, page, "/suite-api/api/alerts"))
}

fn strings(v: &Value, key: &str) -> ApiResult<Option<Vec<String>>> {
    match &v[key] {
        Value::Null => Ok(None),
        Value::Array(a) => Ok(Some(
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
        )),
        _ => Err(ApiError::bad_request(format!("{key} must be a list"))),
    }
}

pub fn query(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let page = Page::of(r)?;
    let body = r.json()?;
    let any = match body["compositeOperator"].as_str() {
        None | Some("AND") => false,
        Some("OR") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Invalid compositeOperator {other}: AND or OR"
            )));
        }
    };
    let w = s.vcd.read();
    let resources = match &body["resource-query"] {
        Value::Null => None,
        q => Some(Filter::from_json(q)?.apply(s, &w)?),
    };
    let f = AlertFilter {
        any,
        active_only: body["activeOnly"].as_bool().unwrap_or(false),
        criticality: strings(&body, "alertCriticality")?,
        status: strings(&body, "alertStatus")?,
        impact: strings(&body, "alertImpact")?,
        alert_id: strings(&body, "alertId")?,
        resources: resources.clone(),
    };
    // With AND, only the queried resources can match: scan just those.
    let scope = if any { None } else { resources.as_deref() };
    let found = select(s, &w, scope, &f);
    ok(page_json(
        s,
        &w,
        &found,
        page,
        "/suite-api/api/alerts/query",
    ))
}

pub fn get(s: &VropsShared, id: &str) -> ApiResult<Response> {
    let missing = || ApiError::not_found(format!("No such alert - id: {id}"));
    let w = s.vcd.read();
    let (kind, i, def) = ids::decode_str(s.seed(), Ns::Alert, id).ok_or_else(missing)?;
    let r = resources::resolve(s, &w, &ids::encode_str(s.seed(), Ns::Resource, kind, i, 0))
        .ok_or_else(missing)?;
    let a = eval(s, &w, def, r).ok_or_else(missing)?;
    ok(to_json(s, &w, &a))
}

fn def_json(d: &Def) -> Value {
    let severity = match d.key {
        "VmCpuStress" | "DatastoreSpace" => "AUTO",
        "VmMemoryContention" | "HostCpuContention" => "IMMEDIATE",
        _ => "WARNING",
    };
    let recs: serde_json::Map<String, Value> = d
        .recs
        .iter()
        .enumerate()
        .map(|(p, &i)| (RECOMMENDATIONS[i].0.to_string(), json!(p + 1)))
        .collect();
    json!({
        "id": def_id(d),
        "name": d.name,
        "description": d.description,
        "adapterKindKey": resources::ADAPTER_KIND,
        "resourceKindKey": resources::KINDS[d.kind],
        "waitCycles": 1,
        "cancelCycles": 1,
        "type": d.kind_code,
        "subType": d.sub_code,
        "states": [{
            "severity": severity,
            "base-symptom-set": {
                "type": "SYMPTOM_SET",
                "relation": "SELF",
                "aggregation": "ANY",
                "symptomSetOperator": "AND",
                "symptomDefinitionIds": [symptom_id(d)],
            },
            "impact": {"impactType": "BADGE", "detail": d.impact.name().to_lowercase()},
            "recommendationPriorityMap": recs,
        }],
    })
}

pub fn definitions(r: &Req) -> ApiResult<Response> {
    let page = Page::of(r)?;
    let ids = r.all("id");
    let found: Vec<&Def> = DEFS
        .iter()
        .filter(|_| {
            r.one("adapterKind")
                .is_none_or(|k| k == resources::ADAPTER_KIND)
        })
        .filter(|d| {
            r.one("resourceKind")
                .is_none_or(|k| k == resources::KINDS[d.kind])
        })
        .filter(|d| ids.is_empty() || ids.contains(&def_id(d)))
        .collect();
    ok(json!({
        "pageInfo": page.info(found.len()),
        "links": page.links("/suite-api/api/alertdefinitions", found.len()),
        "alertDefinitions": page.slice(&found).iter().map(|d| def_json(d)).collect::<Vec<_>>(),
    }))
}

fn symptom_id(d: &Def) -> String {
    format!("SymptomDefinition-VMWARE-{}", d.key)
}

/// `GET /symptomdefinitions`: one symptom per definition, shaped as the 8.18 spec's example.
pub fn symptom_definitions(r: &Req) -> ApiResult<Response> {
    let page = Page::of(r)?;
    let ids = r.all("id");
    let found: Vec<&Def> = DEFS
        .iter()
        .filter(|d| ids.is_empty() || ids.contains(&symptom_id(d)))
        .collect();
    let json = |d: &Def| {
        let s = &d.symptom;
        json!({
            "id": symptom_id(d),
            "name": s.name,
            "adapterKindKey": resources::ADAPTER_KIND,
            "resourceKindKey": resources::KINDS[d.kind],
            "waitCycles": 1,
            "cancelCycles": 1,
            "state": {
                "severity": "WARNING",
                "condition": {
                    "type": s.kind,
                    "key": s.key,
                    "operator": s.operator,
                    "value": s.value,
                    "valueType": if s.kind == "CONDITION_HT" { "NUMERIC" } else { "STRING" },
                    "instanced": false,
                    "thresholdType": "STATIC",
                },
            },
        })
    };
    ok(json!({
        "pageInfo": page.info(found.len()),
        "links": page.links("/suite-api/api/symptomdefinitions", found.len()),
        "symptomDefinitions": page.slice(&found).iter().map(|d| json(d)).collect::<Vec<_>>(),
    }))
}

pub fn recommendations(r: &Req) -> ApiResult<Response> {
    let ids = r.all("id");
    let list: Vec<Value> = RECOMMENDATIONS
        .iter()
        .filter(|(id, _)| ids.is_empty() || ids.iter().any(|x| x == id))
        .map(|(id, text)| json!({"id": id, "description": text}))
        .collect();
    ok(json!({ "recommendations": list }))
}
