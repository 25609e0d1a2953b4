//! What a scale set costs: its billed components and their run rate.
//!
//! Guarantees (reference sections 4, 6 and 7):
//! - compute is billed per VM by power state: Starting, Running, Stopping and Stopped are
//!   billed; Creating, Deallocating and Deallocated are not. Each VM is priced at its own
//!   model (size, OS, Spot): VMs on an older model keep their old size until upgraded;
//! - Spot VMs at the Spot price; Windows with Hybrid Benefit at the Linux rate;
//! - an OS disk is billed for every VM, whatever its power state, until the VM is deleted;
//!   overprovisioned extras are not instances and are never billed;
//! - a set's load balancer and public IPs are billed while the set exists (network resources
//!   are billed until deleted), at the built-in network prices; a load balancer with no rule
//!   has no hourly charge (Azure's rule), its data processed is billed per GB;
//! - a missing price is a [`PriceError`], never $0;
//! - [`components`] makes one pass over the instances, then works per (model version,
//!   priority) group: it runs every simulated minute, so its cost must not grow with the
//!   number of VMs beyond that pass.
//!
//! Two bases: [`Basis::Now`] is what is billed at this instant (accrual, `cost`, `list`);
//! [`Basis::Settled`] prices the set as it will be once every operation in progress has
//! finished and every VM runs the latest model (`plan`'s monthly cost change).

use std::collections::BTreeMap;

use crate::model::config::VmModel;
use crate::model::enums::{OsType, PowerState, Priority};
use crate::model::set_summary::SetSummary;
use crate::model::state::{ScaleSet, State};

use super::catalog::{Catalog, Commitment, HOURS_PER_MONTH, LB_INCLUDED_RULES, NetworkMeter, Os, PriceError};
use crate::model::accrual::Rate;
use crate::model::money::Money;

/// Hours in a month, as a count.
const MONTH_HOURS: u64 = HOURS_PER_MONTH.unsigned_abs();

/// What a component bills for; decides which commitments could discount it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ComponentKind {
    /// VM hours of one size, billed OS and priority.
    Compute {
        /// The OS the VMs are billed as (Linux for Windows with Hybrid Benefit).
        os: Os,
        /// Spot capacity.
        spot: bool,
    },
    /// OS disks of one tier.
    OsDisk,
    /// The load balancer's hourly charge for its first five rules.
    LoadBalancer,
    /// The load balancer's rules beyond the first five.
    LoadBalancerRules,
    /// The load balancer's data processed.
    LoadBalancerData,
    /// Standard static public IPv4 addresses.
    PublicIp,
    /// Data disks of one tier.
    DataDisk,
}

impl ComponentKind {
    /// Whether reservations and savings plans apply: regular (not Spot) compute billed at the
    /// Linux rate. Windows licences, Spot, disks and network are never discounted.
    #[must_use]
    pub const fn commitment_eligible(self) -> bool {
        matches!(self, ComponentKind::Compute { os: Os::Linux, spot: false })
    }
}

/// One line of a cost breakdown, Infracost style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// E.g. "Compute (Standard_D2s_v5, Linux)".
    pub name: String,
    /// Unit of `quantity` and `price`: "hours" (per month), "months" (disks) or "GB" (per month).
    pub unit: &'static str,
    /// Monthly quantity: hours in 730 hours, disk-months, or GB a month.
    pub quantity: u64,
    /// Price per unit.
    pub price: Money,
    /// Cost per second, exact.
    pub rate: Rate,
    /// What is billed.
    pub kind: ComponentKind,
    /// Where the price comes from: `catalog`, `cache`, `export`, `estimate`, `at most`.
    pub source: &'static str,
}

/// One compute line while it is summed: (billed VMs, price, kind, source of the price).
type ComputeLine = (u64, Money, ComponentKind, &'static str);

/// Which moment a set is priced at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// What is billed now.
    Now,
    /// Once operations in progress have finished and every VM runs the latest model.
    Settled,
}

/// The operating system a model is billed as.
#[must_use]
pub fn billing_os(model: &VmModel) -> Os {
    if model.os == OsType::Windows && !model.hybrid_benefit { Os::Windows } else { Os::Linux }
}

