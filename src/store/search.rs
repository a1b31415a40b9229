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
        match published_ids_between(db, from, to).await? {
            Some(ids) => ids,
            None => return Ok(SearchResults::default()),
        }
    } else {
        let row = sqlx::query("select coalesce(max(id), 0) as high from articles").fetch_one(db.reader()).await?;
        (1, col::<i64>(&row, "high")?)
    };
    let mut newest = newest_matches(db, &matching, (low_id, high_id), (from, to)).await?;
    let more = newest.len() as i64 > RANKED_WINDOW;
    newest.truncate(RANKED_WINDOW as usize);
    let mut window = scored(db, &groups, &newest).await?;
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

/// The ids of the newest `RANKED_WINDOW + 1` published matches with ids in `ids` and dates in
/// `dates`, newest first.
async fn newest_matches(db: &Db, matching: &str, ids: (i64, i64), dates: (i64, i64)) -> StoreResult<Vec<i64>> {
    let (low_id, high_id) = ids;
    let wanted = RANKED_WINDOW + 1;
    let read = |rows: Vec<sqlx::any::AnyRow>| rows.iter().map(|r| col::<i64>(r, "id")).collect::<StoreResult<Vec<_>>>();
    match db.engine() {
        Engine::Sqlite => {
            // FTS5 walks its doclists backwards from the high id and stops at the window's
            // end; the status and date checks read the covering index `articles_filter_by_id`,
            // named because the planner would otherwise read the article rows, bodies and all.
            let rows = sqlx::query(
                "select s.rowid as id from article_search s \
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
            // Newest blocks of ids first (see BLOCK_FACET): the newest block, then as many
            // blocks as the matches seen so far say will fill the window, or, when the rest of
            // the range holds few matches by that measure, all of it in one query. Each query
            // reads only the GIN index and the matching rows: a common word fills the window
            // from the first block or two, a rare one (or a pasted headline, rare as a whole)
            // reads the archive in two queries. The slices stay small in tokens because a GIN
            // query costs by the posting lists it unites (64 block tokens: 70 ms). The id
            // bounds are checked on the rows, and the order is on `article_id + 0`: the
            // planner must not walk the primary key and read each row's `tsvector` from TOAST.
            let mut found = Vec::new();
            // Without tokens a query reads every match of the archive, not only those of the
            // range: only a walk over the whole archive may end with one (a range of dates
            // around a common word would fetch all its matches, a second and a half).
            let whole_archive = dates == (i64::MIN, i64::MAX);
            let max_slice = if whole_archive { MAX_SLICE_ARCHIVE } else { MAX_SLICE_RANGE };
            let last = low_id.max(0) / BLOCK_IDS;
            let mut block = high_id.max(0) / BLOCK_IDS;
            let mut ids_read = 0i64;
            // The newest block is the one being filled: when it holds under half a block of
            // ids, the first query takes the one before too.
            let mut slice = if high_id.max(0) % BLOCK_IDS < BLOCK_IDS / 2 { 2 } else { 1 };
            while block >= last && (found.len() as i64) < wanted {
                let left = block - last + 1;
                let slice_now = if whole_archive { slice } else { slice.min(MAX_SLICE_RANGE) };
                let first = if slice_now >= left { last } else { block - slice_now + 1 };
                let matching = if first == last && whole_archive {
                    matching.to_string()
                } else {
                    let tokens: Vec<String> = (first..=block).map(|b| format!("{BLOCK_FACET}{b}")).collect();
                    format!("{matching} & {}", Syntax(Engine::Postgres).any(&tokens))
                };
                // The index holds published articles only (`reindex`, in the same
                // transaction as every change of status): without a range of dates there is
                // nothing to check in `articles` here, and the window's rows are checked with
                // their headlines.
                let upper = high_id.min((block + 1) * BLOCK_IDS - 1);
                let limit = wanted - found.len() as i64;
                let rows = if whole_archive {
                    sqlx::query(
                        "select s.article_id as id from article_search s \
                         where s.tsv @@ to_tsquery('simple', $1) \
                           and s.article_id + 0 >= $2 and s.article_id + 0 <= $3 \
                         order by s.article_id + 0 desc limit $4",
                    )
                    .bind(matching)
                    .bind(low_id)
                    .bind(upper)
                    .bind(limit)
                    .fetch_all(db.reader())
                    .await?
                } else {
                    sqlx::query(
                        "select s.article_id as id from article_search s \
                         join articles a on a.id = s.article_id \
                         where s.tsv @@ to_tsquery('simple', $1) \
                           and s.article_id + 0 >= $2 and s.article_id + 0 <= $3 \
                           and a.status = 'published' and a.publish_at >= $4 and a.publish_at < $5 \
                         order by s.article_id + 0 desc limit $6",
                    )
                    .bind(matching)
                    .bind(low_id)
                    .bind(upper)
                    .bind(dates.0)
                    .bind(dates.1)
                    .bind(limit)
                    .fetch_all(db.reader())
                    .await?
                };
                found.extend(read(rows)?);
                ids_read += upper - (first * BLOCK_IDS).max(low_id) + 1;
                block = first - 1;
                slice =
                    next_slice(wanted - found.len() as i64, found.len() as i64, ids_read, block - last + 1, max_slice);
            }
            Ok(found)
        }
    }
}

/// PostgreSQL: the most block tokens one query of the walk names. A GIN query costs by the
/// posting lists it unites (8 block tokens: 2 ms; 32: 24 ms). Over the whole archive a query
/// without tokens is the better next step sooner; within a range of dates it is not possible.
const MAX_SLICE_ARCHIVE: i64 = 8;
const MAX_SLICE_RANGE: i64 = 32;

/// PostgreSQL: how many blocks the next query of the newest-first walk covers, given the
/// matches still `needed`, those `found` among the `ids_read` ids so far and the blocks `left`.
/// Everything left when that holds at most `REST_ROWS` matches at the density seen (one query
/// that fetches that many rows costs less than more queries: its cost is the terms' posting
/// lists, about 10 ms for five common words, then a millisecond per thousand rows); else enough
/// blocks to fill the window, with half again as margin, at most `max_slice`.
fn next_slice(needed: i64, found: i64, ids_read: i64, left: i64, max_slice: i64) -> i64 {
    const REST_ROWS: i64 = 20_000;
    if needed <= 0 || left <= 0 {
        return 0;
    }
    let per_block = found as f64 / ids_read.max(1) as f64 * BLOCK_IDS as f64;
    if per_block * left as f64 <= REST_ROWS as f64 {
        return left;
    }
    ((needed as f64 / per_block * 1.5).ceil() as i64).clamp(1, max_slice).min(left)
}

/// The window's published articles with their headline scores (higher is better) and dates.
async fn scored(db: &Db, groups: &[Vec<String>], window: &[i64]) -> StoreResult<Vec<Match>> {
    if window.is_empty() {
        return Ok(Vec::new());
    }
    // The window's ids are integers read from the database: written into the statement, they
    // let either engine read each row by its key. SQLite is told which index holds the status
    // and date (else it reads the article rows, bodies and all).
    let ids: Vec<String> = window.iter().map(|id| id.to_string()).collect();
    let articles = match db.engine() {
        Engine::Sqlite => "articles a indexed by articles_filter_by_id",
        Engine::Postgres => "articles a",
    };
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
        Engine::Sqlite => {
            sqlx::query("insert into article_search (article_search) values ('optimize')").execute(db.writer()).await?;
        }
        // Fresh statistics for the planner, and the visibility map set, so that the check of
        // each match against `articles_filter_by_id` reads the index alone (autovacuum would
        // get there, minutes or hours later).
        Engine::Postgres => {
            // The simple protocol: VACUUM runs outside any transaction, prepared or not.
            sqlx::raw_sql("vacuum (analyze) article_search, article_search_headlines, articles")
                .execute(db.writer())
                .await?;
        }
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
    fn the_walk_takes_what_the_density_seen_says_and_the_rest_when_it_is_thin() {
        let block = BLOCK_IDS;
        // Nothing in the newest block: the rest in one query.
        assert_eq!(next_slice(1001, 0, block, 121, 8), 121);
        // A common word (880 a block): one more block fills the window.
        assert_eq!(next_slice(121, 880, block, 121, 8), 1);
        // 100 a block: 12,000 left by that measure, cheaper fetched in one query.
        assert_eq!(next_slice(901, 100, block, 120, 8), 120);
        // 400 a block: 48,000 left, too many to fetch; two blocks fill it (three with margin).
        assert_eq!(next_slice(601, 400, block, 120, 8), 3);
        // The density is per id: 26 matches in the 289 ids of a block being filled is 368 a
        // block, 45,000 in the rest: four blocks, not the whole archive.
        assert_eq!(next_slice(975, 26, 289, 122, 8), 4);
        // Never more tokens than allowed, never more blocks than left.
        assert_eq!(next_slice(990, 180, block, 500, 8), 8);
        assert_eq!(next_slice(990, 180, block, 500, 32), 9);
        assert_eq!(next_slice(500, 40_000, block, 1, 8), 1);
        // Filled, or nothing left: no more queries.
        assert_eq!(next_slice(0, 1001, 3 * block, 50, 8), 0);
        assert_eq!(next_slice(10, 5, 3 * block, 0, 8), 0);
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
