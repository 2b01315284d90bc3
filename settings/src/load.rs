//! Layers of settings — defaults, then a TOML file, then environment variables, then flags —
//! gathered into one table and deserialized once, so the program's own types check every
//! value, and every refusal names the setting as the user wrote it (the file's key, the
//! variable or the flag).

use crate::flags::Flags;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// A program's settings, described once: their file keys, what kind of text each takes from a
/// variable or a flag, and the names that were renamed.
#[derive(Debug)]
pub struct Spec {
    /// Prepended to a key in upper case (`-` as `_`) to name its variable.
    pub env_prefix: &'static str,
    pub settings: &'static [Setting],
    pub renamed: &'static [Renamed],
}

/// Implemented by the type a program deserializes its settings into.
pub trait Described {
    const SPEC: Spec;
}

#[derive(Debug)]
pub struct Setting {
    /// The key in the TOML file; the flag is `--` + the key with `_` as `-`.
    pub key: &'static str,
    pub kind: Kind,
    /// One line for `--help`.
    pub help: &'static str,
}

/// How a variable's or flag's text becomes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Text that must never be shown (`Debug` of the flags redacts it).
    Secret,
    Integer,
    Bool,
}

/// A duration setting that was renamed when it dropped its unit suffix (`interval-secs` →
/// `interval`): its old key, its new one, and an example of the duration it takes.
#[derive(Debug)]
pub struct Renamed {
    pub old: &'static str,
    pub new: &'static str,
    pub example: &'static str,
}

/// Where a value came from, as the user would name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    File { path: PathBuf, key: String },
    Env(String),
    Flag(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, key } => write!(f, "`{key}` in config file {}", path.display()),
            Origin::Env(var) => f.write_str(var),
            Origin::Flag(flag) => f.write_str(flag),
        }
    }
}

/// Why the settings cannot be used; every variant names the file, the setting, or both.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {} is not valid TOML: {}", path.display(), message.trim_end())]
    Syntax { path: PathBuf, message: String },
    #[error("{origin}: unknown setting")]
    Unknown { origin: Origin },
    #[error("{old} was renamed {new} and takes a duration like {example}")]
    Renamed {
        old: String,
        new: String,
        example: &'static str,
    },
    /// A value was refused: by the setting when one is to blame, else the reason alone
    /// names the settings (a rule between two of them).
    #[error("{}{reason}", origin.as_ref().map(|o| format!("{o}: ")).unwrap_or_default())]
    Invalid {
        origin: Option<Origin>,
        reason: String,
    },
}

/// A rule of the whole (`S`'s conversion) that names the setting it blames first, `key: why`:
/// named as it was given, when it was given.
fn blamed(origins: &BTreeMap<String, Origin>, reason: String) -> SettingsError {
    if let Some((key, why)) = reason.split_once(": ")
        && let Some(origin) = origins.get(key)
    {
        return SettingsError::Invalid {
            origin: Some(origin.clone()),
            reason: why.to_owned(),
        };
    }
    SettingsError::Invalid {
        origin: None,
        reason,
    }
}

/// The variable that sets `key` under `prefix`.
pub fn env_var(prefix: &str, key: &str) -> String {
    format!("{prefix}{}", key.to_ascii_uppercase().replace('-', "_"))
}

/// The flag that sets `key`.
pub fn flag(key: &str) -> String {
    format!("--{}", key.replace('_', "-"))
}

/// The layers gathered so far; [`Layers::load`] deserializes them.
#[derive(Debug)]
pub struct Layers<S> {
    values: toml::Table,
    origins: BTreeMap<String, Origin>,
    spec: PhantomData<fn() -> S>,
}

impl<S: Described + DeserializeOwned> Layers<S> {
    /// The settings a process gets: `file` if any, the process's environment, then `flags`.
    pub fn from_process(file: Option<&Path>, flags: &Flags<S>) -> Result<S, SettingsError> {
        let mut layers = Self::new();
        if let Some(path) = file {
            layers = layers.file(path)?;
        }
        layers
            .env(|var| std::env::var(var).ok())?
            .flags(flags)?
            .load()
    }

