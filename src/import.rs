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
//!
//! `report.rs` counts, `terms.rs` and `attachments.rs` are the first pass, `posts.rs` and
//! `comments.rs` the second, `addresses.rs` the old site's addresses and the final relinking.

mod addresses;
mod attachments;
mod comments;
mod posts;
mod report;
mod terms;

pub use report::Report;

use std::collections::HashMap;
use std::fmt;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::news::Lang;
use crate::news::text::text_of_html;
use crate::progress::Progress;
use crate::store::{Db, StoreError, Tx};
use crate::wxr::content::MediaResolver;
use crate::wxr::{Channel, Entry, WxrError, WxrReader};

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
        self.uploads
            .get(url)
            .or_else(|| self.uploads.get(&crate::news::old_addresses::original_upload_url(url)))
            .cloned()
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

    terms::import_people_and_terms(db, &mut ctx, &authors, &terms, &mut report).await?;
    attachments::import_attachments(db, &mut ctx, options, &mut report).await?;

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
        posts::import_item(batch.as_mut(), db, &ctx, &item, &mut pending_report).await?;
        in_batch += 1;
        last_in_batch = Some(item.post_id.clone());
        if in_batch >= options.batch.max(1) {
            if let Some(tx) = batch.take() {
                tx.commit().await?;
            }
            report::merge(&mut report, std::mem::take(&mut pending_report), in_batch as u64, last_in_batch.take());
            in_batch = 0;
        }
        if options.progress {
            bar.show(reader.position(), report.items_done + in_batch as u64, "items");
        }
    }
    if let Some(tx) = batch.take() {
        tx.commit().await?;
    }
    report::merge(&mut report, pending_report, in_batch as u64, last_in_batch);
    if options.progress {
        bar.done(file_size, report.items_done, "items");
    }
    if !options.dry_run {
        report.relinked = addresses::relink(db, &ctx.source).await?;
        crate::store::search::optimize(db).await?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
