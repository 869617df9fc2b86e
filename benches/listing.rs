//! Listing every VM through the vCD query service against the simulator with 20 ms latency per
//! request: vnav's bounded parallel paging against the page-by-page walk other tools do
//! (follow `nextPage`), same page size, same run. Also: time to the first page, and startup
//! (simulator up → endpoint connected → first tree level loaded) through the headless app.
//!
//! Also the snapshot view: time to its rows and to every size, for vCD and vCenter, and in the
//! app for a vCD whose vCenter is connected too (its sizes read there in bulk).
//!
//! Also `:vm` over a vCD and two vCenters of 100,000 VMs each in one headless app (issue 18,
//! target 2): time to each endpoint's first rows and to its complete listing, against the
//! request floor (requests × latency / concurrency).
//!
//! `cargo bench --bench listing` measures 100,000 VMs; `cargo test --benches` runs a 2,000-VM
//! smoke. Request counts and the ratio are printed on stderr as `REPORT …` lines.

mod common;

// Timed with the allocator the binary ships with.
vnav::shipped_allocator!();
#[path = "listing/tui.rs"]
mod tui;
use common::{full_run, runtime, simulator, vcenter_backend};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use vnav::api::Backend;
use vnav::api::ChildSink;
use vnav::api::http::HttpOptions;
use vnav::api::vcd::query::Paging;
use vnav::api::vcd::{VcdBackend, VcdConfig};
use vnav::app::{App, EndpointSpec};
use vnav::runtime::driver::Driver;
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Sim, SimOptions};
use vnav::theme::Theme;

const LATENCY_MS: u64 = 20;

/// A logged-in client allowed `concurrency` requests in flight.
async fn connected(sim: &Sim, concurrency: usize) -> VcdBackend {
    let b = backend(sim, concurrency);
    b.connect().await.unwrap();
    b
}

fn backend(sim: &Sim, concurrency: usize) -> VcdBackend {
    VcdBackend::new(VcdConfig {
        url: sim.vcd_url.clone(),
        user: DEMO_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions {
            concurrency,
            ..HttpOptions::default()
        },
    })
    .unwrap()
}

/// Lists every VM; returns (records, requests, time to first page).
async fn list(b: &VcdBackend, paging: Paging) -> (usize, u64, Duration) {
    let start = Instant::now();
    let first: Arc<Mutex<Option<Duration>>> = Arc::default();
    let count = Arc::new(Mutex::new(0usize));
    let (f, c) = (first.clone(), count.clone());
    let sink = ChildSink::new(move |batch| {
        f.lock().unwrap().get_or_insert_with(|| start.elapsed());
        *c.lock().unwrap() += batch.nodes.len();
    });
    let requests = b.list_all_vms(paging, &sink).await.unwrap();
    let first = first.lock().unwrap().unwrap_or_default();
    (*count.lock().unwrap(), requests, first)
}

fn listing(c: &mut Criterion) {
    let vms = if full_run() { 100_000 } else { 2_000 };
    let rt = runtime();
    let sim = rt.block_on(simulator(vms, LATENCY_MS));
    let width = HttpOptions::default().concurrency;
    let mut report = Vec::new();
    for (label, paging) in [
        ("sequential nextPage walk".to_string(), Paging::FollowLinks),
        (
            format!("parallel paging ×{width} (default)"),
            Paging::Parallel(width),
        ),
        (
            "parallel paging ×8 (concurrency = 8)".to_string(),
            Paging::Parallel(8),
        ),
    ] {
        let backend = match paging {
            Paging::Parallel(n) => rt.block_on(connected(&sim, n)),
            Paging::FollowLinks => rt.block_on(connected(&sim, width)),
        };
        let started = Instant::now();
        let (count, requests, first) = rt.block_on(list(&backend, paging));
        let took = started.elapsed();
        assert!(count >= vms, "{label}: listed {count} of {vms}");
        eprintln!(
            "REPORT listing {vms} VMs, {label}: {:.2} s, {requests} requests, first page after {} ms",
            took.as_secs_f64(),
            first.as_millis()
        );
        report.push(took);
    }
    for (i, w) in [(1, width), (2, 8)] {
        eprintln!(
            "REPORT listing speed-up parallel ×{w} vs sequential: {:.1}x (latency {LATENCY_MS} ms)",
            report[0].as_secs_f64() / report[i].as_secs_f64()
        );
    }
    let backend = rt.block_on(connected(&sim, width));
    let mut group = c.benchmark_group("listing");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(if full_run() { 30 } else { 1 }));
    group.bench_function(
        format!("all {vms} VMs, parallel, {LATENCY_MS} ms latency"),
        |bench| bench.iter(|| rt.block_on(list(&backend, Paging::Parallel(width)))),
    );
    group.finish();
}

/// Simulator already up (as with `--demo`): connect, load the endpoint's first level, render.
fn startup(c: &mut Criterion) {
    let rt = runtime();
    let sim = rt.block_on(simulator(200, 0));
    c.bench_function("startup: connect and first tree level", |bench| {
        bench.iter(|| {
            rt.block_on(async {
                let backend = backend(&sim, HttpOptions::default().concurrency);
                let spec = EndpointSpec {
                    label: "demo".into(),
                    root: backend.root(),
                    insecure: false,
                    read_only: false,
                };
                let app = App::new(vec![spec], Theme::default(), false);
                let backends: Vec<Arc<dyn Backend>> = vec![Arc::new(backend)];
                let mut d = Driver::new(app, backends, None);
                let ok = d
                    .until(Duration::from_secs(10), |app| app.tree.len() > 3)
                    .await;
                assert!(ok, "the first level never loaded");
                d.render(120, 40);
                d.shutdown().await;
            })
        })
    });
}

