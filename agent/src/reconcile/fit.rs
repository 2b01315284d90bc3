//! What still fits on one observed GPU, for the planner. Catalog GPUs use the catalog's
//! [`Occupancy`] (placements, counts, compute, media engines); a GPU the catalog does not know,
//! or whose live layout the catalog would reject, falls back to memory-slice overlap only and
//! leaves the other limits to the driver.

use crate::model::{GpuInfo, GpuInstance};
use slicebroker_types::{GpuModel, Occupancy, Placement};

#[derive(Debug)]
pub enum GpuFit {
    Catalog {
        model: &'static GpuModel,
        occupancy: Occupancy,
    },
    Mask(u16),
}

impl GpuFit {
    /// What is taken by `kept` on `gpu`.
    pub fn new<'a>(gpu: &GpuInfo, kept: impl IntoIterator<Item = &'a GpuInstance>) -> Self {
        let kept: Vec<&GpuInstance> = kept.into_iter().collect();
        let mask = kept.iter().fold(0u16, |m, i| m | i.placement.mask());
        let Some(model) = gpu
            .model
            .as_deref()
            .and_then(GpuModel::find)
            .map(GpuModel::get)
        else {
            return Self::Mask(mask);
        };
        let mut occupancy = Occupancy::empty(model.id());
        for i in kept {
            let added = model
                .profile_by_nvml_id(i.profile_id)
                .is_some_and(|p| occupancy.add(p, i.placement.start).is_ok());
            if !added {
                return Self::Mask(mask);
            }
        }
        Self::Catalog { model, occupancy }
    }

    /// Takes `placement` for `profile_id`, or says why it does not fit.
    pub fn take(&mut self, profile_id: u32, placement: Placement) -> Result<(), String> {
        match self {
            Self::Catalog { model, occupancy } => {
                let Some(profile) = model.profile_by_nvml_id(profile_id) else {
                    return Err(format!("{} has no profile id {profile_id}", model.key));
                };
                occupancy
                    .add(profile, placement.start)
                    .map_err(|e| e.to_string())
            }
            Self::Mask(mask) => {
                if *mask & placement.mask() != 0 {
                    return Err(format!(
                        "memory slices {placement} overlap an existing instance"
                    ));
                }
                *mask |= placement.mask();
                Ok(())
            }
        }
    }
}
