//! The state file: reading it safely, writing it atomically, locking it.
//!
//! Guarantees:
//! - a writer holds the exclusive lock for the whole read-modify-write;
//! - a write goes to a temporary file in the same directory, is fsynced, then renamed over the
//!   old file, and the directory is fsynced: readers see the old or the new file, never a mix;
//! - the previous version is kept as `<state>.backup`;
//! - a file that is unreadable, truncated, of a newer schema or not ours is refused, never
//!   overwritten.

mod lock;
mod state_file;

pub use lock::{LockGuard, acquire, lock_path};
pub use state_file::{Loaded, backup_path, read_state, write_state};

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
    #[error("state path {} is a directory; give a file path with --state", path.display())]
    IsDirectory { path: PathBuf },
}
