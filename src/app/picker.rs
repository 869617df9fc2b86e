//! What a form's object picker offers for an SDK type: the objects of that type from the other
//! endpoints (a vCenter VM for `VC:VirtualMachine`, a vCD vApp for `vCloud:VApp`), with the id
//! the Orchestrator plugin takes for each. Opening the form lists every such object on the
//! endpoints that have them (as `:vm` would), and the choices grow as the pages arrive.

use crate::api::model::{Node, NodeKind, ParamType, Product};

use super::dialog::Dialog;
use super::form::Choice;
use super::{App, Overlay};

/// The product and node kind behind an SDK type, None for a type vnav has no objects of.
fn source(ty: &str) -> Option<(Product, NodeKind)> {
    match ty {
        "VC:VirtualMachine" => Some((Product::Vcenter, NodeKind::Vm)),
        "VC:HostSystem" => Some((Product::Vcenter, NodeKind::Host)),
        "VC:Datastore" => Some((Product::Vcenter, NodeKind::Datastore)),
        "VC:ClusterComputeResource" => Some((Product::Vcenter, NodeKind::Cluster)),
        "vCloud:VApp" => Some((Product::Vcd, NodeKind::VApp)),
        "vCloud:VM" => Some((Product::Vcd, NodeKind::Vm)),
        _ => None,
    }
}

/// The id a plugin object is given by: a vCenter object's moid (the plugin's ids end in it),
/// a vCD entity's URN (`urn:vcloud:vapp:<uuid>`, from the href's last segment).
fn sdk_id(product: Product, node: &Node) -> String {
    let id = node.id.as_str();
    let last = id.trim_end_matches('/').rsplit('/').next().unwrap_or(&id);
    match product {
        Product::Vcd => match last.split_once('-') {
            Some((kind, uuid)) if !id.starts_with("urn:") => {
                format!("urn:vcloud:{}:{uuid}", kind.to_lowercase())
            }
            _ => node.id.to_string(),
        },
        _ => last.to_string(),
    }
}

impl App {
    /// Asks every connected endpoint of the product behind `ty` for all its objects of that
    /// kind (once; the listing is shared with the `:kind` tables).
    pub(crate) fn list_for_picker(&mut self, ty: &str) {
        let Some((product, kind)) = source(ty) else {
            return;
        };
        for endpoint in 0..self.endpoints.len() {
            if self.endpoints[endpoint].info.as_ref().map(|i| i.product) == Some(product) {
                self.listed_kind(endpoint, kind);
            }
        }
    }

    /// After the tree changed under an open form: its pickers' choices again, the picked
    /// object kept.
    pub(crate) fn refresh_form_choices(&mut self) {
        let Some(Overlay::Dialog(Dialog::Form(d))) = &self.overlay else {
            return;
        };
        // Choices walk the whole tree: only when it changed, not on every key.
        if self.form_choices_for == Some(self.tree.content) {
            return;
        }
        self.form_choices_for = Some(self.tree.content);
        let fresh: Vec<Option<Vec<Choice>>> = d
            .form
            .fields
            .iter()
            .map(|f| match &f.spec.ty {
                ParamType::SdkObject(ty) => Some(self.choices_for(ty.as_ref())),
                _ => None,
            })
            .collect();
        let Some(Overlay::Dialog(Dialog::Form(d))) = &mut self.overlay else {
            return;
        };
        for (f, choices) in d.form.fields.iter_mut().zip(fresh) {
            let Some(choices) = choices.filter(|c| *c != f.choices) else {
                continue;
            };
            let picked = f.picked_choice().map(|c| c.id.clone());
            f.picked = picked.and_then(|id| choices.iter().position(|c| c.id == id));
            f.choices = choices;
        }
    }

    /// Every known object of the SDK type `ty` (in the tree or listed for a table or picker),
    /// each once, by name.
    pub(crate) fn choices_for(&self, ty: &str) -> Vec<Choice> {
        let Some((product, kind)) = source(ty) else {
            return Vec::new();
        };
        let listed = self
            .table_roots
            .iter()
            .filter(|((_, k), _)| *k == kind)
            .flat_map(|(_, r)| self.tree.get(*r).children.iter().copied());
        let mut out: Vec<Choice> = Vec::new();
        for id in self.tree.iter_all().chain(listed) {
            let e = self.tree.get(id);
            let ep = &self.endpoints[e.endpoint()];
            if e.node.kind != kind || ep.info.as_ref().map(|i| i.product) != Some(product) {
                continue;
            }
            let choice = Choice {
                id: sdk_id(product, &e.node),
                name: e.node.name.to_string(),
                about: format!("{} · {}", kind.label(), ep.label),
            };
            if !out
                .iter()
                .any(|c| c.id == choice.id && c.about == choice.about)
            {
                out.push(choice);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_what_the_plugins_take() {
        let vm = Node::new(NodeKind::Vm, "vm/vm-42", "web-01");
        assert_eq!(sdk_id(Product::Vcenter, &vm), "vm-42");
        let vapp = Node::new(
            NodeKind::VApp,
            "https://vcd/api/vApp/vapp-6a1b0c2d-0000-4000-8000-000000000001",
            "shop",
        );
        assert_eq!(
            sdk_id(Product::Vcd, &vapp),
            "urn:vcloud:vapp:6a1b0c2d-0000-4000-8000-000000000001"
        );
    }
}
