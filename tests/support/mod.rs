//! The one test kit of the black-box suites: a fresh directory per test, the binary run in it
//! with a fixed clock and seed and a scrubbed environment, readers for the JSON documents of
//! the contract, and assertions that read like a sentence and point at the caller's line:
//!
//! ```ignore
//! let env = Env::with_definition(WEB);
//! env.run(["scale", "web", "--capacity", "5"]).code(0).stderr_has("scaled out from 3 to 5");
//! assert_eq!(env.state()["serial"], 2);
//! ```
//!
//! The environment is scrubbed of every `SCALESET_` variable and of the terminal variables
//! (`NO_COLOR`, `COLUMNS`, `CLICOLOR_FORCE`, `TERM`) and of `AZURE_STORAGE_` and `AWS_` credentials, so a
//! developer's shell cannot change an outcome; a test that wants one sets it with [`Env::run_with_env`].

#![allow(dead_code)] // each suite uses a different part of the kit

pub mod azurite;
pub mod moto;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_scaleset");
/// The logical clock every test state starts at (a Monday).
pub const START: &str = "2026-01-05T08:00:00Z";
/// The seed every test state is created with.
pub const SEED: &str = "1";
/// Default file names, as the contract gives them.
pub const DEFINITION: &str = "scalesets.yaml";
pub const STATE: &str = "scalesets.state.json";
/// The project's Azure Retail Prices export fixture (see the README, "Costs").
pub const PRICES_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/retail-prices.json");

/// Terminal variables that change the binary's output; never inherited.
const TERMINAL_VARS: [&str; 4] = ["NO_COLOR", "COLUMNS", "CLICOLOR_FORCE", "TERM"];

/// A 3-VM zonal Uniform set that is Running at once (provisioningTime 0s), priced by hand in
/// the cost tests: 3 x Standard_D2s_v5 linux eastus with a P10 disk. No overprovisioning, so
/// IDs follow one another without gaps.
pub const WEB: &str = r#"scaleSets:
  - name: web
    region: eastus
    sku: Standard_D2s_v5
    os: linux
    image: Canonical:ubuntu-24_04-lts:server:latest
    capacity: 3
    orchestrationMode: Uniform
    overprovision: false
    zones: ["1", "2", "3"]
    provisioningTime: 0s
    osDisk: { tier: P10 }
"#;

/// `WEB` plus a regional Flexible set `api` of 2 VMs.
pub const WEB_AND_API: &str = r#"scaleSets:
  - name: web
    region: eastus
    sku: Standard_D2s_v5
    os: linux
    image: Canonical:ubuntu-24_04-lts:server:latest
    capacity: 3
    orchestrationMode: Uniform
    overprovision: false
    zones: ["1", "2", "3"]
    provisioningTime: 0s
    osDisk: { tier: P10 }
  - name: api
    region: eastus
    sku: Standard_D2s_v5
    capacity: 2
    orchestrationMode: Flexible
    provisioningTime: 0s
    osDisk: { tier: P10 }
"#;

/// The example definition shipped at the top of the repository.
pub const EXAMPLE: &str = include_str!("../../scalesets.yaml");

/// One set entry: `name` in eastus on Standard_D2s_v5 with the given extra lines, re-indented
/// under the set (their common indentation removed, nesting kept), so they can be written
/// flush left or indented as the test reads best.
pub fn set_yaml(name: &str, extra: &str) -> String {
    let lines: Vec<&str> = extra.lines().filter(|l| !l.trim().is_empty()).collect();
    let common = lines.iter().map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    let mut out = format!("  - name: {name}\n    region: eastus\n    sku: Standard_D2s_v5\n");
    for line in lines {
        out.push_str("    ");
        out.push_str(&line[common..]);
        out.push('\n');
    }
    out
}

/// A whole definition from set entries made by [`set_yaml`].
pub fn definition(sets: &[String]) -> String {
    format!("scaleSets:\n{}", sets.concat())
}

/// A definition of one set (see [`set_yaml`]).
pub fn one_set(name: &str, extra: &str) -> String {
    definition(&[set_yaml(name, extra)])
}

/// A temporary working directory: the binary runs in it, files are relative to it.
pub struct Env {
    dir: TempDir,
}

impl Env {
    /// An empty directory.
    pub fn new() -> Self {
        Self { dir: tempfile::Builder::new().prefix("scaleset-test-").tempdir().expect("temp dir") }
    }

    /// A directory holding `scalesets.yaml` with `text`.
    pub fn with_definition(text: &str) -> Self {
        let env = Self::new();
        env.define(text);
        env
    }

    /// A directory where `text` has been applied (and the apply checked to succeed).
    pub fn applied(text: &str) -> Self {
        let env = Self::with_definition(text);
        env.ok(["apply"]);
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
        std::fs::write(self.path(name), contents).expect("write test file");
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    pub fn read_text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path(name).exists()
    }

    /// Replaces the definition.
    pub fn define(&self, text: &str) {
        self.write(DEFINITION, text);
    }

