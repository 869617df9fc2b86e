//! Where a vCD object sits in the tree (`Backend::ancestors`, for `:goto`): every entity's
//! document names its parent with a `rel="up"` link (a VM its vApp, a vApp its VDC, a VDC,
//! catalog or org network its org, an org VDC network its VDC), so reading up the links to the
//! org gives the path. The tree shows what browsing lists: an org's VDCs, catalogs and
//! networks, a VDC's vApps, a vApp's VMs; a network's VDC is read past, not shown.

use super::map;
use super::session::Session;
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{Node, NodeKind};
use crate::api::xml::Element;

/// The kinds a browse passes from the endpoint to a node of `kind`, the org first.
fn path_kinds(kind: NodeKind) -> Option<&'static [NodeKind]> {
    use NodeKind::*;
    Some(match kind {
        Vm => &[Org, Vdc, VApp],
        VApp => &[Org, Vdc],
        Vdc | Catalog | Network => &[Org],
        CatalogItem => &[Org, Catalog],
        _ => return None,
    })
}

/// More parents than any path has: a server whose links go round stops here.
const MAX_UP: usize = 6;

/// The nodes a browse passes from the endpoint to `node`, the org first: one read of the
/// node's document and of each parent's up to the org (a VM: four).
pub async fn ancestors(session: &Session, node: &Node) -> ApiResult<Vec<Node>> {
    let want = path_kinds(node.kind).ok_or_else(|| {
        ApiError::Unsupported(format!("{} sits under the endpoint", node.kind.label()))
    })?;
    let doc = session.get(&node.id.as_str()).await?;
    let mut href = up_link(&doc.root).ok_or_else(|| no_parent(&node.name))?;
    let mut up = Vec::new();
    for _ in 0..MAX_UP {
        let doc = session.get(&href).await?;
        let parent = map::entity_node(&doc.root);
        if parent.kind == NodeKind::Org {
            up.push(parent);
            up.reverse();
            return path(up, want, node);
        }
        href = up_link(&doc.root).ok_or_else(|| no_parent(&parent.name))?;
        up.push(parent);
    }
    Err(ApiError::parse(format!(
        "{}: no org within {MAX_UP} up links",
        node.name
    )))
}

/// The parents the tree shows, in order; an error when the server's links name others.
fn path(up: Vec<Node>, want: &[NodeKind], node: &Node) -> ApiResult<Vec<Node>> {
    let shown: Vec<Node> = up.into_iter().filter(|n| want.contains(&n.kind)).collect();
    if shown.iter().map(|n| n.kind).eq(want.iter().copied()) {
        Ok(shown)
    } else {
        let got: Vec<&str> = shown.iter().map(|n| n.kind.label()).collect();
        Err(ApiError::parse(format!(
            "{}'s up links lead through {}",
            node.name,
            got.join(" › ")
        )))
    }
}

/// The entity's own `up` link (not a child's: a vApp embeds its VMs with theirs); the XML
/// one when the server offers the JSON type too.
fn up_link(root: &Element) -> Option<String> {
    root.children_named("Link")
        .filter(|l| l.attr("rel") == Some("up"))
        .filter(|l| !l.attr("type").unwrap_or("").ends_with("+json"))
        .find_map(|l| l.attr("href"))
        .map(str::to_string)
}

fn no_parent(name: &str) -> ApiError {
    ApiError::parse(format!("{name} names no parent (no up link)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::xml;

    fn sample(name: &str) -> xml::Element {
        let path = format!(
            "{}/tests/fixtures/vcd/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        xml::parse(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn real_documents_name_their_parent_by_their_own_up_link() {
        let up = |name| up_link(&sample(name)).unwrap();
        assert!(up("vm.xml").ends_with("/api/vApp/vapp-6ef7767a-9522-4f8a-aa61-772ea1dc3145"));
        // Its VMs' links (up to the vApp itself) come after its own.
        assert!(up("vapp.xml").ends_with("/api/vdc/48eccd77-02e8-4c3d-b92d-ed1cb64b9729"));
        assert!(up("vdc.xml").ends_with("/api/org/c076f90a-397a-49fa-89b8-b294c1599cd0"));
        assert!(
            up("org_vdc_network.xml").ends_with("/api/vdc/214cd6b2-3f7a-4ee5-9b0a-52b4001a4a84")
        );
        let kinds: Vec<NodeKind> = ["vm.xml", "vapp.xml", "vdc.xml"]
            .iter()
            .map(|f| map::entity_node(&sample(f)).kind)
            .collect();
        assert_eq!(kinds, [NodeKind::Vm, NodeKind::VApp, NodeKind::Vdc]);
    }

    #[test]
    fn a_networks_vdc_is_read_past_and_a_wrong_chain_is_an_error() {
        let n = |kind, name: &str| Node::new(kind, format!("https://vcd/api/{name}"), name);
        let org = n(NodeKind::Org, "acme");
        let vdc = n(NodeKind::Vdc, "gold");
        let net = n(NodeKind::Network, "net-1");
        let got = path(vec![org.clone(), vdc.clone()], &[NodeKind::Org], &net).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(&*got[0].name, "acme");
        let vm = n(NodeKind::Vm, "web-1");
        assert!(
            path(
                vec![org, vdc],
                &[NodeKind::Org, NodeKind::Vdc, NodeKind::VApp],
                &vm
            )
            .is_err()
        );
    }
}
