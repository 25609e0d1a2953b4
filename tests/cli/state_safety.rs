//! The state file: refused when corrupt, truncated, newer or not ours (and then never touched),
//! a backup of the previous version, a serial that counts changes, a fixed seed, the lock.

use crate::support::{Env, STATE, WEB, WEB_AND_API};

/// Runs a mutating and a reading command against whatever the state file holds and checks
/// both are refused with exit 74 and the file is left byte for byte as it was.
#[track_caller]
fn refused_and_untouched(env: &Env, message: &str) {
    let before = env.state_bytes();
    env.run(["scale", "web", "--capacity", "5"]).code(74).stdout_empty().stderr_has(message);
    env.run(["apply"]).code(74).stderr_has(message);
    env.run(["list"]).code(74).stdout_empty().stderr_has(message);
    assert_eq!(env.state_bytes(), before, "a refused state file is never rewritten");
    assert!(!env.exists("scalesets.state.json.backup"), "nor backed up as if it were ours");
}

#[test]
fn corrupt_state_is_refused_and_left_untouched() {
    let env = Env::with_definition(WEB);
    env.write(STATE, "{ this is not json");
    refused_and_untouched(&env, "state file scalesets.state.json is not valid: ");
    env.run(["list"]).code(74).stderr_has("it was left untouched");
}

#[test]
fn truncated_state_is_refused() {
    let env = Env::applied(WEB);
    let full = env.state_bytes();
    env.write(STATE, &full[..full.len() / 2]);
    refused_and_untouched(&env, "state file scalesets.state.json is not valid: EOF while parsing");
}

#[test]
fn empty_state_file_is_refused() {
    let env = Env::with_definition(WEB);
    env.write(STATE, "");
    refused_and_untouched(&env, "state file scalesets.state.json is not valid: it is empty (0 bytes)");
}

#[test]
fn state_that_is_not_utf8_is_refused() {
    let env = Env::applied(WEB);
    let mut bytes = env.state_bytes();
    bytes[20] = 0xff;
    env.write(STATE, &bytes);
    refused_and_untouched(&env, "is not valid: it is not UTF-8 text (byte 20)");
}

#[test]
fn state_breaking_an_invariant_is_refused() {
    let env = Env::applied(WEB);
    let mut state = env.state();
    state["scaleSets"][0]["capacity"] = 7.into();
    env.write(STATE, serde_json::to_vec(&state).unwrap());
    refused_and_untouched(&env, "scale set 'web' has capacity 7 but 3 instances");
}

#[test]
fn newer_schema_is_refused_with_a_clear_message() {
    let env = Env::applied(WEB);
    let mut state = env.state();
    state["schemaVersion"] = 99.into();
    env.write(STATE, serde_json::to_vec(&state).unwrap());
    refused_and_untouched(
        &env,
        "state file scalesets.state.json has schema version 99, newer than this scaleset reads (up to 2): upgrade scaleset",
    );
}

#[test]
fn newer_schema_with_unknown_fields_is_still_called_newer() {
    let env = Env::applied(WEB);
    let mut state = env.state();
    state["schemaVersion"] = 3.into();
    state["somethingNew"] = serde_json::json!({ "a": 1 });
    env.write(STATE, serde_json::to_vec(&state).unwrap());
    refused_and_untouched(&env, "has schema version 3, newer than this scaleset reads");
}

#[test]
fn json_that_is_not_ours_is_refused() {
    let env = Env::with_definition(WEB);
    env.write(STATE, "{\"hello\":1}\n");
    refused_and_untouched(
        &env,
        "state file scalesets.state.json is not a scaleset state (it has no \"format\": \"scaleset-state\" field); refusing to overwrite it",
    );
}

#[test]
fn json_of_another_format_is_refused() {
    let env = Env::applied(WEB);
    let mut state = env.state();
    state["format"] = "terraform-state".into();
    env.write(STATE, serde_json::to_vec(&state).unwrap());
    refused_and_untouched(&env, "is not a scaleset state (its format is 'terraform-state')");
}

