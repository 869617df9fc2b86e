//! The unified model every product maps into. The app and the views only ever see these types,
//! so a new product plugs in by mapping its payloads here and implementing `Backend`.

use compact_str::CompactString;
use std::borrow::Cow;
use std::fmt;
use time::OffsetDateTime;

pub use super::interned::{Label, Sym};
pub use super::node_id::NodeId;
pub use super::packed::Packed;
pub use super::thin_str::ThinStr;

/// Which product an endpoint speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Product {
    Vcd,
    Vcenter,
    Vrops,
    Vro,
}

impl Product {
    pub fn label(self) -> &'static str {
        match self {
            Product::Vcd => "vCD",
            Product::Vcenter => "vCenter",
            Product::Vrops => "Aria Operations",
            Product::Vro => "Orchestrator",
        }
    }

    /// Three letters that tell the products apart where a table has no room for an
    /// endpoint's label (`columns::endpoint_tags`).
    pub fn tag(self) -> &'static str {
        match self {
            Product::Vcd => "vCD",
            Product::Vcenter => "vC",
            Product::Vrops => "Ops",
            Product::Vro => "vRO",
        }
    }
}

/// What a node is. Drives icons, the action table and which detail sections exist.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum NodeKind {
    Endpoint,
    /// A synthetic grouping node ("VMs", "Datastores", …) that a backend inserts.
    Group,
    Org,
    Vdc,
    VApp,
    Vm,
    Catalog,
    CatalogItem,
    VAppTemplate,
    Media,
    Network,
    Datacenter,
    Cluster,
    Host,
    Datastore,
    Folder,
    ResourcePool,
    Snapshot,
    Task,
    Other,
    /// An Aria Operations adapter instance (one per monitored vCenter, …).
    AdapterInstance,
    /// An Aria Operations resource of a kind that has no node kind of its own.
    Resource,
    Alert,
    /// An Orchestrator workflow category (they nest).
    WorkflowCategory,
    Workflow,
    /// One execution of a workflow.
    WorkflowRun,
}

impl NodeKind {
    pub fn label(self) -> &'static str {
        match self {
            NodeKind::Endpoint => "Endpoint",
            NodeKind::Group => "Group",
            NodeKind::Org => "Org",
            NodeKind::Vdc => "VDC",
            NodeKind::VApp => "vApp",
            NodeKind::Vm => "VM",
            NodeKind::Catalog => "Catalog",
            NodeKind::CatalogItem => "Catalog item",
            NodeKind::VAppTemplate => "vApp template",
            NodeKind::Media => "Media",
            NodeKind::Network => "Network",
            NodeKind::Datacenter => "Datacenter",
            NodeKind::Cluster => "Cluster",
            NodeKind::Host => "Host",
            NodeKind::Datastore => "Datastore",
            NodeKind::Folder => "Folder",
            NodeKind::ResourcePool => "Resource pool",
            NodeKind::Snapshot => "Snapshot",
            NodeKind::Task => "Task",
            NodeKind::Other => "Entity",
            NodeKind::AdapterInstance => "Adapter instance",
            NodeKind::Resource => "Resource",
            NodeKind::Alert => "Alert",
            NodeKind::WorkflowCategory => "Category",
            NodeKind::Workflow => "Workflow",
            NodeKind::WorkflowRun => "Run",
        }
    }
}

/// How alarming a status is; views map it to a theme colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Severity {
    #[default]
    Neutral,
    Ok,
    Warn,
    Error,
    Muted,
    Busy,
}

/// A node's state as the server reports it ("POWERED_ON", "MIXED", "green", …): its label is
/// a handle into the process's one set of labels, so a status costs a node 4 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Status {
    pub label: Label,
    pub severity: Severity,
}

impl Status {
    pub const NONE: Status = Status {
        label: Label::NONE,
        severity: Severity::Neutral,
    };

    pub fn new(label: impl AsRef<str>, severity: Severity) -> Self {
        Status {
            label: Label::new(label.as_ref()),
            severity,
        }
    }

    /// A status whose label is a state the APIs name (the same as `new`: every label is held
    /// once).
    pub fn state(label: &str, severity: Severity) -> Self {
        Status::new(label, severity)
    }
}

/// One entry of the inventory. `id` is the backend's own handle (an href for vCD, a moid for
/// vCenter, …): opaque to the app, stable, and enough for the backend to fetch the node again.
///
/// Sized for 300,000 in one process (`tests::a_node_is_small`): ids and names up to 24 bytes
/// (moids, most names) need no heap block, a VM's facts are inline (VMs are nearly every node
/// at scale), its summary is built when drawn (`summary`), not stored, and what few nodes have
/// (a stored summary, a backing) is one pointer, null for the rest (`Extra`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// vCD hrefs and other ids that end in a UUID take no heap block (`NodeId`).
    pub id: NodeId,
    pub name: CompactString,
    pub status: Status,
    /// The stored summary and the backing: None for a node that has neither (every VM of a
    /// listing), so they cost such a node 8 bytes instead of 24.
    extra: Option<Box<Extra>>,
    /// Whether the node may have children (they are loaded lazily on expand).
    pub expandable: bool,
    /// Its health as a monitoring product rates it (Aria Operations' health badge), when
    /// known: one byte, drawn as a coloured dot on the row.
    pub health: Option<Health>,
    /// For a VM: the typed facts its listing gave (tables sort and filter on them).
    pub facts: Option<VmFacts>,
}

