//! Helpers shared by the `lifecycle` and `autoscale` test binaries: a fresh directory per test,
//! the binary run in it with a fixed clock and seed and a clean environment, and readers for
//! the JSON documents of the contract.

#![allow(dead_code)] // each binary uses a different part of the kit

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_scaleset");
/// The logical clock every test state starts at (a Monday).
pub const START: &str = "2026-01-05T08:00:00Z";
pub const SEED: &str = "1";
pub const DEFINITION: &str = "scalesets.yaml";
pub const STATE: &str = "scalesets.state.json";

/// A one-set definition: `name` in eastus on Standard_D2s_v5 with the given extra lines (each
/// re-indented under the set, so they can be written flush left).
pub fn set_yaml(name: &str, extra: &str) -> String {
    let mut out = format!("  - name: {name}\n    region: eastus\n    sku: Standard_D2s_v5\n");
    for line in extra.lines().filter(|l| !l.trim().is_empty()) {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A whole definition from set entries made by [`set_yaml`].
pub fn definition(sets: &[String]) -> String {
    format!("scaleSets:\n{}", sets.concat())
}

/// A definition of one set.
pub fn one_set(name: &str, extra: &str) -> String {
    definition(&[set_yaml(name, extra)])
}

/// A temporary working directory: the binary runs in it, files are relative to it.
pub struct Env {
    dir: TempDir,
}

impl Env {
    pub fn new() -> Self {
        Self { dir: tempfile::Builder::new().prefix("scaleset-lc-").tempdir().expect("temp dir") }
    }

    /// A directory holding `scalesets.yaml` with `text`.
    pub fn with_definition(text: &str) -> Self {
        let env = Self::new();
        env.define(text);
        env
    }

    /// A directory where `text` has been applied.
    pub fn applied(text: &str) -> Self {
        let env = Self::with_definition(text);
        env.ok(["apply"]);
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
        std::fs::write(self.path(name), contents).expect("write test file");
    }

    pub fn read_text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    pub fn define(&self, text: &str) {
        self.write(DEFINITION, text);
    }

    pub fn state_bytes(&self) -> Vec<u8> {
        std::fs::read(self.path(STATE)).expect("read the state file")
    }

    pub fn state(&self) -> Value {
        serde_json::from_slice(&self.state_bytes()).expect("state file is JSON")
    }

    /// One scale set of the state file.
    pub fn set(&self, name: &str) -> Value {
        self.state()["scaleSets"]
            .as_array()
            .expect("scaleSets")
            .iter()
            .find(|s| s["config"]["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no set '{name}' in the state"))
    }

    /// Runs the binary with the fixed clock and seed in front of `args`.
    pub fn run<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_seeded(SEED, args)
    }

    /// Runs the binary with the fixed clock and the given seed, in a clean environment.
    pub fn run_seeded<I, S>(&self, seed: &str, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(BIN);
        cmd.args(["--start-time", START, "--seed", seed]).args(args).current_dir(self.dir.path()).stdin(Stdio::null());
        for (var, _) in std::env::vars_os() {
            if var.to_string_lossy().starts_with("SCALESET_") {
                cmd.env_remove(&var);
            }
        }
        for var in ["NO_COLOR", "COLUMNS", "CLICOLOR_FORCE", "TERM"] {
            cmd.env_remove(var);
        }
        let command = format!("scaleset {}", cmd.get_args().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" "));
        let out = cmd.output().expect("run scaleset");
        Outcome {
            command,
            code: out.status.code().expect("exited normally"),
            stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        }
    }

    /// Runs and asserts exit 0.
    pub fn ok<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run(args).code(0)
    }

    /// Runs with `-o json`, asserts exit 0, parses stdout.
    pub fn json<I, S>(&self, args: I) -> Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut all: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_os_string()).collect();
        all.extend(["-o".into(), "json".into()]);
        let out = self.ok(all);
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}){}", out.context()))
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

    /// Instance IDs, in order.
    pub fn ids(&self, name: &str) -> Vec<u64> {
        self.instances(name).iter().map(|i| i["instanceId"].as_str().unwrap().parse().unwrap()).collect()
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

    /// The logical clock of the state.
    pub fn clock(&self) -> String {
        text(&self.state()["clock"])
    }
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
    pub fn context(&self) -> String {
        format!(
            "\n--- command: {}\n--- exit: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }

    pub fn code(self, expected: i32) -> Self {
        assert_eq!(self.code, expected, "exit code{}", self.context());
        self
    }

    /// A failure: non-zero and not a crash of the argument parser's kind unless asked.
    pub fn fails(self) -> Self {
        assert_ne!(self.code, 0, "expected a failure{}", self.context());
        self
    }

    pub fn stderr_has(self, needle: &str) -> Self {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}{}", self.context());
        self
    }

    pub fn stdout_has(self, needle: &str) -> Self {
        assert!(self.stdout.contains(needle), "stdout lacks {needle:?}{}", self.context());
        self
    }

    pub fn stdout_json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}){}", self.context()))
    }
}

/// Asserts that running `args` fails with `code`, says `needle` on stderr, and leaves the state
/// file byte for byte as it was.
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
