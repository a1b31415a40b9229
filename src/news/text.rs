//! Text as search sees it: normalized words and their stems, the same for indexing and for
//! queries, on both database engines.
//!
//! French and English fold to lowercase ASCII letters ("l'Élection" -> "l", "election"), so a
//! reader who types without accents finds accented words. Arabic drops short vowels (tashkeel)
//! and tatweel and unifies the letters people write interchangeably: alef with hamza or madda
//! to bare alef, alef maqsura to ya, ta marbuta to ha. Then each word is stemmed with the
//! Snowball stemmer of its script's languages. The database only ever sees the resulting
//! tokens, which is why FTS5 and PostgreSQL (with its `simple` configuration) agree.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::news::Lang;

/// French elisions that carry no meaning alone ("l'", "d'", "qu'").
const ELIDED: [&str; 9] = ["l", "d", "j", "m", "n", "s", "t", "c", "qu"];

/// Splits text into normalized words (not yet stemmed), without French elisions.
pub fn words(text: &str) -> Vec<String> {
    all_words(text).into_iter().filter(|w| !is_elision(w)).collect()
}

/// Like `words`, keeping one-letter words such as elisions (the moderation joins words
/// spelled out letter by letter before dropping them).
pub fn all_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if is_mark(ch) || push_normalized(ch, &mut current) {
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The commonest words of each language, as readers type them: articles, prepositions,
/// conjunctions, pronouns and auxiliaries. Nearly every article holds them, so requiring them
/// makes a search read the longest lists of the index and narrows nothing (a pasted headline
/// is full of them). Search leaves them out of what must match unless the query holds nothing
/// else, and still ranks and highlights with them.
const STOP_WORDS: &str = "\
    le la les l un une des de du d au aux a à et ou où en dans par pour sur sous avec sans \
    chez entre vers ce cet cette ces son sa ses leur leurs il elle ils elles on se qui que qu \
    quoi dont ne pas plus est sont été être a ont avait fait lors selon aussi comme mais \
    the a an and or of in on at to for from by with as is are was were be been has have had \
    it its this that these those their his her he she they not but will would \
    في من على إلى الى عن مع و أن ان إن هذا هذه ذلك التي الذي الذين كان كانت قد لا ما او أو ثم بين بعد قبل عند";

/// Whether a normalized word (as `words` gives it) is one of the commonest of its language.
pub fn is_stop_word(word: &str) -> bool {
    static NORMALIZED: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    NORMALIZED.get_or_init(|| all_words(STOP_WORDS).into_iter().collect()).contains(word)
}

/// "l", "d", "qu", ...: French elisions that carry no meaning alone.
pub fn is_elision(word: &str) -> bool {
    ELIDED.contains(&word)
}

/// Marks that vanish inside a word: Arabic tashkeel, superscript alef, tatweel.
fn is_mark(ch: char) -> bool {
    matches!(ch, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{0610}'..='\u{061A}')
}

/// A Latin letter with diacritics as its base letter, a ligature spelled out: the one
/// folding table of search, screening and slugs.
pub fn fold_latin(ch: char) -> Option<&'static str> {
    Some(match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ß' => "ss",
        _ => return None,
    })
}

/// Appends the normalized form of a letter or digit; false for anything that separates words.
fn push_normalized(ch: char, out: &mut String) -> bool {
    if ch.is_ascii_alphanumeric() {
        out.push(ch.to_ascii_lowercase());
        return true;
    }
    if let Some(folded) = fold_latin(ch) {
        out.push_str(folded);
        return true;
    }
    let folded = match ch {
        // Arabic: hamza and madda forms of alef become bare alef; the rest of the spellings
        // people use interchangeably meet in one form.
        'أ' | 'إ' | 'آ' | 'ٱ' => "ا",
        'ى' | 'ئ' | 'ی' => "ي",
        'ة' => "ه",
        'ؤ' => "و",
        'ک' => "ك",
        _ => {
            // Arabic-Indic (U+0660) and Persian (U+06F0) digits to ASCII.
            let code = ch as u32;
            for zero in [0x0660, 0x06F0] {
                if (zero..zero + 10).contains(&code) {
                    out.push(char::from(b'0' + (code - zero) as u8));
                    return true;
                }
            }
            if ('\u{0621}'..='\u{064A}').contains(&ch) || matches!(ch, 'پ' | 'چ' | 'ژ' | 'گ') {
                out.push(ch);
                return true;
            }
            if ch.is_alphanumeric() {
                out.extend(ch.to_lowercase());
                return true;
            }
            return false;
        }
    };
    out.push_str(folded);
    true
}

/// True when the word is written in Arabic script.
pub fn is_arabic(word: &str) -> bool {
    word.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

fn stemmer(algorithm: Algorithm) -> &'static Stemmer {
    static FRENCH: OnceLock<Stemmer> = OnceLock::new();
    static ENGLISH: OnceLock<Stemmer> = OnceLock::new();
    match algorithm {
        Algorithm::French => FRENCH.get_or_init(|| Stemmer::create(Algorithm::French)),
        _ => ENGLISH.get_or_init(|| Stemmer::create(Algorithm::English)),
    }
}

