//! Orchestrator payloads into the unified model: workflow lists (`link[].attributes` pairs),
//! a workflow's declared inputs as `ParamSpec`s, typed value wrappers, executions as tasks,
//! and execution logs. Dates come as epoch milliseconds (older servers) or ISO-8601 (8.x).

use serde_json::Value;
use time::OffsetDateTime;

use crate::api::model::{
    Node, NodeKind, ParamSpec, ParamType, ParamValue, SecretText, Severity, Status, TaskInfo,
    TaskState, TaskTarget,
};

/// A run's operation in the task pane, worded like the other products' ("Power on"): the
/// workflow it runs is its target, so its name is not said twice.
pub const RUN_OPERATION: &str = "Run workflow";

/// The `{name, value}` attributes of one list item, as pairs (an attribute without a value
/// is absent).
pub fn attribute<'a>(item: &'a Value, name: &str) -> Option<&'a str> {
    item["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["name"] == name)
        .and_then(|a| a["value"].as_str())
}

/// The `down` links of a list answer (workflows, executions) and the total the server
/// reports: None when it does not say, or says -1 (VCF 9: page until a short page).
pub fn down_links(v: &Value) -> (Vec<&Value>, Option<u64>) {
    let links = v["link"]
        .as_array()
        .or_else(|| v["relations"]["link"].as_array())
        .map(|l| l.iter().filter(|l| l["rel"] == "down").collect())
        .unwrap_or_default();
    let total = v["total"]
        .as_i64()
        .or_else(|| v["relations"]["total"].as_i64())
        .and_then(|t| u64::try_from(t).ok());
    (links, total)
}

/// Workflow rows of `GET /workflows`: the id is the workflow's href.
pub fn workflow_nodes(v: &Value) -> (Vec<Node>, Option<u64>) {
    let (links, total) = down_links(v);
    (links.into_iter().filter_map(workflow_node).collect(), total)
}

/// One workflow `down` link (of a list or a category) as a node.
pub fn workflow_node(l: &Value) -> Option<Node> {
    let href = attribute(l, "itemHref").or_else(|| l["href"].as_str())?;
    let name = attribute(l, "name").unwrap_or_else(|| attribute(l, "id").unwrap_or(href));
    // `version · category · description`: the `:workflows` table's columns read these parts
    // (`columns::workflow_part`), so their places are kept and only empty trailing ones go.
    let mut parts: Vec<String> = ["version", "categoryName", "description"]
        .into_iter()
        .map(|a| {
            // One line in the tree, whatever the description holds.
            let words: Vec<&str> = attribute(l, a).unwrap_or("").split_whitespace().collect();
            words.join(" ")
        })
        .collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    let summary = parts.join(crate::api::columns::WORKFLOW_SEP);
    Some(
        Node::new(NodeKind::Workflow, href, name)
            .expandable(true)
            .with_summary(summary),
    )
}

/// One category `down` link as a node (categories nest).
pub fn category_node(l: &Value) -> Option<Node> {
    let href = l["href"].as_str()?;
    let name = attribute(l, "name").unwrap_or(href);
    Some(
        Node::new(NodeKind::WorkflowCategory, href, name)
            .expandable(true)
            .with_summary(attribute(l, "description").unwrap_or("")),
    )
}

/// Whether a category's `down` link is a child category (else a workflow).
pub fn is_category(l: &Value) -> bool {
    match attribute(l, "type") {
        Some(t) => t.ends_with("Category"),
        None => l["href"]
            .as_str()
            .is_some_and(|h| h.contains("/categories/") || h.contains("Category/")),
    }
}

/// A declared type into a form type: SDK objects are "PLUGIN:Type".
pub fn param_type(ty: &str) -> ParamType {
    match ty {
        "string" => ParamType::String,
        "SecureString" | "secureString" | "secure-string" => ParamType::SecureString,
        "number" => ParamType::Number,
        "boolean" => ParamType::Boolean,
        "Date" | "date" => ParamType::Date,
        "Array/string" => ParamType::StringList,
        "Properties" | "properties" => ParamType::Properties,
        t if !t.contains('/') && t.contains(':') => ParamType::SdkObject(t.into()),
        t => ParamType::Unsupported(t.into()),
    }
}

