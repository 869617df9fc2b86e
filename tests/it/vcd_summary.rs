//! A vCD VM's Summary (issue 17) against the simulator: its owner and whether VMware Tools run,
//! from the VM's query record (`ownerName`, `vmToolsStatus`), which its own document lacks.

use vnav::api::Backend;
use vnav::api::model::Details;
use vnav::api::vcd::query::Paging;
use vnav::sim::DEMO_USER;

use crate::sim_support::sim;
use crate::vcd_client::{all_vms, connected, opts};

fn row<'a>(d: &'a Details, key: &str) -> Option<&'a str> {
    d.sections
        .iter()
        .find(|s| s.title == "Summary")
        .and_then(|s| s.rows.iter().find(|(k, _)| k == key))
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_vms_summary_says_its_owner_and_whether_tools_run() {
    let s = sim(opts(50, 0.2, 0.0)).await;
    for user in [DEMO_USER, "orgadmin@acme"] {
        let b = connected(&s, user).await;
        let (vms, _, _) = all_vms(&b, Paging::FollowLinks).await;
        let on = vms.iter().find(|n| n.status.label == "POWERED_ON").unwrap();
        let off = vms
            .iter()
            .find(|n| n.status.label == "POWERED_OFF")
            .unwrap();
        let d = b.details(on).await.unwrap();
        let owner = row(&d, "Owner").unwrap_or_else(|| panic!("{user}: {:?}", d.sections[0]));
        assert!(!owner.is_empty());
        let tools = row(&d, "VMware Tools").unwrap();
        assert!(
            tools.starts_with("Running") || tools == "Not installed",
            "{user}: {tools}"
        );
        let d = b.details(off).await.unwrap();
        let tools = row(&d, "VMware Tools").unwrap();
        assert!(
            tools.starts_with("Not running") || tools == "Not installed",
            "{user}: {tools}"
        );
        assert!(row(&d, "Owner").is_some());
    }
}
