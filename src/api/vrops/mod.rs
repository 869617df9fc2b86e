//! Aria Operations (vROps / VCF Operations) backend over the suite-api JSON: the tree is the
//! endpoint → adapter instances → resource kinds → resources (paged, 0-based pages) → the
//! resources each contains, beside two groups: **Alerts** (active, the most critical first) and
//! **Health** (the unhealthy resources: red, then orange, then yellow). It watches; it has no
//! actions, tasks or snapshots.

mod definitions;
mod insight;
pub mod map;
pub mod session;
pub mod wire;

use std::collections::HashMap;

use async_trait::async_trait;
use secrecy::SecretString;
use serde_json::{Value, json};
use time::OffsetDateTime;

use self::map::Id;
use self::session::Session;
use super::backend::{Backend, ChildSink, HealthSink};
use super::error::{ApiError, ApiResult};
use super::http::{Http, HttpOptions, endpoint_url};
use super::model::{
    ActionOffer, ActionParams, Capabilities, ChildBatch, Details, EndpointInfo, ListProgress, Node,
    NodeKind, Product, Raw, RawFormat, Section, TaskInfo, VmInsight, VmKey,
};

/// The server's own page limit is 10,000; 1,000 keeps each answer quick to read and parse.
pub const PAGE_SIZE: u64 = 1000;
/// At most this many ids in one bulk call.
pub const IDS_PER_CALL: usize = 1000;
/// Parents or children listed in a resource's details; the tree lists them all.
const RELATED_SHOWN: usize = 200;
/// Resources a `:goto` reads at most: one page, the best of which is opened.
const FOUND_MAX: u64 = 50;
/// Requests one client may have in flight on a real server (its per-client ceiling); beyond it
/// the server answers 429, so a context's larger concurrency is lowered to it.
pub const SERVER_CEILING: usize = 50;

#[derive(Debug)]
pub struct VropsConfig {
    pub url: String,
    pub user: String,
    pub password: SecretString,
    pub http: HttpOptions,
    /// Resources read per page (tests make it small to see paging).
    pub page_size: u64,
}

pub struct VropsBackend {
    session: Session,
    label: String,
    page_size: u64,
    /// Other products' VMs by (VCID, moid) (see `insight`).
    vm_index: tokio::sync::Mutex<Option<std::sync::Arc<insight::VmIndex>>>,
    /// Alert definitions read so far (they do not change while vnav runs).
    definitions: definitions::Definitions,
}

