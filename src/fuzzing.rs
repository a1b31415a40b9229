//! What the fuzz targets check, written once: `fuzz/fuzz_targets/*` hand libFuzzer's inputs
//! to these functions (`bash tests/attack/fuzz.sh`), and the unit tests below run them on the
//! repository's attack corpora and on pseudo-random input, so CI checks the same invariants
//! on stable Rust. Each function panics when an invariant breaks; that panic is the finding.

use crate::news::Lang;

/// Fails if HTML we produced could run script: a dangerous element, an event handler, or a
/// link to a script scheme. The sanitizer escapes `<` outside tags, so every `<` starts a tag;
/// attribute values are read with their quotes (a `title` may hold "onclick=" as text).
pub fn assert_safe_html(html: &str) {
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        if bytes.get(i) == Some(&b'/') {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let name = &lower[name_start..i];
        assert!(
            !matches!(
                name,
                "script" | "iframe" | "object" | "embed" | "style" | "svg" | "math" | "form" | "base" | "meta" | "link"
            ),
            "dangerous element <{name}> in {html}"
        );
        // Attributes until the closing `>`, quotes respected.
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                i += 1;
                break;
            }
            let key_start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
                i += 1;
            }
            let key = &lower[key_start..i];
            let mut value = "";
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                match bytes.get(i) {
                    Some(&quote @ (b'"' | b'\'')) => {
                        let start = i + 1;
                        let end = lower[start..].find(quote as char).map(|e| start + e).unwrap_or(bytes.len());
                        value = &lower[start..end];
                        i = end + 1;
                    }
                    _ => {
                        let start = i;
                        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                            i += 1;
                        }
                        value = &lower[start..i];
                    }
                }
            }
            assert!(!key.starts_with("on"), "event handler {key} in {html}");
            if matches!(key, "href" | "src" | "action" | "formaction" | "srcset" | "xlink:href") {
                let compact: String = value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
                for scheme in ["javascript:", "vbscript:", "data:text/html", "&#"] {
                    assert!(!compact.starts_with(scheme), "{key}={value} in {html}");
                }
            }
        }
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Markdown with raw HTML, as journalists write it, through the renderer and the sanitizer.
pub fn markdown(data: &[u8]) {
    assert_safe_html(&crate::render::markdown::to_safe_html(&text(data)));
}

/// An imported post's content (shortcodes, paragraphs, sanitizing), and the WXR reader on the
/// same bytes as a whole file.
pub fn importer(data: &[u8]) {
    let converted = crate::wxr::content::convert(&text(data), &crate::wxr::content::NoMedia);
    assert_safe_html(&converted.html);
    let mut reader = crate::wxr::WxrReader::new(data);
    for _ in 0..10_000 {
        match reader.next_entry() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) => {
                let located = error.locate(data);
                assert!(located.line >= 1 && located.column >= 1, "{located}");
                break;
            }
        }
    }
}

/// The comment screening (its normalizer undoes leetspeak, spacing and look-alike letters):
/// any text gets a decision, never a panic.
pub fn screening(data: &[u8]) {
    use std::sync::OnceLock;
    static LISTS: OnceLock<crate::news::moderation::CompiledLists> = OnceLock::new();
    let lists = LISTS
        .get_or_init(|| crate::news::moderation::CompiledLists::compile(&crate::news::moderation::default_lists()));
    let body = text(data);
    let (name, website) = body.split_at(body.char_indices().nth(body.chars().count() / 3).map(|(i, _)| i).unwrap_or(0));
    let _ = crate::news::moderation::screen(
        &crate::news::moderation::Submission::new(name, &body, website),
        lists,
        &crate::news::moderation::Rules::default(),
    );
    let _ = crate::news::moderation::personal_data(&body);
}

/// Slugs: never empty, at most 80 characters, only lowercase ASCII letters, digits, Arabic
/// letters and single inner hyphens.
pub fn slug(data: &[u8]) {
    let slug = crate::news::slug::slugify(&text(data));
    assert!(!slug.is_empty());
    assert!(slug.chars().count() <= 80, "{slug}");
    assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{slug}");
    assert!(
        slug.chars().all(|c| c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c == '-'
            || ('\u{0600}'..='\u{06FF}').contains(&c)),
        "{slug}"
    );
}

