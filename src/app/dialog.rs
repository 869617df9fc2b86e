//! Modal dialogs: the fresh-offer check before an action, the action menu, confirmations whose
//! strength follows the risk, the form of an action that takes parameters, task cancel, quitting with tasks still
//! running, and long messages. Keys go to the
//! open dialog first; anything unexpected cancels rather than confirms.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::model::{
    ActionId, ActionOffer, ActionParams, Node, ParamSpec, ParamType, ParamValue, SnapshotSlot,
    TaskInfo,
};

use super::actions::{self, Risk};
use super::event::ReqId;
use super::form::{Form, FormKey};
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

/// An action that asks for its parameters first (a workflow's inputs, a new snapshot's name
/// and options): one form model (`app/form.rs`) and one view (`views/form.rs`) for all.
#[derive(Clone, Debug)]
pub struct FormDialog {
    pub action: ActionId,
    /// "Run Restart app tier", "Create snapshot".
    pub label: String,
    /// What the action does, in a line.
    pub description: String,
    /// The action's risk, which decides the confirmation after the form.
    pub risk: Risk,
    pub targets: Vec<Target>,
    /// e.g. "Create snapshot VM web-01".
    pub summary: String,
    pub listed: Vec<Listed>,
    pub form: Form,
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
    Form(FormDialog),
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
            Dialog::Form(f) => match f.form.on_key(key) {
                FormKey::Stay => Reply::Stay,
                FormKey::Cancel => Reply::Close,
                // Checked field by field: a problem stays in the form, at its field.
                FormKey::Submit => match f.form.submit() {
                    Ok(_) => Reply::Go,
                    Err(_) => Reply::Stay,
                },
            },
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

/// An action's label and description: the server's for a described one (a workflow's name),
/// else the action table's.
pub fn label_of(action: ActionId, offer: Option<&ActionOffer>) -> (String, String) {
    match offer.and_then(|o| o.described.as_deref()) {
        Some(d) => (d.label.clone(), d.description.clone()),
        None => {
            let spec = actions::spec(action);
            (spec.label.to_string(), spec.description.to_string())
        }
    }
}

/// Where a described action's risk comes from, when the product left it to vnav to decide
/// (an Orchestrator workflow); None when the action table or the server said it.
pub fn risk_rule_of(targets: &[Target]) -> Option<String> {
    let d = targets.first()?.offer.described.as_deref()?;
    (!d.risk_rule.is_empty()).then(|| d.risk_rule.clone())
}

impl Confirm {
    pub fn risk(&self) -> Risk {
        self.risk
    }

