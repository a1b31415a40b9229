//! The moderation queue keeping up (pages past 200, the ground of a refusal chosen by the
//! moderator, why each comment is there), readers reporting a published comment, and the
//! classifier learning from the newsroom's decisions and forgotten on demand; on both engines.

use gazette::news::Role;
use gazette::store::comments::{NewComment, QueueFilter};
use sqlx::Row;

use crate::on_both_engines;
use crate::support::TestApp;

/// A published article of the demo in `language`: (id, path).
async fn article_in(app: &TestApp, language: &str) -> (i64, String) {
    let row = sqlx::query(
        "select a.id, a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' and a.language = $1 order by a.publish_at desc limit 1",
    )
    .bind(language.to_string())
    .fetch_one(app.db().reader())
    .await
    .unwrap();
    (row.get("id"), format!("/{}/{}", row.get::<String, _>("section"), row.get::<String, _>("slug")))
}

/// Stores `n` comments on an article as the form would (status as given), newest last.
async fn store_comments(app: &TestApp, article_id: i64, n: usize, status: gazette::news::CommentStatus) -> Vec<i64> {
    let mut tx = app.db().begin().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = gazette::store::comments::insert(
            &mut tx,
            &NewComment {
                article_id,
                parent_id: None,
                author_name: format!("Lecteur {i}"),
                author_email: format!("lecteur{i}@lecteurs.example"),
                author_website: String::new(),
                body: format!("Commentaire numéro {i} sur le budget de la commune."),
                language: "fr".into(),
                status,
                refusal_reason: None,
                screening: "{}".into(),
                ip_hash: format!("address-{i}"),
                created_at: Some(1_700_000_000_000 + i as i64 * 1000),
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

/// A request from a reader's address (the report form checks the origin and counts addresses).
fn from_address(
    mut request: axum::http::Request<axum::body::Body>,
    address: &str,
) -> axum::http::Request<axum::body::Body> {
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(address.parse().unwrap(), 40000)));
    request
}

async fn report(app: &TestApp, comment_id: i64, reason: &str, address: &str) -> crate::support::TestResponse {
    let request = axum::http::Request::post(format!("/commentaires/{comment_id}/signaler"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", "Mozilla/5.0 Firefox/140.0")
        .body(axum::body::Body::from(format!("reason={reason}")))
        .unwrap();
    app.request(from_address(request, address)).await
}

async fn the_queue_pages_past_two_hundred_and_the_ground_is_chosen(app: TestApp) {
    app.with_demo().await;
    let (article, _) = article_in(&app, "fr").await;
    let ids = store_comments(&app, article, 260, gazette::news::CommentStatus::Pending).await;
    app.staff_user("modo@example.ma", Role::Moderator, "correct horse battery").await;
    let moderator = app.login("modo@example.ma", "correct horse battery").await.unwrap();
    let filter = QueueFilter { status: Some(gazette::news::CommentStatus::Refused), ..QueueFilter::default() };
    let refused_before = gazette::store::comments::count_queue(app.db(), &filter).await.unwrap();
    let first = app.get_as("/redaction/commentaires", &moderator.cookie).await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains("Commentaire numéro 0 sur"), "oldest first");
    assert!(first.body.contains("rel=\"next\""), "a link to the next page");
    // The 201st and the last waiting comments are reachable without a filter.
    let sixth = app.get_as("/redaction/commentaires?status=pending&page=6", &moderator.cookie).await;
    assert!(sixth.body.contains("Commentaire numéro 259 sur"), "the last page holds the newest");
    let fifth = app.get_as("/redaction/commentaires?status=pending&page=5", &moderator.cookie).await;
    assert!(fifth.body.contains("Commentaire numéro 200 sur"), "the 201st comment is on page five");
    // No ground is preselected: refusing without choosing one refuses nothing and says so.
    let select_at = first.body.find(&format!("name=\"reason_{}\"", ids[0])).expect("a ground to choose");
    let select = &first.body[select_at..select_at + first.body[select_at..].find("</select>").unwrap()];
    assert!(!select.contains("selected"), "no ground preselected: {select}");
    let unchosen = app
        .post_form(
            "/redaction/commentaires",
            &moderator,
            &[("action", &format!("refuse:{}", ids[0])), ("back", "?status=pending")],
        )
        .await;
    assert_eq!(unchosen.status, 303);
    assert!(unchosen.header("location").contains("error=reason"), "{}", unchosen.header("location"));
    let again = app.get_as(unchosen.header("location"), &moderator.cookie).await;
    assert!(again.body.contains("role=\"alert\""), "the queue says what is missing");
    let refused = gazette::store::comments::count_queue(app.db(), &filter).await.unwrap();
    assert_eq!(refused, refused_before, "nothing refused");
    let chosen = app
        .post_form(
            "/redaction/commentaires",
            &moderator,
            &[("action", &format!("refuse:{}", ids[0])), (&format!("reason_{}", ids[0]), "insult")],
        )
        .await;
    assert_eq!(chosen.status, 303);
    assert_eq!(gazette::store::comments::count_queue(app.db(), &filter).await.unwrap(), refused_before + 1);
}

async fn readers_report_a_published_comment_and_it_comes_back_to_the_queue(app: TestApp) {
    app.with_demo().await;
    let (article, path) = article_in(&app, "fr").await;
    let ids = store_comments(&app, article, 2, gazette::news::CommentStatus::Approved).await;
    let (reported, other) = (ids[0], ids[1]);
    let page = app.get(&path).await.body;
    assert!(page.contains(&format!("href=\"/commentaires/{reported}/signaler\"")), "a report link under each comment");
    let form = app.get(&format!("/commentaires/{reported}/signaler")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"reason\" value=\"insult\"") && form.body.contains("value=\"other\""));
    // A report leads back to the article with thanks, the address percent-encoded.
    let first = report(&app, reported, "insult", "10.9.0.1").await;
    assert_eq!(first.status, 303);
    assert!(first.header("location").contains("signalement=merci"));
    assert!(first.header("location").is_ascii());
    assert!(app.get(first.header("location")).await.body.contains("role=\"status\""), "the thanks");
    // The same address twice counts once; a ground not of the charter is refused.
    report(&app, reported, "insult", "10.9.0.1").await;
    let odd = report(&app, reported, "boring", "10.9.0.9").await;
    assert_eq!(odd.status, 422);
    app.staff_user("modo@example.ma", Role::Moderator, "correct horse battery").await;
    let moderator = app.login("modo@example.ma", "correct horse battery").await.unwrap();
    let queue = app.get_as("/redaction/commentaires?status=reported", &moderator.cookie).await;
    assert!(queue.body.contains("Commentaire numéro 0 sur"), "the reported comment is in the reported view");
    assert!(!queue.body.contains("Commentaire numéro 1 sur"), "only the reported one");
    assert!(queue.body.contains("Signalé 1 fois"), "with its reports counted: {}", queue.body);
    // Three addresses take it off the page until a moderator decides.
    report(&app, reported, "threat", "10.9.0.2").await;
    assert!(app.get(&path).await.body.contains("Commentaire numéro 0 sur"), "two reports: still shown");
    report(&app, reported, "threat", "10.9.0.3").await;
    let page = app.get(&path).await.body;
    assert!(!page.contains("Commentaire numéro 0 sur"), "three reports: off the page");
    assert!(page.contains("Commentaire numéro 1 sur"), "the others stay");
    let pending = app.get_as("/redaction/commentaires", &moderator.cookie).await;
    assert!(pending.body.contains("Signalé 3 fois"), "back in the waiting queue with its reports");
    // Approving it puts it back; the old reports no longer count.
    app.approve_comments(&[reported]).await;
    assert!(app.get(&path).await.body.contains("Commentaire numéro 0 sur"));
    let reported_view = app.get_as("/redaction/commentaires?status=reported", &moderator.cookie).await;
    assert!(!reported_view.body.contains("Commentaire numéro 0 sur"), "decided: no longer reported");
    // A comment that is not published cannot be reported.
    let refused = store_comments(&app, article, 1, gazette::news::CommentStatus::Refused).await[0];
    assert_eq!(report(&app, refused, "insult", "10.9.0.4").await.status, 404);
    let _ = other;
}

async fn the_classifier_learns_decisions_and_forgets_them_on_demand(app: TestApp) {
    app.with_demo().await;
    let (article, _) = article_in(&app, "fr").await;
    let ids = store_comments(&app, article, 4, gazette::news::CommentStatus::Pending).await;
    assert_eq!(app.state.screener().classifier.lessons, 0);
    app.approve_comments(&ids[..2]).await;
    app.staff_user("admin@example.org", Role::Admin, "correct horse battery").await;
    let admin = app.login("admin@example.org", "correct horse battery").await.unwrap();
    let refused = app
        .post_form(
            "/redaction/commentaires",
            &admin,
            &[("action", "refuse"), ("ids", &ids[2].to_string()), ("ids", &ids[3].to_string()), ("reason", "insult")],
        )
        .await;
    assert_eq!(refused.status, 303);
    assert_eq!(app.state.screener().classifier.lessons, 4, "every decision is learned");
    let page = app.get_as("/redaction/commentaires/listes", &admin.cookie).await;
    assert!(page.body.contains("4 décisions apprises"), "admins see what the model learned");
    // A new node (a restart) learns the same decisions back from the database.
    app.state.reload_moderation_here().await.unwrap();
    assert_eq!(app.state.screener().classifier.lessons, 4);
    let reset = app.post_form("/redaction/commentaires/modele", &admin, &[]).await;
    assert_eq!(reset.status, 303);
    assert_eq!(app.state.screener().classifier.lessons, 0, "forgotten");
    app.state.reload_moderation_here().await.unwrap();
    assert_eq!(app.state.screener().classifier.lessons, 0, "and stays forgotten after a restart");
    // Moderators may not reset it.
    app.staff_user("modo@example.ma", Role::Moderator, "correct horse battery").await;
    let moderator = app.login("modo@example.ma", "correct horse battery").await.unwrap();
    assert_eq!(app.post_form("/redaction/commentaires/modele", &moderator, &[]).await.status, 403);
}

on_both_engines!(
    the_queue_pages_past_two_hundred_and_the_ground_is_chosen,
    readers_report_a_published_comment_and_it_comes_back_to_the_queue,
    the_classifier_learns_decisions_and_forgets_them_on_demand,
);
