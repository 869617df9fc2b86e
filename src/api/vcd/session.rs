//! A vCD session: API version negotiation, the login that version wants (legacy
//! `/api/sessions` below 38.0 where the server still has it, cloudapi bearer tokens from 33.0),
//! authenticated requests, one re-login on 401, and `<Error>` bodies turned into ApiErrors.

use async_trait::async_trait;
use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};

use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Response, Retry};
use crate::api::identify::{self, Expected};
use crate::api::session::{self, Protocol};
use crate::api::xml::{self, Element};

/// Newest API version this client understands; servers advertising newer ones are spoken to
/// at this version.
pub const CLIENT_MAX: (u32, u32) = (39, 0);
const LEGACY_REMOVED: (u32, u32) = (38, 0);
const CLOUDAPI_FROM: (u32, u32) = (33, 0);

pub struct Credentials {
    pub user: String,
    pub password: SecretString,
}

/// Who we are, learned from `GET /api/session`.
#[derive(Clone, Debug, Default)]
pub struct SessionInfo {
    pub user: String,
    pub org: String,
    pub org_list: Option<String>,
    pub query_list: Option<String>,
}

impl SessionInfo {
    pub fn is_system(&self) -> bool {
        self.org.eq_ignore_ascii_case("system")
    }
}

/// The credential a login yields: the header and whether it is a cloudapi bearer token.
#[derive(Clone)]
struct Auth {
    header: HeaderValue,
    bearer: bool,
}

pub struct Session {
    inner: session::Session<Login>,
    /// A version the user insists on (`--api-version`), instead of the highest common one.
    pinned: Option<String>,
}

/// How vCD logs in at the negotiated version, and what its answers look like.
struct Login {
    base: String,
    creds: Credentials,
    version: std::sync::RwLock<Option<String>>,
}

/// A parsed response with the text it came from (for the raw view).
pub struct Doc {
    pub root: Element,
    /// The body as it came: a page is parsed from these bytes, and only the few callers that
    /// want text (a cloudapi JSON read, the raw view) decode it (`text`).
    pub body: Bytes,
}

impl Doc {
    /// The body as text, invalid UTF-8 replaced; borrowed when it is valid.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

pub fn parse_version(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    Some((major, minor))
}

fn advertised(versions: &Element) -> impl Iterator<Item = &str> {
    versions
        .children_named("VersionInfo")
        .filter_map(|info| info.child_text("Version"))
        .map(str::trim)
}

/// Highest version the server advertises that we also speak.
pub fn negotiate(versions: &Element) -> ApiResult<String> {
    advertised(versions)
        .filter_map(|v| parse_version(v).map(|p| (p, v.to_string())))
        .filter(|(p, _)| *p <= CLIENT_MAX)
        .max_by_key(|(p, _)| *p)
        .map(|(_, v)| v)
        .ok_or_else(|| {
            ApiError::Unsupported(format!(
                "the server advertises no API version this client speaks (≤ {}.{})",
                CLIENT_MAX.0, CLIENT_MAX.1
            ))
        })
}

/// The server's `<Error>` body (or cloudapi JSON error) as an ApiError.
pub fn server_error(resp: &Response) -> ApiError {
    let text = resp.text();
    let (code, message) = match xml::parse(&resp.body) {
        Ok(e) if &*e.name == "Error" => (
            e.attr("minorErrorCode").map(str::to_string),
            e.attr("message").unwrap_or("").to_string(),
        ),
        _ => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => (
                v["minorErrorCode"].as_str().map(str::to_string),
                v["message"].as_str().unwrap_or("").to_string(),
            ),
            Err(_) => (None, identify::describe_body(resp.status, &resp.body)),
        },
    };
    let message = if message.trim().is_empty() {
        format!("HTTP {}", resp.status)
    } else {
        message
    };
    ApiError::Server {
        status: resp.status,
        code,
        message,
    }
}

impl Session {
    pub fn new(http: Http, base: &str, creds: Credentials) -> Session {
        let base = base.trim_end_matches('/');
        let login = Login {
            base: base.to_string(),
            creds,
            version: std::sync::RwLock::new(None),
        };
        Session {
            inner: session::Session::new(http, base, login),
            pinned: None,
        }
    }

    pub fn pin_version(&mut self, version: &str) {
        self.pinned = Some(version.trim().to_string());
    }

    pub fn http(&self) -> &Http {
        self.inner.http()
    }

