//! Reader comments. The author's e-mail is stored for notifications and legal requests and is
//! never part of a value that pages or the API render: [`PublicComment`] has no such field.

use serde::Serialize;

use super::{Db, StoreResult, Tx, col, now_ms};
use crate::news::CommentStatus;

/// A new comment, already screened.
#[derive(Clone, Debug)]
pub struct NewComment {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_website: String,
    pub body: String,
    pub language: String,
    pub status: CommentStatus,
    pub refusal_reason: Option<String>,
    pub screening: String,
    pub ip_hash: String,
    pub created_at: Option<i64>,
}

pub async fn insert(tx: &mut Tx, comment: &NewComment) -> StoreResult<i64> {
    let now = now_ms();
    let created_at = comment.created_at.unwrap_or(now);
    let decided_at = if comment.status == CommentStatus::Pending { None } else { Some(created_at) };
    let row = sqlx::query(
        "insert into comments (article_id, parent_id, author_name, author_email, author_website, body, language, \
             status, refusal_reason, screening, ip_hash, decided_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) returning id",
    )
    .bind(comment.article_id)
    .bind(comment.parent_id)
    .bind(comment.author_name.clone())
    .bind(comment.author_email.clone())
    .bind(comment.author_website.clone())
    .bind(comment.body.clone())
    .bind(comment.language.clone())
    .bind(comment.status.as_str())
    .bind(comment.refusal_reason.clone())
    .bind(comment.screening.clone())
    .bind(comment.ip_hash.clone())
    .bind(decided_at)
    .bind(created_at)
    .fetch_one(&mut **tx)
    .await?;
    col(&row, "id")
}

/// A comment as readers see it: no e-mail, no address hash.
#[derive(Clone, Debug, Serialize)]
pub struct PublicComment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_website: String,
    pub body: String,
    pub language: String,
    pub deleted: bool,
    pub created_at: i64,
}

/// Approved comments of an article, oldest first.
pub async fn approved_for_article(db: &Db, article_id: i64) -> StoreResult<Vec<PublicComment>> {
    let rows = sqlx::query(
        "select id, parent_id, author_name, author_website, body, language, deleted_at, created_at from comments \
         where article_id = $1 and status = 'approved' order by created_at, id",
    )
    .bind(article_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PublicComment {
                id: col(row, "id")?,
                parent_id: col(row, "parent_id")?,
                author_name: col(row, "author_name")?,
                author_website: web_link(col(row, "author_website")?),
                body: col(row, "body")?,
                language: col(row, "language")?,
                deleted: col::<Option<i64>>(row, "deleted_at")?.is_some(),
                created_at: col(row, "created_at")?,
            })
        })
        .collect()
}

/// A commenter's website as a link target: only an http(s) address (the form accepts nothing
/// else, but an import or an older version may have stored something else); otherwise none.
fn web_link(website: String) -> String {
    let lower = website.trim().to_ascii_lowercase();
    let host = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    if host.is_some_and(|h| !h.is_empty()) { website.trim().to_string() } else { String::new() }
}

/// Comments by status, for `gazette check` and the moderation counter.
pub async fn count_by_status(db: &Db, status: CommentStatus) -> StoreResult<i64> {
    let row = sqlx::query("select count(*) as n from comments where status = $1")
        .bind(status.as_str())
        .fetch_one(db.reader())
        .await?;
    col(&row, "n")
}

/// A comment as the moderation queue shows it (with the e-mail: moderators need it for
/// legal requests and bans, and it never leaves the newsroom).
#[derive(Clone, Debug, Serialize)]
pub struct QueueItem {
    pub id: i64,
    pub article_id: i64,
    pub article_title: String,
    pub article_path: String,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_website: String,
    pub body: String,
    pub language: String,
    pub status: String,
    pub refusal_reason: Option<String>,
    pub screening: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub decided_by_name: Option<String>,
    /// Readers' reports since the last decision: (ground, how many).
    pub reports: Vec<(String, i64)>,
}

/// What the queue lists.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub status: Option<CommentStatus>,
    /// A refusal reason, or a category the screening flagged.
    pub reason: String,
    pub article_id: Option<i64>,
    pub language: String,
    /// Only comments readers reported since the last decision.
    pub reported: bool,
}

