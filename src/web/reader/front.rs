//! The front page ("la une"): the lead package (the lead story and the next ones editors
//! placed), their selection, the latest news, a row per section in alternating layouts, the
//! opinion writers and the most read; no story twice above the fold.

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
use crate::web::reader::structured_data;

/// Articles per section row (some may already be shown higher up).
const PER_SECTION: i64 = 6;
/// Stories beside the lead, in its package.
const SECONDARY: usize = 3;
/// The editors' selection under the package: a full row of four, or two.
const SELECTION: usize = 4;
/// Headlines in the package's "latest" column.
const LATEST: usize = 7;

/// A row of a section: its layout alternates, so the page does not repeat one block.
#[derive(Serialize)]
struct SectionBlock {
    slug: String,
    name: String,
    /// "picture": a lead with its picture and a list of headlines; "columns": headlines in
    /// columns, the first with its picture.
    layout: &'static str,
    cards: Vec<ArticleCard>,
}

/// An opinion piece with its writer's name (the byline, else the signature).
#[derive(Serialize)]
struct Opinion {
    section_slug: String,
    section_name: String,
    writer: String,
    writer_slug: String,
    /// The writer's portrait, when set.
    photo: Option<crate::media::portraits::Portrait>,
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
    /// Beside the lead: the next stories the editors placed.
    secondary: Vec<ArticleCard>,
    /// The rest of the editors' selection, under the package.
    featured: Vec<ArticleCard>,
    latest: Vec<ArticleCard>,
    sections: Vec<SectionBlock>,
    opinions: Vec<Opinion>,
    most_read_today: Vec<MostRead>,
    most_read_week: Vec<MostRead>,
    /// The paper and its site, for search engines.
    json_ld: String,
}

pub async fn show_front(State(state): State<AppState>, page_lang: PageLang) -> PageResult<Response> {
    let lang = page_lang.lang;
    let db = state.db();
    let today = local_day(now_ms(), state.site().tz());
    let (chrome_and_sections, placed, newest, today_reads, week_reads) = tokio::try_join!(
        Chrome::for_page(&state, lang, "/"),
        articles::front_placed(db, lang),
        articles::listing(db, lang, Scope::All, 24, 0),
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
    let opinion_ids: Vec<i64> = top.iter().filter(|s| s.kind == "opinion").map(|s| s.id).collect();

    // The package and the selection: what editors placed, in their order, then the newest
    // news (opinion pieces have their own row). No story is shown twice above the fold.
    let mut shown: Vec<i64> = Vec::new();
    let take = |cards: &mut dyn Iterator<Item = ArticleCard>, n: usize, shown: &mut Vec<i64>| {
        let mut picked = Vec::new();
        // Stop as soon as `n` are picked: a card pulled past that would be lost to the next
        // block that reads the same iterator.
        if n == 0 {
            return picked;
        }
        for card in cards {
            // A placed story is also among the newest: the first sighting counts.
            if !shown.contains(&card.id) {
                shown.push(card.id);
                picked.push(card);
                if picked.len() == n {
                    break;
                }
            }
        }
        picked
    };
    let news = |c: &ArticleCard| !opinion_ids.contains(&c.section_id);
    let mut placed_then_newest = placed.iter().cloned().chain(newest.iter().filter(|c| news(c)).cloned());
    let lead = take(&mut placed_then_newest, 1, &mut shown).into_iter().next();
    let secondary = take(&mut placed_then_newest, SECONDARY, &mut shown);
    let featured =
        take(&mut placed.iter().cloned().chain(newest.iter().filter(|c| news(c)).cloned()), SELECTION, &mut shown);
    let latest = take(&mut newest.iter().cloned(), LATEST, &mut shown);

    let mut sections = Vec::new();
    let mut opinion_cards = Vec::new();
    for section in top {
        let cards: Vec<ArticleCard> = per_section
            .iter()
            .filter(|(family, card)| *family == section.id && !shown.contains(&card.id))
            .map(|(_, card)| card.clone())
            .collect();
        if section.kind == "opinion" {
            opinion_cards.extend(cards.into_iter().take(2).map(|card| (section, card)));
        } else if !cards.is_empty() {
            let layout = if sections.len() % 2 == 0 { "picture" } else { "columns" };
            let cards = cards.into_iter().take(if layout == "picture" { 5 } else { 4 }).collect();
            sections.push(SectionBlock {
                slug: section.slug.clone(),
                name: section.name(lang).to_string(),
                layout,
                cards,
            });
        }
    }
    let ids: Vec<i64> = opinion_cards.iter().map(|(_, c)| c.id).collect();
    let mut writers = articles::authors_of(db, &ids).await?;
    let opinions = opinion_cards
        .into_iter()
        .take(4)
        .map(|(section, card)| {
            let byline = writers.remove(&card.id).and_then(|b| b.into_iter().next());
            let (writer, writer_slug, photo) = match byline {
                Some(b) if card.signature.is_empty() => (b.name, b.slug, b.photo),
                Some(b) => (card.signature.clone(), b.slug, b.photo),
                None => (card.signature.clone(), String::new(), None),
            };
            Opinion {
                section_slug: section.slug.clone(),
                section_name: section.name(lang).to_string(),
                writer,
                writer_slug,
                photo,
                card,
            }
        })
        .collect();
    let to_most_read =
        |rows: Vec<(ArticleCard, i64)>| rows.into_iter().map(|(card, reads)| MostRead { card, reads }).collect();
    let json_ld = structured_data::front(&state, &chrome);
    let page = FrontPage {
        json_ld,
        chrome,
        lead,
        secondary,
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
