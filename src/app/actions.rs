//! The action table: every action vnav can run, with its key, label and risk, per node kind.
//! It feeds the direct keys, the `a` menu, the confirm strength and the `?` help. What a node
//! actually offers always comes from the server (its links, its state) — never from here.

use crate::api::model::{ActionId, NodeKind};

pub use crate::api::model::Risk;

pub struct ActionSpec {
    pub id: ActionId,
    /// Imperative label ("Power off").
    pub label: &'static str,
    /// What it does, for help and menus.
    pub description: &'static str,
    pub key: Option<char>,
    pub risk: Risk,
    pub kinds: &'static [NodeKind],
}

const MACHINES: &[NodeKind] = &[NodeKind::Vm, NodeKind::VApp];
const VMS: &[NodeKind] = &[NodeKind::Vm];
const SNAPSHOT_TARGETS: &[NodeKind] = &[NodeKind::Vm, NodeKind::Snapshot];

pub static ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        id: ActionId::PowerOn,
        label: "Power on",
        description: "power on",
        key: Some('o'),
        risk: Risk::Disruptive,
        kinds: MACHINES,
    },
    ActionSpec {
        id: ActionId::PowerOff,
        label: "Power off",
        description: "hard power off (like pulling the plug)",
        key: Some('O'),
        risk: Risk::Destructive,
        kinds: MACHINES,
    },
    ActionSpec {
        id: ActionId::Reset,
        label: "Reset",
        description: "hard reset",
        key: Some('r'),
        risk: Risk::Destructive,
        kinds: MACHINES,
    },
    ActionSpec {
        id: ActionId::Reboot,
        label: "Reboot guest",
        description: "reboot through the guest OS (needs VMware Tools)",
        key: Some('R'),
        risk: Risk::Disruptive,
        kinds: MACHINES,
    },
    ActionSpec {
        id: ActionId::Suspend,
        label: "Suspend",
        description: "suspend to memory file",
        key: Some('s'),
        risk: Risk::Disruptive,
        kinds: MACHINES,
    },
    ActionSpec {
        id: ActionId::Shutdown,
        label: "Shut down guest",
        description: "clean shutdown through the guest OS (needs VMware Tools)",
        key: Some('S'),
        risk: Risk::Disruptive,
        kinds: MACHINES,
    },
    ActionSpec {
        id: ActionId::Standby,
        label: "Standby guest",
        description: "put the guest OS in standby (needs VMware Tools)",
        key: None,
        risk: Risk::Disruptive,
        kinds: VMS,
    },
    ActionSpec {
        id: ActionId::Deploy,
        label: "Deploy",
        description: "deploy (allocate resources), powering on",
        key: Some('d'),
        risk: Risk::Disruptive,
        kinds: MACHINES,
    },
    ActionSpec {
        id: ActionId::Undeploy,
        label: "Undeploy",
        description: "power off and release resources",
        key: Some('D'),
        risk: Risk::Destructive,
        kinds: MACHINES,
    },
    ActionSpec {
        id: ActionId::SnapshotCreate,
        label: "Create snapshot",
        description: "take a snapshot (asks name, description, memory, quiesce)",
        key: Some('+'),
        risk: Risk::Disruptive,
        kinds: VMS,
    },
    ActionSpec {
        id: ActionId::SnapshotRevert,
        label: "Revert to snapshot",
        description: "revert to the current (or the selected) snapshot, losing every change made since it was taken",
        key: Some('v'),
        risk: Risk::Destructive,
        kinds: SNAPSHOT_TARGETS,
    },
    ActionSpec {
        id: ActionId::SnapshotRemove,
        label: "Remove snapshot",
        description: "delete the selected snapshot (its children stay)",
        key: None,
        risk: Risk::Destructive,
        kinds: SNAPSHOT_TARGETS,
    },
    ActionSpec {
        id: ActionId::SnapshotRemoveTree,
        label: "Remove snapshot and children",
        description: "delete the selected snapshot and every snapshot taken from it",
        key: None,
        risk: Risk::Destructive,
        kinds: &[NodeKind::Snapshot],
    },
    ActionSpec {
        id: ActionId::SnapshotRemoveAll,
        label: "Remove all snapshots",
        description: "delete every snapshot of the VM",
        key: Some('X'),
        risk: Risk::Destructive,
        kinds: VMS,
    },
    ActionSpec {
        id: ActionId::Run,
        label: "Run",
        description: "run the workflow (asks its inputs; the server says what it does)",
        key: Some('e'),
        risk: Risk::Disruptive,
        kinds: &[NodeKind::Workflow],
    },
];

pub fn spec(id: ActionId) -> &'static ActionSpec {
    ACTIONS
        .iter()
        .find(|s| s.id == id)
        .expect("every ActionId has a row in ACTIONS")
}

pub fn by_key(c: char) -> Option<&'static ActionSpec> {
    ACTIONS.iter().find(|s| s.key == Some(c))
}

/// Whether read-only mode allows it.
pub fn allowed(spec: &ActionSpec, read_only: bool) -> bool {
    !read_only || spec.risk == Risk::Safe
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::{KEYMAP, Key, Scope};
    use crossterm::event::KeyCode;

    #[test]
    fn every_action_id_has_one_row() {
        use strum::IntoEnumIterator;
        for id in ActionId::iter() {
            assert_eq!(ACTIONS.iter().filter(|s| s.id == id).count(), 1, "{id:?}");
        }
        assert_eq!(ACTIONS.len(), ActionId::iter().count());
    }

    #[test]
    fn action_keys_are_unique_and_do_not_shadow_tree_keys() {
        for (i, a) in ACTIONS.iter().enumerate() {
            let Some(k) = a.key else { continue };
            assert!(
                ACTIONS[i + 1..].iter().all(|b| b.key != Some(k)),
                "{k} twice"
            );
            let key = Key {
                code: KeyCode::Char(k),
                ctrl: false,
            };
            let clash = KEYMAP
                .iter()
                .any(|b| matches!(b.scope, Scope::Tree | Scope::Global) && b.keys.contains(&key));
            assert!(!clash, "action key {k} is also a navigation key");
        }
    }

    #[test]
    fn the_dangerous_ones_are_destructive() {
        for id in [
            ActionId::PowerOff,
            ActionId::Reset,
            ActionId::SnapshotRevert,
            ActionId::SnapshotRemoveTree,
            ActionId::SnapshotRemoveAll,
            ActionId::Undeploy,
        ] {
            assert_eq!(spec(id).risk, Risk::Destructive, "{id:?}");
        }
        assert!(
            ACTIONS.iter().all(|a| a.risk != Risk::Safe),
            "every action changes something"
        );
        assert!(ACTIONS.iter().all(|a| !allowed(a, true)));
    }
}
