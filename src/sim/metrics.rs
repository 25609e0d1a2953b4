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

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::model::autoscale::{Rule, Statistic, TimeAggregation};

/// The longest window autoscale looks at: 12 hours.
pub const MAX_HISTORY_MINUTES: usize = 720;

/// Whether a metric is a CPU percentage, capped at 100 per VM.
#[must_use]
pub fn is_cpu(metric: &str) -> bool {
    metric.eq_ignore_ascii_case("Percentage CPU")
}

/// The last minutes of demand and serving VMs of one set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricHistory {
    /// Serving VMs per minute, oldest first.
    pub serving: VecDeque<u32>,
    /// Demand per metric per minute, aligned with `serving`; `None` where no load was given.
    pub metrics: Vec<MetricSeries>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricSeries {
    pub name: String,
    pub demand: VecDeque<Option<f64>>,
}

impl MetricHistory {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.serving.is_empty()
    }

    /// Adds one minute: `demand(metric)` for every metric seen so far or given now.
    pub fn push(&mut self, serving: u32, demands: &[(String, Option<f64>)]) {
        if self.serving.len() == MAX_HISTORY_MINUTES {
            self.serving.pop_front();
            for m in &mut self.metrics {
                m.demand.pop_front();
            }
        }
        let len = self.serving.len();
        self.serving.push_back(serving);
        for (name, _) in demands {
            if !self.metrics.iter().any(|m| m.name.eq_ignore_ascii_case(name)) {
                self.metrics
                    .push(MetricSeries { name: name.clone(), demand: std::iter::repeat_n(None, len).collect() });
            }
        }
        for m in &mut self.metrics {
            let v = demands.iter().find(|(n, _)| n.eq_ignore_ascii_case(&m.name)).and_then(|(_, v)| *v);
            m.demand.push_back(v);
        }
        // Forget metrics with no value left in the window.
        self.metrics.retain(|m| m.demand.iter().any(Option::is_some));
    }

    /// The value `rule` reads for the minute `i` (0 = oldest kept).
    fn minute_value(&self, rule: &Rule, series: &MetricSeries, i: usize) -> Option<f64> {
        let n = self.serving[i];
        let demand = series.demand[i]?;
        if n == 0 {
            return None;
        }
        let n_f = f64::from(n);
        let mut per = demand / n_f;
        if is_cpu(&series.name) {
            per = per.min(100.0);
        }
        let mut v = match rule.statistic {
            Statistic::Average | Statistic::Min | Statistic::Max => per,
            Statistic::Sum => per * n_f,
            Statistic::Count => n_f,
        };
        if rule.divide_per_instance {
            v /= n_f;
        }
        Some(v)
    }

    /// The aggregated value `rule` sees now, or `None` when the metric is unavailable.
    #[must_use]
    pub fn evaluate(&self, rule: &Rule) -> Option<f64> {
        let series = self.metrics.iter().find(|m| m.name.eq_ignore_ascii_case(&rule.metric_name))?;
        let len = self.serving.len();
        let window = usize::try_from(rule.time_window.secs() / 60).unwrap_or(1).max(1).min(len);
        let grain = usize::try_from(rule.time_grain.secs() / 60).unwrap_or(1).max(1);
        let mut grains: Vec<f64> = Vec::new();
        // Grains counted back from the newest minute, then put in time order.
        let mut end = len;
        let start = len - window;
        while end > start {
            let from = end.saturating_sub(grain).max(start);
            let values: Vec<f64> = (from..end).filter_map(|i| self.minute_value(rule, series, i)).collect();
            if !values.is_empty() {
                grains.push(match rule.statistic {
                    Statistic::Average => values.iter().sum::<f64>() / count(&values),
                    Statistic::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
                    Statistic::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    Statistic::Sum | Statistic::Count => values.iter().sum(),
                });
            }
            end = from;
        }
        grains.reverse();
        if grains.is_empty() {
            return None;
        }
        Some(match rule.time_aggregation {
            TimeAggregation::Average => grains.iter().sum::<f64>() / count(&grains),
            TimeAggregation::Minimum => grains.iter().copied().fold(f64::INFINITY, f64::min),
            TimeAggregation::Maximum => grains.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            TimeAggregation::Total => grains.iter().sum(),
            TimeAggregation::Count => count(&grains),
            TimeAggregation::Last => grains[grains.len() - 1],
        })
    }
}

#[allow(clippy::cast_precision_loss)] // at most 720 values
fn count(v: &[f64]) -> f64 {
    v.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::autoscale::{Direction, Operator, ScaleType};
    use crate::model::duration::Duration;

    fn rule(metric: &str, stat: Statistic, agg: TimeAggregation, window: u64) -> Rule {
        Rule {
            metric_name: metric.into(),
            time_grain: Duration::from_mins(1),
            statistic: stat,
            time_window: Duration::from_mins(window),
            time_aggregation: agg,
            operator: Operator::GreaterThan,
            threshold: 70.0,
            divide_per_instance: false,
            direction: Direction::Increase,
            kind: ScaleType::ChangeCount,
            value: 1,
            cooldown: Duration::from_mins(5),
        }
    }

    #[test]
    fn cpu_is_per_instance_and_capped() {
        let mut h = MetricHistory::default();
        h.push(2, &[("Percentage CPU".into(), Some(300.0))]);
        let r = rule("Percentage CPU", Statistic::Average, TimeAggregation::Average, 5);
        assert_eq!(h.evaluate(&r), Some(100.0));
        let sum = rule("Percentage CPU", Statistic::Sum, TimeAggregation::Average, 5);
        assert_eq!(h.evaluate(&sum), Some(200.0));
    }

    #[test]
    fn window_average_and_divide_per_instance() {
        let mut h = MetricHistory::default();
        for d in [100.0, 200.0, 300.0] {
            h.push(2, &[("requests".into(), Some(d))]);
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
        h.push(0, &[("Percentage CPU".into(), Some(50.0))]);
        let r = rule("Percentage CPU", Statistic::Average, TimeAggregation::Average, 5);
        assert_eq!(h.evaluate(&r), None);
        assert_eq!(h.evaluate(&rule("other", Statistic::Average, TimeAggregation::Average, 5)), None);
    }
}
