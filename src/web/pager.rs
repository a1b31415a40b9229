//! Page links for long lists: numbers around the current page, and `rel=prev/next`.

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PageLink>,
}

pub const PER_PAGE: i64 = 20;

/// Page numbers come from readers: anything odd is page 1.
pub fn page_number(raw: Option<&str>) -> i64 {
    raw.and_then(|p| p.parse::<i64>().ok()).filter(|p| *p >= 1 && *p <= 100_000).unwrap_or(1)
}

impl Pager {
    /// `base` is the list's address; `extra` is any query string to keep (already encoded).
    pub fn new(base: &str, extra: &str, page: i64, total: i64, per_page: i64) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        let href = |n: i64| {
            let sep = if base.contains('?') { '&' } else { '?' };
            match (n, extra.is_empty()) {
                (1, true) => base.to_string(),
                (1, false) => format!("{base}{sep}{extra}"),
                (n, true) => format!("{base}{sep}page={n}"),
                (n, false) => format!("{base}{sep}{extra}&page={n}"),
            }
        };
        let first = (page - 3).max(1);
        let last = (page + 3).min(pages);
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
            links: (first..=last).map(|n| PageLink { number: n, href: href(n), current: n == page }).collect(),
        }
    }

    pub fn offset(&self, per_page: i64) -> i64 {
        (self.page - 1) * per_page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_query_and_mark_the_edges() {
        let pager = Pager::new("/recherche", "q=maroc", 2, 45, 20);
        assert_eq!(pager.pages, 3);
        assert_eq!(pager.prev.as_deref(), Some("/recherche?q=maroc"));
        assert_eq!(pager.next.as_deref(), Some("/recherche?q=maroc&page=3"));
        let first = Pager::new("/economie", "", 1, 5, 20);
        assert!(first.prev.is_none() && first.next.is_none());
        assert_eq!(page_number(Some("-3")), 1);
        assert_eq!(page_number(Some("abc")), 1);
    }
}
