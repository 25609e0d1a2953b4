//! create, scale, delete, protect, list, instances, events and cost: arguments, refusals, JSON
//! keys as the contract lists them, and a cost worked out by hand.

use crate::support::{Env, WEB, WEB_AND_API, assert_keys, assert_money, one_set, text};

// ---------------------------------------------------------------------------------------------
// create

#[test]
fn create_makes_one_set_from_the_definition() {
    let env = Env::with_definition(WEB_AND_API);
    env.run(["create", "api"]).code(0).stderr_has("api: scaled out from 0 to 2: created 0, 1");
    let state = env.state();
    assert_eq!(state["scaleSets"].as_array().unwrap().len(), 1, "only api is created");
    assert_eq!(env.set("api")["capacity"], 2);
    assert_eq!(env.serial(), 1);
}

#[test]
fn create_as_json_reports_serial_and_events() {
    let env = Env::with_definition(WEB);
    let doc = env.run(["create", "web", "-o", "json"]).code(0).json();
    assert_eq!(doc["serial"], 1);
    assert_eq!(doc["clock"], "2026-01-05T08:00:00Z");
    assert_eq!(doc["events"][0]["kind"], "ScaleSetCreated");
}

#[test]
fn create_refuses_an_existing_set() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.run(["create", "web"])
        .code(1)
        .stderr_is("error: scale set 'web' already exists (use apply or scale to change it)\n");
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn create_refuses_a_name_not_in_the_definition_with_a_suggestion() {
    let env = Env::with_definition(WEB_AND_API);
    env.run(["create", "wbe"])
        .code(1)
        .stderr_is("error: scale set 'wbe' is not in the definition scalesets.yaml; did you mean 'web'?\n");
    env.run(["create", "zzzzzz"]).code(1).stderr_has("(known: web, api)");
    assert!(!env.exists("scalesets.state.json"), "a refused create makes no state file");
}

// ---------------------------------------------------------------------------------------------
// scale

#[test]
fn scale_to_a_capacity() {
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--capacity", "5"])
        .code(0)
        .stdout_empty()
        .stderr_is("web: scaled out from 3 to 5: created 3, 4\n");
    assert_eq!(env.set("web")["capacity"], 5);
    assert_eq!(env.ids("web"), [0, 1, 2, 3, 4]);
    env.run(["scale", "web", "--capacity", "2"]).code(0).stderr_is("web: scaled in from 5 to 2: deleted 2, 3, 4\n");
    assert_eq!(env.ids("web"), [0, 1]);
}

#[test]
fn scale_by_plus_and_minus() {
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--by", "+2"]).code(0).stderr_has("scaled out from 3 to 5");
    assert_eq!(env.set("web")["capacity"], 5);
    env.run(["scale", "web", "--by", "-4"]).code(0).stderr_has("scaled in from 5 to 1");
    assert_eq!(env.set("web")["capacity"], 1);
    env.run(["scale", "web", "--by", "3"]).code(0);
    assert_eq!(env.set("web")["capacity"], 4);
    let events = env.run(["events", "web", "-o", "json"]).code(0).json();
    let reasons: Vec<&str> = events.as_array().unwrap().iter().filter_map(|e| e["reason"].as_str()).collect();
    assert_eq!(reasons, ["create", "scale --by +2", "scale --by -4", "scale --by +3"]);
}

#[test]
fn scale_to_a_negative_capacity_is_refused() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.run(["scale", "web", "--by", "-4"]).code(1).stderr_is("error: scale set 'web': capacity -1 is negative\n");
    env.run(["scale", "web", "--capacity", "-1"]).code(1).stderr_has("capacity -1 is negative");
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn scale_above_the_limit_is_refused() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.run(["scale", "web", "--capacity", "101"]).code(1).stderr_is(
        "error: scale set 'web': capacity 101 is above the limit of 100: a Uniform set in a single placement group holds at most 100 VMs (singlePlacementGroup: false allows 1000)\n",
    );
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn scale_to_zero_and_back() {
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--capacity", "0"]).code(0);
    assert_eq!(env.set("web")["capacity"], 0);
    assert!(env.ids("web").is_empty());
    env.run(["scale", "web", "--capacity", "2"]).code(0);
    assert_eq!(env.ids("web"), [3, 4]);
}

