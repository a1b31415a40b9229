//! The JSON API and its OpenAPI document.

use gazette::news::Role;

use crate::on_both_engines;
use crate::support::{EngineChoice, Server, TestApp, TestDatabase, run_gazette};

async fn sections_and_articles_are_public(app: TestApp) {
    app.with_demo().await;
    let sections = app.get("/api/v1/sections").await;
    assert_eq!(sections.status, 200);
    let list = sections.json();
    assert!(list.as_array().unwrap().len() >= 8);
    assert!(list.as_array().unwrap().iter().any(|s| s["names"]["ar"] == "اقتصاد"));

    let articles = app.get("/api/v1/articles?per_page=5&lang=ar").await.json();
    assert_eq!(articles["items"].as_array().unwrap().len(), 5);
    assert_eq!(articles["total"], 65, "the demo has 65 Arabic articles");
    assert!(articles["items"].as_array().unwrap().iter().all(|a| a["language"] == "ar"));
    let all = app.get("/api/v1/articles").await.json();
    assert_eq!(all["total"], 189, "89 French + 65 Arabic + 35 English published");

    let id = articles["items"][0]["id"].as_i64().unwrap();
    let one = app.get(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(one.status, 200);
    let one = one.json();
    assert!(one["body_html"].as_str().unwrap().contains("<p>"));
    assert!(one["url"].as_str().unwrap().starts_with("http://"));
    assert!(!one.to_string().contains("@"), "no e-mail address in API output: {one}");
}

async fn errors_are_json_with_a_code(app: TestApp) {
    let missing = app.get("/api/v1/articles/999999").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "not_found");
    let bad = app.get("/api/v1/articles/abc").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["code"], "bad_request");
    let bad_lang = app.get("/api/v1/articles?lang=de").await;
    assert_eq!(bad_lang.status, 400);
    let anonymous = app.post_json("/api/v1/articles", &serde_json::json!({"title": "x", "section": "y"}), None).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.json()["error"]["code"], "unauthorized");
    let forged =
        app.post_json("/api/v1/articles", &serde_json::json!({"title": "x", "section": "y"}), Some("forged")).await;
    assert_eq!(forged.status, 401);
}

async fn roles_decide_what_a_token_may_write(app: TestApp) {
    app.with_demo().await;
    let journalist = app.staff_token("j@example.com", Role::Journalist).await;
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    let moderator = app.staff_token("m@example.com", Role::Moderator).await;

    let draft =
        serde_json::json!({"title": "Un brouillon d'essai", "section": "economie", "body_markdown": "Texte *gras*"});
    let created = app.post_json("/api/v1/articles", &draft, Some(&journalist)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    assert_eq!(created["status"], "draft");
    assert_eq!(created["slug"], "un-brouillon-d-essai");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/v1/articles/{id}")).await.status, 404, "drafts are not public");

    let publish = serde_json::json!({"title": "Publié", "section": "economie", "status": "published"});
    assert_eq!(app.post_json("/api/v1/articles", &publish, Some(&journalist)).await.status, 403);
    assert_eq!(app.post_json("/api/v1/articles", &draft, Some(&moderator)).await.status, 403);
    assert_eq!(
        app.post_json(&format!("/api/v1/articles/{id}/publish"), &serde_json::json!({}), Some(&journalist))
            .await
            .status,
        403
    );

    let published =
        app.post_json(&format!("/api/v1/articles/{id}/publish"), &serde_json::json!({}), Some(&editor)).await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(app.get(&format!("/api/v1/articles/{id}")).await.status, 200, "published articles are public");
}

async fn invalid_article_input_is_refused_clearly(app: TestApp) {
    app.with_demo().await;
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    let cases = [
        (serde_json::json!({"title": "", "section": "economie"}), "title"),
        (serde_json::json!({"title": "x", "section": "nowhere"}), "section"),
        (serde_json::json!({"title": "x", "section": "economie", "status": "live"}), "status"),
        (serde_json::json!({"title": "x", "section": "economie", "status": "scheduled"}), "publish_at"),
        (serde_json::json!({"title": "x", "section": "economie", "publish_at": "tomorrow"}), "publish_at"),
        (serde_json::json!({"title": "x", "section": "economie", "colour": "red"}), "colour"),
    ];
    for (body, word) in cases {
        let response = app.post_json("/api/v1/articles", &body, Some(&editor)).await;
        assert_eq!(response.status, 400, "{body}: {}", response.body);
        let message = response.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(word), "{body}: {message}");
    }
}

