//! Static files under content-hashed names, cached for a year.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::error::{AppError, PageError};

pub async fn serve_static(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, PageError> {
    let asset = state.assets().get(&name).ok_or(PageError(AppError::NotFound))?;
    let mut response = asset.bytes.clone().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(response)
}
