//! A vim25 SOAP subset at `/sdk` for what the REST API cannot do, VM snapshots:
//! RetrieveServiceContent, Login/Logout (cookie `vmware_soap_session`), RetrieveProperties(Ex)
//! of VMs and tasks (paged: Continue/CancelRetrievePropertiesEx), Create/RevertTo/Remove snapshot tasks and RemoveAllSnapshots. The objects
//! and their logic are `vim`'s, shared with VI/JSON; this reads envelopes and writes XML.

pub mod props;

use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use super::VcShared;
use super::vim::snapshots::{self, Op};
use super::vim::{self, Args, Fault, Val};
use crate::sim::vcd::xml::esc;

pub const COOKIE: &str = "vmware_soap_session";

/// One element found by `elems`: its attributes text and its raw inner text.
pub struct Elem<'a> {
    pub attrs: &'a str,
    pub text: &'a str,
}

impl Elem<'_> {
    pub fn attr(&self, name: &str) -> Option<&str> {
        let key = format!("{name}=\"");
        let at = self.attrs.find(&key)? + key.len();
        let end = self.attrs[at..].find('"')?;
        Some(&self.attrs[at..at + end])
    }
    /// Inner text with the five XML entities decoded.
    pub fn value(&self) -> String {
        self.text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    }
}

/// Every element with local name `name` (any namespace prefix), in document order. Plain
/// string scanning is enough for the flat request bodies vim25 clients send.
pub fn elems<'a>(xml: &'a str, name: &str) -> Vec<Elem<'a>> {
    let mut out = vec![];
    let mut at = 0;
    while let Some(i) = xml[at..].find('<') {
        let start = at + i + 1;
        at = start;
        let tag_end = xml[start..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(xml.len(), |e| start + e);
        let tag = &xml[start..tag_end];
        let local = tag.rsplit(':').next().unwrap_or(tag);
        if local != name || tag.starts_with(['/', '?', '!']) {
            continue;
        }
        let Some(close) = xml[tag_end..].find('>').map(|e| tag_end + e) else {
            break;
        };
        let attrs = &xml[tag_end..close];
        if attrs.ends_with('/') {
            out.push(Elem { attrs, text: "" });
            continue;
        }
        let end_tag = format!("</{tag}>");
        let text_end = xml[close + 1..]
            .find(&end_tag)
            .map_or(xml.len(), |e| close + 1 + e);
        out.push(Elem {
            attrs,
            text: &xml[close + 1..text_end],
        });
    }
    out
}

/// Text of the first `name` element, decoded.
pub fn field(xml: &str, name: &str) -> Option<String> {
    elems(xml, name).first().map(Elem::value)
}

pub fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope \
         xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" \
         xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<soapenv:Body>\n{body}\n\
         </soapenv:Body>\n</soapenv:Envelope>\n"
    )
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    r
}

/// `<{op}Response xmlns="urn:vim25">{inner}</…>` in an envelope.
pub fn reply(op: &str, inner: &str) -> Response {
    xml_response(
        StatusCode::OK,
        envelope(&format!(
            "<{op}Response xmlns=\"urn:vim25\">{inner}</{op}Response>"
        )),
    )
}

/// A SOAP fault (HTTP 500) carrying vim fault type `kind` (`InvalidLogin`, `NotAuthenticated`…).
pub fn fault(kind: &str, message: &str, detail: &str) -> Response {
    xml_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        envelope(&format!(
            "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>{}</faultstring>\
             <detail><{kind}Fault xmlns=\"urn:vim25\" xsi:type=\"{kind}\">{detail}</{kind}Fault>\
             </detail></soapenv:Fault>",
            esc(message)
        )),
    )
}

