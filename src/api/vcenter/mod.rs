//! vCenter backend over the REST API (both dialects): the tree is All VMs, then Datacenters →
//! Clusters (and standalone Hosts) → Hosts → VMs, with VMs, Datastores, Networks, Folders and
//! Resource pools as groups per datacenter. Power actions are synchronous calls, shown as finished tasks;
//! snapshots, which no REST API offers, go through the vim API (`vim/`: VI/JSON or SOAP).

mod actions;
mod copies;
pub mod dialect;
pub mod lists;
pub mod map;
mod place;
mod pools;
mod seen;
pub mod session;
mod snapshots;
mod tags;
mod usage;
pub mod vim;
mod vm_list;

use async_trait::async_trait;
use secrecy::SecretString;
use serde_json::Value;

use self::lists::Scope;
use self::map::{CLUSTER, DATACENTER, HOST, Kind, VM};
use self::session::Session;
use super::backend::{Backend, ChildSink, SprawlSink};
use super::error::{ApiError, ApiResult};
use super::http::{Http, HttpOptions, endpoint_url};
use super::labels;
use super::model::{
    ActionId, ActionOffer, ActionParams, Capabilities, Details, EndpointInfo, Node, NodeKind,
    Product, Raw, RawFormat, Section, SprawlRow, TaskInfo,
};

#[derive(Debug)]
pub struct VcenterConfig {
    pub url: String,
    pub user: String,
    pub password: SecretString,
    pub http: HttpOptions,
}

