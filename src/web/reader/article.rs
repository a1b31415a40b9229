//! The article page: everything the reference page shows, and better: bylines, dates in the
//! page's language, corrections, the read counter, likes, plain share links, tags, the same
//! section, other articles, translations, the ad slots, comments and machine-readable data.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::news::Lang;
use crate::render::dates::{iso_date, local_day};
use crate::store::articles::{self, Article, ArticleCard, Byline, Correction, TagRef};
use crate::store::comments::{self, PublicComment};
use crate::store::now_ms;
use crate::web::chrome::Chrome;
use crate::web::lang::prefix_for;
use crate::web::reader::comment_form::CommentForm;
use crate::web::reader::like::like_token;
use crate::web::reader::structured_data;

#[derive(Serialize)]
struct TranslationLink {
    lang: &'static str,
    name: &'static str,
    dir: &'static str,
    href: String,
    title: String,
}

#[derive(Serialize)]
struct ShareLink {
    network: &'static str,
    href: String,
}

/// A comment with its replies (two levels).
#[derive(Serialize)]
pub struct CommentThread {
    pub comment: PublicComment,
    pub replies: Vec<PublicComment>,
}

#[derive(Serialize)]
struct ArticlePage {
    #[serde(flatten)]
    chrome: Chrome,
    article: Article,
    url: String,
    section_name: String,
    authors: Vec<Byline>,
    tags: Vec<TagRef>,
    corrections: Vec<Correction>,
    translations: Vec<TranslationLink>,
    same_section: Vec<ArticleCard>,
    others: Vec<ArticleCard>,
    threads: Vec<CommentThread>,
    comment_count: usize,
    comments_open: bool,
    policy: String,
    reads: i64,
    likes: i64,
    like_token: String,
    share: Vec<ShareLink>,
    json_ld: String,
    comment_form: CommentForm,
}

#[derive(serde::Deserialize, Default)]
pub struct ArticleQuery {
    /// After posting a comment: "attente" (waiting for moderation) or "publie" (approved).
    #[serde(default)]
    commentaire: String,
    /// The comment a reader replies to (the "Reply" link).
    #[serde(default)]
    reponse: String,
    /// After reporting a comment: "merci".
    #[serde(default)]
    signalement: String,
}

pub async fn show_article(
    State(state): State<AppState>,
    Path((section, slug)): Path<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<ArticleQuery>,
) -> PageResult<Response> {
    let Some(article) = articles::published_by_slug(state.db(), &slug).await? else {
        return Err(AppError::NotFound.into());
    };
    if article.card.section_slug != section {
        // The article moved to another section: its old address keeps working.
        let to = format!("/{}/{}", article.card.section_slug, article.card.slug);
        return Ok(crate::web::layers::moved_permanently(&to));
    }
    let lang = article.card.language;
    let mut form = CommentForm::fresh(&state, article.card.id);
    if query.reponse.parse::<i64>().is_ok() {
        form.input.parent_id = query.reponse.clone();
    }
    form.notice = match query.commentaire.as_str() {
        _ if query.signalement == "merci" => Some(state.catalog().text(lang, "comments.reported_thanks", &[])),
        "attente" => Some(state.catalog().text(lang, "comments.posted_pending", &[])),
        "publie" => Some(state.catalog().text(lang, "comments.posted_approved", &[])),
        "indesirable" => Some(state.catalog().text(lang, "comments.posted_pending", &[])),
        _ => None,
    };
    let id = article.card.id;
    let response = render_article(&state, article, form, StatusCode::OK).await?;
    // The page cache layer counts the read (from the cache or not) and keeps the page; its
    // tags: this article, and the lists of its language that its blocks show.
    let mut meta = crate::cache::Cacheable::new(
        300,
        [format!("article:{id}"), format!("listings:{}", lang.code()), "site".to_string()],
    );
    meta.article_id = Some(id);
    Ok(crate::cache::mark(response, meta))
}

