//! The reader site and the operations endpoints, through the real router.

use gazette::news::Role;

use crate::on_both_engines;
use crate::support::TestApp;

async fn demo_front_page_shows_the_newest_articles(app: TestApp) {
    app.with_demo().await;
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"fr\" dir=\"ltr\">"), "{}", &page.body[..200]);
    assert!(page.body.contains("La Gazette"));
    assert!(page.body.contains("Actualité"), "the sections menu is there");
    assert!(page.body.contains("12, boulevard de la Corniche"), "the footer identity is there");
    // Drafts and scheduled articles stay off the site.
    assert!(!page.body.contains("Brouillon :"));
    assert!(!page.body.contains("Programmé :"));
}

async fn article_page_renders_and_wrong_section_redirects(app: TestApp) {
    app.with_demo().await;
    let list = app.get("/api/v1/articles?section=economie&lang=fr&per_page=1").await.json();
    let first = &list["items"][0];
    let (section, slug) = (first["section_slug"].as_str().unwrap(), first["slug"].as_str().unwrap());
    let page = app.get(&format!("/{section}/{slug}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(first["title"].as_str().unwrap().split('\'').next().unwrap()));
    assert!(page.body.contains("Publié le"));
    let moved = app.get(&format!("/sport/{slug}")).await;
    assert_eq!(moved.status, 301, "an article asked under another section answers with a permanent redirect");
    assert_eq!(moved.header("location"), format!("/{section}/{slug}"));
}

async fn unknown_page_is_a_french_html_404(app: TestApp) {
    let page = app.get("/nulle/part/ici").await;
    assert_eq!(page.status, 404);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.body.contains("Page introuvable"));
    assert!(!page.body.contains("sqlx"));
}

async fn healthz_answers_503_when_the_database_is_gone(app: TestApp) {
    assert_eq!(app.get("/healthz").await.status, 200);
    app.db().close().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 503);
    // A reader page gets the site's error page, not a stack trace.
    let page = app.get("/").await;
    assert_eq!(page.status, 503);
    assert!(page.body.contains("momentanément indisponible"), "{}", page.body);
    assert!(!page.body.to_lowercase().contains("pool"));
}

async fn metrics_count_requests_by_route_and_jobs(app: TestApp) {
    app.get("/healthz").await;
    app.get("/no/route/has/this/many/segments").await;
    let token = app.staff_token("ed@example.com", Role::Editor).await;
    app.post_json("/api/v1/articles", &serde_json::json!({"title": "Plus tard", "section": "x"}), Some(&token)).await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.header("content-type").starts_with("text/plain"));
    assert!(
        metrics.body.contains("gazette_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("route=\"(unmatched)\",status=\"404\""));
    assert!(metrics.body.contains("gazette_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1"));
    assert!(metrics.body.contains("gazette_jobs{status=\"queued\"}"));
    assert!(metrics.body.contains("gazette_page_cache_hits_total"));
}

async fn security_headers_are_on_every_answer(app: TestApp) {
    for path in ["/", "/healthz", "/nope", "/api/v1/sections"] {
        let response = app.get(path).await;
        let csp = response.header("content-security-policy");
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(response.header("x-content-type-options"), "nosniff");
        assert!(!response.header("referrer-policy").is_empty());
        assert!(!response.header("permissions-policy").is_empty());
    }
}

async fn static_assets_have_hashed_names_and_long_caching(app: TestApp) {
    let page = app.get("/").await;
    let start = page.body.find("/static/site.").unwrap();
    let tail = &page.body[start..];
    let href: String = tail[..tail.find('"').unwrap()].to_string();
    assert!(href.len() > "/static/site..css".len() + 8, "{href}");
    let css = app.get(&href).await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.header("cache-control").contains("immutable"));
    assert_eq!(app.get("/static/site.css").await.status, 404, "only hashed names are served");
}

async fn media_cannot_escape_its_directory(app: TestApp) {
    app.with_demo().await;
    assert_eq!(app.get("/media/..%2F..%2Fetc%2Fpasswd").await.status, 404);
    assert_eq!(app.get("/media/../gazette.db").await.status, 404);
}

/// A handler that panics (a bug) gets the site's error page, or the API's JSON error, like any
/// internal error: never a bare 500, never the panic's message; the site goes on serving.
async fn a_panicking_handler_answers_the_error_page(app: TestApp) {
    async fn boom() -> &'static str {
        panic!("secret detail of a bug")
    }
    let routes = axum::Router::new()
        .route("/ar/boom", axum::routing::get(boom))
        .route("/boom", axum::routing::get(boom))
        .route("/api/v1/boom", axum::routing::get(boom));
    let router = gazette::web::with_layers(app.state.clone(), routes);
    let ask = |path: &'static str| {
        let router = router.clone();
        async move {
            use tower::ServiceExt;
            let request = axum::http::Request::get(path).body(axum::body::Body::empty()).unwrap();
            let response = router.oneshot(request).await.unwrap();
            let (status, headers) = (response.status(), response.headers().clone());
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            (status, headers, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, headers, body) = ask("/boom").await;
    assert_eq!(status, 500);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"), "{headers:?}");
    assert!(body.contains("Erreur du serveur") && body.contains("<footer"), "the site's page: {body}");
    assert!(!body.contains("secret detail"), "{body}");
    assert!(headers.contains_key("content-security-policy"), "the security headers are on it");
    let (status, _, body) = ask("/ar/boom").await;
    assert_eq!(status, 500);
    assert!(body.contains("dir=\"rtl\""), "in the page's language: {body}");
    let (status, headers, body) = ask("/api/v1/boom").await;
    assert_eq!(status, 500);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"]["code"], "internal", "{body}");
    assert!(!body.contains("secret detail"), "{body}");
    assert_eq!(app.get("/").await.status, 200, "the site goes on");
}

on_both_engines!(
    a_panicking_handler_answers_the_error_page,
    demo_front_page_shows_the_newest_articles,
    article_page_renders_and_wrong_section_redirects,
    unknown_page_is_a_french_html_404,
    healthz_answers_503_when_the_database_is_gone,
    metrics_count_requests_by_route_and_jobs,
    security_headers_are_on_every_answer,
    static_assets_have_hashed_names_and_long_caching,
    media_cannot_escape_its_directory,
);
