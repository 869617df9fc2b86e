//! The generated workflow catalogue: a fixed library of workflows with known behaviour (power a
//! VM off, fail, wait for a person, run long) plus generated tenant runbooks named after the
//! world's orgs and apps, in nested categories. Deterministic for a seed and the two counts.

use std::collections::HashMap;

use serde_json::Value;

use super::values::{boolean, number, string};
use crate::sim::names::APPS;
use crate::sim::vcd::actions::Op;
use crate::sim::vrops::ids::mix;
use crate::sim::world::{World, uuid_str};

/// How many workflows and categories to generate (`--vro-workflows`, `--vro-categories`).
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub workflows: usize,
    /// 0: about one category per four generated workflows.
    pub categories: usize,
}

/// A declared input or output, with the presentation hints the real API has for inputs.
pub struct Param {
    pub name: String,
    pub ty: &'static str,
    pub description: String,
    pub mandatory: bool,
    /// A typed value wrapper.
    pub default: Option<Value>,
    /// Allowed values (a drop-down), typed value wrappers.
    pub choices: Vec<Value>,
}

/// What a run of the workflow does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    /// Completes (or fails at the configured failure rate) with outputs.
    Complete,
    /// Runs a vCenter operation on its VM or vApp input: a task the other servers see.
    Task(Op),
    /// Lists the world's VMs whose name contains `criteria`.
    FindVms,
    /// Reads a vApp and reports it.
    DescribeVApp,
    /// Always fails with a content-exception.
    Fail,
    /// Stops to wait for user interaction.
    Wait,
    /// Runs long enough to be canceled.
    Slow,
}

pub struct Workflow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub category: usize,
    pub inputs: Vec<Param>,
    pub outputs: Vec<Param>,
    pub behavior: Behavior,
}

pub struct Category {
    pub id: String,
    pub name: String,
    pub description: String,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub workflows: Vec<usize>,
}

#[derive(Default)]
pub struct Catalogue {
    pub categories: Vec<Category>,
    pub workflows: Vec<Workflow>,
    wf_by_id: HashMap<String, usize>,
    cat_by_id: HashMap<String, usize>,
}

fn p(name: &str, ty: &'static str, description: &str) -> Param {
    Param {
        name: name.into(),
        ty,
        description: description.into(),
        mandatory: false,
        default: None,
        choices: vec![],
    }
}

impl Param {
    fn required(mut self) -> Self {
        self.mandatory = true;
        self
    }
    fn default(mut self, v: Value) -> Self {
        self.default = Some(v);
        self
    }
    fn choices(mut self, v: Vec<Value>) -> Self {
        self.choices = v;
        self
    }
}

const VM: &str = "VC:VirtualMachine";
const VAPP: &str = "vCloud:VApp";

/// The fixed category tree: (name, parent index in this table).
const FIXED_CATEGORIES: &[(&str, Option<usize>)] = &[
    ("Library", None),                       // 0
    ("vCenter", Some(0)),                    // 1
    ("Virtual Machine management", Some(1)), // 2
    ("Power Management", Some(2)),           // 3
    ("Basic", Some(2)),                      // 4
    ("Snapshot", Some(2)),                   // 5
    ("vCloud Director", Some(0)),            // 6
    ("vApp", Some(6)),                       // 7
    ("Operations", None),                    // 8
    ("App tier", Some(8)),                   // 9
    ("Storage", Some(8)),                    // 10
    ("Security", Some(8)),                   // 11
    ("Approvals", Some(8)),                  // 12
    ("Maintenance", Some(8)),                // 13
    ("Tenants", None),                       // 14
];
const TENANTS: usize = 14;

/// (category index, name, description, inputs, outputs, behaviour) of a fixed workflow.
type Fixed = (
    usize,
    &'static str,
    &'static str,
    Vec<Param>,
    Vec<Param>,
    Behavior,
);

