//! A refused login in the UI: the failed endpoint names the password's source, a typed password
//! is asked for again in a masked prompt (at once when it came from the prompt, on Ctrl-R
//! otherwise), never shown or Debug-printed, and the runtime logs in with the new one.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::ExposeSecret;
use vnav::api::ApiError;
use vnav::api::vcd::{VcdBackend, VcdConfig};
use vnav::api::{Backend, http::HttpOptions};
use vnav::app::event::{ApiAnswer, Effect, Event};
use vnav::app::tree::Load;
use vnav::app::{App, Overlay};
use vnav::config::PasswordSource;
use vnav::runtime::driver::Driver;
use vnav::runtime::executor::Reopen;
use vnav::sim::{DEMO_PASSWORD, DEMO_USER};

use crate::backends;
use crate::sim_support::sim_of;
use crate::support::*;

fn refused() -> ApiError {
    ApiError::login_refused("admin@System", 401)
}

/// Starts the app with one endpoint whose password came from `source`, and refuses its login.
fn refused_app(source: PasswordSource) -> (App, Vec<Effect>) {
    let mut app = app_with(&["prod"], false);
    app.set_password_source(0, source);
    let effects = app.start();
    let Effect::Connect { req, .. } = effects[0] else {
        panic!("{effects:?}")
    };
    let out = answer(&mut app, req, 0, ApiAnswer::Connected(Err(refused())));
    (app, out.effects)
}

fn failure(app: &App) -> String {
    match app.tree.get(app.endpoints[0].root).load() {
        Load::Failed(msg) => String::clone(msg),
        other => panic!("endpoint not failed: {other:?}"),
    }
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.handle(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
    .effects
}

#[test]
fn a_refused_env_password_names_its_source_and_ctrl_r_asks_for_another() {
    let (mut app, _) = refused_app(PasswordSource::DefaultEnv);
    assert_eq!(
        failure(&app),
        "login refused for admin@System: wrong password or unknown user (HTTP 401) \
         (password from VNAV_PASSWORD)"
    );
    assert!(
        app.overlay.is_none(),
        "not asked unprompted: {:?}",
        app.overlay
    );
    // Retrying would send the refused password again: ask for a new one instead.
    let effects = ctrl(&mut app, 'r');
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Connect { .. })),
        "{effects:?}"
    );
    assert!(matches!(app.overlay, Some(Overlay::Password(_))));

    let (app, _) = refused_app(PasswordSource::Command("pass show vcd".into()));
    assert!(
        failure(&app).ends_with("(password from password_command `pass show vcd`)"),
        "{}",
        failure(&app)
    );
}

#[test]
fn a_refused_typed_password_is_asked_again_masked_and_sent_once() {
    let (mut app, _) = refused_app(PasswordSource::Prompt);
    assert!(
        failure(&app).ends_with("(password from the prompt)"),
        "{}",
        failure(&app)
    );
    assert!(
        matches!(app.overlay, Some(Overlay::Password(_))),
        "{:?}",
        app.overlay
    );
    keys(&mut app, "s3cr3t-x");
    key(&mut app, KeyCode::Backspace);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Log in to prod again"), "{text}");
    assert!(
        text.contains("•••••••") && !text.contains("s3cr3t"),
        "{text}"
    );
    assert!(!format!("{:?}", app.overlay).contains("s3cr3t"));
    let effects = key(&mut app, KeyCode::Enter).effects;
    let sent: Vec<String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::SetPassword {
                endpoint: 0,
                password,
            } => Some(password.expose_secret().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(sent, ["s3cr3t-"]);
    assert!(!format!("{effects:?}").contains("s3cr3t"), "{effects:?}");
    // The new password first, then the login with it.
    let set = effects
        .iter()
        .position(|e| matches!(e, Effect::SetPassword { .. }));
    let connect = effects
        .iter()
        .position(|e| matches!(e, Effect::Connect { .. }));
    assert!(set.is_some() && connect > set, "{effects:?}");
    assert!(app.overlay.is_none());
}

#[test]
fn esc_keeps_the_endpoint_failed() {
    let (mut app, _) = refused_app(PasswordSource::Prompt);
    assert!(matches!(app.overlay, Some(Overlay::Password(_))));
    keys(&mut app, "abc");
    let effects = key(&mut app, KeyCode::Esc).effects;
    assert!(effects.is_empty() && app.overlay.is_none(), "{effects:?}");
    assert!(failure(&app).starts_with("login refused"));
}

#[test]
fn a_failure_that_names_the_label_does_not_repeat_it() {
    let mut app = app_with(&["127.0.0.1"], false);
    let effects = app.start();
    let Effect::Connect { req, .. } = effects[0] else {
        panic!("{effects:?}")
    };
    let msg = "cannot connect to 127.0.0.1:1: connection refused";
    answer(
        &mut app,
        req,
        0,
        ApiAnswer::Connected(Err(ApiError::Transport(msg.into()))),
    );
    assert_eq!(app.toast.as_ref().map(|t| t.text.as_str()), Some(msg));
}

/// Through the real executor and client: a wrong password, the prompt, the right one typed,
/// and the endpoint connects.
#[tokio::test]
async fn the_runtime_logs_in_again_with_the_typed_password() {
    let s = sim_of(20).await;
    let backend = |password: &str| -> Arc<dyn Backend> {
        Arc::new(backends::vcd(
            &s.vcd_url,
            DEMO_USER,
            password,
            HttpOptions::default(),
        ))
    };
    let url = s.vcd_url.clone();
    let reopen: Reopen = Arc::new(move |password| {
        Ok(Arc::new(
            VcdBackend::new(VcdConfig {
                url: url.clone(),
                user: DEMO_USER.into(),
                password,
                http: HttpOptions::default(),
            })
            .map_err(|e| e.to_string())?,
        ) as Arc<dyn Backend>)
    });
    let mut app = app_with(&["sim"], false);
    app.set_password_source(0, PasswordSource::Prompt);
    let mut d = Driver::with_reopen(app, vec![backend("wrong")], None, vec![Some(reopen)]);
    assert!(
        d.until(Duration::from_secs(20), |a| matches!(
            a.overlay,
            Some(Overlay::Password(_))
        ))
        .await,
        "no prompt after the refused login"
    );
    d.type_str(DEMO_PASSWORD);
    d.key(KeyCode::Enter);
    assert!(
        d.until(Duration::from_secs(20), |a| a.endpoints[0].info.is_some())
            .await,
        "not connected with the typed password: {:?}",
        d.app.tree.get(d.app.endpoints[0].root).load()
    );
    d.shutdown().await;
}
