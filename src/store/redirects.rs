//! Old addresses that answer with a 301: an article whose slug or section changed, imported
//! WordPress and WMaker links.

use super::{Db, StoreResult, Tx, col, now_ms};
use crate::news::old_addresses::{normalize, original_upload_url};

/// Where an old address leads now, if anywhere: the article's or section's current address
/// (so a redirect stays right when its target moves again), or a stored path.
pub async fn target(db: &Db, old_path: &str) -> StoreResult<Option<String>> {
    let old_path = normalize(old_path);
    let found = target_of(db, &old_path).await?;
    // A resized copy of an old upload (`photo-300x200.jpg`) leads where the upload leads.
    if found.is_none() && old_path.contains("/wp-content/uploads/") {
        let original = original_upload_url(&old_path);
        if original != old_path {
            return target_of(db, &original).await;
        }
    }
    Ok(found)
}

async fn target_of(db: &Db, old_path: &str) -> StoreResult<Option<String>> {
    let row = sqlx::query(
        "select r.target_path, a.slug as article_slug, s_a.slug as article_section, s.slug as section_slug \
         from redirects r \
         left join articles a on a.id = r.article_id and a.status = 'published' \
         left join sections s_a on s_a.id = a.section_id \
         left join sections s on s.id = r.section_id \
         where r.old_path = $1",
    )
    .bind(old_path.to_string())
    .fetch_optional(db.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let article: Option<String> = col(&row, "article_slug")?;
    let article_section: Option<String> = col(&row, "article_section")?;
    let section: Option<String> = col(&row, "section_slug")?;
    let path: Option<String> = col(&row, "target_path")?;
    Ok(match (article, article_section, section, path) {
        (Some(slug), Some(section), _, _) => Some(format!("/{section}/{slug}")),
        (_, _, Some(section), _) => Some(format!("/{section}")),
        (_, _, _, Some(path)) if !path.is_empty() => Some(path),
        _ => None,
    })
}

/// What an old address should lead to.
pub enum RedirectTarget<'a> {
    Article(i64),
    Section(i64),
    Path(&'a str),
}

/// Records (or re-points) an old address.
pub async fn put(tx: &mut Tx, old_path: &str, to: RedirectTarget<'_>) -> StoreResult<()> {
    let old_path = normalize(old_path);
    let (article, section, path) = match to {
        RedirectTarget::Article(id) => (Some(id), None, None),
        RedirectTarget::Section(id) => (None, Some(id), None),
        RedirectTarget::Path(p) => (None, None, Some(p.to_string())),
    };
    sqlx::query(
        "insert into redirects (old_path, article_id, section_id, target_path, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) \
         on conflict (old_path) do update set article_id = excluded.article_id, section_id = excluded.section_id, \
             target_path = excluded.target_path, updated_at = excluded.updated_at",
    )
    .bind(old_path)
    .bind(article)
    .bind(section)
    .bind(path)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
