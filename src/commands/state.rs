//! `state pull|push|migrate`: copying a state between a local file and a blob, with the habits
//! of `terraform state pull/push`: a copy never replaces another state (another lineage) or a
//! newer one (a higher serial) unless forced, and goes through the destination's lock and its
//! conditional write like any other change.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::Context;
use crate::cli::StateAction;
use crate::model::state::State;
use crate::store::{Location, StateStore};

pub fn run(ctx: &Context, action: StateAction) -> Result<ExitCode> {
    match action {
        StateAction::Pull => pull(ctx),
        StateAction::Push { file, force } => {
            let incoming = match crate::store::read_state(&file)? {
                crate::store::Loaded::Present(state) => state,
                crate::store::Loaded::Missing => bail!("{} does not exist; nothing to push", file.display()),
            };
            copy_into(ctx, &*ctx.store, &incoming, &file.display().to_string(), force)
        }
        StateAction::Migrate { to, force } => {
            let destination = Location::parse(&to)?;
            if destination == ctx.location {
                bail!("--to names the state itself ({}); give another location", ctx.store.describe());
            }
            let Some(incoming) = ctx.store.load()?.0 else {
                bail!("there is no state at {} to migrate", ctx.store.describe());
            };
            let lease = crate::store::lease_from_env().map_err(crate::exit::UsageError)?;
            let store = crate::store::open(&destination, lease);
            copy_into(ctx, &*store, &incoming, &ctx.store.describe(), force)?;
            eprintln!(
                "The state at {} is left as it was; point --state (or SCALESET_STATE) at {}.",
                ctx.store.describe(),
                store.describe()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The state as stored, on stdout, in the file format (compact JSON and a newline).
fn pull(ctx: &Context) -> Result<ExitCode> {
    let Some(state) = ctx.store.load()?.0 else {
        bail!("there is no state at {}", ctx.store.describe());
    };
    let mut bytes = crate::store::state_bytes(&state)?;
    bytes.push(b'\n');
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes).and_then(|()| out.flush())?;
    Ok(ExitCode::SUCCESS)
}

/// Why a copy would replace something it should not, if it would.
fn refusal(existing: &State, incoming: &State) -> Option<String> {
    if existing.lineage != incoming.lineage {
        return Some(format!(
            "it holds another state (lineage {}, serial {}) than the one copied (lineage {}, serial {})",
            existing.lineage, existing.serial, incoming.lineage, incoming.serial
        ));
    }
    if existing.serial > incoming.serial {
        return Some(format!(
            "it holds a newer version of this state (serial {}) than the one copied (serial {})",
            existing.serial, incoming.serial
        ));
    }
    if existing.serial == incoming.serial && existing != incoming {
        return Some(format!(
            "it holds a different version of this state with the same serial ({}): the two have diverged",
            existing.serial
        ));
    }
    None
}

/// Writes `incoming` to `store` under its lock, after the checks.
fn copy_into(ctx: &Context, store: &dyn StateStore, incoming: &State, from: &str, force: bool) -> Result<ExitCode> {
    let guard = store.lock(ctx.lock_timeout, &format!("scaleset {}", ctx.command_line))?;
    if let Some(previous) = guard.took_over_from() {
        eprintln!("note: took over the state lock last held by {previous}, which ended without releasing it");
    }
    let (existing, version) = store.load()?;
    if let Some(existing) = &existing {
        if existing == incoming {
            eprintln!(
                "{} already holds this state (lineage {}, serial {}); nothing to copy.",
                store.describe(),
                incoming.lineage,
                incoming.serial
            );
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(why) = refusal(existing, incoming) {
            if !force {
                bail!(
                    "refusing to copy {from} to {}: {why}; nothing was written (--force replaces it, keeping the version replaced as the backup)",
                    store.describe()
                );
            }
            eprintln!("note: --force: replacing the state at {}: {why}", store.describe());
        }
    }
    store.commit(&version, incoming)?;
    drop(guard);
    eprintln!(
        "copied the state (lineage {}, serial {}) from {from} to {}",
        incoming.lineage,
        incoming.serial,
        store.describe()
    );
    Ok(ExitCode::SUCCESS)
}
