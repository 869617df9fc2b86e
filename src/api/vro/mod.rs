//! Orchestrator (vRO) `/vco/api` backend: the tree is the endpoint → workflow categories
//! (nested, from each category's `down` links) → the workflows of a category → each workflow's
//! recent runs (newest first). A workflow offers one described action, Run, whose typed inputs
//! come from its declaration and presentation; a run is a task polled at the href the server
//! gave (`Location`, then the execution's `href`) and cancelled with `DELETE …/state`. A run
//! waiting for a person offers its user interaction as a described action, Answer
//! (`interaction.rs`), invoked on the run's node.
//! `map.rs` reads the JSON, `sections.rs` writes the details, `inputs.rs` the run body,
//! `session.rs` logs in per generation.

pub mod inputs;
pub mod interaction;
pub mod map;
pub mod place;
mod risk;
pub mod sections;
pub mod session;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use async_trait::async_trait;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

use self::session::{Reply, Session};
use super::backend::{Backend, ChildSink};
use super::error::{ApiError, ApiResult};
use super::http::{Http, HttpOptions, endpoint_url};
use super::model::{
    ActionId, ActionOffer, ActionParams, Capabilities, ChildBatch, Described, Details,
    EndpointInfo, ListProgress, Node, NodeKind, Product, Raw, RawFormat, Risk, Section, TaskInfo,
    TaskState, TaskTarget,
};

/// Items asked per list page (`maxResult`).
pub const PAGE_SIZE: u64 = 500;
/// Runs listed under a workflow in the tree.
pub const RUNS_LISTED: u64 = 20;
/// Runs shown in a workflow's details.
const RUNS_IN_DETAILS: u64 = 5;
/// Runs of this session kept for the task pane's recent tasks.
const RECENT_KEPT: usize = 20;

#[derive(Debug)]
pub struct VroConfig {
    pub url: String,
    pub user: String,
    pub password: SecretString,
    pub http: HttpOptions,
    /// Items read per list page (tests make it small to see paging).
    pub page_size: u64,
    /// How careful running a workflow must be, by workflow name; others are disruptive.
    pub risks: BTreeMap<String, Risk>,
}

pub struct VroBackend {
    session: Session,
    label: String,
    page_size: u64,
    risks: BTreeMap<String, Risk>,
    /// Execution hrefs of the runs started here, newest last.
    started: Mutex<VecDeque<Box<str>>>,
}

