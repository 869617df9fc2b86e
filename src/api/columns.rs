//! The columns each kind of node shows in a table (and that `vnav dump` writes): which ones, how
//! wide, what value each takes from a `Node`, and how it sorts. One description per kind, so the
//! tree, the `:` tables and exports agree on titles and order.

use std::borrow::Cow;
use std::cmp::Ordering;

use time::OffsetDateTime;

use super::labels;
#[cfg(test)]
use super::model::Health;
use super::model::{Node, NodeKind, Product, Severity, age, bytes_text, mib_text};

/// Every column vnav knows; a kind shows some of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnId {
    Name,
    State,
    Endpoint,
    /// vApp (vCD) or host (vCenter).
    Place,
    Cpu,
    Memory,
    GuestOs,
    Ip,
    Owner,
    SnapshotAge,
    SnapshotSize,
    Summary,
    /// A workflow's category, version and description.
    Category,
    Version,
    Description,
    /// A node's health dot, worst first. No table shows it: it is here for the tests of what
    /// a column fed by the dots must keep right (`reads_health`), the path a shipped one
    /// would take.
    #[cfg(test)]
    Health,
}

/// How a column's values order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    /// Text with numbers compared as numbers (web-11 before web-100), case-insensitively.
    Natural,
    Number,
    /// Older first.
    Time,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub id: ColumnId,
    /// The name `:sort` takes and exports use as a header (`name`, `cpu`, …).
    pub key: &'static str,
    pub title: &'static str,
    /// Width a table gives it, in cells (the name column takes what is left).
    pub width: u16,
    pub sort: SortBy,
}

const fn col(
    id: ColumnId,
    key: &'static str,
    title: &'static str,
    width: u16,
    sort: SortBy,
) -> Column {
    Column {
        id,
        key,
        title,
        width,
        sort,
    }
}

pub const NAME: Column = col(ColumnId::Name, "name", "Name", 24, SortBy::Natural);
pub const STATE: Column = col(ColumnId::State, "state", "State", 12, SortBy::Natural);
pub const ENDPOINT: Column = col(
    ColumnId::Endpoint,
    "endpoint",
    "Endpoint",
    14,
    SortBy::Natural,
);
pub const PLACE: Column = col(ColumnId::Place, "place", "vApp/host", 16, SortBy::Natural);
/// "vCPU": the cells are bare counts, so the header says what they count.
pub const CPU: Column = col(ColumnId::Cpu, "cpu", "vCPU", 4, SortBy::Number);
pub const MEMORY: Column = col(ColumnId::Memory, "memory", "Memory", 9, SortBy::Number);
pub const GUEST_OS: Column = col(ColumnId::GuestOs, "os", "Guest OS", 18, SortBy::Natural);
pub const IP: Column = col(ColumnId::Ip, "ip", "IP", 15, SortBy::Natural);
pub const OWNER: Column = col(ColumnId::Owner, "owner", "Owner", 10, SortBy::Natural);
/// 13: "1386 days old" (a forgotten snapshot is years old) reads whole.
pub const SNAPSHOT_AGE: Column = col(ColumnId::SnapshotAge, "age", "Snapshot", 13, SortBy::Time);
pub const SNAPSHOT_SIZE: Column = col(
    ColumnId::SnapshotSize,
    "size",
    "Snap size",
    9,
    SortBy::Number,
);
pub const SUMMARY: Column = col(ColumnId::Summary, "summary", "Summary", 30, SortBy::Natural);
/// See `ColumnId::Health`.
#[cfg(test)]
pub const HEALTH: Column = col(ColumnId::Health, "health", "Health", 6, SortBy::Number);

pub const CATEGORY: Column = col(
    ColumnId::Category,
    "category",
    "Category",
    20,
    SortBy::Natural,
);
pub const VERSION: Column = col(ColumnId::Version, "version", "Version", 9, SortBy::Natural);
pub const DESCRIPTION: Column = col(
    ColumnId::Description,
    "description",
    "Description",
    40,
    SortBy::Natural,
);

