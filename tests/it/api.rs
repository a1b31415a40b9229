//! The JSON API and its OpenAPI document.

use gazette::news::Role;

use crate::on_both_engines;
use crate::support::TestApp;

async fn sections_and_articles_are_public(app: TestApp) {
    app.with_demo().await;
    let sections = app.get("/api/v1/sections").await;
    assert_eq!(sections.status, 200);
    let list = sections.json();
    assert!(list.as_array().unwrap().len() >= 8);
    assert!(list.as_array().unwrap().iter().any(|s| s["names"]["ar"] == "اقتصاد"));

    let articles = app.get("/api/v1/articles?per_page=5&lang=ar").await.json();
    assert_eq!(articles["items"].as_array().unwrap().len(), 5);
    assert_eq!(articles["total"], 20, "the demo has 20 Arabic articles");
    assert!(articles["items"].as_array().unwrap().iter().all(|a| a["language"] == "ar"));
    let all = app.get("/api/v1/articles").await.json();
    assert_eq!(all["total"], 110, "80 French + 20 Arabic + 10 English published");

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

on_both_engines!(
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
