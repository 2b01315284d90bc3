//! Slice classes: checking a class before it is stored, what a lease request from a class comes
//! to (its own fields may only narrow the class's, never widen them), and the tenant policy's
//! limit on profile sizes outside classes.

use super::admission::Refusal;
use super::validate::Invalid;
use slicebroker_types::api::{SliceClass, SliceClassSpec, TenantPolicy};
use slicebroker_types::duration::format_seconds;
use slicebroker_types::limits::{self, pointer};
use slicebroker_types::{GpuModel, ModelId, ProfileRequest, SliceShape};

/// The spec as stored: checked against its documented bounds, the first bad field named, and
/// its model keys in catalog spelling.
pub fn validate(spec: SliceClassSpec) -> Result<SliceClassSpec, Invalid> {
    let mut spec = spec;
    if spec.description.trim().is_empty() {
        return Err(Invalid::new("description", "must not be empty"));
    }
    limits::text(&spec.description).map_err(|r| Invalid::new("description", r))?;
    if spec.profiles.len() > limits::MAX_MODELS {
        return Err(Invalid::new(
            "profiles",
            format!("at most {} models", limits::MAX_MODELS),
        ));
    }
    let mut profiles = std::collections::BTreeMap::new();
    for (model, profile) in &spec.profiles {
        let field = || pointer(&["profiles", model]);
        let m = GpuModel::parse(model).map_err(|e| Invalid::new(field(), e.to_string()))?;
        let m = GpuModel::get(m);
        let p = m.profile_by_name(profile).ok_or_else(|| {
            let valid: Vec<&str> = m.profiles.iter().map(|p| p.name).collect();
            Invalid::new(
                field(),
                format!(
                    "{} has no profile `{profile}`; valid profiles: {}",
                    m.key,
                    valid.join(", ")
                ),
            )
        })?;
        profiles.insert(m.key.to_owned(), m.profile(p).name.to_owned());
    }
    spec.profiles = profiles;
    match (spec.min_memory_gib, spec.min_compute_slices) {
        (None, Some(_)) => {
            return Err(Invalid::new(
                "min_compute_slices",
                "give `min_memory_gib` with it",
            ));
        }
        (None, None) if spec.profiles.is_empty() => {
            return Err(Invalid::new(
                "profiles",
                "give `profiles` (a profile per GPU model), `min_memory_gib`, or both",
            ));
        }
        (Some(gib), _) if !(1..=limits::MAX_MIN_MEMORY_GIB).contains(&gib) => {
            return Err(Invalid::new(
                "min_memory_gib",
                format!("must be between 1 and {}", limits::MAX_MIN_MEMORY_GIB),
            ));
        }
        (Some(_), Some(c)) if !(1..=limits::MAX_MIN_COMPUTE_SLICES).contains(&c) => {
            return Err(Invalid::new(
                "min_compute_slices",
                format!("must be between 1 and {}", limits::MAX_MIN_COMPUTE_SLICES),
            ));
        }
        _ => {}
    }
    for (name, v) in [
        ("default_duration_seconds", spec.default_duration_seconds),
        ("max_duration_seconds", spec.max_duration_seconds),
        ("idle_timeout_seconds", spec.idle_timeout_seconds),
    ] {
        limits::duration(v).map_err(|r| Invalid::new(name, r))?;
    }
    if spec.default_duration_seconds > spec.max_duration_seconds {
        return Err(Invalid::new(
            "default_duration_seconds",
            "must be at most `max_duration_seconds`",
        ));
    }
    if !limits::PRIORITY.contains(&spec.priority) {
        return Err(Invalid::new("priority", "must be between -100 and 100"));
    }
    if let Some(t) = &spec.tenants
        && t.len() > limits::MAX_CLASS_TENANTS
    {
        return Err(Invalid::new(
            "tenants",
            format!("at most {} tenants", limits::MAX_CLASS_TENANTS),
        ));
    }
    request(&spec)
        .resolve(&[])
        .map_err(|e| Invalid::new("min_memory_gib", e.to_string()))?;
    Ok(spec)
}

