//! vim over VI/JSON (`/sdk/vim25/{release}`, vCenter 8.0U1 and later): methods are POSTs of
//! JSON to `/{type}/{moid}/{method}`, the session is the `vmware-api-session-id` header that
//! `SessionManager.Login` answers with, faults are JSON objects named by `_typeName`.

use async_trait::async_trait;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::{Value, json};

use super::{Call, Count, Kept, Object, Page, Reader, Transport, typed};
use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Response, Retry};
use crate::api::session::{Protocol, Session};

/// The first release with VI/JSON; a server that answers here has it.
const FIRST_RELEASE: &str = "8.0.1.0";
const SESSION_HEADER: &str = "vmware-api-session-id";

pub struct Json {
    /// `{base}/sdk/vim25/{release}`.
    url: String,
    release: String,
    /// `about.instanceUuid` of the service content.
    instance_uuid: Option<String>,
    property_collector: String,
    task_manager: String,
    event_manager: String,
    session: Session<Login>,
}

/// How VI/JSON logs in and what an expired session looks like.
struct Login {
    url: String,
    session_manager: String,
    user: String,
    password: SecretString,
}

fn moref(kind: &str, moid: &str) -> Value {
    json!({"_typeName": "ManagedObjectReference", "type": kind, "value": moid})
}

/// A `RetrievePropertiesEx` body, written from borrowed parts: built as a `Value` of 100
/// object specs, it cost the client more than reading the answer (issue 18).
fn retrieve_body(kind: &str, moids: &[&str], paths: &[&str]) -> String {
    #[derive(Serialize)]
    struct Body<'a> {
        #[serde(rename = "specSet")]
        specs: [FilterSpec<'a>; 1],
        options: Typed,
    }
    #[derive(Serialize)]
    struct FilterSpec<'a> {
        #[serde(rename = "_typeName")]
        type_name: &'static str,
        #[serde(rename = "propSet")]
        props: [PropertySpec<'a>; 1],
        #[serde(rename = "objectSet")]
        objects: Vec<ObjectSpec<'a>>,
    }
    #[derive(Serialize)]
    struct PropertySpec<'a> {
        #[serde(rename = "_typeName")]
        type_name: &'static str,
        #[serde(rename = "type")]
        kind: &'a str,
        #[serde(rename = "pathSet")]
        paths: &'a [&'a str],
    }
    #[derive(Serialize)]
    struct ObjectSpec<'a> {
        #[serde(rename = "_typeName")]
        type_name: &'static str,
        obj: MoRef<'a>,
    }
    #[derive(Serialize)]
    struct MoRef<'a> {
        #[serde(rename = "_typeName")]
        type_name: &'static str,
        #[serde(rename = "type")]
        kind: &'a str,
        value: &'a str,
    }
    #[derive(Serialize)]
    struct Typed {
        #[serde(rename = "_typeName")]
        type_name: &'static str,
    }
    let body = Body {
        specs: [FilterSpec {
            type_name: "PropertyFilterSpec",
            props: [PropertySpec {
                type_name: "PropertySpec",
                kind,
                paths,
            }],
            objects: moids
                .iter()
                .map(|m| ObjectSpec {
                    type_name: "ObjectSpec",
                    obj: MoRef {
                        type_name: "ManagedObjectReference",
                        kind,
                        value: m,
                    },
                })
                .collect(),
        }],
        options: Typed {
            type_name: "RetrieveOptions",
        },
    };
    // Serialising plain structs of strings into a String cannot fail.
    serde_json::to_string(&body).unwrap_or_default()
}

