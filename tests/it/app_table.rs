//! Issue 17/18, tables you can sort, at the App level: the order a table shows while pages
//! arrive and rows change is the one a full sort would give (the sort index merges instead of
//! re-sorting; these tests hold it to the plain definition).

use vnav::api::columns::natural_cmp;
use vnav::api::model::{ChildBatch, Node, VmFacts};
use vnav::app::App;
use vnav::app::event::ApiAnswer;

use crate::app_command::{command, list_kind_reqs, rows, two_endpoints};
use crate::app_detail_read::{details_req, give};
use crate::app_ui::details;
use crate::support::{answer, vm};

/// A VM whose name repeats now and then, with a CPU count from a few values or none.
fn row_vm(endpoint: usize, i: usize) -> Node {
    // A fixed scramble so pages do not arrive in name order.
    let n = (i * 7919 + endpoint * 31) % 211;
    let cpus = match i % 5 {
        0 => None,
        k => Some(k as u32),
    };
    vm(&format!("ep{endpoint}/vm-{i}"), &format!("web-{n}"), true).with_facts(VmFacts {
        cpus,
        ..VmFacts::default()
    })
}

/// What a full sort by CPU gives: the count (unknown last, either way), then the name
/// naturally, the endpoint, the arrival.
fn by_cpu(arrived: &[(Node, &str)], desc: bool) -> Vec<String> {
    let mut r: Vec<usize> = (0..arrived.len()).collect();
    r.sort_by(|&a, &b| {
        let (x, y) = (&arrived[a], &arrived[b]);
        let (cx, cy) = (
            x.0.facts.as_ref().and_then(|f| f.cpus),
            y.0.facts.as_ref().and_then(|f| f.cpus),
        );
        let by_count = match (cx, cy) {
            (Some(p), Some(q)) if desc => q.cmp(&p),
            (Some(p), Some(q)) => p.cmp(&q),
            (p, q) => q.is_some().cmp(&p.is_some()),
        };
        by_count
            .then_with(|| natural_cmp(&x.0.name, &y.0.name))
            .then_with(|| natural_cmp(x.1, y.1))
            .then(a.cmp(&b))
    });
    r.iter().map(|&i| arrived[i].0.name.to_string()).collect()
}

#[tokio::test(start_paused = true)]
async fn pages_merge_into_the_sorted_table_as_a_full_sort_would() {
    let mut app = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    command(&mut app, "sort cpu");
    let labels = ["vcd", "vcenter"];
    // Rows per endpoint in arrival order: the table's ties go vcd's rows first, then vcenter's.
    let mut arrived: [Vec<Node>; 2] = Default::default();
    let all = |arrived: &[Vec<Node>; 2]| -> Vec<(Node, &str)> {
        (0..2)
            .flat_map(|e| arrived[e].iter().map(move |n| (n.clone(), labels[e])))
            .collect()
    };
    for page in 0..12 {
        for &(req, ep, _) in &reqs {
            let nodes: Vec<Node> = (page * 40..page * 40 + 40).map(|i| row_vm(ep, i)).collect();
            arrived[ep].extend(nodes.iter().cloned());
            answer(
                &mut app,
                req,
                ep,
                ApiAnswer::Children(ChildBatch {
                    nodes,
                    ..Default::default()
                }),
            );
            assert_eq!(rows(&app), by_cpu(&all(&arrived), false), "page {page}");
        }
    }
    // `~` flips the direction: counts downwards, unknowns still last, ties still by name.
    crate::support::key(&mut app, crossterm::event::KeyCode::Char('~'));
    assert_eq!(rows(&app), by_cpu(&all(&arrived), true));
    // More rows while sorted downwards.
    for &(req, ep, _) in &reqs {
        let nodes: Vec<Node> = (480..530).map(|i| row_vm(ep, i)).collect();
        arrived[ep].extend(nodes.iter().cloned());
        answer(
            &mut app,
            req,
            ep,
            ApiAnswer::Children(ChildBatch {
                nodes,
                ..Default::default()
            }),
        );
        answer(&mut app, req, ep, ApiAnswer::ChildrenDone(Ok(())));
    }
    assert_eq!(rows(&app), by_cpu(&all(&arrived), true));
    assert_eq!(app.table.as_ref().unwrap().title(), "VMs (1,060)");
}

/// A row whose node changes in place (a details read gives it a new name) moves to where the
/// new value sorts, though no listing arrived.
#[tokio::test(start_paused = true)]
async fn a_row_that_changes_moves_to_its_place() {
    let mut app: App = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    for (i, &(req, ep, _)) in reqs.iter().enumerate() {
        let nodes = (0..30)
            .map(|k| vm(&format!("ep{ep}/vm-{k}"), &format!("web-{i}{k:02}"), true))
            .collect();
        answer(
            &mut app,
            req,
            ep,
            ApiAnswer::Children(ChildBatch {
                nodes,
                ..Default::default()
            }),
        );
        answer(&mut app, req, ep, ApiAnswer::ChildrenDone(Ok(())));
    }
    // By name: the cursor on the first row, web-000.
    assert_eq!(rows(&app)[0], "web-000");
    assert_eq!(app.selected_entry().unwrap().node.id.as_ref(), "ep0/vm-0");
    let req = details_req(&mut app).await;
    let mut d = details("ep0/vm-0", "web-000");
    d.node = vm("ep0/vm-0", "zz-renamed", true);
    give(&mut app, req, d);
    let r = rows(&app);
    assert_eq!(r.len(), 60);
    assert_eq!(r[0], "web-001", "{r:?}");
    assert_eq!(r[59], "zz-renamed", "{r:?}");
    // Downwards it comes first.
    command(&mut app, "sort name");
    assert_eq!(rows(&app)[0], "zz-renamed");
}
