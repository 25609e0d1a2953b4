//! The autoscale engine (Azure Monitor autoscale semantics, reference section 9), run once per
//! logical minute for each set with an enabled autoscale setting.
//!
//! 1. The active profile is the first match among fixed-date profiles, then recurring ones (a
//!    recurring profile lasts from its start until the next recurring start, as in Azure's
//!    model: end one by adding another), then the default profile.
//! 2. Capacity outside the profile's [minimum, maximum] is brought back at once (also right
//!    after a profile switch), whatever the cooldown.
//! 3. During a cooldown nothing else happens, in either direction. The cooldown is the one of
//!    the rule that fired.
//! 4. Scale out if ANY scale-out rule fires, to the HIGHEST resulting capacity; otherwise
//!    scale in only if ALL scale-in rules fire, by the SMALLEST reduction. Percent changes
//!    round toward zero but move at least one VM. ExactCount rules count as scale-out or
//!    scale-in by whether their count is above or below the current capacity.
//! 5. Before scaling in, flapping prevention estimates each scale-out rule's metric after the
//!    change (value x current / new): if one would fire, scale in only to the lowest count in
//!    between that fires none (FlappingOccurred), or not at all (Flapping).
//! 6. A rule whose metric is unavailable cannot fire; when any rule's metric is unavailable and
//!    the capacity is below the profile's default, scale out to the default (never in).

use jiff::Timestamp;

use crate::model::autoscale::{Autoscale, Direction, Profile, Rule, ScaleType, Schedule};
use crate::model::event::{Event, EventKind};
use crate::model::state::ScaleSet;
use crate::model::timezone;
use smallvec::SmallVec;

use super::capacity;

/// The profile in force at `now`.
#[must_use]
pub fn active_profile(setting: &Autoscale, now: Timestamp) -> Option<&Profile> {
    for p in &setting.profiles {
        if let Schedule::FixedDate { time_zone, start, end } = &p.schedule
            && let Ok(tz) = timezone::resolve(time_zone)
        {
            let local = now.to_zoned_datetime(tz).datetime();
            if *start <= local && local < *end {
                return Some(p);
            }
        }
    }
    let mut latest: Option<(Timestamp, &Profile)> = None;
    for p in &setting.profiles {
        if let Some(start) = last_recurring_start(p, now)
            && latest.is_none_or(|(t, _)| start > t)
        {
            latest = Some((start, p));
        }
    }
    if let Some((_, p)) = latest {
        return Some(p);
    }
    setting.profiles.iter().find(|p| p.schedule == Schedule::Default)
}

/// The most recent instant at or before `now` when a recurring profile started.
fn last_recurring_start(p: &Profile, now: Timestamp) -> Option<Timestamp> {
    let Schedule::Recurring { time_zone, days, hour, minute } = &p.schedule else { return None };
    let tz = timezone::resolve(time_zone).ok()?;
    let local = now.to_zoned_datetime(tz.clone());
    let today = local.date();
    let mut best: Option<Timestamp> = None;
    for back in 0..=7 {
        let date = today.checked_sub(jiff::Span::new().days(back)).ok()?;
        let weekday = date.weekday().to_monday_zero_offset();
        if !days.iter().any(|d| {
            crate::model::autoscale::Day::ALL.iter().position(|x| x == d) == Some(usize::try_from(weekday).unwrap_or(9))
        }) {
            continue;
        }
        let dt = date.at(i8::try_from(*hour).unwrap_or(0), i8::try_from(*minute).unwrap_or(0), 0, 0);
        let Ok(zoned) = dt.to_zoned_datetime(tz.clone()) else { continue };
        let t = zoned.timestamp();
        if t <= now && best.is_none_or(|b| t > b) {
            best = Some(t);
        }
    }
    best
}

/// The capacity a rule asks for from `current`.
#[must_use]
pub fn rule_target(rule: &Rule, current: u32) -> u32 {
    let change = |value: u32| match rule.kind {
        ScaleType::ChangeCount => value,
        // Toward zero, but at least one VM.
        ScaleType::PercentChangeCount => {
            u32::try_from(u64::from(current) * u64::from(value) / 100).unwrap_or(u32::MAX).max(1)
        }
        ScaleType::ExactCount => 0,
    };
    match (rule.kind, rule.direction) {
        (ScaleType::ExactCount, _) => rule.value,
        (_, Direction::Decrease) => current.saturating_sub(change(rule.value)),
        (_, Direction::Increase | Direction::None) => current.saturating_add(change(rule.value)),
    }
}

