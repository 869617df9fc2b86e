//! What a user may copy about a vCenter object: its moid, and the commands that fetch it from
//! a shell — curl on the REST API, govc, PowerCLI (whose ids are `Type-moid`).

use super::dialect::Dialect;
use super::map;
use crate::api::model::{Node, NodeKind};

/// Single quotes for a POSIX shell or PowerShell: a quote inside becomes `'\''` or `''`.
fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn ps(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// (label, text) pairs for the copy menu.
pub fn copies(node: &Node, base: &str, dialect: Dialect) -> Vec<(String, String)> {
    if matches!(node.kind, NodeKind::Group | NodeKind::Endpoint) {
        return Vec::new();
    }
    let id = node.id.as_str();
    let moid = map::moid(&id);
    let mut out = vec![("moid".to_string(), moid.to_string())];
    // Objects with a GET of their own in the REST API.
    let rest = match node.kind {
        NodeKind::Vm => Some("vm"),
        NodeKind::Datacenter => Some("datacenter"),
        NodeKind::Cluster => Some("cluster"),
        NodeKind::Datastore => Some("datastore"),
        NodeKind::ResourcePool => Some("resource-pool"),
        _ => None,
    };
    if let Some(rest) = rest {
        let url = format!("{base}{}", dialect.path(&format!("vcenter/{rest}/{moid}")));
        out.push((
            "curl".into(),
            format!("curl -s -H \"vmware-api-session-id: $TOKEN\" {}", sh(&url)),
        ));
    }
    let govc = match node.kind {
        NodeKind::Vm => Some("vm.info"),
        NodeKind::Host => Some("host.info"),
        NodeKind::Datastore => Some("datastore.info"),
        _ => None,
    };
    if let Some(cmd) = govc {
        out.push((
            "govc".into(),
            format!("govc {cmd} -json {}", sh(&node.name)),
        ));
    }
    let powercli = match node.kind {
        NodeKind::Vm => Some(("Get-VM", "VirtualMachine")),
        NodeKind::Host => Some(("Get-VMHost", "HostSystem")),
        NodeKind::Datastore => Some(("Get-Datastore", "Datastore")),
        NodeKind::Cluster => Some(("Get-Cluster", "ClusterComputeResource")),
        NodeKind::Datacenter => Some(("Get-Datacenter", "Datacenter")),
        NodeKind::ResourcePool => Some(("Get-ResourcePool", "ResourcePool")),
        NodeKind::Folder => Some(("Get-Folder", "Folder")),
        _ => None,
    };
    if let Some((cmdlet, kind)) = powercli {
        out.push((
            "PowerCLI".into(),
            format!("{cmdlet} -Id {}", ps(&format!("{kind}-{moid}"))),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vm_copies_as_moid_curl_govc_and_powercli() {
        let vm = Node::new(NodeKind::Vm, "vm/vm-42", "web-01 'prod'");
        let got = copies(&vm, "https://vc.example.com", Dialect::Api);
        let want = [
            ("moid", "vm-42"),
            (
                "curl",
                "curl -s -H \"vmware-api-session-id: $TOKEN\" 'https://vc.example.com/api/vcenter/vm/vm-42'",
            ),
            ("govc", r"govc vm.info -json 'web-01 '\''prod'\'''"),
            ("PowerCLI", "Get-VM -Id 'VirtualMachine-vm-42'"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got, want);
        let rest = copies(&vm, "https://vc", Dialect::Rest);
        assert!(
            rest[1].1.contains("https://vc/rest/vcenter/vm/vm-42"),
            "{rest:?}"
        );
    }
}
