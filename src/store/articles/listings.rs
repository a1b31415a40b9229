//! The lists reader pages are made of: sections, tags, authors, days, the front page's
//! blocks, most read, search results' cards, sitemaps. Every list reads ids from an index
//! first and then the cards of one page (see `listing_sql!`).

use std::collections::HashMap;

use super::{ArticleCard, card_from_row, ids_json};
use crate::news::Lang;
use crate::store::dialect::ids_in_json_array;
use crate::store::{Db, StoreResult, col};

/// Filters for lists of published articles.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub section_id: Option<i64>,
    pub language: Option<Lang>,
}

/// Published articles, newest first.
pub async fn published(db: &Db, filter: &ListFilter, limit: i64, offset: i64) -> StoreResult<Vec<ArticleCard>> {
    let rows = sqlx::query(concat!(
        card_select!(),
        card_from!(),
        " where a.status = 'published' and ($1 = 0 or a.section_id = $1) and ($2 = '' or a.language = $2) \
          order by a.publish_at desc, a.id desc limit $3 offset $4"
    ))
    .bind(filter.section_id.unwrap_or(0))
    .bind(filter.language.map(Lang::code).unwrap_or(""))
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(card_from_row).collect()
}

/// How many published articles match the filter.
pub async fn count_published(db: &Db, filter: &ListFilter) -> StoreResult<i64> {
    let row = sqlx::query(
        "select count(*) as n from articles a where a.status = 'published' \
         and ($1 = 0 or a.section_id = $1) and ($2 = '' or a.language = $2)",
    )
    .bind(filter.section_id.unwrap_or(0))
    .bind(filter.language.map(Lang::code).unwrap_or(""))
    .fetch_one(db.reader())
    .await?;
    col(&row, "n")
}

/// Which published articles a reader list shows (always in one language).
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    All,
    /// A section and its sub-sections.
    Section(i64),
    Tag(i64),
    Author(i64),
    /// Published in `[from, to)` (unix ms): a day's issue.
    Between(i64, i64),
}

/// Ids first, from the indexes alone, then the cards of that page: written as one query with
/// the joins outside, SQLite's planner would start from `sections` and sort every article of
/// the language (225 ms on a 50,000-article archive, against 0.3 ms this way).
macro_rules! listing_sql {
    ($extra:literal) => {
        concat!(
            card_select!(),
            card_from!(),
            " join (select a.id from articles a where a.status = 'published' and a.language = $1",
            $extra,
            " order by a.publish_at desc, a.id desc limit $2 offset $3) as page on page.id = a.id \
             order by a.publish_at desc, a.id desc"
        )
    };
}

macro_rules! count_sql {
    ($extra:literal) => {
        concat!("select count(*) as n from articles a where a.status = 'published' and a.language = $1", $extra)
    };
}

/// A page of a reader list, newest first.
pub async fn listing(db: &Db, lang: Lang, scope: Scope, limit: i64, offset: i64) -> StoreResult<Vec<ArticleCard>> {
    let base = |sql: &'static str| sqlx::query(sql).bind(lang.code()).bind(limit).bind(offset);
    let query = match scope {
        Scope::All => base(listing_sql!("")),
        Scope::Section(id) => return section_listing(db, lang, id, limit, offset).await,
        Scope::Tag(id) => {
            base(listing_sql!(" and a.id in (select article_id from article_tags where tag_id = $4)")).bind(id)
        }
        Scope::Author(id) => {
            base(listing_sql!(" and a.id in (select article_id from article_authors where user_id = $4)")).bind(id)
        }
        Scope::Between(from, to) => {
            base(listing_sql!(" and a.publish_at >= $4 and a.publish_at < $5")).bind(from).bind(to)
        }
    };
    let rows = query.fetch_all(db.reader()).await?;
    rows.iter().map(card_from_row).collect()
}

/// A section and its sub-sections, the section first.
pub async fn section_family(db: &Db, section_id: i64) -> StoreResult<Vec<i64>> {
    let rows =
        sqlx::query("select id from sections where id = $1 or parent_id = $1 order by parent_id is not null, id")
            .bind(section_id)
            .fetch_all(db.reader())
            .await?;
    rows.iter().map(|r| col(r, "id")).collect()
}

