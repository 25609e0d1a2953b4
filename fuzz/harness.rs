//! What the fuzz targets check, shared with the regression tests (`tests/hostile/`), which
//! replay every reproducer kept in `tests/corpus/fuzz/` through the same code. Plain Rust on
//! the `scaleset` library: no fuzzing crate needed to build it.
//!
//! - [`definition`]: any bytes given to the definition loader give a definition or a list of
//!   problems, never a panic; a definition it accepts creates its sets, which hold the state
//!   invariants.
//! - [`engine_ops`]: the bytes choose a scale set (one of [`SETS`]) and a sequence of commands
//!   (scale, delete VMs, protect, power operations, evict, advance the clock). After every step
//!   the state invariants hold (`State::check`), a refused command changed nothing, instance
//!   IDs only go up, and while nothing but capacity changes touched a zonal set with best-effort
//!   balance, its zones stay within one VM of each other. At the end the state survives a JSON
//!   round trip.

#![allow(dead_code)] // each user takes one of the two entry points

use jiff::Timestamp;
use scaleset::cost::catalog::Catalog;
use scaleset::engine::{capacity, clock, power, protect};
use scaleset::model::duration::Duration;
use scaleset::model::instance::Operation;
use scaleset::model::state::State;
use scaleset::sim::load::Load;

/// The scale sets a sequence may run on: one of each orchestration mode, zonal and regional,
/// each scale-in policy, strict balance, overprovisioning, Spot with a priority mix, automatic
/// repairs and autoscale.
pub const SETS: [&str; 6] = [
    "scaleSets:\n  - name: web\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: 4\n    \
     orchestrationMode: Uniform\n    singlePlacementGroup: false\n    overprovision: false\n    \
     zones: [1, 2, 3]\n    provisioningTime: 0s\n",
    "scaleSets:\n  - name: api\n    region: westeurope\n    sku: Standard_D4s_v5\n    capacity: 3\n    \
     orchestrationMode: Flexible\n    platformFaultDomainCount: 3\n    provisioningTime: 2m\n    \
     scaleInPolicy: { rules: [NewestVM] }\n",
    "scaleSets:\n  - name: jobs\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: 6\n    \
     orchestrationMode: Uniform\n    zones: [1, 2, 3]\n    zoneBalance: true\n    overprovision: true\n    \
     scaleInPolicy: { rules: [OldestVM] }\n",
    "scaleSets:\n  - name: spot\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: 5\n    \
     orchestrationMode: Flexible\n    zones: [1, 2]\n    priority: Spot\n    evictionPolicy: Delete\n    \
     priorityMix: { baseRegularPriorityCount: 1, regularPriorityPercentageAboveBase: 50 }\n",
    "scaleSets:\n  - name: heal\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: 4\n    \
     orchestrationMode: Uniform\n    overprovision: false\n    provisioningTime: 1m\n    \
     automaticRepairs: { enabled: true, gracePeriod: 10m }\n    \
     upgradePolicy: { mode: Rolling }\n",
    "scaleSets:\n  - name: auto\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: 2\n    \
     orchestrationMode: Uniform\n    overprovision: false\n    zones: [1, 2, 3]\n    provisioningTime: 0s\n    \
     autoscale:\n      profiles:\n        - name: default\n          capacity: { minimum: 1, maximum: 8, default: 2 }\n          \
     rules:\n            - { condition: \"Percentage CPU > 70 avg 5m\", scale: out 2, cooldown: 5m }\n            \
     - { condition: \"Percentage CPU < 20 avg 10m\", scale: in 1, cooldown: 5m }\n",
];

const START: &str = "2026-01-05T08:00:00Z";

/// The definition loader on any bytes.
pub fn definition(bytes: &[u8]) {
    let catalog = Catalog::builtin();
    match scaleset::spec::parse_definition("fuzz.yaml", bytes, catalog) {
        Err(problems) => assert!(!problems.to_string().is_empty(), "a refusal says why"),
        Ok(defs) => {
            let now: Timestamp = START.parse().expect("time");
            let mut state = State::new(0, now);
            for def in &defs {
                let (set, _) = capacity::create_set(def, now)
                    .unwrap_or_else(|e| panic!("a valid definition creates its sets: {e}"));
                if state.set(&set.config.name).is_none() {
                    state.insert_set(set);
                }
            }
            state.check().unwrap_or_else(|e| panic!("fresh sets hold the invariants: {e}"));
        }
    }
}

