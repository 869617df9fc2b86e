//! vnav's Orchestrator client against the simulator: logging in the way each generation wants
//! (Basic on 7 and 8, a Cloud Director session on 9) and again after the session expired, the
//! tree of nested categories → workflows → runs, workflow paging with and without a total,
//! and a workflow's details with the Run it offers.

use std::collections::{BTreeMap, HashSet};

use vnav::api::error::ApiError;
use vnav::api::model::{ActionId, Details, Node, NodeKind, ParamType, ParamValue, Risk};
use vnav::api::vro::{PAGE_SIZE, VroBackend, VroConfig};
use vnav::api::{Backend, ChildSink};
use vnav::sim::{Sim, SimOptions, VroOptions, VroVersion};

use crate::sim_vro_support::{vro_sim, vro_sim_with};

pub fn backend(s: &Sim) -> VroBackend {
    crate::backends::vro(s, PAGE_SIZE, BTreeMap::new())
}

pub async fn children(b: &VroBackend, parent: &Node) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(parent, &sink)
        .await
        .unwrap_or_else(|e| panic!("children of {}: {e}", parent.name));
    got.take()
}

/// Every workflow under the categories, walking them depth first.
async fn workflows_by_category(b: &VroBackend) -> Vec<Node> {
    let mut todo = children(b, &b.root()).await;
    assert!(!todo.is_empty(), "root categories");
    assert!(todo.iter().all(|n| n.kind == NodeKind::WorkflowCategory));
    let mut workflows = Vec::new();
    while let Some(cat) = todo.pop() {
        for n in children(b, &cat).await {
            match n.kind {
                NodeKind::WorkflowCategory => todo.push(n),
                NodeKind::Workflow => workflows.push(n),
                k => panic!("{k:?} in category {}", cat.name),
            }
        }
    }
    workflows
}

/// The workflow called `name`, found through the flat list.
pub async fn workflow(b: &VroBackend, name: &str) -> Node {
    let (sink, got) = ChildSink::collecting();
    b.list_kind(NodeKind::Workflow, &sink).await.unwrap();
    got.take()
        .into_iter()
        .find(|n| &*n.name == name)
        .unwrap_or_else(|| panic!("no workflow {name}"))
}

fn section<'a>(d: &'a Details, title: &str) -> &'a vnav::api::model::Section {
    d.sections
        .iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| panic!("no {title} section in {:?}", d.sections))
}

#[tokio::test]
async fn each_generation_logs_in_its_own_way() {
    for (version, major, sessions) in [
        (VroVersion::V7, "7.", 0),
        (VroVersion::V8, "8.", 0),
        (VroVersion::V9, "9.", 1),
    ] {
        let s = vro_sim(version).await;
        let b = backend(&s);
        let info = b.connect().await.unwrap();
        assert_eq!(info.product, vnav::api::model::Product::Vro);
        assert!(info.api_version.starts_with(major), "{info}");
        // Basic holds no session on the server; VCF 9 holds exactly one.
        assert_eq!(s.live_tokens().len(), sessions, "{version:?}");
        assert!(!children(&b, &b.root()).await.is_empty(), "{version:?}");
        b.logout().await;

        let wrong = VroBackend::new(VroConfig {
            url: s.vro_url.clone(),
            user: s.vro_user().into(),
            password: "not-it".to_string().into(),
            http: Default::default(),
            page_size: PAGE_SIZE,
            risks: BTreeMap::new(),
        })
        .unwrap();
        let e = wrong.connect().await.unwrap_err();
        assert!(
            matches!(e, ApiError::LoginRefused { .. }),
            "{version:?}: {e}"
        );
    }
}

#[tokio::test]
async fn an_expired_session_logs_in_again_once() {
    let s = vro_sim(VroVersion::V9).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let before = s.live_tokens();
    assert_eq!(before.len(), 1);
    s.expire_tokens();
    let roots = children(&b, &b.root()).await;
    assert!(!roots.is_empty());
    let after = s.live_tokens();
    assert_eq!(after.len(), 1, "one new session, not one per call");
    assert_ne!(after, before);
    // By time, too: a session older than the server's TTL is refused and replaced.
    let s = vro_sim_with(
        SimOptions {
            faults: vnav::sim::Faults {
                token_ttl_secs: Some(60),
                ..Default::default()
            },
            ..SimOptions::default()
        },
        VroOptions {
            version: VroVersion::V9,
            ..VroOptions::default()
        },
    )
    .await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let first = s.live_tokens();
    s.advance(std::time::Duration::from_secs(61));
    assert!(!workflows_by_category(&b).await.is_empty());
    let second = s.live_tokens();
    assert_eq!(second.len(), 1);
    assert_ne!(first, second);
}

#[tokio::test]
async fn categories_nest_and_lead_to_every_workflow_once() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let by_category = workflows_by_category(&b).await;
    let ids: HashSet<String> = by_category.iter().map(|n| n.id.to_string()).collect();
    assert_eq!(ids.len(), by_category.len(), "each workflow once");
    assert_eq!(by_category.len(), VroOptions::default().workflows);
    let (sink, got) = ChildSink::collecting();
    b.list_kind(NodeKind::Workflow, &sink).await.unwrap();
    let flat = got.take();
    let flat_ids: HashSet<String> = flat.iter().map(|n| n.id.to_string()).collect();
    assert_eq!(ids, flat_ids, "the flat list and the tree agree");
    // Nested: some category holds another.
    let roots = children(&b, &b.root()).await;
    let mut nested = false;
    for r in &roots {
        nested |= children(&b, r)
            .await
            .iter()
            .any(|n| n.kind == NodeKind::WorkflowCategory);
    }
    assert!(nested, "categories nest");
    assert!(b.walk_into(&roots[0]));
    assert!(
        !b.walk_into(&flat[0]),
        "a dump does not read every workflow's runs"
    );
}

