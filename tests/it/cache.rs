//! The page cache: compressed variants, validators and 304s, CDN headers, and invalidation
//! that keeps pages right after publishing, editing, comments and settings.

use std::io::Read as _;

use axum::body::Body;
use axum::http::Request;
use gazette::news::Role;
use sqlx::Row;

use crate::on_both_engines;
use crate::support::TestApp;

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> crate::support::TestResponse {
    let mut request = Request::get(path);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    app.request(request.body(Body::empty()).unwrap()).await
}

async fn raw(app: &TestApp, path: &str, accept: &str) -> (Vec<u8>, String) {
    use tower::ServiceExt;
    let response = app
        .router
        .clone()
        .oneshot(Request::get(path).header("accept-encoding", accept).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let coding =
        response.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec(), coding)
}

async fn pages_are_cached_compressed_and_revalidated(app: TestApp) {
    app.with_demo().await;
    let first = get_with(&app, "/", &[]).await;
    let second = get_with(&app, "/", &[]).await;
    assert_eq!(first.body, second.body);
    let etag = second.header("etag").to_string();
    assert!(etag.starts_with('"'), "{etag}");
    assert!(!second.header("last-modified").is_empty());
    // Browsers revalidate every view (so every view is counted); a CDN may keep a minute.
    assert_eq!(second.header("cache-control"), "public, max-age=0, must-revalidate, s-maxage=60");
    assert_eq!(second.header("vary"), "Accept-Encoding");
    let not_modified = get_with(&app, "/", &[("if-none-match", &etag)]).await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());
    // Brotli and gzip variants hold the same page.
    let (identity, _) = raw(&app, "/", "").await;
    let (br, coding) = raw(&app, "/", "gzip, br").await;
    assert_eq!(coding, "br");
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut std::io::Cursor::new(&br), &mut decoded).unwrap();
    assert_eq!(decoded, identity);
    assert!(br.len() * 4 < identity.len(), "compressed: {} -> {}", identity.len(), br.len());
    let (gz, coding) = raw(&app, "/", "gzip").await;
    assert_eq!(coding, "gzip");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut decoded).unwrap();
    assert_eq!(decoded, identity);
    // Each encoding has its own validator.
    let br_etag = get_with(&app, "/", &[("accept-encoding", "br")]).await.header("etag").to_string();
    assert_ne!(br_etag, etag);
    assert_eq!(get_with(&app, "/", &[("accept-encoding", "br"), ("if-none-match", &br_etag)]).await.status, 304);
    // An odd query string is not cached (it must not fill the cache).
    assert!(get_with(&app, "/?utm_source=x", &[]).await.header("etag").is_empty());
    assert!(get_with(&app, "/economie?page=1", &[]).await.header("etag").len() > 2, "page numbers are");
}

/// A page in the cache is answered before routing: with the same headers as when it was made
/// (security headers included), its read counted, and the request measured under its route.
async fn a_hit_is_answered_before_routing_with_every_header(app: TestApp) {
    app.with_demo().await;
    let article = crate::support::first_published_article(app.db()).await;
    let (id, path) = (article.id, article.path());
    let reader = [("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")];
    let (reads_before, _) = app.state.counters().unflushed(id);
    let made = get_with(&app, &path, &reader).await;
    let hit = get_with(&app, &path, &reader).await;
    assert_eq!(made.status, 200);
    assert_eq!(hit.status, 200);
    assert_eq!(hit.body, made.body);
    for name in [
        "content-type",
        "etag",
        "last-modified",
        "cache-control",
        "vary",
        "surrogate-key",
        "cache-tag",
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
        "permissions-policy",
    ] {
        assert!(!hit.header(name).is_empty(), "{name} on the hit");
        assert_eq!(hit.header(name), made.header(name), "{name}");
    }
    let (reads_after, _) = app.state.counters().unflushed(id);
    assert_eq!(reads_after - reads_before, 2, "the render and the hit are both reads");
    // A revalidation answered from memory says nothing of a body it does not send.
    let etag = hit.header("etag").to_string();
    let not_modified = get_with(&app, &path, &[("if-none-match", etag.as_str())]).await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.header("content-type").is_empty());
    assert_eq!(not_modified.header("x-frame-options"), "DENY");
    // Measured under the route pattern, hits included.
    let metrics = app.get("/metrics").await.body;
    let line = metrics
        .lines()
        .find(|l| l.starts_with("gazette_http_request_duration_seconds_count{route=\"/{section}/{slug}\"}"))
        .unwrap_or_default();
    let count: u64 = line.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(count >= 3, "{line:?}");
    let hits_line = metrics.lines().find(|l| l.starts_with("gazette_page_cache_hits_total")).unwrap_or_default();
    assert!(hits_line.rsplit(' ').next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0) >= 2, "{hits_line}");
}