const VM_COLUMNS: &[Column] = &[
    NAME,
    STATE,
    ENDPOINT,
    PLACE,
    CPU,
    MEMORY,
    GUEST_OS,
    IP,
    OWNER,
    SNAPSHOT_AGE,
    SNAPSHOT_SIZE,
];
const OTHER_COLUMNS: &[Column] = &[NAME, STATE, ENDPOINT, SUMMARY];
/// An alert's summary names the resource it is about: worth more than which endpoint raised it.
const ALERT_COLUMNS: &[Column] = &[NAME, STATE, SUMMARY, ENDPOINT];
const WORKFLOW_COLUMNS: &[Column] = &[NAME, CATEGORY, VERSION, DESCRIPTION, ENDPOINT];
/// VMs with snapshots: what an audit sorts by first.
pub const SNAPSHOT_COLUMNS: &[Column] = &[
    NAME,
    SNAPSHOT_AGE,
    SNAPSHOT_SIZE,
    ENDPOINT,
    STATE,
    PLACE,
    CPU,
    MEMORY,
];

/// The columns of a kind, name first.
pub fn columns(kind: NodeKind) -> &'static [Column] {
    match kind {
        NodeKind::Vm => VM_COLUMNS,
        NodeKind::Workflow => WORKFLOW_COLUMNS,
        NodeKind::Alert => ALERT_COLUMNS,
        _ => OTHER_COLUMNS,
    }
}

/// The header of the endpoint column where only `endpoint_tags` fit.
pub const TAG_TITLE: &str = "Src";

/// A short tag per endpoint, for a table too narrow for the endpoint's label, so a vCD VM and
/// its vCenter twin of the same name still read apart: the product's three letters ("vCD",
/// "vC"), numbered in order when two endpoints are of one product ("vC1", "vC2"). An endpoint
/// not connected yet (its product unknown) has the first three letters of its label.
pub fn endpoint_tags(endpoints: &[(Option<Product>, &str)]) -> Vec<String> {
    let base: Vec<String> = endpoints
        .iter()
        .map(|(product, label)| match product {
            Some(p) => p.tag().to_string(),
            None => label.chars().take(3).collect(),
        })
        .collect();
    base.iter()
        .enumerate()
        .map(|(i, b)| match base.iter().filter(|o| *o == b).count() {
            1 => b.clone(),
            _ => format!("{b}{}", base[..=i].iter().filter(|o| *o == b).count()),
        })
        .collect()
}

/// The node kinds tables list, by the name `:` commands and the config's `[columns]` use.
pub const KINDS: &[(&str, NodeKind)] = &[
    ("vm", NodeKind::Vm),
    ("vapp", NodeKind::VApp),
    ("host", NodeKind::Host),
    ("cluster", NodeKind::Cluster),
    ("datastore", NodeKind::Datastore),
    ("network", NodeKind::Network),
    ("org", NodeKind::Org),
    ("vdc", NodeKind::Vdc),
    ("alert", NodeKind::Alert),
    ("workflow", NodeKind::Workflow),
];

/// A kind by its name (`vm`) or plural (`vms`).
pub fn kind_named(name: &str) -> Option<NodeKind> {
    let singular = name.strip_suffix('s').filter(|s| !s.is_empty());
    KINDS
        .iter()
        .find(|(n, _)| *n == name || Some(*n) == singular)
        .map(|(_, k)| *k)
}

/// The name of a kind in `KINDS`.
pub fn kind_name(kind: NodeKind) -> Option<&'static str> {
    KINDS.iter().find(|(_, k)| *k == kind).map(|(n, _)| *n)
}

/// Which columns each kind shows, and in what order: the config's `[columns]` (`vm = ["name",
/// "state", "ip"]`), else every column of the kind. The name always comes first.
#[derive(Clone, Debug, Default)]
pub struct Choice(std::collections::HashMap<NodeKind, Vec<Column>>);

