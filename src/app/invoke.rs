//! From a key to a running task: re-read what the targets offer now, confirm with the strength
//! the risk asks for, invoke with bounded concurrency, track each task, and write one audit line
//! per confirmed action when it ends.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::api::ApiError;
use crate::api::labels;
use crate::api::model::{
    ActionId, ActionParams, Details, NodeKind, ParamValue, Severity, TaskInfo, TaskTarget,
};

use super::actions::{self, Risk};
use super::dialog::{
    self as dlg, Checking, Confirm, Dialog, FormDialog, Intent, Listed, MenuItem, Reply, Target,
};
use super::event::{AuditRecord, Effect, ReqId};
use super::form::Form;
use super::tree::{EndpointId, EntryId};
use super::{App, Overlay};

/// Actions started at once from one bulk confirm.
const BULK_PARALLEL: usize = 4;

/// One confirmed action on one target, on its way.
#[derive(Clone, Debug)]
struct Invocation {
    target: Target,
    action: ActionId,
    params: ActionParams,
}

#[derive(Default)]
pub struct Invocations {
    queue: VecDeque<Invocation>,
    running: HashMap<ReqId, Invocation>,
    /// Details requests made to learn what targets offer.
    lookups: HashMap<ReqId, EntryId>,
    /// Audit lines waiting for their task to end, by (endpoint, task id). Several actions can
    /// follow one task (an action whose answer was lost finds the new task of its VM, which a
    /// concurrent action may have started): each keeps its own line.
    audits: HashMap<(EndpointId, Box<str>), Vec<AuditRecord>>,
    cancels: HashMap<ReqId, (EndpointId, TaskInfo)>,
}

impl Invocations {
    pub fn is_busy(&self) -> bool {
        !self.queue.is_empty() || !self.running.is_empty()
    }

    /// This session's actions not over yet: (started and not ended, confirmed and not started).
    pub fn unfinished(&self) -> (usize, usize) {
        let waiting: usize = self.audits.values().map(Vec::len).sum();
        (self.running.len() + waiting, self.queue.len())
    }
}

fn params_json(params: &ActionParams) -> serde_json::Value {
    match params {
        ActionParams::None => serde_json::json!({}),
        ActionParams::Snapshot {
            name,
            description,
            memory,
            quiesce,
        } => serde_json::json!({
            "name": name, "description": description, "memory": memory, "quiesce": quiesce
        }),
        ActionParams::SnapshotRef {
            snapshot,
            remove_children,
        } => serde_json::json!({
            "snapshot": snapshot, "remove_children": remove_children
        }),
        // Secure strings are masked: the audit log never holds them.
        ActionParams::Inputs(values) => serde_json::Value::Object(
            values
                .iter()
                .map(|(name, v)| (name.clone(), v.masked_json()))
                .collect(),
        ),
    }
}

/// A confirmation as strong as the risk: destructive ones want the target's name typed (or the
/// count, for several).
fn confirm(
    action: ActionId,
    targets: Vec<Target>,
    params: ActionParams,
    summary: String,
    listed: Vec<Listed>,
    risk: Risk,
) -> Confirm {
    let expect = (risk == Risk::Destructive).then(|| match &targets[..] {
        [one] => one.node.name.to_string(),
        many => many.len().to_string(),
    });
    Confirm {
        action,
        targets,
        params,
        summary,
        listed,
        risk,
        expect,
        input: String::new(),
        error: None,
        scroll: 0,
    }
}

fn plural(n: usize, kind: NodeKind) -> String {
    let label = kind.label();
    if n == 1 {
        format!("1 {label}")
    } else {
        format!("{n} {label}s")
    }
}

impl App {
    pub fn is_read_only(&self, endpoint: EndpointId) -> bool {
        self.read_only || self.endpoints[endpoint].read_only
    }

    /// The nodes an action applies to: the marks if there are any, else the selection.
    fn action_entries(&self) -> Vec<EntryId> {
        let marked = self.tree.marked();
        if !marked.is_empty() {
            return marked;
        }
        self.cursor.selected.into_iter().collect()
    }

