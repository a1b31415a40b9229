//! Fuzz target: see `gazette::fuzzing::search_query` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gazette::fuzzing::search_query(data));
