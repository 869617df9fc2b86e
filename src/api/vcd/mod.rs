//! vCloud Director backend: the tree is Orgs (with their VDCs, catalogs and networks, found
//! through `rel="down"` links), vApps of a VDC from the query service, VMs embedded in their
//! vApp, and an "All VMs" group that pages the whole VM query in parallel.

mod actions;
mod copies;
pub mod events;
pub mod map;
mod place;
mod provider_sections;
pub mod query;
pub mod sections;
pub mod session;
mod snapshots;
mod vim_link;
mod vm_record;

use async_trait::async_trait;
use secrecy::SecretString;
use tokio::sync::RwLock;

use self::query::{Paging, Query};
use self::session::{Credentials, Session, SessionInfo};
use super::backend::{Backend, ChildSink, SprawlSink};
use super::error::{ApiError, ApiResult};
use super::http::{Http, HttpOptions, endpoint_url};
use super::model::{
    ActionOffer, ActionParams, Backings, Capabilities, Details, EndpointInfo, Node, NodeKind,
    Product, Raw, RawFormat, SprawlRow, TaskInfo,
};
use super::xml;

const ALL_VMS: &str = "query:vm";

/// A value that can stand in a FIQL term as it is: none of FIQL's reserved characters (which
/// servers do not agree on how to escape), so such text is not searched that way.
fn fiql_value(v: &str) -> Option<&str> {
    (!v.is_empty() && !v.contains([';', ',', '(', ')', '=', '!', '<', '>', '\\', '*', '\'']))
        .then_some(v)
}
const NS: &str = "http://www.vmware.com/vcloud/v1.5";

#[derive(Debug)]
pub struct VcdConfig {
    pub url: String,
    pub user: String,
    pub password: SecretString,
    pub http: HttpOptions,
}

pub struct VcdBackend {
    session: Session,
    info: RwLock<SessionInfo>,
    label: String,
    /// VimServer href → the URL and name of the vCenter it names (see `vim_link`).
    vim_servers: std::sync::Mutex<std::collections::HashMap<String, (String, String)>>,
    /// Where the VMs `find` found sit, from their records, for `:goto` to place them.
    places: place::Known,
}

/// What a VM row and its columns show (`map::record_node`), nothing more. Owner and snapshot
/// date exist only on the tenant `vm` type.
const ADMIN_VM_FIELDS: &str = "name,status,containerName,numberOfCpus,memoryMB,guestOs,ipAddress";
const VM_FIELDS: &str = "name,status,containerName,numberOfCpus,memoryMB,guestOs,ipAddress,\
                         ownerName,snapshotCreated";
/// `find`'s: the row's, and where the VM sits (`place::UP_FIELDS`, `ADMIN_UP_FIELDS`).
const FIND_ADMIN_VM_FIELDS: &str =
    "name,status,containerName,numberOfCpus,memoryMB,guestOs,ipAddress,container,vdc,org";
const FIND_VM_FIELDS: &str = "name,status,containerName,numberOfCpus,memoryMB,guestOs,ipAddress,\
                              ownerName,snapshotCreated,container,vdc";

impl VcdBackend {
    pub fn new(config: VcdConfig) -> ApiResult<VcdBackend> {
        let parsed = endpoint_url(&config.url)?;
        let base = config.url.trim_end_matches('/').trim_end_matches("/api");
        let label = parsed.host_str().unwrap_or("vcd").to_string();
        let http = Http::new(config.http)?;
        let creds = Credentials {
            user: config.user,
            password: config.password,
        };
        Ok(VcdBackend {
            session: Session::new(http, base, creds),
            info: RwLock::new(SessionInfo::default()),
            label,
            vim_servers: Default::default(),
            places: Default::default(),
        })
    }

