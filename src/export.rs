//! `gazette export`: leave with everything.
//!
//! - `--format wxr FILE`: a WXR 1.2 file WordPress's importer reads (articles as posts, pages,
//!   sections as nested categories, tags, authors, comments with their threads and status,
//!   images as attachments), and that `gazette import wxr` reads back.
//! - `--format json DIR`: every table Gazette keeps, one JSON file each (an array, one row per
//!   line), the media files, and `manifest.json`; `docs/migration.md` documents the files.
//!
//! Both stream: rows are read in pages and written as they come.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use sqlx::{Column, Row};

use crate::progress::Progress;
use crate::store::{Db, StoreError, col};
use crate::wxr::write::{WxrWriter, rss_date, wxr_date};
use crate::wxr::{Author, Channel, Comment, Item, ItemTerm, Term, TermKind};

#[derive(Debug)]
pub enum ExportError {
    Io(String),
    Store(StoreError),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Io(m) => f.write_str(m),
            ExportError::Store(e) => write!(f, "cannot read the database: {e}"),
        }
    }
}

impl From<StoreError> for ExportError {
    fn from(e: StoreError) -> Self {
        ExportError::Store(e)
    }
}

impl From<sqlx::Error> for ExportError {
    fn from(e: sqlx::Error) -> Self {
        ExportError::Store(e.into())
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |e| ExportError::Io(format!("cannot write {}: {e}", path.display()))
}

/// What an export wrote.
#[derive(Debug, Default)]
pub struct ExportReport {
    pub counts: Vec<(String, u64)>,
    pub path: PathBuf,
}

impl std::fmt::Display for ExportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "exported to {}", self.path.display())?;
        for (what, n) in &self.counts {
            writeln!(f, "  {what:<22} {n}")?;
        }
        Ok(())
    }
}

/// The WordPress status of an article status.
fn wp_status(status: &str) -> &'static str {
    match status {
        "published" => "publish",
        "review" => "pending",
        "scheduled" => "future",
        "unpublished" => "private",
        _ => "draft",
    }
}

/// The WordPress `comment_approved` of a comment status.
fn wp_approved(status: &str) -> &'static str {
    match status {
        "approved" => "1",
        "spam" => "spam",
        "refused" => "trash",
        _ => "0",
    }
}

