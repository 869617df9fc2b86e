//! Resources: the simulated vCenter's objects as vROps resources (the vCenter adapter instance,
//! datacenters, clusters, hosts, datastores, VMs) in one stable order, their JSON, and
//! `GET /resources`, `POST /resources/query`, `GET /resources/{id}`.

use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::ids::{self, Ns};
use super::limits::{self, Page};
use super::page_json::{self, Out, PageIds};
use super::{ApiError, ApiResult, Req, VropsShared, alerts, ok_bytes, ok_typed};
use crate::sim::inventory::vm_moid;
use crate::sim::world::{Power, World, uuid_str};

pub const ADAPTER_KIND: &str = "VMWARE";

/// One resource, by its index in the world's vCenter inventory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Res {
    Adapter,
    Datacenter(u32),
    Cluster(u32),
    Host(u32),
    Datastore(u32),
    Vm(u32),
    /// VM `i` as a second vCenter has it (`VropsOptions::second_vcid`): the same moid as
    /// `Vm(i)`, as two vCenters deployed alike repeat moids, but its own resource, id and
    /// health (no alert is raised on it: it stays green).
    Twin(u32),
}

/// Resource kind keys, in the order resources are listed.
pub const KINDS: [&str; 6] = [
    "VMwareAdapter Instance",
    "Datacenter",
    "ClusterComputeResource",
    "HostSystem",
    "Datastore",
    "VirtualMachine",
];

impl Res {
    pub fn code(self) -> (u8, u32) {
        match self {
            Res::Adapter => (0, 0),
            Res::Datacenter(i) => (1, i),
            Res::Cluster(i) => (2, i),
            Res::Host(i) => (3, i),
            Res::Datastore(i) => (4, i),
            Res::Vm(i) => (5, i),
            Res::Twin(i) => (6, i),
        }
    }
    pub fn kind(self) -> &'static str {
        KINDS[(self.code().0 as usize).min(KINDS.len() - 1)]
    }
    pub fn id(self, seed: u64) -> String {
        uuid_str(self.uuid(seed))
    }
    pub fn uuid(self, seed: u64) -> u128 {
        let (k, i) = self.code();
        ids::encode(seed, Ns::Resource, k, i, 0)
    }
    fn from_code(s: &VropsShared, w: &World, kind: u8, i: u32) -> Option<Res> {
        let n = i as usize;
        let inv = &w.vc;
        Some(match kind {
            0 if i == 0 => Res::Adapter,
            1 if n < inv.datacenters.len() => Res::Datacenter(i),
            2 if n < inv.clusters.len() => Res::Cluster(i),
            3 if n < inv.hosts.len() => Res::Host(i),
            4 if n < inv.datastores.len() => Res::Datastore(i),
            5 if n < w.vms.len() => Res::Vm(i),
            6 if n < w.vms.len() && s.opts.second_vcid.is_some() => Res::Twin(i),
            _ => return None,
        })
    }
}

/// The resource an id names, if any.
pub fn resolve(s: &VropsShared, w: &World, id: &str) -> Option<Res> {
    let (kind, i, extra) = ids::decode_str(s.seed(), Ns::Resource, id)?;
    if extra != 0 {
        return None;
    }
    Res::from_code(s, w, kind, i)
}

/// Like `resolve`, or the real server's 404.
pub fn find(s: &VropsShared, w: &World, id: &str) -> ApiResult<Res> {
    resolve(s, w, id).ok_or_else(|| ApiError::not_found(format!("No such resource - id: {id}")))
}

/// Every resource of one kind, in order (the second vCenter's VMs after the first's).
pub fn of_kind<'w>(
    s: &VropsShared,
    w: &'w World,
    kind: usize,
) -> Box<dyn Iterator<Item = Res> + 'w> {
    let inv = &w.vc;
    let n = |len: usize| 0..len as u32;
    match kind {
        0 => Box::new(std::iter::once(Res::Adapter)),
        1 => Box::new(n(inv.datacenters.len()).map(Res::Datacenter)),
        2 => Box::new(n(inv.clusters.len()).map(Res::Cluster)),
        3 => Box::new(n(inv.hosts.len()).map(Res::Host)),
        4 => Box::new(n(inv.datastores.len()).map(Res::Datastore)),
        _ => {
            let twins = match s.opts.second_vcid {
                Some(_) => w.vms.len(),
                None => 0,
            };
            Box::new(n(w.vms.len()).map(Res::Vm).chain(n(twins).map(Res::Twin)))
        }
    }
}