async fn publishing_editing_and_comments_show_at_the_next_request(app: TestApp) {
    app.with_demo().await;
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    // Warm the cache.
    for path in ["/", "/economie", "/feeds/rss.xml", "/sitemaps/news.xml"] {
        get_with(&app, path, &[]).await;
        assert!(get_with(&app, path, &[]).await.header("etag").len() > 2, "{path} cached");
    }
    let created = app
        .post_json(
            "/api/v1/articles",
            &serde_json::json!({"title": "Flash : le port rouvre", "section": "economie", "status": "published"}),
            Some(&editor),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_i64().unwrap();
    for path in ["/", "/economie", "/feeds/rss.xml", "/sitemaps/news.xml"] {
        assert!(
            get_with(&app, path, &[]).await.body.contains("Flash : le port rouvre"),
            "{path} shows the new article"
        );
    }
    let path = format!("/economie/{}", created.json()["slug"].as_str().unwrap());
    get_with(&app, &path, &[]).await;
    // A comment approved shows on the article at the next request.
    let mut tx = app.db().begin().await.unwrap();
    let comment = gazette::store::comments::insert(
        &mut tx,
        &gazette::store::comments::NewComment {
            article_id: id,
            parent_id: None,
            author_name: "Lecteur".into(),
            author_email: "l@example.com".into(),
            author_website: String::new(),
            body: "Bonne nouvelle pour les dockers.".into(),
            language: "fr".into(),
            status: gazette::news::CommentStatus::Pending,
            refusal_reason: None,
            screening: "{}".into(),
            ip_hash: String::new(),
            created_at: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.staff_user("modo@example.ma", Role::Moderator, "correct horse battery").await;
    let moderator = app.login("modo@example.ma", "correct horse battery").await.unwrap();
    assert!(!get_with(&app, &path, &[]).await.body.contains("Bonne nouvelle pour les dockers"));
    app.post_form("/redaction/commentaires", &moderator, &[("action", &format!("approve:{comment}"))]).await;
    assert!(get_with(&app, &path, &[]).await.body.contains("Bonne nouvelle pour les dockers"), "approval shows");
    // Unpublishing removes it everywhere at once.
    sqlx::query("update articles set status = 'unpublished' where id = $1")
        .bind(id)
        .execute(app.db().writer())
        .await
        .unwrap();
    app.state.article_changed(id);
    assert_eq!(get_with(&app, &path, &[]).await.status, 404);
    assert!(!get_with(&app, "/", &[]).await.body.contains("Flash : le port rouvre"));
    // Settings changed: every page follows.
    let mut site = (*app.state.site()).clone();
    site.name = "Le Nouveau Journal".into();
    let mut tx = app.db().begin().await.unwrap();
    gazette::store::settings::save_site(&mut tx, &site).await.unwrap();
    tx.commit().await.unwrap();
    app.state.reload_site().await.unwrap();
    assert!(get_with(&app, "/economie", &[]).await.body.contains("Le Nouveau Journal"));
    let entries: i64 =
        sqlx::query("select count(*) as n from articles").fetch_one(app.db().reader()).await.unwrap().get("n");
    assert!(entries > 0);
}

async fn a_cdn_can_purge_by_tag_and_admins_can_purge_the_cache(app: TestApp) {
    app.with_demo().await;
    let front = get_with(&app, "/", &[]).await;
    assert_eq!(front.header("surrogate-key"), "listings:fr site");
    assert_eq!(front.header("cache-tag"), "listings:fr,site");
    let article = get_with(&app, "/economie", &[]).await;
    let path =
        article.body.split("class=\"card-title\"><a href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let page = get_with(&app, &path, &[]).await;
    assert!(page.header("surrogate-key").starts_with("article:"), "{}", page.header("surrogate-key"));
    let misses = || app.state.metrics().cache_misses.load(std::sync::atomic::Ordering::Relaxed);
    // Only an administrator may purge.
    let journalist = app.staff_token("j@example.com", Role::Journalist).await;
    let refused = app.post_json("/api/v1/cache/purge", &serde_json::json!({}), Some(&journalist)).await;
    assert_eq!(refused.status, 403);
    assert_eq!(app.post_json("/api/v1/cache/purge", &serde_json::json!({}), None).await.status, 401);
    let admin = app.staff_token("a@example.com", Role::Admin).await;
    let bad = app.post_json("/api/v1/cache/purge", &serde_json::json!({"tag": "site"}), Some(&admin)).await;
    assert_eq!(bad.status, 400, "unknown fields are refused: {}", bad.body);
    // Purging one article's tag drops its page and nothing else.
    let tag = page.header("surrogate-key").split(' ').next().unwrap().to_string();
    let before = misses();
    let purged = app.post_json("/api/v1/cache/purge", &serde_json::json!({"tags": [tag]}), Some(&admin)).await;
    assert_eq!(purged.status, 200, "{}", purged.body);
    get_with(&app, "/", &[]).await;
    assert_eq!(misses(), before, "the front page stayed cached");
    get_with(&app, &path, &[]).await;
    assert_eq!(misses(), before + 1, "the article page was rendered again");
    // No body: everything goes.
    let request = Request::post("/api/v1/cache/purge")
        .header("authorization", format!("Bearer {admin}"))
        .body(Body::empty())
        .unwrap();
    let all = app.request(request).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.json()["purged"], "all");
    get_with(&app, "/", &[]).await;
    assert_eq!(misses(), before + 2, "the front page was rendered again");
    let logged: i64 = sqlx::query("select count(*) as n from audit_log where action = 'cache.purge'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(logged, 2);
}

on_both_engines!(
    pages_are_cached_compressed_and_revalidated,
    publishing_editing_and_comments_show_at_the_next_request,
    a_cdn_can_purge_by_tag_and_admins_can_purge_the_cache,
    a_hit_is_answered_before_routing_with_every_header
);
