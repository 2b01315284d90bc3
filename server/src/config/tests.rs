//! The server's settings: layers, names in errors, ranges and the rules between settings.

use super::*;
use std::collections::HashMap;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k| map.get(k).cloned()
}

fn load(file: &str, vars: &[(&str, &str)]) -> Result<Config, SettingsError> {
    Layers::new()
        .file_text(Path::new("server.toml"), file)?
        .env(env(vars))?
        .load()
}

fn error(file: &str, vars: &[(&str, &str)]) -> String {
    load(file, vars).unwrap_err().to_string()
}

fn cli(args: &[&str]) -> crate::cli::Cli {
    use clap::Parser;
    crate::cli::Cli::try_parse_from(["slicebroker-server"].iter().chain(args)).unwrap()
}

#[test]
fn debug_output_never_contains_secrets() {
    let config = load(
        "",
        &[
            ("SLICEBROKER_DATABASE_URL", "postgres://u:hunter2@db/x"),
            (
                "SLICEBROKER_JWT_SIGNING_KEY_PEM",
                "-----BEGIN PRIVATE KEY-----abc",
            ),
        ],
    )
    .unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(!debug.contains("BEGIN PRIVATE KEY"), "{debug}");
    assert!(debug.contains("[redacted]"));
    let cli = cli(&["--database-url", "postgres://u:hunter2@db/x", "migrate"]);
    let debug = format!("{cli:?}");
    assert!(
        !debug.contains("hunter2") && debug.contains("[redacted]"),
        "{debug}"
    );
}

#[test]
fn flags_win_over_variables_which_win_over_the_file() {
    let file = "listen = \"0.0.0.0:9000\"\nrequest_timeout = \"5ms\"\nplacement_refresh = \"1m\"\n";
    let config = load(file, &[]).unwrap();
    assert_eq!(config.listen.port(), 9000);
    assert_eq!(config.request_timeout(), Duration::from_millis(5));
    let vars = [
        ("SLICEBROKER_REQUEST_TIMEOUT", "250ms"),
        ("SLICEBROKER_PLACEMENT_REFRESH", "1500ms"),
    ];
    let config = load(file, &vars).unwrap();
    assert_eq!(
        config.listen.port(),
        9000,
        "the file fills what the variables leave"
    );
    assert_eq!(config.request_timeout(), Duration::from_millis(250));
    assert_eq!(config.placement_refresh(), Duration::from_millis(1500));
    let cli = cli(&[
        "serve",
        "--placement-refresh",
        "2s",
        "--lifecycle-jobs=false",
    ]);
    let config: Config = Layers::new()
        .file_text(Path::new("server.toml"), file)
        .unwrap()
        .env(env(&vars))
        .unwrap()
        .flags(&cli.settings)
        .unwrap()
        .load()
        .unwrap();
    assert_eq!(config.placement_refresh(), Duration::from_secs(2));
    assert_eq!(config.request_timeout(), Duration::from_millis(250));
    assert!(!config.lifecycle_jobs);
    let defaults = load("", &[]).unwrap();
    assert_eq!(defaults.host_lost_after(), Duration::from_secs(600));
    assert_eq!(defaults.expiry_warning(), Duration::from_secs(900));
    assert_eq!(defaults.jwt_ttl(), Duration::from_secs(3600));
}

#[test]
fn bad_variables_name_the_variable() {
    assert!(
        error("", &[("SLICEBROKER_RUN_MIGRATIONS", "maybe")])
            .starts_with("SLICEBROKER_RUN_MIGRATIONS: `maybe`"),
    );
    assert_eq!(
        error("", &[("SLICEBROKER_HOST_LOST_AFTER", "10 minutes")]),
        "SLICEBROKER_HOST_LOST_AFTER: `10 minutes` is not a duration; expected e.g. `250ms`, \
         `30s`, `5m`, `8h`, `1d` or `1h30m`"
    );
    assert_eq!(
        error("", &[("SLICEBROKER_JWT_TTL", "30s")]),
        "SLICEBROKER_JWT_TTL: must be between 1m and 1d; got 30s"
    );
    assert_eq!(
        error("", &[("SLICEBROKER_IDLE_WARNING_PERCENT", "0")]),
        "SLICEBROKER_IDLE_WARNING_PERCENT: must be between 1 and 100; got 0"
    );
    assert_eq!(
        error("", &[("SLICEBROKER_DATABASE_MAX_CONNECTIONS", "0")]),
        "SLICEBROKER_DATABASE_MAX_CONNECTIONS: must be at least 1; got 0"
    );
    assert!(
        error("", &[("SLICEBROKER_PLACEMENT_POLICY", "random")])
            .starts_with("SLICEBROKER_PLACEMENT_POLICY: unknown policy `random`"),
    );
    assert!(
        error("", &[("SLICEBROKER_LOG_FORMAT", "xml")]).starts_with("SLICEBROKER_LOG_FORMAT: "),
    );
    assert!(error("", &[("SLICEBROKER_LISTEN", "nowhere")]).starts_with("SLICEBROKER_LISTEN: "));
    assert!(
        error("", &[("SLICEBROKER_LOG_FILTER", "[[[bad")])
            .starts_with("SLICEBROKER_LOG_FILTER: is not a log filter"),
    );
}

