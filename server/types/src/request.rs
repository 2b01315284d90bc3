//! How a request names the slice it wants, and how that resolves to one profile per GPU model.
//!
//! Three forms: a profile name (`2g.20gb`: only models that have it), a bare compute size (`3g`:
//! that size's plain profile on whichever model), or a need (`min_memory_gib`,
//! `min_compute_slices`: the smallest adequate plain profile on each model). A slice class adds
//! a fourth: a profile named per model (`a100-40gb:1g.5gb,h100-80gb:1g.10gb`), with a need for
//! other models (`…,*:≥10GiB/≥1g`).

use crate::catalog::{GpuModel, ModelId, ProfileIdx};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the requester asked for, before it meets the fleet.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileRequest {
    /// A profile by its `nvidia-smi` name.
    Named(String),
    /// A compute size (`1`…`7`): that size's plain profile on each model.
    Size(u8),
    /// The smallest plain profile with at least this much memory (by the GiB in the profile's
    /// name, so `2g.20gb` satisfies 20 GiB) and compute.
    Need {
        min_memory_gib: u32,
        min_compute_slices: u8,
    },
    /// A profile per GPU model (catalog key, profile name), as a slice class gives it, and on
    /// the models it does not name, `otherwise` (a need), if any.
    PerModel {
        profiles: Vec<(String, String)>,
        otherwise: Option<Box<ProfileRequest>>,
    },
}

/// One way to satisfy a request: this profile on this model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SliceShape {
    pub model: ModelId,
    pub profile: ProfileIdx,
}

impl SliceShape {
    pub fn model(&self) -> &'static GpuModel {
        GpuModel::get(self.model)
    }

    pub fn profile(&self) -> &'static crate::Profile {
        self.model().profile(self.profile)
    }
}

impl fmt::Display for SliceShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.profile().name, self.model().key)
    }
}

/// Why a request names nothing the catalog can provide.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error(
        "profile `{given}` is empty or malformed; expected a name like `2g.20gb` or a size like `3g`"
    )]
    Malformed { given: String },
    #[error("unknown profile `{given}`{}; valid profiles: {}", scope(.models), .valid.join(", "))]
    UnknownProfile {
        given: String,
        models: Vec<&'static str>,
        valid: Vec<&'static str>,
    },
    #[error("no {size}g profile{}; valid sizes: {}", scope(.models), .valid.join(", "))]
    UnknownSize {
        size: u8,
        models: Vec<&'static str>,
        valid: Vec<String>,
    },
    #[error(
        "no profile has at least {min_memory_gib} GiB and {min_compute_slices} compute slices{}; the largest{} is {largest}",
        scope_or_catalog(.models),
        if .models.is_empty() { " any has" } else { "" }
    )]
    NeedTooLarge {
        min_memory_gib: u32,
        min_compute_slices: u8,
        models: Vec<&'static str>,
        largest: String,
    },
    #[error("min_compute_slices must be at least 1")]
    ZeroCompute,
}

/// ` on a100-40gb`, or, with no models named, that the whole catalog was searched (not the
/// fleet, which may hold fewer models).
fn scope_or_catalog(models: &[&str]) -> String {
    if models.is_empty() {
        " on any GPU model slicebroker supports".into()
    } else {
        scope(models)
    }
}

fn scope(models: &[&str]) -> String {
    if models.is_empty() {
        String::new()
    } else {
        format!(" on {}", models.join(", "))
    }
}

