//! WordPress eXtended RSS (WXR), the export format of WordPress and of WMaker: a streaming
//! reader that hands out one author, term or item at a time, and a writer (`wxr::write`).
//!
//! The reader never holds more than one item (a post with its comments and metadata): a 2 GB
//! export is read in the memory of its largest post. Errors carry the line and column of the
//! file where reading stopped and what was expected there.

pub mod content;
pub mod write;

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// The site the export came from.
#[derive(Clone, Debug, Default)]
pub struct Channel {
    pub title: String,
    pub link: String,
    pub base_site_url: String,
    pub base_blog_url: String,
    pub language: String,
    pub generator: String,
    pub wxr_version: String,
}

impl Channel {
    /// The address that names this site in the import records: the base URL, else the link.
    pub fn source(&self) -> String {
        let url = if self.base_site_url.is_empty() { &self.link } else { &self.base_site_url };
        url.trim_end_matches('/').to_string()
    }

    /// True for an export made by WMaker (addresses like `Titre_a160665.html`).
    pub fn is_wmaker(&self) -> bool {
        self.generator.to_ascii_lowercase().contains("wmaker")
    }
}

/// A `<wp:author>`.
#[derive(Clone, Debug, Default)]
pub struct Author {
    pub id: String,
    pub login: String,
    pub email: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
}

/// Which taxonomy a channel-level term belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermKind {
    Category,
    Tag,
    /// `<wp:term>` of another taxonomy (nav menus, post formats, languages): not imported.
    Other,
}

/// A `<wp:category>`, `<wp:tag>` or `<wp:term>`.
#[derive(Clone, Debug)]
pub struct Term {
    pub kind: TermKind,
    pub taxonomy: String,
    pub id: String,
    pub slug: String,
    pub parent_slug: String,
    pub name: String,
    pub description: String,
}

/// A `<category>` inside an item: the post's category, tag or other taxonomy term.
#[derive(Clone, Debug, Default)]
pub struct ItemTerm {
    pub domain: String,
    pub nicename: String,
    pub name: String,
}

/// A `<wp:comment>`.
#[derive(Clone, Debug, Default)]
pub struct Comment {
    pub id: String,
    pub author: String,
    pub author_email: String,
    pub author_url: String,
    pub author_ip: String,
    pub date: String,
    pub date_gmt: String,
    pub content: String,
    /// "1", "0", "spam", "trash", "post-trashed".
    pub approved: String,
    /// "" or "comment" for comments; "pingback", "trackback".
    pub kind: String,
    pub parent: String,
    pub user_id: String,
    pub meta: Vec<(String, String)>,
}

impl Comment {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// An `<item>`: a post, page, attachment or anything else WordPress stores as a post.
#[derive(Clone, Debug, Default)]
pub struct Item {
    pub title: String,
    pub link: String,
    pub guid: String,
    pub pub_date: String,
    pub creator: String,
    pub description: String,
    pub content: String,
    pub excerpt: String,
    pub post_id: String,
    pub post_date: String,
    pub post_date_gmt: String,
    pub post_modified_gmt: String,
    pub comment_status: String,
    pub post_name: String,
    pub status: String,
    pub post_parent: String,
    pub menu_order: String,
    pub post_type: String,
    pub post_password: String,
    pub is_sticky: String,
    pub attachment_url: String,
    pub terms: Vec<ItemTerm>,
    pub meta: Vec<(String, String)>,
    pub comments: Vec<Comment>,
}

impl Item {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The item's terms of one taxonomy (`category`, `post_tag`, `language`, ...).
    pub fn terms_of<'a>(&'a self, domain: &'a str) -> impl Iterator<Item = &'a ItemTerm> + 'a {
        self.terms.iter().filter(move |t| t.domain == domain)
    }
}

/// One unit of an export, in file order.
#[derive(Clone, Debug)]
pub enum Entry {
    /// The channel's header: comes once, before anything else.
    Channel(Channel),
    Author(Author),
    Term(Term),
    Item(Box<Item>),
}

/// Why reading stopped: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WxrError {
    /// Byte offset in the file.
    pub offset: u64,
    /// 1-based line and column (in characters); filled by [`WxrError::locate`].
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl WxrError {
    fn at(offset: u64, message: impl Into<String>) -> WxrError {
        WxrError { offset, line: 0, column: 0, message: message.into() }
    }

    /// Fills line and column by reading the file up to the error's offset (only ever done
    /// once, on the way out).
    pub fn locate(mut self, mut source: impl std::io::Read) -> WxrError {
        let mut line = 1u64;
        let mut column = 1u64;
        let mut left = self.offset;
        let mut buf = vec![0u8; 64 * 1024];
        while left > 0 {
            let n = match source.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n.min(usize::try_from(left).unwrap_or(usize::MAX)),
            };
            for &b in &buf[..n] {
                if b == b'\n' {
                    line += 1;
                    column = 1;
                } else if b & 0xC0 != 0x80 {
                    // Count characters, not bytes: skip UTF-8 continuation bytes.
                    column += 1;
                }
            }
            left -= n as u64;
        }
        self.line = line;
        self.column = column;
        self
    }
}

