//! Terraform azurerm configurations (`.tf`): `azurerm_linux_virtual_machine_scale_set`,
//! `azurerm_windows_virtual_machine_scale_set`, `azurerm_orchestrated_virtual_machine_scale_set`
//! and `azurerm_monitor_autoscale_setting`, with `var.` (defaults, overridden by `--param`),
//! `local.`, and the name, location and ID of resources in the same files evaluated. Each
//! resource is translated to the REST shape the JSON importer reads, so both follow one
//! mapping; the paths in comments are the resource's address.
//!
//! A value that depends on what only Terraform knows after `apply` (another resource's
//! computed attribute, a data source) becomes a marker, reported by path only where it matters.

use std::collections::BTreeMap;

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use serde_json::{Map, Value, json};

use super::arm::MARK;
use super::{ImportError, Options};

const VMSS_TYPES: [&str; 3] = [
    "azurerm_linux_virtual_machine_scale_set",
    "azurerm_windows_virtual_machine_scale_set",
    "azurerm_orchestrated_virtual_machine_scale_set",
];
const AUTOSCALE_TYPE: &str = "azurerm_monitor_autoscale_setting";

/// Arguments with no effect on simulation or cost: dropped, listed once.
const NO_EFFECT: &[&str] = &[
    "resource_group_name",
    "admin_username",
    "admin_password",
    "admin_ssh_key",
    "disable_password_authentication",
    "identity",
    "extension",
    "extensions_time_budget",
    "boot_diagnostics",
    "custom_data",
    "user_data",
    "tags",
    "secure_boot_enabled",
    "vtpm_enabled",
    "encryption_at_host_enabled",
    "provision_vm_agent",
    "health_probe_id",
    "do_not_run_extensions_on_overprovisioned_machines",
    "proximity_placement_group_id",
    "host_group_id",
    "lifecycle",
    "depends_on",
    "timeouts",
    "additional_capabilities",
    "plan",
    "secret",
    "certificate",
    "winrm_listener",
    "timezone",
    "enable_automatic_updates",
    "patch_mode",
    "patch_assessment_mode",
    "capacity_reservation_group_id",
    "edge_zone",
    "scale_in_policy",
    "provider",
    "count",
    "for_each",
];

/// Reads the scale sets and autoscale settings of a configuration, as REST-shaped resources.
///
/// # Errors
/// Text that is not HCL.
pub(super) fn resources(
    file: &str,
    text: &str,
    options: &Options,
    warnings: &mut Vec<String>,
) -> Result<(Vec<(Value, String)>, super::LoadBalancers), ImportError> {
    let body = hcl::parse(text).map_err(|e| {
        ImportError(format!(
            "{file}: not Terraform (HCL): {e}; accepted: .tf files with azurerm scale sets and autoscale settings"
        ))
    })?;
    let mut ctx = context();
    // Variables: their defaults, then --param.
    let mut vars = Map::new();
    for block in body.blocks().filter(|b| b.identifier() == "variable") {
        let Some(name) = block.labels().first().map(|l| l.as_str().to_owned()) else { continue };
        if let Some(given) = options.params.get(&name) {
            vars.insert(name, typed(given));
        } else if let Some(default) = block.body().attributes().find(|a| a.key() == "default") {
            vars.insert(name, eval(&default.expr, &ctx));
        }
    }
    ctx.declare_var("var", to_hcl(&Value::Object(vars)));
    // Locals: evaluated in passes, as those that need others become evaluable.
    let mut locals = Map::new();
    let defs: Vec<(String, hcl::Expression)> = body
        .blocks()
        .filter(|b| b.identifier() == "locals")
        .flat_map(|b| b.body().attributes().map(|a| (a.key().to_owned(), a.expr.clone())).collect::<Vec<_>>())
        .collect();
    for _ in 0..=defs.len() {
        let mut changed = false;
        for (name, expr) in &defs {
            let v = eval(expr, &ctx);
            if locals.get(name) != Some(&v) {
                locals.insert(name.clone(), v);
                changed = true;
            }
        }
        ctx.declare_var("local", to_hcl(&Value::Object(locals.clone())));
        if !changed {
            break;
        }
    }
    // The resources other resources refer to: name, location, an ID.
    let resources: Vec<&hcl::Block> = body.blocks().filter(|b| b.identifier() == "resource").collect();
    let mut by_type: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for block in &resources {
        let [kind, name] = block.labels() else { continue };
        let attr = |key: &str| block.body().attributes().find(|a| a.key() == key).map(|a| eval(&a.expr, &ctx));
        let resource_name = attr("name").unwrap_or(Value::Null);
        let mut fields = Map::new();
        fields.insert("name".into(), resource_name.clone());
        if let Some(location) = attr("location") {
            fields.insert("location".into(), location);
        }
        let provider_type = if VMSS_TYPES.contains(&kind.as_str()) {
            "Microsoft.Compute/virtualMachineScaleSets"
        } else if kind.as_str() == "azurerm_lb" {
            "Microsoft.Network/loadBalancers"
        } else {
            "unknown"
        };
        fields.insert(
            "id".into(),
            json!(format!(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/resourceGroup/providers/{provider_type}/{}",
                resource_name.as_str().unwrap_or(name.as_str())
            )),
        );
        by_type.entry(kind.as_str().to_owned()).or_default().insert(name.as_str().to_owned(), Value::Object(fields));
    }
    for (kind, objects) in &by_type {
        ctx.declare_var(kind.as_str(), to_hcl(&Value::Object(objects.clone())));
    }
    let balancers = load_balancers(&resources, &mut by_type, &mut ctx);
    let mut out = Vec::new();
    for block in resources {
        let [kind, name] = block.labels() else { continue };
        let (kind, name) = (kind.as_str(), name.as_str());
        let address = format!("{kind}.{name}");
        if VMSS_TYPES.contains(&kind) || kind == AUTOSCALE_TYPE {
            for key in ["count", "for_each"] {
                if block.body().attributes().any(|a| a.key() == key) {
                    warnings.push(format!("{file}: {address}.{key}: one instance of the resource is imported"));
                }
            }
            let body_json = body_to_json(block.body(), &ctx);
            let resource = if kind == AUTOSCALE_TYPE {
                autoscale(&body_json)
            } else {
                scale_set(kind, &body_json, &address, file, warnings)
            };
            out.push((strip_nulls(resource), address));
        }
    }
    Ok((out, balancers))
}

