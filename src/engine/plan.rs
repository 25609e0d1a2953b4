//! `plan` and `apply`: what it takes to make the state match the definition, and doing it.
//!
//! For each defined set: create it if missing; otherwise compare. Fields fixed at creation
//! (orchestration mode, region, fault domains, computer name prefix, removing zones,
//! placement group false -> true) cannot change: the plan refuses them. A change to the VM
//! model bumps the model version: new VMs get it, existing ones become outdated (rolling the
//! change out follows the upgrade policy). Other settings change in place. Capacity follows
//! the definition, except on a set with autoscale, whose capacity autoscale owns.
//! Sets in the state but not in the definition are deleted only with `--prune`.

use jiff::Timestamp;

use crate::model::config::ScaleSetConfig;
use crate::model::enums::UpgradeMode;
use crate::model::event::{Event, EventKind};
use crate::model::state::{State, VersionedModel};
use crate::spec::SetDefinition;

use super::capacity;
use super::error::EngineError;

/// One pending change.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Create {
        name: String,
        capacity: u32,
    },
    Update {
        name: String,
        capacity: Option<(u32, u32)>,
        /// Capacity left alone because autoscale owns it: (state, definition).
        capacity_held: Option<(u32, u32)>,
        /// Model fields: (field, old, new), and the VMs that become outdated.
        model: Vec<(&'static str, String, String)>,
        outdated: Vec<u32>,
        upgrade_mode: UpgradeMode,
        settings: Vec<(String, String, String)>,
    },
    Delete {
        name: String,
        instances: u32,
    },
    /// In the state, not in the definition, and not pruned.
    Orphan {
        name: String,
    },
}

impl Change {
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Change::Create { name, .. }
            | Change::Update { name, .. }
            | Change::Delete { name, .. }
            | Change::Orphan { name } => name,
        }
    }

    /// Whether applying would change the state.
    #[must_use]
    pub fn is_change(&self) -> bool {
        match self {
            Change::Create { .. } | Change::Delete { .. } => true,
            Change::Update { capacity, model, settings, .. } => {
                capacity.is_some() || !model.is_empty() || !settings.is_empty()
            }
            Change::Orphan { .. } => false,
        }
    }
}

/// What `apply` would do for the selected sets (all when `only` is empty).
///
/// # Errors
/// A selected name is not defined, or a defined set changes a field fixed at creation.
pub fn plan(
    defs: &[SetDefinition],
    state: Option<&State>,
    only: &[String],
    prune: bool,
    file: &str,
) -> Result<Vec<Change>, Vec<EngineError>> {
    let mut errors = Vec::new();
    for name in only {
        let defined = defs.iter().any(|d| d.config.name == *name);
        let prunable = prune && state.and_then(|s| s.set(name)).is_some();
        if !defined && !prunable {
            errors.push(EngineError::NotDefined {
                name: name.clone(),
                file: file.to_owned(),
                hint: crate::suggest::hint(name, defs.iter().map(|d| d.config.name.as_str())),
            });
        }
    }
    let selected = |name: &str| only.is_empty() || only.iter().any(|n| n == name);
    let mut changes = Vec::new();
    for def in defs.iter().filter(|d| selected(&d.config.name)) {
        let name = def.config.name.clone();
        match state.and_then(|s| s.set(&name)) {
            None => changes.push(Change::Create { name, capacity: def.capacity }),
            Some(set) => {
                if let Err(e) = check_immutable(&set.config, &def.config) {
                    errors.push(e);
                    continue;
                }
                let model = set.current_model().differences(&def.config.model);
                let outdated = if model.is_empty() { Vec::new() } else { set.instances.iter().map(|i| i.id).collect() };
                let autoscaled = def.config.autoscale.as_ref().is_some_and(|a| a.enabled);
                let (capacity, capacity_held) = if set.capacity == def.capacity {
                    (None, None)
                } else if autoscaled {
                    (None, Some((set.capacity, def.capacity)))
                } else {
                    (Some((set.capacity, def.capacity)), None)
                };
                changes.push(Change::Update {
                    name,
                    capacity,
                    capacity_held,
                    model,
                    outdated,
                    upgrade_mode: def.config.upgrade_policy.mode,
                    settings: settings_diff(&set.config, &def.config),
                });
            }
        }
    }
    if let Some(state) = state {
        for set in &state.scale_sets {
            let name = &set.config.name;
            if defs.iter().any(|d| d.config.name == *name) || !selected(name) {
                continue;
            }
            changes.push(if prune {
                Change::Delete { name: name.clone(), instances: set.capacity }
            } else {
                Change::Orphan { name: name.clone() }
            });
        }
    }
    if errors.is_empty() { Ok(changes) } else { Err(errors) }
}

