//! Which VMs a capacity reduction removes (reference section 2).
//!
//! One VM at a time: first balance zones (remove from the zone, or tied zones, with the most
//! VMs among those that still have a VM not protected from scale-in; VMs outside any zone in a
//! zonal set go first), then apply the scale-in rule among the candidates:
//! - Default: the fault domain with the most VMs in its zone, then the highest instance ID;
//! - NewestVM / OldestVM: the newest / oldest by creation time, ties by ID.
//!
//! With a priority mix, each removal draws from the side (Regular or Spot) still above its
//! share when the allowed zones hold one; zones come first.
//!
//! Protected VMs are never chosen. Balancing only chooses where to delete; it never moves VMs.
//! Candidates are kept in one list per (zone, fault domain, priority) cell, ordered so the
//! rule's pick is last: a removal looks at a few dozen cells, not at every VM.

use std::cmp::Ordering;

use crate::model::config::ScaleSetConfig;
use crate::model::enums::{Priority, ScaleInRule};
use crate::model::instance::Instance;

/// Zone groups: 0 for "no zone", 1..=3 for zones.
const GROUPS: usize = 4;
/// Fault domains never exceed 5 (Azure's maximum).
const FAULT_DOMAINS: usize = 5;

fn group(zone: Option<u8>) -> usize {
    zone.map_or(0, usize::from).min(GROUPS - 1)
}

fn fd(i: &Instance) -> usize {
    usize::from(i.fault_domain).min(FAULT_DOMAINS - 1)
}

fn priority_index(p: Priority) -> usize {
    usize::from(p == Priority::Spot)
}

fn cell(g: usize, f: usize, p: usize) -> usize {
    (g * FAULT_DOMAINS + f) * 2 + p
}

/// The IDs to remove, in removal order.
///
/// `regular_quota`, for a set with a priority mix, is how many of the removed VMs should be
/// Regular (the rest Spot), so the split holds; when one side runs out, the other gives.
///
/// # Errors
/// Fewer than `count` VMs are unprotected; the error lists the protected IDs.
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
    let rule = config.scale_in_policy;
    // Order within a cell: the VM the rule picks first comes last.
    let order = |a: &Instance, b: &Instance| match rule {
        ScaleInRule::Default => a.id.cmp(&b.id),
        ScaleInRule::NewestVm => (a.created_at, a.id).cmp(&(b.created_at, b.id)),
        ScaleInRule::OldestVm => (b.created_at, b.id).cmp(&(a.created_at, a.id)),
    };
    let mut zone_counts = [0u32; GROUPS];
    let mut cell_counts = [[0u32; GROUPS]; FAULT_DOMAINS];
    let mut cells: Vec<Vec<&Instance>> = vec![Vec::new(); GROUPS * FAULT_DOMAINS * 2];
    for i in instances {
        zone_counts[group(i.zone)] += 1;
        cell_counts[fd(i)][group(i.zone)] += 1;
        if !i.protect_from_scale_in {
            cells[cell(group(i.zone), fd(i), priority_index(i.priority))].push(i);
        }
    }
    for c in &mut cells {
        c.sort_by(|a, b| order(a, b));
    }
    let open_in_group = |cells: &[Vec<&Instance>], g: usize| {
        (0..FAULT_DOMAINS).any(|f| !cells[cell(g, f, 0)].is_empty() || !cells[cell(g, f, 1)].is_empty())
    };
    // Which of two candidates the rule removes first.
    let better = |a: &Instance, b: &Instance, cell_counts: &[[u32; GROUPS]; FAULT_DOMAINS]| match rule {
        ScaleInRule::Default => {
            (cell_counts[fd(a)][group(a.zone)], a.id).cmp(&(cell_counts[fd(b)][group(b.zone)], b.id))
        }
        _ => order(a, b),
    };

    let zonal = !config.zones.is_empty();
    let mut out = Vec::with_capacity(count as usize);
    let mut regular_left = regular_quota;
    let mut spot_left = regular_quota.map(|r| count - r.min(count));
    for _ in 0..count {
        // Zones that may lose a VM: non-zonal leftovers first, then the fullest zones.
        let allowed: [bool; GROUPS] = if zonal && open_in_group(&cells, 0) {
            [true, false, false, false]
        } else {
            let open: [bool; GROUPS] = std::array::from_fn(|g| open_in_group(&cells, g));
            let most = (0..GROUPS).filter(|g| open[*g]).map(|g| zone_counts[g]).max().unwrap_or(0);
            std::array::from_fn(|g| open[g] && zone_counts[g] == most)
        };
        // With a priority mix, the side still owed a removal, if the allowed zones hold one.
        let has = |p: usize| {
            (0..GROUPS).filter(|g| allowed[*g]).any(|g| (0..FAULT_DOMAINS).any(|f| !cells[cell(g, f, p)].is_empty()))
        };
        let wanted: Option<usize> = match (regular_left, spot_left) {
            (Some(r), _) if r > 0 && has(0) => Some(0),
            (_, Some(s)) if s > 0 && has(1) => Some(1),
            _ => None,
        };
        let mut best: Option<usize> = None;
        for g in (0..GROUPS).filter(|g| allowed[*g]) {
            for f in 0..FAULT_DOMAINS {
                for p in 0..2 {
                    if wanted.is_some_and(|w| w != p) {
                        continue;
                    }
                    let c = cell(g, f, p);
                    let Some(candidate) = cells[c].last() else { continue };
                    let wins = best.is_none_or(|b| {
                        let current = cells[b].last().expect("best cells are not empty");
                        better(candidate, current, &cell_counts) == Ordering::Greater
                    });
                    if wins {
                        best = Some(c);
                    }
                }
            }
        }
        let Some(c) = best else { break };
        let inst = cells[c].pop().expect("the chosen cell is not empty");
        match inst.priority {
            Priority::Regular => regular_left = regular_left.map(|r| r.saturating_sub(1)),
            Priority::Spot => spot_left = spot_left.map(|s| s.saturating_sub(1)),
        }
        zone_counts[group(inst.zone)] -= 1;
        cell_counts[fd(inst)][group(inst.zone)] -= 1;
        out.push(inst.id);
    }
    Ok(out)
}
