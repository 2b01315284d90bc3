//! Typed configuration, read the way the agent reads its own (`slicebroker-settings`):
//! defaults, then an optional TOML file, then `SLICEBROKER_*` variables, then flags. Every
//! value is checked while deserializing — ranges by the field types, rules between fields by
//! `TryFrom<UnvalidatedConfig> for Config` — so no [`Config`] exists that skipped the checks.
//! Secrets are wrapped in [`Secret`] so `Debug` never shows them.

use serde::Deserialize;
use slicebroker_settings::{Described, Flags, Kind, Layers, Renamed, Setting, SettingsError, Spec};
use std::net::SocketAddr;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::domain::sign_in::Rules;
pub use slicebroker_placement::Policy;
pub use slicebroker_settings::{Bounded, DurationIn, HumanDuration};
/// A value that must never reach a log: `Debug` prints `[redacted]`.
pub use slicebroker_types::Secret;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

const DAY_MS: u64 = 86_400_000;
/// 366 days: the longest any duration setting may be.
const YEAR_MS: u64 = 366 * DAY_MS;

/// The server's settings as read, each within its own range but not yet checked against each
/// other; [`Config::try_from`] does that. Field names are the TOML keys; the variable for each
/// is `SLICEBROKER_` + the name in upper case (`SLICEBROKER_HOST_LOST_AFTER=10m`), the flag
/// `--` + the name with dashes (`--host-lost-after 10m`). Tests build one of these, change
/// what they need, and convert it.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnvalidatedConfig {
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    pub database_url: Secret,
    pub database_max_connections: Bounded<u32, 1, { u64::MAX }>,
    /// Apply pending migrations at start-up.
    pub run_migrations: bool,
    pub log_format: LogFormat,
    /// `tracing_subscriber` filter, e.g. `info,slicebroker_server=debug`.
    pub log_filter: String,
    /// Requests taking longer are answered 503 and abandoned (1ms to 1h).
    pub request_timeout: DurationIn<1, 3_600_000>,
    pub body_limit_bytes: Bounded<usize, 1024, { u64::MAX }>,
    /// Run the lifecycle jobs (expiry, idle reclamation, host liveness, pending queue).
    pub lifecycle_jobs: bool,
    /// How often the lifecycle jobs run when nothing wakes them sooner (10ms to 10m).
    pub lifecycle_interval: DurationIn<10, 600_000>,
    /// The `expiring` event comes this long before a lease's end (at most 366d).
    pub expiry_warning: DurationIn<0, YEAR_MS>,
    /// A booking goes `provisioning` (its agent told to make its slices) this long before its
    /// start (at most 1h).
    pub booking_lead: DurationIn<0, 3_600_000>,
    /// The `idle_warning` event comes at this share (%) of a lease's idle timeout (1 to 100).
    pub idle_warning_percent: Bounded<u8, 1, 100>,
    /// A host whose agent is silent this long is unreachable: its GPUs are not placed on
    /// (1s to 366d).
    pub host_unreachable_after: DurationIn<1000, YEAR_MS>,
    /// A host unreachable this long is lost: its leases end `host_lost` (at least
    /// `host_unreachable_after`, at most 366d).
    pub host_lost_after: DurationIn<0, YEAR_MS>,
    /// `aud` of the tokens the server issues and accepts.
    pub jwt_audience: String,
    /// `iss` of the tokens the server issues.
    pub jwt_issuer: String,
    /// How long the tokens the server issues are valid (1m to 1d).
    pub jwt_ttl: DurationIn<60_000, DAY_MS>,
    /// An Ed25519 private key (PKCS#8 PEM) to sign tokens with; if unset, the server generates
    /// one on first start and keeps it in the database.
    pub jwt_signing_key_pem: Option<Secret>,
    /// If set and no admin key exists yet, this key becomes the first admin key at start-up.
    pub bootstrap_admin_key: Option<Secret>,
    /// Placement policy: `default`, `best-fit` or `first-fit`.
    #[serde(deserialize_with = "slicebroker_settings::from_str")]
    pub placement_policy: Policy,
    /// How often the placement index is reloaded from the database, to see what other
    /// replicas granted and released and inventory changes (50ms to 1h).
    pub placement_refresh: DurationIn<50, 3_600_000>,
    /// Group commit: at most this many concurrent grants, and as many releases, share one
    /// transaction; 1 writes each in its own transaction (1 to 1024).
    pub group_commit_max: Bounded<usize, 1, 1024>,
    /// Serve https with this certificate chain (PEM, leaf first) and `tls_key_file`; both or
    /// neither. Both files are read again on SIGHUP.
    pub tls_cert_file: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub tls_key_file: Option<PathBuf>,
    /// Serve the web dashboard built into this directory (`web/dist`, which must hold
    /// `index.html`) at `/`; unset, there is no dashboard.
    pub web_dir: Option<PathBuf>,
    /// Trust tokens from this OpenID Connect issuer (its `iss`, an https URL; http only on
    /// loopback); its keys come from `<issuer>/.well-known/openid-configuration`. Unset: no
    /// organisation sign-in.
    pub oidc_issuer: Option<String>,
    /// The `aud` that the issuer's tokens must carry (required with `oidc_issuer`).
    pub oidc_audience: Option<String>,
    /// The client id the dashboard signs in with (authorization code + PKCE); shown by
    /// `GET /v1/auth/sso`. Defaults to `oidc_audience`.
    pub oidc_client_id: Option<String>,
    /// Which claim values map to which tenant and role; the first matching rule decides, and a
    /// token no rule matches is refused.
    pub oidc_rules: Rules,
    /// Fetches of the issuer's key set that a token with an unknown `kid` causes are at least
    /// this far apart, so that forged tokens cannot make us hammer the issuer (0 to 1h).
    pub oidc_refetch_min: DurationIn<0, 3_600_000>,
    /// A token minted from an API key is refused at most this long after the key is revoked
    /// (at once on the replica that revoked it); each replica re-checks a key this often
    /// (0 = on every request, to 1h).
    pub key_revocation_delay: DurationIn<0, 3_600_000>,
    /// Requests per second each tenant may make on average, per replica; 0 = no limit.
    pub rate_limit_per_second: Bounded<u32, 0, 1_000_000>,
    /// Requests a tenant may make at once above the average (1 to 1,000,000).
    pub rate_limit_burst: Bounded<u32, 1, 1_000_000>,
    /// Per-slice series on `/metrics` carry a `tenant` label. Off, they carry host, GPU,
    /// placement and profile only (fewer label values for Prometheus to keep; per-tenant
    /// series are kept either way).
    pub metrics_tenant_labels: bool,
    /// Run the webhook delivery worker (docs/webhooks.md).
    pub webhooks: bool,
    /// Let webhooks call private, loopback and link-local addresses (server-side request
    /// forgery protection off: only for tests and closed networks).
    pub webhook_allow_private_targets: bool,
    /// One delivery try gives up after this long (100ms to 1m).
    pub webhook_timeout: DurationIn<100, 60_000>,
    /// A delivery is retried for this long, then `failed` (1s to 7d).
    pub webhook_retry_for: DurationIn<1000, { 7 * DAY_MS }>,
    /// The first retry comes this long after the first failure, each next one twice as late,
    /// with jitter (10ms to 1h).
    pub webhook_retry_initial: DurationIn<10, 3_600_000>,
    /// How much of a receiver's answer is read, at most (0 to 1 MiB).
    pub webhook_response_limit_bytes: Bounded<usize, 0, 1_048_576>,
    /// How often the worker looks for due deliveries when no new event wakes it (10ms to 1m).
    pub webhook_poll_interval: DurationIn<10, 60_000>,
    /// The dashboard's public base URL (`https://broker.example.com`), for links in `slack`
    /// messages; unset, they carry the lease's API path.
    pub public_url: Option<String>,
}

