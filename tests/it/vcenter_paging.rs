//! vim property reads that a vCenter answers in pages: `RetrievePropertiesEx` hands out a page
//! and a token, `ContinueRetrievePropertiesEx(token)` the next, until no token comes; a token
//! is good once, in its session; `CancelRetrievePropertiesEx` drops the rest. The simulator's
//! side over SOAP and VI/JSON, then vnav's client reading every page over both.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::json;
use vnav::api::model::NodeKind;
use vnav::api::{Backend, ChildSink};
use vnav::sim::inventory::vm_moid;
use vnav::sim::{Faults, Sim, SimOptions, VcenterVersion};

use crate::backends;
use crate::sim_support::sim;
use crate::sim_vcenter_soap::Soap;
use crate::sim_vcenter_vijson as vijson;

fn opts(vms: usize, version: VcenterVersion, vim_page: usize) -> SimOptions {
    SimOptions {
        vms,
        vcenter_version: version,
        vim_page,
        ..SimOptions::default()
    }
}

fn moids(n: u32) -> Vec<String> {
    let w = vnav::sim::generate::generate(80, SimOptions::default().seed);
    (0..n).map(|v| vm_moid(&w, v)).collect()
}

fn soap_read(vms: &[String], max_objects: Option<u32>) -> String {
    let objects: String = vms
        .iter()
        .map(|m| {
            format!("<urn:objectSet><urn:obj type=\"VirtualMachine\">{m}</urn:obj></urn:objectSet>")
        })
        .collect();
    let options = max_objects.map_or(String::new(), |m| {
        format!("<urn:maxObjects>{m}</urn:maxObjects>")
    });
    format!(
        "<urn:RetrievePropertiesEx><urn:_this type=\"PropertyCollector\">propertyCollector</urn:_this>\
         <urn:specSet><urn:propSet><urn:type>VirtualMachine</urn:type><urn:pathSet>name</urn:pathSet></urn:propSet>\
         {objects}</urn:specSet><urn:options>{options}</urn:options></urn:RetrievePropertiesEx>"
    )
}

fn soap_resume(op: &str, token: &str) -> String {
    format!(
        "<urn:{op}><urn:_this type=\"PropertyCollector\">propertyCollector</urn:_this>\
         <urn:token>{token}</urn:token></urn:{op}>"
    )
}

/// The `<obj>` moids and the token of a SOAP RetrieveResult.
fn soap_page(body: &str) -> (Vec<String>, Option<String>) {
    let texts = |tag: &str| -> Vec<String> {
        body.split(&format!("</{tag}>"))
            .filter_map(|part| {
                let open = part.rfind(&format!("<{tag}"))?;
                let tail = &part[open + tag.len() + 1..];
                if !tail.starts_with([' ', '>']) {
                    return None;
                }
                Some(tail[tail.find('>')? + 1..].to_string())
            })
            .collect()
    };
    (texts("obj"), texts("token").into_iter().next())
}

/// SOAP: the client's `maxObjects` pages a read, every object arrives once over the
/// continuations, a used, foreign or made-up token is an `InvalidProperty` fault naming
/// `token`, and a cancelled read is gone.
#[tokio::test]
async fn soap_pages_by_max_objects_and_tokens_work_once_in_their_session() {
    let s = sim(opts(80, VcenterVersion::V7_0, 100)).await;
    let soap = Soap::new(&s.vcenter_url);
    assert_eq!(soap.login("vnav-demo").await.0, StatusCode::OK);
    let vms = moids(5);

    let (st, body) = soap.call(&soap_read(&vms, Some(2))).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (mut got, mut token) = soap_page(&body);
    assert_eq!(got.len(), 2, "{body}");
    let mut used = vec![];
    while let Some(t) = token {
        let (st, body) = soap
            .call(&soap_resume("ContinueRetrievePropertiesEx", &t))
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert!(
            body.contains("<ContinueRetrievePropertiesExResponse"),
            "{body}"
        );
        let (objs, next) = soap_page(&body);
        got.extend(objs);
        used.push(t);
        token = next;
    }
    assert_eq!(got, vms, "every object once, in order");
    assert_eq!(s.vim_pages().continued, 2);
    assert_eq!(s.vim_pages().pending, 0);

    for bad in [used[0].as_str(), "no-such-token"] {
        let (st, body) = soap
            .call(&soap_resume("ContinueRetrievePropertiesEx", bad))
            .await;
        assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
        assert!(body.contains("InvalidPropertyFault"), "{body}");
        assert!(body.contains("<name>token</name>"), "{body}");
    }

    // Another session cannot use this one's token; the owner can cancel it, once.
    let (_, body) = soap.call(&soap_read(&vms, Some(3))).await;
    let token = soap_page(&body).1.expect("a token");
    let other = Soap::new(&s.vcenter_url);
    other.login("vnav-demo").await;
    let (st, body) = other
        .call(&soap_resume("ContinueRetrievePropertiesEx", &token))
        .await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let (st, body) = soap
        .call(&soap_resume("CancelRetrievePropertiesEx", &token))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(s.vim_pages().cancelled, 1);
    let (st, _) = soap
        .call(&soap_resume("ContinueRetrievePropertiesEx", &token))
        .await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR, "cancelled");
}

