//! `advance` (the real state) and `simulate` (a copy): time, load, autoscale, cost.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, IsTerminal};
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{Context as _, Result};

use crate::cli::RunArgs;
use crate::engine::{clock, plan as planner};
use crate::exit::UsageError;
use crate::model::duration::Duration;
use crate::render;
use crate::render::timeline::TimelineWriter;
use crate::report;
use crate::sim::load::{self, Load};
use crate::sim::record::Recorder;

use super::{Context, set_not_found};

/// The `--load` values, with their files read: done before the lock is taken, so a slow or
/// broken input never holds up other writers.
pub(super) struct LoadArgs<'a> {
    /// (spec as written, the file's text for a trace).
    items: Vec<(&'a str, Option<String>)>,
}

/// Reads a load file: what it holds is the user's input (exit 64 when it is not readable as
/// text); failing to read it at all is not.
fn read_load_file(spec: &str, path: &str) -> Result<String> {
    crate::inputs::read_text_limited(std::path::Path::new(path), crate::inputs::MAX_LOAD_BYTES).map_err(|e| {
        let message = format!("--load '{spec}': cannot read the CSV file: {e}");
        if matches!(
            e.kind(),
            std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput | std::io::ErrorKind::FileTooLarge
        ) {
            anyhow::Error::new(UsageError(message))
        } else {
            anyhow::anyhow!(message)
        }
    })
}

impl<'a> LoadArgs<'a> {
    pub(super) fn read(specs: &'a [String]) -> Result<Self> {
        let mut items = Vec::new();
        for spec in specs {
            let text =
                if let Some(trace) = crate::sim::trace::trace_spec(spec).map_err(|e| UsageError(e.to_string()))? {
                    Some(read_load_file(spec, &trace.file)?)
                } else if !spec.contains('=') || spec.to_ascii_lowercase().ends_with(".csv") {
                    Some(read_load_file(spec, spec)?)
                } else {
                    None
                };
            items.push((spec.as_str(), text));
        }
        Ok(Self { items })
    }

    /// The load, for the sets of this run (a `set:` prefix names one of them).
    pub(super) fn parse(&self, set_names: &[&str]) -> Result<Load> {
        let mut sources = Vec::new();
        for (spec, text) in &self.items {
            let usage = |e: crate::sim::load::LoadError| UsageError(format!("--load: {e}"));
            match (crate::sim::trace::trace_spec(spec).map_err(|e| UsageError(e.to_string()))?, text) {
                (Some(trace), Some(text)) => {
                    let (scale_set, metric) = match trace.target.split_once(':') {
                        Some((set, metric)) if set_names.contains(&set.trim()) => {
                            (Some(set.trim().to_owned()), metric.trim().to_owned())
                        }
                        _ => (None, trace.target.clone()),
                    };
                    let mut columns = crate::sim::trace::parse(&trace.file, text, &trace.options).map_err(usage)?;
                    let (_, signal) = columns.remove(0);
                    sources.push(crate::model::load::Source { scale_set, metric, signal, noise: 0.0 });
                }
                (None, Some(text)) if is_minute_csv(text) => {
                    sources.extend(load::parse_csv(spec, text, set_names).map_err(usage)?)
                }
                // A metric export named alone: each column (or JSON metric) is a metric of that name.
                (None, Some(text)) => {
                    let columns = crate::sim::trace::parse(spec, text, &crate::sim::trace::TraceOptions::default())
                        .map_err(usage)?;
                    sources.extend(columns.into_iter().map(|(metric, signal)| crate::model::load::Source {
                        scale_set: None,
                        metric,
                        signal,
                        noise: 0.0,
                    }));
                }
                _ => sources.push(load::parse_spec(spec, set_names).map_err(|e| UsageError(e.to_string()))?),
            }
        }
        Ok(Load { sources })
    }
}

/// Whether a load CSV is in the `minute,METRIC` form (its first header cell is `minute`).
fn is_minute_csv(text: &str) -> bool {
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or("");
    let cell = first.split(',').next().unwrap_or("").trim().trim_matches('"');
    cell.eq_ignore_ascii_case("minute") || !(first.to_ascii_lowercase().contains("time"))
}

