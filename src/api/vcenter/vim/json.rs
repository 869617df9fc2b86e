//! vim over VI/JSON (`/sdk/vim25/{release}`, vCenter 8.0U1 and later): methods are POSTs of
//! JSON to `/{type}/{moid}/{method}`, the session is the `vmware-api-session-id` header that
//! `SessionManager.Login` answers with, faults are JSON objects named by `_typeName`.

use async_trait::async_trait;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::{Call, Object, Transport};
use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Retry};

/// The first release with VI/JSON; a server that answers here has it.
const FIRST_RELEASE: &str = "8.0.1.0";
const SESSION_HEADER: &str = "vmware-api-session-id";

pub struct Json {
    /// `{base}/sdk/vim25/{release}`.
    url: String,
    release: String,
    session_manager: String,
    property_collector: String,
    task_manager: String,
    user: String,
    password: SecretString,
    session: Mutex<Option<HeaderValue>>,
}

fn moref(kind: &str, moid: &str) -> Value {
    json!({"_typeName": "ManagedObjectReference", "type": kind, "value": moid})
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
        Ok(Some(Json {
            url: format!("{base}/sdk/vim25/{release}"),
            release,
            session_manager: moid("sessionManager", "SessionManager"),
            property_collector: moid("propertyCollector", "propertyCollector"),
            task_manager: moid("taskManager", "TaskManager"),
            user: user.to_string(),
            password,
            session: Mutex::new(None),
        }))
    }

    pub fn release(&self) -> &str {
        &self.release
    }

    async fn send(
        &self,
        http: &Http,
        path: &str,
        body: &Value,
        session: Option<&HeaderValue>,
        retry: Retry,
    ) -> ApiResult<crate::api::http::Response> {
        let mut req = http
            .request(Method::POST, &format!("{}/{path}", self.url))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(id) = session {
            req = req.header(SESSION_HEADER, id.clone());
        }
        let req = req
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        http.send(req, retry).await
    }

    async fn login(&self, http: &Http) -> ApiResult<HeaderValue> {
        let path = format!("SessionManager/{}/Login", self.session_manager);
        let body = json!({"userName": self.user, "password": self.password.expose_secret()});
        let resp = self
            .send(http, &path, &body, None, Retry::Idempotent)
            .await?;
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

    /// Calls a method in a logged-in session (logging in first, or again once when the
    /// session expired) and returns its JSON result (`Null` for none).
    async fn call(&self, http: &Http, path: &str, body: &Value, retry: Retry) -> ApiResult<Value> {
        let (mut fresh, mut garbled) = (false, 0);
        loop {
            let session = {
                let mut held = self.session.lock().await;
                if held.is_none() {
                    *held = Some(self.login(http).await?);
                    fresh = true;
                }
                held.clone()
            };
            let resp = self.send(http, path, body, session.as_ref(), retry).await?;
            if resp.status < 400 {
                if resp.body.iter().all(u8::is_ascii_whitespace) {
                    return Ok(Value::Null);
                }
                match serde_json::from_slice(&resp.body) {
                    Ok(v) => return Ok(v),
                    // A body cut short by a flaky link or proxy: a read can be asked again.
                    Err(e) if retry != Retry::Never && garbled < 2 => {
                        garbled += 1;
                        tracing::warn!(target: "vnav::vim", error = %e, "unreadable answer, asking again");
                        continue;
                    }
                    Err(e) => return Err(ApiError::parse(format!("VI/JSON {path}: {e}"))),
                }
            }
            let err = fault(resp.status, &resp.body);
            let expired = resp.status == 401
                || matches!(&err, ApiError::Server { code: Some(c), .. } if c == "NotAuthenticated");
            if !expired || fresh {
                return Err(err);
            }
            // The session expired: it was not carried out, so asking again is safe.
            *self.session.lock().await = None;
        }
    }
}

#[async_trait]
impl Transport for Json {
    type Data = Value;

    async fn retrieve(
        &self,
        http: &Http,
        kind: &str,
        moids: &[&str],
        paths: &[&str],
    ) -> ApiResult<Vec<Object<Value>>> {
        let objects: Vec<Value> = moids
            .iter()
            .map(|m| json!({"_typeName": "ObjectSpec", "obj": moref(kind, m)}))
            .collect();
        let body = json!({
            "specSet": [{
                "_typeName": "PropertyFilterSpec",
                "propSet": [{"_typeName": "PropertySpec", "type": kind, "pathSet": paths}],
                "objectSet": objects,
            }],
            "options": {"_typeName": "RetrieveOptions"},
        });
        let path = format!(
            "PropertyCollector/{}/RetrievePropertiesEx",
            self.property_collector
        );
        let result = self.call(http, &path, &body, Retry::Idempotent).await?;
        let Value::Array(found) = result["objects"].clone() else {
            return Ok(Vec::new());
        };
        Ok(found
            .into_iter()
            .map(|mut o| Object {
                moid: o["obj"]["value"].as_str().unwrap_or("").to_string(),
                props: match o["propSet"].take() {
                    Value::Array(props) => props
                        .into_iter()
                        .filter_map(|mut p| {
                            Some((p["name"].as_str()?.to_string(), p["val"].take()))
                        })
                        .collect(),
                    _ => Vec::new(),
                },
            })
            .collect())
    }

    async fn start(&self, http: &Http, call: Call<'_>) -> ApiResult<String> {
        let (kind, this) = call.this();
        let path = format!("{kind}/{this}/{}", call.method());
        let task = self
            .call(http, &path, &arguments(call), Retry::Never)
            .await?;
        task["value"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ApiError::parse(format!("{} answered without a task", call.method())))
    }

    async fn cancel(&self, http: &Http, task: &str) -> ApiResult<()> {
        let path = format!("Task/{task}/CancelTask");
        self.call(http, &path, &json!({}), Retry::Never)
            .await
            .map(|_| ())
    }

    async fn task_manager(&self, _http: &Http) -> ApiResult<String> {
        Ok(self.task_manager.clone())
    }

    async fn logout(&self, http: &Http) {
        if let Some(id) = self.session.lock().await.take() {
            let path = format!("SessionManager/{}/Logout", self.session_manager);
            let _ = self
                .send(http, &path, &json!({}), Some(&id), Retry::Never)
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
