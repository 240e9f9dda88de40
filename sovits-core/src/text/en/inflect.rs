//! Number words as PyPI `inflect` 7.6.0 writes them (`number_to_words`, `ordinal`), for the
//! calls upstream's English normaliser makes: non-negative integers, grouping 0 or 2, a custom
//! `andword` and `zero`. Output strings, commas included, are the library's.

const UNIT: [&str; 10] = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const TEEN: [&str; 10] =
    ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TEN: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const MILL: [&str; 12] = [
    " ",
    " thousand",
    " million",
    " billion",
    " trillion",
    " quadrillion",
    " quintillion",
    " sextillion",
    " septillion",
    " octillion",
    " nonillion",
    " decillion",
];

/// Options of `number_to_words` that upstream changes.
#[derive(Debug, Clone, Copy)]
pub struct Words<'a> {
    /// Digit grouping: 0 (a whole number) or 2 (pairs, as for years).
    pub group: u8,
    /// Word between hundreds and the rest (`"and"` by default).
    pub andword: &'a str,
    /// Word for a zero digit.
    pub zero: &'a str,
}

impl Default for Words<'_> {
    fn default() -> Self {
        Self { group: 0, andword: "and", zero: "zero" }
    }
}

/// `tenfn`: 0-99 with an optional magnitude word (`mill[0]` is a space).
fn tenfn(tens: usize, units: usize, mindex: usize) -> String {
    if tens != 1 {
        let hyphen = if tens != 0 && units != 0 { "-" } else { "" };
        format!("{}{hyphen}{}{}", TEN[tens], UNIT[units], MILL[mindex])
    } else {
        format!("{}{}", TEEN[units], MILL[mindex])
    }
}

fn hundfn(h: usize, t: usize, u: usize, mindex: usize, andword: &str) -> String {
    if h != 0 {
        let and = if t != 0 || u != 0 { format!(" {andword} ") } else { String::new() };
        format!("{} hundred{and}{}{}, ", UNIT[h], tenfn(t, u, 0), MILL[mindex])
    } else if t != 0 || u != 0 {
        format!("{}{}, ", tenfn(t, u, 0), MILL[mindex])
    } else {
        String::new()
    }
}

fn digit(b: u8) -> usize {
    (b - b'0') as usize
}

/// `enword(num, 0)` for a digit string; `None` past the decillions (inflect raises there).
fn enword_group0(num: &str, w: &Words) -> Option<String> {
    let stripped = num.trim_start_matches('0');
    if stripped.is_empty() {
        return Some(w.zero.to_string());
    }
    if stripped == "1" {
        return Some("one".to_string());
    }
    let d = stripped.as_bytes();
    // Three-digit groups from the right, each rendered with its magnitude; what is left
    // (one or two digits) gets the next magnitude.
    let mut parts: Vec<String> = Vec::new();
    let mut end = d.len();
    let mut mill = 0;
    while end >= 3 {
        if mill >= MILL.len() {
            return None;
        }
        let g = &d[end - 3..end];
        parts.push(hundfn(digit(g[0]), digit(g[1]), digit(g[2]), mill, w.andword));
        mill += 1;
        end -= 3;
    }
    if end > 0 {
        if mill >= MILL.len() {
            return None;
        }
        parts.push(match end {
            2 => format!("{}, ", tenfn(digit(d[0]), digit(d[1]), mill)),
            _ => format!("{}{}, ", UNIT[digit(d[0])], MILL[mill]),
        });
    }
    parts.reverse();
    Some(parts.concat())
}

/// `enword(num, 2)`: digit pairs from the right.
fn enword_group2(num: &str, w: &Words) -> String {
    let d = num.as_bytes();
    let head = (d.len() - 1) % 2 + 1;
    let mut out = String::new();
    let mut start = 0;
    let mut size = head;
    while start < d.len() {
        let g = &d[start..start + size];
        if g.len() == 1 {
            // group1bsub
            let u = digit(g[0]);
            if u != 0 {
                out.push_str(&format!("{}, ", UNIT[u]));
            } else {
                out.push_str(&format!(" {}, ", w.zero));
            }
        } else {
            // group2sub
            let (t, u) = (digit(g[0]), digit(g[1]));
            if t != 0 {
                out.push_str(&format!("{}, ", tenfn(t, u, 0)));
            } else if u != 0 {
                out.push_str(&format!(" {} {}, ", w.zero, UNIT[u]));
            } else {
                out.push_str(&format!(" {} {}, ", w.zero, w.zero));
            }
        }
        start += size;
        size = 2;
    }
    out
}

