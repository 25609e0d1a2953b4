//! The cost engine end to end, through the binary: every figure below is computed by hand from
//! the reference prices (730-hour month) and written out in the comments.
//!
//! Each test runs in its own temporary directory with a fixed clock and seed
//! (`--start-time 2026-01-05T08:00:00Z --seed 1`), and `provisioningTime: 0s` so VMs run at once.

use serde_json::Value;

use crate::support::Env;

/// 3 x Standard_D2s_v5, Linux, eastus, P10: $0.288/h of compute, 3 x $19.71 of disks a month.
const WEB: &str = "scaleSets:
  - name: web
    region: eastus
    sku: Standard_D2s_v5
    os: linux
    capacity: 3
    orchestrationMode: Uniform
    overprovision: false
    provisioningTime: 0s
    osDisk: { tier: P10 }
";

/// `cost -o json` of the directory's state.
fn cost(env: &Env) -> Value {
    env.run(["cost", "-o", "json"]).code(0).json()
}

/// `WEB` with other lines in place of the given ones.
fn web_with(replacements: &[(&str, &str)]) -> String {
    let mut text = WEB.to_owned();
    for (old, new) in replacements {
        assert!(text.contains(old), "{old}");
        text = text.replace(old, new);
    }
    text
}

/// The set's component whose name starts with `prefix`.
fn component<'a>(doc: &'a Value, set: usize, prefix: &str) -> &'a Value {
    doc["scaleSets"][set]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no component {prefix:?} in {:#}", doc["scaleSets"][set]))
}

fn names(doc: &Value, set: usize) -> Vec<String> {
    doc["scaleSets"][set]["components"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().into()).collect()
}

#[test]
fn three_d2s_v5_linux_in_eastus_with_p10_disks() {
    let env = Env::applied(WEB);
    let doc = cost(&env);
    let compute = component(&doc, 0, "Compute");
    assert_eq!(compute["name"], "Compute (Standard_D2s_v5, Linux)");
    // 3 VMs x 730 h = 2190 VM-hours at $0.096: $0.288 an hour, $210.24 a month.
    assert_eq!(compute["quantity"], 2190);
    assert_eq!(compute["unit"], "hours");
    assert_eq!(compute["price"], "0.096000");
    assert_eq!(compute["hourlyCost"], "0.288000");
    assert_eq!(compute["monthlyCost"], "210.24");
    let disk = component(&doc, 0, "OS disk");
    assert_eq!(disk["name"], "OS disk (P10)");
    // 3 disks x $19.71 = $59.13 a month; $19.71 / 730 = $0.027 an hour each.
    assert_eq!(disk["quantity"], 3);
    assert_eq!(disk["unit"], "months");
    assert_eq!(disk["price"], "19.710000");
    assert_eq!(disk["monthlyCost"], "59.13");
    assert_eq!(disk["hourlyCost"], "0.081000");
    assert_eq!(doc["currency"], "USD");
    assert_eq!(doc["totalHourlyCost"], "0.369000");
    assert_eq!(doc["totalMonthlyCost"], "269.37");
    assert_eq!(doc["accruedCost"], "0.000000");
    assert_eq!(doc["priceSources"], serde_json::json!(["built-in price catalog"]));

    // An hour later: 0.288 + 0.081.
    env.run(["advance", "1h"]).code(0);
    let doc = cost(&env);
    assert_eq!(doc["accruedCost"], "0.369000");
    assert_eq!(doc["scaleSets"][0]["accruedCost"], "0.369000");

    // The table: Infracost columns, the set total with its accrued cost, the overall total.
    env.run(["cost"])
        .code(0)
        .stdout_has("MONTHLY QTY  UNIT      PRICE  SOURCE   $/HOUR  MONTHLY COST  ACCRUED")
        .stdout_has("  Compute (Standard_D2s_v5, Linux)        2,190  hours    $0.096  catalog  $0.288       $210.24")
        .stdout_has("  OS disk (P10)                               3  months  $19.710  catalog  $0.081        $59.13")
        .stdout_has("  Total web                                                                $0.369       $269.37    $0.37")
        .stdout_has("Now: $0.369 an hour, $269.37 a month (730 h) at today's run rate\nAccrued: $0.37 as of 2026-01-05T09:00:00Z")
        .stdout_has("Prices: built-in price catalog\n");
}

