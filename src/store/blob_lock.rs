//! The lock of a state kept in object storage: a lease written as a small JSON object beside the
//! state (`<state>.lock`), taken and renewed only with conditional writes.
//!
//! Protocol, which every writer follows:
//! - take: create the lock object if there is none (`If-None-Match: *`), or replace a released
//!   or expired one naming the version (ETag) that was read (`If-Match`); of two writers racing
//!   for it, exactly one wins;
//! - hold: the holder rewrites the object every third of its lease (`If-Match` again), which
//!   changes its ETag: the lease is alive while its ETag keeps changing;
//! - expire: a waiter that sees the same ETag for a whole lease, by its own monotonic clock,
//!   takes it over: a holder that died (or lost the network) loses its lease on its own,
//!   and no clocks of two machines are ever compared;
//! - release: the holder writes a released record (`If-Match`), never deletes, so a lock that
//!   was taken over is never released by its former holder.
//!
//! The lock serialises writers; it is not what keeps the state safe. Every state write is
//! conditional on the ETag that was read, so even a holder whose lease was taken over cannot
//! overwrite a newer state.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::blob::Remote;

/// The lease of a holder when `SCALESET_LOCK_LEASE` does not say otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// What the lock object holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    /// Who holds it: process, host, command, since when.
    holder: String,
    lease_milliseconds: u64,
    released: bool,
}

/// A held lock of a state in object storage; released when dropped.
pub struct BlobLock {
    remote: Arc<Remote>,
    path: ObjectPath,
    /// The lock object's version as last written by us.
    etag: Arc<Mutex<Option<String>>>,
    stop: Arc<tokio::sync::Notify>,
    renewal: Option<tokio::task::JoinHandle<()>>,
    took_over_from: Option<String>,
}

impl super::Lock for BlobLock {
    fn took_over_from(&self) -> Option<&str> {
        self.took_over_from.as_deref()
    }
}

impl Drop for BlobLock {
    fn drop(&mut self) {
        // Wakes the renewal at once (a permit is stored if it is not waiting yet), then waits
        // for it: a renewal in flight finishes, so the release names the lock's last version.
        self.stop.notify_one();
        if let Some(renewal) = self.renewal.take() {
            let _ = self.remote.runtime.block_on(renewal);
        }
        let etag = self.etag.lock().map(|e| e.clone()).unwrap_or(None);
        if let Some(etag) = etag {
            let record = Record { holder: String::new(), lease_milliseconds: 0, released: true };
            // Best effort: if this fails, the lease expires on its own.
            let _ = self.remote.runtime.block_on(put(&*self.remote.store, &self.path, &record, Some(etag)));
        }
    }
}

/// Writes `record`: creating the object (`expected` = `None`) or replacing the version read.
async fn put(
    store: &dyn ObjectStore,
    path: &ObjectPath,
    record: &Record,
    expected: Option<String>,
) -> object_store::Result<String> {
    let bytes = serde_json::to_vec(record).unwrap_or_default();
    let mode = match expected {
        None => PutMode::Create,
        Some(e_tag) => PutMode::Update(UpdateVersion { e_tag: Some(e_tag), version: None }),
    };
    let result = store.put_opts(path, PutPayload::from(bytes), PutOptions { mode, ..PutOptions::default() }).await?;
    Ok(result.e_tag.unwrap_or_default())
}