/// "8.0.2.0" → [8, 0, 2, 0], for comparing releases.
fn release_parts(release: &str) -> Vec<u32> {
    release.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// The body of a method call.
fn arguments(call: Call<'_>) -> Value {
    match call {
        Call::CreateSnapshot {
            name,
            description,
            memory,
            quiesce,
            ..
        } => {
            json!({"name": name, "description": description, "memory": memory, "quiesce": quiesce})
        }
        Call::Remove { children, .. } => json!({"removeChildren": children}),
        Call::RevertToCurrent { .. } | Call::RevertTo { .. } | Call::RemoveAll { .. } => json!({}),
    }
}

/// An error answer as vnav's error: the fault's type and its first message.
fn fault(status: u16, body: &[u8]) -> ApiError {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let kind = v["_typeName"].as_str().map(str::to_string);
    let message = v["faultMessage"][0]["message"]
        .as_str()
        .or(v["localizedMessage"].as_str())
        .map(str::to_string)
        .or_else(|| kind.clone())
        .unwrap_or_else(|| format!("HTTP {status}"));
    ApiError::Server {
        status,
        code: kind,
        message,
    }
}

/// A `RetrieveResult`: its objects and the token of the next page (`Null`, when nothing
/// matched, has neither).
fn result_page(mut result: Value) -> Page<Object<Value>> {
    let token = result["token"].as_str().map(str::to_string);
    // `get_mut`, not `[]`: indexing to write panics on a value that is not an object.
    let objects = match result.get_mut("objects").map(Value::take) {
        Some(Value::Array(found)) => found
            .into_iter()
            .map(|mut o| Object {
                moid: o["obj"]["value"].as_str().unwrap_or("").to_string(),
                props: match o.get_mut("propSet").map(Value::take) {
                    Some(Value::Array(props)) => props
                        .into_iter()
                        .filter_map(|mut p| {
                            let val = p.get_mut("val").map(Value::take)?;
                            Some((p["name"].as_str()?.to_string(), val))
                        })
                        .collect(),
                    _ => Vec::new(),
                },
            })
            .collect(),
        _ => Vec::new(),
    };
    Page { objects, token }
}

impl Json {
    /// Asks the server for its service content without logging in. `None` when it has no
    /// VI/JSON (older vCenters, vcsim answer 404 here); an unreachable server is an error.
    pub async fn probe(
        http: &Http,
        base: &str,
        user: &str,
        password: SecretString,
    ) -> ApiResult<Option<Json>> {
        let url =
            format!("{base}/sdk/vim25/{FIRST_RELEASE}/ServiceInstance/ServiceInstance/content");
        let req = http
            .request(Method::GET, &url)
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = http.send(req, Retry::Idempotent).await?;
        let content: Value = match serde_json::from_slice(&resp.body) {
            Ok(v) if resp.status == 200 => v,
            _ => return Ok(None),
        };
        if content["_typeName"] != "ServiceContent" {
            return Ok(None);
        }
        // Speak the newest release the server offers: it understands all older ones too.
        let release = content["about"]["apiVersion"]
            .as_str()
            .filter(|r| release_parts(r) > release_parts(FIRST_RELEASE))
            .unwrap_or(FIRST_RELEASE)
            .to_string();
        let moid =
            |k: &str, default: &str| content[k]["value"].as_str().unwrap_or(default).to_string();
        let url = format!("{base}/sdk/vim25/{release}");
        let login = Login {
            url: url.clone(),
            session_manager: moid("sessionManager", "SessionManager"),
            user: user.to_string(),
            password,
        };
        let instance_uuid = content["about"]["instanceUuid"]
            .as_str()
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        Ok(Some(Json {
            url,
            release,
            instance_uuid,
            property_collector: moid("propertyCollector", "propertyCollector"),
            task_manager: moid("taskManager", "TaskManager"),
            event_manager: moid("eventManager", "EventManager"),
            session: Session::new(http.clone(), base, login),
        }))
    }

    pub fn release(&self) -> &str {
        &self.release
    }

    pub fn instance_uuid(&self) -> Option<String> {
        self.instance_uuid.clone()
    }

    /// Calls a method in a logged-in session and returns its JSON result (`Null` for none).
    async fn call(&self, path: &str, body: &Value, retry: Retry) -> ApiResult<Value> {
        self.call_read(path, body.to_string(), retry, |answer| value(&answer))
            .await
    }

    /// Calls a method in a logged-in session and reads its answer's body with `read`, within
    /// the session's call: a body `read` finds cut short (a parse error) is asked again. The
    /// body is parsed once, by `read`, straight into what the caller keeps.
    async fn call_read<T: Send>(
        &self,
        path: &str,
        body: String,
        retry: Retry,
        read: impl Fn(Vec<u8>) -> ApiResult<T> + Send + Sync,
    ) -> ApiResult<T> {
        let url = format!("{}/{path}", self.url);
        self.session
            .call_then(Method::POST, &url, retry, |req| json_body(req, &body), read)
            .await
            .map_err(|e| match e {
                ApiError::Parse(m) => ApiError::parse(format!("VI/JSON {path}: {m}")),
                other => other,
            })
    }
}

/// A method's JSON result (`Null` for none) from its answer's body.
fn value(body: &[u8]) -> ApiResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|e| ApiError::parse(e.to_string()))
}

