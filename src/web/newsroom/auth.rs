//! Logging in and out, the optional second factor, and password resets by e-mail.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::error::{AppError, PageError, PageResult};
use crate::jobs::{self, Job};
use crate::mail::Mail;
use crate::secrets::{constant_time_eq, hash_password, keyed_hash, random_token, totp, verify_password};
use crate::store::users::{self, User};
use crate::store::{account_tokens, audit, now_ms, sessions, throttle};
use crate::web::client::ClientInfo;
use crate::web::newsroom::render;
use crate::web::newsroom::session::{
    BASE, LOGIN_COOKIE, SESSION_COOKIE, SESSION_TTL_MS, Staff, StaffForm, cookie, is_https, safe_next, set_cookie,
};

/// A password hash that no password matches, so an unknown e-mail costs as much time as a
/// known one and does not tell which accounts exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9KxKXC0g8OSq2vGmfyxH0mfJxwh0wYQIv3YpnO5mF3k";

/// Reset and invitation links work for this long.
const RESET_TTL_MS: i64 = 2 * 3_600_000;
const INVITE_TTL_MS: i64 = 7 * 24 * 3_600_000;
/// The second step of a login (the code) must come within five minutes.
const SECOND_STEP_TTL_MS: i64 = 5 * 60_000;

#[derive(Serialize, Default)]
struct LoginPage {
    lang: &'static str,
    dir: &'static str,
    site_name: String,
    csrf: String,
    email: String,
    next: String,
    error: Option<String>,
    /// Second step: the signed ticket that says the password was right.
    ticket: Option<String>,
    notice: Option<String>,
}

fn page(state: &AppState, csrf: String) -> LoginPage {
    let site = state.site();
    LoginPage {
        lang: site.default_language.code(),
        dir: site.default_language.dir(),
        site_name: site.name.clone(),
        csrf,
        ..Default::default()
    }
}

fn text(state: &AppState, key: &str, args: &[(&str, &str)]) -> String {
    state.catalog().text(state.site().default_language, key, args)
}

/// The login form's CSRF token: the one in its cookie, or a new one (with the cookie to set).
fn login_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, LOGIN_COOKIE) {
        Some(token) if token.len() == 32 && token.chars().all(|c| c.is_ascii_hexdigit()) => (token.to_string(), false),
        _ => (random_token(16), true),
    }
}

fn with_login_cookie(
    state: &AppState,
    headers: &HeaderMap,
    mut response: Response,
    token: &str,
    fresh: bool,
) -> Response {
    if fresh {
        response
            .headers_mut()
            .append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, token, 3600, is_https(state, headers)));
    }
    response
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    ok: Option<String>,
}

pub async fn show_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> PageResult<Response> {
    let (token, fresh) = login_token(&headers);
    let mut login = page(&state, token.clone());
    login.next = safe_next(query.next.as_deref());
    login.notice =
        query.ok.filter(|k| k == "reset" || k == "logout").map(|k| text(&state, &format!("newsroom.ok.{k}"), &[]));
    let response = render(&state, "newsroom/login.html", &login)?;
    Ok(with_login_cookie(&state, &headers, response, &token, fresh))
}

#[derive(Deserialize)]
pub struct LoginInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// A signed, short-lived statement that `user_id` gave the right password.
fn ticket(state: &AppState, user_id: i64) -> String {
    let expires = now_ms() + SECOND_STEP_TTL_MS;
    let payload = format!("{user_id}.{expires}");
    format!("{payload}.{}", keyed_hash(state.secret(), format!("second-step:{payload}").as_bytes()))
}

