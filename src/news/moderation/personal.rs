//! Personal data in a comment: e-mail addresses, street addresses and phone numbers, however
//! they are written: digits in groups of any size with any separators, Eastern Arabic digits,
//! or the number spelled out in words ("zéro six douze trente-quatre…", "zero six one two…",
//! « صفر ستة… », "zero stta…").

use super::normalize::{prepare, tokens};
use super::{Category, Finding, Severity};
use crate::news::text::all_words;

fn finding(matched: &str, source: &str) -> Finding {
    Finding {
        category: Category::Privacy,
        severity: Severity::Suspect,
        matched: matched.trim().to_string(),
        source: source.into(),
    }
}

/// Phone numbers, e-mail addresses and street addresses in a comment.
pub fn personal_data(body: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    // E-mail addresses: a word with one @ and a dot after it.
    for word in body.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')') {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        if let Some((local, domain)) = word.split_once('@')
            && !local.is_empty()
            && domain.contains('.')
            && !domain.ends_with('.')
        {
            found.push(finding(word, "email"));
        }
    }
    found.extend(phone_in_digits(body));
    if !found.iter().any(|f| f.source == "phone") {
        found.extend(phone_in_words(body));
    }
    found.extend(street_addresses(body));
    found
}

/// A run of digits is a phone number when it holds 9 to 13 digits and starts as numbers do
/// when dialled: `0` (a Moroccan number, `06…`), `00` or `+` (international), `212`.
fn is_phone(digits: &str) -> bool {
    (9..=13).contains(&digits.len()) && (digits.starts_with('0') || digits.starts_with("212"))
}

/// Digits with separators between them: spaces, dots, dashes, slashes, brackets, up to three
/// together ("06 - 61 - 23 45 67", "(0)6.61.23.45.67", "٠٦١٢٣٤٥٦٧٨").
fn phone_in_digits(body: &str) -> Vec<Finding> {
    // Letters that stand for digits inside a group of digits ("o6 l2 34"): o is 0, l and I
    // are 1.
    let letter_digit = |text: &str, at: usize, c: char| {
        let group = text[..at]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("")
            .chars()
            .chain(text[at..].split(char::is_whitespace).next().unwrap_or("").chars());
        let numeric = group.clone().any(|d| d.is_ascii_digit())
            && group.clone().all(|d| d.is_ascii_digit() || matches!(d, 'o' | 'O' | 'l' | 'I' | '.' | '-'));
        match c {
            'o' | 'O' if numeric => Some('0'),
            'l' | 'I' if numeric => Some('1'),
            _ => None,
        }
    };
    let chars: Vec<(usize, char)> = body
        .char_indices()
        .map(|(i, c)| (i, ascii_digit(c).or_else(|| letter_digit(body, i, c)).unwrap_or(c)))
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let plus = c == '+' && chars.get(i + 1).is_some_and(|(_, d)| d.is_ascii_digit());
        if !(c.is_ascii_digit() || plus) {
            i += 1;
            continue;
        }
        let (mut digits, mut gap, mut end, mut j) = (String::new(), 0, start, i);
        while j < chars.len() {
            let (pos, d) = chars[j];
            if d.is_ascii_digit() {
                digits.push(d);
                gap = 0;
                end = pos + body[pos..].chars().next().map(char::len_utf8).unwrap_or(1);
            } else if matches!(d, ' ' | '.' | '-' | '/' | '+' | '(' | ')' | '\u{a0}') && gap < 3 {
                gap += 1;
            } else {
                break;
            }
            j += 1;
        }
        let digits = if plus { format!("00{digits}") } else { digits };
        if is_phone(&digits) || (plus && (9..=15).contains(&digits.len())) {
            found.push(finding(&body[start..end], "phone"));
        }
        i = j.max(i + 1);
    }
    found
}

