//! What imports brought in (`import_items`), and the few writes only an import makes: an
//! imported article updated in place, static pages.

use sqlx::AnyConnection;

use super::{Db, StoreResult, Tx, col, now_ms};
use crate::news::{ArticleStatus, Lang};

/// What an earlier run made of a source item: the local row and the fingerprint it had.
pub async fn lookup(
    conn: &mut AnyConnection,
    source: &str,
    kind: &str,
    source_id: &str,
) -> StoreResult<Option<(i64, String)>> {
    let row = sqlx::query(
        "select local_id, fingerprint from import_items where source = $1 and kind = $2 and source_id = $3",
    )
    .bind(source.to_string())
    .bind(kind.to_string())
    .bind(source_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(Some((col(&row, "local_id")?, col(&row, "fingerprint")?))),
        None => Ok(None),
    }
}

/// Records (or updates) what a source item became.
pub async fn record(
    tx: &mut Tx,
    source: &str,
    kind: &str,
    source_id: &str,
    local_id: i64,
    fingerprint: &str,
) -> StoreResult<()> {
    sqlx::query(
        "insert into import_items (source, kind, source_id, local_id, fingerprint, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6) \
         on conflict (source, kind, source_id) do update set local_id = excluded.local_id, \
             fingerprint = excluded.fingerprint, updated_at = excluded.updated_at",
    )
    .bind(source.to_string())
    .bind(kind.to_string())
    .bind(source_id.to_string())
    .bind(local_id)
    .bind(fingerprint.to_string())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The fields an import sets on an article it made before and that changed at the source.
pub struct ImportedArticle<'a> {
    pub title: &'a str,
    pub lead: &'a str,
    pub body_markdown: &'a str,
    pub body_html: &'a str,
    pub section_id: i64,
    pub language: Lang,
    pub status: ArticleStatus,
    pub publish_at: Option<i64>,
    pub featured_media_id: Option<i64>,
    pub featured_caption: &'a str,
    pub featured_alt: &'a str,
    pub comments_mode: &'a str,
    pub author_ids: &'a [i64],
    pub tags: &'a [String],
}

/// Updates an imported article in place, as a new version with its revision (its slug, and so
/// its address, stays).
pub async fn update_article(tx: &mut Tx, id: i64, a: &ImportedArticle<'_>) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query(
        "update articles set title = $2, lead = $3, body_markdown = $4, body_html = $5, section_id = $6, \
             language = $7, status = $8, publish_at = $9, \
             first_published_at = case when $8 = 'published' then coalesce(first_published_at, $9) else first_published_at end, \
             featured_media_id = $10, featured_caption = $11, featured_alt = $12, comments_mode = $13, \
             version = version + 1, updated_at = $14 \
         where id = $1",
    )
    .bind(id)
    .bind(a.title.to_string())
    .bind(a.lead.to_string())
    .bind(a.body_markdown.to_string())
    .bind(a.body_html.to_string())
    .bind(a.section_id)
    .bind(a.language.code())
    .bind(a.status.as_str())
    .bind(a.publish_at)
    .bind(a.featured_media_id)
    .bind(a.featured_caption.to_string())
    .bind(a.featured_alt.to_string())
    .bind(a.comments_mode.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    super::desk::replace_authors_and_tags(tx, id, a.author_ids, a.tags).await?;
    sqlx::query(
        "insert into article_revisions (article_id, version, title, lead, body_markdown, fields, created_by, created_at, updated_at) \
         select id, version, title, lead, body_markdown, '{\"imported\":true}', null, $2, $2 from articles where id = $1 \
         on conflict (article_id, version) do nothing",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    super::search::reindex(tx, super::engine_of(tx), id).await
}

/// A static page (about, legal notice...).
pub struct NewPage<'a> {
    pub slug: &'a str,
    pub language: Lang,
    pub title: &'a str,
    pub body_html: &'a str,
    pub created_at: i64,
}

/// A page slug not taken by another page or a section, nor reserved by the site's routes.
pub async fn free_page_slug(tx: &mut Tx, wanted: &str, except: Option<i64>) -> StoreResult<String> {
    free_top_level_slug(tx, &crate::news::slug::slugify(wanted), except).await
}

