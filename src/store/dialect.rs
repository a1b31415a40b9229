//! The places where SQLite and PostgreSQL must be spoken differently, named in one file.
//!
//! Everything else in `store` is one SQL text for both engines. The differences are:
//! - how a write transaction begins (SQLite takes the write lock up front);
//! - how a job is claimed (PostgreSQL skips rows other nodes hold; SQLite has one writer);
//! - how concurrent migrations are kept apart (an advisory lock on PostgreSQL);
//! - full-text search (FTS5 against `tsvector`): one interface in `store::search`, one
//!   part per engine (`search/fts5.rs`, `search/tsvector.rs`);
//! - multi-row inserts' placeholders and lists of ids bound as one JSON array;
//! - a lock on a name for the length of a transaction;
//! - which error codes mean the connection is gone;
//! - the catalog queries that describe the schema (for the test that compares them).

/// The database engine behind a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn from_url(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// The statement that opens a write transaction. SQLite's default `BEGIN` takes the write lock
/// only at the first write, which can fail with `SQLITE_BUSY` if another process wrote since
/// the transaction's first read; `IMMEDIATE` takes it at once and waits with the busy timeout.
pub fn begin_write(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "BEGIN IMMEDIATE",
        Engine::Postgres => "BEGIN",
    }
}

/// Claims the next due job for a worker: `$1` worker id, `$2` lease end, `$3` now.
/// PostgreSQL: `FOR UPDATE SKIP LOCKED` lets several nodes claim at once without taking the
/// same row. SQLite: one writer at a time makes the single statement atomic by itself.
pub fn claim_job(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => {
            "update jobs set status = 'running', locked_by = $1, locked_until = $2, \
                 attempts = attempts + 1, updated_at = $3 \
             where id = (select id from jobs \
                 where (status = 'queued' and run_at <= $3) \
                    or (status = 'running' and locked_until < $3) \
                 order by priority, run_at, id limit 1 for update skip locked) \
             returning id, kind, payload, attempts, max_attempts"
        }
        Engine::Sqlite => {
            "update jobs set status = 'running', locked_by = $1, locked_until = $2, \
                 attempts = attempts + 1, updated_at = $3 \
             where id = (select id from jobs \
                 where (status = 'queued' and run_at <= $3) \
                    or (status = 'running' and locked_until < $3) \
                 order by priority, run_at, id limit 1) \
             returning id, kind, payload, attempts, max_attempts"
        }
    }
}

/// Taken inside the migration transaction so that two nodes starting together do not both
/// migrate. SQLite's `BEGIN IMMEDIATE` already excludes a second writer.
pub fn migration_lock(engine: Engine) -> Option<&'static str> {
    match engine {
        Engine::Postgres => Some("select pg_advisory_xact_lock(726339001)"),
        Engine::Sqlite => None,
    }
}

/// PostgreSQL SQLSTATE classes that mean the server went away rather than refused the query:
/// 08 connection exception, 57P01-57P03 admin shutdown / crash / cannot connect now.
pub fn is_connection_lost(code: Option<&str>) -> bool {
    match code {
        Some(code) => code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03"),
        None => false,
    }
}

/// True for the codes of a full disk: SQLite's `SQLITE_FULL` (13) and `SQLITE_IOERR_WRITE`
/// (778, a write that failed for want of space), PostgreSQL's `disk_full` (53100).
pub fn is_disk_full(code: Option<&str>) -> bool {
    matches!(code, Some("13" | "778" | "53100"))
}

/// Lists `(table, column, type class, nullable)` of the user tables; the type class is the
/// engine-neutral kind: integer, text, real or blob.
pub fn describe_columns(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "select m.name as table_name, p.name as column_name, lower(p.type) as data_type, \
                 case when p.\"notnull\" = 1 or p.pk = 1 then 0 else 1 end as nullable \
             from sqlite_master m join pragma_table_info(m.name) p \
             where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like '%search%' \
             order by m.name, p.name"
        }
        Engine::Postgres => {
            "select table_name::text as table_name, column_name::text as column_name, \
                 data_type::text as data_type, case when is_nullable = 'YES' then 1 else 0 end as nullable \
             from information_schema.columns \
             where table_schema = current_schema() and table_name not like '%search%' \
             order by table_name, column_name"
        }
    }
}

/// Lists `(index name, table)` of the explicitly created indexes.
pub fn describe_indexes(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "select name as index_name, tbl_name as table_name from sqlite_master \
             where type = 'index' and sql is not null order by name"
        }
        Engine::Postgres => {
            "select indexname::text as index_name, tablename::text as table_name from pg_indexes \
             where schemaname = current_schema() and indexname not like '%_pkey' \
                 and indexname not like '%_key' and indexname not like '%search%' \
             order by indexname"
        }
    }
}

/// The engine-neutral class of a column type as the catalog spells it.
pub fn type_class(data_type: &str) -> &'static str {
    let t = data_type.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("char") || t.contains("text") {
        "text"
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        "real"
    } else if t.contains("blob") || t.contains("bytea") {
        "blob"
    } else {
        "other"
    }
}

/// A subquery of the ids in the JSON array bound as `$1`, for `… where id in (…)`: SQLite
/// reads the array with `json_each`, PostgreSQL with `jsonb_array_elements_text`. One bound
/// value, whatever the number of ids.
pub fn ids_in_json_array(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "select value from json_each($1)",
        Engine::Postgres => "select jsonb_array_elements_text($1::jsonb)::bigint",
    }
}

/// The `VALUES` list of a multi-row insert: `rows` tuples of `width` placeholders, each tuple
/// written by `tuple` from its placeholders. SQLite gets plain `?` (it looks numbered ones up
/// by name, slowly); PostgreSQL numbers them.
pub fn values_list(engine: Engine, width: usize, rows: usize, tuple: &dyn Fn(&[String]) -> String) -> String {
    (0..rows)
        .map(|r| {
            let marks: Vec<String> = (1..=width)
                .map(|k| match engine {
                    Engine::Sqlite => "?".to_string(),
                    Engine::Postgres => format!("${}", r * width + k),
                })
                .collect();
            format!("({})", tuple(&marks))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A transaction-scoped lock on a name, taken by every node on PostgreSQL (released at
/// commit); SQLite's write transaction already runs alone.
pub fn named_lock(engine: Engine) -> Option<&'static str> {
    match engine {
        Engine::Postgres => Some("select pg_advisory_xact_lock(hashtext($1)::bigint) is null as locked"),
        Engine::Sqlite => None,
    }
}