fn ascii_digit(c: char) -> Option<char> {
    let code = c as u32;
    for zero in [0x30, 0x0660, 0x06F0] {
        if (zero..zero + 10).contains(&code) {
            return char::from_u32(0x30 + code - zero);
        }
    }
    None
}

/// How a word counts in a number said aloud: a digit or two-digit value, a tens word waiting
/// for its unit, or a word that only joins ("et", "and", "w").
#[derive(Clone, Copy, Debug, PartialEq)]
enum NumberWord {
    Value(u32),
    Tens(u32),
    /// "quatre" before "vingt" is 80, alone it is 4.
    Four,
    /// "double six": 66.
    Repeat(u32),
    Joiner,
}

/// Number words of French, English, Arabic and Darija (both scripts), in the normalized
/// spelling `news::text` gives them (no accents; Arabic letter forms unified).
fn number_word(word: &str) -> Option<NumberWord> {
    // Arabic "و" (and) sticks to the next word: "وثلاثين" (but "واحد" is one).
    spelled_number(word).or_else(|| word.strip_prefix('و').filter(|w| w.chars().count() > 2).and_then(spelled_number))
}

fn spelled_number(word: &str) -> Option<NumberWord> {
    use NumberWord::*;
    Some(match word {
        "zero" | "ziro" | "oh" | "صفر" | "زيرو" => Value(0),
        "un" | "une" | "one" | "wahed" | "wa7ed" | "wahd" | "wa7d" | "واحد" => Value(1),
        "deux" | "two" | "jouj" | "jooj" | "zouj" | "zooj" | "اثنان" | "اثنين" | "جوج" | "زوج" => {
            Value(2)
        }
        "trois" | "three" | "tlata" | "tleta" | "ثلاثه" | "تلاته" => Value(3),
        "quatre" => Four,
        "four" | "rb3a" | "reb3a" | "rab3a" | "arba3a" | "اربعه" | "ربعه" => Value(4),
        "cinq" | "five" | "khamsa" | "khamssa" | "خمسه" => Value(5),
        "six" | "sitta" | "stta" | "setta" | "sta" | "سته" | "سيس" => Value(6),
        "sept" | "seven" | "sb3a" | "seb3a" | "sab3a" | "سبعه" | "سيت" => Value(7),
        "huit" | "eight" | "tmnia" | "tmanya" | "tmania" | "tamanya" | "ثمانيه" | "تمنيه" | "تمانيه" | "ويت" => {
            Value(8)
        }
        "neuf" | "nine" | "ts3ud" | "tes3oud" | "tis3a" | "tes3a" | "تسعه" | "تسعود" | "نوف" => Value(9),
        "dix" | "ten" | "3achra" | "3echra" | "عشره" | "ديس" => Value(10),
        "onze" | "eleven" | "7dach" | "hdach" | "احدعشر" | "حضاش" | "حداش" => Value(11),
        "douze" | "twelve" | "tnach" | "tnash" | "اثناعشر" | "طناش" | "تناش" | "دوز" => Value(12),
        "treize" | "thirteen" | "tlettach" | "tlatach" | "تلطاش" | "تلتاش" => Value(13),
        "quatorze" | "fourteen" | "rb3tach" | "rba3tach" | "ربعطاش" => Value(14),
        "quinze" | "fifteen" | "khamstach" | "khmstach" | "خمسطاش" => Value(15),
        "seize" | "sixteen" | "settach" | "sttach" | "سطاش" => Value(16),
        "seventeen" | "sb3tach" | "sba3tach" | "سبعطاش" => Value(17),
        "eighteen" | "tmntach" | "tmentach" | "تمنطاش" => Value(18),
        "nineteen" | "ts3tach" | "tsa3tach" | "تسعطاش" => Value(19),
        "vingt" | "vingts" | "twenty" | "3echrin" | "3achrin" | "عشرين" | "عشرون" => Tens(20),
        "trente" | "thirty" | "tlatin" | "tletin" | "ثلاثين" | "ثلاثون" | "تلاتين" => Tens(30),
        "quarante" | "forty" | "rb3in" | "reb3in" | "اربعين" | "اربعون" | "ربعين" => Tens(40),
        "cinquante" | "fifty" | "khamsin" | "khmsin" | "خمسين" | "خمسون" => Tens(50),
        "soixante" | "sixty" | "sttin" | "settin" | "ستين" | "ستون" => Tens(60),
        "seventy" | "sb3in" | "seb3in" | "سبعين" | "سبعون" => Tens(70),
        "eighty" | "tmanin" | "tmenin" | "ثمانين" | "ثمانون" | "تمانين" => Tens(80),
        "ninety" | "ts3in" | "tes3in" | "تسعين" | "تسعون" => Tens(90),
        "double" => Repeat(2),
        "triple" => Repeat(3),
        "et" | "and" | "w" | "و" => Joiner,
        _ => return None,
    })
}

