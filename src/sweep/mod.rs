//! `sweep`: one scale set's definition simulated over the same load once per combination of
//! `--vary` values, to show the trade-off between cost and unserved demand. Pure: a function of
//! (definitions, variants, catalog, load, seed, start, duration). Variants run in parallel and
//! are collected in grid order, so the outcome is the same whatever the number of threads.

pub mod frontier;
pub mod vary;

use jiff::Timestamp;
use rayon::prelude::*;
use serde::Serialize;

use crate::cost::catalog::Catalog;
use crate::engine::{clock, plan};
use crate::model::duration::Duration;
use crate::model::load::Source;
use crate::model::money::Money;
use crate::model::state::State;
use crate::sim::load::Load;
use crate::sim::record::Recorder;
use crate::spec::SetDefinition;
use vary::{Value, Vary};

/// Minutes in the 730-hour month costs are quoted for.
const MONTH_MINUTES: u64 = 730 * 60;

/// What to sweep.
pub struct Request<'a> {
    /// The set, as defined.
    pub def: &'a SetDefinition,
    pub varies: &'a [Vary],
    pub catalog: &'a Catalog,
    /// The command line's load (the definition's is in `def`).
    pub load: &'a Load,
    pub seed: u64,
    pub start: Timestamp,
    pub duration: Duration,
    /// `--samples N`: a seeded Latin hypercube sample of the grid instead of all of it.
    pub samples: Option<usize>,
    /// Rescale the load by the vCPU ratio when the size varies (`--no-rescale`: never).
    pub rescale: bool,
}

/// How one variant did.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The value of each `--vary`, in their order; empty for the definition as written.
    pub values: Vec<String>,
    /// The index of each value in its `--vary`'s list (to run the variant again).
    #[serde(skip)]
    pub choice: Vec<usize>,
    /// The definition as written: the reference the variants compare with.
    pub defined: bool,
    /// The run's cost scaled to a 730-hour month, to the cent.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_cost: Money,
    /// Cost accrued during the run, to the cent.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub cost: Money,
    /// Instance-hours of demand not served.
    pub unserved_demand: f64,
    /// Unserved demand as a percentage of all demand (CPU metrics only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unserved_percent: Option<f64>,
    /// Minutes the per-VM metric was above a scale-out threshold in force.
    pub minutes_above: u64,
    pub scale_actions: usize,
    pub flapping_avoided: usize,
    pub avg_instances: f64,
    /// Not beaten on both cost and unserved demand by any other variant.
    pub on_frontier: bool,
}

/// The outcome of every variant (grid order) and of the definition as written, and how many
/// combinations were left out because their capacities did not hold together.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sweep {
    pub scale_set: String,
    pub varied: Vec<String>,
    pub defined: Outcome,
    pub variants: Vec<Outcome>,
    pub skipped: usize,
}

/// Runs the sweep: every combination of the values, or `samples` of them.
///
/// # Errors
/// A value that cannot be applied (no autoscale setting, no such rule, a size without a price
/// or without a vCPU figure), or a grid above [`vary::MAX_VARIANTS`] without `samples`.
pub fn run(req: &Request<'_>) -> Result<Sweep, String> {
    let grid = match req.samples {
        Some(n) => vary::latin_hypercube(req.varies, n, req.seed)?,
        None => vary::grid(req.varies)?,
    };
    for v in req.varies {
        for value in &v.values {
            if let Value::Text(sku) = value {
                check_size(req, sku)?;
            }
        }
    }
    let mut defined = simulate(req, req.def.clone(), Vec::new(), None)?.ok_or("the definition was not simulated")?;
    defined.defined = true;
    let results: Vec<Result<Option<Outcome>, String>> = grid
        .par_iter()
        .map(|choice| {
            let mut def = req.def.clone();
            let mut shown = Vec::with_capacity(choice.len());
            for (v, &i) in req.varies.iter().zip(choice) {
                vary::apply(&mut def, v, &v.values[i])?;
                shown.push(v.values[i].shown());
            }
            if !vary::capacities_hold(&def) {
                return Ok(None);
            }
            let outcome = simulate(req, def, shown, None)?;
            Ok(outcome.map(|o| Outcome { choice: choice.clone(), ..o }))
        })
        .collect();
    let mut variants = Vec::with_capacity(results.len());
    let mut skipped = 0;
    for r in results {
        match r? {
            Some(o) => variants.push(o),
            None => skipped += 1,
        }
    }
    frontier::mark(&mut variants);
    Ok(Sweep {
        scale_set: req.def.config.name.clone(),
        varied: req.varies.iter().map(|v| v.path.clone()).collect(),
        defined,
        variants,
        skipped,
    })
}

