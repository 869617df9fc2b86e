//! A run waiting for a person. Its user interaction (`GET …/executions/{eid}/interaction`:
//! `name`, `state` WAITING|FINISHED, `assignee[]`, `parameter[]` typed like a workflow's
//! inputs, a `value` being the suggested answer) becomes a described action, "Answer …",
//! offered on the run's node, so the app asks it with the one form like Run; the answer is
//! posted once to the same path as an `execution-context` (`{"parameters":[…]}`): a write,
//! never retried or hedged.

use serde_json::Value;

use super::map;
use crate::api::model::{ParamSpec, Section};

/// What a waiting run asks.
#[derive(Clone, Debug)]
pub struct Interaction {
    pub name: String,
    /// `WAITING` while it can be answered.
    pub state: String,
    pub assignees: Vec<String>,
    pub params: Vec<ParamSpec>,
}

impl Interaction {
    pub fn from_json(v: &Value) -> Interaction {
        let assignees = v["assignee"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| {
                        // A name, or an object naming one (no real body was captured).
                        x.as_str()
                            .or_else(|| x["name"].as_str())
                            .or_else(|| x["principal"].as_str())
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Interaction {
            name: v["name"].as_str().unwrap_or("").to_string(),
            state: v["state"].as_str().unwrap_or("").to_string(),
            assignees,
            params: map::params(&v["parameter"]),
        }
    }

    pub fn is_waiting(&self) -> bool {
        self.state.eq_ignore_ascii_case("waiting")
    }

    /// The detail pane's account of it: what it asks and of whom.
    pub fn section(&self) -> Section {
        let mut s = Section::new("User interaction");
        s.row("Asks", &self.name)
            .row("State", crate::api::labels::state(&self.state));
        if !self.assignees.is_empty() {
            s.row("Assigned to", self.assignees.join(", "));
        }
        for p in &self.params {
            let mut what = p.ty.label().to_string();
            if !p.description.is_empty() {
                what = format!("{what} · {}", p.description);
            }
            s.row(p.name.clone(), what);
        }
        s
    }
}

/// `…/executions/{eid}/interaction/` of a run's href.
pub fn url(run_href: &str) -> String {
    format!("{}/interaction/", run_href.trim_end_matches('/'))
}

/// The workflow a run belongs to: its href up to `…/workflows/{id}/`.
pub fn workflow_href(run_href: &str) -> Option<String> {
    let (wf, _) = run_href.trim_end_matches('/').rsplit_once("/executions/")?;
    Some(format!("{wf}/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::ParamType;
    use serde_json::json;

    #[test]
    fn an_interaction_reads_into_typed_params_and_a_section() {
        let v = json!({
            "name": "Approve the window",
            "state": "WAITING",
            "assignee": ["vcoadmins", {"name": "change-managers"}],
            "parameter": [
                {"name": "approved", "type": "boolean", "description": "Approve it"},
                {"name": "comment", "type": "string", "value": {"string": {"value": "ok"}}},
            ],
        });
        let i = Interaction::from_json(&v);
        assert!(i.is_waiting());
        assert_eq!(i.assignees, ["vcoadmins", "change-managers"]);
        assert_eq!(i.params[0].ty, ParamType::Boolean);
        assert_eq!(i.params[1].ty, ParamType::String);
        assert!(i.params[1].default.is_some());
        let s = i.section();
        assert!(
            s.rows
                .iter()
                .any(|(k, v)| k == "Assigned to" && v.contains("vcoadmins"))
        );
        assert!(!Interaction::from_json(&json!({"state": "FINISHED"})).is_waiting());
    }

    #[test]
    fn hrefs_of_a_run() {
        let run = "https://vro/vco/api/workflows/wf-1/executions/ex-1/";
        assert_eq!(url(run), format!("{run}interaction/"));
        assert_eq!(
            workflow_href(run).as_deref(),
            Some("https://vro/vco/api/workflows/wf-1/")
        );
        assert_eq!(workflow_href("https://vro/x"), None);
    }
}
