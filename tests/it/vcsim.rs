//! vnav's vCenter client against a peer it did not write: VMware's own simulator, vcsim (built
//! from Debian's govmomi by tests/vcsim/build.sh, which `.ci/run` runs). vcsim 0.24 serves the
//! `/rest` session and vim25 SOAP, so this proves the dialect fallback, the SOAP login and the
//! whole snapshot cycle as vim Tasks, then those tasks read back as recent (`TaskManager.
//! recentTask`). Skipped with a notice when the binary is missing, except
//! under CI.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use vnav::api::http::HttpOptions;
use vnav::api::model::{ActionId, ActionOffer, ActionParams, Node, NodeKind, TaskState};
use vnav::api::vcenter::VcenterBackend;
use vnav::api::{Backend, ChildSink};

use crate::backends;

pub(crate) struct Vcsim {
    child: Child,
    pub(crate) url: String,
    pub(crate) user: String,
    pub(crate) password: String,
}

impl Drop for Vcsim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start() -> Option<Vcsim> {
    let bin = concat!(env!("CARGO_MANIFEST_DIR"), "/target/vcsim/vcsim-vnav");
    if !std::path::Path::new(bin).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{bin} is missing under CI: .ci/run must run tests/vcsim/build.sh"
        );
        eprintln!("NOTICE: {bin} not built (bash tests/vcsim/build.sh); skipping the vcsim test");
        return None;
    }
    let child = Command::new(bin)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("vcsim starts");
    // Owned from here on, so it is killed and reaped on every path.
    let mut sim = Vcsim {
        child,
        url: String::new(),
        user: String::new(),
        password: String::new(),
    };
    let mut lines = BufReader::new(sim.child.stdout.take().unwrap()).lines();
    sim.url = lines.next()?.ok()?.strip_prefix("vcsim ")?.to_string();
    let creds = lines.next()?.ok()?;
    let mut parts = creds.split_whitespace().skip(1);
    sim.user = parts.next()?.to_string();
    sim.password = parts.next()?.to_string();
    Some(sim)
}

/// The moid of vcsim's first VM, found the vim25 way.
pub(crate) async fn first_vm(sim: &Vcsim) -> String {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let call = |body: String| {
        let client = client.clone();
        let url = format!("{}/sdk", sim.url);
        async move {
            let envelope = format!(
                r#"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
            );
            client
                .post(url)
                .header("content-type", "text/xml")
                .body(envelope)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    call(format!(
        r#"<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>{}</userName><password>{}</password></Login>"#,
        sim.user, sim.password
    ))
    .await;
    let found = call(r#"<FindByInventoryPath xmlns="urn:vim25"><_this type="SearchIndex">SearchIndex</_this><inventoryPath>DC0/vm/DC0_H0_VM0</inventoryPath></FindByInventoryPath>"#.into()).await;
    let start = found
        .find(r#"type="VirtualMachine">"#)
        .expect("vcsim has DC0_H0_VM0")
        + 22;
    found[start..].split('<').next().unwrap().to_string()
}

async fn snapshots(b: &VcenterBackend, vm: &Node) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(vm, &sink).await.unwrap();
    got.take()
}

pub(crate) async fn run(b: &VcenterBackend, node: &Node, id: ActionId, params: ActionParams) {
    let offer = ActionOffer::new(id, node.id.clone());
    let mut task = b.invoke(node, &offer, &params).await.unwrap();
    for _ in 0..100 {
        if task.state.is_terminal() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        task = b.poll_task(&task).await.unwrap();
    }
    assert_eq!(task.state, TaskState::Success, "{id:?}: {task:?}");
}

#[tokio::test]
async fn snapshots_through_vim25_against_vmware_vcsim() {
    let Some(sim) = start() else { return };
    let b = backends::vcenter(&sim.url, &sim.user, &sim.password, HttpOptions::default());
    // vcsim 0.24 has no /api: the client must settle on /rest.
    assert_eq!(b.connect().await.unwrap().api_version, "/rest");
    let moid = first_vm(&sim).await;
    let vm = Node::new(NodeKind::Vm, format!("vm/{moid}"), "DC0_H0_VM0");
    assert!(snapshots(&b, &vm).await.is_empty());

    for name in ["first", "second"] {
        let params = ActionParams::Snapshot {
            name: name.into(),
            description: "vnav vs vcsim".into(),
            memory: false,
            quiesce: false,
        };
        run(&b, &vm, ActionId::SnapshotCreate, params).await;
    }
    let list = snapshots(&b, &vm).await;
    let names: Vec<&str> = list.iter().map(|n| &*n.name).collect();
    assert_eq!(names, ["first", "· second"]);
    // The size comes from vcsim's own file layout of the VM, which lists the .vmsn of each
    // snapshot; vcsim writes its files empty, so they add up to 0 bytes.
    assert_eq!(b.snapshot_size(&vm).await.unwrap(), Some(0));
    assert_eq!(list[1].status.label, "current");

    run(&b, &list[0], ActionId::SnapshotRevert, ActionParams::None).await;
    assert_eq!(snapshots(&b, &vm).await[0].status.label, "current");
    run(&b, &list[1], ActionId::SnapshotRemove, ActionParams::None).await;
    assert_eq!(snapshots(&b, &vm).await.len(), 1);
    // A new one hangs off "first" (current since the revert); removing "first" with its
    // children leaves none.
    let third = ActionParams::Snapshot {
        name: "third".into(),
        description: String::new(),
        memory: false,
        quiesce: false,
    };
    run(&b, &vm, ActionId::SnapshotCreate, third.clone()).await;
    let list = snapshots(&b, &vm).await;
    assert_eq!(list.len(), 2);
    run(
        &b,
        &list[0],
        ActionId::SnapshotRemoveTree,
        ActionParams::None,
    )
    .await;
    assert!(snapshots(&b, &vm).await.is_empty());
    run(&b, &vm, ActionId::SnapshotCreate, third).await;
    run(&b, &vm, ActionId::SnapshotRemoveAll, ActionParams::None).await;
    assert!(snapshots(&b, &vm).await.is_empty());

    // vcsim's TaskManager lists those tasks as recent, newest first, on the VM.
    let recent = b.recent_tasks().await.unwrap();
    let ops: Vec<&str> = recent.iter().map(|t| t.operation.as_str()).collect();
    assert!(ops.contains(&"Create snapshot"), "{recent:?}");
    assert_eq!(ops.first(), Some(&"Remove all snapshots"), "{recent:?}");
    let target = recent[0].target.as_ref().expect("the task names its VM");
    assert_eq!((target.kind, &*target.id), (NodeKind::Vm, &*vm.id.as_str()));
    assert!(recent.iter().all(|t| t.id.starts_with("vim:")));
    b.logout().await;
}
