//! UI cost with 100,000 VMs loaded: key → frame (App::handle + draw on a 200×60 TestBackend),
//! fuzzy filtering per keystroke (nucleo, as shipped, against fuzzy-matcher), bytes written to a
//! real crossterm backend per cursor move and per full redraw, and tui-tree-widget's cost for
//! the same tree (why vnav draws its own virtualized tree).
//!
//! `cargo bench --bench ui` measures; `cargo test --benches` runs each once on a smaller tree.
//! Latency percentiles and byte counts are printed on stderr as `REPORT …` lines.

mod common;

// Timed with the allocator the binary ships with.
vnav::shipped_allocator!();
use common::full_run;

use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::{CrosstermBackend, TestBackend};
use vnav::api::model::*;
use vnav::app::event::{ApiAnswer, ApiEvent, Effect, Event};
use vnav::app::{App, EndpointSpec};
use vnav::theme::Theme;

fn n_vms() -> usize {
    if full_run() { 100_000 } else { 5_000 }
}

const PREFIX: &[&str] = &[
    "web",
    "db",
    "app",
    "k8s-worker",
    "cache",
    "mq",
    "api",
    "batch",
    "win-ad",
    "jump",
    "etl",
    "proxy",
];
const ENV: &[&str] = &["prod", "stg", "dev", "qa", "dr"];

pub fn vm_name(i: usize) -> String {
    format!(
        "{}-{}-{:05}",
        PREFIX[i % PREFIX.len()],
        ENV[(i / 7) % ENV.len()],
        i
    )
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// An app with one endpoint whose "All VMs" group holds `n` VMs, expanded, cursor on the group.
fn loaded_app(n: usize) -> App {
    let spec = EndpointSpec {
        label: "vcd".into(),
        root: Node::new(NodeKind::Endpoint, "https://vcd", "vcd"),
        insecure: false,
        read_only: false,
    };
    let mut app = App::new(vec![spec], Theme::default(), false);
    app.handle(Event::Resize(200, 60));
    let effects = app.start();
    let req = match effects[0] {
        Effect::Connect { req, .. } => req,
        _ => unreachable!(),
    };
    let info = EndpointInfo {
        product: Product::Vcd,
        url: "https://vcd".into(),
        user: "admin@System".into(),
        api_version: "38.0".into(),
        capabilities: vnav::api::model::Capabilities::ALL,
        instance_uuid: None,
    };
    let out = app.handle(Event::Api(ApiEvent {
        req,
        endpoint: 0,
        result: ApiAnswer::Connected(Ok(info)),
    }));
    let req = children_req(&out.effects);
    let group = Node::new(NodeKind::Group, "query:vm", "All VMs").expandable(true);
    give(&mut app, req, vec![group]);
    app.handle(key(KeyCode::Down));
    let req = children_req(&app.handle(key(KeyCode::Enter)).effects);
    let status = [
        Status::new("POWERED_ON", Severity::Ok),
        Status::new("POWERED_OFF", Severity::Muted),
    ];
    // Delivered in pages of 128, like the query service.
    let nodes: Vec<Node> = (0..n)
        .map(|i| {
            Node::new(
                NodeKind::Vm,
                format!("https://vcd/api/vApp/vm-{i:08x}-0000-4000-8000-000000000000"),
                vm_name(i),
            )
            .with_status(status[i % 7 / 6])
            .with_summary(format!("{} vCPU · {} GiB", 1 << (i % 4), 2 << (i % 5)))
        })
        .collect();
    for chunk in nodes.chunks(128) {
        app.handle(Event::Api(ApiEvent {
            req,
            endpoint: 0,
            result: ApiAnswer::Children(ChildBatch {
                nodes: chunk.to_vec(),
                total: Some(n as u64),
                progress: None,
                by_name: false,
            }),
        }));
    }
    app.handle(Event::Api(ApiEvent {
        req,
        endpoint: 0,
        result: ApiAnswer::ChildrenDone(Ok(())),
    }));
    app
}

/// The nodes of `vms` as a server would list them again, `off` now powered off.
fn listed_with_one_off(
    app: &App,
    vms: impl Iterator<Item = vnav::app::tree::EntryId>,
    off: vnav::app::tree::EntryId,
) -> Vec<Node> {
    vms.map(|c| {
        let node = app.tree.get(c).node.clone();
        match c == off {
            true => node.with_status(Status::new("POWERED_OFF", Severity::Muted)),
            false => node,
        }
    })
    .collect()
}

fn children_req(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Children { req, .. } => Some(*req),
            _ => None,
        })
        .expect("children effect")
}