    /// Copies the Retail Prices fixture into the directory as `retail-prices.json`.
    pub fn copy_prices_fixture(&self) {
        std::fs::copy(PRICES_FIXTURE, self.path("retail-prices.json")).expect("copy the prices fixture");
    }

    /// The raw bytes of the state file.
    pub fn state_bytes(&self) -> Vec<u8> {
        self.read(STATE)
    }

    /// The state file, parsed.
    pub fn state(&self) -> Value {
        serde_json::from_slice(&self.state_bytes()).expect("state file is JSON")
    }

    /// One scale set of the state file.
    pub fn set(&self, name: &str) -> Value {
        self.state()["scaleSets"]
            .as_array()
            .expect("scaleSets is an array")
            .iter()
            .find(|s| s["config"]["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no set '{name}' in the state"))
    }

    /// Instance IDs of a set, in order, from the state file.
    pub fn ids(&self, name: &str) -> Vec<u64> {
        self.set(name)["instances"].as_array().expect("instances").iter().map(|i| i["id"].as_u64().unwrap()).collect()
    }

    /// Zones of a set's instances in ID order, from the state file.
    pub fn zones(&self, name: &str) -> Vec<u64> {
        self.set(name)["instances"]
            .as_array()
            .expect("instances")
            .iter()
            .map(|i| i["zone"].as_u64().expect("zonal instance"))
            .collect()
    }

    pub fn serial(&self) -> u64 {
        self.state()["serial"].as_u64().expect("serial")
    }

    /// The logical clock of the state.
    pub fn clock(&self) -> String {
        text(&self.state()["clock"])
    }

    /// Runs the binary with the fixed clock and seed in front of `args`.
    pub fn run<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_seeded(SEED, args)
    }

    /// Runs the binary with the fixed clock and the given seed.
    pub fn run_seeded<I, S>(&self, seed: &str, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut all: Vec<OsString> = vec!["--start-time".into(), START.into(), "--seed".into(), seed.into()];
        all.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self.run_bare(all)
    }

    /// Runs the binary with the fixed clock and seed, and the given environment variables set.
    pub fn run_with_env<I, S>(&self, args: I, vars: &[(&str, &str)]) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(["--start-time", START, "--seed", SEED]);
        cmd.args(args).envs(vars.iter().copied());
        Outcome::of(&mut cmd)
    }

    /// Runs the binary with exactly `args` (no clock or seed added).
    pub fn run_bare<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Outcome::of(&mut self.command(args))
    }

    /// The command, not yet run, in the directory with a scrubbed environment and no stdin,
    /// for tests that need to set it up further.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(self.root()).stdin(Stdio::null());
        scrub(&mut cmd);
        // No price cache a developer fetched may change a test's prices.
        cmd.env("SCALESET_CACHE", self.path("no-price-cache.json"));
        cmd
    }

    /// Runs and asserts exit 0.
    #[track_caller]
    pub fn ok<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run(args).code(0)
    }

    /// Runs with `-o json`, asserts exit 0, parses stdout.
    #[track_caller]
    pub fn json<I, S>(&self, args: I) -> Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut all: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_os_string()).collect();
        all.extend(["-o".into(), "json".into()]);
        self.ok(all).json()
    }

    /// `instances NAME -o json`.
    pub fn instances(&self, name: &str) -> Vec<Value> {
        self.json(["instances", name]).as_array().expect("array of instances").clone()
    }

    /// One instance by ID.
    pub fn instance(&self, name: &str, id: u64) -> Value {
        self.instances(name)
            .into_iter()
            .find(|i| i["instanceId"].as_str() == Some(id.to_string().as_str()))
            .unwrap_or_else(|| panic!("no instance {id} in {name}"))
    }

    /// A field of every instance, in ID order, as strings.
    pub fn column(&self, name: &str, field: &str) -> Vec<String> {
        self.instances(name).iter().map(|i| text(&i[field])).collect()
    }

    /// `events NAME -o json`.
    pub fn events(&self, name: &str) -> Vec<Value> {
        self.json(["events", name]).as_array().expect("array of events").clone()
    }

    /// Events of one kind.
    pub fn events_of(&self, name: &str, kind: &str) -> Vec<Value> {
        self.events(name).into_iter().filter(|e| e["kind"] == kind).collect()
    }

    /// `rolling-upgrade status NAME -o json`.
    pub fn rolling(&self, name: &str) -> Value {
        self.json(["rolling-upgrade", "status", name])
    }

    /// The set's row of `list -o json`.
    pub fn listed(&self, name: &str) -> Value {
        self.json(["list"]).as_array().expect("list").iter().find(|s| s["name"] == name).cloned().expect("listed")
    }

    pub fn capacity(&self, name: &str) -> u64 {
        self.listed(name)["capacity"].as_u64().expect("capacity")
    }
}

