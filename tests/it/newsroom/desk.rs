//! The desk's other pages: the front page's curation, sections, settings, the media library.

use gazette::news::Role;
use sqlx::Row;

use super::{post_article, staff};
use crate::on_both_engines;
use crate::support::TestApp;

async fn the_front_page_follows_the_curation(app: TestApp) {
    app.with_demo().await;
    let editor = staff(&app, Role::Editor).await;
    let candidate: (i64, String) = sqlx::query("select id, title from articles where status = 'published' and language = 'fr' and front_position is null order by id desc limit 1")
        .fetch_one(app.db().reader())
        .await
        .map(|r| (r.get("id"), r.get("title")))
        .unwrap();
    let id = candidate.0.to_string();
    assert_eq!(
        app.post_form("/redaction/une", &editor, &[("lang", "fr"), ("action", "lead"), ("id", &id)]).await.status,
        303
    );
    let front = app.get("/").await.body;
    let lead = &front[front.find("class=\"lead-story\"").unwrap()..front.find("class=\"secondary\"").unwrap()];
    assert!(lead.contains(&candidate.1.replace('\'', "&#39;")), "the editor's lead story leads");
    assert_eq!(
        app.post_form("/redaction/une", &editor, &[("lang", "fr"), ("action", "down"), ("id", &id)]).await.status,
        303
    );
    let position: i64 = sqlx::query("select front_position from articles where id = $1")
        .bind(candidate.0)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("front_position");
    assert_eq!(position, 1);
    app.post_form("/redaction/une", &editor, &[("lang", "fr"), ("action", "remove"), ("id", &id)]).await;
    let gone: Option<i64> = sqlx::query("select front_position from articles where id = $1")
        .bind(candidate.0)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("front_position");
    assert_eq!(gone, None);
}

async fn sections_are_created_renamed_nested_and_reordered(app: TestApp) {
    app.with_demo().await;
    let editor = staff(&app, Role::Editor).await;
    let reserved = app
        .post_form(
            "/redaction/rubriques",
            &editor,
            &[("name_fr", "Recherche"), ("slug", "recherche"), ("kind", "news")],
        )
        .await;
    assert_eq!(reserved.status, 422);
    assert!(reserved.body.contains("réservée") && reserved.body.contains("value=\"Recherche\""));
    let created = app
        .post_form(
            "/redaction/rubriques",
            &editor,
            &[("name_fr", "Société"), ("name_ar", "مجتمع"), ("name_en", "Society"), ("kind", "news")],
        )
        .await;
    assert_eq!(created.status, 303);
    let id: i64 = app.section_id("societe").await;
    assert!(app.get("/ar/societe").await.body.contains("مجتمع"));
    let news: i64 = app.section_id("actualite").await;
    let football: i64 = app.section_id("football").await;
    // Nesting one level only: not under a sub-section.
    let deep = app
        .post_form(
            &format!("/redaction/rubriques/{id}"),
            &editor,
            &[
                ("action", "save"),
                ("name_fr", "Société"),
                ("slug", "societe"),
                ("parent_id", &football.to_string()),
                ("kind", "news"),
            ],
        )
        .await;
    assert_eq!(deep.status, 422);
    let renamed = app
        .post_form(
            &format!("/redaction/rubriques/{id}"),
            &editor,
            &[
                ("action", "save"),
                ("name_fr", "Société et vie"),
                ("slug", "societe-et-vie"),
                ("parent_id", &news.to_string()),
                ("kind", "news"),
            ],
        )
        .await;
    assert_eq!(renamed.status, 303);
    assert_eq!(
        app.get("/societe").await.header("location"),
        "/societe-et-vie",
        "the old address of a section redirects"
    );
    assert!(app.get("/actualite").await.body.contains("Société et vie"), "listed as a sub-section");
    let before: Vec<String> = sqlx::query("select slug from sections where parent_id is null order by position, id")
        .fetch_all(app.db().reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("slug"))
        .collect();
    let second: i64 = app.section_id(&before[1].clone()).await;
    app.post_form(&format!("/redaction/rubriques/{second}"), &editor, &[("action", "up")]).await;
    let after: Vec<String> = sqlx::query("select slug from sections where parent_id is null order by position, id")
        .fetch_all(app.db().reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("slug"))
        .collect();
    assert_eq!(after[0], before[1], "moved up: {before:?} -> {after:?}");
}

