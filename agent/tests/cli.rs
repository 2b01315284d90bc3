//! The agent binary end to end on the simulated backend: probe, dry run, a real run that
//! survives a restart, workloads and failures injected from another process, and the clear
//! failures without NVML or without a way to enroll.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn agent(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slicebroker-agent"))
        .args(args)
        .env_remove("SLICEBROKER_AGENT_BACKEND")
        .output()
        .expect("the agent binary runs")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Probes (and so creates) a simulated H100 kept in `state`; returns its UUID.
fn probe_h100(state: &str) -> String {
    let probe = json(&agent(&[
        "probe",
        "--backend",
        "sim",
        "--sim-gpus",
        "h100-80gb",
        "--sim-state",
        state,
    ]));
    probe["gpus"][0]["uuid"].as_str().unwrap().to_owned()
}

fn write_desired(path: &Path, generation: u64, gpu: &str, slices: Value) {
    let desired = serde_json::json!({ "generation": generation, "gpus": [{ "gpu_uuid": gpu, "slices": slices }] });
    std::fs::write(path, desired.to_string()).unwrap();
}

#[test]
fn probe_on_simulated_gpus_prints_tables_and_instances() {
    let d = json(&agent(&[
        "probe",
        "--backend",
        "sim",
        "--sim-gpus",
        "h100-80gb:2,a30",
    ]));
    let gpus = d["gpus"].as_array().unwrap();
    assert_eq!(gpus.len(), 3);
    assert_eq!(gpus[2]["model"], "a30-24gb");
    let three_g = gpus[0]["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "3g.40gb")
        .unwrap();
    assert_eq!(three_g["id"], 9);
    assert_eq!(three_g["placements"].as_array().unwrap().len(), 2);
    assert_eq!(gpus[0]["catalog_differences"], serde_json::json!([]));
}

#[test]
fn without_nvml_the_agent_says_so_and_fails_unless_sim() {
    let out = agent(&["probe", "--backend", "nvml"]);
    if out.status.success() {
        return; // this machine has a driver; the real probe ran
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("NVML is not available") && stderr.contains("--backend sim"),
        "{stderr}"
    );
}

#[test]
fn run_creates_then_removes_and_dry_run_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let p = |f: &str| dir.join(f).display().to_string();
    let common = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "run",
            "--once",
            "--backend",
            "sim",
            "--sim-gpus",
            "h100-80gb",
        ]
        .map(String::from)
        .to_vec();
        for (flag, file) in [
            ("--sim-state", "sim.json"),
            ("--checkpoint", "cp.json"),
            ("--desired-file", "desired.json"),
            ("--report-file", "report.json"),
        ] {
            args.push(flag.into());
            args.push(p(file));
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let gpu = probe_h100(&p("sim.json"));
    let slice = serde_json::json!([{ "lease_id": "00000000-0000-0000-0000-000000000001", "profile": "Slice2", "profile_name": "2g.20gb", "placement": { "start": 2, "size": 2 } }]);
    write_desired(&dir.join("desired.json"), 1, &gpu, slice);

    let args = common(&["--dry-run"]);
    let out = agent(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("would do"));
    assert!(
        !dir.join("cp.json").exists(),
        "a dry run writes no checkpoint"
    );
    let sim: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sim.json")).unwrap()).unwrap();
    assert_eq!(sim["gpus"][0]["instances"], serde_json::json!([]));

    let args = common(&[]);
    let run = || agent(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(run().status.success());
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let inst = &report["gpus"][0]["instances"][0];
    assert_eq!(inst["lease_id"], "00000000-0000-0000-0000-000000000001");
    assert!(
        inst["instance"]["compute_instances"][0]["mig_uuid"]
            .as_str()
            .unwrap()
            .starts_with("MIG-")
    );

    // A restarted agent sees its own instance (nothing to do), then removes it when unwanted.
    assert!(run().status.success());
    let report2: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(
        report2["gpus"], report["gpus"],
        "no double create after a restart"
    );
    write_desired(&dir.join("desired.json"), 2, &gpu, serde_json::json!([]));
    assert!(run().status.success());
    let report3: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report3["gpus"][0]["instances"], serde_json::json!([]));
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `run --once` on simulated `gpus`, with `extra` flags.
fn run_once(gpus: &str, extra: &[&str]) -> Output {
    let mut args = vec!["run", "--once", "--backend", "sim", "--sim-gpus", gpus];
    args.extend(extra);
    agent(&args)
}

#[test]
fn sim_workloads_started_from_outside_are_stopped_by_the_agent_that_takes_the_slice_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let p = |f: &str| dir.join(f).display().to_string();
    let (state, desired) = (p("sim.json"), dir.join("desired.json"));
    let run = |extra: &[&str]| {
        let (cp, d, r) = (p("cp.json"), p("desired.json"), p("report.json"));
        let mut args = vec!["--sim-state", &state, "--checkpoint", &cp];
        args.extend(["--desired-file", &d, "--report-file", &r]);
        args.extend(extra);
        let out = run_once("h100-80gb", &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        read_json(&dir.join("report.json"))
    };
    let sim = |args: &[&str]| {
        let mut all = vec!["sim"];
        all.extend(args);
        all.extend(["--sim-state", &state]);
        agent(&all)
    };

    let out = sim(&["workload", "ls"]);
    assert!(!out.status.success(), "no state file yet");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--sim-gpus"));

    let gpu = probe_h100(&state);
    let slice = serde_json::json!([{ "lease_id": "00000000-0000-0000-0000-000000000001", "profile": "Slice3", "profile_name": "3g.40gb", "placement": { "start": 4, "size": 4 } }]);
    write_desired(&desired, 1, &gpu, slice.clone());
    let report = run(&[]);
    let mig = report["gpus"][0]["instances"][0]["instance"]["compute_instances"][0]["mig_uuid"]
        .as_str()
        .unwrap()
        .to_owned();

    let started = json(&sim(&[
        "workload",
        "start",
        "--mig",
        &mig,
        "--memory-mib",
        "2048",
        "--activity",
        "0.7",
        "--uid",
        "1234",
    ]));
    let pid = started["pid"].as_u64().unwrap();
    assert_eq!(
        (
            &started["uid"],
            &started["memory_mib"],
            &started["mig_uuid"]
        ),
        (
            &serde_json::json!(1234),
            &serde_json::json!(2048),
            &serde_json::json!(mig)
        )
    );
    let stubborn = json(&sim(&["workload", "start", "--mig", &mig, "--ignore-term"]));
    let listed = json(&sim(&["workload", "ls"]));
    let pids: Vec<u64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(pids, vec![pid, stubborn["pid"].as_u64().unwrap()]);
    let seen = &run(&[])["gpus"][0]["instances"][0]["instance"];
    assert_eq!(seen["processes"].as_array().unwrap().len(), 2);
    assert_eq!(seen["memory_used_mib"], 2048 + 1024);

    // Taking the slice back: SIGTERM ends the first, SIGKILL after the grace the second.
    write_desired(&desired, 2, &gpu, serde_json::json!([]));
    let report = run(&["--kill-grace", "1s"]);
    assert_eq!(report["gpus"][0]["instances"], serde_json::json!([]));
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(json(&sim(&["workload", "ls"])), serde_json::json!([]));
    let out = sim(&["workload", "stop", "--pid", &pid.to_string()]);
    assert!(!out.status.success(), "already gone");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));

    // A failure injected from outside strikes the agent's next create, once.
    let failures = json(&sim(&["inject", "create-fails"]));
    assert_eq!(failures["create"], 1);
    write_desired(&desired, 3, &gpu, slice);
    let report = run(&[]);
    assert_eq!(report["errors"][0]["op"], "create");
    assert!(
        report["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("injected")
    );
    let report = run(&[]);
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(
        report["gpus"][0]["instances"][0]["lease_id"],
        "00000000-0000-0000-0000-000000000001"
    );
}

