//! Instance lifecycle through the binary (issue 3): power operations, protection, model
//! changes and upgrade policies, rolling upgrades, overprovisioning, billing of power states,
//! Spot and priority mix, health and automatic repairs, and bad input.

use crate::support::{Env, event_ids, money, one_set, refused_unchanged, text};
use serde_json::Value;

/// Three Uniform VMs that take 2 minutes to provision, so reimage and updates take time.
const WEB3: &str = "capacity: 3
orchestrationMode: Uniform
overprovision: false
provisioningTime: 2m
computerNamePrefix: web
osDisk: { tier: P10 }";

/// `WEB3` applied and advanced until its VMs run (clock 08:02).
fn running_web3() -> Env {
    let env = Env::applied(&one_set("web", WEB3));
    env.ok(["advance", "2m"]);
    assert_eq!(env.column("web", "powerState"), ["Running"; 3]);
    env
}

fn states(env: &Env) -> Vec<String> {
    env.column("web", "powerState")
}

// ---------------------------------------------------------------------------------------------
// Power operations

#[test]
fn stop_passes_through_stopping_and_takes_thirty_seconds() {
    let env = running_web3();
    env.ok(["stop", "web"]).stderr_has("stop 0, 1, 2 (30s)");
    assert_eq!(states(&env), ["Stopping"; 3]);
    env.ok(["advance", "29s"]);
    assert_eq!(states(&env), ["Stopping"; 3], "power operations take 30 s");
    env.ok(["advance", "1s"]);
    assert_eq!(states(&env), ["Stopped"; 3]);
    let done = env.events_of("web", "OperationCompleted");
    let last = done.last().expect("completion event");
    assert_eq!(last["time"], "2026-01-05T08:02:30Z");
    assert_eq!(event_ids(last), [0, 1, 2]);
    let stop = env.events_of("web", "Stop");
    assert_eq!(stop.len(), 1);
    assert_eq!(stop[0]["reason"], "stop (whole set)");
}

#[test]
fn deallocate_start_and_restart_on_named_instances() {
    let env = running_web3();
    env.ok(["deallocate", "web", "--instances", "1"]);
    assert_eq!(states(&env), ["Running", "Deallocating", "Running"]);
    env.ok(["advance", "30s"]);
    assert_eq!(states(&env), ["Running", "Deallocated", "Running"]);
    assert_eq!(env.instance("web", 1)["health"], "Unknown", "a VM that does not run reports no health");
    // Deallocated VMs still count toward capacity.
    assert_eq!(env.capacity("web"), 3);

    env.ok(["start", "web", "--instances", "1"]);
    assert_eq!(states(&env), ["Running", "Starting", "Running"]);
    env.ok(["advance", "30s"]);
    assert_eq!(states(&env), ["Running"; 3]);
    assert_eq!(env.instance("web", 1)["health"], "Healthy");

    env.ok(["restart", "web", "--instances", "0", "2"]);
    assert_eq!(states(&env), ["Starting", "Running", "Starting"]);
    env.ok(["advance", "30s"]);
    assert_eq!(states(&env), ["Running"; 3]);
    let restart = env.events_of("web", "Restart");
    assert_eq!(event_ids(&restart[0]), [0, 2]);
    assert_eq!(restart[0]["reason"], "restart --instances");
}

#[test]
fn whole_set_start_brings_back_stopped_and_deallocated_vms() {
    let env = running_web3();
    env.ok(["stop", "web", "--instances", "0"]);
    env.ok(["deallocate", "web", "--instances", "2"]);
    env.ok(["advance", "30s"]);
    assert_eq!(states(&env), ["Stopped", "Running", "Deallocated"]);
    env.ok(["start", "web"]).stderr_has("start 0, 2 (30s)");
    assert_eq!(states(&env), ["Starting", "Running", "Starting"]);
    env.ok(["advance", "30s"]);
    assert_eq!(states(&env), ["Running"; 3]);
}

#[test]
fn reimage_is_an_update_that_takes_the_provisioning_time_and_keeps_the_id() {
    let env = running_web3();
    env.ok(["reimage", "web", "--instances", "1"]);
    let vm = env.instance("web", 1);
    assert_eq!(vm["provisioningState"], "Updating");
    assert_eq!(vm["powerState"], "Starting");
    env.ok(["advance", "1m"]);
    assert_eq!(env.instance("web", 1)["provisioningState"], "Updating", "reimage takes provisioningTime (2m)");
    env.ok(["advance", "1m"]);
    let vm = env.instance("web", 1);
    assert_eq!(vm["provisioningState"], "Succeeded");
    assert_eq!(vm["powerState"], "Running");
    assert_eq!(env.ids("web"), [0, 1, 2]);
    assert_eq!(env.events_of("web", "Reimage").len(), 1);
}

#[test]
fn whole_set_operations_skip_vms_protected_from_scale_set_actions_but_named_ones_do_not() {
    let env = running_web3();
    env.ok(["protect", "web", "--instances", "1", "--scale-set-actions"]);
    env.ok(["deallocate", "web"]).stderr_has("skipped 1 (protected from scale-set actions)");
    assert_eq!(states(&env), ["Deallocating", "Running", "Deallocating"]);
    env.ok(["advance", "30s"]);
    env.ok(["reimage", "web"]);
    assert_eq!(env.instance("web", 1)["provisioningState"], "Succeeded", "whole-set reimage skips it too");
    assert_eq!(env.instance("web", 0)["provisioningState"], "Updating");
    env.ok(["advance", "2m"]);
    // Naming the instance overrides the protection.
    env.ok(["deallocate", "web", "--instances", "1"]);
    assert_eq!(env.instance("web", 1)["powerState"], "Deallocating");
    let ev = env.events_of("web", "Deallocate");
    assert_eq!(event_ids(&ev[0]), [0, 2]);
    assert_eq!(event_ids(&ev[1]), [1]);
}

#[test]
fn scale_in_protection_alone_does_not_shield_from_whole_set_operations() {
    let env = running_web3();
    env.ok(["protect", "web", "--instances", "1"]);
    env.ok(["stop", "web"]);
    assert_eq!(states(&env), ["Stopping"; 3]);
}

#[test]
fn restart_of_a_stopped_vm_is_refused_naming_the_instance_and_changes_nothing() {
    let env = running_web3();
    env.ok(["stop", "web", "--instances", "0"]);
    env.ok(["advance", "30s"]);
    let out = refused_unchanged(&env, ["restart", "web", "--instances", "0"], 1, "instance 0 is Stopped");
    assert!(out.stderr.contains("start it"), "the message says what to do instead{}", out.context());
    // Mixed with a VM that could restart: the whole request is refused.
    refused_unchanged(&env, ["restart", "web", "--instances", "2", "0"], 1, "instance 0");
    // A VM busy with another operation is refused too.
    env.ok(["reimage", "web", "--instances", "1"]);
    refused_unchanged(&env, ["stop", "web", "--instances", "1"], 1, "instance 1 is busy with Reimage");
}

