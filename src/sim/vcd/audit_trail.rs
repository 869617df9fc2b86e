//! `GET /cloudapi/1.0.0/auditTrail`: the simulated cloud's audit events, paged
//! (`page` from 1, `pageSize` ≤ 128, `resultTotal`/`pageCount`), FIQL `filter` on
//! `eventEntity.id`, `eventType`, `eventStatus`, `user.name`, `timestamp`, sorted by
//! `timestamp`. Two sources: every finished task (an action's outcome, at its end, with its
//! `taskId`), and one to three past events per entity drawn from the seed (modified,
//! powered on or off, deployed, snapshot taken) so a fresh demo has history. System administrators only: tenants get 403,
//! as for the `adminEvent` query; below API 33.0 (vCD 9.x) the resource does not exist (404).

use std::hash::{DefaultHasher, Hash, Hasher};

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::auth::{authenticate, json_error};
use super::entities::describe;
use super::fiql;
use super::tasks::{State, user_ref};
use super::xml::json as respond_json;
use super::{Shared, version_in};
use crate::sim::world::{Entity, World, parse_uuid, uuid_str};

const MAX_PAGE_SIZE: usize = 128;
const SINCE: (u32, u32) = (33, 0);

/// One audit event before it is written out.
struct Event {
    id: String,
    time: OffsetDateTime,
    kind: String,
    status: &'static str,
    user: String,
    entity: Entity,
    org: u32,
    task: Option<String>,
    description: String,
}

pub fn handle(s: &Shared, headers: &HeaderMap, query: &str) -> Response {
    let version = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .and_then(version_in)
        .and_then(|v| {
            let mut p = v.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
            Some((p.next()?, p.next().unwrap_or(0)))
        });
    if version.is_some_and(|v| v < SINCE) {
        return json_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "No such cloudapi resource in this API version",
        );
    }
    let Some(user) = authenticate(s, headers) else {
        return json_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Missing or invalid token",
        );
    };
    if !user.is_system() {
        return json_error(
            StatusCode::FORBIDDEN,
            "ACCESS_TO_RESOURCE_IS_FORBIDDEN",
            "Either you need some or all of the following rights [General: View Audit Trail] to perform operations [AUDIT_TRAIL_VIEW] for the audit trail or the target entity is invalid.",
        );
    }
    match answer(s, query) {
        Ok(body) => respond_json(StatusCode::OK, body.to_string()),
        Err(why) => json_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", &why),
    }
}

fn answer(s: &Shared, query: &str) -> Result<Value, String> {
    let mut page = 1usize;
    let mut page_size = 25usize;
    let mut filter = None;
    let mut desc = false;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "page" => page = v.parse().map_err(|_| format!("bad page {v:?}"))?,
            "pageSize" => page_size = v.parse().map_err(|_| format!("bad pageSize {v:?}"))?,
            "filter" => filter = Some(fiql::parse(&v)?),
            "sortAsc" | "sortDesc" if v != "timestamp" && !v.is_empty() => {
                return Err(format!("cannot sort audit events by {v:?}"));
            }
            "sortDesc" => desc = !v.is_empty(),
            _ => {}
        }
    }
    if page == 0 || page_size > MAX_PAGE_SIZE {
        return Err(format!(
            "page starts at 1 and pageSize is at most {MAX_PAGE_SIZE}"
        ));
    }
    let w = s.read();
    let now = s.now();
    let mut events = Vec::new();
    // An exact entity filter (what a client asks per object) draws only that entity's history.
    let only = filter
        .as_ref()
        .and_then(|f| f.equals("eventEntity.id"))
        .map(|id| parse_uuid(id.rsplit(':').next().unwrap_or_default()).and_then(|u| w.lookup(u)));
    match only {
        Some(None) => {}
        Some(Some(e)) => seeded(&w, s, e, &mut events),
        None => {
            for e in every_entity(&w) {
                seeded(&w, s, e, &mut events);
            }
        }
    }
    // The seeded task history has its own seeded audit events above.
    for t in s.tasks().list.iter().filter(|t| !t.past) {
        let st = t.state(now);
        let (Some(end), true) = (t.end_time(now), st.terminal()) else {
            continue;
        };
        let target = describe(&w, &s.base, t.target);
        events.push(Event {
            id: format!("urn:vcloud:audit:{}", uuid_str(t.id ^ 0xa0d1)),
            time: end,
            kind: format!(
                "com/vmware/cloud/event/{}/{}",
                entity_kind(t.target),
                snake(&t.op.operation_name(Entity::Vm(0))["vm".len()..])
            ),
            status: if st == State::Success {
                "SUCCESS"
            } else {
                "FAILURE"
            },
            user: user_ref(&w, &s.base, t.user).0,
            entity: t.target,
            org: t.org,
            task: Some(format!("urn:vcloud:task:{}", uuid_str(t.id))),
            description: t.op.describe(t.target, &target.name, &target.urn),
        });
    }
    let written: Vec<(OffsetDateTime, Value)> = events
        .into_iter()
        .map(|e| (e.time, write(&w, s, e)))
        .filter(|(_, v)| {
            filter.as_ref().is_none_or(|f| {
                f.matches(&|attr| {
                    let at = match attr {
                        "eventEntity.id" => &v["eventEntity"]["id"],
                        "eventType" => &v["eventType"],
                        "eventStatus" => &v["eventStatus"],
                        "user.name" => &v["user"]["name"],
                        "timestamp" => &v["timestamp"],
                        _ => return None,
                    };
                    at.as_str().map(str::to_string)
                })
            })
        })
        .collect();
    let mut written = written;
    written.sort_by_key(|(t, _)| *t);
    if desc {
        written.reverse();
    }
    let total = written.len();
    let values: Vec<Value> = written
        .into_iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|(_, v)| v)
        .collect();
    Ok(json!({
        "resultTotal": total,
        "pageCount": total.div_ceil(page_size.max(1)),
        "page": page,
        "pageSize": page_size,
        "associations": [],
        "values": values,
    }))
}

