//! The state file's set index: how a command reads one set of a large state without parsing
//! the others, and writes it back without re-serialising them.
//!
//! The writer ([`write_json`]) writes the document serde would write (same fields, same order,
//! compact), then one more field, last: `"setIndex"`, the byte range of the `scaleSets` array
//! and of every set in it, with each set's XXH3-128 hash. A scoped reader ([`parse_indexed`])
//! finds that field from the end of the file, checks that the ranges tile the array exactly
//! (one comma between sets) and that every set's bytes hash to what the index says, parses
//! the rest of the document (everything but the sets: metadata and the activity log), then
//! only the sets it was asked for. The others stay bytes, copied verbatim on the next write.
//!
//! Guarantee: the fast path accepts a file only if every byte of every set is the byte the
//! writer wrote (up to the hash) and the document around them parses as a state; anything
//! else (a file edited or reformatted by hand, a version 1 file without an index, a
//! byte-order mark) returns `None` and the caller reads the file the slow way, with the full
//! checks and messages.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use xxhash_rust::xxh3::xxh3_128;

use crate::model::accrual::Accrued;
use crate::model::event::Event;
use crate::model::set_summary::{SetHead, SetSummary, VmCount, tally};
use crate::model::state::{CarriedSet, FORMAT, SCHEMA_VERSION, ScaleSet, ScaleSets, State, StateDoc};

use super::Scope;

/// The index as written in the file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetIndex {
    /// Byte range of the `scaleSets` array, brackets included.
    array: Range,
    sets: Vec<IndexedSet>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IndexedSet {
    name: String,
    start: usize,
    end: usize,
    /// XXH3-128 of the set's bytes, 32 hex digits.
    xxh3: String,
    /// Length of the set's head: its fields before `,"instances":` (see `SetHead`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    head: Option<usize>,
    /// Its VMs counted by model version, priority and power state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vms: Option<Vec<VmCount>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Range {
    start: usize,
    end: usize,
}

/// The fields before `scaleSets`, in the document's order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Head<'a> {
    format: &'a str,
    schema_version: u32,
    lineage: &'a str,
    serial: u64,
    seed: u64,
    created_at: Timestamp,
    clock: Timestamp,
}

/// The fields after `scaleSets`, in the document's order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tail<'a> {
    retired_accrued: &'a Accrued,
    events: &'a [Event],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    events_dropped: &'a BTreeMap<String, u64>,
}

/// A writer that counts the bytes written through it.
struct Counting<W> {
    inner: W,
    at: usize,
}

impl<W: Write> Counting<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_all(bytes)?;
        self.at += bytes.len();
        Ok(())
    }
}

fn hex(hash: u128) -> String {
    format!("{hash:032x}")
}

