//! Cross-site scripting, in a real browser: every vector of `tests/data/xss-vectors.txt` is put
//! where people type — article titles, leads, Markdown bodies (raw HTML included) and tags
//! through the API; comment names, websites and texts; section names; staff names and bios;
//! captions, credits, alternative texts and file names; the site's name, tagline and breaking
//! banner (text and link); search queries — and the pages that show them are loaded in
//! headless Chromium, reader side and newsroom side. On every page: no dialog opens, no vector
//! sets `window.__xss`, no element carries an event handler, no link or source is a script
//! URL, and the only scripts are ours. Runs with the other browser tests
//! (`GAZETTE_TEST_BROWSER=1`).

use std::collections::BTreeMap;

use fantoccini::Client;
use gazette::news::{CommentStatus, Lang, Role};
use sqlx::Row;

use crate::browser::{TestResult, connect, enabled, log_in, start_driver};
use crate::support::{EngineChoice, Server, TempDir, TestApp, urlenc};

const PASSWORD: &str = "mot de passe de l'administratrice";

fn vectors() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/xss-vectors.txt");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// What a loaded page must not hold; returns the problems found.
async fn inspect(client: &Client, url: &str) -> TestResult<Vec<String>> {
    client.goto(url).await?;
    let mut problems = Vec::new();
    if let Ok(text) = client.get_alert_text().await {
        problems.push(format!("{url}: a dialog opened: {text}"));
        let _ = client.dismiss_alert().await;
    }
    let found = client
        .execute(
            r#"
            const scriptUrl = /^\s*(javascript|vbscript|data:text\/html)/i;
            const handlers = [];
            for (const element of document.querySelectorAll('*')) {
                for (const attribute of element.attributes) {
                    if (/^on/i.test(attribute.name)) handlers.push(element.tagName + ' ' + attribute.name);
                    if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(attribute.name.toLowerCase())
                        && scriptUrl.test(attribute.value)) handlers.push(element.tagName + ' ' + attribute.name + '=' + attribute.value);
                }
            }
            const foreign = Array.from(document.scripts)
                .filter(s => s.type !== 'application/ld+json' && !(s.src && new URL(s.src).pathname.startsWith('/static/')))
                .map(s => (s.src || s.textContent).slice(0, 80));
            const embeds = Array.from(document.querySelectorAll('iframe, object, embed, base, svg script, math'))
                .map(e => e.tagName);
            return [window.__xss === 1 || (window.top && window.top.__xss === 1), handlers, foreign, embeds];
            "#,
            vec![],
        )
        .await?;
    if found[0] == true {
        problems.push(format!("{url}: a vector ran (window.__xss)"));
    }
    for (index, what) in [(1, "event handler or script URL"), (2, "foreign script"), (3, "embedded document")] {
        for item in found[index].as_array().into_iter().flatten() {
            problems.push(format!("{url}: {what}: {item}"));
        }
    }
    Ok(problems)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(browser_tests), ignore = "needs GAZETTE_TEST_BROWSER=1 (Chromium, chromedriver, Java; see .ci/run)")]
