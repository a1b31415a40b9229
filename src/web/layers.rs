//! Layers every request crosses: security headers, metrics, and HTML error pages.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::error::{AppError, ErrorPageMarker};
use crate::headers::SECURITY_HEADERS;
use crate::web::chrome::Chrome;

pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    response
}

/// Before routing: a page the cache holds is answered here, the read counted and the request
/// measured, without the router, the other layers or the handler. Everything else (a miss, a
/// stale page this request is to render again, any other method or address) goes on.
pub async fn answer_from_cache(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.extensions().get::<CacheTried>().is_none()
        && let Some(response) = cached_answer(&state, &request)
    {
        return response;
    }
    next.run(request).await
}

/// Marks a request the server already looked up in the cache (`web::server` does so on the
/// connection's thread before handing a miss to the router): the layer does not look again.
#[derive(Clone, Copy, Debug)]
pub struct CacheTried;

/// The cached answer to a request, when the cache holds a fresh page for it: the read counted,
/// the request measured. Synchronous and lock-light: it runs on the connection's own thread.
pub fn cached_answer<B>(state: &AppState, request: &axum::http::Request<B>) -> Option<Response> {
    let cache = state.cache();
    if request.method() != axum::http::Method::GET || !cache.enabled() {
        return None;
    }
    let started = Instant::now();
    let now = crate::store::now_ms();
    let entry = match request.uri().query() {
        None => cache.get_unless_due(request.uri().path(), now),
        Some(query) if is_page_query(query) => cache.get_unless_due(&format!("{}?{query}", request.uri().path()), now),
        Some(_) => None,
    }?;
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let encoding = crate::cache::Encoding::negotiate(text(header::ACCEPT_ENCODING).unwrap_or(""));
    state.metrics().cache_hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    count_read(state, entry.article_id, crate::web::client::is_bot(text(header::USER_AGENT).unwrap_or("")), now);
    let response = cached_response(&entry, encoding, text(header::IF_NONE_MATCH));
    state.metrics().record("GET", &entry.route, response.status().as_u16(), started.elapsed());
    Some(response)
}

/// Only addresses without a query, or with a page number, are cached: a random query string
/// must not fill the cache.
fn is_page_query(query: &str) -> bool {
    query.split('&').all(|p| p.starts_with("page=") && p[5..].chars().all(|c| c.is_ascii_digit()))
}

/// Counts the request under its route pattern and status, and times it.
pub async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Cheap clones (a shared string, a small enum): nothing is allocated per request.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let response = next.run(request).await;
    let route = route.as_ref().map(MatchedPath::as_str).unwrap_or("(unmatched)");
    state.metrics().record(method.as_str(), route, response.status().as_u16(), started.elapsed());
    response
}

/// Removes NUL characters from form and JSON bodies before any handler reads them: nobody
/// types one on purpose, and PostgreSQL refuses them in text (the write failed with a 500).
/// Removing them keeps everything else the person typed, where a refusal would lose it.
pub async fn strip_nul_from_bodies(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let pattern: &[u8] = if content_type.starts_with("application/x-www-form-urlencoded") {
        b"%00"
    } else if content_type.starts_with("application/json") {
        b"\\u0000"
    } else {
        return next.run(request).await;
    };
    let limit = (state.config().server.max_body_mb as usize).saturating_mul(1024 * 1024);
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        let error = AppError::BadRequest(format!(
            "the request body is larger than {} MB, or was cut off",
            state.config().server.max_body_mb
        ));
        return if parts.uri.path().starts_with("/api/") {
            crate::error::ApiError(error).into_response()
        } else {
            crate::error::PageError(error).into_response()
        };
    };
    let cleaned = if bytes.windows(pattern.len()).any(|w| w.eq_ignore_ascii_case(pattern)) {
        axum::body::Bytes::from(remove_all(&bytes, pattern))
    } else {
        bytes
    };
    next.run(Request::from_parts(parts, axum::body::Body::from(cleaned))).await
}