/// The ids (with their publication times) of the newest `take` published articles of a family
/// of sections, language `$1`. Each section is read in the order of its
/// (section, language, status, publish_at) index and stops after `take` rows, then the
/// branches are merged: a filter like `section_id in (…)` would make the engine collect and
/// sort every article of the family instead, reading each row (on SQLite, through the body's
/// overflow pages), which took most of a second per front page on a 50,000-article archive.
/// The ids are integers from our own table: nothing from a request reaches this text.
fn newest_ids_sql(family: &[i64], take: i64) -> String {
    let branch = |id: i64| {
        format!(
            "select id, publish_at from articles where status = 'published' and language = $1 \
             and section_id = {id} order by publish_at desc, id desc limit {take}"
        )
    };
    match family {
        [one] => branch(*one),
        _ => {
            let branches: Vec<String> =
                family.iter().map(|id| format!("select * from ({}) as f{id}", branch(*id))).collect();
            format!(
                "select id, publish_at from ({}) as family order by publish_at desc, id desc limit {take}",
                branches.join(" union all ")
            )
        }
    }
}

/// A page of a section's list (sub-sections included), newest first.
async fn section_listing(
    db: &Db,
    lang: Lang,
    section_id: i64,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<ArticleCard>> {
    let family = section_family(db, section_id).await?;
    family_listing(db, lang, &family, limit, offset).await
}

/// An article page's two side lists in one query: the `take` newest articles of a family of
/// sections (`PageParts::family`) and the `take` newest of the language, each newest first.
/// Each branch reads its ids on the listing indexes, as `family_listing` and `listing` do.
pub async fn side_lists(
    db: &Db,
    lang: Lang,
    family: &[i64],
    take: i64,
) -> StoreResult<(Vec<ArticleCard>, Vec<ArticleCard>)> {
    let take = take.max(0);
    let same = if family.is_empty() {
        "select id, publish_at from articles where 1 = 0".to_string()
    } else {
        newest_ids_sql(family, take)
    };
    // `take` and the family's ids are integers: nothing from a request reaches this text.
    let sql = format!(
        "select 'same' as list, {columns}{from} join ({same}) as page on page.id = a.id \
         union all \
         select 'others' as list, {columns}{from} join (select a.id from articles a \
             where a.status = 'published' and a.language = $1 \
             order by a.publish_at desc, a.id desc limit {take}) as page on page.id = a.id",
        columns = card_columns!(),
        from = card_from!(),
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(lang.code()).fetch_all(db.reader()).await?;
    let (mut same, mut others) = (Vec::new(), Vec::new());
    for row in &rows {
        let list: String = col(row, "list")?;
        let card = card_from_row(row)?;
        if list == "same" { same.push(card) } else { others.push(card) }
    }
    for cards in [&mut same, &mut others] {
        cards.sort_by(|a, b| b.publish_at.cmp(&a.publish_at).then(b.id.cmp(&a.id)));
    }
    Ok((same, others))
}

/// A page of the list of a family of sections (`section_family`, or `PageParts::family`),
/// newest first.
pub async fn family_listing(
    db: &Db,
    lang: Lang,
    family: &[i64],
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<ArticleCard>> {
    if family.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{}{} join (select id from ({}) as newest order by publish_at desc, id desc limit $2 offset $3) as page \
           on page.id = a.id order by a.publish_at desc, a.id desc",
        card_select!(),
        card_from!(),
        newest_ids_sql(family, limit.max(0) + offset.max(0))
    );
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(lang.code()).bind(limit).bind(offset).fetch_all(db.reader()).await?;
    rows.iter().map(card_from_row).collect()
}

/// How many articles a reader list has, for its page links.
pub async fn count_listing(db: &Db, lang: Lang, scope: Scope) -> StoreResult<i64> {
    let base = |sql: &'static str| sqlx::query(sql).bind(lang.code());
    let query = match scope {
        Scope::All => base(count_sql!("")),
        Scope::Section(id) => return count_family(db, lang, &section_family(db, id).await?).await,
        Scope::Tag(id) => {
            base(count_sql!(" and a.id in (select article_id from article_tags where tag_id = $2)")).bind(id)
        }
        Scope::Author(id) => {
            base(count_sql!(" and a.id in (select article_id from article_authors where user_id = $2)")).bind(id)
        }
        Scope::Between(from, to) => {
            base(count_sql!(" and a.publish_at >= $2 and a.publish_at < $3")).bind(from).bind(to)
        }
    };
    col(&query.fetch_one(db.reader()).await?, "n")
}

/// How many published articles of `lang` a family of sections (`section_family`, or
/// `PageParts::family`) has. Each section is counted on its (section, language, status) index
/// and the counts added: with `section_id = $2 or section_id in (…)` PostgreSQL scanned the
/// whole table (a fifth of a second on 500,000 articles). The ids are integers from our own
/// table.
pub async fn count_family(db: &Db, lang: Lang, family: &[i64]) -> StoreResult<i64> {
    if family.is_empty() {
        return Ok(0);
    }
    let counts: Vec<String> = family
        .iter()
        .map(|section| {
            format!("(select count(*) from articles where section_id = {section} and language = $1 and status = 'published')")
        })
        .collect();
    let sql = format!("select {} as n", counts.join(" + "));
    col(&sqlx::query(sqlx::AssertSqlSafe(sql)).bind(lang.code()).fetch_one(db.reader()).await?, "n")
}

/// The lead story and the featured stories editors placed on the front page, in their order.
pub async fn front_placed(db: &Db, lang: Lang) -> StoreResult<Vec<ArticleCard>> {
    let rows = sqlx::query(concat!(
        card_select!(),
        card_from!(),
        " where a.status = 'published' and a.language = $1 and a.front_position is not null \
          order by a.front_position, a.publish_at desc limit 12"
    ))
    .bind(lang.code())
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(card_from_row).collect()
}

/// The newest `per` articles of each family of sections (a section and its sub-sections), in
/// one query: every section read in its index order (see `newest_ids_sql`), then the cards of
/// the few ids found. Returns, for each card, the first id of the family it was found for.
pub async fn newest_per_section(
    db: &Db,
    lang: Lang,
    families: &[Vec<i64>],
    per: i64,
) -> StoreResult<Vec<(i64, ArticleCard)>> {
    let branches: Vec<String> = families
        .iter()
        .filter_map(|family| {
            let top = *family.first()?;
            Some(format!("select {top} as family, id from ({}) as s{top}", newest_ids_sql(family, per)))
        })
        .collect();
    if branches.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{}, picked.family{} join ({}) as picked on picked.id = a.id order by picked.family, a.publish_at desc, a.id desc",
        card_select!(),
        card_from!(),
        branches.join(" union all ")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(lang.code()).fetch_all(db.reader()).await?;
    rows.iter().map(|r| Ok((col(r, "family")?, card_from_row(r)?))).collect()
}

/// The most read articles since `day` (local day number), with their reads in that period.
pub async fn most_read_since(db: &Db, lang: Lang, day: i64, limit: i64) -> StoreResult<Vec<(ArticleCard, i64)>> {
    let rows = sqlx::query(concat!(
        card_select!(),
        ", r.period_reads",
        card_from!(),
        " join (select article_id, cast(sum(reads) as bigint) as period_reads from article_daily_stats \
               where day >= $2 group by article_id) r on r.article_id = a.id \
          where a.status = 'published' and a.language = $1 \
          order by r.period_reads desc, a.publish_at desc limit $3"
    ))
    .bind(lang.code())
    .bind(day)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| Ok((card_from_row(r)?, col(r, "period_reads")?))).collect()
}

/// Published cards by id, in the order of `ids` (search results).
pub async fn cards_by_ids(db: &Db, ids: &[i64]) -> StoreResult<Vec<ArticleCard>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(card_select!(), card_from!(), " where a.status = 'published' and a.id in ({})"),
        ids_in_json_array(db.engine())
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ids_json(ids)).fetch_all(db.reader()).await?;
    let mut cards: Vec<ArticleCard> = rows.iter().map(card_from_row).collect::<StoreResult<_>>()?;
    cards.sort_by_key(|c| ids.iter().position(|id| *id == c.id).unwrap_or(usize::MAX));
    Ok(cards)
}

