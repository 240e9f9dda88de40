//! The number, date, time, unit and phone-number verbalisers of upstream's Mandarin
//! normaliser (`text/zh_normalization/{num,chronology,quantifier,phonecode}.py`, from
//! PaddleSpeech), with the same regular expressions (lookarounds and backreferences via
//! `fancy-regex`) applied in the same order.

use std::sync::OnceLock;

use fancy_regex::{Captures, Regex};

use crate::text::regex_util::{g, re, sub};

const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

fn digit(c: char) -> &'static str {
    c.to_digit(10).map(|d| DIGITS[d as usize]).unwrap_or("")
}

/// `verbalize_digit`: digit by digit; `alt_one` reads 一 as 幺.
pub fn verbalize_digit(s: &str, alt_one: bool) -> String {
    let r: String = s.chars().map(digit).collect();
    if alt_one { r.replace('一', "幺") } else { r }
}

/// `_get_value`.
fn get_value(s: &str, use_zero: bool) -> Vec<&'static str> {
    let stripped = s.trim_start_matches('0');
    let n = stripped.chars().count();
    if n == 0 {
        return vec![];
    }
    if n == 1 {
        let d = digit(stripped.chars().next().unwrap());
        return if use_zero && n < s.chars().count() { vec![DIGITS[0], d] } else { vec![d] };
    }
    let largest = [8usize, 4, 3, 2, 1].into_iter().find(|&p| p < n).unwrap_or(1);
    let unit = match largest {
        1 => "十",
        2 => "百",
        3 => "千",
        4 => "万",
        _ => "亿",
    };
    let len = s.chars().count();
    let cut = s.char_indices().nth(len - largest).map(|(i, _)| i).unwrap_or(0);
    let (first, second) = s.split_at(cut);
    let mut out = get_value(first, true);
    out.push(unit);
    out.extend(get_value(second, true));
    out
}

/// `verbalize_cardinal`.
pub fn verbalize_cardinal(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let s = s.trim_start_matches('0');
    if s.is_empty() {
        return DIGITS[0].into();
    }
    let mut syms = get_value(s, true);
    if syms.len() >= 2 && syms[0] == DIGITS[1] && syms[1] == "十" {
        syms.remove(0);
    }
    syms.concat()
}

/// `num2str`: integer part as a cardinal, decimals digit by digit after 点.
pub fn num2str(s: &str) -> String {
    let (integer, decimal) = match s.split_once('.') {
        Some((i, d)) => (i, d),
        None => (s, ""),
    };
    let mut result = verbalize_cardinal(integer);
    let decimal = if decimal.ends_with('0') {
        format!("{}0", decimal.trim_end_matches('0'))
    } else {
        decimal.trim_end_matches('0').to_string()
    };
    if !decimal.is_empty() {
        if result.is_empty() {
            result = "零".into();
        }
        result.push('点');
        result.push_str(&verbalize_digit(&decimal, false));
    }
    result
}

const COM_QUANTIFIERS: &str = "(处|台|架|枚|趟|幅|平|方|堵|间|床|株|批|项|例|列|篇|栋|注|亩|封|艘|把|目|套|段|人|所|朵|匹|张|座|回|场|尾|条|个|首|阙|阵|网|炮|顶|丘|棵|只|支|袭|辆|挑|担|颗|壳|窠|曲|墙|群|腔|砣|座|客|贯|扎|捆|刀|令|打|手|罗|坡|山|岭|江|溪|钟|队|单|双|对|出|口|头|脚|板|跳|枝|件|贴|针|线|管|名|位|身|堂|课|本|页|家|户|层|丝|毫|厘|分|钱|两|斤|担|铢|石|钧|锱|忽|(千|毫|微)克|毫|厘|(公)分|分|寸|尺|丈|里|寻|常|铺|程|(千|分|厘|毫|微)米|米|撮|勺|合|升|斗|石|盘|碗|碟|叠|桶|笼|盆|盒|杯|钟|斛|锅|簋|篮|盘|桶|罐|瓶|壶|卮|盏|箩|箱|煲|啖|袋|钵|年|月|日|季|刻|时|周|天|秒|分|小时|旬|纪|岁|世|更|夜|春|夏|秋|冬|代|伏|辈|丸|泡|粒|颗|幢|堆|条|根|支|道|面|片|张|颗|块|元|(亿|千万|百万|万|千|百)|(亿|千万|百万|万|千|百|美|)元|(亿|千万|百万|万|千|百|十|)吨|(亿|千万|百万|万|千|百|)块|角|毛|分)";