#[test]
fn run_against_a_server_fails_clearly_without_a_way_to_enroll_and_never_logs_the_token() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let credential = dir.join("credential").display().to_string();
    // Nothing listens on port 1: with --once a registration attempt fails at once.
    let run = |server: &str, extra: &[&str]| {
        let mut args = vec!["--server", server, "--credential-file", &credential];
        args.extend(extra);
        let out = run_once("a30", &args);
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = run("http://127.0.0.1:1", &[]);
    assert!(
        stderr.contains("no agent credential") && stderr.contains("--enrollment-token"),
        "{stderr}"
    );
    let stderr = run(
        "http://127.0.0.1:1",
        &["--enrollment-token", "sbe_secret_value"],
    );
    assert!(stderr.contains("cannot connect"), "{stderr}");
    assert!(!stderr.contains("sbe_secret_value"), "{stderr}");
    assert!(!dir.join("credential").exists());
    // Plain http off this machine is refused before anything is sent, saying what to do.
    let stderr = run(
        "http://broker.example:8080",
        &["--enrollment-token", "sbe_secret_value"],
    );
    assert!(
        stderr.contains("plain http") && stderr.contains("--insecure-http"),
        "{stderr}"
    );
    assert!(!stderr.contains("sbe_secret_value"), "{stderr}");
}

