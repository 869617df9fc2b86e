//! Other products' VMs as Aria Operations rates them, read in bulk. An index from (VCID, moid)
//! to each VM's resource is built from the VMWARE VirtualMachine list (1,000 a call, the pages
//! after the first at once) and built again when a VM asked for is missing and the index is
//! older than `REBUILD_AFTER`. Then, ≤ 1,000 ids a call: health from `badge|health`
//! (`stats/latest/query`), active alert counts (`alerts/query`) and, on request, a day of the
//! key metrics (`stats/query`). A moid alone is never used: two vCenters repeat them.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use compact_str::CompactString;
use futures::future::try_join_all;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::time::Instant;

use super::map::{self, Id};
use super::wire::{LatestStats, Resource, ResourcePage};
use super::{IDS_PER_CALL, VropsBackend, decode, seg};
use crate::api::backend::HealthSink;
use crate::api::error::ApiResult;
use crate::api::model::{Health, Node, NodeId, NodeKind, Status, Sym, VmHealth, VmInsight, VmKey};

/// A VM missing from an index this old makes vnav list the VMs again (it may be new).
const REBUILD_AFTER: Duration = Duration::from_secs(60);
/// VM pages asked for at once while the index is built: at most this many bodies (2 MB each
/// at 1,000 VMs) are held.
const INDEX_PAGES_AT_ONCE: u64 = 4;
/// Health calls of one bulk dots read in flight at once: each part is handed on when read, so
/// at most this many answers (≈ 150 KB each) are held, whatever the number of VMs.
const DOT_PARTS_AT_ONCE: usize = 8;
/// The most VMs the index makes room for before it has them.
const MAX_PRESIZED: u64 = 1_000_000;

/// (VCID, moid) → the VM's resource node: one entry per key, sorted by it, looked up by
/// binary search. A sorted `Vec` rather than a hash map (a map's slack and control bytes: 12.6
/// MB for 100,000 VMs), and the key as numbers (`Keyed`, 72 bytes a VM with its node: 7.2 MB
/// instead of 9.6 with the key as texts): the VCID a place in `vcids` (a few vCenters), the
/// moid `vm-N` its N. A moid of any other form keeps its text, in `others`.
pub struct VmIndex {
    built: Instant,
    vcids: Vec<Sym>,
    by_number: Vec<Keyed>,
    others: Vec<(VmKey, Indexed)>,
}

/// An index entry whose moid is `vm-N`: the key fits in the node's padding.
#[derive(Debug)]
struct Keyed {
    vcid: u16,
    moid: u32,
    indexed: Indexed,
}

impl Keyed {
    fn key(&self) -> (u16, u32) {
        (self.vcid, self.moid)
    }
}

/// N of a moid written `vm-N` (N as vCenter writes it: digits, no leading zero), so the text
/// is `vm-` and N again; None for any other moid.
fn vm_number(moid: &str) -> Option<u32> {
    let digits = moid.strip_prefix("vm-")?;
    let canonical =
        digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
    canonical.then(|| digits.parse().ok()).flatten()
}

/// A `VmIndex` as its pages land: each entry goes straight into its place (no list of all the
/// pairs first: that and the index side by side made the build peak ~20 MB higher for 100,000
/// VMs), the vector sized for the count the first page announced.
#[derive(Default)]
struct IndexBuilder {
    vcids: Vec<Sym>,
    by_number: Vec<Keyed>,
    others: Vec<(VmKey, Indexed)>,
}

impl IndexBuilder {
    fn with_capacity(vms: usize) -> IndexBuilder {
        IndexBuilder {
            by_number: Vec::with_capacity(vms),
            ..IndexBuilder::default()
        }
    }

    fn push(&mut self, key: VmKey, indexed: Indexed) {
        let vcids = &mut self.vcids;
        let vcid = match vcids.iter().position(|v| Sym::same(*v, key.vcid)) {
            Some(at) => u16::try_from(at).ok(),
            None if vcids.len() <= usize::from(u16::MAX) => {
                vcids.push(key.vcid);
                u16::try_from(vcids.len() - 1).ok()
            }
            None => None,
        };
        match (vcid, vm_number(&key.moid)) {
            (Some(vcid), Some(moid)) => self.by_number.push(Keyed {
                vcid,
                moid,
                indexed,
            }),
            _ => self.others.push((key, indexed)),
        }
    }

