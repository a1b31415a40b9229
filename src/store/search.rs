//! Full-text search over published articles: SQLite FTS5 or PostgreSQL `tsvector`, both fed
//! with the tokens `news::text` makes, so both engines match the same words.
//!
//! The index is kept in the database, updated in the transaction that changes the article:
//! every node of a multi-node site searches the same, current index.
//!
//! Two parts, two jobs (migration 0008 says why):
//! - **what matches**: every word of the article, plus facet tokens for its language and
//!   section, so that filters are intersected inside the index. It is walked newest first.
//! - **what ranks**: the title, lead and tags as tokens, read by key for the matches found
//!   (a thousand at most) and scored here with BM25F, the same on both engines.

use std::collections::HashMap;

use sqlx::Row;

mod fts5;
mod tsvector;

use super::dialect::values_list;
use super::{Db, Engine, StoreResult, Tx, col, now_ms};
use crate::news::Lang;
use crate::news::text::{QueryTerm, index_tokens, is_stop_word, text_of_html};
use fts5::Fts5;
use tsvector::TsVector;

/// The text of an article as the index sees it.
pub struct SearchDocument<'a> {
    pub article_id: i64,
    pub language: Lang,
    pub section_id: i64,
    pub title: &'a str,
    pub lead: &'a str,
    pub body_html: &'a str,
    pub tags: &'a [String],
}

/// An article's tokens, ready to be written to the index.
pub struct IndexRow {
    pub article_id: i64,
    pub title: String,
    pub lead: String,
    pub body: String,
    pub tags: String,
    pub facets: String,
}

impl IndexRow {
    pub fn of(doc: &SearchDocument<'_>) -> IndexRow {
        IndexRow {
            article_id: doc.article_id,
            title: index_tokens(doc.title, doc.language),
            lead: index_tokens(doc.lead, doc.language),
            body: index_tokens(&text_of_html(doc.body_html), doc.language),
            tags: index_tokens(&doc.tags.join(" "), doc.language),
            facets: facets(doc.language, doc.section_id),
        }
    }

    /// Everything a reader's words may match.
    fn text(&self) -> String {
        [self.title.as_str(), &self.lead, &self.body, &self.tags].join(" ")
    }
}

/// Facet tokens: letters and digits only (both engines' tokenizers keep them whole), and a
/// prefix no stem of a real word has. On SQLite they live in their own column and queries
/// name it; on PostgreSQL they share the `tsvector`, and a reader who types one merely gets
/// the articles of that language or section.
const LANGUAGE_FACET: &str = "zzlang";
const SECTION_FACET: &str = "zzsec";

/// The facet tokens of an article in `language` filed in `section_id`.
pub fn facets(language: Lang, section_id: i64) -> String {
    format!("{LANGUAGE_FACET}{} {SECTION_FACET}{section_id}", language.code())
}

/// Indexes (or re-indexes) an article.
pub async fn index(tx: &mut Tx, engine: Engine, doc: &SearchDocument<'_>) -> StoreResult<()> {
    let rows = [IndexRow::of(doc)];
    match engine {
        Engine::Sqlite => index_with::<Fts5>(tx, &rows, true).await,
        Engine::Postgres => index_with::<TsVector>(tx, &rows, true).await,
    }
}

/// Writes index rows in multi-row statements (bulk loads): new rows on SQLite (callers remove
/// old ones first), new or replaced rows on PostgreSQL.
pub async fn insert_rows(tx: &mut Tx, engine: Engine, rows: &[IndexRow]) -> StoreResult<()> {
    match engine {
        Engine::Sqlite => index_with::<Fts5>(tx, rows, false).await,
        Engine::Postgres => index_with::<TsVector>(tx, rows, false).await,
    }
}

/// Removes an article from the index.
pub async fn remove(tx: &mut Tx, engine: Engine, article_id: i64) -> StoreResult<()> {
    match engine {
        Engine::Sqlite => remove_with::<Fts5>(tx, article_id).await,
        Engine::Postgres => remove_with::<TsVector>(tx, article_id).await,
    }
}

