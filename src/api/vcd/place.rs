//! Where a vCD object sits in the tree (`Backend::ancestors`, for `:goto`): every entity's
//! document names its parent with a `rel="up"` link (a VM its vApp, a vApp its VDC, a VDC,
//! catalog or org network its org, an org VDC network its VDC), so reading up the links to the
//! org gives the path. The tree shows what browsing lists: an org's VDCs, catalogs and
//! networks, a VDC's vApps, a vApp's VMs; a network's VDC is read past, not shown.
//!
//! A VM's query record already names its vApp (`container`) and VDC (`vdc`), and a system
//! administrator's its org (`org`): `:goto` found the VM through that record, so those levels
//! are read at once instead of one up link after another (two round trips for an
//! administrator, three for a tenant, where the walk took four). The documents' own up links
//! must agree with the record, else the walk decides, so the path is the walk's either way.

use std::future::Future;

use futures::future::join3;

use super::VcdBackend;
use super::map;
use super::query::{self, Query};
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{Node, NodeKind};
use crate::api::xml::Element;

/// What placing reads: entity documents, and where a VM's query record says it sits. The
/// backend reads the server; tests count the round trips.
pub trait Reader: Sync {
    fn doc(&self, href: &str) -> impl Future<Output = ApiResult<Element>> + Send;

    /// The VM's vApp, VDC and (to an administrator) org, from its query record; None when
    /// not known (no record, a query refused): the up links are walked instead.
    fn vm_up(&self, href: &str) -> impl Future<Output = Option<VmUp>> + Send;
}

/// Where a VM's query record says it sits (`container`, `vdc`, `org` hrefs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmUp {
    pub vapp: String,
    pub vdc: String,
    /// Only an `adminVM` record names it.
    pub org: Option<String>,
}

impl VmUp {
    pub fn of_record(r: &Element) -> Option<VmUp> {
        let href = |k| r.attr(k).filter(|v| !v.is_empty()).map(str::to_string);
        Some(VmUp {
            vapp: href("container")?,
            vdc: href("vdc")?,
            org: href("org"),
        })
    }
}

/// The record fields `VmUp` reads, for a tenant's `vm` and an administrator's `adminVM` query.
pub const UP_FIELDS: &str = "container,vdc";
pub const ADMIN_UP_FIELDS: &str = "container,vdc,org";

/// What `find` learnt of a VM's place, kept for its `:goto` (the newest few hundred).
#[derive(Default)]
pub struct Known(std::sync::Mutex<std::collections::HashMap<String, VmUp>>);

impl Known {
    const KEEP: usize = 512;

    pub fn learn(&self, href: &str, up: VmUp) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= Self::KEEP {
            known.clear();
        }
        known.insert(href.to_string(), up);
    }

    fn get(&self, href: &str) -> Option<VmUp> {
        let known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        known.get(href).cloned()
    }
}

impl Reader for VcdBackend {
    async fn doc(&self, href: &str) -> ApiResult<Element> {
        Ok(self.session.get(href).await?.root)
    }

    async fn vm_up(&self, href: &str) -> Option<VmUp> {
        if let Some(up) = self.places.get(href) {
            return Some(up);
        }
        let (kind, fields) = match self.info.read().await.is_system() {
            true => ("adminVM", ADMIN_UP_FIELDS),
            false => ("vm", UP_FIELDS),
        };
        // By its uuid (`…/vApp/vm-<uuid>`), as `vm_record` asks.
        let uuid = href.rsplit('/').next()?.trim_start_matches("vm-");
        let mut q = Query::new(kind)
            .filter(format!("id=={uuid}"))
            .fields(fields);
        q.page_size = 1;
        match query::records(&self.session, &q).await {
            Ok(records) => records.first().and_then(VmUp::of_record),
            Err(e) => {
                tracing::debug!(target: "vnav::vcd", "no VM record to place it: {e}");
                None
            }
        }
    }
}

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

/// The nodes a browse passes from the endpoint to `node`, the org first: a VM's levels read
/// at once where its record names them, else one read of the node's document and of each
/// parent's up to the org (a VM: four).
pub async fn ancestors<R: Reader>(r: &R, node: &Node) -> ApiResult<Vec<Node>> {
    let want = path_kinds(node.kind).ok_or_else(|| {
        ApiError::Unsupported(format!("{} sits under the endpoint", node.kind.label()))
    })?;
    if node.kind == NodeKind::Vm
        && let Some(up) = r.vm_up(&node.id.as_str()).await
        && let Some(chain) = from_record(r, &up, want, node).await?
    {
        return Ok(chain);
    }
    walk(r, node, want).await
}

/// The VM's vApp, VDC and (when named) org read at once; None when their up links do not
/// lead where the record said (the walk then decides).
async fn from_record<R: Reader>(
    r: &R,
    up: &VmUp,
    want: &[NodeKind],
    node: &Node,
) -> ApiResult<Option<Vec<Node>>> {
    let org = async {
        match &up.org {
            Some(href) => r.doc(href).await.map(Some),
            None => Ok(None),
        }
    };
    let (vapp, vdc, org) = join3(r.doc(&up.vapp), r.doc(&up.vdc), org).await;
    let (vapp, vdc) = (vapp?, vdc?);
    if up_link(&vapp).as_deref() != Some(up.vdc.as_str()) {
        return Ok(None);
    }
    let org_href = up_link(&vdc).ok_or_else(|| no_parent(&map::entity_node(&vdc).name))?;
    let org = match org? {
        Some(org) if up.org.as_deref() == Some(org_href.as_str()) => org,
        Some(_) => return Ok(None),
        None => r.doc(&org_href).await?,
    };
    let up = [&org, &vdc, &vapp].map(map::entity_node);
    if up[0].kind != NodeKind::Org {
        return Ok(None);
    }
    path(up.into(), want, node).map(Some)
}

