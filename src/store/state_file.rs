//! Reading and atomically writing the JSON state file.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::set_summary::SetSummary;
use crate::model::state::{FORMAT, SCHEMA_VERSION, State, StateDoc};

use super::StoreError;
use super::scoped::{Scope, parse_state_scoped, parse_summaries};

/// What reading a state path found.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // made once per command and unwrapped at once
pub enum Loaded {
    /// No file: nothing exists yet.
    Missing,
    Present(State),
}

/// Path of the backup kept beside the state file.
#[must_use]
pub fn backup_path(path: &Path) -> PathBuf {
    sibling(path, ".backup")
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Reads and checks the state file.
///
/// # Errors
/// Unreadable, not JSON, not ours, of a newer schema, or breaking an invariant.
pub fn read_state(path: &Path) -> Result<Loaded, StoreError> {
    read_state_scoped(path, &Scope::All)
}

/// [`read_state`] parsing only the sets in `scope` (see [`parse_state_scoped`]).
///
/// # Errors
/// As [`read_state`].
pub fn read_state_scoped(path: &Path, scope: &Scope) -> Result<Loaded, StoreError> {
    // Some sets only: through the file's index, reading just what is needed.
    if *scope != Scope::All
        && let Some(source) = file_source(path)
        && let Some(state) = super::indexed::parse_indexed(&source, scope)
    {
        return Ok(Loaded::Present(state));
    }
    match read_bytes(path)? {
        None => Ok(Loaded::Missing),
        Some(bytes) => parse_state_scoped(path, &bytes, scope).map(Loaded::Present),
    }
}

/// The state file opened to be read by position, when it is a regular file within the size
/// accepted; `None` otherwise (the caller then reads it whole, which reports why).
fn file_source(path: &Path) -> Option<super::indexed::FileSource> {
    let file = super::safe_open::open_regular(path, false, false, false).ok()?;
    let len = file.metadata().ok()?.len();
    if len > MAX_STATE_BYTES {
        return None;
    }
    Some(super::indexed::FileSource::new(file, usize::try_from(len).ok()?))
}

/// The bytes of the state file, `None` when there is none. A pipe or a device is refused
/// without waiting on it or reading it without end.
fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    if path.is_dir() {
        return Err(StoreError::IsDirectory { path: path.to_path_buf() });
    }
    let read = super::safe_open::open_regular(path, false, false, false).and_then(|file| {
        let size = file.metadata()?.len();
        super::safe_open::read_capped_sized(&file, MAX_STATE_BYTES, size)
    });
    match read {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::Io { path: path.to_path_buf(), action: "read", error: e }),
    }
}

/// Largest state file read: a million VMs take about 220 MB.
pub const MAX_STATE_BYTES: u64 = 1024 * 1024 * 1024;

/// The few fields that say what a file is, read when the full parse fails.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    format: Option<String>,
    schema_version: Option<u64>,
}