/// Reads the fuzzer's bytes as small numbers.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from(self.byte()?) << 8 | u16::from(self.byte()?))
    }

    /// One to four instance IDs, mostly near the ones in use, sometimes far off.
    fn ids(&mut self, next: u32) -> Option<Vec<u32>> {
        let n = self.byte()? % 4 + 1;
        (0..n).map(|_| self.byte().map(|b| if b == 255 { u32::MAX } else { u32::from(b) % (next + 3) })).collect()
    }
}

fn zone_spread(state: &State) -> Option<u32> {
    let set = &state.scale_sets[0];
    if set.config.zones.len() < 2 {
        return None;
    }
    let counts: Vec<u32> = set
        .config
        .zones
        .iter()
        .map(|z| u32::try_from(set.instances.iter().filter(|i| i.zone == Some(*z)).count()).unwrap_or(u32::MAX))
        .collect();
    Some(counts.iter().max()? - counts.iter().min()?)
}

/// A sequence of commands through the engine.
pub fn engine_ops(data: &[u8]) {
    let mut input = Bytes(data);
    let Some(choice) = input.byte() else { return };
    let catalog = Catalog::builtin();
    let text = SETS[usize::from(choice) % SETS.len()];
    let defs =
        scaleset::spec::parse_definition("fuzz.yaml", text.as_bytes(), catalog).expect("the fuzz sets are valid");
    let start: Timestamp = START.parse().expect("time");
    let mut state = State::new(u64::from(choice), start);
    let (set, _) = capacity::create_set(&defs[0], start).expect("create");
    state.insert_set(set);
    let load = Load::default();
    // Only capacity changes so far: zones must stay balanced (a best-effort set's promise).
    let mut only_scaling = true;
    let mut steps = 0;

    while let Some(op) = input.byte() {
        steps += 1;
        if steps > 64 {
            break;
        }
        let before = state.clone();
        let now = state.clock;
        let next_id = state.scale_sets[0].next_instance_id;
        let set = &mut state.scale_sets[0];
        let (result, scaling) = match op % 8 {
            0 | 1 => {
                let Some(raw) = input.u16() else { break };
                let target = i64::from(raw % 1100) - 50;
                (capacity::scale_to(set, target, now, "fuzz").map(|_| ()), true)
            }
            2 => {
                let Some(ids) = input.ids(next_id) else { break };
                (capacity::delete_instances(set, &ids, now).map(|_| ()), false)
            }
            3 => {
                let (Some(ids), Some(how)) = (input.ids(next_id), input.byte()) else { break };
                (protect::set_protection(set, &ids, how & 1 == 1, how & 2 == 2, now).map(|_| ()), false)
            }
            4 => {
                let Some(which) = input.byte() else { break };
                let ops =
                    [Operation::Start, Operation::Stop, Operation::Deallocate, Operation::Restart, Operation::Reimage];
                let op = ops[usize::from(which) % ops.len()];
                let ids = if which & 0x80 == 0 { None } else { input.ids(next_id) };
                (power::operate(set, op, ids.as_deref(), now).map(|_| ()), false)
            }
            5 => {
                let Some(ids) = input.ids(next_id) else { break };
                (power::evict(set, &ids, now).map(|_| ()), false)
            }
            _ => {
                let Some(raw) = input.u16() else { break };
                // Mostly minutes, now and then hours (each minute is a step of every policy).
                let seconds = if raw >= 0xf000 { u64::from(raw - 0xf000) * 2 } else { u64::from(raw % 900) };
                let duration = Duration::from_secs(seconds);
                (clock::advance(&mut state, duration, catalog, &load, None).map(|_| ()), false)
            }
        };
        match result {
            Ok(()) => only_scaling &= scaling,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                assert_eq!(state, before, "a refused command changes nothing ({e})");
            }
        }
        state.check().unwrap_or_else(|e| panic!("step {steps} (op {op}) broke the state: {e}"));
        let set = &state.scale_sets[0];
        assert!(set.next_instance_id >= before.scale_sets[0].next_instance_id, "IDs only go up");
        assert!(state.clock >= before.clock, "the clock only goes forward");
        if only_scaling
            && !set.config.zone_balance
            && set.instances.iter().all(|i| !i.protect_from_scale_in)
            && let Some(spread) = zone_spread(&state)
        {
            assert!(spread <= 1, "zones more than one VM apart after scaling only: {spread}");
        }
    }

    let json = serde_json::to_vec(&state).expect("serialize");
    let back: State = serde_json::from_slice(&json).expect("a written state reads back");
    assert_eq!(back, state, "JSON round trip");
}

