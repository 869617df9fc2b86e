use super::*;
use crate::api::model::{Health, NodeKind, Severity, Status, VmFacts};
use crate::app::tree::Load;
use proptest::prelude::*;

impl SortIndex {
    /// `sorted_into` a new `Vec`.
    fn sorted(&mut self, tree: &Tree, labels: &[&str], col: ColumnId, desc: bool) -> Vec<u32> {
        let mut out = Vec::new();
        self.sorted_into(tree, labels, col, desc, &mut out);
        out
    }
}

fn node(name: &str, (state, severity): (&str, Severity), cpus: Option<u32>, ip: &str) -> Node {
    Node::new(NodeKind::Vm, format!("vm/{name}"), name)
        .with_status(Status::new(state, severity))
        .with_facts(VmFacts {
            cpus: cpus.into(),
            ip: ip.into(),
            ..VmFacts::default()
        })
}

const NO_STATE: (&str, Severity) = ("", Severity::Neutral);

const COLS: [ColumnId; 5] = [
    ColumnId::Name,
    ColumnId::State,
    ColumnId::Cpu,
    ColumnId::Ip,
    ColumnId::Endpoint,
];

/// The order by the one comparator, for reference.
fn reference(rows: &[(Node, &str)], col: ColumnId) -> Vec<u32> {
    let mut r: Vec<u32> = (0..rows.len() as u32).collect();
    let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
    r.sort_by(|&a, &b| cmp_rows(col, (a, row(a)), (b, row(b))));
    r
}

fn arb_rows() -> impl Strategy<Value = Vec<(Node, &'static str)>> {
    // Some sharing long prefixes (a name order's blocks compare the bytes of their keys
    // after what the block shares, 4 at a time): equal for those 4 bytes, or differing
    // only past them, in case, in leading zeros or in a digit run's length.
    let name = prop::sample::select(vec![
        "web-1",
        "web-11",
        "web-100",
        "Web-2",
        "web-02",
        "db",
        "",
        "web-11",
        "a10",
        "a9",
        "vm-prod-web-0001",
        "vm-prod-web-1",
        "VM-prod-web-1",
        "vm-prod-web-1a",
        "vm-prod-web-1-b",
        "vm-prod-web-1-c",
        "vm-prod-web-10",
        "vm-prod-web-123456789012",
        "vm-prod-web-123456789013",
        "vm-prod-wéb-1",
        "vm-prod-web-1-bb",
        "vm-prod-web-",
    ]);
    // States whose severity orders them otherwise than their words do.
    let state = prop::sample::select(vec![
        ("POWERED_ON", Severity::Ok),
        ("POWERED_OFF", Severity::Muted),
        ("ZOMBIE", Severity::Error),
        ("", Severity::Neutral),
    ]);
    let cpus = prop::option::of(0u32..4);
    let ip = prop::sample::select(vec!["10.0.0.9", "10.0.0.10", "", "10.0.0.9"]);
    let ep = prop::sample::select(vec!["vcd", "vcenter"]);
    prop::collection::vec((name, state, cpus, ip, ep), 0..60).prop_map(|v| {
        v.into_iter()
            .map(|(n, s, c, i, e)| (node(n, s, c, i), e))
            .collect()
    })
}

/// Downwards by the one comparator: known values reversed, equal ones as ascending,
/// unknowns last.
fn reference_down(rows: &[(Node, &str)], col: ColumnId, up: &[u32]) -> Vec<u32> {
    let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
    let value = |r: u32| columns::value(row(r).0, col, row(r).1);
    let mut down = up.to_vec();
    down.sort_by(|&a, &b| {
        let (va, vb) = (value(a), value(b));
        match (known(&va), known(&vb)) {
            (true, true) => columns::compare(&vb, &va),
            _ => columns::compare(&va, &vb),
        }
        .then_with(|| cmp_rows(col, (a, row(a)), (b, row(b))))
    });
    down
}

/// The orders of `cols` over rows `0..n`, as `SortIndex::add_order` builds them.
fn build<'a>(n: usize, row: &impl Fn(u32) -> Row<'a>, cols: &[ColumnId]) -> Vec<Order> {
    let live: Vec<u32> = (0..n as u32).collect();
    let ranks = name_ranks(&name_order(&live, row), n);
    (cols.iter())
        .map(|&c| match c {
            ColumnId::Name => name_order(&live, row),
            c => column_order(c, &live, row, &ranks),
        })
        .collect()
}

