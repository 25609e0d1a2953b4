//! The simulation chart as a standalone SVG. Per scale set with load or autoscale, three panels
//! sharing a time axis (dates and day or hour ticks, in UTC): total demand, instances (capacity
//! and serving), and the per-instance metric with each rule's threshold drawn only while its
//! profile is in force. Each panel has a legend and its axis names its unit. Sets with neither
//! load nor autoscale are listed, not charted. Drawn from the recorder's fixed buckets, so the
//! file's size does not grow with the run. Written by hand: deterministic, no dependencies.

use std::fmt::Write as _;

use super::html::esc;

use jiff::Timestamp;

use crate::sim::record::{Bucket, Recorder, SetRecord};

const WIDTH: f64 = 960.0;
const PANEL: f64 = 140.0;
/// Space above a panel (title, legend) and below it (time axis).
const ABOVE: f64 = 40.0;
const BELOW: f64 = 34.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 24.0;
const PLOT: f64 = WIDTH - LEFT - RIGHT;

const DEMAND: &str = "#1f77b4";
const CAPACITY: &str = "#2ca02c";
const SERVING: &str = "#98df8a";
const PER_VM: &str = "#ff7f0e";
const THRESHOLD: &str = "#d62728";

/// One point per SVG column with data: (x in 0..1, the column's maximum of `value`).
fn points(buckets: &[Bucket], value: impl Fn(&Bucket) -> f64) -> Vec<(f64, f64)> {
    #[allow(clippy::cast_precision_loss)]
    let n = buckets.len().max(1) as f64;
    #[allow(clippy::cast_precision_loss)]
    buckets.iter().enumerate().filter(|(_, b)| b.minutes > 0).map(|(i, b)| (i as f64 / n, value(b))).collect()
}

fn y(top: f64, v: f64, max: f64) -> f64 {
    top + PANEL - if max > 0.0 { v / max * PANEL } else { 0.0 }
}

