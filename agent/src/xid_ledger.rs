//! Each XID counted once, whether NVML delivers it, the kernel log shows it, or both. The
//! driver both signals an XID to NVML's event set and logs it (`crate::kernel_log`), in either
//! order as the agent sees them, and NVML delivers it only if the agent was registered at that
//! moment. So the agent matches the two: a delivery waits for its log record, a record waits
//! for its delivery, and each settles the other.
//!
//! - A record that waited a whole pass (one more health reading) with no delivery is an XID
//!   NVML missed (raised while the event set was not yet registered): it is reported then.
//! - A delivery whose record does not come within [`DELIVERY_PASSES`] passes is let go (the
//!   log may drop lines).
//! - Both wait in the checkpoint: after a restart, a record of an XID that the run before
//!   delivered is not taken as missed (this was counted twice before), and a record the run
//!   before was still waiting on is reported (the new run's NVML cannot deliver it).

use serde::{Deserialize, Serialize};
use slicebroker_types::agent::XidEvent;
use std::collections::BTreeMap;

/// How many passes a delivery waits for its log record.
pub const DELIVERY_PASSES: u8 = 3;

/// At most this many of each side wait per GPU; beyond it the oldest is let go (a record
/// let go is reported as missed, not lost).
const MAX_WAITING: usize = 64;

/// XIDs seen on one side only, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct XidLedger {
    /// Delivered by NVML; their log record not seen yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    delivered: Vec<Waiting>,
    /// Seen in the log; not delivered by NVML yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    logged: Vec<Waiting>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Waiting {
    gpu: String,
    xid: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gpu_instance_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    compute_instance_id: Option<u32>,
    /// Passes ended since it was seen.
    #[serde(default)]
    passes: u8,
}

impl Waiting {
    fn new(gpu: &str, x: &XidEvent) -> Self {
        Self {
            gpu: gpu.to_owned(),
            xid: x.xid,
            gpu_instance_id: x.gpu_instance_id,
            compute_instance_id: x.compute_instance_id,
            passes: 0,
        }
    }

    fn event(&self) -> XidEvent {
        XidEvent {
            xid: self.xid,
            gpu_instance_id: self.gpu_instance_id,
            compute_instance_id: self.compute_instance_id,
            seq: None,
        }
    }
}

/// Takes the oldest entry of `side` that is `x` on `gpu`: the same instances if one is, else
/// the same XID number (a driver may name an instance on one side only).
fn settle(side: &mut Vec<Waiting>, gpu: &str, x: &XidEvent) -> bool {
    let same = |w: &Waiting| w.gpu == gpu && w.xid == x.xid;
    let exact = side.iter().position(|w| {
        same(w)
            && w.gpu_instance_id == x.gpu_instance_id
            && w.compute_instance_id == x.compute_instance_id
    });
    match exact.or_else(|| side.iter().position(same)) {
        Some(i) => {
            side.remove(i);
            true
        }
        None => false,
    }
}

/// Adds `w`, letting the oldest of its GPU go past [`MAX_WAITING`]; returns that one.
fn wait(side: &mut Vec<Waiting>, w: Waiting) -> Option<Waiting> {
    let gpu = w.gpu.clone();
    side.push(w);
    if side.iter().filter(|o| o.gpu == gpu).count() > MAX_WAITING {
        let i = side.iter().position(|o| o.gpu == gpu)?;
        return Some(side.remove(i));
    }
    None
}

/// XIDs NVML missed, by GPU UUID, oldest first.
pub type Missed = BTreeMap<String, Vec<XidEvent>>;

fn add(missed: &mut Missed, w: &Waiting) {
    missed.entry(w.gpu.clone()).or_default().push(w.event());
}

impl XidLedger {
    pub fn is_empty(&self) -> bool {
        self.delivered.is_empty() && self.logged.is_empty()
    }

    /// NVML delivered `x` on `gpu`: it settles its record if the log showed it first, else
    /// waits for it.
    pub fn delivered(&mut self, gpu: &str, x: &XidEvent) {
        if !settle(&mut self.logged, gpu, x) {
            // A delivery let go only means its record, if it comes, is taken as missed later.
            wait(&mut self.delivered, Waiting::new(gpu, x));
        }
    }

    /// The log showed `x` on `gpu` while this run watches NVML: it settles its delivery if
    /// NVML delivered it first, else waits for one. A record pushed out by newer ones goes
    /// into `missed`.
    pub fn logged(&mut self, gpu: &str, x: &XidEvent, missed: &mut Missed) {
        if !settle(&mut self.delivered, gpu, x)
            && let Some(old) = wait(&mut self.logged, Waiting::new(gpu, x))
        {
            add(missed, &old);
        }
    }

    /// The log showed `x` on `gpu` before this run registered with NVML (its first read):
    /// the run before delivered it, or nobody did. Returns whether nobody did (it is missed).
    pub fn recovered(&mut self, gpu: &str, x: &XidEvent) -> bool {
        !settle(&mut self.delivered, gpu, x)
    }

    /// At a run's start: the records the run before was still waiting on NVML for. This run's
    /// NVML cannot deliver them, so they are missed.
    pub fn take_logged(&mut self) -> Missed {
        let mut missed = Missed::new();
        for w in std::mem::take(&mut self.logged) {
            add(&mut missed, &w);
        }
        missed
    }

