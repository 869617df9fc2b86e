//! `:goto` on an Orchestrator, with its client against the simulator: a workflow found by name
//! opens under its category path (Library/vCenter/…), each category on the way listed as
//! browsing there would list it, not under its endpoint.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::Backend;
use vnav::app::tree::Load;
use vnav::sim::VroVersion;

use crate::all_snapshots::connected;
use crate::sim_vro_support::vro_sim;
use crate::vro_client::backend;

const T: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_workflow_found_by_goto_opens_under_its_category_path() {
    for version in [VroVersion::V7, VroVersion::V8, VroVersion::V9] {
        let s = vro_sim(version).await;
        let b: Arc<dyn Backend> = Arc::new(backend(&s));
        let mut d = connected(&[("vro", b)]).await;
        assert!(d.until(T, |a| a.loading_count() == 0).await);
        let root = d.app.endpoints[0].root;
        let roots = d.app.tree.get(root).children.len();
        d.key(KeyCode::Char(':'));
        d.type_str("goto Power off virtual machine");
        d.key(KeyCode::Enter);
        let name = "Power off virtual machine";
        let reached = d
            .until(T, |a| {
                a.loading_count() == 0 && a.selected_entry().is_some_and(|e| &*e.node.name == name)
            })
            .await;
        assert!(
            reached,
            "{version:?}: {:?}",
            d.app.toast.as_ref().map(|t| &t.text)
        );
        let sel = d.app.cursor.selected.unwrap();
        assert_eq!(
            d.app.tree.path(sel)[1..],
            [
                "Library",
                "vCenter",
                "Virtual Machine management",
                "Power Management",
                name
            ],
            "{version:?}"
        );
        assert!(d.app.tree.row_of(sel).is_some(), "shown in the tree");
        assert_eq!(
            d.app.tree.get(root).children.len(),
            roots,
            "{version:?}: the listed root category is the one opened, not a second"
        );
        // Every category on the way is listed, as browsing there lists it: the workflow once,
        // beside its sibling.
        let mut up = d.app.tree.get(sel).parent();
        while let Some(cat) = up.filter(|&c| c != root) {
            assert_eq!(*d.app.tree.get(cat).load(), Load::Loaded, "{version:?}");
            up = d.app.tree.get(cat).parent();
        }
        let category = d.app.tree.get(sel).parent().unwrap();
        let names: Vec<String> = d
            .app
            .tree
            .get(category)
            .children
            .iter()
            .map(|&c| d.app.tree.get(c).node.name.to_string())
            .collect();
        assert_eq!(
            names,
            [name, "Power on virtual machine"],
            "{version:?}: the category as listed, the found workflow in it once"
        );
        d.shutdown().await;
    }
}
