//! vim over SOAP at `/sdk`: works against every vCenter and VMware's own vcsim. The session is
//! a cookie the HTTP client keeps; a `NotAuthenticated` fault logs in again once.

use async_trait::async_trait;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};

use super::{Call, Object, Page, Reader, Transport};
use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Response, Retry};
use crate::api::session::{Protocol, Session};
use crate::api::xml::{self, Element};

pub struct Soap {
    session: Session<Login>,
}

/// How SOAP logs in and what its answers and faults look like.
struct Login {
    url: String,
    user: String,
    password: SecretString,
    /// The TaskManager's moid from the service content read at login.
    task_manager: std::sync::Mutex<Option<String>>,
    /// The EventManager's, likewise.
    event_manager: std::sync::Mutex<Option<String>>,
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
    pub fn new(http: &Http, base: &str, user: &str, password: SecretString) -> Soap {
        let login = Login {
            url: format!("{base}/sdk"),
            user: user.to_string(),
            password,
            task_manager: std::sync::Mutex::new(None),
            event_manager: std::sync::Mutex::new(None),
        };
        Soap {
            session: Session::new(http.clone(), base, login),
        }
    }

    /// The vCenter's instance UUID from its service content (asked without logging in).
    pub async fn instance_uuid(&self, http: &Http) -> ApiResult<Option<String>> {
        let content = self
            .session
            .protocol()
            .post(
                http,
                &format!(
                    r#"<RetrieveServiceContent xmlns="urn:vim25">{}</RetrieveServiceContent>"#,
                    moref("_this", "ServiceInstance", "ServiceInstance")
                ),
            )
            .await?;
        Ok(content
            .descendants("instanceUuid")
            .first()
            .map(|e| e.text.clone())
            .filter(|u| !u.is_empty()))
    }

    /// Sends a call in a logged-in session and returns the element its Body answers with.
    async fn call(&self, body: &str, retry: Retry) -> ApiResult<Element> {
        let url = self.session.protocol().url.clone();
        let body = envelope(body);
        self.session
            .call(Method::POST, &url, retry, |req| soap_body(req, &body))
            .await
    }
}

fn soap_body(req: RequestBuilder, envelope: &str) -> RequestBuilder {
    req.header(CONTENT_TYPE, "text/xml; charset=utf-8")
        .header("SOAPAction", "urn:vim25/7.0")
        .body(envelope.to_string())
}

