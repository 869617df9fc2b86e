//! `y` copies what identifies a node: the menu offers the name and what the backend says can be
//! copied (ids, hrefs, moids, curl / govc / PowerCLI commands), and the choice reaches the
//! clipboard through the terminal (OSC 52).

use crossterm::event::KeyCode;
use vnav::api::model::{Node, NodeKind};
use vnav::api::{Backend, ChildSink};
use vnav::app::Overlay;
use vnav::app::dialog::Dialog;
use vnav::app::event::{ApiAnswer, Effect, Event};
use vnav::sim::SimOptions;

use crate::app_ui::{connected, details, with_vms};
use crate::backends;
use crate::sim_support::sim;
use crate::support::*;

#[tokio::test(start_paused = true)]
async fn y_offers_the_name_and_the_backends_copies_and_copies_the_choice() {
    let mut app = connected();
    with_vms(&mut app);
    tokio::time::advance(std::time::Duration::from_millis(500)).await;
    let effects = app.handle(Event::Tick).effects;
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::Details { req, .. } => Some(*req),
            _ => None,
        })
        .expect("details read");
    answer(
        &mut app,
        req,
        0,
        ApiAnswer::Details(Box::new(Ok(details("vm/1", "web-01")))),
    );
    key(&mut app, KeyCode::Char('y'));
    let Some(Overlay::Dialog(Dialog::Copy { items, .. })) = &app.overlay else {
        panic!("no copy menu: {:?}", app.overlay)
    };
    assert_eq!(
        items,
        &[
            ("name".to_string(), "web-01".to_string()),
            ("href".to_string(), "vm/1".to_string())
        ]
    );
    assert!(screen(&mut app, 100, 30).contains("href"));
    let effects = key(&mut app, KeyCode::Char('2')).effects;
    assert!(
        matches!(&effects[..], [Effect::Copy(t)] if t == "vm/1"),
        "{effects:?}"
    );
    assert!(app.overlay.is_none());
    assert!(app.toast.as_ref().unwrap().text.starts_with("copied href"));
    // Enter copies the highlighted one (the name first); anything else closes.
    key(&mut app, KeyCode::Char('y'));
    let effects = key(&mut app, KeyCode::Enter).effects;
    assert!(
        matches!(&effects[..], [Effect::Copy(t)] if t == "web-01"),
        "{effects:?}"
    );
    key(&mut app, KeyCode::Char('y'));
    assert!(key(&mut app, KeyCode::Char('x')).effects.is_empty());
    assert!(app.overlay.is_none());
}

/// At 80 columns an href is wider than the copy menu: it wraps between its parts, under
/// itself, the VM's id whole on its line (it was cut mid-UUID at the dialog's edge).
#[tokio::test(start_paused = true)]
async fn a_long_href_in_the_copy_menu_wraps_between_its_parts() {
    let mut app = connected();
    with_vms(&mut app);
    let req = crate::app_detail_read::details_req(&mut app).await;
    let href = "https://vcd.example.com/api/vApp/vm-7aaf88b6-a0fc-45b3-8454-f9b6c0b13e4e";
    let mut d = details("vm/1", "web-01");
    d.copies = vec![("href".into(), href.into())];
    answer(&mut app, req, 0, ApiAnswer::Details(Box::new(Ok(d))));
    key(&mut app, KeyCode::Char('y'));
    let text = screen(&mut app, 80, 24);
    let lines: Vec<&str> = text.lines().collect();
    let at = (lines.iter())
        .position(|l| l.contains("href "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        lines[at]
            .trim_end_matches([' ', '│'])
            .ends_with("/api/vApp/"),
        "{text}"
    );
    assert!(
        lines[at + 1].contains("vm-7aaf88b6-a0fc-45b3-8454-f9b6c0b13e4e"),
        "{text}"
    );
}

async fn children(b: &dyn Backend, parent: &Node) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(parent, &sink).await.unwrap();
    got.take()
}

async fn first(b: &dyn Backend, parent: &Node, pick: impl Fn(&Node) -> bool) -> Node {
    children(b, parent)
        .await
        .into_iter()
        .find(|n| pick(n))
        .unwrap_or_else(|| panic!("nothing to pick under {}", parent.name))
}