    /// Speak exactly this API version (e.g. "36.0") instead of the highest common one.
    pub fn with_api_version(mut self, version: &str) -> VcdBackend {
        self.session.pin_version(version);
        self
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Lists every VM through the query service; returns how many requests it took.
    pub async fn list_all_vms(&self, paging: Paging, sink: &ChildSink) -> ApiResult<u64> {
        query::walk(
            &self.session,
            &self.vm_query().await,
            paging,
            "listing VMs",
            sink,
        )
        .await
    }

    async fn vm_query(&self) -> Query {
        let (kind, fields) = if self.info.read().await.is_system() {
            ("adminVM", ADMIN_VM_FIELDS)
        } else {
            ("vm", VM_FIELDS)
        };
        Query::new(kind)
            .filter("isVAppTemplate==false")
            .fields(fields)
    }

    /// VMs by href, URN/uuid, IP or name (exact, then containing), through the query service:
    /// one small query per way of matching, none of which needs the VM loaded. Their records
    /// also say where each sits, kept for `:goto` to place the one chosen (`place`).
    async fn find_vms(&self, text: &str) -> ApiResult<Vec<Node>> {
        let text = text.trim();
        let mut base = self.vm_query().await;
        base.fields = Some(match self.info.read().await.is_system() {
            true => FIND_ADMIN_VM_FIELDS,
            false => FIND_VM_FIELDS,
        });
        let mut filters = Vec::new();
        let Some(value) = fiql_value(text) else {
            return Ok(Vec::new());
        };
        let uuid = value.rsplit(':').next().unwrap_or(value);
        if value.starts_with("http") {
            filters.push(format!("href=={value}"));
        } else if uuid.len() == 36 && uuid.bytes().filter(|b| *b == b'-').count() == 4 {
            filters.push(format!("id=={uuid}"));
        }
        if value.parse::<std::net::IpAddr>().is_ok() {
            filters.push(format!("ipAddress=={value}"));
        }
        filters.push(format!("name=={value}"));
        filters.push(format!("name==*{value}*"));
        let mut found: Vec<Node> = Vec::new();
        for f in filters {
            let mut q = base.clone();
            q.filter = Some(format!("isVAppTemplate==false;{f}"));
            q.page_size = 25;
            // A way of matching this server does not know (a bad request) is not the answer.
            let records = match query::records(&self.session, &q).await {
                Ok(r) => r,
                Err(ApiError::Server { status: 400, .. }) => continue,
                Err(e) => return Err(e),
            };
            for (r, n) in records
                .iter()
                .filter_map(|r| Some((r, map::record_node(r)?)))
            {
                if let Some(up) = place::VmUp::of_record(r) {
                    self.places.learn(&n.id.as_str(), up);
                }
                if !found.iter().any(|f| f.id == n.id) {
                    found.push(n);
                }
            }
        }
        Ok(found)
    }

    /// vApps, VDCs and networks whose name contains `text`: one small query of each type, asked
    /// together. A type the server refuses leaves the others (and the VMs) to answer.
    async fn find_others(&self, text: &str) -> Vec<Node> {
        let Some(value) = fiql_value(text.trim()) else {
            return Vec::new();
        };
        let system = self.info.read().await.is_system();
        let types = [
            ("vApp", "isExpired==false;"),
            (if system { "adminOrgVdc" } else { "orgVdc" }, ""),
            ("orgVdcNetwork", ""),
        ];
        let queries = types.map(|(kind, also)| {
            let mut q = Query::new(kind).filter(format!("{also}name==*{value}*"));
            q.page_size = 25;
            q
        });
        let reads = queries.iter().map(|q| query::records(&self.session, q));
        futures::future::join_all(reads)
            .await
            .into_iter()
            .flat_map(Result::unwrap_or_default)
            .filter_map(|r| map::record_node(&r))
            .collect()
    }

    fn paging(&self) -> Paging {
        Paging::Parallel(self.session.http().options().concurrency)
    }

    async fn org_children(&self, org: &Node, sink: &ChildSink) -> ApiResult<()> {
        let doc = self.session.get(&org.id.as_str()).await?;
        // From API 33 the Org lists its VDCs through a query link and need not carry vdc links.
        let modern = session::parse_version(&self.session.version().await) >= Some((33, 0));
        let vdc_query = map::vdc_query_link(&doc.root).filter(|_| modern);
        let mut nodes: Vec<Node> = doc
            .root
            .children_named("Link")
            .filter(|l| l.attr("rel") == Some("down"))
            .filter_map(map::reference_node)
            .filter(|n| match n.kind {
                NodeKind::Vdc => vdc_query.is_none(),
                NodeKind::Catalog | NodeKind::Network => true,
                _ => false,
            })
            .collect();
        if let Some(href) = vdc_query {
            let q = Query::link(href);
            // Rows read the same at every API version: no record-only summary.
            let vdc = |r: &xml::Element| map::record_node(r).map(|n| n.with_summary(""));
            nodes.extend(query::collect(&self.session, &q, self.paging(), |_, _| {}, vdc).await?);
        }
        // VDCs first, then catalogs, then networks; by name within each.
        nodes.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        sink.all(nodes);
        Ok(())
    }

    async fn embedded_children(
        &self,
        parent: &Node,
        container: &str,
        item: &str,
        sink: &ChildSink,
    ) -> ApiResult<()> {
        let doc = self.session.get(&parent.id.as_str()).await?;
        let nodes: Vec<Node> = doc
            .root
            .child(container)
            .into_iter()
            .flat_map(|c| c.children_named(item))
            .map(|e| match e.attr("status") {
                Some(_) => map::entity_node(e),
                None => map::reference_node(e).unwrap_or_else(|| map::entity_node(e)),
            })
            .collect();
        sink.all(nodes);
        Ok(())
    }

    async fn metadata_section(&self, root: &xml::Element) -> Option<super::model::Section> {
        let href = root
            .children_named("Link")
            .find(|l| {
                l.attr("type") == Some("application/vnd.vmware.vcloud.metadata+xml")
                    && l.attr("rel") == Some("down")
            })?
            .attr("href")?;
        let mut section = match self.session.get(href).await {
            Ok(doc) => sections::metadata(&doc.root),
            Err(e) => {
                let mut s = super::model::Section::new("Metadata");
                s.row("unavailable", e.to_string());
                s
            }
        };
        if section.rows.is_empty() {
            section.row("(none)", "");
        }
        Some(section)
    }
}

#[async_trait]
impl Backend for VcdBackend {
    fn root(&self) -> Node {
        Node::new(NodeKind::Endpoint, self.session.base(), self.label.as_str()).expandable(true)
    }

