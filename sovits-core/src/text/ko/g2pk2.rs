//! g2pk2 0.0.3 (Apache-2.0), the Korean pronunciation rules upstream runs: its `idioms.txt`,
//! the MeCab-ko annotation, numerals, the special rules, `table.csv` (coda + onset
//! substitutions) and the link rules, then syllables composed again. `descriptive=False`,
//! `group_vowels=False`, as upstream calls it.
//!
//! The English-word step (CMUdict) is not here: upstream's `korean.py` turns every Latin letter
//! into its Hangul name before g2pk2 runs, so it never finds a word to convert.

use std::sync::OnceLock;

use fancy_regex::Regex;

use super::jamo::{compose, h2j, last_jamo};
use crate::Result;
use crate::text::mecab::{Tagger, UserLexicon};
use crate::text::regex_util::{g, re, sub};

static TABLE_CSV: &str = include_str!("../../../data/ko/g2pk2/table.csv");
static IDIOMS_TXT: &str = include_str!("../../../data/ko/g2pk2/idioms.txt");

/// Bound nouns read with native Korean numerals (`numerals.BOUND_NOUNS`; upstream tests
/// membership by substring of this line, and so does [`convert_num`]).
const BOUND_NOUNS: &str =
    "군데 권 개 그루 닢 대 두 마리 모 모금 뭇 발 발짝 방 번 벌 보루 살 수 술 시 쌈 움큼 정 짝 채 척 첩 축 켤레 톨 통";

/// Python's `\W` (not a letter, number or `_`), which the table's last column uses.
const PY_NON_WORD: &str = r"[^\p{L}\p{N}_]";

struct Rules {
    idioms: Vec<(Regex, String)>,
    /// `(coda, pattern, replacement)`: every pattern starts with its coda, so a text without
    /// that letter is skipped without running the regex.
    table: Vec<(String, Regex, String)>,
}

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| {
        let mut idioms = Vec::new();
        for line in IDIOMS_TXT.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if let Some((a, b)) = line.split_once("===")
                && let Ok(r) = Regex::new(a)
            {
                idioms.push((r, b.to_string()));
            }
        }
        // `parse_table`: the first row names the onsets, the first column the codas; a cell
        // `str2(rule ids)` makes `coda + onset -> str2`, read row by row.
        let mut lines = TABLE_CSV.lines();
        let onsets: Vec<String> = lines
            .next()
            .unwrap_or("")
            .split(',')
            .map(|o| o.trim_start_matches('\u{feff}').replace(r"\W", PY_NON_WORD))
            .collect();
        let mut table = Vec::new();
        for line in lines {
            let cols: Vec<&str> = line.split(',').collect();
            let coda = cols[0];
            for (i, onset) in onsets.iter().enumerate().skip(1) {
                let Some(cell) = cols.get(i).filter(|c| !c.is_empty()) else { continue };
                let repl = cell.split('(').next().unwrap_or("");
                if let Ok(r) = Regex::new(&format!("{coda}{onset}")) {
                    table.push((coda.to_string(), r, repl.to_string()));
                }
            }
        }
        Rules { idioms, table }
    })
}

/// `re.sub(pattern, repl)` with a replacement that may name group 1 as `\1`.
fn sub_template(r: &Regex, text: &str, repl: &str) -> String {
    if repl.contains(r"\1") { sub(r, text, |c| repl.replace(r"\1", g(c, 1))) } else { sub(r, text, |_| repl.into()) }
}

