//! `simulate`'s summary: one row per scale set of what autoscale did over the run, how the
//! load was served, and what it cost.

use serde::Serialize;

use crate::model::money::Money;
use crate::model::state::State;
use crate::sim::record::Recorder;

/// `simulate -o json`: one summary per scale set.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulationSummary {
    pub name: String,
    pub metric: String,
    pub scale_actions: usize,
    pub scale_out_actions: usize,
    pub scale_in_actions: usize,
    pub flapping_avoided: usize,
    pub min_instances: u32,
    pub max_instances: u32,
    pub avg_instances: f64,
    pub final_capacity: u32,
    pub peak_per_instance: Option<f64>,
    pub mean_per_instance: Option<f64>,
    pub minutes_above: Vec<MinutesAbove>,
    /// Instance-hours of demand not served (CPU above 100% per VM, or no VM running).
    pub unserved_demand: f64,
    pub instance_hours: f64,
    #[serde(serialize_with = "crate::model::money::json::micros")]
    pub cost: Money,
    pub minutes: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MinutesAbove {
    /// The profile whose rule it is: minutes count only while that profile is in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub operator: String,
    pub threshold: f64,
    pub minutes: u64,
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// The summary of each recorded set, from the states before and after the run and what the
/// recorder counted.
#[must_use]
pub fn summarize(recorder: &Recorder, before: &State, after: &State) -> Vec<SimulationSummary> {
    recorder
        .sets
        .iter()
        .map(|r| {
            let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
            let (outs, ins) = (count(r.scale_outs), count(r.scale_ins));
            let accrued = |s: &State| s.set(&r.name).map_or(Money::ZERO, |s| s.accrued.money());
            #[allow(clippy::cast_precision_loss)] // minute counts
            let minutes = r.minutes.max(1) as f64;
            #[allow(clippy::cast_precision_loss)]
            let mean =
                (r.per_instance_minutes > 0).then(|| round(r.sum_per_instance / r.per_instance_minutes as f64, 2));
            #[allow(clippy::cast_precision_loss)]
            let capacity_minutes = r.capacity_minutes as f64;
            SimulationSummary {
                name: r.name.clone(),
                metric: r.metric.clone(),
                scale_actions: outs + ins,
                scale_out_actions: outs,
                scale_in_actions: ins,
                flapping_avoided: count(r.flapping),
                min_instances: if r.minutes == 0 { 0 } else { r.min_capacity },
                max_instances: r.max_capacity,
                avg_instances: round(capacity_minutes / minutes, 2),
                final_capacity: after.set(&r.name).map_or(0, |s| s.capacity),
                peak_per_instance: r.peak_per_instance.map(|v| round(v, 2)),
                mean_per_instance: mean,
                minutes_above: r
                    .thresholds
                    .iter()
                    .map(|t| MinutesAbove {
                        profile: t.profile.as_ref().map(|(_, name)| name.clone()),
                        operator: t.operator.symbol().to_owned(),
                        threshold: t.value,
                        minutes: t.minutes,
                    })
                    .collect(),
                unserved_demand: round(r.unserved / 60.0, 3),
                instance_hours: round(capacity_minutes / 60.0, 2),
                cost: accrued(after) - accrued(before),
                minutes: r.minutes,
            }
        })
        .collect()
}
