//! Shared helpers: building an App, feeding it answers, reading the screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use vnav::api::model::{ChildBatch, Node, NodeKind, Severity, Status};
use vnav::app::event::{ApiAnswer, ApiEvent, Effect, Event};
use vnav::app::{App, EndpointSpec, Outcome};
use vnav::theme::Theme;

pub use vnav::runtime::driver::screen_text;

pub fn app_with(endpoints: &[&str], read_only: bool) -> App {
    let specs = endpoints
        .iter()
        .map(|name| EndpointSpec {
            label: name.to_string(),
            root: Node::new(NodeKind::Endpoint, format!("https://{name}"), *name),
            insecure: false,
            read_only: false,
        })
        .collect();
    let mut app = App::new(specs, Theme::default(), read_only);
    app.now = NOW;
    app
}

/// Starts the app and connects its first endpoint as a vCD; returns the effects of the
/// connection (the first level's listing among them).
pub fn connect_first(app: &mut App) -> Vec<Effect> {
    let Effect::Connect { req, .. } = app.start()[0] else {
        panic!("the app connects first")
    };
    let info = vnav::api::model::EndpointInfo {
        product: vnav::api::model::Product::Vcd,
        url: "https://vcd".into(),
        user: "admin@System".into(),
        api_version: "38.0".into(),
        capabilities: vnav::api::model::Capabilities::ALL,
        instance_uuid: None,
    };
    answer(app, req, 0, ApiAnswer::Connected(Ok(info))).effects
}

/// The wall-clock time App tests run at.
pub const NOW: time::OffsetDateTime = time::macros::datetime!(2026-12-06 12:00 UTC);

pub fn key(app: &mut App, code: KeyCode) -> Outcome {
    app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn keys(app: &mut App, s: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in s.chars() {
        effects.extend(key(app, KeyCode::Char(c)).effects);
    }
    effects
}

pub fn answer(app: &mut App, req: u64, endpoint: usize, result: ApiAnswer) -> Outcome {
    app.handle(Event::Api(ApiEvent {
        req,
        endpoint,
        result,
    }))
}

pub fn vm(id: &str, name: &str, on: bool) -> Node {
    let status = if on {
        Status::new("POWERED_ON", Severity::Ok)
    } else {
        Status::new("POWERED_OFF", Severity::Muted)
    };
    Node::new(NodeKind::Vm, id, name)
        .with_status(status)
        .with_summary("2 vCPU · 4 GiB")
}

pub fn group(kind: NodeKind, id: &str, name: &str) -> Node {
    Node::new(kind, id, name).expandable(true)
}

/// The request id of the first effect that loads children (panics with the effects if none).
pub fn children_req(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Children { req, .. } => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Children effect in {effects:?}"))
}

/// The request id of the first effect that loads children on `endpoint` (panics if none).
pub fn children_req_on(effects: &[Effect], endpoint: usize) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Children {
                req, endpoint: on, ..
            } if *on == endpoint => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Children effect on {endpoint} in {effects:?}"))
}

/// Answers a children request with these nodes, complete.
pub fn give_children(app: &mut App, req: u64, nodes: Vec<Node>) -> Vec<Effect> {
    let mut effects = answer(
        app,
        req,
        0,
        ApiAnswer::Children(ChildBatch {
            nodes,
            ..Default::default()
        }),
    )
    .effects;
    effects.extend(answer(app, req, 0, ApiAnswer::ChildrenDone(Ok(()))).effects);
    effects
}

pub fn render(app: &mut App, w: u16, h: u16) -> Buffer {
    app.handle(Event::Resize(w, h));
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| vnav::views::draw(app, f)).unwrap();
    term.backend().buffer().clone()
}

pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    screen_text(&render(app, w, h))
}

/// Row index and column of the first occurrence of `needle` on screen.
pub fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let text = screen_text(buf);
    for (y, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            let x = line[..byte].chars().count();
            return Some((x as u16, y as u16));
        }
    }
    None
}

/// Answers the re-read (`Details` effect) of the node `id` among `effects` as the server would
/// for an object that is gone (404); returns what the app asked for next (its lists again).
pub fn answer_gone(app: &mut App, effects: &[Effect], id: &str) -> Vec<Effect> {
    let mut next = Vec::new();
    for e in effects {
        if let Effect::Details {
            req,
            endpoint,
            node,
        } = e
            && &*node.id.as_str() == id
        {
            let gone = vnav::api::ApiError::Server {
                status: 404,
                code: None,
                message: "not found".into(),
            };
            let out = answer(
                app,
                *req,
                *endpoint,
                ApiAnswer::Details(Box::new(Err(gone))),
            );
            next.extend(out.effects);
        }
    }
    next
}

/// The toast's text, empty when none shows.
pub fn toast(app: &App) -> String {
    app.toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}
