//! Working together on an article, out of readers' sight: who it is assigned to, and the
//! newsroom's notes on it (a source to call back, a fact to check, why a paragraph went).

use serde::Serialize;

use super::{Db, StoreResult, Tx, col, now_ms};

/// A note of the newsroom on an article.
#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub id: i64,
    pub body: String,
    /// Who wrote it ("" when the account is gone).
    pub author: String,
    pub created_at: i64,
}

/// The longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 2000;

/// An article's notes, oldest first (they read as a conversation).
pub async fn notes(db: &Db, article_id: i64) -> StoreResult<Vec<Note>> {
    let rows = sqlx::query(
        "select n.id, n.body, n.created_at, coalesce(u.name, '') as author \
         from article_notes n left join users u on u.id = n.author_id \
         where n.article_id = $1 order by n.created_at, n.id",
    )
    .bind(article_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Note {
                id: col(r, "id")?,
                body: col(r, "body")?,
                author: col(r, "author")?,
                created_at: col(r, "created_at")?,
            })
        })
        .collect()
}

pub async fn add_note(tx: &mut Tx, article_id: i64, author_id: i64, body: &str) -> StoreResult<i64> {
    let row = sqlx::query(
        "insert into article_notes (article_id, author_id, body, created_at, updated_at) values ($1, $2, $3, $4, $4) \
         returning id",
    )
    .bind(article_id)
    .bind(author_id)
    .bind(body.to_string())
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    col(&row, "id")
}

/// Who the article is assigned to, if anyone.
pub async fn assignee(db: &Db, article_id: i64) -> StoreResult<Option<i64>> {
    let row = sqlx::query("select assigned_to from articles where id = $1")
        .bind(article_id)
        .fetch_optional(db.reader())
        .await?;
    Ok(match row {
        Some(row) => col(&row, "assigned_to")?,
        None => None,
    })
}

/// Assigns the article to a member of staff, or to no one.
pub async fn assign(tx: &mut Tx, article_id: i64, user_id: Option<i64>) -> StoreResult<()> {
    sqlx::query("update articles set assigned_to = $2 where id = $1")
        .bind(article_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Who has an article open in the newsroom, until when.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Lease {
    pub user_id: i64,
    /// Their name, to say "being edited by …".
    pub holder: String,
    /// Since when they have had it.
    pub taken_at: i64,
    pub expires_at: i64,
}

/// How long an open article stays someone's without its page renewing it (the page's script
/// renews it every 30 seconds).
pub const LEASE_MS: i64 = 90_000;

/// The article's lease, expired or not.
pub async fn lease(db: &Db, article_id: i64) -> StoreResult<Option<Lease>> {
    let row = sqlx::query(
        "select l.user_id, coalesce(u.name, '') as holder, l.taken_at, l.expires_at \
         from article_leases l left join users u on u.id = l.user_id where l.article_id = $1",
    )
    .bind(article_id)
    .fetch_optional(db.reader())
    .await?;
    row.map(|r| {
        Ok(Lease {
            user_id: col(&r, "user_id")?,
            holder: col(&r, "holder")?,
            taken_at: col(&r, "taken_at")?,
            expires_at: col(&r, "expires_at")?,
        })
    })
    .transpose()
}

/// Takes or renews the lease for `user_id` when it is free, expired or already theirs (or,
/// with `take_over`, whoever has it); returns who holds it afterwards.
pub async fn claim(db: &Db, article_id: i64, user_id: i64, take_over: bool) -> StoreResult<Lease> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let current = sqlx::query("select user_id, expires_at from article_leases where article_id = $1")
        .bind(article_id)
        .fetch_optional(&mut *tx)
        .await?;
    let held_by_other = match &current {
        Some(row) => col::<i64>(row, "user_id")? != user_id && col::<i64>(row, "expires_at")? > now,
        None => false,
    };
    if !held_by_other || take_over {
        // The same holder keeps the time they took it; a new one starts now.
        sqlx::query(
            "insert into article_leases (article_id, user_id, taken_at, expires_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $3, $3) \
             on conflict (article_id) do update set \
                 taken_at = case when article_leases.user_id = excluded.user_id and article_leases.expires_at > $3 \
                     then article_leases.taken_at else excluded.taken_at end, \
                 user_id = excluded.user_id, expires_at = excluded.expires_at, updated_at = excluded.updated_at",
        )
        .bind(article_id)
        .bind(user_id)
        .bind(now)
        .bind(now + LEASE_MS)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    lease(db, article_id).await?.ok_or(super::StoreError::NotFound)
}
