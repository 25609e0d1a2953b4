//! Crash safety. A writer killed with SIGKILL at any moment leaves the state file exactly as it
//! was before the command or exactly as the command, run to completion, leaves it: never a
//! mix, never half a file. The backup is always the version before the last completed write.
//! The lock is never left stuck: the kernel releases it, and the holder record a killed
//! process leaves behind is reported by the next writer ("took over the state lock ...").
//! Temporary files of killed writers are removed by the next write.
//!
//! Two tests: kills at random moments (seeded) over a random mix of mutating commands on a
//! state of thousands of VMs, and kills at each step of a write, made deterministic with the
//! store's `SCALESET_CRASH_AT` hook.

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

use super::big_definition;
use crate::support::temporaries;
use crate::support::{DEFINITION, Env, STATE};

const BACKUP: &str = "scalesets.state.json.backup";
const LOCK: &str = "scalesets.state.json.lock";

/// A mutating command picked at random. IDs are drawn blindly, so some name VMs that are gone:
/// those commands are refused and leave the state as it was, which is one more case to kill.
fn random_command(rng: &mut Pcg64, sets: usize) -> Vec<String> {
    let set = format!("s{:03}", rng.random_range(1..=sets));
    let id = rng.random_range(0..1000u32).to_string();
    let words: Vec<String> = match rng.random_range(0..12u32) {
        0..=2 => vec!["scale".into(), set, format!("--by=+{}", rng.random_range(1..=5u32))],
        3..=4 => vec!["scale".into(), set, format!("--by=-{}", rng.random_range(1..=5u32))],
        5 => vec!["delete".into(), set, "--instances".into(), id],
        6 => vec!["protect".into(), set, "--instances".into(), id],
        7 => vec!["unprotect".into(), set, "--instances".into(), id],
        8 | 9 => vec!["advance".into(), ["30s", "1m", "3m"][rng.random_range(0..3usize)].into()],
        10 => vec!["stop".into(), set, "--instances".into(), id],
        _ => vec!["start".into(), set, "--instances".into(), id],
    };
    words
}

/// What a killed command left.
#[derive(Default, Debug)]
struct Tally {
    kills: usize,
    left_before: usize,
    left_after: usize,
    /// The command finished before the kill came.
    finished: usize,
    /// Commands that change nothing (refused or no-op): "before" and "after" are the same.
    unchanged: usize,
    lock_records_taken_over: usize,
    temporaries_seen: usize,
}

