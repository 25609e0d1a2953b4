//! A scale set as `list` and `cost` see it: its head (configuration, models, accrued cost) and
//! its VMs counted by the facts that are priced or counted (model version, priority, power
//! state). Read three ways with the same result: from a set's JSON, its VMs' other fields
//! (timestamps, health, operations: most of a large state file) skipped unread; from a set's
//! head and the VM counts the state file's set index keeps ([`SetSummary::from_head`]); or
//! made from a full [`ScaleSet`] ([`SetSummary::of`]).
//!
//! Guarantee: read from JSON, a set's invariants are checked by `check_set`, the function
//! `ScaleSet::check` uses, with the same rules and messages (capacity = VM count, IDs ascending
//! and below the next ID, known model versions, zones the set uses, protection flags); from the
//! index, what the counts can say (as many VMs as the capacity, known model versions).

use serde::{Deserialize, Serialize};

use super::accrual::Accrued;
use super::config::{ScaleSetConfig, VmModel};
use super::enums::{PowerState, Priority};
use super::state::{BrokenInvariant, ScaleSet, VersionedModel};

/// What a summary keeps of one VM; its other fields are skipped unread (the full parse
/// ignores unknown VM fields too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceFacts {
    pub id: u32,
    #[serde(default)]
    pub zone: Option<u8>,
    pub priority: Priority,
    pub power_state: PowerState,
    pub model_version: u32,
    #[serde(default)]
    pub protect_from_scale_in: bool,
    #[serde(default)]
    pub protect_from_scale_set_actions: bool,
}

/// A field read past without being parsed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Skipped;

impl<'de> Deserialize<'de> for Skipped {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| Skipped)
    }
}

impl InstanceFacts {
    #[must_use]
    pub fn of(i: &super::instance::Instance) -> Self {
        Self {
            id: i.id,
            zone: i.zone,
            priority: i.priority,
            power_state: i.power_state,
            model_version: i.model_version,
            protect_from_scale_in: i.protect_from_scale_in,
            protect_from_scale_set_actions: i.protect_from_scale_set_actions,
        }
    }
}

/// How many VMs share a model version, a priority and a power state: all that pricing and
/// `list` count of VMs. Short keys: the set index of a state file carries these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmCount {
    #[serde(rename = "v")]
    pub model_version: u32,
    #[serde(rename = "p")]
    pub priority: Priority,
    #[serde(rename = "s")]
    pub power_state: PowerState,
    #[serde(rename = "n")]
    pub count: u64,
}

/// The counts of VMs by (model version, priority, power state), in that order.
#[must_use]
pub fn tally(vms: impl Iterator<Item = (u32, Priority, PowerState)>) -> Vec<VmCount> {
    let mut counts: std::collections::BTreeMap<(u32, Priority, PowerState), u64> = std::collections::BTreeMap::new();
    for key in vms {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .map(|((model_version, priority, power_state), count)| VmCount { model_version, priority, power_state, count })
        .collect()
}

/// The fields of a set before its VMs, as the state writes them: what a reader with the set
/// index parses of a set (the VMs' counts come from the index).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetHead {
    pub config: ScaleSetConfig,
    pub capacity: u32,
    pub model_version: u32,
    pub models: Vec<VersionedModel>,
    pub next_instance_id: u32,
    #[serde(default, rename = "createdAt")]
    _created_at: Skipped,
    #[serde(default)]
    pub accrued: Accrued,
}

/// A set's JSON as a summary reads it: the head, the VMs' facts, the rest skipped (named, so
/// an unknown field is refused as the full parse refuses it).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetJson {
    config: ScaleSetConfig,
    capacity: u32,
    model_version: u32,
    models: Vec<VersionedModel>,
    next_instance_id: u32,
    #[serde(default, rename = "createdAt")]
    _created_at: Skipped,
    #[serde(default)]
    accrued: Accrued,
    instances: Vec<InstanceFacts>,
    #[serde(default, rename = "extras")]
    _extras: Skipped,
    #[serde(default, rename = "probeDefault")]
    _probe_default: Skipped,
    #[serde(default, rename = "rollingUpgrade")]
    _rolling_upgrade: Skipped,
    #[serde(default, rename = "repairs")]
    _repairs: Skipped,
    #[serde(default, rename = "autoscale")]
    _autoscale: Skipped,
}

/// A scale set without its VMs' details: its head and the counts of its VMs.
#[derive(Clone, Debug, PartialEq)]
pub struct SetSummary {
    pub config: ScaleSetConfig,
    pub capacity: u32,
    pub model_version: u32,
    pub models: Vec<VersionedModel>,
    pub accrued: Accrued,
    pub vms: Vec<VmCount>,
}

