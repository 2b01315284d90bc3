//! The `slicectl` binary without a server: help, usage errors and completions. (Against a real
//! server it is exercised by the end-to-end suite, `tests/e2e/cli.rs`; this test also makes
//! `cargo test --workspace` build the binary that suite runs.)

use std::process::{Command, Output};

fn slicectl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slicectl"))
        .args(args)
        .env(
            "SLICEBROKER_CONFIG_DIR",
            std::env::temp_dir().join("slicectl-binary-test"),
        )
        .env_remove("SLICEBROKER_URL")
        .output()
        .expect("slicectl runs")
}

#[test]
fn help_documents_the_exit_codes_scripts_rely_on() {
    let out = slicectl(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for code in ["0", "1", "2", "3", "4"] {
        assert!(
            help.contains(code),
            "exit code {code} missing from --help:\n{help}"
        );
    }
    assert!(help.to_lowercase().contains("no capacity"), "{help}");
}

#[test]
fn a_usage_error_exits_2_and_says_what_is_wrong() {
    let out = slicectl(&["lease", "create", "2g.20gb", "--for"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stderr.is_empty());
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let out = slicectl(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("slicectl"),
            "{shell}"
        );
    }
}