async fn xss_vectors_in_every_field_run_nowhere_in_chromium() {
    if !enabled() {
        return;
    }
    let vectors = vectors();
    assert!(vectors.len() >= 150, "the corpus holds {} vectors", vectors.len());
    let app = TestApp::new(EngineChoice::Sqlite).await.unwrap();
    app.with_demo().await;
    let editor = app.staff_token("xss-editor@example.ma", Role::Editor).await;
    app.staff_user("xss-admin@example.ma", Role::Admin, PASSWORD).await;
    let mut cycle = vectors.iter().cycle();
    let mut next = move || cycle.next().unwrap().clone();

    // Straight into the database, as the newsroom's forms store them (no form validation in the
    // way: the escaping at display time is what is tested).
    let mut tx = app.db().begin().await.unwrap();
    let mut section_slugs = Vec::new();
    for n in 0..4 {
        let mut names = BTreeMap::new();
        for lang in Lang::ALL {
            names.insert(lang, next());
        }
        let mut descriptions = BTreeMap::new();
        descriptions.insert(Lang::Fr, next());
        let slug = format!("piege-{n}");
        gazette::store::sections::upsert(
            &mut tx,
            &gazette::store::sections::NewSection {
                slug: &slug,
                parent_id: None,
                position: 100 + n,
                names: &names,
                descriptions: &descriptions,
                kind: "news",
            },
        )
        .await
        .unwrap();
        section_slugs.push(slug);
    }
    let authors: Vec<(i64, String)> = sqlx::query("select id, slug from users order by id")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), r.get("slug")))
        .collect();
    for (id, _) in &authors {
        let (name, bio) = (next(), next());
        let profile = gazette::store::users::Profile { name: &name, bio: &bio, ..Default::default() };
        gazette::store::users::set_profile(&mut tx, *id, &profile).await.unwrap();
    }
    let media: Vec<i64> =
        sqlx::query("select id from media").fetch_all(&mut *tx).await.unwrap().iter().map(|r| r.get("id")).collect();
    for id in &media {
        gazette::store::media::describe(&mut tx, *id, &next(), &next(), &next(), Default::default()).await.unwrap();
        sqlx::query("update media set original_name = $2 where id = $1")
            .bind(*id)
            .bind(next())
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let commented: Vec<(i64, String)> = sqlx::query(
        "select a.id, '/' || s.slug || '/' || a.slug as path from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' order by a.id limit 6",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get("id"), r.get("path")))
    .collect();
    for (n, vector) in vectors.iter().enumerate() {
        let (article_id, _) = &commented[n % commented.len()];
        let status = if n % 5 == 0 { CommentStatus::Pending } else { CommentStatus::Approved };
        gazette::store::comments::insert(
            &mut tx,
            &gazette::store::comments::NewComment {
                article_id: *article_id,
                parent_id: None,
                author_name: vector.clone(),
                author_email: format!("lecteur{n}@xss.example"),
                author_website: vectors[(n + 7) % vectors.len()].clone(),
                body: vectors[(n + 13) % vectors.len()].clone(),
                language: "fr".into(),
                status,
                refusal_reason: None,
                screening: "{}".into(),
                ip_hash: String::new(),
                created_at: None,
            },
        )
        .await
        .unwrap();
    }
    let mut site = (*app.state.site()).clone();
    site.name = next();
    for lang in Lang::ALL {
        site.tagline.insert(lang, next());
        site.comment_policy.insert(lang, next());
        site.privacy_text.insert(lang, next());
    }
    site.footer.publisher = next();
    site.footer.address = next();
    site.breaking = gazette::store::settings::Breaking {
        text: next(),
        url: "javascript:window.__xss=1".into(),
        until: Some(gazette::store::now_ms() + 3_600_000),
        texts: Default::default(),
        urls: Default::default(),
    };
    // The other editions carry their own names, footers and banners: hostile too.
    for lang in [Lang::Ar, Lang::En] {
        site.names.insert(lang, next());
        site.footer.publishers.insert(lang, next());
        site.footer.addresses.insert(lang, next());
        site.breaking.texts.insert(lang, next());
        site.breaking.urls.insert(lang, "javascript:window.__xss=1".into());
    }
    gazette::store::settings::save_site(&mut tx, &site).await.unwrap();
    tx.commit().await.unwrap();

    // The site runs on that database; articles come through the API, as the desk writes them.
    let dir = TempDir::new("xss");
    let media_dir = app.state.config().media_dir().display().to_string();
    let server = Server::start_with_env(
        dir.path(),
        &app.database.url,
        &[],
        &[("GAZETTE_STORAGE_MEDIA_DIR", media_dir.as_str()), ("GAZETTE_LOG_LEVEL", "error")],
    )
    .await;
    let base = server.url("");
    let http = reqwest::Client::new();
    let mut articles = Vec::new();
    for (n, chunk) in vectors.chunks(8).enumerate() {
        let body = format!(
            "{}\n\n<div>{}</div>\n\n[lien]({})\n\n{}",
            chunk.get(2).cloned().unwrap_or_default(),
            chunk.get(3).cloned().unwrap_or_default(),
            chunk.get(4).cloned().unwrap_or_default(),
            chunk[5.min(chunk.len() - 1)..].join("\n\n")
        );
        let answer = http
            .post(format!("{base}/api/v1/articles"))
            .bearer_auth(&editor)
            .json(&serde_json::json!({
                "title": format!("{} {n}", chunk[0]),
                "lead": chunk.get(1).cloned().unwrap_or_default(),
                "body_markdown": body,
                "section": section_slugs[n % section_slugs.len()],
                "tags": [chunk.get(6).cloned().unwrap_or_default(), chunk.get(7).cloned().unwrap_or_default()],
                "status": "published",
            }))
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let json: serde_json::Value = answer.json().await.unwrap_or_default();
        assert!(status == 201 || status == 400 || status == 422, "the API answered {status}: {json}");
        if status == 201 {
            articles.push((
                json["id"].as_i64().unwrap(),
                format!("/{}/{}", json["section_slug"].as_str().unwrap(), json["slug"].as_str().unwrap()),
            ));
        }
    }
    assert!(articles.len() >= vectors.len() / 16, "most vector articles were accepted: {}", articles.len());
    let tags: Vec<String> = sqlx::query("select slug from tags order by id desc limit 40")
        .fetch_all(app.db().reader())
        .await
        .unwrap()
        .iter()
        .map(|r| format!("/tag/{}", r.get::<String, _>("slug")))
        .collect();

    // Every page that shows them.
    let mut pages: Vec<String> =
        vec!["/".into(), "/ar".into(), "/en".into(), "/confidentialite".into(), "/ar/confidentialite".into()];
    pages.extend(section_slugs.iter().map(|s| format!("/{s}")));
    pages.extend(articles.iter().map(|(_, p)| p.clone()));
    pages.extend(commented.iter().map(|(_, p)| p.clone()));
    pages.extend(tags);
    pages.extend(authors.iter().map(|(_, slug)| format!("/auteur/{slug}")));
    pages.extend(vectors.iter().map(|v| format!("/recherche?q={}", urlenc(v))));
    let mut newsroom: Vec<String> = [
        "/redaction",
        "/redaction/articles",
        "/redaction/medias",
        "/redaction/commentaires",
        "/redaction/commentaires?statut=tous",
        "/redaction/rubriques",
        "/redaction/reglages",
        "/redaction/equipe",
        "/redaction/une",
        "/redaction/compte",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    newsroom.extend(articles.iter().take(20).map(|(id, _)| format!("/redaction/articles/{id}")));
    newsroom.extend(media.iter().take(5).map(|id| format!("/redaction/medias/{id}")));
    newsroom.extend(vectors.iter().take(60).map(|v| format!("/redaction/articles?q={}", urlenc(v))));

    let driver = start_driver().await.expect("chromedriver");
    let client = connect(&driver).await.expect("a Chromium session");
    let outcome: TestResult<(Vec<String>, usize)> = async {
        let mut problems = Vec::new();
        let mut loaded = 0;
        for page in &pages {
            problems.extend(inspect(&client, &format!("{base}{page}")).await?);
            loaded += 1;
        }
        log_in(&client, &base, "xss-admin@example.ma", PASSWORD).await?;
        for page in &newsroom {
            problems.extend(inspect(&client, &format!("{base}{page}")).await?);
            loaded += 1;
        }
        Ok((problems, loaded))
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    let (problems, loaded) = outcome.expect("the walk through the pages");
    assert!(loaded >= pages.len() + newsroom.len(), "every page was loaded");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    drop(server);
    app.cleanup().await;
}
