//! Attacks on the router: forged cross-site requests on every state-changing route, walked
//! from the router's own route table so that a new route cannot be forgotten.

use axum::body::Body;
use axum::http::Request;
use gazette::news::Role;
use sqlx::Row;

use crate::on_both_engines;
use crate::support::{Login, TestApp, TestResponse, urlenc};

const PASSWORD: &str = "correct horse battery";

on_both_engines!(every_state_changing_route_refuses_a_forged_request);

/// What a route is, for the rule that protects it.
#[derive(Debug, PartialEq)]
enum Guard {
    /// Newsroom forms: the session's CSRF token, checked before anything else.
    SessionToken,
    /// Login, second factor, forgotten password, reset: a double-submit cookie.
    LoginCookie,
    /// The JSON API: a bearer token; cookies are never read.
    BearerToken,
    /// Reader forms (comments, likes, subscriptions): same-origin checks and signed tokens.
    SameOrigin,
    /// One-click unsubscribe (RFC 8058): the secret token in the address is the guard.
    AddressToken,
}

fn guard_of(path: &str) -> Guard {
    if path.starts_with("/api/") {
        Guard::BearerToken
    } else if path == "/redaction/connexion"
        || path == "/redaction/connexion/code"
        || path == "/redaction/mot-de-passe-oublie"
        || path.starts_with("/redaction/reinitialiser/")
    {
        Guard::LoginCookie
    } else if path.starts_with("/redaction") {
        Guard::SessionToken
    } else if path.starts_with("/commentaires/desabonner/") {
        Guard::AddressToken
    } else {
        Guard::SameOrigin
    }
}

/// The route's pattern with real values: a published article, an existing id.
fn concrete(pattern: &str, section: &str, slug: &str, article_id: i64) -> String {
    pattern
        .replace("{section}", section)
        .replace("{slug}", slug)
        .replace("{id}", &article_id.to_string())
        .replace("{version}", "1")
        .replace("{token}", "0123456789abcdef0123456789abcdef")
}

async fn post(app: &TestApp, path: &str, headers: &[(&str, &str)], fields: &[(&str, &str)]) -> TestResponse {
    if path == "/redaction/medias" {
        return post_multipart(app, path, headers, fields).await;
    }
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}={}", urlenc(k), urlenc(v))).collect();
    let mut request = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.request(request.body(Body::from(body.join("&"))).unwrap()).await
}

/// The upload form is multipart: the same fields, and a small picture as the file.
async fn post_multipart(app: &TestApp, path: &str, headers: &[(&str, &str)], fields: &[(&str, &str)]) -> TestResponse {
    let boundary = "attackboundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"forged.png\"\r\n\
             content-type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(&png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = Request::post(path).header("content-type", format!("multipart/form-data; boundary={boundary}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.request(request.body(Body::from(body)).unwrap()).await
}

/// A section to file test articles in.
async fn first_section_slug(app: &TestApp) -> String {
    sqlx::query("select slug from sections order by id limit 1")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .try_get("slug")
        .unwrap()
}

/// Everything a forged request could have changed, summed up.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "select count(*) as n from articles",
        "select coalesce(max(updated_at), 0) as n from articles",
        "select coalesce(max(version), 0) as n from articles",
        "select count(*) as n from comments",
        "select count(*) as n from comments where status = 'approved'",
        "select count(*) as n from comment_subscriptions",
        "select count(*) as n from sections",
        "select coalesce(max(updated_at), 0) as n from sections",
        "select count(*) as n from users",
        "select cast(coalesce(sum(disabled), 0) as bigint) as n from users",
        "select count(*) as n from media",
        "select count(*) as n from settings",
        "select coalesce(max(updated_at), 0) as n from settings",
        "select count(*) as n from audit_log",
        "select count(*) as n from jobs",
    ] {
        let row = sqlx::query(sql).fetch_one(app.db().reader()).await.unwrap();
        out.push(row.try_get::<i64, _>("n").unwrap());
    }
    out
}

