//! Bytes -> the pickle VM (and the JSON view configs are read through).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovits_core::weights::pickle;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = pickle::load(data) {
        let _ = v.to_json();
        let _ = v.get("weight");
    }
});
