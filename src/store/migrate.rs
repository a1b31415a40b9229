//! Schema migrations, embedded in the binary and applied at start.
//!
//! Both engines have a file per migration, with the same number and name; a test checks that
//! they produce the same tables, columns and indexes. A database that already holds a
//! migration this binary does not know was written by a newer Gazette: we stop rather than
//! run old code against a schema it does not understand.

use sqlx::Row;

use super::{Db, Engine, StoreError, StoreResult, dialect, now_ms};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $file:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../../migrations/sqlite/", $file, "_", $name, ".sql")),
            postgres: include_str!(concat!("../../migrations/postgres/", $file, "_", $name, ".sql")),
        }
    };
}

/// Every migration, oldest first. Add new ones at the end; never edit one that has shipped.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001", "initial"),
    migration!(2, "0002", "reader"),
    migration!(3, "0003", "media"),
    migration!(4, "0004", "newsroom"),
    migration!(5, "0005", "comments"),
    migration!(6, "0006", "search_window"),
    migration!(7, "0007", "imports"),
    migration!(8, "0008", "search_facets"),
    migration!(9, "0009", "search_dates"),
    migration!(10, "0010", "token_lifetimes"),
    migration!(11, "0011", "comment_reports"),
    migration!(12, "0012", "names_by_language"),
    migration!(13, "0013", "media_focus"),
    migration!(14, "0014", "job_priority"),
    migration!(15, "0015", "staff_photo"),
    migration!(16, "0016", "desk_language"),
    migration!(17, "0017", "unpublish_at"),
    migration!(18, "0018", "editorial"),
];

/// The schema version this binary writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// What the database holds compared with this binary.
#[derive(Debug, PartialEq, Eq)]
pub struct SchemaState {
    pub applied: i64,
    pub latest: i64,
}

/// The schema is newer than this binary: a newer Gazette wrote it.
pub fn newer_database_message(applied: i64, latest: i64) -> String {
    format!(
        "the database is at schema version {applied} but this gazette knows only up to {latest}: \
         it was written by a newer Gazette; run that version (or newer) instead"
    )
}

const CREATE_TABLE: &str = "create table if not exists schema_migrations (\
     version bigint primary key not null, name text not null, applied_at bigint not null)";

/// The highest applied version (0 on an empty database).
pub async fn applied_version(db: &Db) -> StoreResult<i64> {
    let exists = match db.engine() {
        Engine::Sqlite => {
            sqlx::query("select count(*) as n from sqlite_master where type = 'table' and name = 'schema_migrations'")
                .fetch_one(db.reader())
                .await?
                .try_get::<i64, _>("n")?
        }
        Engine::Postgres => sqlx::query(
            "select count(*) as n from information_schema.tables \
             where table_schema = current_schema() and table_name = 'schema_migrations'",
        )
        .fetch_one(db.reader())
        .await?
        .try_get::<i64, _>("n")?,
    };
    if exists == 0 {
        return Ok(0);
    }
    let row =
        sqlx::query("select coalesce(max(version), 0) as v from schema_migrations").fetch_one(db.reader()).await?;
    Ok(row.try_get::<i64, _>("v")?)
}

/// Applies every pending migration, each in its own transaction. Returns the versions applied.
pub async fn run(db: &Db) -> StoreResult<Vec<i64>> {
    let mut applied_now = Vec::new();
    for migration in MIGRATIONS {
        let mut tx = db.begin().await?;
        if let Some(lock) = dialect::migration_lock(db.engine()) {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        sqlx::query(CREATE_TABLE).execute(&mut *tx).await?;
        let current: i64 = sqlx::query("select coalesce(max(version), 0) as v from schema_migrations")
            .fetch_one(&mut *tx)
            .await?
            .try_get("v")?;
        if current > latest_version() {
            return Err(StoreError::Other(newer_database_message(current, latest_version())));
        }
        let done: i64 = sqlx::query("select count(*) as n from schema_migrations where version = $1")
            .bind(migration.version)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if done > 0 {
            tx.rollback().await?;
            continue;
        }
        let script = match db.engine() {
            Engine::Sqlite => migration.sqlite,
            Engine::Postgres => migration.postgres,
        };
        sqlx::raw_sql(script).execute(&mut *tx).await.map_err(|e| {
            StoreError::Other(format!("migration {} ({}) failed: {e}", migration.version, migration.name))
        })?;
        sqlx::query("insert into schema_migrations (version, name, applied_at) values ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied_now.push(migration.version);
    }
    Ok(applied_now)
}

/// Checks the schema version without changing anything.
pub async fn state(db: &Db) -> StoreResult<SchemaState> {
    Ok(SchemaState { applied: applied_version(db).await?, latest: latest_version() })
}
