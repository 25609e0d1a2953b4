//! From the definition as written to resolved scale set configurations.
//!
//! Applies Azure's defaults and checks every rule the reference documents: names, limits per
//! orchestration mode, zones and fault domains, policies, Spot and priority mix, repairs and
//! autoscale ranges. It never stops at the first problem: the user sees all of them at once.
//! Prices are checked here too (a size, region or OS with no price is an error), against the
//! catalog in force, so a valid definition can always be priced.

use std::collections::BTreeSet;

use crate::cost::catalog::{Catalog, Os};
use crate::model::autoscale::{
    Autoscale, CapacityRange, Day, Direction, Profile, Rule, ScaleType, Schedule, Statistic, TimeAggregation,
};
use crate::model::config::{
    AutomaticRepairs, LoadBalancer, PriorityMix, RollingUpgradePolicy, ScaleSetConfig, UpgradePolicy, VmModel,
};
use crate::model::duration::Duration;
use crate::model::enums::{
    EvictionPolicy, OrchestrationMode, OsType, Priority, RepairAction, ScaleInRule, UpgradeMode,
};
use crate::model::names;
use crate::model::timezone;
use crate::suggest;

use super::condition::{parse_aggregation, parse_condition, parse_scale, parse_statistic, parse_time_grain};
use super::problem::Problem;
use super::raw::{RawAutoscale, RawDefinition, RawProfile, RawRule, RawScaleSet};

/// A validated scale set: its configuration and the capacity the definition asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct SetDefinition {
    pub config: ScaleSetConfig,
    pub capacity: u32,
}

/// Default image per OS when the definition gives none.
pub const DEFAULT_LINUX_IMAGE: &str = "Canonical:ubuntu-24_04-lts:server:latest";
pub const DEFAULT_WINDOWS_IMAGE: &str = "MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest";
/// `az vmss create --instance-count` defaults to 2.
pub const DEFAULT_CAPACITY: u32 = 2;
/// How long a new VM stays Creating when the definition does not say.
pub const DEFAULT_PROVISIONING_TIME: Duration = Duration::from_mins(2);

/// Collects problems for one scale set.
struct Checker<'a> {
    set: String,
    index: usize,
    problems: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            position: None,
            scale_set: Some(self.set.clone()),
            set_index: Some(self.index),
            field: Some(field.into()),
            message: message.into(),
        });
    }

    /// An integer within an inclusive range, or a problem and `None`.
    fn int_in<T: TryFrom<i64> + Copy>(&mut self, field: &str, value: Option<i64>, default: T, lo: i64, hi: i64) -> T {
        match value {
            None => default,
            Some(v) if (lo..=hi).contains(&v) => T::try_from(v).unwrap_or(default),
            Some(v) => {
                self.problem(field, format!("{v} is out of range (accepted: {lo} to {hi})"));
                default
            }
        }
    }
}

/// Validates a whole definition against a price catalog.
///
/// # Errors
/// Every problem found, in file order.
pub fn validate(raw: &RawDefinition, catalog: &Catalog) -> Result<Vec<SetDefinition>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (index, raw_set) in raw.scale_sets.iter().enumerate() {
        let lower = raw_set.name.to_ascii_lowercase();
        if seen.contains(&lower) {
            problems.push(Problem {
                position: None,
                scale_set: Some(raw_set.name.clone()),
                set_index: Some(index),
                field: Some("name".into()),
                message: "duplicate scale set name (names are case-insensitive, as in Azure)".into(),
            });
        }
        seen.push(lower);
        if let Some(set) = validate_set(raw_set, index, catalog, &mut problems) {
            sets.push(set);
        }
    }
    if problems.is_empty() { Ok(sets) } else { Err(problems) }
}