fn json_body(req: RequestBuilder, body: &str) -> RequestBuilder {
    req.header(CONTENT_TYPE, "application/json")
        .body(body.to_string())
}

#[async_trait]
impl Protocol for Login {
    type Token = HeaderValue;
    /// The body as received: each call reads it within the session's call (`call_read`), so
    /// a body cut short is a parse error the session asks again for, and the body is parsed
    /// once (checking it whole first cost a second parse of every page of layouts).
    type Answer = Vec<u8>;

    async fn login(&self, http: &Http) -> ApiResult<HeaderValue> {
        let url = format!("{}/SessionManager/{}/Login", self.url, self.session_manager);
        let body = json!({"userName": self.user, "password": self.password.expose_secret()});
        let req = json_body(http.request(Method::POST, &url), &body.to_string())
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = http.send(req, Retry::Idempotent).await?;
        if resp.status >= 400 {
            let message = match fault(resp.status, &resp.body) {
                ApiError::Server { message, .. } => message,
                other => other.to_string(),
            };
            return Err(ApiError::Auth(format!(
                "VI/JSON login refused for {}: {message}",
                self.user
            )));
        }
        let mut id = resp
            .headers
            .get(SESSION_HEADER)
            .cloned()
            .ok_or_else(|| ApiError::parse("VI/JSON login answered without a session id"))?;
        id.set_sensitive(true);
        Ok(id)
    }

    fn sign(&self, req: RequestBuilder, token: &HeaderValue) -> RequestBuilder {
        req.header(SESSION_HEADER, token.clone())
    }

    fn expired(&self, resp: &Response) -> bool {
        resp.status == 401
            || (resp.status >= 400
                && matches!(fault(resp.status, &resp.body),
                    ApiError::Server { code: Some(c), .. } if c == "NotAuthenticated"))
    }

    fn decode(&self, _: &Method, resp: Response) -> ApiResult<Vec<u8>> {
        if resp.status >= 400 {
            return Err(fault(resp.status, &resp.body));
        }
        Ok(resp.body.into())
    }
}

#[async_trait]
impl Transport for Json {
    type Data = Value;
    type Answer = Vec<u8>;

    async fn retrieve_answer<T: Send>(
        &self,
        kind: &str,
        moids: &[&str],
        paths: &[&str],
        read: Reader<Vec<u8>, T>,
    ) -> ApiResult<Page<T>> {
        let body = retrieve_body(kind, moids, paths);
        let path = format!(
            "PropertyCollector/{}/RetrievePropertiesEx",
            self.property_collector
        );
        // A property read: the shared layer may hedge it.
        self.call_read(&path, body, Retry::Read, |answer| read(&answer))
            .await
    }

    async fn continue_answer<T: Send>(
        &self,
        token: &str,
        read: Reader<Vec<u8>, T>,
    ) -> ApiResult<Page<T>> {
        let path = format!(
            "PropertyCollector/{}/ContinueRetrievePropertiesEx",
            self.property_collector
        );
        let body = json!({ "token": token });
        self.call_read(&path, body.to_string(), Retry::Read, |answer| read(&answer))
            .await
    }

    fn page(answer: &Vec<u8>) -> ApiResult<Page<Object<Value>>> {
        Ok(result_page(value(answer)?))
    }