/// Writes the WXR file.
pub async fn export_wxr(db: &Db, base_url: &str, file: &Path, progress: bool) -> Result<ExportReport, ExportError> {
    let site = crate::store::settings::site(db).await?;
    let tz: chrono_tz::Tz = site.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let default_lang = site.default_language;
    let base = base_url.trim_end_matches('/').to_string();
    let channel = Channel {
        title: site.name.clone(),
        link: base.clone(),
        base_site_url: base.clone(),
        base_blog_url: base.clone(),
        language: default_lang.code().to_string(),
        ..Channel::default()
    };
    let users = crate::store::users::all(db).await?;
    let authors: Vec<Author> = users
        .iter()
        .map(|u| Author {
            id: u.id.to_string(),
            login: u.slug.clone(),
            email: if u.email.ends_with("@imported.invalid") { String::new() } else { u.email.clone() },
            display_name: u.name.clone(),
            ..Author::default()
        })
        .collect();
    let sections = crate::store::sections::all(db).await?;
    let slug_of: HashMap<i64, String> = sections.iter().map(|s| (s.id, s.slug.clone())).collect();
    let mut terms: Vec<Term> = sections
        .iter()
        .map(|s| Term {
            kind: TermKind::Category,
            taxonomy: "category".into(),
            id: s.id.to_string(),
            slug: s.slug.clone(),
            parent_slug: s.parent_id.and_then(|p| slug_of.get(&p).cloned()).unwrap_or_default(),
            name: s.name(default_lang).to_string(),
            description: s.description(default_lang).to_string(),
        })
        .collect();
    let tag_rows = sqlx::query("select id, slug, name from tags order by id").fetch_all(db.reader()).await?;
    for row in &tag_rows {
        terms.push(Term {
            kind: TermKind::Tag,
            taxonomy: "post_tag".into(),
            id: col::<i64>(row, "id")?.to_string(),
            slug: col(row, "slug")?,
            parent_slug: String::new(),
            name: col(row, "name")?,
            description: String::new(),
        });
    }
    let out = BufWriter::with_capacity(256 * 1024, File::create(file).map_err(io(file))?);
    let mut writer = WxrWriter::start(out, &channel, &authors, &terms).map_err(io(file))?;

    // WordPress items share one id space: articles keep theirs, media and pages follow.
    let max = |sql: &'static str| async move {
        let row = sqlx::query(sql).fetch_one(db.reader()).await?;
        col::<i64>(&row, "n")
    };
    let media_offset = max("select coalesce(max(id), 0) as n from articles").await?;
    let page_offset = media_offset + max("select coalesce(max(id), 0) as n from media").await?;
    let total = max("select count(*) as n from articles").await? as u64;
    let mut bar = Progress::new("exporting", total.max(1));

    let mut media_count = 0u64;
    let mut rows =
        sqlx::query("select id, storage_key, original_name, caption, alt, created_at from media order by id")
            .fetch(db.reader());
    while let Some(row) = rows.try_next().await? {
        let id: i64 = col(&row, "id")?;
        let key: String = col(&row, "storage_key")?;
        let created: i64 = col(&row, "created_at")?;
        let name: String = col(&row, "original_name")?;
        writer
            .item(&Item {
                title: if name.is_empty() { key.clone() } else { name },
                link: format!("{base}/media/{key}"),
                guid: format!("{base}/media/{key}"),
                pub_date: rss_date(created),
                excerpt: col(&row, "caption")?,
                post_id: (media_offset + id).to_string(),
                post_date: wxr_date(created, Some(tz)),
                post_date_gmt: wxr_date(created, None),
                post_modified_gmt: wxr_date(created, None),
                comment_status: "closed".into(),
                post_name: key.replace(['/', '.'], "-"),
                status: "inherit".into(),
                post_type: "attachment".into(),
                attachment_url: format!("{base}/media/{key}"),
                meta: vec![
                    ("_wp_attached_file".into(), key.clone()),
                    ("_wp_attachment_image_alt".into(), col(&row, "alt")?),
                ],
                ..Item::default()
            })
            .map_err(io(file))?;
        media_count += 1;
    }
    drop(rows);

    // Stories told in several languages: Polylang's `post_translations` term groups them, as
    // WordPress with Polylang exports them (and `gazette import wxr` reads them back).
    let shared_groups: std::collections::HashSet<i64> = sqlx::query(
        "select translation_group from articles where translation_group is not null \
         group by translation_group having count(*) > 1",
    )
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|row| col(row, "translation_group"))
    .collect::<Result<_, _>>()?;

    let mut article_count = 0u64;
    let mut comment_count = 0u64;
    let mut after = 0i64;
    loop {
        let page = sqlx::query(
            "select a.id, a.slug, a.title, a.lead, a.body_html, a.language, a.status, a.publish_at, a.created_at, \
                 a.updated_at, a.comments_mode, a.featured_media_id, a.translation_group, \
                 s.slug as section_slug, s.names as section_names \
             from articles a join sections s on s.id = a.section_id where a.id > $1 order by a.id limit 500",
        )
        .bind(after)
        .fetch_all(db.reader())
        .await?;
        if page.is_empty() {
            break;
        }
        let ids: Vec<i64> = page.iter().map(|r| col(r, "id")).collect::<Result<_, _>>()?;
        let (first, last) = (ids[0], ids[ids.len() - 1]);
        after = last;
        let bylines = crate::store::articles::authors_of(db, &ids).await?;
        let tags = crate::store::articles::tags_of(db, &ids).await?;
        let mut comments: HashMap<i64, Vec<Comment>> = HashMap::new();
        let comment_rows = sqlx::query(
            "select id, article_id, parent_id, author_name, author_email, author_website, body, status, created_at \
             from comments where article_id >= $1 and article_id <= $2 and deleted_at is null order by id",
        )
        .bind(first)
        .bind(last)
        .fetch_all(db.reader())
        .await?;
        for row in &comment_rows {
            let created: i64 = col(row, "created_at")?;
            let status: String = col(row, "status")?;
            comments.entry(col(row, "article_id")?).or_default().push(Comment {
                id: col::<i64>(row, "id")?.to_string(),
                author: col(row, "author_name")?,
                author_email: col(row, "author_email")?,
                author_url: col(row, "author_website")?,
                date: wxr_date(created, Some(tz)),
                date_gmt: wxr_date(created, None),
                content: col(row, "body")?,
                approved: wp_approved(&status).into(),
                parent: col::<Option<i64>>(row, "parent_id")?.map(|p| p.to_string()).unwrap_or_default(),
                ..Comment::default()
            });
        }
        for row in &page {
            let id: i64 = col(row, "id")?;
            let slug: String = col(row, "slug")?;
            let section: String = col(row, "section_slug")?;
            let status: String = col(row, "status")?;
            let language: String = col(row, "language")?;
            let at: i64 = col::<Option<i64>>(row, "publish_at")?.unwrap_or(col(row, "created_at")?);
            let section_names: String = col(row, "section_names")?;
            let section_name = serde_json::from_str::<HashMap<String, String>>(&section_names)
                .ok()
                .and_then(|m| m.get(default_lang.code()).or_else(|| m.values().next()).cloned())
                .unwrap_or_else(|| section.clone());
            let mut item_terms =
                vec![ItemTerm { domain: "category".into(), nicename: section.clone(), name: section_name }];
            for tag in tags.get(&id).into_iter().flatten() {
                item_terms.push(ItemTerm {
                    domain: "post_tag".into(),
                    nicename: tag.slug.clone(),
                    name: tag.name.clone(),
                });
            }
            item_terms.push(ItemTerm { domain: "language".into(), nicename: language.clone(), name: language.clone() });
            if let Some(group) = col::<Option<i64>>(row, "translation_group")?.filter(|g| shared_groups.contains(g)) {
                let term = format!("pll_gazette_{group}");
                item_terms.push(ItemTerm { domain: "post_translations".into(), nicename: term.clone(), name: term });
            }
            let mut meta = Vec::new();
            if let Some(media) = col::<Option<i64>>(row, "featured_media_id")? {
                meta.push(("_thumbnail_id".to_string(), (media_offset + media).to_string()));
            }
            let item_comments = comments.remove(&id).unwrap_or_default();
            comment_count += item_comments.len() as u64;
            let mode: String = col(row, "comments_mode")?;
            writer
                .item(&Item {
                    title: col(row, "title")?,
                    link: if status == "published" {
                        format!("{base}/{section}/{slug}")
                    } else {
                        format!("{base}/?p={id}")
                    },
                    guid: format!("{base}/?p={id}"),
                    pub_date: rss_date(at),
                    creator: bylines.get(&id).and_then(|b| b.first()).map(|b| b.slug.clone()).unwrap_or_default(),
                    content: col(row, "body_html")?,
                    excerpt: col(row, "lead")?,
                    post_id: id.to_string(),
                    post_date: wxr_date(at, Some(tz)),
                    post_date_gmt: if matches!(status.as_str(), "draft" | "review") {
                        "0000-00-00 00:00:00".into()
                    } else {
                        wxr_date(at, None)
                    },
                    post_modified_gmt: wxr_date(col(row, "updated_at")?, None),
                    comment_status: if mode == "closed" { "closed".into() } else { "open".into() },
                    post_name: slug,
                    status: wp_status(&status).into(),
                    post_type: "post".into(),
                    terms: item_terms,
                    meta,
                    comments: item_comments,
                    ..Item::default()
                })
                .map_err(io(file))?;
            article_count += 1;
        }
        if progress {
            bar.show(article_count, article_count, "articles");
        }
    }
    if progress {
        bar.done(article_count, article_count, "articles");
    }

    let mut page_count = 0u64;
    let pages = sqlx::query("select id, slug, language, title, body_html, created_at from pages order by id")
        .fetch_all(db.reader())
        .await?;
    for row in &pages {
        let id: i64 = col(row, "id")?;
        let slug: String = col(row, "slug")?;
        let created: i64 = col(row, "created_at")?;
        writer
            .item(&Item {
                title: col(row, "title")?,
                link: format!("{base}/{slug}"),
                guid: format!("{base}/?page_id={}", page_offset + id),
                pub_date: rss_date(created),
                content: col(row, "body_html")?,
                post_id: (page_offset + id).to_string(),
                post_date: wxr_date(created, Some(tz)),
                post_date_gmt: wxr_date(created, None),
                post_modified_gmt: wxr_date(created, None),
                comment_status: "closed".into(),
                post_name: slug,
                status: "publish".into(),
                post_type: "page".into(),
                ..Item::default()
            })
            .map_err(io(file))?;
        page_count += 1;
    }
    writer.finish().map_err(io(file))?;
    Ok(ExportReport {
        path: file.to_path_buf(),
        counts: vec![
            ("authors".into(), authors.len() as u64),
            ("sections".into(), sections.len() as u64),
            ("tags".into(), tag_rows.len() as u64),
            ("media".into(), media_count),
            ("articles".into(), article_count),
            ("comments".into(), comment_count),
            ("pages".into(), page_count),
        ],
    })
}