    /// After a pass's health readings and log read: the records that waited through a whole
    /// pass go into `missed`; deliveries whose record did not come in time are let go. Returns
    /// whether the ledger changed (anything still waiting has aged, so it has while any waits).
    pub fn end_pass(&mut self, missed: &mut Missed) -> bool {
        let before = (self.delivered.len(), self.logged.len());
        self.logged.retain(|w| {
            let overdue = w.passes >= 1;
            if overdue {
                add(missed, w);
            }
            !overdue
        });
        self.delivered.retain(|w| w.passes + 1 < DELIVERY_PASSES);
        for w in self.logged.iter_mut().chain(self.delivered.iter_mut()) {
            w.passes += 1;
        }
        let changed = before != (self.delivered.len(), self.logged.len());
        changed || !self.is_empty()
    }

    /// Forgets what waits for GPUs no longer on the host; their records and deliveries cannot
    /// come any more. Returns whether it forgot any.
    pub fn forget_absent(&mut self, present: &std::collections::HashSet<&str>) -> bool {
        let before = (self.delivered.len(), self.logged.len());
        self.delivered.retain(|w| present.contains(w.gpu.as_str()));
        self.logged.retain(|w| present.contains(w.gpu.as_str()));
        before != (self.delivered.len(), self.logged.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(n: u64, gi: Option<u32>) -> XidEvent {
        XidEvent {
            xid: n,
            gpu_instance_id: gi,
            compute_instance_id: gi.map(|_| 0),
            seq: None,
        }
    }

    fn numbers(m: &Missed, gpu: &str) -> Vec<u64> {
        m.get(gpu)
            .map_or(Vec::new(), |v| v.iter().map(|e| e.xid).collect())
    }

    #[test]
    fn a_delivery_and_its_record_settle_each_other_in_either_order() {
        let mut l = XidLedger::default();
        let mut missed = Missed::new();
        l.delivered("GPU-a", &x(48, None));
        l.logged("GPU-a", &x(48, None), &mut missed);
        l.logged("GPU-a", &x(94, Some(2)), &mut missed);
        l.delivered("GPU-a", &x(94, Some(2)));
        l.end_pass(&mut missed);
        l.end_pass(&mut missed);
        assert!(l.is_empty(), "{l:?}");
        assert!(missed.is_empty(), "{missed:?}");
    }

    #[test]
    fn a_record_nvml_does_not_deliver_within_a_pass_is_missed_once() {
        let mut l = XidLedger::default();
        let mut missed = Missed::new();
        l.logged("GPU-a", &x(79, None), &mut missed);
        l.end_pass(&mut missed);
        assert!(
            missed.is_empty(),
            "its delivery may come with the next reading"
        );
        l.end_pass(&mut missed);
        assert_eq!(numbers(&missed, "GPU-a"), [79]);
        let mut again = Missed::new();
        l.end_pass(&mut again);
        assert!(again.is_empty() && l.is_empty());
    }

    #[test]
    fn a_delivery_without_a_record_is_let_go_and_does_not_swallow_a_later_one() {
        let mut l = XidLedger::default();
        let mut missed = Missed::new();
        l.delivered("GPU-a", &x(13, None));
        for _ in 0..DELIVERY_PASSES {
            l.end_pass(&mut missed);
        }
        assert!(l.is_empty(), "{l:?}");
        // A later 13 NVML missed is not taken for the old delivery's record.
        l.logged("GPU-a", &x(13, None), &mut missed);
        l.end_pass(&mut missed);
        l.end_pass(&mut missed);
        assert_eq!(numbers(&missed, "GPU-a"), [13]);
    }

    #[test]
    fn records_match_on_instances_first_then_on_the_number() {
        let mut l = XidLedger::default();
        let mut missed = Missed::new();
        l.delivered("GPU-a", &x(94, Some(1)));
        l.delivered("GPU-a", &x(94, Some(2)));
        l.delivered("GPU-b", &x(94, Some(2)));
        l.logged("GPU-a", &x(94, Some(2)), &mut missed);
        // The driver named no instance in the log: the number matches.
        l.logged("GPU-a", &x(94, None), &mut missed);
        l.logged("GPU-b", &x(94, Some(2)), &mut missed);
        assert!(l.is_empty(), "{l:?}");
    }

    #[test]
    fn across_a_restart_a_delivered_xid_is_not_missed_and_a_waiting_record_is() {
        let mut l = XidLedger::default();
        let mut missed = Missed::new();
        l.delivered("GPU-a", &x(48, None));
        l.logged("GPU-b", &x(79, None), &mut missed);
        // The checkpoint keeps the ledger; the next run starts from it.
        let text = serde_json::to_string(&l).unwrap();
        let mut next: XidLedger = serde_json::from_str(&text).unwrap();
        assert_eq!(next, l);
        let waited = next.take_logged();
        assert_eq!(numbers(&waited, "GPU-b"), [79]);
        assert!(!next.recovered("GPU-a", &x(48, None)), "delivered before");
        assert!(next.recovered("GPU-a", &x(48, None)), "a second 48 was not");
        assert!(next.is_empty());
    }

    #[test]
    fn too_many_waiting_records_are_missed_not_lost_and_gone_gpus_are_forgotten() {
        let mut l = XidLedger::default();
        let mut missed = Missed::new();
        for _ in 0..=MAX_WAITING {
            l.logged("GPU-a", &x(31, None), &mut missed);
        }
        assert_eq!(numbers(&missed, "GPU-a"), [31]);
        l.delivered("GPU-b", &x(48, None));
        let present = ["GPU-b"].into_iter().collect();
        assert!(l.forget_absent(&present));
        assert!(!l.forget_absent(&present));
        assert_eq!(l.logged.len(), 0);
        assert_eq!(l.delivered.len(), 1);
    }
}
