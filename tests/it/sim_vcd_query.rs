//! The vCD simulator's query service over HTTP: paging, filters, sorting, fields, formats,
//! tenant scoping and malformed parameters.

use reqwest::StatusCode;
use vnav::sim::{DEMO_USER, SimOptions};

use crate::sim_support::*;

async fn names(c: &Client, query: &str) -> (u64, Vec<String>, String) {
    let doc = c.doc(&format!("/api/query?{query}")).await;
    let total = root_attr(&doc, "total").unwrap().parse().unwrap();
    let names = tags(&doc, "VMRecord")
        .into_iter()
        .filter_map(|t| attr(t, "name"))
        .collect();
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
    assert_eq!(
        (names.len(), root_attr(&doc, "pageSize").as_deref()),
        (128, Some("128"))
    );
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
    let (on_web, _, doc) = names(
        &c,
        "type=vm&pageSize=128&filter=status==POWERED_ON;name==web*",
    )
    .await;
    assert!(on_web <= web);
    assert!(
        tags(&doc, "VMRecord")
            .iter()
            .all(|t| attr(t, "status").as_deref() == Some("POWERED_ON"))
    );
    let (_, sorted, _) = names(&c, "type=vm&pageSize=128&sortAsc=name").await;
    let mut expect = sorted.clone();
    expect.sort_by_key(|n| n.to_lowercase());
    assert_eq!(sorted, expect);
    let doc = c
        .doc("/api/query?type=vm&pageSize=50&sortDesc=memoryMB")
        .await;
    let mem: Vec<u64> = tags(&doc, "VMRecord")
        .iter()
        .map(|t| attr(t, "memoryMB").unwrap().parse().unwrap())
        .collect();
    assert!(mem.windows(2).all(|w| w[0] >= w[1]));
    let doc = c.doc("/api/query?type=vm&fields=name,status").await;
    for t in tags(&doc, "VMRecord") {
        assert!(
            attr(t, "name").is_some() && attr(t, "status").is_some() && attr(t, "href").is_some()
        );
        assert!(attr(t, "memoryMB").is_none());
    }
    let doc = c
        .doc("/api/query?type=vm&format=references&pageSize=5")
        .await;
    assert!(doc.contains("<VMReferences ") && tags(&doc, "VMReference").len() == 5);
    let doc = c.doc("/api/query?type=vApp&format=idrecords").await;
    assert!(
        tags(&doc, "VAppRecord")
            .iter()
            .all(|t| attr(t, "id").unwrap().starts_with("urn:vcloud:vapp:"))
    );
    for bad in [
        "filter=nosuch==1",
        "filter=((",
        "page=abc",
        "sortAsc=bogus",
        "type=nosuch",
        "fields=zzz",
        "format=xml",
    ] {
        let q = if bad.starts_with("type=") {
            bad.to_string()
        } else {
            format!("type=vm&{bad}")
        };
        assert_eq!(
            c.get(&format!("/api/query?{q}")).await.0,
            StatusCode::BAD_REQUEST,
            "{q}"
        );
    }
    for t in ["org", "orgVdc", "adminVM", "task", "vApp"] {
        assert_eq!(
            c.get(&format!("/api/query?type={t}")).await.0,
            StatusCode::OK,
            "{t}"
        );
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
    assert_eq!(
        tenant.get("/api/query?type=adminVM").await.0,
        StatusCode::FORBIDDEN
    );
    let admin_list = admin.doc("/api/org/").await;
    let other = tags(&admin_list, "Org")
        .into_iter()
        .find(|t| attr(t, "name").as_deref() == Some("globex"))
        .unwrap();
    let (st, body) = tenant.get(&attr(other, "href").unwrap()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(body.contains("<Error"));
}

#[tokio::test]
async fn bad_input_gets_error_bodies() {
    let s = sim(SimOptions::default()).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    for (path, want) in [
        ("/api/entity/garbage", StatusCode::BAD_REQUEST),
        (
            "/api/entity/urn:vcloud:vm:not-a-uuid",
            StatusCode::NOT_FOUND,
        ),
        ("/api/vApp/vm-zzz", StatusCode::NOT_FOUND),
        ("/api/vApp/nothing-here", StatusCode::NOT_FOUND),
        (
            "/api/task/00000000-0000-4000-8000-000000000000",
            StatusCode::NOT_FOUND,
        ),
        ("/api/nosuch/thing/at/all", StatusCode::NOT_FOUND),
        (
            "/api/query?type=vm&filter=name%3D%3D%E2%82%AC%29",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/query?type=vm&pageSize=-1", StatusCode::BAD_REQUEST),
        (
            "/api/query?type=vm&page=99999999999999999999",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (st, body) = c.get(path).await;
        assert_eq!(st, want, "{path}: {body}");
        assert!(body.contains("<Error "), "{path}: {body}");
    }
    let r = c
        .http
        .put(c.url("/api/org/"))
        .header("accept", "application/*+xml;version=39.0")
        .bearer_auth(&c.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let vm = c.doc("/api/query?type=vm&pageSize=1").await;
    let href = attr(tags(&vm, "VMRecord")[0], "href").unwrap();
    let (st, _) = c.post(&format!("{href}/action/explode"), "").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = c
        .post(
            &format!("{href}/action/createSnapshot"),
            "<CreateSnapshotParams memory=\"maybe\"/>",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

/// VDC numbers hold together: memory and storage in use fit their limits everywhere, and CPU
/// does too except in the one VDC overcommitted on purpose (120 % of its limit), also with
/// every VM powered on, so no power action overcommits by accident.
#[tokio::test]
async fn vdc_usage_fits_its_limits_but_one_on_purpose() {
    let s = sim(SimOptions::default()).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let doc = c.doc("/api/query?type=orgVdc&pageSize=128").await;
    let records = tags(&doc, "OrgVdcRecord");
    assert!(records.len() >= 3, "{doc}");
    let n = |t: &str, k: &str| -> u64 { attr(t, k).unwrap().parse().unwrap() };
    let mut over = vec![];
    for r in &records {
        assert!(n(r, "memoryUsedMB") <= n(r, "memoryLimitMB"), "{r}");
        assert!(n(r, "storageUsedMB") <= n(r, "storageLimitMB"), "{r}");
        if n(r, "cpuUsedMhz") > n(r, "cpuLimitMhz") {
            over.push((n(r, "cpuUsedMhz") * 100 / n(r, "cpuLimitMhz"), r));
        }
    }
    assert_eq!(over.len(), 1, "{over:?}");
    assert_eq!(over[0].0, 120, "{:?}", over[0].1);
    // With every VM on, each VDC but that one still fits.
    let world = vnav::sim::generate::generate(200, SimOptions::default().seed);
    for (i, vdc) in world.vdcs.iter().enumerate().skip(1) {
        let all_on: u64 = vdc
            .vapps
            .iter()
            .flat_map(|&a| &world.vms[world.vapps[a as usize].vms()])
            .map(|vm| vm.cpus as u64 * vnav::sim::world::MHZ_PER_VCPU)
            .sum();
        assert!(
            all_on <= vdc.cpu_limit_mhz,
            "VDC {i}: {all_on} > {}",
            vdc.cpu_limit_mhz
        );
    }
}

/// The system administrator's QueryList offers the admin types and the common ones in all three
/// formats; a tenant's offers only the tenant types, and those list only its own org's items.
#[tokio::test]
async fn query_lists_offer_admin_types_to_the_system_administrator_only() {
    let s = sim(SimOptions::default()).await;
    let names = |list: &str| -> Vec<String> {
        let mut n: Vec<String> = tags(list, "Link")
            .into_iter()
            .filter_map(|t| attr(t, "name"))
            .collect();
        n.dedup();
        n
    };
    let admin = login(&s.vcd_url, DEMO_USER).await;
    let every = names(&admin.doc("/api/query").await);
    for t in [
        "adminVM",
        "adminVApp",
        "adminOrgVdc",
        "adminTask",
        "adminCatalog",
        "adminCatalogItem",
        "adminVAppTemplate",
        "catalog",
        "catalogItem",
        "vAppTemplate",
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
        assert!(every.contains(&t.to_string()), "{t} not in {every:?}");
    }
    let tenant = login(&s.vcd_url, "orgadmin@acme").await;
    let theirs = names(&tenant.doc("/api/query").await);
    let hidden = ["host", "datastore", "providerVdc", "virtualCenter"];
    let expected: Vec<&String> = every
        .iter()
        .filter(|t| !t.starts_with("admin") && !hidden.contains(&t.as_str()))
        .collect();
    assert_eq!(theirs.iter().collect::<Vec<_>>(), expected);
    for t in ["adminTask", "adminVApp", "host", "virtualCenter"] {
        let (st, _) = tenant.get(&format!("/api/query?type={t}")).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{t}");
    }
    for (t, record) in [
        ("catalog", "CatalogRecord"),
        ("vAppTemplate", "VAppTemplateRecord"),
    ] {
        let doc = tenant
            .doc(&format!("/api/query?type={t}&pageSize=128"))
            .await;
        let orgs: Vec<String> = tags(&doc, record)
            .into_iter()
            .map(|r| attr(r, "org").or(attr(r, "orgName")).unwrap())
            .collect();
        let all = admin
            .doc(&format!("/api/query?type={t}&pageSize=128"))
            .await;
        assert!(
            !orgs.is_empty() && orgs.len() < tags(&all, record).len(),
            "{doc}"
        );
        assert!(orgs.iter().all(|o| o == &orgs[0]), "{orgs:?}");
    }
    // Filters, sorting and fields work on the new types like on the old ones.
    let doc = admin
        .doc("/api/query?type=adminCatalogItem&filter=name==ubuntu*&sortDesc=catalogName&fields=name,catalogName")
        .await;
    let rows = tags(&doc, "AdminCatalogItemRecord");
    assert!(!rows.is_empty(), "{doc}");
    let cats: Vec<String> = rows
        .iter()
        .map(|r| attr(r, "catalogName").unwrap())
        .collect();
    let mut sorted = cats.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(cats, sorted);
    assert!(
        rows.iter()
            .all(|r| attr(r, "name").unwrap().starts_with("ubuntu") && attr(r, "entity").is_none())
    );
}
