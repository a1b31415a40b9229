//! A WordPress post's content made into Gazette's: shortcodes that matter for news turned into
//! plain HTML (`[caption]` → figure, `[gallery]` → figure of images, `[embed]`/`[video]`/
//! `[audio]` → a figure with the link), other shortcodes removed and counted, paragraphs made
//! from blank lines as WordPress does on display, old upload addresses pointed at the imported
//! files, and everything sanitized like any other article body.

use std::collections::BTreeMap;

use crate::news::text::escape_html;

/// What the conversion needs to know about imported media.
pub trait MediaResolver {
    /// The new address, alternative text and caption of an attachment, by its WordPress id.
    fn attachment(&self, id: &str) -> Option<(String, String, String)>;
    /// The new address of an old upload address (resized copies included), if imported.
    fn rewrite(&self, url: &str) -> Option<String>;
}

/// No media known: for tests and dry runs.
pub struct NoMedia;

impl MediaResolver for NoMedia {
    fn attachment(&self, _id: &str) -> Option<(String, String, String)> {
        None
    }
    fn rewrite(&self, _url: &str) -> Option<String> {
        None
    }
}

/// Shortcodes met, by name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ShortcodeCounts {
    pub converted: BTreeMap<String, u64>,
    pub removed: BTreeMap<String, u64>,
}

impl ShortcodeCounts {
    pub fn add(&mut self, other: &ShortcodeCounts) {
        for (k, v) in &other.converted {
            *self.converted.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.removed {
            *self.removed.entry(k.clone()).or_default() += v;
        }
    }
}

/// A converted body: the sanitized HTML readers see, and the text the newsroom edits (the
/// same HTML as one Markdown HTML block, so saving it again renders the same page).
#[derive(Debug)]
pub struct Converted {
    pub html: String,
    pub markdown: String,
    pub shortcodes: ShortcodeCounts,
}

/// Shortcodes turned into our own markup.
const CONVERTED: &[&str] = &["caption", "wp_caption", "gallery", "embed", "video", "audio", "playlist"];

/// Converts a post's `content:encoded`.
pub fn convert(content: &str, media: &dyn MediaResolver) -> Converted {
    let mut counts = ShortcodeCounts::default();
    let content = block_editor_markup(content);
    let expanded = expand_shortcodes(&content, media, &mut counts);
    let paragraphs = autop(&expanded);
    let pictures = images(&paragraphs, media);
    let pointed = rewrite_urls(&pictures, media);
    let html = crate::render::markdown::sanitize(&pointed);
    let markdown = as_markdown_block(&html);
    Converted { html, markdown, shortcodes: counts }
}

/// What the block editor and WordPress's markers leave that the sanitizer would make into
/// nothing useful: an embed block's bare address (`<div class="wp-block-embed__wrapper">URL
/// </div>`, shown by WordPress as the player) becomes a link, as `[embed]` does; `<!--more-->`
/// and `<!--nextpage-->` (teaser and page breaks, on a line of their own or not) end a
/// paragraph rather than leaving a stray line break.
fn block_editor_markup(content: &str) -> String {
    const WRAPPER: &str = "<div class=\"wp-block-embed__wrapper\">";
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(at) = rest.find(WRAPPER) {
        out.push_str(&rest[..at]);
        let inner = &rest[at + WRAPPER.len()..];
        let Some(end) = inner.find("</div>") else {
            rest = &rest[at..];
            break;
        };
        let url = inner[..end].trim();
        let bare = (url.starts_with("https://") || url.starts_with("http://"))
            && !url.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''));
        if bare {
            // HTML text already (`&amp;` stays as it is); the sanitizer checks the result.
            out.push_str(&format!("<a href=\"{url}\">{url}</a>"));
        } else {
            out.push_str(&rest[at..at + WRAPPER.len() + end + "</div>".len()]);
        }
        rest = &inner[end + "</div>".len()..];
    }
    out.push_str(rest);
    out.replace("<!--more-->", "\n\n").replace("<!--nextpage-->", "\n\n").replace("<!--noteaser-->", "")
}

/// The HTML as Markdown that renders to itself: one HTML block has no blank line.
pub fn as_markdown_block(html: &str) -> String {
    html.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join("\n")
}

/// A shortcode found at a position of the text.
struct Shortcode<'a> {
    name: &'a str,
    attributes: Vec<(String, String)>,
    /// The text between `[name]` and `[/name]`, when it has a closing tag.
    inner: Option<&'a str>,
    /// Bytes from the opening `[` to after the closing `]` (or the closing tag).
    len: usize,
}

