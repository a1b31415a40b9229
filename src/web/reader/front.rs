//! The front page ("la une").

use axum::extract::State;
use axum::response::Html;
use serde::Serialize;

use crate::app::AppState;
use crate::error::PageResult;
use crate::store::articles::{self, ArticleCard, ListFilter};
use crate::web::reader::chrome::Chrome;

#[derive(Serialize)]
struct FrontPage {
    #[serde(flatten)]
    chrome: Chrome,
    lead: Option<ArticleCard>,
    latest: Vec<ArticleCard>,
}

pub async fn show_front(State(state): State<AppState>) -> PageResult<Html<String>> {
    let lang = state.site().default_language;
    let chrome = Chrome::for_page(&state, lang).await?;
    let mut latest = articles::published(state.db(), &ListFilter::default(), 21, 0).await?;
    let lead = if latest.is_empty() { None } else { Some(latest.remove(0)) };
    let page = FrontPage { chrome, lead, latest };
    Ok(Html(state.templates().render("pages/front.html", &page)?))
}
