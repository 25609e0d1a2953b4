//! Text of the cost reports beyond the breakdown: the commitment what-if table and `plan`'s
//! monthly cost change lines. The figures come from `report`; this module only formats them.

use crate::cost::catalog::HOURS_PER_MONTH;
use crate::model::money::Money;
use crate::report::budget::CommitmentsView;
use crate::report::cost_change::CostChangeView;
use crate::report::defined::DefinedCost;

use super::table::{self, Style};

/// The what-if table: monthly cost per set under each commitment.
#[must_use]
pub fn commitments_table(view: &CommitmentsView, style: Style) -> String {
    let mut headers: Vec<String> =
        vec!["Scale set".into(), "Eligible compute/month".into(), "Pay-as-you-go/month".into()];
    headers.extend(view.total.options.iter().map(|o| format!("{} (-{}%)", o.label, o.discount_percent)));
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let money: Vec<usize> = (1..headers.len()).collect();
    let mut t = table::new(&header_refs, style).money(&money);
    for set in view.scale_sets.iter().chain(std::iter::once(&view.total)) {
        let mut row =
            vec![set.name.clone(), set.eligible_monthly_cost.format_usd(), set.pay_as_you_go_monthly_cost.format_usd()];
        row.extend(set.options.iter().map(|o| o.monthly_cost.format_usd()));
        t.add_row(row);
    }
    format!("\nWhat-if, monthly cost under commitments: {}\n{}", view.note, table::render(&t))
}

/// The defined cost in a sentence or two: the total, and the worst case when autoscale
/// allows more.
#[must_use]
pub fn defined_lines(defined: &DefinedCost) -> String {
    let mut out = format!("\nDefined: {} a month (730 h)\n", defined.monthly_cost.format_usd());
    if defined.worst_case_monthly_cost != defined.monthly_cost {
        out.push_str(&format!(
            "  up to {} with every autoscaled set at its maximum\n",
            defined.worst_case_monthly_cost.format_usd()
        ));
    }
    out
}

/// The definition as written beside the state's run rate: per set its defined capacity and
/// monthly cost, and an autoscaled set's range.
#[must_use]
pub fn defined_table(defined: &DefinedCost, style: Style) -> String {
    let mut t =
        table::new(&["Defined set", "VMs", "Monthly cost", "Autoscale", "At most"], style).right(&[1]).money(&[2, 4]);
    for set in &defined.scale_sets {
        let (range, most) = match &set.autoscale {
            Some(a) => (format!("{}-{} VMs", a.minimum, a.maximum), a.max_monthly_cost.format_usd()),
            None => (String::new(), set.monthly_cost.format_usd()),
        };
        t.add_row(vec![set.name.clone(), set.capacity.to_string(), set.monthly_cost.format_usd(), range, most]);
    }
    format!("\nThe definition as written (every VM running, 730 h):\n{}{}", table::render(&t), defined_lines(defined))
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
    use crate::report::budget::BudgetView;
    use crate::report::cost_change::{PLAN_BASIS, SetCostChangeView};

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    #[test]
    fn budget_lines_say_how_far_over_or_under() {
        let over = BudgetView::new(m("100"), "--max-monthly".into(), "now", m("269.37"));
        assert!(over.over_budget);
        assert_eq!(over.amount_over, m("169.37"));
        assert_eq!(
            over.line(),
            "Budget: $100.00 a month (--max-monthly): OVER by $169.37\n  checked against the run rate now: $269.37"
        );
        let under = BudgetView::new(m("300"), "budget.maxMonthly in s.yaml".into(), "defined", m("269.37"));
        assert!(!under.over_budget);
        assert_eq!(under.amount_over, Money::ZERO);
        assert_eq!(
            under.line(),
            "Budget: $300.00 a month (budget.maxMonthly in s.yaml): within budget, $30.63 to spare\n  checked \
             against the defined cost (autoscaled sets at their maximum): $269.37"
        );
        // Exactly at the budget is within it.
        assert!(!BudgetView::new(m("269.37"), String::new(), "now", m("269.37")).over_budget);
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
