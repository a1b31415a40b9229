//! The media library: upload (checked before anything is written), search by caption or
//! credit, describe, and see which articles use an image.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Touched};
use crate::error::{AppError, PageResult};
use crate::jobs::{self, Job};
use crate::media::upload::{self, Refusal};
use crate::news::Role;
use crate::secrets::constant_time_eq;
use crate::store::media::{self as media_store, MediaItem, NewMedia};
use crate::store::now_ms;
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, Did, FieldErrors, finish, render};

#[derive(Deserialize, Default)]
pub struct LibraryQuery {
    #[serde(default)]
    q: String,
    ok: Option<String>,
}

/// What the upload form keeps when it refuses a file.
#[derive(Serialize, Default)]
struct UploadInput {
    caption: String,
    credit: String,
    alt: String,
}

#[derive(Serialize)]
struct LibraryPage {
    #[serde(flatten)]
    desk: Desk,
    q: String,
    items: Vec<MediaItem>,
    input: UploadInput,
    errors: FieldErrors,
    max_mb: u64,
}

async fn library(
    state: &AppState,
    staff: &Staff,
    q: String,
    input: UploadInput,
    errors: FieldErrors,
    ok: Option<&str>,
) -> PageResult<Response> {
    let items = media_store::recent(state.db(), &q, 120, 0).await?;
    let refused = !errors.is_empty();
    let page = LibraryPage {
        desk: Desk::new(state, staff, "/medias", ok),
        q,
        items,
        input,
        errors,
        max_mb: state.config().server.max_body_mb,
    };
    let mut response = render(state, "newsroom/media.html", &page)?;
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn show_library(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<LibraryQuery>,
) -> PageResult<Response> {
    staff.require(Role::can_write)?;
    library(
        &state,
        &staff,
        query.q.chars().take(100).collect(),
        UploadInput::default(),
        FieldErrors::default(),
        query.ok.as_deref(),
    )
    .await
}

/// Receives an image. The CSRF token is checked before the file is looked at, and the file is
/// checked whole before anything is written.
pub async fn upload_media(
    State(state): State<AppState>,
    staff: Staff,
    mut multipart: Multipart,
) -> PageResult<Response> {
    staff.require(Role::can_write)?;
    let lang = staff.lang(&state);
    let mut csrf = String::new();
    let mut input = UploadInput::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(e.body_text()))? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("").chars().take(200).collect::<String>();
                if !constant_time_eq(&csrf, &staff.csrf) {
                    return Err(AppError::Forbidden.into());
                }
                let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(e.body_text()))?;
                file = Some((file_name, bytes.to_vec()));
            }
            _ => {
                let value = field.text().await.map_err(|e| AppError::BadRequest(e.body_text()))?;
                match name.as_str() {
                    "csrf" => csrf = value,
                    "caption" => input.caption = value.trim().chars().take(500).collect(),
                    "credit" => input.credit = value.trim().chars().take(200).collect(),
                    "alt" => input.alt = value.trim().chars().take(300).collect(),
                    _ => {}
                }
            }
        }
    }
    if !constant_time_eq(&csrf, &staff.csrf) {
        return Err(AppError::Forbidden.into());
    }
    let mut errors = FieldErrors::default();
    let Some((file_name, bytes)) = file else {
        errors.add("file", state.catalog().text(lang, Refusal::Empty.key(), &[]));
        return library(&state, &staff, String::new(), input, errors, None).await;
    };
    let max = state.config().server.max_body_mb * 1024 * 1024;
    let checked =
        match tokio::task::spawn_blocking(move || upload::check(&bytes, &file_name, max).map(|c| (c, file_name)))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
        {
            Ok(checked) => checked,
            Err(refusal) => {
                let (mb, actual) = match &refusal {
                    Refusal::TooLarge { max_mb } => (max_mb.to_string(), String::new()),
                    Refusal::WrongExtension { actual } => (String::new(), actual.to_string()),
                    _ => (String::new(), String::new()),
                };
                errors.add("file", state.catalog().text(lang, refusal.key(), &[("mb", &mb), ("ext", &actual)]));
                return library(&state, &staff, String::new(), input, errors, None).await;
            }
        };
    let (image, file_name) = checked;
    let media_dir = state.config().media_dir();
    let key = crate::media::store_bytes(&media_dir, &image.bytes, image.extension).map_err(|e| match e.kind() {
        std::io::ErrorKind::StorageFull => AppError::StorageFull,
        _ => AppError::Internal(format!("cannot write to {}: {e}", media_dir.display())),
    })?;
    let mut tx = state.db().begin().await?;
    let id = media_store::insert(
        &mut tx,
        &NewMedia {
            storage_key: key,
            original_name: file_name,
            mime: image.mime.to_string(),
            width: i64::from(image.width),
            height: i64::from(image.height),
            byte_size: image.bytes.len() as i64,
            caption: input.caption,
            credit: input.credit,
            alt: input.alt,
            uploaded_by: Some(staff.user.id),
        },
    )
    .await?;
    jobs::enqueue(&mut tx, &Job::MakeVariants { media_id: id }, now_ms(), state.config().jobs.max_attempts).await?;
    let did = Did { action: "media.upload", object_type: "media", object_id: Some(id), detail: serde_json::json!({}) };
    finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/medias/{id}?ok=uploaded")).await
}

