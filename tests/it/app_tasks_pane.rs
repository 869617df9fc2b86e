//! Issue 17, the task pane: short operations in their own column beside the target, state,
//! progress, start, elapsed time and user; `t` steps through all / running / failed / mine.

use crossterm::event::KeyCode;
use vnav::api::model::*;
use vnav::app::TaskFilter;
use vnav::app::event::ApiAnswer;

use crate::app_ui::connected;
use crate::support::*;

fn task(id: &str, target: &str, state: TaskState, user: &str) -> TaskInfo {
    TaskInfo {
        id: id.into(),
        operation: vnav::api::labels::vcd_operation("vappPowerOff"),
        target: Some(TaskTarget {
            kind: NodeKind::Vm,
            id: format!("https://vcd/api/vApp/{target}").into(),
            name: target.into(),
        }),
        state,
        progress: Some(40),
        started: Some(NOW - time::Duration::minutes(3)),
        finished: None,
        error: (state == TaskState::Error).then(|| "no host".to_string()),
        cancel: None,
        user: Some(user.into()),
    }
}

#[tokio::test(start_paused = true)]
async fn tasks_read_in_columns_and_t_filters_running_failed_and_mine() {
    let mut app = connected();
    let list = vec![
        task("t/1", "web-116", TaskState::Running, "alice"),
        task("t/2", "db-7", TaskState::Error, "bob"),
        task("t/3", "app-3", TaskState::Success, "carol"),
    ];
    answer(&mut app, 900, 0, ApiAnswer::RecentTasks(Ok(list)));
    let text = screen(&mut app, 100, 30);
    let header = text
        .lines()
        .find(|l| l.contains("Operation"))
        .unwrap_or_else(|| panic!("{text}"));
    for col in ["Target", "State", "Progress", "Started", "Elapsed", "User"] {
        assert!(header.contains(col), "{col} missing: {header}");
    }
    let row = text
        .lines()
        .find(|l| l.contains("web-116"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("Power off "), "{row}");
    assert!(row.contains("11:57") && row.contains("3m00s"), "{row}");
    assert!(row.contains("alice"), "{row}");
    assert!(
        !text.contains("urn:") && !text.contains("Powering"),
        "{text}"
    );

    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let mut seen = Vec::new();
    for _ in 0..4 {
        key(&mut app, KeyCode::Char('t'));
        let names: Vec<String> = app
            .tasks
            .shown()
            .iter()
            .map(|r| r.info.target.as_ref().unwrap().name.to_string())
            .collect();
        seen.push((app.tasks.filter, names));
    }
    assert_eq!(seen[0], (TaskFilter::Running, vec!["web-116".to_string()]));
    assert_eq!(seen[1], (TaskFilter::Failed, vec!["db-7".to_string()]));
    // None was started from this vnav.
    assert_eq!(seen[2], (TaskFilter::Mine, vec![]));
    assert_eq!(seen[3].0, TaskFilter::All);
    assert_eq!(seen[3].1.len(), 3);
    key(&mut app, KeyCode::Char('t'));
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("showing running (t)"), "{text}");
}

