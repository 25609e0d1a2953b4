//! Bringing VMs to the latest model (reference section 5).
//!
//! - Manual: nothing happens until `upgrade NAME --instances ...|--all`.
//! - Automatic: every outdated VM is updated at once when the model changes.
//! - Rolling: batches of maxBatchInstancePercent of the set, rounded down but at least one VM,
//!   in upgrade order (unhealthy first with prioritizeUnhealthyInstances, then by ID). Before
//!   each batch: abort (Faulted) if more than maxUnhealthyInstancePercent of the set is
//!   Unhealthy. After each batch: abort if more than maxUnhealthyUpgradedInstancePercent of the
//!   VMs upgraded so far are Unhealthy. Then wait pauseTimeBetweenBatches. With maxSurge, each
//!   batch first creates as many new VMs on the latest model, and deletes the old ones once the
//!   new ones run. Progress is checked every logical minute. Without enableCrossZoneUpgrade
//!   (Azure's default), a batch never mixes zones: it takes only VMs of the zone of the first
//!   VM in upgrade order, so it may be smaller than the percentage; with it, zones are ignored.
//!
//! Set-wide upgrades skip VMs protected from scale-set actions; naming a VM overrides that.

use jiff::Timestamp;

use crate::model::enums::{Health, PowerState, UpgradeMode};
use crate::model::event::{Event, EventKind};
use crate::model::instance::Operation;
use crate::model::state::{RollingStatus, RollingUpgrade, ScaleSet};

use super::capacity::{self, list};
use super::error::EngineError;
use super::lifecycle;

/// Updates the named VMs (or, with `None`, every outdated VM not protected from scale-set
/// actions) to the latest model.
///
/// # Errors
/// A named VM is busy with another operation.
pub fn update_instances(
    set: &mut ScaleSet,
    ids: Option<&[u32]>,
    now: Timestamp,
    reason: &str,
) -> Result<Vec<Event>, EngineError> {
    let name = set.config.name.clone();
    let current = set.model_version;
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    match ids {
        Some(ids) => {
            for id in ids {
                let Some(k) = set.index_of(*id) else { continue };
                let inst = &set.instances[k];
                if inst.model_version == current {
                    skipped.push(format!("{id} (already latest)"));
                } else if inst.is_busy() {
                    return Err(EngineError::Invalid {
                        set: name,
                        message: format!(
                            "cannot upgrade instance {id}: it is busy with {}",
                            inst.operation.map_or("an operation", |o| o.as_str())
                        ),
                    });
                } else {
                    chosen.push(k);
                }
            }
        }
        None => {
            for (k, inst) in set.instances.iter().enumerate() {
                if inst.model_version == current {
                    continue;
                }
                if inst.protect_from_scale_set_actions {
                    skipped.push(format!("{} (protected from scale-set actions)", inst.id));
                } else if inst.is_busy() {
                    skipped.push(format!("{} (busy)", inst.id));
                } else {
                    chosen.push(k);
                }
            }
        }
    }
    if chosen.is_empty() && skipped.is_empty() {
        return Ok(Vec::new());
    }
    let ids = begin_update(set, &chosen, now);
    set.prune_models();
    let mut message = if ids.is_empty() {
        "upgrade: nothing to do".to_owned()
    } else {
        format!("upgrading {} to model version {current}", list(&ids))
    };
    if !skipped.is_empty() {
        message.push_str(&format!("; skipped {}", skipped.join(", ")));
    }
    Ok(vec![Event::new(now, Some(&name), EventKind::Update, message).with_instances(ids).with_reason(reason)])
}

/// Puts VMs on the current model. A running VM goes through Updating (a reboot); a stopped or
/// deallocated one takes the model as it is and stays powered off (it boots on it next time),
/// so an upgrade never starts, or bills, a VM the user turned off.
fn begin_update(set: &mut ScaleSet, indices: &[usize], now: Timestamp) -> Vec<u32> {
    let duration = lifecycle::duration(set, Operation::Update);
    let (current, probe) = (set.model_version, set.probe_default);
    let mut ids = Vec::with_capacity(indices.len());
    for k in indices {
        let inst = &mut set.instances[*k];
        inst.model_version = current;
        if matches!(inst.power_state, PowerState::Stopped | PowerState::Deallocated) {
            inst.state_changed_at = now;
        } else {
            lifecycle::begin(inst, Operation::Update, now, duration, probe);
        }
        ids.push(inst.id);
    }
    ids
}

