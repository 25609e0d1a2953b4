//! The definition as Terraform azurerm HCL: `azurerm_linux_virtual_machine_scale_set` /
//! `azurerm_windows_virtual_machine_scale_set` for Uniform sets,
//! `azurerm_orchestrated_virtual_machine_scale_set` for Flexible ones, and
//! `azurerm_monitor_autoscale_setting` per autoscaled set; variables for what scaleset does not
//! know (resource group, subnet, admin credentials), and the set's static public IPs
//! (`publicIps`) as `azurerm_public_ip` resources. Simulation-only settings and the priced
//! network are tags, as in the ARM export.
//!
//! Guarantees: pure and deterministic; the text parses as HCL (checked by the tests), and
//! `import` of it gives the definition back, except what the orchestrated resource has no
//! argument for (a Flexible set's upgrade and scale-in policies), which the README lists.

use std::fmt::Write;

use crate::model::autoscale::Schedule;
use crate::model::config::ScaleSetConfig;
use crate::model::enums::{OrchestrationMode, OsType, Priority, UpgradeMode};
use crate::spec::SetDefinition;

use super::arm::iso8601;

/// A string literal: JSON's escapes are HCL's, and template sequences are escaped.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default().replace("${", "$${").replace("%{", "%%{")
}

fn label(name: &str) -> String {
    // Resource names are labels: letters, digits, '_' and '-', not starting with a digit.
    let mut out: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The configuration for `defs`.
#[must_use]
pub fn configuration(defs: &[SetDefinition]) -> String {
    let mut out = String::new();
    out.push_str(
        "# Written by `scaleset export --format terraform`.\n\
         terraform {\n  required_providers {\n    azurerm = {\n      source  = \"hashicorp/azurerm\"\n      version = \">= 4.0\"\n    }\n  }\n}\n\n\
         provider \"azurerm\" {\n  features {}\n}\n\n\
         variable \"resource_group_name\" {\n  type = string\n}\n\n\
         variable \"subnet_id\" {\n  type        = string\n  description = \"The subnet the VMs join (scaleset does not model networks).\"\n}\n\n\
         variable \"admin_username\" {\n  type    = string\n  default = \"azureuser\"\n}\n\n\
         variable \"admin_password\" {\n  type      = string\n  sensitive = true\n}\n",
    );
    for def in defs {
        if def.config.load_balancer.is_some() {
            let _ = write!(
                out,
                "\nvariable \"{}_lb_backend_pool_id\" {{\n  type        = string\n  description = \"The backend pool of the existing Standard load balancer in front of {} (scaleset prices its rules, not their ports).\"\n}}\n",
                label(&def.config.name),
                def.config.name.replace('"', "'")
            );
        }
        for i in 1..=def.config.public_ips {
            let name = format!("{}-ip-{i}", def.config.name);
            let _ = write!(
                out,
                "\nresource \"azurerm_public_ip\" \"{}\" {{\n  name                = {}\n  resource_group_name = var.resource_group_name\n  location            = {}\n  allocation_method   = \"Static\"\n  sku                 = \"Standard\"\n}}\n",
                label(&name),
                quoted(&name),
                quoted(&def.config.region)
            );
        }
        scale_set(&mut out, &def.config, def.capacity);
        if def.config.autoscale.is_some() {
            autoscale(&mut out, &def.config);
        }
    }
    out
}

fn resource_type(c: &ScaleSetConfig) -> &'static str {
    match (c.orchestration_mode, c.model.os) {
        (OrchestrationMode::Flexible, _) => "azurerm_orchestrated_virtual_machine_scale_set",
        (OrchestrationMode::Uniform, OsType::Windows) => "azurerm_windows_virtual_machine_scale_set",
        (OrchestrationMode::Uniform, OsType::Linux) => "azurerm_linux_virtual_machine_scale_set",
    }
}

