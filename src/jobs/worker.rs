//! The workers: loops on every node that claim due jobs with a lease, run them, and record
//! the outcome (done, retry with backoff, postponed).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{Job, JobError, backoff_ms, enqueue};
use crate::app::AppState;
use crate::store::jobs::{self as queue, ClaimedJob};
use crate::store::{articles, comments, now_ms};

/// Runs `workers` loops that claim and run jobs until `stop` turns true; a job in progress is
/// finished before its loop returns.
pub fn spawn_workers(state: AppState, workers: u32, stop: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    (0..workers)
        .map(|n| {
            let state = state.clone();
            let stop = stop.clone();
            let worker_id = format!("{}-{n}", state.node_id());
            tokio::spawn(async move { worker_loop(state, worker_id, stop).await })
        })
        .collect()
}

async fn worker_loop(state: AppState, worker_id: String, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.config().jobs.poll_interval_ms.max(10));
    let lease_ms = (state.config().jobs.lease_seconds.max(1) * 1000) as i64;
    let worker_id: Arc<str> = worker_id.into();
    loop {
        if *stop.borrow() {
            return;
        }
        let claimed = queue::claim(state.db(), &worker_id, now_ms() + lease_ms).await;
        match claimed {
            Ok(Some(job)) => run_claimed(&state, &worker_id, job, lease_ms).await,
            Ok(None) => {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = stop.changed() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot claim jobs");
                tokio::select! {
                    _ = tokio::time::sleep(poll * 4) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }
}

async fn run_claimed(state: &AppState, worker_id: &str, job: ClaimedJob, lease_ms: i64) {
    // Keep the lease alive while the job runs, so a long job is not taken over.
    let renewer = {
        let db = state.db().clone();
        let worker = worker_id.to_string();
        let id = job.id;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis((lease_ms / 3).max(100) as u64)).await;
                if !matches!(queue::renew(&db, id, &worker, now_ms() + lease_ms).await, Ok(true)) {
                    return;
                }
            }
        })
    };
    let result = execute(state, worker_id, &job).await;
    renewer.abort();
    match result {
        Ok(()) => tracing::debug!(job = job.id, kind = %job.kind, "job done"),
        Err(JobError::Postpone(ms, reason)) => {
            tracing::info!(job = job.id, kind = %job.kind, %reason, "job postponed");
            if let Err(e) = queue::postpone(state.db(), &job, worker_id, &reason, now_ms() + ms).await {
                tracing::warn!(job = job.id, error = %e, "cannot postpone the job; its lease will expire");
            }
        }
        Err(JobError::Failed(error)) => {
            let retry_at = now_ms() + backoff_ms(job.attempts);
            tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
            if let Err(e) = queue::fail(state.db(), &job, worker_id, &error, retry_at).await {
                tracing::warn!(job = job.id, error = %e, "cannot record the job's failure; its lease will expire");
            }
        }
    }
}

