//! vim over SOAP at `/sdk`: works against every vCenter and VMware's own vcsim. The session is
//! a cookie; a `NotAuthenticated` fault logs in again once.

use async_trait::async_trait;
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::{Call, Object, Transport};
use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Retry};
use crate::api::vcd::xml::{self, Element};

pub struct Soap {
    url: String,
    user: String,
    password: SecretString,
    logged_in: Mutex<bool>,
    /// The TaskManager's moid from the service content read at login.
    task_manager: std::sync::Mutex<Option<String>>,
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

fn moref(tag: &str, kind: &str, moid: &str) -> String {
    format!(r#"<{tag} type="{kind}">{}</{tag}>"#, esc(moid))
}

/// The method's arguments after `_this`.
fn arguments(call: Call<'_>) -> String {
    match call {
        Call::CreateSnapshot {
            name,
            description,
            memory,
            quiesce,
            ..
        } => format!(
            "<name>{}</name><description>{}</description><memory>{memory}</memory><quiesce>{quiesce}</quiesce>",
            esc(name),
            esc(description)
        ),
        Call::Remove { children, .. } => format!("<removeChildren>{children}</removeChildren>"),
        Call::RevertToCurrent { .. } | Call::RevertTo { .. } | Call::RemoveAll { .. } => {
            String::new()
        }
    }
}

impl Soap {
    pub fn new(base: &str, user: &str, password: SecretString) -> Soap {
        Soap {
            url: format!("{base}/sdk"),
            user: user.to_string(),
            password,
            logged_in: Mutex::new(false),
            task_manager: std::sync::Mutex::new(None),
        }
    }

    async fn post(&self, http: &Http, body: &str, retry: Retry) -> ApiResult<Element> {
        let req = http
            .request(Method::POST, &self.url)
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", "urn:vim25/7.0")
            .body(envelope(body))
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = http.send(req, retry).await?;
        let root = xml::parse(&resp.body)?;
        let body = root
            .child("Body")
            .ok_or_else(|| ApiError::parse("SOAP answer without a Body"))?;
        if let Some(fault) = body.child("Fault") {
            let kind = fault
                .child("detail")
                .and_then(|d| d.children.first())
                .map(|f| f.name.trim_end_matches("Fault").to_string());
            return Err(ApiError::Server {
                status: resp.status,
                code: kind,
                message: fault
                    .child_text("faultstring")
                    .unwrap_or("SOAP fault")
                    .to_string(),
            });
        }
        body.children
            .first()
            .cloned()
            .ok_or_else(|| ApiError::parse("empty SOAP Body"))
    }

    async fn login(&self, http: &Http) -> ApiResult<()> {
        let content = self
            .post(
                http,
                &format!(
                    r#"<RetrieveServiceContent xmlns="urn:vim25">{}</RetrieveServiceContent>"#,
                    moref("_this", "ServiceInstance", "ServiceInstance")
                ),
                Retry::Idempotent,
            )
            .await?;
        let manager = content
            .descendants("sessionManager")
            .first()
            .map(|e| e.text.clone())
            .unwrap_or_else(|| "SessionManager".into());
        if let (Some(tm), Ok(mut held)) = (
            content.descendants("taskManager").first(),
            self.task_manager.lock(),
        ) {
            *held = Some(tm.text.clone());
        }
        let login = format!(
            r#"<Login xmlns="urn:vim25">{}<userName>{}</userName><password>{}</password></Login>"#,
            moref("_this", "SessionManager", &manager),
            esc(&self.user),
            esc(self.password.expose_secret())
        );
        match self.post(http, &login, Retry::Idempotent).await {
            Err(ApiError::Server { message, .. }) => Err(ApiError::Auth(format!(
                "vim25 login refused for {}: {message}",
                self.user
            ))),
            other => other.map(|_| ()),
        }
    }

    async fn ensure_login(&self, http: &Http) -> ApiResult<()> {
        let mut logged_in = self.logged_in.lock().await;
        if !*logged_in {
            self.login(http).await?;
            *logged_in = true;
        }
        Ok(())
    }

    /// Sends a call in a logged-in session, logging in first or again when the server asks.
    async fn call(&self, http: &Http, body: &str, retry: Retry) -> ApiResult<Element> {
        self.ensure_login(http).await?;
        let mut garbled = 0;
        loop {
            match self.post(http, body, retry).await {
                Err(ApiError::Server { code: Some(c), .. }) if c == "NotAuthenticated" => {
                    self.login(http).await?;
                    return self.post(http, body, retry).await;
                }
                // A body cut short by a flaky link or proxy: a read can be asked again.
                Err(ApiError::Parse(e)) if retry != Retry::Never && garbled < 2 => {
                    garbled += 1;
                    tracing::warn!(target: "vnav::vim", error = %e, "unreadable answer, asking again");
                }
                other => return other,
            }
        }
    }
}

#[async_trait]
impl Transport for Soap {
    type Data = Element;

    async fn retrieve(
        &self,
        http: &Http,
        kind: &str,
        moids: &[&str],
        paths: &[&str],
    ) -> ApiResult<Vec<Object<Element>>> {
        let paths: String = paths
            .iter()
            .map(|p| format!("<pathSet>{p}</pathSet>"))
            .collect();
        let objects: String = moids
            .iter()
            .map(|m| format!("<objectSet>{}</objectSet>", moref("obj", kind, m)))
            .collect();
        let body = format!(
            r#"<RetrievePropertiesEx xmlns="urn:vim25">{}<specSet><propSet><type>{kind}</type>{paths}</propSet>{objects}</specSet><options/></RetrievePropertiesEx>"#,
            moref("_this", "PropertyCollector", "propertyCollector"),
        );
        let resp = self.call(http, &body, Retry::Idempotent).await?;
        Ok(resp
            .descendants("objects")
            .into_iter()
            .map(|o| Object {
                moid: o.child_text("obj").unwrap_or("").to_string(),
                props: o
                    .children_named("propSet")
                    .filter_map(|p| {
                        Some((p.child_text("name")?.to_string(), p.child("val")?.clone()))
                    })
                    .collect(),
            })
            .collect())
    }

    async fn start(&self, http: &Http, call: Call<'_>) -> ApiResult<String> {
        let method = call.method();
        let (kind, this) = call.this();
        let body = format!(
            r#"<{method} xmlns="urn:vim25">{}{}</{method}>"#,
            moref("_this", kind, this),
            arguments(call)
        );
        let resp = self.call(http, &body, Retry::Never).await?;
        resp.child_text("returnval")
            .map(str::to_string)
            .ok_or_else(|| ApiError::parse(format!("{method} answered without a task")))
    }

    async fn cancel(&self, http: &Http, task: &str) -> ApiResult<()> {
        let body = format!(
            r#"<CancelTask xmlns="urn:vim25">{}</CancelTask>"#,
            moref("_this", "Task", task)
        );
        self.call(http, &body, Retry::Never).await.map(|_| ())
    }

    async fn task_manager(&self, http: &Http) -> ApiResult<String> {
        self.ensure_login(http).await?;
        let held = self.task_manager.lock().ok().and_then(|t| t.clone());
        held.ok_or_else(|| ApiError::parse("the service content names no TaskManager"))
    }

    async fn logout(&self, http: &Http) {
        if std::mem::take(&mut *self.logged_in.lock().await) {
            let body = format!(
                r#"<Logout xmlns="urn:vim25">{}</Logout>"#,
                moref("_this", "SessionManager", "SessionManager")
            );
            let _ = self.post(http, &body, Retry::Never).await;
        }
    }
}
