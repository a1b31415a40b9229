//! The article form: writing, revisions and the conflict screen, submitting, publishing,
//! scheduling and unpublishing, moving, preview links, autosave, corrections.

use gazette::news::Role;
use sqlx::Row;

use super::{post_article, staff};
use crate::on_both_engines;
use crate::support::TestApp;

pub(crate) fn article_form(title: &str, section: i64, extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("title", title.to_string()),
        ("lead", "Un chapeau.".to_string()),
        ("body_markdown", "Premier paragraphe.\n\nDeuxième paragraphe.".to_string()),
        ("section_id", section.to_string()),
        ("language", "fr".to_string()),
        ("tags", "Port, Énergie".to_string()),
        ("comments_mode", "open".to_string()),
        ("action", "save".to_string()),
    ];
    // Extra fields replace the defaults: a browser never sends a field twice.
    for (key, value) in extra {
        match form.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value.clone(),
            None => form.push((key, value.clone())),
        }
    }
    form
}

pub(crate) fn id_from_location(response: &crate::support::TestResponse) -> i64 {
    response.header("location").trim_start_matches("/redaction/articles/").split('?').next().unwrap().parse().unwrap()
}

async fn writing_revisions_and_the_conflict_screen(app: TestApp) {
    app.with_demo().await;
    let journalist = staff(&app, Role::Journalist).await;
    let editor = staff(&app, Role::Editor).await;
    let economy: i64 = app.section_id("economie").await;

    // A refused form comes back with the reason next to the field and everything typed.
    let refused = post_article(
        &app,
        "/redaction/articles",
        &journalist,
        &article_form("", economy, &[("body_markdown", "Mon texte précieux".into())]),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Le titre est obligatoire"));
    assert!(refused.body.contains("Mon texte précieux"), "nothing typed is lost");

    let created =
        post_article(&app, "/redaction/articles", &journalist, &article_form("Le port en chiffres", economy, &[]))
            .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = id_from_location(&created);
    let form = app.get_as(&format!("/redaction/articles/{id}"), &journalist.cookie).await;
    assert!(form.body.contains("value=\"le-port-en-chiffres\""), "slug from the title");
    assert!(form.body.contains("Lien d&#39;aperçu"), "a preview link for the unpublished article");

    // Two people open version 1; the journalist saves first, the editor's save is refused.
    let v1 = "1".to_string();
    let first = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &journalist,
        &article_form(
            "Le port en chiffres",
            economy,
            &[("version", v1.clone()), ("body_markdown", "Texte du journaliste.".into())],
        ),
    )
    .await;
    assert_eq!(first.status, 303);
    let second = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &editor,
        &article_form(
            "Le port en chiffres",
            economy,
            &[("version", v1), ("body_markdown", "Texte de l'éditeur, tapé avec soin.".into())],
        ),
    )
    .await;
    assert_eq!(second.status, 409);
    assert!(second.body.contains("Conflit de modification"));
    assert!(second.body.contains("Texte du journaliste."), "their version is shown");
    assert!(second.body.contains("Texte de l&#39;éditeur, tapé avec soin."), "yours is kept");
    // Saving from the conflict screen (it carries the current version) works.
    let version = second.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(version, "2");
    let keep = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &editor,
        &article_form(
            "Le port en chiffres",
            economy,
            &[("version", version), ("body_markdown", "Texte de l'éditeur, tapé avec soin.".into())],
        ),
    )
    .await;
    assert_eq!(keep.status, 303);

    // Every save is a revision, with a readable diff, and can be restored.
    let revisions = app.get_as(&format!("/redaction/articles/{id}/revisions"), &editor.cookie).await;
    assert_eq!(revisions.status, 200);
    assert!(revisions.body.matches("Version ").count() >= 3);
    assert!(revisions.body.contains("diff-added") && revisions.body.contains("diff-removed"));
    let restore =
        app.post_form(&format!("/redaction/articles/{id}/revisions/2/restaurer"), &editor, &[("version", "3")]).await;
    assert_eq!(restore.status, 303);
    let body: String = app.editable(id).await.fields.body_markdown;
    assert_eq!(body, "Texte du journaliste.");
    let versions: i64 = sqlx::query("select count(*) as n from article_revisions where article_id = $1")
        .bind(id)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(versions, 4, "the restore is itself a revision; nothing was lost");

    // Preview renders with the same code as the site, without saving.
    let preview = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &editor,
        &article_form(
            "Le port en chiffres",
            economy,
            &[
                ("version", "4".into()),
                ("action", "preview".into()),
                ("body_markdown", "Du **gras** <script>alert(1)</script>".into()),
            ],
        ),
    )
    .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("<strong>gras</strong>") && !preview.body.contains("<script>alert(1)"));
}