    /// (label, description) of the action confirmed.
    pub fn label(&self) -> (String, String) {
        label_of(self.action, self.targets.first().map(|t| &t.offer))
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

/// The new-snapshot form's fields, by parameter name.
pub const SNAPSHOT_NAME: &str = "name";
pub const SNAPSHOT_DESCRIPTION: &str = "description";
pub const SNAPSHOT_MEMORY: &str = "memory";
pub const SNAPSHOT_QUIESCE: &str = "quiesce";

/// The parameters a new snapshot asks for, declared like a workflow's inputs.
pub fn snapshot_params(suggested_name: &str) -> Vec<ParamSpec> {
    let mut name = ParamSpec::new(SNAPSHOT_NAME, ParamType::String);
    name.label = "Name".into();
    name.mandatory = true;
    name.default = Some(ParamValue::Text(suggested_name.into()));
    name.description = "the snapshot's name".into();
    let mut description = ParamSpec::new(SNAPSHOT_DESCRIPTION, ParamType::String);
    description.label = "Description".into();
    let mut memory = ParamSpec::new(SNAPSHOT_MEMORY, ParamType::Boolean);
    memory.label = "Memory".into();
    memory.description = "include the VM's memory (slower, larger)".into();
    let mut quiesce = ParamSpec::new(SNAPSHOT_QUIESCE, ParamType::Boolean);
    quiesce.label = "Quiesce".into();
    quiesce.description = "quiesce the guest file system (needs Tools)".into();
    vec![name, description, memory, quiesce]
}

impl FormDialog {
    /// How many targets lose their snapshot to the new one (or may: theirs could not be read).
    pub fn replaces(&self) -> usize {
        if self.action != ActionId::SnapshotCreate {
            return 0;
        }
        self.targets
            .iter()
            .filter(|t| {
                t.slot
                    .as_ref()
                    .is_some_and(|s| !matches!(s, SnapshotSlot::Empty))
            })
            .count()
    }

    /// The text typed in a field ("" when there is no such field).
    pub fn text(&self, name: &str) -> &str {
        self.form.field(name).map_or("", |f| f.text.as_str())
    }

    /// The values as the action takes them; None while a field is refused (the problem is
    /// then at its field).
    pub fn params(&mut self) -> Option<ActionParams> {
        let values = self.form.submit().ok()?;
        Some(match self.action {
            ActionId::SnapshotCreate => {
                let text = |n: &str| match values.iter().find(|(k, _)| k == n) {
                    Some((_, ParamValue::Text(s))) => s.clone(),
                    _ => String::new(),
                };
                let flag = |n: &str| {
                    values
                        .iter()
                        .any(|(k, v)| k == n && *v == ParamValue::Bool(true))
                };
                ActionParams::Snapshot {
                    name: text(SNAPSHOT_NAME),
                    description: text(SNAPSHOT_DESCRIPTION),
                    memory: flag(SNAPSHOT_MEMORY),
                    quiesce: flag(SNAPSHOT_QUIESCE),
                }
            }
            _ => ActionParams::Inputs(values),
        })
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

    fn snapshot_form(suggested: &str) -> FormDialog {
        let mut form = Form::new(&snapshot_params(suggested));
        form.fields[0].suggested = !suggested.is_empty();
        FormDialog {
            action: ActionId::SnapshotCreate,
            label: "Create snapshot".into(),
            description: String::new(),
            risk: Risk::Disruptive,
            targets: vec![],
            summary: String::new(),
            listed: vec![],
            form,
        }
    }

    #[test]
    fn snapshot_form_edits_fields_and_requires_a_name() {
        let mut d = Dialog::Form(snapshot_form(""));
        assert_eq!(d.on_key(key(KeyCode::Enter)), Reply::Stay);
        let Dialog::Form(f) = &mut d else {
            unreachable!()
        };
        assert_eq!(f.form.fields[0].error.as_deref(), Some("required"));
        for ch in "pre-patch".chars() {
            d.on_key(key(KeyCode::Char(ch)));
        }
        d.on_key(key(KeyCode::Tab));
        d.on_key(key(KeyCode::Char('x')));
        d.on_key(key(KeyCode::Tab));
        d.on_key(key(KeyCode::Char(' ')));
        assert_eq!(d.on_key(key(KeyCode::Enter)), Reply::Go);
        let Dialog::Form(f) = &mut d else {
            unreachable!()
        };
        assert_eq!(
            f.params(),
            Some(ActionParams::Snapshot {
                name: "pre-patch".into(),
                description: "x".into(),
                memory: true,
                quiesce: false
            })
        );
    }

    #[test]
    fn typing_replaces_the_suggested_name_and_enter_keeps_it() {
        let mut d = Dialog::Form(snapshot_form("vnav-20261202-0115"));
        for ch in "pre-patch".chars() {
            d.on_key(key(KeyCode::Char(ch)));
        }
        let name = |d: &Dialog| match d {
            Dialog::Form(f) => f.text(SNAPSHOT_NAME).to_string(),
            _ => unreachable!(),
        };
        assert_eq!(name(&d), "pre-patch");
        d.on_key(key(KeyCode::Backspace));
        assert_eq!(name(&d), "pre-patc", "once typed, Backspace edits");
        let mut d = Dialog::Form(snapshot_form("vnav-20261202-0115"));
        assert_eq!(d.on_key(key(KeyCode::Enter)), Reply::Go);
        assert_eq!(name(&d), "vnav-20261202-0115");
        d.on_key(key(KeyCode::Backspace));
        assert_eq!(name(&d), "", "Backspace clears the suggestion");
    }
}
