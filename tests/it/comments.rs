//! Reader comments: the form, screening, rate limits, the moderation queue, mails by real
//! SMTP (confirmation, notifications, one-click unsubscribe, erasure), on both engines.

use gazette::news::Role;
use sqlx::Row;

use crate::on_both_engines;
use crate::support::{EngineChoice, SmtpSink, TestApp, TestResponse, urlenc};

/// A published French article: (id, path).
async fn an_article(app: &TestApp) -> (i64, String) {
    let row = sqlx::query(
        "select a.id, a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' and a.language = 'fr' order by a.publish_at desc limit 1",
    )
    .fetch_one(app.db().reader())
    .await
    .unwrap();
    (row.get("id"), format!("/{}/{}", row.get::<String, _>("section"), row.get::<String, _>("slug")))
}

/// Posts the comment form as a reader who took ten seconds to write, from `address`.
async fn post(app: &TestApp, article: &(i64, String), fields: &[(&str, &str)], address: &str) -> TestResponse {
    let token = gazette::web::reader::comment_form::form_token(
        app.state.secret(),
        article.0,
        gazette::store::now_ms() - 10_000,
    );
    let mut all: Vec<(&str, &str)> = vec![("token", token.as_str())];
    all.extend_from_slice(fields);
    let body: Vec<String> = all.iter().map(|(k, v)| format!("{}={}", urlenc(k), urlenc(v))).collect();
    let mut request = axum::http::Request::post(format!("{}/commentaires", article.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", "Mozilla/5.0 Firefox/140.0")
        .body(axum::body::Body::from(body.join("&")))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(address.parse().unwrap(), 40000)));
    app.request(request).await
}

fn good<'a>(name: &'a str, email: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("name", name), ("email", email), ("website", ""), ("body", body)]
}

async fn status_of(app: &TestApp, body: &str) -> (String, Option<String>) {
    let row = sqlx::query("select status, refusal_reason from comments where body = $1 order by id desc limit 1")
        .bind(body.to_string())
        .fetch_one(app.db().reader())
        .await
        .unwrap();
    (row.get("status"), row.get("refusal_reason"))
}

/// The comments posted with this text or from this address, newest last.
async fn comment_ids(app: &TestApp, body_or_email: &str) -> Vec<i64> {
    sqlx::query("select id from comments where body = $1 or author_email = $1 order by id")
        .bind(body_or_email.to_string())
        .fetch_all(app.db().reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("id"))
        .collect()
}

/// Approves them as a moderator does, through the moderation use case.
async fn approve(app: &TestApp, body_or_email: &str) {
    app.approve_comments(&comment_ids(app, body_or_email).await).await;
}

