//! The agent binary end to end on the simulated backend: probe, dry run, a real run that
//! survives a restart, and the clear failure without NVML.

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

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "slicebroker-agent-cli-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
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
    let dir = temp_dir("run");
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
    let probe = json(&agent(&[
        "probe",
        "--backend",
        "sim",
        "--sim-gpus",
        "h100-80gb",
        "--sim-state",
        &p("sim.json"),
    ]));
    let gpu = probe["gpus"][0]["uuid"].as_str().unwrap().to_owned();
    let slice = serde_json::json!([{ "lease_id": "L1", "profile": "Slice2", "profile_name": "2g.20gb", "placement": { "start": 2, "size": 2 } }]);
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
    assert_eq!(inst["lease_id"], "L1");
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
    let _ = std::fs::remove_dir_all(&dir);
}
