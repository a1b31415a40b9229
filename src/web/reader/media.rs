//! Media files, by storage key, cached forever (the key is the content's hash).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::error::{AppError, PageError};

pub async fn serve_media(State(state): State<AppState>, Path(key): Path<String>) -> Result<Response, PageError> {
    let path = crate::media::path_of(&state.config().media_dir(), &key).ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(&path).await.map_err(|_| AppError::NotFound)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(crate::media::mime_of(&key)));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(response)
}
