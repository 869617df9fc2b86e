//! `y`: copy what identifies the selected node — its name, the ids its server uses, or a
//! command that fetches it from a shell — to the clipboard, from a small menu. The choices come
//! from the backend (`Details::copies`); the app only offers them.

use super::dialog::Dialog;
use super::event::Effect;
use super::{App, DetailState, Overlay};
use crate::api::model::Severity;

impl App {
    pub(crate) fn open_copy_menu(&mut self) -> bool {
        let Some(e) = self.selected_entry() else {
            return false;
        };
        let mut items = vec![("name".to_string(), e.node.name.to_string())];
        match &self.detail.state {
            DetailState::Loaded(d) if self.detail.entry == self.cursor.selected => {
                items.extend(d.copies.iter().cloned());
            }
            DetailState::Loading => self.notify(
                "details still loading: only the name to copy yet",
                Severity::Warn,
            ),
            _ => {}
        }
        self.overlay = Some(Overlay::Dialog(Dialog::Copy { items, selected: 0 }));
        true
    }

    /// `Y`: the selected node as the command its product's users reach for — govc where there
    /// is one (vCenter), else curl — copied at once, without the menu.
    pub(crate) fn copy_as_command(&mut self) -> bool {
        if self.cursor.selected.is_none() {
            return false;
        }
        let d = match &self.detail.state {
            DetailState::Loaded(d) if self.detail.entry == self.cursor.selected => d.clone(),
            DetailState::Loading | DetailState::Loaded(_) => {
                self.notify(
                    "details still loading: Y copies once they are read",
                    Severity::Warn,
                );
                return true;
            }
            _ => {
                self.notify("nothing to copy as a command here", Severity::Warn);
                return true;
            }
        };
        let pick = ["govc", "curl", "PowerCLI"]
            .iter()
            .find_map(|want| d.copies.iter().find(|(label, _)| label == want));
        match pick {
            Some(item) => self.copy(&item.clone()),
            None => self.notify("no command to copy for this node", Severity::Warn),
        }
        true
    }

    pub(crate) fn copy(&mut self, (label, text): &(String, String)) {
        self.effects.push(Effect::Copy(text.clone()));
        self.notify(
            format!("copied {label} ({} characters)", text.chars().count()),
            Severity::Ok,
        );
    }
}
