//! The Azure CLI's compact autoscale forms: `"Percentage CPU > 70 avg 5m"`, `"out 3"`,
//! `"in 50%"`, `"to 5"` and time grains such as `"avg 1m"`.

use crate::model::autoscale::{Direction, Operator, ScaleType, Statistic, TimeAggregation};
use crate::model::duration::Duration;

/// A rule written in the shorthand (`condition:`, `scale:`, `timeGrain:`) that does not parse: which part
/// is wrong and the accepted form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShorthandError(pub(crate) String);

impl From<String> for ShorthandError {
    fn from(message: String) -> Self {
        Self(message)
    }
}

/// A parsed condition: metric, operator, threshold, aggregation over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub metric_name: String,
    pub operator: Operator,
    pub threshold: f64,
    pub time_aggregation: TimeAggregation,
    pub time_window: Duration,
}

/// Parses `"<metric> <op> <threshold> <aggregation> <window>"`; the metric may contain spaces.
///
/// # Errors
/// A message saying which part is wrong and what is accepted.
pub fn parse_condition(s: &str) -> Result<Condition, ShorthandError> {
    let form = "expected \"<metric> <operator> <threshold> <avg|min|max|total|count|last> <window>\", e.g. \"Percentage CPU > 70 avg 5m\"";
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() < 5 {
        return Err(ShorthandError(format!("condition '{s}' is incomplete: {form}")));
    }
    if words.iter().any(|w| w.eq_ignore_ascii_case("where")) {
        return Err(ShorthandError(format!("condition '{s}': dimension filters (where ...) are not supported")));
    }
    let n = words.len();
    let time_window: Duration = words[n - 1].parse().map_err(|e| format!("condition '{s}': window: {e}"))?;
    let time_aggregation = parse_aggregation(words[n - 2])
        .ok_or_else(|| format!("condition '{s}': unknown aggregation '{}': {form}", words[n - 2]))?;
    let threshold: f64 = words[n - 3]
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("condition '{s}': threshold '{}' is not a number", words[n - 3]))?;
    let operator = Operator::from_symbol(words[n - 4])
        .ok_or_else(|| format!("condition '{s}': unknown operator '{}' (accepted: == != > >= < <=)", words[n - 4]))?;
    let metric_name = words[..n - 4].join(" ");
    Ok(Condition { metric_name, operator, threshold, time_aggregation, time_window })
}

/// Reads a time aggregation from the CLI word or Azure's name.
#[must_use]
pub fn parse_aggregation(s: &str) -> Option<TimeAggregation> {
    Some(match s.to_ascii_lowercase().as_str() {
        "avg" | "average" => TimeAggregation::Average,
        "min" | "minimum" => TimeAggregation::Minimum,
        "max" | "maximum" => TimeAggregation::Maximum,
        "total" | "sum" => TimeAggregation::Total,
        "count" => TimeAggregation::Count,
        "last" => TimeAggregation::Last,
        _ => return None,
    })
}

/// Reads a statistic from the CLI word or Azure's name.
#[must_use]
pub fn parse_statistic(s: &str) -> Option<Statistic> {
    Some(match s.to_ascii_lowercase().as_str() {
        "avg" | "average" => Statistic::Average,
        "min" | "minimum" => Statistic::Min,
        "max" | "maximum" => Statistic::Max,
        "sum" | "total" => Statistic::Sum,
        "count" => Statistic::Count,
        _ => return None,
    })
}

/// Parses a time grain: a duration (`PT1M`, `1m`) or the CLI's `"avg 1m"`.
///
/// # Errors
/// A message naming the bad part.
pub fn parse_time_grain(s: &str) -> Result<(Option<Statistic>, Duration), ShorthandError> {
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        [grain] => grain.parse().map(|d| (None, d)).map_err(|e| ShorthandError(format!("timeGrain: {e}"))),
        [stat, grain] => {
            let stat = parse_statistic(stat).ok_or_else(|| {
                format!("timeGrain '{s}': unknown statistic '{stat}' (accepted: avg, min, max, sum, count)")
            })?;
            let grain = grain.parse().map_err(|e| format!("timeGrain: {e}"))?;
            Ok((Some(stat), grain))
        }
        _ => Err(ShorthandError(format!("timeGrain '{s}': expected a duration such as 1m or \"avg 1m\""))),
    }
}

/// Parses `out N`, `in N`, `out N%`, `in N%` or `to N`.
///
/// # Errors
/// A message showing the accepted forms.
pub fn parse_scale(s: &str) -> Result<(Direction, ScaleType, i64), ShorthandError> {
    let form = "expected out N | in N | out N% | in N% | to N";
    let words: Vec<&str> = s.split_whitespace().collect();
    let [verb, amount] = words.as_slice() else {
        return Err(ShorthandError(format!("scale '{s}': {form}")));
    };
    let (number, percent) = match amount.strip_suffix('%') {
        Some(n) => (n, true),
        None => (*amount, false),
    };
    let value: i64 = number.parse().map_err(|_| format!("scale '{s}': '{amount}' is not a whole number; {form}"))?;
    let kind = if percent { ScaleType::PercentChangeCount } else { ScaleType::ChangeCount };
    match (verb.to_ascii_lowercase().as_str(), percent) {
        ("out", _) => Ok((Direction::Increase, kind, value)),
        ("in", _) => Ok((Direction::Decrease, kind, value)),
        ("to", false) => Ok((Direction::None, ScaleType::ExactCount, value)),
        ("to", true) => Err(ShorthandError(format!("scale '{s}': 'to' takes a count, not a percentage"))),
        _ => Err(ShorthandError(format!("scale '{s}': unknown verb '{verb}'; {form}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_with_spaces_in_metric() {
        let c = parse_condition("Percentage CPU > 70 avg 5m").unwrap();
        assert_eq!(c.metric_name, "Percentage CPU");
        assert_eq!(c.operator, Operator::GreaterThan);
        assert!((c.threshold - 70.0).abs() < f64::EPSILON);
        assert_eq!(c.time_aggregation, TimeAggregation::Average);
        assert_eq!(c.time_window.secs(), 300);
    }

    #[test]
    fn condition_errors_name_the_part() {
        assert!(parse_condition("CPU > 70 avg").unwrap_err().to_string().contains("incomplete"));
        assert!(parse_condition("CPU >> 70 avg 5m").unwrap_err().to_string().contains("operator"));
        assert!(parse_condition("CPU > x avg 5m").unwrap_err().to_string().contains("threshold"));
        assert!(parse_condition("CPU > 70 mean 5m").unwrap_err().to_string().contains("aggregation"));
        assert!(parse_condition("CPU > 70 avg 5x").unwrap_err().to_string().contains("window"));
    }

    #[test]
    fn scale_forms() {
        assert_eq!(parse_scale("out 3").unwrap(), (Direction::Increase, ScaleType::ChangeCount, 3));
        assert_eq!(parse_scale("in 50%").unwrap(), (Direction::Decrease, ScaleType::PercentChangeCount, 50));
        assert_eq!(parse_scale("to 5").unwrap(), (Direction::None, ScaleType::ExactCount, 5));
        assert!(parse_scale("to 5%").is_err());
        assert!(parse_scale("up 3").is_err());
        assert!(parse_scale("out").is_err());
    }

    #[test]
    fn time_grain_forms() {
        assert_eq!(parse_time_grain("avg 1m").unwrap(), (Some(Statistic::Average), Duration::from_mins(1)));
        assert_eq!(parse_time_grain("PT1M").unwrap(), (None, Duration::from_mins(1)));
        assert!(parse_time_grain("mean 1m").is_err());
    }
}
