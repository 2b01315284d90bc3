//! The session with one server, over `slicebroker-client` (http or https, timeouts, reads and
//! keyed creates retried when the server cannot answer): bearer tokens from the profile's API
//! key (exchanged again when the cached one expires or the server answers 401), the same calls
//! sent again after a `429` once the server's `Retry-After` has passed, and refusals turned into
//! the CLI's errors.

use crate::config::{Profile, Store};
use crate::error::{ApiError, Error, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;
use slicebroker_client::{BaseUrl, BuildError, Client, ClientError, Event, Method, Response};
use slicebroker_types::api::{IssuedToken, Role, TokenCreate};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use uuid::Uuid;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A call refused with `429 rate_limited` is sent again at most this many times…
const RATE_LIMITED_RETRIES: u32 = 3;
/// …and only while the waits, each the server's `Retry-After`, come to at most this in all.
const RATE_LIMITED_PATIENCE: Duration = Duration::from_secs(30);

/// A server address as `--server` takes it: `http(s)://host[:port]`, without a trailing slash.
pub fn server_url(url: &str) -> Result<String> {
    BaseUrl::parse(url)
        .map(|b| b.as_str().to_owned())
        .map_err(|e| Error::usage(e.to_string()))
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
    http: Client,
    login: Option<Login>,
    token: Option<String>,
    /// `-v`: also say when a call is sent again after a `429`.
    verbose: bool,
}

impl Session {
    /// An unauthenticated session (for `login`), trusting the system's CAs and `ca_file`'s.
    pub fn anonymous(base: &str, ca_file: Option<PathBuf>, verbose: bool) -> Result<Self> {
        let mut builder = Client::builder(base)
            .ca_file(ca_file)
            .connect_timeout(CONNECT_TIMEOUT)
            .request_timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("slicectl/", env!("CARGO_PKG_VERSION")));
        if verbose {
            builder = builder.observer(show);
        }
        // A bad URL or an unreadable CA file are bad options: usage errors.
        let http = builder
            .build()
            .map_err(|e: BuildError| Error::usage(e.to_string()))?;
        Ok(Self {
            http,
            login: None,
            token: None,
            verbose,
        })
    }

    /// A session for `server` (or the profile's), with the profile's credentials. They are
    /// only ever sent to the server they were stored for. `ca_file` (else the profile's) is
    /// trusted besides the system's CAs.
    pub fn for_profile(
        store: Store,
        profile: String,
        server: Option<&str>,
        ca_file: Option<PathBuf>,
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
        let same_server = stored.filter(|p| server_url(&p.server).ok() == Some(base.clone()));
        let ca_file = ca_file.or_else(|| same_server.and_then(|p| p.ca_file.clone()));
        let mut session = Self::anonymous(&base, ca_file, verbose)?;
        if let Some(p) = same_server {
            session.token = p.fresh_token(Utc::now()).map(str::to_owned);
            if p.api_key.is_some() {
                session.login = Some(Login { store, profile });
            }
        }
        Ok(session)
    }

    pub fn base(&self) -> &str {
        self.http.base().as_str()
    }

    /// Exchanges `api_key` for a token: `POST /v1/auth/token`.
    pub async fn exchange(&self, api_key: &str) -> Result<IssuedToken> {
        let body = TokenCreate {
            api_key: api_key.to_owned(),
        };
        let answer = self.http.post("/v1/auth/token").json(&body).send().await;
        decode(answer.map_err(failed))
    }

    /// The caller, as the current token says.
    pub async fn whoami(&mut self) -> Result<Claims> {
        let token = self.token().await?;
        claims(&token).ok_or_else(|| Error::failed("the server's token is not a JWT"))
    }

    pub async fn get<T: DeserializeOwned>(&mut self, path: &str) -> Result<T> {
        self.call(Method::GET, path, None::<&()>, None).await
    }

    /// A `GET` whose answer is text, not JSON (a CSV export).
    pub async fn get_text(&mut self, path: &str) -> Result<String> {
        let answer = self.authed(Method::GET, path, None, None).await?;
        let ok = answer.error_for_status().map_err(api_error)?;
        Ok(ok.text().into_owned())
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

    /// `POST` with an `Idempotency-Key`, so it can be retried without doing it twice.
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
        let answer = self.authed(Method::POST, path, None, None).await?;
        answer.error_for_status().map(drop).map_err(api_error)
    }

    /// A `DELETE` whose answer has no body (`204`).
    pub async fn delete(&mut self, path: &str) -> Result<()> {
        let answer = self.authed(Method::DELETE, path, None, None).await?;
        answer.error_for_status().map(drop).map_err(api_error)
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> Result<T> {
        let body = body.map(to_json);
        let answer = self.authed(method, path, body, idempotency_key).await;
        decode(answer)
    }

    /// Sends with the bearer token; on a 401, gets a new token once and sends again.
    async fn authed(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<Response> {
        let had_token = self.token.is_some();
        let token = self.token().await?;
        let mut answer = self
            .send(method.clone(), path, body.clone(), &token, idempotency_key)
            .await?;
        if answer.status == 401 && had_token && self.login.is_some() {
            self.token = None;
            let token = self.token().await?;
            answer = self
                .send(method, path, body, &token, idempotency_key)
                .await?;
        }
        Ok(answer)
    }

    /// The cached token, or a new one for the profile's API key (stored back in the profile).
    async fn token(&mut self) -> Result<String> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let Some(login) = &self.login else {
            return Err(Error::failed(format!(
                "not logged in to {}: run `slicectl login --server {}`",
                self.base(),
                self.base()
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

    /// Sends once, or again after a `429` where repeating the call is safe: a read, or a create
    /// with an `Idempotency-Key` (the calls `slicebroker-client` retries when the server cannot
    /// answer). Each wait is the server's `Retry-After` ([`rate_limited_pause`]).
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        token: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Response> {
        let replayable = method == Method::GET || idempotency_key.is_some();
        let started = Instant::now();
        let mut retries = 0;
        loop {
            let answer = self
                .send_once(method.clone(), path, body.clone(), token, idempotency_key)
                .await?;
            let pause = replayable
                .then(|| {
                    rate_limited_pause(
                        answer.status.as_u16(),
                        answer.retry_after(),
                        retries,
                        started.elapsed(),
                    )
                })
                .flatten();
            let Some(pause) = pause else {
                return Ok(answer);
            };
            if self.verbose {
                let code = answer.problem().map_or_else(String::new, |p| p.code);
                eprintln!(
                    "  retrying in {:.1}s (the server's Retry-After): 429 {code}",
                    pause.as_secs_f64()
                );
            }
            tokio::time::sleep(pause).await;
            retries += 1;
        }
    }

    async fn send_once(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        token: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Response> {
        let mut req = self.http.request(method, path).bearer(token);
        if let Some(k) = idempotency_key {
            req = req.idempotency_key(k);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        req.send().await.map_err(failed)
    }
}

/// How long to wait before sending a call again that was answered `status` (with the server's
/// `retry_after`, 1 s when it gave none) after `retries` retries and `elapsed` since the first
/// attempt; `None` to give up and report the answer: it is not a `429`, or the retries or the
/// patience for them ran out (a `Retry-After` longer than what is left is not waited for).
fn rate_limited_pause(
    status: u16,
    retry_after: Option<Duration>,
    retries: u32,
    elapsed: Duration,
) -> Option<Duration> {
    if status != 429 || retries >= RATE_LIMITED_RETRIES {
        return None;
    }
    let pause = retry_after.unwrap_or(Duration::from_secs(1));
    (elapsed + pause <= RATE_LIMITED_PATIENCE).then_some(pause)
}

/// `-v`: each request, its answer, and each retry, on stderr.
fn show(event: &Event<'_>) {
    match event {
        Event::Sending { method, url, .. } => eprintln!("> {method} {url}"),
        Event::Answered { status, .. } => match slicebroker_client::StatusCode::from_u16(*status) {
            Ok(s) => eprintln!("< {s}"),
            Err(_) => eprintln!("< {status}"),
        },
        Event::Retrying { after, why, .. } => {
            eprintln!("  retrying in {:.1}s: {why}", after.as_secs_f64());
        }
    }
}

/// A successful answer as `T`, or the CLI's error for a refusal or a failure.
fn decode<T: DeserializeOwned>(answer: Result<Response>) -> Result<T> {
    answer?.json().map_err(api_error)
}

/// A refusal keeps the server's problem (its code decides the exit code); anything else is a
/// failure, said in one line.
fn api_error(e: ClientError) -> Error {
    match e {
        ClientError::Problem {
            method,
            url,
            problem,
            body,
        } => Error::Api(Box::new(ApiError {
            method: method.to_string(),
            url,
            problem: *problem,
            body,
        })),
        other => failed(other),
    }
}

/// A call that got no answer: no connection, TLS refused, no answer in time.
fn failed(e: ClientError) -> Error {
    match e {
        ClientError::Tls { .. } => Error::failed(format!(
            "{e}; give the CA to trust with --ca-file FILE or SLICEBROKER_CA_FILE"
        )),
        other => Error::failed(other.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_http_or_https_with_a_host() {
        assert_eq!(
            server_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            server_url("https://broker.example/").unwrap(),
            "https://broker.example"
        );
        let ftp = server_url("ftp://broker.example").unwrap_err();
        assert!(ftp.to_string().contains("http(s)://"), "{ftp}");
        assert_eq!(ftp.exit(), crate::error::Exit::Usage);
        assert!(server_url("broker:8080").is_err());
        assert!(server_url("http://").is_err());
    }

    #[test]
    fn a_ca_file_that_cannot_be_read_is_a_usage_error_naming_it() {
        let err = Session::anonymous(
            "https://broker.example",
            Some("/nonexistent/ca.pem".into()),
            false,
        )
        .unwrap_err();
        assert_eq!(err.exit(), crate::error::Exit::Usage);
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }

    #[test]
    fn a_429_is_retried_after_retry_after_a_few_times_within_30s() {
        let s = Duration::from_secs;
        assert_eq!(rate_limited_pause(429, Some(s(2)), 0, s(0)), Some(s(2)));
        assert_eq!(rate_limited_pause(429, None, 0, s(0)), Some(s(1)));
        assert_eq!(rate_limited_pause(429, Some(s(1)), 2, s(5)), Some(s(1)));
        // Three retries at most.
        assert_eq!(rate_limited_pause(429, Some(s(1)), 3, s(3)), None);
        // No wait past 30 s in all: a long Retry-After is reported, not waited for.
        assert_eq!(rate_limited_pause(429, Some(s(10)), 1, s(20)), Some(s(10)));
        assert_eq!(rate_limited_pause(429, Some(s(11)), 1, s(20)), None);
        assert_eq!(rate_limited_pause(429, Some(s(60)), 0, s(0)), None);
        // Only a 429.
        for status in [200, 400, 409, 503] {
            assert_eq!(rate_limited_pause(status, Some(s(1)), 0, s(0)), None);
        }
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
}
