//! `:goto <text>` (key `f`): jump to the object whose name, id/URN, href, moid or IP matches,
//! loaded or not. What the tree already holds answers at once; otherwise every connected
//! endpoint is asked (`Backend::find`) and the first good answer is opened in the tree, under
//! its endpoint's "All VMs" group, without listing the whole group, or, where the endpoint
//! can say (`Capabilities::places`), where browsing reaches it (`Backend::ancestors`).

use super::App;
use super::event::{Effect, ReqId};
use super::tree::{EndpointId, EntryId, Load};
use crate::api::ApiError;
use crate::api::model::{Node, NodeKind, Severity};

/// A `:goto` waiting for the servers.
pub struct Pending {
    pub text: String,
    /// Requests still out, by endpoint.
    pub reqs: Vec<(ReqId, EndpointId)>,
    /// The best answer so far: (rank, endpoint, node).
    pub best: Option<(u8, EndpointId, Node)>,
}

/// How exactly a node answers `text`: 0 its id, href, URN or IP, 1 its name, 2 a name that
/// begins with it, 3 one that contains it; None otherwise. Case is ignored.
pub fn goto_rank(node: &Node, text: &str) -> Option<u8> {
    let t = text.trim();
    let same = |a: &str| !a.is_empty() && a.eq_ignore_ascii_case(t);
    let id = &*node.id.as_str();
    let ip = node.facts.as_ref().map_or("", |f| &f.ip);
    // A vCenter id is `vm/vm-42`; a vCD URN ends in the uuid the href ends in.
    let tail = |s: &str| {
        s.rsplit(['/', ':'])
            .next()
            .unwrap_or(s)
            .to_ascii_lowercase()
    };
    let t_tail = tail(t);
    let id_tail = tail(id);
    if same(id)
        || same(ip)
        || (t_tail.len() > 3 && id_tail == t_tail)
        || (t_tail.len() >= 36 && id_tail.ends_with(&t_tail))
    {
        return Some(0);
    }
    let name = node.name.to_lowercase();
    let lower = t.to_lowercase();
    if name == lower {
        Some(1)
    } else if name.starts_with(&lower) {
        Some(2)
    } else if name.contains(&lower) {
        Some(3)
    } else {
        None
    }
}

impl App {
    pub(crate) fn goto(&mut self, text: &str) {
        // A found node still waiting to hear where it sits is not wanted any more.
        if let Some((req, _, _)) = self.placing.take() {
            self.abandon(req);
        }
        // What is loaded first: an exact hit needs no server.
        let mut best: Option<(u8, EntryId)> = None;
        for id in 0..self.tree.capacity() as EntryId {
            if !self.tree.is_live(id) || self.is_all_snapshots(id) {
                continue;
            }
            let node = &self.tree.get(id).node;
            if matches!(node.kind, NodeKind::Group | NodeKind::Endpoint) {
                continue;
            }
            if let Some(r) = goto_rank(node, text)
                && best.is_none_or(|(b, e)| r < b || (r == b && !self.tree.in_tree(e)))
            {
                best = Some((r, id));
            }
        }
        if let Some((r, id)) = best
            && r <= 1
        {
            // A row of a table not shown (`:vm` listed it earlier) is placed as a server's
            // answer is, not opened under "All VMs".
            let in_open_table = self.table.is_some() && self.tree.row_of(id).is_some();
            if !self.tree.in_tree(id) && !in_open_table {
                let e = self.tree.get(id);
                let (endpoint, node) = (e.endpoint(), e.node.clone());
                if self.asks_where(endpoint, &node) {
                    self.notify(format!("looking for {text}…"), Severity::Busy);
                    self.place(endpoint, node);
                    return;
                }
            }
            self.go_to_entry(id);
            return;
        }
        let mut reqs = Vec::new();
        for endpoint in 0..self.endpoints.len() {
            if self.endpoints[endpoint].info.is_some() {
                let req = self.req();
                reqs.push((req, endpoint));
                self.effects.push(Effect::Find {
                    req,
                    endpoint,
                    text: text.to_string(),
                });
            }
        }
        if reqs.is_empty() {
            match best {
                Some((_, id)) => self.go_to_entry(id),
                None => self.notify(format!("nothing matches {text}"), Severity::Warn),
            }
            return;
        }
        self.notify(format!("looking for {text}…"), Severity::Busy);
        // An older search nobody waits for any more.
        if let Some(old) = self.pending_goto.take() {
            for (req, _) in old.reqs {
                self.abandon(req);
            }
        }
        self.pending_goto = Some(Pending {
            text: text.to_string(),
            reqs,
            best: None,
        });
    }