/// The load balancers of the configuration with the rules that name them
/// (`azurerm_lb_rule`, `azurerm_lb_outbound_rule`), keyed by name; and the IDs of their backend
/// pools made known to expressions, so a scale set's pool reference names its balancer.
fn load_balancers(
    resources: &[&hcl::Block],
    by_type: &mut BTreeMap<String, Map<String, Value>>,
    ctx: &mut Context<'static>,
) -> super::LoadBalancers {
    let attr = |block: &hcl::Block, key: &str, ctx: &Context<'_>| {
        block.body().attributes().find(|a| a.key() == key).map(|a| eval(&a.expr, ctx))
    };
    // Pool IDs: the balancer's ID and the pool's name.
    for block in
        resources.iter().filter(|b| b.labels().first().is_some_and(|l| l.as_str() == "azurerm_lb_backend_address_pool"))
    {
        let [_, label] = block.labels() else { continue };
        let lb_id = attr(block, "loadbalancer_id", ctx).and_then(|v| v.as_str().map(str::to_owned));
        let pool_name = attr(block, "name", ctx).and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        if let (Some(lb_id), Some(pools)) = (lb_id, by_type.get_mut("azurerm_lb_backend_address_pool"))
            && let Some(Value::Object(fields)) = pools.get_mut(label.as_str())
        {
            fields.insert("id".into(), json!(format!("{lb_id}/backendAddressPools/{pool_name}")));
        }
    }
    if let Some(pools) = by_type.get("azurerm_lb_backend_address_pool") {
        ctx.declare_var("azurerm_lb_backend_address_pool", to_hcl(&Value::Object(pools.clone())));
    }
    let mut out = super::LoadBalancers::new();
    for block in resources.iter().filter(|b| b.labels().first().is_some_and(|l| l.as_str() == "azurerm_lb")) {
        let [_, label] = block.labels() else { continue };
        let Some(name) = attr(block, "name", ctx).and_then(|v| v.as_str().map(str::to_owned)) else { continue };
        let id = by_type.get("azurerm_lb").and_then(|m| m.get(label.as_str())).and_then(|f| f.get("id")).cloned();
        let rules = resources
            .iter()
            .filter(|b| {
                b.labels()
                    .first()
                    .is_some_and(|l| l.as_str() == "azurerm_lb_rule" || l.as_str() == "azurerm_lb_outbound_rule")
            })
            .filter(|b| attr(b, "loadbalancer_id", ctx).is_some_and(|v| Some(&v) == id.as_ref()))
            .count();
        // azurerm's default is Basic, which is not billed.
        let sku =
            attr(block, "sku", ctx).and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_else(|| "Basic".to_owned());
        out.insert(
            name.to_ascii_lowercase(),
            super::Balancer {
                rules: u32::try_from(rules).unwrap_or(u32::MAX),
                standard: !sku.eq_ignore_ascii_case("basic"),
                path: format!("azurerm_lb.{}", label.as_str()),
            },
        );
    }
    out
}

