//! Read and like counts, kept in memory and written to the database in batches.
//!
//! A page view must cost no database write: it adds one to a map. A flusher writes the map
//! every `counters.flush_interval_ms` in one transaction, so a crash loses at most one
//! interval and a graceful stop, which flushes last, loses nothing. On several nodes each
//! adds its own increments, so the totals in the database are exact sums.
//!
//! A like carries a mark (a daily-salted hash of the reader, see `web::reader::like`). The
//! flush inserts the marks into `like_marks`; only marks new to the database count, so a
//! reader who likes twice in a day, on one node or on two, counts once.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::store::{Db, StoreError, StoreResult, stats};

#[derive(Default, Debug)]
struct Pending {
    /// Reads by (article, local day).
    reads: HashMap<(i64, i64), i64>,
    /// Likes not yet written: (article, local day, mark).
    likes: HashSet<(i64, i64, String)>,
    /// Marks this node has seen today, to answer "already liked" without the database.
    seen_marks: HashSet<String>,
    seen_day: i64,
    /// What a flush is writing right now: still shown until its transaction commits, so a
    /// page rendered during a flush does not show a count that went back.
    inflight_reads: HashMap<i64, i64>,
    inflight_likes: HashMap<i64, i64>,
}

#[derive(Default, Debug)]
pub struct Counters {
    pending: Mutex<Pending>,
    /// Likes per address (keyed hash) in the current ten-minute window, on this node.
    like_windows: Mutex<std::collections::HashMap<String, (i64, u32)>>,
}

/// Likes one address may give in ten minutes, on one node. A reader likes a handful of
/// articles; a script rotating its user agent to like one article a thousand times is stopped
/// here (the daily mark already stops the same reader liking twice).
pub const LIKES_PER_ADDRESS_PER_10_MIN: u32 = 30;

impl Counters {
    pub fn add_read(&self, article_id: i64, day: i64) {
        if let Ok(mut pending) = self.pending.lock() {
            *pending.reads.entry((article_id, day)).or_default() += 1;
        }
    }

    /// Counts a like from an address; false when the address is over its limit. Windows are
    /// per address and start with its first like; the map is pruned when it grows large.
    pub fn allow_like(&self, address_key: &str, now_ms: i64) -> bool {
        const WINDOW_MS: i64 = 10 * 60_000;
        let Ok(mut windows) = self.like_windows.lock() else { return true };
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now_ms - *start < WINDOW_MS);
        }
        let window = windows.entry(address_key.to_string()).or_insert((now_ms, 0));
        if now_ms - window.0 >= WINDOW_MS {
            *window = (now_ms, 0);
        }
        window.1 += 1;
        window.1 <= LIKES_PER_ADDRESS_PER_10_MIN
    }

    /// Records a like; false when this node already saw the same mark today.
    pub fn add_like(&self, article_id: i64, day: i64, mark: String) -> bool {
        let Ok(mut pending) = self.pending.lock() else { return false };
        if pending.seen_day != day {
            pending.seen_marks.clear();
            pending.seen_day = day;
        }
        if !pending.seen_marks.insert(mark.clone()) {
            return false;
        }
        pending.likes.insert((article_id, day, mark));
        true
    }

    /// Increments not yet written for an article (to show counts that include them).
    pub fn unflushed(&self, article_id: i64) -> (i64, i64) {
        match self.pending.lock() {
            Ok(pending) => {
                let reads: i64 = pending.reads.iter().filter(|((id, _), _)| *id == article_id).map(|(_, n)| *n).sum();
                let likes = pending.likes.iter().filter(|(id, _, _)| *id == article_id).count() as i64;
                (
                    reads + pending.inflight_reads.get(&article_id).copied().unwrap_or(0),
                    likes + pending.inflight_likes.get(&article_id).copied().unwrap_or(0),
                )
            }
            Err(_) => (0, 0),
        }
    }

    /// Writes everything pending in one transaction. On failure the increments go back into
    /// the map, to be written by the next flush. Returns the articles whose counts changed
    /// (their cached pages show the old counts).
    pub async fn flush(&self, db: &Db) -> StoreResult<Vec<i64>> {
        let (reads, likes) = match self.pending.lock() {
            Ok(mut pending) => {
                let reads = std::mem::take(&mut pending.reads);
                let likes = std::mem::take(&mut pending.likes);
                for ((id, _), n) in &reads {
                    *pending.inflight_reads.entry(*id).or_default() += n;
                }
                for (id, _, _) in &likes {
                    *pending.inflight_likes.entry(*id).or_default() += 1;
                }
                (reads, likes)
            }
            Err(_) => return Ok(Vec::new()),
        };
        if reads.is_empty() && likes.is_empty() {
            return Ok(Vec::new());
        }
        let written = write(db, &reads, &likes).await;
        if let Ok(mut pending) = self.pending.lock() {
            pending.inflight_reads.clear();
            pending.inflight_likes.clear();
        }
        match written {
            Ok(rows) => Ok(rows),
            Err(error) => {
                // Articles deleted meanwhile would fail forever: keep only the rest.
                let keep = !matches!(error, StoreError::Other(_));
                if keep && let Ok(mut pending) = self.pending.lock() {
                    for (key, n) in reads {
                        *pending.reads.entry(key).or_default() += n;
                    }
                    pending.likes.extend(likes);
                }
                Err(error)
            }
        }
    }
}

async fn write(
    db: &Db,
    reads: &HashMap<(i64, i64), i64>,
    likes: &HashSet<(i64, i64, String)>,
) -> StoreResult<Vec<i64>> {
    let mut tx = db.begin().await?;
    let mut totals: HashMap<(i64, i64), (i64, i64)> = HashMap::new();
    for (key, n) in reads {
        totals.entry(*key).or_default().0 += n;
    }
    let mut marks: Vec<_> = likes.iter().collect();
    marks.sort();
    for (article_id, day, mark) in marks {
        if stats::insert_like_mark(&mut tx, *article_id, *day, mark).await? {
            totals.entry((*article_id, *day)).or_default().1 += 1;
        }
    }
    let mut rows: Vec<_> = totals.into_iter().collect();
    // A fixed order keeps two nodes' flushes from deadlocking on PostgreSQL.
    rows.sort_by_key(|(key, _)| *key);
    for ((article_id, day), (r, l)) in &rows {
        stats::add(&mut tx, *article_id, *day, *r, *l).await?;
    }
    tx.commit().await?;
    let mut articles: Vec<i64> = rows.iter().map(|((id, _), _)| *id).collect();
    articles.dedup();
    Ok(articles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_counts_once_per_day_on_a_node() {
        let counters = Counters::default();
        assert!(counters.add_like(1, 100, "m".into()));
        assert!(!counters.add_like(1, 100, "m".into()));
        assert!(counters.add_like(2, 100, "n".into()));
        counters.add_read(1, 100);
        counters.add_read(1, 100);
        assert_eq!(counters.unflushed(1), (2, 1));
        // A new day forgets yesterday's marks.
        assert!(counters.add_like(1, 101, "m".into()));
    }
}