    pub(crate) fn is_goto(&self, req: ReqId) -> bool {
        self.pending_goto
            .as_ref()
            .is_some_and(|p| p.reqs.iter().any(|(r, _)| *r == req))
    }

    pub(crate) fn on_found(&mut self, req: ReqId, result: Result<Vec<Node>, ApiError>) -> bool {
        let Some(p) = &mut self.pending_goto else {
            return false;
        };
        let Some(i) = p.reqs.iter().position(|(r, _)| *r == req) else {
            return false;
        };
        let (_, endpoint) = p.reqs.remove(i);
        // An endpoint that cannot search or failed leaves the others to answer.
        for node in result.unwrap_or_default() {
            // Equal answers go to the endpoint configured first, not the quickest to answer.
            if let Some(r) = goto_rank(&node, &p.text)
                && p.best
                    .as_ref()
                    .is_none_or(|(b, e, _)| r < *b || (r == *b && endpoint < *e))
            {
                p.best = Some((r, endpoint, node));
            }
        }
        if !p.reqs.is_empty() {
            return false;
        }
        let Some(p) = self.pending_goto.take() else {
            return false;
        };
        match p.best {
            Some((_, endpoint, node)) if self.asks_where(endpoint, &node) => {
                self.place(endpoint, node);
            }
            Some((_, endpoint, node)) => {
                let id = self.open_node(endpoint, node);
                self.toast = None;
                self.go_to_entry(id);
            }
            None => self.notify(format!("nothing matches {}", p.text), Severity::Warn),
        }
        true
    }

    /// Asks `node`'s endpoint where it sits; `on_ancestors` opens it there.
    fn place(&mut self, endpoint: EndpointId, node: Node) {
        let req = self.req();
        self.effects.push(Effect::Ancestors {
            req,
            endpoint,
            node: node.clone(),
        });
        self.placing = Some((req, endpoint, node));
    }

    /// Whether a found node is worth a read of where it sits: not loaded, and its endpoint
    /// can say (an Orchestrator's workflow sits under its category path, not its endpoint).
    fn asks_where(&self, endpoint: EndpointId, node: &Node) -> bool {
        let places = self.endpoints[endpoint]
            .info
            .as_ref()
            .is_some_and(|i| i.capabilities.places);
        places
            && !self
                .tree
                .find(endpoint, &node.id.as_str())
                .into_iter()
                .any(|e| self.tree.in_tree(e))
    }

    /// Where the found node sits: it opens there, as browsing would reach it. Each category
    /// on the way is opened (the loaded entry, else one by id) and listed if it was not, so
    /// its siblings show around it; the listings merge in around the entries opened by id.
    /// A server that cannot say leaves it under its endpoint.
    pub(crate) fn on_ancestors(&mut self, req: ReqId, result: Result<Vec<Node>, ApiError>) -> bool {
        let Some((endpoint, node)) = self
            .placing
            .take_if(|(r, _, _)| *r == req)
            .map(|(_, e, n)| (e, n))
        else {
            return false;
        };
        self.toast = None;
        let Ok(chain) = result else {
            let id = self.open_node(endpoint, node);
            self.go_to_entry(id);
            return true;
        };
        let mut parent = self.endpoints[endpoint].root;
        let mut to_list = Vec::new();
        for step in chain {
            parent = self.child_or_open(parent, step);
            to_list.push(parent);
        }
        let id = self.child_or_open(parent, node);
        // Listed after every entry on the way is open, so each listing merges around them.
        for entry in to_list {
            if matches!(
                self.tree.get(entry).load(),
                Load::NotLoaded | Load::Failed(_)
            ) {
                self.tree.set_expanded(entry, true);
                self.load_children(entry);
            }
        }
        self.go_to_entry(id);
        true
    }

