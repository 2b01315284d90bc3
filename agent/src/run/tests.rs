//! The loop through the desired-config file source on the simulator, and its pure parts.

use super::*;
use crate::backend::sim::{ProcessSpec, SimBackend};
use crate::model::GpuInstance;
use serde_json::json;
use slicebroker_types::agent::{DesiredConfig, ObservedReport};
use std::path::Path;
use std::time::Instant;

struct Harness {
    sim: Arc<SimBackend>,
    gpu: String,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new(name: &str) -> Self {
        let sim = Arc::new(SimBackend::from_spec("h100-80gb", 1).unwrap());
        let gpu = sim.gpus().unwrap()[0].uuid.clone();
        Self {
            sim,
            gpu,
            dir: tempfile::Builder::new().prefix(name).tempdir().unwrap(),
        }
    }

    fn desired_path(&self) -> PathBuf {
        self.dir.path().join("desired.json")
    }

    fn report_path(&self) -> PathBuf {
        self.dir.path().join("report.json")
    }

    /// Desires one 3g slice at start 4 for each lease given.
    fn want(&self, generation: u64, leases: &[&str]) {
        let slices: Vec<_> = leases
            .iter()
            .map(|l| {
                json!({ "lease_id": l, "profile": "Slice3", "profile_name": "3g.40gb",
                        "placement": { "start": 4, "size": 4 } })
            })
            .collect();
        let desired = json!({ "generation": generation,
                              "gpus": [{ "gpu_uuid": self.gpu, "slices": slices }] });
        std::fs::write(self.desired_path(), desired.to_string()).unwrap();
    }

    /// Wants L1 at `generation`, starts the loop, and waits until the pass that made it ran.
    async fn running_with_l1(&self, generation: u64, interval: Duration) -> Running {
        self.want(generation, &["00000000-0000-0000-0000-000000000001"]);
        let running = self.start(interval, false);
        eventually("L1 is made and reported", || {
            self.instances().len() == 1
                && self
                    .report()
                    .is_some_and(|r| r.applied_generation == generation)
        })
        .await;
        running
    }

    fn start(&self, interval: Duration, once: bool) -> Running {
        let agent = Agent::new(self.sim.clone(), CheckpointStore::new(None)).unwrap();
        let config = LoopConfig {
            dry_run: false,
            once,
            interval,
            kill: KillPolicy {
                grace: Duration::from_millis(50),
                kill_wait: Duration::from_millis(50),
                poll: Duration::from_millis(5),
            },
            report_file: Some(self.report_path()),
        };
        let source = DesiredSource::File(FileSource {
            path: self.desired_path(),
        });
        let (tx, stop) = Stop::manual();
        Running {
            stop: tx,
            handle: tokio::spawn(run_loop(agent, source, config, stop)),
        }
    }

    fn instances(&self) -> Vec<GpuInstance> {
        self.sim.snapshot().unwrap().remove(0).instances
    }

    fn report(&self) -> Option<ObservedReport> {
        fsutil::read_json(&self.report_path()).unwrap()
    }
}

struct Running {
    stop: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Asks the loop to stop and returns what it ended with.
    async fn stop(self) -> anyhow::Result<()> {
        self.stop.send(true).unwrap();
        self.handle.await.unwrap()
    }

    async fn finished(self) -> anyhow::Result<()> {
        self.handle.await.unwrap()
    }
}

/// Polls `check` until it holds, failing the test after five seconds.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[tokio::test]
async fn the_loop_follows_the_desired_file_stopping_workloads_and_a_stop_destroys_nothing() {
    let h = Harness::new("loop-follows");
    let running = h.running_with_l1(1, Duration::from_millis(20)).await;
    let mig = h.instances()[0].mig_uuid().unwrap().to_owned();
    let stubborn = ProcessSpec {
        ignores_term: true,
        ..ProcessSpec::default()
    };
    h.sim.start_process(&mig, ProcessSpec::default()).unwrap();
    h.sim.start_process(&mig, stubborn).unwrap();
    let report = h.report().unwrap();
    assert_eq!(
        report.gpus[0].instances[0].lease_id.unwrap().to_string(),
        "00000000-0000-0000-0000-000000000001"
    );

    h.want(2, &[]);
    eventually("L1 is taken back", || h.instances().is_empty()).await;
    assert!(
        h.sim.workloads().unwrap().is_empty(),
        "SIGTERM, then SIGKILL, ended both workloads"
    );

    h.want(3, &["00000000-0000-0000-0000-000000000002"]);
    eventually("L2 is made", || h.instances().len() == 1).await;
    running.stop().await.unwrap();
    assert_eq!(h.instances().len(), 1, "stopping leaves slices as they are");
}

