//! Moving around the tree: cursor, paging, expand/collapse, marks, and keeping the selected
//! row on screen.

use super::App;
use super::keymap::Command;
use super::layout;
use super::tree::{EntryId, Load};

/// The tree pane's cursor: the selected entry and the first row on screen.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cursor {
    pub selected: Option<EntryId>,
    pub offset: usize,
}

impl App {
    /// Rows of the tree pane (inside its border), minus the filter line while one is shown.
    pub fn tree_page(&self) -> usize {
        let areas = self.areas();
        let filter_line = usize::from(self.filter.typing || !self.filter.query.is_empty());
        // A table has its header, and a line of notes when an endpoint has none of its rows.
        let table_lines = self
            .table
            .as_ref()
            .map_or(0, |t| 1 + usize::from(!t.notes.is_empty()));
        layout::inner_height(areas.tree)
            .saturating_sub(filter_line + table_lines)
            .max(1)
    }

    fn cursor_row(&self) -> Option<usize> {
        self.cursor.selected.and_then(|s| self.tree.row_of(s))
    }

    fn select_row(&mut self, row: usize) {
        let visible = self.tree.visible();
        if visible.is_empty() {
            return;
        }
        let row = row.min(visible.len() - 1);
        let id = visible[row];
        if self.cursor.selected != Some(id) {
            self.cursor.selected = Some(id);
            self.selection_changed();
        }
        self.scroll_to_selection();
    }

    pub(crate) fn scroll_to_selection(&mut self) {
        let page = self.tree_page();
        let Some(row) = self.cursor_row() else {
            return;
        };
        if row < self.cursor.offset {
            self.cursor.offset = row;
        } else if row >= self.cursor.offset + page {
            self.cursor.offset = row + 1 - page;
        }
        let max_offset = self.tree.visible().len().saturating_sub(page);
        self.cursor.offset = self.cursor.offset.min(max_offset);
    }

    /// After the visible rows changed: keep the selection if it is still shown, else move to
    /// the nearest visible ancestor or the first row.
    pub(crate) fn keep_selection_visible(&mut self) {
        self.follow_removed();
        let mut cur = self.cursor.selected;
        while let Some(c) = cur {
            if self.tree.row_of(c).is_some() {
                break;
            }
            cur = self.tree.get(c).parent();
        }
        let cur = cur.or_else(|| self.tree.visible().first().copied());
        if cur != self.cursor.selected {
            self.cursor.selected = cur;
            self.selection_changed();
        }
        self.scroll_to_selection();
    }

    /// If the selected entry was removed from the tree, selects the entry the tree says took
    /// its place (next sibling, else previous, else parent). Returns whether it moved.
    pub(crate) fn follow_removed(&mut self) -> bool {
        match self.cursor.selected.and_then(|s| self.tree.successor(s)) {
            Some(to) => {
                self.cursor.selected = Some(to);
                self.selection_changed();
                true
            }
            None => false,
        }
    }

    pub(crate) fn tree_command(&mut self, cmd: Command) -> bool {
        let row = self.cursor_row().unwrap_or(0);
        let page = self.tree_page();
        let last = self.tree.visible().len().saturating_sub(1);
        match cmd {
            Command::Down => self.select_row((row + 1).min(last)),
            Command::Up => self.select_row(row.saturating_sub(1)),
            Command::PageDown => self.select_row((row + page).min(last)),
            Command::PageUp => self.select_row(row.saturating_sub(page)),
            Command::Home => self.select_row(0),
            Command::End => self.select_row(last),
            Command::Expand => return self.expand_selected(),
            Command::Toggle => {
                let Some(id) = self.cursor.selected else {
                    return false;
                };
                if self.tree.get(id).expanded && !self.tree.is_filtered() {
                    self.tree.set_expanded(id, false);
                } else {
                    return self.expand_selected();
                }
            }
            Command::Collapse => self.collapse_selected(),
            Command::Refresh => return self.refresh_selected(),
            Command::ActionMenu => return self.begin(super::dialog::Intent::Menu),
            Command::Mark => {
                let Some(id) = self.cursor.selected else {
                    return false;
                };
                let on = !self.tree.get(id).is_marked();
                self.tree.set_marked(id, on);
                self.select_row((row + 1).min(last));
            }
            Command::ClearMarks => {
                for id in self.tree.marked() {
                    self.tree.set_marked(id, false);
                }
            }
            _ => return false,
        }
        true
    }

    fn expand_selected(&mut self) -> bool {
        let Some(id) = self.cursor.selected else {
            return false;
        };
        let e = self.tree.get(id);
        if !e.node.expandable {
            return false;
        }
        if e.expanded && !self.tree.is_filtered() {
            // Already open: step into the first child, like a file manager.
            if let Some(&first) = e.children.first() {
                self.cursor.selected = Some(first);
                self.selection_changed();
                self.scroll_to_selection();
            }
            return true;
        }
        let needs_load = matches!(e.load(), Load::NotLoaded | Load::Failed(_));
        self.tree.set_expanded(id, true);
        if needs_load {
            self.load_children(id);
        }
        self.tree.refresh_visible();
        self.scroll_to_selection();
        true
    }

    fn collapse_selected(&mut self) {
        let Some(id) = self.cursor.selected else {
            return;
        };
        let e = self.tree.get(id);
        if e.expanded && !self.tree.is_filtered() {
            self.tree.set_expanded(id, false);
            // A listing still running for a closed node is not wanted any more.
            if self.loading.values().any(|&entry| entry == id) {
                self.stop_loading(id);
                self.tree.abandon_load(id);
            }
        } else if let Some(parent) = e.parent() {
            self.select_entry(parent);
        }
    }

    /// Reloads the selected node's children (and details); on a failed node this is the retry.
    fn refresh_selected(&mut self) -> bool {
        let Some(id) = self.cursor.selected else {
            return false;
        };
        if self.tree.get(id).node.expandable {
            self.tree.set_expanded(id, true);
            self.load_children(id);
        }
        self.detail.forget(
            self.tree.get(id).endpoint(),
            &self.tree.get(id).node.id.as_str(),
        );
        self.selection_changed();
        // Asked for by hand (often because a read stalled): read again now, not after the
        // debounce that keeps a held `j` from firing a read per row.
        if self.detail.due.take().is_some() {
            self.request_details();
        }
        true
    }

    /// Moves the cursor to an entry, opening its ancestors (and clearing a filter that hides it).
    pub fn select_entry(&mut self, id: EntryId) {
        let mut cur = self.tree.get(id).parent();
        while let Some(p) = cur {
            self.tree.set_expanded(p, true);
            cur = self.tree.get(p).parent();
        }
        self.tree.refresh_visible();
        if self.tree.row_of(id).is_none() && self.tree.is_filtered() {
            self.filter.query.clear();
            self.filter.engine.reset();
            self.tree.set_filter(None);
            self.tree.refresh_visible();
        }
        if self.cursor.selected != Some(id) {
            self.cursor.selected = Some(id);
            self.selection_changed();
        }
        self.scroll_to_selection();
        // A jump (a task's target, the same VM, a bookmark) is a visit of its own.
        self.visited(id);
    }
}