/// A `--param` value: a number, a boolean or JSON when it reads as one, else text.
fn typed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

fn context() -> Context<'static> {
    fn lower(args: FuncArgs) -> Result<hcl::Value, String> {
        Ok(hcl::Value::from(args[0].as_str().unwrap_or_default().to_lowercase()))
    }
    fn upper(args: FuncArgs) -> Result<hcl::Value, String> {
        Ok(hcl::Value::from(args[0].as_str().unwrap_or_default().to_uppercase()))
    }
    fn format(args: FuncArgs) -> Result<hcl::Value, String> {
        let mut out = String::new();
        let pattern = args[0].as_str().unwrap_or_default().to_owned();
        let mut rest = args.iter().skip(1);
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%' {
                match chars.next() {
                    Some('%') => out.push('%'),
                    Some(_) => match rest.next() {
                        Some(hcl::Value::String(s)) => out.push_str(s),
                        Some(v) => out.push_str(&v.to_string()),
                        None => return Err("format(): too few arguments".to_owned()),
                    },
                    None => out.push('%'),
                }
            } else {
                out.push(c);
            }
        }
        Ok(hcl::Value::from(out))
    }
    fn join(args: FuncArgs) -> Result<hcl::Value, String> {
        let separator = args[0].as_str().unwrap_or_default().to_owned();
        let items = args[1].as_array().cloned().unwrap_or_default();
        Ok(hcl::Value::from(
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(&separator),
        ))
    }
    fn tostring(args: FuncArgs) -> Result<hcl::Value, String> {
        Ok(hcl::Value::from(args[0].as_str().map_or_else(|| args[0].to_string(), str::to_owned)))
    }
    fn tonumber(args: FuncArgs) -> Result<hcl::Value, String> {
        match &args[0] {
            hcl::Value::Number(n) => Ok(hcl::Value::Number(*n)),
            hcl::Value::String(s) => {
                s.trim().parse::<i64>().map(hcl::Value::from).map_err(|_| format!("tonumber(): '{s}' is not a number"))
            }
            other => Err(format!("tonumber(): {other}")),
        }
    }
    let mut ctx = Context::new();
    ctx.declare_func("lower", FuncDef::builder().param(ParamType::String).build(lower));
    ctx.declare_func("upper", FuncDef::builder().param(ParamType::String).build(upper));
    ctx.declare_func(
        "format",
        FuncDef::builder().param(ParamType::String).variadic_param(ParamType::Any).build(format),
    );
    ctx.declare_func("join", FuncDef::builder().param(ParamType::String).param(ParamType::Any).build(join));
    ctx.declare_func("tostring", FuncDef::builder().param(ParamType::Any).build(tostring));
    ctx.declare_func("tonumber", FuncDef::builder().param(ParamType::Any).build(tonumber));
    ctx
}

fn eval(expr: &hcl::Expression, ctx: &Context<'_>) -> Value {
    match expr.evaluate(ctx) {
        Ok(v) => serde_json::to_value(v).unwrap_or(Value::Null),
        Err(e) => Value::String(format!(
            "{MARK}{} (known only after terraform apply, or not evaluated by import)",
            one_line(&e.to_string())
        )),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn to_hcl(v: &Value) -> hcl::Value {
    hcl::to_value(v).unwrap_or(hcl::Value::Null)
}

/// A block's arguments and nested blocks as JSON (repeated blocks as arrays).
fn body_to_json(body: &hcl::Body, ctx: &Context<'_>) -> Map<String, Value> {
    let mut out = Map::new();
    for attribute in body.attributes() {
        out.insert(attribute.key().to_owned(), eval(&attribute.expr, ctx));
    }
    for block in body.blocks() {
        let entry = out.entry(block.identifier().to_owned()).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = entry {
            items.push(Value::Object(body_to_json(block.body(), ctx)));
        }
    }
    out
}

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null() && v.as_object().is_none_or(|o| !o.is_empty()))
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// The first block of a kind.
fn first<'a>(b: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    b.get(key).and_then(Value::as_array).and_then(|a| a.first()).and_then(Value::as_object)
}

fn get(b: &Map<String, Value>, key: &str) -> Value {
    b.get(key).cloned().unwrap_or(Value::Null)
}