    /// A direct action key or the `a` menu: check what the server offers now, then ask.
    pub(crate) fn begin(&mut self, intent: Intent) -> bool {
        let entries = self.action_entries();
        self.begin_on(intent, entries)
    }

    /// The same on the given entries (an answer to a run the task pane shows).
    pub(crate) fn begin_on(&mut self, intent: Intent, entries: Vec<EntryId>) -> bool {
        if entries.is_empty() {
            return false;
        }
        if intent == Intent::Action(ActionId::Run) && entries.len() > 1 {
            // Each workflow asks its own inputs: one form, so one workflow, at a time.
            let clear = self.key_for(super::keymap::Command::ClearMarks);
            self.notify(
                format!(
                    "Run: {} nodes are marked, but a workflow runs from its own form, one at a \
                     time: mark one, or {clear} clears the marks",
                    entries.len()
                ),
                Severity::Warn,
            );
            return true;
        }
        if let Intent::Action(id) = intent {
            let spec = actions::spec(id);
            if entries
                .iter()
                .any(|&e| !actions::allowed(spec, self.is_read_only(self.tree.get(e).endpoint())))
            {
                self.notify(
                    format!("read-only: {} is disabled", spec.label),
                    Severity::Warn,
                );
                return true;
            }
        }
        let mut pending = HashSet::new();
        for &entry in &entries {
            let e = self.tree.get(entry);
            let (endpoint, node) = (e.endpoint(), e.node.clone());
            let req = self.req();
            pending.insert(req);
            self.invocations.lookups.insert(req, entry);
            self.effects.push(Effect::Details {
                req,
                endpoint,
                node,
            });
        }
        self.overlay = Some(Overlay::Dialog(Dialog::Checking(Checking {
            intent,
            entries,
            pending,
            found: Vec::new(),
            failed: Vec::new(),
        })));
        true
    }

    pub(crate) fn is_lookup(&self, req: ReqId) -> bool {
        self.invocations.lookups.contains_key(&req)
    }

    /// A fresh read of a target arrived.
    pub(crate) fn on_lookup(&mut self, req: ReqId, result: Result<Details, ApiError>) -> bool {
        let Some(entry) = self.invocations.lookups.remove(&req) else {
            return false;
        };
        let Some(Overlay::Dialog(Dialog::Checking(check))) = &mut self.overlay else {
            return false;
        };
        if !check.pending.remove(&req) {
            return false;
        }
        match result {
            Ok(d) => {
                check
                    .found
                    .push((entry, d.actions.clone(), d.snapshot_slot.clone()));
                let e = self.tree.get_mut(entry);
                e.node.status = d.node.status;
            }
            Err(e) => check.failed.push((entry, e.to_string())),
        }
        let Some(Overlay::Dialog(Dialog::Checking(check))) = &self.overlay else {
            return true;
        };
        if check.pending.is_empty() {
            let check = check.clone();
            self.resolve(check);
        }
        true
    }

    fn target(
        &self,
        (entry, offers, slot): &(
            EntryId,
            Vec<crate::api::model::ActionOffer>,
            Option<crate::api::model::SnapshotSlot>,
        ),
        id: ActionId,
    ) -> Option<Target> {
        let e = self.tree.get(*entry);
        offers.iter().find(|o| o.id == id).map(|offer| Target {
            entry: *entry,
            endpoint: e.endpoint(),
            node: e.node.clone(),
            offer: offer.clone(),
            slot: slot.clone(),
        })
    }

