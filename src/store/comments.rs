//! Reader comments. The author's e-mail is stored for notifications and legal requests and is
//! never part of a value that pages or the API render: [`PublicComment`] has no such field.

use serde::Serialize;

use super::{Db, StoreResult, Tx, col, now_ms};
use crate::news::CommentStatus;

/// A new comment, already screened.
#[derive(Clone, Debug)]
pub struct NewComment {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_website: String,
    pub body: String,
    pub language: String,
    pub status: CommentStatus,
    pub refusal_reason: Option<String>,
    pub screening: String,
    pub ip_hash: String,
    pub created_at: Option<i64>,
}

pub async fn insert(tx: &mut Tx, comment: &NewComment) -> StoreResult<i64> {
    let now = now_ms();
    let created_at = comment.created_at.unwrap_or(now);
    let decided_at = if comment.status == CommentStatus::Pending { None } else { Some(created_at) };
    let row = sqlx::query(
        "insert into comments (article_id, parent_id, author_name, author_email, author_website, body, language, \
             status, refusal_reason, screening, ip_hash, decided_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) returning id",
    )
    .bind(comment.article_id)
    .bind(comment.parent_id)
    .bind(comment.author_name.clone())
    .bind(comment.author_email.clone())
    .bind(comment.author_website.clone())
    .bind(comment.body.clone())
    .bind(comment.language.clone())
    .bind(comment.status.as_str())
    .bind(comment.refusal_reason.clone())
    .bind(comment.screening.clone())
    .bind(comment.ip_hash.clone())
    .bind(decided_at)
    .bind(created_at)
    .fetch_one(&mut **tx)
    .await?;
    col(&row, "id")
}

/// A comment as readers see it: no e-mail, no address hash.
#[derive(Clone, Debug, Serialize)]
pub struct PublicComment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_website: String,
    pub body: String,
    pub language: String,
    pub deleted: bool,
    pub created_at: i64,
}

/// Approved comments of an article, oldest first.
pub async fn approved_for_article(db: &Db, article_id: i64) -> StoreResult<Vec<PublicComment>> {
    let rows = sqlx::query(
        "select id, parent_id, author_name, author_website, body, language, deleted_at, created_at from comments \
         where article_id = $1 and status = 'approved' order by created_at, id",
    )
    .bind(article_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PublicComment {
                id: col(row, "id")?,
                parent_id: col(row, "parent_id")?,
                author_name: col(row, "author_name")?,
                author_website: col(row, "author_website")?,
                body: col(row, "body")?,
                language: col(row, "language")?,
                deleted: col::<Option<i64>>(row, "deleted_at")?.is_some(),
                created_at: col(row, "created_at")?,
            })
        })
        .collect()
}

/// Comments by status, for `gazette check` and the moderation counter.
pub async fn count_by_status(db: &Db, status: CommentStatus) -> StoreResult<i64> {
    let row = sqlx::query("select count(*) as n from comments where status = $1")
        .bind(status.as_str())
        .fetch_one(db.reader())
        .await?;
    col(&row, "n")
}