fn fixed_workflows() -> Vec<Fixed> {
    let vm = |d: &str| p("vm", VM, d).required();
    vec![
        (
            3,
            "Power off virtual machine",
            "Powers off a virtual machine and waits for the operation to finish.",
            vec![vm("Virtual machine to power off")],
            vec![],
            Behavior::Task(Op::PowerOff),
        ),
        (
            3,
            "Power on virtual machine",
            "Powers on a virtual machine and waits for the operation to finish.",
            vec![vm("Virtual machine to power on")],
            vec![],
            Behavior::Task(Op::PowerOn),
        ),
        (
            4,
            "Get virtual machines by name",
            "Returns a list of virtual machines from all registered vCenter Server hosts that match the provided expression.",
            vec![p("criteria", "string", "Search criteria. Part of the name.").required()],
            vec![p(
                "vms",
                "Array/VC:VirtualMachine",
                "Virtual machines found",
            )],
            Behavior::FindVms,
        ),
        (
            5,
            "Create a snapshot",
            "Creates a snapshot of a virtual machine.",
            vec![
                vm("Virtual machine to snapshot"),
                p("name", "string", "Name of the snapshot").required(),
                p("description", "string", "Description of the snapshot"),
                p("memory", "boolean", "Include the virtual machine's memory")
                    .default(boolean(false)),
                p("quiesce", "boolean", "Quiesce the guest file system").default(boolean(false)),
            ],
            vec![],
            Behavior::Task(Op::CreateSnapshot),
        ),
        (
            7,
            "Describe vApp",
            "Reports the VMs, status and owner of a vApp.",
            vec![p("vApp", VAPP, "The vApp").required()],
            vec![
                p("vmCount", "number", "Number of VMs"),
                p("status", "string", "Power status"),
                p("owner", "string", "Owner"),
            ],
            Behavior::DescribeVApp,
        ),
        (
            9,
            "Restart app tier",
            "Resets every VM of an application's vApp, optionally draining it first.",
            vec![
                p("vApp", VAPP, "vApp of the app tier").required(),
                p("drain", "boolean", "Drain connections first").default(boolean(true)),
                p(
                    "waitSeconds",
                    "number",
                    "Seconds to wait for connections to drain",
                )
                .default(number(30.0)),
            ],
            vec![],
            Behavior::Task(Op::Reset),
        ),
        (
            10,
            "Extend disk",
            "Grows a virtual disk and the guest file system on it.",
            vec![
                vm("Virtual machine"),
                p("diskIndex", "number", "Disk to grow (0 is the first)").default(number(0.0)),
                p("growGb", "number", "Gigabytes to add")
                    .required()
                    .choices([10.0, 20.0, 50.0, 100.0].into_iter().map(number).collect()),
            ],
            vec![
                p("newCapacityGb", "number", "Capacity of the disk afterwards"),
                p("result", "string", "Outcome"),
            ],
            Behavior::Complete,
        ),
        (
            11,
            "Rotate certificate",
            "Replaces the TLS certificate of a host and restarts its services.",
            vec![
                p("hostname", "string", "Host whose certificate is replaced").required(),
                p(
                    "adminPassword",
                    "SecureString",
                    "Password of the host's administrator",
                )
                .required(),
                p("validityDays", "number", "Validity of the new certificate")
                    .default(number(365.0))
                    .choices([90.0, 365.0, 730.0].into_iter().map(number).collect()),
                p("subjectAltNames", "Array/string", "Extra DNS names"),
                p("notifyOwners", "boolean", "Mail the owners").default(boolean(true)),
            ],
            vec![p(
                "thumbprint",
                "string",
                "SHA-256 thumbprint of the new certificate",
            )],
            Behavior::Fail,
        ),
        (
            12,
            "Request maintenance window",
            "Asks the change manager to approve a maintenance window, then records it.",
            vec![
                p("start", "Date", "Start of the window").required(),
                p("durationHours", "number", "Length in hours").default(number(2.0)),
                p("reason", "string", "Why the window is needed").required(),
                p("tags", "Properties", "Change-ticket fields"),
            ],
            vec![
                p("approvedBy", "string", "Approver"),
                p("approved", "boolean", "Whether the window was approved"),
                p("comment", "string", "The approver's comment"),
            ],
            Behavior::Wait,
        ),
        (
            13,
            "Apply guest OS patches",
            "Installs the guest OS patches of a baseline; takes a long time.",
            vec![
                vm("Virtual machine to patch"),
                p("baseline", "string", "Patch baseline")
                    .default(string("critical"))
                    .choices(
                        ["critical", "security", "all"]
                            .into_iter()
                            .map(string)
                            .collect(),
                    ),
                p("rebootAllowed", "boolean", "Reboot if a patch needs it").default(boolean(false)),
            ],
            vec![p("installed", "number", "Patches installed")],
            Behavior::Slow,
        ),
    ]
}

/// What a workflow that waits for user interaction asks (`GET …/interaction`): `approved` is
/// mandatory, `comment` offers an empty default.
pub fn interaction() -> Vec<Param> {
    vec![
        p("approved", "boolean", "Approve the maintenance window").required(),
        p("comment", "string", "Comment for the requester").default(string("")),
    ]
}

