//! The simulator's command-line spec (`h100-80gb:4,a100-40gb:2`) and its deterministic UUIDs.

use slicebroker_types::{GpuModel, ModelId};

/// Why a `--sim-gpus` spec cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("empty simulated GPU spec; expected e.g. `h100-80gb:4,a100-40gb:2`")]
    Empty,
    #[error("`{part}` has a bad count; expected `MODEL:COUNT` with COUNT from 1 to 64")]
    BadCount { part: String },
    #[error(transparent)]
    UnknownModel(#[from] slicebroker_types::catalog::UnknownModel),
}

/// Parses `MODEL[:COUNT],…` into one model id per simulated GPU, in order.
pub fn parse_spec(spec: &str) -> Result<Vec<ModelId>, SpecError> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, count) = match part.split_once(':') {
            Some((name, count)) => {
                let count: u8 = count.trim().parse().map_err(|_| SpecError::BadCount {
                    part: part.to_owned(),
                })?;
                (name, count)
            }
            None => (part, 1),
        };
        if !(1..=64).contains(&count) {
            return Err(SpecError::BadCount {
                part: part.to_owned(),
            });
        }
        let model = GpuModel::parse(name)?;
        out.extend(std::iter::repeat_n(model, usize::from(count)));
    }
    if out.is_empty() {
        return Err(SpecError::Empty);
    }
    Ok(out)
}

/// splitmix64: a tiny, well-mixed deterministic hash step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A UUID-shaped id with NVML's prefix (`GPU-…`, `MIG-…`), derived from the seed and `parts`.
pub fn derived_uuid(prefix: &str, seed: u64, parts: &[u64]) -> String {
    let mut h = mix(seed);
    for &p in parts {
        h = mix(h ^ p);
    }
    let lo = mix(h ^ 0x5EED);
    let hex = format!("{h:016x}{lo:016x}");
    format!(
        "{prefix}-{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_expands_counts_in_order() {
        let models = parse_spec("h100-80gb:2, a100-40gb").unwrap();
        let keys: Vec<_> = models.iter().map(|&m| GpuModel::get(m).key).collect();
        assert_eq!(keys, vec!["h100-80gb", "h100-80gb", "a100-40gb"]);
    }

    #[test]
    fn spec_errors_say_what_is_wrong() {
        assert_eq!(parse_spec(" , "), Err(SpecError::Empty));
        assert!(matches!(
            parse_spec("h100-80gb:x"),
            Err(SpecError::BadCount { .. })
        ));
        assert!(matches!(
            parse_spec("h100-80gb:0"),
            Err(SpecError::BadCount { .. })
        ));
        let unknown = parse_spec("v100:1").unwrap_err().to_string();
        assert!(
            unknown.contains("v100") && unknown.contains("h100-80gb"),
            "{unknown}"
        );
    }

    #[test]
    fn uuids_are_deterministic_distinct_and_nvml_shaped() {
        let a = derived_uuid("GPU", 7, &[0]);
        assert_eq!(a, derived_uuid("GPU", 7, &[0]));
        assert_ne!(a, derived_uuid("GPU", 7, &[1]));
        assert_ne!(a, derived_uuid("GPU", 8, &[0]));
        assert_eq!(a.len(), "GPU-".len() + 36);
        let groups: Vec<usize> = a["GPU-".len()..].split('-').map(str::len).collect();
        assert_eq!(groups, vec![8, 4, 4, 4, 12]);
    }
}
