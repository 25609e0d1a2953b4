//! `plan` and `apply`: create, change capacity and model, refuse fixed fields, prune, select.

use crate::support::{Env, WEB, WEB_AND_API};

#[test]
fn apply_creates_sets_and_prints_instances_and_cost() {
    let env = Env::with_definition(WEB);
    let out = env.run(["apply"]).code(0);
    out.stdout_has("web (3 VMs, model v1):\n")
        .stdout_has("web_0")
        .stdout_has("web000002")
        .stdout_has("Compute (Standard_D2s_v5, Linux)")
        .stdout_has("Now: $0.369 an hour, $269.37 a month (730 h) at today's run rate\nAccrued: $0.00 as of 2026-01-05T08:00:00Z")
        .stderr_has("web: created Uniform set in eastus (Standard_D2s_v5, Canonical:ubuntu-24_04-lts:server:latest), model version 1\n")
        .stderr_has("web: scaled out from 0 to 3: created 0, 1, 2\n");
    let state = env.state();
    assert_eq!(state["format"], "scaleset-state");
    assert_eq!(state["serial"], 1);
    assert_eq!(state["seed"], 1);
    assert_eq!(state["createdAt"], "2026-01-05T08:00:00Z");
    assert_eq!(state["clock"], "2026-01-05T08:00:00Z");
    let web = env.set("web");
    assert_eq!(web["capacity"], 3);
    assert_eq!(web["modelVersion"], 1);
    assert_eq!(web["nextInstanceId"], 3);
    assert_eq!(env.ids("web"), [0, 1, 2]);
    assert_eq!(env.zones("web"), [1, 2, 3]);
}

#[test]
fn apply_as_json() {
    let env = Env::with_definition(WEB);
    let doc = env.run(["apply", "-o", "json"]).code(0).json();
    assert_eq!(doc["serial"], 1);
    assert_eq!(doc["scaleSets"][0]["name"], "web");
    assert_eq!(doc["scaleSets"][0]["instances"].as_array().unwrap().len(), 3);
    assert_eq!(doc["cost"]["totalHourlyCost"], "0.369000");
    let kinds: Vec<&str> = doc["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ScaleSetCreated", "ScaleOut"]);
}

#[test]
fn example_definition_applies() {
    let env = Env::with_definition(crate::support::EXAMPLE);
    env.run(["apply"]).code(0).stdout_has("web (3 VMs, model v1):").stdout_has("batch (4 VMs, model v1):");
    assert_eq!(env.ids("web"), [0, 1, 2]);
    assert_eq!(env.ids("batch"), [0, 1, 2, 3]);
    // provisioningTime 2m / 90s: the VMs are still being created.
    let out = env.run(["instances", "web", "-o", "json"]).code(0);
    assert!(out.json().as_array().unwrap().iter().all(|i| i["powerState"] == "Creating"));
}

#[test]
fn plan_on_a_fresh_state_shows_creates() {
    let env = Env::with_definition(WEB_AND_API);
    env.run(["plan"]).code(0).stdout_has(
        "+ web: create with capacity 3\n+ api: create with capacity 2\nPlan: 2 to add, 0 to change, 0 to destroy.\n",
    );
    assert!(!env.exists("scalesets.state.json"), "plan must not create a state file");
}

#[test]
fn plan_as_json() {
    let env = Env::with_definition(WEB);
    let doc = env.run(["plan", "-o", "json"]).code(0).json();
    assert_eq!(doc["hasChanges"], true);
    assert_eq!(doc["changes"][0]["action"], "create");
    assert_eq!(doc["changes"][0]["name"], "web");
    assert_eq!(doc["changes"][0]["capacity"], 3);
}

#[test]
fn plan_detailed_exitcode_is_2_with_changes_and_0_after_apply() {
    let env = Env::with_definition(WEB);
    env.run(["plan", "--detailed-exitcode"]).code(2).stdout_has("+ web: create with capacity 3");
    env.run(["apply"]).code(0);
    env.run(["plan", "--detailed-exitcode"]).code(0).stdout_has("No changes. The state matches the definition.\n");
    env.run(["plan"]).code(0);
}

#[test]
fn plan_without_the_flag_exits_0_even_with_changes() {
    Env::with_definition(WEB).run(["plan"]).code(0).stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
}

#[test]
fn second_apply_changes_nothing() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.run(["apply"]).code(0).stderr_is("No changes. The state matches the definition.\n");
    assert_eq!(env.state_bytes(), before, "a no-op apply must not rewrite the state");
}

