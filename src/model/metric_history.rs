//! The data half of metric history: per minute, how many VMs served and the total demand of
//! each metric, for the last 12 hours (the longest window autoscale reads). Kept in the state
//! so autoscale resumes where it stopped. How a rule reads it lives in `sim::metrics`.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

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

    /// Adds one minute: the demand of every metric given now (metrics seen before and not
    /// given now get no value for this minute).
    pub fn push(&mut self, serving: u32, demands: &[(&str, Option<f64>)]) {
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
                    .push(MetricSeries { name: (*name).to_owned(), demand: std::iter::repeat_n(None, len).collect() });
            }
        }
        for m in &mut self.metrics {
            let v = demands.iter().find(|(n, _)| n.eq_ignore_ascii_case(&m.name)).and_then(|(_, v)| *v);
            m.demand.push_back(v);
        }
        // Forget metrics with no value left in the window.
        if self.metrics.iter().any(|m| m.demand.front().is_some_and(Option::is_none)) {
            self.metrics.retain(|m| m.demand.iter().any(Option::is_some));
        }
    }
}