/// The small parsers of user input, chosen by the first byte: a load CSV, a `--load` spec, a
/// duration, an RFC 3339 time, a state location with its credentials, an amount of money, a metric export (timestamped CSV or
/// `az monitor metrics` JSON). Each gives a value or an error that says
/// something, never a panic; what it accepts is in range (load values finite and capped, a
/// duration that displays and parses back to itself, money that round-trips).
pub fn inputs(bytes: &[u8]) {
    let Some((&which, rest)) = bytes.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    match which % 8 {
        0 => match scaleset::sim::load::parse_csv("fuzz.csv", &text, &["web", "api"]) {
            Err(e) => assert!(e.to_string().starts_with("fuzz.csv"), "the error names the file: {e}"),
            Ok(sources) => {
                for s in sources {
                    let scaleset::model::load::Signal::Trace { rows } = &s.signal else { panic!("a trace") };
                    assert!(!rows.is_empty());
                    assert!(rows.windows(2).all(|w| w[0].0 < w[1].0), "minutes ascend");
                    assert!(rows.iter().all(|(_, v)| scaleset::model::load::is_load_value(*v)));
                }
            }
        },
        1 => match scaleset::sim::load::parse_spec(&text, &["web", "api"]) {
            Err(e) => assert!(!e.to_string().is_empty()),
            Ok(source) => {
                assert!(scaleset::model::load::is_load_value(source.noise));
                for minute in [0, 1, 59, 1440, 525_600] {
                    let v = source.value(7, "web", minute, 0, 13.5);
                    assert!(v.is_finite() && v >= 0.0, "{text:?} at {minute}: {v}");
                }
            }
        },
        2 => {
            if let Ok(d) = text.parse::<Duration>() {
                assert_eq!(d.to_string().parse::<Duration>().expect("a shown duration parses"), d);
            }
        }
        3 => {
            let _ = text.parse::<Timestamp>();
        }
        5 => {
            let opts = scaleset::sim::trace::TraceOptions::default();
            match scaleset::sim::trace::parse("fuzz.csv", &text, &opts) {
                Err(e) => assert!(e.to_string().starts_with("fuzz.csv"), "the error names the file: {e}"),
                Ok(columns) => {
                    for (_, signal) in columns {
                        let scaleset::model::load::Signal::Series(series) = signal else { panic!("a series") };
                        for minute in [0, 1, 59, 1440, 525_600] {
                            if let Some(v) = series.value(minute, 29_460_000 + i64::try_from(minute).unwrap_or(0)) {
                                assert!(scaleset::model::load::is_load_value(v), "{v}");
                            }
                        }
                    }
                }
            }
        }
        6 => match scaleset::sweep::vary::parse(&text) {
            Err(e) => assert!(e.starts_with("--vary '"), "the error names the argument: {e}"),
            Ok(vary) => {
                assert!(!vary.values.is_empty() && vary.values.len() <= scaleset::sweep::vary::MAX_VARIANTS);
                // Applied to a set with an autoscale setting: a value or a clear refusal.
                let yaml = SETS.iter().find(|s| s.contains("autoscale:")).expect("a set with autoscale");
                let mut def = scaleset::spec::parse_definition("fuzz.yaml", yaml.as_bytes(), Catalog::builtin())
                    .expect("valid")
                    .remove(0);
                for value in vary.values.iter().take(16) {
                    if let Err(e) = scaleset::sweep::vary::apply(&mut def, &vary, value) {
                        assert!(e.starts_with("--vary "), "{e}");
                    }
                }
            }
        },
        4 => state_location(&text),
        7 => match scaleset::sweep::frontier::parse(&text) {
            Err(e) => assert!(e.starts_with("--slo '"), "the error names the argument: {e}"),
            Ok(objective) => assert!(objective.bounds.iter().all(|(_, b)| b.is_finite() && *b >= 0.0)),
        },
        _ => {
            if let Ok(m) = scaleset::model::money::Money::parse(&text) {
                assert_eq!(scaleset::model::money::Money::parse(&m.to_string()), Ok(m), "money round-trips");
                let _ = m.format_usd();
            }
        }
    }
}

