//! What a run records, minute by minute, for summaries, charts and timelines.
//!
//! Summaries are accumulated as the run goes; the terminal chart and the SVG keep a fixed
//! number of buckets each; per-minute rows are handed to a timeline hook as they come (the
//! shell streams them to a file) and never kept. Recording ten years costs the same memory as
//! recording an hour.

use jiff::Timestamp;
use serde::Serialize;

use crate::model::autoscale::Operator;
use crate::model::event::{Event, EventKind};

/// One minute of one set, for the primary metric.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    pub minute: u64,
    pub time: Timestamp,
    pub capacity: u32,
    pub serving: u32,
    pub demand: Option<f64>,
    pub per_instance: Option<f64>,
    pub unserved: f64,
    /// The autoscale profile in force (its index in the set's setting), if any.
    #[serde(skip)]
    pub profile: Option<u16>,
}

/// A chart column: the minutes it covers, summarised.
#[derive(Clone, Debug, Default)]
pub struct Bucket {
    pub minutes: u64,
    pub max_demand: f64,
    pub sum_capacity: u64,
    pub max_capacity: u32,
    pub max_serving: u32,
    pub max_per_instance: f64,
    /// Whether any minute had a demand figure.
    pub has_demand: bool,
    /// The profile in force at the bucket's last minute.
    pub profile: Option<u16>,
}

impl Bucket {
    fn add(&mut self, sample: &Sample) {
        self.minutes += 1;
        self.max_demand = self.max_demand.max(sample.demand.unwrap_or(0.0));
        self.sum_capacity += u64::from(sample.capacity);
        self.max_capacity = self.max_capacity.max(sample.capacity);
        self.max_serving = self.max_serving.max(sample.serving);
        self.max_per_instance = self.max_per_instance.max(sample.per_instance.unwrap_or(0.0));
        self.has_demand |= sample.demand.is_some();
        self.profile = sample.profile;
    }
}

/// Columns of the SVG chart: enough for a 900-pixel-wide plot.
pub const SVG_BUCKETS: usize = 1500;

/// A threshold of a rule on the primary metric, for "minutes above".
#[derive(Clone, Debug)]
pub struct Threshold {
    /// The profile whose rule it is (its index and name): it counts only while that profile is
    /// in force.
    pub profile: Option<(u16, String)>,
    pub operator: Operator,
    pub value: f64,
    pub minutes: u64,
}

/// The record of one set.
#[derive(Clone, Debug)]
pub struct SetRecord {
    pub name: String,
    pub metric: String,
    pub thresholds: Vec<Threshold>,
    /// Terminal chart columns.
    pub buckets: Vec<Bucket>,
    /// SVG chart columns.
    pub svg_buckets: Vec<Bucket>,
    /// The first and last minutes recorded.
    pub first_time: Option<Timestamp>,
    pub last_time: Option<Timestamp>,
    pub minutes: u64,
    pub min_capacity: u32,
    pub max_capacity: u32,
    pub capacity_minutes: u64,
    pub peak_per_instance: Option<f64>,
    pub sum_per_instance: f64,
    pub per_instance_minutes: u64,
    /// Demand not served, in instance-minutes of the primary metric (CPU above 100% per VM).
    pub unserved: f64,
    /// The primary metric's demand summed over the minutes that had any.
    pub demand_sum: f64,
    /// Autoscale actions and flapping checks, counted as they happen (a run need not keep its
    /// events to summarise them).
    pub scale_outs: u64,
    pub scale_ins: u64,
    pub flapping: u64,
}

/// A rule's threshold on the primary metric: (its profile's index and name, operator, value).
pub type RuleThreshold = (Option<(u16, String)>, Operator, f64);

/// Called with (minutes done, minutes in all) as a run goes, to show progress.
pub type Progress = Box<dyn FnMut(u64, u64)>;

/// Called with (set, metric, sample) for every minute of every set, in minute order (sets in
/// state order within a minute): how a timeline is streamed without being kept.
pub type TimelineHook = Box<dyn FnMut(&str, &str, &Sample)>;

/// Everything a run records.
pub struct Recorder {
    pub sets: Vec<SetRecord>,
    total_minutes: u64,
    chart_width: usize,
    progress: Option<Progress>,
    timeline: Option<TimelineHook>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("sets", &self.sets)
            .field("total_minutes", &self.total_minutes)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder for a run of `total_minutes`, with `chart_width` chart columns.
    #[must_use]
    pub fn new(total_minutes: u64, chart_width: usize) -> Self {
        Self {
            sets: Vec::new(),
            total_minutes: total_minutes.max(1),
            chart_width: chart_width.max(1),
            progress: None,
            timeline: None,
        }
    }

    /// Hands every recorded minute to `hook` as it comes.
    #[must_use]
    pub fn with_timeline(mut self, hook: TimelineHook) -> Self {
        self.timeline = Some(hook);
        self
    }

    /// Reports progress through `hook` about every simulated day.
    #[must_use]
    pub fn with_progress(mut self, hook: Progress) -> Self {
        self.progress = Some(hook);
        self
    }

    /// Declares a set: its primary metric and the thresholds of rules on it.
    pub fn add_set(&mut self, name: &str, metric: &str, thresholds: Vec<RuleThreshold>) {
        self.sets.push(SetRecord {
            name: name.to_owned(),
            metric: metric.to_owned(),
            thresholds: thresholds
                .into_iter()
                .map(|(profile, operator, value)| Threshold { profile, operator, value, minutes: 0 })
                .collect(),
            buckets: vec![Bucket::default(); self.columns(self.chart_width)],
            svg_buckets: vec![Bucket::default(); self.columns(SVG_BUCKETS)],
            first_time: None,
            last_time: None,
            minutes: 0,
            min_capacity: u32::MAX,
            max_capacity: 0,
            capacity_minutes: 0,
            peak_per_instance: None,
            sum_per_instance: 0.0,
            per_instance_minutes: 0,
            unserved: 0.0,
            demand_sum: 0.0,
            scale_outs: 0,
            scale_ins: 0,
            flapping: 0,
        });
    }

