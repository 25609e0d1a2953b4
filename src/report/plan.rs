//! `plan -o json`: one entry per set (what `apply` would do to it, with the fields before and
//! after) and the monthly cost change. Field order is alphabetical, as the document has always
//! been printed.

use serde::Serialize;

use crate::engine::plan::Change;
use crate::model::enums::UpgradeMode;
use crate::model::money::Money;

use super::cost_change::{CostChangeError, CostChangeView};

/// The whole `plan -o json` document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanReport {
    pub changes: Vec<PlanChange>,
    pub cost_change: CostChangeOrError,
    pub has_changes: bool,
}

/// The cost change, or why it is unknown (`{"error": "..."}`).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum CostChangeOrError {
    Known(CostChangeView),
    Unknown { error: String },
}

/// One entry with the change in its set's monthly cost, when the cost change is known and the
/// set's cost changes (the same figure as in `costChange.scaleSets`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanChange {
    #[serde(flatten)]
    pub entry: PlanEntry,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "cents_if_known")]
    pub monthly_cost_change: Option<Money>,
}

#[allow(clippy::ref_option)] // serde passes a reference
fn cents_if_known<S: serde::Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => crate::model::money::json::cents(m, s),
        None => s.serialize_none(),
    }
}

/// What `apply` would do to one set.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum PlanEntry {
    Create { action: &'static str, capacity: u32, name: String },
    Update(Box<PlanUpdate>),
    Delete { action: &'static str, instances: u32, name: String },
    Orphan { action: &'static str, name: String, note: &'static str },
}

/// A set that exists and is defined: `update`, or `none` when nothing differs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanUpdate {
    pub action: &'static str,
    pub capacity: Option<OldNew<u32>>,
    pub capacity_held_by_autoscale: Option<HeldCapacity>,
    pub model: Vec<FieldChange>,
    pub name: String,
    pub outdated_instance_ids: Vec<String>,
    pub outdated_instances: usize,
    pub settings: Vec<FieldChange>,
    pub upgrade_mode: UpgradeMode,
}

#[derive(Debug, Serialize)]
pub struct OldNew<T> {
    pub new: T,
    pub old: T,
}

/// The capacity autoscale holds, beside the one the definition gives.
#[derive(Debug, Serialize)]
pub struct HeldCapacity {
    pub current: u32,
    pub defined: u32,
}

/// One field's old and new value, as JSON text.
#[derive(Debug, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub new: String,
    pub old: String,
}

impl PlanEntry {
    /// The entry of one planned change.
    #[must_use]
    pub fn of(change: &Change) -> Self {
        match change {
            Change::Create { name, capacity } => {
                PlanEntry::Create { action: "create", capacity: *capacity, name: name.clone() }
            }
            Change::Update { name, capacity, capacity_held, model, outdated, upgrade_mode, settings } => {
                PlanEntry::Update(Box::new(PlanUpdate {
                    action: if change.is_change() { "update" } else { "none" },
                    capacity: capacity.map(|(old, new)| OldNew { old, new }),
                    capacity_held_by_autoscale: capacity_held
                        .map(|(current, defined)| HeldCapacity { current, defined }),
                    model: fields(model),
                    name: name.clone(),
                    outdated_instance_ids: outdated.iter().map(u32::to_string).collect(),
                    outdated_instances: outdated.len(),
                    settings: fields(settings),
                    upgrade_mode: *upgrade_mode,
                }))
            }
            Change::Delete { name, instances } => {
                PlanEntry::Delete { action: "delete", instances: *instances, name: name.clone() }
            }
            Change::Orphan { name } => PlanEntry::Orphan {
                action: "none",
                name: name.clone(),
                note: "not in the definition; apply --prune deletes it",
            },
        }
    }
}

impl PlanReport {
    /// The document of a plan and its priced cost change.
    #[must_use]
    pub fn new(changes: &[Change], cost_change: &Result<CostChangeView, CostChangeError>) -> Self {
        Self {
            changes: changes
                .iter()
                .map(|change| PlanChange {
                    entry: PlanEntry::of(change),
                    monthly_cost_change: cost_change.as_ref().ok().and_then(|view| {
                        view.scale_sets.iter().find(|s| s.name == change.name()).map(|s| s.monthly_cost_change)
                    }),
                })
                .collect(),
            cost_change: match cost_change {
                Ok(view) => CostChangeOrError::Known(view.clone()),
                Err(error) => CostChangeOrError::Unknown { error: error.to_string() },
            },
            has_changes: changes.iter().any(Change::is_change),
        }
    }
}

/// (field, old, new) triples as [`FieldChange`]s.
fn fields<F: ToString>(list: &[(F, String, String)]) -> Vec<FieldChange> {
    list.iter().map(|(f, a, b)| FieldChange { field: f.to_string(), old: a.clone(), new: b.clone() }).collect()
}
