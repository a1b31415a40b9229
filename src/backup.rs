//! `gazette backup --to FILE` and `gazette restore FILE`.
//!
//! A backup is a tar archive: `manifest.json` (format, engine, schema version, time), the
//! database (`gazette.db` from SQLite's `VACUUM INTO`, a consistent snapshot taken while the
//! site serves; or `postgres.dump` from `pg_dump`, which reads one snapshot too), then every
//! file of the media directory. Media files are written once under content-hashed names and
//! never changed, so copying them after the database snapshot captures every file the
//! snapshot refers to.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::command::{Fatal, open, prepare_data_dir};
use crate::config::Config;
use crate::store::{Engine, migrate, now_ms, redact_url};

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize, Debug)]
struct Manifest {
    format: u32,
    engine: String,
    schema_version: i64,
    created_at: i64,
    gazette_version: String,
}

pub async fn backup(config: &Config, to: &Path) -> Result<(), Fatal> {
    let db = open(config).await?;
    let schema_version = migrate::applied_version(&db).await?;
    if schema_version == 0 {
        return Err(Fatal::runtime("the database is empty: there is nothing to back up"));
    }
    let work = tempdir_beside(to)?;
    let result = async {
        let (db_name, db_file) = match db.engine() {
            Engine::Sqlite => {
                let file = work.join("gazette.db");
                let quoted = file.display().to_string().replace('\'', "''");
                let sql = sqlx::AssertSqlSafe(format!("vacuum into '{quoted}'"));
                sqlx::query(sql)
                    .execute(db.reader())
                    .await
                    .map_err(|e| Fatal::runtime(format!("cannot copy the SQLite database: {e}")))?;
                ("gazette.db", file)
            }
            Engine::Postgres => {
                let file = work.join("postgres.dump");
                run_tool(
                    "pg_dump",
                    &[
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        "--file",
                        &file.display().to_string(),
                        "--dbname",
                        &config.database_url(),
                    ],
                )
                .await?;
                ("postgres.dump", file)
            }
        };
        let manifest = Manifest {
            format: FORMAT,
            engine: db.engine().name().to_string(),
            schema_version,
            created_at: now_ms(),
            gazette_version: env!("CARGO_PKG_VERSION").to_string(),
        };
        let partial = partial_path(to);
        let media = config.media_dir();
        let manifest_json = serde_json::to_vec_pretty(&manifest).map_err(|e| Fatal::runtime(e.to_string()))?;
        let count = tokio::task::spawn_blocking({
            let partial = partial.clone();
            let db_file = db_file.clone();
            move || write_archive(&partial, &manifest_json, db_name, &db_file, &media)
        })
        .await
        .map_err(|e| Fatal::runtime(e.to_string()))??;
        std::fs::rename(&partial, to).map_err(|e| Fatal::runtime(format!("cannot write {}: {e}", to.display())))?;
        println!(
            "backed up the {} database (schema {schema_version}) and {count} media file(s) to {}",
            db.engine().name(),
            to.display()
        );
        Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&work);
    db.close().await;
    result
}

fn write_archive(path: &Path, manifest: &[u8], db_name: &str, db_file: &Path, media: &Path) -> Result<usize, Fatal> {
    let fail = |e: std::io::Error| Fatal::runtime(format!("cannot write the backup {}: {e}", path.display()));
    // The archive holds the whole database (password hashes, readers' e-mail addresses): only
    // the user Gazette runs as may read it, whatever the umask.
    let file = {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let file =
            std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path).map_err(fail)?;
        // `mode` applies to a new file only; a partial copy left by a crash keeps its own.
        file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(fail)?;
        file
    };
    let mut archive = tar::Builder::new(file);
    let mut header = tar::Header::new_gnu();
    header.set_size(manifest.len() as u64);
    header.set_mode(0o644);
    header.set_mtime((now_ms() / 1000) as u64);
    header.set_cksum();
    archive.append_data(&mut header, "manifest.json", manifest).map_err(fail)?;
    archive.append_path_with_name(db_file, db_name).map_err(fail)?;
    let count =
        if media.is_dir() { append_media(&mut archive, media, &walk(media).map_err(fail)?).map_err(fail)? } else { 0 };
    let file = archive.into_inner().map_err(fail)?;
    file.sync_all().map_err(fail)?;
    Ok(count)
}