fn read_ticket(state: &AppState, ticket: &str) -> Option<i64> {
    let mut parts = ticket.splitn(3, '.');
    let (user, expires, sig) = (parts.next()?, parts.next()?, parts.next()?);
    let expected = keyed_hash(state.secret(), format!("second-step:{user}.{expires}").as_bytes());
    (constant_time_eq(sig, &expected) && expires.parse::<i64>().ok()? > now_ms()).then(|| user.parse().ok()).flatten()
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientInfo,
    Form(input): Form<LoginInput>,
) -> PageResult<Response> {
    let (token, fresh) = login_token(&headers);
    let mut login = page(&state, token.clone());
    login.email = input.email.trim().chars().take(200).collect();
    login.next = safe_next(Some(&input.next));
    let refuse = |mut login: LoginPage, message: String| -> PageResult<Response> {
        login.error = Some(message);
        let mut response = render(&state, "newsroom/login.html", &login)?;
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        Ok(with_login_cookie(&state, &headers, response, &token, fresh))
    };
    if fresh || !constant_time_eq(&input.csrf, &token) {
        return refuse(login, text(&state, "newsroom.login.expired", &[]));
    }
    let address_key = format!("address:{}", &keyed_hash(state.secret(), client.addr.as_bytes())[..24]);
    let account_key = format!("account:{}", users::normalize_email(&input.email));
    let keys = [account_key.clone(), address_key.clone()];
    let wait = throttle::wait_ms(state.db(), &keys).await?;
    if wait > 0 {
        let seconds = ((wait + 999) / 1000).to_string();
        return refuse(login, text(&state, "newsroom.login.wait", &[("seconds", &seconds)]));
    }
    let user = users::by_email(state.db(), &input.email).await?;
    let password = input.password.clone();
    let phc = user.as_ref().and_then(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.to_string());
    // argon2 takes tens of milliseconds on purpose: keep it off the async threads.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let user = match user {
        Some(user) if matches && !user.disabled => user,
        _ => {
            let mut tx = state.db().begin().await?;
            throttle::record_failure(&mut tx, &keys).await?;
            audit::record(
                &mut tx,
                &audit::Entry {
                    actor_id: None,
                    action: "login.fail",
                    object_type: "user",
                    object_id: None,
                    detail: serde_json::json!({ "email": login.email }),
                },
            )
            .await?;
            tx.commit().await?;
            return refuse(login, text(&state, "newsroom.login.wrong", &[]));
        }
    };
    if users::totp_secret(state.db(), user.id).await?.is_some() {
        login.ticket = Some(ticket(&state, user.id));
        let response = render(&state, "newsroom/login.html", &login)?;
        return Ok(with_login_cookie(&state, &headers, response, &token, fresh));
    }
    start_session(&state, &headers, &client, &user, &login.next, &account_key).await
}

