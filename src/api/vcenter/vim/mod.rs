//! The vim API, which carries what no vCenter REST API does: VM snapshots and their tasks, and
//! the recent tasks of every user (`TaskManager.recentTask`).
//! Spoken as VI/JSON where the server offers it (vCenter 8.0U1 and later), else as SOAP at
//! `/sdk` (every vCenter, and VMware's own vcsim). Which one is found out once per endpoint;
//! everything above the two transports is written once.

mod data;
mod json;
mod soap;
mod typed;

use async_trait::async_trait;
use secrecy::SecretString;
use tokio::sync::OnceCell;

pub use self::data::Snapshot;
use self::data::{
    Data, moids, snapshot_bytes, snapshot_count, snapshot_tree, task_info, task_target,
};
use crate::api::error::{ApiError, ApiResult};
use crate::api::http::Http;
use crate::api::model::{TaskInfo, TaskTarget};

/// A method that starts a vim Task.
#[derive(Clone, Copy, Debug)]
pub enum Call<'a> {
    CreateSnapshot {
        vm: &'a str,
        name: &'a str,
        description: &'a str,
        memory: bool,
        quiesce: bool,
    },
    RevertToCurrent {
        vm: &'a str,
    },
    RevertTo {
        snapshot: &'a str,
    },
    Remove {
        snapshot: &'a str,
        children: bool,
    },
    RemoveAll {
        vm: &'a str,
    },
}

impl Call<'_> {
    pub fn method(&self) -> &'static str {
        match self {
            Call::CreateSnapshot { .. } => "CreateSnapshot_Task",
            Call::RevertToCurrent { .. } => "RevertToCurrentSnapshot_Task",
            Call::RevertTo { .. } => "RevertToSnapshot_Task",
            Call::Remove { .. } => "RemoveSnapshot_Task",
            Call::RemoveAll { .. } => "RemoveAllSnapshots_Task",
        }
    }

    /// The managed object the method is called on: (type, moid).
    pub fn this(&self) -> (&'static str, &str) {
        match *self {
            Call::CreateSnapshot { vm, .. }
            | Call::RevertToCurrent { vm }
            | Call::RemoveAll { vm } => ("VirtualMachine", vm),
            Call::RevertTo { snapshot } | Call::Remove { snapshot, .. } => {
                ("VirtualMachineSnapshot", snapshot)
            }
        }
    }
}

/// One object's properties out of a property read.
pub struct Object<D> {
    pub moid: String,
    pub props: Vec<(String, D)>,
}

impl<D> Object<D> {
    fn prop(&self, name: &str) -> Option<&D> {
        self.props.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// What a bulk read keeps of one object: its moid and what was made of its one property
/// (None when the object has it unset).
pub struct Kept<T> {
    pub moid: String,
    pub value: Option<T>,
}

/// A VM's snapshot count and its oldest snapshot's creation time; None for an empty tree.
pub type Count = Option<(usize, String)>;

/// An object read off a page, known by its moid (to ask again for those not received).
pub trait Read {
    fn moid(&self) -> &str;
}

impl<D> Read for Object<D> {
    fn moid(&self) -> &str {
        &self.moid
    }
}

impl<T> Read for Kept<T> {
    fn moid(&self) -> &str {
        &self.moid
    }
}

/// One answer of a paged property read: what was read of its objects, and the token of the
/// next page when more remain.
pub struct Page<T> {
    pub objects: Vec<T>,
    pub token: Option<String>,
}

impl<D> Page<Object<D>> {
    /// Each object's property `path` made into what a bulk read keeps.
    fn keep<T>(self, path: &str, f: impl Fn(&D) -> T) -> Page<Kept<T>> {
        Page {
            objects: self
                .objects
                .into_iter()
                .map(|o| Kept {
                    value: o.prop(path).map(&f),
                    moid: o.moid,
                })
                .collect(),
            token: self.token,
        }
    }
}

/// The fault a continuation gets when its token is unknown: vSphere documents
/// `InvalidProperty` (VMware's vcsim answers it, naming `token`); some servers say
/// `InvalidArgument`.
fn lost_token(e: &ApiError) -> bool {
    matches!(e, ApiError::Server { code: Some(c), .. } if c == "InvalidProperty" || c == "InvalidArgument")
}

/// How a read turns a property read's answer into a page of what it keeps.
type Reader<A, T> = for<'a> fn(&'a A) -> ApiResult<Page<T>>;

/// What each wire protocol provides; each keeps its session in the shared session layer.
#[async_trait]
trait Transport: Send + Sync {
    type Data: Data + Send + Sync;
    /// A property read's answer as received, before it is read as a page.
    type Answer: Send;