/// `G2p()(string)`: the pronunciation of `string`, in syllables.
pub fn g2p(tagger: &Tagger, string: &str) -> Result<String> {
    let r = rules();
    // 1. idioms
    let mut s = string.to_string();
    for (re, repl) in &r.idioms {
        s = sub_template(re, &s, repl);
    }
    // 3. annotate (2, English, has nothing to do; see the module docs)
    let s = annotate(tagger, &s);
    // 4. numerals
    let s = convert_num(&s);
    // 5. decompose, 6. special rules
    let mut inp = h2j(&s);
    let special: [fn(&str) -> String; 10] = [
        jyeo,
        consonant_ui,
        josa_ui,
        jamo_rule,
        rieulgiyeok,
        rieulbieub,
        verb_nieun,
        balb,
        palatalize,
        modifying_rieul,
    ];
    for f in special {
        inp = f(&inp);
    }
    inp = sub(annotation(), &inp, |_| String::new());
    // 7. the coda + onset table
    for (coda, re, repl) in &r.table {
        if inp.contains(coda.as_str()) {
            inp = sub_template(re, &inp, repl);
        }
    }
    // 8. link rules
    for pairs in [LINK1, LINK2, LINK4] {
        for (a, b) in pairs {
            inp = inp.replace(a, b);
        }
    }
    // 9. syllables
    Ok(compose(&inp))
}

re!(annotation, "/[PJEB]");

/// `annotate`: MeCab-ko's tags marked on the characters the rules need (`의/J` as a
/// particle, `/E` after an ending in ㄹ, `/P` after a verb stem in ㄴ/ㅁ-like codas, `/B` after
/// a bound noun). The text is left as it is when the morphemes do not spell it (MeCab skipped
/// something other than a plain space).
fn annotate(tagger: &Tagger, string: &str) -> String {
    let tokens = tagger.parse_with(string, &UserLexicon::default());
    let joined: String = tokens.iter().map(|t| t.surface.as_str()).collect();
    if string.replace(' ', "") != joined {
        return string.to_string();
    }
    let mut tags: Vec<char> = Vec::with_capacity(string.len());
    for t in &tokens {
        let pos = t.feature.split(',').next().unwrap_or("");
        let last = pos.rsplit('+').next().unwrap_or("");
        let tag = if last == "NNBC" { 'B' } else { last.chars().next().unwrap_or('_') };
        let n = t.surface.chars().count();
        tags.extend(std::iter::repeat_n('_', n.saturating_sub(1)));
        tags.push(tag);
    }
    let mut tags = tags.into_iter();
    let mut out = String::with_capacity(string.len() + 16);
    for c in string.chars() {
        let tag = if c == ' ' { ' ' } else { tags.next().unwrap_or('_') };
        out.push(c);
        match tag {
            'J' if c == '의' => out.push_str("/J"),
            'E' if last_jamo(c) == '\u{11AF}' => out.push_str("/E"),
            'V' if "\u{11AB}\u{11AC}\u{11B7}\u{11B1}\u{11B0}\u{11B2}\u{11B4}".contains(last_jamo(c)) => {
                out.push_str("/P")
            }
            'B' => out.push_str("/B"),
            _ => {}
        }
    }
    out
}

re!(bound_number, r"([\d][\d,]*)([ㄱ-힣]+)/B");

/// `convert_num`: a number before a bound noun spelled out (native numerals before the
/// counters of [`BOUND_NOUNS`], Sino-Korean ones otherwise), then every remaining digit read
/// alone. Upstream visits the numbers in set order; here in order of appearance.
fn convert_num(string: &str) -> String {
    let mut seen: Vec<(String, String)> = Vec::new();
    for c in bound_number().captures_iter(string).flatten() {
        let t = (g(&c, 1).to_string(), g(&c, 2).to_string());
        if !seen.contains(&t) {
            seen.push(t);
        }
    }
    let mut s = string.to_string();
    for (num, bn) in seen {
        let Some(spelled) = process_num(&num, !BOUND_NOUNS.contains(bn.as_str())) else { continue };
        s = s.replace(&format!("{num}{bn}/B"), &format!("{spelled}{bn}/B"));
    }
    for (d, n) in ('0'..='9').zip("영일이삼사오육칠팔구".chars()) {
        s = s.replace(d, n.encode_utf8(&mut [0; 4]));
    }
    s
}