/// The fields of a `Node` that few nodes have, behind one pointer.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Extra {
    /// Short extra columns shown after the name ("3 VMs · VDC-A"); empty for a VM, whose
    /// summary comes from its facts (see `Node::summary`).
    summary: Box<str>,
    /// For a vCD VM: the vCenter VM behind it, when vCD says (to a system administrator).
    backing: Option<VimRef>,
}

/// A health colour as Aria Operations rates an object (its health, risk and efficiency badges,
/// `resourceHealth`). One byte, so every node can carry one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Health {
    Green,
    Yellow,
    Orange,
    Red,
    /// Grey: no data (not collecting, powered off, unknown).
    Unknown,
}

impl Health {
    /// `GREEN`, `YELLOW`, `ORANGE`, `RED`, `GREY`/`UNKNOWN` (any case); None for anything else.
    pub fn from_colour(colour: &str) -> Option<Health> {
        Some(match colour.to_ascii_uppercase().as_str() {
            "GREEN" => Health::Green,
            "YELLOW" => Health::Yellow,
            "ORANGE" => Health::Orange,
            "RED" => Health::Red,
            "GREY" | "GRAY" | "UNKNOWN" => Health::Unknown,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Health::Green => "green",
            Health::Yellow => "yellow",
            Health::Orange => "orange",
            Health::Red => "red",
            Health::Unknown => "grey",
        }
    }
}

/// What a VM listing says about each VM, typed, for table columns. Each field is what the
/// product's list call returned; empty or None where it did not say.
///
/// Numbers and the snapshot date are `Packed` (an `Option` without its padding: 24 bytes less
/// a VM, `tests::a_node_is_small`); read them with `get()`, set them from an `Option`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct VmFacts {
    pub cpus: Packed<u32>,
    pub memory_mib: Packed<u32>,
    /// Guest OS, place and owner repeat across VMs: one shared copy of each value (`Sym`).
    pub guest_os: Sym,
    /// The first IP address the listing gives: one pointer, null when none (most VMs at scale:
    /// a vCenter listing names none), an IPv4 text in a 16-byte block (`ThinStr`).
    pub ip: ThinStr,
    /// Where the VM lives: its vApp (vCD) or host (vCenter).
    pub place: Sym,
    pub owner: Sym,
    /// When its (oldest) snapshot was taken, where the listing says (the instant, in UTC).
    pub snapshot_created: Packed<OffsetDateTime>,
    /// Bytes its snapshots hold, where known.
    pub snapshot_bytes: Packed<u64>,
}

impl VmFacts {
    /// "vApp web · 2 vCPU · 4 GiB · Ubuntu Linux (64-bit) · 10.0.0.4": a VM row's summary,
    /// from what is known.
    pub fn summary(&self) -> String {
        let mut parts: Vec<Cow<str>> = Vec::with_capacity(5);
        if !self.place.is_empty() {
            parts.push(Cow::Borrowed(self.place.as_str()));
        }
        if let Some(cpu) = self.cpus.get() {
            parts.push(Cow::Owned(format!("{cpu} vCPU")));
        }
        if let Some(mem) = self.memory_mib.get() {
            parts.push(Cow::Owned(mib_text(u64::from(mem))));
        }
        for text in [self.guest_os.as_str(), &self.ip] {
            if !text.is_empty() {
                parts.push(Cow::Borrowed(text));
            }
        }
        parts.join(" · ")
    }
}

/// One shared copy of a value that repeats across many nodes (guest OS names, vApps, hosts,
/// owners), see `Sym`.
pub fn intern(value: &str) -> Sym {
    Sym::new(value)
}

/// The vCenter VM behind a vCD VM, as vCD tells a system administrator: the vCenter (the URL
/// vCD registered it with, and its name in vCD) and the VM's moid there. A moid alone is not
/// unique across vCenters: the pair is the identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VimRef {
    pub vcenter_url: Box<str>,
    pub vcenter_name: Box<str>,
    pub moid: Box<str>,
}

impl VimRef {
    /// Whether this vCenter is the one at `url`: same host and port (what vCD's VimServer
    /// `Url` and an endpoint's URL share); a name never decides.
    pub fn is_at(&self, url: &str) -> bool {
        host_port(&self.vcenter_url).is_some_and(|a| host_port(url) == Some(a))
    }
}

/// The vCenter VMs behind many VMs of an endpoint (`Backend::vm_backings`): each vCenter named
/// once and each VM by its `NodeId`, 56 bytes a VM and nothing on the heap for a vCD VM, where
/// an href and a whole `VimRef` took ~250.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Backings {
    /// Each vCenter named: (URL, name), as in `VimRef`.
    pub vcenters: Vec<(Box<str>, Box<str>)>,
    /// Each VM: its node id, its vCenter (a place in `vcenters`) and its moid there.
    pub vms: Vec<(NodeId, u32, CompactString)>,
}

impl Backings {
    /// The vCenter VM behind the VM at `at` in `vms`, whole.
    pub fn vim_ref(&self, at: usize) -> VimRef {
        let (_, vc, moid) = &self.vms[at];
        let (url, name) = &self.vcenters[*vc as usize];
        VimRef {
            vcenter_url: url.clone(),
            vcenter_name: name.clone(),
            moid: moid.as_str().into(),
        }
    }