/// The conditions of the queue's filters, on `c` (comments): `$1` status, `$2` a reason as it
/// appears in the screening, `$3` article, `$4` language, `$5` refusal reason, `$6` reported.
const QUEUE_WHERE: &str = "c.deleted_at is null and ($1 = '' or c.status = $1) \
    and ($2 = '' or c.refusal_reason = $5 or c.screening like $2) \
    and ($3 = 0 or c.article_id = $3) and ($4 = '' or c.language = $4) \
    and ($6 = 0 or exists (select 1 from comment_reports r where r.comment_id = c.id and r.created_at >= coalesce(c.decided_at, 0)))";

fn bind_queue<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    filter: &QueueFilter,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let reason_like = if filter.reason.is_empty() { String::new() } else { format!("%\"{}\"%", filter.reason) };
    query
        .bind(filter.status.map(CommentStatus::as_str).unwrap_or(""))
        .bind(reason_like)
        .bind(filter.article_id.unwrap_or(0))
        .bind(filter.language.clone())
        .bind(filter.reason.clone())
        .bind(i64::from(filter.reported))
}

/// How many comments the queue's filters select.
pub async fn count_queue(db: &Db, filter: &QueueFilter) -> StoreResult<i64> {
    let sql = format!("select count(*) as n from comments c where {QUEUE_WHERE}");
    let row = bind_queue(sqlx::query(sqlx::AssertSqlSafe(sql)), filter).fetch_one(db.reader()).await?;
    col(&row, "n")
}

/// A page of the queue: waiting comments oldest first, decided ones newest first; with the
/// readers' reports of each.
pub async fn queue(db: &Db, filter: &QueueFilter, limit: i64, offset: i64) -> StoreResult<Vec<QueueItem>> {
    let sql = format!(
        "select c.id, c.article_id, a.title as article_title, s.slug as section_slug, a.slug as article_slug, c.parent_id, \
             c.author_name, c.author_email, c.author_website, c.body, c.language, c.status, c.refusal_reason, c.screening, \
             c.created_at, c.decided_at, u.name as decided_by_name \
         from comments c join articles a on a.id = c.article_id join sections s on s.id = a.section_id \
         left join users u on u.id = c.decided_by \
         where {QUEUE_WHERE} \
         order by case when c.status = 'pending' then c.created_at else -c.created_at end, c.id limit $7 offset $8"
    );
    let rows = bind_queue(sqlx::query(sqlx::AssertSqlSafe(sql)), filter)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.reader())
        .await?;
    let mut items = rows
        .iter()
        .map(|row| {
            Ok(QueueItem {
                id: col(row, "id")?,
                article_id: col(row, "article_id")?,
                article_title: col(row, "article_title")?,
                article_path: format!(
                    "/{}/{}",
                    col::<String>(row, "section_slug")?,
                    col::<String>(row, "article_slug")?
                ),
                parent_id: col(row, "parent_id")?,
                author_name: col(row, "author_name")?,
                author_email: col(row, "author_email")?,
                author_website: col(row, "author_website")?,
                body: col(row, "body")?,
                language: col(row, "language")?,
                status: col(row, "status")?,
                refusal_reason: col(row, "refusal_reason")?,
                screening: col(row, "screening")?,
                created_at: col(row, "created_at")?,
                decided_at: col(row, "decided_at")?,
                decided_by_name: col(row, "decided_by_name")?,
                reports: Vec::new(),
            })
        })
        .collect::<StoreResult<Vec<QueueItem>>>()?;
    let mut reports = reports_for(db, &items.iter().map(|i| i.id).collect::<Vec<_>>()).await?;
    for item in &mut items {
        item.reports = reports.remove(&item.id).unwrap_or_default();
    }
    Ok(items)
}

