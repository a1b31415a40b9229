//! What every command shares: the failure that ends it (one line on stderr and an exit code)
//! and opening the data directory and the database. The command line (`cli`) and the commands
//! it runs (`serve`, `backup`, `check`, `bench`) all use these, so they live below all of them.

use crate::config::{Config, ConfigError};
use crate::store::{Db, DbOptions, migrate};

/// A failure that ends the command: the line to print and the exit code.
#[derive(Debug)]
pub struct Fatal {
    pub message: String,
    pub code: u8,
}

impl Fatal {
    /// The command could not do its work.
    pub fn runtime(message: impl Into<String>) -> Fatal {
        Fatal { message: message.into(), code: 1 }
    }

    /// The command line or the configuration is wrong.
    pub fn usage(message: impl Into<String>) -> Fatal {
        Fatal { message: message.into(), code: 2 }
    }
}

impl From<ConfigError> for Fatal {
    fn from(error: ConfigError) -> Self {
        Fatal::usage(format!("configuration: {}", error.0))
    }
}

impl From<sqlx::Error> for Fatal {
    fn from(error: sqlx::Error) -> Self {
        crate::store::StoreError::from(error).into()
    }
}

impl From<crate::store::StoreError> for Fatal {
    fn from(error: crate::store::StoreError) -> Self {
        Fatal::runtime(error.to_string())
    }
}

/// Makes sure the data directory exists and is writable, with a message that says what to do.
pub fn prepare_data_dir(config: &Config) -> Result<(), Fatal> {
    let dir = config.data_dir();
    let hint = "choose another with --data-dir or storage.data_dir, or fix its permissions";
    std::fs::create_dir_all(&dir)
        .map_err(|e| Fatal::runtime(format!("cannot create the data directory {}: {e}; {hint}", dir.display())))?;
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    std::fs::write(&probe, b"ok")
        .map_err(|e| Fatal::runtime(format!("the data directory {} is not writable: {e}; {hint}", dir.display())))?;
    let _ = std::fs::remove_file(&probe);
    let media = config.media_dir();
    std::fs::create_dir_all(&media)
        .map_err(|e| Fatal::runtime(format!("cannot create the media directory {}: {e}", media.display())))?;
    Ok(())
}

/// Opens the database named by the configuration, creating the SQLite file's directory.
pub async fn open(config: &Config) -> Result<Db, Fatal> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        prepare_data_dir(config)?;
    }
    let options = DbOptions {
        url,
        max_connections: config.database.max_connections,
        connect_timeout: std::time::Duration::from_secs(config.database.connect_timeout_seconds.max(1)),
    };
    Db::connect(&options).await.map_err(|e| {
        Fatal::runtime(format!("{e}; check database.url / DATABASE_URL and that the database server runs"))
    })
}

/// Opens the database and applies pending migrations.
pub async fn open_migrated(config: &Config) -> Result<Db, Fatal> {
    let db = open(config).await?;
    migrate::run(&db).await.map_err(migration_fatal)?;
    Ok(db)
}

pub fn migration_fatal(error: crate::store::StoreError) -> Fatal {
    match error {
        crate::store::StoreError::Other(message) => Fatal::runtime(message),
        other => Fatal::runtime(format!("cannot migrate the database: {other}")),
    }
}
