//! Automatic repairs (reference section 8).
//!
//! When enabled and the service is Running, every logical minute: VMs that are running, report
//! Unhealthy or Unknown, are not protected (from scale-in or scale-set actions), did not fail
//! to provision, are not busy, and changed state at least `gracePeriod` ago are repaired, at
//! most 5% of the set at a time (one at a time below 20 VMs), lowest ID first. Replace deletes
//! the VM and creates a new one (new ID, new disks); Restart and Reimage keep the ID.
//! A repaired VM that needs repairing again counts as a failed repair; after
//! [`MAX_CONSECUTIVE_FAILURES`] the service suspends itself until resumed by hand.

use jiff::Timestamp;

use crate::model::enums::{Health, PowerState, ProvisioningState, RepairAction};
use crate::model::event::{Event, EventKind};
use crate::model::instance::Operation;
use crate::model::state::{ScaleSet, ServiceState};

use super::capacity::{self, list};
use super::error::EngineError;
use super::lifecycle;

/// Failed repairs in a row before the platform suspends automatic repairs.
pub const MAX_CONSECUTIVE_FAILURES: u32 = 3;

/// How many VMs may be under repair at once.
#[must_use]
pub fn concurrency(total: usize) -> usize {
    if total < 20 { 1 } else { (total * 5 / 100).max(1) }
}

/// Runs one round of repairs at `now`.
pub fn step(set: &mut ScaleSet, now: Timestamp, events: &mut Vec<Event>) {
    // A repaired VM seen running and healthy: that repair worked.
    for inst in &mut set.instances {
        if inst.repaired && !inst.is_busy() && inst.power_state == PowerState::Running && inst.health == Health::Healthy
        {
            inst.repaired = false;
            set.repairs.consecutive_failures = 0;
        }
    }
    let policy = set.config.automatic_repairs;
    if !policy.enabled || set.repairs.service_state != ServiceState::Running {
        return;
    }
    let in_flight = set.instances.iter().filter(|i| i.repaired && i.is_busy()).count();
    let limit = concurrency(set.instances.len());
    if in_flight >= limit {
        return;
    }
    let name = set.config.name.clone();
    let grace = policy.grace_period.as_signed();
    let candidates: Vec<u32> = set
        .instances
        .iter()
        .filter(|i| {
            matches!(i.health, Health::Unhealthy | Health::Unknown)
                && i.power_state == PowerState::Running
                && !i.is_busy()
                && i.provisioning_state != ProvisioningState::Failed
                && !i.protect_from_scale_in
                && !i.protect_from_scale_set_actions
                && i.state_changed_at.checked_add(grace).is_ok_and(|t| t <= now)
        })
        .map(|i| i.id)
        .take(limit - in_flight)
        .collect();
    for id in candidates {
        let Some(k) = set.index_of(id) else { continue };
        if set.instances[k].repaired {
            set.repairs.consecutive_failures += 1;
            if set.repairs.consecutive_failures >= MAX_CONSECUTIVE_FAILURES {
                set.repairs.service_state = ServiceState::Suspended;
                events.push(
                    Event::new(now, Some(&name), EventKind::RepairsSuspended, format!(
                        "automatic repairs suspended: instance {id} is unhealthy again after {} failed repair(s) in a row (`repairs resume {name}` restarts them)",
                        set.repairs.consecutive_failures
                    ))
                    .with_instances([id])
                    .with_reason("repeated repair failures"),
                );
                return;
            }
        }
        events.push(repair_one(set, k, policy.repair_action, now));
    }
}

fn repair_one(set: &mut ScaleSet, k: usize, action: RepairAction, now: Timestamp) -> Event {
    let name = set.config.name.clone();
    let id = set.instances[k].id;
    let health = set.instances[k].health;
    match action {
        RepairAction::Replace => {
            let old = set.instances.remove(k);
            let mut trial = std::mem::take(&mut set.instances);
            let new_ids = capacity::add_instances(set, &mut trial, 1, now);
            set.instances = trial;
            for new in &new_ids {
                if let Some(j) = set.index_of(*new) {
                    set.instances[j].repaired = true;
                    // Keep the replaced VM's protection-free, priority-consistent place.
                    set.instances[j].priority = old.priority;
                }
            }
            set.prune_models();
            Event::new(
                now,
                Some(&name),
                EventKind::RepairStarted,
                format!("replacing {health} instance {id} with {}", list(&new_ids)),
            )
            .with_instances(std::iter::once(id).chain(new_ids))
            .with_reason("automatic repair: Replace")
        }
        RepairAction::Restart | RepairAction::Reimage => {
            let op = if action == RepairAction::Restart { Operation::Restart } else { Operation::Reimage };
            let duration = lifecycle::duration(set, op);
            let probe = set.probe_default;
            let inst = &mut set.instances[k];
            inst.repaired = true;
            lifecycle::begin(inst, op, now, duration, probe);
            Event::new(
                now,
                Some(&name),
                EventKind::RepairStarted,
                format!("{} {health} instance {id}", if op == Operation::Restart { "restarting" } else { "reimaging" }),
            )
            .with_instances([id])
            .with_reason(format!("automatic repair: {action}"))
        }
    }
}