fn up(o: &Order) -> Vec<u32> {
    o.ascending().collect()
}

proptest! {
    #[test]
    fn built_merged_and_thinned_orders_equal_the_comparator(
        rows in arb_rows(),
        split in 0usize..60,
        drop in prop::collection::vec(any::<bool>(), 60),
        page in 1usize..9,
    ) {
        let split = split.min(rows.len());
        let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
        let built = build(rows.len(), &row, &COLS);
        let mut merged = build(split, &row, &COLS);
        let fresh: Vec<u32> = (split as u32..rows.len() as u32).collect();
        let out = &drop[..rows.len()];
        for (i, &col) in COLS.iter().enumerate() {
            let want = reference(&rows, col);
            let want_down = reference_down(&rows, col, &want);
            prop_assert_eq!(&up(&built[i]), &want, "built {:?}", col);
            prop_assert_eq!(&built[i].descending(), &want_down, "built, down {:?}", col);
            merged[i].merge(&fresh, &row);
            prop_assert_eq!(&up(&merged[i]), &want, "merged {:?}", col);
            prop_assert_eq!(&merged[i].descending(), &want_down, "merged, down {:?}", col);
            // In several merges, as pages land: blocks split and fences read at one merge
            // place the rows of the next.
            let mut paged = build(split, &row, &[col]).remove(0);
            for page in fresh.chunks(page.max(1)) {
                paged.merge(page, &row);
            }
            prop_assert_eq!(&up(&paged), &want, "paged {:?}", col);
            prop_assert_eq!(&paged.descending(), &want_down, "paged, down {:?}", col);
            // Rows gone (or changed, then merged back in) keep every mark right.
            let mut thinned = build(rows.len(), &row, &[col]).remove(0);
            thinned.remove(out);
            let kept = |v: &[u32]| -> Vec<u32> {
                v.iter().copied().filter(|&r| !out[r as usize]).collect()
            };
            prop_assert_eq!(&up(&thinned), &kept(&want), "thinned {:?}", col);
            prop_assert_eq!(&thinned.descending(), &kept(&want_down), "thinned, down {:?}", col);
            let back: Vec<u32> = (0..rows.len() as u32).filter(|&r| out[r as usize]).collect();
            thinned.merge(&back, &row);
            prop_assert_eq!(&thinned.descending(), &want_down, "merged back, down {:?}", col);
            // Built when first sorted by, after rows arrived and went: ties broken by the
            // name order as merged and thinned, not by names sorted anew.
            let mut name = build(split, &row, &[ColumnId::Name]).remove(0);
            name.merge(&fresh, &row);
            name.remove(out);
            let live: Vec<u32> = (0..rows.len() as u32).filter(|&r| !out[r as usize]).collect();
            let late = match col {
                ColumnId::Name => name,
                c => column_order(c, &live, &row, &name_ranks(&name, rows.len())),
            };
            prop_assert_eq!(&up(&late), &kept(&want), "built late {:?}", col);
            prop_assert_eq!(&late.descending(), &kept(&want_down), "built late, down {:?}", col);
        }
    }

    /// The index as the table uses it: rows arriving in pages (some taken late, over the
    /// limit), some changing (renamed, touched without a change, becoming another kind
    /// and back) or going (dropped from the list or freed by a refresh), entries outside
    /// the table edited in between (the append path stays right), sorts by any column in between (each order built
    /// when first sorted by, at most `KEEP` kept), some of those orders built off the UI
    /// (`SortJob`) while the page arrives, changes and goes, then installed before or
    /// after the index catches up: every sort equals the comparator's.
    #[test]
    fn the_index_sorts_like_the_comparator_while_rows_arrive_change_and_go(
        rows in arb_rows(),
        pages in prop::collection::vec(1usize..12, 1..12),
        steps in prop::collection::vec(
            (0usize..5, any::<bool>(), 0usize..60, 0u8..8, 0u8..3), 8,
        ),
        limit in 1usize..40,
    ) {
        let mut tree = Tree::default();
        let labels = ["vcd", "vcenter"];
        let roots = [
            tree.add_hidden_root(0, Node::new(NodeKind::Group, "t0", "VMs")),
            tree.add_hidden_root(1, Node::new(NodeKind::Group, "t1", "VMs")),
        ];
        // Entries outside the table, edited now and then (a load state, a health dot).
        let elsewhere = tree.add_root(0, Node::new(NodeKind::Endpoint, "e", "vcd"));
        tree.append_children(elsewhere, vec![node("other", NO_STATE, None, "")]);
        let other = tree.get(elsewhere).children[0];
        let cols: Vec<Column> = COLS.iter()
            .map(|&id| *columns::columns(NodeKind::Vm).iter().find(|c| c.id == id).unwrap())
            .collect();
        let mut index = SortIndex::default();
        let mut at = 0;
        for (page, &(c, desc, pick, what, off_ui)) in pages.iter().zip(steps.iter().cycle()) {
            // An order built off the UI from the rows as they are, some values read before
            // the page below lands, the rest after, installed once it landed (0: built on
            // the sort, as for a small table).
            let mut job = (off_ui > 0 && index.must_build(COLS[c]))
                .then(|| index.job(&tree, &labels, COLS[c]));
            if let Some(j) = &mut job {
                index.read_keys(j, &tree, &labels, pick % 7);
            }
            let end = (at + page).min(rows.len());
            for (node, ep) in &rows[at..end] {
                let ep = usize::from(*ep == "vcenter");
                tree.append_children(roots[ep], vec![node.clone()]);
            }
            at = end;
            // A row changes (renamed) or goes, now and then.
            let all: Vec<EntryId> = roots.iter()
                .flat_map(|&r| tree.get(r).children.iter().copied()).collect();
            if let Some(&id) = all.get(pick % all.len().max(1)) {
                let p = tree.get(id).parent().unwrap();
                match what {
                    0 => tree.get_mut(id).node.name = format!("web-{pick}").into(),
                    1 => tree.get_mut(p).children.retain(|&x| x != id),
                    2 => tree.get_mut(id).node.health = Some(Health::Green),
                    3 => {
                        let k = &mut tree.get_mut(id).node.kind;
                        *k = if *k == NodeKind::Vm { NodeKind::Host } else { NodeKind::Vm };
                    }
                    4 => {
                        // A refresh of the listing without this row: its entry is freed.
                        let keep: Vec<Node> = (tree.get(p).children.iter())
                            .filter(|&&x| x != id)
                            .map(|&x| tree.get(x).node.clone())
                            .collect();
                        tree.merge_children(p, keep);
                    }
                    // Its state changes (a grouped column: the row changes group).
                    7 => {
                        let n = &mut tree.get_mut(id).node;
                        n.status = match n.status.severity {
                            Severity::Ok => Status::new("ZOMBIE", Severity::Error),
                            Severity::Error => Status::new("", Severity::Neutral),
                            _ => Status::new("POWERED_ON", Severity::Ok),
                        };
                    }
                    _ => {}
                }
            }
            if what % 2 == 1 {
                tree.get_mut(other).node.name = format!("other-{pick}").into();
            }
            if what == 6 {
                tree.get_mut(elsewhere).set_load(Load::Loaded);
            }
            let mut job = job.map(|mut j| {
                assert_eq!(index.read_keys(&mut j, &tree, &labels, usize::MAX), Reading::Done);
                j.run().expect("not cancelled")
            });
            // Installed before the index caught up with the page (2), or after (1).
            if off_ui == 2 && let Some(built) = job.take() {
                index.install(&tree, &labels, built);
            }
            loop {
                index.sync(&tree, &labels, &roots, NodeKind::Vm, &cols, limit);
                if let Some(built) = job.take() {
                    index.install(&tree, &labels, built);
                }
                // Every order kept (not only the one sorted by) in order, marks right.
                {
                    let row = reader(&index.rows, &tree, &labels);
                    for o in &index.orders {
                        let up: Vec<u32> = o.ascending().collect();
                        let sorted = up.windows(2)
                            .all(|w| cmp_rows(o.col, (w[0], row(w[0])), (w[1], row(w[1]))).is_lt());
                        prop_assert!(sorted, "{:?} kept in order", o.col);
                        prop_assert!(o.marks_right(&row), "marks of {:?} after a sync", o.col);
                    }
                }
                let got = index.sorted(&tree, &labels, COLS[c], desc);
                prop_assert!(index.orders.len() <= KEEP, "{} orders kept", index.orders.len());
                prop_assert_eq!(got.len(), index.len(), "every row taken is sorted");
                // What the index has taken: the reference over those rows.
                let taken: Vec<(Node, &str)> = got.iter()
                    .map(|&id| (tree.get(id).node.clone(), labels[tree.get(id).endpoint()]))
                    .collect();
                let mut by_number: Vec<(u32, EntryId)> =
                    got.iter().map(|&id| (index.number[id as usize], id)).collect();
                by_number.sort_unstable();
                let as_taken: Vec<(Node, &str)> = by_number.iter()
                    .map(|&(_, id)| (tree.get(id).node.clone(), labels[tree.get(id).endpoint()]))
                    .collect();
                let want = reference(&as_taken, COLS[c]);
                let want = if desc { reference_down(&as_taken, COLS[c], &want) } else { want };
                let want: Vec<EntryId> = want.iter().map(|&i| by_number[i as usize].1).collect();
                prop_assert_eq!(&got, &want, "by {:?} desc {} ({} rows)", COLS[c], desc, taken.len());
                if !index.behind() {
                    break;
                }
            }
            // Caught up: every VM under the roots is in the table, once.
            let mut all: Vec<EntryId> = (roots.iter())
                .flat_map(|&r| tree.get(r).children.iter().copied())
                .filter(|&c| tree.get(c).node.kind == NodeKind::Vm)
                .collect();
            let mut taken = index.sorted(&tree, &labels, ColumnId::Name, false);
            all.sort_unstable();
            taken.sort_unstable();
            prop_assert_eq!(taken, all, "every row taken");
        }
    }
}