#[test]
fn the_same_set_in_westeurope() {
    let env = Env::applied(&web_with(&[("region: eastus", "region: westeurope")]));
    let doc = cost(&env);
    // 3 x $0.115 = $0.345 an hour, x 730 = $251.85 a month.
    let compute = component(&doc, 0, "Compute");
    assert_eq!(compute["hourlyCost"], "0.345000");
    assert_eq!(compute["monthlyCost"], "251.85");
    // P10 in westeurope: $21.68 a month, 3 x = $65.04.
    let disk = component(&doc, 0, "OS disk");
    assert_eq!(disk["price"], "21.680000");
    assert_eq!(disk["monthlyCost"], "65.04");
    // 251.85 + 65.04 = 316.89 a month; / 730 = 0.43409589... an hour.
    assert_eq!(doc["totalMonthlyCost"], "316.89");
    assert_eq!(doc["totalHourlyCost"], "0.434096");
    env.run(["advance", "1h"]).code(0);
    assert_eq!(cost(&env)["accruedCost"], "0.434096");
}

#[test]
fn windows_pays_the_licence_unless_hybrid_benefit() {
    let windows = web_with(&[("os: linux", "os: windows")]);
    let doc = cost(&Env::applied(&windows));
    let compute = component(&doc, 0, "Compute");
    // $0.188 an hour each: 3 x = $0.564, x 730 = $411.72.
    assert_eq!(compute["name"], "Compute (Standard_D2s_v5, Windows)");
    assert_eq!(compute["price"], "0.188000");
    assert_eq!(compute["hourlyCost"], "0.564000");
    assert_eq!(compute["monthlyCost"], "411.72");
    assert_eq!(doc["totalMonthlyCost"], "470.85");

    let hybrid = web_with(&[("os: linux", "os: windows\n    hybridBenefit: true")]);
    let doc = cost(&Env::applied(&hybrid));
    let compute = component(&doc, 0, "Compute");
    // Hybrid Benefit: the Linux rate, $0.096.
    assert_eq!(compute["name"], "Compute (Standard_D2s_v5, Windows, Hybrid Benefit)");
    assert_eq!(compute["price"], "0.096000");
    assert_eq!(compute["hourlyCost"], "0.288000");
    assert_eq!(doc["totalMonthlyCost"], "269.37");
}

#[test]
fn spot_vms_pay_the_spot_price() {
    let env = Env::applied(&web_with(&[("os: linux", "os: linux\n    priority: Spot")]));
    let doc = cost(&env);
    let compute = component(&doc, 0, "Compute");
    // D2s_v5 Spot in eastus: $0.02 an hour; 3 x = $0.06, x 730 = $43.80. Disks as usual.
    assert_eq!(compute["name"], "Compute (Standard_D2s_v5, Linux, Spot)");
    assert_eq!(compute["price"], "0.020000");
    assert_eq!(compute["hourlyCost"], "0.060000");
    assert_eq!(compute["monthlyCost"], "43.80");
    assert_eq!(doc["totalMonthlyCost"], "102.93");
    env.run(["advance", "1h"]).code(0);
    // 0.06 + 0.081.
    assert_eq!(cost(&env)["accruedCost"], "0.141000");
}

#[test]
fn a_stopped_vm_is_billed_a_deallocated_one_only_for_its_disk() {
    let one = web_with(&[("capacity: 3", "capacity: 1")]);

    // Stop takes 30 s (Stopping) and the VM stays allocated: compute is billed throughout.
    let stopped = Env::applied(&one);
    stopped.run(["stop", "web"]).code(0);
    stopped.run(["advance", "1h"]).code(0);
    assert_eq!(stopped.run(["instances", "web", "-o", "json"]).code(0).json()[0]["powerState"], "Stopped");
    let doc = cost(&stopped);
    // 0.096 + 0.027 for the hour, and the same run rate from now on.
    assert_eq!(doc["accruedCost"], "0.123000");
    assert_eq!(doc["totalHourlyCost"], "0.123000");

    // Deallocating (30 s) and Deallocated are not billed for compute; the disk still is.
    let deallocated = Env::applied(&one);
    deallocated.run(["deallocate", "web"]).code(0);
    deallocated.run(["advance", "1h"]).code(0);
    assert_eq!(deallocated.run(["instances", "web", "-o", "json"]).code(0).json()[0]["powerState"], "Deallocated");
    let doc = cost(&deallocated);
    assert_eq!(doc["accruedCost"], "0.027000");
    assert_eq!(doc["totalHourlyCost"], "0.027000");
    assert_eq!(names(&doc, 0), ["OS disk (P10)"]);
}