    /// Nothing yet: loading now gives the defaults.
    pub fn new() -> Self {
        Self {
            values: toml::Table::new(),
            origins: BTreeMap::new(),
            spec: PhantomData,
        }
    }

    pub fn file(self, path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.file_text(path, &text)
    }

    /// The file at `path` whose text is `text`.
    pub fn file_text(mut self, path: &Path, text: &str) -> Result<Self, SettingsError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| SettingsError::Syntax {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        for (key, value) in table {
            if let Some(r) = S::SPEC.renamed.iter().find(|r| r.old == key) {
                return Err(SettingsError::Renamed {
                    old: format!("`{key}` in config file {}", path.display()),
                    new: format!("`{}`", r.new),
                    example: r.example,
                });
            }
            let origin = Origin::File {
                path: path.to_owned(),
                key: key.clone(),
            };
            if setting::<S>(&key).is_none() {
                return Err(SettingsError::Unknown { origin });
            }
            self.set(key, value, origin);
        }
        Ok(self)
    }

    /// Every setting's variable that `lookup` finds set and not empty; a renamed variable is
    /// refused rather than ignored.
    pub fn env(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let prefix = S::SPEC.env_prefix;
        let given = |var: &str| lookup(var).filter(|v| !v.is_empty());
        for r in S::SPEC.renamed {
            let old = env_var(prefix, r.old);
            if given(&old).is_some() {
                return Err(SettingsError::Renamed {
                    old,
                    new: env_var(prefix, r.new),
                    example: r.example,
                });
            }
        }
        for s in S::SPEC.settings {
            let var = env_var(prefix, s.key);
            if let Some(text) = given(&var) {
                let origin = Origin::Env(var);
                let value = from_text(s.kind, &text).map_err(|reason| SettingsError::Invalid {
                    origin: Some(origin.clone()),
                    reason,
                })?;
                self.set(s.key.to_owned(), value, origin);
            }
        }
        Ok(self)
    }

    pub fn flags(mut self, flags: &Flags<S>) -> Result<Self, SettingsError> {
        for (key, text) in flags.given() {
            let origin = Origin::Flag(flag(key));
            let kind = setting::<S>(key).map_or(Kind::Text, |s| s.kind);
            let value = from_text(kind, text).map_err(|reason| SettingsError::Invalid {
                origin: Some(origin.clone()),
                reason,
            })?;
            self.set((*key).to_owned(), value, origin);
        }
        Ok(self)
    }

    /// Deserializes the layers into `S`, whose types check each value (and whose conversion
    /// checks the rules between them).
    pub fn load(self) -> Result<S, SettingsError> {
        let Self {
            values, origins, ..
        } = self;
        serde_path_to_error::deserialize(toml::Value::Table(values)).map_err(|e| {
            let key = e.path().iter().next().and_then(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Unknown => None,
                other => Some(other.to_string()),
            });
            let reason = e.into_inner().message().trim_end().to_owned();
            match key {
                Some(k) => SettingsError::Invalid {
                    origin: origins.get(&k).cloned(),
                    reason,
                },
                None => blamed(&origins, reason),
            }
        })
    }

    fn set(&mut self, key: String, value: toml::Value, origin: Origin) {
        self.origins.insert(key.clone(), origin);
        self.values.insert(key, value);
    }
}

impl<S: Described + DeserializeOwned> Default for Layers<S> {
    fn default() -> Self {
        Self::new()
    }
}

fn setting<S: Described>(key: &str) -> Option<&'static Setting> {
    S::SPEC.settings.iter().find(|s| s.key == key)
}

fn from_text(kind: Kind, text: &str) -> Result<toml::Value, String> {
    Ok(match kind {
        Kind::Text | Kind::Secret => toml::Value::String(text.to_owned()),
        Kind::Integer => toml::Value::Integer(
            text.trim()
                .parse()
                .map_err(|_| format!("`{text}` is not a whole number"))?,
        ),
        Kind::Bool => toml::Value::Boolean(match text.trim() {
            "true" => true,
            "false" => false,
            _ => return Err(format!("`{text}` is not valid; expected `true` or `false`")),
        }),
    })
}