    pub fn base(&self) -> &str {
        self.inner.base()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    pub async fn version(&self) -> String {
        self.inner.protocol().version()
    }

    /// Negotiates, logs in and reads the session.
    pub async fn connect(&self) -> ApiResult<SessionInfo> {
        let req = self
            .http()
            .request(Method::GET, &self.url("/api/versions"))
            .header(ACCEPT, "application/*+xml")
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = self.http().send(req, Retry::Idempotent).await?;
        // A vCenter or a web page at this URL would otherwise read as a bare 401 or 404.
        if let Some(e) = identify::mismatch(self.base(), Expected::Vcd, &resp) {
            return Err(e);
        }
        // Every vCD answers /api/versions without a login: without it this is no vCD.
        if resp.status == 404 {
            return Err(identify::no_api(
                self.base(),
                Expected::Vcd,
                "/api/versions",
            ));
        }
        if !resp.is_success() {
            return Err(server_error(&resp));
        }
        let versions = match xml::parse(&resp.body) {
            Ok(v) if &*v.name == "SupportedVersions" => v,
            _ => {
                return Err(identify::no_api(
                    self.base(),
                    Expected::Vcd,
                    "/api/versions",
                ));
            }
        };
        let version = match &self.pinned {
            Some(v) if advertised(&versions).any(|a| a == *v) => v.clone(),
            Some(v) => {
                return Err(ApiError::Unsupported(format!(
                    "the server does not offer API version {v} (it offers {})",
                    advertised(&versions).collect::<Vec<_>>().join(", ")
                )));
            }
            None => negotiate(&versions)?,
        };
        let login = self.inner.protocol();
        if let Ok(mut v) = login.version.write() {
            *v = Some(version);
        }
        self.inner.login().await?;
        let doc = self.get(&self.url("/api/session")).await?;
        Ok(session_info(&doc.root, &login.creds.user))
    }

    pub async fn get(&self, url: &str) -> ApiResult<Doc> {
        self.call(Method::GET, url, None, Retry::Idempotent).await
    }

    /// GETs a cloudapi resource as JSON (`Accept: application/json;version=…`), signed and
    /// retried like any read.
    pub async fn get_json(&self, url: &str) -> ApiResult<serde_json::Value> {
        let version = self.version().await;
        let accept = format!("application/json;version={version}");
        let doc = self
            .inner
            .call_then(
                Method::GET,
                url,
                Retry::Idempotent,
                |req| req.header(ACCEPT, accept.as_str()),
                |resp| document(&Method::GET, resp),
            )
            .await?;
        serde_json::from_str(&doc.text())
            .map_err(|e| ApiError::parse(format!("cloudapi JSON: {e}")))
    }

    /// POSTs an action. Never retried blindly: only a 401 (refused before doing anything) is
    /// repeated after logging in again.
    pub async fn post(&self, url: &str, body: Option<(&str, String)>) -> ApiResult<Doc> {
        self.call(Method::POST, url, body, Retry::Never).await
    }

    pub async fn delete(&self, url: &str) -> ApiResult<()> {
        self.call(Method::DELETE, url, None, Retry::Idempotent)
            .await
            .map(|_| ())
    }

    async fn call(
        &self,
        method: Method,
        url: &str,
        body: Option<(&str, String)>,
        retry: Retry,
    ) -> ApiResult<Doc> {
        let version = self.version().await;
        let build = |req: RequestBuilder| match &body {
            Some((content_type, body)) => req
                .header(CONTENT_TYPE, format!("{content_type};version={version}"))
                .body(body.clone()),
            None => req,
        };
        let doc = |resp| document(&method, resp);
        (self.inner)
            .call_then(method.clone(), url, retry, build, doc)
            .await
    }

    /// GETs an XML answer and reads its bytes with `read` instead of building its tree (a
    /// query page's records, straight into nodes). What `read` finds unreadable is asked
    /// again, as a body `get` cannot parse is.
    pub async fn get_with<T>(
        &self,
        url: &str,
        read: impl Fn(&[u8]) -> ApiResult<T> + Send + Sync,
    ) -> ApiResult<T> {
        let read = |resp: Response| match blank(&resp.body) {
            true => Err(ApiError::parse("empty body")),
            false => read(&resp.body),
        };
        (self.inner)
            .call_then(Method::GET, url, Retry::Idempotent, |req| req, read)
            .await
    }

    pub async fn logout(&self) {
        let url = match self.inner.token().await.map(|a| a.bearer) {
            Some(true) => self.url("/cloudapi/1.0.0/sessions/current"),
            Some(false) => self.url("/api/session"),
            None => return,
        };
        if let Err(e) = self.delete(&url).await {
            tracing::info!(target: "vnav::vcd", error = %e, "logout failed");
        }
        self.inner.forget().await;
    }
}

impl Login {
    fn version(&self) -> String {
        self.version
            .read()
            .ok()
            .and_then(|v| v.clone())
            .unwrap_or_default()
    }

