//! One's own account: name and bio (shown on the author page), password, second factor, and
//! API tokens (for a program that writes through the API with one's role, as WordPress's
//! application passwords).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Touched};
use crate::error::{AppError, PageResult};
use crate::news::Lang;
use crate::secrets::{hash_password, totp, verify_password};
use crate::store::settings::LocalizedText;
use crate::store::users;
use crate::store::{api_tokens, audit, now_ms, sessions, throttle};
use crate::web::newsroom::session::{BASE, Staff, StaffForm, cookie, is_https, set_cookie_at};
use crate::web::newsroom::{Desk, Did, FieldErrors, finish, render};

#[derive(Serialize)]
struct AccountPage {
    #[serde(flatten)]
    desk: Desk,
    name: String,
    /// The name per edition: `name_ar`, `name_fr`, `name_en`.
    names: std::collections::BTreeMap<String, String>,
    bio: String,
    /// The bio per edition: `bio_ar`, `bio_fr`, `bio_en`.
    bios: std::collections::BTreeMap<String, String>,
    /// The media number of the photo, as typed or as set.
    photo: String,
    /// The portrait shown beside the field.
    portrait: Option<crate::media::portraits::Portrait>,
    email: String,
    /// The newsroom's language as chosen ("" for the site's), and the choices: (code, own name).
    desk_language: String,
    desk_languages: Vec<(&'static str, &'static str)>,
    site_language: &'static str,
    totp_on: bool,
    /// A proposed secret while turning the second factor on.
    new_secret: Option<String>,
    new_secret_uri: Option<String>,
    tokens: Vec<api_tokens::ApiToken>,
    /// A token just made: shown this once.
    new_token: Option<String>,
    token_name: String,
    token_days: u32,
    token_days_choices: &'static [u32],
    errors: FieldErrors,
}

/// What the person typed, given back when a form is refused (or a token just made).
#[derive(Default)]
struct Typed {
    name: Option<String>,
    names: Option<std::collections::BTreeMap<String, String>>,
    bio: Option<String>,
    bios: Option<std::collections::BTreeMap<String, String>>,
    photo: Option<String>,
    desk_language: Option<String>,
    secret: Option<String>,
    token_name: Option<String>,
    token_days: Option<u32>,
    new_token: Option<String>,
}

