//! Writes WXR 1.2 as WordPress writes it, so WordPress's own importer (and ours) reads it back:
//! the channel header with authors and terms, then one `<item>` at a time, streamed.

use std::borrow::Cow;
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{Author, Channel, Comment, Item, Term, TermKind};

/// A streaming WXR writer, over quick-xml's `Writer` (which escapes text and attributes).
pub struct WxrWriter<W: Write> {
    xml: Writer<W>,
}

/// Removes the control characters XML 1.0 cannot hold at all, escaped or not.
fn clean(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r');
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| allowed(*c)).collect())
    }
}

/// `<name>text</name>`, the text escaped.
fn text<W: Write>(xml: &mut Writer<W>, name: &str, value: &str) -> io::Result<()> {
    xml.create_element(name).write_text_content(BytesText::new(&clean(value)))?;
    Ok(())
}

/// `<name><![CDATA[text]]></name>`, as WordPress writes its fields; a `]]>` inside is split
/// across two sections. An empty value is an empty element.
fn cdata<W: Write>(xml: &mut Writer<W>, name: &str, value: &str) -> io::Result<()> {
    let value = clean(value);
    if value.is_empty() {
        return text(xml, name, "");
    }
    xml.create_element(name).write_inner_content(|xml| {
        for part in BytesCData::escaped(&value) {
            xml.write_event(Event::CData(part))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// An element holding other elements.
fn parent<W: Write>(
    xml: &mut Writer<W>,
    name: &str,
    children: impl FnOnce(&mut Writer<W>) -> io::Result<()>,
) -> io::Result<()> {
    xml.create_element(name).write_inner_content(children)?;
    Ok(())
}

const NAMESPACES: [(&str, &str); 5] = [
    ("xmlns:excerpt", "http://wordpress.org/export/1.2/excerpt/"),
    ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
    ("xmlns:wfw", "http://wellformedweb.org/CommentAPI/"),
    ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
    ("xmlns:wp", "http://wordpress.org/export/1.2/"),
];

impl<W: Write> WxrWriter<W> {
    /// Writes the XML declaration, the channel's header and its authors and terms.
    pub fn start(out: W, channel: &Channel, authors: &[Author], terms: &[Term]) -> io::Result<WxrWriter<W>> {
        let mut xml = Writer::new_with_indent(out, b'\t', 1);
        xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut rss = BytesStart::new("rss");
        rss.push_attribute(("version", "2.0"));
        rss.extend_attributes(NAMESPACES);
        xml.write_event(Event::Start(rss))?;
        xml.write_event(Event::Start(BytesStart::new("channel")))?;
        text(&mut xml, "title", &channel.title)?;
        text(&mut xml, "link", &channel.link)?;
        text(&mut xml, "description", "")?;
        text(&mut xml, "language", &channel.language)?;
        text(&mut xml, "wp:wxr_version", "1.2")?;
        text(&mut xml, "wp:base_site_url", &channel.base_site_url)?;
        text(&mut xml, "wp:base_blog_url", &channel.base_blog_url)?;
        for a in authors {
            parent(&mut xml, "wp:author", |xml| {
                text(xml, "wp:author_id", &a.id)?;
                cdata(xml, "wp:author_login", &a.login)?;
                cdata(xml, "wp:author_email", &a.email)?;
                cdata(xml, "wp:author_display_name", &a.display_name)?;
                cdata(xml, "wp:author_first_name", &a.first_name)?;
                cdata(xml, "wp:author_last_name", &a.last_name)
            })?;
        }
        for t in terms.iter().filter(|t| t.kind == TermKind::Category) {
            parent(&mut xml, "wp:category", |xml| {
                text(xml, "wp:term_id", &t.id)?;
                cdata(xml, "wp:category_nicename", &t.slug)?;
                cdata(xml, "wp:category_parent", &t.parent_slug)?;
                cdata(xml, "wp:cat_name", &t.name)?;
                cdata(xml, "wp:category_description", &t.description)
            })?;
        }
        for t in terms.iter().filter(|t| t.kind == TermKind::Tag) {
            parent(&mut xml, "wp:tag", |xml| {
                text(xml, "wp:term_id", &t.id)?;
                cdata(xml, "wp:tag_slug", &t.slug)?;
                cdata(xml, "wp:tag_name", &t.name)
            })?;
        }
        text(&mut xml, "generator", &format!("Gazette {}", env!("CARGO_PKG_VERSION")))?;
        Ok(WxrWriter { xml })
    }

    /// Writes one item with its terms, metadata and comments.
    pub fn item(&mut self, item: &Item) -> io::Result<()> {
        parent(&mut self.xml, "item", |xml| {
            text(xml, "title", &item.title)?;
            text(xml, "link", &item.link)?;
            text(xml, "pubDate", &item.pub_date)?;
            cdata(xml, "dc:creator", &item.creator)?;
            xml.create_element("guid")
                .with_attribute(("isPermaLink", "false"))
                .write_text_content(BytesText::new(&clean(&item.guid)))?;
            text(xml, "description", "")?;
            cdata(xml, "content:encoded", &item.content)?;
            cdata(xml, "excerpt:encoded", &item.excerpt)?;
            cdata(xml, "wp:post_id", &item.post_id)?;
            cdata(xml, "wp:post_date", &item.post_date)?;
            cdata(xml, "wp:post_date_gmt", &item.post_date_gmt)?;
            cdata(xml, "wp:post_modified_gmt", &item.post_modified_gmt)?;
            cdata(xml, "wp:comment_status", &item.comment_status)?;
            cdata(xml, "wp:ping_status", "closed")?;
            cdata(xml, "wp:post_name", &item.post_name)?;
            cdata(xml, "wp:status", &item.status)?;
            text(xml, "wp:post_parent", or_zero(&item.post_parent))?;
            text(xml, "wp:menu_order", or_zero(&item.menu_order))?;
            cdata(xml, "wp:post_type", &item.post_type)?;
            cdata(xml, "wp:post_password", "")?;
            text(xml, "wp:is_sticky", or_zero(&item.is_sticky))?;
            if !item.attachment_url.is_empty() {
                cdata(xml, "wp:attachment_url", &item.attachment_url)?;
            }
            for t in &item.terms {
                xml.create_element("category")
                    .with_attribute(("domain", t.domain.as_str()))
                    .with_attribute(("nicename", t.nicename.as_str()))
                    .write_inner_content(|xml| {
                        for part in BytesCData::escaped(&clean(&t.name)) {
                            xml.write_event(Event::CData(part))?;
                        }
                        Ok(())
                    })?;
            }
            for (key, value) in &item.meta {
                meta(xml, "wp:postmeta", key, value)?;
            }
            for c in &item.comments {
                write_comment(xml, c)?;
            }
            Ok(())
        })
    }

    /// Closes the channel and the document; returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.xml.write_event(Event::End(BytesEnd::new("channel")))?;
        self.xml.write_event(Event::End(BytesEnd::new("rss")))?;
        let mut out = self.xml.into_inner();
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(out)
    }
}

fn or_zero(value: &str) -> &str {
    if value.is_empty() { "0" } else { value }
}

fn meta<W: Write>(xml: &mut Writer<W>, name: &str, key: &str, value: &str) -> io::Result<()> {
    parent(xml, name, |xml| {
        cdata(xml, "wp:meta_key", key)?;
        cdata(xml, "wp:meta_value", value)
    })
}

fn write_comment<W: Write>(xml: &mut Writer<W>, c: &Comment) -> io::Result<()> {
    parent(xml, "wp:comment", |xml| {
        text(xml, "wp:comment_id", &c.id)?;
        cdata(xml, "wp:comment_author", &c.author)?;
        cdata(xml, "wp:comment_author_email", &c.author_email)?;
        text(xml, "wp:comment_author_url", &c.author_url)?;
        cdata(xml, "wp:comment_author_IP", &c.author_ip)?;
        cdata(xml, "wp:comment_date", &c.date)?;
        cdata(xml, "wp:comment_date_gmt", &c.date_gmt)?;
        cdata(xml, "wp:comment_content", &c.content)?;
        cdata(xml, "wp:comment_approved", &c.approved)?;
        cdata(xml, "wp:comment_type", &c.kind)?;
        text(xml, "wp:comment_parent", or_zero(&c.parent))?;
        text(xml, "wp:comment_user_id", or_zero(&c.user_id))?;
        for (key, value) in &c.meta {
            meta(xml, "wp:commentmeta", key, value)?;
        }
        Ok(())
    })
}

/// A WXR date ("2019-03-15 10:00:00") from unix milliseconds, in UTC or in a time zone.
pub fn wxr_date(ms: i64, tz: Option<chrono_tz::Tz>) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp_millis(ms) else { return "0000-00-00 00:00:00".into() };
    match tz {
        Some(tz) => utc.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string(),
        None => utc.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

/// An RSS `pubDate` (RFC 2822) from unix milliseconds.
pub fn rss_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|d| d.to_rfc2822()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wxr::{Entry, WxrReader};

    #[test]
    fn what_is_written_reads_back_the_same() {
        let channel =
            Channel { title: "A & B".into(), base_site_url: "https://x.example".into(), ..Channel::default() };
        let authors = vec![Author { login: "amina".into(), email: "a@x.example".into(), ..Author::default() }];
        let terms = vec![Term {
            kind: TermKind::Category,
            taxonomy: "category".into(),
            id: "1".into(),
            slug: "monde".into(),
            parent_slug: String::new(),
            name: "Monde & Co".into(),
            description: String::new(),
        }];
        let item = Item {
            title: "L'été <b>".into(),
            content: "<p>a ]]> b\u{1}</p>".into(),
            post_id: "7".into(),
            post_type: "post".into(),
            comments: vec![Comment {
                id: "3".into(),
                content: "Bravo".into(),
                approved: "1".into(),
                ..Comment::default()
            }],
            ..Item::default()
        };
        let mut writer = WxrWriter::start(Vec::new(), &channel, &authors, &terms).expect("header");
        writer.item(&item).expect("item");
        let bytes = writer.finish().expect("end");
        let mut reader = WxrReader::new(bytes.as_slice());
        let mut entries = Vec::new();
        while let Some(e) = reader.next_entry().expect("readable") {
            entries.push(e);
        }
        assert!(matches!(&entries[0], Entry::Channel(c) if c.title == "A & B"));
        assert!(matches!(&entries[2], Entry::Term(t) if t.name == "Monde & Co"));
        let Entry::Item(back) = &entries[3] else { panic!("item") };
        assert_eq!(back.title, "L'été <b>");
        assert_eq!(back.content, "<p>a ]]> b</p>");
        assert_eq!(back.comments[0].content, "Bravo");
    }
}
