//! `import`, end to end: a scale set as `az vmss show -o json` prints it becomes a definition
//! that `apply` takes as it is; bad inputs exit 65 naming the file and path.

use crate::support::{Env, STATE};

/// `az vmss show -o json` of a small zonal Uniform set (the project's own fixture, in the
/// flattened shape the CLI prints).
const AZ_VMSS_SHOW: &str = r#"{
  "id": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web",
  "location": "eastus", "name": "web", "type": "Microsoft.Compute/virtualMachineScaleSets",
  "sku": { "capacity": 3, "name": "Standard_D2s_v5", "tier": "Standard" },
  "orchestrationMode": "Uniform", "overprovision": false, "singlePlacementGroup": false,
  "upgradePolicy": { "mode": "Manual" },
  "virtualMachineProfile": {
    "osProfile": { "computerNamePrefix": "web", "linuxConfiguration": { "disablePasswordAuthentication": true } },
    "storageProfile": {
      "imageReference": { "publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest" },
      "osDisk": { "createOption": "FromImage", "diskSizeGB": 30, "managedDisk": { "storageAccountType": "Premium_LRS" } }
    }
  },
  "zones": ["1", "2", "3"]
}"#;

#[test]
fn an_imported_scale_set_applies_as_it_is() {
    let env = Env::new();
    env.write("web.json", AZ_VMSS_SHOW);
    env.ok(["import", "web.json", "--out", "imported.yaml"]).stderr_has("1 scale set(s) written to imported.yaml");
    let yaml = env.read_text("imported.yaml");
    assert!(
        yaml.contains(r#"osDisk: {"tier":"P4"}  # web.json $.virtualMachineProfile.storageProfile.osDisk"#),
        "{yaml}"
    );
    env.ok(["-f", "imported.yaml", "apply", "--auto-approve"]);
    assert_eq!(env.capacity("web"), 3);
    // Printed to stdout without --out; -o json wraps it with the warnings.
    env.ok(["import", "web.json"]).stdout_has("scaleSets:\n  - name: \"web\"");
    env.ok(["import", "web.json", "-o", "yaml"]).stdout_has("scaleSets:\n  - name: \"web\"");
    let doc = env.json(["import", "web.json"]);
    assert_eq!(doc["scaleSets"], 1);
    assert!(doc["definition"].as_str().unwrap().contains("sku: \"Standard_D2s_v5\""));
}

#[test]
fn import_refuses_bad_inputs_and_never_writes_over_the_state() {
    let env = Env::new();
    env.write("web.json", AZ_VMSS_SHOW);
    env.write("bad.json", "{\"name\": ");
    env.run(["import", "bad.json"]).code(65).stderr_has("bad.json:1:").stderr_has("not JSON");
    env.run(["import", "missing.json"]).code(65).stderr_has("missing.json: cannot read it");
    env.write(STATE, "{}");
    env.run(["import", "web.json", "--out", STATE]).code(64).stderr_has("the state file");
    assert_eq!(env.read_text(STATE), "{}");
    env.run(["import", "web.json", "--param", "novalue"]).code(64).stderr_has("NAME=VALUE");
    // A size scaleset has no price for: nothing is written, the problem is named.
    env.write("odd.json", AZ_VMSS_SHOW.replace("Standard_D2s_v5", "Standard_Q9_v9"));
    env.run(["import", "odd.json", "--out", "odd.yaml"]).code(65).stderr_has("unknown VM size 'Standard_Q9_v9'");
    assert!(!env.exists("odd.yaml"));
}

#[test]
fn export_writes_an_arm_template_with_every_default_and_secure_parameters() {
    let env = Env::with_definition(crate::support::WEB);
    let template = env.json(["export", "--format", "arm"]);
    let resources = template["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 1);
    let set = &resources[0];
    assert_eq!(set["type"], "Microsoft.Compute/virtualMachineScaleSets");
    assert_eq!(set["sku"]["capacity"], 3);
    assert_eq!(set["zones"], serde_json::json!(["1", "2", "3"]));
    // Defaults the definition left out are written.
    assert_eq!(set["properties"]["upgradePolicy"]["mode"], "Manual");
    assert_eq!(set["properties"]["scaleInPolicy"]["rules"][0], "Default");
    assert_eq!(set["properties"]["virtualMachineProfile"]["storageProfile"]["osDisk"]["diskSizeGB"], 128);
    // Simulation-only settings are tags; credentials and the subnet are parameters.
    assert_eq!(set["tags"]["scaleset-provisioningTime"], "PT0S");
    assert_eq!(template["parameters"]["adminPassword"]["type"], "securestring");
    assert_eq!(
        set["properties"]["virtualMachineProfile"]["osProfile"]["adminPassword"],
        "[parameters('adminPassword')]"
    );
    // Into a directory; an unknown set and the formats not built are refused.
    env.ok(["export", "--format", "arm", "--out", "deploy"]).stderr_has("deploy/azuredeploy.json");
    env.ok(["export", "--format", "terraform", "--out", "deploy"]).stderr_has("deploy/main.tf");
    // The configuration imports back to the same set.
    env.ok(["import", "deploy/main.tf", "--out", "back.yaml"]);
    env.ok(["-f", "back.yaml", "validate"]).stdout_has("1 scale set(s): web");
    let written: serde_json::Value = serde_json::from_slice(&env.read("deploy/azuredeploy.json")).unwrap();
    assert_eq!(written, template);
    env.run(["export", "wbe", "--format", "arm"]).code(1).stderr_has("web");
    env.ok(["export", "--format", "bicep", "--out", "deploy"]).stderr_has("deploy/main.bicep");
    assert!(
        env.read_text("deploy/main.bicep")
            .contains("resource web_virtualMachineScaleSets 'Microsoft.Compute/virtualMachineScaleSets@")
    );
}