/// Automatic policy, every logical minute: VMs that were busy (or protected, then unprotected)
/// when the model changed are updated as soon as they can be.
pub fn automatic_step(set: &mut ScaleSet, now: Timestamp, events: &mut Vec<Event>) {
    if set.config.upgrade_policy.mode != UpgradeMode::Automatic {
        return;
    }
    let current = set.model_version;
    let ready: Vec<usize> = set
        .instances
        .iter()
        .enumerate()
        .filter(|(_, i)| i.model_version != current && !i.is_busy() && !i.protect_from_scale_set_actions)
        .map(|(k, _)| k)
        .collect();
    if ready.is_empty() {
        return;
    }
    let ids = begin_update(set, &ready, now);
    set.prune_models();
    let name = set.config.name.clone();
    events.push(
        Event::new(now, Some(&name), EventKind::Update, format!("upgrading {} to model version {current}", list(&ids)))
            .with_instances(ids)
            .with_reason("upgrade policy Automatic"),
    );
}

/// Reacts to a new model version per the upgrade policy.
#[must_use]
pub fn on_model_change(set: &mut ScaleSet, now: Timestamp) -> Vec<Event> {
    match set.config.upgrade_policy.mode {
        UpgradeMode::Manual => Vec::new(),
        UpgradeMode::Automatic => update_instances(set, None, now, "upgrade policy Automatic").unwrap_or_default(),
        UpgradeMode::Rolling => {
            if set.rolling_upgrade.as_ref().is_some_and(|r| r.status == RollingStatus::RollingForward) {
                retarget(set, now)
            } else {
                start_rolling(set, now).unwrap_or_default()
            }
        }
    }
}

/// A model change during a rolling upgrade: the upgrade goes on to the newest model, and VMs
/// already upgraded to the previous target are upgraded again.
fn retarget(set: &mut ScaleSet, now: Timestamp) -> Vec<Event> {
    let current = set.model_version;
    let name = set.config.name.clone();
    let Some(mut r) = set.rolling_upgrade.take() else { return Vec::new() };
    let from = r.target_version;
    r.target_version = current;
    // Everything not on the newest model, the batch in progress included: it finishes on the
    // old target and is upgraded again in a later batch.
    r.pending = set
        .instances
        .iter()
        .filter(|i| i.model_version != current && !i.protect_from_scale_set_actions)
        .map(|i| i.id)
        .collect();
    let pending = r.pending.clone();
    r.succeeded.retain(|id| !pending.contains(id));
    r.failed.retain(|id| !pending.contains(id));
    let event = Event::new(
        now,
        Some(&name),
        EventKind::RollingUpgradeStarted,
        format!("rolling upgrade retargeted from model version {from} to {current}: {} VM(s) pending", r.pending.len()),
    )
    .with_reason("model changed during a rolling upgrade");
    set.rolling_upgrade = Some(r);
    vec![event]
}

/// Starts a rolling upgrade of every outdated VM.
///
/// # Errors
/// One is already rolling forward.
pub fn start_rolling(set: &mut ScaleSet, now: Timestamp) -> Result<Vec<Event>, EngineError> {
    let name = set.config.name.clone();
    if set.rolling_upgrade.as_ref().is_some_and(|r| r.status == RollingStatus::RollingForward) {
        return Err(EngineError::Invalid {
            set: name,
            message: "a rolling upgrade is already rolling forward (rolling-upgrade cancel stops it)".into(),
        });
    }
    let current = set.model_version;
    let prioritize = set.config.upgrade_policy.rolling_upgrade_policy.prioritize_unhealthy_instances;
    let mut pending: Vec<(bool, u32)> = set
        .instances
        .iter()
        .filter(|i| i.model_version != current && !i.protect_from_scale_set_actions)
        .map(|i| (!(prioritize && i.health != Health::Healthy), i.id))
        .collect();
    pending.sort_unstable();
    let pending: Vec<u32> = pending.into_iter().map(|(_, id)| id).collect();
    let mut events = vec![
        Event::new(
            now,
            Some(&name),
            EventKind::RollingUpgradeStarted,
            format!("rolling upgrade to model version {current} started: {} VM(s) to upgrade", pending.len()),
        )
        .with_instances(pending.iter().copied())
        .with_reason("rolling-upgrade start"),
    ];
    set.rolling_upgrade = Some(RollingUpgrade {
        status: RollingStatus::RollingForward,
        target_version: current,
        started_at: now,
        ended_at: None,
        last_action: "Start".into(),
        succeeded: Vec::new(),
        failed: Vec::new(),
        in_progress: Vec::new(),
        surge: Vec::new(),
        pending,
        batches: 0,
        next_batch_at: Some(now),
        error: None,
    });
    step(set, now, &mut events);
    Ok(events)
}

