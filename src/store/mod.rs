//! The state: the storage trait commands use ([`StateStore`]), and its local-file backend:
//! reading the file safely, writing it atomically, locking it.
//!
//! Guarantees:
//! - a writer holds the exclusive lock for the whole read-modify-write;
//! - a write goes to a temporary file in the same directory, is fsynced, then renamed over the
//!   old file, and the directory is fsynced: readers see the old or the new file, never a mix;
//! - the previous version is kept as `<state>.backup`;
//! - a file that is unreadable, truncated, of a newer schema or not ours is refused, never
//!   overwritten;
//! - a backup that belongs to another state (another lineage) is never overwritten: the write is
//!   refused, so the only copy of that other state is not lost;
//! - a state path that is a symbolic link is followed: the lock, the temporary file and the
//!   backup sit next to the link's target, which is replaced atomically (the link stays);
//! - the lock file is never a symbolic link, a pipe or a device (refused), so nothing but our
//!   own lock record is ever truncated; a state or backup that is not a regular file is
//!   refused, and reads never wait on a pipe nor read without bound;
//! - a state file with another hard link is refused for writing (one lock, one name);
//! - a new state file keeps the old one's permissions and owner;
//! - temporary files left by a writer that was killed are removed by the next writer.
//!
//! Test hook: with `SCALESET_CRASH_AT=<point>` in the environment the process kills itself
//! (SIGKILL) at that point of a write (`locked`, `temp-partial`, `temp-written`,
//! `backup-linked`, `backup-renamed`, `replaced`; for a blob: `locked`, `replaced`,
//! `backup-written`). The crash tests use it to cover every step
//! deterministically; nobody else should set it.

mod backend;
mod blob;
mod blob_lock;
mod indexed;
mod location;
mod lock;
pub(crate) mod safe_open;
mod scoped;
mod state_file;

pub use backend::{LocalFile, Lock, StateStore, Version};
pub use blob::BlobState;
pub use blob_lock::DEFAULT_LEASE;
pub use indexed::{to_bytes as state_bytes, write_json as write_state_json};
pub use location::{AwsAccess, AzureAccess, BlobUrl, Location, S3Url, aws_access, azure_access};
pub use lock::{LockGuard, acquire, lock_path};
pub use scoped::{Scope, parse_state_scoped, parse_summaries};
pub use state_file::{
    Loaded, backup_path, parse_state, read_state, read_state_scoped, read_summaries, resolve, write_state,
};

use std::path::PathBuf;
use std::time::Duration;

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The field is `error`, not `source`: the message already includes it, and as a source it
    /// would be printed a second time as "caused by".
    #[error("cannot {action} {}: {error}", path.display())]
    Io { path: PathBuf, action: &'static str, error: std::io::Error },
    #[error("state file {} is not valid: {reason}; it was left untouched{hint}", path.display())]
    Corrupt { path: PathBuf, reason: String, hint: String },
    #[error("state file {} is not a scaleset state ({reason}); refusing to overwrite it", path.display())]
    NotOurs { path: PathBuf, reason: String },
    #[error("state file {} has schema version {found}, newer than this scaleset reads (up to {supported}): upgrade scaleset", path.display())]
    NewerSchema { path: PathBuf, found: u64, supported: u32 },
    #[error("state file {} is locked by {holder}; gave up after {}s (raise --lock-timeout or try again)", path.display(), waited.as_secs_f64())]
    LockTimeout { path: PathBuf, waited: Duration, holder: String },
    #[error(
        "state {} changed while this command ran (another writer committed first); nothing was written: run the command again",
        path.display()
    )]
    Conflict { path: PathBuf },
    #[error("{} is {kind}, not a regular file; refusing to use it (give a file path with --state)", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error(
        "state file {} has {links} names (hard links); one lock cannot cover two names, so it is not written: \
         copy it to a file of its own (cp) and use that",
        path.display()
    )]
    HardLinked { path: PathBuf, links: u64 },
    #[error("state path {} is a directory; give a file path with --state", path.display())]
    IsDirectory { path: PathBuf },
    #[error(
        "state file {} (lineage {lineage}) and its backup {} (lineage {backup_lineage}) belong to different states: \
         the state file was replaced or re-created. Nothing was written, so the backup, the only copy of the other \
         state, is kept. To go on with this state, move the backup elsewhere; to restore the other state, copy the \
         backup over the state file",
        path.display(),
        backup.display()
    )]
    LineageMismatch { path: PathBuf, lineage: String, backup: PathBuf, backup_lineage: String },
    #[error("--state '{given}' is not a state location: {reason}")]
    BadLocation { given: String, reason: String },
    #[error("cannot use the state at {url}: {reason}")]
    RemoteConfig { url: String, reason: String },
    #[error("cannot {action} the state at {url}: {reason}; nothing was written")]
    Remote { url: String, action: &'static str, reason: String },
}

/// Opens the state at `location`. Nothing is read or reached yet.
#[must_use]
pub fn open(location: &Location, lease: Duration) -> Box<dyn StateStore> {
    match location {
        Location::Local(path) => Box::new(LocalFile::new(path)),
        Location::AzureBlob(url) => Box::new(BlobState::azure(url, lease)),
        Location::S3(url) => Box::new(BlobState::s3(url, lease)),
    }
}

/// The lease of a remote lock from `SCALESET_LOCK_LEASE` (seconds, decimals allowed, 0.1 to
/// 3600), or the default.
///
/// # Errors
/// A value that is not a number of seconds in range.
pub fn lease_from_env() -> Result<Duration, String> {
    match std::env::var("SCALESET_LOCK_LEASE") {
        Err(_) => Ok(DEFAULT_LEASE),
        Ok(text) => match text.trim().parse::<f64>() {
            Ok(secs) if (0.1..=3600.0).contains(&secs) => Ok(Duration::from_secs_f64(secs)),
            _ => Err(format!("SCALESET_LOCK_LEASE is '{text}'; accepted: a number of seconds from 0.1 to 3600")),
        },
    }
}

/// A random number below `bound`, for the jitter of retries (not for anything the engine
/// computes: that takes its randomness from the state's seed).
pub(crate) fn jitter(bound: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.finish() % bound.max(1)
}

/// Test hook (see the module documentation): kills the process at the named point of a write
/// when `SCALESET_CRASH_AT` names it. Read once per process.
pub(crate) fn crash_point(point: &str) {
    static AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if AT.get_or_init(|| std::env::var("SCALESET_CRASH_AT").ok()).as_deref() == Some(point) {
        // Die as `kill -9` makes a process die: no destructor, no flush, the lock released by
        // the kernel. Abort only if that could not be done.
        let _ = std::process::Command::new("kill").args(["-KILL", &std::process::id().to_string()]).status();
        std::process::abort();
    }
}
