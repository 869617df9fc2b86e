//! `vnav --demo` options: further vCenters, each a world of its own, for an estate of several
//! vCenters on one machine (issue 18: 300,000 VMs on a vCD and two vCenters).

use clap::Parser;
use vnav::cli::endpoints::{EndpointArgs, resolve};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    endpoints: EndpointArgs,
}

fn args(extra: &[&str]) -> Result<EndpointArgs, clap::Error> {
    let argv = ["vnav", "--demo", "--demo-vms", "10"].iter().chain(extra);
    Cli::try_parse_from(argv).map(|c| c.endpoints)
}

#[tokio::test]
async fn demo_vcenters_adds_vcenters_each_serving_its_own_world() {
    let r = resolve(&args(&["--demo-vcenters", "3"]).unwrap())
        .await
        .unwrap();
    let labels: Vec<&str> = r.targets.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "demo vCD",
            "demo vCenter",
            "demo vCenter 2",
            "demo vCenter 3",
            "demo Orchestrator",
            "demo Aria Operations"
        ]
    );
    let urls: std::collections::HashSet<&str> =
        r.targets.iter().map(|t| t.ctx.url.as_str()).collect();
    assert_eq!(urls.len(), labels.len(), "every endpoint its own server");
    // Each further vCenter answers as one: its login refuses a wrong password.
    for t in &r.targets[2..4] {
        let status = crate::sim_support::http()
            .post(format!("{}/api/session", t.ctx.url))
            .basic_auth(&t.ctx.user, Some("wrong"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 401, "{}", t.label);
    }
    assert_eq!(r.demo.map(|d| d.len()), Some(3));
}

#[test]
fn demo_vcenters_is_one_to_eight() {
    assert!(args(&["--demo-vcenters", "0"]).is_err());
    assert!(args(&["--demo-vcenters", "9"]).is_err());
    assert_eq!(args(&[]).unwrap().demo_vcenters, 1);
}
