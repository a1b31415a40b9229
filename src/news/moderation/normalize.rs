//! Text as the screening reads it: every evasion undone before any rule runs.
//!
//! First the characters (`prepare`): compatibility forms folded (full-width letters,
//! mathematical letters, Arabic presentation forms, by Unicode NFKC), invisible characters
//! dropped, look-alike letters from another script brought home (Cyrillic and Greek letters in
//! Latin words, Persian and Urdu letters in Arabic ones). Then the words (`tokens`): case,
//! accents and Arabic letter forms (`news::text`), digit and symbol swaps ("c0nn@rd"), runs of
//! single letters joined ("i.d.i.o.t", "ح م ا ر"), repeated letters collapsed, light stemming.
//! The lists and patterns go through the same steps, so they meet the comment in one form.

use unicode_normalization::UnicodeNormalization;

use crate::news::text::{all_words, is_elision};

/// A word of the comment: as written, and normalized for matching.
#[derive(Clone, Debug, Default)]
pub struct Token {
    pub written: String,
    pub normal: String,
    /// For a word spelled out letter by letter ("c o n n a r d"), how many letters were
    /// joined to make it; 0 for a word written as one.
    pub spelled_out: usize,
}

/// Characters that render as nothing: zero-width spaces and joiners, the soft hyphen, the
/// word joiner, the byte-order mark, bidirectional controls.
fn is_invisible(ch: char) -> bool {
    matches!(ch, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// A Cyrillic or Greek letter that looks like a Latin one, as that Latin letter.
fn latin_look_alike(ch: char) -> Option<char> {
    Some(match ch {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' | 'ε' => 'e',
        'һ' | 'н' => 'h',
        'і' | 'ї' | 'ι' | 'ί' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'п' | 'η' => 'n',
        'о' | 'ο' | 'ό' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'г' => 'r',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' | 'μ' => 'u',
        'ν' => 'v',
        'ԝ' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'С' => 'C',
        'Е' | 'Ε' => 'E',
        'Н' | 'Η' => 'H',
        'І' | 'Ι' => 'I',
        'Ј' => 'J',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'Ѕ' => 'S',
        'Т' | 'Τ' => 'T',
        'Х' | 'Χ' => 'X',
        'У' | 'Υ' => 'Y',
        'Ζ' => 'Z',
        _ => return None,
    })
}

/// A Persian, Urdu or Kurdish letter that Arabic writes another way, as that letter.
fn arabic_look_alike(ch: char) -> Option<char> {
    Some(match ch {
        'ک' | 'ڪ' | 'ګ' => 'ك',
        'ی' | 'ێ' | 'ې' | 'ے' => 'ي',
        'ە' | 'ۀ' | 'ھ' | 'ہ' | 'ۂ' => 'ه',
        'ۃ' => 'ة',
        'ٱ' => 'ا',
        _ => return None,
    })
}

/// The characters of a comment with evasions undone (see the module's comment).
pub fn prepare(text: &str) -> String {
    let folded: String = text.nfkc().filter(|c| !is_invisible(*c)).collect();
    let mut out = String::with_capacity(folded.len());
    for word in folded.split_inclusive(char::is_whitespace) {
        // A Cyrillic or Greek letter among Latin ones, or a word made only of look-alikes, is
        // a disguise: readers of this paper do not write Russian or Greek.
        let latin = word.chars().any(|c| c.is_ascii_alphabetic());
        let disguised =
            word.chars().filter(|c| c.is_alphabetic()).all(|c| c.is_ascii() || latin_look_alike(c).is_some());
        for ch in word.chars() {
            match latin_look_alike(ch) {
                Some(l) if latin || disguised => out.push(l),
                _ => out.push(arabic_look_alike(ch).unwrap_or(ch)),
            }
        }
    }
    out
}

/// Symbol swaps that stand for letters in any script ("c0nn@rd", "$alaud", "7m@r").
fn unsymbol(ch: char) -> Option<char> {
    Some(match ch {
        '@' => 'a',
        '$' => 's',
        '€' => 'e',
        '!' | '|' => 'i',
        _ => return None,
    })
}

/// Digit swaps of leetspeak, for scripts where digits are not letters.
fn unleet(ch: char) -> Option<char> {
    Some(match ch {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        '€' => 'e',
        _ => return None,
    })
}

/// A number with a short suffix, as French and English write ranks, hours and units: "2e",
/// "10h", "5G", "3ème", "21st".
fn is_number_with_unit(piece: &str) -> bool {
    let word = piece.trim_matches(|c: char| !c.is_alphanumeric());
    let digits = word.chars().take_while(|c| c.is_ascii_digit()).count();
    let rest = &word[digits..];
    digits > 0 && (1..=3).contains(&rest.chars().count()) && rest.chars().all(char::is_alphabetic)
}

/// Splits prepared text into tokens normalized for matching: words of `news::text` (case,
/// accents, Arabic forms), leetspeak undone unless `keep_digits`, repeated letters collapsed,
/// runs of single letters (a word spelled out with separators) joined, Arabic prefixes and
/// suffixes stripped, a final Latin plural "s" dropped.
pub fn tokens(text: &str, keep_digits: bool) -> Vec<Token> {
    let mut raw: Vec<Token> = Vec::new();
    // Where a wide gap (two spaces or more) separates words: a run of spaced-out letters
    // ("i  w i l l  f i n d") ends there.
    let mut breaks_before: Vec<usize> = Vec::new();
    let mut gap = 0;
    for piece in text.split(' ').flat_map(|p| p.split(|c: char| c.is_whitespace() && c != ' ').map(Some).chain([None]))
    {
        let Some(piece) = piece else { continue };
        if piece.is_empty() {
            gap += 1;
            continue;
        }
        if gap >= 1 {
            breaks_before.push(raw.len());
        }
        gap = 0;
        // Undo swaps before `all_words`, which would take "@" or "$" for separators. Only
        // inside a word with letters, and not in what is written as a number with a letter
        // or two ("2e", "10h", "5G"): "2020" and "06 12 34" stay numbers.
        let letters = piece.chars().filter(|c| c.is_alphabetic()).count();
        let unswapped: String = if letters == 0 || is_number_with_unit(piece) {
            piece.to_string()
        } else if keep_digits {
            // Darija's digit-letters are 2, 3, 5, 7, 8, 9; a 0 or a 1 in a word is an o or an i.
            piece
                .chars()
                .map(|c| {
                    unsymbol(c)
                        .or(match c {
                            '0' => Some('o'),
                            '1' => Some('i'),
                            _ => None,
                        })
                        .unwrap_or(c)
                })
                .collect()
        } else {
            piece.chars().map(|c| unsymbol(c).or_else(|| unleet(c)).unwrap_or(c)).collect()
        };
        for word in all_words(&unswapped) {
            raw.push(Token { written: piece.to_string(), normal: word, spelled_out: 0 });
        }
    }
    // Join runs of single letters: "i.d.i.o.t" and "ح م ا ر" were split into one-letter words.
    let mut joined: Vec<Token> = Vec::new();
    let mut run: Vec<Token> = Vec::new();
    let flush = |run: &mut Vec<Token>, joined: &mut Vec<Token>| {
        if run.len() >= 3 {
            let written = run.iter().map(|t| t.written.as_str()).collect::<Vec<_>>().join(" ");
            let normal = run.iter().map(|t| t.normal.as_str()).collect::<String>();
            joined.push(Token { written, normal, spelled_out: run.len() });
        } else {
            joined.append(run);
        }
        run.clear();
    };
    for (index, token) in raw.into_iter().enumerate() {
        if breaks_before.contains(&index) {
            flush(&mut run, &mut joined);
        }
        let single = token.normal.chars().count() == 1;
        // Darija in Latin script spells letters with digits: "n.9.t.l.e.k" is one word.
        let letter_like = token.normal.chars().all(|c| c.is_alphabetic() || (keep_digits && c.is_ascii_digit()));
        if single && letter_like {
            run.push(token);
        } else {
            flush(&mut run, &mut joined);
            joined.push(token);
        }
    }
    flush(&mut run, &mut joined);
    joined.retain(|t| !is_elision(&t.normal));
    for token in &mut joined {
        token.normal = shape(&collapse_repeats(&token.normal));
        // Darija in Latin script spells its vowels as it likes ("ndb7k", "ndba7ek", "ndbe7ek"):
        // a word with a digit-letter is compared by its consonants.
        if keep_digits
            && token.normal.chars().any(|c| c.is_ascii_digit())
            && token.normal.chars().any(|c| c.is_ascii_alphabetic())
        {
            token.normal = skeleton(&token.normal);
        }
    }
    joined
}

/// A word without its Latin vowels ("ndba7ek" → "ndb7k"), keeping a word's first letter.
fn skeleton(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for (i, c) in word.chars().enumerate() {
        if i == 0 || !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u') {
            out.push(c);
        }
    }
    collapse_repeats(&out)
}

/// The normalized words of a comment, evasions undone, unstemmed: what the classifier reads.
pub fn plain_words(text: &str) -> Vec<String> {
    tokens(&prepare(text), true).into_iter().map(|t| t.normal).collect()
}

pub fn collapse_repeats(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut last = None;
    for c in word.chars() {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// Light stemming for matching: Arabic article, conjunctions and common suffixes; Latin plural.
fn shape(word: &str) -> String {
    if crate::news::text::is_arabic(word) {
        return crate::news::text::stem(word, crate::news::Lang::Ar);
    }
    let n = word.chars().count();
    if n > 4 && (word.ends_with('s') || word.ends_with('x')) {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(text: &str) -> Vec<String> {
        tokens(&prepare(text), false).into_iter().map(|t| t.normal).collect()
    }

    #[test]
    fn look_alike_letters_come_home() {
        // Cyrillic а, о, с and Greek ο, ι inside Latin words.
        assert_eq!(normal("idiоt"), normal("idiot"));
        assert_eq!(normal("cоnnаrd"), normal("connard"));
        assert_eq!(normal("ιdιοt"), normal("idiot"));
        // Full-width and mathematical letters, zero-width spaces.
        assert_eq!(normal("ｉｄｉｏｔ"), normal("idiot"));
        assert_eq!(normal("𝐢𝐝𝐢𝐨𝐭"), normal("idiot"));
        assert_eq!(normal("id\u{200B}iot"), normal("idiot"));
        // Persian letters in an Arabic word.
        assert_eq!(normal("کلب"), normal("كلب"));
        assert_eq!(normal("حيوانی"), normal("حيواني"));
    }

    #[test]
    fn numbers_with_a_letter_stay_numbers() {
        assert_eq!(normal("le 2e tour"), vec!["le", "2e", "tour"]);
        assert_eq!(normal("1d10t"), normal("idiot"));
    }
}
