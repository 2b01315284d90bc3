//! A JSON body extractor whose rejections are problem+json naming what was wrong.

use crate::app::Error;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but a bad body is a 400 `malformed_body` problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Error::MalformedBody(
                "expected `Content-Type: application/json`".into(),
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(Error::MalformedBody(e.body_text())),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(Error::MalformedBody(e.body_text())),
            Err(e) => Err(Error::MalformedBody(e.body_text())),
        }
    }
}
