//! `vnav inspect` as the operator runs it: what it says and how it exits.

use std::process::Command;

/// A vCD body is reported and exits 0; XML of another API is named by root and namespace on
/// stderr and the exit status is non-zero, even when a good file is inspected with it.
#[test]
fn inspect_names_foreign_xml_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("services.xml");
    std::fs::write(
        &foreign,
        r#"<?xml version="1.0"?><Services xmlns="http://www.vmware.com/vsphere/lookup"><Service/></Services>"#,
    )
    .unwrap();
    let vm = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/vcd/samples/vm.xml"
    );
    let run = |files: &[&std::path::Path]| {
        Command::new(env!("CARGO_BIN_EXE_vnav"))
            .arg("inspect")
            .args(files)
            .output()
            .unwrap()
    };
    let ok = run(&[vm.as_ref()]);
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("product   vCD"));

    let out = run(&[vm.as_ref(), &foreign]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(stdout.matches("product   vCD").count(), 1, "{stdout}");
    assert!(
        stderr.contains(
            "not a vCloud Director document (root <Services> in namespace http://www.vmware.com/vsphere/lookup)"
        ),
        "{stderr}"
    );
}
