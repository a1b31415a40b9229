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

use super::{Db, Engine, StoreResult, Tx, col, now_ms};
use crate::news::Lang;
use crate::news::text::{QueryTerm, index_tokens, is_stop_word, plain_text};

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
            body: index_tokens(&plain_text(doc.body_html), doc.language),
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
/// PostgreSQL only: the block of ids an article falls in (`zzblk121` for ids 495,616 to
/// 499,711). A GIN index has no order and its planner, asked for the newest matches in a range
/// of ids, scans the primary key and reads every row's `tsvector` from TOAST (a quarter of a
/// second for 9,000 ids). A range of blocks is a condition the GIN index answers itself.
const BLOCK_FACET: &str = "zzblk";
const BLOCK_IDS: i64 = 4096;

/// The facet tokens of an article in `language` filed in `section_id`.
pub fn facets(language: Lang, section_id: i64) -> String {
    format!("{LANGUAGE_FACET}{} {SECTION_FACET}{section_id}", language.code())
}

/// Indexes (or re-indexes) an article.
pub async fn index(tx: &mut Tx, engine: Engine, doc: &SearchDocument<'_>) -> StoreResult<()> {
    if engine == Engine::Sqlite {
        remove(tx, engine, doc.article_id).await?;
    }
    insert_rows(tx, engine, &[IndexRow::of(doc)]).await
}

