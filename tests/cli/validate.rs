//! `validate`: a valid file passes; every problem is reported with file:line:col, all at once.

use crate::support::{EXAMPLE, Env, WEB, one_set};

#[test]
fn valid_file_passes_with_a_message() {
    let env = Env::with_definition(WEB);
    env.run(["validate"]).code(0).stdout_is("scalesets.yaml: valid (1 scale set(s): web)\n").stderr_empty();
    assert!(!env.exists("scalesets.state.json"), "validate must not create a state file");
}

#[test]
fn example_definition_is_valid() {
    Env::with_definition(EXAMPLE)
        .run(["validate"])
        .code(0)
        .stdout_is("scalesets.yaml: valid (2 scale set(s): web, batch)\n");
}

#[test]
fn valid_file_as_json() {
    let out = Env::with_definition(WEB).run(["validate", "-o", "json"]).code(0);
    let doc = out.json();
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["scaleSets"], serde_json::json!(["web"]));
}

#[test]
fn file_from_flag_and_from_environment() {
    let env = Env::new();
    env.write("other.yaml", WEB);
    env.run(["-f", "other.yaml", "validate"]).code(0).stdout_is("other.yaml: valid (1 scale set(s): web)\n");
    env.run(["--file", "other.yaml", "validate"]).code(0);
    let out = env.command(["validate"]).env("SCALESET_FILE", "other.yaml").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "other.yaml: valid (1 scale set(s): web)\n");
}

#[test]
fn malformed_yaml_shows_file_line_and_column() {
    // An unclosed flow sequence: the parser notices on the next line.
    let env = Env::with_definition(&one_set("web", "zones: [\"1\", \"2\"\ncapacity: 2"));
    env.run(["validate"])
        .code(65)
        .stdout_empty()
        .stderr_is("error: scalesets.yaml:6:13: illegal placement of ':' indicator\n");
}

#[test]
fn unclosed_quote_shows_where_it_starts() {
    let env = Env::with_definition("scaleSets:\n  - name: \"web\n    region: eastus\n");
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:2:11: unclosed quote");
}

#[test]
fn bad_indentation_shows_line_and_column() {
    let env = Env::with_definition(
        "scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n  capacity: 2\n",
    );
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:5:3: ");
}

#[test]
fn wrong_type_shows_line_and_column() {
    let env = Env::with_definition(&one_set("web", "capacity: \"three\""));
    env.run(["validate"]).code(65).stdout_empty().stderr_has("error: scalesets.yaml:5:15: ");
}

#[test]
fn wrong_type_message_was_rust_jargon() {
    // Regression: a string where a number belongs said "invalid i64".
    let env = Env::with_definition(&one_set("web", "capacity: three"));
    env.run(["validate"])
        .code(65)
        .stderr_is("error: scalesets.yaml:5:15: capacity: expected a whole number, found 'three'\n");
}

#[test]
fn wrong_type_for_a_boolean_and_a_list() {
    let env = Env::with_definition(&one_set("web", "zoneBalance: yes"));
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:5:18: invalid boolean");
    env.define(&one_set("web", "zones: \"1\""));
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:5:12: ");
}

#[test]
fn unknown_key_is_named() {
    let env = Env::with_definition(&one_set("web", "capacityy: 3"));
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:5:5: unknown key 'capacityy'; did you mean 'capacity'?");
}

#[test]
fn unknown_top_level_key_is_named() {
    let env = Env::with_definition("scaleSet:\n  - name: web\n");
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:1:1: unknown key 'scaleSet'; did you mean 'scaleSets'?");
}

#[test]
fn duplicate_key_message_spoke_of_a_library_option() {
    // Regression: the message told the user to "set DuplicateKeyPolicy in Options" (a library setting).
    let env = Env::with_definition(&one_set("web", "region: westus2"));
    env.run(["validate"])
        .code(65)
        .stderr_is("error: scalesets.yaml:5:5: duplicate key 'region' (each key may appear only once)\n");
}

#[test]
fn unknown_enum_value_lists_the_accepted_ones() {
    let env = Env::with_definition(&one_set("web", "orchestrationMode: sideways"));
    env.run(["validate"])
        .code(65)
        .stderr_has("scalesets.yaml:5:24: unknown value 'sideways' (accepted: Uniform | Flexible)");
}

#[test]
fn bad_duration_says_what_is_accepted() {
    let env = Env::with_definition(&one_set("web", "provisioningTime: 5x"));
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:5:23: invalid duration '5x'").stderr_has("PT5M");
}

