//! The "defined" cost basis: what the definition as written costs a month (730 hours), as
//! `infracost breakdown` prices a design before anything runs. Each set at its defined
//! capacity, every VM running its model, with its disks and network; an autoscaled set at its
//! default profile's default capacity, with the monthly cost at the autoscale minimum and
//! maximum beside it. The budget gate counts an autoscaled set at its maximum: the worst case
//! the design allows.

use serde::Serialize;

use crate::cost::catalog::{Catalog, PriceError};
use crate::cost::rates::{self, Basis, Component};
use crate::engine::{EngineError, capacity};
use crate::model::accrual::Rate;
use crate::model::autoscale::Schedule;
use crate::model::money::Money;
use crate::spec::SetDefinition;

/// Why a definition cannot be priced.
#[derive(Debug, thiserror::Error)]
pub enum DefinedCostError {
    #[error(transparent)]
    Price(#[from] PriceError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// The autoscale range of a set and what its ends cost.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoscaleRange {
    pub minimum: u32,
    pub maximum: u32,
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub min_monthly_cost: Money,
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub max_monthly_cost: Money,
}

/// One defined set.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DefinedSetCost {
    pub name: String,
    /// The capacity priced: the definition's, or the default profile's default when autoscaled.
    pub capacity: u32,
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_cost: Money,
    /// For a set with an enabled autoscale setting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<AutoscaleRange>,
    /// The components at `capacity`.
    pub components: Vec<super::cost::ComponentView>,
}

impl DefinedSetCost {
    /// The monthly cost in the worst case the design allows (an autoscaled set at its maximum).
    #[must_use]
    pub fn worst_case(&self) -> Money {
        self.autoscale.as_ref().map_or(self.monthly_cost, |a| a.max_monthly_cost)
    }
}

/// The definition's cost.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DefinedCost {
    /// Every selected set at its defined capacity.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_cost: Money,
    /// Autoscaled sets at their maximum: what the budget gate checks.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub worst_case_monthly_cost: Money,
    pub scale_sets: Vec<DefinedSetCost>,
}

/// The components of `def` at `capacity`, priced as running.
fn components_at(def: &SetDefinition, capacity: u32, catalog: &Catalog) -> Result<Vec<Component>, DefinedCostError> {
    let mut def = def.clone();
    def.capacity = capacity;
    let (set, _) = capacity::create_set(&def, jiff::Timestamp::UNIX_EPOCH)?;
    Ok(rates::components_at(catalog, &set, Basis::Settled)?)
}

fn monthly(components: &[Component]) -> Money {
    components.iter().map(|c| c.rate).sum::<Rate>().per_month()
}

/// Prices the selected sets of a definition (all when `only` is empty).
///
/// # Errors
/// A price is missing, or a set cannot be built at a capacity of its range.
pub fn defined_cost(
    defs: &[SetDefinition],
    only: &[String],
    catalog: &Catalog,
) -> Result<DefinedCost, DefinedCostError> {
    let mut sets = Vec::new();
    for def in defs.iter().filter(|d| only.is_empty() || only.contains(&d.config.name)) {
        let autoscale = def.config.autoscale.as_ref().filter(|a| a.enabled && !a.profiles.is_empty());
        let capacity = autoscale.map_or(def.capacity, |a| {
            let default = a.profiles.iter().find(|p| p.schedule == Schedule::Default).unwrap_or(&a.profiles[0]);
            default.capacity.default
        });
        let components = components_at(def, capacity, catalog)?;
        let range = match autoscale {
            None => None,
            Some(a) => {
                let minimum = a.profiles.iter().map(|p| p.capacity.minimum).min().unwrap_or(capacity);
                let maximum = a.profiles.iter().map(|p| p.capacity.maximum).max().unwrap_or(capacity);
                Some(AutoscaleRange {
                    minimum,
                    maximum,
                    min_monthly_cost: monthly(&components_at(def, minimum, catalog)?),
                    max_monthly_cost: monthly(&components_at(def, maximum, catalog)?),
                })
            }
        };
        sets.push(DefinedSetCost {
            name: def.config.name.clone(),
            capacity,
            monthly_cost: monthly(&components),
            autoscale: range,
            components: components.iter().map(super::cost::ComponentView::from).collect(),
        });
    }
    sets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(DefinedCost {
        monthly_cost: sets.iter().map(|s| s.monthly_cost).sum(),
        worst_case_monthly_cost: sets.iter().map(DefinedSetCost::worst_case).sum(),
        scale_sets: sets,
    })
}
