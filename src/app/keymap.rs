//! The one table of key bindings. Key handling and the `?` help screen both read it, so the
//! help can never drift from what the keys do.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks the app to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Expand,
    /// Enter in the tree: open a closed node, close an open one.
    Toggle,
    Collapse,
    /// Enter in the task list: go to the task's target, or show its error in full.
    Open,
    NextPane,
    PrevPane,
    Filter,
    ClearFilter,
    ToggleRaw,
    Refresh,
    Mark,
    ClearMarks,
    ActionMenu,
    CancelTask,
    /// Answers the selected run waiting for user interaction (an Orchestrator run): its form.
    AnswerTask,
    /// Steps the task pane's filter: all, running, failed, mine.
    TaskFilter,
    Suspend,
    /// From a vCD VM to the vCenter VM behind it, or back.
    SameVm,
    /// Copy the selected node's name, ids or a command that fetches it.
    Copy,
    /// From a VM to its Aria Operations resource, or back ("insight").
    Insight,
    /// Open the `:` command line.
    CommandLine,
    /// Open the command line at `goto `.
    Goto,
    /// The next / previous row the filter matched.
    NextMatch,
    PrevMatch,
    /// Sort a table by the next / previous column, or the other way round.
    SortNext,
    SortPrev,
    SortFlip,
    /// `z`: the focused pane fills the screen, or shares it again.
    Zoom,
    /// Back and forward through the visited nodes.
    Back,
    Forward,
    /// `m` + letter: bookmark the node; `'` + letter: go to a bookmark.
    SetMark,
    GoToMark,
    /// `Y`: copy the node as its product's natural command (govc, else curl).
    CopyCommand,
    /// `/` in the detail pane: search the raw payload.
    Search,
    SearchNext,
    SearchPrev,
}

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Global,
    Tree,
    Detail,
    Tasks,
}

impl Scope {
    pub fn label(self) -> &'static str {
        match self {
            Scope::Global => "Everywhere",
            Scope::Tree => "Tree",
            Scope::Detail => "Detail",
            Scope::Tasks => "Tasks",
        }
    }
}

/// A key as written in the table: a code plus whether Ctrl is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    pub command: Command,
    pub scope: Scope,
    pub description: &'static str,
}