fn scale_set(out: &mut String, c: &ScaleSetConfig, capacity: u32) {
    let flexible = c.orchestration_mode == OrchestrationMode::Flexible;
    let windows = c.model.os == OsType::Windows;
    let mut w = |line: String| {
        out.push_str(&line);
        out.push('\n');
    };
    w(format!("\nresource \"{}\" \"{}\" {{", resource_type(c), label(&c.name)));
    w(format!("  name                        = {}", quoted(&c.name)));
    w("  resource_group_name         = var.resource_group_name".to_owned());
    w(format!("  location                    = {}", quoted(&c.region)));
    if flexible {
        w(format!("  sku_name                    = {}", quoted(&c.model.sku)));
    } else {
        w(format!("  sku                         = {}", quoted(&c.model.sku)));
    }
    w(format!("  instances                   = {capacity}"));
    w(format!("  platform_fault_domain_count = {}", c.platform_fault_domain_count));
    w(format!("  single_placement_group      = {}", c.single_placement_group));
    if !c.zones.is_empty() {
        let zones: Vec<String> = c.zones.iter().map(|z| quoted(&z.to_string())).collect();
        w(format!("  zones                       = [{}]", zones.join(", ")));
        w(format!("  zone_balance                = {}", c.zone_balance));
    }
    if !flexible {
        w(format!("  overprovision               = {}", c.overprovision));
        w(format!("  computer_name_prefix        = {}", quoted(&c.computer_name_prefix)));
        w("  admin_username              = var.admin_username".to_owned());
        w("  admin_password              = var.admin_password".to_owned());
        if !windows {
            w("  disable_password_authentication = false".to_owned());
        }
        w(format!("  upgrade_mode                = {}", quoted(&c.upgrade_policy.mode.to_string())));
    }
    w(format!("  priority                    = {}", quoted(&c.model.priority.to_string())));
    if c.model.priority == Priority::Spot {
        let policy = c.eviction_policy.map_or_else(|| "Deallocate".to_owned(), |p| p.to_string());
        w(format!("  eviction_policy             = {}", quoted(&policy)));
        w(format!(
            "  max_bid_price               = {}",
            c.model.max_price.map_or_else(|| "-1".to_owned(), |m| m.to_string())
        ));
    }
    if windows && c.model.hybrid_benefit {
        w("  license_type                = \"Windows_Server\"".to_owned());
    }
    // Tags: what only the simulation reads, and the network scaleset prices.
    let mut tags = vec![format!("    \"scaleset-provisioningTime\" = {}", quoted(&iso8601(c.provisioning_time)))];
    if let Some(lb) = c.load_balancer {
        tags.push(format!(
            "    \"scaleset-loadBalancer\"     = {}",
            quoted(&format!("rules={},dataProcessedGb={}", lb.rules, lb.data_processed_gb))
        ));
    }
    if c.public_ips > 0 {
        tags.push(format!("    \"scaleset-publicIps\"        = {}", quoted(&c.public_ips.to_string())));
    }
    w("  tags = {".to_owned());
    for t in tags {
        w(t);
    }
    w("  }".to_owned());
    if flexible {
        let config = if windows { "windows_configuration" } else { "linux_configuration" };
        w("  os_profile {".to_owned());
        w(format!("    {config} {{"));
        w(format!("      computer_name_prefix = {}", quoted(&c.computer_name_prefix)));
        w("      admin_username       = var.admin_username".to_owned());
        w("      admin_password       = var.admin_password".to_owned());
        if !windows {
            w("      disable_password_authentication = false".to_owned());
        }
        w("    }".to_owned());
        w("  }".to_owned());
        if let Some(mix) = &c.priority_mix {
            w("  priority_mix {".to_owned());
            w(format!("    base_regular_count            = {}", mix.base_regular_priority_count));
            w(format!("    regular_percentage_above_base = {}", mix.regular_priority_percentage_above_base));
            w("  }".to_owned());
        }
    } else {
        if c.upgrade_policy.mode != UpgradeMode::Manual {
            let r = &c.upgrade_policy.rolling_upgrade_policy;
            w("  rolling_upgrade_policy {".to_owned());
            w(format!("    max_batch_instance_percent              = {}", r.max_batch_instance_percent));
            w(format!("    max_unhealthy_instance_percent          = {}", r.max_unhealthy_instance_percent));
            w(format!("    max_unhealthy_upgraded_instance_percent = {}", r.max_unhealthy_upgraded_instance_percent));
            w(format!(
                "    pause_time_between_batches              = {}",
                quoted(&iso8601(r.pause_time_between_batches))
            ));
            w(format!("    prioritize_unhealthy_instances_enabled  = {}", r.prioritize_unhealthy_instances));
            w(format!("    maximum_surge_instances_enabled         = {}", r.max_surge));
            w(format!("    cross_zone_upgrades_enabled             = {}", r.enable_cross_zone_upgrade));
            w("  }".to_owned());
        }
        w("  scale_in {".to_owned());
        w(format!("    rule                   = {}", quoted(&c.scale_in_policy.to_string())));
        w(format!("    force_deletion_enabled = {}", c.force_deletion));
        w("  }".to_owned());
    }
    w("  automatic_instance_repair {".to_owned());
    w(format!("    enabled      = {}", c.automatic_repairs.enabled));
    w(format!("    grace_period = {}", quoted(&iso8601(c.automatic_repairs.grace_period))));
    w(format!("    action       = {}", quoted(&c.automatic_repairs.repair_action.to_string())));
    w("  }".to_owned());
    let parts: Vec<&str> = c.model.image.split(':').collect();
    if let [publisher, offer, sku, version] = parts.as_slice() {
        w("  source_image_reference {".to_owned());
        w(format!("    publisher = {}", quoted(publisher)));
        w(format!("    offer     = {}", quoted(offer)));
        w(format!("    sku       = {}", quoted(sku)));
        w(format!("    version   = {}", quoted(version)));
        w("  }".to_owned());
    } else {
        w(format!("  source_image_id = {}", quoted(&c.model.image)));
    }
    let (storage, size) = super::disk(&c.model.os_disk_tier);
    w("  os_disk {".to_owned());
    w("    caching              = \"ReadWrite\"".to_owned());
    w(format!("    storage_account_type = {}", quoted(storage)));
    w(format!("    disk_size_gb         = {size}"));
    w("  }".to_owned());
    let mut lun = 0;
    for d in &c.model.data_disks {
        let (storage, size) = super::disk(&d.tier);
        for _ in 0..d.count {
            w("  data_disk {".to_owned());
            w(format!("    lun                  = {lun}"));
            w("    caching              = \"None\"".to_owned());
            w("    create_option        = \"Empty\"".to_owned());
            w(format!("    storage_account_type = {}", quoted(storage)));
            w(format!("    disk_size_gb         = {size}"));
            w("  }".to_owned());
            lun += 1;
        }
    }
    w("  network_interface {".to_owned());
    w(format!("    name    = {}", quoted(&format!("{}-nic", c.name))));
    w("    primary = true".to_owned());
    w("    ip_configuration {".to_owned());
    w(format!("      name      = {}", quoted(&format!("{}-ip", c.name))));
    w("      primary   = true".to_owned());
    w("      subnet_id = var.subnet_id".to_owned());
    if c.load_balancer.is_some() {
        w(format!("      load_balancer_backend_address_pool_ids = [var.{}_lb_backend_pool_id]", label(&c.name)));
    }
    if c.public_ip_per_vm {
        w("      public_ip_address {".to_owned());
        w(format!("        name = {}", quoted(&format!("{}-pip", c.name))));
        w("      }".to_owned());
    }
    w("    }".to_owned());
    w("  }".to_owned());
    w("}".to_owned());
}

