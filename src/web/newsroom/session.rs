//! Who is logged in, and the forms they post.
//!
//! `Staff` is the logged-in member of staff behind the `gz_session` cookie; a request
//! without a live session is sent to the login page. `StaffForm<T>` is a posted form of
//! `T` from staff, accepted only with the session's CSRF token in its `csrf` field: every
//! state-changing newsroom route takes one of these (or checks the token itself for uploads),
//! which the CSRF test verifies by walking the router.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::error::{AppError, PageError};
use crate::news::{Lang, Role};
use crate::secrets::constant_time_eq;
use crate::store::sessions;
use crate::store::users::User;

pub const SESSION_COOKIE: &str = "gz_session";
/// The login form's own CSRF cookie (there is no session yet to hold a token).
pub const LOGIN_COOKIE: &str = "gz_login";
/// Sessions last two weeks from the last request.
pub const SESSION_TTL_MS: i64 = 14 * 24 * 3_600_000;
/// The newsroom's address.
pub const BASE: &str = "/redaction";

/// The value of a cookie in a request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// True when the site is served over HTTPS, so cookies get `Secure`.
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.config().base_url().starts_with("https://")
        || (state.config().server.trust_proxy
            && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, limited to the newsroom, Secure over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    set_cookie_at(BASE, "Lax", name, value, max_age_s, secure)
}

/// A `Set-Cookie` value, HttpOnly, sent to `path` only, Secure over HTTPS.
pub fn set_cookie_at(
    path: &str,
    same_site: &str,
    name: &str,
    value: &str,
    max_age_s: i64,
    secure: bool,
) -> HeaderValue {
    let text = format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("gz_invalid=1"))
}

/// A member of staff with a live session.
#[derive(Clone, Debug)]
pub struct Staff {
    pub user: User,
    pub csrf: String,
    pub session_id: String,
    /// Comments waiting for moderation, for the menu (0 for those who do not moderate).
    pub pending_comments: i64,
}

impl Staff {
    /// Refuses the action unless the role allows it.
    pub fn require(&self, allowed: impl Fn(Role) -> bool) -> Result<(), PageError> {
        if allowed(self.user.role) { Ok(()) } else { Err(PageError(AppError::Forbidden)) }
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    /// The newsroom's language for this person: chosen in « Mon compte », else the site's.
    pub fn lang(&self, state: &AppState) -> Lang {
        self.user.desk_language.unwrap_or(state.site().default_language)
    }
}

/// Where to send someone who must log in, coming back here afterwards.
fn to_login(parts: &Parts) -> Response {
    let back = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or(BASE);
    let next = if parts.method == axum::http::Method::GET { back } else { BASE };
    Redirect::to(&format!("{BASE}/connexion?next={}", crate::urls::urlencode(next))).into_response()
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string) else {
            return Err(to_login(parts));
        };
        let session = sessions::by_token(state.db(), &token).await.map_err(|e| PageError::from(e).into_response())?;
        let Some(session) = session else { return Err(to_login(parts)) };
        // Slide the expiry at most every ten minutes: a write per request would be waste.
        if crate::store::now_ms() - session.last_seen_at > 10 * 60_000 {
            let _ = sessions::touch(state.db(), &session.id, SESSION_TTL_MS).await;
        }
        let pending_comments = if session.user.role.can_moderate() {
            crate::store::comments::count_by_status(state.db(), crate::news::CommentStatus::Pending).await.unwrap_or(0)
        } else {
            0
        };
        Ok(Staff { user: session.user, csrf: session.csrf, session_id: session.id, pending_comments })
    }
}

#[derive(Deserialize, Default)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A form posted by staff, with its CSRF token checked.
pub struct StaffForm<T> {
    pub staff: Staff,
    pub input: T,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| PageError(AppError::BadRequest(e.body_text())).into_response())?;
        let token: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        if token.csrf.is_empty() || !constant_time_eq(&token.csrf, &staff.csrf) {
            return Err(PageError(AppError::Forbidden).into_response());
        }
        let input: T = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| PageError(AppError::BadRequest(format!("the form cannot be read: {e}"))).into_response())?;
        Ok(StaffForm { staff, input })
    }
}

/// Safe destinations after login: newsroom pages only, never another host. The path must be
/// the newsroom itself or below it (`/redactionX` is not), without `..` segments that a
/// browser would resolve elsewhere, and without control characters or spaces (a CR/LF would
/// otherwise reach the `Location` header).
pub fn safe_next(next: Option<&str>) -> String {
    let within = |n: &str| {
        (n == BASE || n.starts_with(&format!("{BASE}/")) || n.starts_with(&format!("{BASE}?")))
            && !n.contains("://")
            && !n.contains('\\')
            && !n.split(['/', '?', '#']).any(|segment| segment == ".." || segment == ".")
            && !n.contains("%2e%2e")
            && !n.contains("%2E%2E")
            && n.chars().all(|c| c.is_ascii_graphic())
    };
    match next {
        Some(n) if within(n) => n.to_string(),
        _ => BASE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_newsroom() {
        assert_eq!(safe_next(Some("/redaction/articles/3")), "/redaction/articles/3");
        assert_eq!(safe_next(Some("https://evil.example/")), "/redaction");
        assert_eq!(safe_next(Some("//evil.example")), "/redaction");
        assert_eq!(safe_next(Some("/redaction/../x")), "/redaction");
        assert_eq!(safe_next(Some("/redaction/%2e%2e/x")), "/redaction");
        assert_eq!(safe_next(Some("/redactionevil")), "/redaction");
        assert_eq!(safe_next(Some("/redaction\r\nSet-Cookie: a=b")), "/redaction");
        assert_eq!(safe_next(Some("/redaction?ok=saved")), "/redaction?ok=saved");
        assert_eq!(safe_next(Some("/economie")), "/redaction");
        assert_eq!(safe_next(None), "/redaction");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; gz_session=abc; b=2"));
        assert_eq!(cookie(&headers, "gz_session"), Some("abc"));
        assert_eq!(cookie(&headers, "gz"), None);
        let set = set_cookie("gz_session", "t", 60, true);
        let text = set.to_str().unwrap();
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Lax") && text.contains("Secure"));
    }
}