#[test]
fn directory_as_state_is_refused() {
    let env = Env::with_definition(WEB);
    std::fs::create_dir(env.path("states")).unwrap();
    env.run(["--state", "states", "list"])
        .code(74)
        .stderr_is("error: state path states is a directory; give a file path with --state\n");
    env.run(["--state", "states", "apply"]).code(74).stderr_has("state path states is a directory");
    assert!(std::fs::read_dir(env.path("states")).unwrap().next().is_none(), "nothing is written inside it");
}

#[test]
fn state_path_from_flag_and_from_environment() {
    let env = Env::with_definition(WEB);
    env.run(["--state", "prod.json", "apply"]).code(0);
    assert!(env.exists("prod.json"));
    assert!(!env.exists(STATE));
    let out = env.command(["list", "-o", "json"]).env("SCALESET_STATE", "prod.json").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["name"], "web");
}

#[test]
fn backup_holds_the_previous_version() {
    let env = Env::applied(WEB);
    assert!(!env.exists("scalesets.state.json.backup"), "no backup of a file that did not exist");
    let v1 = env.state_bytes();
    env.run(["scale", "web", "--by", "+1"]).code(0);
    assert_eq!(env.read("scalesets.state.json.backup"), v1);
    let v2 = env.state_bytes();
    assert_ne!(v1, v2);
    env.run(["scale", "web", "--by", "+1"]).code(0);
    assert_eq!(env.read("scalesets.state.json.backup"), v2);
    // A read-only command keeps both as they are.
    env.run(["list"]).code(0);
    assert_eq!(env.read("scalesets.state.json.backup"), v2);
}

#[test]
fn no_temporary_files_are_left_behind() {
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--by", "+1"]).code(0);
    let mut names: Vec<String> =
        std::fs::read_dir(env.root()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        ["scalesets.state.json", "scalesets.state.json.backup", "scalesets.state.json.lock", "scalesets.yaml"]
    );
}

#[test]
fn serial_counts_changes_only() {
    let env = Env::with_definition(WEB_AND_API);
    env.run(["apply"]).code(0);
    assert_eq!(env.serial(), 1, "one apply is one change, however many sets it creates");
    for step in [
        &["scale", "web", "--by", "+1"][..],
        &["delete", "api", "--instances", "0"],
        &["protect", "web", "--instances", "1"],
        &["advance", "5m"],
    ] {
        let before = env.serial();
        env.run(step).code(0);
        assert_eq!(env.serial(), before + 1, "after {step:?}");
    }
    let serial = env.serial();
    let bytes = env.state_bytes();
    let read_only: [&[&str]; 9] = [
        &["list"],
        &["list", "-o", "json"],
        &["instances", "web"],
        &["events"],
        &["cost"],
        &["plan"],
        &["validate"],
        &["schema"],
        &["events", "web", "--tail", "2"],
    ];
    for step in read_only {
        env.run(step).code(0);
    }
    let no_ops: [&[&str]; 5] = [
        &["scale", "web", "--capacity", "4"],
        &["scale", "web", "--by", "+0"],
        &["protect", "web", "--instances", "1"],
        &["unprotect", "web", "--instances", "0"],
        &["advance", "0s"],
    ];
    for step in no_ops {
        env.run(step).code(0);
    }
    // The definition matches after defining what the state holds.
    env.define(&WEB_AND_API.replace("capacity: 3", "capacity: 4").replace("capacity: 2", "capacity: 1"));
    env.run(["apply"]).code(0).stderr_is("No changes. The state matches the definition.\n");
    assert_eq!(env.serial(), serial);
    assert_eq!(env.state_bytes(), bytes, "reading and no-op commands never rewrite the state");
}

