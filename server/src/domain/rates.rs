//! Checks of a cost-rate card before it replaces the old one: bounded, no two rates for the
//! same model and profile (each problem names the rate by its JSON pointer).

use super::validate::Invalid;
use slicebroker_types::GpuModel;
use slicebroker_types::api::CostRate;
use slicebroker_types::limits::{self, MAX_COST_PER_HOUR, MAX_COST_RATES, pointer};
use std::collections::BTreeSet;

pub fn validate(rates: &[CostRate]) -> Result<(), Invalid> {
    if rates.len() > MAX_COST_RATES {
        return Err(Invalid::new(
            "rates",
            format!("at most {MAX_COST_RATES} rates; got {}", rates.len()),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, r) in rates.iter().enumerate() {
        let at = |field: &str| pointer(&["rates", &i.to_string(), field]);
        for (field, value) in [("model", &r.model), ("profile", &r.profile)] {
            if let Some(v) = value {
                limits::name(v).map_err(|reason| Invalid::new(at(field), reason))?;
            }
        }
        // Rates are matched to slices by the catalog's names: one no slice can have never
        // applies.
        let model =
            match &r.model {
                Some(key) => Some(GpuModel::all().iter().find(|m| m.key == key).ok_or_else(
                    || {
                        let keys: Vec<&str> = GpuModel::all().iter().map(|m| m.key).collect();
                        Invalid::new(
                            at("model"),
                            format!(
                                "`{key}` is not a GPU model of the catalog ({})",
                                keys.join(", ")
                            ),
                        )
                    },
                )?),
                None => None,
            };
        if let Some(name) = &r.profile {
            let known = match model {
                Some(m) => m.profile_by_name(name).is_some(),
                None => GpuModel::all()
                    .iter()
                    .any(|m| m.profile_by_name(name).is_some()),
            };
            if !known {
                let on = model.map_or("any GPU model of the catalog", |m| m.key);
                return Err(Invalid::new(
                    at("profile"),
                    format!("`{name}` is not a profile of {on}"),
                ));
            }
        }
        if !(r.per_hour.is_finite() && (0.0..=MAX_COST_PER_HOUR).contains(&r.per_hour)) {
            return Err(Invalid::new(
                at("per_hour"),
                format!("must be between 0 and {MAX_COST_PER_HOUR}"),
            ));
        }
        if !seen.insert((&r.model, &r.profile)) {
            return Err(Invalid::new(
                pointer(&["rates", &i.to_string()]),
                "another rate has the same `model` and `profile`",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(model: Option<&str>, profile: Option<&str>, per_hour: f64) -> CostRate {
        CostRate {
            model: model.map(Into::into),
            profile: profile.map(Into::into),
            per_hour,
        }
    }

    #[test]
    fn a_rate_card_names_the_rate_that_is_wrong() {
        assert!(validate(&[rate(None, None, 0.5), rate(Some("h100-80gb"), None, 1.0)]).is_ok());
        let e = validate(&[rate(None, None, 1.0), rate(None, Some("1g.10gb"), -1.0)]).unwrap_err();
        assert_eq!(e.field, "/rates/1/per_hour");
        let e = validate(&[rate(None, None, f64::NAN)]).unwrap_err();
        assert_eq!(e.field, "/rates/0/per_hour");
        let e = validate(&[rate(Some(""), None, 1.0)]).unwrap_err();
        assert_eq!(e.field, "/rates/0/model");
        let e = validate(&[rate(None, None, 1.0), rate(None, None, 2.0)]).unwrap_err();
        assert_eq!(e.field, "/rates/1");
        // Names a slice can have: the catalog's models, and their profiles.
        assert!(validate(&[rate(Some("a100-40gb"), Some("3g.20gb"), 1.0)]).is_ok());
        let e = validate(&[rate(Some("nope"), None, 1.0)]).unwrap_err();
        assert_eq!(e.field, "/rates/0/model");
        let e = validate(&[rate(None, Some("nope"), 1.0)]).unwrap_err();
        assert_eq!(e.field, "/rates/0/profile");
        let e = validate(&[rate(Some("a100-40gb"), Some("7g.80gb"), 1.0)]).unwrap_err();
        assert_eq!(e.field, "/rates/0/profile");
        let many = vec![rate(None, None, 1.0); MAX_COST_RATES + 1];
        assert_eq!(validate(&many).unwrap_err().field, "rates");
    }
}