    /// Everything is known: open the menu or the confirmation (or say why not).
    fn resolve(&mut self, check: Checking) {
        self.overlay = None;
        match check.intent {
            Intent::Menu => {
                let mut items: Vec<MenuItem> = Vec::new();
                for spec in actions::ACTIONS {
                    let targets: Vec<Target> = check
                        .found
                        .iter()
                        .filter(|(e, _, _)| {
                            actions::allowed(spec, self.is_read_only(self.tree.get(*e).endpoint()))
                        })
                        .filter_map(|found| self.target(found, spec.id))
                        .collect();
                    if !targets.is_empty() {
                        items.push(MenuItem {
                            action: spec.id,
                            targets,
                        });
                    }
                }
                if items.is_empty() {
                    let why = if self.selection_read_only() {
                        "read-only mode"
                    } else {
                        "the server offers none right now"
                    };
                    self.notify(format!("no action available: {why}"), Severity::Warn);
                    if let Some((e, msg)) = check.failed.first() {
                        let name = self.tree.get(*e).node.name.clone();
                        self.notify(format!("{name}: {msg}"), Severity::Error);
                    }
                } else {
                    self.overlay = Some(Overlay::Dialog(Dialog::Menu {
                        items,
                        selected: 0,
                        entries: check.entries,
                        failed: check.failed,
                    }));
                }
            }
            Intent::Action(id) => {
                let targets = check
                    .found
                    .iter()
                    .filter_map(|found| self.target(found, id))
                    .collect();
                self.ask(id, &check.entries, targets, &check.failed);
            }
        }
    }

    /// Every node asked for, with what will happen to it: those skipped first, then those
    /// that lose something, then the rest, each in tree order.
    fn listed(
        &self,
        action: ActionId,
        entries: &[EntryId],
        targets: &[Target],
        failed: &[(EntryId, String)],
    ) -> Vec<Listed> {
        let mut listed: Vec<Listed> = entries
            .iter()
            .map(|&entry| {
                let e = self.tree.get(entry);
                let target = targets.iter().find(|t| t.entry == entry);
                let skip = match (target, failed.iter().find(|(f, _)| *f == entry)) {
                    (Some(_), _) => None,
                    (None, Some((_, msg))) => Some(format!("could not be checked: {msg}")),
                    (None, None) if e.node.status.label.is_empty() => {
                        Some("does not offer it now".to_string())
                    }
                    (None, None) => Some(format!(
                        "does not offer it while {}",
                        labels::in_sentence(labels::status(e.node.status.label))
                    )),
                };
                let mut about = vec![e.node.kind.label().to_string()];
                if !e.node.status.label.is_empty() {
                    about.push(labels::status(e.node.status.label).to_string());
                }
                if let Some(p) = e.parent() {
                    let p = &self.tree.get(p).node;
                    about.push(format!("{} {}", p.kind.label(), p.name));
                }
                let hidden = match self.tree.row_of(entry) {
                    Some(_) => None,
                    None if self.tree.is_filtered() => Some("hidden by the filter"),
                    None => Some("in a collapsed branch"),
                };
                Listed {
                    name: e.node.name.to_string(),
                    about: about.join(" · "),
                    skip,
                    loses: target
                        .filter(|_| action == ActionId::SnapshotCreate)
                        .and_then(|t| t.slot.as_ref())
                        .and_then(|s| s.replaces(self.now)),
                    hidden,
                }
            })
            .collect();
        listed.sort_by_key(|l| (l.skip.is_none(), l.loses.is_none()));
        if listed.len() == 1 && !listed[0].is_notable() {
            listed.clear();
        }
        listed
    }

