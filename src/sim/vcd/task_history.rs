//! Past task records of the simulated cloud: two to four finished tasks per VM and vApp (power
//! operations, snapshots, deploys), run by the system administrator or the vApp's owner,
//! some failed, all before the simulator started. Drawn from the seed and the object's id, so
//! the same world always has the same history, and made into task records only when a query
//! names the object (`object==href`, what a client reads an object's tasks with): a world of
//! 300,000 VMs keeps none it is not asked for, and a listing of every task (what vnav's task
//! pane reads when it connects) holds only the tasks of this run.

use std::hash::{DefaultHasher, Hash, Hasher};

use time::OffsetDateTime;
use tokio::time::Duration;

use super::User;
use super::actions::Op;
use super::tasks::Tasks;
use crate::sim::world::{Entity, Id, World, parse_uuid};

/// What was done to VMs and vApps before the simulator started.
const VM_OPS: &[Op] = &[
    Op::PowerOn,
    Op::PowerOff,
    Op::CreateSnapshot,
    Op::Reboot,
    Op::Shutdown,
    Op::RemoveSnapshots,
];
const VAPP_OPS: &[Op] = &[Op::Deploy, Op::Undeploy, Op::PowerOn, Op::PowerOff];

/// One past task, before it is a task record.
pub struct Past {
    pub id: Id,
    pub op: Op,
    pub target: Entity,
    pub user: User,
    /// The person, for a task an org user ran (None: the system administrator).
    pub by: Option<&'static str>,
    pub org: u32,
    pub start: OffsetDateTime,
    pub took: Duration,
    pub failed: bool,
}

/// The history of `e` (none for objects tasks do not run on here), oldest last.
pub fn of(w: &World, seed: u64, started: OffsetDateTime, e: Entity) -> Vec<Past> {
    let (entity_id, ops) = match e {
        Entity::Vm(v) => (w.vms[v as usize].id, VM_OPS),
        Entity::VApp(a) => (w.vapps[a as usize].id, VAPP_OPS),
        _ => return Vec::new(),
    };
    let mut h = DefaultHasher::new();
    (seed, entity_id, "task history").hash(&mut h);
    let mut bits = h.finish();
    let mut draw = |n: u64| {
        let v = bits % n;
        bits /= n.max(1);
        v
    };
    let org = w.org_of(e);
    let owner = w.owner_name(match e {
        Entity::Vm(v) => w.vms[v as usize].vapp,
        Entity::VApp(a) => a,
        _ => return Vec::new(),
    });
    let count = 2 + draw(3);
    let mut hours_ago = 0;
    (0..count)
        .map(|n| {
            let op = ops[draw(ops.len() as u64) as usize];
            // One in six ends in an error; a third are the system administrator's, the rest
            // the vApp owner's.
            let failed = draw(6) == 0;
            let system = draw(3) == 0;
            let user = User {
                org: if system { 0 } else { org },
            };
            hours_ago += 1 + draw(24 * 20) as i64;
            let minute = draw(60) as i64;
            Past {
                id: task_id(entity_id, n),
                op,
                target: e,
                user,
                by: (!system).then_some(owner),
                org,
                start: started - time::Duration::hours(hours_ago) - time::Duration::minutes(minute),
                took: Duration::from_secs(2 + draw(88)),
                failed,
            }
        })
        .collect()
}

/// A version 4 UUID of its own for the `n`th past task of an object.
fn task_id(entity: Id, n: u64) -> Id {
    let mut h = DefaultHasher::new();
    (entity, n, "past task").hash(&mut h);
    let hi = h.finish();
    (entity, n, hi).hash(&mut h);
    let id = (u128::from(hi) << 64) | u128::from(h.finish());
    (id & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62)
}

/// The VM or vApp an href names (its last 36 characters are its id), if the world has it.
pub fn entity_of(w: &World, href: &str) -> Option<Entity> {
    let tail = href.get(href.len().checked_sub(36)?..)?;
    let e = w.lookup(parse_uuid(tail)?)?;
    matches!(e, Entity::Vm(_) | Entity::VApp(_)).then_some(e)
}

impl Tasks {
    /// The task records of `e`'s history (made on first sight, kept), by index.
    pub fn history(
        &mut self,
        w: &World,
        seed: u64,
        started: OffsetDateTime,
        e: Entity,
    ) -> Vec<u32> {
        of(w, seed, started, e)
            .into_iter()
            .map(|p| self.record_past(p) as u32)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_is_the_same_each_time_and_all_before_the_start() {
        let w = crate::sim::generate::generate(50, 7);
        let started = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let a = of(&w, 7, started, Entity::Vm(3));
        let b = of(&w, 7, started, Entity::Vm(3));
        assert!((2..=4).contains(&a.len()));
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.id == y.id && x.start == y.start)
        );
        assert!(a.iter().all(|p| p.start + p.took < started));
        assert!(
            a.windows(2).all(|p| p[0].start > p[1].start),
            "newest first"
        );
        assert_ne!(a[0].id, a[1].id);
        assert!(of(&w, 7, started, Entity::Org(1)).is_empty());
        // Over many objects: failures and both users occur.
        let all: Vec<Past> = (0..50)
            .flat_map(|v| of(&w, 7, started, Entity::Vm(v)))
            .collect();
        assert!(all.iter().any(|p| p.failed) && all.iter().any(|p| !p.failed));
        assert!(all.iter().any(|p| p.user.is_system()) && all.iter().any(|p| !p.user.is_system()));
    }
}
