//! The vim25 SOAP subset at `/sdk`: service content, login by cookie, snapshot trees through
//! RetrievePropertiesEx, snapshot tasks and their effect, shared with vCD's snapshot of the VM.

use reqwest::StatusCode;
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::Power;
use vnav::sim::{DEMO_USER, SimOptions, VcenterVersion};

use crate::sim_support::{attr, login, sim, tags};

pub struct Soap {
    http: reqwest::Client,
    url: String,
}

impl Soap {
    pub fn new(base: &str) -> Soap {
        vnav::api::tls::install_crypto_provider();
        Soap {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            url: format!("{base}/sdk"),
        }
    }
    pub async fn call(&self, body: &str) -> (StatusCode, String) {
        let env = format!(
            "<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:urn=\"urn:vim25\"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
        );
        let r = self
            .http
            .post(&self.url)
            .header("content-type", "text/xml")
            .header("soapaction", "urn:vim25/8.0.2.0")
            .body(env)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
    pub async fn login(&self, password: &str) -> (StatusCode, String) {
        self.call(&format!(
            "<urn:Login><urn:_this type=\"SessionManager\">SessionManager</urn:_this>\
             <urn:userName>administrator@vsphere.local</urn:userName><urn:password>{password}</urn:password></urn:Login>"
        ))
        .await
    }
    /// `RetrievePropertiesEx` of one object; the response text.
    pub async fn props(&self, kind: &str, id: &str, paths: &[&str]) -> String {
        let paths: String = paths
            .iter()
            .map(|p| format!("<urn:pathSet>{p}</urn:pathSet>"))
            .collect();
        let (st, body) = self
            .call(&format!(
                "<urn:RetrievePropertiesEx><urn:_this type=\"PropertyCollector\">propertyCollector</urn:_this>\
                 <urn:specSet><urn:propSet><urn:type>{kind}</urn:type>{paths}</urn:propSet>\
                 <urn:objectSet><urn:obj type=\"{kind}\">{id}</urn:obj></urn:objectSet></urn:specSet>\
                 <urn:options/></urn:RetrievePropertiesEx>"
            ))
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        body
    }
    /// Runs a snapshot operation, waits for its task, returns the final TaskInfo text.
    pub async fn task(&self, op: &str, this: (&str, &str), args: &str) -> String {
        let (st, body) = self
            .call(&format!(
                "<urn:{op}><urn:_this type=\"{}\">{}</urn:_this>{args}</urn:{op}>",
                this.0, this.1
            ))
            .await;
        assert_eq!(st, StatusCode::OK, "{op}: {body}");
        let task = between(&body, "<returnval type=\"Task\">", "<").to_string();
        for _ in 0..100 {
            let info = self.props("Task", &task, &["info"]).await;
            if info.contains("<state>success</state>") || info.contains("<state>error</state>") {
                return info;
            }
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        }
        panic!("{task} did not finish");
    }
}

pub fn between<'a>(s: &'a str, a: &str, b: &str) -> &'a str {
    let at = s.find(a).unwrap_or_else(|| panic!("{a} not in {s}")) + a.len();
    &s[at..at + s[at..].find(b).unwrap()]
}

pub async fn vcd_snapshot(s: &vnav::sim::Sim, name: &str) -> Option<String> {
    let c = login(&s.vcd_url, DEMO_USER).await;
    let doc = c
        .doc(&format!("/api/query?type=vm&filter=name=={name}"))
        .await;
    let vm = c
        .doc(&attr(tags(&doc, "VMRecord")[0], "href").unwrap())
        .await;
    tags(&vm, "Snapshot").first().map(|t| t.to_string())
}

fn opts(fail_rate: f64) -> SimOptions {
    SimOptions {
        vms: 80,
        task_seconds: 0.1,
        fail_rate,
        vcenter_version: VcenterVersion::V7_0,
        ..SimOptions::default()
    }
}