fn give(app: &mut App, req: u64, nodes: Vec<Node>) {
    app.handle(Event::Api(ApiEvent {
        req,
        endpoint: 0,
        result: ApiAnswer::Children(ChildBatch {
            nodes,
            ..Default::default()
        }),
    }));
    app.handle(Event::Api(ApiEvent {
        req,
        endpoint: 0,
        result: ApiAnswer::ChildrenDone(Ok(())),
    }));
}

fn frame(app: &mut App, term: &mut Terminal<TestBackend>, ev: Event) {
    app.handle(ev);
    term.draw(|f| vnav::views::draw(app, f)).unwrap();
}

/// CPU time this thread has used: a key's own cost, without the time the scheduler gave the
/// core to other processes (the project machine is shared; wall-clock p99s there are mostly
/// other builds).
fn thread_cpu() -> Duration {
    common::cpu_time(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// Wall-clock and CPU time of each key → frame.
#[derive(Default)]
struct Times {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Times {
    fn frame(&mut self, app: &mut App, term: &mut Terminal<TestBackend>, ev: Event) {
        let (t, c) = (Instant::now(), thread_cpu());
        frame(app, term, ev);
        self.cpu.push(thread_cpu() - c);
        self.wall.push(t.elapsed());
    }

    fn report(self, name: &str, n: usize) {
        if self.wall.is_empty() {
            eprintln!("REPORT key_to_frame {name} nodes={n}: none");
            return;
        }
        eprintln!(
            "REPORT key_to_frame {name} nodes={n} {} cpu {}",
            common::percentiles(self.wall),
            common::percentiles(self.cpu)
        );
    }
}

/// Key → frame latency distributions, printed once (criterion reports means).
fn latency_report(n: usize) {
    let mut app = loaded_app(n);
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let rounds = if full_run() { 500 } else { 20 };
    let mut measure = |name: &str, app: &mut App, events: &mut dyn FnMut(usize) -> Event| {
        let mut times = Times::default();
        for i in 0..rounds {
            times.frame(app, &mut term, events(i));
        }
        times.report(name, n);
    };
    measure("cursor_down", &mut app, &mut |i| {
        key(if i % 100 < 50 {
            KeyCode::Down
        } else {
            KeyCode::Up
        })
    });
    measure("page_down", &mut app, &mut |i| {
        key(if i % 20 < 10 {
            KeyCode::PageDown
        } else {
            KeyCode::PageUp
        })
    });
    // Home is the snapshot view; the endpoint, then its loaded group of n VMs follow.
    app.handle(key(KeyCode::Home));
    app.handle(key(KeyCode::Down));
    app.handle(key(KeyCode::Down));
    // Collapse / expand the loaded group of n VMs.
    measure("expand_collapse", &mut app, &mut |_| key(KeyCode::Enter));
    // Type a query and clear it, over and over: each keystroke refilters all names.
    let query: Vec<char> = "/web-prod-1".chars().collect();
    let mut times = Times::default();
    let mut clear = Times::default();
    let mut by_key = vec![Duration::ZERO; query.len()];
    // Every CPU time of each keystroke, for its median.
    let mut each_key = vec![Vec::new(); query.len()];
    let mut slices = Times::default();
    for _ in 0..(rounds / 10).max(2) {
        for (i, &c) in query.iter().enumerate() {
            times.frame(&mut app, &mut term, key(KeyCode::Char(c)));
            by_key[i] = by_key[i].max(*times.cpu.last().unwrap());
            each_key[i].push(*times.cpu.last().unwrap());
            // `/` opens the filter: its index (not built yet the first time) is built on the
            // ticks the runtime gives while the user moves to the next key.
            if c == '/' {
                ticks_while_index_due(&mut app, &mut term, &mut slices);
            }
        }
        // Esc clears the filter: the whole tree is shown again.
        clear.frame(&mut app, &mut term, key(KeyCode::Esc));
    }
    times.report("filter_typing", n);
    clear.report("filter_clear", n);
    let by_key: Vec<String> = query
        .iter()
        .zip(by_key)
        .map(|(c, d)| format!("{c}:{d:.2?}"))
        .collect();
    eprintln!(
        "REPORT filter_typing_worst_cpu_by_keystroke nodes={n} {}",
        by_key.join(" ")
    );
    let medians: Vec<String> = query
        .iter()
        .zip(each_key)
        .map(|(c, mut d)| {
            d.sort();
            format!("{c}:{:.2?}", d[d.len() / 2])
        })
        .collect();
    eprintln!(
        "REPORT filter_typing_median_cpu_by_keystroke nodes={n} {}",
        medians.join(" ")
    );
    slices.report("filter_index_slice_on_tick", n);
    second_letters(&mut app, &mut term, n);
    first_key_after_change(&mut app, &mut term, n);
    streamed_refresh(&mut app, &mut term, n);
    refresh_shapes(&mut app, &mut term, n);
}

/// F5 on the group of all VMs: the listing comes again in pages of 128, as the query service
/// sends them, each page an event (with its frame), then its end. Rounds: the same order with
/// one VM gone and one powered off; two VMs swapped; one moved from near the start to near the
/// end. Reported: every event's CPU (the worst is what a key pressed meanwhile waits), the end
/// alone, and the whole listing's.
fn streamed_refresh(app: &mut App, term: &mut Terminal<TestBackend>, n: usize) {
    let group = (app.tree.iter_all())
        .find(|&id| app.tree.get(id).node.name == "All VMs")
        .expect("the group of VMs");
    let (mut pages, mut ends, mut whole) = (Times::default(), Times::default(), Vec::new());
    for round in 0..6 {
        let mut vms = app.tree.get(group).children.to_vec();
        let last = vms.len() - 1;
        match round % 3 {
            0 => {
                vms.remove((round * 104_729) % vms.len());
            }
            1 => vms.swap(round, last - round),
            _ => {
                let vm = vms.remove(round * 7);
                vms.insert(last - round * 11, vm);
            }
        }
        let off = vms[(round * 7919 + 13) % vms.len()];
        let nodes = listed_with_one_off(app, vms.iter().copied(), off);
        app.cursor.selected = None;
        app.select_entry(group);
        let req = children_req(&app.handle(key(KeyCode::F(5))).effects);
        let c = thread_cpu();
        for chunk in nodes.chunks(128) {
            let batch = ChildBatch {
                nodes: chunk.to_vec(),
                total: Some(nodes.len() as u64),
                progress: None,
                by_name: false,
            };
            let result = ApiAnswer::Children(batch);
            let ev = Event::Api(ApiEvent {
                req,
                endpoint: 0,
                result,
            });
            pages.frame(app, term, ev);
        }
        let result = ApiAnswer::ChildrenDone(Ok(()));
        let ev = Event::Api(ApiEvent {
            req,
            endpoint: 0,
            result,
        });
        ends.frame(app, term, ev);
        whole.push(thread_cpu() - c);
        assert_eq!(app.tree.get(group).children.len(), nodes.len());
    }
    pages.report("refresh_streamed_page", n);
    ends.report("refresh_streamed_end", n);
    eprintln!(
        "REPORT tree_refresh_streamed_whole_cpu nodes={n} {}",
        common::percentiles(whole)
    );
}

/// A refresh's listing as the bench gives it: its nodes, how many of them arrive, and how it
/// ends (`None`: abandoned, the group collapsed as its listing runs).
struct Shape {
    name: &'static str,
    nodes: Vec<Node>,
    upto: usize,
    end: Option<Result<(), vnav::api::ApiError>>,
}

/// F5 on the group of all VMs, whatever the listing's shape against the `n` children it has:
/// much shorter (1,000 of them; none at all), much longer (`n` more), the same VMs reversed or
/// shuffled, every VM changed, a listing failing or abandoned midway (of the same VMs, and of
/// a longer listing, whose new entries then go). Pages of 128 as the query service sends them,
/// each page an event with its frame, and the ticks the runtime gives while work is due after
/// each event (each timed as an event). Reported per shape: the worst page, the listing's end
/// (the event), and the worst event from the end on (the end and the ticks after it), 3 rounds
/// each; the group is listed whole again between rounds (not timed).
fn refresh_shapes(app: &mut App, term: &mut Terminal<TestBackend>, n: usize) {
    let group = (app.tree.iter_all())
        .find(|&id| app.tree.get(id).node.name == "All VMs")
        .expect("the group of VMs");
    let base: Vec<Node> = (app.tree.get(group).children.iter())
        .map(|&c| app.tree.get(c).node.clone())
        .collect();
    let more = |from: usize| {
        (0..n).map(move |i| {
            let id = format!("https://vcd/api/vApp/vm-{i:08x}-0000-4000-8000-00000000{from:04x}");
            Node::new(NodeKind::Vm, id, vm_name(i))
        })
    };
    let failed = || {
        Some(Err(vnav::api::ApiError::Server {
            status: 503,
            code: None,
            message: "unavailable".into(),
        }))
    };
    let mut shuffled = base.clone();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in (1..shuffled.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        shuffled.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    let longer: Vec<Node> = base.iter().cloned().chain(more(1)).collect();
    let shapes = [
        Shape {
            name: "same",
            nodes: base.clone(),
            upto: n,
            end: Some(Ok(())),
        },
        Shape {
            name: "shorter_1000",
            nodes: base.iter().step_by((n / 1000).max(1)).cloned().collect(),
            upto: usize::MAX,
            end: Some(Ok(())),
        },
        Shape {
            name: "empty",
            nodes: Vec::new(),
            upto: 0,
            end: Some(Ok(())),
        },
        Shape {
            name: "longer_double",
            nodes: longer.clone(),
            upto: usize::MAX,
            end: Some(Ok(())),
        },
        Shape {
            name: "reversed",
            nodes: base.iter().rev().cloned().collect(),
            upto: usize::MAX,
            end: Some(Ok(())),
        },
        Shape {
            name: "shuffled",
            nodes: shuffled,
            upto: usize::MAX,
            end: Some(Ok(())),
        },
        Shape {
            name: "every_changed",
            nodes: (base.iter())
                .map(|v| (v.clone()).with_status(Status::new("SUSPENDED", Severity::Warn)))
                .collect(),
            upto: usize::MAX,
            end: Some(Ok(())),
        },
        Shape {
            name: "failed_midway",
            nodes: base.clone(),
            upto: n / 2,
            end: failed(),
        },
        Shape {
            name: "failed_midway_longer",
            nodes: longer.clone(),
            upto: n + n / 2,
            end: failed(),
        },
        Shape {
            name: "abandoned_midway_longer",
            nodes: longer,
            upto: n + n / 2,
            end: None,
        },
    ];
    let full = Shape {
        name: "restore",
        nodes: base.clone(),
        upto: usize::MAX,
        end: Some(Ok(())),
    };
    let mut untimed = (Times::default(), Times::default(), Times::default());
    for shape in &shapes {
        let (mut pages, mut ends, mut after) =
            (Times::default(), Times::default(), Times::default());
        for _ in 0..3 {
            list_shape(app, term, group, shape, (&mut pages, &mut ends, &mut after));
            let children = &app.tree.get(group).children;
            let same = children.len() == n
                && (children.iter().zip(&base)).all(|(&c, b)| app.tree.get(c).node == *b);
            if !same {
                let (p, e, a) = &mut untimed;
                list_shape(app, term, group, &full, (p, e, a));
            }
        }
        let worst = |t: &Times| t.cpu.iter().max().copied().unwrap_or_default();
        eprintln!(
            "REPORT refresh_shape {} nodes={n} page_cpu_max {:.2?} end_cpu {} from_end_on_cpu_max {:.2?} (events={})",
            shape.name,
            worst(&pages),
            common::percentiles(ends.cpu.clone()),
            worst(&after).max(worst(&ends)),
            after.cpu.len() + ends.cpu.len(),
        );
    }
}

/// One refresh of the group as `shape` says, each event timed into `times` (pages, the end,
/// what follows the end).
fn list_shape(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    group: vnav::app::tree::EntryId,
    shape: &Shape,
    times: (&mut Times, &mut Times, &mut Times),
) {
    let (pages, ends, after) = times;
    app.cursor.selected = None;
    app.select_entry(group);
    if !app.tree.get(group).expanded {
        app.handle(key(KeyCode::Right));
    }
    let req = children_req(&app.handle(key(KeyCode::F(5))).effects);
    let upto = shape.upto.min(shape.nodes.len());
    let total = Some(shape.nodes.len() as u64);
    for chunk in shape.nodes[..upto].chunks(128) {
        let batch = ChildBatch {
            nodes: chunk.to_vec(),
            total,
            progress: None,
            by_name: false,
        };
        let result = ApiAnswer::Children(batch);
        pages.frame(
            app,
            term,
            Event::Api(ApiEvent {
                req,
                endpoint: 0,
                result,
            }),
        );
        ticks_while_due(app, term, pages);
    }
    match &shape.end {
        Some(end) => {
            let result = ApiAnswer::ChildrenDone(end.clone());
            ends.frame(
                app,
                term,
                Event::Api(ApiEvent {
                    req,
                    endpoint: 0,
                    result,
                }),
            );
        }
        // Collapsed while listing: the listing is abandoned.
        None => ends.frame(app, term, key(KeyCode::Left)),
    }
    ticks_while_due(app, term, after);
}

/// The ticks the runtime runs back to back while the app has work due now (`slice_now`).
fn ticks_while_due(app: &mut App, term: &mut Terminal<TestBackend>, times: &mut Times) {
    for _ in 0..100_000 {
        match app.next_deadline() {
            Some(d) if d <= tokio::time::Instant::now() => times.frame(app, term, Event::Tick),
            _ => return,
        }
    }
}

/// The second letter of other queries than "web-prod-1" (names by subsequence, columns and
/// ids by substring, states), each typed 10 times from an empty filter: its median and worst
/// CPU time.
fn second_letters(app: &mut App, term: &mut Terminal<TestBackend>, n: usize) {
    let mut out = Vec::new();
    for pair in ["db", "pr", "k8", "qa", "on", "00", "-p", "ap", "ro", "x1"] {
        let mut times = Times::default();
        let [a, b]: [char; 2] = pair.chars().collect::<Vec<_>>().try_into().unwrap();
        for _ in 0..10 {
            frame(app, term, key(KeyCode::Char('/')));
            frame(app, term, key(KeyCode::Char(a)));
            times.frame(app, term, key(KeyCode::Char(b)));
            frame(app, term, key(KeyCode::Esc));
        }
        times.cpu.sort();
        let (mid, max) = (
            times.cpu[times.cpu.len() / 2],
            times.cpu[times.cpu.len() - 1],
        );
        out.push(format!("{pair}:{mid:.2?}/{max:.2?}"));
    }
    eprintln!(
        "REPORT filter_second_letter_cpu_median/max nodes={n} {}",
        out.join(" ")
    );
}

/// Ticks as the runtime gives them while the filter's index is being built (a slice each),
/// each timed like a key.
fn ticks_while_index_due(app: &mut App, term: &mut Terminal<TestBackend>, slices: &mut Times) {
    for _ in 0..10_000 {
        match app.filter.engine.index_deadline(&app.tree) {
            None => return,
            Some(d) => std::thread::sleep(d.saturating_duration_since(tokio::time::Instant::now())),
        }
        slices.frame(app, term, Event::Tick);
    }
}

/// The first filter keystroke after the tree changed (a page of 128 VMs more): typed once the
/// tree has been quiet and the ticks have built the index again (as in the app), and typed
/// right after the change (the keystroke takes on what the ticks had no time to); then right
/// after changes that are not appends (a state set, a rename, a refresh that drops a VM).
fn first_key_after_change(app: &mut App, term: &mut Terminal<TestBackend>, n: usize) {
    let group = (app.tree.iter_all())
        .find(|&id| app.tree.get(id).node.name == "All VMs")
        .expect("the group of VMs");
    let mut page = 0;
    let mut change = |app: &mut App| {
        page += 1;
        let nodes = (0..128)
            .map(|i| {
                let id = format!("https://vcd/api/vApp/vm-late-{page}-{i}");
                Node::new(NodeKind::Vm, id, vm_name(i))
            })
            .collect();
        app.tree.append_children(group, nodes);
        app.handle(Event::Tick);
    };
    let (mut quiet, mut at_once, mut slices) =
        (Times::default(), Times::default(), Times::default());
    // The control: the same pause with no change (the index as it was), so what the pause
    // alone costs a keystroke shows (other processes run meanwhile and take the caches).
    let mut idle = Times::default();
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(250));
        frame(app, term, key(KeyCode::Char('/')));
        idle.frame(app, term, key(KeyCode::Char('w')));
        frame(app, term, key(KeyCode::Esc));
    }
    for _ in 0..5 {
        change(app);
        ticks_while_index_due(app, term, &mut slices);
        frame(app, term, key(KeyCode::Char('/')));
        quiet.frame(app, term, key(KeyCode::Char('w')));
        frame(app, term, key(KeyCode::Esc));
        change(app);
        frame(app, term, key(KeyCode::Char('/')));
        at_once.frame(app, term, key(KeyCode::Char('w')));
        frame(app, term, key(KeyCode::Esc));
    }
    // Changes that are not appends, as a finished power task or a refresh makes them: a VM's
    // state set, a VM renamed, the group listed again with one VM gone and one powered off.
    let mut edited = Times::default();
    // What the refresh itself costs (CPU), with the children in the same order and in another.
    let (mut refreshed, mut refreshed_reordered) = (Vec::new(), Vec::new());
    for round in 0..12 {
        let vms = &app.tree.get(group).children;
        let vm = vms[(round * 7919 + 13) % vms.len()];
        match round % 3 {
            0 => {
                let state = ["SUSPENDED", "POWERED_OFF"][round % 2];
                app.tree.get_mut(vm).node.status = Status::new(state, Severity::Warn);
            }
            1 => app.tree.get_mut(vm).node.name = format!("renamed-{round}").into(),
            _ => {
                let gone = vms[(round * 104_729) % vms.len()];
                let kept = vms.iter().copied().filter(|&c| c != gone);
                let nodes = listed_with_one_off(app, kept, vm);
                let c = thread_cpu();
                app.tree.merge_children(group, nodes);
                refreshed.push(thread_cpu() - c);
            }
        }
        app.handle(Event::Tick);
        frame(app, term, key(KeyCode::Char('/')));
        edited.frame(app, term, key(KeyCode::Char('w')));
        frame(app, term, key(KeyCode::Esc));
    }
    // A refresh whose listing orders the group's VMs otherwise: two swapped, or one moved from
    // near the start to near the end (a VM renamed under a listing in name order). The VMs
    // that moved are taken on as changes (the others keep their places), not built again.
    let mut reordered = Times::default();
    for round in 0..6 {
        let mut vms = app.tree.get(group).children.to_vec();
        let last = vms.len() - 1;
        match round % 2 {
            0 => vms.swap(round, last - round),
            _ => {
                let vm = vms.remove(round * 7);
                vms.insert(last - round * 11, vm);
            }
        }
        let nodes = vms.iter().map(|&c| app.tree.get(c).node.clone()).collect();
        let c = thread_cpu();
        app.tree.merge_children(group, nodes);
        refreshed_reordered.push(thread_cpu() - c);
        app.handle(Event::Tick);
        frame(app, term, key(KeyCode::Char('/')));
        reordered.frame(app, term, key(KeyCode::Char('w')));
        frame(app, term, key(KeyCode::Esc));
    }
    idle.report("filter_first_key_after_a_pause_no_change", n);
    quiet.report("filter_first_key_after_change_quiet", n);
    slices.report("filter_index_slice_after_change", n);
    at_once.report("filter_first_key_right_after_change", n);
    edited.report("filter_first_key_right_after_a_change_not_an_append", n);
    reordered.report("filter_first_key_right_after_a_reorder", n);
    eprintln!(
        "REPORT tree_refresh_cpu nodes={n} same_order {} reordered {}",
        common::percentiles(refreshed),
        common::percentiles(refreshed_reordered)
    );
}

fn bench_keys(c: &mut Criterion) {
    // `VNAV_KEYS=300000 cargo bench --bench ui` reports the keys at that size and stops (for a
    // profile of them alone).
    if let Some(n) = std::env::var("VNAV_KEYS").ok().and_then(|v| v.parse().ok()) {
        latency_report(n);
        std::process::exit(0);
    }
    // `VNAV_REFRESH_SHAPES=300000 cargo bench --bench ui`: the refresh shapes alone.
    if let Some(n) = (std::env::var("VNAV_REFRESH_SHAPES").ok()).and_then(|v| v.parse().ok()) {
        let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
        refresh_shapes(&mut loaded_app(n), &mut term, n);
        std::process::exit(0);
    }
    let n = n_vms();
    latency_report(n);
    // The whole estate of issue 18 (a vCD and two vCenters of 100,000 VMs each) in one tree.
    if full_run() {
        latency_report(3 * n);
    }
    let mut app = loaded_app(n);
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut g = c.benchmark_group(format!("key_to_frame_{n}"));
    let mut down = true;
    g.bench_function("cursor_move", |b| {
        b.iter(|| {
            down = !down;
            frame(
                &mut app,
                &mut term,
                key(if down { KeyCode::Down } else { KeyCode::Up }),
            )
        })
    });
    g.bench_function("page_down_up", |b| {
        b.iter(|| {
            down = !down;
            frame(
                &mut app,
                &mut term,
                key(if down {
                    KeyCode::PageDown
                } else {
                    KeyCode::PageUp
                }),
            )
        })
    });
    app.handle(key(KeyCode::Home));
    app.handle(key(KeyCode::Down));
    app.handle(key(KeyCode::Down));
    g.bench_function("expand_collapse", |b| {
        b.iter(|| frame(&mut app, &mut term, key(KeyCode::Enter)))
    });
    g.bench_function("filter_keystroke_w_then_e", |b| {
        b.iter(|| {
            frame(&mut app, &mut term, key(KeyCode::Char('/')));
            frame(&mut app, &mut term, key(KeyCode::Char('w')));
            frame(&mut app, &mut term, key(KeyCode::Char('e')));
            frame(&mut app, &mut term, key(KeyCode::Esc));
        })
    });
    g.finish();
}

/// nucleo (what vnav uses, incremental) against fuzzy-matcher's skim over the same names.
fn bench_fuzzy(c: &mut Criterion) {
    use fuzzy_matcher::FuzzyMatcher;
    use fuzzy_matcher::skim::SkimMatcherV2;
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher, Utf32Str};

    let n = n_vms();
    let names: Vec<String> = (0..n).map(vm_name).collect();
    let mut g = c.benchmark_group(format!("fuzzy_{n}_names"));
    g.bench_function("nucleo_full_scan", |b| {
        let mut m = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let p = Pattern::parse("webprod1", CaseMatching::Smart, Normalization::Smart);
        b.iter(|| {
            names
                .iter()
                .filter(|s| p.score(Utf32Str::new(s, &mut buf), &mut m).is_some())
                .count()
        })
    });
    g.bench_function("fuzzy_matcher_skim_full_scan", |b| {
        let m = SkimMatcherV2::default();
        b.iter(|| {
            names
                .iter()
                .filter(|s| m.fuzzy_match(s, "webprod1").is_some())
                .count()
        })
    });
    // What a keystroke costs in the app: vnav's Filter narrows from the previous matches.
    let app = loaded_app(n);
    g.bench_function("vnav_filter_keystroke_incremental", |b| {
        let mut f = vnav::app::filter::Filter::default();
        b.iter(|| {
            f.reset();
            f.apply(&app.tree, "w");
            f.apply(&app.tree, "we");
            f.apply(&app.tree, "web").len()
        })
    });
    g.finish();
}

/// Counts what a real crossterm backend writes.
struct Counting(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .fetch_add(buf.len(), std::sync::atomic::Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn bytes_report() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = n_vms();
    let mut app = loaded_app(n);
    let count = Arc::new(AtomicUsize::new(0));
    let backend = CrosstermBackend::new(Counting(count.clone()));
    let mut term = Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 200, 60)),
        },
    )
    .unwrap();
    term.draw(|f| vnav::views::draw(&app, f)).unwrap();
    let full = count.swap(0, Ordering::Relaxed);
    let mut moves = Vec::new();
    for i in 0..40 {
        app.handle(key(if i < 20 { KeyCode::Down } else { KeyCode::Up }));
        term.draw(|f| vnav::views::draw(&app, f)).unwrap();
        moves.push(count.swap(0, Ordering::Relaxed));
    }
    app.handle(key(KeyCode::PageDown));
    term.draw(|f| vnav::views::draw(&app, f)).unwrap();
    let page = count.swap(0, Ordering::Relaxed);
    moves.sort();
    eprintln!(
        "REPORT bytes_written 200x60 full_redraw={full} cursor_move_median={} cursor_move_max={} page_down={page}",
        moves[moves.len() / 2],
        moves[moves.len() - 1]
    );
}

