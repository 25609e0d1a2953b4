//! The cost reports beyond the breakdown itself: the budget check, the commitment what-if
//! columns of `cost --commitments`, and `plan`'s monthly cost change. Each is a plain view
//! (serialized as camelCase JSON with money as decimal strings) plus its text rendering.
//!
//! Guarantees: every figure is exact [`Money`]; commitment figures are always labelled as
//! estimates at typical discounts; the plan's "old" and "new" monthly costs price the sets as
//! they will be once pending operations finish ([`rates::Basis::Settled`]), so a plan with no
//! change shows no cost change.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::cost::catalog::{Catalog, HOURS_PER_MONTH, PriceError};
use crate::cost::money::Money;
use crate::cost::rates;
use crate::engine::plan::{self as planner, Change};
use crate::model::state::State;
use crate::spec::SetDefinition;

use super::table::{self, Style};

/// How commitment figures are labelled, in tables and JSON.
pub const ESTIMATE_NOTE: &str = "estimate (typical discount): reservations and savings plans at the typical \
     observed discounts, applied to regular compute billed at the Linux rate only (not Spot, Windows licences, \
     disks or network)";

/// The budget a `cost` run is checked against, and how it compares.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetView {
    /// The budget, USD per 730-hour month.
    pub max_monthly: Money,
    /// Where it comes from: `--max-monthly` or `budget.maxMonthly in FILE`.
    pub source: String,
    /// The projected monthly cost it is compared with.
    pub projected_monthly_cost: Money,
    /// Whether the projection is above the budget.
    pub over_budget: bool,
    /// How much above (zero when within).
    pub amount_over: Money,
}

impl BudgetView {
    /// Compares `projected` with `max_monthly`.
    #[must_use]
    pub fn new(max_monthly: Money, source: String, projected: Money) -> Self {
        let over_budget = projected > max_monthly;
        BudgetView {
            max_monthly,
            source,
            projected_monthly_cost: projected,
            over_budget,
            amount_over: if over_budget { projected - max_monthly } else { Money::ZERO },
        }
    }

