//! The durable job table: claims are exclusive, leases expire, failures retry with backoff,
//! and the worker runs scheduled publishing once.

use std::collections::HashSet;
use std::time::Duration;

use gazette::jobs::{self, Job};
use gazette::news::Role;
use gazette::store::jobs as queue;
use gazette::store::now_ms;

use crate::on_both_engines;
use crate::support::TestApp;

async fn enqueue(app: &TestApp, article_id: i64, run_at: i64) -> i64 {
    let mut tx = app.db().begin().await.unwrap();
    let id = jobs::enqueue(&mut tx, &Job::PublishArticle { article_id }, run_at, 3).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn concurrent_claims_never_share_a_job(app: TestApp) {
    for n in 0..30 {
        enqueue(&app, 1000 + n, now_ms() - 1000).await;
    }
    let mut tasks = Vec::new();
    for worker in 0..6 {
        let db = app.db().clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) = queue::claim(&db, &format!("w{worker}"), now_ms() + 60_000).await.unwrap() {
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for task in tasks {
        for id in task.await.unwrap() {
            total += 1;
            assert!(seen.insert(id), "job {id} claimed twice");
        }
    }
    assert_eq!(total, 30);
}

async fn a_dead_workers_lease_expires_and_another_takes_over(app: TestApp) {
    let id = enqueue(&app, 1, now_ms() - 10).await;
    let first = queue::claim(app.db(), "dead-node", now_ms() + 200).await.unwrap().unwrap();
    assert_eq!(first.id, id);
    assert!(queue::claim(app.db(), "other", now_ms() + 60_000).await.unwrap().is_none(), "held while the lease runs");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = queue::claim(app.db(), "other", now_ms() + 60_000).await.unwrap().unwrap();
    assert_eq!(second.id, id);
    assert_eq!(second.attempts, 2);
    // The dead node cannot finish what it no longer holds.
    let mut tx = app.db().begin().await.unwrap();
    assert!(!queue::finish(&mut tx, id, "dead-node").await.unwrap());
    assert!(queue::finish(&mut tx, id, "other").await.unwrap());
    tx.commit().await.unwrap();
}

async fn failures_retry_with_backoff_then_fail_for_good(app: TestApp) {
    enqueue(&app, 7, now_ms() - 10).await;
    for attempt in 1..=3 {
        let job = queue::claim(app.db(), "w", now_ms() + 60_000).await.unwrap().expect("due again");
        assert_eq!(job.attempts, attempt);
        queue::fail(app.db(), &job, "w", "smtp refused", now_ms() - 1).await.unwrap();
    }
    assert!(queue::claim(app.db(), "w", now_ms() + 60_000).await.unwrap().is_none(), "no fourth attempt");
    let counts = queue::counts(app.db()).await.unwrap();
    assert!(counts.contains(&("failed".to_string(), 1)), "{counts:?}");
    assert!(jobs::backoff_ms(2) > jobs::backoff_ms(1));
}

async fn the_same_job_is_not_queued_twice(app: TestApp) {
    let a = enqueue(&app, 42, now_ms() + 60_000).await;
    let b = enqueue(&app, 42, now_ms() + 120_000).await;
    assert_eq!(a, b, "rescheduling moves the existing job");
    let counts = queue::counts(app.db()).await.unwrap();
    assert_eq!(counts, vec![("queued".to_string(), 1)]);
}

async fn the_worker_publishes_a_scheduled_article_once(app: TestApp) {
    app.with_demo().await;
    let editor = app.staff_token("e@example.com", Role::Editor).await;
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(400);
    let body = serde_json::json!({"title": "Programmé pour bientôt", "section": "monde", "status": "scheduled", "publish_at": at.to_rfc3339()});
    let created = app.post_json("/api/v1/articles", &body, Some(&editor)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/v1/articles/{id}")).await.status, 404);

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = jobs::worker::spawn_workers(app.state.clone(), 3, stopped);
    let mut published = false;
    // The demo's image jobs are queued first; give the workers time on a busy machine.
    for _ in 0..600 {
        if app.get(&format!("/api/v1/articles/{id}")).await.status == 200 {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(true);
    for w in workers {
        w.await.unwrap();
    }
    assert!(published, "the scheduled article went live");
    use sqlx::Row;
    let audits: i64 =
        sqlx::query("select count(*) as n from audit_log where action = 'article.published' and object_id = $1")
            .bind(id)
            .fetch_one(app.db().reader())
            .await
            .unwrap()
            .get("n");
    assert_eq!(audits, 1, "published exactly once");
}

/// Image work queued long before a publication does not hold it up, nor a mail; it runs
/// when nothing readers wait for is due.
async fn background_work_waits_for_what_readers_wait_for(app: TestApp) {
    let mut tx = app.db().begin().await.unwrap();
    for media_id in 1..=20 {
        jobs::enqueue(&mut tx, &Job::MakeVariants { media_id }, now_ms() - 60_000, 3).await.unwrap();
    }
    tx.commit().await.unwrap();
    let publication = enqueue(&app, 77, now_ms() - 1000).await;
    let lease = now_ms() + 60_000;
    let first = queue::claim(app.db(), "w1", lease).await.unwrap().unwrap();
    assert_eq!((first.id, first.kind.as_str()), (publication, "publish_article"));
    let next = queue::claim(app.db(), "w1", lease).await.unwrap().unwrap();
    assert_eq!(next.kind, "make_variants", "then the oldest background job");
    assert!(next.payload.contains("\"media_id\":1"), "{}", next.payload);
}

on_both_engines!(
    background_work_waits_for_what_readers_wait_for,
    concurrent_claims_never_share_a_job,
    a_dead_workers_lease_expires_and_another_takes_over,
    failures_retry_with_backoff_then_fail_for_good,
    the_same_job_is_not_queued_twice,
    the_worker_publishes_a_scheduled_article_once,
);
