//! The search page: full text over titles, leads, bodies and tags, in every language, with
//! filters by section, language and dates, highlighted snippets, and pages that help when the
//! query is empty or finds nothing.

use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::error::PageResult;
use crate::news::Lang;
use crate::news::text::{highlight, query_terms, text_of_html};
use crate::store::articles::{self, ArticleCard};
use crate::store::search::{self, SearchQuery};
use crate::urls::urlencode;
use crate::web::chrome::{Chrome, NavItem};
use crate::web::lang::PageLang;
use crate::web::pager::{PER_PAGE, Pager, page_number};

#[derive(Deserialize, Default)]
pub struct SearchInput {
    #[serde(default)]
    q: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<String>,
}

#[derive(Serialize)]
struct Hit {
    card: ArticleCard,
    /// The title, escaped, with matched words in `<mark>`.
    title: String,
    /// Escaped HTML with `<mark>`s.
    snippet: String,
}

#[derive(Serialize)]
struct SearchPage {
    #[serde(flatten)]
    chrome: Chrome,
    q: String,
    section: String,
    filter_lang: String,
    from: String,
    to: String,
    /// Messages about filters that could not be used (a malformed date).
    problems: Vec<String>,
    sections: Vec<NavItem>,
    searched: bool,
    hits: Vec<Hit>,
    total: i64,
    /// More matched than were ranked: the count reads "more than".
    more: bool,
    pager: Option<Pager>,
}

/// How much of an article's text is searched for a snippet around the words found.
const SNIPPET_SOURCE_CHARS: usize = 3000;

pub async fn show_search(
    State(state): State<AppState>,
    page_lang: PageLang,
    Query(input): Query<SearchInput>,
) -> PageResult<Html<String>> {
    let lang = page_lang.lang;
    let (mut chrome, all_sections) = Chrome::for_page(&state, lang, "/recherche").await?;
    let q: String = input.q.trim().chars().take(200).collect();
    chrome.q = q.clone();
    let tz = state.site().tz();
    let mut problems = Vec::new();
    let mut parse_day = |text: &str, field: &str| -> Option<i64> {
        if text.is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|dt| tz.from_local_datetime(&dt).earliest());
        if parsed.is_none() {
            problems.push(state.catalog().text(lang, "search.bad_date", &[("field", field), ("value", text)]));
        }
        parsed.map(|t| t.timestamp_millis())
    };
    let from = parse_day(&input.from, "from");
    let to = parse_day(&input.to, "to").map(|t| t + 86_400_000);
    let section = all_sections.sections.iter().find(|s| s.slug == input.section);
    let filter_lang = Lang::parse(&input.lang);
    let terms = query_terms(&q);
    let page = page_number(input.page.as_deref());
    let mut hits = Vec::new();
    let mut total = 0;
    let mut more = false;
    let mut pager = None;
    if !terms.is_empty() {
        let query = SearchQuery {
            terms: terms.clone(),
            // A section's search covers its sub-sections, as its page does.
            sections: section.map(|s| all_sections.family(s.id)).unwrap_or_default(),
            language: filter_lang,
            from,
            to,
        };
        let offset = (page - 1) * PER_PAGE;
        let results = search::search(state.db(), &query, PER_PAGE, offset).await?;
        total = results.total;
        more = results.more;
        let ids = results.ids;
        let (cards, texts) =
            tokio::try_join!(articles::cards_by_ids(state.db(), &ids), articles::texts_by_ids(state.db(), &ids))?;
        for card in cards {
            let text = texts
                .get(&card.id)
                .map(|(lead, body)| {
                    // The snippet comes from the start of the text: stemming every word of
                    // twenty long bodies to find a later match cost more than the search.
                    let body = text_of_html(body);
                    let end = body.char_indices().nth(SNIPPET_SOURCE_CHARS).map_or(body.len(), |(i, _)| i);
                    format!("{lead} {}", &body[..end])
                })
                .unwrap_or_else(|| card.lead.clone());
            let snippet = highlight(&text, &terms, card.language, 32);
            let title = highlight(&card.title, &terms, card.language, 60);
            hits.push(Hit { card, title, snippet });
        }
        let mut keep = format!("q={}", urlencode(&q));
        for (key, value) in
            [("section", &input.section), ("lang", &input.lang), ("from", &input.from), ("to", &input.to)]
        {
            if !value.is_empty() {
                keep.push_str(&format!("&{key}={}", urlencode(value)));
            }
        }
        pager = Some(Pager::new(&format!("{}/recherche", page_lang.prefix), &keep, page, total, PER_PAGE));
    }
    let page = SearchPage {
        chrome,
        searched: !terms.is_empty(),
        q,
        section: section.map(|s| s.slug.clone()).unwrap_or_default(),
        filter_lang: filter_lang.map(|l| l.code().to_string()).unwrap_or_default(),
        from: input.from,
        to: input.to,
        problems,
        sections: all_sections
            .sections
            .iter()
            .map(|s| NavItem { slug: s.slug.clone(), name: s.name(lang).to_string() })
            .collect(),
        hits,
        total,
        more,
        pager,
    };
    Ok(Html(state.templates().render("pages/search.html", &page)?))
}
