//! The article page.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::store::articles::{self, Article, Byline, TagRef};
use crate::web::reader::chrome::Chrome;

#[derive(Serialize)]
struct ArticlePage {
    #[serde(flatten)]
    chrome: Chrome,
    article: Article,
    section_name: String,
    authors: Vec<Byline>,
    tags: Vec<TagRef>,
}

pub async fn show_article(
    State(state): State<AppState>,
    Path((section, slug)): Path<(String, String)>,
) -> PageResult<Response> {
    let article = articles::published_by_slug(state.db(), &slug).await?.ok_or(AppError::NotFound)?;
    if article.card.section_slug != section {
        // The article moved to another section: its old address keeps working.
        let to = format!("/{}/{}", article.card.section_slug, article.card.slug);
        return Ok(Redirect::permanent(&to).into_response());
    }
    let lang = article.card.language;
    let chrome = Chrome::for_page(&state, lang).await?;
    let ids = [article.card.id];
    let mut authors = articles::authors_of(state.db(), &ids).await?;
    let mut tags = articles::tags_of(state.db(), &ids).await?;
    let section_name =
        article.card.section_names.get(&lang).cloned().unwrap_or_else(|| article.card.section_slug.clone());
    let page = ArticlePage {
        chrome,
        authors: authors.remove(&article.card.id).unwrap_or_default(),
        tags: tags.remove(&article.card.id).unwrap_or_default(),
        section_name,
        article,
    };
    Ok(Html(state.templates().render("pages/article.html", &page)?).into_response())
}
