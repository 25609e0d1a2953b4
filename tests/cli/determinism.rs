//! The same definition, commands and seed give byte-identical state files and outputs.

use crate::support::{EXAMPLE, Env};

/// Commands exercising creation, placement, scale-in choice, protection, time and cost.
const SCRIPT: [&[&str]; 14] = [
    &["apply"],
    &["scale", "web", "--by", "+4"],
    &["advance", "90s"],
    &["delete", "web", "--instances", "1"],
    &["protect", "web", "--instances", "3"],
    &["scale", "batch", "--capacity", "7"],
    &["advance", "1h30m"],
    &["scale", "web", "--capacity", "4"],
    &["scale", "batch", "--by", "-3"],
    &["instances", "web", "-o", "json"],
    &["instances", "batch"],
    &["list"],
    &["events", "-o", "json"],
    &["cost", "-o", "json"],
];

fn run_script() -> (Vec<u8>, Vec<String>) {
    let env = Env::with_definition(EXAMPLE);
    let outputs = SCRIPT
        .iter()
        .map(|args| {
            let out = env.run(*args).code(0);
            format!("$ {}\n{}--- stderr\n{}", args.join(" "), out.stdout, out.stderr)
        })
        .collect();
    (env.state_bytes(), outputs)
}

#[test]
fn same_inputs_give_byte_identical_states_and_outputs() {
    let (state_a, out_a) = run_script();
    let (state_b, out_b) = run_script();
    assert_eq!(out_a.len(), out_b.len());
    for (a, b) in out_a.iter().zip(&out_b) {
        assert_eq!(a, b, "outputs differ");
    }
    assert!(
        state_a == state_b,
        "state files differ:\n{}\n---\n{}",
        String::from_utf8_lossy(&state_a),
        String::from_utf8_lossy(&state_b)
    );
}

#[test]
fn the_seed_is_part_of_the_identity() {
    let env_a = Env::with_definition(EXAMPLE);
    env_a.run_bare(["--start-time", "2026-01-05T08:00:00Z", "--seed", "1", "apply"]).code(0);
    let env_b = Env::with_definition(EXAMPLE);
    env_b.run_bare(["--start-time", "2026-01-05T08:00:00Z", "--seed", "2", "apply"]).code(0);
    let (a, b) = (env_a.state(), env_b.state());
    assert_eq!(a["seed"], 1);
    assert_eq!(b["seed"], 2);
    assert_ne!(a["lineage"], b["lineage"], "the lineage derives from the seed");
    // The same seed again gives the same lineage.
    let env_c = Env::with_definition(EXAMPLE);
    env_c.run_bare(["--start-time", "2026-01-05T08:00:00Z", "--seed", "2", "apply"]).code(0);
    assert_eq!(env_c.state()["lineage"], b["lineage"]);
}

#[test]
fn the_wall_clock_does_not_leak_into_the_state() {
    // Two runs some time apart, same logical start: same bytes.
    let a = Env::with_definition(EXAMPLE);
    a.run(["apply"]).code(0);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = Env::with_definition(EXAMPLE);
    b.run(["apply"]).code(0);
    assert!(a.state_bytes() == b.state_bytes());
}
