#![no_main]
//! Fuzz target `uri`: see `authbackup_conformance::fuzzing::uri` for the properties it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authbackup_conformance::fuzzing::uri(data));
