//! Single-use, expiring links for password resets and invitations.

use super::{StoreResult, Tx, col, now_ms};
use crate::secrets::{hash_token, random_token};

/// Makes a token for a user; returns it (to put in the mail). Earlier unused tokens of the
/// same purpose stop working.
pub async fn issue(tx: &mut Tx, user_id: i64, purpose: &str, ttl_ms: i64) -> StoreResult<String> {
    let now = now_ms();
    sqlx::query("update account_tokens set used_at = $3, updated_at = $3 where user_id = $1 and purpose = $2 and used_at is null")
        .bind(user_id)
        .bind(purpose.to_string())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let token = random_token(32);
    sqlx::query(
        "insert into account_tokens (token_hash, user_id, purpose, expires_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5)",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(purpose.to_string())
    .bind(now + ttl_ms)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// The user a live token belongs to, without using it.
pub async fn peek(tx: &mut Tx, token: &str) -> StoreResult<Option<(i64, String)>> {
    let row = sqlx::query(
        "select user_id, purpose from account_tokens where token_hash = $1 and used_at is null and expires_at > $2",
    )
    .bind(hash_token(token))
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok((col(&r, "user_id")?, col(&r, "purpose")?))).transpose()
}

/// Uses a token: true once, false afterwards or when it expired.
pub async fn consume(tx: &mut Tx, token: &str) -> StoreResult<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "update account_tokens set used_at = $2, updated_at = $2 where token_hash = $1 and used_at is null and expires_at > $2",
    )
    .bind(hash_token(token))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
