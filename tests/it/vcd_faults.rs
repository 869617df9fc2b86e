//! The vCD client through the simulator's faults: reads survive 503s, 429s, cut bodies, stalls
//! and slow answers by retrying and hedging; an action whose answer is lost is found again,
//! never sent twice.

use std::time::Duration;

use vnav::api::hedge::HedgeOptions;
use vnav::api::http::HttpOptions;
use vnav::api::model::{ActionId, ActionParams, Node, NodeKind};
use vnav::api::vcd::VcdBackend;
use vnav::api::vcd::query::Paging;
use vnav::api::{Backend, ChildSink};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Faults, Sim, SimOptions};

use crate::backends;
use crate::sim_support::sim;

/// Short timeouts and backoff so faults cost little test time; reads are hedged well within
/// the timeout.
fn quick_http() -> HttpOptions {
    HttpOptions {
        request_timeout: Duration::from_millis(800),
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
        max_attempts: 6,
        hedge: HedgeOptions {
            first_delay: Duration::from_millis(150),
            floor: Duration::from_millis(20),
            ..HedgeOptions::default()
        },
        ..HttpOptions::default()
    }
}

async fn connected(s: &Sim) -> VcdBackend {
    let b = backends::vcd(&s.vcd_url, DEMO_USER, DEMO_PASSWORD, quick_http());
    b.connect().await.unwrap();
    b
}

async fn all_vms(b: &VcdBackend) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.list_all_vms(Paging::Parallel(8), &sink).await.unwrap();
    got.take()
}

fn opts(vms: usize) -> SimOptions {
    SimOptions {
        vms,
        task_seconds: 0.2,
        ..SimOptions::default()
    }
}

#[tokio::test]
async fn reads_survive_errors_rate_limits_cut_bodies_and_stalls() {
    let s = sim(opts(1000)).await;
    let b = connected(&s).await;
    s.set_faults(Faults {
        error_rate: 0.15,
        truncate_rate: 0.1,
        stall_rate: 0.1,
        slow_rate: 0.1,
        slow_ms: 300,
        rate_limit: Some(400),
        jitter_ms: 5,
        seed: 9,
        ..Faults::default()
    });
    let vms = all_vms(&b).await;
    let mut ids: Vec<String> = vms.iter().map(|n| n.id.to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000, "every VM exactly once");
    for vm in vms.iter().take(15) {
        let d = b
            .details(vm)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", vm.name));
        assert!(d.sections.iter().any(|s| s.title == "Hardware"));
    }
    let hit = s.fault_counts();
    assert!(
        hit.errors > 0 && hit.truncated > 0 && hit.stalled > 0 && hit.slowed > 0,
        "faults were injected: {hit:?}"
    );
    let hedged = b.session().http().hedge_stats();
    assert!(
        hedged.hedges > 0,
        "slow and stalled reads were hedged: {hedged:?}"
    );
}

#[tokio::test]
async fn a_lost_answer_never_doubles_an_action() {
    let s = sim(opts(200)).await;
    let b = connected(&s).await;
    let on: Vec<Node> = all_vms(&b)
        .await
        .into_iter()
        .filter(|n| n.kind == NodeKind::Vm && n.status.label == "POWERED_ON")
        .take(12)
        .collect();
    let mut offers = Vec::new();
    for vm in &on {
        let d = b.details(vm).await.unwrap();
        offers.push(
            d.actions
                .into_iter()
                .find(|a| a.id == ActionId::PowerOff)
                .unwrap(),
        );
    }
    // Lost, stalled and late answers: reads around the actions are hedged, the actions never.
    s.set_faults(Faults {
        drop_rate: 0.3,
        stall_rate: 0.1,
        slow_rate: 0.2,
        slow_ms: 300,
        seed: 3,
        ..Faults::default()
    });
    let mut results = Vec::new();
    for (vm, offer) in on.iter().zip(&offers) {
        results.push(b.invoke(vm, offer, &ActionParams::None).await);
    }
    let hit = s.fault_counts();
    s.set_faults(Faults::default());
    assert!(hit.dropped > 0, "some answers were lost: {hit:?}");
    let posts: Vec<_> = s
        .seen_all()
        .into_iter()
        .filter(|((method, path), _)| method == "POST" && path.contains("/action/"))
        .collect();
    assert_eq!(posts.len(), on.len(), "one action per VM: {posts:?}");
    assert!(
        posts.iter().all(|(_, n)| *n == 1),
        "no action was ever sent twice: {posts:?}"
    );
    let tasks = b.recent_tasks().await.unwrap();
    let mut found = 0;
    for (vm, result) in on.iter().zip(&results) {
        let mine: Vec<_> = tasks
            .iter()
            .filter(|t| t.target.as_ref().is_some_and(|t| *t.id == *vm.id.as_str()))
            .collect();
        assert!(
            mine.len() <= 1,
            "{}: the action ran {} times",
            vm.name,
            mine.len()
        );
        match result {
            Ok(task) => {
                assert_eq!(mine.len(), 1, "{}: a task was reported", vm.name);
                assert_eq!(
                    mine[0].id, task.id,
                    "{}: the reported task is the real one",
                    vm.name
                );
                found += 1;
            }
            Err(e) => {
                // Only ever an honest "unknown": say so, and never claim success.
                assert!(e.to_string().contains("task list"), "{}: {e}", vm.name);
            }
        }
    }
    assert!(found > 0, "most actions went through");
}

/// 429 with Retry-After: the client waits as told and the listing completes.
#[tokio::test]
async fn a_rate_limit_is_waited_out() {
    let s = sim(opts(1000)).await;
    let b = connected(&s).await;
    s.set_faults(Faults {
        rate_limit: Some(4),
        seed: 5,
        ..Faults::default()
    });
    assert_eq!(all_vms(&b).await.len(), 1000);
    assert!(s.fault_counts().rate_limited > 0, "the limit was hit");
}
