//! The layering DESIGN.md promises: `src/api` never touches the terminal or the app, and the
//! simulator shares no code with the client it is meant to check.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn offenders(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    assert!(!files.is_empty(), "no sources under {dir}");
    let mut bad = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if let Some(word) = forbidden.iter().find(|w| code.contains(*w)) {
                bad.push(format!("{}:{}: {word}", f.display(), n + 1));
            }
        }
    }
    bad
}

#[test]
fn the_api_layer_has_no_ui() {
    let bad = offenders(
        "src/api",
        &[
            "ratatui",
            "crossterm",
            "crate::app",
            "crate::views",
            "crate::runtime",
        ],
    );
    assert!(
        bad.is_empty(),
        "src/api must not import UI code:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_simulator_shares_no_code_with_the_client() {
    // TLS provider setup is the one shared piece: it configures rustls, it parses nothing.
    let bad = offenders(
        "src/sim",
        &[
            "crate::api::vcd",
            "crate::api::vcenter",
            "crate::api::model",
        ],
    );
    assert!(
        bad.is_empty(),
        "src/sim must stay independent:\n{}",
        bad.join("\n")
    );
}
