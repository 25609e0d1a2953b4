//! Exit codes, decided in one place. Scripts rely on them; the README lists them.

use std::process::ExitCode;

use crate::engine::EngineError;
use crate::spec::DefinitionError;
use crate::store::StoreError;

/// Success.
pub const OK: u8 = 0;
/// The operation was refused or failed (unknown set or instance, protection, limits, prices).
pub const FAILED: u8 = 1;
/// `plan --detailed-exitcode`: there are changes to apply.
pub const CHANGES: u8 = 2;
/// `cost --max-monthly`: the projected monthly cost is over budget.
pub const OVER_BUDGET: u8 = 3;
/// The command line is wrong (unknown flag, missing argument).
pub const USAGE: u8 = 64;
/// The definition file is missing or invalid.
pub const BAD_DEFINITION: u8 = 65;
/// The state file cannot be read or written (corrupt, newer schema, not ours, I/O).
pub const BAD_STATE: u8 = 74;
/// Another process held the state lock for longer than --lock-timeout.
pub const LOCKED: u8 = 75;

/// The projected monthly cost is above the budget.
#[derive(Debug, thiserror::Error)]
#[error("over budget: projected monthly cost {projected} is {over} above the budget of {budget} ({from})")]
pub struct OverBudget {
    pub projected: String,
    pub budget: String,
    pub over: String,
    /// Where the budget comes from: `--max-monthly` or `budget.maxMonthly in FILE`.
    pub from: String,
}

/// A flag's value is malformed (a duration, a time, an amount, a load spec): a wrong command
/// line, like the ones clap rejects, so it exits with [`USAGE`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The exit code for an error, from its type.
#[must_use]
pub fn code_for(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if cause.is::<DefinitionError>() {
            return ExitCode::from(BAD_DEFINITION);
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return ExitCode::from(if matches!(e, StoreError::LockTimeout { .. }) { LOCKED } else { BAD_STATE });
        }
        if cause.is::<UsageError>() {
            return ExitCode::from(USAGE);
        }
        if cause.is::<OverBudget>() {
            return ExitCode::from(OVER_BUDGET);
        }
        if cause.is::<EngineError>() {
            return ExitCode::from(FAILED);
        }
    }
    ExitCode::from(FAILED)
}