/// A `--state` value (first line) and a connection string (the rest): a location or a
/// refusal that says what is accepted; a parsed URL shows as itself; credentials are taken or
/// refused without a key or signature ever appearing in the message.
fn state_location(text: &str) {
    use scaleset::store::Location;
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    match Location::parse(std::path::Path::new(first)) {
        Err(e) => assert!(e.to_string().contains("accepted") || e.to_string().contains("longer"), "{e}"),
        Ok(Location::Local(_)) => {}
        Ok(Location::AzureBlob(url)) => {
            let shown = url.to_string();
            assert_eq!(Location::parse(std::path::Path::new(&shown)).ok(), Some(Location::AzureBlob(url.clone())));
            let env = |name: &str| (name == "AZURE_STORAGE_CONNECTION_STRING").then(|| rest.to_owned());
            if let Err(e) = scaleset::store::azure_access(&url, env) {
                let message = e.to_string();
                for pair in rest.split(';') {
                    if let Some((key, value)) = pair.split_once('=') {
                        let secret =
                            ["accountkey", "sharedaccesssignature"].contains(&key.trim().to_ascii_lowercase().as_str());
                        // (A value that is also part of the URL may be shown as the URL.)
                        let key_names = rest
                            .split(';')
                            .filter_map(|p| p.split_once('='))
                            .map(|(k, _)| k.trim().to_ascii_lowercase());
                        let also_a_key = key_names.clone().any(|k| k == value.trim().to_ascii_lowercase());
                        // Keys and signatures are base64 and URL-query text: only such values
                        // count (others can be matched by chance by the message's own text).
                        let secret_like = value.trim().len() >= 12
                            && value.trim().bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=%&".contains(&b));
                        if secret && secret_like && !first.contains(value.trim()) && !also_a_key {
                            assert!(!message.contains(value.trim()), "a secret in {message:?}");
                        }
                    }
                }
            }
        }
        Ok(Location::S3(url)) => {
            let shown = url.to_string();
            assert_eq!(Location::parse(std::path::Path::new(&shown)).ok(), Some(Location::S3(url.clone())));
            let env = |name: &str| match name {
                "AWS_ACCESS_KEY_ID" => Some("AKIA".to_owned()),
                "AWS_SECRET_ACCESS_KEY" => Some("SECRETSECRET".to_owned()),
                "AWS_ENDPOINT_URL" => Some(rest.to_owned()),
                _ => None,
            };
            if let Err(e) = scaleset::store::aws_access(&url, env) {
                assert!(!e.to_string().contains("SECRETSECRET"), "{e}");
            }
        }
    }
}

/// A Retail Prices export on any bytes: an import or an error naming the file, never a panic;
/// every price it imports is non-negative and at most the documented cap.
pub fn prices_export(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    match scaleset::cost::retail::parse("fuzz.json", &text) {
        Err(e) => assert!(e.to_string().contains("fuzz.json"), "the error names the file: {e}"),
        Ok(import) => {
            let mut catalog = Catalog::builtin().clone();
            import.overlay(&mut catalog);
            for size in catalog.size_names().collect::<Vec<_>>() {
                for region in catalog.regions().collect::<Vec<_>>() {
                    for os in [scaleset::cost::catalog::Os::Linux, scaleset::cost::catalog::Os::Windows] {
                        if let Ok(p) = catalog.vm_hourly(size, region, os, false) {
                            assert!(!p.is_negative() && p <= scaleset::cost::retail::MAX_UNIT_PRICE);
                        }
                    }
                }
            }
        }
    }
}

/// Output paths a command sequence may aim `--svg` and `--timeline` at: the state and its
/// neighbours among them, which must never be touched.
const OUTPUTS: [&str; 9] = [
    "scalesets.state.json",
    "scalesets.state.json.lock",
    "scalesets.state.json.backup",
    "scalesets.yaml",
    "/dev/full",
    "out.svg",
    "dir",
    "missing/t.csv",
    "link-to-state",
];

