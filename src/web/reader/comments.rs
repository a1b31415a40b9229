//! Readers' comments: the form under each article, screened and pre-moderated; "notify me"
//! subscriptions confirmed by a button; one-click unsubscribe; erasing everything one wrote.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::jobs::{self, Job};
use crate::news::moderation::{self, Decision, Rules};
use crate::news::{CommentStatus, Lang, looks_like_email};
use crate::notify;
use crate::secrets::{constant_time_eq, keyed_hash};
use crate::store::comments::{self, NewComment};
use crate::store::{articles, now_ms};
use crate::web::client::ClientInfo;
use crate::web::reader::article::{CommentForm, render_article};
use crate::web::reader::chrome::Chrome;
use crate::web::reader::like::same_origin;

/// The posted form; every field is text so that whatever was typed comes back.
#[derive(Deserialize, Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CommentInput {
    pub name: String,
    pub email: String,
    pub website: String,
    pub body: String,
    pub notify: String,
    pub parent_id: String,
    pub token: String,
    /// The honeypot: hidden from people, filled by bots.
    pub url_confirmation: String,
}

/// A form token: when the form was shown, signed for this article.
pub fn form_token(secret: &[u8], article_id: i64, issued: i64) -> String {
    let sig = &keyed_hash(secret, format!("comment-form:{article_id}:{issued}").as_bytes())[..24];
    format!("{issued}.{sig}")
}

/// When a valid token was issued.
fn token_issued(secret: &[u8], article_id: i64, token: &str) -> Option<i64> {
    let (issued, sig) = token.split_once('.')?;
    let issued: i64 = issued.parse().ok()?;
    let expected = form_token(secret, article_id, issued);
    constant_time_eq(token, &expected).then_some(issued).filter(|_| !sig.is_empty())
}

/// A keyed hash for bans and rate limits: the e-mail or address itself is never compared.
pub fn identity_hash(secret: &[u8], kind: &str, value: &str) -> String {
    keyed_hash(secret, format!("{kind}:{}", value.trim().to_lowercase()).as_bytes())[..32].to_string()
}

const MAX_BODY: usize = 4000;