    /// Opens the confirmation that fits the action's risk.
    fn ask(
        &mut self,
        id: ActionId,
        entries: &[EntryId],
        targets: Vec<Target>,
        failed: &[(EntryId, String)],
    ) {
        let spec = actions::spec(id);
        let listed = self.listed(id, entries, &targets, failed);
        if targets.is_empty() {
            let why = listed
                .iter()
                .find_map(|l| l.skip.as_ref().map(|s| format!("{}: {s}", l.name)))
                .unwrap_or_else(|| "not offered".into());
            self.notify(format!("{}: {why}", spec.label), Severity::Warn);
            return;
        }
        // A workflow's form names its one target ("Run X", "Answer X"), wherever its row is.
        let listed = match &targets[..] {
            [one] if one.offer.described.is_some() && listed.len() == 1 => Vec::new(),
            _ => listed,
        };
        let (label, description) = dlg::label_of(id, targets.first().map(|t| &t.offer));
        let summary = match &targets[..] {
            // A workflow's label already names it ("Run Restart app tier").
            [one] if one.offer.described.is_some() => label.clone(),
            _ => self.summary(&label, &targets),
        };
        let params = match (id, targets.first().and_then(|t| t.offer.described.clone())) {
            (ActionId::SnapshotCreate, _) => {
                let stamp = self.now;
                let name = format!(
                    "vnav-{:04}{:02}{:02}-{:02}{:02}",
                    stamp.year(),
                    stamp.month() as u8,
                    stamp.day(),
                    stamp.hour(),
                    stamp.minute()
                );
                let mut form = Form::new(&dlg::snapshot_params(&name));
                form.fields[0].suggested = true;
                Some((form, spec.risk))
            }
            (_, Some(described)) => {
                // Each workflow asks its own inputs: one at a time.
                if targets.len() > 1 {
                    self.notify(
                        format!("{label}: runs on one node at a time; unmark the others"),
                        Severity::Warn,
                    );
                    return;
                }
                let mut form = Form::new(&described.params);
                for f in &mut form.fields {
                    if let crate::api::model::ParamType::SdkObject(ty) = &f.spec.ty {
                        self.list_for_picker(ty);
                        f.choices = self.choices_for(ty);
                    }
                }
                Some((form, described.risk))
            }
            _ => None,
        };
        if let Some((form, risk)) = params {
            self.overlay = Some(Overlay::Dialog(Dialog::Form(FormDialog {
                action: id,
                label,
                description,
                risk,
                targets,
                summary,
                listed,
                form,
            })));
            return;
        }
        self.overlay = Some(Overlay::Dialog(Dialog::Confirm(confirm(
            id,
            targets,
            ActionParams::None,
            summary,
            listed,
            spec.risk,
        ))));
    }

    /// The form was filled in. A snapshot that replaces one asks again, typed; a described
    /// action asks as its risk says (a safe one runs at once).
    fn form_confirmed(&mut self, mut form: FormDialog) {
        let Some(params) = form.params() else {
            // Refused at a field: the form stays open and says where.
            self.overlay = Some(Overlay::Dialog(Dialog::Form(form)));
            return;
        };
        if form.action != ActionId::SnapshotCreate {
            if form.risk == Risk::Safe {
                return self.confirmed(form.action, form.targets, params);
            }
            // The confirmation says what will be sent, secure strings masked.
            let summary = match &params {
                ActionParams::Inputs(values) if !values.is_empty() => {
                    let inputs: Vec<String> = values
                        .iter()
                        .map(|(name, v)| match v {
                            // An object by the name it was picked by, and its id.
                            ParamValue::SdkObject { id, .. } => {
                                match form.form.field(name).and_then(|f| f.picked_choice()) {
                                    Some(c) => format!("{name} = {} ({id})", c.name),
                                    None => format!("{name} = {id}"),
                                }
                            }
                            // "30", not the JSON's "30.0"; a date as every pane writes it.
                            ParamValue::Number(n) => format!("{name} = {n}"),
                            // As the form and the detail pane say a yes/no input: not "false".
                            ParamValue::Bool(b) => {
                                format!("{name} = {}", crate::api::labels::yes_no(*b))
                            }
                            ParamValue::Date(d) => {
                                format!("{name} = {}", crate::api::labels::when(*d))
                            }
                            _ => match v.masked_json() {
                                serde_json::Value::String(s) => format!("{name} = {s}"),
                                other => format!("{name} = {other}"),
                            },
                        })
                        .collect();
                    format!("{} with {}", form.summary, inputs.join(", "))
                }
                _ => form.summary,
            };
            self.overlay = Some(Overlay::Dialog(Dialog::Confirm(confirm(
                form.action,
                form.targets,
                params,
                summary,
                form.listed,
                form.risk,
            ))));
            return;
        }
        let n = form.replaces();
        if n == 0 {
            return self.confirmed(ActionId::SnapshotCreate, form.targets, params);
        }
        let summary = match form.targets.len() {
            1 => format!("{} and lose its existing snapshot", form.summary),
            _ => format!(
                "{}, losing {n} existing snapshot{}",
                form.summary,
                if n == 1 { "" } else { "s" }
            ),
        };
        // The one-target form lists nothing unless there is something to say; here there is.
        let listed = match form.listed.is_empty() {
            true => self.listed(
                ActionId::SnapshotCreate,
                &form.targets.iter().map(|t| t.entry).collect::<Vec<_>>(),
                &form.targets,
                &[],
            ),
            false => form.listed,
        };
        self.overlay = Some(Overlay::Dialog(Dialog::Confirm(confirm(
            ActionId::SnapshotCreate,
            form.targets,
            params,
            summary,
            listed,
            Risk::Destructive,
        ))));
    }

