#![no_main]
//! Fuzz target `container_raw`: see `authbackup_conformance::fuzzing::container_raw` for the properties it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authbackup_conformance::fuzzing::container_raw(data));
