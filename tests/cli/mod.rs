//! The black-box test suite: the `scaleset` binary run in a fresh directory per test, with a
//! fixed clock and seed; exit codes, stdout, stderr and the state file are all checked. The
//! property tests at the end drive the engine through the library, which is much faster.

mod commands;
mod concurrency;
mod determinism;
mod exit_codes;
mod import;
mod json_documents;
mod plan_apply;
mod props;
mod scaling;
mod state_safety;
mod state_scoped;
mod tables;
mod validate;