#[allow(clippy::too_many_lines)] // one linear pass over the fields reads best as one function
fn validate_set(
    raw: &RawScaleSet,
    index: usize,
    catalog: &Catalog,
    problems: &mut Vec<Problem>,
) -> Option<SetDefinition> {
    let before = problems.len();
    let mut c = Checker { set: raw.name.clone(), index, problems };

    if let Err(e) = names::check_set_name(&raw.name) {
        c.problem("name", e.to_string());
    }

    let mode = raw.orchestration_mode.unwrap_or(OrchestrationMode::Flexible);
    let uniform = mode == OrchestrationMode::Uniform;
    let os = raw.os.unwrap_or(OsType::Linux);

    // Region and size must be known to the catalog; suggest the nearest names.
    if !catalog.has_region(&raw.region) {
        let near = suggest::nearest(&raw.region, catalog.regions());
        c.problem("region", format!("unknown region '{}'{}", raw.region, suggest::phrase_after(&near)));
    }
    // A size known only from an imported price row has no hardware figures, and is fine.
    if !catalog.knows_size(&raw.sku) {
        let near = suggest::nearest(&raw.sku, catalog.size_names());
        c.problem("sku", format!("unknown VM size '{}'{}", raw.sku, suggest::phrase_after(&near)));
    }

    let image = match &raw.image {
        None => match os {
            OsType::Linux => DEFAULT_LINUX_IMAGE.to_owned(),
            OsType::Windows => DEFAULT_WINDOWS_IMAGE.to_owned(),
        },
        Some(image) => {
            if let Err(e) = names::check_image(image) {
                c.problem("image", e.to_string());
            }
            image.clone()
        }
    };

    // Zones: 1-3, no repeats.
    let mut zones: Vec<u8> = Vec::new();
    for z in raw.zones.iter().flatten() {
        match z.0.trim().parse::<u8>() {
            Ok(n @ 1..=3) if !zones.contains(&n) => zones.push(n),
            Ok(n @ 1..=3) => c.problem("zones", format!("zone {n} is listed twice")),
            _ => c.problem("zones", format!("'{}' is not a zone (accepted: \"1\", \"2\", \"3\")", z.0)),
        }
    }
    let zonal = !zones.is_empty();
    let zone_balance = raw.zone_balance.unwrap_or(false);
    if zone_balance && zones.len() < 2 {
        c.problem("zoneBalance", "needs more than one zone (zones lists fewer than two)");
    }

    // Fault domains, per mode and zonal/regional (reference section 1).
    let (allowed, default_fd): (&[i64], u8) = match (uniform, zonal) {
        (true, true) => (&[1, 5], 1),
        (true, false) => (&[1, 2, 3, 4, 5], 5),
        (false, true) => (&[1], 1),
        (false, false) => (&[1, 2, 3], 1),
    };
    let fd_count = match raw.platform_fault_domain_count {
        None => default_fd,
        Some(v) if allowed.contains(&v) => u8::try_from(v).unwrap_or(default_fd),
        Some(v) => {
            let list: Vec<String> = allowed.iter().map(i64::to_string).collect();
            c.problem(
                "platformFaultDomainCount",
                format!(
                    "{v} is not allowed for a {} {mode} set (accepted: {})",
                    if zonal { "zonal" } else { "regional" },
                    list.join(", ")
                ),
            );
            default_fd
        }
    };

    let single_placement_group = match (uniform, raw.single_placement_group) {
        (true, v) => v.unwrap_or(true),
        (false, Some(true)) => {
            c.problem(
                "singlePlacementGroup",
                "applies to Uniform sets only (a Flexible set always spans placement groups); remove it or set false",
            );
            false
        }
        (false, _) => false,
    };

    let overprovision = match (uniform, raw.overprovision) {
        (true, v) => v.unwrap_or(true),
        (false, Some(true)) => {
            c.problem("overprovision", "exists for Uniform sets only; remove it or set false");
            false
        }
        (false, _) => false,
    };

    let max_capacity: i64 = if uniform && single_placement_group { 100 } else { 1000 };
    let capacity = match raw.capacity {
        None => DEFAULT_CAPACITY,
        Some(v) if (0..=max_capacity).contains(&v) => u32::try_from(v).unwrap_or(0),
        Some(v) if v < 0 => {
            c.problem("capacity", format!("{v} is negative (accepted: 0 to {max_capacity})"));
            0
        }
        Some(v) => {
            let why = if uniform && single_placement_group {
                "a Uniform set in a single placement group holds at most 100 VMs; set singlePlacementGroup: false for up to 1000"
            } else {
                "a scale set holds at most 1000 VMs"
            };
            c.problem("capacity", format!("{v} is above the limit: {why}"));
            0
        }
    };

    let computer_name_prefix = match &raw.computer_name_prefix {
        Some(prefix) => {
            if let Err(e) = names::check_computer_name_prefix(prefix, os) {
                c.problem("computerNamePrefix", e.to_string());
            }
            prefix.clone()
        }
        None => names::default_computer_name_prefix(&raw.name),
    };

    let provisioning_time = raw.provisioning_time.unwrap_or(DEFAULT_PROVISIONING_TIME);
    if provisioning_time > Duration::from_mins(60) {
        c.problem("provisioningTime", format!("{provisioning_time} is longer than the 1h this tool accepts"));
    }

    let scale_in_policy = match &raw.scale_in_policy {
        None => ScaleInRule::Default,
        Some(p) => match p.rules.as_slice() {
            [rule] => *rule,
            [] => {
                c.problem("scaleInPolicy.rules", "needs exactly one rule (accepted: Default | NewestVM | OldestVM)");
                ScaleInRule::Default
            }
            _ => {
                c.problem(
                    "scaleInPolicy.rules",
                    "Azure takes exactly one rule; list one of Default | NewestVM | OldestVM",
                );
                ScaleInRule::Default
            }
        },
    };

    let upgrade_policy = {
        let raw_up = raw.upgrade_policy.as_ref();
        let mode = raw_up.and_then(|u| u.mode).unwrap_or(UpgradeMode::Manual);
        let d = RollingUpgradePolicy::default();
        let rolling = match raw_up.and_then(|u| u.rolling_upgrade_policy.as_ref()) {
            None => d,
            Some(r) => RollingUpgradePolicy {
                max_batch_instance_percent: c.int_in(
                    "upgradePolicy.rollingUpgradePolicy.maxBatchInstancePercent",
                    r.max_batch_instance_percent,
                    d.max_batch_instance_percent,
                    5,
                    100,
                ),
                max_unhealthy_instance_percent: c.int_in(
                    "upgradePolicy.rollingUpgradePolicy.maxUnhealthyInstancePercent",
                    r.max_unhealthy_instance_percent,
                    d.max_unhealthy_instance_percent,
                    5,
                    100,
                ),
                max_unhealthy_upgraded_instance_percent: c.int_in(
                    "upgradePolicy.rollingUpgradePolicy.maxUnhealthyUpgradedInstancePercent",
                    r.max_unhealthy_upgraded_instance_percent,
                    d.max_unhealthy_upgraded_instance_percent,
                    0,
                    100,
                ),
                pause_time_between_batches: r.pause_time_between_batches.unwrap_or(d.pause_time_between_batches),
                prioritize_unhealthy_instances: r.prioritize_unhealthy_instances.unwrap_or(false),
                max_surge: r.max_surge.unwrap_or(false),
                enable_cross_zone_upgrade: r.enable_cross_zone_upgrade.unwrap_or(false),
            },
        };
        UpgradePolicy { mode, rolling_upgrade_policy: rolling }
    };

    let priority = raw.priority.unwrap_or(Priority::Regular);
    let eviction_policy = match (priority, raw.eviction_policy) {
        (Priority::Spot, e) => Some(e.unwrap_or(EvictionPolicy::Deallocate)),
        (Priority::Regular, Some(_)) => {
            c.problem("evictionPolicy", "applies to Spot VMs only (priority: Spot)");
            None
        }
        (Priority::Regular, None) => None,
    };

    let priority_mix = raw.priority_mix.as_ref().map(|m| {
        if uniform {
            c.problem("priorityMix", "exists for Flexible sets only (Uniform instances are all one priority)");
        } else if priority != Priority::Spot {
            c.problem("priorityMix", "needs priority: Spot (the mix decides how many VMs stay Regular), as in Azure");
        }
        PriorityMix {
            base_regular_priority_count: c.int_in(
                "priorityMix.baseRegularPriorityCount",
                m.base_regular_priority_count,
                0,
                0,
                1000,
            ),
            regular_priority_percentage_above_base: c.int_in(
                "priorityMix.regularPriorityPercentageAboveBase",
                m.regular_priority_percentage_above_base,
                0,
                0,
                100,
            ),
        }
    });

    let os_disk_tier =
        raw.os_disk.as_ref().and_then(|d| d.tier.clone()).unwrap_or_else(|| default_disk_tier(os).to_owned());
    if !catalog.knows_disk_tier(&os_disk_tier) {
        let near = suggest::nearest(&os_disk_tier, catalog.disk_tiers());
        c.problem("osDisk.tier", format!("unknown managed disk tier '{os_disk_tier}'{}", suggest::phrase_after(&near)));
    }

    let hybrid_benefit = raw.hybrid_benefit.unwrap_or(false);
    if hybrid_benefit && os != OsType::Windows {
        c.problem("hybridBenefit", "applies to Windows VMs only (os: windows)");
    }

    let automatic_repairs = match &raw.automatic_repairs {
        None => AutomaticRepairs {
            enabled: false,
            grace_period: Duration::from_mins(10),
            repair_action: RepairAction::Replace,
        },
        Some(r) => {
            let grace = r.grace_period.unwrap_or(Duration::from_mins(10));
            if !(Duration::from_mins(10)..=Duration::from_mins(90)).contains(&grace) {
                c.problem("automaticRepairs.gracePeriod", format!("{grace} is out of range (accepted: 10m to 90m)"));
            }
            AutomaticRepairs {
                enabled: r.enabled.unwrap_or(false),
                grace_period: grace,
                repair_action: r.repair_action.unwrap_or(RepairAction::Replace),
            }
        }
    };

    let autoscale =
        raw.autoscale.as_ref().map(|a| validate_autoscale(a, u32::try_from(max_capacity).unwrap_or(1000), &mut c));

    let load = raw.load.as_ref().map(|entries| validate_load(entries, &raw.name, &mut c)).unwrap_or_default();

    let model = VmModel { sku: raw.sku.clone(), os, image, os_disk_tier, priority, hybrid_benefit };

    let (load_balancer, public_ips) = validate_network(raw, &mut c);

    // Only price a model whose size, region and disk are known; otherwise the problems above
    // already say what is wrong.
    if c.problems.len() == before {
        check_prices(&model, &raw.region, priority_mix.is_some(), catalog, &mut c);
    }

    if c.problems.len() > before {
        return None;
    }
    Some(SetDefinition {
        capacity,
        config: ScaleSetConfig {
            name: raw.name.clone(),
            region: raw.region.clone(),
            orchestration_mode: mode,
            zones,
            zone_balance,
            platform_fault_domain_count: fd_count,
            single_placement_group,
            computer_name_prefix,
            overprovision,
            provisioning_time,
            scale_in_policy,
            force_deletion: raw.scale_in_policy.as_ref().and_then(|p| p.force_deletion).unwrap_or(false),
            upgrade_policy,
            eviction_policy,
            priority_mix,
            automatic_repairs,
            autoscale,
            load,
            model,
            load_balancer,
            public_ips,
        },
    })
}

