//! The team (admins): invite by e-mail, change roles, disable and enable accounts.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Touched};
use crate::error::{AppError, PageResult};
use crate::news::{Role, looks_like_email};
use crate::store::users::{self, NewUser, User};
use crate::store::{StoreError, sessions};
use crate::web::newsroom::auth::send_account_link;
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, Did, FieldErrors, finish, render};

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct InviteInput {
    email: String,
    name: String,
    role: String,
}

#[derive(Serialize)]
struct TeamPage {
    #[serde(flatten)]
    desk: Desk,
    users: Vec<User>,
    input: InviteInput,
    errors: FieldErrors,
    me: i64,
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    input: InviteInput,
    errors: FieldErrors,
    ok: Option<&str>,
) -> PageResult<Response> {
    let refused = !errors.is_empty();
    let view = TeamPage {
        desk: Desk::new(state, staff, "/equipe", ok),
        users: users::all(state.db()).await?,
        input,
        errors,
        me: staff.user.id,
    };
    let mut response = render(state, "newsroom/team.html", &view)?;
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn show_team(State(state): State<AppState>, staff: Staff, Query(q): Query<OkQuery>) -> PageResult<Response> {
    staff.require(|r| r == Role::Admin)?;
    page(
        &state,
        &staff,
        InviteInput { role: "journalist".into(), ..Default::default() },
        FieldErrors::default(),
        q.ok.as_deref(),
    )
    .await
}

/// Creates a disabled account without a password and mails an invitation link; following
/// it sets the password and enables the account.
pub async fn invite(State(state): State<AppState>, form: StaffForm<InviteInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(|r| r == Role::Admin)?;
    let lang = staff.lang(&state);
    let t = |key: &str| state.catalog().text(lang, &format!("newsroom.team.error.{key}"), &[]);
    let mut errors = FieldErrors::default();
    if !looks_like_email(input.email.trim()) {
        errors.add("email", t("email"));
    }
    if input.name.trim().is_empty() {
        errors.add("name", t("name"));
    }
    let role = Role::parse(&input.role);
    if role.is_none() {
        errors.add("role", t("role"));
    }
    if !errors.is_empty() {
        return page(&state, &staff, input, errors, None).await;
    }
    let mut tx = state.db().begin().await?;
    let user = match users::insert(
        &mut tx,
        &NewUser {
            email: input.email.trim(),
            name: input.name.trim(),
            role: role.unwrap_or(Role::Journalist),
            password_hash: None,
            bio: "",
        },
    )
    .await
    {
        Ok(user) => user,
        Err(StoreError::Duplicate { .. }) => {
            tx.rollback().await?;
            errors.add("email", t("taken"));
            return page(&state, &staff, input, errors, None).await;
        }
        Err(e) => return Err(e.into()),
    };
    users::set_disabled(&mut tx, user.id, true).await?;
    send_account_link(&state, &mut tx, &user, "invite").await?;
    let did = Did {
        action: "user.invite",
        object_type: "user",
        object_id: Some(user.id),
        detail: serde_json::json!({ "role": user.role.as_str() }),
    };
    finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/equipe?ok=invited")).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberInput {
    /// "role", "disable", "enable", "reinvite" or "logout".
    action: String,
    role: String,
}

pub async fn update_member(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<MemberInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(|r| r == Role::Admin)?;
    let member = users::by_id(state.db(), id).await?.ok_or(AppError::NotFound)?;
    // An admin cannot lock themselves out: someone must stay able to manage the site.
    if member.id == staff.user.id && matches!(input.action.as_str(), "disable" | "role") {
        return Err(
            AppError::BadRequest(state.catalog().text(staff.lang(&state), "newsroom.team.error.self", &[])).into()
        );
    }
    let mut tx = state.db().begin().await?;
    match input.action.as_str() {
        "role" => {
            let role = Role::parse(&input.role).ok_or_else(|| AppError::BadRequest("unknown role".into()))?;
            users::set_role(&mut tx, id, role).await?;
        }
        "disable" => users::set_disabled(&mut tx, id, true).await?,
        "enable" => users::set_disabled(&mut tx, id, false).await?,
        "reinvite" => send_account_link(&state, &mut tx, &member, "invite").await?,
        "logout" => sessions::delete_for_user(&mut tx, id, None).await?,
        _ => return Err(AppError::BadRequest("unknown action".into()).into()),
    }
    let did = Did {
        action: &format!("user.{}", input.action),
        object_type: "user",
        object_id: Some(id),
        detail: serde_json::json!({ "role": input.role }),
    };
    finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/equipe?ok=saved")).await
}
