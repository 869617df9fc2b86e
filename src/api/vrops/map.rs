//! Aria Operations JSON → the unified model: adapter instances, resources (status from
//! `resourceHealth`), alerts (status from their criticality), and the detail sections of each.
//! Node ids say what a node is: `adapter/{adapterKind}/{id}`, `kind/{adapterKind}/{resourceKind}`,
//! `res/{id}`, `alert/{id}`, and the groups `alerts` and `health`.

use serde_json::Value;
use time::OffsetDateTime;

use std::collections::HashMap;
use std::sync::Arc;

use super::definitions::Definition;
use super::wire::{Resource, Text};
use crate::api::labels;
use crate::api::model::{
    Health, Node, NodeKind, Section, Series, Severity, Status, Table, TableRow,
};

pub const ALERTS: &str = "alerts";
pub const HEALTH: &str = "health";

/// The health colours the Health group lists, the worst first.
pub const UNHEALTHY: [&str; 3] = ["RED", "ORANGE", "YELLOW"];

/// What a node id names.
#[derive(Debug, PartialEq, Eq)]
pub enum Id<'a> {
    Adapter {
        kind: &'a str,
        id: &'a str,
    },
    ResourceKind {
        adapter_kind: &'a str,
        kind: &'a str,
    },
    Resource(&'a str),
    Alert(&'a str),
    Alerts,
    Health,
    /// The endpoint itself (its id is its URL).
    Other,
}

pub fn parse_id(id: &str) -> Id<'_> {
    let two = |rest: &'static str| id.strip_prefix(rest).and_then(|r| r.split_once('/'));
    if let Some((kind, id)) = two("adapter/") {
        return Id::Adapter { kind, id };
    }
    if let Some((adapter_kind, kind)) = two("kind/") {
        return Id::ResourceKind { adapter_kind, kind };
    }
    if let Some(r) = id.strip_prefix("res/") {
        return Id::Resource(r);
    }
    if let Some(a) = id.strip_prefix("alert/") {
        return Id::Alert(a);
    }
    match id {
        ALERTS => Id::Alerts,
        HEALTH => Id::Health,
        _ => Id::Other,
    }
}

/// The status a health colour shows: GREEN fine, YELLOW a warning, ORANGE and RED bad, GREY
/// (no data) muted.
pub fn health_status(colour: &str) -> Status {
    // The known colours' labels are static: a listing of 100,000 resources would otherwise
    // allocate one small string per node.
    let (label, severity) = match colour {
        "GREEN" => ("green", Severity::Ok),
        "YELLOW" => ("yellow", Severity::Warn),
        "ORANGE" => ("orange", Severity::Error),
        "RED" => ("red", Severity::Error),
        "GREY" => ("grey", Severity::Muted),
        "UNKNOWN" => ("unknown", Severity::Muted),
        "" => ("", Severity::Neutral),
        other => return Status::new(other.to_ascii_lowercase(), Severity::Neutral),
    };
    Status::new(label, severity)
}

/// The node kind of a resource kind, so a VM reads as a VM in any product.
fn resource_kind(kind: &str) -> NodeKind {
    match kind {
        "VirtualMachine" => NodeKind::Vm,
        "HostSystem" => NodeKind::Host,
        "ClusterComputeResource" => NodeKind::Cluster,
        "Datacenter" => NodeKind::Datacenter,
        "Datastore" => NodeKind::Datastore,
        _ => NodeKind::Resource,
    }
}

/// A resource kind as the tree names it ("Host" for `HostSystem`); a kind vnav has no node
/// kind for in words (`K8sPod` → "K8s pod").
fn kind_text(kind: &str) -> String {
    match resource_kind(kind) {
        NodeKind::Resource => labels::field(kind),
        known => known.label().to_string(),
    }
}

/// The adapter kinds' names by key, from `/api/adapterkinds` (`VMWARE` → "vCenter"): what an
/// adapter instance's row says it collects, rather than the key.
pub fn adapter_kind_names(v: &Value) -> HashMap<String, String> {
    (v["adapter-kind"].as_array().into_iter().flatten())
        .filter_map(|k| {
            let name = k["name"].as_str().filter(|n| !n.trim().is_empty())?;
            Some((k["key"].as_str()?.to_string(), name.to_string()))
        })
        .collect()
}

