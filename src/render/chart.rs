//! Simulation output for people: the summary table, a terminal chart (one sparkline per
//! series, one column per time bucket) and the per-minute timeline as CSV.

use std::fmt::Write as _;

use crate::report::simulation::SimulationSummary;
use crate::sim::record::{Bucket, Recorder};

use super::table::{self, Style};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// `simulate`: one row per scale set.
#[must_use]
pub fn summary_table(rows: &[SimulationSummary], style: Style) -> String {
    let mut t = table::new(
        &[
            "Scale set",
            "Metric",
            "Actions (out/in)",
            "Flapping avoided",
            "Instances min/avg/max",
            "Final",
            "Peak/mean per VM",
            "Unserved (VM-h)",
            "Instance-hours",
            "Cost",
        ],
        style,
    )
    .right(&[3, 5, 7, 8])
    .money(&[9])
    .drop_first(&[1, 3, 8, 6, 5]);
    for r in rows {
        t.add_row(vec![
            r.name.clone(),
            r.metric.clone(),
            format!("{} ({}/{})", r.scale_actions, r.scale_out_actions, r.scale_in_actions),
            r.flapping_avoided.to_string(),
            format!("{}/{}/{}", r.min_instances, r.avg_instances, r.max_instances),
            r.final_capacity.to_string(),
            match (r.peak_per_instance, r.mean_per_instance) {
                (Some(p), Some(m)) => format!("{p}/{m}"),
                _ => "-".into(),
            },
            r.unserved_demand.to_string(),
            r.instance_hours.to_string(),
            r.cost.format_usd(),
        ]);
    }
    let mut out = table::render(&t);
    for r in rows {
        for m in &r.minutes_above {
            let during = m.profile.as_ref().map_or_else(String::new, |p| format!(" while '{p}' was in force"));
            let _ = writeln!(
                out,
                "{}: {} minute(s) with {} per VM {} {}{during}",
                r.name, m.minutes, r.metric, m.operator, m.threshold
            );
        }
    }
    out
}

fn sparkline(values: &[f64]) -> (String, f64, f64) {
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min).min(max);
    let line = values
        .iter()
        .map(|v| {
            if max <= 0.0 {
                BARS[0]
            } else {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0..=7 by construction
                let i = ((v / max) * 7.0).round().clamp(0.0, 7.0) as usize;
                BARS[i]
            }
        })
        .collect();
    (line, min, max)
}

/// Demand, instance count and per-instance metric over time, one block per set.
#[must_use]
pub fn terminal(recorder: &Recorder) -> String {
    let mut out = String::new();
    for r in &recorder.sets {
        let used: Vec<&Bucket> = r.buckets.iter().filter(|b| b.minutes > 0).collect();
        if used.is_empty() {
            continue;
        }
        let demand: Vec<f64> = used.iter().map(|b| b.max_demand).collect();
        #[allow(clippy::cast_precision_loss)]
        let instances: Vec<f64> = used.iter().map(|b| b.sum_capacity as f64 / b.minutes as f64).collect();
        let per: Vec<f64> = used.iter().map(|b| b.max_per_instance).collect();
        let _ =
            writeln!(out, "{} ({} minutes, {} per column):", r.name, r.minutes, r.minutes.div_ceil(used.len() as u64));
        for (label, values) in [("demand", &demand), ("instances", &instances), ("per VM", &per)] {
            let (line, min, max) = sparkline(values);
            let _ = writeln!(out, "  {label:<10}{line}  {:.0}..{:.0}", min.max(0.0), max);
        }
        if !r.thresholds.is_empty() {
            let t: Vec<String> = r.thresholds.iter().map(|t| format!("{} {}", t.operator.symbol(), t.value)).collect();
            let _ = writeln!(out, "  {} thresholds: {}", r.metric, t.join(", "));
        }
    }
    out
}
