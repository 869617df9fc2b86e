//! The vCenter simulator's responses checked against VMware's swagger specifications (vSphere
//! 7.0.3 vcenter, cis and session, in shared/fixtures): every list, get, session and error body
//! has the required properties and nothing outside its definition except documented 8.0 additions.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnav::sim::VcenterVersion;
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::{Power, Tools};

use crate::sim_vcenter_checker::{Checker, load};
use crate::sim_vcenter_support::*;

/// Properties and enum values vSphere 8.0 returns that the 7.0.3 specification lacks.
const V8_ADDITIONS: &[&str] = &["upt_v2_compatibility_enabled", "DEBIAN_12_64"];

struct Case {
    spec: &'static str,
    method: Method,
    template: String,
    path: String,
    body: Option<Value>,
    status: u16,
}

fn case(spec: &'static str, m: Method, template: &str, path: &str, status: u16) -> Case {
    Case {
        spec,
        method: m,
        template: template.into(),
        path: path.into(),
        body: None,
        status,
    }
}

async fn check_version(version: VcenterVersion, specs: &[(&str, Value)]) {
    let s = vc_sim(version, 300, Some(250)).await;
    let w = vnav::sim::generate::generate(300, 42);
    let inv = &w.vc;
    let on = w
        .vms
        .iter()
        .position(|v| v.power == Power::On && v.tools == Tools::Ok)
        .unwrap() as u32;
    let vm = vm_moid(&w, on);
    let allow: &[&str] = if version == VcenterVersion::V8_0 {
        V8_ADDITIONS
    } else {
        &[]
    };
    let mut checked = 0;
    for d in [D::Api, D::Rest] {
        let c = vc_login(&s.vcenter_url, d).await;
        let p = match d {
            D::Api => "/api",
            D::Rest => "/rest",
        };
        let mut cases = vec![];
        for kind in [
            "host",
            "cluster",
            "datacenter",
            "datastore",
            "network",
            "folder",
            "resource-pool",
        ] {
            cases.push(case(
                "vcenter",
                Method::GET,
                &format!("{p}/vcenter/{kind}"),
                &format!("/vcenter/{kind}"),
                200,
            ));
        }
        let host = &inv.hosts[0].moid;
        let q = c.filter(&[("hosts", host)]);
        cases.push(case(
            "vcenter",
            Method::GET,
            &format!("{p}/vcenter/vm"),
            &format!("/vcenter/vm{q}"),
            200,
        ));
        // Over the cap (250 of 300 VMs): the documented unable_to_allocate_resource error.
        let over = if d == D::Api { 500 } else { 400 };
        cases.push(case(
            "vcenter",
            Method::GET,
            &format!("{p}/vcenter/vm"),
            "/vcenter/vm",
            over,
        ));
        for (tail, id) in [
            ("vm/{vm}", vm.as_str()),
            ("vm/{vm}/guest/identity", vm.as_str()),
            ("vm/{vm}/guest/networking/interfaces", vm.as_str()),
            ("vm/{vm}/power", vm.as_str()),
            ("vm/{vm}/guest/power", vm.as_str()),
            ("datacenter/{datacenter}", inv.datacenters[0].moid.as_str()),
            ("cluster/{cluster}", inv.clusters[0].moid.as_str()),
            ("datastore/{datastore}", inv.datastores[0].moid.as_str()),
            ("resource-pool/{resource_pool}", inv.pools[0].moid.as_str()),
        ] {
            let concrete = tail.replace(
                tail[tail.find('{').unwrap()..=tail.find('}').unwrap()]
                    .to_string()
                    .as_str(),
                id,
            );
            cases.push(case(
                "vcenter",
                Method::GET,
                &format!("{p}/vcenter/{tail}"),
                &format!("/vcenter/{concrete}"),
                200,
            ));
        }
        cases.push(case(
            "vcenter",
            Method::GET,
            &format!("{p}/vcenter/vm/{{vm}}"),
            "/vcenter/vm/vm-1",
            404,
        ));
        let cat = &inv.categories[0].id;
        let tag = &inv.tags[0].id;
        let object = json!({"object_id": {"type": "VirtualMachine", "id": vm}});
        match d {
            D::Api => {
                cases.push(case(
                    "session",
                    Method::GET,
                    "/api/session",
                    "/session",
                    200,
                ));
                cases.push(case(
                    "cis",
                    Method::GET,
                    "/api/cis/tagging/category",
                    "/cis/tagging/category",
                    200,
                ));
                cases.push(case(
                    "cis",
                    Method::GET,
                    "/api/cis/tagging/category/{category_id}",
                    &format!("/cis/tagging/category/{cat}"),
                    200,
                ));
                cases.push(case(
                    "cis",
                    Method::GET,
                    "/api/cis/tagging/tag",
                    "/cis/tagging/tag",
                    200,
                ));
                cases.push(case(
                    "cis",
                    Method::GET,
                    "/api/cis/tagging/tag/{tag_id}",
                    &format!("/cis/tagging/tag/{tag}"),
                    200,
                ));
                let mut c1 = case(
                    "cis",
                    Method::POST,
                    "/api/cis/tagging/tag-association?action=list-attached-tags",
                    "/cis/tagging/tag-association?action=list-attached-tags",
                    200,
                );
                c1.body = Some(object.clone());
                cases.push(c1);
                cases.push(case(
                    "cis",
                    Method::POST,
                    "/api/cis/tagging/tag-association/{tag_id}?action=list-attached-objects",
                    &format!("/cis/tagging/tag-association/{tag}?action=list-attached-objects"),
                    200,
                ));
            }
            D::Rest => {
                cases.push(case(
                    "cis",
                    Method::POST,
                    "/rest/com/vmware/cis/session?~action=get",
                    "/com/vmware/cis/session?~action=get",
                    200,
                ));
                cases.push(case(
                    "cis",
                    Method::GET,
                    "/rest/com/vmware/cis/tagging/category",
                    "/com/vmware/cis/tagging/category",
                    200,
                ));
                cases.push(case(
                    "cis",
                    Method::GET,
                    "/rest/com/vmware/cis/tagging/category/id:{category_id}",
                    &format!("/com/vmware/cis/tagging/category/id:{cat}"),
                    200,
                ));
                cases.push(case(
                    "cis",
                    Method::GET,
                    "/rest/com/vmware/cis/tagging/tag",
                    "/com/vmware/cis/tagging/tag",
                    200,
                ));
                cases.push(case(
                    "cis",
                    Method::GET,
                    "/rest/com/vmware/cis/tagging/tag/id:{tag_id}",
                    &format!("/com/vmware/cis/tagging/tag/id:{tag}"),
                    200,
                ));
                let mut c1 = case(
                    "cis",
                    Method::POST,
                    "/rest/com/vmware/cis/tagging/tag-association?~action=list-attached-tags",
                    "/com/vmware/cis/tagging/tag-association?~action=list-attached-tags",
                    200,
                );
                c1.body = Some(object.clone());
                cases.push(c1);
                cases.push(case("cis", Method::POST, "/rest/com/vmware/cis/tagging/tag-association/id:{tag_id}?~action=list-attached-objects", &format!("/com/vmware/cis/tagging/tag-association/id:{tag}?~action=list-attached-objects"), 200));
            }
        }
        for k in cases {
            let spec = &specs.iter().find(|(n, _)| *n == k.spec).unwrap().1;
            let op = &spec["paths"][&k.template][k.method.as_str().to_lowercase()];
            assert!(
                !op.is_null(),
                "{} {} not in the {} spec",
                k.method,
                k.template,
                k.spec
            );
            let schema = &op["responses"][k.status.to_string()]["schema"];
            assert!(
                !schema.is_null(),
                "{} {}: no {} response in the spec",
                k.method,
                k.template,
                k.status
            );
            let (st, v) = c.call(k.method.clone(), &k.path, k.body.clone()).await;
            assert_eq!(
                st,
                StatusCode::from_u16(k.status).unwrap(),
                "{} {}: {v}",
                k.method,
                k.path
            );
            let mut ch = Checker::new(spec, allow);
            ch.check(schema, &v, &format!("{:?} {}", version, k.template));
            assert!(ch.errors.is_empty(), "{}", ch.errors.join("\n"));
            checked += 1;
        }
        // Unauthenticated bodies match their definitions too.
        let bad = Vc {
            sid: "x".into(),
            ..vc_login(&s.vcenter_url, d).await
        };
        let (st, v) = bad.get("/vcenter/vm").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let spec = &specs.iter().find(|(n, _)| *n == "vcenter").unwrap().1;
        let schema = &spec["paths"][format!("{p}/vcenter/vm")]["get"]["responses"]["401"]["schema"];
        let mut ch = Checker::new(spec, allow);
        ch.check(schema, &v, "401");
        assert!(ch.errors.is_empty(), "{}", ch.errors.join("\n"));
    }
    assert!(checked >= 40, "{checked} responses checked");
}

#[tokio::test]
async fn responses_match_the_swagger_definitions() {
    let specs = [
        ("vcenter", load("vcenter")),
        ("cis", load("cis")),
        ("session", load("session")),
    ];
    check_version(VcenterVersion::V7_0, &specs).await;
    check_version(VcenterVersion::V8_0, &specs).await;
}

#[test]
fn the_checker_catches_missing_extra_and_mistyped_properties() {
    let spec = load("vcenter");
    let schema = json!({"$ref": "#/definitions/VcenterVMInfo"});
    let mut ch = Checker::new(&spec, &[]);
    let bad = json!({"name": 1, "guest_OS": "NOT_AN_OS", "colour": "blue",
        "disks": {"2000": {"label": "Hard disk 1", "type": "SCSI", "backing": {}}}});
    ch.check(&schema, &bad, "vm");
    let all = ch.errors.join("\n");
    for want in [
        "vm.name: expected string",
        "vm.guest_OS: \"NOT_AN_OS\" not in enum",
        "vm: colour is not in the definition",
        "vm: required power_state missing",
        "vm.disks.2000.backing: required type missing",
    ] {
        assert!(all.contains(want), "{want} not reported in:\n{all}");
    }
}