#[test]
fn killed_writers_leave_the_old_or_the_new_state_and_never_a_stuck_lock() {
    let (sets, kills) = if super::long() { (10, 1500) } else { (2, 120) };
    let seed = super::seed();
    let mut rng = Pcg64::seed_from_u64(seed);
    let started = Instant::now();

    let env = Env::with_definition(&big_definition(sets, 980));
    env.run(["apply"]).code(0);
    let scratch = Env::with_definition(&big_definition(sets, 980));
    let mut tally = Tally::default();

    for round in 0..kills {
        let before = env.state_bytes();
        let backup_before = std::fs::read(env.path(BACKUP)).ok();
        let args = random_command(&mut rng, sets);
        let context = format!("seed {seed}, round {round}, command {args:?}");

        // "After": the same command run to completion on a copy.
        scratch.write(STATE, &before);
        let t0 = Instant::now();
        let finished = scratch.command(&args).stdout(Stdio::null()).stderr(Stdio::null()).status().expect("run");
        let took = t0.elapsed();
        let after = scratch.state_bytes();
        if finished.code() != Some(0) {
            assert_eq!(after, before, "a refused command changes nothing ({context})");
        }

        // The same command, killed at a random moment of its expected run.
        let delay = Duration::from_micros(rng.random_range(0..=(took.as_micros() * 6 / 5) as u64));
        let mut child = env.command(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
        let pid = child.id();
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().expect("wait");
        tally.kills += 1;

        let now = env.state_bytes();
        let ended_by_itself = status.signal().is_none();
        if ended_by_itself {
            tally.finished += 1;
            assert_eq!(status.code(), finished.code(), "same exit code as the complete run ({context})");
        }
        if before == after {
            tally.unchanged += 1;
            assert!(now == before, "a command that changes nothing left a different state ({context})");
        } else if now == before {
            assert!(!ended_by_itself || status.code() != Some(0), "a finished command's change is there ({context})");
            tally.left_before += 1;
            let backup = std::fs::read(env.path(BACKUP)).ok();
            assert!(
                backup == backup_before || backup.as_deref() == Some(&before[..]),
                "the backup is the previous one, or already the state being replaced ({context})"
            );
        } else if now == after {
            tally.left_after += 1;
            assert_eq!(env.read(BACKUP), before, "after a completed write the backup is the state before ({context})");
        } else {
            let kept = env.root().to_path_buf();
            std::mem::forget(env);
            panic!(
                "the state is neither the one before nor the one after ({context}); {} bytes, before {}, after {}; kept in {}",
                now.len(),
                before.len(),
                after.len(),
                kept.display()
            );
        }
        if !temporaries(env.root()).is_empty() {
            tally.temporaries_seen += 1;
        }

        // The OS lock died with the process; a holder record left behind is taken over, with a note.
        let record = String::from_utf8(env.read(LOCK)).expect("lock record is text");
        if !record.is_empty() {
            assert!(record.starts_with(&format!("pid {pid} (scaleset ")), "record {record:?} ({context})");
            env.run_bare(["--lock-timeout", "2s", "scale", "s001", "--by=+0"]).code(0).stderr_has(&format!(
                "note: took over the state lock last held by pid {pid} (scaleset {}) since ",
                args.join(" ")
            ));
            assert_eq!(env.state_bytes(), now, "the no-op that took the lock over changed nothing ({context})");
            assert!(env.read(LOCK).is_empty(), "the lock record is cleared on release ({context})");
            tally.lock_records_taken_over += 1;
        }
    }

    // The next complete write cleans up after every killed writer, and the result loads.
    env.run_bare(["advance", "1m"]).code(0).stderr_lacks("took over");
    assert_eq!(temporaries(env.root()), Vec::<String>::new(), "no temporary file survives a write");
    let loaded = scaleset::store::read_state(&env.path(STATE)).expect("the final state loads");
    assert!(matches!(loaded, scaleset::store::Loaded::Present(_)));
    assert!(env.exists(DEFINITION));

    eprintln!("crash torture (seed {seed}, {sets} sets): {tally:?} in {:.1}s", started.elapsed().as_secs_f64());
    assert_eq!(tally.kills, kills);
    assert!(tally.left_before > 0 && tally.left_after > 0, "kills landed on both sides of the write: {tally:?}");
    assert!(tally.lock_records_taken_over > 0, "some kills came while the lock was held: {tally:?}");
}

/// The steps of a write, in order, and what a kill there leaves: (hook point, state is the new
/// one, backup is the old state, temporary files left).
const STEPS: [(&str, bool, bool, &[&str]); 6] = [
    ("locked", false, false, &[]),
    ("temp-partial", false, false, &["tmp"]),
    ("temp-written", false, false, &["tmp"]),
    ("backup-linked", false, false, &["backup.tmp", "tmp"]),
    ("backup-renamed", false, true, &["tmp"]),
    ("replaced", true, true, &[]),
];

#[test]
fn a_kill_at_each_step_of_a_write_leaves_a_whole_state() {
    let env = Env::with_definition(&big_definition(2, 900));
    env.run(["apply"]).code(0);
    env.run_bare(["scale", "s001", "--by=+1"]).code(0); // so that a backup exists
    let scratch = Env::with_definition(&big_definition(2, 900));
    let args = ["scale", "s001", "--by=+7"];

    for (point, new_state, backup_is_before, temps) in STEPS {
        let before = env.state_bytes();
        let backup_before = env.read(BACKUP);
        scratch.write(STATE, &before);
        scratch.command(args).stderr(Stdio::null()).status().expect("run");
        let after = scratch.state_bytes();
        assert_ne!(before, after);

        let mut child = env.command(args).env("SCALESET_CRASH_AT", point).stderr(Stdio::null()).spawn().expect("spawn");
        let pid = child.id();
        let status = child.wait().expect("wait");
        assert_eq!(status.signal(), Some(9), "killed at {point}");

        let now = env.state_bytes();
        assert!(&now == if new_state { &after } else { &before }, "state after a kill at {point}");
        assert_eq!(
            env.read(BACKUP),
            if backup_is_before { before.clone() } else { backup_before },
            "backup at {point}"
        );
        // Only this writer's: each writer first removes what killed writers before it left.
        let expected: Vec<String> = temps.iter().map(|t| format!("scalesets.state.json.{t}.{pid}")).collect();
        assert_eq!(temporaries(env.root()), expected, "temporary files after a kill at {point}");
        if point == "temp-partial" {
            let partial = env.read(&format!("scalesets.state.json.tmp.{pid}"));
            assert!(partial.len() < after.len() && after.starts_with(&partial), "half of the new state");
        }
        if point == "temp-written" || point == "backup-linked" {
            assert_eq!(env.read(&format!("scalesets.state.json.tmp.{pid}")), after, "the whole new state, synced");
        }

        // Not stuck: a writer takes the lock over at once and says from whom.
        let record = String::from_utf8(env.read(LOCK)).unwrap();
        assert!(record.ends_with('\n'), "a whole record ends with a newline: {record:?}");
        let record = record.trim_end();
        assert!(record.starts_with(&format!("pid {pid} (scaleset scale s001 --by=+7) since ")), "record {record:?}");
        env.run_bare(["--lock-timeout", "0s", "scale", "s001", "--by=+0"]).code(0).stderr_is(&format!(
            "note: took over the state lock last held by {record}, which ended without releasing it\nNothing to change.\n"
        ));
        assert_eq!(env.state_bytes(), now);
    }

    // The state goes on from there.
    env.run_bare(["scale", "s001", "--by=+1"]).code(0).stderr_lacks("took over");
    assert_eq!(temporaries(env.root()), Vec::<String>::new());
    assert_eq!(env.set("s001")["capacity"], 900 + 1 + 7 + 1);
}
