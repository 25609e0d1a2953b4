//! `cost`: the breakdown per set and component (run rate, 730-hour month, accrued).

use serde::Serialize;

use crate::cost::catalog::Catalog;
use crate::cost::rates::{self, Component};
use crate::model::money::Money;
use crate::model::set_summary::SetSummary;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentView {
    pub name: String,
    pub unit: &'static str,
    pub quantity: u64,
    #[serde(serialize_with = "crate::model::money::json::micros")]
    pub price: Money,
    #[serde(serialize_with = "crate::model::money::json::micros")]
    pub hourly_cost: Money,
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_cost: Money,
    /// Where the price comes from: `catalog`, `cache`, `export`, `estimate` or `at most`.
    pub source: &'static str,
}

/// How an estimated VM price was derived, named on the "Prices:" line whenever one is used.
pub const VM_ESTIMATE_RULE: &str =
    "estimates (a Windows price: the Linux price + the size family's median Windows licence per vCPU)";
/// How an estimated disk price was derived.
pub const DISK_ESTIMATE_RULE: &str = "estimates (a disk tier: its price elsewhere scaled to this region's disk prices, or as where VM prices are most alike)";

impl CostView {
    /// Adds the rule of each kind of estimate shown to the price sources, so a derived figure
    /// is never presented as a quote.
    pub fn name_estimates(&mut self) {
        let estimate = crate::cost::catalog::source::ESTIMATE;
        let now = self.scale_sets.iter().flat_map(|s| &s.components);
        let defined = self.defined.iter().flat_map(|d| &d.scale_sets).flat_map(|s| &s.components);
        let estimated: Vec<&ComponentView> = now.chain(defined).filter(|c| c.source == estimate).collect();
        for (rule, disk) in [(VM_ESTIMATE_RULE, false), (DISK_ESTIMATE_RULE, true)] {
            let is_disk = |c: &&&ComponentView| c.name.starts_with("OS disk") || c.name.starts_with("Data disks");
            let used = estimated.iter().any(|c| is_disk(&c) == disk);
            if used && !self.price_sources.iter().any(|s| s == rule) {
                self.price_sources.push(rule.to_owned());
            }
        }
    }
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
            source: c.source,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCostView {
    pub name: String,
    #[serde(serialize_with = "crate::model::money::json::micros")]
    pub hourly_cost: Money,
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_cost: Money,
    #[serde(serialize_with = "crate::model::money::json::micros")]
    pub accrued_cost: Money,
    pub components: Vec<ComponentView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostView {
    pub currency: &'static str,
    pub clock: jiff::Timestamp,
    #[serde(serialize_with = "crate::model::money::json::micros")]
    pub total_hourly_cost: Money,
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub total_monthly_cost: Money,
    #[serde(serialize_with = "crate::model::money::json::micros")]
    pub accrued_cost: Money,
    pub scale_sets: Vec<SetCostView>,
    /// Where the prices come from: the built-in catalog, then any imported export.
    pub price_sources: Vec<String>,
    /// The budget checked, when one applies (`--max-monthly` or the definition's `budget`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<super::budget::BudgetView>,
    /// `cost --commitments`: what-if estimates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitments: Option<super::budget::CommitmentsView>,
    /// The definition as written, priced (when there is a definition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defined: Option<super::defined::DefinedCost>,
    /// Whether a state exists (without one, nothing runs and the definition is what is priced).
    #[serde(skip)]
    pub has_state: bool,
}

/// What the cost report reads of a state: its sets as summaries, its clock, and the cost
/// accrued by sets since deleted.
pub struct Read<'a> {
    pub sets: &'a [SetSummary],
    pub clock: jiff::Timestamp,
    pub retired_accrued: Money,
}

/// The cost report of the selected sets (all when `only` is empty). The accrued total of the
/// whole state includes deleted sets only when no selection is made.
///
/// # Errors
/// A price is missing.
pub fn cost(read: &Read<'_>, only: &[String], catalog: &Catalog) -> Result<CostView, crate::cost::catalog::PriceError> {
    let mut sets = Vec::new();
    let mut total = crate::model::accrual::Rate::ZERO;
    let mut accrued = Money::ZERO;
    for set in read.sets.iter().filter(|s| only.is_empty() || only.contains(&s.config.name)) {
        let comps = rates::summary_components_at(catalog, set, rates::Basis::Now)?;
        let rate: crate::model::accrual::Rate = comps.iter().map(|c| c.rate).sum();
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
        accrued += read.retired_accrued;
    }
    Ok(CostView {
        currency: "USD",
        clock: read.clock,
        total_hourly_cost: total.per_hour(),
        total_monthly_cost: total.per_month(),
        accrued_cost: accrued,
        scale_sets: sets,
        price_sources: catalog.sources().to_vec(),
        budget: None,
        commitments: None,
        defined: None,
        has_state: true,
    })
}
