//! What a user may copy about a vCD entity: its URN and href, and the commands that fetch it
//! from a shell — curl with the API version vnav negotiated, PowerCLI's CI cmdlets.

use crate::api::model::{Node, NodeKind};

/// (label, text) pairs for the copy menu; `urn` is the entity's `id` attribute.
pub fn copies(node: &Node, urn: Option<&str>, version: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(urn) = urn {
        out.push(("id".to_string(), urn.to_string()));
    }
    out.push(("href".to_string(), node.id.to_string()));
    out.push((
        "curl".into(),
        format!(
            "curl -s -H 'Accept: application/*+xml;version={version}' -H \"Authorization: Bearer $TOKEN\" '{}'",
            node.id.as_str().replace('\'', r"'\''")
        ),
    ));
    let cmdlet = match node.kind {
        NodeKind::Vm => Some("Get-CIVM"),
        NodeKind::VApp => Some("Get-CIVApp"),
        NodeKind::Org => Some("Get-Org"),
        NodeKind::Vdc => Some("Get-OrgVdc"),
        NodeKind::Catalog => Some("Get-Catalog"),
        _ => None,
    };
    if let Some(cmdlet) = cmdlet {
        out.push((
            "PowerCLI".into(),
            format!("{cmdlet} -Name '{}'", node.name.replace('\'', "''")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vm_copies_as_urn_href_curl_and_powercli() {
        let vm = Node::new(NodeKind::Vm, "https://vcd/api/vApp/vm-1", "db's");
        let got = copies(&vm, Some("urn:vcloud:vm:1"), "39.0");
        let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            got,
            [
                ("id", "urn:vcloud:vm:1"),
                ("href", "https://vcd/api/vApp/vm-1"),
                (
                    "curl",
                    "curl -s -H 'Accept: application/*+xml;version=39.0' -H \"Authorization: Bearer $TOKEN\" 'https://vcd/api/vApp/vm-1'"
                ),
                ("PowerCLI", "Get-CIVM -Name 'db''s'"),
            ]
        );
    }
}