/// Every binding vnav has (actions on nodes come from the action table in `actions.rs`).
pub static KEYMAP: &[Binding] = &[
    Binding {
        keys: &[k('?')],
        command: Command::Help,
        scope: Scope::Global,
        description: "show this help",
    },
    Binding {
        keys: &[k('q'), ctrl('c')],
        command: Command::Quit,
        scope: Scope::Global,
        description: "quit vnav (asks first while its actions are not over)",
    },
    Binding {
        keys: &[code(KeyCode::Tab)],
        command: Command::NextPane,
        scope: Scope::Global,
        description: "focus the next pane",
    },
    Binding {
        keys: &[code(KeyCode::BackTab)],
        command: Command::PrevPane,
        scope: Scope::Global,
        description: "focus the previous pane",
    },
    Binding {
        keys: &[k('j'), code(KeyCode::Down)],
        command: Command::Down,
        scope: Scope::Global,
        description: "move down / scroll down",
    },
    Binding {
        keys: &[k('k'), code(KeyCode::Up)],
        command: Command::Up,
        scope: Scope::Global,
        description: "move up / scroll up",
    },
    Binding {
        keys: &[code(KeyCode::PageDown), ctrl('f')],
        command: Command::PageDown,
        scope: Scope::Global,
        description: "one page down",
    },
    Binding {
        keys: &[code(KeyCode::PageUp), ctrl('b')],
        command: Command::PageUp,
        scope: Scope::Global,
        description: "one page up",
    },
    Binding {
        keys: &[code(KeyCode::Home), k('g')],
        command: Command::Home,
        scope: Scope::Global,
        description: "go to the top",
    },
    Binding {
        keys: &[code(KeyCode::End), k('G')],
        command: Command::End,
        scope: Scope::Global,
        description: "go to the bottom",
    },
    Binding {
        keys: &[ctrl('z')],
        command: Command::Suspend,
        scope: Scope::Global,
        description: "suspend vnav (resume with fg)",
    },
    Binding {
        keys: &[code(KeyCode::Enter)],
        command: Command::Toggle,
        scope: Scope::Tree,
        description: "expand / collapse the node (children load on first expand)",
    },
    Binding {
        keys: &[code(KeyCode::Right), k('l')],
        command: Command::Expand,
        scope: Scope::Tree,
        description: "expand the node, or step into its first child",
    },
    Binding {
        keys: &[code(KeyCode::Left), k('h')],
        command: Command::Collapse,
        scope: Scope::Tree,
        description: "collapse the node, or go to its parent",
    },
    Binding {
        keys: &[k('/')],
        command: Command::Filter,
        scope: Scope::Tree,
        description: "filter the tree (fuzzy); Enter keeps it, Esc clears",
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        command: Command::ClearFilter,
        scope: Scope::Tree,
        description: "clear the filter",
    },
    Binding {
        keys: &[ctrl('r'), code(KeyCode::F(5))],
        command: Command::Refresh,
        scope: Scope::Tree,
        description: "reload the node and its children (retries a failed or stalled read at once)",
    },
    Binding {
        keys: &[k('y')],
        command: Command::Copy,
        scope: Scope::Tree,
        description: "copy the node's name, id/href/moid, or it as curl, govc or PowerCLI",
    },
    Binding {
        keys: &[k('Y')],
        command: Command::CopyCommand,
        scope: Scope::Tree,
        description: "copy the node as a command at once: govc for vCenter, else curl ($TOKEN)",
    },
    Binding {
        keys: &[k(' ')],
        command: Command::Mark,
        scope: Scope::Tree,
        description: "mark / unmark the node for a bulk action",
    },
    Binding {
        keys: &[k('u')],
        command: Command::ClearMarks,
        scope: Scope::Tree,
        description: "clear all marks",
    },
    Binding {
        keys: &[k('a')],
        command: Command::ActionMenu,
        scope: Scope::Tree,
        description: "actions the server offers on the node (or the marks)",
    },
    Binding {
        keys: &[k('b')],
        command: Command::SameVm,
        scope: Scope::Tree,
        description: "go to the same VM on the other side (vCD VM ↔ its vCenter VM)",
    },
    Binding {
        keys: &[k('i')],
        command: Command::Insight,
        scope: Scope::Global,
        description: "from a VM (vCenter or vCD) to its Aria Operations resource, or back",
    },
    Binding {
        keys: &[k('x')],
        command: Command::ToggleRaw,
        scope: Scope::Global,
        description: "toggle the raw XML/JSON of the entity",
    },
    Binding {
        keys: &[k(':')],
        command: Command::CommandLine,
        scope: Scope::Global,
        description: "command line: :vm :host … tables, :goto, :sort, :q (Tab completes)",
    },
    Binding {
        keys: &[k('f')],
        command: Command::Goto,
        scope: Scope::Tree,
        description: "go to an object by name, id/URN, href, moid or IP, loaded or not",
    },
    Binding {
        keys: &[k('n')],
        command: Command::NextMatch,
        scope: Scope::Tree,
        description: "next row the filter matched",
    },
    Binding {
        keys: &[k('N')],
        command: Command::PrevMatch,
        scope: Scope::Tree,
        description: "previous row the filter matched",
    },
    Binding {
        keys: &[k('>')],
        command: Command::SortNext,
        scope: Scope::Tree,
        description: "table: sort by the next column",
    },
    Binding {
        keys: &[k('<')],
        command: Command::SortPrev,
        scope: Scope::Tree,
        description: "table: sort by the previous column",
    },
    Binding {
        keys: &[k('~')],
        command: Command::SortFlip,
        scope: Scope::Tree,
        description: "table: reverse the sort",
    },
    Binding {
        keys: &[k('z')],
        command: Command::Zoom,
        scope: Scope::Global,
        description: "zoom the focused pane to the whole screen, or back",
    },
    Binding {
        keys: &[k('['), code(KeyCode::Backspace)],
        command: Command::Back,
        scope: Scope::Global,
        description: "back to the node visited before",
    },
    Binding {
        keys: &[k(']')],
        command: Command::Forward,
        scope: Scope::Global,
        description: "forward again",
    },
    Binding {
        keys: &[k('m')],
        command: Command::SetMark,
        scope: Scope::Global,
        description: "bookmark the node under the letter typed next (kept per context)",
    },
    Binding {
        keys: &[k('\'')],
        command: Command::GoToMark,
        scope: Scope::Global,
        description: "go to the bookmark of the letter typed next (opens it if not loaded)",
    },
    Binding {
        keys: &[k('/')],
        command: Command::Search,
        scope: Scope::Detail,
        description: "search the raw XML/JSON (shows it); Enter keeps the text, Esc drops it",
    },
    Binding {
        keys: &[k('n')],
        command: Command::SearchNext,
        scope: Scope::Detail,
        description: "next search match (raw view), else the next row leading elsewhere",
    },
    Binding {
        keys: &[k('N')],
        command: Command::SearchPrev,
        scope: Scope::Detail,
        description: "previous search match (raw view), else the previous such row",
    },
    Binding {
        keys: &[k('c')],
        command: Command::CancelTask,
        scope: Scope::Tasks,
        description: "cancel the selected task",
    },
    Binding {
        keys: &[k('A')],
        command: Command::AnswerTask,
        scope: Scope::Tasks,
        description: "answer the selected run waiting for input (a form of what it asks)",
    },
    Binding {
        keys: &[k('t')],
        command: Command::TaskFilter,
        scope: Scope::Tasks,
        description: "show all tasks → running → failed → mine (started here) → all",
    },
    Binding {
        keys: &[code(KeyCode::Enter)],
        command: Command::Open,
        scope: Scope::Tasks,
        description: "jump to the task's target (or show a failure in full)",
    },
    Binding {
        keys: &[code(KeyCode::Enter)],
        command: Command::Open,
        scope: Scope::Detail,
        description: "open the picked row (a related resource, an alert) in the tree",
    },
];

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    let ev_ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    if key.ctrl != ev_ctrl {
        return false;
    }
    match (key.code, ev.code) {
        // Terminals differ on whether Shift+g arrives as 'G' or as 'g' with SHIFT.
        (KeyCode::Char(a), KeyCode::Char(b)) => {
            a == b
                || (ev.modifiers.contains(KeyModifiers::SHIFT)
                    && a.is_ascii_uppercase()
                    && a == b.to_ascii_uppercase())
        }
        (a, b) => a == b,
    }
}

