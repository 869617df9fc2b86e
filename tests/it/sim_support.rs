//! Helpers for the simulator tests: start a simulator, log in, send vCloud requests, and pick
//! attributes out of XML with plain string search (no shared parser with vnav's client).

#![allow(dead_code)]

use reqwest::StatusCode;
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Sim, SimOptions, start};

pub async fn sim(opts: SimOptions) -> Sim {
    vnav::api::tls::install_crypto_provider();
    start("127.0.0.1:0".parse().unwrap(), opts)
        .await
        .expect("simulator starts")
}

/// A simulator of `vms` VMs, everything else as by default.
pub async fn sim_of(vms: usize) -> Sim {
    sim(SimOptions {
        vms,
        ..SimOptions::default()
    })
    .await
}

pub fn opts(task_seconds: f64) -> SimOptions {
    SimOptions {
        task_seconds,
        ..SimOptions::default()
    }
}

pub fn http() -> reqwest::Client {
    vnav::api::tls::install_crypto_provider();
    reqwest::Client::builder().build().unwrap()
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub version: String,
}

/// Legacy login at `/api/sessions`; panics unless it succeeds.
pub async fn login_legacy(base: &str, user: &str, version: &str) -> Client {
    let http = http();
    let r = http
        .post(format!("{base}/api/sessions"))
        .header("accept", format!("application/*+xml;version={version}"))
        .basic_auth(user, Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token = r.headers()["x-vcloud-authorization"]
        .to_str()
        .unwrap()
        .to_string();
    Client {
        http,
        base: base.into(),
        token,
        version: version.into(),
    }
}

/// cloudapi login (`/sessions/provider` for the system admin, `/sessions` for tenants).
pub async fn login(base: &str, user: &str) -> Client {
    let http = http();
    let path = if user == DEMO_USER {
        "sessions/provider"
    } else {
        "sessions"
    };
    let r = http
        .post(format!("{base}/cloudapi/1.0.0/{path}"))
        .header("accept", "application/json;version=39.0")
        .basic_auth(user, Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token = r.headers()["x-vmware-vcloud-access-token"]
        .to_str()
        .unwrap()
        .to_string();
    Client {
        http,
        base: base.into(),
        token,
        version: "39.0".into(),
    }
}

impl Client {
    pub fn url(&self, path_or_href: &str) -> String {
        if path_or_href.starts_with("http") {
            path_or_href.to_string()
        } else {
            format!("{}{path_or_href}", self.base)
        }
    }
    fn req(&self, m: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.http
            .request(m, self.url(url))
            .header(
                "accept",
                format!("application/*+xml;version={}", self.version),
            )
            .bearer_auth(&self.token)
    }
    pub async fn get(&self, url: &str) -> (StatusCode, String) {
        let r = self.req(reqwest::Method::GET, url).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }
    pub async fn post(&self, url: &str, body: &str) -> (StatusCode, String) {
        let r = self
            .req(reqwest::Method::POST, url)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
    pub async fn delete(&self, url: &str) -> StatusCode {
        self.req(reqwest::Method::DELETE, url)
            .send()
            .await
            .unwrap()
            .status()
    }
    /// GET that must succeed.
    pub async fn doc(&self, url: &str) -> String {
        let (st, body) = self.get(url).await;
        assert_eq!(st, StatusCode::OK, "GET {url}: {body}");
        body
    }
}

/// Every start tag `<tag ...>` (exact element name) in document order.
pub fn tags<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let mut out = vec![];
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        if after.starts_with([' ', '>', '/', '\n']) {
            let end = after.find('>').unwrap_or(after.len());
            out.push(&after[..end]);
        }
        rest = after;
    }
    out
}

/// Attribute value inside a start tag's text.
pub fn attr(tag_text: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag_text.find(&key)? + key.len();
    let end = tag_text[at..].find('"')?;
    Some(
        tag_text[at..at + end]
            .replace("&amp;", "&")
            .replace("&quot;", "\""),
    )
}

/// hrefs of `<Link rel="rel">` in a document.
pub fn links(xml: &str, rel: &str) -> Vec<String> {
    tags(xml, "Link")
        .into_iter()
        .filter(|t| attr(t, "rel").as_deref() == Some(rel))
        .filter_map(|t| attr(t, "href"))
        .collect()
}

/// First link with `rel` and (optionally) media type containing `kind`.
pub fn link_of(xml: &str, rel: &str, kind: &str) -> Option<String> {
    tags(xml, "Link")
        .into_iter()
        .filter(|t| attr(t, "rel").as_deref() == Some(rel))
        .find(|t| attr(t, "type").unwrap_or_default().contains(kind))
        .and_then(|t| attr(t, "href"))
}

/// Attribute of the document's root element.
pub fn root_attr(xml: &str, name: &str) -> Option<String> {
    let body = xml
        .trim_start()
        .strip_prefix("<?xml")
        .map(|r| &r[r.find("?>").unwrap() + 2..])
        .unwrap_or(xml);
    let start = body.find('<')?;
    let end = body[start..].find('>')? + start;
    attr(&body[start..end], name)
}

/// Polls a task until it is terminal (real time, short task durations); returns the document.
pub async fn wait_task(c: &Client, href: &str) -> String {
    for _ in 0..200 {
        let doc = c.doc(href).await;
        let st = root_attr(&doc, "status").unwrap();
        if !matches!(st.as_str(), "queued" | "preRunning" | "running") {
            return doc;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("task {href} did not finish");
}

/// The whole app, headless, on this simulator's vCD as the system admin, auditing into a
/// fresh temporary directory (kept alive by the returned guard).
pub fn vcd_app(
    s: &Sim,
    http: vnav::api::http::HttpOptions,
) -> (
    vnav::runtime::driver::Driver,
    vnav::audit::AuditLog,
    tempfile::TempDir,
) {
    use std::sync::Arc;
    use vnav::api::Backend;
    let backend = crate::backends::vcd(&s.vcd_url, DEMO_USER, DEMO_PASSWORD, http);
    let spec = vnav::app::EndpointSpec {
        label: "sim".into(),
        root: backend.root(),
        insecure: false,
        read_only: false,
    };
    let dir = tempfile::tempdir().unwrap();
    let audit = vnav::audit::AuditLog::new(dir.path().join("audit.jsonl"));
    let backends: Vec<Arc<dyn Backend>> = vec![Arc::new(backend)];
    let app = vnav::app::App::new(vec![spec], vnav::theme::Theme::default(), false);
    let d = vnav::runtime::driver::Driver::new(app, backends, Some(audit.clone()));
    (d, audit, dir)
}

/// Answers an open confirm as a user who means it: types what it asks for, else presses y.
pub fn confirm_as_meant(d: &mut vnav::runtime::driver::Driver, expect: Option<String>) {
    use crossterm::event::KeyCode;
    match expect {
        Some(text) => {
            d.type_str(&text);
            d.key(KeyCode::Enter);
        }
        None => {
            d.key(KeyCode::Char('y'));
        }
    }
}

/// VDC hrefs of an Org document, through its `orgVdc` query link (API 33 on), every page.
pub async fn org_vdcs(c: &Client, org: &str) -> Vec<String> {
    let mut next = link_of(org, "down", "query.records+xml");
    assert!(next.is_some(), "no VDC query link in {org}");
    let mut out = vec![];
    while let Some(href) = next {
        let page = c.doc(&href).await;
        out.extend(
            tags(&page, "OrgVdcRecord")
                .into_iter()
                .filter_map(|t| attr(t, "href")),
        );
        next = link_of(&page, "nextPage", "");
    }
    out
}