    /// "Power off VM web-01" or "Power off 12 VMs in 3 vApps"; with several endpoints, one
    /// target says which it is on: a vCD VM and its vCenter VM share their name.
    fn summary(&self, label: &str, targets: &[Target]) -> String {
        if let [t] = targets {
            let on = match &self.endpoints[..] {
                [_, _, ..] => format!(" on {}", self.endpoints[t.endpoint].label),
                _ => String::new(),
            };
            return format!("{label} {} {}{on}", t.node.kind.label(), t.node.name);
        }
        let mut kinds: Vec<NodeKind> = targets.iter().map(|t| t.node.kind).collect();
        kinds.sort();
        kinds.dedup();
        let what = kinds
            .iter()
            .map(|k| plural(targets.iter().filter(|t| t.node.kind == *k).count(), *k))
            .collect::<Vec<_>>()
            .join(" and ");
        let mut parents: Vec<EntryId> = targets
            .iter()
            .filter_map(|t| self.tree.get(t.entry).parent())
            .collect();
        parents.sort_unstable();
        parents.dedup();
        let parent_kind = parents.first().map(|&p| self.tree.get(p).node.kind);
        match parent_kind {
            Some(k) if parents.iter().all(|&p| self.tree.get(p).node.kind == k) => {
                format!("{label} {what} in {}", plural(parents.len(), k))
            }
            _ => format!("{label} {what}"),
        }
    }

    /// Keys while a dialog is open.
    pub(crate) fn on_dialog_key(&mut self, key: crossterm::event::KeyEvent) -> bool {
        let Some(Overlay::Dialog(dialog)) = &mut self.overlay else {
            return false;
        };
        match dialog.on_key(key) {
            Reply::Stay => {}
            Reply::Close => {
                if let Some(Overlay::Dialog(Dialog::Checking(c))) = &self.overlay {
                    for r in &c.pending {
                        self.invocations.lookups.remove(r);
                    }
                }
                self.overlay = None;
            }
            Reply::Choose(i) => match self.overlay.take() {
                Some(Overlay::Dialog(Dialog::Menu {
                    items,
                    entries,
                    failed,
                    ..
                })) => {
                    let item = items[i].clone();
                    self.ask(item.action, &entries, item.targets, &failed);
                }
                Some(Overlay::Dialog(Dialog::Copy { items, .. })) => self.copy(&items[i]),
                other => self.overlay = other,
            },
            Reply::Go => match self.overlay.take() {
                Some(Overlay::Dialog(Dialog::Confirm(c))) => {
                    self.confirmed(c.action, c.targets, c.params)
                }
                Some(Overlay::Dialog(Dialog::Form(f))) => self.form_confirmed(f),
                Some(Overlay::Dialog(Dialog::CancelTask { endpoint, task })) => {
                    self.cancel_confirmed(endpoint, task)
                }
                Some(Overlay::Dialog(Dialog::Quit)) => self.quit(),
                _ => {}
            },
        }
        true
    }

