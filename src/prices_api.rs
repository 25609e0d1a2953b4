//! `prices update`: current retail prices from the Azure Retail Prices API, kept in a dated cache
//! that every command then reads without the network. The only code that touches the network.
//!
//! Guarantees:
//! - every page is followed through `NextPageLink`, bounded (at most [`MAX_PAGES`]);
//! - a 429 waits for its `Retry-After` (at most a minute) and tries again; a failed request is
//!   retried with backoff a few times; each request has a timeout;
//! - the cache is written whole to a temporary file and renamed into place only when every page
//!   arrived: a failure part-way leaves the previous cache as it was.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The API's documented address.
pub const DEFAULT_ENDPOINT: &str = "https://prices.azure.com/api/retail/prices";
/// Most pages followed (the API serves 100 items a page).
pub const MAX_PAGES: usize = 5_000;
/// Largest page accepted.
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest cache read: every VM and disk price of every region is a few hundred MB.
const MAX_CACHE_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Tries of one page before giving up.
const TRIES: u32 = 5;

/// Why an update failed; the previous cache is untouched.
#[derive(Debug, thiserror::Error)]
#[error("prices update from {endpoint} failed: {reason}; the previous price cache was left as it was")]
pub struct FetchError {
    pub endpoint: String,
    pub reason: String,
}

/// The OData filter: consumption prices of VMs, storage (managed disks), the load balancer and
/// public IP addresses, in these regions (and "Global", where load-balancer meters are listed).
#[must_use]
pub fn filter(regions: &[String]) -> String {
    let mut f = "priceType eq 'Consumption' and (serviceName eq 'Virtual Machines' or serviceName eq 'Storage' \
                 or serviceName eq 'Load Balancer' or (serviceName eq 'Virtual Network' and productName eq 'IP Addresses'))"
        .to_owned();
    if !regions.is_empty() {
        let any: Vec<String> =
            regions.iter().map(String::as_str).chain(["Global"]).map(|r| format!("armRegionName eq '{r}'")).collect();
        f.push_str(&format!(" and ({})", any.join(" or ")));
    }
    f
}

/// The first page's address.
#[must_use]
pub fn first_url(endpoint: &str, currency: &str, regions: &[String]) -> String {
    let query = [("currencyCode", format!("'{currency}'")), ("$filter", filter(regions))];
    let encoded: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)))
        .collect();
    format!("{endpoint}?{}", encoded.join("&"))
}

/// Fetches every page; `progress` is told (pages, items) after each.
///
/// # Errors
/// A page could not be had after its tries, was not a Retail Prices page, or there were too many.
pub fn fetch(endpoint: &str, first: &str, mut progress: impl FnMut(usize, usize)) -> Result<Vec<String>, FetchError> {
    let fail = |reason: String| FetchError { endpoint: endpoint.to_owned(), reason };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut pages = Vec::new();
    let mut items = 0;
    let mut next = Some(first.to_owned());
    while let Some(url) = next.take() {
        if pages.len() == MAX_PAGES {
            return Err(fail(format!("more than {MAX_PAGES} pages; narrow it with --region")));
        }
        let body = get_page(&agent, &url).map_err(|e| fail(format!("page {}: {e}", pages.len() + 1)))?;
        let page: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| fail(format!("page {} is not JSON ({e})", pages.len() + 1)))?;
        let count = page["Items"]
            .as_array()
            .ok_or_else(|| fail(format!("page {} has no Items: not a Retail Prices page", pages.len() + 1)))?
            .len();
        items += count;
        next = page["NextPageLink"].as_str().filter(|l| !l.is_empty()).map(str::to_owned);
        pages.push(body);
        progress(pages.len(), items);
    }
    Ok(pages)
}

/// One page, with retries: 429 waits for `Retry-After`; other failures back off (a dropped connection from 0.1 s, a server error from 1 s, doubling).
fn get_page(agent: &ureq::Agent, url: &str) -> Result<String, String> {
    let mut last = String::new();
    for attempt in 0..TRIES {
        match agent.get(url).call() {
            Ok(mut response) => {
                let status = response.status().as_u16();
                if status == 200 {
                    return response
                        .body_mut()
                        .with_config()
                        .limit(MAX_PAGE_BYTES)
                        .read_to_string()
                        .map_err(|e| format!("reading the page: {e}"));
                }
                last = format!("HTTP {status}");
                let wait = if status == 429 {
                    let after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .unwrap_or(5);
                    Duration::from_secs(after.min(60))
                } else if status >= 500 {
                    Duration::from_secs(1 << attempt.min(3))
                } else {
                    return Err(last);
                };
                std::thread::sleep(wait);
            }
            Err(e) => {
                last = e.to_string();
                std::thread::sleep(Duration::from_millis(100 << attempt.min(4)));
            }
        }
    }
    Err(format!("{last} (after {TRIES} tries)"))
}

/// Where the cache is: `SCALESET_CACHE`, else the platform's cache directory.
#[must_use]
pub fn cache_path() -> PathBuf {
    if let Some(p) = std::env::var_os("SCALESET_CACHE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("scaleset").join("retail-prices.json")
}

/// The cache's contents: when and where from, and the pages as the API served them.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cache {
    pub format: String,
    pub fetched_at: jiff::Timestamp,
    pub endpoint: String,
    pub currency: String,
    pub regions: Vec<String>,
    pub pages: Vec<Box<serde_json::value::RawValue>>,
}

/// Marks a file as our cache.
pub const CACHE_FORMAT: &str = "scaleset-retail-prices-cache";

/// Writes the cache whole: a temporary file beside it, synced, then renamed into place.
///
/// # Errors
/// The directory or the file cannot be written; the previous cache is untouched.
pub fn write_cache(path: &Path, cache: &Cache) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp.{}", std::process::id()));
    let tmp = path.with_file_name(name);
    let result = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let bytes = serde_json::to_vec(cache).map_err(std::io::Error::other)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads the cache at `path`: `Ok(None)` when there is none.
///
/// # Errors
/// The file is not a cache this tool wrote (or is damaged).
pub fn read_cache(path: &Path) -> Result<Option<Cache>, String> {
    let read = crate::store::safe_open::open_input(path).and_then(|file| {
        let size = file.metadata()?.len();
        crate::store::safe_open::read_capped_sized(&file, MAX_CACHE_BYTES, size)
    });
    let bytes = match read {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let cache: Cache = serde_json::from_slice(&bytes).map_err(|e| format!("not a price cache ({e})"))?;
    if cache.format != CACHE_FORMAT {
        return Err(format!("its format is '{}', not a price cache", cache.format));
    }
    Ok(Some(cache))
}