/// The command bound to this key in this scope (scope-specific bindings win over global).
pub fn lookup(ev: &KeyEvent, scope: Scope) -> Option<Command> {
    let find = |s: Scope| {
        KEYMAP
            .iter()
            .find(|b| b.scope == s && b.keys.iter().any(|k| matches(k, ev)))
            .map(|b| b.command)
    };
    find(scope).or_else(|| find(Scope::Global))
}

impl Command {
    /// Its name in the config's `[keys]` table: `CopyCommand` → `copy_command`.
    pub fn config_name(self) -> String {
        let mut out = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        }
        out
    }
}

/// A key as written in the config: one character (`y`, `[`), a name (`Enter`, `Esc`, `Tab`,
/// `Backspace`, `Space`, `Up`, `PgDn`, `F5`, …), either after `ctrl-`.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let (ctrl, base) = match text.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("ctrl-") && text.len() > 5 => (true, &text[5..]),
        _ => (false, text),
    };
    let mut chars = base.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => KeyCode::Char(c),
        _ => match base.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            f if f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                return Err(format!(
                    "unknown key {text:?} (a character, Enter, F5, ctrl-r, …)"
                ));
            }
        },
    };
    Ok(Key { code, ctrl })
}

/// A binding in force: the table's, with the keys the config gave it.
#[derive(Clone, Debug)]
pub struct Active {
    pub keys: Vec<Key>,
    pub command: Command,
    pub scope: Scope,
    pub description: &'static str,
}