impl Shortcode<'_> {
    fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn expand_shortcodes(text: &str, media: &dyn MediaResolver, counts: &mut ShortcodeCounts) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        match parse_shortcode(candidate) {
            Some(code) => {
                let name = code.name.to_ascii_lowercase();
                if CONVERTED.contains(&name.as_str())
                    && let Some(html) = convert_one(&name, &code, media, counts)
                {
                    *counts.converted.entry(name).or_default() += 1;
                    out.push_str(&html);
                } else {
                    *counts.removed.entry(name).or_default() += 1;
                    // An unknown enclosing shortcode keeps the text it wrapped.
                    if let Some(inner) = code.inner {
                        out.push_str(&expand_shortcodes(inner, media, counts));
                    }
                }
                rest = &candidate[code.len..];
            }
            None => {
                out.push('[');
                rest = &candidate[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads `[name attrs]`, `[name attrs /]` or `[name attrs]inner[/name]` at the start of
/// `text`. A bracketed word with neither attributes nor a closing tag (`[sic]`, `[1]`) is
/// text, not a shortcode, unless it is one we know.
fn parse_shortcode(text: &str) -> Option<Shortcode<'_>> {
    let close = text.find(']')?;
    let head = &text[1..close];
    if head.starts_with('/') || head.contains('[') || head.contains('\n') && head.len() > 500 {
        return None;
    }
    let name_len = head.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(head.len());
    let name = &head[..name_len];
    if name.is_empty() || !name.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let after_name = &head[name_len..];
    if !after_name.is_empty() && !after_name.starts_with(char::is_whitespace) && after_name != "/" {
        return None;
    }
    let self_closing = after_name.trim_end().ends_with('/');
    let attributes = parse_attributes(after_name.trim().trim_end_matches('/'));
    let closing_tag = format!("[/{name}]");
    let (inner, len) = match (self_closing, text[close + 1..].find(&closing_tag)) {
        (false, Some(end)) => (Some(&text[close + 1..close + 1 + end]), close + 1 + end + closing_tag.len()),
        _ => (None, close + 1),
    };
    let known = CONVERTED.contains(&name.to_ascii_lowercase().as_str());
    let looks_like_code = !attributes.is_empty() || inner.is_some() || name.contains(['_', '-']) || self_closing;
    (known || looks_like_code).then_some(Shortcode { name, attributes, inner, len })
}

/// `a="1" b='2' c=3 positional` → pairs (positional values get their index as key).
fn parse_attributes(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    let mut position = 0;
    while !rest.is_empty() {
        let key_end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        let key = &rest[..key_end];
        rest = rest[key_end..].trim_start();
        if let Some(value_part) = rest.strip_prefix('=') {
            let value_part = value_part.trim_start();
            let (value, after) = match value_part.chars().next() {
                Some(q @ ('"' | '\'' | '“' | '”' | '″')) => {
                    let body = &value_part[q.len_utf8()..];
                    let end = body.find(['"', '\'', '“', '”', '″']).unwrap_or(body.len());
                    let next = (end + 1).min(body.len());
                    (&body[..end], &body[next..])
                }
                _ => {
                    let end = value_part.find(char::is_whitespace).unwrap_or(value_part.len());
                    (&value_part[..end], &value_part[end..])
                }
            };
            out.push((key.to_ascii_lowercase(), value.to_string()));
            rest = after.trim_start();
        } else {
            let unquoted = key.trim_matches(['"', '\'']);
            if !unquoted.is_empty() {
                out.push((position.to_string(), unquoted.to_string()));
                position += 1;
            }
        }
    }
    out
}

fn convert_one(
    name: &str,
    code: &Shortcode<'_>,
    media: &dyn MediaResolver,
    counts: &mut ShortcodeCounts,
) -> Option<String> {
    match name {
        "caption" | "wp_caption" => {
            let inner = expand_shortcodes(code.inner.unwrap_or(""), media, counts);
            // The image (perhaps inside a link) comes first; the rest is the caption.
            let split = inner.rfind("</a>").map(|i| i + 4).or_else(|| inner.find('>').map(|i| i + 1)).unwrap_or(0);
            let (picture, text) = inner.split_at(split);
            let caption = match code.attribute("caption") {
                Some(c) if text.trim().is_empty() => escape_html(c),
                _ => text.trim().to_string(),
            };
            Some(format!("<figure>{}<figcaption>{caption}</figcaption></figure>", picture.trim()))
        }
        "gallery" => {
            let ids = code.attribute("ids").or_else(|| code.attribute("include"))?;
            let images: Vec<String> = ids
                .split(',')
                .filter_map(|id| media.attachment(id.trim()))
                .map(|(url, alt, caption)| {
                    let img =
                        format!("<img src=\"{}\" alt=\"{}\" loading=\"lazy\">", escape_html(&url), escape_html(&alt));
                    if caption.is_empty() {
                        img
                    } else {
                        format!("<figure>{img}<figcaption>{}</figcaption></figure>", escape_html(&caption))
                    }
                })
                .collect();
            (!images.is_empty()).then(|| format!("<figure>{}</figure>", images.join("")))
        }
        "embed" | "video" | "audio" | "playlist" => {
            let url = code
                .inner
                .map(str::trim)
                .filter(|u| u.starts_with("http"))
                .or_else(|| code.attribute("src"))
                .or_else(|| code.attribute("url"))
                .or_else(|| code.attribute("mp4"))
                .or_else(|| code.attribute("webm"))
                .or_else(|| code.attribute("mp3"))
                .or_else(|| code.attribute("0"))?;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return None;
            }
            let url = media.rewrite(url).unwrap_or_else(|| url.to_string());
            let url = escape_html(&url);
            Some(format!("<figure><a href=\"{url}\">{url}</a></figure>"))
        }
        _ => None,
    }
}

/// Block-level tags: a chunk starting with one is not wrapped in a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "pre",
    "hr",
    "iframe",
    "section",
    "article",
    "aside",
    "dl",
    "address",
    "form",
    "fieldset",
    "details",
    "!--",
];

