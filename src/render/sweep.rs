//! The sweep table (one row per variant, the definition as written first, the frontier and the
//! pick marked) and the pick as a patch of the definition.

use super::table::{self, Style};
use crate::sweep::{Outcome, Sweep};

fn percent(o: &Outcome) -> String {
    o.unserved_percent.map_or_else(|| "-".to_owned(), |p| format!("{p:.2}%"))
}

/// The table, fitted to the terminal like the others.
#[must_use]
pub fn table(sweep: &Sweep, pick: Option<usize>, style: Style) -> String {
    let mut headers: Vec<&str> = sweep.varied.iter().map(String::as_str).collect();
    let n = headers.len();
    headers.extend(["$/month", "unserved vm-h", "unserved", "min above", "actions", "flapping", "avg vms", "mark"]);
    let mut t = table::new(&headers, style)
        .money(&[n])
        .right(&[n + 1, n + 2, n + 3, n + 4, n + 5, n + 6])
        .drop_first(&[n + 6, n + 5, n + 3]);
    let mut row = |values: Vec<String>, o: &Outcome, mark: String| {
        let mut cells = values;
        cells.extend([
            o.monthly_cost.format_usd(),
            format!("{:.3}", o.unserved_demand),
            percent(o),
            o.minutes_above.to_string(),
            o.scale_actions.to_string(),
            o.flapping_avoided.to_string(),
            format!("{:.2}", o.avg_instances),
            mark,
        ]);
        t.add_row(cells);
    };
    let mut defined = vec!["(as defined)".to_owned()];
    defined.resize(n, String::new());
    row(defined, &sweep.defined, String::new());
    for (i, o) in sweep.variants.iter().enumerate() {
        let mut marks = Vec::new();
        if o.on_frontier {
            marks.push("frontier");
        }
        if pick == Some(i) {
            marks.push("pick");
        }
        row(o.values.clone(), o, marks.join(", "));
    }
    let mut out = table::render(&t);
    out.push_str(&format!(
        "\n{}: {} variant(s), {} on the frontier (no other is cheaper and serves more)",
        sweep.scale_set,
        sweep.variants.len(),
        sweep.variants.iter().filter(|o| o.on_frontier).count()
    ));
    if sweep.skipped > 0 {
        out.push_str(&format!("; {} left out (minimum above default or maximum)", sweep.skipped));
    }
    out.push('\n');
    out
}

/// One variant in words: its values, cost and unserved demand.
#[must_use]
pub fn describe(sweep: &Sweep, o: &Outcome) -> String {
    let values: Vec<String> = sweep.varied.iter().zip(&o.values).map(|(p, v)| format!("{p}={v}")).collect();
    format!(
        "{} ({} a month, {:.3} VM-hours unserved{})",
        values.join(" "),
        o.monthly_cost.format_usd(),
        o.unserved_demand,
        o.unserved_percent.map_or_else(String::new, |p| format!(", {p:.2}%"))
    )
}

/// The pick as YAML to lay over the definition: the set's name and each varied path.
#[must_use]
pub fn patch(sweep: &Sweep, pick: usize, slo: &str) -> String {
    let o = &sweep.variants[pick];
    let mut out = format!(
        "# the cheapest variant meeting {slo}: {} a month ({} as defined)\n# set these in scaleSets[name={}]:\n",
        o.monthly_cost.format_usd(),
        sweep.defined.monthly_cost.format_usd(),
        sweep.scale_set
    );
    for (path, value) in sweep.varied.iter().zip(&o.values) {
        out.push_str(&format!("{path}: {value}\n"));
    }
    out
}