fn labels(copies: &[(String, String)]) -> Vec<&str> {
    copies.iter().map(|(l, _)| l.as_str()).collect()
}

/// Both products say what can be copied about a VM: vCD its URN and href, vCenter its moid,
/// each with the commands that fetch it from a shell.
#[tokio::test]
async fn vcd_and_vcenter_vms_offer_ids_and_commands() {
    let s = sim(SimOptions::default()).await;
    let vcd = backends::vcd_admin(&s);
    vcd.connect().await.unwrap();
    let all = first(&vcd, &vcd.root(), |n| &*n.name == "All VMs").await;
    let vm = first(&vcd, &all, |_| true).await;
    let d = vcd.details(&vm).await.unwrap();
    assert_eq!(labels(&d.copies), ["id", "href", "curl", "PowerCLI"]);
    assert!(
        d.copies[0].1.starts_with("urn:vcloud:vm:"),
        "{:?}",
        d.copies
    );
    assert_eq!(d.copies[1].1, &*vm.id.as_str());
    assert!(d.copies[2].1.contains(&*vm.id.as_str()) && d.copies[2].1.contains("version="));
    assert_eq!(d.copies[3].1, format!("Get-CIVM -Name '{}'", vm.name));

    let vc = backends::vcenter_admin(&s);
    vc.connect().await.unwrap();
    let dc = first(&vc, &vc.root(), |n| n.kind == NodeKind::Datacenter).await;
    let vms = first(&vc, &dc, |n| &*n.name == "VMs").await;
    let vm = first(&vc, &vms, |_| true).await;
    let d = vc.details(&vm).await.unwrap();
    assert_eq!(labels(&d.copies), ["moid", "curl", "govc", "PowerCLI"]);
    let moid = &d.copies[0].1;
    assert!(moid.starts_with("vm-"), "{moid}");
    let url = format!("'{}/api/vcenter/vm/{moid}'", s.vcenter_url);
    assert!(d.copies[1].1.ends_with(&url), "{:?}", d.copies[1]);
    assert_eq!(d.copies[3].1, format!("Get-VM -Id 'VirtualMachine-{moid}'"));
}

/// What reaches the terminal: OSC 52 with the text in base64, for the system clipboard.
#[test]
fn the_clipboard_sequence_is_osc_52() {
    use crossterm::Command;
    let mut out = String::new();
    crossterm::clipboard::CopyToClipboard::to_clipboard_from("web-01")
        .write_ansi(&mut out)
        .unwrap();
    assert_eq!(out, "\x1b]52;c;d2ViLTAx\x1b\\");
}

/// Issue 17: `Y` copies the node as its product's natural command at once: govc where the
/// backend offers one (vCenter), else curl; not before its details are read.
#[tokio::test(start_paused = true)]
async fn shift_y_copies_govc_else_curl_at_once() {
    for (copies, want) in [
        (
            vec![
                ("href", "vm/1"),
                ("curl", "curl -s 'vm/1'"),
                ("PowerCLI", "Get-CIVM"),
            ],
            "curl -s 'vm/1'",
        ),
        (
            vec![
                ("moid", "vm-1"),
                ("curl", "curl -s 'x'"),
                ("govc", "govc vm.info 'web-01'"),
                ("PowerCLI", "Get-VM"),
            ],
            "govc vm.info 'web-01'",
        ),
    ] {
        let mut app = connected();
        with_vms(&mut app);
        let early = key(&mut app, KeyCode::Char('Y')).effects;
        assert!(
            !early.iter().any(|e| matches!(e, Effect::Copy(_))),
            "{early:?}"
        );
        tokio::time::advance(std::time::Duration::from_millis(500)).await;
        let effects = app.handle(Event::Tick).effects;
        let req = effects
            .iter()
            .find_map(|e| match e {
                Effect::Details { req, .. } => Some(*req),
                _ => None,
            })
            .expect("details read");
        let mut d = details("vm/1", "web-01");
        d.copies = copies
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        answer(&mut app, req, 0, ApiAnswer::Details(Box::new(Ok(d))));
        let effects = key(&mut app, KeyCode::Char('Y')).effects;
        let copied: Vec<&String> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Copy(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(copied, [want]);
        assert!(app.overlay.is_none(), "no menu");
    }
}