impl VroBackend {
    pub fn new(config: VroConfig) -> ApiResult<VroBackend> {
        let parsed = endpoint_url(&config.url)?;
        let label = parsed.host_str().unwrap_or("vro").to_string();
        let http = Http::new(config.http)?;
        Ok(VroBackend {
            session: Session::new(http, &config.url, config.user, config.password),
            label,
            page_size: config.page_size.clamp(1, 10_000),
            risks: config.risks,
            started: Mutex::new(VecDeque::new()),
        })
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Reads a list page by page (`startIndex`, `maxResult`), handing each answer to `each`
    /// with the items seen so far and the total the server reports (None when it says -1).
    /// Stops at the total, or at a short page when there is none.
    async fn pages(
        &self,
        url: &str,
        query: &[(&str, String)],
        mut each: impl FnMut(&Value, u64, Option<u64>),
    ) -> ApiResult<()> {
        let mut start = 0u64;
        let mut first_of_last: Option<String> = None;
        loop {
            let mut q: Vec<(&str, String)> = query.to_vec();
            q.push(("maxResult", self.page_size.to_string()));
            q.push(("startIndex", start.to_string()));
            let Reply { json, .. } = self.session.get(url, &q).await?;
            let (links, total) = map::down_links(&json);
            let got = links.len() as u64;
            let first = links
                .first()
                .and_then(|l| l["href"].as_str())
                .map(String::from);
            if got > 0 && first.is_some() && first == first_of_last {
                return Err(ApiError::parse(format!(
                    "{url} answered the same page for startIndex {start}: it does not page"
                )));
            }
            first_of_last = first;
            start += got;
            each(&json, start, total);
            let done = match total {
                Some(t) => start >= t,
                None => got < self.page_size,
            };
            if done || got == 0 {
                return Ok(());
            }
        }
    }

    async fn root_categories(&self, sink: &ChildSink) -> ApiResult<()> {
        let query = [
            ("categoryType", "WorkflowCategory".to_string()),
            ("isRoot", "true".to_string()),
        ];
        let mut nodes = Vec::new();
        self.pages("/categories", &query, |v, _, _| {
            let (links, _) = map::down_links(v);
            nodes.extend(links.into_iter().filter_map(map::category_node));
        })
        .await?;
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        sink.all(nodes);
        Ok(())
    }

    /// A category's child categories, then its workflows, each by name.
    async fn category_children(&self, href: &str, sink: &ChildSink) -> ApiResult<()> {
        let v = self.session.get(href, &[]).await?.json;
        let (links, _) = map::down_links(&v);
        let (cats, wfs): (Vec<&Value>, Vec<&Value>) =
            links.into_iter().partition(|l| map::is_category(l));
        let mut cats: Vec<Node> = cats.into_iter().filter_map(map::category_node).collect();
        let mut wfs: Vec<Node> = wfs.into_iter().filter_map(map::workflow_node).collect();
        cats.sort_by(|a, b| a.name.cmp(&b.name));
        wfs.sort_by(|a, b| a.name.cmp(&b.name));
        cats.extend(wfs);
        sink.all(cats);
        Ok(())
    }

    /// The newest `max` runs of a workflow, newest first (one page: a workflow may have run
    /// thousands of times).
    async fn runs(&self, workflow_href: &str, max: u64) -> ApiResult<Vec<Node>> {
        let url = format!("{}/executions/", workflow_href.trim_end_matches('/'));
        let v = self
            .session
            .get(&url, &[("maxResult", max.to_string())])
            .await?
            .json;
        let (links, _) = map::down_links(&v);
        let mut runs: Vec<(Option<time::OffsetDateTime>, Node)> = links
            .into_iter()
            .filter_map(|l| {
                let start = map::attribute(l, "startDate")
                    .and_then(|s| map::time_of(&Value::String(s.into())));
                Some((start, map::run_node(l)?))
            })
            .collect();
        runs.sort_by_key(|r| std::cmp::Reverse(r.0));
        Ok(runs
            .into_iter()
            .map(|(_, n)| n)
            .take(max as usize)
            .collect())
    }

    /// The workflow's risk and the rule that gave it (`risk.rs`).
    fn risk(&self, workflow: &str) -> (Risk, String) {
        risk::of(&self.risks, workflow)
    }

    async fn workflow_details(&self, node: &Node) -> ApiResult<Details> {
        let id = node.id.as_str();
        let href = id.trim_end_matches('/');
        let presentation_url = format!("{href}/presentation/");
        let (wf, presentation, runs) = tokio::join!(
            self.session.get(&id, &[]),
            self.session.get(&presentation_url, &[]),
            self.runs(&id, RUNS_IN_DETAILS),
        );
        let Reply { json: v, text, .. } = wf?;
        let mut params = map::input_params(&v);
        // Hints are extras: without them the form still has every input, unmarked.
        if let Ok(p) = &presentation {
            map::apply_presentation(&mut params, &p.json);
        }
        let up = v["relations"]["link"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["rel"] == "up"))
            .and_then(|l| l["href"].as_str());
        let path = match up {
            Some(up) => self.session.get(up, &[]).await.ok().and_then(|c| {
                c.json["path"]
                    .as_str()
                    .or_else(|| c.json["name"].as_str())
                    .map(str::to_string)
            }),
            None => None,
        };
        let name = v["name"].as_str().unwrap_or(&node.name).to_string();
        let mut sections = vec![
            sections::workflow(&v, path.as_deref()),
            sections::inputs(&params),
            sections::outputs(&map::output_params(&v)),
        ];
        if let Err(e) = &presentation {
            sections.push(unavailable("Input hints", e.clone()));
        }
        sections.push(match runs {
            Ok(r) => sections::last_runs(&r),
            Err(e) => unavailable("Last runs", e),
        });
        let (risk, risk_rule) = self.risk(&name);
        let offer = ActionOffer::described(
            &*node.id.as_str(),
            Described {
                label: format!("Run {name}"),
                description: v["description"].as_str().unwrap_or("").to_string(),
                risk,
                risk_rule,
                params,
            },
        );
        let mut fresh = node.clone();
        fresh.name = name.into();
        Ok(Details {
            node: fresh,
            sections,
            links: Vec::new(),
            actions: vec![offer],
            snapshot_slot: None,
            copies: copies(&node.id.as_str()),
            raw: Raw::json(&text),
        })
    }

