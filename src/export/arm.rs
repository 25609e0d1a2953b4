//! The definition as a deployable ARM template: one `Microsoft.Compute/virtualMachineScaleSets`
//! resource per set and one `Microsoft.Insights/autoscalesettings` per autoscaled set, every
//! default written explicitly, the set's static public IPs (`publicIps`) as
//! `Microsoft.Network/publicIPAddresses`, secure parameters for what scaleset does not know (the
//! admin credentials, the subnet). Settings that exist only for simulation (`provisioningTime`,
//! `load`) and the priced network (`loadBalancer`, `publicIps`, whose resources the template
//! does not create) become tags, never properties.
//!
//! Guarantees: pure and deterministic (the same definition gives the same bytes); the output
//! validates against Azure's ARM template schemas for Microsoft.Compute 2026-03-01 and
//! Microsoft.Insights 2022-10-01 (checked by CI with `check-arm-schema`).

use serde_json::{Map, Value, json};

use crate::model::autoscale::{Autoscale, Schedule};
use crate::model::config::ScaleSetConfig;
use crate::model::duration::Duration;
use crate::model::enums::{OrchestrationMode, OsType, Priority};
use crate::spec::SetDefinition;

/// The API versions written (those the schemas checked against describe).
const COMPUTE_API: &str = "2024-07-01";
const INSIGHTS_API: &str = "2022-10-01";

/// The template for `defs`.
#[must_use]
pub fn template(defs: &[SetDefinition]) -> Value {
    let mut resources = Vec::new();
    let mut pool_parameters = serde_json::Map::new();
    for def in defs {
        if def.config.load_balancer.is_some() {
            pool_parameters.insert(
                pool_parameter(&def.config.name),
                json!({ "type": "string", "metadata": { "description": format!(
                    "Resource ID of the backend pool of the existing Standard load balancer in front of {} (scaleset prices its rules, not their ports).",
                    def.config.name
                ) } }),
            );
        }
        // The set's own static public IPs (`publicIps`): Standard addresses, billed while they exist.
        for i in 1..=def.config.public_ips {
            resources.push(json!({
                "type": "Microsoft.Network/publicIPAddresses",
                "apiVersion": "2023-09-01",
                "name": format!("{}-ip-{i}", def.config.name),
                "location": def.config.region,
                "sku": { "name": "Standard", "tier": "Regional" },
                "properties": { "publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4" },
            }));
        }
        resources.push(scale_set(&def.config, def.capacity));
        if let Some(autoscale) = &def.config.autoscale {
            resources.push(autoscale_setting(&def.config, autoscale));
        }
    }
    let mut template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "metadata": { "generator": { "name": "scaleset export" } },
        "parameters": {
            "adminUsername": { "type": "string", "defaultValue": "azureuser",
                "metadata": { "description": "Administrator user name of the VMs." } },
            "adminPassword": { "type": "securestring",
                "metadata": { "description": "Administrator password of the VMs (scaleset does not know it)." } },
            "subnetId": { "type": "string",
                "metadata": { "description": "Resource ID of the subnet the VMs join (scaleset does not model networks)." } }
        },
        "resources": resources,
    });
    if let Some(params) = template.get_mut("parameters").and_then(Value::as_object_mut) {
        params.extend(pool_parameters);
    }
    template
}

/// The parameter that names a set's load-balancer backend pool: `webLoadBalancerBackendPoolId`.
#[must_use]
pub fn pool_parameter(set: &str) -> String {
    let name: String = set.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{name}LoadBalancerBackendPoolId")
}

