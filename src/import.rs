//! `gazette import wxr FILE`: a WordPress or WMaker site moved in, with its comments, media and
//! old addresses.
//!
//! The file is read twice, streaming (`wxr::WxrReader`): the first pass takes the site, its
//! authors, categories, tags and attachments (small, and needed before any post refers to
//! them); the second takes posts and pages with their comments, one transaction per batch.
//! What each source item became is recorded in `import_items` with a fingerprint of its text,
//! so a second run updates what changed at the source and duplicates nothing, and a run that
//! stopped can be run again. A file that turns out broken stops the import with the line and
//! column, after the last whole batch.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::jobs::{self, Job};
use crate::news::text::{plain_text, text_of_html};
use crate::news::{ArticleStatus, CommentStatus, Lang};
use crate::progress::Progress;
use crate::store::articles::{self, NewArticle};
use crate::store::comments::{self, NewComment};
use crate::store::imports::{self, ImportedArticle, NewPage};
use crate::store::redirects::{self, RedirectTarget};
use crate::store::sections::{self, NewSection};
use crate::store::users::{self, NewUser};
use crate::store::{Db, StoreError, Tx, media as media_store, now_ms};
use crate::wxr::content::{self, MediaResolver, ShortcodeCounts};
use crate::wxr::{self, Channel, Entry, Item, TermKind, WxrError, WxrReader};

/// How to run an import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub file: PathBuf,
    /// A copy of the site's `wp-content/uploads` folder.
    pub uploads_dir: Option<PathBuf>,
    /// Read and check everything, write nothing.
    pub dry_run: bool,
    /// Items per transaction.
    pub batch: usize,
    /// Draw a progress bar on stderr.
    pub progress: bool,
    /// Where imported files go (the site's media directory).
    pub media_dir: PathBuf,
}

/// Why an import stopped.
#[derive(Debug)]
pub enum ImportError {
    /// The file could not be opened or read.
    Io(String),
    /// The file is not well-formed WXR: where, what, and how far the import got.
    Format {
        error: WxrError,
        report: Box<Report>,
    },
    Store(StoreError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Io(message) => f.write_str(message),
            ImportError::Format { error, report } => write!(
                f,
                "the file is not valid WXR at {error}; {} — fix the file and run the same command again (it resumes)",
                report.progress_line()
            ),
            ImportError::Store(e) => write!(f, "the database refused a write: {e}"),
        }
    }
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(e.into())
    }
}

/// What an import did (or, dry, would do).
#[derive(Debug, Default)]
pub struct Report {
    pub source: String,
    pub dry_run: bool,
    /// Per kind (article, page, section, tag, author, media, comment): created, updated, unchanged.
    pub counts: BTreeMap<&'static str, [u64; 3]>,
    /// Skipped items per reason, and the first few of them by id.
    pub skipped: BTreeMap<String, u64>,
    pub skipped_examples: Vec<String>,
    /// Attachments whose file was not in the uploads folder.
    pub missing_media: Vec<String>,
    pub shortcodes: ShortcodeCounts,
    pub redirects: u64,
    pub subscriptions: u64,
    /// Articles whose links to the old site now point at the imported pages.
    pub relinked: u64,
    /// Items of the second pass committed.
    pub items_done: u64,
    /// The last source item committed (post id), for the "how far" line.
    pub last_committed: Option<String>,
    pub seconds: f64,
}

const CREATED: usize = 0;
const UPDATED: usize = 1;
const UNCHANGED: usize = 2;

/// What a run does to a source item: it was never imported, it changed since, or not.
fn change_of(known: &Option<(i64, String)>, fingerprint: &str) -> usize {
    match known {
        Some((_, old)) if old == fingerprint => UNCHANGED,
        Some(_) => UPDATED,
        None => CREATED,
    }
}

impl Report {
    fn count(&mut self, kind: &'static str, what: usize) {
        self.counts.entry(kind).or_default()[what] += 1;
    }

    fn skip(&mut self, what: String, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_default() += 1;
        if self.skipped_examples.len() < 50 {
            self.skipped_examples.push(format!("{what}: {reason}"));
        }
    }

    /// Counts of one kind: (created, updated, unchanged).
    pub fn of(&self, kind: &str) -> (u64, u64, u64) {
        self.counts.get(kind).map(|c| (c[0], c[1], c[2])).unwrap_or_default()
    }

