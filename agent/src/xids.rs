//! XIDs until the server has them. The backends hand each XID over once (NVML's event set is
//! drained), so the agent numbers it, keeps it (in the checkpoint file, so a restart keeps it
//! too), and sends it with every report until a report carrying it is accepted: a report lost
//! in transit, refused, or stale (a newer one accepted first) loses nothing. The server records
//! each number once (`XidEvent::seq`), so a report that was recorded but whose answer was lost
//! is harmless to send again.

use serde::{Deserialize, Serialize};
use slicebroker_types::agent::{GpuHealth, ObservedReport, XidEvent};
use slicebroker_types::limits::MAX_XIDS_PER_REPORT;
use std::collections::{BTreeMap, VecDeque};

/// The XIDs not yet acknowledged, per GPU UUID.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct XidOutbox {
    gpus: BTreeMap<String, Unsent>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Unsent {
    /// The number the GPU's next XID gets.
    next: u64,
    /// Oldest first, at most `MAX_XIDS_PER_REPORT`.
    xids: VecDeque<XidEvent>,
    /// How many older ones were left out, all numbered just before `xids[0]`.
    dropped: u32,
}

/// Where a run of the agent starts numbering a GPU it has no XIDs of: nanoseconds since the
/// Unix epoch at its start, later than any earlier run's numbers (and at most
/// `limits::MAX_XID_SEQ` for the next few centuries).
pub fn clock_base() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

impl XidOutbox {
    pub fn is_empty(&self) -> bool {
        self.gpus.is_empty()
    }

    /// Numbers the XIDs `health` holds (fresh from the backend: `xids_dropped` older ones left
    /// out before them; a GPU seen first numbered from `base`), keeps them, and makes `health`
    /// carry every XID of `gpu` not yet acknowledged: the newest `MAX_XIDS_PER_REPORT`, the
    /// rest counted in `xids_dropped`. Returns whether it kept any new one.
    pub fn carry(&mut self, gpu: &str, health: &mut GpuHealth, base: u64) -> bool {
        let taken = !health.xids.is_empty() || health.xids_dropped > 0;
        if !taken && !self.gpus.contains_key(gpu) {
            return false;
        }
        let unsent = self.gpus.entry(gpu.to_owned()).or_insert_with(|| Unsent {
            next: base,
            xids: VecDeque::new(),
            dropped: 0,
        });
        // The backend's dropped XIDs came first: their numbers go unused, so the numbers of
        // what is left out always end just before the first XID carried.
        unsent.next += u64::from(health.xids_dropped);
        unsent.dropped = unsent.dropped.saturating_add(health.xids_dropped);
        for mut x in health.xids.drain(..) {
            x.seq = Some(unsent.next);
            unsent.next += 1;
            unsent.xids.push_back(x);
        }
        while unsent.xids.len() > MAX_XIDS_PER_REPORT {
            unsent.xids.pop_front();
            unsent.dropped = unsent.dropped.saturating_add(1);
        }
        health.xids = unsent.xids.iter().copied().collect();
        health.xids_dropped = unsent.dropped;
        taken
    }

    /// Forgets the GPUs not in `present` that have nothing left to send (a GPU taken out of
    /// the host leaves no counter behind in the checkpoint). A forgotten GPU seen again is
    /// numbered from a new base, so the caller must then take a new [`clock_base`]: numbers
    /// from it are later than any this run gave. Returns whether it forgot any.
    pub fn forget_absent(&mut self, present: &std::collections::HashSet<&str>) -> bool {
        let before = self.gpus.len();
        self.gpus.retain(|gpu, unsent| {
            present.contains(gpu.as_str()) || !unsent.xids.is_empty() || unsent.dropped > 0
        });
        self.gpus.len() < before
    }