/// The reports since the last decision of each comment: (ground, how many), by comment.
async fn reports_for(db: &Db, ids: &[i64]) -> StoreResult<std::collections::HashMap<i64, Vec<(String, i64)>>> {
    let mut out: std::collections::HashMap<i64, Vec<(String, i64)>> = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    // The ids are integers read from the database: written into the statement.
    let list = ids.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select r.comment_id, r.reason, count(*) as n from comment_reports r join comments c on c.id = r.comment_id \
         where r.comment_id in ({list}) and r.created_at >= coalesce(c.decided_at, 0) \
         group by r.comment_id, r.reason order by r.comment_id, n desc"
    )))
    .fetch_all(db.reader())
    .await?;
    for row in &rows {
        out.entry(col(row, "comment_id")?).or_default().push((col(row, "reason")?, col(row, "n")?));
    }
    Ok(out)
}

/// A published comment as readers see it, with its article.
pub async fn published_by_id(db: &Db, id: i64) -> StoreResult<Option<(PublicComment, i64)>> {
    let row = sqlx::query(
        "select id, parent_id, author_name, author_website, body, language, created_at, article_id from comments \
         where id = $1 and status = 'approved' and deleted_at is null",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    row.map(|r| {
        Ok((
            PublicComment {
                id: col(&r, "id")?,
                parent_id: col(&r, "parent_id")?,
                author_name: col(&r, "author_name")?,
                author_website: col(&r, "author_website")?,
                body: col(&r, "body")?,
                language: col(&r, "language")?,
                deleted: false,
                created_at: col(&r, "created_at")?,
            },
            col(&r, "article_id")?,
        ))
    })
    .transpose()
}

/// What became of a reader's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reported {
    /// Counted: the comment's reports from different addresses since its last decision.
    Counted(i64),
    /// This address had reported this comment already.
    Already,
    /// No such published comment.
    NotPublished,
}

/// Records a reader's report of a published comment.
pub async fn report(tx: &mut Tx, comment_id: i64, reason: &str, ip_hash: &str, now: i64) -> StoreResult<Reported> {
    let published =
        sqlx::query("select decided_at from comments where id = $1 and status = 'approved' and deleted_at is null")
            .bind(comment_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(published) = published else { return Ok(Reported::NotPublished) };
    let decided_at: Option<i64> = col(&published, "decided_at")?;
    let done = sqlx::query(
        "insert into comment_reports (comment_id, reason, ip_hash, created_at, updated_at) values ($1, $2, $3, $4, $4) \
         on conflict (comment_id, ip_hash) do nothing",
    )
    .bind(comment_id)
    .bind(reason.to_string())
    .bind(ip_hash.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(Reported::Already);
    }
    let row = sqlx::query("select count(*) as n from comment_reports where comment_id = $1 and created_at >= $2")
        .bind(comment_id)
        .bind(decided_at.unwrap_or(0))
        .fetch_one(&mut **tx)
        .await?;
    Ok(Reported::Counted(col(&row, "n")?))
}

/// How many reports an address sent since `since` (the rate limit).
pub async fn reports_by_address_since(db: &Db, ip_hash: &str, since: i64) -> StoreResult<i64> {
    let row = sqlx::query("select count(*) as n from comment_reports where ip_hash = $1 and created_at >= $2")
        .bind(ip_hash.to_string())
        .bind(since)
        .fetch_one(db.reader())
        .await?;
    col(&row, "n")
}

/// Takes a reported comment off its page until a moderator decides; its article, when it was
/// published.
pub async fn hide_reported(tx: &mut Tx, comment_id: i64, now: i64) -> StoreResult<Option<i64>> {
    let row = sqlx::query(
        "update comments set status = 'pending', updated_at = $2 where id = $1 and status = 'approved' returning article_id",
    )
    .bind(comment_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| col(&r, "article_id")).transpose()
}

/// A moderator's decision. Returns the comment's article and earlier status, or `None`
/// when there is no such comment.
pub async fn decide(
    tx: &mut Tx,
    id: i64,
    status: CommentStatus,
    reason: Option<&str>,
    user_id: i64,
) -> StoreResult<Option<(i64, String)>> {
    let before = sqlx::query("select article_id, status from comments where id = $1 and deleted_at is null")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(before) = before else { return Ok(None) };
    let now = now_ms();
    sqlx::query(
        "update comments set status = $2, refusal_reason = $3, decided_at = $4, decided_by = $5, updated_at = $4 where id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(reason.map(str::to_string))
    .bind(now)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(Some((col(&before, "article_id")?, col(&before, "status")?)))
}

/// The keyed hash of the address a comment came from (to ban the address).
pub async fn address_hash_of(tx: &mut Tx, id: i64) -> StoreResult<Option<String>> {
    let row = sqlx::query("select ip_hash from comments where id = $1").bind(id).fetch_optional(&mut **tx).await?;
    row.map(|r| col(&r, "ip_hash")).transpose()
}

/// A comment's author e-mail, language and article, for mails about it.
pub async fn author_of(db: &Db, id: i64) -> StoreResult<Option<(String, String, i64, String)>> {
    let row = sqlx::query("select author_email, author_name, article_id, language from comments where id = $1")
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| Ok((col(&r, "author_email")?, col(&r, "author_name")?, col(&r, "article_id")?, col(&r, "language")?)))
        .transpose()
}

/// Whether a commenter may post now: bans first, then the rate limits, counted in the
/// database so that every node agrees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostingVerdict {
    Allowed,
    /// The e-mail or the address is banned.
    Banned,
    /// Too many comments from this address in ten minutes, or from this e-mail in an hour.
    TooMany,
}

