//! The reader's site: every page of the reference, in three languages, through the real router.

use gazette::news::Role;
use sqlx::Row;

use crate::on_both_engines;
use crate::support::TestApp;

/// The first published article of a section in a language: (id, path, title).
async fn first_article(app: &TestApp, section: &str, lang: &str) -> (i64, String, String) {
    let list = app.get(&format!("/api/v1/articles?section={section}&lang={lang}&per_page=1")).await.json();
    let a = &list["items"][0];
    (
        a["id"].as_i64().unwrap(),
        format!("/{}/{}", a["section_slug"].as_str().unwrap(), a["slug"].as_str().unwrap()),
        a["title"].as_str().unwrap().to_string(),
    )
}

async fn exec(app: &TestApp, sql: &'static str, binds: &[i64]) {
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    query.execute(app.db().writer()).await.unwrap();
}

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('\'', "&#39;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

async fn front_page_has_every_block_of_a_daily(app: TestApp) {
    app.with_demo().await;
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    // The lead story editors placed (front_position 0) comes first, then the featured ones.
    let lead: String = sqlx::query("select title from articles where front_position = 0")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("title");
    let lead_at = body.find(&escaped(&lead)).expect("lead story shown");
    assert!(body.find("À la une").unwrap() < lead_at);
    assert!(body.contains("Sélection de la rédaction"));
    for block in ["Autres articles", "Les plus lus", "Aujourd&#39;hui", "Cette semaine", "Opinions"] {
        assert!(body.contains(block), "{block} block missing");
    }
    // One block per news section, linking to it.
    for section in ["Actualité", "Politique", "Économie", "Monde", "Culture", "Sport"] {
        assert!(body.contains(&format!(">{section}</a></h2>")), "{section} block missing");
    }
    // Opinion pieces under their writer's name, then the section and the date.
    let opinions = &body[body.find("class=\"opinions\"").unwrap()..];
    assert!(opinions.contains("<p class=\"opinion-writer\">"), "{}", &opinions[..600]);
    assert!(opinions.contains("Édito</a> · <time"), "{}", &opinions[..600]);
    // Only French articles on the French front page.
    assert!(!body.contains("lang=\"ar\" dir=\"auto\""), "an Arabic article on the French front page");
}

async fn front_page_follows_the_editors_order(app: TestApp) {
    app.with_demo().await;
    let (a, _, title_a) = first_article(&app, "culture", "fr").await;
    let (b, _, title_b) = first_article(&app, "sport", "fr").await;
    exec(&app, "update articles set front_position = null", &[]).await;
    exec(&app, "update articles set front_position = 0 where id = $1", &[b]).await;
    exec(&app, "update articles set front_position = 1 where id = $1", &[a]).await;
    let body = app.get("/").await.body;
    let lead_section = &body[body.find("class=\"lead-story\"").unwrap()..body.find("class=\"secondary\"").unwrap()];
    assert!(lead_section.contains(&escaped(&title_b)));
    let beside_the_lead = &body[body.find("class=\"secondary\"").unwrap()..body.find("class=\"latest\"").unwrap()];
    assert!(beside_the_lead.contains(&escaped(&title_a)));
}

async fn section_pages_paginate_newest_first(app: TestApp) {
    app.with_demo().await;
    // 30 more sport articles: two pages of 20 plus.
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    for n in 0..30 {
        let body =
            serde_json::json!({"title": format!("Match numéro {n}"), "section": "football", "status": "published"});
        assert_eq!(app.post_json("/api/v1/articles", &body, Some(&editor)).await.status, 201);
    }
    let page1 = app.get("/sport").await;
    assert_eq!(page1.status, 200);
    let body = &page1.body;
    assert!(body.contains("<nav class=\"breadcrumb\""));
    assert!(body.contains("Sous-rubriques") && body.contains("Football"), "sub-sections are listed");
    assert!(
        body.contains("<link rel=\"next\" href=\"/sport?page=2\">"),
        "rel=next: {}",
        &body[body.find("class=\"count\"").unwrap_or(0)..][..200]
    );
    assert!(!body.contains("rel=\"prev\""));
    // Newest first: the last match created is the first card.
    let first_card = body.find("Match numéro 29").unwrap();
    assert!(first_card < body.find("Match numéro 28").unwrap());
    let page2 = app.get("/sport?page=2").await;
    assert!(page2.body.contains("rel=\"prev\""));
    assert!(page2.body.contains("aria-current=\"page\">2<"));
    assert_eq!(app.get("/sport?page=99").await.status, 404);
    assert_eq!(app.get("/sport?page=abc").await.status, 200, "an odd page number is page 1");
    assert_eq!(app.get("/rubrique-inconnue").await.status, 404);
    let sub = app.get("/football").await.body;
    assert!(sub.contains("Match numéro 29"));
    assert!(sub.contains(">Sport</a>"), "a sub-section's breadcrumb names its parent");
}

async fn article_page_has_everything_the_reference_shows(app: TestApp) {
    app.with_demo().await;
    let (id, path, title) = first_article(&app, "economie", "fr").await;
    // An edit after publication, and a correction note.
    exec(
        &app,
        "update articles set publish_at = 1609062480000, content_updated_at = 1609069800000 where id = $1",
        &[id],
    )
    .await;
    let mut tx = app.db().begin().await.unwrap();
    gazette::store::articles::add_correction(
        &mut tx,
        id,
        "correction",
        "Le montant était de 50 millions.",
        1609070000000,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = app.get(&path).await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains(&escaped(&title)));
    assert!(body.contains("<nav class=\"breadcrumb\""));
    assert!(body.contains(">Accueil</a></li><li><a href=\"/economie\">Économie</a>"), "breadcrumb Accueil > Section");
    assert!(body.contains("Publié le dimanche 27 décembre 2020 à 10:48"), "French long date with time");
    assert!(body.contains("Mis à jour le dimanche 27 décembre 2020 à 12:50"));
    assert!(body.contains("Rectificatifs") && body.contains("Le montant était de 50 millions."));
    assert!(body.contains("Lu ") && body.contains(" fois"), "read counter");
    assert!(body.contains("Recommander") && body.contains("recommandation"), "like button and count");
    // Share links: through the site to each network (face::share_links_lead_to_the_networks…),
    // e-mail directly.
    for network in ["whatsapp", "facebook", "x", "telegram", "linkedin"] {
        assert!(body.contains(&format!("/partager/{network}\"")), "share link {network}");
    }
    assert!(body.contains("href=\"mailto:?subject="), "share by e-mail");
    assert!(!body.contains("<script src"), "no script from anywhere");
    assert!(body.contains("Dans la même rubrique") && body.contains("Autres articles"));
    assert!(body.contains("rel=\"tag\""), "tags link to tag pages");
    assert!(body.contains("rel=\"author\""), "bylines link to author pages");
    assert!(body.contains("class=\"ad ad-article-bottom\""), "the article-bottom ad slot");
    assert!(body.contains("id=\"comments\"") && body.contains("Charte de modération"));
    assert!(body.contains("<link rel=\"canonical\""));
    assert!(body.contains("property=\"og:title\""));
    // The JSON-LD is valid JSON with a NewsArticle and a BreadcrumbList.
    let start = body.find("application/ld+json\">").unwrap() + "application/ld+json\">".len();
    let end = start + body[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&body[start..end]).unwrap();
    assert_eq!(data[0]["@type"], "NewsArticle");
    assert_eq!(data[0]["headline"], title);
    assert!(data[0]["author"][0]["url"].as_str().unwrap().contains("/auteur/"));
    assert_eq!(data[1]["@type"], "BreadcrumbList");
    // Same section: five, with their pictures, date and time.
    let same = &body[body.find("same-title").unwrap()..body.find("others-title").unwrap()];
    assert_eq!(same.matches("class=\"card card-thumb\"").count(), 5);
    assert!(same.contains("<img "), "pictures in the same-section block");
    assert!(same.contains(" - "), "date and time in the same-section block");
}

async fn translations_link_to_each_other(app: TestApp) {
    app.with_demo().await;
    let row = sqlx::query(
        "select a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.language = 'ar' and a.translation_group <> a.id limit 1",
    )
    .fetch_one(app.db().reader())
    .await
    .unwrap();
    let path = format!("/{}/{}", row.get::<String, _>("section"), row.get::<String, _>("slug"));
    let page = app.get(&path).await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("<html lang=\"ar\" dir=\"rtl\">"), "an Arabic article's page is right-to-left");
    assert!(body.contains("hreflang=\"fr\"") && body.contains("hreflang=\"en\""));
    assert!(body.contains(">اقرأ بالفرنسية</a>"), "visible link to the French version, in Arabic only");
    assert!(!body.contains("Lire en") && !body.contains(">Français</a>"), "no French words in the link");
    assert!(body.contains("الرئيسية"), "Arabic interface strings");
    assert!(!body.contains("Accueil"), "no French interface string on an Arabic page");
    assert!(body.contains("نُشر يوم"), "Arabic date line");
}