async fn settings_change_the_site_and_refusals_keep_input(app: TestApp) {
    app.with_demo().await;
    let admin = staff(&app, Role::Admin).await;
    let page = app.get_as("/redaction/reglages", &admin.cookie).await.body;
    let value = |name: &str| {
        page.split(&format!("name=\"{name}\" "))
            .nth(1)
            .and_then(|s| s.split("value=\"").nth(1))
            .map(|s| s.split('"').next().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let mut fields = vec![
        ("name", "Le Quotidien".to_string()),
        ("default_language", "fr".to_string()),
        ("lang_fr", "on".to_string()),
        ("lang_ar", "on".to_string()),
        ("lang_en", "on".to_string()),
        ("time_zone", "Mars/Olympus".to_string()),
        ("arabic_digits", "western".to_string()),
        ("comments_auto_close_days", "30".to_string()),
        ("publisher", value("publisher")),
        ("breaking_text", "Séisme ressenti à Agadir".to_string()),
        ("breaking_url", "/actualite".to_string()),
        ("breaking_until", "2100-01-01T00:00".to_string()),
        ("ad.sidebar", "<a href=\"/\">Pub</a><script>alert(1)</script>".to_string()),
    ];
    let as_refs = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let refused = post_article(&app, "/redaction/reglages", &admin, &as_refs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Fuseau horaire inconnu") && refused.body.contains("value=\"Le Quotidien\""));
    fields[5].1 = "Africa/Casablanca".into();
    let saved = post_article(&app, "/redaction/reglages", &admin, &as_refs(&fields)).await;
    assert_eq!(saved.status, 303);
    let front = app.get("/").await.body;
    assert!(front.contains("Le Quotidien"));
    assert!(front.contains("Séisme ressenti à Agadir"), "the breaking-news banner");
    assert!(front.contains(">Pub</a>") && !front.contains("<script>alert(1)"), "ad HTML sanitized");
    // An expired banner disappears.
    fields[11].1 = "2001-01-01T00:00".into();
    post_article(&app, "/redaction/reglages", &admin, &as_refs(&fields)).await;
    assert!(!app.get("/").await.body.contains("Séisme ressenti"));

    // A logo from the media library: refused when no image has that number (what was typed
    // kept); taken, it heads every page and the site's icons are made from it.
    let picture = sqlx::query("select id, storage_key from media order by id limit 1")
        .fetch_one(app.db().reader())
        .await
        .unwrap();
    let (media_id, key): (i64, String) = (picture.get("id"), picture.get("storage_key"));
    fields.push(("logo", "999999".into()));
    let refused = post_article(&app, "/redaction/reglages", &admin, &as_refs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Aucune image de la médiathèque") && refused.body.contains("value=\"999999\""));
    fields.last_mut().unwrap().1 = media_id.to_string();
    assert_eq!(post_article(&app, "/redaction/reglages", &admin, &as_refs(&fields)).await.status, 303);
    let front = app.get("/").await.body;
    assert!(
        front.contains(&format!("<p class=\"brand\"><a href=\"/\"><img src=\"/media/{key}\" alt=\"Le Quotidien\""))
    );
    let manifest = app.get("/manifest.webmanifest").await.json();
    let icon = manifest["icons"][0]["src"].as_str().unwrap().to_string();
    assert!(icon.starts_with("/media/") && icon.ends_with(".png"), "{icon}");
    let png = image::load_from_memory(&app.get(&icon).await.bytes).unwrap();
    assert_eq!((png.width(), png.height()), (192, 192), "a square icon made from the logo");
    let favicon = app.get("/favicon.ico").await;
    assert_eq!((favicon.status.as_u16(), favicon.header("location")), (307, icon.as_str()));
    assert!(front.contains(&format!("<link rel=\"icon\" href=\"{icon}\" type=\"image/png\">")));
    // Without a logo, the name again.
    fields.last_mut().unwrap().1 = String::new();
    post_article(&app, "/redaction/reglages", &admin, &as_refs(&fields)).await;
    assert!(app.get("/").await.body.contains("<p class=\"brand\"><a href=\"/\">Le Quotidien</a></p>"));
}

