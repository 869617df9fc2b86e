//! The form of an action that takes parameters (a workflow's Run, key `e`), in the app alone:
//! each input type's editing and its validation shown at the field, the picker over objects
//! loaded from the other endpoints, read-only refusal, the confirmation, the invoke effect
//! with typed inputs, and the audit line with secure strings masked.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vnav::api::model::*;
use vnav::app::App;
use vnav::app::Overlay;
use vnav::app::dialog::{Dialog, FormDialog};
use vnav::app::event::{ApiAnswer, Effect, Event};

use crate::support::*;

pub(crate) const WF: &str = "https://vro/vco/api/workflows/wf-1/";

fn param(name: &str, ty: ParamType) -> ParamSpec {
    let mut p = ParamSpec::new(name, ty);
    p.label = name.to_string();
    p
}

/// "Restart app tier": one input of each kind vnav enters.
pub(crate) fn inputs() -> Vec<ParamSpec> {
    let mut host = param("host", ParamType::String);
    host.mandatory = true;
    let mut tier = param("tier", ParamType::String);
    tier.allowed = vec!["web".into(), "app".into(), "db".into()];
    tier.default = Some(ParamValue::Text("app".into()));
    vec![
        host,
        tier,
        param("password", ParamType::SecureString),
        param("count", ParamType::Number),
        param("force", ParamType::Boolean),
        param("when", ParamType::Date),
        param("tags", ParamType::StringList),
        param("props", ParamType::Properties),
        param("vm", ParamType::SdkObject("VC:VirtualMachine".into())),
    ]
}

fn described(params: Vec<ParamSpec>, risk: Risk) -> Described {
    Described {
        label: "Run Restart app tier".into(),
        description: "restarts the services of one tier".into(),
        risk,
        risk_rule: String::new(),
        params,
    }
}

fn info(product: Product, url: &str) -> EndpointInfo {
    EndpointInfo {
        product,
        url: url.into(),
        user: "ops@corp".into(),
        api_version: "8.18".into(),
        capabilities: Capabilities::BROWSE,
        instance_uuid: None,
    }
}

/// An Orchestrator endpoint with one workflow (selected) and a vCenter with two VMs loaded.
pub(crate) fn app(read_only: bool) -> App {
    let mut app = app_with(&["vro", "vc"], read_only);
    let effects = app.start();
    let connects: Vec<u64> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Connect { req, .. } => Some(*req),
            _ => None,
        })
        .collect();
    let out = answer(
        &mut app,
        connects[0],
        0,
        ApiAnswer::Connected(Ok(info(Product::Vro, "https://vro"))),
    );
    let wf = Node::new(NodeKind::Workflow, WF, "Restart app tier");
    give_children(&mut app, children_req(&out.effects), vec![wf]);
    let out = answer(
        &mut app,
        connects[1],
        1,
        ApiAnswer::Connected(Ok(info(Product::Vcenter, "https://vc"))),
    );
    let req = children_req(&out.effects);
    answer(
        &mut app,
        req,
        1,
        ApiAnswer::Children(ChildBatch {
            nodes: vec![vm("vm/vm-42", "web-01", true), vm("vm/vm-7", "db-01", true)],
            ..Default::default()
        }),
    );
    answer(&mut app, req, 1, ApiAnswer::ChildrenDone(Ok(())));
    let wf = app.tree.find(0, WF)[0];
    app.select_entry(wf);
    app
}

/// `e`, and the server's fresh offer of the workflow with these inputs; returns the effects of
/// opening the form.
pub(crate) fn open_form(app: &mut App, params: Vec<ParamSpec>, risk: Risk) -> Vec<Effect> {
    let effects = key(app, KeyCode::Char('e')).effects;
    offer(app, effects, params, risk)
}

/// Answers the fresh reads among `effects` with the workflow's offer.
fn offer(app: &mut App, effects: Vec<Effect>, params: Vec<ParamSpec>, risk: Risk) -> Vec<Effect> {
    let mut out = Vec::new();
    for e in effects {
        if let Effect::Details { req, node, .. } = e {
            let d = Details {
                actions: vec![ActionOffer::described(WF, described(params.clone(), risk))],
                snapshot_slot: None,
                copies: vec![],
                node,
                sections: vec![],
                links: vec![],
                raw: Raw {
                    format: RawFormat::Json,
                    text: String::new(),
                },
            };
            out.extend(answer(app, req, 0, ApiAnswer::Details(Box::new(Ok(d)))).effects);
        }
    }
    out
}