/// vCenter lists never page: over the cap they are split by datacenter, cluster and host. The
/// whole listing should cost about requests × latency / concurrency.
fn vcenter_split(c: &mut Criterion) {
    use vnav::api::model::NodeKind;
    let vms = if full_run() { 100_000 } else { 2_000 };
    let rt = runtime();
    let sim = rt.block_on(async {
        vnav::api::tls::install_crypto_provider();
        let opts = SimOptions {
            vms,
            latency_ms: LATENCY_MS,
            list_cap: Some(1000),
            ..SimOptions::default()
        };
        vnav::sim::start(([127, 0, 0, 1], 0).into(), opts)
            .await
            .unwrap()
    });
    let width = HttpOptions::default().concurrency;
    let backend = vcenter_backend(&sim);
    rt.block_on(backend.connect()).unwrap();
    let children = |node: vnav::api::model::Node| {
        let got: Arc<Mutex<Vec<vnav::api::model::Node>>> = Arc::default();
        let g = got.clone();
        let sink = ChildSink::new(move |b| g.lock().unwrap().extend(b.nodes));
        rt.block_on(backend.children(&node, &sink)).unwrap();
        drop(sink);
        Arc::try_unwrap(got).unwrap().into_inner().unwrap()
    };
    let groups: Vec<_> = children(backend.root())
        .into_iter()
        .flat_map(|dc| {
            children(dc)
                .into_iter()
                .filter(|n| n.kind == NodeKind::Group && &*n.name == "VMs")
        })
        .collect();
    let before = sim.vcenter_request_count();
    let started = Instant::now();
    let listed: usize = groups.iter().map(|g| children(g.clone()).len()).sum();
    let took = started.elapsed();
    let requests = sim.vcenter_request_count() - before;
    eprintln!(
        "REPORT vcenter listing {listed} of {vms} VMs over a 1000 cap: {:.2} s, {requests} requests, \
         requests × latency / concurrency = {:.2} s",
        took.as_secs_f64(),
        requests as f64 * LATENCY_MS as f64 / 1000.0 / width as f64
    );
    assert_eq!(listed, vms);
    let mut group = c.benchmark_group("vcenter");
    group.sample_size(10);
    group.bench_function(format!("all {vms} VMs split under a 1000 cap"), |bench| {
        bench.iter(|| {
            groups
                .iter()
                .map(|g| children(g.clone()).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

/// CPU the whole process (simulator, client and app alike) has used: a run on the shared
/// machine waits for the CPU more than for the 20 ms latency, and this says which.
fn process_cpu() -> Duration {
    common::cpu_time(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// The snapshot view at scale: how soon the VMs with snapshots show, and how long until every
/// size is read, for vCD (a SnapshotSection per VM) and vCenter (layouts in batches of 250).
/// Measured once per product (a full read is too long to repeat); the numbers are `REPORT`s.
fn sprawl(_: &mut Criterion) {
    use vnav::api::model::SprawlRow;
    use vnav::api::{SprawlSink, SprawlUpdate};
    let vms = if full_run() { 100_000 } else { 2_000 };
    let rt = runtime();
    let sim = rt.block_on(simulator(vms, LATENCY_MS));
    let vcd: Arc<dyn Backend> = Arc::new(backend(&sim, HttpOptions::default().concurrency));
    let vcenter: Arc<dyn Backend> = Arc::new(vcenter_backend(&sim));
    // `-- sprawl` measures what the linked view waits on (the vCenter part), not vCD's 30 s.
    let only_vcenter = std::env::args().any(|a| a == "sprawl");
    for (product, b) in [("vCD", vcd), ("vCenter", vcenter)] {
        if only_vcenter && product == "vCD" {
            continue;
        }
        rt.block_on(b.connect()).unwrap();
        let requests = || sim.request_count() + sim.vcenter_request_count();
        let before = requests();
        let (started, cpu) = (Instant::now(), process_cpu());
        let listed: Arc<Mutex<Option<Duration>>> = Arc::default();
        let l = listed.clone();
        let sink = SprawlSink::new(move |u| {
            if let SprawlUpdate::Rows(_) = u {
                l.lock().unwrap().get_or_insert_with(|| started.elapsed());
            }
        });
        let rows: Vec<SprawlRow> = rt.block_on(b.snapshot_sprawl(&sink)).unwrap();
        let took = started.elapsed();
        let shown = listed.lock().unwrap().unwrap_or(took);
        assert!(!rows.is_empty() && rows.iter().all(|r| r.bytes.is_some()));
        eprintln!(
            "REPORT snapshot view, {product}, {vms} VMs, {LATENCY_MS} ms latency: {} VMs with \
             snapshots shown after {:.2} s, every size after {:.2} s, {} requests, CPU {:.2} s",
            rows.len(),
            shown.as_secs_f64(),
            took.as_secs_f64(),
            requests() - before,
            (process_cpu() - cpu).as_secs_f64()
        );
    }
}

/// Where the linked view's two servers run.
enum Servers {
    /// In the bench's own process, competing with vnav for its threads (the numbers before
    /// 2026-12-07 09:00 were taken so).
    Here(Sim),
    /// In a child process (`SimChild`; its second simulator stays idle), so the process
    /// measured is vnav's alone: the app, the vCD and the vCenter clients.
    Child(SimChild),
}

impl Servers {
    fn start(vms: usize, in_child: bool, rt: &tokio::runtime::Runtime) -> Servers {
        match in_child {
            true => Servers::Child(SimChild::start(vms, LATENCY_MS)),
            false => Servers::Here(rt.block_on(simulator(vms, LATENCY_MS))),
        }
    }
    fn name(&self) -> &'static str {
        match self {
            Servers::Here(_) => "servers in this process",
            Servers::Child(_) => "servers in a child process",
        }
    }
    /// The vCD's and its vCenter's URLs.
    fn urls(&self) -> (String, String) {
        match self {
            Servers::Here(sim) => (sim.vcd_url.clone(), sim.vcenter_url.clone()),
            Servers::Child(c) => (c.urls[0].clone(), c.urls[1].clone()),
        }
    }
    /// Requests the vCD and its vCenter have served so far.
    fn requests(&mut self) -> (u64, u64) {
        match self {
            Servers::Here(sim) => (sim.request_count(), sim.vcenter_request_count()),
            Servers::Child(c) => {
                let [vcd, vcenter, _] = c.requests();
                (vcd, vcenter)
            }
        }
    }
    /// CPU the servers' own process has used (none apart from this one's when here).
    fn cpu(&self) -> Duration {
        match self {
            Servers::Here(_) => Duration::ZERO,
            Servers::Child(c) => c.cpu(),
        }
    }
}

/// The snapshot view in the app with the vCD and the vCenter behind it both connected: vCD's
/// rows, then their sizes read on the vCenter in bulk rather than one vCD request per VM.
/// Reports when every vCD row has its size, when the whole view (the vCenter's own rows too) is
/// complete, the requests each server saw and the CPU used; first with the servers in a child
/// process (what vnav itself costs), then in this one (comparable with earlier rounds).
fn sprawl_linked(_: &mut Criterion) {
    sprawl_linked_with(true);
    sprawl_linked_with(false);
}

fn sprawl_linked_with(in_child: bool) {
    use crossterm::event::KeyCode;
    use vnav::app::tree::Load;
    let vms = if full_run() { 100_000 } else { 2_000 };
    let rt = runtime();
    let mut servers = Servers::start(vms, in_child, &rt);
    let (vcd_url, vcenter_url) = servers.urls();
    let vcd = vcd_at(&vcd_url, HttpOptions::default().concurrency);
    let vcenter = vcenter_at(&vcenter_url);
    let specs = [("vcd", &vcd), ("vcenter", &vcenter)]
        .iter()
        .map(|(label, b)| EndpointSpec {
            label: label.to_string(),
            root: b.root(),
            insecure: false,
            read_only: false,
        })
        .collect();
    let app = App::new(specs, Theme::default(), false);
    rt.block_on(async {
        let mut d = Driver::new(app, vec![vcd, vcenter], None);
        let long = Duration::from_secs(600);
        assert!(
            d.until(long, |app| app.endpoints.iter().all(|e| e.info.is_some()))
                .await
        );
        let root = d.app.all_snapshots.as_ref().unwrap().root;
        let (cd0, vc0) = servers.requests();
        let (started, cpu, servers_cpu) = (Instant::now(), process_cpu(), servers.cpu());
        let threads = own_cpu();
        d.key(KeyCode::Home);
        d.key(KeyCode::Enter);
        // When the view first shows rows (of either endpoint).
        assert!(
            d.until(long, |app| !app.tree.get(root).children.is_empty())
                .await
        );
        let first_rows = started.elapsed();
        // Every vCD row shown has its size (rows first: wait for some). Checked after each
        // batch of answers in the same process as what is measured, so it stops at the first
        // row without a size and allocates nothing: collecting the 20,000 vCD rows each time
        // was 4.4 % of a `perf record` of the run, CPU the real binary does not spend.
        let vcd_sized = |app: &App| {
            let mut any = false;
            let all = (app.tree.get(root).children.iter())
                .map(|&c| app.tree.get(c))
                .filter(|e| e.endpoint() == 0)
                .all(|e| {
                    any = true;
                    (e.node.facts.as_ref()).is_some_and(|f| f.snapshot_bytes.is_some())
                });
            any && all
        };
        assert!(d.until(long, vcd_sized).await);
        let (sized, sized_cpu) = (started.elapsed(), process_cpu() - cpu);
        let sized_servers_cpu = servers.cpu() - servers_cpu;
        let (app_cpu, others_cpu) = (own_cpu().0 - threads.0, own_cpu().1 - threads.1);
        let (cd1, vc1) = servers.requests();
        assert!(
            d.until(long, |app| app.tree.get(root).load() == &Load::Loaded)
                .await
        );
        let complete = started.elapsed();
        let (cd2, vc2) = servers.requests();
        let vcd_rows = d
            .app
            .tree
            .get(root)
            .children
            .iter()
            .filter(|&&c| d.app.tree.get(c).endpoint() == 0)
            .count();
        // The main thread runs the app (the driver); the others are the runtime's workers:
        // the clients, and the servers too when they run here.
        let servers_cpu = match in_child {
            true => format!(
                ": app thread {:.2} s, clients {:.2} s; the servers' {:.2} s",
                app_cpu.as_secs_f64(),
                others_cpu.as_secs_f64(),
                sized_servers_cpu.as_secs_f64()
            ),
            false => format!(
                ": app thread {:.2} s, clients and servers {:.2} s",
                app_cpu.as_secs_f64(),
                others_cpu.as_secs_f64()
            ),
        };
        eprintln!(
            "REPORT snapshot view, vCD with its vCenter connected ({}), {vms} VMs, {LATENCY_MS} \
             ms latency: {vcd_rows} vCD rows, first rows after {:.2} s, every vCD size after \
             {:.2} s (CPU of this process {:.2} s{servers_cpu}; {} vCD + {} vCenter requests by \
             then), whole view after {:.2} s ({} vCD + {} vCenter requests)",
            servers.name(),
            first_rows.as_secs_f64(),
            sized.as_secs_f64(),
            sized_cpu.as_secs_f64(),
            cd1 - cd0,
            vc1 - vc0,
            complete.as_secs_f64(),
            cd2 - cd0,
            vc2 - vc0,
        );
        d.shutdown().await;
    });
}

/// Where a loaded VM node's bytes go, field by field, for vCD's and vCenter's "All VMs" nodes as
/// the real clients build them: the inline sizes, then the heap each string and the boxed facts
/// hold (payload bytes; the allocator rounds each block up and adds its header), and how many
/// distinct values the repeating facts have (what interning would keep).
fn node_bytes(_: &mut Criterion) {
    use std::collections::HashSet;
    use std::mem::size_of;
    use vnav::api::model::{Node, NodeKind, VimRef, VmFacts};
    let vms = if full_run() { 100_000 } else { 2_000 };
    let rt = runtime();
    let sim = rt.block_on(simulator(vms, 0));
    eprintln!(
        "REPORT node_bytes inline: Node {} B, tree Entry {} B (Node included), VmFacts {} B, \
         VimRef {} B",
        size_of::<Node>(),
        size_of::<vnav::app::tree::Entry>(),
        size_of::<VmFacts>(),
        size_of::<VimRef>(),
    );
    let vcd = backend(&sim, HttpOptions::default().concurrency);
    let vcenter = vcenter_backend(&sim);
    let nodes = |b: &dyn Backend| -> Vec<Node> {
        rt.block_on(async {
            b.connect().await.unwrap();
            let (sink, found) = ChildSink::collecting();
            b.children(&b.root(), &sink).await.unwrap();
            let group = found
                .take()
                .into_iter()
                .find(|n| &*n.name == "All VMs")
                .unwrap();
            let (sink, found) = ChildSink::collecting();
            b.children(&group, &sink).await.unwrap();
            found.take()
        })
    };
    for (product, list) in [("vCD", nodes(&vcd)), ("vCenter", nodes(&vcenter))] {
        let vm: Vec<&Node> = list.iter().filter(|n| n.kind == NodeKind::Vm).collect();
        let n = vm.len().max(1) as f64;
        let avg = |f: &dyn Fn(&Node) -> usize| vm.iter().map(|v| f(v)).sum::<usize>() as f64 / n;
        let facts = |f: &dyn Fn(&VmFacts) -> usize| avg(&|v: &Node| v.facts.as_ref().map_or(0, f));
        let distinct = |f: &dyn Fn(&VmFacts) -> &str| {
            vm.iter()
                .filter_map(|v| v.facts.as_ref().map(f))
                .collect::<HashSet<_>>()
                .len()
        };
        let backing = |v: &Node| {
            v.backing().map_or(0, |b| {
                size_of::<VimRef>() + b.vcenter_url.len() + b.vcenter_name.len() + b.moid.len()
            })
        };
        // Heap bytes: ids and names up to 24 bytes are inline (CompactString), a status
        // label is a 2-byte handle, a VM's summary is built when drawn, its facts are inline
        // and its guest OS, place and owner are shared (counted once per distinct value).
        let heap = |s: &compact_str::CompactString| {
            if s.is_heap_allocated() { s.len() } else { 0 }
        };
        let id_heap = |id: &vnav::api::model::NodeId| id.heap_len();
        eprintln!(
            "REPORT node_bytes {product}, {} VMs: tree Entry {} B (Node {} B, facts inline {} B); \
             heap per VM (payload): id {:.0} (ids on the heap: {:.0} %), name {:.0}, stored \
             summary {:.0}, IP {:.0}, backing {:.0}; shared: guest OS {}, place {}, owner {} \
             distinct values",
            vm.len(),
            size_of::<vnav::app::tree::Entry>(),
            size_of::<Node>(),
            size_of::<Option<VmFacts>>(),
            avg(&|v| id_heap(&v.id)),
            avg(&|v| usize::from(v.id.heap_len() > 0) * 100),
            avg(&|v| heap(&v.name)),
            avg(&|v| v.stored_summary().len()),
            // A `ThinStr`'s block: a length byte and the text.
            facts(&|f| if f.ip.is_empty() { 0 } else { 1 + f.ip.len() }),
            avg(&backing),
            distinct(&|f| &f.guest_os),
            distinct(&|f| &f.place),
            distinct(&|f| &f.owner),
        );
    }
}

/// The two simulators of the multi-endpoint listing in a child process (this bench binary run
/// as `sim-child VMS LATENCY_MS`), so what the bench's process spends is the clients' and the
/// app's, not the servers': the child prints the vCD's and both vCenters' URLs, then answers
/// each line on its stdin with the three request counts.
struct SimChild {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: std::io::BufReader<std::process::ChildStdout>,
    /// The vCD and vCenter of the first simulator, the vCenter of the second.
    urls: [String; 3],
}

impl SimChild {
    fn start(vms: usize, latency_ms: u64) -> SimChild {
        SimChild::start_with(vms, latency_ms, false)
    }

    /// With `memo`, the simulators answer a repeated GET from its first answer (`sim::memo`).
    fn start_with(vms: usize, latency_ms: u64, memo: bool) -> SimChild {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["sim-child", &vms.to_string(), &latency_ms.to_string()])
            .args(memo.then_some("memo"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let urls = [(); 3].map(|_| {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            line.trim().to_string()
        });
        SimChild {
            child,
            stdin,
            stdout,
            urls,
        }
    }

    /// Requests served so far: the vCD, the first vCenter, the second vCenter.
    fn requests(&mut self) -> [u64; 3] {
        use std::io::{BufRead, Write};
        writeln!(self.stdin, "count").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let n: Vec<u64> = line
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        [n[0], n[1], n[2]]
    }

    /// CPU time the child has used (user + system).
    fn cpu(&self) -> Duration {
        cpu_of(&format!("/proc/{}/stat", self.child.id()))
    }
}

impl Drop for SimChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The child's side of `SimChild`: serves until its stdin closes.
fn sim_child(vms: usize, latency_ms: u64, memo: bool) {
    use std::io::{BufRead, Write};
    let rt = runtime();
    let opts = SimOptions {
        vms,
        latency_ms,
        memo,
        ..SimOptions::default()
    };
    let (a, b) = rt.block_on(async {
        (
            common::simulator_with(opts.clone()).await,
            common::simulator_with(opts).await,
        )
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}\n{}\n{}", a.vcd_url, a.vcenter_url, b.vcenter_url).unwrap();
    out.flush().unwrap();
    for line in std::io::stdin().lock().lines() {
        if line.is_err() {
            break;
        }
        let counts = (
            a.request_count(),
            a.vcenter_request_count(),
            b.vcenter_request_count(),
        );
        writeln!(out, "{} {} {}", counts.0, counts.1, counts.2).unwrap();
        out.flush().unwrap();
    }
}

/// The numeric fields of a `/proc/…/stat` file from field 3 on (none if it cannot be read).
fn stat_fields(stat: &str) -> Vec<u64> {
    let text = std::fs::read_to_string(stat).unwrap_or_default();
    // The command name is in parentheses and may hold spaces: count fields after it.
    let rest = &text[text.rfind(')').map_or(text.len(), |i| i + 2)..];
    (rest.split_whitespace())
        .map(|x| x.parse().unwrap_or(0))
        .collect()
}

/// User + system CPU time from a `/proc/…/stat` file (fields 14 and 15, in clock ticks).
fn cpu_of(stat: &str) -> Duration {
    let f = stat_fields(stat);
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis(f.iter().skip(11).take(2).sum::<u64>() * 1000 / hz)
}

/// Minor page faults of this process so far (field 10): each a fresh page of memory written
/// for the first time, what the allocator's giving pages back costs.
fn own_faults() -> u64 {
    stat_fields("/proc/self/stat").get(7).copied().unwrap_or(0)
}

/// CPU time used so far by this process's main thread (the app: the driver runs on it) and by
/// its other threads (the clients' tokio workers).
fn own_cpu() -> (Duration, Duration) {
    let me = std::process::id().to_string();
    let (mut app, mut clients) = (Duration::ZERO, Duration::ZERO);
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let cpu = cpu_of(&task.path().join("stat").to_string_lossy());
        match task.file_name().to_string_lossy() == me {
            true => app += cpu,
            false => clients += cpu,
        }
    }
    (app, clients)
}

fn vcd_at(url: &str, width: usize) -> Arc<dyn Backend> {
    let config = VcdConfig {
        url: url.to_string(),
        user: DEMO_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions {
            concurrency: width,
            ..HttpOptions::default()
        },
    };
    Arc::new(VcdBackend::new(config).unwrap())
}

fn vcenter_at(url: &str) -> Arc<dyn Backend> {
    use vnav::api::vcenter::{VcenterBackend, VcenterConfig};
    let config = VcenterConfig {
        url: url.to_string(),
        user: vnav::sim::VCENTER_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions::default(),
    };
    Arc::new(VcenterBackend::new(config).unwrap())
}

const LABELS: [&str; 3] = ["vcd", "vcenter-1", "vcenter-2"];

/// The hidden roots a table lists into, one per endpoint.
fn table_roots(app: &App) -> Vec<u32> {
    (0..app.tree.capacity() as u32)
        .filter(|&id| app.tree.is_live(id))
        .filter(|&id| {
            let e = app.tree.get(id);
            e.parent().is_none() && e.node.id.as_str().starts_with("vnav:table:")
        })
        .collect()
}

/// The multi-endpoint listing's endpoints, labelled `LABELS`.
fn multi_specs(backends: &[Arc<dyn Backend>]) -> Vec<EndpointSpec> {
    (LABELS.iter().zip(backends))
        .map(|(label, b)| EndpointSpec {
            label: label.to_string(),
            root: b.root(),
            insecure: false,
            read_only: false,
        })
        .collect()
}

/// The multi-endpoint listing's three clients: the vCD, then both vCenters.
fn multi_backends(sims: &SimChild, width: usize) -> Vec<Arc<dyn Backend>> {
    let [vcd, a, b] = &sims.urls;
    vec![vcd_at(vcd, width), vcenter_at(a), vcenter_at(b)]
}

/// `:vm` over one vCD and two vCenters (two simulators in a child process: see `SimChild`),
/// each endpoint at its default concurrency and 20 ms latency, all listed in parallel as the
/// app does: per endpoint, the time from `:vm` to its first page landing, to its first rows
/// drawn in the table, to its complete listing and to the table holding all of it, against the
/// floor its request count sets (requests × latency / concurrency); and the CPU the app's
/// thread, the clients and the simulators used meanwhile.
fn multi_listing(_: &mut Criterion) {
    let vms = if full_run() { 100_000 } else { 2_000 };
    let rt = runtime();
    app_listing(&rt, &mut SimChild::start(vms, LATENCY_MS), "");
    // Against simulators started afresh: the vCD simulator keeps a query's sorted index once
    // asked, so the same simulators would answer this run's first page from it while the app
    // paid for building it.
    let mut sims = SimChild::start(vms, LATENCY_MS);
    listings_without_app(&rt, &mut sims, "");
    vcenter_walk_alone(&rt, &sims);
    each_alone(&rt, &mut sims);
}

/// `-- offload`: the same listings with the servers' work off the machine's two cores, as
/// real servers are on machines of their own: the simulators answer each GET from its first
/// answer (`sim::memo`), after one listing without the app has made every answer once.
fn offloaded_listing(_: &mut Criterion) {
    let vms = if full_run() { 100_000 } else { 2_000 };
    let rt = runtime();
    let mut sims = SimChild::start_with(vms, LATENCY_MS, true);
    listings_without_app(&rt, &mut sims, "warming the memo: ");
    listings_without_app(&rt, &mut sims, "offloaded: ");
    app_listing(&rt, &mut sims, "offloaded: ");
}

/// `:vm` in the app against `sims`, timed per endpoint and as a whole; `tag` heads its lines.
fn app_listing(rt: &tokio::runtime::Runtime, sims: &mut SimChild, tag: &str) {
    use crossterm::event::KeyCode;
    use vnav::app::tree::Load;
    let width = HttpOptions::default().concurrency;
    let backends = multi_backends(sims, width);
    let labels = LABELS;
    let specs = multi_specs(&backends);
    rt.block_on(async {
        // The table laid out once a frame, as vnav does, not after each slice.
        let app = App::new(specs, Theme::default(), false);
        let mut d = Driver::new(app, backends, None).paced();
        let long = Duration::from_secs(600);
        assert!(
            d.until(long, |app| app.endpoints.iter().all(|e| e.info.is_some()))
                .await
        );
        // Let the first tree levels settle, so only the listing is counted.
        d.until(Duration::from_millis(500), |_| false).await;
        let before = sims.requests();
        let (app0, clients0, sims0) = (own_cpu().0, own_cpu().1, sims.cpu());
        let faults0 = own_faults();
        let started = Instant::now();
        walk_trace::install();
        walk_trace::ON.store(true, std::sync::atomic::Ordering::Relaxed);
        d.key(KeyCode::Char(':'));
        d.type_str("vm");
        d.key(KeyCode::Enter);
        // The hidden roots the table lists into, one per endpoint.
        let roots = table_roots(&d.app);
        assert_eq!(roots.len(), 3, "one listing per endpoint");
        // Per root: its first page landed, its first rows drawn in the table (a row of it in
        // the view: which one does not matter, as later parts merge before the first page's),
        // its listing complete.
        let (mut first, mut shown, mut done) = ([None; 3], [None; 3], [None; 3]);
        let mut counts = [0u64; 3];
        let shown_now = |app: &App, i: usize, shown: &[Option<Duration>; 3]| {
            shown[i].is_none()
                && (app.tree.visible().iter()).any(|&c| app.tree.get(c).parent() == Some(roots[i]))
        };
        while done.iter().chain(&shown).any(Option::is_none) {
            let step = d
                .until(long, |app| {
                    roots.iter().enumerate().any(|(i, &r)| {
                        let e = app.tree.get(r);
                        (first[i].is_none() && !e.children.is_empty())
                            || shown_now(app, i, &shown)
                            || (done[i].is_none() && e.load() == &Load::Loaded)
                    })
                })
                .await;
            assert!(step, "listing stalled");
            let now = started.elapsed();
            let seen = sims.requests();
            for (i, &r) in roots.iter().enumerate() {
                let e = d.app.tree.get(r);
                let ep = e.endpoint();
                if first[i].is_none() && !e.children.is_empty() {
                    first[i] = Some(now);
                }
                if shown_now(&d.app, i, &shown) {
                    shown[i] = Some(now);
                }
                if done[i].is_none() && e.load() == &Load::Loaded {
                    done[i] = Some(now);
                    counts[ep] = seen[ep] - before[ep];
                }
                assert!(!matches!(e.load(), Load::Failed(_)), "{:?}", e.load());
            }
        }
        // The table holding every row listed (its last merges run on ticks).
        let all: usize = roots
            .iter()
            .map(|&r| d.app.tree.get(r).children.len())
            .sum();
        let in_table = |app: &App| app.table.as_ref().is_some_and(|t| t.total == all);
        assert!(d.until(long, in_table).await, "the table never caught up");
        let table_done = started.elapsed();
        walk_trace::ON.store(false, std::sync::atomic::Ordering::Relaxed);
        slots(tag, width, started);
        let (app1, clients1) = own_cpu();
        let sims1 = sims.cpu();
        let faults = own_faults() - faults0;
        for (i, &r) in roots.iter().enumerate() {
            let e = d.app.tree.get(r);
            let ep = e.endpoint();
            let floor = counts[ep] as f64 * LATENCY_MS as f64 / 1000.0 / width as f64;
            let took = done[i].unwrap().as_secs_f64();
            eprintln!(
                "REPORT {tag}multi-endpoint :vm, {}: {} VMs, first page landed after {} ms, first \
                 rows drawn after {} ms, complete after {took:.2} s, {} requests, floor \
                 {floor:.2} s ({:.2}× the floor)",
                labels[ep],
                e.children.len(),
                first[i].unwrap().as_millis(),
                shown[i].unwrap().as_millis(),
                counts[ep],
                took / floor
            );
        }
        let index = d.app.table.as_ref().map_or(0, |t| t.index_bytes());
        eprintln!(
            "REPORT {tag}multi-endpoint :vm: every row in the table after {:.2} s (its sort index \
             {index} B, {:.1} B a row); CPU meanwhile: app thread {:.2} s, client threads \
             {:.2} s, simulators (their own process) {:.2} s; {faults} page faults in this \
             process",
            table_done.as_secs_f64(),
            index as f64 / all.max(1) as f64,
            (app1 - app0).as_secs_f64(),
            (clients1 - clients0).as_secs_f64(),
            (sims1 - sims0).as_secs_f64(),
        );
        d.shutdown().await;
    });
}

/// How the requests of the listing `started` used their endpoints' slots, from the client's
/// `request` events: each exchange's time (sent to last byte read) and the share of the time
/// the slots were in an exchange (between none: a page parsed, a task waiting for a core).
/// A listing completes near its floor × mean exchange / latency / that share.
fn slots(tag: &str, width: usize, started: Instant) {
    let seen = std::mem::take(&mut *walk_trace::SEEN.lock().unwrap());
    // vCD queries are `/api/query`; the two vCenters share one line.
    for (label, vcd, endpoints) in [("vcd", true, 1.0), ("vcenters", false, 2.0)] {
        let mut ms: Vec<(f64, f64)> = (seen.iter())
            .filter(|(_, e)| e.contains("url=") && e.contains("/api/query") == vcd)
            .filter_map(|(t, e)| {
                let ms: f64 = e.split("ms=").nth(1)?.split(' ').next()?.parse().ok()?;
                Some(((*t - started).as_secs_f64() * 1000.0, ms))
            })
            .collect();
        if ms.is_empty() {
            continue;
        }
        ms.sort_by(|a, b| a.1.total_cmp(&b.1));
        let n = ms.len();
        let at = |q: f64| ms[((n - 1) as f64 * q) as usize].1;
        let sum: f64 = ms.iter().map(|m| m.1).sum();
        let end = ms.iter().map(|m| m.0).fold(0.0, f64::max);
        eprintln!(
            "REPORT {tag}multi-endpoint :vm, {label}'s slots: {n} exchanges, each p50 {} / p90 {} / \
             p99 {} / max {} ms, mean {:.1} ms; slots in an exchange {:.0} % of the time to the \
             last",
            at(0.5),
            at(0.9),
            at(0.99),
            at(1.0),
            sum / n as f64,
            100.0 * sum / (width as f64 * endpoints * end)
        );
    }
}

/// The same three listings without the app: the backends' `list_kind` side by side, each
/// timed to its end, so what the app adds shows apart from the network and the simulators.
fn listings_without_app(rt: &tokio::runtime::Runtime, sims: &mut SimChild, tag: &str) {
    let width = HttpOptions::default().concurrency;
    let reads = multi_backends(sims, width);
    rt.block_on(async {
        for b in &reads {
            b.connect().await.unwrap();
        }
        let before = sims.requests();
        let cpu0 = (own_cpu(), sims.cpu());
        let started = Instant::now();
        // Each listing a task of the runtime, as the executor runs it: polled on the workers,
        // not all three on this thread.
        let timed = reads.iter().cloned().map(|b| async move {
            let (sink, got) = ChildSink::collecting();
            let first: Arc<Mutex<Option<Duration>>> = Arc::default();
            let f = first.clone();
            let probe = ChildSink::new(move |batch| {
                f.lock().unwrap().get_or_insert_with(|| started.elapsed());
                sink.push(batch);
            });
            b.list_kind(vnav::api::model::NodeKind::Vm, &probe)
                .await
                .unwrap();
            let took = started.elapsed();
            drop(probe);
            let first = first.lock().unwrap().unwrap_or_default();
            (got.take().len(), first, took)
        });
        let tasks = timed.map(tokio::spawn).collect::<Vec<_>>();
        let results = futures::future::try_join_all(tasks).await.unwrap();
        let seen = sims.requests();
        let cpu1 = (own_cpu(), sims.cpu());
        for (i, (n, first, took)) in results.into_iter().enumerate() {
            let count = seen[i] - before[i];
            let floor = count as f64 * LATENCY_MS as f64 / 1000.0 / width as f64;
            eprintln!(
                "REPORT {tag}multi-endpoint list_kind without the app, {}: {n} VMs, first rows after \
                 {} ms, complete after {:.2} s, {count} requests (all three endpoints' requests \
                 counted at the end), floor {floor:.2} s ({:.2}× the floor)",
                LABELS[i],
                first.as_millis(),
                took.as_secs_f64(),
                took.as_secs_f64() / floor
            );
        }
        // Every thread counts: the workers and this one.
        let clients = (cpu1.0.0 + cpu1.0.1) - (cpu0.0.0 + cpu0.0.1);
        eprintln!(
            "REPORT {tag}multi-endpoint list_kind without the app: CPU clients {:.2} s, simulators \
             {:.2} s",
            clients.as_secs_f64(),
            (cpu1.1 - cpu0.1).as_secs_f64(),
        );
    });
}

/// The client's `request` events (and the walk's "splitting") as they happen, kept while `ON`
/// is set: the order and times of a vCenter walk's requests up to its first rows (issue 18,
/// target 2).
mod walk_trace {
    use std::fmt::Write;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;

    use tracing::field::{Field, Visit};
    use tracing_subscriber::layer::{Context, Layer};

    pub static ON: AtomicBool = AtomicBool::new(false);
    pub static SEEN: Mutex<Vec<(Instant, String)>> = Mutex::new(Vec::new());

    struct Fields(String);

    impl Visit for Fields {
        fn record_debug(&mut self, f: &Field, v: &dyn std::fmt::Debug) {
            if matches!(
                f.name(),
                "message" | "url" | "query" | "status" | "bytes" | "ms" | "parts"
            ) {
                let _ = write!(self.0, "{}={v:?} ", f.name());
            }
        }
    }

    struct Keep;

    impl<S: tracing::Subscriber> Layer<S> for Keep {
        fn on_event(&self, e: &tracing::Event<'_>, _: Context<'_, S>) {
            let target = e.metadata().target();
            if !ON.load(Ordering::Relaxed) || !matches!(target, "vnav::http" | "vnav::vcenter") {
                return;
            }
            let mut f = Fields(String::new());
            e.record(&mut f);
            SEEN.lock().unwrap().push((Instant::now(), f.0));
        }
    }

    /// Installed once: it sees info events only, and keeps them only while `ON` (a check an
    /// event, ~2,200 a listing).
    pub fn install() {
        use tracing_subscriber::prelude::*;
        let keep = Keep.with_filter(tracing_subscriber::filter::LevelFilter::INFO);
        let _ = tracing_subscriber::registry().with(keep).try_init();
    }
}

/// The first vCenter alone (no vCD, no app) against `sims`: each request of its walk with the
/// time it ended, up to its first rows and a few after, so what the first rows wait for shows
/// apart from the other endpoints' load.
fn vcenter_walk_alone(rt: &tokio::runtime::Runtime, sims: &SimChild) {
    use std::sync::atomic::Ordering;
    walk_trace::install();
    rt.block_on(async {
        let b = vcenter_at(&sims.urls[1]);
        b.connect().await.unwrap();
        let started = Instant::now();
        walk_trace::ON.store(true, Ordering::Relaxed);
        let first: Arc<Mutex<Option<Instant>>> = Arc::default();
        let f = first.clone();
        let probe = ChildSink::new(move |batch| {
            if !batch.nodes.is_empty() {
                f.lock().unwrap().get_or_insert_with(Instant::now);
            }
        });
        b.list_kind(vnav::api::model::NodeKind::Vm, &probe)
            .await
            .unwrap();
        let took = started.elapsed();
        walk_trace::ON.store(false, Ordering::Relaxed);
        let first = first.lock().unwrap().unwrap();
        let seen = std::mem::take(&mut *walk_trace::SEEN.lock().unwrap());
        let requests = seen.iter().filter(|(_, e)| e.contains("url=")).count();
        eprintln!(
            "REPORT vcenter-1 alone, without the app: first rows after {} ms, complete after \
             {:.2} s, {requests} requests; its walk, each request as it ended:",
            (first - started).as_millis(),
            took.as_secs_f64()
        );
        let after = seen.iter().filter(|(t, _)| *t > first).take(3);
        for (t, event) in seen.iter().filter(|(t, _)| *t <= first).chain(after) {
            eprintln!("REPORT   +{} ms {event}", (*t - started).as_millis());
        }
    });
}

/// The vCD and the first vCenter each listed alone at their default concurrency, no app: how
/// near each walk comes to its floor with nothing else on the machine's cores but its
/// simulator, and the spread of its requests' times (a walk that keeps its slots busy finishes
/// near requests × the median time / concurrency).
fn each_alone(rt: &tokio::runtime::Runtime, sims: &mut SimChild) {
    use std::sync::atomic::Ordering;
    walk_trace::install();
    let width = HttpOptions::default().concurrency;
    let backends = [vcd_at(&sims.urls[0], width), vcenter_at(&sims.urls[1])];
    for (ep, b) in backends.iter().enumerate() {
        rt.block_on(b.connect()).unwrap();
        let before = sims.requests()[ep];
        let started = Instant::now();
        walk_trace::ON.store(true, Ordering::Relaxed);
        let listed =
            rt.block_on(b.list_kind(vnav::api::model::NodeKind::Vm, &ChildSink::new(|_| {})));
        let took = started.elapsed().as_secs_f64();
        walk_trace::ON.store(false, Ordering::Relaxed);
        listed.unwrap();
        let requests = sims.requests()[ep] - before;
        let mut ms: Vec<u64> = std::mem::take(&mut *walk_trace::SEEN.lock().unwrap())
            .iter()
            .filter_map(|(_, e)| e.split("ms=").nth(1)?.split(' ').next()?.parse().ok())
            .collect();
        ms.sort_unstable();
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q) as usize];
        let floor = requests as f64 * LATENCY_MS as f64 / 1000.0 / width as f64;
        eprintln!(
            "REPORT {} alone, without the app: {requests} requests, complete after {took:.2} s, \
             floor {floor:.2} s ({:.2}× the floor); a request's time p50 {} / p90 {} / p99 {} / \
             max {} ms",
            LABELS[ep],
            took / floor,
            at(0.5),
            at(0.9),
            at(0.99),
            at(1.0)
        );
    }
}

fn tui_listing(_: &mut Criterion) {
    tui::tui_listing(if full_run() { 100_000 } else { 2_000 }, LATENCY_MS);
}

criterion_group!(
    benches,
    multi_listing,
    offloaded_listing,
    tui_listing,
    listing,
    startup,
    vcenter_split,
    sprawl,
    sprawl_linked,
    node_bytes
);
// `cargo bench --bench listing -- multi` runs only the multi-endpoint `:vm`, `-- tui` only the
// same in the TUI's loop, `-- sprawl` only the snapshot views, `-- linked` only the linked one
// (the others take minutes at full size).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, cmd, vms, latency, rest @ ..] = &args[..]
        && cmd == "sim-child"
    {
        let memo = rest.iter().any(|a| a == "memo");
        sim_child(vms.parse().unwrap(), latency.parse().unwrap(), memo);
        return;
    }
    // `-- alone`: the vCD and the first vCenter listed one at a time, no app (~10 s).
    if std::env::args().any(|a| a == "alone") {
        each_alone(&runtime(), &mut SimChild::start(100_000, LATENCY_MS));
        return;
    }
    if std::env::args().any(|a| a == "multi") {
        multi_listing(&mut Criterion::default());
        return;
    }
    if std::env::args().any(|a| a == "offload") {
        offloaded_listing(&mut Criterion::default());
        return;
    }
    // `-- tui`: the same `:vm` in the TUI's own loop, frames drawn as `vnav` draws them.
    if std::env::args().any(|a| a == "tui") {
        tui_listing(&mut Criterion::default());
        return;
    }
    // `-- sprawl`: the vCenter snapshot view, then the linked one (issue 18, target 7).
    // `-- linked`: the linked view alone (what target 7 measures, e.g. under `perf`).
    if std::env::args().any(|a| a == "linked") {
        sprawl_linked(&mut Criterion::default());
        return;
    }
    if std::env::args().any(|a| a == "sprawl") {
        sprawl(&mut Criterion::default());
        sprawl_linked(&mut Criterion::default());
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
