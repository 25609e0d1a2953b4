//! Where the state lives, from the `--state` value: a local path, a blob in Azure Storage
//! named `az://ACCOUNT/CONTAINER/PATH`, or an object in S3 named `s3://BUCKET/KEY`, reached
//! with the credentials users already keep in their environment (the variables `az storage`
//! and the AWS CLI read).
//!
//! Guarantees: parsing does no I/O; a value that looks like a URL of another kind is refused
//! (never taken for a local file name); secrets never appear in a message.

use std::fmt;
use std::path::{Path, PathBuf};

use super::StoreError;

/// The account, key and endpoint of Azurite, the storage emulator, as Azure documents them.
pub const EMULATOR_ACCOUNT: &str = "devstoreaccount1";
pub const EMULATOR_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const EMULATOR_BLOB_ENDPOINT: &str = "http://127.0.0.1:10000/devstoreaccount1";

/// A `--state` value, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Local(PathBuf),
    AzureBlob(BlobUrl),
    S3(S3Url),
}

/// `s3://BUCKET/KEY`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub key: String,
}

impl fmt::Display for S3Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// `az://ACCOUNT/CONTAINER/PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobUrl {
    pub account: String,
    pub container: String,
    /// The blob's name inside the container (may contain `/`).
    pub blob: String,
}

impl fmt::Display for BlobUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "az://{}/{}/{}", self.account, self.container, self.blob)
    }
}

const ACCEPTED: &str =
    "a file path, az://ACCOUNT/CONTAINER/PATH for a blob in Azure Storage, or s3://BUCKET/KEY for an object in S3";

impl Location {
    /// Parses a `--state` value.
    ///
    /// # Errors
    /// A URL that is not a well-formed `az://` URL (an `s3://`, `https://` or malformed one).
    pub fn parse(raw: &Path) -> Result<Self, StoreError> {
        let Some(text) = raw.to_str() else { return Ok(Self::Local(raw.to_path_buf())) };
        let bad = |reason: String| StoreError::BadLocation { given: text.to_owned(), reason };
        let Some((scheme, rest)) = text.split_once("://") else { return Ok(Self::Local(raw.to_path_buf())) };
        match scheme.to_ascii_lowercase().as_str() {
            "az" | "azure" => {}
            "s3" => return parse_s3(rest).map(Self::S3).map_err(bad),
            "https" | "http" => {
                return Err(bad(format!(
                    "give a blob as az://ACCOUNT/CONTAINER/PATH (the endpoint comes from \
                     AZURE_STORAGE_CONNECTION_STRING); accepted: {ACCEPTED}"
                )));
            }
            other => return Err(bad(format!("the scheme '{other}://' is not known; accepted: {ACCEPTED}"))),
        }
        let mut parts = rest.splitn(3, '/');
        let account = parts.next().unwrap_or_default();
        let container = parts.next().unwrap_or_default();
        let blob = parts.next().unwrap_or_default();
        if !is_account_name(account) {
            return Err(bad(format!(
                "'{account}' is not a storage account name (3 to 24 lowercase letters and digits); accepted: {ACCEPTED}"
            )));
        }
        let container_ok = (3..=63).contains(&container.len())
            && container.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !container.starts_with('-')
            && !container.ends_with('-')
            && !container.contains("--");
        if !container_ok {
            return Err(bad(format!(
                "'{container}' is not a container name (3 to 63 lowercase letters, digits and single hyphens); \
                 accepted: {ACCEPTED}"
            )));
        }
        object_name(blob).map_err(bad)?;
        Ok(Self::AzureBlob(BlobUrl {
            account: account.to_owned(),
            container: container.to_owned(),
            blob: blob.to_owned(),
        }))
    }
}