fn scale_set(kind: &str, b: &Map<String, Value>, address: &str, file: &str, warnings: &mut Vec<String>) -> Value {
    let flexible = kind == "azurerm_orchestrated_virtual_machine_scale_set";
    let os_profile = first(b, "os_profile");
    let windows = kind == "azurerm_windows_virtual_machine_scale_set"
        || os_profile.is_some_and(|p| p.contains_key("windows_configuration"));
    let os_config =
        os_profile.and_then(|p| first(p, if windows { "windows_configuration" } else { "linux_configuration" }));
    let prefix = os_config.map_or_else(|| get(b, "computer_name_prefix"), |c| get(c, "computer_name_prefix"));
    let rolling = first(b, "rolling_upgrade_policy").map(|r| {
        json!({
            "maxBatchInstancePercent": get(r, "max_batch_instance_percent"),
            "maxUnhealthyInstancePercent": get(r, "max_unhealthy_instance_percent"),
            "maxUnhealthyUpgradedInstancePercent": get(r, "max_unhealthy_upgraded_instance_percent"),
            "pauseTimeBetweenBatches": get(r, "pause_time_between_batches"),
            "prioritizeUnhealthyInstances": get(r, "prioritize_unhealthy_instances_enabled"),
            "maxSurge": get(r, "maximum_surge_instances_enabled"),
            "enableCrossZoneUpgrade": get(r, "cross_zone_upgrades_enabled"),
        })
    });
    let scale_in = first(b, "scale_in")
        .map(|s| json!({ "rules": [get(s, "rule")], "forceDeletion": get(s, "force_deletion_enabled") }));
    let repairs = first(b, "automatic_instance_repair")
        .map(|r| json!({ "enabled": get(r, "enabled"), "gracePeriod": get(r, "grace_period"), "repairAction": get(r, "action") }));
    let os_disk = first(b, "os_disk").map(|d| {
        json!({
            "osType": if windows { "Windows" } else { "Linux" },
            "diskSizeGB": get(d, "disk_size_gb"),
            "managedDisk": { "storageAccountType": get(d, "storage_account_type") },
        })
    });
    let image = first(b, "source_image_reference")
        .map(|i| json!({ "publisher": get(i, "publisher"), "offer": get(i, "offer"), "sku": get(i, "sku"), "version": get(i, "version") }))
        .or_else(|| b.get("source_image_id").map(|id| json!({ "id": id })));
    let nics: Vec<Value> = b
        .get("network_interface")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|nic| {
            let configs: Vec<Value> = nic
                .get("ip_configuration")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .map(|ip| {
                    let pools: Vec<Value> = ip
                        .get("load_balancer_backend_address_pool_ids")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|id| json!({ "id": id }))
                        .collect();
                    json!({ "name": get(ip, "name"), "properties": {
                        "loadBalancerBackendAddressPools": pools,
                        "publicIPAddressConfiguration": first(ip, "public_ip_address").map(|p| json!({ "name": get(p, "name") })),
                    } })
                })
                .collect();
            json!({ "name": get(nic, "name"), "properties": { "ipConfigurations": configs } })
        })
        .collect();
    let data_disks: Vec<Value> = b
        .get("data_disk")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|d| json!({ "diskSizeGB": get(d, "disk_size_gb"), "managedDisk": { "storageAccountType": get(d, "storage_account_type") } }))
        .collect();
    let mix = first(b, "priority_mix").map(|m| {
        json!({ "baseRegularPriorityCount": get(m, "base_regular_count"), "regularPriorityPercentageAboveBase": get(m, "regular_percentage_above_base") })
    });
    let mapped = [
        "name",
        "location",
        "sku",
        "sku_name",
        "instances",
        "zones",
        "zone_balance",
        "platform_fault_domain_count",
        "single_placement_group",
        "overprovision",
        "computer_name_prefix",
        "upgrade_mode",
        "rolling_upgrade_policy",
        "scale_in",
        "automatic_instance_repair",
        "os_disk",
        "source_image_reference",
        "source_image_id",
        "network_interface",
        "priority",
        "eviction_policy",
        "max_bid_price",
        "priority_mix",
        "license_type",
        "os_profile",
        "data_disk",
        "spot_restore",
        "automatic_os_upgrade_policy",
        "termination_notification",
    ];
    let mut dropped = Vec::new();
    for key in b.keys() {
        if mapped.contains(&key.as_str()) {
            continue;
        }
        if NO_EFFECT.contains(&key.as_str()) {
            dropped.push(key.clone());
        } else {
            warnings.push(format!("{file}: {address}.{key}: not imported (no equivalent in the definition)"));
        }
    }
    for (key, what) in [
        ("spot_restore", "Spot restore (re-creating evicted VMs) is not modelled"),
        ("automatic_os_upgrade_policy", "automatic OS image upgrades are not modelled"),
    ] {
        if b.contains_key(key) {
            warnings.push(format!("{file}: {address}.{key}: {what}"));
        }
    }
    let mut tags = b.get("tags").cloned().unwrap_or(Value::Null);
    if let Value::Object(map) = &mut tags {
        map.retain(|k, _| k.starts_with("scaleset-"));
    }
    json!({
        "type": "Microsoft.Compute/virtualMachineScaleSets",
        "name": get(b, "name"),
        "location": get(b, "location"),
        "zones": get(b, "zones"),
        "tags": tags,
        "sku": { "name": if flexible { get(b, "sku_name") } else { get(b, "sku") }, "capacity": get(b, "instances") },
        "terraformDropped": dropped,
        "properties": {
            "orchestrationMode": if flexible { "Flexible" } else { "Uniform" },
            "zoneBalance": get(b, "zone_balance"),
            "platformFaultDomainCount": get(b, "platform_fault_domain_count"),
            "singlePlacementGroup": get(b, "single_placement_group"),
            "overprovision": get(b, "overprovision"),
            "upgradePolicy": b.get("upgrade_mode").map(|mode| json!({ "mode": mode, "rollingUpgradePolicy": rolling })),
            "scaleInPolicy": scale_in,
            "automaticRepairsPolicy": repairs,
            "priorityMixPolicy": mix,
            "virtualMachineProfile": {
                "osProfile": os_profile_json(windows, prefix),
                "storageProfile": { "imageReference": image, "osDisk": os_disk, "dataDisks": data_disks },
                "networkProfile": if nics.is_empty() { Value::Null } else { json!({ "networkInterfaceConfigurations": nics }) },
                "priority": get(b, "priority"),
                "evictionPolicy": get(b, "eviction_policy"),
                "billingProfile": b.get("max_bid_price").map(|p| json!({ "maxPrice": p })),
                "licenseType": get(b, "license_type"),
            }
        }
    })
}