/// Parses and checks the bytes of a state file; `path` names it in messages and locates the
/// backup mentioned in them.
///
/// # Errors
/// As [`read_state`].
pub fn parse_state(path: &Path, bytes: &[u8]) -> Result<State, StoreError> {
    let corrupt = |reason: String| {
        let backup = backup_path(&resolve(path));
        let hint = if backup.is_file() {
            format!(
                " (the previous version is in {}: check it, then copy it over the state to restore it)",
                backup.display()
            )
        } else {
            String::new()
        };
        StoreError::Corrupt { path: path.to_path_buf(), reason, hint }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(corrupt(format!("it is empty ({} bytes)", bytes.len())));
    }
    // A byte-order mark is what some editors put in front of UTF-8 text: not part of the JSON.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // Validate UTF-8 once for the whole file: serde_json then skips it for every string.
    let text =
        std::str::from_utf8(bytes).map_err(|e| corrupt(format!("it is not UTF-8 text (byte {})", e.valid_up_to())))?;
    match serde_json::from_str::<State>(text) {
        Ok(state) => {
            if state.format != FORMAT {
                return Err(StoreError::NotOurs {
                    path: path.to_path_buf(),
                    reason: format!("its format is '{}'", state.format),
                });
            }
            if state.schema_version > SCHEMA_VERSION {
                return Err(StoreError::NewerSchema {
                    path: path.to_path_buf(),
                    found: u64::from(state.schema_version),
                    supported: SCHEMA_VERSION,
                });
            }
            state.check().map_err(|e| corrupt(e.to_string()))?;
            // An older schema is read as the current one: that is what a write makes of it.
            Ok(StateDoc { schema_version: SCHEMA_VERSION, ..state })
        }
        Err(full) => {
            let Ok(header) = serde_json::from_slice::<Header>(bytes) else {
                // Valid JSON of another shape (an array, a number) is someone else's file.
                return Err(match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(other) if !other.is_object() => StoreError::NotOurs {
                        path: path.to_path_buf(),
                        reason: format!("it is a JSON {}, not an object", json_kind(&other)),
                    },
                    Ok(_) => corrupt(format!("{full}")),
                    Err(e) if e.is_eof() => {
                        corrupt(format!("{full} (the file ends too early, as a cut-short write would)"))
                    }
                    Err(e) if e.to_string().starts_with("recursion limit exceeded") => {
                        corrupt(format!("it nests deeper than any scaleset state ({e})"))
                    }
                    Err(_) => corrupt(format!("{full} (the file is not JSON)")),
                });
            };
            match (header.format.as_deref(), header.schema_version) {
                (Some(FORMAT), Some(v)) if v > u64::from(SCHEMA_VERSION) => {
                    Err(StoreError::NewerSchema { path: path.to_path_buf(), found: v, supported: SCHEMA_VERSION })
                }
                (Some(FORMAT), _) => Err(corrupt(format!("{full}"))),
                (Some(other), _) => {
                    Err(StoreError::NotOurs { path: path.to_path_buf(), reason: format!("its format is '{other}'") })
                }
                (None, _) => Err(StoreError::NotOurs {
                    path: path.to_path_buf(),
                    reason: "it has no \"format\": \"scaleset-state\" field".into(),
                }),
            }
        }
    }
}

/// [`read_state`] with every set read as a summary (see [`parse_summaries`]).
///
/// # Errors
/// As [`read_state`].
pub fn read_summaries(path: &Path) -> Result<Option<StateDoc<Vec<SetSummary>>>, StoreError> {
    // Through the index, reading the file piece by piece (hashed, never held whole).
    if let Some(source) = file_source(path)
        && let Some(doc) = super::indexed::parse_summaries_indexed(&source)
    {
        return Ok(Some(doc));
    }
    match read_bytes(path)? {
        None => Ok(None),
        Some(bytes) => parse_summaries(path, &bytes).map(Some),
    }
}

/// Writes the state atomically and keeps the previous file as `<state>.backup`. A symbolic link
/// at `path` is followed: the target is replaced, the link stays. Call it with the lock held:
/// it removes temporary files that only a dead writer can have left.
///
/// # Errors
/// Any I/O failure, or a backup that belongs to another state (see
/// [`StoreError::LineageMismatch`]); the old state file is then left as it was.
pub fn write_state(path: &Path, state: &State) -> Result<(), StoreError> {
    let target = resolve(path);
    if target.is_dir() {
        return Err(StoreError::IsDirectory { path: path.to_path_buf() });
    }
    let backup = backup_path(&target);
    let existing = match fs::symlink_metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(StoreError::Io { path: path.to_path_buf(), action: "inspect", error }),
    };
    if let Some(meta) = &existing
        && !meta.is_file()
    {
        let kind = super::safe_open::kind_of(meta);
        return Err(StoreError::NotRegular { path: path.to_path_buf(), kind });
    }
    match fs::symlink_metadata(&backup) {
        Ok(meta) if !meta.is_file() => {
            let kind = super::safe_open::kind_of(&meta);
            return Err(StoreError::NotRegular { path: backup, kind });
        }
        _ => {}
    }
    if let Some(backup_lineage) = lineage_of(&backup)
        && backup_lineage != state.lineage
    {
        return Err(StoreError::LineageMismatch {
            path: path.to_path_buf(),
            lineage: state.lineage.clone(),
            backup,
            backup_lineage,
        });
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    remove_stale_temporaries(&target, &dir);
    // Counted after the stale temporaries are gone: a killed writer's backup link is one.
    let existing = fs::symlink_metadata(&target).ok();
    if let Some(meta) = &existing {
        check_single_name(path, meta, &backup)?;
    }
    let tmp = sibling(&target, &format!(".tmp.{}", std::process::id()));
    let result = write_and_swap(&target, &dir, &tmp, state, existing.as_ref());
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The path a state path stands for: symbolic links followed (relative targets against the
/// link's directory), as far as they go, so that a link to a file that does not exist yet
/// names the file to create. A loop is left to the file operations, which report it.
#[must_use]
pub fn resolve(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => match fs::read_link(&current) {
                Ok(next) => {
                    current = match current.parent() {
                        Some(dir) if next.is_relative() => dir.join(next),
                        _ => next,
                    };
                }
                Err(_) => break,
            },
            _ => break,
        }
    }
    current
}

