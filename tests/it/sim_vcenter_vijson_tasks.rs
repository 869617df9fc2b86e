//! VI/JSON snapshot methods and their tasks: a tree built, reverted and pruned over JSON is the
//! tree SOAP reads, the power state REST reads and the snapshot vCD shows; failed tasks change
//! nothing; a running vCD task blocks them; and the faults of unknown objects and bad bodies.

use reqwest::StatusCode;
use serde_json::{Value, json};
use vnav::sim::world::Power;
use vnav::sim::{SimOptions, VcenterVersion};

use crate::sim_support::{attr, login, tags};
use crate::sim_vcenter_soap::{Soap, vcd_snapshot};
use crate::sim_vcenter_vijson::{SESSION, Vi, fault_kind, opts, pick, server_fault, start, world};

#[tokio::test]
async fn snapshot_tasks_are_shared_with_soap_rest_and_vcd() {
    let (s, vi) = start(opts(VcenterVersion::V8_0, 0.0)).await;
    let (vm, name) = pick(&world(), false, Power::On);
    let soap = Soap::new(&s.vcenter_url);
    soap.login("vnav-demo").await;
    let power = async |vi: &Vi| {
        let r = vi
            .http
            .get(format!("{}/api/vcenter/vm/{vm}/power", s.vcenter_url))
            .header(SESSION, &vi.session)
            .send()
            .await
            .unwrap();
        r.json::<Value>().await.unwrap()["state"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let info = vi
        .task(
            &format!("/VirtualMachine/{vm}/CreateSnapshot_Task"),
            json!({"name": "one", "description": "first", "memory": true, "quiesce": false}),
        )
        .await;
    assert_eq!(info["descriptionId"], "VirtualMachine.createSnapshot");
    assert_eq!(info["entity"]["value"], vm.as_str());
    assert_eq!(info["entityName"], name.as_str());
    assert_eq!(
        (&info["cancelled"], &info["cancelable"]),
        (&json!(false), &json!(false))
    );
    assert!(info.get("progress").is_none() && info.get("error").is_none());
    assert!(info["queueTime"].is_string() && info["completeTime"].is_string());
    assert_eq!(info["eventChainId"], 1);
    let one = info["result"]["value"].as_str().unwrap().to_string();
    let (tree, current) = vi.tree(&vm).await;
    assert_eq!(tree, vec![("one".into(), one.clone(), None)]);
    assert_eq!(current.as_deref(), Some(one.as_str()));
    let state =
        vi.read(&format!("/VirtualMachine/{vm}/snapshot")).await["rootSnapshotList"][0]["state"]
            .clone();
    assert_eq!(state, "poweredOn");
    // Seen over SOAP and by vCD.
    let xml = soap.props("VirtualMachine", &vm, &["snapshot"]).await;
    assert!(
        xml.contains(&format!(
            "<currentSnapshot type=\"VirtualMachineSnapshot\">{one}</currentSnapshot>"
        )),
        "{xml}"
    );
    assert!(xml.contains("<name>one</name>"));
    let vcd = vcd_snapshot(&s, &name)
        .await
        .expect("vCD shows the snapshot");
    assert!(vcd.contains("poweredOn=\"true\""), "{vcd}");
    let c = login(&s.vcd_url, vnav::sim::DEMO_USER).await;
    let rec = c
        .doc(&format!("/api/query?type=vm&filter=name=={name}"))
        .await;
    assert_eq!(
        attr(tags(&rec, "VMRecord")[0], "snapshot").as_deref(),
        Some("true")
    );

    let two = vi.create(&vm, "two", false).await;
    let three = vi.create(&vm, "three", false).await;
    let (tree, _) = vi.tree(&vm).await;
    let parents: Vec<_> = tree
        .iter()
        .map(|(n, _, p)| (n.as_str(), p.as_deref()))
        .collect();
    assert_eq!(
        parents,
        [("one", None), ("two", Some("one")), ("three", Some("two"))]
    );

    // Revert to a chosen snapshot: current moves and the VM takes its power state.
    let revert = |m: &str| format!("/VirtualMachineSnapshot/{m}/RevertToSnapshot_Task");
    let info = vi.task(&revert(&two), json!({})).await;
    assert_eq!(info["descriptionId"], "vm.Snapshot.revert");
    assert_eq!(vi.tree(&vm).await.1.as_deref(), Some(two.as_str()));
    assert_eq!(power(&vi).await, "POWERED_OFF");
    let r = vi
        .send(vi.http.post(format!("{}{}", vi.base, revert(&one))))
        .await;
    assert_eq!(r.0, StatusCode::OK, "an empty body will do: {}", r.1);
    assert_eq!(vi.wait(&r.1).await["state"], "success");
    assert_eq!(power(&vi).await, "POWERED_ON");
    assert_eq!(vi.tree(&vm).await.1.as_deref(), Some(one.as_str()));

    // Remove "two" keeping its child, which moves up to "one".
    let remove = |m: &str| format!("/VirtualMachineSnapshot/{m}/RemoveSnapshot_Task");
    let info = vi
        .task(&remove(&two), json!({"removeChildren": false}))
        .await;
    assert_eq!(info["state"], "success");
    let (tree, current) = vi.tree(&vm).await;
    let parents: Vec<_> = tree
        .iter()
        .map(|(n, _, p)| (n.as_str(), p.as_deref()))
        .collect();
    assert_eq!(parents, [("one", None), ("three", Some("one"))]);
    assert_eq!(current.as_deref(), Some(one.as_str()));
    let r = vi.post(&revert(&two), json!({})).await;
    server_fault(&r, "ManagedObjectNotFound");
    assert_eq!(r.1["obj"]["value"], two.as_str());

    // Remove "one" with its children: nothing is left anywhere.
    vi.create(&vm, "four", false).await;
    vi.task(&remove(&one), json!({"removeChildren": true}))
        .await;
    assert_eq!(
        vi.read(&format!("/VirtualMachine/{vm}/snapshot")).await,
        Value::Null
    );
    assert!(
        !soap
            .props("VirtualMachine", &vm, &["snapshot"])
            .await
            .contains("<name>snapshot</name>")
    );
    assert_eq!(vcd_snapshot(&s, &name).await, None);
    let r = vi
        .post(&remove(&three), json!({"removeChildren": false}))
        .await;
    server_fault(&r, "ManagedObjectNotFound");
    let r = vi
        .post(
            &format!("/VirtualMachine/{vm}/RevertToCurrentSnapshot_Task"),
            json!({}),
        )
        .await;
    server_fault(&r, "NotFound");

    // Revert to the current one, then remove all.
    vi.create(&vm, "five", false).await;
    let six = vi.create(&vm, "six", true).await;
    let info = vi
        .task(
            &format!("/VirtualMachine/{vm}/RevertToCurrentSnapshot_Task"),
            json!({}),
        )
        .await;
    assert_eq!(
        info["descriptionId"],
        "VirtualMachine.revertToCurrentSnapshot"
    );
    assert_eq!(vi.tree(&vm).await.1, Some(six));
    let info = vi
        .task(
            &format!("/VirtualMachine/{vm}/RemoveAllSnapshots_Task"),
            json!({}),
        )
        .await;
    assert_eq!(info["descriptionId"], "VirtualMachine.removeAllSnapshots");
    assert_eq!(vi.tree(&vm).await, (vec![], None));
    assert_eq!(vcd_snapshot(&s, &name).await, None);
    // A snapshot made over SOAP shows over JSON.
    soap.task(
        "CreateSnapshot_Task",
        ("VirtualMachine", &vm),
        "<urn:name>soap</urn:name><urn:memory>false</urn:memory><urn:quiesce>true</urn:quiesce>",
    )
    .await;
    let (tree, _) = vi.tree(&vm).await;
    assert_eq!(tree.len(), 1);
    assert_eq!(tree[0].0, "soap");
}

#[tokio::test]
async fn faults_and_failed_tasks() {
    let (_s, vi) = start(opts(VcenterVersion::V8_0, 1.0)).await;
    let (vm, _) = pick(&world(), true, Power::On);
    let before = vi.read(&format!("/VirtualMachine/{vm}/snapshot")).await;
    let snap = before["currentSnapshot"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let create = format!("/VirtualMachine/{vm}/CreateSnapshot_Task");
    let info = vi
        .task(
            &create,
            json!({"name": "doomed", "memory": false, "quiesce": false}),
        )
        .await;
    assert_eq!(info["state"], "error");
    assert_eq!(info["error"]["_typeName"], "LocalizedMethodFault");
    assert_eq!(
        info["error"]["fault"],
        json!({"_typeName": "SystemError", "reason": "Simulated failure"})
    );
    assert_eq!(
        info["error"]["localizedMessage"],
        "A general system error occurred: Simulated failure"
    );
    assert!(info.get("result").is_none());
    assert_eq!(
        vi.read(&format!("/VirtualMachine/{vm}/snapshot")).await,
        before
    );
    let task = info["key"].as_str().unwrap();
    let r = vi
        .post(&format!("/Task/{task}/CancelTask"), json!({}))
        .await;
    server_fault(&r, "NotSupported");

    for (method, path, body, kind) in [
        (
            "GET",
            "/VirtualMachine/vm-9/name".to_string(),
            Value::Null,
            "ManagedObjectNotFound",
        ),
        (
            "GET",
            format!("/VirtualMachine/{vm}/config"),
            Value::Null,
            "InvalidProperty",
        ),
        (
            "GET",
            "/Task/task-9/info".into(),
            Value::Null,
            "ManagedObjectNotFound",
        ),
        (
            "POST",
            "/VirtualMachine/vm-9/RemoveAllSnapshots_Task".into(),
            json!({}),
            "ManagedObjectNotFound",
        ),
        (
            "POST",
            "/VirtualMachineSnapshot/snapshot-9/RevertToSnapshot_Task".into(),
            json!({}),
            "ManagedObjectNotFound",
        ),
        (
            "POST",
            format!("/VirtualMachine/{vm}/CreateSnapshot_Task"),
            json!({"name": 5, "memory": false, "quiesce": false}),
            "InvalidRequest",
        ),
        (
            "POST",
            format!("/VirtualMachine/{vm}/CreateSnapshot_Task"),
            json!({"name": "x"}),
            "InvalidRequest",
        ),
        (
            "POST",
            format!("/VirtualMachineSnapshot/{snap}/RemoveSnapshot_Task"),
            json!([true]),
            "InvalidRequest",
        ),
        (
            "POST",
            format!("/VirtualMachine/{vm}/PowerOnVM_Task"),
            json!({}),
            "NotSupported",
        ),
        (
            "POST",
            "/Task/task-9/CancelTask".into(),
            json!({}),
            "ManagedObjectNotFound",
        ),
        (
            "GET",
            "/SessionManager/other/currentSession".into(),
            Value::Null,
            "ManagedObjectNotFound",
        ),
    ] {
        let r = match method {
            "GET" => vi.get(&path).await,
            _ => vi.post(&path, body).await,
        };
        assert_eq!(fault_kind(&r.1), kind, "{method} {path}");
        assert_eq!(r.0, StatusCode::INTERNAL_SERVER_ERROR);
    }
    let (_, body) = vi.get("/VirtualMachine/vm-9/name").await;
    assert_eq!(
        body["obj"],
        json!({"_typeName": "ManagedObjectReference", "type": "VirtualMachine", "value": "vm-9"})
    );
    let raw = vi
        .send(
            vi.http
                .post(format!("{}{create}", vi.base))
                .body("{not json"),
        )
        .await;
    server_fault(&raw, "InvalidRequest");
    let (st, body) = vi.get("/HostSystem/host-1/name").await;
    assert_eq!((st, fault_kind(&body)), (StatusCode::NOT_FOUND, "NotFound"));
}

#[tokio::test]
async fn a_running_vcd_task_blocks_snapshot_methods() {
    let (s, vi) = start(SimOptions {
        task_seconds: 60.0,
        ..opts(VcenterVersion::V8_0, 0.0)
    })
    .await;
    let (vm, name) = pick(&world(), false, Power::On);
    let c = login(&s.vcd_url, vnav::sim::DEMO_USER).await;
    let rec = c
        .doc(&format!("/api/query?type=vm&filter=name=={name}"))
        .await;
    let href = attr(tags(&rec, "VMRecord")[0], "href").unwrap();
    let (st, _) = c.post(&format!("{href}/power/action/powerOff"), "").await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let r = vi
        .post(
            &format!("/VirtualMachine/{vm}/CreateSnapshot_Task"),
            json!({"name": "blocked", "memory": false, "quiesce": false}),
        )
        .await;
    server_fault(&r, "TaskInProgress");
    assert_eq!(r.1["task"]["type"], "Task");
    assert_eq!(
        vi.read(&format!("/VirtualMachine/{vm}/snapshot")).await,
        Value::Null
    );
}