/// A paged list: where it is read and under which key its items are.
enum Listing {
    Get {
        path: String,
        query: Vec<(&'static str, String)>,
    },
    Query {
        path: &'static str,
        body: Value,
    },
}

/// A path segment as the server expects it (resource kind keys hold spaces).
fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl VropsBackend {
    pub fn new(config: VropsConfig) -> ApiResult<VropsBackend> {
        let parsed = endpoint_url(&config.url)?;
        let label = parsed.host_str().unwrap_or("vrops").to_string();
        let mut options = config.http;
        options.concurrency = options.concurrency.min(SERVER_CEILING);
        let http = Http::new(options)?;
        let base = config.url.trim_end_matches('/');
        Ok(VropsBackend {
            session: Session::new(http, base, config.user, config.password),
            label,
            page_size: config.page_size.clamp(1, 10_000),
            vm_index: Default::default(),
            definitions: Default::default(),
        })
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    async fn page(&self, listing: &Listing, page: u64) -> ApiResult<Vec<u8>> {
        let paging = [
            ("page", page.to_string()),
            ("pageSize", self.page_size.to_string()),
        ];
        match listing {
            Listing::Get { path, query } => {
                let mut q = query.clone();
                q.extend(paging);
                self.session.get_body(path, &q).await
            }
            Listing::Query { path, body } => {
                self.session.query_body(path, &paging, body.clone()).await
            }
        }
    }

    /// Reads every page of `listing`, one at a time, handing each page's body to `each` with
    /// how many items the pages before held; `each` decodes what it keeps and says how many
    /// items the page held and the total the server reports. Stops at the last page by
    /// `pageInfo.totalCount` (or at an empty page, should a server leave the count out).
    async fn pages(
        &self,
        listing: &Listing,
        mut each: impl FnMut(&[u8], u64) -> ApiResult<(u64, Option<u64>)>,
    ) -> ApiResult<u64> {
        let mut page = 0;
        let mut seen = 0u64;
        loop {
            let body = self.page(listing, page).await?;
            let (got, total) = each(&body, seen)?;
            drop(body);
            seen += got;
            page += 1;
            let more = match total {
                Some(t) => page * self.page_size < t,
                None => got == self.page_size,
            };
            if !more || got == 0 {
                return Ok(total.unwrap_or(seen));
            }
        }
    }

    /// Streams a paged resource list into the tree, page by page; `total` says whether the
    /// batches carry the list's total (a listing that is the parent's whole list).
    async fn push_resources(
        &self,
        listing: &Listing,
        label: &str,
        total_known: bool,
        sink: &ChildSink,
    ) -> ApiResult<()> {
        self.pages(listing, |body, before| {
            let page: wire::ResourcePage = decode(body)?;
            let got = page.resource_list.len() as u64;
            let done = before + got;
            let total = page.page_info.total_count.unwrap_or(done);
            sink.push(ChildBatch {
                nodes: page
                    .resource_list
                    .iter()
                    .filter_map(map::resource_row)
                    .collect(),
                total: total_known.then_some(total),
                progress: (total > self.page_size).then(|| ListProgress {
                    label: format!("listing {label}"),
                    done,
                    total,
                }),
                by_name: false,
            });
            Ok((got, page.page_info.total_count))
        })
        .await
        .map(|_| ())
    }

    /// Every alert of a paged alert list.
    async fn all_alerts(&self, listing: &Listing) -> ApiResult<Vec<Value>> {
        let mut alerts = Vec::new();
        self.pages(listing, |body, _| {
            let page: wire::AlertPage = decode(body)?;
            let got = page.alerts.len() as u64;
            alerts.extend(page.alerts);
            Ok((got, page.page_info.total_count))
        })
        .await?;
        Ok(alerts)
    }

    async fn endpoint_children(&self, sink: &ChildSink) -> ApiResult<()> {
        let (adapters, kinds) = tokio::join!(
            self.session.get("/adapters", &[]),
            self.session.get("/adapterkinds", &[]),
        );
        let (v, _) = adapters?;
        // The kinds' names are words for the rows: without them the keys still read.
        let names = kinds.map_or_else(|_| HashMap::new(), |(k, _)| map::adapter_kind_names(&k));
        let mut adapters: Vec<Node> = v["adapterInstancesInfoDto"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| map::adapter_node(a, &names))
            .collect();
        adapters.sort_by(|a, b| a.name.cmp(&b.name));
        let mut nodes = vec![
            Node::new(NodeKind::Group, map::ALERTS, "Alerts")
                .with_summary("active, most critical first")
                .expandable(true),
            Node::new(NodeKind::Group, map::HEALTH, "Health")
                .with_summary("unhealthy resources: red, orange, yellow")
                .expandable(true),
        ];
        nodes.extend(adapters);
        sink.all(nodes);
        Ok(())
    }

    async fn resource_kinds(&self, adapter_kind: &str, sink: &ChildSink) -> ApiResult<()> {
        let path = format!("/adapterkinds/{}/resourcekinds", seg(adapter_kind));
        let (v, _) = self.session.get(&path, &[]).await?;
        let mut nodes: Vec<Node> = v["resource-kind"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| map::resource_kind_node(adapter_kind, k))
            .collect();
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        sink.all(nodes);
        Ok(())
    }

    /// The unhealthy resources, red first, then orange, then yellow.
    async fn health(&self, sink: &ChildSink) -> ApiResult<()> {
        for colour in map::UNHEALTHY {
            let listing = Listing::Query {
                path: "/resources/query",
                body: json!({ "resourceHealth": [colour] }),
            };
            let label = format!("{} resources", colour.to_ascii_lowercase());
            self.push_resources(&listing, &label, false, sink).await?;
        }
        Ok(())
    }

    /// Every active alert, the most critical first, named with the resource it is about.
    async fn alerts(&self, sink: &ChildSink) -> ApiResult<()> {
        let listing = Listing::Get {
            path: "/alerts".into(),
            query: vec![("activeOnly", "true".into())],
        };
        let mut alerts = self.all_alerts(&listing).await?;
        map::sort_alerts(&mut alerts);
        let names = self.resource_names(&alerts).await?;
        let now = OffsetDateTime::now_utc();
        let nodes: Vec<Node> = alerts
            .iter()
            .filter_map(|a| {
                let name = a["resourceId"]
                    .as_str()
                    .and_then(|id| names.get(id))
                    .map(String::as_str);
                map::alert_node(a, name, now)
            })
            .collect();
        sink.all(nodes);
        Ok(())
    }

    /// The names of the resources `alerts` are about, read in bulk (≤ 1,000 ids a call).
    async fn resource_names(
        &self,
        alerts: &[Value],
    ) -> ApiResult<std::collections::HashMap<String, String>> {
        let mut ids: Vec<&str> = alerts
            .iter()
            .filter_map(|a| a["resourceId"].as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut names = std::collections::HashMap::new();
        for chunk in ids.chunks(IDS_PER_CALL) {
            let paging = [
                ("page", "0".to_string()),
                ("pageSize", chunk.len().to_string()),
            ];
            let (v, _) = self
                .session
                .query("/resources/query", &paging, json!({ "resourceId": chunk }))
                .await?;
            for r in v["resourceList"].as_array().into_iter().flatten() {
                if let (Some(id), Some(name)) =
                    (r["identifier"].as_str(), r["resourceKey"]["name"].as_str())
                {
                    names.insert(id.to_string(), name.to_string());
                }
            }
        }
        Ok(names)
    }

    async fn resource_details(&self, node: &Node, id: &str) -> ApiResult<Details> {
        let (v, text) = self
            .session
            .get(&format!("/resources/{}", seg(id)), &[])
            .await?;
        let fresh = map::resource_node(&v).unwrap_or_else(|| node.clone());
        let mut sections = map::resource_sections(&v);
        // Metrics, alerts, properties and relations are extras: a failure shows in their
        // section, not instead of the resource.
        let props_path = format!("/resources/{}/properties", seg(id));
        let (stats, alerts, day, props, parents, children) = tokio::join!(
            self.latest_stats(id),
            self.active_alerts_explained(id),
            self.day_of_stats(id),
            self.session.get(&props_path, &[]),
            self.related(id, "PARENT"),
            self.related(id, "CHILD"),
        );
        let extras = [
            stats.map_or_else(
                |e| unavailable("Key metrics (latest)", e),
                |v| map::metrics_section(&v),
            ),
            day.map_or_else(|e| unavailable("Last 24 h", e), |v| map::series_section(&v)),
            alerts.unwrap_or_else(|e| unavailable("Active alerts", e)),
        ];
        // After "Resource" and its badges, before the identifiers.
        let at = sections.len().min(2);
        sections.splice(at..at, extras);
        sections.push(parents.map_or_else(
            |e| unavailable("Parents", e),
            |(r, total)| map::related_section("Parents", &r, total),
        ));
        sections.push(children.map_or_else(
            |e| unavailable("Children", e),
            |(r, total)| map::related_section("Children", &r, total),
        ));
        sections.push(props.map_or_else(
            |e| unavailable("Properties", e),
            |(v, _)| map::properties_section(&v),
        ));
        Ok(Details {
            node: fresh,
            sections,
            links: Vec::new(),
            actions: Vec::new(),
            snapshot_slot: None,
            copies: self.copies("resources", id),
            raw: Raw::json(&text),
        })
    }

    /// The last 24 h of the key metrics, 5-minute averages.
    async fn day_of_stats(&self, id: &str) -> ApiResult<Value> {
        let end = OffsetDateTime::now_utc();
        let begin = end - time::Duration::DAY;
        let ms = |t: OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000).to_string();
        let mut q: Vec<(&str, String)> = map::KEY_METRICS
            .iter()
            .map(|(k, _, _)| ("statKey", k.to_string()))
            .collect();
        q.extend([
            ("begin", ms(begin)),
            ("end", ms(end)),
            ("rollUpType", "AVG".into()),
            ("intervalType", "MINUTES".into()),
            ("intervalQuantifier", "5".into()),
        ]);
        let path = format!("/resources/{}/stats", seg(id));
        Ok(self.session.get(&path, &q).await?.0)
    }

    /// The first `RELATED_SHOWN` parents or children of a resource, and how many there are.
    async fn related(&self, id: &str, kind: &str) -> ApiResult<(Vec<Value>, u64)> {
        let q = [
            ("relationshipType", kind.to_string()),
            ("page", "0".to_string()),
            ("pageSize", RELATED_SHOWN.to_string()),
        ];
        let path = format!("/resources/{}/relationships", seg(id));
        let (v, _) = self.session.get(&path, &q).await?;
        let list = v["resourceList"].as_array().cloned().unwrap_or_default();
        let total = v["pageInfo"]["totalCount"]
            .as_u64()
            .unwrap_or(list.len() as u64);
        Ok((list, total))
    }

    async fn latest_stats(&self, id: &str) -> ApiResult<Value> {
        let keys: Vec<(&str, String)> = map::KEY_METRICS
            .iter()
            .map(|(k, _, _)| ("statKey", k.to_string()))
            .collect();
        let path = format!("/resources/{}/stats/latest", seg(id));
        Ok(self.session.get(&path, &keys).await?.0)
    }

    async fn active_alerts(&self, id: &str) -> ApiResult<Vec<Value>> {
        let listing = Listing::Get {
            path: "/alerts".into(),
            query: vec![
                ("resourceId", id.to_string()),
                ("activeOnly", "true".into()),
            ],
        };
        self.all_alerts(&listing).await
    }

    /// A resource's active alerts with what their definitions say. The definitions are
    /// extras of the extra: when they cannot be read, the alerts show without them.
    async fn active_alerts_explained(&self, id: &str) -> ApiResult<Section> {
        let alerts = self.active_alerts(id).await?;
        let ids: Vec<&str> = alerts
            .iter()
            .filter_map(|a| a["alertDefinitionId"].as_str())
            .collect();
        let defs = match ids.is_empty() {
            true => Ok(Default::default()),
            false => self.definitions.get(&self.session, &ids).await,
        };
        let now = OffsetDateTime::now_utc();
        Ok(match defs {
            Ok(defs) => map::alerts_section(alerts, &defs, now),
            Err(e) => {
                let mut s = map::alerts_section(alerts, &Default::default(), now);
                s.row("Definitions", format!("unavailable: {e}"));
                s
            }
        })
    }

    /// An alert definition's description, symptoms and recommendations.
    async fn definition(&self, id: &str) -> ApiResult<Vec<Section>> {
        let defs = self.definitions.get(&self.session, &[id]).await?;
        let def = defs
            .get(id)
            .ok_or_else(|| ApiError::Unsupported(format!("no alert definition {id}")))?;
        Ok(map::definition_sections(def))
    }

    async fn alert_details(&self, node: &Node, id: &str) -> ApiResult<Details> {
        let (v, text) = self
            .session
            .get(&format!("/alerts/{}", seg(id)), &[])
            .await?;
        let resource_id = v["resourceId"].as_str().unwrap_or("");
        let resource_path = format!("/resources/{}", seg(resource_id));
        let (resource, definition) = tokio::join!(
            self.session.get(&resource_path, &[]),
            self.definition(v["alertDefinitionId"].as_str().unwrap_or(""))
        );
        let resource = resource.map(|(r, _)| r);
        let name = resource
            .as_ref()
            .ok()
            .and_then(|r| r["resourceKey"]["name"].as_str());
        let now = OffsetDateTime::now_utc();
        let fresh = map::alert_node(&v, name, now).unwrap_or_else(|| node.clone());
        let mut sections = map::alert_sections(&v, name, now);
        // The alerted resource, a row Enter opens.
        sections.push(match &resource {
            Ok(r) => map::related_section("Alerted resource", std::slice::from_ref(r), 1),
            Err(e) => unavailable("Alerted resource", e.clone()),
        });
        match definition {
            Ok(more) => sections.extend(more),
            Err(e) => sections.push(unavailable("Definition", e)),
        }
        Ok(Details {
            node: fresh,
            sections,
            links: Vec::new(),
            actions: Vec::new(),
            snapshot_slot: None,
            copies: self.copies("alerts", id),
            raw: Raw::json(&text),
        })
    }

    /// The copy menu's choices: the id, and curl on the suite-api (`vRealizeOpsToken`, which 8.x
    /// takes and 9.x keeps as an alias of `OpsToken`).
    fn copies(&self, collection: &str, id: &str) -> Vec<(String, String)> {
        let url = format!(
            "{}{}/{collection}/{}",
            self.session.base(),
            session::API,
            seg(id)
        );
        vec![
            ("id".into(), id.to_string()),
            (
                "curl".into(),
                format!(
                    "curl -s -H 'Accept: application/json' -H \"Authorization: vRealizeOpsToken $TOKEN\" '{url}'"
                ),
            ),
        ]
    }

    /// Nodes without a detail call of their own (the endpoint, groups, resource kinds).
    fn summary_details(node: &Node) -> Details {
        let mut s = Section::new("General");
        s.row("Name", &*node.name)
            .row("Kind", node.kind.label())
            .row("Summary", node.summary());
        // The summary names an adapter's kind in words; its key is what the API and
        // `vnav dump` call it.
        if let Id::Adapter { kind, .. } = map::parse_id(&node.id.as_str()) {
            s.row("Adapter kind", kind);
        }
        Details {
            node: node.clone(),
            sections: vec![s],
            links: Vec::new(),
            actions: Vec::new(),
            snapshot_slot: None,
            copies: Vec::new(),
            raw: Raw {
                format: RawFormat::Json,
                text: String::new(),
            },
        }
    }
}

/// A page's body as `T`; a page that is JSON (the session checked) but not the expected shape is
/// a parse error naming what was wrong.
fn decode<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| ApiError::parse(format!("unexpected answer: {e}")))
}

