//! Several nodes on one PostgreSQL database: three real `gazette serve` processes, each on its
//! own port and data directory, sharing the database and the media folder. A change made on
//! one node shows on the others at the next request (PostgreSQL NOTIFY drops their cached
//! pages), counts from every node add up exactly, a scheduled article is published once, a
//! mail goes out once, and killing a node loses nothing it acknowledged.
//!
//! PostgreSQL only (SQLite is one process's file): skipped without `GAZETTE_TEST_POSTGRES_URL`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gazette::news::Role;
use gazette::store::now_ms;
use gazette::web::reader::comment_form::form_token;
use reqwest::Method;
use reqwest::header::HeaderMap;
use sqlx::Row;

use crate::support::{EngineChoice, Server, SmtpSink, TempDir, TestApp, csrf_in, urlenc};

const PASSWORD: &str = "correct horse battery staple";
/// A reader's browser: its page views are reads.
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
/// A robot (the user agent says "bot"): its page views are not counted. Every probe that only
/// looks at a page uses it, so probing adds no reads, and the counter flush (which marks the
/// pages whose counts changed as stale) can never be what refreshes a page: only the change
/// notification can.
const PROBE: &str = "gazette-cluster-probe-bot/1.0";
/// A change made on one node is visible on every node this soon.
const VISIBLE_WITHIN: Duration = Duration::from_secs(1);
/// How long to keep looking before declaring a change lost (to report how late it was).
const GIVE_UP_AFTER: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);
const READS_PER_NODE: usize = 30;
const LIKES_PER_NODE: usize = 5;
/// Readers who subscribe to replies, each getting one confirmation mail.
const SUBSCRIBERS: [&str; 6] = ["amina", "badr", "chama", "driss", "elham", "fouad"];
/// Drafts B must have acknowledged before it is killed.
const ACKNOWLEDGED_BEFORE_KILL: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
async fn three_nodes_share_one_database_and_lose_nothing() {
    // 1. Setup. The test's own app migrates a fresh PostgreSQL database, loads the demo into
    // the shared media folder and creates the staff; the three nodes then start on it.
    let media = TempDir::new("cluster-media");
    let media_dir = media.path().display().to_string();
    let Some(app) = TestApp::new_with(EngineChoice::Postgres, {
        let media_dir = media_dir.clone();
        move |c: &mut gazette::config::Config| c.storage.media_dir = media_dir
    })
    .await
    else {
        return;
    };
    app.with_demo().await;
    // The demo queues image variants; each one finished clears the whole page cache of the node
    // that made it, which would refresh pages whether or not the change notification works (and
    // keeps both cores busy during the timed steps). This test is not about images.
    sqlx::query("delete from jobs where kind = 'make_variants'").execute(app.db().writer()).await.unwrap();
    // Every request comes from 127.0.0.1: allow the test's seven comments from one address, and
    // keep the moderators' digest from adding mails to the count of step 7.
    let mut site = (*app.state.site()).clone();
    site.comments.per_address_per_10_min = 100;
    site.comments.moderator_digest = "off".into();
    let mut tx = app.db().begin().await.unwrap();
    gazette::store::settings::save_site(&mut tx, &site).await.unwrap();
    tx.commit().await.unwrap();
    app.state.reload_site().await.unwrap();
    let editor = app.staff_token("redaction-grappe@example.ma", Role::Editor).await;
    app.staff_user("moderation-grappe@example.ma", Role::Moderator, PASSWORD).await;
    // The instance secret lives in the database, so the nodes sign forms with the same key as
    // this app: form tokens made here are valid on every node.
    let secret = app.state.secret().to_vec();
    let run = run_tag();

    let sink = SmtpSink::start().await;
    let smtp_port = sink.port.to_string();
    let env = [
        ("GAZETTE_STORAGE_MEDIA_DIR", media_dir.as_str()),
        ("GAZETTE_MAIL_SMTP_HOST", "127.0.0.1"),
        ("GAZETTE_MAIL_SMTP_PORT", smtp_port.as_str()),
        ("GAZETTE_MAIL_SECURITY", "none"),
        ("GAZETTE_COUNTERS_FLUSH_INTERVAL_MS", "1000"),
        ("GAZETTE_JOBS_POLL_INTERVAL_MS", "50"),
        // The nodes' output goes to pipes nobody reads until the end: keep it short.
        ("GAZETTE_LOG_LEVEL", "warn"),
    ];
    let dirs = [TempDir::new("cluster-a"), TempDir::new("cluster-b"), TempDir::new("cluster-c")];
    let database_url = app.database.url.clone();
    let a = Server::start_with_env(dirs[0].path(), &database_url, &[], &env).await;
    let mut b = Server::start_with_env(dirs[1].path(), &database_url, &[], &env).await;
    let c = Server::start_with_env(dirs[2].path(), &database_url, &[], &env).await;
    let (node_a, node_b, node_c) = (a.url(""), b.url(""), c.url(""));
    let nodes = [("A", node_a.as_str()), ("B", node_b.as_str()), ("C", node_c.as_str())];
    let http = client();

    // 2. Warm the caches: every node holds the front page, so a change elsewhere shows only if
    // that node is told to drop it.
    for (name, node) in nodes {
        let first = get(&http, &format!("{node}/"), PROBE).await;
        assert_eq!(first.status, 200, "node {name}: the front page answers: {}", first.body);
        let hits = cache_hits(&http, node).await;
        let second = get(&http, &format!("{node}/"), PROBE).await;
        assert_eq!(second.status, 200, "node {name}: the front page answers again");
        assert!(cache_hits(&http, node).await > hits, "node {name}: the second front page came from its cache");
    }

    // 3. Publish on A: B and C show it within a second, on their cached front pages and at the
    // article's address.
    let title = format!("Grappe {run} le port rouvre ses quais");
    let created = post_json(
        &http,
        &format!("{node_a}/api/v1/articles"),
        &editor,
        &serde_json::json!({"title": title, "section": "economie", "status": "published", "body_markdown": "Les navires accostent de nouveau."}),
    )
    .await
    .unwrap_or_else(|e| panic!("A: POST /api/v1/articles failed: {e}"));
    let acknowledged = Instant::now();
    assert_eq!(created.status, 201, "A creates and publishes the article: {}", created.body);
    let fresh = created.json();
    let fresh_id = fresh["id"].as_i64().expect("the new article's id");
    let fresh_path =
        format!("/{}/{}", fresh["section_slug"].as_str().unwrap(), fresh["slug"].as_str().expect("its slug"));
    let shown = wait_until_shown(
        &http,
        &[
            ("B's front page".to_string(), format!("{node_b}/")),
            ("B's article page".to_string(), format!("{node_b}{fresh_path}")),
            ("C's front page".to_string(), format!("{node_c}/")),
            ("C's article page".to_string(), format!("{node_c}{fresh_path}")),
        ],
        &title,
        acknowledged,
    )
    .await;
    assert_visible_in_time("the article published on A", &shown);

    // 4. A comment posted on B, approved on C, shows on A's cached article page within a second.
    let comment_body = format!("Bonne nouvelle pour les dockers du port, signe {run}");
    let token = form_token(&secret, fresh_id, now_ms() - 10_000);
    let reader_email = format!("lectrice-{run}@lecteurs.example");
    let posted = post_form(
        &http,
        &format!("{node_b}{fresh_path}/commentaires"),
        &[
            ("token", &token),
            ("name", "Lectrice de la grappe"),
            ("email", &reader_email),
            ("website", ""),
            ("body", &comment_body),
        ],
        &[("user-agent", BROWSER)],
    )
    .await;
    assert_eq!(posted.status, 303, "B accepts the comment: {}", posted.body);
    assert!(
        posted.header("location").ends_with("?commentaire=attente#comments"),
        "the comment waits for moderation: {}",
        posted.header("location")
    );
    let comment_id: i64 = sqlx::query("select id from comments where body = $1")
        .bind(comment_body.clone())
        .fetch_one(app.db().reader())
        .await
        .expect("B stored the comment in the shared database")
        .get("id");
    let moderator = newsroom_login(&http, &node_c, "moderation-grappe@example.ma", PASSWORD).await;
    let article_on_a = format!("{node_a}{fresh_path}");
    let before = get(&http, &article_on_a, PROBE).await;
    assert_eq!(before.status, 200, "A serves the new article");
    assert!(!before.body.contains(&comment_body), "A does not show a pending comment");
    let hits = cache_hits(&http, &node_a).await;
    let cached = get(&http, &article_on_a, PROBE).await;
    assert!(!cached.body.contains(&comment_body), "A does not show a pending comment");
    assert!(cache_hits(&http, &node_a).await > hits, "A now serves the article page from its cache");
    let approved = post_form(
        &http,
        &format!("{node_c}/redaction/commentaires"),
        &[("csrf", &moderator.csrf), ("action", &format!("approve:{comment_id}"))],
        &[("cookie", &moderator.cookie), ("user-agent", BROWSER)],
    )
    .await;
    let decided = Instant::now();
    assert_eq!(approved.status, 303, "C approves the comment: {}", approved.body);
    let status: String = sqlx::query("select status from comments where id = $1")
        .bind(comment_id)
        .fetch_one(app.db().reader())
        .await
        .unwrap()
        .get("status");
    assert_eq!(status, "approved", "C's approval is in the database");
    let shown =
        wait_until_shown(&http, &[("A's article page".to_string(), article_on_a.clone())], &comment_body, decided)
            .await;
    assert_visible_in_time("the comment approved on C", &shown);

    // 5. Counts: every node counts its own reads and likes and adds them to the database totals;
    // none is lost or counted twice. Reads are not deduplicated (each page view is one read);
    // likes are, per reader mark (day, address, user agent, article), so each like has its own
    // user agent.
    let demo = published_articles(&app, fresh_id, 2).await;
    let (counted_id, counted_path) = demo[0].clone();
    let (reads_before, likes_before) = totals(&app, counted_id).await;
    let mut readers = Vec::new();
    for (name, node) in nodes {
        let http = http.clone();
        let url = format!("{node}{counted_path}");
        let name = name.to_string();
        readers.push(tokio::spawn(async move {
            for n in 0..READS_PER_NODE {
                let page = get(&http, &url, BROWSER).await;
                assert_eq!(page.status, 200, "node {name}: read {n} of {url} answered {}", page.status);
            }
        }));
    }
    for reader in readers {
        reader.await.unwrap();
    }
    let day = gazette::render::dates::local_day(now_ms(), app.state.site().tz());
    let like_token = gazette::web::reader::like::like_token(&secret, counted_id, day);
    for (name, node) in nodes {
        for n in 0..LIKES_PER_NODE {
            let user_agent = format!("{BROWSER} Lecteur/{name}{n}");
            let liked = post_form(
                &http,
                &format!("{node}{counted_path}/like"),
                &[("token", &like_token)],
                &[("user-agent", &user_agent)],
            )
            .await;
            assert_eq!(liked.status, 303, "node {name}: like {n} was refused: {}", liked.body);
        }
    }
    let expected_reads = reads_before + (READS_PER_NODE * nodes.len()) as i64;
    let expected_likes = likes_before + (LIKES_PER_NODE * nodes.len()) as i64;
    let sent = Instant::now();
    loop {
        let (reads, likes) = totals(&app, counted_id).await;
        if (reads >= expected_reads && likes >= expected_likes) || sent.elapsed() > GIVE_UP_AFTER {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // One more flush interval and a half: a count written twice would show now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (reads, likes) = totals(&app, counted_id).await;
    assert_eq!(
        reads - reads_before,
        (READS_PER_NODE * nodes.len()) as i64,
        "reads of article {counted_id}: {READS_PER_NODE} on each of 3 nodes, each counted once in the database"
    );
    assert_eq!(
        likes - likes_before,
        (LIKES_PER_NODE * nodes.len()) as i64,
        "likes of article {counted_id}: {LIKES_PER_NODE} distinct readers on each of 3 nodes"
    );

    // 6. Scheduled publishing: every node polls the job table; the job is claimed by one node
    // and runs once.
    let scheduled_title = format!("Grappe {run} programme pour dans deux secondes");
    let publish_at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let created = post_json(
        &http,
        &format!("{node_a}/api/v1/articles"),
        &editor,
        &serde_json::json!({"title": scheduled_title, "section": "economie", "status": "scheduled", "publish_at": publish_at.to_rfc3339()}),
    )
    .await
    .unwrap_or_else(|e| panic!("A: POST /api/v1/articles (scheduled) failed: {e}"));
    assert_eq!(created.status, 201, "A schedules the article: {}", created.body);
    let scheduled_id = created.json()["id"].as_i64().expect("the scheduled article's id");
    let public = format!("{node_c}/api/v1/articles/{scheduled_id}");
    assert_eq!(get(&http, &public, PROBE).await.status, 404, "a scheduled article is not public before its time");
    let waiting = Instant::now();
    let mut published = false;
    while waiting.elapsed() < Duration::from_secs(10) {
        if get(&http, &public, PROBE).await.status == 200 {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(published, "article {scheduled_id}, scheduled 2 s ahead, was still not published 10 s later");
    let job_rows: Vec<(String, i64)> =
        sqlx::query("select status, attempts from jobs where kind = 'publish_article' and dedupe_key = $1")
            .bind(format!("publish_article:{scheduled_id}"))
            .fetch_all(app.db().reader())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("status"), r.get("attempts")))
            .collect();
    assert_eq!(
        job_rows,
        vec![("done".to_string(), 1)],
        "one publish job for article {scheduled_id}, done at the first attempt (no second node claimed it)"
    );
    let audits: i64 =
        sqlx::query("select count(*) as n from audit_log where action = 'article.published' and object_id = $1")
            .bind(scheduled_id)
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
    assert_eq!(audits, 1, "article {scheduled_id} was published exactly once");

    // 7. Mails: each subscription queues one confirmation mail; three nodes' workers poll the
    // queue, and each mail still goes out exactly once.
    assert!(sink.received().is_empty(), "no mail before the subscriptions: {:?}", recipients(&sink.received()));
    let (mail_article_id, mail_article_path) = demo[1].clone();
    let emails: Vec<String> = SUBSCRIBERS.iter().map(|r| format!("{r}-{run}@lecteurs.example")).collect();
    for (n, reader) in SUBSCRIBERS.iter().enumerate() {
        let (name, node) = nodes[n % nodes.len()];
        let token = form_token(&secret, mail_article_id, now_ms() - 10_000);
        let body = format!("Je suivrai ce dossier avec attention, {reader} du quartier {run}");
        let posted = post_form(
            &http,
            &format!("{node}{mail_article_path}/commentaires"),
            &[
                ("token", &token),
                ("name", *reader),
                ("email", &emails[n]),
                ("website", ""),
                ("body", &body),
                ("notify", "1"),
            ],
            &[("user-agent", BROWSER)],
        )
        .await;
        assert_eq!(posted.status, 303, "node {name}: the comment of {reader} was refused: {}", posted.body);
        assert!(
            posted.header("location").ends_with("?commentaire=attente#comments"),
            "node {name}: the comment of {reader} waits for moderation (not spam): {}",
            posted.header("location")
        );
    }
    let k = SUBSCRIBERS.len();
    let mails = sink.wait_for(k).await;
    assert!(mails.len() >= k, "only {} of the {k} confirmation mails arrived within 10 s", mails.len());
    // Long enough for a twin to arrive from a second node.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = sink.received();
    assert_eq!(mails.len(), k, "one confirmation per subscriber and no more: {:?}", recipients(&mails));
    for email in &emails {
        let copies = mails.iter().filter(|m| m.contains(&format!("To: {email}"))).count();
        assert_eq!(copies, 1, "{email} got {copies} confirmation mails: {:?}", recipients(&mails));
    }
    let mail_jobs: Vec<(String, i64)> = sqlx::query("select status, attempts from jobs where kind = 'send_mail'")
        .fetch_all(app.db().reader())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("status"), r.get("attempts")))
        .collect();
    assert_eq!(mail_jobs, vec![("done".to_string(), 1); k], "each mail job ran once, on one node");

    // 8. Kill -9 a node in the middle of writes: every write it acknowledged is in the database,
    // and the other nodes go on serving.
    let acknowledged_drafts: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let writer = {
        let http = http.clone();
        let url = format!("{node_b}/api/v1/articles");
        let token = editor.clone();
        let run = run.clone();
        let acknowledged_drafts = acknowledged_drafts.clone();
        tokio::spawn(async move {
            for n in 0..10_000 {
                let title = format!("Brouillon de grappe {run} numero {n}");
                let body = serde_json::json!({"title": title, "section": "monde", "status": "draft"});
                match post_json(&http, &url, &token, &body).await {
                    Err(error) => return WriterStop::ConnectionLost(error.to_string()),
                    Ok(answer) if answer.status == 201 => {
                        let id = answer.json()["id"].as_i64().expect("a created draft's id");
                        acknowledged_drafts.lock().unwrap().push((id, title));
                    }
                    Ok(answer) => return WriterStop::Status(answer.status, answer.body),
                }
            }
            WriterStop::NeverKilled
        })
    };
    let started = Instant::now();
    while acknowledged_drafts.lock().unwrap().len() < ACKNOWLEDGED_BEFORE_KILL {
        if writer.is_finished() {
            let stop = writer.await.unwrap().describe();
            panic!("the writer on B stopped before {ACKNOWLEDGED_BEFORE_KILL} drafts were acknowledged: {stop}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "B acknowledged only {} drafts in 60 s",
            acknowledged_drafts.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    b.kill_hard();
    let stop = tokio::time::timeout(Duration::from_secs(30), writer)
        .await
        .expect("the writer loop did not stop within 30 s of B's death")
        .unwrap();
    assert!(
        matches!(stop, WriterStop::ConnectionLost(_)),
        "the writer stopped because B went away, not for another reason: {}",
        stop.describe()
    );
    let drafts = acknowledged_drafts.lock().unwrap().clone();
    assert!(drafts.len() >= ACKNOWLEDGED_BEFORE_KILL, "{} drafts acknowledged", drafts.len());
    let mut ids: Vec<i64> = drafts.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), drafts.len(), "B gave each acknowledged draft its own id");
    for (id, title) in &drafts {
        let row = sqlx::query("select title, status from articles where id = $1")
            .bind(*id)
            .fetch_optional(app.db().reader())
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("draft {id} ({title}) got a 201 from B but is not in the database"));
        assert_eq!(row.get::<String, _>("title"), *title, "draft {id} kept its title");
        assert_eq!(row.get::<String, _>("status"), "draft", "draft {id} is still a draft");
    }
    for (name, node) in [("A", node_a.as_str()), ("C", node_c.as_str())] {
        let health = get(&http, &format!("{node}/healthz"), PROBE).await;
        assert_eq!(health.status, 200, "node {name} is healthy after B's death: {}", health.body);
        let front = get(&http, &format!("{node}/"), PROBE).await;
        assert_eq!(front.status, 200, "node {name} serves the front page after B's death");
        assert!(front.body.contains(&title), "node {name} still shows the site's articles");
    }
    // What B wrote last is readable through another node.
    let (last_id, last_title) = drafts.last().unwrap().clone();
    let through_a = send(
        &http,
        Method::GET,
        &format!("{node_a}/api/v1/articles/{last_id}"),
        &[("authorization", &format!("Bearer {editor}"))],
        None,
    )
    .await
    .unwrap();
    assert_eq!(through_a.status, 200, "A reads B's last acknowledged draft: {}", through_a.body);
    assert_eq!(through_a.json()["title"], last_title.as_str());

    drop(a);
    drop(c);
    drop(b);
    app.cleanup().await;
}