#[derive(Deserialize)]
pub struct CodeInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// The second step: the authenticator's code.
pub async fn login_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientInfo,
    Form(input): Form<CodeInput>,
) -> PageResult<Response> {
    let (token, fresh) = login_token(&headers);
    let mut login = page(&state, token.clone());
    login.next = safe_next(Some(&input.next));
    // A refused form answers 422, like the first step's refusals.
    let refused = |response: Response| {
        let mut response = response;
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        response
    };
    if fresh || !constant_time_eq(&input.csrf, &token) {
        login.error = Some(text(&state, "newsroom.login.expired", &[]));
        let page = render(&state, "newsroom/login.html", &login)?;
        return Ok(refused(with_login_cookie(&state, &headers, page, &token, fresh)));
    }
    let Some(user_id) = read_ticket(&state, &input.ticket) else {
        login.error = Some(text(&state, "newsroom.login.expired", &[]));
        return Ok(refused(render(&state, "newsroom/login.html", &login)?));
    };
    let user = users::by_id(state.db(), user_id).await?.ok_or(AppError::Forbidden)?;
    let account_key = format!("account:{}", user.email);
    let keys = [account_key.clone()];
    let wait = throttle::wait_ms(state.db(), &keys).await?;
    // No secret (turned off since the password step): no code is right, not even the empty
    // key's, which anyone can compute.
    let secret = users::totp_secret(state.db(), user.id).await?.filter(|s| !s.is_empty());
    let mut tx = state.db().begin().await?;
    let step =
        secret.and_then(|secret| totp::verified_step(&secret, &input.code, now_ms() / 1000)).filter(|_| wait == 0);
    let accepted = match step {
        Some(step) => users::claim_totp_step(&mut tx, user.id, step).await?,
        None => false,
    };
    if !accepted {
        throttle::record_failure(&mut tx, &keys).await?;
        tx.commit().await?;
        login.ticket = Some(input.ticket);
        login.error = Some(text(&state, "newsroom.login.wrong_code", &[]));
        let mut response = render(&state, "newsroom/login.html", &login)?;
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    tx.commit().await?;
    start_session(&state, &headers, &client, &user, &login.next, &account_key).await
}

async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    client: &ClientInfo,
    user: &User,
    next: &str,
    account_key: &str,
) -> PageResult<Response> {
    let ip_hash = keyed_hash(state.secret(), client.addr.as_bytes())[..24].to_string();
    let mut tx = state.db().begin().await?;
    let (token, _) = sessions::create(&mut tx, user.id, &ip_hash, &client.user_agent, SESSION_TTL_MS).await?;
    throttle::clear(&mut tx, account_key).await?;
    users::record_login(&mut tx, user.id).await?;
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: Some(user.id),
            action: "login",
            object_type: "user",
            object_id: Some(user.id),
            detail: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    let mut response = Redirect::to(next).into_response();
    let secure = is_https(state, headers);
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, SESSION_TTL_MS / 1000, secure));
    response.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", 0, secure));
    Ok(response)
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, form: StaffForm<Empty>) -> PageResult<Response> {
    sessions::delete(state.db(), &form.staff.session_id).await?;
    let mut response = Redirect::to(&format!("{BASE}/connexion?ok=logout")).into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, is_https(&state, &headers)));
    Ok(response)
}

pub async fn show_forgot(State(state): State<AppState>, headers: HeaderMap) -> PageResult<Response> {
    let (token, fresh) = login_token(&headers);
    let response = render(&state, "newsroom/forgot.html", &page(&state, token.clone()))?;
    Ok(with_login_cookie(&state, &headers, response, &token, fresh))
}

#[derive(Deserialize)]
pub struct ForgotInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// Sends a reset link if the account exists; answers the same either way.
pub async fn forgot(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientInfo,
    Form(input): Form<ForgotInput>,
) -> PageResult<Response> {
    let (token, fresh) = login_token(&headers);
    let mut sent = page(&state, token.clone());
    sent.email = input.email.trim().chars().take(200).collect();
    if fresh || !constant_time_eq(&input.csrf, &token) {
        sent.error = Some(text(&state, "newsroom.login.expired", &[]));
        let mut response = render(&state, "newsroom/forgot.html", &sent)?;
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(with_login_cookie(&state, &headers, response, &token, fresh));
    }
    // Resets are throttled like logins, so the form cannot be used to flood an inbox.
    let keys = [
        format!("reset:{}", users::normalize_email(&input.email)),
        format!("reset-address:{}", &keyed_hash(state.secret(), client.addr.as_bytes())[..24]),
    ];
    if throttle::wait_ms(state.db(), &keys).await? == 0 {
        let mut tx = state.db().begin().await?;
        throttle::record_failure(&mut tx, &keys).await?;
        if let Some(user) = users::by_email(state.db(), &input.email).await?.filter(|u| !u.disabled) {
            send_account_link(&state, &mut tx, &user, "reset").await?;
        }
        tx.commit().await?;
    }
    sent.notice = Some(text(&state, "newsroom.forgot.sent", &[]));
    render(&state, "newsroom/forgot.html", &sent)
}

