//! `vnav inspect FILE…`: what vnav understands of saved API responses, through the same mapping
//! the UI uses. For operators holding a body saved from curl or a browser.

use std::fmt::Write;

use crate::api::model::{Node, NodeKind, Section};
use serde_json::Value;

use crate::api::vcd::{map, sections};
use crate::api::vcenter;
use crate::api::xml;

/// One file's report, or why it could not be understood.
pub fn inspect(body: &[u8]) -> Result<String, String> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    match start.map(|i| body[i]) {
        // A UTF-8 byte order mark or `<?xml` / `<Element` start an XML document.
        Some(b'<') | Some(0xEF) => inspect_xml(body),
        Some(b'{') | Some(b'[') => inspect_json(body),
        Some(_) => Err("neither XML nor JSON (the first character is neither '<' nor '{')".into()),
        None => Err("empty file".into()),
    }
}

/// Every vCloud Director namespace (vcloud v1/v1.5, extension, versions) starts with this.
const VCD_NAMESPACE: &str = "http://www.vmware.com/vcloud/";

/// Namespaces of XML that vnav does not map, and what they are, so the operator learns what the
/// file holds rather than just "unknown".
const FOREIGN: &[(&str, &str)] = &[
    ("urn:vim25", "vCenter SOAP (vim25)"),
    (
        "http://schemas.xmlsoap.org/soap/envelope/",
        "a SOAP envelope",
    ),
    (
        "http://www.w3.org/2003/05/soap-envelope",
        "a SOAP 1.2 envelope",
    ),
    (
        "http://webservice.vmware.com/vRealizeOpsMgr/1.0/",
        "Aria Operations (vROps) XML",
    ),
    ("http://www.vmware.com/vco", "Aria Orchestrator (vRO) XML"),
    (
        "http://schemas.dmtf.org/ovf/envelope/1",
        "an OVF descriptor",
    ),
];

/// The root element's local name and namespace (empty when it has none).
fn root_of(body: &[u8]) -> Result<(String, String), String> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_reader(body);
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("malformed XML: {e}"))?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let ns = match ns {
                    ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
                    ResolveResult::Unbound => String::new(),
                    ResolveResult::Unknown(prefix) => {
                        return Err(format!(
                            "malformed XML: the root element's prefix {:?} is not declared",
                            String::from_utf8_lossy(&prefix)
                        ));
                    }
                };
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                return Ok((name, ns));
            }
            Event::Eof => return Err("XML without a root element".into()),
            _ => {}
        }
    }
}

/// Only vCloud Director XML is mapped; anything else is named by its root and namespace.
fn check_vcd(body: &[u8]) -> Result<(), String> {
    let (root, ns) = root_of(body)?;
    if ns.starts_with(VCD_NAMESPACE) {
        return Ok(());
    }
    let what = match FOREIGN.iter().find(|(n, _)| *n == ns) {
        Some((_, what)) => format!("{what}, "),
        None => String::new(),
    };
    let place = if ns.is_empty() {
        "without a namespace".to_string()
    } else {
        format!("in namespace {ns}")
    };
    Err(format!(
        "not a vCloud Director document ({what}root <{root}> {place}): vnav inspect reads \
         vCloud Director XML (namespaces {VCD_NAMESPACE}…) and vCenter, Aria Operations and \
         Aria Orchestrator JSON"
    ))
}

fn inspect_xml(body: &[u8]) -> Result<String, String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    check_vcd(body)?;
    let root = xml::parse(body).map_err(|e| e.to_string())?;
    let mut out = String::new();
    let node = map::entity_node(&root);
    header(&mut out, "vCD", &root.name, &node);
    if let Some(id) = root.attr("id") {
        let _ = writeln!(out, "id        {id}");
    }
    if &*root.name == "Task" {
        let task = map::task(&root);
        let _ = writeln!(
            out,
            "task      {} · {}{}",
            task.operation,
            task.state.label(),
            task.error.map(|e| format!(" · {e}")).unwrap_or_default()
        );
    }
    let actions = map::actions(&root);
    if !actions.is_empty() {
        let ids: Vec<String> = actions.iter().map(|a| format!("{:?}", a.id)).collect();
        let _ = writeln!(out, "actions   {}", ids.join(", "));
    }
    let links = map::links(&root);
    if !links.is_empty() {
        let _ = writeln!(out, "links");
        for l in links {
            let _ = writeln!(out, "  {} → {} {}", l.rel, l.href, l.name);
        }
    }
    write_sections(&mut out, &sections::sections(&root));
    if &*root.name == "Metadata" {
        write_sections(&mut out, &[sections::metadata(&root)]);
    }
    Ok(out)
}

fn header(out: &mut String, product: &str, element: &str, node: &Node) {
    let _ = writeln!(out, "product   {product}");
    let kind = if node.kind == NodeKind::Other {
        element.to_string()
    } else {
        format!("{} ({element})", node.kind.label())
    };
    let _ = writeln!(out, "kind      {kind}");
    let _ = writeln!(out, "name      {}", node.name);
    if !node.id.is_empty() {
        let _ = writeln!(out, "href      {}", node.id);
    }
    if !node.status.label.is_empty() {
        let _ = writeln!(out, "status    {}", node.status.label);
    }
}

fn write_sections(out: &mut String, sections: &[Section]) {
    for s in sections.iter().filter(|s| !s.rows.is_empty()) {
        let _ = writeln!(out, "[{}]", s.title);
        for (k, v) in &s.rows {
            let _ = writeln!(out, "  {k}: {v}");
        }
    }
}