/// At 60 columns the operation and target keep readable widths: the user, start time and bar
/// make room (the percentage stays) instead of every heading being cut to a few letters.
#[tokio::test(start_paused = true)]
async fn a_narrow_task_pane_drops_columns_instead_of_cutting_them() {
    let mut app = connected();
    let list = vec![task("t/1", "web-116", TaskState::Running, "alice")];
    answer(&mut app, 900, 0, ApiAnswer::RecentTasks(Ok(list)));
    let text = screen(&mut app, 60, 20);
    let header = text
        .lines()
        .find(|l| l.contains("Operation"))
        .unwrap_or_else(|| panic!("{text}"));
    for col in ["Target", "State", "Done", "Elapsed"] {
        assert!(header.contains(col), "{col} missing: {header}");
    }
    assert!(
        !header.contains("User") && !header.contains("Started"),
        "{header}"
    );
    let row = text
        .lines()
        .find(|l| l.contains("web-116"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("Power off") && row.contains("40%"), "{row}");
    assert!(!row.contains('█'), "{row}");
}

/// An SSO user is long ("administrator@vsphere.local"): at 160 columns it reads whole, as the
/// endpoint does, while the operation and target keep their room; on a narrower pane it
/// shares the room as before.
#[tokio::test(start_paused = true)]
async fn a_long_user_reads_whole_when_the_pane_has_room() {
    let mut app = connected();
    let user = "administrator@vsphere.local";
    let list = vec![task("t/1", "web-116", TaskState::Running, user)];
    answer(&mut app, 900, 0, ApiAnswer::RecentTasks(Ok(list)));
    let text = screen(&mut app, 160, 45);
    let row = text
        .lines()
        .find(|l| l.contains("web-116"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains(user), "{row}");
    assert!(row.contains("Power off"), "{row}");
    let text = screen(&mut app, 100, 30);
    let row = text.lines().find(|l| l.contains("web-116")).unwrap();
    assert!(
        row.contains("Power off") && row.contains("web-116"),
        "{row}"
    );
}

/// With several endpoints connected, a recent-tasks list that fails says whose it was.
#[tokio::test(start_paused = true)]
async fn a_failed_task_list_names_its_endpoint() {
    let mut app = crate::app_command::two_endpoints();
    let refused = vnav::api::ApiError::Transport("connection refused".into());
    answer(&mut app, 4242, 1, ApiAnswer::RecentTasks(Err(refused)));
    let toast = toast(&app);
    assert!(toast.starts_with("vcenter: task list: "), "{toast}");
}

/// A vCD and a vCenter named by their host names, the vCenter logged in with its SSO user.
pub(crate) fn two_hosts() -> vnav::app::App {
    let labels = ["vcd-01.corp.example.com", "vcsa-01.corp.example.com"];
    let mut app = app_with(&labels, false);
    let starts = app.start();
    for (i, e) in starts.iter().enumerate() {
        let vnav::app::event::Effect::Connect { req, .. } = e else {
            panic!("{starts:?}")
        };
        let (product, user) = [
            (Product::Vcd, "admin@System"),
            (Product::Vcenter, "administrator@vsphere.local"),
        ][i];
        let info = EndpointInfo {
            product,
            url: format!("https://{}", labels[i]),
            user: user.into(),
            api_version: "1".into(),
            capabilities: Capabilities::ALL,
            instance_uuid: None,
        };
        answer(&mut app, *req, i, ApiAnswer::Connected(Ok(info)));
    }
    app
}

/// At 120 columns who started a task and where read whole: the vCenter's own SSO domain goes
/// from the user (vim says `VSPHERE.LOCAL\Administrator`), the host name's domain from the
/// endpoint, the bar becomes its percentage; the operation and target are not cut either. A
/// user of another domain keeps it.
#[tokio::test(start_paused = true)]
async fn who_and_where_read_whole_at_120_columns() {
    let mut app = two_hosts();
    let mut mine = task("t/1", "web-frontend-042", TaskState::Running, "");
    mine.user = Some("VSPHERE.LOCAL\\Administrator".into());
    mine.operation = "Create snapshot".into();
    answer(&mut app, 900, 1, ApiAnswer::RecentTasks(Ok(vec![mine])));
    let text = screen(&mut app, 120, 40);
    let row = text
        .lines()
        .find(|l| l.contains("web-frontend-042"))
        .unwrap_or_else(|| panic!("{text}"));
    for whole in [
        "Create snapshot",
        "Administrator ",
        "vcsa-01 ",
        "40%",
        "11:57",
    ] {
        assert!(row.contains(whole), "{whole}: {row}");
    }
    assert!(!row.contains("VSPHERE"), "{row}");

    let theirs = task("t/2", "db-7", TaskState::Running, "alice@corp.example");
    answer(&mut app, 901, 0, ApiAnswer::RecentTasks(Ok(vec![theirs])));
    let text = screen(&mut app, 120, 40);
    let row = text.lines().find(|l| l.contains("db-7")).unwrap();
    assert!(
        row.contains("alice@corp.example") && row.contains("vcd-01 "),
        "{row}"
    );
    // With the room, every name whole and the bar back.
    let text = screen(&mut app, 160, 45);
    let row = text
        .lines()
        .find(|l| l.contains("web-frontend-042"))
        .unwrap();
    for whole in [
        "VSPHERE.LOCAL\\Administrator",
        "vcsa-01.corp.example.com",
        "█",
    ] {
        assert!(row.contains(whole), "{whole}: {row}");
    }
}

/// At 80 columns there is no Endpoint column: a task on a vCD VM and one on its vCenter twin
/// (same name) still read apart, by the endpoint's tag after the target.
#[tokio::test(start_paused = true)]
async fn twins_tasks_read_apart_at_80_columns() {
    let mut app = two_hosts();
    for (ep, id) in [(0, "t/1"), (1, "t/2")] {
        let t = task(id, "app-06", TaskState::Running, "");
        answer(
            &mut app,
            900 + ep as u64,
            ep,
            ApiAnswer::RecentTasks(Ok(vec![t])),
        );
    }
    let text = screen(&mut app, 80, 24);
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("app-06")).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows.iter().any(|r| r.contains("app-06 · vCD")), "{text}");
    assert!(rows.iter().any(|r| r.contains("app-06 · vC ")), "{text}");
    // Wide enough for the Endpoint column: said there, not twice.
    let text = screen(&mut app, 160, 45);
    assert!(!text.contains("app-06 ·"), "{text}");
}

