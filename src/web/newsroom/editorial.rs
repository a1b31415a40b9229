//! Working together on an article: notes for the newsroom (anyone who may edit the article
//! writes them; readers never see them) and assignment (editors give an article to a
//! journalist to write or an editor to review; it then shows in that person's "mine"); who has
//! the article open ("being edited by …": the form takes a lease its script renews, a
//! colleague takes it over knowingly).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::app::{AppState, Touched};
use crate::error::{AppError, PageResult};
use crate::news::Role;
use crate::store::{editorial, users};
use crate::web::newsroom::editor::{ArticleInput, editable_for, editor_page};
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Did, FieldErrors, finish};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoteInput {
    note: String,
}

/// Adds a note to an article; a note empty or too long is refused with the text kept.
pub async fn add_note(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<NoteInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    let article = editable_for(&state, &staff, id).await?;
    let note = input.note.trim().replace("\r\n", "\n");
    if note.is_empty() || note.chars().count() > editorial::NOTE_MAX_CHARS {
        let mut errors = FieldErrors::default();
        errors.add("note", state.catalog().text(staff.lang(&state), "newsroom.notes.error", &[]));
        let mut shown = ArticleInput::from_article(&article, state.site().tz());
        shown.note = input.note;
        return editor_page(&state, &staff, Some(&article), shown, errors, None, None).await;
    }
    let mut tx = state.db().begin().await?;
    let note_id = editorial::add_note(&mut tx, id, staff.user.id, &note).await?;
    let did = Did {
        action: "article.note",
        object_type: "article",
        object_id: Some(id),
        detail: serde_json::json!({ "note": note_id }),
    };
    finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/articles/{id}?ok=noted#notes")).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignInput {
    /// A member of staff's number, or nothing for no one.
    assigned_to: String,
}

/// Assigns an article (editors): to a member of staff who writes, or to no one.
pub async fn assign(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<AssignInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(Role::can_publish)?;
    editable_for(&state, &staff, id).await?;
    let typed = input.assigned_to.trim();
    let assignee = if typed.is_empty() {
        None
    } else {
        let user = match typed.parse::<i64>() {
            Ok(user_id) => users::by_id(state.db(), user_id).await?,
            Err(_) => None,
        };
        match user.filter(|u| !u.disabled && u.role.can_write()) {
            Some(user) => Some(user.id),
            None => {
                let message = state.catalog().text(staff.lang(&state), "newsroom.assign.error", &[]);
                return Err(AppError::BadRequest(message).into());
            }
        }
    };
    let mut tx = state.db().begin().await?;
    editorial::assign(&mut tx, id, assignee).await?;
    let did = Did {
        action: "article.assigned",
        object_type: "article",
        object_id: Some(id),
        detail: serde_json::json!({ "assigned_to": assignee }),
    };
    finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/articles/{id}?ok=assigned")).await
}

#[derive(Deserialize, Default)]
pub struct NoInput {}

/// The editor page's script, every 30 seconds: renews one's hold on the article, or says who
/// took it over. JSON: `{"mine": true}` or `{"mine": false, "holder": "…"}`.
pub async fn renew_lease(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<NoInput>,
) -> PageResult<Response> {
    let StaffForm { staff, .. } = form;
    editable_for(&state, &staff, id).await?;
    let lease = editorial::claim(state.db(), id, staff.user.id, false).await?;
    let mine = lease.user_id == staff.user.id;
    let answer = if mine {
        serde_json::json!({ "mine": true })
    } else {
        serde_json::json!({ "mine": false, "holder": lease.holder })
    };
    Ok(Json(answer).into_response())
}

/// Takes the article over from the colleague who has it open (they are told on their page).
pub async fn take_over(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<NoInput>,
) -> PageResult<Response> {
    let StaffForm { staff, .. } = form;
    editable_for(&state, &staff, id).await?;
    let before = editorial::lease(state.db(), id).await?;
    editorial::claim(state.db(), id, staff.user.id, true).await?;
    let tx = state.db().begin().await?;
    let did = Did {
        action: "article.taken_over",
        object_type: "article",
        object_id: Some(id),
        detail: serde_json::json!({ "from": before.map(|l| l.user_id) }),
    };
    finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/articles/{id}?ok=taken_over")).await
}

#[derive(Deserialize, Default)]
pub struct TitlesQuery {
    #[serde(default)]
    q: String,
}

/// Articles whose title has the words typed, in any language (JSON, for the translation
/// field's suggestions): `[{"id": 12, "title": "…", "language": "ar", "status": "published"}]`.
pub async fn titles(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Query(query): axum::extract::Query<TitlesQuery>,
) -> PageResult<Response> {
    staff.require(Role::can_write)?;
    let words: String = query.q.trim().chars().take(100).collect();
    let found = if words.chars().count() < 2 {
        Vec::new()
    } else {
        crate::store::desk::by_title(state.db(), &words, 10).await?
    };
    Ok(Json(found).into_response())
}