/// Writes `state` as its file's JSON, the set index last. Sets carried in the file they were
/// read from are copied from `from` (that file), their hash checked as they are copied. A
/// state read to show (sets known by name only) is refused.
///
/// # Errors
/// The writer's errors; a set carried by name only; a carried set whose bytes in `from` are
/// not the ones indexed (or no `from` for it).
pub fn write_json(out: impl Write, state: &State, from: Option<&std::fs::File>) -> io::Result<()> {
    let mut w = Counting { inner: out, at: 0 };
    let head = serde_json::to_vec(&Head {
        format: &state.format,
        schema_version: SCHEMA_VERSION,
        lineage: &state.lineage,
        serial: state.serial,
        seed: state.seed,
        created_at: state.created_at,
        clock: state.clock,
    })?;
    // `{...}` without its closing brace: the document goes on.
    w.put(&head[..head.len() - 1])?;
    w.put(b",\"scaleSets\":")?;
    let array_start = w.at;
    w.put(b"[")?;
    let mut index = Vec::with_capacity(state.scale_sets.len() + state.scale_sets.carried().len());
    let mut scratch = Vec::new();
    let (mut parsed, mut carried) = (state.scale_sets.iter().peekable(), state.scale_sets.carried().iter().peekable());
    let mut first = true;
    loop {
        let take_parsed = match (parsed.peek(), carried.peek()) {
            (Some(p), Some(c)) => p.config.name <= c.name,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if !first {
            w.put(b",")?;
        }
        first = false;
        let start = w.at;
        let (name, hash, facts) = if take_parsed {
            let set = parsed.next().expect("peeked");
            scratch.clear();
            serde_json::to_writer(&mut scratch, set)?;
            w.put(&scratch)?;
            let vms = tally(set.instances.iter().map(|i| (i.model_version, i.priority, i.power_state)));
            (set.config.name.clone(), xxh3_128(&scratch), head_length(&scratch).map(|h| (h, vms)))
        } else {
            let set = carried.next().expect("peeked");
            let hash = match (&set.text, set.span, from) {
                (Some(text), _, _) => {
                    w.put(text.as_bytes())?;
                    set.hash.unwrap_or_else(|| xxh3_128(text.as_bytes()))
                }
                (None, Some(span), Some(file)) => copy_checked(file, span, set, &mut w, &mut scratch)?,
                _ => {
                    return Err(io::Error::other(format!(
                        "scale set '{}' was read by name only; a state read to show is never written",
                        set.name
                    )));
                }
            };
            // Counts the old index did not give (a file read without one): read from the text.
            let facts = set.facts.clone().or_else(|| {
                let text = set.text.as_deref()?;
                let summary: SetSummary = serde_json::from_str(text).ok()?;
                Some((head_length(text.as_bytes())?, summary.vms))
            });
            (set.name.clone(), hash, facts)
        };
        let (head, vms) = facts.map_or((None, None), |(h, v)| (Some(h), Some(v)));
        index.push(IndexedSet { name, start, end: w.at, xxh3: hex(hash), head, vms });
    }
    w.put(b"]")?;
    let array = Range { start: array_start, end: w.at };
    let tail = serde_json::to_vec(&Tail {
        retired_accrued: &state.retired_accrued,
        events: &state.events,
        events_dropped: &state.events_dropped,
    })?;
    // `{...}` without its braces, after a comma.
    w.put(b",")?;
    w.put(&tail[1..tail.len() - 1])?;
    w.put(b",\"setIndex\":")?;
    serde_json::to_writer(&mut w.inner, &SetIndex { array, sets: index })?;
    w.inner.write_all(b"}")
}

/// Copies a carried set's bytes from the file it was read from, in pieces through `buf`,
/// hashing them on the way: they must be the bytes the index described.
fn copy_checked<W: Write>(
    file: &std::fs::File,
    (start, end): (usize, usize),
    set: &CarriedSet,
    w: &mut Counting<W>,
    buf: &mut Vec<u8>,
) -> io::Result<u128> {
    use std::io::{Read, Seek, SeekFrom};
    const PIECE: usize = 1 << 20;
    let mut source = file;
    source.seek(SeekFrom::Start(start as u64))?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut left = end - start;
    while left > 0 {
        let n = left.min(PIECE);
        buf.resize(n, 0);
        source.read_exact(&mut buf[..n])?;
        hasher.update(&buf[..n]);
        w.put(&buf[..n])?;
        left -= n;
    }
    let hash = hasher.digest128();
    if Some(hash) != set.hash {
        return Err(io::Error::other(format!(
            "scale set '{}' changed in the state file while this command ran (its bytes no longer match the \
             index); nothing was written",
            set.name
        )));
    }
    Ok(hash)
}

/// The length of a serialised set's head: the bytes before `,"instances":[`, which follows
/// `"accrued"` in the field order the state is written in.
fn head_length(set_json: &[u8]) -> Option<usize> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let accrued = find(set_json, b",\"accrued\":")?;
    Some(accrued + find(&set_json[accrued..], b",\"instances\":[")?)
}

/// The state's file bytes (see [`write_json`]); every set must be in memory.
///
/// # Errors
/// As [`write_json`].
pub fn to_bytes(state: &State) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_json(&mut out, state, None)?;
    Ok(out)
}

/// The key that opens the index, the document's last field.
const KEY: &[u8] = b",\"setIndex\":";

/// The most of the file's end read to find the index (about 100 bytes a set: 10,000 sets).
const INDEX_WINDOW: usize = 1 << 20;

