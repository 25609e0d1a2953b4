//! The state as a blob in object storage (Azure Blob Storage, or S3): the same guarantees as
//! the local file, through the same trait, with the storage service's own conditional requests.
//!
//! Guarantees:
//! - a load is one GET: the state and its ETag, never a mix of two versions; readers never wait;
//! - a commit writes only if the blob still has the ETag that was loaded (`If-Match`; a first
//!   state only if there is none: `If-None-Match: *`): a write made meanwhile by someone else
//!   is never overwritten, and a block blob is replaced whole or not at all;
//! - once a commit has replaced a version, that version (the bytes loaded) is written to
//!   `<state>.backup`; a refused commit writes nothing at all;
//! - a blob that is corrupt, not ours or of a newer schema is refused and never overwritten;
//! - writers are serialised by the lease in [`super::blob_lock`];
//! - nothing is reached over the network until a command needs the state, and the async
//!   runtime stays inside this module;
//! - messages name the `az://` or `s3://` URL, never a key or signature.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};

use super::backend::{Lock, StateStore, Version, VersionTag};
use super::location::{AwsAccess, AzureAccess, AzureAuth, BlobUrl, S3Url};
use super::{StoreError, blob_lock};
use crate::model::set_summary::SetSummary;
use crate::model::state::{State, StateDoc};

/// The most a state blob may weigh (a 100,000-VM state is about 40 MB).
const MAX_STATE_BYTES: u64 = 1 << 30;

/// A connected object store and the runtime its requests run on.
pub struct Remote {
    /// The state's URL, for messages.
    pub url: String,
    pub store: Arc<dyn ObjectStore>,
    pub runtime: tokio::runtime::Runtime,
}

impl Remote {
    /// A storage failure as the user should read it: the action, the URL, the cause in words,
    /// no secret.
    pub fn error(&self, action: &'static str, e: &object_store::Error) -> StoreError {
        let reason = match e {
            object_store::Error::Unauthenticated { .. } | object_store::Error::PermissionDenied { .. } => {
                "the storage service refused the credentials (check the account key or SAS, its permissions and \
                 expiry)"
                    .to_owned()
            }
            other => {
                let text = super::location::redact(&other.to_string());
                if text.contains("ContainerNotFound") {
                    "the container does not exist: create it first (az storage container create)".to_owned()
                } else if text.contains("NoSuchBucket") {
                    "the bucket does not exist: create it first (aws s3 mb)".to_owned()
                } else if text.contains("AuthenticationFailed")
                    || text.contains("AuthorizationFailure")
                    || text.contains("SignatureDoesNotMatch")
                    || text.contains("InvalidAccessKeyId")
                    || text.contains("AccessDenied")
                {
                    "the storage service refused the credentials (check the account key or SAS, its permissions \
                     and expiry)"
                        .to_owned()
                } else if text.contains("error sending request") || text.contains("Connection refused") {
                    format!("the storage service did not answer (check the endpoint and the network): {text}")
                } else {
                    service_reason(&text)
                }
            }
        };
        StoreError::Remote { url: self.url.clone(), action, reason }
    }
}

/// A blob that does not exist (a new state), as opposed to a container or bucket that does
/// not: that is a mistake in the URL or the setup, never "no state yet".
pub fn is_missing_object(e: &object_store::Error) -> bool {
    if let object_store::Error::NotFound { .. } = e {
        let text = e.to_string();
        !(text.contains("ContainerNotFound") || text.contains("NoSuchBucket"))
    } else {
        false
    }
}

/// The storage service's own error code and first line of its message, when its answer has
/// them, instead of the whole XML body.
fn service_reason(text: &str) -> String {
    let between = |open: &str, close: &str| {
        let start = text.find(open)? + open.len();
        let end = text[start..].find(close)? + start;
        Some(text[start..end].trim().to_owned())
    };
    match between("<Code>", "</Code>") {
        Some(code) => {
            let message = between("<Message>", "</Message>").unwrap_or_default();
            let first = message.lines().next().unwrap_or_default();
            let status = text.find("status code: ").map(|at| {
                let rest = &text[at + 13..];
                rest[..rest.find(':').unwrap_or(rest.len())].to_owned()
            });
            format!("the service answered {}{code}: {first}", status.map(|s| format!("{s} ")).unwrap_or_default())
        }
        None => text.to_owned(),
    }
}

