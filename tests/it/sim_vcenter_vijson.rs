//! The VI/JSON API at `/sdk/vim25/{release}` (8.0 profile only): service content, login by the
//! `vmware-api-session-id` header, sessions shared with REST, properties and RetrievePropertiesEx
//! read alike over SOAP and vCD; and a small client for it, which the task tests share.

use reqwest::StatusCode;
use serde_json::{Value, json};
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::{Power, World};
use vnav::sim::{Sim, SimOptions, VcenterVersion};

use crate::sim_support::{attr, http, sim};
use crate::sim_vcenter_soap::{Soap, between, vcd_snapshot};
use crate::sim_vcenter_support::json_or_null;

pub const SESSION: &str = "vmware-api-session-id";

pub struct Vi {
    pub http: reqwest::Client,
    pub base: String,
    pub session: String,
}

impl Vi {
    pub fn new(vcenter_url: &str) -> Vi {
        Vi {
            http: http(),
            base: format!("{vcenter_url}/sdk/vim25/8.0.2.0"),
            session: String::new(),
        }
    }
    pub async fn send(&self, r: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let r = r.header(SESSION, &self.session).send().await.unwrap();
        let status = r.status();
        if let Some(ct) = r.headers().get("content-type") {
            assert_eq!(ct, "application/json");
        }
        (status, json_or_null("VI/JSON", &r.text().await.unwrap()))
    }
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.http.post(format!("{}{path}", self.base));
        self.send(r.json(&body)).await
    }
    /// GET that must succeed.
    pub async fn read(&self, path: &str) -> Value {
        let (st, body) = self.get(path).await;
        assert_eq!(st, StatusCode::OK, "GET {path}: {body}");
        body
    }
    pub async fn login(&mut self, user: &str, password: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}/SessionManager/SessionManager/Login", self.base))
            .json(&json!({"userName": user, "password": password}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        if let Some(id) = r.headers().get(SESSION) {
            self.session = id.to_str().unwrap().to_string();
        }
        (status, r.json().await.unwrap())
    }
    /// Calls a snapshot method, waits for its task and returns the final TaskInfo.
    pub async fn task(&self, path: &str, body: Value) -> Value {
        let (st, task) = self.post(path, body).await;
        assert_eq!(st, StatusCode::OK, "POST {path}: {task}");
        self.wait(&task).await
    }
    /// Polls the task until it has finished; its final TaskInfo.
    pub async fn wait(&self, task: &Value) -> Value {
        assert_eq!(task["_typeName"], "ManagedObjectReference");
        assert_eq!(task["type"], "Task");
        let info_path = format!("/Task/{}/info", task["value"].as_str().unwrap());
        for _ in 0..200 {
            let info = self.read(&info_path).await;
            assert_eq!(info["_typeName"], "TaskInfo");
            if matches!(info["state"].as_str(), Some("success" | "error")) {
                return info;
            }
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        }
        panic!("{info_path} did not finish");
    }
    pub async fn create(&self, vm: &str, name: &str, memory: bool) -> String {
        let info = self
            .task(
                &format!("/VirtualMachine/{vm}/CreateSnapshot_Task"),
                json!({"name": name, "description": format!("before {name}"), "memory": memory, "quiesce": false}),
            )
            .await;
        assert_eq!(info["state"], "success", "{info}");
        assert_eq!(info["result"]["type"], "VirtualMachineSnapshot", "{info}");
        info["result"]["value"].as_str().unwrap().to_string()
    }
    /// The VM's snapshot tree as (name, moid, parent name) in depth-first order, and the current.
    pub async fn tree(&self, vm: &str) -> (Vec<(String, String, Option<String>)>, Option<String>) {
        let info = self.read(&format!("/VirtualMachine/{vm}/snapshot")).await;
        if info.is_null() {
            return (vec![], None);
        }
        assert_eq!(info["_typeName"], "VirtualMachineSnapshotInfo");
        fn walk(
            list: &Value,
            parent: Option<&str>,
            out: &mut Vec<(String, String, Option<String>)>,
        ) {
            for t in list.as_array().into_iter().flatten() {
                assert_eq!(t["_typeName"], "VirtualMachineSnapshotTree");
                let name = t["name"].as_str().unwrap().to_string();
                let moid = t["snapshot"]["value"].as_str().unwrap().to_string();
                out.push((name.clone(), moid, parent.map(str::to_string)));
                assert_ne!(
                    t.get("childSnapshotList"),
                    Some(&json!([])),
                    "empty lists are left out"
                );
                walk(&t["childSnapshotList"], Some(&name), out);
            }
        }
        let mut out = vec![];
        walk(&info["rootSnapshotList"], None, &mut out);
        let current = info["currentSnapshot"]["value"]
            .as_str()
            .map(str::to_string);
        (out, current)
    }
}

