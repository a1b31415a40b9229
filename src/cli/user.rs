//! `gazette user add | list | disable | token | tokens | revoke-token | second-factor-off`.

use std::io::{IsTerminal, Read};

use clap::Subcommand;

use crate::command::Fatal;
use crate::news::Role;
use crate::secrets;
use crate::store::api_tokens::TokenEnd;
use crate::store::users::{self, NewUser};
use crate::store::{Db, StoreError, api_tokens, audit, now_ms};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input when one is piped in;
    /// otherwise one is generated and printed once.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, editor, journalist or moderator.
        #[arg(long)]
        role: String,
    },
    /// List the accounts.
    List,
    /// Disable an account: it can no longer log in, and its sessions and tokens end.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Create an API token for an account (printed once).
    Token {
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "wire import".
        #[arg(long, default_value = "api")]
        name: String,
        /// Days until the token stops working; 0: it never expires (a machine you trust, with
        /// the token kept in its secret store).
        #[arg(long, default_value_t = DEFAULT_TOKEN_DAYS)]
        days: u32,
    },
    /// List an account's API tokens: name, when made, last used, expiry or revocation.
    Tokens {
        #[arg(long)]
        email: String,
    },
    /// Revoke an API token at once (its id is in `gazette user tokens`).
    RevokeToken {
        #[arg(long)]
        id: i64,
    },
    /// Turn an account's second factor off (a lost phone): the password alone logs in again,
    /// and the member can set up a new one in Mon compte.
    SecondFactorOff {
        #[arg(long)]
        email: String,
    },
}

/// A token that leaks from a forgotten script stops working within three months by default.
const DEFAULT_TOKEN_DAYS: u32 = 90;
const DAY_MS: i64 = 86_400_000;

pub async fn run(db: &Db, command: UserCommand) -> Result<(), Fatal> {
    match command {
        UserCommand::Add { email, name, role } => add(db, &email, &name, &role).await,
        UserCommand::List => {
            for user in users::all(db).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.id,
                    user.email,
                    user.role.as_str(),
                    if user.disabled { "disabled" } else { "active" },
                    user.name
                );
            }
            Ok(())
        }
        UserCommand::Disable { email } => {
            let user = existing(db, &email).await?;
            let mut tx = db.begin().await?;
            users::disable(&mut tx, user.id).await?;
            audit::record(
                &mut tx,
                &audit::Entry {
                    actor_id: None,
                    action: "user.disable",
                    object_type: "user",
                    object_id: Some(user.id),
                    detail: serde_json::json!({ "via": "cli" }),
                },
            )
            .await?;
            tx.commit().await?;
            println!("disabled {email}; their sessions and API tokens have ended");
            Ok(())
        }
        UserCommand::Token { email, name, days } => make_token(db, &email, &name, days).await,
        UserCommand::Tokens { email } => {
            let user = existing(db, &email).await?;
            for token in api_tokens::of_user(db, user.id).await? {
                let state = match token.end {
                    TokenEnd::Revoked(at) => format!("revoked {}", day_and_time(at)),
                    TokenEnd::Expired(at) => format!("expired {}", day_and_time(at)),
                    TokenEnd::Expires(at) => format!("expires {}", day_and_time(at)),
                    TokenEnd::Never => "never expires".to_string(),
                };
                let used = token.last_used_at.map(day_and_time).unwrap_or_else(|| "never".to_string());
                println!(
                    "{}\t{}\tmade {}\tlast used {used}\t{state}",
                    token.id,
                    token.name,
                    day_and_time(token.created_at)
                );
            }
            Ok(())
        }
        UserCommand::SecondFactorOff { email } => {
            let user = existing(db, &email).await?;
            if users::totp_secret(db, user.id).await?.is_none() {
                return Err(Fatal::usage(format!("the account {email} has no second factor")));
            }
            let mut tx = db.begin().await?;
            users::set_totp_secret(&mut tx, user.id, None, 0).await?;
            audit::record(
                &mut tx,
                &audit::Entry {
                    actor_id: None,
                    action: "user.totp_off",
                    object_type: "user",
                    object_id: Some(user.id),
                    detail: serde_json::json!({ "via": "cli" }),
                },
            )
            .await?;
            tx.commit().await?;
            println!("turned off the second factor of {email}; they log in with their password alone");
            Ok(())
        }
        UserCommand::RevokeToken { id } => {
            let mut tx = db.begin().await?;
            let Some(user_id) = api_tokens::revoke(&mut tx, id).await? else {
                return Err(Fatal::usage(format!("no live API token with the id {id} (see gazette user tokens)")));
            };
            audit::record(
                &mut tx,
                &audit::Entry {
                    actor_id: None,
                    action: "token.revoke",
                    object_type: "user",
                    object_id: Some(user_id),
                    detail: serde_json::json!({ "token": id, "via": "cli" }),
                },
            )
            .await?;
            tx.commit().await?;
            println!("revoked the API token {id}");
            Ok(())
        }
    }
}

