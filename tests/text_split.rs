//! The cut methods and the pipeline's sentence list against the original
//! (`tests/fixtures/text/split.jsonl`: `pieces` and `texts` of every case).

use sovits_core::text::Lang;
use sovits_core::text::split::{CutMethod, cut, sentences};

#[test]
fn split_jsonl_pieces_and_texts() {
    let data =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/text/split.jsonl")).unwrap();
    let (mut total, mut ok_pieces, mut ok_texts) = (0, 0, 0);
    let mut failures = Vec::new();
    for line in data.lines() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = j["id"].as_str().unwrap();
        let text = j["text"].as_str().unwrap();
        let method: CutMethod = j["method"].as_str().unwrap().parse().unwrap();
        let lang: Lang = j["lang"].as_str().unwrap().parse().unwrap();
        total += 1;
        let ours = cut(text, method);
        let want_err = !j["error"].is_null();
        let pieces_ok = match (&ours, want_err) {
            (Err(_), true) => true,
            (Ok(raw), false) => {
                let want: Vec<&str> = j["pieces"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                raw.split('\n').collect::<Vec<_>>() == want
            }
            _ => false,
        };
        let texts = sentences(text, lang, method);
        let texts_ok = match (&texts, j["texts_error"].is_null()) {
            (Err(_), false) => true,
            (Ok(t), true) => {
                let want: Vec<String> =
                    j["texts"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
                *t == want
            }
            // `texts` errors when the cut itself raised (IndexError) and upstream recorded none.
            (Err(_), true) => want_err,
            _ => false,
        };
        ok_pieces += pieces_ok as usize;
        ok_texts += texts_ok as usize;
        if !pieces_ok || !texts_ok {
            failures.push(format!("{id}: pieces {pieces_ok} texts {texts_ok}: ours {ours:?} / {texts:?}"));
        }
    }
    println!("split.jsonl: pieces {ok_pieces}/{total}, texts {ok_texts}/{total}");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