pub fn fault_kind(body: &Value) -> &str {
    assert_eq!(
        body["faultMessage"][0]["_typeName"], "LocalizableMessage",
        "{body}"
    );
    assert!(
        body["faultMessage"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    body["_typeName"].as_str().unwrap()
}

/// A 500 answer carrying fault `kind`.
pub fn server_fault(r: &(StatusCode, Value), kind: &str) {
    assert_eq!(r.0, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.1);
    assert_eq!(fault_kind(&r.1), kind);
}

/// A simulator and a VI/JSON client logged in to it.
pub async fn start(o: SimOptions) -> (Sim, Vi) {
    let s = sim(o).await;
    let mut vi = Vi::new(&s.vcenter_url);
    let (st, body) = vi.login("administrator@vsphere.local", "vnav-demo").await;
    assert_eq!(st, StatusCode::OK, "{body}");
    (s, vi)
}

pub fn opts(version: VcenterVersion, fail_rate: f64) -> SimOptions {
    SimOptions {
        vms: 80,
        task_seconds: 0.1,
        fail_rate,
        vcenter_version: version,
        ..SimOptions::default()
    }
}

/// The simulator's world for `opts` (80 VMs, the default seed).
pub fn world() -> World {
    vnav::sim::generate::generate(80, SimOptions::default().seed)
}

pub fn pick(w: &World, snapshot: bool, power: Power) -> (String, String) {
    let v = w
        .vms
        .iter()
        .position(|x| x.snapshot.is_some() == snapshot && x.power == power)
        .unwrap() as u32;
    (vm_moid(w, v), w.vms[v as usize].name.clone())
}

#[tokio::test]
async fn content_login_logout_and_sessions() {
    let s = sim(opts(VcenterVersion::V8_0, 0.0)).await;
    let mut vi = Vi::new(&s.vcenter_url);
    let content = vi.read("/ServiceInstance/ServiceInstance/content").await;
    assert_eq!(content["_typeName"], "ServiceContent");
    assert_eq!(
        content["propertyCollector"],
        json!({"_typeName": "ManagedObjectReference", "type": "PropertyCollector", "value": "propertyCollector"})
    );
    assert_eq!(content["sessionManager"]["value"], "SessionManager");
    assert_eq!(content["about"]["_typeName"], "AboutInfo");
    assert_eq!(content["about"]["apiVersion"], "8.0.2.0");
    assert_eq!(content["about"]["build"], "22617221");
    // The same values as SOAP's service content.
    let soap = Soap::new(&s.vcenter_url);
    let (_, xml) = soap
        .call("<urn:RetrieveServiceContent><urn:_this type=\"ServiceInstance\">ServiceInstance</urn:_this></urn:RetrieveServiceContent>")
        .await;
    let uuid = content["about"]["instanceUuid"].as_str().unwrap();
    assert!(
        xml.contains(&format!("<instanceUuid>{uuid}</instanceUuid>")),
        "{xml}"
    );
    let root = content["rootFolder"]["value"].as_str().unwrap();
    assert!(xml.contains(&format!("<rootFolder type=\"Folder\">{root}</rootFolder>")));
    // 8.0U1's release too, but no other.
    for (release, want) in [
        ("8.0.1.0", StatusCode::OK),
        ("7.0.3.0", StatusCode::NOT_FOUND),
    ] {
        let url = format!(
            "{}/sdk/vim25/{release}/ServiceInstance/ServiceInstance/content",
            s.vcenter_url
        );
        assert_eq!(http().get(url).send().await.unwrap().status(), want);
    }

    let (vm, name) = pick(&world(), false, Power::On);
    let name_path = format!("/VirtualMachine/{vm}/name");
    let (st, body) = vi.get(&name_path).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(fault_kind(&body), "NotAuthenticated");
    let (st, body) = vi.login("administrator@vsphere.local", "wrong").await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fault_kind(&body), "InvalidLogin");
    assert!(vi.session.is_empty());
    let (st, body) = vi.login("Administrator@vSphere.local", "vnav-demo").await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["_typeName"], "UserSession");
    assert_eq!(body["key"], vi.session.as_str());
    assert_eq!(body["userName"], "VSPHERE.LOCAL\\Administrator");
    assert_eq!(body["locale"], "en");
    assert_eq!(vi.read(&name_path).await, json!(name));
    // The session is vCenter's: REST takes it too.
    let rest = http()
        .get(format!("{}/api/vcenter/vm/{vm}/power", s.vcenter_url))
        .header(SESSION, &vi.session)
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), StatusCode::OK);
    let (st, body) = vi
        .post("/SessionManager/SessionManager/Logout", json!({}))
        .await;
    assert_eq!((st, body), (StatusCode::NO_CONTENT, Value::Null));
    let (st, body) = vi.get(&name_path).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(fault_kind(&body), "NotAuthenticated");
    // An expired session is refused alike.
    vi.login("administrator@vsphere.local", "vnav-demo").await;
    assert_eq!(vi.get(&name_path).await.0, StatusCode::OK);
    s.expire_tokens();
    let (st, body) = vi.get(&name_path).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(fault_kind(&body), "NotAuthenticated");
    // Injected faults speak JSON here too.
    s.set_faults(vnav::sim::Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    let (st, body) = vi.get("/ServiceInstance/ServiceInstance/content").await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(fault_kind(&body), "HostCommunication");
}