    /// Each VM's place in `vms`, by its node id.
    pub fn by_vm(&self) -> std::collections::HashMap<&NodeId, usize> {
        (self.vms.iter().enumerate())
            .map(|(at, (id, _, _))| (id, at))
            .collect()
    }
}

/// "host:port" of a URL, lower-cased, with the scheme's port when none is written.
pub fn host_port(url: &str) -> Option<(String, u16)> {
    let u = url::Url::parse(url).ok()?;
    Some((
        u.host_str()?.to_ascii_lowercase(),
        u.port_or_known_default()?,
    ))
}

impl Node {
    pub fn new(kind: NodeKind, id: impl Into<NodeId>, name: impl Into<CompactString>) -> Self {
        Node {
            kind,
            id: id.into(),
            name: name.into(),
            status: Status::NONE,
            extra: None,
            expandable: false,
            health: None,
            facts: None,
        }
    }

    /// Short extra columns shown after the name: a VM's built from its facts when drawn
    /// (at 300,000 VMs a stored one would cost ~30 MB), any other node's as its backend said.
    pub fn summary(&self) -> Cow<'_, str> {
        match &self.facts {
            Some(f) if self.stored_summary().is_empty() && self.kind == NodeKind::Vm => {
                Cow::Owned(f.summary())
            }
            _ => Cow::Borrowed(self.stored_summary()),
        }
    }

    /// The summary the backend set, without a VM's built one (the `Summary` column of kinds
    /// other than VMs).
    pub fn stored_summary(&self) -> &str {
        self.extra.as_ref().map_or("", |x| &x.summary)
    }

    pub fn set_summary(&mut self, summary: impl Into<Box<str>>) {
        let summary = summary.into();
        self.change_extra(|x| x.summary = summary);
    }

    /// For a vCD VM: the vCenter VM behind it, when vCD says (to a system administrator).
    pub fn backing(&self) -> Option<&VimRef> {
        self.extra.as_ref()?.backing.as_ref()
    }

    pub fn set_backing(&mut self, backing: Option<VimRef>) {
        self.change_extra(|x| x.backing = backing);
    }

    /// Changes the extra fields, leaving none allocated when they are all empty.
    fn change_extra(&mut self, change: impl FnOnce(&mut Extra)) {
        match &mut self.extra {
            Some(extra) => change(extra),
            None => {
                let mut extra = Extra::default();
                change(&mut extra);
                self.extra = Some(Box::new(extra));
            }
        }
        if self
            .extra
            .as_ref()
            .is_some_and(|x| x.summary.is_empty() && x.backing.is_none())
        {
            self.extra = None;
        }
    }

    /// Keeps what `older` knew and this read did not say (a VM document has no owner or vApp
    /// name; the listing had them), so a refresh never blanks a column.
    pub fn keep_facts(&mut self, older: &Node) {
        let Some(old) = older.facts.as_ref() else {
            return;
        };
        let new = self.facts.get_or_insert_with(Default::default);
        let keep = |n: &mut Sym, o: Sym| {
            if n.is_empty() {
                *n = o;
            }
        };
        keep(&mut new.guest_os, old.guest_os);
        keep(&mut new.place, old.place);
        keep(&mut new.owner, old.owner);
        if new.ip.is_empty() {
            new.ip = old.ip.clone();
        }
        new.cpus = new.cpus.or(old.cpus);
        new.memory_mib = new.memory_mib.or(old.memory_mib);
        new.snapshot_created = new.snapshot_created.or(old.snapshot_created);
        new.snapshot_bytes = new.snapshot_bytes.or(old.snapshot_bytes);
    }

    pub fn with_facts(mut self, facts: VmFacts) -> Self {
        self.facts = Some(facts);
        self
    }

    pub fn with_health(mut self, health: Option<Health>) -> Self {
        self.health = health;
        self
    }

    pub fn expandable(mut self, yes: bool) -> Self {
        self.expandable = yes;
        self
    }

    pub fn with_status(mut self, status: Status) -> Self {
        self.status = status;
        self
    }

    pub fn with_summary(mut self, summary: impl Into<Box<str>>) -> Self {
        self.set_summary(summary);
        self
    }
}

/// A titled block of the detail view: key/value rows, then a table, then time series, each
/// drawn the same way whatever the product (a section may hold any of them).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Section {
    pub title: String,
    pub rows: Vec<(String, String)>,
    pub table: Option<Table>,
    pub series: Vec<Series>,
}

/// Rows under column headings (alerts: criticality, age, name; related resources).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<TableRow>,
}

/// One table row: its cells, the health colour it is drawn in, and the node it stands for,
/// which Enter opens in the tree (on the same endpoint).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TableRow {
    pub cells: Vec<String>,
    pub health: Option<Health>,
    pub target: Option<Box<Node>>,
}

/// A metric over time, oldest point first (Aria Operations' 24 h of 5-minute points).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Series {
    pub label: String,
    /// "%" scales the sparkline to 0–100; any other unit to the series' own maximum.
    pub unit: String,
    /// Finite values only (`Series::new` drops the rest), so `Eq` holds.
    pub points: Vec<f64>,
}

impl Eq for Series {}

impl Series {
    pub fn new(label: impl Into<String>, unit: impl Into<String>, points: Vec<f64>) -> Series {
        Series {
            label: label.into(),
            unit: unit.into(),
            points: points.into_iter().filter(|p| p.is_finite()).collect(),
        }
    }

