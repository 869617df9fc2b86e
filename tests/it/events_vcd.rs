//! A vCD object's Events (`Backend::events`) against the simulator: the tasks run on it, newest
//! first, with who ran them and how they ended — the simulator's seeded history and vnav's own
//! actions.

use vnav::api::Backend;
use vnav::api::model::*;
use vnav::api::vcd::query::Paging;
use vnav::sim::DEMO_USER;

use crate::sim_support::sim;
use crate::vcd_client::{all_vms, connected, opts, run_to_end};

#[tokio::test]
async fn a_vms_events_are_its_tasks_newest_first_with_user_and_time() {
    let s = sim(opts(50, 0.2, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let (vms, _, _) = all_vms(&b, Paging::FollowLinks).await;
    let vm = vms
        .iter()
        .find(|n| n.status.label == "POWERED_ON")
        .expect("a powered-on VM")
        .clone();
    let other = vms.iter().find(|n| n.id != vm.id).unwrap().clone();

    // Its tasks only: the audit events beside them are `events_vcd_audit`'s.
    let tasks = |events: Vec<ObjectEvent>| -> Vec<ObjectEvent> {
        events
            .into_iter()
            .filter(|e| !e.text.contains("(audit)"))
            .collect()
    };
    // The simulator seeds each VM a short history: tasks run before it started, newest first,
    // with who ran them, when, and how they ended.
    let before = tasks(b.events(&vm).await.expect("events"));
    assert!((2..=4).contains(&before.len()), "{before:?}");
    let now = time::OffsetDateTime::now_utc();
    for e in &before {
        assert!(e.time.is_some_and(|t| t < now), "{e:?}");
        assert!(e.user.as_deref().is_some_and(|u| !u.is_empty()), "{e:?}");
        let failed = e.text.contains(": error");
        assert!(failed || e.text.ends_with(": success"), "{e:?}");
        assert_eq!(e.health.is_some(), failed, "{e:?}");
    }
    assert!(
        before.windows(2).all(|p| p[0].time > p[1].time),
        "newest first: {before:?}"
    );
    let other_before = tasks(b.events(&other).await.expect("events"));
    assert!(!other_before.is_empty());
    // The history is the object's: the task list a client reads when it connects holds only
    // the tasks of this run, so vnav's task pane starts empty.
    assert!(b.recent_tasks().await.expect("recent tasks").is_empty());

    run_to_end(&b, &vm, ActionId::PowerOff, ActionParams::None).await;
    // The second starts after the first ended (≥ 0.2 s of task): their start times order them.
    run_to_end(&b, &vm, ActionId::PowerOn, ActionParams::None).await;

    let events = tasks(b.events(&vm).await.expect("events"));
    let texts: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts[..2], ["Power on: success", "Power off: success"]);
    for e in &events[..2] {
        assert!(e.time.is_some(), "{e:?}");
        assert!(e.user.as_deref().is_some_and(|u| !u.is_empty()), "{e:?}");
        assert_eq!(e.health, None);
    }
    assert_eq!(
        events[2..],
        before[..events.len() - 2],
        "the history follows"
    );
    // Another object's events hold none of them.
    assert_eq!(tasks(b.events(&other).await.expect("events")), other_before);
}
