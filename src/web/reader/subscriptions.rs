//! Readers' rights over what they wrote, reached from links in mails: confirming a "notify
//! me" subscription, one-click unsubscribe (RFC 8058), erasing every comment of an address.
//! Each link shows a page with one button and the button acts: mail scanners follow links,
//! they do not press buttons.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::jobs::{self, Job};
use crate::news::Lang;
use crate::notify;
use crate::secrets::constant_time_eq;
use crate::store::{articles, comments, now_ms};
use crate::web::chrome::Chrome;
use crate::web::reader::like::same_origin;

/// A small page with one button: links in mails only show it, the button acts (mail scanners
/// follow links, they do not press buttons).
#[derive(Serialize)]
struct ActionPage {
    #[serde(flatten)]
    chrome: Chrome,
    title: String,
    text: String,
    action: Option<String>,
    button: String,
    done: bool,
}

async fn action_page(
    state: &AppState,
    lang: Lang,
    key: &str,
    action: Option<String>,
    done: bool,
) -> PageResult<Response> {
    let (chrome, _) = Chrome::for_page(state, lang, "/").await?;
    let t = |k: &str| state.catalog().text(lang, &format!("{key}.{k}"), &[]);
    let page = ActionPage {
        chrome,
        title: t("title"),
        text: if done { t("done") } else { t("text") },
        action,
        button: t("button"),
        done,
    };
    let html = state.templates().render("pages/action.html", &page)?;
    Ok((
        [
            (axum::http::header::CACHE_CONTROL, "no-store"),
            (axum::http::header::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        Html(html),
    )
        .into_response())
}

async fn subscription_lang(state: &AppState, token: &str) -> PageResult<(comments::Subscription, Lang)> {
    let subscription = comments::subscription_by_token(state.db(), token).await?.ok_or(AppError::NotFound)?;
    let lang = articles::by_id(state.db(), subscription.article_id)
        .await?
        .map(|a| a.card.language)
        .unwrap_or(state.site().default_language);
    Ok((subscription, lang))
}

pub async fn show_confirm(State(state): State<AppState>, Path(token): Path<String>) -> PageResult<Response> {
    let (subscription, lang) = subscription_lang(&state, &token).await?;
    if subscription.confirm_token != token {
        return Err(AppError::NotFound.into());
    }
    action_page(
        &state,
        lang,
        "mail.confirm_page",
        Some(format!("/commentaires/confirmer/{token}")),
        subscription.confirmed,
    )
    .await
}

pub async fn confirm(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> PageResult<Response> {
    if !same_origin(&headers, &state) {
        return Err(AppError::Forbidden.into());
    }
    let (_, lang) = subscription_lang(&state, &token).await?;
    let mut tx = state.db().begin().await?;
    comments::confirm_subscription(&mut tx, &token).await?;
    tx.commit().await?;
    action_page(&state, lang, "mail.confirm_page", None, true).await
}

pub async fn show_unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> PageResult<Response> {
    match subscription_lang(&state, &token).await {
        Ok((_, lang)) => {
            action_page(&state, lang, "mail.unsubscribe_page", Some(format!("/commentaires/desabonner/{token}")), false)
                .await
        }
        // Already unsubscribed: say so rather than 404.
        Err(_) => action_page(&state, state.site().default_language, "mail.unsubscribe_page", None, true).await,
    }
}

/// One-click unsubscribe (RFC 8058): mail clients POST `List-Unsubscribe=One-Click` here
/// without any token of ours, so this route takes no CSRF token; the secret is in the path.
pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> PageResult<Response> {
    let lang = subscription_lang(&state, &token).await.map(|(_, l)| l).unwrap_or(state.site().default_language);
    let mut tx = state.db().begin().await?;
    comments::unsubscribe(&mut tx, &token).await?;
    tx.commit().await?;
    action_page(&state, lang, "mail.unsubscribe_page", None, true).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ErasureQuery {
    email: String,
    sig: String,
}

fn erasure_signed(state: &AppState, query: &ErasureQuery) -> bool {
    !query.email.is_empty() && constant_time_eq(&query.sig, &notify::erasure_signature(state.secret(), &query.email))
}

pub async fn show_erasure(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<ErasureQuery>,
) -> PageResult<Response> {
    if !erasure_signed(&state, &query) {
        return Err(AppError::NotFound.into());
    }
    let action = format!("/commentaires/effacer?email={}&sig={}", crate::urls::urlencode(&query.email), query.sig);
    action_page(&state, state.site().default_language, "mail.erasure_page", Some(action), false).await
}

/// Asks for the erasure: a confirmation mail goes to the address, so nobody can erase someone
/// else's comments.
pub async fn request_erasure(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(query): axum::extract::Query<ErasureQuery>,
) -> PageResult<Response> {
    if !erasure_signed(&state, &query) || !same_origin(&headers, &state) {
        return Err(AppError::Forbidden.into());
    }
    let lang = state.site().default_language;
    let mut tx = state.db().begin().await?;
    let token = comments::request_erasure(&mut tx, &query.email, 2 * 86_400_000).await?;
    let mail = notify::erasure_confirmation(&state, &query.email, &token, lang)?;
    jobs::enqueue(&mut tx, &Job::SendMail { mail }, now_ms(), state.config().jobs.max_attempts).await?;
    tx.commit().await?;
    action_page(&state, lang, "mail.erasure_sent", None, true).await
}

pub async fn show_erasure_confirm(State(state): State<AppState>, Path(token): Path<String>) -> PageResult<Response> {
    action_page(
        &state,
        state.site().default_language,
        "mail.erasure_confirm",
        Some(format!("/commentaires/effacement/{token}")),
        false,
    )
    .await
}

pub async fn confirm_erasure(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> PageResult<Response> {
    if !same_origin(&headers, &state) {
        return Err(AppError::Forbidden.into());
    }
    let mut tx = state.db().begin().await?;
    let erased = comments::erase(&mut tx, &token).await?.ok_or(AppError::NotFound)?;
    crate::store::audit::record(
        &mut tx,
        &crate::store::audit::Entry {
            actor_id: None,
            action: "comment.erase_author",
            object_type: "comment",
            object_id: None,
            detail: serde_json::json!({ "comments": erased }),
        },
    )
    .await?;
    tx.commit().await?;
    state.content_changed();
    action_page(&state, state.site().default_language, "mail.erasure_confirm", None, true).await
}
