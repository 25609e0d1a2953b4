//! What a scale set costs right now: its billed components and their run rate.
//!
//! Compute is billed per VM by power state (Starting, Running, Stopping and Stopped are billed;
//! Creating, Deallocating and Deallocated are not), at the price of the VM's own model (size,
//! OS, Spot) — VMs on an older model keep their old size until upgraded. OS disks are billed
//! for every VM until it is deleted. Windows with Hybrid Benefit is billed at the Linux rate.

use std::collections::BTreeMap;

use crate::model::config::VmModel;
use crate::model::enums::{OsType, Priority};
use crate::model::state::ScaleSet;

use super::accrual::Rate;
use super::catalog::{Catalog, HOURS_PER_MONTH, Os, PriceError};
use super::money::Money;

/// One line of a cost breakdown, Infracost style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    /// Unit of `quantity` and `price`: "hours" (per month) or "months" (disks).
    pub unit: &'static str,
    /// Monthly quantity: VM-hours in 730 hours, or disk-months.
    pub quantity: u64,
    pub price: Money,
    pub rate: Rate,
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
    catalog.vm_hourly(&model.sku, region, billing_os(model), priority == Priority::Spot)
}

/// The billed components of a set, compute grouped by size/OS/priority, disks by tier.
///
/// # Errors
/// A price is missing from the catalog.
pub fn components(catalog: &Catalog, set: &ScaleSet) -> Result<Vec<Component>, PriceError> {
    let region = &set.config.region;
    // Count VMs per (model version, priority) first: a handful of groups, however many VMs.
    let mut groups: Vec<((u32, Priority), u64, u64)> = Vec::new();
    for inst in &set.instances {
        let key = (inst.model_version, inst.priority);
        let billed = u64::from(inst.power_state.compute_billed());
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => {
                g.1 += billed;
                g.2 += 1;
            }
            None => groups.push((key, billed, 1)),
        }
    }
    // (sku, os label, priority) -> billed VM count; tier -> disk count.
    let mut compute: BTreeMap<(String, &'static str, Priority), (u64, Money)> = BTreeMap::new();
    let mut disks: BTreeMap<String, (u64, Money)> = BTreeMap::new();
    for ((version, priority), billed, total) in groups {
        let model = set.model(version).unwrap_or(&set.config.model);
        if billed > 0 {
            let price = vm_price(catalog, region, model, priority)?;
            let os = match billing_os(model) {
                Os::Linux if model.os == OsType::Windows => "Windows, Hybrid Benefit",
                Os::Linux => "Linux",
                Os::Windows => "Windows",
            };
            compute.entry((model.sku.clone(), os, priority)).or_insert((0, price)).0 += billed;
        }
        let disk = catalog.disk_monthly(&model.os_disk_tier, region)?;
        disks.entry(model.os_disk_tier.clone()).or_insert((0, disk)).0 += total;
    }
    let mut out = Vec::new();
    for ((sku, os, priority), (count, price)) in compute {
        let spot = if priority == Priority::Spot { ", Spot" } else { "" };
        out.push(Component {
            name: format!("Compute ({sku}, {os}{spot})"),
            unit: "hours",
            quantity: count * u64::try_from(HOURS_PER_MONTH).unwrap_or(730),
            price,
            rate: Rate::hourly(price).times(count),
        });
    }
    for (tier, (count, price)) in disks {
        out.push(Component {
            name: format!("OS disk ({tier})"),
            unit: "months",
            quantity: count,
            price,
            rate: Rate::monthly(price).times(count),
        });
    }
    Ok(out)
}

/// The set's total cost rate now.
///
/// # Errors
/// A price is missing from the catalog.
pub fn set_rate(catalog: &Catalog, set: &ScaleSet) -> Result<Rate, PriceError> {
    Ok(components(catalog, set)?.iter().map(|c| c.rate).sum())
}