impl Choice {
    /// From the config's `[columns]`: kind name → column keys. An unknown kind or column, or a
    /// column listed twice, is an error naming what is known.
    pub fn from_config(
        map: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<Choice, String> {
        let mut out = std::collections::HashMap::new();
        for (kind_key, keys) in map {
            let Some(kind) = kind_named(kind_key) else {
                let known: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "[columns] {kind_key}: no such kind (one of {})",
                    known.join(", ")
                ));
            };
            let all = columns(kind);
            let mut chosen = vec![NAME];
            for key in keys {
                let Some(c) = all.iter().find(|c| c.key == key.as_str()) else {
                    let known: Vec<&str> = all.iter().map(|c| c.key).collect();
                    return Err(format!(
                        "[columns] {kind_key}: no column {key:?} (one of {})",
                        known.join(", ")
                    ));
                };
                match chosen.contains(c) {
                    true if c.id != ColumnId::Name => {
                        return Err(format!("[columns] {kind_key}: {key:?} is listed twice"));
                    }
                    true => {}
                    false => chosen.push(*c),
                }
            }
            out.insert(kind, chosen);
        }
        Ok(Choice(out))
    }

    /// The columns `kind` shows, name first.
    pub fn of(&self, kind: NodeKind) -> &[Column] {
        self.0.get(&kind).map_or(columns(kind), Vec::as_slice)
    }
}

/// A column of `kind` by its key or a prefix of it (`:sort mem`).
pub fn find(kind: NodeKind, key: &str) -> Option<Column> {
    find_in(columns(kind), key)
}

/// A column of `cols` by its key or a prefix of it.
pub fn find_in(cols: &[Column], key: &str) -> Option<Column> {
    let key = key.to_ascii_lowercase();
    cols.iter()
        .find(|c| c.key == key)
        .or_else(|| cols.iter().find(|c| c.key.starts_with(&key)))
        .copied()
}

/// One cell's value, typed for sorting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    Text(&'a str),
    /// A state in words, ordered by how bad it is first (`state_rank`), then as text: a
    /// Critical alert before a Warning, a failed row before a healthy one.
    State(u8, &'a str),
    Number(Option<u64>),
    Time(Option<OffsetDateTime>),
}

impl<'a> Value<'a> {
    /// The text a table shows and a filter searches, for the kinds of value that are text.
    pub fn as_text(&self) -> Option<&'a str> {
        match *self {
            Value::Text(t) | Value::State(_, t) => Some(t),
            Value::Number(_) | Value::Time(_) => None,
        }
    }
}

/// Where a state sorts: errors first, then warnings, work in progress, healthy, the rest.
/// Alerts' Critical and Immediate are both errors and fall in that order by name.
pub fn state_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warn => 1,
        Severity::Busy => 2,
        Severity::Ok => 3,
        Severity::Neutral => 4,
        Severity::Muted => 5,
    }
}

