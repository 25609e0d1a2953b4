//! Exit codes, decided in one place. Scripts rely on them; the README lists them.

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
/// The change was committed (the state has a new serial) but its output could not be
/// written: do not run the command again.
pub const COMMITTED_NOT_PRINTED: u8 = 73;
/// The command line is wrong (unknown flag, missing argument).
pub const USAGE: u8 = 64;
/// The definition file is missing or invalid.
pub const BAD_DEFINITION: u8 = 65;
/// The state file cannot be read or written (corrupt, newer schema, not ours, I/O).
pub const BAD_STATE: u8 = 74;
/// Another process held the state lock for longer than --lock-timeout (or committed a change
/// between this command's read and its write: run it again).
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

/// Printing failed after the state was committed.
#[derive(Debug, thiserror::Error)]
#[error(
    "the change was committed (state serial {serial}) but its output could not be written ({error}); \
     do not run the command again: read the result with `scaleset events` or `list`"
)]
pub struct CommittedNotPrinted {
    pub serial: u64,
    pub error: std::io::Error,
}

/// A flag's value is malformed (a duration, a time, an amount, a load spec): a wrong command
/// line, like the ones clap rejects, so it exits with [`USAGE`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Why a command ended without success, as the shell reports it: each kind carries its exit
/// code, decided here once from the error's type (the first recognised cause in its chain).
#[derive(Debug)]
pub enum Failure {
    /// stdout was closed by the reader (`scaleset list | head -1`): not worth a word, exit 0.
    BrokenPipe,
    /// A malformed command line or flag value: [`USAGE`].
    Usage(anyhow::Error),
    /// The definition is missing or invalid: [`BAD_DEFINITION`].
    Definition(anyhow::Error),
    /// The state file cannot be used: [`BAD_STATE`].
    State(anyhow::Error),
    /// Another process held the lock too long, or committed first: [`LOCKED`].
    Locked(anyhow::Error),
    /// The budget gate: [`OVER_BUDGET`].
    OverBudget(anyhow::Error),
    /// Refused or failed: [`FAILED`].
    Refused(anyhow::Error),
    /// Committed, but the output could not be written: [`COMMITTED_NOT_PRINTED`].
    CommittedNotPrinted(anyhow::Error),
}

impl Failure {
    /// The process exit code.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::BrokenPipe => OK,
            Failure::Usage(_) => USAGE,
            Failure::Definition(_) => BAD_DEFINITION,
            Failure::State(_) => BAD_STATE,
            Failure::Locked(_) => LOCKED,
            Failure::OverBudget(_) => OVER_BUDGET,
            Failure::Refused(_) => FAILED,
            Failure::CommittedNotPrinted(_) => COMMITTED_NOT_PRINTED,
        }
    }

    /// The error and its causes, one "caused by" line each; `None` for a closed pipe.
    #[must_use]
    pub fn message(&self) -> Option<String> {
        let err = match self {
            Failure::BrokenPipe => return None,
            Failure::Usage(e)
            | Failure::Definition(e)
            | Failure::State(e)
            | Failure::Locked(e)
            | Failure::OverBudget(e)
            | Failure::Refused(e)
            | Failure::CommittedNotPrinted(e) => e,
        };
        let mut message = err.to_string();
        for cause in err.chain().skip(1) {
            message.push_str(&format!("\n  caused by: {cause}"));
        }
        Some(message)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Self {
        // A closed pipe (with -o json the io::Error arrives wrapped in serde_json's error).
        let broken_pipe = |c: &(dyn std::error::Error + 'static)| {
            c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                || c.downcast_ref::<serde_json::Error>()
                    .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
        };
        if err.chain().any(|c| c.is::<CommittedNotPrinted>()) {
            return Failure::CommittedNotPrinted(err);
        }
        if err.chain().any(broken_pipe) {
            return Failure::BrokenPipe;
        }
        for cause in err.chain() {
            if cause.is::<DefinitionError>() || cause.is::<crate::import::ImportError>() {
                return Failure::Definition(err);
            }
            if let Some(e) = cause.downcast_ref::<StoreError>() {
                return match e {
                    StoreError::LockTimeout { .. } | StoreError::Conflict { .. } => Failure::Locked(err),
                    StoreError::BadLocation { .. } => Failure::Usage(err),
                    _ => Failure::State(err),
                };
            }
            if cause.is::<UsageError>() {
                return Failure::Usage(err);
            }
            if cause.is::<OverBudget>() {
                return Failure::OverBudget(err);
            }
            if cause.is::<EngineError>() {
                return Failure::Refused(err);
            }
        }
        Failure::Refused(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_error_has_its_code() {
        let code = |e: anyhow::Error| Failure::from(e).exit_code();
        assert_eq!(code(UsageError("x".into()).into()), USAGE);
        assert_eq!(code(anyhow::Error::new(UsageError("x".into())).context("while parsing")), USAGE);
        let locked =
            StoreError::LockTimeout { path: "s".into(), waited: std::time::Duration::from_secs(1), holder: "h".into() };
        assert_eq!(code(locked.into()), LOCKED);
        assert_eq!(code(anyhow::anyhow!("anything else")), FAILED);
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(code(pipe.into()), OK);
        assert_eq!(Failure::from(anyhow::anyhow!("a").context("b")).message().unwrap(), "b\n  caused by: a");
    }
}