/// Warns about loads no rule reads and rules that receive no load (refuses with `--strict`).
fn check_wiring(run: &RunArgs, state: &crate::model::state::State, load: &Load) -> Result<()> {
    let configs: Vec<&crate::model::config::ScaleSetConfig> = state.scale_sets.iter().map(|s| &s.config).collect();
    let mismatches = crate::sim::wiring::check(&configs, &load.sources);
    if run.strict && !mismatches.is_empty() {
        let all = mismatches.iter().map(|m| m.0.clone()).collect::<Vec<_>>().join("\n  ");
        return Err(UsageError(format!("loads and rules do not meet (--strict); nothing was done:\n  {all}")).into());
    }
    for m in mismatches {
        eprintln!("warning: {}", m.0);
    }
    Ok(())
}

/// Refuses `--svg` and `--timeline` paths that would touch the state, its lock, its backup
/// or the definition, or that cannot be written, before any work.
/// The files no output may name: the state, its lock and backup, the definition.
pub(super) fn protected_files(ctx: &Context) -> [crate::outputs::Protected; 4] {
    let state = crate::store::resolve(&ctx.state_path);
    [
        crate::outputs::Protected { path: ctx.state_path.clone(), what: "the state file" },
        crate::outputs::Protected { path: crate::store::lock_path(&state), what: "the state's lock file" },
        crate::outputs::Protected { path: crate::store::backup_path(&state), what: "the state's backup" },
        crate::outputs::Protected { path: ctx.file.clone(), what: "the definition" },
    ]
}

fn check_outputs(ctx: &Context, run: &RunArgs) -> Result<()> {
    let protected = protected_files(ctx);
    let outputs = [("--svg", &run.svg), ("--timeline", &run.timeline), ("--report", &run.report)];
    for (k, (flag_a, a)) in outputs.iter().enumerate() {
        for (flag_b, b) in &outputs[k + 1..] {
            if let (Some(a), Some(b)) = (a, b)
                && crate::store::resolve(a) == crate::store::resolve(b)
            {
                return Err(
                    UsageError(format!("{flag_a} and {flag_b} both name {}; give two files", a.display())).into()
                );
            }
        }
    }
    for (flag, path) in outputs {
        if let Some(path) = path {
            crate::outputs::check(path, flag, &protected)?;
        }
    }
    Ok(())
}

fn chart_width(ctx: &Context) -> usize {
    ctx.style.width.map_or(100, |w| usize::from(w).saturating_sub(20)).clamp(20, 200)
}

fn total_minutes(duration: Duration) -> u64 {
    duration.secs().div_ceil(60)
}

/// The timeline being written: its temporary file, created before the run and filled row by
/// row as the run records them, so that a run of years keeps no rows in memory.
struct TimelineFile {
    staged: crate::outputs::Staged,
    writer: Rc<RefCell<Option<TimelineWriter<BufWriter<File>>>>>,
}

fn open_timeline(run: &RunArgs) -> Result<Option<TimelineFile>> {
    let Some(path) = &run.timeline else { return Ok(None) };
    let (staged, file) = crate::outputs::create(path)
        .with_context(|| format!("cannot write the timeline {}; nothing was changed", path.display()))?;
    let writer = Rc::new(RefCell::new(Some(TimelineWriter::new(BufWriter::with_capacity(1 << 16, file)))));
    Ok(Some(TimelineFile { staged, writer }))
}

