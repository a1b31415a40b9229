//! Articles: writing them, publishing them, one article with what its page shows; the lists
//! reader pages are made of are in `listings.rs`.
//!
//! List queries return [`ArticleCard`]s with their section and image in one query; authors
//! and tags of many articles are fetched together ([`authors_of`], [`tags_of`]) so a page
//! costs a fixed number of queries, however many articles it shows.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sqlx::any::AnyRow;

use super::sections::parse_names;
use super::{Db, StoreError, StoreResult, Tx, col, now_ms};
use crate::news::slug::slugify;
use crate::news::{ArticleStatus, Lang};

/// What a list of articles shows of each.
#[derive(Clone, Debug, Serialize)]
pub struct ArticleCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub lead: String,
    pub language: Lang,
    pub signature: String,
    pub publish_at: Option<i64>,
    pub content_updated_at: Option<i64>,
    pub section_id: i64,
    pub section_slug: String,
    pub section_names: BTreeMap<Lang, String>,
    pub image_key: Option<String>,
    pub image_alt: String,
    pub image_width: i64,
    pub image_height: i64,
    /// `srcset` of the image: its variants and the original, with their widths.
    pub image_srcset: String,
    /// The same widths in WebP, offered first by the pages' `<picture>`.
    pub image_srcset_webp: String,
    /// Classes that place the picture's focus where a card crops it ("fx-30 fy-50": the
    /// stylesheet's `object-position` in steps of 10 %, since inline styles are refused by
    /// the Content-Security-Policy).
    pub image_focus: String,
    /// The 16:9, 4:3 and 1:1 crops around the focus, for search engines, when made.
    pub image_crops: Vec<String>,
}

/// An article with everything its page shows (authors and tags come separately).
#[derive(Clone, Debug, Serialize)]
pub struct Article {
    #[serde(flatten)]
    pub card: ArticleCard,
    pub status: ArticleStatus,
    pub body_markdown: String,
    pub body_html: String,
    pub translation_group: Option<i64>,
    pub image_caption: String,
    pub image_credit: String,
    pub front_position: Option<i64>,
    pub comments_mode: String,
    pub first_published_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Reads and likes as last written by the counters (a node adds its unflushed ones).
    pub reads: i64,
    pub likes: i64,
}

macro_rules! card_select {
    () => {
        concat!("select ", card_columns!())
    };
}

macro_rules! card_columns {
    () => {
        "a.id, a.slug, a.title, a.lead, a.language, a.signature, a.publish_at, a.content_updated_at, \
             a.section_id, s.slug as section_slug, s.names as section_names, m.storage_key as image_key, \
             coalesce(nullif(a.featured_alt, ''), m.alt, '') as image_alt, \
             coalesce(m.width, 0) as image_width, coalesce(m.height, 0) as image_height, \
             coalesce(m.variants, '[]') as image_variants, coalesce(m.focus_x, 50) as image_focus_x, \
             coalesce(m.focus_y, 50) as image_focus_y"
    };
}

macro_rules! card_from {
    () => {
        " from articles a join sections s on s.id = a.section_id \
          left join media m on m.id = a.featured_media_id"
    };
}

macro_rules! article_select {
    () => {
        article_select!("a.body_markdown")
    };
    // Reader pages never show the Markdown: they pass "''" and save reading a second copy of
    // the body.
    ($markdown:literal) => {
        concat!(
            card_select!(),
            ", a.status, ",
            $markdown,
            " as body_markdown, a.body_html, a.translation_group, \
               coalesce(nullif(a.featured_caption, ''), m.caption, '') as image_caption, \
               coalesce(nullif(a.featured_credit, ''), m.credit, '') as image_credit, \
               a.front_position, a.comments_mode, a.first_published_at, a.version, a.created_at, a.updated_at, \
               coalesce(st.reads, 0) as reads, coalesce(st.likes, 0) as likes",
            card_from!(),
            " left join article_stats st on st.article_id = a.id"
        )
    };
}

mod listings;
pub use listings::*;

