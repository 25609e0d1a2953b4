//! The resolved autoscale setting of a scale set (Azure Monitor autoscale), as stored in the
//! state: every default applied, every range checked; and what autoscale remembers between
//! runs ([`AutoscaleRuntime`]). The decisions live in `engine::autoscale`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::duration::Duration;
use super::metric_history::MetricHistory;
use super::named_enum::named_enum;

named_enum! {
    /// How the per-instance values of one minute are combined.
    pub enum Statistic { Average => "Average", Min => "Min", Max => "Max", Sum => "Sum", Count => "Count" }
}

named_enum! {
    /// How the per-minute values over the time window are combined.
    pub enum TimeAggregation {
        Average => "Average", Minimum => "Minimum", Maximum => "Maximum",
        Total => "Total", Count => "Count", Last => "Last",
    }
}

named_enum! {
    /// The comparison of the aggregated metric with the threshold.
    pub enum Operator {
        Equals => "Equals", NotEquals => "NotEquals",
        GreaterThan => "GreaterThan", GreaterThanOrEqual => "GreaterThanOrEqual",
        LessThan => "LessThan", LessThanOrEqual => "LessThanOrEqual",
    }
}

impl Operator {
    /// The symbol used in the compact condition form.
    #[must_use]
    pub const fn symbol(self) -> &'static str {
        match self {
            Self::Equals => "==",
            Self::NotEquals => "!=",
            Self::GreaterThan => ">",
            Self::GreaterThanOrEqual => ">=",
            Self::LessThan => "<",
            Self::LessThanOrEqual => "<=",
        }
    }

    #[must_use]
    pub fn from_symbol(s: &str) -> Option<Self> {
        Some(match s {
            "==" | "=" => Self::Equals,
            "!=" | "<>" => Self::NotEquals,
            ">" => Self::GreaterThan,
            ">=" => Self::GreaterThanOrEqual,
            "<" => Self::LessThan,
            "<=" => Self::LessThanOrEqual,
            _ => return None,
        })
    }

    #[must_use]
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::Equals => value == threshold,
            Self::NotEquals => value != threshold,
            Self::GreaterThan => value > threshold,
            Self::GreaterThanOrEqual => value >= threshold,
            Self::LessThan => value < threshold,
            Self::LessThanOrEqual => value <= threshold,
        }
    }
}

named_enum! {
    /// Which way a rule moves capacity.
    pub enum Direction { Increase => "Increase", Decrease => "Decrease", None => "None" }
}

named_enum! {
    /// How a rule's value is read.
    pub enum ScaleType {
        ChangeCount => "ChangeCount", PercentChangeCount => "PercentChangeCount", ExactCount => "ExactCount",
    }
}

named_enum! {
    /// Days of the week, as Azure's recurrence schedule names them.
    pub enum Day {
        Monday => "Monday", Tuesday => "Tuesday", Wednesday => "Wednesday", Thursday => "Thursday",
        Friday => "Friday", Saturday => "Saturday", Sunday => "Sunday",
    }
}

/// The whole autoscale setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Autoscale {
    pub enabled: bool,
    pub profiles: Vec<Profile>,
}

/// One profile: a capacity range and rules, active on a schedule (or by default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    pub capacity: CapacityRange,
    pub rules: Vec<Rule>,
    pub schedule: Schedule,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityRange {
    pub minimum: u32,
    pub maximum: u32,
    pub default: u32,
}

/// When a profile applies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Schedule {
    /// The fallback profile.
    Default,
    /// Weekly, from the given local time until the next profile starts.
    Recurring {
        #[serde(rename = "timeZone")]
        time_zone: String,
        days: Vec<Day>,
        hour: u8,
        minute: u8,
    },
    /// Between two local date-times.
    FixedDate {
        #[serde(rename = "timeZone")]
        time_zone: String,
        start: jiff::civil::DateTime,
        end: jiff::civil::DateTime,
    },
}

/// A metric trigger and the action it takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub metric_name: String,
    pub time_grain: Duration,
    pub statistic: Statistic,
    pub time_window: Duration,
    pub time_aggregation: TimeAggregation,
    pub operator: Operator,
    pub threshold: f64,
    pub divide_per_instance: bool,
    pub direction: Direction,
    #[serde(rename = "type")]
    pub kind: ScaleType,
    pub value: u32,
    pub cooldown: Duration,
}

impl Rule {
    /// The rule in the Azure CLI's compact words, for logs and tables.
    #[must_use]
    pub fn describe(&self) -> String {
        let agg = match self.time_aggregation {
            TimeAggregation::Average => "avg",
            TimeAggregation::Minimum => "min",
            TimeAggregation::Maximum => "max",
            TimeAggregation::Total => "total",
            TimeAggregation::Count => "count",
            TimeAggregation::Last => "last",
        };
        let action = match (self.direction, self.kind) {
            (_, ScaleType::ExactCount) => format!("to {}", self.value),
            (Direction::Decrease, ScaleType::PercentChangeCount) => format!("in {}%", self.value),
            (_, ScaleType::PercentChangeCount) => format!("out {}%", self.value),
            (Direction::Decrease, _) => format!("in {}", self.value),
            _ => format!("out {}", self.value),
        };
        format!(
            "{} {} {} {agg} {} -> {action}",
            self.metric_name,
            self.operator.symbol(),
            self.threshold,
            self.time_window
        )
    }
}

#[cfg(test)]
impl Rule {
    /// "Percentage CPU > 70 avg 5m, out 1, cooldown 5m": a base for tests to vary.
    pub(crate) fn example() -> Rule {
        Rule {
            metric_name: "Percentage CPU".into(),
            time_grain: Duration::from_mins(1),
            statistic: Statistic::Average,
            time_window: Duration::from_mins(5),
            time_aggregation: TimeAggregation::Average,
            operator: Operator::GreaterThan,
            threshold: 70.0,
            divide_per_instance: false,
            direction: Direction::Increase,
            kind: ScaleType::ChangeCount,
            value: 1,
            cooldown: Duration::from_mins(5),
        }
    }
}

/// What autoscale remembers between runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoscaleRuntime {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown_until: Option<Timestamp>,
    /// Whether the last run found a metric unavailable (logged once per change).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub metrics_unavailable: bool,
    #[serde(default, skip_serializing_if = "MetricHistory::is_empty")]
    pub history: MetricHistory,
}

impl AutoscaleRuntime {
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}