/// An adapter instance from `/api/adapters`; expands into the resource kinds of its adapter kind.
/// Its summary names the kind as `names` (`adapter_kind_names`) call it, else by its key; the
/// key stays in the node's id and its details.
pub fn adapter_node(v: &Value, names: &HashMap<String, String>) -> Option<Node> {
    let id = v["id"].as_str()?;
    let key = &v["resourceKey"];
    let kind = key["adapterKindKey"].as_str()?;
    let name = key["name"].as_str().unwrap_or(id);
    let mut summary = vec![names.get(kind).map_or(kind, String::as_str).to_string()];
    if let Some(n) = v["numberOfResourcesCollected"].as_u64() {
        summary.push(format!("{n} resources"));
    }
    Some(
        Node::new(
            NodeKind::AdapterInstance,
            format!("adapter/{kind}/{id}"),
            name,
        )
        .with_summary(summary.join(" · "))
        .expandable(true),
    )
}

/// A resource kind from `/api/adapterkinds/{key}/resourcekinds`; expands into its resources.
/// Named as the server names it ("Cluster Compute Resource"), its key beside it where that
/// differs ("ClusterComputeResource"; "Datastore  Datastore" said nothing twice).
pub fn resource_kind_node(adapter_kind: &str, v: &Value) -> Option<Node> {
    let key = v["key"].as_str()?;
    let name = v["name"].as_str().filter(|n| !n.is_empty()).unwrap_or(key);
    let node = Node::new(NodeKind::Group, format!("kind/{adapter_kind}/{key}"), name);
    let node = match name == key {
        true => node,
        false => node.with_summary(key),
    };
    Some(node.expandable(true))
}

/// A resource from any resource list (a JSON value: a resource's own details, its relations);
/// its children are the resources it contains.
pub fn resource_node(v: &Value) -> Option<Node> {
    use serde::Deserialize;
    resource_row(&Resource::deserialize(v).ok()?)
}

/// A resource of a listing page (decoded borrowed, see `wire`); its children are the resources
/// it contains.
pub fn resource_row(r: &Resource) -> Option<Node> {
    let id = r.identifier.as_ref()?.as_str();
    let key = &r.resource_key;
    let name = key.name.as_ref().map_or(id, Text::as_str);
    let kind = key.resource_kind_key.as_ref().map_or("", Text::as_str);
    let colour = r.resource_health.as_ref().map_or("", Text::as_str);
    // The kind in the tree's words ("Host", not `HostSystem`), as other products' rows say it.
    let summary = match r.resource_health_value.filter(|h| *h >= 0.0) {
        Some(h) => format!("{} · health {h:.0}", kind_text(kind)),
        None => kind_text(kind),
    };
    Some(
        Node::new(resource_kind(kind), format!("res/{id}"), name)
            .with_status(health_status(colour))
            .with_health(Health::from_colour(colour))
            .with_summary(summary)
            .expandable(true),
    )
}

/// How urgent an alert criticality is: 0 the most.
pub fn criticality_rank(level: &str) -> u8 {
    match level {
        "CRITICAL" => 0,
        "IMMEDIATE" => 1,
        "WARNING" => 2,
        "INFORMATION" => 3,
        _ => 4,
    }
}

/// The colour an alert criticality is drawn in (information: none).
pub fn criticality_health(level: &str) -> Option<Health> {
    match level {
        "CRITICAL" => Some(Health::Red),
        "IMMEDIATE" => Some(Health::Orange),
        "WARNING" => Some(Health::Yellow),
        _ => None,
    }
}

fn criticality_status(level: &str) -> Status {
    let severity = match level {
        "CRITICAL" | "IMMEDIATE" => Severity::Error,
        "WARNING" => Severity::Warn,
        _ => Severity::Neutral,
    };
    Status::new(level.to_ascii_lowercase(), severity)
}

/// Milliseconds since the epoch, as the suite-api writes times; 0 means never.
pub fn time_ms(v: &Value) -> Option<OffsetDateTime> {
    let ms = v.as_i64().filter(|ms| *ms > 0)?;
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok()
}

fn time_text(v: &Value) -> String {
    time_ms(v).map(labels::when).unwrap_or_default()
}

