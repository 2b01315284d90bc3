//! The config file: named profiles, each a server with the API key it logs in with and the
//! token that key was last exchanged for. It holds secrets, so it is written with mode 0600 in
//! a 0700 directory: `$SLICEBROKER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/slicebroker`, else
//! `~/.config/slicebroker`.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub const DEFAULT_PROFILE: &str = "default";

/// `config.toml`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The profile used when neither `--profile` nor `SLICEBROKER_PROFILE` names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One server and how to authenticate to it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub server: String,
    /// Kept so an expired token can be replaced without asking again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<DateTime<Utc>>,
    /// CAs trusted for this server besides the system's (PEM), as `login --ca-file` gave them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

impl Profile {
    /// The cached token, if it is still good for a while.
    pub fn fresh_token(&self, now: DateTime<Utc>) -> Option<&str> {
        let margin = chrono::Duration::seconds(30);
        match (&self.token, self.token_expires_at) {
            (Some(t), Some(exp)) if exp - margin > now => Some(t),
            _ => None,
        }
    }
}

/// Where the config lives, from the environment.
pub fn dir() -> Result<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = var("SLICEBROKER_CONFIG_DIR") {
        return Ok(d);
    }
    if let Some(d) = var("XDG_CONFIG_HOME") {
        return Ok(d.join("slicebroker"));
    }
    var("HOME")
        .map(|h| h.join(".config").join("slicebroker"))
        .ok_or_else(|| {
            Error::failed("cannot find a config directory: set HOME or SLICEBROKER_CONFIG_DIR")
        })
}

/// The config file in `dir`, and the config it holds (empty if there is none yet).
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    pub config: Config,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Self> {
        let path = dir.join("config.toml");
        let config = match std::fs::read_to_string(&path) {
            Ok(text) => {
                warn_if_readable_by_others(&path);
                toml::from_str(&text)
                    .map_err(|e| Error::failed(format!("{}: {e}", path.display())))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(Error::failed(format!("{}: {e}", path.display()))),
        };
        Ok(Self { path, config })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the config: a 0600 file beside the old one, then renamed over it, so a reader
    /// never sees half a file and the secrets are never readable by others.
    pub fn save(&self) -> Result<()> {
        let fail = |what: &str, e: std::io::Error| {
            Error::failed(format!("{what} {}: {e}", self.path.display()))
        };
        let dir = self.path.parent().expect("the file is in a directory");
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| fail("creating the directory of", e))?;
        let text = toml::to_string(&self.config).expect("the config serialises");
        let mut file = tempfile::Builder::new()
            .prefix(".config.toml.")
            .permissions(std::fs::Permissions::from_mode(0o600))
            .tempfile_in(dir)
            .map_err(|e| fail("writing", e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| fail("writing", e))?;
        file.persist(&self.path)
            .map_err(|e| fail("replacing", e.error))?;
        Ok(())
    }

    /// The profile to use: the one named, else the current one, else `default`.
    pub fn profile_name(&self, named: Option<&str>) -> String {
        named
            .or(self.config.current_profile.as_deref())
            .unwrap_or(DEFAULT_PROFILE)
            .to_owned()
    }
}

fn warn_if_readable_by_others(path: &Path) {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        eprintln!(
            "warning: {} holds API keys but others can read it; run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_file_is_private_and_round_trips() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("nested").join("slicebroker");
        let mut store = Store::open(&dir).unwrap();
        assert_eq!(store.config, Config::default());
        store.config.profiles.insert(
            "lab".into(),
            Profile {
                server: "http://127.0.0.1:8080".into(),
                api_key: Some("sbk_secret".into()),
                token: Some("jwt".into()),
                token_expires_at: Some(Utc::now()),
                ca_file: Some("/etc/slicebroker/ca.pem".into()),
            },
        );
        store.config.current_profile = Some("lab".into());
        store.save().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(store.path()), 0o600);
        assert_eq!(mode(&dir), 0o700);

        // A file someone loosened is tightened again on the next save.
        std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        store.save().unwrap();
        assert_eq!(mode(store.path()), 0o600);

        let again = Store::open(&dir).unwrap();
        assert_eq!(again.config, store.config);
        assert_eq!(again.profile_name(None), "lab");
        assert_eq!(again.profile_name(Some("other")), "other");
    }

    #[test]
    fn a_token_is_fresh_until_shortly_before_it_expires() {
        let now = Utc::now();
        let mut p = Profile {
            token: Some("jwt".into()),
            token_expires_at: Some(now + chrono::Duration::minutes(10)),
            ..Profile::default()
        };
        assert_eq!(p.fresh_token(now), Some("jwt"));
        p.token_expires_at = Some(now + chrono::Duration::seconds(10));
        assert_eq!(p.fresh_token(now), None);
        p.token_expires_at = None;
        assert_eq!(p.fresh_token(now), None);
    }

    #[test]
    fn a_broken_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), "profiles = 3").unwrap();
        let err = Store::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("config.toml"), "{err}");
    }
}
