//! Validation of a set's `load:` entries into load sources.

#[allow(clippy::wildcard_imports)] // the parent's imports and helpers, shared by every part
use super::*;

pub(super) fn validate_load(
    entries: &[crate::spec::raw::RawLoad],
    set: &str,
    c: &mut Checker<'_>,
) -> Vec<crate::model::load::Source> {
    use crate::model::load::{Signal, Source};
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let at = format!("load[{i}]");
        let mut numbers_ok = true;
        let mut check = |field: &str, v: f64| {
            if !crate::model::load::is_load_value(v) {
                let max = crate::model::load::MAX_LOAD_VALUE;
                c.problem(format!("{at}.{field}"), format!("{v} is not a number from 0 to {max:e}"));
                numbers_ok = false;
            }
        };
        let mut shapes = Vec::new();
        if let Some(v) = e.constant {
            check("constant", v);
            shapes.push(Signal::Constant { value: v });
        }
        if let Some(s) = &e.step {
            check("step.before", s.before);
            check("step.after", s.after);
            shapes.push(Signal::Step { before: s.before, after: s.after, at: s.at });
        }
        if let Some(r) = &e.ramp {
            check("ramp.from", r.from);
            check("ramp.to", r.to);
            shapes.push(Signal::Ramp {
                from: r.from,
                to: r.to,
                over: r.over,
                start: r.start.unwrap_or(Duration::ZERO),
            });
        }
        if let Some(d) = &e.diurnal {
            check("diurnal.trough", d.trough);
            check("diurnal.peak", d.peak);
            check("diurnal.peakHour", d.peak_hour);
            shapes.push(Signal::Diurnal { trough: d.trough, peak: d.peak, peak_hour: d.peak_hour });
        }
        if let Some(s) = &e.spike {
            check("spike.base", s.base);
            check("spike.peak", s.peak);
            shapes.push(Signal::Spike { base: s.base, peak: s.peak, at: s.at, duration: s.duration });
        }
        let noise = e.noise.unwrap_or(0.0);
        check("noise", noise);
        if let Some(t) = &e.trace {
            match trace_signal(t) {
                Ok(signal) => shapes.push(signal),
                Err((field, message)) => {
                    c.problem(format!("{at}.{field}"), message);
                    numbers_ok = false;
                }
            }
        }
        if let Some(d) = &e.diurnal
            && d.peak_hour >= 24.0
        {
            c.problem(
                format!("{at}.diurnal.peakHour"),
                format!("{} is not an hour of the day (0 to 23.99)", d.peak_hour),
            );
            numbers_ok = false;
        }
        if e.metric.trim().is_empty() {
            c.problem(format!("{at}.metric"), "is empty");
        }
        match shapes.len() {
            1 if numbers_ok => out.push(Source {
                scale_set: Some(set.to_owned()),
                metric: e.metric.trim().to_owned(),
                signal: shapes.remove(0),
                noise,
            }),
            1 => {}
            // A trace that failed is already reported.
            0 if e.trace.is_some() => {}
            0 => c.problem(at.clone(), "needs one shape: constant, step, ramp, diurnal, spike or trace"),
            _ => c.problem(
                at.clone(),
                "has more than one shape; write one entry per shape (entries for the same metric add up)",
            ),
        }
    }
    out
}

/// The signal of a `trace:` shape from the text the shell attached, or the field at fault
/// (`trace` or `trace.file`) and what is wrong.
fn trace_signal(t: &crate::spec::raw::RawTrace) -> Result<crate::model::load::Signal, (&'static str, String)> {
    let pairs = t.option_pairs();
    let options =
        crate::sim::trace::trace_options(pairs.iter().map(|(k, v)| (*k, v.as_str()))).map_err(|m| ("trace", m))?;
    let text = match &t.text {
        Some(Ok(text)) => text,
        Some(Err(reason)) => return Err(("trace.file", format!("cannot read '{}': {reason}", t.file))),
        None => return Err(("trace.file", format!("'{}' was not read", t.file))),
    };
    let mut columns = crate::sim::trace::parse(&t.file, text, &options).map_err(|e| ("trace.file", e.to_string()))?;
    if columns.is_empty() {
        return Err(("trace.file", format!("{}: has no value column", t.file)));
    }
    Ok(columns.remove(0).1)
}
