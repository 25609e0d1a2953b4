//! Snapshots of every JSON document of the contract, byte for byte, so that an accidental
//! change to a key, a type or a money format fails here. One scenario on a small fixed
//! definition (fixed clock and seed): validate, plan, apply, the readers, a change report,
//! the lifecycle status documents, advance and simulate.

use crate::support::{Env, WEB_AND_API};

/// Runs `args` with `-o json`, checks exit `code`, and returns stdout.
fn document(env: &Env, args: &[&str], code: i32) -> String {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let out = env.run(&all).code(code);
    out.json(); // one JSON document
    out.stdout
}

#[test]
fn definition_documents() {
    let env = Env::with_definition(WEB_AND_API);
    insta::assert_snapshot!("validate", document(&env, &["validate"], 0));
    insta::assert_snapshot!("plan_fresh", document(&env, &["plan"], 0));
    insta::assert_snapshot!("apply", document(&env, &["apply"], 0));
    // web: capacity and image change; api: removed from the definition.
    let web_only = WEB_AND_API.split("  - name: api").next().unwrap();
    env.define(&web_only.replace("capacity: 3", "capacity: 4").replace("server:latest", "server:24.04.202601"));
    insta::assert_snapshot!("plan_changes", document(&env, &["plan"], 0));
    insta::assert_snapshot!("plan_changes_prune", document(&env, &["plan", "--prune"], 0));
}

#[test]
fn reader_documents() {
    let env = Env::applied(WEB_AND_API);
    env.ok(["advance", "1h"]);
    insta::assert_snapshot!("list", document(&env, &["list"], 0));
    insta::assert_snapshot!("instances", document(&env, &["instances", "api"], 0));
    insta::assert_snapshot!("events", document(&env, &["events", "web", "--tail", "3"], 0));
    insta::assert_snapshot!("cost", document(&env, &["cost"], 0));
    insta::assert_snapshot!(
        "cost_commitments_budget",
        document(&env, &["cost", "--commitments", "--max-monthly", "100"], 3)
    );
}

#[test]
fn change_and_lifecycle_documents() {
    let env = Env::applied(WEB_AND_API);
    insta::assert_snapshot!("scale", document(&env, &["scale", "web", "--capacity", "4"], 0));
    insta::assert_snapshot!("advance", document(&env, &["advance", "5m"], 0));
    insta::assert_snapshot!("rolling_status", document(&env, &["rolling-upgrade", "status", "web"], 0));
    insta::assert_snapshot!("repairs_status", document(&env, &["repairs", "status", "web"], 0));
}

#[test]
fn simulate_document() {
    let env = Env::with_definition(WEB_AND_API);
    let out = document(&env, &["simulate", "--duration", "30m", "--load", "Percentage CPU=150+noise(20)"], 0);
    insta::assert_snapshot!("simulate", out);
}