/// JSON responses: which product they look like; vCenter lists and VM details through the same
/// mapping as the UI, anything else as its top-level fields.
fn inspect_json(body: &[u8]) -> Result<String, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    let product = match &value {
        v if v.get("resourceList").is_some() || v.get("resourceKey").is_some() => "vROps",
        v if v.get("link").is_some() || v.get("attributes").is_some() => "vRO",
        v if [
            "value",
            "error_type",
            "power_state",
            "guest_OS",
            "family",
            "version",
        ]
        .iter()
        .any(|k| v.get(k).is_some()) =>
        {
            "vCenter"
        }
        Value::Array(_) => "vCenter",
        _ => "unknown JSON API",
    };
    let mut out = format!("product   {product}\n");
    // The /rest dialect wraps every payload in {"value": …}.
    let payload = match &value {
        Value::Object(m) if m.len() == 1 && m.contains_key("value") => &value["value"],
        other => other,
    };
    if product == "vCenter" {
        if let Value::String(_) = payload {
            // A session-create answer: the payload is the session id itself.
            let _ = writeln!(out, "kind      session id (not shown)");
            return Ok(out);
        }
        if let Some(report) = vcenter_list(payload) {
            return Ok(out + &report);
        }
        if payload.get("power_state").is_some() && payload.get("cpu").is_some() {
            let _ = writeln!(out, "kind      VM detail");
            write_sections(&mut out, &vcenter::map::vm_sections(payload, None));
            return Ok(out);
        }
    }
    write_sections(&mut out, &vcenter::map::plain_sections("Fields", payload));
    Ok(out)
}

/// A vCenter list (`[{"vm": "vm-1", "name": …}, …]`) as tree nodes.
fn vcenter_list(payload: &Value) -> Option<String> {
    let items = payload.as_array()?;
    let first = items.first()?;
    let kind = vcenter::map::KINDS
        .into_iter()
        .find(|k| first.get(k.id_field).is_some())?;
    let mut out = format!("kind      list of {} {}s\n", items.len(), kind.node.label());
    for item in items {
        if let Some(n) = vcenter::map::summary_node(kind, item) {
            let _ = writeln!(
                out,
                "  {} {} {} {}",
                vcenter::map::moid(&n.id.as_str()),
                n.name,
                n.status.label,
                n.summary()
            );
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XML is recognised by namespace and root: a document of another VMware API is named for
    /// what it is and refused, never reported as a vCD entity.
    #[test]
    fn foreign_xml_is_named_not_taken_for_vcd() {
        for (body, expected) in [
            (
                &br#"<?xml version="1.0"?><ops:Services xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/"><ops:service name="x"/></ops:Services>"#[..],
                "Aria Operations (vROps) XML, root <Services> in namespace http://webservice.vmware.com/vRealizeOpsMgr/1.0/",
            ),
            (
                br#"<Services xmlns="http://www.vmware.com/vsphere/lookup"/>"#,
                "(root <Services> in namespace http://www.vmware.com/vsphere/lookup)",
            ),
            (
                br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>"#,
                "a SOAP envelope, root <Envelope>",
            ),
            (br#"<Vm name="x"/>"#, "root <Vm> without a namespace"),
        ] {
            let err = inspect(body).expect_err(expected);
            assert!(err.starts_with("not a vCloud Director document"), "{err}");
            assert!(err.contains(expected), "{expected:?} not in {err:?}");
        }
        assert!(
            inspect(br#"<x:Vm xmlns:x="http://www.vmware.com/vcloud/v1.5" name="a"/>"#).is_ok()
        );
        assert!(inspect(b"<p:Vm/>").unwrap_err().contains("not declared"));
    }

    #[test]
    fn detects_format_and_reports_errors() {
        assert!(inspect(b"").is_err());
        assert!(inspect(b"hello").is_err());
        assert!(inspect(b"<Vm name=\"x\"").is_err());
        assert!(inspect(b"{\"value\": [").is_err());
        let ok = inspect(br#"{"value":{"name":"vm-1","power_state":"POWERED_ON"}}"#).unwrap();
        assert!(
            ok.contains("vCenter") && ok.contains("Power: Powered on"),
            "{ok}"
        );
    }

    /// Every real vCenter sample is understood, lists as nodes and VM details as sections.
    #[test]
    fn every_real_vcenter_sample() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vcenter/samples"
        );
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let report = inspect(&std::fs::read(entry.path()).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(report.contains("product   vCenter"), "{name}: {report}");
            if name.ends_with("_list.json") {
                assert!(report.contains("kind      list of"), "{name}: {report}");
            }
            if name.contains("vm_get") {
                assert!(report.contains("[Hardware]"), "{name}: {report}");
            }
        }
    }

    /// Every real vCD sample must be understood.
    #[test]
    fn every_real_vcd_sample() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/vcd/samples");
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
        let mut count = 0;
        for entry in entries.flatten() {
            let body = std::fs::read(entry.path()).unwrap();
            let report =
                inspect(&body).unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
            assert!(report.contains("product   vCD"), "{report}");
            count += 1;
        }
        assert!(count >= 50, "only {count} samples");
    }

    #[test]
    fn vm_sample_maps_sections_and_actions() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vcd/samples/vm.xml"
        );
        let body = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let report = inspect(&body).unwrap();
        for expected in [
            "kind      VM (Vm)",
            "status    POWERED_ON",
            "PowerOff",
            "SnapshotCreate",
            "[Hardware]",
            "CPU: 1 vCPU",
            "Memory: 1 GiB",
            "[Disks]",
            "Hard disk 1: 8 GiB lsilogic",
            "[Guest/OS]",
            "Guest OS: Ubuntu Linux (64-bit)",
            "[NICs]",
        ] {
            assert!(
                report.contains(expected),
                "missing {expected:?} in\n{report}"
            );
        }
    }
}
