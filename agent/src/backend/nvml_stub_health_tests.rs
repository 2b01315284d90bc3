//! GPU health through the NVML path: readings the board lacks come back absent, set readings
//! come back as set, and XIDs arrive through the event set once each, filed under their GPU
//! with the MIG instance they hit.

use super::*;
use nvidia_ml_stub::kmsg;
use nvidia_ml_stub::state::{Ecc, Xid};
use slicebroker_types::agent::{EccCounts, ThrottleReason, XidEvent};

#[test]
fn readings_the_board_does_not_offer_are_absent_not_zero() {
    let host = StubHost::new("stub-health-absent", &["h100-80gb"]);
    let b = host.backend();
    let gpu = b.gpus().unwrap().remove(0);
    let h = b.health(&gpu).unwrap();
    assert_eq!(h, GpuHealth::default());
}

#[test]
fn set_readings_and_injected_xids_are_reported_with_their_instance_once() {
    let host = StubHost::new("stub-health", &["h100-80gb", "a100-40gb"]);
    let b = host.backend();
    let gpus = b.gpus().unwrap();
    let made = b
        .create_instance(&gpus[0].uuid, 14, Placement { start: 2, size: 2 })
        .unwrap();
    // The first reading registers the GPUs on the event set; XIDs raised later arrive.
    assert!(b.health(&gpus[0]).unwrap().xids.is_empty());
    assert!(b.health(&gpus[1]).unwrap().xids.is_empty());
    host.edit(|s| {
        let h = &mut s.gpus[0].health;
        h.temperature_c = Some(81);
        h.power_mw = Some(312_500);
        h.ecc = Some(Ecc {
            volatile_corrected: 3,
            volatile_uncorrected: 1,
            aggregate_corrected: 40,
            aggregate_uncorrected: 2,
        });
        h.clocks_event_reasons = Some(0x4 | 0x40);
        h.xids.push(Xid {
            xid: 94,
            gpu_instance_id: Some(made.gpu_instance_id),
            compute_instance_id: Some(made.compute_instance_id),
        });
        h.xids.push(Xid {
            xid: 79,
            gpu_instance_id: None,
            compute_instance_id: None,
        });
        s.gpus[1].health.xids.push(Xid {
            xid: 48,
            gpu_instance_id: None,
            compute_instance_id: None,
        });
    });
    let h = b.health(&gpus[0]).unwrap();
    assert_eq!(h.temperature_c, Some(81));
    assert_eq!(h.power_mw, Some(312_500));
    assert_eq!(
        h.ecc,
        Some(EccCounts {
            volatile_corrected: 3,
            volatile_uncorrected: 1,
            aggregate_corrected: 40,
            aggregate_uncorrected: 2,
        })
    );
    assert_eq!(
        h.throttle_reasons,
        Some(vec![
            ThrottleReason::SwPowerCap,
            ThrottleReason::HwThermalSlowdown
        ])
    );
    assert_eq!(
        h.xids,
        vec![
            XidEvent {
                xid: 94,
                gpu_instance_id: Some(made.gpu_instance_id),
                compute_instance_id: Some(made.compute_instance_id),
                seq: None,
            },
            XidEvent {
                xid: 79,
                gpu_instance_id: None,
                compute_instance_id: None,
                seq: None,
            },
        ]
    );
    assert!(
        b.health(&gpus[0]).unwrap().xids.is_empty(),
        "each XID is reported once"
    );
    // GPU 1's XID was drained while reading GPU 0, and kept for GPU 1.
    let other = b.health(&gpus[1]).unwrap();
    assert_eq!(other.xids.iter().map(|x| x.xid).collect::<Vec<_>>(), [48]);
    assert_eq!(other.temperature_c, None);
}

#[test]
fn an_xid_raised_before_the_event_set_watches_its_gpu_is_never_delivered() {
    let host = StubHost::new("stub-health-unwatched", &["h100-80gb"]);
    let b = host.backend();
    let gpu = b.gpus().unwrap().remove(0);
    host.edit(|s| s.gpus[0].health.xids.push(xid(79)));
    assert!(b.health(&gpu).unwrap().xids.is_empty());
    host.edit(|s| s.gpus[0].health.xids.push(xid(48)));
    let later: Vec<u64> = b.health(&gpu).unwrap().xids.iter().map(|x| x.xid).collect();
    assert_eq!(later, [48]);
}

fn xid(n: u64) -> Xid {
    Xid {
        xid: n,
        gpu_instance_id: None,
        compute_instance_id: None,
    }
}

/// What the driver writes to the kernel log for XID `n` on GPU `index`.
fn log_xid(log: &std::path::Path, index: usize, n: u64) {
    kmsg::append(log, &kmsg::xid_line(index, &xid(n))).unwrap();
}

/// A host whose agent reads the kernel log: started and stopped at will, with its checkpoint.
struct LoggingHost {
    host: StubHost,
    log: std::path::PathBuf,
    checkpoint: std::path::PathBuf,
}