#[test]
fn refused_commands_do_not_count() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    env.run(["scale", "web", "--capacity", "-1"]).code(1);
    env.run(["scale", "web", "--capacity", "1000"]).code(1);
    env.run(["delete", "web", "--instances", "42"]).code(1);
    env.run(["create", "web"]).code(1);
    env.run(["scale", "nope", "--capacity", "1"]).code(1);
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn seed_is_fixed_when_the_state_is_created() {
    let env = Env::applied(WEB);
    assert_eq!(env.state()["seed"], 1);
    let before = env.state_bytes();
    env.run_bare(["--seed", "2", "scale", "web", "--by", "+1"]).code(1).stderr_is(
        "error: the state scalesets.state.json was created with seed 1; --seed 2 cannot change it (the seed is fixed when the state is created)\n",
    );
    let out = env.command(["scale", "web", "--by", "+1"]).env("SCALESET_SEED", "7").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("created with seed 1"));
    assert_eq!(env.state_bytes(), before);
    // Without --seed, or with the same one, the state's seed is used.
    env.run_bare(["scale", "web", "--by", "+1"]).code(0);
    env.run_bare(["--seed", "1", "scale", "web", "--by", "+1"]).code(0);
    assert_eq!(env.set("web")["capacity"], 5);
}

#[test]
fn seed_and_start_time_are_recorded_at_creation() {
    let env = Env::with_definition(WEB);
    env.run_bare(["--seed", "42", "--start-time", "2030-02-03T04:05:00Z", "apply"]).code(0);
    let state = env.state();
    assert_eq!(state["seed"], 42);
    assert_eq!(state["createdAt"], "2030-02-03T04:05:00Z");
    assert_eq!(state["clock"], "2030-02-03T04:05:00Z");
    // A later --start-time does not move the clock.
    env.run_bare(["--start-time", "2031-01-01T00:00:00Z", "scale", "web", "--by", "+1"])
        .code(0)
        .stderr_has("note: --start-time 2031-01-01T00:00:00Z ignored: the state already exists");
    assert_eq!(env.state()["clock"], "2030-02-03T04:05:00Z");
}

#[test]
fn bad_start_time_is_refused() {
    let env = Env::with_definition(WEB);
    env.run_bare(["--start-time", "yesterday", "apply"])
        .code(64)
        .stderr_has("invalid value 'yesterday' for '--start-time <RFC3339>': 'yesterday' is not an RFC 3339 time");
    assert!(!env.exists(STATE));
}

#[test]
fn stale_lock_record_of_a_dead_process_is_taken_over() {
    // The OS lock dies with its holder; the record it wrote stays and is reported.
    let env = Env::applied(WEB);
    env.write("scalesets.state.json.lock", "pid 999999 (scaleset scale web --by +1) since 2026-01-05T08:00:00Z");
    env.run(["scale", "web", "--by", "+1"]).code(0).stderr_has(
        "note: took over the state lock last held by pid 999999 (scaleset scale web --by +1) since 2026-01-05T08:00:00Z, which ended without releasing it",
    );
    assert_eq!(env.set("web")["capacity"], 4);
    env.run(["scale", "web", "--by", "+1"]).code(0).stderr_lacks("took over");
}

#[test]
fn held_lock_times_out_with_75_naming_the_holder() {
    let env = Env::applied(WEB);
    let before = env.state_bytes();
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(env.path("scalesets.state.json.lock"))
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(env.path("scalesets.state.json.lock"), "pid 4242 (scaleset apply) since 2026-01-05T08:00:00Z")
        .unwrap();
    env.run(["--lock-timeout", "1s", "scale", "web", "--by", "+1"])
        .code(75)
        .stderr_has("state file scalesets.state.json is locked by pid 4242 (scaleset apply) since 2026-01-05T08:00:00Z; gave up after 1s");
    // Readers do not wait for the lock.
    env.run(["list"]).code(0);
    lock.unlock().unwrap();
    assert_eq!(env.state_bytes(), before);
}

#[test]
fn io_error_was_printed_twice_as_caused_by() {
    // Regression: the I/O error was printed twice, in the message and again as "caused by".
    let env = Env::with_definition(WEB);
    env.run(["--state", "nodir/state.json", "apply"])
        .code(74)
        .stderr_is("error: cannot open the lock file nodir/state.json.lock: No such file or directory (os error 2)\n");
    // Reading a state that is not there shows nothing.
    env.run(["--state", "nodir/state.json", "list", "-o", "json"]).code(0).stdout_is("[]\n");
}
