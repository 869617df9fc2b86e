//! Getting back to places: back and forward (`[` / `]`, Backspace) through the nodes visited
//! (those whose details were read, or that were opened or jumped to), and bookmarks (`m` +
//! letter sets, `'` + letter goes), kept per context in the state directory. The app holds
//! them and hands the file's new text to the runtime to write (`Effect::WriteState`); it never
//! touches the disk itself.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::App;
use super::event::Effect;
use super::tree::{EndpointId, EntryId};
use crate::api::model::{Node, NodeKind, Severity};

/// How many places back vnav remembers.
const DEPTH: usize = 100;

/// A node, by what survives a reload: its endpoint and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub endpoint: EndpointId,
    pub id: Box<str>,
}

#[derive(Default)]
pub struct History {
    back: Vec<Place>,
    forward: Vec<Place>,
    current: Option<Place>,
    /// Set while moving through the history, so arriving is not a new visit.
    travelling: bool,
}

impl History {
    fn visit(&mut self, place: Place) {
        if self.travelling || self.current.as_ref() == Some(&place) {
            return;
        }
        if let Some(c) = self.current.replace(place) {
            self.back.push(c);
            if self.back.len() > DEPTH {
                self.back.remove(0);
            }
        }
        self.forward.clear();
    }

    fn step(&mut self, forward: bool) -> Option<Place> {
        let (from, to) = if forward {
            (&mut self.forward, &mut self.back)
        } else {
            (&mut self.back, &mut self.forward)
        };
        let p = from.pop()?;
        if let Some(c) = self.current.replace(p.clone()) {
            to.push(c);
        }
        Some(p)
    }
}

/// One bookmark as stored: enough to open the node even before its parents are loaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bookmark {
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
}

/// The bookmarks file: context (endpoint label) → letter → bookmark.
pub type BookmarkFile = BTreeMap<String, BTreeMap<char, Bookmark>>;

/// `$XDG_STATE_HOME/vnav/bookmarks.json` (or the platform's equivalent), beside the audit log.
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "vnav")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("bookmarks.json"))
}

/// Reads the bookmarks file's text; a damaged file says why instead of losing it silently.
pub fn parse(text: &str) -> Result<BookmarkFile, String> {
    serde_json::from_str(text).map_err(|e| format!("bookmarks file unreadable: {e}"))
}

/// The two-key commands: which first key is waiting for its letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    SetMark,
    GoToMark,
}

#[derive(Default)]
pub struct Bookmarks {
    pub file: BookmarkFile,
    /// Where to write them; None keeps them for this session only (tests, no home directory).
    pub path: Option<PathBuf>,
    pub pending: Option<Pending>,
}

impl App {
    /// Called when the user has really been somewhere (details read, node opened, jumped to).
    pub(crate) fn visited(&mut self, entry: EntryId) {
        if self.is_all_snapshots(entry) {
            return;
        }
        let e = self.tree.get(entry);
        let place = Place {
            endpoint: e.endpoint(),
            id: e.node.id.as_str().into(),
        };
        self.history.visit(place);
    }

    /// `[` / Backspace and `]`.
    pub(crate) fn go_history(&mut self, forward: bool) -> bool {
        loop {
            let Some(p) = self.history.step(forward) else {
                let word = if forward { "forward" } else { "back" };
                self.notify(format!("nothing further {word}"), Severity::Muted);
                return true;
            };
            // A place whose node is gone from the tree is skipped.
            if let Some(&entry) = self.tree.find(p.endpoint, &p.id).first() {
                self.history.travelling = true;
                self.select_entry(entry);
                self.history.travelling = false;
                return true;
            }
        }
    }

    /// The first key of a bookmark command; the letter comes next (`on_pending_key`).
    pub(crate) fn begin_mark(&mut self, what: Pending) -> bool {
        self.bookmarks.pending = Some(what);
        let hint = match what {
            Pending::SetMark => "bookmark: press a letter to keep this node under",
            Pending::GoToMark => "go to bookmark: press its letter",
        };
        self.notify(hint, Severity::Muted);
        true
    }

