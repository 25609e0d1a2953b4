//! Power operations (start, stop, deallocate, restart, reimage) and Spot eviction.
//!
//! On the whole set they skip VMs protected from scale-set actions, VMs already where the
//! operation leads, and VMs busy with another operation (all listed in the event). Naming
//! instances overrides protection, but an instance that cannot take the operation (busy, or
//! stopped for a restart) refuses the whole request, which then changes nothing.

use jiff::Timestamp;

use crate::model::enums::{EvictionPolicy, PowerState, Priority, ProvisioningState};
use crate::model::event::{Event, EventKind};
use crate::model::instance::{Instance, Operation};
use crate::model::state::ScaleSet;

use super::capacity::list;
use super::error::EngineError;
use super::lifecycle;

/// What an operation would do to one VM.
enum Fit {
    Go,
    /// Already there: nothing to do.
    Noop,
    /// Cannot: why.
    No(String),
}

fn fit(op: Operation, inst: &Instance) -> Fit {
    use PowerState::{Deallocated, Running, Stopped};
    if inst.is_busy() {
        let what = inst.operation.map_or_else(|| inst.power_state.to_string(), |o| format!("busy with {o}"));
        return Fit::No(format!(
            "instance {} is {what} (until {})",
            inst.id,
            inst.busy_until.map_or_else(String::new, |t| t.to_string())
        ));
    }
    match (op, inst.power_state) {
        (Operation::Start, Stopped | Deallocated)
        | (Operation::Stop | Operation::Restart, Running)
        | (Operation::Deallocate, Running | Stopped)
        | (Operation::Reimage, _) => Fit::Go,
        (Operation::Start, Running) | (Operation::Stop, Stopped) | (Operation::Deallocate, Deallocated) => Fit::Noop,
        (Operation::Stop, Deallocated) => Fit::Noop,
        (Operation::Restart, state) => {
            Fit::No(format!("instance {} is {state}; start it instead of restarting", inst.id))
        }
        (_, state) => Fit::No(format!("instance {} is {state}", inst.id)),
    }
}

fn event_kind(op: Operation) -> EventKind {
    match op {
        Operation::Start => EventKind::Start,
        Operation::Stop => EventKind::Stop,
        Operation::Deallocate => EventKind::Deallocate,
        Operation::Restart => EventKind::Restart,
        Operation::Reimage => EventKind::Reimage,
        Operation::Update | Operation::Create => EventKind::Update,
    }
}

/// Runs a power operation on the named VMs, or on the whole set when `ids` is `None`.
///
/// # Errors
/// A named VM cannot take the operation.
pub fn operate(
    set: &mut ScaleSet,
    op: Operation,
    ids: Option<&[u32]>,
    now: Timestamp,
) -> Result<Vec<Event>, EngineError> {
    let name = set.config.name.clone();
    let mut chosen = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    match ids {
        Some(ids) => {
            for id in ids {
                let Some(k) = set.index_of(*id) else { continue };
                match fit(op, &set.instances[k]) {
                    Fit::Go => chosen.push(k),
                    Fit::Noop => skipped.push(format!("{id} (already done)")),
                    Fit::No(why) => {
                        return Err(EngineError::Invalid {
                            set: name,
                            message: format!("cannot {}: {why}", op.as_str().to_lowercase()),
                        });
                    }
                }
            }
        }
        None => {
            for (k, inst) in set.instances.iter().enumerate() {
                if inst.protect_from_scale_set_actions {
                    skipped.push(format!("{} (protected from scale-set actions)", inst.id));
                    continue;
                }
                match fit(op, inst) {
                    Fit::Go => chosen.push(k),
                    Fit::Noop => {}
                    Fit::No(_) => skipped.push(format!(
                        "{} ({})",
                        inst.id,
                        inst.operation.map_or_else(|| inst.power_state.to_string(), |o| format!("busy with {o}"))
                    )),
                }
            }
        }
    }
    if chosen.is_empty() && skipped.is_empty() {
        return Ok(Vec::new());
    }
    let duration = lifecycle::duration(set, op);
    let probe = set.probe_default;
    let mut done = Vec::with_capacity(chosen.len());
    for k in chosen {
        let inst = &mut set.instances[k];
        lifecycle::begin(inst, op, now, duration, probe);
        done.push(inst.id);
    }
    let verb = op.as_str().to_lowercase();
    let mut message =
        if done.is_empty() { format!("{verb}: nothing to do") } else { format!("{verb} {} ({duration})", list(&done)) };
    if !skipped.is_empty() {
        message.push_str(&format!("; skipped {}", skipped.join(", ")));
    }
    let reason = if ids.is_some() { format!("{verb} --instances") } else { format!("{verb} (whole set)") };
    Ok(vec![Event::new(now, Some(&name), event_kind(op), message).with_instances(done).with_reason(reason)])
}