#[test]
fn stopping_a_stopped_vm_is_a_no_op() {
    let env = running_web3();
    env.ok(["stop", "web", "--instances", "0"]);
    env.ok(["advance", "30s"]);
    let before = env.state_bytes();
    env.ok(["stop", "web", "--instances", "0"]).stderr_has("already done");
    let state = env.state();
    assert_eq!(states(&env), ["Stopped", "Running", "Running"]);
    // Only the log grew.
    let old: Value = serde_json::from_slice(&before).unwrap();
    assert_eq!(state["scaleSets"][0]["instances"], old["scaleSets"][0]["instances"]);
}

// ---------------------------------------------------------------------------------------------
// Protection

#[test]
fn protect_from_scale_set_actions_implies_scale_in_protection_and_unprotect_clears_both() {
    let env = running_web3();
    env.ok(["protect", "web", "--instances", "2", "--scale-set-actions"]);
    let vm = env.instance("web", 2);
    assert_eq!(vm["protectFromScaleIn"], true);
    assert_eq!(vm["protectFromScaleSetActions"], true);
    let st = &env.set("web")["instances"][2];
    assert_eq!(st["protectFromScaleIn"], true);
    assert_eq!(st["protectFromScaleSetActions"], true);
    // Protecting again from scale-in only keeps the stronger protection.
    env.ok(["protect", "web", "--instances", "2"]);
    assert_eq!(env.instance("web", 2)["protectFromScaleSetActions"], true);
    env.ok(["unprotect", "web", "--instances", "2"]);
    let vm = env.instance("web", 2);
    assert_eq!(vm["protectFromScaleIn"], false);
    assert_eq!(vm["protectFromScaleSetActions"], false);
    assert_eq!(env.events_of("web", "ProtectionChanged").len(), 2);
}

#[test]
fn a_state_with_action_protection_but_no_scale_in_protection_is_refused() {
    let env = running_web3();
    let mut state = env.state();
    state["scaleSets"][0]["instances"][0]["protectFromScaleSetActions"] = Value::Bool(true);
    let bytes = serde_json::to_vec_pretty(&state).unwrap();
    env.write(crate::support::STATE, &bytes);
    let out = env.run(["instances", "web"]).code(74);
    assert!(out.stderr.contains("protected from scale-set actions but not from scale-in"), "{}", out.context());
    env.run(["stop", "web"]).code(74);
    assert_eq!(env.state_bytes(), bytes);
}

// ---------------------------------------------------------------------------------------------
// Model changes and upgrade policies

const NEW_IMAGE: &str = "Canonical:ubuntu-24_04-lts:server:24.04.202601010";

fn with_image(extra: &str) -> String {
    one_set("web", &format!("{extra}\nimage: {NEW_IMAGE}"))
}

#[test]
fn manual_model_change_plans_then_leaves_instances_outdated_until_upgraded() {
    let env = running_web3();
    env.define(&with_image(WEB3));
    let plan = env.ok(["plan"]);
    assert!(plan.stdout.contains("model: v1 -> v2"), "{}", plan.context());
    assert!(plan.stdout.contains(&format!("image: Canonical:ubuntu-24_04-lts:server:latest -> {NEW_IMAGE}")));
    assert!(plan.stdout.contains("3 VM(s) become outdated: 0, 1, 2 (upgrade policy Manual"), "{}", plan.context());
    env.run(["plan", "--detailed-exitcode"]).code(2);
    let json = env.json(["plan"]);
    let change = &json["changes"][0];
    assert_eq!(change["model"][0]["field"], "image");
    assert_eq!(change["model"][0]["new"], NEW_IMAGE);
    assert_eq!(change["outdatedInstances"], 3);

    env.ok(["apply"]).stderr_has("model version 1 -> 2");
    assert_eq!(env.listed("web")["modelVersion"], 2);
    assert_eq!(env.set("web")["modelVersion"], 2);
    assert_eq!(env.column("web", "latestModelApplied"), ["false"; 3]);
    assert_eq!(env.column("web", "modelVersion"), ["1"; 3]);
    assert_eq!(env.events_of("web", "ModelUpdated").len(), 1);
    env.run(["plan", "--detailed-exitcode"]).code(0);

    // New VMs get the latest model at once.
    env.ok(["scale", "web", "--by", "1"]);
    assert_eq!(env.instance("web", 3)["latestModelApplied"], true);

    env.ok(["upgrade", "web", "--instances", "0"]);
    assert_eq!(env.column("web", "latestModelApplied"), ["true", "false", "false", "true"]);
    assert_eq!(env.instance("web", 0)["provisioningState"], "Updating");
    env.ok(["upgrade", "web", "--all"]).stderr_has("upgrading 1, 2 to model version 2");
    assert_eq!(env.column("web", "latestModelApplied"), ["true"; 4]);
    env.ok(["advance", "2m"]);
    assert_eq!(env.column("web", "provisioningState"), ["Succeeded"; 4]);
    assert_eq!(env.column("web", "modelVersion"), ["2"; 4]);
    // Nothing left to do.
    env.ok(["upgrade", "web", "--all"]).stderr_has("Nothing to change");
}

#[test]
fn upgrade_all_skips_vms_protected_from_scale_set_actions_but_a_named_upgrade_does_not() {
    let env = running_web3();
    env.ok(["protect", "web", "--instances", "1", "--scale-set-actions"]);
    env.define(&with_image(WEB3));
    env.ok(["apply"]);
    env.ok(["upgrade", "web", "--all"]).stderr_has("skipped 1 (protected from scale-set actions)");
    assert_eq!(env.column("web", "latestModelApplied"), ["true", "false", "true"]);
    env.ok(["upgrade", "web", "--instances", "1"]);
    assert_eq!(env.column("web", "latestModelApplied"), ["true"; 3]);
}

#[test]
fn automatic_policy_updates_every_vm_on_apply() {
    let base = format!("{WEB3}\nupgradePolicy: {{ mode: Automatic }}");
    let env = Env::applied(&one_set("web", &base));
    env.ok(["advance", "2m"]);
    env.define(&with_image(&base));
    env.ok(["apply"]).stderr_has("upgrading 0, 1, 2 to model version 2");
    assert_eq!(env.column("web", "latestModelApplied"), ["true"; 3]);
    assert_eq!(env.column("web", "provisioningState"), ["Updating"; 3]);
    let update = env.events_of("web", "Update");
    assert_eq!(update[0]["reason"], "upgrade policy Automatic");
    env.ok(["advance", "2m"]);
    assert_eq!(env.column("web", "provisioningState"), ["Succeeded"; 3]);
}