#[tokio::test]
async fn older_vcenters_have_no_vijson() {
    for version in [VcenterVersion::V6_7, VcenterVersion::V7_0] {
        let s = sim(opts(version, 0.0)).await;
        let before = s.vcenter_request_count();
        let r = http()
            .get(format!(
                "{}/sdk/vim25/8.0.2.0/ServiceInstance/ServiceInstance/content",
                s.vcenter_url
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{version:?}");
        assert_eq!(r.text().await.unwrap(), "");
        assert_eq!(s.vcenter_request_count(), before + 1);
    }
}

#[tokio::test]
async fn properties_match_soap_and_vcd() {
    let (s, vi) = start(opts(VcenterVersion::V8_0, 0.0)).await;
    let w = world();
    let (bare, _) = pick(&w, false, Power::On);
    assert_eq!(
        vi.read(&format!("/VirtualMachine/{bare}/snapshot")).await,
        Value::Null
    );
    let (vm, name) = pick(&w, true, Power::On);
    let (tree, current) = vi.tree(&vm).await;
    assert_eq!(tree.len(), 1);
    assert_eq!(current.as_deref(), Some(tree[0].1.as_str()));
    let info = vi.read(&format!("/VirtualMachine/{vm}/snapshot")).await;
    let root = &info["rootSnapshotList"][0];
    assert_eq!(root["description"], "Created in vCloud Director");
    assert_eq!(root["vm"]["value"], vm.as_str());
    assert!(root["id"].is_i64() && root["quiesced"].is_boolean());
    assert!(
        time::OffsetDateTime::parse(
            root["createTime"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );

    // layoutEx: the same files, keys and sizes as over SOAP.
    let layout = vi.read(&format!("/VirtualMachine/{vm}/layoutEx")).await;
    assert_eq!(layout["_typeName"], "VirtualMachineFileLayoutEx");
    let soap = Soap::new(&s.vcenter_url);
    soap.login("vnav-demo").await;
    let xml = soap.props("VirtualMachine", &vm, &["layoutEx"]).await;
    let files = layout["file"].as_array().unwrap();
    assert_eq!(files.len(), xml.matches("<file>").count());
    let mut rest = xml.as_str();
    for f in files {
        assert_eq!(f["_typeName"], "VirtualMachineFileLayoutExFileInfo");
        let x = between(rest, "<file>", "</file>");
        rest = &rest[rest.find("</file>").unwrap() + 7..];
        assert_eq!(between(x, "<key>", "<"), f["key"].to_string());
        assert_eq!(between(x, "<name>", "<"), f["name"].as_str().unwrap());
        assert_eq!(between(x, "<type>", "<"), f["type"].as_str().unwrap());
        assert_eq!(between(x, "<size>", "<"), f["size"].to_string());
        assert_eq!(f["size"], f["uniqueSize"]);
    }
    // The snapshot's files (past each chain's base) hold the size vCD reports for it, give or
    // take the small .vmsn.
    let size = |key: &Value| {
        files.iter().find(|f| f["key"] == *key).unwrap()["size"]
            .as_u64()
            .unwrap()
    };
    let mut bytes = 0;
    for f in files
        .iter()
        .filter(|f| matches!(f["type"].as_str(), Some("snapshotData" | "snapshotMemory")))
    {
        bytes += f["size"].as_u64().unwrap();
    }
    for disk in layout["disk"].as_array().unwrap() {
        let chain = disk["chain"].as_array().unwrap();
        assert_eq!(chain.len(), 2, "base and one delta");
        for unit in &chain[1..] {
            bytes += unit["fileKey"]
                .as_array()
                .unwrap()
                .iter()
                .map(size)
                .sum::<u64>();
        }
    }
    assert_eq!(layout["snapshot"][0]["key"]["value"], tree[0].1.as_str());
    let section = vcd_snapshot(&s, &name).await.unwrap();
    let vcd: u64 = attr(&section, "size").unwrap().parse().unwrap();
    assert!(bytes >= vcd && bytes - vcd < 1 << 20, "{bytes} vs {vcd}");

    // RetrievePropertiesEx over several VMs: unset properties are left out.
    let others: Vec<String> = (0..3).map(|v| vm_moid(&w, v)).collect();
    let objs: Vec<Value> = [&vm, &bare]
        .into_iter()
        .chain(&others)
        .map(|m| json!({"_typeName": "ObjectSpec", "obj": {"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": m}}))
        .collect();
    let spec = |paths: &[&str], objs: &[Value]| {
        json!({"specSet": [{"_typeName": "PropertyFilterSpec",
            "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine", "pathSet": paths}],
            "objectSet": objs}], "options": {"_typeName": "RetrieveOptions"}})
    };
    let retrieve = "/PropertyCollector/propertyCollector/RetrievePropertiesEx";
    let (st, r) = vi
        .post(
            retrieve,
            spec(&["snapshot", "name", "runtime.powerState"], &objs),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["_typeName"], "RetrieveResult");
    let objects = r["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 5);
    for (o, want) in objects.iter().zip([&vm, &bare].into_iter().chain(&others)) {
        assert_eq!(o["_typeName"], "ObjectContent");
        assert_eq!(o["obj"]["value"], want.as_str());
        let props = o["propSet"].as_array().unwrap();
        let prop = |n: &str| props.iter().find(|p| p["name"] == n).map(|p| &p["val"]);
        let v = vnav::sim::inventory::vm_index(&w, want).unwrap() as usize;
        assert_eq!(
            prop("name"),
            Some(&json!({"_typeName": "string", "_value": w.vms[v].name}))
        );
        assert_eq!(
            prop("runtime.powerState").unwrap()["_typeName"],
            "VirtualMachinePowerState"
        );
        match prop("snapshot") {
            Some(snap) => {
                assert!(w.vms[v].snapshot.is_some());
                assert_eq!(snap["_typeName"], "VirtualMachineSnapshotInfo");
            }
            None => assert!(w.vms[v].snapshot.is_none(), "{o}"),
        }
    }
    let (_, first) = vi.post(retrieve, spec(&["snapshot"], &objs[..1])).await;
    assert_eq!(first["objects"][0]["propSet"][0]["val"], info);

    let r = vi
        .post(retrieve, spec(&["config.hardware"], &objs[..1]))
        .await;
    server_fault(&r, "InvalidProperty");
    let missing = [
        json!({"obj": {"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": "vm-9"}}),
    ];
    let r = vi.post(retrieve, spec(&["name"], &missing)).await;
    server_fault(&r, "ManagedObjectNotFound");
    let r = vi.post(retrieve, json!({"specSet": "nope"})).await;
    server_fault(&r, "InvalidRequest");
}