/// Every resource of the first vCenter, in the stable order pages are cut from (the second
/// vCenter's VMs carry no alert, so alert scans skip them).
pub fn all(w: &World) -> impl Iterator<Item = Res> + '_ {
    let inv = &w.vc;
    let n = |len: usize| 0..len as u32;
    std::iter::once(Res::Adapter)
        .chain(n(inv.datacenters.len()).map(Res::Datacenter))
        .chain(n(inv.clusters.len()).map(Res::Cluster))
        .chain(n(inv.hosts.len()).map(Res::Host))
        .chain(n(inv.datastores.len()).map(Res::Datastore))
        .chain(n(w.vms.len()).map(Res::Vm))
}

/// The name of the adapter instance (the vCenter it collects from).
pub const ADAPTER_NAME: &str = "vcsa-01.sim.local";

pub fn name(w: &World, r: Res) -> String {
    name_of(w, r).to_string()
}

pub fn name_of(w: &World, r: Res) -> &str {
    let inv = &w.vc;
    match r {
        Res::Adapter => ADAPTER_NAME,
        Res::Datacenter(i) => &inv.datacenters[i as usize].name,
        Res::Cluster(i) => &inv.clusters[i as usize].name,
        Res::Host(i) => &inv.hosts[i as usize].name,
        Res::Datastore(i) => &inv.datastores[i as usize].name,
        Res::Vm(i) | Res::Twin(i) => &w.vms[i as usize].name,
    }
}

/// The vCenter moid of a resource (the adapter instance has none).
pub fn moid(w: &World, r: Res) -> Option<String> {
    let inv = &w.vc;
    Some(match r {
        Res::Adapter => return None,
        Res::Datacenter(i) => inv.datacenters[i as usize].moid.clone(),
        Res::Cluster(i) => inv.clusters[i as usize].moid.clone(),
        Res::Host(i) => inv.hosts[i as usize].moid.clone(),
        Res::Datastore(i) => inv.datastores[i as usize].moid.clone(),
        Res::Vm(i) | Res::Twin(i) => vm_moid(w, i),
    })
}

// The JSON is written from typed structs, not a `serde_json::Value` tree: a page of 1,000
// resources as `Value` maps cost most of its time in allocating, sorting and dropping them.
// Fields are declared in the order a `Value` map (a BTreeMap) sorts its keys, so the bytes stay
// what they were (`resource_json_keys_are_in_sorted_order` holds that).

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IdentType {
    data_type: &'static str,
    is_part_of_uniqueness: bool,
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Ident {
    identifier_type: IdentType,
    value: String,
}

fn ident(name: &'static str, unique: bool, value: String) -> Ident {
    Ident {
        identifier_type: IdentType {
            data_type: "STRING",
            is_part_of_uniqueness: unique,
            name,
        },
        value,
    }
}

/// The `VMEntityVCID` of a resource when it is not the world's vCenter's: the second one's.
pub fn vcid_of(s: &VropsShared, r: Res) -> Option<&str> {
    match (r, &s.opts.second_vcid) {
        (Res::Twin(_), Some(second)) => Some(second),
        _ => None,
    }
}

fn identifiers(s: &VropsShared, w: &World, r: Res) -> Vec<Ident> {
    let vcid = vcid_of(s, r).map_or_else(|| uuid_str(w.vcenter), str::to_string);
    match r {
        Res::Adapter => vec![
            ident("AUTODISCOVERY", false, "true".into()),
            ident("VCURL", true, format!("{}/sdk", s.vcenter_url)),
            ident("VMEntityVCID", false, vcid),
        ],
        Res::Vm(i) | Res::Twin(i) => vec![
            ident("isPingEnabled", false, String::new()),
            ident(
                "VMEntityInstanceUUID",
                false,
                uuid_str(w.vms[i as usize].id),
            ),
            ident("VMEntityName", false, name(w, r)),
            ident("VMEntityObjectID", true, moid(w, r).unwrap_or_default()),
            ident("VMEntityVCID", true, vcid),
            ident("VMServiceMonitoringEnabled", false, String::new()),
        ],
        _ => vec![
            ident("VMEntityName", false, name(w, r)),
            ident("VMEntityObjectID", true, moid(w, r).unwrap_or_default()),
            ident("VMEntityVCID", true, vcid),
        ],
    }
}

/// Colour of a health or efficiency score (high is good).
pub fn good_high_colour(score: f64) -> &'static str {
    match score {
        s if s < 25.0 => "RED",
        s if s < 50.0 => "ORANGE",
        s if s < 75.0 => "YELLOW",
        _ => "GREEN",
    }
}

