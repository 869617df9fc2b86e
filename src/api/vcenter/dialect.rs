//! The two vCenter REST dialects, `/api` (7.0U2+) and `/rest` (6.5–7.0): paths, filters, body
//! wrapping, maps and errors. Everything above this file is written once for both.

use serde_json::Value;

use crate::api::error::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Api,
    Rest,
}

/// What a list is narrowed by (`datacenters`, `clusters`, `hosts`, `folders`, …).
pub type Filter<'a> = &'a [(&'a str, &'a str)];

/// Filter fields that take one value, not a set (the specification's `Host.FilterSpec`).
const SCALARS: &[&str] = &["standalone"];

impl Dialect {
    pub fn label(self) -> &'static str {
        match self {
            Dialect::Api => "/api",
            Dialect::Rest => "/rest",
        }
    }

    pub fn login_path(self) -> &'static str {
        match self {
            Dialect::Api => "/api/session",
            Dialect::Rest => "/rest/com/vmware/cis/session",
        }
    }

    /// `/api/vcenter/vm` or `/rest/vcenter/vm`.
    pub fn path(self, rest: &str) -> String {
        format!("{}/{rest}", self.label())
    }

    /// A list URL path with its filter query: `names=a&names=b` or `filter.names.1=a&…`; a
    /// filter of one value (`standalone`) is `filter.standalone=true`, without an index.
    pub fn list(self, kind: &str, filter: Filter) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (key, value) in filter {
            match self {
                Dialect::Api => {
                    q.append_pair(key, value);
                }
                Dialect::Rest if SCALARS.contains(key) => {
                    q.append_pair(&format!("filter.{key}"), value);
                }
                Dialect::Rest => {
                    let n = match counts.iter_mut().find(|(k, _)| k == key) {
                        Some((_, n)) => {
                            *n += 1;
                            *n
                        }
                        None => {
                            counts.push((key, 1));
                            1
                        }
                    };
                    q.append_pair(&format!("filter.{key}.{n}"), value);
                }
            }
        }
        let query = q.finish();
        let path = self.path(&format!("vcenter/{kind}"));
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    }

    /// Path of a power operation (`start`, `stop`, `suspend`, `reset`).
    pub fn power(self, vm: &str, op: &str) -> String {
        match self {
            Dialect::Api => self.path(&format!("vcenter/vm/{vm}/power?action={op}")),
            Dialect::Rest => self.path(&format!("vcenter/vm/{vm}/power/{op}")),
        }
    }

    /// Path of a guest power operation (`shutdown`, `reboot`, `standby`); needs VMware Tools.
    pub fn guest_power(self, vm: &str, op: &str) -> String {
        self.path(&format!("vcenter/vm/{vm}/guest/power?action={op}"))
    }

    /// A cis tagging path: `rest` like `tag-association`, with an optional action.
    pub fn tagging(self, rest: &str, action: Option<&str>) -> String {
        let (base, act) = match self {
            Dialect::Api => ("/api/cis/tagging", "action"),
            Dialect::Rest => ("/rest/com/vmware/cis/tagging", "~action"),
        };
        match action {
            Some(a) => format!("{base}/{rest}?{act}={a}"),
            None => format!("{base}/{rest}"),
        }
    }

    /// A tag or category id in a path (`/rest` prefixes ids with `id:`).
    pub fn id_segment(self, id: &str) -> String {
        match self {
            Dialect::Api => id.to_string(),
            Dialect::Rest => format!("id:{id}"),
        }
    }

    /// The payload of a successful answer (`/rest` wraps it in `{"value": …}`).
    pub fn unwrap(self, body: Value) -> Value {
        match (self, body) {
            (Dialect::Rest, Value::Object(mut map)) if map.contains_key("value") => {
                map.remove("value").unwrap_or(Value::Null)
            }
            (_, body) => body,
        }
    }

    /// An error answer: `(kind, message)`, kind like `unable_to_allocate_resource`.
    pub fn error(self, status: u16, body: &[u8]) -> ApiError {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let (kind, messages) = match v.get("error_type") {
            Some(t) => (t.as_str().unwrap_or("").to_lowercase(), &v["messages"]),
            None => (
                v["type"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('.')
                    .next()
                    .unwrap_or("")
                    .to_string(),
                &v["value"]["messages"],
            ),
        };
        let message = messages
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["default_message"].as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let message = if message.is_empty() {
            crate::api::identify::describe_body(status, body)
        } else {
            message
        };
        ApiError::Server {
            status,
            code: (!kind.is_empty()).then_some(kind),
            message: if message.trim().is_empty() {
                format!("HTTP {status}")
            } else {
                message
            },
        }
    }
}

/// The entries of a vCenter map, whichever way it is written: `{"2000": {…}}` (/api) or
/// `[{"key": "2000", "value": {…}}]` (/rest).
pub fn entries(v: &Value) -> Vec<(String, &Value)> {
    match v {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| (i["key"].as_str().unwrap_or("").to_string(), &i["value"]))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a list failed for being over the server's cap.
pub fn over_cap(e: &ApiError) -> bool {
    matches!(e, ApiError::Server { code: Some(c), .. } if c == "unable_to_allocate_resource")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_in_both_dialects() {
        let f = [
            ("hosts", "host-1"),
            ("hosts", "host-2"),
            ("power_states", "POWERED_ON"),
        ];
        assert_eq!(
            Dialect::Api.list("vm", &f),
            "/api/vcenter/vm?hosts=host-1&hosts=host-2&power_states=POWERED_ON"
        );
        assert_eq!(
            Dialect::Rest.list("vm", &f),
            "/rest/vcenter/vm?filter.hosts.1=host-1&filter.hosts.2=host-2&filter.power_states.1=POWERED_ON"
        );
        let standalone = [("datacenters", "datacenter-2"), ("standalone", "true")];
        assert_eq!(
            Dialect::Rest.list("host", &standalone),
            "/rest/vcenter/host?filter.datacenters.1=datacenter-2&filter.standalone=true"
        );
        assert_eq!(
            Dialect::Api.list("host", &standalone),
            "/api/vcenter/host?datacenters=datacenter-2&standalone=true"
        );
        assert_eq!(
            Dialect::Rest.power("vm-1", "stop"),
            "/rest/vcenter/vm/vm-1/power/stop"
        );
        assert_eq!(
            Dialect::Api.power("vm-1", "stop"),
            "/api/vcenter/vm/vm-1/power?action=stop"
        );
    }

    #[test]
    fn errors_of_both_dialects() {
        let api = br#"{"error_type":"UNABLE_TO_ALLOCATE_RESOURCE","messages":[{"args":[],"default_message":"Too many virtual machines.","id":"x"}]}"#;
        let e = Dialect::Api.error(400, api);
        assert!(over_cap(&e), "{e:?}");
        assert!(e.to_string().contains("Too many virtual machines."));
        let rest = br#"{"type":"com.vmware.vapi.std.errors.unable_to_allocate_resource","value":{"messages":[{"default_message":"Too many."}]}}"#;
        assert!(over_cap(&Dialect::Rest.error(400, rest)));
    }

    #[test]
    fn maps_of_both_dialects() {
        let api: Value = serde_json::from_str(r#"{"2000": {"label": "Hard disk 1"}}"#).unwrap();
        let rest: Value =
            serde_json::from_str(r#"[{"key": "2000", "value": {"label": "Hard disk 1"}}]"#)
                .unwrap();
        for v in [api, rest] {
            let e = entries(&v);
            assert_eq!(e[0].0, "2000");
            assert_eq!(e[0].1["label"], "Hard disk 1");
        }
    }
}