    fn finish(self) -> VmIndex {
        let IndexBuilder {
            vcids,
            mut by_number,
            mut others,
        } = self;
        by_number.sort_by_key(Keyed::key);
        by_number.dedup_by_key(|k| k.key());
        by_number.shrink_to_fit();
        others.sort_by(|a, b| a.0.cmp(&b.0));
        others.dedup_by(|a, b| a.0 == b.0);
        others.shrink_to_fit();
        VmIndex {
            built: Instant::now(),
            vcids,
            by_number,
            others,
        }
    }
}

impl VmIndex {
    #[cfg(test)]
    fn new(entries: Vec<(VmKey, Indexed)>) -> VmIndex {
        let mut b = IndexBuilder::default();
        for (key, indexed) in entries {
            b.push(key, indexed);
        }
        b.finish()
    }

    fn get(&self, key: &VmKey) -> Option<&Indexed> {
        let vcid = self.vcids.iter().position(|v| Sym::same(*v, key.vcid));
        if let (Some(vcid), Some(moid)) = (vcid, vm_number(&key.moid)) {
            let want = (u16::try_from(vcid).ok()?, moid);
            let at = self.by_number.binary_search_by_key(&want, Keyed::key);
            return at.ok().map(|at| &self.by_number[at].indexed);
        }
        let at = self.others.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        Some(&self.others[at].1)
    }
}

/// A VM's resource node as the index keeps it: 64 bytes and no heap block for most (a `Node`
/// is 152 bytes and its summary a block of its own; 100,000 VMs' index took ~34 MB). Its
/// summary ("VM · health 97") is one of a hundred or so: held once (`Sym`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indexed {
    kind: NodeKind,
    id: NodeId,
    name: CompactString,
    status: Status,
    health: Option<Health>,
    summary: Sym,
    expandable: bool,
}

impl Indexed {
    fn of(node: Node) -> Indexed {
        Indexed {
            kind: node.kind,
            summary: Sym::new(node.stored_summary()),
            id: node.id,
            name: node.name,
            status: node.status,
            health: node.health,
            expandable: node.expandable,
        }
    }

    /// The node as `map::resource_row` made it.
    pub fn node(&self) -> Node {
        Node::new(self.kind, self.id.clone(), self.name.clone())
            .with_status(self.status)
            .with_health(self.health)
            .with_summary(self.summary.as_str())
            .expandable(self.expandable)
    }
}

/// The (VCID, moid) a VMWARE resource names in its identifiers, when it has both.
pub fn vm_key_of(resource: &Value) -> Option<VmKey> {
    use serde::Deserialize;
    vm_key(&Resource::deserialize(resource).ok()?)
}

fn vm_key(r: &Resource) -> Option<VmKey> {
    Some(VmKey::new(
        r.identifier_value("VMEntityVCID")?,
        r.identifier_value("VMEntityObjectID")?,
    ))
}

/// Index entries of a resource list page: VMs with both identifiers only.
pub fn index_entries<'p>(page: &'p ResourcePage) -> impl Iterator<Item = (VmKey, Indexed)> + 'p {
    page.resource_list
        .iter()
        .filter_map(|r| Some((vm_key(r)?, Indexed::of(map::resource_row(r)?))))
}

/// `found` (grouped by resource) cut into parts of at most `ids` distinct resources, a
/// resource's VMs never split between two.
fn parts_of(found: &[(u32, &Indexed)], ids: usize) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let (mut start, mut distinct) = (0, 0);
    for i in 0..found.len() {
        let new = i == 0 || !std::ptr::eq(found[i - 1].1, found[i].1);
        if new && distinct == ids {
            parts.push(start..i);
            (start, distinct) = (i, 0);
        }
        distinct += usize::from(new);
    }
    if start < found.len() {
        parts.push(start..found.len());
    }
    parts
}