/// Removes every variable that changes the binary's behaviour from a command's environment.
pub fn scrub(cmd: &mut Command) {
    for (var, _) in std::env::vars_os() {
        if var.to_string_lossy().starts_with("SCALESET_") {
            cmd.env_remove(&var);
        }
    }
    for var in TERMINAL_VARS {
        cmd.env_remove(var);
    }
    // Nor may a developer's storage account.
    for (var, _) in std::env::vars_os() {
        let name = var.to_string_lossy();
        if name.starts_with("AZURE_STORAGE_") || name.starts_with("AWS_") {
            cmd.env_remove(&var);
        }
    }
}

/// Names of the files in a directory, sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Temporary files a writer leaves when it fails or is killed mid-write.
pub fn temporaries(dir: &Path) -> Vec<String> {
    files_in(dir).into_iter().filter(|n| n.contains(".tmp.")).collect()
}

/// A JSON value as plain text: strings without quotes, the rest as JSON.
pub fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// The instance IDs an event lists, as numbers.
pub fn event_ids(e: &Value) -> Vec<u64> {
    e["instances"].as_array().map_or_else(Vec::new, |a| a.iter().map(|v| text(v).parse().unwrap()).collect())
}

/// A decimal money string (or number) as f64.
pub fn money(v: &Value) -> f64 {
    text(v).trim_start_matches('$').parse().unwrap_or_else(|_| panic!("not an amount: {v}"))
}

/// What one run printed and how it exited. The assertion methods return `self` so they chain.
#[derive(Debug)]
pub struct Outcome {
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Runs `cmd` to the end.
    pub fn of(cmd: &mut Command) -> Self {
        let out = cmd.output().expect("run scaleset");
        Self::from(out, cmd)
    }

    /// What a finished command printed.
    pub fn from(out: std::process::Output, cmd: &Command) -> Self {
        let command = std::iter::once(OsStr::new("scaleset"))
            .chain(cmd.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            command,
            code: out.status.code().unwrap_or_else(|| panic!("killed by a signal: {:?}", out.status)),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// The command and what it printed, for failure messages.
    pub fn context(&self) -> String {
        format!(
            "\n--- command: {}\n--- exit: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }

    #[track_caller]
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(self.code, expected, "exit code{}", self.context());
        self
    }

    /// A failure of any non-zero code.
    #[track_caller]
    pub fn fails(self) -> Self {
        assert_ne!(self.code, 0, "expected a failure{}", self.context());
        self
    }

    /// `stdout` or `stderr`, by name, for the assertions below.
    fn stream(&self, name: &str) -> &str {
        if name == "stdout" { &self.stdout } else { &self.stderr }
    }

    #[track_caller]
    fn check_has(self, name: &str, needle: &str, wanted: bool) -> Self {
        let has = self.stream(name).contains(needle);
        let says = if wanted { "lacks" } else { "has" };
        assert_eq!(has, wanted, "{name} {says} {needle:?}{}", self.context());
        self
    }

    #[track_caller]
    fn check_is(self, name: &str, expected: &str) -> Self {
        assert_eq!(self.stream(name), expected, "{name}{}", self.context());
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Self {
        self.check_has("stdout", needle, true)
    }

    #[track_caller]
    pub fn stdout_lacks(self, needle: &str) -> Self {
        self.check_has("stdout", needle, false)
    }

    #[track_caller]
    pub fn stdout_is(self, expected: &str) -> Self {
        self.check_is("stdout", expected)
    }

    #[track_caller]
    pub fn stdout_empty(self) -> Self {
        self.check_is("stdout", "")
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Self {
        self.check_has("stderr", needle, true)
    }

    #[track_caller]
    pub fn stderr_lacks(self, needle: &str) -> Self {
        self.check_has("stderr", needle, false)
    }

    #[track_caller]
    pub fn stderr_is(self, expected: &str) -> Self {
        self.check_is("stderr", expected)
    }

    #[track_caller]
    pub fn stderr_empty(self) -> Self {
        self.check_is("stderr", "")
    }

    /// stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON: {e}{}", self.context()))
    }
}

/// Asserts that running `args` fails with `code`, says `needle` on stderr, and leaves the state
/// file byte for byte as it was.
#[track_caller]
pub fn refused_unchanged<I, S>(env: &Env, args: I, code: i32, needle: &str) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let before = env.state_bytes();
    let out = env.run(args).code(code).stderr_has(needle);
    assert_eq!(env.state_bytes(), before, "the state file changed{}", out.context());
    out
}

/// Asserts that a JSON object has every key listed (and says which are missing).
#[track_caller]
pub fn assert_keys(object: &Value, keys: &[&str]) {
    let map = object.as_object().unwrap_or_else(|| panic!("not an object: {object}"));
    let missing: Vec<&&str> = keys.iter().filter(|k| !map.contains_key(**k)).collect();
    assert!(missing.is_empty(), "missing keys {missing:?} in {object:#}");
}

/// Asserts a money value is a decimal string equal to `expected`.
#[track_caller]
pub fn assert_money(value: &Value, expected: &str) {
    assert_eq!(value.as_str(), Some(expected), "money is a decimal string {expected:?}, got {value}");
}
