//! The `:` command line: what can be typed there, Tab completion, ↑/↓ history, and running a
//! command (`:vm web @prod` opens a table, `:goto 10.0.0.7` jumps, `:sort cpu`, `:q`, …). An
//! unknown command says so and suggests the closest known one.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::App;
use super::tree::Load;
use crate::api::columns;
use crate::api::model::{NodeKind, Severity};

/// Every command, with what it does (for completion and the `?` help).
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "vm",
        "table of every VM on every endpoint (`:vm web`, `:vm @ctx`)",
    ),
    ("vapp", "table of every vApp"),
    ("host", "table of every host"),
    ("cluster", "table of every cluster"),
    ("datastore", "table of every datastore"),
    ("network", "table of every network"),
    ("org", "table of every organization"),
    ("vdc", "table of every VDC"),
    ("alerts", "table of every alert (Aria Operations)"),
    ("workflows", "table of every workflow (Orchestrator)"),
    (
        "snapshots",
        "the snapshot view: VMs with snapshots, oldest first",
    ),
    ("tasks", "focus the task pane"),
    (
        "goto",
        "jump to the object whose name, id, href, moid or IP matches",
    ),
    (
        "sort",
        "sort the table by a column (`:sort cpu`, again to reverse)",
    ),
    (
        "readonly",
        "turn read-only mode on or off (a context's own stays on)",
    ),
    (
        "ctx",
        "list the contexts (`:ctx`), or go to one and connect it (`:ctx prod`)",
    ),
    (
        "theme",
        "switch the colour theme (`:theme light`; Tab lists them)",
    ),
    ("tree", "back to the tree"),
    ("q", "quit vnav"),
];

/// The node kind a table command lists (`:vm`, `:vms`, `:alerts`, …).
pub fn table_kind(name: &str) -> Option<NodeKind> {
    columns::kind_named(name)
}

/// The line being typed and what was typed before.
#[derive(Default)]
pub struct CommandLine {
    pub open: bool,
    pub text: String,
    /// Completions of the word being typed when Tab found more than one.
    pub hint: Vec<String>,
    /// Earlier commands, oldest first.
    pub history: Vec<String>,
    /// Where ↑/↓ stand in `history` (None: on the line being typed).
    recall: Option<usize>,
    /// The line being typed before ↑ replaced it, for ↓ past the newest.
    draft: String,
}

