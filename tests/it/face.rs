//! The paper's face (issue 18): the front page's blocks, ad slots without placeholders, one
//! language per page, what machines read (Open Graph, JSON-LD, the manifest, icons,
//! `/ads.txt`), the accessibility statement and compressed static files.

use axum::body::Body;
use axum::http::Request;
use gazette::news::Role;
use sqlx::Row;

use crate::newsroom::{post_article, staff};
use crate::on_both_engines;
use crate::support::TestApp;

/// The `href`s of the article links inside the part of `body` between `from` and `to`.
fn article_links(body: &str, from: &str, to: &str) -> Vec<String> {
    let start = body.find(from).unwrap_or_else(|| panic!("{from} is on the page"));
    let end = start + body[start..].find(to).unwrap_or(body.len() - start);
    body[start..end]
        .split("href=\"/")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .filter(|href| href.matches('/').count() == 1 && !href.starts_with("auteur/"))
        .collect()
}

/// The JSON-LD blocks of a page, parsed.
fn json_ld(body: &str) -> Vec<serde_json::Value> {
    body.split("<script type=\"application/ld+json\">")
        .skip(1)
        .map(|rest| serde_json::from_str(&rest[..rest.find("</script>").unwrap()]).expect("valid JSON-LD"))
        .collect()
}

async fn front_page_shows_no_story_twice_above_the_fold(app: TestApp) {
    app.with_demo().await;
    // The lead is also placed second and among the newest: it must still show once.
    let lead: i64 = sqlx::query("select id from articles where front_position = 0")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
    sqlx::query("update articles set front_position = 1 where id <> $1 and front_position = 1")
        .bind(lead)
        .execute(app.db().writer())
        .await
        .unwrap();
    let body = app.get("/").await.body;
    let above_the_fold = article_links(&body, "class=\"package\"", "class=\"opinions\"");
    assert!(above_the_fold.len() >= 10, "lead, companions, latest and selection: {above_the_fold:?}");
    let mut seen = std::collections::HashSet::new();
    for href in &above_the_fold {
        // A card links its picture and its title to the story: count stories, not links.
        seen.insert(href.clone());
    }
    let stories_in_cards = body[body.find("class=\"package\"").unwrap()..body.find("class=\"opinions\"").unwrap()]
        .matches("class=\"card-title\"")
        .count()
        + body.matches("id=\"lead-title\"").count()
        + body[body.find("class=\"timeline\"").unwrap()..].split("</ol>").next().unwrap().matches("<li").count();
    assert_eq!(seen.len(), stories_in_cards, "each story above the fold once: {above_the_fold:?}");
    // Sections vary their layout: a picture row, then a columns row.
    assert!(body.contains("section-row section-row-picture") && body.contains("section-row section-row-columns"));
}

on_both_engines!(front_page_shows_no_story_twice_above_the_fold);

