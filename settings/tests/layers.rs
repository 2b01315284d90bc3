//! The layers in order (flag > environment > file > default), and errors that name the
//! setting the way it was given.

use clap::Parser;
use serde::Deserialize;
use slicebroker_settings::{
    Described, DurationIn, Flags, Kind, Layers, Renamed, Setting, SettingsError, Spec,
};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct Toy {
    wait: DurationIn<1000, 60_000>,
    name: String,
    count: u8,
    loud: bool,
}

impl Default for Toy {
    fn default() -> Self {
        Self {
            wait: DurationIn::from_millis(5000),
            name: "default".into(),
            count: 1,
            loud: false,
        }
    }
}

impl Described for Toy {
    const SPEC: Spec = Spec {
        env_prefix: "TOY_",
        settings: &[
            Setting {
                key: "wait",
                kind: Kind::Text,
                help: "How long to wait",
            },
            Setting {
                key: "name",
                kind: Kind::Secret,
                help: "A name",
            },
            Setting {
                key: "count",
                kind: Kind::Integer,
                help: "How many",
            },
            Setting {
                key: "loud",
                kind: Kind::Bool,
                help: "Shout",
            },
        ],
        renamed: &[Renamed {
            old: "wait-secs",
            new: "wait",
            example: "5s",
        }],
    };
}

#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    flags: Flags<Toy>,
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    Go,
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    move |k| map.get(k).cloned()
}

fn load(file: &str, vars: &[(&str, &str)], args: &[&str]) -> Result<Toy, SettingsError> {
    let cli = Cli::try_parse_from(["toy"].iter().chain(args)).unwrap();
    Layers::new()
        .file_text(Path::new("toy.toml"), file)?
        .env(env(vars))?
        .flags(&cli.flags)?
        .load()
}

#[test]
fn each_layer_wins_over_the_one_before() {
    let t = load("", &[], &["go"]).unwrap();
    assert_eq!(
        (t.wait.get(), t.name.as_str(), t.count),
        (Duration::from_secs(5), "default", 1)
    );
    let file = "wait = \"10s\"\nname = \"file\"\ncount = 3\n";
    let t = load(file, &[], &["go"]).unwrap();
    assert_eq!(
        (t.wait.get(), t.name.as_str(), t.count),
        (Duration::from_secs(10), "file", 3)
    );
    let vars = [("TOY_WAIT", "20s"), ("TOY_NAME", "env")];
    let t = load(file, &vars, &["go"]).unwrap();
    assert_eq!(
        (t.wait.get(), t.name.as_str(), t.count),
        (Duration::from_secs(20), "env", 3)
    );
    let t = load(file, &vars, &["go", "--wait", "1m", "--loud"]).unwrap();
    assert_eq!(
        (t.wait.get(), t.name.as_str(), t.loud),
        (Duration::from_secs(60), "env", true)
    );
    let t = load("loud = true", &[], &["--loud=false", "go"]).unwrap();
    assert!(!t.loud);
}

#[test]
fn bad_values_name_the_key_the_variable_or_the_flag() {
    let err = |file: &str, vars: &[(&str, &str)], args: &[&str]| {
        load(file, vars, args).unwrap_err().to_string()
    };
    assert_eq!(
        err("wiat = \"5s\"", &[], &["go"]),
        "`wiat` in config file toy.toml: unknown setting"
    );
    assert!(
        err("count = \"many\"", &[], &["go"])
            .starts_with("`count` in config file toy.toml: invalid type")
    );
    assert!(err("wait = 5", &[], &["go"]).starts_with(
        "`wait` in config file toy.toml: invalid type: integer `5`, expected a duration"
    ));
    assert!(
        err("wait = \"5x\"", &[], &["go"])
            .starts_with("`wait` in config file toy.toml: `5x` has an unknown unit")
    );
    assert!(err("wait = ", &[], &["go"]).starts_with("config file toy.toml is not valid TOML"));
    assert_eq!(
        err("", &[("TOY_WAIT", "2h")], &["go"]),
        "TOY_WAIT: must be between 1s and 1m; got 2h"
    );
    assert_eq!(
        err("", &[("TOY_COUNT", "x")], &["go"]),
        "TOY_COUNT: `x` is not a whole number"
    );
    assert!(err("", &[("TOY_COUNT", "300")], &["go"]).starts_with("TOY_COUNT: invalid value"));
    assert!(err("", &[], &["go", "--wait", "0s"]).starts_with("--wait: must be between 1s and 1m"));
    assert_eq!(
        err("", &[("TOY_WAIT_SECS", "5")], &["go"]),
        "TOY_WAIT_SECS was renamed TOY_WAIT and takes a duration like 5s"
    );
    assert_eq!(
        err("wait-secs = 5", &[], &["go"]),
        "`wait-secs` in config file toy.toml was renamed `wait` and takes a duration like 5s"
    );
}

#[test]
fn empty_variables_are_ignored_and_secret_flags_are_redacted() {
    assert_eq!(
        load("", &[("TOY_WAIT", "")], &["go"]).unwrap().wait.get(),
        Duration::from_secs(5)
    );
    let cli = Cli::try_parse_from(["toy", "go", "--name", "hunter2"]).unwrap();
    let shown = format!("{cli:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("[redacted]"),
        "{shown}"
    );
}