/// What differs between the two engines' full-text indexes, each in its own file; the
/// tokens, the headlines, the window and the ranking are shared and written once here.
trait FullText {
    /// The engine this index lives in.
    const ENGINE: Engine;
    /// Whether writing a row replaces the article's old one (else it is removed first).
    const WRITE_REPLACES: bool;
    /// The published articles with no row in the index yet.
    const MISSING: &'static str;
    /// The articles table as the window's check of status and date reads it.
    const ARTICLES_BY_ID: &'static str;

    /// A stem, as the query syntax takes it.
    fn word(stem: &str) -> String;
    /// Between alternatives, and between what must all match.
    const OR: &'static str;
    const AND: &'static str;
    /// A facet condition: one of these tokens, in the facets column where there is one.
    fn facet(tokens: &[String]) -> String;

    /// Writes the matching part of these articles' rows.
    async fn write_matching(tx: &mut Tx, rows: &[IndexRow]) -> StoreResult<()>;
    /// Removes an article's matching row.
    async fn remove_matching(tx: &mut Tx, article_id: i64) -> StoreResult<()>;
    /// The ids of the newest `RANKED_WINDOW + 1` published matches of `matching` with ids in
    /// `ids` and dates in `dates`, newest first.
    async fn newest_matches(db: &Db, matching: &str, ids: (i64, i64), dates: (i64, i64)) -> StoreResult<Vec<i64>>;
    /// After a bulk load.
    async fn optimize(db: &Db) -> StoreResult<()>;

    fn any(words: &[String]) -> String {
        let quoted: Vec<String> = words.iter().map(|w| Self::word(w)).collect();
        format!("({})", quoted.join(Self::OR))
    }
}

