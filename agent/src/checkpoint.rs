//! The agent's local record of the instances it created, written atomically before and after
//! each create. After a crash it tells the agent's own instances from ones made by hand:
//! an instance it recorded (even only as an intent) is managed; anything else is unmanaged.
//! It also keeps the XIDs not yet delivered to the server, so a restart does not lose them, and
//! how far the kernel log's XIDs have been read and which wait to be matched with NVML's, so
//! one raised while no agent ran is found, once.

use crate::fsutil::{self, FileError};
use crate::kernel_log::Mark;
use crate::model::{GpuInstance, GpuSnapshot};
use crate::xid_ledger::XidLedger;
use crate::xids::XidOutbox;
use serde::{Deserialize, Serialize};
use slicebroker_types::Placement;
use slicebroker_types::agent::LeaseId;
use std::path::{Path, PathBuf};

/// One instance the agent created, or is about to create (`gpu_instance_id` still `None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedInstance {
    pub gpu_uuid: String,
    pub lease_id: LeaseId,
    pub profile_id: u32,
    pub placement: Placement,
    pub gpu_instance_id: Option<u32>,
    pub mig_uuid: Option<String>,
}

impl ManagedInstance {
    /// Whether `instance` on `gpu_uuid` is this record's instance. Live instances never overlap,
    /// so GPU, profile and start identify one; a known GPU-instance id must match as well.
    pub fn matches(&self, gpu_uuid: &str, instance: &GpuInstance) -> bool {
        self.gpu_uuid == gpu_uuid
            && self.profile_id == instance.profile_id
            && self.placement.start == instance.placement.start
            && self.gpu_instance_id.is_none_or(|id| id == instance.id)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub instances: Vec<ManagedInstance>,
    /// XIDs taken from the GPUs that no accepted report has carried yet (`crate::xids`).
    #[serde(default, skip_serializing_if = "XidOutbox::is_empty")]
    pub xids: XidOutbox,
    /// How far the kernel log's Xid records have reached the agent (`crate::kernel_log`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_log: Option<Mark>,
    /// XIDs NVML delivered or the kernel log showed, waiting for the other side
    /// (`crate::xid_ledger`).
    #[serde(default, skip_serializing_if = "XidLedger::is_empty")]
    pub xid_ledger: XidLedger,
}

impl Checkpoint {
    pub fn find(&self, gpu_uuid: &str, instance: &GpuInstance) -> Option<&ManagedInstance> {
        self.instances
            .iter()
            .find(|m| m.matches(gpu_uuid, instance))
    }

    /// Records the intent to create, before the create call.
    pub fn record_intent(&mut self, entry: ManagedInstance) {
        self.instances.push(entry);
    }

    /// Fills in what the create returned for the intent at (`gpu_uuid`, `start`).
    pub fn record_created(&mut self, gpu_uuid: &str, start: u8, gi_id: u32, mig_uuid: &str) {
        if let Some(m) = self.instance_at_mut(gpu_uuid, start) {
            m.gpu_instance_id = Some(gi_id);
            m.mig_uuid = Some(mig_uuid.to_owned());
        }
    }

    /// Drops the record of the instance at (`gpu_uuid`, `start`).
    pub fn forget(&mut self, gpu_uuid: &str, start: u8) {
        self.instances
            .retain(|m| !(m.gpu_uuid == gpu_uuid && m.placement.start == start));
    }

    fn instance_at_mut(&mut self, gpu_uuid: &str, start: u8) -> Option<&mut ManagedInstance> {
        self.instances
            .iter_mut()
            .find(|m| m.gpu_uuid == gpu_uuid && m.placement.start == start)
    }

    /// Drops records whose instance is gone from a GPU that was observed (destroyed by hand,
    /// lost in a reboot, or a create that never happened). Records for GPUs not observed stay.
    /// Returns how many were dropped.
    pub fn retain_observed(&mut self, observed: &[GpuSnapshot]) -> usize {
        let before = self.instances.len();
        self.instances.retain(
            |m| match observed.iter().find(|s| s.gpu.uuid == m.gpu_uuid) {
                Some(s) => s.instances.iter().any(|i| m.matches(&s.gpu.uuid, i)),
                None => true,
            },
        );
        before - self.instances.len()
    }
}

/// A checkpoint kept in a file (or only in memory, for `--dry-run` and tests).
#[derive(Debug)]
pub struct CheckpointStore {
    path: Option<PathBuf>,
}

impl CheckpointStore {
    pub fn new(path: Option<PathBuf>) -> Self {
        Self { path }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn load(&self) -> Result<Checkpoint, FileError> {
        match &self.path {
            Some(p) => Ok(fsutil::read_json(p)?.unwrap_or_default()),
            None => Ok(Checkpoint::default()),
        }
    }

    pub fn save(&self, checkpoint: &Checkpoint) -> Result<(), FileError> {
        match &self.path {
            Some(p) => fsutil::write_json_atomic(p, checkpoint),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(id: u32, profile_id: u32, start: u8) -> GpuInstance {
        GpuInstance {
            id,
            profile_id,
            profile_index: None,
            placement: Placement { start, size: 1 },
            compute_instances: Vec::new(),
            memory_used_mib: None,
            memory_total_mib: None,
            processes: Vec::new(),
            activity: None,
        }
    }

    fn entry(start: u8, gi: Option<u32>) -> ManagedInstance {
        ManagedInstance {
            gpu_uuid: "GPU-a".into(),
            lease_id: "00000000-0000-0000-0000-000000000001".parse().unwrap(),
            profile_id: 19,
            placement: Placement { start, size: 1 },
            gpu_instance_id: gi,
            mig_uuid: None,
        }
    }

    #[test]
    fn an_intent_matches_any_instance_at_its_spot_and_a_record_only_its_own_id() {
        let intent = entry(3, None);
        assert!(intent.matches("GPU-a", &instance(7, 19, 3)));
        assert!(!intent.matches("GPU-b", &instance(7, 19, 3)));
        assert!(
            !intent.matches("GPU-a", &instance(7, 20, 3)),
            "other profile"
        );
        assert!(!intent.matches("GPU-a", &instance(7, 19, 4)), "other start");
        let created = entry(3, Some(7));
        assert!(created.matches("GPU-a", &instance(7, 19, 3)));
        assert!(
            !created.matches("GPU-a", &instance(8, 19, 3)),
            "re-made by someone else"
        );
    }

    #[test]
    fn created_records_fill_in_and_forget_drops_them() {
        let mut c = Checkpoint::default();
        c.record_intent(entry(3, None));
        c.record_created("GPU-a", 3, 7, "MIG-x");
        assert_eq!(c.instances[0].gpu_instance_id, Some(7));
        assert_eq!(c.instances[0].mig_uuid.as_deref(), Some("MIG-x"));
        c.forget("GPU-a", 3);
        assert!(c.instances.is_empty());
    }

    #[test]
    fn checkpoint_survives_a_round_trip_through_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = CheckpointStore::new(Some(dir.path().join("checkpoint.json")));
        assert_eq!(store.load().unwrap(), Checkpoint::default());
        let mut c = Checkpoint::default();
        c.record_intent(entry(1, Some(2)));
        store.save(&c).unwrap();
        assert_eq!(store.load().unwrap(), c);
    }
}