fn bounded<T: Copy + TryFrom<u64>, const MIN: u64, const MAX: u64>(n: u64) -> Bounded<T, MIN, MAX> {
    Bounded::new(n).expect("the default is within its range")
}

impl Default for UnvalidatedConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: Secret::new("postgres://postgres@127.0.0.1:5432/slicebroker"),
            database_max_connections: bounded(16),
            run_migrations: true,
            log_format: LogFormat::Pretty,
            log_filter: "info".into(),
            request_timeout: DurationIn::from_millis(10_000),
            body_limit_bytes: bounded(64 * 1024),
            lifecycle_jobs: true,
            lifecycle_interval: DurationIn::from_millis(1000),
            expiry_warning: DurationIn::from_millis(15 * 60_000),
            booking_lead: DurationIn::from_millis(60_000),
            idle_warning_percent: bounded(80),
            host_unreachable_after: DurationIn::from_millis(30_000),
            host_lost_after: DurationIn::from_millis(10 * 60_000),
            jwt_audience: "slicebroker".into(),
            jwt_issuer: "slicebroker".into(),
            jwt_ttl: DurationIn::from_millis(3_600_000),
            jwt_signing_key_pem: None,
            bootstrap_admin_key: None,
            placement_policy: Policy::Default,
            placement_refresh: DurationIn::from_millis(5000),
            group_commit_max: bounded(64),
            tls_cert_file: None,
            tls_key_file: None,
            web_dir: None,
            oidc_issuer: None,
            oidc_audience: None,
            oidc_client_id: None,
            oidc_rules: Rules::default(),
            oidc_refetch_min: DurationIn::from_millis(10_000),
            key_revocation_delay: DurationIn::from_millis(5_000),
            rate_limit_per_second: bounded(0),
            rate_limit_burst: bounded(20),
            metrics_tenant_labels: true,
            webhooks: true,
            webhook_allow_private_targets: false,
            webhook_timeout: DurationIn::from_millis(10_000),
            webhook_retry_for: DurationIn::from_millis(DAY_MS),
            webhook_retry_initial: DurationIn::from_millis(5_000),
            webhook_response_limit_bytes: bounded(64 * 1024),
            webhook_poll_interval: DurationIn::from_millis(1000),
            public_url: None,
        }
    }
}

