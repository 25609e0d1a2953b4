//! Hostile and broken input: every case gets a clear error, never a panic (exit code 101 or
//! "panicked" on stderr), and leaves the state file as it was. The cases are files kept in
//! `tests/corpus/` (bad definitions, bad state files), plus a hostile filesystem made on the
//! spot (a read-only directory, a full disk, symbolic links, a directory as the state path)
//! and the regression cases the fuzzers found, replayed through the library.

mod definitions;
mod engine_regressions;
mod filesystem;
mod pointed;
mod states;

use std::path::PathBuf;

use crate::support::Outcome;

/// A corpus directory under `tests/corpus/`.
pub fn corpus(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus").join(kind)
}

/// The names of the files in a corpus directory, sorted.
pub fn corpus_files(kind: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus(kind))
        .expect("corpus directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md") && !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// A clean failure: the expected exit code, an `error:` line, no panic, nothing on stdout.
#[track_caller]
pub fn clean_failure(out: Outcome, code: i32, case: &str) -> Outcome {
    assert_ne!(out.code, 101, "{case}: panicked\n{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{case}: panicked\n{}", out.stderr);
    assert!(out.stderr.starts_with("error: "), "{case}: stderr starts with 'error: '\n{}", out.stderr);
    assert!(out.stdout.is_empty(), "{case}: nothing on stdout\n{}", out.stdout);
    assert_eq!(out.code, code, "{case}: exit code\n{}", out.stderr);
    out
}
