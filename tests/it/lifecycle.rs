//! The real binary's life: first start, users, graceful stop, kill -9 with a queued job,
//! backup and restore, on SQLite and (when configured) PostgreSQL.

use std::time::Duration;

use crate::support::{EngineChoice, Server, TempDir, TestDatabase, run_gazette};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_creates_the_data_directory_and_says_what_to_do() {
    let dir = TempDir::new("life");
    let server = Server::start(dir.path(), "", &["--demo"]).await;
    assert!(dir.path().join("gazette-data/gazette.db").exists());
    assert!(dir.path().join("gazette-data/media").is_dir());
    let front = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(front.status(), 200);
    assert!(front.text().await.unwrap().contains("La Gazette"));
    let (status, out, _) = server.terminate();
    assert!(status.success(), "graceful stop exits 0: {status:?}");
    assert!(out.contains("Gazette is serving http://127.0.0.1:"), "{out}");
    assert!(out.contains("gazette user add --email"), "it says how to create the first admin: {out}");
    assert!(out.contains("loaded the demo content: 189 articles"), "{out}");
    assert!(out.contains("Gazette stopped"), "{out}");

    // The demo loads once: a second start finds it and adds nothing.
    let again = run_gazette(dir.path(), &["demo"], &[]);
    assert!(stdout(&again).contains("already loaded"), "{}", stdout(&again));
}

