//! Full-text search over published articles: SQLite FTS5 or PostgreSQL `tsvector`, both fed
//! with the tokens `news::text` makes, so both engines match the same words.
//!
//! The index is kept in the database, updated in the transaction that changes the article:
//! every node of a multi-node site searches the same, current index.

use sqlx::Row;

use super::{Db, Engine, StoreResult, Tx, col, now_ms};
use crate::news::Lang;
use crate::news::text::{QueryTerm, index_tokens, plain_text};

/// The text of an article as the index sees it.
pub struct SearchDocument<'a> {
    pub article_id: i64,
    pub language: Lang,
    pub title: &'a str,
    pub lead: &'a str,
    pub body_html: &'a str,
    pub tags: &'a [String],
}

/// Indexes (or re-indexes) an article.
pub async fn index(tx: &mut Tx, engine: Engine, doc: &SearchDocument<'_>) -> StoreResult<()> {
    let title = index_tokens(doc.title, doc.language);
    let lead = index_tokens(doc.lead, doc.language);
    let body = index_tokens(&plain_text(doc.body_html), doc.language);
    let tags = index_tokens(&doc.tags.join(" "), doc.language);
    match engine {
        Engine::Sqlite => {
            sqlx::query("delete from article_search where rowid = $1").bind(doc.article_id).execute(&mut **tx).await?;
            sqlx::query("insert into article_search (rowid, title, lead, body, tags) values ($1, $2, $3, $4, $5)")
                .bind(doc.article_id)
                .bind(title)
                .bind(lead)
                .bind(body)
                .bind(tags)
                .execute(&mut **tx)
                .await?;
        }
        Engine::Postgres => {
            sqlx::query(
                "insert into article_search (article_id, tsv, updated_at) values ($1, \
                     setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $5), 'A') || \
                     setweight(to_tsvector('simple', $3), 'B') || setweight(to_tsvector('simple', $4), 'D'), $6) \
                 on conflict (article_id) do update set tsv = excluded.tsv, updated_at = excluded.updated_at",
            )
            .bind(doc.article_id)
            .bind(title)
            .bind(lead)
            .bind(body)
            .bind(tags)
            .bind(now_ms())
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Removes an article from the index.
pub async fn remove(tx: &mut Tx, engine: Engine, article_id: i64) -> StoreResult<()> {
    let sql = match engine {
        Engine::Sqlite => "delete from article_search where rowid = $1",
        Engine::Postgres => "delete from article_search where article_id = $1",
    };
    sqlx::query(sql).bind(article_id).execute(&mut **tx).await?;
    Ok(())
}

/// What a reader searches for.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub terms: Vec<QueryTerm>,
    pub section_id: Option<i64>,
    pub language: Option<Lang>,
    /// Unix ms, inclusive.
    pub from: Option<i64>,
    /// Unix ms, exclusive.
    pub to: Option<i64>,
}

/// The match expression: every term must match, through any of its stems. Stems hold only
/// letters and digits (news::text guarantees it), so they are safe inside either syntax.
fn match_expression(engine: Engine, terms: &[QueryTerm]) -> String {
    let groups: Vec<String> = terms
        .iter()
        .filter(|t| !t.stems.is_empty())
        .map(|t| {
            let stems: Vec<String> = t
                .stems
                .iter()
                .filter(|s| s.chars().all(char::is_alphanumeric))
                .map(|s| match engine {
                    Engine::Sqlite => format!("\"{s}\""),
                    Engine::Postgres => s.clone(),
                })
                .collect();
            match engine {
                Engine::Sqlite => format!("({})", stems.join(" OR ")),
                Engine::Postgres => format!("({})", stems.join(" | ")),
            }
        })
        .collect();
    match engine {
        Engine::Sqlite => groups.join(" AND "),
        Engine::Postgres => groups.join(" & "),
    }
}

/// How many of the newest matches are ranked. A common word matches a large part of a long
/// archive; ranking every match costs time in proportion (a quarter of a second for 30,000
/// matches). A news reader wants recent articles first anyway, so the engine walks the matches
/// newest first (article ids follow creation, which follows publication closely; the
/// importer writes old archives in publication order) and ranks the first `RANKED_WINDOW` that
/// pass the filters. Rare words match fewer than that, and are ranked over the whole archive.
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

/// Ids of matching published articles, best first, and how many matched.
pub async fn search(db: &Db, query: &SearchQuery, limit: i64, offset: i64) -> StoreResult<SearchResults> {
    let expression = match_expression(db.engine(), &query.terms);
    if expression.is_empty() {
        return Ok(SearchResults::default());
    }
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
        (i64::MIN, i64::MAX)
    };
    // One walk gives both the page and the count: the window's ids with their scores (lower
    // is better), newest first; ranking and paging the few hundred rows happens here.
    let window_sql = match db.engine() {
        // bm25 weights: title 10, lead 4, body 1, tags 6; lower is better. The filters read the
        // covering index `articles_filter_by_id`, named because the planner would otherwise
        // read the article rows, bodies and all.
        Engine::Sqlite => {
            "select s.rowid as id, bm25(article_search, 10.0, 4.0, 1.0, 6.0) as score, a.publish_at \
             from article_search s join articles a indexed by articles_filter_by_id on a.id = s.rowid \
             where article_search match $1 and s.rowid >= $6 and s.rowid <= $7 and a.status = 'published' \
               and ($2 = 0 or a.section_id = $2 or a.section_id in (select id from sections where parent_id = $2)) \
               and ($3 = '' or a.language = $3) and a.publish_at >= $4 and a.publish_at < $5 \
             order by s.rowid desc limit $8"
        }
        Engine::Postgres => {
            "select s.article_id as id, \
                 -cast(ts_rank_cd(s.tsv, to_tsquery('simple', $1)) as double precision) as score, a.publish_at \
             from article_search s join articles a on a.id = s.article_id \
             where s.tsv @@ to_tsquery('simple', $1) and s.article_id >= $6 and s.article_id <= $7 \
               and a.status = 'published' \
               and ($2 = 0 or a.section_id = $2 or a.section_id in (select id from sections where parent_id = $2)) \
               and ($3 = '' or a.language = $3) and a.publish_at >= $4 and a.publish_at < $5 \
             order by s.article_id desc limit $8"
        }
    };
    let section = query.section_id.unwrap_or(0);
    let language = query.language.map(Lang::code).unwrap_or("");
    let rows = sqlx::query(window_sql)
        .bind(expression)
        .bind(section)
        .bind(language)
        .bind(from)
        .bind(to)
        .bind(low_id)
        .bind(high_id)
        .bind(RANKED_WINDOW + 1)
        .fetch_all(db.reader())
        .await?;
    let mut window = rows
        .iter()
        .map(|r| Ok((col::<i64>(r, "id")?, col::<f64>(r, "score")?, col::<i64>(r, "publish_at")?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let more = window.len() as i64 > RANKED_WINDOW;
    window.truncate(RANKED_WINDOW as usize);
    window.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.2.cmp(&a.2)).then(b.0.cmp(&a.0)));
    let ids = window.iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).map(|w| w.0).collect();
    Ok(SearchResults { ids, total: window.len() as i64, more })
}

/// Indexes every published article that has no index row yet (after an upgrade or an import).
/// Returns how many were indexed.
pub async fn index_missing(db: &Db) -> StoreResult<usize> {
    let missing_sql = match db.engine() {
        Engine::Sqlite => {
            "select a.id from articles a where a.status = 'published' \
             and not exists (select 1 from article_search s where s.rowid = a.id) order by a.id"
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
