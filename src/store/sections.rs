//! Sections (rubriques): names per language, order, one level of nesting.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::any::AnyRow;

use super::{Db, StoreError, StoreResult, Tx, col, now_ms};

/// Slugs a section may not take: the first segments of the site's own addresses.
pub const RESERVED_SLUGS: &[&str] = &[
    "commentaires",
    "apercu",
    "fr",
    "ar",
    "en",
    "tag",
    "auteur",
    "archives",
    "recherche",
    "confidentialite",
    "feeds",
    "sitemaps",
    "sitemap.xml",
    "robots.txt",
    "static",
    "media",
    "api",
    "healthz",
    "metrics",
    "redaction",
    "newsroom",
];
use crate::news::Lang;

#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub id: i64,
    pub slug: String,
    pub parent_id: Option<i64>,
    pub position: i64,
    pub names: BTreeMap<Lang, String>,
    pub descriptions: BTreeMap<Lang, String>,
    /// "news" or "opinion" (opinion sections get teaser blocks on the front page).
    pub kind: String,
}

impl Section {
    /// The name in `lang`, else French, else the slug.
    pub fn name(&self, lang: Lang) -> &str {
        self.names.get(&lang).or_else(|| self.names.get(&Lang::Fr)).map(String::as_str).unwrap_or(&self.slug)
    }

    pub fn description(&self, lang: Lang) -> &str {
        self.descriptions.get(&lang).map(String::as_str).unwrap_or("")
    }
}

macro_rules! section_columns {
    () => {
        "id, slug, parent_id, position, names, descriptions, kind"
    };
}

pub(crate) fn parse_names(text: &str) -> StoreResult<BTreeMap<Lang, String>> {
    serde_json::from_str(text).map_err(|e| StoreError::Other(format!("section names are not valid JSON: {e}")))
}

fn from_row(row: &AnyRow) -> StoreResult<Section> {
    Ok(Section {
        id: col(row, "id")?,
        slug: col(row, "slug")?,
        parent_id: col(row, "parent_id")?,
        position: col(row, "position")?,
        names: parse_names(&col::<String>(row, "names")?)?,
        descriptions: parse_names(&col::<String>(row, "descriptions")?)?,
        kind: col(row, "kind")?,
    })
}

pub struct NewSection<'a> {
    pub slug: &'a str,
    pub parent_id: Option<i64>,
    pub position: i64,
    pub names: &'a BTreeMap<Lang, String>,
    pub descriptions: &'a BTreeMap<Lang, String>,
    pub kind: &'a str,
}

fn to_json(map: &BTreeMap<Lang, String>) -> StoreResult<String> {
    serde_json::to_string(map).map_err(|e| StoreError::Other(e.to_string()))
}

/// Inserts a section, or updates the one with the same slug; returns its id.
pub async fn upsert(tx: &mut Tx, section: &NewSection<'_>) -> StoreResult<i64> {
    let row = sqlx::query(
        "insert into sections (slug, parent_id, position, names, descriptions, kind, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $7, $6, $6) \
         on conflict (slug) do update set parent_id = excluded.parent_id, position = excluded.position, \
             names = excluded.names, descriptions = excluded.descriptions, kind = excluded.kind, \
             updated_at = excluded.updated_at \
         returning id",
    )
    .bind(section.slug.to_string())
    .bind(section.parent_id)
    .bind(section.position)
    .bind(to_json(section.names)?)
    .bind(to_json(section.descriptions)?)
    .bind(now_ms())
    .bind(section.kind.to_string())
    .fetch_one(&mut **tx)
    .await?;
    col(&row, "id")
}

/// All sections, parents before their children, in editors' order.
pub async fn all(db: &Db) -> StoreResult<Vec<Section>> {
    let rows = sqlx::query(concat!("select ", section_columns!(), " from sections order by position, id"))
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn by_slug(db: &Db, slug: &str) -> StoreResult<Option<Section>> {
    let row = sqlx::query(concat!("select ", section_columns!(), " from sections where slug = $1"))
        .bind(slug.to_string())
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(db: &Db, id: i64) -> StoreResult<Option<Section>> {
    let row = sqlx::query(concat!("select ", section_columns!(), " from sections where id = $1"))
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Changes a section (its id stays, so articles follow).
pub async fn update(tx: &mut Tx, id: i64, section: &NewSection<'_>) -> StoreResult<()> {
    sqlx::query(
        "update sections set slug = $2, parent_id = $3, names = $4, kind = $5, descriptions = $6, updated_at = $7 where id = $1",
    )
    .bind(id)
    .bind(section.slug.to_string())
    .bind(section.parent_id)
    .bind(to_json(section.names)?)
    .bind(section.kind.to_string())
    .bind(to_json(section.descriptions)?)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Swaps the positions of two sections.
pub async fn set_position(tx: &mut Tx, id: i64, position: i64, other_position: i64, other: i64) -> StoreResult<()> {
    let now = now_ms();
    let (position, other_position) =
        if position == other_position { (position - 1, other_position) } else { (position, other_position) };
    for (section, at) in [(id, position), (other, other_position)] {
        sqlx::query("update sections set position = $2, updated_at = $3 where id = $1")
            .bind(section)
            .bind(at)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