fn unavailable(title: &str, e: ApiError) -> Section {
    let mut s = Section::new(title);
    s.row("Unavailable", e.to_string());
    s
}

fn no_actions() -> ApiError {
    ApiError::Unsupported("Aria Operations offers no actions in vnav".into())
}

#[async_trait]
impl Backend for VropsBackend {
    fn root(&self) -> Node {
        Node::new(NodeKind::Endpoint, self.session.base(), self.label.as_str()).expandable(true)
    }

    async fn connect(&self) -> ApiResult<EndpointInfo> {
        let release = self.session.connect().await?;
        Ok(EndpointInfo {
            product: Product::Vrops,
            url: self.session.base().to_string(),
            user: self.session.user().to_string(),
            api_version: release.version,
            capabilities: Capabilities::MONITOR,
            instance_uuid: None,
        })
    }

    async fn children(&self, parent: &Node, sink: &ChildSink) -> ApiResult<()> {
        if parent.kind == NodeKind::Endpoint {
            return self.endpoint_children(sink).await;
        }
        match map::parse_id(&parent.id.as_str()) {
            Id::Adapter { kind, .. } => self.resource_kinds(kind, sink).await,
            Id::ResourceKind { adapter_kind, kind } => {
                let listing = Listing::Get {
                    path: "/resources".into(),
                    query: vec![
                        ("adapterKind", adapter_kind.to_string()),
                        ("resourceKind", kind.to_string()),
                    ],
                };
                self.push_resources(&listing, kind, true, sink).await
            }
            Id::Resource(id) => {
                let listing = Listing::Get {
                    path: format!("/resources/{}/relationships", seg(id)),
                    query: vec![("relationshipType", "CHILD".into())],
                };
                self.push_resources(&listing, &parent.name, true, sink)
                    .await
            }
            Id::Alerts => self.alerts(sink).await,
            Id::Health => self.health(sink).await,
            Id::Alert(_) | Id::Other => Ok(()),
        }
    }