/// The element a SOAP answer's Body holds, or the fault it carries.
fn answer(resp: &Response) -> ApiResult<Element> {
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

/// A `RetrieveResult` (the `returnval` of a Retrieve or Continue answer): its objects and
/// the token of the next page; none of either when nothing matched.
fn result_page(resp: &Element) -> Page<Object<Element>> {
    let Some(result) = resp.child("returnval") else {
        return Page {
            objects: Vec::new(),
            token: None,
        };
    };
    let objects = result
        .children_named("objects")
        .map(|o| Object {
            moid: o.child_text("obj").unwrap_or("").to_string(),
            props: o
                .children_named("propSet")
                .filter_map(|p| Some((p.child_text("name")?.to_string(), p.child("val")?.clone())))
                .collect(),
        })
        .collect();
    Page {
        objects,
        token: result.child_text("token").map(str::to_string),
    }
}

impl Login {
    /// A call outside the session: the service content and the login itself.
    async fn post(&self, http: &Http, body: &str) -> ApiResult<Element> {
        let req = soap_body(http.request(Method::POST, &self.url), &envelope(body))
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        answer(&http.send(req, Retry::Idempotent).await?)
    }
}

#[async_trait]
impl Protocol for Login {
    type Token = ();
    type Answer = Element;

    async fn login(&self, http: &Http) -> ApiResult<()> {
        let content = self
            .post(
                http,
                &format!(
                    r#"<RetrieveServiceContent xmlns="urn:vim25">{}</RetrieveServiceContent>"#,
                    moref("_this", "ServiceInstance", "ServiceInstance")
                ),
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
        if let (Some(em), Ok(mut held)) = (
            content.descendants("eventManager").first(),
            self.event_manager.lock(),
        ) {
            *held = Some(em.text.clone());
        }
        let login = format!(
            r#"<Login xmlns="urn:vim25">{}<userName>{}</userName><password>{}</password></Login>"#,
            moref("_this", "SessionManager", &manager),
            esc(&self.user),
            esc(self.password.expose_secret())
        );
        match self.post(http, &login).await {
            Err(ApiError::Server { message, .. }) => Err(ApiError::Auth(format!(
                "vim25 login refused for {}: {message}",
                self.user
            ))),
            other => other.map(|_| ()),
        }
    }

    fn sign(&self, req: RequestBuilder, _cookie_store_holds_it: &()) -> RequestBuilder {
        req
    }

    fn expired(&self, resp: &Response) -> bool {
        resp.status >= 400
            && matches!(answer(resp), Err(ApiError::Server { code: Some(c), .. }) if c == "NotAuthenticated")
    }

    fn decode(&self, _: &Method, resp: Response) -> ApiResult<Element> {
        answer(&resp)
    }
}

#[async_trait]
impl Transport for Soap {
    type Data = Element;
    type Answer = Element;

    async fn retrieve_answer<T: Send>(
        &self,
        kind: &str,
        moids: &[&str],
        paths: &[&str],
        read: Reader<Element, T>,
    ) -> ApiResult<Page<T>> {
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
        // A property read: the shared layer may hedge it. The answer is whole XML already
        // (`decode` parsed it), so it is read as a page after the call.
        read(&self.call(&body, Retry::Read).await?)
    }

    async fn continue_answer<T: Send>(
        &self,
        token: &str,
        read: Reader<Element, T>,
    ) -> ApiResult<Page<T>> {
        let body = format!(
            r#"<ContinueRetrievePropertiesEx xmlns="urn:vim25">{}<token>{}</token></ContinueRetrievePropertiesEx>"#,
            moref("_this", "PropertyCollector", "propertyCollector"),
            esc(token)
        );
        read(&self.call(&body, Retry::Read).await?)
    }

    fn page(answer: &Element) -> ApiResult<Page<Object<Element>>> {
        Ok(result_page(answer))
    }

    async fn cancel_pages(&self, token: &str) -> ApiResult<()> {
        let body = format!(
            r#"<CancelRetrievePropertiesEx xmlns="urn:vim25">{}<token>{}</token></CancelRetrievePropertiesEx>"#,
            moref("_this", "PropertyCollector", "propertyCollector"),
            esc(token)
        );
        self.call(&body, Retry::Never).await.map(|_| ())
    }

    async fn start(&self, call: Call<'_>) -> ApiResult<String> {
        let method = call.method();
        let (kind, this) = call.this();
        let body = format!(
            r#"<{method} xmlns="urn:vim25">{}{}</{method}>"#,
            moref("_this", kind, this),
            arguments(call)
        );
        let resp = self.call(&body, Retry::Never).await?;
        resp.child_text("returnval")
            .map(str::to_string)
            .ok_or_else(|| ApiError::parse(format!("{method} answered without a task")))
    }

    async fn cancel(&self, task: &str) -> ApiResult<()> {
        let body = format!(
            r#"<CancelTask xmlns="urn:vim25">{}</CancelTask>"#,
            moref("_this", "Task", task)
        );
        self.call(&body, Retry::Never).await.map(|_| ())
    }

    async fn task_manager(&self) -> ApiResult<String> {
        self.session.ensure_login().await?;
        let login = self.session.protocol();
        let held = login.task_manager.lock().ok().and_then(|t| t.clone());
        held.ok_or_else(|| ApiError::parse("the service content names no TaskManager"))
    }

    async fn query_events(&self, kind: &str, moid: &str, max: usize) -> ApiResult<Vec<Element>> {
        self.session.ensure_login().await?;
        let manager = self
            .session
            .protocol()
            .event_manager
            .lock()
            .ok()
            .and_then(|m| m.clone())
            .ok_or_else(|| ApiError::parse("the service content names no EventManager"))?;
        // EventFilterSpec fields in WSDL order: entity first, maxCount near the end.
        let body = format!(
            r#"<QueryEvents xmlns="urn:vim25">{}<filter><entity>{}<recursion>self</recursion></entity><maxCount>{max}</maxCount></filter></QueryEvents>"#,
            moref("_this", "EventManager", &manager),
            moref("entity", kind, moid),
        );
        let resp = self.call(&body, Retry::Read).await?;
        Ok(resp.children_named("returnval").cloned().collect())
    }

    async fn logout(&self) {
        if self.session.is_logged_in().await {
            let body = format!(
                r#"<Logout xmlns="urn:vim25">{}</Logout>"#,
                moref("_this", "SessionManager", "SessionManager")
            );
            let _ = self.call(&body, Retry::Never).await;
            self.session.forget().await;
        }
    }
}
