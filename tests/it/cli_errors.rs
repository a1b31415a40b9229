//! Bad input on the command line: one clear line on stderr, the right exit code, no panic, and
//! nothing already stored is touched.

use crate::support::{TempDir, free_port, run_gazette};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_clean_failure(output: &std::process::Output, code: i32, words: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "exit code; stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
    let last = err.lines().last().unwrap_or("");
    assert!(last.starts_with("error: "), "one error line: {err}");
    for word in words {
        assert!(err.contains(word), "{word:?} not in {err}");
    }
}

#[test]
fn malformed_config_names_the_file_and_line() {
    let dir = TempDir::new("cli");
    std::fs::write(dir.path().join("gazette.toml"), "[server]\nlisten = \"127.0.0.1:1\n").unwrap();
    let output = run_gazette(dir.path(), &["check"], &[]);
    assert_clean_failure(&output, 2, &["gazette.toml:2:", "not valid TOML"]);
}

#[test]
fn unknown_config_key_names_the_key_and_the_file() {
    let dir = TempDir::new("cli");
    let file = dir.path().join("site.toml");
    std::fs::write(&file, "[server]\nlisen = \"127.0.0.1:1\"\n").unwrap();
    let output = run_gazette(dir.path(), &["--config", "site.toml", "check"], &[]);
    assert_clean_failure(&output, 2, &["site.toml", "lisen"]);
    let env_typo = run_gazette(dir.path(), &["check"], &[("GAZETTE_SERVER_LISTN", "x")]);
    assert_clean_failure(&env_typo, 2, &["GAZETTE_SERVER_LISTN"]);
}

#[test]
fn unsupported_database_url_is_a_usage_error() {
    let dir = TempDir::new("cli");
    let output = run_gazette(dir.path(), &["migrate"], &[("DATABASE_URL", "mysql://localhost/x")]);
    assert_clean_failure(&output, 2, &["mysql://localhost/x", "sqlite://", "postgres://"]);
}

#[test]
fn unreachable_database_says_what_to_check() {
    let dir = TempDir::new("cli");
    let port = free_port();
    let url = format!("postgres://gazette:secret@127.0.0.1:{port}/gazette");
    let output = run_gazette(dir.path(), &["migrate", "--database-url", &url], &[]);
    assert_clean_failure(&output, 1, &["cannot open the database", "DATABASE_URL"]);
    assert!(!stderr(&output).contains("secret"), "the password is not printed");
}

#[test]
fn port_in_use_is_reported_before_anything_else() {
    let dir = TempDir::new("cli");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = run_gazette(dir.path(), &["serve", "--listen", &addr], &[]);
    assert_clean_failure(&output, 1, &["cannot listen on", &addr, "--listen"]);
    assert!(!dir.path().join("gazette-data").exists(), "nothing was created");
}

#[test]
fn unwritable_data_directory_is_reported() {
    let dir = TempDir::new("cli");
    // A regular file where a directory should be: unwritable even for root.
    std::fs::write(dir.path().join("blocked"), b"file").unwrap();
    let output = run_gazette(dir.path(), &["migrate", "--data-dir", "blocked/data"], &[]);
    assert_clean_failure(&output, 1, &["data directory", "blocked/data", "--data-dir"]);
    assert_eq!(std::fs::read(dir.path().join("blocked")).unwrap(), b"file");
}

#[test]
fn database_from_a_newer_gazette_is_refused_untouched() {
    let dir = TempDir::new("cli");
    assert!(run_gazette(dir.path(), &["migrate"], &[]).status.success());
    let db = dir.path().join("gazette-data/gazette.db");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}", db.display());
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        sqlx::query("insert into schema_migrations (version, name, applied_at) values (9999, 'future', 0)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let before = std::fs::read(&db).unwrap();
    for args in [&["serve", "--listen", "127.0.0.1:0"][..], &["migrate"][..]] {
        let output = run_gazette(dir.path(), args, &[]);
        assert_clean_failure(&output, 1, &["9999", "newer Gazette"]);
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database file is unchanged");
}

#[test]
fn unknown_subcommand_and_bad_role_are_usage_errors() {
    let dir = TempDir::new("cli");
    let output = run_gazette(dir.path(), &["publish-everything"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let output = run_gazette(dir.path(), &["user", "add", "--email", "a@b.ma", "--name", "A", "--role", "king"], &[]);
    assert_clean_failure(&output, 2, &["king", "admin, editor, journalist or moderator"]);
}

#[test]
fn every_subcommand_has_help() {
    let dir = TempDir::new("cli");
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["demo", "--help"],
        &["user", "--help"],
        &["user", "add", "--help"],
        &["user", "tokens", "--help"],
        &["user", "revoke-token", "--help"],
        &["migrate", "--help"],
        &["check", "--help"],
        &["backup", "--help"],
        &["restore", "--help"],
        &["config", "example", "--help"],
    ] {
        let output = run_gazette(dir.path(), args, &[]);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn committed_example_config_matches_the_code() {
    let committed = include_str!("../../gazette.example.toml");
    let generated = gazette::config::Config::example_toml();
    assert!(
        committed == generated,
        "gazette.example.toml is out of date: run `cargo run -- config example > gazette.example.toml`"
    );
    let dir = TempDir::new("cli");
    let output = run_gazette(dir.path(), &["config", "example"], &[]);
    assert_eq!(String::from_utf8_lossy(&output.stdout), generated);
}