/// The lineage of the state file at `path`, if it exists and names one near its start (where
/// this program writes it). Only the first 64 KiB are read: a large backup costs nothing.
fn lineage_of(path: &Path) -> Option<String> {
    let mut head = Vec::with_capacity(1 << 12);
    super::safe_open::open_regular(path, false, false, true).ok()?.take(1 << 16).read_to_end(&mut head).ok()?;
    lineage_in(&head)
}

/// The `lineage` of a state from the first bytes of its JSON (it comes third), without
/// parsing the whole document.
pub(super) fn lineage_in(head: &[u8]) -> Option<String> {
    let at = head.windows(9).position(|w| w == b"\"lineage\"")? + 9;
    let rest = &head[at..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let rest = rest.strip_prefix(b":")?;
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let rest = rest.strip_prefix(b"\"")?;
    let value = &rest[..rest.iter().position(|b| *b == b'"')?];
    String::from_utf8(value.to_vec()).ok()
}

/// Removes `<state>.tmp.<pid>` and `<state>.backup.tmp.<pid>` files: under the lock, no live
/// writer can be using one, so they were left by a writer that was killed mid-write.
fn remove_stale_temporaries(target: &Path, dir: &Path) {
    let Some(name) = target.file_name().and_then(|n| n.to_str()) else { return };
    let prefixes = [format!("{name}.tmp."), format!("{name}.backup.tmp.")];
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else { continue };
        let stale = prefixes.iter().any(|p| {
            file_name
                .strip_prefix(p.as_str())
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn io<'a>(action: &'static str, p: &'a Path) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |error| StoreError::Io { path: p.to_path_buf(), action, error }
}

/// One lock covers one name: a state file with another hard link elsewhere would give that
/// name a history of its own. The only other names allowed are this tool's own backup (a
/// writer killed between linking the backup and replacing the state leaves them one file).
fn check_single_name(path: &Path, meta: &fs::Metadata, backup: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ours = fs::symlink_metadata(backup).is_ok_and(|b| b.dev() == meta.dev() && b.ino() == meta.ino());
        let allowed = 1 + u64::from(ours);
        if meta.nlink() > allowed {
            return Err(StoreError::HardLinked { path: path.to_path_buf(), links: meta.nlink() });
        }
    }
    let _ = (path, meta, backup);
    Ok(())
}

/// Gives the new file the old one's permissions and owner, so a state kept private stays so.
fn keep_mode_and_owner(file: &File, tmp: &Path, previous: Option<&fs::Metadata>) -> Result<(), StoreError> {
    let Some(previous) = previous else { return Ok(()) };
    file.set_permissions(previous.permissions()).map_err(io("set the permissions of", tmp))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Only root may give a file away; anyone else writes a file that is already theirs.
        let mine = file.metadata().map_err(io("inspect", tmp))?;
        if mine.uid() != previous.uid() || mine.gid() != previous.gid() {
            std::os::unix::fs::fchown(file, Some(previous.uid()), Some(previous.gid()))
                .map_err(io("set the owner of", tmp))?;
        }
    }
    Ok(())
}

fn write_and_swap(
    path: &Path,
    dir: &Path,
    tmp: &Path,
    state: &State,
    previous: Option<&fs::Metadata>,
) -> Result<(), StoreError> {
    let file = OpenOptions::new().write(true).create_new(true).open(tmp).map_err(io("create", tmp))?;
    keep_mode_and_owner(&file, tmp, previous)?;
    let mut out = BufWriter::with_capacity(1 << 16, file);
    // Sets carried unchanged are copied from the state file being replaced (the lock is held
    // and the version was checked: it is the file they were read from).
    let source = if state.scale_sets.carried().iter().any(|c| c.span.is_some()) {
        Some(File::open(path).map_err(io("read", path))?)
    } else {
        None
    };
    super::indexed::write_json(&mut out, state, source.as_ref()).map_err(io("write", tmp))?;
    out.write_all(b"\n").map_err(io("write", tmp))?;
    let file = out.into_inner().map_err(|e| StoreError::Io {
        path: tmp.to_path_buf(),
        action: "write",
        error: e.into_error(),
    })?;
    if std::env::var_os("SCALESET_CRASH_AT").is_some_and(|p| p == "temp-partial") {
        // What a kill in the middle of the write leaves: half a file.
        let _ = file.metadata().and_then(|m| file.set_len(m.len() / 2));
        super::crash_point("temp-partial");
    }
    file.sync_all().map_err(io("fsync", tmp))?;
    drop(file);
    super::crash_point("temp-written");

    // Keep the previous version: a hard link costs nothing and is atomic; copy where links
    // are not supported.
    if path.exists() {
        let backup = backup_path(path);
        let backup_tmp = sibling(path, &format!(".backup.tmp.{}", std::process::id()));
        let _ = fs::remove_file(&backup_tmp);
        if fs::hard_link(path, &backup_tmp).is_err() {
            fs::copy(path, &backup_tmp).map_err(io("copy to backup", &backup_tmp))?;
            File::open(&backup_tmp).and_then(|f| f.sync_all()).map_err(io("fsync", &backup_tmp))?;
        }
        super::crash_point("backup-linked");
        fs::rename(&backup_tmp, &backup).map_err(io("rename to", &backup))?;
        // When the backup already is this very file (a writer was killed right after making
        // it), rename does nothing and leaves the temporary name behind.
        let _ = fs::remove_file(&backup_tmp);
        super::crash_point("backup-renamed");
    }
    fs::rename(tmp, path).map_err(io("replace", path))?;
    super::crash_point("replaced");
    // Make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod scoped_tests {
    use super::*;

    fn two_sets() -> Vec<u8> {
        let text = r#"scaleSets:
  - { name: a, region: eastus, sku: Standard_D2s_v5, capacity: 2 }
  - { name: b, region: eastus, sku: Standard_D2s_v5, capacity: 1 }
"#;
        let defs = crate::spec::parse_definition("t.yaml", text.as_bytes(), crate::cost::catalog::Catalog::builtin())
            .expect("valid");
        let at = jiff::Timestamp::UNIX_EPOCH;
        let mut state = State::new(1, at);
        for d in &defs {
            state.insert_set(crate::engine::capacity::create_set(d, at).expect("create").0);
        }
        serde_json::to_vec(&state).expect("serialize")
    }

    #[test]
    fn a_scoped_load_writes_back_the_same_bytes() {
        let bytes = two_sets();
        let path = Path::new("s.json");
        let state = parse_state_scoped(path, &bytes, &Scope::set("b")).expect("scoped");
        assert_eq!(state.scale_sets.len(), 1, "only b is parsed");
        assert_eq!(state.scale_sets.carried().len(), 1);
        assert_eq!(state.scale_sets.names(), ["a", "b"]);
        assert_eq!(serde_json::to_vec(&state).expect("serialize"), bytes);
    }

    #[test]
    fn sets_left_in_the_file_are_copied_and_checked_as_they_are_copied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let state = parse_state(&path, &two_sets()).unwrap();
        write_state(&path, &state).unwrap();
        let written = fs::read(&path).unwrap();
        let Loaded::Present(scoped) = read_state_scoped(&path, &Scope::set("b")).unwrap() else { panic!("present") };
        let carried = &scoped.scale_sets.carried()[0];
        assert!(carried.text.is_none() && carried.span.is_some(), "a is left in the file, not read");
        write_state(&path, &scoped).unwrap();
        assert_eq!(fs::read(&path).unwrap(), written, "copied byte for byte");
        // The same file changed in place under the reader (same length, same inode): refused.
        let Loaded::Present(scoped) = read_state_scoped(&path, &Scope::set("b")).unwrap() else { panic!("present") };
        let text = String::from_utf8(written.clone()).unwrap();
        let edited = text.replacen("\"capacity\":2", "\"capacity\":3", 1);
        fs::OpenOptions::new().write(true).open(&path).unwrap().write_all(edited.as_bytes()).unwrap();
        let err = write_state(&path, &scoped).unwrap_err().to_string();
        assert!(err.contains("scale set 'a' changed in the state file"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), edited.as_bytes(), "nothing written");
    }

    #[test]
    fn a_state_read_to_show_cannot_be_written() {
        let bytes = two_sets();
        let state = parse_state_scoped(Path::new("s.json"), &bytes, &Scope::show("b")).expect("scoped");
        let err = serde_json::to_vec(&state).expect_err("refused");
        assert!(err.to_string().contains("scale set 'a' is not in memory (read by name only"), "{err}");
    }

    #[test]
    fn a_summary_read_from_json_is_the_summary_of_the_set() {
        let text = "scaleSets:\n  - { name: web, region: eastus, sku: Standard_D2s_v5, capacity: 6, zones: [1, 2, 3], \
                    priority: Spot, evictionPolicy: Delete, orchestrationMode: Flexible, \
                    priorityMix: { baseRegularPriorityCount: 2, regularPriorityPercentageAboveBase: 50 } }\n";
        let defs =
            crate::spec::parse_definition("t.yaml", text.as_bytes(), crate::cost::catalog::Catalog::builtin()).unwrap();
        let at = jiff::Timestamp::UNIX_EPOCH;
        let mut set = crate::engine::capacity::create_set(&defs[0], at).unwrap().0;
        set.instances[1].protect_from_scale_in = true;
        set.instances[2].power_state = crate::model::enums::PowerState::Deallocated;
        let read: crate::model::set_summary::SetSummary =
            serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
        assert_eq!(read, crate::model::set_summary::SetSummary::of(&set));
        assert!(read.vms.iter().any(|v| v.priority == crate::model::enums::Priority::Regular));
        assert!(read.vms.iter().any(|v| v.priority == crate::model::enums::Priority::Spot));
        assert_eq!(
            (read.vm_count(), read.count_in(crate::model::enums::PowerState::Deallocated), read.outdated()),
            (6, 1, 0)
        );
        // A broken invariant is refused with the full parse's words.
        let mut broken = serde_json::to_value(&set).unwrap();
        broken["capacity"] = 7.into();
        let err = serde_json::from_value::<crate::model::set_summary::SetSummary>(broken).unwrap_err().to_string();
        assert!(err.contains("scale set 'web' has capacity 7 but 6 instances"), "{err}");
        // Unknown fields: refused in a set, skipped in a VM, as the full parse does.
        let mut value = serde_json::to_value(&set).unwrap();
        value["instances"][0]["typo"] = 1.into();
        assert!(serde_json::from_value::<crate::model::set_summary::SetSummary>(value.clone()).is_ok());
        assert!(serde_json::from_value::<crate::model::state::ScaleSet>(value.clone()).is_ok());
        value["typo"] = 1.into();
        assert!(serde_json::from_value::<crate::model::set_summary::SetSummary>(value.clone()).is_err());
        assert!(serde_json::from_value::<crate::model::state::ScaleSet>(value).is_err());
    }
}
