//! The vCloud Director API server: shared state, the request pipeline (count, latency, version
//! check, authentication, task settling) and routing of `/api/*` and `/cloudapi/*` paths.

pub mod actions;
pub mod audit_trail;
pub mod auth;
pub mod entities;
pub mod errors;
pub mod extension;
pub mod fiql;
pub mod metadata;
pub mod query;
pub mod records;
pub mod resolver;
pub mod task_history;
pub mod tasks;
pub mod values;
pub mod values_catalog;
pub mod values_provider;
pub mod vim_server;
pub mod vm_doc;
pub mod xml;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use tokio::time::Instant;

use self::errors::{VcdError, VcdResult};
use super::SimOptions;
use super::faults::FaultState;
use super::world::{Entity, World, parse_uuid};

/// API versions the simulator advertises; legacy `/api/sessions` is gone from 38.0 on.
pub const VERSIONS: &[&str] = &[
    "5.5", "9.0", "30.0", "31.0", "32.0", "33.0", "34.0", "35.0", "36.0", "37.0", "38.0", "39.0",
];

/// A logged-in user: an org admin of `org`, or the system administrator when `org` is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct User {
    pub org: u32,
}

impl User {
    pub fn is_system(self) -> bool {
        self.org == 0
    }
}

pub struct Shared {
    pub base: String,
    /// The simulated vCenter's URL, which vCD names as its VimServer.
    pub vcenter_url: String,
    pub opts: SimOptions,
    pub world: RwLock<World>,
    pub tasks: Mutex<tasks::Tasks>,
    /// Token → user and login time (for `Faults::token_ttl_secs`).
    pub sessions: Mutex<HashMap<String, (User, Instant)>>,
    pub faults: Arc<FaultState>,
    pub cache: Mutex<query::Cache>,
    pub requests: AtomicU64,
    /// When the simulator started (wall clock): seeded past events lie before it.
    pub started: time::OffsetDateTime,
}

/// Lock helpers that survive a poisoned lock (a panicking handler must not wedge the server).
impl Shared {
    pub fn new(
        (base, vcenter_url): (String, String),
        opts: SimOptions,
        world: World,
        faults: Arc<FaultState>,
    ) -> Self {
        let tasks = tasks::Tasks::new(opts.seed);
        Shared {
            base,
            vcenter_url,
            opts,
            world: RwLock::new(world),
            tasks: Mutex::new(tasks),
            sessions: Mutex::new(HashMap::new()),
            cache: Mutex::new(query::Cache::default()),
            requests: AtomicU64::new(0),
            started: time::OffsetDateTime::now_utc(),
            faults,
        }
    }
    pub fn read(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|e| e.into_inner())
    }
    pub fn write(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().unwrap_or_else(|e| e.into_inner())
    }
    pub fn tasks(&self) -> MutexGuard<'_, tasks::Tasks> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn sessions(&self) -> MutexGuard<'_, HashMap<String, (User, Instant)>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The simulator's time (see `sim::clock`).
    pub fn now(&self) -> Instant {
        self.faults.clock.now()
    }

    /// Applies the effects of every task that finished by `now`, exactly once.
    /// Lock order is always world, then tasks.
    pub fn settle(&self, now: Instant) {
        if !self.tasks().has_due(now) {
            return;
        }
        let mut w = self.write();
        let mut t = self.tasks();
        t.settle(&mut w, now);
    }
}

/// Per-request context handed to every handler.
pub struct Ctx {
    pub version: String,
    pub user: User,
    pub now: Instant,
}

impl Ctx {
    /// Tenant users may only see their own org's entities.
    pub fn check(&self, w: &World, e: Entity) -> VcdResult<()> {
        if self.user.is_system() || w.org_of(e) == self.user.org {
            Ok(())
        } else {
            Err(VcdError::forbidden())
        }
    }
}

