//! A query-string extractor whose rejections are problem+json naming the parameter, and the
//! one rule for query strings: every operation refuses parameters its OpenAPI description does
//! not declare, whether or not its handler reads the query.

use crate::app::Error;
use axum::extract::{FromRequestParts, MatchedPath, Request};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::ParameterIn;

/// The query parameters each documented operation declares, by method and path template.
static DECLARED: LazyLock<HashMap<(Method, String), HashSet<String>>> = LazyLock::new(|| {
    let doc = super::openapi::document();
    let mut out = HashMap::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            (Method::GET, &item.get),
            (Method::PUT, &item.put),
            (Method::POST, &item.post),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let names = op
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(p) if p.parameter_in == ParameterIn::Query => Some(p.name.clone()),
                    _ => None,
                })
                .collect();
            out.insert((method, path.clone()), names);
        }
    }
    out
});

/// Refuses a request whose query string names a parameter its operation does not declare
/// (400 `invalid_input` naming it), so a misspelt filter is never silently ignored.
pub async fn refuse_undeclared(req: Request, next: Next) -> Response {
    if let (Some(query), Some(path)) = (req.uri().query(), req.extensions().get::<MatchedPath>())
        && let Some(declared) = DECLARED.get(&(req.method().clone(), path.as_str().to_owned()))
        && let Some(unknown) = undeclared(query, declared)
    {
        let allowed = if declared.is_empty() {
            "this operation takes no query parameters".to_owned()
        } else {
            let mut names: Vec<_> = declared.iter().map(String::as_str).collect();
            names.sort_unstable();
            format!("expected one of {}", names.join(", "))
        };
        return Error::invalid(
            unknown.clone(),
            format!("unknown query parameter `{unknown}`; {allowed}"),
        )
        .into_response();
    }
    next.run(req).await
}

/// The first parameter of `query` that is not in `declared`.
fn undeclared(query: &str, declared: &HashSet<String>) -> Option<String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').map_or(pair, |(k, _)| k))
        .map(percent_decode)
        .find(|k| !declared.contains(k))
}

/// `%XX` and `+` decoded, as the query extractor would (invalid escapes kept as they are).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Like `axum::extract::Query`, but a bad query is a 400 `invalid_input` problem whose `field`
/// is the offending parameter: a bad value (`limit=abc`), an unknown one (`?colour=red` on a
/// query that denies unknown fields) or a missing one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => {
                let message = std::error::Error::source(&e)
                    .map_or_else(|| e.body_text(), ToString::to_string);
                let (field, reason) = blame(&message);
                Err(Error::invalid(field, reason))
            }
        }
    }
}

/// Splits a query deserialisation error into the parameter it is about and why. axum reports
/// the path to a bad value first (`limit: invalid digit found in string`); serde names unknown
/// and missing fields in backticks (``unknown field `colour`, expected …``), and a parameter
/// given twice (``duplicate field `label` ``).
fn blame(message: &str) -> (String, String) {
    if let Some((path, reason)) = message.split_once(": ")
        && !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
    {
        return (path.to_owned(), reason.to_owned());
    }
    let named = message.split('`').nth(1).filter(|n| !n.is_empty());
    if let Some(name) = named {
        if message.starts_with("unknown field") || message.starts_with("missing field") {
            return (name.to_owned(), message.to_owned());
        }
        if message.starts_with("duplicate field") {
            return (
                name.to_owned(),
                "given more than once: give it once".to_owned(),
            );
        }
    }
    ("query".to_owned(), message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{blame, percent_decode, undeclared};
    use std::collections::HashSet;

    #[test]
    fn undeclared_parameters_are_found_after_decoding() {
        let declared: HashSet<String> = ["from", "to"].map(String::from).into();
        assert_eq!(undeclared("from=1&to=2", &declared), None);
        assert_eq!(
            undeclared("from=1&colour=red", &declared),
            Some("colour".into())
        );
        assert_eq!(undeclared("fr%6Fm=1", &declared), None);
        assert_eq!(undeclared("&&", &declared), None);
        assert_eq!(undeclared("x", &HashSet::new()), Some("x".into()));
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("a+b%41"), "a bA");
        assert_eq!(percent_decode("%é1"), "%é1");
    }

    #[test]
    fn the_parameter_is_named_for_bad_unknown_and_missing_values() {
        assert_eq!(blame("limit: invalid digit found in string").0, "limit");
        let (field, reason) = blame("unknown field `colour`, expected one of `from`, `to`");
        assert_eq!(field, "colour");
        assert!(reason.contains("expected one of"));
        assert_eq!(blame("missing field `from`").0, "from");
        let (field, reason) = blame("duplicate field `label`");
        assert_eq!(field, "label");
        assert!(reason.contains("more than once"), "{reason}");
        assert_eq!(blame("something odd: happened here").0, "query");
    }
}