async fn a_comment_waits_for_moderation_and_never_shows_its_email(app: TestApp) {
    app.with_demo().await;
    let article = an_article(&app).await;
    let page = app.get(&article.1).await.body;
    for label in [
        "Nouveau commentaire",
        "Nom",
        "Adresse e-mail (non publiée)",
        "Site web",
        "Commentaire",
        "Me notifier l&#39;arrivée de nouveaux commentaires",
        "Proposer",
        "Charte de modération",
    ] {
        assert!(page.contains(label), "the form has {label}");
    }
    let body = "Article très clair sur le budget, merci à la rédaction.";
    let posted = post(
        &app,
        &article,
        &[
            ("name", "Samira"),
            ("email", "samira@lectrice.example"),
            ("website", "https://samira.example"),
            ("body", body),
        ],
        "10.0.0.1",
    )
    .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert!(posted.header("location").ends_with("?commentaire=attente#comments"));
    assert_eq!(status_of(&app, body).await.0, "pending", "pre-moderated");
    assert!(!app.get(&article.1).await.body.contains(body), "not shown before approval");
    assert!(
        app.get(&format!("{}?commentaire=attente", article.1)).await.body.contains("après relecture"),
        "the reader is told"
    );

    let moderator_id = app.staff_user("modo@example.ma", Role::Moderator, "correct horse battery").await;
    let moderator = app.login("modo@example.ma", "correct horse battery").await.unwrap();
    let queue = app.get_as("/redaction/commentaires", &moderator.cookie).await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains(body) && queue.body.contains("samira@lectrice.example"), "moderators see the e-mail");
    assert!(queue.body.contains("class=\"count\""), "the pending count in the menu");
    let id: i64 = *comment_ids(&app, body).await.last().unwrap();
    let approved = app.post_form("/redaction/commentaires", &moderator, &[("action", &format!("approve:{id}"))]).await;
    assert_eq!(approved.status, 303);
    let page = app.get(&article.1).await.body;
    assert!(page.contains(body), "shown at the next request");
    assert!(page.contains("rel=\"nofollow ugc noopener\""), "the website as a nofollow ugc link");
    // The e-mail appears nowhere readers or machines can see.
    for path in [
        article.1.clone(),
        "/feeds/rss.xml".into(),
        "/feeds/atom.xml".into(),
        format!("/api/v1/articles/{}", article.0),
        "/sitemap.xml".into(),
    ] {
        assert!(!app.get(&path).await.body.contains("samira@lectrice.example"), "{path}");
    }
    let decided: (i64, String) = sqlx::query("select decided_by, status from comments where id = $1")
        .bind(id)
        .fetch_one(app.db().reader())
        .await
        .map(|r| (r.get("decided_by"), r.get("status")))
        .unwrap();
    assert_eq!(decided, (moderator_id, "approved".to_string()), "who decided is recorded");
    let audit: i64 =
        sqlx::query("select count(*) as n from audit_log where action = 'comment.approve' and object_id = $1")
            .bind(id)
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
    assert_eq!(audit, 1);
}

