//! Tags on articles.

use serde::Serialize;

use super::{Db, StoreResult, Tx, col, now_ms};
use crate::news::slug::slugify;

#[derive(Clone, Debug, Serialize)]
pub struct Tag {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// The id of the tag with this name's slug, created if new.
pub async fn ensure(tx: &mut Tx, name: &str) -> StoreResult<i64> {
    let slug = slugify(name);
    let row = sqlx::query(
        "insert into tags (slug, name, created_at, updated_at) values ($1, $2, $3, $3) \
         on conflict (slug) do update set updated_at = tags.updated_at returning id",
    )
    .bind(slug)
    .bind(name.trim().to_string())
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    col(&row, "id")
}

pub async fn by_slug(db: &Db, slug: &str) -> StoreResult<Option<Tag>> {
    let row = sqlx::query("select id, slug, name from tags where slug = $1")
        .bind(slug.to_string())
        .fetch_optional(db.reader())
        .await?;
    match row {
        None => Ok(None),
        Some(row) => Ok(Some(Tag { id: col(&row, "id")?, slug: col(&row, "slug")?, name: col(&row, "name")? })),
    }
}

/// The names of the most used tags, for the editor's suggestions.
pub async fn popular(db: &Db, limit: i64) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(
        "select t.name from tags t left join article_tags at on at.tag_id = t.id \
         group by t.id, t.name order by count(at.article_id) desc, t.name limit $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| col(r, "name")).collect()
}
