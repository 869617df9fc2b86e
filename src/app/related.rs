//! Rows of the detail pane that lead to another node (an alert's resource, a resource's parents,
//! children and alerts): `n`/`N` pick one, Enter opens it in the tree. The node is selected
//! where the tree has it; one not loaded yet is opened by id under its endpoint (as `b` does),
//! so its details show at once and a reload of the endpoint keeps it.

use crate::api::model::Node;

use super::detail::{DetailRow, DetailState, detail_rows};
use super::{App, Pane, layout};

impl App {
    /// The rows of the shown details that lead somewhere: (line in the pane, node), in order.
    pub fn detail_targets(&self) -> Vec<(usize, Node)> {
        let DetailState::Loaded(d) = &self.detail.state else {
            return Vec::new();
        };
        if self.detail.raw {
            return Vec::new();
        }
        let top = self.detail_banner().len();
        detail_rows(d, self.detail_width())
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| match r {
                DetailRow::Cells { table, row, .. } => table.rows[row]
                    .target
                    .as_deref()
                    .map(|n| (top + i, n.clone())),
                _ => None,
            })
            .collect()
    }

    /// Moves the pick `step` rows on (wrapping) and scrolls so it shows.
    pub(crate) fn pick_target(&mut self, step: isize) -> bool {
        let targets = self.detail_targets();
        if targets.is_empty() {
            self.notify(
                "nothing here leads elsewhere",
                crate::api::model::Severity::Warn,
            );
            return true;
        }
        let n = targets.len() as isize;
        let pick = (self.detail.pick.min(targets.len() - 1) as isize + step).rem_euclid(n);
        self.detail.pick = pick as usize;
        let line = targets[self.detail.pick].0;
        let page = layout::inner_height(self.areas().detail).max(1);
        if line < self.detail.scroll {
            self.detail.scroll = line;
        } else if line >= self.detail.scroll + page {
            self.detail.scroll = line + 1 - page;
        }
        true
    }

    /// Enter in the detail pane: selects the picked row's node in the tree.
    pub(crate) fn open_picked(&mut self) -> bool {
        let Some(entry) = self.detail.entry else {
            return false;
        };
        let targets = self.detail_targets();
        let Some((_, node)) = targets.get(self.detail.pick.min(targets.len().saturating_sub(1)))
        else {
            return false;
        };
        let endpoint = self.tree.get(entry).endpoint();
        let target = self.open_node(endpoint, node.clone());
        self.select_entry(target);
        self.focus = Pane::Tree;
        true
    }
}