/// The stand-in NVML library (a dev-dependency, built beside this test binary) installed in
/// `dir` as `libnvidia-ml.so.1`, with a host of `boards`.
fn install_stub(dir: &Path, boards: &[&str]) -> PathBuf {
    let built = std::env::current_exe()
        .unwrap()
        .with_file_name("libnvidia_ml_stub.so");
    let lib = dir.join("libnvidia-ml.so.1");
    std::fs::copy(built, &lib).unwrap();
    nvidia_ml_stub::state::State::new(boards, 3)
        .unwrap()
        .save(&dir.join("host.json"))
        .unwrap();
    lib
}

#[test]
fn probe_on_nvml_through_nvml_lib_prints_the_nvidia_smi_tables_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let lib = install_stub(&dir, &["a100-40gb", "h100-80gb"])
        .display()
        .to_string();
    let probe = |extra: &[&str]| {
        let mut args = vec!["probe", "--backend", "nvml", "--nvml-lib", &lib];
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_slicebroker-agent"))
            .args(&args)
            .env(nvidia_ml_stub::state::STATE_ENV, dir.join("host.json"))
            .output()
            .unwrap()
    };
    let out = probe(&["--format", "nvidia-smi"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("+---"), "{text}");
    assert!(
        text.contains(
            "|   0  MIG 1g.5gb        19     7/7        4.75       No     14     0     0   |"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "|   1  MIG 7g.80gb        0     1/1        79.25      No    132     7     0   |"
        ),
        "{text}"
    );
    assert!(
        text.contains("GPU  1 Profile ID 15 Placements: {0,2,4,6}:2"),
        "{text}"
    );
    let d = json(&probe(&[]));
    assert_eq!(d["backend"], "nvml");
    assert_eq!(d["driver_version"], "580.65.06");
    assert_eq!(d["gpus"][1]["model"], "h100-80gb");
    // Only what `--gpus` allows.
    let only = json(&probe(&["--gpus", "1"]));
    assert_eq!(only["gpus"].as_array().unwrap().len(), 1);
    assert_eq!(only["gpus"][0]["index"], 1);
}

/// The settings file the .deb installs is one the agent accepts (unknown keys are refused), and
/// the unit starts the agent with it.
#[test]
fn the_packaged_settings_parse_and_the_unit_runs_the_agent_with_them() {
    let packaging = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging");
    let config = packaging.join("agent.toml").display().to_string();
    json(&agent(&[
        "--config",
        &config,
        "--backend",
        "sim",
        "--sim-gpus",
        "a30",
        "probe",
    ]));
    let unit = std::fs::read_to_string(packaging.join("slicebroker-agent.service")).unwrap();
    assert!(
        unit.contains(
            "ExecStart=/usr/bin/slicebroker-agent --config /etc/slicebroker-agent/agent.toml run"
        ),
        "{unit}"
    );
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(r#"["packaging/agent.toml", "etc/slicebroker-agent/agent.toml", "600"]"#)
    );
}
