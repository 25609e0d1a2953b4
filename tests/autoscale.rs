//! The autoscale engine and load simulation through the binary (issue 4): rule combination,
//! cooldown, min/max and profile switches, default capacity, flapping, percent rounding,
//! dividePerInstance, load specs and traces, determinism, and the outputs of `simulate`.

use crate::support::{Env, one_set, refused_unchanged, text};
use serde_json::Value;

/// A Uniform set of `capacity` VMs that run at once, with one autoscale profile.
fn scaled(capacity: u32, range: (u32, u32, u32), rules: &[&str]) -> String {
    let (min, max, default) = range;
    let mut rules_yaml = String::new();
    for r in rules {
        rules_yaml.push_str(&format!("        - {r}\n"));
    }
    if rules.is_empty() {
        rules_yaml = "        []\n".into();
    }
    one_set(
        "web",
        &format!(
            "capacity: {capacity}
orchestrationMode: Uniform
overprovision: false
provisioningTime: 0s
osDisk: {{ tier: P10 }}
autoscale:
  profiles:
    - name: default
      capacity: {{ minimum: {min}, maximum: {max}, default: {default} }}
      rules:
{rules_yaml}"
        ),
    )
}

/// `simulate --duration D --load ...` of the definition: the summary of `web`.
fn simulate(def: &str, duration: &str, loads: &[&str]) -> Value {
    let env = Env::with_definition(def);
    simulate_in(&env, duration, loads)
}

fn simulate_in(env: &Env, duration: &str, loads: &[&str]) -> Value {
    let mut args = vec!["simulate", "--duration", duration];
    for l in loads {
        args.extend(["--load", l]);
    }
    let json = env.json(&args);
    let sets = json.as_array().expect("simulate -o json is an array");
    sets.iter().find(|s| s["name"] == "web").cloned().expect("a summary for web")
}

/// The exit code of a wrong command line (bad load spec, bad duration).
const USAGE: i32 = 64;

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// (time, oldCapacity, newCapacity) of autoscale actions.
fn actions(env: &Env) -> Vec<(String, u64, u64)> {
    env.events("web")
        .into_iter()
        .filter(|e| e["kind"] == "AutoscaleScaleOut" || e["kind"] == "AutoscaleScaleIn")
        .map(|e| (text(&e["time"]), e["oldCapacity"].as_u64().unwrap(), e["newCapacity"].as_u64().unwrap()))
        .collect()
}

fn at(hhmm: &str) -> String {
    format!("2026-01-05T{hhmm}:00Z")
}

// ---------------------------------------------------------------------------------------------
// Combining rules

const CPU_OUT_1: &str = r#"{ condition: "Percentage CPU > 60 avg 5m", scale: out 1 }"#;
const REQ_OUT_3: &str = r#"{ condition: "requests > 1000 avg 5m", scale: out 3 }"#;
const CPU_IN_1: &str = r#"{ condition: "Percentage CPU < 30 avg 5m", scale: in 1 }"#;
const REQ_IN_2: &str = r#"{ condition: "requests < 100 avg 5m", scale: in 2 }"#;

#[test]
fn scale_out_when_any_out_rule_fires() {
    let def = scaled(2, (1, 10, 2), &[CPU_OUT_1, REQ_OUT_3]);
    let s = simulate(&def, "1m", &["Percentage CPU=200", "requests=0"]);
    assert_eq!(s["finalCapacity"], 3, "only the CPU rule fires: out 1");
    assert_eq!(s["scaleOutActions"], 1);
    let s = simulate(&def, "1m", &["Percentage CPU=20", "requests=4000"]);
    assert_eq!(s["finalCapacity"], 5, "only the requests rule fires: out 3");
}

#[test]
fn the_highest_scale_out_result_wins_whatever_the_rule_order() {
    for rules in [[CPU_OUT_1, REQ_OUT_3], [REQ_OUT_3, CPU_OUT_1]] {
        let def = scaled(2, (1, 10, 2), &rules);
        let s = simulate(&def, "1m", &["Percentage CPU=200", "requests=10000"]);
        assert_eq!(s["finalCapacity"], 5, "out 1 and out 3 both fire: +3");
        assert_eq!(s["scaleActions"], 1);
    }
    let env = Env::applied(&scaled(2, (1, 10, 2), &[CPU_OUT_1, REQ_OUT_3]));
    env.ok(["advance", "1m", "--load", "Percentage CPU=200", "--load", "requests=10000"]);
    let ev = env.events_of("web", "AutoscaleScaleOut");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["newCapacity"], 5);
    assert!(text(&ev[0]["reason"]).contains("requests > 1000"), "{}", ev[0]);
}

#[test]
fn scale_out_is_capped_at_the_maximum() {
    let def = scaled(2, (1, 4, 2), &[REQ_OUT_3]);
    assert_eq!(simulate(&def, "1m", &["requests=10000"])["finalCapacity"], 4);
}

#[test]
fn scale_in_needs_every_in_rule_to_fire() {
    let def = scaled(6, (1, 10, 6), &[CPU_IN_1, REQ_IN_2]);
    // CPU 10 per VM fires; requests 1000 per VM does not.
    let s = simulate(&def, "10m", &["Percentage CPU=60", "requests=6000"]);
    assert_eq!(s["scaleActions"], 0);
    assert_eq!(s["finalCapacity"], 6);
    // And the other way round.
    let s = simulate(&def, "10m", &["Percentage CPU=600", "requests=60"]);
    assert_eq!(s["finalCapacity"], 6);
}

#[test]
fn when_every_in_rule_fires_the_smallest_reduction_wins() {
    for rules in [[CPU_IN_1, REQ_IN_2], [REQ_IN_2, CPU_IN_1]] {
        let def = scaled(6, (1, 10, 6), &rules);
        let s = simulate(&def, "1m", &["Percentage CPU=60", "requests=60"]);
        assert_eq!(s["finalCapacity"], 5, "in 1 and in 2 both fire: -1");
        assert_eq!(s["scaleInActions"], 1);
    }
}

#[test]
fn a_firing_out_rule_wins_over_firing_in_rules() {
    let def = scaled(4, (1, 10, 4), &[CPU_OUT_1, REQ_IN_2]);
    let s = simulate(&def, "1m", &["Percentage CPU=400", "requests=0"]);
    assert_eq!(s["finalCapacity"], 5);
}

