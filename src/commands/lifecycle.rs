//! Commands on VM lifecycle: power operations, upgrades, rolling upgrades, health, eviction,
//! repairs.

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::cli::{HealthArg, PowerArgs, RepairsAction, RollingAction};
use crate::engine::{capacity, power, repair, upgrade};
use crate::model::enums::Health;
use crate::model::event::{Event, EventKind};
use crate::model::instance::Operation;
use crate::model::state::{ScaleSet, State};

use super::{Context, finish, set_not_found};

/// Runs `change` on one existing set under the lock.
fn on_set(
    ctx: &Context,
    name: &str,
    change: impl FnOnce(&mut ScaleSet, jiff::Timestamp) -> Result<Vec<Event>>,
) -> Result<(State, Vec<Event>)> {
    let (state, events, ()) = ctx.mutate(|state| {
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
        let ids =
            if args.instances.is_empty() { None } else { Some(capacity::resolve_instances(set, &args.instances)?) };
        Ok(power::operate(set, op, ids.as_deref(), now)?)
    })?;
    finish(ctx, &state, &events)
}

pub fn upgrade(ctx: &Context, name: &str, instances: &[String], all: bool) -> Result<ExitCode> {
    let (state, events) = on_set(ctx, name, |set, now| {
        let ids = if all { None } else { Some(capacity::resolve_instances(set, instances)?) };
        let reason = if all { "upgrade --all" } else { "upgrade --instances" };
        Ok(upgrade::update_instances(set, ids.as_deref(), now, reason)?)
    })?;
    finish(ctx, &state, &events)
}

/// `rolling-upgrade status NAME -o json`, as the contract names the keys.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RollingStatusView {
    name: String,
    status: Option<String>,
    successful_instance_count: usize,
    failed_instance_count: usize,
    in_progress_instance_count: usize,
    pending_instance_count: usize,
    target_model_version: Option<u32>,
    batches: u32,
    started_at: Option<jiff::Timestamp>,
    ended_at: Option<jiff::Timestamp>,
    last_action: Option<String>,
    error: Option<String>,
}

fn rolling_view(set: &ScaleSet) -> RollingStatusView {
    let r = set.rolling_upgrade.as_ref();
    RollingStatusView {
        name: set.config.name.clone(),
        status: r.map(|r| r.status.to_string()),
        successful_instance_count: r.map_or(0, |r| r.succeeded.len()),
        failed_instance_count: r.map_or(0, |r| r.failed.len()),
        in_progress_instance_count: r
            .map_or(0, |r| if r.surge.is_empty() { r.in_progress.len() } else { r.surge.len() }),
        pending_instance_count: r.map_or(0, |r| r.pending.len()),
        target_model_version: r.map(|r| r.target_version),
        batches: r.map_or(0, |r| r.batches),
        started_at: r.map(|r| r.started_at),
        ended_at: r.and_then(|r| r.ended_at),
        last_action: r.map(|r| r.last_action.clone()),
        error: r.and_then(|r| r.error.clone()),
    }
}

pub fn rolling(ctx: &Context, action: RollingAction, name: &str) -> Result<ExitCode> {
    match action {
        RollingAction::Status => {
            let state = ctx.read_state()?;
            let Some(set) = state.as_ref().and_then(|s| s.set(name)) else {
                return Err(set_not_found(state.as_ref(), name).into());
            };
            let view = rolling_view(set);
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RepairsView {
    name: String,
    enabled: bool,
    service_state: String,
    grace_period: String,
    repair_action: String,
    consecutive_failures: u32,
    max_concurrent_repairs: usize,
}

pub fn repairs(ctx: &Context, action: RepairsAction, name: &str) -> Result<ExitCode> {
    match action {
        RepairsAction::Status => {
            let state = ctx.read_state()?;
            let Some(set) = state.as_ref().and_then(|s| s.set(name)) else {
                return Err(set_not_found(state.as_ref(), name).into());
            };
            let p = set.config.automatic_repairs;
            let view = RepairsView {
                name: name.to_owned(),
                enabled: p.enabled,
                service_state: set.repairs.service_state.to_string(),
                grace_period: p.grace_period.to_string(),
                repair_action: p.repair_action.to_string(),
                consecutive_failures: set.repairs.consecutive_failures,
                max_concurrent_repairs: repair::concurrency(set.instances.len()),
            };
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