#[test]
fn scale_to_the_same_capacity_changes_nothing() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.run(["scale", "web", "--capacity", "3"]).code(0).stderr_is("Nothing to change.\n");
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn scale_of_an_unknown_set_is_refused() {
    let env = Env::applied(WEB);
    env.run(["scale", "wbe", "--capacity", "1"])
        .code(1)
        .stderr_is("error: scale set 'wbe' does not exist; did you mean 'web'?\n");
}

#[test]
fn scale_needs_capacity_or_by_but_not_both() {
    let env = Env::applied(WEB);
    env.run(["scale", "web"]).code(64);
    env.run(["scale", "web", "--capacity", "2", "--by", "+1"]).code(64);
    env.run(["scale", "web", "--capacity", "two"]).code(64);
}

#[test]
fn scale_as_json_reports_the_change() {
    let env = Env::applied(WEB);
    let doc = env.run(["scale", "web", "--by", "+1", "-o", "json"]).code(0).json();
    assert_eq!(doc["serial"], 2);
    let e = &doc["events"][0];
    assert_eq!(e["kind"], "ScaleOut");
    assert_eq!(e["oldCapacity"], 3);
    assert_eq!(e["newCapacity"], 4);
    assert_eq!(e["instances"], serde_json::json!(["3"]));
}

// ---------------------------------------------------------------------------------------------
// delete

#[test]
fn delete_a_whole_set() {
    let env = Env::applied(WEB_AND_API);
    env.run(["delete", "api"]).code(0).stderr_is("api: deleted the scale set and its 2 VM(s)\n");
    let state = env.state();
    let names: Vec<&str> =
        state["scaleSets"].as_array().unwrap().iter().map(|s| s["config"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["web"]);
    env.run(["instances", "api"]).code(1).stderr_has("scale set 'api' does not exist");
    // Its history stays in the log.
    let events = env.run(["events", "api", "-o", "json"]).code(0).json();
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "ScaleSetDeleted");
    assert_eq!(last["oldCapacity"], 2);
    assert_eq!(last["newCapacity"], 0);
}

#[test]
fn delete_instances_by_id_and_by_name() {
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--capacity", "5"]).code(0);
    env.run(["delete", "web", "--instances", "1", "web_3"]).code(0).stderr_is("web: deleted 1, 3 (capacity 5 -> 3)\n");
    let web = env.set("web");
    assert_eq!(web["capacity"], 3, "capacity drops with the deleted VMs");
    assert_eq!(env.ids("web"), [0, 2, 4]);
    // The next VM does not reuse a freed ID.
    env.run(["scale", "web", "--by", "+1"]).code(0);
    assert_eq!(env.ids("web"), [0, 2, 4, 5]);
}

#[test]
fn delete_instances_by_name_on_a_flexible_set() {
    let env = Env::applied(WEB_AND_API);
    let instances = env.run(["instances", "api", "-o", "json"]).code(0).json();
    let name = instances[1]["name"].as_str().unwrap().to_owned();
    assert!(name.starts_with("api_") && name.len() == "api_".len() + 8, "Flexible names carry a hash suffix: {name}");
    env.run(["delete", "api", "--instances", &name]).code(0).stderr_is("api: deleted 1 (capacity 2 -> 1)\n");
    assert_eq!(env.ids("api"), [0]);
}

#[test]
fn delete_of_an_unknown_instance_names_the_set_and_the_id() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.run(["delete", "web", "--instances", "0", "99"])
        .code(1)
        .stderr_is("error: scale set 'web': no instance '99' (instances: 0, 1, 2)\n");
    env.run(["delete", "web", "--instances", "web_7"]).code(1).stderr_has("no instance 'web_7'");
    assert_eq!(env.state_bytes(), before, "nothing is deleted when one reference is wrong");
}