#[test]
fn capacity_change_is_planned_with_a_tilde_and_applied() {
    let env = Env::applied(WEB);
    env.define(&WEB.replace("capacity: 3", "capacity: 5"));
    env.run(["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has("~ web:\n    capacity: 3 -> 5\nPlan: 0 to add, 1 to change, 0 to destroy.\n");
    env.run(["apply"]).code(0).stderr_has("web: scaled out from 3 to 5: created 3, 4");
    assert_eq!(env.set("web")["capacity"], 5);
    assert_eq!(env.ids("web"), [0, 1, 2, 3, 4]);
    env.define(&WEB.replace("capacity: 3", "capacity: 2"));
    env.run(["plan"]).code(0).stdout_has("    capacity: 5 -> 2\n");
    env.run(["apply"]).code(0).stderr_has("web: scaled in from 5 to 2");
    assert_eq!(env.set("web")["capacity"], 2);
    assert_eq!(env.serial(), 3);
}

#[test]
fn image_change_bumps_the_model_and_leaves_instances_outdated() {
    let env = Env::applied(WEB);
    let new_image = "Canonical:ubuntu-24_04-lts:server:24.04.202601";
    env.define(&WEB.replace("Canonical:ubuntu-24_04-lts:server:latest", new_image));
    env.run(["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has(&format!(
            "~ web:\n    model: v1 -> v2\n      image: Canonical:ubuntu-24_04-lts:server:latest -> {new_image}\n"
        ))
        .stdout_has("      3 VM(s) become outdated")
        .stdout_has("Manual")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.\n");
    env.run(["apply"]).code(0).stderr_has("web: model version 1 -> 2: image: ");
    let web = env.set("web");
    assert_eq!(web["modelVersion"], 2);
    assert_eq!(web["config"]["model"]["image"], new_image);
    let instances = env.run(["instances", "web", "-o", "json"]).code(0).json();
    for i in instances.as_array().unwrap() {
        assert_eq!(i["modelVersion"], 1, "{i}");
        assert_eq!(i["latestModelApplied"], false, "{i}");
    }
    // New VMs get the new model.
    env.run(["scale", "web", "--by", "+1"]).code(0);
    let instances = env.run(["instances", "web", "-o", "json"]).code(0).json();
    let new = &instances[3];
    assert_eq!(new["instanceId"], "3");
    assert_eq!(new["modelVersion"], 2);
    assert_eq!(new["latestModelApplied"], true);
    env.run(["plan", "--detailed-exitcode"]).code(2).stdout_has("capacity: 4 -> 3");
}

#[test]
fn sku_change_is_a_model_change() {
    let env = Env::applied(WEB);
    env.define(&WEB.replace("sku: Standard_D2s_v5", "sku: Standard_D4s_v5"));
    env.run(["plan"]).code(0).stdout_has("      sku: Standard_D2s_v5 -> Standard_D4s_v5\n");
    env.run(["apply"]).code(0);
    assert_eq!(env.set("web")["modelVersion"], 2);
    // Outdated VMs keep their old size (and price) until upgraded.
    let list = env.run(["list", "-o", "json"]).code(0).json();
    assert_eq!(list[0]["sku"], "Standard_D4s_v5");
    assert_eq!(list[0]["outdatedCount"], 3);
}

#[test]
fn orchestration_mode_change_is_refused_and_the_state_is_untouched() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.define(&WEB.replace("orchestrationMode: Uniform", "orchestrationMode: Flexible"));
    let refusal = "scale set 'web': orchestrationMode is fixed at creation (Uniform -> Flexible refused); delete and recreate the set";
    env.run(["plan"]).code(1).stdout_empty().stderr_has(refusal);
    env.run(["apply"]).code(1).stdout_empty().stderr_has(refusal);
    assert_eq!(env.state_bytes(), before);
    assert!(!env.exists("scalesets.state.json.backup"), "a refused apply writes nothing, not even a backup");
}

#[test]
fn region_change_is_refused() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.define(&WEB.replace("region: eastus", "region: westeurope"));
    env.run(["apply"]).code(1).stderr_has("region is fixed at creation (eastus -> westeurope refused)");
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn removing_a_zone_is_refused() {
    let env = Env::applied(WEB);
    env.define(&WEB.replace(r#"zones: ["1", "2", "3"]"#, r#"zones: ["1", "2"]"#));
    env.run(["plan"])
        .code(1)
        .stderr_has("zones can be added but never removed (zone 3 is missing from the definition)");
}

#[test]
fn removed_set_stays_without_prune_and_goes_with_it() {
    let env = Env::applied(WEB_AND_API);
    env.define(WEB);
    env.run(["plan", "--detailed-exitcode"])
        .code(0)
        .stdout_has("  api: in the state but not in the definition (apply --prune deletes it)\n")
        .stdout_has("No changes.");
    env.run(["apply"]).code(0).stderr_has("No changes.");
    assert_eq!(env.set("api")["capacity"], 2);
    env.run(["plan", "--prune", "--detailed-exitcode"]).code(2).stdout_has("- api: delete the set and its 2 VM(s)\n");
    env.run(["apply", "--prune"]).code(64).stderr_has("pass --auto-approve");
    assert!(env.set("api")["capacity"].as_u64().is_some(), "nothing was deleted");
    env.run(["apply", "--prune", "--auto-approve"]).code(0).stderr_has("api: deleted the scale set and its 2 VM(s)");
    let state = env.state();
    let names: Vec<&str> =
        state["scaleSets"].as_array().unwrap().iter().map(|s| s["config"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["web"]);
    let events = env.run(["events", "api", "-o", "json"]).code(0).json();
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "ScaleSetDeleted");
    assert_eq!(last["reason"], "apply --prune");
}

#[test]
fn apply_name_only_touches_that_set() {
    let env = Env::applied(WEB_AND_API);
    env.define(&WEB_AND_API.replace("capacity: 3", "capacity: 4").replace("capacity: 2", "capacity: 5"));
    env.run(["apply", "web"]).code(0).stdout_has("web (4 VMs").stdout_lacks("api (");
    assert_eq!(env.set("web")["capacity"], 4);
    assert_eq!(env.set("api")["capacity"], 2, "apply web must not touch api");
    env.run(["plan", "api", "--detailed-exitcode"])
        .code(2)
        .stdout_has("~ api:\n    capacity: 2 -> 5\nPlan: 0 to add, 1 to change, 0 to destroy.\n");
    env.run(["plan", "web", "--detailed-exitcode"]).code(0);
}

#[test]
fn apply_name_creates_only_that_set() {
    let env = Env::with_definition(WEB_AND_API);
    env.run(["apply", "api"]).code(0);
    let state = env.state();
    assert_eq!(state["scaleSets"].as_array().unwrap().len(), 1);
    assert_eq!(state["scaleSets"][0]["config"]["name"], "api");
}

#[test]
fn apply_of_an_undefined_name_is_refused_with_a_suggestion() {
    let env = Env::with_definition(WEB);
    env.run(["apply", "wbe"])
        .code(1)
        .stderr_has("scale set 'wbe' is not in the definition scalesets.yaml; did you mean 'web'?");
    assert!(!env.exists("scalesets.state.json"));
}

#[test]
fn apply_refuses_an_invalid_definition_with_65() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.define(&WEB.replace("capacity: 3", "capacity: 300"));
    env.run(["apply"]).code(65).stderr_has("capacity: 300 is above the limit");
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn autoscaled_capacity_is_kept_by_apply() {
    let def = format!(
        "{WEB}    autoscale:\n      profiles:\n        - name: default\n          capacity: {{ minimum: 1, maximum: 10, default: 3 }}\n"
    );
    let env = Env::applied(&def);
    env.run(["scale", "web", "--capacity", "5"]).code(0);
    env.run(["plan", "--detailed-exitcode"])
        .code(0)
        .stdout_has("    capacity: 5 kept (definition says 3; autoscale manages this set's capacity)\n");
    env.run(["apply"]).code(0);
    assert_eq!(env.set("web")["capacity"], 5);
}

#[test]
fn settings_change_is_applied_in_place() {
    let env = Env::applied(WEB);
    env.define(&WEB.replace("provisioningTime: 0s", "provisioningTime: 5m"));
    env.run(["plan", "--detailed-exitcode"]).code(2).stdout_has("    provisioningTime: \"0s\" -> \"5m\"\n");
    env.run(["apply"]).code(0).stderr_has("web: updated provisioningTime");
    let web = env.set("web");
    assert_eq!(web["config"]["provisioningTime"], "5m");
    assert_eq!(web["modelVersion"], 1, "a setting is not a model change");
}
