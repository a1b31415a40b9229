//! Authorization, every route × every role × anonymous, from one table: `rule` says who may
//! use each (method, route) the router serves (`web::all_routes()`, so a new route without a
//! line here fails the test), and the walk checks that exactly those get through. Staff use a
//! real session (cookie and CSRF token) on the newsroom and a bearer token on the API; what the
//! request asks is left empty or wrong on purpose, so a route that lets a role through answers
//! with a validation error, never with a refusal.

use gazette::news::Role;
use sqlx::Row;

use crate::on_both_engines;
use crate::support::{Login, TestApp, TestResponse, urlenc};

const PASSWORD: &str = "correct horse battery staple 42";

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    /// Everyone, anonymous readers included (reader pages, public forms, login forms).
    Anyone,
    /// Any staff session.
    Staff,
    /// Journalists, editors, admins.
    Writers,
    /// Editors and admins (another's article, the front page, sections).
    Editors,
    /// Moderators, editors and admins.
    Moderators,
    Admins,
    /// A bearer token of a role that may write / publish / administer; reads are public.
    ApiWriters,
    ApiEditors,
    ApiAdmins,
}

/// The table: every route the router serves has its line.
fn rule(method: &str, pattern: &str) -> Who {
    use Who::*;
    let route = pattern.strip_prefix("/ar").or_else(|| pattern.strip_prefix("/en")).unwrap_or(pattern);
    match (method, route) {
        ("post", "/api/v1/articles") => ApiWriters,
        ("post", "/api/v1/articles/{id}/publish") => ApiEditors,
        ("post", "/api/v1/cache/purge") => ApiAdmins,
        (_, r) if r.starts_with("/api/") => Anyone,
        (
            _,
            "/redaction/connexion"
            | "/redaction/connexion/code"
            | "/redaction/mot-de-passe-oublie"
            | "/redaction/reinitialiser/{token}",
        ) => Anyone,
        // Logging out ends whatever session comes with it, and leads to the login page.
        ("post", "/redaction/deconnexion") => Anyone,
        (_, "/redaction") => Staff,
        (_, r) if r.starts_with("/redaction/compte") => Staff,
        (_, "/redaction/articles" | "/redaction/articles/nouveau" | "/redaction/articles/titres") => Writers,
        (_, r) if r.starts_with("/redaction/articles/{id}") => Editors, // another's article
        ("post", "/redaction/medias/{id}") => Editors,                  // describing another's picture
        (_, r) if r.starts_with("/redaction/medias") => Writers,
        (_, "/redaction/commentaires") => Moderators,
        (_, "/redaction/commentaires/listes" | "/redaction/commentaires/modele") => Admins,
        (_, r) if r.starts_with("/redaction/une") || r.starts_with("/redaction/rubriques") => Editors,
        (_, r) if r.starts_with("/redaction/reglages") || r.starts_with("/redaction/equipe") => Admins,
        (_, r) if r.starts_with("/redaction") => panic!("no line for {method} {pattern}: add it to the table"),
        _ => Anyone,
    }
}

fn may(who: Who, role: Option<Role>) -> bool {
    match (who, role) {
        (Who::Anyone, _) => true,
        (_, None) => false,
        (Who::Staff, Some(_)) => true,
        (Who::Writers | Who::ApiWriters, Some(r)) => r.can_write(),
        (Who::Editors | Who::ApiEditors, Some(r)) => r.can_publish(),
        (Who::Moderators, Some(r)) => r.can_moderate(),
        (Who::Admins | Who::ApiAdmins, Some(r)) => r == Role::Admin,
    }
}

/// A refusal, whatever its form: 401, 403, or the newsroom sending an anonymous visitor to
/// its login page.
fn refused(response: &TestResponse) -> bool {
    matches!(response.status.as_u16(), 401 | 403)
        || (response.status.is_redirection() && response.header("location").starts_with("/redaction/connexion"))
}

on_both_engines!(every_route_admits_exactly_the_roles_of_its_line);

