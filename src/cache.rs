//! The rendered-page cache: reader pages kept in memory, already compressed (gzip and
//! brotli, made once per entry), served with `ETag` and `Last-Modified`, answering 304 when
//! the browser or a CDN has them.
//!
//! Precision comes from tags: a page is stored with the tags of what it shows (`article:12`,
//! `listings:fr`, `site`), and a change invalidates exactly the tags it touches (see
//! `app::AppState::invalidate`). Every entry also has a lifetime, so blocks that change by
//! themselves (the most read, the read counter) are never older than it. The cache has a
//! memory bound; past it, the least recently used entries go.
//!
//! A page is compressed at brotli quality 6 when it is stored (about a millisecond for an
//! article), so that a miss answers fast. Once it is read again, a background thread
//! compresses it once more at quality 11 (some 20 ms, a tenth smaller: an article's 6.5 KB
//! become 5.9) and swaps the smaller body in, at most [`FINISHING_PER_SECOND`] pages a
//! second, so that a burst of new pages costs the machine a bounded share of one core.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::Notify;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};

/// What a handler says about the page it made, as a response extension.
#[derive(Clone, Debug, Default)]
pub struct Cacheable {
    pub tags: Vec<String>,
    /// Seconds the page may be served from the cache.
    pub ttl_s: u64,
    /// The article a view of this page reads (counted on every hit too).
    pub article_id: Option<i64>,
    /// The route pattern that made the page ("/{section}/{slug}"), for the metrics of the
    /// hits answered before routing; the page cache layer fills it in.
    pub route: String,
}

impl Cacheable {
    pub fn new(ttl_s: u64, tags: impl IntoIterator<Item = String>) -> Cacheable {
        Cacheable { tags: tags.into_iter().collect(), ttl_s, article_id: None, route: String::new() }
    }
}

/// Marks a response as cacheable with these tags and lifetime.
pub fn mark(response: impl axum::response::IntoResponse, meta: Cacheable) -> axum::response::Response {
    let mut response = response.into_response();
    response.extensions_mut().insert(meta);
    response
}

/// The tags of a page that lists articles of a language.
pub fn listing_tags(lang: crate::news::Lang) -> Vec<String> {
    vec![format!("listings:{}", lang.code()), "site".to_string()]
}

/// One cached page in its three encodings, with the headers it is served with made once:
/// a hit formats nothing.
#[derive(Debug)]
pub struct Entry {
    pub identity: Bytes,
    /// Whether the entry was given to the background compression (or came out of it).
    finishing: std::sync::atomic::AtomicBool,
    pub gzip: Bytes,
    pub brotli: Bytes,
    pub headers: EntryHeaders,
    pub made_at_ms: i64,
    pub expires_at_ms: i64,
    pub tags: Vec<String>,
    pub article_id: Option<i64>,
    /// See [`Cacheable::route`].
    pub route: String,
    last_used: AtomicU64,
    /// Set when only a detail changed (the counts the page shows): the entry is still served
    /// while one request renders its successor.
    stale: std::sync::atomic::AtomicBool,
    /// When a request took on re-rendering a stale entry (0: none has).
    refresh_claimed_at_ms: AtomicI64,
    /// Set when the page changed: never served again, kept only as the last copy to answer
    /// with while the database is unreachable (see [`PageCache::last_copy`]).
    retired: std::sync::atomic::AtomicBool,
}

/// How long a request that took on a render has before another may take over (its render
/// failed, or answered something that is not cached).
const RENDER_CLAIM_MS: i64 = 5_000;

/// The response headers of a cached page, made once when it is stored.
#[derive(Clone, Debug)]
pub struct EntryHeaders {
    /// One validator per encoding (identity, gzip, brotli): the bodies differ.
    pub etags: [HeaderValue; 3],
    /// Every header of a `200` answer, one map per encoding (same order), the security
    /// headers and the page's tags for a CDN that purges by tag (Fastly, Varnish xkey:
    /// `Surrogate-Key`; Cloudflare: `Cache-Tag`) included: a hit clones one map instead of
    /// inserting a dozen headers.
    pub full: [HeaderMap; 3],
}

