//! Media rows (the files themselves live under the media directory, see `crate::media`).

use serde::Serialize;

use super::{Db, StoreResult, Tx, col, now_ms};

#[derive(Clone, Debug)]
pub struct NewMedia {
    pub storage_key: String,
    pub original_name: String,
    pub mime: String,
    pub width: i64,
    pub height: i64,
    pub byte_size: i64,
    pub caption: String,
    pub credit: String,
    pub alt: String,
    pub uploaded_by: Option<i64>,
}

/// Inserts a media row, or returns the existing one with the same file (same content hash).
pub async fn insert(tx: &mut Tx, media: &NewMedia) -> StoreResult<i64> {
    let row = sqlx::query(
        "insert into media (storage_key, original_name, mime, width, height, byte_size, caption, credit, alt, \
             uploaded_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         on conflict (storage_key) do update set updated_at = media.updated_at returning id",
    )
    .bind(media.storage_key.clone())
    .bind(media.original_name.clone())
    .bind(media.mime.clone())
    .bind(media.width)
    .bind(media.height)
    .bind(media.byte_size)
    .bind(media.caption.clone())
    .bind(media.credit.clone())
    .bind(media.alt.clone())
    .bind(media.uploaded_by)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    col(&row, "id")
}

#[derive(Clone, Debug, Serialize)]
pub struct MediaFile {
    pub storage_key: String,
    pub mime: String,
}

/// The file behind a storage key, if the key is known.
pub async fn by_key(db: &Db, key: &str) -> StoreResult<Option<MediaFile>> {
    let row = sqlx::query("select storage_key, mime from media where storage_key = $1")
        .bind(key.to_string())
        .fetch_optional(db.reader())
        .await?;
    match row {
        None => Ok(None),
        Some(row) => Ok(Some(MediaFile { storage_key: col(&row, "storage_key")?, mime: col(&row, "mime")? })),
    }
}