/// A storage account name: 3 to 24 lowercase letters and digits.
fn is_account_name(name: &str) -> bool {
    (3..=24).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A blob or object name: a path such as `team/scalesets.state.json`.
fn object_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.ends_with('/') || name.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err(format!(
            "'{name}' is not an object name (a path such as team/scalesets.state.json, without empty, '.' or '..' \
             parts); accepted: {ACCEPTED}"
        ));
    }
    if name.len() > 1024 {
        return Err("the object name is longer than 1,024 characters".to_owned());
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(format!("the object name has a control character ({}); accepted: {ACCEPTED}", c.escape_unicode()));
    }
    Ok(())
}

/// `BUCKET/KEY` after `s3://`.
fn parse_s3(rest: &str) -> Result<S3Url, String> {
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && bucket.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bucket.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
        && !bucket.contains("..");
    if !bucket_ok {
        return Err(format!(
            "'{bucket}' is not a bucket name (3 to 63 lowercase letters, digits, hyphens and dots); accepted: {ACCEPTED}"
        ));
    }
    object_name(key)?;
    Ok(S3Url { bucket: bucket.to_owned(), key: key.to_owned() })
}

/// How to reach and sign requests to S3 (or a service that speaks its API).
#[derive(Clone, PartialEq, Eq)]
pub struct AwsAccess {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    pub region: String,
    /// `None`: AWS's own endpoint for the region.
    pub endpoint: Option<String>,
}

impl fmt::Debug for AwsAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AwsAccess {{ key id: {}, region: {}, endpoint: {:?} }}",
            self.access_key_id, self.region, self.endpoint
        )
    }
}

/// The credentials for `url` from the variables the AWS CLI reads: `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` (or `AWS_DEFAULT_REGION`, else
/// us-east-1), `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` for another S3 service.
///
/// # Errors
/// No key, or an endpoint that is not an http(s) URL.
pub fn aws_access(url: &S3Url, env: impl Fn(&str) -> Option<String>) -> Result<AwsAccess, StoreError> {
    let bad = |reason: String| StoreError::RemoteConfig { url: url.to_string(), reason };
    let get = |name: &str| env(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (Some(access_key_id), Some(secret_access_key)) = (get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY"))
    else {
        return Err(bad(
            "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary \
             ones); profiles and instance roles are not read"
                .to_owned(),
        ));
    };
    let endpoint =
        get("AWS_ENDPOINT_URL_S3").or_else(|| get("AWS_ENDPOINT_URL")).map(|e| e.trim_end_matches('/').to_owned());
    if let Some(e) = &endpoint
        && !(e.starts_with("https://") || e.starts_with("http://"))
    {
        return Err(bad(format!("the endpoint '{}' is not an http:// or https:// URL", first_chars(e))));
    }
    Ok(AwsAccess {
        access_key_id,
        secret_access_key,
        session_token: get("AWS_SESSION_TOKEN"),
        region: get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION")).unwrap_or_else(|| "us-east-1".to_owned()),
        endpoint,
    })
}

/// How to reach and sign requests to one storage account.
#[derive(Clone, PartialEq, Eq)]
pub struct AzureAccess {
    /// `None`: Azure's public endpoint for the account.
    pub endpoint: Option<String>,
    pub auth: AzureAuth,
    /// Which variable the credentials came from, for messages.
    pub from: &'static str,
}

#[derive(Clone, PartialEq, Eq)]
pub enum AzureAuth {
    AccountKey(String),
    /// A shared access signature, without the leading `?`.
    Sas(String),
}

// Never print a secret, even in a debug dump.
impl fmt::Debug for AzureAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AzureAuth::AccountKey(_) => "AccountKey(hidden)",
            AzureAuth::Sas(_) => "Sas(hidden)",
        })
    }
}

impl fmt::Debug for AzureAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.auth {
            AzureAuth::AccountKey(_) => "account key",
            AzureAuth::Sas(_) => "SAS",
        };
        write!(f, "AzureAccess {{ endpoint: {:?}, auth: {kind}, from: {} }}", self.endpoint, self.from)
    }
}