/// Cancels the rolling upgrade: the batch in progress finishes, no new batch starts.
///
/// # Errors
/// No rolling upgrade is in progress.
pub fn cancel_rolling(set: &mut ScaleSet, now: Timestamp) -> Result<Vec<Event>, EngineError> {
    let name = set.config.name.clone();
    let Some(r) = set.rolling_upgrade.as_mut().filter(|r| r.status == RollingStatus::RollingForward) else {
        return Err(EngineError::Invalid { set: name, message: "no rolling upgrade is in progress".into() });
    };
    r.status = RollingStatus::Cancelled;
    r.last_action = "Cancel".into();
    r.ended_at = Some(now);
    r.next_batch_at = None;
    Ok(vec![
        Event::new(
            now,
            Some(&name),
            EventKind::RollingUpgradeCancelled,
            format!("rolling upgrade cancelled: {} upgraded, {} pending", r.succeeded.len(), r.pending.len()),
        )
        .with_reason("rolling-upgrade cancel"),
    ])
}

/// Moves a rolling upgrade forward at `now`: finishes a completed batch, checks health, starts
/// the next batch. Called at every logical minute and right after a start.
pub fn step(set: &mut ScaleSet, now: Timestamp, events: &mut Vec<Event>) {
    // Instant operations (provisioningTime 0s) can finish several batches in one instant;
    // each pass makes progress or stops.
    for _ in 0..=set.instances.len() + 1 {
        if !step_once(set, now, events) {
            break;
        }
    }
}

