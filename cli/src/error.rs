//! What can go wrong in a command, and the exit code each failure gives: the contract scripts
//! rely on (documented in `--help` and the README).

use slicebroker_types::api::Problem;
use std::fmt;

/// The exit codes `slicectl` documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Error = 1,
    Usage = 2,
    NoCapacity = 3,
    Quota = 4,
}

impl Exit {
    /// The exit code of a server error, by its problem `code`.
    pub fn of_code(code: &str) -> Exit {
        match code {
            "no_capacity" => Exit::NoCapacity,
            "quota_exceeded" | "budget_exceeded" | "policy_violation" => Exit::Quota,
            _ => Exit::Error,
        }
    }
}

/// The exit codes as `--help` shows them.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  error: from the server (not found, forbidden, ...), the network, or a --wait that timed out
  2  usage: bad arguments or options
  3  no capacity: nothing fits right now (retry later, or create with --wait to queue)
  4  refused by the tenant's quota, monthly budget or policy";

/// An error answer from the server.
#[derive(Debug)]
pub struct ApiError {
    pub method: String,
    pub url: String,
    /// The problem+json body, or one made up from the status when the body is not one.
    pub problem: Problem,
    /// The body as received, for `-v`.
    pub body: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.problem;
        write!(f, "{}: {}", p.code, p.detail)?;
        if let Some(field) = &p.field
            && !p.detail.contains(field.as_str())
        {
            write!(f, " (field `{field}`)")?;
        }
        if p.code == "no_capacity" {
            f.write_str("; retry later, or create with --wait to queue")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with an error.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The arguments make no sense together, or name something that cannot be used.
    #[error("{0}")]
    Usage(String),
    /// Anything else: no connection, no login, a local file, a timeout.
    #[error("{0}")]
    Failed(String),
}

impl Error {
    pub fn usage(msg: impl Into<String>) -> Self {
        Self::Usage(msg.into())
    }

    pub fn failed(msg: impl Into<String>) -> Self {
        Self::Failed(msg.into())
    }

    pub fn exit(&self) -> Exit {
        match self {
            Error::Api(e) => Exit::of_code(&e.problem.code),
            Error::Usage(_) => Exit::Usage,
            Error::Failed(_) => Exit::Error,
        }
    }

    /// The problem `code`, for server errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => Some(&e.problem.code),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use slicebroker_types::api::CODES;

    /// Every 422 is the tenant's limits speaking (4), `no_capacity` is 3, the rest 1; a code
    /// the server adds later is 1 until mapped.
    #[test]
    fn every_documented_code_has_an_exit_code() {
        for (code, status, _) in CODES {
            let expected = match (*code, *status) {
                ("no_capacity", _) => Exit::NoCapacity,
                (_, 422) => Exit::Quota,
                _ => Exit::Error,
            };
            assert_eq!(Exit::of_code(code), expected, "{code} ({status})");
        }
        assert_eq!(Exit::of_code("something_new"), Exit::Error);
    }

    #[test]
    fn the_help_lists_every_exit_code() {
        for exit in [
            Exit::Ok,
            Exit::Error,
            Exit::Usage,
            Exit::NoCapacity,
            Exit::Quota,
        ] {
            assert!(
                EXIT_CODES_HELP.contains(&format!("\n  {}  ", exit as u8)),
                "{exit:?}"
            );
        }
    }

    fn api(code: &str, detail: &str, field: Option<&str>) -> Error {
        Error::Api(Box::new(ApiError {
            method: "POST".into(),
            url: "http://x/v1/leases".into(),
            problem: Problem {
                kind: String::new(),
                title: String::new(),
                status: 422,
                detail: detail.into(),
                code: code.into(),
                field: field.map(Into::into),
                free: None,
                next_free_at: None,
            },
            body: String::new(),
        }))
    }

    #[test]
    fn a_server_error_is_one_line_with_its_code_and_exit() {
        let e = api("quota_exceeded", "quota exceeded: 6 of 7", None);
        assert_eq!(e.to_string(), "quota_exceeded: quota exceeded: 6 of 7");
        assert_eq!(e.exit(), Exit::Quota);
        let e = api("invalid_input", "must be positive", Some("count"));
        assert_eq!(
            e.to_string(),
            "invalid_input: must be positive (field `count`)"
        );
        assert_eq!(e.exit(), Exit::Error);
        let e = api("policy_violation", "duration: too long", Some("duration"));
        assert_eq!(e.to_string(), "policy_violation: duration: too long");
        assert_eq!(api("no_capacity", "", None).exit(), Exit::NoCapacity);
        assert_eq!(Error::usage("x").exit(), Exit::Usage);
    }
}