/// A number said in words, read into its digits, when it makes a phone number.
fn phone_in_words(body: &str) -> Vec<Finding> {
    let words = all_words(&prepare(body));
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (digits, used) = read_spoken_number(&words[i..]);
        if used > 0 && is_phone(&digits) {
            found.push(finding(&words[i..i + used].join(" "), "phone"));
            i += used;
        } else {
            i += used.max(1);
        }
    }
    found
}

/// Reads number words (and digit groups) from the start of `words`: the digits they say and
/// how many words were read.
fn read_spoken_number(words: &[String]) -> (String, usize) {
    use NumberWord::*;
    let mut digits = String::new();
    let mut i = 0;
    let mut spoken = 0;
    // A unit said before its tens, Arabic-style ("أربعة وثلاثين" = 34), waits for them.
    let mut pending_unit: Option<u32> = None;
    let flush_unit = |digits: &mut String, pending: &mut Option<u32>| {
        if let Some(unit) = pending.take() {
            digits.push_str(&unit.to_string());
        }
    };
    while i < words.len() {
        let word = words[i].as_str();
        if word.chars().all(|c| c.is_ascii_digit()) {
            flush_unit(&mut digits, &mut pending_unit);
            digits.push_str(word);
            i += 1;
            continue;
        }
        let Some(kind) = number_word(word) else { break };
        spoken += 1;
        match kind {
            Joiner => {}
            Value(v) if v < 10 => {
                flush_unit(&mut digits, &mut pending_unit);
                // "dix-sept": 17; a unit before Arabic tens waits for them.
                let next = words.get(i + 1).and_then(|w| number_word(w));
                let next2 = words.get(i + 2).and_then(|w| number_word(w));
                match (next, next2) {
                    (Some(Tens(t)), _) if words[i + 1].starts_with('و') => {
                        pending_unit = None;
                        digits.push_str(&(t + v).to_string());
                        i += 1;
                        spoken += 1;
                    }
                    (Some(Joiner), Some(Tens(t))) if word_is_arabic_or_darija(word) => {
                        digits.push_str(&(t + v).to_string());
                        i += 2;
                        spoken += 2;
                    }
                    _ => digits.push_str(&v.to_string()),
                }
            }
            Value(10) if matches!(words.get(i + 1).and_then(|w| number_word(w)), Some(Value(7..=9))) => {
                flush_unit(&mut digits, &mut pending_unit);
                if let Some(Value(u)) = words.get(i + 1).and_then(|w| number_word(w)) {
                    digits.push_str(&(10 + u).to_string());
                }
                i += 1;
            }
            Value(v) => {
                flush_unit(&mut digits, &mut pending_unit);
                digits.push_str(&v.to_string());
            }
            Four if words.get(i + 1).is_some_and(|w| number_word(w) == Some(Tens(20))) => {
                flush_unit(&mut digits, &mut pending_unit);
                i += 1;
                let (value, used) = tens_and_unit(80, &words[i + 1..]);
                digits.push_str(&value.to_string());
                i += used;
            }
            Four => {
                flush_unit(&mut digits, &mut pending_unit);
                digits.push('4');
            }
            Tens(t) => {
                flush_unit(&mut digits, &mut pending_unit);
                let (value, used) = tens_and_unit(t, &words[i + 1..]);
                digits.push_str(&value.to_string());
                i += used;
            }
            Repeat(n) => {
                if let Some(Value(v)) = words.get(i + 1).and_then(|w| number_word(w))
                    && v < 10
                {
                    digits.push_str(&v.to_string().repeat(n as usize));
                    i += 1;
                }
            }
        }
        i += 1;
    }
    flush_unit(&mut digits, &mut pending_unit);
    // Digits alone are `phone_in_digits`' work: a spoken number needs at least two words.
    if spoken < 2 {
        return (String::new(), i);
    }
    (digits, i)
}