fn cookie_session(headers: &HeaderMap) -> Option<String> {
    for v in headers.get_all(header::COOKIE) {
        for part in v.to_str().ok()?.split(';') {
            if let Some(val) = part.trim().strip_prefix(&format!("{COOKIE}=")) {
                return Some(val.trim_matches('"').to_string());
            }
        }
    }
    headers
        .get("vmware-api-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The operation is the first element inside `Body`.
fn operation(xml: &str) -> Option<(&str, &str)> {
    let body = elems(xml, "Body").into_iter().next()?.text;
    let start = body.find('<')? + 1;
    let end = body[start..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .map(|e| start + e)?;
    let tag = &body[start..end];
    Some((tag.rsplit(':').next().unwrap_or(tag), body))
}

/// Writes `v` as element `tag`. In a `Val::Any` position the element names its type with
/// `xsi:type`, and an array is one element holding an element per item.
fn write_xml(out: &mut String, tag: &str, v: &Val, typed: bool) {
    match v {
        Val::Any(inner) => return write_xml(out, tag, inner, true),
        Val::List(_, items) if !typed => {
            items.iter().for_each(|i| write_xml(out, tag, i, false));
            return;
        }
        _ => {}
    }
    let _ = write!(out, "<{tag}");
    if let Val::Ref(kind, _) = v {
        let _ = write!(out, " type=\"{kind}\"");
    }
    if typed {
        let prefix = if matches!(v, Val::Str(_) | Val::Int(_) | Val::Bool(_)) {
            "xsd:"
        } else {
            ""
        };
        let _ = write!(out, " xsi:type=\"{prefix}{}\"", v.type_name());
    }
    out.push('>');
    match v {
        Val::Str(s) | Val::Ref(_, s) => out.push_str(&esc(s)),
        Val::Int(i) => out.push_str(&i.to_string()),
        Val::Bool(b) => out.push_str(&b.to_string()),
        Val::Enum(_, e) => out.push_str(e),
        Val::Obj(_, fields) => fields
            .iter()
            .for_each(|(name, f)| write_xml(out, name, f, false)),
        Val::List(elem, items) => items.iter().for_each(|i| write_xml(out, elem, i, false)),
        Val::Any(_) => {}
    }
    let _ = write!(out, "</{tag}>");
}

/// `v` as element `tag` (several elements for an array).
pub fn xml(tag: &str, v: &Val) -> String {
    let mut out = String::new();
    write_xml(&mut out, tag, v, false);
    out
}

/// A vim fault as a SOAP fault, its fields as the detail.
pub fn vim_fault(f: &Fault) -> Response {
    let detail: String = f.fields.iter().map(|(n, v)| xml(n, v)).collect();
    fault(f.kind, &f.message, &detail)
}

/// Arguments as the elements of the operation's body.
struct XmlArgs<'a>(&'a str);

impl Args for XmlArgs<'_> {
    fn text(&self, name: &str) -> Result<Option<String>, Fault> {
        Ok(field(self.0, name))
    }
    fn flag(&self, name: &str) -> Result<Option<bool>, Fault> {
        match field(self.0, name).as_deref().map(str::trim) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(other) => Err(Fault::invalid_request(format!(
                "{name} must be a boolean, not {other}."
            ))),
        }
    }
}

pub fn handle(s: &VcShared, method: &Method, headers: &HeaderMap, body: &[u8]) -> Response {
    if *method != Method::POST {
        return fault("MethodFault", "The SOAP endpoint takes POST requests.", "");
    }
    let text = String::from_utf8_lossy(body);
    let Some((op, inner)) = operation(&text) else {
        return fault("InvalidRequest", "The request is not a SOAP envelope.", "");
    };
    call(s, op, inner, headers).unwrap_or_else(|f| vim_fault(&f))
}

fn call(s: &VcShared, op: &str, inner: &str, headers: &HeaderMap) -> Result<Response, Fault> {
    match op {
        "RetrieveServiceContent" => {
            return Ok(reply(op, &xml("returnval", &vim::service_content(s))));
        }
        "Login" => {
            let (id, session) = vim::login(s, &XmlArgs(inner))?;
            let mut r = reply(op, &xml("returnval", &session));
            if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE}=\"{id}\"; Path=/; HttpOnly")) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            return Ok(r);
        }
        _ => {}
    }
    let id = cookie_session(headers).filter(|id| super::session::alive(s, id));
    let id = id.ok_or_else(Fault::not_authenticated)?;
    let this = field(inner, "_this").unwrap_or_default();
    match op {
        "Logout" => {
            s.sessions().remove(&id);
            Ok(reply(op, ""))
        }
        "RetrieveProperties" | "RetrievePropertiesEx" => props::retrieve(s, &id, op, inner),
        "ContinueRetrievePropertiesEx" | "CancelRetrievePropertiesEx" => {
            props::resume(s, &id, op, inner)
        }
        "CancelTask" => Err(snapshots::cancel(s, &this)),
        "QueryEvents" => {
            if this != "EventManager" {
                return Err(Fault::not_found("EventManager", &this));
            }
            // The filter's entity is the one `<entity type=…>` (the spec's own `entity`
            // element wraps it).
            let entities = elems(inner, "entity");
            let target = entities
                .iter()
                .find_map(|e| Some((e.attr("type")?.to_string(), e.value())))
                .ok_or_else(|| Fault::invalid_request("QueryEvents needs filter.entity"))?;
            let max = field(inner, "maxCount").and_then(|m| m.parse().ok());
            let events = vim::events::query(s, &target.0, &target.1, max)?;
            Ok(reply(op, &xml("returnval", &events)))
        }
        _ => {
            let op_ = Op::parse(op, &XmlArgs(inner))?.ok_or_else(|| Fault::not_supported(op))?;
            let task = snapshots::run(s, &op_, &this)?;
            Ok(reply(op, &xml("returnval", &Val::Ref("Task", task))))
        }
    }
}
