//! One's own account: name and bio (shown on the author page), password, second factor.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::secrets::{hash_password, totp, verify_password};
use crate::store::users;
use crate::store::{audit, now_ms, sessions};
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, FieldErrors, render};

#[derive(Serialize)]
struct AccountPage {
    #[serde(flatten)]
    desk: Desk,
    name: String,
    bio: String,
    email: String,
    totp_on: bool,
    /// A proposed secret while turning the second factor on.
    new_secret: Option<String>,
    new_secret_uri: Option<String>,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    errors: FieldErrors,
    ok: Option<&str>,
    name: Option<String>,
    bio: Option<String>,
    secret: Option<String>,
) -> PageResult<Response> {
    let totp_on = users::totp_secret(state.db(), staff.user.id).await?.is_some();
    let secret = if totp_on { None } else { Some(secret.unwrap_or_else(totp::new_secret)) };
    let uri = secret.as_ref().map(|s| totp::uri(s, &staff.user.email, &state.site().name));
    let refused = !errors.is_empty();
    let view = AccountPage {
        desk: Desk::new(state, staff, "/compte", ok),
        name: name.unwrap_or_else(|| staff.user.name.clone()),
        bio: bio.unwrap_or_else(|| staff.user.bio.clone()),
        email: staff.user.email.clone(),
        totp_on,
        new_secret: secret,
        new_secret_uri: uri,
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
    staff: Staff,
    Query(q): Query<OkQuery>,
) -> PageResult<Response> {
    page(&state, &staff, FieldErrors::default(), q.ok.as_deref(), None, None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileInput {
    name: String,
    bio: String,
}

pub async fn save_profile(State(state): State<AppState>, form: StaffForm<ProfileInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    let mut errors = FieldErrors::default();
    if input.name.trim().is_empty() || input.name.chars().count() > 120 {
        errors.add("name", state.catalog().text(state.site().default_language, "newsroom.team.error.name", &[]));
        return page(&state, &staff, errors, None, Some(input.name), Some(input.bio), None).await;
    }
    let mut tx = state.db().begin().await?;
    users::set_profile(&mut tx, staff.user.id, input.name.trim(), input.bio.trim()).await?;
    tx.commit().await?;
    state.content_changed();
    Ok(Redirect::to(&format!("{BASE}/compte?ok=saved")).into_response())
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
    let lang = state.site().default_language;
    let mut errors = FieldErrors::default();
    let phc = staff.user.password_hash.clone().unwrap_or_default();
    let current = input.current.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, &phc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if !ok {
        errors.add("current", state.catalog().text(lang, "newsroom.login.wrong", &[]));
    } else if input.password.chars().count() < 10 {
        errors.add("password", state.catalog().text(lang, "newsroom.password.too_short", &[]));
    } else if input.password != input.confirm {
        errors.add("confirm", state.catalog().text(lang, "newsroom.password.mismatch", &[]));
    }
    if !errors.is_empty() {
        return page(&state, &staff, errors, None, None, None, None).await;
    }
    let password = input.password.clone();
    let phc = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let mut tx = state.db().begin().await?;
    users::set_password(&mut tx, staff.user.id, &phc).await?;
    sessions::delete_for_user(&mut tx, staff.user.id, Some(&staff.session_id)).await?;
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: Some(staff.user.id),
            action: "user.password",
            object_type: "user",
            object_id: Some(staff.user.id),
            detail: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{BASE}/compte?ok=password")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TotpInput {
    /// "enable" or "disable".
    action: String,
    secret: String,
    code: String,
}

/// Turns the second factor on (proving the app works with a code) or off (with a code too).
pub async fn set_second_factor(State(state): State<AppState>, form: StaffForm<TotpInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    let lang = state.site().default_language;
    let current = users::totp_secret(state.db(), staff.user.id).await?;
    let secret = match input.action.as_str() {
        "enable" => input.secret.trim().to_string(),
        _ => current.clone().unwrap_or_default(),
    };
    let step =
        Some(&secret).filter(|s| !s.is_empty()).and_then(|s| totp::verified_step(s, &input.code, now_ms() / 1000));
    let Some(step) = step else {
        let mut errors = FieldErrors::default();
        errors.add("code", state.catalog().text(lang, "newsroom.login.wrong_code", &[]));
        let proposed = (input.action == "enable").then_some(input.secret);
        return page(&state, &staff, errors, None, None, None, proposed).await;
    };
    let mut tx = state.db().begin().await?;
    let enable = input.action == "enable";
    users::set_totp_secret(&mut tx, staff.user.id, enable.then_some(secret.as_str()), step).await?;
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: Some(staff.user.id),
            action: if enable { "user.totp_on" } else { "user.totp_off" },
            object_type: "user",
            object_id: Some(staff.user.id),
            detail: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{BASE}/compte?ok={}", if enable { "totp_on" } else { "totp_off" })).into_response())
}
