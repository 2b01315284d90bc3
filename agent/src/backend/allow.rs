//! GPUs the broker does not own: with a `gpus` allow-list the agent sees, reports and changes
//! only the listed GPUs. The others are absent from discovery, registration and every report,
//! and a create, destroy or MIG mode change aimed at one is refused before any driver call.

use super::{BackendError, GpuBackend};
use crate::kernel_log::PciAddress;
use crate::model::{CreatedInstance, GpuInfo, GpuInstance, MigModeChange, ProfileDetail, Signal};
use slicebroker_types::Placement;
use slicebroker_types::agent::GpuHealth;

/// GPUs by UUID (`GPU-…`, stable) or NVML index (`0`; can change across reboots).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuAllowList {
    uuids: Vec<String>,
    indexes: Vec<u32>,
}

impl GpuAllowList {
    /// Parses `GPU-…,1,GPU-…`: comma-separated UUIDs and indexes.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut list = GpuAllowList {
            uuids: Vec::new(),
            indexes: Vec::new(),
        };
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry.starts_with("GPU-") {
                list.uuids.push(entry.to_owned());
            } else if let Ok(index) = entry.parse() {
                list.indexes.push(index);
            } else {
                return Err(format!(
                    "`gpus`: `{entry}` is neither a GPU UUID (GPU-…) nor an NVML index"
                ));
            }
        }
        if list.uuids.is_empty() && list.indexes.is_empty() {
            return Err("`gpus` is empty: list GPU UUIDs or indexes, or leave it unset".into());
        }
        Ok(list)
    }

    pub fn allows(&self, gpu: &GpuInfo) -> bool {
        self.uuids.contains(&gpu.uuid) || self.indexes.contains(&gpu.index)
    }

    /// Entries that name no GPU of `gpus`: worth a warning, a typo leaves a GPU unmanaged.
    pub fn unmatched(&self, gpus: &[GpuInfo]) -> Vec<String> {
        let uuids = self
            .uuids
            .iter()
            .filter(|u| gpus.iter().all(|g| &g.uuid != *u))
            .cloned();
        let indexes = self
            .indexes
            .iter()
            .filter(|&&i| gpus.iter().all(|g| g.index != i))
            .map(u32::to_string);
        uuids.chain(indexes).collect()
    }
}

/// A backend seen through an allow-list.
#[derive(Debug)]
pub struct AllowedGpus {
    inner: Box<dyn GpuBackend>,
    allow: GpuAllowList,
}

impl AllowedGpus {
    pub fn new(inner: Box<dyn GpuBackend>, allow: GpuAllowList) -> Self {
        Self { inner, allow }
    }

    fn check(&self, gpu_uuid: &str) -> Result<(), BackendError> {
        let allowed = self
            .inner
            .gpus()?
            .iter()
            .any(|g| g.uuid == gpu_uuid && self.allow.allows(g));
        if allowed {
            Ok(())
        } else {
            Err(BackendError::NotAllowed {
                uuid: gpu_uuid.into(),
            })
        }
    }
}

impl GpuBackend for AllowedGpus {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    fn driver_version(&self) -> Option<String> {
        self.inner.driver_version()
    }

    fn gpus(&self) -> Result<Vec<GpuInfo>, BackendError> {
        let mut gpus = self.inner.gpus()?;
        gpus.retain(|g| self.allow.allows(g));
        Ok(gpus)
    }

    fn instances(&self, gpu: &GpuInfo) -> Result<Vec<GpuInstance>, BackendError> {
        self.check(&gpu.uuid)?;
        self.inner.instances(gpu)
    }

    fn create_instance(
        &self,
        gpu_uuid: &str,
        profile_id: u32,
        placement: Placement,
    ) -> Result<CreatedInstance, BackendError> {
        self.check(gpu_uuid)?;
        self.inner.create_instance(gpu_uuid, profile_id, placement)
    }

    fn create_compute_instance(
        &self,
        gpu_uuid: &str,
        gpu_instance_id: u32,
    ) -> Result<CreatedInstance, BackendError> {
        self.check(gpu_uuid)?;
        self.inner
            .create_compute_instance(gpu_uuid, gpu_instance_id)
    }

