//! Validation of one autoscale rule, in the shorthand or in Azure's own shape.

#[allow(clippy::wildcard_imports)] // the parent's imports and helpers, shared by every part
use super::*;

#[allow(clippy::too_many_lines)] // the two rule forms share every range check
pub(super) fn validate_rule(r: &RawRule, at: &str, c: &mut Checker<'_>) -> Option<Rule> {
    let before = c.problems.len();
    let mt = r.metric_trigger.as_ref();
    let sa = r.scale_action.as_ref();
    if let Some(dims) = mt.and_then(|m| m.dimensions.as_ref()).filter(|d| !d.is_empty()) {
        let names: Vec<&str> = dims.iter().map(|d| d.dimension_name.as_str()).collect();
        c.note(
            &format!("{at}.metricTrigger.dimensions"),
            format!("dimensions ({}) are not simulated: the rule reads the whole set's metric", names.join(", ")),
        );
    }
    let long_form = r.metric_name.is_some() || mt.is_some();
    if r.condition.is_some() && long_form {
        c.problem(
            at.to_owned(),
            "write a rule either with condition/scale or with metricName/operator/threshold/..., not both",
        );
        return None;
    }
    let time_grain_raw = r.time_grain.as_deref().or_else(|| mt.and_then(|m| m.time_grain.as_deref()));
    let (grain_stat, time_grain) = match time_grain_raw {
        None => (None, Duration::from_mins(1)),
        Some(g) => match parse_time_grain(g) {
            Ok(v) => v,
            Err(e) => {
                c.problem(format!("{at}.timeGrain"), e.to_string());
                (None, Duration::from_mins(1))
            }
        },
    };

    let (metric_name, operator, threshold, time_aggregation, time_window, statistic, divide) = if let Some(cond) =
        &r.condition
    {
        match parse_condition(cond) {
            Ok(p) => (
                p.metric_name,
                p.operator,
                p.threshold,
                p.time_aggregation,
                p.time_window,
                grain_stat.unwrap_or(Statistic::Average),
                r.divide_per_instance.unwrap_or(false),
            ),
            Err(e) => {
                c.problem(format!("{at}.condition"), e.to_string());
                return None;
            }
        }
    } else {
        let metric_name = r.metric_name.clone().or_else(|| mt.and_then(|m| m.metric_name.clone()));
        let Some(metric_name) = metric_name else {
            c.problem(at.to_owned(), "a rule needs condition (\"Percentage CPU > 70 avg 5m\") or metricName");
            return None;
        };
        let op_raw = r.operator.clone().or_else(|| mt.and_then(|m| m.operator.clone()));
        let operator = match op_raw.as_deref() {
            None => {
                c.problem(
                    format!("{at}.operator"),
                    "missing (accepted: GreaterThan, LessThan, ... or > < >= <= == !=)",
                );
                crate::model::autoscale::Operator::GreaterThan
            }
            Some(s) => match crate::model::autoscale::Operator::from_symbol(s).map_or_else(|| s.parse(), Ok) {
                Ok(op) => op,
                Err(e) => {
                    c.problem(format!("{at}.operator"), e);
                    crate::model::autoscale::Operator::GreaterThan
                }
            },
        };
        let threshold = r.threshold.or_else(|| mt.and_then(|m| m.threshold));
        let threshold = match threshold {
            Some(t) if t.is_finite() => t,
            Some(t) => {
                c.problem(format!("{at}.threshold"), format!("{t} is not a finite number"));
                0.0
            }
            None => {
                c.problem(format!("{at}.threshold"), "missing");
                0.0
            }
        };
        let agg_raw = r.time_aggregation.clone().or_else(|| mt.and_then(|m| m.time_aggregation.clone()));
        let time_aggregation = match agg_raw.as_deref() {
            None => TimeAggregation::Average,
            Some(s) => parse_aggregation(s).unwrap_or_else(|| {
                c.problem(
                    format!("{at}.timeAggregation"),
                    format!("unknown value '{s}' (accepted: {})", TimeAggregation::expected()),
                );
                TimeAggregation::Average
            }),
        };
        let stat_raw = r.statistic.clone().or_else(|| mt.and_then(|m| m.statistic.clone()));
        let statistic = match stat_raw.as_deref() {
            None => grain_stat.unwrap_or(Statistic::Average),
            Some(s) => parse_statistic(s).unwrap_or_else(|| {
                c.problem(
                    format!("{at}.statistic"),
                    format!("unknown value '{s}' (accepted: {})", Statistic::expected()),
                );
                Statistic::Average
            }),
        };
        let time_window = r.time_window.or_else(|| mt.and_then(|m| m.time_window)).unwrap_or(Duration::from_mins(10));
        let divide = r.divide_per_instance.or_else(|| mt.and_then(|m| m.divide_per_instance)).unwrap_or(false);
        (metric_name, operator, threshold, time_aggregation, time_window, statistic, divide)
    };

    if metric_name.trim().is_empty() {
        c.problem(format!("{at}.metricName"), "is empty");
    }
    if !(Duration::from_mins(1)..=Duration::from_mins(720)).contains(&time_grain) {
        c.problem(format!("{at}.timeGrain"), format!("{time_grain} is out of range (accepted: 1m to 12h)"));
    }
    if !(Duration::from_mins(5)..=Duration::from_mins(720)).contains(&time_window) {
        c.problem(format!("{at}.timeWindow"), format!("{time_window} is out of range (accepted: 5m to 12h)"));
    } else if time_window < time_grain {
        c.problem(format!("{at}.timeWindow"), format!("{time_window} is shorter than the time grain {time_grain}"));
    }

    // The action: compact `scale` or the long form.
    let (direction, kind, value) = if let Some(scale) = &r.scale {
        if r.direction.is_some() || r.kind.is_some() || r.value.is_some() || sa.is_some() {
            c.problem(
                at.to_owned(),
                "write the action either as scale: \"out 3\" or with direction/type/value, not both",
            );
        }
        match parse_scale(scale) {
            Ok(v) => v,
            Err(e) => {
                c.problem(format!("{at}.scale"), e.to_string());
                return None;
            }
        }
    } else {
        let dir_raw = r.direction.clone().or_else(|| sa.and_then(|s| s.direction.clone()));
        let kind_raw = r.kind.clone().or_else(|| sa.and_then(|s| s.kind.clone()));
        let value = r.value.or_else(|| sa.and_then(|s| s.value)).map(|v| v.0);
        let kind = match kind_raw.as_deref() {
            None => ScaleType::ChangeCount,
            Some(s) => s.parse().unwrap_or_else(|e: String| {
                c.problem(format!("{at}.type"), e);
                ScaleType::ChangeCount
            }),
        };
        let direction = match dir_raw.as_deref() {
            None if kind == ScaleType::ExactCount => Direction::None,
            None => {
                c.problem(
                    format!("{at}.direction"),
                    "missing (accepted: Increase | Decrease), or write scale: \"out 3\"",
                );
                Direction::Increase
            }
            Some(s) => s.parse().unwrap_or_else(|e: String| {
                c.problem(format!("{at}.direction"), e);
                Direction::Increase
            }),
        };
        if direction == Direction::None && kind != ScaleType::ExactCount {
            c.problem(format!("{at}.direction"), "None is only for type ExactCount");
        }
        let Some(value) = value else {
            c.problem(format!("{at}.value"), "missing (a whole number >= 1)");
            return None;
        };
        (direction, kind, value)
    };
    let max_value = if kind == ScaleType::PercentChangeCount { 10_000 } else { 1000 };
    let value = if (1..=max_value).contains(&value) {
        u32::try_from(value).unwrap_or(1)
    } else {
        c.problem(format!("{at}.value"), format!("{value} is out of range (accepted: 1 to {max_value})"));
        1
    };
    let cooldown = r.cooldown.or_else(|| sa.and_then(|s| s.cooldown)).unwrap_or(Duration::from_mins(5));
    if !(Duration::from_mins(1)..=Duration::from_secs(604_800)).contains(&cooldown) {
        c.problem(format!("{at}.cooldown"), format!("{cooldown} is out of range (accepted: 1m to 1w)"));
    }
    if c.problems.len() > before {
        return None;
    }
    Some(Rule {
        metric_name,
        time_grain,
        statistic,
        time_window,
        time_aggregation,
        operator,
        threshold,
        divide_per_instance: divide,
        direction,
        kind,
        value,
        cooldown,
    })
}