    async fn run_details(&self, node: &Node) -> ApiResult<Details> {
        let Reply { json: v, text, .. } = self.session.get(&node.id.as_str(), &[]).await?;
        let task = map::execution(&v, &node.id.as_str());
        let logs_url = v["relations"]["link"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["rel"] == "logs"))
            .and_then(|l| l["href"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| {
                let path = self.session.about().map_or("syslogs", |a| a.logs_path());
                format!("{}/{path}/", node.id.as_str().trim_end_matches('/'))
            });
        let logs = self.session.get(&logs_url, &[]).await;
        let mut actions = Vec::new();
        let mut asks = None;
        if task.state == TaskState::WaitingForInput {
            asks = Some(match self.interaction(&node.id.as_str()).await {
                Ok(i) => {
                    if i.is_waiting() {
                        actions.push(self.answer_offer(&node.id.as_str(), &v, &i));
                    }
                    i.section()
                }
                Err(e) => unavailable("User interaction", e),
            });
        }
        let sections = vec![
            sections::run(&v, &task),
            sections::parameters("Inputs", &v["input-parameters"]),
            sections::parameters("Outputs", &v["output-parameters"]),
            match logs {
                Ok(l) => sections::logs(map::logs(&l.json)),
                Err(e) => unavailable("Logs", e),
            },
        ];
        let sections = match asks {
            // What it waits for comes right after its state.
            Some(a) => {
                let mut s = sections;
                s.insert(1, a);
                s
            }
            None => sections,
        };
        let mut fresh = node.clone();
        fresh.status = map::run_status(task.state);
        if let Some(u) = &task.user {
            fresh.set_summary(format!("by {u}"));
        }
        Ok(Details {
            node: fresh,
            sections,
            links: Vec::new(),
            actions,
            snapshot_slot: None,
            copies: copies(&node.id.as_str()),
            raw: Raw::json(&redact_secrets(&text)),
        })
    }

    /// What a waiting run asks (`GET …/interaction/`).
    pub async fn interaction(&self, run_href: &str) -> ApiResult<interaction::Interaction> {
        let v = self
            .session
            .get(&interaction::url(run_href), &[])
            .await?
            .json;
        Ok(interaction::Interaction::from_json(&v))
    }

    /// The interaction as a described action on the run: "Answer <workflow>", as careful as
    /// running the workflow.
    fn answer_offer(
        &self,
        run_href: &str,
        run: &Value,
        i: &interaction::Interaction,
    ) -> ActionOffer {
        let workflow = run["name"].as_str().unwrap_or("workflow");
        let mut description = i.name.clone();
        if !i.assignees.is_empty() {
            description = format!("{description} (asked of {})", i.assignees.join(", "));
        }
        let (risk, risk_rule) = self.risk(workflow);
        ActionOffer::described(
            interaction::url(run_href),
            Described {
                label: format!("Answer {workflow}"),
                description,
                risk,
                risk_rule,
                params: i.params.clone(),
            },
        )
    }

    /// Posts the answer once, then reads the run again: it goes on running.
    async fn answer(
        &self,
        node: &Node,
        action: &ActionOffer,
        described: &Described,
        given: &[(String, crate::api::model::ParamValue)],
    ) -> ApiResult<TaskInfo> {
        let body = inputs::body(&described.params, given)?;
        self.session
            .write(Method::POST, &action.href, Some(body))
            .await
            .map_err(|e| {
                if e.answer_lost() {
                    // Never sent again: the run may already have taken it.
                    ApiError::Unsupported(format!(
                        "the answer to {} was lost ({e}); it may have been taken: \
                         read the run before answering again",
                        node.name
                    ))
                } else {
                    e
                }
            })?;
        let (v, href) = match self.session.get(&node.id.as_str(), &[]).await {
            Ok(r) => (r.json, node.id.to_string()),
            // Answered; the next poll says how it goes on.
            Err(_) => (json!({"state": "running"}), node.id.to_string()),
        };
        let mut task = map::execution(&v, &href);
        let workflow = v["name"].as_str().map(str::to_string).unwrap_or_else(|| {
            described
                .label
                .strip_prefix("Answer ")
                .unwrap_or(&described.label)
                .to_string()
        });
        task.target = interaction::workflow_href(&node.id.as_str()).map(|id| TaskTarget {
            kind: NodeKind::Workflow,
            id: id.into(),
            name: workflow.into(),
        });
        Ok(task)
    }