#[test]
fn old_variables_and_keys_are_refused_with_their_new_name() {
    assert_eq!(
        error("", &[("SLICEBROKER_HOST_LOST_AFTER_MS", "600000")]),
        "SLICEBROKER_HOST_LOST_AFTER_MS was renamed SLICEBROKER_HOST_LOST_AFTER and takes a \
         duration like 10m"
    );
    assert_eq!(
        error("", &[("SLICEBROKER_JWT_TTL_SECONDS", "3600")]),
        "SLICEBROKER_JWT_TTL_SECONDS was renamed SLICEBROKER_JWT_TTL and takes a duration like 1h"
    );
    assert_eq!(
        error("placement_refresh_ms = 100", &[]),
        "`placement_refresh_ms` in config file server.toml was renamed `placement_refresh` and \
         takes a duration like 5s"
    );
}

#[test]
fn bad_files_name_the_key() {
    assert_eq!(
        error("listne = \"x\"", &[]),
        "`listne` in config file server.toml: unknown setting"
    );
    assert!(
        error("database_max_connections = \"many\"", &[]).starts_with(
            "`database_max_connections` in config file server.toml: invalid type: string"
        ),
    );
    assert!(
        error("request_timeout = 5000", &[])
            .starts_with("`request_timeout` in config file server.toml: invalid type: integer"),
    );
    assert_eq!(
        error("lifecycle_interval = \"1x\"", &[]),
        "`lifecycle_interval` in config file server.toml: `1x` has an unknown unit `x`; use \
         ms, s, m, h or d (e.g. `1h30m`)"
    );
    assert_eq!(
        error("placement_refresh = \"0s\"", &[]),
        "`placement_refresh` in config file server.toml: must be between 50ms and 1h; got 0s"
    );
    assert!(error("listen = ", &[]).starts_with("config file server.toml is not valid TOML"));
}

#[test]
fn rules_between_settings_are_checked_when_converting() {
    let lost_first = UnvalidatedConfig {
        host_unreachable_after: "5m".parse().unwrap(),
        host_lost_after: "1m".parse().unwrap(),
        ..UnvalidatedConfig::default()
    };
    assert_eq!(
        Config::try_from(lost_first).unwrap_err().to_string(),
        "host_lost_after: must be at least host_unreachable_after"
    );
    // Named as it was given, like a value out of its own bounds.
    assert_eq!(
        error("host_lost_after = \"10s\"", &[]),
        "`host_lost_after` in config file server.toml: must be at least host_unreachable_after"
    );
    assert_eq!(
        error("", &[("SLICEBROKER_PUBLIC_URL", "ftp://x")]),
        "SLICEBROKER_PUBLIC_URL: must be an http:// or https:// URL"
    );
    let cert_only = UnvalidatedConfig {
        tls_cert_file: Some("/etc/slicebroker/cert.pem".into()),
        ..UnvalidatedConfig::default()
    };
    assert_eq!(
        Config::try_from(cert_only).unwrap_err().to_string(),
        "tls_key_file: must be set with tls_cert_file"
    );
    let config = load(
        "",
        &[
            ("SLICEBROKER_TLS_CERT_FILE", "/etc/slicebroker/cert.pem"),
            ("SLICEBROKER_TLS_KEY_FILE", "/etc/slicebroker/key.pem"),
        ],
    )
    .unwrap();
    assert_eq!(
        config.tls_key_file.as_deref(),
        Some(Path::new("/etc/slicebroker/key.pem"))
    );
    assert_eq!(
        error("", &[("SLICEBROKER_WEB_DIR", "/nonexistent/dist")]),
        "SLICEBROKER_WEB_DIR: holds no index.html; build the dashboard first (scripts/web.sh build)"
    );
    assert!(
        error("database_url = \"mysql://x\"", &[])
            .starts_with("`database_url` in config file server.toml: must be a postgres")
    );
    assert!(
        error("jwt_audience = \" \"", &[])
            .starts_with("`jwt_audience` in config file server.toml: must not be empty")
    );
    assert!(
        error("", &[("SLICEBROKER_BOOTSTRAP_ADMIN_KEY", "letmein")])
            .starts_with("SLICEBROKER_BOOTSTRAP_ADMIN_KEY: must look like a key")
    );
}

