//! Command-line flags for every setting of a [`Spec`](crate::Spec), made from the spec, so
//! each program gets a flag per setting without writing one: `--host-lost-after 10m`,
//! `--run-migrations=false`. Flags keep their text; the settings' own types check it.

use crate::load::{Described, Kind, flag};
use clap::{Arg, ArgAction, ArgMatches, Command, FromArgMatches, parser::ValueSource};
use std::fmt;
use std::marker::PhantomData;

/// The settings given on the command line, by key, in the spec's order.
pub struct Flags<S> {
    given: Vec<(&'static str, String)>,
    spec: PhantomData<fn() -> S>,
}

impl<S> Flags<S> {
    /// No flags given.
    pub fn none() -> Self {
        Self {
            given: Vec::new(),
            spec: PhantomData,
        }
    }

    pub fn given(&self) -> &[(&'static str, String)] {
        &self.given
    }
}

impl<S> Default for Flags<S> {
    fn default() -> Self {
        Self::none()
    }
}

impl<S> Clone for Flags<S> {
    fn clone(&self) -> Self {
        Self {
            given: self.given.clone(),
            spec: PhantomData,
        }
    }
}

impl<S: Described> fmt::Debug for Flags<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = |key: &str| {
            S::SPEC
                .settings
                .iter()
                .any(|s| s.key == key && s.kind == Kind::Secret)
        };
        f.debug_map()
            .entries(self.given.iter().map(|(key, text)| {
                let shown = if secret(key) { "[redacted]" } else { text };
                (key, shown)
            }))
            .finish()
    }
}

impl<S: Described> FromArgMatches for Flags<S> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = Self::none();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for s in S::SPEC.settings {
            if matches.value_source(s.key) != Some(ValueSource::CommandLine) {
                continue;
            }
            let text = matches
                .try_get_one::<String>(s.key)
                .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e))?;
            if let Some(text) = text {
                self.given.retain(|(key, _)| *key != s.key);
                self.given.push((s.key, text.clone()));
            }
        }
        Ok(())
    }
}

impl<S: Described> clap::Args for Flags<S> {
    fn augment_args(cmd: Command) -> Command {
        S::SPEC.settings.iter().fold(cmd, |cmd, s| {
            let long = flag(s.key);
            let arg = Arg::new(s.key)
                .long(long.trim_start_matches('-').to_owned())
                .global(true)
                .help(s.help)
                .action(ArgAction::Set);
            cmd.arg(match s.kind {
                // `--run-migrations` alone is `true`; `--run-migrations=false` turns it off
                // (the `=` keeps a following subcommand from being taken as the value).
                Kind::Bool => arg
                    .value_name("BOOL")
                    .value_parser(["true", "false"])
                    .num_args(0..=1)
                    .require_equals(true)
                    .default_missing_value("true"),
                Kind::Integer => arg.value_name("N"),
                Kind::Text | Kind::Secret => {
                    arg.value_name(s.key.to_ascii_uppercase().replace('-', "_"))
                }
            })
        })
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}