// Short runs (a long one is a slow input, not a finding), and two past the ten-year cap.
const DURATIONS: [&str; 8] = ["0s", "1m", "17m", "2h", "1d", "PT90M", "3661d", "99999999999999999999w"];

/// Command sequences through the command line, run in-process in a scratch directory: the
/// bytes choose commands, flags, durations and output paths (the state, its lock, its backup
/// and the definition among them). After every command the state file reads back; a command
/// that failed left it byte for byte as it was; the definition is never touched.
pub fn commands(bytes: &[u8]) {
    use std::path::PathBuf;
    static ROOT: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let root = ROOT.get_or_init(|| tempfile::tempdir().expect("scratch directory"));
    let dir = root.path().join("case");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("dir")).expect("scratch");
    let definition = SETS[5].replace("name: auto", "name: web");
    std::fs::write(dir.join("scalesets.yaml"), &definition).expect("definition");
    let _ = std::os::unix::fs::symlink(dir.join("scalesets.state.json"), dir.join("link-to-state"));
    let state_path = dir.join("scalesets.state.json");
    let path = |name: &str| -> String {
        if name.starts_with('/') { name.to_owned() } else { dir.join(name).display().to_string() }
    };
    let run = |args: Vec<String>| -> bool {
        let mut all: Vec<String> = vec![
            "scaleset".into(),
            "--file".into(),
            path("scalesets.yaml"),
            "--state".into(),
            state_path.display().to_string(),
            "--start-time".into(),
            START.into(),
            "--seed".into(),
            "1".into(),
            "--lock-timeout".into(),
            "0s".into(),
        ];
        all.extend(args);
        match <scaleset::cli::Cli as clap::Parser>::try_parse_from(&all) {
            Err(_) => false,
            Ok(cli) => scaleset::commands::run(cli).is_ok_and(|code| code == std::process::ExitCode::SUCCESS),
        }
    };
    run(vec!["apply".into()]);
    for pair in bytes.chunks(3).take(12) {
        let (op, a, b) = (pair[0], pair.get(1).copied().unwrap_or(0), pair.get(2).copied().unwrap_or(0));
        let out = |k: u8| path(OUTPUTS[usize::from(k) % OUTPUTS.len()]);
        let duration = DURATIONS[usize::from(a) % DURATIONS.len()].to_owned();
        let mut args: Vec<String> = match op % 7 {
            0 => vec!["advance".into(), duration, "--load".into(), format!("Percentage CPU={}", u32::from(b) * 10)],
            1 => vec!["simulate".into(), "--duration".into(), duration],
            2 => vec!["scale".into(), "web".into(), "--capacity".into(), (b % 12).to_string()],
            3 => vec!["-o".into(), "json".into(), "events".into(), "--tail".into(), b.to_string()],
            4 => vec!["delete".into(), "web".into(), "--instances".into(), (b % 8).to_string()],
            5 => vec!["cost".into(), "--max-monthly".into(), format!("{}.5", u32::from(b) * 7)],
            _ => vec!["--keep-events".into(), (10 + u32::from(b)).to_string(), "advance".into(), "5m".into()],
        };
        if op % 7 <= 1 {
            if b & 1 == 1 {
                args.extend(["--svg".into(), out(b >> 1)]);
            }
            if b & 2 == 2 {
                args.extend(["--timeline".into(), out(b >> 3)]);
            }
        }
        let before = std::fs::read(&state_path).ok();
        let ok = run(args.clone());
        let after = std::fs::read(&state_path).ok();
        if !ok {
            assert_eq!(before, after, "a failed command changed the state: {args:?}");
        }
        if after.is_some() {
            let _ = scaleset::store::read_state(&PathBuf::from(&state_path)).expect("the state reads back");
        }
        assert_eq!(std::fs::read_to_string(dir.join("scalesets.yaml")).expect("definition"), definition, "{args:?}");
    }
}

