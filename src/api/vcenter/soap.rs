//! The vim25 SOAP subset vnav needs for snapshots, which no vCenter REST API offers: log in
//! (session cookie), read a VM's snapshot tree, start snapshot tasks, read and cancel tasks.
//! Works against every vCenter and against VMware's own simulator, vcsim.

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Retry};
use crate::api::model::{TaskInfo, TaskState, TaskTarget};
use crate::api::vcd::xml::{self, Element};

/// One snapshot in a VM's tree, depth-first, with its depth for indentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub moid: String,
    pub name: String,
    pub description: String,
    pub created: String,
    pub powered_on: bool,
    pub quiesced: bool,
    pub depth: usize,
    pub current: bool,
}

pub struct Soap {
    url: String,
    user: String,
    password: SecretString,
    logged_in: Mutex<bool>,
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

fn moref(tag: &str, kind: &str, moid: &str) -> String {
    format!(r#"<{tag} type="{kind}">{}</{tag}>"#, esc(moid))
}

/// A `RetrievePropertiesEx` for some properties of objects of one type.
fn retrieve<S: AsRef<str>>(kind: &str, moids: &[S], paths: &[&str]) -> String {
    let paths: String = paths
        .iter()
        .map(|p| format!("<pathSet>{p}</pathSet>"))
        .collect();
    let objects: String = moids
        .iter()
        .map(|m| format!("<objectSet>{}</objectSet>", moref("obj", kind, m.as_ref())))
        .collect();
    format!(
        r#"<RetrievePropertiesEx xmlns="urn:vim25">{}<specSet><propSet><type>{kind}</type>{paths}</propSet>{objects}</specSet><options/></RetrievePropertiesEx>"#,
        moref("_this", "PropertyCollector", "propertyCollector"),
    )
}

/// Bytes a VM's snapshots hold, from its `layoutEx`: the snapshot data and memory files, plus
/// every delta disk (each disk chain after its base), which is what a snapshot grows into.
fn snapshot_bytes(layout: &Element) -> u64 {
    let mut size = std::collections::HashMap::new();
    let mut total = 0;
    for f in layout.children_named("file") {
        let bytes: u64 = f
            .child_text("size")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if matches!(
            f.child_text("type"),
            Some("snapshotData" | "snapshotMemory")
        ) {
            total += bytes;
        }
        if let Some(key) = f.child_text("key") {
            size.insert(key.to_string(), bytes);
        }
    }
    for disk in layout.children_named("disk") {
        for unit in disk.children_named("chain").skip(1) {
            for key in unit.children_named("fileKey") {
                total += size.get(key.text.as_str()).copied().unwrap_or(0);
            }
        }
    }
    total
}

/// The `val` of each returned property, by name.
fn property<'a>(response: &'a Element, name: &str) -> Option<&'a Element> {
    response
        .descendants("propSet")
        .into_iter()
        .find(|p| p.child_text("name") == Some(name))
        .and_then(|p| p.child("val"))
}

fn flatten(list: &Element, depth: usize, current: Option<&str>, out: &mut Vec<Snapshot>) {
    for node in list
        .children
        .iter()
        .filter(|c| matches!(&*c.name, "rootSnapshotList" | "childSnapshotList"))
    {
        let moid = node.child_text("snapshot").unwrap_or("").to_string();
        out.push(Snapshot {
            current: current == Some(moid.as_str()),
            moid,
            name: node.child_text("name").unwrap_or("").to_string(),
            description: node.child_text("description").unwrap_or("").to_string(),
            created: node.child_text("createTime").unwrap_or("").to_string(),
            powered_on: node.child_text("state") == Some("poweredOn"),
            quiesced: node.child_text("quiesced") == Some("true"),
            depth,
        });
        flatten(node, depth + 1, current, out);
    }
}

impl Soap {
    pub fn new(base: &str, user: &str, password: SecretString) -> Soap {
        Soap {
            url: format!("{base}/sdk"),
            user: user.to_string(),
            password,
            logged_in: Mutex::new(false),
        }
    }

    async fn post(&self, http: &Http, body: &str, retry: Retry) -> ApiResult<Element> {
        let req = http
            .request(Method::POST, &self.url)
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", "urn:vim25/7.0")
            .body(envelope(body))
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = http.send(req, retry).await?;
        let root = xml::parse(&resp.body)?;
        let body = root
            .child("Body")
            .ok_or_else(|| ApiError::parse("SOAP answer without a Body"))?;
        if let Some(fault) = body.child("Fault") {
            let kind = fault
                .child("detail")
                .and_then(|d| d.children.first())
                .map(|f| f.name.trim_end_matches("Fault").to_string());
            return Err(ApiError::Server {
                status: resp.status,
                code: kind,
                message: fault
                    .child_text("faultstring")
                    .unwrap_or("SOAP fault")
                    .to_string(),
            });
        }
        body.children
            .first()
            .cloned()
            .ok_or_else(|| ApiError::parse("empty SOAP Body"))
    }

