//! Validation of an autoscale setting: profiles, capacities, schedules and time zones.

#[allow(clippy::wildcard_imports)] // the parent's imports and helpers, shared by every part
use super::*;

pub(super) fn validate_autoscale(raw: &RawAutoscale, set_max: u32, c: &mut Checker<'_>) -> Autoscale {
    if raw.profiles.is_empty() {
        c.problem(
            "autoscale.profiles",
            "needs at least one profile (a default profile with no recurrence or fixedDate, or recurring profiles)",
        );
    }
    if raw.profiles.len() > 20 {
        c.problem("autoscale.profiles", format!("{} profiles; Azure allows at most 20", raw.profiles.len()));
    }
    let defaults = raw.profiles.iter().filter(|p| p.recurrence.is_none() && p.fixed_date.is_none()).count();
    let recurring = raw.profiles.iter().filter(|p| p.recurrence.is_some()).count();
    // As in Azure: one default profile, or none when recurring profiles cover the whole week
    // (each runs until the next one starts, so one of them is always in force).
    if !raw.profiles.is_empty() && (defaults > 1 || (defaults == 0 && recurring == 0)) {
        c.problem(
            "autoscale.profiles",
            format!(
                "needs exactly one default profile (without recurrence or fixedDate), or recurring profiles only; \
                 found {defaults} default and {recurring} recurring"
            ),
        );
    }
    let mut names = BTreeSet::new();
    let profiles = raw
        .profiles
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if !names.insert(p.name.to_ascii_lowercase()) {
                c.problem(format!("autoscale.profiles[{i}].name"), format!("duplicate profile name '{}'", p.name));
            }
            validate_profile(p, &format!("autoscale.profiles[{i}]"), set_max, c)
        })
        .collect();
    Autoscale { enabled: raw.enabled.unwrap_or(true), profiles }
}

pub(super) fn validate_profile(p: &RawProfile, at: &str, set_max: u32, c: &mut Checker<'_>) -> Profile {
    if p.name.trim().is_empty() {
        c.problem(format!("{at}.name"), "a profile needs a name");
    }
    let (min, max, default) = (p.capacity.minimum, p.capacity.maximum, p.capacity.default);
    let max_allowed = i64::from(set_max);
    for (field, v) in [("minimum", min), ("maximum", max), ("default", default)] {
        if v < 0 || (v > max_allowed && field != "maximum") {
            c.problem(
                format!("{at}.capacity.{field}"),
                format!("{v} is out of range (accepted: 0 to {max_allowed}, the set's limit)"),
            );
        }
    }
    // A maximum above what the set can hold is what Azure accepts and never reaches: kept as the
    // set's limit, and said.
    if max > max_allowed && min <= max_allowed && default <= max_allowed {
        c.note(
            &format!("{at}.capacity.maximum"),
            format!("{max} is above the set's limit of {max_allowed} VMs: autoscale stops at {max_allowed}"),
        );
    }
    let max = max.min(max_allowed.max(min));
    if min > max {
        c.problem(format!("{at}.capacity"), format!("minimum {min} is greater than maximum {max}"));
    } else if !(min..=max).contains(&default) {
        c.problem(format!("{at}.capacity.default"), format!("{default} is outside [minimum {min}, maximum {max}]"));
    }
    let clamp = |v: i64| u32::try_from(v.clamp(0, max_allowed)).unwrap_or(0);
    let capacity = CapacityRange { minimum: clamp(min), maximum: clamp(max), default: clamp(default) };

    if p.rules.len() > 10 {
        c.problem(format!("{at}.rules"), format!("{} rules; Azure allows at most 10 per profile", p.rules.len()));
    }
    let rules =
        p.rules.iter().enumerate().filter_map(|(i, r)| validate_rule(r, &format!("{at}.rules[{i}]"), c)).collect();

    let schedule = match (&p.recurrence, &p.fixed_date) {
        (Some(_), Some(_)) => {
            c.problem(at.to_owned(), "a profile has either recurrence or fixedDate, not both");
            Schedule::Default
        }
        (None, None) => Schedule::Default,
        (Some(r), None) => {
            let time_zone = check_time_zone(r.time_zone.as_deref(), &format!("{at}.recurrence.timeZone"), c);
            if let Some(f) = &r.frequency
                && !f.eq_ignore_ascii_case("week")
            {
                c.problem(format!("{at}.recurrence.frequency"), format!("'{f}' is not supported (accepted: Week)"));
            }
            let mut days = Vec::new();
            for d in &r.days {
                match parse_day(d) {
                    Some(day) if !days.contains(&day) => days.push(day),
                    Some(_) => {}
                    None => c.problem(
                        format!("{at}.recurrence.days"),
                        format!("unknown day '{d}' (accepted: {})", Day::expected()),
                    ),
                }
            }
            if r.days.is_empty() {
                c.problem(format!("{at}.recurrence.days"), "needs at least one day");
            }
            let hour = single(&r.hours.0, 0, 23, &format!("{at}.recurrence.hours"), c);
            let minute = r.minutes.as_ref().map_or(0, |m| single(&m.0, 0, 59, &format!("{at}.recurrence.minutes"), c));
            Schedule::Recurring { time_zone, days, hour, minute }
        }
        (None, Some(f)) => {
            let time_zone = check_time_zone(f.time_zone.as_deref(), &format!("{at}.fixedDate.timeZone"), c);
            let start = parse_local(&f.start, &format!("{at}.fixedDate.start"), c);
            let end = parse_local(&f.end, &format!("{at}.fixedDate.end"), c);
            if start >= end {
                c.problem(format!("{at}.fixedDate"), format!("start {start} is not before end {end}"));
            }
            Schedule::FixedDate { time_zone, start, end }
        }
    };
    Profile { name: p.name.clone(), capacity, rules, schedule }
}

pub(super) fn single(values: &[i64], lo: i64, hi: i64, field: &str, c: &mut Checker<'_>) -> u8 {
    match values {
        [v] if (lo..=hi).contains(v) => u8::try_from(*v).unwrap_or(0),
        [v] => {
            c.problem(field, format!("{v} is out of range (accepted: {lo} to {hi})"));
            0
        }
        _ => {
            c.problem(field, "give exactly one value (one start time per profile)");
            0
        }
    }
}

pub(super) fn parse_day(s: &str) -> Option<Day> {
    let lower = s.to_ascii_lowercase();
    Day::ALL.iter().copied().find(|d| {
        let name = d.as_str().to_ascii_lowercase();
        name == lower || (lower.len() == 3 && name.starts_with(&lower))
    })
}

pub(super) fn check_time_zone(tz: Option<&str>, field: &str, c: &mut Checker<'_>) -> String {
    let tz = tz.unwrap_or("UTC");
    if let Err(e) = timezone::resolve(tz) {
        c.problem(field, e.to_string());
    }
    tz.to_owned()
}

pub(super) fn parse_local(s: &str, field: &str, c: &mut Checker<'_>) -> jiff::civil::DateTime {
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return dt;
    }
    // An explicit offset or Z: keep the wall-clock reading; the profile's time zone applies.
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime();
    }
    c.problem(field, format!("'{s}' is not a date-time (accepted: 2026-12-24T00:00:00)"));
    jiff::civil::DateTime::default()
}
