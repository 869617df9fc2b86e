//! Issue 17/18's numbers: `:vm` over 100,000 and 300,000 VMs on two endpoints (App time to the
//! first row and to the complete, sorted table, pages of 128 arriving alternately from both),
//! and a re-sort from key to finished frame: `~` flips the direction (reads the table's sort
//! index), `>` sorts by the next column (a first sort by it asks for its order to be built off
//! the UI thread: the key, the build, and the order landing are timed apart; the index keeps
//! three), and the sort index's bytes. And arrivals (issue 18, target
//! 4): `:vm` over three endpoints whose pages land interleaved while keys are pressed, each
//! key's time to its frame, and the same plus the event handled just before it (what a key
//! pressed during that event waits). And health dots (`-- dots`): the CPU a listed `:vm`
//! spends as every row's dot lands, a part at a time.
//! `cargo bench --bench table` for the full sizes; `cargo test --all-targets` runs it small.

use std::time::{Duration, Instant};

mod common;

// Timed with the allocator the binary ships with.
vnav::shipped_allocator!();

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vnav::api::model::*;
use vnav::app::App;
use vnav::app::event::{ApiAnswer, ApiEvent, Effect, Event};
use vnav::theme::Theme;

fn sizes() -> &'static [usize] {
    match std::env::args().any(|a| a == "--bench") {
        true => &[100_000, 300_000],
        false => &[4_000],
    }
}