#[allow(clippy::too_many_lines)] // one state machine, read top to bottom
fn step_once(set: &mut ScaleSet, now: Timestamp, events: &mut Vec<Event>) -> bool {
    // Taken first: most minutes have no upgrade in progress and copy nothing.
    let Some(mut r) = set.rolling_upgrade.take() else { return false };
    let name = set.config.name.clone();
    let policy = set.config.upgrade_policy.rolling_upgrade_policy.clone();
    let mut progressed = false;
    // 1. A batch in progress: done when none of its VMs (or surge VMs) is busy.
    if !r.in_progress.is_empty() || !r.surge.is_empty() {
        let watched: Vec<u32> = if r.surge.is_empty() { r.in_progress.clone() } else { r.surge.clone() };
        let busy = watched.iter().any(|id| set.index_of(*id).is_some_and(|k| set.instances[k].is_busy()));
        if busy {
            set.rolling_upgrade = Some(r);
            return false;
        }
        if !r.surge.is_empty() {
            // The new VMs run: delete the old ones they replace.
            let old = std::mem::take(&mut r.in_progress);
            let from = set.capacity;
            set.instances.retain(|i| !old.contains(&i.id));
            set.capacity = u32::try_from(set.instances.len()).unwrap_or(0);
            set.prune_models();
            events.push(
                Event::new(
                    now,
                    Some(&name),
                    EventKind::RollingUpgradeBatch,
                    format!("batch {}: surge VMs running, deleted old {}", r.batches, list(&old)),
                )
                .with_instances(old)
                .with_capacity(from, set.capacity)
                .with_reason("maxSurge"),
            );
            r.in_progress = std::mem::take(&mut r.surge);
        }
        // VMs deleted during their batch (a scale-in, a repair) were not upgraded; VMs that
        // finished on an older target (the model changed meanwhile) are still pending.
        let target = r.target_version;
        let batch: Vec<u32> = std::mem::take(&mut r.in_progress)
            .into_iter()
            .filter(|id| set.index_of(*id).is_some_and(|k| set.instances[k].model_version == target))
            .collect();
        let is_unhealthy = |id: &u32| set.index_of(*id).is_some_and(|k| set.instances[k].health == Health::Unhealthy);
        for id in &batch {
            if is_unhealthy(id) { r.failed.push(*id) } else { r.succeeded.push(*id) }
        }
        let upgraded = r.succeeded.len() + r.failed.len();
        let bad = r.succeeded.iter().chain(&r.failed).filter(|id| is_unhealthy(id)).count();
        events.push(
            Event::new(
                now,
                Some(&name),
                EventKind::RollingUpgradeBatch,
                format!("batch {} done: {} upgraded ({upgraded} so far, {bad} unhealthy)", r.batches, list(&batch)),
            )
            .with_instances(batch)
            .with_reason("rolling upgrade"),
        );
        if bad * 100 > upgraded * usize::from(policy.max_unhealthy_upgraded_instance_percent) {
            fault(
                &mut r,
                now,
                format!(
                    "{bad} of {upgraded} upgraded VM(s) are unhealthy, above maxUnhealthyUpgradedInstancePercent {}%",
                    policy.max_unhealthy_upgraded_instance_percent
                ),
                &name,
                events,
            );
            set.rolling_upgrade = Some(r);
            return false;
        }
        r.next_batch_at = now.checked_add(policy.pause_time_between_batches.as_signed()).ok();
        progressed = true;
    }
    if r.status != RollingStatus::RollingForward || r.next_batch_at.is_none_or(|t| t > now) {
        set.rolling_upgrade = Some(r);
        return progressed;
    }
    // 2. Start the next batch.
    let target = r.target_version;
    r.pending.retain(|id| set.index_of(*id).is_some_and(|k| set.instances[k].model_version != target));
    if r.pending.is_empty() {
        r.status = RollingStatus::Completed;
        r.ended_at = Some(now);
        r.next_batch_at = None;
        events.push(
            Event::new(
                now,
                Some(&name),
                EventKind::RollingUpgradeCompleted,
                format!(
                    "rolling upgrade completed: {} VM(s) upgraded in {} batch(es)",
                    r.succeeded.len() + r.failed.len(),
                    r.batches
                ),
            )
            .with_reason("rolling upgrade"),
        );
        set.rolling_upgrade = Some(r);
        return false;
    }
    let total = set.instances.len();
    let unhealthy = set.instances.iter().filter(|i| i.health == Health::Unhealthy).count();
    if unhealthy * 100 > total * usize::from(policy.max_unhealthy_instance_percent) {
        fault(
            &mut r,
            now,
            format!(
                "{unhealthy} of {total} VM(s) are unhealthy, above maxUnhealthyInstancePercent {}%",
                policy.max_unhealthy_instance_percent
            ),
            &name,
            events,
        );
        set.rolling_upgrade = Some(r);
        return false;
    }
    let mut size = batch_size(total, policy.max_batch_instance_percent).min(r.pending.len());
    // maxSurge never takes the set above its limit: the batch shrinks to the room left, and
    // with no room at all the batch is updated in place.
    let room = usize::try_from(set.config.max_capacity().saturating_sub(set.capacity)).unwrap_or(0);
    let surge = policy.max_surge && room > 0;
    if surge {
        size = size.min(room);
    }
    // Busy VMs wait for the next minute. Without enableCrossZoneUpgrade (Azure's default), a
    // batch stays inside one zone: the zone of the first VM in upgrade order.
    let ready: Vec<(u32, Option<u8>)> = r
        .pending
        .iter()
        .filter_map(|id| set.index_of(*id).map(|k| (*id, &set.instances[k])))
        .filter(|(_, vm)| !vm.is_busy())
        .map(|(id, vm)| (id, vm.zone))
        .collect();
    let zone_of_batch = ready.first().map(|(_, zone)| *zone);
    let batch: Vec<u32> = ready
        .iter()
        .filter(|(_, zone)| policy.enable_cross_zone_upgrade || Some(*zone) == zone_of_batch)
        .map(|(id, _)| *id)
        .take(size)
        .collect();
    if batch.is_empty() {
        set.rolling_upgrade = Some(r);
        return progressed;
    }
    r.pending.retain(|id| !batch.contains(id));
    r.batches += 1;
    if surge {
        let from = set.capacity;
        let mut trial = std::mem::take(&mut set.instances);
        let new_ids = capacity::add_instances(set, &mut trial, u32::try_from(batch.len()).unwrap_or(0), now);
        set.instances = trial;
        set.capacity = u32::try_from(set.instances.len()).unwrap_or(0);
        events.push(
            Event::new(
                now,
                Some(&name),
                EventKind::RollingUpgradeBatch,
                format!("batch {}: surge {} created to replace {}", r.batches, list(&new_ids), list(&batch)),
            )
            .with_instances(new_ids.iter().copied())
            .with_capacity(from, set.capacity)
            .with_reason("maxSurge"),
        );
        r.surge = new_ids;
        r.in_progress = batch;
    } else {
        let indices: Vec<usize> = batch.iter().filter_map(|id| set.index_of(*id)).collect();
        let ids = begin_update(set, &indices, now);
        events.push(
            Event::new(
                now,
                Some(&name),
                EventKind::RollingUpgradeBatch,
                format!("batch {}: upgrading {} to model version {target}", r.batches, list(&ids)),
            )
            .with_instances(ids.iter().copied())
            .with_reason("rolling upgrade"),
        );
        r.in_progress = ids;
        set.prune_models();
    }
    set.rolling_upgrade = Some(r);
    true
}