impl std::fmt::Display for WxrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
        } else {
            write!(f, "byte {}: {}", self.offset, self.message)
        }
    }
}

/// What the element being read will become.
enum Building {
    Nothing,
    Author(Author),
    Term(Term),
    Item(Box<Item>),
}

/// Reads entries one by one from a WXR file.
pub struct WxrReader<R: BufRead> {
    xml: Reader<R>,
    buf: Vec<u8>,
    /// Names of the open elements, outermost first.
    open: Vec<String>,
    text: String,
    channel: Channel,
    channel_sent: bool,
    saw_rss: bool,
    building: Building,
    comment: Option<Comment>,
    meta: (String, String),
    item_term: Option<ItemTerm>,
    pending: Option<Entry>,
    finished: bool,
}

impl<R: BufRead> WxrReader<R> {
    pub fn new(source: R) -> WxrReader<R> {
        let mut xml = Reader::from_reader(source);
        let config = xml.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = true;
        WxrReader {
            xml,
            buf: Vec::with_capacity(64 * 1024),
            open: Vec::new(),
            text: String::new(),
            channel: Channel::default(),
            channel_sent: false,
            saw_rss: false,
            building: Building::Nothing,
            comment: None,
            meta: (String::new(), String::new()),
            item_term: None,
            pending: None,
            finished: false,
        }
    }

    /// Bytes of the file read so far: for a progress bar.
    pub fn position(&self) -> u64 {
        self.xml.buffer_position()
    }