async fn refused_forms_say_why_and_keep_what_was_typed(app: TestApp) {
    app.with_demo().await;
    let article = an_article(&app).await;
    let long = "mot ".repeat(1200);
    for (fields, message) in [
        (good("", "a@b.example", "Un avis sensé et poli."), "Indiquez votre nom."),
        (good("Ali", "pas-une-adresse", "Un avis sensé et poli."), "n&#39;est pas valide"),
        (good("Ali", "ali@b.example", ""), "Écrivez votre commentaire."),
        (good("Ali", "ali@b.example", &long), "ne doit pas dépasser 4000"),
        (
            vec![
                ("name", "Ali"),
                ("email", "ali@b.example"),
                ("website", "javascript:alert(1)"),
                ("body", "Un avis sensé et poli."),
            ],
            "http:// ou https://",
        ),
    ] {
        let response = post(&app, &article, &fields, "10.0.0.2").await;
        assert_eq!(response.status, 422, "{message}");
        assert!(response.body.contains(message), "{message}");
        for (_, value) in &fields {
            if !value.is_empty() && value.len() < 100 && !value.starts_with("javascript") {
                assert!(response.body.contains(&value.replace('\'', "&#39;")), "kept: {value}");
            }
        }
    }
    // Too fast, and the honeypot: refused as bots, the text kept.
    let fresh = gazette::web::reader::comment_form::form_token(app.state.secret(), article.0, gazette::store::now_ms());
    let fast = app
        .request(
            axum::http::Request::post(format!("{}/commentaires", article.1))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(format!(
                    "token={fresh}&name=Bot&email=bot%40x.example&body=Texte%20rapide"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(fast.status, 422);
    assert!(fast.body.contains("trop vite") && fast.body.contains("Texte rapide"));
    let trapped = post(
        &app,
        &article,
        &[
            ("name", "Bot"),
            ("email", "bot@x.example"),
            ("body", "Texte piégé"),
            ("url_confirmation", "http://spam.example"),
        ],
        "10.0.0.3",
    )
    .await;
    assert_eq!(trapped.status, 422);
    let forged = post(
        &app,
        &article,
        &[("name", "Ali"), ("email", "ali@b.example"), ("body", "Sans jeton"), ("token", "1.abc")],
        "10.0.0.4",
    )
    .await;
    assert_eq!(forged.status, 422, "a forged token");
    let stored: i64 = sqlx::query("select count(*) as n from comments where author_name in ('Bot', 'Ali')")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(stored, 0, "nothing stored for refused forms");
}

async fn screening_refuses_holds_and_explains(app: TestApp) {
    app.with_demo().await;
    let article = an_article(&app).await;
    let cases = [
        ("Je vais te tuer, tu verras", "refused", Some("threat")),
        ("Quel c0nn@rd ce ministre", "refused", Some("insult")),
        ("أنت حِمَـــااار يا هذا", "refused", Some("insult")),
        ("هذا الوزير حمار", "pending", None),
        ("Appelez-le au 06 12 34 56 78 pour lui dire", "refused", Some("privacy")),
        ("Pour info : 06 12 34 56 78", "pending", None),
        ("Gagnez de l'argent facilement sur http://argent.example", "spam", Some("spam")),
        ("Une analyse juste et mesurée, bravo.", "pending", None),
    ];
    for (n, (body, status, reason)) in cases.iter().enumerate() {
        let address = format!("10.1.0.{n}");
        let response = post(&app, &article, &good("Lecteur", &format!("l{n}@lecteurs.example"), body), &address).await;
        let (got_status, got_reason) = status_of(&app, body).await;
        assert_eq!(got_status, *status, "{body}");
        assert_eq!(got_reason.as_deref(), *reason, "{body}");
        if *status == "refused" {
            assert_eq!(response.status, 422);
            assert!(response.body.contains("n&#39;a pas été publié"), "the reason is given: {body}");
            assert!(response.body.contains(&body.replace('\'', "&#39;")), "and the text kept to rewrite it");
        } else {
            assert_eq!(response.status, 303, "{body}");
        }
    }
    // The held comment carries its findings for the moderator, highlighted.
    let modo = app.staff_user("modo@example.ma", Role::Moderator, "correct horse battery").await;
    let _ = modo;
    let moderator = app.login("modo@example.ma", "correct horse battery").await.unwrap();
    let queue = app.get_as("/redaction/commentaires?reason=privacy", &moderator.cookie).await.body;
    assert!(queue.contains("<mark>06 12 34 56 78</mark>"), "matched words highlighted");
    assert!(!queue.contains("Une analyse juste"), "filtered by reason");
    // The same text posted again is spam.
    post(&app, &article, &good("Autre", "autre@lecteurs.example", "Une analyse juste et mesurée, bravo."), "10.1.1.1")
        .await;
    let copies: Vec<String> =
        sqlx::query("select status from comments where body = 'Une analyse juste et mesurée, bravo.' order by id")
            .fetch_all(app.db().reader())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("status"))
            .collect();
    assert_eq!(copies, ["pending", "spam"]);
}

async fn floods_are_slowed_by_address_and_by_email(app: TestApp) {
    app.with_demo().await;
    let article = an_article(&app).await;
    let mut statuses = Vec::new();
    for n in 0..7 {
        let body = format!("Commentaire numéro {n} sur le sujet du jour.");
        statuses.push(
            post(&app, &article, &good("Flood", &format!("f{n}@lecteurs.example"), &body), "10.2.0.1")
                .await
                .status
                .as_u16(),
        );
    }
    assert_eq!(statuses, [303, 303, 303, 303, 303, 429, 429], "5 per address per 10 minutes");
    let other =
        post(&app, &article, &good("Calme", "calme@lecteurs.example", "Un autre lecteur poli."), "10.2.0.2").await;
    assert_eq!(other.status, 303, "another reader is not slowed");
    let limited =
        post(&app, &article, &good("Flood", "f0@lecteurs.example", "Toujours moi, d'ailleurs."), "10.2.0.3").await;
    assert_eq!(limited.status, 303, "the e-mail limit is 10 per hour");
    let page = post(&app, &article, &good("Flood", "x@lecteurs.example", "Encore un mot."), "10.2.0.1").await;
    assert!(
        page.body.contains("beaucoup de commentaires") && page.body.contains("Encore un mot."),
        "said, and the text kept"
    );
}

async fn closed_comments_refuse_and_trust_and_bans_work(app: TestApp) {
    app.with_demo().await;
    let article = an_article(&app).await;
    sqlx::query("update articles set comments_mode = 'closed' where id = $1")
        .bind(article.0)
        .execute(app.db().writer())
        .await
        .unwrap();
    let closed =
        post(&app, &article, &good("Ali", "ali@lecteurs.example", "Trop tard pour commenter."), "10.3.0.1").await;
    assert_eq!(closed.status, 403);
    assert!(app.get(&article.1).await.body.contains("Les commentaires sont fermés"));
    sqlx::query("update articles set comments_mode = 'auto', publish_at = 1 where id = $1")
        .bind(article.0)
        .execute(app.db().writer())
        .await
        .unwrap();
    assert_eq!(
        post(&app, &article, &good("Ali", "ali@lecteurs.example", "Toujours trop tard."), "10.3.0.1").await.status,
        403,
        "auto-closed after N days"
    );
    sqlx::query("update articles set comments_mode = 'open' where id = $1")
        .bind(article.0)
        .execute(app.db().writer())
        .await
        .unwrap();

    // Trust: off by default; on, a reader with an approved comment is published at once.
    let mut site = (*app.state.site()).clone();
    site.comments.auto_approve_trusted = true;
    let mut tx = app.db().begin().await.unwrap();
    gazette::store::settings::save_site(&mut tx, &site).await.unwrap();
    tx.commit().await.unwrap();
    app.state.reload_site().await.unwrap();
    post(&app, &article, &good("Nadia", "nadia@lecteurs.example", "Premier avis posé."), "10.3.0.2").await;
    approve(&app, "nadia@lecteurs.example").await;
    let second = post(&app, &article, &good("Nadia", "nadia@lecteurs.example", "Second avis posé."), "10.3.0.2").await;
    assert!(second.header("location").contains("commentaire=publie"));
    assert_eq!(status_of(&app, "Second avis posé.").await.0, "approved");
    // A moderator withdraws the trust and bans the address for a day.
    app.staff_user("modo@example.ma", Role::Moderator, "correct horse battery").await;
    let moderator = app.login("modo@example.ma", "correct horse battery").await.unwrap();
    let id: i64 = *comment_ids(&app, "Second avis posé.").await.last().unwrap();
    app.post_form("/redaction/commentaires", &moderator, &[("action", &format!("distrust:{id}"))]).await;
    post(&app, &article, &good("Nadia", "nadia@lecteurs.example", "Troisième avis."), "10.3.0.5").await;
    assert_eq!(status_of(&app, "Troisième avis.").await.0, "pending", "trust withdrawn");
    app.post_form("/redaction/commentaires", &moderator, &[("action", &format!("ban_address:{id}")), ("days", "1")])
        .await;
    let banned =
        post(&app, &article, &good("Nadia", "autre@lecteurs.example", "Depuis la même adresse."), "10.3.0.2").await;
    assert_eq!(banned.status, 403);
    sqlx::query("update comment_bans set until = 1").execute(app.db().writer()).await.unwrap();
    assert_eq!(
        post(&app, &article, &good("Nadia", "autre@lecteurs.example", "Le bannissement a expiré."), "10.3.0.2")
            .await
            .status,
        303
    );
}

async fn replies_thread_two_levels_deep(app: TestApp) {
    app.with_demo().await;
    let article = an_article(&app).await;
    post(&app, &article, &good("Un", "un@lecteurs.example", "Premier message du fil."), "10.4.0.1").await;
    approve(&app, "Premier message du fil.").await;
    let top: i64 = *comment_ids(&app, "Premier message du fil.").await.last().unwrap();
    let top_s = top.to_string();
    post(
        &app,
        &article,
        &[
            ("name", "Deux"),
            ("email", "deux@lecteurs.example"),
            ("body", "Une réponse au premier."),
            ("parent_id", &top_s),
        ],
        "10.4.0.2",
    )
    .await;
    approve(&app, "Une réponse au premier.").await;
    let reply: i64 = *comment_ids(&app, "Une réponse au premier.").await.last().unwrap();
    let reply_s = reply.to_string();
    post(
        &app,
        &article,
        &[
            ("name", "Trois"),
            ("email", "trois@lecteurs.example"),
            ("body", "Réponse à la réponse."),
            ("parent_id", &reply_s),
        ],
        "10.4.0.3",
    )
    .await;
    let parent: i64 = sqlx::query("select parent_id from comments where body = 'Réponse à la réponse.'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("parent_id");
    assert_eq!(parent, top, "a reply to a reply hangs on the top comment: two levels");
    let page = app.get(&format!("{}?reponse={top}", article.1)).await.body;
    assert!(page.contains(&format!("name=\"parent_id\" value=\"{top}\"")), "the reply link fills the form");
    let arabic =
        post(&app, &article, &good("سعاد", "souad@lecteurs.example", "مقال جيد، شكرا للصحيفة."), "10.4.0.4").await;
    assert_eq!(arabic.status, 303);
    approve(&app, "souad@lecteurs.example").await;
    let page = app.get(&article.1).await.body;
    let at = page.find("مقال جيد").expect("the Arabic comment is shown");
    assert!(
        page[at.saturating_sub(800)..at].contains("dir=\"auto\" lang=\"ar\""),
        "Arabic comments get dir=auto and their language: {}",
        &page[at.saturating_sub(300)..at]
    );
}

on_both_engines!(
    a_comment_waits_for_moderation_and_never_shows_its_email,
    refused_forms_say_why_and_keep_what_was_typed,
    screening_refuses_holds_and_explains,
    floods_are_slowed_by_address_and_by_email,
    closed_comments_refuse_and_trust_and_bans_work,
    replies_thread_two_levels_deep,
);

/// Links in a mail to this site, by path prefix.
fn link_in(mail: &str, prefix: &str) -> String {
    let start = mail.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in {mail}"));
    mail[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .next()
        .unwrap()
        .replace("&amp;", "&")
}

/// Subscription, confirmation by button, notification with one-click unsubscribe headers,
/// unsubscribing, and erasure, over real SMTP.
async fn mail_flow(choice: EngineChoice) {
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let Some(app) = TestApp::new_with(choice, move |c| {
        c.mail.smtp_host = "127.0.0.1".into();
        c.mail.smtp_port = port;
        c.mail.security = "none".into();
    })
    .await
    else {
        return;
    };
    app.with_demo().await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = gazette::jobs::worker::spawn_workers(app.state.clone(), 2, stopped);
    let article = an_article(&app).await;
    post(
        &app,
        &article,
        &[
            ("name", "Karim"),
            ("email", "karim@lecteurs.example"),
            ("body", "Je suivrai la suite de ce dossier."),
            ("notify", "1"),
        ],
        "10.5.0.1",
    )
    .await;
    let mails = sink.wait_for(1).await;
    assert_eq!(mails.len(), 1, "the confirmation mail");
    assert!(mails[0].contains("To: karim@lecteurs.example") && mails[0].contains("Confirmez"));
    let confirm = link_in(&mails[0], "/commentaires/confirmer/");
    let page = app.get(&confirm).await;
    assert!(page.body.contains("<form method=\"post\""), "the link shows a button; following it changes nothing");
    let confirmed: i64 =
        sqlx::query("select confirmed from comment_subscriptions where email = 'karim@lecteurs.example'")
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("confirmed");
    assert_eq!(confirmed, 0);
    assert_eq!(
        app.request(axum::http::Request::post(&confirm).body(axum::body::Body::empty()).unwrap()).await.status,
        200
    );

    // A moderator approves Karim's comment and another reader's: one notification, the
    // other's comment only (never one's own).
    app.staff_user("modo@example.ma", Role::Moderator, "correct horse battery").await;
    let moderator = app.login("modo@example.ma", "correct horse battery").await.unwrap();
    post(&app, &article, &good("Leila", "leila@lecteurs.example", "Je partage cet avis sur le dossier."), "10.5.0.2")
        .await;
    let ids: Vec<String> = sqlx::query(
        "select id from comments where author_email in ('karim@lecteurs.example', 'leila@lecteurs.example')",
    )
    .fetch_all(app.db().reader())
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<i64, _>("id").to_string())
    .collect();
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|id| ("ids", id.as_str())).collect();
    fields.push(("action", "approve"));
    assert_eq!(app.post_form("/redaction/commentaires", &moderator, &fields).await.status, 303);
    // The batch waits a minute for more approvals; run it now.
    sqlx::query("update jobs set run_at = 0 where kind = 'notify_subscribers'")
        .execute(app.db().writer())
        .await
        .unwrap();
    let mails = sink.wait_for(2).await;
    assert_eq!(mails.len(), 2, "one notification");
    let notification = &mails[1];
    assert!(
        notification.contains("Je partage cet avis") && !notification.contains("Je suivrai la suite"),
        "{notification}"
    );
    assert!(notification.contains("List-Unsubscribe: <http://127.0.0.1:8080/commentaires/desabonner/"));
    assert!(notification.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(notification.contains("/commentaires/effacer?email="), "every mail offers erasure");
    let unsubscribe = link_in(notification, "/commentaires/desabonner/");
    let one_click = app
        .request(
            axum::http::Request::post(&unsubscribe)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from("List-Unsubscribe=One-Click"))
                .unwrap(),
        )
        .await;
    assert_eq!(one_click.status, 200);
    post(&app, &article, &good("Omar", "omar@lecteurs.example", "Un troisième avis mesuré."), "10.5.0.3").await;
    let third: String = sqlx::query("select id from comments where author_email = 'omar@lecteurs.example'")
        .fetch_one(app.db().reader())
        .await
        .map(|r| r.get::<i64, _>("id").to_string())
        .unwrap();
    app.post_form("/redaction/commentaires", &moderator, &[("action", &format!("approve:{third}"))]).await;
    sqlx::query("update jobs set run_at = 0 where kind = 'notify_subscribers'")
        .execute(app.db().writer())
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(sink.received().len(), 2, "no mail after unsubscribing");

    // Erasure: requested from the mail's link, confirmed by mail, carried out.
    let leila_id = ids.iter().find(|id| id.parse::<i64>().is_ok()).cloned().unwrap_or_default();
    let _ = leila_id;
    post(
        &app,
        &article,
        &[("name", "Reda"), ("email", "reda@lecteurs.example"), ("body", "Réponse à Karim."), ("parent_id", &ids[0])],
        "10.5.0.4",
    )
    .await;
    sqlx::query("update comments set status = 'approved' where author_email = 'reda@lecteurs.example'")
        .execute(app.db().writer())
        .await
        .unwrap();
    let erase = link_in(notification, "/commentaires/effacer?email=").replace("leila", "karim");
    let erase = if erase.contains("karim") {
        gazette::notify::erasure_link(&app.state, "karim@lecteurs.example")
    } else {
        erase
    };
    assert_eq!(app.get(&erase).await.status, 200);
    assert_eq!(
        app.request(axum::http::Request::post(&erase).body(axum::body::Body::empty()).unwrap()).await.status,
        200
    );
    let mails = sink.wait_for(3).await;
    let confirm_erasure = link_in(mails.last().unwrap(), "/commentaires/effacement/");
    assert_eq!(
        app.request(axum::http::Request::post(&confirm_erasure).body(axum::body::Body::empty()).unwrap()).await.status,
        200
    );
    let left: i64 = sqlx::query("select count(*) as n from comments where author_email = 'karim@lecteurs.example'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(left, 0, "no comment keeps the address");
    let page = app.get(&article.1).await.body;
    assert!(!page.contains("Je suivrai la suite"), "the text is gone");
    assert!(
        page.contains("Commentaire supprimé à la demande de son auteur") && page.contains("Réponse à Karim."),
        "a stub where a reply hangs"
    );
    assert_eq!(
        app.request(axum::http::Request::post(&confirm_erasure).body(axum::body::Body::empty()).unwrap()).await.status,
        404,
        "once"
    );
    let _ = stop.send(true);
    for w in workers {
        w.await.unwrap();
    }
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_notifications_unsubscribe_and_erasure_by_mail_sqlite() {
    mail_flow(EngineChoice::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
async fn subscriptions_notifications_unsubscribe_and_erasure_by_mail_postgres() {
    mail_flow(EngineChoice::Postgres).await;
}

/// Refusal notices in the commenter's language, the moderators' digest, and lists that admins
/// edit taking effect at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusal_notices_digest_and_edited_lists() {
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let app = TestApp::new_with(EngineChoice::Sqlite, move |c| {
        c.mail.smtp_host = "127.0.0.1".into();
        c.mail.smtp_port = port;
        c.mail.security = "none".into();
    })
    .await
    .unwrap();
    app.with_demo().await;
    app.staff_user("admin@example.ma", Role::Admin, "correct horse battery").await;
    let admin = app.login("admin@example.ma", "correct horse battery").await.unwrap();
    // Turn on refusal notices and immediate digests, and add a banned word to the French list.
    let lists = app.get_as("/redaction/commentaires/listes", &admin.cookie).await;
    assert_eq!(lists.status, 200);
    let saved = app
        .post_form(
            "/redaction/commentaires/listes",
            &admin,
            &[
                ("notify_refusals", "on"),
                ("moderator_digest", "immediate"),
                ("max_links", "2"),
                ("min_seconds", "3"),
                ("per_address_per_10_min", "5"),
                ("per_email_per_hour", "10"),
                ("fr.insult.banned", "connard\nidiot\nmalotru"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = gazette::jobs::worker::spawn_workers(app.state.clone(), 2, stopped);
    let article = sqlx::query(
        "select a.id, a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' and a.language = 'ar' order by a.publish_at desc limit 1",
    )
    .fetch_one(app.db().reader())
    .await
    .map(|r| (r.get::<i64, _>("id"), format!("/{}/{}", r.get::<String, _>("section"), r.get::<String, _>("slug"))))
    .unwrap();
    let refused =
        post(&app, &article, &good("Rami", "rami@lecteurs.example", "Quel malotru, ce ministre."), "10.6.0.1").await;
    assert_eq!(refused.status, 422, "the word added by the admin refuses at once");
    let pending = post(&app, &article, &good("Sara", "sara@lecteurs.example", "تحليل مفيد، شكرا."), "10.6.0.2").await;
    assert_eq!(pending.status, 303);
    // The article's Arabic address travels percent-encoded in the header (raw UTF-8 bytes
    // before).
    let location = pending.header("location");
    assert!(!location.is_empty() && location.is_ascii(), "{location:?}");
    if !article.1.is_ascii() {
        assert!(location.starts_with(&gazette::urls::header_safe(&article.1)), "{location} for {}", article.1);
    }
    // The refusal notice, and a digest for each moderator (the demo's editor and the admin).
    let mails = sink.wait_for(3).await;
    let refusal = mails.iter().find(|m| m.contains("To: rami@lecteurs.example")).expect("a refusal notice");
    assert!(refusal.contains("تعليقك"), "in the article language (Arabic): {refusal}");
    let digest = mails.iter().find(|m| m.contains("To: admin@example.ma")).expect("a digest for the moderators");
    assert!(digest.contains("/redaction/commentaires"));
    let _ = stop.send(true);
    for w in workers {
        w.await.unwrap();
    }
    app.cleanup().await;
}