#[tokio::test]
async fn service_content_login_and_faults() {
    let s = sim(opts(0.0)).await;
    let soap = Soap::new(&s.vcenter_url);
    let (st, body) = soap
        .call("<urn:RetrieveServiceContent><urn:_this type=\"ServiceInstance\">ServiceInstance</urn:_this></urn:RetrieveServiceContent>")
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains(
        "<propertyCollector type=\"PropertyCollector\">propertyCollector</propertyCollector>"
    ));
    assert!(body.contains("<apiVersion>7.0.3.0</apiVersion>"));
    let unauth = soap.call("<urn:RemoveAllSnapshots_Task><urn:_this type=\"VirtualMachine\">vm-1000</urn:_this></urn:RemoveAllSnapshots_Task>").await;
    assert_eq!(unauth.0, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        unauth.1.contains("xsi:type=\"NotAuthenticated\""),
        "{}",
        unauth.1
    );
    let (st, body) = soap.login("wrong").await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body.contains("<faultcode>ServerFaultCode</faultcode>") && body.contains("InvalidLogin")
    );
    let (st, body) = soap.login("vnav-demo").await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("<userName>VSPHERE.LOCAL\\Administrator</userName>"));
    for (req, fault) in [
        (
            "<urn:CreateSnapshot_Task><urn:_this type=\"VirtualMachine\">vm-9</urn:_this><urn:name>x</urn:name><urn:memory>false</urn:memory><urn:quiesce>false</urn:quiesce></urn:CreateSnapshot_Task>",
            "ManagedObjectNotFound",
        ),
        (
            "<urn:CreateSnapshot_Task><urn:_this type=\"VirtualMachine\">vm-1000</urn:_this><urn:name>x</urn:name><urn:memory>maybe</urn:memory><urn:quiesce>false</urn:quiesce></urn:CreateSnapshot_Task>",
            "InvalidRequest",
        ),
        (
            "<urn:RemoveSnapshot_Task><urn:_this type=\"VirtualMachineSnapshot\">snapshot-1</urn:_this></urn:RemoveSnapshot_Task>",
            "InvalidRequest",
        ),
        (
            "<urn:CancelTask><urn:_this type=\"Task\">task-1</urn:_this></urn:CancelTask>",
            "ManagedObjectNotFound",
        ),
        (
            "<urn:PowerOnVM_Task><urn:_this type=\"VirtualMachine\">vm-1000</urn:_this></urn:PowerOnVM_Task>",
            "NotSupported",
        ),
    ] {
        let (st, body) = soap.call(req).await;
        assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains(&format!("xsi:type=\"{fault}\"")), "{body}");
    }
    s.set_faults(vnav::sim::Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    let (st, body) = soap.login("vnav-demo").await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body.contains("<soapenv:Fault>") && body.contains("HostCommunication"),
        "{body}"
    );
    s.set_faults(vnav::sim::Faults::default());
    let (st, body) = soap
        .call("<urn:RetrievePropertiesEx><urn:_this type=\"PropertyCollector\">propertyCollector</urn:_this><urn:specSet><urn:propSet><urn:type>VirtualMachine</urn:type><urn:pathSet>config.hardware</urn:pathSet></urn:propSet><urn:objectSet><urn:obj type=\"VirtualMachine\">vm-1000</urn:obj></urn:objectSet></urn:specSet></urn:RetrievePropertiesEx>")
        .await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("InvalidProperty"));
}

