//! Several workflows marked and Run pressed: refused at once, saying why (each workflow asks
//! its own inputs in its own form) and how to go on, without reading every marked workflow
//! first; one marked workflow runs as usual.

use crossterm::event::KeyCode;
use vnav::api::model::*;
use vnav::app::App;
use vnav::app::event::{ApiAnswer, Effect};

use crate::support::*;

fn with_workflows(names: &[&str]) -> App {
    let mut app = app_with(&["vro"], false);
    let effects = app.start();
    let Some(Effect::Connect { req, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    let info = EndpointInfo {
        product: Product::Vro,
        url: "https://vro".into(),
        user: "ops@corp".into(),
        api_version: "8.18".into(),
        capabilities: Capabilities::BROWSE,
        instance_uuid: None,
    };
    let out = answer(&mut app, *req, 0, ApiAnswer::Connected(Ok(info)));
    let nodes = names
        .iter()
        .map(|n| Node::new(NodeKind::Workflow, format!("https://vro/wf/{n}/"), *n))
        .collect();
    give_children(&mut app, children_req(&out.effects), nodes);
    app
}

fn reads(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Details { .. }))
        .count()
}

#[tokio::test(start_paused = true)]
async fn run_on_several_marked_workflows_is_refused_saying_why() {
    let mut app = with_workflows(&["Extend disk", "Restart app tier", "Rotate certificate"]);
    for name in ["Extend disk", "Restart app tier"] {
        let e = app.tree.find(0, &format!("https://vro/wf/{name}/"))[0];
        app.select_entry(e);
        key(&mut app, KeyCode::Char(' '));
    }
    assert_eq!(app.tree.marked().len(), 2);
    let out = key(&mut app, KeyCode::Char('e'));
    assert_eq!(reads(&out.effects), 0, "nothing is read for a refused run");
    assert!(app.overlay.is_none());
    let toast = toast(&app);
    assert!(
        toast.contains("2 nodes are marked")
            && toast.contains("one at a time")
            && toast.contains("u clears the marks"),
        "{toast}"
    );

    // With one marked, Run goes on to read what it asks.
    key(&mut app, KeyCode::Char('u'));
    let e = app.tree.find(0, "https://vro/wf/Rotate certificate/")[0];
    app.select_entry(e);
    let out = key(&mut app, KeyCode::Char('e'));
    assert_eq!(reads(&out.effects), 1);
}
