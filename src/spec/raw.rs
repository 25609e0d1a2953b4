//! The definition file exactly as written: every key optional, nothing defaulted yet.
//!
//! These types mirror `scalesets.yaml` one to one so the loader can report syntax and type
//! errors with their line and column, and so `scaleset schema` can describe the file. Unknown
//! keys are rejected here (`deny_unknown_fields`). Defaults and cross-field rules are applied
//! later, in `validate`, which turns these into the resolved model.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::model::duration::Duration;
use crate::model::enums::{
    EvictionPolicy, OrchestrationMode, OsType, Priority, RepairAction, ScaleInRule, UpgradeMode,
};
use crate::model::money::Money;

/// The whole definition file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "scaleset definition (scalesets.yaml)")]
pub struct RawDefinition {
    /// The scale sets this definition declares, in order.
    pub scale_sets: Vec<RawScaleSet>,
    /// An offline export of the Azure Retail Prices API (JSON) laid over the built-in prices,
    /// relative to this file. `--prices FILE` (or SCALESET_PRICES) replaces it.
    pub prices: Option<String>,
    /// The monthly budget `cost` checks when `--max-monthly` is not given.
    pub budget: Option<RawBudget>,
}

/// `budget: { maxMonthly: 500 }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawBudget {
    /// USD per 730-hour month; `cost` exits with code 3 when the projected monthly cost is above.
    pub max_monthly: RawMoney,
}

/// An exact, non-negative amount of US dollars written as a YAML number (`500`, `1234.56`) or
/// string (`"1234.56"`). Read from the scalar's text, never through a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMoney(pub Money);

impl<'de> Deserialize<'de> for RawMoney {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawMoney;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an amount of US dollars such as 500 or 1234.56")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawMoney, E> {
                let text = v.trim().trim_start_matches('$');
                let money = Money::parse(text).map_err(E::custom)?;
                if money.is_negative() {
                    return Err(E::custom(format!("{v} is negative; a budget is 0 or more US dollars")));
                }
                Ok(RawMoney(money))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawMoney, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawMoney, E> {
                self.visit_str(&v.to_string())
            }
        }
        // The scalar's own text: `1234.56` stays exactly that, with no float in between.
        d.deserialize_str(V)
    }
}

impl JsonSchema for RawMoney {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Usd".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [
                { "type": "number", "minimum": 0 },
                { "type": "string", "pattern": "^\\$?[0-9]+(\\.[0-9]{1,6})?$" }
            ]
        })
    }
}

/// Spot `maxPrice` as Azure writes it (`billingProfile.maxPrice`): `-1` (pay up to the regular
/// price) or an hourly amount of US dollars. Read from the scalar's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMaxPrice(pub Option<Money>);

impl<'de> Deserialize<'de> for RawMaxPrice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawMaxPrice;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("-1 or an hourly amount of US dollars such as 0.05")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawMaxPrice, E> {
                let text = v.trim().trim_start_matches('$');
                if text == "-1" {
                    return Ok(RawMaxPrice(None));
                }
                let money = Money::parse(text).map_err(E::custom)?;
                if money.is_negative() {
                    return Err(E::custom(format!(
                        "{v}: accepted: -1 (up to the regular price) or 0 or more US dollars an hour"
                    )));
                }
                Ok(RawMaxPrice(Some(money)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawMaxPrice, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawMaxPrice, E> {
                self.visit_str(&v.to_string())
            }
        }
        d.deserialize_str(V)
    }
}

impl JsonSchema for RawMaxPrice {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MaxPrice".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [
                { "const": -1 },
                { "type": "number", "minimum": 0 },
                { "type": "string", "pattern": "^(-1|\\$?[0-9]+(\\.[0-9]{1,6})?)$" }
            ]
        })
    }
}