/// Who is posting, as the limits count them.
#[derive(Clone, Copy, Debug)]
pub struct Poster<'a> {
    pub ip_hash: &'a str,
    pub email: &'a str,
    pub email_hash: &'a str,
}

/// The site's rate limits for comments.
#[derive(Clone, Copy, Debug)]
pub struct PostingLimits {
    pub per_address_per_10_min: i64,
    pub per_email_per_hour: i64,
}

const POSTING_COUNTS: &str = "select \
       (select count(*) from comment_bans where ((kind = 'email' and value_hash = $3) or (kind = 'address' and value_hash = $1)) \
            and (until is null or until > $4)) as banned, \
       (select count(*) from comments where ip_hash = $1 and created_at >= $5) as by_address, \
       (select count(*) from comments where author_email = $2 and created_at >= $6) as by_email";

async fn posting_counts<'e, E>(
    executor: E,
    poster: Poster<'_>,
    limits: PostingLimits,
    now: i64,
) -> StoreResult<PostingVerdict>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(POSTING_COUNTS)
        .bind(poster.ip_hash.to_string())
        .bind(poster.email.to_string())
        .bind(poster.email_hash.to_string())
        .bind(now)
        .bind(now - 10 * 60_000)
        .bind(now - 3_600_000)
        .fetch_one(executor)
        .await?;
    Ok(if col::<i64>(&row, "banned")? > 0 {
        PostingVerdict::Banned
    } else if col::<i64>(&row, "by_address")? >= limits.per_address_per_10_min
        || col::<i64>(&row, "by_email")? >= limits.per_email_per_hour
    {
        PostingVerdict::TooMany
    } else {
        PostingVerdict::Allowed
    })
}

/// The verdict before any writing: turns most of a flood away without the write lock.
pub async fn posting_verdict(
    db: &Db,
    poster: Poster<'_>,
    limits: PostingLimits,
    now: i64,
) -> StoreResult<PostingVerdict> {
    posting_counts(db.reader(), poster, limits, now).await
}

/// The same verdict inside the transaction that will insert the comment, after taking the
/// address's turn: concurrent posts from one address are counted one after the other, so a
/// burst cannot slip past the limit between the count and the insert. SQLite's write
/// transaction already runs alone; PostgreSQL takes a transaction-scoped advisory lock on the
/// address hash (held by every node, released at commit).
pub async fn posting_verdict_locked(
    tx: &mut Tx,
    poster: Poster<'_>,
    limits: PostingLimits,
    now: i64,
) -> StoreResult<PostingVerdict> {
    if let Some(lock) = super::dialect::named_lock(super::engine_of(tx)) {
        sqlx::query(lock).bind(format!("comments:{}", poster.ip_hash)).fetch_one(&mut **tx).await?;
    }
    posting_counts(&mut **tx, poster, limits, now).await
}

