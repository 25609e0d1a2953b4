//! Turning views into text: tables for people, JSON for scripts. Renderers return strings
//! (or write to any `Write`), so they are tested without a terminal.

pub mod chart;
pub mod cost;
pub mod frontier_svg;
pub mod html;
pub mod svg;
pub mod sweep;
pub mod sweep_html;
pub mod table;
pub mod timeline;

use crate::engine::plan::Change;
use crate::model::event::Event;
use crate::model::state::State;

use crate::model::money::Money;
use crate::report::cost::{CostView, SetCostView};
use crate::report::instances::InstanceView;
use crate::report::sets::SetView;
use table::Style;

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// `instances NAME`. Takes the views by value: their strings move into the table, which
/// matters for sets of a thousand VMs and states of a hundred thousand.
#[must_use]
pub fn instances_table(rows: Vec<InstanceView>, style: Style) -> String {
    let mut t = table::new(
        &[
            "Id",
            "Name",
            "Computer name",
            "Zone",
            "FD",
            "Priority",
            "Power",
            "Provisioning",
            "Health",
            "Model",
            "Latest",
            "Protected",
            "Created",
        ],
        style,
    )
    .right(&[0, 4, 9])
    // On a narrow terminal, the least useful columns go first; ID, name, power and health stay.
    .drop_first(&[12, 2, 7, 10, 4, 5, 9, 11, 3]);
    for r in rows {
        let protected = match (r.protect_from_scale_in, r.protect_from_scale_set_actions) {
            (_, true) => "scale-in+actions",
            (true, false) => "scale-in",
            (false, false) => "-",
        };
        let cells: [table::Cell; 13] = [
            r.instance_id.into(),
            r.name.into(),
            r.computer_name.into(),
            r.zone.map_or(table::Cell::Borrowed("-"), table::Cell::Owned),
            r.fault_domain.to_string().into(),
            r.priority.as_str().into(),
            r.power_state.as_str().into(),
            r.provisioning_state.as_str().into(),
            r.health.as_str().into(),
            r.model_version.to_string().into(),
            yes_no(r.latest_model_applied).into(),
            protected.into(),
            r.created_at.to_string().into(),
        ];
        t.add_row(cells);
    }
    table::render(&t)
}

/// `list`.
#[must_use]
pub fn list_table(rows: &[SetView], style: Style) -> String {
    let mut t = table::new(
        &[
            "Name",
            "Mode",
            "Region",
            "Zones",
            "Size",
            "Capacity",
            "Running",
            "Model",
            "Outdated",
            "Upgrade",
            "Autoscale",
            "$/hour",
            "$/month",
        ],
        style,
    )
    .right(&[5, 6, 8])
    .money(&[11, 12])
    .drop_first(&[9, 8, 7, 3, 1, 10, 2, 11]);
    for r in rows {
        t.add_row(vec![
            r.name.clone(),
            r.orchestration_mode.clone(),
            r.region.clone(),
            if r.zones.is_empty() { "-".into() } else { r.zones.join(",") },
            r.sku.clone(),
            r.capacity.to_string(),
            r.running_count.to_string(),
            format!("v{}", r.model_version),
            r.outdated_count.to_string(),
            r.upgrade_mode.clone(),
            yes_no(r.autoscale).into(),
            format!("${}", r.hourly_cost),
            r.monthly_cost.format_usd(),
        ]);
    }
    table::render(&t)
}

