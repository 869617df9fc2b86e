//! The provider's hosts and datastores on vCD: the simulator serves the `vmext:Host` and
//! `vmext:Datastore` documents the query records link to (valid against the extension XSD,
//! system administrators only), and vnav reads them as capacity in words, with a host's state
//! the same on its record and its document.

use reqwest::StatusCode;
use vnav::api::Backend;
use vnav::api::backend::ChildSink;
use vnav::api::model::{NodeKind, Section};
use vnav::sim::{DEMO_USER, SimOptions};

use crate::sim_schema::{tools, validate};
use crate::sim_support::*;
use crate::sim_vcd_vim_info::both_schemas;

#[tokio::test]
async fn every_host_and_datastore_record_links_to_a_valid_document_a_tenant_cannot_read() {
    let schemas = tools();
    let dir = tempfile::tempdir().unwrap();
    let s = sim(SimOptions::default()).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let mut files = vec![];
    for (query, record, root) in [
        ("host", "HostRecord", "<vmext:Host "),
        ("datastore", "DatastoreRecord", "<vmext:Datastore "),
    ] {
        let page = c
            .doc(&format!("/api/query?type={query}&pageSize=128"))
            .await;
        let records = tags(&page, record);
        assert!(!records.is_empty(), "{page}");
        for r in &records {
            let doc = c.doc(&attr(r, "href").unwrap()).await;
            assert!(doc.contains(root), "{doc}");
            assert!(doc.contains(&format!("name=\"{}\"", attr(r, "name").unwrap())));
        }
        let first = c.doc(&attr(records[0], "href").unwrap()).await;
        let p = dir.path().join(format!("{query}.xml"));
        std::fs::write(&p, first).unwrap();
        files.push(p);

        let href = attr(records[0], "href").unwrap();
        let tenant = login(&s.vcd_url, "orgadmin@acme").await;
        assert_eq!(tenant.get(&href).await.0, StatusCode::FORBIDDEN);
        let unknown = format!("{}00", href.trim_end_matches(|ch| ch != '-'));
        assert_eq!(c.get(&unknown).await.0, StatusCode::NOT_FOUND);
    }
    validate(&schemas, &both_schemas(dir.path(), &schemas), &files);
}

fn rows(sections: &[Section], title: &str) -> Vec<(String, String)> {
    sections
        .iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| panic!("no {title} in {sections:?}"))
        .rows
        .clone()
}

#[tokio::test]
async fn a_vcd_host_and_datastore_read_as_capacity_in_words() {
    let s = sim(SimOptions::default()).await;
    let b = crate::vcd_client::connected(&s, DEMO_USER).await;
    for kind in [NodeKind::Host, NodeKind::Datastore] {
        let (sink, got) = ChildSink::collecting();
        b.list_kind(kind, &sink).await.unwrap();
        let node = got.take().into_iter().next().expect("a record");
        let d = b.details(&node).await.expect("the document reads");
        let capacity = rows(&d.sections, "Capacity");
        let general = rows(&d.sections, "General");
        if kind == NodeKind::Host {
            assert_eq!(&*node.status.label, "CONNECTED", "the record's state");
            assert_eq!(d.node.status, node.status, "the document says the same");
            let cpu = &capacity.iter().find(|r| r.0 == "CPU").unwrap().1;
            assert_eq!(cpu, "32 cores in 2 packages (64 logical) · 83.2 GHz");
            let mem = &capacity.iter().find(|r| r.0 == "Memory").unwrap().1;
            assert!(mem.contains(" used of 512 GiB ("), "{mem}");
            assert!(general.iter().all(|r| r.0 != "Mem total"), "{general:?}");
            assert!(general.iter().any(|r| r.0 == "Enabled"), "{general:?}");
            // Which vCenter the host is in, by the name vCD knows it by, under its row.
            let at = capacity.iter().position(|r| r.0 == "vCenter host").unwrap();
            let vc = capacity.get(at + 1).expect("a row after the host's");
            assert_eq!(vc.0, "vCenter", "{capacity:?}");
            assert!(vc.1.contains(&format!("({})", s.vcenter_url)), "{vc:?}");
            assert!(vc.1.starts_with("vCenter (simulated) ("), "{vc:?}");
        } else {
            let used = &capacity.iter().find(|r| r.0 == "Used").unwrap().1;
            assert!(used.contains(" of ") && used.ends_with("%)"), "{used}");
            assert!(capacity.iter().any(|r| r.0 == "Alarms"), "{capacity:?}");
            assert!(
                general.iter().all(|r| !r.0.contains("capacity")),
                "{general:?}"
            );
        }
    }
}