/// How a blob store is reached: built on first use.
enum Connect {
    Azure {
        url: BlobUrl,
        access: Result<AzureAccess, String>,
    },
    S3 {
        url: S3Url,
        access: Result<AwsAccess, String>,
    },
    #[cfg(test)]
    Given(Arc<dyn ObjectStore>),
}

/// The state kept in a blob.
pub struct BlobState {
    url: String,
    path: ObjectPath,
    backup: ObjectPath,
    lock: ObjectPath,
    lease: Duration,
    connect: Connect,
    remote: OnceLock<Arc<Remote>>,
    /// The bytes and ETag of the last load: the backup of a commit that replaces them.
    loaded: std::sync::Mutex<Option<(String, Vec<u8>)>>,
}

impl BlobState {
    /// The state at `url` in Azure Blob Storage, with the credentials from the environment
    /// (checked when first used). `lease` is how long a lock outlives a holder that stopped
    /// renewing it.
    #[must_use]
    pub fn azure(url: &BlobUrl, lease: Duration) -> Self {
        let access = super::location::azure_access(url, |name| std::env::var(name).ok()).map_err(|e| e.to_string());
        Self::new(url.to_string(), &url.blob, lease, Connect::Azure { url: url.clone(), access })
    }

    /// The state at `url` in S3 (or a service speaking its API), with the credentials from the
    /// environment (checked when first used).
    #[must_use]
    pub fn s3(url: &S3Url, lease: Duration) -> Self {
        let access = super::location::aws_access(url, |name| std::env::var(name).ok()).map_err(|e| e.to_string());
        Self::new(url.to_string(), &url.key, lease, Connect::S3 { url: url.clone(), access })
    }

    #[cfg(test)]
    pub(crate) fn in_memory(store: Arc<dyn ObjectStore>, lease: Duration) -> Self {
        Self::new("memory://test/state.json".to_owned(), "state.json", lease, Connect::Given(store))
    }

    fn new(url: String, blob: &str, lease: Duration, connect: Connect) -> Self {
        Self {
            url,
            path: ObjectPath::from(blob),
            backup: ObjectPath::from(format!("{blob}.backup")),
            lock: ObjectPath::from(format!("{blob}.lock")),
            lease,
            connect,
            remote: OnceLock::new(),
            loaded: std::sync::Mutex::new(None),
        }
    }

    fn remote(&self) -> Result<&Arc<Remote>, StoreError> {
        if let Some(remote) = self.remote.get() {
            return Ok(remote);
        }
        let config = |reason: String| StoreError::RemoteConfig { url: self.url.clone(), reason };
        let built = |e: object_store::Error| config(super::location::redact(&e.to_string()));
        let store: Arc<dyn ObjectStore> = match &self.connect {
            Connect::Azure { url, access } => {
                let access = access.clone().map_err(|reason| config(strip_url(&reason)))?;
                Arc::new(azure_client(url, &access).map_err(built)?)
            }
            Connect::S3 { url, access } => {
                let access = access.clone().map_err(|reason| config(strip_url(&reason)))?;
                Arc::new(s3_client(url, &access).map_err(built)?)
            }
            #[cfg(test)]
            Connect::Given(store) => Arc::clone(store),
        };
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().map_err(|error| {
                StoreError::Remote { url: self.url.clone(), action: "start", reason: error.to_string() }
            })?;
        let _ = self.remote.set(Arc::new(Remote { url: self.url.clone(), store, runtime }));
        Ok(self.remote.get().expect("set above"))
    }

