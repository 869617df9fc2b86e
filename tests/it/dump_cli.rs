//! `vnav dump` and `vnav ls` as a user runs them, against the simulator: every format, two
//! dumps of one estate byte for byte equal, each entity once, ls at the top, in an org and in a
//! VDC, an endpoint down (exit 1, the others dumped), and bad flags or logins (exit 2).

use std::collections::HashSet;
use std::process::Output;

use tokio::process::Command;
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Sim, VCENTER_USER, VROPS_USER};

use crate::sim_support::{opts, sim};

const PASSWORD_ENV: &str = "VNAV_DUMP_TEST_PASSWORD";

struct Estate {
    _sim: Sim,
    dir: tempfile::TempDir,
}

/// The simulator, and a config naming its three endpoints and one that is down.
async fn estate() -> Estate {
    let sim = sim(opts(3.0)).await;
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let dir = tempfile::tempdir().unwrap();
    let context = |name: &str, product: &str, url: &str, user: &str| {
        format!(
            "[[context]]\nname = \"{name}\"\nproduct = \"{product}\"\nurl = \"{url}\"\n\
             user = \"{user}\"\npassword_env = \"{PASSWORD_ENV}\"\n\n"
        )
    };
    let config = [
        context("vcd", "vcd", &sim.vcd_url, DEMO_USER),
        context("vc", "vcenter", &sim.vcenter_url, VCENTER_USER),
        context("ops", "vrops", &sim.vrops_url, VROPS_USER),
        context("down", "vcd", &down, DEMO_USER),
    ]
    .concat();
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    Estate { _sim: sim, dir }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn vnav(estate: &Estate, args: &[&str]) -> Run {
    vnav_with(estate, args, DEMO_PASSWORD).await
}

async fn vnav_with(estate: &Estate, args: &[&str], password: &str) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_vnav"))
        .args(args)
        .arg("--config")
        .arg(estate.dir.path().join("config.toml"))
        .env("HOME", estate.dir.path())
        .env(PASSWORD_ENV, password)
        .env_remove("VNAV_PASSWORD")
        .output()
        .await
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json_rows(stdout: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
    stdout
        .lines()
        .map(|l| match serde_json::from_str(l) {
            Ok(serde_json::Value::Object(o)) => o,
            other => panic!("not a JSON object per line: {l}: {other:?}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_format_writes_the_same_rows() {
    let e = estate().await;
    let args = [
        "dump",
        "-c",
        "vcd",
        "--kind",
        "vdc,vapp",
        "--columns",
        "name,kind,path,cpu",
    ];
    let json = vnav(&e, &[&args[..], &["--format", "json"]].concat()).await;
    assert_eq!(json.code, Some(0), "{}", json.stderr);
    let rows = json_rows(&json.stdout);
    assert!(rows.len() > 10, "{}", json.stdout);
    // Keys in column order; numbers stay numbers, missing values are null.
    let keys: Vec<&str> = rows[0].keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 4);
    let vdc = rows.iter().find(|r| r["kind"] == "vdc").expect("a VDC");
    assert_eq!(vdc["cpu"], serde_json::Value::Null);
    // One endpoint: paths start at its top level (org, then VDC).
    assert_eq!(
        vdc["path"].as_str().unwrap().matches('/').count(),
        2,
        "{vdc:?}"
    );
    assert!(
        rows.iter()
            .all(|r| r["kind"] == "vdc" || r["kind"] == "vapp")
    );

    let csv = vnav(&e, &[&args[..], &["--format", "csv"]].concat()).await;
    assert_eq!(csv.code, Some(0), "{}", csv.stderr);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["name", "kind", "path", "cpu"]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len());
    for (r, j) in records.iter().zip(&rows) {
        assert_eq!(r[0], *j["name"].as_str().unwrap());
        assert_eq!(r[2], *j["path"].as_str().unwrap());
    }

    let table = vnav(&e, &[&args[..], &["--format", "table"]].concat()).await;
    assert_eq!(table.code, Some(0), "{}", table.stderr);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("NAME "), "{}", table.stdout);
    assert_eq!(lines.len(), rows.len() + 1);
    // Aligned: every row's kind starts where the header's KIND does.
    let at = lines[0].find("KIND").unwrap();
    for l in &lines[1..] {
        let kind: String = l.chars().skip(at).take(4).collect();
        assert!(kind == "vdc " || kind == "vapp", "{l}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_dumps_of_one_estate_are_identical_and_list_each_entity_once() {
    let e = estate().await;
    let args = ["dump", "-c", "vcd", "-c", "vc", "-c", "ops"];
    let first = vnav(&e, &args).await;
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(
        first.stderr.is_empty(),
        "no progress bar off a terminal: {}",
        first.stderr
    );
    let second = vnav(&e, &args).await;
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(first.stdout == second.stdout, "two dumps differ");

    let rows = json_rows(&first.stdout);
    let mut seen = HashSet::new();
    for r in &rows {
        let key = (
            r["endpoint"].to_string(),
            r["kind"].to_string(),
            r["id"].to_string(),
        );
        assert!(seen.insert(key.clone()), "listed twice: {key:?}");
    }
    let count = |endpoint: &str, kind: &str| {
        rows.iter()
            .filter(|r| r["endpoint"] == endpoint && r["kind"] == kind)
            .count()
    };
    // The default world's 200 VMs, through each product.
    for endpoint in ["vcd", "vc", "ops"] {
        assert_eq!(count(endpoint, "vm"), 200, "{endpoint}");
    }
    for (endpoint, kind) in [
        ("vcd", "org"),
        ("vcd", "vdc"),
        ("vcd", "vapp"),
        ("vc", "host"),
        ("vc", "cluster"),
        ("vc", "datastore"),
        ("ops", "alert"),
    ] {
        assert!(count(endpoint, kind) > 0, "{endpoint} {kind}");
    }
    // Typed facts: a vCD VM's vApp and owner from the query, a vCenter VM's host from its place.
    let vm = |endpoint: &str| {
        rows.iter()
            .find(|r| r["endpoint"] == endpoint && r["kind"] == "vm")
            .unwrap()
    };
    assert!(
        vm("vcd")["cpu"].is_u64() && vm("vcd")["place"].is_string(),
        "{:?}",
        vm("vcd")
    );
    let vc = vm("vc");
    let path = vc["path"].as_str().unwrap();
    assert!(
        path.starts_with("/vc/") && path.contains(vc["place"].as_str().unwrap()),
        "{vc:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_and_columns_pick_what_is_written() {
    let e = estate().await;
    let all = vnav(
        &e,
        &[
            "dump",
            "-c",
            "vc",
            "--kind",
            "vm",
            "--columns",
            "name,place",
        ],
    )
    .await;
    let host = json_rows(&all.stdout)[0]["place"]
        .as_str()
        .unwrap()
        .to_string();
    let run = vnav(
        &e,
        &[
            "dump",
            "-c",
            "vc",
            "--kind",
            "vm",
            "--filter",
            &host.to_uppercase(),
            "--format",
            "csv",
            "--columns",
            "place,name",
        ],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "place,name");
    assert!(lines.len() > 2 && lines.len() < 200, "{}", run.stdout);
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.starts_with(&format!("{host},"))),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ls_lists_the_top_an_org_and_a_vdc() {
    let e = estate().await;
    let top = vnav(&e, &["ls", "-c", "vcd", "/"]).await;
    assert_eq!(top.code, Some(0), "{}", top.stderr);
    let names: Vec<&str> = top
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split("  ").next())
        .collect();
    for org in ["acme", "globex", "initech"] {
        assert!(names.contains(&org), "{}", top.stdout);
    }
    let org = vnav(
        &e,
        &[
            "ls",
            "-c",
            "vcd",
            "/acme",
            "--format",
            "csv",
            "--columns",
            "name,kind,path",
        ],
    )
    .await;
    assert_eq!(org.code, Some(0), "{}", org.stderr);
    assert!(
        org.stdout
            .contains("acme-ams-gold,vdc,/acme/acme-ams-gold\n"),
        "{}",
        org.stdout
    );
    // Segments match ignoring case, and by a prefix that names one child.
    let vdc = vnav(
        &e,
        &["ls", "-c", "vcd", "/ACME/acme-ams-g", "--format", "json"],
    )
    .await;
    assert_eq!(vdc.code, Some(0), "{}", vdc.stderr);
    let rows = json_rows(&vdc.stdout);
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r["kind"] == "vapp"),
        "{}",
        vdc.stdout
    );
    // What dump writes as a path, ls finds.
    let dumped = vnav(
        &e,
        &["dump", "-c", "vcd", "--kind", "vapp", "--columns", "path"],
    )
    .await;
    let path = json_rows(&dumped.stdout)[0]["path"]
        .as_str()
        .unwrap()
        .to_string();
    let parent = &path[..path.rfind('/').unwrap()];
    let listed = vnav(
        &e,
        &[
            "ls",
            "-c",
            "vcd",
            parent,
            "--format",
            "csv",
            "--columns",
            "path",
        ],
    )
    .await;
    assert!(
        listed.stdout.lines().any(|l| l == path),
        "{path} not in {}",
        listed.stdout
    );

    let missing = vnav(&e, &["ls", "-c", "vcd", "/acme/nowhere"]).await;
    assert_eq!(missing.code, Some(2));
    assert!(
        missing
            .stderr
            .contains("no \"nowhere\" here (there are: acme-ams-gold"),
        "{}",
        missing.stderr
    );
    // Several endpoints: the top level lists them, and a path starts with one.
    let many = vnav(&e, &["ls", "-c", "vcd", "-c", "vc", "/vc"]).await;
    assert_eq!(many.code, Some(0), "{}", many.stderr);
    assert!(many.stdout.contains("dc-ams"), "{}", many.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_down_exits_1_with_the_others_dumped() {
    let e = estate().await;
    let run = vnav(
        &e,
        &[
            "dump",
            "-c",
            "down",
            "-c",
            "vcd",
            "--kind",
            "org",
            "--format",
            "csv",
            "--columns",
            "endpoint,name",
        ],
    )
    .await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.starts_with("vnav: down: "), "{}", run.stderr);
    assert!(run.stdout.contains("vcd,acme\n"), "{}", run.stdout);
    let only_down = vnav(&e, &["dump", "-c", "down"]).await;
    assert_eq!(only_down.code, Some(2), "{}", only_down.stderr);
    assert!(only_down.stdout.is_empty());
    let ls_down = vnav(&e, &["ls", "-c", "down", "/"]).await;
    assert_eq!(ls_down.code, Some(1), "{}", ls_down.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_flags_and_refused_logins_exit_2() {
    let e = estate().await;
    for (args, says) in [
        (&["dump", "--kind", "vmm"][..], "unknown kind \"vmm\""),
        (
            &["dump", "--columns", "name,colour"],
            "unknown column \"colour\"",
        ),
        (&["dump", "--format", "xml"], "invalid value 'xml'"),
        (&["dump", "-c", "nope"], "unknown context \"nope\""),
        (
            &["ls", "-c", "vcd", "--format", "yaml"],
            "invalid value 'yaml'",
        ),
    ] {
        let run = vnav(&e, args).await;
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    let refused = vnav_with(&e, &["dump", "-c", "vcd"], "wrong-password").await;
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("login refused"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("wrong-password"),
        "{}",
        refused.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_snapshot_view_exports_oldest_first_per_endpoint() {
    let e = estate().await;
    let args = [
        "snapshots",
        "-c",
        "vcd",
        "-c",
        "vc",
        "-c",
        "ops",
        "--format",
        "csv",
    ];
    let run = vnav(&e, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["oldest", "vm", "endpoint", "count", "bytes", "place", "id"]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for endpoint in ["vcd", "vc"] {
        let oldest: Vec<&str> = records
            .iter()
            .filter(|r| &r[2] == endpoint)
            .map(|r| r.get(0).unwrap())
            .collect();
        assert!(!oldest.is_empty(), "{endpoint}: {}", run.stdout);
        // RFC 3339 in UTC sorts as text.
        assert!(
            oldest.windows(2).all(|w| w[0] <= w[1]),
            "{endpoint}: {oldest:?}"
        );
    }
    // Aria Operations has no snapshots to list: skipped, not an error.
    assert!(records.iter().all(|r| &r[2] != "ops"));
    let down = vnav(&e, &["snapshots", "-c", "down", "-c", "vcd"]).await;
    assert_eq!(down.code, Some(1), "{}", down.stderr);
}
