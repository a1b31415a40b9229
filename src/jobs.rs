//! Durable background work: scheduled publishing now; e-mail, indexing and image variants as
//! their issues arrive. Jobs are rows in the `jobs` table (see `store::jobs`), enqueued in the
//! transaction of the write that causes them, so a job exists if and only if its cause was
//! committed, and it survives any crash of the process.
//!
//! Each job is idempotent: running it twice (after a node died between doing the work and
//! marking it done) has the effect of running it once.
//!
//! This module is the vocabulary (the kinds of job, enqueueing, backoff), which every write
//! may use; `worker` runs them, and may use every write in turn.

pub mod worker;

use crate::store::jobs::{self as queue, NewJob};
use crate::store::{StoreError, StoreResult, Tx};
use serde::{Deserialize, Serialize};

/// Every kind of job, with its payload.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Publish a scheduled article when its time comes.
    PublishArticle { article_id: i64 },
    /// Take a published article off the site when its unpublication time comes.
    UnpublishArticle { article_id: i64 },
    /// Make the responsive variants of an uploaded image.
    MakeVariants { media_id: i64 },
    /// Send one e-mail.
    SendMail { mail: crate::mail::Mail },
    /// Tell an article's subscribers about comments approved since their last mail.
    NotifySubscribers { article_id: i64 },
    /// Tell moderators how many comments wait.
    ModeratorDigest,
}

impl Job {
    fn kind(&self) -> &'static str {
        match self {
            Job::PublishArticle { .. } => "publish_article",
            Job::UnpublishArticle { .. } => "unpublish_article",
            Job::MakeVariants { .. } => "make_variants",
            Job::SendMail { .. } => "send_mail",
            Job::NotifySubscribers { .. } => "notify_subscribers",
            Job::ModeratorDigest => "moderator_digest",
        }
    }

    /// Background work (an image's variants, seconds of CPU each, thousands after an import)
    /// never holds up a publication or a mail.
    fn priority(&self) -> i64 {
        match self {
            Job::MakeVariants { .. } => 1,
            _ => 0,
        }
    }

    fn dedupe_key(&self) -> Option<String> {
        match self {
            Job::PublishArticle { article_id } => Some(format!("publish_article:{article_id}")),
            // A moved time moves the one job.
            Job::UnpublishArticle { article_id } => Some(format!("unpublish_article:{article_id}")),
            Job::MakeVariants { media_id } => Some(format!("make_variants:{media_id}")),
            Job::SendMail { .. } => None,
            // Approvals close together share one batch.
            Job::NotifySubscribers { article_id } => Some(format!("notify_subscribers:{article_id}")),
            Job::ModeratorDigest => Some("moderator_digest".into()),
        }
    }
}

/// Adds a job to run at `run_at` (unix ms) inside the caller's transaction.
pub async fn enqueue(tx: &mut Tx, job: &Job, run_at: i64, max_attempts: u32) -> StoreResult<i64> {
    let payload = serde_json::to_string(job).map_err(|e| StoreError::Other(e.to_string()))?;
    queue::enqueue(
        tx,
        &NewJob {
            kind: job.kind(),
            payload,
            run_at,
            dedupe_key: job.dedupe_key(),
            max_attempts: i64::from(max_attempts),
            priority: job.priority(),
        },
    )
    .await
}

/// Why a job did not finish.
#[derive(Debug)]
pub enum JobError {
    /// Something failed: retry with backoff, fail for good after the last attempt.
    Failed(String),
    /// Not possible yet (no SMTP server configured): try again after this many ms without
    /// spending an attempt.
    Postpone(i64, String),
}

impl<E: std::fmt::Display> From<E> for JobError {
    fn from(error: E) -> Self {
        JobError::Failed(error.to_string())
    }
}

/// Delay before retry `attempt` (1-based): 2 s, 4 s, 8 s, ... capped at one hour.
pub fn backoff_ms(attempt: i64) -> i64 {
    let exponent = attempt.clamp(1, 20) as u32;
    (1_000i64 << exponent).min(3_600_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_ms(1), 2_000);
        assert_eq!(backoff_ms(2), 4_000);
        assert_eq!(backoff_ms(30), 3_600_000);
    }

    #[test]
    fn payload_round_trips() {
        let job = Job::PublishArticle { article_id: 7 };
        let text = serde_json::to_string(&job).unwrap();
        assert_eq!(text, r#"{"kind":"publish_article","article_id":7}"#);
        assert_eq!(serde_json::from_str::<Job>(&text).unwrap(), job);
    }
}
