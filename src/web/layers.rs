//! Layers every request crosses: security headers, metrics, and HTML error pages.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::error::{AppError, ErrorPageMarker};
use crate::web::reader::chrome::Chrome;

/// A strict policy: no inline script or style, nothing from another host, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'self'; object-src 'none'";

pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in defaults {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    headers.entry("permissions-policy").or_insert(HeaderValue::from_static(
        "camera=(), microphone=(), geolocation=(), payment=(), interest-cohort=()",
    ));
    response
}

/// Counts the request under its route pattern and status, and times it.
pub async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".to_string());
    let method = request.method().as_str().to_string();
    let response = next.run(request).await;
    state.metrics().record(&method, &route, response.status().as_u16(), started.elapsed());
    response
}

/// Renders the HTML body of error responses marked by `PageError`, in the site's language and
/// look. Done here because this layer has the state that `IntoResponse` lacks.
pub async fn render_error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The page's language: its prefix (/ar/...) if it has one, else the site's default.
    let asked = crate::web::reader::lang::lang_of_path(request.uri().path());
    let old_address = (request.method() == axum::http::Method::GET).then(|| match request.uri().query() {
        Some(query) => format!("{}?{query}", request.uri().path()),
        None => request.uri().path().to_string(),
    });
    let response = next.run(request).await;
    let Some(ErrorPageMarker(error)) = response.extensions().get::<ErrorPageMarker>().cloned() else {
        return response;
    };
    // A page that is not here may have moved: old slugs, old sections, imported links.
    if matches!(error, AppError::NotFound)
        && let Some(old) = old_address
        && let Ok(Some(to)) = crate::store::redirects::target(state.db(), &old).await
    {
        return moved_permanently(&to);
    }
    let site = state.site();
    let lang = asked.filter(|l| site.enabled_languages.contains(l)).unwrap_or(site.default_language);
    let chrome = Chrome::without_navigation(&state, lang);
    let page = ErrorPage { chrome, code: error.code(), status: error.status().as_u16(), detail: error.detail() };
    let html = match state.templates().render("pages/error.html", &page) {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "cannot render the error page");
            format!("<!doctype html><title>{0}</title><h1>{0}</h1>", error.status())
        }
    };
    let mut fresh = (error.status(), Html(html)).into_response();
    fresh.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
        fresh.headers_mut().insert(header::RETRY_AFTER, retry.clone());
    }
    fresh
}

/// A 301 to `to`: what search engines and old links need when an address changes for good.
pub fn moved_permanently(to: &str) -> Response {
    let mut response = axum::http::StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

#[derive(serde::Serialize)]
struct ErrorPage<'a> {
    #[serde(flatten)]
    chrome: Chrome,
    code: &'a str,
    status: u16,
    detail: Option<&'a str>,
}
