//! `:vm` over the multi-endpoint estate in the TUI's own event loop (`runtime::headless`): the
//! frames a user sees, paced as `vnav` paces them, not the `Driver`'s frameless ticks. How long
//! until every row listed is in the table on screen, and how long after the last listing ended:
//! the fill's tail (issue 18: a 300,000-row table took 2–6 s after its rows had arrived). And
//! meanwhile, key → frame: `?` and Esc in turn, each sent at a point of a frame, timed until the
//! end of the first frame drawn with help open (or closed) — target 4, as the user sees it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::UnboundedSender;
use vnav::app::event::Event;
use vnav::app::tree::Load;
use vnav::app::{App, Overlay};
use vnav::runtime::headless::{self, Headless};

use super::{SimChild, multi_backends, multi_specs, own_cpu, table_roots};

/// What the frames showed, as times from `:vm`.
#[derive(Default)]
struct Seen {
    typed: Option<Instant>,
    roots: Vec<u32>,
    listed: Option<Duration>,
    shown: Option<Duration>,
    /// Frames drawn since `:vm`.
    frames: u64,
    /// The key in flight: when it was sent (once it is), and whether it opens help.
    probe: Option<(Arc<Mutex<Option<Instant>>>, bool)>,
    /// Key → frame of each key sent while the table filled.
    waits: Vec<Duration>,
}

impl Seen {
    /// Times the key in flight if this frame shows it handled, else (none in flight) sends the
    /// next one, a few ms later: keys come at any point of a frame.
    fn probe_keys(&mut self, app: &App, tx: &UnboundedSender<Event>) {
        let help = matches!(app.overlay, Some(Overlay::Help { .. }));
        match &self.probe {
            Some((sent, open)) => {
                let handled = (*sent.lock().unwrap()).filter(|_| help == *open);
                if let Some(at) = handled {
                    self.waits.push(at.elapsed());
                    self.probe = None;
                }
            }
            None => {
                let sent = Arc::new(Mutex::new(None));
                let (tx, at) = (tx.clone(), sent.clone());
                let delay = Duration::from_micros(self.frames * 7919 % 16_000);
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    *at.lock().unwrap() = Some(Instant::now());
                    key(
                        &tx,
                        if help {
                            KeyCode::Esc
                        } else {
                            KeyCode::Char('?')
                        },
                    );
                });
                self.probe = Some((sent, !help));
            }
        }
    }
}

/// The table sorted by Name, then (new simulators) by State, downwards: a State order's merges
/// cost more (ties broken by name).
pub fn tui_listing(vms: usize, latency_ms: u64) {
    for sort in [
        r#"{"vm":{"by":"name"}}"#,
        r#"{"vm":{"by":"state","desc":true}}"#,
    ] {
        listing_sorted(vms, latency_ms, sort);
    }
}

/// `:vm` with the table's sort kept as `sort` (the sorts file's text).
fn listing_sorted(vms: usize, latency_ms: u64, sort: &str) {
    let rt = super::common::runtime();
    let sims = SimChild::start(vms, latency_ms);
    let backends = multi_backends(&sims, vnav::api::http::HttpOptions::default().concurrency);
    let mut app = App::new(multi_specs(&backends), vnav::theme::Theme::default(), false);
    app.load_sorts(sort).expect("a sort the table knows");
    let seen = Arc::new(Mutex::new(Seen::default()));
    let watch = seen.clone();
    let mut screen = Headless::new(160, 45, move |app: &App, tx| {
        let mut s = watch.lock().unwrap();
        let Some(typed) = s.typed else {
            // Connected and the first tree levels loaded: `:vm`.
            if app.endpoints.iter().all(|e| e.info.is_some()) && app.loading_count() == 0 {
                for c in ":vm".chars() {
                    key(tx, KeyCode::Char(c));
                }
                key(tx, KeyCode::Enter);
                s.typed = Some(Instant::now());
            }
            return false;
        };
        s.frames += 1;
        s.probe_keys(app, tx);
        if s.roots.len() < 3 {
            s.roots = table_roots(app);
            return false;
        }
        let roots = s.roots.clone();
        let listed = roots
            .iter()
            .all(|&r| app.tree.get(r).load() == &Load::Loaded);
        if listed && s.listed.is_none() {
            s.listed = Some(typed.elapsed());
        }
        let all: usize = roots.iter().map(|&r| app.tree.get(r).children.len()).sum();
        let shown = listed && app.table.as_ref().is_some_and(|t| t.total == all);
        if shown {
            s.shown = Some(typed.elapsed());
        }
        shown
    });
    let cpu0 = own_cpu();
    rt.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(600),
            headless::run(app, backends, &mut screen),
        )
        .await
        .expect("the table never caught up")
        .expect("the headless loop");
    });
    let cpu = own_cpu();
    let s = seen.lock().unwrap();
    let (listed, shown) = (s.listed.unwrap(), s.shown.unwrap());
    eprintln!(
        "REPORT TUI loop, multi-endpoint :vm of {} VMs, sorted as {sort}: every listing \
         complete after {:.2} s, every row in the table on screen after {:.2} s ({} ms after \
         the last listing); {} frames drawn since :vm; key → frame meanwhile {}; CPU \
         meanwhile: app thread {:.2} s, client threads {:.2} s",
        3 * vms,
        listed.as_secs_f64(),
        shown.as_secs_f64(),
        (shown - listed).as_millis(),
        s.frames,
        super::common::percentiles(s.waits.clone()),
        (cpu.0 - cpu0.0).as_secs_f64(),
        (cpu.1 - cpu0.1).as_secs_f64(),
    );
}

fn key(tx: &UnboundedSender<Event>, code: KeyCode) {
    let _ = tx.send(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}
