//! Simulation inputs and records: load sources, metric history, and what a run recorded.

pub mod load;
pub mod metrics;
pub mod record;
pub mod trace;
pub mod wiring;