#[tokio::test]
async fn workflows_page_with_a_total_and_with_total_minus_one() {
    // (page size, requests on 8 with a total, requests on 9 without one): 45 workflows.
    for (page, with_total, without) in [(7u64, 7u64, 7u64), (9, 5, 6), (100, 1, 1)] {
        for (version, want) in [(VroVersion::V8, with_total), (VroVersion::V9, without)] {
            let s = vro_sim(version).await;
            let b = crate::backends::vro(&s, page, BTreeMap::new());
            b.connect().await.unwrap();
            let before = s.vro_request_count();
            let (sink, got) = ChildSink::collecting();
            b.list_kind(NodeKind::Workflow, &sink).await.unwrap();
            let nodes = got.take();
            assert_eq!(
                s.vro_request_count() - before,
                want,
                "{version:?}, {page} a page"
            );
            let ids: HashSet<String> = nodes.iter().map(|n| n.id.to_string()).collect();
            assert_eq!((nodes.len(), ids.len()), (45, 45), "{version:?}, {page}");
        }
    }
}

#[tokio::test]
async fn a_workflow_says_what_it_asks_for_and_offers_a_run() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let wf = workflow(&b, "Extend disk").await;
    let d = b.details(&wf).await.unwrap();
    let general = section(&d, "Workflow");
    let row = |k: &str| {
        general
            .rows
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(row("Name"), Some("Extend disk"));
    assert!(row("Description").is_some_and(|d| d.starts_with("Grows a virtual disk")));
    assert!(row("Version").is_some());
    assert!(
        row("Category").is_some_and(|p| p.contains('/')),
        "{general:?}"
    );
    let inputs = section(&d, "Inputs").table.as_ref().unwrap();
    let grow = inputs.rows.iter().find(|r| r.cells[0] == "growGb").unwrap();
    assert_eq!(grow.cells[1..5], ["number", "Yes", "", "10, 20, 50, 100"]);
    let disk = inputs
        .rows
        .iter()
        .find(|r| r.cells[0] == "diskIndex")
        .unwrap();
    assert_eq!(disk.cells[2..4], ["", "0"]);
    let outputs = section(&d, "Outputs").table.as_ref().unwrap();
    assert_eq!(outputs.rows[0].cells[..2], ["newCapacityGb", "number"]);
    assert!(d.raw.text.contains("input-parameters"));

    let run = d.actions.iter().find(|a| a.id == ActionId::Run).unwrap();
    let described = run.described.as_ref().unwrap();
    assert_eq!(described.label, "Run Extend disk");
    assert_eq!(described.risk, Risk::Disruptive);
    let vm = described.params.iter().find(|p| p.name == "vm").unwrap();
    assert_eq!(vm.ty, ParamType::SdkObject("VC:VirtualMachine".into()));
    assert!(vm.mandatory);
    let disk = described
        .params
        .iter()
        .find(|p| p.name == "diskIndex")
        .unwrap();
    assert_eq!(disk.default, Some(ParamValue::Number(0.0)));

    // A context may call a workflow safe (or destructive) by name.
    let risky = crate::backends::vro(
        &s,
        PAGE_SIZE,
        BTreeMap::from([("Extend disk".to_string(), Risk::Safe)]),
    );
    risky.connect().await.unwrap();
    let d = risky.details(&wf).await.unwrap();
    assert_eq!(d.actions[0].described.as_ref().unwrap().risk, Risk::Safe);
}

#[tokio::test]
async fn a_workflow_lists_its_recent_runs_newest_first() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    // The simulator starts with past runs of some workflows; find one with several.
    let (sink, got) = ChildSink::collecting();
    b.list_kind(NodeKind::Workflow, &sink).await.unwrap();
    let mut found = false;
    for wf in got.take() {
        let runs = children(&b, &wf).await;
        if runs.len() < 2 {
            continue;
        }
        found = true;
        assert!(runs.len() <= vnav::api::vro::RUNS_LISTED as usize);
        assert!(runs.iter().all(|r| r.kind == NodeKind::WorkflowRun));
        let names: Vec<&str> = runs.iter().map(|r| &*r.name).collect();
        let mut sorted = names.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(names, sorted, "newest first");
        break;
    }
    assert!(found, "some workflow has past runs");
}

/// VCF 9 logs in like Cloud Director, so logging out ends that session on the server: one
/// `DELETE /cloudapi/1.0.0/sessions/current` answered 204, and its token is dead after.
/// Basic (7, 8) holds no session and sends nothing.
#[tokio::test]
async fn logout_ends_a_vcf9_session_and_the_server_answers_204() {
    for (version, deletes) in [(VroVersion::V9, 1), (VroVersion::V8, 0)] {
        let s = vro_sim(version).await;
        let b = backend(&s);
        b.connect().await.unwrap();
        let tokens = s.live_tokens();
        b.logout().await;
        let path = "/cloudapi/1.0.0/sessions/current";
        assert_eq!(s.seen_at("DELETE", path), deletes, "{version:?}");
        let answered: u64 = s
            .answered_all()
            .into_iter()
            .filter(|((m, p, st), _)| m == "DELETE" && p == path && *st == 204)
            .map(|(_, n)| n)
            .sum();
        assert_eq!(answered, deletes, "{version:?}: {:?}", s.answered_all());
        assert!(
            s.live_tokens().is_empty(),
            "{version:?}: the session is gone"
        );
        for t in tokens {
            let r = reqwest::Client::new()
                .get(format!("{}/vco/api/workflows?maxResult=1", s.vro_url))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), reqwest::StatusCode::UNAUTHORIZED);
        }
    }
}
