//! Configuration: `gazette.toml`, then `GAZETTE_*` environment variables, then flags.
//!
//! Every key has a default so that `gazette serve` works with nothing set. Unknown keys are
//! errors that name the key and the file: a typo must never be silently ignored. The
//! documented `gazette.example.toml` is generated from the types below (`gazette config
//! example`), and a test fails when the committed copy drifts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One documented key of a configuration section.
pub struct FieldDoc {
    pub key: &'static str,
    pub doc: &'static str,
}

/// Declares a configuration section: the struct, its defaults and its documentation, from one
/// list, so that the example file cannot disagree with the code.
macro_rules! config_section {
    (
        $(#[doc = $sdoc:literal])*
        $name:ident in $key:literal {
            $( $(#[doc = $doc:literal])* $field:ident : $ty:ty = $default:expr ),* $(,)?
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name { $( $(#[doc = $doc])* pub $field: $ty, )* }

        impl Default for $name {
            fn default() -> Self { Self { $( $field: $default, )* } }
        }

        impl $name {
            pub const KEY: &'static str = $key;
            pub const DOC: &'static str = concat!($($sdoc, "\n"),*);
            pub const FIELDS: &'static [FieldDoc] = &[
                $( FieldDoc { key: stringify!($field), doc: concat!($($doc, "\n"),*) } ),*
            ];
        }
    };
}

config_section! {
    /// The HTTP server.
    ServerConfig in "server" {
        /// Address and port the server listens on.
        listen: String = "127.0.0.1:8080".into(),
        /// The public address of the site, used in feeds, sitemaps and e-mails
        /// (e.g. "https://www.example.ma"). Empty: "http://" followed by `listen`.
        base_url: String = String::new(),
        /// Trust the X-Forwarded-For and X-Forwarded-Proto headers of a reverse proxy in front.
        /// Leave off unless a proxy you control sets them.
        trust_proxy: bool = false,
        /// Seconds a graceful stop waits for requests in flight before giving up.
        shutdown_grace_seconds: u64 = 20,
        /// Largest request body accepted, in megabytes (uploads included).
        max_body_mb: u64 = 20,
        /// Threads that hold the connections: each reads requests, answers those the page
        /// cache holds and writes the answers; rendering runs on the main threads. 0: one per core.
        connection_threads: usize = 0,
        /// Seconds a client has to send a request's headers, and that a kept-alive connection
        /// may stay idle: a client that sends a header a byte at a time cannot hold a
        /// connection open.
        header_timeout_seconds: u64 = 30,
        /// Seconds a client has to send a request's body, plus one second for every 500 bytes
        /// of it: a form trickled a byte at a time is cut off, a large upload on a slow line
        /// is not.
        body_timeout_seconds: u64 = 20,
    }
}

config_section! {
    /// The database. SQLite (embedded, the default) or PostgreSQL.
    DatabaseConfig in "database" {
        /// "sqlite://path/to/gazette.db" or "postgres://user@host:5432/dbname".
        /// Empty: an SQLite file `gazette.db` in the data directory. DATABASE_URL also sets it.
        url: String = String::new(),
        /// Largest number of connections in the pool.
        max_connections: u32 = 8,
        /// Seconds to wait for the database before a request fails.
        connect_timeout_seconds: u64 = 5,
    }
}

config_section! {
    /// Where Gazette keeps its files.
    StorageConfig in "storage" {
        /// The data directory: SQLite database, media, backups. Created on first start.
        data_dir: String = "gazette-data".into(),
        /// Uploaded media. Empty: "media" inside the data directory. Several nodes must share it
        /// (see docs/deployment.md).
        media_dir: String = String::new(),
    }
}

config_section! {
    /// The look of the site.
    ThemeConfig in "theme" {
        /// A folder whose `templates/` and `static/` files replace the built-in ones, file by
        /// file, without rebuilding. Empty: the built-in theme only.
        dir: String = String::new(),
    }
}

config_section! {
    /// Background jobs: e-mail, scheduled publishing, indexing, image variants.
    JobsConfig in "jobs" {
        /// Jobs run at the same time by this node.
        workers: u32 = 2,
        /// Milliseconds between two looks at the job table when it was empty.
        poll_interval_ms: u64 = 500,
        /// Seconds a claimed job stays reserved to its node. A node that dies loses its claims
        /// after this long and another node takes the job over.
        lease_seconds: u64 = 60,
        /// Attempts before a job is marked failed.
        max_attempts: u32 = 8,
    }
}

config_section! {
    /// The rendered-page cache: reader pages kept in memory, compressed once, invalidated
    /// precisely when what they show changes.
    CacheConfig in "cache" {
        /// Serve reader pages from memory. Off: every request renders (for measuring).
        enabled: bool = true,
        /// Memory the cache may use, in megabytes (all three encodings counted); past it the
        /// least recently used pages go.
        max_memory_mb: u64 = 64,
        /// Seconds a CDN in front may keep a page (`s-maxage`); browsers revalidate every view.
        /// 0: the CDN revalidates too, so every view is counted and a change shows at once;
        /// more shields the site in a spike but needs a purge on publish (docs/performance.md).
        cdn_seconds: u64 = 60,
    }
}

config_section! {
    /// Read counters and likes, kept in memory and written in batches.
    CountersConfig in "counters" {
        /// Milliseconds between two writes of the counters. A crash loses at most this much.
        flush_interval_ms: u64 = 1000,
    }
}

config_section! {
    /// Outgoing e-mail (comment notifications, password resets). Empty host: mail is kept
    /// queued until a host is set.
    MailConfig in "mail" {
        /// SMTP server host name.
        smtp_host: String = String::new(),
        /// SMTP server port.
        smtp_port: u16 = 587,
        /// "starttls", "tls" or "none" (only for a server on this machine).
        security: String = "starttls".into(),
        /// SMTP user name, if the server asks for one.
        username: String = String::new(),
        /// SMTP password.
        password: String = String::new(),
        /// The sender, e.g. "Gazette <no-reply@example.ma>".
        from: String = String::new(),
        /// Seconds approvals are gathered before subscribers get one mail about them.
        notification_batch_seconds: u64 = 60,
    }
}

config_section! {
    /// Logging.
    LogConfig in "log" {
        /// A tracing filter: "info", "warn", "gazette=debug,info", ...
        level: String = "info".into(),
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub storage: StorageConfig,
    pub theme: ThemeConfig,
    pub jobs: JobsConfig,
    pub cache: CacheConfig,
    pub counters: CountersConfig,
    pub mail: MailConfig,
    pub log: LogConfig,
}

/// The sections in the order the example file lists them.
const SECTIONS: &[(&str, &str, &[FieldDoc])] = &[
    (ServerConfig::KEY, ServerConfig::DOC, ServerConfig::FIELDS),
    (DatabaseConfig::KEY, DatabaseConfig::DOC, DatabaseConfig::FIELDS),
    (StorageConfig::KEY, StorageConfig::DOC, StorageConfig::FIELDS),
    (ThemeConfig::KEY, ThemeConfig::DOC, ThemeConfig::FIELDS),
    (JobsConfig::KEY, JobsConfig::DOC, JobsConfig::FIELDS),
    (CacheConfig::KEY, CacheConfig::DOC, CacheConfig::FIELDS),
    (CountersConfig::KEY, CountersConfig::DOC, CountersConfig::FIELDS),
    (MailConfig::KEY, MailConfig::DOC, MailConfig::FIELDS),
    (LogConfig::KEY, LogConfig::DOC, LogConfig::FIELDS),
];

/// A configuration that cannot be used, with a message that says what to do.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Values given on the command line; they win over the file and the environment.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<String>,
    pub database_url: Option<String>,
}

/// Where the configuration comes from.
pub struct Sources<'a> {
    /// `--config`, else `GAZETTE_CONFIG`; `None`: `./gazette.toml` if it exists.
    pub file: Option<PathBuf>,
    /// The environment, as (name, value) pairs; passed in so tests need not touch the process's.
    pub env: &'a [(String, String)],
    pub overrides: Overrides,
}

impl Config {
    /// Reads the file (if any), overlays the environment and the flags, and checks the result.
    pub fn load(sources: &Sources<'_>) -> Result<Config, ConfigError> {
        let env_file = env_value(sources.env, "GAZETTE_CONFIG").map(PathBuf::from);
        let explicit = sources.file.clone().or(env_file);
        let path = match explicit {
            Some(path) => Some(path),
            None => Some(PathBuf::from("gazette.toml")).filter(|p| p.exists()),
        };
        let mut table = match &path {
            Some(path) => read_table(path)?,
            None => toml::Table::new(),
        };
        overlay_env(&mut table, sources.env)?;
        let mut config = parse_table(table, path.as_deref())?;
        let o = &sources.overrides;
        if let Some(listen) = &o.listen {
            config.server.listen = listen.clone();
        }
        if let Some(dir) = &o.data_dir {
            config.storage.data_dir = dir.clone();
        }
        if let Some(url) = &o.database_url {
            config.database.url = url.clone();
        }
        config.validate()?;
        Ok(config)
    }

    /// The database URL, with the empty default resolved to the SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}/gazette.db", self.storage.data_dir)
        } else {
            self.database.url.clone()
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        PathBuf::from(&self.storage.data_dir)
    }

    pub fn media_dir(&self) -> PathBuf {
        if self.storage.media_dir.is_empty() {
            self.data_dir().join("media")
        } else {
            PathBuf::from(&self.storage.media_dir)
        }
    }

    /// The public base URL without a trailing slash.
    pub fn base_url(&self) -> String {
        if self.server.base_url.is_empty() {
            format!("http://{}", self.server.listen)
        } else {
            self.server.base_url.trim_end_matches('/').to_string()
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let url = self.database_url();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ConfigError(format!(
                "database.url {url:?} is not supported: use sqlite://path/to/gazette.db or postgres://user@host/dbname"
            )));
        }
        if !["starttls", "tls", "none"].contains(&self.mail.security.as_str()) {
            return Err(ConfigError(format!(
                "mail.security {:?} is not one of \"starttls\", \"tls\", \"none\"",
                self.mail.security
            )));
        }
        if self.jobs.workers == 0 {
            return Err(ConfigError("jobs.workers must be at least 1".into()));
        }
        if self.server.header_timeout_seconds == 0 || self.server.body_timeout_seconds == 0 {
            return Err(ConfigError(
                "server.header_timeout_seconds and server.body_timeout_seconds must be at least 1".into(),
            ));
        }
        if self.database.max_connections < 2 {
            return Err(ConfigError("database.max_connections must be at least 2".into()));
        }
        Ok(())
    }

    /// The documented example file, generated from the types so it cannot drift.
    pub fn example_toml() -> String {
        let defaults = toml::Value::try_from(Config::default()).unwrap_or(toml::Value::Table(toml::Table::new()));
        let mut out = String::from(
            "# gazette.toml: every key, with its default. Generated by `gazette config example`.\n\
             # Every key can also be set in the environment as GAZETTE_<SECTION>_<KEY>,\n\
             # e.g. GAZETTE_SERVER_LISTEN=0.0.0.0:8080; command-line flags win over both.\n",
        );
        for (section, doc, fields) in SECTIONS {
            out.push('\n');
            push_comment(&mut out, doc);
            let _ = writeln!(out, "[{section}]");
            for field in *fields {
                push_comment(&mut out, field.doc);
                let value = defaults.get(section).and_then(|s| s.get(field.key));
                let rendered = value.map(render_value).unwrap_or_default();
                let _ = writeln!(out, "{} = {}", field.key, rendered);
            }
        }
        out
    }
}

fn push_comment(out: &mut String, doc: &str) {
    for line in doc.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let _ = writeln!(out, "# {line}");
    }
}

fn render_value(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => toml::Value::String(s.clone()).to_string(),
        other => other.to_string(),
    }
}

fn env_value<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
    env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn read_table(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError(format!(
            "cannot read the configuration file {}: {e} (give another with --config or GAZETTE_CONFIG)",
            path.display()
        ))
    })?;
    text.parse::<toml::Table>().map_err(|e| ConfigError(describe_toml_error(path, &text, e.message(), e.span())))
}