fn os_profile_json(windows: bool, prefix: Value) -> Value {
    let mut profile = json!({ "computerNamePrefix": prefix });
    profile[if windows { "windowsConfiguration" } else { "linuxConfiguration" }] = json!({});
    profile
}

fn autoscale(b: &Map<String, Value>) -> Value {
    let profiles: Vec<Value> = b
        .get("profile")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|p| {
            let capacity = first(p, "capacity").cloned().unwrap_or_default();
            let rules: Vec<Value> = p
                .get("rule")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .map(|r| {
                    let t = first(r, "metric_trigger").cloned().unwrap_or_default();
                    let a = first(r, "scale_action").cloned().unwrap_or_default();
                    json!({
                        "metricTrigger": {
                            "metricName": get(&t, "metric_name"), "metricResourceUri": get(&t, "metric_resource_id"),
                            "timeGrain": get(&t, "time_grain"), "statistic": get(&t, "statistic"),
                            "timeWindow": get(&t, "time_window"), "timeAggregation": get(&t, "time_aggregation"),
                            "operator": get(&t, "operator"), "threshold": get(&t, "threshold"),
                            "dividePerInstance": get(&t, "divide_by_instance_count"),
                            "metricNamespace": get(&t, "metric_namespace"),
                            "dimensions": t.get("dimensions").cloned().unwrap_or(Value::Null),
                        },
                        "scaleAction": { "direction": get(&a, "direction"), "type": get(&a, "type"),
                            "value": get(&a, "value"), "cooldown": get(&a, "cooldown") },
                    })
                })
                .collect();
            json!({
                "name": get(p, "name"),
                "capacity": { "minimum": get(&capacity, "minimum"), "maximum": get(&capacity, "maximum"), "default": get(&capacity, "default") },
                "rules": rules,
                "recurrence": first(p, "recurrence").map(|r| json!({ "frequency": "Week", "schedule": {
                    "timeZone": get(r, "timezone"), "days": get(r, "days"), "hours": get(r, "hours"), "minutes": get(r, "minutes") } })),
                "fixedDate": first(p, "fixed_date").map(|f| json!({ "timeZone": get(f, "timezone"), "start": get(f, "start"), "end": get(f, "end") })),
            })
        })
        .collect();
    json!({
        "type": "Microsoft.Insights/autoscaleSettings",
        "properties": {
            "enabled": b.get("enabled").cloned().unwrap_or(json!(true)),
            "targetResourceUri": get(b, "target_resource_id"),
            "profiles": profiles,
            "notifications": b.get("notification").cloned(),
            "predictiveAutoscalePolicy": b.get("predictive").cloned(),
        }
    })
}