    pub fn latest(&self) -> Option<f64> {
        self.points.last().copied()
    }

    /// The points averaged into `width` buckets (or as they are when fewer), so a day fits
    /// the columns there are.
    pub fn fit(&self, width: usize) -> Vec<f64> {
        let n = self.points.len();
        if width == 0 || n <= width {
            return self.points.clone();
        }
        (0..width)
            .map(|i| {
                let (a, b) = (i * n / width, ((i + 1) * n / width).max(i * n / width + 1));
                self.points[a..b].iter().sum::<f64>() / (b - a) as f64
            })
            .collect()
    }
}

impl Section {
    pub fn new(title: impl Into<String>) -> Self {
        Section {
            title: title.into(),
            ..Default::default()
        }
    }

    /// True when it has nothing to show.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
            && self.table.as_ref().is_none_or(|t| t.rows.is_empty())
            && self.series.is_empty()
    }

    /// Adds a row unless the value is empty, so sections only show what the server said.
    pub fn row(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        if !value.is_empty() {
            self.rows.push((key.into(), value));
        }
        self
    }
}

/// A related link of an entity (vCD `<Link>`, a vCenter sub-resource, …).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Link {
    pub rel: String,
    pub media_type: String,
    pub href: String,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawFormat {
    Xml,
    Json,
}

/// The entity's payload as received, pretty-printed for the raw view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raw {
    pub format: RawFormat,
    pub text: String,
}

impl Raw {
    /// A JSON answer, pretty-printed when it parses (as it came otherwise).
    pub fn json(text: &str) -> Raw {
        let text = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| text.to_string());
        Raw {
            format: RawFormat::Json,
            text,
        }
    }
}

/// Everything the detail pane shows for one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Details {
    /// The node as freshly read, so the tree row can update its name and status.
    pub node: Node,
    pub sections: Vec<Section>,
    pub links: Vec<Link>,
    /// The actions the server offers on this node right now.
    pub actions: Vec<ActionOffer>,
    /// What a user may copy (label, text): the entity's identifiers (id, href, moid), then
    /// commands that fetch it from a shell (curl, govc, PowerCLI).
    pub copies: Vec<(String, String)>,
    /// Where the server keeps one snapshot per VM (legacy vCD), what a new one would replace;
    /// None where snapshots add up (vCenter) or for nodes that are not VMs.
    pub snapshot_slot: Option<SnapshotSlot>,
    pub raw: Raw,
}

/// A VM's one snapshot on a server where taking a new snapshot replaces the old one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotSlot {
    /// No snapshot: a new one replaces nothing.
    Empty,
    /// A new snapshot replaces this one.
    Taken {
        created: Option<OffsetDateTime>,
        bytes: Option<u64>,
    },
    /// The snapshot could not be read (why): there may be one to lose.
    Unknown(String),
}

impl SnapshotSlot {
    /// What taking a new snapshot loses, as of `now`, for the confirmation; None when it
    /// loses nothing.
    pub fn replaces(&self, now: OffsetDateTime) -> Option<String> {
        match self {
            SnapshotSlot::Empty => None,
            SnapshotSlot::Taken { created, bytes } => {
                let when = match created {
                    Some(t) => t.date().to_string(),
                    None => "an unknown date".to_string(),
                };
                let about: Vec<String> = created
                    .map(|t| age(t, now))
                    .into_iter()
                    .chain(bytes.map(bytes_text))
                    .collect();
                Some(match about.is_empty() {
                    true => format!("replaces the snapshot of {when}"),
                    false => format!("replaces the snapshot of {when} ({})", about.join(", ")),
                })
            }
            SnapshotSlot::Unknown(why) => Some(format!(
                "may replace a snapshot: it could not be read ({why})"
            )),
        }
    }
}

/// Every action vnav knows how to invoke. Which ones a node offers comes from the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter)]
pub enum ActionId {
    PowerOn,
    PowerOff,
    Reset,
    Suspend,
    Shutdown,
    Reboot,
    Standby,
    Deploy,
    Undeploy,
    SnapshotCreate,
    SnapshotRevert,
    SnapshotRemove,
    /// Remove a snapshot together with the snapshots taken after it from it (vCenter).
    SnapshotRemoveTree,
    SnapshotRemoveAll,
    /// An action the server describes itself (an Orchestrator workflow): its label, risk and
    /// parameters travel in the offer (`ActionOffer::described`), not in vnav's table.
    Run,
}

/// An action the server offers on a node, with the backend's handle to invoke it
/// (the link href for vCD).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionOffer {
    pub id: ActionId,
    pub href: Box<str>,
    /// For `ActionId::Run`: what the server says the action is and asks for.
    pub described: Option<std::sync::Arc<Described>>,
}

impl ActionOffer {
    /// An action of vnav's own table, invoked at `href`.
    pub fn new(id: ActionId, href: impl Into<Box<str>>) -> Self {
        ActionOffer {
            id,
            href: href.into(),
            described: None,
        }
    }

    /// An action the server describes, invoked at `href`.
    pub fn described(href: impl Into<Box<str>>, described: Described) -> Self {
        ActionOffer {
            id: ActionId::Run,
            href: href.into(),
            described: Some(std::sync::Arc::new(described)),
        }
    }
}