/// The value of `col` for `node`, which lives on the endpoint labelled `endpoint`.
pub fn value<'a>(node: &'a Node, col: ColumnId, endpoint: &'a str) -> Value<'a> {
    let facts = node.facts.as_ref();
    let text = |f: fn(&'a super::model::VmFacts) -> &'a str| Value::Text(facts.map_or("", f));
    match col {
        ColumnId::Name => Value::Text(&node.name),
        // In words ("Powered on"), so a table sorts and filters by what it shows; `vnav dump`
        // writes the API's word instead (`cli/rows.rs`).
        ColumnId::State => Value::State(
            state_rank(node.status.severity),
            labels::status(node.status.label),
        ),
        ColumnId::Endpoint => Value::Text(endpoint),
        ColumnId::Place => text(|f| &f.place),
        ColumnId::Cpu => Value::Number(facts.and_then(|f| f.cpus.get()).map(u64::from)),
        ColumnId::Memory => Value::Number(facts.and_then(|f| f.memory_mib.get()).map(u64::from)),
        ColumnId::GuestOs => text(|f| &f.guest_os),
        ColumnId::Ip => text(|f| &f.ip),
        ColumnId::Owner => text(|f| &f.owner),
        ColumnId::SnapshotAge => Value::Time(facts.and_then(|f| f.snapshot_created.get())),
        ColumnId::SnapshotSize => Value::Number(facts.and_then(|f| f.snapshot_bytes.get())),
        // Only kinds other than VMs have this column: their summary is stored.
        ColumnId::Summary => Value::Text(node.stored_summary()),
        ColumnId::Version => Value::Text(workflow_part(node, 0)),
        ColumnId::Category => Value::Text(workflow_part(node, 1)),
        ColumnId::Description => Value::Text(workflow_part(node, 2)),
        #[cfg(test)]
        ColumnId::Health => Value::Number(node.health.map(|h| match h {
            Health::Red => 0,
            Health::Orange => 1,
            Health::Yellow => 2,
            Health::Green => 3,
            Health::Unknown => 4,
        })),
    }
}

/// Whether `col`'s value (`value`, and so its text, its order and what a filter finds in it)
/// reads a node's health (`Node::health`). None of the columns shown does: a health dot is
/// drawn beside the name, so landing 300,000 of them needs no table's order, rows or filter
/// touched (`App::place_health`). A column that reads it must say so here, or tables sorted
/// or filtered by it would not follow the dots (`columns::tests` holds every column to this).
pub fn reads_health(col: ColumnId) -> bool {
    match col {
        ColumnId::Name
        | ColumnId::State
        | ColumnId::Endpoint
        | ColumnId::Place
        | ColumnId::Cpu
        | ColumnId::Memory
        | ColumnId::GuestOs
        | ColumnId::Ip
        | ColumnId::Owner
        | ColumnId::SnapshotAge
        | ColumnId::SnapshotSize
        | ColumnId::Summary
        | ColumnId::Category
        | ColumnId::Version
        | ColumnId::Description => false,
        #[cfg(test)]
        ColumnId::Health => true,
    }
}

/// Between the parts of a workflow's summary.
pub const WORKFLOW_SEP: &str = " · ";

/// Part `i` of a workflow's summary, `version · category · description`, which the
/// Orchestrator's `map::workflow_node` writes (the tree shows it after the name; trailing
/// empty parts left out), so the typed columns cost a node nothing more.
fn workflow_part(node: &Node, i: usize) -> &str {
    if node.kind != NodeKind::Workflow {
        return "";
    }
    node.stored_summary()
        .splitn(3, WORKFLOW_SEP)
        .nth(i)
        .unwrap_or("")
}

/// The value of `col` as a table shows it; ages count from `now`.
pub fn text<'a>(
    node: &'a Node,
    col: ColumnId,
    endpoint: &'a str,
    now: OffsetDateTime,
) -> Cow<'a, str> {
    match (col, value(node, col, endpoint)) {
        (_, Value::Text(t) | Value::State(_, t)) => Cow::Borrowed(t),
        (ColumnId::Memory, Value::Number(Some(m))) => Cow::Owned(mib_text(m)),
        (ColumnId::SnapshotSize, Value::Number(Some(b))) => Cow::Owned(bytes_text(b)),
        (_, Value::Number(Some(n))) => Cow::Owned(n.to_string()),
        (_, Value::Time(Some(t))) => Cow::Owned(age(t, now)),
        (_, Value::Number(None) | Value::Time(None)) => Cow::Borrowed(""),
    }
}

/// Ascending order of two values of one column; unknown values (empty text, no number, no
/// time) go last, so they are not taken for the smallest.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    fn known<T: Ord>(a: Option<T>, b: Option<T>) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => a.cmp(&b),
            (a, b) => b.is_some().cmp(&a.is_some()),
        }
    }
    match (a, b) {
        (Value::Text(a), Value::Text(b)) => match (a.is_empty(), b.is_empty()) {
            (false, false) => natural_cmp(a, b),
            (a, b) => a.cmp(&b),
        },
        (Value::State(ra, a), Value::State(rb, b)) => match (a.is_empty(), b.is_empty()) {
            (false, false) => ra.cmp(rb).then_with(|| natural_cmp(a, b)),
            (a, b) => a.cmp(&b),
        },
        (Value::Number(a), Value::Number(b)) => known(*a, *b),
        (Value::Time(a), Value::Time(b)) => known(*a, *b),
        // One column holds one type; no order between types.
        _ => Ordering::Equal,
    }
}