    fn layouts(answer: &Vec<u8>) -> ApiResult<Page<Kept<u64>>> {
        typed::layouts(answer)
    }

    fn counts(answer: &Vec<u8>) -> ApiResult<Page<Kept<Count>>> {
        typed::counts(answer)
    }

    async fn cancel_pages(&self, token: &str) -> ApiResult<()> {
        let path = format!(
            "PropertyCollector/{}/CancelRetrievePropertiesEx",
            self.property_collector
        );
        let body = json!({ "token": token });
        self.call(&path, &body, Retry::Never).await.map(|_| ())
    }

    async fn start(&self, call: Call<'_>) -> ApiResult<String> {
        let (kind, this) = call.this();
        let path = format!("{kind}/{this}/{}", call.method());
        let task = self.call(&path, &arguments(call), Retry::Never).await?;
        task["value"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ApiError::parse(format!("{} answered without a task", call.method())))
    }

    async fn cancel(&self, task: &str) -> ApiResult<()> {
        let path = format!("Task/{task}/CancelTask");
        self.call(&path, &json!({}), Retry::Never).await.map(|_| ())
    }

    async fn task_manager(&self) -> ApiResult<String> {
        Ok(self.task_manager.clone())
    }

    async fn query_events(&self, kind: &str, moid: &str, max: usize) -> ApiResult<Vec<Value>> {
        let body = json!({"filter": {
            "_typeName": "EventFilterSpec",
            "entity": {
                "_typeName": "EventFilterSpecByEntity",
                "entity": moref(kind, moid),
                "recursion": "self",
            },
            "maxCount": max,
        }});
        let path = format!("EventManager/{}/QueryEvents", self.event_manager);
        match self.call(&path, &body, Retry::Read).await? {
            Value::Array(events) => Ok(events),
            Value::Null => Ok(Vec::new()),
            other => Err(ApiError::parse(format!(
                "QueryEvents answered {} instead of a list",
                other["_typeName"].as_str().unwrap_or("something else")
            ))),
        }
    }

    async fn logout(&self) {
        if self.session.is_logged_in().await {
            let path = format!(
                "SessionManager/{}/Logout",
                self.session.protocol().session_manager
            );
            let _ = self.call(&path, &json!({}), Retry::Never).await;
            self.session.forget().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_property_read_body_is_the_one_built_as_a_value() {
        let moids = ["vm-1", "vm-\"2\""];
        let objects: Vec<Value> = moids
            .iter()
            .map(|m| json!({"_typeName": "ObjectSpec", "obj": moref("VirtualMachine", m)}))
            .collect();
        let expected = json!({
            "specSet": [{
                "_typeName": "PropertyFilterSpec",
                "propSet": [{"_typeName": "PropertySpec", "type": "VirtualMachine", "pathSet": ["layoutEx"]}],
                "objectSet": objects,
            }],
            "options": {"_typeName": "RetrieveOptions"},
        });
        let written = retrieve_body("VirtualMachine", &moids, &["layoutEx"]);
        assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), expected);
    }

    #[test]
    fn releases_compare_by_number_not_text() {
        assert!(release_parts("8.0.10.0") > release_parts("8.0.2.0"));
        assert!(release_parts("9.0.0.0") > release_parts(FIRST_RELEASE));
        assert!(release_parts("8.0.1.0") == release_parts(FIRST_RELEASE));
    }

    #[test]
    fn faults_say_their_type_and_message() {
        let body = br#"{"_typeName":"InvalidLogin","faultMessage":[{"_typeName":"LocalizableMessage","key":"k","message":"Cannot complete login"}]}"#;
        match fault(500, body) {
            ApiError::Server {
                status,
                code,
                message,
            } => {
                assert_eq!(status, 500);
                assert_eq!(code.as_deref(), Some("InvalidLogin"));
                assert_eq!(message, "Cannot complete login");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            fault(502, b"<html>bad gateway</html>")
                .to_string()
                .contains("502")
        );
    }
}