#[derive(Serialize)]
struct MediaPage {
    #[serde(flatten)]
    desk: Desk,
    item: MediaItem,
    usage: Vec<(i64, String, String)>,
    can_edit: bool,
    /// The form as typed, when it was refused; else the stored description.
    input: DescribeInput,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct OkQuery {
    ok: Option<String>,
}

pub async fn show_media(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> PageResult<Response> {
    staff.require(Role::can_write)?;
    let item = media_store::by_id(state.db(), id).await?.ok_or(AppError::NotFound)?;
    let usage = media_store::usage(state.db(), id).await?;
    let can_edit = staff.role().can_publish() || item.uploaded_by == Some(staff.user.id);
    let input = DescribeInput {
        caption: item.caption.clone(),
        credit: item.credit.clone(),
        alt: item.alt.clone(),
        focus_x: item.focus.x.to_string(),
        focus_y: item.focus.y.to_string(),
    };
    let desk = Desk::new(&state, &staff, "/medias", q.ok.as_deref());
    render(&state, "newsroom/media_item.html", &MediaPage { desk, item, usage, can_edit, input, error: None })
}

#[derive(Deserialize, Serialize)]
pub struct DescribeInput {
    #[serde(default)]
    caption: String,
    #[serde(default)]
    credit: String,
    #[serde(default)]
    alt: String,
    /// Where the subject is, percent from the left and from the top (crops keep it in view).
    #[serde(default = "middle")]
    focus_x: String,
    #[serde(default = "middle")]
    focus_y: String,
}

fn middle() -> String {
    "50".into()
}

/// A percentage as typed: a whole number from 0 to 100.
fn percent(typed: &str) -> Option<u32> {
    typed.trim().trim_end_matches('%').trim().parse::<u32>().ok().filter(|p| *p <= 100)
}

/// Changes caption, credit and alternative text: editors for any image, others for their own.
pub async fn describe_media(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<DescribeInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(Role::can_write)?;
    let item = media_store::by_id(state.db(), id).await?.ok_or(AppError::NotFound)?;
    if !staff.role().can_publish() && item.uploaded_by != Some(staff.user.id) {
        return Err(AppError::Forbidden.into());
    }
    let (Some(x), Some(y)) = (percent(&input.focus_x), percent(&input.focus_y)) else {
        // Refused with what was typed, and nothing changed.
        let usage = media_store::usage(state.db(), id).await?;
        let desk = Desk::new(&state, &staff, "/medias", None);
        let error = Some(state.catalog().text(desk.lang(), "newsroom.media.focus_error", &[]));
        let page = MediaPage { desk, item, usage, can_edit: true, input, error };
        let mut response = render(&state, "newsroom/media_item.html", &page)?;
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let focus = media_store::Focus { x, y };
    let mut tx = state.db().begin().await?;
    media_store::describe(
        &mut tx,
        id,
        input.caption.trim().chars().take(500).collect::<String>().as_str(),
        input.credit.trim().chars().take(200).collect::<String>().as_str(),
        input.alt.trim().chars().take(300).collect::<String>().as_str(),
        focus,
    )
    .await?;
    if focus != item.focus {
        // The crops are cut around the focus: make them again.
        jobs::enqueue(&mut tx, &Job::MakeVariants { media_id: id }, now_ms(), state.config().jobs.max_attempts).await?;
    }
    let did =
        Did { action: "media.describe", object_type: "media", object_id: Some(id), detail: serde_json::json!({}) };
    finish(&state, &staff, tx, did, Touched::Everything, &format!("{BASE}/medias/{id}?ok=saved")).await
}