/// Issues a reset or invitation token for `user` and queues the mail, in `tx`.
pub async fn send_account_link(
    state: &AppState,
    tx: &mut crate::store::Tx,
    user: &User,
    purpose: &str,
) -> Result<(), PageError> {
    let ttl = if purpose == "invite" { INVITE_TTL_MS } else { RESET_TTL_MS };
    let token = account_tokens::issue(tx, user.id, purpose, ttl).await?;
    let link = format!("{}{BASE}/reinitialiser/{token}", state.config().base_url());
    let site = state.site().name.clone();
    let key = format!("newsroom.mail.{purpose}");
    let mail = Mail {
        to: user.email.clone(),
        subject: text(state, &format!("{key}_subject"), &[("site", &site)]),
        text: text(state, &format!("{key}_body"), &[("name", &user.name), ("site", &site), ("link", &link)]),
        html: None,
        headers: Vec::new(),
    };
    jobs::enqueue(tx, &Job::SendMail { mail }, now_ms(), state.config().jobs.max_attempts).await?;
    Ok(())
}

#[derive(Serialize)]
struct ResetPage {
    #[serde(flatten)]
    base: LoginPage,
    token: String,
    name: String,
}

pub async fn show_reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(link): Path<String>,
) -> PageResult<Response> {
    let mut tx = state.db().begin().await?;
    let owner = account_tokens::peek(&mut tx, &link).await?;
    tx.rollback().await?;
    let (user_id, _) = owner.ok_or(AppError::NotFound)?;
    let user = users::by_id(state.db(), user_id).await?.ok_or(AppError::NotFound)?;
    let (token, fresh) = login_token(&headers);
    let reset = ResetPage { base: page(&state, token.clone()), token: link, name: user.name };
    let response = render(&state, "newsroom/reset.html", &reset)?;
    Ok(with_login_cookie(&state, &headers, response, &token, fresh))
}

#[derive(Deserialize)]
pub struct ResetInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Sets a new password from a reset or invitation link; the link then stops working and
/// every other session of the account ends.
pub async fn reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(link): Path<String>,
    Form(input): Form<ResetInput>,
) -> PageResult<Response> {
    let (token, fresh) = login_token(&headers);
    let mut tx = state.db().begin().await?;
    let (user_id, purpose) = account_tokens::peek(&mut tx, &link).await?.ok_or(AppError::NotFound)?;
    let user = users::by_id(state.db(), user_id).await?.ok_or(AppError::NotFound)?;
    let problem = if fresh || !constant_time_eq(&input.csrf, &token) {
        Some(text(&state, "newsroom.login.expired", &[]))
    } else if input.password.chars().count() < 10 {
        Some(text(&state, "newsroom.password.too_short", &[]))
    } else if input.password != input.confirm {
        Some(text(&state, "newsroom.password.mismatch", &[]))
    } else {
        None
    };
    if let Some(problem) = problem {
        tx.rollback().await?;
        let mut base = page(&state, token.clone());
        base.error = Some(problem);
        let mut response = render(&state, "newsroom/reset.html", &ResetPage { base, token: link, name: user.name })?;
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(with_login_cookie(&state, &headers, response, &token, fresh));
    }
    if !account_tokens::consume(&mut tx, &link).await? {
        return Err(AppError::NotFound.into());
    }
    let password = input.password.clone();
    let phc = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    users::set_password(&mut tx, user.id, &phc).await?;
    if purpose == "invite" {
        users::set_disabled(&mut tx, user.id, false).await?;
    }
    sessions::delete_for_user(&mut tx, user.id, None).await?;
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: Some(user.id),
            action: if purpose == "invite" { "user.accept_invite" } else { "user.reset_password" },
            object_type: "user",
            object_id: Some(user.id),
            detail: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{BASE}/connexion?ok=reset")).into_response())
}

/// Who is logged in, for pages that need nothing more (used by the dashboard's tests).
pub fn current(staff: &Staff) -> &User {
    &staff.user
}