/// Edits outside the table's roots and rows changed in place (a load state set
/// elsewhere, a health dot on a row) leave a sync on the append path: the changed rows are
/// found among the entries touched, not by a pass over every child; an edit to a root's
/// children (a row dropped) takes the pass.
#[test]
fn edits_elsewhere_and_rows_changed_in_place_take_no_pass() {
    let mut tree = Tree::default();
    let root = tree.add_hidden_root(0, Node::new(NodeKind::Group, "t0", "VMs"));
    let elsewhere = tree.add_root(0, Node::new(NodeKind::Endpoint, "e", "vcd"));
    let names = ["d", "b", "e", "a"];
    let nodes = names.iter().map(|n| node(n, NO_STATE, None, "")).collect();
    tree.append_children(root, nodes);
    let cols: Vec<Column> = columns::columns(NodeKind::Vm).to_vec();
    let (labels, mut index) = (["vcd"], SortIndex::default());
    let sync = |index: &mut SortIndex, tree: &Tree| {
        index.sync(tree, &labels, &[root], NodeKind::Vm, &cols, 100);
        let rows = index.sorted(tree, &labels, ColumnId::Name, false);
        let names: Vec<String> = (rows.iter())
            .map(|&id| tree.get(id).node.name.to_string())
            .collect();
        (names, index.passes)
    };
    sync(&mut index, &tree);
    // The first catch-up after numbering every row reads them all: then the counts hold.
    let (got, first) = sync(&mut index, &tree);
    assert_eq!(got, ["a", "b", "d", "e"]);
    tree.get_mut(elsewhere).set_load(Load::Loaded);
    let kids = tree.get(root).children.clone();
    tree.get_mut(kids[0]).node.name = "c".into();
    tree.get_mut(kids[1]).node.health = Some(Health::Red);
    tree.append_children(root, vec![node("aa", NO_STATE, None, "")]);
    let (got, passes) = sync(&mut index, &tree);
    assert_eq!(got, ["a", "aa", "b", "c", "e"]);
    assert_eq!(passes, first, "the append path");
    tree.get_mut(root).children.retain(|&c| c != kids[2]);
    let (got, passes) = sync(&mut index, &tree);
    assert_eq!(got, ["a", "aa", "b", "c"]);
    assert_eq!(passes, first + 1, "a root's children edited: a pass");
}