impl EntryHeaders {
    fn new(
        content_type: &str,
        body: &[u8],
        now_ms: i64,
        ttl_s: u64,
        cdn_seconds: u64,
        tags: &[String],
    ) -> EntryHeaders {
        let hash = crate::secrets::hash_bytes(body);
        let etag = |suffix: &str| header_value(&format!("\"{}{suffix}\"", &hash[..20]));
        let etags = [etag(""), etag("-gz"), etag("-br")];
        // Browsers revalidate every view (a 304 from memory, and the read is counted); a CDN
        // may keep the page for `cdn_seconds`, never longer than the page's own lifetime.
        let cdn = cdn_seconds.min(ttl_s);
        let cache_control = if cdn > 0 {
            format!("public, max-age=0, must-revalidate, s-maxage={cdn}")
        } else {
            "public, max-age=0, must-revalidate".to_string()
        };
        let common = [
            (header::CONTENT_TYPE, header_value(content_type)),
            (header::VARY, HeaderValue::from_static("Accept-Encoding")),
            (header::LAST_MODIFIED, header_value(&http_date(now_ms))),
            (header::CACHE_CONTROL, header_value(&cache_control)),
            (header::HeaderName::from_static("surrogate-key"), header_value(&tags.join(" "))),
            (header::HeaderName::from_static("cache-tag"), header_value(&tags.join(","))),
        ];
        let full = [None, Some("gzip"), Some("br")].map(|coding| {
            let mut map = HeaderMap::with_capacity(16);
            for (name, value) in &common {
                map.insert(name.clone(), value.clone());
            }
            if let Some(coding) = coding {
                map.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
            }
            for (name, value) in crate::headers::SECURITY_HEADERS {
                map.insert(name, HeaderValue::from_static(value));
            }
            map
        });
        let mut headers = EntryHeaders { etags, full };
        for (map, etag) in headers.full.iter_mut().zip(&headers.etags) {
            map.insert(header::ETAG, etag.clone());
        }
        headers
    }
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl Entry {
    fn size(&self) -> usize {
        self.identity.len() + self.gzip.len() + self.brotli.len() + 256
    }
}

/// Which body a client gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The best encoding the `Accept-Encoding` header allows (q=0 refuses one).
    pub fn negotiate(accept: &str) -> Encoding {
        let allows = |name: &str| {
            accept.split(',').any(|part| {
                let mut pieces = part.trim().split(';');
                let coding = pieces.next().unwrap_or("").trim();
                let q_zero = pieces.any(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().map(|q| q == 0.0).unwrap_or(false))
                });
                coding.eq_ignore_ascii_case(name) && !q_zero
            })
        };
        if allows("br") {
            Encoding::Brotli
        } else if allows("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, std::sync::Arc<Entry>>,
    by_tag: HashMap<String, HashSet<String>>,
    bytes: usize,
}

#[derive(Debug)]
pub struct PageCache {
    /// Shared with the background compression, which swaps finished entries in.
    inner: Arc<RwLock<Inner>>,
    /// Where pages read again go to be compressed at brotli's best (a bounded queue: when it
    /// is full, a page keeps its first compression).
    finisher: Option<std::sync::mpsc::SyncSender<(String, std::sync::Weak<Entry>)>>,
    max_bytes: usize,
    cdn_seconds: u64,
    clock: AtomicU64,
    enabled: bool,
    /// Addresses being rendered after a miss, so that a spike on one new page renders it once
    /// while the other requests wait for the result.
    rendering: Mutex<HashMap<String, Arc<Notify>>>,
    /// Set while this node cannot hear the other nodes' changes (see `cluster`): nothing is
    /// served from memory (but as a last copy when rendering fails) or stored, every request
    /// renders.
    suspended: std::sync::atomic::AtomicBool,
}

/// Held by the one request that renders a missing page; the others wait until it is dropped.
pub struct RenderGuard<'a> {
    cache: &'a PageCache,
    key: String,
}

impl Drop for RenderGuard<'_> {
    fn drop(&mut self) {
        let notify = self.cache.rendering.lock().ok().and_then(|mut r| r.remove(&self.key));
        if let Some(notify) = notify {
            notify.notify_waiters();
        }
    }
}

