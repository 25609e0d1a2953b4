//! Input files of a run, read by the shell: the definition (once per process, so `-f -`,
//! `-f /dev/stdin` and named pipes work), a Retail Prices export, load CSV files.
//!
//! Guarantees: every read is bounded (a device, a pipe or a growing file cannot make it read
//! without end), a directory or a device is refused with a message, and the parsers in `spec`,
//! `cost` and `sim` receive bytes or text, never a path to open.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::cost::catalog::Catalog;
use crate::cost::retail::{self, ImportReport, RetailError};
use crate::spec::settings::{self, Settings};
use crate::spec::{DefinitionError, SetDefinition};

/// Largest definition file accepted; a real one is a few kilobytes.
pub const MAX_DEFINITION_BYTES: u64 = 16 * 1024 * 1024;
/// Largest price export accepted: a full Retail Prices dump of one service is a few hundred MB.
pub const MAX_PRICES_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Largest load CSV accepted: a year of per-minute rows of a few metrics is about 30 MB.
pub const MAX_LOAD_BYTES: u64 = 256 * 1024 * 1024;

/// The definition file of this run, read once.
#[derive(Debug)]
pub struct DefinitionFile {
    /// As given (`-f`), for messages.
    pub path: PathBuf,
    contents: Contents,
}

#[derive(Debug)]
enum Contents {
    /// No such file: no settings; a command that needs the definition says so.
    Missing,
    Text(Vec<u8>),
    /// Could not be read; the reason is reported by the commands that need the definition.
    Unreadable(String),
}

impl DefinitionFile {
    /// Reads the definition at `path` (any failure is kept and reported when it is needed).
    #[must_use]
    pub fn read(path: &Path) -> Self {
        let from_stdin = path == Path::new("-");
        let metadata = if from_stdin { Ok(None) } else { std::fs::metadata(path).map(Some) };
        let contents = match metadata {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Contents::Missing,
            Err(e) => Contents::Unreadable(e.to_string()),
            Ok(Some(meta)) if meta.is_dir() => Contents::Unreadable("it is a directory, not a file".into()),
            Ok(Some(meta)) if meta.is_file() && meta.len() > MAX_DEFINITION_BYTES => {
                Contents::Unreadable(format!("it is {} bytes; a definition may be at most 16 MiB", meta.len()))
            }
            Ok(_) => match read_limited(path, MAX_DEFINITION_BYTES) {
                Ok(bytes) => Contents::Text(bytes),
                Err(e) => Contents::Unreadable(e.to_string()),
            },
        };
        Self { path: path.to_path_buf(), contents }
    }

    /// No definition at all (commands that need none).
    #[must_use]
    pub fn none(path: &Path) -> Self {
        Self { path: path.to_path_buf(), contents: Contents::Missing }
    }

    /// The file as named in messages.
    #[must_use]
    pub fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// Whether a definition file exists.
    #[must_use]
    pub fn exists(&self) -> bool {
        !matches!(self.contents, Contents::Missing)
    }

    /// The bytes, or why there are none.
    ///
    /// # Errors
    /// The file is missing or could not be read.
    pub fn bytes(&self) -> Result<&[u8], DefinitionError> {
        let read_err = |reason: String| DefinitionError::Read { path: self.shown(), reason };
        match &self.contents {
            Contents::Text(bytes) => Ok(bytes),
            Contents::Missing => Err(read_err("no such file (give another with -f/--file or SCALESET_FILE)".into())),
            Contents::Unreadable(reason) => Err(read_err(reason.clone())),
        }
    }

    /// The definition, validated against `catalog`.
    ///
    /// # Errors
    /// The file cannot be read or is invalid; every problem names the file and, where known,
    /// the line and column.
    pub fn definitions(&self, catalog: &Catalog) -> Result<Vec<SetDefinition>, DefinitionError> {
        let bytes = self.bytes()?;
        // Trace files are relative to the definition's directory (the working directory for
        // a definition read from standard input).
        let base = self.path.parent().filter(|_| self.path != Path::new("-")).unwrap_or(Path::new(""));
        let traces: crate::spec::TraceTexts = crate::spec::trace_files(bytes)
            .into_iter()
            .map(|file| {
                let text = read_text_limited(&base.join(&file), MAX_LOAD_BYTES).map_err(|e| e.to_string());
                (file, text)
            })
            .collect();
        crate::spec::parse_definition_with_traces(&self.shown(), bytes, catalog, &traces)
    }

    /// The top-level settings (`prices:`, `budget:`); `Ok(None)` when there is no file.
    ///
    /// # Errors
    /// The file cannot be read or a setting is malformed.
    pub fn settings(&self) -> Result<Option<Settings>, DefinitionError> {
        if !self.exists() {
            return Ok(None);
        }
        let text = std::str::from_utf8(self.bytes()?)
            .map_err(|_| DefinitionError::Read { path: self.shown(), reason: "the file is not valid UTF-8".into() })?;
        let base = self.path.parent().unwrap_or_else(|| Path::new(""));
        settings::parse(&self.shown(), base, text).map(Some)
    }
}