async fn journalists_submit_editors_publish_schedule_and_unpublish(app: TestApp) {
    app.with_demo().await;
    let journalist = staff(&app, Role::Journalist).await;
    let editor = staff(&app, Role::Editor).await;
    let economy: i64 = app.section_id("economie").await;
    let created = post_article(
        &app,
        "/redaction/articles",
        &journalist,
        &article_form("Zénith des exportations de dattes", economy, &[("action", "submit".into())]),
    )
    .await;
    assert_eq!(created.status, 303);
    let id = id_from_location(&created);
    assert_eq!(app.editable(id).await.status, gazette::news::ArticleStatus::Review);
    // A journalist cannot publish, even by crafting the form.
    let forced = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &journalist,
        &article_form(
            "Zénith des exportations de dattes",
            economy,
            &[("version", "1".into()), ("action", "publish".into())],
        ),
    )
    .await;
    assert_eq!(forced.status, 403);
    assert_eq!(app.get("/recherche?q=dattes").await.body.matches("class=\"hit\"").count(), 0);
    // The editor publishes: the site, the section feed and search show it at the next request.
    let published = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &editor,
        &article_form(
            "Zénith des exportations de dattes",
            economy,
            &[("version", "1".into()), ("action", "publish".into())],
        ),
    )
    .await;
    assert_eq!(published.status, 303);
    assert!(app.get("/economie").await.body.contains("Zénith des exportations de dattes"));
    assert!(app.get("/feeds/rubrique/economie/rss.xml").await.body.contains("Zénith des exportations de dattes"));
    assert_eq!(app.get("/recherche?q=dattes").await.body.matches("class=\"hit\"").count(), 1);
    // A journalist can no longer edit it once published.
    assert_eq!(app.get_as(&format!("/redaction/articles/{id}"), &journalist.cookie).await.status, 403);
    // Unpublish: gone from the site and search.
    let unpublished = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &editor,
        &article_form(
            "Zénith des exportations de dattes",
            economy,
            &[("version", "2".into()), ("action", "unpublish".into())],
        ),
    )
    .await;
    assert_eq!(unpublished.status, 303);
    assert!(!app.get("/economie").await.body.contains("Zénith des exportations"));
    assert_eq!(app.get("/recherche?q=dattes").await.body.matches("class=\"hit\"").count(), 0);
    // Scheduling needs a future time; the job publishes it when it comes.
    let past = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &editor,
        &article_form(
            "Zénith des exportations de dattes",
            economy,
            &[("version", "3".into()), ("action", "schedule".into()), ("publish_at", "2001-01-01T10:00".into())],
        ),
    )
    .await;
    assert_eq!(past.status, 422);
    assert!(past.body.contains("Cette date est passée"));
    let tz = app.state.site().tz();
    let soon = chrono::Utc::now().with_timezone(&tz) + chrono::Duration::minutes(1);
    let scheduled = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &editor,
        &article_form(
            "Zénith des exportations de dattes",
            economy,
            &[
                ("version", "3".into()),
                ("action", "schedule".into()),
                ("publish_at", soon.format("%Y-%m-%dT%H:%M").to_string()),
            ],
        ),
    )
    .await;
    assert_eq!(scheduled.status, 303, "{}", scheduled.body);
    let job: i64 = sqlx::query(
        "select count(*) as n from jobs where kind = 'publish_article' and status = 'queued' and dedupe_key = $1",
    )
    .bind(format!("publish_article:{id}"))
    .fetch_one(app.db().reader())
    .await
    .unwrap()
    .get("n");
    assert_eq!(job, 1, "the publication job is queued with the change");
    // Who did what, when: the audit log.
    let actions: Vec<String> =
        sqlx::query("select action from audit_log where object_type = 'article' and object_id = $1 order by id")
            .bind(id)
            .fetch_all(app.db().reader())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("action"))
            .collect();
    assert_eq!(actions, ["article.create", "article.published", "article.unpublished", "article.scheduled"]);
}

