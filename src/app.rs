//! The application state, built once and passed to the router, the jobs and the tests.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::config::Config;
use crate::counters::Counters;
use crate::i18n::Catalog;
use crate::metrics::Metrics;
use crate::news::moderation::Screener;
use crate::render::Templates;
use crate::render::assets::Assets;
use crate::store::settings::{self, SiteSettings};
use crate::store::{Db, StoreError, StoreResult};

#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    config: Config,
    db: Db,
    templates: Templates,
    catalog: Arc<Catalog>,
    assets: Arc<Assets>,
    metrics: Metrics,
    counters: Counters,
    cache: crate::cache::PageCache,
    node_id: String,
    /// Key for hashes that must not be reversible without the database (addresses, likes).
    secret: Vec<u8>,
    site: RwLock<Arc<SiteSettings>>,
    /// The screening in force: the lists (reloaded when admins edit them), the patterns, and
    /// the classifier as the moderators' decisions taught it.
    screener: RwLock<Arc<Screener>>,
    /// Bumped by every change readers can see; the page cache keys on it.
    content_version: AtomicU64,
    /// The sections and ad slots, with the content version they were read at.
    page_parts: RwLock<Option<(u64, Arc<PageParts>)>>,
    /// Where this node's changes go to be told to the other nodes (PostgreSQL only; see
    /// `cluster`). Unset: a single node, nobody to tell.
    announcer: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<Change>>,
}

/// The screening from the database: the lists in force, and the shipped classifier taught
/// every moderator's decision since its last reset (oldest first, as they were made).
async fn load_screener(db: &Db) -> StoreResult<Screener> {
    let lists = crate::store::moderation::lists(db).await?;
    let lessons = crate::store::moderation::lessons(db, None).await?;
    let mut classifier = crate::news::moderation::classifier::shipped();
    for lesson in lessons.iter().rev() {
        classifier.learn(&lesson.body, lesson.ground);
    }
    Ok(Screener::new(&lists, crate::news::moderation::patterns::Patterns::shipped(), Arc::new(classifier)))
}

/// What changed, as a node announces it to the others (see `cluster`, which
/// carries it to them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Cached pages carrying these tags are wrong now (publish, edit, approval).
    Drop(Vec<String>),
    /// Cached pages carrying these tags show old counts: served on while re-rendered.
    Stale(Vec<String>),
    /// Cached pages carrying these tags must never be shown again, not even as a last copy
    /// during a database outage (a withdrawn article).
    Forget(Vec<String>),
    /// Every cached page is wrong (sections, menus, the front page's order).
    All,
    /// The site settings changed (and with them every page).
    Site,
    /// The moderation lists changed, or the classifier was reset.
    Moderation,
    /// Moderators decided on these comments: the classifier learns them.
    Learned(Vec<i64>),
}

/// What a write changed that readers see, to refresh once it is committed.
#[must_use]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Touched {
    Nothing,
    /// An article's text, status or place: its page and the lists that may show it.
    Article(i64),
    /// An article left the site: its page goes for good, on every node.
    Withdrawn(i64),
    /// What only these articles' own pages show (comments, counters).
    ArticlePages(Vec<i64>),
    /// Something many pages show (sections, the front page's order, a picture).
    Everything,
    /// The site settings, and with them every page.
    Site,
}

const SECRET_KEY: &str = "instance_secret";

