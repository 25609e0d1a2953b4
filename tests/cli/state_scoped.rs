//! Commands on one set read only that set: the others are carried through as the exact JSON
//! text they were read as and written back byte for byte, whatever the file's formatting.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::support::{Env, STATE, definition, set_yaml};

/// The JSON text of each set in a state file, by name, as it stands in the file.
fn set_texts(bytes: &[u8]) -> Vec<(String, String)> {
    #[derive(Deserialize)]
    struct Doc<'a> {
        #[serde(borrow, rename = "scaleSets")]
        scale_sets: Vec<&'a RawValue>,
    }
    #[derive(Deserialize)]
    struct Head {
        config: Config,
    }
    #[derive(Deserialize)]
    struct Config {
        name: String,
    }
    let doc: Doc<'_> = serde_json::from_slice(bytes).expect("a state file");
    doc.scale_sets
        .iter()
        .map(|raw| (serde_json::from_str::<Head>(raw.get()).unwrap().config.name, raw.get().to_owned()))
        .collect()
}

fn three_sets() -> Env {
    let set = |name: &str| set_yaml(name, "capacity: 3\nzones: [1, 2, 3]\nprovisioningTime: 0s");
    let env = Env::applied(&definition(&[set("alpha"), set("bravo"), set("charlie")]));
    // Some history in every set, so there is more than a fresh model to carry.
    env.ok(["scale", "alpha", "--by", "2"]);
    env.ok(["protect", "charlie", "--instances", "1"]);
    env
}

#[test]
fn commands_on_one_set_leave_the_others_byte_identical() {
    let env = three_sets();
    let before = set_texts(&env.state_bytes());
    for args in [
        vec!["scale", "bravo", "--by", "2"],
        vec!["protect", "bravo", "--instances", "0"],
        vec!["delete", "bravo", "--instances", "1"],
        vec!["stop", "bravo", "--instances", "2"],
        vec!["health", "bravo", "--instances", "3", "--set", "unhealthy"],
    ] {
        env.ok(args.clone());
        let after = set_texts(&env.state_bytes());
        assert_eq!(after.len(), 3, "{args:?}");
        assert_eq!(after[0], before[0], "alpha untouched by {args:?}");
        assert_eq!(after[2], before[2], "charlie untouched by {args:?}");
    }
    let after = set_texts(&env.state_bytes());
    assert_ne!(after[1], before[1], "bravo changed");
    // The whole file is still a state every command reads in full.
    let list = env.ok(["list", "-o", "json"]).json();
    let capacities: Vec<u64> = list.as_array().unwrap().iter().map(|s| s["capacity"].as_u64().unwrap()).collect();
    assert_eq!(capacities, [5, 4, 3]);
}

#[test]
fn a_file_reformatted_by_hand_keeps_its_formatting_in_untouched_sets() {
    let env = three_sets();
    // As `jq .` would leave it: indented, spaces after colons.
    let value: serde_json::Value = serde_json::from_slice(&env.state_bytes()).unwrap();
    env.write(STATE, serde_json::to_string_pretty(&value).unwrap());
    let before = set_texts(&env.state_bytes());
    assert!(before[0].1.contains('\n'), "the sets are indented now");
    env.ok(["scale", "bravo", "--capacity", "1"]);
    let after = set_texts(&env.state_bytes());
    assert_eq!(after[0], before[0]);
    assert_eq!(after[2], before[2]);
    assert_eq!(env.ok(["instances", "bravo", "-o", "json"]).json().as_array().unwrap().len(), 1);
}