impl PageCache {
    pub fn new(max_mb: u64, enabled: bool, cdn_seconds: u64) -> PageCache {
        let inner = Arc::new(RwLock::new(Inner::default()));
        let finisher = if enabled {
            let (sender, jobs) = std::sync::mpsc::sync_channel(FINISHING_QUEUE);
            let shared = Arc::downgrade(&inner);
            let spawned =
                std::thread::Builder::new().name("page-brotli".into()).spawn(move || finish_brotli(&shared, &jobs));
            spawned.ok().map(|_| sender)
        } else {
            None
        };
        PageCache {
            inner,
            finisher,
            max_bytes: (max_mb as usize).saturating_mul(1024 * 1024),
            cdn_seconds,
            clock: AtomicU64::new(1),
            enabled,
            rendering: Mutex::new(HashMap::new()),
            suspended: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// A fresh entry for a key.
    pub fn get(&self, key: &str, now_ms: i64) -> Option<std::sync::Arc<Entry>> {
        self.lookup(key, now_ms, true)
    }

    /// Like [`PageCache::get`], but a stale entry nobody is rendering again yet is not claimed:
    /// `None`, so that the request goes on to the router, where `get` claims it and renders.
    /// (The lookup before routing must not take the claim the page cache layer needs.)
    pub fn get_unless_due(&self, key: &str, now_ms: i64) -> Option<std::sync::Arc<Entry>> {
        self.lookup(key, now_ms, false)
    }

    fn lookup(&self, key: &str, now_ms: i64, claim: bool) -> Option<std::sync::Arc<Entry>> {
        if self.suspended.load(Ordering::Acquire) {
            return None;
        }
        let inner = self.inner.read().ok()?;
        let entry = inner.entries.get(key)?;
        if entry.expires_at_ms <= now_ms || entry.retired.load(Ordering::Relaxed) {
            return None;
        }
        if entry.stale.load(Ordering::Relaxed) {
            // The first request after the change renders the page again; the others get this
            // copy meanwhile (its counts are a second old).
            let claimed = entry.refresh_claimed_at_ms.load(Ordering::Relaxed);
            let due = claimed == 0 || now_ms - claimed > RENDER_CLAIM_MS;
            if due && !claim {
                return None;
            }
            if due
                && entry
                    .refresh_claimed_at_ms
                    .compare_exchange(claimed, now_ms.max(1), Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
            {
                return None;
            }
        }
        entry.last_used.store(self.clock.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        // Read again: worth the best compression (once; the load spares the hit a write).
        if !entry.finishing.load(Ordering::Relaxed)
            && !entry.finishing.swap(true, Ordering::Relaxed)
            && let Some(finisher) = &self.finisher
        {
            let _ = finisher.try_send((key.to_string(), Arc::downgrade(entry)));
        }
        Some(entry.clone())
    }

    /// After a miss: `Some(guard)` when this request should render the page (and store it
    /// before dropping the guard), `None` after waiting for another request that was already
    /// rendering it (look again: it is usually there now). Waits at most `RENDER_CLAIM_MS`.
    pub async fn render_or_wait(&self, key: &str) -> Option<RenderGuard<'_>> {
        let notify: Arc<Notify>;
        let notified;
        {
            let Ok(mut rendering) = self.rendering.lock() else {
                return Some(RenderGuard { cache: self, key: key.to_string() });
            };
            match rendering.get(key) {
                Some(existing) => notify = existing.clone(),
                None => {
                    rendering.insert(key.to_string(), Arc::new(Notify::new()));
                    return Some(RenderGuard { cache: self, key: key.to_string() });
                }
            }
            // Made while the lock is held, so the guard's `notify_waiters` (after it takes the
            // lock) cannot come before it: a `Notified` is woken from its creation on.
            notified = notify.notified();
        }
        let _ = tokio::time::timeout(Duration::from_millis(RENDER_CLAIM_MS as u64), notified).await;
        None
    }

    /// Compresses and stores a page. Returns the entry.
    pub fn put(
        &self,
        key: String,
        body: Bytes,
        content_type: String,
        meta: &Cacheable,
        now_ms: i64,
    ) -> std::sync::Arc<Entry> {
        let gzip = gzip(&body);
        let brotli = brotli(&body);
        let headers = EntryHeaders::new(&content_type, &body, now_ms, meta.ttl_s, self.cdn_seconds, &meta.tags);
        let entry = std::sync::Arc::new(Entry {
            identity: body,
            finishing: std::sync::atomic::AtomicBool::new(false),
            gzip: Bytes::from(gzip),
            brotli: Bytes::from(brotli),
            headers,
            made_at_ms: now_ms,
            expires_at_ms: now_ms + (meta.ttl_s as i64) * 1000,
            tags: meta.tags.clone(),
            article_id: meta.article_id,
            route: meta.route.clone(),
            last_used: AtomicU64::new(self.clock.fetch_add(1, Ordering::Relaxed)),
            stale: std::sync::atomic::AtomicBool::new(false),
            retired: std::sync::atomic::AtomicBool::new(false),
            refresh_claimed_at_ms: AtomicI64::new(0),
        });
        if !self.enabled || self.suspended.load(Ordering::Acquire) {
            return entry;
        }
        if let Ok(mut inner) = self.inner.write() {
            if let Some(old) = inner.entries.remove(&key) {
                inner.bytes = inner.bytes.saturating_sub(old.size());
            }
            inner.bytes += entry.size();
            for tag in &entry.tags {
                inner.by_tag.entry(tag.clone()).or_default().insert(key.clone());
            }
            inner.entries.insert(key, entry.clone());
            if inner.bytes > self.max_bytes {
                evict(&mut inner, self.max_bytes);
            }
        }
        entry
    }

    /// Stops serving every entry carrying one of the tags: the next request renders the page
    /// again. The old copy stays, unserved, as the page's last copy for when the database is
    /// unreachable, until the new one replaces it or memory runs short.
    pub fn invalidate<S: AsRef<str>>(&self, tags: &[S]) -> usize {
        let Ok(mut inner) = self.inner.write() else { return 0 };
        let mut retired = 0;
        for tag in tags {
            let Some(keys) = inner.by_tag.remove(tag.as_ref()) else { continue };
            for key in keys {
                if let Some(entry) = inner.entries.get(&key)
                    && !entry.retired.swap(true, Ordering::Relaxed)
                {
                    retired += 1;
                }
            }
        }
        retired
    }

    /// Forgets every entry carrying one of the tags, last copies included: for a page that
    /// must not be shown again in any case (a withdrawn article).
    pub fn forget<S: AsRef<str>>(&self, tags: &[S]) -> usize {
        let Ok(mut inner) = self.inner.write() else { return 0 };
        let keys: Vec<String> = inner
            .entries
            .iter()
            .filter(|(_, e)| e.tags.iter().any(|t| tags.iter().any(|wanted| wanted.as_ref() == t)))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &keys {
            if let Some(entry) = inner.entries.remove(key) {
                inner.bytes = inner.bytes.saturating_sub(entry.size());
                for tag in &entry.tags {
                    if let Some(set) = inner.by_tag.get_mut(tag) {
                        set.remove(key);
                    }
                }
            }
        }
        keys.len()
    }

    /// Stops serving every entry (what many pages show changed), keeping them as last copies.
    pub fn retire_all(&self) {
        let Ok(mut inner) = self.inner.write() else { return };
        inner.by_tag.clear();
        for entry in inner.entries.values() {
            entry.retired.store(true, Ordering::Relaxed);
        }
    }

    /// Marks the entries carrying one of the tags as stale: still served, re-rendered by the
    /// next request that asks for one. For what changes every second and matters little for a
    /// second (the read and like counts), so that a busy page is not rendered by every request
    /// that arrives between a flush and the new copy.
    pub fn mark_stale<S: AsRef<str>>(&self, tags: &[S]) -> usize {
        let Ok(inner) = self.inner.read() else { return 0 };
        let mut marked = 0;
        for tag in tags {
            for key in inner.by_tag.get(tag.as_ref()).into_iter().flatten() {
                if let Some(entry) = inner.entries.get(key) {
                    entry.stale.store(true, Ordering::Relaxed);
                    marked += 1;
                }
            }
        }
        marked
    }

    /// Stops serving and storing pages: this node may have missed a change made by another.
    /// The pages it has are kept, but only for [`PageCache::last_copy`]: when the database
    /// cannot be reached (the usual reason a node stops hearing the others), a page that cannot
    /// be rendered is better answered with its last copy than with an error.
    pub fn suspend(&self) {
        self.suspended.store(true, Ordering::Release);
    }

    /// The last rendered copy of a page, however old or suspended: the answer when rendering it
    /// again fails because the database is unavailable (HTTP's `stale-if-error`).
    pub fn last_copy(&self, key: &str) -> Option<std::sync::Arc<Entry>> {
        let inner = self.inner.read().ok()?;
        inner.entries.get(key).cloned()
    }

    /// Serves from memory again, starting empty.
    pub fn resume(&self) {
        self.clear();
        self.suspended.store(false, Ordering::Release);
    }

    /// Drops everything (settings changed, or a node lost the change notifications).
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.write() {
            *inner = Inner::default();
        }
    }

    /// (entries, bytes) for metrics.
    pub fn size(&self) -> (usize, usize) {
        self.inner.read().map(|i| (i.entries.len(), i.bytes)).unwrap_or((0, 0))
    }
}

/// Removes the least recently used entries until the cache is under 90% of its bound.
fn evict(inner: &mut Inner, max_bytes: usize) {
    let target = max_bytes / 10 * 9;
    let mut by_age: Vec<(u64, String)> =
        inner.entries.iter().map(|(k, e)| (e.last_used.load(Ordering::Relaxed), k.clone())).collect();
    by_age.sort_unstable();
    for (_, key) in by_age {
        if inner.bytes <= target {
            break;
        }
        if let Some(entry) = inner.entries.remove(&key) {
            inner.bytes = inner.bytes.saturating_sub(entry.size());
            for tag in &entry.tags {
                if let Some(keys) = inner.by_tag.get_mut(tag) {
                    keys.remove(&key);
                }
            }
        }
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    crate::compress::gzip_at(body, 6)
}

fn brotli(body: &[u8]) -> Vec<u8> {
    crate::compress::brotli_at(body, 6)
}

/// Pages compressed at brotli's best per second, at most.
pub const FINISHING_PER_SECOND: u32 = 10;

/// Pages waiting for it, at most.
const FINISHING_QUEUE: usize = 256;

/// The background compression: each page read again is compressed at brotli quality 11 and
/// swapped in, unless it changed meanwhile. Ends when the cache is dropped.
fn finish_brotli(
    inner: &std::sync::Weak<RwLock<Inner>>,
    jobs: &std::sync::mpsc::Receiver<(String, std::sync::Weak<Entry>)>,
) {
    let pause = Duration::from_secs(1) / FINISHING_PER_SECOND;
    while let Ok((key, entry)) = jobs.recv() {
        let Some(entry) = entry.upgrade() else { continue };
        if entry.retired.load(Ordering::Relaxed) {
            continue;
        }
        let started = std::time::Instant::now();
        let smaller = crate::compress::brotli_at(&entry.identity, 11);
        if smaller.len() < entry.brotli.len() {
            let Some(inner) = inner.upgrade() else { return };
            let Ok(mut inner) = inner.write() else { return };
            let unchanged = inner.entries.get(&key).is_some_and(|current| Arc::ptr_eq(current, &entry));
            if unchanged {
                let finished = Arc::new(entry.with_brotli(Bytes::from(smaller)));
                inner.bytes = inner.bytes.saturating_sub(entry.size()) + finished.size();
                inner.entries.insert(key, finished);
            }
        }
        std::thread::sleep(pause.saturating_sub(started.elapsed()));
    }
}

impl Entry {
    /// This entry with another brotli body, and the validator that names it (`-br11`: a
    /// browser holding the first body revalidates to the new one once).
    fn with_brotli(&self, brotli: Bytes) -> Entry {
        let mut headers = self.headers.clone();
        let first = headers.etags[2].to_str().unwrap_or("\"\"").trim_end_matches('"').to_string();
        headers.etags[2] = header_value(&format!("{first}11\""));
        headers.full[2].insert(header::ETAG, headers.etags[2].clone());
        let flag = |b: &std::sync::atomic::AtomicBool| std::sync::atomic::AtomicBool::new(b.load(Ordering::Relaxed));
        Entry {
            identity: self.identity.clone(),
            finishing: std::sync::atomic::AtomicBool::new(true),
            gzip: self.gzip.clone(),
            brotli,
            headers,
            made_at_ms: self.made_at_ms,
            expires_at_ms: self.expires_at_ms,
            tags: self.tags.clone(),
            article_id: self.article_id,
            route: self.route.clone(),
            last_used: AtomicU64::new(self.last_used.load(Ordering::Relaxed)),
            stale: flag(&self.stale),
            refresh_claimed_at_ms: AtomicI64::new(self.refresh_claimed_at_ms.load(Ordering::Relaxed)),
            retired: flag(&self.retired),
        }
    }
}

/// An HTTP date (RFC 9110 IMF-fixdate).
pub fn http_date(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(tags: &[&str]) -> Cacheable {
        Cacheable::new(60, tags.iter().map(|t| t.to_string()))
    }

    #[test]
    fn entries_are_compressed_and_invalidated_by_tag() {
        let cache = PageCache::new(16, true, 60);
        let body = Bytes::from("<p>".to_string() + &"texte ".repeat(500) + "</p>");
        cache.put("/a".into(), body.clone(), "text/html".into(), &meta(&["article:1", "listings:fr"]), 0);
        cache.put("/b".into(), body.clone(), "text/html".into(), &meta(&["article:2", "listings:fr"]), 0);
        let entry = cache.get("/a", 1).unwrap();
        assert!(entry.gzip.len() < body.len() / 10 && entry.brotli.len() < body.len() / 10);
        assert_eq!(cache.invalidate(&["article:1"]), 1);
        assert!(cache.get("/a", 1).is_none() && cache.get("/b", 1).is_some());
        assert_eq!(cache.invalidate(&["listings:fr"]), 1);
        assert!(cache.get("/b", 1).is_none());
    }

    #[test]
    fn a_page_read_again_gets_the_smaller_brotli_unless_it_changed_meanwhile() {
        let cache = PageCache::new(16, true, 60);
        let body = Bytes::from_static(include_str!("../ARCHITECTURE.md").as_bytes());
        cache.put("/a".into(), body.clone(), "text/html".into(), &meta(&["article:1"]), 0);
        let first = cache.get("/a", 1).unwrap();
        assert!(first.headers.etags[2].to_str().unwrap().ends_with("-br\""));
        let mut finished = first.clone();
        for _ in 0..100 {
            finished = cache.get("/a", 1).unwrap();
            if finished.brotli.len() < first.brotli.len() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(finished.brotli.len() < first.brotli.len(), "{} then {}", first.brotli.len(), finished.brotli.len());
        let mut unpacked = Vec::new();
        brotli::BrotliDecompress(&mut std::io::Cursor::new(&finished.brotli[..]), &mut unpacked).unwrap();
        assert_eq!(unpacked, body, "the same page");
        let etag = finished.headers.etags[2].to_str().unwrap();
        assert!(etag.ends_with("-br11\""), "a new validator for the new body: {etag}");
        assert_eq!(finished.headers.full[2].get(header::ETAG).unwrap(), etag);
        assert_eq!(finished.gzip, first.gzip);

        // A page replaced before its turn keeps the replacement.
        cache.put("/b".into(), body.clone(), "text/html".into(), &meta(&["article:2"]), 0);
        let old = cache.get("/b", 1).unwrap();
        let newer = Bytes::from(format!("{}<p>changed</p>", include_str!("../ARCHITECTURE.md")));
        cache.put("/b".into(), newer.clone(), "text/html".into(), &meta(&["article:2"]), 0);
        std::thread::sleep(Duration::from_millis(300));
        let current = cache.last_copy("/b").unwrap();
        assert_eq!(current.identity, newer);
        assert!(!Arc::ptr_eq(&current, &old));
    }

    #[test]
    fn entries_expire_and_the_least_used_are_evicted() {
        let cache = PageCache::new(1, true, 60);
        // Incompressible bodies of 150 kB: an entry weighs about 450 kB in its three
        // encodings, so two fit in 1 MB and a third forces an eviction.
        let big = |seed: u64| {
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let bytes = (0..150_000)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect::<Vec<u8>>();
            Bytes::from(bytes)
        };
        cache.put("/old".into(), big(1), "x".into(), &meta(&[]), 0);
        cache.put("/hot".into(), big(2), "x".into(), &meta(&[]), 0);
        assert!(cache.get("/old", 1).is_some(), "two entries fit");
        assert!(cache.get("/hot", 1).is_some());
        cache.put("/new".into(), big(3), "x".into(), &meta(&[]), 0);
        assert!(cache.get("/old", 1).is_none(), "least recently used evicted");
        assert!(cache.get("/new", 1).is_some() && cache.get("/hot", 1).is_some());
        assert!(cache.size().1 <= 1024 * 1024);
        assert!(cache.get("/new", 61_000).is_none(), "expired");
    }

    #[test]
    fn encodings_are_negotiated() {
        assert_eq!(Encoding::negotiate("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(Encoding::negotiate("gzip"), Encoding::Gzip);
        assert_eq!(Encoding::negotiate("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(Encoding::negotiate(""), Encoding::Identity);
    }

    #[test]
    fn a_changed_page_is_not_served_but_kept_as_the_last_copy_unless_withdrawn() {
        let cache = PageCache::new(16, true, 60);
        let body = Bytes::from("<p>article</p>");
        cache.put("/a".into(), body.clone(), "text/html".into(), &meta(&["article:1", "listings:fr"]), 0);
        cache.put("/b".into(), body.clone(), "text/html".into(), &meta(&["article:2", "listings:fr"]), 0);
        assert_eq!(cache.invalidate(&["listings:fr"]), 2);
        assert!(cache.get("/a", 1).is_none(), "a changed page is rendered again");
        assert_eq!(cache.last_copy("/a").unwrap().identity, body, "but kept for a database outage");
        cache.suspend();
        assert!(cache.get("/b", 1).is_none());
        assert!(cache.last_copy("/b").is_some(), "suspending keeps the copies");
        assert_eq!(cache.forget(&["article:2"]), 1);
        assert!(cache.last_copy("/b").is_none(), "a withdrawn article leaves no copy");
        cache.resume();
        assert!(cache.last_copy("/a").is_none(), "after a suspension everything is rendered afresh");
        cache.put("/a".into(), body.clone(), "text/html".into(), &meta(&["article:1"]), 2);
        cache.retire_all();
        assert!(cache.get("/a", 3).is_none());
        assert!(cache.last_copy("/a").is_some());
    }

    #[test]
    fn a_stale_entry_is_served_while_one_request_renders_it_again() {
        let cache = PageCache::new(16, true, 60);
        let body = Bytes::from("<p>12 lectures</p>");
        cache.put("/a".into(), body.clone(), "text/html".into(), &meta(&["article:1"]), 0);
        assert_eq!(cache.mark_stale(&["article:1"]), 1);
        // The first request after the flush renders; the next ones get the old copy.
        assert!(cache.get("/a", 10).is_none());
        assert_eq!(cache.get("/a", 11).unwrap().identity, body);
        assert_eq!(cache.get("/a", 12).unwrap().identity, body);
        // A render that never came back does not leave the page stale for ever.
        assert!(cache.get("/a", 10 + RENDER_CLAIM_MS + 1).is_none());
        let fresh = Bytes::from("<p>13 lectures</p>");
        cache.put("/a".into(), fresh.clone(), "text/html".into(), &meta(&["article:1"]), 20);
        assert_eq!(cache.get("/a", 21).unwrap().identity, fresh);
        assert_eq!(cache.get("/a", 22).unwrap().identity, fresh);
    }

    #[tokio::test]
    async fn one_request_renders_a_missing_page_and_the_others_wait_for_it() {
        let cache = Arc::new(PageCache::new(16, true, 60));
        let guard = cache.render_or_wait("/a").await.expect("the first request renders");
        let waiting = {
            let cache = cache.clone();
            tokio::spawn(async move { cache.render_or_wait("/a").await.is_none() })
        };
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the second request waits while the first renders");
        cache.put("/a".into(), Bytes::from("page"), "text/html".into(), &meta(&["article:1"]), 0);
        drop(guard);
        let waited = tokio::time::timeout(Duration::from_millis(RENDER_CLAIM_MS as u64 / 2), waiting)
            .await
            .expect("woken when the render is stored, not at the time limit")
            .unwrap();
        assert!(waited, "the waiting request is told to look again");
        assert!(cache.get("/a", 1).is_some());
        // Another page is not held up by this one.
        assert!(cache.render_or_wait("/b").await.is_some());
    }
}