pub(crate) fn form(app: &App) -> &FormDialog {
    match &app.overlay {
        Some(Overlay::Dialog(Dialog::Form(f))) => f,
        other => panic!("no form: {other:?}"),
    }
}

pub(crate) fn focused(app: &App) -> String {
    let f = form(app);
    f.form.fields[f.form.focus].spec.name.clone()
}

fn error(app: &App, name: &str) -> Option<String> {
    form(app).form.field(name).unwrap().error.clone()
}

/// Tab until the field `name` has the focus.
pub(crate) fn go_to(app: &mut App, name: &str) {
    for _ in 0..20 {
        if focused(app) == name {
            return;
        }
        key(app, KeyCode::Tab);
    }
    panic!("no field {name}");
}

fn ctrl(app: &mut App, c: char) {
    app.handle(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

pub(crate) fn invoked(effects: &[Effect]) -> Option<(u64, ActionParams)> {
    effects.iter().find_map(|e| match e {
        Effect::Invoke { req, params, .. } => Some((*req, params.clone())),
        _ => None,
    })
}

fn value<'a>(p: &'a ActionParams, name: &str) -> Option<&'a ParamValue> {
    let ActionParams::Inputs(v) = p else {
        panic!("{p:?}")
    };
    v.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Fills the one mandatory input so the form can go.
pub(crate) fn fill_host(app: &mut App) {
    go_to(app, "host");
    keys(app, "app-7");
}

#[tokio::test(start_paused = true)]
async fn run_opens_a_form_of_the_declared_inputs_and_sends_them_typed_after_the_confirm() {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Disruptive);
    let f = form(&app);
    assert_eq!(f.form.fields.len(), 9);
    assert_eq!(f.summary, "Run Restart app tier");
    assert_eq!(f.text("tier"), "app", "defaults fill their fields");
    fill_host(&mut app);
    go_to(&mut app, "count");
    keys(&mut app, "3");
    go_to(&mut app, "force");
    key(&mut app, KeyCode::Char(' '));
    go_to(&mut app, "when");
    keys(&mut app, "2026-12-24");
    let out = key(&mut app, KeyCode::Enter);
    assert!(invoked(&out.effects).is_none(), "disruptive: asked first");
    let Some(Overlay::Dialog(Dialog::Confirm(c))) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!((c.risk(), c.expect.as_deref()), (Risk::Disruptive, None));
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("Run Restart app tier with host = app-7, tier = app, count = 3, force =")
            && text.contains("Yes, when = 2026-12-24 00:00:00 UTC?")
            && text.contains("· disruptive"),
        "the confirmation says what will be sent: {text}"
    );
    let out = key(&mut app, KeyCode::Char('y'));
    let (_, params) = invoked(&out.effects).expect("y runs it");
    assert_eq!(
        params,
        ActionParams::Inputs(vec![
            ("host".into(), ParamValue::Text("app-7".into())),
            ("tier".into(), ParamValue::Text("app".into())),
            ("count".into(), ParamValue::Number(3.0)),
            ("force".into(), ParamValue::Bool(true)),
            (
                "when".into(),
                ParamValue::Date(parse_time("2026-12-24T00:00:00Z").unwrap())
            ),
        ]),
        "unset inputs are absent"
    );
    // Enter on the confirmation takes its default, No.
    open_form(&mut app, inputs(), Risk::Disruptive);
    fill_host(&mut app);
    key(&mut app, KeyCode::Enter);
    let out = key(&mut app, KeyCode::Enter);
    assert!(invoked(&out.effects).is_none() && app.overlay.is_none());
}

