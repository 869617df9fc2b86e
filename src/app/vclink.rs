//! One VM seen through vCD and through the vCenter under it. vCD names the vCenter VM behind its
//! VM (to a system administrator: `Node::backing`); vnav matches that vCenter to a connected
//! vCenter endpoint by its URL's host and port (what the VimServer's `Url` and the endpoint's URL
//! share; a name never decides), and keys the link on (vCenter endpoint, moid), since a moid
//! alone repeats across vCenters. Links are learned from what vnav reads (VM details, the
//! snapshot view's rows); with them the snapshot view counts such a VM once and `b` jumps from
//! one side to the other.

use std::collections::HashMap;

use super::App;
use super::tree::{EndpointId, EntryId};
use crate::api::model::{Details, Node, NodeKind, Product, Section, Severity, VimRef, host_port};
use crate::api::vcenter::map as vc_map;

/// One side of a link: endpoint, node id, and a name to show before the node is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    pub endpoint: EndpointId,
    pub id: Box<str>,
    pub name: Box<str>,
}

#[derive(Default)]
pub struct VcLinks {
    /// Endpoint, then node id of either side → the other side. Keyed in two steps so that a
    /// lookup borrows the id: the snapshot view looks up every row on each rebuild.
    other: HashMap<EndpointId, HashMap<Box<str>, Side>>,
}

impl App {
    /// The connected vCenter endpoint vCD's reference points at, if vnav has it.
    pub(crate) fn vcenter_of(&self, r: &VimRef) -> Option<EndpointId> {
        self.vcenter_at(&r.vcenter_url)
    }

    /// The connected vCenter endpoint at `url`'s host and port (as `VimRef::is_at` matches).
    pub(crate) fn vcenter_at(&self, url: &str) -> Option<EndpointId> {
        let at = host_port(url)?;
        self.endpoints.iter().position(|e| {
            e.info.as_ref().is_some_and(|i| {
                i.product == Product::Vcenter && host_port(&i.url).as_ref() == Some(&at)
            })
        })
    }

    /// The URLs of the connected vCenter endpoints: a vCD snapshot read leaves the sizes of
    /// their VMs to them.
    pub(crate) fn connected_vcenters(&self) -> Vec<Box<str>> {
        self.endpoints
            .iter()
            .filter_map(|e| e.info.as_ref())
            .filter(|i| i.product == Product::Vcenter)
            .map(|i| i.url.as_str().into())
            .collect()
    }

    /// Records the link a vCD VM carries, if its vCenter is one of vnav's endpoints. Returns
    /// the vCenter side.
    pub(crate) fn learn_link(&mut self, endpoint: EndpointId, node: &Node) -> Option<Side> {
        let r = node.backing()?;
        let vc = self.vcenter_of(r)?;
        self.learn_link_to(endpoint, node, vc)
    }

    /// `learn_link`, the vCenter endpoint already matched: thousands of rows name the same
    /// few vCenter URLs, so a pass over them matches (parses) each URL once.
    pub(crate) fn learn_link_to(
        &mut self,
        endpoint: EndpointId,
        node: &Node,
        vcenter: EndpointId,
    ) -> Option<Side> {
        let r = node.backing().filter(|_| node.kind == NodeKind::Vm)?;
        // Known as it is (each rebuild of the snapshot view passes every row again).
        let id = node.id.as_str();
        if let Some(known) = self.same_vm(endpoint, &id)
            && known.endpoint == vcenter
            && vc_map::moid(&known.id) == &*r.moid
            && (self.same_vm(vcenter, &known.id)).is_some_and(|back| {
                back.endpoint == endpoint && *back.id == *id && *back.name == *node.name
            })
        {
            return Some(known.clone());
        }
        let vc = Side {
            endpoint: vcenter,
            id: vc_map::node_id(vc_map::VM, &r.moid).into(),
            name: r.moid.clone(),
        };
        let vcd = Side {
            endpoint,
            id: id.as_ref().into(),
            name: node.name.as_str().into(),
        };
        let other = &mut self.vc_links.other;
        let vcd_id = vcd.id.clone();
        other
            .entry(vc.endpoint)
            .or_default()
            .insert(vc.id.clone(), vcd);
        other
            .entry(endpoint)
            .or_default()
            .insert(vcd_id, vc.clone());
        Some(vc)
    }

    /// The same VM on the other side, when vnav knows it.
    pub fn same_vm(&self, endpoint: EndpointId, id: &str) -> Option<&Side> {
        self.vc_links.other.get(&endpoint)?.get(id)
    }

    /// A details line naming the other side and the key that goes there: the last of the
    /// first section, where it shows without scrolling and pushes little else down.
    pub(crate) fn add_same_vm_line(&self, endpoint: EndpointId, d: &mut Details) {
        let Some(other) = self.same_vm(endpoint, &d.node.id.as_str()) else {
            return;
        };
        let label = &self.endpoints[other.endpoint].label;
        let key = match self.endpoints[other.endpoint]
            .info
            .as_ref()
            .map(|i| i.product)
        {
            Some(Product::Vcenter) => "vCenter VM",
            _ => "vCloud Director VM",
        };
        let text = format!("{} on {label} (b goes there)", other.name);
        match d.sections.first_mut() {
            Some(s) => {
                s.row(key, text);
            }
            None => {
                let mut s = Section::new("Same VM");
                s.row(key, text);
                d.sections.push(s);
            }
        }
    }

