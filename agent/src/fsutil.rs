//! Small file helpers: JSON state and secrets written atomically (temp file, fsync, rename), so
//! a crash leaves either the old file or the new one, never half of one; and an exclusive
//! `flock` for state that several processes change.

use serde::{Serialize, de::DeserializeOwned};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("reading {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("writing {path}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid JSON for this file")]
    Parse {
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

/// Reads a JSON file; `Ok(None)` if it does not exist.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, FileError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(FileError::Read {
                path: path.display().to_string(),
                source,
            });
        }
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| FileError::Parse {
            path: path.display().to_string(),
            source,
        })
}

/// Reads a one-line secret file (a token or credential), trimmed; `Ok(None)` if the file does
/// not exist or is empty.
pub fn read_secret(path: &Path) -> Result<Option<String>, FileError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(FileError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Writes a secret to `path` atomically, readable and writable by the owner only (0600).
pub fn write_secret_atomic(path: &Path, secret: &str) -> Result<(), FileError> {
    write_atomic(path, format!("{secret}\n").as_bytes(), 0o600)
}

/// Writes `value` as pretty JSON to `path` atomically.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<(), FileError> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("agent state always serializes");
    bytes.push(b'\n');
    write_atomic(path, &bytes, 0o666)
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, created with `mode` (less
/// the umask), written and synced, then renamed over it.
fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), FileError> {
    let write_err = |source| FileError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(write_err)?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(path.file_name().unwrap_or_default());
    // Dropped unpersisted (an error below), the temporary file is removed.
    let mut file = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(write_err)?;
    file.write_all(bytes).map_err(write_err)?;
    file.as_file().sync_all().map_err(write_err)?;
    file.persist(path).map_err(|e| write_err(e.error))?;
    if let Ok(d) = fs::File::open(dir) {
        // Makes the rename itself durable; best effort, some filesystems refuse it.
        let _ = d.sync_all();
    }
    Ok(())
}

/// An exclusive advisory lock (`flock`) on a lock file, held until dropped. Every process that
/// changes the guarded state takes it, so changes never interleave.
#[derive(Debug)]
pub struct FileLock {
    _file: fs::File,
}

impl FileLock {
    /// Waits for the lock on `path`, creating the file if needed.
    pub fn exclusive(path: &Path) -> Result<Self, FileError> {
        let err = |source| FileError::Write {
            path: path.display().to_string(),
            source,
        };
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(err)?;
        loop {
            match rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive) {
                Ok(()) => return Ok(Self { _file: file }),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(err(e.into())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips_and_missing_file_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        assert!(read_json::<Vec<u32>>(&path).unwrap().is_none());
        write_json_atomic(&path, &vec![1u32, 2, 3]).unwrap();
        assert_eq!(read_json::<Vec<u32>>(&path).unwrap(), Some(vec![1, 2, 3]));
        write_json_atomic(&path, &vec![4u32]).unwrap();
        assert_eq!(read_json::<Vec<u32>>(&path).unwrap(), Some(vec![4]));
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file is left behind");
    }

    #[test]
    fn secrets_are_owner_only_and_read_back_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib/credential");
        assert_eq!(read_secret(&path).unwrap(), None);
        write_secret_atomic(&path, "sba_abc").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(read_secret(&path).unwrap().as_deref(), Some("sba_abc"));
        fs::write(&path, " \n").unwrap();
        assert_eq!(read_secret(&path).unwrap(), None, "blank counts as absent");
    }

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.lock");
        let first = FileLock::exclusive(&path).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        let waiter = std::thread::spawn(move || {
            let _second = FileLock::exclusive(&p).unwrap();
            tx.send(()).unwrap();
        });
        let early = rx.recv_timeout(std::time::Duration::from_millis(100));
        assert!(
            early.is_err(),
            "the second lock waits while the first is held"
        );
        drop(first);
        rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        waiter.join().unwrap();
    }

    #[test]
    fn corrupt_file_is_a_parse_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        fs::write(&path, "{ not json").unwrap();
        let err = read_json::<Vec<u32>>(&path).unwrap_err();
        assert!(matches!(err, FileError::Parse { .. }));
        assert!(err.to_string().contains("state.json"));
    }
}
