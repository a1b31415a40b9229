//! Login sessions, in the database so that every node knows them and an admin can end them.
//! The cookie carries a random token; the table keeps only its hash.

use super::users::User;
use super::{Db, StoreResult, Tx, col, now_ms};
use crate::secrets::{hash_token, random_token};

/// A live session and its user.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub csrf: String,
    pub user: User,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// Starts a session; returns the cookie token (shown once) and the CSRF token.
pub async fn create(
    tx: &mut Tx,
    user_id: i64,
    ip_hash: &str,
    user_agent: &str,
    ttl_ms: i64,
) -> StoreResult<(String, String)> {
    let token = random_token(32);
    let csrf = random_token(24);
    let now = now_ms();
    sqlx::query(
        "insert into sessions (id, user_id, csrf_token, ip_hash, user_agent, created_at, last_seen_at, expires_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6, $7, $6)",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(csrf.clone())
    .bind(ip_hash.to_string())
    .bind(user_agent.chars().take(200).collect::<String>())
    .bind(now)
    .bind(now + ttl_ms)
    .execute(&mut **tx)
    .await?;
    Ok((token, csrf))
}

/// The session behind a cookie token, if it is live and its user enabled.
pub async fn by_token(db: &Db, token: &str) -> StoreResult<Option<Session>> {
    let row = sqlx::query(concat!(
        "select s.id as session_id, s.csrf_token, s.last_seen_at, s.expires_at, ",
        super::users::joined_user_columns!(),
        " from sessions s join users u on u.id = s.user_id \
         where s.id = $1 and s.expires_at > $2 and u.disabled = 0",
    ))
    .bind(hash_token(token))
    .bind(now_ms())
    .fetch_optional(db.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Session {
        id: col(&row, "session_id")?,
        csrf: col(&row, "csrf_token")?,
        last_seen_at: col(&row, "last_seen_at")?,
        expires_at: col(&row, "expires_at")?,
        user: super::users::from_row(&row)?,
    }))
}

/// Extends a session that is in use (sliding expiry).
pub async fn touch(db: &Db, id: &str, ttl_ms: i64) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query("update sessions set last_seen_at = $2, expires_at = $3, updated_at = $2 where id = $1")
        .bind(id.to_string())
        .bind(now)
        .bind(now + ttl_ms)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Ends one session.
pub async fn delete(db: &Db, id: &str) -> StoreResult<()> {
    sqlx::query("delete from sessions where id = $1").bind(id.to_string()).execute(db.writer()).await?;
    Ok(())
}

/// Ends every session of a user (password changed, account disabled), but `keep`.
pub async fn delete_for_user(tx: &mut Tx, user_id: i64, keep: Option<&str>) -> StoreResult<()> {
    sqlx::query("delete from sessions where user_id = $1 and id <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or("").to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes expired sessions.
pub async fn prune(db: &Db) -> StoreResult<u64> {
    let done = sqlx::query("delete from sessions where expires_at < $1").bind(now_ms()).execute(db.writer()).await?;
    Ok(done.rows_affected())
}
