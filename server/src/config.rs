//! Typed configuration: defaults, then an optional TOML file, then `SLICEBROKER_*` variables,
//! validated once at start-up. Secrets are wrapped in [`Secret`] so `Debug` never shows them.

use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A value that must never reach a log: `Debug` prints `[redacted]`.
pub use slicebroker_types::Secret;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The server's settings. Field names are the TOML keys; the environment variable for each is
/// `SLICEBROKER_` + the name in upper case (`SLICEBROKER_DATABASE_URL`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    pub database_url: Secret,
    pub database_max_connections: u32,
    /// Apply pending migrations at start-up.
    pub run_migrations: bool,
    pub log_format: LogFormat,
    /// `tracing_subscriber` filter, e.g. `info,slicebroker_server=debug`.
    pub log_filter: String,
    /// Requests taking longer are answered 503 and abandoned.
    pub request_timeout_ms: u64,
    pub body_limit_bytes: usize,
    /// Run the lifecycle jobs (expiry, idle reclamation, host liveness, pending queue).
    pub lifecycle_jobs: bool,
    /// How often the lifecycle jobs run when nothing wakes them sooner.
    pub lifecycle_interval_ms: u64,
    /// The `expiring` event comes this long before a lease's end.
    pub expiry_warning_secs: u64,
    /// The `idle_warning` event comes at this share (%) of a lease's idle timeout.
    pub idle_warning_percent: u8,
    /// A host whose agent is silent this long is unreachable: its GPUs are not placed on.
    pub host_unreachable_after_ms: u64,
    /// A host unreachable this long is lost: its leases end `host_lost`.
    pub host_lost_after_ms: u64,
    /// `aud` of the tokens the server issues and accepts.
    pub jwt_audience: String,
    /// `iss` of the tokens the server issues.
    pub jwt_issuer: String,
    pub jwt_ttl_seconds: u64,
    /// An Ed25519 private key (PKCS#8 PEM) to sign tokens with; if unset, the server generates
    /// one on first start and keeps it in the database.
    pub jwt_signing_key_pem: Option<Secret>,
    /// If set and no admin key exists yet, this key becomes the first admin key at start-up.
    pub bootstrap_admin_key: Option<Secret>,
    /// Placement policy: `default`, `best-fit` or `first-fit`.
    pub placement_policy: String,
    /// How often the placement index is reloaded from the database, to see what other
    /// replicas granted and released and inventory changes.
    pub placement_refresh_ms: u64,
    /// Group commit: at most this many concurrent grants, and as many releases, share one
    /// transaction; 1 writes each in its own transaction.
    pub group_commit_max: usize,
    /// Serve https with this certificate chain (PEM, leaf first) and `tls_key_file`; both or
    /// neither. Both files are read again on SIGHUP.
    pub tls_cert_file: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub tls_key_file: Option<PathBuf>,
    /// Serve the web dashboard built into this directory (`web/dist`, which must hold
    /// `index.html`) at `/`; unset, there is no dashboard.
    pub web_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: Secret::new("postgres://postgres@127.0.0.1:5432/slicebroker"),
            database_max_connections: 16,
            run_migrations: true,
            log_format: LogFormat::Pretty,
            log_filter: "info".into(),
            request_timeout_ms: 10_000,
            body_limit_bytes: 64 * 1024,
            lifecycle_jobs: true,
            lifecycle_interval_ms: 1000,
            expiry_warning_secs: 900,
            idle_warning_percent: 80,
            host_unreachable_after_ms: 30_000,
            host_lost_after_ms: 600_000,
            jwt_audience: "slicebroker".into(),
            jwt_issuer: "slicebroker".into(),
            jwt_ttl_seconds: 3600,
            jwt_signing_key_pem: None,
            bootstrap_admin_key: None,
            placement_policy: "default".into(),
            placement_refresh_ms: 5000,
            group_commit_max: 64,
            tls_cert_file: None,
            tls_key_file: None,
            web_dir: None,
        }
    }
}

/// Why the configuration cannot be used; each names the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path}: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("{var}: {reason}")]
    Env { var: String, reason: String },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

const ENV_PREFIX: &str = "SLICEBROKER_";

