//! GPU health through the NVML path: readings the board lacks come back absent, set readings
//! come back as set, and XIDs arrive through the event set once each, filed under their GPU
//! with the MIG instance they hit.

use super::*;
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
