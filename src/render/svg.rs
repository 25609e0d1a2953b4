//! The simulation chart as a standalone SVG: per scale set, three panels sharing the time
//! axis: total demand, instances (capacity and serving), and the per-instance metric with the
//! rules' thresholds as dashed lines. Written by hand: deterministic, no dependencies.

use std::fmt::Write as _;

use crate::sim::record::{Bucket, Recorder};

const WIDTH: f64 = 900.0;
const PANEL: f64 = 140.0;
const GAP: f64 = 36.0;
const LEFT: f64 = 70.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One point per SVG column: the column's maximum of `value`.
fn points(buckets: &[Bucket], value: impl Fn(&Bucket) -> f64) -> Vec<(f64, f64)> {
    #[allow(clippy::cast_precision_loss)]
    let n = buckets.len().max(1) as f64;
    #[allow(clippy::cast_precision_loss)]
    buckets.iter().enumerate().filter(|(_, b)| b.minutes > 0).map(|(i, b)| (i as f64 / n, value(b))).collect()
}

fn polyline(out: &mut String, pts: &[(f64, f64)], top: f64, max: f64, color: &str) {
    let plot = WIDTH - LEFT - 20.0;
    let coords: Vec<String> = pts
        .iter()
        .map(|(x, v)| {
            format!("{:.1},{:.1}", LEFT + x * plot, top + PANEL - if max > 0.0 { v / max * PANEL } else { 0.0 })
        })
        .collect();
    let _ =
        writeln!(out, r#"<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{}"/>"#, coords.join(" "));
}

fn panel(out: &mut String, top: f64, title: &str, max: f64) {
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT}" y="{top}" width="{}" height="{PANEL}" fill="#fafafa" stroke="#ccc"/>"##,
        WIDTH - LEFT - 20.0
    );
    let _ = writeln!(out, r#"<text x="{LEFT}" y="{:.1}" font-size="12">{}</text>"#, top - 6.0, esc(title));
    let _ = writeln!(
        out,
        r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{max:.0}</text>"#,
        LEFT - 6.0,
        top + 10.0
    );
    let _ = writeln!(
        out,
        r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">0</text>"#,
        LEFT - 6.0,
        top + PANEL
    );
}

/// The whole chart.
#[must_use]
pub fn chart(recorder: &Recorder) -> String {
    let sets = recorder.sets.len().max(1);
    #[allow(clippy::cast_precision_loss)]
    let height = (3.0 * (PANEL + GAP) + GAP) * sets as f64 + 20.0;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="sans-serif">"#
    );
    out.push('\n');
    let mut top = GAP;
    for r in &recorder.sets {
        let s = &r.svg_buckets;
        let demand = points(s, |b| b.max_demand);
        let capacity = points(s, |b| f64::from(b.max_capacity));
        let serving = points(s, |b| f64::from(b.max_serving));
        let per = points(s, |b| b.max_per_instance);
        let first = r.first_time.map_or_else(String::new, |t| t.to_string());
        let last = r.last_time.map_or_else(String::new, |t| t.to_string());

        let dmax = demand.iter().map(|p| p.1).fold(0.0_f64, f64::max);
        panel(&mut out, top, &format!("{}: total demand ({}), {first} to {last}", r.name, r.metric), dmax);
        polyline(&mut out, &demand, top, dmax, "#1f77b4");
        top += PANEL + GAP;

        let cmax = capacity.iter().map(|p| p.1).fold(1.0_f64, f64::max);
        panel(&mut out, top, &format!("{}: instances (capacity, serving dashed)", r.name), cmax);
        polyline(&mut out, &capacity, top, cmax, "#2ca02c");
        let dashed_start = out.len();
        polyline(&mut out, &serving, top, cmax, "#98df8a");
        out.insert_str(dashed_start + "<polyline".len(), r#" stroke-dasharray="4 3""#);
        top += PANEL + GAP;

        let tmax = r.thresholds.iter().map(|t| t.value).fold(0.0_f64, f64::max);
        let pmax = per.iter().map(|p| p.1).fold(tmax, f64::max).max(1.0);
        panel(&mut out, top, &format!("{}: {} per instance, rule thresholds dashed", r.name, r.metric), pmax);
        for t in &r.thresholds {
            let y = top + PANEL - t.value / pmax * PANEL;
            let _ = writeln!(
                out,
                r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#d62728" stroke-dasharray="6 4"/>"##,
                WIDTH - 20.0
            );
            let _ = writeln!(
                out,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#d62728" text-anchor="end">{} {}</text>"##,
                WIDTH - 22.0,
                y - 3.0,
                esc(t.operator.symbol()),
                t.value
            );
        }
        polyline(&mut out, &per, top, pmax, "#ff7f0e");
        top += PANEL + GAP;
    }
    out.push_str("</svg>\n");
    out
}
