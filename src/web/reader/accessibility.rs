//! The accessibility statement: what the site promises (WCAG 2.2 AA), how each version is
//! checked, what is known not to hold, and whom to tell.

use axum::extract::State;
use axum::response::{Html, Response};
use serde::Serialize;

use crate::app::AppState;
use crate::error::PageResult;
use crate::web::chrome::Chrome;
use crate::web::lang::PageLang;

#[derive(Serialize)]
struct AccessibilityPage {
    #[serde(flatten)]
    chrome: Chrome,
}

pub async fn show_accessibility(State(state): State<AppState>, page_lang: PageLang) -> PageResult<Response> {
    let (chrome, _) = Chrome::for_page(&state, page_lang.lang, "/accessibilite").await?;
    let html = Html(state.templates().render("pages/accessibility.html", &AccessibilityPage { chrome })?);
    Ok(crate::cache::mark(html, crate::cache::Cacheable::new(3600, ["site".to_string()])))
}
