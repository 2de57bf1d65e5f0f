#![no_main]
//! Fuzz target `lifecycle`: see `authbackup_conformance::fuzzing::lifecycle` for the properties it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authbackup_conformance::fuzzing::lifecycle(data));
