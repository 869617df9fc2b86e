//! Workflow categories: `GET /categories?categoryType=WorkflowCategory&isRoot=true` and
//! `GET /categories/{id}` with its child categories and workflows as `down` links, its
//! `path` (names joined by `/`) and `path-ids` (the ids on that path, as the real server's
//! `WsCategory` has them).

use axum::response::Response;
use serde_json::{Value, json};

use super::workflows::workflow_link;
use super::{Req, VroError, VroResult, VroShared, down, ok};

pub fn href(s: &VroShared, cat: usize) -> String {
    s.href(&format!("categories/{}/", s.catalogue.categories[cat].id))
}

/// A category as a `down` link with its attributes.
pub fn category_link(s: &VroShared, cat: usize) -> Value {
    let c = &s.catalogue.categories[cat];
    down(
        href(s, cat),
        &[
            ("id", c.id.clone()),
            ("name", c.name.clone()),
            ("description", c.description.clone()),
            ("type", "WorkflowCategory".into()),
            ("path", s.catalogue.path(cat)),
        ],
    )
}

pub fn list(s: &VroShared, r: &Req) -> VroResult<Response> {
    let kind = r.one("categoryType").unwrap_or("WorkflowCategory");
    let roots_only = r
        .one("isRoot")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let all = &s.catalogue.categories;
    let chosen: Vec<usize> = if kind != "WorkflowCategory" {
        // Only workflow categories are simulated (no actions, resources or policies).
        vec![]
    } else {
        (0..all.len())
            .filter(|&i| !roots_only || all[i].parent.is_none())
            .collect()
    };
    let range = super::page(r, &chosen)?;
    let links = chosen[range].iter().map(|&i| category_link(s, i)).collect();
    ok(super::list(s, links, chosen.len()))
}

pub fn get(s: &VroShared, id: &str) -> VroResult<Response> {
    let Some(cat) = s.catalogue.category(id) else {
        return Err(VroError::not_found(format!(
            "Category with id '{id}' not found"
        )));
    };
    let c = &s.catalogue.categories[cat];
    let mut links = vec![];
    if let Some(parent) = c.parent {
        links.push(json!({"href": href(s, parent), "rel": "up"}));
    }
    links.extend(c.children.iter().map(|&i| category_link(s, i)));
    links.extend(c.workflows.iter().map(|&w| workflow_link(s, w)));
    links.push(json!({"href": format!("{}permissions/", href(s, cat)), "rel": "permissions"}));
    ok(json!({
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "type": "WorkflowCategory",
        "path": s.catalogue.path(cat),
        "path-ids": s.catalogue.path_ids(cat),
        "href": href(s, cat),
        "relations": {"link": links},
    }))
}
