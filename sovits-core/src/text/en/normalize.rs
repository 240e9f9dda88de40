//! English normalisation: upstream `text/english.py::text_normalize` and
//! `text/en_normalization/expend.py::normalize`, the same regular expressions applied in the
//! same order, quirks included (see `tests/fixtures/text/README.md`, quirk 10).

use fancy_regex::Captures;
use unicode_normalization::UnicodeNormalization;

use super::inflect::{Words, number_to_words, ordinal_digits, ordinal_word};
use crate::text::regex_util::{g, is_match, re, sub};

re!(re_ordinal_number, r"\b([0-9]+)\. ");
re!(re_comma_number, r"([0-9][0-9\,]+[0-9])");
re!(re_time, r"\b([01]?[0-9]|2[0-3]):([0-5][0-9])\b");
re!(re_measurement, r"\b([0-9]+(\.[0-9]+)?(m|km|km/h|ft|L|tbsp|tsp|h|min|s|°C|°F))\b");
re!(re_pounds_start, r"£([0-9\.\,]*[0-9]+)");
re!(re_pounds_end, r"([0-9\.\,]*[0-9]+)£");
re!(re_dollars_start, r"\$([0-9\.\,]*[0-9]+)");
re!(re_dollars_end, r"([(0-9\.\,]*[0-9]+)\$");
re!(re_decimal_number, r"([0-9]+\.\s*[0-9]+)");
re!(re_fraction, r"([0-9]+/[0-9]+)");
re!(re_ordinal, r"[0-9]+(st|nd|rd|th)");
re!(re_number, r"[0-9]+");
re!(
    re_asmd,
    r"((-?)((\d+)(\.\d+)?[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|(\.\d+[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|([A-Za-z][⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*))\s+([\+\-\×÷=])\s+((-?)((\d+)(\.\d+)?[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|(\.\d+[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|([A-Za-z][⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*))"
);
re!(re_negative, r"(?:^|\s+)(-)(\d+)");
re!(re_not_kept, r"[^ A-Za-z'.,?!\-]");
re!(re_that_is, r"(?i)i\.e\.");
re!(re_for_example, r"(?i)e\.g\.");
re!(re_upper, r"(?<!^)(?<![\s])([A-Z])");

/// Python's `int(s)` for the digit strings these rules capture, as a decimal string without
/// leading zeros (`None` where Python would raise).
fn int_str(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = t.trim_start_matches('0');
    Some(if t.is_empty() { "0".into() } else { t.into() })
}

fn words(n: &str) -> String {
    number_to_words(n, &Words::default())
}

fn expand_time(c: &Captures<'_, str>) -> String {
    let hours: u32 = g(c, 1).parse().unwrap_or(0);
    let minutes: u32 = g(c, 2).parse().unwrap_or(0);
    let period = if hours < 12 { "a.m." } else { "p.m." };
    let hours = if hours > 12 { hours - 12 } else { hours };
    let hour_word = words(&hours.to_string());
    if minutes == 0 {
        format!("{hour_word} o'clock {period}")
    } else {
        format!("{hour_word} {} {period}", words(&minutes.to_string()))
    }
}

fn expand_measurement(c: &Captures<'_, str>) -> String {
    let whole = g(c, 1);
    let sign = g(c, 3);
    let (one, many) = match sign {
        "m" => ("meter", "meters"),
        "km" => ("kilometer", "kilometers"),
        "km/h" => ("kilometer per hour", "kilometers per hour"),
        "ft" => ("feet", "feet"),
        "L" => ("liter", "liters"),
        "tbsp" => ("tablespoon", "tablespoons"),
        "tsp" => ("teaspoon", "teaspoons"),
        "h" => ("hour", "hours"),
        "min" => ("minute", "minutes"),
        "s" => ("second", "seconds"),
        "°C" => ("degree celsius", "degrees celsius"),
        _ => ("degree fahrenheit", "degrees fahrenheit"),
    };
    // Upstream: int(number with the unit and the dot removed) == 1 and no decimal part.
    let num = int_str(&whole.replace(sign, "").replace('.', ""));
    let singular = c.get(2).is_none() && num.as_deref() == Some("1");
    whole.replace(sign, &format!(" {}", if singular { one } else { many }))
}

