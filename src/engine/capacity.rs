//! Capacity changes: creating a set, scaling it out and in, deleting chosen instances.
//!
//! Guarantees: after every successful call the instance count equals the capacity; IDs are
//! never reused (they go up from the highest ever used); the capacity stays within the limit
//! of the set's orchestration mode and placement group; protected VMs are never removed by a
//! capacity reduction; with strict zone balance, nothing that would leave zones more than one
//! VM apart is done. A refused call leaves the set untouched.

use jiff::Timestamp;

use crate::model::enums::{Health, OrchestrationMode, PowerState, Priority, ProvisioningState};
use crate::model::event::{Event, EventKind};
use crate::model::instance::{Instance, Operation};
use crate::model::names;
use crate::model::state::{ScaleSet, VersionedModel};
use crate::spec::SetDefinition;

use super::error::EngineError;
use super::{lifecycle, placement, priority_mix, scale_in};

/// A new set with no VMs yet, then scaled to the definition's capacity.
///
/// # Errors
/// The capacity is refused (it cannot be for a validated definition, but the check stays).
pub fn create_set(def: &SetDefinition, now: Timestamp) -> Result<(ScaleSet, Vec<Event>), EngineError> {
    let mut set = ScaleSet {
        config: def.config.clone(),
        capacity: 0,
        model_version: 1,
        models: vec![VersionedModel { version: 1, model: def.config.model.clone() }],
        next_instance_id: 0,
        created_at: now,
        accrued: crate::model::accrual::Accrued::default(),
        instances: Vec::new(),
        extras: Vec::new(),
        probe_default: Health::Healthy,
        rolling_upgrade: None,
        repairs: crate::model::state::RepairState::default(),
        autoscale: crate::model::autoscale::AutoscaleRuntime::default(),
    };
    let name = set.config.name.clone();
    let mut events = vec![
        Event::new(
            now,
            Some(&name),
            EventKind::ScaleSetCreated,
            format!(
                "created {} set in {} ({}, {}), model version 1",
                set.config.orchestration_mode, set.config.region, set.config.model.sku, set.config.model.image
            ),
        )
        .with_capacity(0, def.capacity),
    ];
    events.extend(scale_to(&mut set, i64::from(def.capacity), now, "create")?);
    Ok((set, events))
}

/// Sets the capacity, creating or removing VMs as Azure would.
///
/// # Errors
/// Negative or above the limit; a scale-in blocked by protection; strict zone balance broken.
pub fn scale_to(set: &mut ScaleSet, target: i64, now: Timestamp, reason: &str) -> Result<Vec<Event>, EngineError> {
    let name = set.config.name.clone();
    let limit = set.config.max_capacity();
    if target < 0 {
        return Err(EngineError::Negative { set: name, requested: target });
    }
    if target > i64::from(limit) {
        let why = if limit == 100 {
            "a Uniform set in a single placement group holds at most 100 VMs (singlePlacementGroup: false allows 1000)"
        } else {
            "a scale set holds at most 1000 VMs"
        };
        return Err(EngineError::AboveLimit { set: name, requested: target, limit, why: why.into() });
    }
    let target = u32::try_from(target).unwrap_or(limit);
    let from = set.capacity;
    match target.cmp(&from) {
        std::cmp::Ordering::Equal => Ok(Vec::new()),
        std::cmp::Ordering::Greater => {
            let added = target - from;
            let mut trial = set.instances.clone();
            let next_id = set.next_instance_id;
            let ids = add_instances(set, &mut trial, added, now);
            if let Err(e) = check_zone_balance(set, &trial) {
                set.next_instance_id = next_id;
                return Err(e);
            }
            set.instances = trial;
            set.capacity = target;
            let mut events = vec![
                Event::new(
                    now,
                    Some(&name),
                    EventKind::ScaleOut,
                    format!("scaled out from {from} to {target}: created {}", list(&ids)),
                )
                .with_instances(ids)
                .with_capacity(from, target)
                .with_reason(reason),
            ];
            events.extend(overprovision(set, added, now));
            Ok(events)
        }
        std::cmp::Ordering::Less => {
            let regular_quota =
                set.config.priority_mix.map(|mix| priority_mix::regular_to_remove(mix, &set.instances, from - target));
            let victims =
                scale_in::choose(&set.config, &set.instances, from - target, regular_quota).map_err(|protected| {
                    EngineError::Protected {
                        set: name.clone(),
                        from,
                        to: target,
                        removable: from - u32::try_from(protected.len()).unwrap_or(from),
                        protected: protected.iter().map(u32::to_string).collect(),
                    }
                })?;
            let mut sorted = victims.clone();
            sorted.sort_unstable();
            let trial: Vec<Instance> =
                set.instances.iter().filter(|i| sorted.binary_search(&i.id).is_err()).cloned().collect();
            check_zone_balance(set, &trial)?;
            set.instances = trial;
            set.capacity = target;
            set.prune_models();
            let mut ids = victims;
            ids.sort_unstable();
            Ok(vec![
                Event::new(
                    now,
                    Some(&name),
                    EventKind::ScaleIn,
                    format!("scaled in from {from} to {target}: deleted {}", list(&ids)),
                )
                .with_instances(ids)
                .with_capacity(from, target)
                .with_reason(reason)
                .with_force_deletion(set.config.force_deletion),
            ])
        }
    }
}