/// A size the sweep may use: priced in the set's region, with a vCPU figure to rescale the load.
fn check_size(req: &Request<'_>, sku: &str) -> Result<(), String> {
    let model = &req.def.config.model;
    let spot = model.priority == crate::model::enums::Priority::Spot;
    let os = crate::cost::rates::billing_os(model);
    req.catalog
        .vm_hourly_sourced(sku, &req.def.config.region, os, spot)
        .map_err(|e| format!("--vary sku={sku}: {e}"))?;
    if req.rescale && req.catalog.size(sku).is_none() {
        return Err(format!(
            "--vary sku={sku}: its vCPU count is unknown (a size known only from a price export), so the load cannot be \
             rescaled to it (--no-rescale to run it on the load as written)"
        ));
    }
    Ok(())
}

/// The load a variant faces: the definition's and the command line's, scaled by the ratio of
/// the defined size's vCPUs to the variant's (load is in units of the defined size).
fn rescaled(req: &Request<'_>, def: &mut SetDefinition) -> Load {
    let vcpus = |sku: &str| req.catalog.size(sku).map(|s| f64::from(s.vcpus));
    let factor = match (vcpus(&req.def.config.model.sku), vcpus(&def.config.model.sku)) {
        (Some(defined), Some(variant)) if req.rescale && defined != variant => defined / variant,
        _ => 1.0,
    };
    if factor == 1.0 {
        return Load { sources: req.load.sources.clone() };
    }
    for s in &mut def.config.load {
        *s = s.scaled(factor);
    }
    let name = def.config.name.as_str();
    let sources: Vec<Source> = req
        .load
        .sources
        .iter()
        .map(|s| if s.scale_set.as_deref().is_none_or(|n| n == name) { s.scaled(factor) } else { s.clone() })
        .collect();
    Load { sources }
}

/// Runs one variant again with a recorder the caller keeps (for its chart).
///
/// # Errors
/// As [`run`].
pub fn replay(req: &Request<'_>, choice: &[usize], recorder: &mut Recorder) -> Result<(), String> {
    let mut def = req.def.clone();
    for (v, &i) in req.varies.iter().zip(choice) {
        vary::apply(&mut def, v, &v.values[i])?;
    }
    simulate(req, def, Vec::new(), Some(recorder)).map(|_| ())
}

fn simulate(
    req: &Request<'_>,
    mut def: SetDefinition,
    values: Vec<String>,
    keep: Option<&mut Recorder>,
) -> Result<Option<Outcome>, String> {
    let load = rescaled(req, &mut def);
    let mut state = State::new(req.seed, req.start);
    let defs = [def];
    let changes = plan::plan(&defs, Some(&state), &[], false, "sweep")
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))?;
    plan::apply(&mut state, &defs, &changes, req.start).map_err(|e| e.to_string())?;
    let before = state.clone();
    let minutes = req.duration.secs().div_ceil(60);
    let mut own = Recorder::new(minutes, 1);
    let recorder = keep.unwrap_or(&mut own);
    // Counted, not kept: a variant's memory does not grow with the duration.
    clock::advance_counted(&mut state, req.duration, req.catalog, &load, &mut *recorder).map_err(|e| e.to_string())?;
    let summary = crate::report::simulation::summarize(recorder, &before, &state);
    let (Some(s), Some(record)) = (summary.first(), recorder.sets.first()) else {
        return Err("the set was not simulated".into());
    };
    let cpu = crate::model::metric_history::is_cpu(&record.metric);
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)] // minute counts
    let monthly_cost = s.cost.mul_ratio(MONTH_MINUTES as i64, minutes.max(1) as i64).round_cents();
    Ok(Some(Outcome {
        values,
        choice: Vec::new(),
        defined: false,
        monthly_cost,
        cost: s.cost.round_cents(),
        unserved_demand: s.unserved_demand,
        unserved_percent: (cpu && record.demand_sum > 0.0)
            .then(|| round(100.0 * record.unserved / (record.demand_sum / 100.0), 3)),
        minutes_above: s.minutes_above.iter().filter(|m| m.operator.starts_with('>')).map(|m| m.minutes).sum(),
        scale_actions: s.scale_actions,
        flapping_avoided: s.flapping_avoided,
        avg_instances: s.avg_instances,
        on_frontier: false,
    }))
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}
