//! Likes ("recommander"): a plain form, no cookie, one like per reader per article per day.
//!
//! The reader is recognised for one day by a hash of (day, address, user agent, article)
//! keyed with the instance secret: the address is never stored and the hash means nothing
//! the next day. The form carries a token derived from the article and the day, and the
//! request must come from our own pages (`Origin` / `Sec-Fetch-Site`): a like cannot be
//! forged from another site.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::render::dates::local_day;
use crate::secrets::{constant_time_eq, keyed_hash};
use crate::store::{articles, now_ms};
use crate::web::client::ClientInfo;

/// The token a like form carries for an article on a day.
pub fn like_token(secret: &[u8], article_id: i64, day: i64) -> String {
    keyed_hash(secret, format!("like-form:{article_id}:{day}").as_bytes())[..32].to_string()
}

#[derive(Deserialize)]
pub struct LikeInput {
    #[serde(default)]
    token: String,
}

pub async fn like_article(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    Path((section, slug)): Path<(String, String)>,
    Form(input): Form<LikeInput>,
) -> PageResult<Response> {
    if !same_origin(&headers, &state) {
        return Err(AppError::Forbidden.into());
    }
    let article = articles::published_by_slug(state.db(), &slug).await?.ok_or(AppError::NotFound)?;
    let back = format!("/{}/{}#like", article.card.section_slug, article.card.slug);
    if article.card.section_slug != section {
        return Err(AppError::NotFound.into());
    }
    let today = local_day(now_ms(), state.site().tz());
    // Yesterday's token stays valid so a page opened before midnight still works.
    let valid = [today, today - 1]
        .iter()
        .any(|day| constant_time_eq(&input.token, &like_token(state.secret(), article.card.id, *day)));
    if !valid {
        return Err(AppError::BadRequest("the form has expired; reload the page".into()).into());
    }
    if !client.is_bot() {
        let address = keyed_hash(state.secret(), format!("like-limit:{}", client.addr).as_bytes());
        if !state.counters().allow_like(&address, now_ms()) {
            return Err(AppError::TooManyRequests.into());
        }
        let mark = keyed_hash(
            state.secret(),
            format!("like:{today}:{}:{}:{}", client.addr, client.user_agent, article.card.id).as_bytes(),
        );
        if state.counters().add_like(article.card.id, today, mark) {
            // The reader is sent back to the page: its next render shows the like, rather than
            // the cached copy until the next flush. Stale, not dropped: other readers keep
            // getting the page while one request renders it.
            state.cache().mark_stale(&[format!("article:{}", article.card.id)]);
        }
    }
    Ok(Redirect::to(&back).into_response())
}

/// True when the request comes from one of our pages (or from a client that says nothing,
/// like a test or a browser without these headers, in which case the token alone decides).
pub fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None | Some("null") => headers.get(header::ORIGIN).is_none(),
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            let base = state.config().base_url();
            origin == base || origin.split("://").nth(1) == Some(host)
        }
    }
}