    /// The blob's bytes and ETag, or `None`.
    fn get(&self, remote: &Remote) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        remote
            .runtime
            .block_on(async {
                match remote.store.get(&self.path).await {
                    Ok(found) => {
                        if found.meta.size > MAX_STATE_BYTES {
                            return Ok(Err(found.meta.size));
                        }
                        let etag = found.meta.e_tag.clone().unwrap_or_default();
                        Ok(Ok(Some((found.bytes().await?.to_vec(), etag))))
                    }
                    Err(e) if is_missing_object(&e) => Ok(Ok(None)),
                    Err(e) => Err(e),
                }
            })
            .map_err(|e| remote.error("read", &e))?
            .map_err(|size| StoreError::Remote {
                url: self.url.clone(),
                action: "read",
                reason: format!("the blob is {size} bytes, more than a state may be (1 GiB); it was left untouched"),
            })
    }

    /// Refuses to replace a backup that belongs to another state than the version it would be
    /// replaced with (another lineage): it may be the only copy of that other state. As the
    /// local file does; only the first 64 KiB of the backup are read.
    fn check_backup_lineage(&self, remote: &Remote, replaced: &[u8]) -> Result<(), StoreError> {
        let head = remote.runtime.block_on(async {
            let meta = match remote.store.head(&self.backup).await {
                Ok(meta) => meta,
                Err(e) if is_missing_object(&e) => return Ok(None),
                Err(e) => return Err(e),
            };
            let end = meta.size.min(1 << 16);
            remote.store.get_range(&self.backup, 0..end).await.map(Some)
        });
        let head = head.map_err(|e| remote.error("read the backup of", &e))?;
        let (Some(head), Some(lineage)) = (head, super::state_file::lineage_in(replaced)) else { return Ok(()) };
        match super::state_file::lineage_in(&head) {
            Some(backup_lineage) if backup_lineage != lineage => Err(StoreError::LineageMismatch {
                path: self.url.clone().into(),
                lineage,
                backup: format!("{}.backup", self.url).into(),
                backup_lineage,
            }),
            _ => Ok(()),
        }
    }
}

/// The `BadLocation` message already names the URL: keep only the reason.
fn strip_url(reason: &str) -> String {
    reason.split_once(": ").map_or(reason, |(_, r)| r).to_owned()
}

fn azure_client(url: &BlobUrl, access: &AzureAccess) -> object_store::Result<object_store::azure::MicrosoftAzure> {
    use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
    let mut builder = MicrosoftAzureBuilder::new()
        .with_account(&url.account)
        .with_container_name(&url.container)
        .with_retry(retry())
        .with_client_options(client_options(access.endpoint.as_deref()));
    if let Some(endpoint) = &access.endpoint {
        builder = builder.with_endpoint(endpoint.clone());
    }
    builder = match &access.auth {
        AzureAuth::AccountKey(key) => builder.with_access_key(key),
        AzureAuth::Sas(sas) => builder.with_config(AzureConfigKey::SasKey, sas),
    };
    builder.build()
}

/// Bounded retries and timeouts: a service that is down gives a clear error in seconds.
fn retry() -> object_store::RetryConfig {
    object_store::RetryConfig {
        backoff: object_store::BackoffConfig::default(),
        max_retries: 2,
        retry_timeout: Duration::from_secs(20),
    }
}

fn client_options(endpoint: Option<&str>) -> object_store::ClientOptions {
    object_store::ClientOptions::new()
        .with_connect_timeout(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(60))
        .with_allow_http(endpoint.is_some_and(|e| e.starts_with("http://")))
}

fn s3_client(url: &S3Url, access: &AwsAccess) -> object_store::Result<object_store::aws::AmazonS3> {
    use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(&url.bucket)
        .with_region(&access.region)
        .with_access_key_id(&access.access_key_id)
        .with_secret_access_key(&access.secret_access_key)
        // If-Match / If-None-Match on PUT, which S3 has supported since 2024.
        .with_conditional_put(S3ConditionalPut::ETagMatch)
        .with_retry(retry())
        .with_client_options(client_options(access.endpoint.as_deref()));
    if let Some(token) = &access.session_token {
        builder = builder.with_token(token);
    }
    if let Some(endpoint) = &access.endpoint {
        // Another S3 service: path-style requests, as most of them expect.
        builder = builder.with_endpoint(endpoint).with_virtual_hosted_style_request(false);
    }
    builder.build()
}

impl BlobState {
    /// A corrupt blob's message points at its backup blob.
    fn backup_hint(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Corrupt { path, reason, .. } => StoreError::Corrupt {
                path,
                reason,
                hint: format!(" (the previous version, if any, is in {}.backup)", self.url),
            },
            other => other,
        }
    }
}

