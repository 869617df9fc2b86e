//! One VM across products, as a monitoring endpoint (Aria Operations) sees it. A vCenter VM is
//! named by its vCenter's instance UUID and its moid (`VmKey`); a vCD VM through the vCenter VM
//! behind it (`Node::backing`, see `vclink`). With such an endpoint connected:
//! - a VM's details gain its health, active alert count and a day of metrics (one bulk call);
//! - VM rows loaded in the tree get a health dot, asked for in bulk once their listing is done,
//!   so a row never waits for it, and placed a part (≤ 1,000 VMs) at a time as they are read;
//! - `i` jumps from a VM to its resource there, and back.

use std::collections::HashMap;
use std::sync::Arc;

use super::App;
use super::detail::DetailState;
use super::event::{Effect, ReqId};
use super::tree::{EndpointId, EntryId, Load};
use crate::api::ApiError;
use crate::api::model::{
    Backings, Health, Node, NodeKind, Product, Section, Severity, VmHealth, VmInsight, VmKey,
};
use crate::api::vcenter::map as vc_map;

/// What an insight request was for.
enum Ask {
    /// The details of this VM (endpoint, node id) are shown: add a section to them.
    Detail(EndpointId, Box<str>),
    /// `i` on this VM: go to its resource.
    Go(EndpointId, Box<str>),
    /// `i` on a monitoring endpoint's node: go to the vCenter VM it watches.
    Back,
}

#[derive(Default)]
pub struct Insights {
    /// (endpoint, VM node id) → what the monitoring endpoint says about it, for VMs whose
    /// details were shown or `i` went from (a dot keeps only its colour, on the row).
    by_vm: HashMap<(EndpointId, Box<str>), Arc<VmInsight>>,
    waiting: HashMap<ReqId, Ask>,
    /// Bulk health reads running, by request.
    dots: HashMap<ReqId, DotsAsk>,
    /// Reads of the vCenter VMs behind a listing's vCD VMs, by request: the entry whose
    /// children they are, dotted once the answer names them.
    backings: HashMap<ReqId, EntryId>,
}

/// A bulk health read for the VM rows of one listing, answered in parts.
struct DotsAsk {
    /// The entry whose children the rows are.
    entry: EntryId,
    /// The row of each VM asked, by its place in the ask (`VmHealth::at`): 4 bytes a VM
    /// instead of a map from keys.
    rows: Vec<EntryId>,
    /// A hash of each row's node id when asked (`id_hash`): a dot lands only on a row that
    /// still holds that VM. A vCD row's key came from a read its node does not keep.
    ids: Vec<u64>,
    /// Dots placed so far.
    placed: usize,
}

/// A node id's hash, 8 bytes a row where the id itself is ~70 (a vCD href).
fn id_hash(node: &Node) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    node.id.with_str(|id| id.hash(&mut h));
    h.finish()
}

impl App {
    /// The connected endpoint that rates other products' VMs, if any.
    fn monitor(&self) -> Option<EndpointId> {
        self.endpoints
            .iter()
            .position(|e| e.info.as_ref().is_some_and(|i| i.capabilities.insight))
    }

    /// The (VCID, moid) of a VM row: a vCenter VM by its own vCenter, a vCD VM by the vCenter
    /// VM behind it, when that vCenter is connected and told its instance UUID.
    pub(crate) fn vm_key(&self, endpoint: EndpointId, node: &Node) -> Option<VmKey> {
        if node.kind != NodeKind::Vm {
            return None;
        }
        let info = self.endpoints.get(endpoint)?.info.as_ref()?;
        match info.product {
            Product::Vcenter => Some(VmKey::new(
                info.instance_uuid.as_deref()?,
                vc_map::moid(&node.id.as_str()),
            )),
            Product::Vcd => {
                let r = node.backing()?;
                let vc = self.vcenter_of(r)?;
                let uuid = self.endpoints[vc].info.as_ref()?.instance_uuid.as_deref()?;
                Some(VmKey::new(uuid, &r.moid))
            }
            Product::Vrops | Product::Vro => None,
        }
    }

