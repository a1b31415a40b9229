//! Test helpers: fresh databases on both engines, the app and its router, a request helper,
//! and a way to run the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gazette::app::AppState;
use gazette::config::Config;
use gazette::store::{Db, DbOptions, migrate};
use tower::ServiceExt;

/// Generates one test per engine from `async fn name(app: TestApp)`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::support::TestApp::new($crate::support::EngineChoice::Sqlite).await.unwrap();
                    super::$name(app.clone_handle()).await;
                    app.cleanup().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
                async fn postgres() {
                    let Some(app) = $crate::support::TestApp::new($crate::support::EngineChoice::Postgres).await else {
                        return;
                    };
                    super::$name(app.clone_handle()).await;
                    app.cleanup().await;
                }
            }
        )*
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineChoice {
    Sqlite,
    Postgres,
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "gazette-{label}-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            gazette::secrets::random_token(3)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL server for tests, when configured.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("GAZETTE_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// A database URL ready for a test: a temp SQLite file, or a fresh PostgreSQL database.
pub struct TestDatabase {
    pub url: String,
    pg_name: Option<String>,
    pub dir: TempDir,
}

impl TestDatabase {
    /// Which engine this database runs on.
    pub fn choice(&self) -> EngineChoice {
        if self.pg_name.is_some() { EngineChoice::Postgres } else { EngineChoice::Sqlite }
    }

    pub async fn new(choice: EngineChoice) -> Option<TestDatabase> {
        let dir = TempDir::new("db");
        match choice {
            EngineChoice::Sqlite => {
                Some(TestDatabase { url: format!("sqlite://{}/gazette.db", dir.path().display()), pg_name: None, dir })
            }
            EngineChoice::Postgres => {
                let Some(admin) = postgres_admin_url() else {
                    eprintln!("GAZETTE_TEST_POSTGRES_URL is not set: the PostgreSQL variant does not run here");
                    return None;
                };
                let name = format!(
                    "gz_t_{}_{}",
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(),
                    gazette::secrets::random_token(5)
                );
                let admin_db = admin_pool(&admin).await;
                sweep_old_databases(&admin_db).await;
                sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
                    .execute(&admin_db)
                    .await
                    .expect("cannot create a test database on GAZETTE_TEST_POSTGRES_URL");
                admin_db.close().await;
                Some(TestDatabase { url: replace_db_name(&admin, &name), pg_name: Some(name), dir })
            }
        }
    }

    pub async fn drop_database(&self) {
        if let (Some(name), Some(admin)) = (&self.pg_name, postgres_admin_url()) {
            let admin_db = admin_pool(&admin).await;
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("drop database if exists {name} with (force)")))
                .execute(&admin_db)
                .await;
            admin_db.close().await;
        }
    }
}

async fn admin_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("cannot reach GAZETTE_TEST_POSTGRES_URL")
}

/// Drops test databases left by crashed runs more than an hour ago.
async fn sweep_old_databases(admin: &sqlx::AnyPool) {
    use sqlx::Row;
    let cutoff = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() - 3600;
    let rows = sqlx::query("select datname::text as name from pg_database where datname like 'gz_t_%'")
        .fetch_all(admin)
        .await
        .unwrap_or_default();
    for row in rows {
        let name: String = row.get("name");
        let secs: u64 = name.split('_').nth(2).and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
        if secs < cutoff {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("drop database if exists {name} with (force)")))
                .execute(admin)
                .await;
        }
    }
}

/// The same URL with another database name.
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > base.find("://").map(|p| p + 2).unwrap_or(0) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// A configuration for tests: everything under the test's directory.
pub fn test_config(database_url: &str, data_dir: &Path) -> Config {
    let mut config = Config::default();
    config.database.url = database_url.to_string();
    config.storage.data_dir = data_dir.display().to_string();
    config.jobs.poll_interval_ms = 50;
    config.jobs.lease_seconds = 5;
    config
}

/// The application on a fresh, migrated database, and its router.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub database: std::sync::Arc<TestDatabase>,
}

impl TestApp {
    pub async fn new(choice: EngineChoice) -> Option<TestApp> {
        TestApp::new_with(choice, |_| {}).await
    }

