//! Commands that only read: list, instances, events, cost. A missing state shows nothing.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::CostBasis;
use crate::exit::OverBudget;
use crate::model::duration::Duration;
use crate::model::money::Money;
use crate::render;
use crate::report;

use super::{Context, set_not_found};
use crate::store::Scope;

pub fn list(ctx: &Context) -> Result<ExitCode> {
    // Sets as summaries: the VMs' facts that are counted and priced, nothing else of them.
    let state = ctx.store.load_summaries()?;
    let rows = state
        .iter()
        .flat_map(|s| s.scale_sets.iter())
        .map(|s| report::sets::set_view(s, &ctx.catalog))
        .collect::<Result<Vec<_>, _>>()?;
    ctx.print(&rows, || render::list_table(&rows, ctx.style))?;
    Ok(ExitCode::SUCCESS)
}

pub fn instances(ctx: &Context, name: &str) -> Result<ExitCode> {
    let state = ctx.read_state_in(&Scope::show(name))?;
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

pub fn events(
    ctx: &Context,
    name: Option<&str>,
    tail: Option<usize>,
    since: Option<&str>,
    kinds: &[String],
) -> Result<ExitCode> {
    // The activity log is read whole; of the sets, only the one named (to check it exists).
    let state = ctx.read_state_in(&Scope::Show(name.into_iter().map(str::to_owned).collect()))?;
    if let Some(name) = name
        && state.as_ref().is_some_and(|s| s.set(name).is_none())
        && !state.as_ref().is_some_and(|s| s.events.iter().any(|e| e.scale_set.as_deref() == Some(name)))
    {
        return Err(set_not_found(state.as_ref(), name).into());
    }
    let mut wanted_kinds = Vec::new();
    for k in kinds {
        let kind = crate::model::event::EventKind::ALL.iter().find(|e| e.as_str().eq_ignore_ascii_case(k)).ok_or_else(
            || {
                let known = crate::model::event::EventKind::ALL.iter().map(|e| e.as_str());
                crate::exit::UsageError(format!(
                    "--kind '{k}' is not a kind of entry{}",
                    crate::suggest::hint(k, known)
                ))
            },
        )?;
        wanted_kinds.push(*kind);
    }
    let clock = state.as_ref().map_or(jiff::Timestamp::UNIX_EPOCH, |s| s.clock);
    let since = match since {
        None => None,
        Some(text) => Some(match text.parse::<jiff::Timestamp>() {
            Ok(t) => t,
            Err(_) => {
                let back: Duration = text.parse().map_err(|e| {
                    crate::exit::UsageError(format!("--since '{text}' is neither an RFC 3339 time nor a duration: {e}"))
                })?;
                clock.checked_sub(back.as_signed()).unwrap_or(jiff::Timestamp::MIN)
            }
        }),
    };
    let mut selected: Vec<&crate::model::event::Event> = state
        .iter()
        .flat_map(|s| s.events.iter())
        .filter(|e| name.is_none_or(|n| e.scale_set.as_deref() == Some(n)))
        .filter(|e| since.is_none_or(|t| e.time >= t))
        .filter(|e| wanted_kinds.is_empty() || wanted_kinds.contains(&e.kind))
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

pub fn cost(
    ctx: &Context,
    names: &[String],
    max_monthly: Option<Money>,
    commitments: bool,
    basis: CostBasis,
) -> Result<ExitCode> {
    // The flag wins; without it, the definition's budget (if the definition exists).
    let budget = match max_monthly {
        Some(max) => Some((max, "--max-monthly".to_owned())),
        None => ctx
            .definition
            .settings()?
            .and_then(|s| s.budget)
            .map(|b| (b, format!("budget.maxMonthly in {}", ctx.file.display()))),
    };
    // Sets as summaries: what the run rate and the commitments read of them.
    let state = ctx.store.load_summaries()?;
    // The definition as written, when there is one: needed for the defined and simulated
    // bases; shown beside the run rate otherwise.
    let defs = if ctx.definition.exists() {
        match ctx.definitions() {
            Ok(defs) => Some(defs),
            Err(e) if basis == CostBasis::Now && state.is_some() => {
                eprintln!("note: the definition cannot be priced, so only the state is: {e}");
                None
            }
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    for n in names {
        let in_state = state.as_ref().is_some_and(|s| s.scale_sets.iter().any(|set| set.config.name == *n));
        let defined = defs.as_ref().is_some_and(|d| d.iter().any(|d| d.config.name == *n));
        if !in_state && !defined {
            let known = state.iter().flat_map(|s| s.scale_sets.iter().map(|set| set.config.name.as_str())).collect();
            return Err(super::unknown_set(known, n).into());
        }
    }
    let read = report::cost::Read {
        sets: state.as_ref().map_or(&[][..], |s| &s.scale_sets[..]),
        clock: state.as_ref().map_or(jiff::Timestamp::UNIX_EPOCH, |s| s.clock),
        retired_accrued: state.as_ref().map_or(Money::ZERO, |s| s.retired_accrued.money()),
    };
    let mut view = report::cost::cost(&read, names, &ctx.catalog)?;
    view.has_state = state.is_some();
    if let Some(defs) = &defs {
        view.defined = Some(report::defined::defined_cost(defs, names, &ctx.catalog)?);
    }
    view.name_estimates();
    if commitments {
        view.commitments = Some(report::budget::commitments(read.sets, names, &ctx.catalog)?);
    }
    if let Some((max, source)) = budget {
        let (basis, projected) = match (basis, &view.defined, &defs) {
            (CostBasis::Defined, Some(defined), _) => (basis, defined.worst_case_monthly_cost),
            (CostBasis::Simulated, _, Some(defs)) => (basis, simulated_monthly(ctx, defs, names)?),
            (CostBasis::Now, _, _) => (basis, view.total_monthly_cost),
            (_, _, _) => {
                eprintln!(
                    "note: no definition ({}), so the budget is checked against the run rate now (--basis now)",
                    ctx.file.display()
                );
                (CostBasis::Now, view.total_monthly_cost)
            }
        };
        view.budget = Some(report::budget::BudgetView::new(max, source, basis.as_str(), projected));
    }
    ctx.print(&view, || render::cost_table(&view, ctx.style))?;
    if let Some(budget) = view.budget.as_ref().filter(|b| b.over_budget) {
        return Err(OverBudget {
            projected: budget.projected_monthly_cost.format_usd(),
            budget: budget.max_monthly.format_usd(),
            over: budget.amount_over.format_usd(),
            from: format!("{}, {} basis", budget.source, budget.basis),
        }
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// The expected monthly cost from simulating the definition as written for 30 days with its
/// `load:` (on a fresh state: nothing is written), as a 730-hour month.
fn simulated_monthly(ctx: &Context, defs: &[crate::spec::SetDefinition], names: &[String]) -> Result<Money> {
    const DAYS: u64 = 30;
    let mut state = ctx.new_state();
    let file = ctx.file.display().to_string();
    let changes = crate::engine::plan::plan(defs, Some(&state), names, false, &file)
        .map_err(|errors| anyhow::anyhow!(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")))?;
    let now = state.clock;
    crate::engine::plan::apply(&mut state, defs, &changes, now)?;
    let load = crate::sim::load::Load::default();
    crate::engine::clock::advance(&mut state, Duration::from_days(DAYS), &ctx.catalog, &load, None)?;
    let accrued: Money = state.scale_sets.iter().map(|s| s.accrued.money()).sum();
    let hours = i64::try_from(DAYS * 24).unwrap_or(720);
    Ok(accrued.mul_ratio(crate::cost::catalog::HOURS_PER_MONTH, hours))
}
