//! A vim25 SOAP subset at `/sdk` for what the REST API cannot do, VM snapshots:
//! RetrieveServiceContent, Login/Logout (cookie `vmware_soap_session`), RetrieveProperties(Ex)
//! of VMs and tasks, Create/RevertTo/Remove snapshot tasks and RemoveAllSnapshots.

pub mod props;
pub mod snapshots;

use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use super::VcShared;
use crate::sim::vcd::xml::esc;
use crate::sim::{DEMO_PASSWORD, VCENTER_USER};

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

pub fn moref(tag: &str, kind: &str, id: &str) -> String {
    format!("<{tag} type=\"{kind}\">{}</{tag}>", esc(id))
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

fn service_content(s: &VcShared) -> String {
    let (version, build) = match s.version {
        super::VcenterVersion::V6_7 => ("6.7.0", "19299595"),
        super::VcenterVersion::V7_0 => ("7.0.3", "21477706"),
        super::VcenterVersion::V8_0 => ("8.0.2", "22617221"),
    };
    let w = s.vcd.read();
    let mut out = String::from("<returnval>");
    out.push_str(&moref("rootFolder", "Folder", &w.vc.folders[0].moid));
    out.push_str(&moref(
        "propertyCollector",
        "PropertyCollector",
        "propertyCollector",
    ));
    out.push_str(&moref("viewManager", "ViewManager", "ViewManager"));
    let _ = write!(
        out,
        "<about><name>VMware vCenter Server</name><fullName>VMware vCenter Server {version} build-{build}</fullName>\
         <vendor>VMware, Inc.</vendor><version>{version}</version><build>{build}</build>\
         <localeVersion>INTL</localeVersion><localeBuild>000</localeBuild><osType>linux-x64</osType>\
         <productLineId>vpx</productLineId><apiType>VirtualCenter</apiType><apiVersion>{version}.0</apiVersion>\
         <instanceUuid>{}</instanceUuid><licenseProductName>VMware VirtualCenter Server</licenseProductName>\
         <licenseProductVersion>{}.0</licenseProductVersion></about>",
        crate::sim::world::uuid_str(w.vcenter),
        &version[..1]
    );
    out.push_str(&moref("sessionManager", "SessionManager", "SessionManager"));
    out.push_str(&moref("taskManager", "TaskManager", "TaskManager"));
    out.push_str(&moref("searchIndex", "SearchIndex", "SearchIndex"));
    out.push_str("</returnval>");
    out
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

pub fn handle(s: &VcShared, method: &Method, headers: &HeaderMap, body: &[u8]) -> Response {
    if *method != Method::POST {
        return fault("MethodFault", "The SOAP endpoint takes POST requests.", "");
    }
    let text = String::from_utf8_lossy(body);
    let Some((op, inner)) = operation(&text) else {
        return fault("InvalidRequest", "The request is not a SOAP envelope.", "");
    };
    match op {
        "RetrieveServiceContent" => return reply(op, &service_content(s)),
        "Login" => {
            let user = field(inner, "userName").unwrap_or_default();
            let password = field(inner, "password").unwrap_or_default();
            if !user.eq_ignore_ascii_case(VCENTER_USER) || password != DEMO_PASSWORD {
                return fault(
                    "InvalidLogin",
                    "Cannot complete login due to an incorrect user name or password.",
                    "",
                );
            }
            let id = super::session::open(s);
            let mut r = reply(
                op,
                &format!(
                    "<returnval><key>{id}</key><userName>VSPHERE.LOCAL\\Administrator</userName>\
                     <fullName>Administrator vsphere.local</fullName><locale>en</locale>\
                     <messageLocale>en</messageLocale><extensionSession>false</extensionSession>\
                     </returnval>"
                ),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE}=\"{id}\"; Path=/; HttpOnly")) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            return r;
        }
        _ => {}
    }
    let Some(id) = cookie_session(headers).filter(|id| super::session::alive(s, id)) else {
        return fault(
            "NotAuthenticated",
            "The session is not authenticated.",
            "<object type=\"SessionManager\">SessionManager</object><privilegeId>System.View</privilegeId>",
        );
    };
    match op {
        "Logout" => {
            s.sessions().remove(&id);
            reply(op, "")
        }
        "RetrieveProperties" | "RetrievePropertiesEx" => props::retrieve(s, op, inner),
        "CreateSnapshot_Task"
        | "RevertToSnapshot_Task"
        | "RevertToCurrentSnapshot_Task"
        | "RemoveSnapshot_Task"
        | "RemoveAllSnapshots_Task" => snapshots::act(s, op, inner),
        _ => fault(
            "NotSupported",
            &format!("The simulator does not implement {op}."),
            "",
        ),
    }
}
