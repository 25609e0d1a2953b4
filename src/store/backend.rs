//! The storage trait: how commands reach the state, whatever keeps it. A backend loads the
//! state with a version token, takes an exclusive lock that names its holder, and commits a
//! new state only if the stored version is still the one loaded, keeping the previous version
//! as a backup. Today's backend is the local file ([`LocalFile`]); a remote one (blob storage)
//! plugs in beside it without touching the commands.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::model::set_summary::SetSummary;
use crate::model::state::{State, StateDoc};

use super::{Scope, StoreError};

/// Which stored version a load saw; a commit names it so that a change made meanwhile by
/// someone else is never overwritten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version(pub(crate) VersionTag);

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum VersionTag {
    /// Nothing was stored.
    Missing,
    /// The local file's identity (device, inode): every write replaces the file, so a new
    /// identity means a new version.
    File { device: u64, inode: u64 },
    /// A blob's ETag: the storage service gives every write a new one.
    Blob { etag: String },
}

/// A held lock: released when dropped (and by the storage itself if the holder dies).
pub trait Lock {
    /// A note for the user about a lock taken over from a holder that died, if any.
    fn took_over_from(&self) -> Option<&str>;
}

/// Where the state lives.
pub trait StateStore {
    /// Where, for messages (a path, a URL without secrets).
    fn describe(&self) -> String;

    /// The state as stored (`None` when there is none yet) and its version. Never waits: a
    /// reader sees the old or the new state, never a mix.
    ///
    /// # Errors
    /// Unreadable, corrupt, not ours, of a newer schema.
    fn load(&self) -> Result<(Option<State>, Version), StoreError> {
        self.load_scoped(&Scope::All)
    }

    /// [`StateStore::load`] parsing only the sets in `scope`; the others are carried through
    /// unparsed and written back as they were.
    ///
    /// # Errors
    /// As [`StateStore::load`].
    fn load_scoped(&self, scope: &Scope) -> Result<(Option<State>, Version), StoreError>;

    /// The state with every set read as a summary (`model::set_summary`), for `list`.
    ///
    /// # Errors
    /// As [`StateStore::load`].
    fn load_summaries(&self) -> Result<Option<StateDoc<Vec<SetSummary>>>, StoreError> {
        Ok(self.load()?.0.map(|state| state.map_sets(|sets| sets.iter().map(SetSummary::of).collect())))
    }

    /// Takes the exclusive lock for a read-modify-write, waiting up to `timeout`; `holder`
    /// says who holds it to anyone who has to wait.
    ///
    /// # Errors
    /// The wait timed out (naming the holder), or the lock cannot be taken.
    fn lock(&self, timeout: Duration, holder: &str) -> Result<Box<dyn Lock>, StoreError>;

    /// Stores `state` if the stored version is still `expected`, keeping the previous version
    /// as a backup. All or nothing.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the version changed; any failure to write, after which
    /// the stored state is the one before.
    fn commit(&self, expected: &Version, state: &State) -> Result<(), StoreError>;
}

/// The state as a local JSON file (see the module documentation of `store`).
#[derive(Debug, Clone)]
pub struct LocalFile {
    path: PathBuf,
}

impl LocalFile {
    #[must_use]
    pub fn new(path: &Path) -> Self {
        Self { path: path.to_path_buf() }
    }

    /// The identity of the file now.
    fn version(&self) -> Result<Version, StoreError> {
        match std::fs::metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Version(VersionTag::Missing)),
            Err(error) => Err(StoreError::Io { path: self.path.clone(), action: "read", error }),
            Ok(meta) => Ok(Version(file_tag(&meta))),
        }
    }
}

#[cfg(unix)]
fn file_tag(meta: &std::fs::Metadata) -> VersionTag {
    use std::os::unix::fs::MetadataExt;
    VersionTag::File { device: meta.dev(), inode: meta.ino() }
}

#[cfg(not(unix))]
fn file_tag(meta: &std::fs::Metadata) -> VersionTag {
    // No inode: the modification time and size stand in for it.
    let nanos =
        meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    VersionTag::File { device: meta.len(), inode: u64::try_from(nanos % u128::from(u64::MAX)).unwrap_or(0) }
}

impl Lock for super::LockGuard {
    fn took_over_from(&self) -> Option<&str> {
        self.took_over_from.as_deref()
    }
}

impl StateStore for LocalFile {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn load_scoped(&self, scope: &Scope) -> Result<(Option<State>, Version), StoreError> {
        // The identity first: a write between the two makes the version older than the
        // content, so a commit against it fails safe (Conflict) rather than losing the write.
        let version = self.version()?;
        match super::read_state_scoped(&self.path, scope)? {
            super::Loaded::Missing => Ok((None, Version(VersionTag::Missing))),
            super::Loaded::Present(state) => Ok((Some(state), version)),
        }
    }

    fn load_summaries(&self) -> Result<Option<StateDoc<Vec<SetSummary>>>, StoreError> {
        super::read_summaries(&self.path)
    }

    fn lock(&self, timeout: Duration, holder: &str) -> Result<Box<dyn Lock>, StoreError> {
        Ok(Box::new(super::acquire(&self.path, timeout, holder)?))
    }

    fn commit(&self, expected: &Version, state: &State) -> Result<(), StoreError> {
        let now = self.version()?;
        if now != *expected {
            return Err(StoreError::Conflict { path: self.path.clone() });
        }
        super::write_state(&self.path, state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_against_a_version_someone_else_replaced_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFile::new(&dir.path().join("s.json"));
        let (nothing, missing) = store.load().unwrap();
        assert!(nothing.is_none());
        let state = State::new(1, jiff::Timestamp::UNIX_EPOCH);
        store.commit(&missing, &state).unwrap();
        let (loaded, first) = store.load().unwrap();
        assert_eq!(loaded.as_ref(), Some(&state));
        // Someone else commits meanwhile.
        let mut theirs = state.clone();
        theirs.serial = 1;
        store.commit(&first, &theirs).unwrap();
        // Ours, against the version we loaded, is refused; theirs stays.
        let mut ours = state.clone();
        ours.serial = 7;
        assert!(matches!(store.commit(&first, &ours), Err(StoreError::Conflict { .. })));
        assert!(matches!(store.commit(&missing, &ours), Err(StoreError::Conflict { .. })));
        assert_eq!(store.load().unwrap().0.unwrap().serial, 1);
    }
}
