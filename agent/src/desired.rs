//! Where the loop gets its desired config and sends its reports: the server (long-poll, and the
//! observed report as heartbeat), or a JSON file for offline and dry-run use.

use crate::enroll::{EnrollError, Enrollment};
use crate::fsutil::{self, FileError};
use crate::model::GpuInfo;
use slicebroker_client::ClientError;
use slicebroker_client::agent::AgentClient;
use slicebroker_types::agent::{AgentRegister, DesiredConfig, ObservedReport, ReportAck};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug)]
pub enum DesiredSource {
    File(FileSource),
    Server(Box<ServerSource>),
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("reading the desired config")]
    File(#[from] FileError),
    #[error(transparent)]
    Server(#[from] ClientError),
    #[error(transparent)]
    Enroll(#[from] EnrollError),
}

impl SourceError {
    /// The server no longer accepts this agent: retrying cannot help, an operator must act.
    pub fn is_fatal(&self) -> bool {
        match self {
            SourceError::Server(e) => e.is_unauthenticated(),
            SourceError::Enroll(e) => !e.is_transient(),
            SourceError::File(_) => false,
        }
    }
}

impl DesiredSource {
    /// The next desired config. The server answers at once when its generation is newer than
    /// `held`, else when it moves or after `wait`; the file is read after `wait`.
    pub async fn next(&mut self, held: u64, wait: Duration) -> Result<DesiredConfig, SourceError> {
        match self {
            DesiredSource::File(f) => {
                tokio::time::sleep(wait).await;
                Ok(f.read()?)
            }
            DesiredSource::Server(s) => Ok(s.client.desired(held, wait).await?),
        }
    }

    /// Sends a pass's report (the server's heartbeat), registering again first when the GPUs
    /// seen differ from those last registered (MIG mode turned on, a profile table changed).
    /// The file source has no one to tell and answers `None`.
    pub async fn report(
        &mut self,
        report: &ObservedReport,
        gpus: &[GpuInfo],
    ) -> Result<Option<ReportAck>, SourceError> {
        let DesiredSource::Server(s) = self else {
            return Ok(None);
        };
        if s.facts.gpus != gpus {
            tracing::info!("the GPUs changed; registering them again");
            let facts = AgentRegister {
                gpus: gpus.to_vec(),
                ..s.facts.clone()
            };
            s.enrollment.register(&mut s.client, &facts).await?;
            s.facts = facts;
        }
        Ok(Some(s.client.report(report).await?))
    }
}

/// Reads `DesiredConfig` JSON from a file each pass; a missing file means nothing is wanted yet
/// at generation 0, which an agent that has seen a newer generation ignores.
#[derive(Debug)]
pub struct FileSource {
    pub path: PathBuf,
}

impl FileSource {
    pub fn read(&self) -> Result<DesiredConfig, FileError> {
        Ok(fsutil::read_json(&self.path)?.unwrap_or_default())
    }
}

/// The server, with the host already registered.
#[derive(Debug)]
pub struct ServerSource {
    pub client: AgentClient,
    pub enrollment: Enrollment,
    /// What was last registered (without the token).
    pub facts: AgentRegister,
}
