//! The exit codes scripts rely on, one case each, and a closed pipe.

use crate::support::{Env, STATE, WEB};

#[test]
fn exit_code_table() {
    let env = Env::with_definition(WEB);
    // 0: success.
    env.run(["apply"]).code(0);
    // 1: refused (unknown set).
    env.run(["scale", "nope", "--capacity", "1"]).code(1).stderr_has("scale set 'nope' does not exist");
    // 2: plan --detailed-exitcode with changes.
    env.define(&WEB.replace("capacity: 3", "capacity: 4"));
    env.run(["plan", "--detailed-exitcode"]).code(2);
    // 3: over budget.
    env.run(["cost", "--max-monthly", "1"]).code(3).stderr_has("above the budget of $1.00");
    // 64: usage.
    env.run(["list", "--bogus"]).code(64).stderr_has("unexpected argument '--bogus'");
    env.run(["no-such-command"]).code(64);
    env.run(["scale"]).code(64);
    env.run(["-o", "yaml", "list"]).code(64);
    // 65: bad definition.
    env.define("scaleSets: [");
    env.run(["plan"]).code(65);
    env.run(["apply"]).code(65);
    // 74: bad state.
    env.define(WEB);
    env.write(STATE, "garbage");
    env.run(["list"]).code(74);
}

#[test]
fn help_and_version_exit_0_on_stdout() {
    let env = Env::new();
    env.run_bare(["--help"]).code(0).stdout_has("Usage: scaleset").stderr_empty();
    env.run_bare(["--version"]).code(0).stdout_has("scaleset ").stderr_empty();
    env.run_bare(["scale", "--help"]).code(0).stdout_has("--capacity");
}

#[test]
fn no_command_is_a_usage_error() {
    Env::new().run_bare(Vec::<&str>::new()).code(64).stdout_empty().stderr_has("Usage:");
}

#[test]
fn bad_budget_amount_is_refused() {
    let env = Env::applied(WEB);
    env.run(["cost", "--max-monthly", "lots"])
        .code(64)
        .stderr_has("invalid value 'lots' for '--max-monthly <USD>': 'lots' is not an amount in USD");
    env.run(["cost", "--max-monthly=-1"]).code(64).stderr_has("'-1' is negative");
    env.run(["cost", "--max-monthly", "$1000"]).code(0);
}

#[test]
fn invalid_flag_values_are_usage_errors() {
    // `scale --capacity two` is 64 (clap checks it); the same mistake in flags checked later
    // should be too, so scripts can tell a wrong command line from a refused operation.
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--capacity", "two"]).code(64);
    env.run(["cost", "--max-monthly", "lots"]).code(64);
    env.run_bare(["--start-time", "yesterday", "list"]).code(64);
    env.run(["--lock-timeout", "soon", "list"]).code(64);
    env.run(["advance", "5x"]).code(64);
}

#[test]
fn errors_are_not_coloured_when_not_a_terminal() {
    Env::new().run(["validate"]).code(65).stderr_has("error: ").stderr_lacks("\x1b[");
}

/// Runs `args` with stdout a pipe whose reading end is already closed.
fn run_into_closed_pipe(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut all = vec!["--start-time", "2026-01-05T08:00:00Z", "--seed", "1"];
    all.extend_from_slice(args);
    let out = env.command(all).stdout(writer).stderr(std::process::Stdio::piped()).output().expect("run");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn closed_pipe_on_a_table_exits_quietly() {
    // `scaleset list | head -0`: nothing to report.
    let env = Env::applied(WEB);
    let (code, stderr) = run_into_closed_pipe(&env, &["instances", "web"]);
    assert_eq!(code, Some(0));
    assert_eq!(stderr, "");
}

#[test]
fn json_into_a_closed_pipe_reported_broken_pipe() {
    // Regression: `scaleset instances web -o json | head -1` printed "error: Broken pipe (os
    // error 32)" and exited 1: the io::Error arrives wrapped in a serde_json::Error.
    let env = Env::applied(WEB);
    let (code, stderr) = run_into_closed_pipe(&env, &["instances", "web", "-o", "json"]);
    assert_eq!(stderr, "");
    assert_eq!(code, Some(0));
}
