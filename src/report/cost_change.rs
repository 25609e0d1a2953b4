//! `plan`'s monthly cost change: the state priced before and after the plan, on a copy.
//!
//! Guarantee: the "old" and "new" monthly costs price the sets as they will be once pending
//! operations finish ([`rates::Basis::Settled`]), so a plan with no change shows no cost change.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::cost::catalog::Catalog;
use crate::cost::rates;
use crate::engine::plan::{self as planner, Change};
use crate::model::money::Money;
use crate::model::state::State;
use crate::spec::SetDefinition;

use super::budget::BudgetView;

/// One set's line in the plan's cost change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCostChangeView {
    /// The set.
    pub name: String,
    /// `create`, `update` or `delete`.
    pub action: &'static str,
    /// Monthly cost now (settled).
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub old_monthly_cost: Money,
    /// Monthly cost after apply (settled).
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub new_monthly_cost: Money,
    /// new - old.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_cost_change: Money,
}

/// `plan`'s monthly cost change (`costChange` in `plan -o json`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostChangeView {
    /// Always USD.
    pub currency: &'static str,
    /// How the figures are taken.
    pub basis: &'static str,
    /// Monthly cost of every set in the state now.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub old_monthly_cost: Money,
    /// Monthly cost of every set once the plan is applied.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub new_monthly_cost: Money,
    /// new - old.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_cost_change: Money,
    /// Sets whose cost changes, in name order.
    pub scale_sets: Vec<SetCostChangeView>,
    /// The definition's budget checked against the new monthly cost, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetView>,
}

/// What the plan basis means, for JSON and text.
pub const PLAN_BASIS: &str = "730-hour month, priced as if every pending operation had finished and every VM ran \
     the latest model";

/// Why the cost change of a plan is unknown.
#[derive(Debug, thiserror::Error)]
pub enum CostChangeError {
    /// The plan cannot be applied (e.g. a scale-in blocked by protection).
    #[error("the plan cannot be applied: {0}")]
    NotApplicable(crate::engine::EngineError),
    /// A price is missing.
    #[error(transparent)]
    Price(#[from] crate::cost::catalog::PriceError),
}

/// Prices the state before and after applying `changes` (on a copy; nothing is written).
///
/// # Errors
/// The plan cannot be applied (e.g. a scale-in blocked by protection) or a price is missing:
/// the message says which.
pub fn cost_change(
    state: Option<&State>,
    defs: &[SetDefinition],
    changes: &[Change],
    catalog: &Catalog,
) -> Result<CostChangeView, CostChangeError> {
    let empty = State::new(0, jiff::Timestamp::UNIX_EPOCH);
    let before = state.unwrap_or(&empty);
    let mut after = before.clone();
    let now = after.clock;
    planner::apply(&mut after, defs, changes, now).map_err(CostChangeError::NotApplicable)?;
    let old = rates::settled_monthly(catalog, before)?;
    let new = rates::settled_monthly(catalog, &after)?;
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut sets = Vec::new();
    for name in names {
        let (action, a, b) = match (old.get(name), new.get(name)) {
            (None, Some(b)) => ("create", Money::ZERO, *b),
            (Some(a), None) => ("delete", *a, Money::ZERO),
            (Some(a), Some(b)) if a != b => ("update", *a, *b),
            _ => continue,
        };
        sets.push(SetCostChangeView {
            name: name.clone(),
            action,
            old_monthly_cost: a,
            new_monthly_cost: b,
            monthly_cost_change: b - a,
        });
    }
    let old_total: Money = old.values().sum();
    let new_total: Money = new.values().sum();
    Ok(CostChangeView {
        currency: "USD",
        basis: PLAN_BASIS,
        old_monthly_cost: old_total,
        new_monthly_cost: new_total,
        monthly_cost_change: new_total - old_total,
        scale_sets: sets,
        budget: None,
    })
}