async fn index_with<I: FullText>(tx: &mut Tx, rows: &[IndexRow], replace: bool) -> StoreResult<()> {
    if replace && !I::WRITE_REPLACES {
        for row in rows {
            I::remove_matching(tx, row.article_id).await?;
        }
    }
    let now = now_ms();
    for chunk in rows.chunks(100) {
        I::write_matching(tx, chunk).await?;
        let mut headlines = sqlx::query(sqlx::AssertSqlSafe(format!(
            "insert into article_search_headlines (article_id, title, lead, tags, updated_at) values {} \
             on conflict (article_id) do update \
             set title = excluded.title, lead = excluded.lead, tags = excluded.tags, updated_at = excluded.updated_at",
            values_list(I::ENGINE, 4, chunk.len(), &|m| format!("{}, {now}", m.join(", ")))
        )));
        for row in chunk {
            headlines =
                headlines.bind(row.article_id).bind(row.title.clone()).bind(row.lead.clone()).bind(row.tags.clone());
        }
        headlines.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn remove_with<I: FullText>(tx: &mut Tx, article_id: i64) -> StoreResult<()> {
    I::remove_matching(tx, article_id).await?;
    sqlx::query("delete from article_search_headlines where article_id = $1")
        .bind(article_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a reader searches for.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub terms: Vec<QueryTerm>,
    /// A section and its sub-sections (`PageParts::family`); empty: every section.
    pub sections: Vec<i64>,
    pub language: Option<Lang>,
    /// Unix ms, inclusive.
    pub from: Option<i64>,
    /// Unix ms, exclusive.
    pub to: Option<i64>,
}

/// Each term's stems, without anything that is not a letter or digit.
fn groups(terms: &[QueryTerm]) -> Vec<Vec<String>> {
    terms
        .iter()
        .map(|t| t.stems.iter().filter(|s| !s.is_empty() && s.chars().all(char::is_alphanumeric)).cloned().collect())
        .filter(|stems: &Vec<String>| !stems.is_empty())
        .collect()
}

/// How many of the newest matches are ranked. A common word matches a large part of a long
/// archive, and a news reader wants recent articles first anyway: the engine walks the matches
/// newest first (article ids follow creation, which follows publication closely; the importer
/// writes old archives in publication order) and ranks the first `RANKED_WINDOW` that pass
/// the filters. Rarer words match fewer than that, and are ranked over the whole archive.
pub const RANKED_WINDOW: i64 = 1000;

/// A page of search results.
#[derive(Debug, Default)]
pub struct SearchResults {
    /// Matching published articles, best first.
    pub ids: Vec<i64>,
    /// How many matched, up to `RANKED_WINDOW`.
    pub total: i64,
    /// More than `RANKED_WINDOW` matched: only the newest were ranked.
    pub more: bool,
}

/// A match of the window with what orders it.
struct Match {
    id: i64,
    publish_at: i64,
    score: f64,
}

/// Ids of matching published articles, best first, and how many matched.
///
/// Two steps: the newest `RANKED_WINDOW` matches (every term, and the language and section
/// facets, intersected in the index), then their headline scores. An article whose title,
/// lead or tags hold more of the words, rarer ones especially, comes first; the others follow
/// newest first. Neither step reads an article's body or ranks more than the window.
pub async fn search(db: &Db, query: &SearchQuery, limit: i64, offset: i64) -> StoreResult<SearchResults> {
    match db.engine() {
        Engine::Sqlite => search_with::<Fts5>(db, query, limit, offset).await,
        Engine::Postgres => search_with::<TsVector>(db, query, limit, offset).await,
    }
}

async fn search_with<I: FullText>(db: &Db, query: &SearchQuery, limit: i64, offset: i64) -> StoreResult<SearchResults> {
    let groups = groups(&query.terms);
    if groups.is_empty() {
        return Ok(SearchResults::default());
    }
    // What must match: the words that tell articles apart. The commonest words ("la", "the",
    // "في") are in nearly every article; requiring them reads the index's longest lists for
    // nothing. A query of nothing else keeps them.
    let telling: Vec<QueryTerm> = query.terms.iter().filter(|t| !is_stop_word(&t.word)).cloned().collect();
    let required = if telling.is_empty() { groups.clone() } else { self::groups(&telling) };
    if required.is_empty() {
        return Ok(SearchResults::default());
    }
    let mut conditions: Vec<String> = required.iter().map(|stems| I::any(stems)).collect();
    if let Some(lang) = query.language {
        conditions.push(I::facet(&[format!("{LANGUAGE_FACET}{}", lang.code())]));
    }
    if !query.sections.is_empty() {
        let tokens: Vec<String> = query.sections.iter().map(|id| format!("{SECTION_FACET}{id}")).collect();
        conditions.push(I::facet(&tokens));
    }
    let matching = conditions.join(I::AND);
    let from = query.from.unwrap_or(i64::MIN);
    let to = query.to.unwrap_or(i64::MAX);
    // A date range becomes a range of ids too, which the full-text index can skip to: a search
    // in an old year no longer walks every newer match first. The dates are still checked.
    let (low_id, high_id) = if query.from.is_some() || query.to.is_some() {
        match published_ids_between(db, from, to).await? {
            Some(ids) => ids,
            None => return Ok(SearchResults::default()),
        }
    } else {
        let row = sqlx::query("select coalesce(max(id), 0) as high from articles").fetch_one(db.reader()).await?;
        (1, col::<i64>(&row, "high")?)
    };
    let mut newest = I::newest_matches(db, &matching, (low_id, high_id), (from, to)).await?;
    let more = newest.len() as i64 > RANKED_WINDOW;
    newest.truncate(RANKED_WINDOW as usize);
    let mut window = scored::<I>(db, &groups, &newest).await?;
    // Best headline first; ties (headlines without the words, above all) newest first.
    window.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.publish_at.cmp(&a.publish_at)).then(b.id.cmp(&a.id)));
    let ids = window.iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).map(|m| m.id).collect();
    Ok(SearchResults { ids, total: window.len() as i64, more })
}