/// Carries out a plan on the state.
///
/// # Errors
/// An engine refusal (for example a scale-in blocked by protection); the caller discards the
/// state, so nothing is half-applied.
pub fn apply(
    state: &mut State,
    defs: &[SetDefinition],
    changes: &[Change],
    now: Timestamp,
) -> Result<Vec<Event>, EngineError> {
    let mut events = Vec::new();
    for change in changes {
        match change {
            Change::Create { name, .. } => {
                let def = find(defs, name);
                let (set, evs) = capacity::create_set(def, now)?;
                state.insert_set(set);
                events.extend(evs);
            }
            Change::Update { name, capacity, model, settings, .. } => {
                let def = find(defs, name);
                let set = state
                    .set_mut(name)
                    .ok_or_else(|| EngineError::SetNotFound { name: name.clone(), hint: String::new() })?;
                if !model.is_empty() {
                    let from = set.model_version;
                    set.model_version = set.model_version.checked_add(1).ok_or_else(|| {
                        EngineError::Limit(format!(
                            "scale set '{name}': the model version is at its maximum ({from}); nothing was changed"
                        ))
                    })?;
                    set.models.push(VersionedModel { version: set.model_version, model: def.config.model.clone() });
                    let fields: Vec<String> = model.iter().map(|(f, a, b)| format!("{f}: {a} -> {b}")).collect();
                    events.push(
                        Event::new(
                            now,
                            Some(name),
                            EventKind::ModelUpdated,
                            format!("model version {from} -> {}: {}", set.model_version, fields.join("; ")),
                        )
                        .with_reason("apply"),
                    );
                }
                if !settings.is_empty() || !model.is_empty() {
                    set.config = def.config.clone();
                }
                if !model.is_empty() {
                    events.extend(super::upgrade::on_model_change(set, now));
                }
                if !settings.is_empty() {
                    let fields: Vec<&str> = settings.iter().map(|(f, _, _)| f.as_str()).collect();
                    events.push(
                        Event::new(
                            now,
                            Some(name),
                            EventKind::ScaleSetUpdated,
                            format!("updated {}", fields.join(", ")),
                        )
                        .with_reason("apply"),
                    );
                }
                if let Some((_, to)) = capacity {
                    events.extend(capacity::scale_to(set, i64::from(*to), now, "apply")?);
                }
            }
            Change::Delete { name, instances } => {
                if let Ok(k) = state.scale_sets.binary_search_by(|s| s.config.name.as_str().cmp(name)) {
                    let set = state.scale_sets.remove(k);
                    state.retired_accrued.absorb(set.accrued);
                    events.push(
                        Event::new(
                            now,
                            Some(name),
                            EventKind::ScaleSetDeleted,
                            format!("deleted the scale set and its {instances} VM(s)"),
                        )
                        .with_reason("apply --prune"),
                    );
                }
            }
            Change::Orphan { .. } => {}
        }
    }
    Ok(events)
}

fn find<'a>(defs: &'a [SetDefinition], name: &str) -> &'a SetDefinition {
    // Plans are only built from these definitions, so the name is always there.
    defs.iter().find(|d| d.config.name == name).unwrap_or(&defs[0])
}

fn check_immutable(old: &ScaleSetConfig, new: &ScaleSetConfig) -> Result<(), EngineError> {
    let refuse = |message: String| Err(EngineError::Invalid { set: old.name.clone(), message });
    if old.orchestration_mode != new.orchestration_mode {
        return refuse(format!(
            "orchestrationMode is fixed at creation ({} -> {} refused); delete and recreate the set",
            old.orchestration_mode, new.orchestration_mode
        ));
    }
    if old.region != new.region {
        return refuse(format!("region is fixed at creation ({} -> {} refused)", old.region, new.region));
    }
    if let Some(z) = old.zones.iter().find(|z| !new.zones.contains(z)) {
        return refuse(format!("zones can be added but never removed (zone {z} is missing from the definition)"));
    }
    if old.platform_fault_domain_count != new.platform_fault_domain_count {
        return refuse(format!(
            "platformFaultDomainCount is fixed at creation ({} -> {} refused)",
            old.platform_fault_domain_count, new.platform_fault_domain_count
        ));
    }
    if old.computer_name_prefix != new.computer_name_prefix {
        return refuse(format!(
            "computerNamePrefix is fixed at creation ('{}' -> '{}' refused)",
            old.computer_name_prefix, new.computer_name_prefix
        ));
    }
    if !old.single_placement_group && new.single_placement_group {
        return refuse("singlePlacementGroup can change from true to false, never back to true".into());
    }
    Ok(())
}

/// Differences outside the VM model, as (field, old, new) with values in JSON.
fn settings_diff(old: &ScaleSetConfig, new: &ScaleSetConfig) -> Vec<(String, String, String)> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // Keys of both sides: a setting left out when unset (skipped in JSON) may appear on either.
    let null = serde_json::Value::Null;
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        if key == "model" {
            continue;
        }
        let old_value = a.get(key).unwrap_or(&null);
        let new_value = b.get(key).unwrap_or(&null);
        if old_value != new_value {
            out.push((key.clone(), old_value.to_string(), new_value.to_string()));
        }
    }
    out
}
