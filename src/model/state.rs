//! The whole state: metadata (schema, lineage, serial, seed, logical clock), the scale sets
//! with their VMs, and the activity log.
//!
//! Invariants, checked by [`State::check`] whenever a file is read: instance IDs are unique,
//! ascending and below the set's next ID; the instance count equals the capacity; every
//! instance's model version exists in the set's model history; names are unique.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::accrual::Accrued;
use super::autoscale::AutoscaleRuntime;

use super::config::{ScaleSetConfig, VmModel};
use super::enums::Health;
use super::event::Event;
use super::instance::Instance;

/// A broken invariant of the state, described for a person (the set, the instance, the rule).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BrokenInvariant(String);

impl BrokenInvariant {
    pub(crate) fn new(message: String) -> Self {
        Self(message)
    }
}

/// Marks a file as ours; a JSON file without it is refused rather than overwritten.
pub const FORMAT: &str = "scaleset-state";
/// Bumped on any incompatible change; a newer file is refused, never downgraded.
/// Version 2 added the set index (`setIndex`, the last field): version 1 files are read and
/// written back as version 2.
pub const SCHEMA_VERSION: u32 = 2;

/// The state as commands use it: every set parsed, or (a command on some sets only) the
/// others carried as their JSON (see [`ScaleSets`]).
pub type State = StateDoc<ScaleSets>;

/// The state document, generic over how its scale sets are held: [`ScaleSets`] for commands,
/// raw JSON per set while a scoped load picks the sets it parses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateDoc<Sets> {
    pub format: String,
    pub schema_version: u32,
    /// Fixed at creation: identifies this state's history (like Terraform's lineage).
    pub lineage: String,
    /// Incremented by every change written.
    pub serial: u64,
    pub seed: u64,
    pub created_at: Timestamp,
    /// The logical clock: moves only with `advance`.
    pub clock: Timestamp,
    /// Sorted by name.
    pub scale_sets: Sets,
    /// Cost accrued by scale sets since deleted.
    #[serde(default)]
    pub retired_accrued: Accrued,
    pub events: Vec<Event>,
    /// Activity-log entries dropped to keep the log bounded, per set ("" for state-wide ones).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub events_dropped: std::collections::BTreeMap<String, u64>,
    /// Where each set's JSON sits in the file and its hash, written last by the state writer
    /// (`store::indexed`) so a command can read one set without parsing the others. Derived
    /// data: accepted and ignored here.
    #[serde(default, skip_serializing)]
    pub set_index: SetIndexField,
}

/// The `setIndex` field as the document sees it: skipped when parsed, never serialised by
/// serde (the state writer writes it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetIndexField;

impl<'de> Deserialize<'de> for SetIndexField {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| SetIndexField)
    }
}

/// One scale set and its VMs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleSet {
    pub config: ScaleSetConfig,
    /// Desired VM count (`sku.capacity`).
    pub capacity: u32,
    /// The current model version; new VMs get it.
    pub model_version: u32,
    /// Models still in use by some VM, and the current one, by version.
    pub models: Vec<VersionedModel>,
    /// IDs are never reused: the next VM gets this one.
    pub next_instance_id: u32,
    pub created_at: Timestamp,
    #[serde(default)]
    pub accrued: Accrued,
    /// Sorted by ID.
    pub instances: Vec<Instance>,
    /// Overprovisioned VMs: created beside a scale-out, deleted once the requested VMs run.
    /// Not counted in capacity, never billed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<Instance>,
    /// What the health probe reports for a VM once it runs (a broken image reports Unhealthy).
    #[serde(default = "healthy", skip_serializing_if = "is_healthy")]
    pub probe_default: Health,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_upgrade: Option<RollingUpgrade>,
    #[serde(default, skip_serializing_if = "RepairState::is_default")]
    pub repairs: RepairState,
    #[serde(default, skip_serializing_if = "AutoscaleRuntime::is_default")]
    pub autoscale: AutoscaleRuntime,
}