async fn existing(db: &Db, email: &str) -> Result<users::User, Fatal> {
    users::by_email(db, email).await?.ok_or_else(|| Fatal::usage(format!("no account with the e-mail {email}")))
}

async fn make_token(db: &Db, email: &str, name: &str, days: u32) -> Result<(), Fatal> {
    let user = existing(db, email).await?;
    if user.disabled {
        return Err(Fatal::usage(format!("the account {email} is disabled")));
    }
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(Fatal::usage("the token's --name must be a line of text"));
    }
    let expires_at = (days > 0).then(|| now_ms() + i64::from(days) * DAY_MS);
    let token = secrets::random_token(24);
    let mut tx = db.begin().await?;
    let id = api_tokens::insert(&mut tx, user.id, name, &secrets::hash_token(&token), expires_at).await?;
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: None,
            action: "token.create",
            object_type: "user",
            object_id: Some(user.id),
            detail: serde_json::json!({ "token": id, "name": name, "expires_at": expires_at, "via": "cli" }),
        },
    )
    .await?;
    tx.commit().await?;
    println!("{token}");
    let lifetime = expires_at.map(|at| format!("until {}", day_and_time(at))).unwrap_or_else(|| "with no end".into());
    eprintln!("token {id} acts as {} ({}) {lifetime}; it is shown only now", user.email, user.role.as_str());
    Ok(())
}

/// A moment for the operator's terminal, in UTC (the server's logs are in UTC too).
fn day_and_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| ms.to_string())
}

async fn add(db: &Db, email: &str, name: &str, role: &str) -> Result<(), Fatal> {
    let role = Role::parse(role)
        .ok_or_else(|| Fatal::usage(format!("unknown role {role:?}: use admin, editor, journalist or moderator")))?;
    let email = email.trim();
    if !crate::news::looks_like_email(email) {
        return Err(Fatal::usage(format!("{email:?} is not an e-mail address")));
    }
    if name.trim().is_empty() {
        return Err(Fatal::usage("the name must not be empty"));
    }
    let (password, generated) = match read_piped_password()? {
        Some(p) => (p, false),
        None => (secrets::random_password(), true),
    };
    if password.chars().count() < 10 {
        return Err(Fatal::usage("the password must have at least 10 characters"));
    }
    let hash = secrets::hash_password(&password).map_err(Fatal::runtime)?;
    let mut tx = db.begin().await?;
    let user = users::insert(&mut tx, &NewUser { email, name: name.trim(), role, password_hash: Some(hash), bio: "" })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => Fatal::usage(format!("an account with the e-mail {email} already exists")),
            other => other.into(),
        })?;
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: None,
            action: "user.create",
            object_type: "user",
            object_id: Some(user.id),
            detail: serde_json::json!({ "role": role.as_str(), "via": "cli" }),
        },
    )
    .await?;
    tx.commit().await?;
    println!("created {} ({}) as {}", user.email, user.name, role.as_str());
    if generated {
        println!("password: {password}");
        println!("(shown only now; change it after logging in)");
    }
    Ok(())
}

/// A password piped on standard input (first line), or `None` on a terminal or empty input.
fn read_piped_password() -> Result<Option<String>, Fatal> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut text = String::new();
    stdin
        .lock()
        .take(4096)
        .read_to_string(&mut text)
        .map_err(|e| Fatal::runtime(format!("cannot read the password from standard input: {e}")))?;
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r').to_string();
    Ok(if line.is_empty() { None } else { Some(line) })
}