    async fn login_cloudapi(&self, http: &Http, version: &str) -> ApiResult<HeaderValue> {
        let provider = user_org(&self.creds.user).eq_ignore_ascii_case("system");
        let path = if provider {
            "/cloudapi/1.0.0/sessions/provider"
        } else {
            "/cloudapi/1.0.0/sessions"
        };
        let resp = self
            .login_request(http, path, &format!("application/json;version={version}"))
            .await?;
        let token = resp
            .header("x-vmware-vcloud-access-token")
            .ok_or_else(|| ApiError::Auth("login answered without an access token".into()))?;
        secret_header(&format!("Bearer {token}"))
    }

    async fn login_legacy(&self, http: &Http, version: &str) -> ApiResult<HeaderValue> {
        let resp = self
            .login_request(
                http,
                "/api/sessions",
                &format!("application/*+xml;version={version}"),
            )
            .await?;
        let token = resp.header("x-vcloud-authorization").ok_or_else(|| {
            ApiError::Auth("login answered without x-vcloud-authorization".into())
        })?;
        secret_header(token)
    }

    async fn login_request(&self, http: &Http, path: &str, accept: &str) -> ApiResult<Response> {
        let user = qualified_user(&self.creds.user);
        let req = http
            .request(Method::POST, &format!("{}{path}", self.base))
            .header(ACCEPT, accept)
            .basic_auth(user, Some(self.creds.password.expose_secret()))
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = http.send(req, Retry::Idempotent).await?;
        match resp.status {
            200..=299 => Ok(resp),
            401 | 403 => Err(ApiError::login_refused(
                &qualified_user(&self.creds.user),
                resp.status,
            )),
            _ => Err(server_error(&resp)),
        }
    }
}

#[async_trait]
impl Protocol for Login {
    type Token = Auth;
    /// A successful answer, unread: `Session::call` parses it (`document`), `get_with` reads
    /// its bytes.
    type Answer = Response;

    /// Logs in the way the negotiated version wants: cloudapi from 33.0 (legacy where a
    /// server below 38.0 lacks it), legacy `/api/sessions` before.
    async fn login(&self, http: &Http) -> ApiResult<Auth> {
        let version = self.version();
        let v = parse_version(&version).unwrap_or((0, 0));
        let (header, bearer) = if v >= CLOUDAPI_FROM {
            match self.login_cloudapi(http, &version).await {
                Err(ApiError::Server { status: 404, .. }) if v < LEGACY_REMOVED => {
                    (self.login_legacy(http, &version).await?, false)
                }
                other => (other?, true),
            }
        } else {
            (self.login_legacy(http, &version).await?, false)
        };
        Ok(Auth { header, bearer })
    }

    fn sign(&self, req: RequestBuilder, auth: &Auth) -> RequestBuilder {
        let name = if auth.bearer {
            AUTHORIZATION.as_str()
        } else {
            "x-vcloud-authorization"
        };
        // XML unless the call asked for something else (a cloudapi JSON read).
        let asked = req
            .try_clone()
            .and_then(|r| r.build().ok())
            .is_some_and(|r| r.headers().contains_key(ACCEPT));
        let req = match asked {
            true => req,
            false => req.header(
                ACCEPT,
                format!("application/*+xml;version={}", self.version()),
            ),
        };
        req.header(name, auth.header.clone())
    }

    fn expired(&self, resp: &Response) -> bool {
        resp.status == 401
    }