pub struct VcenterBackend {
    session: Session,
    vim: vim::Vim,
    label: String,
    /// Tag id → (category name, tag name): tags rarely change, VM details are read often.
    tag_names: std::sync::Mutex<std::collections::HashMap<String, (String, String)>>,
    /// Resource pool moid → name, for a cluster's details (`pools.rs`).
    pool_names: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// The group of every VM of the endpoint, first under it.
const ALL_VMS: &str = "group/all-vms";

/// Groups under a datacenter: id prefix, label, what they list.
const GROUPS: [(&str, &str, Kind); 5] = [
    ("vms", "VMs", map::VM),
    ("datastores", "Datastores", map::DATASTORE),
    ("networks", "Networks", map::NETWORK),
    ("folders", "Folders", map::FOLDER),
    ("pools", "Resource pools", map::RESOURCE_POOL),
];

fn group_id(prefix: &str, dc: &str) -> String {
    format!("group/{prefix}/{dc}")
}

fn parse_group(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix("group/")?;
    rest.split_once('/')
}

impl VcenterBackend {
    pub fn new(config: VcenterConfig) -> ApiResult<VcenterBackend> {
        let parsed = endpoint_url(&config.url)?;
        let label = parsed.host_str().unwrap_or("vcenter").to_string();
        let http = Http::new(config.http)?;
        let base = config.url.trim_end_matches('/');
        Ok(VcenterBackend {
            vim: vim::Vim::new(base, &config.user, config.password.clone()),
            session: Session::new(http, base, config.user, config.password),
            label,
            tag_names: Default::default(),
            pool_names: Default::default(),
        })
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    fn width(&self) -> usize {
        self.session.http().options().concurrency
    }

    async fn push_list(&self, kind: Kind, scope: &Scope, sink: &ChildSink) -> ApiResult<()> {
        let nodes = self.list_nodes(kind, scope).await?;
        sink.all(nodes);
        Ok(())
    }

    /// VMs by moid or exact name through the list filters (`vms=`, `names=`); else every VM
    /// listed and those whose name contains the text kept. The REST list gives no IPs.
    async fn find_vms(&self, text: &str) -> ApiResult<Vec<Node>> {
        let moid = map::moid(text);
        let mut found: Vec<Node> = Vec::new();
        for (key, value) in [(VM.filter, moid), ("names", text)] {
            if value.is_empty() {
                continue;
            }
            let scope = vec![(key.to_string(), value.to_string())];
            for n in self.list_nodes(VM, &scope).await? {
                if !found.iter().any(|f| f.id == n.id) {
                    found.push(n);
                }
            }
        }
        if found.is_empty() {
            let (all, nodes) = ChildSink::collecting();
            lists::stream_vms(&self.session, Vec::new(), self.width(), &all).await?;
            let needle = text.to_lowercase();
            found = nodes
                .take()
                .into_iter()
                .filter(|n| n.name.to_lowercase().contains(&needle))
                .collect();
            found.sort_by(|a, b| crate::api::columns::natural_cmp(&a.name, &b.name));
            found.truncate(50);
        }
        Ok(found)
    }

    /// Hosts, clusters and datastores (short lists) whose name contains `text` or whose moid
    /// it is. A list the server refuses leaves the VMs to answer the `:goto`.
    async fn find_others(&self, text: &str) -> Vec<Node> {
        let needle = text.to_lowercase();
        let whole: Scope = Vec::new();
        let lists = [HOST, CLUSTER, map::DATASTORE].map(|k| self.list_nodes(k, &whole));
        futures::future::join_all(lists)
            .await
            .into_iter()
            .flat_map(Result::unwrap_or_default)
            .filter(|n| {
                n.name.to_lowercase().contains(&needle) || map::moid(&n.id.as_str()) == text
            })
            .collect()
    }

    async fn list_nodes(&self, kind: Kind, scope: &Scope) -> ApiResult<Vec<Node>> {
        let items = lists::list(&self.session, kind, scope).await?;
        let mut nodes: Vec<Node> = items
            .iter()
            .filter_map(|v| map::summary_node(kind, v))
            .collect();
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(nodes)
    }

    /// "All VMs" (every VM of the endpoint, split under the cap like any VM list), then the
    /// datacenters.
    async fn endpoint_children(&self, sink: &ChildSink) -> ApiResult<()> {
        let mut nodes = vec![Node::new(NodeKind::Group, ALL_VMS, "All VMs").expandable(true)];
        nodes.extend(self.list_nodes(DATACENTER, &Vec::new()).await?);
        sink.all(nodes);
        Ok(())
    }

    async fn datacenter_children(&self, dc: &str, sink: &ChildSink) -> ApiResult<()> {
        let scope: Scope = vec![(DATACENTER.filter.to_string(), dc.to_string())];
        let clusters = lists::list(&self.session, CLUSTER, &scope).await?;
        let hosts = lists::list(&self.session, HOST, &scope).await?;
        let cluster_ids: Scope = clusters
            .iter()
            .filter_map(|c| c["cluster"].as_str())
            .map(|c| (CLUSTER.filter.to_string(), c.to_string()))
            .collect();
        let clustered: Vec<Value> = if cluster_ids.is_empty() {
            Vec::new()
        } else {
            lists::list(&self.session, HOST, &cluster_ids).await?
        };
        let mut nodes: Vec<Node> = clusters
            .iter()
            .filter_map(|c| map::summary_node(CLUSTER, c))
            .collect();
        nodes.extend(
            hosts
                .iter()
                .filter(|h| !clustered.iter().any(|c| c["host"] == h["host"]))
                .filter_map(|h| map::summary_node(HOST, h)),
        );
        nodes.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        for (prefix, label, _) in GROUPS {
            nodes.push(Node::new(NodeKind::Group, group_id(prefix, dc), label).expandable(true));
        }
        sink.all(nodes);
        Ok(())
    }

    async fn vm_details(&self, node: &Node) -> ApiResult<Details> {
        let dialect = self.session.dialect().await;
        let id = node.id.as_str();
        let vm = map::moid(&id);
        let (detail, text) = self
            .session
            .get(&dialect.path(&format!("vcenter/vm/{vm}")))
            .await?;
        let power = detail["power_state"].as_str().unwrap_or("").to_string();
        // Guest information exists only while VMware Tools run; its absence is not an error.
        let guest_ready = match self
            .session
            .get(&dialect.path(&format!("vcenter/vm/{vm}/guest/power")))
            .await
        {
            Ok((g, _)) => g["operations_ready"].as_bool() == Some(true),
            Err(_) => false,
        };
        let identity = if power == "POWERED_ON" {
            self.session
                .get(&dialect.path(&format!("vcenter/vm/{vm}/guest/identity")))
                .await
                .ok()
                .map(|(v, _)| v)
        } else {
            None
        };
        // Addresses per NIC, like identity only while Tools run.
        let interfaces = if guest_ready {
            self.session
                .get(&dialect.path(&format!("vcenter/vm/{vm}/guest/networking/interfaces")))
                .await
                .ok()
                .map(|(v, _)| v)
        } else {
            None
        };
        let mut fresh = node.clone();
        fresh.status = map::power_status(&power);
        if let Some(name) = detail["name"].as_str() {
            fresh.name = name.into();
        }
        map::vm_facts(&mut fresh, &detail, identity.as_ref());
        let mut summary = map::vm_summary(&detail, guest_ready, interfaces.as_ref());
        // Annotation, uptime, use and Tools status exist only in vim; without them the REST
        // part still shows.
        match self.vim.vm_runtime(self.session.http(), vm).await {
            Ok(rt) => usage::vm_rows(&mut summary, &rt, time::OffsetDateTime::now_utc()),
            Err(e) => {
                summary.row("Runtime", format!("unavailable: {e}"));
            }
        }
        let mut sections = vec![summary];
        sections.extend(map::vm_sections(&detail, identity.as_ref()));
        let mut actions: Vec<ActionOffer> = map::vm_actions(&power, guest_ready)
            .into_iter()
            .map(|id| ActionOffer::new(id, node.id.clone()))
            .collect();
        sections.push(self.tags_section(vm).await);
        let (snapshots, snapshot_actions) = self.snapshot_part(node).await;
        sections.push(snapshots);
        actions.extend(snapshot_actions);
        Ok(Details {
            node: fresh,
            sections,
            links: Vec::new(),
            actions,
            snapshot_slot: None,
            copies: self.copies(node).await,
            raw: Raw::json(&text),
        })
    }

    /// A host's or cluster's capacity and use (vim only); a failed read says so in the
    /// section.
    async fn capacity(&self, node: &Node) -> Section {
        let http = self.session.http();
        let id = node.id.as_str();
        let moid = map::moid(&id);
        let cluster = node.kind == NodeKind::Cluster;
        let hosts = if cluster {
            self.vim.cluster_hosts(http, moid).await
        } else {
            Ok(vec![moid.to_string()])
        };
        let usage = match hosts {
            Ok(hosts) => {
                let refs: Vec<&str> = hosts.iter().map(String::as_str).collect();
                if refs.is_empty() {
                    Ok(Vec::new())
                } else {
                    self.vim.host_usage(http, &refs).await
                }
            }
            Err(e) => Err(e),
        };
        match usage {
            Ok(u) => usage::capacity(&u, cluster),
            Err(e) => {
                let mut s = Section::new("Capacity");
                s.row("Capacity", format!("unavailable: {e}"));
                s
            }
        }
    }

    async fn copies(&self, node: &Node) -> Vec<(String, String)> {
        let dialect = self.session.dialect().await;
        copies::copies(node, self.session.base(), dialect)
    }

    /// Objects without a detail call of their own (folders, pools, networks, groups): their
    /// summary from the list, which the tree already holds.
    async fn summary_details(&self, node: &Node) -> Details {
        let mut s = Section::new("General");
        s.row("Name", &*node.name)
            .row("Kind", node.kind.label())
            .row("Id", map::moid(&node.id.as_str()));
        if !node.status.label.is_empty() {
            s.row("State", labels::status(node.status.label));
        }
        s.row("Summary", node.summary());
        Details {
            node: node.clone(),
            sections: vec![s],
            links: Vec::new(),
            actions: Vec::new(),
            snapshot_slot: None,
            copies: self.copies(node).await,
            raw: Raw {
                format: RawFormat::Json,
                text: String::new(),
            },
        }
    }
}

#[async_trait]
impl Backend for VcenterBackend {
    fn root(&self) -> Node {
        Node::new(NodeKind::Endpoint, self.session.base(), self.label.as_str()).expandable(true)
    }

