//! `--report FILE.html`: one self-contained page for people who would rather look than read:
//! the summary table, the chart (inline SVG), the cost of the run and the activity log. No
//! script, no stylesheet or font from the network: it opens the same offline, in a browser or
//! a CI artifact viewer. Every text from the definition or the state is escaped.

use std::fmt::Write as _;

use crate::model::event::Event;
use crate::model::money::Money;
use crate::report::simulation::SimulationSummary;
use crate::sim::record::Recorder;

/// The newest activity-log entries shown; the rest are counted.
const MAX_EVENTS: usize = 500;

/// Escapes text for HTML and SVG (element content and quoted attributes).
pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub(super) const STYLE: &str = "body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px}\
table{border-collapse:collapse;font-size:13px}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}p.note{color:#555;font-size:13px}";

/// What a report shows.
pub struct ReportInput<'a> {
    /// "simulate" or "advance".
    pub command: &'a str,
    /// The definition file, as named.
    pub definition: &'a str,
    pub summary: &'a [SimulationSummary],
    pub recorder: &'a Recorder,
    pub events: &'a [Event],
}

/// The whole page.
#[must_use]
pub fn report(input: &ReportInput<'_>) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let first = input.recorder.sets.iter().filter_map(|r| r.first_time).min();
    let last = input.recorder.sets.iter().filter_map(|r| r.last_time).max();
    let period = match (first, last) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no minutes recorded".to_owned(),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>scaleset {} report</title>\
         <style>{STYLE}</style></head><body>\n<h1>scaleset {}: {}</h1>\n<p class=\"note\">Definition {}; \
         logical time in UTC; money in USD.</p>\n",
        esc(input.command),
        esc(input.command),
        esc(&period),
        esc(input.definition)
    );

    out.push_str(
        "<h2>Summary</h2>\n<table id=\"summary\"><tr><th>Scale set</th><th>Metric</th>\
        <th class=\"n\">Actions (out/in)</th><th class=\"n\">Flapping avoided</th>\
        <th class=\"n\">Instances min/avg/max</th><th class=\"n\">Final</th><th class=\"n\">Peak/mean per VM</th>\
        <th class=\"n\">Unserved (VM-hours)</th><th class=\"n\">Instance-hours</th><th class=\"n\">Cost</th></tr>\n",
    );
    for r in input.summary {
        let per = match (r.peak_per_instance, r.mean_per_instance) {
            (Some(p), Some(m)) => format!("{p}/{m}"),
            _ => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{} ({}/{})</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}/{}/{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&r.name),
            esc(&r.metric),
            r.scale_actions,
            r.scale_out_actions,
            r.scale_in_actions,
            r.flapping_avoided,
            r.min_instances,
            r.avg_instances,
            r.max_instances,
            r.final_capacity,
            esc(&per),
            r.unserved_demand,
            r.instance_hours,
            r.cost.format_usd()
        );
    }
    out.push_str("</table>\n");
    for r in input.summary {
        for m in &r.minutes_above {
            let during = m.profile.as_ref().map_or_else(String::new, |p| format!(" while '{}' was in force", esc(p)));
            let _ = writeln!(
                out,
                "<p class=\"note\">{}: {} minute(s) with {} per VM {} {}{during}</p>",
                esc(&r.name),
                m.minutes,
                esc(&r.metric),
                esc(&m.operator),
                m.threshold
            );
        }
    }

    out.push_str("<h2>Chart</h2>\n<figure id=\"chart\">\n");
    out.push_str(&super::svg::chart(input.recorder));
    out.push_str("</figure>\n");

    let total: Money = input.summary.iter().map(|r| r.cost).sum();
    let minutes = input.summary.iter().map(|r| r.minutes).max().unwrap_or(0);
    out.push_str(
        "<h2>Cost</h2>\n<table id=\"cost\"><tr><th>Scale set</th><th class=\"n\">Cost of the run</th>\
        <th class=\"n\">As a 730-hour month</th></tr>\n",
    );
    let month = |cost: Money| {
        if minutes == 0 {
            "-".to_owned()
        } else {
            cost.mul_ratio(730 * 60, i64::try_from(minutes).unwrap_or(i64::MAX)).format_usd()
        }
    };
    for r in input.summary {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&r.name),
            r.cost.format_usd(),
            month(r.cost)
        );
    }
    let _ = writeln!(
        out,
        "<tr><th>Total</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr>\n</table>",
        total.format_usd(),
        month(total)
    );

    let shown = input.events.len().saturating_sub(MAX_EVENTS);
    out.push_str("<h2>Activity log</h2>\n");
    if shown > 0 {
        let _ = writeln!(out, "<p class=\"note\">The newest {MAX_EVENTS} of {} entries.</p>", input.events.len());
    }
    out.push_str("<table id=\"events\"><tr><th>Time</th><th>Scale set</th><th>Kind</th><th>Message</th></tr>\n");
    for e in &input.events[shown..] {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.time,
            esc(e.scale_set.as_deref().unwrap_or("-")),
            e.kind.as_str(),
            esc(&e.message)
        );
    }
    out.push_str("</table>\n</body></html>\n");
    out
}
