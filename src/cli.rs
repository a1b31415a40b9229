//! The command line: `gazette serve | demo | user | migrate | check | backup | restore | import |
//! export | bench | config`.
//!
//! Exit codes: 0 done; 1 the command could not do its work (database unreachable, port in use,
//! unwritable directory, ...); 2 the command line or the configuration is wrong. Every failure
//! ends with one line on stderr that names the problem and what to do.

mod user;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::command::{Fatal, migration_fatal, open, open_migrated};
use crate::config::{Config, Overrides, Sources};
use crate::store::migrate;

#[derive(Parser, Debug)]
#[command(
    name = "gazette",
    version,
    about = "A news publishing platform: the reader site, the newsroom, comments, search and feeds in one binary."
)]
pub struct Cli {
    /// Configuration file (default: ./gazette.toml if it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (database, media); overrides storage.data_dir.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<String>,
    /// Database URL; overrides database.url and DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the site and the newsroom.
    Serve {
        /// Address and port to listen on (default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Load the sample content first (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Load the sample content (sections, articles in French, Arabic and English, comments).
    Demo {
        /// Also generate an archive of this many articles (20 years, 40 sections, 3,000 tags,
        /// 200 authors, generated text), for measuring; e.g. 500000.
        #[arg(long, value_name = "N")]
        articles: Option<u64>,
        /// Comments per generated article, on average.
        #[arg(long, value_name = "N", default_value_t = 4)]
        comments_per_article: u64,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        action: user::UserCommand,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Check the configuration and the database; one line per finding.
    Check,
    /// Copy the database and the media into one file, while the site keeps serving.
    Backup {
        /// The file to write (a tar archive).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Restore a backup into an empty data directory (and empty database).
    Restore {
        /// A file written by `gazette backup`.
        file: PathBuf,
    },
    /// Measure page renders (page cache off) and searches on this database, for bench/run.sh.
    Bench {
        /// Renders of each page measured.
        #[arg(long, default_value_t = 1000)]
        renders: usize,
        /// Searches measured.
        #[arg(long, default_value_t = 200)]
        searches: usize,
    },
    /// Import another platform's export.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Export everything: a WXR file WordPress imports, or every table as JSON with the media.
    Export {
        /// `wxr` (a file) or `json` (a directory).
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The file (wxr) or directory (json) to write.
        path: PathBuf,
    },
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        action: ConfigCommand,
    },
}

#[derive(Subcommand, Debug)]
enum ImportSource {
    /// A WordPress or WMaker export (WXR): posts, pages, sections, tags, authors, comments,
    /// media and old addresses. Run it again to bring in what changed; it never duplicates.
    Wxr {
        /// The export file (Tools → Export in WordPress).
        file: PathBuf,
        /// A copy of the site's uploads folder (wp-content/uploads), for images.
        #[arg(long, value_name = "DIR")]
        media_dir: Option<PathBuf>,
        /// Read and check everything, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Items per transaction.
        #[arg(long, default_value_t = 200)]
        batch: usize,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ExportFormat {
    Wxr,
    Json,
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print every configuration key with its default and documentation.
    Example,
    /// Print the configuration in effect (file, environment and flags merged).
    Show,
}

/// Parses the command line and runs the command; the process exits with the code returned.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(fatal) => {
            let _ = std::io::stdout().flush();
            eprintln!("error: {}", fatal.message);
            ExitCode::from(fatal.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Fatal> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let listen = match &cli.command {
        Command::Serve { listen, .. } => listen.clone(),
        _ => None,
    };
    let sources = Sources {
        file: cli.config.clone(),
        env: &env,
        overrides: Overrides { listen, data_dir: cli.data_dir.clone(), database_url: cli.database_url.clone() },
    };
    let config = Config::load(&sources)?;
    init_logging(&config);
    match cli.command {
        Command::Serve { demo, .. } => crate::serve::run(config, demo).await,
        Command::Demo { articles, comments_per_article } => {
            let db = open_migrated(&config).await?;
            let report = crate::demo::load(&db, &config.media_dir()).await?;
            println!("{report}");
            if let Some(articles) = articles {
                let options = crate::demo::archive::ArchiveOptions {
                    comments_per_article,
                    ..crate::demo::archive::ArchiveOptions::new(articles)
                };
                println!("{}", crate::demo::archive::generate(&db, &config.media_dir(), &options).await?);
            }
            db.close().await;
            Ok(())
        }
        Command::User { action } => {
            let db = open_migrated(&config).await?;
            let result = user::run(&db, action).await;
            db.close().await;
            result
        }
        Command::Migrate => {
            let db = open(&config).await?;
            let applied = migrate::run(&db).await.map_err(migration_fatal)?;
            if applied.is_empty() {
                println!("the database is up to date (schema version {})", migrate::latest_version());
            } else {
                println!("applied migrations {applied:?}; schema version {}", migrate::latest_version());
            }
            db.close().await;
            Ok(())
        }
        Command::Check => crate::check::run(&config).await,
        Command::Bench { renders, searches } => {
            crate::bench::run(config, &crate::bench::BenchOptions { renders, searches }).await
        }
        Command::Import { source: ImportSource::Wxr { file, media_dir, dry_run, batch } } => {
            let db = open_migrated(&config).await?;
            let options = crate::import::ImportOptions {
                file,
                uploads_dir: media_dir,
                dry_run,
                batch,
                progress: true,
                media_dir: config.media_dir(),
            };
            let result = crate::import::import_wxr(&db, &options).await;
            db.close().await;
            match result {
                Ok(report) => {
                    print!("{report}");
                    Ok(())
                }
                Err(crate::import::ImportError::Io(message)) => Err(Fatal::usage(message)),
                Err(error) => Err(Fatal::runtime(error.to_string())),
            }
        }
        Command::Export { format, path } => {
            let db = open_migrated(&config).await?;
            let result = match format {
                ExportFormat::Wxr => crate::export::export_wxr(&db, &config.base_url(), &path, true).await,
                ExportFormat::Json => crate::export::export_json(&db, &config.media_dir(), &path).await,
            };
            db.close().await;
            print!("{}", result.map_err(|e| Fatal::runtime(e.to_string()))?);
            Ok(())
        }
        Command::Backup { to } => crate::backup::backup(&config, &to).await,
        Command::Restore { file } => crate::backup::restore(&config, &file).await,
        Command::Config { action } => {
            match action {
                ConfigCommand::Example => print!("{}", Config::example_toml()),
                ConfigCommand::Show => print!(
                    "{}",
                    toml::to_string(&config)
                        .map_err(|e| Fatal::runtime(format!("cannot print the configuration: {e}")))?
                ),
            }
            Ok(())
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