/// The closest of `names` to `word` (edit distance), if any is close enough to be a fair guess.
pub fn closest<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    names
        .into_iter()
        .map(|n| (strsim::damerau_levenshtein(word, n), n))
        .filter(|(d, n)| *d <= (n.len().max(word.len()) / 2).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn unknown_theme(name: &str, known: &[String]) -> String {
    match closest(name, known.iter().map(String::as_str)) {
        Some(c) => format!("no theme {name} — did you mean {c}?"),
        None => format!("no theme {name} (themes: {})", known.join(", ")),
    }
}

/// An endpoint label as `@` takes it: lower case, spaces as `-` ("demo vCD" → "demo-vcd").
pub fn at_label(label: &str) -> String {
    label.to_lowercase().replace(' ', "-")
}

/// The longest prefix every one of `words` shares.
fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut len = first.len();
    for w in &words[1..] {
        len = first
            .bytes()
            .zip(w.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    first[..len].to_string()
}

impl App {
    pub(crate) fn open_command_line(&mut self) -> bool {
        let c = &mut self.command;
        c.open = true;
        c.text.clear();
        c.hint.clear();
        c.recall = None;
        // The themes folder again (a directory listing, done by the runtime): a theme saved
        // while vnav runs is completed by `:theme` like those there at start.
        if let Some(dir) = &self.themes_dir {
            let dir = dir.clone();
            self.effects.push(super::event::Effect::ListThemes { dir });
        }
        true
    }

    pub(crate) fn on_command_key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => self.command.open = false,
            KeyCode::Char('c') if ctrl => self.command.open = false,
            KeyCode::Char('u') if ctrl => self.command.text.clear(),
            KeyCode::Enter => {
                self.command.open = false;
                let line = self.command.text.trim().to_string();
                if !line.is_empty() {
                    if self.command.history.last() != Some(&line) {
                        self.command.history.push(line.clone());
                    }
                    self.run_command(&line);
                }
            }
            KeyCode::Backspace => {
                // Backspace on an empty line leaves it, as in k9s and vim.
                if self.command.text.pop().is_none() {
                    self.command.open = false;
                }
                self.command.hint.clear();
            }
            KeyCode::Tab => self.complete(),
            KeyCode::Up => self.recall(true),
            KeyCode::Down => self.recall(false),
            KeyCode::Char(c) if !ctrl => {
                self.command.text.push(c);
                self.command.hint.clear();
            }
            _ => return false,
        }
        true
    }

    fn recall(&mut self, older: bool) {
        let c = &mut self.command;
        if c.history.is_empty() {
            return;
        }
        let next = match (c.recall, older) {
            (None, true) => {
                c.draft = c.text.clone();
                Some(c.history.len() - 1)
            }
            (None, false) => None,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < c.history.len() => Some(i + 1),
            (Some(_), false) => None,
        };
        c.recall = next;
        c.text = match next {
            Some(i) => c.history[i].clone(),
            None => std::mem::take(&mut c.draft),
        };
    }

    /// Completes the word under the cursor (the end of the line): a command name first, then
    /// a column after `:sort`, an endpoint after `@`.
    fn complete(&mut self) {
        let text = self.command.text.clone();
        let (head, word) = match text.rfind(' ') {
            Some(i) => (&text[..=i], &text[i + 1..]),
            None => ("", text.as_str()),
        };
        let first = text.split_whitespace().next().unwrap_or("");
        let candidates: Vec<String> = if head.is_empty() {
            COMMANDS.iter().map(|(n, _)| n.to_string()).collect()
        } else if word.starts_with('@') {
            self.endpoints
                .iter()
                .map(|e| format!("@{}", at_label(&e.label)))
                .collect()
        } else if first == "ctx" {
            self.context_names()
        } else if first == "theme" {
            self.theme_names()
        } else if first == "sort" {
            let cols = match &self.table {
                Some(t) => t.columns(),
                None => self.columns.of(NodeKind::Vm),
            };
            cols.iter().map(|c| c.key.to_string()).collect()
        } else {
            Vec::new()
        };
        let matching: Vec<String> = candidates
            .into_iter()
            .filter(|c| c.starts_with(word))
            .collect();
        match matching.len() {
            0 => self.command.hint.clear(),
            1 => {
                self.command.text = format!("{head}{} ", matching[0]);
                self.command.hint.clear();
            }
            _ => {
                self.command.text = format!("{head}{}", common_prefix(&matching));
                self.command.hint = matching;
            }
        }
    }

    /// Runs one command line (without its `:`).
    pub fn run_command(&mut self, line: &str) {
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else {
            return;
        };
        let rest: Vec<&str> = words.collect();
        if let Some(kind) = table_kind(name) {
            let (scope, text): (Vec<&str>, Vec<&str>) =
                rest.iter().partition(|w| w.starts_with('@'));
            let only = match scope.first() {
                Some(label) => match self.endpoint_by_label(&label[1..]) {
                    Some(e) => Some(e),
                    None => {
                        let known: Vec<String> =
                            self.endpoints.iter().map(|e| at_label(&e.label)).collect();
                        let hint = closest(&label[1..], known.iter().map(String::as_str))
                            .map(|c| format!(" (did you mean @{c}?)"))
                            .unwrap_or_default();
                        self.notify(format!("no endpoint {label}{hint}"), Severity::Warn);
                        return;
                    }
                },
                None => None,
            };
            self.open_table(kind, text.join(" "), only);
            return;
        }
        match name {
            "goto" | "go" => match rest.join(" ") {
                t if t.is_empty() => {
                    self.notify("goto what? (:goto <name, id or IP>)", Severity::Warn)
                }
                t => self.goto(&t),
            },
            "sort" => match rest.first() {
                Some(col) => self.sort_table_by(col),
                None => self.notify("sort by which column? (:sort <column>)", Severity::Warn),
            },
            "snapshots" | "snapshot" => self.open_snapshot_view(),
            "tasks" | "task" => {
                self.close_table();
                self.focus = super::Pane::Tasks;
            }
            "ctx" | "context" => match rest.first() {
                Some(name) => self.switch_context(name),
                None => self.list_contexts(),
            },
            "theme" => match rest.first() {
                Some(name) => self.switch_theme(name),
                None => {
                    let names = self.theme_names();
                    let msg = format!("theme {} (themes: {})", self.theme.name, names.join(", "));
                    self.notify(msg, Severity::Neutral);
                }
            },
            "tree" => self.close_table(),
            "readonly" | "ro" => {
                self.read_only = !self.read_only;
                let state = if self.read_only { "on" } else { "off" };
                self.notify(format!("read-only mode {state}"), Severity::Ok);
            }
            "q" | "quit" | "q!" => self.ask_quit(),
            unknown => {
                let names = COMMANDS.iter().map(|(n, _)| *n);
                let msg = match closest(unknown, names) {
                    Some(c) => format!("unknown command :{unknown} — did you mean :{c}?"),
                    None => format!("unknown command :{unknown} (Tab lists the commands)"),
                };
                self.notify(msg, Severity::Warn);
            }
        }
    }

    /// The contexts `:ctx` knows: those opened (each an endpoint of the tree), then the
    /// config's others.
    fn context_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.endpoints.iter().map(|e| at_label(&e.label)).collect();
        for c in &self.contexts {
            if !names.contains(&at_label(c)) {
                names.push(at_label(c));
            }
        }
        names
    }

    /// `:ctx`: every context and where it stands: connected, connecting, failed, not
    /// connected, or not opened in this run.
    fn list_contexts(&mut self) {
        let mut parts: Vec<String> = self
            .endpoints
            .iter()
            .map(|e| {
                let state = match (&e.info, self.tree.get(e.root).load()) {
                    (Some(_), _) => "● connected",
                    (None, Load::Loading { .. }) => "connecting…",
                    (None, Load::Failed(_)) => "✗ failed",
                    (None, _) => "not connected",
                };
                format!("{} {state}", e.label)
            })
            .collect();
        let opened: Vec<String> = self.endpoints.iter().map(|e| at_label(&e.label)).collect();
        parts.extend(
            self.contexts
                .iter()
                .filter(|c| !opened.contains(&at_label(c)))
                .map(|c| match self.contexts_opening.contains(c) {
                    true => format!("{c} opening…"),
                    false => format!("{c} not opened (:ctx {c})"),
                }),
        );
        match parts.is_empty() {
            true => self.notify("no contexts", Severity::Neutral),
            false => self.notify(
                format!("contexts: {}", parts.join(" · ")),
                Severity::Neutral,
            ),
        }
    }

    /// `:ctx <name>`: the cursor to that context's endpoint in the tree (out of a table), and
    /// a connection when it has none and none is on its way. The tree keeps every context
    /// opened: switching adds nothing and removes nothing.
    fn switch_context(&mut self, name: &str) {
        let Some(endpoint) = self.endpoint_by_label(name) else {
            let known = self.context_names();
            let msg = match self
                .contexts
                .iter()
                .find(|c| at_label(c) == name.to_lowercase())
                .cloned()
            {
                // A context of the config this vnav was not started with: the runtime builds
                // its client (password from its command or variable, as at start-up).
                Some(c) if self.contexts_opening.contains(&c) => format!("{c}: opening…"),
                Some(c) => {
                    self.notify(format!("{c}: opening…"), Severity::Neutral);
                    self.contexts_opening.push(c.clone());
                    self.effects
                        .push(super::event::Effect::OpenContext { name: c });
                    return;
                }
                None => match closest(name, known.iter().map(String::as_str)) {
                    Some(c) => format!("no context {name} — did you mean {c}?"),
                    None => format!("no context {name} (one of {})", known.join(", ")),
                },
            };
            self.notify(msg, Severity::Warn);
            return;
        };
        self.close_table();
        let root = self.endpoints[endpoint].root;
        let label = self.endpoints[endpoint].label.clone();
        if self.cursor.selected != Some(root) {
            self.cursor.selected = Some(root);
            self.selection_changed();
        }
        self.scroll_to_selection();
        let idle = !matches!(self.tree.get(root).load(), Load::Loading { .. });
        if self.endpoints[endpoint].info.is_none() && idle {
            // As Ctrl-R on the endpoint: connect, or first ask for a password it refused.
            self.notify(format!("{label}: connecting"), Severity::Neutral);
            self.load_children(root);
        } else {
            self.notify(format!("context {label}"), Severity::Ok);
        }
    }

    /// A context `:ctx` asked for is open: a new endpoint at the end of the tree, the cursor
    /// on it, connecting — or, when its config gives no password, the password prompt first
    /// (the terminal belongs to the UI, so nothing is asked on it).
    pub(crate) fn context_opened(
        &mut self,
        name: &str,
        endpoint: super::tree::EndpointId,
        result: Result<(super::EndpointSpec, Option<crate::config::PasswordSource>), String>,
    ) {
        self.contexts_opening.retain(|c| c != name);
        let (spec, source) = match result {
            Ok(_) if endpoint >= super::tree::MAX_ENDPOINTS => {
                let max = super::tree::MAX_ENDPOINTS;
                return self.notify(
                    format!("context {name}: vnav holds at most {max} endpoints"),
                    Severity::Error,
                );
            }
            Ok(opened) if endpoint == self.endpoints.len() => opened,
            Ok(_) => {
                // The runtime and the app disagree on endpoint numbers: never send one
                // endpoint's requests to another's client.
                let msg = format!("context {name}: opened out of order, not used");
                return self.notify(msg, Severity::Error);
            }
            Err(e) => return self.notify(e, Severity::Error),
        };
        let mut root = spec.root;
        root.expandable = true;
        let label = spec.label;
        self.endpoints.push(super::Endpoint {
            label: label.clone(),
            root: self.tree.add_root(endpoint, root),
            info: None,
            insecure: spec.insecure,
            read_only: spec.read_only,
            password_source: None,
            login_refused: false,
        });
        if let Some(all) = &mut self.all_snapshots {
            all.add_endpoint();
            let name = super::all_snapshots::AllSnapshots::root_node(self.endpoints.len()).name;
            self.tree.get_mut(all.root).node.name = name;
        }
        let root = self.endpoints[endpoint].root;
        self.close_table();
        self.cursor.selected = Some(root);
        self.selection_changed();
        match source {
            Some(source) => {
                self.set_password_source(endpoint, source);
                self.notify(format!("{label}: connecting"), Severity::Neutral);
                self.connect(endpoint);
            }
            None => {
                let ep = &mut self.endpoints[endpoint];
                ep.password_source = Some(crate::config::PasswordSource::Prompt);
                ep.login_refused = true;
                self.open_password_prompt(endpoint, format!("{label}: no password given"));
            }
        }
        self.tree.refresh_visible();
        self.scroll_to_selection();
    }

    /// The themes `:theme` offers: the built-in ones, then the user's (a user theme with a
    /// built-in name replaces it, as `Theme::load` does).
    fn theme_names(&self) -> Vec<String> {
        let mut names: Vec<String> = crate::theme::builtin_names().map(str::to_string).collect();
        for n in &self.user_themes {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        names
    }

    /// `:theme <name>`: a theme, live, in the terminal's colours (16, none, …) as the one it
    /// replaces. A user theme file (`<config dir>/themes/<name>.toml`) is read by the runtime
    /// (`Effect::LoadTheme`): the app does no I/O; the built-in ones are in the binary.
    fn switch_theme(&mut self, name: &str) {
        let known = self.theme_names();
        let user = self.user_themes.iter().any(|n| n == name);
        match (&self.themes_dir, user) {
            (Some(dir), _) if user || !known.iter().any(|n| n == name) => {
                let dir = dir.clone();
                self.effects.push(super::event::Effect::LoadTheme {
                    name: name.to_string(),
                    dir,
                });
            }
            _ if known.iter().any(|n| n == name) => {
                self.theme_loaded(name, crate::theme::Theme::load(name, None));
            }
            _ => self.notify(unknown_theme(name, &known), Severity::Warn),
        }
    }

    /// A theme read for `:theme name`: in use at once, or the reason it is not.
    pub(crate) fn theme_loaded(&mut self, name: &str, result: Result<crate::theme::Theme, String>) {
        match result {
            Ok(theme) => {
                self.theme = theme.fitted(self.theme.depth());
                self.notify(format!("theme {}", self.theme.name), Severity::Ok);
            }
            // A name that is no theme at all: say which are, with the closest.
            Err(_) if !self.theme_names().iter().any(|n| n == name) => {
                let known = self.theme_names();
                self.notify(unknown_theme(name, &known), Severity::Warn);
            }
            Err(e) => self.notify(e, Severity::Error),
        }
    }

    /// The endpoint a `@label` names: its label with spaces written as `-`, any case; else the
    /// only label containing it.
    fn endpoint_by_label(&self, label: &str) -> Option<usize> {
        let want = label.to_lowercase();
        let labels: Vec<String> = self.endpoints.iter().map(|e| at_label(&e.label)).collect();
        if let Some(i) = labels.iter().position(|l| *l == want) {
            return Some(i);
        }
        let mut containing = labels.iter().enumerate().filter(|(_, l)| l.contains(&want));
        match (containing.next(), containing.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_guesses_typos_and_not_nonsense() {
        let names = COMMANDS.iter().map(|(n, _)| *n);
        assert_eq!(closest("hots", names.clone()), Some("host"));
        assert_eq!(closest("datastor", names.clone()), Some("datastore"));
        assert_eq!(closest("xyzzyplugh", names), None);
        assert_eq!(common_prefix(&["vapp".into(), "vdc".into()]), "v");
    }
}