fn healthy() -> Health {
    Health::Healthy
}

fn is_healthy(h: &Health) -> bool {
    *h == Health::Healthy
}

super::named_enum::named_enum! {
    /// Status of a rolling upgrade, as Azure reports it.
    pub enum RollingStatus {
        RollingForward => "RollingForward",
        Cancelled => "Cancelled",
        Completed => "Completed",
        Faulted => "Faulted",
    }
}

/// The latest rolling upgrade of a set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RollingUpgrade {
    pub status: RollingStatus,
    /// The model version being rolled out.
    pub target_version: u32,
    pub started_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// Start or Cancel.
    pub last_action: String,
    /// VMs upgraded, and of those, the ones that failed.
    pub succeeded: Vec<u32>,
    pub failed: Vec<u32>,
    /// The batch in progress (old VMs being updated, or with maxSurge, being replaced).
    pub in_progress: Vec<u32>,
    /// With maxSurge: the new VMs created for the batch in progress.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub surge: Vec<u32>,
    /// Not yet upgraded, in upgrade order.
    pub pending: Vec<u32>,
    /// Batches started so far.
    pub batches: u32,
    /// Earliest time the next batch may start (after pauseTimeBetweenBatches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_batch_at: Option<Timestamp>,
    /// Why it stopped, when Faulted or Cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

super::named_enum::named_enum! {
    /// Whether automatic repairs run (Azure's orchestration service state).
    pub enum ServiceState { Running => "Running", Suspended => "Suspended", NotRunning => "NotRunning" }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RepairState {
    pub service_state: ServiceState,
    /// Repairs whose VM needed repairing again; reset by a healthy repaired VM or a resume.
    pub consecutive_failures: u32,
}

impl Default for RepairState {
    fn default() -> Self {
        Self { service_state: ServiceState::Running, consecutive_failures: 0 }
    }
}

impl RepairState {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionedModel {
    pub version: u32,
    pub model: VmModel,
}

impl<Sets> StateDoc<Sets> {
    /// The same document with its sets held another way.
    pub fn map_sets<To>(self, f: impl FnOnce(Sets) -> To) -> StateDoc<To> {
        StateDoc {
            format: self.format,
            schema_version: self.schema_version,
            lineage: self.lineage,
            serial: self.serial,
            seed: self.seed,
            created_at: self.created_at,
            clock: self.clock,
            scale_sets: f(self.scale_sets),
            retired_accrued: self.retired_accrued,
            events: self.events,
            events_dropped: self.events_dropped,
            set_index: self.set_index,
        }
    }
}

/// The scale sets of a state, sorted by name: those parsed (all of them, unless a command
/// asked for some only) and those carried as the exact JSON they were read as, written back
/// byte for byte in their place. Reads and changes go to the parsed ones (it dereferences to
/// them); a carried set is neither read nor changed, only kept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScaleSets {
    parsed: Vec<ScaleSet>,
    carried: Vec<CarriedSet>,
}

/// A set kept as the JSON text it was read as: in memory (`text`), or left in the state file
/// it was read from (`span`, its byte range there, and `hash`, its hash from the file's
/// index: the store's writer copies those bytes into the new file, checking the hash as it
/// goes). By name only when the state was read to show, not to change (such a state cannot be
/// written).
#[derive(Clone, Debug)]
pub struct CarriedSet {
    pub name: String,
    pub text: Option<Box<str>>,
    pub hash: Option<u128>,
    pub span: Option<(usize, usize)>,
    /// What the file's index said of it besides its place: the length of its head (the
    /// fields before its VMs) and its VMs' counts, carried into the next index.
    pub facts: Option<(usize, Vec<super::set_summary::VmCount>)>,
}

impl PartialEq for CarriedSet {
    /// The same set, the same text or the same place (the hash follows from the text).
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.text == other.text && self.span == other.span
    }
}

