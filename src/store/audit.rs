//! The audit log: who did what, when. Written in the transaction of the action it records.

use super::{StoreResult, Tx, now_ms};

pub struct Entry<'a> {
    pub actor_id: Option<i64>,
    /// Dotted: `article.published`, `comment.approve`, `user.disable`.
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<i64>,
    pub detail: serde_json::Value,
}

pub async fn record(tx: &mut Tx, entry: &Entry<'_>) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query(
        "insert into audit_log (actor_id, action, object_type, object_id, detail, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(entry.actor_id)
    .bind(entry.action.to_string())
    .bind(entry.object_type.to_string())
    .bind(entry.object_id)
    .bind(entry.detail.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
