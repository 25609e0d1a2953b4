//! `advance` (the real state) and `simulate` (a copy): time, load, autoscale, cost.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::cli::RunArgs;
use crate::cost::money::Money;
use crate::engine::{clock, plan as planner};
use crate::exit::UsageError;
use crate::model::duration::Duration;
use crate::model::event::{Event, EventKind};
use crate::model::state::State;
use crate::render;
use crate::sim::load::{self, Load};
use crate::sim::record::Recorder;

use super::{Context, change_report, set_not_found};

/// Reads the `--load` values: CSV files are read here, at the edge; the rest is parsed.
fn read_load(specs: &[String], set_names: &[&str]) -> Result<Load> {
    let mut sources = Vec::new();
    for spec in specs {
        let path = std::path::Path::new(spec);
        let looks_like_file = !spec.contains('=') || spec.to_ascii_lowercase().ends_with(".csv");
        if looks_like_file {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("--load '{spec}': cannot read the CSV file"))?;
            sources.extend(load::parse_csv(spec, &text, set_names).map_err(|e| UsageError(format!("--load: {e}")))?);
        } else {
            sources.push(load::parse_spec(spec, set_names).map_err(UsageError)?);
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

pub fn advance(ctx: &Context, duration: &str, run: &RunArgs) -> Result<ExitCode> {
    let duration: Duration = duration.parse().map_err(|e| UsageError(format!("advance: {e}")))?;
    let mut recorder = recorder(ctx, duration, run);
    let (state, events, ()) = ctx.mutate(|state| {
        if duration == Duration::ZERO {
            return Ok((Vec::new(), ()));
        }
        let names: Vec<&str> = state.scale_sets.iter().map(|s| s.config.name.as_str()).collect();
        let load = read_load(&run.load, &names)?;
        Ok((clock::advance(state, duration, ctx.catalog, &load, Some(&mut recorder))?, ()))
    })?;
    Context::report(&events);
    eprintln!("clock: {}", state.clock);
    write_outputs(run, &recorder)?;
    if ctx.json {
        ctx.print(&change_report(&state, &events), String::new)?;
    } else if run.chart {
        ctx.print(&(), || render::chart::terminal(&recorder))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `simulate -o json`: one summary per scale set.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulationSummary {
    pub name: String,
    pub metric: String,
    pub scale_actions: usize,
    pub scale_out_actions: usize,
    pub scale_in_actions: usize,
    pub flapping_avoided: usize,
    pub min_instances: u32,
    pub max_instances: u32,
    pub avg_instances: f64,
    pub final_capacity: u32,
    pub peak_per_instance: Option<f64>,
    pub mean_per_instance: Option<f64>,
    pub minutes_above: Vec<MinutesAbove>,
    /// Instance-hours of demand not served (CPU above 100% per VM, or no VM running).
    pub unserved_demand: f64,
    pub instance_hours: f64,
    pub cost: Money,
    pub minutes: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MinutesAbove {
    pub operator: String,
    pub threshold: f64,
    pub minutes: u64,
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

fn summarize(recorder: &Recorder, before: &State, after: &State, events: &[Event]) -> Vec<SimulationSummary> {
    recorder
        .sets
        .iter()
        .map(|r| {
            let of_set = |kinds: &[EventKind]| {
                events
                    .iter()
                    .filter(|e| e.scale_set.as_deref() == Some(r.name.as_str()) && kinds.contains(&e.kind))
                    .count()
            };
            let outs = of_set(&[EventKind::AutoscaleScaleOut]);
            let ins = of_set(&[EventKind::AutoscaleScaleIn]);
            let accrued = |s: &State| s.set(&r.name).map_or(Money::ZERO, |s| s.accrued.money());
            #[allow(clippy::cast_precision_loss)] // minute counts
            let minutes = r.minutes.max(1) as f64;
            #[allow(clippy::cast_precision_loss)]
            let mean =
                (r.per_instance_minutes > 0).then(|| round(r.sum_per_instance / r.per_instance_minutes as f64, 2));
            #[allow(clippy::cast_precision_loss)]
            let capacity_minutes = r.capacity_minutes as f64;
            SimulationSummary {
                name: r.name.clone(),
                metric: r.metric.clone(),
                scale_actions: outs + ins,
                scale_out_actions: outs,
                scale_in_actions: ins,
                flapping_avoided: of_set(&[EventKind::Flapping, EventKind::FlappingOccurred]),
                min_instances: if r.minutes == 0 { 0 } else { r.min_capacity },
                max_instances: r.max_capacity,
                avg_instances: round(capacity_minutes / minutes, 2),
                final_capacity: after.set(&r.name).map_or(0, |s| s.capacity),
                peak_per_instance: r.peak_per_instance.map(|v| round(v, 2)),
                mean_per_instance: mean,
                minutes_above: r
                    .thresholds
                    .iter()
                    .map(|t| MinutesAbove {
                        operator: t.operator.symbol().to_owned(),
                        threshold: t.value,
                        minutes: t.minutes,
                    })
                    .collect(),
                unserved_demand: round(r.unserved / 60.0, 3),
                instance_hours: round(capacity_minutes / 60.0, 2),
                cost: accrued(after) - accrued(before),
                minutes: r.minutes,
            }
        })
        .collect()
}

pub fn simulate(ctx: &Context, names: &[String], duration: &str, no_apply: bool, run: &RunArgs) -> Result<ExitCode> {
    let duration: Duration = duration.parse().map_err(|e| UsageError(format!("simulate --duration: {e}")))?;
    let mut state = ctx.read_state()?.unwrap_or_else(|| ctx.new_state());
    if !no_apply && ctx.file.exists() {
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
    let events = clock::advance(&mut state, duration, ctx.catalog, &load, Some(&mut recorder))?;
    let summary = summarize(&recorder, &before, &state, &events);
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
