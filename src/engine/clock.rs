//! Moving the logical clock: operations finish, policies act, cost accrues.
//!
//! Time advances from one instant of interest to the next (an operation finishing, a minute
//! boundary, the end), accruing each set's cost at the rate that held over the interval, so
//! billing follows power states to the second. At every minute boundary: the minute that
//! ended is sampled (serving VMs and demand from the load, into the metric history and the
//! recorder), operations due finish, then the per-minute work runs in this order: rolling
//! upgrades, automatic repairs, autoscale.

use jiff::Timestamp;

use crate::cost::catalog::Catalog;
use crate::cost::rates::set_rate;
use crate::model::duration::Duration;
use crate::model::event::{Event, EventKind};
use crate::model::instance::Operation;
use crate::model::state::{ScaleSet, State};

use super::capacity::{drop_extras_event, list};
use super::error::EngineError;
use super::{autoscale, lifecycle, repair, upgrade};
use crate::model::load::Source;
use crate::sim::load::{Load, SetLoad};
use crate::sim::record::{Recorder, Sample};

/// Advances every set by `duration`; returns every event of the run.
///
/// # Errors
/// A price is missing from the catalog, or the time is out of range.
pub fn advance(
    state: &mut State,
    duration: Duration,
    catalog: &Catalog,
    load: &Load,
    recorder: Option<&mut Recorder>,
) -> Result<Vec<Event>, EngineError> {
    run(state, duration, catalog, load, recorder, Events::Keep)
}

/// [`advance`] for a run judged by its summary: events are counted into the recorder as they
/// happen and not kept, so memory does not grow with the duration (a sweep's variants). Returns
/// the closing event only.
///
/// # Errors
/// As [`advance`].
pub fn advance_counted(
    state: &mut State,
    duration: Duration,
    catalog: &Catalog,
    load: &Load,
    recorder: &mut Recorder,
) -> Result<Vec<Event>, EngineError> {
    run(state, duration, catalog, load, Some(recorder), Events::Count)
}

/// Whether a run keeps its events or only counts them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Events {
    Keep,
    Count,
}

fn run(
    state: &mut State,
    duration: Duration,
    catalog: &Catalog,
    load: &Load,
    mut recorder: Option<&mut Recorder>,
    keep: Events,
) -> Result<Vec<Event>, EngineError> {
    let start = state.clock;
    let end = start
        .checked_add(duration.as_signed())
        .map_err(|_| EngineError::Limit(format!("cannot advance {duration} from {start}: past the end of time")))?;
    let price_error = |e: crate::cost::catalog::PriceError| EngineError::Price(e.to_string());
    let mut events = Vec::new();
    let mut now = start;
    let mut rates = Vec::with_capacity(state.scale_sets.len());
    for set in &state.scale_sets {
        rates.push(set_rate(catalog, set).map_err(price_error)?);
    }
    let loads: Vec<Load> = state.scale_sets.iter().map(|set| effective_load(set, load)).collect();
    let metrics: Vec<Vec<String>> = state.scale_sets.iter().zip(&loads).map(|(set, l)| metric_names(set, l)).collect();
    if let Some(rec) = recorder.as_deref_mut() {
        for (set, names) in state.scale_sets.iter().zip(&metrics) {
            let primary = names.first().cloned().unwrap_or_else(|| "Percentage CPU".into());
            rec.add_set(&set.config.name, &primary, thresholds(set, &primary));
        }
    }
    let seed = state.seed;
    let set_loads: Vec<SetLoad<'_>> = state
        .scale_sets
        .iter()
        .zip(&loads)
        .zip(&metrics)
        .map(|((set, l), names)| SetLoad::prepare(l, seed, &set.config.name, names))
        .collect();
    // One minute's demands, reused: nothing is allocated per minute.
    let mut demands: Vec<Option<f64>> = Vec::new();
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
            if on_minute {
                let minute = Minute { now, start, index: k };
                sample(set, &minute, &set_loads[k], &metrics[k], &mut demands, recorder.as_deref_mut());
            }
            let mut changed = finish_due(set, now, &mut events);
            if on_minute {
                upgrade::step(set, now, &mut events);
                upgrade::automatic_step(set, now, &mut events);
                repair::step(set, now, &mut events);
                autoscale::step(set, now, &mut events);
            }
            changed |= events.len() > before;
            if changed {
                rates[k] = set_rate(catalog, set).map_err(price_error)?;
            }
            if let Some(rec) = recorder.as_deref_mut() {
                rec.count(k, &events[before..]);
            }
            if keep == Events::Count {
                events.truncate(before);
            }
        }
    }
    state.clock = end;
    events.push(Event::new(end, None, EventKind::ClockAdvanced, format!("advanced {duration} from {start} to {end}")));
    Ok(events)
}

