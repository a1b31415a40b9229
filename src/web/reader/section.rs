//! A section's page: breadcrumb, sub-sections, its articles newest first, page links.

use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};

use crate::cache::{self, Cacheable};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::store::articles::{self, ArticleCard};
use crate::web::chrome::{Chrome, NavItem};
use crate::web::lang::PageLang;
use crate::web::pager::{PER_PAGE, Pager, page_number};
use crate::web::reader::structured_data;

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> Option<&str> {
        self.page.as_deref()
    }
}

#[derive(Serialize)]
struct StaticPage {
    #[serde(flatten)]
    chrome: Chrome,
    page: crate::store::pages::Page,
}

#[derive(Serialize)]
struct SectionPage {
    #[serde(flatten)]
    chrome: Chrome,
    slug: String,
    name: String,
    description: String,
    parent: Option<NavItem>,
    children: Vec<NavItem>,
    cards: Vec<ArticleCard>,
    pager: Pager,
    total: i64,
    json_ld: String,
}

pub async fn show_section(
    State(state): State<AppState>,
    page_lang: PageLang,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> PageResult<Response> {
    let lang = page_lang.lang;
    let path = format!("/{slug}");
    let (chrome, all) = Chrome::for_page(&state, lang, &path).await?;
    let Some(section) = all.sections.iter().find(|s| s.slug == slug) else {
        // Not a section: a static page of the site's own language, if there is one.
        if page_lang.prefix.is_empty()
            && let Some(page) = crate::store::pages::by_slug(state.db(), &slug).await?
        {
            let lang = crate::news::Lang::parse(&page.language).unwrap_or(lang);
            let (chrome, _) = Chrome::for_page(&state, lang, &path).await?;
            let html = Html(state.templates().render("pages/page.html", &StaticPage { chrome, page })?);
            return Ok(cache::mark(html, Cacheable::new(3600, ["site".to_string()])));
        }
        return Err(AppError::NotFound.into());
    };
    let page = page_number(query.page.as_deref());
    let family = all.family(section.id);
    let total = articles::count_family(state.db(), lang, &family).await?;
    let pager = Pager::new(&format!("{}{path}", page_lang.prefix), "", page, total, PER_PAGE);
    if page > pager.pages {
        return Err(AppError::NotFound.into());
    }
    let cards = articles::family_listing(state.db(), lang, &family, PER_PAGE, pager.offset(PER_PAGE)).await?;
    let name = section.name(lang).to_string();
    let description = section.description(lang).to_string();
    let json_ld = structured_data::collection(&state, &chrome, &name, &description);
    let nav = |s: &crate::store::sections::Section| NavItem { slug: s.slug.clone(), name: s.name(lang).to_string() };
    let page = SectionPage {
        slug: section.slug.clone(),
        name,
        description,
        parent: section.parent_id.and_then(|p| all.sections.iter().find(|s| s.id == p)).map(nav),
        children: all.sections.iter().filter(|s| s.parent_id == Some(section.id)).map(nav).collect(),
        cards,
        pager,
        total,
        json_ld,
        chrome,
    };
    let html = Html(state.templates().render("pages/section.html", &page)?);
    Ok(cache::mark(html, Cacheable::new(300, cache::listing_tags(lang))))
}
