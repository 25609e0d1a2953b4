//! `sweep`: one set simulated once per combination of `--vary` values over the same load.

use crate::support::{Env, one_set};

/// A diurnal load peaking at six VMs' worth of CPU, and a two-rule autoscale setting.
fn web() -> String {
    one_set(
        "web",
        "capacity: 2
provisioningTime: 2m
load:
  - metric: Percentage CPU
    diurnal: { trough: 60, peak: 600, peakHour: 14 }
autoscale:
  profiles:
    - name: default
      capacity: { minimum: 2, maximum: 10, default: 2 }
      rules:
        - metricTrigger: { metricName: Percentage CPU, timeGrain: PT1M, statistic: Average, timeWindow: PT5M, timeAggregation: Average, operator: GreaterThan, threshold: 70 }
          scaleAction: { direction: Increase, type: ChangeCount, value: 1, cooldown: PT5M }
        - metricTrigger: { metricName: Percentage CPU, timeGrain: PT1M, statistic: Average, timeWindow: PT10M, timeAggregation: Average, operator: LessThan, threshold: 30 }
          scaleAction: { direction: Decrease, type: ChangeCount, value: 1, cooldown: PT10M }",
    )
}

#[test]
fn a_grid_of_thresholds_and_maximums_shows_the_frontier_and_picks_the_cheapest_meeting_the_slo() {
    let env = Env::with_definition(&web());
    let doc = env.json([
        "sweep",
        "--duration",
        "2d",
        "--vary",
        "rules[0].threshold=60..80:10",
        "--vary",
        "capacity.maximum=4,8",
        "--slo",
        "unserved<=0.5%",
    ]);
    let variants = doc["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 6, "3 thresholds x 2 maximums");
    assert_eq!(variants[0]["values"], serde_json::json!(["60", "4"]));
    assert_eq!(variants[5]["values"], serde_json::json!(["80", "8"]));
    // Four VMs cannot serve a peak of six: demand goes unserved; eight can.
    let unserved = |i: usize| variants[i]["unservedDemand"].as_f64().unwrap();
    let cost = |i: usize| variants[i]["monthlyCost"].as_str().unwrap().parse::<f64>().unwrap();
    assert!(unserved(0) > 5.0 && unserved(1) < 0.5, "{} {}", unserved(0), unserved(1));
    // The definition as written (threshold 70, maximum 10) is a row of its own.
    assert_eq!(doc["defined"]["defined"], true);
    // Nothing on the frontier is beaten on both cost and unserved demand by another variant.
    for (i, v) in variants.iter().enumerate() {
        let beaten = (0..variants.len()).any(|j| {
            j != i
                && cost(j) <= cost(i)
                && unserved(j) <= unserved(i)
                && (cost(j) < cost(i) || unserved(j) < unserved(i))
        });
        assert_eq!(v["onFrontier"].as_bool().unwrap(), !beaten, "variant {i}: {v:#}");
    }
    // The pick meets the objective and nothing meeting it is cheaper.
    let pick = doc["pick"].as_u64().unwrap() as usize;
    let meets = |i: usize| variants[i]["unservedPercent"].as_f64().unwrap() <= 0.5;
    assert!(meets(pick));
    assert!((0..variants.len()).filter(|&i| meets(i)).all(|i| cost(i) >= cost(pick)));

    // The table marks them and prints the pick as a patch of the definition.
    env.run([
        "sweep",
        "--duration",
        "2d",
        "--vary",
        "rules[0].threshold=60..80:10",
        "--vary",
        "capacity.maximum=4,8",
        "--slo",
        "unserved<=0.5%",
    ])
    .code(0)
    .stdout_has("RULES[0].THRESHOLD  CAPACITY.MAXIMUM")
    .stdout_has("(as defined)")
    .stdout_has("frontier")
    .stdout_has("pick")
    .stdout_has("# the cheapest variant meeting unserved<=0.5%")
    .stdout_has("capacity.maximum: 8\n");
    // An objective nothing meets: exit 1, naming the closest variant.
    env.run(["sweep", "--duration", "2d", "--vary", "capacity.maximum=3,4", "--slo", "unserved<=0.01"])
        .code(1)
        .stderr_has("no variant meets unserved<=0.01; the closest: capacity.maximum=4");
}

#[test]
fn a_larger_size_faces_the_same_load_in_its_own_units() {
    let env = Env::with_definition(&web());
    let doc = env.json(["sweep", "--duration", "1d", "--vary", "sku=Standard_D2s_v5,Standard_D4s_v5"]);
    let avg = |i: usize| doc["variants"][i]["avgInstances"].as_f64().unwrap();
    // Twice the vCPUs: the same demand is half the CPU of one VM, so fewer VMs run.
    assert!(avg(1) < avg(0) * 0.75, "{} vs {}", avg(1), avg(0));
    // --no-rescale: the load as written, so the same number of VMs.
    let same = env.json(["sweep", "--duration", "1d", "--vary", "sku=Standard_D2s_v5,Standard_D4s_v5", "--no-rescale"]);
    assert_eq!(same["variants"][0]["avgInstances"], same["variants"][1]["avgInstances"]);
}

#[test]
fn the_definition_as_written_reproduces_simulate() {
    let env = Env::with_definition(&web());
    let sim = env.json(["simulate", "--duration", "2d"]);
    let sweep = env.json(["sweep", "--duration", "2d", "--vary", "rules[0].threshold=70"]);
    for doc in [&sweep["defined"], &sweep["variants"][0]] {
        assert_eq!(doc["unservedDemand"], sim[0]["unservedDemand"]);
        assert_eq!(doc["scaleActions"], sim[0]["scaleActions"]);
        assert_eq!(doc["avgInstances"], sim[0]["avgInstances"]);
        let cents = |m: &serde_json::Value| (m.as_str().unwrap().parse::<f64>().unwrap() * 100.0).round();
        assert_eq!(cents(&doc["cost"]), cents(&sim[0]["cost"]));
    }
}

#[test]
fn the_output_is_the_same_whatever_the_number_of_threads() {
    let env = Env::with_definition(&web());
    let args = [
        "sweep",
        "--duration",
        "1d",
        "--vary",
        "rules[0].threshold=50..90:10",
        "--vary",
        "rules[*].cooldown=5m,15m",
        "-o",
        "json",
    ];
    let one = env.run_with_env(args, &[("RAYON_NUM_THREADS", "1")]).code(0).stdout.clone();
    let four = env.run_with_env(args, &[("RAYON_NUM_THREADS", "4")]).code(0).stdout.clone();
    assert_eq!(one, four);
}

#[test]
fn mistakes_are_usage_errors_that_say_what_is_accepted() {
    let env = Env::with_definition(&web());
    let sweep = |vary: &str| env.run(["sweep", "--duration", "1h", "--vary", vary]);
    sweep("rules[0].treshold=5").code(64).stderr_has("unknown path 'rules[0].treshold'; accepted: sku");
    sweep("rules[0].threshold=90..60:5").code(64).stderr_has("inverted");
    sweep("rules[5].threshold=60").code(64).stderr_has("profile 'default' has 2 rule(s), numbered from 0");
    sweep("sku=Standard_D2s_v9").code(64).stderr_has("unknown VM size 'Standard_D2s_v9'");
    sweep("rules[0].threshold=0..999:1").code(0);
    env.run(["sweep", "--duration", "1h", "--vary", "rules[0].threshold=0..999:1", "--vary", "rules[0].value=1..20:1"])
        .code(64)
        .stderr_has("20000 variants; a sweep runs at most 10000");
    env.run(["sweep", "nosuch", "--duration", "1h", "--vary", "sku=Standard_D2s_v5"])
        .code(64)
        .stderr_has("no scale set 'nosuch'");
    env.run(["sweep", "--duration", "1h", "--vary", "sku=Standard_D2s_v5", "--slo", "latency<=5"])
        .code(64)
        .stderr_has("accepted: unserved<=PERCENT%");
}

#[test]
fn the_frontier_as_an_svg_and_never_over_the_state_or_definition() {
    let env = Env::with_definition(&web());
    let args = ["sweep", "--duration", "1d", "--vary", "capacity.maximum=3..6:1", "--slo", "unserved<=1%", "--svg"];
    env.run(args.iter().copied().chain(["f.svg"])).code(0).stderr_has("chart written to f.svg");
    let svg = env.read_text("f.svg");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<circle cx=").count(), 4 + 4 + 1, "4 variants, 4 legend dots, the pick's ring");
    assert!(svg.contains("cost, USD a month (730 h)") && svg.contains("unserved demand, VM-hours"));
    assert!(svg.contains("<title>pick: capacity.maximum="));
    let before = env.read("scalesets.yaml");
    env.run(args.iter().copied().chain(["scalesets.yaml"])).code(64).stderr_has("the definition");
    assert_eq!(env.read("scalesets.yaml"), before);
}

#[test]
fn samples_draw_a_seeded_subset_of_a_grid_too_large_to_run() {
    let env = Env::with_definition(&web());
    let args =
        ["sweep", "--duration", "6h", "--vary", "rules[0].threshold=0..100:1", "--vary", "rules[1].threshold=0..100:1"];
    env.run(args).code(64).stderr_has("10201 variants; a sweep runs at most 10000").stderr_has("--samples N");
    let sampled = |seed: &str| {
        env.run_seeded(seed, args.iter().copied().chain(["--samples", "20", "-o", "json"])).code(0).stdout.clone()
    };
    let doc: serde_json::Value = serde_json::from_str(&sampled("1")).unwrap();
    let variants = doc["variants"].as_array().unwrap();
    assert!(variants.len() <= 20 && variants.len() >= 18, "20 draws, repeats dropped: {}", variants.len());
    // Every fifth of the first threshold's range is sampled.
    for fifth in 0..5 {
        assert!(
            variants.iter().any(|v| v["values"][0].as_str().unwrap().parse::<u32>().unwrap() / 21 == fifth),
            "fifth {fifth}"
        );
    }
    assert_eq!(sampled("1"), sampled("1"), "the same seed, the same sample");
    assert_ne!(sampled("1"), sampled("2"));
}

#[test]
fn the_report_page_holds_the_frontier_the_variants_the_pick_and_its_run() {
    let env = Env::with_definition(&web());
    env.run([
        "sweep",
        "--duration",
        "1d",
        "--vary",
        "rules[0].threshold=60,90",
        "--slo",
        "unserved<=1%",
        "--report",
        "r.html",
        "--svg",
        "f.svg",
    ])
    .code(0)
    .stderr_has("report written to r.html")
    .stderr_has("chart written to f.svg");
    let html = env.read_text("r.html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(
        !html.contains("<script") && !html.contains("http://") || html.contains("xmlns=\"http://www.w3.org/2000/svg\"")
    );
    for part in ["<h2>Frontier</h2>", "<h2>Pick</h2>", "<table id=\"variants\">", "<h2>The pick's run</h2>"] {
        assert!(html.contains(part), "{part}");
    }
    // The pick's run is drawn with the pick's threshold, not the definition's.
    let picked = if html.contains("rules[0].threshold: 90") { "&gt; 90" } else { "&gt; 60" };
    assert!(html.contains(picked), "the chart shows the pick's threshold {picked}");
    env.run(["sweep", "--duration", "1h", "--vary", "rules[0].threshold=60", "--report", "x.html", "--svg", "x.html"])
        .code(64)
        .stderr_has("both name x.html");
}

#[test]
fn the_picks_run_as_a_timeline_needs_an_objective() {
    let env = Env::with_definition(&web());
    let sweep = ["sweep", "--duration", "2h", "--vary", "capacity.maximum=3,8", "--timeline-best", "best.csv"];
    env.run(sweep).code(64).stderr_has("give --slo to pick one");
    assert!(!env.exists("best.csv"));
    env.run(sweep.iter().copied().chain(["--slo", "unserved<=5%"])).code(0).stderr_has("timeline written to best.csv");
    let text = env.read_text("best.csv");
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with("minute,"), "{}", rows[0]);
    assert_eq!(rows.len(), 1 + 120, "a header and one row per minute");
    // Nothing meets it: no file, said so, exit 1.
    env.run([
        "sweep",
        "--duration",
        "1h",
        "--vary",
        "capacity.maximum=3",
        "--slo",
        "unserved<=0",
        "--timeline-best",
        "none.csv",
    ])
    .code(1)
    .stderr_has("--timeline-best none.csv: not written");
    assert!(!env.exists("none.csv"));
}

