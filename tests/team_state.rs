//! The state in Azure Blob Storage, against a real Azurite: many writers at once, writers
//! killed mid-transaction, a held lock, the service stopping, bad credentials and foreign
//! blobs, and copies in and out with `state pull|push|migrate`; and in S3, against moto.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::azurite::{Azurite, KEY};
use crate::support::moto::Moto;
use crate::support::{Env, Outcome, START, WEB};

const CONTAINER: &str = "tfstate";
const BLOB: &str = "team/scalesets.state.json";

/// A directory with the WEB definition, and Azurite with the container.
fn setup() -> (Env, Azurite, String) {
    let env = Env::with_definition(WEB);
    let azurite = Azurite::start();
    azurite.create_container(CONTAINER);
    (env, azurite, Azurite::url(CONTAINER, BLOB))
}

/// Runs scaleset against the blob, with Azurite's connection string and a short lease.
fn remote(env: &Env, azurite: &Azurite, url: &str, args: &[&str]) -> Outcome {
    let mut all = vec!["--state", url];
    all.extend_from_slice(args);
    env.run_with_env(
        all,
        &[("AZURE_STORAGE_CONNECTION_STRING", &azurite.connection_string()), ("SCALESET_LOCK_LEASE", "0.3")],
    )
}

/// The state as stored in the blob, read with Microsoft's SDK.
fn stored(azurite: &Azurite) -> Value {
    let bytes = azurite.get(CONTAINER, BLOB).expect("the state blob exists");
    serde_json::from_slice(&bytes).expect("the blob is JSON")
}

fn capacity(state: &Value) -> u64 {
    state["scaleSets"][0]["capacity"].as_u64().expect("capacity")
}

#[test]
fn a_team_shares_one_state_in_a_blob_and_copies_it_in_and_out() {
    let (env, azurite, url) = setup();
    remote(&env, &azurite, &url, &["apply", "--auto-approve"]).code(0);
    assert_eq!(stored(&azurite)["serial"], 1);
    let listed = remote(&env, &azurite, &url, &["list", "-o", "json"]).code(0).json();
    assert_eq!(listed[0]["capacity"], 3);
    remote(&env, &azurite, &url, &["scale", "web", "--by", "+2"]).code(0);
    // The version replaced is kept beside it.
    let backup: Value = serde_json::from_slice(&azurite.get(CONTAINER, &format!("{BLOB}.backup")).unwrap()).unwrap();
    assert_eq!(backup["serial"], 1);

    // pull prints the blob's bytes exactly.
    let pulled = remote(&env, &azurite, &url, &["state", "pull"]).code(0);
    assert_eq!(pulled.stdout.as_bytes(), azurite.get(CONTAINER, BLOB).unwrap());

    // migrate to a local file: the same state, usable there; the blob stays.
    remote(&env, &azurite, &url, &["state", "migrate", "--to", "local.json"]).code(0).stderr_has("serial 2");
    assert_eq!(env.read("local.json"), azurite.get(CONTAINER, BLOB).unwrap());
    env.ok(["--state", "local.json", "scale", "web", "--by", "+1"]);

    // push the newer local state back; pushing an older one is refused, --force allows it.
    remote(&env, &azurite, &url, &["state", "push", "local.json"]).code(0);
    assert_eq!(capacity(&stored(&azurite)), 6);
    env.write("old.json", pulled.stdout.as_bytes());
    let refused = remote(&env, &azurite, &url, &["state", "push", "old.json"]).code(1);
    refused.stderr_has("newer version of this state (serial 3)").stderr_has(&url);
    assert_eq!(stored(&azurite)["serial"], 3, "a refused push writes nothing");
    remote(&env, &azurite, &url, &["state", "push", "old.json", "--force"]).code(0);
    assert_eq!(stored(&azurite)["serial"], 2);

    // Another state (another lineage) is never replaced without --force.
    env.run_seeded("2", ["--state", "other.json", "apply", "--auto-approve"]).code(0);
    remote(&env, &azurite, &url, &["state", "push", "other.json"]).code(1).stderr_has("another state (lineage");
    // Pushing what is already there changes nothing.
    remote(&env, &azurite, &url, &["state", "push", "old.json"]).code(0).stderr_has("nothing to copy");
}