    async fn category_details(&self, node: &Node) -> ApiResult<Details> {
        let Reply { json: v, text, .. } = self.session.get(&node.id.as_str(), &[]).await?;
        let (links, _) = map::down_links(&v);
        let cats = links.iter().filter(|l| map::is_category(l)).count();
        let mut s = Section::new("Category");
        s.row("Name", v["name"].as_str().unwrap_or(&node.name))
            .row("Path", v["path"].as_str().unwrap_or(""))
            .row("Description", v["description"].as_str().unwrap_or(""))
            .row("Subcategories", cats.to_string())
            .row("Workflows", (links.len() - cats).to_string());
        Ok(Details {
            node: node.clone(),
            sections: vec![s],
            links: Vec::new(),
            actions: Vec::new(),
            snapshot_slot: None,
            copies: copies(&node.id.as_str()),
            raw: Raw::json(&text),
        })
    }

    fn endpoint_details(&self, node: &Node) -> Details {
        let mut s = Section::new("Orchestrator");
        s.row("URL", self.session.base())
            .row("User", self.session.user())
            .row(
                "Version",
                self.session
                    .about()
                    .map(|a| a.version.clone())
                    .unwrap_or_default(),
            );
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

    fn remember(&self, href: &str) {
        if let Ok(mut s) = self.started.lock() {
            s.retain(|h| &**h != href);
            s.push_back(href.into());
            while s.len() > RECENT_KEPT {
                s.pop_front();
            }
        }
    }
}

fn unavailable(title: &str, e: ApiError) -> Section {
    let mut s = Section::new(title);
    s.row("Unavailable", e.to_string());
    s
}

fn copies(href: &str) -> Vec<(String, String)> {
    vec![("href".into(), href.to_string())]
}

/// The raw view of a run: a server that echoes a secure input's value must not put it on
/// screen.
fn redact_secrets(text: &str) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(text) else {
        return text.to_string();
    };
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                if let Some(s) = o.get_mut("secure-string")
                    && s.get("value").is_some()
                {
                    *s = json!({"value": "***"});
                }
                o.values_mut().for_each(walk);
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

#[async_trait]
impl Backend for VroBackend {
    fn root(&self) -> Node {
        Node::new(NodeKind::Endpoint, self.session.base(), self.label.as_str()).expandable(true)
    }

    async fn connect(&self) -> ApiResult<EndpointInfo> {
        let about = self.session.connect().await?;
        Ok(EndpointInfo {
            product: Product::Vro,
            url: self.session.base().to_string(),
            user: self.session.user().to_string(),
            api_version: about.version,
            capabilities: Capabilities::CATALOGUE,
            instance_uuid: None,
        })
    }