/// Eleven sets, each with a different problem: all are reported in one run, in file order.
const EVERY_PROBLEM: &str = r#"scaleSets:
  - name: big
    region: eastus
    sku: Standard_D2s_v5
    orchestrationMode: Uniform
    singlePlacementGroup: true
    capacity: 150
  - name: zonal
    region: eastus
    sku: Standard_D2s_v5
    zones: ["1", "4"]
  - name: flexfd
    region: eastus
    sku: Standard_D2s_v5
    orchestrationMode: Flexible
    zones: ["1", "2"]
    platformFaultDomainCount: 3
  - name: prefix
    region: eastus
    sku: Standard_D2s_v5
    computerNamePrefix: abcdefghijklmnop
  - name: badsku
    region: eastus
    sku: Standard_D2s_v4
  - name: badregion
    region: eastuss
    sku: Standard_D2s_v5
  - name: dup
    region: eastus
    sku: Standard_D2s_v5
  - name: dup
    region: eastus
    sku: Standard_D2s_v5
  - name: minmax
    region: eastus
    sku: Standard_D2s_v5
    autoscale:
      profiles:
        - name: default
          capacity: { minimum: 5, maximum: 2, default: 3 }
  - name: outside
    region: eastus
    sku: Standard_D2s_v5
    autoscale:
      profiles:
        - name: default
          capacity: { minimum: 1, maximum: 4, default: 9 }
  - name: onezone
    region: eastus
    sku: Standard_D2s_v5
    zones: ["1"]
    zoneBalance: true
  - name: mix
    region: eastus
    sku: Standard_D2s_v5
    orchestrationMode: Uniform
    priority: Spot
    priorityMix: { baseRegularPriorityCount: 1, regularPriorityPercentageAboveBase: 50 }
"#;

#[test]
fn every_semantic_problem_is_reported_in_one_run() {
    let env = Env::with_definition(EVERY_PROBLEM);
    let out = env.run(["validate"]).code(65).stdout_empty();
    let expected = [
        "scalesets.yaml:7:5: scale set 'big': capacity: 150 is above the limit: a Uniform set in a single placement group holds at most 100 VMs",
        "scalesets.yaml:11:5: scale set 'zonal': zones: '4' is not a zone (accepted: \"1\", \"2\", \"3\")",
        "scalesets.yaml:17:5: scale set 'flexfd': platformFaultDomainCount: 3 is not allowed for a zonal Flexible set (accepted: 1)",
        "scalesets.yaml:21:5: scale set 'prefix': computerNamePrefix: 'abcdefghijklmnop' must be 1 to 15 characters long (it has 16)",
        "scalesets.yaml:24:5: scale set 'badsku': sku: unknown VM size 'Standard_D2s_v4'; did you mean",
        "scalesets.yaml:26:5: scale set 'badregion': region: unknown region 'eastuss'; did you mean 'eastus'?",
        // The second entry is the duplicate, so that is where the problem is.
        "scalesets.yaml:31:5: scale set 'dup': name: duplicate scale set name",
        // Autoscale problems point at the line of the setting they are about.
        "scalesets.yaml:40:11: scale set 'minmax': autoscale.profiles[0].capacity: minimum 5 is greater than maximum 2",
        "scalesets.yaml:47:47: scale set 'outside': autoscale.profiles[0].capacity.default: 9 is outside [minimum 1, maximum 4]",
        "scalesets.yaml:52:5: scale set 'onezone': zoneBalance: needs more than one zone (zones lists fewer than two)",
        "scalesets.yaml:58:5: scale set 'mix': priorityMix: exists for Flexible sets only",
    ];
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), expected.len() + 1, "one line per problem and a count:\n{}", out.stderr);
    for (line, want) in lines.iter().zip(expected) {
        assert!(
            line.trim_start_matches("error: ").starts_with(want),
            "expected a line starting with\n  {want}\ngot\n  {line}"
        );
    }
    assert_eq!(lines.last(), Some(&"11 problems in scalesets.yaml"));
    // The unknown size suggests the near miss.
    out.stderr_has("Standard_D2s_v5");
}

#[test]
fn problems_of_a_repeated_set_name_pointed_at_the_first_entry() {
    // Regression: problems of the second of two same-named sets pointed at the first one.
    let text = "scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: 1500\n";
    let out = Env::with_definition(text).run(["validate"]).code(65);
    out.stderr_has("scalesets.yaml:5:5: scale set 'web': name: duplicate scale set name")
        .stderr_has("scalesets.yaml:8:5: scale set 'web': capacity: 1500 is above the limit");
}

#[test]
fn set_named_like_an_autoscale_profile_was_located_at_the_profile() {
    // Regression: locating a set by name found an autoscale profile of that name first.
    let text = r#"scaleSets:
  - name: web
    region: eastus
    sku: Standard_D2s_v5
    autoscale:
      profiles:
        - name: default
          capacity: { minimum: 1, maximum: 3, default: 2 }
  - name: default
    region: eastus
    sku: Standard_D2s_v5
    capacity: 1500
"#;
    Env::with_definition(text).run(["validate"]).code(65).stderr_is(
        "error: scalesets.yaml:12:5: scale set 'default': capacity: 1500 is above the limit: a scale set holds at most 1000 VMs\n",
    );
}

