//! Unit tests of validation, one concept at a time: each builds a definition from YAML text
//! and checks the problems found (or the resolved value) without running the binary.

use super::*;

/// A one-set definition with `extra` lines (each indented under the set), parsed.
fn one_set(extra: &str) -> RawDefinition {
    let mut text = String::from("scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n");
    for line in extra.lines() {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    crate::spec::load::parse_yaml(&text).unwrap_or_else(|p| panic!("YAML: {p:?}\n{text}"))
}

/// The problems of a one-set definition with `extra` lines.
fn problems(extra: &str) -> Vec<String> {
    let raw = one_set(extra);
    match validate(&raw, Catalog::builtin()) {
        Ok(_) => Vec::new(),
        Err(problems) => {
            problems.into_iter().map(|p| format!("{}: {}", p.field.unwrap_or_default(), p.message)).collect()
        }
    }
}

/// The one set of a valid definition.
fn valid(extra: &str) -> SetDefinition {
    let raw = one_set(extra);
    validate(&raw, Catalog::builtin()).unwrap_or_else(|p| panic!("{p:?}")).remove(0)
}

#[track_caller]
fn refused(extra: &str, needle: &str) {
    let found = problems(extra);
    assert!(found.iter().any(|p| p.contains(needle)), "expected a problem with {needle:?}, got {found:?}");
}

/// An autoscale setting of one default profile with the given rule lines.
fn autoscale(rules: &[&str]) -> String {
    let mut out = String::from(
        "autoscale:\n  profiles:\n    - name: default\n      capacity: { minimum: 1, maximum: 10, default: 2 }\n      rules:\n",
    );
    if rules.is_empty() {
        out.push_str("        []\n");
    }
    for r in rules {
        out.push_str(&format!("        - {r}\n"));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// set.rs

#[test]
fn defaults_follow_the_cli() {
    let set = valid("");
    assert_eq!(set.config.orchestration_mode, OrchestrationMode::Flexible, "the CLI's default since 2023");
    assert_eq!(set.capacity, DEFAULT_CAPACITY);
    assert_eq!(set.config.provisioning_time, DEFAULT_PROVISIONING_TIME);
    assert_eq!(set.config.scale_in_policy, ScaleInRule::Default);
    assert!(!set.config.force_deletion);
    assert!(!set.config.upgrade_policy.rolling_upgrade_policy.enable_cross_zone_upgrade);
    assert_eq!(set.config.model.os_disk_tier, "P4");
    assert_eq!(set.config.model.image, DEFAULT_LINUX_IMAGE);
}

#[test]
fn policies_resolve() {
    let set = valid(
        "scaleInPolicy: { rules: [NewestVM], forceDeletion: true }\norchestrationMode: Uniform\nupgradePolicy: { mode: Rolling, rollingUpgradePolicy: { enableCrossZoneUpgrade: true } }",
    );
    assert_eq!(set.config.scale_in_policy, ScaleInRule::NewestVm);
    assert!(set.config.force_deletion);
    assert!(set.config.upgrade_policy.rolling_upgrade_policy.enable_cross_zone_upgrade);
}

#[test]
fn names_and_images_are_checked() {
    let raw: RawDefinition =
        crate::spec::load::parse_yaml("scaleSets:\n  - { name: 'web set', region: eastus, sku: Standard_D2s_v5 }\n")
            .unwrap();
    let found = validate(&raw, Catalog::builtin()).unwrap_err();
    assert!(found[0].message.contains("contains ' '"), "{found:?}");
    refused("image: 'a:b:c'", "four non-empty parts");
    refused("computerNamePrefix: '-web'", "must not start with '-'");
}

#[test]
fn overprovisioning_and_priority_mix_belong_to_one_mode_each() {
    refused("orchestrationMode: Flexible\noverprovision: true", "exists for Uniform sets only");
    refused(
        "orchestrationMode: Uniform\npriority: Spot\npriorityMix: { baseRegularPriorityCount: 1 }",
        "exists for Flexible sets only",
    );
    refused("evictionPolicy: Delete", "applies to Spot VMs only");
    refused("hybridBenefit: true", "applies to Windows VMs only");
}

#[test]
fn repair_grace_period_is_ten_to_ninety_minutes() {
    refused("automaticRepairs: { enabled: true, gracePeriod: 9m }", "out of range (accepted: 10m to 90m)");
    refused("automaticRepairs: { enabled: true, gracePeriod: 91m }", "out of range (accepted: 10m to 90m)");
    assert!(problems("automaticRepairs: { enabled: true, gracePeriod: 10m }").is_empty());
    assert!(problems("automaticRepairs: { enabled: true, gracePeriod: 90m }").is_empty());
}

#[test]
fn a_size_region_or_tier_without_a_price_is_refused_with_a_suggestion() {
    let found = problems("osDisk: { tier: P11 }");
    assert!(
        found.iter().any(|p| p.starts_with("osDisk.tier: unknown managed disk tier 'P11'; did you mean")),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// network.rs

#[test]
fn network_counts_have_ranges() {
    refused("loadBalancer: { rules: 1501 }", "loadBalancer.rules: 1501 is out of range (accepted: 0 to 1500)");
    refused("publicIps: -1", "publicIps: -1 is out of range (accepted: 0 to 1000)");
    let set = valid("loadBalancer: { rules: 7, dataProcessedGb: 100 }\npublicIps: 3");
    assert_eq!(set.config.load_balancer.map(|lb| (lb.rules, lb.data_processed_gb)), Some((7, 100)));
    assert_eq!(set.config.public_ips, 3);
}

// ---------------------------------------------------------------------------------------------
// autoscale.rs

#[test]
fn at_most_twenty_profiles_and_ten_rules_per_profile() {
    let mut text = String::from("autoscale:\n  profiles:\n");
    for k in 0..21 {
        text.push_str(&format!(
            "    - name: p{k}\n      capacity: {{ minimum: 1, maximum: 3, default: 2 }}\n      rules: []\n      fixedDate: {{ timeZone: UTC, start: '2026-0{}-01T00:00:00', end: '2026-0{}-02T00:00:00' }}\n",
            1 + k % 9,
            1 + k % 9
        ));
    }
    refused(&text, "21 profiles; Azure allows at most 20");
    let rule = r#"{ condition: "Percentage CPU > 60 avg 5m", scale: out 1 }"#;
    refused(&autoscale(&[rule; 11]), "11 rules; Azure allows at most 10 per profile");
    assert!(problems(&autoscale(&[rule; 10])).is_empty());
}

#[test]
fn unknown_time_zones_are_refused() {
    let text = "autoscale:\n  profiles:\n    - name: weekdays\n      capacity: { minimum: 1, maximum: 3, default: 2 }\n      rules: []\n      recurrence: { timeZone: Mars/Olympus, days: [Monday], hours: [8], minutes: [0] }\n";
    refused(text, "unknown time zone 'Mars/Olympus'");
}

// ---------------------------------------------------------------------------------------------
// rule.rs

#[test]
fn grain_window_and_cooldown_ranges() {
    for (rule, refusal) in [
        (r#"{ condition: "Percentage CPU > 60 avg 4m", scale: out 1 }"#, "out of range (accepted: 5m to 12h)"),
        (r#"{ condition: "Percentage CPU > 60 avg 13h", scale: out 1 }"#, "out of range (accepted: 5m to 12h)"),
        (
            r#"{ condition: "Percentage CPU > 60 avg 5m", scale: out 1, timeGrain: 13h }"#,
            "out of range (accepted: 1m to 12h)",
        ),
        (
            r#"{ condition: "Percentage CPU > 60 avg 5m", scale: out 1, cooldown: 30s }"#,
            "out of range (accepted: 1m to 1w)",
        ),
        (
            r#"{ condition: "Percentage CPU > 60 avg 5m", scale: out 1, cooldown: 8d }"#,
            "out of range (accepted: 1m to 1w)",
        ),
    ] {
        refused(&autoscale(&[rule]), refusal);
    }
    assert!(
        problems(&autoscale(&[r#"{ condition: "Percentage CPU > 60 avg 12h", scale: out 1, cooldown: 1w }"#]))
            .is_empty()
    );
}

#[test]
fn shorthand_mistakes_name_the_accepted_form() {
    refused(&autoscale(&[r#"{ condition: "Percentage CPU > 60", scale: out 1 }"#]), "incomplete");
    refused(
        &autoscale(&[r#"{ condition: "Percentage CPU > 60 avg 5m where x = 1", scale: out 1 }"#]),
        "dimension filters",
    );
    refused(&autoscale(&[r#"{ condition: "Percentage CPU > 60 avg 5m", scale: up 1 }"#]), "out N | in N");
}

// ---------------------------------------------------------------------------------------------
// load.rs

#[test]
fn load_entries_resolve_and_refuse_bad_numbers() {
    let set = valid(
        "load:\n  - { metric: Percentage CPU, constant: 50 }\n  - { metric: Percentage CPU, spike: { base: 0, peak: 400, at: 1h, for: 10m } }",
    );
    assert_eq!(set.config.load.len(), 2);
    assert_eq!(set.config.load[0].signal, crate::model::load::Signal::Constant { value: 50.0 });
    refused("load:\n  - { metric: Percentage CPU, constant: -5 }", "load[0]");
    refused("load:\n  - { metric: Percentage CPU }", "load[0]");
}