/// Paragraphs from blank lines, line breaks from single newlines, as WordPress's `wpautop`
/// does when it shows a classic-editor post.
fn autop(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(normalized.len() + 64);
    for chunk in normalized.split("\n\n") {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            continue;
        }
        let starts_block = chunk.strip_prefix('<').is_some_and(|rest| {
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '-').collect();
            BLOCKS.contains(&name.to_ascii_lowercase().as_str())
        });
        if starts_block {
            out.push_str(chunk);
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.replace('\n', "<br>\n"));
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out
}

/// Points `src="…"` and `href="…"` values at imported files.
fn rewrite_urls(html: &str, media: &dyn MediaResolver) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['s', 'h']) {
        let candidate = &rest[at..];
        let prefix = if candidate.starts_with("src=\"") {
            5
        } else if candidate.starts_with("href=\"") {
            6
        } else {
            out.push_str(&rest[..at + 1]);
            rest = &rest[at + 1..];
            continue;
        };
        out.push_str(&rest[..at + prefix]);
        let value_part = &candidate[prefix..];
        let end = value_part.find('"').unwrap_or(value_part.len());
        let value = &value_part[..end];
        match media.rewrite(value) {
            Some(new) => out.push_str(&escape_html(&new)),
            None => out.push_str(value),
        }
        rest = &value_part[end..];
    }
    out.push_str(rest);
    out
}

/// WordPress's `<img>` tags made ours: an emoji WordPress drew as a picture from its own
/// servers (`class="emoji"` from s.w.org, or `wp-smiley`) becomes the character itself (no
/// reader's address goes to a third party, and it reads as text), and a picture of an
/// imported attachment (`class="wp-image-123"`) without alternative text takes the
/// attachment's. The sanitizer checks whatever comes out.
fn images(html: &str, media: &dyn MediaResolver) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut done = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find("<img") {
        let at = search + found;
        search = at + 4;
        let Some((attributes, len)) = start_tag(&html[at..]) else { continue };
        let value = |name: &str| attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let classes: Vec<&str> = value("class").unwrap_or_default().split_whitespace().collect();
        let alt = value("alt").unwrap_or_default();
        let src = value("src").unwrap_or_default();
        let wordpress_emoji =
            (classes.contains(&"emoji") && src.contains("s.w.org/images/core/emoji")) || classes.contains(&"wp-smiley");
        let replacement = if wordpress_emoji && !alt.trim().is_empty() {
            Some(alt.to_string())
        } else if alt.trim().is_empty()
            && let Some(new_alt) = classes
                .iter()
                .find_map(|c| c.strip_prefix("wp-image-"))
                .and_then(|id| media.attachment(id))
                .map(|(_, alt, _)| alt)
                .filter(|alt| !alt.trim().is_empty())
        {
            let mut tag = String::from("<img");
            for (name, value) in attributes.iter().filter(|(name, _)| name != "alt") {
                tag.push_str(&format!(" {name}=\"{}\"", value.replace('"', "&quot;")));
            }
            tag.push_str(&format!(" alt=\"{}\">", escape_html(&new_alt)));
            Some(tag)
        } else {
            None
        };
        if let Some(replacement) = replacement {
            out.push_str(&html[done..at]);
            out.push_str(&replacement);
            done = at + len;
            search = done;
        }
    }
    out.push_str(&html[done..]);
    out
}

