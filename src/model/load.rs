//! The description of load: what demand a set faces, as a list of sources (a signal for one
//! metric, optionally scoped to one set). Plain data, stored in set configurations; how a
//! signal is evaluated minute by minute lives in `sim::load`.

use serde::{Deserialize, Serialize};

use super::duration::Duration;

/// The largest load value (and noise amplitude) accepted: a billion instances' worth. Larger
/// figures are mistakes, and refusing them keeps every sum and random draw finite.
pub const MAX_LOAD_VALUE: f64 = 1e9;

/// Whether `v` is a load value this tool accepts: finite, from 0 to [`MAX_LOAD_VALUE`].
#[must_use]
pub fn is_load_value(v: f64) -> bool {
    v.is_finite() && (0.0..=MAX_LOAD_VALUE).contains(&v)
}

/// A shape over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Signal {
    Constant {
        value: f64,
    },
    Step {
        before: f64,
        after: f64,
        at: Duration,
    },
    Ramp {
        from: f64,
        to: f64,
        over: Duration,
        start: Duration,
    },
    Diurnal {
        trough: f64,
        peak: f64,
        peak_hour: f64,
    },
    Spike {
        base: f64,
        peak: f64,
        at: Duration,
        duration: Duration,
    },
    /// (minute offset, value) rows in ascending order.
    Trace {
        rows: Vec<(u64, f64)>,
    },
    /// A metric export: values at timestamps (minutes since `start`, an absolute minute since
    /// the Unix epoch), a gap (`None`) where the export has no value.
    Series(Series),
}

/// One source of load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The set it applies to; `None` for every set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_set: Option<String>,
    pub metric: String,
    pub signal: Signal,
    /// Uniform noise in [-noise, +noise], seeded.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub noise: f64,
}

impl Source {
    /// The same source with every value (and the noise) multiplied by `factor`: the load of
    /// one size expressed in units of another.
    #[must_use]
    pub fn scaled(&self, factor: f64) -> Source {
        let f = |v: f64| v * factor;
        let signal = match &self.signal {
            Signal::Constant { value } => Signal::Constant { value: f(*value) },
            Signal::Step { before, after, at } => Signal::Step { before: f(*before), after: f(*after), at: *at },
            Signal::Ramp { from, to, over, start } => {
                Signal::Ramp { from: f(*from), to: f(*to), over: *over, start: *start }
            }
            Signal::Diurnal { trough, peak, peak_hour } => {
                Signal::Diurnal { trough: f(*trough), peak: f(*peak), peak_hour: *peak_hour }
            }
            Signal::Spike { base, peak, at, duration } => {
                Signal::Spike { base: f(*base), peak: f(*peak), at: *at, duration: *duration }
            }
            Signal::Trace { rows } => Signal::Trace { rows: rows.iter().map(|(m, v)| (*m, f(*v))).collect() },
            Signal::Series(series) => {
                let mut series = series.clone();
                for point in &mut series.points {
                    point.1 = point.1.map(f);
                }
                Signal::Series(series)
            }
        };
        Source { scale_set: self.scale_set.clone(), metric: self.metric.clone(), signal, noise: f(self.noise) }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// A metric export turned into load: points in time, read as the trace's options say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Series {
    /// The first point's absolute minute (minutes since the Unix epoch, UTC).
    pub start: i64,
    /// (minutes after `start`, total demand or none) in ascending order.
    pub points: Vec<(u32, Option<f64>)>,
    /// Aligned to the export's own timestamps (true) or to the start of the run (false).
    pub absolute: bool,
    /// Linear between points (true) or each value held until the next (false).
    pub linear: bool,
    /// Started again after the last point (true) or no data past it (false).
    pub repeat: bool,
}
