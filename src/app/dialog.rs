//! Modal dialogs: the fresh-offer check before an action, the action menu, confirmations whose
//! strength follows the risk, the snapshot form, task cancel, quitting with tasks still
//! running, and long messages. Keys go to the
//! open dialog first; anything unexpected cancels rather than confirms.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::model::{ActionId, ActionOffer, ActionParams, Node, SnapshotSlot, TaskInfo};

use super::actions::{self, Risk};
use super::event::ReqId;
use super::tree::{EndpointId, EntryId};

/// One node an action will run on, with the server's handle for that action.
#[derive(Clone, Debug)]
pub struct Target {
    pub entry: EntryId,
    pub endpoint: EndpointId,
    pub node: Node,
    pub offer: ActionOffer,
    /// The VM's one snapshot, where a new snapshot replaces it (as read by the check).
    pub slot: Option<SnapshotSlot>,
}

/// One node the user asked an action for, as the confirmation lists it: every mark, also
/// those the filter hides, with what will happen to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    /// "VM · POWERED_ON · vApp shop".
    pub about: String,
    /// Why the action will not run on it; None: it will.
    pub skip: Option<String>,
    /// What running it loses beyond the action itself ("replaces the snapshot of …").
    pub loses: Option<String>,
    /// Why it is not on screen ("hidden by the filter").
    pub hidden: Option<&'static str>,
}

impl Listed {
    /// Whether the list says more than the summary line already does.
    pub fn is_notable(&self) -> bool {
        self.skip.is_some() || self.loses.is_some() || self.hidden.is_some()
    }
}

/// What the user asked for before we knew what the server offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    Action(ActionId),
    Menu,
}

#[derive(Clone, Debug)]
pub struct Checking {
    pub intent: Intent,
    pub entries: Vec<EntryId>,
    pub pending: HashSet<ReqId>,
    /// Offers found so far, per entry, with the snapshot a new one would replace.
    pub found: Vec<(EntryId, Vec<ActionOffer>, Option<SnapshotSlot>)>,
    pub failed: Vec<(EntryId, String)>,
}

#[derive(Clone, Debug)]
pub struct MenuItem {
    pub action: ActionId,
    /// Targets that offer it.
    pub targets: Vec<Target>,
}

#[derive(Clone, Debug)]
pub struct Confirm {
    pub action: ActionId,
    pub targets: Vec<Target>,
    pub params: ActionParams,
    /// e.g. "Power off 12 VMs in 3 vApps".
    pub summary: String,
    /// Every node asked for, with what happens to each (empty when the summary says it all).
    pub listed: Vec<Listed>,
    /// The action's own risk, or more when running it loses something (a replaced snapshot).
    pub risk: Risk,
    /// Destructive: the exact text to type. None: y/N.
    pub expect: Option<String>,
    pub input: String,
    pub error: Option<String>,
    /// First row of `listed` on screen.
    pub scroll: usize,
}

#[derive(Clone, Debug)]
pub struct SnapshotForm {
    pub targets: Vec<Target>,
    pub summary: String,
    pub listed: Vec<Listed>,
    pub name: String,
    /// The name is vnav's suggestion: typing replaces it rather than adding to it.
    pub suggested: bool,
    pub description: String,
    pub memory: bool,
    pub quiesce: bool,
    /// 0 name, 1 description, 2 memory, 3 quiesce.
    pub field: usize,
    pub error: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Dialog {
    Checking(Checking),
    Menu {
        items: Vec<MenuItem>,
        selected: usize,
        /// The nodes it was opened for and those whose check failed (for the confirmation).
        entries: Vec<EntryId>,
        failed: Vec<(EntryId, String)>,
    },
    Confirm(Confirm),
    Snapshot(SnapshotForm),
    /// What to copy to the clipboard: (label, text), the name first.
    Copy {
        items: Vec<(String, String)>,
        selected: usize,
    },
    CancelTask {
        endpoint: EndpointId,
        task: TaskInfo,
    },
    Message {
        title: String,
        text: String,
        scroll: u16,
    },
    /// `q` or Ctrl-C while actions of this session are not over (the counts shown are live).
    Quit,
}

/// What a key did to the open dialog.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// Still open (maybe changed).
    Stay,
    Close,
    /// Confirmed: run it.
    Go,
    /// Menu choice.
    Choose(usize),
}

fn ctrl(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
}

