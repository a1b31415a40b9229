//! An article's life: created, saved (every save a revision), submitted for review, scheduled,
//! published, unpublished, back to draft. Each status change enqueues what it implies (the
//! publication job of a scheduled article, in the same transaction), leaves an audit entry
//! `article.{status}` and refreshes the pages that show the article.

use super::Actor;
use crate::app::{AppState, Touched};
use crate::jobs::{self, Job};
use crate::news::ArticleStatus;
use crate::store::articles::{self, NewArticle};
use crate::store::desk::{self, ArticleFields, EditableArticle};
use crate::store::{StoreError, StoreResult, Tx, audit, now_ms};

/// A change of status asked of an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusChange {
    /// A journalist's draft goes to the editors.
    Submit,
    /// On the site now (a published article keeps its date).
    Publish,
    /// On the site at this time (unix ms), by the publication job.
    Schedule(i64),
    /// Off the site.
    Unpublish,
    /// Back to the writer.
    BackToDraft,
}

impl StatusChange {
    /// The status it leads to, and the publication time it sets, for an article now in
    /// `status` and published at `publish_at`; `None` when it changes nothing (submitting
    /// what is not a draft).
    fn target(self, status: ArticleStatus, publish_at: Option<i64>, now: i64) -> Option<(ArticleStatus, Option<i64>)> {
        match self {
            StatusChange::Submit if status == ArticleStatus::Draft => Some((ArticleStatus::Review, None)),
            StatusChange::Submit => None,
            StatusChange::Publish => {
                // Publishing again what is on the site keeps its date; anything else is new now.
                let keep = publish_at.filter(|at| *at <= now && status == ArticleStatus::Published);
                Some((ArticleStatus::Published, Some(keep.unwrap_or(now))))
            }
            StatusChange::Schedule(at) => Some((ArticleStatus::Scheduled, Some(at))),
            StatusChange::Unpublish => Some((ArticleStatus::Unpublished, None)),
            StatusChange::BackToDraft => Some((ArticleStatus::Draft, None)),
        }
    }
}

/// What a save changes besides the text: the status, and when the article leaves the site.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plan {
    pub change: Option<StatusChange>,
    /// `None`: it stays.
    pub unpublish_at: Option<i64>,
}

/// Creates an article in the status `new` says (a scheduled one with its publication job), to
/// leave the site by itself at `unpublish_at` if given (with its unpublication job).
pub async fn create(state: &AppState, actor: Actor, new: &NewArticle, unpublish_at: Option<i64>) -> StoreResult<i64> {
    let mut tx = state.db().begin().await?;
    let id = articles::insert(&mut tx, new).await?;
    plan_unpublication(state, &mut tx, id, None, unpublish_at).await?;
    if new.status == ArticleStatus::Scheduled
        && let Some(at) = new.publish_at
    {
        // The job is part of the same transaction: no scheduled article without its job.
        enqueue_publication(state, &mut tx, id, at).await?;
    }
    let detail = serde_json::json!({ "status": new.status.as_str(), "via": actor.via });
    record(&mut tx, actor, "article.create", id, detail).await?;
    tx.commit().await?;
    if new.status == ArticleStatus::Published {
        state.refresh(Touched::Article(id)).await?;
    }
    Ok(id)
}

/// Saves the newsroom's form over `article` (refused with `StoreError::Conflict` when someone
/// saved since `expected_version`), and applies a status change in the same transaction.
pub async fn save(
    state: &AppState,
    user_id: i64,
    article: &EditableArticle,
    expected_version: i64,
    fields: &ArticleFields,
    body_html: &str,
    plan: Plan,
) -> StoreResult<()> {
    let Plan { change, unpublish_at } = plan;
    let actor = Actor::newsroom(user_id);
    let mut tx = state.db().begin().await?;
    desk::save(&mut tx, article.id, expected_version, fields, body_html, user_id).await?;
    plan_unpublication(state, &mut tx, article.id, article.unpublish_at, unpublish_at).await?;
    let target = change.and_then(|c| c.target(article.status, article.publish_at, now_ms()));
    let touched = match target {
        Some(target) => apply_status(state, &mut tx, actor, article, target).await?,
        None => {
            let detail = serde_json::json!({ "version": expected_version + 1, "via": actor.via });
            record(&mut tx, actor, "article.save", article.id, detail).await?;
            Touched::Article(article.id)
        }
    };
    tx.commit().await?;
    state.refresh(touched).await
}

/// Changes an article's status alone (the API's publish). False when there is no such article
/// or the change changes nothing.
pub async fn change_status(state: &AppState, actor: Actor, id: i64, change: StatusChange) -> StoreResult<bool> {
    let Some(article) = desk::editable(state.db(), id).await? else {
        return Ok(false);
    };
    let Some(target) = change.target(article.status, article.publish_at, now_ms()) else {
        return Ok(false);
    };
    let mut tx = state.db().begin().await?;
    let touched = apply_status(state, &mut tx, actor, &article, target).await?;
    tx.commit().await?;
    state.refresh(touched).await?;
    Ok(true)
}

