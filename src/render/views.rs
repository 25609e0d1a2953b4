//! What commands print, as plain data: the JSON documents of the contract (camelCase keys,
//! money as decimal strings) and the rows the tables show are built from the same views.

use serde::Serialize;

use crate::cost::catalog::Catalog;
use crate::cost::money::Money;
use crate::cost::rates::{self, Component};
use crate::model::enums::{Health, PowerState, Priority, ProvisioningState};
use crate::model::names;
use crate::model::state::{ScaleSet, State};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceView {
    pub instance_id: String,
    pub name: String,
    pub computer_name: String,
    pub zone: Option<String>,
    pub fault_domain: u8,
    pub priority: Priority,
    pub power_state: PowerState,
    pub provisioning_state: ProvisioningState,
    pub health: Health,
    pub model_version: u32,
    pub latest_model_applied: bool,
    pub protect_from_scale_in: bool,
    pub protect_from_scale_set_actions: bool,
    pub created_at: jiff::Timestamp,
    pub sku: String,
}

#[must_use]
pub fn instances(set: &ScaleSet) -> Vec<InstanceView> {
    let name = &set.config.name;
    let mode = set.config.orchestration_mode;
    set.instances
        .iter()
        .map(|i| InstanceView {
            instance_id: i.id.to_string(),
            name: names::instance_name(name, mode, i.id),
            computer_name: names::computer_name(&set.config.computer_name_prefix, i.id),
            zone: i.zone.map(|z| z.to_string()),
            fault_domain: i.fault_domain,
            priority: i.priority,
            power_state: i.power_state,
            provisioning_state: i.provisioning_state,
            health: i.health,
            model_version: i.model_version,
            latest_model_applied: i.model_version == set.model_version,
            protect_from_scale_in: i.protect_from_scale_in,
            protect_from_scale_set_actions: i.protect_from_scale_set_actions,
            created_at: i.created_at,
            sku: set.model(i.model_version).map_or_else(String::new, |m| m.sku.clone()),
        })
        .collect()
}

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
    pub hourly_cost: Money,
    pub monthly_cost: Money,
    pub accrued_cost: Money,
}

/// # Errors
/// A price is missing.
pub fn set_view(set: &ScaleSet, catalog: &Catalog) -> Result<SetView, crate::cost::catalog::PriceError> {
    let rate = rates::set_rate(catalog, set)?;
    let model = set.current_model();
    Ok(SetView {
        name: set.config.name.clone(),
        capacity: set.capacity,
        instance_count: set.instances.len(),
        running_count: set.instances.iter().filter(|i| i.power_state == PowerState::Running).count(),
        region: set.config.region.clone(),
        sku: model.sku.clone(),
        os: model.os.to_string(),
        orchestration_mode: set.config.orchestration_mode.to_string(),
        zones: set.config.zone_names(),
        model_version: set.model_version,
        outdated_count: set.instances.iter().filter(|i| i.model_version != set.model_version).count(),
        upgrade_mode: set.config.upgrade_policy.mode.to_string(),
        autoscale: set.config.autoscale.as_ref().is_some_and(|a| a.enabled),
        hourly_cost: rate.per_hour(),
        monthly_cost: rate.per_month(),
        accrued_cost: set.accrued.money(),
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentView {
    pub name: String,
    pub unit: &'static str,
    pub quantity: u64,
    pub price: Money,
    pub hourly_cost: Money,
    pub monthly_cost: Money,
}

impl From<&Component> for ComponentView {
    fn from(c: &Component) -> Self {
        Self {
            name: c.name.clone(),
            unit: c.unit,
            quantity: c.quantity,
            price: c.price,
            hourly_cost: c.rate.per_hour(),
            monthly_cost: c.rate.per_month(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCostView {
    pub name: String,
    pub hourly_cost: Money,
    pub monthly_cost: Money,
    pub accrued_cost: Money,
    pub components: Vec<ComponentView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostView {
    pub currency: &'static str,
    pub clock: jiff::Timestamp,
    pub total_hourly_cost: Money,
    pub total_monthly_cost: Money,
    pub accrued_cost: Money,
    pub scale_sets: Vec<SetCostView>,
    /// Where the prices come from: the built-in catalog, then any imported export.
    pub price_sources: Vec<String>,
    /// The budget checked, when one applies (`--max-monthly` or the definition's `budget`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<super::cost::BudgetView>,
    /// `cost --commitments`: what-if estimates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitments: Option<super::cost::CommitmentsView>,
}

/// The cost report of the selected sets (all when `only` is empty). The accrued total of the
/// whole state includes deleted sets only when no selection is made.
///
/// # Errors
/// A price is missing.
pub fn cost(state: &State, only: &[String], catalog: &Catalog) -> Result<CostView, crate::cost::catalog::PriceError> {
    let mut sets = Vec::new();
    let mut total = crate::cost::accrual::Rate::ZERO;
    let mut accrued = Money::ZERO;
    for set in state.scale_sets.iter().filter(|s| only.is_empty() || only.contains(&s.config.name)) {
        let comps = rates::components(catalog, set)?;
        let rate: crate::cost::accrual::Rate = comps.iter().map(|c| c.rate).sum();
        total += rate;
        accrued += set.accrued.money();
        sets.push(SetCostView {
            name: set.config.name.clone(),
            hourly_cost: rate.per_hour(),
            monthly_cost: rate.per_month(),
            accrued_cost: set.accrued.money(),
            components: comps.iter().map(ComponentView::from).collect(),
        });
    }
    if only.is_empty() {
        accrued += state.retired_accrued.money();
    }
    Ok(CostView {
        currency: "USD",
        clock: state.clock,
        total_hourly_cost: total.per_hour(),
        total_monthly_cost: total.per_month(),
        accrued_cost: accrued,
        scale_sets: sets,
        price_sources: catalog.sources().to_vec(),
        budget: None,
        commitments: None,
    })
}
