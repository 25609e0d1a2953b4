//! Fuzz target: the small parsers of user input (load CSV, load specs, durations, times,
//! money), chosen by the first byte (see `../harness.rs`).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::inputs(data));
