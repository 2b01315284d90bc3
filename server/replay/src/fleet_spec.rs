//! `--fleet h100-80gb:800,a100-40gb:200`: which GPU models, how many of each.

use slicebroker_placement::{Fleet, HostKey};
use slicebroker_types::{GpuModel, ModelId};

/// GPUs per host when a spec is turned into a fleet (a typical 8-GPU server).
pub const GPUS_PER_HOST: u32 = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetSpec(pub Vec<(ModelId, u32)>);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FleetSpecError {
    #[error(
        "fleet spec is empty; expected MODEL:COUNT[,MODEL:COUNT…], e.g. h100-80gb:800,a100-40gb:200"
    )]
    Empty,
    #[error("`{0}` is not MODEL:COUNT")]
    NotAPair(String),
    #[error("`{0}` is not a GPU count (a positive integer)")]
    BadCount(String),
    #[error(transparent)]
    UnknownModel(#[from] slicebroker_types::catalog::UnknownModel),
}

impl FleetSpec {
    pub fn parse(spec: &str) -> Result<Self, FleetSpecError> {
        let mut parts = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (model, count) = part
                .split_once(':')
                .ok_or_else(|| FleetSpecError::NotAPair(part.to_owned()))?;
            let model = GpuModel::parse(model)?;
            let count = match count.trim().parse::<u32>() {
                Ok(n) if n > 0 => n,
                _ => return Err(FleetSpecError::BadCount(count.trim().to_owned())),
            };
            parts.push((model, count));
        }
        if parts.is_empty() {
            return Err(FleetSpecError::Empty);
        }
        Ok(Self(parts))
    }

    pub fn models(&self) -> Vec<ModelId> {
        let mut models: Vec<ModelId> = self.0.iter().map(|(m, _)| *m).collect();
        models.sort_unstable();
        models.dedup();
        models
    }

    pub fn gpu_count(&self) -> u32 {
        self.0.iter().map(|(_, n)| n).sum()
    }

    pub fn compute_slices(&self) -> u64 {
        self.0
            .iter()
            .map(|(m, n)| u64::from(GpuModel::get(*m).compute_slices) * u64::from(*n))
            .sum()
    }

    /// An empty fleet: the spec's GPUs in order, eight to a host.
    pub fn build(&self) -> Fleet {
        let mut fleet = Fleet::new();
        let mut n = 0u32;
        for &(model, count) in &self.0 {
            for _ in 0..count {
                fleet.add_gpu(HostKey(n / GPUS_PER_HOST), model, true);
                n += 1;
            }
        }
        fleet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_models_and_counts_and_builds_the_fleet() {
        let spec = FleetSpec::parse("h100-80gb:10, a100-40gb:6").unwrap();
        assert_eq!(spec.gpu_count(), 16);
        assert_eq!(spec.compute_slices(), 16 * 7);
        let fleet = spec.build();
        assert_eq!(fleet.len(), 16);
        assert_eq!(fleet.gpus().last().unwrap().host, HostKey(1));
    }

    #[test]
    fn errors_name_the_bad_part() {
        assert_eq!(FleetSpec::parse(""), Err(FleetSpecError::Empty));
        assert_eq!(
            FleetSpec::parse("h100-80gb"),
            Err(FleetSpecError::NotAPair("h100-80gb".into()))
        );
        assert_eq!(
            FleetSpec::parse("h100-80gb:0"),
            Err(FleetSpecError::BadCount("0".into()))
        );
        let err = FleetSpec::parse("v100:3").unwrap_err().to_string();
        assert!(
            err.starts_with("unknown GPU model `v100`; valid models: a30-24gb"),
            "{err}"
        );
    }
}
