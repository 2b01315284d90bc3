//! Instance health (issue 18): which leases an XID a GPU reported hit, and the
//! `instance_error` events that follow. An XID hits a lease when it hits the GPU instance of
//! one of the lease's slices on that GPU ([`XidEvent::hits_instance`]: the instance it names,
//! every instance when it names none, every instance for 95). Only a fatal XID
//! ([`XidEvent::is_fatal`]) gives an event, once per lease and XID number in a report; the
//! lease keeps running (its owner decides whether to release it).

use slicebroker_types::LeaseId;
use slicebroker_types::agent::XidEvent;
use std::collections::BTreeSet;

/// A GPU instance a lease holds on the GPU that reported the XIDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseInstance {
    pub lease_id: LeaseId,
    pub gpu_instance_id: u32,
}

/// An XID as recorded: the event and the leases it hit (sorted, each once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XidHit {
    pub event: XidEvent,
    pub leases: Vec<LeaseId>,
}

/// One `instance_error` event to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceError {
    pub lease_id: LeaseId,
    pub event: XidEvent,
}

/// The leases each of a GPU's XIDs hit, in report order.
pub fn hits(xids: &[XidEvent], instances: &[LeaseInstance]) -> Vec<XidHit> {
    xids.iter()
        .map(|x| XidHit {
            event: *x,
            leases: instances
                .iter()
                .filter(|i| x.hits_instance(i.gpu_instance_id))
                .map(|i| i.lease_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        })
        .collect()
}

/// The `instance_error` events of one report: for each lease a fatal XID hit, one per XID
/// number (the first such XID of the report, on whichever of the report's GPUs), with the GPU
/// (`G`) its hit came with.
pub fn instance_errors<'a, G: ?Sized>(
    hits: impl IntoIterator<Item = (&'a G, &'a XidHit)>,
) -> Vec<(&'a G, InstanceError)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (gpu, h) in hits.into_iter().filter(|(_, h)| h.event.is_fatal()) {
        for lease in &h.leases {
            if seen.insert((*lease, h.event.xid)) {
                out.push((
                    gpu,
                    InstanceError {
                        lease_id: *lease,
                        event: h.event,
                    },
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xid(xid: u64, gi: Option<u32>) -> XidEvent {
        XidEvent {
            xid,
            gpu_instance_id: gi,
            compute_instance_id: gi.map(|_| 0),
            seq: None,
        }
    }

    #[test]
    fn a_contained_xid_hits_its_instance_and_an_uncontained_one_every_instance() {
        let (a, b) = (LeaseId::new(), LeaseId::new());
        let on_gpu = [
            LeaseInstance {
                lease_id: a,
                gpu_instance_id: 3,
            },
            LeaseInstance {
                lease_id: b,
                gpu_instance_id: 5,
            },
        ];
        let h = hits(
            &[xid(94, Some(3)), xid(95, Some(3)), xid(79, None)],
            &on_gpu,
        );
        assert_eq!(h[0].leases, [a]);
        let mut both = vec![a, b];
        both.sort();
        assert_eq!(h[1].leases, both);
        assert_eq!(h[2].leases, both);
        assert!(hits(&[xid(94, Some(7))], &on_gpu)[0].leases.is_empty());
    }

    #[test]
    fn only_fatal_xids_give_events_once_per_lease_and_xid() {
        let (a, b) = (LeaseId::new(), LeaseId::new());
        let hit = |x: XidEvent, leases: Vec<LeaseId>| XidHit { event: x, leases };
        let report = [
            hit(xid(13, Some(3)), vec![a]),
            hit(xid(94, Some(3)), vec![a]),
            hit(xid(94, Some(3)), vec![a]),
            hit(xid(48, Some(3)), vec![a]),
            hit(xid(94, Some(5)), vec![b]),
            hit(xid(95, None), vec![]),
        ];
        let gpus = ["GPU-0", "GPU-0", "GPU-0", "GPU-0", "GPU-0", "GPU-1"];
        let events: Vec<(&str, LeaseId, u64)> = instance_errors(gpus.iter().copied().zip(&report))
            .into_iter()
            .map(|(g, e)| (g, e.lease_id, e.event.xid))
            .collect();
        assert_eq!(
            events,
            [("GPU-0", a, 94), ("GPU-0", a, 48), ("GPU-0", b, 94)]
        );
    }
}
