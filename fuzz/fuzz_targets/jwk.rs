#![no_main]
//! Fuzz target `jwk`: see `authbackup_conformance::fuzzing::jwk` for the properties it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authbackup_conformance::fuzzing::jwk(data));