impl Dialog {
    pub fn on_key(&mut self, key: KeyEvent) -> Reply {
        match self {
            Dialog::Checking(_) => match key.code {
                KeyCode::Esc | KeyCode::Char('q') => Reply::Close,
                _ => Reply::Stay,
            },
            Dialog::Copy { items, selected } => match key.code {
                KeyCode::Down | KeyCode::Char('j') => {
                    *selected = (*selected + 1).min(items.len().saturating_sub(1));
                    Reply::Stay
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    *selected = selected.saturating_sub(1);
                    Reply::Stay
                }
                KeyCode::Enter | KeyCode::Char('y') if !items.is_empty() => {
                    Reply::Choose(*selected)
                }
                KeyCode::Char(c @ '1'..='9') if (c as usize - '1' as usize) < items.len() => {
                    Reply::Choose(c as usize - '1' as usize)
                }
                _ => Reply::Close,
            },
            Dialog::Menu {
                items, selected, ..
            } => match key.code {
                KeyCode::Down | KeyCode::Char('j') => {
                    *selected = (*selected + 1).min(items.len().saturating_sub(1));
                    Reply::Stay
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    *selected = selected.saturating_sub(1);
                    Reply::Stay
                }
                KeyCode::Enter if !items.is_empty() => Reply::Choose(*selected),
                KeyCode::Char(c) if !ctrl(&key) => {
                    match items
                        .iter()
                        .position(|i| actions::spec(i.action).key == Some(c))
                    {
                        Some(i) => Reply::Choose(i),
                        None => Reply::Close,
                    }
                }
                _ => Reply::Close,
            },
            Dialog::Confirm(c) => c.on_key(key),
            Dialog::Snapshot(f) => f.on_key(key),
            Dialog::CancelTask { .. } => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') if !ctrl(&key) => Reply::Go,
                _ => Reply::Close,
            },
            // A second Ctrl-C means it: an operator in a hurry leaves with two keys.
            Dialog::Quit => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') if !ctrl(&key) => Reply::Go,
                KeyCode::Char('c') if ctrl(&key) => Reply::Go,
                _ => Reply::Close,
            },
            Dialog::Message { scroll, .. } => match key.code {
                KeyCode::Down | KeyCode::Char('j') => {
                    *scroll = scroll.saturating_add(1);
                    Reply::Stay
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    *scroll = scroll.saturating_sub(1);
                    Reply::Stay
                }
                _ => Reply::Close,
            },
        }
    }
}

impl Confirm {
    pub fn risk(&self) -> Risk {
        self.risk
    }

    fn on_key(&mut self, key: KeyEvent) -> Reply {
        // Arrows move through a long list of targets in either kind of confirmation.
        let last = self.listed.len().saturating_sub(1);
        match key.code {
            KeyCode::Down => self.scroll = (self.scroll + 1).min(last),
            KeyCode::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown => self.scroll = (self.scroll + 10).min(last),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            _ => return self.on_answer(key),
        }
        Reply::Stay
    }

    fn on_answer(&mut self, key: KeyEvent) -> Reply {
        match &self.expect {
            // y/N: only an explicit y confirms; Enter takes the default, which is No.
            None => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') if !ctrl(&key) => Reply::Go,
                _ => Reply::Close,
            },
            Some(expected) => match key.code {
                KeyCode::Esc => Reply::Close,
                KeyCode::Char('c') if ctrl(&key) => Reply::Close,
                KeyCode::Enter if self.input == *expected => Reply::Go,
                KeyCode::Enter => {
                    self.error = Some(format!(
                        "\"{}\" does not match \"{expected}\": nothing done. Esc cancels.",
                        self.input
                    ));
                    self.input.clear();
                    Reply::Stay
                }
                KeyCode::Backspace => {
                    self.input.pop();
                    Reply::Stay
                }
                KeyCode::Char(c) if !ctrl(&key) => {
                    self.input.push(c);
                    self.error = None;
                    Reply::Stay
                }
                _ => Reply::Stay,
            },
        }
    }
}

impl SnapshotForm {
    /// How many targets lose their snapshot to the new one (or may: theirs could not be read).
    pub fn replaces(&self) -> usize {
        self.targets
            .iter()
            .filter(|t| {
                t.slot
                    .as_ref()
                    .is_some_and(|s| !matches!(s, SnapshotSlot::Empty))
            })
            .count()
    }