fn is_out(rule: &Rule, current: u32) -> bool {
    match rule.kind {
        ScaleType::ExactCount => rule.value > current,
        _ => rule.direction == Direction::Increase,
    }
}

fn is_in(rule: &Rule, current: u32) -> bool {
    match rule.kind {
        ScaleType::ExactCount => rule.value < current,
        _ => rule.direction == Direction::Decrease,
    }
}

/// One autoscale run for `set` at `now`, using the metric history already recorded.
pub fn step(set: &mut ScaleSet, now: Timestamp, events: &mut Vec<Event>) {
    // Taken out for the run (capacity changes never read it) to avoid copying it every minute.
    let Some(setting) = set.config.autoscale.take() else { return };
    if setting.enabled
        && let Some(profile) = active_profile(&setting, now)
    {
        run(set, profile, now, events);
    }
    set.config.autoscale = Some(setting);
}

#[allow(clippy::too_many_lines)] // the documented steps, in order
fn run(set: &mut ScaleSet, profile: &Profile, now: Timestamp, events: &mut Vec<Event>) {
    let range = profile.capacity;
    let current = set.capacity;

    if set.autoscale.active_profile.as_deref() != Some(profile.name.as_str()) {
        let from = set.autoscale.active_profile.replace(profile.name.clone());
        events.push(
            Event::new(
                now,
                Some(&set.config.name),
                EventKind::AutoscaleProfileChanged,
                format!(
                    "profile '{}' active (capacity {}-{}, default {}){}",
                    profile.name,
                    range.minimum,
                    range.maximum,
                    range.default,
                    from.map_or_else(String::new, |f| format!(", was '{f}'"))
                ),
            )
            .with_reason("autoscale schedule"),
        );
    }

    // A maxSurge batch holds extra VMs for a while: they are the upgrade's, not capacity to
    // correct, so autoscale waits for the batch to finish.
    if set.rolling_upgrade.as_ref().is_some_and(|r| !r.surge.is_empty()) {
        return;
    }

    // Minimum and maximum first, whatever the cooldown.
    let bound = current.clamp(range.minimum, range.maximum);
    if bound != current {
        let why = if bound > current {
            format!("below the minimum {} of profile '{}'", range.minimum, profile.name)
        } else {
            format!("above the maximum {} of profile '{}'", range.maximum, profile.name)
        };
        act(set, bound, now, &format!("capacity {current} {why}"), None, events);
        return;
    }
    if set.autoscale.cooldown_until.is_some_and(|t| now < t) {
        return;
    }

    // Read from running windows; a profile has at most 10 rules, so no allocation per minute.
    let values: SmallVec<[Option<f64>; 10]> = profile.rules.iter().map(|r| set.autoscale.history.read(r)).collect();
    let unavailable = values.iter().any(Option::is_none);
    if unavailable != set.autoscale.metrics_unavailable {
        set.autoscale.metrics_unavailable = unavailable;
        if unavailable {
            let missing: Vec<&str> = profile
                .rules
                .iter()
                .zip(&values)
                .filter(|(_, v)| v.is_none())
                .map(|(r, _)| r.metric_name.as_str())
                .collect();
            events.push(
                Event::new(
                    now,
                    Some(&set.config.name),
                    EventKind::MetricsUnavailable,
                    format!("metrics unavailable: {}", dedup(&missing).join(", ")),
                )
                .with_reason("autoscale"),
            );
        }
    }
    let fires = |r: &Rule, v: Option<f64>| v.is_some_and(|v| r.operator.holds(v, r.threshold));

    // Scale out: any rule, highest result.
    let mut best_out: Option<(u32, &Rule, f64)> = None;
    for (r, v) in profile.rules.iter().zip(&values) {
        if is_out(r, current) && fires(r, *v) {
            let target = rule_target(r, current).min(range.maximum);
            if best_out.is_none_or(|(t, _, _)| target > t) {
                best_out = Some((target, r, v.unwrap_or(0.0)));
            }
        }
    }
    if let Some((target, rule, value)) = best_out {
        if target > current {
            act(set, target, now, &format!("{} (value {})", rule.describe(), round2(value)), Some(rule), events);
        }
        // A firing scale-out rule rules out a scale-in, even at the maximum.
        return;
    }
    if unavailable && current < range.default {
        act(
            set,
            range.default,
            now,
            &format!("metrics unavailable: default capacity {} of profile '{}'", range.default, profile.name),
            None,
            events,
        );
        return;
    }

    // Scale in: all scale-in rules must fire; the smallest reduction wins.
    let in_rules: SmallVec<[(&Rule, Option<f64>); 10]> =
        profile.rules.iter().zip(values.iter().copied()).filter(|(r, _)| is_in(r, current)).collect();
    if in_rules.is_empty() || !in_rules.iter().all(|(r, v)| fires(r, *v)) {
        return;
    }
    let Some((target, rule)) =
        in_rules.iter().map(|(r, _)| (rule_target(r, current).max(range.minimum), *r)).max_by_key(|(t, _)| *t)
    else {
        return;
    };
    if target >= current {
        return;
    }
    // Flapping prevention: would a scale-out rule fire after the change?
    let outs: SmallVec<[(&Rule, f64); 10]> = profile
        .rules
        .iter()
        .zip(&values)
        .filter_map(|(r, v)| {
            v.filter(|_| r.direction == Direction::Increase || (r.kind == ScaleType::ExactCount && r.value > target))
                .map(|v| (r, v))
        })
        .collect();
    let flaps =
        |n: u32| outs.iter().any(|(r, v)| r.operator.holds(v * f64::from(current) / f64::from(n.max(1)), r.threshold));
    let Some(safe) = (target..current).find(|n| !flaps(*n)) else {
        events.push(
            Event::new(
                now,
                Some(&set.config.name),
                EventKind::Flapping,
                format!("scale-in from {current} to {target} skipped: the estimated metric would trigger a scale-out"),
            )
            .with_capacity(current, current)
            .with_reason(rule.describe()),
        );
        // Re-evaluated next minute.
        return;
    };
    if safe != target {
        events.push(
            Event::new(
                now,
                Some(&set.config.name),
                EventKind::FlappingOccurred,
                format!("scale-in to {target} shortened to {safe}: a lower count would trigger a scale-out"),
            )
            .with_capacity(current, safe)
            .with_reason(rule.describe()),
        );
    }
    let value = in_rules.iter().find(|(r, _)| std::ptr::eq(*r, rule)).and_then(|(_, v)| *v).unwrap_or(0.0);
    act(set, safe, now, &format!("{} (value {})", rule.describe(), round2(value)), Some(rule), events);
}

