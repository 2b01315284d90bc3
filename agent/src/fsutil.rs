//! Small file helpers: JSON state written atomically (temp file, fsync, rename), so a crash
//! leaves either the old file or the new one, never half of one.

use serde::{Serialize, de::DeserializeOwned};
use std::fs;
use std::io::Write;
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

/// Writes `value` as pretty JSON to `path` atomically.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<(), FileError> {
    let write_err = |source| FileError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut bytes = serde_json::to_vec_pretty(value).expect("agent state always serializes");
    bytes.push(b'\n');
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(write_err)?;
    }
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp.{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let mut file = fs::File::create(&tmp).map_err(write_err)?;
    file.write_all(&bytes).map_err(write_err)?;
    file.sync_all().map_err(write_err)?;
    drop(file);
    fs::rename(&tmp, path).map_err(write_err)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = fs::File::open(dir)
    {
        // Makes the rename itself durable; best effort, some filesystems refuse it.
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips_and_missing_file_reads_as_none() {
        let dir = crate::test_dir::TestDir::new("fsutil");
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
    fn corrupt_file_is_a_parse_error_naming_the_path() {
        let dir = crate::test_dir::TestDir::new("fsutil-corrupt");
        let path = dir.path().join("state.json");
        fs::write(&path, "{ not json").unwrap();
        let err = read_json::<Vec<u32>>(&path).unwrap_err();
        assert!(matches!(err, FileError::Parse { .. }));
        assert!(err.to_string().contains("state.json"));
    }
}
