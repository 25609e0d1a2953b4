//! Commands that change capacity or protection by hand: scale, delete, protect, unprotect.

use std::process::ExitCode;

use anyhow::Result;

use crate::engine::{capacity, protect as protection};
use crate::model::event::{Event, EventKind};
use crate::store::Scope;

use super::{Context, finish, set_not_found};

pub fn scale(ctx: &Context, name: &str, capacity: Option<i64>, by: Option<i64>) -> Result<ExitCode> {
    let (state, events, ()) = ctx.mutate_in(&Scope::set(name), |state| {
        let now = state.clock;
        if state.set(name).is_none() {
            return Err(set_not_found(Some(state), name).into());
        }
        let set = state.set_mut(name).expect("checked above");
        let target = match (capacity, by) {
            (Some(c), _) => c,
            (None, Some(delta)) => i64::from(set.capacity).saturating_add(delta),
            (None, None) => unreachable!("clap requires --capacity or --by"),
        };
        let reason = capacity
            .map_or_else(|| format!("scale --by {by:+}", by = by.unwrap_or(0)), |c| format!("scale --capacity {c}"));
        Ok((capacity::scale_to(set, target, now, &reason)?, ()))
    })?;
    finish(ctx, &state, &events)
}

pub fn delete(ctx: &Context, name: &str, instances: &[String]) -> Result<ExitCode> {
    let (state, events, ()) = ctx.mutate_in(&Scope::set(name), |state| {
        let now = state.clock;
        let Some(k) = state.scale_sets.iter().position(|s| s.config.name == name) else {
            return Err(set_not_found(Some(state), name).into());
        };
        if instances.is_empty() {
            let set = state.scale_sets.remove(k);
            state.retired_accrued.absorb(set.accrued);
            let event = Event::new(
                now,
                Some(name),
                EventKind::ScaleSetDeleted,
                format!("deleted the scale set and its {} VM(s)", set.capacity),
            )
            .with_capacity(set.capacity, 0)
            .with_reason("delete");
            return Ok((vec![event], ()));
        }
        let set = &mut state.scale_sets[k];
        let ids = capacity::resolve_instances(set, instances)?;
        Ok((capacity::delete_instances(set, &ids, now)?, ()))
    })?;
    finish(ctx, &state, &events)
}

pub fn protect(ctx: &Context, name: &str, instances: &[String], on: bool, actions: bool) -> Result<ExitCode> {
    let (state, events, ()) = ctx.mutate_in(&Scope::set(name), |state| {
        let now = state.clock;
        if state.set(name).is_none() {
            return Err(set_not_found(Some(state), name).into());
        }
        let set = state.set_mut(name).expect("checked above");
        let ids = capacity::resolve_instances(set, instances)?;
        Ok((protection::set_protection(set, &ids, on, actions, now)?, ()))
    })?;
    finish(ctx, &state, &events)
}