/// `_expand_pounds` / `_expand_dollars`.
fn expand_money(c: &Captures<'_, str>, units: [&'static str; 4], zero: &str) -> String {
    let [major_one, major_many, minor_one, minor_many] = units;
    let m = g(c, 1);
    let parts: Vec<&str> = m.split('.').collect();
    if parts.len() > 2 {
        return format!("{m} {major_many}");
    }
    // Python's int() raises on stray commas or a "("; such text is read without them here.
    let int_of = |s: &str| -> String {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        int_str(&digits).unwrap_or_else(|| "0".into())
    };
    let major = if parts[0].is_empty() { "0".to_string() } else { int_of(parts[0]) };
    let minor = match parts.get(1) {
        Some(p) if !p.is_empty() => int_of(&format!("{p:0<2}")),
        _ => "0".to_string(),
    };
    let unit = |n: &str, one: &'static str, many: &'static str| if n == "1" { one } else { many };
    match (major != "0", minor != "0") {
        (true, true) => format!(
            "{major} {} and {minor} {}",
            unit(&major, major_one, major_many),
            unit(&minor, minor_one, minor_many)
        ),
        (true, false) => format!("{major} {}", unit(&major, major_one, major_many)),
        (false, true) => format!("{minor} {}", unit(&minor, minor_one, minor_many)),
        (false, false) => zero.to_string(),
    }
}

fn expand_decimal(c: &Captures<'_, str>) -> String {
    let m = g(c, 1);
    let mut parts = m.split('.');
    let int_part = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    let spelled: Vec<String> = frac.chars().map(|ch| if ch == '.' { "point".into() } else { ch.to_string() }).collect();
    format!("{int_part} point {}", spelled.join(" "))
}

fn expand_fraction(c: &Captures<'_, str>) -> String {
    let m = g(c, 0);
    let (num, den) = m.split_once('/').unwrap_or((m, "1"));
    let (num, den) = (int_str(num).unwrap_or_default(), int_str(den).unwrap_or_default());
    let numerator = words(&num);
    let denominator = match den.as_str() {
        "2" if num == "1" => "half".to_string(),
        "2" => "halves".to_string(),
        "1" => return numerator,
        _ => {
            let mut d = ordinal_word(&words(&den));
            // numerator > 1
            if num.len() > 1 || num.as_str() > "1" {
                d.push('s');
            }
            d
        }
    };
    format!("{numerator} {denominator}")
}

fn expand_number(c: &Captures<'_, str>) -> String {
    let n = int_str(g(c, 0)).unwrap_or_default();
    let value: Option<u32> = if n.len() <= 4 { n.parse().ok() } else { None };
    let plain = Words { andword: "", ..Words::default() };
    match value {
        Some(2000) => "two thousand".into(),
        Some(v @ 2001..=2009) => format!("two thousand {}", words(&(v % 100).to_string())),
        Some(v @ 1001..=2999) if v % 100 == 0 => format!("{} hundred", words(&(v / 100).to_string())),
        Some(1001..=2999) => number_to_words(&n, &Words { group: 2, andword: "", zero: "oh" }).replace(", ", " "),
        _ => number_to_words(&n, &plain),
    }
}

/// `replace_consecutive_punctuation` of `english.py`: a mark or a space followed by a run of
/// marks (`! ? … , . -`) keeps only its first character.
fn collapse_punctuation(text: &str) -> String {
    const P: [char; 6] = ['!', '?', '…', ',', '.', '-'];
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        i += 1;
        if (P.contains(&c) || c.is_whitespace()) && i < chars.len() && P.contains(&chars[i]) {
            while i < chars.len() && P.contains(&chars[i]) {
                i += 1;
            }
        }
    }
    out
}