/// A workflow's `input-parameters`, with the mandatory marks, defaults and allowed values
/// where the server gives them.
pub fn input_params(workflow: &Value) -> Vec<ParamSpec> {
    params(&workflow["input-parameters"])
}

pub fn output_params(workflow: &Value) -> Vec<ParamSpec> {
    params(&workflow["output-parameters"])
}

/// Declared parameters (`name`, `type`, `description`, a `value` as the default).
pub fn params(list: &Value) -> Vec<ParamSpec> {
    let Some(list) = list.as_array() else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|p| {
            let name = p["name"].as_str()?;
            let mut spec = ParamSpec::new(name, param_type(p["type"].as_str().unwrap_or("")));
            spec.description = p["description"].as_str().unwrap_or("").to_string();
            if let Some(label) = p["display-name"].as_str().filter(|s| !s.is_empty()) {
                spec.label = label.to_string();
            }
            spec.mandatory = p["mandatory"].as_bool().unwrap_or(false);
            spec.default = p.get("default").or_else(|| p.get("value")).and_then(value);
            spec.allowed = p["allowed-values"]
                .as_array()
                .map(|a| a.iter().filter_map(value_text).collect())
                .unwrap_or_default();
            Some(spec)
        })
        .collect()
}

/// Adds what a workflow's presentation says about its inputs (the workflow itself does not):
/// mandatory marks (`constraints` of `@type` mandatory), defaults (`value`), allowed values (a
/// `drop-down` decorator's elements) and display names. Fields nest in steps and groups.
pub fn apply_presentation(specs: &mut [ParamSpec], presentation: &Value) {
    let mut fields = Vec::new();
    collect_fields(presentation, &mut fields);
    for f in fields {
        let Some(spec) = f["id"]
            .as_str()
            .and_then(|id| specs.iter_mut().find(|s| s.name == id))
        else {
            continue;
        };
        if f["constraints"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["@type"] == "mandatory"))
        {
            spec.mandatory = true;
        }
        if let Some(d) = f.get("value").and_then(value) {
            spec.default = Some(d);
        }
        if let Some(choices) = f["decorators"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["@type"] == "drop-down"))
            .and_then(|d| d["array"]["elements"].as_array())
        {
            let allowed: Vec<String> = choices.iter().filter_map(value_text).collect();
            if !allowed.is_empty() {
                spec.allowed = allowed;
            }
        }
        if let Some(label) = f["display-name"].as_str().filter(|s| !s.is_empty()) {
            spec.label = label.to_string();
        }
    }
}

fn collect_fields<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(o) => {
            if o.get("@type").and_then(Value::as_str) == Some("field") {
                out.push(v);
            }
            o.values().for_each(|c| collect_fields(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| collect_fields(c, out)),
        _ => {}
    }
}

/// A state's label and colour for the tree.
pub fn run_status(state: TaskState) -> Status {
    let severity = match state {
        TaskState::Success => Severity::Ok,
        TaskState::Error | TaskState::Aborted => Severity::Error,
        TaskState::Canceled => Severity::Muted,
        TaskState::WaitingForInput | TaskState::Suspended => Severity::Warn,
        TaskState::Queued | TaskState::Running => Severity::Busy,
    };
    Status::new(state.label(), severity)
}

/// A run in a workflow's executions list: named by its start, its id the execution href.
pub fn run_node(link: &Value) -> Option<Node> {
    let href = link["href"].as_str()?;
    let started = attribute(link, "startDate")
        .map(|s| Value::String(s.into()))
        .as_ref()
        .and_then(time_of);
    let name = started.map_or_else(
        || attribute(link, "id").unwrap_or(href).to_string(),
        crate::api::labels::time,
    );
    let state = state(attribute(link, "state").unwrap_or("running"));
    let summary = attribute(link, "startedBy")
        .map(|u| format!("by {u}"))
        .unwrap_or_default();
    Some(
        Node::new(NodeKind::WorkflowRun, href, name)
            .with_status(run_status(state))
            .with_summary(summary),
    )
}