/// Why the writer loop of step 8 stopped.
enum WriterStop {
    /// B could not be reached (killed): the expected end.
    ConnectionLost(String),
    /// B answered something other than 201.
    Status(u16, String),
    /// The loop ran out before B was killed.
    NeverKilled,
}

impl WriterStop {
    fn describe(&self) -> String {
        match self {
            WriterStop::ConnectionLost(error) => format!("B could not be reached: {error}"),
            WriterStop::Status(status, body) => format!("B answered {status}: {body}"),
            WriterStop::NeverKilled => "the loop ended before B was killed".to_string(),
        }
    }
}

/// An HTTP answer, read in full.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A client that does not follow redirects (303s are asserted, and a followed redirect would
/// add a page view) and sends no user agent of its own.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap()
}

async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Result<Answer, reqwest::Error> {
    let mut request = http.request(method, url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await?;
    Ok(Answer { status, headers, body })
}

async fn get(http: &reqwest::Client, url: &str, user_agent: &str) -> Answer {
    send(http, Method::GET, url, &[("user-agent", user_agent)], None)
        .await
        .unwrap_or_else(|e| panic!("GET {url} failed: {e}"))
}

/// Posts a form, fields URL-encoded as a browser does.
async fn post_form(http: &reqwest::Client, url: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Answer {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}={}", urlenc(k), urlenc(v))).collect();
    let mut all = vec![("content-type", "application/x-www-form-urlencoded")];
    all.extend_from_slice(headers);
    send(http, Method::POST, url, &all, Some(body.join("&"))).await.unwrap_or_else(|e| panic!("POST {url} failed: {e}"))
}

/// Posts JSON with an API token; the error is returned (step 8 expects one when B dies).
async fn post_json(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    json: &serde_json::Value,
) -> Result<Answer, reqwest::Error> {
    let authorization = format!("Bearer {token}");
    send(
        http,
        Method::POST,
        url,
        &[("content-type", "application/json"), ("authorization", &authorization)],
        Some(json.to_string()),
    )
    .await
}

/// The value a response sets for a cookie.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v[name.len() + 1..].split(';').next().unwrap_or("").to_string())
}