/// The colour of a health score: 75 and up green, 50 yellow, 25 orange, below red; a negative
/// score means no data.
pub fn health_of_score(score: f64) -> Health {
    match score {
        s if s < 0.0 => Health::Unknown,
        s if s < 25.0 => Health::Red,
        s if s < 50.0 => Health::Orange,
        s if s < 75.0 => Health::Yellow,
        _ => Health::Green,
    }
}

impl VropsBackend {
    async fn vm_page(&self, page: u64) -> ApiResult<Vec<u8>> {
        let paging = [
            ("page", page.to_string()),
            ("pageSize", IDS_PER_CALL.to_string()),
        ];
        let body = json!({"adapterKind": ["VMWARE"], "resourceKind": ["VirtualMachine"]});
        self.session()
            .query_body("/resources/query", &paging, body)
            .await
    }

    /// Every VM the endpoint watches, by (VCID, moid).
    async fn build_index(&self) -> ApiResult<VmIndex> {
        let first = self.vm_page(0).await?;
        let first: ResourcePage = decode(&first)?;
        let total = first.page_info.total_count.unwrap_or(0);
        let pages = total.div_ceil(IDS_PER_CALL as u64).max(1);
        // Sized for the count announced, within reason (a server could say anything).
        let vms = usize::try_from(total.min(MAX_PRESIZED)).unwrap_or(0);
        let mut index = IndexBuilder::with_capacity(vms);
        for (key, indexed) in index_entries(&first) {
            index.push(key, indexed);
        }
        // A few pages at a time, each batch read into the index before the next is asked:
        // holding all of them until the last (100 pages of 2 MB for 100,000 VMs) made the
        // process peak ~190 MB higher. Not read as each lands: reading one while others are
        // in flight leaves those unpolled long enough to look stalled and be sent again.
        let mut next = 1;
        while next < pages {
            let end = pages.min(next + INDEX_PAGES_AT_ONCE);
            let bodies = try_join_all((next..end).map(|p| self.vm_page(p))).await?;
            for body in bodies {
                for (key, indexed) in index_entries(&decode(&body)?) {
                    index.push(key, indexed);
                }
            }
            next = end;
        }
        Ok(index.finish())
    }

    /// The index, built on first use and again when `need` names a VM it lacks and it is old.
    async fn index(&self, need: &[VmKey]) -> ApiResult<Arc<VmIndex>> {
        let mut held = self.vm_index.lock().await;
        if let Some(ix) = held.as_ref() {
            let complete = need.iter().all(|k| ix.get(k).is_some());
            if complete || ix.built.elapsed() < REBUILD_AFTER {
                return Ok(ix.clone());
            }
        }
        let ix = Arc::new(self.build_index().await?);
        *held = Some(ix.clone());
        Ok(ix)
    }

    /// Health, alert counts and (with `day`) the day of metrics of one call's worth of VMs.
    async fn insight_chunk(&self, vms: &[(VmKey, Node)], day: bool) -> ApiResult<Vec<VmInsight>> {
        let texts: Vec<_> = vms.iter().map(|(_, n)| n.id.as_str()).collect();
        let ids: Vec<&str> = texts
            .iter()
            .filter_map(|id| match map::parse_id(id) {
                Id::Resource(id) => Some(id),
                _ => None,
            })
            .collect();
        let (health, alerts, series) =
            tokio::try_join!(self.health_scores(&ids), self.alert_counts(&ids), async {
                match day {
                    true => self.day_series(&ids).await,
                    false => Ok(HashMap::new()),
                }
            })?;
        Ok(vms
            .iter()
            .zip(&ids)
            .map(|((key, node), id)| VmInsight {
                key: key.clone(),
                resource: node.clone(),
                health: health.get(*id).copied().or(node.health),
                active_alerts: alerts.get(*id).copied().unwrap_or(0),
                day: series.get(*id).cloned().unwrap_or_default(),
            })
            .collect())
    }