/// The credentials for `url` from the environment (`env` looks a variable up): first
/// `AZURE_STORAGE_CONNECTION_STRING`, then `AZURE_STORAGE_ACCOUNT` with `AZURE_STORAGE_KEY` or
/// `AZURE_STORAGE_SAS_TOKEN`.
///
/// # Errors
/// No credentials, a malformed connection string, or credentials for another account.
pub fn azure_access(url: &BlobUrl, env: impl Fn(&str) -> Option<String>) -> Result<AzureAccess, StoreError> {
    let bad = |reason: String| StoreError::RemoteConfig { url: url.to_string(), reason };
    if let Some(text) = env("AZURE_STORAGE_CONNECTION_STRING").filter(|t| !t.trim().is_empty()) {
        return connection_string(url, &text)
            .map_err(|reason| bad(format!("AZURE_STORAGE_CONNECTION_STRING: {reason}")));
    }
    let key = env("AZURE_STORAGE_KEY").filter(|k| !k.trim().is_empty());
    let sas = env("AZURE_STORAGE_SAS_TOKEN").filter(|k| !k.trim().is_empty());
    if key.is_none() && sas.is_none() {
        return Err(bad(
            "no credentials: set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY \
             or AZURE_STORAGE_SAS_TOKEN (for Azurite: AZURE_STORAGE_CONNECTION_STRING=UseDevelopmentStorage=true)"
                .to_owned(),
        ));
    }
    match env("AZURE_STORAGE_ACCOUNT") {
        Some(account) if account == url.account => {}
        Some(account) => {
            return Err(bad(format!(
                "AZURE_STORAGE_ACCOUNT is '{account}' but the state URL names the account '{}'; the key or SAS \
                 is for one account",
                url.account
            )));
        }
        None => {
            return Err(bad(
                "AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN is set without AZURE_STORAGE_ACCOUNT; set it to the \
                 account the key belongs to"
                    .to_owned(),
            ));
        }
    }
    let auth = match (key, sas) {
        (Some(key), _) => AzureAuth::AccountKey(key.trim().to_owned()),
        (None, Some(sas)) => AzureAuth::Sas(sas.trim().trim_start_matches('?').to_owned()),
        (None, None) => unreachable!("checked above"),
    };
    let from = if matches!(auth, AzureAuth::AccountKey(_)) { "AZURE_STORAGE_KEY" } else { "AZURE_STORAGE_SAS_TOKEN" };
    Ok(AzureAccess { endpoint: None, auth, from })
}

