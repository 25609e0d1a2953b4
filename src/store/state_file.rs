//! Reading and atomically writing the JSON state file.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::state::{FORMAT, SCHEMA_VERSION, State};

use super::StoreError;

/// What reading a state path found.
#[derive(Debug)]
pub enum Loaded {
    /// No file: nothing exists yet.
    Missing,
    Present(State),
}

/// Path of the backup kept beside the state file.
#[must_use]
pub fn backup_path(path: &Path) -> PathBuf {
    sibling(path, ".backup")
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Reads and checks the state file.
///
/// # Errors
/// Unreadable, not JSON, not ours, of a newer schema, or breaking an invariant.
pub fn read_state(path: &Path) -> Result<Loaded, StoreError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::Missing),
        Err(_) if path.is_dir() => return Err(StoreError::IsDirectory { path: path.to_path_buf() }),
        Err(e) => return Err(StoreError::Io { path: path.to_path_buf(), action: "read", error: e }),
    };
    parse_state(path, &bytes).map(Loaded::Present)
}

/// The few fields that say what a file is, read when the full parse fails.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    format: Option<String>,
    schema_version: Option<u64>,
}

fn parse_state(path: &Path, bytes: &[u8]) -> Result<State, StoreError> {
    let backup = backup_path(path);
    let hint = if backup.is_file() {
        format!(
            " (the previous version is in {}: check it, then copy it over the state to restore it)",
            backup.display()
        )
    } else {
        String::new()
    };
    let corrupt = |reason: String| StoreError::Corrupt { path: path.to_path_buf(), reason, hint: hint.clone() };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(corrupt(format!("it is empty ({} bytes)", bytes.len())));
    }
    // Validate UTF-8 once for the whole file: serde_json then skips it for every string.
    let text =
        std::str::from_utf8(bytes).map_err(|e| corrupt(format!("it is not UTF-8 text (byte {})", e.valid_up_to())))?;
    match serde_json::from_str::<State>(text) {
        Ok(state) => {
            if state.format != FORMAT {
                return Err(StoreError::NotOurs {
                    path: path.to_path_buf(),
                    reason: format!("its format is '{}'", state.format),
                });
            }
            if state.schema_version > SCHEMA_VERSION {
                return Err(StoreError::NewerSchema {
                    path: path.to_path_buf(),
                    found: u64::from(state.schema_version),
                    supported: SCHEMA_VERSION,
                });
            }
            state.check().map_err(corrupt)?;
            Ok(state)
        }
        Err(full) => {
            let Ok(header) = serde_json::from_slice::<Header>(bytes) else {
                // Valid JSON of another shape (an array, a number) is someone else's file.
                return Err(match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(other) if !other.is_object() => StoreError::NotOurs {
                        path: path.to_path_buf(),
                        reason: format!("it is a JSON {}, not an object", json_kind(&other)),
                    },
                    _ => corrupt(format!("{full}")),
                });
            };
            match (header.format.as_deref(), header.schema_version) {
                (Some(FORMAT), Some(v)) if v > u64::from(SCHEMA_VERSION) => {
                    Err(StoreError::NewerSchema { path: path.to_path_buf(), found: v, supported: SCHEMA_VERSION })
                }
                (Some(FORMAT), _) => Err(corrupt(format!("{full}"))),
                (Some(other), _) => {
                    Err(StoreError::NotOurs { path: path.to_path_buf(), reason: format!("its format is '{other}'") })
                }
                (None, _) => Err(StoreError::NotOurs {
                    path: path.to_path_buf(),
                    reason: "it has no \"format\": \"scaleset-state\" field".into(),
                }),
            }
        }
    }
}

/// Writes the state atomically and keeps the previous file as `<state>.backup`.
///
/// # Errors
/// Any I/O failure; the old state file is then left as it was.
pub fn write_state(path: &Path, state: &State) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = sibling(path, &format!(".tmp.{}", std::process::id()));
    let result = write_and_swap(path, &dir, &tmp, state);
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn io<'a>(action: &'static str, p: &'a Path) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |error| StoreError::Io { path: p.to_path_buf(), action, error }
}

fn write_and_swap(path: &Path, dir: &Path, tmp: &Path, state: &State) -> Result<(), StoreError> {
    let file = OpenOptions::new().write(true).create(true).truncate(true).open(tmp).map_err(io("create", tmp))?;
    let mut out = BufWriter::with_capacity(1 << 16, file);
    serde_json::to_writer(&mut out, state).map_err(|e| StoreError::Io {
        path: tmp.to_path_buf(),
        action: "write",
        error: e.into(),
    })?;
    out.write_all(b"\n").map_err(io("write", tmp))?;
    let file = out.into_inner().map_err(|e| StoreError::Io {
        path: tmp.to_path_buf(),
        action: "write",
        error: e.into_error(),
    })?;
    file.sync_all().map_err(io("fsync", tmp))?;
    drop(file);

    // Keep the previous version: a hard link costs nothing and is atomic; copy where links
    // are not supported.
    if path.exists() {
        let backup = backup_path(path);
        let backup_tmp = sibling(path, &format!(".backup.tmp.{}", std::process::id()));
        let _ = fs::remove_file(&backup_tmp);
        if fs::hard_link(path, &backup_tmp).is_err() {
            fs::copy(path, &backup_tmp).map_err(io("copy to backup", &backup_tmp))?;
            File::open(&backup_tmp).and_then(|f| f.sync_all()).map_err(io("fsync", &backup_tmp))?;
        }
        fs::rename(&backup_tmp, &backup).map_err(io("rename to", &backup))?;
    }
    fs::rename(tmp, path).map_err(io("replace", path))?;
    // Make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
