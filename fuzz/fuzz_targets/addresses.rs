//! Fuzz target: see `gazette::fuzzing::addresses` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gazette::fuzzing::addresses(data));