#[test]
fn the_sweep_table_and_patch() {
    let env = Env::with_definition(&web());
    let out = env
        .run([
            "sweep",
            "--duration",
            "1d",
            "--vary",
            "rules[0].threshold=60,80",
            "--vary",
            "capacity.maximum=4,8",
            "--slo",
            "unserved<=1%",
        ])
        .code(0)
        .stdout;
    insta::assert_snapshot!("sweep_table", out);
}

#[test]
fn the_spot_priority_mix_is_a_setting_to_sweep() {
    let env = Env::with_definition(&one_set(
        "batch",
        "    orchestrationMode: Flexible\n    platformFaultDomainCount: 1\n    capacity: 8\n    priority: Spot\n    \
         evictionPolicy: Delete\n    priorityMix: { baseRegularPriorityCount: 1, regularPriorityPercentageAboveBase: 50 }\n",
    ));
    let out = env.json([
        "sweep",
        "--duration",
        "1d",
        "--vary",
        "priorityMix.regularPriorityPercentageAboveBase=0..100:50",
        "--vary",
        "priorityMix.baseRegularPriorityCount=0,4",
    ]);
    let variants = out["variants"].as_array().expect("variants");
    assert_eq!(variants.len(), 6);
    // More regular-priority VMs cost more: at each base, the cost rises with the percentage.
    let cost = |pct: &str, base: &str| {
        variants
            .iter()
            .find(|v| v["values"][0] == pct && v["values"][1] == base)
            .map(|v| crate::support::money(&v["monthlyCost"]))
            .expect("variant")
    };
    assert!(cost("0", "0") < cost("50", "0") && cost("50", "0") < cost("100", "0"));
    assert!(cost("0", "0") < cost("0", "4"));
    env.run(["sweep", "--duration", "1d", "--vary", "priorityMix.regularPriorityPercentageAboveBase=0,120"])
        .code(64)
        .stderr_has("a whole number from 0 to 100");
    let web = Env::with_definition(crate::support::WEB);
    web.run(["sweep", "--duration", "1d", "--vary", "priorityMix.baseRegularPriorityCount=1,2"])
        .code(64)
        .stderr_has("has no priorityMix");
}
