//! Files machines ask every site for: the web app manifest (per edition), `/favicon.ico`
//! and `/ads.txt` (the sellers the business side authorizes, edited in the settings).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::AppState;
use crate::error::{AppError, PageError, PageResult};
use crate::web::chrome::icon_url;
use crate::web::lang::PageLang;

/// The manifest of an edition: its name, language, direction and icons, so a reader who
/// adds the paper to a phone's home screen gets this edition with the paper's icon.
pub async fn show_manifest(State(state): State<AppState>, page_lang: PageLang) -> Response {
    let lang = page_lang.lang;
    let site = state.site();
    let name = site.name_in(lang).to_string();
    let assets = state.assets();
    let icon = |src: String, sizes: &str, kind: &str, purpose: &str| json!({"src": src, "sizes": sizes, "type": kind, "purpose": purpose});
    let mut icons = vec![
        icon(icon_url(&state, 192), "192x192", "image/png", "any maskable"),
        icon(icon_url(&state, 512), "512x512", "image/png", "any maskable"),
    ];
    if site.logo.is_none() {
        icons.push(icon(assets.url("icon.svg"), "any", "image/svg+xml", "any"));
    }
    let manifest = json!({
        "name": name,
        "short_name": name,
        "description": site.localized(&site.tagline, lang),
        "lang": lang.code(),
        "dir": lang.dir(),
        "start_url": format!("{}/", page_lang.prefix),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#ffffff",
        "icons": icons,
    });
    let mut response = manifest.to_string().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

/// Browsers ask for `/favicon.ico` whatever the page says: answer with the PNG icon rather
/// than a 404 in every log.
pub async fn show_favicon(State(state): State<AppState>) -> PageResult<Response> {
    let icon = icon_url(&state, 192);
    if icon.starts_with("/media/") {
        // Made from the paper's logo: the media route serves it, cached for good.
        return Ok(axum::response::Redirect::temporary(&icon).into_response());
    }
    let hashed = icon;
    let name = hashed.trim_start_matches("/static/");
    let asset = state.assets().get(name).ok_or(PageError(AppError::NotFound))?;
    let mut response = asset.bytes.clone().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    Ok(response)
}

/// `/ads.txt` as the settings hold it; a site that sells no programmatic ads has none (404),
/// which the IAB specification reads as "no authorized sellers declared".
pub async fn show_ads_txt(State(state): State<AppState>) -> PageResult<Response> {
    let text = state.site().ads_txt.clone();
    if text.trim().is_empty() {
        return Err(AppError::NotFound.into());
    }
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(response)
}