#[test]
fn delete_of_an_unknown_set_is_refused() {
    let env = Env::applied(WEB);
    env.run(["delete", "nope"]).code(1).stderr_is("error: scale set 'nope' does not exist (known: web)\n");
}

// ---------------------------------------------------------------------------------------------
// protect / unprotect

#[test]
fn protect_and_unprotect_show_in_instances() {
    let env = Env::applied(WEB);
    env.run(["protect", "web", "--instances", "0", "web_1"]).code(0).stderr_is("web: 0, 1 protected from scale-in\n");
    env.run(["protect", "web", "--instances", "2", "--scale-set-actions"])
        .code(0)
        .stderr_is("web: 2 protected from scale-in and scale-set actions\n");
    let rows = env.run(["instances", "web", "-o", "json"]).code(0).json();
    let flags: Vec<(bool, bool)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["protectFromScaleIn"].as_bool().unwrap(), r["protectFromScaleSetActions"].as_bool().unwrap()))
        .collect();
    assert_eq!(flags, [(true, false), (true, false), (true, true)]);
    env.run(["unprotect", "web", "--instances", "0", "2"]).code(0).stderr_is("web: 0, 2 no longer protected\n");
    let rows = env.run(["instances", "web", "-o", "json"]).code(0).json();
    assert_eq!(rows[0]["protectFromScaleIn"], false);
    assert_eq!(rows[2]["protectFromScaleSetActions"], false);
    assert_eq!(rows[1]["protectFromScaleIn"], true);
}

#[test]
fn protecting_again_changes_nothing() {
    let env = Env::applied(WEB);
    env.run(["protect", "web", "--instances", "0"]).code(0);
    let before = env.state_bytes();
    env.run(["protect", "web", "--instances", "0"]).code(0).stderr_is("Nothing to change.\n");
    assert_eq!(env.state_bytes(), before);
}

// ---------------------------------------------------------------------------------------------
// list / instances: JSON keys exactly as the contract lists them

const INSTANCE_KEYS: [&str; 14] = [
    "instanceId",
    "name",
    "computerName",
    "zone",
    "faultDomain",
    "priority",
    "powerState",
    "provisioningState",
    "health",
    "modelVersion",
    "latestModelApplied",
    "protectFromScaleIn",
    "protectFromScaleSetActions",
    "createdAt",
];

const LIST_KEYS: [&str; 10] = [
    "name",
    "capacity",
    "instanceCount",
    "region",
    "sku",
    "orchestrationMode",
    "zones",
    "modelVersion",
    "hourlyCost",
    "monthlyCost",
];

#[test]
fn instances_json_has_every_contract_key() {
    let env = Env::applied(WEB);
    let rows = env.run(["instances", "web", "-o", "json"]).code(0).stderr_empty().json();
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert_keys(row, &INSTANCE_KEYS);
    }
    let first = &rows[0];
    assert_eq!(first["instanceId"], "0", "instanceId is a string, as Azure writes it");
    assert_eq!(first["name"], "web_0");
    assert_eq!(first["computerName"], "web000000");
    assert_eq!(first["zone"], "1");
    assert_eq!(first["faultDomain"], 0);
    assert_eq!(first["priority"], "Regular");
    assert_eq!(first["powerState"], "Running");
    assert_eq!(first["provisioningState"], "Succeeded");
    assert_eq!(first["health"], "Healthy");
    assert_eq!(first["modelVersion"], 1);
    assert_eq!(first["latestModelApplied"], true);
    assert_eq!(first["protectFromScaleIn"], false);
    assert_eq!(first["protectFromScaleSetActions"], false);
    assert_eq!(first["createdAt"], "2026-01-05T08:00:00Z");
}