#[test]
fn forty_writers_at_once_lose_no_update() {
    let (env, azurite, url) = setup();
    remote(&env, &azurite, &url, &["apply", "--auto-approve"]).code(0);
    let before = stored(&azurite);
    let children: Vec<_> = (0..40)
        .map(|_| {
            let mut cmd = env.command(["--state", &url, "--lock-timeout", "120s", "scale", "web", "--by", "+1"]);
            cmd.env("AZURE_STORAGE_CONNECTION_STRING", azurite.connection_string()).stdout(Stdio::null());
            cmd.stderr(Stdio::piped()).spawn().expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "a writer failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let after = stored(&azurite);
    assert_eq!(capacity(&after), capacity(&before) + 40);
    assert_eq!(after["serial"].as_u64().unwrap(), before["serial"].as_u64().unwrap() + 40);
}

#[test]
fn writers_killed_mid_transaction_never_leave_a_broken_state() {
    let (env, azurite, url) = setup();
    remote(&env, &azurite, &url, &["apply", "--auto-approve"]).code(0);
    let points = ["locked", "replaced", "backup-written", "timed"];
    let pull = |env: &Env| -> Value {
        // A reader: never waits, and parses and checks what it reads (a broken state fails).
        serde_json::from_str(&remote(env, &azurite, &url, &["state", "pull"]).code(0).stdout).expect("JSON")
    };
    let mut before = pull(&env);
    for round in 0..50u64 {
        let point = points[usize::try_from(round).unwrap() % points.len()];
        let mut cmd = env.command([
            "--state",
            &url,
            "--start-time",
            START,
            "--lock-timeout",
            "60s",
            "scale",
            "web",
            "--by",
            "+1",
        ]);
        cmd.env("AZURE_STORAGE_CONNECTION_STRING", azurite.connection_string()).env("SCALESET_LOCK_LEASE", "0.1");
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        if point != "timed" {
            cmd.env("SCALESET_CRASH_AT", point);
        }
        let mut child = cmd.spawn().expect("spawn");
        if point == "timed" {
            // Somewhere in the transaction: waiting for the lease, reading, or writing.
            std::thread::sleep(Duration::from_millis(round * 7 % 60));
            let _ = child.kill();
        }
        let _ = child.wait();
        // Readers always see a whole state: the old one or the new one.
        let after = pull(&env);
        let (old, new) = (before["serial"].as_u64().unwrap(), after["serial"].as_u64().unwrap());
        assert!(new == old || new == old + 1, "round {round} ({point}): serial {old} -> {new}");
        match point {
            "locked" => assert_eq!(new, old, "round {round}: killed before writing"),
            "replaced" | "backup-written" => assert_eq!(new, old + 1, "round {round}: killed after writing"),
            _ => {}
        }
        assert_eq!(capacity(&after) - capacity(&before), new - old, "round {round}: capacity follows the serial");
        before = after;
    }
    // What Microsoft's SDK reads is what scaleset reads.
    assert_eq!(stored(&azurite), before);
    // The next writer takes over whatever lease was left and commits.
    let before = stored(&azurite);
    remote(&env, &azurite, &url, &["scale", "web", "--by", "+1"]).code(0);
    assert_eq!(stored(&azurite)["serial"].as_u64().unwrap(), before["serial"].as_u64().unwrap() + 1);
}

/// A lock record as another runner's scaleset leaves it while it works.
fn held_lock(azurite: &Azurite, lease_seconds: u64) {
    let record = format!(
        r#"{{"holder":"pid 4242 on ci-runner-7 (scaleset apply) since 2026-01-05T08:00:00Z","leaseMilliseconds":{},"released":false}}"#,
        lease_seconds * 1000
    );
    azurite.put(CONTAINER, &format!("{BLOB}.lock"), record.as_bytes());
}

#[test]
fn a_held_lock_makes_a_writer_wait_then_fail_naming_the_holder_and_a_dead_one_is_taken_over() {
    let (env, azurite, url) = setup();
    remote(&env, &azurite, &url, &["apply", "--auto-approve"]).code(0);
    held_lock(&azurite, 600);
    let started = Instant::now();
    let waited = remote(&env, &azurite, &url, &["--lock-timeout", "2s", "scale", "web", "--by", "+1"]).code(75);
    assert!(started.elapsed() >= Duration::from_secs(2), "it waited for the lock");
    waited.stderr_has("pid 4242 on ci-runner-7 (scaleset apply)").stderr_has(&url);
    // Readers do not wait.
    remote(&env, &azurite, &url, &["list"]).code(0);
    assert_eq!(stored(&azurite)["serial"], 1);

    // A lease nobody renews runs out on its own.
    held_lock(&azurite, 1);
    remote(&env, &azurite, &url, &["--lock-timeout", "20s", "scale", "web", "--by", "+1"])
        .code(0)
        .stderr_has("took over the state lock last held by pid 4242 on ci-runner-7");
    assert_eq!(stored(&azurite)["serial"], 2);
}

#[test]
fn the_service_stopping_mid_command_fails_clearly_and_leaves_the_blob_intact() {
    let (env, mut azurite, url) = setup();
    remote(&env, &azurite, &url, &["apply", "--auto-approve"]).code(0);
    let before = azurite.get(CONTAINER, BLOB).unwrap();
    // The writer waits for a lock; the service goes away under it.
    held_lock(&azurite, 600);
    let mut cmd = env.command(["--state", &url, "--lock-timeout", "60s", "scale", "web", "--by", "+1"]);
    cmd.env("AZURE_STORAGE_CONNECTION_STRING", azurite.connection_string());
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    std::thread::sleep(Duration::from_millis(800));
    azurite.stop();
    let started = Instant::now();
    let out = Outcome::from(child.wait_with_output().expect("wait"), &cmd).code(74);
    assert!(started.elapsed() < Duration::from_secs(45), "it gave up in bounded time");
    out.stderr_has(&url).stderr_has("nothing was written").stderr_lacks(KEY);
    // A command while it is down says so the same way.
    remote(&env, &azurite, &url, &["list"]).code(74).stderr_has(&url);
    azurite.restart();
    assert_eq!(azurite.get(CONTAINER, BLOB).unwrap(), before, "the blob is as it was");
}

#[test]
fn bad_credentials_missing_containers_and_foreign_blobs_are_refused_by_url() {
    let (env, azurite, url) = setup();
    let wrong = azurite.connection_string().replace(KEY, "d3Jvbmcga2V5IGZvciB0aGlzIGFjY291bnQ=");
    let out = env.run_with_env(["--state", &url, "list"], &[("AZURE_STORAGE_CONNECTION_STRING", &wrong)]).code(74);
    out.stderr_has(&url).stderr_has("refused the credentials").stderr_lacks("d3Jvbmcga2V5");

    let missing = Azurite::url("nosuchcontainer", BLOB);
    remote(&env, &azurite, &missing, &["apply", "--auto-approve"])
        .code(74)
        .stderr_has(&missing)
        .stderr_has("container does not exist");

    env.run(["--state", &url, "list"]).code(74).stderr_has("AZURE_STORAGE_CONNECTION_STRING");
    env.run(["--state", "gs://bucket/key", "list"]).code(64).stderr_has("az://ACCOUNT/CONTAINER/PATH");
    env.run(["--state", "az://Not_An_Account/c/k", "list"]).code(64).stderr_has("storage account name");

    // A corrupt blob and a blob that is not a state are refused and never overwritten.
    for (bytes, says) in
        [(&b"{\"format\": \"scaleset-st"[..], "not valid"), (&b"{\"hello\": 1}"[..], "not a scaleset state")]
    {
        azurite.put(CONTAINER, BLOB, bytes);
        remote(&env, &azurite, &url, &["list"]).code(74).stderr_has(&url).stderr_has(says);
        remote(&env, &azurite, &url, &["apply", "--auto-approve"]).code(74);
        assert_eq!(azurite.get(CONTAINER, BLOB).unwrap(), bytes, "left untouched");
    }
}

/// Runs scaleset against an S3 object on moto.
fn on_s3(env: &Env, moto: &Moto, url: &str, args: &[&str]) -> Outcome {
    let mut all = vec!["--state", url];
    all.extend_from_slice(args);
    let vars = moto.env();
    let mut pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pairs.push(("SCALESET_LOCK_LEASE", "0.3"));
    env.run_with_env(all, &pairs)
}

#[test]
fn s3_keeps_the_state_with_the_same_guarantees() {
    let env = Env::with_definition(WEB);
    let moto = Moto::start();
    moto.create_bucket("team-state");
    let url = "s3://team-state/ci/scalesets.state.json";
    on_s3(&env, &moto, url, &["apply", "--auto-approve"]).code(0);
    let stored = |moto: &Moto| -> Value {
        serde_json::from_slice(&moto.get("team-state", "ci/scalesets.state.json").expect("object")).expect("JSON")
    };
    // Twenty writers at once: every update lands once.
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut cmd = env.command(["--state", url, "--lock-timeout", "120s", "scale", "web", "--by", "+1"]);
            cmd.envs(moto.env()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "a writer failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let after = stored(&moto);
    assert_eq!((capacity(&after), after["serial"].as_u64().unwrap()), (23, 21));
    let backup: Value =
        serde_json::from_slice(&moto.get("team-state", "ci/scalesets.state.json.backup").unwrap()).unwrap();
    assert_eq!(backup["serial"], 20);

    // A writer killed after writing leaves the new state; the next one takes its lease over.
    let mut cmd = env.command(["--state", url, "scale", "web", "--by", "+1"]);
    cmd.envs(moto.env()).env("SCALESET_CRASH_AT", "replaced").env("SCALESET_LOCK_LEASE", "0.3");
    let _ = cmd.status();
    assert_eq!(stored(&moto)["serial"], 22);
    on_s3(&env, &moto, url, &["scale", "web", "--by", "+1"]).code(0).stderr_has("took over the state lock");
    assert_eq!(capacity(&stored(&moto)), 25);

    // Migrate to a local file: the same bytes.
    on_s3(&env, &moto, url, &["state", "migrate", "--to", "copy.json"]).code(0);
    assert_eq!(env.read("copy.json"), moto.get("team-state", "ci/scalesets.state.json").unwrap());

    // A missing bucket, a corrupt object: refused by URL, nothing written.
    on_s3(&env, &moto, "s3://no-such-bucket/x.json", &["list"]).code(74).stderr_has("the bucket does not exist");
    moto.put("team-state", "ci/scalesets.state.json", b"{\"format\":");
    on_s3(&env, &moto, url, &["scale", "web", "--by", "+1"]).code(74).stderr_has(url).stderr_has("not valid");
    assert_eq!(moto.get("team-state", "ci/scalesets.state.json").unwrap(), b"{\"format\":");
    env.run(["--state", url, "list"]).code(74).stderr_has("AWS_ACCESS_KEY_ID");
}