#[test]
fn an_unknown_set_is_named_with_the_carried_ones_as_suggestions() {
    let env = three_sets();
    let before = env.state_bytes();
    env.run(["scale", "charly", "--by", "1"]).code(1).stderr_has("charlie");
    env.run(["instances", "alpah"]).code(1).stderr_has("alpha");
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn a_broken_set_read_by_the_command_is_refused_with_its_place() {
    let env = three_sets();
    // bravo's capacity no longer matches its instances: refused by name, nothing written.
    let text = String::from_utf8(env.state_bytes()).unwrap();
    let at = text.find(r#"{"config":{"name":"bravo""#).unwrap();
    let capacity = at + text[at..].find(r#""capacity":3"#).unwrap();
    let broken = format!("{}\"capacity\":4{}", &text[..capacity], &text[capacity + r#""capacity":3"#.len()..]);
    env.write(STATE, &broken);
    env.run(["scale", "bravo", "--by", "1"]).code(74).stderr_has("scale set 'bravo' has capacity 4 but 3 instances");
    assert_eq!(env.state_bytes(), broken.as_bytes());
    // list and cost, which read every set's summary, refuse it as the full parse does.
    env.run(["list"]).code(74).stderr_has("scale set 'bravo' has capacity 4 but 3 instances");
    env.run(["cost"]).code(74).stderr_has("scale set 'bravo' has capacity 4 but 3 instances");
}

#[test]
fn a_version_1_file_without_an_index_is_read_and_written_back_as_version_2() {
    let env = three_sets();
    // A version 1 file as a previous scaleset wrote it: the same document without the index.
    let text = String::from_utf8(env.state_bytes()).unwrap();
    let at = text.rfind(r#","setIndex":"#).expect("the writer indexes the sets");
    let v1 = format!("{}}}\n", &text[..at]).replacen(r#""schemaVersion":2"#, r#""schemaVersion":1"#, 1);
    env.write(STATE, &v1);
    let before = set_texts(&env.state_bytes());
    assert_eq!(env.ok(["instances", "alpha", "-o", "json"]).json().as_array().unwrap().len(), 5);
    env.ok(["scale", "bravo", "--by", "1"]);
    let after: serde_json::Value = serde_json::from_slice(&env.state_bytes()).unwrap();
    assert_eq!(after["schemaVersion"], 2);
    let index = after["setIndex"]["sets"].as_array().unwrap();
    let names: Vec<&str> = index.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alpha", "bravo", "charlie"]);
    assert!(index.iter().all(|e| e["head"].is_u64() && e["vms"].is_array()), "counted for list from the first write");
    let texts = set_texts(&env.state_bytes());
    assert_eq!((&texts[0], &texts[2]), (&before[0], &before[2]));
    // The index points at each set's bytes.
    let bytes = env.state_bytes();
    for (entry, (name, text)) in index.iter().zip(&texts) {
        let (start, end) = (entry["start"].as_u64().unwrap() as usize, entry["end"].as_u64().unwrap() as usize);
        assert_eq!(&bytes[start..end], text.as_bytes(), "{name}");
    }
}

#[test]
fn list_and_cost_read_the_same_through_the_index_and_without_it() {
    let env = three_sets();
    env.ok(["stop", "alpha", "--instances", "0", "1"]);
    env.ok(["scale", "charlie", "--by", "1"]); // a scoped write: alpha and bravo are copied
    let state: serde_json::Value = serde_json::from_slice(&env.state_bytes()).unwrap();
    for entry in state["setIndex"]["sets"].as_array().unwrap() {
        assert!(entry["head"].is_u64() && entry["vms"].is_array(), "carried sets keep their counts: {entry}");
    }
    let through_index = env.ok(["list", "-o", "json"]).stdout;
    let table = env.ok(["list"]).stdout;
    let cost = env.ok(["cost", "--commitments", "-o", "json"]).stdout;
    let mut plain = state.clone();
    plain.as_object_mut().unwrap().remove("setIndex");
    env.write(STATE, serde_json::to_vec(&plain).unwrap());
    assert_eq!(env.ok(["list", "-o", "json"]).stdout, through_index);
    assert_eq!(env.ok(["list"]).stdout, table);
    assert_eq!(env.ok(["cost", "--commitments", "-o", "json"]).stdout, cost);
    let rows: serde_json::Value = serde_json::from_str(&through_index).unwrap();
    assert_eq!(rows[0]["runningCount"], 3, "two of alpha's five VMs are stopped");
}