#[test]
fn an_overprovisioned_scale_out_bills_only_the_kept_vms() {
    let env =
        Env::applied(&web_with(&[("capacity: 3", "capacity: 2"), ("overprovision: false", "overprovision: true")]));
    env.run(["scale", "web", "--capacity", "4"]).code(0).stderr_has("overprovisioned 1 extra VM(s)");
    let doc = cost(&env);
    // 4 kept VMs, not 5: 4 x 730 = 2920 VM-hours, $0.384 an hour; 4 disks.
    assert_eq!(component(&doc, 0, "Compute")["quantity"], 2920);
    assert_eq!(component(&doc, 0, "Compute")["hourlyCost"], "0.384000");
    assert_eq!(component(&doc, 0, "OS disk")["quantity"], 4);
    env.run(["advance", "1h"]).code(0);
    // 4 x (0.096 + 0.027).
    assert_eq!(cost(&env)["accruedCost"], "0.492000");
}

#[test]
fn overprovisioned_extras_are_not_billed_while_they_exist() {
    // With a 2-minute provisioning time the extra VM lives beside the requested ones.
    let definition =
        web_with(&[("capacity: 3", "capacity: 2"), ("overprovision: false", "overprovision: true"), ("0s", "2m")]);
    let env = Env::applied(&definition);
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("scalesets.state.json")).unwrap()).unwrap();
    assert_eq!(state["scaleSets"][0]["extras"].as_array().map(Vec::len), Some(1));
    let doc = cost(&env);
    // Creating VMs are not billed for compute; the two requested disks are, the extra's is not.
    assert_eq!(names(&doc, 0), ["OS disk (P10)"]);
    assert_eq!(component(&doc, 0, "OS disk")["quantity"], 2);
    env.run(["advance", "1h"]).code(0);
    // Compute for 58 minutes: 2 x 0.096 x 58 / 60 = 0.1856; disks for the hour: 2 x 0.027.
    assert_eq!(cost(&env)["accruedCost"], "0.239600");
}

#[test]
fn the_budget_gate_exits_3_and_says_by_how_much() {
    let env = Env::applied(WEB);
    env.run(["cost", "--max-monthly", "200"])
        .code(3)
        .stdout_has("Budget: $200.00 a month (--max-monthly): OVER by $69.37\n  checked against the defined cost (autoscaled sets at their maximum): $269.37")
        .stderr_has(
            "over budget: projected monthly cost $269.37 is $69.37 above the budget of $200.00 (--max-monthly, defined basis)",
        );
    let doc = env.run(["cost", "--max-monthly", "200", "-o", "json"]).code(3).json();
    assert_eq!(doc["budget"]["maxMonthly"], "200.00");
    assert_eq!(doc["budget"]["overBudget"], true);
    assert_eq!(doc["budget"]["amountOver"], "69.37");
    env.run(["cost", "--max-monthly", "269.37"]).code(0).stdout_has("within budget, $0.00 to spare");
    env.run(["cost", "--max-monthly", "lots"])
        .code(64)
        .stderr_has("invalid value 'lots' for '--max-monthly <USD>': 'lots' is not an amount in USD");

    // The definition's budget applies when the flag is absent; the flag wins over it.
    env.write("scalesets.yaml", format!("budget: {{ maxMonthly: 250 }}\n{WEB}"));
    env.run(["cost"]).code(3).stderr_has(
        "projected monthly cost $269.37 is $19.37 above the budget of $250.00 (budget.maxMonthly in scalesets.yaml, defined basis)",
    );
    env.run(["cost", "--max-monthly", "1000"]).code(0);
    env.write("scalesets.yaml", format!("budget:\n  maxMonthly: 300\n{WEB}"));
    env.run(["cost"])
        .code(0)
        .stdout_has("Budget: $300.00 a month (budget.maxMonthly in scalesets.yaml): within budget, $30.63 to spare");
    // Without a budget anywhere, no gate.
    env.write("scalesets.yaml", WEB);
    let doc = cost(&env);
    assert!(doc.get("budget").is_none(), "{doc:#}");
}