/// `loadBalancer: { rules: 2, dataProcessedGb: 100 }`: a Standard Load Balancer, priced only.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawLoadBalancer {
    /// Load-balancing and outbound rules (default 1); the first five share one hourly charge.
    pub rules: Option<i64>,
    /// Data processed, in GB per month (default 0).
    pub data_processed_gb: Option<i64>,
}

/// One scale set as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawScaleSet {
    /// 1-64 characters: letters, digits, '-' and '_'.
    pub name: String,
    pub region: String,
    pub sku: String,
    pub os: Option<OsType>,
    pub image: Option<String>,
    /// Desired instance count.
    pub capacity: Option<i64>,
    pub orchestration_mode: Option<OrchestrationMode>,
    /// Availability zones ("1", "2", "3"; integers accepted).
    pub zones: Option<Vec<RawZone>>,
    pub zone_balance: Option<bool>,
    pub platform_fault_domain_count: Option<i64>,
    pub single_placement_group: Option<bool>,
    pub computer_name_prefix: Option<String>,
    pub overprovision: Option<bool>,
    /// How long a new VM stays Creating.
    pub provisioning_time: Option<Duration>,
    pub scale_in_policy: Option<RawScaleInPolicy>,
    pub upgrade_policy: Option<RawUpgradePolicy>,
    pub priority: Option<Priority>,
    pub eviction_policy: Option<EvictionPolicy>,
    pub priority_mix: Option<RawPriorityMix>,
    pub os_disk: Option<RawOsDisk>,
    /// Managed data disks on every VM, billed per disk.
    pub data_disks: Option<Vec<RawDataDisks>>,
    /// Windows billed at the Linux rate (Azure Hybrid Benefit).
    pub hybrid_benefit: Option<bool>,
    /// Spot only: the most an hour of a VM may cost (`-1`, the default: up to the regular price).
    pub max_price: Option<RawMaxPrice>,
    pub automatic_repairs: Option<RawAutomaticRepairs>,
    pub autoscale: Option<RawAutoscale>,
    /// Load generators this set faces in `advance` and `simulate`.
    pub load: Option<Vec<RawLoad>>,
    /// A Standard Load Balancer in front of the set, for pricing.
    pub load_balancer: Option<RawLoadBalancer>,
    /// Standard static public IPv4 addresses billed with the set (default 0).
    pub public_ips: Option<i64>,
    /// Every VM has its own public IPv4 address, billed while the VM exists (default false).
    pub public_ip_per_vm: Option<bool>,
}

/// A zone written as a string or an integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawZone(pub String);

