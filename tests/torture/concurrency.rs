//! Many processes on one state at once: scale out and in, delete and protect VMs, advance the
//! clock, and read (list, cost, instances) all together. The lock serialises the writers; no
//! update is lost, which three ledgers show independently: the serials the writers report are
//! exactly the next ones, each once; the capacity, the next instance ID and the clock are what
//! the successful commands add up to; and the activity log is the concatenation of every
//! writer's events in serial order. Readers never see a half-written file: every read, by the
//! binary or by the test itself while the writers run, parses.

use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;
use serde_json::Value;

use crate::support::{Env, START, STATE};

/// A zonal Uniform set of CAPACITY VMs, running at once.
const SET: &str = r#"scaleSets:
  - name: web
    region: eastus
    sku: Standard_D2s_v5
    capacity: CAPACITY
    orchestrationMode: Uniform
    singlePlacementGroup: false
    overprovision: false
    zones: ["1", "2", "3"]
    provisioningTime: 0s
"#;

#[derive(Clone, Copy, Debug)]
enum Job {
    By(i64),
    Delete(u32),
    Protect(u32),
    Advance,
    List,
    Cost,
    Instances,
}

impl Job {
    fn args(self) -> Vec<String> {
        let words: Vec<String> = match self {
            Job::By(n) => vec!["scale".into(), "web".into(), format!("--by={n:+}")],
            Job::Delete(id) => vec!["delete".into(), "web".into(), "--instances".into(), id.to_string()],
            Job::Protect(id) => vec!["protect".into(), "web".into(), "--instances".into(), id.to_string()],
            Job::Advance => vec!["advance".into(), "1m".into()],
            Job::List => vec!["list".into()],
            Job::Cost => vec!["cost".into()],
            Job::Instances => vec!["instances".into(), "web".into()],
        };
        words.into_iter().chain(["-o".into(), "json".into()]).collect()
    }

    fn writes(self) -> bool {
        matches!(self, Job::By(_) | Job::Delete(_) | Job::Protect(_) | Job::Advance)
    }
}

/// The mix: scale-outs of 1-3, scale-ins of 1, deletes and protects of distinct initial VMs
/// (four per round, so the set starts with more than that), clock advances, and readers of three
/// kinds, shuffled.
fn jobs(rng: &mut Pcg64, rounds: usize, capacity: u32) -> Vec<Job> {
    let mut ids: Vec<u32> = (0..capacity).collect();
    ids.shuffle(rng);
    let mut ids = ids.into_iter();
    let mut jobs = Vec::new();
    for _ in 0..rounds {
        for _ in 0..4 {
            jobs.push(Job::By(rng.random_range(1..=3)));
        }
        jobs.push(Job::By(-1));
        jobs.push(Job::By(-1));
        jobs.push(Job::Delete(ids.next().unwrap()));
        jobs.push(Job::Delete(ids.next().unwrap()));
        jobs.push(Job::Protect(ids.next().unwrap()));
        jobs.push(Job::Protect(ids.next().unwrap()));
        jobs.push(Job::Advance);
        jobs.extend([Job::List, Job::Cost, Job::Instances, Job::List]);
    }
    jobs.shuffle(rng);
    jobs
}