    /// The app with a configuration changed by `tweak` (a theme folder, limits, ...).
    pub async fn new_with(choice: EngineChoice, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        // Errors the app logs show in a failing test's output.
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("gazette=warn").try_init();
        let database = TestDatabase::new(choice).await?;
        let mut config = test_config(&database.url, &database.dir.path().join("data"));
        tweak(&mut config);
        let db = Db::connect(&DbOptions {
            url: database.url.clone(),
            max_connections: 8,
            connect_timeout: std::time::Duration::from_secs(5),
        })
        .await
        .unwrap();
        migrate::run(&db).await.unwrap();
        let state = AppState::build(config, db).await.unwrap();
        let router = gazette::web::router(state.clone());
        Some(TestApp { state, router, database: std::sync::Arc::new(database) })
    }

    pub fn clone_handle(&self) -> TestApp {
        TestApp { state: self.state.clone(), router: self.router.clone(), database: self.database.clone() }
    }

    pub fn db(&self) -> &Db {
        self.state.db()
    }

    pub async fn cleanup(self) {
        self.state.db().close().await;
        self.database.drop_database().await;
    }

    /// Loads the demo newspaper.
    pub async fn with_demo(&self) {
        gazette::demo::load(self.db(), &self.state.config().media_dir()).await.unwrap();
        self.state.reload_site().await.unwrap();
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, path: &str, json: &serde_json::Value, token: Option<&str>) -> TestResponse {
        let mut builder = Request::post(path).header("content-type", "application/json");
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        self.request(builder.body(Body::from(json.to_string())).unwrap()).await
    }

    /// Creates a staff account with an API token; returns the token.
    pub async fn staff_token(&self, email: &str, role: gazette::news::Role) -> String {
        let mut tx = self.db().begin().await.unwrap();
        let user = gazette::store::users::insert(
            &mut tx,
            &gazette::store::users::NewUser { email, name: email, role, password_hash: None, bio: "" },
        )
        .await
        .unwrap();
        let token = gazette::secrets::random_token(16);
        gazette::store::api_tokens::insert(&mut tx, user.id, "test", &gazette::secrets::hash_token(&token), None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        token
    }
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as it came, for binary or compressed answers.
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// An article readers see: the oldest published one.
pub struct PublishedArticle {
    pub id: i64,
    pub section: String,
    pub slug: String,
}

impl PublishedArticle {
    /// Its address on the site.
    pub fn path(&self) -> String {
        format!("/{}/{}", self.section, self.slug)
    }
}

/// The oldest published article of a database (the demo's, in most tests).
pub async fn first_published_article(db: &Db) -> PublishedArticle {
    use sqlx::Row;
    let row = sqlx::query(
        "select a.id, a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' order by a.id limit 1",
    )
    .fetch_one(db.reader())
    .await
    .expect("a published article");
    PublishedArticle { id: row.get("id"), section: row.get("section"), slug: row.get("slug") }
}

/// The `gazette` binary built for these tests.
pub fn gazette_bin() -> &'static str {
    env!("CARGO_BIN_EXE_gazette")
}

/// Runs `gazette` with arguments in `dir`, with a clean environment of Gazette variables.
pub fn run_gazette(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(gazette_bin());
    command.current_dir(dir).args(args).stdin(Stdio::null());
    for (key, _) in std::env::vars() {
        if key.starts_with("GAZETTE_") || key == "DATABASE_URL" {
            command.env_remove(key);
        }
    }
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `gazette serve`, killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub port: u16,
}

impl Server {
    /// Starts `gazette serve` in `dir` and waits until `/healthz` answers.
    pub async fn start(dir: &Path, database_url: &str, extra: &[&str]) -> Server {
        Server::start_with_env(dir, database_url, extra, &[]).await
    }

