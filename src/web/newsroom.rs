//! The newsroom at `/redaction`: accounts, writing, publishing, media, the front page,
//! sections, settings and users. Server-rendered like the site, usable without JavaScript
//! (a small script adds autosave), every action checked against the role on the server.

pub mod account;
pub mod articles;
pub mod auth;
pub mod editor;
pub mod editorial;
pub mod front;
pub mod media;
pub mod moderation;
pub mod revisions;
pub mod sections;
pub mod session;
pub mod settings;
pub mod team;

use serde::Serialize;

use crate::app::{AppState, Touched};
use crate::error::PageError;
use crate::news::{Lang, Role};
use crate::store::{Tx, audit};
use session::{BASE, Staff};

/// A link of the newsroom's menu.
#[derive(Serialize)]
pub struct MenuItem {
    pub href: String,
    pub label_key: &'static str,
    pub current: bool,
    /// A count shown beside the label (comments waiting).
    pub count: i64,
}

/// A menu entry: path under the newsroom, label key, who sees it.
type MenuEntry = (&'static str, &'static str, fn(Role) -> bool);

/// What every newsroom page carries: language, the user, the menu, the CSRF token.
#[derive(Serialize)]
pub struct Desk {
    pub lang: &'static str,
    pub dir: &'static str,
    pub tz: String,
    pub arabic_digits: String,
    pub site_name: String,
    pub user_name: String,
    pub user_role: &'static str,
    pub csrf: String,
    pub menu: Vec<MenuItem>,
    /// A confirmation to show once, from `?ok=...` after a redirect.
    pub notice: Option<String>,
}

impl Desk {
    /// The frame for a page of `section` (a menu key) for this member of staff.
    pub fn new(state: &AppState, staff: &Staff, section: &str, ok: Option<&str>) -> Desk {
        let site = state.site();
        let lang = staff.lang(state);
        let role = staff.role();
        let entries: [MenuEntry; 9] = [
            ("", "newsroom.menu.desk", |_| true),
            ("/articles", "newsroom.menu.articles", Role::can_write),
            ("/commentaires", "newsroom.menu.comments", Role::can_moderate),
            ("/medias", "newsroom.menu.media", Role::can_write),
            ("/une", "newsroom.menu.front", Role::can_publish),
            ("/rubriques", "newsroom.menu.sections", Role::can_publish),
            ("/reglages", "newsroom.menu.settings", |r| r == Role::Admin),
            ("/equipe", "newsroom.menu.team", |r| r == Role::Admin),
            ("/compte", "newsroom.menu.account", |_| true),
        ];
        let menu = entries
            .into_iter()
            .filter(|(_, _, allowed)| allowed(role))
            .map(|(path, key, _)| MenuItem {
                href: format!("{BASE}{path}"),
                label_key: key,
                current: path == section,
                count: if path == "/commentaires" { staff.pending_comments } else { 0 },
            })
            .collect();
        let notice = ok
            .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(|k| state.catalog().text(lang, &format!("newsroom.ok.{k}"), &[]));
        Desk {
            lang: lang.code(),
            dir: lang.dir(),
            tz: site.time_zone.clone(),
            arabic_digits: site.arabic_digits.clone(),
            site_name: site.name.clone(),
            user_name: staff.user.name.clone(),
            user_role: role.as_str(),
            csrf: staff.csrf.clone(),
            menu,
            notice,
        }
    }

    pub fn lang(&self) -> Lang {
        Lang::parse(self.lang).unwrap_or(Lang::Fr)
    }
}

/// Renders a newsroom template; newsroom pages are never cached by anyone.
pub fn render<S: Serialize>(state: &AppState, template: &str, page: &S) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    let html = state.templates().render(template, page)?;
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], axum::response::Html(html)).into_response())
}

/// What a newsroom form did, for the audit log.
pub struct Did<'a> {
    /// Dotted: `section.create`, `settings.save`.
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<i64>,
    pub detail: serde_json::Value,
}

/// How a newsroom form that wrote ends: its audit entry in the write's transaction, the
/// commit, what readers see refreshed, then back to `to` (whose `?ok=` shows the confirmation).
pub async fn finish(
    state: &AppState,
    staff: &Staff,
    mut tx: Tx,
    did: Did<'_>,
    touched: Touched,
    to: &str,
) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    let entry = audit::Entry {
        actor_id: Some(staff.user.id),
        action: did.action,
        object_type: did.object_type,
        object_id: did.object_id,
        detail: did.detail,
    };
    audit::record(&mut tx, &entry).await?;
    tx.commit().await?;
    state.refresh(touched).await?;
    Ok(axum::response::Redirect::to(to).into_response())
}

/// A form field's error, shown next to the field.
#[derive(Serialize, Clone, Debug, Default)]
pub struct FieldErrors(pub std::collections::BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: String) {
        self.0.entry(field).or_insert(message);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
