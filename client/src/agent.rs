//! The agent protocol (DESIGN.md §7): register, the desired-config long-poll, the observed
//! report, authenticated with the host's credential once it has one.

use crate::client::Client;
use crate::error::ClientError;
use crate::url::BaseUrl;
use slicebroker_types::Secret;
use slicebroker_types::agent::{
    AgentRegister, AgentRegistration, DesiredConfig, ObservedReport, ReportAck,
};
use std::time::Duration;

/// The longest long-poll wait the server accepts.
pub const MAX_POLL_WAIT: Duration = Duration::from_secs(60);

/// The path of a desired-config long-poll; the wait is capped at what the server accepts.
pub fn desired_path(after: u64, wait: Duration) -> String {
    format!(
        "/v1/agent/desired?after={after}&wait={}",
        wait.min(MAX_POLL_WAIT).as_secs()
    )
}

/// A [`Client`] speaking the agent protocol for one host.
#[derive(Clone, Debug)]
pub struct AgentClient {
    client: Client,
    credential: Option<Secret>,
}

impl AgentClient {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            credential: None,
        }
    }

    pub fn base(&self) -> &BaseUrl {
        self.client.base()
    }

    /// Authenticates later calls with the host's credential.
    pub fn set_credential(&mut self, credential: Option<Secret>) {
        self.credential = credential;
    }

    /// `POST /v1/agent/register`. With `enrollment_token` set the request carries the token and
    /// no credential; without it, the credential. Sent once: the caller's loop retries.
    pub async fn register(&self, req: &AgentRegister) -> Result<AgentRegistration, ClientError> {
        let mut r = self.client.post("/v1/agent/register").json(req);
        if req.enrollment_token.is_none()
            && let Some(c) = &self.credential
        {
            r = r.bearer(c.expose());
        }
        r.call().await
    }

    /// `GET /v1/agent/desired`: at once if the host's generation is newer than `after`, else
    /// when it moves or after `wait` (capped at 60 s). The request's timeout is the client's
    /// plus the wait, so a long-poll is never cut short.
    pub async fn desired(&self, after: u64, wait: Duration) -> Result<DesiredConfig, ClientError> {
        let wait = wait.min(MAX_POLL_WAIT);
        self.authed(self.client.get(&desired_path(after, wait)))
            .timeout(self.client.request_timeout() + wait)
            .call()
            .await
    }

    /// `POST /v1/agent/observed`: the observed state, which is also the heartbeat. Sent once.
    pub async fn report(&self, report: &ObservedReport) -> Result<ReportAck, ClientError> {
        self.authed(self.client.post("/v1/agent/observed").json(report))
            .call()
            .await
    }

    fn authed<'c>(&self, r: crate::RequestBuilder<'c>) -> crate::RequestBuilder<'c> {
        match &self.credential {
            Some(c) => r.bearer(c.expose()),
            None => r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_poll_waits_are_capped_at_what_the_server_accepts() {
        assert_eq!(
            desired_path(0, Duration::from_secs(600)),
            "/v1/agent/desired?after=0&wait=60"
        );
        assert_eq!(
            desired_path(7, Duration::from_millis(1500)),
            "/v1/agent/desired?after=7&wait=1"
        );
    }
}
