#![no_main]
//! Fuzz target `import`: see `authbackup_conformance::fuzzing::import` for the properties it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authbackup_conformance::fuzzing::import(data));
