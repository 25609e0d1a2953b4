//! Reading only what a command needs of a state's bytes: one set parsed and the others
//! carried as their exact text ([`parse_state_scoped`]), or every set as a summary
//! ([`parse_summaries`]). The set index (`indexed`) is tried first; without a usable one the
//! sets are delimited by a scan of the document, still without parsing the others; anything
//! unusual goes through the full parse (`parse_state`), so a refusal is always the full
//! parse's, with its line and column.

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::set_summary::SetSummary;
use crate::model::state::{CarriedSet, FORMAT, SCHEMA_VERSION, ScaleSet, ScaleSets, State, StateDoc};

use super::StoreError;
use super::state_file::parse_state;

/// Which sets a command reads: all of them, or only some, the others carried through as
/// their JSON untouched (`Only`, to change them) or known by name only (`Show`, to print:
/// such a state is never written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(Vec<String>),
    Show(Vec<String>),
}

impl Scope {
    /// One set by name, to change it.
    #[must_use]
    pub fn set(name: &str) -> Self {
        Scope::Only(vec![name.to_owned()])
    }

    /// One set by name, to show it.
    #[must_use]
    pub fn show(name: &str) -> Self {
        Scope::Show(vec![name.to_owned()])
    }

    fn wants(&self, name: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(names) | Scope::Show(names) => names.iter().any(|n| n == name),
        }
    }
}

/// `parse_state` for the sets in `scope` only: the document is checked as a whole JSON
/// text, the wanted sets are parsed and checked, the others are kept as the exact text they
/// were read as (see `model::state::ScaleSets`). A file that does not parse this way is
/// handed to the full parse, whose messages name the line and column.
///
/// # Errors
/// As `read_state`.
pub fn parse_state_scoped(path: &Path, bytes: &[u8], scope: &Scope) -> Result<State, StoreError> {
    if *scope == Scope::All {
        return parse_state(path, bytes);
    }
    // The file's own index first: no set but those asked for is parsed, or even scanned.
    if let Some(state) = super::indexed::parse_indexed(&super::indexed::Memory(bytes), scope) {
        return Ok(state);
    }
    // No usable index (a version 1 file, one edited by hand): the sets are delimited by a
    // scan of the document, still without parsing the others.
    let scoped = || -> Option<State> {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).ok()?;
        // Each set borrowed from the text: delimited, not copied.
        let doc: StateDoc<Vec<&RawValue>> = serde_json::from_str(text).ok()?;
        if doc.format != FORMAT || doc.schema_version > SCHEMA_VERSION {
            return None;
        }
        let mut parsed = Vec::new();
        let mut carried = Vec::new();
        for raw in &doc.scale_sets {
            let name = set_name(raw)?;
            if scope.wants(&name) {
                parsed.push(serde_json::from_str::<ScaleSet>(raw.get()).ok()?);
            } else {
                let text = matches!(scope, Scope::Only(_)).then(|| raw.get().into());
                carried.push(CarriedSet { name, text, hash: None, span: None, facts: None });
            }
        }
        let state = doc.map_sets(|_| ScaleSets::new(parsed, carried));
        state.check().ok()?;
        Some(StateDoc { schema_version: SCHEMA_VERSION, ..state })
    };
    // Anything unusual (an error to describe, a name that is not where this program writes
    // it) goes the full way: same result, or the precise message.
    scoped().map_or_else(|| parse_state(path, bytes), Ok)
}

/// The state with every set read as a summary (see `model::set_summary`): what `list`
/// needs, through the file's set index when it has one, else read from each set's JSON
/// without the VMs' other fields. Its own checks are those of the full parse for
/// what it reads; a file it cannot take this way goes through `parse_state`, which gives the
/// same summaries or the precise refusal.
///
/// # Errors
/// As `read_state`.
pub fn parse_summaries(path: &Path, bytes: &[u8]) -> Result<StateDoc<Vec<SetSummary>>, StoreError> {
    // The index first: every set's hash checked, only its head parsed.
    if let Some(doc) = super::indexed::parse_summaries_indexed(&super::indexed::Memory(bytes)) {
        return Ok(doc);
    }
    let fast = || -> Option<StateDoc<Vec<SetSummary>>> {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).ok()?;
        let doc: StateDoc<Vec<SetSummary>> = serde_json::from_str(text).ok()?;
        // Each set's invariants were checked as it was read.
        let ordered = doc.scale_sets.windows(2).all(|p| p[0].config.name < p[1].config.name);
        (doc.format == FORMAT && doc.schema_version <= SCHEMA_VERSION && doc.clock >= doc.created_at && ordered)
            .then_some(StateDoc { schema_version: SCHEMA_VERSION, ..doc })
    };
    fast().map_or_else(
        || parse_state(path, bytes).map(|state| state.map_sets(|sets| sets.iter().map(SetSummary::of).collect())),
        Ok,
    )
}

/// A set's name from its JSON: read straight from the front, where this program writes it
/// (`{"config":{"name":"..."`), else by parsing just that field.
fn set_name(raw: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Head {
        config: HeadConfig,
    }
    #[derive(Deserialize)]
    struct HeadConfig {
        name: String,
    }
    let text = raw.get();
    if let Some(rest) = text.strip_prefix(r#"{"config":{"name":""#)
        && let Some(end) = rest.find('"')
        && !rest[..end].contains('\\')
    {
        return Some(rest[..end].to_owned());
    }
    serde_json::from_str::<Head>(text).ok().map(|h| h.config.name)
}
