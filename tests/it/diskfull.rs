//! A full disk under the data directory (a small tmpfs mounted for the test): writes are
//! refused with a clear answer (507, "storage full"), reads go on, nothing already stored is
//! damaged, and writing works again once space is freed. Needs root to mount; CI runs as root.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use gazette::news::Role;
use gazette::store::{Db, DbOptions, migrate};
use sqlx::Row;

use crate::support::{Server, TempDir};

/// A tmpfs mounted for the test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(path: &Path, megabytes: u32) -> Mount {
        std::fs::create_dir_all(path).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success(), "mount -t tmpfs failed");
        Mount(path.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

/// Fills the file system holding `dir` to the last byte.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    for chunk in [1 << 20, 64 << 10, 4 << 10, 512, 1] {
        let bytes = vec![0u8; chunk];
        while file.write_all(&bytes).is_ok() {}
        let _ = file.flush();
    }
    path
}

async fn create(http: &reqwest::Client, base: &str, token: &str, title: &str, body: &str) -> (u16, String) {
    let answer = http
        .post(format!("{base}/api/v1/articles"))
        .bearer_auth(token)
        .json(&serde_json::json!({"title": title, "section": "economie", "status": "published", "body_markdown": body}))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_clearly_and_damages_nothing() {
    if !is_root() {
        eprintln!("diskfull: skipped, mounting a tmpfs needs root (CI runs as root)");
        return;
    }
    let dir = TempDir::new("diskfull");
    let data = dir.path().join("data");
    let _mount = Mount::tmpfs(&data, 40);
    let url = format!("sqlite://{}/gazette.db", data.display());
    let db = Db::connect(&DbOptions { url: url.clone(), max_connections: 4, connect_timeout: Duration::from_secs(5) })
        .await
        .unwrap();
    migrate::run(&db).await.unwrap();
    gazette::demo::load(&db, &data.join("media")).await.unwrap();
    let token = gazette::secrets::random_token(16);
    let mut tx = db.begin().await.unwrap();
    let user = gazette::store::users::insert(
        &mut tx,
        &gazette::store::users::NewUser {
            email: "plein@example.ma",
            name: "Disque plein",
            role: Role::Editor,
            password_hash: None,
            bio: "",
        },
    )
    .await
    .unwrap();
    gazette::store::api_tokens::insert(&mut tx, user.id, "test", &gazette::secrets::hash_token(&token), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("delete from jobs").execute(db.writer()).await.unwrap();
    db.close().await;

    let data_dir = data.display().to_string();
    let server = Server::start_with_env(
        dir.path(),
        &url,
        &[],
        &[("GAZETTE_STORAGE_DATA_DIR", data_dir.as_str()), ("GAZETTE_LOG_LEVEL", "warn")],
    )
    .await;
    let base = server.url("");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut stored = Vec::new();
    for n in 0..3 {
        let title = format!("Avant la saturation {n}");
        let (status, body) = create(&http, &base, &token, &title, "Texte court.").await;
        assert_eq!(status, 201, "{body}");
        stored.push(title);
    }
    let front_before = http.get(server.url("/")).send().await.unwrap().text().await.unwrap();

    // The disk fills up.
    let filler = fill(&data);
    let long_body = "Un paragraphe de dépêche qui prend de la place. ".repeat(4000);
    let mut refused = 0;
    for n in 0..30 {
        let title = format!("Pendant la saturation {n}");
        let (status, body) = create(&http, &base, &token, &title, &long_body).await;
        match status {
            201 => stored.push(title),
            507 => {
                refused += 1;
                let error: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(error["error"]["code"], "storage_full", "{body}");
            }
            other => {
                let (_, _, log) = server.terminate();
                panic!("a write on a full disk answered {other}: {body}\n{log}");
            }
        }
        if refused >= 3 {
            break;
        }
    }
    assert!(refused >= 3, "the full disk refused no write");
    // Readers still get the site.
    let front = http.get(server.url("/")).send().await.unwrap();
    assert_eq!(front.status(), 200);
    assert!(!front_before.is_empty());
    let article = {
        let connection =
            Db::connect(&DbOptions { url: url.clone(), max_connections: 1, connect_timeout: Duration::from_secs(5) })
                .await
                .unwrap();
        let article = crate::support::first_published_article(&connection).await.path();
        connection.close().await;
        article
    };
    let page = http.get(server.url(&article)).send().await.unwrap();
    assert_eq!(page.status(), 200, "an article is read on a full disk");

    // Space comes back: writing works again without a restart.
    std::fs::remove_file(&filler).unwrap();
    let (status, body) = create(&http, &base, &token, "Après la saturation", &long_body).await;
    assert_eq!(status, 201, "{body}");
    stored.push("Après la saturation".into());
    drop(server);

    // Nothing stored was damaged, nothing acknowledged is missing.
    use sqlx::Connection;
    let mut fresh = sqlx::AnyConnection::connect(&url).await.unwrap();
    let check: String = sqlx::query("pragma integrity_check").fetch_one(&mut fresh).await.unwrap().get(0);
    assert_eq!(check, "ok");
    for title in &stored {
        let n: i64 = sqlx::query("select count(*) as n from articles where title = $1")
            .bind(title.clone())
            .fetch_one(&mut fresh)
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, 1, "{title}");
    }
    fresh.close().await.unwrap();
}
