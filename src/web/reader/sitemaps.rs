//! `robots.txt`, the sitemap index, article sitemaps in chunks of at most 50,000 addresses,
//! a sitemap of the listing pages, and a Google News sitemap of the last 48 hours.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::store::{articles, now_ms, sections};
use crate::web::lang::prefix_for;

/// Addresses per article sitemap (the protocol allows 50,000).
pub const CHUNK: i64 = 50_000;

pub async fn show_robots(State(state): State<AppState>) -> Response {
    let base = state.config().base_url();
    let body =
        format!("User-agent: *\nDisallow: /api/\nDisallow: /redaction/\nAllow: /\n\nSitemap: {base}/sitemap.xml\n");
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

#[derive(Serialize)]
struct UrlEntry {
    loc: String,
    lastmod: String,
}

#[derive(Serialize)]
struct NewsEntry {
    loc: String,
    language: &'static str,
    title: String,
    published: String,
}

#[derive(Serialize)]
struct SitemapPage {
    publication: String,
    sitemaps: Vec<UrlEntry>,
    urls: Vec<UrlEntry>,
    news: Vec<NewsEntry>,
}

fn xml(state: &AppState, template: &str, page: &SitemapPage) -> PageResult<Response> {
    let body = state.templates().render(template, page)?;
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    let tags = crate::news::Lang::ALL.iter().map(|l| format!("listings:{}", l.code())).chain(["site".to_string()]);
    Ok(crate::cache::mark(response, crate::cache::Cacheable::new(300, tags)))
}

fn w3c(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

pub async fn show_sitemap_index(State(state): State<AppState>) -> PageResult<Response> {
    let base = state.config().base_url();
    let chunks = (articles::max_id(state.db()).await? + CHUNK - 1) / CHUNK;
    let now = w3c(now_ms());
    let mut sitemaps = vec![
        UrlEntry { loc: format!("{base}/sitemaps/pages.xml"), lastmod: now.clone() },
        UrlEntry { loc: format!("{base}/sitemaps/news.xml"), lastmod: now.clone() },
    ];
    for n in 1..=chunks.max(1) {
        sitemaps.push(UrlEntry { loc: format!("{base}/sitemaps/articles-{n}.xml"), lastmod: now.clone() });
    }
    let page = SitemapPage { publication: String::new(), sitemaps, urls: Vec::new(), news: Vec::new() };
    xml(&state, "feeds/sitemap_index.xml", &page)
}

pub async fn show_sitemap(State(state): State<AppState>, Path(name): Path<String>) -> PageResult<Response> {
    let base = state.config().base_url();
    let site = state.site();
    let mut page =
        SitemapPage { publication: site.name.clone(), sitemaps: Vec::new(), urls: Vec::new(), news: Vec::new() };
    match name.as_str() {
        "pages.xml" => {
            let all = sections::all(state.db()).await?;
            let now = w3c(now_ms());
            for lang in &site.enabled_languages {
                let prefix = prefix_for(*lang, site.default_language);
                page.urls.push(UrlEntry { loc: format!("{base}{prefix}/"), lastmod: now.clone() });
                for section in &all {
                    page.urls.push(UrlEntry { loc: format!("{base}{prefix}/{}", section.slug), lastmod: now.clone() });
                }
            }
            xml(&state, "feeds/sitemap.xml", &page)
        }
        "news.xml" => {
            let recent = articles::published_since(state.db(), now_ms() - 48 * 3_600_000, 1000).await?;
            let tz = site.tz();
            page.news = recent
                .into_iter()
                .map(|card| NewsEntry {
                    loc: format!("{base}/{}/{}", card.section_slug, card.slug),
                    language: card.language.code(),
                    published: DateTime::<Utc>::from_timestamp_millis(card.publish_at.unwrap_or(0))
                        .map(|t| {
                            tz.from_utc_datetime(&t.naive_utc()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
                        })
                        .unwrap_or_default(),
                    title: card.title,
                })
                .collect();
            xml(&state, "feeds/sitemap_news.xml", &page)
        }
        other => {
            let n: i64 = other
                .strip_prefix("articles-")
                .and_then(|rest| rest.strip_suffix(".xml"))
                .and_then(|n| n.parse().ok())
                .filter(|n| *n >= 1)
                .ok_or(AppError::NotFound)?;
            let entries = articles::sitemap_entries(state.db(), (n - 1) * CHUNK, n * CHUNK).await?;
            if entries.is_empty() && n > 1 {
                return Err(AppError::NotFound.into());
            }
            page.urls = entries
                .into_iter()
                .map(|(section, slug, changed)| UrlEntry {
                    loc: format!("{base}/{section}/{slug}"),
                    lastmod: w3c(changed),
                })
                .collect();
            xml(&state, "feeds/sitemap.xml", &page)
        }
    }
}