#[test]
fn concurrent_mixed_commands_lose_no_update() {
    let rounds = if super::long() { 50 } else { 10 };
    let capacity = 4 * rounds as u32 + 20;
    let c0 = i64::from(capacity);
    let mut rng = Pcg64::seed_from_u64(super::seed());
    let env = Env::applied(&SET.replace("CAPACITY", &capacity.to_string()));
    let start = env.state();
    let serial0 = start["serial"].as_u64().unwrap();
    let events0 = start["events"].as_array().unwrap().len();
    let jobs = jobs(&mut rng, rounds, capacity);

    // The test reads too, as fast as it can, for as long as the writers run.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = Arc::clone(&stop);
        let path = env.path(STATE);
        std::thread::spawn(move || {
            let (mut reads, mut last_serial) = (0u32, 0u64);
            while !stop.load(Ordering::Relaxed) {
                let bytes = std::fs::read(&path).expect("the state file is always there");
                let state: Value = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("read {} bytes that do not parse: {e}", bytes.len()));
                let serial = state["serial"].as_u64().expect("serial");
                assert!(serial >= last_serial, "the serial never goes back ({last_serial} then {serial})");
                last_serial = serial;
                reads += 1;
            }
            reads
        })
    };

    let children: Vec<(Job, Child)> = jobs
        .iter()
        .map(|job| {
            let child =
                env.command(job.args()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn scaleset");
            (*job, child)
        })
        .collect();
    let outcomes: Vec<(Job, i32, String, String)> = children
        .into_iter()
        .map(|(job, child)| {
            let out = child.wait_with_output().expect("wait");
            let code = out.status.code().expect("not killed");
            (job, code, String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
        })
        .collect();
    stop.store(true, Ordering::Relaxed);
    let reads = reader.join().expect("the reading thread saw only whole files");

    // Each command: a clean success, or (a VM already gone) a clean refusal naming it.
    let mut changes: Vec<(u64, Job, Vec<Value>)> = Vec::new();
    let (mut added, mut removed, mut advances) = (0i64, 0i64, 0i64);
    let (mut deleted, mut protected, mut gone) = (Vec::new(), Vec::new(), 0);
    for (job, code, stdout, stderr) in &outcomes {
        assert!(!stderr.contains("panicked"), "{job:?}: {stderr}");
        match (job, code) {
            (Job::Delete(id) | Job::Protect(id), 1) => {
                assert!(stderr.contains(&format!("no instance '{id}'")), "{job:?} refused: {stderr}");
                assert!(stdout.is_empty());
                gone += 1;
                continue;
            }
            (_, 0) => {}
            _ => panic!("{job:?} exited {code}: {stderr}"),
        }
        let json: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{job:?} printed no JSON: {e}"));
        if !job.writes() {
            assert!(json.is_array() || json.is_object(), "{job:?}: {json}");
            continue;
        }
        let events = json["events"].as_array().expect("events").clone();
        assert!(!events.is_empty(), "{job:?} changed something: {json}");
        changes.push((json["serial"].as_u64().expect("serial"), *job, events));
        match job {
            Job::By(n) if *n > 0 => added += n,
            Job::By(n) => removed += -n,
            Job::Delete(id) => {
                removed += 1;
                deleted.push(*id);
            }
            Job::Protect(id) => protected.push(*id),
            Job::Advance => advances += 1,
            _ => unreachable!(),
        }
    }

    // Ledger 1: the serials handed out are exactly the next ones, each once.
    changes.sort_by_key(|c| c.0);
    let serials: Vec<u64> = changes.iter().map(|c| c.0).collect();
    let expected: Vec<u64> = (serial0 + 1..=serial0 + changes.len() as u64).collect();
    assert_eq!(serials, expected, "one serial per change, none lost, none twice");
    let end = env.state();
    assert_eq!(end["serial"].as_u64().unwrap(), serial0 + changes.len() as u64);

    // Ledger 2: the effects add up.
    let web = &end["scaleSets"][0];
    assert_eq!(web["capacity"].as_i64().unwrap(), c0 + added - removed, "capacity = start + outs - ins - deletes");
    assert_eq!(web["nextInstanceId"].as_i64().unwrap(), c0 + added, "IDs handed out once each");
    let instances = web["instances"].as_array().unwrap();
    assert_eq!(instances.len() as i64, c0 + added - removed);
    let clock = jiff::Timestamp::from_second(START.parse::<jiff::Timestamp>().unwrap().as_second() + 60 * advances)
        .unwrap()
        .to_string();
    assert_eq!(end["clock"], clock.as_str(), "the clock moved a minute per advance");
    let present = |id: u32| instances.iter().find(|i| i["id"] == id);
    for id in &deleted {
        assert!(present(*id).is_none(), "deleted VM {id} is gone");
    }
    let mut still_protected = 0;
    for id in &protected {
        if let Some(vm) = present(*id) {
            assert_eq!(vm["protectFromScaleIn"], true, "VM {id} stays protected");
            still_protected += 1;
        }
    }
    let flagged = instances.iter().filter(|i| i["protectFromScaleIn"] == true).count();
    assert_eq!(flagged, still_protected, "only the VMs protected here are protected");

    // Ledger 3: the activity log is every writer's events, in serial order, each once.
    let log = end["events"].as_array().unwrap();
    let written: Vec<&Value> = changes.iter().flat_map(|c| c.2.iter()).collect();
    assert_eq!(log.len(), events0 + written.len());
    for (k, (logged, reported)) in log[events0..].iter().zip(&written).enumerate() {
        assert_eq!(logged, *reported, "event {k} of the log is what its writer reported");
    }

    env.run(["list", "-o", "json"]).code(0);
    eprintln!(
        "concurrency: {} processes, {} changes ({added} added, {removed} removed, {advances} advances, {} protected), \
         {gone} refused (VM gone), {reads} reads by the test",
        outcomes.len(),
        changes.len(),
        protected.len()
    );
    assert!(reads > 0);
}
