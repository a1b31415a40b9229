//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`.
//!
//! Reading published content needs nothing. Writing needs `Authorization: Bearer <token>`
//! (tokens come from `gazette user token`), and the token's role decides what it may do,
//! exactly as in the newsroom.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::actions::articles::StatusChange;
use crate::actions::{self, Actor};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult, AppError};
use crate::news::{ArticleStatus, Lang};
use crate::render::markdown;
use crate::secrets;
use crate::store::articles::{self, Article, ArticleCard, Byline, ListFilter, NewArticle, TagRef};
use crate::store::users::User;
use crate::store::{api_tokens, audit, sections};

const OPENAPI: &str = include_str!("api/openapi.json");

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[derive(Serialize)]
pub struct SectionOut {
    id: i64,
    slug: String,
    parent_id: Option<i64>,
    position: i64,
    names: std::collections::BTreeMap<Lang, String>,
}

pub async fn list_sections(State(state): State<AppState>) -> ApiResult<Json<Vec<SectionOut>>> {
    let all = sections::all(state.db()).await?;
    Ok(Json(
        all.into_iter()
            .map(|s| SectionOut {
                id: s.id,
                slug: s.slug,
                parent_id: s.parent_id,
                position: s.position,
                names: s.names,
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
pub struct ListQuery {
    section: Option<String>,
    lang: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

#[derive(Serialize)]
pub struct ArticleList {
    items: Vec<ArticleCard>,
    page: i64,
    per_page: i64,
    total: i64,
}

pub async fn list_articles(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<ArticleList>> {
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
    let page = query.page.unwrap_or(1).max(1);
    let mut filter = ListFilter::default();
    if let Some(slug) = query.section.filter(|s| !s.is_empty()) {
        let section = sections::by_slug(state.db(), &slug)
            .await?
            .ok_or_else(|| AppError::BadRequest(format!("no section {slug:?}")))?;
        filter.section_id = Some(section.id);
    }
    if let Some(code) = query.lang.filter(|s| !s.is_empty()) {
        filter.language =
            Some(Lang::parse(&code).ok_or_else(|| AppError::BadRequest("lang must be fr, ar or en".into()))?);
    }
    let total = articles::count_published(state.db(), &filter).await?;
    let items = articles::published(state.db(), &filter, per_page, (page - 1).saturating_mul(per_page)).await?;
    Ok(Json(ArticleList { items, page, per_page, total }))
}

#[derive(Serialize)]
pub struct ArticleOut {
    #[serde(flatten)]
    article: Article,
    url: String,
    authors: Vec<Byline>,
    tags: Vec<TagRef>,
}

async fn article_out(state: &AppState, article: Article) -> ApiResult<ArticleOut> {
    let ids = [article.card.id];
    let mut authors = articles::authors_of(state.db(), &ids).await?;
    let mut tags = articles::tags_of(state.db(), &ids).await?;
    Ok(ArticleOut {
        url: format!("{}/{}/{}", state.config().base_url(), article.card.section_slug, article.card.slug),
        authors: authors.remove(&article.card.id).unwrap_or_default(),
        tags: tags.remove(&article.card.id).unwrap_or_default(),
        article,
    })
}

/// A published article; editors with a token also see unpublished ones, journalists their own.
pub async fn show_article(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    Path(id): Path<String>,
) -> ApiResult<Json<ArticleOut>> {
    let id: i64 = id.parse().map_err(|_| AppError::BadRequest("the article id must be a number".into()))?;
    // Unpublished articles: editors see all, journalists their own; anyone else (a
    // moderator's token, another journalist) is told there is nothing there.
    let may_see_unpublished = match &user {
        Some(ApiUser(user)) if user.role.can_publish() => true,
        Some(ApiUser(user)) if user.role.can_write() => crate::store::desk::is_own(state.db(), id, user.id).await?,
        _ => false,
    };
    let article = if may_see_unpublished {
        articles::by_id(state.db(), id).await?
    } else {
        articles::published_by_id(state.db(), id).await?
    };
    let article = article.ok_or(AppError::NotFound)?;
    Ok(Json(article_out(&state, article).await?))
}

/// The body of `POST /api/v1/articles`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    title: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    body_markdown: String,
    section: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    status: Option<String>,
    /// RFC 3339, e.g. "2026-12-01T08:00:00+01:00". Required for "scheduled".
    #[serde(default)]
    publish_at: Option<String>,
}

/// Creates an article. Journalists may create drafts and submit them for review; editors and
/// admins may also schedule and publish.
pub async fn create_article(
    State(state): State<AppState>,
    user: ApiUser,
    body: Result<Json<ArticleInput>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Response> {
    let Json(input) = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let user = user.0;
    if !user.role.can_write() {
        return Err(AppError::Forbidden.into());
    }
    let title = input.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(AppError::BadRequest("title must have 1 to 300 characters".into()).into());
    }
    let section = sections::by_slug(state.db(), &input.section)
        .await?
        .ok_or_else(|| AppError::BadRequest(format!("no section {:?}", input.section)))?;
    let language = match input.language.as_deref() {
        None | Some("") => state.site().default_language,
        Some(code) => Lang::parse(code).ok_or_else(|| AppError::BadRequest("language must be fr, ar or en".into()))?,
    };
    let status = match input.status.as_deref() {
        None | Some("") => ArticleStatus::Draft,
        Some(s) => ArticleStatus::parse(s).ok_or_else(|| {
            AppError::BadRequest("status must be draft, review, scheduled, published or unpublished".into())
        })?,
    };
    if matches!(status, ArticleStatus::Scheduled | ArticleStatus::Published | ArticleStatus::Unpublished)
        && !user.role.can_publish()
    {
        return Err(AppError::Forbidden.into());
    }
    let publish_at = match input.publish_at.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|_| AppError::BadRequest("publish_at must be an RFC 3339 date-time".into()))?
                .timestamp_millis(),
        ),
    };
    if status == ArticleStatus::Scheduled && publish_at.is_none() {
        return Err(AppError::BadRequest("a scheduled article needs publish_at".into()).into());
    }
    let new = NewArticle {
        slug: input.slug,
        section_id: section.id,
        language,
        translation_group: None,
        body_html: markdown::to_safe_html(&input.body_markdown),
        title,
        lead: input.lead,
        body_markdown: input.body_markdown,
        signature: input.signature,
        status,
        publish_at,
        featured_media_id: None,
        featured_caption: String::new(),
        featured_credit: String::new(),
        featured_alt: String::new(),
        front_position: None,
        comments_mode: "open".into(),
        author_ids: vec![user.id],
        tags: input.tags,
        created_by: Some(user.id),
        created_at: None,
    };
    let id = actions::articles::create(&state, Actor::api(user.id), &new, None).await?;
    let article = articles::by_id(state.db(), id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(article_out(&state, article).await?)).into_response())
}

/// Publishes an article now (editors and admins).
pub async fn publish_article(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ArticleOut>> {
    let id: i64 = id.parse().map_err(|_| AppError::BadRequest("the article id must be a number".into()))?;
    if !user.0.role.can_publish() {
        return Err(AppError::Forbidden.into());
    }
    if !actions::articles::change_status(&state, Actor::api(user.0.id), id, StatusChange::Publish).await? {
        return Err(AppError::NotFound.into());
    }
    let article = articles::by_id(state.db(), id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(article_out(&state, article).await?))
}

/// The staff member behind a valid `Authorization: Bearer` token.
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError(AppError::Unauthorized))?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError(AppError::Unauthorized))?;
        let (user, token_id) = api_tokens::user_of(state.db(), &secrets::hash_token(token))
            .await?
            .ok_or(ApiError(AppError::Unauthorized))?;
        // Noting the use is bookkeeping: a full disk or a busy writer must not refuse the
        // request, least of all a read.
        if let Err(error) = api_tokens::mark_used(state.db(), token_id).await {
            tracing::warn!(%error, token = token_id, "cannot note an API token's use");
        }
        Ok(ApiUser(user))
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            <ApiUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await.map(Some)
        } else {
            Ok(None)
        }
    }
}