#[test]
fn plan_shows_the_monthly_cost_change() {
    let env = Env::with_definition(WEB);
    env.run(["plan"])
        .code(0)
        .stdout_has("+ web  +$269.37  ($0.00 -> $269.37)\n")
        .stdout_has("Monthly cost change: +$269.37 ($0.00 -> $269.37)\n");
    let doc = env.run(["plan", "-o", "json"]).code(0).json();
    assert_eq!(doc["costChange"]["oldMonthlyCost"], "0.00");
    assert_eq!(doc["costChange"]["newMonthlyCost"], "269.37");
    assert_eq!(doc["costChange"]["monthlyCostChange"], "269.37");
    assert_eq!(doc["costChange"]["scaleSets"][0]["action"], "create");
    env.run(["apply"]).code(0);

    // Two more VMs: 2 x (70.08 + 19.71) = 179.58.
    env.write("scalesets.yaml", web_with(&[("capacity: 3", "capacity: 5")]));
    env.run(["plan"])
        .code(0)
        .stdout_has("~ web  +$179.58  ($269.37 -> $448.95)\n")
        .stdout_has("Monthly cost change: +$179.58 ($269.37 -> $448.95)\n");

    // A model change is priced at the new size even before the VMs are upgraded (Manual):
    // 3 x 0.192 x 730 = 420.48, + 59.13 of disks = 479.61.
    env.write("scalesets.yaml", web_with(&[("sku: Standard_D2s_v5", "sku: Standard_D4s_v5")]));
    let doc = env.run(["plan", "-o", "json"]).code(0).json();
    assert_eq!(doc["costChange"]["newMonthlyCost"], "479.61");
    assert_eq!(doc["costChange"]["monthlyCostChange"], "210.24");
    assert_eq!(doc["costChange"]["scaleSets"][0]["action"], "update");

    // Deleting the set.
    env.write("scalesets.yaml", "scaleSets: []\n");
    env.run(["plan", "--prune"])
        .code(0)
        .stdout_has("- web  -$269.37  ($269.37 -> $0.00)\n")
        .stdout_has("Monthly cost change: -$269.37 ($269.37 -> $0.00)\n");

    // No change, no cost lines; the JSON still says zero.
    env.write("scalesets.yaml", WEB);
    let out = env.run(["plan"]).code(0);
    assert!(!out.stdout.contains("Monthly cost"), "{}", out.stdout);
    let doc = env.run(["plan", "-o", "json"]).code(0).json();
    assert_eq!(doc["costChange"]["monthlyCostChange"], "0.00");
    assert_eq!(doc["costChange"]["scaleSets"], serde_json::json!([]));
}

#[test]
fn plan_warns_when_the_change_breaks_the_budget() {
    let env = Env::with_definition(&format!("budget: {{ maxMonthly: 250 }}\n{WEB}"));
    env.run(["plan"]).code(0).stdout_has(
        "Warning: after apply the monthly cost $269.37 is $19.37 over the budget of $250.00 \
         (budget.maxMonthly in scalesets.yaml); `cost` would exit 3\n",
    );
    let doc = env.run(["plan", "-o", "json"]).code(0).json();
    assert_eq!(doc["costChange"]["budget"]["amountOver"], "19.37");
}

/// Sets priced only by the project's Retail Prices fixture, and one it leaves built in.
const IMPORTED: &str = "prices: retail-prices.json
scaleSets:
  - name: swe
    region: swedencentral
    sku: Standard_D2ads_v5
    capacity: 3
    provisioningTime: 0s
    osDisk: { tier: P10 }
  - name: win
    region: eastus
    sku: Standard_D2ads_v5
    os: windows
    capacity: 1
    provisioningTime: 0s
    osDisk: { tier: P10 }
  - name: spot
    region: eastus
    sku: Standard_D2ads_v5
    priority: Spot
    capacity: 1
    provisioningTime: 0s
    osDisk: { tier: P10 }
";