async fn arabic_dates_use_moroccan_months_and_the_digit_setting(app: TestApp) {
    app.with_demo().await;
    let (id, path, _) = first_article(&app, "economie", "ar").await;
    exec(&app, "update articles set publish_at = 1609062480000 where id = $1", &[id]).await;
    let body = app.get(&path).await.body;
    assert!(body.contains("دجنبر 2020"), "Moroccan month name with Western digits");
    let mut site = gazette::store::settings::site(app.db()).await.unwrap();
    site.arabic_digits = "eastern".into();
    let mut tx = app.db().begin().await.unwrap();
    gazette::store::settings::save_site(&mut tx, &site).await.unwrap();
    tx.commit().await.unwrap();
    app.state.reload_site().await.unwrap();
    let body = app.get(&path).await.body;
    assert!(body.contains("دجنبر ٢٠٢٠"), "Eastern digits when the site asks for them");
}

async fn reads_count_once_per_view_but_not_for_robots(app: TestApp) {
    app.with_demo().await;
    let (id, path, _) = first_article(&app, "culture", "fr").await;
    let before = gazette::store::stats::totals(app.db(), id).await.unwrap().0;
    let browser = axum::http::Request::get(&path).header("user-agent", "Mozilla/5.0 Firefox/140.0");
    app.request(browser.body(axum::body::Body::empty()).unwrap()).await;
    let robot = axum::http::Request::get(&path).header("user-agent", "Googlebot/2.1");
    app.request(robot.body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(app.state.counters().unflushed(id).0, 1, "the robot's view does not count");
    // A page from the cache counts too.
    let cached = axum::http::Request::get(&path).header("user-agent", "Mozilla/5.0 Firefox/140.0");
    let page = app.request(cached.body(axum::body::Body::empty()).unwrap()).await;
    assert!(page.header("etag").len() > 2, "served from the page cache");
    assert_eq!(app.state.counters().unflushed(id).0, 2);
    // The flush writes the counts and refreshes the page: the next load shows them.
    app.state.flush_counters().await.unwrap();
    assert_eq!(gazette::store::stats::totals(app.db(), id).await.unwrap().0, before + 2);
    let next = axum::http::Request::get(&path).header("user-agent", "Mozilla/5.0 Firefox/140.0");
    let page = app.request(next.body(axum::body::Body::empty()).unwrap()).await;
    assert!(page.body.contains(&format!("Lu {} fois", before + 2)), "the next load shows the new count");
    app.state.flush_counters().await.unwrap();
    let daily: i64 =
        sqlx::query("select cast(sum(reads) as bigint) as n from article_daily_stats where article_id = $1")
            .bind(id)
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
    assert_eq!(daily, before + 3, "the day's row adds up with the total");
}

async fn likes_count_once_per_reader_per_day(app: TestApp) {
    app.with_demo().await;
    let (id, path, _) = first_article(&app, "monde", "fr").await;
    let body = app.get(&path).await.body;
    let start = body.find("name=\"token\" value=\"").unwrap() + "name=\"token\" value=\"".len();
    let token = body[start..start + 32].to_string();
    let like = |token: String, agent: &'static str, origin: Option<&'static str>| {
        let mut request = axum::http::Request::post(format!("{path}/like"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("user-agent", agent);
        if let Some(origin) = origin {
            request = request.header("origin", origin).header("host", "127.0.0.1:8080");
        }
        request.body(axum::body::Body::from(format!("token={token}"))).unwrap()
    };
    let before = gazette::store::stats::totals(app.db(), id).await.unwrap().1;
    let first = app.request(like(token.clone(), "Reader A", Some("http://127.0.0.1:8080"))).await;
    assert_eq!(first.status, 303, "{}", first.body);
    assert!(first.header("location").ends_with("#like"));
    // Sent back to the page, which was cached before the like: the reader sees it counted.
    let like_count = |body: &str| -> String {
        let start = body.find("class=\"like-count\">").expect("a like count") + "class=\"like-count\">".len();
        body[start..].split('<').next().unwrap_or("").chars().filter(char::is_ascii_digit).collect()
    };
    assert_eq!(like_count(&app.get(&path).await.body), (before + 1).to_string(), "the like shows at once");
    app.request(like(token.clone(), "Reader A", None)).await;
    app.request(like(token.clone(), "Reader B", None)).await;
    // Forged from elsewhere, or without the form's token: refused.
    assert_eq!(app.request(like(token.clone(), "Reader C", Some("https://evil.example"))).await.status, 403);
    assert_eq!(app.request(like("0".repeat(32), "Reader D", None)).await.status, 400);
    app.state.counters().flush(app.db()).await.unwrap();
    assert_eq!(gazette::store::stats::totals(app.db(), id).await.unwrap().1, before + 2, "A once, B once");
    // The same reader again after the flush still counts once (the mark is in the database).
    let fresh = gazette::counters::Counters::default();
    let day = gazette::render::dates::local_day(gazette::store::now_ms(), app.state.site().tz());
    let marks: Vec<String> = sqlx::query("select mark from like_marks where article_id = $1")
        .bind(id)
        .fetch_all(app.db().reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("mark"))
        .collect();
    assert_eq!(marks.len(), 2);
    assert!(fresh.add_like(id, day, marks[0].clone()), "another node has not seen it");
    fresh.flush(app.db()).await.unwrap();
    assert_eq!(
        gazette::store::stats::totals(app.db(), id).await.unwrap().1,
        before + 2,
        "no double count across nodes"
    );
}

async fn tag_author_and_day_pages(app: TestApp) {
    app.with_demo().await;
    let tag = app.get("/tag/ports").await;
    assert_eq!(tag.status, 200);
    assert!(tag.body.contains("Mot-clé : Ports"));
    let author = app.get("/auteur/salma-benali").await;
    assert_eq!(author.status, 200);
    assert!(author.body.contains("Articles de Salma Benali"));
    assert!(author.body.contains("Journaliste au service"), "the author's bio");
    let (id, _, title) = first_article(&app, "politique", "fr").await;
    exec(&app, "update articles set publish_at = 1609062480000 where id = $1", &[id]).await;
    let day = app.get("/archives/2020/12/27").await;
    assert_eq!(day.status, 200);
    assert!(day.body.contains("L&#39;édition du dimanche 27 décembre 2020"), "{}", &day.body[..300]);
    assert!(day.body.contains(&escaped(&title)));
    assert!(day.body.contains("/archives/2020/12/26"), "link to the previous day");
    assert!(!app.get("/archives/2020/12/26").await.body.contains(&escaped(&title)));
    assert_eq!(app.get("/archives/2020/13/45").await.status, 404);
    assert_eq!(app.get("/tag/inconnu").await.status, 404);
    assert_eq!(app.get("/auteur/personne").await.status, 404);
}

async fn search_finds_without_accents_and_normalizes_arabic(app: TestApp) {
    app.with_demo().await;
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    let post = |title: &str, lang: &str, section: &str, body: &str| serde_json::json!({"title": title, "language": lang, "section": section, "status": "published", "body_markdown": body});
    for body in [
        post("Résultats de l'élection à Tanger", "fr", "politique", "Le dépouillement a duré toute la nuit."),
        post("إعلان نتائج الانتخابات في طنجة", "ar", "politique", "استمر فرز الأصوات طوال الليل."),
        post("Zoologie du désert", "fr", "culture", "Un texte sans rapport."),
    ] {
        assert_eq!(app.post_json("/api/v1/articles", &body, Some(&editor)).await.status, 201);
    }
    let hits = |body: &str| body.matches("class=\"hit\"").count();
    let fr = app.get("/recherche?q=election+tanger").await;
    assert_eq!(fr.status, 200);
    assert_eq!(hits(&fr.body), 1, "accent- and case-insensitive, elision split");
    assert!(fr.body.contains("<mark>"), "matches are highlighted");
    let elided = app.get("/recherche?q=l%27%C3%A9lection%20TANGER").await;
    assert_eq!(hits(&elided.body), 1);
    // Arabic: hamza, ta marbuta and the article do not matter; tashkeel is ignored.
    for q in ["اعلان نتايج انتخابات", "إعلانُ الانتخابات", "فرز طنجه"] {
        let page = app.get(&format!("/recherche?q={}", urlencode(q))).await;
        assert_eq!(hits(&page.body), 1, "{q}");
    }
    // Filters: language, section, dates.
    assert_eq!(hits(&app.get("/recherche?q=tanger&lang=ar").await.body), 0);
    assert_eq!(hits(&app.get("/recherche?q=tanger&section=culture").await.body), 0);
    assert_eq!(hits(&app.get("/recherche?q=tanger&section=politique&lang=fr").await.body), 1);
    assert_eq!(hits(&app.get("/recherche?q=tanger&to=2001-01-01").await.body), 0);
    let bad = app.get("/recherche?q=depouillement&from=hier").await;
    assert_eq!(bad.status, 200);
    assert!(bad.body.contains("n&#39;est pas valide"), "a malformed date is explained, not an error");
    assert_eq!(hits(&bad.body), 1, "and the search still runs");
    // Empty and fruitless searches help.
    assert!(app.get("/recherche").await.body.contains("Que cherchez-vous"));
    let none = app.get("/recherche?q=xylophone").await.body;
    assert!(none.contains("Aucun article ne correspond") && none.contains("Vérifiez l&#39;orthographe"));
    // Injection-shaped input is just text.
    for q in ["%22%29%20OR%201%3D1%20--", "a%20%26%20%21b%20%7C%20c", "NEAR(x%20y)", "%2A"] {
        assert_eq!(app.get(&format!("/recherche?q={q}")).await.status, 200, "{q}");
    }
}

/// Common words do not have to match; headlines rank above bodies whatever their age; an
/// emptied index (as an upgrade leaves it) is rebuilt from the articles.
async fn search_ranks_headlines_first_and_rebuilds_its_index(app: TestApp) {
    app.with_demo().await;
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    let post = |title: &str, body: &str| serde_json::json!({"title": title, "section": "culture", "status": "published", "body_markdown": body});
    for body in [
        post("L'hippocampe du détroit", "Une étude sur un petit poisson."),
        post("Rapport annuel du musée", "Le musée présente aussi un hippocampe."),
        post("Bilan de la saison", "Rien sur les poissons."),
    ] {
        assert_eq!(app.post_json("/api/v1/articles", &body, Some(&editor)).await.status, 201);
    }
    let hits = |body: &str| -> Vec<String> {
        body.split("<li class=\"hit\"").skip(1).map(|hit| hit.chars().take(600).collect()).collect()
    };
    // "les" and "des" are in neither: the common words of a query do not have to match.
    let found = hits(&app.get("/recherche?q=les+hippocampes+des").await.body);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("hippocampe-du-detroit"), "the headline first, though older: {found:?}");
    assert!(found[1].contains("rapport-annuel-du-musee"));
    // A query of nothing but common words still searches them.
    let common = app.get("/recherche?q=les+de").await;
    assert_eq!(common.status, 200);
    assert!(!hits(&common.body).is_empty());
    // Language and section filters are facets of the same index.
    assert_eq!(hits(&app.get("/recherche?q=hippocampe&lang=ar").await.body).len(), 0);
    assert_eq!(hits(&app.get("/recherche?q=hippocampe&section=sport").await.body).len(), 0);
    assert_eq!(hits(&app.get("/recherche?q=hippocampe&section=culture&lang=fr").await.body).len(), 2);

    // An upgrade that rebuilds the index starts from empty rows; the next start fills them.
    exec(&app, "delete from article_search", &[]).await;
    exec(&app, "delete from article_search_headlines", &[]).await;
    assert_eq!(hits(&app.get("/recherche?q=hippocampe+poisson").await.body).len(), 0);
    let published: i64 = sqlx::query("select count(*) as n from articles where status = 'published'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("n");
    let indexed = gazette::store::search::index_missing(app.db()).await.unwrap();
    assert_eq!(indexed as i64, published);
    assert_eq!(gazette::store::search::index_missing(app.db()).await.unwrap(), 0, "nothing left to index");
    assert_eq!(hits(&app.get("/recherche?q=hippocampe+poisson").await.body).len(), 1);
}

/// An archive whose ids span many of PostgreSQL's blocks of 4,096 (and SQLite's doclists): the
/// newest-first walk finds every match whether it is in the newest block, only in the oldest,
/// or in a range of dates, newest first.
async fn search_walks_an_archive_spread_over_many_blocks(app: TestApp) {
    app.with_demo().await;
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    // The next article takes the id given: the sequence is moved on.
    let ids_from = match app.db().engine() {
        gazette::store::Engine::Sqlite => "update sqlite_sequence set seq = $1 - 1 where name = 'articles'",
        gazette::store::Engine::Postgres => "select setval(pg_get_serial_sequence('articles', 'id'), $1 - 1)",
    };
    for (next, title, body) in [
        (9_000, "Zygomatique au musée", "Une exposition, et un mot rarissime."),
        (30_000, "Zygomatique au théâtre", "Une pièce."),
        (61_000, "Zygomatique au cinéma", "Un film."),
        (90_000, "Zygomatique à l'école", "Un cours."),
    ] {
        sqlx::query(ids_from).bind(next).execute(app.db().writer()).await.unwrap();
        let body =
            serde_json::json!({"title": title, "section": "culture", "status": "published", "body_markdown": body});
        let created = app.post_json("/api/v1/articles", &body, Some(&editor)).await;
        assert_eq!(created.status, 201);
        let id = created.json()["id"].as_i64().unwrap();
        assert_eq!(id, next, "the article took the id chosen for it");
    }
    let hit_slugs = |body: &str| -> Vec<String> {
        body.split("<li class=\"hit\"").skip(1).map(|hit| hit.chars().take(600).collect()).collect()
    };
    let found = hit_slugs(&app.get("/recherche?q=zygomatique").await.body);
    assert_eq!(found.len(), 4, "{found:?}");
    for (hit, place) in found.iter().zip(["l-ecole", "cinema", "theatre", "musee"]) {
        assert!(hit.contains(place), "newest first: {place} expected in {hit}");
    }
    // Only in the oldest block: the walk reaches it.
    let oldest = hit_slugs(&app.get("/recherche?q=rarissime").await.body);
    assert_eq!(oldest.len(), 1, "{oldest:?}");
    assert!(oldest[0].contains("musee"));
    // A range of dates that holds them all (they were published today).
    // The year in the site's time zone (on 31 December after 23:00 UTC it is already the next).
    let year = chrono::Utc::now().with_timezone(&chrono_tz::Africa::Casablanca).format("%Y").to_string();
    let ranged = hit_slugs(&app.get(&format!("/recherche?q=zygomatique&from={year}-01-01&to={year}-12-31")).await.body);
    assert_eq!(ranged.len(), 4, "{ranged:?}");
    // With one article from 2000 the archive spans 26 years: a year is a short range, read
    // from the index of dates (the other way above); the same four.
    exec(
        &app,
        "update articles set publish_at = $1 where id = (select min(id) from articles where status = 'published')",
        &[946_684_800_000],
    )
    .await;
    let short = hit_slugs(&app.get(&format!("/recherche?q=zygomatique&from={year}-01-01&to={year}-12-31")).await.body);
    assert_eq!(short.len(), 4, "{short:?}");
    let before = hit_slugs(&app.get("/recherche?q=zygomatique&from=1990-01-01&to=1990-12-31").await.body);
    assert!(before.is_empty(), "{before:?}");
}

async fn search_paginates(app: TestApp) {
    app.with_demo().await;
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    for n in 0..25 {
        let body =
            serde_json::json!({"title": format!("Hippodrome numéro {n}"), "section": "sport", "status": "published"});
        app.post_json("/api/v1/articles", &body, Some(&editor)).await;
    }
    let page1 = app.get("/recherche?q=hippodrome").await.body;
    assert!(page1.contains("25 articles trouvés"));
    assert_eq!(page1.matches("class=\"hit\"").count(), 20);
    assert!(page1.contains("rel=\"next\" href=\"/recherche?q=hippodrome&amp;page=2\""));
    let page2 = app.get("/recherche?q=hippodrome&page=2").await.body;
    assert_eq!(page2.matches("class=\"hit\"").count(), 5);
}

async fn language_editions_and_redirects(app: TestApp) {
    app.with_demo().await;
    let ar = app.get("/ar/").await;
    assert_eq!(ar.status, 200);
    assert!(ar.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(ar.body.contains("آخر الأخبار") || ar.body.contains("على الواجهة"));
    assert!(!ar.body.contains("Rechercher"), "no French string on the Arabic front page");
    assert!(!ar.body.contains("lang=\"fr\" dir=\"auto\""), "only Arabic articles");
    assert_eq!(app.get("/ar").await.status, 200);
    let en = app.get("/en/economie").await;
    assert_eq!(en.status, 200);
    assert!(en.body.contains("<html lang=\"en\" dir=\"ltr\">") && en.body.contains("Economy"));
    let fr = app.get("/fr/economie?page=1").await;
    assert_eq!(fr.status, 308, "the default language has one address, without prefix");
    assert_eq!(fr.header("location"), "/economie?page=1");
    let missing = app.get("/ar/nulle-part").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("الصفحة غير موجودة"), "a 404 in the language of its address");
    assert!(app.get("/").await.body.contains("hreflang=\"ar\""), "the language switcher");
}

async fn privacy_page_explains_there_is_no_cookie(app: TestApp) {
    app.with_demo().await;
    let page = app.get("/confidentialite").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Aucun cookie"));
    assert!(page.header("set-cookie").is_empty());
    for path in ["/", "/economie", "/recherche?q=maroc", "/feeds/rss.xml"] {
        assert!(app.get(path).await.header("set-cookie").is_empty(), "{path} sets a cookie");
    }
    assert!(app.get("/ar/confidentialite").await.body.contains("ملفات تعريف"));
}

async fn feeds_and_sitemaps_are_well_formed(app: TestApp) {
    app.with_demo().await;
    for (path, root) in [
        ("/feeds/rss.xml", "rss"),
        ("/feeds/atom.xml", "feed"),
        ("/ar/feeds/atom.xml", "feed"),
        ("/feeds/rubrique/economie/rss.xml", "rss"),
        ("/feeds/tag/ports/atom.xml", "feed"),
        ("/feeds/auteur/salma-benali/rss.xml", "rss"),
        ("/sitemap.xml", "sitemapindex"),
        ("/sitemaps/articles-1.xml", "urlset"),
        ("/sitemaps/pages.xml", "urlset"),
        ("/sitemaps/news.xml", "urlset"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, 200, "{path}");
        assert!(response.header("content-type").contains("xml"), "{path}");
        let doc = roxmltree::Document::parse(&response.body).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), root, "{path}");
    }
    // RSS items have stable GUIDs; Atom entries have ids, links and dates.
    let rss = app.get("/feeds/rss.xml").await.body;
    let doc = roxmltree::Document::parse(&rss).unwrap();
    let guids: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("guid")).filter_map(|n| n.text()).collect();
    assert_eq!(guids.len(), 30);
    assert!(guids.iter().all(|g| g.starts_with("tag:127.0.0.1,2026:article-")));
    assert_eq!(rss, app.get("/feeds/rss.xml").await.body, "feeds are stable");
    // Every item carries its picture (Media RSS; an enclosure link in Atom), served as said.
    let pictures: Vec<roxmltree::Node> =
        doc.descendants().filter(|n| n.has_tag_name(("http://search.yahoo.com/mrss/", "content"))).collect();
    assert_eq!(pictures.len(), 30, "the demo's articles all have a picture");
    let url = pictures[0].attribute("url").unwrap();
    let picture = app.get(&url[url.find("/media/").unwrap()..]).await;
    assert_eq!(
        (picture.status.as_u16(), picture.header("content-type")),
        (200, pictures[0].attribute("type").unwrap())
    );
    assert!(pictures[0].attribute("width").unwrap().parse::<u32>().unwrap() > 0);
    // The Arabic edition's feed is titled and signed in Arabic.
    let arabic = app.get("/ar/feeds/rss.xml").await.body;
    assert!(arabic.contains("<title>الجريدة</title>"), "{}", &arabic[..400]);
    assert!(!arabic.contains("Salma Benali"), "bylines in Arabic letters");
    let arabic_atom = app.get("/ar/feeds/atom.xml").await.body;
    assert!(arabic_atom.contains("<link rel=\"enclosure\" type=\"image/"));
    let atom = app.get("/feeds/atom.xml").await.body;
    let doc = roxmltree::Document::parse(&atom).unwrap();
    for entry in doc.descendants().filter(|n| n.has_tag_name("entry")) {
        for child in ["id", "title", "updated", "link"] {
            assert!(entry.children().any(|c| c.has_tag_name(child)), "atom entry without {child}");
        }
    }
    // The sitemap chunk lists every published article; the news sitemap only the last 48 hours.
    let chunk = app.get("/sitemaps/articles-1.xml").await.body;
    assert_eq!(chunk.matches("<url>").count(), 189);
    let news = app.get("/sitemaps/news.xml").await.body;
    let recent: i64 = sqlx::query("select count(*) as n from articles where status = 'published' and publish_at >= $1")
        .bind(gazette::store::now_ms() - 48 * 3_600_000)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(news.matches("<news:news>").count() as i64, recent);
    assert!(app.get("/robots.txt").await.body.contains("Sitemap: http://127.0.0.1:8080/sitemap.xml"));
    assert_eq!(app.get("/sitemaps/articles-9.xml").await.status, 404);
    assert_eq!(app.get("/feeds/rubrique/economie/json").await.status, 404);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both_engines!(
    front_page_has_every_block_of_a_daily,
    front_page_follows_the_editors_order,
    section_pages_paginate_newest_first,
    article_page_has_everything_the_reference_shows,
    translations_link_to_each_other,
    arabic_dates_use_moroccan_months_and_the_digit_setting,
    reads_count_once_per_view_but_not_for_robots,
    likes_count_once_per_reader_per_day,
    tag_author_and_day_pages,
    search_finds_without_accents_and_normalizes_arabic,
    search_paginates,
    search_ranks_headlines_first_and_rebuilds_its_index,
    search_walks_an_archive_spread_over_many_blocks,
    language_editions_and_redirects,
    privacy_page_explains_there_is_no_cookie,
    feeds_and_sitemaps_are_well_formed,
);

#[test]
fn every_reader_route_exists_in_every_language() {
    let all = gazette::web::all_routes();
    for prefix in ["", "/ar", "/en", "/fr"] {
        for path in ["/recherche", "/confidentialite", "/feeds/{format}"] {
            let full = format!("{prefix}{path}");
            assert!(all.iter().any(|(_, p)| *p == full), "{full} is not routed");
        }
    }
}

async fn old_addresses_answer_with_301(app: TestApp) {
    app.with_demo().await;
    let (id, path, _) = first_article(&app, "culture", "fr").await;
    let section_id: i64 = app.section_id("culture").await;
    let mut tx = app.db().begin().await.unwrap();
    use gazette::store::redirects::{RedirectTarget, put};
    put(&mut tx, "/culture/ancien-titre", RedirectTarget::Article(id)).await.unwrap();
    put(&mut tx, "/Culture_r7.html", RedirectTarget::Section(section_id)).await.unwrap();
    put(&mut tx, "/a-propos.html", RedirectTarget::Path("/confidentialite")).await.unwrap();
    tx.commit().await.unwrap();
    for (old, new) in [
        ("/culture/ancien-titre", path.as_str()),
        ("/Culture_r7.html", "/culture"),
        ("/a-propos.html", "/confidentialite"),
    ] {
        let response = app.get(old).await;
        assert_eq!(response.status, 301, "{old}");
        assert_eq!(response.header("location"), new);
    }
    // The redirect follows the article when it moves again.
    exec(&app, "update articles set section_id = (select id from sections where slug = 'monde') where id = $1", &[id])
        .await;
    let moved = app.get("/culture/ancien-titre").await;
    assert!(moved.header("location").starts_with("/monde/"));
    assert_eq!(app.get("/nulle-part.html").await.status, 404);
}

on_both_engines!(old_addresses_answer_with_301);

async fn featured_images_get_responsive_variants(app: TestApp) {
    app.with_demo().await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = gazette::jobs::worker::spawn_workers(app.state.clone(), 2, stopped);
    // The demo queued one variants job per picture.
    let mut done = false;
    for _ in 0..300 {
        let left: i64 = sqlx::query("select count(*) as n from jobs where kind = 'make_variants' and status <> 'done'")
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
        if left == 0 {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = stop.send(true);
    for w in workers {
        w.await.unwrap();
    }
    assert!(done, "the variants jobs ran");
    let (_, path, _) = first_article(&app, "economie", "fr").await;
    let body = app.get(&path).await.body;
    let figure = &body[body.find("<figure class=\"featured\"").expect("a featured image")..];
    let srcset_after = |marker: &str| {
        let start = figure.find(marker).unwrap_or_else(|| panic!("{marker} in {}", &figure[..600])) + marker.len();
        figure[start..start + figure[start..].find('"').unwrap()].to_string()
    };
    // WebP first, for the browsers that read it, at every width including the original's.
    let webp = srcset_after("<source type=\"image/webp\" srcset=\"");
    assert!(
        webp.contains(".w320.webp 320w") && webp.contains(".w640.webp 640w") && webp.contains(".w1200.webp 1200w"),
        "{webp}"
    );
    let fallback = srcset_after("<img src=\"/media/");
    let fallback = srcset_after(&format!("{fallback}\" srcset=\""));
    assert!(
        fallback.contains(".w320.jpg 320w") && fallback.contains(".w640.jpg 640w") && fallback.contains(" 1200w"),
        "{fallback}"
    );
    for (list, kind) in [(&webp, "image/webp"), (&fallback, "image/jpeg")] {
        let mut sizes = Vec::new();
        for candidate in list.split(", ") {
            let url = candidate.split(' ').next().unwrap();
            let image = app.get(url).await;
            assert_eq!(image.status, 200, "{url}");
            assert!(image.header("cache-control").contains("immutable"));
            assert_eq!(image.header("content-type"), kind, "{url}");
            sizes.push(image.bytes.len());
        }
        assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{kind}: each width larger than the one before: {sizes:?}");
    }
    // Search engines get the three crops they ask for, social networks the 16:9 one.
    let start = body.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let data: serde_json::Value =
        serde_json::from_str(&body[start..start + body[start..].find("</script>").unwrap()]).unwrap();
    let images: Vec<&str> = data[0]["image"].as_array().unwrap().iter().map(|i| i.as_str().unwrap()).collect();
    assert_eq!(images.len(), 3, "{images:?}");
    for (url, (ratio_w, ratio_h)) in images.iter().zip([(16, 9), (4, 3), (1, 1)]) {
        let path = &url[url.find("/media/").unwrap()..];
        let crop = image::load_from_memory(&app.get(path).await.bytes).unwrap();
        let (w, h) = (crop.width(), crop.height());
        assert!((w * ratio_h).abs_diff(h * ratio_w) <= 16, "{path}: {w}x{h} is not {ratio_w}:{ratio_h}");
    }
    assert!(body.contains(&format!("<meta property=\"og:image\" content=\"{}\">", images[0])));
    // Cropped cards keep the focus (the middle, by default) in view.
    assert!(body.contains("class=\"fx-50 fy-50\""));
}

on_both_engines!(featured_images_get_responsive_variants);