    /// Resources come from their resource kind; their relationships and the Health view
    /// repeat them.
    fn walk_into(&self, node: &Node) -> bool {
        node.kind == NodeKind::Endpoint
            || matches!(
                map::parse_id(&node.id.as_str()),
                Id::Adapter { .. } | Id::ResourceKind { .. } | Id::Alerts
            )
    }

    async fn list_kind(&self, kind: NodeKind, sink: &ChildSink) -> ApiResult<()> {
        match kind {
            NodeKind::Alert => self.alerts(sink).await,
            _ => Err(ApiError::Unsupported(format!(
                "Aria Operations lists no {} here",
                kind.label()
            ))),
        }
    }

    /// The resources whose name contains `text` (the server's `name` filter), or the one whose
    /// identifier it is: one page of `FOUND_MAX`, so a host an alert names is a `:goto` away.
    async fn find(&self, text: &str) -> ApiResult<Vec<Node>> {
        let text = text.trim();
        let by = match is_uuid(text) {
            true => "resourceId",
            false => "name",
        };
        let query = [
            (by, text.to_string()),
            ("page", "0".to_string()),
            ("pageSize", FOUND_MAX.to_string()),
        ];
        let body = self.session.get_body("/resources", &query).await?;
        let page: wire::ResourcePage = decode(&body)?;
        Ok(page
            .resource_list
            .iter()
            .filter_map(map::resource_row)
            .collect())
    }