fn remove_all(bytes: &[u8], pattern: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.len() - i >= pattern.len() && bytes[i..i + pattern.len()].eq_ignore_ascii_case(pattern) {
            i += pattern.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// True when the address, decoded, would hold a NUL character.
fn has_nul(uri: &axum::http::Uri) -> bool {
    let text = uri.path_and_query().map(|p| p.as_str()).unwrap_or("");
    text.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// A handler that panics (a bug) answers like any other internal error: the error page in the
/// site's language, or the API's JSON error, and the panic in the log. Without this the
/// connection's thread would answer a bare 500.
pub async fn catch_panics(request: Request, next: Next) -> Response {
    use futures_util::FutureExt;
    // Kept for the rare panic: cloning the address shares its bytes, it copies nothing.
    let uri = request.uri().clone();
    match std::panic::AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            let error = AppError::Internal(format!("a handler panicked on {}: {what}", uri.path()));
            if uri.path().starts_with("/api/") {
                crate::error::ApiError(error).into_response()
            } else {
                crate::error::PageError(error).into_response()
            }
        }
    }
}

/// Renders the HTML body of error responses marked by `PageError`, in the site's language and
/// look. Done here because this layer has the state that `IntoResponse` lacks.
pub async fn render_error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The page's language: its prefix (/ar/...) if it has one, else the site's default.
    let asked = crate::web::lang::lang_of_path(request.uri().path());
    let old_address = (request.method() == axum::http::Method::GET).then(|| match request.uri().query() {
        Some(query) => format!("{}?{query}", request.uri().path()),
        None => request.uri().path().to_string(),
    });
    // A NUL byte is never part of an address we serve, and PostgreSQL refuses it in text: such
    // a request is answered here, before any handler passes it to a query.
    // `/?p=123` is an old WordPress link, not the front page: its new address, if imported.
    if request.method() == axum::http::Method::GET
        && crate::news::old_addresses::is_legacy_query(request.uri().path(), request.uri().query())
        && let Some(old) = &old_address
        && let Ok(Some(to)) = crate::store::redirects::target(state.db(), old).await
    {
        return moved_permanently(&to);
    }
    let response = if has_nul(request.uri()) {
        let error = AppError::BadRequest("the address contains a NUL character".into());
        if request.uri().path().starts_with("/api/") {
            crate::error::ApiError(error).into_response()
        } else {
            crate::error::PageError(error).into_response()
        }
    } else {
        next.run(request).await
    };
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
    // Header values are ASCII: an Arabic slug travels percent-encoded.
    let location = crate::urls::header_safe(to);
    if let Ok(value) = HeaderValue::from_str(&location) {
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

/// Serves reader pages from the page cache, and fills it. A handler opts a response in by
/// attaching `cache::Cacheable`; everything else passes through. Reads are counted here, so
/// a page from the cache counts like a rendered one.
pub async fn page_cache(State(state): State<AppState>, request: Request, next: Next) -> Response {
    use crate::cache::{Cacheable, Encoding};
    if request.method() != axum::http::Method::GET {
        return next.run(request).await;
    }
    let headers = request.headers();
    let encoding =
        Encoding::negotiate(headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or(""));
    let if_none_match = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_string);
    let is_bot =
        crate::web::client::is_bot(headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or(""));
    let cacheable_key = match request.uri().query() {
        None => Some(request.uri().path().to_string()),
        Some(q) if is_page_query(q) => Some(format!("{}?{q}", request.uri().path())),
        Some(_) => None,
    };
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_default();
    let cache = state.cache();
    let now = crate::store::now_ms();
    let hit = |entry: &crate::cache::Entry| {
        state.metrics().cache_hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        count_read(&state, entry.article_id, is_bot, now);
        cached_response(entry, encoding, if_none_match.as_deref())
    };
    // A miss is rendered by one request; the others asking for the same page meanwhile wait
    // for it (a shared link brings thousands at once to a page nobody has asked for yet).
    let mut _rendering = None;
    if let Some(key) = cacheable_key.as_deref().filter(|_| cache.enabled()) {
        if let Some(entry) = cache.get(key, now) {
            return hit(&entry);
        }
        match cache.render_or_wait(key).await {
            Some(guard) => _rendering = Some(guard),
            None => {
                if let Some(entry) = cache.get(key, crate::store::now_ms()) {
                    return hit(&entry);
                }
            }
        }
    }
    let response = next.run(request).await;
    // The database is unreachable: readers get the page as it last was rather than an error.
    if response.status() == axum::http::StatusCode::SERVICE_UNAVAILABLE
        && let Some(entry) = cacheable_key.as_deref().and_then(|key| cache.last_copy(key))
    {
        state.metrics().cache_hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut stale = cached_response(&entry, encoding, None);
        // Not for a CDN to keep: it is only the best this node has while the database is away.
        stale.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return stale;
    }
    let Some(mut meta) = response.extensions().get::<Cacheable>().cloned() else {
        return response;
    };
    meta.route = route;
    if response.status() != axum::http::StatusCode::OK {
        return response;
    }
    count_read(&state, meta.article_id, is_bot, now);
    let Some(key) = cacheable_key.filter(|_| cache.enabled()) else {
        return response;
    };
    state.metrics().cache_misses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/html; charset=utf-8")
        .to_string();
    let body = match axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024).await {
        Ok(body) => body,
        Err(_) => return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    // Compressing takes a millisecond or two: off the async threads.
    let entry = {
        let state = state.clone();
        match tokio::task::spawn_blocking(move || state.cache().put(key, body, content_type, &meta, now)).await {
            Ok(entry) => entry,
            Err(_) => return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    };
    cached_response(&entry, encoding, if_none_match.as_deref())
}

fn count_read(state: &AppState, article_id: Option<i64>, is_bot: bool, now: i64) {
    if let Some(id) = article_id
        && !is_bot
    {
        state.counters().add_read(id, crate::render::dates::local_day(now, state.site().tz()));
        state.metrics().reads_counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The response for a cached page in the chosen encoding, or 304 when the client has it.
fn cached_response(
    entry: &crate::cache::Entry,
    encoding: crate::cache::Encoding,
    if_none_match: Option<&str>,
) -> Response {
    use crate::cache::Encoding;
    let h = &entry.headers;
    let (body, index) = match encoding {
        Encoding::Identity => (&entry.identity, 0),
        Encoding::Gzip => (&entry.gzip, 1),
        Encoding::Brotli => (&entry.brotli, 2),
    };
    let etag_text = h.etags[index].to_str().unwrap_or("");
    let not_modified =
        if_none_match.is_some_and(|inm| inm.split(',').any(|t| t.trim() == etag_text || t.trim() == "*"));
    let mut response = if not_modified {
        axum::http::StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(axum::body::Body::from(body.clone()))
    };
    *response.headers_mut() = h.full[index].clone();
    if not_modified {
        // A 304 has no body to describe.
        response.headers_mut().remove(header::CONTENT_TYPE);
        response.headers_mut().remove(header::CONTENT_ENCODING);
    }
    response
}