/// Generated runbook kinds: (name pattern with `{app}`, description, inputs).
fn template(t: usize, app: &str, org: &str) -> (String, String, Vec<Param>) {
    let t = t % 8;
    let (name, desc) = match t {
        0 => (
            "Restart {app} service",
            "Restarts the {app} service on a host.",
        ),
        1 => ("Scale {app} tier", "Changes the number of {app} replicas."),
        2 => (
            "Rotate {app} secrets",
            "Replaces the {app} service account password.",
        ),
        3 => (
            "Sync {app} DNS records",
            "Publishes the {app} records to the tenant zone.",
        ),
        4 => ("Tag {app} VMs", "Sets vSphere tags on a {app} VM."),
        5 => (
            "Backup {app} database",
            "Takes an on-demand backup of the {app} database.",
        ),
        6 => (
            "Drain {app} load balancer pool",
            "Takes a {app} pool out of service.",
        ),
        _ => (
            "Report {app} capacity",
            "Mails a capacity report of the {app} tier.",
        ),
    };
    let inputs = match t {
        0 => vec![
            p("host", "string", "Host name").required(),
            p("service", "string", "Service name").default(string(app)),
            p("force", "boolean", "Kill the process if it does not stop").default(boolean(false)),
        ],
        1 => vec![
            p("vApp", VAPP, "vApp of the tier").required(),
            p("replicas", "number", "Replicas wanted")
                .required()
                .choices((1..=5).map(|n| number(n as f64)).collect()),
        ],
        2 => vec![
            p("newSecret", "SecureString", "New password").required(),
            p("rotateAt", "Date", "When to switch over"),
        ],
        3 => vec![
            p("zone", "string", "DNS zone").default(string(&format!("{org}.sim.local"))),
            p("records", "Array/string", "Records to publish").required(),
        ],
        4 => vec![
            p("vm", VM, "The VM to tag").required(),
            p("tags", "Properties", "Category → tag").required(),
        ],
        5 => vec![
            p("retentionDays", "number", "Days to keep the backup").default(number(14.0)),
            p("verify", "boolean", "Restore-test the backup").default(boolean(true)),
        ],
        6 => vec![
            p("pool", "string", "Pool name").required(),
            p("timeoutSeconds", "number", "Seconds to wait for sessions").default(number(300.0)),
        ],
        _ => vec![
            p("since", "Date", "Start of the period"),
            p("recipients", "Array/string", "Mail addresses"),
        ],
    };
    (
        name.replace("{app}", app),
        desc.replace("{app}", app),
        inputs,
    )
}

const AREAS: &[&str] = &[
    "Applications",
    "Databases",
    "Network",
    "Security",
    "Reporting",
];