/// `process_num`: a number of digits and commas in words. `None` where upstream fails (more
/// than 16 digits: it reads a name it never set); the number is then read digit by digit.
pub(crate) fn process_num(num: &str, sino: bool) -> Option<String> {
    let num: Vec<char> = num.chars().filter(|&c| c != ',').collect();
    if num == ['0'] {
        return Some("영".into());
    }
    if !sino && num == ['2', '0'] {
        return Some("스무".into());
    }
    // `digit2name.get(digit, "")`: ASCII 1-9 only (other digits `\d` matched read as nothing).
    let digit = |d: char, names: &[&'static str; 9]| match d {
        '1'..='9' => names[d as usize - '1' as usize],
        _ => "",
    };
    const NAMES: [&str; 9] = ["일", "이", "삼", "사", "오", "육", "칠", "팔", "구"];
    const MODS: [&str; 9] = ["한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉"];
    const DECS: [&str; 9] = ["열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔"];
    let mut spelled: Vec<String> = Vec::new();
    let mut name: Option<String> = None;
    let n = num.len();
    for (k, &d) in num.iter().enumerate() {
        let i = n - k - 1;
        if sino {
            if i == 0 {
                name = Some(digit(d, &NAMES).into());
            } else if i == 1 {
                name = Some(format!("{}십", digit(d, &NAMES)).replace("일십", "십"));
            }
        } else if i == 0 {
            name = Some(digit(d, &MODS).into());
        } else if i == 1 {
            name = Some(digit(d, &DECS).into());
        }
        if d == '0' {
            if i.is_multiple_of(4) {
                let last3 = &spelled[spelled.len() - spelled.len().min(3)..];
                if last3.concat().is_empty() {
                    spelled.push(String::new());
                    continue;
                }
            } else {
                spelled.push(String::new());
                continue;
            }
        }
        let unit = |u: &str, one: bool| {
            let s = format!("{}{u}", digit(d, &NAMES));
            if one { s.replace(&format!("일{u}"), u) } else { s }
        };
        match i {
            2 | 6 => name = Some(unit("백", true)),
            3 | 7 => name = Some(unit("천", true)),
            4 => name = Some(unit("만", true)),
            5 => name = Some(unit("십", true)),
            8 => name = Some(unit("억", false)),
            9 | 13 => name = Some(unit("십", false)),
            10 | 14 => name = Some(unit("백", false)),
            11 | 15 => name = Some(unit("천", false)),
            12 => name = Some(unit("조", false)),
            _ => {}
        }
        spelled.push(name.clone()?);
    }
    Some(spelled.concat())
}

// The patterns are upstream's code points: its "syllables" here are conjoining jamo (the text
// is decomposed by then), and `[그]`/`[으]` are classes of two jamo.
re!(jyeo_re, "([\u{110C}\u{110D}\u{110E}])\u{1167}");
re!(
    consonant_ui_re,
    "([\u{1100}\u{1101}\u{1102}\u{1103}\u{1104}\u{1105}\u{1106}\u{1107}\u{1108}\u{1109}\u{110A}\u{110C}\u{110D}\u{110E}\u{110F}\u{1110}\u{1111}\u{1112}])\u{1174}"
);
re!(jamo1, "([\u{1100}\u{1173}])\u{11AE}\u{110B}");
re!(jamo2, "([\u{110B}\u{1173}])[\u{11BD}\u{11BE}\u{11C0}\u{11C2}]\u{110B}");
re!(jamo3, "([\u{110B}\u{1173}])[\u{11BF}]\u{110B}");
re!(jamo4, "([\u{110B}\u{1173}])[\u{11C1}]\u{110B}");
re!(rieulgiyeok_re, "\u{11B0}/P([\u{1100}\u{1101}])");
re!(balb1, "(\u{1107}\u{1161})\u{11B2}($|[^\u{110B}\u{1112}])");
re!(balb2, "(\u{1102}\u{1165})\u{11B2}([\u{110C}\u{110D}]\u{116E}|[\u{1103}\u{1104}]\u{116E})");
re!(pal1, "\u{11AE}\u{110B}([\u{1175}\u{1167}])");
re!(pal2, "\u{11C0}\u{110B}([\u{1175}\u{1167}])");
re!(pal3, "\u{11B4}\u{110B}([\u{1175}\u{1167}])");
re!(pal4, "\u{11AE}\u{1112}([\u{1175}])");

