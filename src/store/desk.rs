//! The newsroom's queries on articles: lists for the desk, the editable form of an article,
//! saving with optimistic locking, status changes, revisions and the front page order.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use super::redirects::{self, RedirectTarget};
use super::{Db, StoreError, StoreResult, Tx, col, engine_of, now_ms};
use crate::news::{ArticleStatus, Lang};

/// A line of the desk's article list.
#[derive(Clone, Debug, Serialize)]
pub struct DeskArticle {
    pub id: i64,
    pub title: String,
    pub status: ArticleStatus,
    pub language: Lang,
    pub section_slug: String,
    pub slug: String,
    pub publish_at: Option<i64>,
    pub updated_at: i64,
    pub front_position: Option<i64>,
    pub authors: String,
    /// Who it is assigned to ("" when no one).
    pub assignee: String,
}

/// Which articles the desk lists.
#[derive(Clone, Debug, Default)]
pub struct DeskFilter {
    pub status: Option<ArticleStatus>,
    /// Only articles this user wrote, created or was assigned (journalists see their own).
    pub mine: Option<i64>,
    /// Words in the title.
    pub q: String,
}

fn desk_from_row(row: &AnyRow) -> StoreResult<DeskArticle> {
    let status: String = col(row, "status")?;
    let language: String = col(row, "language")?;
    Ok(DeskArticle {
        id: col(row, "id")?,
        title: col(row, "title")?,
        status: ArticleStatus::parse(&status).unwrap_or(ArticleStatus::Draft),
        language: Lang::parse(&language).unwrap_or(Lang::Fr),
        section_slug: col(row, "section_slug")?,
        slug: col(row, "slug")?,
        publish_at: col(row, "publish_at")?,
        updated_at: col(row, "updated_at")?,
        front_position: col(row, "front_position")?,
        authors: col::<Option<String>>(row, "authors")?.unwrap_or_default(),
        assignee: col::<Option<String>>(row, "assignee")?.unwrap_or_default(),
    })
}

macro_rules! desk_select {
    () => {
        "select a.id, a.title, a.status, a.language, s.slug as section_slug, a.slug, a.publish_at, a.updated_at, \
             a.front_position, (select min(u.name) from article_authors aa join users u on u.id = aa.user_id \
                 where aa.article_id = a.id and aa.position = 0) as authors, \
             (select u.name from users u where u.id = a.assigned_to) as assignee \
         from articles a join sections s on s.id = a.section_id"
    };
}

/// The desk's list, most recently changed first.
pub async fn list(db: &Db, filter: &DeskFilter, limit: i64, offset: i64) -> StoreResult<Vec<DeskArticle>> {
    let like = format!("%{}%", filter.q.trim().to_lowercase());
    let rows = sqlx::query(concat!(
        desk_select!(),
        " where ($1 = '' or a.status = $1) \
            and ($2 = 0 or a.created_by = $2 or a.assigned_to = $2 \
                 or a.id in (select article_id from article_authors where user_id = $2)) \
            and ($3 = '%%' or lower(a.title) like $3) \
          order by a.updated_at desc, a.id desc limit $4 offset $5"
    ))
    .bind(filter.status.map(ArticleStatus::as_str).unwrap_or(""))
    .bind(filter.mine.unwrap_or(0))
    .bind(like)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(desk_from_row).collect()
}

/// An article found by its title, for the translation field and the link picker.
#[derive(Clone, Debug, Serialize)]
pub struct TitleMatch {
    pub id: i64,
    pub title: String,
    pub language: String,
    pub status: String,
}

/// Articles whose title contains `words` (case aside), in any language, newest first.
pub async fn by_title(db: &Db, words: &str, limit: i64) -> StoreResult<Vec<TitleMatch>> {
    let like = format!("%{}%", words.trim().to_lowercase().replace(['%', '_'], ""));
    let rows = sqlx::query(
        "select id, title, language, status from articles where lower(title) like $1 \
         order by coalesce(publish_at, updated_at) desc, id desc limit $2",
    )
    .bind(like)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TitleMatch {
                id: col(r, "id")?,
                title: col(r, "title")?,
                language: col(r, "language")?,
                status: col(r, "status")?,
            })
        })
        .collect()
}

