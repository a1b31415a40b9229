//! Staff accounts (their API tokens are in `api_tokens`).

use serde::Serialize;
use sqlx::any::AnyRow;

use super::settings::LocalizedText;
use super::{Db, StoreError, StoreResult, Tx, col, flag, now_ms};
use crate::media::portraits::Portrait;
use crate::news::slug::slugify;
use crate::news::{Lang, Role};

#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub slug: String,
    pub role: Role,
    pub disabled: bool,
    pub bio: String,
    /// The name as each edition writes it, where it differs (« سلمى بنعلي »).
    pub names: LocalizedText,
    /// The bio in each edition's language, where written.
    pub bios: LocalizedText,
    /// The photo bylines show, cut from an image of the media library.
    pub photo: Option<Portrait>,
    /// The newsroom's language for this person; `None`: the site's default language.
    pub desk_language: Option<Lang>,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub created_at: i64,
}

/// The columns `from_row` reads, as a literal so queries stay `&'static str`.
macro_rules! user_columns {
    () => {
        "id, email, name, slug, role, disabled, bio, names, bios, photo, desk_language, password_hash, created_at"
    };
}

/// The same columns of `users` joined as `u` (sessions, API tokens).
macro_rules! joined_user_columns {
    () => {
        "u.id, u.email, u.name, u.slug, u.role, u.disabled, u.bio, u.names, u.bios, u.photo, u.desk_language, u.password_hash, u.created_at"
    };
}
pub(crate) use joined_user_columns;

pub(crate) fn from_row(row: &AnyRow) -> StoreResult<User> {
    let role: String = col(row, "role")?;
    Ok(User {
        id: col(row, "id")?,
        email: col(row, "email")?,
        name: col(row, "name")?,
        slug: col(row, "slug")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Other(format!("unknown role {role}")))?,
        disabled: flag(row, "disabled")?,
        bio: col(row, "bio")?,
        names: serde_json::from_str(&col::<String>(row, "names")?).unwrap_or_default(),
        bios: serde_json::from_str(&col::<String>(row, "bios")?).unwrap_or_default(),
        photo: photo_from(&col::<String>(row, "photo")?),
        desk_language: Lang::parse(&col::<String>(row, "desk_language")?),
        password_hash: col(row, "password_hash")?,
        created_at: col(row, "created_at")?,
    })
}

impl User {
    /// The name as `lang`'s edition writes it.
    pub fn name_in(&self, lang: Lang) -> &str {
        self.names.get(&lang).map(|n| n.trim()).filter(|n| !n.is_empty()).unwrap_or(&self.name)
    }

    /// The bio for `lang`'s edition: its own, else the plain one if it is written in the
    /// site's default language, else none (a French bio has no place on an Arabic page).
    pub fn bio_in(&self, lang: Lang, default_language: Lang) -> &str {
        match self.bios.get(&lang).map(|b| b.trim()).filter(|b| !b.is_empty()) {
            Some(bio) => bio,
            None if lang == default_language => &self.bio,
            None => "",
        }
    }
}

/// `name`, or its version in `lang` from the stored JSON of `users.names`.
pub fn name_in(name: &str, names_json: &str, lang: Option<Lang>) -> String {
    let names: LocalizedText = serde_json::from_str(names_json).unwrap_or_default();
    lang.and_then(|l| names.get(&l)).map(|n| n.trim()).filter(|n| !n.is_empty()).unwrap_or(name).to_string()
}

/// A new account.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: Option<String>,
    pub bio: &'a str,
}

/// Normalizes an e-mail address for storage and lookup.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn insert(tx: &mut Tx, user: &NewUser<'_>) -> StoreResult<User> {
    let now = now_ms();
    let email = normalize_email(user.email);
    let base = slugify(user.name);
    // Author pages need a unique slug: add -2, -3, ... when two staff share a name.
    let mut slug = base.clone();
    for n in 2.. {
        let taken =
            sqlx::query("select id from users where slug = $1").bind(slug.clone()).fetch_optional(&mut **tx).await?;
        if taken.is_none() {
            break;
        }
        slug = format!("{base}-{n}");
    }
    let sql = concat!(
        "insert into users (email, name, slug, password_hash, role, disabled, bio, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, 0, $6, $7, $7) returning ",
        user_columns!()
    );
    let row = sqlx::query(sql)
        .bind(email)
        .bind(user.name.to_string())
        .bind(slug)
        .bind(user.password_hash.clone())
        .bind(user.role.as_str())
        .bind(user.bio.to_string())
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    from_row(&row)
}