/// Deletes the named VMs, protected or not (an explicit user operation); capacity drops by
/// as many.
///
/// # Errors
/// Strict zone balance would be broken.
pub fn delete_instances(set: &mut ScaleSet, ids: &[u32], now: Timestamp) -> Result<Vec<Event>, EngineError> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let trial: Vec<Instance> = set.instances.iter().filter(|i| sorted.binary_search(&i.id).is_err()).cloned().collect();
    check_zone_balance(set, &trial)?;
    let from = set.capacity;
    set.instances = trial;
    set.capacity = u32::try_from(set.instances.len()).unwrap_or(0);
    set.prune_models();
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let name = set.config.name.clone();
    Ok(vec![
        Event::new(
            now,
            Some(&name),
            EventKind::InstancesDeleted,
            format!("deleted {} (capacity {from} -> {})", list(&sorted), set.capacity),
        )
        .with_instances(sorted)
        .with_capacity(from, set.capacity)
        .with_reason("delete --instances")
        .with_force_deletion(set.config.force_deletion),
    ])
}

/// Reads instance references (an ID or a VM name) into IDs, in the order given, without
/// repeats.
///
/// # Errors
/// A reference names no VM of this set.
pub fn resolve_instances(set: &ScaleSet, refs: &[String]) -> Result<Vec<u32>, EngineError> {
    // `*` names every instance, as `az vmss ... --instance-ids '*'` does.
    if refs.iter().any(|r| r.trim() == "*") {
        return Ok(set.instances.iter().map(|i| i.id).collect());
    }
    let mut out = Vec::with_capacity(refs.len());
    for r in refs {
        let id = r.trim().parse::<u32>().ok().filter(|id| set.index_of(*id).is_some()).or_else(|| {
            set.instances
                .iter()
                .find(|i| names::instance_name(&set.config.name, set.config.orchestration_mode, i.id) == *r)
                .map(|i| i.id)
        });
        match id {
            Some(id) if !out.contains(&id) => out.push(id),
            Some(_) => {}
            None => {
                return Err(EngineError::UnknownInstance {
                    set: set.config.name.clone(),
                    id: r.clone(),
                    known: summarize_ids(set),
                });
            }
        }
    }
    Ok(out)
}

fn summarize_ids(set: &ScaleSet) -> String {
    let ids: Vec<u32> = set.instances.iter().map(|i| i.id).collect();
    if ids.is_empty() {
        return "none".into();
    }
    list(&ids)
}

/// "0, 1, 2" or, for long lists, "0, 1, 2, ... 999 (1000 in all)".
#[must_use]
pub fn list(ids: &[u32]) -> String {
    if ids.len() <= 12 {
        ids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    } else {
        let head: Vec<String> = ids[..5].iter().map(u32::to_string).collect();
        format!("{}, ... {} ({} in all)", head.join(", "), ids[ids.len() - 1], ids.len())
    }
}

