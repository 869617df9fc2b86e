//! The mouse: a click focuses the pane under it and, in the tree, selects the row (a click on
//! the selected row opens or closes it; in the task list it selects the task); the wheel
//! scrolls the pane under the pointer. Geometry comes from `App::areas`, as drawn.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::keymap::Command;
use super::{App, Pane};

/// Rows the wheel moves per notch.
const WHEEL: usize = 3;

impl App {
    pub(crate) fn on_mouse(&mut self, m: MouseEvent) -> bool {
        // Dialogs and prompts take keys only: a stray click never confirms or cancels.
        if self.overlay.is_some() || self.filter.typing || self.detail.searching {
            return false;
        }
        let at = Position::new(m.column, m.row);
        let areas = self.areas();
        let pane = [
            (Pane::Tree, areas.tree),
            (Pane::Detail, areas.detail),
            (Pane::Tasks, areas.tasks),
        ]
        .into_iter()
        .find(|(_, r)| r.contains(at));
        let Some((pane, rect)) = pane else {
            return false;
        };
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let cmd = if m.kind == MouseEventKind::ScrollDown {
                    Command::Down
                } else {
                    Command::Up
                };
                let focus = std::mem::replace(&mut self.focus, pane);
                for _ in 0..WHEEL {
                    match pane {
                        Pane::Tree => self.tree_command(cmd),
                        Pane::Detail => self.detail_command(cmd),
                        Pane::Tasks => self.task_command(cmd),
                    };
                }
                self.focus = focus;
                true
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                match pane {
                    Pane::Tree => self.click_tree(rect, m.row),
                    Pane::Tasks => self.click_task(rect, m.row),
                    Pane::Detail => {}
                }
                true
            }
            _ => false,
        }
    }

    fn click_tree(&mut self, rect: Rect, y: u16) {
        // Inside the border; the filter line, when shown, is the last row.
        let Some(line) = y.checked_sub(rect.y + 1).map(usize::from) else {
            return;
        };
        if line >= self.tree_page() {
            return;
        }
        let row = self.cursor.offset + line;
        let Some(&id) = self.tree.visible().get(row) else {
            return;
        };
        if self.cursor.selected == Some(id) {
            self.tree_command(Command::Toggle);
        } else {
            self.select_entry(id);
        }
    }

    fn click_task(&mut self, rect: Rect, y: u16) {
        // Border, then the header line, then the rows as the view scrolls them.
        let Some(line) = y.checked_sub(rect.y + 2).map(usize::from) else {
            return;
        };
        let shown = self.tasks.shown().len();
        if shown == 0 {
            return;
        }
        let rows_h = usize::from(rect.height.saturating_sub(3));
        let sel = self.tasks.selected.min(shown - 1);
        let start = sel.saturating_sub(rows_h.saturating_sub(1));
        if line < rows_h && start + line < shown {
            self.tasks.selected = start + line;
        }
    }
}
