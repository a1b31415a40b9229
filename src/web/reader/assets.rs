//! Static files under content-hashed names, cached for a year; text files compressed as the
//! browser accepts.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::cache::Encoding;
use crate::error::{AppError, PageError};

pub async fn serve_static(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request_headers: HeaderMap,
) -> Result<Response, PageError> {
    let asset = state.assets().get(&name).ok_or(PageError(AppError::NotFound))?;
    let accept = request_headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (body, coding) = match (asset.compressed(), Encoding::negotiate(accept)) {
        (Some(c), Encoding::Brotli) => (c.brotli.clone(), Some("br")),
        (Some(c), Encoding::Gzip) => (c.gzip.clone(), Some("gzip")),
        _ => (asset.bytes.clone(), None),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    if let Some(coding) = coding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    if asset.compressed().is_some() {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(response)
}