/// Renders an article's page with the comment form in a given state.
pub async fn render_article(
    state: &AppState,
    article: Article,
    comment_form: CommentForm,
    status: StatusCode,
) -> PageResult<Response> {
    let db = state.db();
    let id = article.card.id;
    let lang = article.card.language;
    let path = format!("/{}/{}", article.card.section_slug, article.card.slug);
    let group = article.translation_group.unwrap_or(id);
    let parts = state.page_parts().await?;
    let family = parts.family(article.card.section_id);
    let (extras, (same, others), comments) = tokio::try_join!(
        articles::page_extras(db, id, group, lang),
        articles::side_lists(db, lang, &family, 6),
        comments::approved_for_article(db, id),
    )?;
    let mut chrome = Chrome::with_parts(state, lang, &path, &parts);
    // An article's page is in the article's language; its prefix only shapes listing links.
    chrome.path = path.clone();
    let site = state.site();
    // The switcher leads to this story's translations, else to the other editions' fronts.
    for link in &mut chrome.languages {
        let other = Lang::parse(link.code).unwrap_or(site.default_language);
        let prefix = prefix_for(other, site.default_language);
        link.href = if other == lang {
            path.clone()
        } else if prefix.is_empty() {
            "/".into()
        } else {
            prefix.into()
        };
    }
    let translations: Vec<TranslationLink> = extras
        .translations
        .into_iter()
        .map(|t| TranslationLink {
            lang: t.language.code(),
            name: t.language.native_name(),
            dir: t.language.dir(),
            href: format!("/{}/{}", t.section_slug, t.slug),
            title: t.title,
        })
        .collect();
    for t in &translations {
        if let Some(l) = Lang::parse(t.lang) {
            chrome.set_language_link(l, t.href.clone());
        }
    }
    let url = format!("{}{path}", chrome.base_url);
    let (unflushed_reads, unflushed_likes) = state.counters().unflushed(id);
    let comments_open = crate::news::comments_open(
        &article.comments_mode,
        article.card.publish_at,
        now_ms(),
        site.comments_auto_close_days,
    );
    let page = ArticlePage {
        section_name: article
            .card
            .section_names
            .get(&lang)
            .cloned()
            .unwrap_or_else(|| article.card.section_slug.clone()),
        authors: extras.authors,
        tags: extras.tags,
        corrections: extras.corrections,
        translations,
        same_section: same.into_iter().filter(|c| c.id != id).take(5).collect(),
        others: others.into_iter().filter(|c| c.id != id).take(5).collect(),
        comment_count: comments.iter().filter(|c| !c.deleted).count(),
        threads: threads(comments),
        comments_open,
        policy: site.localized(&site.comment_policy, lang).to_string(),
        reads: article.reads + unflushed_reads,
        likes: article.likes + unflushed_likes,
        like_token: like_token(state.secret(), id, local_day(now_ms(), site.tz())),
        share: share_links(&path, &url, &article.card.title),
        json_ld: String::new(),
        comment_form,
        url,
        chrome,
        article,
    };
    let publisher = structured_data::publisher(state, &page.chrome);
    let page = ArticlePage { json_ld: json_ld(&page, publisher, site.tz()), ..page };
    let html = state.templates().render("pages/article.html", &page)?;
    Ok((status, Html(html)).into_response())
}

/// Groups approved comments into threads two levels deep: a reply to a reply joins the
/// thread of its top-level comment.
pub fn threads(comments: Vec<PublicComment>) -> Vec<CommentThread> {
    let top_of = |mut id: i64| {
        for _ in 0..8 {
            match comments.iter().find(|c| c.id == id).and_then(|c| c.parent_id) {
                Some(parent) => id = parent,
                None => break,
            }
        }
        id
    };
    let mut out: Vec<CommentThread> = Vec::new();
    let tops: Vec<i64> = comments.iter().map(|c| c.parent_id.map(top_of).unwrap_or(c.id)).collect();
    for (comment, top) in comments.iter().zip(tops) {
        if comment.parent_id.is_none() || !comments.iter().any(|c| c.id == top) {
            out.push(CommentThread { comment: comment.clone(), replies: Vec::new() });
        } else if let Some(thread) = out.iter_mut().find(|t| t.comment.id == top) {
            thread.replies.push(comment.clone());
        }
    }
    // Erased comments disappear, except as a stub where replies hang on them.
    for thread in &mut out {
        thread.replies.retain(|c| !c.deleted);
    }
    out.retain(|t| !t.comment.deleted || !t.replies.is_empty());
    out
}

/// The networks an article can be shared on: the name shown, the address's last part, and
/// where sharing starts there given the article's percent-encoded address and title.
type ShareStart = fn(&str, &str) -> String;
const SHARE_NETWORKS: [(&str, &str, ShareStart); 5] = [
    ("WhatsApp", "whatsapp", |u, t| format!("https://wa.me/?text={t}%20{u}")),
    ("Facebook", "facebook", |u, _| format!("https://www.facebook.com/sharer/sharer.php?u={u}")),
    ("X", "x", |u, t| format!("https://x.com/intent/post?url={u}&text={t}")),
    ("Telegram", "telegram", |u, t| format!("https://t.me/share/url?url={u}&text={t}")),
    ("LinkedIn", "linkedin", |u, _| format!("https://www.linkedin.com/sharing/share-offsite/?url={u}")),
];

