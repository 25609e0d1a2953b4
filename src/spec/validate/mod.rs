//! From the definition as written to resolved scale set configurations.
//!
//! Applies Azure's defaults and checks every rule the reference documents: names, limits per
//! orchestration mode, zones and fault domains, policies, Spot and priority mix, repairs and
//! autoscale ranges. It never stops at the first problem: the user sees all of them at once.
//! Prices are checked here too (a size, region or OS with no price is an error), against the
//! catalog in force, so a valid definition can always be priced.
//!
//! One file per concept: `set` (the set's own keys), `network`, `autoscale` (profiles and
//! schedules), `rule` (metric rules, shorthand and Azure's shape), `load`.

use std::collections::BTreeSet;

use crate::cost::catalog::{Catalog, Os};
use crate::model::autoscale::{
    Autoscale, CapacityRange, Day, Direction, Profile, Rule, ScaleType, Schedule, Statistic, TimeAggregation,
};
use crate::model::config::{
    AutomaticRepairs, DataDisks, LoadBalancer, PriorityMix, RollingUpgradePolicy, ScaleSetConfig, UpgradePolicy,
    VmModel,
};
use crate::model::duration::Duration;
use crate::model::enums::{
    EvictionPolicy, OrchestrationMode, OsType, Priority, RepairAction, ScaleInRule, UpgradeMode,
};
use crate::model::names;
use crate::model::timezone;
use crate::suggest;

use super::condition::{parse_aggregation, parse_condition, parse_scale, parse_statistic, parse_time_grain};
use super::problem::Problem;
use super::raw::{RawAutoscale, RawDefinition, RawProfile, RawRule, RawScaleSet};

/// A validated scale set: its configuration and the capacity the definition asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct SetDefinition {
    pub config: ScaleSetConfig,
    pub capacity: u32,
    /// What validation read differently from how it was written (a region's display name, a
    /// size in another case), for the shell to tell the user.
    pub notes: Vec<String>,
}

/// Default image per OS when the definition gives none.
pub const DEFAULT_LINUX_IMAGE: &str = "Canonical:ubuntu-24_04-lts:server:latest";
pub const DEFAULT_WINDOWS_IMAGE: &str = "MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest";
/// `az vmss create --instance-count` defaults to 2.
pub const DEFAULT_CAPACITY: u32 = 2;
/// How long a new VM stays Creating when the definition does not say.
pub const DEFAULT_PROVISIONING_TIME: Duration = Duration::from_mins(2);

mod autoscale;
mod load;
mod network;
mod rule;
mod set;
#[cfg(test)]
mod tests;

use autoscale::validate_autoscale;
use load::validate_load;
use network::validate_network;
use rule::validate_rule;
pub use set::default_disk_tier;
use set::validate_set;

/// Collects problems for one scale set.
struct Checker<'a> {
    set: String,
    index: usize,
    problems: &'a mut Vec<Problem>,
    /// What was read differently from how it was written, for the shell to tell the user.
    notes: Vec<String>,
}

impl Checker<'_> {
    fn note(&mut self, field: &str, message: impl std::fmt::Display) {
        self.notes.push(format!("scale set '{}': {field}: {message}", self.set));
    }

    fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            position: None,
            scale_set: Some(self.set.clone()),
            set_index: Some(self.index),
            field: Some(field.into()),
            message: message.into(),
        });
    }

    /// An integer within an inclusive range, or a problem and `None`.
    fn int_in<T: TryFrom<i64> + Copy>(&mut self, field: &str, value: Option<i64>, default: T, lo: i64, hi: i64) -> T {
        match value {
            None => default,
            Some(v) if (lo..=hi).contains(&v) => T::try_from(v).unwrap_or(default),
            Some(v) => {
                self.problem(field, format!("{v} is out of range (accepted: {lo} to {hi})"));
                default
            }
        }
    }
}

/// Validates a whole definition against a price catalog.
///
/// # Errors
/// Every problem found, in file order.
pub fn validate(raw: &RawDefinition, catalog: &Catalog) -> Result<Vec<SetDefinition>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (index, raw_set) in raw.scale_sets.iter().enumerate() {
        let lower = raw_set.name.to_ascii_lowercase();
        if seen.contains(&lower) {
            problems.push(Problem {
                position: None,
                scale_set: Some(raw_set.name.clone()),
                set_index: Some(index),
                field: Some("name".into()),
                message: "duplicate scale set name (names are case-insensitive, as in Azure)".into(),
            });
        }
        seen.push(lower);
        if let Some(set) = validate_set(raw_set, index, catalog, &mut problems) {
            sets.push(set);
        }
    }
    if problems.is_empty() { Ok(sets) } else { Err(problems) }
}