    /// The next entry, `None` at the end of a complete file.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, WxrError> {
        loop {
            if let Some(entry) = self.pending.take() {
                return Ok(Some(entry));
            }
            if self.finished {
                return Ok(None);
            }
            self.buf.clear();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(event) => event.into_owned(),
                Err(e) => return Err(WxrError::at(self.xml.error_position(), describe(&e))),
            };
            match event {
                Event::Start(start) => self.start(&start)?,
                Event::End(end) => {
                    let name = end.name().as_ref().to_string();
                    if let Some(entry) = self.end(&name)? {
                        return Ok(Some(entry));
                    }
                }
                Event::Text(t) => self.text.push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0)),
                Event::CData(t) => self.text.push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0)),
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(ch)) => ch.to_string(),
                        Ok(None) => {
                            let name = r.xml_content(quick_xml::XmlVersion::Implicit1_0);
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(s) => s.to_string(),
                                // HTML entities that old exporters leave unescaped.
                                None => html_entity(&name).map(str::to_string).ok_or_else(|| {
                                    WxrError::at(self.xml.buffer_position(), format!("unknown entity &{name};"))
                                })?,
                            }
                        }
                        Err(e) => return Err(WxrError::at(self.xml.buffer_position(), e.to_string())),
                    };
                    self.text.push_str(&resolved);
                }
                Event::Eof => {
                    self.finished = true;
                    if let Some(open) = self.open.last() {
                        return Err(WxrError::at(
                            self.xml.buffer_position(),
                            format!("the file ends inside <{open}>: expected </{open}> (is the file truncated?)"),
                        ));
                    }
                    if !self.saw_rss {
                        return Err(WxrError::at(0, "not a WXR file: expected an <rss> element"));
                    }
                    if !self.channel_sent {
                        self.channel_sent = true;
                        return Ok(Some(Entry::Channel(self.channel.clone())));
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    fn start(&mut self, start: &BytesStart<'_>) -> Result<(), WxrError> {
        let name = start.name().as_ref().to_string();
        let depth = self.open.len();
        if depth == 0 {
            if name != "rss" {
                return Err(WxrError::at(self.xml.buffer_position(), format!("expected <rss>, found <{name}>")));
            }
            self.saw_rss = true;
        }
        self.text.clear();
        let in_channel = self.open.len() == 2 && self.open[1] == "channel";
        if in_channel && matches!(name.as_str(), "wp:author" | "wp:category" | "wp:tag" | "wp:term" | "item") {
            if !self.channel_sent {
                self.channel_sent = true;
                self.pending = Some(Entry::Channel(self.channel.clone()));
            }
            self.building = match name.as_str() {
                "wp:author" => Building::Author(Author::default()),
                "item" => Building::Item(Box::default()),
                other => Building::Term(Term {
                    kind: match other {
                        "wp:category" => TermKind::Category,
                        "wp:tag" => TermKind::Tag,
                        _ => TermKind::Other,
                    },
                    taxonomy: match other {
                        "wp:category" => "category".into(),
                        "wp:tag" => "post_tag".into(),
                        _ => String::new(),
                    },
                    id: String::new(),
                    slug: String::new(),
                    parent_slug: String::new(),
                    name: String::new(),
                    description: String::new(),
                }),
            };
        }
        if let Building::Item(_) = self.building {
            match name.as_str() {
                "wp:comment" => self.comment = Some(Comment::default()),
                "wp:postmeta" | "wp:commentmeta" => self.meta = (String::new(), String::new()),
                "category" => {
                    let mut term = ItemTerm::default();
                    for attribute in start.attributes().flatten() {
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                            .unwrap_or_default();
                        match attribute.key.as_ref() {
                            "domain" => term.domain = value,
                            "nicename" => term.nicename = value,
                            _ => {}
                        }
                    }
                    self.item_term = Some(term);
                }
                _ => {}
            }
        }
        self.open.push(name);
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<Option<Entry>, WxrError> {
        self.open.pop();
        let text = std::mem::take(&mut self.text);
        let parent = self.open.last().map(String::as_str).unwrap_or("");
        match &mut self.building {
            Building::Nothing => {
                if parent == "channel" {
                    let field = match name {
                        "title" => Some(&mut self.channel.title),
                        "link" => Some(&mut self.channel.link),
                        "language" => Some(&mut self.channel.language),
                        "generator" => Some(&mut self.channel.generator),
                        "wp:base_site_url" => Some(&mut self.channel.base_site_url),
                        "wp:base_blog_url" => Some(&mut self.channel.base_blog_url),
                        "wp:wxr_version" => Some(&mut self.channel.wxr_version),
                        _ => None,
                    };
                    if let Some(field) = field {
                        *field = text.trim().to_string();
                    }
                }
            }
            Building::Author(author) => {
                let field = match name {
                    "wp:author_id" => Some(&mut author.id),
                    "wp:author_login" => Some(&mut author.login),
                    "wp:author_email" => Some(&mut author.email),
                    "wp:author_display_name" => Some(&mut author.display_name),
                    "wp:author_first_name" => Some(&mut author.first_name),
                    "wp:author_last_name" => Some(&mut author.last_name),
                    _ => None,
                };
                if let Some(field) = field {
                    *field = text.trim().to_string();
                }
                if name == "wp:author" && parent == "channel" {
                    return Ok(self.finish_entry());
                }
            }
            Building::Term(term) => {
                let field = match name {
                    "wp:term_id" => Some(&mut term.id),
                    "wp:category_nicename" | "wp:tag_slug" | "wp:term_slug" => Some(&mut term.slug),
                    "wp:category_parent" | "wp:term_parent" => Some(&mut term.parent_slug),
                    "wp:cat_name" | "wp:tag_name" | "wp:term_name" => Some(&mut term.name),
                    "wp:category_description" | "wp:tag_description" | "wp:term_description" => {
                        Some(&mut term.description)
                    }
                    "wp:term_taxonomy" => Some(&mut term.taxonomy),
                    _ => None,
                };
                if let Some(field) = field {
                    *field = text.trim().to_string();
                }
                if matches!(name, "wp:category" | "wp:tag" | "wp:term") && parent == "channel" {
                    if term.kind == TermKind::Other {
                        term.kind = match term.taxonomy.as_str() {
                            "category" => TermKind::Category,
                            "post_tag" => TermKind::Tag,
                            _ => TermKind::Other,
                        };
                    }
                    return Ok(self.finish_entry());
                }
            }
            Building::Item(item) => {
                if let Some(comment) = &mut self.comment {
                    if name == "wp:comment" {
                        if let Some(done) = self.comment.take() {
                            item.comments.push(done);
                        }
                        return Ok(None);
                    }
                    if parent == "wp:commentmeta" {
                        match name {
                            "wp:meta_key" => self.meta.0 = text.trim().to_string(),
                            "wp:meta_value" => self.meta.1 = text,
                            _ => {}
                        }
                        return Ok(None);
                    }
                    if name == "wp:commentmeta" {
                        comment.meta.push(std::mem::take(&mut self.meta));
                        return Ok(None);
                    }
                    let field = match name {
                        "wp:comment_id" => Some(&mut comment.id),
                        "wp:comment_author" => Some(&mut comment.author),
                        "wp:comment_author_email" => Some(&mut comment.author_email),
                        "wp:comment_author_url" => Some(&mut comment.author_url),
                        "wp:comment_author_IP" => Some(&mut comment.author_ip),
                        "wp:comment_date" => Some(&mut comment.date),
                        "wp:comment_date_gmt" => Some(&mut comment.date_gmt),
                        "wp:comment_approved" => Some(&mut comment.approved),
                        "wp:comment_type" => Some(&mut comment.kind),
                        "wp:comment_parent" => Some(&mut comment.parent),
                        "wp:comment_user_id" => Some(&mut comment.user_id),
                        _ => None,
                    };
                    if let Some(field) = field {
                        *field = text.trim().to_string();
                    } else if name == "wp:comment_content" {
                        comment.content = text;
                    }
                    return Ok(None);
                }
                if parent == "wp:postmeta" {
                    match name {
                        "wp:meta_key" => self.meta.0 = text.trim().to_string(),
                        "wp:meta_value" => self.meta.1 = text,
                        _ => {}
                    }
                    return Ok(None);
                }
                if name == "wp:postmeta" {
                    item.meta.push(std::mem::take(&mut self.meta));
                    return Ok(None);
                }
                if name == "category" && parent == "item" {
                    if let Some(mut term) = self.item_term.take() {
                        term.name = text.trim().to_string();
                        item.terms.push(term);
                    }
                    return Ok(None);
                }
                if name == "item" && parent == "channel" {
                    return Ok(self.finish_entry());
                }
                if parent != "item" {
                    return Ok(None);
                }
                match name {
                    "title" => item.title = text.trim().to_string(),
                    "link" => item.link = text.trim().to_string(),
                    "guid" => item.guid = text.trim().to_string(),
                    "pubDate" => item.pub_date = text.trim().to_string(),
                    "dc:creator" => item.creator = text.trim().to_string(),
                    "description" => item.description = text,
                    "content:encoded" => item.content = text,
                    "excerpt:encoded" => item.excerpt = text,
                    "wp:post_id" => item.post_id = text.trim().to_string(),
                    "wp:post_date" => item.post_date = text.trim().to_string(),
                    "wp:post_date_gmt" => item.post_date_gmt = text.trim().to_string(),
                    "wp:post_modified_gmt" => item.post_modified_gmt = text.trim().to_string(),
                    "wp:comment_status" => item.comment_status = text.trim().to_string(),
                    "wp:post_name" => item.post_name = text.trim().to_string(),
                    "wp:status" => item.status = text.trim().to_string(),
                    "wp:post_parent" => item.post_parent = text.trim().to_string(),
                    "wp:menu_order" => item.menu_order = text.trim().to_string(),
                    "wp:post_type" => item.post_type = text.trim().to_string(),
                    "wp:post_password" => item.post_password = text.trim().to_string(),
                    "wp:is_sticky" => item.is_sticky = text.trim().to_string(),
                    "wp:attachment_url" => item.attachment_url = text.trim().to_string(),
                    _ => {}
                }
            }
        }
        Ok(None)
    }

    fn finish_entry(&mut self) -> Option<Entry> {
        let entry = match std::mem::replace(&mut self.building, Building::Nothing) {
            Building::Nothing => return None,
            Building::Author(a) => Entry::Author(a),
            Building::Term(t) => Entry::Term(t),
            Building::Item(i) => Entry::Item(i),
        };
        // The channel's header goes out first when the first entry closes at once.
        match self.pending.take() {
            Some(channel) => {
                self.pending = Some(entry);
                Some(channel)
            }
            None => Some(entry),
        }
    }
}

/// The parser's complaint, in words a person can act on.
fn describe(error: &quick_xml::Error) -> String {
    use quick_xml::errors::{Error, IllFormedError, SyntaxError};
    match error {
        Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("expected </{expected}>, found </{found}>")
        }
        Error::IllFormed(IllFormedError::UnmatchedEndTag(found)) => {
            format!("found </{found}> but no element is open with that name")
        }
        Error::Syntax(SyntaxError::UnclosedTag) => "a tag is not closed: expected '>' (is the file truncated?)".into(),
        Error::Syntax(SyntaxError::UnclosedCData) => {
            "a CDATA section is not closed: expected ']]>' (is the file truncated?)".into()
        }
        Error::Syntax(SyntaxError::UnclosedComment) => "an XML comment is not closed: expected '-->'".into(),
        other => other.to_string(),
    }
}

/// The few HTML entities found unescaped in real exports (WordPress escapes text, plugins
/// do not always).
fn html_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "nbsp" => "\u{a0}",
        "hellip" => "…",
        "rsquo" => "’",
        "lsquo" => "‘",
        "rdquo" => "”",
        "ldquo" => "“",
        "laquo" => "«",
        "raquo" => "»",
        "ndash" => "–",
        "mdash" => "—",
        "eacute" => "é",
        "egrave" => "è",
        "agrave" => "à",
        "ccedil" => "ç",
        "euro" => "€",
        "copy" => "©",
        _ => return None,
    })
}