/// A typed wrapper (`{"string":{"value":"x"}}`, `{"array":{"elements":[…]}}`, …) as a value.
pub fn value(v: &Value) -> Option<ParamValue> {
    let (kind, inner) = v.as_object()?.iter().next()?;
    Some(match kind.as_str() {
        "string" => ParamValue::Text(inner["value"].as_str()?.to_string()),
        "secure-string" => ParamValue::Secret(SecretText::new(inner["value"].as_str()?)),
        "number" => ParamValue::Number(inner["value"].as_f64()?),
        "boolean" => ParamValue::Bool(inner["value"].as_bool()?),
        "date" => ParamValue::Date(time_of(&inner["value"])?),
        "array" => ParamValue::List(
            inner["elements"]
                .as_array()?
                .iter()
                .filter_map(value_text)
                .collect(),
        ),
        "properties" => ParamValue::Properties(
            inner["property"]
                .as_array()?
                .iter()
                .filter_map(|p| Some((p["key"].as_str()?.to_string(), value_text(&p["value"])?)))
                .collect(),
        ),
        "sdk-object" => ParamValue::SdkObject {
            ty: inner["type"].as_str()?.into(),
            id: inner["id"].as_str()?.to_string(),
        },
        _ => return None,
    })
}

/// A wrapped value as display text; secure strings are masked.
pub fn value_text(v: &Value) -> Option<String> {
    Some(display(&value(v)?))
}

/// A value as an operator reads it ("20", "Yes", "a, b", "k=v"), as the other panes write
/// flags and times; secure strings are masked.
pub fn display(v: &ParamValue) -> String {
    match v {
        ParamValue::Text(s) => s.clone(),
        ParamValue::Secret(_) => "***".into(),
        ParamValue::Number(n) => n.to_string(),
        ParamValue::Bool(b) => crate::api::labels::yes_no(*b).into(),
        ParamValue::Date(d) => crate::api::labels::when(*d),
        ParamValue::List(l) => l.join(", "),
        ParamValue::Properties(p) => p
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", "),
        ParamValue::SdkObject { ty, id } => format!("{ty} {id}"),
    }
}

/// The value of an execution parameter as text (the wrapper, or empty when unset).
pub fn param_text(p: &Value) -> String {
    value_text(&p["value"]).unwrap_or_default()
}

/// The value of an execution parameter as text beside its type, which names the type of an
/// SDK object ("VC:VirtualMachine", "Array/VC:VirtualMachine"): each such object by its id
/// alone ("vm-1014, vm-1018"), its type said once, in the type's column.
pub fn param_text_typed(p: &Value) -> String {
    let ty = p["type"].as_str().unwrap_or("");
    let elem = ty.strip_prefix("Array/").unwrap_or(ty);
    fn id_of<'a>(v: &'a Value, elem: &str) -> Option<&'a str> {
        let o = &v["sdk-object"];
        o["id"]
            .as_str()
            .filter(|_| o["type"].as_str() == Some(elem))
    }
    let v = &p["value"];
    if let Some(id) = id_of(v, elem) {
        return id.to_string();
    }
    let ids = v["array"]["elements"]
        .as_array()
        .filter(|e| !e.is_empty())
        .and_then(|e| e.iter().map(|x| id_of(x, elem)).collect::<Option<Vec<_>>>());
    match ids {
        Some(ids) => ids.join(", "),
        None => param_text(p),
    }
}

/// Epoch milliseconds (older servers) or an ISO-8601 string (8.x).
pub fn time_of(v: &Value) -> Option<OffsetDateTime> {
    if let Some(ms) = v.as_i64() {
        return OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok();
    }
    crate::api::model::parse_time(v.as_str()?)
}

/// An execution state; the three that wait on a person say so.
pub fn state(s: &str) -> TaskState {
    match s {
        "completed" => TaskState::Success,
        "failed" => TaskState::Error,
        "canceled" | "cancelled" => TaskState::Canceled,
        "waiting" | "waiting-signal" => TaskState::WaitingForInput,
        "suspended" => TaskState::Suspended,
        _ => TaskState::Running,
    }
}

