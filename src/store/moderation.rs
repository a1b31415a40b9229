//! The moderation lists admins edit, stored as one setting (the built-in lists until then, and
//! for any register added since); and what the classifier learns from: the moderators' own
//! decisions since its last reset.

use super::{Db, StoreResult, Tx, col, settings};
use crate::news::moderation::{Category, PolicyLists, default_lists, with_defaults};

const KEY: &str = "moderation.lists";
/// When an admin last reset what the classifier learned (unix ms).
const MODEL_RESET_KEY: &str = "moderation.model_reset_at";
/// The most decisions the classifier reads back at start: the newest, enough to learn a
/// newsroom's habits without slowing a start.
const MAX_LESSONS: i64 = 20_000;

/// The lists in force.
pub async fn lists(db: &Db) -> StoreResult<PolicyLists> {
    Ok(settings::get::<PolicyLists>(db, KEY).await?.map(with_defaults).unwrap_or_else(default_lists))
}

pub async fn save_lists(tx: &mut Tx, lists: &PolicyLists) -> StoreResult<()> {
    settings::put(tx, KEY, lists).await
}

/// A moderator's decision, as the classifier learns it: the text, and the ground of a refusal
/// (`None`: approved).
#[derive(Clone, Debug)]
pub struct Lesson {
    pub body: String,
    pub ground: Option<Category>,
}

/// The decisions made since the classifier's last reset, newest first (at most
/// `MAX_LESSONS`); with `ids`, only those comments' (a decision just made).
pub async fn lessons(db: &Db, ids: Option<&[i64]>) -> StoreResult<Vec<Lesson>> {
    let since = model_reset_at(db).await?;
    let rows = match ids {
        None => {
            sqlx::query(
                "select body, status, refusal_reason from comments \
                 where decided_by is not null and decided_at >= $1 and deleted_at is null \
                   and status in ('approved', 'refused', 'spam') \
                 order by decided_at desc limit $2",
            )
            .bind(since)
            .bind(MAX_LESSONS)
            .fetch_all(db.reader())
            .await?
        }
        Some(ids) => {
            let list = ids.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(", ");
            if list.is_empty() {
                return Ok(Vec::new());
            }
            // The ids are integers: written into the statement, read by key.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "select body, status, refusal_reason from comments \
                 where id in ({list}) and decided_by is not null and decided_at >= $1 and deleted_at is null \
                   and status in ('approved', 'refused', 'spam')"
            )))
            .bind(since)
            .fetch_all(db.reader())
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            let status: String = col(r, "status")?;
            let reason: Option<String> = col(r, "refusal_reason")?;
            let ground = match status.as_str() {
                "approved" => None,
                "spam" => Some(Category::Spam),
                _ => Some(reason.as_deref().and_then(Category::parse).unwrap_or(Category::Insult)),
            };
            Ok(Lesson { body: col(r, "body")?, ground })
        })
        .collect()
}

/// When the classifier last forgot what it learned (0: never).
pub async fn model_reset_at(db: &Db) -> StoreResult<i64> {
    Ok(settings::get::<i64>(db, MODEL_RESET_KEY).await?.unwrap_or(0))
}

/// Makes the classifier forget every decision before `at`.
pub async fn reset_model(tx: &mut Tx, at: i64) -> StoreResult<()> {
    settings::put(tx, MODEL_RESET_KEY, &at).await
}

/// The moderators' decisions since the classifier's last reset, against what the screening
/// had said of each comment: how often they agree, and how often the model alone flagged.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Agreement {
    pub flagged_refused: i64,
    pub flagged_approved: i64,
    pub clean_refused: i64,
    pub clean_approved: i64,
    /// Comments held by the classifier alone (no rule found anything), and of those refused.
    pub model_flagged: i64,
    pub model_refused: i64,
}

pub async fn agreement(db: &Db) -> StoreResult<Agreement> {
    let since = model_reset_at(db).await?;
    let rows = sqlx::query(
        "select status, screening from comments where decided_by is not null and decided_at >= $1 \
           and status in ('approved', 'refused', 'spam') order by decided_at desc limit $2",
    )
    .bind(since)
    .bind(MAX_LESSONS)
    .fetch_all(db.reader())
    .await?;
    let mut out = Agreement::default();
    for row in &rows {
        let status: String = col(row, "status")?;
        let screening: Option<crate::news::moderation::Screening> =
            serde_json::from_str(&col::<String>(row, "screening")?).ok();
        let refused = status != "approved";
        let flagged = screening.as_ref().is_some_and(|s| s.decision != crate::news::moderation::Decision::Clean);
        let by_model = screening
            .as_ref()
            .is_some_and(|s| !s.findings.is_empty() && s.findings.iter().all(|f| f.source.starts_with("model")));
        match (flagged, refused) {
            (true, true) => out.flagged_refused += 1,
            (true, false) => out.flagged_approved += 1,
            (false, true) => out.clean_refused += 1,
            (false, false) => out.clean_approved += 1,
        }
        out.model_flagged += i64::from(by_model);
        out.model_refused += i64::from(by_model && refused);
    }
    Ok(out)
}