    async fn connect(&self) -> ApiResult<EndpointInfo> {
        let info = self.session.connect().await?;
        let user = format!("{}@{}", info.user, info.org);
        *self.info.write().await = info;
        Ok(EndpointInfo {
            product: Product::Vcd,
            url: self.session.base().to_string(),
            user,
            api_version: self.session.version().await,
            // A VM found by `:goto` opens under its org, VDC and vApp (`place.rs`).
            // Only a system administrator reads which vCenter VM is behind each VM.
            capabilities: Capabilities {
                places: true,
                backings: self.info.read().await.is_system(),
                ..Capabilities::ALL
            },
            instance_uuid: None,
        })
    }

    async fn children(&self, parent: &Node, sink: &ChildSink) -> ApiResult<()> {
        match parent.kind {
            NodeKind::Endpoint => {
                let href = self.info.read().await.org_list.clone();
                let href = href.unwrap_or_else(|| self.session.url("/api/org/"));
                let doc = self.session.get(&href).await?;
                let mut orgs: Vec<Node> = doc
                    .root
                    .children_named("Org")
                    .filter_map(map::reference_node)
                    .collect();
                orgs.sort_by(|a, b| a.name.cmp(&b.name));
                let all = Node::new(NodeKind::Group, ALL_VMS, "All VMs").expandable(true);
                let nodes: Vec<Node> = std::iter::once(all).chain(orgs).collect();
                sink.all(nodes);
                Ok(())
            }
            NodeKind::Group if &*parent.id.as_str() == ALL_VMS => {
                self.list_all_vms(self.paging(), sink).await.map(|_| ())
            }
            NodeKind::Org => self.org_children(parent, sink).await,
            NodeKind::Vdc => {
                let q = Query::new("vApp")
                    .filter(format!("vdc=={}", parent.id))
                    .fields("name,status,numberOfCpus,ownerName");
                query::walk(&self.session, &q, self.paging(), "listing vApps", sink)
                    .await
                    .map(|_| ())
            }
            NodeKind::VApp => self.embedded_children(parent, "Children", "Vm", sink).await,
            NodeKind::Catalog => {
                self.embedded_children(parent, "CatalogItems", "CatalogItem", sink)
                    .await
            }
            _ => Ok(()),
        }
    }