    /// `parent`'s child that is `node` (same id), else `node` opened there by id.
    fn child_or_open(&mut self, parent: EntryId, node: Node) -> EntryId {
        let id = node.id.as_str();
        let found = self
            .tree
            .get(parent)
            .children
            .iter()
            .copied()
            .find(|&c| self.tree.get(c).node.id == *id);
        found.unwrap_or_else(|| self.tree.open_by_id(parent, node))
    }

    /// The tree entry of `node` on `endpoint` (a server's answer, a related row, the same VM
    /// elsewhere): the loaded one if the tree has it (outside the snapshot view if it can;
    /// never a table's hidden row), else a new entry under the endpoint's "All VMs" group
    /// (or the endpoint, for other kinds), which reloads keep.
    pub(crate) fn open_node(&mut self, endpoint: EndpointId, node: Node) -> EntryId {
        // A table's rows hang under hidden roots: never land there.
        let found: Vec<EntryId> = self
            .tree
            .find(endpoint, &node.id.as_str())
            .into_iter()
            .filter(|&e| self.tree.in_tree(e))
            .collect();
        let in_snapshot_view = |a: &App, e: EntryId| {
            a.tree
                .get(e)
                .parent()
                .is_some_and(|p| a.is_all_snapshots(p))
        };
        if let Some(&e) = found
            .iter()
            .find(|&&e| !in_snapshot_view(self, e))
            .or(found.first())
        {
            return e;
        }
        let root = self.endpoints[endpoint].root;
        let group = self
            .tree
            .get(root)
            .children
            .iter()
            .copied()
            .find(|&c| {
                let n = &self.tree.get(c).node;
                n.kind == NodeKind::Group && &*n.name == "All VMs"
            })
            .filter(|_| node.kind == NodeKind::Vm);
        self.tree.open_by_id(group.unwrap_or(root), node)
    }

    /// Shows an entry: in the open table if it is one of its rows, else in the tree.
    fn go_to_entry(&mut self, id: EntryId) {
        if self.table.is_some() && self.tree.row_of(id).is_some() {
            self.cursor.selected = Some(id);
            self.selection_changed();
            self.scroll_to_selection();
            return;
        }
        self.close_table();
        let id = match self.tree.in_tree(id) {
            true => id,
            // A table row: the same node in the tree, opened there if not loaded.
            false => {
                let e = self.tree.get(id);
                let (endpoint, node) = (e.endpoint(), e.node.clone());
                self.open_node(endpoint, node)
            }
        };
        self.focus = super::Pane::Tree;
        self.select_entry(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::VmFacts;

    #[test]
    fn ids_and_ips_beat_names_and_names_beat_parts() {
        let vm = Node::new(
            NodeKind::Vm,
            "https://vcd/api/vApp/vm-6a0b1c2d-0000-4000-8000-000000000042",
            "web-42",
        )
        .with_facts(VmFacts {
            ip: "10.1.2.3".into(),
            ..VmFacts::default()
        });
        assert_eq!(goto_rank(&vm, "10.1.2.3"), Some(0));
        assert_eq!(
            goto_rank(&vm, "urn:vcloud:vm:6a0b1c2d-0000-4000-8000-000000000042"),
            Some(0)
        );
        assert_eq!(goto_rank(&vm, "WEB-42"), Some(1));
        assert_eq!(goto_rank(&vm, "web"), Some(2));
        assert_eq!(goto_rank(&vm, "b-4"), Some(3));
        assert_eq!(goto_rank(&vm, "db"), None);
        let vc = Node::new(NodeKind::Vm, "vm/vm-42", "x");
        assert_eq!(goto_rank(&vc, "vm-42"), Some(0), "a moid");
    }
}