#[test]
fn scale_in_stops_at_the_minimum() {
    let def = scaled(3, (2, 10, 3), &[r#"{ condition: "Percentage CPU < 30 avg 5m", scale: in 5, cooldown: 1m }"#]);
    let s = simulate(&def, "5m", &["Percentage CPU=10"]);
    assert_eq!(s["finalCapacity"], 2);
    assert_eq!(s["scaleActions"], 1);
}

#[test]
fn exact_count_rules_scale_to_their_count() {
    let def = scaled(2, (1, 10, 2), &[r#"{ condition: "Percentage CPU > 60 avg 5m", scale: to 7 }"#]);
    assert_eq!(simulate(&def, "1m", &["Percentage CPU=200"])["finalCapacity"], 7);
}

// ---------------------------------------------------------------------------------------------
// Cooldown

const OUT_COOL_10: &str = r#"{ condition: "Percentage CPU > 60 avg 5m", scale: out 1, cooldown: 10m }"#;
const IN_COOL_10: &str = r#"{ condition: "Percentage CPU < 40 avg 5m", scale: in 1, cooldown: 10m }"#;

#[test]
fn after_a_scale_out_nothing_happens_in_either_direction_until_the_cooldown_ends() {
    let env = Env::applied(&scaled(2, (1, 10, 2), &[OUT_COOL_10, IN_COOL_10]));
    // Two minutes of heavy load, then almost none: the in-rule fires from 08:07 on.
    env.ok(["advance", "25m", "--load", "Percentage CPU=step(400,10,2m)"]);
    assert_eq!(actions(&env), [(at("08:01"), 2, 3), (at("08:11"), 3, 2), (at("08:21"), 2, 1)]);
}

#[test]
fn after_a_scale_in_a_firing_out_rule_waits_for_the_cooldown() {
    let env = Env::applied(&scaled(4, (1, 10, 4), &[OUT_COOL_10, IN_COOL_10]));
    // Light load scales in at 08:01; heavy load from 08:03 fires the out-rule well before 08:11.
    env.ok(["advance", "12m", "--load", "Percentage CPU=step(40,800,3m)"]);
    assert_eq!(actions(&env), [(at("08:01"), 4, 3), (at("08:11"), 3, 4)]);
}

#[test]
fn a_constant_overload_scales_out_once_per_cooldown() {
    let env = Env::applied(&scaled(2, (1, 10, 2), &[OUT_COOL_10]));
    env.ok(["advance", "25m", "--load", "Percentage CPU=2000"]);
    let times: Vec<String> = actions(&env).into_iter().map(|a| a.0).collect();
    assert_eq!(times, [at("08:01"), at("08:11"), at("08:21")]);
}

// ---------------------------------------------------------------------------------------------
// Minimum, maximum, profiles

#[test]
fn capacity_outside_the_range_is_brought_back_at_the_next_minute() {
    let env = Env::applied(&scaled(4, (3, 6, 4), &[]));
    env.ok(["scale", "web", "--capacity", "8"]);
    env.ok(["advance", "1m"]);
    assert_eq!(env.capacity("web"), 6);
    env.ok(["scale", "web", "--capacity", "1"]);
    env.ok(["advance", "1m"]);
    assert_eq!(env.capacity("web"), 3);
    assert_eq!(actions(&env), [(at("08:01"), 8, 6), (at("08:02"), 1, 3)]);
    let ev = env.events_of("web", "AutoscaleScaleIn");
    assert!(text(&ev[0]["reason"]).contains("above the maximum 6"), "{}", ev[0]);
}

#[test]
fn the_range_is_enforced_even_during_a_cooldown() {
    let env = Env::applied(&scaled(3, (1, 6, 3), &[OUT_COOL_10]));
    env.ok(["advance", "1m", "--load", "Percentage CPU=1000"]);
    assert_eq!(env.capacity("web"), 4);
    env.ok(["scale", "web", "--capacity", "9"]);
    env.ok(["advance", "1m", "--load", "Percentage CPU=1000"]);
    assert_eq!(env.capacity("web"), 6);
}

const WEEKLY: &str = "capacity: 4
orchestrationMode: Uniform
overprovision: false
provisioningTime: 0s
autoscale:
  profiles:
    - name: fallback
      capacity: { minimum: 7, maximum: 7, default: 7 }
    - name: weekday
      recurrence: { timeZone: UTC, days: [Monday, Tuesday, Wednesday, Thursday, Friday], hours: 8, minutes: 0 }
      capacity: { minimum: 3, maximum: 5, default: 3 }
    - name: weekend
      recurrence: { timeZone: UTC, days: [Saturday, Sunday], hours: 0, minutes: 0 }
      capacity: { minimum: 1, maximum: 2, default: 1 }";

fn profile_changes(env: &Env) -> Vec<(String, String)> {
    env.events_of("web", "AutoscaleProfileChanged")
        .into_iter()
        .map(|e| {
            let m = text(&e["message"]);
            let name = m.split('\'').nth(1).unwrap_or_default().to_owned();
            (text(&e["time"]), name)
        })
        .collect()
}

#[test]
fn recurring_profiles_switch_on_schedule_and_last_until_the_next_one_starts() {
    let env = Env::applied(&one_set("web", WEEKLY));
    env.ok(["advance", "1m"]);
    assert_eq!(profile_changes(&env), [(at("08:01"), "weekday".to_owned())]);
    assert_eq!(env.capacity("web"), 4, "4 is within the weekday range");
    // Friday 23:59: still the weekday profile.
    env.ok(["advance", "4d15h58m"]);
    assert_eq!(env.clock(), "2026-01-09T23:59:00Z");
    assert_eq!(env.capacity("web"), 4);
    // Saturday 00:00: the weekend profile, its maximum applies at once.
    env.ok(["advance", "1m"]);
    let changes = profile_changes(&env);
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1], ("2026-01-10T00:00:00Z".to_owned(), "weekend".to_owned()));
    assert_eq!(env.capacity("web"), 2);
    assert_eq!(actions(&env).last().unwrap(), &("2026-01-10T00:00:00Z".to_owned(), 4, 2));
    // Monday 07:59: the weekend profile still holds (a recurring profile lasts until the next
    // recurring start), and the default profile never came in.
    env.ok(["advance", "55h59m"]);
    assert_eq!(env.clock(), "2026-01-12T07:59:00Z");
    assert_eq!(profile_changes(&env).len(), 2);
    assert_eq!(env.capacity("web"), 2);
    // Monday 08:00: weekday again; its minimum 3 applies.
    env.ok(["advance", "1m"]);
    let changes = profile_changes(&env);
    assert_eq!(changes[2], ("2026-01-12T08:00:00Z".to_owned(), "weekday".to_owned()));
    assert_eq!(env.capacity("web"), 3);
    let ev = env.events_of("web", "AutoscaleProfileChanged");
    assert!(text(&ev[2]["message"]).contains("was 'weekend'"), "{}", ev[2]);
}

#[test]
fn recurring_profiles_follow_their_time_zone() {
    // Saturday 00:00 in Paris is Friday 23:00 UTC in January.
    let def = WEEKLY.replace("{ timeZone: UTC, days: [Saturday", "{ timeZone: Europe/Paris, days: [Saturday");
    let env = Env::applied(&one_set("web", &def));
    env.ok(["advance", "4d14h59m"]);
    assert_eq!(env.clock(), "2026-01-09T22:59:00Z");
    assert_eq!(env.capacity("web"), 4);
    env.ok(["advance", "1m"]);
    assert_eq!(profile_changes(&env).last().unwrap(), &("2026-01-09T23:00:00Z".to_owned(), "weekend".to_owned()));
    assert_eq!(env.capacity("web"), 2);
}

#[test]
fn a_fixed_date_profile_wins_over_recurring_ones_while_it_lasts() {
    let def = format!(
        "{WEEKLY}
    - name: launch
      fixedDate: {{ timeZone: UTC, start: \"2026-01-05T09:00:00\", end: \"2026-01-05T10:00:00\" }}
      capacity: {{ minimum: 8, maximum: 9, default: 8 }}"
    );
    let env = Env::applied(&one_set("web", &def));
    env.ok(["advance", "59m"]);
    assert_eq!(env.capacity("web"), 4);
    env.ok(["advance", "1m"]);
    assert_eq!(env.capacity("web"), 8);
    env.ok(["advance", "1h"]);
    assert_eq!(env.capacity("web"), 5, "back to the weekday profile: its maximum 5");
    let names: Vec<String> = profile_changes(&env).into_iter().map(|c| c.1).collect();
    assert_eq!(names, ["weekday", "launch", "weekday"]);
}

// ---------------------------------------------------------------------------------------------
// Missing metrics and the default capacity

const CPU_OUT_70: &str = r#"{ condition: "Percentage CPU > 70 avg 5m", scale: out 1 }"#;
const CPU_IN_30: &str = r#"{ condition: "Percentage CPU < 30 avg 5m", scale: in 1 }"#;

#[test]
fn without_load_the_default_capacity_is_used_to_scale_out() {
    let s = simulate(&scaled(2, (1, 10, 4), &[CPU_OUT_70, CPU_IN_30]), "10m", &[]);
    assert_eq!(s["finalCapacity"], 4);
    assert_eq!(s["scaleOutActions"], 1);
    let env = Env::applied(&scaled(2, (1, 10, 4), &[CPU_OUT_70, CPU_IN_30]));
    env.ok(["advance", "2m"]);
    assert_eq!(actions(&env), [(at("08:01"), 2, 4)]);
    assert_eq!(env.events_of("web", "MetricsUnavailable").len(), 1, "logged once, not every minute");
    let out = &env.events_of("web", "AutoscaleScaleOut")[0];
    assert!(text(&out["reason"]).contains("default capacity 4"), "{out}");
}

#[test]
fn without_load_the_default_capacity_never_scales_in() {
    let s = simulate(&scaled(6, (1, 10, 4), &[CPU_OUT_70, CPU_IN_30]), "30m", &[]);
    assert_eq!(s["finalCapacity"], 6);
    assert_eq!(s["scaleActions"], 0);
}

#[test]
fn a_load_for_another_metric_leaves_the_rules_metric_unavailable() {
    let s = simulate(&scaled(2, (1, 10, 3), &[CPU_OUT_70, CPU_IN_30]), "5m", &["requests=500"]);
    assert_eq!(s["finalCapacity"], 3);
}

// ---------------------------------------------------------------------------------------------
// Flapping

const OUT_60: &str = r#"{ condition: "Percentage CPU > 60 avg 5m", scale: out 1 }"#;

#[test]
fn a_scale_in_that_would_trigger_a_scale_out_is_shortened() {
    // 4 VMs at 35% each; "in 50%" to 2 would estimate 70% > 60: 3 VMs (46.7%) is the lowest safe count.
    let def = scaled(4, (1, 10, 4), &[OUT_60, r#"{ condition: "Percentage CPU < 40 avg 5m", scale: in 50% }"#]);
    let s = simulate(&def, "10m", &["Percentage CPU=140"]);
    assert_eq!(s["finalCapacity"], 3);
    assert_eq!(s["scaleActions"], 1);
    assert_eq!(s["flappingAvoided"], 1);
    let env = Env::applied(&def);
    env.ok(["advance", "10m", "--load", "Percentage CPU=140"]);
    let ev = env.events_of("web", "FlappingOccurred");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["time"], at("08:01"));
    assert_eq!(ev[0]["oldCapacity"], 4);
    assert_eq!(ev[0]["newCapacity"], 3);
    assert_eq!(actions(&env), [(at("08:01"), 4, 3)]);
    assert!(env.events_of("web", "Flapping").is_empty());
}

#[test]
fn a_scale_in_with_no_safe_count_is_skipped_and_retried_every_minute() {
    // 2 VMs at 35%: one VM would run at 70% > 60.
    let def = scaled(2, (1, 10, 2), &[OUT_60, r#"{ condition: "Percentage CPU < 40 avg 5m", scale: in 1 }"#]);
    let s = simulate(&def, "5m", &["Percentage CPU=70"]);
    assert_eq!(s["finalCapacity"], 2);
    assert_eq!(s["scaleActions"], 0);
    assert_eq!(s["flappingAvoided"], 5);
    let env = Env::applied(&def);
    env.ok(["advance", "2m", "--load", "Percentage CPU=70"]);
    let ev = env.events_of("web", "Flapping");
    let times: Vec<String> = ev.iter().map(|e| text(&e["time"])).collect();
    assert_eq!(times, [at("08:01"), at("08:02")]);
    assert_eq!(ev[0]["oldCapacity"], 2);
    assert_eq!(ev[0]["newCapacity"], 2);
    assert!(actions(&env).is_empty());
}

#[test]
fn a_scale_in_whose_estimate_stays_below_the_out_threshold_goes_ahead() {
    // 4 VMs at 20%: 2 VMs would run at 40% < 60.
    let def = scaled(4, (1, 10, 4), &[OUT_60, r#"{ condition: "Percentage CPU < 40 avg 5m", scale: in 50% }"#]);
    let s = simulate(&def, "1m", &["Percentage CPU=80"]);
    assert_eq!(s["finalCapacity"], 2);
    assert_eq!(s["flappingAvoided"], 0);
}

// ---------------------------------------------------------------------------------------------
// Percent changes

fn percent(capacity: u32, scale: &str, load: &str) -> u64 {
    let op = if scale.starts_with("out") { ">" } else { "<" };
    let rule = format!(r#"{{ condition: "Percentage CPU {op} 50 avg 5m", scale: {scale} }}"#);
    let s = simulate(&scaled(capacity, (0, 20, capacity), &[&rule]), "1m", &[load]);
    s["finalCapacity"].as_u64().unwrap()
}

#[test]
fn percent_changes_round_toward_zero_but_move_at_least_one_vm() {
    let high = "Percentage CPU=2000";
    let low = "Percentage CPU=1";
    assert_eq!(percent(3, "out 50%", high), 4, "3 x 50% = 1.5 -> 1");
    assert_eq!(percent(1, "out 50%", high), 2, "1 x 50% = 0.5 -> at least 1");
    assert_eq!(percent(10, "out 25%", high), 12, "10 x 25% = 2.5 -> 2");
    assert_eq!(percent(4, "out 100%", high), 8);
    assert_eq!(percent(5, "in 10%", low), 4, "5 x 10% = 0.5 -> at least 1");
    assert_eq!(percent(3, "in 50%", low), 2, "3 x 50% = 1.5 -> 1");
    assert_eq!(percent(10, "in 35%", low), 7, "10 x 35% = 3.5 -> 3");
}

// ---------------------------------------------------------------------------------------------
// dividePerInstance

fn requests_rule(divide: bool) -> String {
    one_set(
        "web",
        &format!(
            "capacity: 4
orchestrationMode: Uniform
overprovision: false
provisioningTime: 0s
autoscale:
  profiles:
    - name: default
      capacity: {{ minimum: 1, maximum: 8, default: 4 }}
      rules:
        - metricName: requests
          statistic: Sum
          timeGrain: PT1M
          timeWindow: PT5M
          timeAggregation: Average
          operator: GreaterThan
          threshold: 100
          dividePerInstance: {divide}
          direction: Increase
          type: ChangeCount
          value: 1
          cooldown: PT5M"
        ),
    )
}

#[test]
fn divide_per_instance_turns_a_sum_into_a_per_instance_threshold() {
    // 450 requests in all: 112.5 per VM at 4 VMs fires, 90 at 5 does not.
    let s = simulate(&requests_rule(true), "15m", &["requests=450"]);
    assert_eq!(s["finalCapacity"], 5);
    assert_eq!(s["scaleOutActions"], 1);
    // 390 in all: 97.5 per VM never fires.
    let s = simulate(&requests_rule(true), "15m", &["requests=390"]);
    assert_eq!(s["finalCapacity"], 4);
    // Without it the sum (450 > 100) fires at every cooldown end: 08:01, 08:06, 08:11.
    let s = simulate(&requests_rule(false), "15m", &["requests=390"]);
    assert_eq!(s["finalCapacity"], 7);
    assert_eq!(s["scaleOutActions"], 3);
}

#[test]
fn the_nested_arm_form_with_a_string_value_is_accepted() {
    // As an ARM template writes a rule: metricTrigger / scaleAction, value as a string.
    let def = one_set(
        "web",
        "capacity: 2
orchestrationMode: Uniform
overprovision: false
provisioningTime: 0s
autoscale:
  profiles:
    - name: default
      capacity: { minimum: 1, maximum: 6, default: 2 }
      rules:
        - metricTrigger:
            metricName: Percentage CPU
            timeGrain: PT1M
            statistic: Average
            timeWindow: PT5M
            timeAggregation: Average
            operator: GreaterThan
            threshold: 70
          scaleAction: { direction: Increase, type: ChangeCount, value: \"2\", cooldown: PT10M }",
    );
    let s = simulate(&def, "12m", &["Percentage CPU=300"]);
    // 150% per VM at 2 VMs fires at 08:01 (+2 -> 4), again after the 10-minute cooldown (-> 6).
    assert_eq!(s["scaleOutActions"], 2);
    assert_eq!(s["finalCapacity"], 6);
}

// ---------------------------------------------------------------------------------------------
// Load: traces, generators, bad specs

/// A set without autoscale: the timeline shows the load as given.
fn plain(capacity: u32) -> String {
    one_set(
        "web",
        &format!(
            "capacity: {capacity}\norchestrationMode: Uniform\noverprovision: false\nprovisioningTime: 0s\nosDisk: {{ tier: P10 }}"
        ),
    )
}

/// The timeline rows (header excluded) as maps from column to value.
fn timeline(env: &Env, file: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = env.read_text(file);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().expect("a header").iter().map(str::to_owned).collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.expect("a CSV row").iter().map(str::to_owned)).collect())
        .collect()
}

#[test]
fn a_metric_named_with_a_comma_and_quotes_survives_the_trace_and_the_timeline() {
    let env = Env::with_definition(&plain(2));
    env.write("trace.csv", "\u{feff}minute,\"a,\"\"b\"\"\"\r\n0,10\r\n2,30\r\n");
    env.ok(["simulate", "--duration", "4m", "--load", "trace.csv", "--timeline", "t.csv", "--no-chart"]);
    let rows = timeline(&env, "t.csv");
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|r| r["metric"] == "a,\"b\"" && r["scaleSet"] == "web"), "{rows:?}");
    let demand: Vec<&str> = rows.iter().map(|r| r["demand"].as_str()).collect();
    assert_eq!(demand, ["10", "10", "30", "30"]);
}

fn demand_column(env: &Env, loads: &[&str], minutes: &str) -> Vec<f64> {
    let mut args = vec!["simulate", "--duration", minutes, "--timeline", "t.csv", "--no-chart"];
    for l in loads {
        args.extend(["--load", l]);
    }
    env.ok(&args);
    timeline(env, "t.csv").iter().map(|r| r["demand"].parse::<f64>().expect("demand")).collect()
}

#[test]
fn a_csv_trace_holds_each_value_until_the_next_row() {
    let env = Env::with_definition(&plain(2));
    env.write("trace.csv", "minute,Percentage CPU\n0,100\n5,300\n# a comment\n\n10,50\n");
    let d = demand_column(&env, &["trace.csv"], "12m");
    assert_eq!(d, [100.0, 100.0, 100.0, 100.0, 100.0, 300.0, 300.0, 300.0, 300.0, 300.0, 50.0, 50.0]);
}

#[test]
fn a_csv_trace_drives_autoscale() {
    let env = Env::with_definition(&scaled(2, (1, 10, 2), &[CPU_OUT_70]));
    env.write("trace.csv", "minute,Percentage CPU\n0,100\n3,400\n");
    // Per VM: 50, 50, 50, then 100 (capped). The 5-minute average passes 70 at 08:06 (80),
    // not at 08:05 (exactly 70).
    assert_eq!(simulate_in(&env, "5m", &["trace.csv"])["finalCapacity"], 2);
    let s = simulate_in(&env, "6m", &["trace.csv"]);
    assert_eq!(s["finalCapacity"], 3);
    assert_eq!(s["scaleOutActions"], 1);
}

#[test]
fn generators_give_the_documented_shapes() {
    let env = Env::with_definition(&plain(2));
    let step = demand_column(&env, &["Percentage CPU=step(100,300,5m)"], "7m");
    assert_eq!(step, [100.0, 100.0, 100.0, 100.0, 100.0, 300.0, 300.0]);
    let ramp = demand_column(&env, &["Percentage CPU=ramp(0,600,10m)"], "12m");
    assert_eq!(ramp[0], 0.0);
    assert_eq!(ramp[5], 300.0);
    assert_eq!(ramp[10], 600.0);
    assert_eq!(ramp[11], 600.0);
    let delayed = demand_column(&env, &["Percentage CPU=ramp(0,600,10m,5m)"], "10m");
    assert_eq!(delayed[4], 0.0);
    assert_eq!(delayed[9], 240.0);
    let spike = demand_column(&env, &["Percentage CPU=spike(100,800,5m,2m)"], "8m");
    assert_eq!(spike, [100.0, 100.0, 100.0, 100.0, 100.0, 800.0, 800.0, 100.0]);
    // Peak 250 at 14:00, trough 50 at 02:00: at 08:00 (a quarter turn away) the midpoint, 150.
    let diurnal = demand_column(&env, &["Percentage CPU=diurnal(50,250,14)"], "2m");
    assert!((diurnal[0] - 150.0).abs() < 1e-6, "{diurnal:?}");
    assert!(diurnal[1] > diurnal[0], "rising towards the afternoon peak");
    let noisy = demand_column(&env, &["Percentage CPU=100+noise(10)"], "30m");
    assert!(noisy.iter().all(|v| (90.0..=110.0).contains(v)), "{noisy:?}");
    assert!(noisy.iter().any(|v| (v - noisy[0]).abs() > 1e-9), "noise varies from minute to minute");
    // Two sources of one metric add up.
    let sum = demand_column(&env, &["Percentage CPU=100", "Percentage CPU=constant(50)"], "1m");
    assert_eq!(sum, [150.0]);
}

#[test]
fn a_load_scoped_to_another_set_does_not_reach_this_one() {
    let env = Env::with_definition(&crate::support::definition(&[
        crate::support::set_yaml(
            "web",
            "capacity: 2\norchestrationMode: Uniform\noverprovision: false\nprovisioningTime: 0s",
        ),
        crate::support::set_yaml("api", "capacity: 2\norchestrationMode: Flexible\nprovisioningTime: 0s"),
    ]));
    let d = demand_column(&env, &["api:Percentage CPU=500", "web:Percentage CPU=120"], "1m");
    let rows = timeline(&env, "t.csv");
    assert_eq!(rows.len(), 2);
    let web = rows.iter().find(|r| r["scaleSet"] == "web").unwrap();
    let api = rows.iter().find(|r| r["scaleSet"] == "api").unwrap();
    assert_eq!(web["demand"], "120");
    assert_eq!(api["demand"], "500");
    assert_eq!(d.len(), 2);
}

#[test]
fn load_generators_in_the_definition_are_used_when_the_command_line_gives_none() {
    let def = format!(
        "{}    load:\n      - {{ metric: Percentage CPU, step: {{ before: 40, after: 90, at: 2m }} }}\n",
        plain(1)
    );
    let env = Env::with_definition(&def);
    let d = demand_column(&env, &[], "3m");
    assert_eq!(d, [40.0, 40.0, 90.0]);
    // The command line overrides it for the same metric.
    let d = demand_column(&env, &["Percentage CPU=10"], "3m");
    assert_eq!(d, [10.0, 10.0, 10.0]);
}

#[test]
fn bad_load_specs_give_clear_errors_and_change_nothing() {
    let env = Env::applied(&plain(2));
    env.write("bad.csv", "minute,Percentage CPU\n0,100\n0,200\n");
    env.write("header.csv", "time,Percentage CPU\n0,100\n");
    env.write("value.csv", "minute,Percentage CPU\n0,abc\n");
    // A malformed spec or trace is a usage error; a file that cannot be read is an I/O failure.
    let cases = [
        ("Percentage CPU=wave(1)", USAGE, "unknown generator 'wave'"),
        ("Percentage CPU=step(1,2)", USAGE, "step(...) takes 3 arguments, got 2"),
        ("Percentage CPU=-5", USAGE, "not a number from 0 to 1e9"),
        ("Percentage CPU=100+noise(1e308)", USAGE, "not a number from 0 to 1e9"),
        ("Percentage CPU=ramp(1,2,3x)", USAGE, "ramp"),
        ("Percentage CPU=diurnal(1,2,25)", USAGE, "peak hour 25 is not in 0..24"),
        ("Percentage CPU=100+noise(5", USAGE, "noise(...) is not closed"),
        ("=5", USAGE, "the metric name is empty"),
        ("missing.csv", 1, "cannot read the CSV file"),
        ("bad.csv", USAGE, "bad.csv:3:1: minute 0 is not after the previous row's"),
        ("header.csv", USAGE, "header.csv:2:1: '0' is not a time"),
        ("value.csv", USAGE, "value.csv:2:2: 'abc' is not a number from 0 to 1e9"),
    ];
    for (spec, code, message) in cases {
        let out = refused_unchanged(&env, ["advance", "5m", "--load", spec], code, message);
        assert!(!out.stderr.contains("panicked"), "{}", out.context());
        env.run(["simulate", "--duration", "5m", "--load", spec]).code(code).stderr_has(message);
    }
    // The error lists the accepted forms.
    env.run(["simulate", "--duration", "5m", "--load", "Percentage CPU=wave(1)"]).stderr_has("accepted:");
}

#[test]
fn bad_durations_are_refused() {
    let env = Env::applied(&plain(2));
    refused_unchanged(&env, ["advance", "5x"], USAGE, "invalid duration '5x'");
    env.run(["simulate", "--duration", "soon"]).code(USAGE).stderr_has("invalid duration 'soon'");
}

// ---------------------------------------------------------------------------------------------
// Determinism

#[test]
fn the_same_simulation_prints_the_same_bytes() {
    let def = scaled(2, (1, 10, 2), &[CPU_OUT_70, CPU_IN_30]);
    let load = "Percentage CPU=diurnal(50,400,14)+noise(40)";
    let env = Env::with_definition(&def);
    let args = ["simulate", "--duration", "1d", "--load", load];
    let a = env.ok(args);
    let b = env.ok(args);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.contains("web"), "{}", a.context());
    let other = Env::with_definition(&def);
    let mut json_args = args.to_vec();
    json_args.extend(["-o", "json"]);
    assert_eq!(env.ok(&json_args).stdout, other.ok(&json_args).stdout);
    let s = env.json(args);
    assert!(s[0]["scaleActions"].as_u64().unwrap() > 2, "the noisy diurnal load moves the set: {s}");
}

#[test]
fn the_same_commands_give_byte_identical_state_files() {
    let def = scaled(2, (1, 10, 2), &[CPU_OUT_70, CPU_IN_30]);
    let run = || {
        let env = Env::applied(&def);
        env.ok(["advance", "3h", "--load", "Percentage CPU=ramp(50,600,2h)+noise(30)"]);
        env.ok(["scale", "web", "--by", "1"]);
        env.ok(["advance", "1h", "--load", "Percentage CPU=100+noise(30)"]);
        (env.state_bytes(), env)
    };
    let (a, env) = run();
    let (b, _) = run();
    assert_eq!(a, b);
    assert!(env.events_of("web", "AutoscaleScaleOut").len() >= 2);
}

#[test]
fn another_seed_gives_another_noise() {
    let def = plain(2);
    let env = Env::with_definition(&def);
    let mine = demand_column(&env, &["Percentage CPU=100+noise(10)"], "10m");
    let other = Env::with_definition(&def);
    other
        .run_seeded(
            "2",
            [
                "simulate",
                "--duration",
                "10m",
                "--no-chart",
                "--load",
                "Percentage CPU=100+noise(10)",
                "--timeline",
                "t.csv",
            ],
        )
        .code(0);
    let theirs: Vec<f64> = timeline(&other, "t.csv").iter().map(|r| r["demand"].parse().unwrap()).collect();
    assert_ne!(mine, theirs);
}

// ---------------------------------------------------------------------------------------------
// simulate: the state is untouched, the summary is complete

#[test]
fn simulate_does_not_touch_the_state_file() {
    let env = Env::applied(&scaled(2, (1, 10, 2), &[CPU_OUT_70, CPU_IN_30]));
    let before = env.state_bytes();
    let s = simulate_in(&env, "2h", &["Percentage CPU=ramp(100,900,1h)"]);
    assert!(s["scaleOutActions"].as_u64().unwrap() >= 2, "{s}");
    assert_eq!(env.state_bytes(), before);
    // No state at all: simulate works on the definition and writes nothing.
    let fresh = Env::with_definition(&scaled(2, (1, 10, 2), &[CPU_OUT_70]));
    simulate_in(&fresh, "10m", &["Percentage CPU=500"]);
    assert!(!fresh.path(crate::support::STATE).exists());
}

#[test]
fn simulate_json_has_the_contract_keys_and_correct_figures() {
    // Two VMs, no autoscale, three VMs' worth of CPU for an hour: one VM-hour unserved.
    let s = simulate(&plain(2), "1h", &["Percentage CPU=300"]);
    for key in [
        "name",
        "scaleActions",
        "minInstances",
        "maxInstances",
        "avgInstances",
        "instanceHours",
        "cost",
        "unservedDemand",
        "finalCapacity",
        "flappingAvoided",
        "peakPerInstance",
        "meanPerInstance",
        "minutesAbove",
    ] {
        assert!(s.get(key).is_some(), "missing {key}: {s}");
    }
    assert_eq!(s["scaleActions"], 0);
    assert_eq!(s["minInstances"], 2);
    assert_eq!(s["maxInstances"], 2);
    assert_eq!(num(&s["avgInstances"]), 2.0);
    assert_eq!(num(&s["instanceHours"]), 2.0);
    assert_eq!(num(&s["unservedDemand"]), 1.0);
    assert_eq!(num(&s["peakPerInstance"]), 100.0);
    assert_eq!(s["finalCapacity"], 2);
    // 2 x (0.096 compute + 19.71 / 730 disk) for one hour.
    let cost = crate::support::money(&s["cost"]);
    assert!((cost - 2.0 * (0.096 + 19.71 / 730.0)).abs() < 0.001, "cost {cost}");
}

#[test]
fn simulate_summarises_a_varying_set() {
    let def = scaled(2, (2, 10, 2), &[r#"{ condition: "Percentage CPU > 70 avg 5m", scale: out 2, cooldown: 5m }"#]);
    let s = simulate(&def, "1h", &["Percentage CPU=500"]);
    // 2 -> 4 at 08:01, 4 -> 6 at 08:06 (125 > 100 capped, then 83), 6 stays (500/6 = 83 > 70 -> 8 at 08:11), 8 (62.5).
    assert_eq!(s["minInstances"], 2);
    assert_eq!(s["maxInstances"], 8);
    assert_eq!(s["finalCapacity"], 8);
    assert_eq!(s["scaleOutActions"], 3);
    let minutes: u64 = 2 + 4 * 5 + 6 * 5 + 8 * 49;
    assert!((num(&s["instanceHours"]) - minutes as f64 / 60.0).abs() < 0.01, "{s}");
    let above = &s["minutesAbove"][0];
    assert_eq!(above["operator"], ">");
    assert_eq!(num(&above["threshold"]), 70.0);
    assert_eq!(above["minutes"], 11);
}

#[test]
fn simulate_of_one_named_set_and_of_an_unknown_one() {
    let env = Env::with_definition(&crate::support::definition(&[
        crate::support::set_yaml(
            "web",
            "capacity: 2\norchestrationMode: Uniform\noverprovision: false\nprovisioningTime: 0s",
        ),
        crate::support::set_yaml("api", "capacity: 3\norchestrationMode: Flexible\nprovisioningTime: 0s"),
    ]));
    let all = env.json(["simulate", "--duration", "5m"]);
    assert_eq!(all.as_array().unwrap().len(), 2);
    let one = env.json(["simulate", "api", "--duration", "5m"]);
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["name"], "api");
    assert_eq!(one[0]["finalCapacity"], 3);
    env.run(["simulate", "nope", "--duration", "5m"]).code(1).stderr_has("scale set 'nope' is not in the definition");
}

// ---------------------------------------------------------------------------------------------
// New VMs serve only once Running; charts and timelines

#[test]
fn new_vms_serve_load_only_once_running() {
    let def = one_set(
        "web",
        r#"capacity: 2
orchestrationMode: Uniform
overprovision: false
provisioningTime: 5m
autoscale:
  profiles:
    - name: default
      capacity: { minimum: 2, maximum: 4, default: 2 }
      rules:
        - { condition: "Percentage CPU > 80 avg 5m", scale: out 2 }"#,
    );
    let env = Env::with_definition(&def);
    env.ok(["simulate", "--duration", "15m", "--load", "Percentage CPU=300", "--timeline", "t.csv", "--no-chart"]);
    let rows = timeline(&env, "t.csv");
    assert_eq!(rows.len(), 15);
    let col = |name: &str| rows.iter().map(|r| r[name].clone()).collect::<Vec<_>>();
    // Minutes 0-4: the first VMs are still Creating, nothing serves.
    assert_eq!(col("serving")[..5], ["0"; 5]);
    assert_eq!(col("perInstance")[..5], [""; 5]);
    // 08:05 they run; 08:06 autoscale adds two, which run at 08:11.
    assert_eq!(col("serving")[5..11], ["2"; 6]);
    assert_eq!(col("capacity")[5], "2");
    assert_eq!(col("capacity")[6..], ["4"; 9]);
    assert_eq!(col("perInstance")[5..11], ["100"; 6], "capped at 100 while two VMs carry three VMs' work");
    assert_eq!(col("serving")[11..], ["4"; 4]);
    assert_eq!(col("perInstance")[11..], ["75"; 4]);
    assert_eq!(col("unserved")[5], "1");
    assert_eq!(col("unserved")[11], "0");
}

#[test]
fn svg_and_timeline_outputs() {
    let env = Env::with_definition(&scaled(2, (1, 10, 2), &[CPU_OUT_70, CPU_IN_30]));
    let out = env.ok([
        "simulate",
        "--duration",
        "30m",
        "--load",
        "Percentage CPU=ramp(50,500,20m)",
        "--svg",
        "chart.svg",
        "--timeline",
        "tl.csv",
        "--no-chart",
    ]);
    assert!(out.stderr.contains("chart.svg"), "{}", out.context());
    let svg = env.read_text("chart.svg");
    assert!(svg.contains("<svg"), "not an SVG");
    assert!(svg.matches("<polyline").count() >= 2, "demand, instances and per-VM lines");
    assert!(svg.trim_end().ends_with("</svg>"));
    let csv = env.read_text("tl.csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "minute,time,scaleSet,metric,capacity,serving,demand,perInstance,unserved");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 30, "one row per minute");
    for (k, row) in rows.iter().enumerate() {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[0], k.to_string());
        assert_eq!(cells[1], format!("2026-01-05T08:{k:02}:00Z"));
        assert_eq!(cells[2], "web");
        assert_eq!(cells[3], "Percentage CPU");
    }
}

#[test]
fn advance_writes_a_timeline_too() {
    let env = Env::applied(&plain(2));
    env.ok(["advance", "3m", "--load", "Percentage CPU=50", "--timeline", "a.csv"]);
    let rows = timeline(&env, "a.csv");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["perInstance"], "25");
    env.ok(["advance", "2m", "--load", "Percentage CPU=50", "--timeline", "b.csv"]);
    let rows = timeline(&env, "b.csv");
    assert_eq!(rows[0]["minute"], "0", "minutes count from the start of each advance");
    assert_eq!(rows[0]["time"], "2026-01-05T08:03:00Z");
}

#[test]
fn simulate_prints_a_terminal_chart_unless_told_not_to() {
    let env = Env::with_definition(&plain(2));
    let out = env.ok(["simulate", "--duration", "10m", "--load", "Percentage CPU=100"]);
    assert!(out.stdout.contains("demand") && out.stdout.contains("instances"), "{}", out.context());
    let out = env.ok(["simulate", "--duration", "10m", "--load", "Percentage CPU=100", "--no-chart"]);
    assert!(!out.stdout.contains("instances "), "{}", out.context());
}

#[test]
fn autoscale_disabled_does_nothing() {
    let def = scaled(2, (1, 10, 4), &[CPU_OUT_70]).replace("autoscale:\n", "autoscale:\n      enabled: false\n");
    let env = Env::with_definition(&def);
    env.ok(["validate"]);
    let s = simulate_in(&env, "10m", &["Percentage CPU=1000"]);
    assert_eq!(s["finalCapacity"], 2);
    assert_eq!(s["scaleActions"], 0);
}

#[test]
fn simulate_applies_the_definition_unless_told_not_to() {
    let env = Env::applied(&plain(2));
    env.ok(["scale", "web", "--capacity", "5"]);
    let s = simulate_in(&env, "5m", &[]);
    assert_eq!(s["finalCapacity"], 2, "the definition's capacity, as apply would make it");
    let json = env.json(["simulate", "--duration", "5m", "--no-apply"]);
    assert_eq!(json[0]["finalCapacity"], 5, "the state as it is");
}

#[test]
fn autoscale_events_carry_old_and_new_capacity_and_the_rule() {
    let env = Env::applied(&scaled(2, (1, 10, 2), &[CPU_OUT_70]));
    let out = env.json(["advance", "1m", "--load", "Percentage CPU=400"]);
    let events = out["events"].as_array().unwrap();
    let e = events.iter().find(|e| e["kind"] == "AutoscaleScaleOut").expect("a scale-out in the advance report");
    assert_eq!(e["oldCapacity"], 2);
    assert_eq!(e["newCapacity"], 3);
    assert_eq!(e["scaleSet"], "web");
    assert_eq!(e["time"], at("08:01"));
    let reason = text(&e["reason"]);
    assert!(reason.contains("Percentage CPU > 70"), "{reason}");
    assert!(reason.contains("value 100"), "{reason}");
    assert_eq!(e["instances"], serde_json::json!(["2"]));
}

#[test]
fn timeline_minutes_count_up_when_the_clock_is_between_minutes() {
    let env = Env::applied(&plain(2));
    env.ok(["advance", "30s"]);
    env.ok(["advance", "4m", "--load", "Percentage CPU=100", "--timeline", "t.csv"]);
    let minutes: Vec<String> = timeline(&env, "t.csv").iter().map(|r| r["minute"].clone()).collect();
    assert_eq!(minutes, ["0", "1", "2", "3"]);
}

#[test]
fn at_the_maximum_a_firing_out_rule_still_prevents_a_scale_in() {
    // Memory per VM 15 < 20 asks for more VMs; requests < 100 asks for fewer.
    let def = scaled(
        4,
        (1, 4, 4),
        &[
            r#"{ condition: "memory < 20 avg 5m", scale: out 1 }"#,
            r#"{ condition: "requests < 100 avg 5m", scale: in 1 }"#,
        ],
    );
    let s = simulate(&def, "5m", &["memory=60", "requests=0"]);
    assert_eq!(s["finalCapacity"], 4, "an out-rule fires: no scale-in");
    assert_eq!(s["scaleActions"], 0);
}

#[test]
fn at_the_maximum_a_firing_out_rule_is_not_reported_as_flapping() {
    let def = scaled(4, (1, 4, 4), &[CPU_OUT_70, r#"{ condition: "requests < 100 avg 5m", scale: in 1 }"#]);
    let s = simulate(&def, "5m", &["Percentage CPU=400", "requests=0"]);
    assert_eq!(s["finalCapacity"], 4);
    assert_eq!(s["flappingAvoided"], 0, "no scale-in was due: an out-rule fires");
}

#[test]
fn the_activity_log_is_bounded_and_says_what_it_dropped() {
    let def = scaled(2, (1, 10, 2), &[CPU_OUT_1, CPU_IN_1]);
    let env = Env::applied(&def);
    env.ok(["--keep-events", "40", "advance", "2d", "--load", "Percentage CPU=diurnal(20,900,14)"]);
    let state = env.state();
    let of_web = state["events"].as_array().unwrap().iter().filter(|e| e["scaleSet"] == "web").count();
    assert_eq!(of_web, 40, "the newest 40 kept");
    let dropped = state["eventsDropped"]["web"].as_u64().expect("a count of dropped entries");
    assert!(dropped > 0);
    env.ok(["events", "web"]).stderr_has(&format!("note: {dropped} older entries of web were dropped"));
    // The newest entries are the ones kept: the last one is the latest clock step's.
    let events = env.events("web");
    assert!(events.windows(2).all(|w| text(&w[0]["time"]) <= text(&w[1]["time"])));
    env.run(["--keep-events", "5", "list"]).code(64).stderr_has("--keep-events");
}

#[test]
fn every_load_entry_of_a_metric_adds_up() {
    let def = plain(2).replace(
        "osDisk: { tier: P10 }",
        "osDisk: { tier: P10 }\n    load:\n      - { metric: Percentage CPU, constant: 50 }\n      \
         - { metric: Percentage CPU, spike: { base: 0, peak: 400, at: 10m, for: 10m } }",
    );
    let env = Env::with_definition(&def);
    env.ok(["simulate", "--duration", "30m", "--timeline", "t.csv", "--no-chart"]);
    let demand: Vec<f64> = timeline(&env, "t.csv").iter().map(|r| r["demand"].parse().unwrap()).collect();
    assert_eq!(demand[0], 50.0, "the constant alone before the spike");
    assert_eq!(demand[15], 450.0, "the constant plus the spike");
    assert_eq!(demand[25], 50.0);
    // A metric given on the command line replaces the definition's load of that metric.
    env.ok(["simulate", "--duration", "30m", "--timeline", "u.csv", "--no-chart", "--load", "Percentage CPU=7"]);
    assert!(timeline(&env, "u.csv").iter().all(|r| r["demand"] == "7"));
}

#[test]
fn a_misspelt_load_target_warns_with_the_nearest_match_and_strict_refuses() {
    let def = scaled(2, (1, 10, 2), &[CPU_OUT_1, CPU_IN_1]);
    let env = Env::applied(&def);
    for (spec, near) in [
        ("wbe:Percentage CPU=500", "did you mean one of: web:Percentage CPU"),
        ("Percentage  CPU=500", "did you mean one of: Percentage CPU"),
        ("Percentage CPUU=500", "did you mean one of: Percentage CPU"),
    ] {
        env.ok(["simulate", "--duration", "10m", "--no-chart", "--load", spec])
            .stderr_has("is read by no autoscale rule")
            .stderr_has(near)
            .stderr_has("web: the rules read 'Percentage CPU', which receives no load");
        let before = env.state_bytes();
        env.run(["advance", "10m", "--strict", "--load", spec]).code(64).stderr_has("loads and rules do not meet");
        assert_eq!(env.state_bytes(), before);
    }
    env.write("t.csv", "minute,nosuch:Percentage CPU\n0,500\n");
    env.ok(["simulate", "--duration", "10m", "--no-chart", "--load", "t.csv"]).stderr_has("'nosuch' is not a set");
    // A load that meets the rules says nothing.
    env.ok(["simulate", "--duration", "10m", "--no-chart", "--load", "web:Percentage CPU=500"]).stderr_lacks("warning");
    // validate notes a definition's load that no rule reads; --strict makes it a problem.
    let typo = def.replace(
        "osDisk: { tier: P10 }",
        "osDisk: { tier: P10 }\n    load:\n      - { metric: Percentage CPUU, constant: 50 }",
    );
    env.define(&typo);
    env.ok(["validate"]).stderr_has("note: web: load: metric 'Percentage CPUU' is read by no autoscale rule");
    env.run(["validate", "--strict"]).code(65).stderr_has("is read by no autoscale rule").stderr_has("(--strict)");
}

#[test]
fn real_metric_exports_drive_the_load() {
    let env = Env::with_definition(&plain(2));
    // Five-minute samples with timestamps, a gap, and values that are a per-VM average of 4 VMs.
    env.write(
        "cpu.csv",
        "timestamp,avg\n2026-01-05T08:00:00Z,10\n2026-01-05T08:05:00Z,20\n2026-01-05T08:10:00Z,\n2026-01-05T08:15:00Z,40\n",
    );
    env.ok([
        "simulate",
        "--duration",
        "20m",
        "--no-chart",
        "--timeline",
        "t.csv",
        "--load",
        "Percentage CPU=trace(cpu.csv, column=avg, values=perInstance, instances=4, between=hold, repeat=false)",
    ]);
    let demand: Vec<String> = timeline(&env, "t.csv").iter().map(|r| r["demand"].clone()).collect();
    assert_eq!(demand[0], "40", "10 per VM x 4 VMs");
    assert_eq!(demand[7], "80");
    assert_eq!(demand[12], "", "a gap in the export is no data");
    assert_eq!(demand[16], "160");
    // `az monitor metrics list -o json`, read by the metric's own name.
    env.write(
        "metrics.json",
        r#"{"value": [{"name": {"value": "Percentage CPU"}, "timeseries": [{"data": [
            {"timeStamp": "2026-01-05T08:00:00Z", "average": 30},
            {"timeStamp": "2026-01-05T08:01:00Z", "average": 50}]}]}]}"#,
    );
    env.ok(["simulate", "--duration", "2m", "--no-chart", "--timeline", "j.csv", "--load", "metrics.json"]);
    let demand: Vec<String> = timeline(&env, "j.csv").iter().map(|r| r["demand"].clone()).collect();
    assert_eq!(demand, ["30", "50"]);
    // The instance count from a column of the export, row by row.
    env.write("counted.csv", "timestamp,avg,vms\n2026-01-05T08:00:00Z,10,3\n2026-01-05T08:01:00Z,10,6\n");
    env.ok([
        "simulate",
        "--duration",
        "2m",
        "--no-chart",
        "--timeline",
        "c.csv",
        "--load",
        "Percentage CPU=trace(counted.csv, column=avg, values=perInstance, instances=vms)",
    ]);
    let demand: Vec<String> = timeline(&env, "c.csv").iter().map(|r| r["demand"].clone()).collect();
    assert_eq!(demand, ["30", "60"]);
    // Mistakes name the file, the line and the column.
    env.write("bad.csv", "timestamp,avg\n2026-01-05T08:00:00Z,10\nlater,20\n");
    env.run(["simulate", "--duration", "5m", "--load", "Percentage CPU=trace(bad.csv)"])
        .code(64)
        .stderr_has("bad.csv:3:1: 'later' is not a time");
    env.run(["simulate", "--duration", "5m", "--load", "Percentage CPU=trace(cpu.csv, column=p99)"])
        .code(64)
        .stderr_has("no column 'p99'");
}

#[test]
fn a_definition_load_entry_replays_a_trace_file_beside_the_definition() {
    let env = Env::new();
    std::fs::create_dir(env.path("conf")).unwrap();
    env.write("conf/cpu.csv", "timestamp,avg\n2026-01-05T08:00:00Z,10\n2026-01-05T08:05:00Z,30\n");
    let with_trace =
        |trace: &str| format!("{}    load:\n      - metric: Percentage CPU\n        trace: {trace}\n", plain(2));
    env.write("conf/scalesets.yaml", with_trace("{ file: cpu.csv, values: perInstance, instances: 2 }"));
    // The file is found beside the definition, not in the working directory.
    env.ok(["-f", "conf/scalesets.yaml", "simulate", "--duration", "12m", "--no-chart", "--timeline", "t.csv"]);
    let demand: Vec<String> = timeline(&env, "t.csv").iter().map(|r| r["demand"].clone()).collect();
    assert_eq!(demand[0], "20", "10 per VM x 2 VMs");
    assert_eq!(demand[5], "60");
    assert_eq!(demand[9], "60", "the last value holds one interval");
    assert_eq!(demand[10], "20", "and then the trace starts again");
    // Applied, the trace lives in the state: advance replays it with no file at hand.
    env.ok(["-f", "conf/scalesets.yaml", "apply", "--auto-approve"]);
    std::fs::remove_file(env.path("conf/cpu.csv")).unwrap();
    env.ok(["advance", "6m", "--timeline", "a.csv"]);
    let demand: Vec<String> = timeline(&env, "a.csv").iter().map(|r| r["demand"].clone()).collect();
    assert_eq!(demand[5], "60");
    // Mistakes name the definition's line and the entry; a trace's own the file's line and column.
    env.run(["-f", "conf/scalesets.yaml", "validate"]).code(65).stderr_has("load[0].trace.file: cannot read 'cpu.csv'");
    env.write("conf/cpu.csv", "timestamp,avg\n2026-01-05T08:00:00Z,lots\n");
    env.run(["-f", "conf/scalesets.yaml", "validate"])
        .code(65)
        .stderr_has("load[0].trace.file: cpu.csv:2:2: 'lots' is not a non-negative number");
    env.write("conf/scalesets.yaml", with_trace("{ file: cpu.csv, values: perInstance }"));
    env.run(["-f", "conf/scalesets.yaml", "validate"])
        .code(65)
        .stderr_has("load[0].trace: values=perInstance needs instances=N");
    env.write("conf/scalesets.yaml", with_trace("{ file: cpu.csv, between: smooth }"));
    env.run(["-f", "conf/scalesets.yaml", "validate"]).code(65).stderr_has("between=smooth: accepted: hold or linear");
}

/// The project's fixtures in each export format replay to the values they hold.
#[test]
fn each_metric_export_format_replays() {
    let env = Env::with_definition(&plain(2));
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/traces");
    for name in ["portal-cpu.csv", "az-metrics.json", "log-analytics.csv"] {
        std::fs::copy(fixtures.join(name), env.path(name)).unwrap();
    }
    let demand = |spec: &str, duration: &str| -> Vec<String> {
        env.ok(["simulate", "--duration", duration, "--no-chart", "--timeline", "t.csv", "--load", spec]);
        timeline(&env, "t.csv").iter().map(|r| r["demand"].clone()).collect()
    };
    // The Azure portal's "Download to CSV": its preamble skipped, 5-minute averages of 2 VMs.
    let portal = demand("Percentage CPU=trace(portal-cpu.csv, values=perInstance, instances=2)", "30m");
    let every_5: Vec<&str> = portal.iter().step_by(5).map(String::as_str).collect();
    assert_eq!(every_5, ["40", "70", "", "160", "151", "80"]);
    // `az monitor metrics list -o json`, its maximum; a point with no value is a gap.
    let az = demand("Percentage CPU=trace(az-metrics.json, aggregation=maximum)", "5m");
    assert_eq!(az, ["40.1", "55", "", "97", "70"]);
    // Log Analytics' export, its instance count in a column; a row with no count is no data.
    let la = demand(
        "Percentage CPU=trace(log-analytics.csv, column=avg_CounterValue, values=perInstance, instances=vm_count)",
        "40m",
    );
    let every_10: Vec<&str> = la.iter().step_by(10).map(String::as_str).collect();
    assert_eq!(every_10, ["50", "150", "", "120"]);
}