/// Where a state file's bytes come from: all in memory (a blob), or read piece by piece from
/// an open file, so a command that shows one set reads that set, the metadata and the log,
/// and nothing else.
pub trait Source {
    fn len(&self) -> usize;
    /// Bytes `start..end`, or `None` past the end or on a read error.
    fn get(&self, start: usize, end: usize) -> Option<Cow<'_, [u8]>>;
    /// Whether the bytes stay where a later write can copy them from (the state file itself,
    /// under the writer's lock): then sets carried unchanged are not read at all, only copied.
    fn stays(&self) -> bool {
        false
    }
    /// The XXH3-128 of bytes `start..end`.
    fn hash(&self, start: usize, end: usize) -> Option<u128> {
        self.get(start, end).map(|b| xxh3_128(&b))
    }
}

/// A file's bytes already in memory.
pub struct Memory<'a>(pub &'a [u8]);

impl Source for Memory<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, start: usize, end: usize) -> Option<Cow<'_, [u8]>> {
        (start <= end && end <= self.0.len()).then(|| Cow::Borrowed(&self.0[start..end]))
    }
}

/// An open state file read by position (the file a rename replaces stays readable through
/// its handle: one consistent version).
pub struct FileSource {
    file: std::fs::File,
    len: usize,
}

impl FileSource {
    #[must_use]
    pub fn new(file: std::fs::File, len: usize) -> Self {
        Self { file, len }
    }
}

impl Source for FileSource {
    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, start: usize, end: usize) -> Option<Cow<'_, [u8]>> {
        use std::io::{Read, Seek, SeekFrom};
        if start > end || end > self.len {
            return None;
        }
        // Read into spare capacity: no zeroing of a buffer about to be overwritten.
        let mut file = &self.file;
        file.seek(SeekFrom::Start(u64::try_from(start).ok()?)).ok()?;
        let mut buf = Vec::with_capacity(end - start);
        file.take(u64::try_from(end - start).ok()?).read_to_end(&mut buf).ok()?;
        (buf.len() == end - start).then_some(Cow::Owned(buf))
    }

    fn stays(&self) -> bool {
        true
    }

    /// Streamed through one small buffer: a large file is hashed without holding it.
    fn hash(&self, start: usize, end: usize) -> Option<u128> {
        use std::io::{Read, Seek, SeekFrom};
        if start > end || end > self.len {
            return None;
        }
        let mut file = &self.file;
        file.seek(SeekFrom::Start(u64::try_from(start).ok()?)).ok()?;
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let mut buf = vec![0; (end - start).min(1 << 18)];
        let mut left = end - start;
        while left > 0 {
            let n = left.min(buf.len());
            file.read_exact(&mut buf[..n]).ok()?;
            hasher.update(&buf[..n]);
            left -= n;
        }
        Some(hasher.digest128())
    }
}

/// The file's index, checked to tile the `scaleSets` array, and the document around the sets.
fn open_index(src: &dyn Source) -> Option<(SetIndex, StateDoc<Vec<Box<RawValue>>>)> {
    let len = src.len();
    let window_start = len.saturating_sub(INDEX_WINDOW);
    let window = src.get(window_start, len)?;
    let end = window.len() - window.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
    let body = window[..end].strip_suffix(b"}")?;
    // The index is small and last: look for its key from the end. A key cannot occur inside
    // a JSON string (its quotes would be escaped), so the last one is the document's own.
    let at = body.windows(KEY.len()).rposition(|w| w == KEY)?;
    let index: SetIndex = serde_json::from_slice(&body[at + KEY.len()..]).ok()?;
    let index_at = window_start + at;
    let array = &index.array;
    let byte = |i: usize| src.get(i, i + 1).map(|b| b[0]);
    if !(array.start + 1 < array.end && array.end <= index_at)
        || byte(array.start)? != b'['
        || byte(array.end - 1)? != b']'
    {
        return None;
    }
    // The sets tile the array: '[' set ',' set ... ']'.
    let mut next = array.start + 1;
    for (k, set) in index.sets.iter().enumerate() {
        if k > 0 {
            if byte(next)? != b',' {
                return None;
            }
            next += 1;
        }
        if set.start != next || set.end <= set.start || set.end > array.end - 1 {
            return None;
        }
        next = set.end;
    }
    if next != array.end - 1 {
        return None;
    }
    // The document without its sets: metadata, activity log, index.
    let mut rest = src.get(0, array.start)?.into_owned();
    rest.extend_from_slice(b"[]");
    rest.extend_from_slice(&src.get(array.end, len)?);
    let doc: StateDoc<Vec<Box<RawValue>>> = serde_json::from_slice(&rest).ok()?;
    if doc.format != FORMAT || doc.schema_version > SCHEMA_VERSION || !doc.scale_sets.is_empty() {
        return None;
    }
    Some((index, doc))
}

