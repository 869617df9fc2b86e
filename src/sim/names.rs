//! Name and catalogue tables the world generator draws from, so generated clouds read like real ones.

/// Tenant organisations: (short name used in URLs and logins, full name).
pub const ORGS: &[(&str, &str)] = &[
    ("acme", "Acme Corporation"),
    ("globex", "Globex Industries"),
    ("initech", "Initech Software"),
    ("umbrella", "Umbrella Health"),
    ("stark", "Stark Industries"),
    ("wayne", "Wayne Enterprises"),
    ("cyberdyne", "Cyberdyne Systems"),
    ("tyrell", "Tyrell Corporation"),
    ("hooli", "Hooli Cloud"),
    ("piedpiper", "Pied Piper"),
    ("wonka", "Wonka Confectionery"),
    ("aperture", "Aperture Science"),
    ("blackmesa", "Black Mesa Research"),
    ("oscorp", "Oscorp Labs"),
    ("massive", "Massive Dynamic"),
    ("vandelay", "Vandelay Imports"),
    ("dunder", "Dunder Mifflin Paper"),
    ("monarch", "Monarch Solutions"),
    ("soylent", "Soylent Foods"),
    ("gringotts", "Gringotts Banking"),
];

pub const SITES: &[&str] = &["ams", "fra", "lon", "par", "dub", "nyc", "sfo", "sin"];
pub const VDC_TIERS: &[&str] = &["gold", "silver", "bronze"];
pub const NET_KINDS: &[(&str, &str)] = &[
    ("web", "natRouted"),
    ("app", "natRouted"),
    ("db", "isolated"),
    ("mgmt", "bridged"),
    ("dmz", "natRouted"),
];
pub const CATALOGS: &[&str] = &["templates", "golden-images", "shared-isos"];
pub const TEMPLATES: &[&str] = &[
    "ubuntu-22.04-base",
    "ubuntu-24.04-base",
    "rhel-9-hardened",
    "win2022-std",
    "win2019-std",
    "photon-5",
    "debian-12-min",
    "centos-7-legacy",
];

/// Applications a vApp runs; the vApp name is `<app>-<env>`.
pub const APPS: &[&str] = &[
    "payments",
    "checkout",
    "inventory",
    "crm",
    "erp",
    "billing",
    "analytics",
    "hr-portal",
    "intranet",
    "wiki",
    "ci",
    "monitoring",
    "logging",
    "k8s",
    "data-lake",
    "search",
    "auth",
    "mail",
    "vpn",
    "backup",
    "shop",
    "ledger",
    "reporting",
    "gateway",
];
pub const ENVS: &[&str] = &["prod", "staging", "dev", "test", "qa"];

/// VM role stacks; a vApp takes one stack and cycles through it for its VMs.
/// The bool says the stack runs Windows.
pub const STACKS: &[(&[&str], bool)] = &[
    (&["web", "app", "db"], false),
    (&["web", "api", "db", "cache"], false),
    (
        &["k8s-master", "k8s-worker", "k8s-worker", "k8s-worker"],
        false,
    ),
    (&["es-master", "es-data", "kibana"], false),
    (&["kafka", "zookeeper"], false),
    (&["sql", "iis", "ad-dc"], true),
    (&["rds", "fs"], true),
    (&["jump"], false),
    (&["ci-runner"], false),
    (&["mon", "grafana"], false),
    (&["etl", "batch"], false),
];

/// Guest OS: (description, ovf:id, vmw:osType, windows).
pub const OSES: &[(&str, u16, &str, bool)] = &[
    ("Ubuntu Linux (64-bit)", 94, "ubuntu64Guest", false),
    (
        "Red Hat Enterprise Linux 8 (64-bit)",
        80,
        "rhel8_64Guest",
        false,
    ),
    (
        "Red Hat Enterprise Linux 9 (64-bit)",
        80,
        "rhel9_64Guest",
        false,
    ),
    (
        "VMware Photon OS (64-bit)",
        36,
        "vmwarePhoton64Guest",
        false,
    ),
    ("CentOS 7 (64-bit)", 107, "centos7_64Guest", false),
    (
        "Debian GNU/Linux 11 (64-bit)",
        96,
        "debian11_64Guest",
        false,
    ),
    (
        "Debian GNU/Linux 12 (64-bit)",
        96,
        "debian12_64Guest",
        false,
    ),
    (
        "Microsoft Windows Server 2019 (64-bit)",
        74,
        "windows2019srv_64Guest",
        true,
    ),
    (
        "Microsoft Windows Server 2022 (64-bit)",
        74,
        "windows2019srvNext_64Guest",
        true,
    ),
];

pub const PEOPLE: &[&str] = &[
    "alice.meyer",
    "bob.kowalski",
    "chen.wei",
    "dana.ortiz",
    "erik.larsen",
    "fatima.khan",
    "gabriel.silva",
    "hana.sato",
    "ivan.petrov",
    "julia.rossi",
    "kofi.mensah",
    "lena.novak",
];

pub const TOOLS_VERSIONS: [u32; 3] = [12352, 11269, 0];
pub const HW_VERSIONS: &[u8] = &[13, 14, 15, 17, 19];
