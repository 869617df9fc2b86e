//! `vnav dump` of 100,000 VMs at 20 ms latency per request: the real binary against the
//! simulator's vCD, vCenter and Aria Operations over the same world (one context each), with
//! its wall time, the requests each server answered and its peak RSS (`getrusage` of the
//! child). Also the output formats alone: 100,000 VM rows serialised as json, csv and table.
//!
//! `cargo bench --bench dump` measures 100,000 VMs; `cargo test --benches` runs a 2,000-VM
//! smoke. Numbers are printed on stderr as `REPORT …` lines (see BENCHMARKS.md).

mod common;

// Timed with the allocator the binary ships with.
vnav::shipped_allocator!();
use common::full_run;

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use vnav::api::model::{Node, NodeKind, Severity, Status, VmFacts};
use vnav::cli::output::{Cell, Format, Writer};
use vnav::cli::rows::{self, Place};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, SimOptions, VCENTER_USER, VROPS_USER};

fn vms() -> usize {
    if full_run() { 100_000 } else { 2_000 }
}

/// GNU time measures the dump's own peak RSS (`%M`, kB); a child's own `getrusage` would
/// also count the pages of this process it was forked from.
const TIME: &str = "/usr/bin/time";

fn dump_binary(_c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    vnav::api::tls::install_crypto_provider();
    let latency_ms = if full_run() { 20 } else { 0 };
    let sim = rt
        .block_on(vnav::sim::start(
            ([127, 0, 0, 1], 0).into(),
            SimOptions {
                vms: vms(),
                latency_ms,
                ..SimOptions::default()
            },
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::new();
    for (name, product, url, user) in [
        ("vcd", "vcd", &sim.vcd_url, DEMO_USER),
        ("vc", "vcenter", &sim.vcenter_url, VCENTER_USER),
        ("ops", "vrops", &sim.vrops_url, VROPS_USER),
    ] {
        config.push_str(&format!(
            "[[context]]\nname = \"{name}\"\nproduct = \"{product}\"\nurl = \"{url}\"\nuser = \"{user}\"\n\n"
        ));
    }
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, config).unwrap();
    let out_path = dir.path().join("dump.jsonl");
    for context in ["vcd", "vc", "ops"] {
        let before = (
            sim.request_count(),
            sim.vcenter_request_count(),
            sim.vrops_request_count(),
        );
        let start = Instant::now();
        let timed = std::path::Path::new(TIME).exists();
        let mut command = if timed {
            let mut c = std::process::Command::new(TIME);
            c.args(["-f", "%M"]).arg(env!("CARGO_BIN_EXE_vnav"));
            c
        } else {
            std::process::Command::new(env!("CARGO_BIN_EXE_vnav"))
        };
        let out = command
            .args(["dump", "-c", context, "--config"])
            .arg(&config_path)
            .env("HOME", dir.path())
            .env("VNAV_PASSWORD", DEMO_PASSWORD)
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let took = start.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{context}: {}: {stderr}", out.status);
        let peak = match stderr.lines().last() {
            Some(kb) if timed => format!("{} kB", kb.trim()),
            _ => format!("n/a (no {TIME})"),
        };
        let requests = (
            sim.request_count() - before.0,
            sim.vcenter_request_count() - before.1,
            sim.vrops_request_count() - before.2,
        );
        let text = std::fs::read_to_string(&out_path).unwrap();
        let rows = text.lines().count();
        let vm_rows = text.matches("\"kind\":\"vm\"").count();
        assert_eq!(vm_rows, vms(), "{context}");
        eprintln!(
            "REPORT dump -c {context}: {vms} VMs, {latency_ms} ms latency: {:.2} s, {rows} rows, \
             requests vcd/vcenter/vrops {}/{}/{}, peak RSS {peak}",
            took.as_secs_f64(),
            requests.0,
            requests.1,
            requests.2,
            vms = vms(),
        );
    }
}

/// VM nodes as a vCD listing gives them.
fn nodes(n: usize) -> Vec<Node> {
    (0..n)
        .map(|i| {
            let mut node = Node::new(
                NodeKind::Vm,
                format!("https://vcd.example.com/api/vApp/vm-{i:08}"),
                format!("web-{i}"),
            )
            .with_status(Status::new("POWERED_ON", Severity::Ok))
            .with_summary("shop-prod · 2 vCPU · 4 GiB · Ubuntu Linux (64-bit) · 10.0.0.1");
            node = node.with_facts(VmFacts {
                cpus: Some(2).into(),
                memory_mib: Some(4096).into(),
                guest_os: "Ubuntu Linux (64-bit)".into(),
                ip: "10.0.0.1".into(),
                place: "shop-prod".into(),
                owner: "ann".into(),
                ..VmFacts::default()
            });
            node
        })
        .collect()
}

fn formats(c: &mut Criterion) {
    let nodes = nodes(vms());
    let mut group = c.benchmark_group("dump_format");
    group.sample_size(10);
    for format in [Format::Json, Format::Csv, Format::Table] {
        group.bench_function(format!("{format:?} {} VMs", nodes.len()), |b| {
            b.iter(|| {
                let mut w = Writer::new(format, rows::COLUMNS.to_vec(), std::io::sink()).unwrap();
                for node in &nodes {
                    let path = format!("/All VMs/{}", node.name);
                    let at = Place {
                        endpoint: "prod",
                        path: &path,
                        parent: None,
                    };
                    let cells: Vec<Cell> = w
                        .columns()
                        .iter()
                        .map(|c| rows::cell(c, node, &at))
                        .collect();
                    w.row(&cells).unwrap();
                }
                w.finish().unwrap();
            })
        });
    }
    group.finish();
}

criterion_group!(benches, dump_binary, formats);
criterion_main!(benches);
