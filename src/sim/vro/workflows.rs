//! Workflows: the paged list (`maxResult`, `startIndex`, `conditions=name~X`,
//! `conditions=categoryName=X`) in the `link[].attributes[{name,value}]` shape, one workflow
//! with its typed inputs and outputs, and its presentation (mandatory marks, defaults, allowed
//! values).

use axum::response::Response;
use serde_json::{Value, json};

use super::catalogue::{Param, Workflow};
use super::{Req, VroError, VroResult, VroShared, down, ok};

pub fn href(s: &VroShared, wf: usize) -> String {
    s.href(&format!("workflows/{}/", s.catalogue.workflows[wf].id))
}

/// The real server's category href, under `/catalog` (also served here).
fn category_href(s: &VroShared, cat: usize) -> String {
    s.href(&format!(
        "catalog/System/WorkflowCategory/{}/",
        s.catalogue.categories[cat].id
    ))
}

pub fn workflow_link(s: &VroShared, wf: usize) -> Value {
    let w = &s.catalogue.workflows[wf];
    let cat = &s.catalogue.categories[w.category];
    down(
        href(s, wf),
        &[
            ("itemHref", href(s, wf)),
            ("id", w.id.clone()),
            ("categoryName", cat.name.clone()),
            ("canExecute", "true".into()),
            ("categoryHref", category_href(s, w.category)),
            ("description", w.description.clone()),
            ("name", w.name.clone()),
            ("customIcon", "false".into()),
            ("type", "Workflow".into()),
            ("canEdit", "true".into()),
            ("version", w.version.clone()),
        ],
    )
}

/// One `conditions` filter: `attr=value` (equal) or `attr~value` (contains), case-insensitive.
type Filter<'a> = Box<dyn Fn(&Workflow) -> bool + 'a>;

fn condition<'a>(s: &'a VroShared, cond: &str) -> VroResult<Filter<'a>> {
    let (attr, value, contains) = match (cond.split_once('~'), cond.split_once('=')) {
        (Some((a, v)), None) => (a, v, true),
        (Some((a, v)), Some((b, _))) if a.len() < b.len() => (a, v, true),
        (_, Some((a, v))) => (a, v, false),
        _ => {
            return Err(VroError::bad_request(format!(
                "Invalid condition '{cond}': expected attribute=value or attribute~value"
            )));
        }
    };
    let value = value.to_lowercase();
    let matches = move |field: &str| {
        let field = field.to_lowercase();
        if contains {
            field.contains(&value)
        } else {
            field == value
        }
    };
    let cats = &s.catalogue.categories;
    Ok(match attr {
        "name" => Box::new(move |w| matches(&w.name)),
        "id" => Box::new(move |w| matches(&w.id)),
        "description" => Box::new(move |w| matches(&w.description)),
        "categoryName" => Box::new(move |w| matches(&cats[w.category].name)),
        "categoryId" => Box::new(move |w| matches(&cats[w.category].id)),
        _ => {
            return Err(VroError::bad_request(format!(
                "Unsupported condition attribute '{attr}'"
            )));
        }
    })
}

pub fn list(s: &VroShared, r: &Req) -> VroResult<Response> {
    let mut filters = r
        .all("conditions")
        .flat_map(|c| c.split(','))
        .filter(|c| !c.is_empty())
        .map(|c| condition(s, c))
        .collect::<VroResult<Vec<_>>>()?;
    if let Some(name) = r.one("categoryName") {
        filters.push(condition(s, &format!("categoryName={name}"))?);
    }
    let chosen: Vec<usize> = (0..s.catalogue.workflows.len())
        .filter(|&i| filters.iter().all(|f| f(&s.catalogue.workflows[i])))
        .collect();
    let range = super::page(r, &chosen)?;
    let links = chosen[range].iter().map(|&i| workflow_link(s, i)).collect();
    ok(super::list(s, links, chosen.len()))
}

pub fn find(s: &VroShared, id: &str) -> VroResult<usize> {
    s.catalogue
        .workflow(id)
        .ok_or_else(|| VroError::not_found(format!("Workflow with id '{id}' not found")))
}

fn declared(params: &[Param]) -> Vec<Value> {
    params
        .iter()
        .map(|p| {
            let mut v = json!({"name": p.name, "type": p.ty});
            if !p.description.is_empty() {
                v["description"] = json!(p.description);
            }
            v
        })
        .collect()
}

pub fn get(s: &VroShared, id: &str) -> VroResult<Response> {
    let wf = find(s, id)?;
    let w = &s.catalogue.workflows[wf];
    let me = href(s, wf);
    let mut links = vec![json!({"rel": "up", "href": category_href(s, w.category)})];
    for rel in [
        "executions",
        "presentation",
        "tasks",
        "icon",
        "schema",
        "permissions",
        "interactions",
    ] {
        links.push(json!({"rel": rel, "href": format!("{me}{rel}/")}));
    }
    ok(json!({
        "output-parameters": declared(&w.outputs),
        "relations": {"link": links},
        "id": w.id,
        "name": w.name,
        "version": w.version,
        "description": w.description,
        "href": me,
        "customized-icon": false,
        "input-parameters": declared(&w.inputs),
    }))
}

/// One presentation field: `constraints` holds `mandatory`, a `drop-down` decorator the allowed
/// values, and `value` the default.
fn field(p: &Param) -> Value {
    let constraints: Vec<Value> = if p.mandatory {
        vec![json!({"@type": "mandatory"})]
    } else {
        vec![]
    };
    let decorators: Vec<Value> = if p.choices.is_empty() {
        vec![]
    } else {
        vec![json!({"array": {"elements": p.choices}, "@type": "drop-down"})]
    };
    let mut f = json!({
        "display-name": if p.description.is_empty() { &p.name } else { &p.description },
        "constraints": constraints,
        "@type": "field",
        "fields": [],
        "id": p.name,
        "description": p.description,
        "hidden": false,
        "messages": [],
        "decorators": decorators,
        "type": p.ty,
    });
    if let Some(d) = &p.default {
        f["value"] = d.clone();
    }
    f
}

pub fn presentation(s: &VroShared, id: &str) -> VroResult<Response> {
    let wf = find(s, id)?;
    let w = &s.catalogue.workflows[wf];
    let me = href(s, wf);
    let fields: Vec<Value> = w.inputs.iter().map(field).collect();
    ok(json!({
        "output-parameters": declared(&w.outputs),
        "input-parameters": declared(&w.inputs),
        "href": format!("{me}presentation/"),
        "name": w.name,
        "id": w.id,
        "steps": [{"step": {
            "messages": [],
            "hidden": false,
            "elements": [{"fields": fields, "@type": "group", "hidden": false, "messages": []}],
        }}],
        "relations": {"link": [
            {"rel": "up", "href": me},
            {"rel": "instances", "href": format!("{me}presentation/instances/")},
            {"rel": "add", "href": format!("{me}presentation/instances/")},
        ]},
    }))
}