    /// Never more columns than minutes.
    fn columns(&self, wanted: usize) -> usize {
        wanted.min(usize::try_from(self.total_minutes).unwrap_or(usize::MAX)).max(1)
    }

    /// Counts the events set `index` just produced.
    pub fn count(&mut self, index: usize, events: &[Event]) {
        let Some(r) = self.sets.get_mut(index) else { return };
        for e in events {
            match e.kind {
                EventKind::AutoscaleScaleOut => r.scale_outs += 1,
                EventKind::AutoscaleScaleIn => r.scale_ins += 1,
                EventKind::Flapping | EventKind::FlappingOccurred => r.flapping += 1,
                _ => {}
            }
        }
    }

    /// Records one minute of set `index`.
    pub fn record(&mut self, index: usize, sample: Sample) {
        let total = self.total_minutes;
        if index == 0
            && sample.minute.is_multiple_of(1440)
            && let Some(hook) = self.progress.as_mut()
        {
            hook(sample.minute, total);
        }
        let Some(r) = self.sets.get_mut(index) else { return };
        r.minutes += 1;
        r.min_capacity = r.min_capacity.min(sample.capacity);
        r.max_capacity = r.max_capacity.max(sample.capacity);
        r.capacity_minutes += u64::from(sample.capacity);
        r.unserved += sample.unserved;
        r.demand_sum += sample.demand.unwrap_or(0.0);
        if let Some(v) = sample.per_instance {
            r.peak_per_instance = Some(r.peak_per_instance.map_or(v, |p| p.max(v)));
            r.sum_per_instance += v;
            r.per_instance_minutes += 1;
            for t in &mut r.thresholds {
                let in_force = t.profile.as_ref().is_none_or(|(p, _)| sample.profile == Some(*p));
                if in_force && t.operator.holds(v, t.value) {
                    t.minutes += 1;
                }
            }
        }
        let column = |buckets: &[Bucket]| {
            let width = buckets.len() as u64;
            usize::try_from(sample.minute.min(total - 1) * width / total).unwrap_or(0).min(buckets.len() - 1)
        };
        let b = column(&r.buckets);
        r.buckets[b].add(&sample);
        let b = column(&r.svg_buckets);
        r.svg_buckets[b].add(&sample);
        r.first_time.get_or_insert(sample.time);
        r.last_time = Some(sample.time);
        if let Some(hook) = self.timeline.as_mut() {
            hook(&r.name, &r.metric, &sample);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(minute: u64, capacity: u32, demand: Option<f64>, per: Option<f64>, unserved: f64) -> Sample {
        Sample {
            minute,
            time: Timestamp::from_second(1_767_600_000 + 60 * i64::try_from(minute).unwrap()).unwrap(),
            capacity,
            serving: capacity,
            demand,
            per_instance: per,
            unserved,
            profile: None,
        }
    }

    #[test]
    fn summaries_accumulate_minute_by_minute() {
        let mut r = Recorder::new(4, 100);
        r.add_set("web", "Percentage CPU", vec![(None, Operator::GreaterThan, 70.0), (None, Operator::LessThan, 30.0)]);
        r.record(0, sample(0, 2, Some(200.0), Some(100.0), 0.0));
        r.record(0, sample(1, 3, Some(150.0), Some(50.0), 0.0));
        r.record(0, sample(2, 4, Some(80.0), Some(20.0), 0.0));
        r.record(0, sample(3, 4, None, None, 0.5));
        let s = &r.sets[0];
        assert_eq!(s.minutes, 4);
        assert_eq!((s.min_capacity, s.max_capacity, s.capacity_minutes), (2, 4, 13));
        assert_eq!(s.peak_per_instance, Some(100.0));
        assert_eq!(s.per_instance_minutes, 3, "a minute with no value is not averaged in");
        assert!((s.sum_per_instance - 170.0).abs() < 1e-9);
        assert_eq!(s.thresholds[0].minutes, 1);
        assert_eq!(s.thresholds[1].minutes, 1);
        assert!((s.unserved - 0.5).abs() < 1e-9);
        assert_eq!(s.buckets.len(), 4, "never more columns than minutes");
    }

    #[test]
    fn long_runs_fold_into_a_fixed_number_of_buckets() {
        let mut r = Recorder::new(1000, 10);
        r.add_set("web", "q", Vec::new());
        for m in 0..1000 {
            r.record(0, sample(m, u32::try_from(m / 100).unwrap() + 1, Some(m as f64), None, 0.0));
        }
        let s = &r.sets[0];
        assert_eq!(s.buckets.len(), 10);
        assert!(s.buckets.iter().all(|b| b.minutes == 100));
        assert_eq!(s.buckets[3].max_capacity, 4);
        assert!((s.buckets[9].max_demand - 999.0).abs() < 1e-9);
        assert_eq!(s.svg_buckets.len(), 1000, "never more SVG columns than minutes");
        assert_eq!(s.svg_buckets[999].max_capacity, 10);
        // A record for a set that was never declared is ignored.
        r.record(5, sample(0, 1, None, None, 0.0));
        assert_eq!(r.sets.len(), 1);
    }
}