    /// The letter after `m` or `'`; anything but a letter cancels.
    pub(crate) fn on_pending_key(&mut self, what: Pending, c: Option<char>) -> bool {
        self.bookmarks.pending = None;
        self.toast = None;
        let Some(c) = c.filter(char::is_ascii_alphabetic) else {
            return true;
        };
        match what {
            Pending::SetMark => self.set_bookmark(c),
            Pending::GoToMark => self.go_to_bookmark(c),
        }
        true
    }

    fn set_bookmark(&mut self, c: char) {
        let Some(sel) = self.cursor.selected.filter(|&s| !self.is_all_snapshots(s)) else {
            self.notify("select a node to bookmark", Severity::Warn);
            return;
        };
        let e = self.tree.get(sel);
        let context = self.endpoints[e.endpoint()].label.clone();
        let mark = Bookmark {
            id: e.node.id.to_string(),
            name: e.node.name.to_string(),
            kind: e.node.kind,
        };
        let name = mark.name.clone();
        self.bookmarks
            .file
            .entry(context.clone())
            .or_default()
            .insert(c, mark);
        self.notify(format!("'{c} goes to {name} ({context})"), Severity::Ok);
        self.save_bookmarks();
    }

    fn save_bookmarks(&mut self) {
        let Some(path) = self.bookmarks.path.clone() else {
            return;
        };
        match serde_json::to_string_pretty(&self.bookmarks.file) {
            Ok(text) => self.effects.push(Effect::WriteState { path, text }),
            Err(e) => self.notify(format!("bookmarks not saved: {e}"), Severity::Error),
        }
    }

    /// The selected node's context first, then the other connected ones.
    fn go_to_bookmark(&mut self, c: char) {
        let here = self.cursor.selected.map(|s| self.tree.get(s).endpoint());
        let mut order: Vec<EndpointId> = (0..self.endpoints.len()).collect();
        if let Some(h) = here {
            order.retain(|&e| e != h);
            order.insert(0, h);
        }
        let found = order.into_iter().find_map(|ep| {
            let label = &self.endpoints[ep].label;
            self.bookmarks
                .file
                .get(label)
                .and_then(|m| m.get(&c))
                .map(|b| (ep, b.clone()))
        });
        let Some((endpoint, mark)) = found else {
            self.notify(format!("no bookmark '{c} (m{c} sets one)"), Severity::Warn);
            return;
        };
        let entry = match self.tree.find(endpoint, &mark.id).first() {
            Some(&e) => e,
            // Not loaded yet: opened by id under its endpoint, like `b` does, so its details
            // show at once.
            None => {
                let root = self.endpoints[endpoint].root;
                let node = Node::new(mark.kind, mark.id.as_str(), mark.name.as_str());
                self.tree.open_by_id(root, node)
            }
        };
        self.select_entry(entry);
        self.focus = super::Pane::Tree;
        self.visited(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str) -> Place {
        Place {
            endpoint: 0,
            id: id.into(),
        }
    }

    #[test]
    fn back_and_forward_walk_the_visits_and_a_new_visit_drops_the_forward_ones() {
        let mut h = History::default();
        for id in ["a", "b", "c"] {
            h.visit(p(id));
        }
        h.visit(p("c"));
        assert_eq!(h.step(false), Some(p("b")));
        assert_eq!(h.step(false), Some(p("a")));
        assert_eq!(h.step(false), None);
        assert_eq!(h.step(true), Some(p("b")));
        h.visit(p("d"));
        assert_eq!(h.step(true), None);
        assert_eq!(h.step(false), Some(p("b")));
    }

    #[test]
    fn the_file_round_trips_and_a_damaged_one_says_so() {
        let mut f = BookmarkFile::new();
        f.entry("prod".into()).or_default().insert(
            'a',
            Bookmark {
                id: "vm/vm-42".into(),
                name: "web-01".into(),
                kind: NodeKind::Vm,
            },
        );
        let text = serde_json::to_string(&f).unwrap();
        assert_eq!(parse(&text).unwrap(), f);
        assert!(parse("{").unwrap_err().contains("bookmarks file"));
    }
}
