//! Getting into the newsroom: logging in and out, throttled wrong passwords, the role checked
//! on every route, reset and invitation links by mail, secure cookies behind HTTPS.

use gazette::news::Role;
use sqlx::Row;

use super::{PASSWORD, staff};
use crate::on_both_engines;
use crate::support::{EngineChoice, SmtpSink, TestApp, account_link, csrf_in};

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
            "/redaction/articles"
            | "/redaction/articles/nouveau"
            | "/redaction/articles/titres"
            | "/redaction/medias"
            | "/redaction/medias/{id}" => writer,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_and_invitation_links_by_mail_sqlite() {
    reset_and_invitation_links_by_mail(EngineChoice::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
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
    let workers = gazette::jobs::worker::spawn_workers(app.state.clone(), 1, stopped);
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

on_both_engines!(login_logout_and_cookies, failed_logins_slow_down, roles_are_enforced_on_every_newsroom_route,);