async fn every_route_admits_exactly_the_roles_of_its_line(app: TestApp) {
    app.with_demo().await;
    let mut sessions: Vec<(Role, Login, String)> = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@roles.example", role.as_str());
        app.staff_user(&email, role, PASSWORD).await;
        let login = app.login(&email, PASSWORD).await.unwrap_or_else(|r| panic!("{role:?} login: {}", r.status));
        let token = app.staff_token(&format!("api-{}@roles.example", role.as_str()), role).await;
        sessions.push((role, login, token));
    }
    // Values for the patterns: a demo article nobody here wrote, a picture, a section, another
    // member of the team.
    let crate::support::PublishedArticle { id: article_id, slug, section } =
        crate::support::first_published_article(app.db()).await;
    let media: i64 =
        sqlx::query("select min(id) as id from media").fetch_one(app.db().reader()).await.unwrap().get("id");
    let section_id: i64 =
        sqlx::query("select min(id) as id from sections").fetch_one(app.db().reader()).await.unwrap().get("id");
    let member: i64 =
        sqlx::query("select min(id) as id from users").fetch_one(app.db().reader()).await.unwrap().get("id");
    let concrete = |pattern: &str| {
        let id = if pattern.contains("/medias/") {
            media
        } else if pattern.contains("/rubriques/") {
            section_id
        } else if pattern.contains("/equipe/") {
            member
        } else {
            article_id
        };
        pattern
            .replace("{section}", &section)
            .replace("{slug}", &slug)
            .replace("{id}", &id.to_string())
            .replace("{version}", "1")
            .replace("{token}", "0123456789abcdef0123456789abcdef")
            .replace("{year}", "2026")
            .replace("{month}", "11")
            .replace("{day}", "29")
            .replace("{format}", "rss")
            .replace("{kind}", "rubrique")
            .replace("{name}", "1.xml")
            .replace("{*name}", "style.css")
            .replace("{*key}", "none.png")
    };
    // Logging out ends the session the rest of the walk uses: it goes last.
    let mut routes = gazette::web::all_routes();
    routes.sort_by_key(|(_, p)| p.ends_with("/deconnexion"));
    let mut checked = 0;
    for (method, pattern) in &routes {
        let who = rule(method, pattern);
        let path = concrete(pattern);
        let is_api = pattern.starts_with("/api/");
        let is_newsroom = pattern.starts_with("/redaction");
        let mut askers: Vec<(Option<Role>, Option<&Login>, Option<&str>)> = vec![(None, None, None)];
        askers.extend(sessions.iter().map(|(role, login, token)| (Some(*role), Some(login), Some(token.as_str()))));
        for (role, login, token) in askers {
            let mut request = axum::http::Request::builder().method(method.to_uppercase().as_str()).uri(&path);
            let mut body = String::new();
            if is_newsroom && let Some(login) = login {
                request = request.header("cookie", login.cookie.clone());
                if *method == "post" {
                    body = format!("csrf={}&id={article_id}", urlenc(&login.csrf));
                }
            }
            if is_api {
                if let Some(token) = token {
                    request = request.header("authorization", format!("Bearer {token}"));
                }
                if *method == "post" {
                    // Well-formed, so that only the role decides (a malformed body is refused
                    // with 400 before anyone's role is looked at).
                    request = request.header("content-type", "application/json");
                    body = match pattern.as_str() {
                        "/api/v1/articles" => {
                            serde_json::json!({"title": "Matrice des rôles", "section": section, "body_markdown": "x"})
                        }
                        "/api/v1/cache/purge" => serde_json::json!({"tags": ["article:0"]}),
                        _ => serde_json::json!({}),
                    }
                    .to_string();
                }
            } else if *method == "post" && pattern == "/redaction/medias" {
                // The upload form is multipart; its file part is left out on purpose.
                let csrf = login.map(|l| l.csrf.clone()).unwrap_or_default();
                request = request.header("content-type", "multipart/form-data; boundary=rolesboundary");
                body = format!(
                    "--rolesboundary\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--rolesboundary--\r\n"
                );
            } else if *method == "post" {
                request = request.header("content-type", "application/x-www-form-urlencoded");
            }
            let response = app.request(request.body(axum::body::Body::from(body)).unwrap()).await;
            assert!(response.status.as_u16() < 500, "{method} {path} as {role:?}: {}", response.status);
            // Public forms have their own guards (signed tokens, the login cookie): only their
            // reads are part of this walk.
            if who == Who::Anyone && *method == "post" {
                continue;
            }
            let expected = may(who, role);
            assert_eq!(
                !refused(&response),
                expected,
                "{method} {path} as {role:?}: answered {} (rule {who:?})",
                response.status
            );
            checked += 1;
        }
    }
    assert!(checked >= 5 * 60, "walked {checked} route × role pairs");
}