    fn destroy_instance(&self, gpu_uuid: &str, gpu_instance_id: u32) -> Result<(), BackendError> {
        self.check(gpu_uuid)?;
        self.inner.destroy_instance(gpu_uuid, gpu_instance_id)
    }

    fn set_mig_mode(&self, gpu_uuid: &str, enabled: bool) -> Result<MigModeChange, BackendError> {
        self.check(gpu_uuid)?;
        self.inner.set_mig_mode(gpu_uuid, enabled)
    }

    /// Processes are found only on allowed GPUs' instances, so their pids are the agent's to
    /// signal.
    fn signal_process(&self, pid: u32, signal: Signal) -> Result<(), BackendError> {
        self.inner.signal_process(pid, signal)
    }

    fn profile_details(&self, gpu: &GpuInfo) -> Result<Vec<ProfileDetail>, BackendError> {
        self.check(&gpu.uuid)?;
        self.inner.profile_details(gpu)
    }

    fn health(&self, gpu: &GpuInfo) -> Result<GpuHealth, BackendError> {
        self.check(&gpu.uuid)?;
        self.inner.health(gpu)
    }

    fn pci_address(&self, gpu: &GpuInfo) -> Option<PciAddress> {
        self.check(&gpu.uuid).ok()?;
        self.inner.pci_address(gpu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::SimBackend;

    #[test]
    fn the_list_takes_uuids_and_indexes_and_names_what_it_cannot_read() {
        let l = GpuAllowList::parse(" GPU-a , 2,").unwrap();
        assert_eq!(l.uuids, ["GPU-a"]);
        assert_eq!(l.indexes, [2]);
        let err = GpuAllowList::parse("GPU-a,gpu3").unwrap_err();
        assert!(err.contains("gpu3"), "{err}");
        assert!(GpuAllowList::parse(" , ").is_err());
    }

    #[test]
    fn gpus_outside_the_list_are_invisible_and_untouchable() {
        let sim = SimBackend::from_spec("h100-80gb:3", 5).unwrap();
        let all = sim.gpus().unwrap();
        let list = format!("{},2", all[0].uuid);
        let b = AllowedGpus::new(Box::new(sim), GpuAllowList::parse(&list).unwrap());
        let seen: Vec<u32> = b.snapshot().unwrap().iter().map(|s| s.gpu.index).collect();
        assert_eq!(seen, [0, 2]);
        let other = &all[1].uuid;
        let at = Placement { start: 0, size: 1 };
        for err in [
            b.create_instance(other, 19, at).unwrap_err(),
            b.destroy_instance(other, 1).unwrap_err(),
            b.set_mig_mode(other, false).map(|_| ()).unwrap_err(),
        ] {
            assert!(matches!(err, BackendError::NotAllowed { .. }), "{err}");
        }
        b.create_instance(&all[2].uuid, 19, at).unwrap();
        assert!(
            GpuAllowList::parse("GPU-nope,7")
                .unwrap()
                .unmatched(&all)
                .len()
                == 2
        );
    }

    #[test]
    fn health_and_pci_addresses_are_read_through_the_list_for_listed_gpus_only() {
        let sim = SimBackend::from_spec("h100-80gb:2", 5).unwrap();
        let all = sim.gpus().unwrap();
        sim.inject_xid(&all[0].uuid, 79, None).unwrap();
        let b = AllowedGpus::new(Box::new(sim), GpuAllowList::parse("0").unwrap());
        let h = b.health(&all[0]).unwrap();
        assert!(h.temperature_c.is_some());
        assert_eq!(h.xids.iter().map(|x| x.xid).collect::<Vec<_>>(), [79]);
        assert!(matches!(
            b.health(&all[1]),
            Err(BackendError::NotAllowed { .. })
        ));
        let bus = |g| b.pci_address(g).map(|a| a.bus);
        assert_eq!(bus(&all[0]), Some(0x18));
        assert_eq!(bus(&all[1]), None);
    }
}
