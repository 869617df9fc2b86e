//! The columns `vnav dump` and `vnav ls` can write, and each one's value for a node. Values are
//! what the server said, never relative to now (a snapshot's creation time, not its age), so
//! two dumps of the same estate are byte for byte the same.

use time::format_description::well_known::Rfc3339;

use super::output::{Cell, Column};
use crate::api::model::{Node, NodeKind};

const fn col(id: &'static str, title: &'static str) -> Column {
    Column { id, title }
}

/// Every column, in the default order of `vnav dump`.
pub const COLUMNS: [Column; 15] = [
    col("name", "NAME"),
    col("kind", "KIND"),
    col("endpoint", "ENDPOINT"),
    col("path", "PATH"),
    col("id", "ID"),
    col("state", "STATE"),
    col("place", "VAPP/HOST"),
    col("cpu", "CPU"),
    col("memory_mib", "MEMORY MIB"),
    col("os", "GUEST OS"),
    col("ip", "IP"),
    col("owner", "OWNER"),
    col("snapshot_created", "SNAPSHOT CREATED"),
    col("snapshot_bytes", "SNAPSHOT BYTES"),
    col("summary", "SUMMARY"),
];

/// What `vnav ls` shows unless told otherwise.
pub const LS_DEFAULT: [&str; 5] = ["name", "kind", "state", "summary", "id"];

/// A column by its id, for `--columns` (clap reports the error, with the known ids).
pub fn column_arg(s: &str) -> Result<Column, String> {
    let s = s.trim().to_ascii_lowercase();
    COLUMNS.iter().copied().find(|c| c.id == s).ok_or_else(|| {
        let known: Vec<&str> = COLUMNS.iter().map(|c| c.id).collect();
        format!("unknown column {s:?} (known: {})", known.join(", "))
    })
}

/// The kinds `--kind` takes: the kind's label in lower case without spaces (`vm`, `vapp`,
/// `host`, `resourcepool`, …).
pub fn kind_name(kind: NodeKind) -> String {
    kind.label().to_ascii_lowercase().replace(' ', "")
}

const KINDS: [NodeKind; 20] = [
    NodeKind::Org,
    NodeKind::Vdc,
    NodeKind::VApp,
    NodeKind::Vm,
    NodeKind::Catalog,
    NodeKind::CatalogItem,
    NodeKind::VAppTemplate,
    NodeKind::Media,
    NodeKind::Network,
    NodeKind::Datacenter,
    NodeKind::Cluster,
    NodeKind::Host,
    NodeKind::Datastore,
    NodeKind::Folder,
    NodeKind::ResourcePool,
    NodeKind::Snapshot,
    NodeKind::Other,
    NodeKind::AdapterInstance,
    NodeKind::Resource,
    NodeKind::Alert,
];

pub fn kind_arg(s: &str) -> Result<NodeKind, String> {
    let wanted = s.trim().to_ascii_lowercase().replace([' ', '-', '_'], "");
    KINDS
        .iter()
        .copied()
        .find(|k| kind_name(*k) == wanted)
        .ok_or_else(|| {
            let known: Vec<String> = KINDS.iter().map(|k| kind_name(*k)).collect();
            format!("unknown kind {s:?} (known: {})", known.join(", "))
        })
}

/// Where a row sits: its endpoint's label, its path, and its parent in the tree.
pub struct Place<'a> {
    pub endpoint: &'a str,
    pub path: &'a str,
    pub parent: Option<&'a Node>,
}

/// One node's value in a column.
pub fn cell(column: &Column, node: &Node, at: &Place) -> Cell {
    let facts = node.facts.as_ref();
    let text = |f: fn(&crate::api::model::VmFacts) -> &str| Cell::text(facts.map(f).unwrap_or(""));
    match column.id {
        "name" => Cell::text(&*node.name),
        "kind" => Cell::text(kind_name(node.kind)),
        "endpoint" => Cell::text(at.endpoint),
        "path" => Cell::text(at.path),
        "id" => Cell::text(&*node.id.as_str()),
        // The API's own word (`POWERED_ON`): exports are for scripts, which match the API's
        // docs; the screen shows it in words (`labels::status`).
        "state" => Cell::text(&*node.status.label),
        "place" => match facts.map(|f| &*f.place).filter(|p| !p.is_empty()) {
            Some(p) => Cell::text(p),
            // A VM listed under its vApp or host lives there, whether or not the list said so.
            None => match at.parent {
                Some(p)
                    if node.kind == NodeKind::Vm
                        && matches!(p.kind, NodeKind::VApp | NodeKind::Host) =>
                {
                    Cell::text(&*p.name)
                }
                _ => Cell::Empty,
            },
        },
        "cpu" => number(facts.and_then(|f| f.cpus.get()).map(u64::from)),
        "memory_mib" => number(facts.and_then(|f| f.memory_mib.get()).map(u64::from)),
        "os" => text(|f| &f.guest_os),
        "ip" => text(|f| &f.ip),
        "owner" => text(|f| &f.owner),
        "snapshot_created" => facts
            .and_then(|f| f.snapshot_created.get())
            .and_then(|t| t.format(&Rfc3339).ok())
            .map_or(Cell::Empty, Cell::Text),
        "snapshot_bytes" => number(facts.and_then(|f| f.snapshot_bytes.get())),
        "summary" => Cell::text(&*node.summary()),
        _ => Cell::Empty,
    }
}

fn number(n: Option<u64>) -> Cell {
    n.map_or(Cell::Empty, Cell::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_a_value_and_kinds_read_back() {
        for c in COLUMNS {
            assert_eq!(column_arg(c.id), Ok(c));
        }
        assert!(
            column_arg("colour")
                .unwrap_err()
                .contains("known: name, kind")
        );
        for k in KINDS {
            assert_eq!(kind_arg(&kind_name(k)), Ok(k));
        }
        assert_eq!(kind_arg("Resource pool"), Ok(NodeKind::ResourcePool));
        assert!(kind_arg("vmm").is_err());
    }

    #[test]
    fn a_vm_under_its_vapp_takes_the_vapp_as_its_place() {
        let vapp = Node::new(NodeKind::VApp, "v1", "shop");
        let vm = Node::new(NodeKind::Vm, "m1", "web-01");
        let at = Place {
            endpoint: "prod",
            path: "/acme/gold/shop/web-01",
            parent: Some(&vapp),
        };
        let place = column_arg("place").unwrap();
        assert_eq!(cell(&place, &vm, &at), Cell::text("shop"));
        assert_eq!(cell(&column_arg("cpu").unwrap(), &vm, &at), Cell::Empty);
    }
}