#[test]
fn regional_instances_have_a_null_zone() {
    let env = Env::applied(WEB_AND_API);
    let rows = env.run(["instances", "api", "-o", "json"]).code(0).json();
    assert!(rows[0]["zone"].is_null(), "{}", rows[0]);
}

#[test]
fn creating_instances_show_their_transitional_states() {
    let env = Env::applied(&one_set(
        "slow",
        "orchestrationMode: Uniform\ncapacity: 1\nprovisioningTime: 2m\noverprovision: false",
    ));
    let row = env.run(["instances", "slow", "-o", "json"]).code(0).json()[0].clone();
    assert_eq!(row["powerState"], "Creating");
    assert_eq!(row["provisioningState"], "Creating");
    assert_eq!(row["health"], "Unknown");
    env.run(["advance", "2m"]).code(0).stderr_has("slow: 0 running (provisioning succeeded)");
    let row = env.run(["instances", "slow", "-o", "json"]).code(0).json()[0].clone();
    assert_eq!(row["powerState"], "Running");
    assert_eq!(row["provisioningState"], "Succeeded");
    assert_eq!(row["health"], "Healthy");
}

#[test]
fn list_json_has_every_contract_key() {
    let env = Env::applied(WEB_AND_API);
    let rows = env.run(["list", "-o", "json"]).code(0).stderr_empty().json();
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_keys(row, &LIST_KEYS);
    }
    // Sorted by name.
    let api = &rows[0];
    let web = &rows[1];
    assert_eq!(api["name"], "api");
    assert_eq!(api["orchestrationMode"], "Flexible");
    assert_eq!(api["zones"], serde_json::json!([]));
    assert_eq!(web["name"], "web");
    assert_eq!(web["capacity"], 3);
    assert_eq!(web["instanceCount"], 3);
    assert_eq!(web["region"], "eastus");
    assert_eq!(web["sku"], "Standard_D2s_v5");
    assert_eq!(web["orchestrationMode"], "Uniform");
    assert_eq!(web["zones"], serde_json::json!(["1", "2", "3"]));
    assert_eq!(web["modelVersion"], 1);
    assert_money(&web["hourlyCost"], "0.369000");
    assert_money(&web["monthlyCost"], "269.37");
}

#[test]
fn list_and_instances_without_a_state() {
    let env = Env::with_definition(WEB);
    assert_eq!(env.run(["list", "-o", "json"]).code(0).json(), serde_json::json!([]));
    env.run(["list"]).code(0).stdout_has("NAME").stdout_lacks("web");
    env.run(["instances", "web"]).code(1).stderr_is("error: scale set 'web' does not exist\n");
    assert_eq!(env.run(["events", "-o", "json"]).code(0).json(), serde_json::json!([]));
    assert!(!env.exists("scalesets.state.json"), "reading commands never create a state");
}

// ---------------------------------------------------------------------------------------------
// events

#[test]
fn events_json_entries_and_scale_capacities() {
    let env = Env::applied(WEB_AND_API);
    env.run(["scale", "web", "--capacity", "4"]).code(0);
    env.run(["scale", "web", "--capacity", "2"]).code(0);
    let events = env.run(["events", "-o", "json"]).code(0).stderr_empty().json();
    let events = events.as_array().expect("an array");
    for e in events {
        assert_keys(e, &["time", "kind", "message"]);
        assert_eq!(e["time"], "2026-01-05T08:00:00Z");
    }
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["StateCreated", "ScaleSetCreated", "ScaleOut", "ScaleSetCreated", "ScaleOut", "ScaleOut", "ScaleIn"]
    );
    let scale_entries: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["kind"] == "ScaleOut" || e["kind"] == "ScaleIn").collect();
    for e in &scale_entries {
        assert_keys(e, &["scaleSet", "oldCapacity", "newCapacity"]);
    }
    let last = scale_entries.last().unwrap();
    assert_eq!(last["scaleSet"], "web");
    assert_eq!(last["oldCapacity"], 4);
    assert_eq!(last["newCapacity"], 2);
    assert_eq!(last["message"], "scaled in from 4 to 2: deleted 2, 3");
    assert_eq!(last["instances"], serde_json::json!(["2", "3"]));
}

