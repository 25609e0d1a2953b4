//! Commands that only read: list, instances, events, cost. A missing state shows nothing.

use std::process::ExitCode;

use anyhow::Result;

use crate::exit::OverBudget;
use crate::model::money::Money;
use crate::render;
use crate::report;

use super::{Context, set_not_found};

pub fn list(ctx: &Context) -> Result<ExitCode> {
    let state = ctx.read_state()?;
    let rows = state
        .iter()
        .flat_map(|s| s.scale_sets.iter())
        .map(|s| report::sets::set_view(s, &ctx.catalog))
        .collect::<Result<Vec<_>, _>>()?;
    ctx.print(&rows, || render::list_table(&rows, ctx.style))?;
    Ok(ExitCode::SUCCESS)
}

pub fn instances(ctx: &Context, name: &str) -> Result<ExitCode> {
    let state = ctx.read_state()?;
    let Some(set) = state.as_ref().and_then(|s| s.set(name)) else {
        return Err(set_not_found(state.as_ref(), name).into());
    };
    let rows = report::instances::instances(set);
    if ctx.json {
        ctx.print(&rows, String::new)?;
    } else {
        ctx.print(&(), || render::instances_table(rows, ctx.style))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn events(ctx: &Context, name: Option<&str>, tail: Option<usize>) -> Result<ExitCode> {
    let state = ctx.read_state()?;
    if let Some(name) = name
        && state.as_ref().is_some_and(|s| s.set(name).is_none())
        && !state.as_ref().is_some_and(|s| s.events.iter().any(|e| e.scale_set.as_deref() == Some(name)))
    {
        return Err(set_not_found(state.as_ref(), name).into());
    }
    let mut selected: Vec<&crate::model::event::Event> = state
        .iter()
        .flat_map(|s| s.events.iter())
        .filter(|e| name.is_none_or(|n| e.scale_set.as_deref() == Some(n)))
        .collect();
    if let Some(n) = tail {
        let skip = selected.len().saturating_sub(n);
        selected.drain(..skip);
    }
    if tail.is_none()
        && let Some(state) = &state
    {
        for (set, count) in &state.events_dropped {
            if name.is_none_or(|n| n == set) {
                let whose = if set.is_empty() { "state-wide".to_owned() } else { format!("of {set}") };
                eprintln!("note: {count} older entries {whose} were dropped to keep the log bounded (--keep-events)");
            }
        }
    }
    ctx.print(&selected, || render::events_table(&selected, ctx.style))?;
    Ok(ExitCode::SUCCESS)
}

pub fn cost(ctx: &Context, names: &[String], max_monthly: Option<Money>, commitments: bool) -> Result<ExitCode> {
    // The flag wins; without it, the definition's budget (if the definition exists).
    let budget = match max_monthly {
        Some(max) => Some((max, "--max-monthly".to_owned())),
        None => ctx
            .definition
            .settings()?
            .and_then(|s| s.budget)
            .map(|b| (b, format!("budget.maxMonthly in {}", ctx.file.display()))),
    };
    let state = ctx.read_state()?;
    if let Some(state) = &state {
        for n in names {
            if state.set(n).is_none() {
                return Err(set_not_found(Some(state), n).into());
            }
        }
    }
    let empty = crate::model::state::State::new(0, jiff::Timestamp::UNIX_EPOCH);
    let state = state.as_ref().unwrap_or(&empty);
    let mut view = report::cost::cost(state, names, &ctx.catalog)?;
    if commitments {
        view.commitments = Some(report::budget::commitments(state, names, &ctx.catalog)?);
    }
    view.budget = budget.map(|(max, source)| report::budget::BudgetView::new(max, source, view.total_monthly_cost));
    ctx.print(&view, || render::cost_table(&view, ctx.style))?;
    if let Some(budget) = view.budget.as_ref().filter(|b| b.over_budget) {
        return Err(OverBudget {
            projected: budget.projected_monthly_cost.format_usd(),
            budget: budget.max_monthly.format_usd(),
            over: budget.amount_over.format_usd(),
            from: budget.source.clone(),
        }
        .into());
    }
    Ok(ExitCode::SUCCESS)
}