    async fn details(&self, node: &Node) -> ApiResult<Details> {
        match map::parse_id(&node.id.as_str()) {
            Id::Resource(id) if node.kind != NodeKind::Endpoint => {
                self.resource_details(node, id).await
            }
            Id::Alert(id) if node.kind != NodeKind::Endpoint => self.alert_details(node, id).await,
            _ => Ok(Self::summary_details(node)),
        }
    }

    async fn invoke(
        &self,
        _node: &Node,
        _action: &ActionOffer,
        _params: &ActionParams,
    ) -> ApiResult<TaskInfo> {
        Err(no_actions())
    }

    async fn poll_task(&self, _task: &TaskInfo) -> ApiResult<TaskInfo> {
        Err(no_actions())
    }

    async fn cancel_task(&self, _task: &TaskInfo) -> ApiResult<()> {
        Err(no_actions())
    }

    async fn vm_insight(&self, vms: &[VmKey], day: bool) -> ApiResult<Vec<VmInsight>> {
        self.insight(vms, day).await
    }

    async fn vm_health(&self, vms: &[VmKey], sink: &HealthSink) -> ApiResult<()> {
        self.health_dots(vms, sink).await
    }

    async fn vm_key(&self, node: &Node) -> ApiResult<Option<VmKey>> {
        self.key_of(node).await
    }

    /// Aria Operations runs no tasks vnav could follow.
    async fn recent_tasks(&self) -> ApiResult<Vec<TaskInfo>> {
        Ok(Vec::new())
    }

    async fn logout(&self) {
        self.session.logout().await;
    }
}

/// A resource identifier: 8-4-4-4-12 hex digits.
fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}
