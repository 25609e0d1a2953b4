//! Metric history and how autoscale reads it (reference section 9).
//!
//! Each logical minute adds one sample per set: how many VMs served (Running, not failed) and
//! the total demand of each metric. A rule then reads, per minute, the per-instance value
//! (demand / serving VMs; `Percentage CPU` is capped at 100 per VM, the rest is unserved),
//! combined across instances by its statistic (Average, Min and Max see the per-instance value
//! since load spreads evenly; Sum the served total; Count the VM count), optionally divided per
//! instance; then groups minutes into grains of `timeGrain` (mean for Average, min, max, sum for
//! Sum and Count) and aggregates the grains of the last `timeWindow` by its time aggregation.
//! A minute with no serving VM or no demand figure has no value; a window with no value at all
//! means the metric is unavailable.

use crate::model::autoscale::{Rule, Statistic, TimeAggregation};
use crate::model::metric_history::{MetricHistory, is_cpu};

impl MetricHistory {
    /// The aggregated value `rule` sees now, or `None` when the metric is unavailable.
    #[must_use]
    pub fn evaluate(&self, rule: &Rule) -> Option<f64> {
        let series = self.metrics.iter().find(|m| m.name.eq_ignore_ascii_case(&rule.metric_name))?;
        let cpu = is_cpu(&series.name);
        let len = self.serving.len();
        let window = usize::try_from(rule.time_window.secs() / 60).unwrap_or(1).max(1).min(len);
        let grain = usize::try_from(rule.time_grain.secs() / 60).unwrap_or(1).max(1);
        // The value of minute i, as the rule's statistic reads it.
        let minute = |i: usize| value(rule, cpu, self.serving[i], series.demand[i]);
        let mut grains = Accumulator::default();
        // Grains are counted back from the newest minute; `last` is the newest grain.
        let mut end = len;
        let start = len - window;
        let mut newest: Option<f64> = None;
        if grain == 1 {
            // One minute per grain (the usual case): each grain's value is its minute's value
            // exactly, so the minutes are added straight, newest first as below, without the
            // per-grain bookkeeping. Same operations in the same order: the same result.
            let serving = self.serving.range(start..len).rev();
            let demand = series.demand.range(start..len).rev();
            for v in serving.zip(demand).filter_map(|(&n, &d)| value(rule, cpu, n, d)) {
                newest.get_or_insert(v);
                grains.add(v);
            }
            end = start;
        }
        while end > start {
            let from = end.saturating_sub(grain).max(start);
            let mut acc = Accumulator::default();
            for i in from..end {
                if let Some(v) = minute(i) {
                    acc.add(v);
                }
            }
            if acc.count > 0 {
                let g = match rule.statistic {
                    Statistic::Average => acc.sum / f64::from(acc.count),
                    Statistic::Min => acc.min,
                    Statistic::Max => acc.max,
                    Statistic::Sum | Statistic::Count => acc.sum,
                };
                newest.get_or_insert(g);
                grains.add(g);
            }
            end = from;
        }
        if grains.count == 0 {
            return None;
        }
        Some(match rule.time_aggregation {
            TimeAggregation::Average => grains.sum / f64::from(grains.count),
            TimeAggregation::Minimum => grains.min,
            TimeAggregation::Maximum => grains.max,
            TimeAggregation::Total => grains.sum,
            TimeAggregation::Count => f64::from(grains.count),
            TimeAggregation::Last => newest.unwrap_or(0.0),
        })
    }
}

/// The value of one minute as `rule`'s statistic reads it: `n` VMs serving `demand` in all.
/// None without demand or without a serving VM.
#[inline]
fn value(rule: &Rule, cpu: bool, n: u32, demand: Option<f64>) -> Option<f64> {
    let demand = demand?;
    if n == 0 {
        return None;
    }
    let n_f = f64::from(n);
    let mut per = demand / n_f;
    if cpu {
        per = per.min(100.0);
    }
    let v = match rule.statistic {
        Statistic::Average | Statistic::Min | Statistic::Max => per,
        Statistic::Sum => per * n_f,
        Statistic::Count => n_f,
    };
    Some(if rule.divide_per_instance { v / n_f } else { v })
}

/// Running sum, minimum, maximum and count: aggregation without collecting.
struct Accumulator {
    sum: f64,
    min: f64,
    max: f64,
    count: u32,
}

impl Default for Accumulator {
    fn default() -> Self {
        Self { sum: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY, count: 0 }
    }
}