impl AppState {
    /// Builds the state on a migrated database.
    pub async fn build(config: Config, db: Db) -> StoreResult<AppState> {
        let catalog = Arc::new(Catalog::load().map_err(StoreError::Other)?);
        let theme_dir = Some(config.theme.dir.clone()).filter(|d| !d.is_empty()).map(std::path::PathBuf::from);
        let assets = Arc::new(Assets::load(theme_dir.clone()));
        let templates = Templates::new(theme_dir, catalog.clone(), assets.clone());
        let secret = instance_secret(&db).await?;
        let site = settings::site(&db).await?;
        let cache =
            crate::cache::PageCache::new(config.cache.max_memory_mb, config.cache.enabled, config.cache.cdn_seconds);
        let screener = load_screener(&db).await?;
        Ok(AppState(Arc::new(Inner {
            screener: RwLock::new(Arc::new(screener)),
            config,
            db,
            templates,
            catalog,
            assets,
            metrics: Metrics::default(),
            counters: Counters::default(),
            cache,
            node_id: format!("{}-{}", hostname(), &crate::secrets::random_token(4)),
            secret,
            site: RwLock::new(Arc::new(site)),
            content_version: AtomicU64::new(1),
            page_parts: RwLock::new(None),
            announcer: std::sync::OnceLock::new(),
        })))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn templates(&self) -> &Templates {
        &self.0.templates
    }

    pub fn catalog(&self) -> &Catalog {
        &self.0.catalog
    }

    pub fn assets(&self) -> &Assets {
        &self.0.assets
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    pub fn counters(&self) -> &Counters {
        &self.0.counters
    }

    /// Identifies this process among the nodes, in job leases and logs.
    pub fn node_id(&self) -> &str {
        &self.0.node_id
    }

    pub fn secret(&self) -> &[u8] {
        &self.0.secret
    }

    /// The site settings as last loaded.
    pub fn site(&self) -> Arc<SiteSettings> {
        match self.0.site.read() {
            Ok(site) => site.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The screening in force.
    pub fn screener(&self) -> Arc<Screener> {
        match self.0.screener.read() {
            Ok(screener) => screener.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Rebuilds the screening after admins changed the lists or reset the classifier, here
    /// and on the other nodes.
    pub async fn reload_moderation(&self) -> StoreResult<()> {
        self.reload_moderation_here().await?;
        self.announce(Change::Moderation);
        Ok(())
    }

    /// Rebuilds the screening on this node only (another node changed it, or this node starts
    /// listening again): the lists, and the classifier from every decision since its reset.
    pub async fn reload_moderation_here(&self) -> StoreResult<()> {
        let fresh = Arc::new(load_screener(&self.0.db).await?);
        if let Ok(mut current) = self.0.screener.write() {
            *current = fresh;
        }
        Ok(())
    }

    /// The classifier learns the decisions just made on these comments, here and on the
    /// other nodes.
    pub async fn learn_decisions(&self, comment_ids: &[i64]) -> StoreResult<()> {
        self.learn_decisions_here(comment_ids).await?;
        self.announce(Change::Learned(comment_ids.to_vec()));
        Ok(())
    }

    /// The classifier learns decisions another node made, or this one.
    pub async fn learn_decisions_here(&self, comment_ids: &[i64]) -> StoreResult<()> {
        let lessons = crate::store::moderation::lessons(&self.0.db, Some(comment_ids)).await?;
        if lessons.is_empty() {
            return Ok(());
        }
        let current = self.screener();
        let mut classifier = (*current.classifier).clone();
        for lesson in &lessons {
            classifier.learn(&lesson.body, lesson.ground);
        }
        let fresh = Arc::new(Screener { classifier: Arc::new(classifier), ..(*current).clone() });
        if let Ok(mut slot) = self.0.screener.write() {
            *slot = fresh;
        }
        Ok(())
    }

    /// Reloads the settings after a change.
    pub async fn reload_site(&self) -> StoreResult<()> {
        self.reload_site_here().await?;
        self.announce(Change::Site);
        Ok(())
    }

    /// Reloads the settings on this node only (another node changed them) and forgets the
    /// pages made with the old ones.
    pub async fn reload_site_here(&self) -> StoreResult<()> {
        let fresh = Arc::new(settings::site(&self.0.db).await?);
        if let Ok(mut site) = self.0.site.write() {
            *site = fresh;
        }
        self.0.cache.clear();
        self.content_changed_elsewhere();
        Ok(())
    }

    /// From now on, this node's changes are sent to `sender` for the other nodes.
    pub fn start_announcing(&self, sender: tokio::sync::mpsc::UnboundedSender<Change>) {
        let _ = self.0.announcer.set(sender);
    }

    /// Tells the other nodes (if any) what this node changed.
    fn announce(&self, change: Change) {
        if let Some(announcer) = self.0.announcer.get() {
            let _ = announcer.send(change);
        }
    }

    /// Another node changed something readers see.
    pub fn content_changed_elsewhere(&self) {
        self.0.content_version.fetch_add(1, Ordering::SeqCst);
    }

    /// The rendered-page cache.
    pub fn cache(&self) -> &crate::cache::PageCache {
        &self.0.cache
    }

    /// Drops the cached pages carrying these tags.
    pub fn invalidate(&self, tags: &[String]) {
        self.0.cache.invalidate(tags);
        self.0.content_version.fetch_add(1, Ordering::SeqCst);
        self.announce(Change::Drop(tags.to_vec()));
    }

    /// Something that many pages show changed (settings, sections, a name, the front page
    /// order): every cached page goes.
    pub fn content_changed(&self) {
        self.0.cache.retire_all();
        self.0.content_version.fetch_add(1, Ordering::SeqCst);
        self.announce(Change::All);
    }

    /// An article changed (text, status, place): its page and the lists that may show it.
    pub fn article_changed(&self, article_id: i64) {
        let mut tags = vec![format!("article:{article_id}")];
        tags.extend(crate::news::Lang::ALL.iter().map(|l| format!("listings:{}", l.code())));
        self.invalidate(&tags);
    }

    /// An article left the site (unpublished): its page goes for good, last copy included, on
    /// every node, so that even a database outage cannot bring it back; the lists that showed
    /// it are rendered again.
    pub fn article_withdrawn(&self, article_id: i64) {
        let page = vec![format!("article:{article_id}")];
        self.0.cache.forget(&page);
        self.announce(Change::Forget(page));
        self.article_changed(article_id);
    }

    /// Writes the buffered counts and drops the cached pages that show the old ones.
    pub async fn flush_counters(&self) -> StoreResult<()> {
        let tags: Vec<String> =
            self.0.counters.flush(&self.0.db).await?.into_iter().map(|id| format!("article:{id}")).collect();
        // Stale, not dropped: the page is served on while one request renders the new counts.
        self.0.cache.mark_stale(&tags);
        if !tags.is_empty() {
            self.0.content_version.fetch_add(1, Ordering::SeqCst);
            self.announce(Change::Stale(tags));
        }
        Ok(())
    }

    /// Refreshes what a committed write changed (never before the commit: a page rendered in
    /// between would be cached with the old text).
    pub async fn refresh(&self, touched: Touched) -> StoreResult<()> {
        match touched {
            Touched::Nothing => {}
            Touched::Article(id) => self.article_changed(id),
            Touched::Withdrawn(id) => self.article_withdrawn(id),
            Touched::ArticlePages(ids) => {
                for id in ids {
                    self.article_page_changed(id);
                }
            }
            Touched::Everything => self.content_changed(),
            Touched::Site => self.reload_site().await?,
        }
        Ok(())
    }

    /// What only an article's own page shows changed (its comments, its counters).
    pub fn article_page_changed(&self, article_id: i64) {
        self.invalidate(&[format!("article:{article_id}")]);
    }

    pub fn content_version(&self) -> u64 {
        self.0.content_version.load(Ordering::SeqCst)
    }

    /// The sections and ad slots, read from the database once per content version rather
    /// than twice per page: every change to them (sections, settings, on this node or
    /// another) bumps the version, like any change readers can see.
    pub async fn page_parts(&self) -> StoreResult<Arc<PageParts>> {
        let version = self.content_version();
        if let Ok(slot) = self.0.page_parts.read()
            && let Some((read_at, parts)) = slot.as_ref()
            && *read_at == version
        {
            return Ok(parts.clone());
        }
        let db = &self.0.db;
        let (sections, ads) = tokio::try_join!(crate::store::sections::all(db), settings::ad_slots(db))?;
        let parts = Arc::new(PageParts { sections, ads });
        // Stamped with the version read before loading: a change made meanwhile makes the
        // next page read them again.
        if let Ok(mut slot) = self.0.page_parts.write() {
            *slot = Some((version, parts.clone()));
        }
        Ok(parts)
    }
}

/// What reader pages show around their content and that changes rarely.
#[derive(Debug)]
pub struct PageParts {
    /// Every section, in menu order.
    pub sections: Vec<crate::store::sections::Section>,
    /// Ad slot name → its HTML.
    pub ads: std::collections::BTreeMap<String, String>,
}

impl PageParts {
    /// A section and its sub-sections, the section first (as `articles::section_family`).
    pub fn family(&self, section_id: i64) -> Vec<i64> {
        let mut children: Vec<i64> =
            self.sections.iter().filter(|s| s.parent_id == Some(section_id)).map(|s| s.id).collect();
        children.sort_unstable();
        if !self.sections.iter().any(|s| s.id == section_id) {
            return Vec::new();
        }
        std::iter::once(section_id).chain(children).collect()
    }
}

/// The instance's secret, made on first start and kept in the database so every node shares it.
async fn instance_secret(db: &Db) -> StoreResult<Vec<u8>> {
    if let Some(secret) = settings::get::<String>(db, SECRET_KEY).await? {
        return Ok(secret.into_bytes());
    }
    let fresh = crate::secrets::random_token(32);
    Ok(settings::put_if_absent(db, SECRET_KEY, &fresh).await?.into_bytes())
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "node".into())
}