/// The lowest and highest ids of the articles published in `[from, to)`, if any. Two ways to
/// the same answer, chosen by the share of the archive's publication span the range covers:
/// a short range is read from `articles_published_ids` (status, date, id: every entry of the
/// range, index only); a long one from the ends of the id index, which PostgreSQL's min/max
/// shortcut walks until it meets the range (all the articles outside it: for one year of
/// twenty, 21 ms against 2 ms). The `+ 0` keeps the planner off that shortcut: ids follow
/// publication order in an archive, which its estimates do not know.
async fn published_ids_between(db: &Db, from: i64, to: i64) -> StoreResult<Option<(i64, i64)>> {
    let publication_span = sqlx::query(
        "select (select publish_at from articles where status = 'published' order by publish_at asc limit 1) as first, \
                (select publish_at from articles where status = 'published' order by publish_at desc limit 1) as last",
    )
    .fetch_one(db.reader())
    .await?;
    let (Some(first), Some(last)) =
        (publication_span.try_get::<Option<i64>, _>("first")?, publication_span.try_get::<Option<i64>, _>("last")?)
    else {
        return Ok(None);
    };
    let covered = (to.min(last.saturating_add(1)) as f64 - from.max(first) as f64) / ((last - first) as f64 + 1.0);
    let sql = if covered < 0.5 {
        "select min(id + 0) as low, max(id + 0) as high from articles \
         where status = 'published' and publish_at >= $1 and publish_at < $2"
    } else {
        "select min(id) as low, max(id) as high from articles \
         where status = 'published' and publish_at >= $1 and publish_at < $2"
    };
    let row = sqlx::query(sql).bind(from).bind(to).fetch_one(db.reader()).await?;
    match (row.try_get::<Option<i64>, _>("low")?, row.try_get::<Option<i64>, _>("high")?) {
        (Some(low), Some(high)) => Ok(Some((low, high))),
        _ => Ok(None),
    }
}

/// The window's published articles with their headline scores (higher is better) and dates.
async fn scored<I: FullText>(db: &Db, groups: &[Vec<String>], window: &[i64]) -> StoreResult<Vec<Match>> {
    if window.is_empty() {
        return Ok(Vec::new());
    }
    // The window's ids are integers read from the database: written into the statement, they
    // let either engine read each row by its key.
    let ids: Vec<String> = window.iter().map(|id| id.to_string()).collect();
    let articles = I::ARTICLES_BY_ID;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select h.article_id, h.title, h.lead, h.tags, a.publish_at from article_search_headlines h \
         join {articles} on a.id = h.article_id \
         where h.article_id in ({}) and a.status = 'published'",
        ids.join(", ")
    )))
    .fetch_all(db.reader())
    .await?;
    let mut published = HashMap::new();
    let mut headlines = Vec::with_capacity(rows.len());
    for r in &rows {
        let article_id: i64 = col(r, "article_id")?;
        published.insert(article_id, col::<i64>(r, "publish_at")?);
        headlines.push(Headline { article_id, title: col(r, "title")?, lead: col(r, "lead")?, tags: col(r, "tags")? });
    }
    let scores = rank_headlines(groups, &headlines);
    Ok(published
        .into_iter()
        .map(|(id, publish_at)| Match { id, publish_at, score: scores.get(&id).copied().unwrap_or(0.0) })
        .collect())
}

/// An article's headline as index tokens (stems separated by spaces).
pub struct Headline {
    pub article_id: i64,
    pub title: String,
    pub lead: String,
    pub tags: String,
}

