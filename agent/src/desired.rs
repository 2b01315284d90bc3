//! Where the loop gets its desired config. Until the server's agent endpoints land, a JSON
//! file (`--desired-file`); the server long-poll client will implement the same trait.

use crate::fsutil::{self, FileError};
use slicebroker_types::agent::DesiredConfig;
use std::path::PathBuf;

pub trait DesiredSource: Send + std::fmt::Debug {
    /// The newest desired config. The loop ignores one older than it already holds.
    fn fetch(&mut self) -> Result<DesiredConfig, FileError>;
}

/// Reads `DesiredConfig` JSON from a file each pass; a missing file means nothing is wanted yet
/// at generation 0, which an agent that has seen a newer generation ignores.
#[derive(Debug)]
pub struct FileSource {
    pub path: PathBuf,
}

impl DesiredSource for FileSource {
    fn fetch(&mut self) -> Result<DesiredConfig, FileError> {
        Ok(fsutil::read_json(&self.path)?.unwrap_or_default())
    }
}