/// Writes index rows in multi-row statements: new rows on SQLite (callers remove old ones
/// first), new or replaced rows on PostgreSQL.
pub async fn insert_rows(tx: &mut Tx, engine: Engine, rows: &[IndexRow]) -> StoreResult<()> {
    let now = now_ms();
    // SQLite gets plain `?` placeholders: it looks numbered ones up by name, slowly.
    let values = |width: usize, count: usize, expression: &dyn Fn(&[String]) -> String| {
        (0..count)
            .map(|r| {
                let marks: Vec<String> = (1..=width)
                    .map(|k| match engine {
                        Engine::Sqlite => "?".to_string(),
                        Engine::Postgres => format!("${}", r * width + k),
                    })
                    .collect();
                format!("({})", expression(&marks))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    for chunk in rows.chunks(100) {
        let matching_sql = match engine {
            Engine::Sqlite => {
                format!(
                    "insert into article_search (rowid, text, facets) values {}",
                    values(3, chunk.len(), &|m| m.join(", "))
                )
            }
            Engine::Postgres => format!(
                "insert into article_search (article_id, tsv, updated_at) values {} \
                 on conflict (article_id) do update set tsv = excluded.tsv, updated_at = excluded.updated_at",
                values(2, chunk.len(), &|m| format!("{}, to_tsvector('simple', {}), {now}", m[0], m[1]))
            ),
        };
        let mut matching = sqlx::query(sqlx::AssertSqlSafe(matching_sql));
        for row in chunk {
            matching = match engine {
                Engine::Sqlite => matching.bind(row.article_id).bind(row.text()).bind(row.facets.clone()),
                Engine::Postgres => matching.bind(row.article_id).bind(format!(
                    "{} {} {BLOCK_FACET}{}",
                    row.text(),
                    row.facets,
                    row.article_id / BLOCK_IDS
                )),
            };
        }
        matching.execute(&mut **tx).await?;
        let mut headlines = sqlx::query(sqlx::AssertSqlSafe(format!(
            "insert into article_search_headlines (article_id, title, lead, tags, updated_at) values {} \
             on conflict (article_id) do update \
             set title = excluded.title, lead = excluded.lead, tags = excluded.tags, updated_at = excluded.updated_at",
            values(4, chunk.len(), &|m| format!("{}, {now}", m.join(", ")))
        )));
        for row in chunk {
            headlines =
                headlines.bind(row.article_id).bind(row.title.clone()).bind(row.lead.clone()).bind(row.tags.clone());
        }
        headlines.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Removes an article from the index.
pub async fn remove(tx: &mut Tx, engine: Engine, article_id: i64) -> StoreResult<()> {
    let matching = match engine {
        Engine::Sqlite => "delete from article_search where rowid = $1",
        Engine::Postgres => "delete from article_search where article_id = $1",
    };
    for sql in [matching, "delete from article_search_headlines where article_id = $1"] {
        sqlx::query(sql).bind(article_id).execute(&mut **tx).await?;
    }
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

/// Query expressions in either engine's syntax. Stems hold only letters and digits
/// (news::text guarantees it, and `groups` checks it again), so they are safe inside either.
struct Syntax(Engine);

impl Syntax {
    fn word(&self, stem: &str) -> String {
        match self.0 {
            Engine::Sqlite => format!("\"{stem}\""),
            Engine::Postgres => stem.to_string(),
        }
    }

    fn any(&self, words: &[String]) -> String {
        let quoted: Vec<String> = words.iter().map(|w| self.word(w)).collect();
        let joined = quoted.join(match self.0 {
            Engine::Sqlite => " OR ",
            Engine::Postgres => " | ",
        });
        format!("({joined})")
    }

    fn all(&self, parts: &[String]) -> String {
        parts.join(match self.0 {
            Engine::Sqlite => " AND ",
            Engine::Postgres => " & ",
        })
    }

    /// A facet condition: one of these tokens, in the facets column where there is one.
    fn facet(&self, tokens: &[String]) -> String {
        match self.0 {
            Engine::Sqlite => format!("facets : {}", self.any(tokens)),
            Engine::Postgres => self.any(tokens),
        }
    }
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

/// A match in the window: its id and publication time.
struct Match {
    id: i64,
    publish_at: i64,
}

/// Ids of matching published articles, best first, and how many matched.
///
/// Two steps: the newest `RANKED_WINDOW` matches (every term, and the language and section
/// facets, intersected in the index), then their headline scores. An article whose title,
/// lead or tags hold more of the words, rarer ones especially, comes first; the others follow
/// newest first. Neither step reads an article's body or ranks more than the window.
pub async fn search(db: &Db, query: &SearchQuery, limit: i64, offset: i64) -> StoreResult<SearchResults> {
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
    let syntax = Syntax(db.engine());
    let mut conditions: Vec<String> = required.iter().map(|stems| syntax.any(stems)).collect();
    if let Some(lang) = query.language {
        conditions.push(syntax.facet(&[format!("{LANGUAGE_FACET}{}", lang.code())]));
    }
    if !query.sections.is_empty() {
        let tokens: Vec<String> = query.sections.iter().map(|id| format!("{SECTION_FACET}{id}")).collect();
        conditions.push(syntax.facet(&tokens));
    }
    let matching = syntax.all(&conditions);
    let from = query.from.unwrap_or(i64::MIN);
    let to = query.to.unwrap_or(i64::MAX);
    // A date range becomes a range of ids too, which the full-text index can skip to: a search
    // in an old year no longer walks every newer match first. The dates are still checked.
    let (low_id, high_id) = if query.from.is_some() || query.to.is_some() {
        let row = sqlx::query(
            "select min(id) as low, max(id) as high from articles \
             where status = 'published' and publish_at >= $1 and publish_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(db.reader())
        .await?;
        match (row.try_get::<Option<i64>, _>("low")?, row.try_get::<Option<i64>, _>("high")?) {
            (Some(low), Some(high)) => (low, high),
            _ => return Ok(SearchResults::default()),
        }
    } else {
        let row = sqlx::query("select coalesce(max(id), 0) as high from articles").fetch_one(db.reader()).await?;
        (1, col::<i64>(&row, "high")?)
    };
    let mut window = newest_matches(db, &matching, (low_id, high_id), (from, to)).await?;
    let more = window.len() as i64 > RANKED_WINDOW;
    window.truncate(RANKED_WINDOW as usize);
    let scores = headline_scores(db, &groups, &window).await?;
    let score = |m: &Match| scores.get(&m.id).copied().unwrap_or(0.0);
    // Best headline first; ties (headlines without the words, above all) newest first.
    window.sort_by(|a, b| score(b).total_cmp(&score(a)).then(b.publish_at.cmp(&a.publish_at)).then(b.id.cmp(&a.id)));
    let ids = window.iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).map(|m| m.id).collect();
    Ok(SearchResults { ids, total: window.len() as i64, more })
}

/// The newest `RANKED_WINDOW + 1` published matches with ids in `ids` and dates in `dates`.
async fn newest_matches(db: &Db, matching: &str, ids: (i64, i64), dates: (i64, i64)) -> StoreResult<Vec<Match>> {
    let (low_id, high_id) = ids;
    let wanted = RANKED_WINDOW + 1;
    let read = |rows: Vec<sqlx::any::AnyRow>| {
        rows.iter()
            .map(|r| Ok(Match { id: col(r, "id")?, publish_at: col(r, "publish_at")? }))
            .collect::<StoreResult<Vec<_>>>()
    };
    match db.engine() {
        Engine::Sqlite => {
            // FTS5 walks its doclists backwards from the high id and stops at the window's
            // end; the status and date checks read the covering index `articles_filter_by_id`,
            // named because the planner would otherwise read the article rows, bodies and all.
            let rows = sqlx::query(
                "select s.rowid as id, a.publish_at from article_search s \
                 join articles a indexed by articles_filter_by_id on a.id = s.rowid \
                 where article_search match $1 and s.rowid >= $2 and s.rowid <= $3 and a.status = 'published' \
                   and a.publish_at >= $4 and a.publish_at < $5 \
                 order by s.rowid desc limit $6",
            )
            .bind(matching)
            .bind(low_id)
            .bind(high_id)
            .bind(dates.0)
            .bind(dates.1)
            .bind(wanted)
            .fetch_all(db.reader())
            .await?;
            read(rows)
        }
        Engine::Postgres => {
            // Newest blocks of ids first (see BLOCK_FACET), one block, then two, four...: a
            // common word fills the window from the first, a rare one reads the archive in a
            // few queries. The id bounds are checked on the rows (`+ 0` keeps the planner off
            // the primary key); each query reads only the GIN index and the matching rows.
            let mut found = Vec::new();
            let mut block = high_id.max(0) / BLOCK_IDS;
            let last = low_id.max(0) / BLOCK_IDS;
            let mut blocks = 1;
            while block >= last && (found.len() as i64) < wanted {
                let first = (block - blocks + 1).max(last);
                let tokens: Vec<String> = (first..=block).map(|b| format!("{BLOCK_FACET}{b}")).collect();
                let rows = sqlx::query(
                    "select s.article_id as id, a.publish_at from article_search s \
                     join articles a on a.id = s.article_id \
                     where s.tsv @@ to_tsquery('simple', $1) \
                       and s.article_id + 0 >= $2 and s.article_id + 0 <= $3 \
                       and a.status = 'published' and a.publish_at >= $4 and a.publish_at < $5 \
                     order by s.article_id desc limit $6",
                )
                .bind(format!("{matching} & {}", Syntax(Engine::Postgres).any(&tokens)))
                .bind(low_id)
                .bind(high_id)
                .bind(dates.0)
                .bind(dates.1)
                .bind(wanted - found.len() as i64)
                .fetch_all(db.reader())
                .await?;
                found.extend(read(rows)?);
                block = first - 1;
                blocks *= 2;
            }
            Ok(found)
        }
    }
}

/// The headline scores of the window's articles (higher is better).
async fn headline_scores(db: &Db, groups: &[Vec<String>], window: &[Match]) -> StoreResult<HashMap<i64, f64>> {
    if window.is_empty() {
        return Ok(HashMap::new());
    }
    // The window's ids are integers read from the database: written into the statement, they
    // let either engine read each row by its key.
    let ids: Vec<String> = window.iter().map(|m| m.id.to_string()).collect();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select article_id, title, lead, tags from article_search_headlines where article_id in ({})",
        ids.join(", ")
    )))
    .fetch_all(db.reader())
    .await?;
    let headlines = rows
        .iter()
        .map(|r| {
            Ok(Headline {
                article_id: col(r, "article_id")?,
                title: col(r, "title")?,
                lead: col(r, "lead")?,
                tags: col(r, "tags")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(rank_headlines(groups, &headlines))
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
/// 15 ms after; merging takes seconds). PostgreSQL's GIN index needs no such step.
pub async fn optimize(db: &Db) -> StoreResult<()> {
    if db.engine() == Engine::Sqlite {
        sqlx::query("insert into article_search (article_search) values ('optimize')").execute(db.writer()).await?;
    }
    Ok(())
}

/// Indexes every published article that has no index row yet: after an upgrade that rebuilt
/// the index (migration 0008), or an import. Runs in batches of 500, each its own
/// transaction, so that the site keeps answering meanwhile. Returns how many were indexed.
pub async fn index_missing(db: &Db) -> StoreResult<usize> {
    // On SQLite the contentless index keeps one row per document in its `_docsize` table.
    let missing_sql = match db.engine() {
        Engine::Sqlite => {
            "select a.id from articles a where a.status = 'published' \
             and not exists (select 1 from article_search_docsize s where s.id = a.id) order by a.id"
        }
        Engine::Postgres => {
            "select a.id from articles a where a.status = 'published' \
             and not exists (select 1 from article_search s where s.article_id = a.id) order by a.id"
        }
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
            super::articles::reindex(&mut tx, db.engine(), *id).await?;
        }
        tx.commit().await?;
    }
    Ok(ids.len())
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
        let sqlite = Syntax(Engine::Sqlite);
        let parts: Vec<String> = groups.iter().map(|g| sqlite.any(g)).collect();
        assert_eq!(sqlite.all(&parts), "(\"elect\" OR \"election\") AND (\"tanger\")");
        assert_eq!(sqlite.facet(&["zzlangfr".to_string()]), "facets : (\"zzlangfr\")");
        let postgres = Syntax(Engine::Postgres);
        let parts: Vec<String> = groups.iter().map(|g| postgres.any(g)).collect();
        assert_eq!(postgres.all(&parts), "(elect | election) & (tanger)");
        assert_eq!(facets(Lang::Ar, 12), "zzlangar zzsec12");
        // Anything but letters and digits never reaches an expression.
        let odd = vec![QueryTerm { word: "x".into(), stems: vec!["a\"b".into(), "ok".into()] }];
        assert_eq!(self::groups(&odd), vec![vec!["ok".to_string()]]);
    }
}
