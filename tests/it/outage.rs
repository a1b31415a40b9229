//! Database loss: PostgreSQL goes away under load (every connection cut, new ones refused, by
//! a TCP proxy between Gazette and the server), then comes back. Meanwhile Gazette answers
//! writes with a clear 503, serves the pages it has, and recovers by itself; nothing that was
//! acknowledged is lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use std::time::{Duration, Instant};

use gazette::news::Role;
use sqlx::Row;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

use crate::support::{EngineChoice, Server, TempDir, TestApp};

/// A TCP proxy that can stop as a database server stops: its open connections are cut and its
/// port refuses new ones until it comes back.
struct Proxy {
    port: u16,
    upstream: String,
    listening: Mutex<Option<tokio::task::JoinHandle<()>>>,
    links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Proxy { port, upstream, listening: Mutex::new(None), links: Arc::default() };
        proxy.serve(listener).await;
        proxy
    }

    async fn serve(&self, listener: TcpListener) {
        let (upstream, links) = (self.upstream.clone(), self.links.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                links.lock().await.push(link);
            }
        });
        *self.listening.lock().await = Some(task);
    }

    /// The database stops: the port closes, open connections die.
    async fn cut(&self) {
        if let Some(task) = self.listening.lock().await.take() {
            task.abort();
            let _ = task.await;
        }
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    /// The database is back, on the same port.
    async fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener).await;
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