/// `cost`: an Infracost-style breakdown: per set its components (monthly quantity, unit,
/// price, hourly and monthly cost), the set's total with its accrued cost, then the overall
/// total.
#[must_use]
pub fn cost_table(view: &CostView, style: Style) -> String {
    // Nothing created yet: the breakdown is the definition's, as `infracost breakdown` prices a
    // design before it runs.
    let from_definition = view.scale_sets.is_empty() && view.defined.as_ref().is_some_and(|d| !d.scale_sets.is_empty());
    let defined_sets: Vec<SetCostView> = if from_definition {
        view.defined
            .iter()
            .flat_map(|d| &d.scale_sets)
            .map(|d| SetCostView {
                name: d.name.clone(),
                hourly_cost: d.components.iter().map(|c| c.hourly_cost).sum(),
                monthly_cost: d.monthly_cost,
                accrued_cost: Money::ZERO,
                components: d.components.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let sets = if from_definition { &defined_sets } else { &view.scale_sets };
    let mut t = table::new(
        &["Scale set / component", "Monthly qty", "Unit", "Price", "Source", "$/hour", "Monthly cost", "Accrued"],
        style,
    )
    .right(&[1])
    .money(&[3, 5, 6, 7])
    .drop_first(&[4, 2, 3, 1, 5]);
    let blank = String::new;
    for set in sets {
        t.add_row(vec![set.name.clone(), blank(), blank(), blank(), blank(), blank(), blank()]);
        for c in &set.components {
            t.add_row(vec![
                format!("  {}", c.name),
                cost::thousands(c.quantity),
                c.unit.to_string(),
                format!("${}", c.price),
                c.source.to_owned(),
                format!("${}", c.hourly_cost),
                c.monthly_cost.format_usd(),
                blank(),
            ]);
        }
        t.add_row(vec![
            format!("  Total {}", set.name),
            blank(),
            blank(),
            blank(),
            blank(),
            format!("${}", set.hourly_cost),
            set.monthly_cost.format_usd(),
            if from_definition { blank() } else { set.accrued_cost.format_usd() },
        ]);
    }
    if !sets.is_empty() {
        let (hourly, monthly): (Money, Money) = if from_definition {
            (sets.iter().map(|s| s.hourly_cost).sum(), sets.iter().map(|s| s.monthly_cost).sum())
        } else {
            (view.total_hourly_cost, view.total_monthly_cost)
        };
        t.add_row(vec![
            "Overall total".to_owned(),
            blank(),
            blank(),
            blank(),
            blank(),
            format!("${hourly}"),
            monthly.format_usd(),
            if from_definition { blank() } else { view.accrued_cost.format_usd() },
        ]);
    }
    let mut out = String::new();
    if from_definition {
        out.push_str("Nothing created yet: the definition as written, every VM running (730 h):\n");
    }
    out.push_str(&table::render(&t));
    if from_definition {
        if let Some(defined) = &view.defined {
            out.push_str(&cost::defined_lines(defined));
        }
    } else {
        out.push_str(&format!(
            "\nNow: ${} an hour, {} a month (730 h) at today's run rate\nAccrued: {} as of {}\n",
            view.total_hourly_cost,
            view.total_monthly_cost.format_usd(),
            view.accrued_cost.format_usd(),
            view.clock
        ));
        if let Some(defined) = &view.defined {
            out.push_str(&cost::defined_table(defined, style));
        }
    }
    out.push_str(&cost::prices_line(&view.price_sources));
    if let Some(budget) = &view.budget {
        out.push_str(&budget.line());
        out.push('\n');
    }
    if let Some(commitments) = &view.commitments {
        out.push_str(&cost::commitments_table(commitments, style));
    }
    out
}

/// `events`.
#[must_use]
pub fn events_table(events: &[&Event], style: Style) -> String {
    // Why: the rule that fired with the metric's value, or the command or policy that acted.
    let mut t = table::new(&["Time", "Scale set", "Kind", "Message", "Why"], style).drop_first(&[4, 2]).shorten(3);
    for e in events {
        t.add_row(vec![
            e.time.to_string(),
            e.scale_set.clone().unwrap_or_else(|| "-".into()),
            e.kind.to_string(),
            e.message.clone(),
            e.reason.clone().unwrap_or_default(),
        ]);
    }
    table::render(&t)
}

/// `plan`: one block per set, Terraform's + / ~ / - marks.
#[must_use]
pub fn plan_text(changes: &[Change], state: Option<&State>) -> String {
    let mut out = String::new();
    for c in changes {
        match c {
            Change::Create { name, capacity } => out.push_str(&format!("+ {name}: create with capacity {capacity}\n")),
            Change::Update { name, capacity, capacity_held, model, outdated, upgrade_mode, settings } => {
                if !c.is_change() && capacity_held.is_none() {
                    continue;
                }
                out.push_str(&format!("~ {name}:\n"));
                if let Some((a, b)) = capacity {
                    out.push_str(&format!("    capacity: {a} -> {b}\n"));
                }
                if let Some((a, b)) = capacity_held {
                    out.push_str(&format!(
                        "    capacity: {a} kept (definition says {b}; autoscale manages this set's capacity)\n"
                    ));
                }
                if !model.is_empty() {
                    let version = state.and_then(|s| s.set(name)).map_or(0, |s| s.model_version);
                    out.push_str(&format!("    model: v{version} -> v{}\n", version + 1));
                    for (f, a, b) in model {
                        out.push_str(&format!("      {f}: {a} -> {b}\n"));
                    }
                    let rollout = match upgrade_mode {
                        crate::model::enums::UpgradeMode::Manual => "they stay outdated until `upgrade`",
                        crate::model::enums::UpgradeMode::Automatic => "all are updated at once",
                        crate::model::enums::UpgradeMode::Rolling => "a rolling upgrade updates them in batches",
                    };
                    out.push_str(&format!(
                        "      {} VM(s) become outdated: {} (upgrade policy {upgrade_mode}: {rollout})\n",
                        outdated.len(),
                        crate::engine::capacity::list(outdated)
                    ));
                }
                for (f, a, b) in settings {
                    out.push_str(&format!("    {f}: {a} -> {b}\n"));
                }
            }
            Change::Delete { name, instances } => {
                out.push_str(&format!("- {name}: delete the set and its {instances} VM(s)\n"))
            }
            Change::Orphan { name } => {
                out.push_str(&format!("  {name}: in the state but not in the definition (apply --prune deletes it)\n"))
            }
        }
    }
    let count = |kind: fn(&Change) -> bool| changes.iter().filter(|c| c.is_change() && kind(c)).count();
    let add = count(|c| matches!(c, Change::Create { .. }));
    let change = count(|c| matches!(c, Change::Update { .. }));
    let destroy = count(|c| matches!(c, Change::Delete { .. }));
    if add + change + destroy == 0 {
        out.push_str("No changes. The state matches the definition.\n");
    } else {
        // As Terraform ends its plan.
        out.push_str(&format!("Plan: {add} to add, {change} to change, {destroy} to destroy.\n"));
    }
    out
}