/// Reads the sets in `scope` through the file's index; `None` when the file has no index this
/// writer would have written, or anything in it does not check out (see the module
/// documentation). Never an error: the caller then reads the file the full way.
///
/// Sets parsed or carried to be written again are read whole and their hashes checked; a
/// state read to show (`Scope::Show`) reads and checks only the sets it shows.
#[must_use]
pub fn parse_indexed(src: &dyn Source, scope: &Scope) -> Option<State> {
    let (index, doc) = open_index(src)?;
    let wanted = |name: &str| match scope {
        Scope::All => true,
        Scope::Only(names) | Scope::Show(names) => names.iter().any(|n| n == name),
    };
    let mut parsed = Vec::new();
    let mut carried = Vec::new();
    for set in &index.sets {
        let keep = matches!(scope, Scope::Only(_));
        if !wanted(&set.name) && !keep {
            carried.push(CarriedSet { name: set.name.clone(), text: None, hash: None, span: None, facts: None });
            continue;
        }
        if !wanted(&set.name) && src.stays() {
            // Left in the file: the writer copies it, checking its hash as it reads it.
            let hash = u128::from_str_radix(&set.xxh3, 16).ok()?;
            carried.push(CarriedSet {
                name: set.name.clone(),
                text: None,
                hash: Some(hash),
                span: Some((set.start, set.end)),
                facts: set.head.zip(set.vms.clone()),
            });
            continue;
        }
        let text = src.get(set.start, set.end)?;
        let hash = xxh3_128(&text);
        if hex(hash) != set.xxh3 {
            return None;
        }
        if wanted(&set.name) {
            let one = serde_json::from_slice::<ScaleSet>(&text).ok()?;
            if one.config.name != set.name {
                return None;
            }
            parsed.push(one);
        } else {
            let text = String::from_utf8(text.into_owned()).ok()?;
            carried.push(CarriedSet {
                name: set.name.clone(),
                text: Some(text.into_boxed_str()),
                hash: Some(hash),
                span: None,
                facts: set.head.zip(set.vms.clone()),
            });
        }
    }
    let state = doc.map_sets(|_| ScaleSets::new(parsed, carried));
    state.check().ok()?;
    Some(StateDoc { schema_version: SCHEMA_VERSION, ..state })
}

