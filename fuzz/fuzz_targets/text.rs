//! Arbitrary bytes as (lossy) UTF-8 -> `phonemize` in every language, and sentence splitting
//! with every method; the bytes' first line also goes through `Lang::from_str`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovits_core::text::{Lang, phonemize};
use sovits_core::text::split::{CutMethod, sentences};

const CUTS: [CutMethod; 6] =
    [CutMethod::Cut0, CutMethod::Cut1, CutMethod::Cut2, CutMethod::Cut3, CutMethod::Cut4, CutMethod::Cut5];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = text.lines().next().unwrap_or("").parse::<Lang>();
    for lang in Lang::ALL {
        if let Ok(p) = phonemize(&text, lang) {
            assert_eq!(p.ids.len(), p.segments.iter().map(|s| s.ids.len()).sum::<usize>());
        }
    }
    for cut in CUTS {
        let _ = sentences(&text, Lang::Zh, cut);
        let _ = sentences(&text, Lang::En, cut);
    }
});