/// The tables of a JSON export, in an order that restores (parents first). Left out, on
/// purpose: sessions, API tokens, account links, login throttling and erasure requests
/// (secrets and short-lived state), like marks (one day's duplicate guard), jobs (work in
/// flight), the search index (rebuilt from the articles).
pub const JSON_TABLES: &[&str] = &[
    "settings",
    "ad_slots",
    "users",
    "media",
    "media_variants",
    "sections",
    "tags",
    "articles",
    "article_authors",
    "article_tags",
    "article_corrections",
    "article_revisions",
    "article_notes",
    "article_stats",
    "article_daily_stats",
    "pages",
    "redirects",
    "comments",
    "comment_subscriptions",
    "comment_bans",
    "audit_log",
    "import_items",
];

/// The setting that holds the instance secret: never exported.
const SECRET_SETTING: &str = "instance_secret";

/// Columns never exported: password hashes and second-factor secrets.
const SECRET_COLUMNS: &[(&str, &str)] = &[("users", "password_hash"), ("users", "totp_secret")];

/// A cell as JSON, whatever its type on either engine.
fn cell(row: &sqlx::any::AnyRow, index: usize) -> serde_json::Value {
    if let Ok(v) = row.try_get::<Option<i64>, _>(index) {
        return v.map(serde_json::Value::from).unwrap_or(serde_json::Value::Null);
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(index) {
        return v.map(serde_json::Value::from).unwrap_or(serde_json::Value::Null);
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(index) {
        return v.map(serde_json::Value::from).unwrap_or(serde_json::Value::Null);
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(index) {
        return v.map(serde_json::Value::from).unwrap_or(serde_json::Value::Null);
    }
    serde_json::Value::Null
}

/// Writes every table as `DIR/<table>.json` and the media files under `DIR/media/`.
pub async fn export_json(db: &Db, media_dir: &Path, dir: &Path) -> Result<ExportReport, ExportError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut counts = Vec::new();
    for table in JSON_TABLES {
        let path = dir.join(format!("{table}.json"));
        let mut out = BufWriter::new(File::create(&path).map_err(io(&path))?);
        out.write_all(b"[").map_err(io(&path))?;
        // The instance secret signs form tokens, preview links and login tickets: whoever
        // holds it could forge them, so it never leaves in an export (a new site makes its own).
        let sql = if *table == "settings" {
            format!("select * from {table} where key <> '{SECRET_SETTING}' order by 1")
        } else {
            format!("select * from {table} order by 1")
        };
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(db.reader());
        let mut n = 0u64;
        while let Some(row) = rows.try_next().await? {
            let mut object = serde_json::Map::new();
            for (index, column) in row.columns().iter().enumerate() {
                let name = column.name();
                if SECRET_COLUMNS.contains(&(table, name)) {
                    continue;
                }
                object.insert(name.to_string(), cell(&row, index));
            }
            out.write_all(if n == 0 { b"\n" } else { b",\n" }).map_err(io(&path))?;
            serde_json::to_writer(&mut out, &object).map_err(|e| ExportError::Io(e.to_string()))?;
            n += 1;
        }
        out.write_all(b"\n]\n").map_err(io(&path))?;
        out.flush().map_err(io(&path))?;
        counts.push((table.to_string(), n));
    }

    // The media files, under their storage keys.
    let mut files = 0u64;
    let keys = sqlx::query("select storage_key from media union select storage_key from media_variants")
        .fetch_all(db.reader())
        .await?;
    for row in &keys {
        let key: String = col(row, "storage_key")?;
        let (Some(from), Some(to)) =
            (crate::media::path_of(media_dir, &key), crate::media::path_of(&dir.join("media"), &key))
        else {
            continue;
        };
        if !from.is_file() {
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::copy(&from, &to).map_err(io(&to))?;
        files += 1;
    }
    counts.push(("media files".into(), files));

    let manifest = serde_json::json!({
        "format": "gazette-export",
        "version": 1,
        "gazette": env!("CARGO_PKG_VERSION"),
        "exported_at": crate::store::now_ms(),
        "engine": format!("{:?}", db.engine()).to_lowercase(),
        "tables": counts.iter().map(|(t, n)| (t.clone(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>(),
        "left_out": ["settings.instance_secret", "sessions", "api_tokens", "account_tokens", "login_throttle", "erasure_requests", "like_marks", "jobs", "article_search", "users.password_hash", "users.totp_secret"],
    });
    let path = dir.join("manifest.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).map_err(|e| ExportError::Io(e.to_string()))?)
        .map_err(io(&path))?;
    Ok(ExportReport { counts, path: dir.to_path_buf() })
}