fn check_imported_prices(doc: &Value) {
    let sets: Vec<&str> = doc["scaleSets"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(sets, ["spot", "swe", "win"]);
    // spot: the Spot row ($0.0206), not the Low Priority one.
    assert_eq!(component(doc, 0, "Compute")["name"], "Compute (Standard_D2ads_v5, Linux, Spot)");
    assert_eq!(component(doc, 0, "Compute")["price"], "0.020600");
    // swe: a size and region the built-in catalog lacks: 3 x $0.112 = $0.336 an hour,
    // $245.28 a month; P10 at the imported $20.28, 3 x = $60.84; total $306.12.
    assert_eq!(component(doc, 1, "Compute")["hourlyCost"], "0.336000");
    assert_eq!(component(doc, 1, "Compute")["monthlyCost"], "245.28");
    assert_eq!(component(doc, 1, "OS disk")["price"], "20.280000");
    assert_eq!(component(doc, 1, "OS disk")["monthlyCost"], "60.84");
    assert_eq!(doc["scaleSets"][1]["monthlyCost"], "306.12");
    // win: the Windows product's Consumption row ($0.195), not DevTest ($0.103), Cloud
    // Services ($0.12) or the Reservation (the term's $541).
    assert_eq!(component(doc, 2, "Compute")["name"], "Compute (Standard_D2ads_v5, Windows)");
    assert_eq!(component(doc, 2, "Compute")["price"], "0.195000");
    let sources = doc["priceSources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    assert!(
        sources[1].as_str().unwrap().starts_with("retail-prices.json (Azure Retail Prices export: 5 VM and 1 disk")
    );
}

#[test]
fn a_retail_prices_export_named_by_the_definition_prices_new_sizes_and_regions() {
    let env = Env::with_definition(IMPORTED);
    env.copy_prices_fixture();
    env.run(["validate"]).code(0);
    env.run(["apply"]).code(0);
    check_imported_prices(&cost(&env));
    // Commands that do not read the definition otherwise still price with its export.
    env.run(["advance", "1h"]).code(0);
    let doc = cost(&env);
    // swe accrued: 0.336 + 60.84 / 730 = 0.41934246...
    assert_eq!(doc["scaleSets"][1]["accruedCost"], "0.419342");
}

#[test]
fn a_retail_prices_export_named_by_the_flag_or_the_environment() {
    let definition = IMPORTED.replace("prices: retail-prices.json\n", "");
    let env = Env::with_definition(&definition);
    env.copy_prices_fixture();
    // Without the export these sizes and regions are unknown.
    env.run(["validate"]).code(65).stderr_has("unknown VM size 'Standard_D2ads_v5'").stderr_has("swedencentral");
    env.run(["--prices", "retail-prices.json", "apply"]).code(0);
    check_imported_prices(&env.run(["--prices", "retail-prices.json", "cost", "-o", "json"]).code(0).json());
    check_imported_prices(
        &env.run_with_env(["cost", "-o", "json"], &[("SCALESET_PRICES", "retail-prices.json")]).code(0).json(),
    );
    // And without it the definition cannot be priced: an error that names what is missing.
    env.run(["cost"]).code(65).stderr_has("Standard_D2ads_v5");
    env.run(["cost", "--basis", "now"]).code(1).stderr_has("Standard_D2ads_v5");
}

#[test]
fn bad_exports_are_errors_naming_file_item_and_field() {
    let env = Env::applied(WEB);
    env.write("eur.json", r#"{"BillingCurrency": "EUR", "Items": []}"#);
    env.run(["--prices", "eur.json", "cost"])
        .code(1)
        .stderr_has("retail prices export eur.json: BillingCurrency is 'EUR': only USD exports are supported");
    env.write(
        "bad.json",
        r#"[{"serviceName": "Virtual Machines", "productName": "Virtual Machines Dv5 Series", "skuName": "D2 v5",
             "armSkuName": "Standard_D2_v5", "armRegionName": "eastus", "unitOfMeasure": "1 Hour",
             "type": "Consumption", "meterId": "m-7", "retailPrice": "cheap"}]"#,
    );
    env.run(["--prices", "bad.json", "cost"]).code(1).stderr_has(
        "retail prices export bad.json: item [0] (meterId 'm-7', armSkuName 'Standard_D2_v5', \
             skuName 'D2 v5'): retailPrice \"cheap\"",
    );
    // Named by the definition: a definition problem (exit 65) at the `prices:` line.
    env.write("scalesets.yaml", format!("{WEB}prices: missing.json\n"));
    env.run(["cost"])
        .code(65)
        .stderr_has("scalesets.yaml:11:1: prices: retail prices export missing.json: no such file");
}

