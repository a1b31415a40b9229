//! Crash safety: `gazette serve` killed with SIGKILL in the middle of a stream of comment
//! posts, article saves and likes, on SQLite and on PostgreSQL. After a restart every write that
//! got a success answer is there, likes acknowledged before the last counter flush are counted,
//! the database passes its integrity check, and the jobs queued before the crash run.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gazette::news::Role;
use gazette::store::now_ms;
use gazette::web::reader::comment_form::form_token;
use gazette::web::reader::like::like_token;
use sqlx::Row;

use crate::support::{EngineChoice, Server, SmtpSink, TempDir, TestApp, urlenc};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36";
/// The counters' flush interval the server runs with: the most a crash may lose of likes.
const FLUSH_MS: u64 = 500;

#[derive(Default)]
struct Acknowledged {
    comments: Vec<String>,
    articles: Vec<String>,
    /// When each like was answered.
    likes: Vec<Instant>,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn crash_mid_stream(choice: EngineChoice) {
    let Some(app) = TestApp::new(choice).await else { return };
    app.with_demo().await;
    let mut site = (*app.state.site()).clone();
    site.comments.per_address_per_10_min = 100_000;
    site.comments.per_email_per_hour = 100_000;
    site.comments.moderator_digest = "off".into();
    let mut tx = app.db().begin().await.unwrap();
    gazette::store::settings::save_site(&mut tx, &site).await.unwrap();
    tx.commit().await.unwrap();
    sqlx::query("delete from jobs").execute(app.db().writer()).await.unwrap();
    let editor = app.staff_token("crash-editor@example.ma", Role::Editor).await;
    let secret = app.state.secret().to_vec();
    let tz = app.state.site().tz();
    let row = sqlx::query(
        "select a.id, a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' and a.comments_mode = 'open' order by a.id limit 1",
    )
    .fetch_one(app.db().reader())
    .await
    .unwrap();
    let (article_id, path): (i64, String) =
        (row.get("id"), format!("/{}/{}", row.get::<String, _>("section"), row.get::<String, _>("slug")));
    let likes_before: i64 = sqlx::query("select likes from article_stats where article_id = $1")
        .bind(article_id)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("likes");

    let sink = SmtpSink::start().await;
    let smtp_port = sink.port.to_string();
    let flush = FLUSH_MS.to_string();
    let env = [
        ("GAZETTE_MAIL_SMTP_HOST", "127.0.0.1"),
        ("GAZETTE_MAIL_SMTP_PORT", smtp_port.as_str()),
        ("GAZETTE_MAIL_SECURITY", "none"),
        ("GAZETTE_COUNTERS_FLUSH_INTERVAL_MS", flush.as_str()),
        ("GAZETTE_LOG_LEVEL", "warn"),
    ];
    let dir = TempDir::new("crash");
    let media = app.state.config().media_dir().display().to_string();
    let mut env_with_media = env.to_vec();
    env_with_media.push(("GAZETTE_STORAGE_MEDIA_DIR", media.as_str()));
    let mut server = Server::start_with_env(dir.path(), &app.database.url, &[], &env_with_media).await;
    let base = server.url("");

    // Three writers at once until the kill: comments, articles through the API, likes.
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..3 {
        let (acked, stop, base, path, editor, secret) =
            (acked.clone(), stop.clone(), base.clone(), path.clone(), editor.clone(), secret.clone());
        writers.push(tokio::spawn(async move {
            let http = client();
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                match writer {
                    0 => {
                        let body = format!("Commentaire numéro {n} avant la panne, bien argumenté.");
                        let token = form_token(&secret, article_id, now_ms() - 10_000);
                        let form = format!(
                            "token={}&name=Lecteur&email={}&website=&notify=1&body={}",
                            urlenc(&token),
                            urlenc(&format!("lecteur{n}@lecteurs.example")),
                            urlenc(&body)
                        );
                        let answer = http
                            .post(format!("{base}{path}/commentaires"))
                            .header("content-type", "application/x-www-form-urlencoded")
                            .header("user-agent", BROWSER)
                            .body(form)
                            .send()
                            .await;
                        if let Ok(answer) = answer
                            && answer.status().as_u16() == 303
                        {
                            acked.lock().unwrap().comments.push(body);
                        }
                    }
                    1 => {
                        let title = format!("Dépêche {n} écrite pendant la panne");
                        let answer = http
                            .post(format!("{base}/api/v1/articles"))
                            .bearer_auth(&editor)
                            .json(&serde_json::json!({"title": title, "section": "economie", "status": "published", "body_markdown": "Texte."}))
                            .send()
                            .await;
                        if let Ok(answer) = answer
                            && answer.status().as_u16() == 201
                        {
                            acked.lock().unwrap().articles.push(title);
                        }
                    }
                    _ => {
                        let day = gazette::render::dates::local_day(now_ms(), tz);
                        let token = like_token(&secret, article_id, day);
                        let answer = http
                            .post(format!("{base}{path}/like"))
                            .header("content-type", "application/x-www-form-urlencoded")
                            .header("user-agent", format!("{BROWSER} reader/{n}"))
                            .body(format!("token={token}"))
                            .send()
                            .await;
                        if let Ok(answer) = answer
                            && answer.status().as_u16() == 303
                        {
                            acked.lock().unwrap().likes.push(Instant::now());
                        }
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    server.kill_hard();
    let killed_at = Instant::now();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(acked.comments.len() >= 3, "the stream ran: {} comments", acked.comments.len());
    assert!(acked.articles.len() >= 3, "the stream ran: {} articles", acked.articles.len());
    assert!(acked.likes.len() >= 3, "the stream ran: {} likes", acked.likes.len());

    // The database is whole.
    match choice {
        EngineChoice::Sqlite => {
            // On a connection opened now, as a restarted process would: one opened before the
            // crash keeps FTS5's view of the index from then, and its integrity check reports
            // the segments merged since as missing.
            use sqlx::Connection;
            let mut fresh = sqlx::AnyConnection::connect(&app.database.url).await.unwrap();
            let check: String = sqlx::query("pragma integrity_check").fetch_one(&mut fresh).await.unwrap().get(0);
            assert_eq!(check, "ok");
            let broken = sqlx::query("pragma foreign_key_check").fetch_all(&mut fresh).await.unwrap();
            assert!(broken.is_empty(), "{} rows break a foreign key", broken.len());
            fresh.close().await.unwrap();
        }
        EngineChoice::Postgres => {
            // amcheck verifies every B-tree index against its table.
            sqlx::query("create extension if not exists amcheck").execute(app.db().writer()).await.unwrap();
            let indexes = sqlx::query(
                "select c.oid::bigint as oid from pg_index i join pg_class c on c.oid = i.indexrelid \
                 join pg_am am on am.oid = c.relam join pg_namespace n on n.oid = c.relnamespace \
                 where am.amname = 'btree' and n.nspname = current_schema()",
            )
            .fetch_all(app.db().reader())
            .await
            .unwrap();
            assert!(indexes.len() > 20, "the indexes were found: {}", indexes.len());
            for index in indexes {
                let oid: i64 = index.get("oid");
                sqlx::query("select bt_index_check($1::bigint::oid, true)")
                    .bind(oid)
                    .execute(app.db().reader())
                    .await
                    .unwrap();
            }
        }
    }

    // Every acknowledged comment and article is there.
    for body in &acked.comments {
        let n: i64 = sqlx::query("select count(*) as n from comments where body = $1")
            .bind(body.clone())
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, 1, "acknowledged comment lost: {body}");
    }
    for title in &acked.articles {
        let n: i64 = sqlx::query("select count(*) as n from articles where title = $1")
            .bind(title.clone())
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, 1, "acknowledged article lost: {title}");
    }

    // The restarted server serves, flushes, and runs the jobs queued before the crash (the
    // comments' confirmation mails), a lease that died with the process included.
    let mut again = Server::start_with_env(dir.path(), &app.database.url, &[], &env_with_media).await;
    let http = client();
    let page = http.get(again.url(&path)).header("user-agent", "crash-test-probe bot").send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    // The search index answers for what was written before the crash.
    if let Some(title) = acked.articles.first() {
        let found = http
            .get(again.url(&format!("/recherche?q={}", urlenc(title))))
            .header("user-agent", "crash-test-probe bot")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(found.contains(title.as_str()), "search finds an article acknowledged before the crash");
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left: i64 = sqlx::query("select count(*) as n from jobs where status <> 'done'")
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
        if left == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{left} jobs still not done 30 s after the restart");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let queued_mails: i64 = sqlx::query("select count(*) as n from jobs where kind = 'send_mail'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("n");
    assert!(queued_mails >= acked.comments.len() as i64, "one subscription confirmation per acknowledged comment");
    assert!(sink.received().len() as i64 >= queued_mails, "every queued mail was sent");

    // Likes: in memory, flushed every FLUSH_MS; those answered more than two flush intervals
    // before the kill were written (a flush in progress takes up to one more interval).
    let safe =
        acked.likes.iter().filter(|at| killed_at.duration_since(**at) > Duration::from_millis(2 * FLUSH_MS)).count();
    let likes_after: i64 = sqlx::query("select likes from article_stats where article_id = $1")
        .bind(article_id)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("likes");
    assert!(
        likes_after - likes_before >= safe as i64,
        "likes lost beyond the flush interval: {} counted, {safe} acknowledged well before the kill",
        likes_after - likes_before
    );
    assert!(likes_after - likes_before <= acked.likes.len() as i64, "no like counted twice");
    again.kill_hard();
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_nothing_acknowledged_sqlite() {
    crash_mid_stream(EngineChoice::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
async fn sigkill_mid_stream_loses_nothing_acknowledged_postgres() {
    crash_mid_stream(EngineChoice::Postgres).await;
}
