//! Every kind of document the vCD simulator serves validates against the vCloud 10.2.2 XSDs
//! (xmllint, offline, with the XML catalog of `tests/fixtures/vcd/schemas`).

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use vnav::sim::{DEMO_USER, SimOptions};

use crate::sim_support::*;

/// The schema folder (the project's copy of the 10.2.2 XSDs); xmllint must be installed.
pub fn tools() -> PathBuf {
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vcd/schemas");
    assert!(schemas.is_dir(), "{} missing", schemas.display());
    let xmllint = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        xmllint,
        "schema validation needs xmllint (apt-get install libxml2-utils)"
    );
    schemas
}

pub fn validate(schemas: &Path, xsd: &str, files: &[PathBuf]) {
    let out = Command::new("xmllint")
        .env(
            "XML_CATALOG_FILES",
            schemas.join("schemas/external/catalog.xml"),
        )
        .args(["--nonet", "--noout", "--schema"])
        .arg(schemas.join(xsd))
        .args(files)
        .output()
        .expect("xmllint runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "validation failed:\n{stderr}");
    assert_eq!(
        stderr.matches(" validates").count(),
        files.len(),
        "{stderr}"
    );
}

#[tokio::test]
async fn every_document_validates() {
    let schemas = tools();
    let dir = tempfile::tempdir().unwrap();
    let mut docs: Vec<(String, String)> = vec![];
    let s = sim(opts(1.5)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let session = c.doc("/api/session").await;
    let orgs = c.doc("/api/org/").await;
    let org_href = tags(&orgs, "Org")
        .into_iter()
        .filter_map(|t| attr(t, "href"))
        .nth(1)
        .unwrap();
    let org = c.doc(&org_href).await;
    let vdc = c.doc(&org_vdcs(&c, &org).await[0]).await;
    let org_32 = login_legacy(&s.vcd_url, DEMO_USER, "32.0")
        .await
        .doc(&org_href)
        .await;
    assert!(link_of(&org_32, "down", "vdc+xml").is_some(), "{org_32}");
    let catalog = c.doc(&link_of(&org, "down", "catalog+xml").unwrap()).await;
    let network = c
        .doc(&link_of(&org, "down", "orgNetwork+xml").unwrap())
        .await;
    let org_meta = c.doc(&format!("{org_href}/metadata")).await;
    let rec = c
        .doc("/api/query?type=vm&pageSize=1&filter=status==POWERED_ON;snapshot==true")
        .await;
    let vm_href = attr(tags(&rec, "VMRecord")[0], "href").unwrap();
    let vm = c.doc(&vm_href).await;
    let vapp = c.doc(&link_of(&vm, "up", "vApp+xml").unwrap()).await;
    let vm_meta = c.doc(&format!("{vm_href}/metadata")).await;
    let snapshots = c.doc(&format!("{vm_href}/snapshotSection")).await;
    assert_eq!(tags(&snapshots, "Snapshot").len(), 1, "{snapshots}");
    let entity = c
        .doc(&format!("/api/entity/{}", root_attr(&vm, "id").unwrap()))
        .await;
    let (st, task) = c
        .post(&format!("{vm_href}/power/action/powerOff"), "")
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let task_href = root_attr(&task, "href").unwrap();
    // 0.6 s into a 1.5 s task: past its queued tenth, not done.
    s.advance(std::time::Duration::from_millis(600));
    let running = c.doc(&task_href).await;
    assert_eq!(root_attr(&running, "status").as_deref(), Some("running"));
    s.advance(std::time::Duration::from_secs(1));
    let success = wait_task(&c, &task_href).await;
    let vm_off = c.doc(&vm_href).await;
    let (st, error) = c
        .get("/api/vApp/vm-00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    docs.extend(
        [
            ("session", session),
            ("org_list", orgs),
            ("org", org),
            ("org_32", org_32),
            ("vdc", vdc),
            ("catalog", catalog),
            ("network", network),
            ("org_metadata", org_meta),
            ("vm", vm),
            ("vm_off", vm_off),
            ("vapp", vapp),
            ("vm_metadata", vm_meta),
            ("snapshot_section", snapshots),
            ("entity", entity),
            ("task_queued", task),
            ("task_running", running),
            ("task_success", success),
            ("error", error),
        ]
        .map(|(n, d)| (n.to_string(), d)),
    );
    // Every type in every format the system administrator's QueryList offers.
    let query_list = c.doc("/api/query").await;
    let offered: Vec<(String, String)> = tags(&query_list, "Link")
        .into_iter()
        .map(|t| (attr(t, "name").unwrap(), attr(t, "href").unwrap()))
        .collect();
    for t in [
        "vm",
        "adminVM",
        "vApp",
        "adminVApp",
        "org",
        "orgVdc",
        "adminOrgVdc",
        "task",
        "adminTask",
        "catalog",
        "adminCatalog",
        "catalogItem",
        "adminCatalogItem",
        "vAppTemplate",
        "adminVAppTemplate",
        "orgVdcNetwork",
        "user",
        "host",
        "datastore",
        "providerVdc",
        "adminUser",
        "orgVdcStorageProfile",
        "adminOrgVdcStorageProfile",
        "virtualCenter",
    ] {
        assert_eq!(
            offered.iter().filter(|(n, _)| n == t).count(),
            3,
            "{t} in {query_list}"
        );
    }
    for (i, (t, href)) in offered.iter().enumerate() {
        let doc = c.doc(&format!("{href}&pageSize=3&page=1")).await;
        assert!(root_attr(&doc, "total").unwrap() != "0", "{t}: {doc}");
        docs.push((format!("query_{i}_{t}"), doc));
    }
    docs.push(("query_list".into(), query_list));
    docs.push((
        "query_page2".into(),
        c.doc("/api/query?type=vm&pageSize=5&page=2&sortAsc=name&filter=name==*")
            .await,
    ));

    let failing = sim(SimOptions {
        task_seconds: 0.1,
        fail_rate: 1.0,
        ..SimOptions::default()
    })
    .await;
    let fc = login(&failing.vcd_url, DEMO_USER).await;
    let rec = fc.doc("/api/query?type=vm&pageSize=1").await;
    let href = attr(tags(&rec, "VMRecord")[0], "href").unwrap();
    let (_, t) = fc.post(&format!("{href}/action/createSnapshot"), "").await;
    docs.push((
        "task_error".into(),
        wait_task(&fc, &root_attr(&t, "href").unwrap()).await,
    ));
    assert!(docs.last().unwrap().1.contains("<Error "));

    let mut files = vec![];
    for (name, body) in &docs {
        let p = dir.path().join(format!("{name}.xml"));
        std::fs::write(&p, body).unwrap();
        files.push(p);
    }
    validate(&schemas, "1.5/schemas/master/master.xsd", &files);

    let versions = http()
        .get(format!("{}/api/versions", s.vcd_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let p = dir.path().join("versions.xml");
    std::fs::write(&p, versions).unwrap();
    validate(&schemas, "schemas/versioning/versions.xsd", &[p]);
}