fn fault(r: &mut RollingUpgrade, now: Timestamp, why: String, set: &str, events: &mut Vec<Event>) {
    r.status = RollingStatus::Faulted;
    r.ended_at = Some(now);
    r.next_batch_at = None;
    events.push(
        Event::new(now, Some(set), EventKind::RollingUpgradeFaulted, format!("rolling upgrade aborted: {why}"))
            .with_reason("rolling upgrade policy"),
    );
    r.error = Some(why);
}

/// VMs per batch: the percentage of the set, rounded down, at least one.
#[must_use]
pub fn batch_size(total: usize, percent: u8) -> usize {
    (total * usize::from(percent) / 100).max(1)
}

#[cfg(test)]
mod tests {
    use super::batch_size;

    #[test]
    fn batches_round_down_but_never_to_zero() {
        assert_eq!(batch_size(10, 20), 2);
        assert_eq!(batch_size(3, 20), 1);
        assert_eq!(batch_size(7, 50), 3);
        assert_eq!(batch_size(100, 100), 100);
        assert_eq!(batch_size(0, 20), 1);
    }
}

#[cfg(test)]
mod rolling_tests {
    //! The rolling upgrade state machine on a real set, stepped by hand.

    use super::*;
    use crate::cost::catalog::Catalog;
    use crate::model::duration::Duration;
    use crate::model::state::VersionedModel;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// A Rolling set of `capacity` running VMs whose model has just changed (all outdated).
    fn outdated(capacity: u32, provisioning: &str, policy: &str) -> ScaleSet {
        let yaml = format!(
            "scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: {capacity}\n    orchestrationMode: Uniform\n    overprovision: false\n    provisioningTime: {provisioning}\n    upgradePolicy:\n      mode: Rolling\n      rollingUpgradePolicy: {{ maxBatchInstancePercent: 20{policy} }}\n"
        );
        let defs = crate::spec::parse_definition("t.yaml", yaml.as_bytes(), Catalog::builtin()).unwrap();
        let (mut set, _) = capacity::create_set(&defs[0], t("2026-01-05T08:00:00Z")).unwrap();
        for inst in &mut set.instances {
            lifecycle::finish(inst, Health::Healthy);
        }
        let mut model = set.current_model().clone();
        model.image = "Canonical:ubuntu-24_04-lts:server:24.04.1".into();
        set.model_version = 2;
        set.models.push(VersionedModel { version: 2, model });
        set
    }

    fn status(set: &ScaleSet) -> RollingStatus {
        set.rolling_upgrade.as_ref().unwrap().status
    }

    #[test]
    fn batch_sizes_round_down_with_a_floor_of_one() {
        for (total, percent, size) in
            [(1, 5, 1), (19, 5, 1), (20, 5, 1), (40, 5, 2), (10, 25, 2), (10, 33, 3), (10, 100, 10), (9, 20, 1)]
        {
            assert_eq!(batch_size(total, percent), size, "{total} VMs at {percent}%");
        }
    }

    #[test]
    fn instant_updates_finish_every_batch_at_once() {
        let mut set = outdated(10, "0s", "");
        let events = start_rolling(&mut set, t("2026-01-05T08:00:00Z")).unwrap();
        let r = set.rolling_upgrade.as_ref().unwrap();
        assert_eq!(r.status, RollingStatus::Completed);
        assert_eq!(r.batches, 5);
        assert_eq!(r.succeeded, (0..10).collect::<Vec<u32>>());
        assert!(set.instances.iter().all(|i| i.model_version == 2));
        let batches = events.iter().filter(|e| e.kind == EventKind::RollingUpgradeBatch).count();
        assert_eq!(batches, 10, "a start and a done entry per batch");
    }

    #[test]
    fn instant_updates_of_a_large_set_complete_too() {
        let mut set = outdated(100, "0s", "");
        set.config.upgrade_policy.rolling_upgrade_policy.max_batch_instance_percent = 5;
        let _ = start_rolling(&mut set, t("2026-01-05T08:00:00Z")).unwrap();
        let r = set.rolling_upgrade.as_ref().unwrap();
        assert_eq!(r.status, RollingStatus::Completed, "{r:?}");
        assert_eq!(r.batches, 20);
    }