#[test]
fn every_event_has_the_contract_keys() {
    // The contract: `events -o json` is an array of {time, scaleSet, kind, message, ...};
    // entries about no particular set should carry "scaleSet": null rather than no key.
    let env = Env::applied(WEB);
    env.run(["advance", "1m"]).code(0);
    let events = env.run(["events", "-o", "json"]).code(0).json();
    for e in events.as_array().unwrap() {
        assert_keys(e, &["time", "scaleSet", "kind", "message"]);
    }
}

#[test]
fn events_for_one_set_and_the_tail() {
    let env = Env::applied(WEB_AND_API);
    let only_api = env.run(["events", "api", "-o", "json"]).code(0).json();
    assert!(only_api.as_array().unwrap().iter().all(|e| e["scaleSet"] == "api"));
    assert_eq!(only_api.as_array().unwrap().len(), 2);
    let tail = env.run(["events", "--tail", "1", "-o", "json"]).code(0).json();
    assert_eq!(tail.as_array().unwrap().len(), 1);
    assert_eq!(tail[0]["scaleSet"], "api");
    env.run(["events", "nope"]).code(1).stderr_has("scale set 'nope' does not exist");
    env.run(["events"]).code(0).stdout_has("TIME").stdout_has("StateCreated");
}

#[test]
fn events_advance_the_logical_clock_only() {
    let env = Env::applied(WEB);
    env.run(["advance", "1h30m"]).code(0).stderr_has("clock: 2026-01-05T09:30:00Z");
    env.run(["scale", "web", "--by", "+1"]).code(0);
    let events = env.run(["events", "-o", "json"]).code(0).json();
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["time"], "2026-01-05T09:30:00Z");
    assert_eq!(env.state()["clock"], "2026-01-05T09:30:00Z");
    let created = env.run(["instances", "web", "-o", "json"]).code(0).json()[3]["createdAt"].clone();
    assert_eq!(created, "2026-01-05T09:30:00Z");
}

// ---------------------------------------------------------------------------------------------
// cost

#[test]
fn cost_json_shape_and_a_hand_computed_total() {
    // 3 x Standard_D2s_v5 linux eastus at $0.096/h = $0.288/h; 3 P10 disks at $19.71/month
    // = 59.13 / 730 = $0.081/h. Total $0.369/h; 210.24 + 59.13 = $269.37 a month.
    let env = Env::applied(WEB);
    let doc = env.run(["cost", "-o", "json"]).code(0).stderr_empty().json();
    assert_keys(&doc, &["currency", "totalHourlyCost", "totalMonthlyCost", "accruedCost", "scaleSets"]);
    assert_eq!(doc["currency"], "USD");
    assert_money(&doc["totalHourlyCost"], "0.369000");
    assert_money(&doc["totalMonthlyCost"], "269.37");
    assert_money(&doc["accruedCost"], "0.000000");
    let sets = doc["scaleSets"].as_array().unwrap();
    assert_eq!(sets.len(), 1);
    let web = &sets[0];
    assert_keys(web, &["name", "hourlyCost", "monthlyCost", "accruedCost", "components"]);
    assert_eq!(web["name"], "web");
    assert_money(&web["hourlyCost"], "0.369000");
    assert_money(&web["monthlyCost"], "269.37");
    let components = web["components"].as_array().unwrap();
    assert_eq!(components.len(), 2);
    for c in components {
        assert_keys(c, &["name", "unit", "quantity", "price", "hourlyCost", "monthlyCost"]);
        for money in ["price", "hourlyCost", "monthlyCost"] {
            assert!(c[money].is_string(), "{money} is a decimal string: {c}");
        }
    }
    let compute = &components[0];
    assert_eq!(compute["name"], "Compute (Standard_D2s_v5, Linux)");
    assert_eq!(compute["unit"], "hours");
    assert_eq!(compute["quantity"], 3 * 730);
    assert_money(&compute["price"], "0.096000");
    assert_money(&compute["hourlyCost"], "0.288000");
    assert_money(&compute["monthlyCost"], "210.24");
    let disk = &components[1];
    assert_eq!(disk["name"], "OS disk (P10)");
    assert_eq!(disk["unit"], "months");
    assert_eq!(disk["quantity"], 3);
    assert_money(&disk["price"], "19.710000");
    assert_money(&disk["hourlyCost"], "0.081000");
    assert_money(&disk["monthlyCost"], "59.13");
}