    fn progress_line(&self) -> String {
        match &self.last_committed {
            Some(id) => format!("{} items were imported, up to item {id}, in whole batches", self.items_done),
            None => "nothing from the items was imported".to_string(),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run { "would import (dry run, nothing written)" } else { "imported" };
        writeln!(f, "{verb} from {} in {:.1} s", self.source, self.seconds)?;
        for (kind, [created, updated, unchanged]) in &self.counts {
            writeln!(f, "  {kind:<10} {created} new, {updated} updated, {unchanged} unchanged")?;
        }
        writeln!(f, "  old addresses answering with a 301: {}", self.redirects)?;
        if self.relinked > 0 {
            writeln!(f, "  articles whose links to the old site were pointed here: {}", self.relinked)?;
        }
        if self.subscriptions > 0 {
            writeln!(f, "  comment subscriptions waiting for confirmation: {}", self.subscriptions)?;
        }
        for (name, n) in &self.shortcodes.converted {
            writeln!(f, "  shortcode [{name}] converted: {n}")?;
        }
        for (name, n) in &self.shortcodes.removed {
            writeln!(f, "  shortcode [{name}] removed: {n}")?;
        }
        for (reason, n) in &self.skipped {
            writeln!(f, "  skipped ({reason}): {n}")?;
        }
        for example in &self.skipped_examples {
            writeln!(f, "    {example}")?;
        }
        if !self.missing_media.is_empty() {
            writeln!(f, "  media files not found in the uploads folder: {}", self.missing_media.len())?;
            for missing in self.missing_media.iter().take(100) {
                writeln!(f, "    {missing}")?;
            }
        }
        Ok(())
    }
}

/// An attachment of the source site, as the posts refer to it.
#[derive(Clone, Debug, Default)]
struct Attachment {
    old_url: String,
    /// Path under the uploads folder (`2019/03/photo.jpg`).
    file: String,
    alt: String,
    caption: String,
    media_id: Option<i64>,
    new_url: Option<String>,
}

/// Everything the second pass needs from the first.
struct Context {
    source: String,
    channel: Channel,
    language: Lang,
    tz: chrono_tz::Tz,
    dry_run: bool,
    /// Category slug (as in the file) → section id (0 in a dry run).
    sections: HashMap<String, i64>,
    /// Author login → user id.
    authors: HashMap<String, i64>,
    attachments: HashMap<String, Attachment>,
    /// Old upload address → new address.
    uploads: HashMap<String, String>,
    /// Tag slug in the file → tag name.
    tag_names: HashMap<String, String>,
}

impl MediaResolver for Context {
    fn attachment(&self, id: &str) -> Option<(String, String, String)> {
        let a = self.attachments.get(id)?;
        Some((a.new_url.clone()?, a.alt.clone(), a.caption.clone()))
    }

    fn rewrite(&self, url: &str) -> Option<String> {
        self.uploads.get(url).or_else(|| self.uploads.get(&content::original_upload_url(url))).cloned()
    }
}

fn open(path: &Path) -> Result<WxrReader<BufReader<std::fs::File>>, ImportError> {
    let file =
        std::fs::File::open(path).map_err(|e| ImportError::Io(format!("cannot open {}: {e}", path.display())))?;
    Ok(WxrReader::new(BufReader::with_capacity(256 * 1024, file)))
}

fn format_error(path: &Path, error: WxrError, report: Report) -> ImportError {
    let located = match std::fs::File::open(path) {
        Ok(file) => error.locate(BufReader::new(file)),
        Err(_) => error,
    };
    ImportError::Format { error: located, report: Box::new(report) }
}

/// A stable hash of the parts of an item that an import writes.
fn fingerprint(parts: &[&str]) -> String {
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0);
    }
    crate::secrets::hash_bytes(&bytes)[..32].to_string()
}

/// The path (and WordPress query) of an address on the old site; `None` for other sites.
fn old_path(url: &str, source: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    let host = |u: &str| -> String {
        let rest = u.split_once("://").map(|(_, r)| r).unwrap_or(u);
        rest.split(['/', '?', '#']).next().unwrap_or("").trim_start_matches("www.").to_ascii_lowercase()
    };
    if url.starts_with('/') {
        return Some(url.to_string());
    }
    if host(url) != host(source) {
        return None;
    }
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.find(['/', '?']).map(|i| &rest[i..]).unwrap_or("/");
    let path = path.split('#').next().unwrap_or(path);
    Some(if path.starts_with('?') { format!("/{path}") } else { path.to_string() })
}

/// A comment's text from its HTML: paragraphs and line breaks kept as lines.
fn comment_text(html: &str) -> String {
    let with_breaks = html
        .replace("\r\n", "\n")
        .replace("<br />", "\n")
        .replace("<br/>", "\n")
        .replace("<br>", "\n")
        .replace("</p>", "\n\n");
    let lines: Vec<String> = with_breaks.split('\n').map(text_of_html).collect();
    let joined = lines.join("\n");
    let mut out = String::with_capacity(joined.len());
    for part in joined.split("\n\n\n") {
        out.push_str(part);
        out.push_str("\n\n");
    }
    out.trim().to_string()
}

