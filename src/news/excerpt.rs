//! Teaser excerpts cut cleanly at a word boundary, ending in "…".

/// Cuts `text` to at most `max_chars` characters at a word boundary and adds "…" when it cut.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(pos) if pos > 0 => &cut[..pos],
        _ => cut.as_str(),
    };
    let trimmed = at_word.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—(«\"'".contains(c));
    format!("{trimmed}…")
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(excerpt("Court.", 20), "Court.");
    }

    #[test]
    fn long_text_is_cut_at_a_word_and_ends_with_an_ellipsis() {
        let text = "La rencontre de tous les espoirs, une rencontre qui se situe dans cette belle continuité";
        let cut = excerpt(text, 40);
        assert_eq!(cut, "La rencontre de tous les espoirs, une…");
        assert!(cut.chars().count() <= 41);
    }

    #[test]
    fn arabic_is_cut_on_characters_not_bytes() {
        let cut = excerpt("هذا نص عربي طويل بما يكفي ليقطع عند كلمة", 15);
        assert!(cut.ends_with('…'));
        assert!(!cut.contains('\u{FFFD}'));
    }
}
