//! A vCD object's Events (`Backend::events`) against the simulator: the tasks run on it, newest
//! first, with who ran them and how they ended — vnav's own actions included.

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
    let before = tasks(b.events(&vm).await.expect("events"));
    assert!(
        before.is_empty(),
        "the simulator starts with no tasks: {before:?}"
    );

    run_to_end(&b, &vm, ActionId::PowerOff, ActionParams::None).await;
    // The second starts after the first ended (≥ 0.2 s of task): their start times order them.
    run_to_end(&b, &vm, ActionId::PowerOn, ActionParams::None).await;

    let events = tasks(b.events(&vm).await.expect("events"));
    let texts: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["Power on: success", "Power off: success"]);
    for e in &events {
        assert!(e.time.is_some(), "{e:?}");
        assert!(e.user.as_deref().is_some_and(|u| !u.is_empty()), "{e:?}");
        assert_eq!(e.health, None);
    }
    // Another object's events hold none of them.
    assert!(tasks(b.events(&other).await.expect("events")).is_empty());
}