    /// One line for the table output.
    #[must_use]
    pub fn line(&self) -> String {
        if self.over_budget {
            format!(
                "Budget: {} a month ({}): OVER by {}",
                self.max_monthly.format_usd(),
                self.source,
                self.amount_over.format_usd()
            )
        } else {
            format!(
                "Budget: {} a month ({}): within budget, {} to spare",
                self.max_monthly.format_usd(),
                self.source,
                (self.max_monthly - self.projected_monthly_cost).format_usd()
            )
        }
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
    pub monthly_cost: Money,
    /// What it would save a month.
    pub monthly_savings: Money,
}

/// The what-if figures of one set, or of the total.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCommitmentsView {
    /// The set's name, or "total".
    pub name: String,
    /// Monthly cost of the compute a commitment could cover.
    pub eligible_monthly_cost: Money,
    /// Monthly cost at pay-as-you-go prices (the breakdown's monthly cost).
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
pub fn commitments(state: &State, only: &[String], catalog: &Catalog) -> Result<CommitmentsView, PriceError> {
    let mut sets = Vec::new();
    for set in state.scale_sets.iter().filter(|s| only.is_empty() || only.contains(&s.config.name)) {
        let comps = rates::components(catalog, set)?;
        let monthly = comps.iter().map(|c| c.rate).sum::<crate::cost::accrual::Rate>().per_month();
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

/// The what-if table: monthly cost per set under each commitment.
#[must_use]
pub fn commitments_table(view: &CommitmentsView, style: Style) -> String {
    let mut headers: Vec<String> =
        vec!["Scale set".into(), "Eligible compute/month".into(), "Pay-as-you-go/month".into()];
    headers.extend(view.total.options.iter().map(|o| format!("{} (-{}%)", o.label, o.discount_percent)));
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = table::new(&header_refs, style);
    for set in view.scale_sets.iter().chain(std::iter::once(&view.total)) {
        let mut row =
            vec![set.name.clone(), set.eligible_monthly_cost.format_usd(), set.pay_as_you_go_monthly_cost.format_usd()];
        row.extend(set.options.iter().map(|o| o.monthly_cost.format_usd()));
        t.add_row(row);
    }
    format!("\nWhat-if, monthly cost under commitments: {}\n{}", view.note, table::render(&t))
}

/// One set's line in the plan's cost change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCostChangeView {
    /// The set.
    pub name: String,
    /// `create`, `update` or `delete`.
    pub action: &'static str,
    /// Monthly cost now (settled).
    pub old_monthly_cost: Money,
    /// Monthly cost after apply (settled).
    pub new_monthly_cost: Money,
    /// new - old.
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
    pub old_monthly_cost: Money,
    /// Monthly cost of every set once the plan is applied.
    pub new_monthly_cost: Money,
    /// new - old.
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
) -> Result<CostChangeView, String> {
    let empty = State::new(0, jiff::Timestamp::UNIX_EPOCH);
    let before = state.unwrap_or(&empty);
    let mut after = before.clone();
    let now = after.clock;
    planner::apply(&mut after, defs, changes, now).map_err(|e| format!("the plan cannot be applied: {e}"))?;
    let old = rates::settled_monthly(catalog, before).map_err(|e| e.to_string())?;
    let new = rates::settled_monthly(catalog, &after).map_err(|e| e.to_string())?;
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

/// `+$1.50` / `-$1.50`, as Infracost writes changes.
#[must_use]
pub fn signed_usd(amount: Money) -> String {
    if amount.is_negative() { amount.format_usd() } else { format!("+{}", amount.format_usd()) }
}

/// The plan's cost lines: one `+ / - / ~` line per set whose cost changes, then the total.
#[must_use]
pub fn cost_change_text(view: &CostChangeView) -> String {
    let mut out = String::from("\n");
    if !view.scale_sets.is_empty() {
        out.push_str(&format!("Monthly cost ({HOURS_PER_MONTH} h, once pending operations finish):\n"));
    }
    let width = view.scale_sets.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let change_width = view.scale_sets.iter().map(|s| signed_usd(s.monthly_cost_change).len()).max().unwrap_or(0);
    for set in &view.scale_sets {
        let mark = match set.action {
            "create" => '+',
            "delete" => '-',
            _ => '~',
        };
        out.push_str(&format!(
            "{mark} {:<width$}  {:>change_width$}  ({} -> {})\n",
            set.name,
            signed_usd(set.monthly_cost_change),
            set.old_monthly_cost.format_usd(),
            set.new_monthly_cost.format_usd(),
        ));
    }
    out.push_str(&format!(
        "Monthly cost change: {} ({} -> {})\n",
        signed_usd(view.monthly_cost_change),
        view.old_monthly_cost.format_usd(),
        view.new_monthly_cost.format_usd()
    ));
    if let Some(budget) = view.budget.as_ref().filter(|b| b.over_budget) {
        out.push_str(&format!(
            "Warning: after apply the monthly cost {} is {} over the budget of {} ({}); `cost` would exit 3\n",
            budget.projected_monthly_cost.format_usd(),
            budget.amount_over.format_usd(),
            budget.max_monthly.format_usd(),
            budget.source
        ));
    }
    out
}

/// A count with thousands separators, as Infracost prints quantities: `2,190`.
#[must_use]
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// "Prices: built-in price catalog + FILE (...)".
#[must_use]
pub fn prices_line(sources: &[String]) -> String {
    format!("Prices: {}\n", sources.join(" + "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    #[test]
    fn budget_lines_say_how_far_over_or_under() {
        let over = BudgetView::new(m("100"), "--max-monthly".into(), m("269.37"));
        assert!(over.over_budget);
        assert_eq!(over.amount_over, m("169.37"));
        assert_eq!(over.line(), "Budget: $100.00 a month (--max-monthly): OVER by $169.37");
        let under = BudgetView::new(m("300"), "budget.maxMonthly in s.yaml".into(), m("269.37"));
        assert!(!under.over_budget);
        assert_eq!(under.amount_over, Money::ZERO);
        assert_eq!(
            under.line(),
            "Budget: $300.00 a month (budget.maxMonthly in s.yaml): within budget, $30.63 to spare"
        );
        // Exactly at the budget is within it.
        assert!(!BudgetView::new(m("269.37"), String::new(), m("269.37")).over_budget);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(730), "730");
        assert_eq!(thousands(2190), "2,190");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn signed_amounts() {
        assert_eq!(signed_usd(m("269.37")), "+$269.37");
        assert_eq!(signed_usd(m("-50")), "-$50.00");
        assert_eq!(signed_usd(Money::ZERO), "+$0.00");
    }

    #[test]
    fn cost_change_lines_are_aligned() {
        let set = |name: &str, action, a: &str, b: &str| SetCostChangeView {
            name: name.into(),
            action,
            old_monthly_cost: m(a),
            new_monthly_cost: m(b),
            monthly_cost_change: m(b) - m(a),
        };
        let view = CostChangeView {
            currency: "USD",
            basis: PLAN_BASIS,
            old_monthly_cost: m("190.16"),
            new_monthly_cost: m("479.61"),
            monthly_cost_change: m("289.45"),
            scale_sets: vec![
                set("api", "update", "140.16", "210.24"),
                set("old", "delete", "50", "0"),
                set("web", "create", "0", "269.37"),
            ],
            budget: None,
        };
        assert_eq!(
            cost_change_text(&view),
            "\nMonthly cost (730 h, once pending operations finish):\n\
             ~ api   +$70.08  ($140.16 -> $210.24)\n\
             - old   -$50.00  ($50.00 -> $0.00)\n\
             + web  +$269.37  ($0.00 -> $269.37)\n\
             Monthly cost change: +$289.45 ($190.16 -> $479.61)\n"
        );
    }
}
