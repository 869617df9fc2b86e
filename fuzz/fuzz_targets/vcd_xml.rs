//! The vCD XML parser and every mapping the UI runs on a parsed document must never panic,
//! whatever the server (or a man in the middle) sends. A parsed tree never nests deeper than
//! `xml::MAX_DEPTH`. `VNAV_FUZZ_PRINT=1` prints each input's parse result (for triage, and to
//! check by hand that e.g. 1 MB of `<a>` is an Err).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vnav::api::xml::{self, Element, MAX_DEPTH};
use vnav::api::vcd::{map, sections};

fn map_element(e: &Element) {
    let _ = map::entity_node(e);
    let _ = map::links(e);
    let _ = map::actions(e);
    let _ = map::task(e);
    let _ = map::record_node(e);
    let _ = map::task_record(e);
    let _ = map::reference_node(e);
    let _ = map::hardware(e);
    let _ = map::status_of(e);
    let _ = sections::sections(e);
    let _ = sections::metadata(e);
}

fn print() -> bool {
    static PRINT: OnceLock<bool> = OnceLock::new();
    *PRINT.get_or_init(|| std::env::var_os("VNAV_FUZZ_PRINT").is_some())
}

fuzz_target!(|data: &[u8]| {
    let parsed = xml::parse(data);
    if print() {
        match &parsed {
            Ok(root) => eprintln!("parse: Ok(<{}>)", root.name),
            Err(e) => eprintln!("parse: Err({e})"),
        }
    }
    if let Ok(root) = parsed {
        // The root, then every element below it, iteratively (depth 1 = the root).
        let mut stack: Vec<(&Element, usize)> = vec![(&root, 1)];
        while let Some((e, depth)) = stack.pop() {
            assert!(depth <= MAX_DEPTH + 1, "parsed tree nests {depth} levels");
            map_element(e);
            stack.extend(e.children.iter().map(|c| (c, depth + 1)));
        }
        let _ = root.descendants("Link");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = xml::pretty(text);
    }
});