/// Adds the media `files` under `media/`, and returns how many were added. The site keeps
/// running during a backup: a file listed but gone when read (never a stored file, those are
/// never removed by a write) is left out rather than failing the backup.
fn append_media(archive: &mut tar::Builder<File>, media: &Path, files: &[PathBuf]) -> std::io::Result<usize> {
    let mut count = 0;
    for file in files {
        let relative = file.strip_prefix(media).unwrap_or(file);
        match archive.append_path_with_name(file, Path::new("media").join(relative)) {
            Ok(()) => count += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(count)
}

/// Every stored file under `dir`, in a stable order (not those being written).
fn walk(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    crate::media::walk(dir).map(|(files, _)| files)
}

pub async fn restore(config: &Config, from: &Path) -> Result<(), Fatal> {
    let file = File::open(from).map_err(|e| Fatal::runtime(format!("cannot open {}: {e}", from.display())))?;
    let url = config.database_url();
    let engine =
        Engine::from_url(&url).ok_or_else(|| Fatal::usage(format!("{} is not a database URL", redact_url(&url))))?;
    // Refuse to overwrite anything: restore is for an empty data directory and database.
    match engine {
        Engine::Sqlite => {
            let path = sqlite_path(&url);
            if path.exists() && std::fs::metadata(&path).map(|m| m.len() > 0).unwrap_or(true) {
                return Err(Fatal::runtime(format!(
                    "{} already exists: restore only into an empty data directory (move it away first)",
                    path.display()
                )));
            }
            prepare_data_dir(config)?;
        }
        Engine::Postgres => {
            let db = open(config).await?;
            let version = migrate::applied_version(&db).await?;
            db.close().await;
            if version > 0 {
                return Err(Fatal::runtime(format!(
                    "the database {} already holds Gazette data: restore only into an empty database",
                    redact_url(&url)
                )));
            }
        }
    }
    let media_dir = config.media_dir();
    if std::fs::read_dir(&media_dir).map(|mut d| d.next().is_some()).unwrap_or(false) {
        return Err(Fatal::runtime(format!("the media directory {} is not empty", media_dir.display())));
    }
    let work = tempdir_beside(&media_dir)?;
    let extracted = tokio::task::spawn_blocking({
        let work = work.clone();
        move || -> Result<(), Fatal> {
            let mut archive = tar::Archive::new(file);
            archive.unpack(&work).map_err(|e| Fatal::runtime(format!("the backup cannot be read: {e}")))
        }
    })
    .await
    .map_err(|e| Fatal::runtime(e.to_string()))?;
    let result = async {
        extracted?;
        let manifest: Manifest = std::fs::read(work.join("manifest.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| Fatal::runtime("this file is not a Gazette backup (no readable manifest.json)"))?;
        if manifest.format != FORMAT {
            return Err(Fatal::runtime(format!("backup format {} is not supported by this gazette", manifest.format)));
        }
        if manifest.schema_version > migrate::latest_version() {
            return Err(Fatal::runtime(migrate::newer_database_message(
                manifest.schema_version,
                migrate::latest_version(),
            )));
        }
        if manifest.engine != engine.name() {
            return Err(Fatal::runtime(format!(
                "this backup holds a {} database; restore it with a {} database.url",
                manifest.engine, manifest.engine
            )));
        }
        match engine {
            Engine::Sqlite => {
                let target = sqlite_path(&url);
                copy_file(&work.join("gazette.db"), &target)?;
            }
            Engine::Postgres => {
                run_tool(
                    "pg_restore",
                    &[
                        "--no-owner",
                        "--no-privileges",
                        "--exit-on-error",
                        "--dbname",
                        &url,
                        &work.join("postgres.dump").display().to_string(),
                    ],
                )
                .await?;
            }
        }
        let media_src = work.join("media");
        let mut count = 0;
        if media_src.is_dir() {
            for file in walk(&media_src).map_err(|e| Fatal::runtime(e.to_string()))? {
                let relative = file.strip_prefix(&media_src).unwrap_or(&file);
                copy_file(&file, &media_dir.join(relative))?;
                count += 1;
            }
        }
        println!(
            "restored the {} database (schema {}) and {count} media file(s) from {}",
            manifest.engine,
            manifest.schema_version,
            from.display()
        );
        Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn copy_file(from: &Path, to: &Path) -> Result<(), Fatal> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Fatal::runtime(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::copy(from, to).map_err(|e| Fatal::runtime(format!("cannot write {}: {e}", to.display())))?;
    Ok(())
}

/// The file path of an `sqlite://path?options` URL.
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

fn partial_path(to: &Path) -> PathBuf {
    let mut name = to.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    to.with_file_name(name)
}

/// A fresh working directory next to `near`, on the same file system.
fn tempdir_beside(near: &Path) -> Result<PathBuf, Fatal> {
    let parent = near.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let dir = parent.join(format!(".gazette-backup-{}", crate::secrets::random_token(6)));
    std::fs::create_dir_all(&dir).map_err(|e| Fatal::runtime(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// Runs a PostgreSQL client tool, with a clear message when it is not installed.
async fn run_tool(tool: &str, args: &[&str]) -> Result<(), Fatal> {
    let output = tokio::process::Command::new(tool).args(args).output().await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Fatal::runtime(format!(
                "{tool} is not installed: install PostgreSQL's client tools (Debian: apt-get install postgresql-client) and retry"
            ))
        } else {
            Fatal::runtime(format!("cannot run {tool}: {e}"))
        }
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("no message");
        return Err(Fatal::runtime(format!("{tool} failed: {first}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gazette-backup-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("media/ab")).unwrap();
        dir
    }

    fn names_in(archive: &Path) -> Vec<String> {
        let mut archive = tar::Archive::new(File::open(archive).unwrap());
        archive.entries().unwrap().map(|entry| entry.unwrap().path().unwrap().display().to_string()).collect()
    }

    #[test]
    fn files_being_written_are_not_backed_up() {
        let dir = scratch("partial");
        let media = dir.join("media");
        let stored = crate::media::store_bytes(&media, b"picture", "png").unwrap();
        let writing = crate::media::partial_path(&media.join("ab/abcdef.w320.jpg"));
        std::fs::write(&writing, b"half").unwrap();
        std::fs::write(media.join("ab/abcdef.w320.partial"), b"left by a crash").unwrap();
        assert!(crate::media::is_partial(&writing));
        assert!(!crate::media::is_partial(&media.join(&stored)));

        assert_eq!(walk(&media).unwrap(), vec![media.join(&stored)]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_gone_between_listing_and_reading_is_left_out() {
        let dir = scratch("gone");
        let media = dir.join("media");
        let stored = crate::media::store_bytes(&media, b"picture", "png").unwrap();
        let listed = vec![media.join("ab/renamed-away.jpg"), media.join(&stored)];
        let path = dir.join("copy.tar");
        let mut archive = tar::Builder::new(File::create(&path).unwrap());

        assert_eq!(append_media(&mut archive, &media, &listed).unwrap(), 1);
        archive.into_inner().unwrap();
        assert_eq!(names_in(&path), vec![format!("media/{stored}")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