/// How much a word counts in each part of a headline: the title says what a story is about,
/// tags were chosen by the newsroom, the lead develops.
const TITLE_WEIGHT: f64 = 10.0;
const TAGS_WEIGHT: f64 = 6.0;
const LEAD_WEIGHT: f64 = 4.0;
/// BM25's saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// BM25F over the headlines of the matches: each term's weighted frequency in title, tags and
/// lead, saturated, scaled by the headline's length against the average, and weighted by how
/// rare the term is among these headlines (a word every headline holds tells nothing apart).
/// A term is any of its stems. Returns a score per article (higher is better); articles whose
/// headline holds none of the words score 0 and come after, newest first.
pub fn rank_headlines(groups: &[Vec<String>], headlines: &[Headline]) -> HashMap<i64, f64> {
    struct Counted {
        article_id: i64,
        /// Per term, its weighted frequency.
        frequencies: Vec<f64>,
        length: f64,
    }
    let counted: Vec<Counted> = headlines
        .iter()
        .map(|h| {
            let mut frequencies = vec![0.0; groups.len()];
            let mut length = 0.0;
            for (text, weight) in [(&h.title, TITLE_WEIGHT), (&h.tags, TAGS_WEIGHT), (&h.lead, LEAD_WEIGHT)] {
                for token in text.split_ascii_whitespace() {
                    length += weight;
                    for (term, stems) in groups.iter().enumerate() {
                        if stems.iter().any(|s| s == token) {
                            frequencies[term] += weight;
                        }
                    }
                }
            }
            Counted { article_id: h.article_id, frequencies, length }
        })
        .collect();
    let documents = counted.len() as f64;
    let average_length = (counted.iter().map(|c| c.length).sum::<f64>() / documents.max(1.0)).max(1.0);
    let idf: Vec<f64> = (0..groups.len())
        .map(|term| {
            let holding = counted.iter().filter(|c| c.frequencies[term] > 0.0).count() as f64;
            (1.0 + (documents - holding + 0.5) / (holding + 0.5)).ln()
        })
        .collect();
    counted
        .iter()
        .map(|c| {
            let norm = K1 * (1.0 - B + B * c.length / average_length);
            let score = c
                .frequencies
                .iter()
                .zip(&idf)
                .filter(|(f, _)| **f > 0.0)
                .map(|(f, idf)| idf * f * (K1 + 1.0) / (f + norm))
                .sum::<f64>();
            (c.article_id, score)
        })
        .collect()
}

/// After a bulk load (the archive generator, an import): SQLite's full-text index is merged
/// into one segment. Rows written in thousands of batches leave it in many, and every search
/// term is then read from each of them (a ten-word query on 500,000 articles: 40 ms before,
/// 15 ms after; merging takes seconds). PostgreSQL's tables are vacuumed and analysed.
pub async fn optimize(db: &Db) -> StoreResult<()> {
    match db.engine() {
        Engine::Sqlite => Fts5::optimize(db).await,
        Engine::Postgres => TsVector::optimize(db).await,
    }
}

/// Indexes every published article that has no index row yet: after an upgrade that rebuilt
/// the index (migration 0008), or an import. Runs in batches of 500, each its own
/// transaction, so that the site keeps answering meanwhile. Returns how many were indexed.
pub async fn index_missing(db: &Db) -> StoreResult<usize> {
    let missing_sql = match db.engine() {
        Engine::Sqlite => Fts5::MISSING,
        Engine::Postgres => TsVector::MISSING,
    };
    let ids: Vec<i64> = sqlx::query(missing_sql)
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect::<StoreResult<_>>()?;
    for chunk in ids.chunks(500) {
        let mut tx = db.begin().await?;
        for id in chunk {
            reindex(&mut tx, db.engine(), *id).await?;
        }
        tx.commit().await?;
    }
    Ok(ids.len())
}

