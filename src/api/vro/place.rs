//! Where a workflow sits in the category tree (`Backend::ancestors`, for `:goto`): a workflow
//! list item names its category (`categoryHref`, `…/WorkflowCategory/{id}/`), and a category
//! (`GET /categories/{id}`) its `path` (names joined by `/`) and `path-ids` (the ids on that
//! path, the root's first and its own last), so two reads place a workflow at any depth.

use serde_json::Value;

use crate::api::model::{Node, NodeKind};

/// The id an href ends in (`…/categories/{id}/`, `…/workflows/{id}/`).
pub fn last_segment(href: &str) -> Option<&str> {
    href.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
}

/// The categories from the root down to the one `v` is (its own JSON), from its `path-ids`
/// and `path`, each with the href a listing gives it (the category's own `href` with the id
/// swapped). None when the answer lacks them or they disagree (a name holding a `/`).
pub fn chain(v: &Value) -> Option<Vec<Node>> {
    let ids: Vec<&str> = v["path-ids"]
        .as_array()?
        .iter()
        .map(Value::as_str)
        .collect::<Option<_>>()?;
    let names: Vec<&str> = v["path"].as_str()?.split('/').collect();
    let href = v["href"].as_str()?;
    let own = v["id"].as_str()?;
    if ids.len() != names.len() || ids.last() != Some(&own) {
        return None;
    }
    let prefix = href.trim_end_matches('/').strip_suffix(own)?;
    Some(
        ids.iter()
            .zip(names)
            .map(|(id, name)| {
                Node::new(NodeKind::WorkflowCategory, format!("{prefix}{id}/"), name)
                    .expandable(true)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_category_names_the_chain_from_the_root() {
        let v = json!({
            "id": "c3",
            "name": "Power Management",
            "path": "Library/vCenter/Power Management",
            "path-ids": ["c1", "c2", "c3"],
            "href": "https://vro/vco/api/categories/c3/",
        });
        let chain = chain(&v).unwrap();
        let got: Vec<(String, String)> = chain
            .iter()
            .map(|n| (n.id.to_string(), n.name.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "https://vro/vco/api/categories/c1/".into(),
                    "Library".into()
                ),
                (
                    "https://vro/vco/api/categories/c2/".into(),
                    "vCenter".into()
                ),
                (
                    "https://vro/vco/api/categories/c3/".into(),
                    "Power Management".into()
                ),
            ]
        );
        assert!(chain.iter().all(|n| n.kind == NodeKind::WorkflowCategory));
    }

    #[test]
    fn a_path_that_disagrees_with_its_ids_is_not_guessed_at() {
        let v = json!({
            "id": "c2", "path": "Lib/a/b", "path-ids": ["c1", "c2"],
            "href": "https://vro/vco/api/categories/c2/",
        });
        assert!(chain(&v).is_none());
        assert!(chain(&json!({"id": "c2", "path": "x"})).is_none());
        assert_eq!(
            last_segment("https://vro/x/WorkflowCategory/ab12/"),
            Some("ab12")
        );
    }
}