impl Accumulator {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::duration::Duration;

    fn rule(metric: &str, stat: Statistic, agg: TimeAggregation, window: u64) -> Rule {
        Rule {
            metric_name: metric.into(),
            statistic: stat,
            time_window: Duration::from_mins(window),
            time_aggregation: agg,
            ..Rule::example()
        }
    }

    #[test]
    fn cpu_is_per_instance_and_capped() {
        let mut h = MetricHistory::default();
        h.push(2, &[("Percentage CPU", Some(300.0))]);
        let r = rule("Percentage CPU", Statistic::Average, TimeAggregation::Average, 5);
        assert_eq!(h.evaluate(&r), Some(100.0));
        let sum = rule("Percentage CPU", Statistic::Sum, TimeAggregation::Average, 5);
        assert_eq!(h.evaluate(&sum), Some(200.0));
    }

    #[test]
    fn window_average_and_divide_per_instance() {
        let mut h = MetricHistory::default();
        for d in [100.0, 200.0, 300.0] {
            h.push(2, &[("requests", Some(d))]);
        }
        let r = rule("requests", Statistic::Average, TimeAggregation::Average, 5);
        assert_eq!(h.evaluate(&r), Some(100.0)); // (50 + 100 + 150) / 3
        let mut total = rule("requests", Statistic::Sum, TimeAggregation::Last, 5);
        assert_eq!(h.evaluate(&total), Some(300.0));
        total.divide_per_instance = true;
        assert_eq!(h.evaluate(&total), Some(150.0));
        let max = rule("requests", Statistic::Average, TimeAggregation::Maximum, 2);
        assert_eq!(h.evaluate(&max), Some(150.0));
    }

