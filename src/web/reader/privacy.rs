//! The privacy page: the paper's own text, and what Gazette itself does (and does not) keep.

use axum::extract::State;
use axum::response::Html;
use serde::Serialize;

use crate::app::AppState;
use crate::error::PageResult;
use crate::web::chrome::Chrome;
use crate::web::lang::PageLang;

#[derive(Serialize)]
struct PrivacyPage {
    #[serde(flatten)]
    chrome: Chrome,
    text: String,
}

pub async fn show_privacy(State(state): State<AppState>, page_lang: PageLang) -> PageResult<axum::response::Response> {
    let (chrome, _) = Chrome::for_page(&state, page_lang.lang, "/confidentialite").await?;
    let site = state.site();
    let page = PrivacyPage { text: site.localized(&site.privacy_text, page_lang.lang).to_string(), chrome };
    let html = Html(state.templates().render("pages/privacy.html", &page)?);
    Ok(crate::cache::mark(html, crate::cache::Cacheable::new(3600, ["site".to_string()])))
}