/// Deserializes the merged table, turning serde's complaint into one line naming the file.
fn parse_table(table: toml::Table, path: Option<&Path>) -> Result<Config, ConfigError> {
    let text = table.to_string();
    let file = path.map(|p| p.display().to_string()).unwrap_or_else(|| "the environment".into());
    toml::from_str::<Config>(&text).map_err(|e| {
        // The span points into our re-serialized text; name the section through it instead.
        let section = e
            .span()
            .and_then(|span| text[..span.start].lines().rev().find(|l| l.starts_with('[')))
            .map(|l| format!(" in section {}", l.trim()))
            .unwrap_or_default();
        ConfigError(format!("{file}: {}{section}", e.message().trim()))
    })
}

fn describe_toml_error(path: &Path, text: &str, message: &str, span: Option<std::ops::Range<usize>>) -> String {
    let location = span
        .map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
            format!(":{line}:{column}")
        })
        .unwrap_or_default();
    format!("{}{location}: {} (the file is not valid TOML)", path.display(), message.trim().replace('\n', " "))
}

/// Applies `GAZETTE_<SECTION>_<KEY>` variables (and `DATABASE_URL`) to the table, typed like the
/// default value of the key so that "8" becomes a number and "true" a boolean.
fn overlay_env(table: &mut toml::Table, env: &[(String, String)]) -> Result<(), ConfigError> {
    let defaults = toml::Value::try_from(Config::default())
        .map_err(|e| ConfigError(format!("internal: cannot serialize defaults: {e}")))?;
    if let Some(url) = env_value(env, "DATABASE_URL") {
        set_key(table, "database", "url", toml::Value::String(url.to_string()));
    }
    for (section, _, fields) in SECTIONS {
        for field in *fields {
            let name = format!("GAZETTE_{}_{}", section.to_uppercase(), field.key.to_uppercase());
            let Some(raw) = env_value(env, &name) else { continue };
            let default = defaults.get(section).and_then(|s| s.get(field.key));
            let value = match default {
                Some(toml::Value::Integer(_)) => raw
                    .trim()
                    .parse::<i64>()
                    .map(toml::Value::Integer)
                    .map_err(|_| ConfigError(format!("{name}={raw:?} is not a whole number")))?,
                Some(toml::Value::Boolean(_)) => match raw.trim() {
                    "true" | "1" | "yes" | "on" => toml::Value::Boolean(true),
                    "false" | "0" | "no" | "off" => toml::Value::Boolean(false),
                    _ => return Err(ConfigError(format!("{name}={raw:?} is not true or false"))),
                },
                _ => toml::Value::String(raw.to_string()),
            };
            set_key(table, section, field.key, value);
        }
    }
    // A GAZETTE_* variable that matches no key is a typo worth reporting.
    for (name, _) in env {
        if let Some(rest) = name.strip_prefix("GAZETTE_") {
            let known = rest == "CONFIG"
                || rest.starts_with("TEST_")
                || SECTIONS.iter().any(|(section, _, fields)| {
                    fields.iter().any(|f| {
                        rest.eq_ignore_ascii_case(&format!("{}_{}", section, f.key))
                            && rest == format!("{}_{}", section.to_uppercase(), f.key.to_uppercase())
                    })
                });
            if !known {
                return Err(ConfigError(format!(
                    "unknown environment variable {name}: no configuration key matches it (see gazette.example.toml)"
                )));
            }
        }
    }
    Ok(())
}

