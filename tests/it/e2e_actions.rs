//! End to end, as a user presses keys: the real App and executor (headless `Driver`), the real vCD
//! client, the simulator over HTTP, and an audit log in a temporary directory. Real time with short
//! task durations and generous waits; nothing here asserts timings, and a key that must do nothing
//! is checked on the effects the App asked for, never by waiting to see nothing come.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vnav::api::Backend;
use vnav::api::model::{ActionId, ActionParams, NodeKind, Section, TaskState};
use vnav::api::vcd::VcdBackend;
use vnav::app::dialog::{Confirm, Dialog};
use vnav::app::event::{Effect, Event};
use vnav::app::tree::{EntryId, Load};
use vnav::app::{App, DetailState, EndpointSpec, Overlay, Pane};
use vnav::audit::AuditLog;
use vnav::runtime::driver::{Driver, screen_text};
use vnav::sim::{Sim, SimOptions};
use vnav::theme::Theme;

use crate::backends;
use crate::sim_support::sim;
use crate::support::toast;

const WAIT: Duration = Duration::from_secs(10);

struct E2e {
    sim: Sim,
    d: Driver,
    backend: Arc<VcdBackend>,
    audit: AuditLog,
    _dir: tempfile::TempDir,
}

/// Starts a simulator and the app on it (read-only globally or for the context only), and waits
/// until the endpoint's first level is shown.
async fn start(task_seconds: f64, fail_rate: f64, read_only: bool, ctx_read_only: bool) -> E2e {
    let opts = SimOptions {
        vms: 200,
        task_seconds,
        fail_rate,
        ..SimOptions::default()
    };
    let sim = sim(opts).await;
    let backend = Arc::new(backends::vcd_admin(&sim));
    let root = backend.root();
    let spec = EndpointSpec {
        label: "sim".into(),
        root,
        insecure: false,
        read_only: ctx_read_only,
    };
    let app = App::new(vec![spec], Theme::default(), read_only);
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path().join("audit.jsonl"));
    let backends = vec![backend.clone() as Arc<dyn Backend>];
    let mut d = Driver::new(app, backends, Some(audit.clone()));
    let root = d.app.endpoints[0].root;
    wait(&mut d, "the endpoint's orgs", |a| loaded(a, root)).await;
    E2e {
        sim,
        d,
        backend,
        audit,
        _dir: dir,
    }
}

/// Handles events until `done` holds; panics with the app's state after WAIT.
async fn wait(d: &mut Driver, what: &str, done: impl FnMut(&App) -> bool) {
    if !d.until(WAIT, done).await {
        panic!(
            "no {what}; toast {:?}, tasks {:?}",
            toast(&d.app),
            our_tasks(&d.app)
        );
    }
}

/// Hands a key to the App itself and returns the effects it asked for, unrun (for keys that must
/// ask for nothing).
fn key_effects(d: &mut Driver, code: KeyCode) -> Vec<Effect> {
    d.app
        .handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
        .effects
}

fn loaded(app: &App, id: EntryId) -> bool {
    let e = app.tree.get(id);
    e.load() == &Load::Loaded && !e.children.is_empty()
}

fn selected(app: &App) -> EntryId {
    app.cursor.selected.expect("a selection")
}

fn name_of(app: &App, id: EntryId) -> String {
    app.tree.get(id).node.name.to_string()
}

fn id_of(app: &App, id: EntryId) -> String {
    app.tree.get(id).node.id.to_string()
}

/// Whether every tree row showing this node has this status.
fn shows(app: &App, node_id: &str, status: &str) -> bool {
    let rows = app.tree.find(0, node_id);
    !rows.is_empty()
        && rows
            .iter()
            .all(|&e| app.tree.get(e).node.status.label == status)
}

fn our_tasks(app: &App) -> Vec<TaskState> {
    app.tasks
        .rows
        .iter()
        .filter(|r| r.ours)
        .map(|r| r.info.state)
        .collect()
}

fn all_tasks(n: usize, state: TaskState) -> impl Fn(&App) -> bool {
    move |a| our_tasks(a).len() == n && our_tasks(a).iter().all(|s| *s == state)
}

/// (action, target name, result) of every audit line.
fn audit(t: &E2e) -> Vec<(String, String, String)> {
    let (records, bad) = t.audit.read(None).expect("audit log readable");
    assert_eq!(bad, 0, "unreadable audit lines");
    records
        .into_iter()
        .map(|r| (r.action, r.target_name, r.result))
        .collect()
}

fn line(action: &str, target: &str, result: &str) -> (String, String, String) {
    (action.into(), target.into(), result.into())
}

