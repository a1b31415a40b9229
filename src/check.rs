//! `gazette check`: the configuration and the database's health, one line per finding.
//! Exit code 1 when any finding is an error.

use crate::command::{Fatal, open};
use crate::config::Config;
use crate::news::CommentStatus;
use crate::store::{comments, jobs, migrate, redact_url, users};

enum Level {
    Ok,
    Warn,
    Error,
}

fn say(level: Level, text: impl AsRef<str>) -> bool {
    let (tag, is_error) = match level {
        Level::Ok => ("ok   ", false),
        Level::Warn => ("warn ", false),
        Level::Error => ("error", true),
    };
    println!("{tag} {}", text.as_ref());
    is_error
}

pub async fn run(config: &Config) -> Result<(), Fatal> {
    let mut errors = 0;
    say(Level::Ok, "configuration is valid");
    if config.mail.smtp_host.is_empty() {
        say(Level::Warn, "mail.smtp_host is empty: e-mails stay queued until it is set");
    } else {
        say(Level::Ok, format!("mail goes through {}:{}", config.mail.smtp_host, config.mail.smtp_port));
    }
    let db = match open(config).await {
        Ok(db) => db,
        Err(fatal) => {
            say(Level::Error, &fatal.message);
            return Err(Fatal::runtime("the database cannot be opened"));
        }
    };
    say(Level::Ok, format!("database {} answers ({})", redact_url(&config.database_url()), db.engine().name()));
    match migrate::state(&db).await {
        Ok(state) if state.applied == state.latest => {
            say(Level::Ok, format!("schema version {} is current", state.applied));
        }
        Ok(state) if state.applied > state.latest => {
            errors += usize::from(say(Level::Error, migrate::newer_database_message(state.applied, state.latest)));
        }
        Ok(state) => {
            say(
                Level::Warn,
                format!(
                    "schema version {} of {}: run `gazette migrate` (serve does it too)",
                    state.applied, state.latest
                ),
            );
        }
        Err(e) => errors += usize::from(say(Level::Error, format!("cannot read the schema version: {e}"))),
    }
    match db.integrity_problems().await {
        Ok(problems) if problems.is_empty() => {
            say(Level::Ok, "integrity check passed");
        }
        Ok(problems) => {
            for problem in problems {
                errors += usize::from(say(Level::Error, format!("integrity: {problem}")));
            }
        }
        Err(e) => errors += usize::from(say(Level::Error, format!("integrity check failed: {e}"))),
    }
    if migrate::applied_version(&db).await.unwrap_or(0) > 0 {
        match users::count_admins(&db).await {
            Ok(0) => {
                say(
                    Level::Warn,
                    "no administrator: create one with `gazette user add --email E --name N --role admin`",
                );
            }
            Ok(n) => {
                say(Level::Ok, format!("{n} administrator(s)"));
            }
            Err(e) => errors += usize::from(say(Level::Error, format!("cannot count administrators: {e}"))),
        }
        if let Ok(counts) = jobs::counts(&db).await {
            let get = |s: &str| counts.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0);
            let failed = get("failed");
            let line = format!("jobs: {} queued, {} running, {} failed", get("queued"), get("running"), failed);
            say(if failed > 0 { Level::Warn } else { Level::Ok }, line);
        }
        if let Ok(pending) = comments::count_by_status(&db, CommentStatus::Pending).await {
            say(Level::Ok, format!("{pending} comment(s) waiting for moderation"));
        }
    }
    if config.database_url().starts_with("sqlite:") {
        let media = config.media_dir();
        if media.is_dir() {
            say(Level::Ok, format!("media directory {} exists", media.display()));
        } else {
            say(Level::Warn, format!("media directory {} does not exist yet", media.display()));
        }
    }
    db.close().await;
    if errors > 0 { Err(Fatal::runtime(format!("{errors} problem(s) found"))) } else { Ok(()) }
}