impl Config {
    /// Defaults, then `file` (if given, or `SLICEBROKER_CONFIG`), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let from_env: Option<PathBuf> = std::env::var_os("SLICEBROKER_CONFIG").map(PathBuf::from);
        let mut config = match file.map(Path::to_path_buf).or(from_env) {
            Some(path) => Self::from_file(&path)?,
            None => Self::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        config.validate()?;
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        })
    }

    /// Overrides fields from variables that `lookup` finds.
    pub fn apply_env(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        fn parsed<T: std::str::FromStr>(var: &str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: fmt::Display,
        {
            value.trim().parse().map_err(|e: T::Err| ConfigError::Env {
                var: var.to_owned(),
                reason: format!("`{value}` is not valid: {e}"),
            })
        }
        let var = |name: &str| format!("{ENV_PREFIX}{name}");
        let get = |name: &str| lookup(&var(name)).filter(|v| !v.is_empty());
        // Every setting that parses from its text, by variable name.
        macro_rules! parse_each {
            ($($name:literal => $field:ident),* $(,)?) => {
                $(if let Some(v) = get($name) {
                    self.$field = parsed(&var($name), &v)?;
                })*
            };
        }
        parse_each!(
            "LISTEN" => listen,
            "DATABASE_MAX_CONNECTIONS" => database_max_connections,
            "RUN_MIGRATIONS" => run_migrations,
            "REQUEST_TIMEOUT_MS" => request_timeout_ms,
            "BODY_LIMIT_BYTES" => body_limit_bytes,
            "LIFECYCLE_JOBS" => lifecycle_jobs,
            "LIFECYCLE_INTERVAL_MS" => lifecycle_interval_ms,
            "EXPIRY_WARNING_SECS" => expiry_warning_secs,
            "IDLE_WARNING_PERCENT" => idle_warning_percent,
            "HOST_UNREACHABLE_AFTER_MS" => host_unreachable_after_ms,
            "HOST_LOST_AFTER_MS" => host_lost_after_ms,
            "JWT_TTL_SECONDS" => jwt_ttl_seconds,
            "PLACEMENT_REFRESH_MS" => placement_refresh_ms,
            "GROUP_COMMIT_MAX" => group_commit_max,
        );
        if let Some(v) = get("DATABASE_URL") {
            self.database_url = Secret::new(v);
        }
        if let Some(v) = get("LOG_FORMAT") {
            self.log_format = match v.as_str() {
                "pretty" => LogFormat::Pretty,
                "json" => LogFormat::Json,
                other => {
                    return Err(ConfigError::Env {
                        var: var("LOG_FORMAT"),
                        reason: format!("`{other}` is not valid; expected `pretty` or `json`"),
                    });
                }
            };
        }
        if let Some(v) = get("LOG_FILTER") {
            self.log_filter = v;
        }
        if let Some(v) = get("JWT_AUDIENCE") {
            self.jwt_audience = v;
        }
        if let Some(v) = get("JWT_ISSUER") {
            self.jwt_issuer = v;
        }
        if let Some(v) = get("JWT_SIGNING_KEY_PEM") {
            self.jwt_signing_key_pem = Some(Secret::new(v));
        }
        if let Some(v) = get("BOOTSTRAP_ADMIN_KEY") {
            self.bootstrap_admin_key = Some(Secret::new(v));
        }
        if let Some(v) = get("PLACEMENT_POLICY") {
            self.placement_policy = v;
        }
        if let Some(v) = get("TLS_CERT_FILE") {
            self.tls_cert_file = Some(v.into());
        }
        if let Some(v) = get("TLS_KEY_FILE") {
            self.tls_key_file = Some(v.into());
        }
        if let Some(v) = get("WEB_DIR") {
            self.web_dir = Some(v.into());
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason: &str| {
            Err(ConfigError::Invalid {
                field,
                reason: reason.to_owned(),
            })
        };
        if !self.database_url.expose().starts_with("postgres://")
            && !self.database_url.expose().starts_with("postgresql://")
        {
            return invalid("database_url", "must be a postgres:// URL");
        }
        if self.database_max_connections == 0 {
            return invalid("database_max_connections", "must be at least 1");
        }
        if !(1..=3_600_000).contains(&self.request_timeout_ms) {
            return invalid("request_timeout_ms", "must be between 1 and 3600000");
        }
        if self.expiry_warning_secs > 31_622_400 {
            return invalid("expiry_warning_secs", "must be at most 31622400 (366 days)");
        }
        if self.body_limit_bytes < 1024 {
            return invalid("body_limit_bytes", "must be at least 1024");
        }
        if !(10..=600_000).contains(&self.lifecycle_interval_ms) {
            return invalid("lifecycle_interval_ms", "must be between 10 and 600000");
        }
        if !(1..=100).contains(&self.idle_warning_percent) {
            return invalid("idle_warning_percent", "must be between 1 and 100");
        }
        if !(1000..=31_622_400_000).contains(&self.host_unreachable_after_ms) {
            return invalid(
                "host_unreachable_after_ms",
                "must be between 1000 and 31622400000 (366 days)",
            );
        }
        if self.host_lost_after_ms > 31_622_400_000 {
            return invalid(
                "host_lost_after_ms",
                "must be at most 31622400000 (366 days)",
            );
        }
        if self.host_lost_after_ms < self.host_unreachable_after_ms {
            return invalid(
                "host_lost_after_ms",
                "must be at least host_unreachable_after_ms",
            );
        }
        if self.jwt_audience.trim().is_empty() {
            return invalid("jwt_audience", "must not be empty");
        }
        if !(60..=86_400).contains(&self.jwt_ttl_seconds) {
            return invalid("jwt_ttl_seconds", "must be between 60 and 86400");
        }
        if let Some(key) = &self.bootstrap_admin_key
            && !crate::domain::api_key::looks_like_key(key.expose())
        {
            return invalid(
                "bootstrap_admin_key",
                "must look like a key from `slicebroker-server admin generate-key` (sbk_ + 43 characters)",
            );
        }
        if self
            .placement_policy
            .parse::<slicebroker_placement::Policy>()
            .is_err()
        {
            return invalid(
                "placement_policy",
                "must be one of `default`, `best-fit`, `first-fit`",
            );
        }
        if !(1..=1024).contains(&self.group_commit_max) {
            return invalid("group_commit_max", "must be between 1 and 1024");
        }
        match (&self.tls_cert_file, &self.tls_key_file) {
            (Some(_), None) => return invalid("tls_key_file", "must be set with tls_cert_file"),
            (None, Some(_)) => return invalid("tls_cert_file", "must be set with tls_key_file"),
            _ => {}
        }
        if let Some(dir) = &self.web_dir
            && !dir.join("index.html").is_file()
        {
            return Err(ConfigError::Invalid {
                field: "web_dir",
                reason: format!(
                    "{} holds no index.html; build the dashboard first (scripts/web.sh build)",
                    dir.display()
                ),
            });
        }
        if !(50..=3_600_000).contains(&self.placement_refresh_ms) {
            return invalid(
                "placement_refresh_ms",
                "must be between 50 and 3600000 (an hour)",
            );
        }
        Ok(())
    }

    pub fn lifecycle_interval(&self) -> Duration {
        Duration::from_millis(self.lifecycle_interval_ms)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    pub fn placement_refresh(&self) -> Duration {
        Duration::from_millis(self.placement_refresh_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn debug_output_never_contains_secrets() {
        let mut config = Config::default();
        config
            .apply_env(env(&[
                ("SLICEBROKER_DATABASE_URL", "postgres://u:hunter2@db/x"),
                (
                    "SLICEBROKER_JWT_SIGNING_KEY_PEM",
                    "-----BEGIN PRIVATE KEY-----abc",
                ),
            ]))
            .unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("BEGIN PRIVATE KEY"), "{debug}");
        assert!(debug.contains("[redacted]"));
    }

    #[test]
    fn environment_overrides_file_values_and_bad_values_name_the_variable() {
        let mut config: Config =
            toml::from_str("listen = \"0.0.0.0:9000\"\nrequest_timeout_ms = 5\n").unwrap();
        assert_eq!(config.listen.port(), 9000);
        config
            .apply_env(env(&[("SLICEBROKER_REQUEST_TIMEOUT_MS", "250")]))
            .unwrap();
        assert_eq!(config.request_timeout_ms, 250);
        config
            .apply_env(env(&[("SLICEBROKER_PLACEMENT_REFRESH_MS", "1500")]))
            .unwrap();
        assert_eq!(config.placement_refresh(), Duration::from_millis(1500));
        let err = config
            .apply_env(env(&[("SLICEBROKER_RUN_MIGRATIONS", "maybe")]))
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("SLICEBROKER_RUN_MIGRATIONS: `maybe`"),
            "{err}"
        );
    }

    #[test]
    fn unknown_file_keys_and_invalid_values_are_rejected() {
        assert!(toml::from_str::<Config>("listne = \"x\"").is_err());
        let config = Config {
            jwt_ttl_seconds: 5,
            ..Config::default()
        };
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "jwt_ttl_seconds: must be between 60 and 86400"
        );
        let config = Config {
            placement_refresh_ms: 0,
            ..Config::default()
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .starts_with("placement_refresh_ms")
        );
        let config = Config {
            tls_cert_file: Some("/etc/slicebroker/cert.pem".into()),
            ..Config::default()
        };
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "tls_key_file: must be set with tls_cert_file"
        );
        let mut config = Config::default();
        config
            .apply_env(env(&[
                ("SLICEBROKER_TLS_CERT_FILE", "/etc/slicebroker/cert.pem"),
                ("SLICEBROKER_TLS_KEY_FILE", "/etc/slicebroker/key.pem"),
            ]))
            .unwrap();
        assert!(config.validate().is_ok());
        assert_eq!(
            config.tls_key_file.as_deref(),
            Some(Path::new("/etc/slicebroker/key.pem"))
        );
        let mut config = Config::default();
        config
            .apply_env(env(&[("SLICEBROKER_WEB_DIR", "/nonexistent/dist")]))
            .unwrap();
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "web_dir: /nonexistent/dist holds no index.html; build the dashboard first (scripts/web.sh build)"
        );
        let config = Config {
            placement_policy: "random".into(),
            ..Config::default()
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .starts_with("placement_policy")
        );
    }
}