fn word_is_arabic_or_darija(word: &str) -> bool {
    crate::news::text::is_arabic(word)
        || matches!(
            word,
            "wahed" | "wa7ed" | "jouj" | "tlata" | "rb3a" | "khamsa" | "stta" | "sb3a" | "tmnia" | "ts3ud"
        )
}

/// A tens word and what follows it: "trente-quatre" 34, "vingt et un" 21, "soixante-douze"
/// 72, "quatre-vingt-dix-neuf" 99. Returns the value and how many words after the tens word
/// it used.
fn tens_and_unit(tens: u32, rest: &[String]) -> (u32, usize) {
    use NumberWord::*;
    let mut used = 0;
    if rest.first().and_then(|w| number_word(w)) == Some(Joiner) && rest.len() > 1 {
        used = 1;
    }
    match rest.get(used).and_then(|w| number_word(w)) {
        Some(Value(10)) if matches!(tens, 60 | 80) => {
            if let Some(Value(u @ 7..=9)) = rest.get(used + 1).and_then(|w| number_word(w)) {
                (tens + 10 + u, used + 2)
            } else {
                (tens + 10, used + 1)
            }
        }
        Some(Value(v)) if v < 10 && v > 0 => (tens + v, used + 1),
        Some(Value(v)) if (11..=19).contains(&v) && matches!(tens, 60 | 80) => (tens + v, used + 1),
        Some(Four) => (tens + 4, used + 1),
        _ => (tens, 0),
    }
}

/// Words after a number that make it a price or a quantity, not a house number.
const UNITS: [&str; 22] = [
    "dh",
    "dhs",
    "dirham",
    "dirhams",
    "mad",
    "drh",
    "درهم",
    "دراهم",
    "€",
    "euro",
    "euros",
    "km",
    "m",
    "m2",
    "kg",
    "ans",
    "an",
    "years",
    "year",
    "3am",
    "l3am",
    "%",
];