    #[test]
    fn missing_data_is_unavailable() {
        let mut h = MetricHistory::default();
        h.push(0, &[("Percentage CPU", Some(50.0))]);
        let r = rule("Percentage CPU", Statistic::Average, TimeAggregation::Average, 5);
        assert_eq!(h.evaluate(&r), None);
        assert_eq!(h.evaluate(&rule("other", Statistic::Average, TimeAggregation::Average, 5)), None);
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;
    use crate::model::duration::Duration;
    use crate::model::metric_history::MAX_HISTORY_MINUTES;

    fn rule(metric: &str, stat: Statistic, agg: TimeAggregation, grain: u64, window: u64) -> Rule {
        Rule {
            metric_name: metric.into(),
            time_grain: Duration::from_mins(grain),
            statistic: stat,
            time_window: Duration::from_mins(window),
            time_aggregation: agg,
            ..Rule::example()
        }
    }

    fn history(rows: &[(u32, Option<f64>)]) -> MetricHistory {
        let mut h = MetricHistory::default();
        for (serving, demand) in rows {
            h.push(*serving, &[("q", *demand)]);
        }
        h
    }

    #[test]
    fn every_time_aggregation_over_one_minute_grains() {
        // Per VM: 10, 20, 60, 30.
        let h = history(&[(1, Some(10.0)), (2, Some(40.0)), (1, Some(60.0)), (3, Some(90.0))]);
        let v = |agg| h.evaluate(&rule("q", Statistic::Average, agg, 1, 5)).unwrap();
        assert!((v(TimeAggregation::Average) - 30.0).abs() < 1e-9);
        assert!((v(TimeAggregation::Minimum) - 10.0).abs() < 1e-9);
        assert!((v(TimeAggregation::Maximum) - 60.0).abs() < 1e-9);
        assert!((v(TimeAggregation::Total) - 120.0).abs() < 1e-9);
        assert!((v(TimeAggregation::Count) - 4.0).abs() < 1e-9);
        assert!((v(TimeAggregation::Last) - 30.0).abs() < 1e-9);
    }

    #[test]
    fn the_window_keeps_only_the_last_minutes() {
        let h = history(&[(1, Some(1000.0)), (1, Some(10.0)), (1, Some(20.0))]);
        let r = rule("q", Statistic::Average, TimeAggregation::Average, 1, 5);
        assert!((h.evaluate(&r).unwrap() - 343.333_333_333).abs() < 1e-6, "all three fit in 5 minutes");
        let mut h = h;
        for _ in 0..5 {
            h.push(1, &[("q", Some(10.0))]);
        }
        assert!((h.evaluate(&r).unwrap() - 10.0).abs() < 1e-9, "the spike left the window");
    }

    #[test]
    fn grains_are_counted_back_from_the_newest_minute() {
        // Five minutes, 2-minute grains: [1], [2, 3], [4, 5] -> grain averages 1, 2.5, 4.5.
        let h = history(&[(1, Some(1.0)), (1, Some(2.0)), (1, Some(3.0)), (1, Some(4.0)), (1, Some(5.0))]);
        let last = h.evaluate(&rule("q", Statistic::Average, TimeAggregation::Last, 2, 5)).unwrap();
        assert!((last - 4.5).abs() < 1e-9);
        let count = h.evaluate(&rule("q", Statistic::Average, TimeAggregation::Count, 2, 5)).unwrap();
        assert!((count - 3.0).abs() < 1e-9);
        let min = h.evaluate(&rule("q", Statistic::Min, TimeAggregation::Minimum, 2, 5)).unwrap();
        assert!((min - 1.0).abs() < 1e-9);
        let max = h.evaluate(&rule("q", Statistic::Max, TimeAggregation::Average, 2, 5)).unwrap();
        assert!((max - (1.0 + 3.0 + 5.0) / 3.0).abs() < 1e-9, "max within each grain, then averaged");
        let sum = h.evaluate(&rule("q", Statistic::Sum, TimeAggregation::Maximum, 2, 5)).unwrap();
        assert!((sum - 9.0).abs() < 1e-9, "the 4 + 5 grain");
    }

    #[test]
    fn count_statistic_counts_serving_vms() {
        let h = history(&[(3, Some(1.0)), (5, Some(1.0))]);
        let r = rule("q", Statistic::Count, TimeAggregation::Last, 1, 5);
        assert_eq!(h.evaluate(&r), Some(5.0));
        let mut per = r.clone();
        per.divide_per_instance = true;
        assert_eq!(h.evaluate(&per), Some(1.0));
    }

    #[test]
    fn minutes_without_data_are_skipped_not_counted_as_zero() {
        let h = history(&[(2, Some(100.0)), (0, Some(100.0)), (2, None), (2, Some(300.0))]);
        let r = rule("q", Statistic::Average, TimeAggregation::Average, 1, 5);
        assert_eq!(h.evaluate(&r), Some(100.0), "(50 + 150) / 2");
        let count = rule("q", Statistic::Average, TimeAggregation::Count, 1, 5);
        assert_eq!(h.evaluate(&count), Some(2.0));
    }

    #[test]
    fn cpu_is_capped_per_vm_before_the_statistic() {
        let mut h = MetricHistory::default();
        h.push(4, &[("percentage cpu", Some(1000.0))]);
        let avg = rule("Percentage CPU", Statistic::Average, TimeAggregation::Average, 1, 5);
        assert_eq!(h.evaluate(&avg), Some(100.0), "metric names match case-insensitively");
        let sum = rule("Percentage CPU", Statistic::Sum, TimeAggregation::Average, 1, 5);
        assert_eq!(h.evaluate(&sum), Some(400.0));
        // Other metrics are not capped.
        let h = history(&[(4, Some(1000.0))]);
        assert_eq!(h.evaluate(&rule("q", Statistic::Average, TimeAggregation::Average, 1, 5)), Some(250.0));
    }

    #[test]
    fn history_is_bounded_and_forgets_metrics_with_no_data_left() {
        let mut h = MetricHistory::default();
        h.push(1, &[("old", Some(1.0))]);
        for _ in 0..MAX_HISTORY_MINUTES {
            h.push(1, &[("q", Some(2.0))]);
        }
        assert_eq!(h.serving.len(), MAX_HISTORY_MINUTES);
        assert!(h.metrics.iter().all(|m| m.demand.len() == MAX_HISTORY_MINUTES));
        assert!(h.metrics.iter().all(|m| m.name != "old"), "'old' has no value in the last 12 hours");
        assert_eq!(h.evaluate(&rule("old", Statistic::Average, TimeAggregation::Average, 1, 5)), None);
        // A metric first seen late is padded with missing minutes, aligned with the rest.
        h.push(1, &[("q", Some(2.0)), ("late", Some(7.0))]);
        let late = h.metrics.iter().find(|m| m.name == "late").unwrap();
        assert_eq!(late.demand.len(), MAX_HISTORY_MINUTES);
        assert_eq!(late.demand.iter().filter(|v| v.is_some()).count(), 1);
        assert_eq!(h.evaluate(&rule("late", Statistic::Average, TimeAggregation::Average, 1, 720)), Some(7.0));
    }
}
