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
    pub timeline_best: Option<&'a std::path::Path>,
    pub rescale: bool,
    pub samples: Option<usize>,
}

pub fn sweep(ctx: &Context, name: Option<&str>, duration: Duration, args: &Args<'_>) -> Result<ExitCode> {
    let Args { vary, load, slo, svg, report, timeline_best, rescale, samples } = *args;
    if timeline_best.is_some() && slo.is_none() {
        return Err(UsageError("--timeline-best writes the pick's run: give --slo to pick one".into()).into());
    }
    let protected = super::time::protected_files(ctx);
    let outputs = [("--svg", svg), ("--report", report), ("--timeline-best", timeline_best)];
    for (k, (flag, path)) in outputs.iter().enumerate() {
        let Some(path) = path else { continue };
        crate::outputs::check(path, flag, &protected)?;
        for (other, theirs) in &outputs[k + 1..] {
            if theirs.is_some_and(|t| crate::store::resolve(t) == crate::store::resolve(path)) {
                return Err(
                    UsageError(format!("{flag} and {other} both name {}; give two files", path.display())).into()
                );
            }
        }
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
        rescale,
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
    if report.is_some() || timeline_best.is_some() {
        // The pick's run (or, for the report without one, the definition's) again, with a
        // recorder kept for its chart and streaming its timeline.
        let choice = view.pick.map(|i| result.variants[i].choice.clone()).unwrap_or_default();
        let timeline = match (timeline_best, view.pick) {
            (Some(path), Some(_)) => {
                let (file, out) = crate::outputs::create(path)
                    .with_context(|| format!("cannot write the timeline {}", path.display()))?;
                let writer = render::timeline::TimelineWriter::new(std::io::BufWriter::with_capacity(1 << 16, out));
                Some((file, std::rc::Rc::new(std::cell::RefCell::new(Some(writer)))))
            }
            (Some(path), None) => {
                eprintln!("--timeline-best {}: not written, no variant meets the objective", path.display());
                None
            }
            (None, _) => None,
        };
        let minutes = duration.secs().div_ceil(60);
        let mut recorder = crate::sim::record::Recorder::new(minutes, 100);
        if let Some((_, writer)) = &timeline {
            let writer = std::rc::Rc::clone(writer);
            recorder = recorder.with_timeline(Box::new(move |set, metric, sample| {
                if let Some(w) = writer.borrow_mut().as_mut() {
                    w.row(set, metric, sample);
                }
            }));
        }
        let replay = sweep::Request { varies: if choice.is_empty() { &[] } else { &varies }, ..request };
        sweep::replay(&replay, &choice, &mut recorder).map_err(UsageError)?;
        if let Some((file, writer)) = timeline {
            let path = timeline_best.unwrap_or(std::path::Path::new("timeline"));
            let finish = || -> std::io::Result<()> {
                if let Some(w) = writer.borrow_mut().take() {
                    w.finish()?.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_all()?;
                }
                Ok(())
            };
            finish().with_context(|| format!("cannot write the timeline {}", path.display()))?;
            staged.push((file, "timeline"));
        }
        if let Some(path) = report {
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
