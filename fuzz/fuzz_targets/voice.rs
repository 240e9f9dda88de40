//! Bytes -> `Voice::from_bytes`; a voice that loads must save and load back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovits_core::pipeline::Voice;

fuzz_target!(|data: &[u8]| {
    let Ok(voice) = Voice::from_bytes(data) else { return };
    voice.validate().expect("a loaded voice is consistent");
    let bytes = voice.to_bytes().expect("a loaded voice saves");
    let again = Voice::from_bytes(&bytes).expect("a saved voice loads");
    assert_eq!(again, voice);
});
