//! The newsroom through the real router: logging in, roles on every route, writing,
//! conflicts, revisions, publishing, media, the front page, sections, settings, the team.
//! One's own account (second factor, API tokens) is in `account.rs`.

use gazette::news::Role;
use sqlx::Row;

use crate::on_both_engines;
use crate::support::{EngineChoice, SmtpSink, TestApp, account_link, csrf_in};

pub(crate) const PASSWORD: &str = "correct horse battery";

/// A member of staff with `role`, logged in.
pub(crate) async fn staff(app: &TestApp, role: Role) -> crate::support::Login {
    let email = format!("{}@example.ma", role.as_str());
    app.staff_user(&email, role, PASSWORD).await;
    app.login(&email, PASSWORD).await.unwrap_or_else(|r| panic!("login failed: {}", r.status))
}

async fn login_logout_and_cookies(app: TestApp) {
    app.staff_user("rim@example.ma", Role::Editor, PASSWORD).await;
    // Anonymous: to the login page, coming back afterwards.
    let desk = app.get("/redaction/articles").await;
    assert_eq!(desk.status, 303);
    assert_eq!(desk.header("location"), "/redaction/connexion?next=%2Fredaction%2Farticles");
    // Wrong password: refused, the e-mail kept, no session.
    let wrong = app.login("rim@example.ma", "nope nope nope").await.unwrap_err();
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Adresse ou mot de passe incorrect"));
    assert!(wrong.body.contains("value=\"rim@example.ma\""), "the typed e-mail is kept");
    // Right password: a session cookie with the right flags.
    let page = app.get("/redaction/connexion").await;
    let login_cookie = crate::support::set_cookie_value(&page, "gz_login").unwrap();
    let response = app
        .post_raw_form(
            "/redaction/connexion",
            &format!("gz_login={login_cookie}"),
            &[
                ("csrf", &csrf_in(&page.body)),
                ("email", "RIM@example.ma"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(response.status, 303);
    assert_eq!(response.header("location"), "/redaction", "no open redirect through next");
    let set = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("gz_session="))
        .unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/redaction"), "{set}");
    assert!(!set.contains("Secure"), "plain http in tests");
    let login = app.login("rim@example.ma", PASSWORD).await.unwrap();
    assert_eq!(app.get_as("/redaction", &login.cookie).await.status, 200);
    // Sessions live in the database.
    let sessions: i64 =
        sqlx::query("select count(*) as n from sessions").fetch_one(app.db().reader()).await.unwrap().get("n");
    assert_eq!(sessions, 2);
    let out = app.post_form("/redaction/deconnexion", &login, &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(app.get_as("/redaction", &login.cookie).await.status, 303, "the session is gone");
    // A login form posted without its cookie (forged from elsewhere) is refused.
    let forged = app
        .post_raw_form(
            "/redaction/connexion",
            "",
            &[("csrf", "x"), ("email", "rim@example.ma"), ("password", PASSWORD)],
        )
        .await;
    assert!(crate::support::set_cookie_value(&forged, "gz_session").filter(|v| !v.is_empty()).is_none());
}

async fn failed_logins_slow_down(app: TestApp) {
    app.staff_user("rim@example.ma", Role::Editor, PASSWORD).await;
    for _ in 0..3 {
        assert_eq!(app.login("rim@example.ma", "wrong password!").await.unwrap_err().status, 422);
    }
    // The fourth failure set a delay: even the right password must wait.
    assert!(app.login("rim@example.ma", "wrong password!").await.is_err());
    let refused = app.login("rim@example.ma", PASSWORD).await.unwrap_err();
    assert!(refused.body.contains("Trop de tentatives"), "{}", refused.body);
    // After the delay the right password works and clears the count.
    sqlx::query("update login_throttle set last_failure_at = last_failure_at - 600000")
        .execute(app.db().writer())
        .await
        .unwrap();
    assert!(app.login("rim@example.ma", PASSWORD).await.is_ok());
}

/// Every newsroom route × every role × anonymous, from one table: the router's own list.
async fn roles_are_enforced_on_every_newsroom_route(app: TestApp) {
    app.with_demo().await;
    let logins = [
        ("admin", Some(staff(&app, Role::Admin).await)),
        ("editor", Some(staff(&app, Role::Editor).await)),
        ("journalist", Some(staff(&app, Role::Journalist).await)),
        ("moderator", Some(staff(&app, Role::Moderator).await)),
        ("anonymous", None),
    ];
    let article: i64 = sqlx::query("select min(id) as id from articles where status = 'published'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
    let media: i64 =
        sqlx::query("select min(id) as id from media").fetch_one(app.db().reader()).await.unwrap().get("id");
    let section: i64 =
        sqlx::query("select min(id) as id from sections").fetch_one(app.db().reader()).await.unwrap().get("id");
    // Who may GET each newsroom page (POSTs are checked by the same guards, see below).
    let allowed = |path: &str, role: &str| -> bool {
        let writer = matches!(role, "admin" | "editor" | "journalist");
        let editor = matches!(role, "admin" | "editor");
        match path {
            p if p.starts_with("/redaction/articles/{id}") => editor, // another's article: journalists may not
            "/redaction/articles" | "/redaction/articles/nouveau" | "/redaction/medias" | "/redaction/medias/{id}" => {
                writer
            }
            "/redaction/une" | "/redaction/rubriques" => editor,
            "/redaction/reglages" | "/redaction/equipe" | "/redaction/commentaires/listes" => role == "admin",
            "/redaction/commentaires" => matches!(role, "admin" | "editor" | "moderator"),
            _ => role != "anonymous",
        }
    };
    let public = ["/redaction/connexion", "/redaction/mot-de-passe-oublie", "/redaction/reinitialiser/{token}"];
    let mut checked = 0;
    for (method, pattern) in gazette::web::all_routes() {
        if method != "get" || !pattern.starts_with("/redaction") || public.contains(&pattern.as_str()) {
            continue;
        }
        let path = pattern
            .replace("{id}", &if pattern.contains("medias") { media } else { article }.to_string())
            .replace("{version}", "1");
        for (role, login) in &logins {
            let response = match login {
                Some(l) => app.get_as(&path, &l.cookie).await,
                None => app.get(&path).await,
            };
            let expected = if *role == "anonymous" {
                303
            } else if allowed(&pattern, role) {
                200
            } else {
                403
            };
            assert_eq!(response.status.as_u16(), expected, "GET {path} as {role}");
            checked += 1;
        }
    }
    assert!(checked >= 60, "walked {checked} route × role pairs");
    // State-changing routes refuse the wrong roles too (with a valid token).
    let journalist = logins[2].1.clone().unwrap();
    let moderator = logins[3].1.clone().unwrap();
    let editor = logins[1].1.clone().unwrap();
    for (path, who) in [
        ("/redaction/une".to_string(), &journalist),
        (format!("/redaction/rubriques/{section}"), &journalist),
        ("/redaction/reglages".to_string(), &editor),
        ("/redaction/equipe".to_string(), &editor),
        ("/redaction/articles".to_string(), &moderator),
        (format!("/redaction/articles/{article}"), &journalist),
        (format!("/redaction/articles/{article}/rectificatifs"), &journalist),
        ("/redaction/commentaires".to_string(), &journalist),
        ("/redaction/commentaires/listes".to_string(), &moderator),
    ] {
        let response =
            app.post_form(&path, who, &[("action", "save"), ("title", "x"), ("id", &article.to_string())]).await;
        assert_eq!(response.status, 403, "POST {path}");
    }
}

fn article_form(title: &str, section: i64, extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
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

async fn post_article(
    app: &TestApp,
    path: &str,
    login: &crate::support::Login,
    form: &[(&'static str, String)],
) -> crate::support::TestResponse {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(path, login, &fields).await
}

fn id_from_location(response: &crate::support::TestResponse) -> i64 {
    response.header("location").trim_start_matches("/redaction/articles/").split('?').next().unwrap().parse().unwrap()
}

async fn writing_revisions_and_the_conflict_screen(app: TestApp) {
    app.with_demo().await;
    let journalist = staff(&app, Role::Journalist).await;
    let editor = staff(&app, Role::Editor).await;
    let economy: i64 = sqlx::query("select id from sections where slug = 'economie'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");

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
    let body: String = sqlx::query("select body_markdown from articles where id = $1")
        .bind(id)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("body_markdown");
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
    let economy: i64 = sqlx::query("select id from sections where slug = 'economie'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
    let created = post_article(
        &app,
        "/redaction/articles",
        &journalist,
        &article_form("Zénith des exportations de dattes", economy, &[("action", "submit".into())]),
    )
    .await;
    assert_eq!(created.status, 303);
    let id = id_from_location(&created);
    let status: String = sqlx::query("select status from articles where id = $1")
        .bind(id)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("status");
    assert_eq!(status, "review");
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

async fn moving_an_article_keeps_its_old_address(app: TestApp) {
    app.with_demo().await;
    let editor = staff(&app, Role::Editor).await;
    let row = sqlx::query("select a.id, a.slug, a.version, s.slug as section from articles a join sections s on s.id = a.section_id where a.status = 'published' and a.language = 'fr' order by a.id limit 1")
        .fetch_one(app.db().reader())
        .await
        .unwrap();
    let (id, slug, version, section): (i64, String, i64, String) =
        (row.get("id"), row.get("slug"), row.get("version"), row.get("section"));
    let world: i64 = sqlx::query("select id from sections where slug = 'monde'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
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
    let lead = &front[front.find("class=\"lead-story\"").unwrap()..front.find("class=\"featured-stories\"").unwrap()];
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
    let id: i64 = sqlx::query("select id from sections where slug = 'societe'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
    assert!(app.get("/ar/societe").await.body.contains("مجتمع"));
    let news: i64 = sqlx::query("select id from sections where slug = 'actualite'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
    let football: i64 = sqlx::query("select id from sections where slug = 'football'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
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
    let second: i64 = sqlx::query("select id from sections where slug = $1")
        .bind(before[1].clone())
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
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
        ("ad_sidebar", "<a href=\"/\">Pub</a><script>alert(1)</script>".to_string()),
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
    login_logout_and_cookies,
    failed_logins_slow_down,
    roles_are_enforced_on_every_newsroom_route,
    writing_revisions_and_the_conflict_screen,
    journalists_submit_editors_publish_schedule_and_unpublish,
    moving_an_article_keeps_its_old_address,
    preview_links_are_signed_and_expire,
    the_front_page_follows_the_curation,
    sections_are_created_renamed_nested_and_reordered,
    settings_change_the_site_and_refusals_keep_input,
    uploads_are_checked_and_described,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_and_invitation_links_by_mail_sqlite() {
    reset_and_invitation_links_by_mail(EngineChoice::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_and_invitation_links_by_mail_postgres() {
    reset_and_invitation_links_by_mail(EngineChoice::Postgres).await;
}

/// Password reset and invitation by real SMTP: single-use, expiring links.
async fn reset_and_invitation_links_by_mail(choice: EngineChoice) {
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let Some(app) = TestApp::new_with(choice, move |c| {
        c.mail.smtp_host = "127.0.0.1".into();
        c.mail.smtp_port = port;
        c.mail.security = "none".into();
        c.mail.from = "La Gazette <redaction@example.ma>".into();
    })
    .await
    else {
        return;
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = gazette::jobs::spawn_workers(app.state.clone(), 1, stopped);
    let admin = staff(&app, Role::Admin).await;

    // Forgotten password: a link, once.
    let page = app.get("/redaction/mot-de-passe-oublie").await;
    let cookie = format!("gz_login={}", crate::support::set_cookie_value(&page, "gz_login").unwrap());
    let sent = app
        .post_raw_form(
            "/redaction/mot-de-passe-oublie",
            &cookie,
            &[("csrf", &csrf_in(&page.body)), ("email", "admin@example.ma")],
        )
        .await;
    assert!(sent.body.contains("un lien vient d&#39;être envoyé"));
    let unknown = app
        .post_raw_form(
            "/redaction/mot-de-passe-oublie",
            &cookie,
            &[("csrf", &csrf_in(&page.body)), ("email", "personne@example.ma")],
        )
        .await;
    assert!(unknown.body.contains("un lien vient d&#39;être envoyé"), "the same answer for unknown addresses");
    let mails = sink.wait_for(1).await;
    assert_eq!(mails.len(), 1, "one mail, for the real account only");
    assert!(mails[0].contains("To: admin@example.ma") && mails[0].contains("<redaction@example.ma>"), "{}", mails[0]);
    let link = account_link(&mails[0]);
    let form = app.get(&link).await;
    assert_eq!(form.status, 200);
    let cookie = format!(
        "gz_login={}",
        crate::support::set_cookie_value(&form, "gz_login")
            .unwrap_or_else(|| cookie.trim_start_matches("gz_login=").to_string())
    );
    let short = app
        .post_raw_form(&link, &cookie, &[("csrf", &csrf_in(&form.body)), ("password", "court"), ("confirm", "court")])
        .await;
    assert_eq!(short.status, 422);
    let done = app
        .post_raw_form(
            &link,
            &cookie,
            &[
                ("csrf", &csrf_in(&form.body)),
                ("password", "un nouveau mot de passe"),
                ("confirm", "un nouveau mot de passe"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    assert!(app.login("admin@example.ma", "un nouveau mot de passe").await.is_ok());
    assert_eq!(app.get_as("/redaction", &admin.cookie).await.status, 303, "other sessions ended");
    assert_eq!(app.get(&link).await.status, 404, "the link works once");

    // Invitation: a disabled account until the link is followed.
    let admin = app.login("admin@example.ma", "un nouveau mot de passe").await.unwrap();
    let invited = app
        .post_form(
            "/redaction/equipe",
            &admin,
            &[("email", "nouvelle@example.ma"), ("name", "Nouvelle Recrue"), ("role", "journalist")],
        )
        .await;
    assert_eq!(invited.status, 303);
    let mails = sink.wait_for(2).await;
    let link = account_link(&mails[1]);
    assert!(app.login("nouvelle@example.ma", "whatever whatever").await.is_err());
    let form = app.get(&link).await;
    let cookie = format!("gz_login={}", crate::support::set_cookie_value(&form, "gz_login").unwrap());
    app.post_raw_form(
        &link,
        &cookie,
        &[
            ("csrf", &csrf_in(&form.body)),
            ("password", "mon mot de passe à moi"),
            ("confirm", "mon mot de passe à moi"),
        ],
    )
    .await;
    assert!(app.login("nouvelle@example.ma", "mon mot de passe à moi").await.is_ok());
    // An expired link fails.
    sqlx::query("update account_tokens set used_at = null, expires_at = 1").execute(app.db().writer()).await.unwrap();
    assert_eq!(app.get(&link).await.status, 404);
    let _ = stop.send(true);
    for w in workers {
        w.await.unwrap();
    }
    app.cleanup().await;
}

async fn autosave_keeps_drafts_as_revisions(app: TestApp) {
    app.with_demo().await;
    let journalist = staff(&app, Role::Journalist).await;
    let economy: i64 = sqlx::query("select id from sections where slug = 'economie'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("id");
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
    let body: String = sqlx::query("select body_markdown from articles where id = $1")
        .bind(id)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("body_markdown");
    assert_eq!(body, "Texte en cours");
    let forged =
        app.post_raw_form(&format!("/redaction/articles/{id}/autosave"), &journalist.cookie, &[("title", "x")]).await;
    assert_eq!(forged.status, 403, "no CSRF token, no save");
}

on_both_engines!(autosave_keeps_drafts_as_revisions);

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

on_both_engines!(corrections_are_added_and_shown);

/// Behind HTTPS the session cookie is Secure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookies_are_secure_behind_https() {
    let app =
        TestApp::new_with(EngineChoice::Sqlite, |c| c.server.base_url = "https://www.example.ma".into()).await.unwrap();
    app.staff_user("rim@example.ma", Role::Editor, PASSWORD).await;
    let page = app.get("/redaction/connexion").await;
    let login_cookie = crate::support::set_cookie_value(&page, "gz_login").unwrap();
    let response = app
        .post_raw_form(
            "/redaction/connexion",
            &format!("gz_login={login_cookie}"),
            &[
                ("csrf", &csrf_in(&page.body)),
                ("email", "rim@example.ma"),
                ("password", PASSWORD),
                ("next", "/redaction"),
            ],
        )
        .await;
    let set = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("gz_session="))
        .unwrap();
    assert!(set.contains("; Secure") && set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    app.cleanup().await;
}