/// Natural order: runs of digits compare as numbers, the rest case-insensitively, and the
/// exact text breaks ties so the order is total ("web-11" < "web-100", "Web-2" < "web-10").
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    // Names in a sorted table share long prefixes with their neighbours: the bytes both have
    // alike are skipped at once, back to the start of a digit run they end in (a number is
    // read whole). What is skipped compares equal token by token, so the walk below gives the
    // same answer from there (`tests::natural_cmp_skips_what_both_share`).
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let mut same = x.iter().zip(y).take_while(|(c, d)| c == d).count();
    while same > 0 && x[same - 1].is_ascii_digit() {
        same -= 1;
    }
    natural_cmp_from(a, b, same)
}

/// `natural_cmp` from byte `from`, where both texts start a token after an equal prefix.
fn natural_cmp_from(a: &str, b: &str, from: usize) -> Ordering {
    let (mut x, mut y) = (&a.as_bytes()[from..], &b.as_bytes()[from..]);
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let (n, rest_x) = digits(x);
                let (m, rest_y) = digits(y);
                // Longer runs without leading zeros are bigger; equal lengths compare bytewise.
                let ord = n.len().cmp(&m.len()).then_with(|| n.cmp(m));
                if ord != Ordering::Equal {
                    return ord;
                }
                (x, y) = (rest_x, rest_y);
            }
            (Some(c), Some(d)) => {
                let ord = c.to_ascii_lowercase().cmp(&d.to_ascii_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

/// The digit run at the start of `s` without its leading zeros, and the rest.
fn digits(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    let (run, rest) = s.split_at(end);
    let zeros = run.iter().take_while(|c| **c == b'0').count();
    (&run[zeros.min(run.len().saturating_sub(1))..], rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{VmFacts, parse_time};

    proptest::proptest! {
        /// Skipping the shared prefix answers as the walk from the first byte does, on texts
        /// made of digits, letters of both cases, separators and a non-ASCII letter.
        #[test]
        fn natural_cmp_skips_what_both_share(
            stem in "[0-9aB.-]{0,6}",
            a in "[0-9aAbB.é-]{0,8}",
            b in "[0-9aAbB.é-]{0,8}",
        ) {
            let (a, b) = (format!("{stem}{a}"), format!("{stem}{b}"));
            proptest::prop_assert_eq!(natural_cmp(&a, &b), natural_cmp_from(&a, &b, 0));
            proptest::prop_assert_eq!(natural_cmp(&b, &a), natural_cmp_from(&b, &a, 0));
        }
    }

    #[test]
    fn names_sort_naturally() {
        let mut names = vec!["web-100", "web-11", "Web-2", "web-10", "db", "web-011", ""];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            ["", "db", "Web-2", "web-10", "web-011", "web-11", "web-100"]
        );
        assert_eq!(natural_cmp("10.0.0.9", "10.0.0.10"), Ordering::Less);
    }

    #[test]
    fn vm_columns_read_the_facts_and_unknowns_sort_last() {
        let now = parse_time("2026-12-06T12:00:00Z").unwrap();
        let vm = Node::new(NodeKind::Vm, "vm-1", "web-1").with_facts(VmFacts {
            cpus: Some(2).into(),
            memory_mib: Some(4096).into(),
            ip: "10.0.0.7".into(),
            snapshot_created: parse_time("2026-12-01T12:00:00Z").into(),
            ..VmFacts::default()
        });
        let bare = Node::new(NodeKind::Vm, "vm-2", "web-2");
        let cells: Vec<_> = columns(NodeKind::Vm)
            .iter()
            .map(|c| text(&vm, c.id, "vcd", now))
            .collect();
        assert_eq!(
            cells,
            [
                "web-1",
                "",
                "vcd",
                "",
                "2",
                "4 GiB",
                "",
                "10.0.0.7",
                "",
                "5 days old",
                ""
            ]
        );
        for col in [CPU, IP, SNAPSHOT_AGE] {
            let (a, b) = (value(&vm, col.id, ""), value(&bare, col.id, ""));
            assert_eq!(compare(&a, &b), Ordering::Less, "{}", col.key);
            assert_eq!(compare(&b, &a), Ordering::Greater, "{}", col.key);
        }
        assert_eq!(find(NodeKind::Vm, "mem"), Some(MEMORY));
        assert_eq!(kind_named("vms"), Some(NodeKind::Vm));
        assert_eq!(kind_named("s"), None);
        assert_eq!(find(NodeKind::Host, "cpu"), None);
    }

    /// What lets a health dot skip every table's order and filter: a column whose value
    /// changes with the node's health says so (`reads_health`), and no column shown does.
    #[test]
    fn only_the_columns_that_say_so_read_health() {
        let healths = [
            None,
            Some(Health::Green),
            Some(Health::Yellow),
            Some(Health::Orange),
            Some(Health::Red),
            Some(Health::Unknown),
        ];
        let mut cols: Vec<Column> = (KINDS.iter().map(|(_, k)| columns(*k)))
            .chain([SNAPSHOT_COLUMNS, &[HEALTH]])
            .flatten()
            .copied()
            .collect();
        cols.dedup();
        for &(_, kind) in KINDS {
            let node = Node::new(kind, "x-1", "web-1")
                .with_status(crate::api::model::Status::new("POWERED_ON", Severity::Ok))
                .with_summary(["1.0", "Library", "does things"].join(WORKFLOW_SEP))
                .with_facts(VmFacts {
                    cpus: Some(2).into(),
                    ip: "10.0.0.7".into(),
                    ..VmFacts::default()
                });
            for col in &cols {
                let values: Vec<String> = (healths.iter())
                    .map(|&h| format!("{:?}", value(&node.clone().with_health(h), col.id, "vcd")))
                    .collect();
                let read = values.windows(2).any(|w| w[0] != w[1]);
                assert_eq!(read, reads_health(col.id), "{:?} of a {kind:?}", col.id);
            }
        }
        let shown = (KINDS.iter())
            .flat_map(|(_, k)| columns(*k))
            .chain(SNAPSHOT_COLUMNS);
        assert!(!shown.into_iter().any(|c| reads_health(c.id)));
    }

    #[test]
    fn endpoint_tags_tell_products_and_same_product_endpoints_apart() {
        let tags = endpoint_tags(&[
            (Some(Product::Vcd), "prod cloud"),
            (Some(Product::Vcenter), "vc-ams"),
            (Some(Product::Vrops), "ops"),
            (Some(Product::Vcenter), "vc-fra"),
            (None, "lab-vro"),
        ]);
        assert_eq!(tags, ["vCD", "vC1", "Ops", "vC2", "lab"]);
    }

    #[test]
    fn workflow_columns_read_the_parts_of_its_summary() {
        let now = parse_time("2026-12-06T12:00:00Z").unwrap();
        let wf = Node::new(NodeKind::Workflow, "wf-1", "Rotate certificate")
            .with_summary("2.3.10 · Security · Replaces a cert · and restarts");
        let cells: Vec<_> = columns(NodeKind::Workflow)
            .iter()
            .map(|c| text(&wf, c.id, "vro", now))
            .collect();
        assert_eq!(
            cells,
            [
                "Rotate certificate",
                "Security",
                "2.3.10",
                "Replaces a cert · and restarts",
                "vro"
            ]
        );
        let old = Node::new(NodeKind::Workflow, "wf-2", "x").with_summary("2.3.9 · Security");
        assert_eq!(text(&old, ColumnId::Description, "", now), "");
        let (a, b) = (
            value(&old, ColumnId::Version, ""),
            value(&wf, ColumnId::Version, ""),
        );
        assert_eq!(compare(&a, &b), Ordering::Less, "versions sort as numbers");
        assert_eq!(find(NodeKind::Workflow, "cat"), Some(CATEGORY));
    }
}
