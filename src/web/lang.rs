//! The language of a reader page: from its address. The default language has no prefix
//! (`/economie`); the others do (`/ar/economie`). An article's page takes the article's own
//! language instead (see `article.rs`). One page, one language: interface and content agree.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::error::{AppError, PageError};
use crate::news::Lang;

/// The language of a listing page and the prefix its links carry.
#[derive(Clone, Copy, Debug)]
pub struct PageLang {
    pub lang: Lang,
    /// "" for the default language, "/ar" and so on for the others.
    pub prefix: &'static str,
}

/// The path prefix of a language's pages.
pub fn prefix_for(lang: Lang, default: Lang) -> &'static str {
    if lang == default {
        return "";
    }
    match lang {
        Lang::Fr => "/fr",
        Lang::Ar => "/ar",
        Lang::En => "/en",
    }
}

/// The path without its language prefix ("/ar/economie" -> "/economie").
pub fn strip_prefix(path: &str) -> &str {
    for prefix in ["/fr", "/ar", "/en"] {
        if let Some(rest) = path.strip_prefix(prefix)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return if rest.is_empty() { "/" } else { rest };
        }
    }
    path
}

/// The language a path asks for, if it has a prefix.
pub fn lang_of_path(path: &str) -> Option<Lang> {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    Lang::parse(first)
}

impl FromRequestParts<AppState> for PageLang {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let site = state.site();
        let path = parts.uri.path();
        match lang_of_path(path) {
            // The default language is served without a prefix: one address per page.
            Some(lang) if lang == site.default_language => {
                let mut target = strip_prefix(path).to_string();
                if let Some(query) = parts.uri.query() {
                    target = format!("{target}?{query}");
                }
                Err(Redirect::permanent(&target).into_response())
            }
            Some(lang) if site.enabled_languages.contains(&lang) => {
                Ok(PageLang { lang, prefix: prefix_for(lang, site.default_language) })
            }
            Some(_) => Err(PageError(AppError::NotFound).into_response()),
            None => Ok(PageLang { lang: site.default_language, prefix: "" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_come_off_whole_segments_only() {
        assert_eq!(strip_prefix("/ar/economie"), "/economie");
        assert_eq!(strip_prefix("/ar"), "/");
        assert_eq!(strip_prefix("/arts/x"), "/arts/x");
        assert_eq!(lang_of_path("/en/recherche"), Some(Lang::En));
        assert_eq!(lang_of_path("/economie"), None);
    }
}