/// Street addresses: a number next to a street word.
fn street_addresses(body: &str) -> Vec<Finding> {
    // Compared after the same collapsing of repeated letters as the tokens ("imeuble").
    const STREET: [&str; 30] = [
        "rue",
        "avenue",
        "av",
        "bd",
        "boulevard",
        "impasse",
        "residence",
        "imeuble",
        "apartement",
        "apt",
        "etage",
        "street",
        "road",
        "building",
        "apartment",
        "عماره",
        "شقه",
        "zanqa",
        "zen9a",
        "zen9at",
        "3imara",
        "bloc",
        "vila",
        "lotisement",
        "hay",
        "douar",
        "derb",
        "زنقه",
        "شارع",
        "درب",
    ];
    static STREET_WORDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    // The street words in the tokens' own normalization (Darija's "zen9a" by its consonants).
    let street =
        STREET_WORDS.get_or_init(|| STREET.iter().flat_map(|w| tokens(&prepare(w), true)).map(|t| t.normal).collect());
    let toks = tokens(&prepare(body), true);
    let mut found = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if street.contains(&t.normal) {
            // A house number: not a year, not a price or a quantity ("5000 dh", "70 %").
            let house_number = |at: usize| {
                let n = &toks[at].normal;
                let number = !n.is_empty() && n.chars().all(|c| c.is_ascii_digit());
                let year = n.len() == 4 && (n.starts_with("19") || n.starts_with("20"));
                let unit = toks.get(at + 1).is_some_and(|u| UNITS.contains(&u.normal.as_str()))
                    || toks[at].written.contains('%');
                number && !year && !unit
            };
            let near = (k.saturating_sub(2)..(k + 3).min(toks.len())).any(house_number);
            if near {
                found.push(finding(&t.written, "address"));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(text: &str) -> usize {
        personal_data(text).iter().filter(|f| f.source == "phone").count()
    }

    #[test]
    fn phone_numbers_in_digits_however_grouped() {
        assert_eq!(phones("appelez le 06 12 34 56 78"), 1);
        assert_eq!(phones("son numéro: 066-12-3-45-67"), 1);
        assert_eq!(phones("0 6 6 1 2 3 4 5 6 7"), 1);
        assert_eq!(phones("06 - 61 - 23 45 67"), 1);
        assert_eq!(phones("+212 6 61 23 45 09"), 1);
        assert_eq!(phones("رقمه ٠٦١٢٣٤٥٦٧٨"), 1);
    }

    #[test]
    fn phone_numbers_spelled_out() {
        for text in [
            "appelez le zéro six douze trente-quatre cinquante-six soixante-dix-huit",
            "call zero six one two three four five six seven eight",
            "zero six double one two three four five six seven",
            "رقمه صفر ستة واحد اثنين ثلاثة أربعة خمسة ستة سبعة ثمانية",
            "nmrtu zero stta wa7ed jouj tlata rb3a khamsa stta sb3a tmnia",
        ] {
            let words = all_words(&prepare(text));
            let (digits, _) = (0..words.len())
                .map(|i| read_spoken_number(&words[i..]))
                .find(|(d, _)| !d.is_empty())
                .unwrap_or_default();
            assert!(phones(text) == 1, "{text}: read {digits:?} from {words:?}");
        }
        assert_eq!(phones("appelez le zéro six douze trente-quatre cinquante-six soixante-dix-huit"), 1);
        assert_eq!(phones("call zero six one two three four five six seven eight"), 1);
        assert_eq!(phones("zero six double one two three four five six seven"), 1);
        assert_eq!(phones("رقمه صفر ستة واحد اثنين ثلاثة أربعة خمسة ستة سبعة ثمانية"), 1);
        assert_eq!(phones("nmrtu zero stta wa7ed jouj tlata rb3a khamsa stta sb3a tmnia"), 1);
    }

    #[test]
    fn numbers_that_are_not_phones() {
        assert_eq!(phones("En 2021, 7 000 personnes ont visité le musée"), 0);
        assert_eq!(phones("le budget de 1 200 000 000 dirhams"), 0);
        assert_eq!(phones("dossier n° 2023/1456/12"), 0);
        assert_eq!(phones("l'indicatif 212 du Maroc"), 0);
        assert_eq!(phones("score final trois à zéro, deux cartons"), 0);
    }

    #[test]
    fn prices_and_years_near_a_street_word_are_not_addresses() {
        let addresses = |text: &str| personal_data(text).iter().filter(|f| f.source == "address").count();
        assert_eq!(addresses("lkra f Hay Riad: 5000 dh f 2018, daba 8500"), 0);
        assert_eq!(addresses("Boulevard Zerktouni : 1200 dirhams le m2, en 1999"), 0);
        assert_eq!(addresses("il habite au 14 rue des Orangers"), 1);
        assert_eq!(addresses("sakn f derb Sultan, zen9a 12"), 1);
    }
}
