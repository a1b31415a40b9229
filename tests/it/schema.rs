//! Migrations: both engines end with the same schema, migrating twice changes nothing, and a
//! database written by a newer Gazette is refused.

use std::collections::BTreeSet;

use gazette::store::{Db, dialect, migrate};
use sqlx::Row;

use crate::on_both_engines;
use crate::support::{EngineChoice, TestApp};

async fn describe(db: &Db) -> (BTreeSet<(String, String, String, i64)>, BTreeSet<(String, String)>) {
    let columns = sqlx::query(dialect::describe_columns(db.engine()))
        .fetch_all(db.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let data_type: String = r.get("data_type");
            (
                r.get::<String, _>("table_name"),
                r.get::<String, _>("column_name"),
                dialect::type_class(&data_type).to_string(),
                r.get::<i64, _>("nullable"),
            )
        })
        .collect();
    let indexes = sqlx::query(dialect::describe_indexes(db.engine()))
        .fetch_all(db.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("index_name"), r.get::<String, _>("table_name")))
        .collect();
    (columns, indexes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs GAZETTE_TEST_POSTGRES_URL (a PostgreSQL server)")]
async fn both_engines_end_with_the_same_schema() {
    let sqlite = TestApp::new(EngineChoice::Sqlite).await.unwrap();
    let Some(postgres) = TestApp::new(EngineChoice::Postgres).await else {
        sqlite.cleanup().await;
        return;
    };
    let (sqlite_columns, sqlite_indexes) = describe(sqlite.db()).await;
    let (pg_columns, pg_indexes) = describe(postgres.db()).await;
    assert!(sqlite_columns.len() > 100, "the schema was read: {}", sqlite_columns.len());
    let only_sqlite: Vec<_> = sqlite_columns.difference(&pg_columns).collect();
    let only_pg: Vec<_> = pg_columns.difference(&sqlite_columns).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "columns differ:\nsqlite only {only_sqlite:#?}\npostgres only {only_pg:#?}"
    );
    assert_eq!(sqlite_indexes, pg_indexes, "indexes differ");
    sqlite.cleanup().await;
    postgres.cleanup().await;
}

async fn migrating_again_changes_nothing(app: TestApp) {
    let before = describe(app.db()).await;
    assert!(migrate::run(app.db()).await.unwrap().is_empty());
    assert_eq!(describe(app.db()).await, before);
    assert_eq!(migrate::applied_version(app.db()).await.unwrap(), migrate::latest_version());
}

async fn every_table_has_timestamps(app: TestApp) {
    let (columns, _) = describe(app.db()).await;
    let tables: BTreeSet<&String> = columns.iter().map(|c| &c.0).collect();
    for table in tables {
        // Pure join rows have no life of their own: they are rewritten with their article.
        if ["schema_migrations", "article_tags", "article_authors"].contains(&table.as_str()) {
            continue;
        }
        let has = |name: &str| columns.iter().any(|c| &c.0 == table && c.1 == name);
        assert!(has("updated_at"), "{table} lacks updated_at");
        let counters_or_settings = ["settings", "article_stats", "article_daily_stats"];
        if !counters_or_settings.contains(&table.as_str()) {
            assert!(has("created_at"), "{table} lacks created_at");
        }
    }
}

on_both_engines!(migrating_again_changes_nothing, every_table_has_timestamps);