/// `import` on any bytes. The first byte chooses: even, the rest is a document (`az` JSON, a
/// REST body, an ARM template); odd, the rest is an ARM expression, placed as a scale set's
/// name in a template and also evaluated alone. Never a panic or a hang; a refusal says why;
/// what is written has one value or comment per line (no text from the input breaks a line),
/// and the same input gives the same output.
pub fn import(bytes: &[u8]) {
    use scaleset::import::{Input, Options, import};
    let Some((&which, rest)) = bytes.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let mut options = Options { location: Some("eastus".to_owned()), ..Options::default() };
    options.params.insert("prefix".to_owned(), "web".to_owned());
    let document = if which % 2 == 0 {
        text.into_owned()
    } else {
        if let Ok(expr) = scaleset::import::expr::parse(&text) {
            let _ = format!("{expr:?}");
        }
        serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "parameters": { "prefix": { "type": "string" }, "n": { "type": "int", "defaultValue": 2 } },
            "variables": { "v": { "a": [1, 2, "three"] }, "s": "[concat(parameters('prefix'), '-x')]" },
            "resources": [ { "type": "Microsoft.Compute/virtualMachineScaleSets", "name": format!("[{text}]"),
                "location": "[resourceGroup().location]", "sku": { "name": "Standard_D2s_v5", "capacity": "[parameters('n')]" },
                "properties": { "virtualMachineProfile": {} } } ]
        })
        .to_string()
    };
    let inputs = [Input { name: "fuzz.json", text: &document }];
    let first = import(&inputs, &options);
    let second = import(&inputs, &options);
    match (&first, &second) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.yaml, b.yaml, "deterministic");
            for line in a.yaml.lines() {
                assert!(
                    line.starts_with('#')
                        || line == "scaleSets:"
                        || line.starts_with("  - ")
                        || line.starts_with("    "),
                    "a line of its own: {line:?}"
                );
            }
            // What is written is YAML the definition loader reads (it may refuse a value, never the syntax).
            if let Err(e) = scaleset::spec::parse_definition("fuzz.yaml", a.yaml.as_bytes(), Catalog::builtin()) {
                assert!(!e.to_string().contains("did not find expected"), "{e}\n{}", a.yaml);
            }
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string());
            assert!(!a.to_string().is_empty());
        }
        _ => panic!("one run failed and the other did not"),
    }
}

/// A state file's bytes through every way of reading it: the full parse, summaries (`list`),
/// and loads scoped to one set (through the file's index, or by a scan) to change it or to
/// show it. Never a panic; summaries agree with the full parse wherever it reads the file;
/// a load that succeeds holds the invariants and agrees with the full parse on every set it
/// parsed; a state loaded to change writes back to bytes that load again as the same state; a
/// state loaded to show, with sets it did not read, refuses to be written.
pub fn state_file(bytes: &[u8]) {
    use scaleset::store::{Scope, parse_state, parse_state_scoped, state_bytes};
    let path = std::path::Path::new("fuzz-no-such-dir/fuzz.state.json");
    let full = parse_state(path, bytes);
    if let Ok(state) = &full {
        let out = state_bytes(state).expect("a full state writes");
        assert_eq!(&parse_state(path, &out).expect("and reads back"), state);
    }
    // Summaries (`list`): the same as the full parse's sets, or the same refusal.
    match (scaleset::store::parse_summaries(path, bytes), &full) {
        (Ok(summaries), Ok(state)) => {
            let expected: Vec<_> = state.scale_sets.iter().map(scaleset::model::set_summary::SetSummary::of).collect();
            assert_eq!(summaries.scale_sets, expected, "summaries agree with the full parse");
        }
        // A summary reads fewer fields (not the VMs' timestamps, health or operations): it may
        // take a file the full parse refuses for one of those. Never the other way round.
        (Err(_) | Ok(_), Err(_)) => {}
        (Err(e), Ok(_)) => panic!("summaries refuse a state the full parse reads: {e}"),
    }
    for scope in [Scope::set("web"), Scope::show("web"), Scope::Only(Vec::new()), Scope::Show(Vec::new())] {
        let Ok(state) = parse_state_scoped(path, bytes, &scope) else { continue };
        state.check().expect("a scoped load holds the invariants");
        if let Ok(full) = &full {
            for set in state.scale_sets.iter() {
                assert_eq!(Some(set), full.set(&set.config.name), "scoped and full parses agree");
            }
        }
        let written = state_bytes(&state);
        match &scope {
            Scope::Show(_) if !state.scale_sets.carried().is_empty() => {
                assert!(written.is_err(), "a state read to show is never written");
            }
            _ => {
                let out = written.expect("a state read to change writes");
                let again = parse_state_scoped(path, &out, &scope).expect("what is written reads back");
                assert_eq!(again, state);
            }
        }
    }
}
