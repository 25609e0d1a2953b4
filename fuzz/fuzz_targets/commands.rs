//! Fuzz target: command sequences through the command line, with flags, durations and output
//! paths aimed at the state and its neighbours (see `../harness.rs`).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::commands(data));