/// Plain links: no third-party script, no request to another host while reading. Each leads
/// to `…/partager/NETWORK` on the site, which sends the reader on to the network with the
/// article's address and title: six full share addresses, percent-encoded twice over, were
/// 290 compressed bytes of every article page (a tenth of a second visit's page). E-mail stays
/// a `mailto:` link, which a redirect cannot open everywhere.
fn share_links(path: &str, url: &str, title: &str) -> Vec<ShareLink> {
    let mut links: Vec<ShareLink> = SHARE_NETWORKS
        .iter()
        .map(|(network, key, _)| ShareLink { network, href: format!("{path}/partager/{key}") })
        .collect();
    let (u, t) = (crate::urls::urlencode(url), crate::urls::urlencode(title));
    links.push(ShareLink { network: "E-mail", href: format!("mailto:?subject={t}&body={u}") });
    links
}

/// Where sharing the article at `url` titled `title` on `network` starts.
fn share_address(network: &str, url: &str, title: &str) -> Option<String> {
    let (_, _, start) = SHARE_NETWORKS.iter().find(|(_, key, _)| *key == network)?;
    Some(start(&crate::urls::urlencode(url), &crate::urls::urlencode(title)))
}

/// `/{section}/{slug}/partager/{network}`: on to the network's share page (a published
/// article and a known network only; the destination is built here, never taken from the
/// request, so this is no open redirect).
pub async fn share(
    State(state): State<AppState>,
    Path((section, slug, network)): Path<(String, String, String)>,
) -> PageResult<Response> {
    let article = articles::published_by_slug(state.db(), &slug).await?.ok_or(AppError::NotFound)?;
    if article.card.section_slug != section {
        return Err(AppError::NotFound.into());
    }
    let url = format!("{}/{}/{}", state.config().base_url(), article.card.section_slug, article.card.slug);
    let to = share_address(&network, &url, &article.card.title).ok_or(AppError::NotFound)?;
    Ok(axum::response::Redirect::to(&to).into_response())
}

/// `NewsArticle` (published by the paper as a `NewsMediaOrganization`) and `BreadcrumbList`.
fn json_ld(page: &ArticlePage, publisher: serde_json::Value, tz: chrono_tz::Tz) -> String {
    let base = &page.chrome.base_url;
    let article = &page.article;
    // The 16:9, 4:3 and 1:1 crops around the picture's focus, as search engines ask; the
    // original until the variants job has made them.
    let images: Vec<String> = if article.card.image_crops.is_empty() {
        article.card.image_key.iter().map(|k| format!("{base}/media/{k}")).collect()
    } else {
        article.card.image_crops.iter().map(|k| format!("{base}/media/{k}")).collect()
    };
    let authors: Vec<serde_json::Value> = page
        .authors
        .iter()
        .map(|a| serde_json::json!({"@type": "Person", "name": a.name, "url": format!("{base}/auteur/{}", a.slug)}))
        .collect();
    let modified = article.card.content_updated_at.or(article.card.publish_at);
    let data = serde_json::json!([
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.card.title,
            "description": article.card.lead,
            "inLanguage": article.card.language.code(),
            "datePublished": article.card.publish_at.map(|ms| iso_date(ms, tz)),
            "dateModified": modified.map(|ms| iso_date(ms, tz)),
            "author": authors,
            "publisher": publisher,
            "image": images,
            "mainEntityOfPage": page.url,
            "articleSection": page.section_name,
            "keywords": page.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        },
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": page.chrome.site_name, "item": format!("{base}/")},
                {"@type": "ListItem", "position": 2, "name": page.section_name, "item": format!("{base}/{}", article.card.section_slug)},
                {"@type": "ListItem", "position": 3, "name": article.card.title, "item": page.url},
            ]
        }
    ]);
    structured_data::script_json(&data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, parent: Option<i64>) -> PublicComment {
        PublicComment {
            id,
            parent_id: parent,
            author_name: format!("c{id}"),
            author_website: String::new(),
            body: String::new(),
            language: "fr".into(),
            deleted: false,
            created_at: id,
        }
    }

    #[test]
    fn replies_of_replies_join_the_top_thread() {
        let threads = threads(vec![comment(1, None), comment(2, Some(1)), comment(3, Some(2)), comment(4, None)]);
        assert_eq!(threads.len(), 2);
        assert_eq!(threads[0].replies.iter().map(|c| c.id).collect::<Vec<_>>(), vec![2, 3]);
    }
}
