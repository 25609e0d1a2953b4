//! Import of the project's own fixtures, written in the shapes `az` and the REST API use.

use super::*;
use crate::cost::catalog::Catalog;

/// `az vmss show -o json`: the flattened shape (no `properties`).
const AZ_SHOW: &str = r#"{
  "id": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web",
  "location": "East US",
  "name": "web",
  "orchestrationMode": "Uniform",
  "overprovision": false,
  "provisioningState": "Succeeded",
  "singlePlacementGroup": false,
  "sku": { "capacity": 3, "name": "Standard_D2s_v5", "tier": "Standard" },
  "tags": { "team": "web" },
  "type": "Microsoft.Compute/virtualMachineScaleSets",
  "upgradePolicy": {
    "mode": "Rolling",
    "rollingUpgradePolicy": { "maxBatchInstancePercent": 20, "pauseTimeBetweenBatches": "PT0S", "rollbackFailedInstancesOnPolicyBreach": false }
  },
  "virtualMachineProfile": {
    "licenseType": "Windows_Server",
    "osProfile": { "adminUsername": "azureuser", "computerNamePrefix": "web", "windowsConfiguration": { "provisionVmAgent": true } },
    "storageProfile": {
      "imageReference": { "offer": "WindowsServer", "publisher": "MicrosoftWindowsServer", "sku": "2022-datacenter", "version": "latest" },
      "osDisk": { "caching": "ReadWrite", "createOption": "FromImage", "managedDisk": { "storageAccountType": "Premium_LRS" } },
      "dataDisks": [ { "lun": 0, "diskSizeGB": 256, "createOption": "Empty" } ]
    },
    "networkProfile": {
      "networkInterfaceConfigurations": [ {
        "name": "nic", "primary": true,
        "ipConfigurations": [ { "name": "ip", "loadBalancerBackendAddressPools": [ { "id": "/x/backendAddressPools/bepool" } ] } ]
      } ]
    },
    "diagnosticsProfile": { "bootDiagnostics": { "enabled": true } }
  },
  "zones": [ "1", "2", "3" ]
}"#;

/// A REST GET body of a scale set, and of its autoscale setting (capacities as strings).
const REST_SET: &str = r#"{
  "name": "api", "location": "westeurope", "type": "Microsoft.Compute/virtualMachineScaleSets",
  "id": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/api",
  "sku": { "name": "Standard_D4s_v5", "capacity": 2 },
  "properties": {
    "orchestrationMode": "Flexible", "platformFaultDomainCount": 1,
    "virtualMachineProfile": {
      "storageProfile": { "osDisk": { "osType": "Linux", "diskSizeGB": 100, "managedDisk": { "storageAccountType": "StandardSSD_LRS" } } },
      "extensionProfile": { "extensions": [] }
    }
  }
}"#;

const REST_AUTOSCALE: &str = r#"{
  "name": "api-autoscale", "type": "Microsoft.Insights/autoscaleSettings", "location": "westeurope",
  "properties": {
    "enabled": true,
    "targetResourceUri": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/api",
    "profiles": [ {
      "name": "default",
      "capacity": { "minimum": "2", "maximum": "10", "default": "2" },
      "rules": [ {
        "metricTrigger": { "metricName": "Percentage CPU", "metricNamespace": "microsoft.compute/virtualmachinescalesets",
          "metricResourceUri": "/subscriptions/0000/x", "timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT5M",
          "timeAggregation": "Average", "operator": "GreaterThan", "threshold": 70, "dimensions": [] },
        "scaleAction": { "direction": "Increase", "type": "ChangeCount", "value": "2", "cooldown": "PT5M" }
      } ]
    } ],
    "notifications": []
  }
}"#;

fn run(files: &[(&str, &str)], options: &Options) -> Result<Imported, ImportError> {
    let inputs: Vec<Input<'_>> = files.iter().map(|(name, text)| Input { name, text }).collect();
    import(&inputs, options)
}

fn definitions(yaml: &str) -> Vec<crate::spec::SetDefinition> {
    crate::spec::parse_definition("imported.yaml", yaml.as_bytes(), Catalog::builtin())
        .unwrap_or_else(|e| panic!("the import validates:\n{e}\n{yaml}"))
}