    /// The server accepted `report`: what it carried is recorded there. Returns whether that
    /// acknowledged anything.
    pub fn acknowledged(&mut self, report: &ObservedReport) -> bool {
        let mut any = false;
        for g in &report.gpus {
            let (Some(h), Some(unsent)) = (&g.health, self.gpus.get_mut(&g.gpu_uuid)) else {
                continue;
            };
            if let Some(last) = h.xids.last().and_then(|x| x.seq) {
                unsent.xids.retain(|x| x.seq.is_some_and(|s| s > last));
                any = true;
            }
            any |= h.xids_dropped > 0;
            unsent.dropped = unsent.dropped.saturating_sub(h.xids_dropped);
        }
        // A GPU with nothing left keeps its entry: its next XID goes on from its number.
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use slicebroker_types::agent::ObservedGpuReport;

    const BASE: u64 = 1000;

    fn xid(n: u64) -> XidEvent {
        XidEvent {
            xid: n,
            gpu_instance_id: None,
            compute_instance_id: None,
            seq: None,
        }
    }

    fn taken(xids: &[u64], dropped: u32) -> GpuHealth {
        GpuHealth {
            xids: xids.iter().map(|&n| xid(n)).collect(),
            xids_dropped: dropped,
            ..GpuHealth::default()
        }
    }

    fn report(gpu: &str, health: &GpuHealth) -> ObservedReport {
        ObservedReport {
            applied_generation: 1,
            gpus: vec![ObservedGpuReport {
                gpu_uuid: gpu.into(),
                mig_enabled: true,
                instances: Vec::new(),
                health: Some(health.clone()),
            }],
            errors: Vec::new(),
        }
    }

    fn seqs(h: &GpuHealth) -> Vec<u64> {
        h.xids.iter().map(|x| x.seq.unwrap()).collect()
    }

    #[test]
    fn xids_are_numbered_per_gpu_and_sent_again_until_acknowledged() {
        let mut out = XidOutbox::default();
        let mut first = taken(&[13, 94], 0);
        out.carry("GPU-a", &mut first, BASE);
        assert_eq!(seqs(&first), [1000, 1001]);
        let mut other = taken(&[79], 0);
        out.carry("GPU-b", &mut other, BASE);
        assert_eq!(seqs(&other), [1000], "each GPU numbers its own");
        // The report was lost: the next pass carries the same XIDs, then the new one.
        let mut second = taken(&[48], 0);
        out.carry("GPU-a", &mut second, BASE);
        assert_eq!(seqs(&second), [1000, 1001, 1002]);
        assert_eq!(second.xids[0].xid, 13);
        out.acknowledged(&report("GPU-a", &second));
        let mut third = taken(&[], 0);
        out.carry("GPU-a", &mut third, BASE);
        assert!(
            third.xids.is_empty(),
            "acknowledged XIDs are not sent again"
        );
        let mut fourth = taken(&[31], 0);
        out.carry("GPU-a", &mut fourth, BASE);
        assert_eq!(seqs(&fourth), [1003]);
    }

    #[test]
    fn an_xid_taken_after_the_report_stays_when_that_report_is_acknowledged() {
        let mut out = XidOutbox::default();
        let mut sent = taken(&[13], 0);
        out.carry("GPU-a", &mut sent, BASE);
        let mut later = taken(&[94], 0);
        out.carry("GPU-a", &mut later, BASE);
        out.acknowledged(&report("GPU-a", &sent));
        let mut next = taken(&[], 0);
        out.carry("GPU-a", &mut next, BASE);
        assert_eq!(seqs(&next), [1001]);
    }

    #[test]
    fn beyond_the_bound_the_oldest_are_counted_and_numbered_just_before_the_first_carried() {
        let mut out = XidOutbox::default();
        let first: Vec<u64> = (0..40).collect();
        let mut h = taken(&first, 5);
        out.carry("GPU-a", &mut h, BASE);
        assert_eq!((h.xids_dropped, seqs(&h)[0]), (5, 1005));
        // Not acknowledged; 40 more: 16 of the first 40 no longer fit.
        let mut h = taken(&first, 0);
        out.carry("GPU-a", &mut h, BASE);
        assert_eq!(h.xids.len(), MAX_XIDS_PER_REPORT);
        assert_eq!((h.xids_dropped, seqs(&h)[0]), (21, 1021));
        assert_eq!(*seqs(&h).last().unwrap(), 1084);
        out.acknowledged(&report("GPU-a", &h));
        let mut h = taken(&[7], 0);
        out.carry("GPU-a", &mut h, BASE);
        assert_eq!((h.xids_dropped, seqs(&h)), (0, vec![1085]));
    }

    #[test]
    fn a_gpu_gone_is_forgotten_once_nothing_of_it_is_left_to_send() {
        let mut out = XidOutbox::default();
        let mut a = taken(&[94], 0);
        out.carry("GPU-a", &mut a, BASE);
        let mut b = taken(&[79], 0);
        out.carry("GPU-b", &mut b, BASE);
        out.acknowledged(&report("GPU-b", &b));
        // GPU-b is gone with nothing unsent: forgotten. GPU-a is gone too (fell off the bus,
        // say) but its XID has not reached the server: kept.
        let present = ["GPU-c"].into_iter().collect();
        assert!(out.forget_absent(&present));
        assert!(!out.forget_absent(&present), "nothing more to forget");
        let mut again = taken(&[], 0);
        out.carry("GPU-a", &mut again, BASE);
        assert_eq!(seqs(&again), [1000]);
        out.acknowledged(&report("GPU-a", &again));
        assert!(out.forget_absent(&Default::default()));
        assert!(out.is_empty());
        // Seen again, a forgotten GPU is numbered from the base it is given.
        let mut back = taken(&[13], 0);
        out.carry("GPU-b", &mut back, BASE + 10);
        assert_eq!(seqs(&back), [1010]);
    }

    #[test]
    fn unacknowledged_xids_survive_a_restart_and_numbering_goes_on() {
        let mut out = XidOutbox::default();
        let mut h = taken(&[94], 0);
        assert!(out.carry("GPU-a", &mut h, BASE));
        let mut quiet = taken(&[], 0);
        assert!(!out.carry("GPU-b", &mut quiet, BASE), "nothing kept");
        // The checkpoint file holds the outbox; a new run reads it back, with a later clock.
        let text = serde_json::to_string(&out).unwrap();
        let mut back: XidOutbox = serde_json::from_str(&text).unwrap();
        assert_eq!(back, out);
        let mut h = taken(&[13], 0);
        back.carry("GPU-a", &mut h, BASE + 5_000);
        assert_eq!(seqs(&h), [1000, 1001], "the kept one, then the next number");
        assert!(back.acknowledged(&report("GPU-a", &h)));
        let mut h = taken(&[31], 0);
        back.carry("GPU-a", &mut h, BASE + 5_000);
        assert_eq!(seqs(&h), [1002], "a GPU goes on from its number");
        let mut h = taken(&[31], 0);
        back.carry("GPU-c", &mut h, BASE + 5_000);
        assert_eq!(
            seqs(&h),
            [6000],
            "a GPU seen first starts at this run's base"
        );
    }
}