/// How careful the confirmation of an action must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Risk {
    /// Changes nothing on the server; allowed in read-only mode.
    Safe,
    /// Changes state but is easy to undo: a y/N dialog defaulting to No.
    Disruptive,
    /// Loses work or data: the user types the target's name (or the count, for marks).
    Destructive,
}

impl Risk {
    pub fn label(self) -> &'static str {
        match self {
            Risk::Safe => "safe",
            Risk::Disruptive => "disruptive",
            Risk::Destructive => "destructive",
        }
    }
}

/// An action that is data: a label, a risk and the parameters it takes, as the server
/// declares them (a workflow and its inputs). A future product's actions are this too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Described {
    /// Imperative label ("Run Restart app tier").
    pub label: String,
    pub description: String,
    pub risk: Risk,
    /// Where the risk comes from, said in the form and the confirmation (a product that
    /// declares none leaves the client to decide, and the operator should know how); empty
    /// when the server declared it.
    pub risk_rule: String,
    pub params: Vec<ParamSpec>,
}

/// The type of a declared parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    /// Masked on screen, never logged, never audited.
    SecureString,
    Number,
    Boolean,
    Date,
    StringList,
    /// Key/value pairs of strings.
    Properties,
    /// An object of an SDK type ("VC:VirtualMachine", "vCloud:VApp"), given by its id.
    SdkObject(Box<str>),
    /// A type vnav cannot enter (the server's own name for it): left unset.
    Unsupported(Box<str>),
}

impl ParamType {
    /// The name shown next to a field ("number", "VC:VirtualMachine").
    pub fn label(&self) -> &str {
        match self {
            ParamType::String => "string",
            ParamType::SecureString => "secure string",
            ParamType::Number => "number",
            ParamType::Boolean => "yes/no",
            ParamType::Date => "date",
            ParamType::StringList => "list of strings",
            ParamType::Properties => "properties",
            ParamType::SdkObject(t) | ParamType::Unsupported(t) => t,
        }
    }
}

/// One parameter an action takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: String,
    pub label: String,
    pub ty: ParamType,
    pub mandatory: bool,
    pub default: Option<ParamValue>,
    /// When not empty, the only values accepted (as text).
    pub allowed: Vec<String>,
    pub description: String,
}

impl ParamSpec {
    pub fn new(name: impl Into<String>, ty: ParamType) -> Self {
        let name = name.into();
        ParamSpec {
            label: name.clone(),
            name,
            ty,
            mandatory: false,
            default: None,
            allowed: Vec::new(),
            description: String::new(),
        }
    }
}

/// A secret typed by the user: wiped from memory when dropped, `***` in Debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(pub zeroize::Zeroizing<String>);

impl SecretText {
    pub fn new(s: impl Into<String>) -> Self {
        SecretText(zeroize::Zeroizing::new(s.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A typed parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    Text(String),
    Secret(SecretText),
    Number(f64),
    Bool(bool),
    Date(OffsetDateTime),
    List(Vec<String>),
    Properties(Vec<(String, String)>),
    SdkObject { ty: Box<str>, id: String },
}

// Numbers are finite (the form refuses NaN), so equality is an equivalence.
impl Eq for ParamValue {}

impl ParamValue {
    /// The value as JSON for the audit log and the raw view: secrets are masked.
    pub fn masked_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            ParamValue::Text(s) => json!(s),
            ParamValue::Secret(_) => json!("***"),
            ParamValue::Number(n) => json!(n),
            ParamValue::Bool(b) => json!(b),
            ParamValue::Date(d) => json!(
                d.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            ),
            ParamValue::List(l) => json!(l),
            ParamValue::Properties(p) => {
                serde_json::Value::Object(p.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
            }
            ParamValue::SdkObject { ty, id } => json!({ "type": &**ty, "id": id }),
        }
    }
}

/// Parameters an action needs beyond its target.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum ActionParams {
    #[default]
    None,
    Snapshot {
        name: String,
        description: String,
        memory: bool,
        quiesce: bool,
    },
    /// Revert to / remove one snapshot of a VM that keeps many (vCenter).
    SnapshotRef {
        snapshot: String,
        remove_children: bool,
    },
    /// Values for the parameters of a described action, by parameter name; parameters left
    /// unset are absent.
    Inputs(Vec<(String, ParamValue)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    Queued,
    Running,
    Success,
    Error,
    Canceled,
    Aborted,
    /// Waits on a person (a workflow's user interaction or signal).
    WaitingForInput,
    /// Paused on the server; it resumes or is cancelled there.
    Suspended,
}

impl TaskState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskState::Success | TaskState::Error | TaskState::Canceled | TaskState::Aborted
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Success => "success",
            TaskState::Error => "error",
            TaskState::Canceled => "canceled",
            TaskState::Aborted => "aborted",
            TaskState::WaitingForInput => "waiting for input",
            TaskState::Suspended => "suspended",
        }
    }
}

/// One thing that happened to an object, as its server recorded it: a task run on it or an
/// event logged about it (the detail pane's "Events" section).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectEvent {
    pub time: Option<OffsetDateTime>,
    /// Who did it, when the server says (vim events of the system have none).
    pub user: Option<String>,
    /// What happened, in words ("Power on: succeeded", "web-1 on h1 is powered off").
    pub text: String,
    /// Red for a failure, yellow for a warning; None for the ordinary.
    pub health: Option<Health>,
}

