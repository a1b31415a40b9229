//! Every save of an article, with a readable diff against the one before, and restore.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Touched};
use crate::error::{AppError, PageResult};
use crate::news::diff::{DiffLine, diff_lines};
use crate::news::{ArticleStatus, Role};
use crate::render::markdown;
use crate::store::StoreError;
use crate::store::desk::{self, ArticleFields, Revision};
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, Did, finish, render};

#[derive(Serialize)]
struct RevisionsPage {
    #[serde(flatten)]
    desk: Desk,
    id: i64,
    title: String,
    revisions: Vec<Revision>,
    /// The revision shown, and its diff against the previous one.
    shown: Option<Revision>,
    title_diff: Vec<DiffLine>,
    lead_diff: Vec<DiffLine>,
    body_diff: Vec<DiffLine>,
    current_version: i64,
}

async fn page(state: &AppState, staff: &Staff, id: i64, version: Option<i64>) -> PageResult<Response> {
    staff.require(Role::can_write)?;
    let article = desk::editable(state.db(), id).await?.ok_or(AppError::NotFound)?;
    if !staff.role().can_publish() && !desk::is_own(state.db(), id, staff.user.id).await? {
        return Err(AppError::Forbidden.into());
    }
    let revisions = desk::revisions(state.db(), id).await?;
    let shown_index = match version {
        Some(v) => Some(revisions.iter().position(|r| r.version == v).ok_or(AppError::NotFound)?),
        None => (!revisions.is_empty()).then_some(0),
    };
    let shown = shown_index.map(|i| revisions[i].clone());
    let previous = shown_index.and_then(|i| revisions.get(i + 1));
    let (title_diff, lead_diff, body_diff) = match (&shown, previous) {
        (Some(s), Some(p)) => (
            diff_lines(&p.title, &s.title),
            diff_lines(&p.lead, &s.lead),
            diff_lines(&p.body_markdown, &s.body_markdown),
        ),
        (Some(s), None) => (diff_lines("", &s.title), diff_lines("", &s.lead), diff_lines("", &s.body_markdown)),
        _ => (Vec::new(), Vec::new(), Vec::new()),
    };
    let view = RevisionsPage {
        desk: Desk::new(state, staff, "/articles", None),
        id,
        title: article.fields.title,
        revisions,
        shown,
        title_diff,
        lead_diff,
        body_diff,
        current_version: article.version,
    };
    render(state, "newsroom/revisions.html", &view)
}

pub async fn list_revisions(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> PageResult<Response> {
    page(&state, &staff, id, None).await
}

pub async fn show_revision(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, version)): Path<(i64, i64)>,
) -> PageResult<Response> {
    page(&state, &staff, id, Some(version)).await
}

#[derive(Deserialize)]
pub struct RestoreInput {
    #[serde(default)]
    version: String,
}

/// Restores an old revision as a new save (nothing is lost: the current text stays a revision).
pub async fn restore_revision(
    State(state): State<AppState>,
    Path((id, version)): Path<(i64, i64)>,
    form: StaffForm<RestoreInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(Role::can_write)?;
    let article = desk::editable(state.db(), id).await?.ok_or(AppError::NotFound)?;
    // Restoring is editing: the same rule as the editor (a journalist restores only in their
    // own drafts and articles in review; what is published or scheduled belongs to editors).
    if !staff.role().can_publish()
        && (!desk::is_own(state.db(), id, staff.user.id).await?
            || !matches!(article.status, ArticleStatus::Draft | ArticleStatus::Review))
    {
        return Err(AppError::Forbidden.into());
    }
    let revision =
        desk::revisions(state.db(), id).await?.into_iter().find(|r| r.version == version).ok_or(AppError::NotFound)?;
    let mut fields: ArticleFields = serde_json::from_str(&revision.fields).unwrap_or_else(|_| article.fields.clone());
    if fields.section_id == 0 {
        fields = ArticleFields {
            title: revision.title.clone(),
            lead: revision.lead.clone(),
            body_markdown: revision.body_markdown.clone(),
            ..article.fields.clone()
        };
    }
    let expected: i64 = input.version.parse().unwrap_or(article.version);
    let html = markdown::to_safe_html(&fields.body_markdown);
    let mut tx = state.db().begin().await?;
    match desk::save(&mut tx, id, expected, &fields, &html, staff.user.id).await {
        Ok(_) => {}
        Err(StoreError::Conflict) => {
            return Err(AppError::Conflict("the article changed since this page was shown".into()).into());
        }
        Err(e) => return Err(e.into()),
    }
    let did = Did {
        action: "article.restore",
        object_type: "article",
        object_id: Some(id),
        detail: serde_json::json!({ "version": version }),
    };
    finish(&state, &staff, tx, did, Touched::Article(id), &format!("{BASE}/articles/{id}?ok=restored")).await
}