impl StateStore for BlobState {
    fn describe(&self) -> String {
        self.url.clone()
    }

    fn load_scoped(&self, scope: &super::Scope) -> Result<(Option<State>, Version), StoreError> {
        let remote = self.remote()?;
        let Some((bytes, etag)) = self.get(remote)? else {
            return Ok((None, Version(VersionTag::Missing)));
        };
        let state = super::parse_state_scoped(std::path::Path::new(&self.url), &bytes, scope)
            .map_err(|e| self.backup_hint(e))?;
        if let Ok(mut loaded) = self.loaded.lock() {
            *loaded = Some((etag.clone(), bytes));
        }
        Ok((Some(state), Version(VersionTag::Blob { etag })))
    }

    fn load_summaries(&self) -> Result<Option<StateDoc<Vec<SetSummary>>>, StoreError> {
        let remote = self.remote()?;
        let Some((bytes, _)) = self.get(remote)? else { return Ok(None) };
        super::parse_summaries(std::path::Path::new(&self.url), &bytes).map(Some).map_err(|e| self.backup_hint(e))
    }

    fn lock(&self, timeout: Duration, holder: &str) -> Result<Box<dyn Lock>, StoreError> {
        let remote = self.remote()?;
        let holder = format!(
            "pid {} on {} ({holder}) since {}",
            std::process::id(),
            host_name(),
            jiff::Timestamp::now().round(jiff::Unit::Second).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        );
        Ok(Box::new(blob_lock::acquire(remote, self.lock.clone(), timeout, self.lease, &holder)?))
    }

    fn commit(&self, expected: &Version, state: &State) -> Result<(), StoreError> {
        let remote = self.remote()?;
        let mut bytes = super::indexed::to_bytes(state).map_err(|e| StoreError::Remote {
            url: self.url.clone(),
            action: "write",
            reason: e.to_string(),
        })?;
        bytes.push(b'\n');
        let (mode, replaced) = match &expected.0 {
            VersionTag::Missing => (PutMode::Create, None),
            VersionTag::Blob { etag } => {
                let replaced = self
                    .loaded
                    .lock()
                    .ok()
                    .and_then(|mut l| l.take())
                    .filter(|(loaded, _)| loaded == etag)
                    .map(|(_, bytes)| bytes);
                if let Some(bytes) = &replaced {
                    self.check_backup_lineage(remote, bytes)?;
                }
                (PutMode::Update(UpdateVersion { e_tag: Some(etag.clone()), version: None }), replaced)
            }
            VersionTag::File { .. } => return Err(StoreError::Conflict { path: self.url.clone().into() }),
        };
        let put =
            remote.store.put_opts(&self.path, PutPayload::from(bytes), PutOptions { mode, ..PutOptions::default() });
        match remote.runtime.block_on(put) {
            Ok(_) => {}
            Err(object_store::Error::Precondition { .. } | object_store::Error::AlreadyExists { .. }) => {
                return Err(StoreError::Conflict { path: self.url.clone().into() });
            }
            Err(e) => return Err(remote.error("write", &e)),
        }
        super::crash_point("replaced");
        // The version just replaced becomes the backup. The new state is committed already: a
        // failure here only leaves the backup one version older, which is said, not fatal.
        if let Some(previous) = replaced
            && let Err(e) = remote.runtime.block_on(remote.store.put(&self.backup, PutPayload::from(previous)))
        {
            eprintln!(
                "warning: the state was written, but its backup {}.backup was not: {}",
                self.url,
                remote.error("write", &e)
            );
        }
        super::crash_point("backup-written");
        Ok(())
    }
}