/// The server's settings, every one checked; read them as the fields of
/// [`UnvalidatedConfig`] (through `Deref`). The only ways to get one are loading
/// ([`Config::load`]) and converting an [`UnvalidatedConfig`], and both run the checks.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "UnvalidatedConfig")]
pub struct Config(UnvalidatedConfig);

/// A rule between settings (or a setting's form) that the values break; names the setting.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct InvalidConfig {
    pub setting: &'static str,
    pub reason: &'static str,
}

impl TryFrom<UnvalidatedConfig> for Config {
    type Error = InvalidConfig;

    fn try_from(c: UnvalidatedConfig) -> Result<Self, InvalidConfig> {
        let invalid = |setting, reason| Err(InvalidConfig { setting, reason });
        let url = c.database_url.expose();
        if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            return invalid("database_url", "must be a postgres:// URL");
        }
        if c.host_lost_after.get() < c.host_unreachable_after.get() {
            return invalid("host_lost_after", "must be at least host_unreachable_after");
        }
        if tracing_subscriber::EnvFilter::try_new(&c.log_filter).is_err() {
            return invalid(
                "log_filter",
                "is not a log filter: levels and targets like `info,slicebroker_server=debug`",
            );
        }
        if c.jwt_audience.trim().is_empty() {
            return invalid("jwt_audience", "must not be empty");
        }
        if let Some(key) = &c.bootstrap_admin_key
            && !crate::domain::api_key::looks_like_key(key.expose())
        {
            return invalid(
                "bootstrap_admin_key",
                "must look like a key from `slicebroker-server admin generate-key` (sbk_ + 43 characters)",
            );
        }
        if let Some(dir) = &c.web_dir
            && !dir.join("index.html").is_file()
        {
            return invalid(
                "web_dir",
                "holds no index.html; build the dashboard first (scripts/web.sh build)",
            );
        }
        match (&c.oidc_issuer, &c.oidc_audience) {
            (Some(_), None) => return invalid("oidc_audience", "must be set with oidc_issuer"),
            (None, Some(_)) => return invalid("oidc_issuer", "must be set with oidc_audience"),
            (Some(issuer), Some(audience)) => {
                if !issuer_url_ok(issuer) {
                    return invalid(
                        "oidc_issuer",
                        "must be an https:// URL (http:// only for localhost or 127.0.0.1)",
                    );
                }
                if issuer.trim_end_matches('/') == c.jwt_issuer.trim_end_matches('/') {
                    return invalid("oidc_issuer", "must differ from jwt_issuer");
                }
                if audience.trim().is_empty() {
                    return invalid("oidc_audience", "must not be empty");
                }
                if c.oidc_rules.0.is_empty() {
                    return invalid(
                        "oidc_rules",
                        "must map at least one claim value to a tenant and role",
                    );
                }
            }
            (None, None) if !c.oidc_rules.0.is_empty() => {
                return invalid("oidc_rules", "need oidc_issuer and oidc_audience");
            }
            (None, None) => {}
        }
        if let Some(url) = &c.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return invalid("public_url", "must be an http:// or https:// URL");
        }
        match (&c.tls_cert_file, &c.tls_key_file) {
            (Some(_), None) => invalid("tls_key_file", "must be set with tls_cert_file"),
            (None, Some(_)) => invalid("tls_cert_file", "must be set with tls_key_file"),
            _ => Ok(Config(c)),
        }
    }
}