/// A staff session on one node: the cookie to send and the CSRF token of its forms.
struct Session {
    cookie: String,
    csrf: String,
}

/// Logs in through a node's real login form, then opens the moderation queue for its token.
async fn newsroom_login(http: &reqwest::Client, node: &str, email: &str, password: &str) -> Session {
    let page = get(http, &format!("{node}/redaction/connexion"), BROWSER).await;
    assert_eq!(page.status, 200, "{node}: the login page answers");
    let login_cookie = cookie_value(&page.headers, "gz_login").expect("the login page sets its gz_login cookie");
    let answer = post_form(
        http,
        &format!("{node}/redaction/connexion"),
        &[
            ("csrf", &csrf_in(&page.body)),
            ("email", email),
            ("password", password),
            ("next", "/redaction/commentaires"),
        ],
        &[("cookie", &format!("gz_login={login_cookie}")), ("user-agent", BROWSER)],
    )
    .await;
    let session = cookie_value(&answer.headers, "gz_session")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("{node}: login of {email} failed ({}): {}", answer.status, answer.body));
    let cookie = format!("gz_session={session}");
    let queue = send(
        http,
        Method::GET,
        &format!("{node}/redaction/commentaires"),
        &[("cookie", &cookie), ("user-agent", BROWSER)],
        None,
    )
    .await
    .unwrap();
    assert_eq!(queue.status, 200, "{node}: the moderator opens the moderation queue");
    let csrf = csrf_in(&queue.body);
    assert!(!csrf.is_empty(), "{node}: the moderation queue carries the session's CSRF token");
    Session { cookie, csrf }
}