#[test]
fn load_balancer_and_public_ips_are_billed_while_the_set_exists() {
    let env = Env::applied(&web_with(&[(
        "osDisk: { tier: P10 }",
        "osDisk: { tier: P10 }\n    loadBalancer: { rules: 7, dataProcessedGb: 100 }\n    publicIps: 2",
    )]));
    let doc = cost(&env);
    // First 5 rules: $0.025/h = $18.25 a month; 2 more rules at $0.01/h = $14.60; 100 GB at
    // $0.005 = $0.50; 2 public IPs at $0.005/h = $7.30. Together $40.65 a month.
    let lb = component(&doc, 0, "Load balancer (Standard");
    assert_eq!(
        (&lb["quantity"], &lb["unit"], &lb["price"], &lb["monthlyCost"]),
        (&730.into(), &"hours".into(), &"0.025000".into(), &"18.25".into())
    );
    let rules = component(&doc, 0, "Load balancer rules beyond 5");
    assert_eq!((&rules["quantity"], &rules["monthlyCost"]), (&1460.into(), &"14.60".into()));
    let data = component(&doc, 0, "Load balancer data processed");
    assert_eq!((&data["quantity"], &data["unit"], &data["monthlyCost"]), (&100.into(), &"GB".into(), &"0.50".into()));
    let ips = component(&doc, 0, "Public IPv4");
    assert_eq!(
        (&ips["quantity"], &ips["price"], &ips["monthlyCost"]),
        (&1460.into(), &"0.005000".into(), &"7.30".into())
    );
    assert_eq!(doc["totalMonthlyCost"], "310.02");

    // Deallocated VMs stop compute only: disks, load balancer and IPs keep accruing.
    env.run(["deallocate", "web"]).code(0);
    env.run(["advance", "1h"]).code(0);
    // 0.081 (disks) + 0.045 (LB rules) + 0.01 (IPs) + 0.5 / 730 (data) = 0.13668493...
    assert_eq!(cost(&env)["accruedCost"], "0.136685");

    // Adding a load balancer to an existing set is a plan change with its cost.
    env.write("scalesets.yaml", web_with(&[("osDisk: { tier: P10 }", "osDisk: { tier: P10 }\n    publicIps: 1")]));
    env.run(["plan"]).code(0).stdout_has("loadBalancer:").stdout_has("publicIps: 2 -> 1");
}

#[test]
fn network_keys_are_validated() {
    let env = Env::with_definition(&web_with(&[(
        "osDisk: { tier: P10 }",
        "osDisk: { tier: P10 }\n    loadBalancer: { rules: -1 }\n    publicIps: 5000",
    )]));
    env.run(["validate"])
        .code(65)
        .stderr_has("loadBalancer.rules: -1 is out of range (accepted: 0 to 1500)")
        .stderr_has("publicIps: 5000 is out of range (accepted: 0 to 1000)");
}

#[test]
fn commitment_what_ifs_are_labelled_estimates_for_linux_regular_compute() {
    let env = Env::applied(WEB);
    let doc = env.run(["cost", "--commitments", "-o", "json"]).code(0).json();
    let commitments = &doc["commitments"];
    assert!(commitments["note"].as_str().unwrap().starts_with("estimate (typical discount)"));
    let total = &commitments["total"];
    assert_eq!(total["eligibleMonthlyCost"], "210.24");
    assert_eq!(total["payAsYouGoMonthlyCost"], "269.37");
    let options: Vec<(&str, u64, &str)> = total["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["commitment"].as_str().unwrap(),
                o["discountPercent"].as_u64().unwrap(),
                o["monthlyCost"].as_str().unwrap(),
            )
        })
        .collect();
    // Only the compute is discounted; the $59.13 of disks stay: 210.24 x 0.60 + 59.13, etc.
    assert_eq!(
        options,
        [
            ("reservation1Year", 40, "185.27"),
            ("reservation3Years", 61, "141.12"),
            ("savingsPlan1Year", 32, "202.09"),
            ("savingsPlan3Years", 55, "153.74")
        ]
    );
    env.run(["cost", "--commitments"])
        .code(0)
        .stdout_has("What-if, monthly cost under commitments: estimate (typical discount)")
        .stdout_has("1-YEAR RESERVATION (-40%)");
    // Without the flag, no what-if.
    assert!(cost(&env).get("commitments").is_none());

    // Spot and Windows licence-included compute are not eligible.
    for extra in ["priority: Spot", "os: windows"] {
        let env = Env::applied(&web_with(&[("os: linux", extra)]));
        let doc = env.run(["cost", "--commitments", "-o", "json"]).code(0).json();
        let total = &doc["commitments"]["total"];
        assert_eq!(total["eligibleMonthlyCost"], "0.00", "{extra}");
        assert_eq!(total["options"][1]["monthlyCost"], doc["totalMonthlyCost"], "{extra}");
    }
}

#[test]
fn the_fixture_is_a_documented_retail_prices_export() {
    // Two pages as the API returns them, every item with the API's fields.
    let pages: Value = serde_json::from_str(&std::fs::read_to_string(crate::support::PRICES_FIXTURE).unwrap()).unwrap();
    let pages = pages.as_array().unwrap();
    assert_eq!(pages.len(), 2);
    for page in pages {
        assert_eq!(page["BillingCurrency"], "USD");
        assert_eq!(page["Count"].as_u64().unwrap() as usize, page["Items"].as_array().unwrap().len());
        for item in page["Items"].as_array().unwrap() {
            for field in [
                "currencyCode",
                "retailPrice",
                "armRegionName",
                "meterId",
                "productName",
                "skuName",
                "serviceName",
                "unitOfMeasure",
                "type",
                "armSkuName",
            ] {
                assert!(item.get(field).is_some(), "{field} missing in {item}");
            }
        }
    }
}

