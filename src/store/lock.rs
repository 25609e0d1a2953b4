//! The exclusive lock that serialises writers of one state file.
//!
//! A sidecar file `<state>.lock` is locked with the operating system's advisory lock
//! (`flock`), which the kernel releases when the holder exits, however it exits: a killed
//! process never leaves the state locked. While held, the file names its holder (process ID,
//! command, since when), so a waiter that gives up can say who holds it. A holder record left
//! behind by a dead process is reported when the lock is taken over.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::StoreError;

/// A held lock; released on drop.
#[derive(Debug)]
pub struct LockGuard {
    file: File,
    /// A note for the user about a lock taken over from a dead holder.
    pub took_over_from: Option<String>,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Clear the holder record so the next holder does not mistake it for a dead holder.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// Path of the lock file for a state file.
#[must_use]
pub fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(".lock");
    state.with_file_name(name)
}

/// Takes the lock of the state at `state` (a symbolic link is followed), waiting up to `timeout`.
///
/// # Errors
/// The lock file cannot be opened, or the wait timed out (the error names the holder).
pub fn acquire(state: &Path, timeout: Duration, command: &str) -> Result<LockGuard, StoreError> {
    if state.is_dir() {
        return Err(StoreError::IsDirectory { path: state.to_path_buf() });
    }
    // Beside the file itself: a link and its target must share one lock.
    let path = lock_path(&super::resolve(state));
    // Never through a symbolic link, never a pipe or a device: only our own record is ever
    // truncated.
    let file = super::safe_open::open_regular(&path, true, true, true).map_err(|e| StoreError::Io {
        path: path.clone(),
        action: "open the lock file",
        error: e,
    })?;
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                if started.elapsed() >= timeout {
                    let holder = read_settled_holder(&file).unwrap_or_else(|| "another process".to_owned());
                    return Err(StoreError::LockTimeout { path: state.to_path_buf(), waited: timeout, holder });
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(25));
            }
            Err(TryLockError::Error(e)) => {
                return Err(StoreError::Io { path, action: "lock", error: e });
            }
        }
    }
    let mut guard = LockGuard { file, took_over_from: None };
    if let Some(previous) = read_holder(&guard.file) {
        guard.took_over_from = Some(previous);
    }
    // The newline ends a whole record: a waiter reading while it is written can tell.
    let record = format!(
        "pid {} ({command}) since {}\n",
        std::process::id(),
        jiff::Timestamp::now().round(jiff::Unit::Second).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    );
    let _ = guard.file.set_len(0);
    let _ = guard.file.seek(SeekFrom::Start(0));
    let _ = guard.file.write_all(record.as_bytes());
    super::crash_point("locked");
    Ok(guard)
}

/// The holder record in the lock file, as far as it can be shown: at most 4 KiB read, 300
/// characters shown, control characters escaped (anyone who can write the directory can write
/// the file).
fn read_holder(file: &File) -> Option<String> {
    let (text, _) = read_record(file)?;
    (!text.is_empty()).then_some(text)
}

/// [`read_holder`] for a waiter, whose holder may be writing its record right now: a record
/// without its closing newline is read again after a moment (a record written by hand, or by
/// an older version, has none and is then shown as it is).
fn read_settled_holder(file: &File) -> Option<String> {
    match read_record(file) {
        Some((text, true)) => (!text.is_empty()).then_some(text),
        _ => {
            std::thread::sleep(Duration::from_millis(20));
            read_holder(file)
        }
    }
}

/// The record shown (without its newline), and whether it ended with one.
fn read_record(mut file: &File) -> Option<(String, bool)> {
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut bytes = Vec::new();
    file.take(4096).read_to_end(&mut bytes).ok()?;
    let whole = bytes.last() == Some(&b'\n');
    let text = String::from_utf8_lossy(&bytes);
    Some((super::safe_open::shown(text.trim_end_matches('\n'), 300), whole))
}