/// "3 h", "2 d": how long an alert has been open.
fn since(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (now - t).whole_seconds().max(0);
    match secs {
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

/// An alert from `/api/alerts`; `resource` names what it is about, when known.
pub fn alert_node(v: &Value, resource: Option<&str>, now: OffsetDateTime) -> Option<Node> {
    let id = v["alertId"].as_str()?;
    let name = v["alertDefinitionName"].as_str().unwrap_or(id);
    let level = v["alertLevel"].as_str().unwrap_or("");
    let mut summary: Vec<String> = resource.map(str::to_string).into_iter().collect();
    if let Some(impact) = v["alertImpact"].as_str() {
        summary.push(impact.to_ascii_lowercase());
    }
    if let Some(t) = time_ms(&v["startTimeUTC"]) {
        summary.push(format!("open {}", since(t, now)));
    }
    Some(
        Node::new(NodeKind::Alert, format!("alert/{id}"), name)
            .with_status(criticality_status(level))
            .with_summary(summary.join(" · ")),
    )
}

/// Active alerts, the most critical first, then the newest.
pub fn sort_alerts(alerts: &mut [Value]) {
    alerts.sort_by_key(|a| {
        (
            criticality_rank(a["alertLevel"].as_str().unwrap_or("")),
            std::cmp::Reverse(a["startTimeUTC"].as_i64().unwrap_or(0)),
        )
    });
}

pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() != 0.0 => format!("{f:.1}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// The sections of a resource's details: what it is, its badges, identifiers and collection.
pub fn resource_sections(v: &Value) -> Vec<Section> {
    let key = &v["resourceKey"];
    let mut about = Section::new("Resource");
    about
        .row("Name", text(&key["name"]))
        .row("Kind", kind_text(&text(&key["resourceKindKey"])))
        .row("Adapter kind", text(&key["adapterKindKey"]))
        .row("Identifier", text(&v["identifier"]))
        .row(
            "Health",
            match (
                v["resourceHealth"].as_str(),
                v["resourceHealthValue"].as_f64(),
            ) {
                (Some(c), Some(h)) if h >= 0.0 => format!("{} ({h:.0})", labels::state(c)),
                (Some(c), _) => labels::state(c),
                _ => String::new(),
            },
        )
        .row("Created", time_text(&v["creationTime"]));
    let mut badges = Section::new("Badges");
    let rows: Vec<TableRow> = v["badges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| {
            let score = b["score"].as_f64().filter(|s| *s >= 0.0);
            let colour = text(&b["color"]);
            TableRow {
                cells: vec![
                    labels::state(&text(&b["type"])),
                    labels::state(&colour),
                    score.map(|s| format!("{s:.0}")).unwrap_or_default(),
                ],
                health: Health::from_colour(&colour),
                target: None,
            }
        })
        .collect();
    if !rows.is_empty() {
        badges.table = Some(Table {
            columns: vec!["Badge".into(), "Colour".into(), "Score".into()],
            rows,
        });
    }
    let mut ids = Section::new("Identifiers");
    for i in key["resourceIdentifiers"].as_array().into_iter().flatten() {
        let value = text(&i["value"]);
        if !value.is_empty() {
            ids.row(identifier(&text(&i["identifierType"]["name"])), value);
        }
    }
    let mut collection = Section::new("Collection");
    let states = v["resourceStatusStates"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    for s in states {
        let words = [&s["resourceStatus"], &s["resourceState"]]
            .into_iter()
            .map(|w| labels::state(&text(w)));
        let state = words
            .chain([text(&s["statusMessage"])])
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        // The adapter instance's id says nothing to read; it tells several apart (the raw
        // view has it whole).
        let adapter = match states.len() {
            1 => "Adapter".to_string(),
            _ => format!("Adapter {:.8}", text(&s["adapterInstanceId"])),
        };
        collection.row(adapter, state);
    }
    [about, badges, ids, collection]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
}

/// A resource identifier's name in words: the vCenter ones by what they are to an operator
/// (`VMEntityObjectID` is the moid), any other read out (`isPingEnabled` → "Is ping enabled").
fn identifier(name: &str) -> String {
    match name {
        "VMEntityName" => "Name in vCenter".into(),
        "VMEntityObjectID" => "vCenter moid".into(),
        "VMEntityVCID" => "vCenter instance UUID".into(),
        "VMEntityInstanceUUID" => "VM instance UUID".into(),
        other => labels::field(other),
    }
}

/// The key metrics an operator looks at first, with their unit.
pub const KEY_METRICS: [(&str, &str, &str); 4] = [
    ("cpu|usage_average", "CPU usage", "%"),
    ("mem|usage_average", "Memory usage", "%"),
    ("disk|usage_average", "Disk I/O", "KBps"),
    ("net|usage_average", "Network I/O", "KBps"),
];

/// The latest value of each stat of the (first) resource in a `stats/latest` answer, named and with its unit when it
/// is a key metric (in `KEY_METRICS` order first).
pub fn metrics_section(v: &Value) -> Section {
    let mut s = Section::new("Key metrics (latest)");
    // One resource was asked: its entry is the first.
    let stats: Vec<&Value> = v["values"][0]["stat-list"]["stat"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let latest = |st: &Value| st["data"].as_array().and_then(|d| d.last()?.as_f64());
    let rank = |key: &str| KEY_METRICS.iter().position(|(k, _, _)| *k == key);
    let mut rows: Vec<(Option<usize>, String, String)> = stats
        .iter()
        .filter_map(|st| {
            let key = st["statKey"]["key"].as_str()?;
            let value = latest(st)?;
            let (label, unit) = match rank(key) {
                Some(i) => (KEY_METRICS[i].1.to_string(), KEY_METRICS[i].2),
                None => (key.to_string(), ""),
            };
            let text = match unit {
                "%" => format!("{value:.1} %"),
                "" => format!("{value:.1}"),
                u => format!("{value:.0} {u}"),
            };
            Some((rank(key), label, text))
        })
        .collect();
    rows.sort_by_key(|(r, label, _)| (r.is_none(), *r, label.clone()));
    for (_, label, text) in rows {
        s.row(label, text);
    }
    s
}

/// A resource's active alerts, the most critical first: criticality, age, name, and what their
/// definitions (`defs`, by definition id) say: the description and the first recommendation.
/// Each row leads to the alert.
pub fn alerts_section(
    mut alerts: Vec<Value>,
    defs: &HashMap<String, Arc<Definition>>,
    now: OffsetDateTime,
) -> Section {
    sort_alerts(&mut alerts);
    let mut s = Section::new("Active alerts");
    let rows: Vec<TableRow> = alerts
        .iter()
        .filter_map(|a| {
            let node = alert_node(a, None, now)?;
            let level = a["alertLevel"].as_str().unwrap_or("");
            let age = time_ms(&a["startTimeUTC"])
                .map(|t| since(t, now))
                .unwrap_or_default();
            let def = a["alertDefinitionId"].as_str().and_then(|id| defs.get(id));
            Some(TableRow {
                cells: vec![
                    labels::state(level),
                    age,
                    node.name.to_string(),
                    def.map(|d| d.description()).unwrap_or_default(),
                    def.map(|d| d.top_recommendation().to_string())
                        .unwrap_or_default(),
                ],
                health: criticality_health(level),
                target: Some(Box::new(node)),
            })
        })
        .collect();
    match rows.is_empty() {
        true => {
            s.row("None", "no active alert");
        }
        false => {
            s.table = Some(Table {
                columns: [
                    "Criticality",
                    "Age",
                    "Alert",
                    "Description",
                    "Recommendation",
                ]
                .map(String::from)
                .to_vec(),
                rows,
            })
        }
    }
    s
}

/// Related resources (parents, children) as rows that lead to them; `total` is how many
/// there are when the list holds only the first of them.
pub fn related_section(title: &str, resources: &[Value], total: u64) -> Section {
    let mut s = Section::new(title);
    let rows: Vec<TableRow> = resources
        .iter()
        .filter_map(|r| {
            let node = resource_node(r)?;
            Some(TableRow {
                cells: vec![
                    labels::state(node.health.map(Health::label).unwrap_or("")),
                    kind_text(&text(&r["resourceKey"]["resourceKindKey"])),
                    node.name.to_string(),
                ],
                health: node.health,
                target: Some(Box::new(node)),
            })
        })
        .collect();
    if total > rows.len() as u64 {
        s.row(
            "Shown",
            format!("{} of {total} (expand it in the tree for all)", rows.len()),
        );
    }
    match rows.is_empty() {
        true => {
            s.row("None", "none");
        }
        false => {
            s.table = Some(Table {
                columns: vec!["Health".into(), "Kind".into(), "Name".into()],
                rows,
            })
        }
    }
    s
}

/// The key metrics of one resource's entry in a stats answer, in `KEY_METRICS` order; stats
/// it lacks are left out.
pub fn day_series(entry: &Value) -> Vec<Series> {
    let stats: Vec<&Value> = entry["stat-list"]["stat"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    KEY_METRICS
        .iter()
        .filter_map(|(key, label, unit)| {
            let st = stats.iter().find(|st| st["statKey"]["key"] == *key)?;
            let points: Vec<f64> = st["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_f64)
                .collect();
            Some(Series::new(*label, *unit, points))
        })
        .collect()
}

/// A resource's properties (`/resources/{id}/properties`), by name.
pub fn properties_section(v: &Value) -> Section {
    let mut rows: Vec<(String, String)> = v["property"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["name"].as_str()?.to_string(), text(&p["value"]))))
        .collect();
    rows.sort();
    let mut s = Section::new("Properties");
    for (k, v) in rows {
        s.row(k, v);
    }
    s
}

/// The last day of the key metrics (a `/stats` answer for one resource), as sparklines in
/// `KEY_METRICS` order; stats the resource lacks are left out.
pub fn series_section(v: &Value) -> Section {
    let mut s = Section::new("Last 24 h");
    s.series = day_series(&v["values"][0]);
    if s.series.is_empty() {
        s.row("None", "no metric collected");
    }
    s
}

/// The recommendation ids of an alert definition, the most important first.
pub fn recommendation_ids(def: &Value) -> Vec<String> {
    let mut ids: Vec<(i64, String)> = def["states"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|st| st["recommendationPriorityMap"].as_object())
        .flatten()
        .map(|(id, p)| (p.as_i64().unwrap_or(i64::MAX), id.clone()))
        .collect();
    ids.sort();
    ids.dedup_by(|a, b| a.1 == b.1);
    ids.into_iter().map(|(_, id)| id).collect()
}

/// The symptom definitions an alert definition's states name, in order, each once.
pub fn symptom_ids(def: &Value) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for st in def["states"].as_array().into_iter().flatten() {
        for id in st["base-symptom-set"]["symptomDefinitionIds"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// A symptom definition as (id, words): its name and, for a threshold, what it tests:
/// "CPU demand is high (cpu|demandPct > 85)".
pub fn symptom_text(v: &Value) -> Option<(String, String)> {
    let id = v["id"].as_str()?.to_string();
    let name = v["name"].as_str().unwrap_or(&id).to_string();
    let c = &v["state"]["condition"];
    let op = match c["operator"].as_str().unwrap_or("") {
        "GT" => ">",
        "GT_EQ" => "≥",
        "LT" => "<",
        "LT_EQ" => "≤",
        "EQ" => "=",
        "NOT_EQ" => "≠",
        "CONTAINS" => "contains",
        "NOT_CONTAINS" => "does not contain",
        _ => "",
    };
    let test = match (c["key"].as_str(), c["value"].as_str()) {
        (Some(key), Some(value)) if !op.is_empty() => format!(" ({key} {op} {value})"),
        _ => String::new(),
    };
    Some((id, format!("{name}{test}")))
}

/// A definition state's severity in words. Aria Operations' "AUTO" is no level of its own:
/// the alert is raised at the most critical severity among its triggered symptoms.
fn definition_severity(raw: &str) -> String {
    match raw.eq_ignore_ascii_case("AUTO") {
        true => "Taken from its symptoms (Auto)".to_string(),
        false => labels::state(raw),
    }
}

/// What an alert's definition says: its description, severity, impact and symptoms (in words
/// when their definitions were read), and its recommendations in priority order.
pub fn definition_sections(def: &Definition) -> Vec<Section> {
    let mut about = Section::new("Definition");
    about.row("Description", def.description());
    for st in def.json["states"].as_array().into_iter().flatten() {
        let symptoms: Vec<String> = st["base-symptom-set"]["symptomDefinitionIds"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .map(|id| def.symptoms.get(&id).cloned().unwrap_or(id))
            .collect();
        about
            .row("Severity", definition_severity(&text(&st["severity"])))
            .row("Impact", labels::state(&text(&st["impact"]["detail"])))
            .row("Symptoms", symptoms.join("; "));
    }
    let mut recs = Section::new("Recommendations");
    for (i, r) in def.recommendations.iter().enumerate() {
        recs.row((i + 1).to_string(), r);
    }
    [about, recs]
        .into_iter()
        .filter(|s| !s.rows.is_empty())
        .collect()
}

/// The sections of an alert's details, in words: the resource by name (its id after), states
/// as "Active" / "Immediate", times in UTC with how long the alert has been open.
pub fn alert_sections(v: &Value, resource: Option<&str>, now: OffsetDateTime) -> Vec<Section> {
    let word = |k: &str| labels::state(&text(&v[k]));
    let when = |k: &str| time_text(&v[k]);
    let started = match time_ms(&v["startTimeUTC"]) {
        Some(t) if v["cancelTimeUTC"].as_i64().unwrap_or(0) <= 0 => {
            format!("{} · open {}", when("startTimeUTC"), since(t, now))
        }
        _ => when("startTimeUTC"),
    };
    let mut s = Section::new("Alert");
    s.row("Definition", text(&v["alertDefinitionName"]))
        .row("Criticality", word("alertLevel"))
        .row("Status", word("status"))
        .row("Control state", word("controlState"))
        .row("Impact", word("alertImpact"))
        .row("Started", started)
        .row("Updated", when("updateTimeUTC"))
        .row("Cancelled", when("cancelTimeUTC"))
        .row("Resource", resource.unwrap_or_default())
        .row("Resource id", text(&v["resourceId"]))
        .row("Definition id", text(&v["alertDefinitionId"]));
    vec![s]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub fn sample(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/vrops/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn every_resource_of_a_real_page_maps_with_its_health() {
        let page = sample("suite-api_resources_page.json");
        let list = page["resourceList"].as_array().unwrap();
        let nodes: Vec<Node> = list.iter().filter_map(resource_node).collect();
        assert_eq!(nodes.len(), 503);
        assert_eq!(page["pageInfo"]["totalCount"], 503);
        let count = |label: &str, severity| {
            nodes
                .iter()
                .filter(|n| n.status.label == label && n.status.severity == severity)
                .count()
        };
        assert_eq!(count("green", Severity::Ok), 490);
        assert_eq!(count("grey", Severity::Muted), 11);
        assert_eq!(count("red", Severity::Error), 1);
        assert_eq!(count("orange", Severity::Error), 1);
        assert_eq!(nodes.iter().filter(|n| n.kind == NodeKind::Vm).count(), 129);
        // A colour's label is a 2-byte handle: 100,000 listed resources carry no string for it.
        assert_eq!(std::mem::size_of_val(&nodes[0].status.label), 2);
        assert!(
            nodes
                .iter()
                .all(|n| matches!(parse_id(&n.id.as_str()), Id::Resource(_)))
        );
    }

    #[test]
    fn a_real_resource_reads_into_sections() {
        let v = sample("suite-api_resource_get.json");
        let node = resource_node(&v).unwrap();
        assert_eq!(
            (node.kind, &*node.name, &*node.id.as_str()),
            (
                NodeKind::Host,
                "MyHost",
                "res/e21f1a97-40a4-4e14-ada8-d7ec659f0cf1"
            )
        );
        assert_eq!(node.status, Status::new("green", Severity::Ok));
        let sections = resource_sections(&v);
        let row = |title: &str, key: &str| {
            sections
                .iter()
                .find(|s| s.title == title)
                .and_then(|s| s.rows.iter().find(|(k, _)| k == key))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(row("Resource", "Health").as_deref(), Some("Green (100)"));
        assert_eq!(row("Resource", "Kind").as_deref(), Some("Host"));
        assert_eq!(
            row("Identifiers", "vCenter moid").as_deref(),
            Some("host-29")
        );
        assert_eq!(
            row("Identifiers", "Name in vCenter").as_deref(),
            Some("MyHost")
        );
        // An identifier with no value is not a row; collection states read as words.
        assert_eq!(row("Identifiers", "Is ping enabled"), None);
        assert_eq!(
            row("Collection", "Adapter").as_deref(),
            Some("Data receiving · Started")
        );
        assert_eq!(node.health, Some(Health::Green));
        let badges = sections
            .iter()
            .find(|s| s.title == "Badges")
            .and_then(|s| s.table.as_ref())
            .expect("badges are a table");
        let badge = |name: &str| {
            badges
                .rows
                .iter()
                .find(|r| r.cells[0] == name)
                .map(|r| (r.cells[1..].join(" "), r.health))
        };
        assert_eq!(
            badge("Efficiency"),
            Some(("Green 100".into(), Some(Health::Green)))
        );
        // A score of -1 means "none": the colour alone, drawn grey.
        assert_eq!(
            badge("Compliance"),
            Some(("Grey ".into(), Some(Health::Unknown)))
        );
        assert_eq!(
            row("Resource", "Created").as_deref(),
            Some("2020-12-09 21:36:51 UTC")
        );
    }

    #[test]
    fn real_adapter_instances_expand_into_their_kinds() {
        let v = sample("suite-api_adapters_list.json");
        let nodes: Vec<Node> = v["adapterInstancesInfoDto"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| adapter_node(a, &HashMap::new()))
            .collect();
        assert!(!nodes.is_empty());
        assert_eq!(
            parse_id(&nodes[0].id.as_str()),
            Id::Adapter {
                kind: "OPENAPI",
                id: "a3c23232-7b0d-4a58-b83b-486a392e35f4"
            }
        );
        let kind = resource_kind_node("VMWARE", &json!({"key": "VMwareAdapter Instance"})).unwrap();
        assert_eq!(
            parse_id(&kind.id.as_str()),
            Id::ResourceKind {
                adapter_kind: "VMWARE",
                kind: "VMwareAdapter Instance"
            }
        );
    }

    /// The real server's adapter kinds name each key in words: an adapter instance's row says
    /// "vCenter", not `VMWARE`, and a kind it does not name keeps its key.
    #[test]
    fn adapter_instances_name_their_kind_as_the_server_does() {
        let names = adapter_kind_names(&sample("suite-api_adapterkinds_list.json"));
        assert_eq!(names["VMWARE"], "vCenter");
        assert_eq!(names["VirtualAndPhysicalSANAdapter"], "vSAN Adapter");
        let instance = |kind: &str| {
            json!({"id": "a3c23232-7b0d-4a58-b83b-486a392e35f4", "numberOfResourcesCollected": 281,
                "resourceKey": {"name": "vc-01", "adapterKindKey": kind}})
        };
        let node = adapter_node(&instance("VMWARE"), &names).unwrap();
        assert_eq!(node.summary(), "vCenter · 281 resources");
        assert!(matches!(
            parse_id(&node.id.as_str()),
            Id::Adapter { kind: "VMWARE", .. }
        ));
        let node = adapter_node(&instance("OPENAPI"), &names).unwrap();
        assert_eq!(node.summary(), "OPENAPI · 281 resources");
        assert!(adapter_kind_names(&json!({"adapter-kind": [{"key": "X"}]})).is_empty());
    }

    #[test]
    fn a_real_stats_answer_gives_the_latest_value() {
        let s = metrics_section(&sample("suite-api_resources_stats_query.json"));
        assert_eq!(
            s.rows,
            [("cpu|usagemhz_average".to_string(), "39582.5".to_string())]
        );
        let v = json!({"values": [{"stat-list": {"stat": [
            {"statKey": {"key": "net|usage_average"}, "data": [1.0, 812.4]},
            {"statKey": {"key": "badge|health"}, "data": [25.0]},
            {"statKey": {"key": "cpu|usage_average"}, "data": [3.0, 42.25]},
        ]}}]});
        let rows: Vec<String> = metrics_section(&v)
            .rows
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            rows,
            [
                "CPU usage=42.2 %",
                "Network I/O=812 KBps",
                "badge|health=25.0"
            ]
        );
    }

    #[test]
    fn a_real_alert_definition_reads_with_its_recommendations() {
        let page = sample("suite-api_alertdefinitions_page.json");
        let def = &page["alertDefinitions"][0];
        let def = Definition {
            json: def.clone(),
            ..Default::default()
        };
        let sections = definition_sections(&def);
        let about = &sections[0];
        assert_eq!(
            about.rows[0],
            ("Description".into(), "Operational State: Down".into())
        );
        assert!(about.rows.contains(&(
            "Symptoms".into(),
            "SymptomDefinition-CiscoNetworkingAdapter-vsanOperationalStateDown".into()
        )));
        // "AUTO" says where the severity comes from, not the API's word alone.
        let auto = Definition {
            json: json!({"states": [{"severity": "AUTO"}, {"severity": "CRITICAL"}]}),
            ..Default::default()
        };
        let rows = &definition_sections(&auto)[0].rows;
        assert_eq!(
            rows.iter()
                .filter(|(k, _)| k == "Severity")
                .collect::<Vec<_>>(),
            [
                &(
                    "Severity".to_string(),
                    "Taken from its symptoms (Auto)".to_string()
                ),
                &("Severity".to_string(), "Critical".to_string())
            ]
        );
        let def = json!({"states": [{"severity": "CRITICAL",
            "recommendationPriorityMap": {"r-low": 2, "r-top": 1}}]});
        assert_eq!(recommendation_ids(&def), ["r-top", "r-low"]);
        let def = Definition {
            json: def,
            recommendations: vec!["Add hosts".into(), "r-low".into()],
            ..Default::default()
        };
        let sections = definition_sections(&def);
        assert_eq!(
            sections[1].rows,
            [
                ("1".to_string(), "Add hosts".to_string()),
                ("2".to_string(), "r-low".to_string())
            ]
        );
    }

    /// The 8.18 spec's example symptom reads as its name and its threshold; the definition
    /// names it so, and a symptom not read stays its id.
    #[test]
    fn symptoms_read_as_their_names_and_thresholds() {
        let v = json!({"id": "SymptomDefinition-1", "name": "CPU Too High",
            "state": {"severity": "CRITICAL", "condition": {"type": "CONDITION_HT",
                "key": "cpu|demandmhz", "operator": "GT_EQ", "value": "95"}}});
        let (id, words) = symptom_text(&v).unwrap();
        assert_eq!(words, "CPU Too High (cpu|demandmhz ≥ 95)");
        let json = json!({"states": [{"severity": "CRITICAL", "base-symptom-set":
            {"symptomDefinitionIds": [id, "SymptomDefinition-2"]}}]});
        assert_eq!(symptom_ids(&json), [id.as_str(), "SymptomDefinition-2"]);
        let def = Definition {
            json,
            symptoms: [(id, words)].into(),
            ..Default::default()
        };
        assert!(definition_sections(&def)[0].rows.contains(&(
            "Symptoms".into(),
            "CPU Too High (cpu|demandmhz ≥ 95); SymptomDefinition-2".into()
        )));
    }

    #[test]
    fn alerts_sort_most_critical_then_newest_first() {
        let a = |id: &str, level: &str, start: i64| {
            json!({"alertId": id, "alertLevel": level, "startTimeUTC": start,
                   "alertDefinitionName": format!("def {id}"), "alertImpact": "HEALTH"})
        };
        let mut alerts = vec![
            a("w", "WARNING", 5),
            a("c-old", "CRITICAL", 1),
            a("i", "IMMEDIATE", 9),
            a("c-new", "CRITICAL", 2),
            a("info", "INFORMATION", 9),
        ];
        sort_alerts(&mut alerts);
        let ids: Vec<&str> = alerts
            .iter()
            .map(|a| a["alertId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["c-new", "c-old", "i", "w", "info"]);
        let now = OffsetDateTime::from_unix_timestamp(7_200).unwrap();
        let mut v = a("x", "CRITICAL", 0);
        v["startTimeUTC"] = json!(3_600_000);
        let node = alert_node(&v, Some("web-01"), now).unwrap();
        assert_eq!(node.status, Status::new("critical", Severity::Error));
        assert_eq!(node.summary(), "web-01 · health · open 1 h");
    }
}
