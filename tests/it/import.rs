//! `gazette import wxr` and `gazette export`: the fixtures of `tests/data/wxr/` (see its
//! README for what each holds) imported into a real database, served through the real router;
//! re-runs, broken files, and the round trip demo → WXR → an empty site.

use std::path::{Path, PathBuf};

use gazette::import::{ImportError, ImportOptions, Report, import_wxr};
use sqlx::Row;

use crate::on_both_engines;
use crate::support::{TempDir, TestApp, run_gazette};

fn col<T>(row: &sqlx::any::AnyRow, name: &str) -> Result<T, sqlx::Error>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(name)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/wxr").join(name)
}

/// The uploads folder of `wordpress.xml`: two of its three attachments.
fn uploads() -> TempDir {
    let dir = TempDir::new("uploads");
    std::fs::create_dir_all(dir.path().join("2019/03")).unwrap();
    let jpeg = {
        let image = image::RgbImage::from_fn(80, 60, |x, y| image::Rgb([x as u8 * 3, y as u8 * 4, 90]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        image.write_to(&mut bytes, image::ImageFormat::Jpeg).unwrap();
        bytes.into_inner()
    };
    std::fs::write(dir.path().join("2019/03/photo-rabat.jpg"), jpeg).unwrap();
    std::fs::write(dir.path().join("2019/03/graph.png"), gazette::demo::picture::png(80, 60, [20, 90, 160], 2))
        .unwrap();
    dir
}

async fn import(
    app: &TestApp,
    file: &Path,
    uploads: Option<&Path>,
    batch: usize,
    dry_run: bool,
) -> Result<Report, ImportError> {
    import_wxr(
        app.db(),
        &ImportOptions {
            file: file.to_path_buf(),
            uploads_dir: uploads.map(Path::to_path_buf),
            dry_run,
            batch,
            progress: false,
            media_dir: app.state.config().media_dir(),
        },
    )
    .await
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    col(&sqlx::query(sql).fetch_one(app.db().reader()).await.unwrap(), "n").unwrap()
}

async fn text(app: &TestApp, sql: &'static str, bind: &str) -> String {
    col(&sqlx::query(sql).bind(bind.to_string()).fetch_one(app.db().reader()).await.unwrap(), "v").unwrap()
}

/// The fingerprint of everything an import writes, to prove a re-run duplicates nothing.
/// Asserts that `old` answers a permanent redirect to `new`.
async fn assert_moved(app: &TestApp, old: &str, new: &str) {
    let response = app.get(old).await;
    assert_eq!(response.status, 301, "{old}: {}", response.body);
    assert_eq!(response.header("location"), new, "{old}");
}

async fn totals(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "select count(*) as n from articles",
        "select count(*) as n from comments",
        "select count(*) as n from sections",
        "select count(*) as n from tags",
        "select count(*) as n from users",
        "select count(*) as n from media",
        "select count(*) as n from pages",
        "select count(*) as n from redirects",
        "select count(*) as n from comment_subscriptions",
        "select count(*) as n from article_tags",
        "select count(*) as n from article_revisions",
    ] {
        out.push(count(app, sql).await);
    }
    out
}

async fn wordpress_import(app: TestApp) {
    let uploads = uploads();
    // A dry run reads everything, counts, and writes nothing.
    let before = totals(&app).await;
    let dry = import(&app, &fixture("wordpress.xml"), Some(uploads.path()), 200, true).await.unwrap();
    assert_eq!(dry.of("article"), (9, 0, 0), "{dry}");
    assert_eq!(totals(&app).await, before, "a dry run wrote something");

    let report = import(&app, &fixture("wordpress.xml"), Some(uploads.path()), 200, false).await.unwrap();
    assert_eq!(report.of("article"), (9, 0, 0), "{report}");
    assert_eq!(report.of("page"), (2, 0, 0), "{report}");
    assert_eq!(report.of("section"), (5, 0, 0), "{report}");
    assert_eq!(report.of("tag"), (3, 0, 0), "{report}");
    assert_eq!(report.of("author"), (3, 0, 0), "{report}");
    assert_eq!(report.of("media"), (2, 0, 0), "{report}");
    assert_eq!(report.of("comment"), (6, 0, 0), "{report}");
    assert_eq!(report.missing_media.len(), 1, "{report}");
    assert!(report.missing_media[0].contains("2020/01/missing.jpg"), "{report}");
    let skipped: u64 = report.skipped.values().sum();
    assert_eq!(skipped, 4, "110 (trash), 300 (menu), 301 (block), 1007 (pingback): {report}");
    for name in ["caption", "gallery", "embed", "video"] {
        assert_eq!(report.shortcodes.converted.get(name), Some(&1), "{name}: {report}");
    }
    assert_eq!(report.shortcodes.removed.len(), 2, "{report}");

    // Statuses.
    let by_status = |status: &'static str| {
        let app = app.clone_handle();
        async move {
            col::<i64>(
                &sqlx::query("select count(*) as n from articles where status = $1")
                    .bind(status)
                    .fetch_one(app.db().reader())
                    .await
                    .unwrap(),
                "n",
            )
            .unwrap()
        }
    };
    assert_eq!(by_status("published").await, 5);
    assert_eq!(by_status("draft").await, 1);
    assert_eq!(by_status("review").await, 1);
    assert_eq!(by_status("scheduled").await, 1);
    assert_eq!(by_status("unpublished").await, 1);
    // The scheduled post waits for its time (2031-01-15 08:00 UTC) with a publishing job.
    assert_eq!(
        count(&app, "select count(*) as n from articles where status = 'scheduled' and publish_at = 1926230400000")
            .await,
        1
    );
    assert_eq!(count(&app, "select count(*) as n from jobs where kind = 'publish_article'").await, 1);

    // Titles decoded, sections nested with their names decoded once, the Arabic post in Arabic.
    assert_eq!(
        text(&app, "select title as v from articles where slug = $1", "elections-a-rabat").await,
        "Élections à Rabat : l’enjeu"
    );
    assert_eq!(text(&app, "select language as v from articles where slug = $1", "الانتخابات-في-الرباط").await, "ar");
    let names = text(&app, "select names as v from sections where slug = $1", "economie").await;
    assert!(names.contains("Économie & Finance"), "{names}");
    let chain = text(
        &app,
        "select p.slug || '>' || c.slug as v from sections c join sections p on p.id = c.parent_id where c.slug = $1",
        "maghreb",
    )
    .await;
    assert_eq!(chain, "afrique>maghreb");
    assert_eq!(
        count(&app, "select count(*) as n from sections c join sections p on p.id = c.parent_id where p.slug = 'monde' and c.slug = 'afrique'").await,
        1
    );
    // Two posts named "bilan" in different years: two articles, two slugs.
    assert_eq!(count(&app, "select count(*) as n from articles where slug like 'bilan%'").await, 2);

    // Authors: disabled, no password, and the one without an address has one that cannot
    // receive mail.
    assert_eq!(count(&app, "select count(*) as n from users where password_hash is null and disabled = 1").await, 3);
    assert_eq!(count(&app, "select count(*) as n from users where email like '%@imported.invalid'").await, 1);

    // Body: shortcodes turned into figures with the imported images, no script.
    let body = text(&app, "select body_html as v from articles where slug = $1", "elections-a-rabat").await;
    assert!(body.contains("<figcaption>La médina de Rabat</figcaption>"), "{body}");
    assert!(body.contains("src=\"/media/"), "{body}");
    assert!(!body.contains("old.example.com/wp-content"), "{body}");
    // A link to another imported post now points at its new address; one to a post the
    // export does not hold stays as it was.
    assert!(body.contains("href=\"/monde/bilan\""), "{body}");
    assert!(body.contains("old.example.com/2019/03/15/autre-article"), "{body}");
    let budget = text(&app, "select body_html as v from articles where title like $1", "Budget%").await;
    for bad in ["<script", "onerror", "javascript:", "alert(", "[contact-form-7", "[ad_slot", "[gallery"] {
        assert!(!budget.contains(bad), "{bad} in {budget}");
    }
    assert!(budget.contains("écrivez-nous"), "{budget}");
    assert!(budget.contains("youtube.com/watch"), "{budget}");
    // No excerpt: the SEO plugin's description is the lead, not the first words of the text.
    let lead = text(&app, "select lead as v from articles where title like $1", "Budget%").await;
    assert_eq!(lead, "Le gouvernement présente un budget de croissance & d’emploi.");
    // The featured image and its words came from the attachment that follows the post.
    assert_eq!(
        count(&app, "select count(*) as n from articles where slug = 'elections-a-rabat' and featured_media_id is not null and featured_caption = 'Rabat, mars 2019' and featured_alt = 'La médina de Rabat'").await,
        1
    );

    // Comments: statuses, threads three deep, the pingback left out.
    assert_eq!(count(&app, "select count(*) as n from comments where status = 'approved'").await, 3);
    assert_eq!(count(&app, "select count(*) as n from comments where status = 'pending'").await, 1);
    assert_eq!(count(&app, "select count(*) as n from comments where status = 'spam'").await, 1);
    assert_eq!(count(&app, "select count(*) as n from comments where status = 'refused'").await, 1);
    assert_eq!(
        count(&app, "select count(*) as n from comments c join comments p on p.id = c.parent_id join comments g on g.id = p.parent_id").await,
        1,
        "1003 → 1002 → 1001"
    );

    // Old addresses answer with a 301 to the new ones, however the browser spells them.
    app.state.reload_site().await.unwrap();
    for (old, new) in [
        ("/2019/03/15/elections-a-rabat/", "/maghreb/elections-a-rabat"),
        ("/2019/03/15/elections-a-rabat", "/maghreb/elections-a-rabat"),
        ("/?p=101", "/maghreb/elections-a-rabat"),
        ("/2019/12/31/bilan/", "/monde/bilan"),
        ("/category/monde/afrique/maghreb/", "/maghreb"),
    ] {
        assert_moved(&app, old, new).await;
    }
    // Feed readers subscribed to the old site's feeds keep getting the news.
    for (old, new) in [
        ("/feed/", "/feeds/rss.xml"),
        ("/feed/atom/", "/feeds/atom.xml"),
        ("/?feed=rss2", "/feeds/rss.xml"),
        ("/category/maghreb/feed/", "/feeds/rubrique/maghreb/rss.xml"),
        ("/category/monde/afrique/maghreb/feed/", "/feeds/rubrique/maghreb/rss.xml"),
        ("/author/amina/feed/", "/feeds/auteur/amina-benali/rss.xml"),
        ("/tag/elections/feed/atom/", "/feeds/tag/elections/atom.xml"),
    ] {
        assert_moved(&app, old, new).await;
        let feed = app.get(new).await;
        assert_eq!(feed.status, 200, "{new}");
        assert!(feed.body.starts_with("<?xml"), "{new}");
    }
    assert_eq!(app.get("/?feed=nonsense").await.status, 200, "an unknown feed query is the front page");
    // The old uploads, linked from elsewhere, lead to the imported files, resized copies too.
    let photo = app.get("/wp-content/uploads/2019/03/photo-rabat.jpg").await;
    assert_eq!(photo.status, 301);
    let media = photo.header("location").to_string();
    assert!(media.starts_with("/media/") && media.ends_with(".jpg"), "{media}");
    assert_eq!(app.get(&media).await.status, 200);
    let resized = app.get("/wp-content/uploads/2019/03/photo-rabat-300x200.jpg").await;
    assert_eq!((resized.status.as_u16(), resized.header("location")), (301, media.as_str()));
    assert_eq!(app.get("/wp-content/uploads/2020/01/missing.jpg").await.status, 404, "not imported: not found");
    for (old, new) in [
        ("/wp-sitemap.xml", "/sitemap.xml"),
        ("/sitemap_index.xml", "/sitemap.xml"),
        ("/wp-admin/", "/redaction"),
        ("/wp-login.php", "/redaction/connexion"),
    ] {
        assert_moved(&app, old, new).await;
    }
    let bilan_2020 = app.get("/2020/12/31/bilan/").await;
    assert_eq!(bilan_2020.status, 301);
    let page = app.get(bilan_2020.header("location")).await;
    assert!(page.body.contains("Bilan 2020"), "each old link leads to its own article");
    let arabic_slug = "%D8%A7%D9%84%D8%A7%D9%86%D8%AA%D8%AE%D8%A7%D8%A8%D8%A7%D8%AA-%D9%81%D9%8A-%D8%A7%D9%84%D8%B1%D8%A8%D8%A7%D8%B7";
    for old in [format!("/2019/03/16/{}/", arabic_slug.to_lowercase()), format!("/2019/03/16/{arabic_slug}/")] {
        let response = app.get(&old).await;
        assert_eq!(response.status, 301, "{old}");
        assert_eq!(response.header("location"), format!("/maghreb/{arabic_slug}"), "{old}");
        assert_eq!(app.get(response.header("location")).await.status, 200);
    }
    // The unpublished post's old address leads nowhere.
    assert_eq!(app.get("/2019/04/02/note-interne/").await.status, 404);
    // Pages are served at their slug, and their old addresses lead there.
    let about = app.get("/a-propos").await;
    assert_eq!(about.status, 200);
    assert!(about.body.contains("À propos"), "{}", about.body);
    let team = app.get("/a-propos/equipe/").await;
    assert_eq!(team.status, 301);
    assert_eq!(team.header("location"), "/equipe");
    // The imported article renders with its threaded comments.
    let article = app.get("/maghreb/elections-a-rabat").await;
    assert_eq!(article.status, 200);
    // Polylang's translations of one story are one group: each page links to the other.
    assert!(article.body.contains("href=\"/maghreb/الانتخابات-في-الرباط\" hreflang=\"ar\""), "{}", article.body);
    let arabic_page = app.get(&format!("/maghreb/{arabic_slug}")).await;
    assert!(arabic_page.body.contains("href=\"/maghreb/elections-a-rabat\" hreflang=\"fr\""), "{}", arabic_page.body);
    assert!(article.body.contains("Said"), "approved comments show");
    assert!(!article.body.contains("Casino Bonus"), "spam does not");

    // Again: nothing new, nothing duplicated. And a site imported before the translation
    // groups were read (each article its own group, no record of the term) is grouped by the
    // re-run, without the articles counting as changed.
    let group = "select count(distinct translation_group) as n from articles where slug in ('elections-a-rabat', 'الانتخابات-في-الرباط')";
    assert_eq!(count(&app, group).await, 1);
    sqlx::query("update articles set translation_group = id").execute(app.db().writer()).await.unwrap();
    sqlx::query("delete from import_items where kind = 'translations'").execute(app.db().writer()).await.unwrap();
    assert_eq!(count(&app, group).await, 2);
    let after_first = totals(&app).await;
    let again = import(&app, &fixture("wordpress.xml"), Some(uploads.path()), 200, false).await.unwrap();
    assert_eq!(again.of("article"), (0, 0, 9), "{again}");
    assert_eq!(again.of("comment"), (0, 0, 6), "{again}");
    assert_eq!(totals(&app).await, after_first, "a second run duplicated something");
    assert_eq!(count(&app, group).await, 1, "the re-run grouped the story's two languages");

    // The source changed a title and approved the pending comment: the re-run updates both.
    let edited = TempDir::new("wxr-edit");
    let source = std::fs::read_to_string(fixture("wordpress.xml")).unwrap();
    let changed = source.replacen("Bilan 2019", "Bilan de l’année 2019", 1);
    assert_ne!(changed, source);
    let pending_start = changed.find("<wp:comment_id>1004</wp:comment_id>").unwrap();
    let approved_at = pending_start + changed[pending_start..].find("<wp:comment_approved>").unwrap();
    let value_end = approved_at + changed[approved_at..].find("</wp:comment_approved>").unwrap();
    let changed = format!("{}<wp:comment_approved>1{}", &changed[..approved_at], &changed[value_end..]);
    let path = edited.path().join("wordpress.xml");
    std::fs::write(&path, changed).unwrap();
    let third = import(&app, &path, Some(uploads.path()), 200, false).await.unwrap();
    assert_eq!(third.of("article"), (0, 1, 8), "{third}");
    assert_eq!(third.of("comment"), (0, 1, 5), "{third}");
    assert_eq!(text(&app, "select title as v from articles where slug = $1", "bilan").await, "Bilan de l’année 2019");
    assert_eq!(count(&app, "select count(*) as n from comments where status = 'approved'").await, 4);
    let mut expected = after_first.clone();
    expected[10] += 1; // one new revision of the edited article
    assert_eq!(totals(&app).await, expected);
}