/// The two `srcset`s of an image: "/media/a.w320.jpg 320w, /media/a.png 1200w" (its variants
/// and the original, in a format every browser reads) and the WebP one. Each is empty when it
/// would hold a single candidate, which says nothing `src` does not.
fn srcsets(key: Option<&str>, width: i64, variants_json: &str) -> (String, String) {
    let Some(key) = key else { return (String::new(), String::new()) };
    let variants: Vec<crate::media::variants::Variant> = serde_json::from_str(variants_json).unwrap_or_default();
    let widths = variants.iter().filter(|v| !crate::media::variants::is_crop(v));
    let (webp, plain): (Vec<_>, Vec<_>) = widths.partition(|v| crate::media::variants::is_webp(v));
    let list = |items: &[&crate::media::variants::Variant]| {
        items.iter().map(|v| format!("/media/{} {}w", v.key, v.width)).collect::<Vec<_>>().join(", ")
    };
    let mut fallback = list(&plain);
    if !plain.is_empty() {
        fallback.push_str(&format!(", /media/{key} {width}w"));
    }
    let webp = if webp.len() > 1 { list(&webp) } else { String::new() };
    (fallback, webp)
}

/// The keys of the ratio crops among an image's variants, widest ratio first.
fn crops(variants_json: &str) -> Vec<String> {
    let variants: Vec<crate::media::variants::Variant> = serde_json::from_str(variants_json).unwrap_or_default();
    variants.into_iter().filter(crate::media::variants::is_crop).map(|v| v.key).collect()
}

fn card_from_row(row: &AnyRow) -> StoreResult<ArticleCard> {
    let language: String = col(row, "language")?;
    let image_key: Option<String> = col(row, "image_key")?;
    let variants_json: String = col(row, "image_variants")?;
    let (image_srcset, image_srcset_webp) =
        srcsets(image_key.as_deref(), col::<i64>(row, "image_width")?, &variants_json);
    let step = |name: &str| col::<i64>(row, name).map(|p| (p.clamp(0, 100) + 5) / 10 * 10);
    let image_focus = format!("fx-{} fy-{}", step("image_focus_x")?, step("image_focus_y")?);
    let image_crops = crops(&variants_json);
    Ok(ArticleCard {
        id: col(row, "id")?,
        slug: col(row, "slug")?,
        title: col(row, "title")?,
        lead: col(row, "lead")?,
        language: Lang::parse(&language).unwrap_or(Lang::Fr),
        signature: col(row, "signature")?,
        publish_at: col(row, "publish_at")?,
        content_updated_at: col(row, "content_updated_at")?,
        section_id: col(row, "section_id")?,
        section_slug: col(row, "section_slug")?,
        section_names: parse_names(&col::<String>(row, "section_names")?)?,
        image_alt: col(row, "image_alt")?,
        image_width: col(row, "image_width")?,
        image_height: col(row, "image_height")?,
        image_srcset,
        image_srcset_webp,
        image_focus,
        image_crops,
        image_key,
    })
}

fn article_from_row(row: &AnyRow) -> StoreResult<Article> {
    let status: String = col(row, "status")?;
    Ok(Article {
        card: card_from_row(row)?,
        status: ArticleStatus::parse(&status).ok_or_else(|| StoreError::Other(format!("unknown status {status}")))?,
        body_markdown: col(row, "body_markdown")?,
        body_html: col(row, "body_html")?,
        translation_group: col(row, "translation_group")?,
        image_caption: col(row, "image_caption")?,
        image_credit: col(row, "image_credit")?,
        front_position: col(row, "front_position")?,
        comments_mode: col(row, "comments_mode")?,
        first_published_at: col(row, "first_published_at")?,
        version: col(row, "version")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
        reads: col(row, "reads")?,
        likes: col(row, "likes")?,
    })
}

/// A new article, as the newsroom, the API, the demo and the importers make it.
#[derive(Clone, Debug)]
pub struct NewArticle {
    pub slug: String,
    pub section_id: i64,
    pub language: Lang,
    pub translation_group: Option<i64>,
    pub title: String,
    pub lead: String,
    pub body_markdown: String,
    /// Already rendered and sanitized by `render::markdown`.
    pub body_html: String,
    pub signature: String,
    pub status: ArticleStatus,
    pub publish_at: Option<i64>,
    pub featured_media_id: Option<i64>,
    pub featured_caption: String,
    pub featured_credit: String,
    pub featured_alt: String,
    pub front_position: Option<i64>,
    pub comments_mode: String,
    pub author_ids: Vec<i64>,
    pub tags: Vec<String>,
    pub created_by: Option<i64>,
    /// Creation time; `None`: now. Imports and the demo set it to the article's own date.
    pub created_at: Option<i64>,
}