re!(re_date, r"(\d{4}|\d{2})年((0?[1-9]|1[0-2])月)?(((0?[1-9])|((1|2)[0-9])|30|31)([日号]))?");
re!(re_date2, r"(\d{4})([- /.])(0[1-9]|1[012])\2(0[1-9]|[12][0-9]|3[01])");
re!(
    re_time_range,
    r"([0-1]?[0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9]))?(~|-)([0-1]?[0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9]))?"
);
re!(re_time, r"([0-1]?[0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9]))?");
re!(
    re_to_range,
    r"((-?)((\d+)(\.\d+)?)|(\.(\d+)))(%|°C|℃|度|摄氏度|cm2|cm²|cm3|cm³|cm|db|ds|kg|km|m2|m²|m³|m3|ml|m|mm|s)[~]((-?)((\d+)(\.\d+)?)|(\.(\d+)))(%|°C|℃|度|摄氏度|cm2|cm²|cm3|cm³|cm|db|ds|kg|km|m2|m²|m³|m3|ml|m|mm|s)"
);
re!(re_temperature, r"(-?)(\d+(\.\d+)?)(°C|℃|度|摄氏度)");
re!(
    re_asmd,
    r"((-?)((\d+)(\.\d+)?[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|(\.\d+[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|([A-Za-z][⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*))([\+\-\×÷=])((-?)((\d+)(\.\d+)?[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|(\.\d+[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|([A-Za-z][⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*))"
);
re!(re_power, r"[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]+");
re!(re_frac, r"(-?)(\d+)/(\d+)");
re!(re_percentage, r"(-?)(\d+(\.\d+)?)%");
re!(re_mobile, r"(?<!\d)((\+?86 ?)?1([38]\d|5[0-35-9]|7[678]|9[89])\d{8})(?!\d)");
re!(re_telephone, r"(?<!\d)((0(10|2[1-3]|[3-9]\d{2})-?)?[1-9]\d{6,7})(?!\d)");
re!(re_national, r"(400)(-)?\d{3}(-)?\d{4}");
re!(re_range, r"(?<![\d\+\-\×÷=])((-?)((\d+)(\.\d+)?))[-~]((-?)((\d+)(\.\d+)?))(?![\d\+\-\×÷=])");
re!(re_integer, r"(-)(\d+)");
re!(re_version, r"((\d+)(\.\d+)(\.\d+)?(\.\d+)+)");
re!(re_decimal, r"(-?)((\d+)(\.\d+))|(\.(\d+))");
re!(re_default_num, r"\d{3}\d*");
re!(re_number, r"(-?)((\d+)(\.\d+)?)|(\.(\d+))");

fn re_positive_quantifiers() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(&format!(r"(\d+)([多余几\+])?{COM_QUANTIFIERS}")).expect("valid regex"))
}

fn time_num2str(s: &str) -> String {
    let mut r = num2str(s.trim_start_matches('0'));
    if s.starts_with('0') {
        r.insert_str(0, DIGITS[0]);
    }
    r
}

fn replace_time(c: &Captures<'_, str>, is_range: bool) -> String {
    let minute_is_30 = g(c, 2).parse::<u32>().ok() == Some(30);
    let mut r = clock(g(c, 1), g(c, 2), g(c, 4), minute_is_30);
    if is_range {
        r.push('至');
        // Upstream tests the *first* minute for 半 in the second time too.
        r.push_str(&clock(g(c, 6), g(c, 7), g(c, 9), minute_is_30));
    }
    r
}

/// `H点[M分|半][S秒]`, minutes and seconds left out when zero; `half_hour` says 半 for the
/// minutes.
fn clock(hour: &str, minute: &str, second: &str, half_hour: bool) -> String {
    let mut r = format!("{}点", num2str(hour));
    if !minute.trim_start_matches('0').is_empty() {
        if half_hour {
            r.push('半');
        } else {
            r.push_str(&format!("{}分", time_num2str(minute)));
        }
    }
    if !second.trim_start_matches('0').is_empty() {
        r.push_str(&format!("{}秒", time_num2str(second)));
    }
    r
}

fn replace_number(c: &Captures<'_, str>) -> String {
    let pure_decimal = g(c, 5);
    if !pure_decimal.is_empty() {
        num2str(pure_decimal)
    } else {
        let sign = if g(c, 1).is_empty() { "" } else { "负" };
        format!("{sign}{}", num2str(g(c, 2)))
    }
}

fn phone2str(s: &str, mobile: bool) -> String {
    if mobile {
        s.trim_matches('+').split_whitespace().map(|p| verbalize_digit(p, true)).collect::<Vec<_>>().join("，")
    } else {
        s.split('-').map(|p| verbalize_digit(p, true)).collect::<Vec<_>>().join("，")
    }
}

const MEASURES: &[(&str, &str)] = &[
    ("cm2", "平方厘米"),
    ("cm²", "平方厘米"),
    ("cm3", "立方厘米"),
    ("cm³", "立方厘米"),
    ("cm", "厘米"),
    ("db", "分贝"),
    ("ds", "毫秒"),
    ("kg", "千克"),
    ("km", "千米"),
    ("m2", "平方米"),
    ("m²", "平方米"),
    ("m³", "立方米"),
    ("m3", "立方米"),
    ("ml", "毫升"),
    ("m", "米"),
    ("mm", "毫米"),
    ("s", "秒"),
];