/// Runs one job and marks it done in the same transaction as its effect where it has one.
async fn execute(state: &AppState, worker_id: &str, job: &ClaimedJob) -> Result<(), JobError> {
    let parsed: Job = serde_json::from_str(&job.payload).map_err(|e| format!("unreadable payload: {e}"))?;
    let db = state.db();
    match parsed {
        Job::PublishArticle { article_id } => {
            let mut tx = db.begin().await?;
            let touched = crate::actions::articles::publish_if_due(&mut tx, article_id, job.id).await?;
            queue::finish(&mut tx, job.id, worker_id).await?;
            tx.commit().await?;
            state.refresh(touched).await?;
            Ok(())
        }
        Job::UnpublishArticle { article_id } => {
            let mut tx = db.begin().await?;
            let touched = crate::actions::articles::unpublish_if_due(&mut tx, article_id, job.id).await?;
            queue::finish(&mut tx, job.id, worker_id).await?;
            tx.commit().await?;
            state.refresh(touched).await?;
            Ok(())
        }
        Job::MakeVariants { media_id } => {
            let Some((key, focus)) = crate::store::media::to_vary(db, media_id).await? else {
                // The image was deleted since: nothing to do.
                let mut tx = db.begin().await?;
                queue::finish(&mut tx, job.id, worker_id).await?;
                tx.commit().await?;
                return Ok(());
            };
            let media_dir = state.config().media_dir();
            let variants =
                tokio::task::spawn_blocking(move || crate::media::variants::make(&media_dir, &key, focus)).await??;
            let mut tx = db.begin().await?;
            crate::store::media::set_variants(&mut tx, media_id, &variants).await?;
            queue::finish(&mut tx, job.id, worker_id).await?;
            tx.commit().await?;
            state.content_changed();
            Ok(())
        }
        Job::NotifySubscribers { article_id } => {
            let Some(article) = articles::by_id(db, article_id).await? else {
                let mut tx = db.begin().await?;
                queue::finish(&mut tx, job.id, worker_id).await?;
                tx.commit().await?;
                return Ok(());
            };
            let lang = article.card.language;
            let mut tx = db.begin().await?;
            for subscription in comments::subscribers(db, article_id).await? {
                let since = subscription.last_notified_at.unwrap_or(subscription.created_at);
                let fresh: Vec<(String, String)> = comments::approved_since(db, article_id, since)
                    .await?
                    .into_iter()
                    .filter(|(_, _, email, _)| *email != subscription.email)
                    .map(|(_, name, _, body)| (name, body))
                    .collect();
                if fresh.is_empty() {
                    continue;
                }
                // One mail job per subscriber, queued with the mark: each mail goes out once
                // even if this job is run again.
                let mail = crate::notify::new_comments(state, &article, &subscription, fresh, lang)
                    .map_err(|e| format!("{e:?}"))?;
                enqueue(&mut tx, &Job::SendMail { mail }, now_ms(), state.config().jobs.max_attempts).await?;
                comments::mark_notified(&mut tx, subscription.id, now_ms()).await?;
            }
            queue::finish(&mut tx, job.id, worker_id).await?;
            tx.commit().await?;
            Ok(())
        }
        Job::ModeratorDigest => {
            let site = state.site();
            let pending = comments::count_by_status(db, crate::news::CommentStatus::Pending).await?;
            let mut tx = db.begin().await?;
            if site.comments.moderator_digest != "off" && pending > 0 {
                for (email, _) in comments::moderators(db).await? {
                    let mail = crate::notify::digest(state, &email, pending, site.default_language)
                        .map_err(|e| format!("{e:?}"))?;
                    enqueue(&mut tx, &Job::SendMail { mail }, now_ms(), state.config().jobs.max_attempts).await?;
                }
            }
            queue::finish(&mut tx, job.id, worker_id).await?;
            if site.comments.moderator_digest == "hourly" {
                // The next digest, an hour from now (the dedupe key keeps one in the queue).
                enqueue(&mut tx, &Job::ModeratorDigest, now_ms() + 3_600_000, state.config().jobs.max_attempts).await?;
            }
            tx.commit().await?;
            Ok(())
        }
        Job::SendMail { mail } => {
            match crate::mail::send(&state.config().mail, &mail).await {
                Ok(()) => {}
                Err(crate::mail::MailError::NotConfigured) => {
                    return Err(JobError::Postpone(10 * 60_000, "mail.smtp_host is not set".into()));
                }
                Err(crate::mail::MailError::Invalid(reason)) => {
                    // Retrying cannot fix a malformed address: record it and give up.
                    tracing::warn!(job = job.id, %reason, "mail dropped");
                }
                Err(error) => return Err(JobError::Failed(error.to_string())),
            }
            let mut tx = db.begin().await?;
            queue::finish(&mut tx, job.id, worker_id).await?;
            tx.commit().await?;
            Ok(())
        }
    }
}
