//! Readers report a published comment ("Signaler") on a ground of the charter. The link under
//! each comment leads to a small page with the grounds (the article page stays light and the
//! same for everyone, so it stays cached); its button files the report. Each address reports a
//! comment once and a dozen times an hour at most; three reports from different addresses
//! take the comment off the page until a moderator decides, and every report shows in the
//! queue beside the comment it is about.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Touched};
use crate::error::{AppError, PageResult};
use crate::news::moderation::Category;
use crate::secrets::identity_hash;
use crate::store::comments::{self, Reported};
use crate::store::{articles, now_ms};
use crate::web::chrome::Chrome;
use crate::web::client::ClientInfo;
use crate::web::reader::like::same_origin;

/// Reports from different addresses that take a comment off its page until a moderator decides.
pub const HIDE_AFTER: i64 = 3;
/// Reports one address may file in an hour.
const PER_ADDRESS_PER_HOUR: i64 = 12;

/// The grounds a reader may give: the charter's, and "other".
fn reasons() -> Vec<&'static str> {
    Category::ALL.iter().map(|c| c.code()).chain(["other"]).collect()
}

#[derive(Serialize)]
struct ReportPage {
    #[serde(flatten)]
    chrome: Chrome,
    id: i64,
    author: String,
    body: String,
    comment_lang: String,
    reasons: Vec<&'static str>,
    chosen: String,
    error: Option<String>,
    back: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportInput {
    reason: String,
}

/// The published comment `id`, with the address of its article.
async fn published_comment(state: &AppState, id: i64) -> PageResult<(comments::PublicComment, articles::Article)> {
    let (comment, article_id) = comments::published_by_id(state.db(), id).await?.ok_or(AppError::NotFound)?;
    let article = articles::published_by_id(state.db(), article_id).await?.ok_or(AppError::NotFound)?;
    Ok((comment, article))
}

async fn page(
    state: &AppState,
    id: i64,
    chosen: &str,
    error: Option<String>,
    status: StatusCode,
) -> PageResult<Response> {
    let (comment, article) = published_comment(state, id).await?;
    let lang = article.card.language;
    let (chrome, _) = Chrome::for_page(state, lang, "/").await?;
    let page = ReportPage {
        chrome,
        id,
        author: comment.author_name,
        body: comment.body,
        comment_lang: comment.language,
        reasons: reasons(),
        chosen: chosen.to_string(),
        error,
        back: format!("/{}/{}#comment-{id}", article.card.section_slug, article.card.slug),
    };
    let html = state.templates().render("pages/report.html", &page)?;
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::HeaderName::from_static("x-robots-tag"), HeaderValue::from_static("noindex"));
    Ok(response)
}

pub async fn show_report(State(state): State<AppState>, Path(id): Path<i64>) -> PageResult<Response> {
    page(&state, id, "", None, StatusCode::OK).await
}

pub async fn report_comment(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Form(input): Form<ReportInput>,
) -> PageResult<Response> {
    if !same_origin(&headers, &state) {
        return Err(AppError::Forbidden.into());
    }
    let (_, article) = published_comment(&state, id).await?;
    let lang = article.card.language;
    let Some(reason) = reasons().into_iter().find(|r| *r == input.reason) else {
        let error = state.catalog().text(lang, "comments.report_legend", &[]);
        return page(&state, id, "", Some(error), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let now = now_ms();
    let ip_hash = identity_hash(state.secret(), "address", &client.addr);
    if comments::reports_by_address_since(state.db(), &ip_hash, now - 3_600_000).await? >= PER_ADDRESS_PER_HOUR {
        return Err(AppError::TooManyRequests.into());
    }
    let mut tx = state.db().begin().await?;
    let hidden = match comments::report(&mut tx, id, reason, &ip_hash, now).await? {
        Reported::NotPublished => return Err(AppError::NotFound.into()),
        Reported::Counted(n) if n >= HIDE_AFTER => comments::hide_reported(&mut tx, id, now).await?,
        Reported::Counted(_) | Reported::Already => None,
    };
    tx.commit().await?;
    if let Some(article_id) = hidden {
        state.refresh(Touched::ArticlePages(vec![article_id])).await?;
    }
    let to = format!("/{}/{}?signalement=merci#comments", article.card.section_slug, article.card.slug);
    Ok(Redirect::to(&crate::urls::header_safe(&to)).into_response())
}