/// The verbalisers of `TextNormalizer.normalize_sentence`, in upstream's order (after the
/// traditional/full-width conversion, before `_post_replace`).
pub fn verbalize(sentence: &str) -> String {
    let mut s = sub(re_date(), sentence, |c| {
        let mut r = String::new();
        let (year, month, day) = (g(c, 1), g(c, 3), g(c, 5));
        if !year.is_empty() {
            r.push_str(&format!("{}年", verbalize_digit(year, false)));
        }
        if !month.is_empty() {
            r.push_str(&format!("{}月", verbalize_cardinal(month)));
        }
        if !day.is_empty() {
            r.push_str(&format!("{}{}", verbalize_cardinal(day), g(c, 9)));
        }
        r
    });
    s = sub(re_date2(), &s, |c| {
        format!(
            "{}年{}月{}日",
            verbalize_digit(g(c, 1), false),
            verbalize_cardinal(g(c, 3)),
            verbalize_cardinal(g(c, 4))
        )
    });
    s = sub(re_time_range(), &s, |c| replace_time(c, true));
    s = sub(re_time(), &s, |c| replace_time(c, false));
    s = sub(re_to_range(), &s, |c| g(c, 0).replace('~', "至"));
    s = sub(re_temperature(), &s, |c| {
        let sign = if g(c, 1).is_empty() { "" } else { "零下" };
        let unit = if g(c, 4) == "摄氏度" { "摄氏度" } else { "度" };
        format!("{sign}{}{unit}", num2str(g(c, 2)))
    });
    for (k, v) in MEASURES {
        if s.contains(k) {
            s = s.replace(k, v);
        }
    }
    loop {
        let found = re_asmd().is_match(&s).unwrap_or(false);
        if !found {
            break;
        }
        let next = sub(re_asmd(), &s, |c| {
            let op = match g(c, 8) {
                "+" => "加",
                "-" => "减",
                "×" => "乘",
                "÷" => "除",
                _ => "等于",
            };
            format!("{}{op}{}", g(c, 1), g(c, 9))
        });
        if next == s {
            break;
        }
        s = next;
    }
    s = sub(re_power(), &s, |c| {
        let n: String = g(c, 0)
            .chars()
            .map(|ch| match ch {
                '⁰' => '0',
                '¹' => '1',
                '²' => '2',
                '³' => '3',
                '⁴' => '4',
                '⁵' => '5',
                '⁶' => '6',
                '⁷' => '7',
                '⁸' => '8',
                '⁹' => '9',
                'ˣ' => 'x',
                'ʸ' => 'y',
                _ => 'n',
            })
            .collect();
        format!("的{n}次方")
    });
    s = sub(re_frac(), &s, |c| {
        let sign = if g(c, 1).is_empty() { "" } else { "负" };
        format!("{sign}{}分之{}", num2str(g(c, 3)), num2str(g(c, 2)))
    });
    s = sub(re_percentage(), &s, |c| {
        let sign = if g(c, 1).is_empty() { "" } else { "负" };
        format!("{sign}百分之{}", num2str(g(c, 2)))
    });
    s = sub(re_mobile(), &s, |c| phone2str(g(c, 0), true));
    s = sub(re_telephone(), &s, |c| phone2str(g(c, 0), false));
    s = sub(re_national(), &s, |c| phone2str(g(c, 0), false));
    s = sub(re_range(), &s, |c| {
        let first = sub(re_number(), g(c, 1), replace_number);
        let second = sub(re_number(), g(c, 6), replace_number);
        format!("{first}到{second}")
    });
    s = sub(re_integer(), &s, |c| {
        let sign = if g(c, 1).is_empty() { "" } else { "负" };
        format!("{sign}{}", num2str(g(c, 2)))
    });
    s = sub(re_version(), &s, |c| {
        g(c, 1).chars().map(|ch| if ch == '.' { "点".to_string() } else { num2str(&ch.to_string()) }).collect()
    });
    s = sub(re_decimal(), &s, replace_number);
    s = sub(re_positive_quantifiers(), &s, |c| {
        let m2 = match g(c, 2) {
            "+" => "多",
            o => o,
        };
        let n = num2str(g(c, 1));
        let n = if n == "二" { "两".to_string() } else { n };
        format!("{n}{m2}{}", g(c, 3))
    });
    s = sub(re_default_num(), &s, |c| verbalize_digit(g(c, 0), true));
    sub(re_number(), &s, replace_number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cardinals_and_examples() {
        assert_eq!(num2str("10"), "十");
        assert_eq!(num2str("12"), "十二");
        assert_eq!(num2str("105"), "一百零五");
        assert_eq!(num2str("100000"), "十万");
        assert_eq!(num2str("3.14"), "三点一四");
        assert_eq!(verbalize("1000000人口"), "幺零零零零零零人口");
        assert_eq!(verbalize("2024年5月1日"), "二零二四年五月一日");
        assert_eq!(verbalize("3个"), "三个");
        assert_eq!(verbalize("2个"), "两个");
        assert_eq!(verbalize("50%"), "百分之五十");
    }
}