/// A sort by State builds no order: its rows are the name order grouped by state, each
/// row's group kept as it arrives or changes; a row whose state changes moves group.
#[test]
fn the_state_order_is_the_name_order_grouped() {
    let mut tree = Tree::default();
    let root = tree.add_hidden_root(0, Node::new(NodeKind::Group, "t0", "VMs"));
    let on = ("POWERED_ON", Severity::Ok);
    let off = ("POWERED_OFF", Severity::Muted);
    let mut nodes = vec![
        node("d", on, None, ""),
        node("b", off, None, ""),
        node("c", NO_STATE, None, ""),
        node("a", on, None, ""),
    ];
    // Enough rows that the changes below are merged, not the rows numbered anew.
    let others: Vec<String> = (0..6).map(|i| format!("x{i}")).collect();
    nodes.extend(others.iter().map(|x| node(x, NO_STATE, None, "")));
    tree.append_children(root, nodes);
    let with_others = |names: &[&str]| -> Vec<String> {
        (names.iter().map(|n| n.to_string()))
            .chain(others.iter().cloned())
            .collect()
    };
    let cols: Vec<Column> = columns::columns(NodeKind::Vm).to_vec();
    let (labels, mut index) = (["vcd"], SortIndex::default());
    let sorted = |index: &mut SortIndex, tree: &Tree, desc: bool| -> Vec<String> {
        index.sync(tree, &labels, &[root], NodeKind::Vm, &cols, 100);
        let rows = index.sorted(tree, &labels, ColumnId::State, desc);
        (rows.iter())
            .map(|&id| tree.get(id).node.name.to_string())
            .collect()
    };
    assert_eq!(
        sorted(&mut index, &tree, false),
        with_others(&["a", "d", "b", "c"])
    );
    assert_eq!(
        sorted(&mut index, &tree, true),
        with_others(&["b", "a", "d", "c"])
    );
    assert!(!index.must_build(ColumnId::State), "nothing to build");
    let kept: Vec<ColumnId> = index.orders.iter().map(|o| o.col).collect();
    assert_eq!(kept, [ColumnId::Name], "no order of its own");
    // d switched off, c on, and a new row: each in its group, by name.
    let kids = tree.get(root).children.clone();
    tree.get_mut(kids[0]).node.status = Status::new(off.0, off.1);
    tree.get_mut(kids[2]).node.status = Status::new(on.0, on.1);
    tree.append_children(root, vec![node("aa", off, None, "")]);
    let epoch = index.epoch;
    let got = sorted(&mut index, &tree, false);
    assert_eq!(got, with_others(&["a", "c", "aa", "b", "d"]));
    assert_eq!(index.epoch, epoch, "merged in, not numbered anew");
}