/// What the class gives, as a profile request: its profile per model, the need elsewhere.
pub fn request(spec: &SliceClassSpec) -> ProfileRequest {
    let need = spec.min_memory_gib.map(|gib| ProfileRequest::Need {
        min_memory_gib: gib,
        min_compute_slices: spec.min_compute_slices.unwrap_or(1),
    });
    match need {
        Some(need) if spec.profiles.is_empty() => need,
        need => ProfileRequest::PerModel {
            profiles: spec
                .profiles
                .iter()
                .map(|(m, p)| (m.clone(), p.clone()))
                .collect(),
            otherwise: need.map(Box::new),
        },
    }
}

/// `request` with only the per-model profiles of `models` (all when empty): a lease that
/// names its models shows only what it may get.
fn only_on(request: ProfileRequest, models: &[ModelId]) -> ProfileRequest {
    match request {
        ProfileRequest::PerModel {
            profiles,
            otherwise,
        } if !models.is_empty() => ProfileRequest::PerModel {
            profiles: profiles
                .into_iter()
                .filter(|(m, _)| models.iter().any(|&id| GpuModel::get(id).key == m))
                .collect(),
            otherwise,
        },
        other => other,
    }
}

/// What a lease request asked for itself, before its class fills the rest.
#[derive(Debug, Default)]
pub struct Asked {
    pub request: Option<ProfileRequest>,
    /// The GPU models it named (empty: any).
    pub models: Vec<ModelId>,
    pub duration: Option<i64>,
    pub idle_timeout: Option<i64>,
    pub priority: Option<i32>,
}

/// A class's terms with the request's narrowing applied.
#[derive(Debug, PartialEq, Eq)]
pub struct Terms {
    pub request: ProfileRequest,
    pub models: Vec<ModelId>,
    pub duration: i64,
    pub idle_timeout: i64,
    pub priority: i32,
}

/// What `request` resolves to on `models` (any model if empty), as text.
fn shapes(request: &ProfileRequest, models: &[ModelId]) -> Vec<String> {
    request
        .resolve(models)
        .unwrap_or_default()
        .iter()
        .map(SliceShape::to_string)
        .collect()
}

fn widening(field: &'static str, reason: String) -> Refusal {
    Refusal::Policy { field, reason }
}

/// The lease a request from `class` comes to: the class's terms where the request says
/// nothing, the request's where they are narrower, a refusal naming the field where they are
/// wider. An explicit profile is kept only on the models where it is no larger (in compute and
/// memory slices) than the class's profile there.
pub fn narrow(class: &SliceClass, asked: Asked) -> Result<Terms, Refusal> {
    let spec = class.spec();
    let name = &class.name;
    let duration = match asked.duration {
        Some(d) if d > spec.max_duration_seconds => {
            return Err(widening(
                "duration",
                format!(
                    "class `{name}` allows at most {}; got {}",
                    format_seconds(spec.max_duration_seconds),
                    format_seconds(d)
                ),
            ));
        }
        Some(d) => d,
        None => spec.default_duration_seconds,
    };
    let idle_timeout = match asked.idle_timeout {
        Some(t) if t > spec.idle_timeout_seconds => {
            return Err(widening(
                "idle_timeout",
                format!(
                    "class `{name}` reclaims after {} idle; a request may only ask for less",
                    format_seconds(spec.idle_timeout_seconds)
                ),
            ));
        }
        Some(t) => t,
        None => spec.idle_timeout_seconds,
    };
    let priority = match asked.priority {
        Some(p) if p > spec.priority => {
            return Err(widening(
                "priority",
                format!(
                    "class `{name}` queues at priority {}; a request may only ask for less",
                    spec.priority
                ),
            ));
        }
        Some(p) => p,
        None => spec.priority,
    };
    let given = request(&spec);
    let (request, models) = match asked.request {
        None if given.resolve(&asked.models).is_err() => {
            let on: Vec<&str> = asked.models.iter().map(|&m| GpuModel::get(m).key).collect();
            return Err(widening(
                "gpu_models",
                format!(
                    "class `{name}` gives nothing on {}; it gives {}",
                    on.join(", "),
                    shapes(&given, &[]).join(", ")
                ),
            ));
        }
        None => (only_on(given, &asked.models), asked.models),
        Some(own) => {
            let scope: Vec<ModelId> = if asked.models.is_empty() {
                (0..GpuModel::all().len() as u8).map(ModelId).collect()
            } else {
                asked.models.clone()
            };
            let fits: Vec<ModelId> = scope
                .into_iter()
                .filter(|&m| {
                    let model = GpuModel::get(m);
                    match (own.profile_on(model), given.profile_on(model)) {
                        (Some(o), Some(g)) => {
                            let (o, g) = (model.profile(o), model.profile(g));
                            o.compute_slices <= g.compute_slices
                                && o.memory_slices <= g.memory_slices
                        }
                        _ => false,
                    }
                })
                .collect();
            if fits.is_empty() {
                let allowed = shapes(&given, &asked.models);
                return Err(widening(
                    "profile",
                    format!(
                        "`{own}` is larger than class `{name}` gives on every model asked for; \
                         it gives {}",
                        if allowed.is_empty() {
                            "nothing on those models".to_owned()
                        } else {
                            allowed.join(", ")
                        }
                    ),
                ));
            }
            (own, fits)
        }
    };
    Ok(Terms {
        request,
        models,
        duration,
        idle_timeout,
        priority,
    })
}

