//! The shapes of old addresses: how WordPress and WMaker spelled their links, and the one
//! normal form under which an old address is stored and looked up (`store::redirects`), so
//! that pages moved in from another platform keep answering at their old addresses.

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
    let mut path = crate::urls::percent_decode(path);
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

/// The original upload address of a resized copy: `photo-300x200.jpg` → `photo.jpg`.
pub fn original_upload_url(url: &str) -> String {
    let (stem, ext) = match url.rsplit_once('.') {
        Some((s, e)) if !e.contains('/') => (s, e),
        _ => return url.to_string(),
    };
    if let Some((base, size)) = stem.rsplit_once('-')
        && let Some((w, h)) = size.split_once('x')
        && !w.is_empty()
        && !h.is_empty()
        && w.chars().all(|c| c.is_ascii_digit())
        && h.chars().all(|c| c.is_ascii_digit())
    {
        return format!("{base}.{ext}");
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