pub async fn by_email(db: &Db, email: &str) -> StoreResult<Option<User>> {
    let sql = concat!("select ", user_columns!(), " from users where email = $1");
    let row = sqlx::query(sql).bind(normalize_email(email)).fetch_optional(db.reader()).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(db: &Db, id: i64) -> StoreResult<Option<User>> {
    let sql = concat!("select ", user_columns!(), " from users where id = $1");
    let row = sqlx::query(sql).bind(id).fetch_optional(db.reader()).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_slug(db: &Db, slug: &str) -> StoreResult<Option<User>> {
    let sql = concat!("select ", user_columns!(), " from users where slug = $1");
    let row = sqlx::query(sql).bind(slug.to_string()).fetch_optional(db.reader()).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn all(db: &Db) -> StoreResult<Vec<User>> {
    let sql = concat!("select ", user_columns!(), " from users order by id");
    let rows = sqlx::query(sql).fetch_all(db.reader()).await?;
    rows.iter().map(from_row).collect()
}

pub async fn count_admins(db: &Db) -> StoreResult<i64> {
    let row = sqlx::query("select count(*) as n from users where role = 'admin' and disabled = 0")
        .fetch_one(db.reader())
        .await?;
    col(&row, "n")
}

/// Disables an account and ends its sessions and tokens. Returns false when no such account.
pub async fn disable(tx: &mut Tx, id: i64) -> StoreResult<bool> {
    let now = now_ms();
    let done = sqlx::query("update users set disabled = 1, updated_at = $2 where id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query("delete from sessions where user_id = $1").bind(id).execute(&mut **tx).await?;
    sqlx::query("update api_tokens set revoked_at = $2, updated_at = $2 where user_id = $1 and revoked_at is null")
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The second-factor secret of a user, if they turned it on.
pub async fn totp_secret(db: &Db, id: i64) -> StoreResult<Option<String>> {
    let row = sqlx::query("select totp_secret from users where id = $1").bind(id).fetch_optional(db.reader()).await?;
    Ok(row.map(|r| col::<Option<String>>(&r, "totp_secret")).transpose()?.flatten())
}

/// Claims a second-factor step for an account: true only the first time a code of that step
/// (or of a later one) is accepted, so a code opens one session at most, on every node.
pub async fn claim_totp_step(tx: &mut Tx, id: i64, step: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "update users set totp_last_step = $2 where id = $1 and (totp_last_step is null or totp_last_step < $2)",
    )
    .bind(id)
    .bind(step)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns the second factor on (with the step of the code that proved it) or off.
pub async fn set_totp_secret(tx: &mut Tx, id: i64, secret: Option<&str>, step: i64) -> StoreResult<()> {
    sqlx::query("update users set totp_secret = $2, totp_last_step = $3, updated_at = $4 where id = $1")
        .bind(id)
        .bind(secret.map(str::to_string))
        .bind(step)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn record_login(tx: &mut Tx, id: i64) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query("update users set last_login_at = $2 where id = $1").bind(id).bind(now).execute(&mut **tx).await?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, id: i64, phc: &str) -> StoreResult<()> {
    sqlx::query("update users set password_hash = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(phc.to_string())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> StoreResult<()> {
    sqlx::query("update users set disabled = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(i64::from(disabled))
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    if disabled {
        sqlx::query("delete from sessions where user_id = $1").bind(id).execute(&mut **tx).await?;
    }
    Ok(())
}

pub async fn set_role(tx: &mut Tx, id: i64, role: Role) -> StoreResult<()> {
    sqlx::query("update users set role = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(role.as_str())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What an author page shows of a member of staff.
#[derive(Debug, Default)]
pub struct Profile<'a> {
    pub name: &'a str,
    pub names: LocalizedText,
    pub bio: &'a str,
    pub bios: LocalizedText,
}

/// The portrait stored in a `photo` column: none when empty (or unreadable, which only a
/// hand-edited row could be).
pub fn photo_from(column: &str) -> Option<Portrait> {
    if column.is_empty() { None } else { serde_json::from_str(column).ok() }
}

/// Sets or removes the staff member's photo.
pub async fn set_photo(tx: &mut Tx, id: i64, photo: Option<&Portrait>) -> StoreResult<()> {
    let column = match photo {
        Some(p) => serde_json::to_string(p).map_err(|e| StoreError::Other(e.to_string()))?,
        None => String::new(),
    };
    sqlx::query("update users set photo = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(column)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_profile(tx: &mut Tx, id: i64, profile: &Profile<'_>) -> StoreResult<()> {
    let json = |text: &LocalizedText| serde_json::to_string(text).map_err(|e| StoreError::Other(e.to_string()));
    sqlx::query("update users set name = $2, names = $3, bio = $4, bios = $5, updated_at = $6 where id = $1")
        .bind(id)
        .bind(profile.name.to_string())
        .bind(json(&profile.names)?)
        .bind(profile.bio.to_string())
        .bind(json(&profile.bios)?)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The newsroom's language for a member of staff; `None` for the site's default.
pub async fn set_desk_language(tx: &mut Tx, id: i64, lang: Option<Lang>) -> StoreResult<()> {
    sqlx::query("update users set desk_language = $2, updated_at = $3 where id = $1")
        .bind(id)
        .bind(lang.map(|l| l.code()).unwrap_or_default().to_string())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Staff who can sign articles (for the co-author choices), by name.
pub async fn writers(db: &Db) -> StoreResult<Vec<User>> {
    let rows = sqlx::query(concat!(
        "select ",
        user_columns!(),
        " from users where role in ('admin', 'editor', 'journalist') order by disabled, name"
    ))
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(from_row).collect()
}