/// True when the same text was posted since `since` (copy-paste floods).
pub async fn same_text_since(db: &Db, body: &str, since: i64) -> StoreResult<bool> {
    let row = sqlx::query("select count(*) as n from comments where created_at >= $2 and body = $1")
        .bind(body.to_string())
        .bind(since)
        .fetch_one(db.reader())
        .await?;
    Ok(col::<i64>(&row, "n")? > 0)
}

/// True when this e-mail already has an approved comment (trust) and it was not withdrawn.
pub async fn is_trusted(db: &Db, email: &str, email_hash: &str) -> StoreResult<bool> {
    let row = sqlx::query(
        "select (select count(*) from comments where author_email = $1 and status = 'approved' and deleted_at is null) as approved, \
                (select count(*) from comment_bans where kind = 'distrust' and value_hash = $2) as withdrawn",
    )
    .bind(email.to_string())
    .bind(email_hash.to_string())
    .fetch_one(db.reader())
    .await?;
    Ok(col::<i64>(&row, "approved")? > 0 && col::<i64>(&row, "withdrawn")? == 0)
}

/// Bans an e-mail or address hash until a time, or withdraws a commenter's trust.
pub async fn ban(
    tx: &mut Tx,
    kind: &str,
    value_hash: &str,
    until: Option<i64>,
    reason: &str,
    by: i64,
) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query(
        "insert into comment_bans (kind, value_hash, until, reason, created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(kind.to_string())
    .bind(value_hash.to_string())
    .bind(until)
    .bind(reason.to_string())
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A comment the thread may reply to: approved, of this article, and its top-level comment.
pub async fn reply_target(db: &Db, article_id: i64, parent_id: i64) -> StoreResult<Option<i64>> {
    let row =
        sqlx::query("select id, parent_id from comments where id = $1 and article_id = $2 and status = 'approved'")
            .bind(parent_id)
            .bind(article_id)
            .fetch_optional(db.reader())
            .await?;
    // Threads are two levels deep: a reply to a reply hangs on the same top comment.
    row.map(|r| col::<Option<i64>>(&r, "parent_id").map(|p| p.unwrap_or(parent_id))).transpose()
}

/// Approved comments of an article after `since`, for notifications.
pub async fn approved_since(db: &Db, article_id: i64, since: i64) -> StoreResult<Vec<(i64, String, String, String)>> {
    let rows = sqlx::query(
        "select id, author_name, author_email, body from comments where article_id = $1 and status = 'approved' \
         and deleted_at is null and decided_at > $2 order by decided_at, id",
    )
    .bind(article_id)
    .bind(since)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| Ok((col(r, "id")?, col(r, "author_name")?, col(r, "author_email")?, col(r, "body")?))).collect()
}

/// A subscription to an article's new comments.
#[derive(Clone, Debug)]
pub struct Subscription {
    pub id: i64,
    pub article_id: i64,
    pub email: String,
    pub confirmed: bool,
    pub confirm_token: String,
    pub unsubscribe_token: String,
    pub last_notified_at: Option<i64>,
    pub created_at: i64,
}

fn subscription_from(row: &sqlx::any::AnyRow) -> StoreResult<Subscription> {
    Ok(Subscription {
        id: col(row, "id")?,
        article_id: col(row, "article_id")?,
        email: col(row, "email")?,
        confirmed: col::<i64>(row, "confirmed")? != 0,
        confirm_token: col(row, "confirm_token")?,
        unsubscribe_token: col(row, "unsubscribe_token")?,
        last_notified_at: col(row, "last_notified_at")?,
        created_at: col(row, "created_at")?,
    })
}

macro_rules! subscription_columns {
    () => {
        "id, article_id, email, confirmed, confirm_token, unsubscribe_token, last_notified_at, created_at"
    };
}

/// Subscribes an e-mail to an article, unconfirmed; returns the subscription unless it was
/// already confirmed (then no new confirmation mail is due).
pub async fn subscribe(tx: &mut Tx, article_id: i64, email: &str) -> StoreResult<Option<Subscription>> {
    let now = now_ms();
    let existing = sqlx::query(concat!(
        "select ",
        subscription_columns!(),
        " from comment_subscriptions where article_id = $1 and email = $2"
    ))
    .bind(article_id)
    .bind(email.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = existing {
        let sub = subscription_from(&row)?;
        return Ok((!sub.confirmed).then_some(sub));
    }
    let row = sqlx::query(concat!(
        "insert into comment_subscriptions (article_id, email, confirmed, confirm_token, unsubscribe_token, created_at, updated_at) \
         values ($1, $2, 0, $3, $4, $5, $5) returning ",
        subscription_columns!()
    ))
    .bind(article_id)
    .bind(email.to_string())
    .bind(crate::secrets::random_token(20))
    .bind(crate::secrets::random_token(20))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some(subscription_from(&row)?))
}

