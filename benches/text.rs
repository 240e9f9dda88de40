//! The text frontend: phonemes per second for a 1000-character mixed Chinese-English paragraph
//! (`zh`, with numbers, dates and English words) and a 1000-character English paragraph
//! (`en`), 1000 characters of Japanese (`all_ja`, with numbers and katakana loanwords), of
//! Korean (`all_ko`, with numbers, counters and Latin letters) and of Cantonese (`all_yue`).
//! Data tables are loaded before timing (the first call pays for that; see
//! docs/performance.md). The first call of Japanese and of Korean, which unpack their
//! dictionaries, are timed on their own and their memory reported: `cargo bench --bench text
//! -- ja_first_call` (or `ko_first_call`) prints it (run each alone, as the first call of its
//! language in the process).
//!
//! `cargo bench --bench text`.

use divan::counter::ItemsCount;
use sovits_core::text::{Lang, phonemize};

fn main() {
    divan::main();
}

const MIXED: &str = "今天是2024年3月15日，我在公司用ChatGPT写了一段Python代码，大概有120行。\
    下午三点半，产品经理说这个feature要在下周一之前上线，于是我们开了一个meeting讨论方案。\
    他说用户反馈很好，日活跃用户已经超过了25万，转化率提高了3.5%。\
    晚上回家的路上，我在地铁里听了一期关于AI的podcast，主持人提到GPU的价格又涨了。\
    ";

const ENGLISH: &str = "On March 15th, 2024, the team met at 9:30 a.m. to review the quarterly numbers. \
    Revenue grew 12.5% to $3.2 million, while costs fell by nearly a third. \
    Dr. Smith, who leads the research group, presented a new model that reads text aloud \
    in a voice cloned from a ten-second recording. The audience asked whether it could \
    handle names like O'Neil, acronyms like NASA, and made-up words like blorptastic. ";

const JAPANESE: &str = "今日は2024年3月15日です。朝7時半に起きて、駅前のカフェでコーヒーを飲みました。\
    午後はオンライン会議があり、新しいスマートフォンアプリの企画について話し合いました。\
    部長によると、ユーザー数は先月より15%増えて、およそ32万人になったそうです。\
    夕方には雨が降り始めたので、傘を持って帰りました。明日は晴れるといいですね。";

const KOREAN: &str = "오늘은 2024년 3월 15일입니다. 아침 7시 반에 일어나서 역 앞 카페에서 커피를 마셨어요. \
    오후에는 온라인 회의가 있어서 새로운 스마트폰 앱 기획에 대해 이야기했습니다. \
    부장님 말씀으로는 사용자 수가 지난달보다 15% 늘어서 약 32만 명이 되었다고 합니다. \
    저녁에는 비가 오기 시작해서 우산을 쓰고 집에 돌아왔어요. 내일은 맑았으면 좋겠네요. ";

const CANTONESE: &str = "今日係二零二四年三月十五號，我哋喺公司用電腦寫咗一段程式，大概有一百二十行。\
    下晝三點半，經理話呢個功能要喺下個禮拜一之前上線，於是我哋開咗個會傾下點做。\
    佢話用戶反應好好，每日活躍用戶已經超過二十五萬，轉化率提高咗百分之三點五。\
    夜晚返屋企嘅時候，我喺地鐵度聽咗一集講人工智能嘅節目。";

fn paragraph(base: &str, chars: usize) -> String {
    let mut s = String::new();
    while s.chars().count() < chars {
        s.push_str(base);
    }
    s.chars().take(chars).collect()
}

fn run(bencher: divan::Bencher, text: &str, lang: Lang) {
    let n = phonemize(text, lang).expect("phonemize").len();
    bencher.counter(ItemsCount::new(n)).bench(|| divan::black_box(phonemize(text, lang).unwrap().len()));
}

/// ~1000 characters of Chinese with English words and numbers, language `zh`.
#[divan::bench(sample_count = 10)]
fn mixed_1000_chars(bencher: divan::Bencher) {
    run(bencher, &paragraph(MIXED, 1000), Lang::Zh);
}

/// ~1000 characters of English, language `en`.
#[divan::bench(sample_count = 10)]
fn english_1000_chars(bencher: divan::Bencher) {
    run(bencher, &paragraph(ENGLISH, 1000), Lang::En);
}

/// ~1000 characters of Japanese, language `all_ja`.
#[cfg(feature = "ja")]
#[divan::bench(sample_count = 10)]
fn japanese_1000_chars(bencher: divan::Bencher) {
    run(bencher, &paragraph(JAPANESE, 1000), Lang::AllJa);
}

/// The first Japanese call of the process: unpacking the dictionary (once) plus one sentence;
/// prints the time and the dictionary's memory. Only the first sample pays for the dictionary.
#[cfg(feature = "ja")]
#[divan::bench(sample_count = 1, sample_size = 1)]
fn ja_first_call() {
    first_call(
        "ja",
        "こんにちは、今日はいい天気ですね。",
        Lang::AllJa,
        sovits_core::text::ja::openjtalk::load_dictionary,
    );
}

/// ~1000 characters of Korean, language `all_ko`.
#[cfg(feature = "ko")]
#[divan::bench(sample_count = 10)]
fn korean_1000_chars(bencher: divan::Bencher) {
    run(bencher, &paragraph(KOREAN, 1000), Lang::AllKo);
}

/// The first Korean call of the process, as [`ja_first_call`].
#[cfg(feature = "ko")]
#[divan::bench(sample_count = 1, sample_size = 1)]
fn ko_first_call() {
    first_call("ko", "안녕하세요, 오늘 날씨가 정말 좋네요.", Lang::AllKo, sovits_core::text::ko::load_dictionary);
}

#[cfg(any(feature = "ja", feature = "ko"))]
fn first_call(name: &str, text: &str, lang: Lang, load: fn() -> sovits_core::Result<usize>) {
    let status = |key: &str| {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l[key.len()..].trim().to_string()))
            .unwrap_or_else(|| "?".into())
    };
    let (rss0, hwm0) = (status("VmRSS:"), status("VmHWM:"));
    let t = std::time::Instant::now();
    let n = phonemize(text, lang).expect("phonemize").len();
    let first = t.elapsed();
    let bytes = load().expect("dictionary");
    let t = std::time::Instant::now();
    let _ = phonemize(text, lang).expect("phonemize");
    eprintln!(
        "{name} first call: {first:?} for {n} phonemes (then {:?}); the dictionary holds {:.1} MB; \
         VmRSS {rss0} -> {}, VmHWM {hwm0} -> {}",
        t.elapsed(),
        bytes as f64 / 1e6,
        status("VmRSS:"),
        status("VmHWM:")
    );
}

/// ~1000 characters of Cantonese, language `all_yue`.
#[divan::bench(sample_count = 10)]
fn cantonese_1000_chars(bencher: divan::Bencher) {
    run(bencher, &paragraph(CANTONESE, 1000), Lang::AllYue);
}
