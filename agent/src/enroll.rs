//! Enrollment: the first registration trades a one-time enrollment token for the host's
//! credential, kept in an owner-only file; later starts register with that credential (which
//! refreshes the host's facts) and use the token again only if the server no longer knows it.

use crate::fsutil::{self, FileError};
use slicebroker_client::ClientError;
use slicebroker_client::agent::AgentClient;
use slicebroker_types::Secret;
use slicebroker_types::agent::{AgentRegister, AgentRegistration};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error(
        "no agent credential at {path} and no enrollment token: ask an admin for one \
         (`POST /v1/enrollment-tokens`) and pass `--enrollment-token` or `--enrollment-token-file`"
    )]
    NoCredential { path: String },
    #[error(
        "the server refused the credential in {path} (was the host removed?) and no enrollment \
         token is configured to enroll again"
    )]
    CredentialRefused {
        path: String,
        #[source]
        source: ClientError,
    },
    #[error(
        "the server refused the enrollment token (used, expired or unknown); ask for a new one"
    )]
    TokenRefused(#[source] ClientError),
    #[error("registering with the server")]
    Register(#[source] ClientError),
    #[error("the server accepted the enrollment token but sent no credential")]
    NoCredentialIssued,
    #[error("the agent credential file")]
    File(#[from] FileError),
}

impl EnrollError {
    /// Worth trying again later (the server is down or overloaded).
    pub fn is_transient(&self) -> bool {
        matches!(self, EnrollError::Register(e) if e.is_transient())
    }
}

/// Where the host's identity comes from.
#[derive(Debug)]
pub struct Enrollment {
    pub credential_file: PathBuf,
    pub token: Option<Secret>,
}

impl Enrollment {
    /// Registers `facts` (which carry no token), enrolling first where needed, and leaves the
    /// credential in `client` for the calls that follow.
    pub async fn register(
        &self,
        client: &mut AgentClient,
        facts: &AgentRegister,
    ) -> Result<AgentRegistration, EnrollError> {
        let path = || self.credential_file.display().to_string();
        if let Some(stored) = fsutil::read_secret(&self.credential_file)? {
            client.set_credential(Some(Secret::new(stored)));
            match client.register(facts).await {
                Ok(registration) => return Ok(registration),
                Err(source) if source.is_unauthenticated() => {
                    if self.token.is_none() {
                        return Err(EnrollError::CredentialRefused {
                            path: path(),
                            source,
                        });
                    }
                    tracing::warn!(
                        credential_file = %path(),
                        "the server refused the stored credential; enrolling again with the token"
                    );
                    client.set_credential(None);
                }
                Err(e) => return Err(EnrollError::Register(e)),
            }
        }
        let token = self
            .token
            .as_ref()
            .ok_or_else(|| EnrollError::NoCredential { path: path() })?;
        let request = AgentRegister {
            enrollment_token: Some(token.expose().to_owned()),
            ..facts.clone()
        };
        let registration = client.register(&request).await.map_err(|e| {
            if e.is_unauthenticated() {
                EnrollError::TokenRefused(e)
            } else {
                EnrollError::Register(e)
            }
        })?;
        let credential = registration
            .credential
            .clone()
            .ok_or(EnrollError::NoCredentialIssued)?;
        fsutil::write_secret_atomic(&self.credential_file, &credential)?;
        tracing::info!(
            host = %registration.host_name,
            credential_file = %path(),
            "enrolled; credential stored"
        );
        client.set_credential(Some(Secret::new(credential)));
        Ok(registration)
    }
}

/// The default credential file: beside the checkpoint, else in the agent's state directory.
pub fn default_credential_file(checkpoint: Option<&Path>) -> PathBuf {
    checkpoint
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("/var/lib/slicebroker-agent"))
        .join("credential")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credential_lives_beside_the_checkpoint() {
        assert_eq!(
            default_credential_file(Some(Path::new("/srv/agent/cp.json"))),
            PathBuf::from("/srv/agent/credential")
        );
        for none in [None, Some(Path::new("cp.json"))] {
            assert_eq!(
                default_credential_file(none),
                PathBuf::from("/var/lib/slicebroker-agent/credential")
            );
        }
    }

    #[tokio::test]
    async fn without_credential_or_token_nothing_is_sent_and_the_error_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let enrollment = Enrollment {
            credential_file: dir.path().join("credential"),
            token: None,
        };
        // Nothing listens on port 1; the check happens before any request.
        let mut client =
            AgentClient::new(slicebroker_client::Client::new("http://127.0.0.1:1").unwrap());
        let facts = AgentRegister {
            enrollment_token: None,
            hostname: "h".into(),
            agent_version: "0".into(),
            driver_version: None,
            gpus: Vec::new(),
        };
        let err = enrollment.register(&mut client, &facts).await.unwrap_err();
        assert!(matches!(err, EnrollError::NoCredential { .. }), "{err:?}");
        assert!(!err.is_transient());
        assert!(err.to_string().contains("--enrollment-token"), "{err}");
    }
}
