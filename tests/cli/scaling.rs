//! Scaling semantics through the binary: IDs, names, zone placement, which VMs a scale-in
//! removes, protection, strict zone balance and capacity limits.

use crate::support::{Env, WEB, one_set};

/// A set of `capacity` zonal Uniform VMs, running at once, with `extra` lines.
fn zonal(name: &str, capacity: u32, zones: &str, extra: &str) -> String {
    one_set(
        name,
        &format!(
            "orchestrationMode: Uniform\noverprovision: false\nprovisioningTime: 0s\ncapacity: {capacity}\nzones: {zones}\n{extra}"
        ),
    )
}

/// A regional Uniform set (5 fault domains by default).
fn regional(name: &str, capacity: u32, extra: &str) -> String {
    one_set(
        name,
        &format!(
            "orchestrationMode: Uniform\noverprovision: false\nprovisioningTime: 0s\ncapacity: {capacity}\n{extra}"
        ),
    )
}

#[test]
fn ids_go_up_and_are_never_reused() {
    let env = Env::applied(WEB);
    assert_eq!(env.ids("web"), [0, 1, 2]);
    env.run(["scale", "web", "--capacity", "1"]).code(0);
    assert_eq!(env.ids("web"), [0]);
    env.run(["scale", "web", "--capacity", "3"]).code(0).stderr_has("created 3, 4");
    assert_eq!(env.ids("web"), [0, 3, 4], "new VMs get 3 and 4, never 1 and 2 again");
    assert_eq!(env.set("web")["nextInstanceId"], 5);
}

#[test]
fn ids_are_not_reused_after_deleting_the_highest() {
    let env = Env::applied(WEB);
    env.run(["delete", "web", "--instances", "2"]).code(0);
    env.run(["scale", "web", "--by", "+1"]).code(0);
    assert_eq!(env.ids("web"), [0, 1, 3]);
}

#[test]
fn ids_are_not_reused_after_deleting_the_whole_set_and_recreating_it() {
    // A new set starts from 0 again: IDs are per set.
    let env = Env::applied(WEB);
    env.run(["delete", "web"]).code(0);
    env.run(["create", "web"]).code(0);
    assert_eq!(env.ids("web"), [0, 1, 2]);
}

#[test]
fn overprovisioned_extras_take_ids_but_not_capacity() {
    // Uniform sets overprovision by default, as Azure does: the extras leave gaps in the IDs.
    let env = Env::applied(&one_set("op", "orchestrationMode: Uniform\nprovisioningTime: 0s\ncapacity: 5"));
    let op = env.set("op");
    assert_eq!(op["capacity"], 5);
    assert_eq!(env.ids("op"), [0, 1, 2, 3, 4]);
    assert_eq!(op["nextInstanceId"], 6, "one extra (20% of 5) took ID 5");
    env.run(["scale", "op", "--by", "+1"]).code(0);
    assert_eq!(env.ids("op"), [0, 1, 2, 3, 4, 6]);
}

#[test]
fn names_and_computer_names() {
    let env = Env::applied(&regional("web", 37, ""));
    let rows = env.run(["instances", "web", "-o", "json"]).code(0).json();
    let rows = rows.as_array().unwrap();
    let pick = |id: usize| (rows[id]["name"].as_str().unwrap(), rows[id]["computerName"].as_str().unwrap());
    assert_eq!(pick(0), ("web_0", "web000000"));
    assert_eq!(pick(9), ("web_9", "web000009"));
    assert_eq!(pick(10), ("web_10", "web00000a"), "computer names count in base 36");
    assert_eq!(pick(35), ("web_35", "web00000z"));
    assert_eq!(pick(36), ("web_36", "web000010"));
}

#[test]
fn computer_name_prefix_default_and_explicit() {
    let env = Env::applied(&regional("my_long_scale_set", 1, ""));
    let row = env.run(["instances", "my_long_scale_set", "-o", "json"]).code(0).json()[0].clone();
    assert_eq!(row["name"], "my_long_scale_set_0");
    assert_eq!(row["computerName"], "mylongsca000000", "default prefix: the name without '_', 9 characters");
    let env = Env::applied(&regional("web", 1, "computerNamePrefix: frontend"));
    let row = env.run(["instances", "web", "-o", "json"]).code(0).json()[0].clone();
    assert_eq!(row["computerName"], "frontend000000");
}