    async fn login(&self, http: &Http) -> ApiResult<()> {
        let content = self
            .post(
                http,
                &format!(
                    r#"<RetrieveServiceContent xmlns="urn:vim25">{}</RetrieveServiceContent>"#,
                    moref("_this", "ServiceInstance", "ServiceInstance")
                ),
                Retry::Idempotent,
            )
            .await?;
        let manager = content
            .descendants("sessionManager")
            .first()
            .map(|e| e.text.clone())
            .unwrap_or_else(|| "SessionManager".into());
        let login = format!(
            r#"<Login xmlns="urn:vim25">{}<userName>{}</userName><password>{}</password></Login>"#,
            moref("_this", "SessionManager", &manager),
            esc(&self.user),
            esc(self.password.expose_secret())
        );
        match self.post(http, &login, Retry::Idempotent).await {
            Err(ApiError::Server { message, .. }) => Err(ApiError::Auth(format!(
                "vim25 login refused for {}: {message}",
                self.user
            ))),
            other => other.map(|_| ()),
        }
    }

    /// Sends a call in a logged-in session, logging in first or again when the server asks.
    async fn call(&self, http: &Http, body: &str, retry: Retry) -> ApiResult<Element> {
        {
            let mut logged_in = self.logged_in.lock().await;
            if !*logged_in {
                self.login(http).await?;
                *logged_in = true;
            }
        }
        match self.post(http, body, retry).await {
            Err(ApiError::Server { code: Some(c), .. }) if c == "NotAuthenticated" => {
                self.login(http).await?;
                self.post(http, body, retry).await
            }
            other => other,
        }
    }

    pub async fn snapshots(&self, http: &Http, vm: &str) -> ApiResult<Vec<Snapshot>> {
        let body = retrieve("VirtualMachine", &[vm], &["snapshot"]);
        let resp = self.call(http, &body, Retry::Idempotent).await?;
        let mut out = Vec::new();
        // A VM without snapshots has no `snapshot` property at all.
        if let Some(info) = property(&resp, "snapshot") {
            let current = info.child_text("currentSnapshot");
            flatten(info, 0, current, &mut out);
        }
        Ok(out)
    }

    /// For many VMs at once: `(vm moid, snapshot count, oldest creation time)` of those that
    /// have snapshots. One property read per call, for all the VMs given.
    pub async fn snapshot_counts(
        &self,
        http: &Http,
        vms: &[String],
    ) -> ApiResult<Vec<(String, usize, String)>> {
        let body = retrieve("VirtualMachine", vms, &["snapshot"]);
        let resp = self.call(http, &body, Retry::Idempotent).await?;
        let mut out = Vec::new();
        for object in resp.descendants("objects") {
            let (Some(vm), Some(info)) = (object.child_text("obj"), property(object, "snapshot"))
            else {
                continue;
            };
            let mut list = Vec::new();
            flatten(info, 0, None, &mut list);
            if let Some(oldest) = list.iter().map(|s| s.created.clone()).min() {
                out.push((vm.to_string(), list.len(), oldest));
            }
        }
        Ok(out)
    }

    /// For many VMs at once: `(vm moid, bytes their snapshots hold)`.
    pub async fn snapshot_sizes<S: AsRef<str>>(
        &self,
        http: &Http,
        vms: &[S],
    ) -> ApiResult<Vec<(String, u64)>> {
        let body = retrieve("VirtualMachine", vms, &["layoutEx"]);
        let resp = self.call(http, &body, Retry::Idempotent).await?;
        Ok(resp
            .descendants("objects")
            .into_iter()
            .filter_map(|o| {
                let vm = o.child_text("obj")?;
                Some((vm.to_string(), snapshot_bytes(property(o, "layoutEx")?)))
            })
            .collect())
    }

    /// Starts a `*_Task` method on an object and returns the task's moid.
    pub async fn start(
        &self,
        http: &Http,
        method: &str,
        this: (&str, &str),
        args: &str,
    ) -> ApiResult<String> {
        let body = format!(
            r#"<{method} xmlns="urn:vim25">{}{args}</{method}>"#,
            moref("_this", this.0, this.1)
        );
        let resp = self.call(http, &body, Retry::Never).await?;
        resp.child_text("returnval")
            .map(str::to_string)
            .ok_or_else(|| ApiError::parse(format!("{method} answered without a task")))
    }

