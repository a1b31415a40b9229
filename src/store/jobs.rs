//! The durable job table: enqueue inside the caller's transaction, claim with a lease,
//! finish or retry with backoff.

use sqlx::Row;

use super::{Db, StoreResult, Tx, dialect, now_ms};

/// A job ready to run.
#[derive(Clone, Debug)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// A job to add.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: String,
    /// When it may run (unix ms).
    pub run_at: i64,
    /// At most one queued or running job per key; enqueuing again moves its time instead.
    pub dedupe_key: Option<String>,
    pub max_attempts: i64,
    /// 0 for what readers wait for, 1 for background work: due jobs run in that order.
    pub priority: i64,
}

/// Adds a job within the transaction of the write that causes it. With a dedupe key, a live
/// job with the same key gets the new time and payload instead of a twin; a finished one with
/// that key gives way to the new job.
pub async fn enqueue(tx: &mut Tx, job: &NewJob) -> StoreResult<i64> {
    let now = now_ms();
    if let Some(key) = &job.dedupe_key {
        sqlx::query(
            "update jobs set dedupe_key = null, updated_at = $2 where dedupe_key = $1 and status in ('done', 'failed')",
        )
        .bind(key.clone())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    let row = sqlx::query(
        "insert into jobs (kind, payload, dedupe_key, status, run_at, attempts, max_attempts, created_at, updated_at, \
             priority) \
         values ($1, $2, $3, 'queued', $4, 0, $5, $6, $6, $7) \
         on conflict (dedupe_key) do update set payload = excluded.payload, run_at = excluded.run_at, \
             updated_at = excluded.updated_at \
         returning id",
    )
    .bind(job.kind)
    .bind(job.payload.clone())
    .bind(job.dedupe_key.clone())
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(now)
    .bind(job.priority)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

/// Claims the next due job (or one whose lease ran out) for `worker` until `lease_until`.
pub async fn claim(db: &Db, worker: &str, lease_until: i64) -> StoreResult<Option<ClaimedJob>> {
    let now = now_ms();
    let row = sqlx::query(dialect::claim_job(db.engine()))
        .bind(worker.to_string())
        .bind(lease_until)
        .bind(now)
        .fetch_optional(db.writer())
        .await?;
    match row {
        None => Ok(None),
        Some(row) => Ok(Some(ClaimedJob {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            payload: row.try_get("payload")?,
            attempts: row.try_get("attempts")?,
            max_attempts: row.try_get("max_attempts")?,
        })),
    }
}

/// Extends the lease of a job this worker still holds; false when it lost it.
pub async fn renew(db: &Db, id: i64, worker: &str, lease_until: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "update jobs set locked_until = $3, updated_at = $4 where id = $1 and locked_by = $2 and status = 'running'",
    )
    .bind(id)
    .bind(worker.to_string())
    .bind(lease_until)
    .bind(now_ms())
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Marks a job done, inside the transaction that did its work when there is one, so the
/// effect and the bookkeeping commit together. Only the holder of the lease may finish it.
pub async fn finish(tx: &mut Tx, id: i64, worker: &str) -> StoreResult<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "update jobs set status = 'done', finished_at = $3, locked_by = null, locked_until = null, \
             last_error = null, updated_at = $3 \
         where id = $1 and locked_by = $2 and status = 'running'",
    )
    .bind(id)
    .bind(worker.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Records a failure: back in the queue after `retry_at`, or failed for good after the last
/// attempt.
pub async fn fail(db: &Db, job: &ClaimedJob, worker: &str, error: &str, retry_at: i64) -> StoreResult<()> {
    let now = now_ms();
    let final_attempt = job.attempts >= job.max_attempts;
    sqlx::query(
        "update jobs set status = $3, run_at = $4, last_error = $5, locked_by = null, locked_until = null, \
             finished_at = $6, updated_at = $7 \
         where id = $1 and locked_by = $2",
    )
    .bind(job.id)
    .bind(worker.to_string())
    .bind(if final_attempt { "failed" } else { "queued" })
    .bind(retry_at)
    .bind(error.chars().take(2000).collect::<String>())
    .bind(if final_attempt { Some(now) } else { None })
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Puts a job back in the queue for later without spending an attempt.
pub async fn postpone(db: &Db, job: &ClaimedJob, worker: &str, reason: &str, run_at: i64) -> StoreResult<()> {
    sqlx::query(
        "update jobs set status = 'queued', run_at = $3, attempts = attempts - 1, last_error = $4, locked_by = null, \
             locked_until = null, updated_at = $5 \
         where id = $1 and locked_by = $2",
    )
    .bind(job.id)
    .bind(worker.to_string())
    .bind(run_at)
    .bind(reason.to_string())
    .bind(now_ms())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Counts of jobs by status, for `/metrics` and `gazette check`.
pub async fn counts(db: &Db) -> StoreResult<Vec<(String, i64)>> {
    let rows = sqlx::query("select status, count(*) as n from jobs group by status order by status")
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(|r| Ok((r.try_get::<String, _>("status")?, r.try_get::<i64, _>("n")?))).collect()
}

/// Removes finished jobs older than `before`, so the table stays small.
pub async fn prune_finished(db: &Db, before: i64) -> StoreResult<u64> {
    let done = sqlx::query("delete from jobs where status = 'done' and finished_at < $1")
        .bind(before)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}
