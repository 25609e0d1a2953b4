//! Property tests of the capacity engine, through the library (no process per case): random
//! sequences of scale_to / delete_instances / set_protection on a zonal Uniform set, then the
//! invariants that must hold after every step.

use std::collections::BTreeSet;

use jiff::Timestamp;
use proptest::prelude::*;
use scaleset::cost::catalog::Catalog;
use scaleset::engine::{capacity, protect};
use scaleset::model::state::ScaleSet;
use scaleset::spec::parse_definition;

/// A zonal Uniform set with a single placement group (limit 100), no overprovisioning.
fn zonal_set(capacity: u32, zone_balance: bool) -> ScaleSet {
    let text = format!(
        "scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n    orchestrationMode: Uniform\n    \
         overprovision: false\n    zones: [\"1\", \"2\", \"3\"]\n    zoneBalance: {zone_balance}\n    \
         provisioningTime: 0s\n    capacity: {capacity}\n"
    );
    let defs = parse_definition("props.yaml", text.as_bytes(), Catalog::builtin()).expect("valid definition");
    let start: Timestamp = "2026-01-05T08:00:00Z".parse().unwrap();
    capacity::create_set(&defs[0], start).expect("create").0
}

#[derive(Debug, Clone)]
enum Op {
    /// Scale to this capacity (may be negative or above the limit: must then be refused).
    ScaleTo(i64),
    /// Delete the instances at these positions (modulo the instance count).
    Delete(Vec<usize>),
    /// Protect (or unprotect) the instances at these positions.
    Protect(Vec<usize>, bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0i64..30).prop_map(Op::ScaleTo),
        1 => prop_oneof![(-5i64..0), (101i64..120)].prop_map(Op::ScaleTo),
        2 => prop::collection::vec(any::<usize>(), 1..4).prop_map(Op::Delete),
        2 => (prop::collection::vec(any::<usize>(), 1..4), any::<bool>()).prop_map(|(p, on)| Op::Protect(p, on)),
    ]
}

fn pick(set: &ScaleSet, positions: &[usize]) -> Vec<u32> {
    let mut ids: Vec<u32> = Vec::new();
    if set.instances.is_empty() {
        return ids;
    }
    for p in positions {
        let id = set.instances[p % set.instances.len()].id;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

fn zone_counts(set: &ScaleSet) -> Vec<usize> {
    (1..=3u8).map(|z| set.instances.iter().filter(|i| i.zone == Some(z)).count()).collect()
}

fn spread(set: &ScaleSet) -> usize {
    let counts = zone_counts(set);
    counts.iter().max().unwrap() - counts.iter().min().unwrap()
}

/// Applies one operation; returns whether it was accepted.
fn apply(set: &mut ScaleSet, op: &Op, now: Timestamp) -> bool {
    match op {
        Op::ScaleTo(n) => capacity::scale_to(set, *n, now, "prop").is_ok(),
        Op::Delete(p) => {
            let ids = pick(set, p);
            ids.is_empty() || capacity::delete_instances(set, &ids, now).is_ok()
        }
        Op::Protect(p, on) => {
            let ids = pick(set, p);
            protect::set_protection(set, &ids, *on, false, now).is_ok()
        }
    }
}

/// What must hold after any step.
fn check_invariants(set: &ScaleSet, ever_used: &BTreeSet<u32>, before: &BTreeSet<u32>) -> Result<(), TestCaseError> {
    prop_assert_eq!(set.capacity as usize, set.instances.len(), "capacity equals the instance count");
    let ids: Vec<u32> = set.instances.iter().map(|i| i.id).collect();
    prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "IDs unique and sorted: {:?}", ids);
    prop_assert!(ids.iter().all(|id| *id < set.next_instance_id), "IDs below the next ID");
    let highest_before = ever_used.iter().next_back().copied();
    for id in ids.iter().filter(|id| !before.contains(id)) {
        prop_assert!(
            highest_before.is_none_or(|h| *id > h),
            "new ID {} is not above every ID ever used (highest {:?})",
            id,
            highest_before
        );
    }
    prop_assert!(set.instances.iter().all(|i| matches!(i.zone, Some(1..=3))), "every VM in a listed zone");
    prop_assert!(set.capacity <= 100, "within the single placement group limit");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn capacity_ids_and_refusals(start in 0u32..12, ops in prop::collection::vec(op(), 1..25)) {
        let now: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let mut set = zonal_set(start, false);
        let mut ever_used: BTreeSet<u32> = set.instances.iter().map(|i| i.id).collect();
        for op in &ops {
            let before_set = set.clone();
            let before: BTreeSet<u32> = set.instances.iter().map(|i| i.id).collect();
            let protected: Vec<u32> = set.instances.iter().filter(|i| i.protect_from_scale_in).map(|i| i.id).collect();
            let spread_before = spread(&set);
            let accepted = apply(&mut set, op, now);
            if accepted {
                check_invariants(&set, &ever_used, &before)?;
                if let Op::ScaleTo(n) = op {
                    prop_assert_eq!(i64::from(set.capacity), *n);
                    // A capacity change never removes a protected VM.
                    for id in &protected {
                        prop_assert!(set.index_of(*id).is_some(), "protected VM {} was removed by scale_to", id);
                    }
                    // With nothing protected, it never makes the zones less even.
                    if protected.is_empty() {
                        prop_assert!(spread(&set) <= spread_before.max(1), "zones {:?} after {:?}", zone_counts(&set), op);
                    }
                }
            } else {
                prop_assert_eq!(&set, &before_set, "a refused {:?} changed the set", op);
                if let Op::ScaleTo(n) = op {
                    let reducible = i64::try_from(set.instances.iter().filter(|i| !i.protect_from_scale_in).count()).unwrap();
                    prop_assert!(
                        *n < 0 || *n > 100 || *n < i64::from(set.capacity) - reducible,
                        "scale_to {} refused without cause", n
                    );
                }
            }
            ever_used.extend(set.instances.iter().map(|i| i.id));
        }
    }

    #[test]
    fn scale_only_keeps_zones_within_one(start in 0u32..12, targets in prop::collection::vec(0i64..40, 1..20)) {
        let now: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let mut set = zonal_set(start, false);
        prop_assert!(spread(&set) <= 1);
        for t in targets {
            capacity::scale_to(&mut set, t, now, "prop").expect("no protection, within the limit");
            prop_assert!(spread(&set) <= 1, "zones {:?} after scale_to {}", zone_counts(&set), t);
            prop_assert_eq!(i64::from(set.capacity), t);
        }
    }

    #[test]
    fn strict_zone_balance_always_holds(start in 0u32..12, ops in prop::collection::vec(op(), 1..25)) {
        let now: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let mut set = zonal_set(start, true);
        let mut ever_used: BTreeSet<u32> = set.instances.iter().map(|i| i.id).collect();
        for op in &ops {
            let before_set = set.clone();
            let before: BTreeSet<u32> = set.instances.iter().map(|i| i.id).collect();
            if apply(&mut set, op, now) {
                check_invariants(&set, &ever_used, &before)?;
                prop_assert!(spread(&set) <= 1, "zones {:?} after {:?}", zone_counts(&set), op);
            } else {
                prop_assert_eq!(&set, &before_set, "a refused {:?} changed the set", op);
            }
            ever_used.extend(set.instances.iter().map(|i| i.id));
        }
    }
}