#[tokio::test]
async fn an_unreadable_desired_file_keeps_the_slices_until_it_reads_again() {
    let h = Harness::new("loop-unreadable");
    let running = h.running_with_l1(1, Duration::from_millis(20)).await;
    write(&h.desired_path(), "{ half a file");
    // Several intervals pass without a readable config: no pass runs on a guess.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.instances().len(), 1);
    h.want(2, &[]);
    eventually("L1 is taken back", || h.instances().is_empty()).await;
    running.stop().await.unwrap();
}

#[tokio::test]
async fn an_older_generation_is_not_applied() {
    let h = Harness::new("loop-older");
    let running = h.running_with_l1(5, Duration::from_millis(20)).await;
    h.want(4, &[]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(h.instances().len(), 1, "generation 4 is older than 5");
    assert_eq!(h.report().unwrap().applied_generation, 5);
    running.stop().await.unwrap();
}

#[tokio::test]
async fn a_stop_during_the_wait_ends_the_loop_at_once() {
    let h = Harness::new("loop-stop");
    let running = h.running_with_l1(1, Duration::from_secs(3600)).await;
    let asked = Instant::now();
    running.stop().await.unwrap();
    assert!(asked.elapsed() < Duration::from_secs(2));
    assert_eq!(h.instances().len(), 1);
}

#[tokio::test]
async fn once_runs_one_pass_and_fails_on_an_unreadable_file() {
    let h = Harness::new("loop-once");
    h.want(1, &["00000000-0000-0000-0000-000000000001"]);
    h.start(Duration::from_secs(3600), true)
        .finished()
        .await
        .unwrap();
    assert_eq!(h.instances().len(), 1);
    assert_eq!(h.report().unwrap().applied_generation, 1);

    write(&h.desired_path(), "[]");
    let err = h
        .start(Duration::from_secs(3600), true)
        .finished()
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("desired.json"), "{err:#}");
    assert_eq!(h.instances().len(), 1, "nothing is destroyed on a bad read");
}

#[test]
fn the_server_having_a_newer_generation_means_another_pass_at_once() {
    let ack = |accepted, desired_generation| ReportAck {
        accepted,
        desired_generation,
    };
    assert!(!more_to_do(&ack(true, 3), 3));
    assert!(more_to_do(&ack(true, 4), 3));
    assert!(more_to_do(&ack(false, 4), 3));
}

#[test]
fn backoff_doubles_up_to_a_minute_within_a_fifth_and_resets() {
    let near = |d: Duration, secs: f64| {
        let got = d.as_secs_f64();
        assert!(
            got >= 0.8 * secs && got < 1.2 * secs,
            "{got} is not near {secs}"
        );
    };
    let mut b = Backoff::new();
    for secs in [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0] {
        near(b.delay(), secs);
    }
    b.reset();
    near(b.delay(), 1.0);
    for _ in 0..100 {
        near(jitter(Duration::from_secs(10)), 10.0);
    }
}

#[test]
fn desired_configs_parse_from_the_file_format_the_readme_shows() {
    let h = Harness::new("loop-format");
    h.want(7, &["00000000-0000-0000-0000-000000000009"]);
    let read = FileSource {
        path: h.desired_path(),
    }
    .read()
    .unwrap();
    assert_eq!(read.generation, 7);
    assert_eq!(
        read.gpus[0].slices[0].lease_id.to_string(),
        "00000000-0000-0000-0000-000000000009"
    );
    let missing = FileSource {
        path: h.dir.path().join("none.json"),
    };
    assert_eq!(missing.read().unwrap(), DesiredConfig::default());
}
