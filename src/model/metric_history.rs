//! The data half of metric history: per minute, how many VMs served and the total demand of
//! each metric, for the last 12 hours (the longest window autoscale reads). Kept in the state
//! so autoscale resumes where it stopped. How a rule reads it lives in `sim::metrics`.
//!
//! Also here, because `push` keeps them current: the running sums of the windows rules read
//! ([`RunningWindow`]), in exact fixed-point arithmetic. A minute's value is rounded once to a
//! multiple of 2^-20 (about a millionth of the metric's unit) and everything after that is
//! integer addition, so a sum kept up to date minute by minute is the very integer a rescan of
//! the window gives: reading a window costs the same at 5 minutes as at 12 hours, and no
//! threshold decision depends on the order of additions. The running sums are derived data:
//! never saved, rebuilt from the minutes on the first read after a load.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::model::autoscale::Statistic;

/// The longest window autoscale looks at: 12 hours.
pub const MAX_HISTORY_MINUTES: usize = 720;

/// One unit of a metric in fixed point: values are kept in multiples of 2^-20.
pub const FIXED_ONE: f64 = 1_048_576.0;

/// At most this many running windows are kept; past it they are dropped and rebuilt as read
/// (a setting has few rules; this bounds a history read by ever-changing rules).
const MAX_WINDOWS: usize = 32;

/// Whether a metric is a CPU percentage, capped at 100 per VM.
#[must_use]
#[inline]
pub fn is_cpu(metric: &str) -> bool {
    // The exact spelling first: one comparison in the per-minute path.
    metric == "Percentage CPU" || metric.eq_ignore_ascii_case("Percentage CPU")
}

/// A value in fixed point, rounded to the nearest 2^-20 (saturating far beyond any load).
#[must_use]
#[inline]
#[allow(clippy::cast_possible_truncation)] // saturating by design; loads are capped at 1e9
pub fn to_fixed(v: f64) -> i64 {
    (v * FIXED_ONE).round() as i64
}

/// A fixed-point value (or sum) back in the metric's unit.
#[must_use]
#[inline]
#[allow(clippy::cast_precision_loss)] // sums stay far below 2^53 units of 2^-20 in practice
pub fn from_fixed(v: i128) -> f64 {
    // Through i64 where it fits: one instruction instead of a 128-bit conversion, and the
    // same correctly rounded result.
    match i64::try_from(v) {
        Ok(small) => small as f64 / FIXED_ONE,
        Err(_) => v as f64 / FIXED_ONE,
    }
}

/// How a rule reads one minute: its statistic, whether per instance, and whether the metric is
/// a CPU percentage (capped per VM).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub statistic: Statistic,
    pub divide_per_instance: bool,
    pub cpu: bool,
}

impl Reading {
    /// The value of a minute with `n` VMs serving `demand` in all: the per-instance demand
    /// (CPU capped at 100), combined across instances by the statistic, optionally divided per
    /// instance, in fixed point. None without demand or without a serving VM.
    #[must_use]
    #[inline]
    pub fn minute(self, n: u32, demand: Option<f64>) -> Option<i64> {
        let demand = demand?;
        if n == 0 {
            return None;
        }
        let n_f = f64::from(n);
        let mut per = demand / n_f;
        if self.cpu {
            per = per.min(100.0);
        }
        let v = match self.statistic {
            Statistic::Average | Statistic::Min | Statistic::Max => per,
            Statistic::Sum => per * n_f,
            Statistic::Count => n_f,
        };
        Some(to_fixed(if self.divide_per_instance { v / n_f } else { v }))
    }
}

/// The sum and count of one reading's values over the last `minutes` minutes of one metric.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunningWindow {
    /// Index of the metric in [`MetricHistory::metrics`].
    pub metric: usize,
    pub reading: Reading,
    pub minutes: usize,
    pub sum: i128,
    pub count: u32,
}

/// The running windows of a history. Derived data: equal whatever it holds, never saved.
#[derive(Clone, Debug, Default)]
pub struct WindowCache(pub Vec<RunningWindow>);

