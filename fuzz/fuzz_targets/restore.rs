#![no_main]
//! Fuzz target `restore`: see `authbackup_conformance::fuzzing::restore` for the properties it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authbackup_conformance::fuzzing::restore(data));
