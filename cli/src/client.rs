//! The HTTP client of the public API: plain HTTP/1.1 over hyper, JSON bodies of the shared wire
//! types, bearer tokens from the profile's API key (exchanged again when the cached one expires
//! or the server answers 401), and error answers read as problem+json.

use crate::config::{Profile, Store};
use crate::error::{ApiError, Error, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client as Hyper;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;
use slicebroker_types::api::{IssuedToken, Problem, Role, TokenCreate};
use std::time::Duration;
use uuid::Uuid;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_BODY: usize = 32 << 20;

/// A server address as `--server` takes it: `http://host[:port]`, without a trailing slash.
pub fn server_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let bad = |why: &str| Error::usage(format!("server URL `{url}`: {why}"));
    let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
    match uri.scheme_str() {
        Some("http") if uri.host().is_some_and(|h| !h.is_empty()) => Ok(url.to_owned()),
        Some("http") => Err(bad("no host")),
        Some("https") => Err(bad(
            "slicectl speaks plain http for now; reach an https server through a local \
             TLS-terminating proxy or an SSH tunnel and give its http:// address",
        )),
        _ => Err(bad("expected http://host[:port]")),
    }
}

/// Who a token says the caller is (read without verifying: for display and defaults only).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Claims {
    pub role: Role,
    #[serde(default)]
    pub tenant: Option<Uuid>,
}

pub fn claims(token: &str) -> Option<Claims> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// Where the credentials come from and go back to.
#[derive(Debug)]
struct Login {
    store: Store,
    profile: String,
}

/// A connection to one server, authenticated as a profile's API key when it has one.
#[derive(Debug)]
pub struct Session {
    base: String,
    http: Hyper<HttpConnector, Full<Bytes>>,
    login: Option<Login>,
    token: Option<String>,
    verbose: bool,
}

