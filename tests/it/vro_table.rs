//! `:workflows` in the app: typed columns (Name, Category, Version, Description, Endpoint)
//! read from workflow list links as the Orchestrator client maps them, the title counting the
//! rows, and sorting by a workflow column like any other kind's.

use serde_json::{Value, json};
use vnav::api::ApiError;
use vnav::api::model::{ChildBatch, NodeKind};
use vnav::api::vro::map::workflow_nodes;
use vnav::app::event::ApiAnswer;

use crate::app_command::{command, list_kind_reqs, rows};
use crate::app_form::app;
use crate::support::*;

fn link(name: &str, version: &str, category: &str, description: &str) -> Value {
    let href = format!("https://vro/vco/api/workflows/{name}/");
    json!({"attributes": [
        {"name": "itemHref", "value": href},
        {"name": "name", "value": name},
        {"name": "version", "value": version},
        {"name": "categoryName", "value": category},
        {"name": "description", "value": description},
    ], "href": href, "rel": "down"})
}

#[tokio::test(start_paused = true)]
async fn workflows_show_typed_columns_and_sort_by_them() {
    let mut app = app(false);
    let reqs = list_kind_reqs(&command(&mut app, "workflows"));
    let page = json!({"link": [
        link("Rotate certificate", "2.3.10", "Security", "Replaces the TLS\ncertificate of a host."),
        link("Extend disk", "2.3.9", "Storage", "Grows a disk."),
        link("Request maintenance window", "1.0.0", "Approvals", ""),
    ], "total": 3});
    for (req, endpoint, kind) in reqs {
        assert_eq!(kind, NodeKind::Workflow);
        if endpoint == 0 {
            let (nodes, total) = workflow_nodes(&page);
            answer(
                &mut app,
                req,
                0,
                ApiAnswer::Children(ChildBatch {
                    nodes,
                    total,
                    ..Default::default()
                }),
            );
            answer(&mut app, req, 0, ApiAnswer::ChildrenDone(Ok(())));
        } else {
            let none = ApiError::Unsupported("no workflows here".into());
            answer(&mut app, req, endpoint, ApiAnswer::ChildrenDone(Err(none)));
        }
    }
    let text = screen(&mut app, 260, 40);
    assert!(text.contains("Workflows (3)"), "{text}");
    let header = text
        .lines()
        .find(|l| l.contains("Name") && l.contains("Category"))
        .unwrap_or_else(|| panic!("no header: {text}"));
    let at = |w: &str| header.find(w).unwrap_or_else(|| panic!("{w}: {header}"));
    assert!(at("Name") < at("Category") && at("Category") < at("Version"));
    assert!(at("Version") < at("Description") && at("Description") < at("Endpoint"));
    assert!(!header.contains("State"), "{header}");
    let row = text
        .lines()
        .find(|l| l.contains("Rotate certificate"))
        .unwrap();
    assert!(
        row.contains("Security")
            && row.contains("2.3.10")
            && row.contains("Replaces the TLS certificate"),
        "{row}"
    );

    command(&mut app, "sort version");
    assert_eq!(
        rows(&app),
        [
            "Request maintenance window",
            "Extend disk",
            "Rotate certificate"
        ],
        "2.3.9 before 2.3.10"
    );
    command(&mut app, "sort category");
    assert_eq!(
        rows(&app),
        [
            "Request maintenance window",
            "Rotate certificate",
            "Extend disk"
        ]
    );
}