/// The title names the workflow ("Run Restart app tier · disruptive"); the form's first line
/// does not say it again, so the description and the fields start a row higher at 80×24.
#[tokio::test(start_paused = true)]
async fn a_workflows_form_names_it_once() {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Disruptive);
    let text = screen(&mut app, 80, 24);
    let named: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Run Restart app tier"))
        .collect();
    assert_eq!(named.len(), 1, "{text}");
    assert!(named[0].contains("· disruptive"), "{text}");
    assert!(text.contains("restarts the services of one tier"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn a_destructive_workflow_wants_its_name_typed_and_a_safe_one_runs_at_once() {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Destructive);
    fill_host(&mut app);
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::Dialog(Dialog::Confirm(c))) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(c.expect.as_deref(), Some("Restart app tier"));
    keys(&mut app, "Restart app tier");
    assert!(invoked(&key(&mut app, KeyCode::Enter).effects).is_some());

    open_form(&mut app, inputs(), Risk::Safe);
    fill_host(&mut app);
    assert!(invoked(&key(&mut app, KeyCode::Enter).effects).is_some());
}

#[tokio::test(start_paused = true)]
async fn read_only_refuses_run_with_the_usual_message() {
    let mut app = app(true);
    let out = key(&mut app, KeyCode::Char('e'));
    assert!(out.effects.is_empty() && app.overlay.is_none());
    assert_eq!(
        app.toast.as_ref().unwrap().text,
        "read-only: Run is disabled"
    );
}

#[tokio::test(start_paused = true)]
async fn problems_are_shown_at_their_fields_and_nothing_runs() {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Safe);
    go_to(&mut app, "tier");
    ctrl(&mut app, 'u');
    keys(&mut app, "cache");
    go_to(&mut app, "count");
    keys(&mut app, "three");
    go_to(&mut app, "when");
    keys(&mut app, "24/12/2026");
    go_to(&mut app, "props");
    keys(&mut app, "=x");
    let out = key(&mut app, KeyCode::Enter);
    assert!(invoked(&out.effects).is_none());
    assert_eq!(error(&app, "host").as_deref(), Some("required"));
    assert!(
        error(&app, "tier")
            .unwrap()
            .contains("not one of: web, app, db")
    );
    assert!(error(&app, "count").unwrap().contains("not a number"));
    assert!(error(&app, "when").unwrap().contains("not a date"));
    assert!(error(&app, "props").unwrap().contains("pair 1 has no key"));
    assert_eq!(focused(&app), "host", "the focus goes to the first problem");
    // On screen each problem sits on the line under its field.
    let text = screen(&mut app, 100, 40);
    let lines: Vec<&str> = text.lines().collect();
    let at = |label: &str| {
        lines
            .iter()
            .position(|l| l.contains(&format!(" {label} ")) || l.contains(&format!(" {label}* ")))
            .unwrap_or_else(|| panic!("no {label} in {text}"))
    };
    assert!(lines[at("host") + 1].contains("✗ required"), "{text}");
    assert!(
        lines[at("count") + 1].contains("✗ \"three\" is not a number"),
        "{text}"
    );
    assert!(text.contains("5 fields to fix"), "{text}");
    // Editing a field clears its problem; fixing them all lets it go.
    keys(&mut app, "h1");
    assert_eq!(error(&app, "host"), None);
    go_to(&mut app, "tier");
    key(&mut app, KeyCode::Right); // steps to an allowed value
    assert_eq!(form(&app).text("tier"), "web");
    go_to(&mut app, "count");
    ctrl(&mut app, 'u');
    go_to(&mut app, "when");
    ctrl(&mut app, 'u');
    go_to(&mut app, "props");
    key(&mut app, KeyCode::Delete); // the pair under the cursor
    assert!(form(&app).form.field("props").unwrap().pairs.is_empty());
    let (_, p) = invoked(&key(&mut app, KeyCode::Enter).effects).expect("runs when fixed");
    assert_eq!(value(&p, "tier"), Some(&ParamValue::Text("web".into())));
}

