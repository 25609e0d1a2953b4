//! Fuzz target: a Retail Prices export on any bytes (see `../harness.rs`).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::prices_export(data));