/// The entity a task works on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskTarget {
    pub kind: NodeKind,
    pub id: Box<str>,
    pub name: Box<str>,
}

/// A long operation on the server (vCD Task, vim Task, vRO execution).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    /// The backend's handle to poll it (task href for vCD).
    pub id: Box<str>,
    pub operation: String,
    pub target: Option<TaskTarget>,
    pub state: TaskState,
    pub progress: Option<u8>,
    pub started: Option<OffsetDateTime>,
    pub finished: Option<OffsetDateTime>,
    pub error: Option<String>,
    /// Where to cancel it, when the server says it can be cancelled.
    pub cancel: Option<Box<str>>,
    /// Who started it, when the server says.
    pub user: Option<String>,
}

/// What an endpoint reported about itself after login; shown in the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointInfo {
    pub product: Product,
    pub url: String,
    pub user: String,
    pub api_version: String,
    /// What the endpoint offers beyond browsing, so the app asks only for that.
    pub capabilities: Capabilities,
    /// A vCenter's instance UUID (`about.instanceUuid`): what Aria Operations calls its
    /// `VMEntityVCID`, so a VM is matched on it and its moid, never on names.
    pub instance_uuid: Option<String>,
}

/// The optional features of a backend. The app and the views ask these, never the product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// `Backend::snapshot_sprawl` works (there are VMs with snapshots to list).
    pub snapshot_sprawl: bool,
    /// `Backend::vm_insight` and `Backend::vm_key` work: the endpoint rates other products'
    /// VMs (Aria Operations).
    pub insight: bool,
    /// `Backend::ancestors` works: a node found by `:goto` opens where browsing reaches it
    /// (an Orchestrator workflow under its category path) rather than under the endpoint.
    pub places: bool,
    /// `Backend::vm_backings` works: the endpoint names the vCenter VM behind each of its VMs
    /// (vCD, to a system administrator).
    pub backings: bool,
}

impl Capabilities {
    /// Everything vnav can ask of an endpoint: vCD and vCenter.
    pub const ALL: Capabilities = Capabilities {
        snapshot_sprawl: true,
        insight: false,
        places: false,
        backings: false,
    };
    /// Browsing only.
    pub const BROWSE: Capabilities = Capabilities {
        snapshot_sprawl: false,
        insight: false,
        places: false,
        backings: false,
    };
    /// Browsing a catalogue whose found nodes are placed where they sit (Orchestrator).
    pub const CATALOGUE: Capabilities = Capabilities {
        places: true,
        ..Capabilities::BROWSE
    };
    /// Watching other products' VMs, no snapshots (Aria Operations).
    pub const MONITOR: Capabilities = Capabilities {
        snapshot_sprawl: false,
        insight: true,
        places: false,
        backings: false,
    };
}

impl fmt::Display for EndpointInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} as {} (API {})",
            self.product.label(),
            self.url,
            self.user,
            self.api_version
        )
    }
}

/// A vCenter VM as any product names it: its vCenter's instance UUID and its moid (a moid
/// alone repeats across vCenters). No heap block: an index of 100,000 keys repeats a few
/// VCIDs (one shared copy each, `Sym`) and moids fit inline.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VmKey {
    pub vcid: Sym,
    pub moid: CompactString,
}

impl VmKey {
    /// The VCID is a UUID: compared lower-cased, however a product writes it.
    pub fn new(vcid: &str, moid: &str) -> VmKey {
        let vcid = match vcid.bytes().any(|b| b.is_ascii_uppercase()) {
            true => Sym::new(&vcid.to_ascii_lowercase()),
            false => Sym::new(vcid),
        };
        VmKey {
            vcid,
            moid: moid.into(),
        }
    }
}

/// By VCID, then moid, as texts.
impl Ord for VmKey {
    fn cmp(&self, other: &VmKey) -> std::cmp::Ordering {
        (self.vcid.as_str(), self.moid.as_str()).cmp(&(other.vcid.as_str(), other.moid.as_str()))
    }
}

impl PartialOrd for VmKey {
    fn partial_cmp(&self, other: &VmKey) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// What a monitoring endpoint says about one VM of another product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmInsight {
    pub key: VmKey,
    /// The VM as the monitoring endpoint's own node (where `i` goes).
    pub resource: Node,
    pub health: Option<Health>,
    pub active_alerts: u32,
    /// The last 24 h of its key metrics, when asked for.
    pub day: Vec<Series>,
}

/// One VM's health dot, as a bulk health read streams them (`Backend::vm_health`): the VM's
/// place in the list asked for, so the asker finds its row without a map, and its key, so it
/// can tell that row is still that VM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmHealth {
    pub at: u32,
    pub key: VmKey,
    pub health: Health,
}

/// Progress of a long listing, shown as a vnav task ("listing VMs: 37/120 hosts").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListProgress {
    pub label: String,
    pub done: u64,
    pub total: u64,
}

/// One part of a node's children, delivered as soon as it arrives.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ChildBatch {
    pub nodes: Vec<Node>,
    /// Total children the server reports, when it says.
    pub total: Option<u64>,
    pub progress: Option<ListProgress>,
    /// The nodes are in name order and go in among the children received before them by
    /// name, not after them: a list read in parts that finish in any order is in one order.
    pub by_name: bool,
}