/// A slug not yet taken: the given one (or one from the title), then -2, -3, ...
pub async fn free_slug(tx: &mut Tx, wanted: &str, title: &str) -> StoreResult<String> {
    let base = if wanted.trim().is_empty() { slugify(title) } else { slugify(wanted) };
    let mut slug = base.clone();
    for n in 2.. {
        let taken =
            sqlx::query("select id from articles where slug = $1").bind(slug.clone()).fetch_optional(&mut **tx).await?;
        if taken.is_none() {
            break;
        }
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

/// Inserts an article with its authors, tags, first revision and counters; returns its id.
pub async fn insert(tx: &mut Tx, article: &NewArticle) -> StoreResult<i64> {
    let now = now_ms();
    let created_at = article.created_at.unwrap_or(now);
    let slug = free_slug(tx, &article.slug, &article.title).await?;
    let first_published_at = match article.status {
        ArticleStatus::Published => article.publish_at.or(Some(now)),
        _ => None,
    };
    let row = sqlx::query(
        "insert into articles (slug, section_id, language, translation_group, title, lead, body_markdown, \
             body_html, signature, status, publish_at, first_published_at, featured_media_id, featured_caption, \
             featured_credit, featured_alt, front_position, comments_mode, version, created_by, updated_by, \
             created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1, $19, $19, $20, $20) \
         returning id",
    )
    .bind(slug)
    .bind(article.section_id)
    .bind(article.language.code())
    .bind(article.translation_group)
    .bind(article.title.clone())
    .bind(article.lead.clone())
    .bind(article.body_markdown.clone())
    .bind(article.body_html.clone())
    .bind(article.signature.clone())
    .bind(article.status.as_str())
    .bind(match article.status {
        ArticleStatus::Published => article.publish_at.or(Some(now)),
        _ => article.publish_at,
    })
    .bind(first_published_at)
    .bind(article.featured_media_id)
    .bind(article.featured_caption.clone())
    .bind(article.featured_credit.clone())
    .bind(article.featured_alt.clone())
    .bind(article.front_position)
    .bind(article.comments_mode.clone())
    .bind(article.created_by)
    .bind(created_at)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = col(&row, "id")?;
    if article.translation_group.is_none() {
        sqlx::query("update articles set translation_group = id where id = $1").bind(id).execute(&mut **tx).await?;
    }
    for (position, user_id) in article.author_ids.iter().enumerate() {
        sqlx::query("insert into article_authors (article_id, user_id, position) values ($1, $2, $3)")
            .bind(id)
            .bind(*user_id)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
    }
    for (position, name) in article.tags.iter().filter(|t| !t.trim().is_empty()).enumerate() {
        let tag_id = super::tags::ensure(tx, name).await?;
        sqlx::query(
            "insert into article_tags (article_id, tag_id, position) values ($1, $2, $3) \
             on conflict (article_id, tag_id) do nothing",
        )
        .bind(id)
        .bind(tag_id)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "insert into article_revisions (article_id, version, title, lead, body_markdown, fields, created_by, \
             created_at, updated_at) values ($1, 1, $2, $3, $4, '{}', $5, $6, $6)",
    )
    .bind(id)
    .bind(article.title.clone())
    .bind(article.lead.clone())
    .bind(article.body_markdown.clone())
    .bind(article.created_by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("insert into article_stats (article_id, reads, likes, updated_at) values ($1, 0, 0, $2)")
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    super::search::reindex(tx, super::engine_of(tx), id).await?;
    Ok(id)
}

/// Takes a published article off the site when its unpublication time has come (and clears
/// that time). False when there was nothing to do: not published, or the time was moved later
/// or cleared since the job was planned.
pub async fn unpublish_if_due(tx: &mut Tx, id: i64, now: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "update articles set status = 'unpublished', unpublish_at = null, updated_at = $2 \
         where id = $1 and status = 'published' and unpublish_at is not null and unpublish_at <= $2",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let unpublished = done.rows_affected() > 0;
    if unpublished {
        super::search::reindex(tx, super::engine_of(tx), id).await?;
    }
    Ok(unpublished)
}

/// Publishes a scheduled article whose time has come. Returns false when there was nothing to
/// do (already published, unscheduled, or rescheduled later), which makes the job idempotent.
pub async fn publish_if_due(tx: &mut Tx, id: i64, now: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "update articles set status = 'published', first_published_at = coalesce(first_published_at, publish_at), \
             updated_at = $2 \
         where id = $1 and status = 'scheduled' and publish_at <= $2",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let published = done.rows_affected() > 0;
    if published {
        super::search::reindex(tx, super::engine_of(tx), id).await?;
    }
    Ok(published)
}

/// A published article by id.
pub async fn published_by_id(db: &Db, id: i64) -> StoreResult<Option<Article>> {
    let row = sqlx::query(concat!(article_select!(), " where a.id = $1 and a.status = 'published'"))
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(article_from_row).transpose()
}

/// A published article by slug, as readers see it (its Markdown is left empty).
pub async fn published_by_slug(db: &Db, slug: &str) -> StoreResult<Option<Article>> {
    let row = sqlx::query(concat!(article_select!("''"), " where a.slug = $1 and a.status = 'published'"))
        .bind(slug.to_string())
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(article_from_row).transpose()
}

/// Any article by id, whatever its status (newsroom, API for staff).
pub async fn by_id(db: &Db, id: i64) -> StoreResult<Option<Article>> {
    let row = sqlx::query(concat!(article_select!(), " where a.id = $1")).bind(id).fetch_optional(db.reader()).await?;
    row.as_ref().map(article_from_row).transpose()
}

/// An author as a byline shows them.
#[derive(Clone, Debug, Serialize)]
pub struct Byline {
    pub user_id: i64,
    pub name: String,
    pub slug: String,
    /// The writer's portrait, when one is set.
    pub photo: Option<crate::media::portraits::Portrait>,
}

/// The ordered authors of each of `ids`, in one query.
pub async fn authors_of(db: &Db, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Byline>>> {
    let mut out: HashMap<i64, Vec<Byline>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select aa.article_id, u.id, u.name, u.names, u.slug, u.photo, a.language from article_authors aa \
             join users u on u.id = aa.user_id join articles a on a.id = aa.article_id \
             where aa.article_id in ({}) order by aa.article_id, aa.position",
        super::dialect::ids_in_json_array(db.engine())
    )))
    .bind(ids_json(ids))
    .fetch_all(db.reader())
    .await?;
    for row in rows {
        // The name as the article's edition writes it.
        let language: String = col(&row, "language")?;
        let names: String = col(&row, "names")?;
        let name = super::users::name_in(&col::<String>(&row, "name")?, &names, Lang::parse(&language));
        out.entry(col(&row, "article_id")?).or_default().push(Byline {
            user_id: col(&row, "id")?,
            name,
            slug: col(&row, "slug")?,
            photo: super::users::photo_from(&col::<String>(&row, "photo")?),
        });
    }
    Ok(out)
}

/// A tag as an article shows it.
#[derive(Clone, Debug, Serialize)]
pub struct TagRef {
    pub slug: String,
    pub name: String,
}

/// The tags of each of `ids`, in one query.
pub async fn tags_of(db: &Db, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<TagRef>>> {
    let mut out: HashMap<i64, Vec<TagRef>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select at.article_id, t.slug, t.name from article_tags at join tags t on t.id = at.tag_id \
             where at.article_id in ({}) order by at.article_id, at.position",
        super::dialect::ids_in_json_array(db.engine())
    )))
    .bind(ids_json(ids))
    .fetch_all(db.reader())
    .await?;
    for row in rows {
        out.entry(col(&row, "article_id")?)
            .or_default()
            .push(TagRef { slug: col(&row, "slug")?, name: col(&row, "name")? });
    }
    Ok(out)
}

