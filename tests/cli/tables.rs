//! Snapshots of the tables and the plan text people read, for a small fixed definition (fixed
//! clock and seed; stdout is a pipe, so tables never wrap and carry no colour).

use crate::support::{Env, WEB_AND_API};

#[test]
fn plan_of_a_fresh_state() {
    let env = Env::with_definition(WEB_AND_API);
    insta::assert_snapshot!("plan_fresh", env.run(["plan"]).code(0).stdout);
}

#[test]
fn plan_of_changes() {
    let env = Env::applied(WEB_AND_API);
    // web: capacity and image change; api: removed from the definition.
    let web_only = WEB_AND_API.split("  - name: api").next().unwrap();
    env.define(&web_only.replace("capacity: 3", "capacity: 4").replace("server:latest", "server:24.04.202601"));
    insta::assert_snapshot!("plan_changes", env.run(["plan"]).code(0).stdout);
    insta::assert_snapshot!("plan_changes_prune", env.run(["plan", "--prune"]).code(0).stdout);
}

#[test]
fn instances_table() {
    let env = Env::applied(WEB_AND_API);
    env.run(["scale", "web", "--by", "+8"]).code(0);
    env.run(["protect", "web", "--instances", "1"]).code(0);
    env.run(["protect", "web", "--instances", "2", "--scale-set-actions"]).code(0);
    insta::assert_snapshot!("instances_web", env.run(["instances", "web"]).code(0).stdout);
    insta::assert_snapshot!("instances_api", env.run(["instances", "api"]).code(0).stdout);
}

#[test]
fn list_table() {
    let env = Env::applied(WEB_AND_API);
    insta::assert_snapshot!("list", env.run(["list"]).code(0).stdout);
}

#[test]
fn events_table() {
    let env = Env::applied(WEB_AND_API);
    env.run(["scale", "web", "--capacity", "1"]).code(0);
    insta::assert_snapshot!("events", env.run(["events"]).code(0).stdout);
}

/// Every table of a small state, rendered at `width` columns through the library (the binary
/// lays tables out for a terminal only, and tests run in pipes).
fn tables_at(width: u16) -> String {
    use scaleset::render::{self, table::Style};
    use scaleset::report;
    let env = Env::applied(WEB_AND_API);
    env.run(["scale", "web", "--by", "+2"]).code(0);
    env.run(["protect", "web", "--instances", "1", "--scale-set-actions"]).code(0);
    env.run(["advance", "1h"]).code(0);
    let scaleset::store::Loaded::Present(state) =
        scaleset::store::read_state(&env.path("scalesets.state.json")).unwrap()
    else {
        panic!("a state")
    };
    let catalog = scaleset::cost::catalog::Catalog::builtin();
    let style = Style { width: Some(width) };
    let web = state.set("web").unwrap();
    let sets: Vec<_> = state
        .scale_sets
        .iter()
        .map(|s| report::sets::set_view(&scaleset::model::set_summary::SetSummary::of(s), catalog).unwrap())
        .collect();
    let events: Vec<&scaleset::model::event::Event> = state.events.iter().collect();
    let summaries: Vec<_> = state.scale_sets.iter().map(scaleset::model::set_summary::SetSummary::of).collect();
    let read =
        report::cost::Read { sets: &summaries, clock: state.clock, retired_accrued: state.retired_accrued.money() };
    let cost = report::cost::cost(&read, &[], catalog).unwrap();
    [
        render::instances_table(report::instances::instances(web), style),
        render::list_table(&sets, style),
        render::cost_table(&cost, style),
        render::events_table(&events, style),
    ]
    .join("\n")
}

#[test]
fn tables_fit_80_and_200_columns_without_splitting_a_value() {
    for width in [80u16, 200] {
        let text = tables_at(width);
        for line in text.lines() {
            assert!(line.chars().count() <= usize::from(width), "wider than {width}: {line:?}");
        }
        // Values stay whole: timestamps, sizes, regions and money appear unbroken.
        for whole in ["Standard_D2s_v5", "2026-01-05T08:00:00Z", "$0.861"] {
            assert!(text.contains(whole), "{whole} at {width}:\n{text}");
        }
        insta::assert_snapshot!(format!("tables_at_{width}"), text);
    }
}
