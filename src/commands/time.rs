//! `advance` (the real state) and `simulate` (a copy): time, load, autoscale, cost.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context as _, Result};

use crate::cli::RunArgs;
use crate::engine::{clock, plan as planner};
use crate::exit::UsageError;
use crate::model::duration::Duration;
use crate::render;
use crate::report;
use crate::sim::load::{self, Load};
use crate::sim::record::Recorder;

use super::{Context, set_not_found};

/// Reads the `--load` values: CSV files are read here, at the edge; the rest is parsed.
fn read_load(specs: &[String], set_names: &[&str]) -> Result<Load> {
    let mut sources = Vec::new();
    for spec in specs {
        let path = std::path::Path::new(spec);
        let looks_like_file = !spec.contains('=') || spec.to_ascii_lowercase().ends_with(".csv");
        if looks_like_file {
            let text = crate::inputs::read_text_limited(path, crate::inputs::MAX_LOAD_BYTES)
                .with_context(|| format!("--load '{spec}': cannot read the CSV file"))?;
            sources.extend(load::parse_csv(spec, &text, set_names).map_err(|e| UsageError(format!("--load: {e}")))?);
        } else {
            sources.push(load::parse_spec(spec, set_names).map_err(|e| UsageError(e.to_string()))?);
        }
    }
    Ok(Load { sources })
}

fn chart_width(ctx: &Context) -> usize {
    ctx.style.width.map_or(100, |w| usize::from(w).saturating_sub(20)).clamp(20, 200)
}

fn total_minutes(duration: Duration) -> u64 {
    duration.secs().div_ceil(60)
}

/// A recorder, with a progress line on stderr for runs longer than a week when stderr is a
/// terminal (never in a pipe or a CI log).
fn recorder(ctx: &Context, duration: Duration, run: &RunArgs) -> Recorder {
    let keep = run.timeline.is_some() || run.svg.is_some();
    let r = Recorder::new(total_minutes(duration), chart_width(ctx), keep);
    if duration.secs() > 7 * 86_400 && std::io::stderr().is_terminal() {
        r.with_progress(Box::new(|done, total| {
            let pct = done * 100 / total.max(1);
            let filled = usize::try_from(pct / 4).unwrap_or(25);
            eprint!("\r[{:<25}] {pct:>3}% ", "#".repeat(filled));
            if done + 1440 >= total {
                eprint!("\r{:<40}\r", "");
            }
        }))
    } else {
        r
    }
}

/// Writes the timeline CSV and the SVG when asked.
fn write_outputs(run: &RunArgs, recorder: &Recorder) -> Result<()> {
    if let Some(path) = &run.timeline {
        std::fs::write(path, render::chart::timeline_csv(recorder))
            .with_context(|| format!("cannot write the timeline {}", path.display()))?;
        eprintln!("timeline written to {}", path.display());
    }
    if let Some(path) = &run.svg {
        std::fs::write(path, render::svg::chart(recorder))
            .with_context(|| format!("cannot write the SVG {}", path.display()))?;
        eprintln!("chart written to {}", path.display());
    }
    Ok(())
}

pub fn advance(ctx: &Context, duration: Duration, run: &RunArgs) -> Result<ExitCode> {
    let mut recorder = recorder(ctx, duration, run);
    let (state, events, ()) = ctx.mutate(|state| {
        if duration == Duration::ZERO {
            return Ok((Vec::new(), ()));
        }
        let names: Vec<&str> = state.scale_sets.iter().map(|s| s.config.name.as_str()).collect();
        let load = read_load(&run.load, &names)?;
        Ok((clock::advance(state, duration, &ctx.catalog, &load, Some(&mut recorder))?, ()))
    })?;
    Context::report(&events);
    eprintln!("clock: {}", state.clock);
    write_outputs(run, &recorder)?;
    if ctx.json {
        ctx.print(&report::change::ChangeReport::new(&state, &events), String::new)?;
    } else if run.chart {
        ctx.print(&(), || render::chart::terminal(&recorder))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn simulate(
    ctx: &Context,
    names: &[String],
    duration: Duration,
    no_apply: bool,
    run: &RunArgs,
) -> Result<ExitCode> {
    let mut state = ctx.read_state()?.unwrap_or_else(|| ctx.new_state());
    if !no_apply && ctx.definition.exists() {
        // What the sets would be after `apply`: simulate the definition as written.
        let defs = ctx.definitions()?;
        let changes = planner::plan(&defs, Some(&state), names, false, &ctx.file.display().to_string())
            .map_err(|errors| anyhow::anyhow!(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")))?;
        let now = state.clock;
        planner::apply(&mut state, &defs, &changes, now)?;
    }
    for n in names {
        if state.set(n).is_none() {
            return Err(set_not_found(Some(&state), n).into());
        }
    }
    if !names.is_empty() {
        state.scale_sets.retain(|s| names.contains(&s.config.name));
    }
    let set_names: Vec<&str> = state.scale_sets.iter().map(|s| s.config.name.as_str()).collect();
    let load = read_load(&run.load, &set_names)?;
    let before = state.clone();
    let mut recorder = recorder(ctx, duration, run);
    let events = clock::advance(&mut state, duration, &ctx.catalog, &load, Some(&mut recorder))?;
    let summary = report::simulation::summarize(&recorder, &before, &state, &events);
    write_outputs(run, &recorder)?;
    ctx.print(&summary, || {
        let mut out = render::chart::summary_table(&summary, ctx.style);
        if !run.no_chart {
            out.push('\n');
            out.push_str(&render::chart::terminal(&recorder));
        }
        out
    })?;
    Ok(ExitCode::SUCCESS)
}
