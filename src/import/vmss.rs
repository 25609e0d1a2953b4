//! A `Microsoft.Compute/virtualMachineScaleSets` resource, in the REST shape (settings under
//! `properties`) or the flattened shape `az vmss show` prints, mapped to a scale set of the
//! definition.

use serde_json::{Value, json};

use super::{Entry, ImportError, Options, Set, fill, join};

/// Settings with no effect on simulation or cost: dropped, listed once in the output.
const NO_EFFECT: &[&str] = &[
    "id",
    "type",
    "etag",
    "tags",
    "identity",
    "plan",
    "resourceGroup",
    "provisioningState",
    "uniqueId",
    "timeCreated",
    "additionalCapabilities",
    "doNotRunExtensionsOnOverprovisionedVMs",
    "proximityPlacementGroup",
    "hostGroup",
    "constrainedMaximumCapacity",
    "scheduledEventsPolicy",
    "resiliencyPolicy",
    "extendedLocation",
    "managedBy",
];
const NO_EFFECT_PROFILE: &[&str] = &[
    "extensionProfile",
    "diagnosticsProfile",
    "securityProfile",
    "scheduledEventsProfile",
    "userData",
    "capacityReservation",
    "applicationProfile",
    "hardwareProfile",
    "serviceArtifactReference",
    "securityPostureReference",
    "timeCreated",
];

/// The tiers of managed disks by size: Azure bills a disk at the smallest tier that holds it.
const TIER_SIZES: &[(u64, u32)] =
    &[(4, 1), (8, 2), (16, 3), (32, 4), (64, 6), (128, 10), (256, 15), (512, 20), (1024, 30), (2048, 40), (4096, 50)];