    fn ask_insight(&mut self, vms: Vec<VmKey>, day: bool, ask: Ask) -> bool {
        let Some(endpoint) = self.monitor() else {
            return false;
        };
        let req = self.req();
        self.insight.waiting.insert(req, ask);
        self.effects.push(Effect::VmInsight {
            req,
            endpoint,
            vms,
            day,
        });
        true
    }

    /// A VM's details arrived: ask for its health, alerts and day of metrics.
    pub(crate) fn details_insight(&mut self, endpoint: EndpointId, node: &Node) {
        if let Some(key) = self.vm_key(endpoint, node) {
            self.ask_insight(
                vec![key],
                true,
                Ask::Detail(endpoint, node.id.as_str().into()),
            );
        }
    }

    /// A listing finished: ask for the health of its VM rows that have none yet. A read still
    /// running for an earlier listing of the same entry is stopped: this one asks for the rows
    /// it had not dotted. vCD VM rows name no vCenter VM until their details are read, so for
    /// them the endpoint is asked first which vCenter VMs are behind them (`on_vm_backings`),
    /// in bulk, when it can say and one of those vCenters is connected.
    pub(crate) fn dots_insight(&mut self, entry: EntryId) {
        if self.monitor().is_none() {
            return;
        }
        self.stop_dots(entry);
        let endpoint = self.tree.get(entry).endpoint();
        let mut unkeyed = false;
        let (mut rows, mut keys) = (Vec::new(), Vec::new());
        for &c in &self.tree.get(entry).children {
            let n = &self.tree.get(c).node;
            if n.health.is_some() || n.kind != NodeKind::Vm {
                continue;
            }
            match self.vm_key(endpoint, n) {
                Some(key) => {
                    rows.push(c);
                    keys.push(key);
                }
                None => unkeyed = true,
            }
        }
        self.ask_dots(entry, rows, keys);
        if unkeyed && self.backings_known_to(endpoint) {
            let req = self.req();
            self.insight.backings.insert(req, entry);
            let within = Some(&self.tree.get(entry).node).filter(|n| n.kind == NodeKind::VApp);
            self.effects.push(Effect::VmBackings {
                req,
                endpoint,
                within: within.cloned(),
            });
        }
    }

    /// An endpoint connected: when it is the monitoring endpoint or a vCenter (whose VMs, and
    /// the vCD VMs it backs, it keys), the VM rows listed before it was there are asked about
    /// now, each listing as when it ended. A listing whose read runs is left to it.
    pub(crate) fn dots_for_listed(&mut self, connected: EndpointId) {
        let info = self.endpoints[connected].info.as_ref();
        let keys = info.is_some_and(|i| i.capabilities.insight || i.product == Product::Vcenter);
        if !keys || self.monitor().is_none() {
            return;
        }
        let undotted = |e: &super::tree::Entry| {
            (e.children.iter()).any(|&c| {
                let n = &self.tree.get(c).node;
                n.kind == NodeKind::Vm && n.health.is_none()
            })
        };
        let asked = |entry: EntryId| {
            (self.insight.dots.values()).any(|a| a.entry == entry)
                || self.insight.backings.values().any(|&e| e == entry)
        };
        let listed: Vec<EntryId> = (0..self.tree.capacity() as EntryId)
            .filter(|&id| self.tree.is_live(id) && !asked(id))
            .filter(|&id| {
                let e = self.tree.get(id);
                e.load() == &Load::Loaded && undotted(e)
            })
            .collect();
        for entry in listed {
            self.dots_insight(entry);
        }
    }

    /// Whether `endpoint` can name the vCenter VMs behind its VMs and a vCenter that could be
    /// one of theirs is connected with its instance UUID (which Aria Operations keys on).
    fn backings_known_to(&self, endpoint: EndpointId) -> bool {
        let info = self.endpoints[endpoint].info.as_ref();
        info.is_some_and(|i| i.capabilities.backings)
            && (self.endpoints.iter()).any(|e| {
                e.info
                    .as_ref()
                    .is_some_and(|i| i.product == Product::Vcenter && i.instance_uuid.is_some())
            })
    }