/// Re-indexes an article for search from its stored text: indexed when published, removed
/// otherwise. Called in the transaction of every change that readers could see.
pub async fn reindex(tx: &mut Tx, engine: super::Engine, id: i64) -> StoreResult<()> {
    let row = sqlx::query("select status, language, section_id, title, lead, body_html from articles where id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else {
        return remove(tx, engine, id).await;
    };
    let status: String = col(&row, "status")?;
    if status != "published" {
        return remove(tx, engine, id).await;
    }
    let tags: Vec<String> = sqlx::query(
        "select t.name from article_tags at join tags t on t.id = at.tag_id where at.article_id = $1 order by at.position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| col(r, "name"))
    .collect::<StoreResult<_>>()?;
    let language: String = col(&row, "language")?;
    let (title, lead, body_html): (String, String, String) =
        (col(&row, "title")?, col(&row, "lead")?, col(&row, "body_html")?);
    index(
        tx,
        engine,
        &SearchDocument {
            article_id: id,
            language: Lang::parse(&language).unwrap_or(Lang::Fr),
            section_id: col(&row, "section_id")?,
            title: &title,
            lead: &lead,
            body_html: &body_html,
            tags: &tags,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headline(article_id: i64, title: &str, lead: &str, tags: &str) -> Headline {
        Headline { article_id, title: title.into(), lead: lead.into(), tags: tags.into() }
    }

    fn terms(words: &[&str]) -> Vec<Vec<String>> {
        words.iter().map(|w| vec![w.to_string()]).collect()
    }

    #[test]
    fn title_beats_tags_beats_lead_beats_body_only() {
        let headlines = [
            headline(1, "budget vote", "le parlement", "economie"),
            headline(2, "le parlement", "budget vote", "economie"),
            headline(3, "le parlement", "vote", "budget"),
            headline(4, "le parlement", "vote", "economie"),
        ];
        let scores = rank_headlines(&terms(&["budget"]), &headlines);
        assert!(scores[&1] > scores[&3], "{scores:?}");
        assert!(scores[&3] > scores[&2], "{scores:?}");
        assert!(scores[&2] > 0.0 && scores[&4] == 0.0, "{scores:?}");
    }

    #[test]
    fn more_words_and_rarer_words_rank_higher() {
        let headlines = [
            headline(1, "budget maroc", "", ""),
            headline(2, "budget", "", ""),
            headline(3, "maroc", "", ""),
            headline(4, "maroc", "", ""),
            headline(5, "maroc", "", ""),
        ];
        let scores = rank_headlines(&terms(&["budget", "maroc"]), &headlines);
        assert!(scores[&1] > scores[&2] && scores[&2] > scores[&3], "{scores:?}");
        // A term is any of its stems.
        let either = vec![vec!["maroc".to_string(), "morocco".to_string()]];
        let scores = rank_headlines(&either, &[headline(7, "morocco", "", ""), headline(8, "rabat", "", "")]);
        assert!(scores[&7] > 0.0 && scores[&8] == 0.0);
    }

    #[test]
    fn a_short_headline_beats_a_long_one_with_the_same_words() {
        let headlines = [
            headline(1, "budget", "", ""),
            headline(2, "budget annonce hier par le gouvernement apres un long debat au parlement", "", ""),
        ];
        let scores = rank_headlines(&terms(&["budget"]), &headlines);
        assert!(scores[&1] > scores[&2], "{scores:?}");
    }

    #[test]
    fn expressions_quote_stems_and_name_the_facets_column() {
        let groups = [vec!["elect".to_string(), "election".to_string()], vec!["tanger".to_string()]];
        let parts: Vec<String> = groups.iter().map(|g| Fts5::any(g)).collect();
        assert_eq!(parts.join(Fts5::AND), "(\"elect\" OR \"election\") AND (\"tanger\")");
        assert_eq!(Fts5::facet(&["zzlangfr".to_string()]), "facets : (\"zzlangfr\")");
        let parts: Vec<String> = groups.iter().map(|g| TsVector::any(g)).collect();
        assert_eq!(parts.join(TsVector::AND), "(elect | election) & (tanger)");
        assert_eq!(facets(Lang::Ar, 12), "zzlangar zzsec12");
        // Anything but letters and digits never reaches an expression.
        let odd = vec![QueryTerm { word: "x".into(), stems: vec!["a\"b".into(), "ok".into()] }];
        assert_eq!(self::groups(&odd), vec![vec!["ok".to_string()]]);
    }
}