async fn wmaker_import(app: TestApp) {
    let report = import(&app, &fixture("wmaker.xml"), None, 200, false).await.unwrap();
    assert_eq!(report.of("article"), (3, 0, 0), "{report}");
    assert_eq!(report.of("comment"), (3, 0, 0), "{report}");
    assert_eq!(report.subscriptions, 2, "{report}");
    // Opted in on the old site: waiting for confirmation here, no mail sent by the import.
    assert_eq!(count(&app, "select count(*) as n from comment_subscriptions where confirmed = 0").await, 2);
    assert_eq!(count(&app, "select count(*) as n from jobs where kind = 'send_mail'").await, 0);
    assert_eq!(count(&app, "select count(*) as n from articles where language = 'ar'").await, 1);
    app.state.reload_site().await.unwrap();
    // WMaker reads only the number: any text before _a160665 leads to the same article.
    for (old, new) in [
        ("/Le-gouvernement-adopte-le-budget_a160665.html", "/economie/le-gouvernement-adopte-le-budget"),
        ("/Budget-2024_a160665.html", "/economie/le-gouvernement-adopte-le-budget"),
        ("/Sahara-une-resolution_a160666.html", "/national/sahara-une-resolution"),
        ("/Economie_r10.html", "/economie"),
        ("/Actualite-nationale_r3.html", "/national"),
    ] {
        assert_moved(&app, old, new).await;
    }
    assert_eq!(app.get("/Ancien-dossier_a99999.html").await.status, 404);
    // Links between the old site's articles now point at the new addresses.
    let body =
        text(&app, "select body_html as v from articles where slug = $1", "le-gouvernement-adopte-le-budget").await;
    assert!(body.contains("href=\"/national/sahara-une-resolution\""), "{body}");
    assert!(body.contains("href=\"/economie\""), "{body}");
    assert!(report.relinked >= 2, "{report}");
}