/// The stem of a normalized word as a document in `lang` indexes it. Arabic-script words use
/// the Arabic stemmer whatever the article's language (a French article may quote Arabic).
pub fn stem(word: &str, lang: Lang) -> String {
    if word.chars().all(|c| c.is_ascii_digit()) {
        return word.to_string();
    }
    if is_arabic(word) {
        return arabic_light_stem(word);
    }
    let algorithm = {
        match lang {
            Lang::En => Algorithm::English,
            _ => Algorithm::French,
        }
    };
    let stemmed = stemmer(algorithm).stem(word).into_owned();
    // A stemmer can change letters back (Arabic normalizes hamza itself); normalize again so
    // documents and queries meet in the same form.
    let again = words(&stemmed).concat();
    if again.is_empty() { word.to_string() } else { again }
}

/// A light Arabic stemmer (after Larkey's "light10"): strips the article and common
/// conjunction/preposition prefixes and the common suffixes, keeping at least two letters.
/// Snowball's Arabic stemmer treats "الانتخابات" and "انتخابات" differently; this one gives
/// both "انتخاب", which is what a reader typing either expects.
fn arabic_light_stem(word: &str) -> String {
    const PREFIXES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];
    const SUFFIXES: [&str; 8] = ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];
    let len = |s: &str| s.chars().count();
    let mut stem = word.to_string();
    if len(&stem) > 3 && stem.starts_with('و') {
        stem = stem.chars().skip(1).collect();
    }
    for prefix in PREFIXES {
        if let Some(rest) = stem.strip_prefix(prefix)
            && len(rest) >= 2
        {
            stem = rest.to_string();
            break;
        }
    }
    for suffix in SUFFIXES {
        if let Some(rest) = stem.strip_suffix(suffix)
            && len(rest) >= 2
        {
            stem = rest.to_string();
        }
    }
    stem
}

/// The tokens a document field is indexed under.
pub fn index_tokens(text: &str, lang: Lang) -> String {
    let tokens: Vec<String> = words(text).iter().map(|w| stem(w, lang)).collect();
    tokens.join(" ")
}

/// A search term: the stems it may have in any language a reader may have typed it in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryTerm {
    pub word: String,
    pub stems: Vec<String>,
}

/// Up to 12 terms of a reader's query, each with its possible stems.
pub fn query_terms(query: &str) -> Vec<QueryTerm> {
    let mut terms: Vec<QueryTerm> = Vec::new();
    for word in words(query) {
        if terms.iter().any(|t| t.word == word) {
            continue;
        }
        let mut stems = Vec::new();
        let candidates: &[Lang] = if is_arabic(&word) { &[Lang::Ar] } else { &[Lang::Fr, Lang::En] };
        for lang in candidates {
            let s = stem(&word, *lang);
            if !stems.contains(&s) {
                stems.push(s);
            }
        }
        terms.push(QueryTerm { word, stems });
        if terms.len() == 12 {
            break;
        }
    }
    terms
}

/// The words a reader reads in plain text: what stands between spaces and has a letter or a
/// digit (punctuation alone is no word), in any script.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

/// Minutes to read `words` words in `lang`, rounded up, one at least. Adults read aloud-free
/// text at different speeds by language (the IReST study, Trauzettel-Klosinski & Dietz 2012:
/// English 228, French 195, Arabic 138 words a minute): an Arabic article of the same length
/// takes longer, and its reading time says so.
pub fn reading_minutes(words: usize, lang: crate::news::Lang) -> usize {
    let per_minute = match lang {
        crate::news::Lang::En => 228,
        crate::news::Lang::Fr => 195,
        crate::news::Lang::Ar => 138,
    };
    words.div_ceil(per_minute).max(1)
}