async fn sqlite_app() -> TestApp {
    TestApp::new(crate::support::EngineChoice::Sqlite).await.expect("a SQLite test app")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ad_slots_are_absent_when_empty_and_labelled_in_each_language_when_filled() {
    let app = sqlite_app().await;
    let body = app.get("/").await.body;
    assert!(!body.contains("class=\"ad "), "no ad slot drawn when none is filled");
    assert!(!body.contains("Publicité"), "no label without an ad");

    let admin = staff(&app, Role::Admin).await;
    let mut fields: Vec<(&'static str, String)> = vec![
        ("name", "Le Quotidien".into()),
        ("name_ar", "اليومية".into()),
        ("default_language", "fr".into()),
        ("lang_fr", "on".into()),
        ("lang_ar", "on".into()),
        ("lang_en", "on".into()),
        ("time_zone", "Africa/Casablanca".into()),
        ("arabic_digits", "western".into()),
        ("comments_auto_close_days", "30".into()),
        ("ad.header", "<a class=\"house-ad\" href=\"/x\" onmouseover=\"steal()\">Annonce pour tous</a>".into()),
        ("ad.header.ar", "<a class=\"house-ad\" href=\"/ar/x\">إعلان الطبعة العربية</a>".into()),
        ("ads_txt", "google.com, pub-0000000000000000, DIRECT, f08c47fec0942fa0".into()),
    ];
    let saved = post_article(&app, "/redaction/reglages", &admin, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    let french = app.get("/").await.body;
    let form = app.get_as("/redaction/reglages", &admin.cookie).await.body;
    assert!(
        form.contains("Annonce pour tous"),
        "the form shows the stored ad: {}",
        &form[form.find("ad.header").unwrap_or(0)..][..600]
    );
    assert!(french.contains("Annonce pour tous") && !french.contains("إعلان الطبعة العربية"));
    assert!(french.contains("class=\"ad ad-header\"") && french.contains(">Publicité</p>"));
    assert!(!french.contains("onmouseover"), "ad HTML is sanitized");
    assert!(french.contains("class=\"house-ad\""), "house-ad classes survive sanitizing");
    assert!(!french.contains("ad-sidebar") && !french.contains("ad-article-bottom"), "empty slots take no space");
    assert!(french.contains(">Le Quotidien</a>"), "the French edition's name");

    let arabic = app.get("/ar").await.body;
    assert!(arabic.contains("إعلان الطبعة العربية") && !arabic.contains("Annonce pour tous"));
    assert!(arabic.contains(">إعلان</p>") && !arabic.contains("Publicité"), "the label in Arabic");
    assert!(arabic.contains(">اليومية</a>"), "the Arabic edition's name");
    let english = app.get("/en").await.body;
    assert!(english.contains("Annonce pour tous") && english.contains(">Advertisement</p>"), "the all-editions ad");

    let ads_txt = app.get("/ads.txt").await;
    assert_eq!(ads_txt.status, 200);
    assert!(ads_txt.header("content-type").starts_with("text/plain"));
    assert!(ads_txt.body.contains("pub-0000000000000000, DIRECT"));
    // Emptied, the file is gone again; the form shows what is stored.
    fields.retain(|(k, _)| *k != "ads_txt");
    post_article(&app, "/redaction/reglages", &admin, &fields).await;
    assert_eq!(app.get("/ads.txt").await.status, 404);
    let form = app.get_as("/redaction/reglages", &admin.cookie).await.body;
    assert!(form.contains("إعلان الطبعة العربية</a></textarea>") || form.contains("إعلان الطبعة العربية&lt;/a&gt;"));
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arabic_pages_carry_no_french_chrome() {
    let app = sqlite_app().await;
    app.with_demo().await;
    let row = sqlx::query(
        "select a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.language = 'ar' and a.status = 'published' and a.translation_group <> a.id limit 1",
    )
    .fetch_one(app.db().reader())
    .await
    .unwrap();
    let article = format!("/{}/{}", row.get::<String, _>("section"), row.get::<String, _>("slug"));
    for path in ["/ar", "/ar/economie", "/ar/recherche?q=x", "/ar/accessibilite", article.as_str()] {
        let body = app.get(path).await.body;
        assert!(body.contains("<html lang=\"ar\" dir=\"rtl\">"), "{path}");
        for french in ["Lire en", "Publicité", "Annoncez", "S'abonner", "Accueil", "Rechercher", "La Gazette"] {
            assert!(!body.contains(french), "{path} shows the French {french:?}");
        }
        // Bylines as the Arabic edition writes the names (the demo's authors all have one).
        for latin in ["Benali", "Amrani", "Claire Martin", "Lamrani", "Kabbaj", "Sebti"] {
            assert!(!body.contains(latin), "{path} shows the byline {latin:?} in Latin letters");
        }
        // The switcher names other languages in themselves, each isolated and marked.
        assert!(body.contains("lang=\"fr\" hreflang=\"fr\" dir=\"ltr\"><bdi>Français</bdi>"), "{path}");
        assert!(body.contains("الجريدة"), "{path}: the Arabic name of the paper");
    }
    let french = app.get("/").await.body;
    for arabic in ["اقرأ", "إعلان", "الجريدة"] {
        assert!(!french.contains(arabic), "the French front shows the Arabic {arabic:?}");
    }
    assert!(french.contains("lang=\"ar\" hreflang=\"ar\" dir=\"rtl\"><bdi>العربية</bdi>"));
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_section_author_and_article_pages_describe_themselves_to_machines() {
    let app = sqlite_app().await;
    app.with_demo().await;
    let front = app.get("/").await.body;
    assert!(front.contains("<meta property=\"og:locale\" content=\"fr_FR\">"));
    assert!(front.contains("<meta property=\"og:locale:alternate\" content=\"ar_MA\">"));
    assert!(front.contains("<meta property=\"og:type\" content=\"website\">"));
    let graph = &json_ld(&front)[0]["@graph"];
    let organization = &graph[0];
    assert_eq!(organization["@type"], "NewsMediaOrganization");
    let logo = organization["logo"]["url"].as_str().unwrap();
    let logo_path = &logo[logo.find("/static/").unwrap()..];
    let png = app.get(logo_path).await;
    assert_eq!((png.status.as_u16(), png.header("content-type")), (200, "image/png"), "the logo is served");
    assert_eq!(graph[1]["@type"], "WebSite");
    assert!(graph[1]["potentialAction"]["target"]["urlTemplate"].as_str().unwrap().contains("/recherche?q="));

    let section = app.get("/ar/economie").await.body;
    assert!(section.contains("<meta property=\"og:locale\" content=\"ar_MA\">"));
    let section_ld = &json_ld(&section)[0]["@graph"];
    assert_eq!(section_ld[0]["@type"], "CollectionPage");
    assert_eq!(section_ld[0]["inLanguage"], "ar");
    assert_eq!(section_ld[1]["@type"], "BreadcrumbList");

    let author = app.get("/auteur/salma-benali").await.body;
    assert!(author.contains("<meta property=\"og:type\" content=\"profile\">"));
    let person = &json_ld(&author)[0];
    assert_eq!(person["@type"], "ProfilePage");
    assert_eq!(person["mainEntity"]["@type"], "Person");
    assert!(!person["mainEntity"]["name"].as_str().unwrap().is_empty());

    let list = app.get("/api/v1/articles?section=economie&lang=fr&per_page=1").await.json();
    let path = format!(
        "/{}/{}",
        list["items"][0]["section_slug"].as_str().unwrap(),
        list["items"][0]["slug"].as_str().unwrap()
    );
    let article = app.get(&path).await.body;
    let news = &json_ld(&article)[0][0];
    assert_eq!(news["@type"], "NewsArticle");
    assert_eq!(news["publisher"]["@type"], "NewsMediaOrganization");
    assert!(news["publisher"]["logo"]["url"].as_str().unwrap().contains("/static/icon-512."));
    // The article names its publisher and points at the front page's full description.
    assert_eq!(news["publisher"]["@id"], organization["@id"]);
    assert!(organization["publishingPrinciples"].as_str().is_some());
    assert!(news["publisher"].get("publishingPrinciples").is_none());
    assert!(article.contains("<meta property=\"og:type\" content=\"article\">"));
    assert_eq!(article.matches("property=\"og:type\"").count(), 1, "one og:type on an article");
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn icons_manifest_and_accessibility_statement() {
    let app = sqlite_app().await;
    let front = app.get("/").await.body;
    for rel in ["rel=\"icon\"", "rel=\"apple-touch-icon\"", "rel=\"manifest\""] {
        assert!(front.contains(rel), "{rel}");
    }
    let manifest = app.get("/ar/manifest.webmanifest").await;
    assert_eq!(manifest.status, 200);
    assert_eq!(manifest.header("content-type"), "application/manifest+json");
    let manifest = manifest.json();
    assert_eq!((manifest["lang"].as_str(), manifest["dir"].as_str()), (Some("ar"), Some("rtl")));
    assert_eq!(manifest["start_url"], "/ar/");
    let icons = manifest["icons"].as_array().unwrap();
    assert!(icons.iter().any(|i| i["sizes"] == "512x512"));
    for icon in icons {
        let src = icon["src"].as_str().unwrap();
        let answer = app.get(src).await;
        assert_eq!(answer.status, 200, "{src}");
        assert_eq!(answer.header("content-type"), icon["type"].as_str().unwrap(), "{src}");
    }
    let favicon = app.get("/favicon.ico").await;
    assert_eq!((favicon.status.as_u16(), favicon.header("content-type")), (200, "image/png"));

    let statement = app.get("/accessibilite").await;
    assert_eq!(statement.status, 200);
    assert!(statement.body.contains("WCAG 2.2") && statement.body.contains("axe-core"));
    assert!(front.contains("href=\"/accessibilite\""), "linked from every page's footer");
    let arabic = app.get("/ar/accessibilite").await.body;
    assert!(arabic.contains("إمكانية الوصول") && arabic.contains("WCAG 2.2"));
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_text_files_are_served_compressed_and_fonts_as_they_are() {
    use std::io::Read as _;
    let app = sqlite_app().await;
    let front = app.get("/").await.body;
    let start = front.find("/static/site.").unwrap();
    let href = &front[start..start + front[start..].find('"').unwrap()];
    let fetch = |accept: &'static str, path: String| {
        let app = app.clone_handle();
        async move { app.request(Request::get(path).header("accept-encoding", accept).body(Body::empty()).unwrap()).await }
    };
    let plain = fetch("identity", href.to_string()).await;
    assert_eq!(plain.header("content-encoding"), "");
    let br = fetch("gzip, deflate, br", href.to_string()).await;
    assert_eq!(br.header("content-encoding"), "br");
    assert_eq!(br.header("vary"), "accept-encoding");
    assert!(br.header("cache-control").contains("immutable"));
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(br.bytes.as_slice(), 4096).read_to_end(&mut unpacked).unwrap();
    assert_eq!(unpacked, plain.bytes, "the brotli body is the stylesheet");
    assert!(br.bytes.len() * 3 < plain.bytes.len(), "{} -> {} bytes", plain.bytes.len(), br.bytes.len());
    let gz = fetch("gzip", href.to_string()).await;
    assert_eq!(gz.header("content-encoding"), "gzip");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(gz.bytes.as_slice()).read_to_end(&mut unpacked).unwrap();
    assert_eq!(unpacked, plain.bytes);

    // Fonts are compressed already: served as they are, named in the stylesheet.
    let css = String::from_utf8(plain.bytes.clone()).unwrap();
    let font = css.split("url(\"").nth(1).map(|s| s[..s.find('"').unwrap()].to_string()).unwrap();
    let woff2 = fetch("br", font.clone()).await;
    assert_eq!(
        (woff2.status.as_u16(), woff2.header("content-type"), woff2.header("content-encoding")),
        (200, "font/woff2", "")
    );
    // Arabic faces are named only for Arabic text: a French page cannot ask for them.
    for rule in css.split('}') {
        if rule.contains("\"Gazette Naskh\"") || rule.contains("\"Gazette Kufi\"") {
            let selector = rule.split('{').next().unwrap().trim();
            assert!(
                selector.ends_with("@font-face") || selector.ends_with(":lang(ar)"),
                "an Arabic face named outside Arabic text: {selector}"
            );
        }
    }
    app.cleanup().await;
}

/// The date line gives the Hijri date on the editions the settings name (the Arabic one by
/// default), moved by the paper's adjustment; an adjustment out of range is refused with the
/// form as typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_date_line_gives_the_hijri_date_where_the_paper_wants_it() {
    let app = sqlite_app().await;
    let dateline = |body: &str| {
        let start = body.find("<p class=\"dateline\">").expect("a date line");
        body[start..start + body[start..].find("</p>").unwrap()].to_string()
    };
    let arabic = dateline(&app.get("/ar").await.body);
    assert!(arabic.contains("<span class=\"hijri\">") && arabic.contains(" هـ</span>"), "{arabic}");
    let french = dateline(&app.get("/").await.body);
    assert!(!french.contains("hijri"), "no Hijri date on the French edition by default: {french}");

    let admin = staff(&app, Role::Admin).await;
    let mut fields: Vec<(&'static str, String)> = vec![
        ("name", "Le Quotidien".into()),
        ("default_language", "fr".into()),
        ("lang_fr", "on".into()),
        ("lang_ar", "on".into()),
        ("lang_en", "on".into()),
        ("time_zone", "Africa/Casablanca".into()),
        ("arabic_digits", "eastern".into()),
        ("comments_auto_close_days", "30".into()),
        ("hijri_fr", "on".into()),
        ("hijri_ar", "on".into()),
        ("hijri_offset", "5".into()),
    ];
    let refused = post_article(&app, "/redaction/reglages", &admin, &fields).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Choisissez un décalage de -2 à 2 jours."), "the reason is given");
    assert!(refused.body.contains("value=\"Le Quotidien\""), "what was typed is kept");
    fields.last_mut().unwrap().1 = "-1".into();
    let saved = post_article(&app, "/redaction/reglages", &admin, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let french = dateline(&app.get("/").await.body);
    let hijri_fr = &french[french.find("<span class=\"hijri\">").expect("Hijri date in French")..];
    assert!(hijri_fr.ends_with(" H</span>"), "{french}");
    // The adjustment moves the day: the Arabic date line now says what the computed date
    // gives for yesterday, in Eastern digits as the settings ask.
    let yesterday = gazette::store::now_ms() - 86_400_000;
    let expected =
        gazette::render::dates::hijri_date(yesterday, gazette::news::Lang::Ar, chrono_tz::Africa::Casablanca, 0, true);
    let arabic = dateline(&app.get("/ar").await.body);
    assert!(arabic.contains(&expected), "{arabic} has {expected}");
    assert!(!dateline(&app.get("/en").await.body).contains("hijri"), "not ticked for English");
    app.cleanup().await;
}

/// A writer's photo, chosen in the account from the media library: refused with what was
/// typed when no image has that number; set, its squares show on the front page's opinion
/// block, the author page and the byline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writers_photo_goes_with_the_byline_the_author_page_and_the_opinion_block() {
    let app = sqlite_app().await;
    app.with_demo().await;
    // The demo's columnists have drawn portraits: the opinion block shows them.
    let front = app.get("/").await.body;
    let opinions = &front[front.find("class=\"opinions\"").expect("an opinion block")..];
    let opinions = &opinions[..opinions.find("</section>").unwrap()];
    assert!(opinions.matches("class=\"portrait\"").count() >= 2, "{opinions}");
    assert!(opinions.contains("type=\"image/webp\""), "WebP first");

    let journalist = staff(&app, Role::Journalist).await;
    let picture = sqlx::query("select id from media order by id limit 1").fetch_one(app.db().reader()).await.unwrap();
    let media_id: i64 = picture.get("id");
    let mut fields: Vec<(&'static str, String)> =
        vec![("name", "Nadia Journaliste".into()), ("name_ar", "نادية الصحافية".into()), ("photo", "999999".into())];
    let refused = post_article(&app, "/redaction/compte/profil", &journalist, &fields).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Aucune image de la médiathèque ne porte ce numéro."));
    assert!(refused.body.contains("value=\"999999\"") && refused.body.contains("value=\"نادية الصحافية\""));
    fields[2].1 = media_id.to_string();
    let saved = post_article(&app, "/redaction/compte/profil", &journalist, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let (slug, photo): (String, String) = {
        let row = sqlx::query("select slug, photo from users where id = $1")
            .bind(journalist.user_id)
            .fetch_one(app.db().reader())
            .await
            .unwrap();
        (row.get("slug"), row.get("photo"))
    };
    let photo: serde_json::Value = serde_json::from_str(&photo).expect("the photo stored");
    assert_eq!(photo["media_id"].as_i64(), Some(media_id));
    let square = app.get(&format!("/media/{}", photo["webp_2x"].as_str().unwrap())).await;
    assert_eq!(square.status, 200);
    let image = image::load_from_memory(&square.bytes).unwrap();
    assert_eq!((image.width(), image.height()), (192, 192), "a square for dense screens");

    let author = app.get(&format!("/auteur/{slug}")).await.body;
    assert!(author.contains("<div class=\"author-head\">") && author.contains("class=\"portrait\""));
    assert!(author.contains("<meta property=\"og:image\""), "the author page's picture for sharing");
    // An article signed by the journalist shows the photo in its byline.
    let row = sqlx::query(
        "select a.id, a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.language = 'fr' and a.status = 'published' and s.kind = 'news' order by a.id limit 1",
    )
    .fetch_one(app.db().reader())
    .await
    .unwrap();
    let article_id: i64 = row.get("id");
    sqlx::query("delete from article_authors where article_id = $1")
        .bind(article_id)
        .execute(app.db().writer())
        .await
        .unwrap();
    sqlx::query("insert into article_authors (article_id, user_id, position) values ($1, $2, 0)")
        .bind(article_id)
        .bind(journalist.user_id)
        .execute(app.db().writer())
        .await
        .unwrap();
    app.state.content_changed();
    let page = app.get(&format!("/{}/{}", row.get::<String, _>("section"), row.get::<String, _>("slug"))).await.body;
    assert!(page.contains("class=\"byline with-portrait\"") && page.contains(photo["fallback"].as_str().unwrap()));
    // Emptied, the photo goes.
    fields[2].1 = String::new();
    assert_eq!(post_article(&app, "/redaction/compte/profil", &journalist, &fields).await.status, 303);
    assert!(!app.get(&format!("/auteur/{slug}")).await.body.contains("class=\"portrait\""));
    app.cleanup().await;
}

/// Share links are short addresses on the site (the page stays light) that send the reader on
/// to the network with the article's address and title; only known networks and published
/// articles, so no one can use them to send readers elsewhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_links_lead_to_the_networks_through_the_site() {
    let app = sqlite_app().await;
    app.with_demo().await;
    let row = sqlx::query(
        "select a.slug, a.title, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.language = 'ar' and a.status = 'published' order by a.id limit 1",
    )
    .fetch_one(app.db().reader())
    .await
    .unwrap();
    let (slug, title, section): (String, String, String) = (row.get("slug"), row.get("title"), row.get("section"));
    let path = format!("/{section}/{slug}");
    let page = app.get(&path).await.body;
    let share = format!("{path}/partager/whatsapp");
    assert!(page.contains(&format!("href=\"{share}\"")), "a short share link on the page");
    assert!(page.contains("href=\"mailto:?subject="), "e-mail stays a mailto: link");
    assert!(!page.contains("https://wa.me/"), "no full share address in the page");
    let encoded = |s: &str| gazette::urls::urlencode(s);
    let sent = app.get(&format!("/{section}/{}/partager/whatsapp", encoded(&slug))).await;
    assert_eq!(sent.status, 303);
    let location = sent.header("location");
    let base = app.state.config().base_url();
    assert_eq!(location, format!("https://wa.me/?text={}%20{}", encoded(&title), encoded(&format!("{base}{path}"))));
    let x = app.get(&format!("/{section}/{}/partager/x", encoded(&slug))).await;
    assert!(x.header("location").starts_with("https://x.com/intent/post?url="));
    assert_eq!(app.get(&format!("/{section}/{}/partager/evil.example", encoded(&slug))).await.status, 404);
    assert_eq!(app.get("/actualite/no-such-story/partager/whatsapp").await.status, 404);
    app.cleanup().await;
}