    /// Like `start`, with extra environment variables.
    pub async fn start_with_env(dir: &Path, database_url: &str, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut args = vec!["serve", "--listen", listen.as_str(), "--database-url", database_url];
        args.extend_from_slice(extra);
        let mut command = Command::new(gazette_bin());
        command.current_dir(dir).args(&args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        for (key, _) in std::env::vars() {
            if key.starts_with("GAZETTE_") || key == "DATABASE_URL" {
                command.env_remove(key);
            }
        }
        command.env("GAZETTE_JOBS_POLL_INTERVAL_MS", "50").env("GAZETTE_JOBS_LEASE_SECONDS", "3");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().unwrap();
        let server = Server { child, port };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(r) = client.get(server.url("/healthz")).send().await
                && r.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("gazette serve did not come up on port {port}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// SIGKILL: no chance to flush or finish anything.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then the exit status and what it printed.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String, String) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let output =
            std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap()).wait_with_output().unwrap();
        (
            output.status,
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small SMTP server for tests: accepts every message and keeps it. Real SMTP over TCP, so
/// the mailer is exercised as in production.
#[derive(Clone, Default)]
pub struct SmtpSink {
    pub port: u16,
    pub messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = SmtpSink { port: listener.local_addr().unwrap().port(), messages: Default::default() };
        let store = sink.messages.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.to_ascii_uppercase();
                        let reply: &[u8] = if verb.starts_with("EHLO") {
                            b"250-sink.test\r\n250 8BITMIME\r\n"
                        } else if verb.starts_with("DATA") {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            let mut message = String::new();
                            while let Ok(Some(data)) = lines.next_line().await {
                                if data == "." {
                                    break;
                                }
                                message.push_str(data.strip_prefix('.').unwrap_or(&data));
                                message.push('\n');
                            }
                            store.lock().unwrap().push(message);
                            b"250 queued\r\n"
                        } else if verb.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        sink
    }

    /// The messages received so far, with quoted-printable and base64 parts decoded (the
    /// decoded text of base64 parts is appended, so headers stay as they were sent).
    pub fn received(&self) -> Vec<String> {
        self.messages.lock().unwrap().iter().map(|m| decode_quoted_printable(&decode_base64_parts(m))).collect()
    }

    /// Waits until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        // Up to 30 s: mail jobs queue behind the demo's picture jobs on a busy machine.
        for _ in 0..600 {
            if self.messages.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.received()
    }
}

/// Undoes quoted-printable encoding (and base64 bodies, which lettre may choose).
pub fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "").replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends the decoded text of every base64 MIME part.
pub fn decode_base64_parts(message: &str) -> String {
    let mut out = message.to_string();
    let mut rest = message;
    while let Some(at) = rest.find("Content-Transfer-Encoding: base64") {
        let after = &rest[at..];
        let Some(body_start) = after.find("\n\n") else { break };
        let body: String =
            after[body_start + 2..].lines().take_while(|l| !l.is_empty() && !l.starts_with("--")).collect();
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&base64_decode(&body)));
        rest = &after[body_start + 2..];
    }
    out
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let Some(value) = ALPHABET.iter().position(|a| *a == byte) else { continue };
        buffer = (buffer << 6) | value as u32;
        bits += 6;
        if bits >= 8 {
            out.push(((buffer >> (bits - 8)) & 0xff) as u8);
            bits -= 8;
        }
    }
    out
}

/// The first `http://…/redaction/reinitialiser/…` link in a mail.
pub fn account_link(mail: &str) -> String {
    let start = mail.find("/redaction/reinitialiser/").expect("a reset link in the mail");
    let end = start + mail[start..].find(|c: char| c.is_whitespace()).unwrap_or(mail.len() - start);
    mail[start..end].to_string()
}

/// A logged-in member of staff for router tests: the cookie to send and the CSRF token.
#[derive(Clone, Debug)]
pub struct Login {
    pub cookie: String,
    pub csrf: String,
    pub user_id: i64,
}

impl TestApp {
    /// A section's id, through the store.
    pub async fn section_id(&self, slug: &str) -> i64 {
        gazette::store::sections::by_slug(self.db(), slug)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no section {slug}"))
            .id
    }

    /// An article as the newsroom edits it, through the store.
    pub async fn editable(&self, id: i64) -> gazette::store::desk::EditableArticle {
        gazette::store::desk::editable(self.db(), id).await.unwrap().unwrap_or_else(|| panic!("no article {id}"))
    }

    /// Approves comments as a moderator would (the real decision: audit, notifications, pages
    /// refreshed), through a moderator account made for it.
    pub async fn approve_comments(&self, ids: &[i64]) {
        let moderator = match gazette::store::users::by_email(self.db(), "approver@example.ma").await.unwrap() {
            Some(user) => user.id,
            None => self.staff_user("approver@example.ma", gazette::news::Role::Moderator, "approver password").await,
        };
        let decision = gazette::actions::comments::Decision::Approve;
        gazette::actions::comments::decide(&self.state, moderator, ids, &decision).await.unwrap();
    }

