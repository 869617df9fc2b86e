//! vnav's `EventManager.QueryEvents` against VMware's own simulator (vcsim, see `vcsim.rs`):
//! a peer it did not write reads vnav's filter and answers the VM's own history (vcsim logs
//! how it created and started its VMs), which vnav reads newest first with times. Skipped with
//! a notice when vcsim is not built.

use vnav::api::Backend;
use vnav::api::http::HttpOptions;
use vnav::api::model::{Node, NodeKind};

use crate::backends;
use crate::vcsim::{first_vm, start};

#[tokio::test]
async fn a_vms_events_through_vim25_against_vmware_vcsim() {
    let Some(sim) = start() else { return };
    let b = backends::vcenter(&sim.url, &sim.user, &sim.password, HttpOptions::default());
    b.connect().await.unwrap();
    let moid = first_vm(&sim).await;
    let vm = Node::new(NodeKind::Vm, format!("vm/{moid}"), "DC0_H0_VM0");
    let events = b.events(&vm).await.expect("events from vcsim");
    let texts: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts.first().copied(),
        Some("DC0_H0_VM0 on DC0_H0 in DC0 is powered on"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Created virtual machine DC0_H0_VM0 on DC0_H0 in DC0"),
        "{texts:?}"
    );
    assert!(events.iter().all(|e| e.time.is_some()), "{events:?}");
    assert!(
        events.windows(2).all(|p| p[0].time >= p[1].time),
        "{events:?}"
    );
    // The filter is on this VM: another VM's events are not among them.
    assert!(texts.iter().all(|t| t.contains("DC0_H0_VM0")), "{texts:?}");
}