/// The attributes of the start tag `tag` begins with (names lowercased, values as written, ""
/// for a bare one), and the tag's length; `None` when it does not end.
fn start_tag(tag: &str) -> Option<(Vec<(String, String)>, usize)> {
    let bytes = tag.as_bytes();
    let mut at = 1;
    while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>') {
        at += 1;
    }
    let mut attributes = Vec::new();
    loop {
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r' | b'/') {
            at += 1;
        }
        match bytes.get(at) {
            None => return None,
            Some(b'>') => return Some((attributes, at + 1)),
            Some(_) => {}
        }
        let name_start = at;
        while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>' | b'=') {
            at += 1;
        }
        let name = tag[name_start..at].to_ascii_lowercase();
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
            at += 1;
        }
        let mut value = String::new();
        if bytes.get(at) == Some(&b'=') {
            at += 1;
            while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
                at += 1;
            }
            match bytes.get(at) {
                Some(quote @ (b'"' | b'\'')) => {
                    let end = tag[at + 1..].find(*quote as char)? + at + 1;
                    value = tag[at + 1..end].to_string();
                    at = end + 1;
                }
                _ => {
                    let start = at;
                    while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r' | b'>') {
                        at += 1;
                    }
                    value = tag[start..at].to_string();
                }
            }
        }
        attributes.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TwoImages;

    impl MediaResolver for TwoImages {
        fn attachment(&self, id: &str) -> Option<(String, String, String)> {
            match id {
                "50" => Some(("/media/ab/50.jpg".into(), "La médina".into(), "Rabat".into())),
                "51" => Some(("/media/cd/51.png".into(), String::new(), String::new())),
                _ => None,
            }
        }
        fn rewrite(&self, url: &str) -> Option<String> {
            (crate::news::old_addresses::original_upload_url(url)
                == "https://old.example.com/wp-content/uploads/2019/03/photo.jpg")
                .then(|| "/media/ab/50.jpg".to_string())
        }
    }

    #[test]
    fn emoji_pictures_become_characters_and_attachments_lend_their_alt() {
        let post = "<p>Bravo <img draggable=\"false\" role=\"img\" class=\"emoji\" alt=\"😀\" src=\"https://s.w.org/images/core/emoji/14.0.0/svg/1f600.svg\"> !</p>\n\n<figure class=\"wp-block-image\"><img src=\"https://old.example.com/wp-content/uploads/2019/03/photo-1024x683.jpg\" alt=\"\" class=\"wp-image-50\"/></figure>\n\n<p><img class='wp-image-50' alt='Choisi' src='x.jpg'></p>";
        let c = convert(post, &TwoImages);
        assert!(c.html.contains("<p>Bravo 😀 !</p>"), "{}", c.html);
        assert!(!c.html.contains("s.w.org"), "{}", c.html);
        assert!(c.html.contains("<img src=\"/media/ab/50.jpg\" alt=\"La médina\">"), "{}", c.html);
        assert!(c.html.contains("alt=\"Choisi\""), "an alt written by hand is kept: {}", c.html);
    }

    #[test]
    fn start_tags_are_read_whatever_their_quoting() {
        let (attributes, len) =
            start_tag("<IMG class=wp-image-50 title='a alt=\"x\" b' data-alt=\"no\" alt src=\"a>b.jpg\">after")
                .unwrap();
        assert_eq!(len, "<IMG class=wp-image-50 title='a alt=\"x\" b' data-alt=\"no\" alt src=\"a>b.jpg\">".len());
        let names: Vec<&str> = attributes.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["class", "title", "data-alt", "alt", "src"]);
        assert_eq!(attributes[0].1, "wp-image-50");
        assert_eq!(attributes[1].1, "a alt=\"x\" b");
        assert_eq!(attributes[3].1, "", "a bare alt is an empty one");
        assert_eq!(attributes[4].1, "a>b.jpg");
        assert!(start_tag("<img src=\"never closed").is_none());

        let c = convert(
            "<p><IMG class=wp-image-50 alt src=\"x.jpg\"> <img class=\"emoji\" alt=\":party:\" src=\"https://plugin.example/party.png\"></p>",
            &TwoImages,
        );
        assert!(c.html.contains("alt=\"La médina\""), "unquoted class, bare alt: {}", c.html);
        assert_eq!(c.html.matches("alt=").count(), 2, "one alt each: {}", c.html);
        assert!(c.html.contains("party.png"), "a plugin's emoji picture stays a picture: {}", c.html);
    }

    #[test]
    fn block_editor_embeds_become_links_and_more_breaks_a_paragraph() {
        let post = "<!-- wp:paragraph -->\n<p>Avant</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:embed {\"url\":\"https://www.youtube.com/watch?v=x\"} -->\n<figure class=\"wp-block-embed is-provider-youtube\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.youtube.com/watch?v=x&amp;t=1\n</div></figure>\n<!-- /wp:embed -->\n\nTexte\n<!--more-->\nSuite.\n\n<div class=\"wp-block-embed__wrapper\"><script>x</script></div>";
        let c = convert(post, &NoMedia);
        assert!(
            c.html
                .contains("<figure><a href=\"https://www.youtube.com/watch?v=x&amp;t=1\" rel=\"noopener noreferrer\">"),
            "{}",
            c.html
        );
        assert!(c.html.contains("<p>Texte</p>") && c.html.contains("<p>Suite.</p>"), "{}", c.html);
        assert!(!c.html.contains("<br>"), "no stray break where the teaser ended: {}", c.html);
        assert!(!c.html.contains("script"), "{}", c.html);
    }

    #[test]
    fn caption_becomes_a_figure_with_the_imported_image() {
        let post = "Avant\n\n[caption id=\"attachment_50\" width=\"640\"]<img src=\"https://old.example.com/wp-content/uploads/2019/03/photo-300x200.jpg\" alt=\"m\" /> La médina[/caption]\n\nAprès";
        let c = convert(post, &TwoImages);
        assert!(c.html.contains("<figure><img src=\"/media/ab/50.jpg\""), "{}", c.html);
        assert!(c.html.contains("<figcaption>La médina</figcaption></figure>"), "{}", c.html);
        assert!(c.html.contains("<p>Avant</p>") && c.html.contains("<p>Après</p>"), "{}", c.html);
        assert_eq!(c.shortcodes.converted.get("caption"), Some(&1));
    }

    #[test]
    fn gallery_embed_video_convert_and_unknown_shortcodes_are_removed_and_counted() {
        let post = "[gallery ids=\"50,51,99\"]\n\n[embed]https://www.youtube.com/watch?v=x[/embed]\n\n[video src=\"https://v.example.com/a.mp4\"]\n\n[contact-form-7 id=\"12\" title=\"Contact\"]\n\n[box]gardé[/box] [sic] [1]";
        let c = convert(post, &TwoImages);
        assert!(c.html.contains("/media/ab/50.jpg") && c.html.contains("/media/cd/51.png"), "{}", c.html);
        assert!(c.html.contains("<a href=\"https://www.youtube.com/watch?v=x\""), "{}", c.html);
        assert!(c.html.contains("https://v.example.com/a.mp4"), "{}", c.html);
        assert!(!c.html.contains("contact-form-7"), "{}", c.html);
        assert!(c.html.contains("gardé") && c.html.contains("[sic]") && c.html.contains("[1]"), "{}", c.html);
        assert_eq!(c.shortcodes.removed.get("contact-form-7"), Some(&1));
        assert_eq!(c.shortcodes.removed.get("box"), Some(&1));
        assert_eq!(c.shortcodes.converted.len(), 3, "{:?}", c.shortcodes);
    }

    #[test]
    fn scripts_do_not_survive_and_the_markdown_renders_to_the_same_html() {
        let post = "Un texte\navec un saut\n\n<script>alert(1)</script><img src=x onerror=\"alert(2)\"> <a href=\"javascript:alert(3)\">lien</a>";
        let c = convert(post, &NoMedia);
        assert!(!c.html.contains("<script") && !c.html.contains("onerror") && !c.html.contains("javascript:"));
        assert!(c.html.contains("Un texte<br>"), "{}", c.html);
        assert_eq!(crate::render::markdown::to_safe_html(&c.markdown).trim(), c.html.trim());
    }
}