fn dedup<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for n in names {
        if !out.contains(n) {
            out.push(n);
        }
    }
    out
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Carries out a decision: the capacity change, its event, the cooldown.
fn act(set: &mut ScaleSet, target: u32, now: Timestamp, reason: &str, rule: Option<&Rule>, events: &mut Vec<Event>) {
    let name = set.config.name.clone();
    let from = set.capacity;
    match capacity::scale_to(set, i64::from(target), now, &format!("autoscale: {reason}")) {
        Ok(evs) => {
            for mut e in evs {
                if matches!(e.kind, EventKind::ScaleOut | EventKind::ScaleIn) {
                    e.kind = if target > from { EventKind::AutoscaleScaleOut } else { EventKind::AutoscaleScaleIn };
                    e.message = format!("autoscale {}", e.message);
                }
                events.push(e);
            }
            if let Some(rule) = rule {
                set.autoscale.cooldown_until = now.checked_add(rule.cooldown.as_signed()).ok();
            }
        }
        Err(err) => {
            // A scale-in blocked by protection or zone balance: say so, try again next run.
            events.push(
                Event::new(
                    now,
                    Some(&name),
                    EventKind::AutoscaleFailed,
                    format!("autoscale could not change capacity {from} -> {target}: {err}"),
                )
                .with_capacity(from, from)
                .with_reason(format!("autoscale: {reason}")),
            );
            if let Some(rule) = rule {
                set.autoscale.cooldown_until = now.checked_add(rule.cooldown.as_signed()).ok();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(direction: Direction, kind: ScaleType, value: u32) -> Rule {
        Rule { direction, kind, value, ..Rule::example() }
    }

    #[test]
    fn percent_changes_round_toward_zero_but_move_one() {
        assert_eq!(rule_target(&rule(Direction::Increase, ScaleType::PercentChangeCount, 50), 3), 4);
        assert_eq!(rule_target(&rule(Direction::Increase, ScaleType::PercentChangeCount, 10), 3), 4);
        assert_eq!(rule_target(&rule(Direction::Decrease, ScaleType::PercentChangeCount, 50), 5), 3);
        assert_eq!(rule_target(&rule(Direction::Decrease, ScaleType::PercentChangeCount, 10), 5), 4);
        assert_eq!(rule_target(&rule(Direction::Increase, ScaleType::ChangeCount, 3), 2), 5);
        assert_eq!(rule_target(&rule(Direction::Decrease, ScaleType::ChangeCount, 3), 2), 0);
        assert_eq!(rule_target(&rule(Direction::None, ScaleType::ExactCount, 7), 2), 7);
    }
}

#[cfg(test)]
mod engine_tests {
    //! The engine on a real set built from a definition, with the metric history filled by
    //! hand: each rule of the module documentation, one at a time.

    use super::*;
    use crate::cost::catalog::Catalog;
    use crate::engine::capacity;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// A set of `capacity` VMs (running at once) with one default profile and these rules.
    fn set(capacity: u32, range: (u32, u32, u32), rules: &[&str]) -> ScaleSet {
        let mut yaml = format!(
            "scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: {capacity}\n    orchestrationMode: Uniform\n    overprovision: false\n    provisioningTime: 0s\n    autoscale:\n      profiles:\n        - name: default\n          capacity: {{ minimum: {}, maximum: {}, default: {} }}\n          rules:\n",
            range.0, range.1, range.2
        );
        for r in rules {
            yaml.push_str(&format!("            - {r}\n"));
        }
        if rules.is_empty() {
            yaml.push_str("            []\n");
        }
        let defs = crate::spec::parse_definition("t.yaml", yaml.as_bytes(), Catalog::builtin()).unwrap();
        capacity::create_set(&defs[0], t("2026-01-05T08:00:00Z")).unwrap().0
    }

    /// One minute of CPU demand (a total), with every VM serving.
    fn minute(set: &mut ScaleSet, total: f64) {
        let serving = set.capacity;
        set.autoscale.history.push(serving, &[("Percentage CPU", Some(total))]);
    }

    fn run(set: &mut ScaleSet, at: &str) -> Vec<Event> {
        let mut events = Vec::new();
        step(set, t(at), &mut events);
        events
    }

    fn kinds(events: &[Event]) -> Vec<EventKind> {
        events.iter().map(|e| e.kind).collect()
    }

    const OUT_60: &str = r#"{ condition: "Percentage CPU > 60 avg 5m", scale: out 1, cooldown: 10m }"#;
    const IN_40_HALF: &str = r#"{ condition: "Percentage CPU < 40 avg 5m", scale: in 50%, cooldown: 10m }"#;

    #[test]
    fn flapping_shortens_to_the_lowest_safe_count() {
        let mut s = set(4, (1, 10, 4), &[OUT_60, IN_40_HALF]);
        minute(&mut s, 140.0); // 35 per VM
        let events = run(&mut s, "2026-01-05T08:01:00Z");
        assert_eq!(s.capacity, 3);
        assert!(kinds(&events).contains(&EventKind::FlappingOccurred));
        assert!(kinds(&events).contains(&EventKind::AutoscaleScaleIn));
        assert_eq!(s.autoscale.cooldown_until, Some(t("2026-01-05T08:11:00Z")));
    }

    #[test]
    fn flapping_with_no_safe_count_skips_without_a_cooldown() {
        let mut s = set(2, (1, 10, 2), &[OUT_60, IN_40_HALF]);
        minute(&mut s, 78.0); // 39 per VM; 78 on one VM
        let events = run(&mut s, "2026-01-05T08:01:00Z");
        assert_eq!(s.capacity, 2);
        assert_eq!(kinds(&events), [EventKind::AutoscaleProfileChanged, EventKind::Flapping]);
        assert_eq!(s.autoscale.cooldown_until, None);
    }

    #[test]
    fn a_threshold_hit_exactly_does_not_fire_a_strict_operator() {
        let mut s = set(2, (1, 10, 2), &[OUT_60]);
        minute(&mut s, 120.0); // exactly 60 per VM
        run(&mut s, "2026-01-05T08:01:00Z");
        assert_eq!(s.capacity, 2);
        minute(&mut s, 122.0); // window average 60.5
        run(&mut s, "2026-01-05T08:02:00Z");
        assert_eq!(s.capacity, 3);
    }

    #[test]
    fn cooldown_blocks_both_directions_until_it_ends() {
        let mut s = set(2, (1, 10, 2), &[OUT_60, r#"{ condition: "Percentage CPU < 40 avg 5m", scale: in 1 }"#]);
        minute(&mut s, 400.0);
        run(&mut s, "2026-01-05T08:01:00Z");
        assert_eq!(s.capacity, 3);
        for m in 2..=10 {
            for _ in 0..5 {
                minute(&mut s, 0.0);
            }
            let events = run(&mut s, &format!("2026-01-05T08:{m:02}:00Z"));
            assert!(events.is_empty(), "08:{m:02}: {events:?}");
        }
        let events = run(&mut s, "2026-01-05T08:11:00Z");
        assert_eq!(kinds(&events), [EventKind::AutoscaleScaleIn]);
        assert_eq!(s.capacity, 2);
        // The in-rule's own cooldown (the default 5 minutes) now applies.
        assert_eq!(s.autoscale.cooldown_until, Some(t("2026-01-05T08:16:00Z")));
    }

    #[test]
    fn the_range_is_enforced_before_the_cooldown_and_without_starting_one() {
        let mut s = set(2, (3, 6, 3), &[OUT_60]);
        s.autoscale.cooldown_until = Some(t("2026-01-05T09:00:00Z"));
        let events = run(&mut s, "2026-01-05T08:01:00Z");
        assert_eq!(s.capacity, 3);
        assert!(kinds(&events).contains(&EventKind::AutoscaleScaleOut));
        assert_eq!(s.autoscale.cooldown_until, Some(t("2026-01-05T09:00:00Z")), "unchanged");
    }

    #[test]
    fn missing_metrics_scale_out_to_the_default_once_and_log_once() {
        let mut s = set(1, (1, 10, 3), &[OUT_60]);
        let events = run(&mut s, "2026-01-05T08:01:00Z");
        assert_eq!(s.capacity, 3);
        assert!(kinds(&events).contains(&EventKind::MetricsUnavailable));
        let events = run(&mut s, "2026-01-05T08:02:00Z");
        assert!(events.is_empty(), "{events:?}");
        assert!(s.autoscale.metrics_unavailable);
        // Metrics back: the flag clears quietly.
        minute(&mut s, 30.0);
        run(&mut s, "2026-01-05T08:03:00Z");
        assert!(!s.autoscale.metrics_unavailable);
    }

    #[test]
    fn exact_count_is_a_scale_out_or_a_scale_in_by_where_it_points() {
        let to_5 = r#"{ condition: "Percentage CPU > 60 avg 5m", scale: to 5 }"#;
        let mut s = set(2, (1, 10, 2), &[to_5]);
        minute(&mut s, 200.0);
        run(&mut s, "2026-01-05T08:01:00Z");
        assert_eq!(s.capacity, 5);
        let mut s = set(8, (1, 10, 8), &[to_5]);
        minute(&mut s, 800.0);
        let events = run(&mut s, "2026-01-05T08:01:00Z");
        assert_eq!(s.capacity, 5, "to 5 from 8 scales in: {events:?}");
    }

    #[test]
    fn a_scale_in_blocked_by_protection_is_logged_and_cools_down() {
        let mut s = set(2, (1, 10, 2), &[r#"{ condition: "Percentage CPU < 40 avg 5m", scale: in 1 }"#]);
        for i in &mut s.instances {
            i.protect_from_scale_in = true;
        }
        minute(&mut s, 10.0);
        let events = run(&mut s, "2026-01-05T08:01:00Z");
        assert_eq!(s.capacity, 2);
        let failed = events.iter().find(|e| e.kind == EventKind::AutoscaleFailed).expect("AutoscaleFailed");
        assert_eq!((failed.old_capacity, failed.new_capacity), (Some(2), Some(2)));
        assert_eq!(s.autoscale.cooldown_until, Some(t("2026-01-05T08:06:00Z")));
    }

    fn profiles(yaml_profiles: &str) -> Autoscale {
        let yaml = format!(
            "scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n    autoscale:\n      profiles:\n{yaml_profiles}"
        );
        let defs = crate::spec::parse_definition("t.yaml", yaml.as_bytes(), Catalog::builtin()).unwrap();
        defs[0].config.autoscale.clone().unwrap()
    }

    fn active(setting: &Autoscale, at: &str) -> String {
        active_profile(setting, t(at)).map(|p| p.name.clone()).unwrap_or_default()
    }

    #[test]
    fn the_active_profile_is_fixed_date_then_the_latest_recurring_start_then_default() {
        let setting = profiles(
            "        - name: base\n          capacity: { minimum: 1, maximum: 2, default: 1 }\n        - name: mornings\n          recurrence: { timeZone: UTC, days: [Mon, Tue, Wed, Thu, Fri], hours: 8 }\n          capacity: { minimum: 1, maximum: 2, default: 1 }\n        - name: evenings\n          recurrence: { timeZone: UTC, days: [Mon, Tue, Wed, Thu, Fri], hours: 18, minutes: 30 }\n          capacity: { minimum: 1, maximum: 2, default: 1 }\n        - name: sale\n          fixedDate: { timeZone: America/New_York, start: \"2026-01-07T00:00:00\", end: \"2026-01-08T00:00:00\" }\n          capacity: { minimum: 1, maximum: 2, default: 1 }\n",
        );
        assert_eq!(active(&setting, "2026-01-05T08:00:00Z"), "mornings");
        assert_eq!(active(&setting, "2026-01-05T07:59:00Z"), "evenings", "Friday evening's lasts over the weekend");
        assert_eq!(active(&setting, "2026-01-05T18:29:00Z"), "mornings");
        assert_eq!(active(&setting, "2026-01-05T18:30:00Z"), "evenings");
        assert_eq!(active(&setting, "2026-01-06T03:00:00Z"), "evenings", "through the night");
        // The sale is New York time: 05:00 UTC to 05:00 UTC the next day.
        assert_eq!(active(&setting, "2026-01-07T04:59:00Z"), "evenings");
        assert_eq!(active(&setting, "2026-01-07T05:00:00Z"), "sale");
        assert_eq!(active(&setting, "2026-01-08T04:59:00Z"), "sale");
        assert_eq!(active(&setting, "2026-01-08T05:00:00Z"), "evenings");
        let only_default =
            profiles("        - name: base\n          capacity: { minimum: 1, maximum: 2, default: 1 }\n");
        assert_eq!(active(&only_default, "2026-01-05T08:00:00Z"), "base");
    }

    #[test]
    fn a_single_weekly_recurrence_holds_all_week() {
        let setting = profiles(
            "        - name: base\n          capacity: { minimum: 1, maximum: 2, default: 1 }\n        - name: weekly\n          recurrence: { timeZone: UTC, days: [Wednesday], hours: 12 }\n          capacity: { minimum: 1, maximum: 2, default: 1 }\n",
        );
        // Monday: the last Wednesday noon was five days ago.
        assert_eq!(active(&setting, "2026-01-05T08:00:00Z"), "weekly");
        assert_eq!(active(&setting, "2026-01-07T11:59:00Z"), "weekly");
    }

    #[test]
    fn more_percent_and_count_targets() {
        let r = |direction, kind, value| Rule { direction, kind, value, ..Rule::example() };
        assert_eq!(rule_target(&r(Direction::Increase, ScaleType::PercentChangeCount, 25), 10), 12);
        assert_eq!(rule_target(&r(Direction::Decrease, ScaleType::PercentChangeCount, 35), 10), 7);
        assert_eq!(rule_target(&r(Direction::Decrease, ScaleType::PercentChangeCount, 100), 10), 0);
        assert_eq!(rule_target(&r(Direction::Decrease, ScaleType::PercentChangeCount, 50), 1), 0);
        assert_eq!(rule_target(&r(Direction::Increase, ScaleType::PercentChangeCount, 200), 3), 9);
        assert_eq!(rule_target(&r(Direction::Increase, ScaleType::PercentChangeCount, 1), 0), 1);
        assert_eq!(rule_target(&r(Direction::Decrease, ScaleType::ChangeCount, 1), 0), 0);
        assert_eq!(rule_target(&r(Direction::Decrease, ScaleType::ExactCount, 2), 9), 2);
    }
}
