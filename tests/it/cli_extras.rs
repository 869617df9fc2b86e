//! `vnav completions <shell>`, `vnav man` and `vnav config example` as an operator runs them.

use std::process::{Command, Output};

fn vnav(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vnav"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn completions_cover_the_flags_and_subcommands_for_each_shell() {
    let bash = stdout(&vnav(&["completions", "bash"]));
    assert!(bash.contains("_vnav()"), "{bash}");
    for word in [
        "--read-only",
        "--context",
        "inspect",
        "audit",
        "completions",
    ] {
        assert!(bash.contains(word), "{word} missing from bash completion");
    }
    let zsh = stdout(&vnav(&["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef vnav"), "{zsh}");
    let fish = stdout(&vnav(&["completions", "fish"]));
    assert!(fish.contains("complete -c vnav"), "{fish}");
    let bad = vnav(&["completions", "cmd.exe"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("possible values"),
        "a wrong shell names the right ones"
    );
}

#[test]
fn man_prints_a_roff_page_with_every_flag() {
    let man = stdout(&vnav(&["man"]));
    assert!(man.contains(".TH vnav 1"), "{man}");
    for word in ["read\\-only", "insecure", "fingerprint"] {
        assert!(man.contains(word), "{word} missing:\n{man}");
    }
}

/// The example is what the binary prints, every context in it loads, and it mentions every
/// setting a context has.
#[test]
fn config_example_prints_a_commented_config_that_loads() {
    let text = stdout(&vnav(&["config", "example"]));
    assert_eq!(text, vnav::config::EXAMPLE);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, &text).unwrap();
    let cfg = vnav::config::load(&path, true).unwrap();
    let names: Vec<&str> = cfg.contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["prod", "lab-vc"]);
    for key in [
        "password_env",
        "password_command",
        "ca_file",
        "fingerprint",
        "insecure",
        "read_only",
        "concurrency",
        "connect_timeout_secs",
        "request_timeout_secs",
        "api_version",
        "theme",
    ] {
        assert!(text.contains(&format!("{key} =")), "{key} not explained");
    }
}