const PROBE: &str = "outage-test-probe bot";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
async fn postgresql_stopped_under_load() {
    let Some(app) = TestApp::new(EngineChoice::Postgres).await else { return };
    app.with_demo().await;
    sqlx::query("delete from jobs").execute(app.db().writer()).await.unwrap();
    let editor = app.staff_token("outage-editor@example.ma", Role::Editor).await;
    let article = crate::support::first_published_article(app.db()).await.path();

    // Gazette reaches PostgreSQL through the proxy only.
    let proxy = Proxy::start("127.0.0.1:5432".into()).await;
    let url = app.database.url.replacen("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port), 1);
    assert_ne!(url, app.database.url, "the test database runs on 127.0.0.1:5432");
    let dir = TempDir::new("outage");
    let media = app.state.config().media_dir().display().to_string();
    let server = Server::start_with_env(
        dir.path(),
        &url,
        &[],
        &[
            ("GAZETTE_DATABASE_CONNECT_TIMEOUT_SECONDS", "1"),
            ("GAZETTE_STORAGE_MEDIA_DIR", media.as_str()),
            ("GAZETTE_LOG_LEVEL", "warn"),
        ],
    )
    .await;
    let http = client();
    // Wait until the node listens for changes (its cache serves only then), then warm it.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for path in ["/", article.as_str()] {
            let page = http.get(server.url(path)).header("user-agent", PROBE).send().await.unwrap();
            assert_eq!(page.status(), 200);
        }
        let metrics = http.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
        let hits = metrics
            .lines()
            .find(|l| l.starts_with("gazette_page_cache_hits_total"))
            .and_then(|l| l.split_whitespace().last())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        if hits > 0.0 {
            break;
        }
        assert!(Instant::now() < deadline, "the page cache never served: {metrics}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Load: readers on the article and the front page, a desk publishing through the API.
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let failed_reads = Arc::new(AtomicU64::new(0));
    let acknowledged: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let mut load = Vec::new();
    for worker in 0..3 {
        let (stop, served, failed_reads, acknowledged) =
            (stop.clone(), served.clone(), failed_reads.clone(), acknowledged.clone());
        let (base, article, editor) = (server.url(""), article.clone(), editor.clone());
        load.push(tokio::spawn(async move {
            let http = client();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                if worker == 2 {
                    let title = format!("Dépêche {n} de la panne");
                    let answer = http
                        .post(format!("{base}/api/v1/articles"))
                        .bearer_auth(&editor)
                        .json(&serde_json::json!({"title": title, "section": "economie", "status": "published", "body_markdown": "Texte."}))
                        .send()
                        .await;
                    if let Ok(answer) = answer
                        && answer.status() == 201
                    {
                        acknowledged.lock().unwrap().push(title);
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                } else {
                    let path = if worker == 0 { article.as_str() } else { "/" };
                    match http.get(format!("{base}{path}")).header("user-agent", PROBE).send().await {
                        Ok(r) if r.status() == 200 => served.fetch_add(1, Ordering::Relaxed),
                        _ => failed_reads.fetch_add(1, Ordering::Relaxed),
                    };
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;

    // The database stops.
    proxy.cut().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reads_before = served.load(Ordering::Relaxed);
    let failed_before = failed_reads.load(Ordering::Relaxed);
    // Writes: a clear 503, as JSON for the API and as a page for readers, with Retry-After.
    let write = http
        .post(server.url("/api/v1/articles"))
        .bearer_auth(&editor)
        .json(&serde_json::json!({"title": "Pendant la panne", "section": "economie", "body_markdown": "x"}))
        .send()
        .await;
    let write = match write {
        Ok(w) => w,
        Err(e) => {
            let (_, _, stderr) = server.terminate();
            panic!("write: {e}: {stderr}");
        }
    };
    if write.status() != 503 {
        let (_, _, stderr) = server.terminate();
        panic!("expected 503, got {}: {stderr}", write.status());
    }
    let body: serde_json::Value = write.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let comment = http
        .post(server.url(&format!("{article}/commentaires")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", PROBE)
        .body("token=x&name=A&email=a%40example.org&body=Bonjour")
        .send()
        .await;
    let comment = match comment {
        Ok(c) => c,
        Err(e) => {
            let (_, _, stderr) = server.terminate();
            panic!("comment: {e}: {stderr}");
        }
    };
    if comment.status() != 503 {
        let (_, _, stderr) = server.terminate();
        panic!("comment: expected 503, got {}: {stderr}", comment.status());
    }
    assert!(comment.headers().get("retry-after").is_some(), "a 503 says when to retry");
    let page = comment.text().await.unwrap();
    assert!(page.contains("<html") && page.contains("503"), "readers get an HTML page: {page}");
    // Reads: the pages the node has are still served, during the whole outage.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let asked = Instant::now();
    let cached = match http.get(server.url(&article)).header("user-agent", PROBE).send().await {
        Ok(c) => c,
        Err(e) => {
            let (_, _, stderr) = server.terminate();
            panic!("cached read after {:?}: {e}: {stderr}", asked.elapsed());
        }
    };
    assert_eq!(cached.status(), 200, "the article is served from memory while the database is away");
    assert!(served.load(Ordering::Relaxed) > reads_before + 10, "readers kept being served");
    let failed_during = failed_reads.load(Ordering::Relaxed) - failed_before;
    assert_eq!(failed_during, 0, "no reader of a page in memory got an error");

    // The database comes back: Gazette recovers by itself.
    proxy.restore().await;
    let back = Instant::now();
    let mut published = None;
    while published.is_none() {
        assert!(back.elapsed() < Duration::from_secs(20), "writes did not come back within 20 s");
        let answer = http
            .post(server.url("/api/v1/articles"))
            .bearer_auth(&editor)
            .json(&serde_json::json!({"title": "Après la panne, le retour", "section": "economie", "status": "published", "body_markdown": "x"}))
            .send()
            .await
            .unwrap();
        if answer.status() == 201 {
            published = Some(answer.json::<serde_json::Value>().await.unwrap());
        } else {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    // The front page shows what was published after the return (the cache listens again).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let front = http.get(server.url("/")).header("user-agent", PROBE).send().await.unwrap().text().await.unwrap();
        if front.contains("Après la panne, le retour") {
            break;
        }
        assert!(Instant::now() < deadline, "the front page never showed the new article");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }
    // Nothing acknowledged is lost.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(!acknowledged.is_empty(), "articles were published before the outage");
    for title in acknowledged {
        let n: i64 = sqlx::query("select count(*) as n from articles where title = $1")
            .bind(title.clone())
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, 1, "acknowledged article lost: {title}");
    }
    assert!(published.is_some());
    drop(server);
    app.cleanup().await;
}
