//! The resolved configuration of one scale set: the definition with every default applied.
//!
//! This is what the state file records for each set, and what `plan` compares the definition
//! with. The *model* part (what a VM is built from: image, size, disk, priority, licence) is
//! versioned: a change to it bumps the set's model version and leaves existing VMs outdated.
//! The rest (capacity, policies, autoscale) changes the set without touching any VM.

use serde::{Deserialize, Serialize};

use super::autoscale::Autoscale;
use super::duration::Duration;
use super::enums::{EvictionPolicy, OrchestrationMode, OsType, Priority, RepairAction, ScaleInRule, UpgradeMode};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleSetConfig {
    pub name: String,
    pub region: String,
    pub orchestration_mode: OrchestrationMode,
    /// Zone numbers 1..=3 in the order written; empty for a regional set.
    pub zones: Vec<u8>,
    pub zone_balance: bool,
    pub platform_fault_domain_count: u8,
    pub single_placement_group: bool,
    pub computer_name_prefix: String,
    pub overprovision: bool,
    pub provisioning_time: Duration,
    pub scale_in_policy: ScaleInRule,
    /// `scaleInPolicy.forceDeletion`: recorded on the events of VMs deleted by a scale-in or
    /// `delete --instances`; no other effect (deletion is immediate here either way).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_deletion: bool,
    pub upgrade_policy: UpgradePolicy,
    pub eviction_policy: Option<EvictionPolicy>,
    pub priority_mix: Option<PriorityMix>,
    pub automatic_repairs: AutomaticRepairs,
    pub autoscale: Option<Autoscale>,
    /// Load this set faces in `advance` and `simulate` (the command line can override it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load: Vec<super::load::Source>,
    pub model: VmModel,
    /// A Standard Load Balancer in front of the set (priced only: rule-hours and GB processed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancer>,
    /// Standard static public IPv4 addresses billed with the set (priced only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub public_ips: u32,
    /// Every VM has a public IPv4 address of its own (a `publicIPAddressConfiguration`),
    /// billed while the VM exists: the count follows scaling.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public_ip_per_vm: bool,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A Standard Load Balancer as far as its bill goes: billed while the set exists, whatever
/// its VMs do (reference: network resources are billed until deleted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancer {
    /// Load-balancing and outbound rules; the first five share one hourly charge.
    pub rules: u32,
    /// Data processed, in GB per (730-hour) month: an estimate, accrued evenly over time.
    pub data_processed_gb: u64,
}

impl ScaleSetConfig {
    /// The most VMs this set may hold, per orchestration mode and placement group.
    #[must_use]
    pub fn max_capacity(&self) -> u32 {
        match self.orchestration_mode {
            OrchestrationMode::Uniform if self.single_placement_group => 100,
            OrchestrationMode::Uniform | OrchestrationMode::Flexible => 1000,
        }
    }

    /// Zones as Azure writes them ("1", "2", "3").
    #[must_use]
    pub fn zone_names(&self) -> Vec<String> {
        self.zones.iter().map(u8::to_string).collect()
    }
}

/// What each VM is built from. Changing any of it is a model update.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmModel {
    pub sku: String,
    pub os: OsType,
    pub image: String,
    pub os_disk_tier: String,
    pub priority: Priority,
    pub hybrid_benefit: bool,
    /// Spot `maxPrice` an hour; `None` is Azure's -1 (up to the regular price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_price: Option<super::money::Money>,
    /// Managed data disks attached to every VM, billed per disk like the OS disk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_disks: Vec<DataDisks>,
}

/// Data disks of one tier on every VM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataDisks {
    pub tier: String,
    pub count: u32,
}

impl VmModel {
    /// The fields that differ from `other`, as `(field, old, new)`.
    #[must_use]
    pub fn differences(&self, new: &VmModel) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        let mut check = |field, a: String, b: String| {
            if a != b {
                out.push((field, a, b));
            }
        };
        check("sku", self.sku.clone(), new.sku.clone());
        check("os", self.os.to_string(), new.os.to_string());
        check("image", self.image.clone(), new.image.clone());
        check("osDisk.tier", self.os_disk_tier.clone(), new.os_disk_tier.clone());
        check("priority", self.priority.to_string(), new.priority.to_string());
        check("hybridBenefit", self.hybrid_benefit.to_string(), new.hybrid_benefit.to_string());
        let max = |m: Option<super::money::Money>| m.map_or_else(|| "-1".to_owned(), |m| m.to_string());
        check("maxPrice", max(self.max_price), max(new.max_price));
        let disks = |d: &[DataDisks]| d.iter().map(|d| format!("{}x{}", d.count, d.tier)).collect::<Vec<_>>().join(",");
        check("dataDisks", disks(&self.data_disks), disks(&new.data_disks));
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradePolicy {
    pub mode: UpgradeMode,
    pub rolling_upgrade_policy: RollingUpgradePolicy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpgradePolicy {
    pub max_batch_instance_percent: u8,
    pub max_unhealthy_instance_percent: u8,
    pub max_unhealthy_upgraded_instance_percent: u8,
    pub pause_time_between_batches: Duration,
    pub prioritize_unhealthy_instances: bool,
    pub max_surge: bool,
    pub enable_cross_zone_upgrade: bool,
}

impl Default for RollingUpgradePolicy {
    /// Azure's documented defaults.
    fn default() -> Self {
        Self {
            max_batch_instance_percent: 20,
            max_unhealthy_instance_percent: 20,
            max_unhealthy_upgraded_instance_percent: 20,
            pause_time_between_batches: Duration::ZERO,
            prioritize_unhealthy_instances: false,
            max_surge: false,
            enable_cross_zone_upgrade: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriorityMix {
    pub base_regular_priority_count: u32,
    pub regular_priority_percentage_above_base: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticRepairs {
    pub enabled: bool,
    pub grace_period: Duration,
    pub repair_action: RepairAction,
}