/// An editor plans when a published article leaves the site (an embargo's end, a time-limited
/// page): a past time is refused with the form kept; a cleared time cancels the plan (the job
/// then does nothing); when the time comes the job takes the article off the site, its
/// section and search, once, in the audit log as the schedule's doing.
async fn an_article_leaves_the_site_at_its_unpublication_time(app: TestApp) {
    app.with_demo().await;
    let editor = staff(&app, Role::Editor).await;
    let economy: i64 = app.section_id("economie").await;
    let title = "Offre limitée : le salon Kasbatello de l'immobilier";
    let tz = app.state.site().tz();
    let local = |minutes: i64| {
        (chrono::Utc::now().with_timezone(&tz) + chrono::Duration::minutes(minutes))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let past = post_article(
        &app,
        "/redaction/articles",
        &editor,
        &article_form(title, economy, &[("action", "publish".into()), ("unpublish_at", local(-60))]),
    )
    .await;
    assert_eq!(past.status, 422);
    assert!(past.body.contains("Cette heure est passée") && past.body.contains("Offre limitée"), "{}", past.body);
    let created = post_article(
        &app,
        "/redaction/articles",
        &editor,
        &article_form(title, economy, &[("action", "publish".into()), ("unpublish_at", local(120))]),
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = id_from_location(&created);
    let planned = app.editable(id).await.unpublish_at.expect("the time is kept");
    assert!(planned > gazette::store::now_ms(), "{planned}");
    let page = app.get_as(&format!("/redaction/articles/{id}"), &editor.cookie).await.body;
    assert!(page.contains(&format!("name=\"unpublish_at\" type=\"datetime-local\" value=\"{}\"", local(120))));
    let job = || async {
        let row = sqlx::query("select status, run_at from jobs where dedupe_key = $1")
            .bind(format!("unpublish_article:{id}"))
            .fetch_one(app.db().reader())
            .await
            .unwrap();
        (row.get::<String, _>("status"), row.get::<i64, _>("run_at"))
    };
    assert_eq!(job().await, ("queued".to_string(), planned), "the job runs at the time planned");

    // Cleared: the plan is off, and the job, come due, leaves the article where it is.
    let form = |version: &str, when: String| {
        article_form(title, economy, &[("version", version.into()), ("action", "save".into()), ("unpublish_at", when)])
    };
    let cleared = post_article(&app, &format!("/redaction/articles/{id}"), &editor, &form("1", String::new())).await;
    assert_eq!(cleared.status, 303, "{}", cleared.body);
    assert_eq!(app.editable(id).await.unpublish_at, None);
    let run_due_jobs = || async {
        sqlx::query("update jobs set run_at = $1 where dedupe_key = $2")
            .bind(gazette::store::now_ms() - 1000)
            .bind(format!("unpublish_article:{id}"))
            .execute(app.db().writer())
            .await
            .unwrap();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let workers = gazette::jobs::worker::spawn_workers(app.state.clone(), 1, stopped);
        for _ in 0..600 {
            if job().await.0 == "done" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = stop.send(true);
        for w in workers {
            w.await.unwrap();
        }
    };
    run_due_jobs().await;
    assert_eq!(job().await.0, "done");
    assert!(app.get("/economie").await.body.contains("Offre limitée"), "a cancelled plan leaves it on the site");

    // Planned again, and its time come: off the site, its section and search.
    let again = post_article(&app, &format!("/redaction/articles/{id}"), &editor, &form("2", local(180))).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(job().await.0, "queued", "a new plan queues the job again");
    assert_eq!(app.get("/recherche?q=Kasbatello").await.body.matches("class=\"hit\"").count(), 1);
    sqlx::query("update articles set unpublish_at = $1 where id = $2")
        .bind(gazette::store::now_ms() - 1000)
        .bind(id)
        .execute(app.db().writer())
        .await
        .unwrap();
    run_due_jobs().await;
    let article = app.editable(id).await;
    assert_eq!((article.status, article.unpublish_at), (gazette::news::ArticleStatus::Unpublished, None));
    assert!(!app.get("/economie").await.body.contains("Offre limitée"));
    assert_eq!(app.get("/recherche?q=Kasbatello").await.body.matches("class=\"hit\"").count(), 0);
    let by_schedule: i64 = sqlx::query(
        "select count(*) as n from audit_log where action = 'article.unpublished' and object_id = $1 and actor_id is null",
    )
    .bind(id)
    .fetch_one(app.db().reader())
    .await
    .unwrap()
    .get("n");
    assert_eq!(by_schedule, 1, "unpublished once, by the schedule");
}

/// Editors assign an article to a journalist, who then finds it among theirs and may edit it;
/// everyone who may edit it writes notes for the newsroom, which readers never see (page,
/// API, feeds); a refused note keeps its text; journalists do not assign.
async fn notes_and_assignment_stay_in_the_newsroom(app: TestApp) {
    app.with_demo().await;
    let journalist = staff(&app, Role::Journalist).await;
    let editor = staff(&app, Role::Editor).await;
    let economy: i64 = app.section_id("economie").await;
    let title = "Enquête sur les Zerbatines du port";
    let created = post_article(&app, "/redaction/articles", &editor, &article_form(title, economy, &[])).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = id_from_location(&created);
    let edit_page = format!("/redaction/articles/{id}");
    assert_eq!(app.get_as(&edit_page, &journalist.cookie).await.status, 403, "not theirs yet");
    let mine = |login: &crate::support::Login| {
        let (app, cookie) = (&app, login.cookie.clone());
        async move { app.get_as("/redaction/articles", &cookie).await.body }
    };
    assert!(!mine(&journalist).await.contains(title));

    let assign = |login: &crate::support::Login, to: String| {
        let (app, login) = (&app, login.clone());
        async move { app.post_form(&format!("/redaction/articles/{id}/confier"), &login, &[("assigned_to", &to)]).await }
    };
    assert_eq!(assign(&journalist, journalist.user_id.to_string()).await.status, 403, "journalists do not assign");
    assert_eq!(assign(&editor, "999999".into()).await.status, 400, "only a member of the newsroom");
    let assigned = assign(&editor, journalist.user_id.to_string()).await;
    assert_eq!(assigned.status, 303);
    assert_eq!(assigned.header("location"), format!("/redaction/articles/{id}?ok=assigned"));
    let list = mine(&journalist).await;
    assert!(list.contains(title) && list.contains("confié à"), "{list}");
    assert_eq!(app.get_as(&edit_page, &journalist.cookie).await.status, 200, "theirs to write now");

    let note = "Rappeler le capitaine du port avant publication : chiffre des tonnages à vérifier.";
    let too_long = "x".repeat(2001);
    let refused = app.post_form(&format!("{edit_page}/notes"), &journalist, &[("note", &too_long)]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("2 000 caractères") && refused.body.contains(&too_long), "the text is kept");
    let added = app.post_form(&format!("{edit_page}/notes"), &journalist, &[("note", note)]).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let seen = app.get_as(&edit_page, &editor.cookie).await.body;
    assert!(seen.contains(note) && seen.contains("Notes de la rédaction"), "{seen}");
    // The body's length as readers will read it, before publishing.
    assert!(seen.contains("4 mots · 1 minute de lecture"), "{seen}");

    // Published: the note appears nowhere readers look.
    let published = post_article(
        &app,
        &edit_page,
        &editor,
        &article_form(title, economy, &[("version", "1".into()), ("action", "publish".into())]),
    )
    .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let article = app.editable(id).await;
    let page = app.get(&format!("/economie/{}", article.fields.slug)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Zerbatines") && !page.body.contains("capitaine du port"));
    assert!(!app.get(&format!("/api/v1/articles/{id}")).await.body.contains("capitaine du port"));
    assert!(!app.get("/feeds/rubrique/economie/rss.xml").await.body.contains("capitaine du port"));
}

/// "Being edited by …": opening the form takes the article; a colleague who opens it is told
/// who has it and since when, and may take it over knowingly (audited); the first one's page
/// then learns it on its next renewal; an abandoned hold expires by itself.
async fn an_open_article_says_who_is_editing_it(app: TestApp) {
    app.with_demo().await;
    let first = staff(&app, Role::Editor).await;
    let second = staff(&app, Role::Admin).await;
    let economy: i64 = app.section_id("economie").await;
    let created = post_article(
        &app,
        "/redaction/articles",
        &first,
        &article_form("Le port de Tanger Med en chiffres", economy, &[]),
    )
    .await;
    let id = id_from_location(&created);
    let page = format!("/redaction/articles/{id}");
    let open = |login: &crate::support::Login| {
        let (app, cookie, page) = (&app, login.cookie.clone(), page.clone());
        async move { app.get_as(&page, &cookie).await.body }
    };
    let renew = |login: &crate::support::Login| {
        let (app, login) = (&app, login.clone());
        async move { app.post_form(&format!("/redaction/articles/{id}/bail"), &login, &[]).await.json() }
    };
    let name_of = |login: &crate::support::Login| {
        let (app, user_id) = (&app, login.user_id);
        async move {
            sqlx::query("select name from users where id = $1")
                .bind(user_id)
                .fetch_one(app.db().reader())
                .await
                .unwrap()
                .get::<String, _>("name")
        }
    };
    let (first_name, second_name) = (name_of(&first).await, name_of(&second).await);

    assert!(!open(&first).await.contains("lease-warning"), "free: it is theirs");
    let seen = open(&second).await;
    assert!(seen.contains(&format!("Cet article est ouvert par {first_name} depuis")), "{seen}");
    assert_eq!(renew(&second).await, serde_json::json!({ "mine": false, "holder": first_name }));
    assert_eq!(renew(&first).await, serde_json::json!({ "mine": true }));

    let taken = app.post_form(&format!("/redaction/articles/{id}/prendre"), &second, &[]).await;
    assert_eq!(taken.status, 303);
    assert_eq!(taken.header("location"), format!("/redaction/articles/{id}?ok=taken_over"));
    assert_eq!(renew(&first).await, serde_json::json!({ "mine": false, "holder": second_name }));
    assert!(open(&first).await.contains(&format!("Cet article est ouvert par {second_name}")));
    assert!(!open(&second).await.contains("lease-warning"));
    let audited: i64 =
        sqlx::query("select count(*) as n from audit_log where action = 'article.taken_over' and object_id = $1")
            .bind(id)
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
    assert_eq!(audited, 1);

    // A page closed without a word: its hold ends by itself.
    sqlx::query("update article_leases set expires_at = $1 where article_id = $2")
        .bind(gazette::store::now_ms() - 1)
        .bind(id)
        .execute(app.db().writer())
        .await
        .unwrap();
    assert!(!open(&first).await.contains("lease-warning"), "an expired hold is free");
    assert_eq!(renew(&second).await, serde_json::json!({ "mine": false, "holder": first_name }));
}

/// A translation is linked by typing words of the original's title (any language) or its
/// number; several matches are listed with their numbers and the typed words kept; the
/// editor's suggestions come from a title search.
async fn a_translation_is_linked_by_searching_its_title(app: TestApp) {
    app.with_demo().await;
    let editor = staff(&app, Role::Editor).await;
    let economy: i64 = app.section_id("economie").await;
    let original = post_article(
        &app,
        "/redaction/articles",
        &editor,
        &article_form("Le tramway Qarbatello s'étend vers Sidi Moumen", economy, &[]),
    )
    .await;
    let original = id_from_location(&original);
    let found = app.get_as("/redaction/articles/titres?q=qarbatello", &editor.cookie).await;
    assert_eq!(found.status, 200);
    assert_eq!(found.json()[0]["id"].as_i64(), Some(original), "{}", found.body);

    let translated = post_article(
        &app,
        "/redaction/articles",
        &editor,
        &article_form(
            "ترامواي قرباتيلو يمتد نحو سيدي مومن",
            economy,
            &[("language", "ar".into()), ("translation_of", "tramway qarbatello".into())],
        ),
    )
    .await;
    assert_eq!(translated.status, 303, "{}", translated.body);
    let translated = id_from_location(&translated);
    assert_eq!(app.editable(translated).await.fields.translation_group, Some(original));

    post_article(
        &app,
        "/redaction/articles",
        &editor,
        &article_form("Qarbatello : le bilan du chantier", economy, &[]),
    )
    .await;
    let several = post_article(
        &app,
        "/redaction/articles",
        &editor,
        &article_form(
            "Qarbatello tramway, English",
            economy,
            &[("language", "en".into()), ("translation_of", "Qarbatello".into())],
        ),
    )
    .await;
    assert_eq!(several.status, 422);
    assert!(several.body.contains("Plusieurs articles correspondent"), "{}", several.body);
    assert!(several.body.contains(&format!("n° {original} ")) && several.body.contains("value=\"Qarbatello\""));
    // A suggestion as the script writes it, or a number, names one article.
    let picked = post_article(
        &app,
        "/redaction/articles",
        &editor,
        &article_form(
            "Qarbatello tramway, English",
            economy,
            &[("language", "en".into()), ("translation_of", format!("{original} — Le tramway Qarbatello (fr)"))],
        ),
    )
    .await;
    assert_eq!(picked.status, 303, "{}", picked.body);
    assert_eq!(app.editable(id_from_location(&picked)).await.fields.translation_group, Some(original));
}

async fn moving_an_article_keeps_its_old_address(app: TestApp) {
    app.with_demo().await;
    let editor = staff(&app, Role::Editor).await;
    let row = sqlx::query("select a.id, a.slug, a.version, s.slug as section from articles a join sections s on s.id = a.section_id where a.status = 'published' and a.language = 'fr' order by a.id limit 1")
        .fetch_one(app.db().reader())
        .await
        .unwrap();
    let (id, slug, version, section): (i64, String, i64, String) =
        (row.get("id"), row.get("slug"), row.get("version"), row.get("section"));
    let world: i64 = app.section_id("monde").await;
    let saved = post_article(
        &app,
        &format!("/redaction/articles/{id}"),
        &editor,
        &article_form(
            "Un nouveau titre",
            world,
            &[("version", version.to_string()), ("slug", "un-nouveau-titre".into())],
        ),
    )
    .await;
    assert_eq!(saved.status, 303);
    let old = app.get(&format!("/{section}/{slug}")).await;
    assert_eq!(old.status, 301);
    assert_eq!(old.header("location"), "/monde/un-nouveau-titre");
    let page = app.get("/monde/un-nouveau-titre").await.body;
    assert!(page.contains("Mis à jour le"), "an edit after publication shows the update date");
}

async fn preview_links_are_signed_and_expire(app: TestApp) {
    app.with_demo().await;
    let editor = staff(&app, Role::Editor).await;
    let draft: i64 = sqlx::query("select id from articles where status = 'draft' limit 1")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
    let form = app.get_as(&format!("/redaction/articles/{draft}"), &editor.cookie).await.body;
    let start = form.find("/apercu/").unwrap();
    let link = form[start..].split('"').next().unwrap().replace("&amp;", "&");
    let preview = app.get(&link).await;
    assert_eq!(preview.status, 200, "{link}");
    assert!(preview.body.contains("Brouillon :"));
    assert_eq!(preview.header("x-robots-tag"), "noindex");
    assert_eq!(app.get(&link.replace("sig=", "sig=0")).await.status, 404, "a changed signature fails");
    let expired = gazette::web::newsroom::editor::preview_path(&app.state, draft, gazette::store::now_ms() - 1000);
    assert_eq!(app.get(&expired).await.status, 404, "an expired link fails");
}

async fn autosave_keeps_drafts_as_revisions(app: TestApp) {
    app.with_demo().await;
    let journalist = staff(&app, Role::Journalist).await;
    let economy: i64 = app.section_id("economie").await;
    let created =
        post_article(&app, "/redaction/articles", &journalist, &article_form("Brouillon autosauvé", economy, &[]))
            .await;
    let id = id_from_location(&created);
    let saved = post_article(
        &app,
        &format!("/redaction/articles/{id}/autosave"),
        &journalist,
        &article_form(
            "Brouillon autosauvé",
            economy,
            &[("version", "1".into()), ("body_markdown", "Texte en cours".into())],
        ),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json()["version"], 2);
    let stale = post_article(
        &app,
        &format!("/redaction/articles/{id}/autosave"),
        &journalist,
        &article_form("Brouillon autosauvé", economy, &[("version", "1".into())]),
    )
    .await;
    assert_eq!(stale.status, 409, "a stale autosave never overwrites");
    let body: String = app.editable(id).await.fields.body_markdown;
    assert_eq!(body, "Texte en cours");
    let forged =
        app.post_raw_form(&format!("/redaction/articles/{id}/autosave"), &journalist.cookie, &[("title", "x")]).await;
    assert_eq!(forged.status, 403, "no CSRF token, no save");
}

async fn corrections_are_added_and_shown(app: TestApp) {
    app.with_demo().await;
    let editor = staff(&app, Role::Editor).await;
    let row = sqlx::query("select a.id, a.slug, s.slug as section from articles a join sections s on s.id = a.section_id where a.status = 'published' and a.language = 'fr' order by a.id limit 1")
        .fetch_one(app.db().reader())
        .await
        .unwrap();
    let (id, path): (i64, String) =
        (row.get("id"), format!("/{}/{}", row.get::<String, _>("section"), row.get::<String, _>("slug")));
    let empty = app
        .post_form(
            &format!("/redaction/articles/{id}/rectificatifs"),
            &editor,
            &[("kind", "correction"), ("note", "  ")],
        )
        .await;
    assert_eq!(empty.status, 400);
    let added = app
        .post_form(
            &format!("/redaction/articles/{id}/rectificatifs"),
            &editor,
            &[("kind", "clarification"), ("note", "Le chiffre cité concerne 2025.")],
        )
        .await;
    assert_eq!(added.status, 303);
    let page = app.get(&path).await.body;
    assert!(page.contains("Précision") && page.contains("Le chiffre cité concerne 2025."));
    assert!(page.contains("Mis à jour le"), "a correction dates the update");
}

on_both_engines!(
    writing_revisions_and_the_conflict_screen,
    journalists_submit_editors_publish_schedule_and_unpublish,
    an_article_leaves_the_site_at_its_unpublication_time,
    notes_and_assignment_stay_in_the_newsroom,
    an_open_article_says_who_is_editing_it,
    a_translation_is_linked_by_searching_its_title,
    moving_an_article_keeps_its_old_address,
    preview_links_are_signed_and_expire,
    autosave_keeps_drafts_as_revisions,
    corrections_are_added_and_shown,
);
