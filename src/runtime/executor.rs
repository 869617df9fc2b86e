//! Runs the app's effects as tokio tasks against the backends and sends every answer back into
//! the event channel, tagged with the request it answers. Polls are bounded per endpoint on top
//! of each endpoint's own HTTP concurrency limit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, mpsc};
use tokio::task::{AbortHandle, JoinSet};

use crate::api::{Backend, ChildSink, HealthSink, SprawlSink};
use crate::app::event::{ApiAnswer, ApiEvent, Effect, Event, ReqId};
use crate::audit::AuditLog;

/// Task polls in flight per endpoint.
const POLLS_PER_ENDPOINT: usize = 4;

/// Builds an endpoint's client again with a new password (after a refused login). Given by
/// whoever made the backends, since only it knows the endpoint's settings.
pub type Reopen =
    Arc<dyn Fn(secrecy::SecretString) -> Result<Arc<dyn Backend>, String> + Send + Sync>;

/// A config context opened while vnav runs (`:ctx NAME`): what the app is told, the client,
/// where its password came from (None: none given, the app asks), and how to rebuild the
/// client with a typed password.
pub struct OpenedContext {
    pub spec: crate::app::EndpointSpec,
    pub backend: Arc<dyn Backend>,
    pub source: Option<crate::config::PasswordSource>,
    pub reopen: Option<Reopen>,
}

/// Opens a config context by name. Given by whoever read the config (`main.rs`,
/// `cli::open_context`).
pub type Opener = Arc<dyn Fn(&str) -> Result<OpenedContext, String> + Send + Sync>;

/// What the loop should do after an effect.
#[derive(Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Suspend,
    Quit,
    /// Put this text on the clipboard: the terminal's owner writes it (OSC 52).
    Copy(String),
}

pub struct Executor {
    backends: Vec<Arc<dyn Backend>>,
    polls: Vec<Arc<Semaphore>>,
    tx: mpsc::UnboundedSender<Event>,
    audit: Option<AuditLog>,
    reopen: Vec<Option<Reopen>>,
    opener: Option<Opener>,
    /// Contexts `open_context` built, by name, until the app has them put in place.
    built: Arc<Mutex<HashMap<String, Result<OpenedContext, String>>>>,
    jobs: JoinSet<()>,
    /// Reads the app may abandon, by the request they answer.
    reads: HashMap<ReqId, AbortHandle>,
}

impl Executor {
    pub fn new(
        backends: Vec<Arc<dyn Backend>>,
        tx: mpsc::UnboundedSender<Event>,
        audit: Option<AuditLog>,
    ) -> Self {
        let polls = backends
            .iter()
            .map(|_| Arc::new(Semaphore::new(POLLS_PER_ENDPOINT)))
            .collect();
        Executor {
            backends,
            polls,
            tx,
            audit,
            reopen: Vec::new(),
            opener: None,
            built: Arc::default(),
            jobs: JoinSet::new(),
            reads: HashMap::new(),
        }
    }

    /// How to rebuild each endpoint's client with a new password (by endpoint index).
    pub fn with_reopen(mut self, reopen: Vec<Option<Reopen>>) -> Self {
        self.reopen = reopen;
        self
    }

    /// How to open a config context not opened at start (`:ctx NAME`).
    pub fn with_opener(mut self, opener: Option<Opener>) -> Self {
        self.set_opener(opener);
        self
    }

    pub fn set_opener(&mut self, opener: Option<Opener>) {
        self.opener = opener;
    }

    /// Builds a context's client on a blocking thread: its `password_command` may take seconds
    /// (a pinentry, a security key) or hang until its timeout, and the UI goes on meanwhile.
    /// When it is built the app hears `Event::ContextReady` and asks for it to be put in place
    /// (`install_context`), so endpoints are numbered here, in the order the app sees them.
    fn open_context(&mut self, name: String) {
        let Some(open) = self.opener.clone() else {
            let _ = self.tx.send(Event::ContextOpened {
                endpoint: self.backends.len(),
                result: Err(format!("context {name}: this vnav cannot open contexts")),
                name,
            });
            return;
        };
        let (built, tx) = (self.built.clone(), self.tx.clone());
        self.jobs.spawn(async move {
            let n = name.clone();
            let result = tokio::task::spawn_blocking(move || open(&n))
                .await
                .unwrap_or_else(|e| Err(format!("context {name}: could not be opened ({e})")));
            built
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(name.clone(), result);
            let _ = tx.send(Event::ContextReady { name });
        });
    }