    fn decode(&self, _: &Method, resp: Response) -> ApiResult<Response> {
        match resp.status {
            200..=299 => Ok(resp),
            401 => Err(ApiError::Auth(server_error(&resp).to_string())),
            _ => Err(server_error(&resp)),
        }
    }
}

/// The body of a successful answer. Only actions may answer with nothing (204).
fn document(method: &Method, resp: Response) -> ApiResult<Doc> {
    // Each page of a big listing used to be decoded into a copied `String` here before it was
    // parsed from its bytes anyway (issue 18): now the bytes are kept and decoded on demand.
    if blank(&resp.body) {
        if *method == Method::GET {
            return Err(ApiError::parse("empty body"));
        }
        return Ok(Doc {
            root: Element::default(),
            body: resp.body,
        });
    }
    // A cloudapi answer: JSON, read by `Session::get_json`.
    if resp
        .header("content-type")
        .is_some_and(|t| t.contains("json"))
    {
        return Ok(Doc {
            root: Element::default(),
            body: resp.body,
        });
    }
    let root = xml::parse(&resp.body)?;
    Ok(Doc {
        root,
        body: resp.body,
    })
}

/// Whether a body is only whitespace, as `str::trim` sees it (Unicode whitespace too), without
/// decoding a body that starts with anything else in ASCII.
fn blank(body: &[u8]) -> bool {
    let t = body.trim_ascii();
    t.is_empty() || (t[0] >= 0x80 && String::from_utf8_lossy(t).trim().is_empty())
}

fn secret_header(value: &str) -> ApiResult<HeaderValue> {
    let mut header = HeaderValue::from_str(value)
        .map_err(|_| ApiError::Auth("the server sent an unusable token".into()))?;
    header.set_sensitive(true);
    Ok(header)
}

/// vCD users are `name@org`; a bare name means the system org, as for the provider portal.
pub fn qualified_user(user: &str) -> String {
    if user.contains('@') {
        user.to_string()
    } else {
        format!("{user}@System")
    }
}

fn user_org(user: &str) -> &str {
    user.rsplit_once('@').map_or("System", |(_, org)| org)
}

fn session_info(session: &Element, login_user: &str) -> SessionInfo {
    let link = |media: &str| {
        session
            .children_named("Link")
            .find(|l| l.attr("type").is_some_and(|t| t.starts_with(media)))
            .and_then(|l| l.attr("href"))
            .map(str::to_string)
    };
    let qualified = qualified_user(login_user);
    SessionInfo {
        user: session
            .attr("user")
            .map(str::to_string)
            .unwrap_or_else(|| qualified.split('@').next().unwrap_or("").to_string()),
        org: session
            .attr("org")
            .map(str::to_string)
            .unwrap_or_else(|| user_org(&qualified).to_string()),
        org_list: link("application/vnd.vmware.vcloud.orgList+xml"),
        query_list: link("application/vnd.vmware.vcloud.query.queryList+xml"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body is blank exactly when its lossy text trims to nothing, as it was judged when
    /// every body was decoded first; the kept bytes read back as that text.
    #[test]
    fn a_body_is_blank_as_its_text_trims() {
        let bodies: [&[u8]; 9] = [
            b"",
            b" \r\n\t",
            "\u{a0}\u{2003}\n".as_bytes(),
            " \u{a0}<a/>".as_bytes(),
            b"  <QueryResultRecords/>",
            b"\xff",
            b" \xc2",
            "\u{3000}".as_bytes(),
            b"{}",
        ];
        for body in bodies {
            let text = String::from_utf8_lossy(body);
            assert_eq!(blank(body), text.trim().is_empty(), "{body:?}");
            let doc = Doc {
                root: Element::default(),
                body: body.to_vec().into(),
            };
            assert_eq!(doc.text(), text);
        }
    }

    #[test]
    fn negotiates_highest_common_version() {
        let doc = xml::parse(
            br#"<SupportedVersions><VersionInfo><Version>5.5</Version></VersionInfo>
            <VersionInfo deprecated="true"><Version>36.0</Version></VersionInfo>
            <VersionInfo><Version>40.0</Version></VersionInfo>
            <VersionInfo><Version>39.0</Version></VersionInfo></SupportedVersions>"#,
        )
        .unwrap();
        assert_eq!(negotiate(&doc).unwrap(), "39.0");
        let none = xml::parse(b"<SupportedVersions><VersionInfo><Version>41.0</Version></VersionInfo></SupportedVersions>").unwrap();
        assert!(matches!(negotiate(&none), Err(ApiError::Unsupported(_))));
    }

    #[test]
    fn users_default_to_the_system_org() {
        assert_eq!(qualified_user("admin"), "admin@System");
        assert_eq!(qualified_user("ops@Acme"), "ops@Acme");
        assert_eq!(user_org("ops@Acme"), "Acme");
    }
}