/// The page cache hits a node has counted, from its `/metrics`.
async fn cache_hits(http: &reqwest::Client, node: &str) -> u64 {
    let metrics = get(http, &format!("{node}/metrics"), PROBE).await;
    assert_eq!(metrics.status, 200, "{node}/metrics answers");
    metrics
        .body
        .lines()
        .find_map(|l| l.strip_prefix("gazette_page_cache_hits_total ")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{node}/metrics has no gazette_page_cache_hits_total: {}", metrics.body))
}

/// Looks at every page each `POLL` until each shows `needle` or `GIVE_UP_AFTER` passed; for
/// each page, how long after `since` it first showed it.
async fn wait_until_shown(
    http: &reqwest::Client,
    pages: &[(String, String)],
    needle: &str,
    since: Instant,
) -> Vec<(String, Option<Duration>)> {
    let mut seen: Vec<Option<Duration>> = vec![None; pages.len()];
    loop {
        for (n, (_, url)) in pages.iter().enumerate() {
            if seen[n].is_none() {
                let page = get(http, url, PROBE).await;
                if page.status == 200 && page.body.contains(needle) {
                    seen[n] = Some(since.elapsed());
                }
            }
        }
        if seen.iter().all(Option::is_some) || since.elapsed() > GIVE_UP_AFTER {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    pages.iter().map(|(label, _)| label.clone()).zip(seen).collect()
}

fn assert_visible_in_time(change: &str, shown: &[(String, Option<Duration>)]) {
    for (page, took) in shown {
        match took {
            Some(took) => assert!(
                *took <= VISIBLE_WITHIN,
                "{change}: {page} showed it {took:?} after the change, more than {VISIBLE_WITHIN:?} (all: {shown:?})"
            ),
            None => {
                panic!("{change}: {page} still did not show it {GIVE_UP_AFTER:?} after the change (all: {shown:?})")
            }
        }
    }
}

/// Published French demo articles other than `except`, newest first: (id, path).
async fn published_articles(app: &TestApp, except: i64, count: i64) -> Vec<(i64, String)> {
    let rows = sqlx::query(
        "select a.id, a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' and a.language = 'fr' and a.id <> $1 order by a.publish_at desc limit $2",
    )
    .bind(except)
    .bind(count)
    .fetch_all(app.db().reader())
    .await
    .unwrap();
    assert_eq!(rows.len() as i64, count, "the demo has {count} other published French articles");
    rows.iter()
        .map(|r| (r.get("id"), format!("/{}/{}", r.get::<String, _>("section"), r.get::<String, _>("slug"))))
        .collect()
}

/// (reads, likes) of an article in the database.
async fn totals(app: &TestApp, article_id: i64) -> (i64, i64) {
    sqlx::query("select reads, likes from article_stats where article_id = $1")
        .bind(article_id)
        .fetch_optional(app.db().reader())
        .await
        .unwrap()
        .map(|r| (r.get::<i64, _>("reads"), r.get::<i64, _>("likes")))
        .unwrap_or((0, 0))
}

/// The `To:` lines of mails, for failure messages.
fn recipients(mails: &[String]) -> Vec<String> {
    mails.iter().flat_map(|m| m.lines().filter(|l| l.starts_with("To:")).map(str::to_string)).collect()
}

/// A tag unique to this run, letters only: comment screening looks at digit runs (phone
/// numbers), and titles and comment bodies carry the tag.
fn run_tag() -> String {
    gazette::secrets::random_token(4)
        .chars()
        .map(|c| match c {
            '0'..='9' => (b'g' + (c as u8 - b'0')) as char,
            other => other,
        })
        .collect()
}
