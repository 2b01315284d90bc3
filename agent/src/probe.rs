//! `slicebroker-agent probe`: read-only discovery as JSON, or the profile tables as `nvidia-smi`
//! prints them ([`nvidia_smi`]). Uses only the backend's read calls.

mod nvidia_smi;

pub use nvidia_smi::nvidia_smi;

use crate::backend::{BackendError, CatalogDifference, GpuBackend, catalog_differences};
use crate::model::{GpuInfo, GpuInstance};
use serde::{Deserialize, Serialize};
use slicebroker_types::GpuModel;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Discovery {
    pub backend: String,
    pub driver_version: Option<String>,
    pub gpus: Vec<DiscoveredGpu>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscoveredGpu {
    #[serde(flatten)]
    pub gpu: GpuInfo,
    /// How the GPU's table differs from the catalog (empty when the catalog lacks the model or
    /// MIG is off).
    pub catalog_differences: Vec<CatalogDifference>,
    pub instances: Vec<GpuInstance>,
}

/// Everything the backend can see, changing nothing.
pub fn discover(backend: &dyn GpuBackend) -> Result<Discovery, BackendError> {
    let gpus = backend
        .snapshot()?
        .into_iter()
        .map(|s| DiscoveredGpu {
            catalog_differences: differences(&s.gpu),
            gpu: s.gpu,
            instances: s.instances,
        })
        .collect();
    Ok(Discovery {
        backend: backend.kind().to_owned(),
        driver_version: backend.driver_version(),
        gpus,
    })
}

/// Catalog differences of one GPU, for `probe` and registration.
pub fn differences(gpu: &GpuInfo) -> Vec<CatalogDifference> {
    match gpu.model.as_deref().and_then(GpuModel::find) {
        Some(m) if !gpu.profiles.is_empty() => catalog_differences(GpuModel::get(m), &gpu.profiles),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::SimBackend;
    use slicebroker_types::Placement;

    #[test]
    fn discovery_round_trips_through_json_and_changes_nothing() {
        let b = SimBackend::from_spec("h100-80gb,a30", 3).unwrap();
        let uuid = b.gpus().unwrap()[0].uuid.clone();
        b.create_instance(&uuid, 14, Placement { start: 2, size: 2 })
            .unwrap();
        let before = b.state().unwrap();
        let d = discover(&b).unwrap();
        assert_eq!(b.state().unwrap(), before);
        assert_eq!(d.backend, "sim");
        assert_eq!(d.gpus.len(), 2);
        assert_eq!(d.gpus[0].instances.len(), 1);
        assert!(d.gpus.iter().all(|g| g.catalog_differences.is_empty()));
        let json = serde_json::to_string_pretty(&d).unwrap();
        assert!(json.contains("\"placements\"") && json.contains("MIG-"));
        let back: Discovery = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }
}