/// Reads one scale set.
///
/// # Errors
/// No usable name, size or region; a placeholder without `--param`.
pub(super) fn read(
    file: &str,
    resource: &Value,
    path: &str,
    options: &Options,
    balancers: &super::LoadBalancers,
    warnings: &mut Vec<String>,
) -> Result<Set, ImportError> {
    let flat = resource.get("properties").is_none();
    let props_path = if flat { path.to_owned() } else { join(path, "properties") };
    let props = resource.get("properties").unwrap_or(resource);
    let profile_path = join(&props_path, "virtualMachineProfile");
    let profile = props.get("virtualMachineProfile").cloned().unwrap_or(Value::Null);
    let mut entries = Vec::new();
    let mut dropped = Vec::new();
    let short = super::short(file);
    let at = |p: &str| format!("{short} {p}");
    let mut put =
        |key: &'static str, value: Value, source: &str| entries.push(Entry { key, value, source: at(source) });

    let name_path = join(path, "name");
    let name = resource
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ImportError(format!("{file}: {name_path} is missing; a scale set needs a name")))?;
    let name = fill(name, file, &name_path, options)?;
    put("name", json!(name), &name_path);

    let location_path = join(path, "location");
    match resource.get("location").and_then(Value::as_str) {
        Some(location) => {
            let filled = fill(location, file, &location_path, options)?;
            // "East US" as the portal writes it is eastus; a value left unresolved stays as it is.
            let region = if filled.starts_with(super::arm::MARK) {
                filled
            } else {
                filled.to_ascii_lowercase().replace(' ', "")
            };
            put("region", json!(region), &location_path);
        }
        None => match &options.location {
            Some(location) => put("region", json!(location), "--location"),
            None => {
                return Err(ImportError(format!(
                    "{file}: {location_path} is missing: give the region with --location (eastus, westeurope, ...)"
                )));
            }
        },
    }

    let sku_path = join(path, "sku");
    let sku = resource.get("sku").cloned().unwrap_or(Value::Null);
    let Some(size) = sku.get("name").and_then(Value::as_str) else {
        return Err(ImportError(format!("{file}: {sku_path}.name is missing; a scale set needs a VM size")));
    };
    put("sku", json!(size), &join(&sku_path, "name"));
    if let Some(capacity) = sku.get("capacity").and_then(as_int) {
        put("capacity", json!(capacity), &join(&sku_path, "capacity"));
    }

    // The OS: said by the OS disk, else by the OS profile, else by the image's publisher.
    let storage = profile.get("storageProfile").cloned().unwrap_or(Value::Null);
    let storage_path = join(&profile_path, "storageProfile");
    let os_disk = storage.get("osDisk").cloned().unwrap_or(Value::Null);
    let image = storage.get("imageReference").cloned().unwrap_or(Value::Null);
    let os = if let Some(t) = os_disk.get("osType").and_then(Value::as_str) {
        Some((t.to_ascii_lowercase(), join(&storage_path, "osDisk.osType")))
    } else if profile.pointer("/osProfile/windowsConfiguration").is_some() {
        Some(("windows".to_owned(), join(&profile_path, "osProfile.windowsConfiguration")))
    } else if profile.pointer("/osProfile/linuxConfiguration").is_some() {
        Some(("linux".to_owned(), join(&profile_path, "osProfile.linuxConfiguration")))
    } else {
        image.get("publisher").and_then(Value::as_str).map(|p| {
            let os = if p.to_ascii_lowercase().contains("windows") { "windows" } else { "linux" };
            (os.to_owned(), join(&storage_path, "imageReference.publisher"))
        })
    };
    let windows = os.as_ref().is_some_and(|(o, _)| o == "windows");
    match os {
        Some((os, source)) => put("os", json!(os), &source),
        None => warnings.push(format!("{file}: {profile_path}: the OS is not said; linux assumed (set os: windows)")),
    }
    if let Some(id) = image.get("id").and_then(Value::as_str) {
        put("image", json!(id), &join(&storage_path, "imageReference.id"));
    } else if let (Some(p), Some(o), Some(s)) = (
        image.get("publisher").and_then(Value::as_str),
        image.get("offer").and_then(Value::as_str),
        image.get("sku").and_then(Value::as_str),
    ) {
        let version = image.get("version").and_then(Value::as_str).unwrap_or("latest");
        put("image", json!(format!("{p}:{o}:{s}:{version}")), &join(&storage_path, "imageReference"));
    }

    // Uniform when ARM leaves it out: always explicit here.
    match props.get("orchestrationMode").and_then(Value::as_str) {
        Some(mode) => put("orchestrationMode", json!(mode), &join(&props_path, "orchestrationMode")),
        None => put(
            "orchestrationMode",
            json!("Uniform"),
            &format!("{} (absent: Azure's default)", join(&props_path, "orchestrationMode")),
        ),
    }
    if let Some(zones) = resource.get("zones").and_then(Value::as_array).filter(|z| !z.is_empty()) {
        put("zones", Value::Array(zones.clone()), &join(path, "zones"));
    }
    for (from, key) in [
        ("zoneBalance", "zoneBalance"),
        ("singlePlacementGroup", "singlePlacementGroup"),
        ("overprovision", "overprovision"),
    ] {
        if let Some(v) = props.get(from).and_then(Value::as_bool) {
            put(key, json!(v), &join(&props_path, from));
        }
    }
    if let Some(v) = props.get("platformFaultDomainCount").and_then(as_int) {
        put("platformFaultDomainCount", json!(v), &join(&props_path, "platformFaultDomainCount"));
    }
    if let Some(prefix) = profile.pointer("/osProfile/computerNamePrefix").and_then(Value::as_str) {
        let source = join(&profile_path, "osProfile.computerNamePrefix");
        put("computerNamePrefix", json!(fill(prefix, file, &source, options)?), &source);
    }
    if let Some(policy) = props.get("scaleInPolicy") {
        let mut out = serde_json::Map::new();
        if let Some(rules) = policy.get("rules") {
            out.insert("rules".into(), rules.clone());
        }
        if let Some(force) = policy.get("forceDeletion") {
            out.insert("forceDeletion".into(), force.clone());
        }
        put("scaleInPolicy", Value::Object(out), &join(&props_path, "scaleInPolicy"));
    }
    if let Some(policy) = props.get("upgradePolicy") {
        let mut out = serde_json::Map::new();
        if let Some(mode) = policy.get("mode") {
            out.insert("mode".into(), mode.clone());
        }
        if let Some(rolling) = policy.get("rollingUpgradePolicy").and_then(Value::as_object) {
            let known = [
                "maxBatchInstancePercent",
                "maxUnhealthyInstancePercent",
                "maxUnhealthyUpgradedInstancePercent",
                "pauseTimeBetweenBatches",
                "prioritizeUnhealthyInstances",
                "maxSurge",
                "enableCrossZoneUpgrade",
            ];
            let kept: serde_json::Map<String, Value> = rolling
                .iter()
                .filter(|(k, _)| known.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for k in rolling.keys().filter(|k| !known.contains(&k.as_str())) {
                dropped.push(join(&props_path, &format!("upgradePolicy.rollingUpgradePolicy.{k}")));
            }
            out.insert("rollingUpgradePolicy".into(), Value::Object(kept));
        }
        if policy.get("automaticOSUpgradePolicy").is_some() {
            warnings.push(format!(
                "{file}: {}: automatic OS image upgrades are not modelled; upgrades here follow `upgrade` and the policy's mode",
                join(&props_path, "upgradePolicy.automaticOSUpgradePolicy")
            ));
        }
        put("upgradePolicy", Value::Object(out), &join(&props_path, "upgradePolicy"));
    }
    if let Some(priority) = profile.get("priority").and_then(Value::as_str) {
        put("priority", json!(priority), &join(&profile_path, "priority"));
    }
    if let Some(policy) = profile.get("evictionPolicy").and_then(Value::as_str) {
        put("evictionPolicy", json!(policy), &join(&profile_path, "evictionPolicy"));
    }
    if let Some(max) = profile.pointer("/billingProfile/maxPrice").filter(|v| !v.is_null()) {
        put("maxPrice", max.clone(), &join(&profile_path, "billingProfile.maxPrice"));
    }
    if let Some(mix) = props.get("priorityMixPolicy") {
        put("priorityMix", mix.clone(), &join(&props_path, "priorityMixPolicy"));
    }
    if props.get("spotRestorePolicy").is_some() {
        warnings.push(format!(
            "{file}: {}: Spot restore (re-creating evicted VMs) is not modelled",
            join(&props_path, "spotRestorePolicy")
        ));
    }
    if let Some(tier) = disk_tier(&os_disk, windows) {
        put("osDisk", json!({ "tier": tier.0 }), &format!("{} ({})", join(&storage_path, "osDisk"), tier.1));
    }
    if let Some(disks) = storage.get("dataDisks").and_then(Value::as_array).filter(|d| !d.is_empty()) {
        let disks_path = join(&storage_path, "dataDisks");
        let mut tiers: Vec<(String, u32)> = Vec::new();
        for (i, disk) in disks.iter().enumerate() {
            let kind = disk.pointer("/managedDisk/storageAccountType").and_then(Value::as_str);
            let size = disk.get("diskSizeGB").and_then(as_int).and_then(|s| u64::try_from(s).ok());
            let (Some(kind), Some(size)) = (kind, size) else {
                warnings.push(format!(
                    "{file}: {disks_path}[{i}]: a data disk without managedDisk.storageAccountType and diskSizeGB \
                     cannot be priced: left out (add it to dataDisks by hand)"
                ));
                continue;
            };
            match tier_of(kind, size) {
                Some(tier) => match tiers.iter_mut().find(|(t, _)| *t == tier) {
                    Some((_, n)) => *n += 1,
                    None => tiers.push((tier, 1)),
                },
                None => warnings.push(format!(
                    "{file}: {disks_path}[{i}]: storage type {kind} is not priced here (Premium_LRS, StandardSSD_LRS, \
                     Standard_LRS are): left out"
                )),
            }
        }
        if !tiers.is_empty() {
            let value: Vec<Value> = tiers.iter().map(|(tier, count)| json!({ "tier": tier, "count": count })).collect();
            put("dataDisks", Value::Array(value), &disks_path);
        }
    }
    if let Some(license) = profile.get("licenseType").and_then(Value::as_str)
        && (license.eq_ignore_ascii_case("Windows_Server") || license.eq_ignore_ascii_case("Windows_Client"))
    {
        put("hybridBenefit", json!(true), &join(&profile_path, "licenseType"));
    }
    if let Some(repairs) = props.get("automaticRepairsPolicy") {
        let mut out = serde_json::Map::new();
        for k in ["enabled", "gracePeriod", "repairAction"] {
            if let Some(v) = repairs.get(k) {
                out.insert(k.into(), v.clone());
            }
        }
        put("automaticRepairs", Value::Object(out), &join(&props_path, "automaticRepairsPolicy"));
    }
    // What `export` keeps of the simulation in tags.
    if let Some(time) = resource.pointer("/tags/scaleset-provisioningTime").and_then(Value::as_str) {
        put("provisioningTime", json!(time), &join(path, "tags.scaleset-provisioningTime"));
    }
    let lb_tag = resource.pointer("/tags/scaleset-loadBalancer").and_then(Value::as_str);
    if let Some(lb) = lb_tag {
        let mut out = serde_json::Map::new();
        for pair in lb.split(',') {
            if let Some((k, v)) = pair.split_once('=')
                && let (key @ ("rules" | "dataProcessedGb"), Ok(n)) = (k.trim(), v.trim().parse::<i64>())
            {
                out.insert(key.to_owned(), json!(n));
            }
        }
        put("loadBalancer", Value::Object(out), &join(path, "tags.scaleset-loadBalancer"));
    }
    let ip_tag = resource.pointer("/tags/scaleset-publicIps").and_then(as_int);
    if let Some(ips) = ip_tag {
        put("publicIps", json!(ips), &join(path, "tags.scaleset-publicIps"));
    }
    network(file, &profile, &profile_path, lb_tag.is_some(), balancers, &mut put, warnings);

    // Everything else: dropped (no effect) or said (an effect without a place here).
    let mapped_top = ["name", "location", "sku", "zones", "properties"];
    let mapped_props = [
        "virtualMachineProfile",
        "orchestrationMode",
        "zoneBalance",
        "singlePlacementGroup",
        "overprovision",
        "platformFaultDomainCount",
        "scaleInPolicy",
        "upgradePolicy",
        "priorityMixPolicy",
        "spotRestorePolicy",
        "automaticRepairsPolicy",
    ];
    let mapped_profile = [
        "storageProfile",
        "osProfile",
        "networkProfile",
        "priority",
        "evictionPolicy",
        "billingProfile",
        "licenseType",
    ];
    let mut unknown = |key: &str, at_path: String, no_effect: &[&str]| {
        if no_effect.contains(&key) {
            dropped.push(at_path);
        } else {
            warnings.push(format!("{file}: {at_path}: not imported (no equivalent in the definition)"));
        }
    };
    if let Some(map) = resource.as_object() {
        for key in map.keys() {
            let mapped = mapped_top.contains(&key.as_str()) || (flat && mapped_props.contains(&key.as_str()));
            if !mapped {
                unknown(key, join(path, key), NO_EFFECT);
            }
        }
    }
    if !flat && let Some(map) = props.as_object() {
        for key in map.keys().filter(|k| !mapped_props.contains(&k.as_str())) {
            unknown(key, join(&props_path, key), NO_EFFECT);
        }
    }
    if let Some(map) = profile.as_object() {
        for key in map.keys().filter(|k| !mapped_profile.contains(&k.as_str())) {
            unknown(key, join(&profile_path, key), NO_EFFECT_PROFILE);
        }
    }
    dropped.push(format!("{} (except computerNamePrefix)", join(&profile_path, "osProfile")));

    let id = resource.get("id").and_then(Value::as_str).map(str::to_owned);
    let dropped = dropped.into_iter().map(|d| format!("{short} {d}")).collect();
    Ok(Set { name, id, entries, dropped })
}