    /// Asks the monitoring endpoint for the health of these rows of `entry`, by their keys.
    fn ask_dots(&mut self, entry: EntryId, rows: Vec<EntryId>, keys: Vec<VmKey>) {
        let Some(monitor) = self.monitor() else {
            return;
        };
        if keys.is_empty() {
            return;
        }
        let ids = (rows.iter())
            .map(|&r| id_hash(&self.tree.get(r).node))
            .collect();
        let req = self.req();
        let ask = DotsAsk {
            entry,
            rows,
            ids,
            placed: 0,
        };
        self.insight.dots.insert(req, ask);
        self.effects.push(Effect::VmHealth {
            req,
            endpoint: monitor,
            vms: keys,
        });
    }

    /// The vCenter VMs behind a listing's vCD VMs: the rows whose vCenter is connected are
    /// keyed by it and their health asked for. Nothing is kept on the rows (a backing on each
    /// of 100,000 nodes would cost ~15 MB): `b` and the details read it when wanted. Dots are
    /// extras: a failed read leaves the rows undotted, said in the log only.
    pub(crate) fn on_vm_backings(
        &mut self,
        req: ReqId,
        result: Result<Backings, ApiError>,
    ) -> bool {
        let Some(entry) = self.insight.backings.remove(&req) else {
            return false;
        };
        let backings = match result {
            Ok(b) => b,
            Err(e) => {
                tracing::info!(target: "vnav::insight", error = %e, "no vCenter VMs behind the rows");
                return false;
            }
        };
        if !self.tree.is_live(entry) {
            return false;
        }
        let (rows, keys) = self.keyed_by(entry, &backings);
        // The answer goes before the ask is made: 100,000 VMs' of it are ~10 MB.
        drop(backings);
        self.ask_dots(entry, rows, keys);
        false
    }

    /// The rows of `entry` without a dot whose VM `backings` names on a connected vCenter,
    /// with their keys.
    fn keyed_by(&self, entry: EntryId, backings: &Backings) -> (Vec<EntryId>, Vec<VmKey>) {
        // Each vCenter named is matched to a connected endpoint once, not once a row.
        let uuids: Vec<Option<&str>> = (backings.vcenters.iter())
            .map(|(url, _)| {
                let vc = self.vcenter_at(url)?;
                self.endpoints[vc].info.as_ref()?.instance_uuid.as_deref()
            })
            .collect();
        let by_vm = backings.by_vm();
        let (mut rows, mut keys) = (Vec::new(), Vec::new());
        for &c in &self.tree.get(entry).children {
            let n = &self.tree.get(c).node;
            if n.health.is_some() || n.kind != NodeKind::Vm {
                continue;
            }
            let Some(&at) = by_vm.get(&n.id) else {
                continue;
            };
            let (_, vc, moid) = &backings.vms[at];
            if let Some(uuid) = uuids[*vc as usize] {
                rows.push(c);
                keys.push(VmKey::new(uuid, moid));
            }
        }
        (rows, keys)
    }

    /// Stops the health read for `entry`'s rows, if one runs (its rows are being listed again,
    /// or no longer wanted): parts still on their way are dropped.
    pub(crate) fn stop_dots(&mut self, entry: EntryId) {
        let mut stale = Vec::new();
        let mut keep = |req: &ReqId, of: EntryId| {
            if of == entry {
                stale.push(*req);
            }
            of != entry
        };
        self.insight.dots.retain(|r, a| keep(r, a.entry));
        self.insight.backings.retain(|r, e| keep(r, *e));
        for req in stale {
            self.abandon(req);
        }
    }