impl ProfileRequest {
    /// Parses `2g.20gb` (a name) or `3g` (a size).
    pub fn parse(s: &str) -> Result<Self, RequestError> {
        let s = s.trim();
        let malformed = || RequestError::Malformed {
            given: s.to_owned(),
        };
        if s.is_empty() {
            return Err(malformed());
        }
        if s.contains(':') {
            return Self::parse_per_model(s).ok_or_else(malformed);
        }
        // The display form of a need, `≥20GiB/≥1g`, as leases echo it back.
        if let Some(rest) = s.strip_prefix('≥') {
            let (memory, compute) = rest.split_once("/≥").ok_or_else(malformed)?;
            let min_memory_gib = memory
                .strip_suffix("GiB")
                .and_then(|m| m.parse().ok())
                .ok_or_else(malformed)?;
            let min_compute_slices = compute
                .strip_suffix('g')
                .and_then(|c| c.parse().ok())
                .filter(|c| *c > 0)
                .ok_or_else(malformed)?;
            return Ok(Self::Need {
                min_memory_gib,
                min_compute_slices,
            });
        }
        if let Some(digits) = s.strip_suffix(['g', 'G']) {
            return match digits.parse::<u8>() {
                Ok(n) if n > 0 => Ok(Self::Size(n)),
                _ => Err(malformed()),
            };
        }
        if !s.contains('.') {
            return Err(malformed());
        }
        Ok(Self::Named(s.to_ascii_lowercase()))
    }

    /// `model:profile,…[,*:need]`, as [`Self::PerModel`] displays.
    fn parse_per_model(s: &str) -> Option<Self> {
        let mut profiles = Vec::new();
        let mut otherwise = None;
        for part in s.split(',') {
            let (model, profile) = part.trim().split_once(':')?;
            if model == "*" && otherwise.is_none() {
                match Self::parse(profile).ok()? {
                    need @ Self::Need { .. } => otherwise = Some(Box::new(need)),
                    _ => return None,
                }
            } else if !model.is_empty() && model != "*" && profile.contains('.') {
                profiles.push((model.to_ascii_lowercase(), profile.to_ascii_lowercase()));
            } else {
                return None;
            }
        }
        Some(Self::PerModel {
            profiles,
            otherwise,
        })
    }

    /// One shape per model in `models` (every catalog model if empty) that can satisfy this
    /// request, in catalog order; an error if none can.
    pub fn resolve(&self, models: &[ModelId]) -> Result<Vec<SliceShape>, RequestError> {
        let scope: Vec<ModelId> = if models.is_empty() {
            (0..GpuModel::all().len() as u8).map(ModelId).collect()
        } else {
            models.to_vec()
        };
        let scope_keys =
            || -> Vec<&'static str> { models.iter().map(|&m| GpuModel::get(m).key).collect() };
        let shapes: Vec<SliceShape> = scope
            .iter()
            .filter_map(|&model| {
                self.profile_on(GpuModel::get(model))
                    .map(|profile| SliceShape { model, profile })
            })
            .collect();
        if !shapes.is_empty() {
            return Ok(shapes);
        }
        let all_profiles = || {
            let mut names: Vec<&'static str> = scope
                .iter()
                .flat_map(|&m| GpuModel::get(m).profiles.iter().map(|p| p.name))
                .collect();
            names.sort_unstable();
            names.dedup();
            names
        };
        Err(match self {
            Self::PerModel { .. } => RequestError::UnknownProfile {
                given: self.to_string(),
                models: scope_keys(),
                valid: all_profiles(),
            },
            Self::Named(given) => RequestError::UnknownProfile {
                given: given.clone(),
                models: scope_keys(),
                valid: all_profiles(),
            },
            Self::Size(size) => {
                let mut sizes: Vec<u8> = scope
                    .iter()
                    .flat_map(|&m| GpuModel::get(m).profiles.iter().map(|p| p.compute_slices))
                    .collect();
                sizes.sort_unstable();
                sizes.dedup();
                RequestError::UnknownSize {
                    size: *size,
                    models: scope_keys(),
                    valid: sizes.iter().map(|s| format!("{s}g")).collect(),
                }
            }
            Self::Need {
                min_memory_gib,
                min_compute_slices,
            } if *min_compute_slices == 0 => {
                let _ = min_memory_gib;
                RequestError::ZeroCompute
            }
            Self::Need {
                min_memory_gib,
                min_compute_slices,
            } => {
                let largest = scope
                    .iter()
                    .flat_map(|&m| {
                        let model = GpuModel::get(m);
                        model
                            .profiles
                            .iter()
                            .map(move |p| (p.nominal_memory_gib(), p, model))
                    })
                    .max_by_key(|(gib, p, _)| (*gib, p.compute_slices))
                    .map(|(_, p, m)| format!("{} on {}", p.name, m.key))
                    .unwrap_or_default();
                RequestError::NeedTooLarge {
                    min_memory_gib: *min_memory_gib,
                    min_compute_slices: *min_compute_slices,
                    models: scope_keys(),
                    largest,
                }
            }
        })
    }

