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

/// Ids of matching published articles, best first, and the total number of matches.
pub async fn search(db: &Db, query: &SearchQuery, limit: i64, offset: i64) -> StoreResult<(Vec<i64>, i64)> {
    let expression = match_expression(db.engine(), &query.terms);
    if expression.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let (hits_sql, count_sql) = match db.engine() {
        // bm25 weights: title 10, lead 4, body 1, tags 6. Lower is better.
        Engine::Sqlite => (
            "select a.id from article_search s join articles a on a.id = s.rowid \
             where article_search match $1 and a.status = 'published' and ($2 = 0 or a.section_id = $2 \
                 or a.section_id in (select id from sections where parent_id = $2)) \
               and ($3 = '' or a.language = $3) and a.publish_at >= $4 and a.publish_at < $5 \
             order by bm25(article_search, 10.0, 4.0, 1.0, 6.0), a.publish_at desc limit $6 offset $7",
            "select count(*) as n from article_search s join articles a on a.id = s.rowid \
             where article_search match $1 and a.status = 'published' and ($2 = 0 or a.section_id = $2 \
                 or a.section_id in (select id from sections where parent_id = $2)) \
               and ($3 = '' or a.language = $3) and a.publish_at >= $4 and a.publish_at < $5",
        ),
        Engine::Postgres => (
            "select a.id from article_search s join articles a on a.id = s.article_id, \
                 to_tsquery('simple', $1) q \
             where s.tsv @@ q and a.status = 'published' and ($2 = 0 or a.section_id = $2 \
                 or a.section_id in (select id from sections where parent_id = $2)) \
               and ($3 = '' or a.language = $3) and a.publish_at >= $4 and a.publish_at < $5 \
             order by ts_rank_cd(s.tsv, q) desc, a.publish_at desc limit $6 offset $7",
            "select count(*) as n from article_search s join articles a on a.id = s.article_id, \
                 to_tsquery('simple', $1) q \
             where s.tsv @@ q and a.status = 'published' and ($2 = 0 or a.section_id = $2 \
                 or a.section_id in (select id from sections where parent_id = $2)) \
               and ($3 = '' or a.language = $3) and a.publish_at >= $4 and a.publish_at < $5",
        ),
    };
    let section = query.section_id.unwrap_or(0);
    let language = query.language.map(Lang::code).unwrap_or("");
    let from = query.from.unwrap_or(i64::MIN);
    let to = query.to.unwrap_or(i64::MAX);
    let rows = sqlx::query(hits_sql)
        .bind(expression.clone())
        .bind(section)
        .bind(language)
        .bind(from)
        .bind(to)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.reader())
        .await?;
    let ids = rows.iter().map(|r| col::<i64>(r, "id")).collect::<StoreResult<Vec<_>>>()?;
    let total: i64 = sqlx::query(count_sql)
        .bind(expression)
        .bind(section)
        .bind(language)
        .bind(from)
        .bind(to)
        .fetch_one(db.reader())
        .await?
        .try_get("n")?;
    Ok((ids, total))
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