/// The plain text of articles, for search snippets: (id, language, lead, body_html).
pub async fn texts_by_ids(db: &Db, ids: &[i64]) -> StoreResult<HashMap<i64, (String, String)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("select id, lead, body_html from articles where id in ({})", ids_in_json_array(db.engine()));
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ids_json(ids)).fetch_all(db.reader()).await?;
    rows.iter().map(|r| Ok((col(r, "id")?, (col(r, "lead")?, col(r, "body_html")?)))).collect()
}

/// Published articles for sitemaps: (section slug, slug, last change), by id range.
pub async fn sitemap_entries(db: &Db, from_id: i64, to_id: i64) -> StoreResult<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "select s.slug as section_slug, a.slug, coalesce(a.content_updated_at, a.publish_at, a.updated_at) as changed \
         from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' and a.id > $1 and a.id <= $2 order by a.id",
    )
    .bind(from_id)
    .bind(to_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| Ok((col(r, "section_slug")?, col(r, "slug")?, col(r, "changed")?))).collect()
}

/// The highest article id (sitemap chunks are id ranges).
pub async fn max_id(db: &Db) -> StoreResult<i64> {
    col(&sqlx::query("select coalesce(max(id), 0) as n from articles").fetch_one(db.reader()).await?, "n")
}

/// Published since `since` (unix ms), all languages, newest first: the Google News sitemap.
pub async fn published_since(db: &Db, since: i64, limit: i64) -> StoreResult<Vec<ArticleCard>> {
    let rows = sqlx::query(concat!(
        card_select!(),
        card_from!(),
        " where a.status = 'published' and a.publish_at >= $1 order by a.publish_at desc limit $2"
    ))
    .bind(since)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(card_from_row).collect()
}