/// A connection string as the Azure portal and `az storage account show-connection-string` give
/// it: `Key=Value` pairs separated by `;`, keys in any case.
fn connection_string(url: &BlobUrl, text: &str) -> Result<AzureAccess, String> {
    let mut account = None;
    let mut key = None;
    let mut sas = None;
    let mut endpoint = None;
    let mut protocol = None;
    let mut suffix = None;
    let mut development = false;
    for (number, pair) in text.split(';').map(str::trim).enumerate().filter(|(_, p)| !p.is_empty()) {
        let Some((name, value)) = pair.split_once('=') else {
            // Not shown: a pair without `=` may be a key that lost its name.
            return Err(format!("part {} (between semicolons) is not a Key=Value pair", number + 1));
        };
        let value = value.trim().to_owned();
        match name.trim().to_ascii_lowercase().as_str() {
            "accountname" => account = Some(value),
            "accountkey" => key = Some(value),
            "sharedaccesssignature" => sas = Some(value.trim_start_matches('?').to_owned()),
            "blobendpoint" => endpoint = Some(value.trim_end_matches('/').to_owned()),
            "defaultendpointsprotocol" => protocol = Some(value),
            "endpointsuffix" => suffix = Some(value),
            "usedevelopmentstorage" => development = value.eq_ignore_ascii_case("true"),
            // Endpoints of the other services and proxy settings do not concern blobs.
            "queueendpoint" | "tableendpoint" | "fileendpoint" | "developmentstorageproxyuri" => {}
            other => {
                // Shown only when it looks like a key name (a typo): anything else may be a
                // secret that lost its `;`.
                let shown = if other.len() <= 40 && other.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    format!("the key '{other}'")
                } else {
                    "a key".to_owned()
                };
                return Err(format!(
                    "{shown} is not known (accepted: AccountName, AccountKey, SharedAccessSignature, BlobEndpoint, \
                     DefaultEndpointsProtocol, EndpointSuffix, UseDevelopmentStorage)"
                ));
            }
        }
    }
    if development {
        account = account.or_else(|| Some(EMULATOR_ACCOUNT.to_owned()));
        key = key.or_else(|| Some(EMULATOR_KEY.to_owned()));
        endpoint = endpoint.or_else(|| Some(EMULATOR_BLOB_ENDPOINT.to_owned()));
    }
    match account.as_deref() {
        // Never echoed unless it is a name: the text may be anything, a secret included.
        Some(name) if !is_account_name(name) => {
            return Err(
                "its AccountName is not a storage account name (3 to 24 lowercase letters and digits)".to_owned()
            );
        }
        Some(name) if name != url.account => {
            return Err(format!(
                "it is for the account '{name}' but the state URL names the account '{}'",
                url.account
            ));
        }
        Some(_) => {}
        None if sas.is_some() && endpoint.is_some() => {}
        None => return Err("it names no AccountName".to_owned()),
    }
    let auth = match (key, sas) {
        (Some(key), _) => AzureAuth::AccountKey(key),
        (None, Some(sas)) => AzureAuth::Sas(sas),
        (None, None) => return Err("it has neither AccountKey nor SharedAccessSignature".to_owned()),
    };
    if endpoint.is_none() {
        let protocol = protocol.unwrap_or_else(|| "https".to_owned());
        let suffix = suffix.unwrap_or_else(|| "core.windows.net".to_owned());
        if protocol != "https" || suffix != "core.windows.net" {
            endpoint = Some(format!("{protocol}://{}.blob.{suffix}", url.account));
        }
    }
    if let Some(e) = &endpoint
        && !(e.starts_with("https://") || e.starts_with("http://"))
    {
        return Err(format!("BlobEndpoint '{}' is not an http:// or https:// URL", first_chars(e)));
    }
    Ok(AzureAccess { endpoint, auth, from: "AZURE_STORAGE_CONNECTION_STRING" })
}

/// The start of a text, for a message that must not echo a whole secret.
fn first_chars(text: &str) -> String {
    let shown: String = text.chars().take(12).collect();
    if shown.len() < text.len() { format!("{shown}…") } else { shown }
}

