//! Markdown to sanitized HTML: the one function the newsroom preview and the site share.

use std::sync::OnceLock;

use pulldown_cmark::{Options, Parser, html};

/// Renders Markdown (raw HTML allowed in the source) and removes everything unsafe: scripts,
/// event handlers, `javascript:` URLs, styles, frames.
pub fn to_safe_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(markdown, options);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    sanitize(&raw)
}

/// Cleans HTML from any source (Markdown output, imported posts).
pub fn sanitize(html: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
            .link_rel(Some("noopener noreferrer"))
            .add_tag_attributes("img", ["loading", "width", "height"])
            .add_tags(["figure", "figcaption"]);
        builder
    });
    cleaner.clean(html).to_string()
}

/// Cleans an ad slot's HTML: what `sanitize` allows, plus `class` and `dir`, so a house ad
/// can use the theme's `.house-ad` styles. No script, no `style`, no event handler.
pub fn sanitize_ad(html: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
            .link_rel(Some("noopener noreferrer sponsored"))
            .add_tag_attributes("img", ["loading", "width", "height"])
            .add_generic_attributes(["class", "dir"]);
        builder
    });
    cleaner.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::{sanitize_ad, to_safe_html};

    #[test]
    fn ads_keep_their_classes_and_lose_their_scripts() {
        let html = sanitize_ad(
            r#"<div class="house-ad" onclick="x()" style="position:fixed"><a class="cta" href="javascript:x()">Go</a><script>x()</script></div>"#,
        );
        assert!(html.contains(r#"class="house-ad""#), "{html}");
        assert!(html.contains(r#"class="cta""#), "{html}");
        assert!(
            !html.contains("onclick")
                && !html.contains("style=")
                && !html.contains("script")
                && !html.contains("javascript"),
            "{html}"
        );
    }

    #[test]
    fn markdown_renders_and_scripts_do_not_survive() {
        let html = to_safe_html(
            "# Titre\n\nUn *texte* <script>alert(1)</script> [lien](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h1>Titre</h1>"));
        assert!(html.contains("<em>texte</em>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onerror"));
    }
}