    fn confirmed(&mut self, action: ActionId, targets: Vec<Target>, params: ActionParams) {
        let n = targets.len();
        for target in targets {
            self.invocations.queue.push_back(Invocation {
                target,
                action,
                params: params.clone(),
            });
        }
        if n > 1 {
            self.notify(
                format!("{}: starting {n} tasks", actions::spec(action).label),
                Severity::Busy,
            );
        }
        self.start_queued();
    }

    fn start_queued(&mut self) {
        while self.invocations.running.len() < BULK_PARALLEL {
            let Some(inv) = self.invocations.queue.pop_front() else {
                break;
            };
            let req = self.req();
            self.effects.push(Effect::Invoke {
                req,
                endpoint: inv.target.endpoint,
                node: inv.target.node.clone(),
                action: inv.target.offer.clone(),
                params: inv.params.clone(),
            });
            self.invocations.running.insert(req, inv);
        }
    }

    fn audit_record(
        &self,
        endpoint: EndpointId,
        target_id: &str,
        target_name: &str,
        action: &str,
        params: serde_json::Value,
    ) -> AuditRecord {
        let ep = &self.endpoints[endpoint];
        AuditRecord {
            // Stamped by the executor when it writes the line.
            timestamp: String::new(),
            endpoint: ep
                .info
                .as_ref()
                .map(|i| i.url.clone())
                .unwrap_or_else(|| ep.label.clone()),
            user: ep.info.as_ref().map(|i| i.user.clone()).unwrap_or_default(),
            target_id: target_id.to_string(),
            target_name: target_name.to_string(),
            action: action.to_string(),
            parameters: params,
            task_id: None,
            result: String::new(),
        }
    }

    pub(crate) fn on_invoked(
        &mut self,
        req: ReqId,
        endpoint: EndpointId,
        result: Result<TaskInfo, ApiError>,
    ) -> bool {
        let Some(inv) = self.invocations.running.remove(&req) else {
            return false;
        };
        let (label, _) = dlg::label_of(inv.action, Some(&inv.target.offer));
        let mut record = self.audit_record(
            endpoint,
            &inv.target.node.id.as_str(),
            &inv.target.node.name,
            &label,
            params_json(&inv.params),
        );
        match result {
            Ok(mut task) => {
                // A task the server does not tie to an entity (an Orchestrator run) is about
                // the node it was started on: the pane names it and its end re-reads it.
                task.target.get_or_insert_with(|| TaskTarget {
                    kind: inv.target.node.kind,
                    id: inv.target.node.id.as_str().into(),
                    name: inv.target.node.name.as_str().into(),
                });
                // The pane says what the menu and the confirmation said ("Power on", not the
                // "Deploy" vCD names a vApp's power-on task); a described action's run keeps
                // the server's word ("Run workflow"), its target naming the workflow.
                if inv.target.offer.described.is_none() {
                    task.operation = label.clone();
                }
                record.task_id = Some(task.id.to_string());
                let key = (endpoint, task.id.clone());
                let terminal = task.state.is_terminal();
                self.invocations.audits.entry(key).or_default().push(record);
                self.track_task(endpoint, task.clone(), true);
                if terminal {
                    self.task_ended(endpoint, &task);
                    self.refresh_node(endpoint, &inv.target.node.id.as_str());
                }
            }
            Err(e) => {
                self.notify(
                    format!("{label} {}: {e}", inv.target.node.name),
                    Severity::Error,
                );
                record.result = format!("failed: {e}");
                self.effects.push(Effect::Audit(record));
            }
        }
        self.start_queued();
        true
    }

    /// The audit log could not be written: the action did not start.
    pub(crate) fn on_audit_failed(&mut self, req: ReqId, msg: String) -> bool {
        let what = match self.invocations.running.remove(&req) {
            Some(inv) => format!(
                "{} {} NOT started: {msg}",
                actions::spec(inv.action).label,
                inv.target.node.name
            ),
            None => msg,
        };
        self.notify(what, Severity::Error);
        self.start_queued();
        true
    }

