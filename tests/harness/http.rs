//! A small JSON client for the public API.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as Hyper;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

#[derive(Clone, Debug)]
pub struct Client {
    inner: Hyper<HttpConnector, Full<Bytes>>,
}

impl Default for Client {
    fn default() -> Self {
        Self {
            inner: Hyper::builder(TokioExecutor::new()).build_http(),
        }
    }
}

/// A response: status and JSON body (`Null` if empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
}

impl Resp {
    pub fn ok(&self) -> &Value {
        assert!(
            (200..300).contains(&self.status),
            "status {}: {}",
            self.status,
            self.body
        );
        &self.body
    }
}

impl Client {
    /// `Err` only when the server cannot be reached.
    pub async fn try_request(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Resp, String> {
        let mut req = hyper::Request::builder().method(method).uri(url);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let bytes = body.map(Value::to_string).unwrap_or_default();
        let req = req.body(Full::new(Bytes::from(bytes))).unwrap();
        let res = self.inner.request(req).await.map_err(|e| e.to_string())?;
        let status = res.status().as_u16();
        let bytes = res
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok(Resp {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }

    pub async fn request(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        self.try_request(method, url, token, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"))
    }
}
