//! XML writing helpers: escaping, the vCloud namespace header, links, timestamps and responses.
//! Documents are written with plain `write!` so the simulator shares no code with vnav's parser.

use std::borrow::Cow;
use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use time::OffsetDateTime;
use time::macros::format_description;

pub const VCLOUD_NS: &str = "http://www.vmware.com/vcloud/v1.5";
/// Namespaces a Vm/VApp document needs; `vcloud:` prefixes vCloud attributes on OVF elements.
pub const OVF_NS: &str = concat!(
    r#" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1""#,
    r#" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData""#,
    r#" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData""#,
    r#" xmlns:vmw="http://www.vmware.com/schema/ovf""#,
    r#" xmlns:vcloud="http://www.vmware.com/vcloud/v1.5""#,
);
pub const XSI_NS: &str = r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;
pub const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Escapes text for use in element content and double- or single-quoted attributes.
pub fn esc(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

pub fn media(kind: &str) -> String {
    format!("application/vnd.vmware.vcloud.{kind}+xml")
}

/// `<Link rel= type= name= href=/>`; empty `kind`/`name` are left out.
pub fn link(out: &mut String, rel: &str, kind: &str, name: &str, href: &str) {
    let _ = write!(out, "<Link rel=\"{}\"", esc(rel));
    if !kind.is_empty() {
        let _ = write!(out, " type=\"{}\"", media(kind));
    }
    if !name.is_empty() {
        let _ = write!(out, " name=\"{}\"", esc(name));
    }
    let _ = writeln!(out, " href=\"{}\"/>", esc(href));
}

/// xs:dateTime in UTC with milliseconds.
pub fn datetime(t: OffsetDateTime) -> String {
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".into())
}

pub fn unix_datetime(secs: i64) -> String {
    datetime(OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH))
}

/// An XML response with `Content-Type: application/vnd.vmware.vcloud.<kind>+xml;version=X`.
pub fn respond(status: StatusCode, kind: &str, version: &str, body: String) -> Response {
    let ct = if version.is_empty() {
        media(kind)
    } else {
        format!("{};version={version}", media(kind))
    };
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&ct) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

pub fn json(status: StatusCode, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

pub fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

/// JSON string literal (for the small cloudapi bodies).
pub fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}