impl LoggingHost {
    fn new(name: &str) -> Self {
        let host = StubHost::new(name, &["h100-80gb", "h100-80gb"]);
        let log = host.dir.path().join("kmsg");
        let checkpoint = host.dir.path().join("checkpoint.json");
        kmsg::append(&log, "Linux version 6.1.0").unwrap();
        Self {
            host,
            log,
            checkpoint,
        }
    }

    fn start(&self) -> crate::agent::Agent {
        use crate::checkpoint::CheckpointStore;
        use crate::kernel_log::KernelLog;
        let backend: std::sync::Arc<dyn GpuBackend> = std::sync::Arc::new(self.host.backend());
        crate::agent::Agent::new(backend, CheckpointStore::new(Some(self.checkpoint.clone())))
            .unwrap()
            .with_kernel_log(Some(KernelLog::open(&self.log, "boot-1").unwrap()))
    }

    /// NVML's side of an XID on GPU `index`: its event.
    fn raise(&self, index: usize, n: u64) {
        self.host.edit(|s| s.gpus[index].health.xids.push(xid(n)));
    }

    /// The kernel log's side: the driver's line.
    fn log(&self, index: usize, n: u64) {
        log_xid(&self.log, index, n);
    }
}

/// One pass: the XIDs (number, seq) its report carries per GPU; the report is accepted.
fn xids_of(agent: &mut crate::agent::Agent) -> Vec<Vec<(u64, Option<u64>)>> {
    let pass = agent
        .pass(false, crate::reconcile::KillPolicy::default())
        .unwrap();
    let report = pass.report;
    let xids = report
        .gpus
        .iter()
        .map(|g| {
            let h = g.health.as_ref().unwrap();
            h.xids.iter().map(|x| (x.xid, x.seq)).collect()
        })
        .collect();
    agent.report_accepted(&report);
    xids
}

fn numbers(xids: &[(u64, Option<u64>)]) -> Vec<u64> {
    xids.iter().map(|x| x.0).collect()
}

#[test]
fn an_xid_raised_while_no_agent_ran_comes_from_the_kernel_log_once() {
    let h = LoggingHost::new("stub-health-kmsg");
    // The first run ever takes nothing from the log (history), and watches NVML from then on.
    let mut agent = h.start();
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
    drop(agent);

    // While no agent runs, GPU 1 raises XID 79: NVML never delivers it, the log has it.
    h.raise(1, 79);
    h.log(1, 79);
    kmsg::append(&h.log, "eth0: link up").unwrap();
    let mut agent = h.start();
    let first = xids_of(&mut agent);
    assert!(first[0].is_empty(), "{first:?}");
    assert_eq!(numbers(&first[1]), [79], "{first:?}");
    assert!(first[1][0].1.is_some(), "numbered like any XID");
    assert_eq!(
        xids_of(&mut agent),
        [vec![], vec![]],
        "once, then acknowledged"
    );

    // While the agent runs, NVML delivers XID 48 and the log's line of it only settles it.
    h.raise(0, 48);
    h.log(0, 48);
    let running = xids_of(&mut agent);
    assert_eq!(numbers(&running[0]), [48]);
    assert!(running[1].is_empty());
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
    drop(agent);

    // A restart finds nothing new in the log: both XIDs were accounted for.
    let mut agent = h.start();
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
}

/// The driver's line can reach the log after the agent took the XID from NVML, and the agent
/// can stop in between: the next run must not take that line for an XID NVML missed.
#[test]
fn an_xid_delivered_just_before_a_restart_is_not_counted_again_from_the_log() {
    let h = LoggingHost::new("stub-health-kmsg-restart");
    let mut agent = h.start();
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
    h.raise(0, 48);
    assert_eq!(numbers(&xids_of(&mut agent)[0]), [48]);
    drop(agent);
    h.log(0, 48);
    let mut agent = h.start();
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
    // A second 48 while no agent runs is still news.
    drop(agent);
    h.raise(0, 48);
    h.log(0, 48);
    let mut agent = h.start();
    assert_eq!(numbers(&xids_of(&mut agent)[0]), [48]);
}

/// An XID raised after the first read of the log but before NVML's event set was registered
/// reaches the log only: it is reported once the next health reading did not bring it either.
/// One whose line comes before its event is reported once, from NVML.
#[test]
fn a_logged_xid_nvml_never_delivers_is_reported_after_a_pass_and_none_twice() {
    let h = LoggingHost::new("stub-health-kmsg-gap");
    let mut agent = h.start();
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
    h.log(1, 79);
    assert_eq!(
        xids_of(&mut agent),
        [vec![], vec![]],
        "its event may still come"
    );
    let next = xids_of(&mut agent);
    assert_eq!(numbers(&next[1]), [79], "{next:?}");
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);

    h.log(0, 94);
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
    h.raise(0, 94);
    assert_eq!(numbers(&xids_of(&mut agent)[0]), [94]);
    for _ in 0..3 {
        assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
    }
    // A line still waiting for its event when the agent stops is reported by the next run.
    h.log(1, 31);
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
    drop(agent);
    let mut agent = h.start();
    assert_eq!(numbers(&xids_of(&mut agent)[1]), [31]);
    assert_eq!(xids_of(&mut agent), [vec![], vec![]]);
}
