//! A path-parameter extractor whose rejections are problem+json naming the parameter.

use crate::app::Error;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Like `axum::extract::Path`, but a bad value (`/v1/leases/not-a-uuid`) is a 400
/// `invalid_input` problem whose `field` is the parameter's name in the route (`id`).
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let e = match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => return Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => e,
            // Missing parameters are a routing bug, not the caller's fault.
            Err(other) => return Err(Error::internal(other.body_text())),
        };
        let names: Vec<String> = RawPathParams::from_request_parts(parts, state)
            .await
            .map(|p| p.iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default();
        let name = |index: usize| {
            names
                .get(index)
                .cloned()
                .unwrap_or_else(|| "path".to_owned())
        };
        let not_valid = |value: &str, ty: &str| {
            format!(
                "`{value}` is not a valid {}",
                ty.rsplit("::").next().unwrap_or(ty)
            )
        };
        let (field, reason) = match e.kind() {
            ErrorKind::DeserializeError {
                key,
                value,
                message,
            } => (key.clone(), format!("`{value}`: {message}")),
            ErrorKind::ParseErrorAtKey {
                key,
                value,
                expected_type,
            } => (key.clone(), not_valid(value, expected_type)),
            ErrorKind::ParseErrorAtIndex {
                index,
                value,
                expected_type,
            } => (name(*index), not_valid(value, expected_type)),
            ErrorKind::ParseError {
                value,
                expected_type,
            } => (name(0), not_valid(value, expected_type)),
            ErrorKind::InvalidUtf8InPathParam { key } => {
                (key.clone(), "is not valid UTF-8".to_owned())
            }
            _ => return Err(Error::internal(e.body_text())),
        };
        Err(Error::invalid(field, reason))
    }
}
