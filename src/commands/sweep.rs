//! `sweep`: reads the definition, the `--vary` and `--slo` arguments and the load, runs the
//! pure sweep, and prints the table (or JSON) with the pick as a patch of the definition.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use serde::Serialize;

use super::Context;
use super::time::LoadArgs;
use crate::exit::UsageError;
use crate::model::duration::Duration;
use crate::render;
use crate::sweep::{self, Sweep, frontier};

/// The JSON document: the sweep, and the pick when an objective was given.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SweepView<'a> {
    #[serde(flatten)]
    sweep: &'a Sweep,
    #[serde(skip_serializing_if = "Option::is_none")]
    slo: Option<&'a str>,
    /// The index in `variants` of the cheapest variant meeting the objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pick: Option<usize>,
}

/// The sweep's arguments besides the set and the duration.
pub struct Args<'a> {
    pub vary: &'a [String],
    pub load: &'a [String],
    pub slo: Option<&'a str>,
    pub svg: Option<&'a std::path::Path>,
    pub report: Option<&'a std::path::Path>,
    pub samples: Option<usize>,
}

pub fn sweep(ctx: &Context, name: Option<&str>, duration: Duration, args: &Args<'_>) -> Result<ExitCode> {
    let Args { vary, load, slo, svg, report, samples } = *args;
    let protected = super::time::protected_files(ctx);
    for (flag, path) in [("--svg", svg), ("--report", report)] {
        if let Some(path) = path {
            crate::outputs::check(path, flag, &protected)?;
        }
    }
    if let (Some(a), Some(b)) = (svg, report)
        && crate::store::resolve(a) == crate::store::resolve(b)
    {
        return Err(UsageError(format!("--svg and --report both name {}; give two files", a.display())).into());
    }
    let varies: Vec<sweep::vary::Vary> =
        vary.iter().map(|v| sweep::vary::parse(v).map_err(UsageError)).collect::<Result<_, _>>()?;
    let objective = slo.map(|s| frontier::parse(s).map_err(UsageError)).transpose()?;
    let loads = LoadArgs::read(load)?;
    let defs = ctx.definitions()?;
    let names: Vec<&str> = defs.iter().map(|d| d.config.name.as_str()).collect();
    let def = match name {
        Some(n) => defs.iter().find(|d| d.config.name == n).ok_or_else(|| {
            UsageError(format!(
                "no scale set '{n}' in {}{}; defined: {}",
                ctx.definition.shown(),
                crate::suggest::hint(n, names.iter().copied()),
                names.join(", ")
            ))
        })?,
        None if defs.len() == 1 => &defs[0],
        None => {
            return Err(UsageError(format!(
                "the definition has {} scale sets; name the one to sweep: {}",
                defs.len(),
                names.join(", ")
            ))
            .into());
        }
    };
    let load = loads.parse(&[def.config.name.as_str()])?;
    let base = ctx.new_state();
    let request = sweep::Request {
        def,
        varies: &varies,
        catalog: &ctx.catalog,
        load: &load,
        seed: base.seed,
        start: base.clock,
        duration,
        samples,
    };
    let result = sweep::run(&request).map_err(UsageError)?;
    #[allow(clippy::cast_precision_loss)] // seconds of a run
    let days = duration.secs() as f64 / 86_400.0;
    let picked = objective.as_ref().map(|o| o.pick(&result.variants, days));
    let view = SweepView { sweep: &result, slo, pick: picked.and_then(Result::ok) };
    let mut staged = Vec::new();
    if let Some(path) = svg {
        let file = crate::outputs::stage(path, render::frontier_svg::chart(&result, view.pick).as_bytes())
            .with_context(|| format!("cannot write the SVG {}", path.display()))?;
        staged.push((file, "chart"));
    }
    if let Some(path) = report {
        // The pick's run (or the definition's) again, with a recorder kept for its chart.
        let choice = view.pick.map(|i| result.variants[i].choice.clone()).unwrap_or_default();
        let minutes = duration.secs().div_ceil(60);
        let mut recorder = crate::sim::record::Recorder::new(minutes, 100);
        let replay = sweep::Request { varies: if choice.is_empty() { &[] } else { &varies }, ..request };
        sweep::replay(&replay, &choice, &mut recorder).map_err(UsageError)?;
        let page = render::sweep_html::report(&render::sweep_html::SweepReport {
            definition: &ctx.definition.shown(),
            duration: &duration.to_string(),
            sweep: &result,
            slo,
            pick: view.pick,
            charted: &recorder,
        });
        let file = crate::outputs::stage(path, page.as_bytes())
            .with_context(|| format!("cannot write the report {}", path.display()))?;
        staged.push((file, "report"));
    }
    for (file, what) in staged {
        let shown = file.publish().with_context(|| format!("cannot move the {what} into place"))?;
        eprintln!("{what} written to {}", shown.display());
    }
    ctx.print(&view, || {
        let mut out = render::sweep::table(&result, view.pick, ctx.style);
        if let (Some(o), Some(i)) = (&objective, view.pick) {
            out.push('\n');
            out.push_str(&render::sweep::patch(&result, i, &o.text));
        }
        out
    })?;
    match (objective, picked) {
        (Some(o), Some(Err(closest))) => {
            let closest = closest.map_or_else(String::new, |i| {
                format!("; the closest: {}", render::sweep::describe(&result, &result.variants[i]))
            });
            eprintln!("error: no variant meets {}{closest}", o.text);
            Ok(ExitCode::FAILURE)
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}