/// The search query parser: what it keeps is only letters and digits (the full-text match
/// expression is built from it), in every language.
pub fn search_query(data: &[u8]) {
    let query = text(data);
    for term in crate::news::text::query_terms(&query) {
        for stem in &term.stems {
            assert!(stem.chars().all(char::is_alphanumeric), "{stem:?} from {query:?}");
        }
    }
    for lang in Lang::ALL.iter() {
        let _ = crate::news::text::index_tokens(&query, *lang);
    }
}

/// Old addresses and imported names: normalizing never panics and stays a path.
pub fn addresses(data: &[u8]) {
    let input = text(data);
    // Request paths always start with a slash.
    let normalized = crate::news::old_addresses::normalize(&format!("/{input}"));
    assert!(normalized.starts_with('/'), "{normalized:?} from {input:?}");
    let _ = crate::news::text::text_of_html(&input);
    let _ = crate::urls::percent_decode(&input);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: the same inputs on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// Random inputs built from pieces that matter to these parsers, and random bytes.
    fn inputs(n: usize) -> Vec<Vec<u8>> {
        const PIECES: &[&str] = &[
            "<",
            ">",
            "</",
            "/>",
            "\"",
            "'",
            "=",
            "&",
            "&#",
            "&#x",
            ";",
            "[",
            "]",
            "[/",
            "caption",
            "gallery",
            "embed",
            "<![CDATA[",
            "]]>",
            "<item>",
            "</item>",
            "<wp:comment>",
            "javascript:",
            "java\tscript:",
            "on",
            "onerror",
            "href",
            "src",
            "<a ",
            "<img ",
            "<script>",
            "<svg",
            "%",
            "%2e",
            "%d8%a7",
            "_a12.html",
            "?p=",
            "/",
            "\n\n",
            "\n",
            " ",
            "*",
            "`",
            "```",
            "    ",
            "é",
            "ال",
            "\u{064B}",
            "\u{0640}",
            "0",
            "9",
            "-",
            "_",
            "\u{0}",
            "\u{202e}",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        (0..n)
            .map(|_| {
                let mut out = Vec::new();
                for _ in 0..(rng.next() % 40) {
                    if rng.next().is_multiple_of(5) {
                        out.push((rng.next() % 256) as u8);
                    } else {
                        out.extend_from_slice(PIECES[(rng.next() % PIECES.len() as u64) as usize].as_bytes());
                    }
                }
                out
            })
            .collect()
    }

    fn corpus() -> Vec<Vec<u8>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        let mut out: Vec<Vec<u8>> = std::fs::read_to_string(root.join("xss-vectors.txt"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.as_bytes().to_vec())
            .collect();
        for file in ["wordpress.xml", "wmaker.xml", "entities.xml", "truncated.xml", "malformed.xml"] {
            out.push(std::fs::read(root.join("wxr").join(file)).unwrap_or_default());
        }
        out
    }

    #[test]
    fn the_fuzz_invariants_hold_on_the_corpora_and_on_random_input() {
        let corpus = corpus();
        assert!(corpus.len() > 150, "the XSS corpus and the WXR fixtures were read");
        for data in corpus.iter().chain(inputs(3000).iter()) {
            markdown(data);
            importer(data);
            screening(data);
            slug(data);
            search_query(data);
            addresses(data);
        }
    }

    #[test]
    fn the_html_check_catches_what_it_must() {
        for bad in [
            "<script>x</script>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<img src=x onerror=\"alert(1)\">",
            "<a href=\"java script:x\">",
            "<iframe src=\"x\"></iframe>",
        ] {
            let bad = bad.replace("java script", "javascript");
            assert!(std::panic::catch_unwind(|| assert_safe_html(&bad)).is_err(), "{bad}");
        }
        assert_safe_html("<p>javascript: is a language; <a href=\"https://x.example\" rel=\"noopener\">x</a></p>");
    }
}