    /// Creates an account with a password.
    pub async fn staff_user(&self, email: &str, role: gazette::news::Role, password: &str) -> i64 {
        let mut tx = self.db().begin().await.unwrap();
        let hash = gazette::secrets::hash_password(password).unwrap();
        let user = gazette::store::users::insert(
            &mut tx,
            &gazette::store::users::NewUser {
                email,
                name: &format!("Staff {email}"),
                role,
                password_hash: Some(hash),
                bio: "",
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        user.id
    }

    /// Logs in through the real login form.
    pub async fn login(&self, email: &str, password: &str) -> Result<Login, TestResponse> {
        let page = self.get("/redaction/connexion").await;
        let login_cookie = set_cookie_value(&page, "gz_login").expect("the login page sets its cookie");
        let csrf = csrf_in(&page.body);
        let body = format!("csrf={csrf}&email={}&password={}&next=%2Fredaction", urlenc(email), urlenc(password));
        let response = self.post_login("/redaction/connexion", &login_cookie, body).await;
        self.session_from(response, email).await
    }

    /// Logs in through the second factor: the password, then `code` with the ticket the first
    /// step gave.
    pub async fn login_with_code(&self, email: &str, password: &str, code: &str) -> Result<Login, TestResponse> {
        let page = self.get("/redaction/connexion").await;
        let login_cookie = set_cookie_value(&page, "gz_login").expect("the login page sets its cookie");
        let csrf = csrf_in(&page.body);
        let body = format!("csrf={csrf}&email={}&password={}&next=%2Fredaction", urlenc(email), urlenc(password));
        let first = self.post_login("/redaction/connexion", &login_cookie, body).await;
        let ticket = first.body.split("name=\"ticket\" value=\"").nth(1).expect("the code is asked");
        let ticket = ticket.split('"').next().unwrap();
        let body = format!("csrf={csrf}&ticket={}&code={}&next=%2Fredaction", urlenc(ticket), urlenc(code));
        let response = self.post_login("/redaction/connexion/code", &login_cookie, body).await;
        self.session_from(response, email).await
    }

    async fn post_login(&self, path: &str, login_cookie: &str, body: String) -> TestResponse {
        self.request(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", format!("gz_login={login_cookie}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// The session a login answer opened, or the answer when it opened none.
    async fn session_from(&self, response: TestResponse, email: &str) -> Result<Login, TestResponse> {
        let Some(session) = set_cookie_value(&response, "gz_session").filter(|v| !v.is_empty()) else {
            return Err(response);
        };
        let cookie = format!("gz_session={session}");
        let desk = self.get_as("/redaction", &cookie).await;
        let user_id = sqlx::query("select id from users where email = $1")
            .bind(email.to_lowercase())
            .fetch_one(self.db().reader())
            .await
            .map(|r| sqlx::Row::get::<i64, _>(&r, "id"))
            .unwrap();
        Ok(Login { cookie, csrf: csrf_in(&desk.body), user_id })
    }

    pub async fn get_as(&self, path: &str, cookie: &str) -> TestResponse {
        self.request(Request::get(path).header("cookie", cookie).body(Body::empty()).unwrap()).await
    }

    /// Posts a form as a logged-in member of staff, with their CSRF token added.
    pub async fn post_form(&self, path: &str, login: &Login, fields: &[(&str, &str)]) -> TestResponse {
        let mut all = vec![("csrf", login.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw_form(path, &login.cookie, &all).await
    }

    /// Posts a form exactly as given (no token added).
    pub async fn post_raw_form(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}={}", urlenc(k), urlenc(v))).collect();
        self.request(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .body(Body::from(body.join("&")))
                .unwrap(),
        )
        .await
    }
}

/// The value a response sets for a cookie.
pub fn set_cookie_value(response: &TestResponse, name: &str) -> Option<String> {
    response
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v[name.len() + 1..].split(';').next().unwrap_or("").to_string())
}

/// The CSRF token in a page's forms.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    html.find(marker).map(|i| html[i + marker.len()..].split('"').next().unwrap_or("").to_string()).unwrap_or_default()
}

pub fn urlenc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