/// A slug for an address at the top of the site (`/{slug}`), where sections and pages share
/// one space: `base`, else `base-2`, `base-3`… — not taken (but by the page `except_page`),
/// not one of the site's own paths.
async fn free_top_level_slug(tx: &mut Tx, base: &str, except_page: Option<i64>) -> StoreResult<String> {
    let mut slug = base.to_string();
    for n in 2.. {
        let reserved = super::sections::RESERVED_SLUGS.contains(&slug.as_str());
        let taken = sqlx::query(
            "select id from sections where slug = $1 union all select id from pages where slug = $1 and id <> $2",
        )
        .bind(slug.clone())
        .bind(except_page.unwrap_or(0))
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
        if !reserved && !taken {
            break;
        }
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

/// Inserts a page; returns its id and slug.
pub async fn insert_page(tx: &mut Tx, page: &NewPage<'_>) -> StoreResult<(i64, String)> {
    let slug = free_page_slug(tx, page.slug, None).await?;
    let row = sqlx::query(
        "insert into pages (slug, language, title, body_html, created_at, updated_at) values ($1, $2, $3, $4, $5, $6) \
         returning id",
    )
    .bind(slug.clone())
    .bind(page.language.code())
    .bind(page.title.to_string())
    .bind(page.body_html.to_string())
    .bind(page.created_at)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    Ok((col(&row, "id")?, slug))
}

/// Updates a page's text (its slug stays); returns its slug.
pub async fn update_page(tx: &mut Tx, id: i64, page: &NewPage<'_>) -> StoreResult<String> {
    let row = sqlx::query(
        "update pages set language = $2, title = $3, body_html = $4, updated_at = $5 where id = $1 returning slug",
    )
    .bind(id)
    .bind(page.language.code())
    .bind(page.title.to_string())
    .bind(page.body_html.to_string())
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    col(&row, "slug")
}

/// A comment's status and text changed at the source.
pub async fn update_comment(
    tx: &mut Tx,
    id: i64,
    status: crate::news::CommentStatus,
    body: &str,
    screening: &str,
) -> StoreResult<()> {
    sqlx::query("update comments set status = $2, body = $3, screening = $4, updated_at = $5 where id = $1")
        .bind(id)
        .bind(status.as_str())
        .bind(body.to_string())
        .bind(screening.to_string())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A user made by an earlier import, or with this e-mail.
pub async fn user_by_email(tx: &mut Tx, email: &str) -> StoreResult<Option<i64>> {
    let row = sqlx::query("select id from users where email = $1")
        .bind(super::users::normalize_email(email))
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| col(&r, "id")).transpose()
}

/// The slug of an account (an imported author's, for the redirect from their old page).
pub async fn user_slug(tx: &mut Tx, id: i64) -> StoreResult<Option<String>> {
    let row = sqlx::query("select slug from users where id = $1").bind(id).fetch_optional(&mut **tx).await?;
    row.map(|r| col(&r, "slug")).transpose()
}

/// A section slug free among sections and pages, and not one of the site's own paths.
pub async fn free_section_slug(tx: &mut Tx, wanted: &str) -> StoreResult<String> {
    free_top_level_slug(tx, wanted, None).await
}

/// The id of the section with this slug.
pub async fn section_id(tx: &mut Tx, slug: &str) -> StoreResult<Option<i64>> {
    let row =
        sqlx::query("select id from sections where slug = $1").bind(slug.to_string()).fetch_optional(&mut **tx).await?;
    row.map(|r| col(&r, "id")).transpose()
}

/// An imported article's body, as the final relinking reads it.
pub struct ImportedBody {
    pub id: i64,
    pub html: String,
    pub markdown: String,
}

/// The bodies of the articles a source's posts became, `limit` at a time after `after_id`.
pub async fn bodies_after(db: &Db, source: &str, after_id: i64, limit: i64) -> StoreResult<Vec<ImportedBody>> {
    let rows = sqlx::query(
        "select a.id, a.body_html, a.body_markdown from import_items i join articles a on a.id = i.local_id \
         where i.source = $1 and i.kind = 'post' and a.id > $2 order by a.id limit $3",
    )
    .bind(source.to_string())
    .bind(after_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ImportedBody { id: col(row, "id")?, html: col(row, "body_html")?, markdown: col(row, "body_markdown")? })
        })
        .collect()
}

/// Replaces an imported article's body (its links to the old site pointed here).
pub async fn set_body(tx: &mut Tx, body: &ImportedBody) -> StoreResult<()> {
    sqlx::query("update articles set body_html = $2, body_markdown = $3 where id = $1")
        .bind(body.id)
        .bind(body.html.clone())
        .bind(body.markdown.clone())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The translation group of an article.
pub async fn translation_group_of(tx: &mut Tx, article_id: i64) -> StoreResult<Option<i64>> {
    let row = sqlx::query("select translation_group from articles where id = $1")
        .bind(article_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| col::<Option<i64>>(&r, "translation_group")).transpose()?.flatten())
}

/// Puts an article in a translation group (a story's versions in other languages).
pub async fn set_translation_group(tx: &mut Tx, article_id: i64, group: i64) -> StoreResult<()> {
    sqlx::query("update articles set translation_group = $2 where id = $1 and (translation_group is null or translation_group <> $2)")
        .bind(article_id)
        .bind(group)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
