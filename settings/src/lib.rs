//! How the server and the agent read their settings, the same way for both: defaults, then a
//! TOML file, then environment variables, then command-line flags (each wins over the one
//! before), deserialized once into the program's own types so that validation cannot be
//! skipped, with durations as people write them (`30s`, `8h`) and every refusal naming the
//! setting as it was given (`host_lost_after` in the file, `SLICEBROKER_HOST_LOST_AFTER`,
//! `--host-lost-after`).

mod bounded;
mod duration;
mod flags;
mod load;

pub use bounded::Bounded;
pub use duration::{BadDuration, DurationIn, HumanDuration};
pub use flags::Flags;
pub use load::{
    Described, Kind, Layers, Origin, Renamed, Setting, SettingsError, Spec, env_var, flag,
};

/// For a setting whose type parses from text (`#[serde(deserialize_with = "from_str")]`):
/// the parse error becomes the deserializer's, which names the setting.
pub fn from_str<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text = <String as serde::Deserialize>::deserialize(d)?;
    text.parse().map_err(serde::de::Error::custom)
}

/// [`from_str`] for an optional setting (absent is `None`, from the struct's default).
pub fn option_from_str<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    from_str(d).map(Some)
}