/// This machine's name, for the lock's holder record.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unnamed host".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    fn store() -> (Arc<dyn ObjectStore>, BlobState) {
        let memory: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let state = BlobState::in_memory(Arc::clone(&memory), Duration::from_secs(1));
        (memory, state)
    }

    #[test]
    fn commits_are_conditional_on_the_version_loaded_and_keep_a_backup() {
        let (memory, blob) = store();
        let (nothing, missing) = blob.load().unwrap();
        assert!(nothing.is_none());
        let state = State::new(1, jiff::Timestamp::UNIX_EPOCH);
        blob.commit(&missing, &state).unwrap();
        assert!(matches!(blob.commit(&missing, &state), Err(StoreError::Conflict { .. })), "a second first write");
        let (loaded, first) = blob.load().unwrap();
        assert_eq!(loaded.as_ref(), Some(&state));
        let mut theirs = state.clone();
        theirs.serial = 1;
        blob.commit(&first, &theirs).unwrap();
        let mut ours = state.clone();
        ours.serial = 7;
        assert!(matches!(blob.commit(&first, &ours), Err(StoreError::Conflict { .. })));
        assert_eq!(blob.load().unwrap().0.unwrap().serial, 1);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let backup = rt.block_on(async { memory.get(&ObjectPath::from("state.json.backup")).await?.bytes().await });
        let backup: State = serde_json::from_slice(&backup.unwrap()).unwrap();
        assert_eq!(backup.serial, 0, "the version replaced is kept, and the refused commit wrote nothing");
    }

    #[test]
    fn a_backup_of_another_state_is_never_overwritten() {
        let (memory, blob) = store();
        let (_, missing) = blob.load().unwrap();
        let ours = State::new(1, jiff::Timestamp::UNIX_EPOCH);
        blob.commit(&missing, &ours).unwrap();
        // The backup slot holds another state's copy (another lineage).
        let other = State::new(2, jiff::Timestamp::from_second(86_400).unwrap());
        assert_ne!(other.lineage, ours.lineage);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let other_bytes = serde_json::to_vec(&other).unwrap();
        rt.block_on(memory.put(&ObjectPath::from("state.json.backup"), PutPayload::from(other_bytes.clone()))).unwrap();
        let (_, version) = blob.load().unwrap();
        let mut next = ours.clone();
        next.serial = 1;
        let err = blob.commit(&version, &next).unwrap_err();
        assert!(matches!(err, StoreError::LineageMismatch { .. }), "{err}");
        assert_eq!(blob.load().unwrap().0.unwrap().serial, 0, "nothing was written");
        let backup = rt.block_on(async { memory.get(&ObjectPath::from("state.json.backup")).await?.bytes().await });
        assert_eq!(backup.unwrap().to_vec(), other_bytes);
    }

    #[test]
    fn a_corrupt_blob_is_refused_and_named_by_its_url() {
        let (memory, blob) = store();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(memory.put(&ObjectPath::from("state.json"), PutPayload::from_static(b"{\"format\": 3"))).unwrap();
        let err = blob.load().unwrap_err().to_string();
        assert!(err.contains("memory://test/state.json") && err.contains("backup"), "{err}");
    }

    #[test]
    fn a_lock_is_exclusive_names_its_holder_and_is_released_on_drop() {
        let (_memory, blob) = store();
        let held = blob.lock(Duration::from_secs(1), "scaleset scale web --by 1").unwrap();
        assert!(held.took_over_from().is_none());
        let err = blob.lock(Duration::from_millis(300), "second").err().unwrap().to_string();
        assert!(err.contains("scale web --by 1") && err.contains("pid"), "{err}");
        drop(held);
        let again = blob.lock(Duration::from_millis(300), "third").unwrap();
        assert!(again.took_over_from().is_none(), "a released lock is no takeover");
    }

    #[test]
    fn a_lease_nobody_renews_expires_and_is_taken_over_with_a_note() {
        let (memory, blob) = store();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let record = br#"{"holder":"pid 1 on elsewhere (scaleset apply)","leaseMilliseconds":1000,"released":false}"#;
        rt.block_on(memory.put(&ObjectPath::from("state.json.lock"), PutPayload::from_static(record))).unwrap();
        let started = std::time::Instant::now();
        let lock = blob.lock(Duration::from_secs(10), "me").unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1), "the lease runs its course first");
        assert!(lock.took_over_from().unwrap().contains("elsewhere"));
    }

    #[test]
    fn a_live_holder_keeps_its_lease_beyond_its_length_by_renewing_it() {
        let (_memory, blob) = store();
        let held = blob.lock(Duration::from_secs(1), "long runner").unwrap();
        let err = blob.lock(Duration::from_millis(2500), "waiter").err().unwrap().to_string();
        assert!(err.contains("long runner"), "{err}");
        drop(held);
    }
}
