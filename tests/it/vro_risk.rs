//! How careful running a workflow is, when Orchestrator declares no risk: a name that begins
//! with a read ("Get virtual machines by name") is safe, any other disruptive, and the form
//! and the confirmation say which rule decided. Read-only mode still refuses every run.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::Backend;
use vnav::app::Overlay;
use vnav::app::dialog::Dialog;
use vnav::runtime::driver::{Driver, screen_text};
use vnav::sim::VroVersion;

use crate::all_snapshots::connected;
use crate::sim_vro_support::vro_sim;
use crate::vro_client::backend;

const T: Duration = Duration::from_secs(30);

async fn select(d: &mut Driver, name: &str) {
    crate::vro_detail_inputs::workflow_shown(d, name).await;
}

/// The screen once the run key's form is open.
async fn form_of(d: &mut Driver, name: &str) -> String {
    select(d, name).await;
    d.key(KeyCode::Char('e'));
    let form = |a: &vnav::app::App| matches!(&a.overlay, Some(Overlay::Dialog(Dialog::Form(_))));
    assert!(d.until(T, form).await, "{name}: a form");
    screen_text(&d.render(160, 45))
}

#[tokio::test]
async fn a_workflow_that_reads_is_safe_and_the_dialogs_say_why() {
    let s = vro_sim(VroVersion::V8).await;
    let b: Arc<dyn Backend> = Arc::new(backend(&s));
    let mut d = connected(&[("vro", b)]).await;

    let text = form_of(&mut d, "Get virtual machines by name").await;
    assert!(
        text.contains("Run Get virtual machines by name · safe"),
        "{text}"
    );
    assert!(
        text.contains("Risk safe: its name begins with \"Get\", a read"),
        "{text}"
    );
    // Safe: the form taken runs it, with no y/N after.
    d.type_str("web");
    d.key(KeyCode::Enter);
    assert!(d.until(T, |a| a.overlay.is_none()).await);

    let text = form_of(&mut d, "Power off virtual machine").await;
    assert!(
        text.contains("Run Power off virtual machine · disruptive"),
        "{text}"
    );
    assert!(
        text.contains("Risk disruptive: Orchestrator declares no risk"),
        "{text}"
    );
    d.key(KeyCode::Esc);
    assert!(d.until(T, |a| a.overlay.is_none()).await);

    // Read-only: a name is no proof, so even the safe-by-name run is refused.
    d.key(KeyCode::Char(':'));
    d.type_str("readonly");
    d.key(KeyCode::Enter);
    select(&mut d, "Get virtual machines by name").await;
    d.key(KeyCode::Char('e'));
    assert!(d.app.overlay.is_none(), "no form in read-only mode");
    let toast = d.app.toast.as_ref().map(|t| t.text.clone());
    assert_eq!(toast.as_deref(), Some("read-only: Run is disabled"));
    d.shutdown().await;
}
