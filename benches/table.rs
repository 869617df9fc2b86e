//! Issue 17/18's numbers: `:vm` over 100,000 and 300,000 VMs on two endpoints (App time to the
//! first row and to the complete, sorted table, pages of 128 arriving alternately from both),
//! and a re-sort from key to finished frame: `~` flips the direction, `>` sorts by the next
//! column (both read the table's sort index; neither sorts).
//! `cargo bench --bench table` for the full sizes; `cargo test --all-targets` runs it small.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vnav::api::model::*;
use vnav::app::event::{ApiAnswer, ApiEvent, Effect, Event};
use vnav::app::{App, EndpointSpec};
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
    let specs = ["vcd", "vcenter"]
        .iter()
        .map(|l| EndpointSpec {
            label: l.to_string(),
            root: Node::new(NodeKind::Endpoint, format!("https://{l}"), *l),
            insecure: false,
            read_only: false,
        })
        .collect();
    let mut app = App::new(specs, Theme::default(), false);
    app.handle(Event::Resize(200, 60));
    for (i, e) in app.start().into_iter().enumerate() {
        let Effect::Connect { req, .. } = e else {
            unreachable!()
        };
        let info = EndpointInfo {
            product: [Product::Vcd, Product::Vcenter][i],
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
        cpus: Some(1 << (i % 4)),
        memory_mib: Some(1024 << (i % 5)),
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
    let mut effects = key(app, ':');
    for c in "vm".chars() {
        effects.extend(key(app, c));
    }
    effects.extend(
        app.handle(Event::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )))
        .effects,
    );
    let reqs: Vec<(u64, usize)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::ListKind { req, endpoint, .. } => Some((*req, *endpoint)),
            _ => None,
        })
        .collect();
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
            if first.is_none() && !app.tree.visible().is_empty() {
                first = Some(start.elapsed());
            }
        }
    }
    for &(req, ep) in &reqs {
        api(app, req, ep, ApiAnswer::ChildrenDone(Ok(())));
    }
    assert_eq!(app.tree.visible().len(), per * 2);
    (first.unwrap(), start.elapsed())
}

fn bench_table(c: &mut Criterion) {
    for &n in sizes() {
        bench_size(c, n);
    }
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

criterion_group!(benches, bench_table);
criterion_main!(benches);
