//! `list`: one row per scale set, with its run rate.

use serde::Serialize;

use crate::cost::catalog::Catalog;
use crate::cost::rates;
use crate::model::accrual::Rate;
use crate::model::enums::PowerState;
use crate::model::money::Money;
use crate::model::set_summary::SetSummary;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetView {
    pub name: String,
    pub capacity: u32,
    pub instance_count: usize,
    pub running_count: usize,
    pub region: String,
    pub sku: String,
    pub os: String,
    pub orchestration_mode: String,
    pub zones: Vec<String>,
    pub model_version: u32,
    pub outdated_count: usize,
    pub upgrade_mode: String,
    pub autoscale: bool,
    #[serde(serialize_with = "crate::model::money::json::micros")]
    pub hourly_cost: Money,
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_cost: Money,
    #[serde(serialize_with = "crate::model::money::json::micros")]
    pub accrued_cost: Money,
}

/// The row of a set read as a summary (`list` reads no more than that).
///
/// # Errors
/// A price is missing.
pub fn set_view(set: &SetSummary, catalog: &Catalog) -> Result<SetView, crate::cost::catalog::PriceError> {
    let rate: Rate = rates::summary_components_at(catalog, set, rates::Basis::Now)?.iter().map(|c| c.rate).sum();
    let model = set.current_model();
    Ok(SetView {
        name: set.config.name.clone(),
        capacity: set.capacity,
        instance_count: usize::try_from(set.vm_count()).unwrap_or(usize::MAX),
        running_count: usize::try_from(set.count_in(PowerState::Running)).unwrap_or(usize::MAX),
        region: set.config.region.clone(),
        sku: model.sku.clone(),
        os: model.os.to_string(),
        orchestration_mode: set.config.orchestration_mode.to_string(),
        zones: set.config.zone_names(),
        model_version: set.model_version,
        outdated_count: usize::try_from(set.outdated()).unwrap_or(usize::MAX),
        upgrade_mode: set.config.upgrade_policy.mode.to_string(),
        autoscale: set.config.autoscale.as_ref().is_some_and(|a| a.enabled),
        hourly_cost: rate.per_hour(),
        monthly_cost: rate.per_month(),
        accrued_cost: set.accrued.money(),
    })
}