/// Every set as a summary, through the file's index: the whole file is read and every set's
/// hash checked (so every byte is the one indexed), then of each set only its head is parsed,
/// its VMs' counts taken from the index. `None` when anything does not check out, or the index
/// lacks the heads and counts: the caller then reads the sets' JSON.
#[must_use]
pub fn parse_summaries_indexed(src: &dyn Source) -> Option<StateDoc<Vec<SetSummary>>> {
    let (index, doc) = open_index(src)?;
    let mut sets = Vec::with_capacity(index.sets.len());
    for set in index.sets {
        if hex(src.hash(set.start, set.end)?) != set.xxh3 {
            return None;
        }
        let (head_len, vms) = (set.head?, set.vms?);
        if head_len >= set.end - set.start {
            return None;
        }
        let mut head_json = src.get(set.start, set.start + head_len)?.into_owned();
        head_json.push(b'}');
        let head: SetHead = serde_json::from_slice(&head_json).ok()?;
        if head.config.name != set.name {
            return None;
        }
        sets.push(SetSummary::from_head(head, vms).ok()?);
    }
    if !sets.windows(2).all(|p| p[0].config.name < p[1].config.name) || doc.clock < doc.created_at {
        return None;
    }
    Some(StateDoc { schema_version: SCHEMA_VERSION, ..doc.map_sets(|_| sets) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::catalog::Catalog;

    fn state() -> State {
        let text = "scaleSets:\n  - { name: a, region: eastus, sku: Standard_D2s_v5, capacity: 2 }\n  \
                    - { name: b, region: eastus, sku: Standard_D2s_v5, capacity: 1 }\n  \
                    - { name: c, region: westus2, sku: Standard_D4s_v5, capacity: 3 }\n";
        let defs = crate::spec::parse_definition("t.yaml", text.as_bytes(), Catalog::builtin()).expect("valid");
        let at = jiff::Timestamp::UNIX_EPOCH;
        let mut state = State::new(1, at);
        for d in &defs {
            state.insert_set(crate::engine::capacity::create_set(d, at).expect("create").0);
        }
        state.events.push(Event::new(at, Some("b"), crate::model::event::EventKind::StateCreated, "x"));
        state
    }

    /// The document without its index field.
    fn without_index(bytes: &[u8]) -> Vec<u8> {
        let at = bytes.windows(KEY.len()).rposition(|w| w == KEY).expect("an index");
        let mut out = bytes[..at].to_vec();
        out.push(b'}');
        out
    }

    #[test]
    fn the_writer_writes_what_serde_writes_plus_the_index() {
        // Guards the Head and Tail field lists against drifting from the state's own.
        let state = state();
        let bytes = to_bytes(&state).unwrap();
        assert_eq!(without_index(&bytes), serde_json::to_vec(&state).unwrap());
        let parsed: State = serde_json::from_slice(&bytes).expect("the full parse reads it");
        assert_eq!(parsed, state);
    }

    #[test]
    fn one_set_is_read_and_the_others_carried_by_the_index() {
        let bytes = to_bytes(&state()).unwrap();
        let only = parse_indexed(&Memory(&bytes), &Scope::set("b")).expect("indexed");
        assert_eq!(only.scale_sets.iter().map(|s| s.config.name.as_str()).collect::<Vec<_>>(), ["b"]);
        assert_eq!(only.scale_sets.names(), ["a", "b", "c"]);
        assert_eq!(only.events.len(), 1);
        assert_eq!(to_bytes(&only).unwrap(), bytes, "written back byte for byte");
        let shown = parse_indexed(&Memory(&bytes), &Scope::show("c")).expect("indexed");
        assert_eq!(shown.scale_sets[0].capacity, 3);
        assert!(to_bytes(&shown).is_err(), "a state read to show is never written");
    }

    #[test]
    fn summaries_through_the_index_are_the_summaries_of_the_sets() {
        let state = state();
        let bytes = to_bytes(&state).unwrap();
        let via = parse_summaries_indexed(&Memory(&bytes)).expect("indexed");
        let expected: Vec<SetSummary> = state.scale_sets.iter().map(SetSummary::of).collect();
        assert_eq!(via.scale_sets, expected);
        assert_eq!(via.events, state.events);
        // A changed byte in any set: not taken from the index.
        let text = String::from_utf8(bytes).unwrap().replacen("\"capacity\":3", "\"capacity\":4", 1);
        assert!(parse_summaries_indexed(&Memory(text.as_bytes())).is_none());
    }

    #[test]
    fn anything_that_does_not_check_out_goes_the_full_way() {
        let bytes = to_bytes(&state()).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        // A byte of a carried set changed (same length): its hash no longer matches.
        let edited = text.replacen("\"capacity\":2", "\"capacity\":3", 1);
        assert_eq!(edited.len(), text.len());
        assert!(parse_indexed(&Memory(edited.as_bytes()), &Scope::set("b")).is_none());
        // Shown sets are checked too; a set not shown is not read at all.
        assert!(parse_indexed(&Memory(edited.as_bytes()), &Scope::show("a")).is_none());
        assert!(parse_indexed(&Memory(edited.as_bytes()), &Scope::show("b")).is_some());
        // Reformatted (offsets move), with a byte-order mark, cut short, without an index.
        let pretty = serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()).unwrap();
        let bom = [b"\xef\xbb\xbf".as_slice(), &bytes].concat();
        for broken in [pretty, bom, bytes[..bytes.len() - 5].to_vec(), without_index(&bytes)] {
            assert!(parse_indexed(&Memory(&broken), &Scope::set("b")).is_none());
        }
        // Trailing whitespace (a newline, as the file ends) is fine.
        let newline = [bytes.as_slice(), b"\n"].concat();
        assert!(parse_indexed(&Memory(&newline), &Scope::set("b")).is_some());
    }
}
