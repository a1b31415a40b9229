//! Tokens for the JSON API's write endpoints: only a hash is kept; each has a name (what it
//! is for), may expire, can be revoked, and remembers when it was last used.

use serde::Serialize;

use super::users::{User, from_row};
use super::{Db, StoreResult, Tx, col, now_ms};

/// How often the time a token was last used is written: at most once a minute per token, so a
/// busy wire import does not turn every request into a write.
const LAST_USED_PRECISION_MS: i64 = 60_000;

/// A token as the operator sees it in `gazette user tokens`.
#[derive(Clone, Debug, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Where it stands when it was read.
    pub end: TokenEnd,
}

/// Where a token stands: the one rule that the list in the newsroom and on the command line
/// both show (`user_of` applies the same one in SQL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
pub enum TokenEnd {
    Revoked(i64),
    Expired(i64),
    Expires(i64),
    Never,
}

impl TokenEnd {
    fn of(revoked_at: Option<i64>, expires_at: Option<i64>, now: i64) -> TokenEnd {
        match (revoked_at, expires_at) {
            (Some(at), _) => TokenEnd::Revoked(at),
            (None, Some(at)) if at <= now => TokenEnd::Expired(at),
            (None, Some(at)) => TokenEnd::Expires(at),
            (None, None) => TokenEnd::Never,
        }
    }
}

/// Stores a new token's hash for a user; `expires_at` none: it never expires.
pub async fn insert(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    token_hash: &str,
    expires_at: Option<i64>,
) -> StoreResult<i64> {
    let now = now_ms();
    let row = sqlx::query(
        "insert into api_tokens (user_id, name, token_hash, expires_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) returning id",
    )
    .bind(user_id)
    .bind(name.to_string())
    .bind(token_hash.to_string())
    .bind(expires_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    col(&row, "id")
}

/// The enabled user a live token (not revoked, not expired) belongs to, and the token's id.
pub async fn user_of(db: &Db, token_hash: &str) -> StoreResult<Option<(User, i64)>> {
    let sql = concat!(
        "select ",
        super::users::joined_user_columns!(),
        ", t.id as token_id from api_tokens t join users u on u.id = t.user_id \
         where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2) \
         and u.disabled = 0"
    );
    let row = sqlx::query(sql).bind(token_hash.to_string()).bind(now_ms()).fetch_optional(db.reader()).await?;
    row.map(|row| Ok((from_row(&row)?, col(&row, "token_id")?))).transpose()
}

/// Notes that a token was used now (to the minute).
pub async fn mark_used(db: &Db, id: i64) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query(
        "update api_tokens set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $3)",
    )
    .bind(id)
    .bind(now)
    .bind(now - LAST_USED_PRECISION_MS)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Every token of a user, newest first, revoked and expired ones included.
pub async fn of_user(db: &Db, user_id: i64) -> StoreResult<Vec<ApiToken>> {
    let rows = sqlx::query(
        "select id, name, created_at, last_used_at, expires_at, revoked_at from api_tokens \
         where user_id = $1 order by id desc",
    )
    .bind(user_id)
    .fetch_all(db.reader())
    .await?;
    let now = now_ms();
    rows.iter()
        .map(|row| {
            let (expires_at, revoked_at) = (col(row, "expires_at")?, col(row, "revoked_at")?);
            Ok(ApiToken {
                id: col(row, "id")?,
                name: col(row, "name")?,
                created_at: col(row, "created_at")?,
                last_used_at: col(row, "last_used_at")?,
                expires_at,
                revoked_at,
                end: TokenEnd::of(revoked_at, expires_at, now),
            })
        })
        .collect()
}

/// Revokes a token; returns the id of the user it belonged to, or none when there is no such
/// token or it was revoked already.
pub async fn revoke(tx: &mut Tx, id: i64) -> StoreResult<Option<i64>> {
    let now = now_ms();
    let row = sqlx::query(
        "update api_tokens set revoked_at = $2, updated_at = $2 where id = $1 and revoked_at is null returning user_id",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| col(&row, "user_id")).transpose()
}

/// Revokes a token if it belongs to `user_id` and is not revoked yet; false otherwise (another's
/// token answers the same as one that does not exist).
pub async fn revoke_own(tx: &mut Tx, id: i64, user_id: i64) -> StoreResult<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "update api_tokens set revoked_at = $3, updated_at = $3 where id = $1 and user_id = $2 and revoked_at is null",
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::TokenEnd;

    #[test]
    fn a_revocation_outranks_an_expiry() {
        assert_eq!(TokenEnd::of(Some(5), Some(100), 50), TokenEnd::Revoked(5));
        assert_eq!(TokenEnd::of(None, Some(50), 50), TokenEnd::Expired(50));
        assert_eq!(TokenEnd::of(None, Some(51), 50), TokenEnd::Expires(51));
        assert_eq!(TokenEnd::of(None, None, 50), TokenEnd::Never);
        let json = serde_json::to_value(TokenEnd::Expires(51)).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "expires", "at": 51}));
    }
}
