//! Which VMs a capacity reduction removes (reference section 2).
//!
//! One VM at a time: first balance zones (remove from the zone, or tied zones, with the most
//! VMs among those that still have a VM not protected from scale-in; VMs outside any zone in a
//! zonal set go first), then apply the scale-in rule among the candidates:
//! - Default: the fault domain with the most VMs in its zone, then the highest instance ID;
//! - NewestVM / OldestVM: the newest / oldest by creation time, ties by ID.
//!
//! Protected VMs are never chosen. Balancing only chooses where to delete; it never moves VMs.

use crate::model::config::ScaleSetConfig;
use crate::model::enums::{Priority, ScaleInRule};
use crate::model::instance::Instance;

/// Group index of a zone: 0 for "no zone", 1..=3 for zones.
fn group(zone: Option<u8>) -> usize {
    zone.map_or(0, usize::from).min(3)
}

/// Fault domains never exceed 5 (Azure's maximum).
const FAULT_DOMAINS: usize = 5;

fn fd(i: &Instance) -> usize {
    usize::from(i.fault_domain).min(FAULT_DOMAINS - 1)
}

/// The IDs to remove, in removal order, or `Err(protected IDs)` if not enough VMs are
/// unprotected.
///
/// # Errors
/// Fewer than `count` VMs are unprotected; the error lists the protected IDs.
/// `regular_quota`, for a set with a priority mix, is how many of the removed VMs should be
/// Regular (the rest Spot), so the split holds; when one side runs out, the other gives.
pub fn choose(
    config: &ScaleSetConfig,
    instances: &[Instance],
    count: u32,
    regular_quota: Option<u32>,
) -> Result<Vec<u32>, Vec<u32>> {
    let unprotected = instances.iter().filter(|i| !i.protect_from_scale_in).count();
    if unprotected < count as usize {
        return Err(instances.iter().filter(|i| i.protect_from_scale_in).map(|i| i.id).collect());
    }
    let mut zone_counts = [0u32; 4];
    let mut cell_counts = [[0u32; 4]; FAULT_DOMAINS];
    for i in instances {
        zone_counts[group(i.zone)] += 1;
        cell_counts[fd(i)][group(i.zone)] += 1;
    }
    let zonal = !config.zones.is_empty();
    let mut removed = vec![false; instances.len()];
    let mut out = Vec::with_capacity(count as usize);
    let mut regular_left = regular_quota;
    let mut spot_left = regular_quota.map(|r| count - r.min(count));
    for _ in 0..count {
        // With a priority mix, draw from the side that still has quota when it can.
        let available = |p: Priority| {
            instances.iter().enumerate().any(|(k, i)| !removed[k] && !i.protect_from_scale_in && i.priority == p)
        };
        let wanted: Option<Priority> = match (regular_left, spot_left) {
            (Some(r), _) if r > 0 && available(Priority::Regular) => Some(Priority::Regular),
            (_, Some(s)) if s > 0 && available(Priority::Spot) => Some(Priority::Spot),
            _ => None,
        };
        let candidates = || {
            instances
                .iter()
                .enumerate()
                .filter(|(k, i)| !removed[*k] && !i.protect_from_scale_in && wanted.is_none_or(|p| i.priority == p))
        };
        // Zones that may lose a VM: non-zonal leftovers first, then the fullest zones.
        let allowed: [bool; 4] = if zonal && candidates().any(|(_, i)| i.zone.is_none()) {
            [true, false, false, false]
        } else {
            let mut has = [false; 4];
            for (_, i) in candidates() {
                has[group(i.zone)] = true;
            }
            let most = (0..4).filter(|g| has[*g]).map(|g| zone_counts[g]).max().unwrap_or(0);
            std::array::from_fn(|g| has[g] && zone_counts[g] == most)
        };
        let pool = candidates().filter(|(_, i)| allowed[group(i.zone)]);
        let chosen = match config.scale_in_policy {
            ScaleInRule::Default => pool.max_by_key(|(_, i)| {
                let cell = cell_counts[fd(i)][group(i.zone)];
                (cell, i.id)
            }),
            ScaleInRule::NewestVm => pool.max_by_key(|(_, i)| (i.created_at, i.id)),
            ScaleInRule::OldestVm => pool.min_by_key(|(_, i)| (i.created_at, i.id)),
        };
        let Some((k, inst)) = chosen else { break };
        match inst.priority {
            Priority::Regular => regular_left = regular_left.map(|r| r.saturating_sub(1)),
            Priority::Spot => spot_left = spot_left.map(|s| s.saturating_sub(1)),
        }
        removed[k] = true;
        zone_counts[group(inst.zone)] -= 1;
        cell_counts[fd(inst)][group(inst.zone)] -= 1;
        out.push(inst.id);
    }
    Ok(out)
}
