//! Several nodes on one PostgreSQL: what one node changes, the others hear at once.
//!
//! Everything a node keeps in memory and the others could change is listed here: the page
//! cache, the site settings and the moderation lists. When a node changes one of them it tells
//! the others with PostgreSQL's `NOTIFY` (no extra moving part); each node `LISTEN`s and drops
//! or refreshes what the message names. Notifications are not kept: a node that was not
//! listening when one was sent cannot know what it missed. So a node serves from its page
//! cache only while its listening connection is up; when the connection drops it clears the
//! cache and renders every page from the database until it listens again, and it does the
//! same when it starts. Settings and lists are reloaded on reconnection for the same reason.
//!
//! Everything else is already shared through the database: sessions, rate-limit counts, jobs
//! (claimed with `FOR UPDATE SKIP LOCKED` and a lease), counters (each node adds its own
//! increments), search (the database's own full-text index). SQLite sites run one node, and
//! none of this starts for them.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};

use crate::app::{AppState, Change};
use crate::store::Engine;

/// The PostgreSQL channel the nodes talk on.
pub const CHANNEL: &str = "gazette_changes";

/// PostgreSQL refuses payloads of 8,000 bytes or more; a message is split below that.
const MAX_PAYLOAD: usize = 7_000;

/// One notification: the changes a node made since its last one.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Message {
    /// The node that sent it: a node ignores its own messages, it applied them already.
    from: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    drop: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    stale: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    forget: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    all: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    site: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    moderation: bool,
    /// Comments moderators decided on: the classifier learns them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    learned: Vec<i64>,
}

impl Message {
    fn gather(from: &str, changes: Vec<Change>) -> Message {
        let mut message = Message { from: from.to_string(), ..Message::default() };
        for change in changes {
            match change {
                Change::Drop(tags) => message.drop.extend(tags),
                Change::Stale(tags) => message.stale.extend(tags),
                Change::Forget(tags) => message.forget.extend(tags),
                Change::All => message.all = true,
                Change::Site => message.site = true,
                Change::Moderation => message.moderation = true,
                Change::Learned(ids) => message.learned.extend(ids),
            }
        }
        message.drop.sort();
        message.drop.dedup();
        message.stale.sort();
        message.stale.dedup();
        message
    }

    /// The message as payloads under PostgreSQL's limit: tags are spread over several
    /// messages when there are many (a flush that touched thousands of articles).
    fn payloads(self) -> Vec<String> {
        let whole = serde_json::to_string(&self).unwrap_or_default();
        if whole.len() < MAX_PAYLOAD {
            return vec![whole];
        }
        let mut out = Vec::new();
        let flags = Message {
            from: self.from.clone(),
            all: self.all,
            site: self.site,
            moderation: self.moderation,
            ..Message::default()
        };
        out.push(serde_json::to_string(&flags).unwrap_or_default());
        let per = 150;
        for chunk in self.drop.chunks(per) {
            let part = Message { from: self.from.clone(), drop: chunk.to_vec(), ..Message::default() };
            out.push(serde_json::to_string(&part).unwrap_or_default());
        }
        for chunk in self.stale.chunks(per) {
            let part = Message { from: self.from.clone(), stale: chunk.to_vec(), ..Message::default() };
            out.push(serde_json::to_string(&part).unwrap_or_default());
        }
        for chunk in self.forget.chunks(per) {
            let part = Message { from: self.from.clone(), forget: chunk.to_vec(), ..Message::default() };
            out.push(serde_json::to_string(&part).unwrap_or_default());
        }
        out
    }
}

/// Starts the sending and listening tasks when the database is PostgreSQL; does nothing on
/// SQLite. Until the listener is connected the page cache is suspended.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    if state.db().engine() != Engine::Postgres {
        return Vec::new();
    }
    let (sender, receiver) = mpsc::unbounded_channel();
    state.start_announcing(sender);
    state.cache().suspend();
    vec![tokio::spawn(send_changes(state.clone(), receiver)), tokio::spawn(listen(state, stop))]
}

