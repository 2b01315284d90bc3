//! The agent's settings: layers, names in errors, and what `run` needs.

use super::*;
use std::collections::HashMap;
use std::path::Path;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k| map.get(k).cloned()
}

fn load(file: &str, vars: &[(&str, &str)], args: &[&str]) -> Result<Settings, SettingsError> {
    let cli = Cli::try_parse_from(["slicebroker-agent"].iter().chain(args)).unwrap();
    Layers::new()
        .file_text(Path::new("agent.toml"), file)?
        .env(env(vars))?
        .flags(&cli.flags)?
        .load()
}

/// The settings from the flags alone (no file, no environment).
fn flags(args: &[&str]) -> Settings {
    load("", &[], args).unwrap()
}

#[test]
fn flags_win_over_variables_and_the_file_fills_the_rest() {
    let file = "backend = \"sim\"\nsim-gpus = \"a30:2\"\ninterval = \"7s\"\n";
    let s = load(file, &[], &["--sim-gpus", "h100-80gb", "probe"]).unwrap();
    assert_eq!(s.backend, Some(BackendKind::Sim));
    assert_eq!(s.sim_gpus.as_deref(), Some("h100-80gb"));
    assert_eq!(s.interval(), Duration::from_secs(7));
    assert_eq!(s.kill_policy().grace, Duration::from_secs(10));
    let vars = [
        ("SLICEBROKER_AGENT_INTERVAL", "1m30s"),
        ("SLICEBROKER_AGENT_KILL_GRACE", "500ms"),
        ("SLICEBROKER_AGENT_SIM_GPUS", "a100-40gb"),
    ];
    let s = load(file, &vars, &["--sim-gpus", "h100-80gb", "probe"]).unwrap();
    assert_eq!(s.sim_gpus.as_deref(), Some("h100-80gb"));
    assert_eq!(s.interval(), Duration::from_secs(90));
    assert_eq!(s.kill_policy().grace, Duration::from_millis(500));
    let s = load(file, &vars, &["run", "--interval", "2s"]).unwrap();
    assert_eq!(s.sim_gpus.as_deref(), Some("a100-40gb"));
    assert_eq!(s.interval(), Duration::from_secs(2));
    assert_eq!(Settings::default().interval(), Duration::from_secs(5));
}

#[test]
fn bad_files_and_variables_name_the_setting() {
    let err = |file: &str, vars: &[(&str, &str)]| load(file, vars, &["probe"]).unwrap_err();
    let text = crate::reconcile::error_chain(&err("sim-gpu = \"a30\"\n", &[]));
    assert!(text.contains("sim-gpu"), "{text}");
    assert_eq!(
        err("interval = \"0s\"", &[]).to_string(),
        "`interval` in config file agent.toml: must be between 1s and 1d; got 0s"
    );
    assert!(
        err("sim-seed = \"one\"", &[])
            .to_string()
            .starts_with("`sim-seed` in config file agent.toml: invalid type: string")
    );
    assert_eq!(
        err("", &[("SLICEBROKER_AGENT_KILL_GRACE", "10")]).to_string(),
        "SLICEBROKER_AGENT_KILL_GRACE: `10` has no unit; write e.g. `10s` or `10ms`"
    );
    assert_eq!(
        err("", &[("SLICEBROKER_AGENT_INSECURE_HTTP", "yes")]).to_string(),
        "SLICEBROKER_AGENT_INSECURE_HTTP: `yes` is not valid; expected `true` or `false`"
    );
    assert_eq!(
        err("", &[("SLICEBROKER_AGENT_INTERVAL_SECS", "5")]).to_string(),
        "SLICEBROKER_AGENT_INTERVAL_SECS was renamed SLICEBROKER_AGENT_INTERVAL and takes a \
         duration like 5s"
    );
    assert_eq!(
        err("kill-grace-secs = 1", &[]).to_string(),
        "`kill-grace-secs` in config file agent.toml was renamed `kill-grace` and takes a \
         duration like 10s"
    );
    let flag = load("", &[], &["run", "--kill-grace", "2h"]).unwrap_err();
    assert_eq!(
        flag.to_string(),
        "--kill-grace: must be between 0s and 1h; got 2h"
    );
}