/// The publication job's work, inside the job's transaction (which also marks the job done):
/// publishes a scheduled article whose time has come. What to refresh once committed, or
/// `Touched::Nothing` when there was nothing to do (already published, unscheduled or moved
/// later), which keeps the job idempotent.
pub async fn publish_if_due(tx: &mut Tx, id: i64, job_id: i64) -> StoreResult<Touched> {
    if !articles::publish_if_due(tx, id, now_ms()).await? {
        return Ok(Touched::Nothing);
    }
    let actor = Actor::schedule();
    let detail = serde_json::json!({ "from": ArticleStatus::Scheduled.as_str(), "via": actor.via, "job": job_id });
    record(tx, actor, "article.published", id, detail).await?;
    Ok(Touched::Article(id))
}

/// The unpublication job's work, inside the job's transaction: takes an article off the site
/// when its time has come. `Touched::Nothing` when there was nothing to do (not published, or
/// the time moved or cleared), which keeps the job idempotent.
pub async fn unpublish_if_due(tx: &mut Tx, id: i64, job_id: i64) -> StoreResult<Touched> {
    if !articles::unpublish_if_due(tx, id, now_ms()).await? {
        return Ok(Touched::Nothing);
    }
    let actor = Actor::schedule();
    let detail = serde_json::json!({ "from": ArticleStatus::Published.as_str(), "via": actor.via, "job": job_id });
    record(tx, actor, "article.unpublished", id, detail).await?;
    Ok(Touched::Withdrawn(id))
}

/// Stores a changed unpublication time and plans its job; the job checks the stored time when
/// it runs, so an older job for a moved time does nothing.
async fn plan_unpublication(
    state: &AppState,
    tx: &mut Tx,
    id: i64,
    before: Option<i64>,
    after: Option<i64>,
) -> StoreResult<()> {
    if before == after {
        return Ok(());
    }
    desk::set_unpublish_at(tx, id, after).await?;
    if let Some(at) = after {
        jobs::enqueue(tx, &Job::UnpublishArticle { article_id: id }, at, state.config().jobs.max_attempts).await?;
    }
    Ok(())
}

/// The status change itself: the row, the publication job if scheduled, the audit entry;
/// what to refresh once committed.
async fn apply_status(
    state: &AppState,
    tx: &mut Tx,
    actor: Actor,
    article: &EditableArticle,
    (status, at): (ArticleStatus, Option<i64>),
) -> StoreResult<Touched> {
    desk::set_status(tx, article.id, status, at).await?;
    if status == ArticleStatus::Scheduled
        && let Some(at) = at
    {
        enqueue_publication(state, tx, article.id, at).await?;
    }
    let detail = serde_json::json!({ "from": article.status.as_str(), "publish_at": at, "via": actor.via });
    record(tx, actor, &format!("article.{}", status.as_str()), article.id, detail).await?;
    // Any status but published takes the article off the site: its page must not come back.
    Ok(if status == ArticleStatus::Published { Touched::Article(article.id) } else { Touched::Withdrawn(article.id) })
}

async fn enqueue_publication(state: &AppState, tx: &mut Tx, id: i64, at: i64) -> StoreResult<()> {
    jobs::enqueue(tx, &Job::PublishArticle { article_id: id }, at, state.config().jobs.max_attempts).await?;
    Ok(())
}

async fn record(tx: &mut Tx, actor: Actor, action: &str, id: i64, detail: serde_json::Value) -> Result<(), StoreError> {
    let entry = audit::Entry { actor_id: actor.user_id, action, object_type: "article", object_id: Some(id), detail };
    audit::record(tx, &entry).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_again_keeps_the_date_and_anything_else_is_new_now() {
        let now = 1_000_000;
        let publish = StatusChange::Publish;
        assert_eq!(publish.target(ArticleStatus::Published, Some(10), now), Some((ArticleStatus::Published, Some(10))));
        assert_eq!(
            publish.target(ArticleStatus::Unpublished, Some(10), now),
            Some((ArticleStatus::Published, Some(now)))
        );
        assert_eq!(
            publish.target(ArticleStatus::Scheduled, Some(now + 5), now),
            Some((ArticleStatus::Published, Some(now)))
        );
        assert_eq!(StatusChange::Submit.target(ArticleStatus::Review, None, now), None, "only a draft is submitted");
        assert_eq!(
            StatusChange::Schedule(7).target(ArticleStatus::Draft, None, now),
            Some((ArticleStatus::Scheduled, Some(7)))
        );
    }
}