impl ScaleSets {
    /// Parsed sets and carried ones (each list sorted by name).
    #[must_use]
    pub fn new(parsed: Vec<ScaleSet>, carried: Vec<CarriedSet>) -> Self {
        Self { parsed, carried }
    }

    /// The sets carried unparsed.
    #[must_use]
    pub fn carried(&self) -> &[CarriedSet] {
        &self.carried
    }

    /// Every set's name, parsed or carried, in name order.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.parsed.iter().map(|s| s.config.name.as_str()).collect();
        names.extend(self.carried.iter().map(|c| c.name.as_str()));
        names.sort_unstable();
        names
    }
}

impl From<Vec<ScaleSet>> for ScaleSets {
    fn from(parsed: Vec<ScaleSet>) -> Self {
        Self { parsed, carried: Vec::new() }
    }
}

impl std::ops::Deref for ScaleSets {
    type Target = Vec<ScaleSet>;
    fn deref(&self) -> &Vec<ScaleSet> {
        &self.parsed
    }
}

impl std::ops::DerefMut for ScaleSets {
    fn deref_mut(&mut self) -> &mut Vec<ScaleSet> {
        &mut self.parsed
    }
}

impl<'a> IntoIterator for &'a ScaleSets {
    type Item = &'a ScaleSet;
    type IntoIter = std::slice::Iter<'a, ScaleSet>;
    fn into_iter(self) -> Self::IntoIter {
        self.parsed.iter()
    }
}

impl<'a> IntoIterator for &'a mut ScaleSets {
    type Item = &'a mut ScaleSet;
    type IntoIter = std::slice::IterMut<'a, ScaleSet>;
    fn into_iter(self) -> Self::IntoIter {
        self.parsed.iter_mut()
    }
}

impl Serialize for ScaleSets {
    /// One array in name order, carried sets written as read.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.parsed.len() + self.carried.len()))?;
        let (mut p, mut c) = (self.parsed.iter().peekable(), self.carried.iter().peekable());
        loop {
            match (p.peek(), c.peek()) {
                (Some(set), Some(carried)) if set.config.name.as_str() <= carried.name.as_str() => {
                    seq.serialize_element(*set)?;
                    p.next();
                }
                (_, Some(carried)) => {
                    let Some(text) = &carried.text else {
                        return Err(serde::ser::Error::custom(format!(
                            "scale set '{}' is not in memory (read by name only, or left in its file for \
                             the state writer to copy)",
                            carried.name
                        )));
                    };
                    // The state writer copies the text itself; this general path re-reads it.
                    let json = serde_json::value::RawValue::from_string(text.to_string())
                        .map_err(serde::ser::Error::custom)?;
                    seq.serialize_element(&json)?;
                    c.next();
                }
                (Some(set), None) => {
                    seq.serialize_element(*set)?;
                    p.next();
                }
                (None, None) => break,
            }
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for ScaleSets {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<ScaleSet>::deserialize(deserializer).map(Self::from)
    }
}

impl State {
    /// A new, empty state.
    #[must_use]
    pub fn new(seed: u64, start: Timestamp) -> Self {
        let h = super::names::stable_hash(&[&seed.to_le_bytes(), start.to_string().as_bytes()]);
        let h2 = super::names::stable_hash(&[&h.to_le_bytes()]);
        let lineage = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            h >> 32,
            (h >> 16) & 0xffff,
            h & 0xffff,
            h2 >> 48,
            h2 & 0xffff_ffff_ffff
        );
        Self {
            format: FORMAT.to_owned(),
            schema_version: SCHEMA_VERSION,
            lineage,
            serial: 0,
            seed,
            created_at: start,
            clock: start,
            scale_sets: ScaleSets::default(),
            retired_accrued: Accrued::default(),
            events: Vec::new(),
            events_dropped: std::collections::BTreeMap::new(),
            set_index: SetIndexField,
        }
    }

    #[must_use]
    pub fn set(&self, name: &str) -> Option<&ScaleSet> {
        self.scale_sets.binary_search_by(|s| s.config.name.as_str().cmp(name)).ok().map(|i| &self.scale_sets[i])
    }

