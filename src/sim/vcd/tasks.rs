//! Tasks: created by actions, advanced lazily from elapsed (tokio) time on every read, their
//! effect applied to the world exactly once when they succeed.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::Response;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::OffsetDateTime;
use tokio::time::{Duration, Instant};

use super::actions::{Op, apply};
use super::entities::describe;
use super::errors::{VcdError, VcdResult};
use super::xml::{DECL, VCLOUD_NS, datetime, empty, esc, link, media, respond};
use super::{Ctx, Shared, User};
use crate::sim::world::{Entity, Id, World, parse_uuid, uuid_str};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Queued,
    Running(u8),
    Success,
    Error,
    Canceled,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running(_) => "running",
            State::Success => "success",
            State::Error => "error",
            State::Canceled => "canceled",
        }
    }
    pub fn terminal(self) -> bool {
        matches!(self, State::Success | State::Error | State::Canceled)
    }
    pub fn progress(self) -> u8 {
        match self {
            State::Queued => 0,
            State::Running(p) => p,
            _ => 100,
        }
    }
}

pub struct Task {
    pub id: Id,
    pub op: Op,
    pub target: Entity,
    pub user: User,
    pub org: u32,
    pub start_wall: OffsetDateTime,
    pub start: Instant,
    pub duration: Duration,
    pub fails: bool,
    pub canceled: Option<Duration>,
    pub settled: bool,
    /// createSnapshot: whether the snapshot includes memory.
    pub memory: bool,
    /// A record of the seeded history (`task_history`): ended before the simulator started,
    /// never applied to the world, listed only for a query that names its object.
    pub past: bool,
    /// Who ran it, when that is a person of the org rather than its administrator account
    /// (the seeded history's vApp owners).
    pub by: Option<&'static str>,
}

impl Task {
    pub fn state(&self, now: Instant) -> State {
        if self.canceled.is_some() {
            return State::Canceled;
        }
        if self.past {
            return if self.fails {
                State::Error
            } else {
                State::Success
            };
        }
        let e = now.saturating_duration_since(self.start);
        if e >= self.duration {
            if self.fails {
                State::Error
            } else {
                State::Success
            }
        } else if e < self.duration / 10 {
            State::Queued
        } else {
            let p = (e - self.duration / 10).as_secs_f64() / (self.duration.as_secs_f64() * 0.9);
            State::Running((p * 100.0).clamp(1.0, 99.0) as u8)
        }
    }

    pub fn end_time(&self, now: Instant) -> Option<OffsetDateTime> {
        let took = match self.state(now) {
            State::Canceled => self.canceled?,
            s if s.terminal() => self.duration,
            _ => return None,
        };
        Some(self.start_wall + took)
    }
}

/// What a new task does: the operation, its target, and (createSnapshot) whether memory is kept.
pub struct Request {
    pub op: Op,
    pub target: Entity,
    pub memory: bool,
}

pub struct Tasks {
    pub list: Vec<Task>,
    by_id: HashMap<Id, usize>,
    /// Indices of tasks whose effect has not been settled yet.
    active: Vec<usize>,
    rng: ChaCha8Rng,
}

impl Tasks {
    pub fn new(seed: u64) -> Self {
        Tasks {
            list: vec![],
            by_id: HashMap::new(),
            active: vec![],
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x7a5c_0de5),
        }
    }

    pub fn has_due(&self, now: Instant) -> bool {
        self.active
            .iter()
            .any(|&i| self.list[i].state(now).terminal())
    }

    pub fn settle(&mut self, w: &mut World, now: Instant) {
        let mut changed = false;
        let list = &mut self.list;
        self.active.retain(|&i| {
            let t = &mut list[i];
            let st = t.state(now);
            if !st.terminal() {
                return true;
            }
            if st == State::Success && !t.settled {
                apply(w, t.op, t.target, t.memory, t.start_wall + t.duration);
                changed = true;
            }
            t.settled = true;
            false
        });
        if changed {
            w.bump();
        }
    }

    /// Whether an unfinished task works on `target`, its vApp, or one of its VMs.
    pub fn busy(&self, w: &World, target: Entity, now: Instant) -> bool {
        let vapp_of = |e: Entity| match e {
            Entity::Vm(v) => Some(w.vms[v as usize].vapp),
            Entity::VApp(a) => Some(a),
            _ => None,
        };
        self.active.iter().map(|&i| &self.list[i]).any(|t| {
            !t.state(now).terminal()
                && (t.target == target
                    || matches!(t.target, Entity::VApp(_)) && vapp_of(t.target) == vapp_of(target)
                    || matches!(target, Entity::VApp(_)) && vapp_of(t.target) == vapp_of(target))
        })
    }

    /// Starts a task for `what`; its outcome (success or error) is drawn now, deterministically.
    pub fn create(
        &mut self,
        what: Request,
        user: User,
        org: u32,
        opts: &crate::sim::SimOptions,
        now: Instant,
    ) -> usize {
        let Request { op, target, memory } = what;
        let id: Id =
            (self.rng.random::<u128>() & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
        let fails = self.rng.random::<f64>() < opts.fail_rate;
        let i = self.list.len();
        self.list.push(Task {
            id,
            op,
            target,
            user,
            org,
            start_wall: OffsetDateTime::now_utc(),
            start: now,
            duration: task_duration(opts.task_seconds),
            fails,
            canceled: None,
            settled: false,
            memory,
            past: false,
            by: None,
        });
        self.by_id.insert(id, i);
        self.active.push(i);
        i
    }

    /// A past task as a record (once: a second sight returns the first), by index.
    pub fn record_past(&mut self, p: super::task_history::Past) -> usize {
        if let Some(&i) = self.by_id.get(&p.id) {
            return i;
        }
        let i = self.list.len();
        self.list.push(Task {
            id: p.id,
            op: p.op,
            target: p.target,
            user: p.user,
            org: p.org,
            start_wall: p.start,
            start: Instant::now(),
            duration: p.took,
            fails: p.failed,
            canceled: None,
            settled: true,
            memory: false,
            past: true,
            by: p.by,
        });
        self.by_id.insert(p.id, i);
        i
    }

    /// The task with `id` if the user may see it (same org, or system administrator).
    pub fn visible(&self, _w: &World, ctx: &Ctx, id: Id) -> Option<usize> {
        let &i = self.by_id.get(&id)?;
        (ctx.user.is_system() || self.list[i].org == ctx.user.org).then_some(i)
    }
}