    /// `b`: from a vCD VM to its vCenter VM, or back. The target is selected where the tree
    /// has it; a VM not loaded yet is opened by id under its endpoint, so its details show.
    pub(crate) fn go_to_same_vm(&mut self) -> bool {
        let Some(sel) = self.cursor.selected else {
            return false;
        };
        let (endpoint, node) = {
            let e = self.tree.get(sel);
            (e.endpoint(), e.node.clone())
        };
        if node.kind != NodeKind::Vm {
            self.notify(
                "b goes from a VM to the same VM on the other side",
                Severity::Warn,
            );
            return true;
        }
        let other = self
            .learn_link(endpoint, &node)
            .or_else(|| self.same_vm(endpoint, &node.id.as_str()).cloned());
        let Some(other) = other else {
            let why = match node.backing() {
                Some(r) => format!(
                    "{} is in vCenter {} ({}), which is not one of vnav's connected endpoints",
                    node.name, r.vcenter_name, r.vcenter_url
                ),
                None => match self.endpoints[endpoint].info.as_ref().map(|i| i.product) {
                    Some(Product::Vcenter) => format!(
                        "no vCD VM known for {} (vnav learns it from a vCD VM's details or the snapshot view)",
                        node.name
                    ),
                    _ => format!(
                        "vCD does not say which vCenter VM {} is (it tells system administrators only; open its details first)",
                        node.name
                    ),
                },
            };
            self.notify(why, Severity::Warn);
            return true;
        };
        let target = self.entry_for(&other);
        self.select_entry(target);
        self.focus = super::Pane::Tree;
        true
    }

    /// The tree entry of `side` (see `App::open_node`).
    fn entry_for(&mut self, side: &Side) -> EntryId {
        let node = Node::new(NodeKind::Vm, side.id.clone(), side.name.clone()).expandable(true);
        self.open_node(side.endpoint, node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::EndpointInfo;
    use crate::app::EndpointSpec;
    use crate::theme::Theme;

    /// vCD plus two vCenters whose VMs share moids, as separate vCenters do.
    fn app() -> App {
        let spec = EndpointSpec::named;
        let mut app = App::new(
            vec![spec("vcd"), spec("vc-a"), spec("vc-b")],
            Theme::default(),
            false,
        );
        let info = |product, url: &str| EndpointInfo {
            product,
            url: url.into(),
            user: "u".into(),
            api_version: "x".into(),
            capabilities: crate::api::model::Capabilities::ALL,
            instance_uuid: None,
        };
        app.endpoints[0].info = Some(info(Product::Vcd, "https://vcd.example.com"));
        app.endpoints[1].info = Some(info(Product::Vcenter, "https://vc-a.example.com"));
        app.endpoints[2].info = Some(info(Product::Vcenter, "https://VC-B.example.com:443/"));
        app
    }

    fn vcd_vm(id: &str, vcenter: &str, moid: &str) -> Node {
        let mut n = Node::new(NodeKind::Vm, id, id);
        n.set_backing(Some(VimRef {
            vcenter_url: vcenter.into(),
            vcenter_name: "some vCenter".into(),
            moid: moid.into(),
        }));
        n
    }

    #[test]
    fn links_key_on_the_vcenter_and_the_moid_never_the_moid_alone() {
        let mut app = app();
        let on_b = vcd_vm("vcd-vm-1", "https://vc-b.example.com", "vm-42");
        let side = app.learn_link(0, &on_b).expect("vc-b is an endpoint");
        assert_eq!((side.endpoint, &*side.id), (2, "vm/vm-42"));
        assert_eq!(app.same_vm(2, "vm/vm-42").map(|s| &*s.id), Some("vcd-vm-1"));
        assert_eq!(
            app.same_vm(1, "vm/vm-42"),
            None,
            "vc-a's vm-42 is another VM"
        );

        let elsewhere = vcd_vm("vcd-vm-2", "https://vc-c.example.com", "vm-42");
        assert_eq!(
            app.learn_link(0, &elsewhere),
            None,
            "not one of vnav's endpoints"
        );
        let other_port = vcd_vm("vcd-vm-3", "https://vc-a.example.com:8443", "vm-7");
        assert_eq!(
            app.learn_link(0, &other_port),
            None,
            "same host, other port"
        );
        let mut tenant = vcd_vm("vcd-vm-4", "", "");
        tenant.set_backing(None);
        assert_eq!(app.learn_link(0, &tenant), None);
    }

    /// A link learned again (each rebuild of the snapshot view) follows what changed: a
    /// renamed vCD VM, a VM now backed by another vCenter VM, a second vCD VM naming it.
    #[test]
    fn a_link_learned_again_follows_what_changed() {
        let mut app = app();
        let mut vm = vcd_vm("vcd-vm-1", "https://vc-a.example.com", "vm-42");
        app.learn_link(0, &vm);
        assert_eq!(
            app.learn_link(0, &vm).map(|s| s.id),
            Some("vm/vm-42".into())
        );
        vm.name = "renamed".into();
        app.learn_link(0, &vm);
        assert_eq!(
            app.same_vm(1, "vm/vm-42").map(|s| &*s.name),
            Some("renamed")
        );
        let mut moved = vm.backing().cloned().unwrap();
        moved.moid = "vm-43".into();
        vm.set_backing(Some(moved));
        app.learn_link(0, &vm);
        assert_eq!(app.same_vm(0, "vcd-vm-1").map(|s| &*s.id), Some("vm/vm-43"));
        assert_eq!(app.same_vm(1, "vm/vm-43").map(|s| &*s.id), Some("vcd-vm-1"));
        let twin = vcd_vm("vcd-vm-2", "https://vc-a.example.com", "vm-43");
        app.learn_link(0, &twin);
        app.learn_link(0, &vm);
        assert_eq!(app.same_vm(1, "vm/vm-43").map(|s| &*s.id), Some("vcd-vm-1"));
    }
}
