//! The PostgreSQL part of search: a `tsvector` column (`simple` configuration, fed with our
//! own tokens) under a GIN index, walked newest first by blocks of ids.

use super::{FullText, IndexRow, RANKED_WINDOW};
use crate::store::dialect::values_list;
use crate::store::{Db, Engine, StoreResult, Tx, col, now_ms};

/// PostgreSQL only: the block of ids an article falls in (`zzblk121` for ids 495,616 to
/// 499,711). A GIN index has no order and its planner, asked for the newest matches in a range
/// of ids, scans the primary key and reads every row's `tsvector` from TOAST (a quarter of a
/// second for 9,000 ids). A range of blocks is a condition the GIN index answers itself.
const BLOCK_FACET: &str = "zzblk";
const BLOCK_IDS: i64 = 4096;

pub struct TsVector;

impl FullText for TsVector {
    const ENGINE: Engine = Engine::Postgres;
    const WRITE_REPLACES: bool = true;
    const MISSING: &'static str = "select a.id from articles a where a.status = 'published' \
         and not exists (select 1 from article_search s where s.article_id = a.id) order by a.id";
    const ARTICLES_BY_ID: &'static str = "articles a";
    const OR: &'static str = " | ";
    const AND: &'static str = " & ";

    fn word(stem: &str) -> String {
        stem.to_string()
    }

    fn facet(tokens: &[String]) -> String {
        Self::any(tokens)
    }

