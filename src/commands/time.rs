//! `advance`: move the logical clock of the real state.

use std::process::ExitCode;

use anyhow::{Context as _, Result};

use crate::engine::clock;
use crate::model::duration::Duration;

use super::{Context, change_report};

pub fn advance(ctx: &Context, duration: &str) -> Result<ExitCode> {
    let duration: Duration = duration.parse().context("advance")?;
    let (state, events, ()) = ctx.mutate(|state| {
        if duration == Duration::ZERO {
            return Ok((Vec::new(), ()));
        }
        Ok((clock::advance(state, duration, ctx.catalog)?, ()))
    })?;
    Context::report(&events);
    eprintln!("clock: {}", state.clock);
    if ctx.json {
        ctx.print(&change_report(&state, &events), String::new)?;
    }
    Ok(ExitCode::SUCCESS)
}