/// VI/JSON: the server pages on its own (here 3 objects an answer) even when the client
/// asks for no limit; the token travels in the JSON body, and a made-up one is a fault.
#[tokio::test]
async fn vijson_pages_at_the_servers_size_and_refuses_an_unknown_token() {
    let (s, vi) = vijson::start(opts(80, VcenterVersion::V8_0, 3)).await;
    let vms = moids(7);
    let objects: Vec<_> = vms
        .iter()
        .map(|m| json!({"_typeName": "ObjectSpec", "obj": {"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": m}}))
        .collect();
    let body = json!({
        "specSet": [{"_typeName": "PropertyFilterSpec",
            "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine", "pathSet": ["name"]}],
            "objectSet": objects}],
        "options": {"_typeName": "RetrieveOptions"},
    });
    let pc = "/PropertyCollector/propertyCollector";
    let (st, mut page) = vi.post(&format!("{pc}/RetrievePropertiesEx"), body).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    let mut got = vec![];
    loop {
        assert_eq!(page["_typeName"], "RetrieveResult", "{page}");
        let objs = page["objects"].as_array().unwrap();
        assert!(objs.len() <= 3, "{page}");
        got.extend(
            objs.iter()
                .map(|o| o["obj"]["value"].as_str().unwrap().to_string()),
        );
        let Some(token) = page["token"].as_str() else {
            break;
        };
        let (st, next) = vi
            .post(
                &format!("{pc}/ContinueRetrievePropertiesEx"),
                json!({"token": token}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{next}");
        page = next;
    }
    assert_eq!(got, vms);
    assert_eq!(s.vim_pages().continued, 2, "7 objects at 3 a page");

    let r = vi
        .post(
            &format!("{pc}/ContinueRetrievePropertiesEx"),
            json!({"token": "42"}),
        )
        .await;
    vijson::server_fault(&r, "InvalidProperty");
    assert_eq!(r.1["name"], "token", "{}", r.1);
    let r = vi
        .post(
            &format!("{pc}/CancelRetrievePropertiesEx"),
            json!({"token": "42"}),
        )
        .await;
    vijson::server_fault(&r, "InvalidProperty");
}

/// Every VM's node id, listed the way `:vm` lists them.
async fn vm_ids(b: &impl Backend) -> Vec<Box<str>> {
    let (sink, got) = ChildSink::collecting();
    b.list_kind(NodeKind::Vm, &sink).await.unwrap();
    got.take()
        .into_iter()
        .map(|n| n.id.as_str().into())
        .collect()
}

/// Batches of 100 VMs (vnav's batch: a real vCenter's own page) read at most `page` objects
/// an answer.
fn continuations(vms: usize, page: usize) -> u64 {
    let batches = (0..vms).step_by(100).map(|start| (vms - start).min(100));
    batches.map(|b| (b.div_ceil(page) - 1) as u64).sum()
}

/// vnav's client follows every token: the snapshot sizes of 600 VMs, read in batches of
/// 100 from a vCenter that answers 40 objects at a time, are all there and the same as read
/// one VM at a time, over VI/JSON (8.0) and SOAP (7.0); the simulator saw each continuation.
#[tokio::test]
async fn a_bulk_read_arrives_whole_over_continuation_pages() {
    for version in [VcenterVersion::V8_0, VcenterVersion::V7_0] {
        let s = sim(opts(600, version, 40)).await;
        // A hedged copy of a slow first page would leave its token open on the server.
        let b = backends::vcenter_admin_unhedged(&s);
        b.connect().await.unwrap();
        let ids = vm_ids(&b).await;
        assert!(
            ids.len() > 250,
            "{version:?}: several batches: {}",
            ids.len()
        );
        let sizes = b.snapshot_sizes(&ids).await.unwrap();
        let got: HashSet<&str> = sizes.iter().map(|(id, _)| &**id).collect();
        let want: HashSet<&str> = ids.iter().map(|id| &**id).collect();
        assert_eq!(got, want, "{version:?}: every VM's size arrives");
        assert_eq!(sizes.len(), ids.len(), "{version:?}: each once");
        assert_eq!(
            s.vim_pages().continued,
            continuations(ids.len(), 40),
            "{version:?}"
        );
        assert_eq!(s.vim_pages().pending, 0, "{version:?}: nothing left behind");
        for (id, bytes) in sizes.iter().step_by(97) {
            let alone = b.snapshot_sizes(std::slice::from_ref(id)).await.unwrap();
            assert_eq!(alone, vec![(id.clone(), *bytes)], "{version:?}");
        }
    }
}

/// A continuation whose answer is lost (the connection drops after the server handed the
/// page out) is asked again, finds its token used, and the client asks again for the
/// objects it has not received: reads over a lossy link still end complete. Requests go
/// one after another (one batch), so the seeded faults hit the same requests every run.
#[tokio::test]
async fn a_lost_continuation_asks_again_for_what_is_missing() {
    for version in [VcenterVersion::V8_0, VcenterVersion::V7_0] {
        let s: Sim = sim(opts(600, version, 25)).await;
        let b = backends::vcenter_admin(&s);
        b.connect().await.unwrap();
        let ids: Vec<Box<str>> = vm_ids(&b).await.into_iter().take(250).collect();
        let healthy = b.snapshot_sizes(&ids).await.unwrap();
        s.set_faults(Faults {
            drop_rate: 0.1,
            seed: 3,
            ..Faults::default()
        });
        for round in 0..6 {
            let mut sizes = b.snapshot_sizes(&ids).await.unwrap_or_else(|e| {
                panic!("{version:?} round {round}: {e}");
            });
            sizes.sort();
            let mut want = healthy.clone();
            want.sort();
            assert_eq!(sizes, want, "{version:?} round {round}");
        }
        assert!(s.fault_counts().dropped >= 3, "{:?}", s.fault_counts());
    }
}