    /// VMs come from the All VMs query (pages in name order, records with owner and vApp),
    /// not from a request per vApp; a VM's children are its snapshots, not inventory.
    fn walk_into(&self, node: &Node) -> bool {
        node.expandable && !matches!(node.kind, NodeKind::VApp | NodeKind::Vm)
    }

    async fn details(&self, node: &Node) -> ApiResult<Details> {
        let url = match node.kind {
            NodeKind::Endpoint => self.session.url("/api/session"),
            NodeKind::Group => {
                let q = self.vm_query().await;
                q.url(self.session.base(), 1)
            }
            _ => node.id.to_string(),
        };
        let doc = self.session.get(&url).await?;
        let mut sections = sections::sections(&doc.root);
        if let Some(meta) = self.metadata_section(&doc.root).await {
            sections.push(meta);
        }
        let mut fresh = match node.kind {
            NodeKind::Endpoint | NodeKind::Group => node.clone(),
            _ => {
                let mut n = map::entity_node(&doc.root);
                n.expandable = node.expandable;
                if n.stored_summary().is_empty() {
                    n.set_summary(node.stored_summary());
                }
                n.keep_facts(node);
                n
            }
        };
        let copies = copies::copies(&fresh, doc.root.attr("id"), &self.session.version().await);
        let snapshot_slot = match node.kind {
            NodeKind::Vm => Some(self.snapshot_slot(&doc.root, &node.id.as_str()).await),
            _ => None,
        };
        if node.kind == NodeKind::Vm
            && let Some(record) = self.vm_record(&node.id.as_str()).await
            && let Some(summary) = sections.iter_mut().find(|s| s.title == "Summary")
        {
            vm_record::add_rows(summary, &record);
        }
        // A provider host's vCenter, by name (its VimServer, read once per server).
        if node.kind == NodeKind::Host
            && let Some(server) = provider_sections::vcenter_ref(&doc.root)
            && let Some((url, name)) = self.vim_server(server).await
        {
            provider_sections::add_vcenter(&mut sections, &name, &url);
        }
        if node.kind == NodeKind::Vm
            && let Some(b) = self.backing(&doc.root).await
        {
            sections.push(vim_link::section(&b));
            fresh.set_backing(Some(b));
        }
        Ok(Details {
            node: fresh,
            sections,
            links: map::links(&doc.root),
            actions: map::actions(&doc.root),
            snapshot_slot,
            copies,
            raw: Raw {
                format: RawFormat::Xml,
                text: xml::pretty(&doc.text()),
            },
        })
    }

    async fn invoke(
        &self,
        node: &Node,
        action: &ActionOffer,
        params: &ActionParams,
    ) -> ApiResult<TaskInfo> {
        // The object's tasks before the POST: if the answer is lost, a new one among them tells
        // whether the action happened, without repeating it.
        let before = self.tasks_of(&node.id.as_str()).await.ok();
        let doc = match self
            .session
            .post(&action.href, actions::body(action.id, params))
            .await
        {
            Ok(doc) => doc,
            Err(e) if e.answer_lost() => {
                return self.find_started(&node.id.as_str(), before, e).await;
            }
            Err(e) => return Err(e),
        };
        if &*doc.root.name != "Task" {
            return Err(ApiError::parse(format!(
                "the server accepted the action but answered <{}> instead of a Task",
                doc.root.name
            )));
        }
        Ok(map::task(&doc.root))
    }

