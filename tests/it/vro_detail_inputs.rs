//! A workflow's Inputs table in the detail pane, as an operator reads it at 120×40 and
//! 160×45: every description whole (wrapped under its column, not cut at the pane's edge),
//! every name and type whole.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::Backend;
use vnav::api::model::Details;
use vnav::app::DetailState;
use vnav::runtime::driver::{Driver, screen_text};
use vnav::sim::VroVersion;

use crate::all_snapshots::connected;
use crate::sim_vro_support::vro_sim;
use crate::vro_client::backend;

const T: Duration = Duration::from_secs(30);

/// A line's text inside the detail pane (after the tree's border), trimmed.
fn text_of_pane(l: &[char]) -> String {
    let s: String = l.iter().collect();
    s.split('│')
        .filter(|p| !p.trim().is_empty())
        .nth(1)
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The Inputs table as drawn: (name, type, description) per row, the description's lines
/// joined, whether they are beside the row (under a "Description" heading) or below it.
fn inputs_on_screen(text: &str) -> Vec<(String, String, String)> {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let at = |l: &[char], word: &str| {
        let w: Vec<char> = word.chars().collect();
        l.windows(w.len()).position(|x| x == w.as_slice())
    };
    // The line after the section's title ("│Inputs   │") heads the table.
    let head = 1 + lines
        .iter()
        .position(|l| text_of_pane(l) == "Inputs")
        .unwrap_or_else(|| panic!("no Inputs table on screen:\n{text}"));
    let line = &lines[head];
    let (name_x, type_x) = (at(line, "Name").unwrap(), at(line, "Type").unwrap());
    let desc_x = at(line, "Description");
    let text_of = |l: &[char], from: usize| -> String {
        let to = l[from..]
            .iter()
            .position(|&c| c == '│')
            .map_or(l.len(), |p| from + p);
        l[from..to].iter().collect::<String>().trim().to_string()
    };
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for l in &lines[head + 1..] {
        let whole = text_of(l, name_x);
        if whole.is_empty() {
            break;
        }
        // A row starts at the Name column; its description's own lines start further in.
        let name: String = match l[name_x] {
            ' ' => String::new(),
            _ => l[name_x..type_x]
                .iter()
                .collect::<String>()
                .trim()
                .to_string(),
        };
        match rows.last_mut() {
            Some(r) if name.is_empty() => {
                if !r.2.is_empty() {
                    r.2.push(' ');
                }
                r.2.push_str(&whole);
            }
            _ => {
                let ty = text_of(l, type_x);
                let ty = ty.split("  ").next().unwrap_or("").to_string();
                let desc = desc_x.map(|x| text_of(l, x)).unwrap_or_default();
                rows.push((name, ty, desc));
            }
        }
    }
    rows
}

/// Opens workflow `name` by `:goto` and waits for its details.
pub(crate) async fn workflow_shown(d: &mut Driver, name: &str) -> Arc<Details> {
    d.key(KeyCode::Char(':'));
    d.type_str(&format!("goto {name}"));
    d.key(KeyCode::Enter);
    let shown = |a: &vnav::app::App| {
        matches!(&a.detail.state, DetailState::Loaded(x) if &*x.node.name == name)
            && !a.detail.is_loading()
    };
    assert!(d.until(T, shown).await, "{name}'s details");
    match &d.app.detail.state {
        DetailState::Loaded(x) => x.clone(),
        _ => unreachable!(),
    }
}

fn declared(d: &Details) -> Vec<(String, String, String)> {
    let inputs = d.sections.iter().find(|s| s.title == "Inputs").unwrap();
    let t = inputs.table.as_ref().unwrap();
    let col = |name: &str| t.columns.iter().position(|c| c == name).unwrap();
    let (n, ty, desc) = (col("Name"), col("Type"), col("Description"));
    t.rows
        .iter()
        .map(|r| {
            (
                r.cells[n].clone(),
                r.cells[ty].clone(),
                r.cells[desc].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_input_reads_whole_at_120x40_and_160x45() {
    let s = vro_sim(VroVersion::V8).await;
    let b: Arc<dyn Backend> = Arc::new(backend(&s));
    let mut d = connected(&[("vro", b)]).await;
    for name in [
        "Rotate certificate",
        "Apply guest OS patches",
        "Create a snapshot",
    ] {
        let details = workflow_shown(&mut d, name).await;
        let want = declared(&details);
        assert!(
            want.iter().any(|r| r.2.len() > 25),
            "{name}: a long description"
        );
        for (w, h) in [(120, 40), (160, 45)] {
            let text = screen_text(&d.render(w, h));
            assert_eq!(inputs_on_screen(&text), want, "{name} at {w}×{h}:\n{text}");
            // Every heading whole too: short cells ("Yes") under a long heading give up no room.
            assert!(text.contains("Mandatory"), "{name} at {w}×{h}:\n{text}");
        }
    }
    d.shutdown().await;
}

/// At 80 columns (the detail pane 42 inside) the Inputs' name and type keep the line and what
/// has no room beside them reads whole under the row ("Mandatory: Yes", a default, the
/// allowed values) before the description: no heading cut to "Mand…", no value past the edge.
#[tokio::test]
async fn inputs_read_whole_at_80_columns() {
    let s = vro_sim(VroVersion::V8).await;
    let b: Arc<dyn Backend> = Arc::new(backend(&s));
    let mut d = connected(&[("vro", b)]).await;
    workflow_shown(&mut d, "Apply guest OS patches").await;
    let text = screen_text(&d.render(80, 60));
    // The detail pane's inside: right of the tree pane (36 wide) and its own border.
    let pane: Vec<String> = text
        .lines()
        .map(|l| {
            l.chars()
                .skip(37)
                .take(42)
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect();
    let at = pane.iter().position(|l| l == "Inputs").expect(&text);
    assert!(
        pane[at + 1].starts_with("Name") && pane[at + 1].ends_with("Type"),
        "{text}"
    );
    let end = at + pane[at..].iter().position(|l| l.is_empty()).expect(&text);
    assert!(pane[at..end].iter().all(|l| !l.contains('…')), "{text}");
    let vm = pane.iter().position(|l| l.starts_with("vm ")).expect(&text);
    assert_eq!(pane[vm + 1], "Mandatory: Yes", "{text}");
    let baseline = pane
        .iter()
        .position(|l| l.starts_with("baseline "))
        .expect(&text);
    assert!(
        pane[baseline + 1].starts_with("Default: critical · Allowed:"),
        "{text}"
    );
    d.shutdown().await;
}