async fn uploads_are_checked_and_described(app: TestApp) {
    let journalist = staff(&app, Role::Journalist).await;
    let media_dir = app.state.config().media_dir();
    let files_in = |dir: &std::path::Path| walk(dir).len();
    let before = files_in(&media_dir);
    let upload = |name: &'static str, bytes: Vec<u8>, csrf: String| {
        let boundary = "gazetteboundary";
        let mut body = Vec::new();
        for (field, value) in [
            ("csrf", csrf.as_str()),
            ("caption", "Le port au petit matin"),
            ("credit", "Photo Gazette"),
            ("alt", "Des grues"),
        ] {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        axum::http::Request::post("/redaction/medias")
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .header("cookie", journalist.cookie.clone())
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let png = gazette::demo::picture::png(800, 450, [20, 80, 140], 3);
    // A decompression bomb: a valid PNG header declaring 60,000 × 60,000 pixels (3.6 billion,
    // gigabytes once decoded) in a file of a few dozen bytes.
    let bomb = {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut crc = flate2::Crc::new();
            crc.update(kind);
            crc.update(data);
            let mut out = (data.len() as u32).to_be_bytes().to_vec();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            out.extend_from_slice(&crc.sum().to_be_bytes());
            out
        };
        let mut header = Vec::new();
        header.extend_from_slice(&60_000u32.to_be_bytes());
        header.extend_from_slice(&60_000u32.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend(chunk(b"IHDR", &header));
        bytes.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
        bytes.extend(chunk(b"IEND", &[]));
        bytes
    };
    let mut polyglot = png.clone();
    polyglot.extend_from_slice(b"<script>alert(1)</script>");
    for (name, bytes, message) in [
        (
            "x.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
            "n&#39;est pas une image",
        ),
        ("photo.jpg", png.clone(), "renommez-le"),
        ("coupe.png", png[..100].to_vec(), "incomplète ou abîmée"),
        ("double.png", polyglot, "autre chose qu&#39;une image"),
        ("bombe.png", bomb, "trop de pixels"),
    ] {
        let refused = app.request(upload(name, bytes, journalist.csrf.clone())).await;
        assert_eq!(refused.status, 422, "{name}");
        assert!(refused.body.contains(message), "{name}: {}", refused.body);
        assert!(refused.body.contains("value=\"Le port au petit matin\""), "the caption typed is kept");
    }
    assert_eq!(files_in(&media_dir), before, "nothing written for refused files");
    assert_eq!(app.request(upload("p.png", png.clone(), "forged".into())).await.status, 403, "CSRF checked");
    let accepted = app.request(upload("port.png", png, journalist.csrf.clone())).await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let item = app.get_as(accepted.header("location"), &journalist.cookie).await.body;
    assert!(item.contains("800 × 450") && item.contains("Le port au petit matin"));
    let library = app.get_as("/redaction/medias?q=petit%20matin", &journalist.cookie).await.body;
    assert!(library.contains("Le port au petit matin"), "search by caption");
    assert!(app.get_as("/redaction/medias?q=inexistant", &journalist.cookie).await.body.contains("Aucune image"));

    // The focal point: refused outside 0–100 with everything typed kept and nothing saved;
    // accepted, it is stored and the crops are queued to be cut again around it.
    let page = accepted.header("location").split('?').next().unwrap().to_string();
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let focus_of = || async { gazette::store::media::by_id(app.db(), id).await.unwrap().unwrap() };
    let queued = || async {
        sqlx::query("select count(*) as n from jobs where kind = 'make_variants' and status <> 'done'")
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get::<i64, _>("n")
    };
    // As if the upload's variants job had run.
    sqlx::query("update jobs set status = 'done' where kind = 'make_variants'")
        .execute(app.db().writer())
        .await
        .unwrap();
    let fields = |x: &'static str| {
        vec![
            ("caption", "Le port, vu du phare"),
            ("credit", "Photo X"),
            ("alt", "Des grues"),
            ("focus_x", x),
            ("focus_y", "80"),
        ]
    };
    let refused = app.post_form(&page, &journalist, &fields("150")).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("de 0 à 100"), "{}", refused.body);
    assert!(refused.body.contains("value=\"Le port, vu du phare\"") && refused.body.contains("value=\"150\""));
    let unchanged = focus_of().await;
    assert_eq!((unchanged.caption.as_str(), unchanged.focus), ("Le port au petit matin", Default::default()));
    assert_eq!(app.post_form(&page, &journalist, &fields("20")).await.status, 303);
    let described = focus_of().await;
    assert_eq!(described.caption, "Le port, vu du phare");
    assert_eq!(described.focus, gazette::store::media::Focus { x: 20, y: 80 });
    assert_eq!(queued().await, 1, "the crops are made again around the new focus");
    let form = app.get_as(&page, &journalist.cookie).await.body;
    assert!(form.contains("name=\"focus_x\" type=\"number\" min=\"0\" max=\"100\" step=\"1\" value=\"20\""));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                out.extend(walk(&entry.path()));
            } else {
                out.push(entry.path());
            }
        }
    }
    out
}

on_both_engines!(
    the_front_page_follows_the_curation,
    sections_are_created_renamed_nested_and_reordered,
    settings_change_the_site_and_refusals_keep_input,
    uploads_are_checked_and_described,
);