impl PartialEq for WindowCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The last minutes of demand and serving VMs of one set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricHistory {
    /// Serving VMs per minute, oldest first.
    pub serving: VecDeque<u32>,
    /// Demand per metric per minute, aligned with `serving`; `None` where no load was given.
    pub metrics: Vec<MetricSeries>,
    #[serde(skip)]
    pub windows: WindowCache,
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
        for (name, _) in demands {
            if !self.metrics.iter().any(|m| m.name.eq_ignore_ascii_case(name)) {
                let len = self.serving.len();
                self.metrics
                    .push(MetricSeries { name: (*name).to_owned(), demand: std::iter::repeat_n(None, len).collect() });
            }
        }
        let mut values = Vec::with_capacity(self.metrics.len());
        for m in &self.metrics {
            values.push(demands.iter().find(|(n, _)| n.eq_ignore_ascii_case(&m.name)).and_then(|(_, v)| *v));
        }
        self.push_aligned(serving, &values);
    }

    /// Whether the series are exactly `names`, in that order: then a minute's demands can be
    /// pushed by position with [`MetricHistory::push_aligned`].
    #[must_use]
    pub fn is_aligned(&self, names: &[String]) -> bool {
        self.metrics.len() == names.len() && self.metrics.iter().zip(names).all(|(m, n)| m.name == *n)
    }

    /// Adds one minute with one demand per existing series, in their order.
    pub fn push_aligned(&mut self, serving: u32, demands: &[Option<f64>]) {
        debug_assert_eq!(demands.len(), self.metrics.len());
        let len = self.serving.len();
        // The minute that leaves each window, read before the buffers move.
        for w in &mut self.windows.0 {
            if len >= w.minutes
                && let Some(v) =
                    w.reading.minute(self.serving[len - w.minutes], self.metrics[w.metric].demand[len - w.minutes])
            {
                w.sum -= i128::from(v);
                w.count -= 1;
            }
        }
        if len == MAX_HISTORY_MINUTES {
            self.serving.pop_front();
            for m in &mut self.metrics {
                m.demand.pop_front();
            }
        }
        self.serving.push_back(serving);
        for (m, v) in self.metrics.iter_mut().zip(demands) {
            m.demand.push_back(*v);
        }
        for w in &mut self.windows.0 {
            if let Some(v) = w.reading.minute(serving, demands[w.metric]) {
                w.sum += i128::from(v);
                w.count += 1;
            }
        }
        // Forget metrics with no value left in the window (the windows' indices move: rebuilt).
        if self.metrics.iter().any(|m| m.demand.front().is_some_and(Option::is_none))
            && self.metrics.iter().any(|m| m.demand.iter().all(Option::is_none))
        {
            self.metrics.retain(|m| m.demand.iter().any(Option::is_some));
            self.windows.0.clear();
        }
    }

    /// The running window of `reading` over the last `minutes` of metric `metric`: kept from
    /// now on, built from the minutes held on first use.
    pub fn window(&mut self, metric: usize, reading: Reading, minutes: usize) -> &RunningWindow {
        let minutes = minutes.clamp(1, MAX_HISTORY_MINUTES);
        let found =
            self.windows.0.iter().position(|w| w.metric == metric && w.reading == reading && w.minutes == minutes);
        let k = if let Some(k) = found {
            k
        } else {
            if self.windows.0.len() == MAX_WINDOWS {
                self.windows.0.clear();
            }
            let len = self.serving.len();
            let from = len.saturating_sub(minutes);
            let mut w = RunningWindow { metric, reading, minutes, sum: 0, count: 0 };
            for i in from..len {
                if let Some(v) = reading.minute(self.serving[i], self.metrics[metric].demand[i]) {
                    w.sum += i128::from(v);
                    w.count += 1;
                }
            }
            self.windows.0.push(w);
            self.windows.0.len() - 1
        };
        &self.windows.0[k]
    }
}
