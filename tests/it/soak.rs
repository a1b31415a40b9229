//! Soak: a running `gazette serve` takes mixed traffic for a while — readers on every kind of
//! page, searches, comments, likes, the desk publishing through the API — with no 5xx answer
//! and flat memory. CI runs one minute (`GAZETTE_SOAK_SECONDS`, default 60);
//! `tests/attack/soak.sh` runs ten.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gazette::news::Role;
use gazette::store::now_ms;
use gazette::web::reader::comment_form::form_token;
use gazette::web::reader::like::like_token;
use sqlx::Row;

use crate::support::{EngineChoice, Server, TempDir, TestApp, urlenc};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36";

/// Resident memory of a process, in kB, from /proc.
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    server_errors: AtomicU64,
    transport_errors: AtomicU64,
    comments: AtomicU64,
    likes: AtomicU64,
    articles: AtomicU64,
    searches: AtomicU64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_traffic_without_errors_and_with_flat_memory() {
    let seconds: u64 = std::env::var("GAZETTE_SOAK_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let choice = match std::env::var("GAZETTE_SOAK_ENGINE").as_deref() {
        Ok("postgres") => EngineChoice::Postgres,
        _ => EngineChoice::Sqlite,
    };
    let Some(app) = TestApp::new(choice).await else { return };
    app.with_demo().await;
    let mut site = (*app.state.site()).clone();
    // One address sends everything here: the per-address limits would refuse the readers'
    // comments after the fifth, which is what they are for, not what this test measures.
    site.comments.per_address_per_10_min = 1_000_000;
    site.comments.per_email_per_hour = 1_000_000;
    site.comments.moderator_digest = "off".into();
    let mut tx = app.db().begin().await.unwrap();
    gazette::store::settings::save_site(&mut tx, &site).await.unwrap();
    tx.commit().await.unwrap();
    let editor = app.staff_token("soak-editor@example.ma", Role::Editor).await;
    let secret = app.state.secret().to_vec();
    let tz = app.state.site().tz();
    let rows = sqlx::query(
        "select a.id, a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' order by a.id",
    )
    .fetch_all(app.db().reader())
    .await
    .unwrap();
    let articles: Arc<Vec<(i64, String)>> = Arc::new(
        rows.iter()
            .map(|r| {
                (r.get::<i64, _>("id"), format!("/{}/{}", r.get::<String, _>("section"), r.get::<String, _>("slug")))
            })
            .collect(),
    );
    let sections: Vec<String> = sqlx::query("select slug from sections")
        .fetch_all(app.db().reader())
        .await
        .unwrap()
        .iter()
        .map(|r| format!("/{}", r.get::<String, _>("slug")))
        .collect();
    let reader_paths: Arc<Vec<String>> = Arc::new(
        ["/", "/ar", "/en", "/feeds/rss", "/sitemap.xml", "/archives/2026/11/29"]
            .iter()
            .map(|p| p.to_string())
            .chain(sections)
            .chain(articles.iter().map(|(_, p)| p.clone()))
            .collect(),
    );

    let dir = TempDir::new("soak");
    let media = app.state.config().media_dir().display().to_string();
    let server = Server::start_with_env(
        dir.path(),
        &app.database.url,
        &[],
        &[("GAZETTE_STORAGE_MEDIA_DIR", media.as_str()), ("GAZETTE_LOG_LEVEL", "warn")],
    )
    .await;
    let pid = server.child.id();
    let base = server.url("");
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..6u64 {
        let (tally, stop, base, articles, reader_paths, editor, secret) = (
            tally.clone(),
            stop.clone(),
            base.clone(),
            articles.clone(),
            reader_paths.clone(),
            editor.clone(),
            secret.clone(),
        );
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let mut n: u64 = worker * 1_000_003;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let (id, article) = &articles[(n as usize) % articles.len()];
                let request = match (worker, n % 20) {
                    // Readers: every kind of page, in every language.
                    (0..=2, _) => http.get(format!("{base}{}", reader_paths[(n as usize * 7) % reader_paths.len()])),
                    // Searches, varied.
                    (3, _) => {
                        tally.searches.fetch_add(1, Ordering::Relaxed);
                        let words = ["maroc", "économie", "الرباط", "football casablanca", "budget", "port"];
                        http.get(format!(
                            "{base}/recherche?q={}&page={}",
                            urlenc(words[n as usize % words.len()]),
                            1 + n % 3
                        ))
                    }
                    // Comments.
                    (4, _) => {
                        tally.comments.fetch_add(1, Ordering::Relaxed);
                        let token = form_token(&secret, *id, now_ms() - 10_000);
                        http.post(format!("{base}{article}/commentaires"))
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body(format!(
                                "token={}&name=Lecteur&email=soak{n}%40lecteurs.example&website=&body={}",
                                urlenc(&token),
                                urlenc(&format!("Un avis argumenté numéro {n} sur ce sujet important."))
                            ))
                    }
                    // The desk publishes, now and then; likes the rest of the time.
                    (_, 0) => {
                        tally.articles.fetch_add(1, Ordering::Relaxed);
                        http.post(format!("{base}/api/v1/articles")).bearer_auth(&editor).json(&serde_json::json!({
                            "title": format!("Dépêche de l'endurance {n}"),
                            "section": "economie",
                            "status": "published",
                            "body_markdown": "Un texte **court**."
                        }))
                    }
                    _ => {
                        tally.likes.fetch_add(1, Ordering::Relaxed);
                        let day = gazette::render::dates::local_day(now_ms(), tz);
                        http.post(format!("{base}{article}/like"))
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body(format!("token={}", like_token(&secret, *id, day)))
                    }
                };
                let user_agent = format!("{BROWSER} soak/{}", n % 500);
                tally.requests.fetch_add(1, Ordering::Relaxed);
                match request.header("user-agent", user_agent).send().await {
                    Ok(answer) if answer.status().is_server_error() => {
                        tally.server_errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("soak: {} {}", answer.status(), answer.url());
                    }
                    Ok(answer) => {
                        let _ = answer.bytes().await;
                    }
                    Err(e) => {
                        tally.transport_errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("soak: {e}");
                    }
                }
            }
        }));
    }

    // Memory, sampled every two seconds.
    let mut samples = Vec::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_secs(2)).await;
        samples.push((started.elapsed().as_secs(), rss_kb(pid)));
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    let requests = tally.requests.load(Ordering::Relaxed);
    eprintln!(
        "soak: {seconds} s, {requests} requests ({:.0}/s): {} searches, {} comments, {} likes, {} articles; \
         memory (kB) {:?}",
        requests as f64 / seconds as f64,
        tally.searches.load(Ordering::Relaxed),
        tally.comments.load(Ordering::Relaxed),
        tally.likes.load(Ordering::Relaxed),
        tally.articles.load(Ordering::Relaxed),
        samples.iter().map(|(t, kb)| format!("{t}s:{kb}")).collect::<Vec<_>>()
    );
    assert!(requests > seconds * 20, "the traffic ran: {requests} requests");
    assert_eq!(tally.server_errors.load(Ordering::Relaxed), 0, "answers 5xx");
    assert_eq!(tally.transport_errors.load(Ordering::Relaxed), 0, "requests that got no answer");
    // Flat memory: after the first quarter (caches and pools filled), the resident size grows
    // by less than a fifth (and 24 MB of slack for allocator noise on short runs).
    let warm = samples.iter().find(|(t, _)| *t >= seconds / 4).map(|(_, kb)| *kb).unwrap_or(0);
    let peak_after = samples.iter().filter(|(t, _)| *t >= seconds / 4).map(|(_, kb)| *kb).max().unwrap_or(0);
    assert!(warm > 0, "memory was sampled");
    assert!(
        peak_after <= warm + warm / 5 + 24 * 1024,
        "memory grew from {warm} kB (a quarter in) to {peak_after} kB: {samples:?}"
    );
    // What was acknowledged is there.
    let stored: i64 = sqlx::query("select count(*) as n from articles where title like 'Dépêche de l''endurance %'")
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("n");
    assert!(stored > 0, "the desk's articles were stored");
    drop(server);
    app.cleanup().await;
}