#[test]
fn zone_balance_message_repeated_the_field_name() {
    // Regression: "zoneBalance: zoneBalance needs more than one zone".
    let env = Env::with_definition(&one_set("web", "zones: [\"1\"]\nzoneBalance: true"));
    env.run(["validate"]).code(65).stderr_is(
        "error: scalesets.yaml:6:5: scale set 'web': zoneBalance: needs more than one zone (zones lists fewer than two)\n",
    );
}

#[test]
fn flow_style_set_got_no_line() {
    // Regression: a set written in flow style was reported without a position.
    let env =
        Env::with_definition("scaleSets:\n  - { name: web, region: eastus, sku: Standard_D2s_v5, capacity: 5000 }\n");
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:2:7: scale set 'web': capacity: 5000 is above the limit");
}

#[test]
fn several_yaml_documents_named_a_library_function() {
    // Regression: the message said "use from_str_multiple or from_str_multiple_with_options".
    let env = Env::with_definition(&format!("{WEB}---\n{WEB}"));
    env.run(["validate"]).code(65).stderr_has("the file holds more than one YAML document").stderr_lacks("from_str");
}

#[test]
fn empty_scale_set_list_is_said_in_the_users_terms() {
    let env = Env::with_definition("scaleSets:\n");
    env.run(["validate"]).code(65).stderr_is("error: scalesets.yaml:1:10: scaleSets: expected a list\n");
    env.define("scaleSets: []\n");
    env.run(["validate"]).code(0).stdout_is("scalesets.yaml: valid (0 scale set(s): )\n");
}

#[test]
fn capacity_above_the_flexible_limit() {
    let env = Env::with_definition(&one_set("web", "capacity: 1001"));
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:5:5: scale set 'web': capacity: 1001 is above the limit");
    env.define(&one_set("web", "capacity: 1000"));
    env.run(["validate"]).code(0);
}

#[test]
fn uniform_without_single_placement_group_allows_1000() {
    let env =
        Env::with_definition(&one_set("web", "orchestrationMode: Uniform\nsinglePlacementGroup: false\ncapacity: 150"));
    env.run(["validate"]).code(0);
}

#[test]
fn empty_file_is_refused() {
    let env = Env::with_definition("");
    env.run(["validate"])
        .code(65)
        .stderr_is("error: scalesets.yaml: the file is empty; it needs a top-level 'scaleSets:' list\n");
}

#[test]
fn comment_only_file_said_unexpected_end_of_input() {
    // Regression: a file with only comments said "unexpected end of input".
    let env = Env::with_definition("# nothing here yet\n\n   # still nothing\n");
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml: the file is empty");
}

#[test]
fn missing_file_is_refused() {
    Env::new()
        .run(["validate"])
        .code(65)
        .stderr_is("error: cannot read definition file scalesets.yaml: no such file (give another with -f/--file or SCALESET_FILE)\n");
}

#[test]
fn directory_as_definition_is_refused() {
    let env = Env::new();
    std::fs::create_dir(env.path("defs")).unwrap();
    env.run(["-f", "defs", "validate"]).code(65).stderr_has("cannot read definition file defs: it is a directory");
}

#[test]
fn invalid_utf8_shows_where() {
    let env = Env::new();
    env.write("scalesets.yaml", b"scaleSets:\n  - name: w\xffb\n    region: eastus\n");
    env.run(["validate"]).code(65).stderr_is("error: scalesets.yaml:2:12: the file is not valid UTF-8\n");
}

#[test]
fn enum_values_are_case_insensitive() {
    let env = Env::with_definition(&one_set(
        "web",
        "os: LINUX\norchestrationMode: uniform\nscaleInPolicy: { rules: [newestvm] }\nupgradePolicy: { mode: rolling }\npriority: regular\nprovisioningTime: 0s",
    ));
    env.run(["validate"]).code(0);
    env.run(["apply"]).code(0);
    // Written back in the canonical spelling.
    let config = &env.set("web")["config"];
    assert_eq!(config["orchestrationMode"], "Uniform");
    assert_eq!(config["scaleInPolicy"], "NewestVM");
    assert_eq!(config["upgradePolicy"]["mode"], "Rolling");
    assert_eq!(config["model"]["os"], "linux");
}