#[test]
fn cost_accrues_over_an_hour() {
    let env = Env::applied(WEB);
    env.run(["advance", "1h"]).code(0);
    let doc = env.run(["cost", "-o", "json"]).code(0).json();
    assert_money(&doc["accruedCost"], "0.369000");
    assert_money(&doc["scaleSets"][0]["accruedCost"], "0.369000");
    env.run(["advance", "1h"]).code(0);
    let doc = env.run(["cost", "-o", "json"]).code(0).json();
    assert_money(&doc["accruedCost"], "0.738000");
}

#[test]
fn cost_table_has_the_components_and_totals() {
    let env = Env::applied(WEB);
    let out = env.run(["cost"]).code(0);
    let row = |name: &str| -> Vec<String> {
        let line =
            out.stdout.lines().find(|l| l.trim_start().starts_with(name)).unwrap_or_else(|| panic!("no {name} row"));
        line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()
    };
    let compute = row("Compute (Standard_D2s_v5, Linux)");
    for cell in ["hours", "$0.096", "$0.288", "$210.24"] {
        assert!(compute.iter().any(|c| c == cell), "compute row {compute:?} lacks {cell}");
    }
    let disk = row("OS disk (P10)");
    for cell in ["3", "months", "$19.710", "$0.081", "$59.13"] {
        assert!(disk.iter().any(|c| c == cell), "disk row {disk:?} lacks {cell}");
    }
    out.stdout_has(
        "Now: $0.369 an hour, $269.37 a month (730 h) at today's run rate\nAccrued: $0.00 as of 2026-01-05T08:00:00Z\n",
    );
}

#[test]
fn cost_of_selected_sets_and_of_an_unknown_set() {
    let env = Env::applied(WEB_AND_API);
    let doc = env.run(["cost", "api", "-o", "json"]).code(0).json();
    assert_eq!(doc["scaleSets"].as_array().unwrap().len(), 1);
    // 2 x 0.096 + 2 x 19.71 / 730 = 0.192 + 0.054.
    assert_money(&doc["totalHourlyCost"], "0.246000");
    env.run(["cost", "nope"]).code(1).stderr_has("scale set 'nope' does not exist");
}

#[test]
fn cost_without_a_state_prices_the_definition() {
    let env = Env::with_definition(WEB);
    let doc = env.run(["cost", "-o", "json"]).code(0).json();
    // Nothing runs yet: the run rate is zero, the definition is what is priced.
    assert_money(&doc["totalHourlyCost"], "0.000000");
    assert_eq!(doc["scaleSets"], serde_json::json!([]));
    assert_money(&doc["defined"]["monthlyCost"], "269.37");
    assert_money(&doc["defined"]["scaleSets"][0]["monthlyCost"], "269.37");
    assert_eq!(doc["defined"]["scaleSets"][0]["capacity"], 3);
    env.run(["cost"])
        .code(0)
        .stdout_has("Nothing created yet: the definition as written")
        .stdout_has("  Compute (Standard_D2s_v5, Linux)        2,190")
        .stdout_has("Defined: $269.37 a month (730 h)");
    env.run(["cost", "--max-monthly", "200"]).code(3);
}