/// Sends what this node changed, a batch per notification, in the order it happened.
async fn send_changes(state: AppState, mut receiver: mpsc::UnboundedReceiver<Change>) {
    while let Some(first) = receiver.recv().await {
        let mut changes = vec![first];
        while let Ok(more) = receiver.try_recv() {
            changes.push(more);
        }
        for payload in Message::gather(state.node_id(), changes).payloads() {
            // A failed notify leaves the other nodes stale: retried briefly, then logged. The
            // other nodes' listening connections are what guards against a lost message only
            // when the sender knows; a sender that cannot reach the database cannot have
            // changed anything there either.
            let mut attempts = 0;
            loop {
                let sent = sqlx::query("select pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(&payload)
                    .execute(state.db().reader())
                    .await;
                match sent {
                    Ok(_) => break,
                    Err(error) if attempts < 5 => {
                        attempts += 1;
                        tracing::warn!(%error, "could not notify the other nodes; retrying");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    Err(error) => {
                        tracing::error!(%error, "could not notify the other nodes of a change");
                        break;
                    }
                }
            }
        }
    }
}

/// Listens to the other nodes; reconnects when the connection drops, with the cache suspended
/// and cleared meanwhile.
async fn listen(state: AppState, mut stop: watch::Receiver<bool>) {
    let url = state.config().database_url();
    loop {
        if *stop.borrow() {
            return;
        }
        match connect(&url).await {
            Ok(mut listener) => {
                // Whatever happened while nobody listened is reloaded, then the cache serves.
                if let Err(error) = reload_everything(&state).await {
                    tracing::warn!(%error, "could not reload the settings after reconnecting");
                }
                state.cache().resume();
                tracing::info!("listening to the other nodes");
                loop {
                    tokio::select! {
                        _ = stop.changed() => return,
                        received = listener.try_recv() => match received {
                            Ok(Some(notification)) => apply(&state, notification.payload()).await,
                            Ok(None) | Err(_) => {
                                tracing::warn!("lost the connection that hears the other nodes; serving without the page cache");
                                state.cache().suspend();
                                break;
                            }
                        },
                    }
                }
            }
            Err(error) => {
                state.cache().suspend();
                tracing::warn!(%error, "cannot listen to the other nodes yet; serving without the page cache");
            }
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

async fn connect(url: &str) -> Result<sqlx::postgres::PgListener, sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

async fn reload_everything(state: &AppState) -> crate::store::StoreResult<()> {
    state.reload_site_here().await?;
    state.reload_moderation_here().await
}

/// Applies another node's message to this node.
async fn apply(state: &AppState, payload: &str) {
    let message: Message = match serde_json::from_str(payload) {
        Ok(message) => message,
        Err(error) => {
            // Not ours, or from a newer version: the safe answer is to forget every page.
            tracing::warn!(%error, "unreadable message from another node; clearing the page cache");
            state.cache().clear();
            return;
        }
    };
    if message.from == state.node_id() {
        return;
    }
    if message.site
        && let Err(error) = state.reload_site_here().await
    {
        tracing::warn!(%error, "could not reload the settings another node changed");
        state.cache().clear();
    }
    if message.moderation
        && let Err(error) = state.reload_moderation_here().await
    {
        tracing::warn!(%error, "could not reload the moderation lists another node changed");
    }
    if !message.moderation
        && !message.learned.is_empty()
        && let Err(error) = state.learn_decisions_here(&message.learned).await
    {
        tracing::warn!(%error, "could not learn the decisions another node made");
    }
    if message.all {
        state.cache().retire_all();
    }
    if !message.forget.is_empty() {
        state.cache().forget(&message.forget);
    }
    if !message.drop.is_empty() {
        state.cache().invalidate(&message.drop);
    }
    if !message.stale.is_empty() {
        state.cache().mark_stale(&message.stale);
    }
    state.content_changed_elsewhere();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_gathered_into_one_message_and_split_under_the_limit() {
        let message = Message::gather(
            "a",
            vec![
                Change::Drop(vec!["article:2".into(), "listings:fr".into()]),
                Change::Stale(vec!["article:3".into()]),
                Change::Drop(vec!["article:2".into()]),
                Change::Site,
            ],
        );
        assert_eq!(message.drop, vec!["article:2".to_string(), "listings:fr".to_string()]);
        assert!(message.site && !message.all && !message.moderation);
        let payloads = message.payloads();
        assert_eq!(payloads.len(), 1);
        let back: Message = serde_json::from_str(&payloads[0]).unwrap();
        assert_eq!(back.stale, vec!["article:3".to_string()]);

        let many = Message::gather("a", vec![Change::Stale((0..2_000).map(|i| format!("article:{i}")).collect())]);
        let payloads = many.payloads();
        assert!(payloads.len() > 2);
        assert!(payloads.iter().all(|p| p.len() < 8_000));
        let tags: usize = payloads.iter().map(|p| serde_json::from_str::<Message>(p).unwrap().stale.len()).sum();
        assert_eq!(tags, 2_000);
    }
}