    /// A part of a health read: each dot goes on its row, if that row is still the VM asked
    /// about (a refresh may have removed it and given its slot to another).
    pub(crate) fn on_vm_health(&mut self, req: ReqId, dots: Vec<VmHealth>) -> bool {
        let Some(mut ask) = self.insight.dots.remove(&req) else {
            return false;
        };
        if !self.tree.is_live(ask.entry) {
            self.abandon(req);
            return false;
        }
        let before = ask.placed;
        for dot in dots {
            let Some(&row) = ask.rows.get(dot.at as usize) else {
                continue;
            };
            let same = self.tree.is_live(row)
                && self.tree.get(row).parent() == Some(ask.entry)
                && ask.ids.get(dot.at as usize) == Some(&id_hash(&self.tree.get(row).node));
            if same {
                self.place_health(row, Some(dot.health));
                ask.placed += 1;
            }
        }
        let changed = ask.placed > before;
        self.insight.dots.insert(req, ask);
        changed
    }

    /// Puts a health dot on a row. Unless the open table orders or filters by something the
    /// health feeds (`Table::reads_health`: no column shown does), only the drawn row reads
    /// it, so the tree is told to redraw and no more (`Tree::set_health`): 300,000 dots cost
    /// what they write, where each part of them was a change the table's rows and orders
    /// took on (a pass over every row per part, `SortIndex::sync`). Otherwise it is a change
    /// of the node like any other, which the table's order follows.
    pub(crate) fn place_health(&mut self, row: EntryId, health: Option<Health>) {
        match self.table.as_ref().is_some_and(|t| t.reads_health()) {
            true => self.tree.get_mut(row).node.health = health,
            false => {
                self.tree.set_health(row, health);
            }
        }
    }

    /// A health read ended. Dots are extras: a failure leaves the rows as they are, those
    /// dotted so far included, and says how far it got.
    pub(crate) fn on_vm_health_done(
        &mut self,
        req: ReqId,
        endpoint: EndpointId,
        result: Result<(), ApiError>,
    ) -> bool {
        let Some(ask) = self.insight.dots.remove(&req) else {
            return false;
        };
        let Err(e) = result else {
            return false;
        };
        let label = &self.endpoints[endpoint].label;
        let msg = format!(
            "{label}: health dots stopped after {} of {} VMs: {e}",
            ask.placed,
            ask.rows.len()
        );
        self.notify(msg, Severity::Warn);
        true
    }

    /// `i`: from a VM to its resource on the monitoring endpoint, or back.
    pub(crate) fn go_insight(&mut self) -> bool {
        let Some(sel) = self.cursor.selected else {
            return false;
        };
        let (endpoint, node) = {
            let e = self.tree.get(sel);
            (e.endpoint(), e.node.clone())
        };
        let from_monitor = self.endpoints[endpoint]
            .info
            .as_ref()
            .is_some_and(|i| i.capabilities.insight);
        if from_monitor {
            let req = self.req();
            self.insight.waiting.insert(req, Ask::Back);
            self.effects.push(Effect::VmKey {
                req,
                endpoint,
                node,
            });
            return true;
        }
        if let Some(known) = self
            .insight
            .by_vm
            .get(&(endpoint, node.id.as_str().into()))
            .cloned()
        {
            self.open_resource(&known);
            return true;
        }
        let why = if self.monitor().is_none() {
            "i needs a connected Aria Operations endpoint".to_string()
        } else if node.kind != NodeKind::Vm {
            "i goes from a VM to its Aria Operations resource and back".to_string()
        } else {
            match self.vm_key(endpoint, &node) {
                Some(key) => {
                    self.ask_insight(vec![key], false, Ask::Go(endpoint, node.id.as_str().into()));
                    return true;
                }
                None => format!(
                    "vnav cannot tell which vCenter VM {} is (its vCenter must be connected)",
                    node.name
                ),
            }
        };
        self.notify(why, Severity::Warn);
        true
    }

    fn open_resource(&mut self, insight: &VmInsight) {
        let Some(monitor) = self.monitor() else {
            return;
        };
        let target = self.open_node(monitor, insight.resource.clone());
        self.select_entry(target);
        self.focus = super::Pane::Tree;
    }

