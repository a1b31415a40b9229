//! Static pages (about, legal notice, imported WordPress pages), served at `/{slug}` when no
//! section has that slug.

use serde::Serialize;

use super::{Db, StoreResult, col};

#[derive(Clone, Debug, Serialize)]
pub struct Page {
    pub id: i64,
    pub slug: String,
    pub language: String,
    pub title: String,
    /// Sanitized when it was stored.
    pub body_html: String,
    pub updated_at: i64,
}

pub async fn by_slug(db: &Db, slug: &str) -> StoreResult<Option<Page>> {
    let row = sqlx::query("select id, slug, language, title, body_html, updated_at from pages where slug = $1")
        .bind(slug.to_string())
        .fetch_optional(db.reader())
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Page {
        id: col(&row, "id")?,
        slug: col(&row, "slug")?,
        language: col(&row, "language")?,
        title: col(&row, "title")?,
        body_html: col(&row, "body_html")?,
        updated_at: col(&row, "updated_at")?,
    }))
}