pub async fn subscription_by_token(db: &Db, token: &str) -> StoreResult<Option<Subscription>> {
    let row = sqlx::query(concat!(
        "select ",
        subscription_columns!(),
        " from comment_subscriptions where confirm_token = $1 or unsubscribe_token = $1"
    ))
    .bind(token.to_string())
    .fetch_optional(db.reader())
    .await?;
    row.as_ref().map(subscription_from).transpose()
}

/// Confirms a subscription from its confirmation token; notifications start from now.
pub async fn confirm_subscription(tx: &mut Tx, token: &str) -> StoreResult<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "update comment_subscriptions set confirmed = 1, confirmed_at = $2, last_notified_at = $2, updated_at = $2 \
         where confirm_token = $1 and confirmed = 0",
    )
    .bind(token.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends a subscription from its unsubscribe token.
pub async fn unsubscribe(tx: &mut Tx, token: &str) -> StoreResult<bool> {
    let done = sqlx::query("delete from comment_subscriptions where unsubscribe_token = $1")
        .bind(token.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Confirmed subscriptions of an article.
pub async fn subscribers(db: &Db, article_id: i64) -> StoreResult<Vec<Subscription>> {
    let rows = sqlx::query(concat!(
        "select ",
        subscription_columns!(),
        " from comment_subscriptions where article_id = $1 and confirmed = 1 order by id"
    ))
    .bind(article_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(subscription_from).collect()
}

pub async fn mark_notified(tx: &mut Tx, subscription_id: i64, at: i64) -> StoreResult<()> {
    sqlx::query("update comment_subscriptions set last_notified_at = $2, updated_at = $2 where id = $1")
        .bind(subscription_id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Starts a request to erase everything an e-mail wrote; returns the confirmation token.
pub async fn request_erasure(tx: &mut Tx, email: &str, ttl_ms: i64) -> StoreResult<String> {
    let now = now_ms();
    let token = crate::secrets::random_token(24);
    sqlx::query(
        "insert into erasure_requests (token_hash, email, expires_at, created_at, updated_at) values ($1, $2, $3, $4, $4)",
    )
    .bind(crate::secrets::hash_token(&token))
    .bind(email.to_string())
    .bind(now + ttl_ms)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Carries out a confirmed erasure: every comment of the e-mail loses its text, name, e-mail,
/// website and address hash; subscriptions end. Threads keep a stub where replies hang on
/// it. Returns the number of comments erased, or `None` for an unknown or expired token.
pub async fn erase(tx: &mut Tx, token: &str) -> StoreResult<Option<u64>> {
    let now = now_ms();
    let row = sqlx::query(
        "select email from erasure_requests where token_hash = $1 and confirmed_at is null and expires_at > $2",
    )
    .bind(crate::secrets::hash_token(token))
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let email: String = col(&row, "email")?;
    let done = sqlx::query(
        "update comments set body = '', author_name = '', author_email = '', author_website = '', ip_hash = '', \
             screening = '{}', deleted_at = $2, updated_at = $2 where author_email = $1",
    )
    .bind(email.clone())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("delete from comment_subscriptions where email = $1").bind(email.clone()).execute(&mut **tx).await?;
    sqlx::query("update erasure_requests set confirmed_at = $2, email = '', updated_at = $2 where token_hash = $1")
        .bind(crate::secrets::hash_token(token))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(Some(done.rows_affected()))
}

/// Moderators, editors and admins who should hear about the queue.
pub async fn moderators(db: &Db) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "select email, name from users where role in ('admin', 'editor', 'moderator') and disabled = 0 order by id",
    )
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| Ok((col(r, "email")?, col(r, "name")?))).collect()
}