async fn every_state_changing_route_refuses_a_forged_request(app: TestApp) {
    app.with_demo().await;
    app.staff_user("admin@example.ma", Role::Admin, PASSWORD).await;
    let admin: Login = app.login("admin@example.ma", PASSWORD).await.unwrap_or_else(|r| panic!("login: {}", r.status));
    let crate::support::PublishedArticle { id: article_id, slug, section } =
        crate::support::first_published_article(app.db()).await;
    let before = fingerprint(&app).await;

    let posts: Vec<String> =
        gazette::web::all_routes().into_iter().filter(|(method, _)| *method == "post").map(|(_, p)| p).collect();
    assert!(posts.len() >= 30, "the route table was read: {} POST routes", posts.len());
    let mut walked = std::collections::BTreeMap::<String, usize>::new();
    for pattern in &posts {
        let path = concrete(pattern, &section, &slug, article_id);
        let guard = guard_of(&path);
        *walked.entry(format!("{guard:?}")).or_default() += 1;
        // Fields a real form would carry, so that only the missing token can explain a refusal.
        let fields = [
            ("title", "forgé"),
            ("body", "Un commentaire forgé par un autre site."),
            ("name", "Forgeur"),
            ("email", "forgeur@example.com"),
            ("email_confirmation", "forgeur@example.com"),
            ("password", PASSWORD),
            ("action", "publish"),
            ("role", "admin"),
        ];
        match guard {
            Guard::SessionToken => {
                // A logged-in admin lured to a hostile page: the browser sends the cookie,
                // but the page cannot know the token.
                let cookie = [("cookie", admin.cookie.as_str())];
                let without = post(&app, &path, &cookie, &fields).await;
                assert_eq!(without.status, 403, "{pattern} without a token answered {}", without.status);
                let mut forged = fields.to_vec();
                forged.push(("csrf", "0000000000000000000000000000000000000000"));
                let wrong = post(&app, &path, &cookie, &forged).await;
                assert_eq!(wrong.status, 403, "{pattern} with a wrong token answered {}", wrong.status);
                // Another session's token does not do either.
                let mut borrowed = fields.to_vec();
                borrowed.push(("csrf", admin.csrf.as_str()));
                let anonymous = post(&app, &path, &[], &borrowed).await;
                assert!(
                    anonymous.status == 303 && anonymous.header("location").starts_with("/redaction/connexion"),
                    "{pattern} without a session answered {} {}",
                    anonymous.status,
                    anonymous.header("location")
                );
            }
            Guard::LoginCookie => {
                // A login form posted from elsewhere (login CSRF): no cookie, no session.
                let mut forged = fields.to_vec();
                forged.push(("csrf", "0123456789abcdef0123456789abcdef"));
                let response = post(&app, &path, &[], &forged).await;
                assert!(
                    response.status == 422 || response.status == 404,
                    "{pattern} without its cookie answered {}",
                    response.status
                );
                assert!(
                    crate::support::set_cookie_value(&response, "gz_session").is_none(),
                    "{pattern} opened a session for a forged form"
                );
            }
            Guard::BearerToken => {
                // The session cookie is not a credential for the API.
                let response = post(&app, &path, &[("cookie", admin.cookie.as_str())], &fields).await;
                assert_eq!(response.status, 401, "{pattern} with only a cookie answered {}", response.status);
                assert!(response.body.contains("\"error\""), "{pattern}: a JSON error: {}", response.body);
            }
            Guard::SameOrigin => {
                for hostile in [
                    [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")],
                    [("origin", "null"), ("sec-fetch-site", "cross-site")],
                ] {
                    let response = post(&app, &path, &hostile, &fields).await;
                    assert_eq!(response.status, 403, "{pattern} from {:?} answered {}", hostile[0], response.status);
                }
                let response = post(&app, &path, &[("sec-fetch-site", "same-site")], &fields).await;
                assert_eq!(response.status, 403, "{pattern} from a sibling site answered {}", response.status);
            }
            Guard::AddressToken => {
                let response =
                    post(&app, &path, &[("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")], &[])
                        .await;
                // A mail client's one-click request carries no origin; an unknown token simply
                // unsubscribes nobody (the fingerprint below checks that nothing changed).
                assert!(
                    response.status == 200 || response.status == 404,
                    "{pattern} with an unknown token answered {}",
                    response.status
                );
            }
        }
    }
    // Every kind of guard was met, and the table did not hide a route from the walk.
    for kind in ["SessionToken", "LoginCookie", "BearerToken", "SameOrigin", "AddressToken"] {
        assert!(walked.get(kind).copied().unwrap_or(0) > 0, "no {kind} route walked: {walked:?}");
    }
    assert_eq!(walked.values().sum::<usize>(), posts.len());
    assert_eq!(fingerprint(&app).await, before, "a forged request changed something");
}

on_both_engines!(staff_reach_only_what_their_role_and_ownership_allow);

/// Object-level checks found by reading the handlers: a journalist restoring a revision into
/// a published article, and any token reading anyone's drafts through the API.
async fn staff_reach_only_what_their_role_and_ownership_allow(app: TestApp) {
    app.with_demo().await;
    let editor = app.staff_token("editor@example.ma", Role::Editor).await;
    let moderator = app.staff_token("moderator@example.ma", Role::Moderator).await;
    let other = app.staff_token("other@example.ma", Role::Journalist).await;
    app.staff_user("journalist@example.ma", Role::Journalist, PASSWORD).await;
    let journalist = app.login("journalist@example.ma", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
    let own = gazette::secrets::random_token(16);
    let mut tx = app.db().begin().await.unwrap();
    gazette::store::api_tokens::insert(&mut tx, journalist.user_id, "test", &gazette::secrets::hash_token(&own), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let section = first_section_slug(&app).await;
    let created = app
        .post_json(
            "/api/v1/articles",
            &serde_json::json!({"title": "Brouillon de la journaliste", "section": section, "body_markdown": "Premier jet."}),
            Some(&own),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();

    // The draft: its author and editors see it through the API; nobody else learns it exists.
    let path = format!("/api/v1/articles/{id}");
    for (who, token, expected) in [
        ("its author", Some(own.as_str()), 200),
        ("an editor", Some(editor.as_str()), 200),
        ("another journalist", Some(other.as_str()), 404),
        ("a moderator", Some(moderator.as_str()), 404),
        ("nobody", None, 404),
    ] {
        let mut request = Request::get(&path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = app.request(request.body(Body::empty()).unwrap()).await;
        assert_eq!(response.status, expected, "{who} reading a draft: {}", response.body);
    }

    // Published by an editor, the article is the editors' now: its author may not restore an
    // old revision over the live text.
    let published =
        app.post_json(&format!("/api/v1/articles/{id}/publish"), &serde_json::json!({}), Some(&editor)).await;
    assert_eq!(published.status, 200, "{}", published.body);
    let restore = app.post_form(&format!("/redaction/articles/{id}/revisions/1/restaurer"), &journalist, &[]).await;
    assert_eq!(restore.status, 403, "a journalist restored a revision into a published article");
    let title: String = sqlx::query("select title from articles where id = $1")
        .bind(id)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .try_get("title")
        .unwrap();
    assert_eq!(title, "Brouillon de la journaliste");
}

on_both_engines!(no_redirect_leaves_the_newsroom_and_every_answer_carries_the_headers);

async fn no_redirect_leaves_the_newsroom_and_every_answer_carries_the_headers(app: TestApp) {
    app.with_demo().await;
    app.staff_user("editor@example.ma", Role::Editor, PASSWORD).await;
    // Where a successful login goes: only ever into the newsroom.
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/redaction/../evil",
        "/redaction/%2e%2e/evil",
        "/redactionevil.example",
        "/redaction\r\nSet-Cookie: pwned=1",
        "javascript:alert(1)",
    ] {
        let page = app.get("/redaction/connexion").await;
        let login_cookie = crate::support::set_cookie_value(&page, "gz_login").unwrap();
        let csrf = crate::support::csrf_in(&page.body);
        let response = post(
            &app,
            "/redaction/connexion",
            &[("cookie", &format!("gz_login={login_cookie}"))],
            &[("csrf", &csrf), ("email", "editor@example.ma"), ("password", PASSWORD), ("next", next)],
        )
        .await;
        assert_eq!(response.status, 303, "login with next={next:?}: {}", response.status);
        let location = response.header("location");
        assert_eq!(location, "/redaction", "next={next:?} led to {location:?}");
        assert!(response.headers.get("set-cookie").is_some_and(|c| !c.to_str().unwrap().contains("pwned")));
    }

    // The headers, on every kind of answer: a cached page and its hit, a newsroom page, a
    // refused form, an error page, the API, a static file.
    let editor = app.login("editor@example.ma", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
    let article = crate::support::first_published_article(app.db()).await.path();
    let mut answers = vec![
        ("article", app.get(&article).await),
        ("article again (cached)", app.get(&article).await),
        ("front", app.get("/").await),
        ("missing page", app.get("/nulle-part/rien").await),
        ("api", app.get("/api/v1/sections").await),
        ("newsroom", app.get_as("/redaction/articles", &editor.cookie).await),
        ("refused form", post(&app, "/redaction/reglages", &[("cookie", &editor.cookie)], &[]).await),
        ("feed", app.get("/feeds/rss").await),
    ];
    let stylesheet =
        answers[2].1.body.split("href=\"/static/").nth(1).and_then(|s| s.split('"').next()).map(String::from);
    if let Some(name) = stylesheet {
        answers.push(("static file", app.get(&format!("/static/{name}")).await));
    }
    for (what, response) in &answers {
        let csp = response.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{what}: CSP {csp:?}"
        );
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{what}: CSP {csp:?}");
        assert_eq!(response.header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(response.header("referrer-policy"), "strict-origin-when-cross-origin", "{what}");
        assert!(response.header("permissions-policy").contains("camera=()"), "{what}");
    }
    assert_eq!(answers[1].1.status, 200);
    assert_eq!(answers[3].1.status, 404);
    assert_eq!(answers[6].1.status, 403);
    // Pages with something private are never kept by a browser or a proxy.
    assert!(answers[5].1.header("cache-control").contains("no-store"), "newsroom pages are not cached");
}

on_both_engines!(injection_payloads_in_every_address_and_query_change_nothing);

/// SQL (and path) injection payloads in every parameter of every GET route, and in the query
/// strings the reader pages read: never a server error, never a change, never a leak.
async fn injection_payloads_in_every_address_and_query_change_nothing(app: TestApp) {
    app.with_demo().await;
    let before = fingerprint(&app).await;
    let payloads = [
        "' OR '1'='1",
        "1 OR 1=1",
        "1; DROP TABLE articles; --",
        "\" OR \"\"=\"",
        "1' UNION SELECT password_hash, email FROM users --",
        "') OR ('x'='x",
        "1)) OR sleep(5)--",
        "$1",
        "%27%20OR%201%3D1--",
        "../../etc/passwd",
        "\u{0}",
        "-1",
        "99999999999999999999999",
        "*",
        "\"gouvernement\" OR body:*",
        "NEAR(a b, 1)",
    ];
    let gets: Vec<String> =
        gazette::web::all_routes().into_iter().filter(|(method, _)| *method == "get").map(|(_, p)| p).collect();
    let mut requests = 0;
    for pattern in &gets {
        if !pattern.contains('{') {
            continue;
        }
        for payload in payloads {
            let encoded = urlenc(payload);
            let path = pattern
                .replace("{*name}", &encoded)
                .replace("{*key}", &encoded)
                .split('/')
                .map(
                    |part| {
                        if part.starts_with('{') && part.ends_with('}') { encoded.clone() } else { part.to_string() }
                    },
                )
                .collect::<Vec<_>>()
                .join("/");
            let response = app.get(&path).await;
            requests += 1;
            assert!(response.status.as_u16() < 500, "{path} answered {}: {}", response.status, response.body);
        }
    }
    for payload in payloads {
        let p = urlenc(payload);
        for path in [
            format!("/recherche?q={p}"),
            format!("/recherche?q=gouvernement&section={p}&lang={p}&from={p}&to={p}&page={p}"),
            format!("/ar/recherche?q={p}"),
            format!("/?page={p}"),
            format!("/actualite?page={p}"),
            format!("/api/v1/articles?section={p}&page={p}&per_page={p}&lang={p}"),
            format!("/commentaires/effacer?email={p}&sig={p}"),
            format!("/apercu/1?expires={p}&sig={p}"),
        ] {
            let response = app.get(&path).await;
            requests += 1;
            assert!(response.status.as_u16() < 500, "{path} answered {}: {}", response.status, response.body);
            assert!(!response.body.contains("$argon2"), "{path} leaked a password hash");
        }
    }
    assert!(requests > 300, "{requests} requests");
    assert_eq!(fingerprint(&app).await, before, "an injection payload changed something");
}

on_both_engines!(control_characters_in_forms_are_refused_or_removed_never_a_server_error);

/// NUL and other control characters in what strangers and staff type: PostgreSQL refuses NUL
/// in text, so it must never reach a query.
async fn control_characters_in_forms_are_refused_or_removed_never_a_server_error(app: TestApp) {
    app.with_demo().await;
    let row = sqlx::query(
        "select a.id, '/' || s.slug || '/' || a.slug as path from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' and a.comments_mode = 'open' order by a.id limit 1",
    )
    .fetch_one(app.db().reader())
    .await
    .unwrap();
    let (id, path): (i64, String) = (row.try_get("id").unwrap(), row.try_get("path").unwrap());
    let token =
        gazette::web::reader::comment_form::form_token(app.state.secret(), id, gazette::store::now_ms() - 10_000);
    let response = post(
        &app,
        &format!("{path}/commentaires"),
        &[("user-agent", "Mozilla/5.0 Firefox/140.0")],
        &[
            ("token", &token),
            ("name", "Nul\u{0}le"),
            ("email", "nul@example.com"),
            ("website", ""),
            ("body", "Un commentaire\u{0} avec un octet nul\u{7} et une cloche."),
        ],
    )
    .await;
    assert!(response.status.as_u16() < 500, "a comment with a NUL answered {}", response.status);
    let stored: i64 = sqlx::query("select count(*) as n from comments where body like '%' || chr(0) || '%'")
        .fetch_one(app.db().reader())
        .await
        .map(|r| r.try_get("n").unwrap())
        .unwrap_or(0);
    assert_eq!(stored, 0, "a NUL was stored");

    app.staff_user("editor@example.ma", Role::Editor, PASSWORD).await;
    let editor = app.login("editor@example.ma", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
    let response = app
        .post_form("/redaction/articles", &editor, &[("title", "Titre\u{0}nul"), ("body_markdown", "Texte\u{0}")])
        .await;
    assert!(response.status.as_u16() < 500, "an article with a NUL answered {}", response.status);
    let token = app.staff_token("api@example.ma", Role::Editor).await;
    let section = first_section_slug(&app).await;
    let response = app
        .post_json(
            "/api/v1/articles",
            &serde_json::json!({"title": "Titre\u{0}", "section": section, "body_markdown": "x"}),
            Some(&token),
        )
        .await;
    assert!(response.status.as_u16() < 500, "the API with a NUL answered {}", response.status);
}

on_both_engines!(floods_from_one_source_are_slowed_while_other_readers_are_served);

/// A form posted from a given address, as a browser would.
fn from_address(path: &str, body: String, address: &str, user_agent: &str) -> Request<Body> {
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", user_agent)
        .body(Body::from(body))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(address.parse().unwrap(), 40000)));
    request
}

/// Bursts, sent all at once: 40 comments and 100 likes (each with another user agent, so each
/// is a new "reader") from one address, while other readers read, comment and like. The burst
/// gets exactly its limits — counted in the writing transaction, so concurrency cannot slip
/// past them — and the others are served as usual.
async fn floods_from_one_source_are_slowed_while_other_readers_are_served(app: TestApp) {
    app.with_demo().await;
    let row = sqlx::query(
        "select a.id, '/' || s.slug || '/' || a.slug as path from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' and a.comments_mode = 'open' order by a.id limit 1",
    )
    .fetch_one(app.db().reader())
    .await
    .unwrap();
    let (id, path): (i64, String) = (row.get("id"), row.get("path"));
    let secret = app.state.secret().to_vec();
    let day = gazette::render::dates::local_day(gazette::store::now_ms(), app.state.site().tz());
    let like_token = gazette::web::reader::like::like_token(&secret, id, day);
    let comment = |n: usize, who: &str| {
        let token = gazette::web::reader::comment_form::form_token(&secret, id, gazette::store::now_ms() - 10_000);
        format!(
            "token={}&name={who}&email={who}{n}%40lecteurs.example&website=&body={}",
            urlenc(&token),
            urlenc(&format!("Avis numéro {n} de {who}, tout à fait argumenté."))
        )
    };
    let mut burst = Vec::new();
    for n in 0..40 {
        let request = from_address(
            &format!("{path}/commentaires"),
            comment(n, "rafale"),
            "10.66.0.1",
            "Mozilla/5.0 Firefox/140.0",
        );
        let app = app.clone_handle();
        burst.push(tokio::spawn(async move { ("comment", app.request(request).await.status.as_u16()) }));
    }
    for n in 0..100 {
        let request = from_address(
            &format!("{path}/like"),
            format!("token={like_token}"),
            "10.66.0.1",
            &format!("Mozilla/5.0 Firefox/{n}.0"),
        );
        let app = app.clone_handle();
        burst.push(tokio::spawn(async move { ("like", app.request(request).await.status.as_u16()) }));
    }
    // The other readers, at the same time.
    let mut others = Vec::new();
    for n in 0..10 {
        let (reader, page) = (app.clone_handle(), path.clone());
        others.push(tokio::spawn(async move { reader.get(&page).await.status.as_u16() }));
        let request = from_address(
            &format!("{path}/commentaires"),
            comment(n, "calme"),
            &format!("10.77.0.{n}"),
            "Mozilla/5.0 Safari/17",
        );
        let commenter = app.clone_handle();
        others.push(tokio::spawn(async move { commenter.request(request).await.status.as_u16() }));
        let request = from_address(
            &format!("{path}/like"),
            format!("token={like_token}"),
            &format!("10.88.0.{n}"),
            "Mozilla/5.0 Safari/17",
        );
        let liker = app.clone_handle();
        others.push(tokio::spawn(async move { liker.request(request).await.status.as_u16() }));
    }
    let mut outcome = std::collections::BTreeMap::new();
    for task in burst {
        let (kind, status) = task.await.unwrap();
        *outcome.entry((kind, status)).or_insert(0) += 1;
    }
    let per_address = app.state.site().comments.per_address_per_10_min as i32;
    let likes = gazette::counters::LIKES_PER_ADDRESS_PER_10_MIN as i32;
    assert_eq!(outcome.get(&("comment", 303)).copied().unwrap_or(0), per_address, "{outcome:?}");
    assert_eq!(outcome.get(&("comment", 429)).copied().unwrap_or(0), 40 - per_address, "{outcome:?}");
    assert_eq!(outcome.get(&("like", 303)).copied().unwrap_or(0), likes, "{outcome:?}");
    assert_eq!(outcome.get(&("like", 429)).copied().unwrap_or(0), 100 - likes, "{outcome:?}");
    for task in others {
        let status = task.await.unwrap();
        assert!(status == 200 || status == 303, "another reader was refused: {status}");
    }
    let stored: i64 = sqlx::query("select count(*) as n from comments where author_email like 'rafale%'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(stored, i64::from(per_address), "the burst stored exactly its limit");
}
