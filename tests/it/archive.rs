//! The archive generator behind the benchmark: the counts it promises, articles that read
//! and search like any other, and a database the newsroom can keep writing to afterwards.

use gazette::demo::archive::{ArchiveOptions, generate};
use gazette::news::Role;
use sqlx::Row;

use crate::on_both_engines;
use crate::support::TestApp;

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query(sql).fetch_one(app.db().reader()).await.unwrap().get::<i64, _>("n")
}

async fn a_generated_archive_reads_searches_and_takes_new_articles(app: TestApp) {
    let options = ArchiveOptions { comments_per_article: 2, tags: 400, ..ArchiveOptions::new(1_200) };
    let report = generate(app.db(), &app.state.config().media_dir(), &options).await.unwrap();
    assert!(report.contains("articles/s"), "{report}");
    app.state.reload_site().await.unwrap();
    assert_eq!(count(&app, "select count(*) as n from articles").await, 1_200);
    assert_eq!(count(&app, "select count(*) as n from sections").await, 40);
    assert!(count(&app, "select count(*) as n from tags").await >= 400);
    assert!(count(&app, "select count(*) as n from users").await >= 200);
    let comments = count(&app, "select count(*) as n from comments").await;
    assert!((1_200..=5_000).contains(&comments), "about two comments per article: {comments}");
    // Bodies are 300 to 1,500 words (a paragraph may overshoot the target a little).
    let lengths = sqlx::query("select body_markdown from articles where id > 200 order by id limit 50")
        .fetch_all(app.db().reader())
        .await
        .unwrap();
    for row in lengths {
        let words = row.get::<String, _>("body_markdown").split_whitespace().count();
        assert!((300..=1_700).contains(&words), "{words} words");
    }
    // A generated article reads like any other, and its words are found by search. Generated
    // headlines are Zipf-drawn words, so some are all "du des le": the test takes the first one a
    // reader could tell apart (two words of seven letters or more), as a real headline is.
    let rows = sqlx::query(
        "select a.slug, a.title, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.language = 'fr' and a.id > 200 order by a.id limit 50",
    )
    .fetch_all(app.db().reader())
    .await
    .unwrap();
    let row = rows
        .iter()
        .find(|row| row.get::<String, _>("title").split_whitespace().filter(|w| w.chars().count() >= 7).count() >= 2)
        .expect("a distinctive headline among 50");
    let (slug, title, section): (String, String, String) = (row.get("slug"), row.get("title"), row.get("section"));
    let page = app.get(&format!("/{section}/{slug}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&gazette::news::text::escape_html(&title)));
    // A reader pasting a headline finds its article first.
    let found = app.get(&format!("/recherche?q={}", crate::support::urlenc(&title))).await;
    assert_eq!(found.status, 200);
    let hits: Vec<&str> = found.body.split("<li class=\"hit\"").skip(1).collect();
    assert!(hits.first().is_some_and(|hit| hit.contains(&slug)), "searching {title:?} finds {slug} first");
    // Ids were given explicitly: the newsroom's next article still gets a fresh one.
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    let created = app
        .post_json(
            "/api/v1/articles",
            &serde_json::json!({"title": "Après l'archive", "section": "economie", "status": "published"}),
            Some(&editor),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.json()["id"].as_i64().unwrap() > 1_200);
    // Asking again for the same size does nothing.
    let again = generate(app.db(), &app.state.config().media_dir(), &options).await.unwrap();
    assert!(again.contains("already"), "{again}");
}

on_both_engines!(a_generated_archive_reads_searches_and_takes_new_articles);