async fn users_from_the_command_line(choice: EngineChoice) {
    let Some(database) = TestDatabase::new(choice).await else { return };
    let dir = database.dir.path();
    let url = database.url.as_str();
    let add = run_gazette(
        dir,
        &["user", "add", "--email", "Rim@Example.MA", "--name", "Rim Alaoui", "--role", "admin", "--database-url", url],
        &[],
    );
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let out = stdout(&add);
    assert!(out.contains("created rim@example.ma"), "{out}");
    let password = out.lines().find_map(|l| l.strip_prefix("password: ")).unwrap().to_string();
    assert_eq!(password.len(), 23, "a generated password is printed once");

    let twice = run_gazette(
        dir,
        &["user", "add", "--email", "rim@example.ma", "--name", "R", "--role", "editor", "--database-url", url],
        &[],
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already exists"));

    let list = stdout(&run_gazette(dir, &["user", "list", "--database-url", url], &[]));
    assert!(list.contains("rim@example.ma\tadmin\tactive\tRim Alaoui"), "{list}");

    // A lost phone: the operator turns the second factor off.
    let off = ["user", "second-factor-off", "--email", "rim@example.ma", "--database-url", url];
    let none = run_gazette(dir, &off, &[]);
    assert_eq!(none.status.code(), Some(2), "no second factor to turn off");
    assert!(String::from_utf8_lossy(&none.stderr).contains("has no second factor"));
    let db = gazette::store::Db::connect(&gazette::store::DbOptions {
        url: url.to_string(),
        max_connections: 2,
        connect_timeout: Duration::from_secs(5),
    })
    .await
    .unwrap();
    let secret = gazette::secrets::totp::new_secret();
    sqlx::query("update users set totp_secret = $1 where email = 'rim@example.ma'")
        .bind(secret)
        .execute(db.writer())
        .await
        .unwrap();
    let done = run_gazette(dir, &off, &[]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let id = gazette::store::users::by_email(&db, "rim@example.ma").await.unwrap().unwrap().id;
    assert_eq!(gazette::store::users::totp_secret(&db, id).await.unwrap(), None);
    db.close().await;

    let disable = run_gazette(dir, &["user", "disable", "--email", "rim@example.ma", "--database-url", url], &[]);
    assert!(disable.status.success());
    let list = stdout(&run_gazette(dir, &["user", "list", "--database-url", url], &[]));
    assert!(list.contains("rim@example.ma\tadmin\tdisabled"), "{list}");
    let check = run_gazette(dir, &["check", "--database-url", url], &[]);
    assert!(stdout(&check).contains("no administrator"), "{}", stdout(&check));
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_from_the_command_line_sqlite() {
    users_from_the_command_line(EngineChoice::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
async fn users_from_the_command_line_postgres() {
    users_from_the_command_line(EngineChoice::Postgres).await;
}

#[test]
fn piped_password_is_used_and_short_ones_refused() {
    use std::io::Write as _;
    let dir = TempDir::new("life");
    let run = |password: &str| {
        let mut child = std::process::Command::new(crate::support::gazette_bin())
            .current_dir(dir.path())
            .args(["user", "add", "--email", "p@example.ma", "--name", "P", "--role", "editor"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let short = run("court\n");
    assert_eq!(short.status.code(), Some(2));
    let ok = run("un mot de passe assez long\n");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(!stdout(&ok).contains("password:"), "a piped password is not echoed");
}

/// A job enqueued with a write survives `kill -9` and runs after the restart.
async fn queued_job_survives_kill_9(choice: EngineChoice) {
    let Some(database) = TestDatabase::new(choice).await else { return };
    let dir = database.dir.path();
    let url = database.url.as_str();
    let mut server = Server::start(dir, url, &["--demo"]).await;
    assert!(
        run_gazette(
            dir,
            &["user", "add", "--email", "ed@example.ma", "--name", "Ed", "--role", "editor", "--database-url", url],
            &[]
        )
        .status
        .success()
    );
    let token_out = run_gazette(dir, &["user", "token", "--email", "ed@example.ma", "--database-url", url], &[]);
    let token = stdout(&token_out).trim().to_string();
    assert_eq!(token.len(), 48);

    let publish_at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let client = reqwest::Client::new();
    let created = client
        .post(server.url("/api/v1/articles"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"title": "Survit au crash", "section": "actualite", "status": "scheduled", "publish_at": publish_at.to_rfc3339()}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
    server.kill_hard();

    // The publication time passes while no server runs.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let server = Server::start(dir, url, &[]).await;
    let mut published = false;
    for _ in 0..100 {
        let r = client.get(server.url(&format!("/api/v1/articles/{id}"))).send().await.unwrap();
        if r.status() == 200 {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(published, "the overdue job ran after the restart");
    drop(server);
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_job_survives_kill_9_sqlite() {
    queued_job_survives_kill_9(EngineChoice::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
async fn queued_job_survives_kill_9_postgres() {
    queued_job_survives_kill_9(EngineChoice::Postgres).await;
}

/// Backup while serving, then restore into an empty place: the same content comes back.
async fn backup_and_restore(choice: EngineChoice) {
    let Some(database) = TestDatabase::new(choice).await else { return };
    let dir = database.dir.path();
    let url = database.url.as_str();
    let server = Server::start(dir, url, &["--demo"]).await;
    let archive = dir.join("copy.tar");
    let backup = run_gazette(dir, &["backup", "--to", archive.to_str().unwrap(), "--database-url", url], &[]);
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&archive).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup is readable by its owner only: {mode:o}");
    // 18 pictures, plus the variants the server's jobs made so far.
    let out = stdout(&backup);
    let media_count: usize =
        out.split(" and ").nth(1).and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok()).unwrap();
    assert!(media_count >= 18, "{out}");
    let before = article_identities(&server).await;
    drop(server);

    // Restoring over existing data is refused.
    let refused = run_gazette(dir, &["restore", archive.to_str().unwrap(), "--database-url", url], &[]);
    assert_eq!(refused.status.code(), Some(1));

    let Some(target) = TestDatabase::new(choice).await else { return };
    let target_dir = target.dir.path();
    let restore = run_gazette(target_dir, &["restore", archive.to_str().unwrap(), "--database-url", &target.url], &[]);
    assert!(restore.status.success(), "{}", String::from_utf8_lossy(&restore.stderr));
    let restored_files = count_files(&target_dir.join("gazette-data/media"));
    assert_eq!(restored_files, media_count, "every media file came back");
    let restored = Server::start(target_dir, &target.url, &[]).await;
    assert_eq!(article_identities(&restored).await, before, "the same articles, titles and addresses");
    let check = run_gazette(target_dir, &["check", "--database-url", &target.url], &[]);
    assert!(check.status.success(), "{}", stdout(&check));
    drop(restored);
    database.drop_database().await;
    target.drop_database().await;
}

/// (id, title, section, slug, reads) of the first 100 published articles.
async fn article_identities(server: &Server) -> Vec<(i64, String, String, String, i64)> {
    let list: serde_json::Value =
        reqwest::get(server.url("/api/v1/articles?per_page=100")).await.unwrap().json().await.unwrap();
    let mut out = Vec::new();
    for item in list["items"].as_array().unwrap() {
        let id = item["id"].as_i64().unwrap();
        let full: serde_json::Value =
            reqwest::get(server.url(&format!("/api/v1/articles/{id}"))).await.unwrap().json().await.unwrap();
        out.push((
            id,
            item["title"].as_str().unwrap().to_string(),
            item["section_slug"].as_str().unwrap().to_string(),
            item["slug"].as_str().unwrap().to_string(),
            full["reads"].as_i64().unwrap(),
        ));
    }
    out
}

fn count_files(dir: &std::path::Path) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            count += count_files(&entry.path());
        } else {
            count += 1;
        }
    }
    count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_sqlite() {
    backup_and_restore(EngineChoice::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
async fn backup_and_restore_postgres() {
    backup_and_restore(EngineChoice::Postgres).await;
}

/// Reads buffered in memory are written when the server is stopped gracefully.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_writes_the_buffered_reads() {
    let dir = TempDir::new("life");
    // A flush interval longer than the test: only the stop can write the counts.
    let env = [("GAZETTE_COUNTERS_FLUSH_INTERVAL_MS", "600000")];
    let server = Server::start_with_env(dir.path(), "", &["--demo"], &env).await;
    let client = reqwest::Client::builder().user_agent("Mozilla/5.0 Firefox/140.0").build().unwrap();
    let list: serde_json::Value =
        client.get(server.url("/api/v1/articles?per_page=1&lang=fr")).send().await.unwrap().json().await.unwrap();
    let item = &list["items"][0];
    let (id, path) = (
        item["id"].as_i64().unwrap(),
        format!("/{}/{}", item["section_slug"].as_str().unwrap(), item["slug"].as_str().unwrap()),
    );
    let before: serde_json::Value =
        client.get(server.url(&format!("/api/v1/articles/{id}"))).send().await.unwrap().json().await.unwrap();
    for _ in 0..5 {
        assert_eq!(client.get(server.url(&path)).send().await.unwrap().status(), 200);
    }
    let (status, _, _) = server.terminate();
    assert!(status.success());
    let server = Server::start_with_env(dir.path(), "", &[], &env).await;
    let after: serde_json::Value =
        client.get(server.url(&format!("/api/v1/articles/{id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        after["reads"].as_i64().unwrap(),
        before["reads"].as_i64().unwrap() + 5,
        "no read lost on a graceful stop"
    );
}

/// A graceful stop closes idle connections at once and answers the request a connection is in
/// the middle of sending before closing it; the server then exits without waiting out the grace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_answers_the_request_in_flight_and_closes_idle_connections() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = TempDir::new("life");
    let env = [("GAZETTE_SERVER_SHUTDOWN_GRACE_SECONDS", "60"), ("GAZETTE_SERVER_CONNECTION_THREADS", "2")];
    let mut server = Server::start_with_env(dir.path(), "", &[], &env).await;
    let address = format!("127.0.0.1:{}", server.port);
    let mut idle = tokio::net::TcpStream::connect(&address).await.unwrap();
    let mut busy = tokio::net::TcpStream::connect(&address).await.unwrap();
    busy.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let stopping = std::time::Instant::now();
    let killed = std::process::Command::new("kill").arg("-TERM").arg(server.child.id().to_string()).status();
    assert!(killed.unwrap().success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    busy.write_all(b"\r\n").await.unwrap();
    let mut answer = String::new();
    let read = tokio::time::timeout(Duration::from_secs(10), busy.read_to_string(&mut answer)).await;
    assert!(read.is_ok(), "the connection with a request in flight was not closed after its answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "the request in flight was answered: {answer:?}");

    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), idle.read_to_end(&mut rest)).await;
    assert!(matches!(closed, Ok(Ok(0))), "the idle connection was closed without an answer: {closed:?}");

    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(stopping.elapsed() < Duration::from_secs(30), "the server waited for the grace period");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");
}

/// Slow clients cannot hold connections: a connection that sends nothing, headers trickled a
/// line at a time and a kept-alive connection left idle are closed after the header timeout; a
/// form body trickled a byte at a time is answered 408 and closed after the body timeout; a
/// large body sent at a normal pace is read whole; readers meanwhile are served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_others_served() {
    use std::time::Instant;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    let dir = TempDir::new("life");
    let env = [("GAZETTE_SERVER_HEADER_TIMEOUT_SECONDS", "1"), ("GAZETTE_SERVER_BODY_TIMEOUT_SECONDS", "1")];
    let server = Server::start_with_env(dir.path(), "", &[], &env).await;
    let address = format!("127.0.0.1:{}", server.port);
    // How long `stream`, opened at `started`, stays open, writing `trickle` every 200 ms
    // meanwhile, and what the server answered. (From the opening: the server's clock starts
    // when it accepts, just after.)
    async fn held(mut stream: TcpStream, started: Instant, trickle: &'static [u8]) -> (Duration, String) {
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        while started.elapsed() < Duration::from_secs(10) {
            if !trickle.is_empty() && stream.write_all(trickle).await.is_err() {
                break;
            }
            match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => answer.extend_from_slice(&buffer[..n]),
                Err(_) => {}
            }
        }
        (started.elapsed(), String::from_utf8_lossy(&answer).into_owned())
    }

    let opened = Instant::now();
    let silent = TcpStream::connect(&address).await.unwrap();
    let mut headers = TcpStream::connect(&address).await.unwrap();
    headers.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    let mut body = TcpStream::connect(&address).await.unwrap();
    body.write_all(
        b"POST /redaction/connexion HTTP/1.1\r\nHost: 127.0.0.1\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n",
    )
    .await
    .unwrap();
    let mut kept = TcpStream::connect(&address).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let slow = tokio::spawn(async move {
        tokio::join!(
            held(silent, opened, b""),
            held(headers, opened, b"X-A: b\r\n"),
            held(body, opened, b"a"),
            held(kept, opened, b"")
        )
    });

    // Meanwhile a reader is served, and a large form sent at a normal pace is read whole.
    let http = reqwest::Client::new();
    for _ in 0..5 {
        assert_eq!(http.get(server.url("/")).send().await.unwrap().status(), 200);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let large = format!("csrf=x&email=a%40b.ma&password={}", "p".repeat(400_000));
    let posted = http
        .post(server.url("/redaction/connexion"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(large)
        .send()
        .await
        .unwrap();
    assert_ne!(posted.status(), 408, "a large body at a normal pace is not cut off");

    let (silent, headers, body, kept) = slow.await.unwrap();
    let second = Duration::from_secs(1);
    for (what, (took, _)) in [("silent", &silent), ("trickled headers", &headers), ("idle kept-alive", &kept)] {
        assert!(*took >= second && *took < Duration::from_secs(5), "{what} connection held {took:?}");
    }
    assert!(headers.1.is_empty() || headers.1.starts_with("HTTP/1.1 408"), "{}", headers.1);
    assert!(kept.1.starts_with("HTTP/1.1 200"), "{}", kept.1);
    let (took, answer) = body;
    assert!(took >= second && took < Duration::from_secs(5), "trickled body held {took:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
}

/// A backup taken while the desk keeps publishing: the copy is consistent and complete up to
/// its moment — every article acknowledged before the backup began is in it, none answered after
/// it ended, and what it holds of the articles written meanwhile is a prefix of them (one
/// snapshot, not a mix), each with its revision and counters.
async fn backup_under_load(choice: EngineChoice) {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    let Some(database) = TestDatabase::new(choice).await else { return };
    let dir = database.dir.path();
    let url = database.url.clone();
    let server = Server::start(dir, &url, &["--demo"]).await;
    let added = run_gazette(
        dir,
        &[
            "user",
            "add",
            "--email",
            "charge@example.ma",
            "--name",
            "Charge",
            "--role",
            "editor",
            "--database-url",
            &url,
        ],
        &[],
    );
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let token =
        stdout(&run_gazette(dir, &["user", "token", "--email", "charge@example.ma", "--database-url", &url], &[]))
            .trim()
            .to_string();
    assert!(!token.is_empty());

    // One writer, in order: article n is answered before article n+1 is sent.
    let acknowledged: Arc<Mutex<Vec<(u64, Instant)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (acknowledged, stop, base) = (acknowledged.clone(), stop.clone(), server.url(""));
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                n += 1;
                let answer = http
                    .post(format!("{base}/api/v1/articles"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"title": format!("Charge {n}"), "section": "economie", "status": "published", "body_markdown": "Texte."}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status(), 201, "{}", answer.text().await.unwrap_or_default());
                acknowledged.lock().unwrap().push((n, Instant::now()));
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    let archive = dir.join("copy.tar");
    let started = Instant::now();
    let backup = {
        let (dir, archive, url) = (dir.to_path_buf(), archive.clone(), url.clone());
        tokio::task::spawn_blocking(move || {
            run_gazette(&dir, &["backup", "--to", archive.to_str().unwrap(), "--database-url", &url], &[])
        })
        .await
        .unwrap()
    };
    let ended = Instant::now();
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.await.unwrap();
    drop(server);
    let acknowledged = acknowledged.lock().unwrap().clone();
    let before: Vec<u64> = acknowledged.iter().filter(|(_, at)| *at < started).map(|(n, _)| *n).collect();
    let after: Vec<u64> = acknowledged.iter().filter(|(_, at)| *at > ended).map(|(n, _)| *n).collect();
    assert!(!before.is_empty() && !after.is_empty(), "writes ran before and after the backup");

    let Some(target) = TestDatabase::new(choice).await else { return };
    let restore =
        run_gazette(target.dir.path(), &["restore", archive.to_str().unwrap(), "--database-url", &target.url], &[]);
    assert!(restore.status.success(), "{}", String::from_utf8_lossy(&restore.stderr));
    let db = gazette::store::Db::connect(&gazette::store::DbOptions {
        url: target.url.clone(),
        max_connections: 2,
        connect_timeout: Duration::from_secs(5),
    })
    .await
    .unwrap();
    use sqlx::Row;
    let rows = sqlx::query(
        "select a.title, (select count(*) from article_revisions r where r.article_id = a.id) as revisions, \
             (select count(*) from article_stats s where s.article_id = a.id) as stats \
         from articles a where a.title like 'Charge %'",
    )
    .fetch_all(db.reader())
    .await
    .unwrap();
    let mut restored: Vec<u64> = Vec::new();
    for row in &rows {
        let title: String = row.get("title");
        assert_eq!(row.get::<i64, _>("revisions"), 1, "{title} came back without its revision");
        assert_eq!(row.get::<i64, _>("stats"), 1, "{title} came back without its counters");
        restored.push(title.trim_start_matches("Charge ").parse().unwrap());
    }
    restored.sort_unstable();
    let expected_prefix: Vec<u64> = (1..=restored.len() as u64).collect();
    assert_eq!(restored, expected_prefix, "the copy holds one moment: a prefix of the writes");
    for n in &before {
        assert!(restored.contains(n), "Charge {n} was acknowledged before the backup began and is missing");
    }
    for n in &after {
        assert!(!restored.contains(n), "Charge {n} was answered after the backup ended and is in it");
    }
    assert!(db.integrity_problems().await.unwrap().is_empty());
    db.close().await;
    database.drop_database().await;
    target.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_under_load_sqlite() {
    backup_under_load(EngineChoice::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
async fn backup_under_load_postgres() {
    backup_under_load(EngineChoice::Postgres).await;
}