impl<'de> Deserialize<'de> for SetSummary {
    /// From a set's JSON: the VMs' facts are read, checked (the invariants of the full
    /// parse), and counted.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let set = SetJson::deserialize(deserializer)?;
        check_set(
            &set.config,
            set.capacity,
            set.model_version,
            &set.models,
            set.next_instance_id,
            set.instances.iter().copied(),
        )
        .map_err(serde::de::Error::custom)?;
        Ok(Self {
            vms: tally(set.instances.iter().map(|i| (i.model_version, i.priority, i.power_state))),
            config: set.config,
            capacity: set.capacity,
            model_version: set.model_version,
            models: set.models,
            accrued: set.accrued,
        })
    }
}

impl SetSummary {
    /// The summary of a full set.
    #[must_use]
    pub fn of(set: &ScaleSet) -> Self {
        Self {
            config: set.config.clone(),
            capacity: set.capacity,
            model_version: set.model_version,
            models: set.models.clone(),
            accrued: set.accrued,
            vms: tally(set.instances.iter().map(|i| (i.model_version, i.priority, i.power_state))),
        }
    }

    /// A summary from a set's head and the counts of its VMs (the set index's), checked for
    /// what they can say: as many VMs as the capacity, every model version known.
    ///
    /// # Errors
    /// The counts do not fit the head.
    pub fn from_head(head: SetHead, vms: Vec<VmCount>) -> Result<Self, BrokenInvariant> {
        let name = &head.config.name;
        let total: u64 = vms.iter().map(|v| v.count).sum();
        let known = |version: u32| head.models.iter().any(|m| m.version == version);
        if total != u64::from(head.capacity)
            || !known(head.model_version)
            || !vms.iter().all(|v| known(v.model_version))
        {
            return Err(BrokenInvariant::new(format!(
                "scale set '{name}': the index's VM counts do not match the set"
            )));
        }
        Ok(Self {
            config: head.config,
            capacity: head.capacity,
            model_version: head.model_version,
            models: head.models,
            accrued: head.accrued,
            vms,
        })
    }

    /// The current model (as `ScaleSet::current_model`).
    #[must_use]
    pub fn current_model(&self) -> &VmModel {
        super::state::model_in(&self.models, self.model_version).unwrap_or(&self.config.model)
    }

    /// VMs in all.
    #[must_use]
    pub fn vm_count(&self) -> u64 {
        self.vms.iter().map(|v| v.count).sum()
    }

    /// VMs in a power state.
    #[must_use]
    pub fn count_in(&self, state: PowerState) -> u64 {
        self.vms.iter().filter(|v| v.power_state == state).map(|v| v.count).sum()
    }

    /// VMs not on the current model.
    #[must_use]
    pub fn outdated(&self) -> u64 {
        self.vms.iter().filter(|v| v.model_version != self.model_version).map(|v| v.count).sum()
    }
}

/// The invariants of one set, over its VMs' facts: shared by [`SetSummary::check`] and
/// `ScaleSet::check`, so both refuse the same states with the same words.
pub(crate) fn check_set(
    config: &ScaleSetConfig,
    capacity: u32,
    model_version: u32,
    models: &[VersionedModel],
    next_instance_id: u32,
    instances: impl ExactSizeIterator<Item = InstanceFacts>,
) -> Result<(), BrokenInvariant> {
    let name = &config.name;
    let known = |version: u32| models.iter().any(|m| m.version == version);
    let count = u32::try_from(instances.len()).unwrap_or(u32::MAX);
    if count != capacity {
        return Err(BrokenInvariant::new(format!("scale set '{name}' has capacity {capacity} but {count} instances")));
    }
    if !known(model_version) {
        return Err(BrokenInvariant::new(format!("scale set '{name}' has no model for its version {model_version}")));
    }
    let mut last: Option<u32> = None;
    for i in instances {
        if last.is_some_and(|l| l >= i.id) {
            return Err(BrokenInvariant::new(format!(
                "scale set '{name}' lists instance {} twice or out of order",
                i.id
            )));
        }
        last = Some(i.id);
        if i.id >= next_instance_id {
            return Err(BrokenInvariant::new(format!(
                "scale set '{name}': instance {} is not below the next ID {next_instance_id}",
                i.id
            )));
        }
        if !known(i.model_version) {
            return Err(BrokenInvariant::new(format!(
                "scale set '{name}': instance {} refers to unknown model version {}",
                i.id, i.model_version
            )));
        }
        if let Some(z) = i.zone
            && !config.zones.contains(&z)
        {
            return Err(BrokenInvariant::new(format!(
                "scale set '{name}': instance {} is in zone {z}, which the set does not use",
                i.id
            )));
        }
        if i.protect_from_scale_set_actions && !i.protect_from_scale_in {
            return Err(BrokenInvariant::new(format!(
                "scale set '{name}': instance {} is protected from scale-set actions but not from scale-in",
                i.id
            )));
        }
    }
    Ok(())
}