#[test]
fn the_gate_checks_the_design_not_the_vms_still_creating() {
    // Right after apply the VMs are Creating: only their disks bill, but the design costs
    // $269.37 a month, and that is what the gate checks by default.
    let env = Env::applied(&web_with(&[("provisioningTime: 0s", "provisioningTime: 10m")]));
    env.run(["cost", "--max-monthly", "200"]).code(3).stderr_has("projected monthly cost $269.37");
    env.run(["cost", "--max-monthly", "200", "--basis", "now"])
        .code(0)
        .stdout_has("checked against the run rate now: $59.13");
    let doc = env.run(["cost", "--max-monthly", "200", "-o", "json"]).code(3).json();
    assert_eq!(doc["budget"]["basis"], "defined");
    assert_eq!(doc["budget"]["projectedMonthlyCost"], "269.37");
}

#[test]
fn an_autoscaled_set_is_gated_at_its_maximum_and_shown_with_its_range() {
    let autoscaled = format!(
        "{WEB}    autoscale:\n      profiles:\n        - name: default\n          \
         capacity: {{ minimum: 2, maximum: 6, default: 3 }}\n          rules: []\n"
    );
    let env = Env::with_definition(&autoscaled);
    let doc = cost(&env);
    let set = &doc["defined"]["scaleSets"][0];
    assert_eq!(set["capacity"], 3);
    // Per VM: 0.096 x 730 = 70.08 compute + 19.71 disk = 89.79.
    assert_eq!(set["monthlyCost"], "269.37");
    assert_eq!(set["autoscale"]["minimum"], 2);
    assert_eq!(set["autoscale"]["minMonthlyCost"], "179.58");
    assert_eq!(set["autoscale"]["maxMonthlyCost"], "538.74");
    assert_eq!(doc["defined"]["worstCaseMonthlyCost"], "538.74");
    env.run(["cost", "--max-monthly", "500"]).code(3).stderr_has("projected monthly cost $538.74");
    env.run(["cost", "--max-monthly", "540"]).code(0);
}

#[test]
fn the_simulated_basis_prices_thirty_days_of_the_definitions_load() {
    // A constant load keeps three VMs running: 30 simulated days cost the same as the design.
    let env = Env::with_definition(WEB);
    let doc = env.run(["cost", "--max-monthly", "1000", "--basis", "simulated", "-o", "json"]).code(0).json();
    assert_eq!(doc["budget"]["basis"], "simulated");
    assert_eq!(doc["budget"]["projectedMonthlyCost"], "269.37");
    assert!(!env.exists("scalesets.state.json"), "nothing is written");
    env.run(["cost", "--max-monthly", "100", "--basis", "simulated"]).code(3);
}

#[test]
fn spot_max_price_bounds_the_bill_when_the_spot_price_is_unknown_and_must_not_be_below_it() {
    // Standard_B1s has no Spot price in the catalog: billed at maxPrice, labelled "at most".
    let spot = |extra: &str| {
        format!(
            "scaleSets:\n  - name: spot\n    region: eastus\n    sku: Standard_B1s\n    capacity: 2\n    \
             orchestrationMode: Flexible\n    priority: Spot\n    provisioningTime: 0s\n    osDisk: {{ tier: P10 }}\n{extra}"
        )
    };
    let env = Env::applied(&spot("    maxPrice: 0.005\n"));
    let doc = cost(&env);
    let compute = component(&doc, 0, "Compute");
    assert_eq!(compute["name"], "Compute (Standard_B1s, Linux, Spot at most)");
    assert_eq!(compute["price"], "0.005000");
    // -1 (the default): at most the regular price.
    let env = Env::applied(&spot("    maxPrice: -1\n"));
    assert_eq!(component(&cost(&env), 0, "Compute")["price"], "0.010400");
    // Where the Spot price is known, a maxPrice below it is refused, as Azure would not allocate.
    let known = "scaleSets:\n  - name: s\n    region: eastus\n    sku: Standard_D2s_v5\n    priority: Spot\n    maxPrice: 0.001\n";
    let env = Env::with_definition(known);
    env.run(["validate"]).code(65).stderr_has("maxPrice: 0.001 an hour is below the current Spot price");
    env.define(&known.replace("maxPrice: 0.001", "maxPrice: 1"));
    env.run(["validate"]).code(0);
    env.define(&known.replace("    priority: Spot\n", ""));
    env.run(["validate"]).code(65).stderr_has("maxPrice: applies to Spot VMs only");
}