/// Simulates the platform evicting Spot VMs: with evictionPolicy Deallocate they are
/// deallocated (still counted, disks still billed); with Delete they are deleted and the
/// capacity drops.
///
/// # Errors
/// A named VM is not Spot.
pub fn evict(set: &mut ScaleSet, ids: &[u32], now: Timestamp) -> Result<Vec<Event>, EngineError> {
    let name = set.config.name.clone();
    for id in ids {
        if let Some(k) = set.index_of(*id)
            && set.instances[k].priority != Priority::Spot
        {
            return Err(EngineError::Invalid {
                set: name,
                message: format!("instance {id} is Regular priority; only Spot VMs are evicted"),
            });
        }
    }
    let policy = set.config.eviction_policy.unwrap_or(EvictionPolicy::Deallocate);
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let from = set.capacity;
    match policy {
        EvictionPolicy::Deallocate => {
            for id in &sorted {
                if let Some(k) = set.index_of(*id) {
                    let inst = &mut set.instances[k];
                    inst.busy_until = None;
                    inst.operation = None;
                    inst.power_state = PowerState::Deallocated;
                    // Evicted mid-create or mid-update: the VM exists, deallocated.
                    if matches!(inst.provisioning_state, ProvisioningState::Creating | ProvisioningState::Updating) {
                        inst.provisioning_state = ProvisioningState::Succeeded;
                    }
                    inst.health = crate::model::enums::Health::Unknown;
                    inst.state_changed_at = now;
                }
            }
            Ok(vec![
                Event::new(
                    now,
                    Some(&name),
                    EventKind::Evicted,
                    format!("evicted {} (evictionPolicy Deallocate: deallocated, disks kept)", list(&sorted)),
                )
                .with_instances(sorted)
                .with_reason("Spot eviction"),
            ])
        }
        EvictionPolicy::Delete => {
            set.instances.retain(|i| !sorted.contains(&i.id));
            set.capacity = u32::try_from(set.instances.len()).unwrap_or(0);
            set.prune_models();
            Ok(vec![
                Event::new(
                    now,
                    Some(&name),
                    EventKind::Evicted,
                    format!(
                        "evicted {} (evictionPolicy Delete: deleted, capacity {from} -> {})",
                        list(&sorted),
                        set.capacity
                    ),
                )
                .with_instances(sorted)
                .with_capacity(from, set.capacity)
                .with_reason("Spot eviction"),
            ])
        }
    }
}

/// Injects what a health probe reports for the named VMs.
pub fn set_health(set: &mut ScaleSet, ids: &[u32], health: crate::model::enums::Health, now: Timestamp) -> Vec<Event> {
    let mut changed = Vec::new();
    for id in ids {
        if let Some(k) = set.index_of(*id)
            && set.instances[k].health != health
        {
            set.instances[k].health = health;
            changed.push(*id);
        }
    }
    if changed.is_empty() {
        return Vec::new();
    }
    changed.sort_unstable();
    let name = set.config.name.clone();
    vec![
        Event::new(now, Some(&name), EventKind::HealthChanged, format!("{} reported {health}", list(&changed)))
            .with_instances(changed)
            .with_reason("health probe (injected)"),
    ]
}
