//! The sweep's frontier as a standalone SVG scatter: monthly cost across, unserved demand up,
//! one dot per variant, the frontier joined by a line, the definition as written and the pick
//! highlighted, with a legend and axes that name their units. Written by hand like the
//! simulation chart: deterministic, no dependencies.

use std::fmt::Write as _;

use super::html::esc;

use crate::sweep::{Outcome, Sweep};

const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 520.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 70.0;
const BOTTOM: f64 = 60.0;
const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
const PLOT_H: f64 = HEIGHT - TOP - BOTTOM;

const VARIANT: &str = "#9aa5b1";
const FRONTIER: &str = "#1f77b4";
const DEFINED: &str = "#222222";
const PICK: &str = "#d62728";

/// A step of 1, 2 or 5 x 10^n giving about five intervals over `span`.
fn nice_step(span: f64) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let unit = raw / magnitude;
    let nice = if unit <= 1.0 {
        1.0
    } else if unit <= 2.0 {
        2.0
    } else if unit <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// The axis range: from a multiple of the step at or below `min` to one at or above `max`.
fn range(min: f64, max: f64) -> (f64, f64, f64) {
    let (min, max) = if max > min { (min, max) } else { (min, min + 1.0) };
    let step = nice_step(max - min);
    ((min / step).floor() * step, (max / step).ceil() * step, step)
}

fn cost(o: &Outcome) -> f64 {
    o.monthly_cost.to_string().parse().unwrap_or(0.0)
}

/// The scatter for `sweep`, marking `pick` when there is one.
#[must_use]
pub fn chart(sweep: &Sweep, pick: Option<usize>) -> String {
    let all: Vec<&Outcome> = std::iter::once(&sweep.defined).chain(&sweep.variants).collect();
    let fold = |f: fn(&Outcome) -> f64| {
        all.iter().map(|o| f(o)).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    let (x_lo, x_hi, x_step) = {
        let (lo, hi) = fold(cost);
        range(lo, hi)
    };
    let (y_lo, y_hi, y_step) = {
        let (_, hi) = fold(|o| o.unserved_demand);
        range(0.0, hi)
    };
    let x = |v: f64| LEFT + (v - x_lo) / (x_hi - x_lo) * PLOT_W;
    let y = |v: f64| TOP + PLOT_H - (v - y_lo) / (y_hi - y_lo) * PLOT_H;

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(out, r#"<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="24" font-size="15" font-weight="bold">{}: cost vs. unserved demand, {} variant(s) of {}</text>"#,
        esc(&sweep.scale_set),
        sweep.variants.len(),
        esc(&sweep.varied.join(", "))
    );
    // Legend.
    let legend: [(&str, &str); 4] = [
        (VARIANT, "variant"),
        (FRONTIER, "frontier (nothing cheaper serves more)"),
        (DEFINED, "as defined"),
        (PICK, "pick (--slo)"),
    ];
    let mut lx = LEFT;
    for (color, label) in legend {
        let _ = writeln!(out, r#"<circle cx="{:.1}" cy="44" r="5" fill="{color}"/>"#, lx + 5.0);
        let _ = writeln!(out, r#"<text x="{:.1}" y="48">{}</text>"#, lx + 14.0, esc(label));
        #[allow(clippy::cast_precision_loss)] // label lengths
        let advance = 30.0 + label.len() as f64 * 6.4;
        lx += advance;
    }
    // Frame, grid and ticks.
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="#fafafa" stroke="#ccc"/>"##
    );
    let mut v = x_lo;
    while v <= x_hi + x_step / 2.0 {
        let px = x(v);
        let _ = writeln!(
            out,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{:.1}" stroke="#e5e5e5"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">${}</text>"##,
            TOP + PLOT_H,
            TOP + PLOT_H + 18.0,
            trim(v)
        );
        v += x_step;
    }
    let mut v = y_lo;
    while v <= y_hi + y_step / 2.0 {
        let py = y(v);
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT + PLOT_W,
            LEFT - 8.0,
            py + 4.0,
            trim(v)
        );
        v += y_step;
    }
    let _ = writeln!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">cost, USD a month (730 h)</text>"#,
        LEFT + PLOT_W / 2.0,
        HEIGHT - 16.0
    );
    let _ = writeln!(
        out,
        r#"<text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle">unserved demand, VM-hours over the run</text>"#,
        TOP + PLOT_H / 2.0
    );
    // The frontier, cheapest first.
    let mut frontier: Vec<&Outcome> = sweep.variants.iter().filter(|o| o.on_frontier).collect();
    frontier.sort_by_key(|o| o.monthly_cost);
    let points: Vec<String> =
        frontier.iter().map(|o| format!("{:.1},{:.1}", x(cost(o)), y(o.unserved_demand))).collect();
    let _ = writeln!(
        out,
        r#"<polyline fill="none" stroke="{FRONTIER}" stroke-width="1.5" points="{}"/>"#,
        points.join(" ")
    );
    for o in &sweep.variants {
        let color = if o.on_frontier { FRONTIER } else { VARIANT };
        let _ = writeln!(
            out,
            r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{color}"><title>{}</title></circle>"#,
            x(cost(o)),
            y(o.unserved_demand),
            esc(&describe(sweep, o))
        );
    }
    let d = &sweep.defined;
    let (dx, dy) = (x(cost(d)), y(d.unserved_demand));
    let _ = writeln!(
        out,
        r#"<path d="M{dx:.1} {:.1} L{:.1} {dy:.1} L{dx:.1} {:.1} L{:.1} {dy:.1} Z" fill="{DEFINED}"><title>as defined: {}</title></path>"#,
        dy - 7.0,
        dx + 7.0,
        dy + 7.0,
        dx - 7.0,
        esc(&describe(sweep, d))
    );
    if let Some(o) = pick.and_then(|i| sweep.variants.get(i)) {
        let _ = writeln!(
            out,
            r#"<circle cx="{:.1}" cy="{:.1}" r="9" fill="none" stroke="{PICK}" stroke-width="2.5"><title>pick: {}</title></circle>"#,
            x(cost(o)),
            y(o.unserved_demand),
            esc(&describe(sweep, o))
        );
    }
    out.push_str("</svg>\n");
    out
}

fn describe(sweep: &Sweep, o: &Outcome) -> String {
    if o.defined { format!("{} a month", o.monthly_cost.format_usd()) } else { super::sweep::describe(sweep, o) }
}

/// A tick label without needless decimals.
fn trim(v: f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five_and_ranges_cover_the_data() {
        assert!((nice_step(100.0) - 20.0).abs() < 1e-9);
        assert!((nice_step(7.0) - 2.0).abs() < 1e-9);
        assert!((nice_step(0.3) - 0.1).abs() < 1e-9);
        let (lo, hi, step) = range(262.0, 536.6);
        assert!(lo <= 262.0 && hi >= 536.6 && (step - 100.0).abs() < 1e-9, "{lo} {hi} {step}");
        let (lo, hi, _) = range(0.0, 0.0);
        assert!(lo < hi);
    }
}