fn autoscale(out: &mut String, c: &ScaleSetConfig) {
    let Some(autoscale) = &c.autoscale else { return };
    let target = format!("{}.{}.id", resource_type(c), label(&c.name));
    let _ = writeln!(out, "\nresource \"azurerm_monitor_autoscale_setting\" \"{}\" {{", label(&c.name));
    let _ = writeln!(out, "  name                = {}", quoted(&format!("{}-autoscale", c.name)));
    let _ = writeln!(out, "  resource_group_name = var.resource_group_name");
    let _ = writeln!(out, "  location            = {}", quoted(&c.region));
    let _ = writeln!(out, "  target_resource_id  = {target}");
    let _ = writeln!(out, "  enabled             = {}", autoscale.enabled);
    for p in &autoscale.profiles {
        let _ = writeln!(out, "  profile {{");
        let _ = writeln!(out, "    name = {}", quoted(&p.name));
        let _ = writeln!(out, "    capacity {{");
        let _ = writeln!(out, "      default = {}", p.capacity.default);
        let _ = writeln!(out, "      minimum = {}", p.capacity.minimum);
        let _ = writeln!(out, "      maximum = {}", p.capacity.maximum);
        let _ = writeln!(out, "    }}");
        for r in &p.rules {
            let _ = writeln!(out, "    rule {{");
            let _ = writeln!(out, "      metric_trigger {{");
            let _ = writeln!(out, "        metric_name              = {}", quoted(&r.metric_name));
            let _ = writeln!(out, "        metric_resource_id       = {target}");
            let _ = writeln!(out, "        time_grain               = {}", quoted(&iso8601(r.time_grain)));
            let _ = writeln!(out, "        statistic                = {}", quoted(&r.statistic.to_string()));
            let _ = writeln!(out, "        time_window              = {}", quoted(&iso8601(r.time_window)));
            let _ = writeln!(out, "        time_aggregation         = {}", quoted(&r.time_aggregation.to_string()));
            let _ = writeln!(out, "        operator                 = {}", quoted(&r.operator.to_string()));
            let _ = writeln!(out, "        threshold                = {}", r.threshold);
            let _ = writeln!(out, "        divide_by_instance_count = {}", r.divide_per_instance);
            let _ = writeln!(out, "      }}");
            let _ = writeln!(out, "      scale_action {{");
            let _ = writeln!(out, "        direction = {}", quoted(&r.direction.to_string()));
            let _ = writeln!(out, "        type      = {}", quoted(&r.kind.to_string()));
            let _ = writeln!(out, "        value     = {}", r.value);
            let _ = writeln!(out, "        cooldown  = {}", quoted(&iso8601(r.cooldown)));
            let _ = writeln!(out, "      }}");
            let _ = writeln!(out, "    }}");
        }
        match &p.schedule {
            Schedule::Default => {}
            Schedule::Recurring { time_zone, days, hour, minute } => {
                let days: Vec<String> = days.iter().map(|d| quoted(&d.to_string())).collect();
                let _ = writeln!(out, "    recurrence {{");
                let _ = writeln!(out, "      timezone = {}", quoted(time_zone));
                let _ = writeln!(out, "      days     = [{}]", days.join(", "));
                let _ = writeln!(out, "      hours    = [{hour}]");
                let _ = writeln!(out, "      minutes  = [{minute}]");
                let _ = writeln!(out, "    }}");
            }
            Schedule::FixedDate { time_zone, start, end } => {
                let _ = writeln!(out, "    fixed_date {{");
                let _ = writeln!(out, "      timezone = {}", quoted(time_zone));
                let _ = writeln!(out, "      start    = {}", quoted(&start.to_string()));
                let _ = writeln!(out, "      end      = {}", quoted(&end.to_string()));
                let _ = writeln!(out, "    }}");
            }
        }
        let _ = writeln!(out, "  }}");
    }
    let _ = writeln!(out, "}}");
}
