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

/// The storage key of a media row.
pub async fn key_of(db: &Db, id: i64) -> StoreResult<Option<String>> {
    let row = sqlx::query("select storage_key from media where id = $1").bind(id).fetch_optional(db.reader()).await?;
    row.map(|r| col(&r, "storage_key")).transpose()
}

/// Records an image's responsive variants.
pub async fn set_variants(tx: &mut Tx, id: i64, variants: &[crate::media::variants::Variant]) -> StoreResult<()> {
    let now = now_ms();
    let json = serde_json::to_string(variants).map_err(|e| super::StoreError::Other(e.to_string()))?;
    sqlx::query("update media set variants = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(json)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    for variant in variants {
        let format = variant.key.rsplit('.').next().unwrap_or("").to_string();
        sqlx::query(
            "insert into media_variants (media_id, width, format, storage_key, byte_size, created_at, updated_at) \
             values ($1, $2, $3, $4, 0, $5, $5) \
             on conflict (media_id, width, format) do update set storage_key = excluded.storage_key, \
                 updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(i64::from(variant.width))
        .bind(format)
        .bind(variant.key.clone())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
