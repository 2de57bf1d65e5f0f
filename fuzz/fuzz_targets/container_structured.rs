#![no_main]
//! Fuzz target `container_structured`: see `authbackup_conformance::fuzzing::container_structured` for the properties it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authbackup_conformance::fuzzing::container_structured(data));