    #[test]
    fn busy_vms_wait_for_a_later_batch() {
        let mut set = outdated(5, "2m", "");
        let now = t("2026-01-05T08:00:00Z");
        lifecycle::begin(&mut set.instances[0], Operation::Restart, now, Duration::from_secs(30), Health::Healthy);
        let _ = start_rolling(&mut set, now).unwrap();
        let r = set.rolling_upgrade.as_ref().unwrap();
        assert_eq!(r.in_progress, [1], "VM 0 is restarting: VM 1 goes first");
        assert_eq!(r.pending, [0, 2, 3, 4]);
    }

    #[test]
    fn unknown_health_counts_as_unhealthy_for_priority_but_not_for_the_abort() {
        let mut set = outdated(10, "2m", ", prioritizeUnhealthyInstances: true");
        set.instances[9].health = Health::Unknown;
        set.instances[5].health = Health::Unhealthy;
        for k in 0..3 {
            set.instances[k].health = Health::Unknown;
        }
        let _ = start_rolling(&mut set, t("2026-01-05T08:00:00Z")).unwrap();
        let r = set.rolling_upgrade.as_ref().unwrap();
        assert_eq!(r.status, RollingStatus::RollingForward, "only one VM is Unhealthy");
        assert_eq!(r.in_progress, [0, 1]);
        assert_eq!(r.pending[..3], [2, 5, 9]);
    }

    #[test]
    fn the_upgraded_vms_health_is_checked_against_all_upgraded_so_far() {
        // 50% of the upgraded may be unhealthy: batch 1 (0, 1) has one bad VM: 1 of 2 is not above.
        let mut set = outdated(10, "2m", ", maxUnhealthyUpgradedInstancePercent: 50");
        let _ = start_rolling(&mut set, t("2026-01-05T08:00:00Z")).unwrap();
        let done = t("2026-01-05T08:02:00Z");
        for inst in &mut set.instances {
            if inst.busy_until.is_some_and(|u| u <= done) {
                lifecycle::finish(inst, Health::Healthy);
            }
        }
        set.instances[1].health = Health::Unhealthy;
        let mut events = Vec::new();
        step(&mut set, done, &mut events);
        assert_eq!(status(&set), RollingStatus::RollingForward);
        let r = set.rolling_upgrade.as_ref().unwrap();
        assert_eq!((r.succeeded.clone(), r.failed.clone()), (vec![0], vec![1]));
        // Batch 2 (2, 3) comes up with both bad: 3 of 4 upgraded are unhealthy, above 50%.
        let done = t("2026-01-05T08:04:00Z");
        for inst in &mut set.instances {
            if inst.busy_until.is_some_and(|u| u <= done) {
                lifecycle::finish(inst, Health::Unhealthy);
            }
        }
        step(&mut set, done, &mut events);
        assert_eq!(status(&set), RollingStatus::Faulted);
        let r = set.rolling_upgrade.as_ref().unwrap();
        assert!(r.error.as_deref().unwrap().contains("3 of 4 upgraded VM(s) are unhealthy"), "{r:?}");
    }

    #[test]
    fn protected_vms_are_left_out_of_a_rolling_upgrade() {
        let mut set = outdated(3, "0s", "");
        set.instances[1].protect_from_scale_in = true;
        set.instances[1].protect_from_scale_set_actions = true;
        let _ = start_rolling(&mut set, t("2026-01-05T08:00:00Z")).unwrap();
        assert_eq!(status(&set), RollingStatus::Completed);
        let versions: Vec<u32> = set.instances.iter().map(|i| i.model_version).collect();
        assert_eq!(versions, [2, 1, 2]);
    }

    #[test]
    fn automatic_mode_updates_every_outdated_vm_and_manual_none() {
        let mut set = outdated(3, "1m", "");
        set.config.upgrade_policy.mode = UpgradeMode::Manual;
        assert!(on_model_change(&mut set, t("2026-01-05T08:00:00Z")).is_empty());
        set.config.upgrade_policy.mode = UpgradeMode::Automatic;
        let events = on_model_change(&mut set, t("2026-01-05T08:00:00Z"));
        assert_eq!(events[0].instances, ["0", "1", "2"]);
        assert!(set.instances.iter().all(|i| i.model_version == 2 && i.operation == Some(Operation::Update)));
    }
}
