//! Readable URL slugs from titles in French, Arabic and English.
//!
//! French accents fold to ASCII ("Élection à Rabat" -> "election-a-rabat"). Arabic stays
//! Arabic: browsers show it readably and a transliteration would be unreadable to the
//! paper's own readers. Everything else that is not a letter or digit becomes one hyphen.

const MAX_LEN: usize = 80;

/// Makes a slug from a title; never empty (falls back to "article").
pub fn slugify(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut pending_hyphen = false;
    for ch in title.chars() {
        let piece: std::borrow::Cow<'_, str> = if is_arabic_letter(ch) || ch.is_ascii_alphanumeric() {
            std::borrow::Cow::Owned(ch.to_string())
        } else if is_arabic_mark(ch) {
            // Short vowels and tatweel carry no meaning in a URL.
            continue;
        } else if ch.is_alphanumeric() {
            std::borrow::Cow::Borrowed(crate::news::text::fold_latin(ch).unwrap_or(""))
        } else {
            std::borrow::Cow::Borrowed("")
        };
        if piece.is_empty() {
            pending_hyphen = !out.is_empty();
            continue;
        }
        // Never past MAX_LEN: stop before a piece that would not fit whole.
        let piece = piece.to_lowercase();
        let hyphen = usize::from(pending_hyphen);
        if out.chars().count() + hyphen + piece.chars().count() > MAX_LEN {
            break;
        }
        if pending_hyphen {
            out.push('-');
            pending_hyphen = false;
        }
        out.push_str(&piece);
    }
    let trimmed: String = out.trim_matches('-').to_string();
    if trimmed.is_empty() { "article".to_string() } else { trimmed }
}

fn is_arabic_letter(ch: char) -> bool {
    matches!(ch, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' | '\u{0660}'..='\u{0669}' | '\u{0671}'..='\u{06D3}')
}

fn is_arabic_mark(ch: char) -> bool {
    matches!(ch, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn french_accents_fold_and_punctuation_becomes_hyphens() {
        assert_eq!(slugify("L'élection à Rabat : « enjeux »"), "l-election-a-rabat-enjeux");
        assert_eq!(slugify("Cœur de la Médina"), "coeur-de-la-medina");
    }

    #[test]
    fn arabic_stays_readable_without_marks() {
        assert_eq!(slugify("الانتخابات في الرباط"), "الانتخابات-في-الرباط");
        assert_eq!(slugify("مَدْرَسَةٌ"), "مدرسة");
    }

    #[test]
    fn long_titles_stop_at_eighty_characters() {
        let slug = slugify(&"mot-0000106 ".repeat(20));
        assert!(slug.chars().count() <= 80 && !slug.ends_with('-'), "{slug}");
        assert!(slugify(&"œ".repeat(100)).chars().count() <= 80);
    }

    #[test]
    fn empty_or_symbol_titles_still_give_a_slug() {
        assert_eq!(slugify("!!!"), "article");
        assert_eq!(slugify(""), "article");
    }
}
