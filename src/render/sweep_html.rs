//! `sweep --report FILE.html`: one self-contained page: the frontier (inline SVG), every
//! variant in a table with the frontier and the pick marked, the pick as a patch of the
//! definition, and the picked variant's (or the definition's) run as the simulation chart.
//! No script and nothing fetched; every text from the definition is escaped.

use std::fmt::Write as _;

use super::html::{STYLE, esc};
use crate::sim::record::Recorder;
use crate::sweep::{Outcome, Sweep};

/// What the page shows.
pub struct SweepReport<'a> {
    /// The definition file, as named.
    pub definition: &'a str,
    /// The run's length, as given.
    pub duration: &'a str,
    pub sweep: &'a Sweep,
    pub slo: Option<&'a str>,
    pub pick: Option<usize>,
    /// The run charted: the pick's, else the definition's.
    pub charted: &'a Recorder,
}

fn row(out: &mut String, sweep: &Sweep, o: &Outcome, mark: &str) {
    out.push_str("<tr>");
    if o.defined {
        let _ = write!(out, "<td colspan=\"{}\"><b>as defined</b></td>", sweep.varied.len().max(1));
    } else {
        for v in &o.values {
            let _ = write!(out, "<td>{}</td>", esc(v));
        }
    }
    let _ = writeln!(
        out,
        "<td class=\"n\">{}</td><td class=\"n\">{:.3}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td>{}</td></tr>",
        o.monthly_cost.format_usd(),
        o.unserved_demand,
        o.unserved_percent.map_or_else(|| "-".to_owned(), |p| format!("{p:.2}%")),
        o.minutes_above,
        o.scale_actions,
        o.flapping_avoided,
        o.avg_instances,
        esc(mark)
    );
}

/// The whole page.
#[must_use]
pub fn report(input: &SweepReport<'_>) -> String {
    let sweep = input.sweep;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>scaleset sweep of {}</title>\
         <style>{STYLE}</style></head><body>\n<h1>scaleset sweep: {}, {} variant(s) over {}</h1>\n\
         <p class=\"note\">Definition {}; varied: {}; money in USD, as a 730-hour month; unserved demand in \
         VM-hours over the run.{}</p>\n",
        esc(&sweep.scale_set),
        esc(&sweep.scale_set),
        sweep.variants.len(),
        esc(input.duration),
        esc(input.definition),
        esc(&sweep.varied.join(", ")),
        input.slo.map_or_else(String::new, |s| format!(" Objective: {}.", esc(s)))
    );
    out.push_str("<h2>Frontier</h2>\n");
    out.push_str(&super::frontier_svg::chart(sweep, input.pick));
    if let (Some(i), Some(slo)) = (input.pick, input.slo) {
        let _ = writeln!(out, "<h2>Pick</h2>\n<pre id=\"pick\">{}</pre>", esc(&super::sweep::patch(sweep, i, slo)));
    }
    out.push_str("<h2>Variants</h2>\n<table id=\"variants\"><tr>");
    for path in &sweep.varied {
        let _ = write!(out, "<th>{}</th>", esc(path));
    }
    out.push_str(
        "<th class=\"n\">$/month</th><th class=\"n\">Unserved VM-h</th><th class=\"n\">Unserved</th>\
         <th class=\"n\">Minutes above</th><th class=\"n\">Actions</th><th class=\"n\">Flapping</th>\
         <th class=\"n\">Avg VMs</th><th></th></tr>\n",
    );
    row(&mut out, sweep, &sweep.defined, "");
    for (i, o) in sweep.variants.iter().enumerate() {
        let mut marks = Vec::new();
        if o.on_frontier {
            marks.push("frontier");
        }
        if input.pick == Some(i) {
            marks.push("pick");
        }
        row(&mut out, sweep, o, &marks.join(", "));
    }
    out.push_str("</table>\n");
    let charted = if input.pick.is_some() { "The pick's run" } else { "The definition's run" };
    let _ = writeln!(out, "<h2>{charted}</h2>");
    out.push_str(&super::svg::chart(input.charted));
    out.push_str("</body></html>\n");
    out
}
