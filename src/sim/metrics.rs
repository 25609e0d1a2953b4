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
//!
//! Values are exact fixed point from the minute on (see `model::metric_history`): the scan
//! ([`MetricHistory::evaluate`], the reference) and the running windows autoscale reads each
//! minute ([`MetricHistory::read`]) give the same bits, a property the tests check across
//! random histories and rules.

use crate::model::autoscale::{Rule, Statistic, TimeAggregation};
use crate::model::metric_history::{MAX_HISTORY_MINUTES, MetricHistory, Reading, from_fixed, is_cpu};

impl MetricHistory {
    /// The aggregated value `rule` sees now, or `None` when the metric is unavailable: the
    /// reference reading, a scan of the window. [`MetricHistory::read`] gives the same value
    /// from running sums.
    #[must_use]
    pub fn evaluate(&self, rule: &Rule) -> Option<f64> {
        let (metric, reading) = self.reading(rule)?;
        let demand = &self.metrics[metric].demand;
        let len = self.serving.len();
        let window = window_minutes(rule).min(len);
        let grain = usize::try_from(rule.time_grain.secs() / 60).unwrap_or(1).max(1);
        let mut grains = Accumulator::default();
        // Grains are counted back from the newest minute; `newest` is the newest grain's value.
        let mut end = len;
        let start = len - window;
        let mut newest: Option<i64> = None;
        while end > start {
            let from = end.saturating_sub(grain).max(start);
            let mut acc = Accumulator::default();
            let minutes = self.serving.range(from..end).zip(demand.range(from..end));
            for v in minutes.filter_map(|(&n, &d)| reading.minute(n, d)) {
                acc.add(v);
            }
            if acc.count > 0 {
                let g = match rule.statistic {
                    Statistic::Average => acc.mean(),
                    Statistic::Min => acc.min,
                    Statistic::Max => acc.max,
                    Statistic::Sum | Statistic::Count => i64::try_from(acc.sum).unwrap_or(i64::MAX),
                };
                newest.get_or_insert(g);
                grains.add(g);
            }
            end = from;
        }
        aggregate(rule.time_aggregation, &grains, newest)
    }

    /// What [`MetricHistory::evaluate`] gives, bit for bit, read from a running window where
    /// one applies (one-minute grains aggregated by average, total or count: a sum and a count
    /// kept up to date as minutes come) and by the scan otherwise.
    pub fn read(&mut self, rule: &Rule) -> Option<f64> {
        let one_minute_grains = rule.time_grain.secs() <= 60;
        let summed =
            matches!(rule.time_aggregation, TimeAggregation::Average | TimeAggregation::Total | TimeAggregation::Count);
        if !(one_minute_grains && summed) {
            return self.evaluate(rule);
        }
        let (metric, reading) = self.reading(rule)?;
        let w = self.window(metric, reading, window_minutes(rule));
        let grains = Accumulator { sum: w.sum, count: w.count, min: 0, max: 0 };
        aggregate(rule.time_aggregation, &grains, None)
    }

    /// The series `rule` reads and how it reads a minute of it.
    fn reading(&self, rule: &Rule) -> Option<(usize, Reading)> {
        let metric = self
            .metrics
            .iter()
            .position(|m| m.name == rule.metric_name)
            .or_else(|| self.metrics.iter().position(|m| m.name.eq_ignore_ascii_case(&rule.metric_name)))?;
        let cpu = is_cpu(&self.metrics[metric].name);
        Some((metric, Reading { statistic: rule.statistic, divide_per_instance: rule.divide_per_instance, cpu }))
    }
}

/// The minutes of a rule's window: its time window, at least one, at most the history.
fn window_minutes(rule: &Rule) -> usize {
    usize::try_from(rule.time_window.secs() / 60).unwrap_or(MAX_HISTORY_MINUTES).clamp(1, MAX_HISTORY_MINUTES)
}

/// The window's value from its grains: None when no grain had a value.
fn aggregate(aggregation: TimeAggregation, grains: &Accumulator, newest: Option<i64>) -> Option<f64> {
    if grains.count == 0 {
        return None;
    }
    Some(match aggregation {
        TimeAggregation::Average => from_fixed(grains.sum) / f64::from(grains.count),
        TimeAggregation::Minimum => from_fixed(i128::from(grains.min)),
        TimeAggregation::Maximum => from_fixed(i128::from(grains.max)),
        TimeAggregation::Total => from_fixed(grains.sum),
        TimeAggregation::Count => f64::from(grains.count),
        TimeAggregation::Last => from_fixed(i128::from(newest.unwrap_or(0))),
    })
}

/// Running sum, minimum, maximum and count of fixed-point values: aggregation without
/// collecting, exact whatever the order.
struct Accumulator {
    sum: i128,
    min: i64,
    max: i64,
    count: u32,
}

impl Default for Accumulator {
    fn default() -> Self {
        Self { sum: 0, min: i64::MAX, max: i64::MIN, count: 0 }
    }
}

impl Accumulator {
    fn add(&mut self, v: i64) {
        self.sum += i128::from(v);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.count += 1;
    }