/// The bindings in force; `?` shows these, so it shows what the config changed.
#[derive(Clone, Debug)]
pub struct Keymap {
    pub bindings: Vec<Active>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: KEYMAP
                .iter()
                .map(|b| Active {
                    keys: b.keys.to_vec(),
                    command: b.command,
                    scope: b.scope,
                    description: b.description,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The table with the config's `[keys]` (command name → keys) in place of its own keys.
    /// An unknown command or key, or a key that would mean two things in one pane (action
    /// keys included), is an error that says which.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, keys) in overrides {
            let keys = keys
                .iter()
                .map(|k| parse_key(k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("[keys] {name}: {e}"))?;
            let mut found = false;
            for b in map
                .bindings
                .iter_mut()
                .filter(|b| b.command.config_name() == *name)
            {
                b.keys = keys.clone();
                found = true;
            }
            if !found {
                let mut names: Vec<String> = map
                    .bindings
                    .iter()
                    .map(|b| b.command.config_name())
                    .collect();
                names.dedup();
                return Err(format!(
                    "[keys] {name}: no such command (one of {})",
                    names.join(", ")
                ));
            }
        }
        map.check()?;
        Ok(map)
    }

    /// No key means two things in one pane.
    pub fn check(&self) -> Result<(), String> {
        for pane in [Scope::Tree, Scope::Detail, Scope::Tasks] {
            let mut seen: Vec<(Key, String)> = Vec::new();
            for b in self
                .bindings
                .iter()
                .filter(|b| b.scope == pane || b.scope == Scope::Global)
            {
                for key in &b.keys {
                    if let Some((_, other)) = seen.iter().find(|(k, _)| k == key) {
                        return Err(format!(
                            "[keys] {} would mean both {other} and {} in the {} pane",
                            key_label(key),
                            b.command.config_name(),
                            pane.label()
                        ));
                    }
                    seen.push((*key, b.command.config_name()));
                }
            }
            if pane == Scope::Tree {
                for a in crate::app::actions::ACTIONS {
                    let Some(c) = a.key else { continue };
                    if let Some((_, other)) = seen.iter().find(|(k, _)| *k == self::k(c)) {
                        return Err(format!(
                            "[keys] {c} is the key of the action {:?}, not free for {other}",
                            a.label
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The command bound to this key in this scope (scope-specific bindings win over global).
    pub fn lookup(&self, ev: &KeyEvent, scope: Scope) -> Option<Command> {
        let find = |s: Scope| {
            self.bindings
                .iter()
                .find(|b| b.scope == s && b.keys.iter().any(|k| matches(k, ev)))
                .map(|b| b.command)
        };
        find(scope).or_else(|| find(Scope::Global))
    }
}

/// "j / ↓" style label for the help screen.
pub fn key_label(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if key.ctrl {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

pub fn keys_label(keys: &[Key]) -> String {
    keys.iter().map(key_label).collect::<Vec<_>>().join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn vim_keys_and_arrows_map_to_the_same_command() {
        for code in [KeyCode::Char('j'), KeyCode::Down] {
            assert_eq!(
                lookup(&ev(code, KeyModifiers::NONE), Scope::Tree),
                Some(Command::Down)
            );
        }
        assert_eq!(
            lookup(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT), Scope::Tree),
            Some(Command::End)
        );
        assert_eq!(
            lookup(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL), Scope::Tasks),
            Some(Command::Quit)
        );
    }

    #[test]
    fn scope_bindings_win_and_others_do_not_leak() {
        let enter = ev(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(lookup(&enter, Scope::Tree), Some(Command::Toggle));
        assert_eq!(lookup(&enter, Scope::Tasks), Some(Command::Open));
        assert_eq!(
            lookup(&ev(KeyCode::Char('c'), KeyModifiers::NONE), Scope::Tree),
            None
        );
    }

    /// Every command; the match below fails to compile when a variant is added and not listed.
    const ALL: &[Command] = &[
        Command::Quit,
        Command::Help,
        Command::Up,
        Command::Down,
        Command::PageUp,
        Command::PageDown,
        Command::Home,
        Command::End,
        Command::Expand,
        Command::Toggle,
        Command::Collapse,
        Command::Open,
        Command::NextPane,
        Command::PrevPane,
        Command::Filter,
        Command::ClearFilter,
        Command::ToggleRaw,
        Command::Refresh,
        Command::Mark,
        Command::ClearMarks,
        Command::ActionMenu,
        Command::CancelTask,
        Command::AnswerTask,
        Command::TaskFilter,
        Command::Suspend,
        Command::SameVm,
        Command::Copy,
        Command::CopyCommand,
        Command::Zoom,
        Command::Back,
        Command::Forward,
        Command::SetMark,
        Command::GoToMark,
        Command::Search,
        Command::SearchNext,
        Command::SearchPrev,
        Command::Insight,
        Command::CommandLine,
        Command::Goto,
        Command::NextMatch,
        Command::PrevMatch,
        Command::SortNext,
        Command::SortPrev,
        Command::SortFlip,
    ];

    #[allow(dead_code)]
    fn listed(c: Command) {
        match c {
            Command::Quit
            | Command::Help
            | Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::Home
            | Command::End
            | Command::Expand
            | Command::Toggle
            | Command::Collapse
            | Command::Open
            | Command::NextPane
            | Command::PrevPane
            | Command::Filter
            | Command::ClearFilter
            | Command::ToggleRaw
            | Command::Refresh
            | Command::Mark
            | Command::ClearMarks
            | Command::ActionMenu
            | Command::CancelTask
            | Command::AnswerTask
            | Command::TaskFilter
            | Command::Suspend
            | Command::SameVm
            | Command::Copy
            | Command::CopyCommand
            | Command::Zoom
            | Command::Back
            | Command::Forward
            | Command::SetMark
            | Command::GoToMark
            | Command::Search
            | Command::SearchNext
            | Command::SearchPrev
            | Command::Insight
            | Command::CommandLine
            | Command::Goto
            | Command::NextMatch
            | Command::PrevMatch
            | Command::SortNext
            | Command::SortPrev
            | Command::SortFlip => {}
        }
    }

    /// Issue 17: `?` can explain every command, because each has a key and a description,
    /// and the example config names each one that can be rebound.
    #[test]
    fn every_command_has_a_key_and_a_description() {
        for c in ALL {
            assert!(
                crate::config::EXAMPLE.contains(&c.config_name()),
                "{} not in the example config",
                c.config_name()
            );
            let b = KEYMAP.iter().find(|b| b.command == *c);
            let b = b.unwrap_or_else(|| panic!("{c:?} has no binding"));
            assert!(!b.keys.is_empty(), "{c:?} has no key");
            assert!(b.description.len() > 8, "{c:?} has no description");
        }
    }

    /// In each pane a key means one thing: its own bindings, the global ones and (in the tree)
    /// the action keys never share a key.
    #[test]
    fn no_two_commands_share_a_key_in_a_pane() {
        Keymap::default().check().unwrap();
    }

    /// Issue 17: keys are rebindable in the config; a clash or a typo is refused with why.
    #[test]
    fn the_config_rebinds_keys_and_refuses_clashes_and_typos() {
        let over = |pairs: &[(&str, &[&str])]| {
            let m: BTreeMap<String, Vec<String>> = pairs
                .iter()
                .map(|(c, ks)| (c.to_string(), ks.iter().map(|k| k.to_string()).collect()))
                .collect();
            Keymap::with_overrides(&m)
        };
        let map = over(&[("copy_command", &["ctrl-y", "F9"])]).unwrap();
        let ev = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert_eq!(
            map.lookup(
                &KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL),
                Scope::Tree
            ),
            Some(Command::CopyCommand)
        );
        assert_eq!(
            map.lookup(&ev(KeyCode::F(9)), Scope::Tree),
            Some(Command::CopyCommand)
        );
        assert_eq!(map.lookup(&ev(KeyCode::Char('Y')), Scope::Tree), None);
        let clash = over(&[("back", &["j"])]).unwrap_err();
        assert!(clash.contains("would mean both"), "{clash}");
        let action = over(&[("copy", &["o"])]).unwrap_err();
        assert!(action.contains("Power on"), "{action}");
        assert!(
            over(&[("teleport", &["t"])])
                .unwrap_err()
                .contains("no such command")
        );
        assert!(over(&[("back", &["-"])]).is_ok());
        assert!(
            over(&[("back", &["Hyper-Q"])])
                .unwrap_err()
                .contains("unknown key")
        );
        assert_eq!(Command::CopyCommand.config_name(), "copy_command");
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                let overlap = a.scope == b.scope && a.keys.iter().any(|k| b.keys.contains(k));
                assert!(!overlap, "{:?} and {:?} share a key", a.command, b.command);
            }
        }
    }
}