/// tui-tree-widget needs the whole tree as items every frame; this is its cost at this size.
fn bench_tree_widget(c: &mut Criterion) {
    use tui_tree_widget::{Tree, TreeItem, TreeState};
    let n = n_vms();
    bytes_report();
    let names: Vec<String> = (0..n).map(vm_name).collect();
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut g = c.benchmark_group(format!("tree_widget_{n}"));
    g.sample_size(10);
    g.bench_function("tui_tree_widget_build_and_draw", |b| {
        let mut state = TreeState::default();
        state.open(vec![0usize]);
        b.iter(|| {
            let leaves: Vec<TreeItem<usize>> = names
                .iter()
                .enumerate()
                .map(|(i, s)| TreeItem::new_leaf(i + 1, s.clone()))
                .collect();
            let items = vec![TreeItem::new(0usize, "All VMs", leaves).unwrap()];
            term.draw(|f| {
                f.render_stateful_widget(Tree::new(&items).unwrap(), f.area(), &mut state)
            })
            .unwrap();
        })
    });
    g.finish();
}

/// The snapshot view filling in over two endpoints with n/5 VMs with snapshots each (the
/// simulator's share): the UI cost of their rows arriving, then of each chunk of 64 sizes,
/// then of the complete answer, each handled and drawn at 200×60.
fn sprawl_report() {
    use vnav::api::SprawlUpdate;
    let n = n_vms() / 5;
    let specs = common::endpoint_specs(&["vcd", "vcenter"]);
    let mut app = App::new(specs, Theme::default(), false);
    app.handle(Event::Resize(200, 60));
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    for e in app.start() {
        if let Effect::Connect { req, endpoint } = e {
            let info = EndpointInfo {
                product: Product::Vcd,
                url: "https://x".into(),
                user: "u".into(),
                api_version: "38.0".into(),
                capabilities: vnav::api::model::Capabilities::ALL,
                instance_uuid: None,
            };
            app.handle(Event::Api(ApiEvent {
                req,
                endpoint,
                result: ApiAnswer::Connected(Ok(info)),
            }));
        }
    }
    app.handle(key(KeyCode::Home));
    let asks: Vec<(u64, usize)> = app
        .handle(key(KeyCode::Enter))
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Sprawl { req, endpoint, .. } => Some((*req, *endpoint)),
            _ => None,
        })
        .collect();
    assert_eq!(asks.len(), 2);
    let day = time::Duration::days(1);
    // Oldest first, as a backend sends them.
    let rows = |ep: usize| -> Vec<SprawlRow> {
        let mut rows: Vec<SprawlRow> = (0..n)
            .map(|i| SprawlRow {
                vm: Node::new(NodeKind::Vm, format!("vm-{ep}-{i}"), vm_name(i)),
                count: 1,
                oldest: Some(time::OffsetDateTime::UNIX_EPOCH + day * (i as i32 % 3000)),
                bytes: None,
                place: "vApp shop".into(),
            })
            .collect();
        sort_oldest_first(&mut rows, |r| r);
        rows
    };
    let mut timed = |app: &mut App, result: ApiAnswer, req: u64, endpoint: usize| {
        let t = Instant::now();
        frame(
            app,
            &mut term,
            Event::Api(ApiEvent {
                req,
                endpoint,
                result,
            }),
        );
        t.elapsed()
    };
    let mut listed = Vec::new();
    let mut sizes = Vec::new();
    let mut done = Vec::new();
    for &(req, ep) in &asks {
        let mut all = rows(ep);
        listed.push(timed(
            &mut app,
            ApiAnswer::SprawlUpdate(SprawlUpdate::Rows(all.clone())),
            req,
            ep,
        ));
        for chunk in all.chunks(64) {
            let update = chunk
                .iter()
                .map(|r| (r.vm.id.as_str().into(), 1u64 << 30))
                .collect();
            sizes.push(timed(
                &mut app,
                ApiAnswer::SprawlUpdate(SprawlUpdate::Sizes(update)),
                req,
                ep,
            ));
        }
        all.iter_mut().for_each(|r| r.bytes = Some(1 << 30));
        done.push(timed(&mut app, ApiAnswer::Sprawl(Ok(all)), req, ep));
    }
    assert_eq!(app.tree.get(app.tree.roots()[0]).children.len(), 2 * n);
    eprintln!(
        "REPORT snapshot_view rows={} rows_arrive {} sizes_64 {} complete {}",
        2 * n,
        common::percentiles(listed),
        common::percentiles(sizes),
        common::percentiles(done)
    );
}

fn bench_sprawl(_: &mut Criterion) {
    sprawl_report();
}

criterion_group!(
    benches,
    bench_keys,
    bench_fuzzy,
    bench_tree_widget,
    bench_sprawl
);
criterion_main!(benches);
