//! Connection errors in the operator's words: what answered at the URL when it is not the
//! product asked for, a refused or unresolvable host in one sentence, a refused login named as
//! such, and never a raw HTML or XML body as the message.

use std::time::Duration;

use vnav::api::http::HttpOptions;
use vnav::api::vcd::VcdBackend;
use vnav::api::vcenter::VcenterBackend;
use vnav::api::{ApiError, Backend};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, SimOptions, VCENTER_USER};

use crate::backends;
use crate::sim_support::sim;

fn quick() -> HttpOptions {
    HttpOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        max_attempts: 1,
        ..HttpOptions::default()
    }
}

fn vcd(url: &str, user: &str, password: &str) -> VcdBackend {
    backends::vcd(url, user, password, quick())
}

fn vcenter(url: &str, user: &str, password: &str) -> VcenterBackend {
    backends::vcenter(url, user, password, quick())
}

/// No message may carry markup: the raw body belongs in the raw view, not the status line.
fn assert_plain(msg: &str) {
    assert!(
        !msg.contains('<') && !msg.contains(": HTTP "),
        "raw body or bare status in {msg:?}"
    );
}

#[tokio::test]
async fn a_vcd_client_at_a_vcenter_says_so() {
    let s = sim(SimOptions::default()).await;
    let err = vcd(&s.vcenter_url, DEMO_USER, DEMO_PASSWORD)
        .connect()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&format!(
            "{} answers like a vCenter, not a vCloud Director",
            s.vcenter_url.trim_end_matches('/')
        )) && msg.contains("--product vcenter"),
        "{msg}"
    );
    assert_plain(&msg);
}

#[tokio::test]
async fn a_vcenter_client_at_a_vcd_says_so() {
    let s = sim(SimOptions::default()).await;
    let err = vcenter(&s.vcd_url, VCENTER_USER, DEMO_PASSWORD)
        .connect()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&format!(
            "{} answers like a vCloud Director, not a vCenter",
            s.vcd_url.trim_end_matches('/')
        )) && msg.contains("--product vcd"),
        "{msg}"
    );
    assert_plain(&msg);
}

/// A web server that answers every path with an HTML 404 page, like a portal or a typo'd host.
async fn html_server() -> String {
    use axum::http::{StatusCode, header};
    let app = axum::Router::new().fallback(|| async {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "<!DOCTYPE html><html><head><title>404 Not Found</title></head>\
             <body><h1>Not Found</h1><p>The requested URL was not found.</p></body></html>",
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_web_page_is_named_not_printed() {
    let url = html_server().await;
    for err in [
        vcd(&url, DEMO_USER, DEMO_PASSWORD)
            .connect()
            .await
            .unwrap_err(),
        vcenter(&url, VCENTER_USER, DEMO_PASSWORD)
            .connect()
            .await
            .unwrap_err(),
    ] {
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("{url} answers with a web page (HTTP 404)")),
            "{msg}"
        );
        assert_plain(&msg);
    }
}

#[tokio::test]
async fn a_refused_connection_is_one_sentence_with_the_host_once() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("https://127.0.0.1:{port}");
    let err = vcd(&url, DEMO_USER, DEMO_PASSWORD)
        .connect()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert_eq!(
        msg,
        format!("cannot connect to 127.0.0.1:{port}: connection refused")
    );
    assert!(matches!(err, ApiError::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn an_unknown_host_is_named_once() {
    // `.invalid` never resolves (RFC 2606).
    let err = vcenter("https://nosuchhost.invalid", VCENTER_USER, DEMO_PASSWORD)
        .connect()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot find host nosuchhost.invalid (DNS lookup failed)"
    );
}

#[tokio::test]
async fn a_wrong_password_is_a_refused_login_on_both_products() {
    let s = sim(SimOptions::default()).await;
    let e = vcd(&s.vcd_url, DEMO_USER, "wrong")
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::LoginRefused { user, .. } if user == DEMO_USER),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with(&format!("login refused for {DEMO_USER}")),
        "{e}"
    );
    let e = vcenter(&s.vcenter_url, VCENTER_USER, "wrong")
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::LoginRefused { user, .. } if user == VCENTER_USER),
        "{e:?}"
    );
    assert_plain(&e.to_string());
}

#[tokio::test]
async fn https_to_a_plain_http_port_says_so() {
    let s = sim(SimOptions::default()).await;
    let plain = s.vcd_url.trim_end_matches('/').to_string();
    let addr = plain.trim_start_matches("http://");
    let err = vcd(&format!("https://{addr}"), DEMO_USER, DEMO_PASSWORD)
        .connect()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("TLS: {addr} does not answer in TLS (https); if it serves plain HTTP, use {plain}")
    );
}

/// A server that answers every path with `status` and `body`, like some other service.
async fn plain_server(status: u16, body: &'static str) -> String {
    let app = axum::Router::new()
        .fallback(move || async move { (axum::http::StatusCode::from_u16(status).unwrap(), body) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_server_without_the_products_entry_point_is_named() {
    for (status, body) in [(404, ""), (200, "OK")] {
        let url = plain_server(status, body).await;
        let msg = vcd(&url, DEMO_USER, DEMO_PASSWORD)
            .connect()
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            format!(
                "{url} does not answer like a vCloud Director: no /api/versions there — \
                 check the URL (and the port)"
            )
        );
    }
    let url = plain_server(404, "").await;
    let msg = vcenter(&url, VCENTER_USER, DEMO_PASSWORD)
        .connect()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with(&format!(
            "{url} does not answer like a vCenter: no /api/session"
        )),
        "{msg}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out_in_one_sentence() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let http = HttpOptions {
        request_timeout: Duration::from_millis(300),
        max_attempts: 1,
        ..HttpOptions::default()
    };
    let b = backends::vcd(&format!("http://{addr}"), DEMO_USER, DEMO_PASSWORD, http);
    let err = b.connect().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{addr} did not answer within 300 ms")
    );
}