#[test]
fn az_vmss_show_imports_with_every_value_traced_and_effects_said() {
    let imported = run(&[("web.json", AZ_SHOW)], &Options::default()).unwrap();
    let yaml = &imported.yaml;
    assert!(yaml.contains(r#"region: "eastus"  # web.json $.location"#), "{yaml}");
    assert!(yaml.contains(r#"zones: ["1","2","3"]  # web.json $.zones"#), "{yaml}");
    assert!(yaml.contains(r#"osDisk: {"tier":"P10"}"#), "Windows' 127 GiB default is a P10: {yaml}");
    assert!(yaml.contains("hybridBenefit: true"), "{yaml}");
    // Dropped settings with no effect are listed; those with one are warned about by path.
    assert!(yaml.contains("web.json $.tags") && yaml.contains("$.virtualMachineProfile.diagnosticsProfile"), "{yaml}");
    assert!(yaml.contains("rollingUpgradePolicy.rollbackFailedInstancesOnPolicyBreach"), "{yaml}");
    let warned = imported.warnings.join("\n");
    assert!(warned.contains("$.virtualMachineProfile.storageProfile.dataDisks[0]: a data disk without"), "{warned}");
    assert!(warned.contains("loadBalancer.rules is set to 1"), "{warned}");
    let defs = definitions(yaml);
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0].config.name, "web");
    assert_eq!(defs[0].capacity, 3);
}

#[test]
fn a_rest_scale_set_and_its_autoscale_setting_join_by_target() {
    let files = [("api.json", REST_SET), ("autoscale.json", REST_AUTOSCALE)];
    let imported = run(&files, &Options::default()).unwrap();
    let yaml = &imported.yaml;
    assert!(yaml.contains(r#"osDisk: {"tier":"E10"}"#), "100 GiB rounds up to the 128 GiB tier: {yaml}");
    assert!(yaml.contains(r#""capacity":{"default":2,"maximum":10,"minimum":2}"#), "strings become numbers: {yaml}");
    assert!(yaml.contains("autoscale.json $.properties"), "{yaml}");
    assert!(yaml.contains(r#""metricNamespace":"microsoft.compute/virtualmachinescalesets""#), "kept: {yaml}");
    assert!(!yaml.contains("dimensions"), "an empty list is left out: {yaml}");
    assert!(yaml.contains("autoscale.json $.properties.notifications"), "{yaml}");
    let defs = definitions(yaml);
    assert!(defs[0].config.autoscale.is_some(), "the setting is attached");
}

#[test]
fn an_autoscale_setting_without_its_scale_set_is_refused_by_path() {
    let err = run(
        &[("api.json", REST_SET), ("other.json", &REST_AUTOSCALE.replace("/api\"", "/batch\""))],
        &Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("other.json: $.properties.targetResourceUri") && err.contains("'batch'"), "{err}");
    let err = run(&[("autoscale.json", REST_AUTOSCALE)], &Options::default()).unwrap_err().to_string();
    assert!(err.contains("give both files"), "{err}");
}

#[test]
fn placeholders_need_their_param_and_example_files_read_their_response() {
    let example = format!(
        r#"{{"parameters": {{}}, "responses": {{"200": {{"body": {}}}}}}}"#,
        REST_SET.replace("\"name\": \"api\"", "\"name\": \"{vmss-name}\"")
    );
    let err = run(&[("example.json", &example)], &Options::default()).unwrap_err().to_string();
    assert!(
        err.contains("example.json: $.responses.200.body.name is '{vmss-name}'") && err.contains("--param vmss-name="),
        "{err}"
    );
    let mut options = Options::default();
    options.params.insert("vmss-name".to_owned(), "batch".to_owned());
    let imported = run(&[("example.json", &example)], &options).unwrap();
    assert_eq!(definitions(&imported.yaml)[0].config.name, "batch");
}

#[test]
fn what_is_not_a_scale_set_is_refused_saying_what_is_accepted() {
    let err = run(&[("x.json", "{\"a\": ")], &Options::default()).unwrap_err().to_string();
    assert!(err.starts_with("x.json:1:") && err.contains("not JSON"), "{err}");
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": []}"#;
    let err = run(&[("t.json", template)], &Options::default()).unwrap_err().to_string();
    assert!(err.contains("no scale set in t.json"), "{err}");
    let err = run(&[("vnet.json", r#"{"type": "Microsoft.Network/virtualNetworks"}"#)], &Options::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("microsoft.network/virtualnetworks") && err.contains("accepted"), "{err}");
    let err = run(&[("s.json", &REST_SET.replace("\"location\": \"westeurope\",", ""))], &Options::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("$.location is missing") && err.contains("--location"), "{err}");
}

/// A template in the shape of the quickstarts: parameters with defaults and without,
/// variables holding whole objects, a resource copy loop, a nested deployment with an inline
/// template, a value only the deployment knows.
const TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "prefix": { "type": "string", "defaultValue": "web" },
    "instanceCount": { "type": "int", "defaultValue": 2 },
    "location": { "type": "string", "defaultValue": "[resourceGroup().location]" },
    "adminPassword": { "type": "securestring" }
  },
  "variables": {
    "sku": { "name": "Standard_D2s_v5", "tier": "Standard" },
    "names": "[createArray(concat(parameters('prefix'), '-a'), concat(parameters('prefix'), '-b'))]"
  },
  "resources": [
    { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01", "name": "vnet", "location": "[parameters('location')]" },
    {
      "type": "Microsoft.Compute/virtualMachineScaleSets", "apiVersion": "2024-07-01",
      "name": "[variables('names')[copyIndex()]]", "location": "[parameters('location')]",
      "copy": { "name": "sets", "count": 2 },
      "sku": { "name": "[variables('sku').name]", "tier": "[variables('sku').tier]", "capacity": "[parameters('instanceCount')]" },
      "properties": {
        "overprovision": "[equals(1, 2)]",
        "virtualMachineProfile": {
          "osProfile": { "computerNamePrefix": "[toLower(parameters('prefix'))]", "adminPassword": "[parameters('adminPassword')]",
                         "linuxConfiguration": "[if(true(), json('{\"provisionVMAgent\": true}'), json('null'))]" },
          "storageProfile": { "osDisk": { "createOption": "FromImage", "managedDisk": { "storageAccountType": "Premium_LRS" } } },
          "priority": "[reference('policy').outputs.priority.value]"
        }
      }
    },
    {
      "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
      "properties": {
        "mode": "Incremental",
        "expressionEvaluationOptions": { "scope": "inner" },
        "parameters": { "setName": { "value": "[concat(parameters('prefix'), '-c')]" } },
        "template": {
          "parameters": { "setName": { "type": "string" } },
          "resources": [ { "type": "Microsoft.Compute/virtualMachineScaleSets", "name": "[parameters('setName')]",
            "location": "westeurope", "sku": { "name": "Standard_D4s_v5", "capacity": 1 },
            "properties": { "orchestrationMode": "Flexible", "platformFaultDomainCount": 1,
              "virtualMachineProfile": { "storageProfile": { "osDisk": { "osType": "Linux" } } } } } ]
        }
      }
    }
  ]
}"#;

#[test]
fn an_arm_template_is_evaluated_with_its_parameters_variables_loops_and_nested_deployments() {
    let mut options = Options { location: Some("eastus".to_owned()), ..Options::default() };
    options.params.insert("instanceCount".to_owned(), "4".to_owned());
    let imported = run(&[("azuredeploy.json", TEMPLATE)], &options).unwrap();
    let defs = definitions(&imported.yaml);
    let names: Vec<&str> = defs.iter().map(|d| d.config.name.as_str()).collect();
    assert_eq!(names, ["web-a", "web-b", "web-c"]);
    assert_eq!(defs[0].config.region, "eastus", "resourceGroup().location from --location");
    assert_eq!(defs[0].capacity, 4, "--param wins over the default, read as the declared int");
    assert_eq!(defs[2].config.region, "westeurope");
    assert!(imported.yaml.contains("overprovision: false"), "{}", imported.yaml);
    // reference() is never evaluated: said by path, the setting left out.
    let warned = imported.warnings.join("\n");
    assert!(warned.contains("priority not imported: reference() is known only when deploying"), "{warned}");
    assert!(warned.contains("$.resources[1] (copy 0).properties.virtualMachineProfile.priority"), "{warned}");
    // Without --location the region cannot be known: an error naming the path and the flag.
    let err = run(&[("azuredeploy.json", TEMPLATE)], &Options::default()).unwrap_err().to_string();
    assert!(err.contains("$.resources[1] (copy 0).location") && err.contains("--location"), "{err}");
}

/// Every example definition, exported as an ARM template and imported back, is the same
/// definition (the load, which only the simulation reads, is not part of a deployment).
#[test]
fn import_of_export_gives_the_definition_back() {
    let examples = [
        include_str!("../../scalesets.yaml"),
        include_str!("../../examples/web-tier.yaml"),
        include_str!("../../examples/spot-batch.yaml"),
        include_str!("../../examples/weekly-profiles.yaml"),
    ];
    let mut compared = 0;
    for (n, text) in examples.iter().enumerate() {
        let Ok(defs) = crate::spec::parse_definition("example.yaml", text.as_bytes(), Catalog::builtin()) else {
            // A definition whose load reads a trace file (read by the shell) is left out here.
            continue;
        };
        compared += defs.len();
        let template = serde_json::to_string(&crate::export::arm::template(&defs)).unwrap();
        let imported = run(&[("azuredeploy.json", &template)], &Options::default()).unwrap();
        let back = definitions(&imported.yaml);
        assert_eq!(back.len(), defs.len(), "example {n}");
        for (a, b) in defs.iter().zip(&back) {
            let mut expected = a.config.clone();
            expected.load = Vec::new();
            let mut got = b.config.clone();
            got.load = Vec::new();
            assert_eq!(got, expected, "example {n}: {}\n{}", a.config.name, imported.yaml);
            assert_eq!(a.capacity, b.capacity);
        }
    }
    assert!(compared >= 4, "{compared} sets compared");
}

mod generated {
    use proptest::prelude::*;

    use super::*;

    /// A definition of one set from drawn settings (some combinations are invalid: those are
    /// skipped, the validator's business).
    #[allow(clippy::too_many_arguments)]
    fn definition(
        flexible: bool,
        zones: u8,
        capacity: u32,
        windows: bool,
        upgrade: usize,
        scale_in: usize,
        spot: Option<(bool, Option<u32>, u32, u32)>,
        repairs: Option<u32>,
        tier: usize,
        network: (u32, u32),
        autoscale: Option<(u32, u32, u32, u32, bool)>,
    ) -> String {
        let mut y = String::from("scaleSets:\n  - name: gen\n    region: eastus\n    sku: Standard_D2s_v5\n");
        y += &format!(
            "    capacity: {capacity}\n    orchestrationMode: {}\n",
            if flexible { "Flexible" } else { "Uniform" }
        );
        if flexible {
            y += "    platformFaultDomainCount: 1\n";
        }
        let zone_list: Vec<String> = (1..=3).filter(|z| zones & (1 << (z - 1)) != 0).map(|z| z.to_string()).collect();
        if !zone_list.is_empty() {
            y += &format!("    zones: [{}]\n", zone_list.join(", "));
        }
        if windows {
            y += "    os: windows\n    hybridBenefit: true\n";
        }
        y += &format!(
            "    upgradePolicy: {{ mode: {}, rollingUpgradePolicy: {{ maxBatchInstancePercent: 30, pauseTimeBetweenBatches: PT1M }} }}\n",
            ["Manual", "Automatic", "Rolling"][upgrade]
        );
        y += &format!("    scaleInPolicy: {{ rules: [{}] }}\n", ["Default", "NewestVM", "OldestVM"][scale_in]);
        if let Some((delete, max, base, above)) = spot {
            y += &format!("    priority: Spot\n    evictionPolicy: {}\n", if delete { "Delete" } else { "Deallocate" });
            if let Some(cents) = max {
                y += &format!("    maxPrice: {}.{:02}\n", cents / 100, cents % 100);
            }
            if flexible {
                y += &format!(
                    "    priorityMix: {{ baseRegularPriorityCount: {base}, regularPriorityPercentageAboveBase: {above} }}\n"
                );
            }
        }
        if let Some(grace) = repairs {
            y += &format!("    automaticRepairs: {{ enabled: true, gracePeriod: {grace}m }}\n");
        }
        y += &format!("    osDisk: {{ tier: {} }}\n", ["P4", "P10", "E10", "S10", "P30"][tier]);
        if tier % 2 == 1 {
            y += &format!("    dataDisks: [{{ tier: P10, count: {} }}, {{ tier: E30 }}]\n", tier + 1);
        }
        y += &format!("    provisioningTime: {}s\n", capacity * 7);
        if network.0 > 0 {
            y += &format!("    loadBalancer: {{ rules: {}, dataProcessedGb: {} }}\n", network.0, network.1);
        }
        if network.1 > 0 {
            y += &format!("    publicIps: {}\n", network.1 % 5);
        }
        if network.1 % 3 == 1 {
            y += "    publicIpPerVm: true\n";
        }
        if let Some((min, span, threshold, cooldown, weekend)) = autoscale {
            y += &format!(
                "    autoscale:\n      profiles:\n        - name: default\n          capacity: {{ minimum: {min}, maximum: {}, default: {min} }}\n          rules:\n            - {{ condition: \"Percentage CPU > {threshold} avg 5m\", scale: out 1, cooldown: {cooldown}m }}\n            - {{ condition: \"Percentage CPU < 20 avg 10m\", scale: in 1, cooldown: {cooldown}m }}\n",
                min + span
            );
            if weekend {
                y += "        - name: weekend\n          capacity: { minimum: 1, maximum: 2, default: 1 }\n          recurrence: { timeZone: UTC, days: [Saturday, Sunday], hours: 0, minutes: 0 }\n";
            }
        }
        y
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn import_of_export_is_the_identity(
            flexible in any::<bool>(),
            zones in 0u8..8,
            capacity in 0u32..40,
            windows in any::<bool>(),
            upgrade in 0usize..3,
            scale_in in 0usize..3,
            spot in proptest::option::of((any::<bool>(), proptest::option::of(1u32..500), 0u32..5, 0u32..=100)),
            repairs in proptest::option::of(10u32..90),
            tier in 0usize..5,
            network in (0u32..4, 0u32..800),
            autoscale in proptest::option::of((1u32..5, 0u32..10, 50u32..95, 1u32..30, any::<bool>())),
        ) {
            let text = definition(flexible, zones, capacity, windows, upgrade, scale_in, spot, repairs, tier, network, autoscale);
            let parsed = crate::spec::parse_definition("gen.yaml", text.as_bytes(), Catalog::builtin());
            prop_assume!(parsed.is_ok());
            let defs = parsed.unwrap();
            let template = serde_json::to_string(&crate::export::arm::template(&defs)).unwrap();
            let imported = run(&[("azuredeploy.json", &template)], &Options::default()).unwrap();
            let back = definitions(&imported.yaml);
            prop_assert_eq!(&back[0].config, &defs[0].config, "{}\n{}", text, imported.yaml);
            prop_assert_eq!(back[0].capacity, defs[0].capacity);
            let terraform = super::terraform_round_trip(&defs);
            prop_assert!(terraform.is_ok(), "{}\n{}", text, terraform.unwrap_err());
        }
    }
}

/// A Terraform configuration in the shape of the azurerm examples: variables with defaults,
/// locals, a resource group whose location the set reads, an autoscale setting targeting the
/// set by reference, and an argument only `apply` knows.
const TERRAFORM: &str = r#"
variable "prefix" {
  default = "web"
}
variable "instances" {
  type    = number
  default = 2
}
locals {
  name = "${var.prefix}-vmss"
  size = "Standard_D2s_v5"
}
resource "azurerm_resource_group" "main" {
  name     = "${var.prefix}-rg"
  location = "West Europe"
}
resource "azurerm_subnet" "internal" {
  name = "internal"
}
resource "azurerm_linux_virtual_machine_scale_set" "web" {
  name                = local.name
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  sku                 = local.size
  instances           = var.instances
  admin_username      = "adminuser"
  zones               = ["1", "2"]
  upgrade_mode        = "Rolling"
  overprovision       = false
  computer_name_prefix = lower(var.prefix)

  rolling_upgrade_policy {
    max_batch_instance_percent              = 20
    max_unhealthy_instance_percent          = 20
    max_unhealthy_upgraded_instance_percent = 20
    pause_time_between_batches              = "PT0S"
  }
  source_image_reference {
    publisher = "Canonical"
    offer     = "ubuntu-24_04-lts"
    sku       = "server"
    version   = "latest"
  }
  os_disk {
    storage_account_type = "Premium_LRS"
    caching              = "ReadWrite"
    disk_size_gb         = 64
  }
  network_interface {
    name    = "nic"
    primary = true
    ip_configuration {
      name      = "internal"
      primary   = true
      subnet_id = azurerm_subnet.internal.id
    }
  }
  data_disk {
    lun                  = 0
    caching              = "ReadWrite"
    disk_size_gb         = 128
    storage_account_type = "Premium_LRS"
  }
  custom_data = base64encode("hello")
}
resource "azurerm_monitor_autoscale_setting" "web" {
  name                = "web-autoscale"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  target_resource_id  = azurerm_linux_virtual_machine_scale_set.web.id
  profile {
    name = "default"
    capacity {
      default = 2
      minimum = 2
      maximum = 10
    }
    rule {
      metric_trigger {
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_linux_virtual_machine_scale_set.web.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT5M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 75
      }
      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT5M"
      }
    }
  }
}
"#;

#[test]
fn a_terraform_configuration_imports_with_variables_locals_and_references() {
    let mut options = Options::default();
    options.params.insert("instances".to_owned(), "4".to_owned());
    let imported = run(&[("main.tf", TERRAFORM)], &options).unwrap();
    let defs = definitions(&imported.yaml);
    assert_eq!(defs.len(), 1);
    let web = &defs[0];
    assert_eq!(web.config.name, "web-vmss", "local.name from var.prefix");
    assert_eq!(web.config.region, "westeurope", "the resource group's location");
    assert_eq!(web.capacity, 4, "--param over the variable's default");
    assert_eq!(web.config.model.os_disk_tier, "P6", "64 GiB Premium");
    assert!(web.config.autoscale.is_some(), "joined by target_resource_id");
    assert!(imported.yaml.contains("main.tf azurerm_linux_virtual_machine_scale_set.web.name"), "{}", imported.yaml);
    assert!(imported.yaml.contains("azurerm_linux_virtual_machine_scale_set.web.admin_username"), "{}", imported.yaml);
    assert_eq!(web.config.model.data_disks, [crate::model::config::DataDisks { tier: "P10".to_owned(), count: 1 }]);
    // Not HCL: the file and what is accepted.
    let err = run(&[("broken.tf", "resource \"x\" {")], &Options::default()).unwrap_err().to_string();
    assert!(err.contains("broken.tf: not Terraform (HCL)") && err.contains("accepted"), "{err}");
}

/// The same definition after `export --format terraform` and `import`, except what the
/// orchestrated resource and a Manual upgrade mode have no argument for (the README lists it).
fn terraform_round_trip(defs: &[crate::spec::SetDefinition]) -> Result<(), String> {
    let text = crate::export::terraform::configuration(defs);
    hcl::parse(&text).map_err(|e| format!("the configuration parses: {e}\n{text}"))?;
    let imported = run(&[("main.tf", &text)], &Options::default()).map_err(|e| format!("{e}\n{text}"))?;
    let back = definitions(&imported.yaml);
    for (a, b) in defs.iter().zip(&back) {
        let mut expected = a.config.clone();
        expected.load = Vec::new();
        let mut got = b.config.clone();
        got.load = Vec::new();
        if expected.orchestration_mode == crate::model::enums::OrchestrationMode::Flexible {
            expected.upgrade_policy = got.upgrade_policy.clone();
            expected.scale_in_policy = got.scale_in_policy;
            expected.force_deletion = got.force_deletion;
            expected.overprovision = got.overprovision;
        } else if expected.upgrade_policy.mode == crate::model::enums::UpgradeMode::Manual {
            expected.upgrade_policy.rolling_upgrade_policy = got.upgrade_policy.rolling_upgrade_policy.clone();
        }
        if got != expected || a.capacity != b.capacity {
            return Err(format!("{:?}\n!=\n{:?}\n{text}\n{}", got, expected, imported.yaml));
        }
    }
    Ok(())
}

#[test]
fn import_of_the_terraform_export_gives_the_definition_back() {
    for text in [
        include_str!("../../scalesets.yaml"),
        include_str!("../../examples/spot-batch.yaml"),
        include_str!("../../examples/weekly-profiles.yaml"),
    ] {
        let defs = crate::spec::parse_definition("example.yaml", text.as_bytes(), Catalog::builtin()).unwrap();
        terraform_round_trip(&defs).unwrap();
    }
}

#[test]
fn a_load_balancer_in_the_template_gives_its_rule_count() {
    let template = |sku: &str| {
        format!(
            r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "variables": {{ "lb": "web-lb" }},
  "resources": [
    {{ "type": "Microsoft.Network/loadBalancers", "name": "[variables('lb')]", "location": "eastus", "sku": {{ "name": "{sku}" }},
      "properties": {{ "loadBalancingRules": [{{ "name": "http" }}, {{ "name": "https" }}], "outboundRules": [{{ "name": "out" }}],
                      "inboundNatRules": [{{ "name": "ssh" }}] }} }},
    {{ "type": "Microsoft.Compute/virtualMachineScaleSets", "name": "web", "location": "eastus",
      "sku": {{ "name": "Standard_D2s_v5", "capacity": 2 }},
      "properties": {{ "virtualMachineProfile": {{ "networkProfile": {{ "networkInterfaceConfigurations": [{{ "name": "nic",
        "properties": {{ "ipConfigurations": [{{ "name": "ip", "properties": {{ "loadBalancerBackendAddressPools": [
          {{ "id": "[resourceId('Microsoft.Network/loadBalancers/backendAddressPools', variables('lb'), 'pool')]" }} ] }} }}] }} }}] }} }} }} }}
  ]
}}"#
        )
    };
    let imported = run(&[("lb.json", &template("Standard"))], &Options::default()).unwrap();
    let lb = definitions(&imported.yaml)[0].config.load_balancer.expect("a load balancer");
    assert_eq!(lb.rules, 3, "load-balancing and outbound rules count; NAT rules are free");
    assert!(!imported.warnings.join("\n").contains("load balancer"), "{:?}", imported.warnings);
    let basic = run(&[("lb.json", &template("Basic"))], &Options::default()).unwrap();
    assert!(definitions(&basic.yaml)[0].config.load_balancer.is_none());
    assert!(basic.warnings.join("\n").contains("a Basic load balancer, which is not billed"), "{:?}", basic.warnings);
}

#[test]
fn a_terraform_load_balancer_gives_its_rule_count() {
    let config = r#"
resource "azurerm_lb" "front" {
  name = "front-lb"
  sku  = "Standard"
}
resource "azurerm_lb_backend_address_pool" "pool" {
  name            = "pool"
  loadbalancer_id = azurerm_lb.front.id
}
resource "azurerm_lb_rule" "http" {
  name            = "http"
  loadbalancer_id = azurerm_lb.front.id
}
resource "azurerm_lb_rule" "https" {
  name            = "https"
  loadbalancer_id = azurerm_lb.front.id
}
resource "azurerm_lb_outbound_rule" "out" {
  name            = "out"
  loadbalancer_id = azurerm_lb.front.id
}
resource "azurerm_lb_nat_rule" "ssh" {
  name            = "ssh"
  loadbalancer_id = azurerm_lb.front.id
}
resource "azurerm_linux_virtual_machine_scale_set" "web" {
  name      = "web"
  location  = "eastus"
  sku       = "Standard_D2s_v5"
  instances = 2
  network_interface {
    name = "nic"
    ip_configuration {
      name                                   = "ip"
      load_balancer_backend_address_pool_ids = [azurerm_lb_backend_address_pool.pool.id]
    }
  }
}
"#;
    let imported = run(&[("main.tf", config)], &Options::default()).unwrap();
    let lb = definitions(&imported.yaml)[0].config.load_balancer.expect("a load balancer");
    assert_eq!(lb.rules, 3, "two load-balancing rules and one outbound; the NAT rule is free");
    assert!(imported.yaml.contains("azurerm_lb.front: 3 rule(s)"), "{}", imported.yaml);
    // azurerm's default SKU is Basic, which is not billed.
    let basic = run(&[("main.tf", &config.replace("  sku  = \"Standard\"\n", ""))], &Options::default()).unwrap();
    assert!(definitions(&basic.yaml)[0].config.load_balancer.is_none());
}
