//! Commands on VM lifecycle: power operations, upgrades, rolling upgrades, health, eviction,
//! repairs.

use std::process::ExitCode;

use crate::cli::{HealthArg, PowerArgs, RepairsAction, RollingAction};
use crate::engine::{capacity, power, repair, upgrade};
use crate::model::enums::Health;
use crate::model::event::{Event, EventKind};
use crate::model::instance::Operation;
use crate::model::state::{ScaleSet, State};
use crate::report;
use crate::store::Scope;
use anyhow::Result;

use super::{Context, finish, set_not_found};

/// Runs `change` on one existing set under the lock.
fn on_set(
    ctx: &Context,
    name: &str,
    mut change: impl FnMut(&mut ScaleSet, jiff::Timestamp) -> Result<Vec<Event>>,
) -> Result<(State, Vec<Event>)> {
    let (state, events, ()) = ctx.mutate_in(&Scope::set(name), |state| {
        let now = state.clock;
        if state.set(name).is_none() {
            return Err(set_not_found(Some(state), name).into());
        }
        let set = state.set_mut(name).expect("checked above");
        Ok((change(set, now)?, ()))
    })?;
    Ok((state, events))
}

pub fn power(ctx: &Context, op: Operation, args: &PowerArgs) -> Result<ExitCode> {
    let (state, events) = on_set(ctx, &args.name, |set, now| {
        // No IDs, or `*` as `az` writes it: the whole set (VMs protected from scale-set actions
        // are skipped, as for any set-wide operation).
        let whole = args.instances.is_empty() || args.instances.iter().all(|i| i.trim() == "*");
        let ids = if whole { None } else { Some(capacity::resolve_instances(set, &args.instances)?) };
        Ok(power::operate(set, op, ids.as_deref(), now)?)
    })?;
    finish(ctx, &state, &events)
}

pub fn upgrade(ctx: &Context, name: &str, instances: &[String], all: bool) -> Result<ExitCode> {
    let (state, events) = on_set(ctx, name, |set, now| {
        let all = all || instances.iter().all(|i| i.trim() == "*");
        let ids = if all { None } else { Some(capacity::resolve_instances(set, instances)?) };
        let reason = if all { "upgrade --all" } else { "upgrade --instances" };
        Ok(upgrade::update_instances(set, ids.as_deref(), now, reason)?)
    })?;
    finish(ctx, &state, &events)
}

pub fn rolling(ctx: &Context, action: RollingAction, name: &str) -> Result<ExitCode> {
    match action {
        RollingAction::Status => {
            let state = ctx.read_state_in(&Scope::show(name))?;
            let Some(set) = state.as_ref().and_then(|s| s.set(name)) else {
                return Err(set_not_found(state.as_ref(), name).into());
            };
            let view = report::lifecycle::RollingStatusView::of(set);
            ctx.print(&view, || match &view.status {
                None => format!("{name}: no rolling upgrade has run\n"),
                Some(status) => {
                    let mut out = format!(
                        "{name}: {status} to model v{} (batch {}): {} succeeded, {} failed, {} in progress, {} pending\n",
                        view.target_model_version.unwrap_or(0),
                        view.batches,
                        view.successful_instance_count,
                        view.failed_instance_count,
                        view.in_progress_instance_count,
                        view.pending_instance_count
                    );
                    if let Some(e) = &view.error {
                        out.push_str(&format!("  error: {e}\n"));
                    }
                    out
                }
            })?;
            Ok(ExitCode::SUCCESS)
        }
        RollingAction::Start => {
            let (state, events) = on_set(ctx, name, |set, now| Ok(upgrade::start_rolling(set, now)?))?;
            finish(ctx, &state, &events)
        }
        RollingAction::Cancel => {
            let (state, events) = on_set(ctx, name, |set, now| Ok(upgrade::cancel_rolling(set, now)?))?;
            finish(ctx, &state, &events)
        }
    }
}

pub fn health(
    ctx: &Context,
    name: &str,
    instances: &[String],
    all: bool,
    new: bool,
    value: HealthArg,
) -> Result<ExitCode> {
    let health = match value {
        HealthArg::Healthy => Health::Healthy,
        HealthArg::Unhealthy => Health::Unhealthy,
        HealthArg::Unknown => Health::Unknown,
    };
    let (state, events) = on_set(ctx, name, |set, now| {
        if new {
            if set.probe_default == health {
                return Ok(Vec::new());
            }
            set.probe_default = health;
            let set_name = set.config.name.clone();
            return Ok(vec![
                Event::new(
                    now,
                    Some(&set_name),
                    EventKind::HealthChanged,
                    format!("VMs that start from now on report {health}"),
                )
                .with_reason("health --new"),
            ]);
        }
        let ids: Vec<u32> = if all {
            set.instances.iter().map(|i| i.id).collect()
        } else {
            capacity::resolve_instances(set, instances)?
        };
        Ok(power::set_health(set, &ids, health, now))
    })?;
    finish(ctx, &state, &events)
}

pub fn evict(ctx: &Context, name: &str, instances: &[String]) -> Result<ExitCode> {
    let (state, events) = on_set(ctx, name, |set, now| {
        let ids = capacity::resolve_instances(set, instances)?;
        Ok(power::evict(set, &ids, now)?)
    })?;
    finish(ctx, &state, &events)
}

pub fn repairs(ctx: &Context, action: RepairsAction, name: &str) -> Result<ExitCode> {
    match action {
        RepairsAction::Status => {
            let state = ctx.read_state_in(&Scope::show(name))?;
            let Some(set) = state.as_ref().and_then(|s| s.set(name)) else {
                return Err(set_not_found(state.as_ref(), name).into());
            };
            let view = report::lifecycle::RepairsView::of(set);
            ctx.print(&view, || {
                format!(
                    "{name}: automatic repairs {} ({}), action {}, grace period {}, {} failed in a row, up to {} at a time\n",
                    if view.enabled { "enabled" } else { "disabled" },
                    view.service_state,
                    view.repair_action,
                    view.grace_period,
                    view.consecutive_failures,
                    view.max_concurrent_repairs
                )
            })?;
            Ok(ExitCode::SUCCESS)
        }
        RepairsAction::Resume | RepairsAction::Suspend => {
            let resume = action == RepairsAction::Resume;
            let (state, events) = on_set(ctx, name, |set, now| Ok(repair::set_service_state(set, resume, now)?))?;
            finish(ctx, &state, &events)
        }
    }
}
