//! Fuzz target: see `gazette::fuzzing::screening` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gazette::fuzzing::screening(data));
