//! A post's comments, replies after their parents, with their moderation state and
//! WMaker's pending subscriptions.

use std::collections::HashMap;

use super::report::{CREATED, Report, UNCHANGED, UPDATED};
use super::{Context, ImportError, fingerprint};
use crate::news::text::text_of_html;
use crate::news::{CommentStatus, Lang};
use crate::store::comments::{self, NewComment};
use crate::store::{Tx, imports, users};
use crate::wxr::{self, Item};

/// A comment's text from its HTML: paragraphs and line breaks kept as lines.
fn comment_text(html: &str) -> String {
    let with_breaks = html
        .replace("\r\n", "\n")
        .replace("<br />", "\n")
        .replace("<br/>", "\n")
        .replace("<br>", "\n")
        .replace("</p>", "\n\n");
    let lines: Vec<String> = with_breaks.split('\n').map(text_of_html).collect();
    let joined = lines.join("\n");
    let mut out = String::with_capacity(joined.len());
    for part in joined.split("\n\n\n") {
        out.push_str(part);
        out.push_str("\n\n");
    }
    out.trim().to_string()
}

pub(super) fn is_comment(comment: &wxr::Comment) -> bool {
    matches!(comment.kind.as_str(), "" | "comment")
}

/// Comments, parents before replies whatever the file's order, each once.
pub(super) async fn import_comments(
    tx: &mut Tx,
    ctx: &Context,
    item: &Item,
    article_id: i64,
    language: Lang,
    report: &mut Report,
) -> Result<(), ImportError> {
    let mut left: Vec<&wxr::Comment> = Vec::new();
    for comment in &item.comments {
        if is_comment(comment) {
            left.push(comment);
        } else {
            report.skip(format!("comment {} on post {}", comment.id, item.post_id), &format!("a {}", comment.kind));
        }
    }
    let mut local: HashMap<String, i64> = HashMap::new();
    while !left.is_empty() {
        let before = left.len();
        let mut next = Vec::new();
        for comment in left {
            let parent = comment.parent.trim();
            let has_parent = !parent.is_empty() && parent != "0";
            let parent_here = item.comments.iter().any(|c| c.id == parent && is_comment(c));
            if has_parent && parent_here && !local.contains_key(parent) {
                next.push(comment);
                continue;
            }
            let parent_id = if has_parent { local.get(parent).copied() } else { None };
            let id = import_comment(tx, ctx, comment, article_id, parent_id, language, report).await?;
            local.insert(comment.id.clone(), id);
        }
        if next.len() == before {
            // Parents that never come (a cycle): import the rest as top-level comments.
            for comment in next {
                let id = import_comment(tx, ctx, comment, article_id, None, language, report).await?;
                local.insert(comment.id.clone(), id);
            }
            break;
        }
        left = next;
    }
    Ok(())
}

async fn import_comment(
    tx: &mut Tx,
    ctx: &Context,
    comment: &wxr::Comment,
    article_id: i64,
    parent_id: Option<i64>,
    language: Lang,
    report: &mut Report,
) -> Result<i64, ImportError> {
    let (status, screening) = match comment.approved.as_str() {
        "1" | "approve" | "approved" => (CommentStatus::Approved, "{\"imported\":\"approved\"}"),
        "spam" => (CommentStatus::Spam, "{\"imported\":\"spam\"}"),
        "trash" | "post-trashed" => (CommentStatus::Refused, "{\"imported\":\"trash\"}"),
        _ => (CommentStatus::Pending, "{\"imported\":\"pending\"}"),
    };
    let body = comment_text(&comment.content);
    let fp = fingerprint(&[&comment.approved, &comment.content]);
    let source_id = format!("{}#{}", article_id, comment.id);
    let known = imports::lookup(tx, &ctx.source, "comment", &source_id).await?;
    let id = match known {
        Some((id, old)) if old == fp => {
            report.count("comment", UNCHANGED);
            return Ok(id);
        }
        Some((id, _)) => {
            imports::update_comment(tx, id, status, &body, screening).await?;
            report.count("comment", UPDATED);
            id
        }
        None => {
            let email = users::normalize_email(&comment.author_email);
            let website = comment.author_url.trim();
            let id = comments::insert(
                tx,
                &NewComment {
                    article_id,
                    parent_id,
                    author_name: if comment.author.trim().is_empty() {
                        "Anonyme".into()
                    } else {
                        text_of_html(&comment.author)
                    },
                    author_email: email.clone(),
                    author_website: if website.starts_with("http://") || website.starts_with("https://") {
                        website.to_string()
                    } else {
                        String::new()
                    },
                    body,
                    language: language.code().to_string(),
                    status,
                    refusal_reason: None,
                    screening: screening.to_string(),
                    ip_hash: String::new(),
                    created_at: wxr::parse_gmt(&comment.date_gmt).or_else(|| wxr::parse_local(&comment.date, ctx.tz)),
                },
            )
            .await?;
            report.count("comment", CREATED);
            // WMaker's "notify me of new comments": a subscription the reader has yet to
            // confirm (no mail is sent by the import).
            let notify = ["notify", "wmaker_notify", "subscribe"]
                .iter()
                .any(|k| comment.meta(k).is_some_and(|v| v.trim() == "1"));
            if notify
                && crate::news::looks_like_email(&email)
                && comments::subscribe(tx, article_id, &email).await?.is_some()
            {
                report.subscriptions += 1;
            }
            id
        }
    };
    imports::record(tx, &ctx.source, "comment", &source_id, id, &fp).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_text_keeps_paragraphs_and_drops_markup() {
        assert_eq!(comment_text("<p>Bravo &amp; merci</p>\n<p>Deux<br />lignes</p>"), "Bravo & merci\n\nDeux\nlignes");
    }
}