/// Collapse every whitespace run to one space.
fn squeeze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// `\s+,` -> `,`.
fn drop_space_before_comma(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == ',' {
            while out.ends_with(char::is_whitespace) {
                out.pop();
            }
        }
        out.push(c);
    }
    out
}

/// `_sub_ord`: the ordinal of a number word.
pub fn ordinal_word(word: &str) -> String {
    const ORD: [(&str, &str); 8] = [
        ("twelve", "twelfth"),
        ("three", "third"),
        ("eight", "eighth"),
        ("five", "fifth"),
        ("nine", "ninth"),
        ("one", "first"),
        ("two", "second"),
        ("ty", "tieth"),
    ];
    for (suffix, ord) in ORD {
        if let Some(stem) = word.strip_suffix(suffix) {
            return format!("{stem}{ord}");
        }
    }
    format!("{word}th")
}

/// `inflect.ordinal("123")`: the digits with their suffix (`123rd`).
pub fn ordinal_digits(digits: &str) -> String {
    // Python's int() of the digit string; only the last two digits matter.
    let tail: usize = digits[digits.len().saturating_sub(2)..].parse().unwrap_or(0);
    let suffix = match tail {
        11..=13 => "th",
        _ => match tail % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        },
    };
    format!("{digits}{suffix}")
}

/// `number_to_words(num, group=w.group, andword=w.andword, zero=w.zero)` for a string of ASCII
/// digits, optionally ending in an ordinal suffix (`21st`). Past the decillions, where inflect
/// raises, the digits are read one by one.
pub fn number_to_words(num: &str, w: &Words) -> String {
    let stem = ["st", "nd", "rd", "th"].iter().find_map(|suf| num.strip_suffix(suf));
    let (digits, ordinal) = match stem {
        Some(d) => (d, true),
        None => (num, false),
    };
    // Only digits are read (inflect drops everything else from a chunk).
    let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
    let digits = if digits.is_empty() { "0" } else { digits.as_str() };
    let raw = if w.group == 2 {
        enword_group2(digits, w)
    } else {
        match enword_group0(digits, w) {
            Some(s) => s,
            None => {
                let spelled: Vec<&str> =
                    digits.bytes().map(|b| if b == b'0' { w.zero } else { UNIT[digit(b)] }).collect();
                return spelled.join(" ");
            }
        }
    };
    let mut chunk = raw.strip_suffix(", ").unwrap_or(&raw).to_string();
    chunk = drop_space_before_comma(&chunk);
    if w.group == 0 {
        // COMMA_WORD: `, (\S+)\s+\Z` -> ` {andword} \1`
        if let Some(pos) = chunk.rfind(", ") {
            let rest = &chunk[pos + 2..];
            let word_end = rest.find(char::is_whitespace);
            if let Some(we) = word_end
                && we > 0
                && rest[we..].chars().all(char::is_whitespace)
            {
                chunk = format!("{} {} {}", &chunk[..pos], w.andword, &rest[..we]);
                chunk = drop_space_before_comma(&chunk);
            }
        }
    }
    let chunk = squeeze(&chunk).trim().to_string();
    let mut numchunks: Vec<String> = chunk.split(", ").map(str::to_string).collect();
    if ordinal && let Some(last) = numchunks.last_mut() {
        *last = ordinal_word(last);
    }
    numchunks.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        let d = Words::default();
        let plain = Words { andword: "", ..d };
        assert_eq!(number_to_words("0", &d), "zero");
        assert_eq!(number_to_words("21st", &d), "twenty-first");
        assert_eq!(number_to_words("101", &d), "one hundred and one");
        assert_eq!(number_to_words("1001", &plain), "one thousand one");
        assert_eq!(
            number_to_words("1234567", &plain),
            "one million, two hundred thirty-four thousand, five hundred sixty-seven"
        );
        let year = Words { group: 2, andword: "", zero: "oh" };
        assert_eq!(number_to_words("1905", &year), "nineteen, oh five");
        assert_eq!(ordinal_word("twelve"), "twelfth");
        assert_eq!(ordinal_digits("113"), "113th");
    }
}
