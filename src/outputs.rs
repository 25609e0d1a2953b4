//! Files a command writes besides the state (`--svg`, `--timeline`): checked before any work,
//! written to a temporary file beside the target before the state is committed, and renamed
//! into place only after it is.
//!
//! Guarantees:
//! - an output that is, or resolves (through symbolic links, or as a hard link to the same
//!   file) to, the state, its lock, its backup or the definition is refused before anything
//!   happens: nothing a user points an output at can touch the state;
//! - an output that exists and is not a regular file (a device such as `/dev/full`, a pipe, a
//!   directory) or is read-only, or whose directory does not exist, is refused up front;
//! - a failure to write an output happens before the commit, so a failed command changes
//!   nothing; a temporary file is removed when it is not published.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::exit::UsageError;

/// A file that outputs must never touch, and what it is, for the message.
pub struct Protected {
    pub path: PathBuf,
    pub what: &'static str,
}

/// The resolved path (symbolic links followed, the directory made absolute) and, when the
/// file exists, its identity.
fn identity(path: &Path) -> (PathBuf, Option<(u64, u64)>) {
    let target = crate::store::resolve(path);
    let absolute = match (target.parent(), target.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            fs::canonicalize(dir).map_or_else(|_| target.clone(), |d| d.join(name))
        }
        _ => target.clone(),
    };
    (absolute, fs::metadata(&target).ok().map(|m| file_id(&m)))
}

#[cfg(unix)]
fn file_id(meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(_meta: &fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Checks that `path`, given with `flag`, may be written as an output.
///
/// # Errors
/// A usage error naming the flag, the path and why it is refused.
pub fn check(path: &Path, flag: &str, protected: &[Protected]) -> Result<(), UsageError> {
    let refuse = |why: String| Err(UsageError(format!("{flag} {}: {why}; nothing was done", path.display())));
    let (resolved, id) = identity(path);
    for p in protected {
        let (their_path, their_id) = identity(&p.path);
        let same_file = id.is_some() && id == their_id;
        if resolved == their_path || same_file {
            return refuse(format!("it is {} ({}); give another file", p.what, p.path.display()));
        }
    }
    match fs::metadata(&resolved) {
        Ok(meta) if !meta.is_file() => {
            return refuse("it exists and is not a regular file (a directory, a device or a pipe)".into());
        }
        Ok(meta) if meta.permissions().readonly() => return refuse("it exists and is read-only".into()),
        _ => {}
    }
    match resolved.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            refuse(format!("the directory {} does not exist", dir.display()))
        }
        _ => Ok(()),
    }
}

/// An output written to a temporary file beside its target, waiting to be published.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    target: PathBuf,
    shown: PathBuf,
    published: bool,
}

/// Writes `bytes` to a temporary file beside `path` (a symbolic link is followed to its target).
///
/// # Errors
/// The temporary file cannot be created, written or synced; nothing is left behind.
pub fn stage(path: &Path, bytes: &[u8]) -> std::io::Result<Staged> {
    let (staged, mut file) = create(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(staged)
}

/// Creates the temporary file beside `path`, for an output written as it is produced (a
/// timeline streamed row by row). The caller writes and syncs the file, then publishes.
///
/// # Errors
/// The temporary file cannot be created.
pub fn create(path: &Path) -> std::io::Result<(Staged, File)> {
    let target = crate::store::resolve(path);
    let name = target.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(&name);
    tmp_name.push(format!(".tmp.{}", std::process::id()));
    let tmp = target.with_file_name(tmp_name);
    let file = open_new(&tmp)?;
    Ok((Staged { tmp, target, shown: path.to_path_buf(), published: false }, file))
}

/// Creates a new file: `create_new` (O_EXCL) never follows a symbolic link nor opens an
/// existing file.
fn open_new(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

impl Staged {
    /// Renames the temporary file over the target.
    ///
    /// # Errors
    /// The rename failed; the temporary file is removed.
    pub fn publish(mut self) -> std::io::Result<PathBuf> {
        fs::rename(&self.tmp, &self.target)?;
        self.published = true;
        Ok(self.shown.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
