//! Helpers shared by the CLI tests: a fresh directory per test, the binary run in it with a
//! fixed clock and seed, and assertions that read like a sentence:
//!
//! ```ignore
//! let env = Env::with_definition(WEB);
//! env.run(["scale", "web", "--capacity", "5"]).code(0).stderr_has("scaled out from 3 to 5");
//! assert_eq!(env.state()["serial"], 2);
//! ```

#![allow(dead_code)] // each test module uses a different part of the kit

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_scaleset");
/// The logical clock every test state starts at.
pub const START: &str = "2026-01-05T08:00:00Z";
/// The seed every test state is created with.
pub const SEED: &str = "1";
/// Default file names, as the contract gives them.
pub const DEFINITION: &str = "scalesets.yaml";
pub const STATE: &str = "scalesets.state.json";

/// Environment variables that change the binary's behaviour; never inherited.
const CLEARED: [&str; 7] =
    ["SCALESET_FILE", "SCALESET_STATE", "SCALESET_SEED", "NO_COLOR", "COLUMNS", "CLICOLOR_FORCE", "TERM"];

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

/// A one-set definition with the given extra lines under the set (each indented by 4).
pub fn one_set(name: &str, extra: &str) -> String {
    let mut out = format!("scaleSets:\n  - name: {name}\n    region: eastus\n    sku: Standard_D2s_v5\n");
    for line in extra.lines().filter(|l| !l.trim().is_empty()) {
        out.push_str("    ");
        out.push_str(line.trim_start());
        out.push('\n');
    }
    out
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
        env.write(DEFINITION, text);
        env
    }

    /// A directory where `text` has been applied (and the apply checked to succeed).
    pub fn applied(text: &str) -> Self {
        let env = Self::with_definition(text);
        env.run(["apply"]).code(0);
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

    pub fn exists(&self, name: &str) -> bool {
        self.path(name).exists()
    }

    /// Replaces the definition.
    pub fn define(&self, text: &str) {
        self.write(DEFINITION, text);
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
        let state = self.state();
        state["scaleSets"]
            .as_array()
            .expect("scaleSets is an array")
            .iter()
            .find(|s| s["config"]["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no set '{name}' in the state"))
    }

    /// Instance IDs of a set, from the state file.
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

    /// Runs the binary with the fixed clock and seed in front of `args`.
    pub fn run<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut all: Vec<std::ffi::OsString> = vec!["--start-time".into(), START.into(), "--seed".into(), SEED.into()];
        all.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self.run_bare(all)
    }

    /// Runs the binary with exactly `args` (no clock or seed added).
    pub fn run_bare<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(args);
        let out = cmd.output().expect("run scaleset");
        Outcome::from(out, &cmd)
    }

    /// The command, not yet run, for tests that need to set it up further.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(self.root()).stdin(Stdio::null());
        for var in CLEARED {
            cmd.env_remove(var);
        }
        cmd
    }
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
    fn from(out: std::process::Output, cmd: &Command) -> Self {
        let command = std::iter::once(cmd.get_program())
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

    fn context(&self) -> String {
        format!("\n--- command: {}\n--- stdout:\n{}\n--- stderr:\n{}", self.command, self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(self.code, expected, "exit code{}", self.context());
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Self {
        assert!(self.stdout.contains(needle), "stdout lacks {needle:?}{}", self.context());
        self
    }

    #[track_caller]
    pub fn stdout_lacks(self, needle: &str) -> Self {
        assert!(!self.stdout.contains(needle), "stdout has {needle:?}{}", self.context());
        self
    }

    #[track_caller]
    pub fn stdout_is(self, expected: &str) -> Self {
        assert_eq!(self.stdout, expected, "stdout{}", self.context());
        self
    }

    #[track_caller]
    pub fn stdout_empty(self) -> Self {
        assert!(self.stdout.is_empty(), "stdout is not empty{}", self.context());
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Self {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}{}", self.context());
        self
    }

    #[track_caller]
    pub fn stderr_lacks(self, needle: &str) -> Self {
        assert!(!self.stderr.contains(needle), "stderr has {needle:?}{}", self.context());
        self
    }

    #[track_caller]
    pub fn stderr_is(self, expected: &str) -> Self {
        assert_eq!(self.stderr, expected, "stderr{}", self.context());
        self
    }

    #[track_caller]
    pub fn stderr_empty(self) -> Self {
        assert!(self.stderr.is_empty(), "stderr is not empty{}", self.context());
        self
    }

    /// stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON: {e}{}", self.context()))
    }
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