    async fn children(&self, parent: &Node, sink: &ChildSink) -> ApiResult<()> {
        match parent.kind {
            NodeKind::Endpoint => self.root_categories(sink).await,
            NodeKind::WorkflowCategory => self.category_children(&parent.id.as_str(), sink).await,
            NodeKind::Workflow => {
                let runs = self.runs(&parent.id.as_str(), RUNS_LISTED).await?;
                sink.all(runs);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Categories lead to every workflow once; runs cost a request per workflow.
    fn walk_into(&self, node: &Node) -> bool {
        matches!(node.kind, NodeKind::Endpoint | NodeKind::WorkflowCategory)
    }

    async fn details(&self, node: &Node) -> ApiResult<Details> {
        match node.kind {
            NodeKind::Endpoint => Ok(self.endpoint_details(node)),
            NodeKind::WorkflowCategory => self.category_details(node).await,
            NodeKind::Workflow => self.workflow_details(node).await,
            NodeKind::WorkflowRun => self.run_details(node).await,
            k => Err(ApiError::Unsupported(format!(
                "an Orchestrator has no {} details",
                k.label()
            ))),
        }
    }

    /// Every workflow, flat, page by page (`:workflows`).
    async fn list_kind(&self, kind: NodeKind, sink: &ChildSink) -> ApiResult<()> {
        if kind != NodeKind::Workflow {
            return Err(ApiError::Unsupported(format!(
                "an Orchestrator lists no {}",
                kind.label()
            )));
        }
        let page = self.page_size;
        self.pages("/workflows", &[], |v, done, total| {
            let (nodes, _) = map::workflow_nodes(v);
            sink.push(ChildBatch {
                nodes,
                total,
                progress: total.filter(|t| *t > page).map(|total| ListProgress {
                    label: "listing workflows".into(),
                    done,
                    total,
                }),
                by_name: false,
            })
        })
        .await
    }

    async fn find(&self, text: &str) -> ApiResult<Vec<Node>> {
        let q = [
            ("conditions", format!("name~{text}")),
            ("maxResult", "50".to_string()),
        ];
        let v = self.session.get("/workflows", &q).await?.json;
        Ok(map::workflow_nodes(&v).0)
    }

    /// A workflow's categories, root first: its list item names its category, whose
    /// `path-ids` and `path` name the rest (two reads at any depth).
    async fn ancestors(&self, node: &Node) -> ApiResult<Vec<Node>> {
        let id = match node.kind {
            NodeKind::Workflow => place::last_segment(&node.id.as_str()).map(str::to_string),
            _ => None,
        }
        .ok_or_else(|| {
            ApiError::Unsupported(format!(
                "an Orchestrator places workflows, not {}",
                node.name
            ))
        })?;
        let q = [
            ("conditions", format!("id={id}")),
            ("maxResult", "1".to_string()),
        ];
        let v = self.session.get("/workflows", &q).await?.json;
        let (links, _) = map::down_links(&v);
        let category = links
            .first()
            .and_then(|l| {
                map::attribute(l, "categoryId")
                    .or_else(|| map::attribute(l, "categoryHref").and_then(place::last_segment))
            })
            .map(str::to_string)
            .ok_or_else(|| ApiError::parse(format!("the server names no category of {id}")))?;
        let href = self.session.url(&format!("/categories/{category}/"));
        let v = self.session.get(&href, &[]).await?.json;
        place::chain(&v).ok_or_else(|| {
            ApiError::parse(format!(
                "the category {category} names no path-ids matching its path"
            ))
        })
    }

    async fn invoke(
        &self,
        node: &Node,
        action: &ActionOffer,
        params: &ActionParams,
    ) -> ApiResult<TaskInfo> {
        let (ActionId::Run, Some(described)) = (action.id, &action.described) else {
            return Err(ApiError::Unsupported(format!(
                "an Orchestrator runs workflows only, not {:?}",
                action.id
            )));
        };
        let given: &[_] = match params {
            ActionParams::Inputs(i) => i,
            ActionParams::None => &[],
            other => {
                return Err(ApiError::Unsupported(format!(
                    "a workflow takes inputs, not {other:?}"
                )));
            }
        };
        if node.kind == NodeKind::WorkflowRun {
            return self.answer(node, action, described, given).await;
        }
        let body = inputs::body(&described.params, given)?;
        let url = format!("{}/executions/", action.href.trim_end_matches('/'));
        let reply = self
            .session
            .write(Method::POST, &url, Some(body))
            .await
            .map_err(|e| {
                if e.answer_lost() {
                    // Never sent again: a second POST would be a second run.
                    ApiError::Unsupported(format!(
                        "the answer to starting {} was lost ({e}); it may be running: \
                         look at its runs before starting it again",
                        node.name
                    ))
                } else {
                    e
                }
            })?;
        let location = reply
            .location
            .or_else(|| reply.json["href"].as_str().map(str::to_string))
            .ok_or_else(|| {
                ApiError::parse("the server started a run but said not where (no Location)")
            })?;
        let started = if reply.json.is_object() {
            reply.json
        } else {
            // 7.x answers 202 with no body.
            json!({"state": "running"})
        };
        let mut task = map::execution(&started, &location);
        task.target = Some(TaskTarget {
            kind: NodeKind::Workflow,
            id: node.id.as_str().into(),
            name: node.name.as_str().into(),
        });
        self.remember(&task.id);
        Ok(task)
    }

    async fn poll_task(&self, task: &TaskInfo) -> ApiResult<TaskInfo> {
        let v = self.session.get(&task.id, &[]).await?.json;
        let mut fresh = map::execution(&v, &task.id);
        fresh.target = task.target.clone();
        fresh.started = fresh.started.or(task.started);
        fresh.user = fresh.user.or_else(|| task.user.clone());
        Ok(fresh)
    }

    async fn cancel_task(&self, task: &TaskInfo) -> ApiResult<()> {
        let url = task
            .cancel
            .as_deref()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}/state", task.id.trim_end_matches('/')));
        self.session.write(Method::DELETE, &url, None).await?;
        Ok(())
    }

    /// The runs started from this vnav, re-read (the API has no list of every workflow's
    /// runs short of a request per workflow).
    async fn recent_tasks(&self) -> ApiResult<Vec<TaskInfo>> {
        let hrefs: Vec<Box<str>> = self
            .started
            .lock()
            .map(|s| s.iter().rev().cloned().collect())
            .unwrap_or_default();
        let mut tasks = Vec::with_capacity(hrefs.len());
        for href in hrefs {
            if let Ok(r) = self.session.get(&href, &[]).await {
                tasks.push(map::execution(&r.json, &href));
            }
        }
        Ok(tasks)
    }

    async fn logout(&self) {
        self.session.logout().await;
    }
}