/// A recorder that streams the timeline when there is one, with a progress line on stderr
/// for runs longer than a week when stderr is a terminal (never in a pipe or a CI log).
fn recorder(ctx: &Context, duration: Duration, timeline: Option<&TimelineFile>) -> Recorder {
    let mut r = Recorder::new(total_minutes(duration), chart_width(ctx));
    if let Some(t) = timeline {
        let writer = Rc::clone(&t.writer);
        r = r.with_timeline(Box::new(move |set, metric, sample| {
            if let Some(w) = writer.borrow_mut().as_mut() {
                w.row(set, metric, sample);
            }
        }));
    }
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

/// Finishes the timeline and renders the SVG when asked, to temporary files beside their
/// targets (nothing is in place yet).
fn stage_outputs(
    run: &RunArgs,
    recorder: &Recorder,
    timeline: Option<TimelineFile>,
    html: Option<String>,
) -> Result<Vec<(crate::outputs::Staged, &'static str)>> {
    let mut staged = Vec::new();
    if let Some(t) = timeline {
        let path = run.timeline.as_deref().unwrap_or_else(|| std::path::Path::new("timeline"));
        let finish = || -> std::io::Result<()> {
            if let Some(writer) = t.writer.borrow_mut().take() {
                writer.finish()?.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_all()?;
            }
            Ok(())
        };
        finish().with_context(|| format!("cannot write the timeline {}; nothing was changed", path.display()))?;
        staged.push((t.staged, "timeline"));
    }
    if let Some(path) = &run.svg {
        let file = crate::outputs::stage(path, render::svg::chart(recorder).as_bytes())
            .with_context(|| format!("cannot write the SVG {}; nothing was changed", path.display()))?;
        staged.push((file, "chart"));
    }
    if let (Some(path), Some(html)) = (&run.report, html) {
        let file = crate::outputs::stage(path, html.as_bytes())
            .with_context(|| format!("cannot write the report {}; nothing was changed", path.display()))?;
        staged.push((file, "report"));
    }
    Ok(staged)
}

/// The HTML report of a run, when asked.
fn html_report(
    ctx: &Context,
    command: &str,
    run: &RunArgs,
    recorder: &Recorder,
    before: &crate::model::state::State,
    after: &crate::model::state::State,
    events: &[crate::model::event::Event],
) -> Option<String> {
    run.report.as_ref()?;
    let summary = report::simulation::summarize(recorder, before, after);
    let definition = ctx.file.display().to_string();
    Some(render::html::report(&render::html::ReportInput {
        command,
        definition: &definition,
        summary: &summary,
        recorder,
        events,
    }))
}

/// Moves staged outputs into place (after the commit, when there is one).
fn publish(staged: Vec<(crate::outputs::Staged, &'static str)>) -> Result<()> {
    for (file, what) in staged {
        let shown = file.publish().with_context(|| format!("cannot move the {what} into place"))?;
        eprintln!("{what} written to {}", shown.display());
    }
    Ok(())
}

pub fn advance(ctx: &Context, duration: Duration, run: &RunArgs) -> Result<ExitCode> {
    check_outputs(ctx, run)?;
    let loads = LoadArgs::read(&run.load)?;
    let (state, events, (recorder, _, _, _), staged) = ctx.transact(
        |state| {
            // Opened per attempt: a transaction run again starts a new timeline.
            let timeline = open_timeline(run)?;
            let mut recorder = recorder(ctx, duration, timeline.as_ref());
            let timeline = std::cell::RefCell::new(timeline);
            // The state before, for the report's cost of the run (only when one is asked).
            let before = run.report.as_ref().map(|_| state.clone());
            if duration == Duration::ZERO {
                return Ok((Vec::new(), (recorder, before, Vec::new(), timeline)));
            }
            let names: Vec<&str> = state.scale_sets.iter().map(|s| s.config.name.as_str()).collect();
            let load = loads.parse(&names)?;
            check_wiring(run, state, &load)?;
            let events = clock::advance(state, duration, &ctx.catalog, &load, Some(&mut recorder))?;
            let for_report = if before.is_some() { events.clone() } else { Vec::new() };
            Ok((events, (recorder, before, for_report, timeline)))
        },
        |after, (recorder, before, events, timeline)| {
            let html = before.as_ref().and_then(|b| html_report(ctx, "advance", run, recorder, b, after, events));
            stage_outputs(run, recorder, timeline.borrow_mut().take(), html)
        },
    )?;
    Context::report(&events);
    eprintln!("clock: {}", state.clock);
    publish(staged)?;
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
    check_outputs(ctx, run)?;
    let loads = LoadArgs::read(&run.load)?;
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
    let load = loads.parse(&set_names)?;
    check_wiring(run, &state, &load)?;
    let before = state.clone();
    let timeline = open_timeline(run)?;
    let mut recorder = recorder(ctx, duration, timeline.as_ref());
    let events = clock::advance(&mut state, duration, &ctx.catalog, &load, Some(&mut recorder))?;
    let summary = report::simulation::summarize(&recorder, &before, &state);
    let html = html_report(ctx, "simulate", run, &recorder, &before, &state, &events);
    publish(stage_outputs(run, &recorder, timeline, html)?)?;
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