/// ISO 8601, as ARM writes durations: `PT5M`, `P1DT2H`, `PT0S`.
#[must_use]
pub fn iso8601(d: Duration) -> String {
    let secs = d.secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rest > 0 || days == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || rest == 0 {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

fn set_id(name: &str) -> String {
    format!("[resourceId('Microsoft.Compute/virtualMachineScaleSets', '{name}')]")
}

/// The OS disk for a tier: its storage type and the tier's size in GiB.
fn os_disk(tier: &str) -> Value {
    let (storage, size) = super::disk(tier);
    json!({ "createOption": "FromImage", "caching": "ReadWrite", "diskSizeGB": size,
            "managedDisk": { "storageAccountType": storage } })
}

/// Empty data disks, numbered from LUN 0.
fn data_disks(model: &crate::model::config::VmModel) -> Vec<Value> {
    let mut out = Vec::new();
    for d in &model.data_disks {
        let (storage, size) = super::disk(&d.tier);
        for _ in 0..d.count {
            out.push(json!({ "lun": out.len(), "createOption": "Empty", "caching": "None", "diskSizeGB": size,
                             "managedDisk": { "storageAccountType": storage } }));
        }
    }
    out
}

/// The NIC's IP configuration: the subnet, and a public IP per VM when the set has them.
fn ip_configuration(c: &ScaleSetConfig) -> Value {
    let mut ip = json!({ "subnet": { "id": "[parameters('subnetId')]" } });
    if c.load_balancer.is_some() {
        ip["loadBalancerBackendAddressPools"] =
            json!([{ "id": format!("[parameters('{}')]", pool_parameter(&c.name)) }]);
    }
    if c.public_ip_per_vm {
        ip["publicIPAddressConfiguration"] =
            json!({ "name": format!("{}-pip", c.name), "properties": { "idleTimeoutInMinutes": 4 } });
    }
    ip
}

fn image(image: &str) -> Value {
    let parts: Vec<&str> = image.split(':').collect();
    match parts.as_slice() {
        [publisher, offer, sku, version] => {
            json!({ "publisher": publisher, "offer": offer, "sku": sku, "version": version })
        }
        _ => json!({ "id": image }),
    }
}

fn scale_set(c: &ScaleSetConfig, capacity: u32) -> Value {
    let uniform = c.orchestration_mode == OrchestrationMode::Uniform;
    let windows = c.model.os == OsType::Windows;
    let mut os_profile = json!({
        "computerNamePrefix": c.computer_name_prefix,
        "adminUsername": "[parameters('adminUsername')]",
        "adminPassword": "[parameters('adminPassword')]",
    });
    os_profile[if windows { "windowsConfiguration" } else { "linuxConfiguration" }] = if windows {
        json!({ "provisionVMAgent": true })
    } else {
        json!({ "disablePasswordAuthentication": false, "provisionVMAgent": true })
    };
    let mut profile = json!({
        "osProfile": os_profile,
        "storageProfile": {
            "imageReference": image(&c.model.image),
            "osDisk": os_disk(&c.model.os_disk_tier),
            "dataDisks": data_disks(&c.model),
        },
        "networkProfile": {
            "networkInterfaceConfigurations": [ {
                "name": format!("{}-nic", c.name),
                "properties": {
                    "primary": true,
                    "ipConfigurations": [ { "name": format!("{}-ip", c.name),
                        "properties": ip_configuration(c) } ]
                }
            } ]
        },
        "priority": c.model.priority.to_string(),
    });
    if !uniform {
        profile["networkProfile"]["networkApiVersion"] = json!("2020-11-01");
    }
    if c.model.priority == Priority::Spot {
        profile["evictionPolicy"] = json!(c.eviction_policy.map_or("Deallocate".to_owned(), |p| p.to_string()));
        let max = c.model.max_price.map_or_else(|| json!(-1), |m| json!(m.to_string().parse::<f64>().unwrap_or(-1.0)));
        profile["billingProfile"] = json!({ "maxPrice": max });
    }
    if windows && c.model.hybrid_benefit {
        profile["licenseType"] = json!("Windows_Server");
    }
    let mut props = Map::new();
    props.insert("orchestrationMode".into(), json!(c.orchestration_mode.to_string()));
    props.insert("platformFaultDomainCount".into(), json!(c.platform_fault_domain_count));
    props.insert("singlePlacementGroup".into(), json!(c.single_placement_group));
    if uniform {
        props.insert("overprovision".into(), json!(c.overprovision));
    }
    if !c.zones.is_empty() {
        props.insert("zoneBalance".into(), json!(c.zone_balance));
    }
    let rolling = &c.upgrade_policy.rolling_upgrade_policy;
    props.insert(
        "upgradePolicy".into(),
        json!({
            "mode": c.upgrade_policy.mode.to_string(),
            "rollingUpgradePolicy": {
                "maxBatchInstancePercent": rolling.max_batch_instance_percent,
                "maxUnhealthyInstancePercent": rolling.max_unhealthy_instance_percent,
                "maxUnhealthyUpgradedInstancePercent": rolling.max_unhealthy_upgraded_instance_percent,
                "pauseTimeBetweenBatches": iso8601(rolling.pause_time_between_batches),
                "prioritizeUnhealthyInstances": rolling.prioritize_unhealthy_instances,
                "maxSurge": rolling.max_surge,
                "enableCrossZoneUpgrade": rolling.enable_cross_zone_upgrade,
            }
        }),
    );
    props.insert(
        "scaleInPolicy".into(),
        json!({ "rules": [c.scale_in_policy.to_string()], "forceDeletion": c.force_deletion }),
    );
    props.insert(
        "automaticRepairsPolicy".into(),
        json!({
            "enabled": c.automatic_repairs.enabled,
            "gracePeriod": iso8601(c.automatic_repairs.grace_period),
            "repairAction": c.automatic_repairs.repair_action.to_string(),
        }),
    );
    if let Some(mix) = &c.priority_mix {
        props.insert(
            "priorityMixPolicy".into(),
            json!({
                "baseRegularPriorityCount": mix.base_regular_priority_count,
                "regularPriorityPercentageAboveBase": mix.regular_priority_percentage_above_base,
            }),
        );
    }
    props.insert("virtualMachineProfile".into(), profile);
    // What only the simulation uses: tags, which Azure keeps and ignores.
    let mut tags = Map::new();
    tags.insert("scaleset-provisioningTime".into(), json!(iso8601(c.provisioning_time)));
    if !c.load.is_empty() {
        tags.insert(
            "scaleset-load".into(),
            json!(format!(
                "{} load entr{} in the scaleset definition",
                c.load.len(),
                if c.load.len() == 1 { "y" } else { "ies" }
            )),
        );
    }
    // Priced here, created elsewhere (the template makes no network resources): kept as tags so
    // that importing the template gives the same definition back.
    if let Some(lb) = c.load_balancer {
        tags.insert(
            "scaleset-loadBalancer".into(),
            json!(format!("rules={},dataProcessedGb={}", lb.rules, lb.data_processed_gb)),
        );
    }
    if c.public_ips > 0 {
        tags.insert("scaleset-publicIps".into(), json!(c.public_ips.to_string()));
    }
    let mut resource = json!({
        "type": "Microsoft.Compute/virtualMachineScaleSets",
        "apiVersion": COMPUTE_API,
        "name": c.name,
        "location": c.region,
        "tags": tags,
        "sku": { "name": c.model.sku, "tier": "Standard", "capacity": capacity },
        "properties": props,
    });
    if !c.zones.is_empty() {
        resource["zones"] = json!(c.zones.iter().map(ToString::to_string).collect::<Vec<_>>());
    }
    resource
}

fn autoscale_setting(c: &ScaleSetConfig, autoscale: &Autoscale) -> Value {
    let target = set_id(&c.name);
    let profiles: Vec<Value> = autoscale
        .profiles
        .iter()
        .map(|p| {
            let rules: Vec<Value> = p
                .rules
                .iter()
                .map(|r| {
                    json!({
                        "metricTrigger": {
                            "metricName": r.metric_name,
                            "metricResourceUri": target,
                            "timeGrain": iso8601(r.time_grain),
                            "statistic": r.statistic.to_string(),
                            "timeWindow": iso8601(r.time_window),
                            "timeAggregation": r.time_aggregation.to_string(),
                            "operator": r.operator.to_string(),
                            "threshold": r.threshold,
                            "dividePerInstance": r.divide_per_instance,
                        },
                        "scaleAction": {
                            "direction": r.direction.to_string(),
                            "type": r.kind.to_string(),
                            "value": r.value.to_string(),
                            "cooldown": iso8601(r.cooldown),
                        }
                    })
                })
                .collect();
            let mut profile = json!({
                "name": p.name,
                "capacity": {
                    "minimum": p.capacity.minimum.to_string(),
                    "maximum": p.capacity.maximum.to_string(),
                    "default": p.capacity.default.to_string(),
                },
                "rules": rules,
            });
            match &p.schedule {
                Schedule::Default => {}
                Schedule::Recurring { time_zone, days, hour, minute } => {
                    profile["recurrence"] = json!({
                        "frequency": "Week",
                        "schedule": {
                            "timeZone": time_zone,
                            "days": days.iter().map(ToString::to_string).collect::<Vec<_>>(),
                            "hours": [hour],
                            "minutes": [minute],
                        }
                    });
                }
                Schedule::FixedDate { time_zone, start, end } => {
                    profile["fixedDate"] =
                        json!({ "timeZone": time_zone, "start": start.to_string(), "end": end.to_string() });
                }
            }
            profile
        })
        .collect();
    json!({
        "type": "Microsoft.Insights/autoscalesettings",
        "apiVersion": INSIGHTS_API,
        "name": format!("{}-autoscale", c.name),
        "location": c.region,
        "dependsOn": [target],
        "properties": {
            "name": format!("{}-autoscale", c.name),
            "enabled": autoscale.enabled,
            "targetResourceUri": target,
            "profiles": profiles,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_as_arm_writes_them() {
        assert_eq!(iso8601(Duration::ZERO), "PT0S");
        assert_eq!(iso8601(Duration::from_mins(5)), "PT5M");
        assert_eq!(iso8601(Duration::from_secs(90)), "PT1M30S");
        assert_eq!(iso8601(Duration::from_secs(86_400 + 7200)), "P1DT2H");
        assert_eq!(iso8601(Duration::from_days(2)), "P2D");
    }
}