/// The prices of a run, and warnings to show: the built-in catalog, overlaid with the price
/// cache of `prices update` when there is one, then with the export named by `flag`
/// (`--prices` / SCALESET_PRICES) or else by the definition's `prices:` key (relative to the
/// definition file). Later sources win: built-in < cache < export.
///
/// A definition that cannot be read here is left to the commands that load it, which report
/// it with positions; a cache that cannot be used is a warning (it is only a cache).
///
/// # Errors
/// A [`RetailError`] for the flag's file; a [`DefinitionError`] (field `prices`, so the
/// definition's exit code) for the definition's file.
pub fn price_catalog(
    flag: Option<&Path>,
    definition: &DefinitionFile,
) -> anyhow::Result<(Cow<'static, Catalog>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut base: Cow<'static, Catalog> = Cow::Borrowed(Catalog::builtin());
    let cache_path = crate::prices_api::cache_path();
    match cached_prices(&cache_path) {
        Ok(None) => {}
        Ok(Some(catalog)) => base = Cow::Owned(catalog),
        Err(e) => warnings
            .push(format!("the price cache {} is not used: {e}; run `scaleset prices update`", cache_path.display())),
    }
    let export = if let Some(path) = flag {
        Some(prices_export(&base, path, &path.display().to_string())?)
    } else if let Ok(Some(Settings { prices: Some(prices), .. })) = definition.settings() {
        Some(prices_export(&base, &prices.path, &prices.written).map_err(|error| {
            let text = definition.bytes().map(String::from_utf8_lossy).unwrap_or_default();
            DefinitionError::Invalid {
                path: definition.shown(),
                problems: vec![settings::problem(&text, "prices", error.to_string())],
            }
        })?)
    } else {
        None
    };
    match export {
        None => Ok((base, warnings)),
        Some((catalog, report)) => {
            warnings.extend(report.warnings);
            Ok((Cow::Owned(catalog), warnings))
        }
    }
}

/// The built-in catalog with the price cache laid over it; `Ok(None)` when there is no cache.
///
/// # Errors
/// The cache cannot be read or parsed.
pub fn cached_prices(path: &Path) -> Result<Option<Catalog>, String> {
    let Some(cache) = crate::prices_api::read_cache(path)? else { return Ok(None) };
    let pages: Vec<&str> = cache.pages.iter().map(|p| p.get()).collect();
    let text = format!("[{}]", pages.join(","));
    let shown = format!("price cache (fetched {})", cache.fetched_at.strftime("%Y-%m-%d"));
    let import = retail::parse(&shown, &text).map_err(|e| e.to_string())?;
    let mut catalog = Catalog::builtin().clone();
    catalog.insert_as(crate::cost::catalog::source::CACHE);
    import.overlay(&mut catalog);
    Ok(Some(catalog))
}

/// `base` with the export at `path` laid over it. `shown` is how the file is named in messages
/// (as the user wrote it).
///
/// # Errors
/// The file cannot be read, is not an export of a known shape, is not in USD, or has a
/// malformed price row.
pub fn prices_export(base: &Catalog, path: &Path, shown: &str) -> Result<(Catalog, ImportReport), RetailError> {
    let fail = |message: String| RetailError { file: shown.to_owned(), item: None, message };
    let meta = std::fs::metadata(path).map_err(|e| {
        fail(if e.kind() == std::io::ErrorKind::NotFound { "no such file".to_owned() } else { e.to_string() })
    })?;
    if meta.is_dir() {
        return Err(fail("it is a directory, not a file".to_owned()));
    }
    if meta.len() > MAX_PRICES_BYTES {
        return Err(fail(format!("it is {} bytes; an export may be at most 2 GiB", meta.len())));
    }
    let text = read_text_limited(path, MAX_PRICES_BYTES).map_err(|e| fail(e.to_string()))?;
    let import = retail::parse(shown, &text)?;
    let mut catalog = base.clone();
    catalog.insert_as(crate::cost::catalog::source::EXPORT);
    import.overlay(&mut catalog);
    Ok((catalog, import.report))
}

/// Reads an input of at most `limit` bytes: `-` is standard input; a regular file, a named
/// pipe (never waited on forever) or `/dev/stdin`; a directory or any other device is refused.
/// The size in the metadata is not trusted: a pipe or a growing file says nothing or less.
///
/// # Errors
/// The input cannot be read, is not one of those, or gives more than `limit` bytes (then it is
/// refused whole, never half-read).
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use crate::store::safe_open;
    if path == Path::new("-") {
        return safe_open::read_capped(std::io::stdin().lock(), limit);
    }
    let file = safe_open::open_input(path)?;
    let size = file.metadata()?.len();
    safe_open::read_capped_sized(&file, limit, size)
}

/// Reads UTF-8 text as [`read_limited`] does.
///
/// # Errors
/// As [`read_limited`], or the text is not UTF-8.
pub fn read_text_limited(path: &Path, limit: u64) -> std::io::Result<String> {
    String::from_utf8(read_limited(path, limit)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
}