/// Reads a WXR date ("2019-03-15 10:00:00") as unix milliseconds; `None` for WordPress's
/// "0000-00-00 00:00:00" and anything unreadable.
pub fn parse_gmt(text: &str) -> Option<i64> {
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    Some(naive.and_utc().timestamp_millis())
}

/// Reads a local WXR date in the site's time zone.
pub fn parse_local(text: &str, tz: chrono_tz::Tz) -> Option<i64> {
    use chrono::TimeZone;
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    tz.from_local_datetime(&naive).earliest().map(|d| d.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(xml: &str) -> Result<Vec<Entry>, WxrError> {
        let mut reader = WxrReader::new(xml.as_bytes());
        let mut out = Vec::new();
        while let Some(entry) = reader.next_entry()? {
            out.push(entry);
        }
        Ok(out)
    }

    const SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Le Quotidien &amp; Co</title>
  <wp:base_site_url>https://old.example.com/</wp:base_site_url>
  <language>fr-FR</language>
  <wp:author><wp:author_login><![CDATA[amina]]></wp:author_login><wp:author_email>a@example.com</wp:author_email></wp:author>
  <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>monde</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Monde]]></wp:cat_name></wp:category>
  <item>
    <title>L&#8217;été &amp; <![CDATA[la ]]]]><![CDATA[>plage]]></title>
    <content:encoded><![CDATA[<p>Un <b>texte</b></p>]]></content:encoded>
    <wp:post_id>101</wp:post_id>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="category" nicename="monde"><![CDATA[Monde]]></category>
    <wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value><![CDATA[50]]></wp:meta_value></wp:postmeta>
    <wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_content><![CDATA[Bravo]]></wp:comment_content>
      <wp:commentmeta><wp:meta_key>notify</wp:meta_key><wp:meta_value>1</wp:meta_value></wp:commentmeta></wp:comment>
  </item>
