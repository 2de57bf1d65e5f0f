#![no_main]
//! Fuzz target `payload`: see `authbackup_conformance::fuzzing::payload` for the properties it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authbackup_conformance::fuzzing::payload(data));