impl Catalogue {
    pub fn build(w: &World, seed: u64, size: Size) -> Catalogue {
        let mut c = Catalogue::default();
        let hash = |kind: u64, i: usize| mix(mix(seed ^ kind) ^ i as u64);
        let cat_id = |i: usize| {
            let h = (hash(0xca7, i) as u128) << 64 | hash(0xca8, i) as u128;
            format!("8a7480d3{:024x}", h & ((1 << 96) - 1))
        };
        let add_cat = |c: &mut Catalogue, name: String, parent: Option<usize>| {
            let i = c.categories.len();
            let description = match parent {
                Some(pi) => format!("{name} workflows of {}", c.categories[pi].name),
                None => format!("{name} workflows"),
            };
            c.categories.push(Category {
                id: cat_id(i),
                name,
                description,
                parent,
                children: vec![],
                workflows: vec![],
            });
            if let Some(pi) = parent {
                c.categories[pi].children.push(i);
            }
            i
        };
        for (name, parent) in FIXED_CATEGORIES {
            add_cat(&mut c, (*name).to_string(), *parent);
        }
        let fixed = fixed_workflows();
        let generated = size.workflows.saturating_sub(fixed.len());
        let wanted = if size.categories == 0 {
            generated.div_ceil(4)
        } else {
            size.categories.saturating_sub(FIXED_CATEGORIES.len())
        }
        .max(1);
        // Tenant categories first (one per org), then areas below them.
        let orgs: Vec<&str> = w
            .orgs
            .iter()
            .filter(|o| !o.system)
            .map(|o| o.full_name.as_str())
            .collect();
        let level1 = wanted.min(orgs.len().max(1));
        let mut gen_cats = vec![];
        for org in orgs.iter().take(level1) {
            gen_cats.push(add_cat(&mut c, (*org).to_string(), Some(TENANTS)));
        }
        for j in 0..wanted - level1 {
            let parent = gen_cats[j % level1];
            let round = j / level1;
            let area = AREAS[round % AREAS.len()];
            let name = match round / AREAS.len() {
                0 => area.to_string(),
                n => format!("{area} {}", n + 1),
            };
            gen_cats.push(add_cat(&mut c, name, Some(parent)));
        }
        let add_wf = |c: &mut Catalogue, cat: usize, name: String, desc: String| {
            let i = c.workflows.len();
            let h = hash(0xf10, i);
            c.workflows.push(Workflow {
                id: uuid_str(
                    ((h as u128) << 64 | hash(0xf11, i) as u128) & !(0xf << 76) & !(0x3 << 62)
                        | (0x4 << 76)
                        | (0x2 << 62),
                ),
                name,
                description: desc,
                version: format!("{}.{}.{}", 1 + h % 3, (h >> 8) % 10, (h >> 16) % 40),
                category: cat,
                inputs: vec![],
                outputs: vec![],
                behavior: Behavior::Complete,
            });
            c.categories[cat].workflows.push(i);
            c.wf_by_id.insert(c.workflows[i].id.clone(), i);
            i
        };
        for (cat, name, desc, inputs, outputs, behavior) in fixed {
            let i = add_wf(&mut c, cat, name.into(), desc.into());
            let wf = &mut c.workflows[i];
            (wf.inputs, wf.outputs, wf.behavior) = (inputs, outputs, behavior);
        }
        for g in 0..generated {
            let cat = gen_cats[g % gen_cats.len()];
            let mut top = cat;
            while let Some(pi) = c.categories[top].parent
                && pi != TENANTS
            {
                top = pi;
            }
            let org = orgs.get(top.wrapping_sub(FIXED_CATEGORIES.len())).copied();
            let org_short = org
                .and_then(|o| o.split_whitespace().next())
                .unwrap_or("tenant")
                .to_lowercase();
            let app = APPS[(g / 8) % APPS.len()];
            let (mut name, desc, inputs) = template(g, app, &org_short);
            let round = g / (8 * APPS.len());
            if round > 0 {
                name = format!("{name} {}", round + 1);
            }
            let i = add_wf(&mut c, cat, name, desc);
            let wf = &mut c.workflows[i];
            wf.inputs = inputs;
            wf.outputs = vec![
                p("result", "string", "Outcome"),
                p("durationSeconds", "number", "How long it took"),
            ];
        }
        c.cat_by_id = c
            .categories
            .iter()
            .enumerate()
            .map(|(i, k)| (k.id.clone(), i))
            .collect();
        c
    }

    pub fn workflow(&self, id: &str) -> Option<usize> {
        self.wf_by_id.get(id).copied()
    }

    pub fn category(&self, id: &str) -> Option<usize> {
        self.cat_by_id.get(id).copied()
    }

    /// `Library/vCenter/…`, the category's path from its root.
    pub fn path(&self, cat: usize) -> String {
        let names: Vec<&str> = self
            .lineage(cat)
            .into_iter()
            .map(|c| self.categories[c].name.as_str())
            .collect();
        names.join("/")
    }

    /// The ids of the categories on a category's `path`, the root's first and its own last
    /// (the real server's `path-ids`).
    pub fn path_ids(&self, cat: usize) -> Vec<&str> {
        self.lineage(cat)
            .into_iter()
            .map(|c| self.categories[c].id.as_str())
            .collect()
    }

    /// A category and its parents, the root first.
    fn lineage(&self, cat: usize) -> Vec<usize> {
        let mut line = vec![cat];
        let mut at = cat;
        while let Some(pi) = self.categories[at].parent {
            line.push(pi);
            at = pi;
        }
        line.reverse();
        line
    }

    /// The first workflow named `name` (tests and demos look the fixed ones up by name).
    pub fn named(&self, name: &str) -> Option<&Workflow> {
        self.workflows.iter().find(|w| w.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_honoured_and_ids_unique() {
        let w = crate::sim::generate::generate(50, 7);
        let c = Catalogue::build(
            &w,
            7,
            Size {
                workflows: 5000,
                categories: 200,
            },
        );
        assert_eq!(c.workflows.len(), 5000);
        assert_eq!(c.categories.len(), 200);
        assert_eq!(c.wf_by_id.len(), 5000);
        assert_eq!(c.cat_by_id.len(), 200);
        let small = Catalogue::build(
            &w,
            7,
            Size {
                workflows: 45,
                categories: 0,
            },
        );
        assert_eq!(small.workflows.len(), 45);
        assert!(
            small
                .categories
                .iter()
                .all(|k| !k.children.is_empty() || !k.workflows.is_empty())
        );
        let again = Catalogue::build(
            &w,
            7,
            Size {
                workflows: 45,
                categories: 0,
            },
        );
        assert_eq!(small.workflows[44].id, again.workflows[44].id);
        assert_eq!(
            small.path(3),
            "Library/vCenter/Virtual Machine management/Power Management"
        );
    }
}
