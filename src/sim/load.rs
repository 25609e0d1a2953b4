//! Load: what demand each scale set faces, minute by minute.
//!
//! A load is a list of sources, each a signal for one metric, optionally scoped to one set.
//! Values are TOTALS across the set in units of one instance's metric (`Percentage CPU=150` is
//! one and a half instances' worth of CPU work). Sources for the same metric add up.
//!
//! Signals: constant, step, ramp, diurnal (trough to peak, peak at an hour of the logical
//! clock's UTC day), spike, CSV traces (`minute,METRIC[,METRIC...]`, a value holding until the
//! next row), each optionally with uniform noise keyed by the seed, the set, the metric and the
//! minute. Offsets (`at`, `start`, CSV minutes) count from the start of the `advance` or
//! `simulate`.
//! Evaluation is a pure function of (source, minute, time, seed): no state, so any minute can
//! be evaluated in any order with the same result.

use crate::model::duration::Duration;
use crate::model::load::{MAX_LOAD_VALUE, Signal, Source, is_load_value};
use crate::model::names::stable_hash;

impl Signal {
    /// The value at `minute` minutes after the start; `hour_of_day` is the UTC time of day in
    /// hours (for diurnal).
    #[must_use]
    pub fn value(&self, minute: u64, hour_of_day: f64) -> f64 {
        #[allow(clippy::cast_precision_loss)] // minutes stay far below 2^52
        let m = minute as f64;
        let mins = |d: &Duration| (d.secs() / 60) as f64;
        match self {
            Signal::Constant { value } => *value,
            Signal::Step { before, after, at } => {
                if m < mins(at) {
                    *before
                } else {
                    *after
                }
            }
            Signal::Ramp { from, to, over, start } => {
                let (s, o) = (mins(start), mins(over));
                if m < s {
                    *from
                } else if o == 0.0 || m >= s + o {
                    *to
                } else {
                    from + (to - from) * (m - s) / o
                }
            }
            Signal::Diurnal { trough, peak, peak_hour } => {
                // A cosine with its maximum at peak_hour and minimum twelve hours away.
                let phase = (hour_of_day - peak_hour) / 24.0 * std::f64::consts::TAU;
                trough + (peak - trough) * f64::midpoint(1.0, phase.cos())
            }
            Signal::Spike { base, peak, at, duration } => {
                if m >= mins(at) && m < mins(at) + mins(duration) {
                    *peak
                } else {
                    *base
                }
            }
            Signal::Trace { rows } => {
                let i = rows.partition_point(|(start, _)| *start <= minute);
                if i == 0 { rows.first().map_or(0.0, |r| r.1) } else { rows[i - 1].1 }
            }
            // Read relative to the run; an absolutely aligned series goes through `Source::sample`.
            Signal::Series(series) => series.value(minute, 0).unwrap_or(0.0),
        }
    }
}

impl Source {
    /// The value at a minute, noise included. Never negative: demand cannot be.
    #[must_use]
    pub fn value(&self, seed: u64, set: &str, minute: u64, absolute_minute: i64, hour_of_day: f64) -> f64 {
        self.sample(seed, set, minute, absolute_minute, hour_of_day).unwrap_or(0.0)
    }

    /// The value at a minute, noise included, or `None` where a metric export has a gap (no
    /// data, as Azure Monitor would report it).
    #[must_use]
    pub fn sample(&self, seed: u64, set: &str, minute: u64, absolute_minute: i64, hour_of_day: f64) -> Option<f64> {
        self.sample_keyed(noise_key(seed, set, &self.metric), minute, absolute_minute, hour_of_day)
    }

    /// [`Source::sample`] with the noise key of its (seed, set, metric) worked out once by the
    /// caller: what a run does, so no minute hashes names or seeds a generator.
    #[must_use]
    #[inline]
    pub fn sample_keyed(&self, key: u64, minute: u64, absolute_minute: i64, hour_of_day: f64) -> Option<f64> {
        let mut v = match &self.signal {
            Signal::Series(series) => series.value(minute, absolute_minute)?,
            signal => signal.value(minute, hour_of_day),
        };
        if self.noise > 0.0 {
            v += self.noise * unit_noise(key, absolute_minute);
        }
        Some(v.max(0.0))
    }
}