#[test]
fn zones_are_filled_round_robin_in_listed_order() {
    let env = Env::applied(&zonal("web", 6, r#"["1", "2", "3"]"#, ""));
    assert_eq!(env.zones("web"), [1, 2, 3, 1, 2, 3]);
    let env = Env::applied(&zonal("web", 5, r#"["3", "1"]"#, ""));
    assert_eq!(env.zones("web"), [3, 1, 3, 1, 3], "the zone listed first is filled first");
}

#[test]
fn regional_vms_spread_over_fault_domains() {
    let env = Env::applied(&regional("web", 7, ""));
    let rows = env.run(["instances", "web", "-o", "json"]).code(0).json();
    let fds: Vec<u64> = rows.as_array().unwrap().iter().map(|r| r["faultDomain"].as_u64().unwrap()).collect();
    assert_eq!(fds, [0, 1, 2, 3, 4, 0, 1]);
}

#[test]
fn scale_out_fills_the_emptiest_zone_first() {
    let env = Env::applied(&zonal("web", 6, r#"["1", "2", "3"]"#, ""));
    env.run(["delete", "web", "--instances", "2", "5"]).code(0); // zone 3 is now empty
    env.run(["scale", "web", "--by", "+3"]).code(0);
    // 6 and 7 go to zone 3, then 8 to zone 1 (the first listed of the tied zones).
    assert_eq!(env.ids("web"), [0, 1, 3, 4, 6, 7, 8]);
    assert_eq!(env.zones("web"), [1, 2, 1, 2, 3, 3, 1]);
}

#[test]
fn scale_in_removes_from_the_fullest_zone_first() {
    let env = Env::applied(&zonal("web", 6, r#"["1", "2", "3"]"#, ""));
    // Empty zone 3, then put one new VM (ID 6) there: zones 1 and 2 hold two VMs, zone 3 one.
    env.run(["delete", "web", "--instances", "2", "5"]).code(0);
    env.run(["scale", "web", "--by", "+1"]).code(0);
    assert_eq!(env.zones("web"), [1, 2, 1, 2, 3]);
    // The highest ID is 6, but its zone is the emptiest: the VM goes from zone 1 or 2 instead,
    // the highest ID there (4).
    env.run(["scale", "web", "--by", "-1"]).code(0).stderr_has("deleted 4");
    assert_eq!(env.ids("web"), [0, 1, 3, 6]);
}

#[test]
fn default_policy_removes_the_highest_ids() {
    let env = Env::applied(&regional("web", 5, ""));
    env.run(["scale", "web", "--capacity", "2"]).code(0).stderr_has("deleted 2, 3, 4");
    assert_eq!(env.ids("web"), [0, 1]);
}

#[test]
fn default_policy_balances_fault_domains_before_ids() {
    // Six VMs over five fault domains: FD 0 holds IDs 0 and 5; the first to go is from FD 0.
    let env = Env::applied(&regional("web", 6, ""));
    env.run(["scale", "web", "--by", "-1"]).code(0).stderr_has("deleted 5");
    let env = Env::applied(&regional("web", 6, ""));
    env.run(["delete", "web", "--instances", "5"]).code(0);
    env.run(["scale", "web", "--by", "+1"]).code(0); // ID 6 goes to FD 0
    env.run(["protect", "web", "--instances", "6"]).code(0);
    // FD 0 has two VMs (0 and the protected 6): 0 goes before the higher 4.
    env.run(["scale", "web", "--by", "-1"]).code(0).stderr_has("deleted 0");
}

#[test]
fn newest_vm_policy_removes_the_newest() {
    let env = Env::applied(&regional("web", 2, "scaleInPolicy: { rules: [NewestVM] }"));
    env.run(["advance", "5m"]).code(0);
    env.run(["scale", "web", "--by", "+2"]).code(0); // 2, 3 at 08:05
    env.run(["advance", "5m"]).code(0);
    env.run(["scale", "web", "--by", "+2"]).code(0); // 4, 5 at 08:10
    env.run(["scale", "web", "--capacity", "3"]).code(0).stderr_has("deleted 3, 4, 5");
    assert_eq!(env.ids("web"), [0, 1, 2]);
}

#[test]
fn oldest_vm_policy_removes_the_oldest() {
    let env = Env::applied(&regional("web", 2, "scaleInPolicy: { rules: [OldestVM] }"));
    env.run(["advance", "5m"]).code(0);
    env.run(["scale", "web", "--by", "+2"]).code(0); // 2, 3 at 08:05
    env.run(["scale", "web", "--capacity", "1"]).code(0).stderr_has("deleted 0, 1, 2");
    assert_eq!(env.ids("web"), [3]);
}

#[test]
fn protection_blocks_a_scale_in_that_cannot_be_met() {
    let env = Env::applied(WEB);
    env.run(["protect", "web", "--instances", "1", "2"]).code(0);
    let before = env.state_bytes();
    let serial = env.serial();
    env.run(["scale", "web", "--capacity", "0"]).code(1).stderr_is(
        "error: scale set 'web': cannot scale in from 3 to 0: only 1 VM(s) are not protected from scale-in; protected: 1, 2\n",
    );
    assert_eq!(env.state_bytes(), before, "a refused scale-in changes nothing");
    assert_eq!(env.serial(), serial);
}

#[test]
fn protection_steers_a_scale_in_to_unprotected_vms() {
    let env = Env::applied(WEB);
    env.run(["protect", "web", "--instances", "2"]).code(0);
    env.run(["scale", "web", "--capacity", "1"]).code(0).stderr_has("deleted 0, 1");
    assert_eq!(env.ids("web"), [2]);
}

#[test]
fn protection_blocks_apply_of_a_smaller_capacity() {
    let env = Env::applied(WEB);
    env.run(["protect", "web", "--instances", "0", "1", "2"]).code(0);
    let before = env.state_bytes();
    env.define(&WEB.replace("capacity: 3", "capacity: 1"));
    env.run(["apply"]).code(1).stderr_has("protected: 0, 1, 2");
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn delete_instances_removes_protected_vms() {
    let env = Env::applied(WEB);
    env.run(["protect", "web", "--instances", "0", "--scale-set-actions"]).code(0);
    env.run(["delete", "web", "--instances", "0"]).code(0).stderr_is("web: deleted 0 (capacity 3 -> 2)\n");
    assert_eq!(env.ids("web"), [1, 2]);
}

#[test]
fn strict_zone_balance_refuses_a_delete_that_leaves_zones_two_apart() {
    let env = Env::applied(&zonal("bal", 6, r#"["1", "2", "3"]"#, "zoneBalance: true"));
    let before = env.state_bytes();
    env.run(["delete", "bal", "--instances", "0", "3"])
        .code(1)
        .stderr_has("error: scale set 'bal': refused by strict zone balance (zoneBalance: true)")
        .stderr_has("zone 1: 0, zone 2: 2, zone 3: 2 (more than one VM apart)");
    assert_eq!(env.state_bytes(), before);
    // One VM from zone 1 keeps the zones within one of each other.
    env.run(["delete", "bal", "--instances", "0"]).code(0);
    assert_eq!(env.zones("bal"), [2, 3, 1, 2, 3]);
}

#[test]
fn best_effort_zone_balance_allows_the_same_delete() {
    let env = Env::applied(&zonal("bal", 6, r#"["1", "2", "3"]"#, ""));
    env.run(["delete", "bal", "--instances", "0", "3"]).code(0);
    assert_eq!(env.zones("bal"), [2, 3, 2, 3]);
}

#[test]
fn uniform_single_placement_group_caps_scale_at_100() {
    let env = Env::applied(&regional("web", 1, ""));
    let before = env.state_bytes();
    env.run(["scale", "web", "--capacity", "101"]).code(1).stderr_has("capacity 101 is above the limit of 100");
    assert_eq!(env.state_bytes(), before);
    env.run(["scale", "web", "--capacity", "100"]).code(0);
    assert_eq!(env.ids("web").len(), 100);
    env.run(["scale", "web", "--by", "+1"]).code(1).stderr_has("above the limit of 100");
}

#[test]
fn uniform_without_single_placement_group_goes_past_100() {
    let env = Env::applied(&regional("web", 1, "singlePlacementGroup: false"));
    env.run(["scale", "web", "--capacity", "101"]).code(0);
    assert_eq!(env.set("web")["capacity"], 101);
    env.run(["scale", "web", "--capacity", "1001"])
        .code(1)
        .stderr_has("above the limit of 1000: a scale set holds at most 1000 VMs");
}

#[test]
fn flexible_sets_cap_at_1000() {
    let env = Env::applied(&one_set("flex", "capacity: 0\nprovisioningTime: 0s"));
    env.run(["scale", "flex", "--capacity", "1001"]).code(1).stderr_has("above the limit of 1000");
    env.run(["scale", "flex", "--capacity", "1000"]).code(0);
    assert_eq!(env.set("flex")["capacity"], 1000);
}
