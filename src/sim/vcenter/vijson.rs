//! The vSphere VI/JSON API of vCenter 8.0U1+ at `/sdk/vim25/{release}/{Type}/{moid}/{leaf}`:
//! `GET` reads property `leaf`, `POST` calls method `leaf` with its arguments as a JSON object.
//! The same subset and state as the SOAP endpoint (`vim`), and the same sessions as REST, by the
//! `vmware-api-session-id` header. Faults are HTTP 500 with the fault as body (401 for
//! NotAuthenticated); a path naming no known type is 404, as a web server would answer.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::vim::json_page;
use super::vim::pages::Next;
use super::vim::props::{self, FilterSpec, PropSpec};
use super::vim::snapshots::{self, Op};
use super::vim::{self, Args, Fault, Val, required};
use super::{VcShared, json_response, percent_decode, session};

/// The releases 8.0U1 and 8.0U2 serve.
pub const RELEASES: [&str; 2] = ["8.0.1.0", "8.0.2.0"];
const HEADER: &str = "vmware-api-session-id";
/// Types with an endpoint here; any other type is a 404.
const TYPES: [&str; 8] = [
    "ServiceInstance",
    "SessionManager",
    "PropertyCollector",
    "TaskManager",
    "EventManager",
    "VirtualMachine",
    "VirtualMachineSnapshot",
    "Task",
];

/// `v` as VI/JSON: every object carries `_typeName`, empty arrays are left out, and where the
/// WSDL declares `anyType` a primitive or array is boxed as `{"_typeName", "_value"}`.
pub fn to_json(v: &Val) -> Value {
    match v {
        Val::Str(s) => json!(s),
        Val::Int(i) => json!(i),
        Val::Bool(b) => json!(b),
        Val::Enum(_, e) => json!(e),
        Val::Ref(kind, id) => {
            json!({"_typeName": "ManagedObjectReference", "type": kind, "value": id})
        }
        Val::Obj(ty, fields) => {
            let mut m = Map::new();
            m.insert("_typeName".into(), json!(ty));
            for (name, f) in fields {
                if !matches!(f, Val::List(_, items) if items.is_empty()) {
                    m.insert((*name).into(), to_json(f));
                }
            }
            Value::Object(m)
        }
        Val::List(_, items) => items.iter().map(to_json).collect(),
        Val::Any(inner) => match **inner {
            Val::Obj(..) | Val::Ref(..) | Val::Any(_) => to_json(inner),
            _ => json!({"_typeName": inner.type_name(), "_value": to_json(inner)}),
        },
    }
}