pub fn parse_time(timestamp: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339).ok()
}

/// "412 days old", "1 day old", "today": how long before `now` `t` was.
pub fn age(t: OffsetDateTime, now: OffsetDateTime) -> String {
    match (now - t).whole_days().max(0) {
        0 => "today".to_string(),
        1 => "1 day old".to_string(),
        n => format!("{n} days old"),
    }
}

/// "1 TiB" for whole TiB, "4 GiB" for whole GiB, else "1536 MiB".
pub fn mib_text(mib: u64) -> String {
    if mib > 0 && mib.is_multiple_of(1024 * 1024) {
        format!("{} TiB", mib / (1024 * 1024))
    } else if mib.is_multiple_of(1024) {
        format!("{} GiB", mib / 1024)
    } else {
        format!("{mib} MiB")
    }
}

/// "12.3 GiB", "1.2 TiB", "512 MiB", "40 KiB".
pub fn bytes_text(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let v = n as f64;
    if v >= KIB.powi(4) {
        format!("{:.1} TiB", v / KIB.powi(4))
    } else if v >= KIB.powi(3) {
        format!("{:.1} GiB", v / KIB.powi(3))
    } else if v >= KIB.powi(2) {
        format!("{:.0} MiB", v / KIB.powi(2))
    } else {
        format!("{:.0} KiB", v / KIB)
    }
}

/// One VM with snapshots, for the snapshot sprawl views (per endpoint and across all of them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SprawlRow {
    pub vm: Node,
    pub count: u32,
    /// When the oldest snapshot was taken, when the server said so readably.
    pub oldest: Option<OffsetDateTime>,
    /// Disk and memory the snapshots hold, where the product tells.
    pub bytes: Option<u64>,
    /// Where the VM lives ("vApp web-01"), when the listing says.
    pub place: Box<str>,
}

impl SprawlRow {
    /// "412 days old" (one snapshot) or "oldest 412 days old": what an audit sorts by, put in
    /// front of the summary when drawn, so it is never stale.
    pub fn age_text(oldest: OffsetDateTime, count: u32, now: OffsetDateTime) -> String {
        match count {
            1 => age(oldest, now),
            _ => format!("oldest {}", age(oldest, now)),
        }
    }

    /// "3.1 GiB · 1 snapshot · vApp web-01" (after the age, see `age_text`): the size, then
    /// `endpoint` (in the view across endpoints), then the rest.
    pub fn summary(&self, endpoint: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(b) = self.bytes {
            parts.push(bytes_text(b));
        }
        parts.extend(endpoint.map(str::to_string));
        let plural = if self.count == 1 { "" } else { "s" };
        parts.push(format!("{} snapshot{plural}", self.count));
        if !self.place.is_empty() {
            parts.push(self.place.to_string());
        }
        parts.join(" · ")
    }
}

