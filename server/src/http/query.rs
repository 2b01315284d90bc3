//! A query-string extractor whose rejections are problem+json naming the parameter.

use crate::app::Error;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

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
/// and missing fields in backticks (``unknown field `colour`, expected …``).
fn blame(message: &str) -> (String, String) {
    if let Some((path, reason)) = message.split_once(": ")
        && !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
    {
        return (path.to_owned(), reason.to_owned());
    }
    if message.starts_with("unknown field") || message.starts_with("missing field") {
        let named = message.split('`').nth(1).filter(|n| !n.is_empty());
        if let Some(name) = named {
            return (name.to_owned(), message.to_owned());
        }
    }
    ("query".to_owned(), message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::blame;

    #[test]
    fn the_parameter_is_named_for_bad_unknown_and_missing_values() {
        assert_eq!(blame("limit: invalid digit found in string").0, "limit");
        let (field, reason) = blame("unknown field `colour`, expected one of `from`, `to`");
        assert_eq!(field, "colour");
        assert!(reason.contains("expected one of"));
        assert_eq!(blame("missing field `from`").0, "from");
        assert_eq!(blame("something odd: happened here").0, "query");
    }
}
