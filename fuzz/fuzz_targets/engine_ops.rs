//! Fuzz target: random command sequences through the engine, checking the invariants after
//! every step (see `../harness.rs`).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::engine_ops(data));
