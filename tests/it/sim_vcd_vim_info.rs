//! The simulated vCD shows a system administrator the vCenter VM behind each of its VMs
//! (`VCloudExtension` → `vmext:VmVimInfo`) and the vCenter itself (`vmext:VimServer`), valid
//! against the vCD extension XSD, and consistent with what the simulated vCenter serves. A
//! tenant sees neither.

use reqwest::StatusCode;
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, SimOptions};

use crate::sim_schema::{tools, validate};
use crate::sim_support::*;

/// The text of the first `<vmext:NAME>` element inside `xml`.
fn vmext(xml: &str, name: &str) -> Option<String> {
    let open = format!("<vmext:{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find('<')? + start;
    Some(xml[start..end].to_string())
}

/// A schema that knows both namespaces, so xmllint checks the extension's content too (the
/// vCloud schema alone leaves `VCloudExtension` content unchecked).
pub fn both_schemas(dir: &std::path::Path, schemas: &std::path::Path) -> String {
    let s = schemas.join("1.5/schemas");
    let wrapper = format!(
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:vnav:both">
<xs:import namespace="http://www.vmware.com/vcloud/v1.5" schemaLocation="{}"/>
<xs:import namespace="http://www.vmware.com/vcloud/extension/v1.5" schemaLocation="{}"/>
</xs:schema>"#,
        s.join("master/master.xsd").display(),
        s.join("extension/vmwextensions.xsd").display()
    );
    let p = dir.join("both.xsd");
    std::fs::write(&p, wrapper).unwrap();
    p.display().to_string()
}

#[tokio::test]
async fn a_system_administrator_sees_the_vcenter_vm_behind_each_vm() {
    let schemas = tools();
    let dir = tempfile::tempdir().unwrap();
    let s = sim(SimOptions {
        vms: 200,
        ..SimOptions::default()
    })
    .await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let rec = c.doc("/api/query?type=vm&pageSize=1").await;
    let record = tags(&rec, "VMRecord")[0];
    let (vm_href, name) = (attr(record, "href").unwrap(), attr(record, "name").unwrap());
    let vm = c.doc(&vm_href).await;
    let vapp = c.doc(&link_of(&vm, "up", "vApp+xml").unwrap()).await;
    assert!(
        vapp.contains("<vmext:VmVimInfo"),
        "in the vApp's children too"
    );
    let moref = vmext(&vm, "MoRef").expect("VmVimInfo with a MoRef");
    assert!(moref.starts_with("vm-"), "{moref}");
    let server_ref = tags(&vm, "vmext:VimServerRef")[0];
    let server = c.doc(&attr(server_ref, "href").unwrap()).await;
    assert_eq!(
        vmext(&server, "Url").as_deref(),
        Some(s.vcenter_url.as_str())
    );

    // The vCenter knows that moid as the same VM, and calls itself by the VimServer's Uuid.
    let http = http();
    let session: String = http
        .post(format!("{}/api/session", s.vcenter_url))
        .basic_auth(vnav::sim::VCENTER_USER, Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let get = |path: String| {
        http.get(format!("{}{path}", s.vcenter_url))
            .header("vmware-api-session-id", &session)
            .send()
    };
    let detail: serde_json::Value = get(format!("/api/vcenter/vm/{moref}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["name"], name.as_str());
    let content: serde_json::Value =
        get("/sdk/vim25/8.0.1.0/ServiceInstance/ServiceInstance/content".into())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(
        content["about"]["instanceUuid"].as_str(),
        vmext(&server, "Uuid").as_deref()
    );

    let mut files = vec![];
    for (n, body) in [("vm", &vm), ("vapp", &vapp), ("vim_server", &server)] {
        let p = dir.path().join(format!("{n}.xml"));
        std::fs::write(&p, body).unwrap();
        files.push(p);
    }
    validate(&schemas, &both_schemas(dir.path(), &schemas), &files);
}

#[tokio::test]
async fn a_tenant_sees_no_vcenter() {
    let s = sim(SimOptions::default()).await;
    let admin = login(&s.vcd_url, DEMO_USER).await;
    let rec = admin.doc("/api/query?type=vm&pageSize=1").await;
    let vm = admin
        .doc(&attr(tags(&rec, "VMRecord")[0], "href").unwrap())
        .await;
    let server_href = attr(tags(&vm, "vmext:VimServerRef")[0], "href").unwrap();

    let tenant = login(&s.vcd_url, "orgadmin@acme").await;
    let rec = tenant.doc("/api/query?type=vm&pageSize=1").await;
    let vm = tenant
        .doc(&attr(tags(&rec, "VMRecord")[0], "href").unwrap())
        .await;
    assert!(!vm.contains("VCloudExtension"), "{vm}");
    let (st, _) = tenant.get(&server_href).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}
