//! `gazette serve`: open and migrate the database, start the workers, serve until a signal,
//! then stop in order: stop accepting, finish requests in flight, stop the workers, flush the
//! counters, close the database.

use std::time::Duration;

use tokio::sync::watch;

use crate::app::AppState;
use crate::command::{Fatal, open, open_migrated};
use crate::config::Config;
use crate::store::{migrate, users};

/// A media file still being written after this long was left by a crash.
const STALE_PARTIAL: Duration = Duration::from_secs(3600);

pub async fn run(config: Config, load_demo: bool) -> Result<(), Fatal> {
    // Bind first: a port in use is the commonest mistake and should not wait for the database.
    let listener = tokio::net::TcpListener::bind(&config.server.listen).await.map_err(|e| {
        Fatal::runtime(format!(
            "cannot listen on {}: {e}; another program may be using it: choose another address with --listen or server.listen",
            config.server.listen
        ))
    })?;
    let first_start = {
        let db = open(&config).await?;
        let applied = migrate::applied_version(&db).await?;
        if applied > migrate::latest_version() {
            return Err(Fatal::runtime(migrate::newer_database_message(applied, migrate::latest_version())));
        }
        db.close().await;
        applied == 0
    };
    let db = open_migrated(&config).await?;
    if load_demo {
        let report = crate::demo::load(&db, &config.media_dir()).await?;
        println!("{report}");
    }
    let state = AppState::build(config.clone(), db.clone()).await?;
    let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| config.server.listen.clone());
    if first_start {
        println!("created the database at {}", crate::store::redact_url(&config.database_url()));
    }
    println!("Gazette is serving http://{address}/");
    if users::count_admins(&db).await? == 0 {
        println!("No administrator yet. Create the first one with:");
        println!("  gazette user add --email you@example.com --name \"Your Name\" --role admin");
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let workers = crate::jobs::worker::spawn_workers(state.clone(), config.jobs.workers, stop_rx.clone());
    let flusher = spawn_counter_flusher(state.clone(), stop_rx.clone());
    let cluster = crate::cluster::spawn(state.clone(), stop_rx.clone());
    // After an upgrade that rebuilt the search index, the articles it lacks are indexed in
    // the background (batches of 500, each its own transaction); the site serves meanwhile.
    let search_db = db.clone();
    tokio::spawn(async move {
        match crate::store::search::index_missing(&search_db).await {
            Ok(0) => {}
            Ok(indexed) => tracing::info!(indexed, "search index: missing articles indexed"),
            Err(error) => tracing::error!(%error, "search index: cannot index the missing articles"),
        }
    });

    // A crash mid-write leaves a `.partial` media file behind; none is ever read, but they
    // would pile up.
    let media_dir = config.media_dir();
    tokio::task::spawn_blocking(move || match crate::media::remove_stale_partials(&media_dir, STALE_PARTIAL) {
        Ok(0) => {}
        Ok(removed) => tracing::info!(removed, "media: files left half-written by a crash removed"),
        Err(error) => tracing::warn!(%error, "media: cannot look for files left half-written"),
    });

    let router = crate::web::router(state.clone());
    let signal = tokio::spawn(async move {
        wait_for_signal().await;
        let _ = stop_tx.send(true);
    });
    let grace = Duration::from_secs(config.server.shutdown_grace_seconds);
    let server =
        crate::web::server::serve(listener, state.clone(), router, stop_rx.clone(), config.server.connection_threads);
    tokio::select! {
        result = server => {
            result.map_err(|e| Fatal::runtime(format!("the server stopped: {e}")))?;
        }
        _ = async { crate::web::server::stopped(&mut stop_rx.clone()).await; tokio::time::sleep(grace).await } => {
            tracing::warn!("requests still running after {grace:?}; stopping anyway");
        }
    }
    signal.abort();
    tracing::info!("stopping: waiting for jobs in progress");
    for worker in workers {
        let _ = worker.await;
    }
    let _ = flusher.await;
    if let Err(error) = state.flush_counters().await {
        tracing::error!(%error, "could not write the last counts");
    }
    // The last changes (the final counts) reach the other nodes before the pool closes.
    tokio::time::sleep(Duration::from_millis(50)).await;
    for task in cluster {
        task.abort();
    }
    db.close().await;
    println!("Gazette stopped");
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Writes the counters every flush interval until told to stop.
fn spawn_counter_flusher(state: AppState, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_millis(state.config().counters.flush_interval_ms.max(10));
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
            if let Err(error) = state.flush_counters().await {
                tracing::warn!(%error, "cannot write the counters; will retry");
            }
        }
    })
}
