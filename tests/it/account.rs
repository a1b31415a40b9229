//! One's own account in the newsroom: the second factor (a code works once, replacing it needs
//! its code, turning it on the password) and API tokens made, shown once and revoked.

use gazette::news::Role;

use crate::newsroom::{PASSWORD, staff};
use crate::on_both_engines;
use crate::support::TestApp;

async fn users_and_second_factor(app: TestApp) {
    let admin = staff(&app, Role::Admin).await;
    // Turn on the second factor with a code from the secret shown.
    let account = app.get_as("/redaction/compte", &admin.cookie).await.body;
    let secret = account.split("name=\"secret\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let wrong = app
        .post_form(
            "/redaction/compte/deuxieme-facteur",
            &admin,
            &[("action", "enable"), ("secret", &secret), ("code", "000000"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let code = gazette::secrets::totp::code_at(&secret, gazette::store::now_ms() / 1000).unwrap();
    // A session alone cannot put another phone on the account: the password is asked.
    let thief = app
        .post_form(
            "/redaction/compte/deuxieme-facteur",
            &admin,
            &[("action", "enable"), ("secret", &secret), ("code", &format!("{code:06}")), ("password", "a guess")],
        )
        .await;
    assert_eq!(thief.status, 422);
    assert!(thief.body.contains("totp_password-error"), "{}", thief.body);
    assert!(thief.body.contains(&secret), "the proposed secret is kept");
    let on = app
        .post_form(
            "/redaction/compte/deuxieme-facteur",
            &admin,
            &[("action", "enable"), ("secret", &secret), ("code", &format!("{code:06}")), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(on.status, 303);
    // Now the password alone does not open a session.
    let step = app.login("admin@example.ma", PASSWORD).await.unwrap_err();
    assert_eq!(step.status, 200);
    assert!(step.body.contains("name=\"ticket\""), "the code is asked");
    // The code that turned it on was used: it opens nothing, nor does a wrong one.
    let used = format!("{code:06}");
    let replayed = app.login_with_code("admin@example.ma", PASSWORD, &used).await.unwrap_err();
    assert_eq!(replayed.status, 422, "{}", replayed.body);
    assert!(replayed.body.contains("name=\"ticket\""), "the code is asked again");
    // The authenticator's next code (one step of drift is accepted) opens one session, once.
    let next = gazette::secrets::totp::code_at(&secret, gazette::store::now_ms() / 1000 + 30).unwrap();
    let next = format!("{next:06}");
    let session = app.login_with_code("admin@example.ma", PASSWORD, &next).await.expect("the next code opens");
    assert_eq!(app.get_as("/redaction", &session.cookie).await.status, 200);
    let replayed = app.login_with_code("admin@example.ma", PASSWORD, &next).await.unwrap_err();
    assert_eq!(replayed.status, 422, "a code opens one session only");
    // Nor does it turn the factor off, and a second secret cannot replace the first without
    // the first's code.
    let off =
        app.post_form("/redaction/compte/deuxieme-facteur", &session, &[("action", "disable"), ("code", &next)]).await;
    assert_eq!(off.status, 422, "a spent code turns nothing off");
    let other = gazette::secrets::totp::new_secret();
    let code = gazette::secrets::totp::code_at(&other, gazette::store::now_ms() / 1000).unwrap();
    let replaced = app
        .post_form(
            "/redaction/compte/deuxieme-facteur",
            &session,
            &[("action", "enable"), ("secret", &other), ("code", &format!("{code:06}"))],
        )
        .await;
    assert_eq!(replaced.status, 422);
    assert!(replaced.body.contains("déjà activée"), "{}", replaced.body);
    // A disabled account's sessions end at once.
    let editor = staff(&app, Role::Editor).await;
    let disabled =
        app.post_form(&format!("/redaction/equipe/{}", editor.user_id), &admin, &[("action", "disable")]).await;
    assert_eq!(disabled.status, 303);
    assert_eq!(app.get_as("/redaction", &editor.cookie).await.status, 303);
    // An admin cannot lock themselves out.
    assert_eq!(
        app.post_form(&format!("/redaction/equipe/{}", admin.user_id), &admin, &[("action", "disable")]).await.status,
        400
    );
}

/// A journalist makes an API token in Mon compte, sees it once, uses it with their role, and
/// revokes it; a refused form keeps what was typed; another's token cannot be revoked.
async fn api_tokens_are_made_and_revoked_from_the_account_page(app: TestApp) {
    app.with_demo().await;
    let journalist = staff(&app, Role::Journalist).await;
    let make = |name: &'static str, days: &'static str, password: &'static str| {
        let (app, journalist) = (&app, &journalist);
        async move {
            let fields = [("name", name), ("days", days), ("password", password)];
            app.post_form("/redaction/compte/jetons", journalist, &fields).await
        }
    };
    let refused = make("Fil AFP", "10000", PASSWORD).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("value=\"Fil AFP\"") && refused.body.contains("Choisissez une durée"));
    assert_eq!(make(" ", "30", PASSWORD).await.status, 422);
    assert_eq!(make("Fil\u{1b}[2J", "30", PASSWORD).await.status, 422, "no control characters");
    // A stolen session alone makes no token: the password is asked again.
    let no_password = make("Fil AFP", "30", "not the password").await;
    assert_eq!(no_password.status, 422);
    assert!(no_password.body.contains("value=\"Fil AFP\"") && !no_password.body.contains("id=\"new-token\""));
    assert!(!no_password.body.contains("not the password"), "a password is never given back");

    // Wrong passwords here count as at login: after the free ones, even the right one waits
    // (and the wait is not lengthened by trying); once the wait is over it works.
    for _ in 0..3 {
        assert_eq!(make("Fil AFP", "30", "not the password").await.status, 422);
    }
    let waiting = make("Fil AFP", "30", PASSWORD).await;
    assert!(waiting.body.contains("Trop de tentatives"), "{}", waiting.body);
    assert!(!waiting.body.contains("id=\"new-token\""));
    let failures = || async {
        let sql =
            "select coalesce(max(failures), 0) as n from login_throttle where key = 'account:journalist@example.ma'";
        sqlx::Row::get::<i64, _>(&sqlx::query(sql).fetch_one(app.db().reader()).await.unwrap(), "n")
    };
    let counted = failures().await;
    assert!(counted >= 3, "{counted}");
    assert_eq!(make("Fil AFP", "30", PASSWORD).await.status, 422);
    assert_eq!(failures().await, counted, "waiting is not failing");
    sqlx::query("update login_throttle set last_failure_at = last_failure_at - 600000")
        .execute(app.db().writer())
        .await
        .unwrap();
    let made = make("Fil AFP", "30", PASSWORD).await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(failures().await, 0, "a right password clears the count");
    assert_eq!(made.header("location"), "/redaction/compte?ok=token_made#jetons");
    let carried = crate::support::set_cookie_value(&made, "gz_new_token").expect("the token goes to the page");
    let cookie_line =
        made.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect::<Vec<_>>().join("\n");
    assert!(cookie_line.contains("Path=/redaction/compte; HttpOnly; SameSite=Strict; Max-Age=300"), "{cookie_line}");
    let cookies = format!("{}; gz_new_token={carried}", journalist.cookie);
    let made = app.get_as("/redaction/compte?ok=token_made", &cookies).await;
    assert_eq!(made.header("cache-control"), "no-store");
    assert!(made.body.contains("copiez-le maintenant"), "{}", made.body);
    assert_eq!(crate::support::set_cookie_value(&made, "gz_new_token").as_deref(), Some(""), "shown once: cleared");
    let token = made.body.split("id=\"new-token\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(token, carried);
    assert_eq!(token.len(), 48, "{token}");
    let forged = app.get_as("/redaction/compte", &format!("{}; gz_new_token=<b>x</b>", journalist.cookie)).await;
    assert!(!forged.body.contains("id=\"new-token\""), "only a token's characters are shown");
    let in_30_days = (chrono::Utc::now() + chrono::Duration::days(30)).with_timezone(&chrono_tz::Africa::Casablanca);
    assert!(made.body.contains(&in_30_days.format("%d/%m/%Y").to_string()), "the end date is listed");
    let again = app.get_as("/redaction/compte", &journalist.cookie).await.body;
    assert!(!again.contains(&token), "shown once");
    assert!(again.contains("Fil AFP") && again.contains("jamais"), "listed, never used yet");

    // The token writes with the journalist's role: a draft yes, publishing no.
    let draft = serde_json::json!({"title": "Dépêche", "section": "economie"});
    assert_eq!(app.post_json("/api/v1/articles", &draft, Some(&token)).await.status, 201);
    let publish = serde_json::json!({"title": "Dépêche", "section": "economie", "status": "published"});
    assert_eq!(app.post_json("/api/v1/articles", &publish, Some(&token)).await.status, 403);
    assert!(!app.get_as("/redaction/compte", &journalist.cookie).await.body.contains("jamais"), "its use is noted");

    let id = again.split("/redaction/compte/jetons/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let other = staff(&app, Role::Editor).await;
    let theirs = app.post_form(&format!("/redaction/compte/jetons/{id}/revoquer"), &other, &[]).await;
    assert_eq!(theirs.status, 404, "another's token is not found");
    assert_eq!(app.post_json("/api/v1/articles", &draft, Some(&token)).await.status, 201, "still live");
    let revoked = app.post_form(&format!("/redaction/compte/jetons/{id}/revoquer"), &journalist, &[]).await;
    assert_eq!(revoked.status, 303);
    assert_eq!(app.post_json("/api/v1/articles", &draft, Some(&token)).await.status, 401);
    let listed = app.get_as("/redaction/compte?ok=token_revoked", &journalist.cookie).await.body;
    assert!(listed.contains("Jeton révoqué") && listed.contains("révoqué le"), "{listed}");
    assert!(!listed.contains(&format!("/redaction/compte/jetons/{id}/revoquer")), "no revoke button left");
    // One an operator made without an end (`gazette user token --days 0`) is listed as such.
    let mut tx = app.db().begin().await.unwrap();
    let hash = gazette::secrets::hash_token("operator-made");
    gazette::store::api_tokens::insert(&mut tx, journalist.user_id, "Outil interne", &hash, None).await.unwrap();
    tx.commit().await.unwrap();
    let listed = app.get_as("/redaction/compte", &journalist.cookie).await.body;
    assert!(listed.contains("Outil interne") && listed.contains("sans fin"), "{listed}");
}

/// Each member of staff chooses the newsroom's language: menus, messages, dates and direction
/// follow it on every newsroom page, for that person only; a language not offered is refused
/// with the choice kept; readers' pages do not change.
async fn the_newsroom_speaks_each_journalists_language(app: TestApp) {
    app.with_demo().await;
    let journalist = staff(&app, Role::Journalist).await;
    let editor = staff(&app, Role::Editor).await;
    let desk = |login: &crate::support::Login, path: &'static str| {
        let (app, cookie) = (&app, login.cookie.clone());
        async move { app.get_as(path, &cookie).await.body }
    };
    // By default, the site's language (French in the demo).
    assert!(desk(&journalist, "/redaction").await.contains("<html lang=\"fr\" dir=\"ltr\">"));

    let refused = app.post_form("/redaction/compte/langue", &journalist, &[("desk_language", "de")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Choisissez une langue de la liste."), "{}", refused.body);

    let chosen = app.post_form("/redaction/compte/langue", &journalist, &[("desk_language", "ar")]).await;
    assert_eq!(chosen.status, 303, "{}", chosen.body);
    assert_eq!(chosen.header("location"), "/redaction/compte?ok=language");
    let account = desk(&journalist, "/redaction/compte?ok=language").await;
    assert!(account.contains("<html lang=\"ar\" dir=\"rtl\">"), "{account}");
    assert!(account.contains("تم تغيير لغة غرفة التحرير."), "the confirmation in Arabic");
    assert!(account.contains("<option value=\"ar\" lang=\"ar\" selected>"), "the choice shown");
    let articles = desk(&journalist, "/redaction/articles").await;
    assert!(articles.contains("dir=\"rtl\"") && articles.contains("المقالات"), "menus in Arabic: {articles}");
    // A refused form answers in the person's language too.
    let refused = app.post_form("/redaction/compte/langue", &journalist, &[("desk_language", "xx")]).await;
    assert!(refused.body.contains("اختر لغة من القائمة."), "{}", refused.body);

    // The colleague's desk and the readers' pages are unchanged.
    assert!(desk(&editor, "/redaction").await.contains("<html lang=\"fr\" dir=\"ltr\">"));
    assert!(app.get("/").await.body.contains("lang=\"fr\""));

    let english = app.post_form("/redaction/compte/langue", &journalist, &[("desk_language", "en")]).await;
    assert_eq!(english.status, 303);
    let home = desk(&journalist, "/redaction").await;
    assert!(home.contains("<html lang=\"en\" dir=\"ltr\">") && home.contains("Articles"), "{home}");
    // Back to the site's language.
    app.post_form("/redaction/compte/langue", &journalist, &[("desk_language", "")]).await;
    assert!(desk(&journalist, "/redaction").await.contains("<html lang=\"fr\" dir=\"ltr\">"));
}

on_both_engines!(
    users_and_second_factor,
    api_tokens_are_made_and_revoked_from_the_account_page,
    the_newsroom_speaks_each_journalists_language
);
