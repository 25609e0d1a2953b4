//! Moving the logical clock: operations finish, policies act, cost accrues.
//!
//! Time advances from one instant of interest to the next (an operation finishing, a minute
//! boundary, the end), accruing each set's cost at the rate that held over the interval, so
//! billing follows power states to the second. At every minute boundary the per-minute work
//! runs, in this order: rolling upgrades, automatic repairs.

use jiff::Timestamp;

use crate::cost::catalog::Catalog;
use crate::cost::rates::set_rate;
use crate::model::duration::Duration;
use crate::model::event::{Event, EventKind};
use crate::model::instance::Operation;
use crate::model::state::{ScaleSet, State};

use super::capacity::{drop_extras_event, list};
use super::error::EngineError;
use super::{lifecycle, repair, upgrade};

/// Advances every set by `duration`.
///
/// # Errors
/// A price is missing from the catalog, or the time is out of range.
pub fn advance(state: &mut State, duration: Duration, catalog: &Catalog) -> Result<Vec<Event>, EngineError> {
    let start = state.clock;
    let end = start
        .checked_add(duration.as_signed())
        .map_err(|_| EngineError::Price(format!("cannot advance {duration} from {start}: past the end of time")))?;
    let price_error = |e: crate::cost::catalog::PriceError| EngineError::Price(e.to_string());
    let mut events = Vec::new();
    let mut now = start;
    let mut rates = Vec::with_capacity(state.scale_sets.len());
    for set in &state.scale_sets {
        rates.push(set_rate(catalog, set).map_err(price_error)?);
    }
    while now < end {
        let mut next = end.min(next_minute_boundary(now));
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
        let on_minute = now.as_second().rem_euclid(60) == 0;
        for (k, set) in state.scale_sets.iter_mut().enumerate() {
            let before = events.len();
            let mut changed = finish_due(set, now, &mut events);
            if on_minute {
                upgrade::step(set, now, &mut events);
                repair::step(set, now, &mut events);
            }
            changed |= events.len() > before;
            if changed {
                rates[k] = set_rate(catalog, set).map_err(price_error)?;
            }
        }
    }
    state.clock = end;
    events.push(Event::new(end, None, EventKind::ClockAdvanced, format!("advanced {duration} from {start} to {end}")));
    Ok(events)
}

fn next_minute_boundary(t: Timestamp) -> Timestamp {
    let next = (t.as_second().div_euclid(60) + 1) * 60;
    Timestamp::from_second(next).unwrap_or(Timestamp::MAX)
}

fn next_due(set: &ScaleSet) -> Option<Timestamp> {
    set.instances.iter().chain(&set.extras).filter_map(|i| i.busy_until).min()
}

/// Finishes every operation due at or before `now`; returns whether anything changed.
fn finish_due(set: &mut ScaleSet, now: Timestamp, events: &mut Vec<Event>) -> bool {
    let probe = set.probe_default;
    let mut done: Vec<(Operation, u32, Timestamp)> = Vec::new();
    for inst in &mut set.instances {
        if let Some(until) = inst.busy_until.filter(|t| *t <= now)
            && let Some(op) = lifecycle::finish(inst, probe)
        {
            done.push((op, inst.id, until));
        }
    }
    let name = set.config.name.clone();
    let mut changed = !done.is_empty();
    // Overprovisioned extras finish with the requested VMs: then they go.
    let due_extras: Vec<u32> =
        set.extras.iter().filter(|e| e.busy_until.is_none_or(|t| t <= now)).map(|e| e.id).collect();
    if !due_extras.is_empty() {
        set.extras.retain(|e| !due_extras.contains(&e.id));
        events.push(drop_extras_event(&name, &due_extras, now));
        changed = true;
    }
    // One event per kind of operation finished.
    let mut ops: Vec<Operation> = done.iter().map(|d| d.0).collect();
    ops.sort_unstable();
    ops.dedup();
    for op in ops {
        let ids: Vec<u32> = done.iter().filter(|d| d.0 == op).map(|d| d.1).collect();
        let at = done.iter().filter(|d| d.0 == op).map(|d| d.2).max().unwrap_or(now);
        let (kind, what) = match op {
            Operation::Create => (EventKind::InstancesProvisioned, "running (provisioning succeeded)"),
            Operation::Start => (EventKind::OperationCompleted, "started"),
            Operation::Stop => (EventKind::OperationCompleted, "stopped (still billed for compute)"),
            Operation::Deallocate => (EventKind::OperationCompleted, "deallocated (compute no longer billed)"),
            Operation::Restart => (EventKind::OperationCompleted, "restarted"),
            Operation::Reimage => (EventKind::OperationCompleted, "reimaged"),
            Operation::Update => (EventKind::OperationCompleted, "updated to the latest model"),
        };
        events.push(
            Event::new(at, Some(&name), kind, format!("{} {what}", list(&ids)))
                .with_instances(ids)
                .with_reason(op.as_str()),
        );
    }
    changed
}