    pub fn set_mut(&mut self, name: &str) -> Option<&mut ScaleSet> {
        self.scale_sets.binary_search_by(|s| s.config.name.as_str().cmp(name)).ok().map(|i| &mut self.scale_sets[i])
    }

    /// Inserts a set keeping the name order.
    pub fn insert_set(&mut self, set: ScaleSet) {
        let at =
            self.scale_sets.binary_search_by(|s| s.config.name.as_str().cmp(&set.config.name)).unwrap_or_else(|i| i);
        self.scale_sets.insert(at, set);
    }

    /// Keeps the newest `keep` activity-log entries of each set (and of the state-wide ones),
    /// counting the dropped ones in `events_dropped`, so a long run cannot grow the file
    /// without bound. Order is kept.
    pub fn trim_events(&mut self, keep: usize) {
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut kept = vec![true; self.events.len()];
        for (k, e) in self.events.iter().enumerate().rev() {
            let count = seen.entry(e.scale_set.as_deref().unwrap_or("")).or_insert(0);
            *count += 1;
            kept[k] = *count <= keep;
        }
        if kept.iter().all(|k| *k) {
            return;
        }
        let mut k = 0;
        let dropped = &mut self.events_dropped;
        self.events.retain(|e| {
            let keep_it = kept[k];
            k += 1;
            if !keep_it {
                *dropped.entry(e.scale_set.clone().unwrap_or_default()).or_insert(0) += 1;
            }
            keep_it
        });
    }

    /// Checks the invariants listed in the module documentation.
    ///
    /// # Errors
    /// The first broken invariant, described for a person.
    pub fn check(&self) -> Result<(), BrokenInvariant> {
        if self.clock < self.created_at {
            return Err(BrokenInvariant(format!(
                "the clock {} is before the creation time {}",
                self.clock, self.created_at
            )));
        }
        for pair in self.scale_sets.windows(2) {
            if pair[0].config.name >= pair[1].config.name {
                return Err(BrokenInvariant(format!(
                    "scale set '{}' is listed twice or out of order",
                    pair[1].config.name
                )));
            }
        }
        // Carried sets are not read, but their names count: no two sets share one.
        if !self.scale_sets.carried().is_empty() {
            for pair in self.scale_sets.names().windows(2) {
                if pair[0] == pair[1] {
                    return Err(BrokenInvariant(format!("scale set '{}' is listed twice", pair[1])));
                }
            }
        }
        for set in &self.scale_sets {
            set.check()?;
        }
        Ok(())
    }
}

/// The model of `version` among a set's models: what a set and its summary both look up.
pub(crate) fn model_in(models: &[VersionedModel], version: u32) -> Option<&VmModel> {
    models.iter().find(|m| m.version == version).map(|m| &m.model)
}

impl ScaleSet {
    /// The model a version refers to.
    #[must_use]
    pub fn model(&self, version: u32) -> Option<&VmModel> {
        model_in(&self.models, version)
    }

    /// The current model.
    #[must_use]
    pub fn current_model(&self) -> &VmModel {
        model_in(&self.models, self.model_version).unwrap_or(&self.config.model)
    }

    /// Position of an instance by ID.
    #[must_use]
    pub fn index_of(&self, id: u32) -> Option<usize> {
        self.instances.binary_search_by_key(&id, |i| i.id).ok()
    }

    /// Drops model versions no VM uses any more (the current one always stays).
    pub fn prune_models(&mut self) {
        let current = self.model_version;
        let instances = &self.instances;
        self.models.retain(|m| m.version == current || instances.iter().any(|i| i.model_version == m.version));
    }

    fn check(&self) -> Result<(), BrokenInvariant> {
        super::set_summary::check_set(
            &self.config,
            self.capacity,
            self.model_version,
            &self.models,
            self.next_instance_id,
            self.instances.iter().map(super::set_summary::InstanceFacts::of),
        )
    }
}
