//! Lists of articles other than sections: a tag's, an author's, and a day's issue
//! (`/archives/2020/12/27`).

use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};

use crate::cache::{self, Cacheable};
use chrono::{Days, NaiveDate, TimeZone};
use serde::Serialize;

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::store::articles::{self, ArticleCard, Scope};
use crate::store::{tags, users};
use crate::web::chrome::Chrome;
use crate::web::lang::PageLang;
use crate::web::pager::{PER_PAGE, Pager, page_number};
use crate::web::reader::section::PageQuery;
use crate::web::reader::structured_data;

/// What kind of list a page shows, for its heading and feeds.
#[derive(Serialize)]
struct ListingPage {
    #[serde(flatten)]
    chrome: Chrome,
    kind: &'static str,
    title: String,
    /// Author's bio, or nothing.
    description: String,
    /// The author's portrait, when set.
    photo: Option<crate::media::portraits::Portrait>,
    /// The feed of this list, if it has one.
    feed: Option<String>,
    /// A day's issue: the dates of the previous and next days.
    prev_day: Option<String>,
    next_day: Option<String>,
    /// Milliseconds of the day shown (archives), for the heading's date.
    day_ms: Option<i64>,
    cards: Vec<ArticleCard>,
    pager: Pager,
    total: i64,
    json_ld: String,
}

async fn render_listing(
    state: &AppState,
    page_lang: PageLang,
    path: String,
    scope: Scope,
    page: i64,
    fill: impl FnOnce(&mut ListingPage),
) -> PageResult<Response> {
    let lang = page_lang.lang;
    let ((chrome, _), total) =
        tokio::try_join!(Chrome::for_page(state, lang, &path), articles::count_listing(state.db(), lang, scope))?;
    let pager = Pager::new(&format!("{}{path}", page_lang.prefix), "", page, total, PER_PAGE);
    if page > pager.pages {
        return Err(AppError::NotFound.into());
    }
    let cards = articles::listing(state.db(), lang, scope, PER_PAGE, pager.offset(PER_PAGE)).await?;
    let mut listing = ListingPage {
        chrome,
        kind: "",
        title: String::new(),
        description: String::new(),
        photo: None,
        feed: None,
        prev_day: None,
        next_day: None,
        day_ms: None,
        cards,
        pager,
        total,
        json_ld: String::new(),
    };
    fill(&mut listing);
    listing.json_ld = match listing.kind {
        "author" => structured_data::author(state, &listing.chrome, &listing.title, &listing.description),
        _ => structured_data::collection(state, &listing.chrome, &listing.title, &listing.description),
    };
    let html = Html(state.templates().render("pages/listing.html", &listing)?);
    Ok(cache::mark(html, Cacheable::new(300, cache::listing_tags(page_lang.lang))))
}

pub async fn show_tag(
    State(state): State<AppState>,
    page_lang: PageLang,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> PageResult<Response> {
    let tag = tags::by_slug(state.db(), &slug).await?.ok_or(AppError::NotFound)?;
    let feed = format!("{}/feeds/tag/{}/rss.xml", page_lang.prefix, tag.slug);
    render_listing(&state, page_lang, format!("/tag/{slug}"), Scope::Tag(tag.id), page_number(query.page()), |p| {
        p.kind = "tag";
        p.title = tag.name;
        p.feed = Some(feed);
    })
    .await
}

pub async fn show_author(
    State(state): State<AppState>,
    page_lang: PageLang,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> PageResult<Response> {
    let author = users::by_slug(state.db(), &slug).await?.ok_or(AppError::NotFound)?;
    let (lang, default_language) = (page_lang.lang, state.site().default_language);
    let feed = format!("{}/feeds/auteur/{}/rss.xml", page_lang.prefix, author.slug);
    render_listing(
        &state,
        page_lang,
        format!("/auteur/{slug}"),
        Scope::Author(author.id),
        page_number(query.page()),
        |p| {
            p.kind = "author";
            p.title = author.name_in(lang).to_string();
            p.description = author.bio_in(lang, default_language).to_string();
            p.photo = author.photo.clone();
            p.feed = Some(feed);
        },
    )
    .await
}

pub async fn show_day(
    State(state): State<AppState>,
    page_lang: PageLang,
    Path((year, month, day)): Path<(String, String, String)>,
    Query(query): Query<PageQuery>,
) -> PageResult<Response> {
    let parse = |s: &str| s.parse::<u32>().ok();
    let date = match (year.parse::<i32>().ok(), parse(&month), parse(&day)) {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d),
        _ => None,
    }
    .ok_or(AppError::NotFound)?;
    let tz = state.site().tz();
    let start_of = |date: NaiveDate| {
        date.and_hms_opt(0, 0, 0)
            .and_then(|midnight| tz.from_local_datetime(&midnight).earliest())
            .map(|t| t.timestamp_millis())
    };
    let next = date.checked_add_days(Days::new(1)).ok_or(AppError::NotFound)?;
    let prev = date.checked_sub_days(Days::new(1)).ok_or(AppError::NotFound)?;
    let (from, to) = (start_of(date).ok_or(AppError::NotFound)?, start_of(next).ok_or(AppError::NotFound)?);
    let link = |d: NaiveDate| format!("{}/archives/{}", page_lang.prefix, d.format("%Y/%m/%d"));
    let path = format!("/archives/{}", date.format("%Y/%m/%d"));
    render_listing(&state, page_lang, path, Scope::Between(from, to), page_number(query.page()), |p| {
        p.kind = "day";
        p.day_ms = Some(from);
        p.prev_day = Some(link(prev));
        p.next_day = Some(link(next));
    })
    .await
}