/// Takes the lock at `path`, waiting up to `timeout`; `holder` describes this process.
///
/// # Errors
/// The wait timed out (naming the holder), or the storage could not be reached.
pub fn acquire(
    remote: &Arc<Remote>,
    path: ObjectPath,
    timeout: Duration,
    lease: Duration,
    holder: &str,
) -> Result<BlobLock, StoreError> {
    let mine = Record {
        holder: holder.to_owned(),
        lease_milliseconds: u64::try_from(lease.as_millis()).unwrap_or(u64::MAX).max(100),
        released: false,
    };
    let started = Instant::now();
    // The holder's record and lock version as first seen, and when: the lease is judged by
    // how long the version stays the same.
    let mut watching: Option<(String, Instant)> = None;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let current = remote.runtime.block_on(async {
            match remote.store.get(&path).await {
                Ok(found) => {
                    let etag = found.meta.e_tag.clone().unwrap_or_default();
                    let bytes = found.bytes().await?;
                    Ok(Some((etag, bytes)))
                }
                Err(e) if super::blob::is_missing_object(&e) => Ok(None),
                Err(e) => Err(e),
            }
        });
        let current = current.map_err(|e| remote.error("read the lock of", &e))?;
        let (expected, took_over) = match current {
            None => (None, None),
            Some((etag, bytes)) => {
                let record: Option<Record> = serde_json::from_slice(&bytes).ok();
                let lease_of_holder = record
                    .as_ref()
                    .map_or(DEFAULT_LEASE, |r| Duration::from_millis(r.lease_milliseconds.clamp(100, 3_600_000)));
                let holder_named = record.as_ref().map_or_else(
                    || "an unreadable lock record".to_owned(),
                    |r| super::safe_open::shown(&r.holder, 300),
                );
                if record.as_ref().is_some_and(|r| r.released) {
                    (Some(etag), None)
                } else {
                    let first_seen = match &watching {
                        Some((seen, since)) if *seen == etag => *since,
                        _ => {
                            let now = Instant::now();
                            watching = Some((etag.clone(), now));
                            now
                        }
                    };
                    if first_seen.elapsed() >= lease_of_holder {
                        (Some(etag), Some(holder_named))
                    } else {
                        if started.elapsed() >= timeout {
                            return Err(StoreError::LockTimeout {
                                path: remote.url.clone().into(),
                                waited: timeout,
                                holder: holder_named,
                            });
                        }
                        std::thread::sleep(pause(attempt));
                        continue;
                    }
                }
            }
        };
        match remote.runtime.block_on(put(&*remote.store, &path, &mine, expected)) {
            Ok(etag) => {
                super::crash_point("locked");
                return Ok(start_renewal(remote, path, mine, etag, took_over));
            }
            // Someone else was faster: look again.
            Err(object_store::Error::Precondition { .. } | object_store::Error::AlreadyExists { .. }) => {
                if started.elapsed() >= timeout {
                    return Err(StoreError::LockTimeout {
                        path: remote.url.clone().into(),
                        waited: timeout,
                        holder: "another writer".to_owned(),
                    });
                }
                std::thread::sleep(pause(attempt));
            }
            Err(e) => return Err(remote.error("take the lock of", &e)),
        }
    }
}

/// Between two looks at a held lock: growing to a quarter second, with jitter so that waiters
/// started together do not keep colliding.
fn pause(attempt: u32) -> Duration {
    let base = Duration::from_millis(20).saturating_mul(attempt.min(12));
    let jitter = Duration::from_millis(super::jitter(100));
    base.min(Duration::from_millis(250)) + jitter
}

fn start_renewal(
    remote: &Arc<Remote>,
    path: ObjectPath,
    mine: Record,
    etag: String,
    took_over_from: Option<String>,
) -> BlobLock {
    let etag = Arc::new(Mutex::new(Some(etag)));
    let stop = Arc::new(tokio::sync::Notify::new());
    let every = Duration::from_millis(mine.lease_milliseconds).mul_f64(1.0 / 3.0);
    let renewal = {
        let (remote, path, etag, stop) = (Arc::clone(remote), path.clone(), Arc::clone(&etag), Arc::clone(&stop));
        remote.runtime.spawn({
            let store = Arc::clone(&remote.store);
            async move {
                loop {
                    if tokio::time::timeout(every, stop.notified()).await.is_ok() {
                        return;
                    }
                    let Some(current) = etag.lock().ok().and_then(|e| e.clone()) else { return };
                    match put(&*store, &path, &mine, Some(current)).await {
                        Ok(next) => {
                            if let Ok(mut e) = etag.lock() {
                                *e = Some(next);
                            }
                        }
                        // Taken over: the lease is lost; the state's own conditional write
                        // refuses a commit that would overwrite the new holder's work.
                        Err(object_store::Error::Precondition { .. }) => {
                            if let Ok(mut e) = etag.lock() {
                                *e = None;
                            }
                            return;
                        }
                        // The network may come back before the lease runs out: keep trying.
                        Err(_) => {}
                    }
                }
            }
        })
    };
    BlobLock { remote: Arc::clone(remote), path, etag, stop, renewal: Some(renewal), took_over_from }
}