#[tokio::test]
async fn snapshot_tree_lifecycle_is_shared_with_vcd() {
    let s = sim(opts(0.0)).await;
    let w = vnav::sim::generate::generate(80, 42);
    let v = w
        .vms
        .iter()
        .position(|x| x.snapshot.is_none() && x.power == Power::On)
        .unwrap() as u32;
    let (vm, name) = (vm_moid(&w, v), w.vms[v as usize].name.clone());
    let soap = Soap::new(&s.vcenter_url);
    soap.login("vnav-demo").await;
    let none = soap
        .props("VirtualMachine", &vm, &["snapshot", "name"])
        .await;
    assert!(!none.contains("<name>snapshot</name>") && none.contains(&name));
    let create = |n: &str, mem: bool| {
        format!(
            "<urn:name>{n}</urn:name><urn:description>before {n}</urn:description><urn:memory>{mem}</urn:memory><urn:quiesce>false</urn:quiesce>"
        )
    };
    let info = soap
        .task(
            "CreateSnapshot_Task",
            ("VirtualMachine", &vm),
            &create("one", true),
        )
        .await;
    assert!(info.contains("<descriptionId>VirtualMachine.createSnapshot</descriptionId>"));
    let first = between(&info, "xsi:type=\"ManagedObjectReference\">", "<").to_string();
    assert!(first.starts_with("snapshot-"));
    let info = soap
        .task(
            "CreateSnapshot_Task",
            ("VirtualMachine", &vm),
            &create("two", false),
        )
        .await;
    let second = between(&info, "xsi:type=\"ManagedObjectReference\">", "<").to_string();
    let tree = soap.props("VirtualMachine", &vm, &["snapshot"]).await;
    assert!(tree.contains(&format!(
        "<currentSnapshot type=\"VirtualMachineSnapshot\">{second}</currentSnapshot>"
    )));
    let nested = between(&tree, "<rootSnapshotList>", "</rootSnapshotList>");
    assert!(nested.contains("<name>one</name>") && nested.contains("<childSnapshotList>"));
    assert!(
        between(nested, "<childSnapshotList>", "</childSnapshotList>").contains("<name>two</name>")
    );
    // vCD sees the current (second, without memory) snapshot.
    let snap = vcd_snapshot(&s, &name)
        .await
        .expect("vCD shows the snapshot");
    assert!(snap.contains("poweredOn=\"false\""), "{snap}");
    // Revert to the first (memory) snapshot: current moves, VM is on.
    soap.task(
        "RevertToSnapshot_Task",
        ("VirtualMachineSnapshot", &first),
        "",
    )
    .await;
    let cur = soap
        .props(
            "VirtualMachine",
            &vm,
            &["snapshot.currentSnapshot", "runtime.powerState"],
        )
        .await;
    assert!(
        cur.contains(&format!(">{first}</val>")) && cur.contains(">poweredOn</val>"),
        "{cur}"
    );
    // Remove the root but keep its child, which becomes a root.
    soap.task(
        "RemoveSnapshot_Task",
        ("VirtualMachineSnapshot", &first),
        "<urn:removeChildren>false</urn:removeChildren>",
    )
    .await;
    let roots = soap
        .props("VirtualMachine", &vm, &["snapshot.rootSnapshotList"])
        .await;
    assert!(
        roots.contains("<name>two</name>") && !roots.contains("<name>one</name>"),
        "{roots}"
    );
    assert!(vcd_snapshot(&s, &name).await.is_some());
    soap.task("RemoveAllSnapshots_Task", ("VirtualMachine", &vm), "")
        .await;
    let gone = soap.props("VirtualMachine", &vm, &["snapshot"]).await;
    assert!(!gone.contains("<name>snapshot</name>"));
    assert_eq!(vcd_snapshot(&s, &name).await, None);
}

#[tokio::test]
async fn vcd_snapshots_appear_in_the_tree_and_failed_tasks_change_nothing() {
    let s = sim(opts(1.0)).await;
    let w = vnav::sim::generate::generate(80, 42);
    let v = w.vms.iter().position(|x| x.snapshot.is_some()).unwrap() as u32;
    let vm = vm_moid(&w, v);
    let soap = Soap::new(&s.vcenter_url);
    soap.login("vnav-demo").await;
    let tree = soap.props("VirtualMachine", &vm, &["snapshot"]).await;
    assert!(
        tree.contains("<description>Created in vCloud Director</description>"),
        "{tree}"
    );
    let info = soap
        .task("CreateSnapshot_Task", ("VirtualMachine", &vm), "<urn:name>doomed</urn:name><urn:memory>false</urn:memory><urn:quiesce>false</urn:quiesce>")
        .await;
    assert!(
        info.contains("<state>error</state>") && info.contains("<localizedMessage>"),
        "{info}"
    );
    let err = soap
        .props(
            "Task",
            between(&info, "<key>", "<"),
            &["info.error", "info.state"],
        )
        .await;
    assert!(err.contains("LocalizedMethodFault") && err.contains(">error</val>"));
    let after = soap.props("VirtualMachine", &vm, &["snapshot"]).await;
    assert!(!after.contains("doomed"));
    assert_eq!(tree, after);
}
