//! The old site's addresses: which of them an item answered at (each becomes a 301), and,
//! once every item is in, links between imported articles pointed at their new addresses.

use super::{Context, ImportError};
use crate::store::redirects;
use crate::store::{Db, imports};
use crate::wxr::Item;

/// The path (and WordPress query) of an address on the old site; `None` for other sites.
pub(super) fn old_path(url: &str, source: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    let host = |u: &str| -> String {
        let rest = u.split_once("://").map(|(_, r)| r).unwrap_or(u);
        rest.split(['/', '?', '#']).next().unwrap_or("").trim_start_matches("www.").to_ascii_lowercase()
    };
    if url.starts_with('/') {
        return Some(url.to_string());
    }
    if host(url) != host(source) {
        return None;
    }
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.find(['/', '?']).map(|i| &rest[i..]).unwrap_or("/");
    let path = path.split('#').next().unwrap_or(path);
    Some(if path.starts_with('?') { format!("/{path}") } else { path.to_string() })
}

/// Every address the old site answered this item at.
pub(super) fn old_addresses(ctx: &Context, item: &Item) -> Vec<String> {
    let mut out = Vec::new();
    for url in [&item.link, &item.guid] {
        if let Some(path) = old_path(url, &ctx.source)
            && path != "/"
        {
            out.push(path);
        }
    }
    if !item.post_id.is_empty() {
        let key = if item.post_type == "page" { "page_id" } else { "p" };
        out.push(format!("/?{key}={}", item.post_id));
        if ctx.channel.is_wmaker() || out.iter().any(|p| crate::news::old_addresses::normalize(p).starts_with("/_a")) {
            out.push(format!("/_a{}.html", item.post_id));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Points links to the old site's articles and sections, in every imported article, at their
/// new addresses (done once all items are in, since a post links to posts after it). Links to
/// what was not imported stay as they were.
pub(super) async fn relink(db: &Db, source: &str) -> Result<u64, ImportError> {
    let host = source.split_once("://").map(|(_, h)| h).unwrap_or(source).trim_start_matches("www.").to_string();
    let mut after = 0i64;
    let mut changed = 0u64;
    loop {
        let bodies = imports::bodies_after(db, source, after, 200).await?;
        let Some(last) = bodies.last() else { return Ok(changed) };
        after = last.id;
        let mut updates = Vec::new();
        for mut body in bodies.into_iter().filter(|body| body.html.contains(&host)) {
            let mut replacements = Vec::new();
            for link in links_to(&body.html, &host) {
                if let Some(path) = old_path(&link, source)
                    && let Some(to) = redirects::target(db, &path).await?
                {
                    replacements.push((link, to));
                }
            }
            if replacements.is_empty() {
                continue;
            }
            for (from, to) in &replacements {
                let (quoted, new) = (format!("\"{from}\""), format!("\"{to}\""));
                body.html = body.html.replace(&quoted, &new);
                body.markdown = body.markdown.replace(&quoted, &new);
            }
            updates.push(body);
        }
        if !updates.is_empty() {
            let mut tx = db.begin().await?;
            for body in &updates {
                imports::set_body(&mut tx, body).await?;
            }
            tx.commit().await?;
            changed += updates.len() as u64;
        }
    }
}

/// The `href` values of `html` that point at `host`.
fn links_to(html: &str, host: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some(end) = part.find('"') else { continue };
        let url = &part[..end];
        if url.contains(host) && (url.starts_with("http://") || url.starts_with("https://")) {
            out.push(url.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_paths_keep_only_the_old_sites_addresses() {
        let source = "https://old.example.com";
        assert_eq!(old_path("https://old.example.com/2019/03/15/x/", source).as_deref(), Some("/2019/03/15/x/"));
        assert_eq!(old_path("http://www.old.example.com/?p=12", source).as_deref(), Some("/?p=12"));
        assert_eq!(old_path("https://old.example.com", source).as_deref(), Some("/"));
        assert_eq!(old_path("https://elsewhere.example/x", source), None);
    }
}
