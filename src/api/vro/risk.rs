//! How careful running a workflow must be. Orchestrator declares no risk (a workflow's JSON has
//! id, name, version, description and parameters; no tag or flag says it only reads), so
//! vnav decides, and says how in the form and the confirmation: the context's
//! `workflow_risk` for the workflow's name first; else a name that begins with a verb that
//! only reads ("Get virtual machines by name") is safe; else disruptive, the safe default.
//! Read-only mode refuses every run whatever this says (`app::actions::allowed`): a name is a
//! promise nobody checked, and a run is itself recorded on the server.

use std::collections::BTreeMap;

use crate::api::model::Risk;

/// First words of workflows that only read. A verb that may also write ("Report", which may
/// mail; "Check", which may fix; "Export", which writes a file) is not here.
const READ_VERBS: [&str; 8] = [
    "Get", "List", "Find", "Show", "Describe", "Search", "Read", "Count",
];

/// The workflow's risk and the rule that gave it, in words.
pub fn of(configured: &BTreeMap<String, Risk>, workflow: &str) -> (Risk, String) {
    if let Some(r) = configured.get(workflow) {
        return (
            *r,
            format!("{}: this context's workflow_risk says so", r.label()),
        );
    }
    let verb = workflow.split_whitespace().next().unwrap_or("");
    match READ_VERBS.iter().find(|v| v.eq_ignore_ascii_case(verb)) {
        Some(v) => (
            Risk::Safe,
            format!(
                "safe: its name begins with \"{v}\", a read (Orchestrator declares no risk; \
                 workflow_risk in the context overrides)"
            ),
        ),
        None => (
            Risk::Disruptive,
            "disruptive: Orchestrator declares no risk, and the name does not begin with Get, \
             List, Find, Show, Describe, Search, Read or Count (workflow_risk in the context \
             overrides)"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_reads_is_safe_and_any_other_disruptive() {
        let none = BTreeMap::new();
        assert_eq!(of(&none, "Get virtual machines by name").0, Risk::Safe);
        assert_eq!(of(&none, "list datastores").0, Risk::Safe);
        assert!(
            of(&none, "Get virtual machines by name")
                .1
                .contains("\"Get\"")
        );
        for name in [
            "Power off virtual machine",
            "Report crm capacity",
            "Getaway",
            "",
            "Restart app tier",
        ] {
            let (risk, rule) = of(&none, name);
            assert_eq!(risk, Risk::Disruptive, "{name}");
            assert!(rule.starts_with("disruptive: Orchestrator declares no risk"));
        }
    }

    #[test]
    fn the_context_wins_over_the_name() {
        let mut set = BTreeMap::new();
        set.insert("Get and delete VMs".to_string(), Risk::Destructive);
        set.insert("Restart app tier".to_string(), Risk::Safe);
        let (risk, rule) = of(&set, "Get and delete VMs");
        assert_eq!(risk, Risk::Destructive);
        assert!(rule.contains("workflow_risk"), "{rule}");
        assert_eq!(of(&set, "Restart app tier").0, Risk::Safe);
    }
}