#[test]
fn a_windows_price_no_source_has_is_a_labelled_estimate_and_strict_prices_refuses_it() {
    // Standard_B2s in eastus has a Linux price and no Windows one in the catalog.
    let def = "scaleSets:\n  - name: win\n    region: eastus\n    sku: Standard_B2s\n    os: windows\n    \
               capacity: 1\n    provisioningTime: 0s\n    osDisk: { tier: P10 }\n";
    let env = Env::with_definition(def);
    let doc = cost(&env);
    let compute = &doc["defined"]["scaleSets"][0]["components"][0];
    assert_eq!(compute["source"], "estimate", "{compute:#}");
    let linux: f64 = 0.0416; // Standard_B2s eastus Linux, from the catalog
    let price: f64 = compute["price"].as_str().unwrap().parse().unwrap();
    assert!(price > linux, "the Linux price plus a licence: {price}");
    env.run(["cost"]).code(0).stdout_has("estimate").stdout_has(
        "Prices: built-in price catalog + estimates (a Windows price: the Linux price + the size family's median Windows licence per vCPU)",
    );
    assert_eq!(
        cost(&env)["priceSources"][1],
        "estimates (a Windows price: the Linux price + the size family's median Windows licence per vCPU)"
    );
    env.run(["--strict-prices", "validate"]).code(65).stderr_has("no Windows price for Standard_B2s in eastus");
    // A disk tier the catalog prices elsewhere: westus2 has no disk price at all, so the
    // tier's price where VM prices are most alike (eastus: the same Linux prices).
    let def = "scaleSets:\n  - name: d\n    region: westus2\n    sku: Standard_B2s\n    \
               capacity: 1\n    provisioningTime: 0s\n    osDisk: { tier: P20 }\n";
    let env = Env::with_definition(def);
    let disk = &cost(&env)["defined"]["scaleSets"][0]["components"][1];
    assert_eq!((disk["price"].as_str(), disk["source"].as_str()), (Some("73.220000"), Some("estimate")), "{disk:#}");
    env.run(["cost"]).code(0).stdout_has("+ estimates (a disk tier:");
    env.run(["--strict-prices", "cost"]).code(65).stderr_has("no monthly price for disk tier P20 in westus2");
    // A price the catalog has is labelled so.
    let env = Env::with_definition(WEB);
    assert_eq!(cost(&env)["defined"]["scaleSets"][0]["components"][0]["source"], "catalog");
}

#[test]
fn data_disks_and_per_vm_public_ips_are_billed_per_vm_and_follow_scaling() {
    let env = Env::applied(&web_with(&[(
        "    osDisk: { tier: P10 }\n",
        "    osDisk: { tier: P10 }\n    dataDisks: [{ tier: P10, count: 2 }, { tier: E30 }]\n    publicIpPerVm: true\n",
    )]));
    let doc = cost(&env);
    // 3 VMs x 2 P10 data disks: 6 disk-months at $19.71; one E30 each: 3 at $76.80.
    let p10 = component(&doc, 0, "Data disks (P10)");
    assert_eq!((p10["quantity"].as_u64(), p10["price"].as_str()), (Some(6), Some("19.710000")));
    assert_eq!(component(&doc, 0, "Data disks (E30)")["quantity"], 3);
    // One public IP per VM: 3 x 730 h.
    assert_eq!(component(&doc, 0, "Public IPv4 addresses (Standard, one per VM)")["quantity"], 2190);
    env.ok(["scale", "web", "--capacity", "5"]);
    let doc = cost(&env);
    assert_eq!(component(&doc, 0, "Data disks (P10)")["quantity"], 10);
    assert_eq!(component(&doc, 0, "Public IPv4 addresses (Standard, one per VM)")["quantity"], 3650);
    // A tier that does not exist, or too many disks, is named.
    let bad = Env::with_definition(&web_with(&[(
        "    osDisk: { tier: P10 }\n",
        "    dataDisks: [{ tier: P11, count: 65 }]\n",
    )]));
    bad.run(["validate"]).code(65).stderr_has("dataDisks[0].tier").stderr_has("dataDisks[0].count");
}
