//! Commands that read the definition: validate, plan, apply, create, schema.

use std::process::ExitCode;

use anyhow::Result;

use crate::engine::{EngineError, capacity, plan as planner};
use crate::render;
use crate::spec::raw::RawDefinition;

use crate::report::{self, change::ChangeReport};

use super::Context;

pub fn validate(ctx: &Context, strict: bool) -> Result<ExitCode> {
    let file = ctx.file.display().to_string();
    let defs = match ctx.definition.definitions(&ctx.catalog) {
        Ok(defs) => defs,
        Err(error) => {
            // Scripts get the diagnostics on stdout whether or not the file is valid.
            if ctx.json {
                ctx.print(&report::validate::ValidateReport::invalid(&file, &error), String::new)?;
            }
            return Err(error.into());
        }
    };
    let configs: Vec<&crate::model::config::ScaleSetConfig> = defs.iter().map(|d| &d.config).collect();
    let mut mismatches: Vec<crate::sim::wiring::Mismatch> =
        defs.iter().flat_map(|d| &d.notes).map(|n| crate::sim::wiring::Mismatch(n.clone())).collect();
    let read_as = mismatches.len();
    mismatches.extend(crate::sim::wiring::check(&configs, &[]));
    if strict && mismatches.len() > read_as {
        let problems: Vec<crate::spec::Problem> = mismatches[read_as..]
            .iter()
            .map(|m| crate::spec::Problem {
                position: None,
                scale_set: None,
                set_index: None,
                field: None,
                message: format!("{} (--strict)", m.0),
            })
            .collect();
        let error = crate::spec::DefinitionError::Invalid { path: file.clone(), problems };
        if ctx.json {
            ctx.print(&report::validate::ValidateReport::invalid(&file, &error), String::new)?;
        }
        return Err(error.into());
    }
    let names: Vec<String> = defs.iter().map(|d| d.config.name.clone()).collect();
    if ctx.json {
        let notes = mismatches.into_iter().map(|m| report::validate::Diagnostic::note(&file, m.0)).collect();
        ctx.print(&report::validate::ValidateReport::valid(&file, names, notes), String::new)?;
    } else {
        for m in &mismatches {
            eprintln!("note: {}", m.0);
        }
        println!("{file}: valid ({} scale set(s): {})", defs.len(), names.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

fn engine_errors(errors: Vec<EngineError>) -> anyhow::Error {
    let mut it = errors.into_iter();
    let first = it.next().map_or_else(|| anyhow::anyhow!("plan failed"), anyhow::Error::new);
    let rest: Vec<String> = it.map(|e| e.to_string()).collect();
    if rest.is_empty() { first } else { first.context(rest.join("\n")) }
}

pub fn plan(ctx: &Context, names: &[String], prune: bool, detailed: bool) -> Result<ExitCode> {
    let defs = ctx.definitions()?;
    let state = ctx.read_state()?;
    let changes =
        planner::plan(&defs, state.as_ref(), names, prune, &ctx.file.display().to_string()).map_err(engine_errors)?;
    let has_changes = changes.iter().any(planner::Change::is_change);
    // What the change does to the monthly bill, priced on a copy of the state.
    let budget = ctx.definition.settings()?.and_then(|s| s.budget);
    let cost_change =
        report::cost_change::cost_change(state.as_ref(), &defs, &changes, &ctx.catalog).map(|mut view| {
            view.budget = budget.map(|max| {
                let source = format!("budget.maxMonthly in {}", ctx.file.display());
                report::budget::BudgetView::new(max, source, "plan", view.new_monthly_cost)
            });
            view
        });
    if ctx.json {
        ctx.print(&report::plan::PlanReport::new(&changes, &cost_change), String::new)?;
    } else {
        ctx.print(&(), || {
            let mut out = render::plan_text(&changes, state.as_ref());
            if has_changes {
                match &cost_change {
                    Ok(view) => out.push_str(&render::cost::cost_change_text(view)),
                    Err(error) => out.push_str(&format!("\nMonthly cost change: unknown ({error})\n")),
                }
            }
            out
        })?;
    }
    Ok(ExitCode::from(if detailed && has_changes { crate::exit::CHANGES } else { crate::exit::OK }))
}

/// The sets a plan deletes.
fn deletions(changes: &[planner::Change]) -> Vec<String> {
    changes.iter().filter(|c| matches!(c, planner::Change::Delete { .. })).map(|c| c.name().to_owned()).collect()
}

/// Asks on a terminal before sets are deleted; without one, `--auto-approve` must say so.
fn approve_deletions(doomed: &[String]) -> Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    let list = doomed.join(", ");
    if !std::io::stdin().is_terminal() {
        return Err(crate::exit::UsageError(format!(
            "apply --prune would delete {} scale set(s) ({list}) and nobody is at a terminal to confirm: \
             pass --auto-approve to delete them; nothing was done",
            doomed.len()
        ))
        .into());
    }
    eprint!("apply --prune deletes {} scale set(s) and their VMs: {list}. Type 'yes' to go on: ", doomed.len());
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        anyhow::bail!("cancelled: nothing was deleted (only 'yes' goes on)");
    }
    Ok(())
}

pub fn apply(ctx: &Context, names: &[String], prune: bool, auto_approve: bool) -> Result<ExitCode> {
    let defs = ctx.definitions()?;
    let file = ctx.file.display().to_string();
    // Deleting sets is asked about first, from the state as it is (no lock is held while a
    // person reads the question); the apply then refuses if the deletions have changed.
    let mut approved: Option<Vec<String>> = None;
    if prune && !auto_approve {
        let state = ctx.read_state()?;
        let changes = planner::plan(&defs, state.as_ref(), names, prune, &file).map_err(engine_errors)?;
        let doomed = deletions(&changes);
        if !doomed.is_empty() {
            approve_deletions(&doomed)?;
        }
        approved = Some(doomed);
    }
    let (state, events, plan_shown) = ctx.mutate(|state| {
        let changes = planner::plan(&defs, Some(state), names, prune, &file).map_err(engine_errors)?;
        if let Some(approved) = &approved
            && deletions(&changes) != *approved
        {
            anyhow::bail!(
                "the state changed while you were asked: the sets to delete are not the ones approved; run apply again"
            );
        }
        // The plan as `plan` shows it, worded against the state before the change.
        let shown = changes.iter().any(planner::Change::is_change).then(|| render::plan_text(&changes, Some(state)));
        let now = state.clock;
        Ok((planner::apply(state, &defs, &changes, now)?, shown))
    })?;
    Context::report(&events);
    if events.is_empty() {
        eprintln!("No changes. The state matches the definition.");
    }
    // Show what was applied: the instances of each selected set, then the costs.
    let shown: Vec<&crate::model::state::ScaleSet> =
        state.scale_sets.iter().filter(|s| names.is_empty() || names.contains(&s.config.name)).collect();
    let selected: Vec<String> = shown.iter().map(|s| s.config.name.clone()).collect();
    let summaries: Vec<_> = state.scale_sets.iter().map(crate::model::set_summary::SetSummary::of).collect();
    let read =
        report::cost::Read { sets: &summaries, clock: state.clock, retired_accrued: state.retired_accrued.money() };
    let cost = report::cost::cost(&read, &selected, &ctx.catalog)?;
    if ctx.json {
        let document = report::apply::ApplyReport {
            cost,
            events: &events,
            scale_sets: shown.iter().map(|s| report::apply::SetInstances::of(s)).collect(),
            serial: state.serial,
        };
        ctx.print(&document, String::new)?;
    } else {
        ctx.print(&(), || {
            // What was carried out, as plan showed it, then the result.
            let mut out = String::new();
            if let Some(plan) = &plan_shown {
                out.push_str(plan);
                out.push('\n');
            }
            for s in &shown {
                out.push_str(&format!("{} ({} VMs, model v{}):\n", s.config.name, s.capacity, s.model_version));
                out.push_str(&render::instances_table(report::instances::instances(s), ctx.style));
                out.push('\n');
            }
            out.push_str(&render::cost_table(&cost, ctx.style));
            out
        })?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn create(ctx: &Context, name: &str) -> Result<ExitCode> {
    let defs = ctx.definitions()?;
    let Some(def) = defs.iter().find(|d| d.config.name == name) else {
        let hint = crate::suggest::hint(name, defs.iter().map(|d| d.config.name.as_str()));
        return Err(
            EngineError::NotDefined { name: name.to_owned(), file: ctx.file.display().to_string(), hint }.into()
        );
    };
    let (state, events, ()) = ctx.mutate(|state| {
        if state.set(name).is_some() {
            return Err(EngineError::SetExists { name: name.to_owned() }.into());
        }
        let now = state.clock;
        let (set, events) = capacity::create_set(def, now)?;
        state.insert_set(set);
        Ok((events, ()))
    })?;
    Context::report(&events);
    ctx.print(&ChangeReport::new(&state, &events), String::new)?;
    Ok(ExitCode::SUCCESS)
}

pub fn schema() -> Result<ExitCode> {
    let schema = schemars::schema_for!(RawDefinition);
    println!("{}", serde_json::to_string_pretty(&schema)?);
    Ok(ExitCode::SUCCESS)
}
