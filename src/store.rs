//! Every query, in one place, for both engines.
//!
//! Queries go through sqlx's `Any` driver so that each is written once: `$1` placeholders,
//! `RETURNING`, `ON CONFLICT ... DO UPDATE` and CTEs mean the same on SQLite and PostgreSQL.
//! Times are integer unix milliseconds and flags integers on both (the Any driver carries no
//! date or boolean types). The few places where the engines must differ are in [`dialect`].
//!
//! SQLite allows one writer at a time. Rather than let concurrent requests race for the write
//! lock (and lose writes to `SQLITE_BUSY`), every write goes through a pool of exactly one
//! connection that opens its transactions with `BEGIN IMMEDIATE`; reads use their own pool and,
//! in WAL mode, never wait for the writer. On PostgreSQL both pools are the same pool.

pub mod account_tokens;
pub mod api_tokens;
pub mod articles;
pub mod audit;
pub mod comments;
pub mod desk;
pub mod dialect;
pub mod editorial;
pub mod imports;
pub mod jobs;
pub mod media;
pub mod migrate;
pub mod moderation;
pub mod pages;
pub mod redirects;
pub mod search;
pub mod sections;
pub mod sessions;
pub mod settings;
pub mod stats;
pub mod tags;
pub mod throttle;
pub mod users;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

pub use dialect::Engine;

/// A write transaction.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// What went wrong in the store, sorted by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached (down, refused, timed out): retry later, answer 503.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A unique constraint refused the row; `constraint` names it when the engine says.
    #[error("already exists ({constraint})")]
    Duplicate { constraint: String },
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The row changed since the caller read it (optimistic locking).
    #[error("changed by someone else")]
    Conflict,
    /// The disk is full: the write was refused, nothing was changed.
    #[error("the disk is full: {0}")]
    Full(String),
    /// Anything else: a bug or a damaged database. Logged, never shown.
    #[error("database error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => StoreError::Full(error.to_string()),
            sqlx::Error::Database(db) if dialect::is_disk_full(db.code().as_deref()) => {
                StoreError::Full(error.to_string())
            }
            // A protocol error here is a connection that broke mid-conversation (a server going
            // away during the handshake answers with nothing where a reply was due).
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_) => StoreError::Unavailable(error.to_string()),
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
                constraint: db.constraint().map(str::to_string).unwrap_or_else(|| db.message().to_string()),
            },
            sqlx::Error::Database(db) if dialect::is_connection_lost(db.code().as_deref()) => {
                StoreError::Unavailable(error.to_string())
            }
            _ => StoreError::Other(error.to_string()),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database: a read pool and a write pool (the same pool on PostgreSQL).
#[derive(Clone, Debug)]
pub struct Db {
    engine: Engine,
    read: AnyPool,
    write: AnyPool,
}

/// How to open the database.
#[derive(Clone, Debug)]
pub struct DbOptions {
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout: Duration,
}

impl Db {
    /// Connects without touching the schema. The message of a failure names the URL (without
    /// its password) and what to check.
    pub async fn connect(options: &DbOptions) -> Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let engine = Engine::from_url(&options.url).ok_or_else(|| {
            StoreError::Other(format!(
                "{} is not a database URL Gazette knows: use sqlite://... or postgres://...",
                redact_url(&options.url)
            ))
        })?;
        let url = match engine {
            Engine::Sqlite if !options.url.contains("mode=") => {
                let sep = if options.url.contains('?') { '&' } else { '?' };
                format!("{}{sep}mode=rwc", options.url)
            }
            _ => options.url.clone(),
        };
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .min_connections(0)
                .acquire_timeout(options.connect_timeout)
                // No ping before each use: on SQLite it is a round trip to the connection's
                // worker thread, on PostgreSQL one to the server, for every query. A connection
                // that died (the server restarted) fails its next query, is closed and
                // replaced; `before_acquire` below still drops one left inside a transaction.
                .test_before_acquire(false)
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        if engine == Engine::Sqlite {
                            // NORMAL is safe in WAL mode against process crashes; only a power
                            // loss can take back the last transactions.
                            conn.execute("pragma synchronous = normal").await?;
                            conn.execute("pragma busy_timeout = 10000").await?;
                        }
                        Ok(())
                    })
                })
                // A transaction whose COMMIT failed (a full disk, a lost connection) leaves its
                // connection inside it: handing that connection out again would fail every
                // later write. It is closed instead, and the pool opens a fresh one.
                .before_acquire(|conn, _| Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) }))
        };
        let describe = |e: sqlx::Error| {
            StoreError::Unavailable(format!(
                "cannot open the database {}: {}",
                redact_url(&options.url),
                first_line(&e.to_string())
            ))
        };
        let db = match engine {
            Engine::Sqlite => {
                let write = pool(1).connect(&url).await.map_err(describe)?;
                // WAL lets readers run beside the single writer; it is a property of the file.
                sqlx::query("pragma journal_mode = wal").fetch_one(&write).await.map_err(describe)?;
                let read = pool(options.max_connections.max(2)).connect(&url).await.map_err(describe)?;
                Db { engine, read, write }
            }
            Engine::Postgres => {
                let both = pool(options.max_connections).connect(&url).await.map_err(describe)?;
                Db { engine, read: both.clone(), write: both }
            }
        };
        Ok(db)
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// The pool for single-statement writes.
    pub fn writer(&self) -> &AnyPool {
        &self.write
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.write.begin_with(dialect::begin_write(self.engine)).await?)
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("select 1").fetch_one(&self.read).await.is_ok()
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// Runs the engine's integrity check; returns the problems found (empty: healthy).
    pub async fn integrity_problems(&self) -> StoreResult<Vec<String>> {
        match self.engine {
            Engine::Sqlite => {
                let rows = sqlx::query("pragma integrity_check").fetch_all(&self.read).await?;
                let lines: Vec<String> = rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).collect();
                Ok(lines.into_iter().filter(|l| l != "ok").collect())
            }
            // PostgreSQL checks its own pages; a query on the catalog is the health we can see.
            Engine::Postgres => {
                sqlx::query("select count(*) from pg_catalog.pg_class").fetch_one(&self.read).await?;
                Ok(Vec::new())
            }
        }
    }
}

/// The engine a transaction runs on.
pub fn engine_of(tx: &Tx) -> Engine {
    if tx.backend_name().eq_ignore_ascii_case("postgresql") { Engine::Postgres } else { Engine::Sqlite }
}

/// Hides the password of a URL before it is printed or logged.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, _password)) = userinfo.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// The current time in unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Reads a column, turning a type or name mismatch into a store error.
pub(crate) fn col<'r, T>(row: &'r AnyRow, name: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get::<T, _>(name).map_err(|e| StoreError::Other(format!("column {name}: {e}")))
}

/// A flag stored as 0/1.
pub(crate) fn flag(row: &AnyRow, name: &str) -> StoreResult<bool> {
    Ok(col::<i64>(row, name)? != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://a/b.db"), "sqlite://a/b.db");
    }
}