    /// `q` or Ctrl-C: quits, but asks first while actions of this session are not over.
    pub(crate) fn ask_quit(&mut self) {
        match self.invocations.unfinished() {
            (0, 0) => self.quit(),
            _ => self.overlay = Some(Overlay::Dialog(Dialog::Quit)),
        }
    }

    /// Leaving with tasks still running: their audit lines say so rather than vanish.
    pub(crate) fn quit(&mut self) {
        for (_, records) in self.invocations.audits.drain() {
            for mut record in records {
                record.result = "still running when vnav exited".to_string();
                self.effects.push(Effect::Audit(record));
            }
        }
        self.quit = true;
        self.effects.push(Effect::Quit);
    }

    /// Writes the audit line of a vnav-started task that reached its end.
    pub(crate) fn task_ended(&mut self, endpoint: EndpointId, task: &TaskInfo) {
        let key = (endpoint, task.id.clone());
        for mut record in self.invocations.audits.remove(&key).unwrap_or_default() {
            record.result = match &task.error {
                Some(err) => format!("{}: {err}", task.state.label()),
                None => task.state.label().to_string(),
            };
            self.effects.push(Effect::Audit(record));
        }
    }

    /// `c` on a task: confirm first (y/N).
    pub(crate) fn ask_cancel(&mut self, endpoint: EndpointId, task: TaskInfo) -> bool {
        if self.is_read_only(endpoint) {
            self.notify("read-only: cancelling tasks is disabled", Severity::Warn);
        } else if task.state.is_terminal() {
            self.notify("the task has already ended", Severity::Warn);
        } else if task.cancel.is_none() {
            self.notify(
                "the server does not allow cancelling this task",
                Severity::Warn,
            );
        } else {
            self.overlay = Some(Overlay::Dialog(Dialog::CancelTask { endpoint, task }));
        }
        true
    }

    fn cancel_confirmed(&mut self, endpoint: EndpointId, task: TaskInfo) {
        let req = self.req();
        self.invocations
            .cancels
            .insert(req, (endpoint, task.clone()));
        self.effects.push(Effect::CancelTask {
            req,
            endpoint,
            task,
        });
    }

    pub(crate) fn on_cancelled(&mut self, req: ReqId, result: Result<(), ApiError>) -> bool {
        let Some((endpoint, task)) = self.invocations.cancels.remove(&req) else {
            return false;
        };
        let (target_id, target_name) = task
            .target
            .as_ref()
            .map(|t| (t.id.to_string(), t.name.to_string()))
            .unwrap_or_default();
        let mut record = self.audit_record(
            endpoint,
            &target_id,
            &target_name,
            "Cancel task",
            serde_json::json!({ "operation": task.operation }),
        );
        record.task_id = Some(task.id.to_string());
        match result {
            Ok(()) => {
                record.result = "cancel requested".into();
                let what = match &task.target {
                    Some(t) => format!("{} {}", task.operation, t.name),
                    None => task.operation.clone(),
                };
                self.notify(format!("cancel requested: {what}"), Severity::Warn);
                self.poll_now(endpoint, &task.id);
            }
            Err(e) => {
                record.result = format!("failed: {e}");
                self.notify(format!("cancel failed: {e}"), Severity::Error);
            }
        }
        self.effects.push(Effect::Audit(record));
        true
    }

    /// Every action on screen right now, for the help screen: hidden ones stay hidden.
    pub fn visible_actions(&self) -> Vec<&'static actions::ActionSpec> {
        let read_only = self.selection_read_only();
        actions::ACTIONS
            .iter()
            .filter(|a| actions::allowed(a, read_only))
            .collect()
    }

    /// Whether the endpoint of the selected node (or the whole session) is read-only.
    pub fn selection_read_only(&self) -> bool {
        self.read_only
            || self.cursor.selected.is_some_and(|s| {
                !self.is_all_snapshots(s) && self.is_read_only(self.tree.get(s).endpoint())
            })
    }
}
