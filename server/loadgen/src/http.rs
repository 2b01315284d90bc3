//! A small pooled HTTP/1.1 JSON client.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    inner: hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>,
}

/// A response: its status, the `id` of a JSON body if it has one, and the body.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub id: Option<String>,
    pub body: serde_json::Value,
}

impl Client {
    pub fn new(base: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Self {
            base: base.trim_end_matches('/').to_owned(),
            inner: hyper_util::client::legacy::Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(1024)
                .build(connector),
        }
    }

    /// POSTs a JSON body, with a bearer token if given.
    pub async fn post(&self, path: &str, token: &str, body: &str) -> anyhow::Result<Resp> {
        let mut req = hyper::Request::post(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        if !token.is_empty() {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let res = self
            .inner
            .request(req.body(Full::new(Bytes::from(body.to_owned())))?)
            .await?;
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await?.to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let id = body["id"].as_str().map(str::to_owned);
        Ok(Resp { status, id, body })
    }

    /// GETs a text body (such as `/metrics`).
    pub async fn get_text(&self, path: &str) -> anyhow::Result<String> {
        let req =
            hyper::Request::get(format!("{}{path}", self.base)).body(Full::new(Bytes::new()))?;
        let res = self.inner.request(req).await?;
        let bytes = res.into_body().collect().await?.to_bytes();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// POSTs and insists on `status`; returns the body.
    pub async fn expect(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
        status: u16,
    ) -> anyhow::Result<serde_json::Value> {
        let r = self.post(path, token, &body.to_string()).await?;
        if r.status != status {
            anyhow::bail!(
                "POST {path}: expected {status}, got {}: {}",
                r.status,
                r.body
            );
        }
        Ok(r.body)
    }
}