    pub fn params(&self) -> ActionParams {
        ActionParams::Snapshot {
            name: self.name.trim().to_string(),
            description: self.description.trim().to_string(),
            memory: self.memory,
            quiesce: self.quiesce,
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Reply {
        match key.code {
            KeyCode::Esc => return Reply::Close,
            KeyCode::Char('c') if ctrl(&key) => return Reply::Close,
            KeyCode::Enter => {
                if self.name.trim().is_empty() {
                    self.error = Some("a snapshot needs a name".into());
                    self.field = 0;
                    return Reply::Stay;
                }
                return Reply::Go;
            }
            KeyCode::Tab | KeyCode::Down => self.field = (self.field + 1) % 4,
            KeyCode::BackTab | KeyCode::Up => self.field = (self.field + 3) % 4,
            KeyCode::Char(' ') if self.field == 2 => self.memory = !self.memory,
            KeyCode::Char(' ') if self.field == 3 => self.quiesce = !self.quiesce,
            KeyCode::Backspace => {
                if self.field == 0 && std::mem::take(&mut self.suggested) {
                    self.name.clear();
                }
                self.text_field().map(|t| t.pop());
            }
            KeyCode::Char(c) if !ctrl(&key) => {
                if self.field == 0 && std::mem::take(&mut self.suggested) {
                    self.name.clear();
                }
                if let Some(t) = self.text_field() {
                    t.push(c);
                    self.error = None;
                }
            }
            _ => {}
        }
        Reply::Stay
    }

    fn text_field(&mut self) -> Option<&mut String> {
        match self.field {
            0 => Some(&mut self.name),
            1 => Some(&mut self.description),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn confirm(expect: Option<&str>) -> Confirm {
        Confirm {
            action: ActionId::PowerOff,
            targets: vec![],
            params: ActionParams::None,
            summary: String::new(),
            listed: vec![],
            risk: Risk::Destructive,
            expect: expect.map(String::from),
            input: String::new(),
            error: None,
            scroll: 0,
        }
    }

    #[test]
    fn yes_no_defaults_to_no() {
        for k in [
            KeyCode::Enter,
            KeyCode::Char('n'),
            KeyCode::Esc,
            KeyCode::Char(' '),
            KeyCode::Char('o'),
        ] {
            assert_eq!(confirm(None).on_key(key(k)), Reply::Close, "{k:?}");
        }
        assert_eq!(confirm(None).on_key(key(KeyCode::Char('y'))), Reply::Go);
    }

    #[test]
    fn typed_confirmation_needs_the_exact_name() {
        let mut c = confirm(Some("web-01"));
        for ch in "web-1".chars() {
            assert_eq!(c.on_key(key(KeyCode::Char(ch))), Reply::Stay);
        }
        assert_eq!(c.on_key(key(KeyCode::Enter)), Reply::Stay);
        assert!(c.error.as_deref().unwrap().contains("nothing done"));
        for ch in "web-01".chars() {
            c.on_key(key(KeyCode::Char(ch)));
        }
        assert_eq!(c.on_key(key(KeyCode::Enter)), Reply::Go);
    }

    #[test]
    fn snapshot_form_edits_fields_and_requires_a_name() {
        let mut f = SnapshotForm {
            targets: vec![],
            summary: String::new(),
            listed: vec![],
            name: String::new(),
            suggested: false,
            description: String::new(),
            memory: false,
            quiesce: false,
            field: 0,
            error: None,
        };
        assert_eq!(f.on_key(key(KeyCode::Enter)), Reply::Stay);
        for ch in "pre-patch".chars() {
            f.on_key(key(KeyCode::Char(ch)));
        }
        f.on_key(key(KeyCode::Tab));
        f.on_key(key(KeyCode::Char('x')));
        f.on_key(key(KeyCode::Tab));
        f.on_key(key(KeyCode::Char(' ')));
        assert_eq!(f.on_key(key(KeyCode::Enter)), Reply::Go);
        assert_eq!(
            f.params(),
            ActionParams::Snapshot {
                name: "pre-patch".into(),
                description: "x".into(),
                memory: true,
                quiesce: false
            }
        );
    }

    #[test]
    fn typing_replaces_the_suggested_name_and_enter_keeps_it() {
        let form = || SnapshotForm {
            targets: vec![],
            summary: String::new(),
            listed: vec![],
            name: "vnav-20261202-0115".into(),
            suggested: true,
            description: String::new(),
            memory: false,
            quiesce: false,
            field: 0,
            error: None,
        };
        let mut f = form();
        for ch in "pre-patch".chars() {
            f.on_key(key(KeyCode::Char(ch)));
        }
        assert_eq!(f.name, "pre-patch");
        f.on_key(key(KeyCode::Backspace));
        assert_eq!(f.name, "pre-patc", "once typed, Backspace edits");
        let mut f = form();
        assert_eq!(f.on_key(key(KeyCode::Enter)), Reply::Go);
        assert_eq!(f.name, "vnav-20261202-0115");
        f.on_key(key(KeyCode::Backspace));
        assert_eq!(f.name, "", "Backspace clears the suggestion");
    }
}