    /// Puts a context `open_context` built in place as the next endpoint, before the app hears
    /// of it (`Event::ContextOpened`), so the endpoint's first request finds its client.
    fn install_context(&mut self, name: String) {
        let Some(result) = self
            .built
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&name)
        else {
            return;
        };
        let endpoint = self.backends.len();
        let result = result.map(|o| {
            self.backends.push(o.backend);
            self.polls
                .push(Arc::new(Semaphore::new(POLLS_PER_ENDPOINT)));
            self.reopen.resize_with(endpoint, || None);
            self.reopen.push(o.reopen);
            (o.spec, o.source)
        });
        let _ = self.tx.send(Event::ContextOpened {
            name,
            endpoint,
            result,
        });
    }

    /// Jobs still running (for tests and a clean shutdown).
    pub fn in_flight(&self) -> usize {
        self.jobs.len()
    }

    pub fn run(&mut self, effect: Effect) -> Control {
        while self.jobs.try_join_next().is_some() {}
        self.reads.retain(|_, h| !h.is_finished());
        let tx = self.tx.clone();
        let send = move |req, endpoint, result| {
            let _ = tx.send(Event::Api(ApiEvent {
                req,
                endpoint,
                result,
            }));
        };
        // Where a listing's pages go: each batch as it arrives, to the request that asked.
        let pages = |req, endpoint| {
            let send = send.clone();
            ChildSink::new(move |batch| send(req, endpoint, ApiAnswer::Children(batch)))
        };
        match effect {
            Effect::Quit => return Control::Quit,
            Effect::Copy(text) => return Control::Copy(text),
            Effect::WriteState { path, text } => {
                // Small and local: written at once, through a temporary file so a crash never
                // leaves half a file.
                let tmp = path.with_extension("tmp");
                let written = path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|_| std::fs::write(&tmp, text))
                    .and_then(|_| std::fs::rename(&tmp, &path));
                if let Err(e) = written {
                    tracing::warn!(target: "vnav::runtime", path = %path.display(), error = %e,
                        "state file not written");
                }
            }
            Effect::OpenContext { name } => self.open_context(name),
            Effect::InstallContext { name } => self.install_context(name),
            Effect::LoadTheme { name, dir } => {
                // A small local file, read at once like the state files.
                let result = crate::theme::Theme::load(&name, Some(&dir));
                let _ = self.tx.send(Event::ThemeLoaded { name, result });
            }
            Effect::ListThemes { dir } => {
                let names = crate::theme::user_names(&dir);
                let _ = self.tx.send(Event::ThemesListed { names });
            }
            Effect::SortOrder { req, job } => {
                let tx = self.tx.clone();
                self.jobs.spawn(async move {
                    let built = tokio::task::spawn_blocking(move || job.run()).await;
                    let built = built.ok().flatten();
                    let _ = tx.send(Event::SortBuilt { req, built });
                });
            }
            Effect::Suspend => return Control::Suspend,
            Effect::Connect { req, endpoint } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    send(req, endpoint, ApiAnswer::Connected(b.connect().await));
                });
            }
            Effect::Children {
                req,
                endpoint,
                node,
            } => {
                let b = self.backends[endpoint].clone();
                let sink = pages(req, endpoint);
                self.read(req, async move {
                    let result = b.children(&node, &sink).await;
                    send(req, endpoint, ApiAnswer::ChildrenDone(result));
                });
            }
            Effect::Details {
                req,
                endpoint,
                node,
            } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    send(
                        req,
                        endpoint,
                        ApiAnswer::Details(Box::new(b.details(&node).await)),
                    );
                });
            }
            Effect::Invoke {
                req,
                endpoint,
                node,
                action,
                params,
            } => {
                let b = self.backends[endpoint].clone();
                let audit = self.audit.clone();
                self.jobs.spawn(async move {
                    // No audit trail, no action.
                    if let Some(log) = &audit
                        && let Err(e) = log.check_writable()
                    {
                        send(req, endpoint, ApiAnswer::AuditFailed(e));
                        return;
                    }
                    let result = b.invoke(&node, &action, &params).await;
                    send(req, endpoint, ApiAnswer::Invoked(result));
                });
            }
            Effect::PollTask {
                req,
                endpoint,
                task,
                delay,
            } => {
                let b = self.backends[endpoint].clone();
                let permits = self.polls[endpoint].clone();
                self.jobs.spawn(async move {
                    tokio::time::sleep(delay).await;
                    let Ok(_permit) = permits.acquire().await else {
                        return;
                    };
                    send(
                        req,
                        endpoint,
                        ApiAnswer::TaskPolled(b.poll_task(&task).await),
                    );
                });
            }
            Effect::CancelTask {
                req,
                endpoint,
                task,
            } => {
                let b = self.backends[endpoint].clone();
                self.jobs.spawn(async move {
                    send(
                        req,
                        endpoint,
                        ApiAnswer::Cancelled(b.cancel_task(&task).await),
                    );
                });
            }
            Effect::RecentTasks { req, endpoint } => {
                let b = self.backends[endpoint].clone();
                self.jobs.spawn(async move {
                    send(
                        req,
                        endpoint,
                        ApiAnswer::RecentTasks(b.recent_tasks().await),
                    );
                });
            }
            Effect::ListKind {
                req,
                endpoint,
                kind,
            } => {
                let b = self.backends[endpoint].clone();
                let sink = pages(req, endpoint);
                self.read(req, async move {
                    let result = b.list_kind(kind, &sink).await;
                    send(req, endpoint, ApiAnswer::ChildrenDone(result));
                });
            }
            Effect::Find {
                req,
                endpoint,
                text,
            } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    send(req, endpoint, ApiAnswer::Found(b.find(&text).await));
                });
            }
            Effect::Ancestors {
                req,
                endpoint,
                node,
            } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    send(
                        req,
                        endpoint,
                        ApiAnswer::Ancestors(b.ancestors(&node).await),
                    );
                });
            }
            Effect::Sprawl {
                req,
                endpoint,
                vcenters,
            } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    let update_send = send.clone();
                    let sink = SprawlSink::new(move |update| {
                        update_send(req, endpoint, ApiAnswer::SprawlUpdate(update))
                    })
                    .sized_elsewhere(vcenters);
                    let rows = b.snapshot_sprawl(&sink).await;
                    send(req, endpoint, ApiAnswer::Sprawl(rows));
                });
            }
            Effect::SnapshotSizes { req, endpoint, vms } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    let answer = b.snapshot_sizes(&vms).await;
                    send(req, endpoint, ApiAnswer::SnapshotSizes(answer));
                });
            }
            Effect::VmInsight {
                req,
                endpoint,
                vms,
                day,
            } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    let answer = b.vm_insight(&vms, day).await;
                    send(req, endpoint, ApiAnswer::VmInsight(answer));
                });
            }
            Effect::VmHealth { req, endpoint, vms } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    let part = send.clone();
                    let sink =
                        HealthSink::new(move |dots| part(req, endpoint, ApiAnswer::VmHealth(dots)));
                    let done = b.vm_health(&vms, &sink).await;
                    send(req, endpoint, ApiAnswer::VmHealthDone(done));
                });
            }
            Effect::VmBackings {
                req,
                endpoint,
                within,
            } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    let answer = b.vm_backings(within.as_ref()).await;
                    send(req, endpoint, ApiAnswer::VmBackings(answer));
                });
            }
            Effect::VmKey {
                req,
                endpoint,
                node,
            } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    send(req, endpoint, ApiAnswer::VmKey(b.vm_key(&node).await));
                });
            }
            Effect::Events {
                req,
                endpoint,
                node,
            } => {
                let b = self.backends[endpoint].clone();
                self.read(req, async move {
                    send(req, endpoint, ApiAnswer::Events(b.events(&node).await));
                });
            }
            Effect::Abandon { req } => {
                // Dropping the job's future drops its requests in flight and sends no more.
                if let Some(job) = self.reads.remove(&req) {
                    job.abort();
                }
            }
            Effect::SetPassword { endpoint, password } => {
                match self.reopen.get(endpoint).and_then(Option::as_ref) {
                    Some(reopen) => match reopen(password) {
                        Ok(backend) => self.backends[endpoint] = backend,
                        // The settings were accepted at start, so this is not expected; the
                        // reconnect that follows then shows the refused login again.
                        Err(e) => tracing::warn!(target: "vnav::runtime", endpoint, error = %e,
                            "cannot rebuild the client with the new password"),
                    },
                    None => tracing::warn!(target: "vnav::runtime", endpoint,
                        "no way to change this endpoint's password"),
                }
            }
            Effect::Audit(mut record) => {
                record.timestamp = time::OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_else(|_| "unknown".into());
                // Written synchronously: a local append is quick, and a line must not be lost
                // to a quit that aborts background jobs.
                if let Some(log) = &self.audit
                    && let Err(error) = log.append(&record)
                {
                    let _ = self.tx.send(Event::AuditNotWritten { record, error });
                }
            }
        }
        Control::Continue
    }

    /// Logs out of every endpoint (bounded in time) and stops whatever still runs.
    /// Spawns a read whose answer is only wanted until `Effect::Abandon` names its request.
    fn read(&mut self, req: ReqId, job: impl Future<Output = ()> + Send + 'static) {
        let handle = self.jobs.spawn(job);
        self.reads.insert(req, handle);
    }

    pub async fn shutdown(mut self) {
        self.jobs.abort_all();
        let logouts = self.backends.iter().map(|b| b.logout());
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            futures::future::join_all(logouts),
        )
        .await;
    }
}
