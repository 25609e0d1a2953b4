//! Fuzz target: a state file's bytes through the full parse and the scoped, indexed loads (see
//! `../harness.rs`).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::state_file(data));