async fn concurrent_writes_are_never_lost(app: TestApp) {
    app.with_demo().await;
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    let mut tasks = Vec::new();
    for n in 0..40 {
        let app = app.clone_handle();
        let token = editor.clone();
        tasks.push(tokio::spawn(async move {
            let body = serde_json::json!({"title": format!("Article concurrent {n}"), "section": "monde", "status": "published"});
            app.post_json("/api/v1/articles", &body, Some(&token)).await.status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    let list = app.get("/api/v1/articles?section=monde&per_page=100").await.json();
    let concurrent = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["title"].as_str().unwrap().starts_with("Article concurrent"))
        .count();
    assert_eq!(concurrent, 40);
}

/// A token that expired or was revoked opens nothing; a live one notes when it was used.
async fn expired_and_revoked_tokens_open_nothing(app: TestApp) {
    app.with_demo().await;
    let token = app.staff_token("wire@example.com", Role::Editor).await;
    let draft = serde_json::json!({"title": "Dépêche", "section": "economie"});
    assert_eq!(app.post_json("/api/v1/articles", &draft, Some(&token)).await.status, 201);
    let user_id = gazette::store::users::by_email(app.db(), "wire@example.com").await.unwrap().unwrap().id;
    let tokens = gazette::store::api_tokens::of_user(app.db(), user_id).await.unwrap();
    let used = tokens[0].last_used_at.expect("the use is noted");
    assert!(gazette::store::now_ms() - used < 60_000, "{used}");

    let now = gazette::store::now_ms();
    let mut tx = app.db().begin().await.unwrap();
    let expired = gazette::secrets::random_token(16);
    let hash = gazette::secrets::hash_token(&expired);
    gazette::store::api_tokens::insert(&mut tx, user_id, "old", &hash, Some(now - 1)).await.unwrap();
    let live = gazette::secrets::random_token(16);
    let hash = gazette::secrets::hash_token(&live);
    let live_id = gazette::store::api_tokens::insert(&mut tx, user_id, "new", &hash, Some(now + 60_000)).await.unwrap();
    tx.commit().await.unwrap();
    let refused = app.post_json("/api/v1/articles", &draft, Some(&expired)).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "unauthorized");
    assert_eq!(app.post_json("/api/v1/articles", &draft, Some(&live)).await.status, 201);

    let mut tx = app.db().begin().await.unwrap();
    assert_eq!(gazette::store::api_tokens::revoke(&mut tx, live_id).await.unwrap(), Some(user_id));
    assert_eq!(gazette::store::api_tokens::revoke(&mut tx, live_id).await.unwrap(), None, "revoked once");
    tx.commit().await.unwrap();
    assert_eq!(app.post_json("/api/v1/articles", &draft, Some(&live)).await.status, 401);
    assert_eq!(app.post_json("/api/v1/articles", &draft, Some(&token)).await.status, 201, "the others still work");
}

on_both_engines!(
    expired_and_revoked_tokens_open_nothing,
    sections_and_articles_are_public,
    errors_are_json_with_a_code,
    roles_decide_what_a_token_may_write,
    invalid_article_input_is_refused_clearly,
    concurrent_writes_are_never_lost,
);

#[test]
fn openapi_documents_every_api_route() {
    let doc: serde_json::Value = serde_json::from_str(include_str!("../../src/web/api/openapi.json")).unwrap();
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    let api_routes: Vec<_> = gazette::web::ROUTES.iter().filter(|(_, path)| path.starts_with("/api/v1")).collect();
    assert!(api_routes.len() >= 4);
    for (method, path) in api_routes {
        let documented = &doc["paths"][path][method.to_lowercase()];
        assert!(documented.is_object(), "{method} {path} is not in openapi.json");
    }
    let documented_paths = doc["paths"].as_object().unwrap().len();
    let served_paths: std::collections::BTreeSet<_> =
        gazette::web::ROUTES.iter().filter(|(_, p)| p.starts_with("/api/v1")).map(|(_, p)| p).collect();
    assert_eq!(documented_paths, served_paths.len(), "openapi.json documents a path the router does not serve");
}

/// The operator's side: `user token --days`, `user tokens`, `user revoke-token`, on the real
/// binary and a real server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_made_listed_and_revoked_from_the_command_line() {
    let Some(database) = TestDatabase::new(EngineChoice::Sqlite).await else { return };
    let (dir, url) = (database.dir.path(), database.url.as_str());
    let gazette = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--database-url", url]);
        let output = run_gazette(dir, &all, &[]);
        let (out, err) = (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        );
        (output.status.code(), out, err)
    };
    let added = gazette(&["user", "add", "--email", "fil@example.ma", "--name", "Fil", "--role", "editor"]);
    assert_eq!(added.0, Some(0), "{}", added.2);
    let (code, wire, said) = gazette(&["user", "token", "--email", "fil@example.ma", "--name", "wire", "--days", "30"]);
    assert_eq!(code, Some(0), "{said}");
    let in_30_days = chrono::Utc::now() + chrono::Duration::days(30);
    assert!(said.contains(&in_30_days.format("until %Y-%m-%d").to_string()), "{said}");
    let (_, forever, said) = gazette(&["user", "token", "--email", "fil@example.ma", "--name", "cms", "--days", "0"]);
    assert!(said.contains("with no end"), "{said}");

    let server = Server::start(dir, url, &["--demo"]).await;
    let http = reqwest::Client::new();
    let post = |token: String| {
        http.post(server.url("/api/v1/articles"))
            .bearer_auth(token)
            .json(&serde_json::json!({"title": "Dépêche", "section": "economie"}))
            .send()
    };
    assert_eq!(post(wire.trim().to_string()).await.unwrap().status(), 201);

    let (_, list, _) = gazette(&["user", "tokens", "--email", "fil@example.ma"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].contains("\tcms\t") && lines[0].ends_with("never expires"), "{list}");
    assert!(lines[0].contains("last used never"), "{list}");
    assert!(lines[1].contains("\twire\t") && lines[1].contains(&in_30_days.format("expires %Y-%m-%d").to_string()));
    assert!(!lines[1].contains("last used never"), "the wire token was used: {list}");
    let wire_id = lines[1].split('\t').next().unwrap();

    let (code, _, said) = gazette(&["user", "revoke-token", "--id", wire_id]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(post(wire.trim().to_string()).await.unwrap().status(), 401);
    assert_eq!(post(forever.trim().to_string()).await.unwrap().status(), 201);
    let (_, list, _) = gazette(&["user", "tokens", "--email", "fil@example.ma"]);
    assert!(list.lines().nth(1).unwrap().contains("revoked "), "{list}");
    let (code, _, said) = gazette(&["user", "revoke-token", "--id", wire_id]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.trim_end().ends_with("(see gazette user tokens)") && said.contains("no live API token"), "{said}");
}