#[test]
fn zones_as_integers_are_accepted() {
    let env = Env::with_definition(&one_set(
        "web",
        "orchestrationMode: Uniform\nzones: [1, 2, 3]\ncapacity: 3\nprovisioningTime: 0s",
    ));
    env.run(["validate"]).code(0);
    env.run(["apply"]).code(0);
    let out = env.run(["instances", "web", "-o", "json"]).code(0);
    let zones: Vec<serde_json::Value> = out.json().as_array().unwrap().iter().map(|i| i["zone"].clone()).collect();
    assert_eq!(zones, vec!["1", "2", "3"], "zones are strings in the output, as Azure writes them");
}

#[test]
fn durations_in_every_accepted_form() {
    for d in ["90s", "5m", "1h", "PT5M", "0s"] {
        let env = Env::with_definition(&one_set("web", &format!("provisioningTime: {d}")));
        env.run(["validate"]).code(0);
    }
    let env = Env::with_definition(&one_set("web", "provisioningTime: 2h"));
    env.run(["validate"]).code(65).stderr_has("provisioningTime: 2h is longer than the 1h");
}

#[test]
fn validate_reads_no_state() {
    // A broken state file does not matter to validate: it only reads the definition.
    let env = Env::with_definition(WEB);
    env.write("scalesets.state.json", "{ not json");
    env.run(["validate"]).code(0);
    assert_eq!(env.read("scalesets.state.json"), b"{ not json");
}

#[test]
fn validate_json_prints_the_diagnostics_whether_or_not_the_file_is_valid() {
    let env = Env::with_definition(&WEB.replace("region: eastus", "region: eastuss"));
    let out = env.run(["validate", "-o", "json"]).code(65);
    let doc = out.json();
    assert_eq!(doc["valid"], false);
    let diagnostics = doc["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty(), "{doc:#}");
    let region = diagnostics.iter().find(|d| d["field"] == "region").expect("the region problem");
    assert_eq!(region["severity"], "error");
    assert_eq!(region["file"], "scalesets.yaml");
    assert_eq!(region["set"], "web");
    assert!(region["line"].as_u64().is_some(), "{region:#}");
    assert_eq!(region["hint"], "did you mean 'eastus'?");
    // A syntax error has a line and a column too.
    env.define("scaleSets:\n  - name: [\n");
    let doc = env.run(["validate", "-o", "json"]).code(65).json();
    assert!(doc["diagnostics"][0]["line"].as_u64().is_some(), "{doc:#}");
    // A missing file is a diagnostic without a position.
    let doc = env.run(["-f", "missing.yaml", "validate", "-o", "json"]).code(65).json();
    assert!(doc["diagnostics"][0]["message"].as_str().unwrap().contains("no such file"));
    // A valid file: no errors, its sets.
    env.define(WEB);
    let doc = env.run(["validate", "-o", "json"]).code(0).json();
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["scaleSets"], serde_json::json!(["web"]));
    assert_eq!(doc["diagnostics"], serde_json::json!([]));
}

#[test]
fn messages_name_the_key_the_shape_and_azures_names() {
    let env = Env::with_definition(&one_set("web", "upgradePolicy: Rolling"));
    env.run(["validate"])
        .code(65)
        .stderr_has("upgradePolicy: expected a mapping, found 'Rolling'; for example upgradePolicy: { mode: Rolling }");
    env.define("scaleSets:\n  - name: web\n    location: eastus\n    sku: Standard_D2s_v5\n");
    env.run(["validate"]).code(65).stderr_has("unknown key 'location': Azure calls it that; here it is 'region'");
    env.define("scaleSets:\n  - name: web\n    region: eastus\n    vmSize: Standard_D2s_v5\n");
    env.run(["validate"]).code(65).stderr_has("unknown key 'vmSize': Azure calls it that; here it is 'sku'");
    // Sizes and regions as Azure accepts them: any case, a region's display name.
    env.define("scaleSets:\n  - name: web\n    region: West Europe\n    sku: standard_d2s_v5\n");
    env.run(["validate"])
        .code(0)
        .stderr_has("note: scale set 'web': region 'West Europe' read as 'westeurope'")
        .stderr_has("note: scale set 'web': VM size 'standard_d2s_v5' read as 'Standard_D2s_v5'");
    env.run(["apply"]).code(0);
    assert_eq!(env.set("web")["config"]["region"], "westeurope");
    assert_eq!(env.set("web")["config"]["model"]["sku"], "Standard_D2s_v5");
    // An autoscale problem points at the rule's own line.
    env.define(&one_set(
        "web",
        "autoscale:\n  profiles:\n    - name: default\n      capacity: { minimum: 1, maximum: 4, default: 2 }\n      rules:\n        - { condition: \"Percentage CPU > 70 avg 5m\", scale: out 1 }\n        - { condition: \"Percentage CPU >> 70 avg 5m\", scale: out 1 }",
    ));
    env.run(["validate"]).code(65).stderr_has("scalesets.yaml:11:").stderr_has("rules[1].condition");
}
