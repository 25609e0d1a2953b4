//! What a user points the tool at can never hurt the state: outputs aimed at the state, its
//! lock, its backup or the definition; devices, pipes and directories where files belong;
//! symbolic and hard links; a stdout that fails after the commit; counters at their maximum.
//! Each case checks the exit code, that nothing panicked, that nothing hung (every run is
//! killed after a few seconds and fails), and that the state file is byte for byte as it was.

use std::fs::OpenOptions;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{DEFINITION, Env, Outcome, STATE, WEB};

/// Runs with a deadline: a run that takes longer is killed and the test fails.
#[track_caller]
fn run_bounded(mut cmd: Command) -> Outcome {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("hung: killed after 10 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().expect("output");
    let outcome = Outcome::from(out, &cmd);
    assert_ne!(outcome.code, 101, "panicked{}", outcome.context());
    assert!(!outcome.stderr.contains("panicked"), "panicked{}", outcome.context());
    outcome
}

/// Runs `args` (fixed clock and seed) with a deadline.
#[track_caller]
fn run(env: &Env, args: &[&str]) -> Outcome {
    let mut all = vec!["--start-time", crate::support::START, "--seed", crate::support::SEED];
    all.extend(args);
    run_bounded(env.command(all))
}

/// Asserts a refusal with `code` and `needle`, the state unchanged.
#[track_caller]
fn refused(env: &Env, args: &[&str], code: i32, needle: &str) {
    let before = env.state_bytes();
    let out = run(env, args).code(code).stderr_has(needle);
    assert_eq!(env.state_bytes(), before, "the state changed{}", out.context());
}

fn mkfifo(env: &Env, name: &str) {
    let status = Command::new("mkfifo").arg(env.path(name)).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
fn outputs_aimed_at_the_state_its_lock_backup_or_definition_are_refused() {
    let env = Env::applied(WEB);
    run(&env, &["scale", "web", "--by=+1"]).code(0); // a backup exists
    symlink(STATE, env.path("link-to-state.svg")).unwrap();
    std::fs::hard_link(env.path(DEFINITION), env.path("definition-copy.csv")).unwrap();
    let definition = env.read(DEFINITION);
    for (flag, target, what) in [
        ("--svg", STATE, "the state file"),
        ("--timeline", STATE, "the state file"),
        ("--svg", "scalesets.state.json.lock", "the state's lock file"),
        ("--timeline", "scalesets.state.json.backup", "the state's backup"),
        ("--svg", DEFINITION, "the definition"),
        ("--svg", "link-to-state.svg", "the state file"),
        ("--timeline", "definition-copy.csv", "the definition"),
        ("--svg", "./sub/../scalesets.state.json", "the state file"),
    ] {
        std::fs::create_dir_all(env.path("sub")).unwrap();
        refused(&env, &["advance", "5m", flag, target], 64, what);
        refused(&env, &["simulate", "--duration", "5m", flag, target], 64, what);
    }
    assert_eq!(env.read(DEFINITION), definition);
    refused(&env, &["advance", "5m", "--svg", "same.out", "--timeline", "same.out"], 64, "give two files");
}

#[test]
fn outputs_that_cannot_be_written_fail_before_anything_changes() {
    let env = Env::applied(WEB);
    std::fs::create_dir(env.path("dir")).unwrap();
    env.write("readonly.svg", "old");
    std::fs::set_permissions(env.path("readonly.svg"), std::fs::Permissions::from_mode(0o444)).unwrap();
    for (flag, target, needle) in [
        ("--svg", "/dev/full", "not a regular file"),
        ("--svg", "dir", "not a regular file"),
        ("--timeline", "no/such/dir/t.csv", "does not exist"),
        ("--svg", "readonly.svg", "read-only"),
    ] {
        refused(&env, &["advance", "10m", flag, target], 64, needle);
    }
    assert_eq!(env.read("readonly.svg"), b"old");
    // A good output is written whole, and only its own file appears.
    run(&env, &["advance", "10m", "--svg", "chart.svg", "--timeline", "t.csv"]).code(0);
    assert!(env.read_text("chart.svg").starts_with("<svg"));
    assert!(env.read_text("t.csv").starts_with("minute,"));
    assert!(crate::support::files_in(env.root()).iter().all(|n| !n.contains(".tmp.")));
}

#[test]
fn a_stdout_that_fails_after_the_commit_says_so_and_is_not_a_plain_failure() {
    let env = Env::applied(WEB);
    let serial = env.serial();
    let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
    let mut cmd = env.command(["--start-time", crate::support::START, "-o", "json", "advance", "10m"]);
    cmd.stdout(full);
    let out = cmd.stderr(Stdio::piped()).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(73), "{stderr}");
    assert!(stderr.contains(&format!("the change was committed (state serial {})", serial + 1)), "{stderr}");
    assert!(stderr.contains("do not run the command again"), "{stderr}");
    assert_eq!(env.serial(), serial + 1, "committed once");
    // A refused change with a failing stdout is a plain failure: nothing was committed.
    let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
    let mut cmd = env.command(["--start-time", crate::support::START, "-o", "json", "list"]);
    let out = cmd.stdout(full).stderr(Stdio::piped()).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_lock_file_that_is_a_symbolic_link_is_refused_and_its_target_untouched() {
    let env = Env::applied(WEB);
    env.write("precious.txt", "do not truncate me\n");
    std::fs::remove_file(env.path("scalesets.state.json.lock")).ok();
    symlink("precious.txt", env.path("scalesets.state.json.lock")).unwrap();
    refused(&env, &["scale", "web", "--by=+1"], 74, "symbolic link");
    assert_eq!(env.read("precious.txt"), b"do not truncate me\n");
}

#[test]
fn a_hostile_holder_record_is_shown_capped_and_inert() {
    let env = Env::applied(WEB);
    let record = format!("evil \u{1b}[31m{}", "x".repeat(10_000));
    env.write("scalesets.state.json.lock", &record);
    let out = run(&env, &["scale", "web", "--by=+1"]).code(0);
    let note = out.stderr.lines().find(|l| l.starts_with("note: took over")).expect("a take-over note").to_owned();
    assert!(note.contains("evil \\u{1b}[31m"), "{note}");
    assert!(note.len() < 500, "capped: {} bytes", note.len());
}

#[test]
fn pipes_and_devices_where_files_belong_never_hang_and_are_refused() {
    // The state.
    let env = Env::with_definition(WEB);
    mkfifo(&env, STATE);
    run(&env, &["list"]).code(74).stderr_has("named pipe");
    run(&env, &["apply"]).code(74).stderr_has("named pipe");
    let env = Env::with_definition(WEB);
    run(&env, &["--state", "/dev/zero", "list"]).code(74).stderr_has("device");
    // The lock and the backup.
    let env = Env::applied(WEB);
    std::fs::remove_file(env.path("scalesets.state.json.lock")).ok();
    mkfifo(&env, "scalesets.state.json.lock");
    refused(&env, &["scale", "web", "--by=+1"], 74, "lock file");
    let env = Env::applied(WEB);
    mkfifo(&env, "scalesets.state.json.backup");
    refused(&env, &["scale", "web", "--by=+1"], 74, "named pipe");
    // The definition (a pipe nobody writes to is empty) and a load file.
    let env = Env::applied(WEB);
    mkfifo(&env, "pipe.yaml");
    run(&env, &["-f", "pipe.yaml", "validate"]).code(65).stderr_has("empty");
    refused(&env, &["-f", "/dev/zero", "apply"], 65, "device");
    mkfifo(&env, "pipe.csv");
    refused(&env, &["advance", "5m", "--load", "pipe.csv"], 64, "empty");
    refused(&env, &["advance", "5m", "--load", "/dev/zero"], 64, "device");
}

#[test]
fn a_definition_on_stdin_over_the_cap_is_refused_whole() {
    let env = Env::new();
    let mut big = WEB.to_owned();
    big.push_str(&format!("# {}\n", "x".repeat(17 * 1024 * 1024)));
    let mut cmd = env.command(["-f", "-", "validate"]);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut stdin, big.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(stderr.contains("larger than 16 MiB"), "{stderr}");
    // Within the cap, `-f -` reads standard input.
    let mut cmd = env.command(["-f", "-", "validate"]);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), WEB.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_hard_linked_state_is_not_written() {
    let env = Env::applied(WEB);
    std::fs::hard_link(env.path(STATE), env.path("other-name.json")).unwrap();
    refused(&env, &["scale", "web", "--by=+1"], 74, "hard links");
    run(&env, &["list"]).code(0);
    std::fs::remove_file(env.path("other-name.json")).unwrap();
    run(&env, &["scale", "web", "--by=+1"]).code(0);
}

#[test]
fn the_state_keeps_its_mode_and_owner() {
    let env = Env::applied(WEB);
    std::fs::set_permissions(env.path(STATE), std::fs::Permissions::from_mode(0o600)).unwrap();
    let root = effective_uid() == 0;
    if root {
        std::os::unix::fs::chown(env.path(STATE), Some(65534), Some(65534)).unwrap();
    }
    run(&env, &["scale", "web", "--by=+1"]).code(0);
    let meta = std::fs::metadata(env.path(STATE)).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o600);
    if root {
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }
}

/// The effective user ID, from the owner of a file this process creates.
fn effective_uid() -> u32 {
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe");
    std::fs::write(&probe, "").unwrap();
    std::fs::metadata(&probe).unwrap().uid()
}

#[test]
fn a_serial_at_its_maximum_refuses_the_change() {
    let env = Env::applied(WEB);
    let text = String::from_utf8(env.state_bytes()).unwrap();
    let serial = env.serial();
    env.write(STATE, text.replacen(&format!("\"serial\":{serial}"), &format!("\"serial\":{}", u64::MAX), 1));
    refused(&env, &["scale", "web", "--by=+1"], 1, "serial is at its maximum");
}

#[test]
fn runs_longer_than_ten_years_are_refused_before_any_work() {
    let env = Env::applied(WEB);
    refused(&env, &["advance", "3661d"], 64, "longer than ten years");
    refused(&env, &["simulate", "--duration", "600w"], 64, "longer than ten years");
    refused(&env, &["advance", "99999999999999999999w"], 64, "too large");
}

#[test]
fn absurd_numbers_are_refused_or_handled_without_a_panic() {
    let env = Env::applied(WEB);
    // A budget at the old 64-bit limit is an ordinary (huge) amount now.
    run(&env, &["cost", "--max-monthly", "9223372036854.775807"]).code(0).stdout_has("within budget");
    // Noise that would overflow a random draw: refused on the flag and in the definition.
    refused(&env, &["advance", "5m", "--load", "Percentage CPU=100+noise(1e308)"], 64, "not a number from 0 to 1e9");
    let noisy = format!("{WEB}    load:\n      - {{ metric: Percentage CPU, constant: 50, noise: 1e308 }}\n");
    env.write("noisy.yaml", &noisy);
    refused(&env, &["-f", "noisy.yaml", "validate"], 65, "load[0].noise");
    refused(&env, &["-f", "noisy.yaml", "simulate", "--duration", "5m"], 65, "load[0].noise");
    // A trace that is not UTF-8 is the user's input: a usage error.
    env.write("latin1.csv", b"minute,Percentage CPU\n0,5\xe9\n");
    refused(&env, &["advance", "5m", "--load", "latin1.csv"], 64, "did not contain valid UTF-8");
    // A start time past what the calendar holds says so.
    let fresh = Env::with_definition(WEB);
    run_bounded(fresh.command(["--start-time", "9999-12-31T00:00:00Z", "apply"]))
        .code(64)
        .stderr_has("not an RFC 3339 time in range");
    run_bounded(fresh.command(["--seed", "1", "--start-time", "9999-12-30T00:00:00Z", "apply"])).code(0);
    refused(&fresh, &["advance", "1d"], 1, "past the end of time");
}