/// `expend.normalize`.
pub fn normalize(text: &str) -> String {
    let mut t = sub(re_ordinal_number(), text, |c| format!("{}, ", ordinal_digits(g(c, 1))));
    // Each pass turns at least one operator into a word, so this ends.
    while is_match(re_asmd(), &t) {
        let before = t.len();
        t = sub(re_asmd(), &t, |c| {
            let op = match g(c, 8) {
                "+" => " plus ",
                "-" => " minus ",
                "×" => " times ",
                "÷" => " divided by ",
                _ => " Equals ",
            };
            format!("{}{op}{}", g(c, 1), g(c, 9))
        });
        if t.len() == before {
            break;
        }
    }
    t = sub(re_negative(), &t, |c| format!("negative {}", g(c, 2)));
    t = sub(re_comma_number(), &t, |c| g(c, 1).replace(',', ""));
    t = sub(re_time(), &t, expand_time);
    t = sub(re_measurement(), &t, expand_measurement);
    let pounds = ["pound", "pounds", "penny", "pence"];
    let dollars = ["dollar", "dollars", "cent", "cents"];
    t = sub(re_pounds_start(), &t, |c| expand_money(c, pounds, "zero pounds"));
    t = sub(re_pounds_end(), &t, |c| expand_money(c, pounds, "zero pounds"));
    t = sub(re_dollars_start(), &t, |c| expand_money(c, dollars, "zero dollars"));
    t = sub(re_dollars_end(), &t, |c| expand_money(c, dollars, "zero dollars"));
    t = sub(re_decimal_number(), &t, expand_decimal);
    t = sub(re_fraction(), &t, expand_fraction);
    t = sub(re_ordinal(), &t, |c| words(g(c, 0)));
    t = sub(re_number(), &t, expand_number);
    // Strip accents: NFD, drop non-spacing marks.
    t = t.nfd().filter(|c| !unicode_categories::UnicodeCategories::is_mark_nonspacing(*c)).collect();
    t = t.replace('%', " percent");
    t = sub(re_not_kept(), &t, |_| String::new());
    t = sub(re_that_is(), &t, |_| "that is".into());
    t = sub(re_for_example(), &t, |_| "for example".into());
    sub(re_upper(), &t, |c| format!(" {}", g(c, 1)))
}

/// `english.text_normalize`: the character map, `normalize`, then the punctuation collapse.
///
/// Upstream builds its character map from `re.escape`d keys, so the bracket classes
/// `[;:：，；]` and `["’]` only match themselves literally; `;` `:` `"` `’` are therefore
/// not mapped but dropped by the character filter. Only `。！？` are mapped.
pub fn text_normalize(text: &str) -> String {
    let mapped: String = text
        .replace("[;:：，；]", ",")
        .replace("[\"’]", "'")
        .chars()
        .map(|c| match c {
            '。' => '.',
            '！' => '!',
            '？' => '?',
            c => c,
        })
        .collect();
    collapse_punctuation(&normalize(&mapped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_quirks() {
        assert_eq!(text_normalize("I don’t know; really: yes"), "I dont know really yes");
        assert_eq!(text_normalize("It is -5 degrees"), "It isnegative five degrees");
        assert_eq!(text_normalize("a.m. hello.world x - 3 = y"), "a.m. hello.world x minus three Equals y");
        assert_eq!(
            text_normalize("1234567 and 6:45 am and 10:05"),
            "one million, two hundred thirty-four thousand, five hundred sixty-seven and six forty-five a.m. am and ten five a.m."
        );
        assert_eq!(
            text_normalize("price $1.2 million, 50/50, 1990s, 12/31/2024"),
            "price one dollar and twenty cents million, fifty fiftieths, nineteen ninety seconds, twelve thirty-firststwenty twenty-four"
        );
        assert_eq!(text_normalize("OpenAI GPT-4o iPhone"), "Open A I G P T-fouro i Phone");
        assert_eq!(text_normalize("the 21st and 3. item"), "the twenty-first and third, item");
    }
}
