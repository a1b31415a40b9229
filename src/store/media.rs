//! Media rows (the files themselves live under the media directory, see `crate::media`).

use serde::Serialize;

use super::{Db, StoreResult, Tx, col, now_ms};
pub use crate::media::variants::Focus;

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

/// What the variants job needs of an image: its file and where its subject is.
pub async fn to_vary(db: &Db, id: i64) -> StoreResult<Option<(String, Focus)>> {
    let row = sqlx::query("select storage_key, focus_x, focus_y from media where id = $1")
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| Ok((col(&r, "storage_key")?, focus_from(&r)?))).transpose()
}

fn focus_from(row: &sqlx::any::AnyRow) -> StoreResult<Focus> {
    let percent = |name: &str| col::<i64>(row, name).map(|v| v.clamp(0, 100) as u32);
    Ok(Focus { x: percent("focus_x")?, y: percent("focus_y")? })
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

/// A media item as the library lists it.
#[derive(Clone, Debug, Serialize)]
pub struct MediaItem {
    pub id: i64,
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
    pub created_at: i64,
    /// Where the subject is, which crops keep in view.
    pub focus: Focus,
    /// The smallest variant, for thumbnails (the original when there is none).
    pub thumb_key: String,
}

macro_rules! media_columns {
    () => {
        "id, storage_key, original_name, mime, width, height, byte_size, caption, credit, alt, uploaded_by, created_at, \
         variants, focus_x, focus_y"
    };
}

fn item_from_row(row: &sqlx::any::AnyRow) -> StoreResult<MediaItem> {
    let key: String = col(row, "storage_key")?;
    let variants: Vec<crate::media::variants::Variant> =
        serde_json::from_str(&col::<String>(row, "variants")?).unwrap_or_default();
    Ok(MediaItem {
        id: col(row, "id")?,
        thumb_key: variants.first().map(|v| v.key.clone()).unwrap_or_else(|| key.clone()),
        storage_key: key,
        original_name: col(row, "original_name")?,
        mime: col(row, "mime")?,
        width: col(row, "width")?,
        height: col(row, "height")?,
        byte_size: col(row, "byte_size")?,
        caption: col(row, "caption")?,
        credit: col(row, "credit")?,
        alt: col(row, "alt")?,
        uploaded_by: col(row, "uploaded_by")?,
        created_at: col(row, "created_at")?,
        focus: focus_from(row)?,
    })
}

/// The newest media, or those whose caption, credit, alt text or file name contain `q`.
pub async fn recent(db: &Db, q: &str, limit: i64, offset: i64) -> StoreResult<Vec<MediaItem>> {
    let like = format!("%{}%", q.trim().to_lowercase());
    let rows = sqlx::query(concat!(
        "select ",
        media_columns!(),
        " from media where ($1 = '%%' or lower(caption) like $1 or lower(credit) like $1 or lower(alt) like $1 \
             or lower(original_name) like $1) order by created_at desc, id desc limit $2 offset $3"
    ))
    .bind(like)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(item_from_row).collect()
}

pub async fn by_id(db: &Db, id: i64) -> StoreResult<Option<MediaItem>> {
    let row = sqlx::query(concat!("select ", media_columns!(), " from media where id = $1"))
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(item_from_row).transpose()
}

pub async fn exists(db: &Db, id: i64) -> StoreResult<bool> {
    Ok(sqlx::query("select id from media where id = $1").bind(id).fetch_optional(db.reader()).await?.is_some())
}

/// The articles that show an image: (id, title, status).
pub async fn usage(db: &Db, id: i64) -> StoreResult<Vec<(i64, String, String)>> {
    let rows =
        sqlx::query("select id, title, status from articles where featured_media_id = $1 order by updated_at desc")
            .bind(id)
            .fetch_all(db.reader())
            .await?;
    rows.iter().map(|r| Ok((col(r, "id")?, col(r, "title")?, col(r, "status")?))).collect()
}

/// Changes an image's caption, credit and alternative text.
/// Changes what is said of an image and where its subject is (the caller remakes the crops
/// when the focus moved).
pub async fn describe(tx: &mut Tx, id: i64, caption: &str, credit: &str, alt: &str, focus: Focus) -> StoreResult<bool> {
    let done = sqlx::query(
        "update media set caption = $2, credit = $3, alt = $4, focus_x = $6, focus_y = $7, updated_at = $5 \
         where id = $1",
    )
    .bind(id)
    .bind(caption.to_string())
    .bind(credit.to_string())
    .bind(alt.to_string())
    .bind(now_ms())
    .bind(i64::from(focus.x.min(100)))
    .bind(i64::from(focus.y.min(100)))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}