/// Hourly compute price of one VM of `model` at `priority`.
///
/// # Errors
/// The catalog has no price for that size, region, OS and priority.
pub fn vm_price(catalog: &Catalog, region: &str, model: &VmModel, priority: Priority) -> Result<Money, PriceError> {
    vm_price_bound(catalog, region, model, priority).map(|(price, _)| price)
}

/// The hourly price of one VM and where it comes from (`catalog::source`): a Spot VM whose Spot
/// price is unknown is billed at its `maxPrice` (or, for -1, at the regular price): "at most".
///
/// # Errors
/// No price at all.
pub fn vm_price_bound(
    catalog: &Catalog,
    region: &str,
    model: &VmModel,
    priority: Priority,
) -> Result<(Money, &'static str), PriceError> {
    let spot = priority == Priority::Spot;
    let at_most = super::catalog::source::AT_MOST;
    match catalog.vm_hourly_sourced(&model.sku, region, billing_os(model), spot) {
        Ok(found) => Ok(found),
        Err(_) if spot && model.max_price.is_some() => Ok((model.max_price.unwrap_or(Money::ZERO), at_most)),
        Err(e) if spot => catalog
            .vm_hourly_sourced(&model.sku, region, billing_os(model), false)
            .map(|(p, _)| (p, at_most))
            .map_err(|_| e),
        Err(e) => Err(e),
    }
}

/// Whether compute will be billed once the operation in progress (if any) has finished.
const fn billed_when_settled(state: PowerState) -> bool {
    match state {
        // Creating and Starting end Running; Stopping ends Stopped (still allocated).
        PowerState::Creating
        | PowerState::Starting
        | PowerState::Running
        | PowerState::Stopping
        | PowerState::Stopped => true,
        PowerState::Deallocating | PowerState::Deallocated => false,
    }
}

/// The billed components of a set now, compute grouped by size/OS/priority, disks by tier,
/// then network.
///
/// # Errors
/// A price is missing from the catalog.
pub fn components(catalog: &Catalog, set: &ScaleSet) -> Result<Vec<Component>, PriceError> {
    components_at(catalog, set, Basis::Now)
}

/// The billed components of a set on the given basis.
///
/// # Errors
/// A price is missing from the catalog.
pub fn components_at(catalog: &Catalog, set: &ScaleSet, basis: Basis) -> Result<Vec<Component>, PriceError> {
    let parts = Parts { config: &set.config, models: &set.models, model_version: set.model_version };
    let vms = set.instances.iter().map(|i| Vm {
        model_version: i.model_version,
        priority: i.priority,
        power_state: i.power_state,
        count: 1,
    });
    components_of(catalog, &parts, vms, basis)
}

/// [`components_at`] of a set read as a summary (the same figures as from the full set).
///
/// # Errors
/// A price is missing from the catalog.
pub fn summary_components_at(catalog: &Catalog, set: &SetSummary, basis: Basis) -> Result<Vec<Component>, PriceError> {
    let parts = Parts { config: &set.config, models: &set.models, model_version: set.model_version };
    let vms = set.vms.iter().map(|v| Vm {
        model_version: v.model_version,
        priority: v.priority,
        power_state: v.power_state,
        count: v.count,
    });
    components_of(catalog, &parts, vms, basis)
}

/// What pricing reads of a set besides its VMs.
struct Parts<'a> {
    config: &'a crate::model::config::ScaleSetConfig,
    models: &'a [crate::model::state::VersionedModel],
    model_version: u32,
}

impl Parts<'_> {
    fn model(&self, version: u32) -> Option<&VmModel> {
        self.models.iter().find(|m| m.version == version).map(|m| &m.model)
    }
}

/// What pricing reads of a VM (or of `count` alike).
struct Vm {
    model_version: u32,
    priority: Priority,
    power_state: PowerState,
    count: u64,
}

