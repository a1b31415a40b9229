//! The newsroom through the real router: logging in, roles on every route, writing,
//! conflicts, revisions, publishing, media, the front page, sections, settings, the team.
//! One file per part of the desk (`newsroom/login.rs`, `editor.rs`, `desk.rs`); one's own
//! account (second factor, API tokens) is in `account.rs`.

mod desk;
mod editor;
mod login;

use gazette::news::Role;

use crate::support::TestApp;

pub(crate) const PASSWORD: &str = "correct horse battery";

/// A member of staff with `role`, logged in.
pub(crate) async fn staff(app: &TestApp, role: Role) -> crate::support::Login {
    let email = format!("{}@example.ma", role.as_str());
    app.staff_user(&email, role, PASSWORD).await;
    app.login(&email, PASSWORD).await.unwrap_or_else(|r| panic!("login failed: {}", r.status))
}

/// Posts a newsroom form as `login` (the CSRF token is the login's).
pub(crate) async fn post_article(
    app: &TestApp,
    path: &str,
    login: &crate::support::Login,
    form: &[(&'static str, String)],
) -> crate::support::TestResponse {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(path, login, &fields).await
}