/// Rows numbered anew drop the orders; `prepare` builds again what the sort shown reads
/// (not the State order: it has none), so the layout after only reads.
#[test]
fn prepare_builds_the_orders_a_sort_reads() {
    let mut tree = Tree::default();
    let root = tree.add_hidden_root(0, Node::new(NodeKind::Group, "t0", "VMs"));
    tree.append_children(root, vec![node("b", NO_STATE, Some(2), "")]);
    let cols: Vec<Column> = columns::columns(NodeKind::Vm).to_vec();
    let (labels, mut index) = (["vcd"], SortIndex::default());
    let kept =
        |index: &SortIndex| -> Vec<ColumnId> { index.orders.iter().map(|o| o.col).collect() };
    index.sync(&tree, &labels, &[root], NodeKind::Vm, &cols, 100);
    index.sorted(&tree, &labels, ColumnId::Cpu, false);
    assert_eq!(kept(&index), [ColumnId::Name, ColumnId::Cpu]);
    // More rows than the index has: numbered anew, every order dropped.
    let more = ["c", "a", "d"].map(|n| node(n, NO_STATE, Some(1), ""));
    tree.append_children(root, more.to_vec());
    index.sync(&tree, &labels, &[root], NodeKind::Vm, &cols, 100);
    assert!(kept(&index).is_empty());
    index.prepare(&tree, &labels, ColumnId::State);
    assert_eq!(kept(&index), [ColumnId::Name]);
    index.prepare(&tree, &labels, ColumnId::Cpu);
    assert_eq!(kept(&index), [ColumnId::Name, ColumnId::Cpu]);
    let rows = index.sorted(&tree, &labels, ColumnId::Cpu, false);
    let names: Vec<&str> = rows
        .iter()
        .map(|&id| tree.get(id).node.name.as_str())
        .collect();
    assert_eq!(names, ["a", "c", "d", "b"]);
}