/// Colour of a risk score (low is good).
pub fn good_low_colour(score: f64) -> &'static str {
    match score {
        s if s > 75.0 => "RED",
        s if s > 50.0 => "ORANGE",
        s if s > 25.0 => "YELLOW",
        _ => "GREEN",
    }
}

/// The time the adapter first saw the world's objects (creation time of every resource but
/// VMs, which carry their own).
pub(super) fn creation_ms(s: &VropsShared, w: &World, r: Res) -> i64 {
    match r {
        Res::Vm(i) | Res::Twin(i) => w.vms[i as usize].created * 1000,
        _ => s.started_ms - 30 * 86_400_000,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Key {
    adapter_kind_key: &'static str,
    name: String,
    resource_identifiers: Vec<Ident>,
    resource_kind_key: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusState {
    adapter_instance_id: String,
    resource_state: &'static str,
    resource_status: &'static str,
    status_message: &'static str,
}

#[derive(Serialize)]
struct Badge {
    color: &'static str,
    score: f64,
    r#type: &'static str,
}

#[derive(Serialize)]
struct Link {
    href: String,
    name: &'static str,
    rel: &'static str,
}

/// One resource as the suite-api writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    badges: [Badge; 3],
    creation_time: i64,
    dt_enabled: bool,
    identifier: String,
    links: [Link; 6],
    related_resources: [(); 0],
    resource_health: &'static str,
    resource_health_value: f64,
    resource_key: Key,
    resource_status_states: [StatusState; 1],
}

pub fn resource(s: &VropsShared, w: &World, r: Res) -> Resource {
    let id = r.id(s.seed());
    let b = alerts::badges(s, w, r);
    let link = |href: String, rel: &'static str, name: &'static str| Link { href, name, rel };
    let base = format!("/suite-api/api/resources/{id}");
    Resource {
        badges: [
            Badge {
                color: good_low_colour(b.risk),
                score: b.risk,
                r#type: "RISK",
            },
            Badge {
                color: good_high_colour(b.health),
                score: b.health,
                r#type: "HEALTH",
            },
            Badge {
                color: good_high_colour(b.efficiency),
                score: b.efficiency,
                r#type: "EFFICIENCY",
            },
        ],
        creation_time: creation_ms(s, w, r),
        dt_enabled: true,
        links: [
            link(base.clone(), "SELF", "linkToSelf"),
            link(
                format!("{base}/relationships"),
                "RELATED",
                "relationsOfResource",
            ),
            link(
                format!("{base}/properties"),
                "RELATED",
                "propertiesOfResource",
            ),
            link(
                format!("/suite-api/api/alerts?resourceId={id}"),
                "RELATED",
                "alertsOfResource",
            ),
            link(format!("{base}/statkeys"), "RELATED", "statKeysOfResource"),
            link(
                format!("{base}/stats/latest"),
                "RELATED",
                "latestStatsOfResource",
            ),
        ],
        identifier: id,
        related_resources: [],
        resource_health: good_high_colour(b.health),
        resource_health_value: b.health,
        resource_key: Key {
            adapter_kind_key: ADAPTER_KIND,
            name: name(w, r),
            resource_identifiers: identifiers(s, w, r),
            resource_kind_key: r.kind(),
        },
        resource_status_states: [StatusState {
            adapter_instance_id: Res::Adapter.id(s.seed()),
            resource_state: "STARTED",
            resource_status: "DATA_RECEIVING",
            status_message: "",
        }],
    }
}

pub fn to_json(s: &VropsShared, w: &World, r: Res) -> Value {
    serde_json::to_value(resource(s, w, r)).unwrap_or(Value::Null)
}

/// What `GET /resources` and `POST /resources/query` filter on; empty lists match all.
#[derive(Default)]
pub struct Filter {
    pub adapter_kind: Vec<String>,
    pub resource_kind: Vec<String>,
    /// Case-insensitive substrings of the name.
    pub name: Vec<String>,
    pub resource_id: Vec<String>,
    pub health: Vec<String>,
}

impl Filter {
    pub fn from_json(v: &Value) -> ApiResult<Filter> {
        let list = |k: &str| -> ApiResult<Vec<String>> {
            match &v[k] {
                Value::Null => Ok(vec![]),
                Value::Array(a) => Ok(a
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect()),
                _ => Err(ApiError::bad_request(format!("{k} must be a list"))),
            }
        };
        Ok(Filter {
            adapter_kind: list("adapterKind")?,
            resource_kind: list("resourceKind")?,
            name: list("name")?,
            resource_id: list("resourceId")?,
            health: list("resourceHealth")?,
        })
    }

    /// The matching resources, in the stable order.
    pub fn apply(&self, s: &VropsShared, w: &World) -> ApiResult<Vec<Res>> {
        Ok(match self.select(s, w)? {
            Selection::Kinds(kinds) => kinds.iter().flat_map(|&k| of_kind(s, w, k)).collect(),
            Selection::List(found) => found,
        })
    }

    /// The matching resources, without listing them when only kinds are asked for: a page of a
    /// kind is then cut by index, so a request costs its page, not the world's size.
    pub fn select(&self, s: &VropsShared, w: &World) -> ApiResult<Selection> {
        limits::check_ids(self.resource_id.len())?;
        if !self.adapter_kind.is_empty() && !self.adapter_kind.iter().any(|k| k == ADAPTER_KIND) {
            return Ok(Selection::List(vec![]));
        }
        let kinds: Vec<usize> = (0..KINDS.len())
            .filter(|&k| {
                self.resource_kind.is_empty() || self.resource_kind.iter().any(|r| r == KINDS[k])
            })
            .collect();
        let names: Vec<String> = self.name.iter().map(|n| n.to_lowercase()).collect();
        if self.resource_id.is_empty() && names.is_empty() && self.health.is_empty() {
            return Ok(Selection::Kinds(kinds));
        }
        let mut found: Vec<Res> = if self.resource_id.is_empty() {
            kinds.iter().flat_map(|&k| of_kind(s, w, k)).collect()
        } else {
            let mut v: Vec<Res> = self
                .resource_id
                .iter()
                .filter_map(|id| resolve(s, w, id))
                .filter(|r| kinds.contains(&(r.code().0 as usize).min(KINDS.len() - 1)))
                .collect();
            v.sort_by_key(|r| r.code());
            v.dedup();
            v
        };
        if !names.is_empty() {
            found.retain(|&r| {
                let n = name(w, r).to_lowercase();
                names.iter().any(|q| n.contains(q))
            });
        }
        if !self.health.is_empty() {
            found.retain(|&r| {
                let h = good_high_colour(alerts::badges(s, w, r).health);
                self.health.iter().any(|x| x == h)
            });
        }
        Ok(Selection::List(found))
    }
}

/// What a filter matched: every resource of some kinds (in kind order), or a list.
pub enum Selection {
    Kinds(Vec<usize>),
    List(Vec<Res>),
}

/// How many resources of kind `kind` there are (`of_kind(s, w, kind).count()`).
fn kind_len(s: &VropsShared, w: &World, kind: usize) -> usize {
    let inv = &w.vc;
    match kind {
        0 => 1,
        1 => inv.datacenters.len(),
        2 => inv.clusters.len(),
        3 => inv.hosts.len(),
        4 => inv.datastores.len(),
        _ if s.opts.second_vcid.is_some() => 2 * w.vms.len(),
        _ => w.vms.len(),
    }
}

/// The `i`th resource of kind `kind` (`of_kind(s, w, kind).nth(i)` for `i < kind_len`).
fn kind_at(w: &World, kind: usize, i: u32) -> Res {
    match kind {
        0 => Res::Adapter,
        1 => Res::Datacenter(i),
        2 => Res::Cluster(i),
        3 => Res::Host(i),
        4 => Res::Datastore(i),
        _ => match i.checked_sub(w.vms.len() as u32) {
            Some(twin) => Res::Twin(twin),
            None => Res::Vm(i),
        },
    }
}

impl Selection {
    pub fn len(&self, s: &VropsShared, w: &World) -> usize {
        match self {
            Selection::Kinds(kinds) => kinds.iter().map(|&k| kind_len(s, w, k)).sum(),
            Selection::List(found) => found.len(),
        }
    }

    /// The resources on `page`, as `page.slice` of the whole list would give them.
    pub fn page(&self, s: &VropsShared, w: &World, page: Page) -> Vec<Res> {
        let kinds = match self {
            Selection::List(found) => return page.slice(found).to_vec(),
            Selection::Kinds(kinds) => kinds,
        };
        let (mut skip, mut want) = (page.page.saturating_mul(page.size), page.size);
        let mut out = Vec::with_capacity(want.min(self.len(s, w)));
        for &k in kinds {
            let n = kind_len(s, w, k);
            if skip >= n {
                skip -= n;
                continue;
            }
            let end = skip + want.min(n - skip);
            out.extend((skip..end).map(|i| kind_at(w, k, i as u32)));
            want -= want.min(n - skip);
            skip = 0;
            if want == 0 {
                break;
            }
        }
        out
    }
}

/// The `resources` answer for one page of `found`: `{"links","pageInfo","resourceList"}`,
/// written straight into one buffer (`page_json.rs`).
fn page_body(s: &VropsShared, w: &World, found: &Selection, page: Page, path: &str) -> Vec<u8> {
    let total = found.len(s, w);
    let list = found.page(s, w, page);
    let mut out = Out::with_resources(list.len());
    out.raw(r#"{"links":"#)
        .value(&page.links(path, total))
        .raw(r#","pageInfo":"#)
        .value(&page.info(total))
        .raw(r#","resourceList":["#);
    let ids = PageIds::new(Res::Adapter.uuid(s.seed()), w);
    for (n, &r) in list.iter().enumerate() {
        if n > 0 {
            out.raw(",");
        }
        page_json::resource(&mut out, s, w, r, &ids);
    }
    out.raw("]}");
    out.into_bytes()
}

pub fn list(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let page = Page::of(r)?;
    let f = Filter {
        adapter_kind: r.all("adapterKind"),
        resource_kind: r.all("resourceKind"),
        name: r.all("name"),
        resource_id: r.all("resourceId"),
        health: r.all("resourceHealth"),
    };
    let w = s.vcd.read();
    let found = f.select(s, &w)?;
    ok_bytes(page_body(s, &w, &found, page, "/suite-api/api/resources"))
}

pub fn query(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let page = Page::of(r)?;
    let f = Filter::from_json(&r.json()?)?;
    let w = s.vcd.read();
    let found = f.select(s, &w)?;
    ok_bytes(page_body(
        s,
        &w,
        &found,
        page,
        "/suite-api/api/resources/query",
    ))
}

pub fn get(s: &VropsShared, id: &str) -> ApiResult<Response> {
    let w = s.vcd.read();
    let r = find(s, &w, id)?;
    ok_typed(&resource(s, &w, r))
}

/// Whether VM `v` is powered on now (the world is read at request time).
pub fn vm_on(w: &World, v: u32) -> bool {
    w.vms[v as usize].power == Power::On
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::sim::SimOptions;
    use crate::sim::faults::FaultState;

    fn shared(second_vcid: Option<&str>) -> VropsShared {
        shared_with(second_vcid, crate::sim::generate::generate(120, 42))
    }

    fn shared_with(second_vcid: Option<&str>, world: World) -> VropsShared {
        let opts = SimOptions::default();
        let vcd = crate::sim::vcd::Shared::new(
            ("http://sim".into(), "http://vc".into()),
            opts.clone(),
            world,
            Arc::new(FaultState::new(0, Default::default())),
        );
        let vrops = super::super::VropsOptions {
            second_vcid: second_vcid.map(str::to_string),
            ..opts.vrops
        };
        VropsShared::new(Arc::new(vcd), vrops, "http://vc".into())
    }

    /// The typed JSON keeps the bytes the `Value` maps wrote: every object's keys sorted.
    #[test]
    fn resource_json_keys_are_in_sorted_order() {
        let s = shared(Some("second"));
        let w = s.vcd.read();
        for kind in 0..KINDS.len() {
            for r in of_kind(&s, &w, kind).take(3) {
                let typed = serde_json::to_string(&resource(&s, &w, r)).unwrap();
                let sorted = serde_json::to_string(&to_json(&s, &w, r)).unwrap();
                assert_eq!(typed, sorted, "{r:?}");
            }
        }
    }

    /// A page written straight into its buffer has the bytes serde wrote for the typed
    /// resources in `{"links","pageInfo","resourceList"}`, for every kind, with names and a
    /// second vCenter id that need escaping.
    #[test]
    fn written_pages_are_the_serde_bytes() {
        let world = || {
            let mut world = crate::sim::generate::generate(120, 42);
            world.vms[1].name = "web \"01\" \\ tab\t\u{1} é".into();
            world.vc.datacenters[0].name = "dc \"quoted\"".into();
            world.vc.hosts[0].name = "esx\\01".into();
            world
        };
        for second in [None, Some("second \"vc\"")] {
            let s = shared_with(second, world());
            let w = s.vcd.read();
            let path = "/suite-api/api/resources";
            for (kinds, page) in [
                (
                    (0..KINDS.len()).collect::<Vec<_>>(),
                    Page {
                        page: 0,
                        size: 1000,
                    },
                ),
                (vec![5], Page { page: 1, size: 7 }),
                (
                    vec![5],
                    Page {
                        page: 9,
                        size: 1000,
                    },
                ),
            ] {
                let sel = Selection::Kinds(kinds);
                let total = sel.len(&s, &w);
                let list = sel.page(&s, &w, page);
                let reference = serde_json::to_vec(&serde_json::json!({
                    "links": page.links(path, total),
                    "pageInfo": page.info(total),
                    "resourceList": list.iter().map(|&r| resource(&s, &w, r)).collect::<Vec<_>>(),
                }))
                .unwrap();
                let written = page_body(&s, &w, &sel, page, path);
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(reference).unwrap(),
                    "{second:?} {page:?}"
                );
            }
        }
    }

    /// A page cut by index from the kinds is the page of the whole list, at every boundary.
    #[test]
    fn kind_pages_are_the_pages_of_the_full_list() {
        for second in [None, Some("second")] {
            let s = shared(second);
            let w = s.vcd.read();
            for kinds in [vec![5], vec![3, 4, 5], (0..KINDS.len()).collect()] {
                let all: Vec<Res> = kinds.iter().flat_map(|&k| of_kind(&s, &w, k)).collect();
                let sel = Selection::Kinds(kinds);
                assert_eq!(sel.len(&s, &w), all.len());
                for size in [1, 7, 100, 1000] {
                    for page in 0..=all.len() / size + 1 {
                        let p = Page { page, size };
                        assert_eq!(sel.page(&s, &w, p), p.slice(&all), "{page} of {size}");
                    }
                }
            }
        }
    }
}
