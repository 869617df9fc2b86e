//! The vCD simulator over real HTTP: versions, logins, tokens, browsing by links, the query
//! service, actions and their tasks, tenants, bad input.

use reqwest::StatusCode;
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, SimOptions};

use crate::sim_support::*;

#[tokio::test]
async fn versions_are_listed_without_auth() {
    let s = sim(SimOptions::default()).await;
    let r = http().get(format!("{}/api/versions", s.vcd_url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    for v in ["5.5", "9.0", "30.0", "36.0", "38.0", "39.0"] {
        assert!(body.contains(&format!("<Version>{v}</Version>")), "{v} missing: {body}");
    }
    assert!(s.request_count() >= 1);
}

#[tokio::test]
async fn logins_legacy_and_cloudapi() {
    let s = sim(SimOptions::default()).await;
    let legacy = login_legacy(&s.vcd_url, DEMO_USER, "36.0").await;
    let session = legacy.doc("/api/session").await;
    assert_eq!(root_attr(&session, "user").as_deref(), Some("admin"));
    assert_eq!(root_attr(&session, "org").as_deref(), Some("System"));

    let modern = login(&s.vcd_url, DEMO_USER).await;
    assert!(modern.doc("/api/session").await.contains("System Administrator"));
    let tenant = login(&s.vcd_url, "orgadmin@acme").await;
    assert_eq!(root_attr(&tenant.doc("/api/session").await, "org").as_deref(), Some("acme"));

    // Tenants cannot use the provider endpoint; wrong passwords are refused.
    let r = http()
        .post(format!("{}/cloudapi/1.0.0/sessions/provider", s.vcd_url))
        .basic_auth("orgadmin@acme", Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http()
        .post(format!("{}/cloudapi/1.0.0/sessions/provider", s.vcd_url))
        .basic_auth(DEMO_USER, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("UNAUTHORIZED"));
    let r = http()
        .post(format!("{}/api/sessions", s.vcd_url))
        .header("accept", "application/*+xml;version=36.0")
        .basic_auth(DEMO_USER, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("<Error"));
}

#[tokio::test]
async fn legacy_login_is_gone_at_38() {
    let s = sim(SimOptions::default()).await;
    let r = http()
        .post(format!("{}/api/sessions", s.vcd_url))
        .header("accept", "application/*+xml;version=38.0")
        .basic_auth(DEMO_USER, Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("<Error"));
}

#[tokio::test]
async fn version_is_required() {
    let s = sim(SimOptions::default()).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    for accept in [None, Some("application/*+xml"), Some("application/*+xml;version=12.0")] {
        let mut req = c.http.get(format!("{}/api/org/", s.vcd_url)).bearer_auth(&c.token);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
        let body = r.text().await.unwrap();
        assert!(body.contains("NOT_ACCEPTABLE") && body.contains("majorErrorCode=\"406\""), "{body}");
    }
}

#[tokio::test]
async fn tokens_are_checked_expired_and_revoked() {
    let s = sim(SimOptions::default()).await;
    let mut c = login(&s.vcd_url, DEMO_USER).await;
    assert_eq!(c.get("/api/org/").await.0, StatusCode::OK);
    let good = c.token.clone();
    c.token = "not-a-token".into();
    let (st, body) = c.get("/api/org/").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(body.contains("<Error"));
    let no_token = http()
        .get(format!("{}/api/org/", s.vcd_url))
        .header("accept", "application/*+xml;version=39.0")
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    c.token = good;
    s.expire_tokens();
    assert_eq!(c.get("/api/org/").await.0, StatusCode::UNAUTHORIZED);

    // Logout, both ways.
    let c = login(&s.vcd_url, DEMO_USER).await;
    assert_eq!(c.delete("/cloudapi/1.0.0/sessions/current").await, StatusCode::NO_CONTENT);
    assert_eq!(c.get("/api/org/").await.0, StatusCode::UNAUTHORIZED);
    let c = login_legacy(&s.vcd_url, DEMO_USER, "36.0").await;
    let legacy = c.http.get(c.url("/api/org/")).header("accept", "application/*+xml;version=36.0");
    assert_eq!(legacy.header("x-vcloud-authorization", &c.token).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(c.delete("/api/session").await, StatusCode::NO_CONTENT);
    assert_eq!(c.get("/api/org/").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn session_links_and_browsing_by_href() {
    let s = sim(SimOptions::default()).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let session = c.doc("/api/session").await;
    let org_list = link_of(&session, "down", "orgList+xml").expect("org list link");
    assert!(link_of(&session, "down", "query.queryList+xml").is_some());
    assert!(link_of(&session, "down", "vcloud.org+xml").is_some());
    assert_eq!(links(&session, "entityResolver"), vec![format!("{}/api/entity/", s.vcd_url)]);
    assert_eq!(links(&session, "remove").len(), 1);

    let list = c.doc(&org_list).await;
    let orgs = tags(&list, "Org");
    assert_eq!(orgs.len(), 4, "System and three tenants: {list}");
    let acme = orgs.iter().find(|t| attr(t, "name").as_deref() == Some("acme")).unwrap();
    let org = c.doc(&attr(acme, "href").unwrap()).await;
    assert!(org.contains("<FullName>Acme Corporation</FullName>"));
    assert!(link_of(&org, "down", "catalog+xml").is_some());
    assert!(link_of(&org, "down", "orgNetwork+xml").is_some());
    // Find a VDC with vApps, then walk down to a VM and back up.
    let mut vapp_href = None;
    for vdc in tags(&org, "Link").into_iter().filter(|t| attr(t, "type").unwrap_or_default().contains("vdc+xml")) {
        let vdc = c.doc(&attr(vdc, "href").unwrap()).await;
        if let Some(e) = tags(&vdc, "ResourceEntity").first() {
            vapp_href = attr(e, "href");
            break;
        }
    }
    let vapp_href = vapp_href.expect("a vApp in acme");
    let vapp = c.doc(&vapp_href).await;
    assert!(["3", "4", "8", "10"].contains(&root_attr(&vapp, "status").unwrap().as_str()));
    let vm = tags(&vapp, "Vm")[0];
    let vm_doc = c.doc(&attr(vm, "href").unwrap()).await;
    assert!(vm_doc.contains("ovf:VirtualHardwareSection") && vm_doc.contains("<NetworkConnection "));
    assert_eq!(link_of(&vm_doc, "up", "vApp+xml"), Some(vapp_href));
    let meta = c.doc(&link_of(&vm_doc, "down", "metadata+xml").unwrap()).await;
    assert!(meta.contains("<Key>owner</Key>") && meta.contains("<Key>cost-center</Key>"));
    // The entity resolver points back at the VM.
    let urn = root_attr(&vm_doc, "id").unwrap();
    let entity = c.doc(&format!("/api/entity/{urn}")).await;
    assert_eq!(links(&entity, "alternate"), vec![root_attr(&vm_doc, "href").unwrap()]);
    // Unknown ids are 404 with an Error body.
    let (st, body) = c.get("/api/vApp/vm-00000000-0000-4000-8000-000000000000").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(body.contains("RESOURCE_NOT_FOUND"));
}

async fn names(c: &Client, query: &str) -> (u64, Vec<String>, String) {
    let doc = c.doc(&format!("/api/query?{query}")).await;
    let total = root_attr(&doc, "total").unwrap().parse().unwrap();
    let names = tags(&doc, "VMRecord").into_iter().filter_map(|t| attr(t, "name")).collect();
    (total, names, doc)
}

#[tokio::test]
async fn query_pages_cover_every_vm_once() {
    let s = sim(SimOptions::default()).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let mut next = Some("/api/query?type=vm&pageSize=64".to_string());
    let mut seen = std::collections::HashSet::new();
    let mut pages = 0;
    while let Some(url) = next {
        let doc = c.doc(&url).await;
        assert_eq!(root_attr(&doc, "total").as_deref(), Some("200"));
        for r in tags(&doc, "VMRecord") {
            assert!(seen.insert(attr(r, "href").unwrap()), "duplicate record");
        }
        next = links(&doc, "nextPage").pop();
        pages += 1;
    }
    assert_eq!((seen.len(), pages), (200, 4));
    let (_, names, doc) = names(&c, "type=vm&pageSize=1000").await;
    assert_eq!((names.len(), root_attr(&doc, "pageSize").as_deref()), (128, Some("128")));
    assert!(links(&doc, "lastPage").pop().unwrap().contains("page=2"));
    let (st, body) = c.get("/api/query?type=vm&page=9").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("BAD_REQUEST"));
}

#[tokio::test]
async fn query_filters_sorts_and_fields() {
    let s = sim(SimOptions::default()).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let (web, names_web, _) = names(&c, "type=vm&pageSize=128&filter=name==web*").await;
    assert!(web > 0 && names_web.iter().all(|n| n.starts_with("web")));
    let (db, _, _) = names(&c, "type=vm&pageSize=128&filter=name==db*").await;
    let (either, _, _) = names(&c, "type=vm&pageSize=128&filter=name==web*,name==db*").await;
    assert_eq!(either, web + db);
    let (on_web, _, doc) = names(&c, "type=vm&pageSize=128&filter=status==POWERED_ON;name==web*").await;
    assert!(on_web <= web);
    assert!(tags(&doc, "VMRecord").iter().all(|t| attr(t, "status").as_deref() == Some("POWERED_ON")));
    let (_, sorted, _) = names(&c, "type=vm&pageSize=128&sortAsc=name").await;
    let mut expect = sorted.clone();
    expect.sort_by_key(|n| n.to_lowercase());
    assert_eq!(sorted, expect);
    let doc = c.doc("/api/query?type=vm&pageSize=50&sortDesc=memoryMB").await;
    let mem: Vec<u64> = tags(&doc, "VMRecord").iter().map(|t| attr(t, "memoryMB").unwrap().parse().unwrap()).collect();
    assert!(mem.windows(2).all(|w| w[0] >= w[1]));
    let doc = c.doc("/api/query?type=vm&fields=name,status").await;
    for t in tags(&doc, "VMRecord") {
        assert!(attr(t, "name").is_some() && attr(t, "status").is_some() && attr(t, "href").is_some());
        assert!(attr(t, "memoryMB").is_none());
    }
    let doc = c.doc("/api/query?type=vm&format=references&pageSize=5").await;
    assert!(doc.contains("<VMReferences ") && tags(&doc, "VMReference").len() == 5);
    let doc = c.doc("/api/query?type=vApp&format=idrecords").await;
    assert!(tags(&doc, "VAppRecord").iter().all(|t| attr(t, "id").unwrap().starts_with("urn:vcloud:vapp:")));
    for bad in ["filter=nosuch==1", "filter=((", "page=abc", "sortAsc=bogus", "type=nosuch", "fields=zzz", "format=xml"] {
        let q = if bad.starts_with("type=") { bad.to_string() } else { format!("type=vm&{bad}") };
        assert_eq!(c.get(&format!("/api/query?{q}")).await.0, StatusCode::BAD_REQUEST, "{q}");
    }
    for t in ["org", "orgVdc", "adminVM", "task", "vApp"] {
        assert_eq!(c.get(&format!("/api/query?type={t}")).await.0, StatusCode::OK, "{t}");
    }
}

#[tokio::test]
async fn tenants_see_only_their_org() {
    let s = sim(SimOptions::default()).await;
    let admin = login(&s.vcd_url, DEMO_USER).await;
    let tenant = login(&s.vcd_url, "orgadmin@acme").await;
    let list = tenant.doc("/api/org/").await;
    assert_eq!(tags(&list, "Org").len(), 1);
    let (all, _, _) = names(&admin, "type=vm").await;
    let (mine, _, _) = names(&tenant, "type=vm").await;
    assert!(mine > 0 && mine < all);
    assert_eq!(tenant.get("/api/query?type=adminVM").await.0, StatusCode::FORBIDDEN);
    let admin_list = admin.doc("/api/org/").await;
    let other = tags(&admin_list, "Org").into_iter().find(|t| attr(t, "name").as_deref() == Some("globex")).unwrap();
    let (st, body) = tenant.get(&attr(other, "href").unwrap()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(body.contains("<Error"));
}

async fn first_vm(c: &Client, filter: &str) -> String {
    let doc = c.doc(&format!("/api/query?type=vm&pageSize=1&filter={filter}")).await;
    let rec = tags(&doc, "VMRecord");
    c.doc(&attr(rec[0], "href").unwrap()).await
}

#[tokio::test]
async fn power_off_runs_a_task_then_offers_power_on() {
    let s = sim(opts(0.3)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let vm = first_vm(&c, "status==POWERED_ON").await;
    assert!(links(&vm, "power:powerOn").is_empty());
    let off = links(&vm, "power:powerOff").pop().expect("powerOff offered");
    let (st, task) = c.post(&off, "").await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert!(["queued", "running"].contains(&root_attr(&task, "status").unwrap().as_str()));
    assert_eq!(root_attr(&task, "operationName").as_deref(), Some("vmPowerOff"));
    assert!(!links(&task, "task:cancel").is_empty());
    assert!(task.contains("<Owner ") && task.contains("<User ") && task.contains("<Organization "));
    let done = wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    assert_eq!(root_attr(&done, "status").as_deref(), Some("success"));
    assert!(links(&done, "task:cancel").is_empty());
    let vm = c.doc(&root_attr(&vm, "href").unwrap()).await;
    assert_eq!(root_attr(&vm, "status").as_deref(), Some("8"));
    assert!(!links(&vm, "power:powerOn").is_empty() && links(&vm, "power:powerOff").is_empty());
    let tasks = c.doc("/api/query?type=task").await;
    assert_eq!(tags(&tasks, "TaskRecord").len(), 1);
}

#[tokio::test]
async fn wrong_state_busy_and_cancel() {
    let s = sim(opts(30.0)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let vm = first_vm(&c, "status==POWERED_ON").await;
    let href = root_attr(&vm, "href").unwrap();
    let (st, body) = c.post(&format!("{href}/power/action/powerOn"), "").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("is not powered off"), "{body}");
    let (st, task) = c.post(&format!("{href}/power/action/reboot"), "").await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, body) = c.post(&format!("{href}/power/action/powerOff"), "").await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(body.contains("BUSY_ENTITY"));
    let cancel = links(&task, "task:cancel").pop().unwrap();
    assert_eq!(c.post(&cancel, "").await.0, StatusCode::NO_CONTENT);
    let t = c.doc(&root_attr(&task, "href").unwrap()).await;
    assert_eq!(root_attr(&t, "status").as_deref(), Some("canceled"));
    assert_eq!(c.post(&cancel, "").await.0, StatusCode::BAD_REQUEST);
    // The entity is free again.
    assert_eq!(c.post(&format!("{href}/power/action/powerOff"), "").await.0, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn failing_tasks_end_in_error() {
    let s = sim(SimOptions { task_seconds: 0.2, fail_rate: 1.0, ..SimOptions::default() }).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let vm = first_vm(&c, "status==POWERED_OFF").await;
    let (st, task) = c.post(&links(&vm, "power:powerOn").pop().unwrap(), "").await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let done = wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    assert_eq!(root_attr(&done, "status").as_deref(), Some("error"));
    assert!(done.contains("<Error "));
    let vm = c.doc(&root_attr(&vm, "href").unwrap()).await;
    assert_eq!(root_attr(&vm, "status").as_deref(), Some("8"));
}

#[tokio::test]
async fn snapshots_create_and_remove() {
    let s = sim(opts(0.1)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let vm = first_vm(&c, "snapshot==false").await;
    let href = root_attr(&vm, "href").unwrap();
    assert!(links(&vm, "snapshot:removeAll").is_empty());
    let (st, body) = c.post(&format!("{href}/action/revertToCurrentSnapshot"), "").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    let (st, _) = c.post(&format!("{href}/action/createSnapshot"), "this is not xml").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let params = r#"<CreateSnapshotParams xmlns="http://www.vmware.com/vcloud/v1.5" name="before-upgrade" memory="false" quiesce="false"><Description>x</Description></CreateSnapshotParams>"#;
    let (st, task) = c.post(&links(&vm, "snapshot:create").pop().unwrap(), params).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(root_attr(&task, "operationName").as_deref(), Some("vmCreateSnapshot"));
    wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    let vm = c.doc(&href).await;
    assert!(vm.contains("<Snapshot ") && !links(&vm, "snapshot:removeAll").is_empty());
    let (_, task) = c.post(&links(&vm, "snapshot:removeAll").pop().unwrap(), "").await;
    wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    assert!(!c.doc(&href).await.contains("<Snapshot "));
}

#[tokio::test]
async fn vapp_power_off_turns_every_vm_off() {
    let s = sim(opts(0.1)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let doc = c.doc("/api/query?type=vApp&pageSize=1&filter=status==POWERED_ON").await;
    let vapp = c.doc(&attr(tags(&doc, "VAppRecord")[0], "href").unwrap()).await;
    let (st, task) = c.post(&links(&vapp, "power:powerOff")[0], "").await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(root_attr(&task, "operationName").as_deref(), Some("vappPowerOff"));
    wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    let vapp = c.doc(&root_attr(&vapp, "href").unwrap()).await;
    assert_eq!(root_attr(&vapp, "status").as_deref(), Some("8"));
    assert!(tags(&vapp, "Vm").iter().all(|t| attr(t, "status").as_deref() == Some("8")));
}

#[tokio::test]
async fn tls_latency_and_loopback_only() {
    let s = sim(SimOptions { tls: true, latency_ms: 20, ..SimOptions::default() }).await;
    assert!(s.vcd_url.starts_with("https://127.0.0.1:"));
    let cert = reqwest::Certificate::from_pem(s.cert_pem.as_ref().unwrap().as_bytes()).unwrap();
    let client = reqwest::Client::builder().tls_certs_only([cert]).build().unwrap();
    let r = client.get(format!("{}/api/versions", s.vcd_url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let err = vnav::sim::start("0.0.0.0:0".parse().unwrap(), SimOptions::default()).await.err().unwrap();
    assert!(err.to_string().contains("loopback"));
}

#[test]
fn worlds_are_deterministic_and_scale() {
    use vnav::sim::generate::generate;
    let a = generate(200, 7);
    let b = generate(200, 7);
    assert_eq!(a.vms.iter().map(|v| (&v.name, v.id)).collect::<Vec<_>>(), b.vms.iter().map(|v| (&v.name, v.id)).collect::<Vec<_>>());
    assert_eq!((a.vms.len(), a.orgs.len()), (200, 4));
    let big = generate(100_000, 42);
    assert_eq!(big.vms.len(), 100_000);
    assert_eq!(big.orgs.len(), 21);
    let on = big.vms.iter().filter(|v| v.power == vnav::sim::world::Power::On).count();
    assert!((60_000..80_000).contains(&on), "{on} powered on");
}