#[test]
fn the_server_wins_over_the_file_and_the_token_can_come_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "sbe_fromfile\n").unwrap();
    let settings = flags(&[
        "--server",
        "http://127.0.0.1:8080/",
        "--desired-file",
        "d.json",
        "--enrollment-token-file",
        token_file.to_str().unwrap(),
        "--checkpoint",
        "/srv/agent/cp.json",
        "--hostname",
        "gpu-7",
        "run",
    ]);
    let SourceSettings::Server(s) = settings.source().unwrap() else {
        panic!("the server is the source");
    };
    assert_eq!(s.url.join("/x"), "http://127.0.0.1:8080/x");
    assert_eq!(s.hostname, "gpu-7");
    assert_eq!(
        s.enrollment.credential_file,
        PathBuf::from("/srv/agent/credential")
    );
    assert_eq!(s.enrollment.token.unwrap().expose(), "sbe_fromfile");
}

#[test]
fn run_without_a_source_or_with_remote_plain_http_says_what_to_give() {
    let none = Settings::default().source().unwrap_err().to_string();
    assert!(
        none.contains("--server") && none.contains("--desired-file"),
        "{none}"
    );
    let plain = Settings {
        server: Some("http://broker.example:8080".into()),
        ..Settings::default()
    };
    let err = plain.source().unwrap_err().to_string();
    assert!(
        err.contains("https://") && err.contains("--insecure-http"),
        "{err}"
    );
    let allowed = flags(&[
        "--server",
        "http://broker.example:8080",
        "--insecure-http",
        "--ca-file",
        "/etc/slicebroker/ca.pem",
        "run",
    ]);
    let SourceSettings::Server(s) = allowed.source().unwrap() else {
        panic!("the server is the source");
    };
    assert_eq!(s.ca_file, Some(PathBuf::from("/etc/slicebroker/ca.pem")));
    let file = Settings {
        desired_file: Some("d.json".into()),
        ..Settings::default()
    };
    assert!(matches!(file.source(), Ok(SourceSettings::File(_))));
}

#[test]
fn secrets_are_redacted_in_debug_output() {
    let args = ["--enrollment-token", " sbe_verysecret\n", "run"];
    let cli = Cli::try_parse_from(["slicebroker-agent"].iter().chain(&args)).unwrap();
    let shown = format!("{cli:?}");
    assert!(!shown.contains("verysecret"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    let settings = flags(&args);
    let shown = format!("{settings:?}");
    assert!(!shown.contains("verysecret"), "{shown}");
    let token = settings.enrollment_token.unwrap();
    assert_eq!(token.expose(), "sbe_verysecret", "trimmed as before");
}

#[test]
fn the_gpus_allow_list_narrows_the_backend_and_a_bad_entry_is_named() {
    let settings = flags(&[
        "--backend",
        "sim",
        "--sim-gpus",
        "a100-40gb:3",
        "--gpus",
        "0,2",
        "probe",
    ]);
    let gpus = settings.open_backend().unwrap().gpus().unwrap();
    assert_eq!(gpus.iter().map(|g| g.index).collect::<Vec<_>>(), [0, 2]);
    let bad = Settings {
        gpus: Some("0,third".into()),
        ..settings
    };
    let err = bad.open_backend().unwrap_err().to_string();
    assert!(err.contains("third"), "{err}");
}

#[test]
fn sim_without_gpus_is_a_clear_error() {
    let s = Settings {
        backend: Some(BackendKind::Sim),
        ..Settings::default()
    };
    let err = s.open_backend().unwrap_err().to_string();
    assert!(err.contains("--sim-gpus"), "{err}");
}