    /// `RetrievePropertiesEx`: `paths` of each object (all of type `kind`), unset properties
    /// left out; the first page of them, as many as the server answers at once, read by
    /// `read` within the call (an answer `read` finds cut short is asked again).
    async fn retrieve_answer<T: Send>(
        &self,
        kind: &str,
        moids: &[&str],
        paths: &[&str],
        read: Reader<Self::Answer, T>,
    ) -> ApiResult<Page<T>>;

    /// `ContinueRetrievePropertiesEx`: the page after the one that gave `token`, read so.
    async fn continue_answer<T: Send>(
        &self,
        token: &str,
        read: Reader<Self::Answer, T>,
    ) -> ApiResult<Page<T>>;

    /// An answer's objects with every property read.
    fn page(answer: &Self::Answer) -> ApiResult<Page<Object<Self::Data>>>;

    /// An answer to a read of `layoutEx`: the bytes each VM's snapshots hold.
    fn layouts(answer: &Self::Answer) -> ApiResult<Page<Kept<u64>>> {
        Ok(Self::page(answer)?.keep("layoutEx", snapshot_bytes))
    }

    /// An answer to a read of `snapshot`: how many snapshots each VM has and the oldest's
    /// creation time (None for an empty tree).
    fn counts(answer: &Self::Answer) -> ApiResult<Page<Kept<Count>>> {
        Ok(Self::page(answer)?.keep("snapshot", snapshot_count))
    }

    /// `CancelRetrievePropertiesEx`: the server may drop the pages left behind `token`.
    async fn cancel_pages(&self, token: &str) -> ApiResult<()>;

    /// `paths` of each object (all of type `kind`); unset properties are left out. Every
    /// page of the answer: a vCenter answers a big read in pages (of 100 objects, or fewer),
    /// each but the last with a token for the next. Each page is a read the shared layer may
    /// repeat or hedge; as a token is good for one use only, a page whose token the server no
    /// longer knows (its first answer was lost, a hedged copy took it, the session was
    /// renewed) asks again for the objects not received yet. Failing halfway tells the
    /// server to drop the rest (an abandoned read just stops; its pages die with the session).
    async fn retrieve(
        &self,
        kind: &str,
        moids: &[&str],
        paths: &[&str],
    ) -> ApiResult<Vec<Object<Self::Data>>> {
        self.retrieve_with(kind, moids, paths, Self::page).await
    }

    /// `retrieve`, each page read by `read`: what the bulk reads keep of 100 VMs a page
    /// without building every property's data first.
    async fn retrieve_with<T: Read + Send>(
        &self,
        kind: &str,
        moids: &[&str],
        paths: &[&str],
        read: Reader<Self::Answer, T>,
    ) -> ApiResult<Vec<T>> {
        let mut objects: Vec<T> = Vec::new();
        let mut asked: Vec<&str> = moids.to_vec();
        loop {
            let before = objects.len();
            let first = self.retrieve_answer(kind, &asked, paths, read).await?;
            objects.extend(first.objects);
            let mut token = first.token;
            let lost = loop {
                let Some(t) = token else {
                    return Ok(objects);
                };
                match self.continue_answer(&t, read).await {
                    Ok(page) => {
                        objects.extend(page.objects);
                        token = page.token;
                    }
                    Err(e) if lost_token(&e) => break e,
                    Err(e) => {
                        // Best effort: the server forgets it with the session anyway.
                        let _ = self.cancel_pages(&t).await;
                        return Err(e);
                    }
                }
            };
            if objects.len() == before {
                return Err(ApiError::Server {
                    status: 500,
                    code: Some("InvalidProperty".into()),
                    message: format!(
                        "vCenter lost the rest of a paged property read \
                         (ContinueRetrievePropertiesEx: {lost})"
                    ),
                });
            }
            tracing::debug!(target: "vnav::vim", error = %lost, "a page's token was lost; asking for the rest again");
            let got: std::collections::HashSet<&str> = objects.iter().map(Read::moid).collect();
            asked.retain(|m| !got.contains(m));
            if asked.is_empty() {
                return Ok(objects);
            }
        }
    }

