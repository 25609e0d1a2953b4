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