/// An execution as a task. `href` is where it is polled (the execution's own href when the
/// answer has one, else the `Location` it was started at). Its target is the workflow, known
/// from the href (`…/workflows/{id}/executions/{eid}/`) and the run's `name`; None when the
/// answer names neither (7.x answers a start with no body: the caller knows the workflow).
pub fn execution(v: &Value, href: &str) -> TaskInfo {
    let state = state(v["state"].as_str().unwrap_or("running"));
    let href: Box<str> = v["href"].as_str().unwrap_or(href).into();
    let target = v["name"].as_str().and_then(|name| {
        Some(TaskTarget {
            kind: NodeKind::Workflow,
            id: super::interaction::workflow_href(&href)?.into(),
            name: name.into(),
        })
    });
    TaskInfo {
        operation: RUN_OPERATION.to_string(),
        target,
        state,
        progress: None,
        user: v["started-by"].as_str().map(str::to_string),
        started: time_of(&v["start-date"]),
        finished: time_of(&v["end-date"]),
        error: v["content-exception"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        cancel: (!state.is_terminal())
            .then(|| format!("{}/state", href.trim_end_matches('/')).into()),
        id: href,
    }
}

/// One line of a run's log, as the server gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub at: Option<OffsetDateTime>,
    pub severity: String,
    pub user: String,
    pub text: String,
}