fn jyeo(s: &str) -> String {
    sub(jyeo_re(), s, |c| format!("{}\u{1165}", g(c, 1)))
}

fn consonant_ui(s: &str) -> String {
    sub(consonant_ui_re(), s, |c| format!("{}\u{1175}", g(c, 1)))
}

fn josa_ui(s: &str) -> String {
    s.replace("/J", "")
}

fn jamo_rule(s: &str) -> String {
    let s = sub(jamo1(), s, |c| format!("{}\u{1109}", g(c, 1)));
    let s = sub(jamo2(), &s, |c| format!("{}\u{1109}", g(c, 1)));
    let s = sub(jamo3(), &s, |c| format!("{}\u{1100}", g(c, 1)));
    sub(jamo4(), &s, |c| format!("{}\u{1107}", g(c, 1)))
}

fn rieulgiyeok(s: &str) -> String {
    sub(rieulgiyeok_re(), s, |_| "\u{11AF}\u{1101}".into())
}

/// Tensing after a stem coda: `(coda)/P + onset -> coda' + tense onset`.
fn tense_after(s: &str, codas: &[(char, char)]) -> String {
    let mut s = s.to_string();
    for &(coda, kept) in codas {
        for (a, b) in
            [('\u{1100}', '\u{1101}'), ('\u{1103}', '\u{1104}'), ('\u{1109}', '\u{110A}'), ('\u{110C}', '\u{110D}')]
        {
            s = s.replace(&format!("{coda}/P{a}"), &format!("{kept}{b}"));
        }
    }
    s
}

fn rieulbieub(s: &str) -> String {
    tense_after(s, &[('\u{11B2}', '\u{11B2}'), ('\u{11B4}', '\u{11B4}')])
}

fn verb_nieun(s: &str) -> String {
    // Upstream's twelve substitutions; none makes or breaks a match of another, so plain
    // replacements give the same text.
    tense_after(
        s,
        &[('\u{11AB}', '\u{11AB}'), ('\u{11B7}', '\u{11B7}'), ('\u{11AC}', '\u{11AB}'), ('\u{11B1}', '\u{11B7}')],
    )
}

fn balb(s: &str) -> String {
    let s = sub(balb1(), s, |c| format!("{}\u{11B8}{}", g(c, 1), g(c, 2)));
    sub(balb2(), &s, |c| format!("{}\u{11B8}{}", g(c, 1), g(c, 2)))
}

fn palatalize(s: &str) -> String {
    let s = sub(pal1(), s, |c| format!("\u{110C}{}", g(c, 1)));
    let s = sub(pal2(), &s, |c| format!("\u{110E}{}", g(c, 1)));
    let s = sub(pal3(), &s, |c| format!("\u{11AF}\u{110E}{}", g(c, 1)));
    sub(pal4(), &s, |c| format!("\u{110E}{}", g(c, 1)))
}

fn modifying_rieul(s: &str) -> String {
    let mut s = s.to_string();
    for (a, b) in [
        ("\u{11AF}/E \u{1100}", "\u{11AF} \u{1101}"),
        ("\u{11AF}/E \u{1103}", "\u{11AF} \u{1104}"),
        ("\u{11AF}/E \u{1107}", "\u{11AF} \u{1108}"),
        ("\u{11AF}/E \u{1109}", "\u{11AF} \u{110A}"),
        ("\u{11AF}/E \u{110C}", "\u{11AF} \u{110D}"),
        ("\u{11AF}\u{1100}\u{1165}\u{11AF}", "\u{11AF}\u{1101}\u{1165}\u{11AF}"),
        ("\u{11AF}\u{1107}\u{1161}\u{11A9}\u{110B}\u{1166}", "\u{11AF}\u{1108}\u{1161}\u{1101}\u{1166}"),
        ("\u{11AF}\u{1109}\u{1166}\u{1105}\u{1161}", "\u{11AF}\u{110A}\u{1166}\u{1105}\u{1161}"),
        ("\u{11AF}\u{1109}\u{116E}\u{1105}\u{1169}\u{11A8}", "\u{11AF}\u{110A}\u{116E}\u{1105}\u{1169}\u{11A8}"),
        (
            "\u{11AF}\u{110C}\u{1175}\u{1105}\u{1161}\u{1103}\u{1169}",
            "\u{11AF}\u{110D}\u{1175}\u{1105}\u{1161}\u{1103}\u{1169}",
        ),
        (
            "\u{11AF}\u{110C}\u{1175}\u{110B}\u{1165}\u{11AB}\u{110C}\u{1165}\u{11BC}",
            "\u{11AF}\u{110D}\u{1175}\u{110B}\u{1165}\u{11AB}\u{110C}\u{1165}\u{11BC}",
        ),
        ("\u{11AF}\u{110C}\u{1175}\u{11AB}\u{1103}\u{1162}", "\u{11AF}\u{110D}\u{1175}\u{11AB}\u{1103}\u{1162}"),
    ] {
        s = s.replace(a, b);
    }
    s
}

