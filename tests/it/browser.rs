//! Real headless Chromium against the real binary: a reader's walk through the site,
//! accessibility (axe-core) and HTML validity (the Nu HTML Checker) of the main pages in
//! French and Arabic, and screenshots at phone and desktop widths.
//!
//! These need Chromium, chromedriver, Java and the npm packages axe-core and vnu-jar; they
//! run when `GAZETTE_TEST_BROWSER=1` (CI sets it after installing them, see `.ci/run`) and
//! say so and return otherwise. With the variable set, a missing tool is a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::support::{Server, TempDir, free_port};

pub(crate) type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub(crate) fn enabled() -> bool {
    let on = std::env::var("GAZETTE_TEST_BROWSER").map(|v| v == "1").unwrap_or(false);
    if !on {
        eprintln!("GAZETTE_TEST_BROWSER is not 1: the browser tests do not run here");
    }
    on
}

/// Where `npm install --prefix target/js axe-core vnu-jar` put its packages.
fn js_dir() -> PathBuf {
    std::env::var("GAZETTE_TEST_JS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/js/node_modules"))
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/artifacts/browser");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A chromedriver process, killed when dropped.
pub(crate) struct Driver {
    child: std::process::Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn start_driver() -> TestResult<Driver> {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start chromedriver (apt-get install chromium-driver): {e}"))?;
    let driver = Driver { child, port };
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/status")).send().await
            && let Ok(v) = r.json::<serde_json::Value>().await
            && v["value"]["ready"] == true
        {
            return Ok(driver);
        }
        if Instant::now() > deadline {
            return Err("chromedriver did not become ready".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn connect(driver: &Driver) -> TestResult<Client> {
    let mut caps = serde_json::Map::new();
    let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("/usr/bin/chromium");
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-quic", "--no-first-run", "--window-size=1280,900", "--lang=fr-FR"]
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await?;
    Ok(client)
}

async fn screenshot(client: &Client, name: &str, width: u32) -> TestResult {
    client.set_window_size(width, 900).await?;
    let png = client.screenshot().await?;
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(artifacts().join(format!("{name}-{width}.png")), png)?;
    Ok(())
}

/// The first number in a text ("Lu 518 fois" -> 518).
fn number_in(text: &str) -> i64 {
    let digits: String = text.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
}

async fn wait_for_path(client: &Client, ends_with: &str) -> TestResult {
    let wanted = |url: &reqwest::Url| url.path().ends_with(ends_with) || url.as_str().ends_with(ends_with);
    wait_for_url(client, wanted, &format!("…{ends_with}")).await.map(|_| ())
}

/// Waits until the browser's address satisfies `wanted` (a click's navigation may not have
/// finished when the click returns) and returns it.
async fn wait_for_url(
    client: &Client,
    wanted: impl Fn(&reqwest::Url) -> bool,
    expected: &str,
) -> TestResult<reqwest::Url> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = client.current_url().await?;
        if wanted(&url) {
            return Ok(url);
        }
        if Instant::now() > deadline {
            return Err(format!("still at {url}, expected {expected}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the element `css` holds `text` (after a click, the page that answers it may not
/// be there yet), and returns the element's text.
async fn wait_for_text(client: &Client, css: &str, text: &str) -> TestResult<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if found.contains(text) {
            return Ok(found);
        }
        if Instant::now() > deadline {
            return Err(format!("{css} says {found:?}, expected {text:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// front page → section → article (the counter goes up on the next load) → like → search
/// without accents → Arabic edition (right-to-left) → feed.
async fn reader_walk(client: &Client, base: &str) -> TestResult {
    client.goto(&format!("{base}/")).await?;
    screenshot(client, "front", 1280).await?;
    screenshot(client, "front", 390).await?;
    client.set_window_size(1280, 900).await?;

    client.find(Locator::Css("nav.sections a[href='/economie']")).await?.click().await?;
    wait_for_path(client, "/economie").await?;
    let heading = client.find(Locator::Css("h1.page-title")).await?.text().await?;
    assert_eq!(heading, "Économie");

    client.find(Locator::Css(".cards .card-title a")).await?.click().await?;
    let article_url =
        wait_for_url(client, |url| url.path().starts_with("/economie/"), "an article of /economie/").await?;
    let reads_before = number_in(&client.find(Locator::Css(".reads")).await?.text().await?);
    screenshot(client, "article", 1280).await?;
    screenshot(client, "article", 390).await?;
    client.set_window_size(1280, 900).await?;
    // The page is served from the cache until the counters are written (every second), which
    // refreshes it: a reader reloading a moment later sees the count go up. At least one: the
    // browser may fetch a page twice (a reload after a resize); the exact one-view-one-read
    // count is tested through the router in reader.rs.
    let mut reads_after = reads_before;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        client.goto(article_url.as_str()).await?;
        reads_after = number_in(&client.find(Locator::Css(".reads")).await?.text().await?);
        if reads_after > reads_before {
            break;
        }
    }
    assert!(reads_after > reads_before, "the read counter goes up within seconds: {reads_before} -> {reads_after}");

    let likes_before = number_in(&client.find(Locator::Css(".like-count")).await?.text().await?);
    client.find(Locator::Css("form.like button")).await?.click().await?;
    // The like answers with a redirect back to the article's #like anchor.
    wait_for_path(client, "#like").await?;
    let likes_after = number_in(&client.find(Locator::Css(".like-count")).await?.text().await?);
    assert_eq!(likes_after, likes_before + 1, "the like counts");

    let search = client.find(Locator::Css("#search-q")).await?;
    search.send_keys("election").await?;
    client.find(Locator::Css("form.search-box button")).await?.click().await?;
    wait_for_path(client, "/recherche").await?;
    let hits = client.find_all(Locator::Css(".hit")).await?;
    assert!(!hits.is_empty(), "searching without accents finds articles");
    let marked = client.find(Locator::Css(".hit mark")).await?.text().await?;
    assert!(marked.to_lowercase().starts_with("élection"), "the accented word is highlighted: {marked}");

    client.find(Locator::Css("nav.languages a[lang='ar']")).await?.click().await?;
    wait_for_path(client, "/ar/recherche").await?;
    let dir = client.find(Locator::Css("html")).await?.attr("dir").await?;
    assert_eq!(dir.as_deref(), Some("rtl"), "the Arabic page is right-to-left");
    screenshot(client, "search-ar", 390).await?;
    client.set_window_size(1280, 900).await?;

    let feed =
        client.find(Locator::Css("footer a[href$='feeds/rss.xml']")).await?.attr("href").await?.unwrap_or_default();
    assert_eq!(feed, "/ar/feeds/rss.xml");
    let xml = reqwest::get(format!("{base}{feed}")).await?.text().await?;
    assert!(xml.contains("<rss version=\"2.0\"") && xml.contains("<language>ar</language>"));
    Ok(())
}

/// Runs axe-core on a page; returns the violations as readable lines.
async fn axe_violations(client: &Client, axe_source: &str, url: &str) -> TestResult<Vec<String>> {
    client.goto(url).await?;
    client.execute(axe_source, vec![]).await?;
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ['violations'],
                                   runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                 .then(r => done({ ok: true, violations: r.violations.map(v => ({ id: v.id, impact: v.impact,
                        help: v.help, nodes: v.nodes.slice(0, 3).map(n => JSON.stringify(n.target) + ' ' + n.html.slice(0, 120)) })) }))
                 .catch(e => done({ ok: false, error: String(e) }));"#,
            vec![],
        )
        .await?;
    if result["ok"] != true {
        return Err(format!("axe failed on {url}: {}", result["error"]).into());
    }
    Ok(result["violations"]
        .as_array()
        .map(|list| {
            list.iter().map(|v| format!("{url}: {} ({}) {} {}", v["id"], v["impact"], v["help"], v["nodes"])).collect()
        })
        .unwrap_or_default())
}

/// The pages the quality bars name, in French and Arabic.
async fn pages_to_check(base: &str) -> TestResult<Vec<String>> {
    let api: serde_json::Value =
        reqwest::get(format!("{base}/api/v1/articles?section=economie&lang=fr&per_page=1")).await?.json().await?;
    let fr_article = format!(
        "/{}/{}",
        api["items"][0]["section_slug"].as_str().unwrap_or(""),
        api["items"][0]["slug"].as_str().unwrap_or("")
    );
    let api: serde_json::Value =
        reqwest::get(format!("{base}/api/v1/articles?section=economie&lang=ar&per_page=1")).await?.json().await?;
    let ar_article = format!(
        "/{}/{}",
        api["items"][0]["section_slug"].as_str().unwrap_or(""),
        api["items"][0]["slug"].as_str().unwrap_or("")
    );
    Ok(vec![
        "/".into(),
        "/economie".into(),
        fr_article,
        "/recherche?q=election".into(),
        "/auteur/salma-benali".into(),
        "/ar/".into(),
        "/ar/economie".into(),
        ar_article,
        "/ar/recherche?q=%D8%B7%D9%86%D8%AC%D8%A9".into(),
        "/ar/auteur/salma-benali".into(),
    ])
}

/// The Nu HTML Checker over the pages' HTML, in one Java run. Returns its error messages.
async fn vnu_errors(base: &str, pages: &[String]) -> TestResult<Vec<String>> {
    let jar = js_dir().join("vnu-jar/build/dist/vnu.jar");
    if !jar.exists() {
        return Err(format!("{} is missing: npm install --prefix target/js vnu-jar", jar.display()).into());
    }
    let dir = TempDir::new("vnu");
    for (n, page) in pages.iter().enumerate() {
        let html = reqwest::get(format!("{base}{page}")).await?.text().await?;
        std::fs::write(dir.path().join(format!("page-{n}.html")), html)?;
    }
    let output = Command::new("java")
        .args(["-jar", &jar.display().to_string(), "--errors-only", "--format", "json", "--stdout"])
        .arg(dir.path())
        .output()
        .map_err(|e| format!("cannot run java for the Nu HTML Checker: {e}"))?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("unreadable vnu output ({e}): {}", String::from_utf8_lossy(&output.stderr)))?;
    Ok(report["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .map(|m| {
                    let file = m["url"].as_str().unwrap_or("");
                    let n: usize =
                        file.rsplit("page-").next().and_then(|s| s.trim_end_matches(".html").parse().ok()).unwrap_or(0);
                    format!(
                        "{} line {}: {} [{}]",
                        pages.get(n).map(String::as_str).unwrap_or(file),
                        m["lastLine"],
                        m["message"],
                        m["extract"]
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Validates the URL-set sitemaps against the sitemaps.org schema with xmllint; returns the
/// complaints. (The schema comes with the npm package `sitemap`; RSS has no official schema
/// and Atom's is RELAX NG, so feeds are checked for structure in `reader.rs`.)
async fn sitemap_schema_errors(base: &str) -> TestResult<Vec<String>> {
    let xsd = js_dir().join("sitemap/schema/sitemap.xsd");
    if !xsd.exists() {
        return Err(format!("{} is missing: npm install --prefix target/js sitemap@8", xsd.display()).into());
    }
    let dir = TempDir::new("xsd");
    let mut errors = Vec::new();
    for name in ["articles-1.xml", "pages.xml"] {
        let xml = reqwest::get(format!("{base}/sitemaps/{name}")).await?.text().await?;
        let file = dir.path().join(name);
        std::fs::write(&file, xml)?;
        let output = Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(&xsd)
            .arg(&file)
            .output()
            .map_err(|e| format!("cannot run xmllint (apt-get install libxml2-utils): {e}"))?;
        if !output.status.success() {
            errors.push(format!("{name}: {}", String::from_utf8_lossy(&output.stderr)));
        }
    }
    // The check can fail: a sitemap with a bad date is refused.
    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>http://x/</loc><lastmod>yesterday</lastmod></url></urlset>",
    )?;
    let refused = Command::new("xmllint").args(["--noout", "--schema"]).arg(&xsd).arg(&bad).output()?;
    assert!(!refused.status.success(), "xmllint accepted an invalid sitemap: the check is not working");
    Ok(errors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(browser_tests), ignore = "needs GAZETTE_TEST_BROWSER=1 (Chromium, chromedriver, Java; see .ci/run)")]
async fn a_reader_walks_the_site_in_chromium_and_every_page_is_accessible_and_valid() {
    if !enabled() {
        return;
    }
    let dir = TempDir::new("browser");
    let server = Server::start(dir.path(), "", &["--demo"]).await;
    let base = server.url("");
    let driver = start_driver().await.expect("chromedriver");
    let client = connect(&driver).await.expect("a Chromium session");
    let pages = pages_to_check(&base).await.expect("pages");

    let outcome: TestResult<(Vec<String>, Vec<String>)> = async {
        reader_walk(&client, &base).await?;
        let axe_path = js_dir().join("axe-core/axe.min.js");
        let axe_source = std::fs::read_to_string(&axe_path)
            .map_err(|e| format!("{}: {e} (npm install --prefix target/js axe-core)", axe_path.display()))?;
        let mut violations = Vec::new();
        for page in &pages {
            violations.extend(axe_violations(&client, &axe_source, &format!("{base}{page}")).await?);
        }
        let mut invalid = vnu_errors(&base, &pages).await?;
        invalid.extend(sitemap_schema_errors(&base).await?);
        Ok((violations, invalid))
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    let (violations, invalid) = outcome.expect("the walk through the site");
    assert!(violations.is_empty(), "axe-core found WCAG violations:\n{}", violations.join("\n"));
    assert!(invalid.is_empty(), "the Nu HTML Checker found errors:\n{}", invalid.join("\n"));
    for name in ["front-390", "front-1280", "article-390", "article-1280"] {
        assert!(artifacts().join(format!("{name}.png")).exists(), "screenshot {name}");
    }
}

/// Creates an account with a password through the real command line.
fn add_user(dir: &Path, email: &str, role: &str, password: &str) {
    use std::io::Write as _;
    let mut child = Command::new(crate::support::gazette_bin())
        .current_dir(dir)
        .args(["user", "add", "--email", email, "--name", &format!("{role} {email}"), "--role", role])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gazette user add");
    child.stdin.take().expect("stdin").write_all(format!("{password}\n").as_bytes()).expect("password");
    let output = child.wait_with_output().expect("user add");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

pub(crate) async fn log_in(client: &Client, base: &str, email: &str, password: &str) -> TestResult {
    client.goto(&format!("{base}/redaction/connexion")).await?;
    client.find(Locator::Css("#email")).await?.send_keys(email).await?;
    client.find(Locator::Css("#password")).await?.send_keys(password).await?;
    client.find(Locator::Css("form button[type=submit]")).await?.click().await?;
    wait_for_path(client, "/redaction").await
}

async fn log_out(client: &Client) -> TestResult {
    client.find(Locator::Css("form.logout button")).await?.click().await?;
    wait_for_path(client, "/redaction/connexion").await
}

/// A journalist writes an article with an image and submits it; an editor schedules it a
/// minute ahead; it appears on the front page, in the section feed and in search on time.
async fn newsroom_walk(client: &Client, base: &str, dir: &Path) -> TestResult {
    log_in(client, base, "journaliste@example.ma", "mot de passe du journaliste").await?;
    // The image first, through the media library.
    let picture = dir.join("port.png");
    std::fs::write(&picture, gazette::demo::picture::png(1000, 600, [30, 100, 160], 9))?;
    client.goto(&format!("{base}/redaction/medias")).await?;
    client.find(Locator::Css("#caption")).await?.send_keys("Les quais au lever du jour").await?;
    client.find(Locator::Css("#credit")).await?.send_keys("Photo Gazette").await?;
    client.find(Locator::Css("#alt")).await?.send_keys("Des grues sur les quais").await?;
    client.find(Locator::Css("#file")).await?.send_keys(&picture.display().to_string()).await?;
    client.find(Locator::Css(".upload button[type=submit]")).await?.click().await?;
    let is_media_page = |url: &reqwest::Url| url.path().rsplit('/').next().is_some_and(|id| id.parse::<i64>().is_ok());
    let media_url = wait_for_url(client, is_media_page, "the uploaded picture's page").await?;
    let media_id: String = media_url.path().rsplit('/').next().unwrap_or("").to_string();

    client.goto(&format!("{base}/redaction/articles/nouveau")).await?;
    client.find(Locator::Css("#title")).await?.send_keys("Les quais de Casablanca changent de visage").await?;
    client.find(Locator::Css("#lead")).await?.send_keys("Un chantier de trois ans s'achève sur le port.").await?;
    client
        .find(Locator::Css("#body"))
        .await?
        .send_keys("Les **grues** ont quitté les quais.\n\nLes promeneurs reviennent.")
        .await?;
    client.find(Locator::Css("#section option[value]:not([value=''])")).await?;
    client.execute(
        "document.getElementById('section').value = Array.from(document.querySelectorAll('#section option')).find(o => o.textContent.trim() === 'Économie').value;\
         document.getElementById('featured').value = arguments[0];",
        vec![serde_json::json!(media_id)],
    )
    .await?;
    screenshot(client, "editor", 1280).await?;
    screenshot(client, "editor", 390).await?;
    // Save and preview stay in reach at the foot of the form, on a phone and on a desk.
    for (width, height) in [(390, 800), (1280, 900)] {
        client.set_window_size(width, height).await?;
        let in_view: bool = serde_json::from_value(
            client
                .execute(
                    "window.scrollTo(0, document.body.scrollHeight);\
                     const r = document.querySelector('.editor-bar button[value=save]').getBoundingClientRect();\
                     return r.top >= 0 && r.bottom <= window.innerHeight;",
                    vec![],
                )
                .await?,
        )?;
        assert!(in_view, "the save button is out of reach at {width} px");
    }
    // Ctrl+S saves (the draft, here), as a click on Save would.
    client.find(Locator::Css("#lead")).await?.send_keys("\u{E009}s\u{E000}").await?;
    wait_for_path(client, "?ok=saved").await?;
    client.find(Locator::Css("button[value=submit]")).await?.click().await?;
    wait_for_path(client, "?ok=submitted").await?;
    let article_url = client.current_url().await?;
    let id = article_url.path().rsplit('/').next().unwrap_or("").to_string();
    log_out(client).await?;

    log_in(client, base, "editrice@example.ma", "mot de passe de l'éditrice").await?;
    client.goto(&format!("{base}/redaction")).await?;
    client.find(Locator::Css(&format!("a[href='/redaction/articles/{id}']"))).await?.click().await?;
    // One minute ahead, in the site's time zone (the form's minute precision).
    let when = chrono::Utc::now().with_timezone(&chrono_tz::Africa::Casablanca) + chrono::Duration::minutes(1);
    let due = when.format("%Y-%m-%dT%H:%M").to_string();
    client.execute("document.getElementById('publish_at').value = arguments[0];", vec![serde_json::json!(due)]).await?;
    client.find(Locator::Css("button[value=schedule]")).await?.click().await?;
    wait_for_path(client, "?ok=scheduled").await?;
    let status = client.find(Locator::Css("h1 .status")).await?.text().await?;
    assert_eq!(status, "Programmé");
    assert!(
        !reqwest::get(format!("{base}/")).await?.text().await?.contains("Les quais de Casablanca"),
        "not before its time"
    );

    // Wait for the time to come (at most a minute and a few seconds).
    let deadline = Instant::now() + Duration::from_secs(95);
    loop {
        let front = reqwest::get(format!("{base}/")).await?.text().await?;
        if front.contains("Les quais de Casablanca changent de visage") {
            break;
        }
        if Instant::now() > deadline {
            return Err("the scheduled article did not appear on the front page".into());
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let feed = reqwest::get(format!("{base}/feeds/rubrique/economie/rss.xml")).await?.text().await?;
    assert!(feed.contains("Les quais de Casablanca changent de visage"), "in the section feed");
    let search = reqwest::get(format!("{base}/recherche?q=quais+casablanca")).await?.text().await?;
    assert!(search.contains("class=\"hit\""), "in search");
    let page =
        reqwest::get(format!("{base}/economie/les-quais-de-casablanca-changent-de-visage")).await?.text().await?;
    assert!(
        page.contains("Les quais au lever du jour") && page.contains("Photo Gazette"),
        "with its image's caption and credit"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(browser_tests), ignore = "needs GAZETTE_TEST_BROWSER=1 (Chromium, chromedriver, Java; see .ci/run)")]
async fn a_journalist_and_an_editor_publish_an_article_in_chromium() {
    if !enabled() {
        return;
    }
    let dir = TempDir::new("browser-newsroom");
    add_user(dir.path(), "journaliste@example.ma", "journalist", "mot de passe du journaliste");
    add_user(dir.path(), "editrice@example.ma", "editor", "mot de passe de l'éditrice");
    let server = Server::start(dir.path(), "", &["--demo"]).await;
    let base = server.url("");
    let driver = start_driver().await.expect("chromedriver");
    let client = connect(&driver).await.expect("a Chromium session");
    let outcome = newsroom_walk(&client, &base, dir.path()).await;
    let _ = client.close().await;
    drop(driver);
    outcome.expect("the newsroom walk");
    for name in ["editor-390", "editor-1280"] {
        assert!(artifacts().join(format!("{name}.png")).exists(), "screenshot {name}");
    }
}

/// The first link in a mail whose path contains `path`, as an absolute address.
fn mail_link(mail: &str, path: &str) -> Option<String> {
    let at = mail.find(path)?;
    let start = mail[..at].rfind("http")?;
    Some(
        mail[start..]
            .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
            .next()?
            .replace("&amp;", "&"),
    )
}

async fn post_comment_in_browser(
    client: &Client,
    article: &str,
    name: &str,
    email: &str,
    body: &str,
    notify: bool,
) -> TestResult {
    client.goto(article).await?;
    client.find(Locator::Css("#c-name")).await?.send_keys(name).await?;
    client.find(Locator::Css("#c-email")).await?.send_keys(email).await?;
    client.find(Locator::Css("#c-body")).await?.send_keys(body).await?;
    if notify {
        client.find(Locator::Css("#c-notify")).await?.click().await?;
    }
    // A person takes a few seconds; the form refuses faster posts as a bot's.
    tokio::time::sleep(Duration::from_millis(3200)).await;
    client.find(Locator::Css("#comment-form button[type=submit]")).await?.click().await?;
    wait_for_path(client, "#comments").await?;
    let notice = client.find(Locator::Css("#comment-notice")).await?.text().await?;
    assert!(notice.contains("modération"), "{notice}");
    Ok(())
}

/// The moderator finds a comment in the queue and approves it with the keyboard ("a").
async fn approve_in_queue(client: &Client, base: &str, text: &str) -> TestResult {
    client.goto(&format!("{base}/redaction/commentaires")).await?;
    client.find(Locator::Css(".queue-item")).await?;
    let found = client
        .execute(
            "const item = Array.from(document.querySelectorAll('.queue-item')).find(i => i.textContent.includes(arguments[0]));\
             if (!item) return false; item.focus(); return true;",
            vec![serde_json::json!(text)],
        )
        .await?;
    if found != serde_json::json!(true) {
        return Err(format!("{text:?} is not in the queue").into());
    }
    // The key submits the form: the page goes away under the keystroke, which WebDriver may
    // report as a stale element; the new address says whether it worked.
    let _ = client.active_element().await?.send_keys("a").await;
    wait_for_path(client, "ok=decided").await
}

/// A reader comments with "notify me", confirms by mail, a moderator approves, a second
/// comment is approved, the first reader is told, unsubscribes, and hears no more.
async fn comment_walk(client: &Client, base: &str, sink: &crate::support::SmtpSink) -> TestResult {
    let api: serde_json::Value =
        reqwest::get(format!("{base}/api/v1/articles?section=culture&lang=fr&per_page=1")).await?.json().await?;
    let article = format!(
        "{base}/{}/{}",
        api["items"][0]["section_slug"].as_str().unwrap_or(""),
        api["items"][0]["slug"].as_str().unwrap_or("")
    );
    post_comment_in_browser(
        client,
        &article,
        "Yasmine",
        "yasmine@lectrice.example",
        "Un festival réussi, bravo aux organisateurs.",
        true,
    )
    .await?;
    let mails = sink.wait_for(1).await;
    let confirm =
        mail_link(mails.first().ok_or("no confirmation mail")?, "/commentaires/confirmer/").ok_or("no link")?;
    assert!(confirm.contains("/commentaires/confirmer/"), "{confirm}");
    client.goto(&confirm).await?;
    client.find(Locator::Css("main form button")).await?.click().await?;
    wait_for_text(client, "main p", "confirmé").await?;

    log_in(client, base, "moderatrice@example.ma", "mot de passe de la moderatrice").await?;
    approve_in_queue(client, base, "Un festival réussi").await?;
    let page = reqwest::get(&article).await?.text().await?;
    assert!(page.contains("Un festival réussi"), "the approved comment shows");
    log_out(client).await?;

    post_comment_in_browser(
        client,
        &article,
        "Mehdi",
        "mehdi@lecteur.example",
        "Je confirme, l'ambiance était excellente.",
        false,
    )
    .await?;
    log_in(client, base, "moderatrice@example.ma", "mot de passe de la moderatrice").await?;
    approve_in_queue(client, base, "ambiance était excellente").await?;
    let mails = sink.wait_for(2).await;
    let notification = mails.get(1).ok_or("no notification mail")?;
    assert!(
        notification.contains("To: yasmine@lectrice.example") && notification.contains("ambiance"),
        "{notification}"
    );
    assert!(notification.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    let unsubscribe = mail_link(notification, "/commentaires/desabonner/").ok_or("no unsubscribe link")?;
    client.goto(&unsubscribe).await?;
    client.find(Locator::Css("main form button")).await?.click().await?;
    wait_for_text(client, "main p", "ne recevrez plus").await?;
    client.goto(&format!("{base}/redaction")).await?;
    log_out(client).await?;

    post_comment_in_browser(
        client,
        &article,
        "Ilyas",
        "ilyas@lecteur.example",
        "Vivement l'an prochain pour la suite.",
        false,
    )
    .await?;
    log_in(client, base, "moderatrice@example.ma", "mot de passe de la moderatrice").await?;
    approve_in_queue(client, base, "Vivement l").await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sink.received().len(), 2, "no mail after unsubscribing");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(browser_tests), ignore = "needs GAZETTE_TEST_BROWSER=1 (Chromium, chromedriver, Java; see .ci/run)")]
async fn a_reader_comments_is_notified_and_unsubscribes_in_chromium() {
    if !enabled() {
        return;
    }
    let dir = TempDir::new("browser-comments");
    add_user(dir.path(), "moderatrice@example.ma", "moderator", "mot de passe de la moderatrice");
    let sink = crate::support::SmtpSink::start().await;
    let port = sink.port.to_string();
    let env = [
        ("GAZETTE_MAIL_SMTP_HOST", "127.0.0.1"),
        ("GAZETTE_MAIL_SMTP_PORT", port.as_str()),
        ("GAZETTE_MAIL_SECURITY", "none"),
        ("GAZETTE_MAIL_NOTIFICATION_BATCH_SECONDS", "1"),
    ];
    let server = Server::start_with_env(dir.path(), "", &["--demo"], &env).await;
    let base = server.url("");
    let driver = start_driver().await.expect("chromedriver");
    let client = connect(&driver).await.expect("a Chromium session");
    let outcome = comment_walk(&client, &base, &sink).await;
    let _ = client.close().await;
    drop(driver);
    outcome.expect("the comment walk");
}
