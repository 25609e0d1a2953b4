//! Torture tests for the state file: processes killed at random moments and at every step of a
//! write, many processes at once, and lock waits that time out. They run the real binary in
//! temporary directories, in a bounded form by default (each test a few seconds to a few tens
//! of seconds on two cores) and in a long form with `SCALESET_TORTURE=long`:
//!
//! ```sh
//! cargo test torture::                                        # bounded, part of `cargo test`
//! SCALESET_TORTURE=long cargo test --release torture:: -- --nocapture
//! SCALESET_TORTURE_SEED=7 cargo test torture::                # another random sequence
//! ```

mod concurrency;
mod crash;
mod lock_wait;

/// Whether the long form was asked for.
pub fn long() -> bool {
    std::env::var("SCALESET_TORTURE").is_ok_and(|v| v == "long")
}

/// The seed of the random choices (printed, so a failure can be replayed).
pub fn seed() -> u64 {
    std::env::var("SCALESET_TORTURE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_260_105)
}

/// A definition of `sets` zonal Uniform sets of `capacity` VMs each, named s001, s002, ...;
/// the odd ones Running at once, the even ones Creating for two minutes after a scale-out.
pub fn big_definition(sets: usize, capacity: u32) -> String {
    let mut out = String::from("scaleSets:\n");
    for k in 1..=sets {
        let provisioning = if k % 2 == 1 { "0s" } else { "2m" };
        out.push_str(&format!(
            "  - name: s{k:03}\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: {capacity}\n    \
             orchestrationMode: Uniform\n    singlePlacementGroup: false\n    overprovision: false\n    \
             zones: [1, 2, 3]\n    provisioningTime: {provisioning}\n"
        ));
    }
    out
}