    /// The mean, rounded to the nearest fixed-point unit (halves away from zero).
    fn mean(&self) -> i64 {
        let n = i128::from(self.count.max(1));
        let q = if self.sum >= 0 { (2 * self.sum + n) / (2 * n) } else { (2 * self.sum - n) / (2 * n) };
        i64::try_from(q).unwrap_or(if q > 0 { i64::MAX } else { i64::MIN })
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

#[cfg(test)]
mod running_window_tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::duration::Duration;

    fn statistic() -> impl Strategy<Value = Statistic> {
        prop::sample::select(Statistic::ALL.to_vec())
    }

    fn aggregation() -> impl Strategy<Value = TimeAggregation> {
        prop::sample::select(TimeAggregation::ALL.to_vec())
    }

    /// One minute: serving VMs, and the demand of "Percentage CPU" and of "q" (None: no data;
    /// "q" may be absent altogether, so it is forgotten and comes back).
    fn minute() -> impl Strategy<Value = (u32, Option<f64>, Option<Option<f64>>)> {
        (
            0u32..6,
            prop::option::weighted(0.9, 0.0f64..900.0),
            prop::option::weighted(0.5, prop::option::weighted(0.8, 0.0f64..1e6)),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The running windows kept minute by minute give, at every minute, exactly the bits of
        /// a scan of the window, whatever the rule, across the 12-hour eviction and metrics
        /// forgotten and seen again.
        #[test]
        fn running_windows_equal_the_scan_bit_for_bit(
            minutes in prop::collection::vec(minute(), 1..900),
            rules in prop::collection::vec(
                (statistic(), aggregation(), 1u64..4, 1u64..800, any::<bool>(), any::<bool>()), 1..4),
        ) {
            let rules: Vec<Rule> = rules
                .into_iter()
                .map(|(statistic, agg, grain, window, divide, cpu)| Rule {
                    metric_name: if cpu { "percentage cpu".into() } else { "q".into() },
                    statistic,
                    time_grain: Duration::from_mins(grain),
                    time_window: Duration::from_mins(window),
                    time_aggregation: agg,
                    divide_per_instance: divide,
                    ..Rule::example()
                })
                .collect();
            let mut h = MetricHistory::default();
            for (k, (serving, cpu, q)) in minutes.iter().enumerate() {
                let mut given = vec![("Percentage CPU", *cpu)];
                if let Some(q) = q {
                    given.push(("q", *q));
                }
                h.push(*serving, &given);
                // Read every few minutes only, so windows also catch up across unread minutes.
                if k % 3 == 0 || k + 1 == minutes.len() {
                    for r in &rules {
                        let scanned = h.evaluate(r);
                        let running = h.read(r);
                        prop_assert_eq!(scanned.map(f64::to_bits), running.map(f64::to_bits), "minute {}, {:?}", k, r);
                    }
                }
            }
        }
    }

    #[test]
    fn windows_follow_a_metric_forgotten_and_seen_again() {
        let total = |metric: &str| Rule {
            metric_name: metric.into(),
            time_window: Duration::from_mins(720),
            time_aggregation: TimeAggregation::Total,
            ..Rule::example()
        };
        let (q, cpu) = (total("q"), total("Percentage CPU"));
        let mut h = MetricHistory::default();
        for k in 0..2000u32 {
            // "q" for 100 minutes, gone for 800 (forgotten), back for the rest.
            let q_value = (!(100..900).contains(&k)).then(|| f64::from(k % 7) * 1.5);
            h.push(1 + k % 3, &[("Percentage CPU", Some(f64::from(k % 11) * 10.1)), ("q", q_value)]);
            for r in [&q, &cpu] {
                assert_eq!(h.read(r).map(f64::to_bits), h.evaluate(r).map(f64::to_bits), "minute {k}");
            }
            if k == 850 {
                assert!(h.metrics.iter().all(|m| m.name != "q"), "forgotten after 12 hours without data");
            }
        }
    }

    #[test]
    fn a_history_loaded_from_the_state_rebuilds_its_windows() {
        let mut h = MetricHistory::default();
        for k in 0..100u32 {
            h.push(2, &[("q", Some(f64::from(k)))]);
        }
        let r = Rule {
            metric_name: "q".into(),
            time_window: Duration::from_mins(10),
            time_aggregation: TimeAggregation::Total,
            ..Rule::example()
        };
        let first = h.read(&r);
        let reloaded: MetricHistory = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
        assert!(reloaded.windows.0.is_empty(), "running sums are not saved");
        let mut reloaded = reloaded;
        assert_eq!(reloaded.read(&r), first);
        assert_eq!(reloaded, h, "the windows are not part of the history's value");
    }

    #[test]
    fn a_value_exactly_at_a_threshold_stays_exactly_at_it() {
        // Float sums of 0.1-steps drift; fixed point does not: ten minutes of 70.0 average 70.0.
        let mut h = MetricHistory::default();
        for d in [69.9, 70.1, 69.9, 70.1, 69.9, 70.1, 69.9, 70.1, 69.9, 70.1] {
            h.push(1, &[("q", Some(d))]);
        }
        let r = Rule { metric_name: "q".into(), time_window: Duration::from_mins(10), ..Rule::example() };
        assert_eq!(h.read(&r), Some(70.0));
    }
}