/// A list of ids as a JSON array, the one way to pass a list as a single parameter on both
/// engines.
fn ids_json(ids: &[i64]) -> String {
    let parts: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", parts.join(","))
}

/// Another language's version of a story.
#[derive(Clone, Debug, Serialize)]
pub struct Translation {
    pub language: Lang,
    pub title: String,
    pub section_slug: String,
    pub slug: String,
}

/// What an article's page shows around its text: bylines, tags, corrections and
/// translations.
#[derive(Debug, Default)]
pub struct PageExtras {
    pub authors: Vec<Byline>,
    pub tags: Vec<TagRef>,
    pub corrections: Vec<Correction>,
    pub translations: Vec<Translation>,
}

/// An article page's bylines, tags, corrections and translations in one query: four lists of
/// a few rows each, one round trip instead of four. Each branch reads its rows on an index;
/// `kind` says which list a row belongs to, `ord` and `tie` give its place in it.
/// Bylines carry the names as the article's edition, `lang`, writes them.
pub async fn page_extras(db: &Db, article_id: i64, translation_group: i64, lang: Lang) -> StoreResult<PageExtras> {
    let rows = sqlx::query(
        "select 'author' as kind, u.name as a, u.slug as b, u.names as c, '' as l, cast(u.id as bigint) as n, \
                cast(aa.position as bigint) as ord, cast(0 as bigint) as tie, u.photo as p \
         from article_authors aa join users u on u.id = aa.user_id where aa.article_id = $1 \
         union all \
         select 'tag', t.name, t.slug, '', '', cast(0 as bigint), cast(at.position as bigint), cast(0 as bigint), '' \
         from article_tags at join tags t on t.id = at.tag_id where at.article_id = $1 \
         union all \
         select 'correction', c.kind, c.note, '', '', cast(c.noted_at as bigint), cast(c.noted_at as bigint), \
                cast(c.id as bigint), '' \
         from article_corrections c where c.article_id = $1 \
         union all \
         select 'translation', a.title, a.slug, s.slug, a.language, cast(0 as bigint), cast(0 as bigint), \
                cast(a.id as bigint), '' \
         from articles a join sections s on s.id = a.section_id \
         where a.translation_group = $2 and a.id <> $1 and a.status = 'published'",
    )
    .bind(article_id)
    .bind(translation_group)
    .fetch_all(db.reader())
    .await?;
    let mut sorted: Vec<(String, String, i64, i64, &AnyRow)> = Vec::with_capacity(rows.len());
    for row in &rows {
        sorted.push((col(row, "kind")?, col(row, "l")?, col(row, "ord")?, col(row, "tie")?, row));
    }
    // Authors and tags in their positions, corrections by date, translations by language.
    sorted.sort_by(|x, y| (&x.0, &x.1, x.2, x.3).cmp(&(&y.0, &y.1, y.2, y.3)));
    let mut extras = PageExtras::default();
    for (kind, language, _, _, row) in sorted {
        let (a, b): (String, String) = (col(row, "a")?, col(row, "b")?);
        match kind.as_str() {
            "author" => {
                let name = super::users::name_in(&a, &col::<String>(row, "c")?, Some(lang));
                extras.authors.push(Byline {
                    user_id: col(row, "n")?,
                    name,
                    slug: b,
                    photo: super::users::photo_from(&col::<String>(row, "p")?),
                })
            }
            "tag" => extras.tags.push(TagRef { slug: b, name: a }),
            "correction" => extras.corrections.push(Correction { kind: a, note: b, noted_at: col(row, "n")? }),
            _ => extras.translations.push(Translation {
                language: Lang::parse(&language).unwrap_or(Lang::Fr),
                title: a,
                slug: b,
                section_slug: col(row, "c")?,
            }),
        }
    }
    Ok(extras)
}