async fn broken_files(app: TestApp) {
    // A truncated file: the first pass reads the whole file before any item is written, so
    // the error (line 66) comes before anything of the cut export is visible.
    let error = import(&app, &fixture("truncated.xml"), None, 1, false).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("line 66"), "{message}");
    assert!(message.contains("nothing from the items was imported"), "{message}");
    assert_eq!(count(&app, "select count(*) as n from articles").await, 0);

    // A mismatched tag: line 23, what was expected, and no article.
    let before = count(&app, "select count(*) as n from articles").await;
    let error = import(&app, &fixture("malformed.xml"), None, 200, false).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("line 23") && message.contains("expected </title>"), "{message}");
    assert_eq!(count(&app, "select count(*) as n from articles").await, before);

    // Entities and split CDATA decode exactly.
    import(&app, &fixture("entities.xml"), None, 200, false).await.unwrap();
    assert_eq!(count(&app, "select count(*) as n from articles where title = 'Balise ]]> : l’alphabet ا'").await, 1);
}

async fn round_trip(app: TestApp) {
    app.with_demo().await;
    let dir = TempDir::new("export");
    let file = dir.path().join("site.xml");
    let exported = gazette::export::export_wxr(app.db(), "https://gazette.example", &file, false).await.unwrap();
    assert!(exported.counts.iter().any(|(k, n)| k == "articles" && *n > 10), "{exported}");

    let fresh = TestApp::new(app.database.choice()).await.unwrap();
    let report = import(&fresh, &file, None, 50, false).await.unwrap();
    let articles = count(&app, "select count(*) as n from articles").await;
    assert_eq!(report.of("article").0 as i64, articles, "{report}");
    // The same articles at the same addresses, with the same comments and sections.
    let listing = "select a.slug || '|' || s.slug || '|' || a.status || '|' || a.title || '|' || a.language || '|' || \
                   (select count(*) from comments c where c.article_id = a.id and c.status = 'approved') as v \
                   from articles a join sections s on s.id = a.section_id order by a.slug";
    let rows = |app: TestApp| async move {
        sqlx::query(listing)
            .fetch_all(app.db().reader())
            .await
            .unwrap()
            .iter()
            .map(|r| col::<String>(r, "v").unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(fresh.clone_handle()).await, rows(app.clone_handle()).await);
    let sections = "select s.slug || '<' || coalesce(p.slug, '') as v from sections s left join sections p on p.id = s.parent_id order by s.slug";
    let section_rows = |app: TestApp| async move {
        sqlx::query(sections)
            .fetch_all(app.db().reader())
            .await
            .unwrap()
            .iter()
            .map(|r| col::<String>(r, "v").unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(section_rows(fresh.clone_handle()).await, section_rows(app.clone_handle()).await);
    // Stories in several languages stay grouped (Polylang's post_translations, both ways).
    let pairs = "select a.slug || '=' || b.slug as v from articles a join articles b \
                 on a.translation_group = b.translation_group and a.slug < b.slug order by 1";
    let pair_rows = |app: TestApp| async move {
        sqlx::query(pairs)
            .fetch_all(app.db().reader())
            .await
            .unwrap()
            .iter()
            .map(|r| col::<String>(r, "v").unwrap())
            .collect::<Vec<_>>()
    };
    let demo_pairs = pair_rows(app.clone_handle()).await;
    assert!(!demo_pairs.is_empty(), "the demo has stories in several languages");
    assert_eq!(pair_rows(fresh.clone_handle()).await, demo_pairs);
    fresh.state.reload_site().await.unwrap();
    let published = sqlx::query(
        "select s.slug as section, a.slug as slug from articles a join sections s on s.id = a.section_id where a.status = 'published'",
    )
    .fetch_all(app.db().reader())
    .await
    .unwrap();
    for row in published.iter().take(20) {
        let path = format!("/{}/{}", col::<String>(row, "section").unwrap(), col::<String>(row, "slug").unwrap());
        let encoded: String = path
            .bytes()
            .map(|b| if b.is_ascii_graphic() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        assert_eq!(fresh.get(&encoded).await.status, 200, "{path}");
    }

    // JSON: every table, documented manifest, no password hash.
    let json_dir = dir.path().join("json");
    let report = gazette::export::export_json(app.db(), &app.state.config().media_dir(), &json_dir).await.unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["tables"]["articles"].as_i64(), Some(articles));
    assert_eq!(manifest["tables"]["comments"].as_i64(), Some(count(&app, "select count(*) as n from comments").await));
    let revisions: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(json_dir.join("article_revisions.json")).unwrap()).unwrap();
    assert_eq!(revisions.len() as i64, count(&app, "select count(*) as n from article_revisions").await);
    let settings = std::fs::read_to_string(json_dir.join("settings.json")).unwrap();
    assert!(settings.contains("\"site\"") && !settings.contains("instance_secret"), "{settings}");
    let users = std::fs::read_to_string(json_dir.join("users.json")).unwrap();
    assert!(!users.contains("password_hash") && !users.contains("$argon2"), "{users}");
    assert!(report.counts.iter().any(|(k, n)| k == "media files" && *n > 0), "{report}");
    fresh.cleanup().await;
}

/// WordPress's author address is `/author/{nicename}`, the login made into a slug; the export
/// carries only the login: both lead to the author's page and feed.
async fn author_addresses_follow_the_nicename(app: TestApp) {
    let source = std::fs::read_to_string(fixture("entities.xml")).unwrap();
    let renamed = source.replace("<![CDATA[amina]]>", "<![CDATA[Amina Benali]]>");
    assert_ne!(renamed, source);
    let dir = TempDir::new("wxr-nicename");
    let file = dir.path().join("site.xml");
    std::fs::write(&file, renamed).unwrap();
    import(&app, &file, None, 50, false).await.unwrap();
    app.state.reload_site().await.unwrap();
    let page = app.get("/author/amina-benali/").await;
    assert_eq!(page.status, 301, "{}", page.body);
    let author = page.header("location").to_string();
    assert!(author.starts_with("/auteur/"), "{author}");
    assert_eq!(app.get(&author).await.status, 200);
    let feed = app.get("/author/amina-benali/feed/").await;
    assert_eq!(feed.header("location"), format!("/feeds{author}/rss.xml"));
    assert_eq!(app.get("/author/Amina%20Benali/").await.header("location"), author, "the login as written too");
}

on_both_engines!(wordpress_import, wmaker_import, broken_files, round_trip, author_addresses_follow_the_nicename);

#[test]
fn the_command_line_names_the_line_of_a_broken_file() {
    let dir = TempDir::new("import-cli");
    let url = format!("sqlite://{}/gazette.db", dir.path().display());
    let file = fixture("malformed.xml");
    let output = run_gazette(dir.path(), &["--database-url", &url, "import", "wxr", file.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 23, column"), "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{stderr}");
    let missing = run_gazette(dir.path(), &["--database-url", &url, "import", "wxr", "nope.xml"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open nope.xml"));
    let ok = run_gazette(
        dir.path(),
        &["--database-url", &url, "import", "wxr", fixture("wmaker.xml").to_str().unwrap()],
        &[],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(stdout.contains("article") && stdout.contains("3 new"), "{stdout}");
    let export = dir.path().join("out.xml");
    let exported =
        run_gazette(dir.path(), &["--database-url", &url, "export", "--format", "wxr", export.to_str().unwrap()], &[]);
    assert_eq!(exported.status.code(), Some(0), "{}", String::from_utf8_lossy(&exported.stderr));
    let written = std::fs::read_to_string(&export).unwrap();
    assert!(written.contains("<wp:wxr_version>1.2</wp:wxr_version>"), "{written}");
    assert!(written.contains("Le gouvernement adopte le budget"), "{written}");
}

/// An import killed with SIGKILL halfway through is run again: it finishes, and the site holds
/// exactly what one uninterrupted run gives, nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_import_runs_again_to_the_same_result() {
    use gazette::demo::archive::{ArchiveOptions, generate};
    let source = TestApp::new(crate::support::EngineChoice::Sqlite).await.unwrap();
    let options = ArchiveOptions { sections: 8, tags: 60, authors: 6, ..ArchiveOptions::new(600) };
    generate(source.db(), &source.state.config().media_dir(), &options).await.unwrap();
    let dir = TempDir::new("resume");
    let file = dir.path().join("archive.xml");
    gazette::export::export_wxr(source.db(), "https://archives.example", &file, false).await.unwrap();
    let articles = count(&source, "select count(*) as n from articles").await;
    let comments = count(&source, "select count(*) as n from comments").await;

    let url = format!("sqlite://{}/target.db", dir.path().display());
    let args = ["--database-url", url.as_str(), "import", "wxr", file.to_str().unwrap(), "--batch", "10"];
    let mut first = std::process::Command::new(crate::support::gazette_bin())
        .current_dir(dir.path())
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once some batches are in, well before the end.
    let db_path = dir.path().join("target.db");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let done = if db_path.exists() {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let n: i64 = sqlx::query("select count(*) as n from articles")
                .fetch_one(&pool)
                .await
                .map(|r| r.get("n"))
                .unwrap_or(0);
            pool.close().await;
            n
        } else {
            0
        };
        if done >= 50 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the import never got going");
        assert!(first.try_wait().unwrap().is_none(), "the import finished before it could be interrupted");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();

    let second = run_gazette(dir.path(), &args, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", String::from_utf8_lossy(&second.stderr));
    let report = String::from_utf8_lossy(&second.stdout);
    let unchanged: i64 = report
        .lines()
        .find(|l| l.trim_start().starts_with("article "))
        .and_then(|l| l.split(", ").nth(2))
        .and_then(|part| part.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(unchanged >= 50, "the second run found the first one's work: {report}");
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let n = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query(sql).fetch_one(&pool).await.unwrap().get::<i64, _>("n") }
    };
    assert_eq!(n("select count(*) as n from articles").await, articles);
    assert_eq!(n("select count(*) as n from comments").await, comments);
    assert_eq!(n("select count(*) as n from (select source, kind, source_id from import_items group by 1, 2, 3 having count(*) > 1) d").await, 0);
    assert_eq!(n("select count(*) as n from (select slug from articles group by slug having count(*) > 1) d").await, 0);
    pool.close().await;
    source.cleanup().await;
}