    /// The profile that satisfies this request on `model`, if any.
    pub fn profile_on(&self, model: &GpuModel) -> Option<ProfileIdx> {
        match self {
            Self::Named(name) => model.profile_by_name(name),
            Self::Size(size) => model.standard_profile_of_size(*size),
            Self::PerModel {
                profiles,
                otherwise,
            } => match profiles.iter().find(|(m, _)| m == model.key) {
                Some((_, name)) => model.profile_by_name(name),
                None => otherwise.as_ref().and_then(|o| o.profile_on(model)),
            },
            Self::Need {
                min_compute_slices: 0,
                ..
            } => None,
            Self::Need {
                min_memory_gib,
                min_compute_slices,
            } => model
                .profile_indices()
                .filter(|&i| {
                    let p = model.profile(i);
                    p.is_standard()
                        && p.compute_slices >= *min_compute_slices
                        && p.nominal_memory_gib() >= *min_memory_gib
                })
                .min_by_key(|&i| {
                    let p = model.profile(i);
                    (p.memory_slices, p.compute_slices)
                }),
        }
    }
}

impl fmt::Display for ProfileRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Named(name) => f.write_str(name),
            Self::Size(size) => write!(f, "{size}g"),
            Self::Need {
                min_memory_gib,
                min_compute_slices,
            } => {
                write!(f, "≥{min_memory_gib}GiB/≥{min_compute_slices}g")
            }
            Self::PerModel {
                profiles,
                otherwise,
            } => {
                let mut parts: Vec<String> =
                    profiles.iter().map(|(m, p)| format!("{m}:{p}")).collect();
                if let Some(o) = otherwise {
                    parts.push(format!("*:{o}"));
                }
                f.write_str(&parts.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_parses_back_from_its_display_form() {
        for r in [
            ProfileRequest::Named("2g.20gb".into()),
            ProfileRequest::Size(3),
            ProfileRequest::Need {
                min_memory_gib: 20,
                min_compute_slices: 2,
            },
            ProfileRequest::PerModel {
                profiles: vec![("a100-40gb".into(), "1g.5gb".into())],
                otherwise: Some(Box::new(ProfileRequest::Need {
                    min_memory_gib: 10,
                    min_compute_slices: 1,
                })),
            },
        ] {
            assert_eq!(ProfileRequest::parse(&r.to_string()).unwrap(), r);
        }
        assert!(ProfileRequest::parse("a100-40gb:1g.5gb,*:2g").is_err());
        assert!(ProfileRequest::parse(":1g.5gb").is_err());
        assert!(ProfileRequest::parse("≥20GiB").is_err());
        assert!(ProfileRequest::parse("≥20GiB/≥0g").is_err());
    }

    fn model(key: &str) -> ModelId {
        GpuModel::find(key).unwrap()
    }

    fn names(shapes: &[SliceShape]) -> Vec<String> {
        shapes.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn named_profile_resolves_only_on_models_that_have_it() {
        let shapes = ProfileRequest::parse("2g.20gb")
            .unwrap()
            .resolve(&[])
            .unwrap();
        assert_eq!(
            names(&shapes),
            [
                "2g.20gb on a100-80gb",
                "2g.20gb on h100-80gb",
                "2g.20gb on h100-pcie-80gb"
            ]
        );
    }

    #[test]
    fn per_model_resolves_each_named_model_and_the_need_elsewhere() {
        let r = ProfileRequest::parse("a100-40gb:2g.10gb,*:≥10GiB/≥1g").unwrap();
        let shapes = r
            .resolve(&[model("a100-40gb"), model("h100-80gb")])
            .unwrap();
        assert_eq!(
            names(&shapes),
            ["2g.10gb on a100-40gb", "1g.10gb on h100-80gb"]
        );
        let only = ProfileRequest::parse("a100-40gb:2g.10gb").unwrap();
        assert!(only.resolve(&[model("h100-80gb")]).is_err());
    }

    #[test]
    fn bare_size_means_the_plain_profile_with_least_memory() {
        let req = ProfileRequest::parse("1g").unwrap();
        let shapes = req
            .resolve(&[model("h100-80gb"), model("rtx-pro-6000-96gb")])
            .unwrap();
        assert_eq!(
            names(&shapes),
            ["1g.10gb on h100-80gb", "1g.24gb on rtx-pro-6000-96gb"]
        );
        let err = ProfileRequest::Size(7)
            .resolve(&[model("a30-24gb")])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no 7g profile on a30-24gb; valid sizes: 1g, 2g, 4g"
        );
    }

    #[test]
    fn need_picks_the_smallest_adequate_plain_profile_per_model() {
        let req = ProfileRequest::Need {
            min_memory_gib: 20,
            min_compute_slices: 1,
        };
        let shapes = req
            .resolve(&[model("h100-80gb"), model("a100-40gb")])
            .unwrap();
        assert_eq!(
            names(&shapes),
            ["1g.20gb on h100-80gb", "3g.20gb on a100-40gb"]
        );
        let req = ProfileRequest::Need {
            min_memory_gib: 30,
            min_compute_slices: 4,
        };
        let shapes = req
            .resolve(&[model("a100-40gb"), model("h100-80gb")])
            .unwrap();
        assert_eq!(
            names(&shapes),
            ["7g.40gb on a100-40gb", "4g.40gb on h100-80gb"]
        );
    }

    #[test]
    fn unknown_profile_error_lists_valid_profiles_of_the_requested_models() {
        let err = ProfileRequest::parse("2g.20gb")
            .unwrap()
            .resolve(&[model("a30-24gb")])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown profile `2g.20gb` on a30-24gb; valid profiles: 1g.6gb, 1g.6gb+me, 2g.12gb, \
             2g.12gb+me, 4g.24gb"
        );
    }

    #[test]
    fn need_beyond_every_profile_names_the_largest() {
        let req = ProfileRequest::Need {
            min_memory_gib: 500,
            min_compute_slices: 1,
        };
        let err = req.resolve(&[model("a100-40gb")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no profile has at least 500 GiB and 1 compute slices on a100-40gb; the largest is \
             7g.40gb on a100-40gb"
        );
        let err = req.resolve(&[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no profile has at least 500 GiB and 1 compute slices on any GPU model slicebroker \
             supports; the largest any has is 7g.180gb on b200-180gb"
        );
        let zero = ProfileRequest::Need {
            min_memory_gib: 1,
            min_compute_slices: 0,
        };
        assert_eq!(zero.resolve(&[]).unwrap_err(), RequestError::ZeroCompute);
    }

    #[test]
    fn malformed_profile_strings_are_rejected() {
        for bad in ["", "  ", "0g", "xg", "big"] {
            assert!(
                matches!(
                    ProfileRequest::parse(bad),
                    Err(RequestError::Malformed { .. })
                ),
                "{bad:?} should be malformed"
            );
        }
        assert_eq!(
            ProfileRequest::parse(" 3G ").unwrap(),
            ProfileRequest::Size(3)
        );
        assert_eq!(
            ProfileRequest::parse("2G.20GB").unwrap(),
            ProfileRequest::Named("2g.20gb".into())
        );
    }
}
