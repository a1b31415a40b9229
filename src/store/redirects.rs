//! Old addresses that answer with a 301: an article whose slug or section changed, imported
//! WordPress and WMaker links.

use super::{Db, StoreResult, Tx, col, now_ms};

/// Where an old address leads now, if anywhere: the article's or section's current address
/// (so a redirect stays right when its target moves again), or a stored path.
pub async fn target(db: &Db, old_path: &str) -> StoreResult<Option<String>> {
    let old_path = normalize(old_path);
    let found = target_of(db, &old_path).await?;
    // A resized copy of an old upload (`photo-300x200.jpg`) leads where the upload leads.
    if found.is_none() && old_path.contains("/wp-content/uploads/") {
        let original = crate::wxr::content::original_upload_url(&old_path);
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

/// The query parameters by which WordPress finds a post, page, category, tag or author:
/// `/?p=123` is an address of its own; any other parameter (tracking, paging) is not.
const LEGACY_KEYS: &[&str] = &["p", "page_id", "attachment_id", "cat", "tag", "author", "feed"];

/// The form under which an old address is stored and looked up, so that every way a browser
/// or an old page may spell it finds the same row: percent-encoding decoded (WordPress writes
/// `%d8%a7`, browsers send `%D8%A7`, the newsroom stores the letters), no trailing slash, only
/// WordPress's own query parameters, and WMaker's addresses reduced to their number
/// (`/Le-budget_a160665.html` → `/_a160665.html`), which is all WMaker reads from them.
pub fn normalize(address: &str) -> String {
    let (path, query) = address.split_once('?').unwrap_or((address, ""));
    let mut path = crate::wxr::percent_decode(path);
    if path.is_empty() {
        path.push('/');
    }
    while path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    if let Some(key) = wmaker_key(&path) {
        return key;
    }
    let mut kept: Vec<&str> = query
        .split('&')
        .filter(|pair| pair.split_once('=').is_some_and(|(k, v)| LEGACY_KEYS.contains(&k) && !v.is_empty()))
        .collect();
    // `feed` names the site's feed on its own; beside another key (`?p=12&feed=rss2`, a post's
    // comment feed) the other key says what it was about.
    if kept.len() > 1 {
        kept.retain(|pair| !pair.starts_with("feed="));
    }
    if kept.is_empty() || !(path == "/" || path == "/index.php") {
        return path;
    }
    format!("/?{}", kept.join("&"))
}

/// `…_a160665.html` → `/_a160665.html`; `…_r10.html` → `/_r10.html`.
fn wmaker_key(path: &str) -> Option<String> {
    let last = path.rsplit('/').next()?;
    let stem = last.strip_suffix(".html")?;
    let (_, tail) = stem.rsplit_once('_')?;
    let kind = tail.chars().next().filter(|c| matches!(c, 'a' | 'r'))?;
    let number = &tail[1..];
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit())).then(|| format!("/_{kind}{number}.html"))
}

/// True when a request to the front page carries one of WordPress's lookup parameters: such
/// an address is an old link, not the front page.
pub fn is_legacy_query(path: &str, query: Option<&str>) -> bool {
    (path == "/" || path == "/index.php")
        && query.is_some_and(|q| {
            q.split('&')
                .any(|pair| pair.split_once('=').is_some_and(|(k, v)| LEGACY_KEYS.contains(&k) && !v.is_empty()))
        })
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn every_spelling_of_an_old_address_finds_the_same_row() {
        assert_eq!(normalize("/2019/03/15/elections-a-rabat/"), "/2019/03/15/elections-a-rabat");
        assert_eq!(normalize("/%d8%a7%d9%84/"), normalize("/%D8%A7%D9%84"));
        assert_eq!(normalize("/%D8%A7%D9%84"), "/ال");
        assert_eq!(normalize("/?p=123&utm_source=x"), "/?p=123");
        assert_eq!(normalize("/?p=123&feed=rss2"), "/?p=123", "a post's comment feed: the post");
        assert_eq!(normalize("/?feed=rss2"), "/?feed=rss2");
        assert_eq!(normalize("/index.php?page_id=4"), "/?page_id=4");
        assert_eq!(normalize("/recherche?q=x"), "/recherche");
        assert_eq!(normalize("/Le-gouvernement-adopte-le-budget_a160665.html"), "/_a160665.html");
        assert_eq!(normalize("/autre-titre_a160665.html"), "/_a160665.html");
        assert_eq!(normalize("/Economie_r10.html"), "/_r10.html");
        assert_eq!(normalize("/a_b.html"), "/a_b.html");
    }
}
