//! Where new VMs go: each into the zone with the fewest VMs (ties: the zone listed first), and
//! within it into the fault domain with the fewest VMs (ties: the lowest number). Regional sets
//! spread over fault domains the same way. Every existing VM counts, whatever its state
//! (Azure counts deallocated and failed VMs when balancing).

use crate::model::config::ScaleSetConfig;
use crate::model::instance::Instance;

/// A slot for one new VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub zone: Option<u8>,
    pub fault_domain: u8,
}

/// Slots for `count` new VMs, in creation order.
#[must_use]
pub fn place(config: &ScaleSetConfig, existing: &[Instance], count: u32) -> Vec<Slot> {
    let fds = usize::from(config.platform_fault_domain_count.max(1));
    // One group per zone, in listed order; a regional set is a single group.
    let zones: Vec<Option<u8>> =
        if config.zones.is_empty() { vec![None] } else { config.zones.iter().copied().map(Some).collect() };
    let mut zone_counts = vec![0u32; zones.len()];
    let mut fd_counts = vec![vec![0u32; fds]; zones.len()];
    for inst in existing {
        if let Some(z) = zones.iter().position(|z| *z == inst.zone) {
            zone_counts[z] += 1;
            if let Some(c) = fd_counts[z].get_mut(usize::from(inst.fault_domain)) {
                *c += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let z = argmin(&zone_counts);
        let fd = argmin(&fd_counts[z]);
        zone_counts[z] += 1;
        fd_counts[z][fd] += 1;
        out.push(Slot { zone: zones[z], fault_domain: u8::try_from(fd).unwrap_or(0) });
    }
    out
}

/// Index of the smallest value; the first one on ties.
fn argmin(values: &[u32]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v < values[best] {
            best = i;
        }
    }
    best
}
