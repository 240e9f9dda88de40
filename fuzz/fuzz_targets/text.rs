//! Arbitrary bytes as (lossy) UTF-8 -> `phonemize` in every language code, and sentence
//! splitting with every method.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovits_core::text::phonemize;
use sovits_core::text::split::{CutMethod, sentences};

const LANGS: [&str; 11] = ["all_zh", "zh", "en", "auto", "all_ja", "ja", "all_ko", "ko", "all_yue", "yue", "xx"];
const CUTS: [CutMethod; 6] =
    [CutMethod::Cut0, CutMethod::Cut1, CutMethod::Cut2, CutMethod::Cut3, CutMethod::Cut4, CutMethod::Cut5];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for lang in LANGS {
        if let Ok(p) = phonemize(&text, lang) {
            assert_eq!(p.ids.len(), p.segments.iter().map(|s| s.ids.len()).sum::<usize>());
        }
    }
    for cut in CUTS {
        let _ = sentences(&text, false, cut);
        let _ = sentences(&text, true, cut);
    }
});
