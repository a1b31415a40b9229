//! A moderator's decisions on comments: approve, refuse on a ground of the published policy,
//! mark as spam; or sanction the commenter (ban the e-mail or the address for a time, withdraw
//! the trust that publishes their comments at once). Each decision is recorded; approvals
//! tell the article's subscribers (in a batch), refusals tell the author when the site says
//! so, and the pages of the articles concerned are refreshed.

use crate::app::{AppState, Touched};
use crate::error::AppError;
use crate::jobs::{self, Job};
use crate::news::CommentStatus;
use crate::news::moderation::Category;
use crate::secrets::identity_hash;
use crate::store::{StoreResult, Tx, articles, audit, comments, now_ms};

/// What a moderator decides about one or several comments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Spam,
    /// Refused, on this ground of the policy.
    Refuse(Category),
    /// A sanction against the comment's author, until a time (unix ms) or for good.
    Sanction {
        kind: Sanction,
        until: Option<i64>,
        reason: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sanction {
    BanEmail,
    BanAddress,
    /// Their comments wait for a moderator again.
    Distrust,
}

impl Decision {
    /// The audit log's name for it: `comment.approve`, `comment.ban_email`, ...
    fn action(&self) -> &'static str {
        match self {
            Decision::Approve => "comment.approve",
            Decision::Spam => "comment.spam",
            Decision::Refuse(_) => "comment.refuse",
            Decision::Sanction { kind: Sanction::BanEmail, .. } => "comment.ban_email",
            Decision::Sanction { kind: Sanction::BanAddress, .. } => "comment.ban_address",
            Decision::Sanction { kind: Sanction::Distrust, .. } => "comment.distrust",
        }
    }
}

/// Applies a decision to each comment of `ids` (unknown or erased ones are skipped).
pub async fn decide(state: &AppState, moderator_id: i64, ids: &[i64], decision: &Decision) -> Result<(), AppError> {
    let mut tx = state.db().begin().await?;
    let mut touched = Vec::new();
    match decision {
        Decision::Sanction { kind, until, reason } => {
            for id in ids {
                sanction(state, &mut tx, moderator_id, *id, *kind, *until, reason).await?;
            }
        }
        _ => {
            let (status, reason) = match decision {
                Decision::Approve => (CommentStatus::Approved, None),
                Decision::Spam => (CommentStatus::Spam, Some("spam")),
                Decision::Refuse(ground) => (CommentStatus::Refused, Some(ground.code())),
                Decision::Sanction { .. } => return Ok(()),
            };
            let mut refused_now = Vec::new();
            for id in ids {
                let Some((article_id, before)) = comments::decide(&mut tx, *id, status, reason, moderator_id).await?
                else {
                    continue;
                };
                if !touched.contains(&article_id) {
                    touched.push(article_id);
                }
                if status == CommentStatus::Refused && before != "refused" {
                    refused_now.push(*id);
                }
                let detail = serde_json::json!({ "from": before, "reason": reason });
                record(&mut tx, moderator_id, decision.action(), *id, detail).await?;
            }
            if status == CommentStatus::Approved {
                let batch_ms = state.config().mail.notification_batch_seconds as i64 * 1000;
                for article_id in &touched {
                    let job = Job::NotifySubscribers { article_id: *article_id };
                    jobs::enqueue(&mut tx, &job, now_ms() + batch_ms, state.config().jobs.max_attempts).await?;
                }
            }
            if state.site().comments.notify_refusals {
                for id in refused_now {
                    tell_the_author(state, &mut tx, id, reason.unwrap_or("insult")).await?;
                }
            }
        }
    }
    tx.commit().await?;
    if !matches!(decision, Decision::Sanction { .. }) {
        // The classifier learns from the newsroom's own judgement; a failure to learn must not
        // undo a decision already committed.
        if let Err(error) = state.learn_decisions(ids).await {
            tracing::warn!(%error, "the classifier could not learn a decision");
        }
    }
    Ok(state.refresh(Touched::ArticlePages(touched)).await?)
}

async fn sanction(
    state: &AppState,
    tx: &mut Tx,
    moderator_id: i64,
    id: i64,
    kind: Sanction,
    until: Option<i64>,
    reason: &str,
) -> StoreResult<()> {
    let Some((email, _, _, _)) = comments::author_of(state.db(), id).await? else { return Ok(()) };
    let (ban_kind, value) = match kind {
        Sanction::BanEmail => ("email", identity_hash(state.secret(), "email", &email)),
        Sanction::Distrust => ("distrust", identity_hash(state.secret(), "email", &email)),
        Sanction::BanAddress => ("address", comments::address_hash_of(tx, id).await?.unwrap_or_default()),
    };
    if !value.is_empty() {
        comments::ban(tx, ban_kind, &value, until, reason, moderator_id).await?;
    }
    let action = Decision::Sanction { kind, until, reason: String::new() }.action();
    record(tx, moderator_id, action, id, serde_json::json!({ "until": until })).await
}

/// The refusal notice to the author, in the article's language.
async fn tell_the_author(state: &AppState, tx: &mut Tx, id: i64, reason: &str) -> Result<(), AppError> {
    if let Some((email, _, article_id, _)) = comments::author_of(state.db(), id).await?
        && let Some(article) = articles::by_id(state.db(), article_id).await?
    {
        let mail = crate::notify::refusal(state, &article, &email, reason, article.card.language)?;
        jobs::enqueue(tx, &Job::SendMail { mail }, now_ms(), state.config().jobs.max_attempts).await?;
    }
    Ok(())
}

async fn record(tx: &mut Tx, moderator_id: i64, action: &str, id: i64, detail: serde_json::Value) -> StoreResult<()> {
    let entry =
        audit::Entry { actor_id: Some(moderator_id), action, object_type: "comment", object_id: Some(id), detail };
    audit::record(tx, &entry).await
}