/// Most rules a Standard Load Balancer takes (Azure's limit for load-balancing rules).
const MAX_LB_RULES: i64 = 1500;
/// Most GB of load-balancer data per month accepted: a petabyte.
const MAX_LB_GB_PER_MONTH: i64 = 1_000_000;
/// Most public IPs per set accepted (one per VM of the largest set).
const MAX_PUBLIC_IPS: i64 = 1000;

/// The priced network resources of a set: `loadBalancer` and `publicIps`.
fn validate_network(raw: &RawScaleSet, c: &mut Checker<'_>) -> (Option<LoadBalancer>, u32) {
    let load_balancer = raw.load_balancer.as_ref().map(|lb| LoadBalancer {
        rules: c.int_in("loadBalancer.rules", lb.rules, 1, 0, MAX_LB_RULES),
        data_processed_gb: c.int_in("loadBalancer.dataProcessedGb", lb.data_processed_gb, 0, 0, MAX_LB_GB_PER_MONTH),
    });
    let public_ips = c.int_in("publicIps", raw.public_ips, 0, 0, MAX_PUBLIC_IPS);
    (load_balancer, public_ips)
}

/// Azure's default OS disk: 30 GiB for Linux images (billed as P4), 127 GiB for Windows (P10).
#[must_use]
pub fn default_disk_tier(os: OsType) -> &'static str {
    match os {
        OsType::Linux => "P4",
        OsType::Windows => "P10",
    }
}