    async fn health_scores(&self, ids: &[&str]) -> ApiResult<HashMap<String, Health>> {
        let body = json!({"resourceId": ids, "statKey": ["badge|health"]});
        let body = self
            .session()
            .query_body("/resources/stats/latest/query", &[], body)
            .await?;
        let stats: LatestStats = decode(&body)?;
        Ok(stats
            .values
            .iter()
            .filter_map(|r| {
                let id = r.resource_id.as_ref()?.as_str();
                Some((id.to_string(), health_of_score(r.last()?)))
            })
            .collect())
    }

    async fn alert_counts(&self, ids: &[&str]) -> ApiResult<HashMap<String, u32>> {
        let body = json!({
            "compositeOperator": "AND",
            "activeOnly": true,
            "resource-query": {"resourceId": ids},
        });
        let mut counts = HashMap::new();
        let mut page = 0u64;
        loop {
            let paging = [
                ("page", page.to_string()),
                ("pageSize", IDS_PER_CALL.to_string()),
            ];
            let (v, _) = self
                .session()
                .query("/alerts/query", &paging, body.clone())
                .await?;
            let alerts = v["alerts"].as_array().cloned().unwrap_or_default();
            for a in &alerts {
                if let Some(id) = a["resourceId"].as_str() {
                    *counts.entry(id.to_string()).or_insert(0) += 1;
                }
            }
            page += 1;
            let total = v["pageInfo"]["totalCount"].as_u64().unwrap_or(0);
            if alerts.is_empty() || page * IDS_PER_CALL as u64 >= total {
                return Ok(counts);
            }
        }
    }

    async fn day_series(
        &self,
        ids: &[&str],
    ) -> ApiResult<HashMap<String, Vec<crate::api::model::Series>>> {
        let end = OffsetDateTime::now_utc();
        let ms = |t: OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000) as i64;
        let keys: Vec<&str> = map::KEY_METRICS.iter().map(|(k, _, _)| *k).collect();
        let body = json!({
            "resourceId": ids,
            "statKey": keys,
            "begin": ms(end - time::Duration::DAY),
            "end": ms(end),
            "rollUpType": "AVG",
            "intervalType": "MINUTES",
            "intervalQuantifier": 5,
        });
        let (v, _) = self
            .session()
            .query("/resources/stats/query", &[], body)
            .await?;
        Ok(v["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Some((r["resourceId"].as_str()?.to_string(), map::day_series(r))))
            .collect())
    }

