//! What answered at an endpoint's URL when it is not the product the client was told to expect:
//! a vCenter, a vCloud Director or a plain web page. Looked at on the first exchange only (the
//! version list or the login), so a wrong `--product` or a wrong URL is said in those words
//! instead of as a status code or a raw HTML or XML body.

use super::error::ApiError;
use super::http::Response;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answerer {
    Vcd,
    Vcenter,
    WebPage,
}

/// The product this client speaks, for the sentence that names the mismatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    Vcd,
    Vcenter,
}

impl Expected {
    fn name(self) -> &'static str {
        match self {
            Expected::Vcd => "vCloud Director",
            Expected::Vcenter => "vCenter",
        }
    }
}

/// Who answered, from the marks each kind of server leaves on every answer: vCD's request-id
/// header and `vcloud` XML namespace, vCenter's vAPI error JSON, an HTML document.
pub fn what_answered(resp: &Response) -> Option<Answerer> {
    let content_type = resp.header("content-type").unwrap_or("").to_lowercase();
    let head = String::from_utf8_lossy(&resp.body[..resp.body.len().min(512)])
        .trim_start()
        .to_lowercase();
    if resp.header("x-vmware-vcloud-request-id").is_some()
        || content_type.contains("vnd.vmware.vcloud")
        || (head.starts_with('<') && head.contains("www.vmware.com/vcloud/"))
    {
        return Some(Answerer::Vcd);
    }
    if content_type.contains("text/html") || is_html(&head) {
        return Some(Answerer::WebPage);
    }
    let json: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
    let vapi_type = json["type"]
        .as_str()
        .is_some_and(|t| t.starts_with("com.vmware.vapi."));
    (json["error_type"].is_string() || vapi_type).then_some(Answerer::Vcenter)
}

/// Whether a (trimmed, lowercased) body starts like an HTML document.
fn is_html(head: &str) -> bool {
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// The error to report when something other than `expected` answered at `base`; None when the
/// answer looks like the expected product (its own error handling then applies).
pub fn mismatch(base: &str, expected: Expected, resp: &Response) -> Option<ApiError> {
    let message = match (what_answered(resp)?, expected) {
        (Answerer::Vcenter, Expected::Vcd) => format!(
            "{base} answers like a vCenter, not a vCloud Director — use --product vcenter \
             (product = \"vcenter\" in a context)"
        ),
        (Answerer::Vcd, Expected::Vcenter) => format!(
            "{base} answers like a vCloud Director, not a vCenter — use --product vcd \
             (product = \"vcd\" in a context)"
        ),
        (Answerer::WebPage, _) => format!(
            "{base} answers with a web page (HTTP {}), not the {} API — check the URL",
            resp.status,
            expected.name()
        ),
        _ => return None,
    };
    Some(ApiError::Unsupported(message))
}

/// The error for a URL where the product's fixed entry point (`what`) is missing or answers
/// something else: the URL points at some other server, or at the wrong port or path.
pub fn no_api(base: &str, expected: Expected, what: &str) -> ApiError {
    ApiError::Unsupported(format!(
        "{base} does not answer like a {}: no {what} there — check the URL (and the port)",
        expected.name()
    ))
}

/// A body that is not the product's own error format, described instead of quoted: markup and
/// JSON are named, a short plain-text line (a proxy's words) is kept.
pub fn describe_body(status: u16, body: &[u8]) -> String {
    let status = match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    };
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if is_html(&text.to_lowercase()) {
        return format!("{status} (a web page)");
    }
    if text.is_empty() || text.starts_with('{') || text.starts_with('[') {
        return status;
    }
    if text.starts_with('<') {
        return format!("{status} (an XML answer vnav does not know)");
    }
    let line: String = text
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(160)
        .collect();
    format!("{status}: {line}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn resp(status: u16, content_type: &str, body: &str) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_str(content_type).unwrap());
        Response {
            status,
            headers,
            body: body.as_bytes().to_vec().into(),
        }
    }

    #[test]
    fn each_kind_of_server_is_recognised() {
        let vcd = resp(
            406,
            "application/xml",
            r#"<?xml version="1.0"?><Error xmlns="http://www.vmware.com/vcloud/v1.5" message="x"/>"#,
        );
        assert_eq!(what_answered(&vcd), Some(Answerer::Vcd));
        let api = resp(
            401,
            "application/json",
            r#"{"error_type":"UNAUTHENTICATED"}"#,
        );
        assert_eq!(what_answered(&api), Some(Answerer::Vcenter));
        let rest = resp(
            404,
            "application/json",
            r#"{"type":"com.vmware.vapi.std.errors.not_found","value":{}}"#,
        );
        assert_eq!(what_answered(&rest), Some(Answerer::Vcenter));
        let page = resp(404, "text/plain", "  <!DOCTYPE html><html></html>");
        assert_eq!(what_answered(&page), Some(Answerer::WebPage));
        assert_eq!(what_answered(&resp(500, "text/plain", "oops")), None);
        assert!(mismatch("https://x", Expected::Vcd, &vcd).is_none());
        assert_eq!(
            describe_body(page.status, &page.body),
            "HTTP 404 Not Found (a web page)"
        );
        assert_eq!(
            describe_body(406, &vcd.body),
            "HTTP 406 Not Acceptable (an XML answer vnav does not know)"
        );
        assert_eq!(
            describe_body(502, b"upstream timed out\nmore"),
            "HTTP 502 Bad Gateway: upstream timed out"
        );
    }
}