/// `to_json(v)`'s bytes, written straight into `out`: a property read's page of 100 objects
/// built as `Value` maps spent most of its time allocating, sorting and dropping them. Keys
/// come out as a `Value` map orders them (sorted), so the bytes are the same.
pub fn write_json(v: &Val, out: &mut Vec<u8>) {
    match v {
        Val::Str(s) => write_str(s, out),
        Val::Int(i) => {
            // Writing a number into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, i);
        }
        Val::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Val::Enum(_, e) => write_str(e, out),
        Val::Ref(kind, id) => {
            out.extend_from_slice(br#"{"_typeName":"ManagedObjectReference","type":"#);
            write_str(kind, out);
            out.extend_from_slice(br#","value":"#);
            write_str(id, out);
            out.push(b'}');
        }
        Val::Obj(ty, fields) => {
            // `None` stands for `_typeName`; a later field of the same name replaces an
            // earlier one, as inserting into a map does.
            let mut keys: Vec<(&str, Option<&Val>)> = Vec::with_capacity(fields.len() + 1);
            keys.push(("_typeName", None));
            keys.extend(
                fields
                    .iter()
                    .filter(|(_, f)| !matches!(f, Val::List(_, items) if items.is_empty()))
                    .map(|(name, f)| (*name, Some(f))),
            );
            keys.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            let mut first = true;
            for (n, &(name, f)) in keys.iter().enumerate() {
                if keys.get(n + 1).is_some_and(|next| next.0 == name) {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                write_str(name, out);
                out.push(b':');
                match f {
                    Some(f) => write_json(f, out),
                    None => write_str(ty, out),
                }
            }
            out.push(b'}');
        }
        Val::List(_, items) => {
            out.push(b'[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                write_json(item, out);
            }
            out.push(b']');
        }
        Val::Any(inner) => match **inner {
            Val::Obj(..) | Val::Ref(..) | Val::Any(_) => write_json(inner, out),
            _ => {
                out.extend_from_slice(br#"{"_typeName":"#);
                write_str(&inner.type_name(), out);
                out.extend_from_slice(br#","_value":"#);
                write_json(inner, out);
                out.push(b'}');
            }
        },
    }
}

/// A JSON string, escaped only when it holds what JSON must escape (as serde_json escapes).
pub fn write_str(s: &str, out: &mut Vec<u8>) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// The fault's JSON body.
pub fn fault_json(f: &Fault) -> Value {
    let mut body = json!({
        "_typeName": f.kind,
        "faultMessage": [{"_typeName": "LocalizableMessage", "key": f.kind, "message": f.message}],
    });
    for (name, v) in &f.fields {
        body[*name] = to_json(v);
    }
    body
}

/// A fault answer: 401 for a missing session, else 500.
pub fn fault(f: &Fault) -> Response {
    let status = if f.kind == "NotAuthenticated" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    json_response(status, &fault_json(f))
}

fn value(v: Option<&Val>) -> Response {
    let mut body = Vec::new();
    match v {
        Some(v) => write_json(v, &mut body),
        None => body.extend_from_slice(b"null"),
    }
    written(body)
}

/// A page of a property read, written straight from the world (`vim::json_page`).
fn page(s: &VcShared, next: Option<Next>) -> Response {
    let Some((items, token, specs)) = next else {
        return value(None);
    };
    let mut body = Vec::new();
    json_page::write_result(s, &specs, items, token, &mut body);
    written(body)
}

fn written(body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn status(code: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = code;
    r
}

/// Arguments as the members of the request's JSON object.
struct JsonArgs(Map<String, Value>);

impl JsonArgs {
    fn parse(body: &[u8]) -> Result<JsonArgs, Fault> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonArgs(Map::new()));
        }
        match serde_json::from_slice(body) {
            Ok(Value::Object(m)) => Ok(JsonArgs(m)),
            Ok(_) => Err(Fault::invalid_request("The body must be a JSON object.")),
            Err(e) => Err(Fault::invalid_request(format!("Malformed body: {e}"))),
        }
    }
    fn get<T>(&self, name: &str, f: impl Fn(&Value) -> Option<T>) -> Result<Option<T>, Fault> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => f(v)
                .map(Some)
                .ok_or_else(|| Fault::invalid_request(format!("{name} has the wrong type."))),
        }
    }
}

impl Args for JsonArgs {
    fn text(&self, name: &str) -> Result<Option<String>, Fault> {
        self.get(name, |v| v.as_str().map(str::to_string))
    }
    fn flag(&self, name: &str) -> Result<Option<bool>, Fault> {
        self.get(name, Value::as_bool)
    }
}

#[derive(Deserialize)]
struct Retrieve {
    #[serde(rename = "specSet")]
    specs: Vec<Spec>,
    #[serde(default)]
    options: Option<Options>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    #[serde(default)]
    max_objects: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    prop_set: Vec<Prop>,
    object_set: Vec<ObjSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Prop {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    path_set: Vec<String>,
}

#[derive(Deserialize)]
struct ObjSpec {
    obj: MoRef,
}

#[derive(Deserialize)]
struct MoRef {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

/// A property read. Its body (100 object specs a page for the snapshot view) is read straight
/// into the specs: through a `Value` first, it cost more than the read it asked for.
fn retrieve(s: &VcShared, session: &str, method: &str, body: &[u8]) -> Result<Response, Fault> {
    let r: Retrieve = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            // A body that is no JSON object at all says so, as for every method.
            JsonArgs::parse(body)?;
            return Err(Fault::invalid_request(format!(
                "Malformed {method} body: {e}"
            )));
        }
    };
    let specs: Vec<FilterSpec> = r
        .specs
        .into_iter()
        .map(|sp| FilterSpec {
            props: sp
                .prop_set
                .into_iter()
                .map(|p| PropSpec {
                    kind: p.kind,
                    all: p.all,
                    paths: p.path_set,
                })
                .collect(),
            objects: sp
                .object_set
                .into_iter()
                .map(|o| (o.obj.kind, o.obj.value))
                .collect(),
        })
        .collect();
    let max = r.options.and_then(|o| o.max_objects);
    Ok(match method {
        "RetrievePropertiesEx" => page(s, s.first_items(session, specs, max, true)?),
        _ => value(Some(&Val::List(
            "ObjectContent",
            props::retrieve(s, &specs)?,
        ))),
    })
}

/// Serves `rest`, the path after `/sdk/vim25/`.
pub fn handle(
    s: &VcShared,
    method: &Method,
    rest: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let parts: Vec<String> = rest.split('/').map(|p| percent_decode(p, false)).collect();
    if !RELEASES.contains(&parts[0].as_str()) {
        return status(StatusCode::NOT_FOUND);
    }
    let [_, kind, moid, leaf] = parts.as_slice() else {
        return not_found(rest);
    };
    if !TYPES.contains(&kind.as_str()) {
        return not_found(rest);
    }
    route(s, method, kind, moid, leaf, headers, body).unwrap_or_else(|f| fault(&f))
}

fn not_found(rest: &str) -> Response {
    let f = Fault::new("NotFound", format!("No such resource: /sdk/vim25/{rest}"));
    json_response(StatusCode::NOT_FOUND, &fault_json(&f))
}

/// The singletons answer only to their one moid.
fn singleton(kind: &str, moid: &str) -> Result<(), Fault> {
    let (kind, want) = match kind {
        "ServiceInstance" => ("ServiceInstance", "ServiceInstance"),
        "SessionManager" => ("SessionManager", "SessionManager"),
        "PropertyCollector" => ("PropertyCollector", "propertyCollector"),
        "TaskManager" => ("TaskManager", "TaskManager"),
        "EventManager" => ("EventManager", "EventManager"),
        _ => return Ok(()),
    };
    if moid == want {
        Ok(())
    } else {
        Err(Fault::not_found(kind, moid))
    }
}

fn route(
    s: &VcShared,
    method: &Method,
    kind: &str,
    moid: &str,
    leaf: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Fault> {
    singleton(kind, moid)?;
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    match (kind, leaf) {
        ("ServiceInstance", "content") if get => {
            return Ok(value(Some(&vim::service_content(s))));
        }
        ("SessionManager", "Login") if post => {
            let (id, session) = vim::login(s, &JsonArgs::parse(body)?)?;
            let mut r = value(Some(&session));
            if let Ok(v) = HeaderValue::from_str(&id) {
                r.headers_mut().insert(HEADER, v);
            }
            return Ok(r);
        }
        _ => {}
    }
    let id = headers.get(HEADER).and_then(|v| v.to_str().ok());
    let id = id.filter(|id| session::alive(s, id.trim()));
    let id = id.ok_or_else(Fault::not_authenticated)?;
    if get {
        // Properties are read whole; a dotted path is PropertyCollector's business.
        if leaf.contains('.') || !matches!(kind, "VirtualMachine" | "Task" | "TaskManager") {
            return Err(Fault::invalid_property(leaf));
        }
        return Ok(value(props::get(s, kind, moid, leaf)?.as_ref()));
    }
    if !post {
        return Err(Fault::not_supported(&format!("{method} {kind}")));
    }
    if kind == "PropertyCollector" && matches!(leaf, "RetrievePropertiesEx" | "RetrieveProperties")
    {
        return retrieve(s, id.trim(), leaf, body);
    }
    let args = JsonArgs::parse(body)?;
    match (kind, leaf) {
        ("SessionManager", "Logout") => {
            s.sessions().remove(id.trim());
            Ok(status(StatusCode::NO_CONTENT))
        }
        ("PropertyCollector", "ContinueRetrievePropertiesEx") => {
            let token = required(args.text("token"), "token")?;
            let next = s.pages().next(id.trim(), &token)?;
            Ok(page(s, Some(next)))
        }
        ("PropertyCollector", "CancelRetrievePropertiesEx") => {
            let token = required(args.text("token"), "token")?;
            s.pages().cancel(id.trim(), &token)?;
            Ok(status(StatusCode::NO_CONTENT))
        }
        ("Task", "CancelTask") => Err(snapshots::cancel(s, moid)),
        ("EventManager", "QueryEvents") => {
            let entity = &args.0.get("filter").unwrap_or(&Value::Null)["entity"]["entity"];
            let (Some(kind), Some(target)) = (entity["type"].as_str(), entity["value"].as_str())
            else {
                return Err(Fault::invalid_request("QueryEvents needs filter.entity"));
            };
            let max = args.0.get("filter").and_then(|f| f["maxCount"].as_u64());
            let events = vim::events::query(s, kind, target, max.map(|m| m as usize))?;
            Ok(value(Some(&events)))
        }
        _ => match Op::parse(leaf, &args)? {
            Some(op) if op.on() == kind => {
                let task = snapshots::run(s, &op, moid)?;
                Ok(value(Some(&Val::Ref("Task", task))))
            }
            // A known type without this method: what vCenter says of a method it lacks.
            _ => Err(Fault::not_supported(&format!("{kind}.{leaf}"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::vcenter::vim::props::vm_prop;
    use crate::sim::vcenter::vim::snapshots::VimState;

    fn same(v: &Val) {
        let mut written = Vec::new();
        write_json(v, &mut written);
        assert_eq!(String::from_utf8(written).unwrap(), to_json(v).to_string());
    }

    /// The written bytes are those of the `Value`: for what VMs answer (names, power, snapshot
    /// trees, layouts) and for boxed primitives, empty lists, escapes and a repeated field.
    #[test]
    fn written_json_is_the_value_json() {
        let mut w = crate::sim::generate::generate(200, 42);
        w.vms[3].name = "web \"03\" \\ tab\t\u{1} é".into();
        let mut st = VimState::new(42);
        let mut with_snapshots = 0;
        for v in 0..w.vms.len() as u32 {
            for path in ["name", "runtime.powerState", "snapshot", "layoutEx"] {
                if let Some(val) = vm_prop(&w, &mut st, v, path).unwrap() {
                    with_snapshots += usize::from(path == "snapshot");
                    same(&val);
                    same(&val.any());
                }
            }
        }
        assert!(with_snapshots > 10, "{with_snapshots}");
        same(&Val::Obj(
            "Thing",
            vec![
                ("zeta", Val::Int(-7)),
                ("Upper", Val::str("before _typeName")),
                ("empty", Val::List("int", vec![])),
                (
                    "ints",
                    Val::List("int", vec![Val::Int(1), Val::Int(2)]).any(),
                ),
                ("flag", Val::Bool(false).any()),
                ("zeta", Val::str("the last one wins")),
            ],
        ));
        same(&Val::Any(Box::new(Val::Any(Box::new(Val::str("nested"))))));
    }
}