    pub(super) async fn insight(&self, vms: &[VmKey], day: bool) -> ApiResult<Vec<VmInsight>> {
        let index = self.index(vms).await?;
        let mut known: Vec<(VmKey, Node)> = vms
            .iter()
            .filter_map(|k| Some((k.clone(), index.get(k)?.node())))
            .collect();
        known.sort_by(|a, b| a.0.cmp(&b.0));
        known.dedup_by(|a, b| a.0 == b.0);
        let parts = try_join_all(
            known
                .chunks(IDS_PER_CALL)
                .map(|c| self.insight_chunk(c, day)),
        )
        .await?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// Health dots of `vms`, a part per call of at most `IDS_PER_CALL` resources, each handed
    /// to `sink` as it is read; only the health is asked for (the dots show nothing else).
    /// Asking for all and handing them over at the end held, for 100,000 VMs, a copy of each
    /// VM's resource node and its whole answer at once (~400 bytes a VM, three asks ~80 MB).
    pub(super) async fn health_dots(&self, vms: &[VmKey], sink: &HealthSink) -> ApiResult<()> {
        let index = self.index(vms).await?;
        // (place in `vms`, its resource), by resource: a VM asked twice is one id in a call.
        let mut found: Vec<(u32, &Indexed)> = (vms.iter().enumerate())
            .filter_map(|(at, k)| Some((u32::try_from(at).ok()?, index.get(k)?)))
            .collect();
        found.sort_unstable_by_key(|&(at, ix)| (std::ptr::from_ref(ix) as usize, at));
        let found = &found;
        futures::stream::iter(parts_of(found, IDS_PER_CALL))
            .map(|part| self.dots_part(vms, &found[part]))
            .buffer_unordered(DOT_PARTS_AT_ONCE)
            .try_for_each(|dots| {
                sink.push(dots);
                futures::future::ready(Ok(()))
            })
            .await
    }

    /// The dots of one part: the health score read now, else the one the VM list gave.
    async fn dots_part(&self, vms: &[VmKey], part: &[(u32, &Indexed)]) -> ApiResult<Vec<VmHealth>> {
        let texts: Vec<(u32, &Indexed, String)> = (part.iter())
            .map(|&(at, ix)| (at, ix, ix.id.as_str().into_owned()))
            .collect();
        let resource = |text: &str| match map::parse_id(text) {
            Id::Resource(id) => Some(id.to_string()),
            _ => None,
        };
        let mut ids: Vec<String> = texts.iter().filter_map(|t| resource(&t.2)).collect();
        ids.dedup();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let scores = self.health_scores(&ids).await?;
        Ok(texts
            .iter()
            .filter_map(|(at, ix, text)| {
                let score = resource(text).and_then(|id| scores.get(&id).copied());
                Some(VmHealth {
                    at: *at,
                    key: vms[*at as usize].clone(),
                    health: score.or(ix.health)?,
                })
            })
            .collect())
    }

    pub(super) async fn key_of(&self, node: &Node) -> ApiResult<Option<VmKey>> {
        let text = node.id.as_str();
        let Id::Resource(id) = map::parse_id(&text) else {
            return Ok(None);
        };
        let (v, _) = self
            .session()
            .get(&format!("/resources/{}", seg(id)), &[])
            .await?;
        Ok(vm_key_of(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn vm(id: &str, vcid: &str, moid: &str) -> Value {
        json!({"identifier": id, "resourceKey": {"name": id, "adapterKindKey": "VMWARE",
        "resourceKindKey": "VirtualMachine", "resourceIdentifiers": [
            {"identifierType": {"name": "VMEntityObjectID"}, "value": moid},
            {"identifierType": {"name": "VMEntityVCID"}, "value": vcid},
        ]}})
    }

    /// Two vCenters whose moids collide: each VM is found under its own vCenter only.
    #[test]
    fn vms_match_on_vcenter_and_moid_never_the_moid_alone() {
        let list = json!({"resourceList": [
            vm("r-a", "AAAA-1", "vm-42"),
            vm("r-b", "bbbb-2", "vm-42"),
            json!({"identifier": "r-host", "resourceKey": {"name": "h", "resourceIdentifiers": [
                {"identifierType": {"name": "VMEntityObjectID"}, "value": "host-9"}]}}),
        ]});
        let page = ResourcePage::deserialize(&list).unwrap();
        let ix: HashMap<VmKey, Indexed> = index_entries(&page).collect();
        assert_eq!(ix.len(), 2, "the host has no VCID");
        let key = VmKey::new;
        // The VCID is a UUID: its case does not matter.
        assert_eq!(&*ix[&key("aaaa-1", "vm-42")].node().id.as_str(), "res/r-a");
        assert_eq!(&*ix[&key("bbbb-2", "vm-42")].node().id.as_str(), "res/r-b");
        assert!(!ix.contains_key(&key("cccc-3", "vm-42")));
    }

    /// The index keeps a VM's resource node in 64 bytes without a heap block of its own, and
    /// gives back the node the page's row made.
    #[test]
    fn the_index_keeps_a_vm_small_and_whole() {
        let mut r = vm("0b6f2a9e-61c2-4f4e-9a59-6e1f5c1c7d2a", "aaaa-1", "vm-42");
        r["resourceKey"]["name"] = json!("web-01");
        r["resourceHealth"] = json!("YELLOW");
        r["resourceHealthValue"] = json!(62.0);
        let list = json!({"resourceList": [r]});
        let page = ResourcePage::deserialize(&list).unwrap();
        let row = map::resource_row(&page.resource_list[0]).unwrap();
        let (key, kept) = index_entries(&page).next().unwrap();
        assert_eq!(key, VmKey::new("AAAA-1", "vm-42"));
        assert_eq!(kept.node(), row);
        assert_eq!(row.stored_summary(), "VM · health 62");
        assert_eq!(std::mem::size_of::<Indexed>(), 64);
        // A `vm-N` moid's key as numbers, in the node's padding (96 bytes with a `VmKey`).
        assert_eq!(std::mem::size_of::<Keyed>(), 72);
        assert_eq!(
            kept.id.heap_len() + usize::from(kept.name.is_heap_allocated()),
            0
        );
        assert!(!key.moid.is_heap_allocated());
    }

    /// Pages come in any order and may repeat a VM: every key is found, and one missing is not.
    /// Moids not written `vm-N` (another form, a leading zero, beyond a u32) are keys too, each
    /// its own: `vm-007` is not `vm-7`.
    #[test]
    fn the_index_finds_every_vm_whatever_order_its_pages_came_in() {
        let moids = [
            ("aaaa-1", "vm-9"),
            ("aaaa-1", "vm-10"),
            ("bbbb-2", "vm-10"),
            ("aaaa-1", "vm-2"),
            ("aaaa-1", "vm-10"),
            ("aaaa-1", "vm-100"),
            ("aaaa-1", "vm-007"),
            ("aaaa-1", "vm-0"),
            ("bbbb-2", "vm-4294967296"),
            ("bbbb-2", "template-3"),
            ("aaaa-1", "vm-+5"),
            ("aaaa-1", "template-3"),
        ];
        let list = json!({"resourceList": moids.iter().enumerate().map(|(i, (vc, m))| {
            vm(&format!("0b6f2a9e-61c2-4f4e-9a59-6e1f5c1c7d{i:02}"), vc, m)
        }).collect::<Vec<_>>()});
        let page = ResourcePage::deserialize(&list).unwrap();
        let ix = VmIndex::new(index_entries(&page).collect());
        let len = ix.by_number.len() + ix.others.len();
        assert_eq!(len, moids.len() - 1, "one entry a VM");
        assert_eq!(ix.others.len(), 5, "the moids not written vm-N");
        let id = |vc: &str, m: &str| {
            let found = ix.get(&VmKey::new(vc, m));
            found.map(|f| f.node().id.as_str().to_string())
        };
        for (i, (vc, m)) in moids.iter().enumerate() {
            // A repeated VM is the one its first sighting named (vm-10 of aaaa-1: the second).
            let first = moids.iter().position(|k| k == &(*vc, *m)).unwrap();
            let want = format!("res/0b6f2a9e-61c2-4f4e-9a59-6e1f5c1c7d{first:02}");
            assert_eq!(id(&vc.to_uppercase(), m), Some(want), "{i}: {vc} {m}");
        }
        assert_ne!(id("aaaa-1", "vm-7"), id("aaaa-1", "vm-007"));
        assert_eq!(id("aaaa-1", "vm-7"), None);
        assert_ne!(id("aaaa-1", "vm-10"), id("bbbb-2", "vm-10"), "two vCenters");
        assert_ne!(id("aaaa-1", "template-3"), id("bbbb-2", "template-3"));
        assert!(ix.get(&VmKey::new("AAAA-1", "vm-3")).is_none());
        assert!(ix.get(&VmKey::new("BBBB-2", "vm-9")).is_none());
        assert!(ix.get(&VmKey::new("CCCC-3", "vm-9")).is_none());
        assert!(
            ix.get(&VmKey::new("aaaa-1", "vm-5")).is_none(),
            "vm-+5 is its own text"
        );
    }

    #[test]
    fn health_scores_fall_in_their_bands() {
        let bands: Vec<Health> = [-1.0, 0.0, 24.9, 25.0, 50.0, 74.9, 75.0, 100.0]
            .into_iter()
            .map(health_of_score)
            .collect();
        use Health::*;
        assert_eq!(
            bands,
            [Unknown, Red, Red, Orange, Yellow, Yellow, Green, Green]
        );
    }
}