/// Resolves `uuid` to an entity of the kind `want` picks out, checking tenant access.
pub fn resolve(
    w: &World,
    ctx: &Ctx,
    uuid: &str,
    want: fn(Entity) -> Option<u32>,
) -> VcdResult<(Entity, u32)> {
    let e = parse_uuid(uuid)
        .and_then(|id| w.lookup(id))
        .ok_or_else(|| VcdError::not_found(uuid))?;
    let idx = want(e).ok_or_else(|| VcdError::not_found(uuid))?;
    ctx.check(w, e)?;
    Ok((e, idx))
}

/// The version in `Accept: application/*+xml;version=X.Y`, if any.
pub fn accept_version(headers: &HeaderMap) -> Option<String> {
    version_in(headers.get("accept")?.to_str().ok()?)
}

/// The `version=X.Y` parameter of an Accept header value.
pub fn version_in(accept: &str) -> Option<String> {
    let at = accept.find("version=")? + "version=".len();
    let v: String = accept[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    Some(v)
}

pub async fn handle(
    State(s): State<Arc<Shared>>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let now = s.now();
    s.settle(now);
    let path = uri.path();
    let query = uri.query().unwrap_or("");
    if path == "/api/versions" || path == "/api/versions/" {
        return if method == Method::GET {
            auth::versions(&s)
        } else {
            VcdError::method_not_allowed().respond("")
        };
    }
    if path.trim_end_matches('/') == "/cloudapi/1.0.0/auditTrail" && method == Method::GET {
        return audit_trail::handle(&s, &headers, query);
    }
    if let Some(rest) = path.strip_prefix("/cloudapi/") {
        return auth::cloudapi(&s, &method, rest, &headers);
    }
    let Some(rest) = path.strip_prefix("/api/") else {
        return VcdError::not_found(path).respond("");
    };
    let version = match accept_version(&headers) {
        Some(v) if VERSIONS.contains(&v.as_str()) => v,
        _ => {
            return VcdError::new(
                StatusCode::NOT_ACCEPTABLE,
                "NOT_ACCEPTABLE",
                "The request has invalid accept header: expected application/*+xml;version=X.Y with a supported version",
            )
            .respond("");
        }
    };
    if rest == "sessions" {
        return auth::legacy_login(&s, &method, &version, &headers);
    }
    let Some(user) = auth::authenticate(&s, &headers) else {
        return VcdError::unauthorized(
            "This operation is denied: missing, invalid or expired authentication token.",
        )
        .respond(&version);
    };
    let ctx = Ctx { version, user, now };
    route(&s, &ctx, &method, rest, query, &headers, &body)
        .unwrap_or_else(|e| e.respond(&ctx.version))
}

fn route(
    s: &Shared,
    ctx: &Ctx,
    method: &Method,
    rest: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> VcdResult<Response> {
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    match (parts.as_slice(), get, post) {
        (["session"], true, _) => Ok(auth::session_doc(s, ctx)),
        (["session"], _, _) if *method == Method::DELETE => Ok(auth::logout(s, headers)),
        (["org"], true, _) => Ok(entities::org_list(s, ctx)),
        (["query"], true, _) => query::handle(s, ctx, query),
        (["entity", urn], true, _) => resolver::entity(s, ctx, urn),
        (["admin", "extension", "vimServer", id], true, _) => vim_server::get(s, ctx, id),
        (["admin", "extension", "host", id], true, _) => extension::host(s, ctx, id),
        (["admin", "extension", "datastore", id], true, _) => extension::datastore(s, ctx, id),
        (["task", id], true, _) => tasks::get(s, ctx, id),
        (["task", id, "action", "cancel"], _, true) => tasks::cancel(s, ctx, id),
        ([kind, id], true, _) => entities::get(s, ctx, kind, id),
        ([kind, id, "metadata"], true, _) => metadata::metadata(s, ctx, kind, id),
        (["vApp", id, "snapshotSection"], true, _) => entities::snapshot_section(s, ctx, id),
        (["vApp", id, "power", "action", op], _, true) => {
            actions::post(s, ctx, id, &format!("power/action/{op}"), body)
        }
        (["vApp", id, "action", op], _, true) => {
            actions::post(s, ctx, id, &format!("action/{op}"), body)
        }
        _ if get || post => Err(VcdError::not_found(&format!("/api/{rest}"))),
        _ => Err(VcdError::method_not_allowed()),
    }
}