/// Oldest snapshot first; rows whose age is unknown go last, so they are not taken for old.
pub fn sort_oldest_first<T>(rows: &mut [T], row: impl Fn(&T) -> &SprawlRow) {
    rows.sort_by_key(|r| {
        let t = row(r).oldest;
        (t.is_none(), t)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, oldest: Option<&str>) -> SprawlRow {
        SprawlRow {
            vm: Node::new(NodeKind::Vm, name, name),
            count: 2,
            oldest: oldest.and_then(parse_time),
            bytes: Some(3 << 29),
            place: "vApp web".into(),
        }
    }

    #[test]
    fn sprawl_rows_sort_oldest_first_with_unknown_dates_last() {
        let mut rows = vec![
            row("unknown", None),
            row("new", Some("2026-11-01T00:00:00Z")),
            row("old", Some("2024-02-01T10:00:00.000+01:00")),
        ];
        sort_oldest_first(&mut rows, |r| r);
        let names: Vec<&str> = rows.iter().map(|r| &*r.vm.name).collect();
        assert_eq!(names, ["old", "new", "unknown"]);
        assert_eq!(
            rows[0].summary(Some("vcd")),
            "1.5 GiB · vcd · 2 snapshots · vApp web"
        );
        assert_eq!(rows[2].summary(None), "1.5 GiB · 2 snapshots · vApp web");
        // Ages count from the `now` they are given: a long session never shows a stale one.
        let taken = parse_time("2026-11-01T00:00:00Z").unwrap();
        let now = parse_time("2026-12-06T12:00:00Z").unwrap();
        assert_eq!(SprawlRow::age_text(taken, 2, now), "oldest 35 days old");
        assert_eq!(SprawlRow::age_text(taken, 1, taken), "today");
        let next_day = parse_time("2026-11-02T00:00:01Z").unwrap();
        assert_eq!(SprawlRow::age_text(taken, 1, next_day), "1 day old");
    }

    /// A scale issue wants nodes small: 300,000 VMs in one process. Status 4 bytes, ids and
    /// names inline up to 24 bytes, a VM's facts inline (a box cost 8 + 128 bytes).
    #[test]
    fn a_node_is_small() {
        assert_eq!(std::mem::size_of::<Option<Health>>(), 1);
        assert_eq!(std::mem::size_of::<Status>(), 4);
        // Numbers and the snapshot date `Packed` (96 bytes with `Option`s).
        // And the IP one pointer (`ThinStr`: 72 bytes with a `CompactString`).
        assert_eq!(std::mem::size_of::<Option<VmFacts>>(), 56);
        // The stored summary and the backing behind one pointer (24 bytes as a `Box<str>` and
        // an `Option<Box<VimRef>>`).
        assert_eq!(std::mem::size_of::<Node>(), 120);
    }

    /// A summary and a backing share one block, dropped when both are cleared, so a node
    /// that had them compares equal to one that never did.
    #[test]
    fn a_summary_and_a_backing_share_one_block() {
        let backing = VimRef {
            vcenter_url: "https://vc:443".into(),
            vcenter_name: "vc".into(),
            moid: "vm-7".into(),
        };
        let bare = Node::new(NodeKind::Vm, "vm-7", "web");
        let mut n = bare.clone().with_summary("3.1 GiB");
        n.set_backing(Some(backing.clone()));
        assert_eq!(
            (n.stored_summary(), n.backing()),
            ("3.1 GiB", Some(&backing))
        );
        n.set_summary("");
        assert_eq!(n.backing(), Some(&backing), "the backing stays");
        assert_ne!(n, bare);
        n.set_backing(None);
        assert_eq!(n, bare);
        assert!(n.extra.is_none());
    }

    /// Values that repeat across VMs are held once, however many nodes carry them; so is
    /// every status label.
    #[test]
    fn repeating_facts_and_states_cost_one_copy() {
        let vm = |i: u32| {
            Node::new(NodeKind::Vm, format!("vm-{i}"), format!("vm {i}")).with_facts(VmFacts {
                guest_os: format!("Ubuntu Linux {}", 64).into(),
                place: "vApp web".into(),
                ..VmFacts::default()
            })
        };
        let (a, b) = (vm(1), vm(2));
        let (fa, fb) = (a.facts.unwrap(), b.facts.unwrap());
        assert!(Sym::same(fa.guest_os, fb.guest_os));
        assert!(Sym::same(fa.place, fb.place));
        assert_eq!(
            Status::state("POWERED_ON", Severity::Ok).label,
            Status::new(String::from("POWERED_ON"), Severity::Warn).label
        );
        assert_eq!(Status::state("odd", Severity::Warn).label, "odd");
    }

    /// A VM's summary is built from its facts when asked, never stored; another node's is
    /// what its backend set.
    #[test]
    fn a_vm_summary_is_built_from_its_facts() {
        let facts = VmFacts {
            cpus: Some(2).into(),
            memory_mib: Some(4096).into(),
            guest_os: "Ubuntu Linux (64-bit)".into(),
            ip: "10.0.0.4".into(),
            place: "vApp web".into(),
            ..VmFacts::default()
        };
        let vm = Node::new(NodeKind::Vm, "vm-1", "web-1").with_facts(facts.clone());
        assert_eq!(
            vm.summary(),
            "vApp web · 2 vCPU · 4 GiB · Ubuntu Linux (64-bit) · 10.0.0.4"
        );
        assert_eq!(vm.stored_summary(), "");
        let bare = Node::new(NodeKind::Vm, "vm-2", "b").with_facts(VmFacts {
            cpus: Some(1).into(),
            ..VmFacts::default()
        });
        assert_eq!(bare.summary(), "1 vCPU");
        let vapp = Node::new(NodeKind::VApp, "a", "web").with_summary("3 VMs");
        assert_eq!(vapp.summary(), "3 VMs");
        // A summary set on a VM on purpose (the snapshot view's) wins over the facts.
        let set = Node::new(NodeKind::Vm, "vm-3", "c")
            .with_facts(facts)
            .with_summary("3.1 GiB · 1 snapshot");
        assert_eq!(set.summary(), "3.1 GiB · 1 snapshot");
    }

    #[test]
    fn sizes_read_at_a_glance() {
        assert_eq!(bytes_text(40 << 10), "40 KiB");
        assert_eq!(bytes_text(512 << 20), "512 MiB");
        assert_eq!(bytes_text(9 << 30), "9.0 GiB");
        assert_eq!(bytes_text(3 << 40), "3.0 TiB");
        assert_eq!(mib_text(4096), "4 GiB");
        assert_eq!(mib_text(1024 * 1024), "1 TiB", "not 1024 GiB");
        assert_eq!(mib_text(1536 * 1024), "1536 GiB");
        assert_eq!(mib_text(0), "0 GiB");
        assert_eq!(mib_text(1536), "1536 MiB");
    }

    #[test]
    fn a_snapshot_slot_says_what_a_new_snapshot_replaces() {
        let now = parse_time("2026-12-06T12:00:00Z").unwrap();
        assert_eq!(SnapshotSlot::Empty.replaces(now), None);
        let taken = SnapshotSlot::Taken {
            created: parse_time("2022-12-03T10:11:12Z"),
            bytes: Some(16 << 30),
        };
        assert_eq!(
            taken.replaces(now).as_deref(),
            Some("replaces the snapshot of 2022-12-03 (1464 days old, 16.0 GiB)")
        );
        let bare = SnapshotSlot::Taken {
            created: None,
            bytes: None,
        };
        assert_eq!(
            bare.replaces(now).as_deref(),
            Some("replaces the snapshot of an unknown date")
        );
        let unknown = SnapshotSlot::Unknown("HTTP 503".into())
            .replaces(now)
            .unwrap();
        assert!(unknown.starts_with("may replace a snapshot") && unknown.contains("HTTP 503"));
    }
}