/// A job cancelled (its sort superseded) builds nothing.
#[test]
fn a_cancelled_job_gives_no_order() {
    let mut tree = Tree::default();
    let root = tree.add_hidden_root(0, Node::new(NodeKind::Group, "t0", "VMs"));
    tree.append_children(
        root,
        vec![
            node("a", NO_STATE, Some(2), ""),
            node("b", NO_STATE, Some(1), ""),
        ],
    );
    let cols: Vec<Column> = columns::columns(NodeKind::Vm).to_vec();
    let mut index = SortIndex::default();
    index.sync(&tree, &["vcd"], &[root], NodeKind::Vm, &cols, 100);
    index.sorted(&tree, &["vcd"], ColumnId::Name, false);
    assert!(index.must_build(ColumnId::Cpu));
    let mut job = index.job(&tree, &["vcd"], ColumnId::Cpu);
    assert_eq!(index.read_keys(&mut job, &tree, &["vcd"], 1), Reading::More);
    assert_eq!(index.read_keys(&mut job, &tree, &["vcd"], 1), Reading::Done);
    job.canceller().store(true, AtomicOrdering::Relaxed);
    assert!(job.run().is_none());
    let mut job = index.job(&tree, &["vcd"], ColumnId::Cpu);
    index.read_keys(&mut job, &tree, &["vcd"], usize::MAX);
    let built = job.run().unwrap();
    assert!(index.install(&tree, &["vcd"], built));
    assert!(!index.must_build(ColumnId::Cpu), "kept once installed");
}

proptest! {
    /// The natural keys order texts exactly as `natural_cmp` does (ties on the key broken
    /// by the text, as there).
    #[test]
    fn natural_keys_compare_like_natural_cmp(
        a in "[a-cA-C0-9.:/ -]{0,8}",
        b in "[a-cA-C0-9.:/ -]{0,8}",
    ) {
        let (mut ka, mut kb) = (Vec::new(), Vec::new());
        natural_key(&a, &mut ka);
        natural_key(&b, &mut kb);
        prop_assert_eq!(ka.cmp(&kb).then_with(|| a.cmp(&b)), columns::natural_cmp(&a, &b));
    }
}

#[test]
fn names_sort_naturally_and_ties_keep_arrival() {
    let rows = [
        (node("web-100", NO_STATE, None, ""), "vcd"),
        (node("web-11", NO_STATE, None, ""), "vcd"),
        (node("web-11", NO_STATE, None, ""), "vcd"),
        (node("Web-2", NO_STATE, None, ""), "vcd"),
        (node("", NO_STATE, None, ""), "vcd"),
    ];
    let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
    let built = build(rows.len(), &row, &[ColumnId::Name, ColumnId::Cpu]);
    assert_eq!(
        up(&built[0]),
        [3, 1, 2, 0, 4],
        "natural, equal names by arrival, empty last"
    );
    assert_eq!(up(&built[1]), up(&built[0]), "no CPU known: by name");
    let down = built[0].descending();
    assert_eq!(
        down,
        [0, 1, 2, 3, 4],
        "reversed runs keep ties in arrival order"
    );
}

#[test]
fn unknown_values_go_last_both_ways() {
    let rows = [
        (node("a", NO_STATE, Some(4), ""), "vcd"),
        (node("b", NO_STATE, None, ""), "vcd"),
        (node("c", NO_STATE, Some(2), ""), "vcd"),
        (node("d", NO_STATE, Some(4), ""), "vcd"),
    ];
    let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
    let cpu = build(rows.len(), &row, &[ColumnId::Cpu]).remove(0);
    assert_eq!(up(&cpu), [2, 0, 3, 1]);
    assert_eq!(cpu.descending(), [0, 3, 2, 1]);
}

