//! The README's tour runs as written: every command of its block, in a fresh directory holding
//! the repository's `scalesets.yaml` and `examples/`, with the exit code its comment announces
//! (`# exit N`; 0 otherwise). So the README cannot drift from the binary.

use crate::support::{EXAMPLE, Env, Outcome};

/// The lines of the first `sh` block after the heading "## A short tour".
fn tour() -> Vec<String> {
    let readme = include_str!("../README.md");
    let at = readme.find("## A short tour").expect("the README has a tour");
    let block = &readme[at..];
    let start = block.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = start + block[start..].find("```").expect("the block ends");
    block[start..end].lines().map(str::to_owned).collect()
}

/// The exit code a line's comment announces.
fn expected_code(comment: &str) -> i32 {
    comment
        .split_once("exit ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_readme_tour_runs_as_written() {
    let env = Env::with_definition(EXAMPLE);
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir(env.path("examples")).unwrap();
    for entry in std::fs::read_dir(&examples).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, env.path("examples").join(path.file_name().unwrap())).unwrap();
    }
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut ran = 0;
    for line in tour() {
        let (command, comment) = line.split_once(" #").map_or((line.as_str(), ""), |(c, k)| (c, k));
        let words = shell_words::split(command.trim()).expect("a command the shell can read");
        match words.first().map(String::as_str) {
            None => continue,
            Some("export") => {
                let (name, value) = words[1].split_once('=').expect("export NAME=VALUE");
                vars.push((name.to_owned(), value.to_owned()));
            }
            Some("scaleset") => {
                let mut cmd = env.command(&words[1..]);
                cmd.envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                let out = Outcome::of(&mut cmd);
                assert!(!out.stderr.contains("panicked"), "{}", out.context());
                out.code(expected_code(comment));
                ran += 1;
            }
            Some(other) => panic!("the tour runs only scaleset and export, not {other}"),
        }
    }
    assert!(ran >= 15, "the tour ran {ran} commands");
    assert!(env.read_text("week.svg").starts_with("<svg"));
    assert!(env.read_text("week.csv").starts_with("minute,"));
}

#[test]
fn every_example_definition_is_valid() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let env = Env::new();
    for entry in std::fs::read_dir(examples).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            env.run(["-f".as_ref(), path.as_os_str(), "validate".as_ref()]).code(0);
        }
    }
}