/// Up the `rel="up"` links from the node's own document to the org, one read at a time.
async fn walk<R: Reader>(r: &R, node: &Node, want: &[NodeKind]) -> ApiResult<Vec<Node>> {
    let doc = r.doc(&node.id.as_str()).await?;
    let mut href = up_link(&doc).ok_or_else(|| no_parent(&node.name))?;
    let mut up = Vec::new();
    for _ in 0..MAX_UP {
        let doc = r.doc(&href).await?;
        let parent = map::entity_node(&doc);
        if parent.kind == NodeKind::Org {
            up.push(parent);
            up.reverse();
            return path(up, want, node);
        }
        href = up_link(&doc).ok_or_else(|| no_parent(&parent.name))?;
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

    /// A small org › VDC › vApp › VM world behind a 20 ms round trip, counting requests; on
    /// tokio's paused clock the time taken says how many round trips went one after another.
    struct World {
        docs: std::collections::HashMap<String, Element>,
        /// What the VM's record says, and whether it must be read (else `find` knew it).
        record: Option<(VmUp, bool)>,
        requests: std::sync::atomic::AtomicUsize,
    }

    const H: &str = "https://vcd/api";

    fn doc(tag: &str, href: &str, name: &str, up: &str) -> (String, Element) {
        let text = format!(
            r#"<{tag} xmlns="http://www.vmware.com/vcloud/v1.5" href="{H}/{href}" name="{name}">
            <Link rel="up" href="{H}/{up}" type="application/vnd.vmware.vcloud.x+xml"/>
            <Link rel="up" href="{H}/{up}" type="application/vnd.vmware.vcloud.x+json"/></{tag}>"#
        );
        (format!("{H}/{href}"), xml::parse(text.as_bytes()).unwrap())
    }

    impl World {
        fn new(record: Option<(VmUp, bool)>) -> World {
            let docs = [
                doc("Org", "org/o1", "acme", "org"),
                doc("Vdc", "vdc/d1", "gold", "org/o1"),
                doc("Vdc", "vdc/d2", "silver", "org/o1"),
                doc("VApp", "vApp/vapp-1", "shop", "vdc/d1"),
                doc("Vm", "vApp/vm-1", "web-1", "vApp/vapp-1"),
            ];
            World {
                docs: docs.into_iter().collect(),
                record,
                requests: Default::default(),
            }
        }

        async fn trip(&self) {
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    impl Reader for World {
        async fn doc(&self, href: &str) -> ApiResult<Element> {
            self.trip().await;
            (self.docs.get(href).cloned()).ok_or_else(|| ApiError::parse(format!("no {href}")))
        }

        async fn vm_up(&self, _href: &str) -> Option<VmUp> {
            let (up, read) = self.record.clone()?;
            if read {
                self.trip().await;
            }
            Some(up)
        }
    }

    fn up(vdc: &str, org: Option<&str>) -> VmUp {
        VmUp {
            vapp: format!("{H}/vApp/vapp-1"),
            vdc: format!("{H}/{vdc}"),
            org: org.map(|o| format!("{H}/{o}")),
        }
    }

    /// (round trips, requests, the chain's ids) to place the VM.
    async fn cost(record: Option<(VmUp, bool)>) -> (u128, usize, Vec<String>) {
        let world = World::new(record);
        let vm = Node::new(NodeKind::Vm, format!("{H}/vApp/vm-1"), "web-1");
        let start = tokio::time::Instant::now();
        let chain = ancestors(&world, &vm).await.unwrap();
        let trips = start.elapsed().as_millis() / 20;
        let ids = chain.iter().map(|n| n.id.to_string()).collect();
        let requests = world.requests.load(std::sync::atomic::Ordering::Relaxed);
        (trips, requests, ids)
    }

    #[tokio::test(start_paused = true)]
    async fn a_vms_levels_named_by_its_record_are_read_at_once() {
        let walked = cost(None).await;
        assert_eq!(
            (walked.0, walked.1),
            (4, 4),
            "the VM, its vApp, VDC and org"
        );
        let chain = walked.2.clone();
        assert_eq!(
            chain,
            [
                format!("{H}/org/o1"),
                format!("{H}/vdc/d1"),
                format!("{H}/vApp/vapp-1")
            ]
        );
        // Known from `find`: an administrator's record names the org too.
        let admin = up("vdc/d1", Some("org/o1"));
        assert_eq!(
            cost(Some((admin.clone(), false))).await,
            (1, 3, chain.clone())
        );
        // A tenant's does not: the VDC's up link names it.
        let tenant = up("vdc/d1", None);
        assert_eq!(
            cost(Some((tenant.clone(), false))).await,
            (2, 3, chain.clone())
        );
        // Not known: the record is read first.
        assert_eq!(cost(Some((admin, true))).await, (2, 4, chain.clone()));
        assert_eq!(cost(Some((tenant, true))).await, (3, 4, chain.clone()));
        // A record the documents contradict (the vApp is in gold, not silver): the walk's
        // answer, not the record's.
        let wrong = cost(Some((up("vdc/d2", Some("org/o1")), false))).await;
        assert_eq!(wrong.2, chain);
        assert_eq!(wrong.1, 3 + 4);
    }
}
