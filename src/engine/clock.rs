//! Moving the logical clock: VMs finish their transitional states and cost accrues.
//!
//! Time advances from one instant of interest to the next (a VM finishing its transition, a
//! minute boundary, the end), accruing each set's cost at the rate that held over the
//! interval, so billing follows power states to the second. Minute boundaries are where the
//! per-minute work (autoscale, repairs, upgrades) hooks in.

use jiff::Timestamp;

use crate::cost::catalog::Catalog;
use crate::cost::rates::set_rate;
use crate::model::duration::Duration;
use crate::model::enums::{Health, PowerState, ProvisioningState};
use crate::model::event::{Event, EventKind};
use crate::model::state::{ScaleSet, State};

use super::capacity::list;
use super::error::EngineError;

/// Advances every set by `duration`.
///
/// # Errors
/// A price is missing from the catalog.
pub fn advance(state: &mut State, duration: Duration, catalog: &Catalog) -> Result<Vec<Event>, EngineError> {
    let start = state.clock;
    let end = start
        .checked_add(duration.as_signed())
        .map_err(|_| EngineError::Price(format!("cannot advance {duration} from {start}: past the end of time")))?;
    let mut events = Vec::new();
    let mut now = start;
    let mut rates = Vec::with_capacity(state.scale_sets.len());
    for set in &state.scale_sets {
        rates.push(set_rate(catalog, set).map_err(|e| EngineError::Price(e.to_string()))?);
    }
    while now < end {
        let next_minute = next_minute_boundary(now);
        let mut next = end.min(next_minute);
        for set in &state.scale_sets {
            if let Some(due) = next_due(set)
                && due > now
                && due < next
            {
                next = due;
            }
        }
        let seconds = u64::try_from((next - now).as_secs()).unwrap_or(0);
        for (set, rate) in state.scale_sets.iter_mut().zip(&rates) {
            set.accrued.add(*rate, seconds);
        }
        now = next;
        for (k, set) in state.scale_sets.iter_mut().enumerate() {
            if finish_transitions(set, now, &mut events) {
                rates[k] = set_rate(catalog, set).map_err(|e| EngineError::Price(e.to_string()))?;
            }
        }
    }
    state.clock = end;
    events.push(Event::new(end, None, EventKind::ClockAdvanced, format!("advanced {duration} from {start} to {end}")));
    Ok(events)
}

fn next_minute_boundary(t: Timestamp) -> Timestamp {
    let s = t.as_second();
    let next = (s.div_euclid(60) + 1) * 60;
    Timestamp::from_second(next).unwrap_or(Timestamp::MAX)
}

fn next_due(set: &ScaleSet) -> Option<Timestamp> {
    set.instances.iter().filter_map(|i| i.busy_until).min()
}

/// Completes every transition due at or before `now`. Returns whether anything changed.
fn finish_transitions(set: &mut ScaleSet, now: Timestamp, events: &mut Vec<Event>) -> bool {
    let mut provisioned = Vec::new();
    let mut changed = false;
    let mut due_at = now;
    for inst in &mut set.instances {
        let Some(until) = inst.busy_until else { continue };
        if until > now {
            continue;
        }
        due_at = until;
        changed = true;
        inst.busy_until = None;
        inst.state_changed_at = until;
        let was = inst.power_state;
        inst.power_state = match was {
            PowerState::Creating | PowerState::Starting => PowerState::Running,
            PowerState::Stopping => PowerState::Stopped,
            PowerState::Deallocating => PowerState::Deallocated,
            other => other,
        };
        if matches!(inst.provisioning_state, ProvisioningState::Creating | ProvisioningState::Updating) {
            inst.provisioning_state = ProvisioningState::Succeeded;
        }
        if was == PowerState::Creating {
            if inst.health == Health::Unknown {
                inst.health = Health::Healthy;
            }
            provisioned.push(inst.id);
        }
    }
    if provisioned.is_empty() {
        return changed;
    }
    let name = set.config.name.clone();
    events.push(
        Event::new(
            due_at,
            Some(&name),
            EventKind::InstancesProvisioned,
            format!("{} running (provisioning succeeded)", list(&provisioned)),
        )
        .with_instances(provisioned),
    );
    true
}
