//! The front page ("la une"): the lead story and the featured stories editors placed, the
//! latest news, one block per section, the opinion teasers and the most read.

use axum::extract::State;
use axum::response::{Html, Response};

use crate::cache::{self, Cacheable};
use serde::Serialize;

use crate::app::AppState;
use crate::error::PageResult;
use crate::render::dates::local_day;
use crate::store::articles::{self, ArticleCard, Scope};
use crate::store::now_ms;
use crate::web::chrome::Chrome;
use crate::web::lang::PageLang;

/// Articles per section block.
const PER_SECTION: i64 = 4;

#[derive(Serialize)]
struct SectionBlock {
    slug: String,
    name: String,
    cards: Vec<ArticleCard>,
}

/// A teaser in the reference's form: section · signature · date, title, excerpt.
#[derive(Serialize)]
struct Teaser {
    section_slug: String,
    section_name: String,
    card: ArticleCard,
}

#[derive(Serialize)]
struct MostRead {
    card: ArticleCard,
    reads: i64,
}

#[derive(Serialize)]
struct FrontPage {
    #[serde(flatten)]
    chrome: Chrome,
    lead: Option<ArticleCard>,
    featured: Vec<ArticleCard>,
    latest: Vec<ArticleCard>,
    sections: Vec<SectionBlock>,
    opinions: Vec<Teaser>,
    most_read_today: Vec<MostRead>,
    most_read_week: Vec<MostRead>,
}

pub async fn show_front(State(state): State<AppState>, page_lang: PageLang) -> PageResult<Response> {
    let lang = page_lang.lang;
    let db = state.db();
    let today = local_day(now_ms(), state.site().tz());
    let (chrome_and_sections, placed, latest, today_reads, week_reads) = tokio::try_join!(
        Chrome::for_page(&state, lang, "/"),
        articles::front_placed(db, lang),
        articles::listing(db, lang, Scope::All, 12, 0),
        articles::most_read_since(db, lang, today, 5),
        articles::most_read_since(db, lang, today - 6, 5),
    )?;
    let (chrome, all_sections) = chrome_and_sections;
    let top: Vec<_> = all_sections.sections.iter().filter(|s| s.parent_id.is_none()).collect();
    let families: Vec<Vec<i64>> = top
        .iter()
        .map(|top| {
            std::iter::once(top.id)
                .chain(all_sections.sections.iter().filter(|s| s.parent_id == Some(top.id)).map(|s| s.id))
                .collect()
        })
        .collect();
    let per_section = articles::newest_per_section(db, lang, &families, PER_SECTION).await?;

    // Lead and featured: what editors placed, else the newest stories.
    let mut placed = placed.into_iter();
    let lead = placed.next().or_else(|| latest.first().cloned());
    let featured: Vec<ArticleCard> = placed.collect();
    let shown: Vec<i64> = lead.iter().chain(featured.iter()).map(|c| c.id).collect();
    let latest: Vec<ArticleCard> = latest.into_iter().filter(|c| !shown.contains(&c.id)).take(7).collect();

    let mut sections = Vec::new();
    let mut opinions = Vec::new();
    for section in top {
        let cards: Vec<ArticleCard> =
            per_section.iter().filter(|(family, _)| *family == section.id).map(|(_, card)| card.clone()).collect();
        if cards.is_empty() {
            continue;
        }
        if section.kind == "opinion" {
            if let Some(card) = cards.into_iter().next() {
                opinions.push(Teaser {
                    section_slug: section.slug.clone(),
                    section_name: section.name(lang).to_string(),
                    card,
                });
            }
        } else {
            sections.push(SectionBlock { slug: section.slug.clone(), name: section.name(lang).to_string(), cards });
        }
    }
    let to_most_read =
        |rows: Vec<(ArticleCard, i64)>| rows.into_iter().map(|(card, reads)| MostRead { card, reads }).collect();
    let page = FrontPage {
        chrome,
        lead,
        featured,
        latest,
        sections,
        opinions,
        most_read_today: to_most_read(today_reads),
        most_read_week: to_most_read(week_reads),
    };
    let html = Html(state.templates().render("pages/front.html", &page)?);
    // The most read change by themselves: a minute at most.
    Ok(cache::mark(html, Cacheable::new(60, cache::listing_tags(lang))))
}
