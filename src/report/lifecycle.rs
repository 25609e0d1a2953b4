//! `rolling-upgrade status NAME` and `repairs status NAME`: the state of a set's rolling
//! upgrade and of its automatic repairs service.

use serde::Serialize;

use crate::engine::repair;
use crate::model::state::ScaleSet;

/// `rolling-upgrade status NAME -o json`, as the contract names the keys.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RollingStatusView {
    pub name: String,
    pub status: Option<String>,
    pub successful_instance_count: usize,
    pub failed_instance_count: usize,
    pub in_progress_instance_count: usize,
    pub pending_instance_count: usize,
    pub target_model_version: Option<u32>,
    pub batches: u32,
    pub started_at: Option<jiff::Timestamp>,
    pub ended_at: Option<jiff::Timestamp>,
    pub last_action: Option<String>,
    pub error: Option<String>,
}

impl RollingStatusView {
    /// The status of the set's latest rolling upgrade (all counts 0 when none has run).
    #[must_use]
    pub fn of(set: &ScaleSet) -> Self {
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
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepairsView {
    pub name: String,
    pub enabled: bool,
    pub service_state: String,
    pub grace_period: String,
    pub repair_action: String,
    pub consecutive_failures: u32,
    pub max_concurrent_repairs: usize,
}

impl RepairsView {
    /// The automatic repairs policy and service state of a set.
    #[must_use]
    pub fn of(set: &ScaleSet) -> Self {
        let p = set.config.automatic_repairs;
        Self {
            name: set.config.name.clone(),
            enabled: p.enabled,
            service_state: set.repairs.service_state.to_string(),
            grace_period: p.grace_period.to_string(),
            repair_action: p.repair_action.to_string(),
            consecutive_failures: set.repairs.consecutive_failures,
            max_concurrent_repairs: repair::concurrency(set.instances.len()),
        }
    }
}
