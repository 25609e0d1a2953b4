//! The Spot/Regular split of a Flexible set with a priority mix (reference section 7):
//! regular = base + floor(percent x VMs above base / 100), Spot the rest. Scale-out picks each
//! new VM's priority to move toward that split without touching existing VMs; scale-in removes
//! from whichever side is above its share.

use crate::model::config::PriorityMix;
use crate::model::enums::Priority;
use crate::model::instance::Instance;

/// How many of `total` VMs should be Regular.
#[must_use]
pub fn regular_target(mix: PriorityMix, total: u32) -> u32 {
    let base = mix.base_regular_priority_count.min(total);
    let above = u64::from(total - base);
    base + u32::try_from(above * u64::from(mix.regular_priority_percentage_above_base) / 100).unwrap_or(0)
}

/// Priorities for `added` new VMs joining `existing`: Regular first, as many as the split
/// still lacks, then Spot.
#[must_use]
pub fn new_priorities(mix: PriorityMix, existing: &[Instance], added: u32) -> Vec<Priority> {
    let regular_now = count_regular(existing);
    let total = u32::try_from(existing.len()).unwrap_or(u32::MAX).saturating_add(added);
    let regular_new = regular_target(mix, total).saturating_sub(regular_now).min(added);
    (0..added).map(|k| if k < regular_new { Priority::Regular } else { Priority::Spot }).collect()
}

/// How many Regular VMs a scale-in to `remaining` should remove so the split holds.
#[must_use]
pub fn regular_to_remove(mix: PriorityMix, existing: &[Instance], removed: u32) -> u32 {
    let regular_now = count_regular(existing);
    let remaining = u32::try_from(existing.len()).unwrap_or(0).saturating_sub(removed);
    regular_now.saturating_sub(regular_target(mix, remaining)).min(removed)
}

fn count_regular(instances: &[Instance]) -> u32 {
    u32::try_from(instances.iter().filter(|i| i.priority == Priority::Regular).count()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_rounds_regular_down() {
        let mix = PriorityMix { base_regular_priority_count: 2, regular_priority_percentage_above_base: 50 };
        assert_eq!(regular_target(mix, 0), 0);
        assert_eq!(regular_target(mix, 1), 1);
        assert_eq!(regular_target(mix, 2), 2);
        assert_eq!(regular_target(mix, 3), 2); // 1 above base: floor(0.5) = 0
        assert_eq!(regular_target(mix, 4), 3);
        assert_eq!(regular_target(mix, 10), 6);
    }
}