/// The key of the noise one source adds to one set: a hash of the run's seed, the set and the
/// metric, so two sets (or two metrics) never share a sequence.
#[must_use]
pub fn noise_key(seed: u64, set: &str, metric: &str) -> u64 {
    stable_hash(&[&seed.to_le_bytes(), set.as_bytes(), metric.as_bytes()])
}

/// Uniform noise in [-1, 1] at an absolute minute: the minute-th output of SplitMix64 seeded
/// with `key`. A pure function of (key, minute), so any minute reads the same value whether a
/// run covers it alone or inside a longer one, at the cost of a multiply-xorshift chain rather
/// than a generator's construction.
#[must_use]
#[inline]
pub fn unit_noise(key: u64, absolute_minute: i64) -> f64 {
    #[allow(clippy::cast_sign_loss)] // the minute's bits, as a counter
    let mut z = key.wrapping_add((absolute_minute as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    // 53 bits: every value exact in f64; [0, 2^53 - 1] onto [-1, 1], both ends included.
    #[allow(clippy::cast_precision_loss)] // below 2^53: exact
    let unit = (z >> 11) as f64 / ((1_u64 << 53) - 1) as f64;
    2.0 * unit - 1.0
}

/// A load spec or trace that does not parse: where (the spec, or FILE:LINE:COLUMN), what is wrong
/// and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(pub(crate) String);

impl From<String> for LoadError {
    fn from(message: String) -> Self {
        Self(message)
    }
}

/// The whole load of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Load {
    pub sources: Vec<Source>,
}

impl Load {
    /// Whether any source applies to this set.
    #[must_use]
    pub fn applies_to(&self, set: &str) -> bool {
        self.sources.iter().any(|s| s.scale_set.as_deref().is_none_or(|n| n == set))
    }

    /// Total demand of `metric` on `set` at a minute, or `None` when no source gives it.
    #[must_use]
    pub fn demand(
        &self,
        seed: u64,
        set: &str,
        metric: &str,
        minute: u64,
        absolute_minute: i64,
        hour_of_day: f64,
    ) -> Option<f64> {
        // Sources add up; a gap in one export is no data only when no source has a value.
        let mut total = None;
        for s in &self.sources {
            if s.metric.eq_ignore_ascii_case(metric)
                && s.scale_set.as_deref().is_none_or(|n| n == set)
                && let Some(v) = s.sample(seed, set, minute, absolute_minute, hour_of_day)
            {
                *total.get_or_insert(0.0) += v;
            }
        }
        total
    }

    /// Every metric name with a source for this set.
    #[must_use]
    pub fn metrics_for(&self, set: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.sources {
            if s.scale_set.as_deref().is_none_or(|n| n == set) && !out.iter().any(|m| m.eq_ignore_ascii_case(&s.metric))
            {
                out.push(s.metric.clone());
            }
        }
        out
    }
}

/// One set's load prepared for a run: for each metric sampled, the sources that give it and
/// their noise keys, found once, so a minute costs the signals' arithmetic and nothing else
/// (no name comparison, no hashing, no allocation).
#[derive(Debug)]
pub struct SetLoad<'a> {
    metrics: Vec<Vec<(&'a Source, u64)>>,
}

impl<'a> SetLoad<'a> {
    /// `metrics` in the order their demands are wanted.
    #[must_use]
    pub fn prepare(load: &'a Load, seed: u64, set: &str, metrics: &[String]) -> Self {
        let metrics = metrics
            .iter()
            .map(|metric| {
                load.sources
                    .iter()
                    .filter(|s| {
                        s.metric.eq_ignore_ascii_case(metric) && s.scale_set.as_deref().is_none_or(|n| n == set)
                    })
                    .map(|s| (s, noise_key(seed, set, &s.metric)))
                    .collect()
            })
            .collect();
        Self { metrics }
    }

    /// The demand of every metric at a minute, into `out` (same order as prepared): what
    /// [`Load::demand`] gives for each.
    pub fn demands(&self, minute: u64, absolute_minute: i64, hour_of_day: f64, out: &mut Vec<Option<f64>>) {
        out.clear();
        for sources in &self.metrics {
            let mut total = None;
            for (s, key) in sources {
                if let Some(v) = s.sample_keyed(*key, minute, absolute_minute, hour_of_day) {
                    *total.get_or_insert(0.0) += v;
                }
            }
            out.push(total);
        }
    }
}

/// Parses one `--load` value that is not a file: `METRIC=VALUE`, `METRIC=gen(args)` with an
/// optional `+noise(A)`, each optionally prefixed by `SET:` to scope it to one set.
///
/// # Errors
/// What is wrong and the accepted forms.
pub fn parse_spec(spec: &str, set_names: &[&str]) -> Result<Source, LoadError> {
    let forms = "accepted: METRIC=VALUE, METRIC=constant(V), step(BEFORE,AFTER,AT), ramp(FROM,TO,OVER[,START]), diurnal(TROUGH,PEAK,PEAK_HOUR), spike(BASE,PEAK,AT,FOR), each optionally followed by +noise(AMPLITUDE) and prefixed by SET: ; or a CSV file path";
    let Some((left, right)) = spec.split_once('=') else {
        return Err(LoadError(format!("--load '{spec}': no '=' ({forms})")));
    };
    let (scale_set, metric) = match left.split_once(':') {
        Some((set, metric)) if set_names.contains(&set.trim()) => (Some(set.trim().to_owned()), metric.trim()),
        _ => (None, left.trim()),
    };
    if metric.is_empty() {
        return Err(LoadError(format!("--load '{spec}': the metric name is empty ({forms})")));
    }
    let mut right = right.trim();
    let mut noise = 0.0;
    if let Some(i) = right.find("+noise(") {
        let args = right[i + "+noise(".len()..]
            .strip_suffix(')')
            .ok_or_else(|| format!("--load '{spec}': noise(...) is not closed"))?;
        noise = number(args.trim(), spec)?;
        right = right[..i].trim();
    }
    let signal = parse_signal(right).map_err(|e| format!("--load '{spec}': {e} ({forms})"))?;
    Ok(Source { scale_set, metric: metric.to_owned(), signal, noise })
}

fn number(s: &str, spec: &str) -> Result<f64, LoadError> {
    s.parse::<f64>()
        .ok()
        .filter(|v| is_load_value(*v))
        .ok_or_else(|| LoadError(format!("--load '{spec}': '{s}' is not a number from 0 to {MAX_LOAD_VALUE:e}")))
}

fn parse_signal(s: &str) -> Result<Signal, LoadError> {
    if let Ok(v) = s.parse::<f64>() {
        if !is_load_value(v) {
            return Err(LoadError(format!("'{s}' is not a number from 0 to {MAX_LOAD_VALUE:e}")));
        }
        return Ok(Signal::Constant { value: v });
    }
    let (name, args) = s.split_once('(').ok_or_else(|| format!("'{s}' is neither a number nor a generator"))?;
    let args = args.strip_suffix(')').ok_or_else(|| format!("'{s}': missing ')'"))?;
    let args: Vec<&str> = args.split(',').map(str::trim).collect();
    let num = |i: usize| -> Result<f64, LoadError> {
        let a = args.get(i).ok_or_else(|| format!("{name}(...) needs more arguments"))?;
        a.parse::<f64>()
            .ok()
            .filter(|v| is_load_value(*v))
            .ok_or_else(|| LoadError(format!("'{a}' is not a number from 0 to {MAX_LOAD_VALUE:e}")))
    };
    let dur = |i: usize| -> Result<Duration, LoadError> {
        let a = args.get(i).ok_or_else(|| format!("{name}(...) needs more arguments"))?;
        a.parse::<Duration>().map_err(|e| LoadError(e.to_string()))
    };
    let expect = |n: &[usize]| {
        if n.contains(&args.len()) {
            Ok(())
        } else {
            Err(LoadError(format!(
                "{name}(...) takes {} arguments, got {}",
                n.iter().map(usize::to_string).collect::<Vec<_>>().join(" or "),
                args.len()
            )))
        }
    };
    match name.trim().to_ascii_lowercase().as_str() {
        "constant" => {
            expect(&[1])?;
            Ok(Signal::Constant { value: num(0)? })
        }
        "step" => {
            expect(&[3])?;
            Ok(Signal::Step { before: num(0)?, after: num(1)?, at: dur(2)? })
        }
        "ramp" => {
            expect(&[3, 4])?;
            Ok(Signal::Ramp {
                from: num(0)?,
                to: num(1)?,
                over: dur(2)?,
                start: if args.len() == 4 { dur(3)? } else { Duration::ZERO },
            })
        }
        "diurnal" => {
            expect(&[3])?;
            let peak_hour = num(2)?;
            if peak_hour >= 24.0 {
                return Err(LoadError(format!("peak hour {peak_hour} is not in 0..24")));
            }
            Ok(Signal::Diurnal { trough: num(0)?, peak: num(1)?, peak_hour })
        }
        "spike" => {
            expect(&[4])?;
            Ok(Signal::Spike { base: num(0)?, peak: num(1)?, at: dur(2)?, duration: dur(3)? })
        }
        other => Err(LoadError(format!("unknown generator '{other}'"))),
    }
}

/// Parses a CSV trace: header `minute,METRIC[,METRIC...]`, then rows of numbers.
///
/// # Errors
/// A message naming `path`, the line and the column.
pub fn parse_csv(path: &str, text: &str, set_names: &[&str]) -> Result<Vec<Source>, LoadError> {
    let line_of =
        |p: Option<&csv::Position>| p.map_or(0, |p| crate::model::text::record_line(text, p.byte(), Some(b'#')));
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
        .into_records()
        .filter(|r| r.as_ref().map_or(true, |r| !r.iter().all(str::is_empty)));
    let header = match records.next() {
        None => return Err(LoadError(format!("{path}: empty; expected a header 'minute,METRIC[,METRIC...]'"))),
        Some(Err(e)) => return Err(LoadError(format!("{path}:{}: {e}", line_of(e.position())))),
        Some(Ok(header)) => header,
    };
    let columns: Vec<String> = header.iter().map(str::to_owned).collect();
    if columns.first().is_none_or(|c| !c.eq_ignore_ascii_case("minute")) || columns.len() < 2 {
        return Err(LoadError(format!(
            "{path}:{}: the header must be 'minute,METRIC[,METRIC...]' (got '{}')",
            line_of(header.position()),
            columns.join(",")
        )));
    }
    let mut rows: Vec<Vec<(u64, f64)>> = vec![Vec::new(); columns.len() - 1];
    let mut last: Option<u64> = None;
    for record in records {
        let record = record.map_err(|e| format!("{path}:{}: {e}", line_of(e.position())))?;
        let line = line_of(record.position());
        let cells: Vec<&str> = record.iter().collect();
        if cells.len() != columns.len() {
            return Err(LoadError(format!("{path}:{line}: {} values, the header has {}", cells.len(), columns.len())));
        }
        let minute: u64 =
            cells[0].parse().map_err(|_| format!("{path}:{line}:1: minute '{}' is not a whole number", cells[0]))?;
        if last.is_some_and(|l| minute <= l) {
            return Err(LoadError(format!("{path}:{line}:1: minute {minute} is not after the previous row's")));
        }
        last = Some(minute);
        for (c, cell) in cells.iter().enumerate().skip(1) {
            if cell.is_empty() {
                continue; // the previous value holds
            }
            let v: f64 = cell.parse().ok().filter(|v: &f64| is_load_value(*v)).ok_or_else(|| {
                format!("{path}:{line}:{}: '{cell}' is not a number from 0 to {MAX_LOAD_VALUE:e}", c + 1)
            })?;
            rows[c - 1].push((minute, v));
        }
    }
    let mut out = Vec::new();
    for (c, name) in columns.iter().enumerate().skip(1) {
        let (scale_set, metric) = match name.split_once(':') {
            Some((set, metric)) if set_names.contains(&set.trim()) => {
                (Some(set.trim().to_owned()), metric.trim().to_owned())
            }
            _ => (None, name.clone()),
        };
        if rows[c - 1].is_empty() {
            return Err(LoadError(format!("{path}: column '{name}' has no values")));
        }
        out.push(Source {
            scale_set,
            metric,
            signal: Signal::Trace { rows: std::mem::take(&mut rows[c - 1]) },
            noise: 0.0,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_and_scoped_specs() {
        let s = parse_spec("Percentage CPU=150", &["web"]).unwrap();
        assert_eq!(s.metric, "Percentage CPU");
        assert_eq!(s.signal, Signal::Constant { value: 150.0 });
        assert_eq!(s.scale_set, None);
        let s = parse_spec("web:requests=ramp(10,50,1h)+noise(5)", &["web"]).unwrap();
        assert_eq!(s.scale_set.as_deref(), Some("web"));
        assert!((s.noise - 5.0).abs() < f64::EPSILON);
        assert!((s.signal.value(30, 0.0) - 30.0).abs() < 1e-9);
    }

    #[test]
    fn generators() {
        let step = parse_signal("step(100,300,30m)").unwrap();
        assert!((step.value(29, 0.0) - 100.0).abs() < 1e-9);
        assert!((step.value(30, 0.0) - 300.0).abs() < 1e-9);
        let d = parse_signal("diurnal(50,250,14)").unwrap();
        assert!((d.value(0, 14.0) - 250.0).abs() < 1e-9);
        assert!((d.value(0, 2.0) - 50.0).abs() < 1e-9);
        let spike = parse_signal("spike(100,800,1h,15m)").unwrap();
        assert!((spike.value(60, 0.0) - 800.0).abs() < 1e-9);
        assert!((spike.value(75, 0.0) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in ["cpu", "=5", "cpu=-1", "cpu=wave(1)", "cpu=step(1,2)", "cpu=ramp(1,2,3x)", "cpu=diurnal(1,2,25)"] {
            assert!(parse_spec(bad, &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn csv_values_hold_until_the_next_row() {
        let sources = parse_csv("t.csv", "minute,Percentage CPU,web:requests\n0,100,5\n10,300,\n", &["web"]).unwrap();
        assert_eq!(sources.len(), 2);
        assert!((sources[0].signal.value(9, 0.0) - 100.0).abs() < 1e-9);
        assert!((sources[0].signal.value(10, 0.0) - 300.0).abs() < 1e-9);
        assert_eq!(sources[1].scale_set.as_deref(), Some("web"));
        assert!((sources[1].signal.value(20, 0.0) - 5.0).abs() < 1e-9);
        assert!(parse_csv("t.csv", "minute,cpu\n5,1\n5,2\n", &[]).unwrap_err().to_string().contains("t.csv:3:1"));
        assert!(parse_csv("t.csv", "min,cpu\n", &[]).is_err());
    }

    #[test]
    fn noise_is_seeded_and_reproducible() {
        let s = parse_spec("cpu=100+noise(10)", &[]).unwrap();
        let a = s.value(7, "web", 3, 1000, 0.0);
        assert!((a - s.value(7, "web", 3, 1000, 0.0)).abs() < f64::EPSILON);
        assert!((90.0..=110.0).contains(&a));
        assert!((a - s.value(8, "web", 3, 1000, 0.0)).abs() > 0.0);
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    fn v(spec: &str, minute: u64) -> f64 {
        parse_spec(spec, &[]).unwrap().signal.value(minute, 0.0)
    }

    #[test]
    fn ramp_holds_before_its_start_and_after_its_end() {
        assert!((v("q=ramp(100,200,10m,5m)", 0) - 100.0).abs() < 1e-9);
        assert!((v("q=ramp(100,200,10m,5m)", 5) - 100.0).abs() < 1e-9);
        assert!((v("q=ramp(100,200,10m,5m)", 10) - 150.0).abs() < 1e-9);
        assert!((v("q=ramp(100,200,10m,5m)", 15) - 200.0).abs() < 1e-9);
        assert!((v("q=ramp(100,200,10m,5m)", 500) - 200.0).abs() < 1e-9);
        assert!((v("q=ramp(300,100,4m)", 1) - 250.0).abs() < 1e-9, "ramps go down too");
        assert!((v("q=ramp(1,9,0m)", 0) - 9.0).abs() < 1e-9, "a zero-length ramp is a step");
    }

    #[test]
    fn spike_and_step_edges() {
        assert!((v("q=spike(1,9,10m,5m)", 9) - 1.0).abs() < 1e-9);
        assert!((v("q=spike(1,9,10m,5m)", 10) - 9.0).abs() < 1e-9);
        assert!((v("q=spike(1,9,10m,5m)", 14) - 9.0).abs() < 1e-9);
        assert!((v("q=spike(1,9,10m,5m)", 15) - 1.0).abs() < 1e-9);
        assert!((v("q=step(1,9,0s)", 0) - 9.0).abs() < 1e-9);
        assert!((v("q=step(1,9,1h)", 59) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn diurnal_is_a_day_long_cosine() {
        let d = parse_signal("diurnal(0,100,12)").unwrap();
        assert!((d.value(0, 12.0) - 100.0).abs() < 1e-9);
        assert!((d.value(0, 0.0)).abs() < 1e-9);
        assert!((d.value(0, 6.0) - 50.0).abs() < 1e-9);
        assert!((d.value(0, 18.0) - 50.0).abs() < 1e-9);
        assert!((d.value(0, 11.0) - d.value(0, 13.0)).abs() < 1e-9, "symmetric around the peak");
    }

    #[test]
    fn a_trace_before_its_first_row_takes_the_first_value() {
        let s = parse_csv("t.csv", "minute,q\n10,5\n20,7\n", &[]).unwrap();
        assert!((s[0].signal.value(0, 0.0) - 5.0).abs() < 1e-9);
        assert!((s[0].signal.value(19, 0.0) - 5.0).abs() < 1e-9);
        assert!((s[0].signal.value(1000, 0.0) - 7.0).abs() < 1e-9);
    }

    #[test]
    fn noise_never_makes_demand_negative_and_stays_in_its_band() {
        let s = parse_spec("q=0+noise(50)", &[]).unwrap();
        let values: Vec<f64> = (0..200).map(|m| s.value(1, "web", m, m as i64, 0.0)).collect();
        assert!(values.iter().all(|v| *v >= 0.0));
        assert!(values.iter().any(|v| *v > 0.0));
        let s = parse_spec("q=100+noise(5)", &[]).unwrap();
        assert!((0..200).map(|m| s.value(1, "web", m, m as i64, 0.0)).all(|v| (95.0..=105.0).contains(&v)));
        // Noise depends on the set: two sets do not see the same sequence.
        let a: Vec<f64> = (0..20).map(|m| s.value(1, "web", m, m as i64, 0.0)).collect();
        let b: Vec<f64> = (0..20).map(|m| s.value(1, "api", m, m as i64, 0.0)).collect();
        assert_ne!(a, b);
    }

    #[test]
    fn a_prefix_that_names_no_set_is_part_of_the_metric_name() {
        let s = parse_spec("custom:queue=5", &["web"]).unwrap();
        assert_eq!(s.scale_set, None);
        assert_eq!(s.metric, "custom:queue");
        let s = parse_spec(" web : Thread Count = constant( 12 ) ", &["web"]).unwrap();
        assert_eq!(s.scale_set.as_deref(), Some("web"));
        assert_eq!(s.metric, "Thread Count");
        assert_eq!(s.signal, Signal::Constant { value: 12.0 });
        assert!(parse_spec("q=STEP(1,2,3m)", &[]).is_ok(), "generator names are case-insensitive");
    }

    #[test]
    fn demand_adds_sources_and_respects_scope() {
        let load = Load {
            sources: vec![
                parse_spec("q=10", &["web", "api"]).unwrap(),
                parse_spec("web:q=5", &["web", "api"]).unwrap(),
                parse_spec("Q=1", &["web", "api"]).unwrap(),
            ],
        };
        assert_eq!(load.demand(0, "web", "q", 0, 0, 0.0), Some(16.0));
        assert_eq!(load.demand(0, "api", "q", 0, 0, 0.0), Some(11.0));
        assert_eq!(load.demand(0, "api", "other", 0, 0, 0.0), None);
        assert_eq!(load.metrics_for("api"), ["q"]);
        assert!(load.applies_to("web"));
        assert!(!Load::default().applies_to("web"));
    }

    #[test]
    fn more_bad_specs() {
        for bad in [
            "q=",
            "q=spike(1,2,3m)",
            "q=ramp(1,2)",
            "q=constant()",
            "q=step(1,2,3m",
            "q=1+noise(-1)",
            "q=nan",
            "q=inf",
            "q=diurnal(1,2,24)",
        ] {
            assert!(parse_spec(bad, &[]).is_err(), "{bad}");
        }
        assert!(parse_csv("t.csv", "", &[]).unwrap_err().to_string().contains("empty"));
        assert!(parse_csv("t.csv", "minute,q\n0,1,2\n", &[]).unwrap_err().to_string().contains("t.csv:2"));
        assert!(parse_csv("t.csv", "minute,q\n-1,1\n", &[]).unwrap_err().to_string().contains("not a whole number"));
        assert!(
            parse_csv("t.csv", "minute,q,r\n0,1,\n", &[]).unwrap_err().to_string().contains("column 'r' has no values")
        );
    }
}

#[cfg(test)]
mod noise_tests {
    use super::*;

    #[test]
    fn unit_noise_is_uniform_on_minus_one_to_one() {
        let key = noise_key(7, "web", "Percentage CPU");
        let values: Vec<f64> = (0..100_000).map(|m| unit_noise(key, m)).collect();
        assert!(values.iter().all(|v| (-1.0..=1.0).contains(v)));
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        // Ten equal bins each hold about a tenth.
        let mut bins = [0u32; 10];
        for v in &values {
            bins[(((v + 1.0) / 2.0 * 10.0) as usize).min(9)] += 1;
        }
        assert!(bins.iter().all(|b| (9_500..=10_500).contains(b)), "{bins:?}");
        // Neighbouring minutes are not correlated.
        let lag: f64 = values.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / values.len() as f64;
        assert!(lag.abs() < 0.01, "lag-1 correlation {lag}");
    }

    #[test]
    fn a_prepared_set_load_gives_what_load_demand_gives() {
        let load = Load {
            sources: vec![
                parse_spec("Percentage CPU=diurnal(50,400,14)+noise(30)", &["web"]).unwrap(),
                parse_spec("web:Percentage CPU=20+noise(5)", &["web"]).unwrap(),
                parse_spec("api:Percentage CPU=999", &["web", "api"]).unwrap(),
                parse_spec("queue=ramp(0,100,60m)", &["web"]).unwrap(),
            ],
        };
        let metrics = vec!["percentage cpu".to_string(), "queue".to_string(), "absent".to_string()];
        let prepared = SetLoad::prepare(&load, 42, "web", &metrics);
        let mut out = Vec::new();
        for minute in 0..300u64 {
            let absolute = 29_000_000 + minute as i64;
            let hour = (minute % 1440) as f64 / 60.0;
            prepared.demands(minute, absolute, hour, &mut out);
            let expected: Vec<Option<f64>> =
                metrics.iter().map(|m| load.demand(42, "web", m, minute, absolute, hour)).collect();
            assert_eq!(out, expected, "minute {minute}");
        }
        assert_eq!(out[2], None, "a metric no source gives has no demand");
    }
}