    pub(crate) fn on_vm_insight(
        &mut self,
        req: ReqId,
        result: Result<Vec<VmInsight>, ApiError>,
    ) -> bool {
        let Some(ask) = self.insight.waiting.remove(&req) else {
            return false;
        };
        let list = match result {
            Ok(list) => list,
            Err(e) => {
                self.notify(format!("Aria Operations: {e}"), Severity::Error);
                return true;
            }
        };
        match ask {
            Ask::Detail(..) | Ask::Go(..) if list.is_empty() => {
                self.notify("Aria Operations does not watch this VM", Severity::Warn);
                true
            }
            Ask::Detail(endpoint, id) => {
                let found = Arc::new(list[0].clone());
                self.insight
                    .by_vm
                    .insert((endpoint, id.clone()), found.clone());
                for e in self.tree.find(endpoint, &id) {
                    self.place_health(e, found.health);
                }
                self.add_insight_section(endpoint, &id, &found);
                true
            }
            Ask::Go(endpoint, id) => {
                let found = Arc::new(list[0].clone());
                self.insight.by_vm.insert((endpoint, id), found.clone());
                self.open_resource(&found);
                true
            }
            Ask::Back => false,
        }
    }

    /// Adds the monitoring endpoint's section to the shown details of (endpoint, id).
    fn add_insight_section(&mut self, endpoint: EndpointId, id: &str, found: &VmInsight) {
        let Some(entry) = self.detail.entry else {
            return;
        };
        let e = self.tree.get(entry);
        if e.endpoint() != endpoint || &*e.node.id.as_str() != id {
            return;
        }
        let DetailState::Loaded(d) = &self.detail.state else {
            return;
        };
        let mut d = (**d).clone();
        let monitor = self.monitor().map(|m| self.endpoints[m].label.clone());
        let mut s = Section::new("Aria Operations");
        s.row(
            "Health",
            crate::api::labels::state(found.health.map_or("unknown", |h| h.label())),
        )
        .row("Active alerts", found.active_alerts.to_string())
        .row(
            "Resource",
            format!(
                "{} on {} (i goes there)",
                found.resource.name,
                monitor.unwrap_or_default()
            ),
        );
        s.series = found.day.clone();
        d.sections.retain(|s| s.title != "Aria Operations");
        // Second, where it shows without scrolling.
        let at = d.sections.len().min(1);
        d.sections.insert(at, s);
        let d = Arc::new(d);
        self.detail.remember(endpoint, d.clone());
        self.detail.state = DetailState::Loaded(d);
    }

    pub(crate) fn on_vm_key(
        &mut self,
        req: ReqId,
        result: Result<Option<VmKey>, ApiError>,
    ) -> bool {
        if self.insight.waiting.remove(&req).is_none() {
            return false;
        }
        let key = match result {
            Ok(Some(key)) => key,
            Ok(None) => {
                self.notify(
                    "i goes from an Aria Operations VM to its vCenter VM; this is not a VM",
                    Severity::Warn,
                );
                return true;
            }
            Err(e) => {
                self.notify(format!("Aria Operations: {e}"), Severity::Error);
                return true;
            }
        };
        let vc = self.endpoints.iter().position(|e| {
            e.info.as_ref().is_some_and(|i| {
                i.product == Product::Vcenter
                    && i.instance_uuid
                        .as_deref()
                        .is_some_and(|u| u.eq_ignore_ascii_case(&key.vcid))
            })
        });
        let Some(vc) = vc else {
            self.notify(
                format!(
                    "VM {} is in vCenter {}, which is not one of vnav's connected endpoints",
                    key.moid, key.vcid
                ),
                Severity::Warn,
            );
            return true;
        };
        let node = Node::new(
            NodeKind::Vm,
            vc_map::node_id(vc_map::VM, &key.moid),
            key.moid.clone(),
        )
        .expandable(true);
        let target = self.open_node(vc, node);
        self.select_entry(target);
        self.focus = super::Pane::Tree;
        true
    }
}

#[cfg(test)]
#[path = "vcd_dots_tests.rs"]
mod vcd_dots_tests;