/// The lifetimes a token made in the newsroom may have, in days; a token that never expires
/// is for operators, on the command line.
const TOKEN_DAYS: &[u32] = &[30, 90, 365];
const DEFAULT_TOKEN_DAYS: u32 = 90;

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    errors: FieldErrors,
    ok: Option<&str>,
    typed: Typed,
) -> PageResult<Response> {
    let totp_on = users::totp_secret(state.db(), staff.user.id).await?.is_some();
    let secret = if totp_on { None } else { Some(typed.secret.unwrap_or_else(totp::new_secret)) };
    let uri = secret.as_ref().map(|s| totp::uri(s, &staff.user.email, &state.site().name));
    let refused = !errors.is_empty();
    let view = AccountPage {
        desk: Desk::new(state, staff, "/compte", ok),
        name: typed.name.unwrap_or_else(|| staff.user.name.clone()),
        names: typed.names.unwrap_or_else(|| by_field("name", &staff.user.names)),
        bios: typed.bios.unwrap_or_else(|| by_field("bio", &staff.user.bios)),
        bio: typed.bio.unwrap_or_else(|| staff.user.bio.clone()),
        photo: typed
            .photo
            .unwrap_or_else(|| staff.user.photo.as_ref().map(|p| p.media_id.to_string()).unwrap_or_default()),
        portrait: staff.user.photo.clone(),
        email: staff.user.email.clone(),
        desk_language: typed
            .desk_language
            .unwrap_or_else(|| staff.user.desk_language.map(|l| l.code().to_string()).unwrap_or_default()),
        desk_languages: Lang::ALL.iter().map(|l| (l.code(), l.native_name())).collect(),
        site_language: state.site().default_language.native_name(),
        totp_on,
        new_secret: secret,
        new_secret_uri: uri,
        tokens: api_tokens::of_user(state.db(), staff.user.id).await?,
        new_token: typed.new_token,
        token_name: typed.token_name.unwrap_or_default(),
        token_days: typed.token_days.unwrap_or(DEFAULT_TOKEN_DAYS),
        token_days_choices: TOKEN_DAYS,
        errors,
    };
    let mut response = render(state, "newsroom/account.html", &view)?;
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn show_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    staff: Staff,
    Query(q): Query<OkQuery>,
) -> PageResult<Response> {
    let new_token = cookie(&headers, NEW_TOKEN_COOKIE)
        .filter(|token| !token.is_empty() && token.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_string);
    let shown = new_token.is_some();
    let typed = Typed { new_token, ..Typed::default() };
    let mut response = page(&state, &staff, FieldErrors::default(), q.ok.as_deref(), typed).await?;
    if shown {
        // Shown once: the cookie goes, and the page is kept by no cache.
        let secure = is_https(&state, &headers);
        response.headers_mut().append(header::SET_COOKIE, new_token_cookie("", 0, secure));
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileInput {
    name: String,
    name_fr: String,
    name_ar: String,
    name_en: String,
    bio: String,
    bio_fr: String,
    bio_ar: String,
    bio_en: String,
    /// A media library number, or nothing for no photo.
    photo: String,
}

/// A text per language as form fields: {"name_fr": …, "name_ar": …}.
fn by_field(prefix: &str, text: &LocalizedText) -> std::collections::BTreeMap<String, String> {
    Lang::ALL.iter().map(|l| (format!("{prefix}_{}", l.code()), text.get(l).cloned().unwrap_or_default())).collect()
}

/// The texts given per language, trimmed.
fn given(fr: &str, ar: &str, en: &str) -> LocalizedText {
    [(Lang::Fr, fr), (Lang::Ar, ar), (Lang::En, en)]
        .into_iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(l, t)| (l, t.trim().replace("\r\n", "\n")))
        .collect()
}

impl ProfileInput {
    fn names_typed(&self) -> [(&'static str, &String); 3] {
        [("name_fr", &self.name_fr), ("name_ar", &self.name_ar), ("name_en", &self.name_en)]
    }

    fn names(&self) -> LocalizedText {
        given(&self.name_fr, &self.name_ar, &self.name_en)
    }

    fn bios(&self) -> LocalizedText {
        given(&self.bio_fr, &self.bio_ar, &self.bio_en)
    }
}

pub async fn save_profile(State(state): State<AppState>, form: StaffForm<ProfileInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    let mut errors = FieldErrors::default();
    let too_long = |n: &str| n.chars().count() > 120;
    let message = || state.catalog().text(staff.lang(&state), "newsroom.team.error.name", &[]);
    if input.name.trim().is_empty() || too_long(&input.name) {
        errors.add("name", message());
    }
    for (field, value) in input.names_typed() {
        if too_long(value) {
            errors.add(field, message());
        }
    }
    let photo = match portrait(&state, &staff, &input.photo).await? {
        Ok(photo) => photo,
        Err(key) => {
            let text = state.catalog().text(staff.lang(&state), &format!("newsroom.account.error.{key}"), &[]);
            errors.add("photo", text);
            None
        }
    };
    if !errors.is_empty() {
        let typed = Typed {
            names: Some(by_field("name", &input.names())),
            bios: Some(by_field("bio", &input.bios())),
            name: Some(input.name),
            bio: Some(input.bio),
            photo: Some(input.photo),
            ..Typed::default()
        };
        return page(&state, &staff, errors, None, typed).await;
    }
    let mut tx = state.db().begin().await?;
    let profile =
        users::Profile { name: input.name.trim(), names: input.names(), bio: input.bio.trim(), bios: input.bios() };
    users::set_profile(&mut tx, staff.user.id, &profile).await?;
    users::set_photo(&mut tx, staff.user.id, photo.as_ref()).await?;
    tx.commit().await?;
    state.content_changed();
    Ok(Redirect::to(&format!("{BASE}/compte?ok=saved")).into_response())
}

/// The portrait the form names (an image number from the media library): the current one
/// when it stays, squares cut anew from another image. `Err` holds the error message's key.
async fn portrait(
    state: &AppState,
    staff: &Staff,
    typed: &str,
) -> PageResult<Result<Option<crate::media::portraits::Portrait>, &'static str>> {
    let typed = typed.trim().trim_start_matches('#');
    if typed.is_empty() {
        return Ok(Ok(None));
    }
    let Ok(media_id) = typed.parse::<i64>() else { return Ok(Err("photo")) };
    if let Some(current) = staff.user.photo.as_ref().filter(|p| p.media_id == media_id) {
        return Ok(Ok(Some(current.clone())));
    }
    let Some(item) = crate::store::media::by_id(state.db(), media_id).await? else { return Ok(Err("photo")) };
    let media_dir = state.config().media_dir();
    let made = tokio::task::spawn_blocking(move || {
        crate::media::portraits::make(&media_dir, &item.storage_key, media_id, item.focus)
    })
    .await
    .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    Ok(made.map(Some).map_err(|_| "photo_unreadable"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskLanguageInput {
    /// A language's code, or nothing for the site's default.
    desk_language: String,
}

/// Sets the language the newsroom speaks to this person: its menus, messages, dates, numbers
/// and direction (Arabic right to left). Readers' pages are not concerned.
pub async fn set_desk_language(
    State(state): State<AppState>,
    form: StaffForm<DeskLanguageInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    let typed = input.desk_language.trim();
    let chosen = Lang::parse(typed);
    if chosen.is_none() && !typed.is_empty() {
        let mut errors = FieldErrors::default();
        errors.add(
            "desk_language",
            state.catalog().text(staff.lang(&state), "newsroom.account.error.desk_language", &[]),
        );
        let typed = Typed { desk_language: Some(typed.to_string()), ..Typed::default() };
        return page(&state, &staff, errors, None, typed).await;
    }
    let mut tx = state.db().begin().await?;
    users::set_desk_language(&mut tx, staff.user.id, chosen).await?;
    let did = Did {
        action: "account.language",
        object_type: "user",
        object_id: Some(staff.user.id),
        detail: serde_json::json!({ "desk_language": chosen.map(|l| l.code()) }),
    };
    finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/compte?ok=language")).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordInput {
    current: String,
    password: String,
    confirm: String,
}

/// Changes the password (the current one is asked) and ends the other sessions.
pub async fn change_password(State(state): State<AppState>, form: StaffForm<PasswordInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    let lang = staff.lang(&state);
    let mut errors = FieldErrors::default();
    if let Err(message) = confirm_password(&state, &staff, &input.current).await? {
        errors.add("current", message);
    } else if input.password.chars().count() < 10 {
        errors.add("password", state.catalog().text(lang, "newsroom.password.too_short", &[]));
    } else if input.password != input.confirm {
        errors.add("confirm", state.catalog().text(lang, "newsroom.password.mismatch", &[]));
    }
    if !errors.is_empty() {
        return page(&state, &staff, errors, None, Typed::default()).await;
    }
    let password = input.password.clone();
    let phc = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let mut tx = state.db().begin().await?;
    users::set_password(&mut tx, staff.user.id, &phc).await?;
    sessions::delete_for_user(&mut tx, staff.user.id, Some(&staff.session_id)).await?;
    let did = Did {
        action: "user.password",
        object_type: "user",
        object_id: Some(staff.user.id),
        detail: serde_json::json!({}),
    };
    finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/compte?ok=password")).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TotpInput {
    /// "enable" or "disable".
    action: String,
    secret: String,
    code: String,
    /// The account's password, asked when turning the factor on.
    password: String,
}

/// Turns the second factor on (proving the app works with a code) or off (with a code too).
pub async fn set_second_factor(State(state): State<AppState>, form: StaffForm<TotpInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    let lang = staff.lang(&state);
    let current = users::totp_secret(state.db(), staff.user.id).await?;
    let enable = input.action == "enable";
    let refuse = |field: &'static str, message: String, proposed: Option<String>| {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        (errors, Typed { secret: proposed, ..Typed::default() })
    };
    let text = |key: &str| state.catalog().text(lang, key, &[]);
    let proof = match (&current, enable) {
        // Replacing a second factor that is on would need no code of it: turn it off first.
        (Some(_), true) => Err(("code", text("newsroom.account.error.totp_already_on"))),
        // Turning it on asks for the password: a stolen session alone cannot put the thief's
        // phone on the account and lock its owner out.
        (None, true) => match confirm_password(&state, &staff, &input.password).await? {
            Err(message) => Err(("totp_password", message)),
            Ok(()) => totp::verified_step(input.secret.trim(), &input.code, now_ms() / 1000)
                .ok_or_else(|| ("code", text("newsroom.login.wrong_code"))),
        },
        (Some(secret), false) => confirm_code(&state, &staff, secret, &input.code).await?.map_err(|m| ("code", m)),
        (None, false) => Err(("code", text("newsroom.login.wrong_code"))),
    };
    let step = match proof {
        Ok(step) => step,
        Err((field, message)) => {
            let proposed = (enable && current.is_none()).then_some(input.secret);
            let (errors, typed) = refuse(field, message, proposed);
            return page(&state, &staff, errors, None, typed).await;
        }
    };
    let mut tx = state.db().begin().await?;
    users::set_totp_secret(&mut tx, staff.user.id, enable.then_some(input.secret.trim()), step).await?;
    let did = Did {
        action: if enable { "user.totp_on" } else { "user.totp_off" },
        object_type: "user",
        object_id: Some(staff.user.id),
        detail: serde_json::json!({}),
    };
    finish(
        &state,
        &staff,
        tx,
        did,
        Touched::Nothing,
        &format!("{BASE}/compte?ok={}", if enable { "totp_on" } else { "totp_off" }),
    )
    .await
}

/// The throttle key of an account: wrong passwords and codes count together, here as at login.
fn account_key(staff: &Staff) -> [String; 1] {
    [format!("account:{}", staff.user.email)]
}

/// Checks a code of the account's second factor as login does: once (the step is claimed, so a
/// code seen over a shoulder is spent), each wrong one counting against the account, none
/// checked while the account must wait. The step of a right code, or what the form says.
async fn confirm_code(state: &AppState, staff: &Staff, secret: &str, code: &str) -> PageResult<Result<i64, String>> {
    let keys = account_key(staff);
    if let Some(wait) = must_wait(state, staff, &keys).await? {
        return Ok(Err(wait));
    }
    let mut tx = state.db().begin().await?;
    let step = totp::verified_step(secret, code, now_ms() / 1000);
    let claimed = match step {
        Some(step) => users::claim_totp_step(&mut tx, staff.user.id, step).await?,
        None => false,
    };
    let proof = match step.filter(|_| claimed) {
        Some(step) => {
            throttle::clear(&mut tx, &keys[0]).await?;
            Ok(step)
        }
        None => {
            throttle::record_failure(&mut tx, &keys).await?;
            Err(state.catalog().text(staff.lang(state), "newsroom.login.wrong_code", &[]))
        }
    };
    tx.commit().await?;
    Ok(proof)
}

/// Checks the account's password as login does (argon2, off the async threads): a wrong one
/// counts against the account, none is checked while the account must wait. What the form
/// says when it is not the password.
async fn confirm_password(state: &AppState, staff: &Staff, password: &str) -> PageResult<Result<(), String>> {
    let keys = account_key(staff);
    if let Some(wait) = must_wait(state, staff, &keys).await? {
        return Ok(Err(wait));
    }
    let (password, phc) = (password.to_string(), staff.user.password_hash.clone().unwrap_or_default());
    let right = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = state.db().begin().await?;
    let proof = if right {
        throttle::clear(&mut tx, &keys[0]).await?;
        Ok(())
    } else {
        throttle::record_failure(&mut tx, &keys).await?;
        Err(state.catalog().text(staff.lang(state), "newsroom.login.wrong", &[]))
    };
    tx.commit().await?;
    Ok(proof)
}

/// "Wait N seconds" when the account's wrong passwords and codes ask for a pause.
async fn must_wait(state: &AppState, staff: &Staff, keys: &[String]) -> PageResult<Option<String>> {
    let wait = throttle::wait_ms(state.db(), keys).await?;
    Ok((wait > 0).then(|| {
        let seconds = ((wait + 999) / 1000).to_string();
        state.catalog().text(staff.lang(state), "newsroom.login.wait", &[("seconds", &seconds)])
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenInput {
    name: String,
    days: String,
    /// The account's password, asked again: a stolen session alone cannot make a token that
    /// would outlive the session.
    password: String,
    /// A second-factor code, when the account has one.
    code: String,
}

/// Makes an API token for oneself and shows it, once, on the account page.
pub async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: StaffForm<TokenInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    let lang = staff.lang(&state);
    let mut errors = FieldErrors::default();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        errors.add("token_name", state.catalog().text(lang, "newsroom.account.error.token_name", &[]));
    }
    let days = input.days.trim().parse::<u32>().ok().filter(|days| TOKEN_DAYS.contains(days));
    if days.is_none() {
        errors.add("token_days", state.catalog().text(lang, "newsroom.account.error.token_days", &[]));
    }
    if errors.is_empty() {
        if let Err(message) = confirm_password(&state, &staff, &input.password).await? {
            errors.add("token_password", message);
        } else if let Some(secret) = users::totp_secret(state.db(), staff.user.id).await?
            && let Err(message) = confirm_code(&state, &staff, &secret, &input.code).await?
        {
            errors.add("token_code", message);
        }
    }
    let (Some(days), true) = (days, errors.is_empty()) else {
        let typed = Typed { token_name: Some(input.name), token_days: days, ..Typed::default() };
        return page(&state, &staff, errors, None, typed).await;
    };
    let token = crate::secrets::random_token(24);
    let expires_at = now_ms() + i64::from(days) * 86_400_000;
    let mut tx = state.db().begin().await?;
    let id =
        api_tokens::insert(&mut tx, staff.user.id, name, &crate::secrets::hash_token(&token), Some(expires_at)).await?;
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: Some(staff.user.id),
            action: "token.create",
            object_type: "user",
            object_id: Some(staff.user.id),
            detail: serde_json::json!({ "token": id, "name": name, "expires_at": expires_at, "via": "newsroom" }),
        },
    )
    .await?;
    tx.commit().await?;
    // Shown by the page this leads to, once: a reload of that page does not post the form
    // again (and make a second token), and the token never sits in a cached answer.
    let mut response = Redirect::to(&format!("{BASE}/compte?ok=token_made#jetons")).into_response();
    let cookie = new_token_cookie(&token, NEW_TOKEN_SECONDS, is_https(&state, &headers));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// The cookie that carries a new token to the page that shows it: sent to the account page
/// only, for five minutes at most, and cleared by that page.
const NEW_TOKEN_COOKIE: &str = "gz_new_token";
const NEW_TOKEN_SECONDS: i64 = 300;

fn new_token_cookie(value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    set_cookie_at(&format!("{BASE}/compte"), "Strict", NEW_TOKEN_COOKIE, value, max_age_s, secure)
}

#[derive(Deserialize, Default)]
pub struct Nothing {}

/// Revokes one of one's own API tokens.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<Nothing>,
) -> PageResult<Response> {
    let staff = form.staff;
    let mut tx = state.db().begin().await?;
    if !api_tokens::revoke_own(&mut tx, id, staff.user.id).await? {
        return Err(AppError::NotFound.into());
    }
    let did = Did {
        action: "token.revoke",
        object_type: "user",
        object_id: Some(staff.user.id),
        detail: serde_json::json!({ "token": id, "via": "newsroom" }),
    };
    finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/compte?ok=token_revoked")).await
}