fn polyline(out: &mut String, pts: &[(f64, f64)], top: f64, max: f64, color: &str, dashed: bool) {
    let coords: Vec<String> =
        pts.iter().map(|(x, v)| format!("{:.1},{:.1}", LEFT + x * PLOT, y(top, *v, max))).collect();
    let dash = if dashed { r#" stroke-dasharray="4 3""# } else { "" };
    let _ = writeln!(
        out,
        r#"<polyline fill="none" stroke="{color}" stroke-width="1.5"{dash} points="{}"/>"#,
        coords.join(" ")
    );
}

/// A panel: frame, title, y-axis label with its unit, scale, and a legend of (colour, dashed, label).
fn panel(out: &mut String, top: f64, title: &str, unit: &str, max: f64, legend: &[(&str, bool, String)]) {
    let _ =
        writeln!(out, r##"<rect x="{LEFT}" y="{top}" width="{PLOT}" height="{PANEL}" fill="#fafafa" stroke="#ccc"/>"##);
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="{:.1}" font-size="13" font-weight="bold">{}</text>"#,
        top - 22.0,
        esc(title)
    );
    let mut x = LEFT;
    for (color, dashed, label) in legend {
        let dash = if *dashed { r#" stroke-dasharray="4 3""# } else { "" };
        let _ = writeln!(
            out,
            r#"<line x1="{x:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="2"{dash}/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            x + 18.0,
            top - 9.0,
            top - 9.0,
            x + 22.0,
            top - 5.0,
            esc(label)
        );
        #[allow(clippy::cast_precision_loss)]
        let advance = 30.0 + 6.2 * label.chars().count() as f64;
        x += advance;
    }
    let mid = top + PANEL / 2.0;
    let _ = writeln!(
        out,
        r#"<text x="16" y="{mid:.1}" font-size="11" text-anchor="middle" transform="rotate(-90 16 {mid:.1})">{}</text>"#,
        esc(unit)
    );
    for (v, at) in [(max, top + 10.0), (max / 2.0, top + PANEL / 2.0 + 4.0), (0.0, top + PANEL)] {
        let shown = if max < 10.0 { format!("{v:.1}") } else { format!("{v:.0}") };
        let _ =
            writeln!(out, r#"<text x="{:.1}" y="{at:.1}" font-size="10" text-anchor="end">{shown}</text>"#, LEFT - 6.0);
    }
}

/// Ticks of the time axis: (x in 0..1, label), at round hours or days of UTC.
fn ticks(first: Timestamp, last: Timestamp) -> Vec<(f64, String)> {
    let span = (last.as_second() - first.as_second()).max(60);
    let (step, format) = match span {
        s if s <= 2 * 3600 => (15 * 60, "%H:%M"),
        s if s <= 12 * 3600 => (3600, "%H:%M"),
        s if s <= 3 * 86_400 => (6 * 3600, "%a %H:%M"),
        s if s <= 21 * 86_400 => (86_400, "%a %m-%d"),
        s if s <= 120 * 86_400 => (7 * 86_400, "%Y-%m-%d"),
        _ => (30 * 86_400, "%Y-%m-%d"),
    };
    let mut out = Vec::new();
    let mut t = (first.as_second().div_euclid(step) + 1) * step;
    // Weeks and months start on a Monday 00:00 and the first day, near enough, of a 30-day step.
    while t <= last.as_second() && out.len() < 40 {
        if let Ok(at) = Timestamp::from_second(t) {
            #[allow(clippy::cast_precision_loss)]
            let x = (t - first.as_second()) as f64 / span as f64;
            out.push((x, at.strftime(format).to_string()));
        }
        t += step;
    }
    out
}

fn time_axis(out: &mut String, top: f64, first: Timestamp, last: Timestamp) {
    let bottom = top + PANEL;
    for (x, label) in ticks(first, last) {
        let px = LEFT + x * PLOT;
        let _ = writeln!(
            out,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{top:.1}" y2="{:.1}" stroke="#e4e4e4"/><text x="{px:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"##,
            bottom + 4.0,
            bottom + 15.0,
            esc(&label)
        );
    }
    let _ = writeln!(
        out,
        r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">time (UTC)</text>"#,
        LEFT + PLOT,
        bottom + 28.0
    );
}

/// Whether a set is worth charting: it had load or it autoscales.
fn charted(r: &SetRecord) -> bool {
    r.svg_buckets.iter().any(|b| b.has_demand) || !r.thresholds.is_empty()
}

/// The three panels of one set, from `top`; returns the next free `top`.
fn set_panels(out: &mut String, r: &SetRecord, mut top: f64) -> f64 {
    let s = &r.svg_buckets;
    let (first, last) = (r.first_time.unwrap_or(Timestamp::UNIX_EPOCH), r.last_time.unwrap_or(Timestamp::UNIX_EPOCH));
    let unit = if crate::model::metric_history::is_cpu(&r.metric) { "% of one VM" } else { "units of one VM" };

    top += ABOVE;
    let demand = points(s, |b| b.max_demand);
    let dmax = demand.iter().map(|p| p.1).fold(0.0_f64, f64::max).max(1.0);
    let title = format!("{}: total demand ({}), {first} to {last}", r.name, r.metric);
    panel(out, top, &title, &format!("total, {unit}"), dmax, &[(DEMAND, false, "demand (max per column)".into())]);
    polyline(out, &demand, top, dmax, DEMAND, false);
    time_axis(out, top, first, last);
    top += PANEL + BELOW;

    top += ABOVE;
    let capacity = points(s, |b| f64::from(b.max_capacity));
    let serving = points(s, |b| f64::from(b.max_serving));
    let cmax = capacity.iter().map(|p| p.1).fold(1.0_f64, f64::max);
    let legend =
        [(CAPACITY, false, "capacity".to_owned()), (SERVING, true, "serving (running, not failed)".to_owned())];
    panel(out, top, &format!("{}: instances", r.name), "VMs", cmax, &legend);
    polyline(out, &capacity, top, cmax, CAPACITY, false);
    polyline(out, &serving, top, cmax, SERVING, true);
    time_axis(out, top, first, last);
    top += PANEL + BELOW;

    top += ABOVE;
    let per = points(s, |b| b.max_per_instance);
    let tmax = r.thresholds.iter().map(|t| t.value).fold(0.0_f64, f64::max);
    let pmax = per.iter().map(|p| p.1).fold(tmax, f64::max).max(1.0);
    let mut legend = vec![(PER_VM, false, format!("{} per VM", r.metric))];
    if !r.thresholds.is_empty() {
        legend.push((THRESHOLD, true, "rule thresholds, while their profile is in force".to_owned()));
    }
    panel(out, top, &format!("{}: {} per instance", r.name, r.metric), &format!("per VM, {unit}"), pmax, &legend);
    #[allow(clippy::cast_precision_loss)]
    let n = s.len().max(1) as f64;
    for t in &r.thresholds {
        let yy = y(top, t.value, pmax);
        let in_force = |b: &Bucket| b.minutes > 0 && t.profile.as_ref().is_none_or(|(p, _)| b.profile == Some(*p));
        let mut labelled = false;
        let mut k = 0;
        while k < s.len() {
            if !in_force(&s[k]) {
                k += 1;
                continue;
            }
            let start = k;
            while k < s.len() && in_force(&s[k]) {
                k += 1;
            }
            #[allow(clippy::cast_precision_loss)]
            let (x1, x2) = (LEFT + start as f64 / n * PLOT, LEFT + k as f64 / n * PLOT);
            let _ = writeln!(
                out,
                r#"<line x1="{x1:.1}" x2="{x2:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="{THRESHOLD}" stroke-dasharray="6 4"/>"#
            );
            if !labelled {
                let profile = t.profile.as_ref().map_or_else(String::new, |(_, name)| format!(" ({name})"));
                let _ = writeln!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" font-size="10" fill="{THRESHOLD}">{} {}{}</text>"#,
                    x1 + 4.0,
                    yy - 3.0,
                    esc(t.operator.symbol()),
                    t.value,
                    esc(&profile)
                );
                labelled = true;
            }
        }
    }
    polyline(out, &per, top, pmax, PER_VM, false);
    time_axis(out, top, first, last);
    top + PANEL + BELOW
}

/// The whole chart.
#[must_use]
pub fn chart(recorder: &Recorder) -> String {
    let shown: Vec<&SetRecord> = recorder.sets.iter().filter(|r| charted(r)).collect();
    let skipped: Vec<&str> = recorder.sets.iter().filter(|r| !charted(r)).map(|r| r.name.as_str()).collect();
    #[allow(clippy::cast_precision_loss)]
    let height = 3.0 * (ABOVE + PANEL + BELOW) * shown.len() as f64 + 60.0;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="sans-serif">"#
    );
    out.push('\n');
    let _ = writeln!(out, r##"<rect width="{WIDTH}" height="{height:.0}" fill="#ffffff"/>"##);
    let mut top = 6.0;
    for r in &shown {
        top = set_panels(&mut out, r, top);
    }
    let note = if skipped.is_empty() {
        "Each column shows the highest value of the minutes it covers.".to_owned()
    } else {
        format!(
            "Not charted (no load and no autoscale): {}. Each column shows the highest value of the minutes it covers.",
            skipped.join(", ")
        )
    };
    let _ = writeln!(out, r#"<text x="{LEFT}" y="{:.1}" font-size="11">{}</text>"#, top + 24.0, esc(&note));
    out.push_str("</svg>\n");
    out
}