/// The load a set faces: the command line's sources for it, plus the definition's for
/// metrics the command line does not give.
fn effective_load(set: &ScaleSet, cli: &Load) -> Load {
    let name = &set.config.name;
    let mut sources: Vec<Source> =
        cli.sources.iter().filter(|s| s.scale_set.as_deref().is_none_or(|n| n == name)).cloned().collect();
    // A metric given on the command line replaces the definition's load of that metric; the
    // definition's entries for other metrics all count, and add up as the sources do.
    let given = sources.len();
    for s in &set.config.load {
        if !sources[..given].iter().any(|c| c.metric.eq_ignore_ascii_case(&s.metric)) {
            sources.push(s.clone());
        }
    }
    Load { sources }
}

/// Metrics worth sampling for a set: those its rules read, then those its load gives.
fn metric_names(set: &ScaleSet, load: &Load) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let rules = set.config.autoscale.iter().flat_map(|a| a.profiles.iter()).flat_map(|p| p.rules.iter());
    for metric in rules.map(|r| r.metric_name.clone()).chain(load.metrics_for(&set.config.name)) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&metric)) {
            names.push(metric);
        }
    }
    names
}

fn thresholds(set: &ScaleSet, metric: &str) -> Vec<crate::sim::record::RuleThreshold> {
    let mut out: Vec<crate::sim::record::RuleThreshold> = Vec::new();
    for (k, p) in set.config.autoscale.iter().flat_map(|a| a.profiles.iter()).enumerate() {
        let profile = u16::try_from(k).ok().map(|k| (k, p.name.clone()));
        for r in p.rules.iter().filter(|r| r.metric_name.eq_ignore_ascii_case(metric)) {
            let seen = out
                .iter()
                .any(|(q, o, v)| *q == profile && *o == r.operator && (*v - r.threshold).abs() < f64::EPSILON);
            if !seen {
                out.push((profile.clone(), r.operator, r.threshold));
            }
        }
    }
    out
}

/// The index of the profile in force at `now`: as autoscale last decided it, or (before its
/// first run) as it will decide.
fn active_profile_index(set: &ScaleSet, now: Timestamp) -> Option<u16> {
    let setting = set.config.autoscale.as_ref().filter(|a| a.enabled)?;
    let name = match set.autoscale.active_profile.as_deref() {
        Some(name) => name,
        None => &super::autoscale::active_profile(setting, now)?.name,
    };
    setting.profiles.iter().position(|p| p.name == name).and_then(|k| u16::try_from(k).ok())
}

/// Which minute is sampled: the one that ends at `now`, of a run that started at `start`, for
/// the set at `index`.
#[derive(Clone, Copy)]
struct Minute {
    now: Timestamp,
    start: Timestamp,
    index: usize,
}