/// Text from HTML: our own sanitized bodies (for the search index and snippets) or a fragment
/// written by another system (an imported title, name or excerpt). Only real tags are removed
/// (`a < b` and `]]>` stay), character references are decoded (every named one of HTML5 and
/// the numeric ones, by `html-escape`), whitespace is collapsed.
pub fn text_of_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        text.push_str(&rest[..at]);
        let tail = &rest[at..];
        let opens_tag = tail[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match tail.find('>') {
            Some(end) if opens_tag => {
                text.push(' ');
                rest = &tail[end + 1..];
            }
            _ => {
                text.push('<');
                rest = &tail[1..];
            }
        }
    }
    text.push_str(rest);
    html_escape::decode_html_entities(&text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A snippet of about `width` words around the densest matches, HTML-escaped, with matched
/// words wrapped in `<mark>`. Returns escaped HTML that is safe to insert.
pub fn highlight(text: &str, terms: &[QueryTerm], lang: Lang, width: usize) -> String {
    let words_of_text: Vec<&str> = text.split_whitespace().collect();
    if words_of_text.is_empty() {
        return String::new();
    }
    let stems: Vec<&str> = terms.iter().flat_map(|t| t.stems.iter().map(String::as_str)).collect();
    // Each distinct word is stemmed once: text repeats its words (articles, prepositions, the
    // story's subject), and stemming was most of a search page's time.
    let mut seen: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    let matches: Vec<bool> = words_of_text
        .iter()
        .map(|w| *seen.entry(w).or_insert_with(|| words(w).iter().any(|n| stems.contains(&stem(n, lang).as_str()))))
        .collect();
    // The window of `width` words holding the most matches.
    let width = width.max(1).min(words_of_text.len());
    let mut best = (0usize, 0usize);
    let mut count = matches[..width].iter().filter(|m| **m).count();
    best.1 = count;
    for start in 1..=(words_of_text.len() - width) {
        if matches[start - 1] {
            count -= 1;
        }
        if matches[start + width - 1] {
            count += 1;
        }
        if count > best.1 {
            best = (start, count);
        }
    }
    let (start, end) = (best.0, best.0 + width);
    let mut out = String::new();
    if start > 0 {
        out.push_str("… ");
    }
    for (i, word) in words_of_text[start..end].iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if matches[start + i] {
            out.push_str("<mark>");
            out.push_str(&escape_html(word));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape_html(word));
        }
    }
    if end < words_of_text.len() {
        out.push_str(" …");
    }
    out
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod text_of_html_tests {
    use super::text_of_html;

    #[test]
    fn only_real_tags_go_and_references_decode() {
        assert_eq!(text_of_html("Balise ]]> : l&#x2019;alphabet &#1575;"), "Balise ]]> : l’alphabet ا");
        assert_eq!(text_of_html("<em>a</em> &lt; b &amp; c &unknown; 3 < 4"), "a < b & c &unknown; 3 < 4");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_reading_time_in_each_language() {
        // As word processors count: "12 000" is two, a dash or a quotation mark none.
        assert_eq!(word_count("Le port — 12 000 tonnes, « record » !"), 6);
        assert_eq!(word_count("الميناء يسجل رقما قياسيا"), 4);
        assert_eq!(word_count(""), 0);
        assert_eq!(reading_minutes(0, crate::news::Lang::Fr), 1);
        assert_eq!(reading_minutes(600, crate::news::Lang::En), 3);
        assert_eq!(reading_minutes(600, crate::news::Lang::Fr), 4);
        assert_eq!(reading_minutes(600, crate::news::Lang::Ar), 5);
    }

    fn matches(document: &str, lang: Lang, query: &str) -> bool {
        let doc: Vec<String> = index_tokens(document, lang).split(' ').map(str::to_string).collect();
        query_terms(query).iter().all(|t| t.stems.iter().any(|s| doc.contains(s)))
    }

    #[test]
    fn french_without_accents_finds_accented_words_and_elisions() {
        assert!(matches("Les résultats de l'élection à Rabat", Lang::Fr, "election"));
        assert!(matches("Les élections communales", Lang::Fr, "élection"));
        assert!(matches("L'ÉLECTION", Lang::Fr, "Election"));
        assert!(!matches("Le marché", Lang::Fr, "election"));
    }

    #[test]
    fn arabic_forms_are_unified() {
        // Hamza forms, ta marbuta, alef maqsura, tashkeel and tatweel.
        assert_eq!(words("أحمد إبراهيم آمال"), vec!["احمد", "ابراهيم", "امال"]);
        assert_eq!(words("مدرسة"), words("مدرسه"));
        assert_eq!(words("مستشفى"), words("مستشفي"));
        assert_eq!(words("مَدْرَسَةٌ"), words("مدرسة"));
        assert_eq!(words("الانـــتخابات"), words("الانتخابات"));
        assert!(matches("الانتخابات في الرباط", Lang::Ar, "انتخابات"));
        assert!(matches("إعلان النتائج", Lang::Ar, "اعلان"));
    }

    #[test]
    fn english_is_stemmed() {
        assert!(matches("The elections were held", Lang::En, "election"));
    }

    #[test]
    fn highlight_marks_matches_and_escapes_the_rest() {
        let terms = query_terms("election");
        let html = highlight("Avant <l'élection> à Rabat, tout était calme", &terms, Lang::Fr, 30);
        assert!(html.contains("<mark>&lt;l&#39;élection&gt;</mark>"), "{html}");
        assert!(!html.contains("<l"));
    }

    #[test]
    fn text_of_html_drops_tags() {
        assert_eq!(text_of_html("<p>Un <em>texte</em> &amp; plus&nbsp;!</p>"), "Un texte & plus !");
    }

    #[test]
    fn stop_words_are_known_in_their_normalized_forms() {
        for word in ["la", "les", "the", "of"] {
            assert!(is_stop_word(word), "{word}");
        }
        // As `words` gives them: accents and hamza forms folded.
        for typed in ["à", "été", "إلى", "أن", "في"] {
            let normalized = words(typed);
            assert!(normalized.iter().all(|w| is_stop_word(w)), "{typed} → {normalized:?}");
        }
        for word in ["election", "tanger", "gouvernement", "government", "طنجه"] {
            assert!(!is_stop_word(word), "{word}");
        }
    }
}