#[test]
fn creating_vms_bill_only_their_disks() {
    let env = Env::applied(&WEB.replace("provisioningTime: 0s", "provisioningTime: 10m"));
    let doc = env.run(["cost", "-o", "json"]).code(0).json();
    assert_money(&doc["totalHourlyCost"], "0.081000");
    env.run(["advance", "10m"]).code(0);
    let doc = env.run(["cost", "-o", "json"]).code(0).json();
    assert_money(&doc["totalHourlyCost"], "0.369000");
    // Ten minutes of disks only: 0.081 / 6.
    assert_money(&doc["accruedCost"], "0.013500");
}

#[test]
fn over_budget_exits_3_with_the_amount_over() {
    let env = Env::applied(WEB);
    env.run(["cost", "--max-monthly", "1"])
        .code(3)
        .stdout_has("Now: $0.369 an hour")
        .stderr_has("error: over budget: projected monthly cost $269.37 is $268.37 above the budget of $1.00");
    env.run(["cost", "--max-monthly", "269.37"]).code(0);
    env.run(["cost", "--max-monthly", "$300"]).code(0);
}

// ---------------------------------------------------------------------------------------------
// contract-wide

/// Every object key in a JSON document, recursively.
fn keys(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn every_json_output_uses_camel_case_keys() {
    let env = Env::with_definition(WEB_AND_API);
    let commands: [&[&str]; 10] = [
        &["validate"],
        &["plan"],
        &["apply"],
        &["scale", "web", "--by", "+1"],
        &["advance", "1h"],
        &["list"],
        &["instances", "web"],
        &["instances", "api"],
        &["events"],
        &["cost"],
    ];
    for args in commands {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let doc = env.run(&all).code(0).json();
        let mut found = Vec::new();
        keys(&doc, &mut found);
        assert!(!found.is_empty(), "{args:?} printed no object");
        let bad: Vec<&String> =
            found.iter().filter(|k| k.contains('_') || k.contains('-') || k.starts_with(char::is_uppercase)).collect();
        assert!(bad.is_empty(), "{args:?}: keys not in camelCase: {bad:?}");
    }
}

#[test]
fn default_start_time_is_now_to_the_minute() {
    let env = Env::with_definition(WEB);
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    env.run_bare(["--seed", "1", "apply"]).code(0);
    let created = env.state()["createdAt"].as_str().unwrap().to_owned();
    let ts: jiff::Timestamp = created.parse().unwrap();
    let secs = u64::try_from(ts.as_second()).unwrap();
    assert_eq!(secs % 60, 0, "{created} is not on a minute");
    assert!(secs <= before + 60 && secs + 120 >= before, "{created} is not about now");
}

#[test]
fn seed_defaults_to_zero() {
    let env = Env::with_definition(WEB);
    env.run_bare(["--start-time", "2026-01-05T08:00:00Z", "apply"]).code(0);
    assert_eq!(env.state()["seed"], 0);
}

#[test]
fn schema_describes_the_definition() {
    let schema = Env::new().run(["schema"]).code(0).json();
    let set = &schema["$defs"]["RawScaleSet"]["properties"];
    for key in ["name", "region", "sku", "capacity", "orchestrationMode", "zones", "autoscale", "osDisk"] {
        assert!(set.get(key).is_some(), "schema lacks {key}: {schema:#}");
    }
    assert!(schema["properties"].get("scaleSets").is_some());
}

#[test]
fn completions_for_bash() {
    Env::new().run(["completions", "bash"]).code(0).stdout_has("_scaleset()").stdout_has("--capacity");
    Env::new().run(["completions", "nosh"]).code(64);
}

#[test]
fn a_definition_piped_on_stdin_is_read_once() {
    // Regression: `cost` read the definition twice (its budget, then the whole file), so a
    // definition given as `-f /dev/stdin` was empty the second time.
    use std::io::Write;
    let env = Env::new();
    let mut child = env
        .command(["-f", "/dev/stdin", "apply"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("budget: {{ maxMonthly: 1 }}\n{WEB}").as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("web_0"));
    assert_eq!(env.state()["scaleSets"][0]["capacity"], 3);
}

#[test]
fn az_vmss_names_work_as_aliases() {
    let env = Env::applied(WEB);
    env.run(["list-instances", "web", "-o", "json"]).code(0);
    env.run(["scale", "web", "--new-capacity", "4"]).code(0);
    assert_eq!(env.set("web")["capacity"], 4);
    env.run(["stop", "web", "--instance-ids", "0", "1"]).code(0).stderr_has("web: stop 0, 1");
    env.run(["start", "web", "--instance-ids", "*"]).code(0);
    env.run(["update-instances", "web", "--instance-ids", "*"]).code(0);
    env.run(["protect", "web", "--instance-ids", "*"]).code(0);
    assert!(env.instances("web").iter().all(|i| i["protectFromScaleIn"] == true));
    // apply prints the plan it carries out before the result.
    env.define(&WEB.replace("capacity: 3", "capacity: 5"));
    env.run(["apply"]).code(0).stdout_has("~ web:\n    capacity: 4 -> 5\nPlan: 0 to add, 1 to change, 0 to destroy.\n");
}

#[test]
fn every_argument_has_help_text_and_a_manual_page_exists() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" || arg.is_hide_set() {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.get_about().is_none() {
                missing.push(format!("{path} {} (no about)", sub.get_name()));
            }
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&scaleset::cli::Cli::command(), "scaleset", &mut missing);
    assert!(missing.is_empty(), "arguments without help text:\n{}", missing.join("\n"));
    let env = Env::new();
    env.run(["manpage"]).code(0).stdout_has(".TH scaleset").stdout_has("simulate");
}