/// The body of `POST /api/v1/cache/purge`; no body purges everything.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurgeInput {
    #[serde(default)]
    tags: Vec<String>,
}

/// Empties the page cache, or drops the pages carrying some tags (admins): for a change made
/// behind Gazette's back (a theme file, a database edit), and the model for a CDN purge.
pub async fn purge_cache(
    State(state): State<AppState>,
    user: ApiUser,
    body: axum::body::Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    if user.0.role != crate::news::Role::Admin {
        return Err(AppError::Forbidden.into());
    }
    let input: PurgeInput = if body.iter().all(u8::is_ascii_whitespace) {
        PurgeInput { tags: Vec::new() }
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(format!("invalid JSON: {e}")))?
    };
    if input.tags.iter().any(|t| t.is_empty() || t.len() > 100) {
        return Err(AppError::BadRequest("tags must have 1 to 100 characters".into()).into());
    }
    let mut tx = state.db().begin().await?;
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: Some(user.0.id),
            action: "cache.purge",
            object_type: "cache",
            object_id: None,
            detail: serde_json::json!({ "tags": input.tags }),
        },
    )
    .await?;
    tx.commit().await?;
    if input.tags.is_empty() {
        state.content_changed();
        Ok(Json(serde_json::json!({ "purged": "all" })))
    } else {
        state.invalidate(&input.tags);
        Ok(Json(serde_json::json!({ "purged": "tags", "tags": input.tags })))
    }
}