fn check_prices(model: &VmModel, region: &str, mixed: bool, catalog: &Catalog, c: &mut Checker<'_>) {
    // Hybrid Benefit bills Windows at the Linux rate.
    let os = if model.os == OsType::Windows && !model.hybrid_benefit { Os::Windows } else { Os::Linux };
    let spot = model.priority == Priority::Spot;
    if let Err(e) = catalog.vm_hourly(&model.sku, region, os, spot) {
        c.problem(if spot { "priority" } else { "sku" }, e.to_string());
    }
    // A priority mix keeps some VMs Regular: that price must exist too.
    if mixed && let Err(e) = catalog.vm_hourly(&model.sku, region, os, false) {
        c.problem("priorityMix", e.to_string());
    }
    if let Err(e) = catalog.disk_monthly(&model.os_disk_tier, region) {
        c.problem("osDisk.tier", e.to_string());
    }
}

fn validate_autoscale(raw: &RawAutoscale, set_max: u32, c: &mut Checker<'_>) -> Autoscale {
    if raw.profiles.is_empty() {
        c.problem(
            "autoscale.profiles",
            "needs at least one profile (a default profile with no recurrence or fixedDate)",
        );
    }
    if raw.profiles.len() > 20 {
        c.problem("autoscale.profiles", format!("{} profiles; Azure allows at most 20", raw.profiles.len()));
    }
    let defaults = raw.profiles.iter().filter(|p| p.recurrence.is_none() && p.fixed_date.is_none()).count();
    if !raw.profiles.is_empty() && defaults != 1 {
        c.problem(
            "autoscale.profiles",
            format!("needs exactly one default profile (without recurrence or fixedDate); found {defaults}"),
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

fn validate_profile(p: &RawProfile, at: &str, set_max: u32, c: &mut Checker<'_>) -> Profile {
    if p.name.trim().is_empty() {
        c.problem(format!("{at}.name"), "a profile needs a name");
    }
    let (min, max, default) = (p.capacity.minimum, p.capacity.maximum, p.capacity.default);
    let max_allowed = i64::from(set_max);
    for (field, v) in [("minimum", min), ("maximum", max), ("default", default)] {
        if !(0..=max_allowed).contains(&v) {
            c.problem(
                format!("{at}.capacity.{field}"),
                format!("{v} is out of range (accepted: 0 to {max_allowed}, the set's limit)"),
            );
        }
    }
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

fn single(values: &[i64], lo: i64, hi: i64, field: &str, c: &mut Checker<'_>) -> u8 {
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

fn parse_day(s: &str) -> Option<Day> {
    let lower = s.to_ascii_lowercase();
    Day::ALL.iter().copied().find(|d| {
        let name = d.as_str().to_ascii_lowercase();
        name == lower || (lower.len() == 3 && name.starts_with(&lower))
    })
}

fn check_time_zone(tz: Option<&str>, field: &str, c: &mut Checker<'_>) -> String {
    let tz = tz.unwrap_or("UTC");
    if let Err(e) = timezone::resolve(tz) {
        c.problem(field, e.to_string());
    }
    tz.to_owned()
}

fn parse_local(s: &str, field: &str, c: &mut Checker<'_>) -> jiff::civil::DateTime {
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

#[allow(clippy::too_many_lines)] // the two rule forms share every range check
fn validate_rule(r: &RawRule, at: &str, c: &mut Checker<'_>) -> Option<Rule> {
    let before = c.problems.len();
    let mt = r.metric_trigger.as_ref();
    let sa = r.scale_action.as_ref();
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

fn validate_load(entries: &[super::raw::RawLoad], set: &str, c: &mut Checker<'_>) -> Vec<crate::model::load::Source> {
    use crate::model::load::{Signal, Source};
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let at = format!("load[{i}]");
        let mut numbers_ok = true;
        let mut check = |field: &str, v: f64| {
            if !v.is_finite() || v < 0.0 {
                c.problem(format!("{at}.{field}"), format!("{v} is not a non-negative number"));
                numbers_ok = false;
            }
        };
        let mut shapes = Vec::new();
        if let Some(v) = e.constant {
            check("constant", v);
            shapes.push(Signal::Constant { value: v });
        }
        if let Some(s) = &e.step {
            check("step.before", s.before);
            check("step.after", s.after);
            shapes.push(Signal::Step { before: s.before, after: s.after, at: s.at });
        }
        if let Some(r) = &e.ramp {
            check("ramp.from", r.from);
            check("ramp.to", r.to);
            shapes.push(Signal::Ramp {
                from: r.from,
                to: r.to,
                over: r.over,
                start: r.start.unwrap_or(Duration::ZERO),
            });
        }
        if let Some(d) = &e.diurnal {
            check("diurnal.trough", d.trough);
            check("diurnal.peak", d.peak);
            check("diurnal.peakHour", d.peak_hour);
            shapes.push(Signal::Diurnal { trough: d.trough, peak: d.peak, peak_hour: d.peak_hour });
        }
        if let Some(s) = &e.spike {
            check("spike.base", s.base);
            check("spike.peak", s.peak);
            shapes.push(Signal::Spike { base: s.base, peak: s.peak, at: s.at, duration: s.duration });
        }
        let noise = e.noise.unwrap_or(0.0);
        check("noise", noise);
        if let Some(d) = &e.diurnal
            && d.peak_hour >= 24.0
        {
            c.problem(
                format!("{at}.diurnal.peakHour"),
                format!("{} is not an hour of the day (0 to 23.99)", d.peak_hour),
            );
            numbers_ok = false;
        }
        if e.metric.trim().is_empty() {
            c.problem(format!("{at}.metric"), "is empty");
        }
        match shapes.len() {
            1 if numbers_ok => out.push(Source {
                scale_set: Some(set.to_owned()),
                metric: e.metric.trim().to_owned(),
                signal: shapes.remove(0),
                noise,
            }),
            1 => {}
            0 => c.problem(at.clone(), "needs one shape: constant, step, ramp, diurnal or spike"),
            _ => c.problem(
                at.clone(),
                "has more than one shape; write one entry per shape (entries for the same metric add up)",
            ),
        }
    }
    out
}