#[test]
fn every_setting_in_the_spec_is_a_field_and_the_defaults_are_valid() {
    for s in Config::SPEC.settings {
        let err = error(&format!("{} = [[]]", s.key), &[]);
        assert!(!err.contains("unknown"), "{}: {err}", s.key);
        assert!(err.contains(&format!("`{}`", s.key)), "{}: {err}", s.key);
    }
    let _ = Config::default();
}

#[test]
fn sign_in_rules_read_from_the_file_and_from_a_variable_alike() {
    let file = load(
        r#"
        oidc_issuer = "https://login.example.com/realms/corp"
        oidc_audience = "slicebroker"
        [[oidc_rules]]
        claim = "groups"
        value = "gpu-team-vision"
        tenant = "vision"
        role = "member"
        "#,
        &[],
    )
    .unwrap();
    let vars = load(
        "",
        &[
            (
                "SLICEBROKER_OIDC_ISSUER",
                "https://login.example.com/realms/corp",
            ),
            ("SLICEBROKER_OIDC_AUDIENCE", "slicebroker"),
            (
                "SLICEBROKER_OIDC_RULES",
                r#"[{claim="groups", value="gpu-team-vision", tenant="vision", role="member"}]"#,
            ),
        ],
    )
    .unwrap();
    assert_eq!(file.oidc_rules, vars.oidc_rules);
    assert_eq!(file.oidc_rules.0.len(), 1);
    assert_eq!(file.oidc_refetch_min(), Duration::from_secs(10));
    assert_eq!(file.key_revocation_delay(), Duration::from_secs(5));
    assert_eq!(file.rate_limit_per_second.get(), 0);
}

#[test]
fn sign_in_settings_that_cannot_work_are_refused_naming_the_setting() {
    let rule = r#"oidc_rules = [{claim="groups", value="v", tenant="v", role="member"}]"#;
    let issuer = |url: &str| format!("oidc_issuer = \"{url}\"\noidc_audience = \"a\"\n{rule}");
    assert!(load(&issuer("https://idp.example.com"), &[]).is_ok());
    assert!(load(&issuer("http://127.0.0.1:9000/realms/x"), &[]).is_ok());
    for bad in [
        "http://idp.example.com",
        "idp.example.com",
        "https://idp.example.com/?x=1",
        "ftp://idp.example.com",
    ] {
        let e = error(&issuer(bad), &[]);
        assert!(
            e.starts_with("`oidc_issuer` in config file server.toml: must be an https:// URL"),
            "{bad}: {e}"
        );
    }
    let e = error("oidc_issuer = \"https://idp.example.com\"", &[]);
    assert!(e.starts_with("oidc_audience: must be set"), "{e}");
    let e = error(
        "oidc_issuer = \"https://idp.example.com\"\noidc_audience = \"a\"",
        &[],
    );
    assert!(e.starts_with("oidc_rules: must map"), "{e}");
    let e = error(
        &format!(
            "{}\njwt_issuer = \"https://idp.example.com\"",
            issuer("https://idp.example.com/")
        ),
        &[],
    );
    assert!(
        e.starts_with("`oidc_issuer` in config file server.toml: must differ from jwt_issuer"),
        "{e}"
    );
    let e = error(rule, &[]);
    assert!(
        e.starts_with("`oidc_rules` in config file server.toml: need oidc_issuer"),
        "{e}"
    );
    let e = error("", &[("SLICEBROKER_OIDC_RULES", "[{claim=\"groups\"}]")]);
    assert!(e.contains("SLICEBROKER_OIDC_RULES"), "{e}");
    let e = error("rate_limit_burst = 0", &[]);
    assert!(e.contains("rate_limit_burst"), "{e}");
}
