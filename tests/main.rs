//! The integration suite, one test binary (linking six took most of `cargo test` on two cores).
//! Black-box tests run the `scaleset` binary in a fresh directory per test through the one kit
//! in `support`; a few drive the library directly where that is much faster.
//!
//! - `cli`: commands, exit codes, tables, plan/apply, state safety, property tests;
//! - `lifecycle`, `autoscale`, `cost`: the behaviours of the reference, end to end;
//! - `hostile`: bad definitions, bad states, a hostile filesystem, fuzzer regressions;
//! - `torture`: processes killed mid-write, many at once, lock waits (long form:
//!   `SCALESET_TORTURE=long cargo test --release torture:: -- --nocapture`);
//! - `sweep`: the cost vs. unserved-demand sweep of autoscale settings;
//! - `team_state`: the state in Azure Blob Storage, against Azurite (installed with npm on
//!   first use, started per test);
//! - `architecture`: the module layers of the crate hold.

mod support;

mod architecture;
mod autoscale;
mod cli;
mod cost;
mod hostile;
mod lifecycle;
mod prices_update;
mod readme_tour;
mod report_browser;
mod sweep;
mod team_state;
mod torture;
