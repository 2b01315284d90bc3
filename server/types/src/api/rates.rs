//! Cost rates on the wire: what a slice-hour costs, per GPU model and profile, for chargeback.

use serde::{Deserialize, Serialize};

/// One price. With a `profile`: one slice-hour of that profile. Without: one
/// compute-slice-hour of any profile that has no rate of its own. A `null` `model` applies
/// to every model without a rate of its own. The most specific rate wins: model and profile,
/// then the profile on any model, then the model's compute-slice rate, then the fleet's.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRate {
    /// A GPU model's catalog key (`h100-80gb`, as `GET /v1/gpus` shows it); `null`: any model.
    /// 1-200 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    #[serde(default)]
    pub model: Option<String>,
    /// Profile name (`2g.20gb`): one of `model`'s, or of some model of the catalog when
    /// `model` is `null`; `null`: the price is per compute-slice-hour. 1-200 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    #[serde(default)]
    pub profile: Option<String>,
    /// Price of one hour, in the organisation's currency: 0 to 1000000.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000))]
    pub per_hour: f64,
}

/// The whole rate card: read by anyone signed in, replaced as a whole by admins.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRates {
    /// At most 1000, no two with the same `model` and `profile`.
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub rates: Vec<CostRate>,
}
