//! Validation of a set's own keys: names, sizes and regions, orchestration limits, zones and
//! fault domains, policies, Spot and priority mix, repairs; and its prices.

#[allow(clippy::wildcard_imports)] // the parent's imports and helpers, shared by every part
use super::*;

#[allow(clippy::too_many_lines)] // one linear pass over the fields reads best as one function
pub(super) fn validate_set(
    raw: &RawScaleSet,
    index: usize,
    catalog: &Catalog,
    problems: &mut Vec<Problem>,
) -> Option<SetDefinition> {
    let before = problems.len();
    let mut c = Checker { set: raw.name.clone(), index, problems, notes: Vec::new() };

    if let Err(e) = names::check_set_name(&raw.name) {
        c.problem("name", e.to_string());
    }

    let mode = raw.orchestration_mode.unwrap_or(OrchestrationMode::Flexible);
    let uniform = mode == OrchestrationMode::Uniform;
    let os = raw.os.unwrap_or(OsType::Linux);

    // Region and size must be known to the catalog. Azure matches both without regard to case,
    // and users write regions by their display names ("West Europe"): read those as the ARM
    // name, with a note, and suggest the nearest names for the rest.
    let mut notes = Vec::new();
    let mut read = |field: &str, what: &str, written: &str, found: Option<String>, known: Vec<&str>| -> String {
        match found {
            Some(name) => {
                if name != written {
                    notes.push(format!("scale set '{}': {what} '{written}' read as '{name}'", raw.name));
                }
                name
            }
            None => {
                let near = suggest::nearest(written, known);
                c.problem(field, format!("unknown {what} '{written}'{}", suggest::phrase_after(&near)));
                written.to_owned()
            }
        }
    };
    let region = read(
        "region",
        "region",
        &raw.region,
        canonical(&raw.region, catalog.regions(), true),
        catalog.regions().collect(),
    );
    // A size known only from an imported price row has no hardware figures, and is fine.
    let sku_found = if catalog.knows_size(&raw.sku) {
        Some(raw.sku.clone())
    } else {
        canonical(&raw.sku, catalog.size_names(), false).filter(|s| catalog.knows_size(s))
    };
    let sku = read("sku", "VM size", &raw.sku, sku_found, catalog.size_names().collect());

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

    // Azure attaches up to 64 data disks to the largest sizes; each tier is priced like the OS disk.
    let mut data_disks: Vec<DataDisks> = Vec::new();
    for (i, d) in raw.data_disks.iter().flatten().enumerate() {
        let field = format!("dataDisks[{i}]");
        if !catalog.knows_disk_tier(&d.tier) {
            let near = suggest::nearest(&d.tier, catalog.disk_tiers());
            c.problem(
                format!("{field}.tier"),
                format!("unknown managed disk tier '{}'{}", d.tier, suggest::phrase_after(&near)),
            );
        }
        let count = d.count.unwrap_or(1);
        if !(1..=64).contains(&count) {
            c.problem(format!("{field}.count"), format!("{count} is out of range (accepted: 1 to 64 disks per VM)"));
        }
        let count = u32::try_from(count.clamp(1, 64)).unwrap_or(1);
        match data_disks.iter_mut().find(|e| e.tier == d.tier) {
            Some(e) => e.count += count,
            None => data_disks.push(DataDisks { tier: d.tier.clone(), count }),
        }
    }
    if data_disks.iter().map(|d| d.count).sum::<u32>() > 64 {
        c.problem("dataDisks", "more than 64 data disks per VM (the most Azure attaches)");
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

    let max_price = raw.max_price.and_then(|m| m.0);
    if raw.max_price.is_some() && priority != Priority::Spot {
        c.problem("maxPrice", "applies to Spot VMs only (priority: Spot)");
    }
    let model = VmModel { sku, os, image, os_disk_tier, priority, hybrid_benefit, max_price, data_disks };

    let (load_balancer, public_ips) = validate_network(raw, &mut c);

    // Only price a model whose size, region and disk are known; otherwise the problems above
    // already say what is wrong.
    if c.problems.len() == before {
        check_prices(&model, &region, priority_mix.is_some(), catalog, &mut c);
    }

    if c.problems.len() > before {
        return None;
    }
    notes.append(&mut c.notes);
    Some(SetDefinition {
        notes,
        capacity,
        config: ScaleSetConfig {
            name: raw.name.clone(),
            region,
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
            public_ip_per_vm: raw.public_ip_per_vm.unwrap_or(false),
        },
    })
}

/// Azure's default OS disk: 30 GiB for Linux images (billed as P4), 127 GiB for Windows (P10).
#[must_use]
pub fn default_disk_tier(os: OsType) -> &'static str {
    match os {
        OsType::Linux => "P4",
        OsType::Windows => "P10",
    }
}

pub(super) fn check_prices(model: &VmModel, region: &str, mixed: bool, catalog: &Catalog, c: &mut Checker<'_>) {
    // Hybrid Benefit bills Windows at the Linux rate.
    let os = if model.os == OsType::Windows && !model.hybrid_benefit { Os::Windows } else { Os::Linux };
    let spot = model.priority == Priority::Spot;
    match catalog.vm_hourly_sourced(&model.sku, region, os, spot).map(|(price, _)| price) {
        // Azure does not allocate a Spot VM whose maxPrice is below the current Spot price.
        Ok(price) if spot && model.max_price.is_some_and(|max| max < price) => c.problem(
            "maxPrice",
            format!(
                "{} an hour is below the current Spot price {price} of {} in {region}: Azure would not allocate the VMs \
                 (accepted: -1, or at least {price})",
                model.max_price.unwrap_or(price),
                model.sku
            ),
        ),
        Ok(_) => {}
        // No Spot price known: billed at maxPrice, or at the regular price for -1, labelled "at most".
        Err(_) if spot && model.max_price.is_some() => {}
        Err(_) if spot => {
            if let Err(e) = catalog.vm_hourly_sourced(&model.sku, region, os, false) {
                c.problem("priority", e.to_string());
            }
        }
        Err(e) => c.problem("sku", e.to_string()),
    }
    // A priority mix keeps some VMs Regular: that price must exist too.
    if mixed && let Err(e) = catalog.vm_hourly(&model.sku, region, os, false) {
        c.problem("priorityMix", e.to_string());
    }
    if let Err(e) = catalog.disk_monthly_sourced(&model.os_disk_tier, region) {
        c.problem("osDisk.tier", e.to_string());
    }
    for (i, d) in model.data_disks.iter().enumerate() {
        if let Err(e) = catalog.disk_monthly_sourced(&d.tier, region) {
            c.problem(format!("dataDisks[{i}].tier"), e.to_string());
        }
    }
}

/// The catalog's spelling of `written`: exact, else without regard to case (and, for regions,
/// to spaces: "West Europe" is westeurope).
fn canonical<'a>(written: &str, known: impl Iterator<Item = &'a str>, squeeze_spaces: bool) -> Option<String> {
    let wanted: String = if squeeze_spaces { written.split_whitespace().collect() } else { written.trim().to_owned() };
    let mut found = None;
    for k in known {
        if k == written {
            return Some(k.to_owned());
        }
        if found.is_none() && k.eq_ignore_ascii_case(&wanted) {
            found = Some(k.to_owned());
        }
    }
    found
}