/// `repairs resume|suspend NAME`.
///
/// # Errors
/// Automatic repairs are not enabled on the set.
pub fn set_service_state(set: &mut ScaleSet, resume: bool, now: Timestamp) -> Result<Vec<Event>, EngineError> {
    let name = set.config.name.clone();
    if !set.config.automatic_repairs.enabled {
        return Err(EngineError::Invalid {
            set: name,
            message: "automatic repairs are not enabled (automaticRepairs.enabled: true in the definition)".into(),
        });
    }
    let target = if resume { ServiceState::Running } else { ServiceState::Suspended };
    if set.repairs.service_state == target {
        return Ok(Vec::new());
    }
    set.repairs.service_state = target;
    if resume {
        set.repairs.consecutive_failures = 0;
    }
    let (kind, word) =
        if resume { (EventKind::RepairsResumed, "resumed") } else { (EventKind::RepairsSuspended, "suspended") };
    Ok(vec![
        Event::new(now, Some(&name), kind, format!("automatic repairs {word}"))
            .with_reason(format!("repairs {}", if resume { "resume" } else { "suspend" })),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::catalog::Catalog;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn set(capacity: u32, action: &str) -> ScaleSet {
        let yaml = format!(
            "scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: {capacity}\n    orchestrationMode: Uniform\n    overprovision: false\n    provisioningTime: 0s\n    automaticRepairs: {{ enabled: true, gracePeriod: 10m, repairAction: {action} }}\n"
        );
        let defs = crate::spec::parse_definition("t.yaml", yaml.as_bytes(), Catalog::builtin()).unwrap();
        capacity::create_set(&defs[0], t("2026-01-05T08:00:00Z")).unwrap().0
    }

    #[test]
    fn five_percent_at_a_time_and_one_below_twenty() {
        for (total, at_once) in [(0, 1), (1, 1), (19, 1), (20, 1), (39, 1), (40, 2), (100, 5), (1000, 50)] {
            assert_eq!(concurrency(total), at_once, "{total} VMs");
        }
    }

    #[test]
    fn lowest_id_first_and_only_eligible_vms() {
        let mut s = set(6, "Replace");
        for k in [1, 2, 3, 4, 5] {
            s.instances[k].health = Health::Unhealthy;
        }
        s.instances[1].provisioning_state = ProvisioningState::Failed;
        s.instances[2].power_state = PowerState::Stopped;
        s.instances[3].state_changed_at = t("2026-01-05T08:05:00Z");
        let mut events = Vec::new();
        step(&mut s, t("2026-01-05T08:10:00Z"), &mut events);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].instances, ["4", "6"], "4 is the first eligible: 1 failed, 2 stopped, 3 in grace");
        // Instant replacement: the next runs a minute later.
        events.clear();
        step(&mut s, t("2026-01-05T08:11:00Z"), &mut events);
        assert_eq!(events[0].instances, ["5", "7"]);
    }

    #[test]
    fn a_repaired_vm_seen_healthy_resets_the_failure_count() {
        let mut s = set(3, "Restart");
        s.instances[0].health = Health::Unhealthy;
        s.repairs.consecutive_failures = 2;
        let mut events = Vec::new();
        step(&mut s, t("2026-01-05T08:10:00Z"), &mut events);
        assert!(s.instances[0].repaired);
        assert_eq!(s.instances[0].operation, Some(Operation::Restart));
        lifecycle::finish(&mut s.instances[0], Health::Healthy);
        step(&mut s, t("2026-01-05T08:11:00Z"), &mut events);
        assert!(!s.instances[0].repaired);
        assert_eq!(s.repairs.consecutive_failures, 0);
    }

    #[test]
    fn the_third_failure_in_a_row_suspends() {
        let mut s = set(3, "Restart");
        s.instances[0].health = Health::Unhealthy;
        s.instances[0].repaired = true;
        s.repairs.consecutive_failures = MAX_CONSECUTIVE_FAILURES - 1;
        let mut events = Vec::new();
        step(&mut s, t("2026-01-05T08:10:00Z"), &mut events);
        assert_eq!(s.repairs.service_state, ServiceState::Suspended);
        assert_eq!(events.iter().map(|e| e.kind).collect::<Vec<_>>(), [EventKind::RepairsSuspended]);
        assert_eq!(s.instances[0].operation, None, "not repaired again");
        let resumed = set_service_state(&mut s, true, t("2026-01-05T08:20:00Z")).unwrap();
        assert_eq!(resumed[0].kind, EventKind::RepairsResumed);
        assert_eq!(s.repairs.consecutive_failures, 0);
        assert!(set_service_state(&mut s, true, t("2026-01-05T08:21:00Z")).unwrap().is_empty());
    }

    #[test]
    fn disabled_repairs_do_nothing_and_refuse_resume() {
        let mut s = set(2, "Replace");
        s.config.automatic_repairs.enabled = false;
        s.instances[0].health = Health::Unhealthy;
        let mut events = Vec::new();
        step(&mut s, t("2026-01-05T09:00:00Z"), &mut events);
        assert!(events.is_empty());
        assert!(set_service_state(&mut s, true, t("2026-01-05T09:00:00Z")).is_err());
    }
}