/// A correction, clarification or update note shown under an article.
#[derive(Clone, Debug, Serialize)]
pub struct Correction {
    pub kind: String,
    pub note: String,
    pub noted_at: i64,
}

pub async fn corrections(db: &Db, article_id: i64) -> StoreResult<Vec<Correction>> {
    let rows =
        sqlx::query("select kind, note, noted_at from article_corrections where article_id = $1 order by noted_at, id")
            .bind(article_id)
            .fetch_all(db.reader())
            .await?;
    rows.iter()
        .map(|r| Ok(Correction { kind: col(r, "kind")?, note: col(r, "note")?, noted_at: col(r, "noted_at")? }))
        .collect()
}

/// Adds a correction note (newsroom, demo).
pub async fn add_correction(tx: &mut Tx, article_id: i64, kind: &str, note: &str, at: i64) -> StoreResult<()> {
    sqlx::query(
        "insert into article_corrections (article_id, kind, note, noted_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5)",
    )
    .bind(article_id)
    .bind(kind.to_string())
    .bind(note.to_string())
    .bind(at)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A published article's text was corrected at `at`: its page says "updated" from then on.
pub async fn mark_corrected(tx: &mut Tx, id: i64, at: i64) -> StoreResult<()> {
    sqlx::query("update articles set content_updated_at = $2, updated_at = $2 where id = $1 and status = 'published'")
        .bind(id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