/// Load balancer and public IPs, from the NIC configurations (the load balancer only when a
/// `scaleset-loadBalancer` tag has not said it already).
fn network(
    file: &str,
    profile: &Value,
    profile_path: &str,
    lb_known: bool,
    balancers: &super::LoadBalancers,
    put: &mut impl FnMut(&'static str, Value, &str),
    warnings: &mut Vec<String>,
) {
    let nics_path = join(profile_path, "networkProfile.networkInterfaceConfigurations");
    let Some(nics) = profile.pointer("/networkProfile/networkInterfaceConfigurations").and_then(Value::as_array) else {
        return;
    };
    let mut pools = 0;
    let mut referenced: Option<String> = None;
    let mut public_ip = None;
    for (n, nic) in nics.iter().enumerate() {
        let configs = nic.pointer("/properties/ipConfigurations").or_else(|| nic.get("ipConfigurations"));
        for (c, config) in configs.and_then(Value::as_array).into_iter().flatten().enumerate() {
            let body = config.get("properties").unwrap_or(config);
            for pool in body.get("loadBalancerBackendAddressPools").and_then(Value::as_array).into_iter().flatten() {
                pools += 1;
                // .../loadBalancers/NAME/backendAddressPools/POOL names the balancer.
                let id = pool.get("id").and_then(Value::as_str).unwrap_or_default();
                let parts: Vec<&str> = id.split('/').collect();
                if let Some(at) = parts.iter().position(|p| p.eq_ignore_ascii_case("loadBalancers")) {
                    referenced.get_or_insert_with(|| parts.get(at + 1).unwrap_or(&"").to_ascii_lowercase());
                }
            }
            if body.get("publicIPAddressConfiguration").is_some() {
                public_ip.get_or_insert(format!("{nics_path}[{n}].ipConfigurations[{c}].publicIPAddressConfiguration"));
            }
        }
    }
    if pools > 0 && !lb_known {
        let named = referenced.as_ref().and_then(|name| balancers.get(name));
        // The pool's ID known only when deploying (reference()), and one load balancer in the
        // files: that one, said.
        let only = (named.is_none() && balancers.len() == 1).then(|| balancers.values().next()).flatten();
        if let Some(lb) = only {
            warnings.push(format!(
                "{file}: {nics_path}: the backend pool's load balancer is known only when deploying; the files \
                 define one, at {}: its {} rule(s) are used",
                lb.path, lb.rules
            ));
        }
        match named.or(only) {
            Some(lb) if lb.standard => {
                put("loadBalancer", json!({ "rules": lb.rules }), &format!("{}: {} rule(s)", lb.path, lb.rules));
            }
            Some(lb) => warnings.push(format!(
                "{file}: {}: a Basic load balancer, which is not billed: no loadBalancer in the definition",
                lb.path
            )),
            None => {
                put("loadBalancer", json!({ "rules": 1 }), &format!("{nics_path}: {pools} backend pool(s)"));
                warnings.push(format!(
                    "{file}: {nics_path}: a load balancer's backend pool is referenced; its rule count is not in the \
                     files given: loadBalancer.rules is set to 1 (set it to the LB's number of rules)"
                ));
            }
        }
    }
    if let Some(source) = public_ip {
        put("publicIpPerVm", json!(true), &source);
    }
}

/// The tier of the OS disk: storage type and size, at Azure's rounding (the smallest tier that
/// holds it); the image's default size when none is given (30 GiB Linux, 127 GiB Windows).
fn disk_tier(os_disk: &Value, windows: bool) -> Option<(String, String)> {
    let kind = os_disk.pointer("/managedDisk/storageAccountType").and_then(Value::as_str)?;
    let given = os_disk.get("diskSizeGB").and_then(as_int).and_then(|s| u64::try_from(s).ok());
    let size = given.unwrap_or(if windows { 127 } else { 30 });
    let why = match given {
        Some(s) => format!("{kind}, {s} GiB"),
        None => format!("{kind}, the image's default {size} GiB"),
    };
    Some((tier_of(kind, size)?, why))
}

/// The tier of a managed disk of `size` GiB: the smallest that holds it.
fn tier_of(kind: &str, size: u64) -> Option<String> {
    let letter = match kind.to_ascii_lowercase().as_str() {
        "premium_lrs" | "premium_zrs" => "P",
        "standardssd_lrs" | "standardssd_zrs" => "E",
        "standard_lrs" => "S",
        _ => return None,
    };
    let number = TIER_SIZES.iter().find(|(gib, _)| *gib >= size).map_or(50, |(_, n)| *n);
    // Standard HDD has no tiers below S4.
    let number = if letter == "S" { number.max(4) } else { number };
    Some(format!("{letter}{number}"))
}

/// An integer written as a number or a string (Azure writes capacities both ways).
pub(super) fn as_int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}