#[tokio::test(start_paused = true)]
async fn lists_and_properties_are_edited_row_by_row() {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Safe);
    fill_host(&mut app);
    go_to(&mut app, "tags");
    keys(&mut app, "blue");
    key(&mut app, KeyCode::Down); // the adding row
    keys(&mut app, "green");
    key(&mut app, KeyCode::Down);
    keys(&mut app, "red");
    assert_eq!(
        form(&app).form.field("tags").unwrap().items,
        ["blue", "green", "red"]
    );
    key(&mut app, KeyCode::Up); // on green
    key(&mut app, KeyCode::Delete);
    key(&mut app, KeyCode::Up); // on blue
    for _ in 0..5 {
        key(&mut app, KeyCode::Backspace); // emptied, then removed
    }
    assert_eq!(form(&app).form.field("tags").unwrap().items, ["red"]);
    go_to(&mut app, "props");
    keys(&mut app, "env=prod");
    key(&mut app, KeyCode::Down);
    keys(&mut app, "ticket=CHG-1");
    key(&mut app, KeyCode::Left); // back to the key
    keys(&mut app, "s");
    let text = screen(&mut app, 100, 40);
    assert!(
        text.contains("env = prod") && text.contains("tickets▏ = CHG-1"),
        "each pair on a row, the cursor in the key: {text}"
    );
    let (_, p) = invoked(&key(&mut app, KeyCode::Enter).effects).unwrap();
    assert_eq!(
        value(&p, "tags"),
        Some(&ParamValue::List(vec!["red".into()]))
    );
    assert_eq!(
        value(&p, "props"),
        Some(&ParamValue::Properties(vec![
            ("env".into(), "prod".into()),
            ("tickets".into(), "CHG-1".into())
        ]))
    );
}

#[tokio::test(start_paused = true)]
async fn an_sdk_object_is_picked_from_the_other_endpoints_or_typed_as_an_id() {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Safe);
    fill_host(&mut app);
    go_to(&mut app, "vm");
    let names: Vec<String> = form(&app)
        .form
        .field("vm")
        .unwrap()
        .choices
        .iter()
        .map(|c| format!("{} {} {}", c.name, c.id, c.about))
        .collect();
    assert_eq!(names, ["db-01 vm-7 VM · vc", "web-01 vm-42 VM · vc"]);
    keys(&mut app, "web");
    let text = screen(&mut app, 100, 40);
    let offered: Vec<&str> = text.lines().filter(|l| l.contains(" › ")).collect();
    assert!(
        offered.len() == 1 && offered[0].contains("› web-01  VM · vc"),
        "{text}"
    );
    // The hint and the footer say the same of ↑/↓: they walk the rows, a match's row picks.
    assert!(text.contains("↑/↓ onto a match picks it"), "{text}");
    assert!(text.contains("Tab/⇧Tab field · ↑/↓ row ·"), "{text}");
    key(&mut app, KeyCode::Down); // onto the one match: picked
    assert!(form(&app).form.field("vm").unwrap().picked.is_some());
    assert_eq!(focused(&app), "vm");
    let (_, p) = invoked(&key(&mut app, KeyCode::Enter).effects).unwrap();
    assert_eq!(
        value(&p, "vm"),
        Some(&ParamValue::SdkObject {
            ty: "VC:VirtualMachine".into(),
            id: "vm-42".into()
        })
    );
    // Nothing loaded matches: what is typed is the id.
    open_form(&mut app, inputs(), Risk::Safe);
    fill_host(&mut app);
    go_to(&mut app, "vm");
    keys(&mut app, "vm-999");
    assert!(screen(&mut app, 100, 40).contains("taken as an id"));
    let (_, p) = invoked(&key(&mut app, KeyCode::Enter).effects).unwrap();
    assert_eq!(
        value(&p, "vm"),
        Some(&ParamValue::SdkObject {
            ty: "VC:VirtualMachine".into(),
            id: "vm-999".into()
        })
    );
}

#[tokio::test(start_paused = true)]
async fn a_secure_string_is_masked_on_screen_and_in_the_audit_line() {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Safe);
    fill_host(&mut app);
    go_to(&mut app, "password");
    keys(&mut app, "hunter2");
    let text = screen(&mut app, 100, 40);
    assert!(
        text.contains("•••••••") && !text.contains("hunter2"),
        "{text}"
    );
    let (req, p) = invoked(&key(&mut app, KeyCode::Enter).effects).unwrap();
    let Some(ParamValue::Secret(s)) = value(&p, "password") else {
        panic!("{p:?}")
    };
    assert_eq!(s.expose(), "hunter2", "the server gets the secret");
    assert!(!format!("{p:?}").contains("hunter2"));
    let done = TaskInfo {
        id: "https://vro/vco/api/workflows/wf-1/executions/ex-1/".into(),
        operation: "Restart app tier".into(),
        target: None,
        state: TaskState::Success,
        progress: None,
        started: None,
        finished: None,
        error: None,
        cancel: None,
        user: Some("ops@corp".into()),
    };
    let out = answer(&mut app, req, 0, ApiAnswer::Invoked(Ok(done)));
    let audit = out
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Audit(r) => Some(r.clone()),
            _ => None,
        })
        .expect("an audit line");
    assert_eq!(audit.action, "Run Restart app tier");
    assert_eq!(audit.target_name, "Restart app tier");
    assert_eq!(audit.parameters["password"], "***");
    assert_eq!(audit.parameters["host"], "app-7");
    assert!(!format!("{audit:?}").contains("hunter2"));
}