/// Samples the minute that ends at `now`: serving VMs and demand, into the set's metric
/// history (when autoscale reads it) and the recorder. `demands` is the caller's buffer.
fn sample(
    set: &mut ScaleSet,
    at: &Minute,
    load: &SetLoad<'_>,
    metrics: &[String],
    demands: &mut Vec<Option<f64>>,
    recorder: Option<&mut Recorder>,
) {
    let Minute { now, start, index } = *at;
    let minute_start = now.checked_sub(jiff::SignedDuration::from_secs(60)).unwrap_or(now).max(start);
    // Rounded up: when the run starts between minutes, its first (partial) minute is 0 and each
    // boundary after it counts one more.
    let offset = u64::try_from((minute_start - start).as_secs()).unwrap_or(0).div_ceil(60);
    let absolute = minute_start.as_second().div_euclid(60);
    #[allow(clippy::cast_precision_loss)] // seconds in a day
    let hour = minute_start.as_second().rem_euclid(86_400) as f64 / 3600.0;
    let serving = u32::try_from(set.instances.iter().filter(|i| i.is_serving()).count()).unwrap_or(u32::MAX);
    load.demands(offset, absolute, hour, demands);
    if set.config.autoscale.as_ref().is_some_and(|a| a.enabled) {
        let history = &mut set.autoscale.history;
        if history.is_aligned(metrics) {
            history.push_aligned(serving, demands);
        } else {
            // The first minute, or a history kept with other metrics: matched by name.
            let named: Vec<(&str, Option<f64>)> =
                metrics.iter().map(String::as_str).zip(demands.iter().copied()).collect();
            history.push(serving, &named);
        }
    }
    if let Some(rec) = recorder {
        let demand = demands.first().copied().flatten();
        let capped = metrics.first().is_some_and(|m| crate::model::metric_history::is_cpu(m));
        let (per_instance, unserved) = match demand {
            Some(d) if serving > 0 => {
                let per = d / f64::from(serving);
                if capped {
                    (Some(per.min(100.0)), (d - 100.0 * f64::from(serving)).max(0.0) / 100.0)
                } else {
                    (Some(per), 0.0)
                }
            }
            Some(d) if capped => (None, d / 100.0),
            _ => (None, 0.0),
        };
        rec.record(
            index,
            Sample {
                minute: offset,
                time: minute_start,
                capacity: set.capacity,
                serving,
                demand,
                per_instance,
                unserved,
                profile: active_profile_index(set, minute_start),
            },
        );
    }
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
    let mut changed = !done.is_empty();
    // Overprovisioned extras finish with the requested VMs: then they go.
    let due_extras: Vec<u32> =
        set.extras.iter().filter(|e| e.busy_until.is_none_or(|t| t <= now)).map(|e| e.id).collect();
    if !due_extras.is_empty() {
        set.extras.retain(|e| !due_extras.contains(&e.id));
        events.push(drop_extras_event(&set.config.name, &due_extras, now));
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
            Event::new(at, Some(&set.config.name), kind, format!("{} {what}", list(&ids)))
                .with_instances(ids)
                .with_reason(op.as_str()),
        );
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::load::parse_spec;

    fn autoscaled() -> (State, Load) {
        let yaml = "scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: 2\n    \
                    provisioningTime: 1m\n    autoscale:\n      profiles:\n        - name: default\n          \
                    capacity: { minimum: 1, maximum: 12, default: 2 }\n          rules:\n            \
                    - { condition: \"Percentage CPU > 70 avg 5m\", scale: out 2, cooldown: 5m }\n            \
                    - { condition: \"Percentage CPU < 30 avg 10m\", scale: in 1, cooldown: 5m }\n";
        let defs = crate::spec::parse_definition("t.yaml", yaml.as_bytes(), Catalog::builtin()).unwrap();
        let start: Timestamp = "2026-01-05T00:00:00Z".parse().unwrap();
        let mut state = State::new(3, start);
        state.insert_set(super::super::capacity::create_set(&defs[0], start).unwrap().0);
        let load = Load { sources: vec![parse_spec("Percentage CPU=diurnal(40,900,14)+noise(40)", &["web"]).unwrap()] };
        (state, load)
    }

    #[test]
    fn a_counted_run_counts_what_a_kept_run_keeps_and_ends_in_the_same_state() {
        let days = Duration::from_days(3);
        let (mut kept_state, load) = autoscaled();
        let mut counted_state = kept_state.clone();
        let mut kept_rec = Recorder::new(3 * 1440, 10);
        let mut counted_rec = Recorder::new(3 * 1440, 10);
        let kept = advance(&mut kept_state, days, Catalog::builtin(), &load, Some(&mut kept_rec)).unwrap();
        let counted = advance_counted(&mut counted_state, days, Catalog::builtin(), &load, &mut counted_rec).unwrap();
        assert_eq!(kept_state, counted_state);
        assert_eq!(counted.len(), 1, "only the closing event");
        assert_eq!(counted[0].kind, EventKind::ClockAdvanced);
        let of = |kind: EventKind| kept.iter().filter(|e| e.kind == kind).count() as u64;
        let (k, c) = (&kept_rec.sets[0], &counted_rec.sets[0]);
        assert!(k.scale_outs > 5 && k.scale_ins > 5, "the load moves the set both ways");
        assert_eq!((k.scale_outs, k.scale_ins), (of(EventKind::AutoscaleScaleOut), of(EventKind::AutoscaleScaleIn)));
        assert_eq!(k.flapping, of(EventKind::Flapping) + of(EventKind::FlappingOccurred));
        assert_eq!((c.scale_outs, c.scale_ins, c.flapping), (k.scale_outs, k.scale_ins, k.flapping));
    }
}