#[test]
fn immutable_fields_are_refused_with_a_clear_message_and_the_state_is_unchanged() {
    let zonal = "capacity: 3
orchestrationMode: Uniform
overprovision: false
provisioningTime: 0s
computerNamePrefix: web
zones: [\"1\", \"2\"]";
    let env = Env::applied(&one_set("web", zonal));
    let cases = [
        (zonal.replace("orchestrationMode: Uniform", "orchestrationMode: Flexible"), "orchestrationMode is fixed"),
        (zonal.replace("[\"1\", \"2\"]", "[\"1\"]"), "zones can be added but never removed (zone 2"),
        (zonal.replace("[\"1\", \"2\"]", "[\"1\", \"3\"]"), "zones can be added but never removed (zone 2"),
        (zonal.replace("computerNamePrefix: web", "computerNamePrefix: app"), "computerNamePrefix is fixed"),
    ];
    for (text, message) in &cases {
        env.define(&one_set("web", text));
        refused_unchanged(&env, ["plan"], 1, message);
        refused_unchanged(&env, ["apply"], 1, message);
    }
    env.define(&one_set("web", zonal).replace("region: eastus", "region: westeurope"));
    refused_unchanged(&env, ["apply"], 1, "region is fixed at creation (eastus -> westeurope refused)");
    // Adding a zone is allowed.
    env.define(&one_set("web", &zonal.replace("[\"1\", \"2\"]", "[\"1\", \"2\", \"3\"]")));
    env.run(["plan", "--detailed-exitcode"]).code(2);
    env.ok(["apply"]);
    assert_eq!(env.listed("web")["zones"], serde_json::json!(["1", "2", "3"]));
}

// ---------------------------------------------------------------------------------------------
// Rolling upgrades

fn rolling_def(policy: &str) -> String {
    one_set(
        "web",
        &format!(
            "capacity: 10
orchestrationMode: Uniform
overprovision: false
provisioningTime: 2m
osDisk: {{ tier: P10 }}
upgradePolicy:
  mode: Rolling
  rollingUpgradePolicy: {{ maxBatchInstancePercent: 20{policy} }}"
        ),
    )
}

/// Ten running VMs under a Rolling policy (clock 08:02), with the image not yet changed.
fn rolling_env(policy: &str) -> Env {
    let env = Env::applied(&rolling_def(policy));
    env.ok(["advance", "2m"]);
    env
}

fn change_image(env: &Env, policy: &str) {
    env.define(
        &rolling_def(policy).replace("sku: Standard_D2s_v5", &format!("sku: Standard_D2s_v5\n    image: {NEW_IMAGE}")),
    );
}

/// (time, instances) of every batch that started (not the "done" entries).
fn batch_starts(env: &Env) -> Vec<(String, Vec<u64>)> {
    env.events_of("web", "RollingUpgradeBatch")
        .into_iter()
        .filter(|e| !text(&e["message"]).contains(" done"))
        .map(|e| (text(&e["time"]), event_ids(&e)))
        .collect()
}

fn counters(status: &Value) -> [u64; 4] {
    [
        status["successfulInstanceCount"].as_u64().unwrap(),
        status["failedInstanceCount"].as_u64().unwrap(),
        status["inProgressInstanceCount"].as_u64().unwrap(),
        status["pendingInstanceCount"].as_u64().unwrap(),
    ]
}

#[test]
fn rolling_upgrade_of_ten_vms_runs_five_batches_of_two_in_id_order_over_logical_time() {
    let env = rolling_env("");
    change_image(&env, "");
    env.ok(["apply"]).stderr_has("batch 1: upgrading 0, 1 to model version 2");
    let s = env.rolling("web");
    assert_eq!(s["status"], "RollingForward");
    assert_eq!(counters(&s), [0, 0, 2, 8]);
    assert_eq!(env.column("web", "latestModelApplied").iter().filter(|v| *v == "true").count(), 2);

    env.ok(["advance", "2m"]); // 08:04: batch 1 done, batch 2 starts
    let s = env.rolling("web");
    assert_eq!(counters(&s), [2, 0, 2, 6]);
    assert_eq!(s["batches"], 2);

    env.ok(["advance", "1m"]); // 08:05: batch 2 still updating
    assert_eq!(counters(&env.rolling("web")), [2, 0, 2, 6]);

    env.ok(["advance", "3m"]); // 08:08: batch 4 starts
    assert_eq!(counters(&env.rolling("web")), [6, 0, 2, 2]);

    env.ok(["advance", "4m"]); // 08:12: done
    let s = env.rolling("web");
    assert_eq!(s["status"], "Completed");
    assert_eq!(counters(&s), [10, 0, 0, 0]);
    assert_eq!(s["endedAt"], "2026-01-05T08:12:00Z");

    let starts = batch_starts(&env);
    let expected: Vec<(String, Vec<u64>)> =
        (0..5).map(|k| (format!("2026-01-05T08:{:02}:00Z", 2 + 2 * k), vec![2 * k as u64, 2 * k as u64 + 1])).collect();
    assert_eq!(starts, expected);
    assert_eq!(env.events_of("web", "RollingUpgradeCompleted").len(), 1);
    assert_eq!(env.column("web", "modelVersion"), ["2"; 10]);
    assert_eq!(env.column("web", "provisioningState"), ["Succeeded"; 10]);
}

#[test]
fn rolling_upgrade_aborts_before_the_first_batch_when_too_many_vms_are_unhealthy() {
    let env = rolling_env("");
    env.ok(["health", "web", "--instances", "0", "1", "2", "--set", "unhealthy"]);
    change_image(&env, "");
    env.ok(["apply"]);
    let s = env.rolling("web");
    assert_eq!(s["status"], "Faulted");
    assert_eq!(counters(&s), [0, 0, 0, 10]);
    assert!(text(&s["error"]).contains("3 of 10 VM(s) are unhealthy, above maxUnhealthyInstancePercent 20%"), "{s}");
    assert!(batch_starts(&env).is_empty());
    assert_eq!(env.events_of("web", "RollingUpgradeFaulted").len(), 1);
    env.ok(["advance", "10m"]);
    assert!(batch_starts(&env).is_empty(), "a faulted upgrade does not resume by itself");
    assert_eq!(env.column("web", "modelVersion"), ["1"; 10]);
}

#[test]
fn two_unhealthy_vms_out_of_ten_do_not_abort_a_twenty_percent_policy() {
    let env = rolling_env("");
    env.ok(["health", "web", "--instances", "8", "9", "--set", "unhealthy"]);
    change_image(&env, "");
    env.ok(["apply"]);
    assert_eq!(env.rolling("web")["status"], "RollingForward", "20% is not more than 20%");
}

#[test]
fn rolling_upgrade_aborts_after_a_batch_whose_upgraded_vms_come_up_unhealthy() {
    let env = rolling_env("");
    env.ok(["health", "web", "--new", "--set", "unhealthy"]);
    change_image(&env, "");
    env.ok(["apply"]);
    env.ok(["advance", "2m"]);
    let s = env.rolling("web");
    assert_eq!(s["status"], "Faulted");
    assert_eq!(counters(&s), [0, 2, 0, 8]);
    assert!(text(&s["error"]).contains("maxUnhealthyUpgradedInstancePercent"), "{s}");
    assert_eq!(env.column("web", "health")[..2], ["Unhealthy", "Unhealthy"]);
    env.ok(["advance", "10m"]);
    assert_eq!(batch_starts(&env).len(), 1, "no batch after the abort");
}

#[test]
fn pause_time_between_batches_delays_the_next_batch() {
    let policy = ", pauseTimeBetweenBatches: 5m";
    let env = rolling_env(policy);
    change_image(&env, policy);
    env.ok(["apply"]);
    env.ok(["advance", "6m"]); // 08:08: batch 1 done at 08:04, next at 08:09
    assert_eq!(counters(&env.rolling("web")), [2, 0, 0, 8]);
    env.ok(["advance", "1m"]);
    let starts = batch_starts(&env);
    assert_eq!(starts.len(), 2);
    assert_eq!(starts[1], ("2026-01-05T08:09:00Z".to_owned(), vec![2, 3]));
}

#[test]
fn prioritize_unhealthy_instances_upgrades_them_first() {
    let policy = ", prioritizeUnhealthyInstances: true";
    let env = rolling_env(policy);
    env.ok(["health", "web", "--instances", "7", "8", "--set", "unhealthy"]);
    change_image(&env, policy);
    env.ok(["apply"]);
    env.ok(["advance", "4m"]);
    let starts: Vec<Vec<u64>> = batch_starts(&env).into_iter().map(|s| s.1).collect();
    assert_eq!(starts, [vec![7, 8], vec![0, 1], vec![2, 3]]);
}

#[test]
fn without_prioritizing_unhealthy_vms_wait_their_turn() {
    let env = rolling_env("");
    env.ok(["health", "web", "--instances", "7", "8", "--set", "unhealthy"]);
    change_image(&env, "");
    env.ok(["apply"]);
    assert_eq!(batch_starts(&env)[0].1, [0, 1]);
}

#[test]
fn max_surge_creates_new_vms_first_then_deletes_the_old_ones() {
    let policy = ", maxSurge: true";
    let env = rolling_env(policy);
    change_image(&env, policy);
    env.ok(["apply"]);
    assert_eq!(env.capacity("web"), 12, "two surge VMs beside the ten");
    assert_eq!(env.ids("web"), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert_eq!(env.instance("web", 10)["powerState"], "Creating");
    assert_eq!(env.instance("web", 0)["modelVersion"], 1, "old VMs are not touched");
    env.ok(["advance", "2m"]);
    // Old 0 and 1 deleted, batch 2 surging.
    assert_eq!(env.ids("web"), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    env.ok(["advance", "8m"]);
    let s = env.rolling("web");
    assert_eq!(s["status"], "Completed");
    assert_eq!(counters(&s), [10, 0, 0, 0]);
    assert_eq!(env.capacity("web"), 10);
    assert_eq!(env.ids("web"), (10..20).collect::<Vec<u64>>());
    assert_eq!(env.column("web", "modelVersion"), ["2"; 10]);
    assert_eq!(env.column("web", "powerState"), ["Running"; 10]);
}

#[test]
fn cancelling_a_rolling_upgrade_lets_the_batch_finish_and_starts_no_other() {
    let env = rolling_env("");
    change_image(&env, "");
    env.ok(["apply"]);
    env.ok(["rolling-upgrade", "cancel", "web"]);
    let s = env.rolling("web");
    assert_eq!(s["status"], "Cancelled");
    assert_eq!(s["lastAction"], "Cancel");
    env.ok(["advance", "10m"]);
    let s = env.rolling("web");
    assert_eq!(s["status"], "Cancelled");
    assert_eq!(counters(&s), [2, 0, 0, 8]);
    assert_eq!(batch_starts(&env).len(), 1);
    assert_eq!(env.column("web", "latestModelApplied").iter().filter(|v| *v == "true").count(), 2);
    // Cancelling again: nothing in progress.
    refused_unchanged(&env, ["rolling-upgrade", "cancel", "web"], 1, "no rolling upgrade is in progress");
    // Starting again picks up the rest.
    env.ok(["rolling-upgrade", "start", "web"]);
    let s = env.rolling("web");
    assert_eq!(s["status"], "RollingForward");
    assert_eq!(s["lastAction"], "Start");
    assert_eq!(counters(&s), [0, 0, 2, 6]);
    assert_eq!(batch_starts(&env).last().unwrap().1, [2, 3]);
}

#[test]
fn rolling_upgrade_start_with_nothing_outdated_completes_at_once() {
    let env = rolling_env("");
    let s = env.rolling("web");
    assert_eq!(s["status"], Value::Null);
    env.ok(["rolling-upgrade", "status", "web"]).stdout_has("no rolling upgrade has run");
    env.ok(["rolling-upgrade", "start", "web"]);
    let s = env.rolling("web");
    assert_eq!(s["status"], "Completed");
    assert_eq!(counters(&s), [0, 0, 0, 0]);
}

#[test]
fn starting_a_rolling_upgrade_while_one_rolls_forward_is_refused() {
    let env = rolling_env("");
    change_image(&env, "");
    env.ok(["apply"]);
    refused_unchanged(&env, ["rolling-upgrade", "start", "web"], 1, "already rolling forward");
}

// ---------------------------------------------------------------------------------------------
// Overprovisioning

const OVER: &str = "capacity: 5
orchestrationMode: Uniform
overprovision: true
provisioningTime: 2m
osDisk: { tier: P10 }";

#[test]
fn overprovisioning_creates_twenty_percent_extra_rounded_up_and_deletes_them_leaving_gaps() {
    let env = Env::applied(&one_set("web", OVER));
    assert_eq!(env.ids("web"), [0, 1, 2, 3, 4]);
    let set = env.set("web");
    let extras: Vec<u64> = set["extras"].as_array().unwrap().iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(extras, [5], "a scale-out of 5 creates 1 extra");
    assert_eq!(env.capacity("web"), 5);
    env.ok(["advance", "2m"]);
    assert!(env.set("web").get("extras").is_none_or(|e| e.as_array().unwrap().is_empty()));
    let over = env.events_of("web", "Overprovisioned");
    assert_eq!(over.len(), 2);
    assert_eq!(event_ids(&over[0]), [5]);
    assert!(text(&over[1]["message"]).contains("deleted overprovisioned extra"));
    assert_eq!(over[1]["time"], "2026-01-05T08:02:00Z");

    // A scale-out of 6 creates ceil(1.2) = 2 extras; the next VM's ID skips the deleted extra.
    env.ok(["scale", "web", "--by", "6"]);
    assert_eq!(env.ids("web"), [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    let extras: Vec<u64> =
        env.set("web")["extras"].as_array().unwrap().iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(extras, [12, 13]);
    env.ok(["advance", "2m"]);
    env.ok(["scale", "web", "--by", "1"]);
    assert_eq!(*env.ids("web").last().unwrap(), 14, "IDs never reuse the extras'");
}

#[test]
fn overprovisioned_extras_are_never_billed() {
    let mk = |name: &str, over: bool| {
        crate::support::set_yaml(
            name,
            &format!(
                "capacity: 5\norchestrationMode: Uniform\noverprovision: {over}\nprovisioningTime: 2m\nosDisk: {{ tier: P10 }}"
            ),
        )
    };
    let env = Env::applied(&crate::support::definition(&[mk("over", true), mk("plain", false)]));
    env.ok(["advance", "30m"]);
    env.ok(["scale", "over", "--by", "5"]);
    env.ok(["scale", "plain", "--by", "5"]);
    env.ok(["advance", "30m"]);
    let cost = env.json(["cost"]);
    let sets = cost["scaleSets"].as_array().unwrap();
    let accrued = |n: &str| money(&sets.iter().find(|s| s["name"] == n).unwrap()["accruedCost"]);
    assert!(accrued("over") > 0.0);
    assert_eq!(accrued("over"), accrued("plain"));
    let hourly = |n: &str| money(&sets.iter().find(|s| s["name"] == n).unwrap()["hourlyCost"]);
    assert_eq!(hourly("over"), hourly("plain"));
}

// ---------------------------------------------------------------------------------------------
// Billing of power states

const ONE_VM: &str = "capacity: 1
orchestrationMode: Uniform
overprovision: false
provisioningTime: 0s
osDisk: { tier: P10 }";

/// Standard_D2s_v5 Linux in eastus, and a P10 disk ($19.71 a month of 730 hours).
const COMPUTE_PER_HOUR: f64 = 0.096;
const DISK_PER_HOUR: f64 = 19.71 / 730.0;

fn accrued(env: &Env) -> f64 {
    money(&env.json(["cost"])["scaleSets"][0]["accruedCost"])
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!((actual - expected).abs() < 0.0015, "{what}: {actual} != {expected}");
}

#[test]
fn a_running_hour_costs_compute_and_disk() {
    let env = Env::applied(&one_set("web", ONE_VM));
    assert_close(accrued(&env), 0.0, "nothing at creation");
    env.ok(["advance", "1h"]);
    assert_close(accrued(&env), COMPUTE_PER_HOUR + DISK_PER_HOUR, "one running hour");
}

#[test]
fn a_stopped_hour_still_costs_compute() {
    let env = Env::applied(&one_set("web", ONE_VM));
    env.ok(["stop", "web"]);
    env.ok(["advance", "1h"]);
    assert_eq!(env.instance("web", 0)["powerState"], "Stopped");
    assert_close(accrued(&env), COMPUTE_PER_HOUR + DISK_PER_HOUR, "stopped: compute and disk");
}

#[test]
fn a_deallocated_hour_costs_only_the_disk() {
    let env = Env::applied(&one_set("web", ONE_VM));
    env.ok(["deallocate", "web"]);
    env.ok(["advance", "1h"]);
    assert_eq!(env.instance("web", 0)["powerState"], "Deallocated");
    // The 30 s of Deallocating are not billed for compute either.
    assert_close(accrued(&env), DISK_PER_HOUR, "deallocated: disk only");
    let hourly = money(&env.json(["cost"])["scaleSets"][0]["hourlyCost"]);
    assert_close(hourly, DISK_PER_HOUR, "run rate while deallocated");
}

#[test]
fn transitional_states_are_billed_as_the_reference_table_says() {
    let env = Env::applied(&one_set("web", &ONE_VM.replace("provisioningTime: 0s", "provisioningTime: 2m")));
    let half_minute = |per_hour: f64| per_hour / 120.0;
    let step = |what: &str, cmd: Option<&str>, expected: f64| {
        if let Some(cmd) = cmd {
            env.ok([cmd, "web"]);
        }
        let before = accrued(&env);
        env.ok(["advance", "30s"]);
        let spent = accrued(&env) - before;
        assert!((spent - expected).abs() < 1e-6, "{what}: {spent} != {expected}");
    };
    step("Creating: disk only", None, half_minute(DISK_PER_HOUR));
    env.ok(["advance", "90s"]);
    step("Running", None, half_minute(COMPUTE_PER_HOUR + DISK_PER_HOUR));
    step("Stopping", Some("stop"), half_minute(COMPUTE_PER_HOUR + DISK_PER_HOUR));
    step("Stopped", None, half_minute(COMPUTE_PER_HOUR + DISK_PER_HOUR));
    step("Starting", Some("start"), half_minute(COMPUTE_PER_HOUR + DISK_PER_HOUR));
    step("Deallocating", Some("deallocate"), half_minute(DISK_PER_HOUR));
    step("Deallocated", None, half_minute(DISK_PER_HOUR));
}

#[test]
fn a_deleted_vm_stops_billing_its_disk_too() {
    let env = Env::applied(&one_set("web", &ONE_VM.replace("capacity: 1", "capacity: 2")));
    env.ok(["deallocate", "web", "--instances", "1"]);
    env.ok(["advance", "30s"]);
    env.ok(["delete", "web", "--instances", "1"]);
    let before = accrued(&env);
    env.ok(["advance", "1h"]);
    assert_close(accrued(&env) - before, COMPUTE_PER_HOUR + DISK_PER_HOUR, "one VM left");
}

// ---------------------------------------------------------------------------------------------
// Spot and priority mix

fn spot(eviction: &str) -> String {
    one_set(
        "web",
        &format!(
            "capacity: 3\norchestrationMode: Uniform\noverprovision: false\nprovisioningTime: 0s\npriority: Spot\nevictionPolicy: {eviction}"
        ),
    )
}

#[test]
fn evicting_a_spot_vm_with_deallocate_policy_keeps_it_counted() {
    let env = Env::applied(&spot("Deallocate"));
    assert_eq!(env.column("web", "priority"), ["Spot"; 3]);
    env.ok(["evict", "web", "--instances", "1"]).stderr_has("evictionPolicy Deallocate");
    assert_eq!(env.column("web", "powerState"), ["Running", "Deallocated", "Running"]);
    assert_eq!(env.capacity("web"), 3);
    assert_eq!(env.ids("web"), [0, 1, 2]);
    let ev = env.events_of("web", "Evicted");
    assert_eq!(event_ids(&ev[0]), [1]);
    // Compute is billed for the two running VMs at the Spot price; disks for all three.
    let cost = env.json(["cost"]);
    let components = cost["scaleSets"][0]["components"].as_array().unwrap().clone();
    let find = |word: &str| components.iter().find(|c| text(&c["name"]).contains(word)).cloned().expect(word);
    let compute = find("Compute");
    assert!(text(&compute["name"]).contains("Spot"), "{compute}");
    assert_eq!(compute["quantity"], 2 * 730);
    assert!(money(&compute["price"]) < COMPUTE_PER_HOUR, "Spot is cheaper: {compute}");
    assert_eq!(find("disk")["quantity"], 3);
}

#[test]
fn evicting_a_spot_vm_with_delete_policy_removes_it_and_drops_capacity() {
    let env = Env::applied(&spot("Delete"));
    env.ok(["evict", "web", "--instances", "0", "2"]);
    assert_eq!(env.ids("web"), [1]);
    assert_eq!(env.capacity("web"), 1);
    let ev = &env.events_of("web", "Evicted")[0];
    assert_eq!(ev["oldCapacity"], 3);
    assert_eq!(ev["newCapacity"], 1);
}

#[test]
fn evicting_a_regular_vm_is_refused() {
    let env = running_web3();
    refused_unchanged(&env, ["evict", "web", "--instances", "1"], 1, "instance 1 is Regular priority");
}

fn regular_count(env: &Env) -> usize {
    env.column("web", "priority").iter().filter(|p| *p == "Regular").count()
}

#[test]
fn priority_mix_keeps_base_plus_half_above_base_regular_through_scale_out_and_in() {
    let env = Env::applied(&one_set(
        "web",
        "capacity: 1
orchestrationMode: Flexible
provisioningTime: 0s
priority: Spot
priorityMix: { baseRegularPriorityCount: 2, regularPriorityPercentageAboveBase: 50 }",
    ));
    let expected = |n: usize| n.min(2) + n.saturating_sub(2) / 2;
    assert_eq!(regular_count(&env), 1);
    let mut regular_ids_seen: Vec<(u64, String)> = Vec::new();
    for n in [1usize, 2, 3, 4, 6, 10, 5, 2] {
        env.ok(["scale", "web", "--capacity", &n.to_string()]);
        let instances = env.instances("web");
        assert_eq!(instances.len(), n);
        let regular = regular_count(&env);
        assert_eq!(regular, expected(n), "capacity {n}: {regular} Regular, expected {}", expected(n));
        assert_eq!(n - regular, instances.iter().filter(|i| i["priority"] == "Spot").count());
        // Existing VMs never change priority.
        for i in &instances {
            let id: u64 = text(&i["instanceId"]).parse().unwrap();
            let p = text(&i["priority"]);
            match regular_ids_seen.iter().find(|(k, _)| *k == id) {
                Some((_, old)) => assert_eq!(*old, p, "instance {id} changed priority"),
                None => regular_ids_seen.push((id, p)),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Health and automatic repairs

fn repairs_def(action: &str, capacity: u32, provisioning: &str) -> String {
    one_set(
        "web",
        &format!(
            "capacity: {capacity}
orchestrationMode: Uniform
overprovision: false
provisioningTime: {provisioning}
automaticRepairs: {{ enabled: true, gracePeriod: 10m, repairAction: {action} }}"
        ),
    )
}

#[test]
fn replace_repairs_an_unhealthy_vm_only_after_the_grace_period() {
    let env = Env::applied(&repairs_def("Replace", 3, "0s"));
    env.ok(["health", "web", "--instances", "1", "--set", "unhealthy"]);
    assert_eq!(env.instance("web", 1)["health"], "Unhealthy");
    env.ok(["advance", "5m"]);
    assert_eq!(env.ids("web"), [0, 1, 2], "not within the grace period");
    env.ok(["advance", "4m"]);
    assert_eq!(env.ids("web"), [0, 1, 2], "the grace period counts from creation (08:00): 08:09 is too early");
    env.ok(["advance", "1m"]);
    assert_eq!(env.ids("web"), [0, 2, 3], "replaced with a new ID at 08:10");
    assert_eq!(env.instance("web", 3)["health"], "Healthy");
    let ev = env.events_of("web", "RepairStarted");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["time"], "2026-01-05T08:10:00Z");
    assert_eq!(event_ids(&ev[0]), [1, 3]);
    assert_eq!(env.capacity("web"), 3);
}

#[test]
fn the_grace_period_counts_from_the_last_state_change_not_from_going_unhealthy() {
    let env = Env::applied(&repairs_def("Replace", 3, "0s"));
    env.ok(["advance", "20m"]);
    env.ok(["restart", "web", "--instances", "2"]);
    env.ok(["advance", "1m"]);
    env.ok(["health", "web", "--instances", "0", "2", "--set", "unhealthy"]);
    env.ok(["advance", "1m"]); // 08:22: 0 changed state at 08:00, 2 at 08:20:30
    assert_eq!(env.ids("web"), [1, 2, 3]);
    env.ok(["advance", "8m"]); // 08:30: 2's grace period ends at 08:30:30
    assert_eq!(env.ids("web"), [1, 2, 3]);
    env.ok(["advance", "1m"]);
    assert_eq!(env.ids("web"), [1, 3, 4]);
}

#[test]
fn restart_and_reimage_repairs_keep_the_id() {
    for (action, state) in [("Restart", "Running"), ("Reimage", "Running")] {
        let env = Env::applied(&repairs_def(action, 3, "1m"));
        env.ok(["advance", "1m"]);
        env.ok(["health", "web", "--instances", "1", "--set", "unhealthy"]);
        env.ok(["advance", "10m"]); // 08:11
        let vm = env.instance("web", 1);
        assert_ne!(vm["powerState"], "Running", "{action}: under repair");
        if action == "Reimage" {
            assert_eq!(vm["provisioningState"], "Updating");
        }
        env.ok(["advance", "1m"]);
        assert_eq!(env.ids("web"), [0, 1, 2], "{action} keeps the ID");
        let vm = env.instance("web", 1);
        assert_eq!(vm["powerState"], state);
        assert_eq!(vm["health"], "Healthy", "{action}: the probe reports Healthy again");
        let ev = env.events_of("web", "RepairStarted");
        assert_eq!(ev.len(), 1, "{action}");
        assert_eq!(ev[0]["time"], "2026-01-05T08:11:00Z");
        assert_eq!(ev[0]["reason"], format!("automatic repair: {action}"));
    }
}

#[test]
fn protected_vms_are_not_repaired() {
    let env = Env::applied(&repairs_def("Replace", 3, "0s"));
    env.ok(["protect", "web", "--instances", "1"]);
    env.ok(["protect", "web", "--instances", "2", "--scale-set-actions"]);
    env.ok(["health", "web", "--instances", "1", "2", "--set", "unhealthy"]);
    env.ok(["advance", "30m"]);
    assert_eq!(env.ids("web"), [0, 1, 2]);
    assert!(env.events_of("web", "RepairStarted").is_empty());
}

#[test]
fn unknown_health_is_repaired_too() {
    let env = Env::applied(&repairs_def("Replace", 2, "0s"));
    env.ok(["health", "web", "--instances", "0", "--set", "unknown"]);
    env.ok(["advance", "10m"]);
    assert_eq!(env.ids("web"), [1, 2]);
}

#[test]
fn below_twenty_vms_repairs_go_one_at_a_time() {
    let env = Env::applied(&repairs_def("Replace", 5, "2m"));
    env.ok(["advance", "2m"]); // running at 08:02: grace period ends 08:12
    env.ok(["health", "web", "--instances", "0", "1", "2", "--set", "unhealthy"]);
    env.ok(["advance", "15m"]);
    let ev = env.events_of("web", "RepairStarted");
    let times: Vec<String> = ev.iter().map(|e| text(&e["time"])).collect();
    assert_eq!(times, ["2026-01-05T08:12:00Z", "2026-01-05T08:14:00Z", "2026-01-05T08:16:00Z"]);
    let replaced: Vec<Vec<u64>> = ev.iter().map(event_ids).collect();
    assert_eq!(replaced, [vec![0, 5], vec![1, 6], vec![2, 7]]);
    assert_eq!(env.json(["repairs", "status", "web"])["maxConcurrentRepairs"], 1);
}

#[test]
fn repeated_failed_replacements_suspend_repairs_until_resumed() {
    let env = Env::applied(&repairs_def("Replace", 3, "0s"));
    env.ok(["health", "web", "--new", "--set", "unhealthy"]);
    env.ok(["health", "web", "--instances", "0", "--set", "unhealthy"]);
    let status = env.json(["repairs", "status", "web"]);
    assert_eq!(status["serviceState"], "Running");
    env.ok(["advance", "45m"]);
    let status = env.json(["repairs", "status", "web"]);
    assert_eq!(status["serviceState"], "Suspended");
    let suspended = env.events_of("web", "RepairsSuspended");
    assert_eq!(suspended.len(), 1);
    assert_eq!(suspended[0]["time"], "2026-01-05T08:40:00Z");
    let repairs = env.events_of("web", "RepairStarted");
    let times: Vec<String> = repairs.iter().map(|e| text(&e["time"])).collect();
    assert_eq!(times, ["2026-01-05T08:10:00Z", "2026-01-05T08:20:00Z", "2026-01-05T08:30:00Z"]);
    // Suspended: nothing more happens.
    env.ok(["advance", "30m"]);
    assert_eq!(env.events_of("web", "RepairStarted").len(), 3);
    env.ok(["repairs", "resume", "web"]);
    assert_eq!(env.json(["repairs", "status", "web"])["serviceState"], "Running");
    assert_eq!(env.events_of("web", "RepairsResumed").len(), 1);
    env.ok(["advance", "1m"]);
    assert_eq!(env.events_of("web", "RepairStarted").len(), 4, "repairs run again after resume");
}

#[test]
fn repairs_commands_on_a_set_without_automatic_repairs_are_refused() {
    let env = running_web3();
    refused_unchanged(&env, ["repairs", "resume", "web"], 1, "automatic repairs are not enabled");
    let status = env.json(["repairs", "status", "web"]);
    assert_eq!(status["enabled"], false);
}

#[test]
fn without_automatic_repairs_unhealthy_vms_stay() {
    let env = running_web3();
    env.ok(["health", "web", "--instances", "1", "--set", "unhealthy"]);
    env.ok(["advance", "30m"]);
    assert_eq!(env.ids("web"), [0, 1, 2]);
    assert_eq!(env.instance("web", 1)["health"], "Unhealthy");
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn unknown_instance_ids_are_refused_and_change_nothing() {
    let env = running_web3();
    for cmd in [
        vec!["stop", "web", "--instances", "9"],
        vec!["restart", "web", "--instances", "0", "42"],
        vec!["reimage", "web", "--instances", "x"],
        vec!["upgrade", "web", "--instances", "7"],
        vec!["protect", "web", "--instances", "5", "--scale-set-actions"],
        vec!["unprotect", "web", "--instances", "5"],
        vec!["health", "web", "--instances", "3", "--set", "unhealthy"],
        vec!["evict", "web", "--instances", "3"],
        vec!["delete", "web", "--instances", "3"],
    ] {
        let out = refused_unchanged(&env, &cmd, 1, "no instance '");
        assert!(out.stderr.contains("(instances: 0, 1, 2)"), "the message lists the known IDs{}", out.context());
    }
}

#[test]
fn operations_on_a_set_that_does_not_exist_are_refused_and_change_nothing() {
    let env = running_web3();
    for cmd in [
        vec!["stop", "nope"],
        vec!["start", "nope", "--instances", "0"],
        vec!["deallocate", "nope"],
        vec!["restart", "nope"],
        vec!["reimage", "nope"],
        vec!["upgrade", "nope", "--all"],
        vec!["rolling-upgrade", "start", "nope"],
        vec!["rolling-upgrade", "status", "nope"],
        vec!["health", "nope", "--all", "--set", "healthy"],
        vec!["evict", "nope", "--instances", "0"],
        vec!["repairs", "status", "nope"],
        vec!["protect", "nope", "--instances", "0"],
    ] {
        refused_unchanged(&env, &cmd, 1, "scale set 'nope' does not exist");
    }
    // A near miss gets a suggestion.
    refused_unchanged(&env, ["stop", "wbe"], 1, "did you mean 'web'?");
}

#[test]
fn upgrade_needs_instances_or_all() {
    let env = running_web3();
    refused_unchanged(&env, ["upgrade", "web"], 64, "--instances");
    refused_unchanged(&env, ["upgrade", "web", "--all", "--instances", "0"], 64, "cannot be used with");
}

#[test]
fn operations_without_a_state_file_do_not_create_one() {
    let env = Env::with_definition(&one_set("web", WEB3));
    env.run(["stop", "web"]).code(1).stderr_has("scale set 'web' does not exist");
    assert!(!env.path(crate::support::STATE).exists());
}

// ---------------------------------------------------------------------------------------------
// Bugs found: failing tests kept, ignored until the code is fixed.

#[test]
fn automatic_policy_eventually_updates_a_vm_that_was_busy_at_apply_time() {
    let base = format!("{WEB3}\nupgradePolicy: {{ mode: Automatic }}");
    let env = Env::applied(&one_set("web", &base));
    env.ok(["advance", "2m"]);
    env.ok(["restart", "web", "--instances", "2"]);
    env.define(&with_image(&base));
    env.ok(["apply"]);
    env.ok(["advance", "10m"]);
    assert_eq!(env.column("web", "latestModelApplied"), ["true"; 3], "Automatic: every VM ends on the latest model");
}

#[test]
fn a_second_model_change_during_a_rolling_upgrade_still_ends_with_every_vm_on_the_latest_model() {
    let env = rolling_env("");
    change_image(&env, "");
    env.ok(["apply"]);
    env.ok(["advance", "2m"]);
    env.define(&rolling_def("").replace(
        "sku: Standard_D2s_v5",
        "sku: Standard_D2s_v5\n    image: Canonical:ubuntu-24_04-lts:server:24.04.202602020",
    ));
    env.ok(["apply"]);
    assert_eq!(env.set("web")["modelVersion"], 3);
    env.ok(["advance", "30m"]);
    let s = env.rolling("web");
    assert_eq!(s["status"], "Completed");
    assert_eq!(env.column("web", "modelVersion"), ["3"; 10], "the latest model, not a mix of v2 and v3");
    assert_eq!(s["targetModelVersion"], 3);
}

#[test]
fn max_surge_never_takes_a_set_above_its_limit() {
    let def = one_set(
        "web",
        "capacity: 100
orchestrationMode: Uniform
overprovision: false
provisioningTime: 1m
upgradePolicy: { mode: Rolling, rollingUpgradePolicy: { maxSurge: true } }",
    );
    let env = Env::applied(&def);
    env.ok(["advance", "1m"]);
    env.define(&def.replace("sku: Standard_D2s_v5", &format!("sku: Standard_D2s_v5\n    image: {NEW_IMAGE}")));
    env.ok(["apply"]);
    assert!(env.capacity("web") <= 100, "capacity {} above the limit of 100", env.capacity("web"));
}

#[test]
fn evicting_a_vm_that_is_still_creating_does_not_leave_it_creating() {
    let env = Env::applied(&one_set(
        "web",
        "capacity: 2\norchestrationMode: Uniform\noverprovision: false\nprovisioningTime: 2m\npriority: Spot",
    ));
    let out = env.run(["evict", "web", "--instances", "0"]);
    if out.code == 0 {
        env.ok(["advance", "5m"]);
        let vm = env.instance("web", 0);
        assert_eq!(vm["powerState"], "Deallocated");
        assert_ne!(vm["provisioningState"], "Creating", "{vm}");
    }
}

#[test]
fn a_vm_deleted_during_its_batch_is_not_counted_as_upgraded() {
    let env = rolling_env("");
    change_image(&env, "");
    env.ok(["apply"]);
    env.ok(["delete", "web", "--instances", "0"]);
    env.ok(["advance", "2m"]);
    let s = env.rolling("web");
    assert_eq!(s["successfulInstanceCount"], 1, "{s}");
}

#[test]
fn max_surge_under_an_autoscale_maximum_keeps_the_set_whole() {
    let def = one_set(
        "web",
        "capacity: 10
orchestrationMode: Uniform
overprovision: false
provisioningTime: 2m
upgradePolicy: { mode: Rolling, rollingUpgradePolicy: { maxSurge: true } }
autoscale:
  profiles:
    - name: default
      capacity: { minimum: 2, maximum: 10, default: 10 }
      rules: []",
    );
    let env = Env::applied(&def);
    env.ok(["advance", "2m"]);
    env.define(&def.replace("sku: Standard_D2s_v5", &format!("sku: Standard_D2s_v5\n    image: {NEW_IMAGE}")));
    env.ok(["apply"]);
    env.ok(["advance", "30m"]);
    assert_eq!(env.rolling("web")["status"], "Completed");
    assert_eq!(env.capacity("web"), 10, "the set is back to ten VMs");
    assert_eq!(env.column("web", "modelVersion"), ["2"; 10]);
}

#[test]
fn suspending_repairs_by_hand_stops_them() {
    let env = Env::applied(&repairs_def("Replace", 3, "0s"));
    env.ok(["repairs", "suspend", "web"]);
    assert_eq!(env.json(["repairs", "status", "web"])["serviceState"], "Suspended");
    env.ok(["health", "web", "--instances", "0", "--set", "unhealthy"]);
    env.ok(["advance", "20m"]);
    assert_eq!(env.ids("web"), [0, 1, 2]);
    env.ok(["repairs", "resume", "web"]);
    env.ok(["advance", "1m"]);
    assert_eq!(env.ids("web"), [1, 2, 3]);
}

#[test]
fn the_suspension_message_names_a_command_that_works() {
    let env = Env::applied(&repairs_def("Replace", 3, "0s"));
    env.ok(["health", "web", "--new", "--set", "unhealthy"]);
    env.ok(["health", "web", "--instances", "0", "--set", "unhealthy"]);
    env.ok(["advance", "45m"]);
    let message = text(&env.events_of("web", "RepairsSuspended")[0]["message"]);
    assert!(message.contains("repairs resume"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Rolling upgrades across zones

/// Nine VMs over three zones under a Rolling policy of 50% batches, the image changed and the
/// upgrade run to its end; returns the zones of each batch, in order.
fn zones_of_batches(cross_zone: &str) -> Vec<Vec<u64>> {
    let def = one_set(
        "web",
        &format!(
            "capacity: 9
orchestrationMode: Uniform
overprovision: false
zones: [1, 2, 3]
provisioningTime: 2m
upgradePolicy:
  mode: Rolling
  rollingUpgradePolicy: {{ maxBatchInstancePercent: 50{cross_zone} }}"
        ),
    );
    let env = Env::applied(&def);
    env.ok(["advance", "2m"]);
    let ids = env.ids("web");
    let zones = env.zones("web");
    let zone_of = |id: u64| zones[ids.iter().position(|i| *i == id).expect("known VM")];
    env.define(&def.replace("sku: Standard_D2s_v5", &format!("sku: Standard_D2s_v5\n    image: {NEW_IMAGE}")));
    env.ok(["apply"]);
    env.ok(["advance", "30m"]);
    assert_eq!(env.rolling("web")["status"], "Completed");
    batch_starts(&env).into_iter().map(|(_, batch)| batch.into_iter().map(zone_of).collect()).collect()
}

#[test]
fn without_cross_zone_upgrade_no_batch_mixes_zones() {
    let batches = zones_of_batches("");
    assert!(batches.len() >= 3, "one batch per zone at least: {batches:?}");
    for batch in &batches {
        assert!(batch.iter().all(|z| *z == batch[0]), "a batch mixes zones: {batches:?}");
    }
    assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 9, "every VM upgraded once: {batches:?}");
}

#[test]
fn with_cross_zone_upgrade_batches_ignore_zones() {
    let batches = zones_of_batches(", enableCrossZoneUpgrade: true");
    assert_eq!(batches[0].len(), 4, "50% of nine VMs, rounded down: {batches:?}");
    assert!(batches[0].iter().any(|z| *z != batches[0][0]), "the first batch spans zones: {batches:?}");
    assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 9, "every VM upgraded once: {batches:?}");
}

// ---------------------------------------------------------------------------------------------
// Force deletion

#[test]
fn force_deletion_is_recorded_on_scale_in_and_instance_delete_events_only() {
    let def = one_set("web", "capacity: 4\norchestrationMode: Uniform\noverprovision: false\nprovisioningTime: 0s");
    let forced = def.replace(
        "provisioningTime: 0s",
        "provisioningTime: 0s\n    scaleInPolicy: { rules: [Default], forceDeletion: true }",
    );
    let env = Env::applied(&def);
    env.run(["plan", "--detailed-exitcode"]).code(0);
    env.define(&forced);
    env.run(["plan", "--detailed-exitcode"]).code(2).stdout_has("forceDeletion");
    env.ok(["apply"]);

    env.ok(["scale", "web", "--capacity", "3"]).stderr_has("(force deletion)");
    env.ok(["delete", "web", "--instances", "0"]);
    let ins = env.events_of("web", "ScaleIn");
    assert_eq!(ins.len(), 1);
    assert_eq!(ins[0]["forceDeletion"], true, "{:#}", ins[0]);
    let deleted = env.events_of("web", "InstancesDeleted");
    assert_eq!(deleted[0]["forceDeletion"], true, "{:#}", deleted[0]);
    assert!(text(&deleted[0]["message"]).ends_with("(force deletion)"));
    assert_eq!(env.capacity("web"), 2, "the outcome is the same as without force deletion");

    // Without it, nothing is recorded.
    let plain = Env::applied(&def);
    plain.ok(["scale", "web", "--capacity", "3"]).stderr_lacks("force");
    assert!(plain.events_of("web", "ScaleIn")[0].get("forceDeletion").is_none());
}