</channel>
</rss>"#;

    #[test]
    fn reads_channel_authors_terms_and_items_in_order() {
        let entries = read_all(SMALL).expect("valid");
        assert_eq!(entries.len(), 4, "{entries:?}");
        let Entry::Channel(channel) = &entries[0] else { panic!("channel first") };
        assert_eq!(channel.title, "Le Quotidien & Co");
        assert_eq!(channel.source(), "https://old.example.com");
        assert!(matches!(&entries[1], Entry::Author(a) if a.login == "amina" && a.email == "a@example.com"));
        assert!(matches!(&entries[2], Entry::Term(t) if t.kind == TermKind::Category && t.slug == "monde"));
        let Entry::Item(item) = &entries[3] else { panic!("item last") };
        assert_eq!(item.title, "L’été & la ]]>plage");
        assert_eq!(item.content, "<p>Un <b>texte</b></p>");
        assert_eq!(item.meta("_thumbnail_id"), Some("50"));
        assert_eq!(item.terms_of("category").count(), 1);
        assert_eq!(item.comments.len(), 1);
        assert_eq!(item.comments[0].meta("notify"), Some("1"));
        assert_eq!(item.comments[0].content, "Bravo");
    }

    #[test]
    fn a_mismatched_tag_names_its_line_and_what_was_expected() {
        let xml = "<rss>\n<channel>\n<title>x</wp:title>\n</channel></rss>";
        let error = read_all(xml).expect_err("malformed").locate(xml.as_bytes());
        assert_eq!(error.line, 3, "{error}");
        assert!(error.message.contains("expected </title>"), "{error}");
    }

    #[test]
    fn a_truncated_file_says_so() {
        let cut = &SMALL[..SMALL.find("<wp:postmeta>").expect("fixture")];
        let error = read_all(cut).expect_err("truncated").locate(cut.as_bytes());
        assert!(error.message.contains("truncated"), "{error}");
        assert!(error.line >= 11, "{error}");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_gmt("2019-03-15 10:00:00"), Some(1_552_644_000_000));
        assert_eq!(parse_gmt("0000-00-00 00:00:00"), None);
    }
}
