//! Read and like counters, written in batches by `counters`.

use super::{Db, StoreResult, Tx, col, now_ms};

/// Adds batched increments to the totals and to the day's row.
pub async fn add(tx: &mut Tx, article_id: i64, day: i64, reads: i64, likes: i64) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query(
        "insert into article_stats (article_id, reads, likes, updated_at) values ($1, $2, $3, $4) \
         on conflict (article_id) do update set reads = article_stats.reads + excluded.reads, \
             likes = article_stats.likes + excluded.likes, updated_at = excluded.updated_at",
    )
    .bind(article_id)
    .bind(reads)
    .bind(likes)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into article_daily_stats (article_id, day, reads, likes, updated_at) values ($1, $2, $3, $4, $5) \
         on conflict (article_id, day) do update set reads = article_daily_stats.reads + excluded.reads, \
             likes = article_daily_stats.likes + excluded.likes, updated_at = excluded.updated_at",
    )
    .bind(article_id)
    .bind(day)
    .bind(reads)
    .bind(likes)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// (reads, likes) of an article as stored.
pub async fn totals(db: &Db, article_id: i64) -> StoreResult<(i64, i64)> {
    let row = sqlx::query("select reads, likes from article_stats where article_id = $1")
        .bind(article_id)
        .fetch_optional(db.reader())
        .await?;
    match row {
        None => Ok((0, 0)),
        Some(row) => Ok((col(&row, "reads")?, col(&row, "likes")?)),
    }
}

/// Stores a like's mark; false when the same reader already liked the article that day
/// (on any node).
pub async fn insert_like_mark(tx: &mut Tx, article_id: i64, day: i64, mark: &str) -> StoreResult<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "insert into like_marks (mark, article_id, day, created_at, updated_at) values ($1, $2, $3, $4, $4) \
         on conflict (mark) do nothing",
    )
    .bind(mark.to_string())
    .bind(article_id)
    .bind(day)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Forgets like marks of days before `day`: they can no longer collide with new likes.
pub async fn prune_like_marks(db: &Db, day: i64) -> StoreResult<u64> {
    let done = sqlx::query("delete from like_marks where day < $1").bind(day).execute(db.writer()).await?;
    Ok(done.rows_affected())
}