const LINK1: &[(&str, &str)] = &[
    ("\u{11A8}\u{110B}", "\u{1100}"),
    ("\u{11A9}\u{110B}", "\u{1101}"),
    ("\u{11AB}\u{110B}", "\u{1102}"),
    ("\u{11AE}\u{110B}", "\u{1103}"),
    ("\u{11AF}\u{110B}", "\u{1105}"),
    ("\u{11B7}\u{110B}", "\u{1106}"),
    ("\u{11B8}\u{110B}", "\u{1107}"),
    ("\u{11BA}\u{110B}", "\u{1109}"),
    ("\u{11BB}\u{110B}", "\u{110A}"),
    ("\u{11BD}\u{110B}", "\u{110C}"),
    ("\u{11BE}\u{110B}", "\u{110E}"),
    ("\u{11BF}\u{110B}", "\u{110F}"),
    ("\u{11C0}\u{110B}", "\u{1110}"),
    ("\u{11C1}\u{110B}", "\u{1111}"),
];
const LINK2: &[(&str, &str)] = &[
    ("\u{11AA}\u{110B}", "\u{11A8}\u{110A}"),
    ("\u{11AC}\u{110B}", "\u{11AB}\u{110C}"),
    ("\u{11B0}\u{110B}", "\u{11AF}\u{1100}"),
    ("\u{11B1}\u{110B}", "\u{11AF}\u{1106}"),
    ("\u{11B2}\u{110B}", "\u{11AF}\u{1107}"),
    ("\u{11B3}\u{110B}", "\u{11AF}\u{110A}"),
    ("\u{11B4}\u{110B}", "\u{11AF}\u{1110}"),
    ("\u{11B5}\u{110B}", "\u{11AF}\u{1111}"),
    ("\u{11B9}\u{110B}", "\u{11B8}\u{110A}"),
];
// `link3` is commented out upstream.
const LINK4: &[(&str, &str)] =
    &[("\u{11C2}\u{110B}", "\u{110B}"), ("\u{11AD}\u{110B}", "\u{1102}"), ("\u{11B6}\u{110B}", "\u{1105}")];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_upstream_spells_them() {
        assert_eq!(process_num("123,456,789", true).unwrap(), "일억이천삼백사십오만육천칠백팔십구");
        assert_eq!(process_num("123,456,789", false).unwrap(), "일억이천삼백사십오만육천칠백여든아홉");
        assert_eq!(process_num("10000", true).unwrap(), "만");
        assert_eq!(process_num("20", false).unwrap(), "스무");
        assert_eq!(process_num("0", true).unwrap(), "영");
        assert!(process_num("12345678901234567", true).is_none());
        assert_eq!(convert_num("우리 3시/B 10분/B에 만나자."), "우리 세시/B 십분/B에 만나자.");
    }

    #[test]
    fn the_rule_tables_parse() {
        let r = rules();
        assert_eq!(r.idioms.len(), 119);
        assert_eq!(r.table.len(), 402);
    }
}