/// An issuer URL the server may fetch keys from: https, or http to this machine (tests, a
/// local identity provider), never a URL with a query or fragment.
pub(crate) fn issuer_url_ok(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', ':']).next().unwrap_or("");
    let no_extras = !url.contains(['?', '#', ' ']) && !host.is_empty();
    no_extras
        && match scheme {
            "https" => true,
            "http" => matches!(host, "localhost" | "127.0.0.1") || rest.starts_with("[::1]"),
            _ => false,
        }
}

impl Deref for Config {
    type Target = UnvalidatedConfig;

    fn deref(&self) -> &UnvalidatedConfig {
        &self.0
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::try_from(UnvalidatedConfig::default()).expect("the defaults are valid")
    }
}

impl Described for Config {
    const SPEC: Spec = Spec {
        env_prefix: "SLICEBROKER_",
        settings: &[
            setting(
                "listen",
                Kind::Text,
                "Address to listen on [default: 127.0.0.1:8080]",
            ),
            setting(
                "database_url",
                Kind::Secret,
                "postgres:// URL of the database",
            ),
            setting(
                "database_max_connections",
                Kind::Integer,
                "Database pool size [default: 16]",
            ),
            setting(
                "run_migrations",
                Kind::Bool,
                "Apply pending migrations at start-up [default: true]",
            ),
            setting(
                "log_format",
                Kind::Text,
                "`pretty` or `json` [default: pretty]",
            ),
            setting(
                "log_filter",
                Kind::Text,
                "tracing filter, e.g. `info,slicebroker_server=debug`",
            ),
            setting(
                "request_timeout",
                Kind::Text,
                "Requests taking longer are answered 503 [default: 10s]",
            ),
            setting(
                "body_limit_bytes",
                Kind::Integer,
                "Largest request body [default: 65536]",
            ),
            setting(
                "lifecycle_jobs",
                Kind::Bool,
                "Run the lifecycle jobs [default: true]",
            ),
            setting(
                "lifecycle_interval",
                Kind::Text,
                "How often the lifecycle jobs run [default: 1s]",
            ),
            setting(
                "expiry_warning",
                Kind::Text,
                "`expiring` comes this long before a lease ends [default: 15m]",
            ),
            setting(
                "booking_lead",
                Kind::Text,
                "A booking's agent is told this long before its start [default: 1m]",
            ),
            setting(
                "idle_warning_percent",
                Kind::Integer,
                "`idle_warning` at this % of the idle timeout [default: 80]",
            ),
            setting(
                "host_unreachable_after",
                Kind::Text,
                "A host silent this long is unreachable [default: 30s]",
            ),
            setting(
                "host_lost_after",
                Kind::Text,
                "A host unreachable this long is lost [default: 10m]",
            ),
            setting(
                "jwt_audience",
                Kind::Text,
                "`aud` of the tokens [default: slicebroker]",
            ),
            setting(
                "jwt_issuer",
                Kind::Text,
                "`iss` of the tokens [default: slicebroker]",
            ),
            setting(
                "jwt_ttl",
                Kind::Text,
                "How long issued tokens are valid [default: 1h]",
            ),
            setting(
                "jwt_signing_key_pem",
                Kind::Secret,
                "Ed25519 private key (PKCS#8 PEM) to sign tokens",
            ),
            setting(
                "bootstrap_admin_key",
                Kind::Secret,
                "The first admin key, if none exists",
            ),
            setting(
                "placement_policy",
                Kind::Text,
                "`default`, `best-fit` or `first-fit` [default: default]",
            ),
            setting(
                "placement_refresh",
                Kind::Text,
                "How often the placement index is reloaded [default: 5s]",
            ),
            setting(
                "group_commit_max",
                Kind::Integer,
                "Most grants (and releases) per transaction [default: 64]",
            ),
            setting(
                "tls_cert_file",
                Kind::Text,
                "Serve https with this certificate chain (PEM)",
            ),
            setting(
                "tls_key_file",
                Kind::Text,
                "The certificate's private key (PEM)",
            ),
            setting(
                "web_dir",
                Kind::Text,
                "Serve the web dashboard built into this directory at / [default: none]",
            ),
            setting(
                "oidc_issuer",
                Kind::Text,
                "Trust tokens from this OpenID Connect issuer URL [default: none]",
            ),
            setting(
                "oidc_audience",
                Kind::Text,
                "`aud` the issuer's tokens must carry (required with oidc_issuer)",
            ),
            setting(
                "oidc_client_id",
                Kind::Text,
                "Client id for the dashboard's sign-in [default: oidc_audience]",
            ),
            setting(
                "oidc_rules",
                Kind::Text,
                "Claim → tenant/role rules, a TOML array: [{claim=\"groups\", value=\"…\", tenant=\"…\", role=\"member\"}]",
            ),
            setting(
                "oidc_refetch_min",
                Kind::Text,
                "Least time between key-set fetches for unknown kids [default: 10s]",
            ),
            setting(
                "key_revocation_delay",
                Kind::Text,
                "Tokens of a revoked key are refused within this long [default: 5s]",
            ),
            setting(
                "rate_limit_per_second",
                Kind::Integer,
                "Requests/s per tenant per replica; 0 = no limit [default: 0]",
            ),
            setting(
                "rate_limit_burst",
                Kind::Integer,
                "Requests a tenant may make at once [default: 20]",
            ),
            setting(
                "metrics_tenant_labels",
                Kind::Bool,
                "Per-slice series on /metrics carry a tenant label [default: true]",
            ),
            setting(
                "webhooks",
                Kind::Bool,
                "Run the webhook delivery worker [default: true]",
            ),
            setting(
                "webhook_allow_private_targets",
                Kind::Bool,
                "Let webhooks call private/loopback addresses [default: false]",
            ),
            setting(
                "webhook_timeout",
                Kind::Text,
                "One webhook delivery try gives up after this long [default: 10s]",
            ),
            setting(
                "webhook_retry_for",
                Kind::Text,
                "A webhook delivery is retried this long, then failed [default: 1d]",
            ),
            setting(
                "webhook_retry_initial",
                Kind::Text,
                "First webhook retry delay, doubled each time [default: 5s]",
            ),
            setting(
                "webhook_response_limit_bytes",
                Kind::Integer,
                "Most bytes read of a webhook receiver's answer [default: 65536]",
            ),
            setting(
                "webhook_poll_interval",
                Kind::Text,
                "How often due webhook deliveries are looked for [default: 1s]",
            ),
            setting(
                "public_url",
                Kind::Text,
                "Public base URL of the dashboard, for links in messages [default: none]",
            ),
        ],
        renamed: &[
            renamed("request_timeout_ms", "request_timeout", "10s"),
            renamed("lifecycle_interval_ms", "lifecycle_interval", "1s"),
            renamed("expiry_warning_secs", "expiry_warning", "15m"),
            renamed("host_unreachable_after_ms", "host_unreachable_after", "30s"),
            renamed("host_lost_after_ms", "host_lost_after", "10m"),
            renamed("jwt_ttl_seconds", "jwt_ttl", "1h"),
            renamed("placement_refresh_ms", "placement_refresh", "5s"),
        ],
    };
}