/// Runs an import.
pub async fn import_wxr(db: &Db, options: &ImportOptions) -> Result<Report, ImportError> {
    let started = Instant::now();
    let file_size = std::fs::metadata(&options.file)
        .map_err(|e| ImportError::Io(format!("cannot open {}: {e}", options.file.display())))?
        .len();
    let mut report = Report { dry_run: options.dry_run, ..Report::default() };
    let site = crate::store::settings::site(db).await?;
    let tz: chrono_tz::Tz = site.time_zone.parse().unwrap_or(chrono_tz::UTC);

    // First pass: the site, its people, its terms, its attachments.
    let mut reader = open(&options.file)?;
    let mut channel = Channel::default();
    let mut authors = Vec::new();
    let mut terms = Vec::new();
    let mut attachments: HashMap<String, Attachment> = HashMap::new();
    let mut items_total: u64 = 0;
    let mut bar = Progress::new("reading ", file_size);
    loop {
        let entry = match reader.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(error) => return Err(format_error(&options.file, error, report)),
        };
        match entry {
            Entry::Channel(c) => channel = c,
            Entry::Author(a) => authors.push(a),
            Entry::Term(t) => terms.push(t),
            Entry::Item(item) if item.post_type == "attachment" => {
                let file = item
                    .meta("_wp_attached_file")
                    .map(str::to_string)
                    .unwrap_or_else(|| item.attachment_url.split("/uploads/").nth(1).unwrap_or("").to_string());
                let caption = text_of_html(&item.excerpt);
                attachments.insert(
                    item.post_id.clone(),
                    Attachment {
                        old_url: item.attachment_url.clone(),
                        file,
                        alt: item.meta("_wp_attachment_image_alt").unwrap_or("").to_string(),
                        caption,
                        media_id: None,
                        new_url: None,
                    },
                );
            }
            Entry::Item(_) => items_total += 1,
        }
        if options.progress {
            bar.show(reader.position(), items_total, "items");
        }
    }
    if options.progress {
        bar.done(file_size, items_total, "items");
    }
    report.source = channel.source();
    if report.source.is_empty() {
        return Err(ImportError::Io(format!(
            "{} names no site (no <wp:base_site_url> nor <link> in its channel): is it a WXR export?",
            options.file.display()
        )));
    }
    let language = channel
        .language
        .split(['-', '_'])
        .next()
        .and_then(|code| Lang::parse(&code.to_ascii_lowercase()))
        .unwrap_or(site.default_language);
    let mut ctx = Context {
        source: report.source.clone(),
        channel,
        language,
        tz,
        dry_run: options.dry_run,
        sections: HashMap::new(),
        authors: HashMap::new(),
        attachments,
        uploads: HashMap::new(),
        tag_names: HashMap::new(),
    };

    import_people_and_terms(db, &mut ctx, &authors, &terms, &mut report).await?;
    import_attachments(db, &mut ctx, options, &mut report).await?;

    // Second pass: posts and pages, with their comments, in batches.
    let mut reader = open(&options.file)?;
    let mut bar = Progress::new("importing", file_size);
    let mut batch: Option<Tx> = None;
    let mut in_batch = 0usize;
    let mut last_in_batch: Option<String> = None;
    let mut pending_report = Report::default();
    loop {
        let entry = match reader.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(error) => {
                // The open batch is rolled back with the transaction: only whole batches stay.
                drop(batch.take());
                report.seconds = started.elapsed().as_secs_f64();
                return Err(format_error(&options.file, error, report));
            }
        };
        let Entry::Item(item) = entry else { continue };
        if item.post_type == "attachment" {
            continue;
        }
        if batch.is_none() && !options.dry_run {
            batch = Some(db.begin().await?);
        }
        import_item(batch.as_mut(), db, &ctx, &item, &mut pending_report).await?;
        in_batch += 1;
        last_in_batch = Some(item.post_id.clone());
        if in_batch >= options.batch.max(1) {
            if let Some(tx) = batch.take() {
                tx.commit().await?;
            }
            merge(&mut report, std::mem::take(&mut pending_report), in_batch as u64, last_in_batch.take());
            in_batch = 0;
        }
        if options.progress {
            bar.show(reader.position(), report.items_done + in_batch as u64, "items");
        }
    }
    if let Some(tx) = batch.take() {
        tx.commit().await?;
    }
    merge(&mut report, pending_report, in_batch as u64, last_in_batch);
    if options.progress {
        bar.done(file_size, report.items_done, "items");
    }
    if !options.dry_run {
        report.relinked = relink(db, &ctx.source).await?;
        crate::store::search::optimize(db).await?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Adds a committed batch's counts to the report.
fn merge(report: &mut Report, batch: Report, items: u64, last: Option<String>) {
    for (kind, counts) in batch.counts {
        let entry = report.counts.entry(kind).or_default();
        for i in 0..3 {
            entry[i] += counts[i];
        }
    }
    for (reason, n) in batch.skipped {
        *report.skipped.entry(reason).or_default() += n;
    }
    for example in batch.skipped_examples {
        if report.skipped_examples.len() < 50 {
            report.skipped_examples.push(example);
        }
    }
    report.shortcodes.add(&batch.shortcodes);
    report.redirects += batch.redirects;
    report.subscriptions += batch.subscriptions;
    report.items_done += items;
    if last.is_some() {
        report.last_committed = last;
    }
}

/// Authors become users who cannot log in until invited; categories become sections (parents
/// first); tags keep their names. One transaction.
async fn import_people_and_terms(
    db: &Db,
    ctx: &mut Context,
    authors: &[wxr::Author],
    terms: &[wxr::Term],
    report: &mut Report,
) -> Result<(), ImportError> {
    let mut tx = db.begin().await?;
    for author in authors {
        let login = if author.login.is_empty() { author.display_name.clone() } else { author.login.clone() };
        let email = if crate::news::looks_like_email(&author.email) {
            users::normalize_email(&author.email)
        } else {
            // An author without an address still signs articles; the address is a placeholder
            // an admin replaces before inviting them.
            format!("{}@imported.invalid", crate::news::slug::slugify(&login))
        };
        let name = [author.display_name.as_str(), &format!("{} {}", author.first_name, author.last_name), &login]
            .into_iter()
            .map(str::trim)
            .find(|n| !n.is_empty())
            .unwrap_or("Auteur")
            .to_string();
        let fp = fingerprint(&[&email, &name]);
        let known = imports::lookup(&mut tx, &ctx.source, "author", &login).await?;
        let id = match (known, imports::user_by_email(&mut tx, &email).await?) {
            (Some((id, old)), _) => {
                report.count("author", if old == fp { UNCHANGED } else { UPDATED });
                id
            }
            (None, Some(id)) => {
                report.count("author", UNCHANGED);
                id
            }
            (None, None) => {
                report.count("author", CREATED);
                if ctx.dry_run {
                    0
                } else {
                    let user = users::insert(
                        &mut tx,
                        &NewUser {
                            email: &email,
                            name: &name,
                            role: crate::news::Role::Journalist,
                            password_hash: None,
                            bio: "",
                        },
                    )
                    .await?;
                    users::set_disabled(&mut tx, user.id, true).await?;
                    user.id
                }
            }
        };
        if !ctx.dry_run {
            imports::record(&mut tx, &ctx.source, "author", &login, id, &fp).await?;
            if let Some(slug) = author_slug(&mut tx, id).await? {
                redirects::put(
                    &mut tx,
                    &format!("/author/{}", author.login),
                    RedirectTarget::Path(&format!("/auteur/{slug}")),
                )
                .await?;
                report.redirects += 1;
            }
        }
        ctx.authors.insert(author.login.clone(), id);
    }

    // Categories, parents before children whatever the file's order.
    let categories: Vec<&wxr::Term> = terms.iter().filter(|t| t.kind == TermKind::Category).collect();
    let mut placed: Vec<&wxr::Term> = Vec::new();
    let mut left: Vec<&wxr::Term> = categories.clone();
    while !left.is_empty() {
        let before = left.len();
        left.retain(|t| {
            let ready = t.parent_slug.is_empty()
                || placed.iter().any(|p| p.slug == t.parent_slug)
                || !categories.iter().any(|c| c.slug == t.parent_slug);
            if ready {
                placed.push(t);
            }
            !ready
        });
        if left.len() == before {
            // A cycle of parents: take the rest as top-level sections.
            placed.append(&mut left);
        }
    }
    let existing = sections::all(db).await?;
    let mut position = existing.iter().map(|s| s.position).max().unwrap_or(0);
    for term in placed {
        let wanted = crate::news::slug::slugify(&wxr::percent_decode(&term.slug));
        let known = imports::lookup(&mut tx, &ctx.source, "category", &term.slug).await?;
        let parent_id = ctx.sections.get(&term.parent_slug).copied().filter(|id| *id != 0);
        let fp = fingerprint(&[&term.name, &term.parent_slug, &term.description]);
        let slug = match &known {
            Some((id, _)) => sections::by_id(db, *id).await?.map(|s| s.slug).unwrap_or(wanted.clone()),
            None => free_section_slug(&mut tx, &wanted, &existing).await?,
        };
        let mut names = BTreeMap::new();
        names.insert(ctx.language, text_of_html(&term.name));
        let mut descriptions = BTreeMap::new();
        if !term.description.is_empty() {
            descriptions.insert(ctx.language, text_of_html(&term.description));
        }
        let what = change_of(&known, &fp);
        report.count("section", what);
        let id = if ctx.dry_run || what == UNCHANGED {
            known.map(|(id, _)| id).unwrap_or(0)
        } else {
            position += 1;
            let id = sections::upsert(
                &mut tx,
                &NewSection {
                    slug: &slug,
                    parent_id,
                    position,
                    names: &names,
                    descriptions: &descriptions,
                    kind: "news",
                },
            )
            .await?;
            imports::record(&mut tx, &ctx.source, "category", &term.slug, id, &fp).await?;
            id
        };
        if !ctx.dry_run {
            let mut old = vec![format!("/category/{}", term.slug)];
            if !term.id.is_empty() {
                old.push(format!("/?cat={}", term.id));
                old.push(format!("/_r{}.html", term.id));
            }
            for path in old {
                redirects::put(&mut tx, &path, RedirectTarget::Section(id)).await?;
                report.redirects += 1;
            }
        }
        ctx.sections.insert(term.slug.clone(), id);
    }
    // Nested category addresses (/category/monde/afrique) as WordPress writes them.
    if !ctx.dry_run {
        for term in &categories {
            let mut chain = vec![term.slug.clone()];
            let mut parent = term.parent_slug.clone();
            while let Some(p) = categories.iter().find(|c| c.slug == parent && !chain.contains(&c.slug)) {
                chain.insert(0, p.slug.clone());
                parent = p.parent_slug.clone();
            }
            if chain.len() > 1
                && let Some(id) = ctx.sections.get(&term.slug)
            {
                redirects::put(&mut tx, &format!("/category/{}", chain.join("/")), RedirectTarget::Section(*id))
                    .await?;
                report.redirects += 1;
            }
        }
    }

    for term in terms.iter().filter(|t| t.kind == TermKind::Tag) {
        let name = if term.name.is_empty() { wxr::percent_decode(&term.slug) } else { text_of_html(&term.name) };
        ctx.tag_names.insert(term.slug.clone(), name.clone());
        let known = imports::lookup(&mut tx, &ctx.source, "tag", &term.slug).await?;
        let fp = fingerprint(&[&name]);
        report.count("tag", change_of(&known, &fp));
        if !ctx.dry_run {
            let id = crate::store::tags::ensure(&mut tx, &name).await?;
            imports::record(&mut tx, &ctx.source, "tag", &term.slug, id, &fp).await?;
            let ours = crate::news::slug::slugify(&name);
            redirects::put(&mut tx, &format!("/tag/{}", term.slug), RedirectTarget::Path(&format!("/tag/{ours}")))
                .await?;
            report.redirects += 1;
        }
    }
    if ctx.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}

async fn author_slug(tx: &mut Tx, id: i64) -> Result<Option<String>, ImportError> {
    let row = sqlx::query("select slug from users where id = $1").bind(id).fetch_optional(&mut **tx).await?;
    Ok(row.map(|r| crate::store::col(&r, "slug")).transpose()?)
}

/// A section slug free among sections and pages, and not one of the site's own paths.
async fn free_section_slug(
    tx: &mut Tx,
    wanted: &str,
    existing: &[crate::store::sections::Section],
) -> Result<String, ImportError> {
    let mut slug = wanted.to_string();
    for n in 2.. {
        let reserved = sections::RESERVED_SLUGS.contains(&slug.as_str());
        let taken = existing.iter().any(|s| s.slug == slug)
            || sqlx::query("select id from sections where slug = $1 union all select id from pages where slug = $1")
                .bind(slug.clone())
                .fetch_optional(&mut **tx)
                .await?
                .is_some();
        if !reserved && !taken {
            break;
        }
        slug = format!("{wanted}-{n}");
    }
    Ok(slug)
}

/// Copies attachments' files from the uploads folder into the media directory (images only;
/// every refusal and missing file is listed in the report), in batches.
async fn import_attachments(
    db: &Db,
    ctx: &mut Context,
    options: &ImportOptions,
    report: &mut Report,
) -> Result<(), ImportError> {
    let mut ids: Vec<String> = ctx.attachments.keys().cloned().collect();
    ids.sort_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX));
    for chunk in ids.chunks(100) {
        let mut tx = db.begin().await?;
        for id in chunk {
            let Some(attachment) = ctx.attachments.get(id).cloned() else { continue };
            let known = imports::lookup(&mut tx, &ctx.source, "attachment", id).await?;
            if let Some((media_id, _)) = known
                && let Some(key) = media_store::key_of(db, media_id).await?
            {
                let url = format!("/media/{key}");
                ctx.uploads.insert(attachment.old_url.clone(), url.clone());
                if let Some(a) = ctx.attachments.get_mut(id) {
                    a.media_id = Some(media_id);
                    a.new_url = Some(url);
                }
                report.count("media", UNCHANGED);
                continue;
            }
            let path = options.uploads_dir.as_ref().map(|dir| dir.join(&attachment.file));
            let Some(path) = path.filter(|p| !attachment.file.is_empty() && p.is_file()) else {
                report.missing_media.push(format!(
                    "{id}: {}",
                    if attachment.file.is_empty() { &attachment.old_url } else { &attachment.file }
                ));
                continue;
            };
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    report.skip(format!("attachment {id}"), &format!("cannot read {}: {e}", path.display()));
                    continue;
                }
            };
            let name = attachment.file.rsplit('/').next().unwrap_or("").to_string();
            let checked =
                match tokio::task::spawn_blocking(move || crate::media::upload::check(&bytes, &name, 64 * 1024 * 1024))
                    .await
                {
                    Ok(Ok(image)) => image,
                    Ok(Err(refusal)) => {
                        report.skip(
                            format!("attachment {id} ({})", attachment.file),
                            &format!("not imported as an image: {refusal:?}"),
                        );
                        continue;
                    }
                    Err(e) => return Err(ImportError::Io(format!("image check failed: {e}"))),
                };
            report.count("media", CREATED);
            if ctx.dry_run {
                continue;
            }
            let key = crate::media::store_bytes(&options.media_dir, &checked.bytes, checked.extension)
                .map_err(|e| ImportError::Io(format!("cannot write into {}: {e}", options.media_dir.display())))?;
            let media_id = media_store::insert(
                &mut tx,
                &media_store::NewMedia {
                    storage_key: key.clone(),
                    original_name: attachment.file.rsplit('/').next().unwrap_or("").to_string(),
                    mime: checked.mime.to_string(),
                    width: i64::from(checked.width),
                    height: i64::from(checked.height),
                    byte_size: checked.bytes.len() as i64,
                    caption: attachment.caption.clone(),
                    credit: String::new(),
                    alt: attachment.alt.clone(),
                    uploaded_by: None,
                },
            )
            .await?;
            jobs::enqueue(&mut tx, &Job::MakeVariants { media_id }, now_ms(), 8).await?;
            imports::record(&mut tx, &ctx.source, "attachment", id, media_id, &key).await?;
            let url = format!("/media/{key}");
            ctx.uploads.insert(attachment.old_url.clone(), url.clone());
            if let Some(a) = ctx.attachments.get_mut(id) {
                a.media_id = Some(media_id);
                a.new_url = Some(url);
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The status an article takes from a WordPress post status; `None`: not imported.
fn article_status(status: &str) -> Option<ArticleStatus> {
    Some(match status {
        "publish" => ArticleStatus::Published,
        "draft" | "auto-draft" => ArticleStatus::Draft,
        "pending" => ArticleStatus::Review,
        "future" => ArticleStatus::Scheduled,
        "private" => ArticleStatus::Unpublished,
        _ => return None,
    })
}

/// A post's time: the GMT field, else the local one in the site's zone.
fn item_time(item: &Item, tz: chrono_tz::Tz) -> Option<i64> {
    wxr::parse_gmt(&item.post_date_gmt).or_else(|| wxr::parse_local(&item.post_date, tz))
}

async fn import_item(
    tx: Option<&mut Tx>,
    db: &Db,
    ctx: &Context,
    item: &Item,
    report: &mut Report,
) -> Result<(), ImportError> {
    match item.post_type.as_str() {
        "post" | "" => import_post(tx, db, ctx, item, report).await,
        "page" => import_page(tx, db, ctx, item, report).await,
        other => {
            report.skip(format!("item {} ({other})", item.post_id), &format!("a WordPress {other}, not content"));
            Ok(())
        }
    }
}

async fn lookup_any(
    tx: &mut Option<&mut Tx>,
    db: &Db,
    source: &str,
    kind: &str,
    id: &str,
) -> Result<Option<(i64, String)>, ImportError> {
    Ok(match tx {
        Some(tx) => imports::lookup(tx, source, kind, id).await?,
        None => {
            let mut conn = db.reader().acquire().await?;
            imports::lookup(&mut conn, source, kind, id).await?
        }
    })
}

async fn import_post(
    mut tx: Option<&mut Tx>,
    db: &Db,
    ctx: &Context,
    item: &Item,
    report: &mut Report,
) -> Result<(), ImportError> {
    let Some(status) = article_status(&item.status) else {
        report.skip(format!("post {} «{}»", item.post_id, item.title), &format!("status {:?}", item.status));
        return Ok(());
    };
    let language = item
        .terms_of("language")
        .next()
        .and_then(|t| Lang::parse(&t.nicename.to_ascii_lowercase()))
        .unwrap_or_else(|| written_in(&item.title, &item.content, ctx.language));
    let converted = content::convert(&item.content, ctx);
    let title = text_of_html(&item.title);
    let title = if title.is_empty() { format!("Sans titre ({})", item.post_id) } else { title };
    let lead = {
        let excerpt = text_of_html(&item.excerpt);
        if excerpt.is_empty() { crate::news::excerpt::excerpt(&plain_text(&converted.html), 240) } else { excerpt }
    };
    let at = item_time(item, ctx.tz);
    let publish_at = match status {
        ArticleStatus::Draft | ArticleStatus::Review => None,
        _ => at,
    };
    let section_id = item.terms_of("category").find_map(|t| ctx.sections.get(&t.nicename).copied());
    let tags: Vec<String> = item
        .terms_of("post_tag")
        .map(|t| ctx.tag_names.get(&t.nicename).cloned().unwrap_or_else(|| text_of_html(&t.name)))
        .filter(|t| !t.trim().is_empty())
        .collect();
    let author_ids: Vec<i64> = ctx.authors.get(&item.creator).copied().into_iter().filter(|id| *id != 0).collect();
    let featured = item.meta("_thumbnail_id").and_then(|id| ctx.attachments.get(id));
    let comments_mode = if item.comment_status == "closed" { "closed" } else { "open" };
    let fp = fingerprint(&[
        &item.title,
        &item.content,
        &item.excerpt,
        &item.status,
        &item.post_date_gmt,
        &item.post_date,
        &format!(
            "{:?}{:?}{:?}",
            item.terms.iter().map(|t| &t.nicename).collect::<Vec<_>>(),
            item.creator,
            item.meta("_thumbnail_id")
        ),
        &item.comment_status,
    ]);
    let known = lookup_any(&mut tx, db, &ctx.source, "post", &item.post_id).await?;
    report.shortcodes.add(&converted.shortcodes);
    let what = change_of(&known, &fp);
    report.count("article", what);
    let Some(tx) = tx else {
        // A dry run still reads the comments, for the counts.
        for comment in &item.comments {
            if is_comment(comment) {
                report.count("comment", CREATED);
            }
        }
        return Ok(());
    };
    let section_id = match section_id {
        Some(id) => id,
        None => fallback_section(tx, ctx).await?,
    };
    let article_id = match (what, &known) {
        (UNCHANGED, Some((id, _))) => *id,
        (UPDATED, Some((id, _))) => {
            imports::update_article(
                tx,
                *id,
                &ImportedArticle {
                    title: &title,
                    lead: &lead,
                    body_markdown: &converted.markdown,
                    body_html: &converted.html,
                    section_id,
                    language,
                    status,
                    publish_at,
                    featured_media_id: featured.and_then(|f| f.media_id),
                    featured_caption: featured.map(|f| f.caption.as_str()).unwrap_or(""),
                    featured_alt: featured.map(|f| f.alt.as_str()).unwrap_or(""),
                    comments_mode,
                    author_ids: &author_ids,
                    tags: &tags,
                },
            )
            .await?;
            *id
        }
        _ => {
            articles::insert(
                tx,
                &NewArticle {
                    slug: wxr::percent_decode(&item.post_name),
                    section_id,
                    language,
                    translation_group: None,
                    title: title.clone(),
                    lead: lead.clone(),
                    body_markdown: converted.markdown.clone(),
                    body_html: converted.html.clone(),
                    signature: String::new(),
                    status,
                    publish_at,
                    featured_media_id: featured.and_then(|f| f.media_id),
                    featured_caption: featured.map(|f| f.caption.clone()).unwrap_or_default(),
                    featured_credit: String::new(),
                    featured_alt: featured.map(|f| f.alt.clone()).unwrap_or_default(),
                    front_position: None,
                    comments_mode: comments_mode.to_string(),
                    author_ids: author_ids.clone(),
                    tags: tags.clone(),
                    created_by: None,
                    created_at: at,
                },
            )
            .await?
        }
    };
    if what != UNCHANGED {
        imports::record(tx, &ctx.source, "post", &item.post_id, article_id, &fp).await?;
        if status == ArticleStatus::Scheduled
            && let Some(at) = publish_at
        {
            jobs::enqueue(tx, &Job::PublishArticle { article_id }, at, 8).await?;
        }
        for path in old_addresses(ctx, item) {
            redirects::put(tx, &path, RedirectTarget::Article(article_id)).await?;
            report.redirects += 1;
        }
    }
    import_comments(tx, ctx, item, article_id, language, report).await
}

/// Every address the old site answered this item at.
fn old_addresses(ctx: &Context, item: &Item) -> Vec<String> {
    let mut out = Vec::new();
    for url in [&item.link, &item.guid] {
        if let Some(path) = old_path(url, &ctx.source)
            && path != "/"
        {
            out.push(path);
        }
    }
    if !item.post_id.is_empty() {
        let key = if item.post_type == "page" { "page_id" } else { "p" };
        out.push(format!("/?{key}={}", item.post_id));
        if ctx.channel.is_wmaker() || out.iter().any(|p| redirects::normalize(p).starts_with("/_a")) {
            out.push(format!("/_a{}.html", item.post_id));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Points links to the old site's articles and sections, in every imported article, at their
/// new addresses (done once all items are in, since a post links to posts after it). Links to
/// what was not imported stay as they were.
async fn relink(db: &Db, source: &str) -> Result<u64, ImportError> {
    let host = source.split_once("://").map(|(_, h)| h).unwrap_or(source).trim_start_matches("www.").to_string();
    let mut after = 0i64;
    let mut changed = 0u64;
    loop {
        let rows = sqlx::query(
            "select a.id, a.body_html, a.body_markdown from import_items i join articles a on a.id = i.local_id \
             where i.source = $1 and i.kind = 'post' and a.id > $2 order by a.id limit 200",
        )
        .bind(source.to_string())
        .bind(after)
        .fetch_all(db.reader())
        .await?;
        if rows.is_empty() {
            return Ok(changed);
        }
        let mut updates = Vec::new();
        for row in &rows {
            let id: i64 = crate::store::col(row, "id")?;
            after = id;
            let html: String = crate::store::col(row, "body_html")?;
            if !html.contains(&host) {
                continue;
            }
            let mut replacements = Vec::new();
            for link in links_to(&html, &host) {
                if let Some(path) = old_path(&link, source)
                    && let Some(to) = redirects::target(db, &path).await?
                {
                    replacements.push((link, to));
                }
            }
            if replacements.is_empty() {
                continue;
            }
            let markdown: String = crate::store::col(row, "body_markdown")?;
            let (mut html, mut markdown) = (html, markdown);
            for (from, to) in &replacements {
                let quoted = format!("\"{from}\"");
                let new = format!("\"{to}\"");
                html = html.replace(&quoted, &new);
                markdown = markdown.replace(&quoted, &new);
            }
            updates.push((id, html, markdown));
        }
        if !updates.is_empty() {
            let mut tx = db.begin().await?;
            for (id, html, markdown) in &updates {
                sqlx::query("update articles set body_html = $2, body_markdown = $3 where id = $1")
                    .bind(*id)
                    .bind(html.clone())
                    .bind(markdown.clone())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            changed += updates.len() as u64;
        }
    }
}

/// The `href` values of `html` that point at `host`.
fn links_to(html: &str, host: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some(end) = part.find('"') else { continue };
        let url = &part[..end];
        if url.contains(host) && (url.starts_with("http://") || url.starts_with("https://")) {
            out.push(url.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The language of a post that does not say: Arabic when its title and text are mostly in
/// Arabic script (WMaker exports carry no language per post), else the site's.
fn written_in(title: &str, content: &str, site: Lang) -> Lang {
    let sample: String = title.chars().chain(plain_text(content).chars().take(2000)).collect();
    let arabic = sample.chars().filter(|c| ('\u{0600}'..='\u{06FF}').contains(c)).count();
    let latin = sample.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if arabic > latin { Lang::Ar } else { site }
}

fn is_comment(comment: &wxr::Comment) -> bool {
    matches!(comment.kind.as_str(), "" | "comment")
}

/// Comments, parents before replies whatever the file's order, each once.
async fn import_comments(
    tx: &mut Tx,
    ctx: &Context,
    item: &Item,
    article_id: i64,
    language: Lang,
    report: &mut Report,
) -> Result<(), ImportError> {
    let mut left: Vec<&wxr::Comment> = Vec::new();
    for comment in &item.comments {
        if is_comment(comment) {
            left.push(comment);
        } else {
            report.skip(format!("comment {} on post {}", comment.id, item.post_id), &format!("a {}", comment.kind));
        }
    }
    let mut local: HashMap<String, i64> = HashMap::new();
    while !left.is_empty() {
        let before = left.len();
        let mut next = Vec::new();
        for comment in left {
            let parent = comment.parent.trim();
            let has_parent = !parent.is_empty() && parent != "0";
            let parent_here = item.comments.iter().any(|c| c.id == parent && is_comment(c));
            if has_parent && parent_here && !local.contains_key(parent) {
                next.push(comment);
                continue;
            }
            let parent_id = if has_parent { local.get(parent).copied() } else { None };
            let id = import_comment(tx, ctx, comment, article_id, parent_id, language, report).await?;
            local.insert(comment.id.clone(), id);
        }
        if next.len() == before {
            // Parents that never come (a cycle): import the rest as top-level comments.
            for comment in next {
                let id = import_comment(tx, ctx, comment, article_id, None, language, report).await?;
                local.insert(comment.id.clone(), id);
            }
            break;
        }
        left = next;
    }
    Ok(())
}

async fn import_comment(
    tx: &mut Tx,
    ctx: &Context,
    comment: &wxr::Comment,
    article_id: i64,
    parent_id: Option<i64>,
    language: Lang,
    report: &mut Report,
) -> Result<i64, ImportError> {
    let (status, screening) = match comment.approved.as_str() {
        "1" | "approve" | "approved" => (CommentStatus::Approved, "{\"imported\":\"approved\"}"),
        "spam" => (CommentStatus::Spam, "{\"imported\":\"spam\"}"),
        "trash" | "post-trashed" => (CommentStatus::Refused, "{\"imported\":\"trash\"}"),
        _ => (CommentStatus::Pending, "{\"imported\":\"pending\"}"),
    };
    let body = comment_text(&comment.content);
    let fp = fingerprint(&[&comment.approved, &comment.content]);
    let source_id = format!("{}#{}", article_id, comment.id);
    let known = imports::lookup(tx, &ctx.source, "comment", &source_id).await?;
    let id = match known {
        Some((id, old)) if old == fp => {
            report.count("comment", UNCHANGED);
            return Ok(id);
        }
        Some((id, _)) => {
            imports::update_comment(tx, id, status, &body, screening).await?;
            report.count("comment", UPDATED);
            id
        }
        None => {
            let email = users::normalize_email(&comment.author_email);
            let website = comment.author_url.trim();
            let id = comments::insert(
                tx,
                &NewComment {
                    article_id,
                    parent_id,
                    author_name: if comment.author.trim().is_empty() {
                        "Anonyme".into()
                    } else {
                        text_of_html(&comment.author)
                    },
                    author_email: email.clone(),
                    author_website: if website.starts_with("http://") || website.starts_with("https://") {
                        website.to_string()
                    } else {
                        String::new()
                    },
                    body,
                    language: language.code().to_string(),
                    status,
                    refusal_reason: None,
                    screening: screening.to_string(),
                    ip_hash: String::new(),
                    created_at: wxr::parse_gmt(&comment.date_gmt).or_else(|| wxr::parse_local(&comment.date, ctx.tz)),
                },
            )
            .await?;
            report.count("comment", CREATED);
            // WMaker's "notify me of new comments": a subscription the reader has yet to
            // confirm (no mail is sent by the import).
            let notify = ["notify", "wmaker_notify", "subscribe"]
                .iter()
                .any(|k| comment.meta(k).is_some_and(|v| v.trim() == "1"));
            if notify
                && crate::news::looks_like_email(&email)
                && comments::subscribe(tx, article_id, &email).await?.is_some()
            {
                report.subscriptions += 1;
            }
            id
        }
    };
    imports::record(tx, &ctx.source, "comment", &source_id, id, &fp).await?;
    Ok(id)
}

/// The section for posts without a category: "Archives", made once.
async fn fallback_section(tx: &mut Tx, ctx: &Context) -> Result<i64, ImportError> {
    let row = sqlx::query("select id from sections where slug = 'archives'").fetch_optional(&mut **tx).await?;
    if let Some(row) = row {
        return Ok(crate::store::col(&row, "id")?);
    }
    let mut names = BTreeMap::new();
    names.insert(ctx.language, "Archives".to_string());
    Ok(sections::upsert(
        tx,
        &NewSection {
            slug: "archives",
            parent_id: None,
            position: 1000,
            names: &names,
            descriptions: &BTreeMap::new(),
            kind: "news",
        },
    )
    .await?)
}

async fn import_page(
    mut tx: Option<&mut Tx>,
    db: &Db,
    ctx: &Context,
    item: &Item,
    report: &mut Report,
) -> Result<(), ImportError> {
    if !matches!(item.status.as_str(), "publish" | "private" | "draft" | "pending" | "future") {
        report.skip(format!("page {} «{}»", item.post_id, item.title), &format!("status {:?}", item.status));
        return Ok(());
    }
    let converted = content::convert(&item.content, ctx);
    report.shortcodes.add(&converted.shortcodes);
    let title = text_of_html(&item.title);
    let fp = fingerprint(&[&item.title, &item.content, &item.status]);
    let known = lookup_any(&mut tx, db, &ctx.source, "page", &item.post_id).await?;
    let what = change_of(&known, &fp);
    report.count("page", what);
    let Some(tx) = tx else { return Ok(()) };
    if what == UNCHANGED {
        return Ok(());
    }
    let wanted = wxr::percent_decode(&item.post_name);
    let page = NewPage {
        slug: if wanted.trim().is_empty() { &title } else { &wanted },
        language: ctx.language,
        title: &title,
        body_html: &converted.html,
        created_at: item_time(item, ctx.tz).unwrap_or_else(now_ms),
    };
    let (id, slug) = match known {
        Some((id, _)) => (id, imports::update_page(tx, id, &page).await?),
        None => imports::insert_page(tx, &page).await?,
    };
    imports::record(tx, &ctx.source, "page", &item.post_id, id, &fp).await?;
    for path in old_addresses(ctx, item) {
        if path != format!("/{slug}") {
            redirects::put(tx, &path, RedirectTarget::Path(&format!("/{slug}"))).await?;
            report.redirects += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_paths_keep_only_the_old_sites_addresses() {
        let source = "https://old.example.com";
        assert_eq!(old_path("https://old.example.com/2019/03/15/x/", source).as_deref(), Some("/2019/03/15/x/"));
        assert_eq!(old_path("http://www.old.example.com/?p=12", source).as_deref(), Some("/?p=12"));
        assert_eq!(old_path("https://old.example.com", source).as_deref(), Some("/"));
        assert_eq!(old_path("https://elsewhere.example/x", source), None);
    }

    #[test]
    fn comment_text_keeps_paragraphs_and_drops_markup() {
        assert_eq!(comment_text("<p>Bravo &amp; merci</p>\n<p>Deux<br />lignes</p>"), "Bravo & merci\n\nDeux\nlignes");
    }
}