impl Session {
    /// An unauthenticated session (for `login`).
    pub fn anonymous(base: String, verbose: bool) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        Self {
            base,
            http: Hyper::builder(TokioExecutor::new()).build(connector),
            login: None,
            token: None,
            verbose,
        }
    }

    /// A session for `server` (or the profile's), with the profile's credentials. They are
    /// only ever sent to the server they were stored for.
    pub fn for_profile(
        store: Store,
        profile: String,
        server: Option<&str>,
        verbose: bool,
    ) -> Result<Self> {
        let stored = store.config.profiles.get(&profile);
        let base = match (server, stored) {
            (Some(s), _) => server_url(s)?,
            (None, Some(p)) => server_url(&p.server)?,
            (None, None) => {
                return Err(Error::failed(format!(
                    "no server for profile `{profile}`: run `slicectl login --server URL`, or give \
                     --server or SLICEBROKER_URL"
                )));
            }
        };
        let mut session = Self::anonymous(base, verbose);
        if let Some(p) = stored.filter(|p| server_url(&p.server).ok() == Some(session.base.clone()))
        {
            session.token = p.fresh_token(Utc::now()).map(str::to_owned);
            if p.api_key.is_some() {
                session.login = Some(Login { store, profile });
            }
        }
        Ok(session)
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Exchanges `api_key` for a token: `POST /v1/auth/token`.
    pub async fn exchange(&self, api_key: &str) -> Result<IssuedToken> {
        let body = TokenCreate {
            api_key: api_key.to_owned(),
        };
        let (status, bytes) = self
            .send(
                Method::POST,
                "/v1/auth/token",
                Some(to_json(&body)),
                None,
                None,
            )
            .await?;
        self.decode(Method::POST, "/v1/auth/token", status, &bytes)
    }

    /// The caller, as the current token says.
    pub async fn whoami(&mut self) -> Result<Claims> {
        let token = self.token().await?;
        claims(&token).ok_or_else(|| Error::failed("the server's token is not a JWT"))
    }

    pub async fn get<T: DeserializeOwned>(&mut self, path: &str) -> Result<T> {
        self.call(Method::GET, path, None::<&()>, None).await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &mut self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.call(Method::POST, path, Some(body), None).await
    }

    /// A `POST` without a body.
    pub async fn post_bare<T: DeserializeOwned>(&mut self, path: &str) -> Result<T> {
        self.call(Method::POST, path, None::<&()>, None).await
    }

    /// `POST` with an `Idempotency-Key`, so a retry cannot do it twice.
    pub async fn post_once<B: Serialize, T: DeserializeOwned>(
        &mut self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let key = Uuid::new_v4().to_string();
        self.call(Method::POST, path, Some(body), Some(&key)).await
    }

    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        &mut self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.call(Method::PATCH, path, Some(body), None).await
    }

    /// A `POST` without body whose answer has none either (`204`).
    pub async fn post_empty(&mut self, path: &str) -> Result<()> {
        self.authed(Method::POST, path, None, None).await.map(drop)
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> Result<T> {
        let body = body.map(to_json);
        let (status, bytes) = self
            .authed(method.clone(), path, body, idempotency_key)
            .await?;
        self.decode(method, path, status, &bytes)
    }

    /// Sends with the bearer token; on a 401, gets a new token once and sends again.
    async fn authed(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<(StatusCode, Bytes)> {
        let had_token = self.token.is_some();
        let token = self.token().await?;
        let mut answer = self
            .send(
                method.clone(),
                path,
                body.clone(),
                Some(&token),
                idempotency_key,
            )
            .await?;
        if answer.0 == StatusCode::UNAUTHORIZED && had_token && self.login.is_some() {
            self.token = None;
            let token = self.token().await?;
            answer = self
                .send(method.clone(), path, body, Some(&token), idempotency_key)
                .await?;
        }
        if answer.0.is_success() {
            Ok(answer)
        } else {
            Err(self.api_error(method, path, answer.0, &answer.1))
        }
    }

    /// The cached token, or a new one for the profile's API key (stored back in the profile).
    async fn token(&mut self) -> Result<String> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let Some(login) = &self.login else {
            return Err(Error::failed(format!(
                "not logged in to {}: run `slicectl login --server {}`",
                self.base, self.base
            )));
        };
        let profile = &login.store.config.profiles[&login.profile];
        let api_key = profile.api_key.clone().expect("a login has a key");
        let issued = self.exchange(&api_key).await.map_err(|e| match e {
            Error::Api(a) if a.problem.status == 401 => Error::failed(format!(
                "the API key of profile `{}` is no longer accepted ({}); run `slicectl login`",
                login.profile, a.problem.detail
            )),
            other => other,
        })?;
        let login = self.login.as_mut().expect("checked above");
        remember(login, &issued);
        if let Err(e) = login.store.save() {
            eprintln!("warning: the new token is not kept: {e}");
        }
        self.token = Some(issued.access_token.clone());
        Ok(issued.access_token)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        token: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<(StatusCode, Bytes)> {
        let url = format!("{}{path}", self.base);
        let mut req = Request::builder()
            .method(method.clone())
            .uri(&url)
            .header(header::ACCEPT, "application/json")
            .header(
                header::USER_AGENT,
                concat!("slicectl/", env!("CARGO_PKG_VERSION")),
            );
        if let Some(t) = token {
            let mut v = HeaderValue::try_from(format!("Bearer {t}"))
                .map_err(|_| Error::failed("the token is not a valid header value"))?;
            v.set_sensitive(true);
            req = req.header(header::AUTHORIZATION, v);
        }
        if let Some(k) = idempotency_key {
            req = req.header("idempotency-key", k);
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| Error::usage(format!("{url}: {e}")))?;
        if self.verbose {
            eprintln!("> {method} {url}");
        }
        let exchange = async {
            let res = self.http.request(req).await.map_err(|e| {
                if e.is_connect() {
                    Error::failed(format!("cannot connect to {}", self.base))
                } else {
                    Error::failed(format!("{method} {url}: {e}"))
                }
            })?;
            let status = res.status();
            let bytes = Limited::new(res.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| Error::failed(format!("{method} {url}: reading the answer: {e}")))?
                .to_bytes();
            Ok::<_, Error>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| {
                Error::failed(format!(
                    "{method} {url}: no answer within {}s",
                    REQUEST_TIMEOUT.as_secs()
                ))
            })??;
        if self.verbose {
            eprintln!("< {status}");
        }
        Ok((status, bytes))
    }

    fn decode<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        status: StatusCode,
        bytes: &[u8],
    ) -> Result<T> {
        if !status.is_success() {
            return Err(self.api_error(method, path, status, bytes));
        }
        serde_json::from_slice(bytes).map_err(|e| {
            Error::failed(format!(
                "{method} {}{path}: the answer is not the expected JSON: {e}",
                self.base
            ))
        })
    }

    fn api_error(&self, method: Method, path: &str, status: StatusCode, body: &[u8]) -> Error {
        let e = ApiError {
            method: method.to_string(),
            url: format!("{}{path}", self.base),
            problem: problem(status, body),
            body: String::from_utf8_lossy(body).into_owned(),
        };
        Error::Api(Box::new(e))
    }
}