pub async fn post_comment(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: axum::http::HeaderMap,
    Path((section, slug)): Path<(String, String)>,
    Form(input): Form<CommentInput>,
) -> PageResult<Response> {
    let article = articles::published_by_slug(state.db(), &slug).await?.ok_or(AppError::NotFound)?;
    if article.card.section_slug != section {
        return Err(AppError::NotFound.into());
    }
    if !same_origin(&headers, &state) {
        return Err(AppError::Forbidden.into());
    }
    let lang = article.card.language;
    let site = state.site();
    let settings = site.comments.clone();
    let t = |key: &str| state.catalog().text(lang, &format!("comments.error.{key}"), &[]);
    let mut form = CommentForm::fresh(&state, article.card.id);
    form.input = CommentInput { token: String::new(), url_confirmation: String::new(), ..input.clone() };
    let refuse = |mut form: CommentForm, status: StatusCode| {
        let state = state.clone();
        let article = article.clone();
        async move {
            form.input.token = String::new();
            let mut response = render_article(&state, article, form, status).await?;
            response
                .headers_mut()
                .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            Ok::<_, crate::error::PageError>(response)
        }
    };
    if !comments_open(&article, site.comments_auto_close_days) {
        form.notice = Some(state.catalog().text(lang, "comments.closed", &[]));
        return refuse(form, StatusCode::FORBIDDEN).await;
    }
    let now = now_ms();
    // Bots: the honeypot, and a form posted sooner than a person can read and write.
    let issued = token_issued(state.secret(), article.card.id, &input.token);
    match issued {
        None => {
            form.errors.insert("form", t("expired"));
            return refuse(form, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Some(at) if now - at > 3 * 86_400_000 => {
            form.errors.insert("form", t("expired"));
            return refuse(form, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Some(at) if now - at < i64::from(settings.min_seconds) * 1000 || !input.url_confirmation.is_empty() => {
            form.errors.insert("form", t("too_fast"));
            return refuse(form, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Some(_) => {}
    }
    let name = input.name.trim().to_string();
    let email = input.email.trim().to_lowercase();
    let website = input.website.trim().to_string();
    let body = input.body.trim().replace("\r\n", "\n");
    if name.is_empty() {
        form.errors.insert("name", t("name_missing"));
    } else if name.chars().count() > 80 {
        form.errors.insert("name", t("name_long"));
    }
    if email.is_empty() {
        form.errors.insert("email", t("email_missing"));
    } else if !looks_like_email(&email) {
        form.errors.insert("email", t("email_invalid"));
    }
    if !website.is_empty()
        && (!(website.starts_with("http://") || website.starts_with("https://"))
            || website.chars().count() > 200
            || website.contains(char::is_whitespace))
    {
        form.errors.insert("website", t("website_invalid"));
    }
    if body.chars().count() < 2 {
        form.errors.insert("body", t("body_missing"));
    } else if body.chars().count() > MAX_BODY {
        form.errors
            .insert("body", state.catalog().text(lang, "comments.error.body_long", &[("max", &MAX_BODY.to_string())]));
    }
    let parent_id = match input.parent_id.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) => match comments::reply_target(state.db(), article.card.id, id).await? {
                Some(top) => Some(top),
                None => {
                    form.errors.insert("form", t("parent_missing"));
                    None
                }
            },
            Err(_) => None,
        },
    };
    if !form.errors.is_empty() {
        return refuse(form, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // Rate limits and bans, counted in the database so every node agrees.
    let ip_hash = identity_hash(state.secret(), "address", &client.addr);
    let email_hash = identity_hash(state.secret(), "email", &email);
    if comments::is_banned(state.db(), &email_hash, &ip_hash, now).await? {
        form.errors.insert("form", t("banned"));
        return refuse(form, StatusCode::FORBIDDEN).await;
    }
    let (by_address, _) = comments::recent_counts(state.db(), &ip_hash, &email, now - 10 * 60_000).await?;
    let (_, by_email) = comments::recent_counts(state.db(), &ip_hash, &email, now - 3_600_000).await?;
    if by_address >= i64::from(settings.per_address_per_10_min) || by_email >= i64::from(settings.per_email_per_hour) {
        form.errors.insert("form", t("too_many"));
        return refuse(form, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let lists = state.moderation_lists();
    let mut screening =
        moderation::screen(&name, &body, &website, &lists, &Rules { max_links: settings.max_links as usize });
    if comments::same_text_since(state.db(), &body, now - 86_400_000).await? {
        screening.findings.push(moderation::Finding {
            category: moderation::Category::Spam,
            severity: moderation::Severity::Suspect,
            matched: body.chars().take(60).collect(),
            source: "repeated".into(),
        });
        if screening.decision == Decision::Clean || screening.decision == Decision::Hold {
            screening.decision = Decision::Spam;
            screening.reason = Some(moderation::Category::Spam);
        }
    }
    let trusted = settings.auto_approve_trusted && comments::is_trusted(state.db(), &email, &email_hash).await?;
    let status = match screening.decision {
        Decision::Refuse => CommentStatus::Refused,
        Decision::Spam => CommentStatus::Spam,
        Decision::Clean if trusted => CommentStatus::Approved,
        _ => CommentStatus::Pending,
    };
    let comment_lang = detect_language(&body, lang);
    let mut tx = state.db().begin().await?;
    // The counts above turned away most of a flood cheaply; this one, in the writing
    // transaction, is the one that holds when a burst arrives at once.
    let (by_address, by_email) =
        comments::recent_counts_locked(&mut tx, &ip_hash, &email, now - 10 * 60_000, now - 3_600_000).await?;
    if by_address >= i64::from(settings.per_address_per_10_min) || by_email >= i64::from(settings.per_email_per_hour) {
        tx.rollback().await?;
        form.errors.insert("form", t("too_many"));
        return refuse(form, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let id = comments::insert(
        &mut tx,
        &NewComment {
            article_id: article.card.id,
            parent_id,
            author_name: name,
            author_email: email.clone(),
            author_website: website,
            body,
            language: comment_lang.code().into(),
            status,
            refusal_reason: screening
                .reason
                .filter(|_| matches!(status, CommentStatus::Refused | CommentStatus::Spam))
                .map(|c| c.code().to_string()),
            screening: serde_json::to_string(&screening).unwrap_or_else(|_| "{}".into()),
            ip_hash,
            created_at: None,
        },
    )
    .await?;
    if !input.notify.is_empty()
        && status != CommentStatus::Spam
        && let Some(subscription) = comments::subscribe(&mut tx, article.card.id, &email).await?
    {
        let mail = notify::confirmation(&state, &article, &subscription, lang)?;
        jobs::enqueue(&mut tx, &Job::SendMail { mail }, now, state.config().jobs.max_attempts).await?;
    }
    match status {
        CommentStatus::Approved => {
            jobs::enqueue(
                &mut tx,
                &Job::NotifySubscribers { article_id: article.card.id },
                now + state.config().mail.notification_batch_seconds as i64 * 1000,
                state.config().jobs.max_attempts,
            )
            .await?;
        }
        CommentStatus::Pending if settings.moderator_digest == "immediate" => {
            jobs::enqueue(&mut tx, &Job::ModeratorDigest, now, state.config().jobs.max_attempts).await?;
        }
        CommentStatus::Refused if settings.notify_refusals => {
            let reason = screening.reason.map(|c| c.code()).unwrap_or("insult");
            let mail = notify::refusal(&state, &article, &email, reason, lang)?;
            jobs::enqueue(&mut tx, &Job::SendMail { mail }, now, state.config().jobs.max_attempts).await?;
        }
        _ => {}
    }
    tx.commit().await?;
    tracing::info!(comment = id, status = status.as_str(), "comment received");
    if status == CommentStatus::Refused {
        // Say why, in the words of the policy, and keep the text so it can be rewritten.
        let reason = screening.reason.map(|c| c.code()).unwrap_or("insult");
        form.refused = Some(state.catalog().text(lang, &format!("comments.reason.{reason}"), &[]));
        return refuse(form, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if status == CommentStatus::Approved {
        state.article_page_changed(article.card.id);
    }
    let word = match status {
        CommentStatus::Approved => "publie",
        CommentStatus::Spam => "indesirable",
        _ => "attente",
    };
    Ok(Redirect::to(&format!("/{}/{}?commentaire={word}#comments", article.card.section_slug, article.card.slug))
        .into_response())
}

/// Arabic script in most letters: Arabic; else the article's language.
fn detect_language(text: &str, fallback: Lang) -> Lang {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let arabic = text.chars().filter(|c| ('\u{0600}'..='\u{06FF}').contains(c)).count();
    if letters > 0 && arabic * 2 > letters { Lang::Ar } else { fallback }
}

fn comments_open(article: &articles::Article, auto_close_days: u32) -> bool {
    match article.comments_mode.as_str() {
        "closed" => false,
        "auto" => now_ms() < article.card.publish_at.unwrap_or(0) + i64::from(auto_close_days) * 86_400_000,
        _ => true,
    }
}

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

/// The signed address, for a mail's "delete everything I wrote" link, of an e-mail.
pub fn erasure_link(state: &AppState, email: &str) -> String {
    let sig = &keyed_hash(state.secret(), format!("erasure:{email}").as_bytes())[..32];
    format!("/commentaires/effacer?email={}&sig={sig}", crate::web::reader::article::urlencode(email))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ErasureQuery {
    email: String,
    sig: String,
}

fn erasure_signed(state: &AppState, query: &ErasureQuery) -> bool {
    let expected = &keyed_hash(state.secret(), format!("erasure:{}", query.email).as_bytes())[..32];
    !query.email.is_empty() && constant_time_eq(&query.sig, expected)
}

pub async fn show_erasure(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<ErasureQuery>,
) -> PageResult<Response> {
    if !erasure_signed(&state, &query) {
        return Err(AppError::NotFound.into());
    }
    let action = format!(
        "/commentaires/effacer?email={}&sig={}",
        crate::web::reader::article::urlencode(&query.email),
        query.sig
    );
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