const fn setting(key: &'static str, kind: Kind, help: &'static str) -> Setting {
    Setting { key, kind, help }
}

const fn renamed(old: &'static str, new: &'static str, example: &'static str) -> Renamed {
    Renamed { old, new, example }
}

impl Config {
    /// Defaults, then `file` (if given), then `SLICEBROKER_*` variables, then `flags`.
    pub fn load(file: Option<&Path>, flags: &Flags<Config>) -> Result<Self, SettingsError> {
        Layers::from_process(file, flags)
    }

    /// A copy of the settings to change and convert again (tests, a second replica).
    pub fn to_unvalidated(&self) -> UnvalidatedConfig {
        self.0.clone()
    }

    pub fn lifecycle_interval(&self) -> Duration {
        self.0.lifecycle_interval.get()
    }

    pub fn request_timeout(&self) -> Duration {
        self.0.request_timeout.get()
    }

    pub fn placement_refresh(&self) -> Duration {
        self.0.placement_refresh.get()
    }

    pub fn booking_lead(&self) -> Duration {
        self.0.booking_lead.get()
    }

    pub fn expiry_warning(&self) -> Duration {
        self.0.expiry_warning.get()
    }

    pub fn host_unreachable_after(&self) -> Duration {
        self.0.host_unreachable_after.get()
    }

    pub fn host_lost_after(&self) -> Duration {
        self.0.host_lost_after.get()
    }

    pub fn jwt_ttl(&self) -> Duration {
        self.0.jwt_ttl.get()
    }

    pub fn oidc_refetch_min(&self) -> Duration {
        self.0.oidc_refetch_min.get()
    }

    pub fn key_revocation_delay(&self) -> Duration {
        self.0.key_revocation_delay.get()
    }

    pub fn webhook_timeout(&self) -> Duration {
        self.0.webhook_timeout.get()
    }

    pub fn webhook_retry_for(&self) -> Duration {
        self.0.webhook_retry_for.get()
    }

    pub fn webhook_retry_initial(&self) -> Duration {
        self.0.webhook_retry_initial.get()
    }

    pub fn webhook_poll_interval(&self) -> Duration {
        self.0.webhook_poll_interval.get()
    }
}

#[cfg(test)]
mod tests;