    /// Starts the method and returns its Task's moid. Never retried: it changes things.
    async fn start(&self, call: Call<'_>) -> ApiResult<String>;

    async fn cancel(&self, task: &str) -> ApiResult<()>;

    /// The moid of the TaskManager, as the service content names it.
    async fn task_manager(&self) -> ApiResult<String>;

    /// `EventManager.QueryEvents` filtered on one entity (itself, not its children): its
    /// latest `max` events. A read: the shared layer may repeat or hedge it.
    async fn query_events(&self, kind: &str, moid: &str, max: usize) -> ApiResult<Vec<Self::Data>>;

    async fn logout(&self);
}

/// The snapshot trees of these VMs, read as counts and oldest times.
async fn counts_of<T: Transport>(t: &T, vms: &[&str]) -> ApiResult<Vec<Kept<Count>>> {
    t.retrieve_with("VirtualMachine", vms, &["snapshot"], T::counts)
        .await
}

/// The file layouts of these VMs, read as the bytes their snapshots hold.
async fn layouts_of<T: Transport>(t: &T, vms: &[&str]) -> ApiResult<Vec<Kept<u64>>> {
    t.retrieve_with("VirtualMachine", vms, &["layoutEx"], T::layouts)
        .await
}

enum Chosen {
    Soap(soap::Soap),
    Json(json::Json),
}

pub struct Vim {
    base: String,
    user: String,
    password: SecretString,
    chosen: OnceCell<Chosen>,
}

/// Runs `$body` with `$t` bound to whichever transport the endpoint speaks.
macro_rules! with_transport {
    ($self:ident, $http:ident, |$t:ident| $body:expr) => {
        match $self.chosen($http).await? {
            Chosen::Soap($t) => $body,
            Chosen::Json($t) => $body,
        }
    };
}

impl Vim {
    pub fn new(base: &str, user: &str, password: SecretString) -> Vim {
        Vim {
            base: base.to_string(),
            user: user.to_string(),
            password,
            chosen: OnceCell::new(),
        }
    }

    /// VI/JSON if the server has it, else SOAP; asked once (a failed probe is asked again).
    async fn chosen(&self, http: &Http) -> ApiResult<&Chosen> {
        self.chosen
            .get_or_try_init(|| async {
                let (user, password) = (&self.user, self.password.clone());
                Ok(
                    match json::Json::probe(http, &self.base, user, password.clone()).await? {
                        Some(j) => Chosen::Json(j),
                        None => Chosen::Soap(soap::Soap::new(http, &self.base, user, password)),
                    },
                )
            })
            .await
    }

    /// The vCenter's instance UUID (Aria Operations' `VMEntityVCID`), when it says.
    pub async fn instance_uuid(&self, http: &Http) -> ApiResult<Option<String>> {
        match self.chosen(http).await? {
            Chosen::Soap(s) => s.instance_uuid(http).await,
            Chosen::Json(j) => Ok(j.instance_uuid()),
        }
    }

    /// "VI/JSON 8.0.2.0" or "SOAP vim25", for the details view.
    pub async fn protocol(&self, http: &Http) -> ApiResult<String> {
        Ok(match self.chosen(http).await? {
            Chosen::Soap(_) => "SOAP vim25".into(),
            Chosen::Json(j) => format!("VI/JSON {}", j.release()),
        })
    }

    /// A VM's snapshots, depth-first (none when it has none).
    pub async fn snapshots(&self, http: &Http, vm: &str) -> ApiResult<Vec<Snapshot>> {
        with_transport!(self, http, |t| {
            let objects = t.retrieve("VirtualMachine", &[vm], &["snapshot"]).await?;
            Ok(objects
                .first()
                .and_then(|o| o.prop("snapshot"))
                .map(snapshot_tree)
                .unwrap_or_default())
        })
    }

