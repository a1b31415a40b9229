//! Read and like counts, kept in memory and written to the database in batches.
//!
//! A page view must cost no database write: it adds one to a map. A flusher writes the map
//! every `counters.flush_interval_ms` in one transaction, so a crash loses at most one
//! interval and a graceful stop, which flushes last, loses nothing. On several nodes each
//! adds its own increments, so the totals in the database are exact sums.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::store::{Db, StoreResult, stats};

#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    reads: i64,
    likes: i64,
}

#[derive(Default, Debug)]
pub struct Counters {
    /// Increments not yet written, by (article, local day).
    pending: Mutex<HashMap<(i64, i64), Pending>>,
}

impl Counters {
    pub fn add_read(&self, article_id: i64, day: i64) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.entry((article_id, day)).or_default().reads += 1;
        }
    }

    pub fn add_like(&self, article_id: i64, day: i64) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.entry((article_id, day)).or_default().likes += 1;
        }
    }

    /// Increments not yet written for an article (to show counts that include them).
    pub fn unflushed(&self, article_id: i64) -> (i64, i64) {
        match self.pending.lock() {
            Ok(pending) => pending
                .iter()
                .filter(|((id, _), _)| *id == article_id)
                .fold((0, 0), |(r, l), (_, p)| (r + p.reads, l + p.likes)),
            Err(_) => (0, 0),
        }
    }

    /// Writes everything pending in one transaction. On failure the increments go back into
    /// the map, to be written by the next flush. Returns the number of (article, day) rows.
    pub async fn flush(&self, db: &Db) -> StoreResult<usize> {
        let batch: HashMap<(i64, i64), Pending> = match self.pending.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return Ok(0),
        };
        if batch.is_empty() {
            return Ok(0);
        }
        let result = async {
            let mut tx = db.begin().await?;
            let mut rows: Vec<_> = batch.iter().collect();
            // A fixed order keeps two nodes' flushes from deadlocking on PostgreSQL.
            rows.sort_by_key(|(key, _)| **key);
            for ((article_id, day), p) in rows {
                stats::add(&mut tx, *article_id, *day, p.reads, p.likes).await?;
            }
            tx.commit().await?;
            Ok::<_, crate::store::StoreError>(())
        }
        .await;
        match result {
            Ok(()) => Ok(batch.len()),
            Err(error) => {
                if let Ok(mut pending) = self.pending.lock() {
                    for (key, p) in batch {
                        let entry = pending.entry(key).or_default();
                        entry.reads += p.reads;
                        entry.likes += p.likes;
                    }
                }
                Err(error)
            }
        }
    }
}