/// Task length from the options; nonsense (negative, NaN, infinite) falls back to instant tasks.
fn task_duration(seconds: f64) -> Duration {
    if seconds.is_finite() {
        Duration::from_secs_f64(seconds.clamp(0.0, 1e6))
    } else {
        Duration::ZERO
    }
}

pub fn user_ref(w: &World, base: &str, user: User) -> (String, String) {
    let org = &w.orgs[user.org as usize];
    let name = if user.is_system() {
        "admin"
    } else {
        "orgadmin"
    };
    (
        name.to_string(),
        format!("{base}/api/admin/user/{}", uuid_str(org.admin_user)),
    )
}

pub fn task_doc(w: &World, base: &str, t: &Task, now: Instant) -> String {
    let st = t.state(now);
    let owner = describe(w, base, t.target);
    let u = uuid_str(t.id);
    let href = format!("{base}/api/task/{u}");
    let mut out = String::from(DECL);
    let _ = write!(
        out,
        "<Task xmlns=\"{VCLOUD_NS}\" status=\"{}\" startTime=\"{}\" serviceNamespace=\"com.vmware.vcloud\" \
         operationName=\"{}\" operation=\"{}\" expiryTime=\"{}\" cancelRequested=\"{}\" name=\"task\" \
         id=\"urn:vcloud:task:{u}\" type=\"{}\" href=\"{href}\"",
        st.name(),
        datetime(t.start_wall),
        t.op.operation_name(t.target),
        esc(&t.op.describe(t.target, &owner.name, &owner.urn)),
        datetime(t.start_wall + time::Duration::days(30)),
        t.canceled.is_some(),
        media("task"),
    );
    if let Some(end) = t.end_time(now) {
        let _ = write!(out, " endTime=\"{}\"", datetime(end));
    }
    out.push_str(">\n");
    if !st.terminal() {
        link(
            &mut out,
            "task:cancel",
            "",
            "",
            &format!("{href}/action/cancel"),
        );
    }
    let _ = writeln!(
        out,
        "<Owner type=\"{}\" name=\"{}\" href=\"{}\"/>",
        media(owner.kind),
        esc(&owner.name),
        owner.href
    );
    if st == State::Error {
        let _ = writeln!(
            out,
            "<Error majorErrorCode=\"500\" minorErrorCode=\"INTERNAL_SERVER_ERROR\" message=\"{}\"/>",
            esc(&format!(
                "Simulated failure: {} did not complete on \"{}\".",
                t.op.operation_name(t.target),
                owner.name
            ))
        );
    }
    let (uname, uhref) = user_ref(w, base, t.user);
    let uname = t.by.map_or(uname, str::to_string);
    let _ = writeln!(
        out,
        "<User type=\"application/vnd.vmware.admin.user+xml\" name=\"{uname}\" href=\"{uhref}\"/>"
    );
    let org = describe(w, base, Entity::Org(t.org));
    let _ = writeln!(
        out,
        "<Organization type=\"{}\" name=\"{}\" href=\"{}\"/>",
        media("org"),
        esc(&org.name),
        org.href
    );
    let _ = writeln!(out, "<Progress>{}</Progress>\n</Task>", st.progress());
    out
}

fn find(s: &Shared, ctx: &Ctx, id: &str) -> VcdResult<Id> {
    parse_uuid(id)
        .ok_or_else(|| VcdError::not_found(id))
        .and_then(|u| {
            let w = s.read();
            s.tasks()
                .visible(&w, ctx, u)
                .map(|_| u)
                .ok_or_else(|| VcdError::not_found(id))
        })
}

pub fn get(s: &Shared, ctx: &Ctx, id: &str) -> VcdResult<Response> {
    let u = find(s, ctx, id)?;
    let w = s.read();
    let tasks = s.tasks();
    let i = tasks
        .visible(&w, ctx, u)
        .ok_or_else(|| VcdError::not_found(id))?;
    Ok(respond(
        StatusCode::OK,
        "task",
        &ctx.version,
        task_doc(&w, &s.base, &tasks.list[i], ctx.now),
    ))
}

pub fn cancel(s: &Shared, ctx: &Ctx, id: &str) -> VcdResult<Response> {
    let u = find(s, ctx, id)?;
    let w = s.read();
    let mut tasks = s.tasks();
    let i = tasks
        .visible(&w, ctx, u)
        .ok_or_else(|| VcdError::not_found(id))?;
    let t = &mut tasks.list[i];
    if t.state(ctx.now).terminal() {
        return Err(VcdError::bad_request(
            "The task has already completed and cannot be canceled.",
        ));
    }
    t.canceled = Some(ctx.now.saturating_duration_since(t.start));
    Ok(empty(StatusCode::NO_CONTENT))
}
