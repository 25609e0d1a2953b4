//! The budget check of `cost` and the commitment what-if of `cost --commitments`.
//!
//! Guarantees: every figure is exact [`Money`]; commitment figures are always labelled as
//! estimates at typical discounts.

use serde::Serialize;

use crate::cost::catalog::{Catalog, PriceError};
use crate::cost::rates;
use crate::model::money::Money;
use crate::model::set_summary::SetSummary;

/// How commitment figures are labelled, in tables and JSON.
pub const ESTIMATE_NOTE: &str = "estimate (typical discount): reservations and savings plans at the typical \
     observed discounts, applied to regular compute billed at the Linux rate only (not Spot, Windows licences, \
     disks or network)";

/// The budget a `cost` run is checked against, and how it compares.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetView {
    /// The budget, USD per 730-hour month.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub max_monthly: Money,
    /// Where it comes from: `--max-monthly` or `budget.maxMonthly in FILE`.
    pub source: String,
    /// What was compared: `defined`, `now` or `simulated` (`cost --basis`); `plan` compares
    /// the state after the plan.
    pub basis: &'static str,
    /// The projected monthly cost it is compared with.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub projected_monthly_cost: Money,
    /// Whether the projection is above the budget.
    pub over_budget: bool,
    /// How much above (zero when within).
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub amount_over: Money,
}

impl BudgetView {
    /// Compares `projected` with `max_monthly`.
    #[must_use]
    pub fn new(max_monthly: Money, source: String, basis: &'static str, projected: Money) -> Self {
        let over_budget = projected > max_monthly;
        BudgetView {
            max_monthly,
            source,
            basis,
            projected_monthly_cost: projected,
            over_budget,
            amount_over: if over_budget { projected - max_monthly } else { Money::ZERO },
        }
    }

    /// Two lines for the table output: the budget and the verdict, then what it was checked
    /// against.
    #[must_use]
    pub fn line(&self) -> String {
        let against = match self.basis {
            "defined" => "the defined cost (autoscaled sets at their maximum)",
            "now" => "the run rate now",
            "simulated" => "30 simulated days of the definition's load",
            _ => "the monthly cost after the plan",
        };
        let verdict = if self.over_budget {
            format!("OVER by {}", self.amount_over.format_usd())
        } else {
            format!("within budget, {} to spare", (self.max_monthly - self.projected_monthly_cost).format_usd())
        };
        format!(
            "Budget: {} a month ({}): {verdict}\n  checked against {against}: {}",
            self.max_monthly.format_usd(),
            self.source,
            self.projected_monthly_cost.format_usd()
        )
    }
}

/// One commitment's figures.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitmentOptionView {
    /// `reservation1Year`, `reservation3Years`, `savingsPlan1Year`, `savingsPlan3Years`.
    pub commitment: &'static str,
    /// E.g. "1-year reservation".
    pub label: &'static str,
    /// The typical discount assumed, in percent.
    pub discount_percent: u32,
    /// The whole monthly cost with the eligible compute discounted.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_cost: Money,
    /// What it would save a month.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub monthly_savings: Money,
}

/// The what-if figures of one set, or of the total.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCommitmentsView {
    /// The set's name, or "total".
    pub name: String,
    /// Monthly cost of the compute a commitment could cover.
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub eligible_monthly_cost: Money,
    /// Monthly cost at pay-as-you-go prices (the breakdown's monthly cost).
    #[serde(serialize_with = "crate::model::money::json::cents")]
    pub pay_as_you_go_monthly_cost: Money,
    /// One entry per commitment.
    pub options: Vec<CommitmentOptionView>,
}

/// `cost --commitments`: estimates only.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitmentsView {
    /// Always [`ESTIMATE_NOTE`]: these are not quotes.
    pub note: &'static str,
    /// Per selected set.
    pub scale_sets: Vec<SetCommitmentsView>,
    /// Sums of the sets' figures.
    pub total: SetCommitmentsView,
}

fn options(total: Money, eligible: Money) -> Vec<CommitmentOptionView> {
    rates::commitment_estimates(total, eligible)
        .into_iter()
        .map(|e| CommitmentOptionView {
            commitment: e.commitment.id(),
            label: e.commitment.label(),
            discount_percent: e.commitment.typical_discount_percent(),
            monthly_cost: e.monthly_cost,
            monthly_savings: e.monthly_savings,
        })
        .collect()
}

/// The commitment what-if of the selected sets (all when `only` is empty), from their current
/// run rate.
///
/// # Errors
/// A price is missing.
pub fn commitments(
    sets_read: &[SetSummary],
    only: &[String],
    catalog: &Catalog,
) -> Result<CommitmentsView, PriceError> {
    let mut sets = Vec::new();
    for set in sets_read.iter().filter(|s| only.is_empty() || only.contains(&s.config.name)) {
        let comps = rates::summary_components_at(catalog, set, rates::Basis::Now)?;
        let monthly = comps.iter().map(|c| c.rate).sum::<crate::model::accrual::Rate>().per_month();
        let eligible = rates::eligible_monthly(&comps);
        sets.push(SetCommitmentsView {
            name: set.config.name.clone(),
            eligible_monthly_cost: eligible,
            pay_as_you_go_monthly_cost: monthly,
            options: options(monthly, eligible),
        });
    }
    let mut total = SetCommitmentsView {
        name: "total".to_owned(),
        eligible_monthly_cost: sets.iter().map(|s| s.eligible_monthly_cost).sum(),
        pay_as_you_go_monthly_cost: sets.iter().map(|s| s.pay_as_you_go_monthly_cost).sum(),
        options: options(Money::ZERO, Money::ZERO),
    };
    for (k, option) in total.options.iter_mut().enumerate() {
        option.monthly_cost = sets.iter().map(|s| s.options[k].monthly_cost).sum();
        option.monthly_savings = sets.iter().map(|s| s.options[k].monthly_savings).sum();
    }
    Ok(CommitmentsView { note: ESTIMATE_NOTE, scale_sets: sets, total })
}