/// Counts by status (for the desk's tabs), in the same scope as `list`.
pub async fn counts(db: &Db, mine: Option<i64>) -> StoreResult<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "select status, count(*) as n from articles a \
         where ($1 = 0 or a.created_by = $1 or a.assigned_to = $1 \
                or a.id in (select article_id from article_authors where user_id = $1)) \
         group by status",
    )
    .bind(mine.unwrap_or(0))
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| Ok((col(r, "status")?, col(r, "n")?))).collect()
}

/// The articles on the front page, in editors' order.
pub async fn front(db: &Db) -> StoreResult<Vec<DeskArticle>> {
    let rows = sqlx::query(concat!(
        desk_select!(),
        " where a.front_position is not null and a.status = 'published' order by a.language, a.front_position"
    ))
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(desk_from_row).collect()
}

/// Everything the article form edits, as stored.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
pub struct ArticleFields {
    pub title: String,
    pub slug: String,
    pub lead: String,
    pub body_markdown: String,
    pub section_id: i64,
    pub language: String,
    pub translation_group: Option<i64>,
    pub signature: String,
    pub featured_media_id: Option<i64>,
    pub featured_caption: String,
    pub featured_credit: String,
    pub featured_alt: String,
    pub comments_mode: String,
    pub author_ids: Vec<i64>,
    pub tags: Vec<String>,
}

/// An article as the newsroom edits it.
#[derive(Clone, Debug, Serialize)]
pub struct EditableArticle {
    pub id: i64,
    pub fields: ArticleFields,
    pub status: ArticleStatus,
    pub publish_at: Option<i64>,
    /// When it leaves the site by itself, if planned.
    pub unpublish_at: Option<i64>,
    pub version: i64,
    pub created_by: Option<i64>,
    pub updated_at: i64,
    pub section_slug: String,
}

pub async fn editable(db: &Db, id: i64) -> StoreResult<Option<EditableArticle>> {
    let row = sqlx::query(
        "select a.id, a.title, a.slug, a.lead, a.body_markdown, a.section_id, a.language, a.translation_group, \
             a.signature, a.featured_media_id, a.featured_caption, a.featured_credit, a.featured_alt, a.comments_mode, \
             a.status, a.publish_at, a.unpublish_at, a.version, a.created_by, a.updated_at, s.slug as section_slug \
         from articles a join sections s on s.id = a.section_id where a.id = $1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let authors: Vec<i64> = sqlx::query("select user_id from article_authors where article_id = $1 order by position")
        .bind(id)
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| col(r, "user_id"))
        .collect::<StoreResult<_>>()?;
    let tags: Vec<String> = sqlx::query(
        "select t.name from article_tags at join tags t on t.id = at.tag_id where at.article_id = $1 order by at.position",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| col(r, "name"))
    .collect::<StoreResult<_>>()?;
    let status: String = col(&row, "status")?;
    Ok(Some(EditableArticle {
        id,
        fields: ArticleFields {
            title: col(&row, "title")?,
            slug: col(&row, "slug")?,
            lead: col(&row, "lead")?,
            body_markdown: col(&row, "body_markdown")?,
            section_id: col(&row, "section_id")?,
            language: col(&row, "language")?,
            translation_group: col(&row, "translation_group")?,
            signature: col(&row, "signature")?,
            featured_media_id: col(&row, "featured_media_id")?,
            featured_caption: col(&row, "featured_caption")?,
            featured_credit: col(&row, "featured_credit")?,
            featured_alt: col(&row, "featured_alt")?,
            comments_mode: col(&row, "comments_mode")?,
            author_ids: authors,
            tags,
        },
        status: ArticleStatus::parse(&status).unwrap_or(ArticleStatus::Draft),
        publish_at: col(&row, "publish_at")?,
        unpublish_at: col(&row, "unpublish_at")?,
        version: col(&row, "version")?,
        created_by: col(&row, "created_by")?,
        updated_at: col(&row, "updated_at")?,
        section_slug: col(&row, "section_slug")?,
    }))
}