fn set_key(table: &mut toml::Table, section: &str, key: &str, value: toml::Value) {
    let entry = table.entry(section.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let toml::Value::Table(inner) = entry {
        inner.insert(key.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_with(file_text: Option<&str>, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = std::env::temp_dir().join(format!("gazette-config-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = file_text.map(|text| {
            let path = dir.join(format!("{}.toml", text.len()));
            let _ = std::fs::write(&path, text);
            path
        });
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::load(&Sources { file, env: &env, overrides: Overrides::default() })
    }

    #[test]
    fn defaults_work_with_nothing_set() {
        let config = load_with(None, &[]).unwrap();
        assert_eq!(config.server.listen, "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite://gazette-data/gazette.db");
    }

    #[test]
    fn unknown_key_names_the_key_and_the_file() {
        let err = load_with(Some("[server]\nlisten = \"x:1\"\nlisen = 3\n"), &[]).unwrap_err();
        assert!(err.0.contains("lisen"), "{}", err.0);
        assert!(err.0.contains(".toml"), "{}", err.0);
    }

    #[test]
    fn environment_is_typed_and_flags_win() {
        let env = [("GAZETTE_JOBS_WORKERS", "5"), ("GAZETTE_SERVER_LISTEN", "127.0.0.1:9")];
        let config = load_with(Some("[server]\nlisten = \"127.0.0.1:1\"\n"), &env).unwrap();
        assert_eq!(config.jobs.workers, 5);
        assert_eq!(config.server.listen, "127.0.0.1:9");
        let bad = load_with(None, &[("GAZETTE_JOBS_WORKERS", "many")]).unwrap_err();
        assert!(bad.0.contains("GAZETTE_JOBS_WORKERS"));
        let typo = load_with(None, &[("GAZETTE_SERVER_LISTN", "x")]).unwrap_err();
        assert!(typo.0.contains("GAZETTE_SERVER_LISTN"));
    }

    #[test]
    fn example_file_parses_back_to_the_defaults() {
        let parsed: Config = toml::from_str(&Config::example_toml()).unwrap();
        assert_eq!(parsed, Config::default());
    }
}
