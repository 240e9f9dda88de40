//! Bytes -> the JSON config readers (HF `config.json` for HuBERT and BERT, `s2.json`, the GPT
//! config) and the tokenizer readers (`tokenizer.json`, `vocab.txt`), then tokenizing a text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovits_core::models::bert::{BertConfig, BertTokenizer};
use sovits_core::models::gpt::GptConfig;
use sovits_core::models::hubert::HubertConfig;
use sovits_core::models::sovits::SovitsConfig;

const SAMPLE: &str = "今天天气很好, the WEATHER is fine: 123 ½ naïve ﬁ 😀 supercalifragilisticexpialidocious";

fuzz_target!(|data: &[u8]| {
    if let Ok(j) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = HubertConfig::from_json(&j);
        let _ = BertConfig::from_json(&j);
        let _ = SovitsConfig::from_json(&j);
        let _ = GptConfig::from_json(&j);
    }
    let text = String::from_utf8_lossy(data);
    if let Ok(t) = BertTokenizer::from_tokenizer_json_str(&text, "<fuzz>") {
        let _ = t.encode(SAMPLE);
        let _ = t.encode(&text);
    }
    if let Ok(t) = BertTokenizer::from_vocab_txt_str(&text) {
        let _ = t.encode(SAMPLE);
    }
});