    async fn poll_task(&self, task: &TaskInfo) -> ApiResult<TaskInfo> {
        let doc = self.session.get(&task.id).await?;
        Ok(map::task(&doc.root))
    }

    async fn cancel_task(&self, task: &TaskInfo) -> ApiResult<()> {
        let href = task
            .cancel
            .clone()
            .ok_or_else(|| ApiError::Unsupported("this task cannot be cancelled".into()))?;
        self.session.post(&href, None).await.map(|_| ())
    }

    async fn recent_tasks(&self) -> ApiResult<Vec<TaskInfo>> {
        let mut q = Query::new("task");
        q.sort_asc = None;
        q.sort_desc = Some("startDate".into());
        q.page_size = 50;
        let records = query::records(&self.session, &q).await?;
        Ok(records.iter().filter_map(map::task_record).collect())
    }

    async fn list_kind(&self, kind: NodeKind, sink: &ChildSink) -> ApiResult<()> {
        let system = self.info.read().await.is_system();
        let (query, label) = match kind {
            NodeKind::Vm => return self.list_all_vms(self.paging(), sink).await.map(|_| ()),
            // The org list is what the endpoint's children are (the query type's name varies).
            NodeKind::Org => {
                let (all, nodes) = ChildSink::collecting();
                self.children(&self.root(), &all).await?;
                let orgs: Vec<Node> = nodes
                    .take()
                    .into_iter()
                    .filter(|n| n.kind == kind)
                    .collect();
                sink.all(orgs);
                return Ok(());
            }
            NodeKind::VApp => (
                Query::new("vApp")
                    .filter("isExpired==false")
                    .fields("name,status,numberOfCpus,ownerName,vdcName"),
                "listing vApps",
            ),
            NodeKind::Vdc if system => (Query::new("adminOrgVdc"), "listing VDCs"),
            NodeKind::Vdc => (Query::new("orgVdc"), "listing VDCs"),
            NodeKind::Network => (Query::new("orgVdcNetwork"), "listing networks"),
            // Provider objects: a system administrator's only.
            NodeKind::Host if system => (Query::new("host"), "listing hosts"),
            NodeKind::Datastore if system => (Query::new("datastore"), "listing datastores"),
            _ => {
                return Err(ApiError::Unsupported(format!(
                    "vCD lists no {} to this user",
                    kind.label()
                )));
            }
        };
        query::walk(&self.session, &query, self.paging(), label, sink)
            .await
            .map(|_| ())
    }

    async fn find(&self, text: &str) -> ApiResult<Vec<Node>> {
        let (mut found, others) = tokio::join!(self.find_vms(text), self.find_others(text));
        if let Ok(vms) = &mut found {
            vms.extend(others);
        }
        found
    }

    async fn ancestors(&self, node: &Node) -> ApiResult<Vec<Node>> {
        place::ancestors(self, node).await
    }

    async fn events(&self, node: &Node) -> ApiResult<Vec<super::model::ObjectEvent>> {
        self.object_events(node).await
    }

    async fn snapshot_sprawl(&self, sink: &SprawlSink) -> ApiResult<Vec<SprawlRow>> {
        self.sprawl(sink).await
    }

    async fn vm_backings(&self, within: Option<&Node>) -> ApiResult<Backings> {
        let vapp = within.map(|n| n.id.as_str());
        // A vApp whose href a filter cannot carry is read whole, as every VM.
        self.backings(vapp.as_deref().and_then(fiql_value)).await
    }

    async fn logout(&self) {
        self.session.logout().await;
    }
}