impl<'de> Deserialize<'de> for RawZone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawZone;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a zone: \"1\", \"2\" or \"3\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawZone, E> {
                Ok(RawZone(v.to_owned()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawZone, E> {
                Ok(RawZone(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawZone, E> {
                Ok(RawZone(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for RawZone {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Zone".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [ { "type": "string", "enum": ["1", "2", "3"] }, { "type": "integer", "minimum": 1, "maximum": 3 } ]
        })
    }
}

/// One value or a list of values (Azure's recurrence takes lists; one value is the usual case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOrMany(pub Vec<i64>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an integer or a list of integers")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<OneOrMany, E> {
                i64::try_from(v).map(|v| OneOrMany(vec![v])).map_err(|_| E::custom(format!("{v} is too large")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<i64>()? {
                    out.push(v);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for OneOrMany {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "IntegerOrList".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [ { "type": "integer" }, { "type": "array", "items": { "type": "integer" } } ]
        })
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawScaleInPolicy {
    /// Exactly one rule: Default, NewestVM or OldestVM.
    pub rules: Vec<ScaleInRule>,
    /// Force-delete VMs removed by a scale-in: recorded on their events (deletion takes no
    /// logical time here either way).
    pub force_deletion: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawUpgradePolicy {
    pub mode: Option<UpgradeMode>,
    pub rolling_upgrade_policy: Option<RawRollingUpgradePolicy>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRollingUpgradePolicy {
    pub max_batch_instance_percent: Option<i64>,
    pub max_unhealthy_instance_percent: Option<i64>,
    pub max_unhealthy_upgraded_instance_percent: Option<i64>,
    pub pause_time_between_batches: Option<Duration>,
    pub prioritize_unhealthy_instances: Option<bool>,
    pub max_surge: Option<bool>,
    pub enable_cross_zone_upgrade: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPriorityMix {
    pub base_regular_priority_count: Option<i64>,
    pub regular_priority_percentage_above_base: Option<i64>,
}

/// `dataDisks: [{ tier: P10, count: 2 }]`: managed data disks on every VM.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDataDisks {
    /// A managed disk tier, as for the OS disk.
    pub tier: String,
    /// Disks of this tier on each VM (default 1).
    pub count: Option<i64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawOsDisk {
    /// A managed disk tier: S4..S30, E4..E30, P4..P30.
    pub tier: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAutomaticRepairs {
    pub enabled: Option<bool>,
    pub grace_period: Option<Duration>,
    pub repair_action: Option<RepairAction>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAutoscale {
    /// Turn the setting off without deleting it (Azure's `enabled`).
    pub enabled: Option<bool>,
    pub profiles: Vec<RawProfile>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawProfile {
    pub name: String,
    pub capacity: RawCapacity,
    #[serde(default)]
    pub rules: Vec<RawRule>,
    pub recurrence: Option<RawRecurrence>,
    pub fixed_date: Option<RawFixedDate>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawCapacity {
    pub minimum: i64,
    pub maximum: i64,
    pub default: i64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRecurrence {
    /// IANA name (Europe/Paris), UTC, or a Windows time zone name (W. Europe Standard Time).
    pub time_zone: Option<String>,
    /// Monday..Sunday (case-insensitive; three-letter forms accepted).
    pub days: Vec<String>,
    pub hours: OneOrMany,
    pub minutes: Option<OneOrMany>,
    /// Azure's recurrence frequency; only Week exists for autoscale.
    pub frequency: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawFixedDate {
    pub time_zone: Option<String>,
    /// Local date-time, e.g. 2026-12-24T00:00:00 (an offset or Z is also accepted).
    pub start: String,
    pub end: String,
}

/// A rule in either the compact Azure CLI form (`condition` + `scale`) or the long form with
/// Azure's field names, flat or nested under `metricTrigger` / `scaleAction`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRule {
    /// Compact form, e.g. "Percentage CPU > 70 avg 5m".
    pub condition: Option<String>,
    /// Compact form: out N | in N | out N% | in N% | to N.
    pub scale: Option<String>,
    pub cooldown: Option<Duration>,
    /// A duration (PT1M) or the CLI's "avg 1m" (statistic and grain).
    pub time_grain: Option<String>,
    pub metric_name: Option<String>,
    pub statistic: Option<String>,
    pub time_window: Option<Duration>,
    pub time_aggregation: Option<String>,
    pub operator: Option<String>,
    pub threshold: Option<f64>,
    pub divide_per_instance: Option<bool>,
    pub direction: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub value: Option<WholeNumber>,
    pub metric_trigger: Option<RawMetricTrigger>,
    pub scale_action: Option<RawScaleAction>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawMetricTrigger {
    pub metric_name: Option<String>,
    pub time_grain: Option<String>,
    pub statistic: Option<String>,
    pub time_window: Option<Duration>,
    pub time_aggregation: Option<String>,
    pub operator: Option<String>,
    pub threshold: Option<f64>,
    pub divide_per_instance: Option<bool>,
    /// Accepted and ignored: the metric always comes from this scale set here.
    pub metric_resource_uri: Option<String>,
    /// Accepted and ignored, as Azure writes it (`microsoft.compute/virtualmachinescalesets`).
    pub metric_namespace: Option<String>,
    /// Accepted; not simulated (the rule reads the whole set's metric), which a note says.
    pub dimensions: Option<Vec<RawDimension>>,
}

/// A metric dimension filter as Azure writes it.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDimension {
    pub dimension_name: String,
    pub operator: String,
    pub values: Vec<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawScaleAction {
    pub direction: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub value: Option<WholeNumber>,
    pub cooldown: Option<Duration>,
}

/// One load generator: a metric and exactly one shape, plus optional noise. Values are totals
/// across the set in units of one instance's metric.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawLoad {
    pub metric: String,
    pub constant: Option<f64>,
    pub step: Option<RawStep>,
    pub ramp: Option<RawRamp>,
    pub diurnal: Option<RawDiurnal>,
    pub spike: Option<RawSpike>,
    /// A metric export (CSV or `az monitor metrics list` JSON) replayed as this metric.
    pub trace: Option<RawTrace>,
    /// Uniform noise in [-noise, +noise] from the seeded generator.
    pub noise: Option<f64>,
}

/// `trace: { file: cpu.csv, column: avg, values: perInstance, instances: 4 }`: the options of
/// `--load METRIC=trace(FILE, ...)`, with the file relative to the definition's directory.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawTrace {
    pub file: String,
    pub column: Option<String>,
    pub scale: Option<f64>,
    /// `perInstance` or `total` (default).
    pub values: Option<String>,
    /// A fixed count, or the name of the file's column holding each row's count.
    pub instances: Option<RawInstances>,
    /// `start` (default) or `absolute`.
    pub align: Option<String>,
    /// `hold` (default) or `linear`.
    pub between: Option<String>,
    pub repeat: Option<bool>,
    /// `average` (default), `total`, `maximum`, `minimum` or `count`.
    pub aggregation: Option<String>,
    /// The file's text (or why it could not be read), attached by the shell before validation:
    /// the definition's own reading stays free of I/O.
    #[serde(skip)]
    #[schemars(skip)]
    pub text: Option<Result<String, String>>,
}

/// `instances: 4` or `instances: vm_count` (a column of the trace file).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawInstances {
    Count(u64),
    Column(String),
}

impl RawTrace {
    /// The options as `key=value` pairs, in the form `--load ...=trace(...)` takes them.
    #[must_use]
    pub fn option_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut add = |key: &'static str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((key, value));
            }
        };
        add("column", self.column.clone());
        add("scale", self.scale.map(|v| v.to_string()));
        add("values", self.values.clone());
        add(
            "instances",
            self.instances.as_ref().map(|v| match v {
                RawInstances::Count(n) => n.to_string(),
                RawInstances::Column(c) => c.clone(),
            }),
        );
        add("align", self.align.clone());
        add("between", self.between.clone());
        add("repeat", self.repeat.map(|v| v.to_string()));
        add("aggregation", self.aggregation.clone());
        pairs
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawStep {
    pub before: f64,
    pub after: f64,
    /// Offset from the start of the run.
    pub at: Duration,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRamp {
    pub from: f64,
    pub to: f64,
    pub over: Duration,
    pub start: Option<Duration>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDiurnal {
    pub trough: f64,
    pub peak: f64,
    /// Hour of the day (UTC, logical clock) of the peak, 0 to 23.99.
    pub peak_hour: f64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSpike {
    pub base: f64,
    pub peak: f64,
    pub at: Duration,
    #[serde(rename = "for")]
    pub duration: Duration,
}

/// A whole number written as a number or, as Azure's ARM templates write a scale action's
/// value, as a string ("1").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeNumber(pub i64);

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = WholeNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a whole number (or a string holding one, as in ARM templates)")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<WholeNumber, E> {
                Ok(WholeNumber(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<WholeNumber, E> {
                i64::try_from(v).map(WholeNumber).map_err(|_| E::custom(format!("{v} is too large")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WholeNumber, E> {
                v.trim().parse().map(WholeNumber).map_err(|_| E::custom(format!("'{v}' is not a whole number")))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for WholeNumber {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WholeNumber".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [ { "type": "integer" }, { "type": "string", "pattern": "^[0-9]+$" } ]
        })
    }
}
