//! Fuzz target: see `gazette::fuzzing::markdown` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gazette::fuzzing::markdown(data));