/// Creates `count` VMs of the current model into `instances` (placed, priorities per the
/// mix) and returns their IDs. Advances the set's next ID.
pub fn add_instances(set: &mut ScaleSet, instances: &mut Vec<Instance>, count: u32, now: Timestamp) -> Vec<u32> {
    let slots = placement::place(&set.config, instances, count);
    let priorities = match set.config.priority_mix {
        Some(mix) => priority_mix::new_priorities(mix, instances, count),
        None => vec![set.current_model().priority; count as usize],
    };
    let mut ids = Vec::with_capacity(count as usize);
    for (slot, priority) in slots.into_iter().zip(priorities) {
        let id = set.next_instance_id;
        set.next_instance_id += 1;
        instances.push(new_instance(set, id, slot, priority, now));
        ids.push(id);
    }
    ids
}

/// Overprovisioning (Uniform, when enabled): 20% more VMs than requested, rounded up, are
/// created beside a scale-out and deleted once the requested ones run. They take IDs (hence
/// the gaps Azure shows) but never count toward capacity and are never billed.
fn overprovision(set: &mut ScaleSet, added: u32, now: Timestamp) -> Vec<Event> {
    if !set.config.overprovision || set.config.orchestration_mode != OrchestrationMode::Uniform || added == 0 {
        return Vec::new();
    }
    let extra = added.div_ceil(5);
    let mut all = set.instances.clone();
    all.extend(set.extras.iter().cloned());
    let before = all.len();
    let ids = add_instances(set, &mut all, extra, now);
    let name = set.config.name.clone();
    let mut events = vec![
        Event::new(
            now,
            Some(&name),
            EventKind::Overprovisioned,
            format!("overprovisioned {} extra VM(s): {}", ids.len(), list(&ids)),
        )
        .with_instances(ids.clone())
        .with_reason("overprovision"),
    ];
    let mut extras: Vec<Instance> = all.split_off(before);
    // With no provisioning time the requested VMs run at once: the extras go straight away.
    if set.config.provisioning_time.secs() == 0 {
        events.push(drop_extras_event(&name, &ids, now));
        extras.clear();
    }
    set.extras.extend(extras);
    events
}

/// The event for deleting overprovisioned extras.
#[must_use]
pub fn drop_extras_event(set: &str, ids: &[u32], now: Timestamp) -> Event {
    Event::new(
        now,
        Some(set),
        EventKind::Overprovisioned,
        format!("deleted overprovisioned extra VM(s) {} (requested VMs running)", list(ids)),
    )
    .with_instances(ids.iter().copied())
    .with_reason("overprovision")
}

fn new_instance(set: &ScaleSet, id: u32, slot: placement::Slot, priority: Priority, now: Timestamp) -> Instance {
    let mut inst = Instance {
        id,
        zone: slot.zone,
        fault_domain: slot.fault_domain,
        priority,
        power_state: PowerState::Creating,
        provisioning_state: ProvisioningState::Creating,
        health: Health::Unknown,
        model_version: set.model_version,
        protect_from_scale_in: false,
        protect_from_scale_set_actions: false,
        created_at: now,
        state_changed_at: now,
        busy_until: None,
        operation: None,
        repaired: false,
    };
    lifecycle::begin(&mut inst, Operation::Create, now, set.config.provisioning_time, set.probe_default);
    inst
}

/// With strict zone balance, every zone must stay within one VM of the others.
fn check_zone_balance(set: &ScaleSet, instances: &[Instance]) -> Result<(), EngineError> {
    if !set.config.zone_balance || set.config.zones.len() < 2 {
        return Ok(());
    }
    let counts: Vec<(u8, usize)> =
        set.config.zones.iter().map(|z| (*z, instances.iter().filter(|i| i.zone == Some(*z)).count())).collect();
    let max = counts.iter().map(|c| c.1).max().unwrap_or(0);
    let min = counts.iter().map(|c| c.1).min().unwrap_or(0);
    if max - min > 1 {
        let shown: Vec<String> = counts.iter().map(|(z, n)| format!("zone {z}: {n}")).collect();
        return Err(EngineError::ZoneImbalance { set: set.config.name.clone(), counts: shown.join(", ") });
    }
    Ok(())
}

/// The VM name of an instance.
#[must_use]
pub fn instance_name(set: &ScaleSet, id: u32) -> String {
    names::instance_name(&set.config.name, set.config.orchestration_mode, id)
}

/// Whether this mode names VMs with a hash suffix.
#[must_use]
pub fn is_flexible(set: &ScaleSet) -> bool {
    set.config.orchestration_mode == OrchestrationMode::Flexible
}