/// `PowerOff` → `power_off`.
fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn every_entity(w: &World) -> impl Iterator<Item = Entity> + '_ {
    let n = |len: usize| 0..len as u32;
    n(w.orgs.len())
        .map(Entity::Org)
        .chain(n(w.vdcs.len()).map(Entity::Vdc))
        .chain(n(w.vapps.len()).map(Entity::VApp))
        .chain(n(w.vms.len()).map(Entity::Vm))
}

fn entity_kind(e: Entity) -> &'static str {
    match e {
        Entity::Org(_) => "org",
        Entity::Vdc(_) => "vdc",
        Entity::Network(_) => "network",
        Entity::Catalog(_) => "catalog",
        Entity::VApp(_) => "vapp",
        Entity::Vm(_) => "vm",
    }
}

/// One to three past events of `e`, drawn from the seed and the entity's id: the same world
/// always has the same history, and it all lies before the simulator started.
fn seeded(w: &World, s: &Shared, e: Entity, out: &mut Vec<Event>) {
    const CHANGES: &[(&str, &str)] = &[
        ("modify", "modified"),
        ("power_on", "powered on"),
        ("power_off", "powered off"),
        ("deploy", "deployed"),
        ("create_snapshot", "snapshot created"),
    ];
    let desc = describe(w, &s.base, e);
    let id = parse_uuid(desc.urn.rsplit(':').next().unwrap_or_default()).unwrap_or_default();
    let mut h = DefaultHasher::new();
    (s.opts.seed, id).hash(&mut h);
    let mut bits = h.finish();
    let mut draw = |n: u64| {
        let v = bits % n;
        bits /= n.max(1);
        v
    };
    let org = w.org_of(e);
    let owner = match e {
        Entity::VApp(a) => w.owner_name(a),
        Entity::Vm(v) => w.owner_name(w.vms[v as usize].vapp),
        _ => "admin",
    };
    let kind = entity_kind(e);
    // At least one, so a fresh demo shows a history on every object.
    let count = 1 + draw(3);
    for n in 0..count {
        let (op, verb) = CHANGES[draw(CHANGES.len() as u64) as usize];
        let failed = draw(8) == 0;
        let user = if draw(3) == 0 { "admin" } else { owner };
        let hours_ago = 1 + draw(24 * 30) as i64 + 24 * 30 * n as i64;
        out.push(Event {
            id: format!(
                "urn:vcloud:audit:{}",
                uuid_str(id ^ ((u128::from(n) + 1) << 64))
            ),
            time: s.started - time::Duration::hours(hours_ago),
            kind: format!("com/vmware/cloud/event/{kind}/{op}"),
            status: if failed { "FAILURE" } else { "SUCCESS" },
            user: user.to_string(),
            entity: e,
            org,
            task: None,
            description: match failed {
                false => format!("{kind} {} {verb}", desc.name),
                true => format!("{kind} {} not {verb}: simulated failure", desc.name),
            },
        });
    }
}

fn write(w: &World, s: &Shared, e: Event) -> Value {
    let entity = describe(w, &s.base, e.entity);
    let org = describe(w, &s.base, Entity::Org(e.org));
    json!({
        "eventId": e.id,
        "description": e.description,
        "operatingOrg": { "name": org.name, "id": org.urn },
        "user": { "name": e.user, "id": null },
        "eventEntity": { "name": entity.name, "id": entity.urn },
        "taskId": e.task,
        "taskCellId": null,
        "cellId": "urn:vcloud:cell:sim",
        "eventType": e.kind,
        "serviceNamespace": "com.vmware.cloud",
        "eventStatus": e.status,
        "timestamp": e.time.format(&Rfc3339).unwrap_or_default(),
        "external": false,
        "additionalProperties": {},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entity_filter_names_the_entity_even_inside_an_and() {
        let f = fiql::parse("eventEntity.id==urn:vcloud:vm:1;eventStatus==SUCCESS").unwrap();
        assert_eq!(f.equals("eventEntity.id"), Some("urn:vcloud:vm:1"));
        let f = fiql::parse("eventEntity.id==urn:vcloud:vm:*").unwrap();
        assert_eq!(f.equals("eventEntity.id"), None);
        assert_eq!(snake("RemoveSnapshots"), "remove_snapshots");
    }
}