    /// For many VMs at once: `(vm moid, snapshot count, oldest creation time)` of those that
    /// have snapshots, in one property read.
    pub async fn snapshot_counts<S: AsRef<str> + Sync>(
        &self,
        http: &Http,
        vms: &[S],
    ) -> ApiResult<Vec<(String, usize, String)>> {
        let moids: Vec<&str> = vms.iter().map(AsRef::as_ref).collect();
        with_transport!(self, http, |t| {
            let objects = counts_of(t, &moids).await?;
            Ok(objects
                .into_iter()
                .filter_map(|o| {
                    let (count, oldest) = o.value.flatten()?;
                    Some((o.moid, count, oldest))
                })
                .collect())
        })
    }

    /// For many VMs at once: `(vm moid, bytes their snapshots hold)`.
    pub async fn snapshot_sizes<S: AsRef<str> + Sync>(
        &self,
        http: &Http,
        vms: &[S],
    ) -> ApiResult<Vec<(String, u64)>> {
        let moids: Vec<&str> = vms.iter().map(AsRef::as_ref).collect();
        with_transport!(self, http, |t| {
            let objects = layouts_of(t, &moids).await?;
            Ok(objects
                .into_iter()
                .filter_map(|o| Some((o.moid, o.value?)))
                .collect())
        })
    }

    /// Starts the method; the answer is its Task, read once.
    pub async fn start(
        &self,
        http: &Http,
        call: Call<'_>,
        target: TaskTarget,
    ) -> ApiResult<TaskInfo> {
        let task = with_transport!(self, http, |t| t.start(call).await?);
        self.task(http, &task, Some(target)).await
    }

    pub async fn task(
        &self,
        http: &Http,
        task: &str,
        target: Option<TaskTarget>,
    ) -> ApiResult<TaskInfo> {
        with_transport!(self, http, |t| {
            let objects = t.retrieve("Task", &[task], &["info"]).await?;
            let info = objects
                .first()
                .and_then(|o| o.prop("info"))
                .ok_or_else(|| {
                    crate::api::error::ApiError::parse(format!("task {task} has no info"))
                })?;
            Ok(task_info(info, task, target))
        })
    }

    /// The tasks vCenter lists as recent (running, or ended in the last minutes), whoever
    /// started them, newest first.
    pub async fn recent_tasks(&self, http: &Http) -> ApiResult<Vec<TaskInfo>> {
        with_transport!(self, http, |t| {
            let manager = t.task_manager().await?;
            // A task can leave the list between the two reads; the second then fails for
            // it, and reading the list again settles that.
            let mut tries = 0;
            loop {
                tries += 1;
                let objects = t
                    .retrieve("TaskManager", &[&manager], &["recentTask"])
                    .await?;
                let tasks = objects
                    .first()
                    .and_then(|o| o.prop("recentTask"))
                    .map(moids)
                    .unwrap_or_default();
                if tasks.is_empty() {
                    return Ok(Vec::new());
                }
                let refs: Vec<&str> = tasks.iter().map(String::as_str).collect();
                let objects = match t.retrieve("Task", &refs, &["info"]).await {
                    Err(ApiError::Server { code: Some(c), .. })
                        if tries < 2 && c == "ManagedObjectNotFound" =>
                    {
                        continue;
                    }
                    other => other?,
                };
                let mut out: Vec<TaskInfo> = objects
                    .iter()
                    .filter_map(|o| {
                        let info = o.prop("info")?;
                        Some(task_info(info, &o.moid, task_target(info)))
                    })
                    .collect();
                out.sort_by_key(|t| std::cmp::Reverse(t.started));
                return Ok(out);
            }
        })
    }

    pub async fn cancel(&self, http: &Http, task: &str) -> ApiResult<()> {
        with_transport!(self, http, |t| t.cancel(task).await)
    }

    /// Ends the vim session, if one was opened.
    pub async fn logout(&self) {
        match self.chosen.get() {
            Some(Chosen::Soap(t)) => t.logout().await,
            Some(Chosen::Json(t)) => t.logout().await,
            None => {}
        }
    }
}

// After `with_transport!`, which they use.
mod events;
mod usage;
pub use self::usage::{HostUsage, VmRuntime};