#[test]
fn events_filter_by_time_and_kind_and_say_why() {
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--capacity", "5"]).code(0);
    env.run(["advance", "2h"]).code(0);
    env.run(["scale", "web", "--capacity", "4"]).code(0);
    let all = env.json(["events", "web"]);
    let ins = env.json(["events", "web", "--kind", "scalein"]);
    assert_eq!(ins.as_array().unwrap().len(), 1, "{ins:#}");
    assert!(all.as_array().unwrap().len() > 2);
    let recent = env.json(["events", "--since", "1h"]);
    assert!(
        recent.as_array().unwrap().iter().all(|e| text(&e["time"]).as_str() >= "2026-01-05T09:00:00Z"),
        "{recent:#}"
    );
    let since = env.json(["events", "web", "--since", "2026-01-05T10:00:00Z"]);
    assert_eq!(since.as_array().unwrap().len(), 1);
    env.run(["events", "--kind", "ScaleInn"]).code(64).stderr_has("did you mean 'ScaleIn'?");
    env.run(["events", "--since", "yesterday"]).code(64);
    env.run(["events", "web"]).code(0).stdout_has("WHY").stdout_has("scale --capacity");
}

#[test]
fn completions_offer_set_names_and_instance_ids_from_the_state() {
    let env = Env::applied(WEB_AND_API);
    let complete = |index: &str, words: &[&str]| -> String {
        let mut cmd = env.command(["--"].iter().chain(words.iter()));
        cmd.env("COMPLETE", "bash").env("_CLAP_COMPLETE_INDEX", index).env("_CLAP_IFS", "\n");
        let out = crate::support::Outcome::of(&mut cmd).code(0);
        out.stdout
    };
    let sets = complete("2", &["scaleset", "scale", ""]);
    assert!(sets.lines().any(|l| l == "web") && sets.lines().any(|l| l == "api"), "{sets}");
    let ids = complete("4", &["scaleset", "stop", "web", "--instances", ""]);
    assert!(ids.lines().any(|l| l == "*") && ids.lines().any(|l| l == "2"), "{ids}");
    // The shell's own code, to source.
    let mut cmd = env.command(Vec::<&str>::new());
    cmd.env("COMPLETE", "bash");
    crate::support::Outcome::of(&mut cmd).code(0).stdout_has("_clap_complete_scaleset");
}
