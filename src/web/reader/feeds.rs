//! RSS 2.0 and Atom feeds of the site, a section, a tag or an author, in the page's language,
//! with GUIDs that never change for an article.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::store::articles::{self, ArticleCard, Scope};
use crate::store::{sections, tags, users};
use crate::web::lang::PageLang;

const ITEMS: i64 = 30;

#[derive(Serialize)]
struct FeedItem {
    title: String,
    url: String,
    guid: String,
    summary: String,
    section: String,
    rfc2822: String,
    rfc3339: String,
    authors: Vec<String>,
    /// The article's picture, for readers that show one: the original, its type and size.
    image: Option<FeedImage>,
}

#[derive(Serialize)]
struct FeedImage {
    url: String,
    mime: &'static str,
    width: i64,
    height: i64,
    alt: String,
}

#[derive(Serialize)]
struct Feed {
    lang: &'static str,
    title: String,
    description: String,
    /// The page this feed follows.
    link: String,
    /// The feed's own address.
    self_url: String,
    id: String,
    updated_rfc3339: String,
    updated_rfc2822: String,
    items: Vec<FeedItem>,
}

/// The site's feed: `/feeds/rss.xml` or `/feeds/atom.xml`.
pub async fn show_site_feed(
    State(state): State<AppState>,
    page_lang: PageLang,
    Path(format): Path<String>,
) -> PageResult<Response> {
    let site = state.site();
    let title = site.name_in(page_lang.lang).to_string();
    let description = site.localized(&site.tagline, page_lang.lang).to_string();
    render_feed(&state, page_lang, &format, Scope::All, title, description, "/".into(), "/feeds".into()).await
}

/// A section's, tag's or author's feed: `/feeds/{kind}/{slug}/{format}`.
pub async fn show_feed(
    State(state): State<AppState>,
    page_lang: PageLang,
    Path((kind, slug, format)): Path<(String, String, String)>,
) -> PageResult<Response> {
    let db = state.db();
    let lang = page_lang.lang;
    let site_name = state.site().name_in(lang).to_string();
    let (scope, title, link) = match kind.as_str() {
        "rubrique" => {
            let section = sections::by_slug(db, &slug).await?.ok_or(AppError::NotFound)?;
            (Scope::Section(section.id), format!("{} · {site_name}", section.name(lang)), format!("/{slug}"))
        }
        "tag" => {
            let tag = tags::by_slug(db, &slug).await?.ok_or(AppError::NotFound)?;
            (Scope::Tag(tag.id), format!("{} · {site_name}", tag.name), format!("/tag/{slug}"))
        }
        "auteur" => {
            let author = users::by_slug(db, &slug).await?.ok_or(AppError::NotFound)?;
            (Scope::Author(author.id), format!("{} · {site_name}", author.name_in(lang)), format!("/auteur/{slug}"))
        }
        _ => return Err(AppError::NotFound.into()),
    };
    render_feed(&state, page_lang, &format, scope, title.clone(), title, link, format!("/feeds/{kind}/{slug}")).await
}

#[allow(clippy::too_many_arguments)]
async fn render_feed(
    state: &AppState,
    page_lang: PageLang,
    format: &str,
    scope: Scope,
    title: String,
    description: String,
    link: String,
    feed_base: String,
) -> PageResult<Response> {
    let (template, content_type) = match format {
        "rss.xml" => ("feeds/rss.xml", "application/rss+xml; charset=utf-8"),
        "atom.xml" => ("feeds/atom.xml", "application/atom+xml; charset=utf-8"),
        _ => return Err(AppError::NotFound.into()),
    };
    let db = state.db();
    let cards = articles::listing(db, page_lang.lang, scope, ITEMS, 0).await?;
    let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
    let mut authors = articles::authors_of(db, &ids).await?;
    let base = state.config().base_url();
    let tz = state.site().tz();
    let updated = cards.iter().filter_map(|c| c.content_updated_at.or(c.publish_at)).max().unwrap_or(0);
    let items = cards
        .into_iter()
        .map(|card| {
            item(&base, &card, authors.remove(&card.id).unwrap_or_default().into_iter().map(|a| a.name).collect(), tz)
        })
        .collect();
    let prefix = page_lang.prefix;
    let feed = Feed {
        lang: page_lang.lang.code(),
        title,
        description,
        link: format!("{base}{prefix}{}", if link == "/" && !prefix.is_empty() { "" } else { &link }),
        self_url: format!("{base}{prefix}{feed_base}/{format}"),
        id: format!("{base}{prefix}{feed_base}"),
        updated_rfc3339: rfc3339(updated, tz),
        updated_rfc2822: rfc2822(updated, tz),
        items,
    };
    let body = state.templates().render(template, &feed)?;
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(crate::cache::mark(response, crate::cache::Cacheable::new(300, crate::cache::listing_tags(page_lang.lang))))
}

fn item(base: &str, card: &ArticleCard, authors: Vec<String>, tz: chrono_tz::Tz) -> FeedItem {
    let published = card.publish_at.unwrap_or(0);
    FeedItem {
        title: card.title.clone(),
        url: format!("{base}/{}/{}", card.section_slug, card.slug),
        guid: guid(base, card.id),
        summary: card.lead.clone(),
        section: card.section_names.get(&card.language).cloned().unwrap_or_else(|| card.section_slug.clone()),
        rfc2822: rfc2822(published, tz),
        rfc3339: rfc3339(card.content_updated_at.unwrap_or(published), tz),
        authors,
        image: card.image_key.as_ref().map(|key| FeedImage {
            url: format!("{base}/media/{key}"),
            mime: crate::media::mime_of(key),
            width: card.image_width,
            height: card.image_height,
            alt: card.image_alt.clone(),
        }),
    }
}

/// A tag URI (RFC 4151) that stays the article's identity whatever its slug or section.
pub fn guid(base: &str, article_id: i64) -> String {
    let host = base.split("://").nth(1).unwrap_or(base).split('/').next().unwrap_or("localhost");
    let host = host.split(':').next().unwrap_or(host);
    format!("tag:{host},2026:article-{article_id}")
}

fn local(ms: i64, tz: chrono_tz::Tz) -> Option<DateTime<chrono_tz::Tz>> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|utc| tz.from_utc_datetime(&utc.naive_utc()))
}

fn rfc2822(ms: i64, tz: chrono_tz::Tz) -> String {
    local(ms, tz).map(|t| t.to_rfc2822()).unwrap_or_default()
}

fn rfc3339(ms: i64, tz: chrono_tz::Tz) -> String {
    local(ms, tz).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)).unwrap_or_default()
}