fn components_of(
    catalog: &Catalog,
    set: &Parts<'_>,
    vms_of_set: impl Iterator<Item = Vm>,
    basis: Basis,
) -> Result<Vec<Component>, PriceError> {
    let region = &set.config.region;
    let latest = set.model(set.model_version).unwrap_or(&set.config.model);
    // One pass over the VMs: (model version, priority) -> (billed VMs, all VMs). A handful of
    // groups, however many VMs.
    let mut groups: Vec<((u32, Priority), u64, u64)> = Vec::new();
    for inst in vms_of_set {
        let (key, billed) = match basis {
            Basis::Now => ((inst.model_version, inst.priority), inst.power_state.compute_billed()),
            Basis::Settled => {
                // Upgraded VMs take the latest model's priority, except in a priority mix,
                // where each VM keeps the priority it was given.
                let priority = if latest.priority == Priority::Regular {
                    Priority::Regular
                } else if set.config.priority_mix.is_some() {
                    inst.priority
                } else {
                    Priority::Spot
                };
                ((set.model_version, priority), billed_when_settled(inst.power_state))
            }
        };
        let billed = u64::from(billed) * inst.count;
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => {
                g.1 += billed;
                g.2 += inst.count;
            }
            None => groups.push((key, billed, inst.count)),
        }
    }
    // (sku, os label, priority) -> (billed VM count, price, kind); tier -> (disk count, price).
    let mut compute: BTreeMap<(String, String, Priority), ComputeLine> = BTreeMap::new();
    let mut disks: BTreeMap<String, (u64, Money, &'static str)> = BTreeMap::new();
    let mut data_disks: BTreeMap<String, (u64, Money, &'static str)> = BTreeMap::new();
    // VMs that exist, whatever their power state: each holds its own public IP, if it has one.
    let mut vms: u64 = 0;
    for ((version, priority), billed, total) in groups {
        vms += total;
        let model = set.model(version).unwrap_or(&set.config.model);
        if billed > 0 {
            let (price, source) = vm_price_bound(catalog, region, model, priority)?;
            let at_most = source == super::catalog::source::AT_MOST;
            let os = billing_os(model);
            let label = match os {
                Os::Linux if model.os == OsType::Windows => "Windows, Hybrid Benefit",
                Os::Linux => "Linux",
                Os::Windows => "Windows",
            };
            let kind = ComponentKind::Compute { os, spot: priority == Priority::Spot };
            // A Spot price that is only a bound says so in the component's name.
            let label = if at_most { format!("{label}, Spot at most") } else { label.to_owned() };
            compute.entry((model.sku.clone(), label, priority)).or_insert((0, price, kind, source)).0 += billed;
        }
        let (disk, source) = catalog.disk_monthly_sourced(&model.os_disk_tier, region)?;
        disks.entry(model.os_disk_tier.clone()).or_insert((0, disk, source)).0 += total;
        // Data disks: billed per disk like the OS disk, on every VM that exists.
        for d in &model.data_disks {
            let (price, source) = catalog.disk_monthly_sourced(&d.tier, region)?;
            data_disks.entry(d.tier.clone()).or_insert((0, price, source)).0 += total * u64::from(d.count);
        }
    }
    let mut out = Vec::new();
    for ((sku, os, priority), (count, price, kind, source)) in compute {
        let spot = if priority == Priority::Spot && !os.ends_with("at most") { ", Spot" } else { "" };
        out.push(Component {
            name: format!("Compute ({sku}, {os}{spot})"),
            unit: "hours",
            quantity: count * MONTH_HOURS,
            price,
            rate: Rate::hourly(price).times(count),
            kind,
            source,
        });
    }
    // Disks are billed per disk-month, OS and data disks alike.
    let os_disks = disks.into_iter().map(|(tier, d)| (format!("OS disk ({tier})"), ComponentKind::OsDisk, d));
    let data = data_disks.into_iter().map(|(tier, d)| (format!("Data disks ({tier})"), ComponentKind::DataDisk, d));
    for (name, kind, (count, price, source)) in os_disks.chain(data) {
        out.push(Component {
            name,
            unit: "months",
            quantity: count,
            price,
            rate: Rate::monthly(price).times(count),
            kind,
            source,
        });
    }
    network_components(catalog, set.config, vms, &mut out);
    Ok(out)
}

/// The load balancer and public IPs of a set, at the built-in network prices; `vms` is the
/// number of VMs that exist (for per-VM public IPs).
fn network_components(
    catalog: &Catalog,
    config: &crate::model::config::ScaleSetConfig,
    vms: u64,
    out: &mut Vec<Component>,
) {
    let region = config.region.as_str();
    let price = |meter: NetworkMeter| catalog.network_price(meter, region);
    if let Some(lb) = config.load_balancer {
        if lb.rules > 0 {
            let (price, source) = price(NetworkMeter::LbIncludedRules);
            out.push(Component {
                name: format!("Load balancer (Standard, first {LB_INCLUDED_RULES} rules)"),
                unit: "hours",
                quantity: MONTH_HOURS,
                price,
                rate: Rate::hourly(price),
                kind: ComponentKind::LoadBalancer,
                source,
            });
        }
        let extra = u64::from(lb.rules.saturating_sub(LB_INCLUDED_RULES));
        if extra > 0 {
            let (price, source) = price(NetworkMeter::LbOverageRule);
            out.push(Component {
                name: format!("Load balancer rules beyond {LB_INCLUDED_RULES} ({extra})"),
                unit: "hours",
                quantity: extra * MONTH_HOURS,
                price,
                rate: Rate::hourly(price).times(extra),
                kind: ComponentKind::LoadBalancerRules,
                source,
            });
        }
        if lb.data_processed_gb > 0 {
            let (price, source) = price(NetworkMeter::LbDataProcessed);
            out.push(Component {
                name: "Load balancer data processed".to_owned(),
                unit: "GB",
                quantity: lb.data_processed_gb,
                price,
                // GB per month, spread evenly over the month.
                rate: Rate::monthly(price).times(lb.data_processed_gb),
                kind: ComponentKind::LoadBalancerData,
                source,
            });
        }
    }
    if config.public_ip_per_vm && vms > 0 {
        let (price, source) = price(NetworkMeter::PublicIpv4Static);
        out.push(Component {
            name: "Public IPv4 addresses (Standard, one per VM)".to_owned(),
            unit: "hours",
            quantity: vms * MONTH_HOURS,
            price,
            rate: Rate::hourly(price).times(vms),
            kind: ComponentKind::PublicIp,
            source,
        });
    }
    if config.public_ips > 0 {
        let count = u64::from(config.public_ips);
        let (price, source) = price(NetworkMeter::PublicIpv4Static);
        out.push(Component {
            name: "Public IPv4 addresses (Standard, static)".to_owned(),
            unit: "hours",
            quantity: count * MONTH_HOURS,
            price,
            rate: Rate::hourly(price).times(count),
            kind: ComponentKind::PublicIp,
            source,
        });
    }
}

/// The set's total cost rate now.
///
/// # Errors
/// A price is missing from the catalog.
pub fn set_rate(catalog: &Catalog, set: &ScaleSet) -> Result<Rate, PriceError> {
    Ok(components(catalog, set)?.iter().map(|c| c.rate).sum())
}

/// The monthly cost of every set of `state` once pending operations have settled, by name.
///
/// # Errors
/// A price is missing from the catalog.
pub fn settled_monthly(catalog: &Catalog, state: &State) -> Result<BTreeMap<String, Money>, PriceError> {
    state
        .scale_sets
        .iter()
        .map(|set| {
            let rate: Rate = components_at(catalog, set, Basis::Settled)?.iter().map(|c| c.rate).sum();
            Ok((set.config.name.clone(), rate.per_month()))
        })
        .collect()
}

/// A commitment what-if for a set of components: the monthly cost if the eligible compute were
/// covered by `commitment` at its typical discount. An estimate, not a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitmentEstimate {
    /// Which commitment.
    pub commitment: Commitment,
    /// The whole monthly cost with the eligible compute discounted.
    pub monthly_cost: Money,
    /// What the commitment would save a month.
    pub monthly_savings: Money,
}