fn screen(d: &mut Driver) -> String {
    screen_text(&d.render(140, 40))
}

fn detail_row(app: &App, section: &str, key: &str) -> Option<String> {
    let DetailState::Loaded(d) = &app.detail.state else {
        return None;
    };
    let s: &Section = d.sections.iter().find(|s| s.title == section)?;
    s.rows
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// j from the endpoint to "All VMs", l to open it, and wait for the listing.
async fn open_all_vms(t: &mut E2e) {
    t.d.key(KeyCode::Char('j'));
    let group = selected(&t.d.app);
    assert_eq!(name_of(&t.d.app, group), "All VMs");
    t.d.key(KeyCode::Char('l'));
    wait(&mut t.d, "VM listing", |a| loaded(a, group)).await;
}

/// Presses j until a VM other than the current row with this status is selected.
fn next_vm(d: &mut Driver, status: &str) -> EntryId {
    let start = d.app.cursor.selected;
    for _ in 0..300 {
        d.key(KeyCode::Char('j'));
        let s = selected(&d.app);
        let n = &d.app.tree.get(s).node;
        if Some(s) != start && n.kind == NodeKind::Vm && n.status.label == status {
            return s;
        }
    }
    panic!("no further {status} VM in the tree");
}

fn confirm(app: &App) -> Option<&Confirm> {
    match &app.overlay {
        Some(Overlay::Dialog(Dialog::Confirm(c))) => Some(c),
        _ => None,
    }
}

/// Presses an action key and waits for the fresh-offer check to open the confirmation.
async fn ask(d: &mut Driver, key: char) -> Confirm {
    d.key(KeyCode::Char(key));
    wait(d, "confirm dialog", |a| confirm(a).is_some()).await;
    confirm(&d.app).unwrap().clone()
}

/// Tab, Tab: the task pane.
fn focus_tasks(d: &mut Driver) {
    d.key(KeyCode::Tab);
    d.key(KeyCode::Tab);
    assert_eq!(d.app.focus, Pane::Tasks);
}

#[tokio::test]
async fn power_off_needs_the_typed_name_then_runs_refreshes_and_audits() {
    let mut t = start(0.3, 0.0, false, false).await;
    open_all_vms(&mut t).await;
    let vm = next_vm(&mut t.d, "POWERED_ON");
    let (name, id) = (name_of(&t.d.app, vm), id_of(&t.d.app, vm));

    let c = ask(&mut t.d, 'O').await;
    assert_eq!(
        (c.action, c.expect.as_deref()),
        (ActionId::PowerOff, Some(&*name))
    );
    assert!(screen(&mut t.d).contains(&format!("Type {name} to confirm")));
    // A wrong name: the dialog stays and says so; nothing reaches the server.
    t.d.type_str("not-the-name");
    let fx = key_effects(&mut t.d, KeyCode::Enter);
    assert!(fx.is_empty(), "a wrong name asked for {fx:?}");
    let err = confirm(&t.d.app).expect("dialog stays open").error.clone();
    assert!(err.unwrap_or_default().contains("nothing done"));
    let fx = key_effects(&mut t.d, KeyCode::Esc);
    assert!(fx.is_empty(), "Esc asked for {fx:?}");
    assert!(t.d.app.overlay.is_none());
    assert!(our_tasks(&t.d.app).is_empty() && audit(&t).is_empty());
    assert!(
        t.backend.recent_tasks().await.unwrap().is_empty(),
        "no task on the server"
    );

    // The right name.
    ask(&mut t.d, 'O').await;
    t.d.type_str(&name);
    t.d.key(KeyCode::Enter);
    wait(
        &mut t.d,
        "successful task",
        all_tasks(1, TaskState::Success),
    )
    .await;
    // No more keys: the finished task reloads the tree row and the detail pane.
    wait(&mut t.d, "refreshed row", |a| shows(a, &id, "POWERED_OFF")).await;
    let off =
        |a: &App| detail_row(a, "General", "Status").is_some_and(|s| s.starts_with("Powered off"));
    wait(&mut t.d, "refreshed details", off).await;
    let text = screen(&mut t.d);
    assert!(
        text.lines()
            .any(|l| l.contains(&name) && l.contains("● Powered off")),
        "{text}"
    );
    assert!(text.contains("Success"), "task pane: {text}");

    let (records, _) = t.audit.read(None).unwrap();
    assert_eq!(audit(&t), [line("Power off", &name, "success")]);
    let r = &records[0];
    assert_eq!(
        (&*r.target_id, &*r.user, &*r.endpoint),
        (&*id, "admin@System", &*t.sim.vcd_url)
    );
    assert!(
        r.task_id
            .as_deref()
            .is_some_and(|id| id.contains("/api/task/"))
    );

    // `o` on the now powered-off VM: a y/N dialog that n, Esc and Enter all decline.
    for no in [KeyCode::Char('n'), KeyCode::Esc, KeyCode::Enter] {
        let c = ask(&mut t.d, 'o').await;
        assert_eq!((c.action, c.expect.as_deref()), (ActionId::PowerOn, None));
        assert!(screen(&mut t.d).contains(&format!("Power on VM {name}?")));
        let fx = key_effects(&mut t.d, no);
        assert!(fx.is_empty(), "{no:?} asked for {fx:?}");
        assert!(t.d.app.overlay.is_none(), "{no:?} closes the dialog");
    }
    assert_eq!(
        (our_tasks(&t.d.app).len(), audit(&t).len()),
        (1, 1),
        "n/Esc/Enter did something"
    );
    assert_eq!(t.backend.recent_tasks().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_action_the_server_does_not_offer_is_not_asked() {
    let mut t = start(0.3, 0.0, false, false).await;
    open_all_vms(&mut t).await;
    let vm = next_vm(&mut t.d, "POWERED_ON");
    t.d.key(KeyCode::Char('o'));
    wait(&mut t.d, "end of the offer check", |a| a.overlay.is_none()).await;
    let said = toast(&t.d.app);
    assert!(
        said.contains("does not offer it") && said.contains(&name_of(&t.d.app, vm)),
        "{said}"
    );
    assert!(our_tasks(&t.d.app).is_empty());
}

/// Selects a running VM and waits for its details, so only the next key can cause requests.
async fn read_only_vm(global: bool, context: bool) -> E2e {
    let mut t = start(0.3, 0.0, global, context).await;
    open_all_vms(&mut t).await;
    next_vm(&mut t.d, "POWERED_ON");
    let shown = |a: &App| matches!(a.detail.state, DetailState::Loaded(_));
    wait(&mut t.d, "VM details", shown).await;
    t
}

async fn refuses_power_off_without_a_request(mut t: E2e) {
    let before = t.sim.request_count();
    let fx = key_effects(&mut t.d, KeyCode::Char('O'));
    assert!(fx.is_empty(), "read-only asked for {fx:?}");
    assert!(t.d.app.overlay.is_none(), "no dialog in read-only mode");
    let said = toast(&t.d.app);
    assert!(
        said.contains("read-only") && said.contains("Power off"),
        "{said}"
    );
    assert_eq!(t.sim.request_count(), before, "read-only sent a request");
    assert!(our_tasks(&t.d.app).is_empty() && audit(&t).is_empty());
}

#[tokio::test]
async fn read_only_refuses_power_off_without_a_request() {
    let mut t = read_only_vm(true, false).await;
    assert!(screen(&mut t.d).contains("READ-ONLY"));
    refuses_power_off_without_a_request(t).await;
}

#[tokio::test]
async fn a_read_only_context_refuses_power_off_without_a_request() {
    refuses_power_off_without_a_request(read_only_vm(false, true).await).await;
}

#[tokio::test]
async fn the_action_menu_of_a_read_only_context_says_read_only() {
    let mut t = read_only_vm(false, true).await;
    t.d.key(KeyCode::Char('a'));
    wait(&mut t.d, "end of the offer check", |a| a.overlay.is_none()).await;
    // Today: "no action available: the server offers none right now".
    assert!(toast(&t.d.app).contains("read-only"), "{}", toast(&t.d.app));
}

#[tokio::test]
async fn a_read_only_context_shows_the_badge() {
    let mut t = read_only_vm(false, true).await;
    assert!(screen(&mut t.d).contains("READ-ONLY"));
}

#[tokio::test]
async fn bulk_power_off_of_two_marked_vms_confirms_by_count() {
    let mut t = start(0.3, 0.0, false, false).await;
    open_all_vms(&mut t).await;
    let first = next_vm(&mut t.d, "POWERED_ON");
    t.d.key(KeyCode::Char(' '));
    let second = next_vm(&mut t.d, "POWERED_ON");
    t.d.key(KeyCode::Char(' '));
    assert_eq!(t.d.app.tree.marked(), [first, second]);
    let ids = [id_of(&t.d.app, first), id_of(&t.d.app, second)];
    let mut names = [name_of(&t.d.app, first), name_of(&t.d.app, second)];

    let c = ask(&mut t.d, 'O').await;
    assert_eq!((c.targets.len(), c.expect.as_deref()), (2, Some("2")));
    assert!(screen(&mut t.d).contains("Type 2 to confirm"));
    t.d.type_str("2");
    t.d.key(KeyCode::Enter);
    wait(
        &mut t.d,
        "two successful tasks",
        all_tasks(2, TaskState::Success),
    )
    .await;
    let both_off = |a: &App| ids.iter().all(|id| shows(a, id, "POWERED_OFF"));
    wait(&mut t.d, "refreshed rows", both_off).await;
    assert_eq!(our_tasks(&t.d.app).len(), 2);

    let mut lines = audit(&t);
    lines.sort();
    names.sort();
    let want = names.map(|n| line("Power off", &n, "success"));
    assert_eq!(lines, want);
    // Each VM powered off exactly once on the server.
    let server = t.backend.recent_tasks().await.unwrap();
    assert_eq!(server.len(), 2, "{server:?}");
    for id in &ids {
        let on_it =
            |s: &&vnav::api::model::TaskInfo| s.target.as_ref().is_some_and(|x| *x.id == **id);
        assert_eq!(server.iter().filter(on_it).count(), 1, "{id}");
    }
}

#[tokio::test]
async fn a_running_task_is_cancelled_from_the_task_pane() {
    let mut t = start(10.0, 0.0, false, false).await;
    open_all_vms(&mut t).await;
    let vm = next_vm(&mut t.d, "POWERED_OFF");
    let (name, id) = (name_of(&t.d.app, vm), id_of(&t.d.app, vm));
    ask(&mut t.d, 'o').await;
    t.d.key(KeyCode::Char('y'));
    let running = |a: &App| {
        our_tasks(a)
            .iter()
            .any(|s| matches!(s, TaskState::Running | TaskState::Queued))
    };
    wait(&mut t.d, "running task", running).await;
    focus_tasks(&mut t.d);
    t.d.key(KeyCode::Char('c'));
    let asks = matches!(
        t.d.app.overlay,
        Some(Overlay::Dialog(Dialog::CancelTask { .. }))
    );
    assert!(asks, "{:?}", t.d.app.overlay);
    t.d.key(KeyCode::Char('y'));
    wait(&mut t.d, "canceled task", all_tasks(1, TaskState::Canceled)).await;
    let lines = audit(&t);
    assert!(
        lines.contains(&line("Cancel task", &name, "cancel requested")),
        "{lines:?}"
    );
    assert!(
        lines.contains(&line("Power on", &name, "canceled")),
        "{lines:?}"
    );
    // Past the power-on's whole duration: the canceled task never takes effect.
    t.sim.advance(Duration::from_secs(11));
    let node = t.d.app.tree.get(vm).node.clone();
    let fresh = t.backend.details(&node).await.unwrap();
    assert_eq!(fresh.node.status.label, "POWERED_OFF");
    assert!(shows(&t.d.app, &id, "POWERED_OFF"));
}

#[tokio::test]
async fn a_failed_task_shows_its_error_on_enter() {
    let mut t = start(0.3, 1.0, false, false).await;
    open_all_vms(&mut t).await;
    let vm = next_vm(&mut t.d, "POWERED_ON");
    let (name, id) = (name_of(&t.d.app, vm), id_of(&t.d.app, vm));
    ask(&mut t.d, 'O').await;
    t.d.type_str(&name);
    t.d.key(KeyCode::Enter);
    wait(&mut t.d, "failed task", all_tasks(1, TaskState::Error)).await;
    focus_tasks(&mut t.d);
    t.d.key(KeyCode::Enter);
    let Some(Overlay::Dialog(Dialog::Message { title, text, .. })) = &t.d.app.overlay else {
        panic!(
            "Enter on a failed task shows its error, got {:?}",
            t.d.app.overlay
        );
    };
    assert!(
        text.contains("Simulated failure") && text.contains(&name),
        "{text}"
    );
    assert!(title.contains("error") && title.contains(&name), "{title}");
    assert!(screen(&mut t.d).contains("Simulated failure"));
    let lines = audit(&t);
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].2.starts_with("error: Simulated failure"),
        "{lines:?}"
    );
    assert!(shows(&t.d.app, &id, "POWERED_ON"));
}

#[tokio::test]
async fn a_snapshot_from_the_form_shows_in_the_details() {
    let mut t = start(0.3, 0.0, false, false).await;
    // Endpoint → acme → its first VDC → first vApp → first VM, with j and l as a user would.
    let root = t.d.app.endpoints[0].root;
    let orgs = t.d.app.tree.get(root).children.clone();
    let acme = orgs
        .into_iter()
        .find(|&c| name_of(&t.d.app, c) == "acme")
        .unwrap();
    while selected(&t.d.app) != acme {
        t.d.key(KeyCode::Char('j'));
    }
    for _ in 0..3 {
        let here = selected(&t.d.app);
        t.d.key(KeyCode::Char('l'));
        let what = name_of(&t.d.app, here);
        wait(&mut t.d, &what, |a| loaded(a, here)).await;
        t.d.key(KeyCode::Char('l'));
    }
    let vm = selected(&t.d.app);
    assert_eq!(
        t.d.app.tree.get(vm).node.kind,
        NodeKind::Vm,
        "{:?}",
        t.d.app.tree.path(vm)
    );
    let shown = |a: &App| detail_row(a, "General", "Status").is_some();
    wait(&mut t.d, "VM details", shown).await;
    let before = detail_row(&t.d.app, "Snapshot", "Created");

    t.d.key(KeyCode::Char('+'));
    let form = |a: &App| matches!(&a.overlay, Some(Overlay::Dialog(Dialog::Form(_))));
    wait(&mut t.d, "snapshot form", form).await;
    let Some(Overlay::Dialog(Dialog::Form(f))) = &t.d.app.overlay else {
        unreachable!()
    };
    let name = f.text(vnav::app::dialog::SNAPSHOT_NAME).to_string();
    assert!(name.starts_with("vnav-"), "a default name: {name}");
    // The legacy API keeps one snapshot per VM: the form knows which one a new one replaces.
    assert_eq!(f.replaces(), usize::from(before.is_some()), "{before:?}");
    for _ in 0..name.chars().count() {
        t.d.key(KeyCode::Backspace);
    }
    t.d.type_str("e2e-snap");
    t.d.key(KeyCode::Tab);
    t.d.type_str("made by a test");
    t.d.key(KeyCode::Enter);
    if before.is_some() {
        let Some(Overlay::Dialog(Dialog::Confirm(c))) = &t.d.app.overlay else {
            panic!("no typed confirm over an existing snapshot")
        };
        let name = name_of(&t.d.app, vm);
        assert_eq!(c.expect.as_deref(), Some(&*name));
        assert!(
            c.listed[0]
                .loses
                .as_deref()
                .unwrap()
                .starts_with("replaces the snapshot of")
        );
        t.d.type_str(&name);
        t.d.key(KeyCode::Enter);
    }
    wait(
        &mut t.d,
        "successful task",
        all_tasks(1, TaskState::Success),
    )
    .await;
    let created = |a: &App| {
        let now = detail_row(a, "Snapshot", "Created");
        now.is_some() && now != before
    };
    wait(&mut t.d, "new snapshot in the details", created).await;
    let (records, _) = t.audit.read(None).unwrap();
    assert_eq!(
        audit(&t),
        [line("Create snapshot", &name_of(&t.d.app, vm), "success")]
    );
    assert_eq!(records[0].parameters["name"], "e2e-snap");
    assert_eq!(records[0].parameters["description"], "made by a test");
}

#[tokio::test]
async fn a_confirm_gone_stale_reports_the_servers_refusal() {
    let mut t = start(0.3, 0.0, false, false).await;
    open_all_vms(&mut t).await;
    let vm = next_vm(&mut t.d, "POWERED_ON");
    let (name, node) = (name_of(&t.d.app, vm), t.d.app.tree.get(vm).node.clone());
    ask(&mut t.d, 'O').await;
    // Someone else powers the VM off while the dialog is open.
    let d = t.backend.details(&node).await.unwrap();
    let off = d
        .actions
        .iter()
        .find(|a| a.id == ActionId::PowerOff)
        .unwrap();
    let mut task = t
        .backend
        .invoke(&node, off, &ActionParams::None)
        .await
        .unwrap();
    while !task.state.is_terminal() {
        tokio::time::sleep(Duration::from_millis(50)).await;
        task = t.backend.poll_task(&task).await.unwrap();
    }
    t.d.type_str(&name);
    t.d.key(KeyCode::Enter);
    wait(&mut t.d, "refusal", |a| {
        toast(a).contains("is not powered on")
    })
    .await;
    assert!(toast(&t.d.app).contains(&name));
    assert!(our_tasks(&t.d.app).is_empty());
    let lines = audit(&t);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let (action, target, result) = &lines[0];
    assert_eq!((&**action, &**target), ("Power off", &*name));
    assert!(
        result.starts_with("failed: 400") && result.contains("is not powered on"),
        "{result}"
    );
}