    pub async fn task(
        &self,
        http: &Http,
        task: &str,
        target: Option<TaskTarget>,
    ) -> ApiResult<TaskInfo> {
        let resp = self
            .call(
                http,
                &retrieve("Task", &[task], &["info"]),
                Retry::Idempotent,
            )
            .await?;
        let info = property(&resp, "info").ok_or_else(|| ApiError::parse("task without info"))?;
        let state = match info.child_text("state") {
            Some("queued") => TaskState::Queued,
            Some("running") => TaskState::Running,
            Some("success") => TaskState::Success,
            Some("error") => TaskState::Error,
            _ => TaskState::Running,
        };
        let timestamp = |k: &str| {
            info.child_text(k).and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
        };
        Ok(TaskInfo {
            id: format!("vim:{task}").into(),
            operation: info
                .child_text("descriptionId")
                .unwrap_or("vim task")
                .to_string(),
            target,
            state,
            progress: match state {
                TaskState::Success => Some(100),
                _ => info.child_text("progress").and_then(|p| p.parse().ok()),
            },
            started: timestamp("startTime").or(timestamp("queueTime")),
            finished: timestamp("completeTime"),
            error: info.child("error").map(|e| {
                e.child_text("localizedMessage")
                    .unwrap_or("the task failed")
                    .to_string()
            }),
            cancel: (info.child_text("cancelable") == Some("true") && !state.is_terminal())
                .then(|| format!("vim:{task}").into()),
        })
    }

    pub async fn cancel(&self, http: &Http, task: &str) -> ApiResult<()> {
        let body = format!(
            r#"<CancelTask xmlns="urn:vim25">{}</CancelTask>"#,
            moref("_this", "Task", task)
        );
        self.call(http, &body, Retry::Never).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_a_snapshot_tree_depth_first() {
        let doc = xml::parse(
            br#"<RetrievePropertiesExResponse><returnval><objects><propSet><name>snapshot</name>
            <val><currentSnapshot type="VirtualMachineSnapshot">snapshot-2</currentSnapshot>
            <rootSnapshotList><snapshot type="VirtualMachineSnapshot">snapshot-1</snapshot><name>base</name>
              <createTime>2026-01-01T00:00:00Z</createTime><state>poweredOff</state><quiesced>false</quiesced>
              <childSnapshotList><snapshot type="VirtualMachineSnapshot">snapshot-2</snapshot><name>child</name>
              <state>poweredOn</state><quiesced>true</quiesced></childSnapshotList>
            </rootSnapshotList></val></propSet></objects></returnval></RetrievePropertiesExResponse>"#,
        )
        .unwrap();
        let info = property(&doc, "snapshot").unwrap();
        let mut out = Vec::new();
        flatten(info, 0, info.child_text("currentSnapshot"), &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(
            (out[0].name.as_str(), out[0].depth, out[0].current),
            ("base", 0, false)
        );
        assert_eq!(
            (out[1].name.as_str(), out[1].depth, out[1].current),
            ("child", 1, true)
        );
        assert!(out[1].powered_on && out[1].quiesced);
    }

    #[test]
    fn snapshot_size_counts_snapshot_files_and_delta_disks_not_the_base() {
        let layout = xml::parse(
            br#"<val><file><key>0</key><name>[ds] a/a.vmx</name><type>config</type><size>3000</size></file>
            <file><key>1</key><name>[ds] a/a.vmdk</name><type>diskDescriptor</type><size>500</size></file>
            <file><key>2</key><name>[ds] a/a-flat.vmdk</name><type>diskExtent</type><size>40000000000</size></file>
            <file><key>3</key><name>[ds] a/a.vmsd</name><type>snapshotList</type><size>400</size></file>
            <file><key>4</key><name>[ds] a/a-Snapshot1.vmsn</name><type>snapshotData</type><size>30000</size></file>
            <file><key>5</key><name>[ds] a/a-Snapshot1.vmem</name><type>snapshotMemory</type><size>4000000</size></file>
            <file><key>6</key><name>[ds] a/a-000001.vmdk</name><type>diskDescriptor</type><size>500</size></file>
            <file><key>7</key><name>[ds] a/a-000001-delta.vmdk</name><type>diskExtent</type><size>700000</size></file>
            <file><key>8</key><name>[ds] a/vmware.log</name><type>log</type><size>90000</size></file>
            <disk><key>2000</key><chain><fileKey>1</fileKey><fileKey>2</fileKey></chain>
              <chain><fileKey>6</fileKey><fileKey>7</fileKey></chain></disk>
            <snapshot><key type="VirtualMachineSnapshot">snapshot-1</key><dataKey>4</dataKey><memoryKey>5</memoryKey></snapshot>
            </val>"#,
        )
        .unwrap();
        assert_eq!(snapshot_bytes(&layout), 30_000 + 4_000_000 + 500 + 700_000);
    }
}
