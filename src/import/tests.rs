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
    assert!(warned.contains("$.virtualMachineProfile.storageProfile.dataDisks: data disks cost money"), "{warned}");
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
    assert!(!yaml.contains("metricNamespace"), "{yaml}");
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
    assert!(err.contains("ARM template") && err.contains("not built yet"), "{err}");
    let err = run(&[("vnet.json", r#"{"type": "Microsoft.Network/virtualNetworks"}"#)], &Options::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("microsoft.network/virtualnetworks") && err.contains("accepted"), "{err}");
    let err = run(&[("s.json", &REST_SET.replace("\"location\": \"westeurope\",", ""))], &Options::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("$.location is missing") && err.contains("--location"), "{err}");
}