/// A run's log entries, oldest first.
pub fn logs(v: &Value) -> Vec<LogEntry> {
    let mut entries: Vec<LogEntry> = v["logs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let e = &e["entry"];
            let word = |k: &str| e[k].as_str().unwrap_or("").to_string();
            LogEntry {
                at: time_of(&e["time-stamp"]),
                severity: word("severity"),
                user: word("user"),
                text: e["long-description"]
                    .as_str()
                    .or_else(|| e["short-description"].as_str())
                    .unwrap_or("")
                    .to_string(),
            }
        })
        .collect();
    entries.sort_by_key(|e| e.at);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/vro/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_workflow_list_sample_gives_its_workflow_and_total() {
        let (nodes, total) = workflow_nodes(&sample("vco_workflows_list.json"));
        assert_eq!(total, Some(1));
        assert_eq!(nodes.len(), 1);
        assert_eq!(&*nodes[0].name, "Request Component");
        assert_eq!(nodes[0].summary(), "0.0.33 · vCAC");
        assert!(
            nodes[0]
                .id
                .as_str()
                .ends_with("/workflows/6e04a460-4a45-4e16-9603-db2922c24462/")
        );
        // VCF 9 says -1: unknown, page until a short page.
        let (_, total) = workflow_nodes(&serde_json::json!({"link": [], "total": -1}));
        assert_eq!(total, None);
    }

    #[test]
    fn workflow_samples_declare_typed_inputs_and_outputs() {
        let wf = sample("vco_workflow_get.json");
        let inputs = input_params(&wf);
        assert_eq!(inputs.len(), 13);
        let runlist = inputs.iter().find(|p| p.name == "runlist").unwrap();
        assert_eq!(runlist.ty, ParamType::StringList);
        assert!(runlist.description.starts_with("Chef Runlist"));
        assert_eq!(output_params(&wf)[1].ty, ParamType::Number);
        let lib = sample("vco_workflow_get_library.json");
        assert_eq!(input_params(&lib)[0].ty, ParamType::String);
        assert_eq!(
            output_params(&lib)[0].ty,
            ParamType::Unsupported("Array/VC:VirtualMachine".into())
        );
        assert_eq!(
            param_type("VC:VirtualMachine"),
            ParamType::SdkObject("VC:VirtualMachine".into())
        );
        assert_eq!(param_type("SecureString"), ParamType::SecureString);
    }

    #[test]
    fn the_executions_sample_lists_runs_with_states() {
        let v = sample("vco_workflow_executions_list.json");
        let (runs, total) = down_links(&v);
        assert_eq!(total, Some(100));
        assert_eq!(runs.len(), 100);
        let states: Vec<TaskState> = runs
            .iter()
            .map(|r| state(attribute(r, "state").unwrap()))
            .collect();
        assert_eq!(
            states.iter().filter(|s| **s == TaskState::Success).count(),
            73
        );
        assert_eq!(
            states.iter().filter(|s| **s == TaskState::Error).count(),
            27
        );
        assert_eq!(attribute(runs[1], "currentItemDisplayName"), None);
    }

    #[test]
    fn a_completed_execution_has_typed_outputs_and_no_cancel() {
        let v = sample("vco_execution_completed.json");
        let t = execution(&v, "unused");
        assert_eq!(t.state, TaskState::Success);
        assert!(t.id.ends_with("/executions/ff8080814a1cb55c014a6481a9927a78/"));
        assert_eq!(t.cancel, None);
        assert_eq!(t.started.unwrap().unix_timestamp(), 1419025426);
        let outs: Vec<String> = v["output-parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(param_text)
            .collect();
        assert_eq!(
            outs,
            ["SUCCESSFUL", "326", "Request succeeded. Created vm00378."]
        );
        let runlist = &v["input-parameters"][9];
        assert_eq!(
            param_text(runlist),
            "role[loc_uswest], role[base], role[api]"
        );
    }

    #[test]
    fn a_running_vro8_execution_is_polled_where_it_started_and_can_be_cancelled() {
        let v = sample("vco_execution_start_running_vro8.json");
        let t = execution(&v, "https://vro/vco/api/workflows/w/executions/e/");
        assert_eq!(t.state, TaskState::Running);
        assert_eq!(&*t.id, "https://vro/vco/api/workflows/w/executions/e/");
        assert_eq!(
            t.cancel.as_deref(),
            Some("https://vro/vco/api/workflows/w/executions/e/state")
        );
        assert!(t.started.is_some());
        assert_eq!(state("waiting"), TaskState::WaitingForInput);
        assert_eq!(state("suspended"), TaskState::Suspended);
    }

    #[test]
    fn a_failure_carries_its_exception() {
        let v = serde_json::json!({"state": "failed", "name": "x",
            "content-exception": "TypeError: vm is null"});
        assert_eq!(
            execution(&v, "h").error.as_deref(),
            Some("TypeError: vm is null")
        );
    }

    #[test]
    fn logs_read_oldest_first() {
        let lines = logs(&sample("vco_execution_logs.json"));
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].text, "Workflow 'Request Component' has started");
        assert_eq!((&*lines[0].severity, &*lines[0].user), ("info", "someuser"));
        assert!(lines[3].text.contains("has completed"));
        assert!(lines.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn the_presentation_sample_marks_mandatory_inputs_and_their_choices() {
        let mut specs = input_params(&sample("vco_workflow_get.json"));
        assert!(specs.iter().all(|s| !s.mandatory));
        apply_presentation(&mut specs, &sample("vco_workflow_presentation.json"));
        let unit = specs.iter().find(|s| s.name == "businessUnit").unwrap();
        assert!(unit.mandatory);
        assert!(unit.allowed.iter().any(|a| a == "an"), "{:?}", unit.allowed);
    }

    #[test]
    fn a_listed_run_is_named_by_its_start_and_coloured_by_its_state() {
        let v = sample("vco_workflow_executions_list.json");
        let (links, _) = down_links(&v);
        let n = run_node(links[0]).unwrap();
        assert_eq!(n.kind, NodeKind::WorkflowRun);
        assert!(n.id.as_str().contains("/executions/"), "{}", n.id);
        assert!(n.name.starts_with("20"), "{}", n.name);
        assert!(matches!(n.status.severity, Severity::Ok | Severity::Error));
    }

    #[test]
    fn every_value_wrapper_reads() {
        use serde_json::json;
        assert_eq!(
            value(&json!({"number": {"value": 20}})),
            Some(ParamValue::Number(20.0))
        );
        assert_eq!(
            value(&json!({"boolean": {"value": true}})),
            Some(ParamValue::Bool(true))
        );
        assert!(matches!(
            value(&json!({"date": {"value": "2026-12-06T10:00:00Z"}})),
            Some(ParamValue::Date(_))
        ));
        assert_eq!(
            value_text(&json!({"secure-string": {"value": "pw"}})).as_deref(),
            Some("***")
        );
        assert_eq!(
            value(
                &json!({"properties": {"property": [{"key": "k", "value": {"string": {"value": "v"}}}]}})
            ),
            Some(ParamValue::Properties(vec![("k".into(), "v".into())]))
        );
        assert_eq!(
            value(&json!({"sdk-object": {"type": "VC:VirtualMachine", "id": "vm-1"}})),
            Some(ParamValue::SdkObject {
                ty: "VC:VirtualMachine".into(),
                id: "vm-1".into()
            })
        );
    }
}
