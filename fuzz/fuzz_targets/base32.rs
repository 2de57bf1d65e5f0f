#![no_main]
//! Fuzz target `base32`: see `authbackup_conformance::fuzzing::base32` for the properties it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authbackup_conformance::fuzzing::base32(data));