fn to_json<B: Serialize + ?Sized>(body: &B) -> Vec<u8> {
    serde_json::to_vec(body).expect("request types serialise")
}

/// Keeps a new token in the profile.
fn remember(login: &mut Login, issued: &IssuedToken) {
    let p: &mut Profile = login
        .store
        .config
        .profiles
        .get_mut(&login.profile)
        .expect("the profile exists");
    p.token = Some(issued.access_token.clone());
    p.token_expires_at = Some(Utc::now() + chrono::Duration::seconds(issued.expires_in));
}

/// The problem+json of an error answer, or one made from the status when the body is not one
/// (a proxy's HTML page).
pub fn problem(status: StatusCode, body: &[u8]) -> Problem {
    serde_json::from_slice::<Problem>(body).unwrap_or_else(|_| {
        let reason = status.canonical_reason().unwrap_or("error");
        Problem {
            kind: "about:blank".into(),
            title: reason.into(),
            status: status.as_u16(),
            detail: {
                let text: String = String::from_utf8_lossy(body)
                    .trim()
                    .chars()
                    .take(200)
                    .collect();
                if text.is_empty() {
                    reason.to_owned()
                } else {
                    text
                }
            },
            code: format!("http_{}", status.as_u16()),
            field: None,
            free: None,
            next_free_at: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_plain_http_with_a_host() {
        assert_eq!(
            server_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        let https = server_url("https://broker.example").unwrap_err();
        assert!(https.to_string().contains("plain http"), "{https}");
        assert_eq!(https.exit(), crate::error::Exit::Usage);
        assert!(server_url("broker:8080").is_err());
        assert!(server_url("http://").is_err());
    }

    #[test]
    fn claims_are_read_from_the_token_payload() {
        let payload = URL_SAFE_NO_PAD.encode(
            r#"{"sub":"0190","tenant":"01900000-0000-7000-8000-000000000000","role":"member"}"#,
        );
        let c = claims(&format!("h.{payload}.s")).unwrap();
        assert_eq!(c.role, Role::Member);
        assert!(c.tenant.is_some());
        assert_eq!(claims("not-a-jwt"), None);
    }

    #[test]
    fn an_answer_that_is_not_problem_json_still_gives_a_code() {
        let p = problem(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        assert_eq!(p.code, "http_502");
        assert_eq!(p.detail, "<html>bad gateway</html>");
        let body = br#"{"type":"t","title":"Not Found","status":404,"detail":"lease x not found","code":"not_found"}"#;
        let p = problem(StatusCode::NOT_FOUND, body);
        assert_eq!(
            (p.code.as_str(), p.detail.as_str()),
            ("not_found", "lease x not found")
        );
    }
}
