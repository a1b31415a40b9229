//! Writes WXR 1.2 as WordPress writes it, so WordPress's own importer (and ours) reads it back:
//! the channel header with authors and terms, then one `<item>` at a time, streamed.

use std::io::{self, Write};

use super::{Author, Channel, Comment, Item, Term, TermKind};

/// A streaming WXR writer.
pub struct WxrWriter<W: Write> {
    out: W,
}

/// Text as CDATA; a `]]>` inside is split across two sections.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// Text escaped for an element or attribute, without the control characters XML 1.0 cannot
/// carry at all.
fn esc(text: &str) -> String {
    crate::news::text::escape_html(&clean(text))
}

/// Removes the control characters XML 1.0 cannot hold from CDATA content too.
fn clean(text: &str) -> String {
    text.chars().filter(|&c| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r')).collect()
}

impl<W: Write> WxrWriter<W> {
    /// Writes the XML declaration, the channel's header and its authors and terms.
    pub fn start(mut out: W, channel: &Channel, authors: &[Author], terms: &[Term]) -> io::Result<WxrWriter<W>> {
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>")?;
        writeln!(
            out,
            "<rss version=\"2.0\"\n\txmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"\n\t\
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n\txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n\t\
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\txmlns:wp=\"http://wordpress.org/export/1.2/\"\n>"
        )?;
        writeln!(out, "<channel>")?;
        writeln!(out, "\t<title>{}</title>", esc(&channel.title))?;
        writeln!(out, "\t<link>{}</link>", esc(&channel.link))?;
        writeln!(out, "\t<description></description>")?;
        writeln!(out, "\t<language>{}</language>", esc(&channel.language))?;
        writeln!(out, "\t<wp:wxr_version>1.2</wp:wxr_version>")?;
        writeln!(out, "\t<wp:base_site_url>{}</wp:base_site_url>", esc(&channel.base_site_url))?;
        writeln!(out, "\t<wp:base_blog_url>{}</wp:base_blog_url>", esc(&channel.base_blog_url))?;
        for a in authors {
            writeln!(
                out,
                "\t<wp:author><wp:author_id>{}</wp:author_id><wp:author_login>{}</wp:author_login>\
                 <wp:author_email>{}</wp:author_email><wp:author_display_name>{}</wp:author_display_name>\
                 <wp:author_first_name>{}</wp:author_first_name><wp:author_last_name>{}</wp:author_last_name></wp:author>",
                esc(&a.id),
                cdata(&a.login),
                cdata(&a.email),
                cdata(&a.display_name),
                cdata(&a.first_name),
                cdata(&a.last_name)
            )?;
        }
        for t in terms.iter().filter(|t| t.kind == TermKind::Category) {
            writeln!(
                out,
                "\t<wp:category><wp:term_id>{}</wp:term_id><wp:category_nicename>{}</wp:category_nicename>\
                 <wp:category_parent>{}</wp:category_parent><wp:cat_name>{}</wp:cat_name>\
                 <wp:category_description>{}</wp:category_description></wp:category>",
                esc(&t.id),
                cdata(&t.slug),
                cdata(&t.parent_slug),
                cdata(&t.name),
                cdata(&t.description)
            )?;
        }
        for t in terms.iter().filter(|t| t.kind == TermKind::Tag) {
            writeln!(
                out,
                "\t<wp:tag><wp:term_id>{}</wp:term_id><wp:tag_slug>{}</wp:tag_slug><wp:tag_name>{}</wp:tag_name></wp:tag>",
                esc(&t.id),
                cdata(&t.slug),
                cdata(&t.name)
            )?;
        }
        writeln!(out, "\t<generator>Gazette {}</generator>", env!("CARGO_PKG_VERSION"))?;
        Ok(WxrWriter { out })
    }

    /// Writes one item with its terms, metadata and comments.
    pub fn item(&mut self, item: &Item) -> io::Result<()> {
        let o = &mut self.out;
        writeln!(o, "\t<item>")?;
        writeln!(o, "\t\t<title>{}</title>", esc(&item.title))?;
        writeln!(o, "\t\t<link>{}</link>", esc(&item.link))?;
        writeln!(o, "\t\t<pubDate>{}</pubDate>", esc(&item.pub_date))?;
        writeln!(o, "\t\t<dc:creator>{}</dc:creator>", cdata(&item.creator))?;
        writeln!(o, "\t\t<guid isPermaLink=\"false\">{}</guid>", esc(&item.guid))?;
        writeln!(o, "\t\t<description></description>")?;
        writeln!(o, "\t\t<content:encoded>{}</content:encoded>", cdata(&clean(&item.content)))?;
        writeln!(o, "\t\t<excerpt:encoded>{}</excerpt:encoded>", cdata(&clean(&item.excerpt)))?;
        for (tag, value) in [
            ("wp:post_id", &item.post_id),
            ("wp:post_date", &item.post_date),
            ("wp:post_date_gmt", &item.post_date_gmt),
            ("wp:post_modified_gmt", &item.post_modified_gmt),
        ] {
            writeln!(o, "\t\t<{tag}>{}</{tag}>", cdata(value))?;
        }
        for (tag, value) in [
            ("wp:comment_status", &item.comment_status),
            ("wp:ping_status", &"closed".to_string()),
            ("wp:post_name", &item.post_name),
            ("wp:status", &item.status),
        ] {
            writeln!(o, "\t\t<{tag}>{}</{tag}>", cdata(value))?;
        }
        writeln!(o, "\t\t<wp:post_parent>{}</wp:post_parent>", esc(or_zero(&item.post_parent)))?;
        writeln!(o, "\t\t<wp:menu_order>{}</wp:menu_order>", esc(or_zero(&item.menu_order)))?;
        writeln!(o, "\t\t<wp:post_type>{}</wp:post_type>", cdata(&item.post_type))?;
        writeln!(o, "\t\t<wp:post_password>{}</wp:post_password>", cdata(""))?;
        writeln!(o, "\t\t<wp:is_sticky>{}</wp:is_sticky>", esc(or_zero(&item.is_sticky)))?;
        if !item.attachment_url.is_empty() {
            writeln!(o, "\t\t<wp:attachment_url>{}</wp:attachment_url>", cdata(&item.attachment_url))?;
        }
        for t in &item.terms {
            writeln!(
                o,
                "\t\t<category domain=\"{}\" nicename=\"{}\">{}</category>",
                esc(&t.domain),
                esc(&t.nicename),
                cdata(&t.name)
            )?;
        }
        for (key, value) in &item.meta {
            writeln!(
                o,
                "\t\t<wp:postmeta><wp:meta_key>{}</wp:meta_key><wp:meta_value>{}</wp:meta_value></wp:postmeta>",
                cdata(key),
                cdata(value)
            )?;
        }
        for c in &item.comments {
            write_comment(o, c)?;
        }
        writeln!(o, "\t</item>")
    }

    /// Closes the channel and the document; returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        writeln!(self.out, "</channel>\n</rss>")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn or_zero(value: &str) -> &str {
    if value.is_empty() { "0" } else { value }
}

fn write_comment<W: Write>(o: &mut W, c: &Comment) -> io::Result<()> {
    writeln!(o, "\t\t<wp:comment>")?;
    writeln!(o, "\t\t\t<wp:comment_id>{}</wp:comment_id>", esc(&c.id))?;
    writeln!(o, "\t\t\t<wp:comment_author>{}</wp:comment_author>", cdata(&clean(&c.author)))?;
    writeln!(o, "\t\t\t<wp:comment_author_email>{}</wp:comment_author_email>", cdata(&c.author_email))?;
    writeln!(o, "\t\t\t<wp:comment_author_url>{}</wp:comment_author_url>", esc(&c.author_url))?;
    writeln!(o, "\t\t\t<wp:comment_author_IP>{}</wp:comment_author_IP>", cdata(&c.author_ip))?;
    writeln!(o, "\t\t\t<wp:comment_date>{}</wp:comment_date>", cdata(&c.date))?;
    writeln!(o, "\t\t\t<wp:comment_date_gmt>{}</wp:comment_date_gmt>", cdata(&c.date_gmt))?;
    writeln!(o, "\t\t\t<wp:comment_content>{}</wp:comment_content>", cdata(&clean(&c.content)))?;
    writeln!(o, "\t\t\t<wp:comment_approved>{}</wp:comment_approved>", cdata(&c.approved))?;
    writeln!(o, "\t\t\t<wp:comment_type>{}</wp:comment_type>", cdata(&c.kind))?;
    writeln!(o, "\t\t\t<wp:comment_parent>{}</wp:comment_parent>", esc(or_zero(&c.parent)))?;
    writeln!(o, "\t\t\t<wp:comment_user_id>{}</wp:comment_user_id>", esc(or_zero(&c.user_id)))?;
    for (key, value) in &c.meta {
        writeln!(
            o,
            "\t\t\t<wp:commentmeta><wp:meta_key>{}</wp:meta_key><wp:meta_value>{}</wp:meta_value></wp:commentmeta>",
            cdata(key),
            cdata(value)
        )?;
    }
    writeln!(o, "\t\t</wp:comment>")
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