/// A message from the storage service or the HTTP client, with any shared access signature cut
/// out (a SAS travels in the URL's query).
#[must_use]
pub fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("sig=") {
        out.push_str(&rest[..at + 4]);
        out.push_str("REDACTED");
        let tail = &rest[at + 4..];
        let end = tail.find(|c: char| c == '&' || c.is_whitespace() || c == '"' || c == '\'').unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> BlobUrl {
        match Location::parse(Path::new("az://devstoreaccount1/tfstate/team/a.json")).unwrap() {
            Location::AzureBlob(u) => u,
            Location::Local(_) | Location::S3(_) => panic!("not a blob"),
        }
    }

    #[test]
    fn paths_and_urls_are_told_apart() {
        assert_eq!(Location::parse(Path::new("s.json")).unwrap(), Location::Local(PathBuf::from("s.json")));
        assert_eq!(url().to_string(), "az://devstoreaccount1/tfstate/team/a.json");
        assert_eq!(url().blob, "team/a.json");
        assert_eq!(
            Location::parse(Path::new("s3://team-state/ci/a.json")).unwrap(),
            Location::S3(S3Url { bucket: "team-state".to_owned(), key: "ci/a.json".to_owned() })
        );
        for bad in [
            "s3://bucket",
            "s3://Bucket/key",
            "s3://-b-/key",
            "https://acct.blob.core.windows.net/c/x",
            "gs://b/k",
            "az://Acct/c/x",
            "az://acct/c",
            "az://acct/c/",
            "az://acct/ab/x",
            "az://acct/c--d/x",
            "az://acct/ctr/a//b",
            "az://acct/ctr/../b",
            "az://acct/ctr/a\u{2}b",
        ] {
            let err = Location::parse(Path::new(bad)).unwrap_err().to_string();
            assert!(err.contains(bad) && err.contains("accepted"), "{bad}: {err}");
        }
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_development_storage_shortcut_means_azurite() {
        let access =
            azure_access(&url(), env(&[("AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true")])).unwrap();
        assert_eq!(access.endpoint.as_deref(), Some("http://127.0.0.1:10000/devstoreaccount1"));
        assert_eq!(access.auth, AzureAuth::AccountKey(EMULATOR_KEY.to_owned()));
    }

    #[test]
    fn a_full_connection_string_keeps_its_endpoint_and_key_with_equals_signs() {
        let text = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=abc==;\
                    BlobEndpoint=http://127.0.0.1:41234/devstoreaccount1;";
        let access = azure_access(&url(), env(&[("AZURE_STORAGE_CONNECTION_STRING", text)])).unwrap();
        assert_eq!(access.endpoint.as_deref(), Some("http://127.0.0.1:41234/devstoreaccount1"));
        assert_eq!(access.auth, AzureAuth::AccountKey("abc==".to_owned()));
        assert!(!format!("{access:?}").contains("abc=="), "a debug dump shows no key");
    }

    #[test]
    fn credentials_for_another_account_or_none_are_refused_without_echoing_secrets() {
        let other = "AccountName=someoneelse;AccountKey=SECRETKEY";
        let err = azure_access(&url(), env(&[("AZURE_STORAGE_CONNECTION_STRING", other)])).unwrap_err().to_string();
        assert!(err.contains("someoneelse") && !err.contains("SECRETKEY"), "{err}");
        let err = azure_access(&url(), env(&[])).unwrap_err().to_string();
        assert!(err.contains("AZURE_STORAGE_CONNECTION_STRING") && err.contains("az://devstoreaccount1"), "{err}");
        let err = azure_access(&url(), env(&[("AZURE_STORAGE_KEY", "k")])).unwrap_err().to_string();
        assert!(err.contains("AZURE_STORAGE_ACCOUNT"), "{err}");
        let garbage = "SECRETSECRETSECRET";
        let err = azure_access(&url(), env(&[("AZURE_STORAGE_CONNECTION_STRING", garbage)])).unwrap_err().to_string();
        assert!(!err.contains(garbage), "{err}");
    }

    #[test]
    fn account_and_sas_from_the_az_variables() {
        let access = azure_access(
            &url(),
            env(&[("AZURE_STORAGE_ACCOUNT", "devstoreaccount1"), ("AZURE_STORAGE_SAS_TOKEN", "?sv=1&sig=x")]),
        )
        .unwrap();
        assert_eq!(access.auth, AzureAuth::Sas("sv=1&sig=x".to_owned()));
        assert_eq!(access.endpoint, None);
    }

    #[test]
    fn aws_credentials_come_from_the_aws_cli_variables() {
        let url = S3Url { bucket: "team-state".to_owned(), key: "a.json".to_owned() };
        let access = aws_access(
            &url,
            env(&[
                ("AWS_ACCESS_KEY_ID", "AKIA1"),
                ("AWS_SECRET_ACCESS_KEY", "SECRETVALUE"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/"),
            ]),
        )
        .unwrap();
        assert_eq!(access.region, "eu-west-1");
        assert_eq!(access.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        assert!(!format!("{access:?}").contains("SECRETVALUE"));
        let err = aws_access(&url, env(&[("AWS_ACCESS_KEY_ID", "AKIA1")])).unwrap_err().to_string();
        assert!(err.contains("AWS_SECRET_ACCESS_KEY") && err.contains("s3://team-state/a.json"), "{err}");
    }

    #[test]
    fn signatures_are_cut_out_of_messages() {
        assert_eq!(
            redact("GET http://h/c/b?sv=1&sig=abc%2Fdef&se=2 failed: sig=zzz"),
            "GET http://h/c/b?sv=1&sig=REDACTED&se=2 failed: sig=REDACTED"
        );
    }
}