/// Every field's line, in order, until the form ends.
fn form_has(text: &str, wanted: &[&str]) -> bool {
    wanted.iter().all(|w| text.contains(w))
}

#[tokio::test(start_paused = true)]
async fn the_form_fits_80x24_and_scrolls_to_the_focus_at_60x20() {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Disruptive);
    let text = screen(&mut app, 80, 24);
    assert!(
        form_has(
            &text,
            &[
                "Run Restart app tier · disruptive",
                "▸ host* ",
                "string",
                "secure string",
                "yes/no",
                "list of strings",
                "VC:VirtualMachine",
                "Enter takes it",
            ]
        ),
        "{text}"
    );
    let text = screen(&mut app, 60, 20);
    assert!(
        text.contains("▸ host*") && text.contains("Esc cancels"),
        "{text}"
    );
    go_to(&mut app, "vm");
    let text = screen(&mut app, 60, 20);
    assert!(
        text.contains("▸ vm ") && text.contains("↑") && text.contains("more"),
        "the focused field scrolls into view: {text}"
    );
    assert!(
        text.contains("web-01") && text.contains("Esc cancels"),
        "{text}"
    );
    // Nothing drawn past the frame: every line fits the 60 columns.
    assert!(text.lines().all(|l| l.chars().count() <= 60));
}

#[tokio::test(start_paused = true)]
async fn run_is_e_in_the_help_and_in_the_actions_menu() {
    let mut app = app(false);
    let help: Vec<String> = vnav::views::help::lines(&app)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    let line = help
        .iter()
        .find(|l| l.contains("Run — "))
        .unwrap_or_else(|| panic!("{help:?}"));
    assert!(
        line.starts_with("  e ") && line.contains("[disruptive; Workflow]"),
        "{line}"
    );
    let effects = key(&mut app, KeyCode::Char('a')).effects;
    offer(&mut app, effects, inputs(), Risk::Disruptive);
    let Some(Overlay::Dialog(Dialog::Menu { items, .. })) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(items.len(), 1);
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(form(&app).label, "Run Restart app tier");
}

#[tokio::test(start_paused = true)]
async fn the_confirmation_lists_the_inputs_with_secure_strings_masked() {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Disruptive);
    fill_host(&mut app);
    go_to(&mut app, "password");
    keys(&mut app, "hunter2");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(
        app.overlay,
        Some(Overlay::Dialog(Dialog::Confirm(_)))
    ));
    let text = screen(&mut app, 120, 30);
    assert!(text.contains("password = ***"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

/// Opening the form lists every VM of the vCenter, not only those the tree has loaded; the
/// picker's choices grow as the pages arrive, and what was picked stays picked.
#[tokio::test(start_paused = true)]
async fn the_picker_lists_every_object_of_its_type_from_the_servers() {
    let mut app = app(false);
    let effects = open_form(&mut app, inputs(), Risk::Safe);
    let lists: Vec<(u64, usize, NodeKind)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::ListKind {
                req,
                endpoint,
                kind,
            } => Some((*req, *endpoint, *kind)),
            _ => None,
        })
        .collect();
    assert_eq!(lists.len(), 1, "the vCenter's VMs, once: {effects:?}");
    let (req, endpoint, kind) = lists[0];
    assert_eq!((endpoint, kind), (1, NodeKind::Vm));
    fill_host(&mut app);
    go_to(&mut app, "vm");
    keys(&mut app, "web");
    key(&mut app, KeyCode::Down);
    let picked = |app: &App| {
        let f = form(app).form.field("vm").unwrap();
        f.picked_choice().map(|c| c.id.clone())
    };
    assert_eq!(picked(&app).as_deref(), Some("vm-42"));
    answer(
        &mut app,
        req,
        1,
        ApiAnswer::Children(ChildBatch {
            nodes: vec![
                vm("vm/vm-42", "web-01", true),
                vm("vm/vm-100", "app-100", false),
            ],
            ..Default::default()
        }),
    );
    answer(&mut app, req, 1, ApiAnswer::ChildrenDone(Ok(())));
    let names: Vec<String> = form(&app)
        .form
        .field("vm")
        .unwrap()
        .choices
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(names, ["app-100", "db-01", "web-01"], "each VM once");
    assert_eq!(picked(&app).as_deref(), Some("vm-42"), "still picked");
    // Asked (disruptive), the confirmation names the object as picked, with its id.
    if let Some(Overlay::Dialog(Dialog::Form(f))) = &mut app.overlay {
        f.risk = Risk::Disruptive;
    }
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::Dialog(Dialog::Confirm(c))) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert!(c.summary.ends_with("vm = web-01 (vm-42)"), "{}", c.summary);
    key(&mut app, KeyCode::Esc);
    // A second form asks nothing more: the listing is there.
    key(&mut app, KeyCode::Esc);
    let effects = open_form(&mut app, inputs(), Risk::Safe);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::ListKind { .. })),
        "{effects:?}"
    );
}