/// Plans (or, with `None`, cancels) when an article leaves the site by itself.
pub async fn set_unpublish_at(tx: &mut Tx, id: i64, at: Option<i64>) -> StoreResult<()> {
    sqlx::query("update articles set unpublish_at = $2 where id = $1").bind(id).bind(at).execute(&mut **tx).await?;
    Ok(())
}

/// True when `user_id` wrote, created or was assigned the article: what a journalist may edit.
pub async fn is_own(db: &Db, article_id: i64, user_id: i64) -> StoreResult<bool> {
    let row = sqlx::query(
        "select count(*) as n from articles a where a.id = $1 and (a.created_by = $2 or a.assigned_to = $2 \
             or exists (select 1 from article_authors aa where aa.article_id = a.id and aa.user_id = $2))",
    )
    .bind(article_id)
    .bind(user_id)
    .fetch_one(db.reader())
    .await?;
    Ok(col::<i64>(&row, "n")? > 0)
}

/// Saves the fields of an article that is still at `expected_version`; a newer version means
/// someone saved in between, and the caller shows both. Every save is a revision. Returns the
/// new version.
pub async fn save(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    fields: &ArticleFields,
    body_html: &str,
    user_id: i64,
) -> StoreResult<i64> {
    let now = now_ms();
    let before = sqlx::query(
        "select a.slug, a.status, s.slug as section_slug from articles a join sections s on s.id = a.section_id where a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let (old_slug, old_status, old_section): (String, String, String) =
        (col(&before, "slug")?, col(&before, "status")?, col(&before, "section_slug")?);
    let slug = if fields.slug == old_slug {
        old_slug.clone()
    } else {
        unique_slug(tx, &fields.slug, &fields.title, id).await?
    };
    let done = sqlx::query(
        "update articles set title = $3, slug = $4, lead = $5, body_markdown = $6, body_html = $7, section_id = $8, \
             language = $9, translation_group = coalesce($10, id), signature = $11, featured_media_id = $12, \
             featured_caption = $13, featured_credit = $14, featured_alt = $15, comments_mode = $16, \
             version = version + 1, updated_by = $17, updated_at = $18, \
             content_updated_at = case when status = 'published' then $18 else content_updated_at end \
         where id = $1 and version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(fields.title.clone())
    .bind(slug.clone())
    .bind(fields.lead.clone())
    .bind(fields.body_markdown.clone())
    .bind(body_html.to_string())
    .bind(fields.section_id)
    .bind(fields.language.clone())
    .bind(fields.translation_group)
    .bind(fields.signature.clone())
    .bind(fields.featured_media_id)
    .bind(fields.featured_caption.clone())
    .bind(fields.featured_credit.clone())
    .bind(fields.featured_alt.clone())
    .bind(fields.comments_mode.clone())
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    replace_authors_and_tags(tx, id, &fields.author_ids, &fields.tags).await?;
    let version = expected_version + 1;
    add_revision(tx, id, version, fields, user_id, now).await?;
    // A published article that changes address keeps answering at the old one.
    let new_section: String = col(
        &sqlx::query("select slug from sections where id = $1").bind(fields.section_id).fetch_one(&mut **tx).await?,
        "slug",
    )?;
    if old_status == "published" && (slug != old_slug || new_section != old_section) {
        redirects::put(tx, &format!("/{old_section}/{old_slug}"), RedirectTarget::Article(id)).await?;
    }
    super::search::reindex(tx, engine_of(tx), id).await?;
    Ok(version)
}

async fn unique_slug(tx: &mut Tx, wanted: &str, title: &str, id: i64) -> StoreResult<String> {
    let base = crate::news::slug::slugify(if wanted.trim().is_empty() { title } else { wanted });
    let mut slug = base.clone();
    for n in 2.. {
        let taken = sqlx::query("select id from articles where slug = $1 and id <> $2")
            .bind(slug.clone())
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_none() {
            break;
        }
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

pub(crate) async fn replace_authors_and_tags(
    tx: &mut Tx,
    id: i64,
    authors: &[i64],
    tags: &[String],
) -> StoreResult<()> {
    sqlx::query("delete from article_authors where article_id = $1").bind(id).execute(&mut **tx).await?;
    let mut seen = Vec::new();
    for user_id in authors {
        if seen.contains(user_id) {
            continue;
        }
        sqlx::query("insert into article_authors (article_id, user_id, position) values ($1, $2, $3)")
            .bind(id)
            .bind(*user_id)
            .bind(seen.len() as i64)
            .execute(&mut **tx)
            .await?;
        seen.push(*user_id);
    }
    sqlx::query("delete from article_tags where article_id = $1").bind(id).execute(&mut **tx).await?;
    for (position, name) in tags.iter().filter(|t| !t.trim().is_empty()).enumerate() {
        let tag_id = super::tags::ensure(tx, name).await?;
        sqlx::query(
            "insert into article_tags (article_id, tag_id, position) values ($1, $2, $3) on conflict (article_id, tag_id) do nothing",
        )
        .bind(id)
        .bind(tag_id)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn add_revision(
    tx: &mut Tx,
    id: i64,
    version: i64,
    fields: &ArticleFields,
    user_id: i64,
    now: i64,
) -> StoreResult<()> {
    let json = serde_json::to_string(fields).map_err(|e| StoreError::Other(e.to_string()))?;
    sqlx::query(
        "insert into article_revisions (article_id, version, title, lead, body_markdown, fields, created_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         on conflict (article_id, version) do update set title = excluded.title, lead = excluded.lead, \
             body_markdown = excluded.body_markdown, fields = excluded.fields, updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(version)
    .bind(fields.title.clone())
    .bind(fields.lead.clone())
    .bind(fields.body_markdown.clone())
    .bind(json)
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Changes an article's status (and publication time); returns false when nothing changed.
pub async fn set_status(tx: &mut Tx, id: i64, status: ArticleStatus, publish_at: Option<i64>) -> StoreResult<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "update articles set status = $2, publish_at = coalesce($3, publish_at), \
             first_published_at = case when $2 = 'published' then coalesce(first_published_at, $3, $4) else first_published_at end, \
             front_position = case when $2 = 'published' then front_position else null end, \
             updated_at = $4 \
         where id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(publish_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    super::search::reindex(tx, engine_of(tx), id).await?;
    Ok(done.rows_affected() > 0)
}

/// A revision of an article.
#[derive(Clone, Debug, Serialize)]
pub struct Revision {
    pub version: i64,
    pub title: String,
    pub lead: String,
    pub body_markdown: String,
    pub fields: String,
    pub author: String,
    pub created_at: i64,
}

pub async fn revisions(db: &Db, id: i64) -> StoreResult<Vec<Revision>> {
    let rows = sqlx::query(
        "select r.version, r.title, r.lead, r.body_markdown, r.fields, coalesce(u.name, '') as author, r.created_at \
         from article_revisions r left join users u on u.id = r.created_by where r.article_id = $1 order by r.version desc",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Revision {
                version: col(r, "version")?,
                title: col(r, "title")?,
                lead: col(r, "lead")?,
                body_markdown: col(r, "body_markdown")?,
                fields: col(r, "fields")?,
                author: col(r, "author")?,
                created_at: col(r, "created_at")?,
            })
        })
        .collect()
}

/// Puts the front page in this order: ids[0] is the lead story. Every other article leaves it.
pub async fn set_front(tx: &mut Tx, language: Lang, ids: &[i64]) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query(
        "update articles set front_position = null, updated_at = $2 where language = $1 and front_position is not null",
    )
    .bind(language.code())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (position, id) in ids.iter().enumerate() {
        sqlx::query("update articles set front_position = $2, updated_at = $3 where id = $1 and status = 'published' and language = $4")
            .bind(*id)
            .bind(position as i64)
            .bind(now)
            .bind(language.code())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