fn key(app: &mut App, c: char) -> Vec<Effect> {
    app.handle(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
    .effects
}

/// `:vm` typed and entered: the effects the app asked for.
fn type_vm(app: &mut App) -> Vec<Effect> {
    let mut effects = key(app, ':');
    for c in "vm".chars() {
        effects.extend(key(app, c));
    }
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    effects.extend(app.handle(Event::Key(enter)).effects);
    effects
}

/// The listings `effects` ask for: (request, endpoint).
fn listings(effects: &[Effect]) -> Vec<(u64, usize)> {
    (effects.iter())
        .filter_map(|e| match e {
            Effect::ListKind { req, endpoint, .. } => Some((*req, *endpoint)),
            _ => None,
        })
        .collect()
}

/// What the runtime does after a sort key: the ticks due while the sort's values are read
/// (a slice each, timed: `slices`), then with the `SortOrder`s: each job run (on a blocking
/// thread there, timed here: `built`) and its order handed back as an event, drawn (`landed`).
fn run_sort_jobs(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    mut effects: Vec<Effect>,
    slices: &mut Vec<Duration>,
    built: &mut Vec<Duration>,
    landed: &mut Vec<Duration>,
) {
    let asked = |e: &[Effect]| e.iter().any(|e| matches!(e, Effect::SortOrder { .. }));
    while app.table.as_ref().is_some_and(|t| t.sorting()) && !asked(&effects) {
        let t = Instant::now();
        effects.extend(app.handle(Event::Tick).effects);
        term.draw(|f| vnav::views::draw(app, f)).unwrap();
        slices.push(t.elapsed());
    }
    for e in effects {
        let Effect::SortOrder { req, job } = e else {
            continue;
        };
        let t = Instant::now();
        let order = job.run();
        built.push(t.elapsed());
        let t = Instant::now();
        app.handle(Event::SortBuilt { req, built: order });
        term.draw(|f| vnav::views::draw(app, f)).unwrap();
        landed.push(t.elapsed());
    }
}

fn api(app: &mut App, req: u64, endpoint: usize, result: ApiAnswer) -> Vec<Effect> {
    app.handle(Event::Api(ApiEvent {
        req,
        endpoint,
        result,
    }))
    .effects
}

/// Two connected endpoints, nothing listed.
fn two_endpoints() -> App {
    endpoints(&["vcd", "vcenter"])
}

/// Connected endpoints (the first a vCD, the others vCenters), nothing listed.
fn endpoints(labels: &[&str]) -> App {
    let mut app = App::new(common::endpoint_specs(labels), Theme::default(), false);
    app.handle(Event::Resize(200, 60));
    for (i, e) in app.start().into_iter().enumerate() {
        let Effect::Connect { req, .. } = e else {
            unreachable!()
        };
        let info = EndpointInfo {
            product: if i == 0 {
                Product::Vcd
            } else {
                Product::Vcenter
            },
            url: format!("https://ep{i}"),
            user: "admin".into(),
            api_version: "1".into(),
            capabilities: Capabilities::ALL,
            instance_uuid: None,
        };
        api(&mut app, req, i, ApiAnswer::Connected(Ok(info)));
    }
    app
}

fn vm(endpoint: usize, i: usize) -> Node {
    Node::new(
        NodeKind::Vm,
        format!("ep{endpoint}/vm-{i}"),
        format!("web-{i}"),
    )
    .with_status(Status::new("POWERED_ON", Severity::Ok))
    .with_facts(VmFacts {
        cpus: Some(1 << (i % 4)).into(),
        memory_mib: Some(1024 << (i % 5)).into(),
        ip: format!("10.{}.{}.{}", endpoint, i / 256 % 256, i % 256).into(),
        place: format!("vapp-{}", i / 10).into(),
        guest_os: "Ubuntu Linux (64-bit)".into(),
        ..VmFacts::default()
    })
}

/// `:vm`, answered with `n` VMs split over both endpoints in pages of 128; returns the time
/// to the first row and to the complete table.
fn open_vm_table(app: &mut App, n: usize) -> (Duration, Duration) {
    let start = Instant::now();
    let effects = type_vm(app);
    let reqs = listings(&effects);
    assert_eq!(reqs.len(), 2);
    let per = n / 2;
    let mut first = None;
    for page in 0..per.div_ceil(128) {
        for &(req, ep) in &reqs {
            let nodes = (page * 128..((page + 1) * 128).min(per))
                .map(|i| vm(ep, i))
                .collect();
            api(
                app,
                req,
                ep,
                ApiAnswer::Children(ChildBatch {
                    nodes,
                    total: Some(per as u64),
                    ..Default::default()
                }),
            );
            // The event loop ticks when the app asks (rows wait for the sort index).
            if app
                .next_deadline()
                .is_some_and(|d| d <= tokio::time::Instant::now())
            {
                app.handle(Event::Tick);
            }
            if first.is_none() && !app.tree.visible().is_empty() {
                first = Some(start.elapsed());
            }
        }
    }
    for &(req, ep) in &reqs {
        api(app, req, ep, ApiAnswer::ChildrenDone(Ok(())));
    }
    // Rows still waiting for the sort index are taken on ticks, as the event loop gives them.
    while app
        .next_deadline()
        .is_some_and(|d| d <= tokio::time::Instant::now())
    {
        app.handle(Event::Tick);
    }
    assert_eq!(app.tree.visible().len(), per * 2);
    (first.unwrap(), start.elapsed())
}

/// `cargo bench --bench table -- arrivals` runs only the arrivals, `-- dots` only the dots,
/// `-- fill` only the fill.
fn bench_table(c: &mut Criterion) {
    let only = |name: &str| std::env::args().any(|a| a == name);
    if only("dots") {
        dots(*sizes().last().unwrap());
        return;
    }
    if only("fill") {
        fill(*sizes().last().unwrap());
        return;
    }
    if !only("arrivals") {
        for &n in sizes() {
            bench_size(c, n);
        }
    }
    arrivals(*sizes().last().unwrap());
    dots(*sizes().last().unwrap());
    fill(*sizes().last().unwrap());
}

/// p99 and worst of some durations.
fn p99_max(mut d: Vec<Duration>) -> (Duration, Duration) {
    if d.is_empty() {
        return Default::default();
    }
    d.sort();
    let p99 = d[(d.len() * 99 / 100).min(d.len() - 1)];
    (p99, *d.last().unwrap())
}

/// `:vm` over `n` VMs on three endpoints, pages of 128 landing round-robin (as three listings
/// in flight at once), a tick after a page whenever the app asks for one at once (as the event
/// loop gives it: rows waiting for the sort index are merged then), a key pressed after every 4
/// pages (cursor down, page down, flip the sort, next column, in turn) and the frame drawn
/// after it.
fn arrivals(n: usize) {
    let mut app = endpoints(&["vcd", "vc-a", "vc-b"]);
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let start = Instant::now();
    let effects = type_vm(&mut app);
    let reqs = listings(&effects);
    assert_eq!(reqs.len(), 3);
    let per = n / 3;
    let keys = [
        KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('~'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('>'), KeyModifiers::NONE),
    ];
    let (mut frames, mut held, mut events) = (Vec::new(), Vec::new(), Vec::new());
    // `>` sorts by a column whose order is not kept (the index keeps three): a first sort.
    let (mut firsts, mut firsts_held) = (Vec::new(), Vec::new());
    let (mut builds, mut lands, mut reads) = (Vec::new(), Vec::new(), Vec::new());
    // Each key's wall clock and this thread's CPU time (what the key itself cost, without the
    // other processes of the shared machine): `>` apart from the others.
    let (mut walls, mut cpus, mut first_walls, mut first_cpus) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut pages = 0;
    for page in 0..per.div_ceil(128) {
        for &(req, ep) in &reqs {
            let nodes = (page * 128..((page + 1) * 128).min(per))
                .map(|i| vm(ep, i))
                .collect();
            let t = Instant::now();
            api(
                &mut app,
                req,
                ep,
                ApiAnswer::Children(ChildBatch {
                    nodes,
                    total: Some(per as u64),
                    ..Default::default()
                }),
            );
            let mut last_event = t.elapsed();
            events.push(last_event);
            // The event loop ticks when the app asks (rows wait for the sort index): the
            // next share of rows is merged then, between pages.
            if app
                .next_deadline()
                .is_some_and(|d| d <= tokio::time::Instant::now())
            {
                let t = Instant::now();
                app.handle(Event::Tick);
                last_event = t.elapsed();
                events.push(last_event);
            }
            pages += 1;
            if pages % 4 == 0 {
                let (t, c) = (Instant::now(), thread_cpu());
                let k = keys[pages / 4 % keys.len()];
                let effects = app.handle(Event::Key(k)).effects;
                term.draw(|f| vnav::views::draw(&app, f)).unwrap();
                let frame = t.elapsed();
                let cpu = thread_cpu() - c;
                let (w, c) = match k.code == KeyCode::Char('>') {
                    true => (&mut first_walls, &mut first_cpus),
                    false => (&mut walls, &mut cpus),
                };
                w.push(frame);
                c.push(cpu);
                if k.code == KeyCode::Char('>') {
                    firsts.push(frame);
                    firsts_held.push(frame + last_event);
                    // Its order, built off the UI, lands before the next pages.
                    let (b, l) = (&mut builds, &mut lands);
                    run_sort_jobs(&mut app, &mut term, effects, &mut reads, b, l);
                } else {
                    frames.push(frame);
                    held.push(frame + last_event);
                }
            }
        }
    }
    for &(req, ep) in &reqs {
        api(&mut app, req, ep, ApiAnswer::ChildrenDone(Ok(())));
    }
    // Rows still waiting for the sort index are taken on ticks.
    while app
        .next_deadline()
        .is_some_and(|d| d <= tokio::time::Instant::now())
    {
        let t = Instant::now();
        app.handle(Event::Tick);
        events.push(t.elapsed());
    }
    let complete = start.elapsed();
    assert_eq!(app.tree.visible().len(), per * 3);
    let (f99, fmax) = p99_max(frames.clone());
    let (h99, hmax) = p99_max(held);
    let (e99, emax) = p99_max(events);
    let (s99, smax) = p99_max(firsts);
    let n_firsts = firsts_held.len();
    let (sh99, shmax) = p99_max(firsts_held);
    let n_builds = builds.len();
    let (b99, bmax) = p99_max(builds);
    let (l99, lmax) = p99_max(lands);
    let n_reads = reads.len();
    let (r99, rmax) = p99_max(reads);
    eprintln!(
        "REPORT arrivals, :vm over {n} VMs from 3 endpoints, {pages} pages of 128 interleaved, \
         {} keys (j, PgDn, ~) pressed while they land: key -> frame p99 {f99:?}, worst \
         {fmax:?}; with the event handled just before the key: p99 {h99:?}, worst {hmax:?}; \
         any page or tick event p99 {e99:?}, worst {emax:?}; table complete after {complete:?}; \
         and {} `>` (a first sort by a column, its order built off the UI): p99 {s99:?}, worst \
         {smax:?}, with the event before: p99 {sh99:?}, worst {shmax:?}; {n_builds} orders \
         built off the UI: p99 {b99:?}, worst {bmax:?}; each landing (event + frame): p99 \
         {l99:?}, worst {lmax:?}; {n_reads} ticks reading their values (tick + frame): p99 \
         {r99:?}, worst {rmax:?}",
        frames.len(),
        n_firsts
    );
    eprintln!(
        "REPORT arrivals keys, wall and CPU: j, PgDn, ~: {} cpu {}; `>`: {} cpu {}",
        common::percentiles(walls),
        common::percentiles(cpus),
        common::percentiles(first_walls),
        common::percentiles(first_cpus)
    );
}

/// `:<line>` typed and entered; its effects.
fn command(app: &mut App, line: &str) -> Vec<Effect> {
    let mut effects = key(app, ':');
    for c in line.chars() {
        effects.extend(key(app, c));
    }
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    effects.extend(app.handle(Event::Key(enter)).effects);
    effects
}

/// Health dots (issue 18): `:vm` over `n` VMs on three vCenters with Aria Operations
/// connected, listed whole; then every VM's dot lands as `Backend::vm_health` streams them, a
/// part of 1,000 at a time, the three reads' parts interleaved, each part followed by what the
/// event loop does after an event: the ticks due, the table laid out (`before_frame`) and a
/// frame drawn. Reports this thread's CPU for all the dots, and per part.
fn dots(n: usize) {
    const PART: usize = 1000;
    let labels = ["vc-a", "vc-b", "vc-c", "ops"];
    let mut app = App::new(common::endpoint_specs(&labels), Theme::default(), false);
    app.lay_out_per_frame();
    app.handle(Event::Resize(200, 60));
    for (i, e) in app.start().into_iter().enumerate() {
        let Effect::Connect { req, .. } = e else {
            unreachable!()
        };
        let (product, capabilities, uuid) = match i {
            3 => (Product::Vrops, Capabilities::MONITOR, None),
            _ => (
                Product::Vcenter,
                Capabilities::ALL,
                Some(format!("{i:08}-0000-0000-0000-00000000000{i}")),
            ),
        };
        let info = EndpointInfo {
            product,
            url: format!("https://ep{i}"),
            user: "admin".into(),
            api_version: "1".into(),
            capabilities,
            instance_uuid: uuid,
        };
        api(&mut app, req, i, ApiAnswer::Connected(Ok(info)));
    }
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let effects = type_vm(&mut app);
    let per = n / 3;
    let mut asks = Vec::new();
    for e in effects {
        let Effect::ListKind { req, endpoint, .. } = e else {
            continue;
        };
        let count = if endpoint < 3 { per } else { 0 };
        for page in 0..count.div_ceil(PART) {
            let nodes = (page * PART..((page + 1) * PART).min(count))
                .map(|i| {
                    Node::new(
                        NodeKind::Vm,
                        format!("vm-{i}"),
                        format!("web-{endpoint}-{i}"),
                    )
                    .with_status(Status::new("POWERED_ON", Severity::Ok))
                })
                .collect();
            let batch = ChildBatch {
                nodes,
                ..Default::default()
            };
            api(&mut app, req, endpoint, ApiAnswer::Children(batch));
        }
        let done = api(&mut app, req, endpoint, ApiAnswer::ChildrenDone(Ok(())));
        asks.extend(done.into_iter().filter_map(|e| match e {
            Effect::VmHealth { req, endpoint, vms } => Some((req, endpoint, vms)),
            _ => None,
        }));
    }
    let frame = |app: &mut App, term: &mut Terminal<TestBackend>| {
        while app
            .next_deadline()
            .is_some_and(|d| d <= tokio::time::Instant::now())
        {
            app.handle(Event::Tick);
        }
        app.before_frame();
        term.draw(|f| vnav::views::draw(app, f)).unwrap();
    };
    frame(&mut app, &mut term);
    assert_eq!(app.tree.visible().len(), per * 3);
    assert_eq!(asks.len(), 3, "one health read per vCenter's listing");
    let parts = per.div_ceil(PART);
    let (mut each, start) = (Vec::new(), thread_cpu());
    let (wall, mut placed) = (Instant::now(), 0);
    for part in 0..parts {
        for (req, endpoint, vms) in &asks {
            let c = thread_cpu();
            let dots: Vec<VmHealth> = (part * PART..((part + 1) * PART).min(vms.len()))
                .map(|at| VmHealth {
                    at: at as u32,
                    key: vms[at].clone(),
                    health: [Health::Green, Health::Yellow, Health::Red][at % 3],
                })
                .collect();
            placed += dots.len();
            api(&mut app, *req, *endpoint, ApiAnswer::VmHealth(dots));
            frame(&mut app, &mut term);
            each.push(thread_cpu() - c);
        }
    }
    let (cpu, wall) = (thread_cpu() - start, wall.elapsed());
    let dotted = (app.tree.visible().iter())
        .filter(|&&r| app.tree.get(r).node.health.is_some())
        .count();
    assert_eq!(dotted, per * 3, "every row dotted");
    eprintln!(
        "REPORT dots, :vm over {n} VMs from 3 vCenters sorted by name, {placed} dots landing in \
         parts of {PART} (each part, the ticks due and a frame): CPU {cpu:.2?} (wall {wall:.2?}); \
         per part CPU {}",
        common::percentiles(each)
    );
    // Then one VM at a time changes state (a change the table takes on: the State column
    // reads it), sorted by name, then by name with the vCPU order kept too: what a small
    // change costs the index and the frame.
    for (label, kept) in [("name", None), ("name, the vCPU order kept", Some("cpu"))] {
        if let Some(col) = kept {
            let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
            for line in [format!("sort {col}"), "sort name".to_string()] {
                let effects = command(&mut app, &line);
                run_sort_jobs(&mut app, &mut term, effects, &mut a, &mut b, &mut c);
                frame(&mut app, &mut term);
            }
        }
        let mut each = Vec::new();
        for i in 0..100 {
            let id = app.tree.visible()[i * 997 % (per * 3)];
            let c = thread_cpu();
            let node = &mut app.tree.get_mut(id).node;
            node.status = match i % 2 {
                0 => Status::new("POWERED_OFF", Severity::Muted),
                _ => Status::new("POWERED_ON", Severity::Ok),
            };
            app.handle(Event::Tick);
            frame(&mut app, &mut term);
            each.push(thread_cpu() - c);
        }
        eprintln!(
            "REPORT dots then one VM's state changing, 100 times, sorted by {label}: CPU per \
             change (event, table laid out, frame) {}",
            common::percentiles(each)
        );
    }
}

/// This thread's CPU time.
fn thread_cpu() -> Duration {
    common::cpu_time(libc::CLOCK_THREAD_CPUTIME_ID)
}

fn bench_size(c: &mut Criterion, n: usize) {
    let mut runs: Vec<(Duration, Duration)> = (0..3)
        .map(|_| open_vm_table(&mut two_endpoints(), n))
        .collect();
    runs.sort();
    let (first, _) = runs[runs.len() / 2];
    let mut all: Vec<Duration> = runs.iter().map(|r| r.1).collect();
    all.sort();
    println!(
        ":vm over {n} VMs on two endpoints: first row {first:?}, complete {:?} (median of 3)",
        all[all.len() / 2]
    );

    let mut app = two_endpoints();
    open_vm_table(&mut app, n);
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let index_bytes = |app: &App| app.table.as_ref().unwrap().index_bytes();
    let bytes = index_bytes(&app);
    // The first sort by each other column: `>` in turn, each asking for that column's order,
    // which is built (off the UI in the app) and lands before the next key.
    let cols = app.table.as_ref().unwrap().columns().len();
    let (mut built, mut landed, mut reads) = (Vec::new(), Vec::new(), Vec::new());
    let mut firsts: Vec<Duration> = (1..cols)
        .map(|_| {
            let t = Instant::now();
            let effects = key(&mut app, '>');
            term.draw(|f| vnav::views::draw(&app, f)).unwrap();
            let key = t.elapsed();
            run_sort_jobs(
                &mut app,
                &mut term,
                effects,
                &mut reads,
                &mut built,
                &mut landed,
            );
            key
        })
        .collect();
    firsts.sort();
    built.sort();
    landed.sort();
    reads.sort();
    let median = |d: &[Duration]| d.get(d.len() / 2).copied().unwrap_or_default();
    let worst = |d: &[Duration]| d.last().copied().unwrap_or_default();
    eprintln!(
        "REPORT table {n} rows: sort index {bytes} B sorted by name ({:.1} B a row), {} B after \
         sorting by each of the {cols} columns; first sort by a column, key -> frame: median \
         {:?}, worst {:?} ({} columns); its order built off the UI ({} builds): median {:?}, \
         worst {:?}; the order landing (event + frame): median {:?}, worst {:?}; {} ticks \
         reading the values (tick + frame): median {:?}, worst {:?}",
        bytes as f64 / n as f64,
        index_bytes(&app),
        median(&firsts),
        worst(&firsts),
        firsts.len(),
        built.len(),
        median(&built),
        worst(&built),
        median(&landed),
        worst(&landed),
        reads.len(),
        median(&reads),
        worst(&reads),
    );
    key(&mut app, '>');
    let mut g = c.benchmark_group(format!("table_{n}"));
    g.sample_size(20);
    g.bench_function("resort_key_to_frame", |b| {
        b.iter(|| {
            key(&mut app, '~');
            term.draw(|f| vnav::views::draw(&app, f)).unwrap();
        })
    });
    g.bench_function("sort_by_next_column_key_to_frame", |b| {
        b.iter(|| {
            key(&mut app, '>');
            term.draw(|f| vnav::views::draw(&app, f)).unwrap();
        })
    });
    g.finish();
}

/// `-- fill`: `:vm` filled over three endpoints as a listing fills it, nothing else: the vCD's
/// pages of 128 in name order, each vCenter's lists one host's VMs (every 150th name) sorted by
/// name, interleaved; a tick whenever the app asks and a frame every 27 pages (a listing's
/// pace at 60 frames a second). The app thread's CPU for the whole fill (the nodes' building,
/// the clients' work, left out), three runs: what taking rows into the table costs while a
/// listing runs (issue 18, target 2).
fn fill(n: usize) {
    let per = n / 3;
    let hosts = per.div_ceil(150);
    let mut cpus = Vec::new();
    for _ in 0..3 {
        let mut app = endpoints(&["vcd", "vc-a", "vc-b"]);
        // As the TUI's loop has it: rows taken in are laid out once a frame.
        app.lay_out_per_frame();
        let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
        let effects = type_vm(&mut app);
        let reqs = listings(&effects);
        let page = |ep: usize, k: usize| -> Vec<Node> {
            match ep {
                0 => (k * 128..((k + 1) * 128).min(per))
                    .map(|i| vm(0, i))
                    .collect(),
                _ => {
                    let mut host: Vec<Node> = (k..per).step_by(hosts).map(|i| vm(ep, i)).collect();
                    host.sort_by(|a, b| vnav::api::columns::natural_cmp(&a.name, &b.name));
                    host
                }
            }
        };
        let batches = per.div_ceil(128).max(hosts);
        // The app's CPU only: the nodes are built (the clients' work) outside it.
        let mut cpu = Duration::ZERO;
        let mut pages = 0;
        for k in 0..batches {
            for &(req, ep) in &reqs {
                let last = if ep == 0 { per.div_ceil(128) } else { hosts };
                if k >= last {
                    continue;
                }
                let nodes = page(ep, k);
                let t = thread_cpu();
                api(
                    &mut app,
                    req,
                    ep,
                    ApiAnswer::Children(ChildBatch {
                        nodes,
                        total: (ep == 0).then_some(per as u64),
                        by_name: ep != 0,
                        ..Default::default()
                    }),
                );
                if app
                    .next_deadline()
                    .is_some_and(|d| d <= tokio::time::Instant::now())
                {
                    app.handle(Event::Tick);
                }
                pages += 1;
                if pages % 27 == 0 {
                    app.before_frame();
                    term.draw(|f| vnav::views::draw(&app, f)).unwrap();
                }
                cpu += thread_cpu() - t;
            }
        }
        let t = thread_cpu();
        for &(req, ep) in &reqs {
            api(&mut app, req, ep, ApiAnswer::ChildrenDone(Ok(())));
        }
        while app
            .next_deadline()
            .is_some_and(|d| d <= tokio::time::Instant::now())
        {
            app.handle(Event::Tick);
        }
        app.before_frame();
        term.draw(|f| vnav::views::draw(&app, f)).unwrap();
        cpus.push(cpu + (thread_cpu() - t));
        assert_eq!(app.tree.visible().len(), per * 3);
    }
    cpus.sort();
    eprintln!(
        "REPORT fill, :vm over {n} VMs from 3 endpoints as a listing lands them: app thread CPU \
         {:.3} s (median of 3; {:.3}–{:.3} s)",
        cpus[1].as_secs_f64(),
        cpus[0].as_secs_f64(),
        cpus[2].as_secs_f64()
    );
}

criterion_group!(benches, bench_table);
criterion_main!(benches);