/// The monthly cost of commitment-eligible compute among `components` (see
/// [`ComponentKind::commitment_eligible`]).
#[must_use]
pub fn eligible_monthly(components: &[Component]) -> Money {
    let rate: Rate = components.iter().filter(|c| c.kind.commitment_eligible()).map(|c| c.rate).sum();
    rate.per_month()
}

/// Every commitment's estimate for a monthly cost `total` of which `eligible` is eligible
/// compute: only the eligible part is discounted, rounded to the micro-dollar.
#[must_use]
pub fn commitment_estimates(total: Money, eligible: Money) -> Vec<CommitmentEstimate> {
    Commitment::ALL
        .iter()
        .map(|&commitment| {
            let discounted = commitment.apply(eligible);
            CommitmentEstimate {
                commitment,
                monthly_cost: total - eligible + discounted,
                monthly_savings: eligible - discounted,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::LoadBalancer;

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    #[test]
    fn only_regular_linux_compute_is_eligible_for_commitments() {
        assert!(ComponentKind::Compute { os: Os::Linux, spot: false }.commitment_eligible());
        assert!(!ComponentKind::Compute { os: Os::Linux, spot: true }.commitment_eligible());
        assert!(!ComponentKind::Compute { os: Os::Windows, spot: false }.commitment_eligible());
        assert!(!ComponentKind::OsDisk.commitment_eligible());
        assert!(!ComponentKind::LoadBalancer.commitment_eligible());
        assert!(!ComponentKind::PublicIp.commitment_eligible());
    }

    #[test]
    fn commitments_discount_only_the_eligible_part() {
        // 3 x D2s_v5 eastus: $210.24 of compute, $59.13 of disks.
        let estimates = commitment_estimates(m("269.37"), m("210.24"));
        let costs: Vec<(Commitment, Money, Money)> =
            estimates.iter().map(|e| (e.commitment, e.monthly_cost, e.monthly_savings)).collect();
        assert_eq!(
            costs,
            [
                // 40 %: 210.24 x 0.6 = 126.144, + 59.13.
                (Commitment::Reservation1Year, m("185.274"), m("84.096")),
                // 61 %: 210.24 x 0.39 = 81.9936.
                (Commitment::Reservation3Years, m("141.1236"), m("128.2464")),
                // 32 %: 210.24 x 0.68 = 142.9632.
                (Commitment::SavingsPlan1Year, m("202.0932"), m("67.2768")),
                // 55 %: 210.24 x 0.45 = 94.608.
                (Commitment::SavingsPlan3Years, m("153.738"), m("115.632")),
            ]
        );
        assert!(commitment_estimates(m("10"), Money::ZERO).iter().all(|e| e.monthly_cost == m("10")));
    }

    #[test]
    fn network_components_follow_the_reference_prices() {
        let def = crate::spec::parse_definition(
            "t.yaml",
            b"scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: 0\n",
            Catalog::builtin(),
        )
        .unwrap()
        .remove(0);
        let (mut set, _) = crate::engine::capacity::create_set(&def, jiff::Timestamp::UNIX_EPOCH).unwrap();
        set.config.load_balancer = Some(LoadBalancer { rules: 7, data_processed_gb: 100 });
        set.config.public_ips = 2;
        let comps = components(Catalog::builtin(), &set).unwrap();
        let lines: Vec<(&str, &str, u64, Money, Money)> =
            comps.iter().map(|c| (c.name.as_str(), c.unit, c.quantity, c.price, c.rate.per_month())).collect();
        assert_eq!(
            lines,
            [
                ("Load balancer (Standard, first 5 rules)", "hours", 730, m("0.025"), m("18.25")),
                ("Load balancer rules beyond 5 (2)", "hours", 1460, m("0.01"), m("14.6")),
                ("Load balancer data processed", "GB", 100, m("0.005"), m("0.5")),
                ("Public IPv4 addresses (Standard, static)", "hours", 1460, m("0.005"), m("7.3")),
            ]
        );
        // Hourly: 0.025 + 0.02 + 0.5 / 730 + 0.01.
        assert_eq!(set_rate(Catalog::builtin(), &set).unwrap().per_hour(), m("0.055685"));
        // No rule, no hourly charge; data is still billed.
        set.config.load_balancer = Some(LoadBalancer { rules: 0, data_processed_gb: 10 });
        set.config.public_ips = 0;
        let comps = components(Catalog::builtin(), &set).unwrap();
        assert_eq!(comps.len(), 1);
        assert_eq!(comps[0].kind, ComponentKind::LoadBalancerData);
    }
}