    async fn connect(&self) -> ApiResult<EndpointInfo> {
        let dialect = self.session.connect().await?;
        Ok(EndpointInfo {
            product: Product::Vcenter,
            url: self.session.base().to_string(),
            user: self.session.user().to_string(),
            api_version: dialect.label().to_string(),
            capabilities: Capabilities {
                places: true,
                ..Capabilities::ALL
            },
            // Without it the VM is still browsed; only its Aria Operations link is missing.
            instance_uuid: self
                .vim
                .instance_uuid(self.session.http())
                .await
                .ok()
                .flatten(),
        })
    }

    async fn children(&self, parent: &Node, sink: &ChildSink) -> ApiResult<()> {
        let moid = map::moid(&parent.id.as_str()).to_string();
        match parent.kind {
            NodeKind::Endpoint => self.endpoint_children(sink).await,
            NodeKind::Group if &*parent.id.as_str() == ALL_VMS => {
                lists::stream_placed_vms(&self.session, Vec::new(), self.width(), sink)
                    .await
                    .map(|_| ())
            }
            NodeKind::Datacenter => self.datacenter_children(&moid, sink).await,
            NodeKind::Cluster => {
                self.push_list(HOST, &vec![(CLUSTER.filter.to_string(), moid)], sink)
                    .await
            }
            NodeKind::Vm => {
                let nodes = self.snapshot_nodes(parent).await?;
                sink.all(nodes);
                Ok(())
            }
            NodeKind::Host => {
                let scope = vec![(HOST.filter.to_string(), moid)];
                // The list does not say where a VM runs; under a host, the host does. A host's
                // VMs are few enough to hand over at once.
                let host = crate::api::model::intern(&parent.name);
                let (all, nodes) = ChildSink::collecting();
                lists::stream_vms(&self.session, scope, self.width(), &all).await?;
                let mut vms = nodes.take();
                for vm in &mut vms {
                    if let Some(f) = vm.facts.as_mut() {
                        f.place = host;
                    }
                }
                vms.sort_by(|a, b| a.name.cmp(&b.name));
                sink.all(vms);
                Ok(())
            }
            NodeKind::Group => {
                let id = parent.id.as_str();
                let Some((prefix, dc)) = parse_group(&id) else {
                    return Ok(());
                };
                let scope: Scope = vec![(DATACENTER.filter.to_string(), dc.to_string())];
                match GROUPS.iter().find(|(p, _, _)| *p == prefix) {
                    Some((_, _, kind)) if kind.node == NodeKind::Vm => {
                        lists::stream_placed_vms(&self.session, scope, self.width(), sink)
                            .await
                            .map(|_| ())
                    }
                    Some((_, _, kind)) => self.push_list(*kind, &scope, sink).await,
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// VMs come from their host (one list each, in name order), so neither All VMs nor a
    /// datacenter's VMs group (whose parts past the list cap arrive in any order) is walked;
    /// a VM's children are its snapshots, not inventory.
    fn walk_into(&self, node: &Node) -> bool {
        let vm_view = node.kind == NodeKind::Group
            && (&*node.id.as_str() == ALL_VMS
                || parse_group(&node.id.as_str()).is_some_and(|(prefix, _)| prefix == GROUPS[0].0));
        node.expandable && node.kind != NodeKind::Vm && !vm_view
    }

    async fn list_kind(&self, kind: NodeKind, sink: &ChildSink) -> ApiResult<()> {
        match kind {
            NodeKind::Vm => lists::stream_placed_vms(&self.session, Vec::new(), self.width(), sink)
                .await
                .map(|_| ()),
            _ => match map::kind_of(kind) {
                Some(k) => self.push_list(k, &Vec::new(), sink).await,
                None => Err(ApiError::Unsupported(format!(
                    "vCenter has no {} list",
                    kind.label()
                ))),
            },
        }
    }

    /// VMs (`find_vms`), then hosts, clusters and datastores whose name or moid `text` names.
    async fn find(&self, text: &str) -> ApiResult<Vec<Node>> {
        let text = text.trim();
        let (vms, others) = futures::join!(self.find_vms(text), self.find_others(text));
        let mut found = vms?;
        found.extend(others);
        Ok(found)
    }

    /// A found object's datacenter, then its cluster and host or its group there (`place`).
    async fn ancestors(&self, node: &Node) -> ApiResult<Vec<Node>> {
        place::ancestors(&self.session, node, self.width()).await
    }

    async fn details(&self, node: &Node) -> ApiResult<Details> {
        match node.kind {
            NodeKind::Vm => self.vm_details(node).await,
            NodeKind::Snapshot => self.snapshot_details(node).await,
            NodeKind::Host => {
                let mut d = self.summary_details(node).await;
                d.sections.push(self.capacity(node).await);
                Ok(d)
            }
            NodeKind::Datacenter | NodeKind::Cluster | NodeKind::Datastore => {
                let kind = map::kind_of(node.kind).expect("listed kind");
                let dialect = self.session.dialect().await;
                let path = dialect.path(&format!(
                    "vcenter/{}/{}",
                    kind.rest,
                    map::moid(&node.id.as_str())
                ));
                let (v, text) = self.session.get(&path).await?;
                let mut sections = map::plain_sections("General", &v);
                if node.kind == NodeKind::Cluster {
                    // The pool's name and the capacity are separate reads: side by side.
                    let pool = v["resource_pool"].as_str();
                    let (_, capacity) =
                        futures::join!(self.name_pool(&mut sections[0], pool), self.capacity(node));
                    sections.push(capacity);
                }
                Ok(Details {
                    node: node.clone(),
                    sections,
                    links: Vec::new(),
                    actions: Vec::new(),
                    snapshot_slot: None,
                    copies: self.copies(node).await,
                    raw: Raw::json(&text),
                })
            }
            _ => Ok(self.summary_details(node).await),
        }
    }

    async fn invoke(
        &self,
        node: &Node,
        action: &ActionOffer,
        params: &ActionParams,
    ) -> ApiResult<TaskInfo> {
        if matches!(
            action.id,
            ActionId::SnapshotCreate
                | ActionId::SnapshotRevert
                | ActionId::SnapshotRemove
                | ActionId::SnapshotRemoveTree
                | ActionId::SnapshotRemoveAll
        ) {
            return self.snapshot_invoke(node, action, params).await;
        }
        self.power_invoke(node, action).await
    }

    async fn poll_task(&self, task: &TaskInfo) -> ApiResult<TaskInfo> {
        match task.id.strip_prefix("vim:") {
            Some(moid) => {
                self.vim
                    .task(self.session.http(), moid, task.target.clone())
                    .await
            }
            // Power calls were finished when they answered.
            None => Ok(task.clone()),
        }
    }

    async fn cancel_task(&self, task: &TaskInfo) -> ApiResult<()> {
        match task.id.strip_prefix("vim:") {
            Some(moid) => self.vim.cancel(self.session.http(), moid).await,
            None => Err(ApiError::Unsupported(
                "vCenter power operations finish at once and cannot be cancelled".into(),
            )),
        }
    }

    async fn events(&self, node: &Node) -> ApiResult<Vec<super::model::ObjectEvent>> {
        let kind = match node.kind {
            NodeKind::Vm => "VirtualMachine",
            NodeKind::Host => "HostSystem",
            NodeKind::Cluster => "ClusterComputeResource",
            NodeKind::Datacenter => "Datacenter",
            NodeKind::Datastore => "Datastore",
            NodeKind::Network => "Network",
            NodeKind::Folder => "Folder",
            NodeKind::ResourcePool => "ResourcePool",
            _ => {
                return Err(ApiError::Unsupported(
                    "vCenter keeps no events of this".into(),
                ));
            }
        };
        let max = super::backend::EVENTS_SHOWN;
        self.vim
            .events(self.session.http(), kind, map::moid(&node.id.as_str()), max)
            .await
    }

    async fn recent_tasks(&self) -> ApiResult<Vec<TaskInfo>> {
        self.vim.recent_tasks(self.session.http()).await
    }

    async fn snapshot_sprawl(&self, sink: &SprawlSink) -> ApiResult<Vec<SprawlRow>> {
        self.sprawl(sink).await
    }

    async fn snapshot_sizes(&self, vms: &[Box<str>]) -> ApiResult<Vec<(Box<str>, u64)>> {
        self.sizes(vms).await
    }

    async fn logout(&self) {
        self.vim.logout().await;
        self.session.logout().await;
    }
}