    async fn write_matching(tx: &mut Tx, rows: &[IndexRow]) -> StoreResult<()> {
        let now = now_ms();
        let sql = format!(
            "insert into article_search (article_id, tsv, updated_at) values {} \
             on conflict (article_id) do update set tsv = excluded.tsv, updated_at = excluded.updated_at",
            values_list(Engine::Postgres, 2, rows.len(), &|m| format!(
                "{}, to_tsvector('simple', {}), {now}",
                m[0], m[1]
            ))
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in rows {
            let block = row.article_id / BLOCK_IDS;
            insert = insert.bind(row.article_id).bind(format!("{} {} {BLOCK_FACET}{block}", row.text(), row.facets));
        }
        insert.execute(&mut **tx).await?;
        Ok(())
    }

    async fn remove_matching(tx: &mut Tx, article_id: i64) -> StoreResult<()> {
        sqlx::query("delete from article_search where article_id = $1").bind(article_id).execute(&mut **tx).await?;
        Ok(())
    }

    async fn newest_matches(db: &Db, matching: &str, ids: (i64, i64), dates: (i64, i64)) -> StoreResult<Vec<i64>> {
        let (low_id, high_id) = ids;
        let wanted = RANKED_WINDOW + 1;
        let read =
            |rows: Vec<sqlx::any::AnyRow>| rows.iter().map(|r| col::<i64>(r, "id")).collect::<StoreResult<Vec<_>>>();
        // Newest blocks of ids first (see BLOCK_FACET): the newest block, then as many
        // blocks as the matches seen so far say will fill the window, or, when the rest of
        // the range holds few matches by that measure, all of it in one query. Each query
        // reads only the GIN index and the matching rows: a common word fills the window
        // from the first block or two, a rare one (or a pasted headline, rare as a whole)
        // reads the archive in two queries. The slices stay small in tokens because a GIN
        // query costs by the posting lists it unites (64 block tokens: 70 ms). The id
        // bounds are checked on the rows, and the order is on `article_id + 0`: the
        // planner must not walk the primary key and read each row's `tsvector` from TOAST.
        let mut found = Vec::new();
        // Without tokens a query reads every match of the archive, not only those of the
        // range: only a walk over the whole archive may end with one (a range of dates
        // around a common word would fetch all its matches, a second and a half).
        let whole_archive = dates == (i64::MIN, i64::MAX);
        let max_slice = if whole_archive { MAX_SLICE_ARCHIVE } else { MAX_SLICE_RANGE };
        let last = low_id.max(0) / BLOCK_IDS;
        let mut block = high_id.max(0) / BLOCK_IDS;
        let mut ids_read = 0i64;
        // The newest block is the one being filled: when it holds under half a block of
        // ids, the first query takes the one before too.
        let mut slice = if high_id.max(0) % BLOCK_IDS < BLOCK_IDS / 2 { 2 } else { 1 };
        while block >= last && (found.len() as i64) < wanted {
            let left = block - last + 1;
            let slice_now = if whole_archive { slice } else { slice.min(MAX_SLICE_RANGE) };
            let first = if slice_now >= left { last } else { block - slice_now + 1 };
            let matching = if first == last && whole_archive {
                matching.to_string()
            } else {
                let tokens: Vec<String> = (first..=block).map(|b| format!("{BLOCK_FACET}{b}")).collect();
                format!("{matching} & {}", TsVector::any(&tokens))
            };
            // The index holds published articles only (`reindex`, in the same
            // transaction as every change of status): without a range of dates there is
            // nothing to check in `articles` here, and the window's rows are checked with
            // their headlines.
            let upper = high_id.min((block + 1) * BLOCK_IDS - 1);
            let limit = wanted - found.len() as i64;
            let rows = if whole_archive {
                sqlx::query(
                    "select s.article_id as id from article_search s \
                     where s.tsv @@ to_tsquery('simple', $1) \
                       and s.article_id + 0 >= $2 and s.article_id + 0 <= $3 \
                     order by s.article_id + 0 desc limit $4",
                )
                .bind(matching)
                .bind(low_id)
                .bind(upper)
                .bind(limit)
                .fetch_all(db.reader())
                .await?
            } else {
                sqlx::query(
                    "select s.article_id as id from article_search s \
                     join articles a on a.id = s.article_id \
                     where s.tsv @@ to_tsquery('simple', $1) \
                       and s.article_id + 0 >= $2 and s.article_id + 0 <= $3 \
                       and a.status = 'published' and a.publish_at >= $4 and a.publish_at < $5 \
                     order by s.article_id + 0 desc limit $6",
                )
                .bind(matching)
                .bind(low_id)
                .bind(upper)
                .bind(dates.0)
                .bind(dates.1)
                .bind(limit)
                .fetch_all(db.reader())
                .await?
            };
            found.extend(read(rows)?);
            ids_read += upper - (first * BLOCK_IDS).max(low_id) + 1;
            block = first - 1;
            slice = next_slice(wanted - found.len() as i64, found.len() as i64, ids_read, block - last + 1, max_slice);
        }
        Ok(found)
    }

    /// After a bulk load: fresh statistics for the planner, and the visibility map set, so
    /// that the check of each match against `articles` reads the index alone (autovacuum would
    /// get there, minutes or hours later).
    async fn optimize(db: &Db) -> StoreResult<()> {
        // The simple protocol: VACUUM runs outside any transaction, prepared or not.
        sqlx::raw_sql("vacuum (analyze) article_search, article_search_headlines, articles")
            .execute(db.writer())
            .await?;
        Ok(())
    }
}

/// PostgreSQL: the most block tokens one query of the walk names. A GIN query costs by the
/// posting lists it unites (8 block tokens: 2 ms; 32: 24 ms). Over the whole archive a query
/// without tokens is the better next step sooner; within a range of dates it is not possible.
const MAX_SLICE_ARCHIVE: i64 = 8;
const MAX_SLICE_RANGE: i64 = 32;

/// PostgreSQL: how many blocks the next query of the newest-first walk covers, given the
/// matches still `needed`, those `found` among the `ids_read` ids so far and the blocks `left`.
/// Everything left when that holds at most `REST_ROWS` matches at the density seen (one query
/// that fetches that many rows costs less than more queries: its cost is the terms' posting
/// lists, about 10 ms for five common words, then a millisecond per thousand rows); else enough
/// blocks to fill the window, with half again as margin, at most `max_slice`.
fn next_slice(needed: i64, found: i64, ids_read: i64, left: i64, max_slice: i64) -> i64 {
    const REST_ROWS: i64 = 20_000;
    if needed <= 0 || left <= 0 {
        return 0;
    }
    let per_block = found as f64 / ids_read.max(1) as f64 * BLOCK_IDS as f64;
    if per_block * left as f64 <= REST_ROWS as f64 {
        return left;
    }
    ((needed as f64 / per_block * 1.5).ceil() as i64).clamp(1, max_slice).min(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_takes_what_the_density_seen_says_and_the_rest_when_it_is_thin() {
        let block = BLOCK_IDS;
        // Nothing in the newest block: the rest in one query.
        assert_eq!(next_slice(1001, 0, block, 121, 8), 121);
        // A common word (880 a block): one more block fills the window.
        assert_eq!(next_slice(121, 880, block, 121, 8), 1);
        // 100 a block: 12,000 left by that measure, cheaper fetched in one query.
        assert_eq!(next_slice(901, 100, block, 120, 8), 120);
        // 400 a block: 48,000 left, too many to fetch; two blocks fill it (three with margin).
        assert_eq!(next_slice(601, 400, block, 120, 8), 3);
        // The density is per id: 26 matches in the 289 ids of a block being filled is 368 a
        // block, 45,000 in the rest: four blocks, not the whole archive.
        assert_eq!(next_slice(975, 26, 289, 122, 8), 4);
        // Never more tokens than allowed, never more blocks than left.
        assert_eq!(next_slice(990, 180, block, 500, 8), 8);
        assert_eq!(next_slice(990, 180, block, 500, 32), 9);
        assert_eq!(next_slice(500, 40_000, block, 1, 8), 1);
        // Filled, or nothing left: no more queries.
        assert_eq!(next_slice(0, 1001, 3 * block, 50, 8), 0);
        assert_eq!(next_slice(10, 5, 3 * block, 0, 8), 0);
    }
}