/// A wide dialog gives an input's label room to read whole ("Virtual machine to snapshot" was
/// cut at 18 cells); a narrow one still cuts it and keeps the mandatory mark.
#[tokio::test(start_paused = true)]
async fn a_long_input_label_reads_whole_in_a_wide_dialog() {
    let mut app = app(false);
    let mut vm = param("vm", ParamType::SdkObject("VC:VirtualMachine".into()));
    vm.label = "Virtual machine to snapshot".into();
    vm.mandatory = true;
    open_form(&mut app, vec![vm], Risk::Safe);
    let wide = screen_text(&render(&mut app, 160, 45));
    assert!(wide.contains("Virtual machine to snapshot*"), "{wide}");
    let narrow = screen_text(&render(&mut app, 60, 30));
    assert!(narrow.contains("Virtual machine t…*"), "{narrow}");
}

/// A presentation's label is often its description ("Reboot if a patch needs it"): a yes/no
/// field says it once, and the longest label stays apart from its type.
#[tokio::test(start_paused = true)]
async fn a_yes_no_field_says_its_label_once_and_apart_from_its_type() {
    let mut app = app(false);
    let mut reboot = ParamSpec::new("rebootAllowed", ParamType::Boolean);
    reboot.label = "Reboot if a patch needs it".into();
    reboot.description = "Reboot if a patch needs it".into();
    let mut quiesce = ParamSpec::new("quiesce", ParamType::Boolean);
    quiesce.label = "quiesce".into();
    quiesce.description = "Quiesce the guest file system".into();
    open_form(&mut app, vec![reboot, quiesce], Risk::Safe);
    let text = screen(&mut app, 120, 40);
    let line = text
        .lines()
        .find(|l| l.contains("Reboot if a patch needs it"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        line.matches("Reboot if a patch needs it").count(),
        1,
        "{line}"
    );
    assert!(
        line.contains("Reboot if a patch needs it  yes/no"),
        "{line}"
    );
    // A description that says more than the label stays beside the box.
    let line = text.lines().find(|l| l.contains("quiesce")).unwrap();
    assert!(line.contains("[ ] Quiesce the guest file system"), "{line}");
}

/// A presentation's label is often a sentence: in a wide form it reads whole
/// ("Search criteria. Part of the name.*"), not cut to "Search criteria. Part of the n…*".
#[tokio::test(start_paused = true)]
async fn a_sentence_long_label_reads_whole_in_a_wide_form() {
    let mut app = app(false);
    let mut criteria = ParamSpec::new("criteria", ParamType::String);
    criteria.label = "Search criteria. Part of the name.".into();
    criteria.mandatory = true;
    open_form(&mut app, vec![criteria], Risk::Safe);
    let text = screen(&mut app, 160, 45);
    assert!(
        text.contains("Search criteria. Part of the name.*  string"),
        "{text}"
    );
}