/// `shapes` without those larger than the tenant's `max_compute_slices_outside_classes`, for a
/// lease made from no class; a refusal naming `profile` when none is left.
pub fn within_size_limit(
    policy: &TenantPolicy,
    from_class: bool,
    shapes: Vec<SliceShape>,
) -> Result<Vec<SliceShape>, Refusal> {
    let Some(max) = policy.max_compute_slices_outside_classes else {
        return Ok(shapes);
    };
    if from_class {
        return Ok(shapes);
    }
    let kept: Vec<SliceShape> = shapes
        .into_iter()
        .filter(|s| i32::from(s.profile().compute_slices) <= max)
        .collect();
    if kept.is_empty() {
        let reason = if max == 0 {
            "the tenant's leases must come from a slice class: give `class`".to_owned()
        } else {
            format!(
                "outside slice classes the tenant may use profiles of at most {max} compute \
                 slices; ask for a smaller one or give a `class` that offers it"
            )
        };
        return Err(Refusal::Policy {
            field: "profile",
            reason,
        });
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn class() -> SliceClass {
        let now = chrono::Utc::now();
        SliceClass {
            name: "notebook".into(),
            description: "notebooks".into(),
            profiles: BTreeMap::from([
                ("a100-40gb".into(), "2g.10gb".into()),
                ("h100-80gb".into(), "2g.20gb".into()),
            ]),
            min_memory_gib: None,
            min_compute_slices: None,
            default_duration_seconds: 3600,
            max_duration_seconds: 8 * 3600,
            idle_timeout_seconds: 1800,
            priority: 10,
            tenants: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn model(key: &str) -> ModelId {
        GpuModel::find(key).unwrap()
    }

    #[test]
    fn a_request_that_says_nothing_gets_the_class() {
        let t = narrow(&class(), Asked::default()).unwrap();
        assert_eq!(t.request.to_string(), "a100-40gb:2g.10gb,h100-80gb:2g.20gb");
        assert_eq!((t.duration, t.idle_timeout, t.priority), (3600, 1800, 10));
        assert!(t.models.is_empty());
    }

    #[test]
    fn a_request_naming_models_shows_only_their_profiles() {
        let asked = Asked {
            models: vec![model("h100-80gb")],
            ..Asked::default()
        };
        let t = narrow(&class(), asked).unwrap();
        assert_eq!(t.request.to_string(), "h100-80gb:2g.20gb");
        assert_eq!(t.models, [model("h100-80gb")]);
    }

    #[test]
    fn narrowing_is_allowed() {
        let t = narrow(
            &class(),
            Asked {
                request: Some(ProfileRequest::parse("1g").unwrap()),
                duration: Some(600),
                idle_timeout: Some(60),
                priority: Some(-5),
                ..Asked::default()
            },
        )
        .unwrap();
        assert_eq!(t.request, ProfileRequest::Size(1));
        assert_eq!(t.models, [model("a100-40gb"), model("h100-80gb")]);
        assert_eq!((t.duration, t.idle_timeout, t.priority), (600, 60, -5));
    }

    #[test]
    fn a_profile_is_kept_only_where_it_fits_under_the_class() {
        // 2g.20gb fits under the H100's 2g.20gb; the A100-40GB has no such profile.
        let t = narrow(
            &class(),
            Asked {
                request: Some(ProfileRequest::parse("2g.20gb").unwrap()),
                ..Asked::default()
            },
        )
        .unwrap();
        assert_eq!(t.models, [model("h100-80gb")]);
    }

    #[test]
    fn widening_is_refused_naming_the_field() {
        let field = |asked: Asked| match narrow(&class(), asked).unwrap_err() {
            Refusal::Policy { field, .. } => field,
            other => panic!("{other:?}"),
        };
        let asked = |f: fn(&mut Asked)| {
            let mut a = Asked::default();
            f(&mut a);
            a
        };
        assert_eq!(field(asked(|a| a.duration = Some(9 * 3600))), "duration");
        assert_eq!(
            field(asked(|a| a.idle_timeout = Some(1801))),
            "idle_timeout"
        );
        assert_eq!(field(asked(|a| a.priority = Some(11))), "priority");
        assert_eq!(
            field(asked(|a| a.request = Some(ProfileRequest::Size(3)))),
            "profile"
        );
        // A model the class gives nothing on.
        assert_eq!(
            field(asked(|a| {
                a.request = Some(ProfileRequest::Size(1));
                a.models = vec![model("a30-24gb")];
            })),
            "profile"
        );
        // The same without a profile of its own: the models asked for are what is too wide.
        assert_eq!(
            field(asked(|a| a.models = vec![model("a30-24gb")])),
            "gpu_models"
        );
    }

    #[test]
    fn validation_names_the_field_and_keys_models_in_catalog_spelling() {
        let ok = validate(class().spec()).unwrap();
        assert!(ok.profiles.contains_key("h100-80gb"));
        let mut bad = class().spec();
        bad.profiles.insert("h100-80gb".into(), "9g.1tb".into());
        assert_eq!(validate(bad).unwrap_err().field, "/profiles/h100-80gb");
        let mut bad = class().spec();
        bad.default_duration_seconds = bad.max_duration_seconds + 1;
        assert_eq!(validate(bad).unwrap_err().field, "default_duration_seconds");
        let mut bad = class().spec();
        bad.profiles.clear();
        assert_eq!(validate(bad).unwrap_err().field, "profiles");
        let mut bad = class().spec();
        bad.priority = 101;
        assert_eq!(validate(bad).unwrap_err().field, "priority");
    }

    #[test]
    fn the_size_limit_applies_only_outside_classes() {
        let policy = TenantPolicy {
            max_compute_slices_outside_classes: Some(4),
            ..TenantPolicy::default()
        };
        let shapes = ProfileRequest::Size(7).resolve(&[]).unwrap();
        assert!(within_size_limit(&policy, true, shapes.clone()).is_ok());
        assert!(matches!(
            within_size_limit(&policy, false, shapes),
            Err(Refusal::Policy {
                field: "profile",
                ..
            })
        ));
        let need = ProfileRequest::Need {
            min_memory_gib: 40,
            min_compute_slices: 1,
        }
        .resolve(&[])
        .unwrap();
        let kept = within_size_limit(&policy, false, need.clone()).unwrap();
        assert!(!kept.is_empty() && kept.len() < need.len());
        assert!(kept.iter().all(|s| s.profile().compute_slices <= 4));
    }
}