/// A few rows changed in place (a status no order reads) are each found by a search for their
/// key, not in a pass over every order's rows (`Order::recheck_few`); a row whose key moved
/// sends the orders it moved in through the pass (`recheck`), which places it again.
#[test]
fn a_few_changed_rows_are_found_not_passed_over() {
    let mut tree = Tree::default();
    let root = tree.add_hidden_root(0, Node::new(NodeKind::Group, "t0", "VMs"));
    let nodes = (0..40)
        .map(|i| node(&format!("web-{}", 40 - i), NO_STATE, Some(i % 3), ""))
        .collect();
    tree.append_children(root, nodes);
    let cols: Vec<Column> = columns::columns(NodeKind::Vm).to_vec();
    let (labels, mut index) = (["vcd"], SortIndex::default());
    let names = |index: &mut SortIndex, tree: &Tree, col: ColumnId| -> Vec<String> {
        index.sync(tree, &labels, &[root], NodeKind::Vm, &cols, 100);
        let rows = index.sorted(tree, &labels, col, false);
        (rows.iter())
            .map(|&id| tree.get(id).node.name.to_string())
            .collect()
    };
    names(&mut index, &tree, ColumnId::Cpu);
    let before = names(&mut index, &tree, ColumnId::Name);
    let kept: Vec<ColumnId> = index.orders.iter().map(|o| o.col).collect();
    assert_eq!(kept, [ColumnId::Cpu, ColumnId::Name]);
    let kids = tree.get(root).children.clone();
    for &k in &kids[10..13] {
        tree.get_mut(k).node.status = Status::new("POWERED_OFF", Severity::Muted);
    }
    let rechecks = index.rechecks;
    assert_eq!(names(&mut index, &tree, ColumnId::Name), before);
    assert_eq!(index.rechecks, rechecks, "found, not passed over");
    // Renamed past the others: each order's pass moves it (the name breaks CPU's ties).
    tree.get_mut(kids[0]).node.name = "aaa".into();
    let got = names(&mut index, &tree, ColumnId::Name);
    assert_eq!(got[0], "aaa");
    assert_eq!(index.rechecks, rechecks + 2, "both orders' passes");
    let by_cpu = names(&mut index, &tree, ColumnId::Cpu);
    assert_eq!(by_cpu.iter().filter(|n| *n == "aaa").count(), 1);
}

/// A sync that numbers every row anew (so many arrived that a build is cheaper) keeps the rows
/// each root had, however many rows the roots before it take: an endpoint's first rows, taken
/// while the endpoint before it had none, stayed out of the table when that one's came.
#[test]
fn a_renumbering_keeps_the_rows_each_root_had() {
    let mut tree = Tree::default();
    let first = tree.add_hidden_root(0, Node::new(NodeKind::Group, "t0", "VMs"));
    let second = tree.add_hidden_root(1, Node::new(NodeKind::Group, "t1", "VMs"));
    let nodes = |prefix: &str, n: usize| -> Vec<Node> {
        (0..n)
            .map(|i| node(&format!("{prefix}-{i:03}"), NO_STATE, None, ""))
            .collect()
    };
    let cols: Vec<Column> = columns::columns(NodeKind::Vm).to_vec();
    let (labels, mut index) = (["a", "b"], SortIndex::default());
    let roots = [first, second];
    let of = |index: &mut SortIndex, tree: &Tree, root: EntryId| {
        (index.sorted(tree, &labels, ColumnId::Name, false).iter())
            .filter(|&&id| tree.get(id).parent() == Some(root))
            .count()
    };
    tree.append_children(second, nodes("b", 10));
    index.sync(&tree, &labels, &roots, NodeKind::Vm, &cols, 4);
    assert_eq!(of(&mut index, &tree, second), 10, "the second's first rows");
    tree.append_children(first, nodes("a", 300));
    index.sync(&tree, &labels, &roots, NodeKind::Vm, &cols, 4);
    assert_eq!(of(&mut index, &tree, second), 10, "the second's rows stay");
    assert!(of(&mut index, &tree, first) > 0, "the first's first rows");
}