/// At 120 columns the target (what an operator reads) reads whole, not cut to share the room
/// evenly with the operation while the user and endpoint are shown whole: the bar gives way
/// to its percentage first, and past that the user and endpoint are cut, not the target.
#[tokio::test(start_paused = true)]
async fn a_long_target_reads_whole_at_120_columns() {
    let mut app = two_hosts();
    let target = "billing-frontend-production-eu-west";
    let mut mine = task("t/1", target, TaskState::Running, "");
    mine.user = Some("VSPHERE.LOCAL\\Administrator".into());
    mine.operation = "Create snapshot".into();
    answer(&mut app, 900, 1, ApiAnswer::RecentTasks(Ok(vec![mine])));
    let text = screen(&mut app, 120, 40);
    let row = text
        .lines()
        .find(|l| l.contains("billing-"))
        .unwrap_or_else(|| panic!("{text}"));
    for whole in [
        target,
        "Create snapshot",
        "Administrator ",
        "vcsa-01 ",
        "40%",
    ] {
        assert!(row.contains(whole), "{whole}: {row}");
    }
    // A user of another domain, long: it is cut, the target is not.
    let theirs = task(
        "t/2",
        target,
        TaskState::Running,
        "svc-nightly-backup@corp.example.com",
    );
    answer(&mut app, 901, 0, ApiAnswer::RecentTasks(Ok(vec![theirs])));
    let text = screen(&mut app, 120, 40);
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("billing-")).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows.iter().all(|r| r.contains(target)), "{text}");
    assert!(rows.iter().any(|r| r.contains("Power off")), "{text}");
    assert!(
        !text.contains("svc-nightly-backup@corp.example.com"),
        "{text}"
    );
}

/// At 80 columns nothing but the operation can give way to the target (no user nor endpoint
/// column): a long VM name reads whole beside a long operation, which is cut instead.
#[tokio::test(start_paused = true)]
async fn a_long_target_reads_whole_at_80_columns() {
    let mut app = two_hosts();
    let target = "billing-frontend-prod-eu-w1";
    let mut t = task("t/1", target, TaskState::Running, "");
    t.operation = "reading snapshot sizes: 12/40".into();
    answer(&mut app, 900, 0, ApiAnswer::RecentTasks(Ok(vec![t])));
    let text = screen(&mut app, 80, 24);
    let row = (text.lines())
        .find(|l| l.contains("billing-"))
        .unwrap_or_else(|| panic!("{text}"));
    for whole in [&format!("{target} · vCD"), "reading snapshot", "40%"] {
        assert!(row.contains(whole), "{whole}: {row}");
    }
    // The operation cut says so: "…12" alone would read as the count.
    assert!(row.contains("reading snapshot si… "), "{row}");
    // A short target leaves the operation its room.
    let mut app = two_hosts();
    let mut t = task("t/1", "web-01", TaskState::Running, "");
    t.operation = "reading snapshot sizes: 12/40".into();
    answer(&mut app, 900, 0, ApiAnswer::RecentTasks(Ok(vec![t])));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("reading snapshot sizes: 12/40"), "{text}");
}
