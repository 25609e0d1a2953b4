//! Waiting for the lock: `--lock-timeout` is honoured to the second and fails cleanly (exit 75,
//! the holder named, nothing written); a waiter goes on as soon as the holder lets go; writers
//! with no patience at all either land or fail cleanly, never half-way.

use std::fs::{File, OpenOptions};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{Env, WEB};

const LOCK: &str = "scalesets.state.json.lock";

/// Takes the state's lock from the test, as another process would.
fn hold_lock(env: &Env, record: &str) -> File {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(env.path(LOCK))
        .expect("open lock file");
    file.lock().expect("lock");
    std::fs::write(env.path(LOCK), record).expect("write record");
    file
}

#[test]
fn timeout_fails_cleanly_naming_the_holder_and_writes_nothing() {
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--by=+1"]).code(0);
    let (state, backup) = (env.state_bytes(), env.read("scalesets.state.json.backup"));
    let lock = hold_lock(&env, "");

    let t0 = Instant::now();
    env.run(["--lock-timeout", "1s", "-o", "json", "scale", "web", "--by=+1"]).code(75).stdout_empty().stderr_is(
        "error: state file scalesets.state.json is locked by another process; gave up after 1s (raise --lock-timeout or try again)\n",
    );
    let waited = t0.elapsed();
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_secs(4), "waited {waited:?}");

    std::fs::write(env.path(LOCK), "pid 31337 (scaleset advance 1d) since 2026-01-05T08:00:00Z").unwrap();
    let t0 = Instant::now();
    env.run(["--lock-timeout", "0s", "delete", "web", "--instances", "0"]).code(75).stderr_is(
        "error: state file scalesets.state.json is locked by pid 31337 (scaleset advance 1d) since 2026-01-05T08:00:00Z; gave up after 0s (raise --lock-timeout or try again)\n",
    );
    assert!(t0.elapsed() < Duration::from_secs(1), "no patience means no wait");

    // Every kind of writer is held off; readers are not.
    for args in [&["apply"][..], &["advance", "1m"], &["protect", "web", "--instances", "1"], &["create", "web"]] {
        let all: Vec<&str> = ["--lock-timeout", "0s"].iter().chain(args).copied().collect();
        env.run(all).code(75);
    }
    env.run(["list", "-o", "json"]).code(0);
    env.run(["cost"]).code(0);
    assert_eq!(env.state_bytes(), state, "nothing written");
    assert_eq!(env.read("scalesets.state.json.backup"), backup, "backup untouched");
    assert_eq!(crate::support::temporaries(env.root()), Vec::<String>::new());
    // The test let go without clearing its record, as a killed holder would.
    drop(lock);
    env.run(["scale", "web", "--by=+1"]).code(0).stderr_has("took over the state lock last held by pid 31337");
}

#[test]
fn waiter_goes_on_when_the_holder_lets_go_and_reports_a_dead_holder() {
    let env = Env::applied(WEB);
    // A holder that dies (here: lets go without clearing its record, as a killed one does).
    let lock = hold_lock(&env, "pid 4242 (scaleset apply) since 2026-01-05T08:00:00Z");
    let mut waiter = env
        .command(["--lock-timeout", "20s", "scale", "web", "--by=+2"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(400));
    assert!(waiter.try_wait().unwrap().is_none(), "the waiter waits while the lock is held");
    let released = Instant::now();
    drop(lock);
    let out = waiter.wait_with_output().unwrap();
    assert!(released.elapsed() < Duration::from_secs(5), "it went on soon after");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "note: took over the state lock last held by pid 4242 (scaleset apply) since 2026-01-05T08:00:00Z, which ended without releasing it\nweb: scaled out from 3 to 5: created 3, 4\n"
    );
    assert_eq!(env.set("web")["capacity"], 5);
    assert!(env.read(LOCK).is_empty(), "released and cleared");
}

#[test]
fn impatient_racing_writers_land_or_fail_cleanly() {
    let env = Env::applied(WEB);
    let (mut collisions, mut landed) = (0, 0);
    let serial0 = env.serial();
    for round in 0..10 {
        let children: Vec<_> = (0..10)
            .map(|_| {
                env.command(["--lock-timeout", "0s", "scale", "web", "--by=+1"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        let pids: Vec<u32> = children.iter().map(std::process::Child::id).collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8(out.stderr).unwrap();
            match out.status.code() {
                Some(0) => landed += 1,
                Some(75) => {
                    collisions += 1;
                    let holder = stderr
                        .strip_prefix("error: state file scalesets.state.json is locked by ")
                        .and_then(|s| s.strip_suffix("; gave up after 0s (raise --lock-timeout or try again)\n"))
                        .unwrap_or_else(|| panic!("unexpected message: {stderr}"));
                    let named = holder == "another process"
                        || pids.iter().any(|p| {
                            holder
                                .starts_with(&format!("pid {p} (scaleset --lock-timeout 0s scale web --by=+1) since "))
                        });
                    assert!(named, "the holder named is one of the racing writers: {holder}");
                }
                other => panic!("exit {other:?}: {stderr}"),
            }
        }
        assert_eq!(env.serial(), serial0 + landed, "round {round}: every landed write counted, no other");
        if collisions > 0 && round >= 2 {
            break;
        }
    }
    assert!(collisions > 0, "ten writers at once collide at least once in ten rounds");
    assert_eq!(env.set("web")["capacity"].as_u64().unwrap(), 3 + landed);
}
