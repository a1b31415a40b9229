//! The HTTP surface: the route table, one line per route, and the layers every request crosses.
//!
//! The table is data as well as code: [`ROUTES`] lists every (method, path) the router serves,
//! built from the same lines, so tests that must visit every route (authorization, CSRF,
//! injection, the OpenAPI check) walk the router itself rather than a hand-kept list.

pub mod api;
pub mod chrome;
pub mod client;
pub mod lang;
pub mod layers;
pub mod newsroom;
pub mod ops;
pub mod pager;
pub mod reader;
pub mod server;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

use crate::app::AppState;

macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every (method, path pattern) of the routes that exist once.
        pub const ROUTES: &[(&str, &str)] = &[$( (stringify!($method), $path) ),*];

        fn add_routes(router: Router<AppState>) -> Router<AppState> {
            router $( .route($path, axum::routing::$method($handler)) )*
        }
    };
}

/// Routes of pages that exist in every language: served at their path for the default
/// language and under `/fr`, `/ar`, `/en` for the others (see `web::lang`).
macro_rules! language_route_table {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every (method, path pattern) of the per-language pages, without prefix.
        pub const LANGUAGE_ROUTES: &[(&str, &str)] = &[$( (stringify!($method), $path) ),*];

        fn add_language_routes(mut router: Router<AppState>) -> Router<AppState> {
            for prefix in LANGUAGE_PREFIXES {
                $(
                    for path in prefixed(prefix, $path) {
                        router = router.route(&path, axum::routing::$method($handler));
                    }
                )*
            }
            router
        }
    };
}

/// The prefixes language routes are mounted under ("" is the default language).
pub const LANGUAGE_PREFIXES: [&str; 4] = ["", "/fr", "/ar", "/en"];

/// The paths a language route answers at under a prefix; a prefixed front page answers with
/// and without its trailing slash.
fn prefixed(prefix: &str, path: &str) -> Vec<String> {
    match (prefix, path) {
        ("", p) => vec![p.to_string()],
        (pre, "/") => vec![pre.to_string(), format!("{pre}/")],
        (pre, p) => vec![format!("{pre}{p}")],
    }
}

/// Every (method, path) the router serves, language prefixes expanded: what tests walk.
pub fn all_routes() -> Vec<(&'static str, String)> {
    let mut all: Vec<(&'static str, String)> = ROUTES.iter().map(|(m, p)| (*m, p.to_string())).collect();
    for prefix in LANGUAGE_PREFIXES {
        for (method, path) in LANGUAGE_ROUTES {
            for p in prefixed(prefix, path) {
                all.push((method, p));
            }
        }
    }
    all
}

language_route_table! {
    get "/" => reader::front::show_front,
    get "/{section}" => reader::section::show_section,
    get "/tag/{slug}" => reader::listing::show_tag,
    get "/auteur/{slug}" => reader::listing::show_author,
    get "/archives/{year}/{month}/{day}" => reader::listing::show_day,
    get "/recherche" => reader::search::show_search,
    get "/confidentialite" => reader::privacy::show_privacy,
    get "/accessibilite" => reader::accessibility::show_accessibility,
    get "/manifest.webmanifest" => reader::site_files::show_manifest,
    get "/feeds/{format}" => reader::feeds::show_site_feed,
    get "/feeds/{kind}/{slug}/{format}" => reader::feeds::show_feed,
}

route_table! {
    // Articles: their address has no language prefix, the article has a language.
    get "/{section}/{slug}" => reader::article::show_article,
    post "/{section}/{slug}/like" => reader::like::like_article,
    get "/{section}/{slug}/partager/{network}" => reader::article::share,
    post "/{section}/{slug}/commentaires" => reader::comments::post_comment,
    // Comment subscriptions and readers' rights: links in mails show a page, its button acts.
    get "/commentaires/confirmer/{token}" => reader::subscriptions::show_confirm,
    post "/commentaires/confirmer/{token}" => reader::subscriptions::confirm,
    get "/commentaires/desabonner/{token}" => reader::subscriptions::show_unsubscribe,
    post "/commentaires/desabonner/{token}" => reader::subscriptions::unsubscribe,
    get "/commentaires/{id}/signaler" => reader::reports::show_report,
    post "/commentaires/{id}/signaler" => reader::reports::report_comment,
    get "/commentaires/effacer" => reader::subscriptions::show_erasure,
    post "/commentaires/effacer" => reader::subscriptions::request_erasure,
    get "/commentaires/effacement/{token}" => reader::subscriptions::show_erasure_confirm,
    post "/commentaires/effacement/{token}" => reader::subscriptions::confirm_erasure,
    // Newsroom: accounts
    get "/redaction/connexion" => newsroom::auth::show_login,
    post "/redaction/connexion" => newsroom::auth::login,
    post "/redaction/connexion/code" => newsroom::auth::login_code,
    post "/redaction/deconnexion" => newsroom::auth::logout,
    get "/redaction/mot-de-passe-oublie" => newsroom::auth::show_forgot,
    post "/redaction/mot-de-passe-oublie" => newsroom::auth::forgot,
    get "/redaction/reinitialiser/{token}" => newsroom::auth::show_reset,
    post "/redaction/reinitialiser/{token}" => newsroom::auth::reset,
    get "/redaction/compte" => newsroom::account::show_account,
    post "/redaction/compte/profil" => newsroom::account::save_profile,
    post "/redaction/compte/langue" => newsroom::account::set_desk_language,
    post "/redaction/compte/mot-de-passe" => newsroom::account::change_password,
    post "/redaction/compte/deuxieme-facteur" => newsroom::account::set_second_factor,
    post "/redaction/compte/jetons" => newsroom::account::create_token,
    post "/redaction/compte/jetons/{id}/revoquer" => newsroom::account::revoke_token,
    // Newsroom: writing and publishing
    get "/redaction" => newsroom::articles::show_dashboard,
    get "/redaction/articles" => newsroom::articles::list_articles,
    post "/redaction/articles" => newsroom::editor::create_article,
    get "/redaction/articles/nouveau" => newsroom::editor::new_article,
    get "/redaction/articles/titres" => newsroom::editorial::titles,
    get "/redaction/articles/{id}" => newsroom::editor::edit_article,
    post "/redaction/articles/{id}" => newsroom::editor::save_article,
    post "/redaction/articles/{id}/autosave" => newsroom::editor::autosave_article,
    post "/redaction/articles/{id}/rectificatifs" => newsroom::editor::add_correction,
    post "/redaction/articles/{id}/notes" => newsroom::editorial::add_note,
    post "/redaction/articles/{id}/confier" => newsroom::editorial::assign,
    post "/redaction/articles/{id}/bail" => newsroom::editorial::renew_lease,
    post "/redaction/articles/{id}/prendre" => newsroom::editorial::take_over,
    get "/redaction/articles/{id}/revisions" => newsroom::revisions::list_revisions,
    get "/redaction/articles/{id}/revisions/{version}" => newsroom::revisions::show_revision,
    post "/redaction/articles/{id}/revisions/{version}/restaurer" => newsroom::revisions::restore_revision,
    get "/apercu/{id}" => newsroom::editor::show_preview,
    // Newsroom: moderation
    get "/redaction/commentaires" => newsroom::moderation::show_queue,
    post "/redaction/commentaires" => newsroom::moderation::decide,
    get "/redaction/commentaires/listes" => newsroom::moderation::show_lists,
    post "/redaction/commentaires/listes" => newsroom::moderation::save_lists,
    post "/redaction/commentaires/modele" => newsroom::moderation::reset_model,
    // Newsroom: media, front page, sections, settings, team
    get "/redaction/medias" => newsroom::media::show_library,
    post "/redaction/medias" => newsroom::media::upload_media,
    get "/redaction/medias/{id}" => newsroom::media::show_media,
    post "/redaction/medias/{id}" => newsroom::media::describe_media,
    get "/redaction/une" => newsroom::front::show_front,
    post "/redaction/une" => newsroom::front::arrange_front,
    get "/redaction/rubriques" => newsroom::sections::show_sections,
    post "/redaction/rubriques" => newsroom::sections::create_section,
    post "/redaction/rubriques/{id}" => newsroom::sections::update_section,
    get "/redaction/reglages" => newsroom::settings::show_settings,
    post "/redaction/reglages" => newsroom::settings::save_settings,
    get "/redaction/equipe" => newsroom::team::show_team,
    post "/redaction/equipe" => newsroom::team::invite,
    post "/redaction/equipe/{id}" => newsroom::team::update_member,
    // For machines
    get "/robots.txt" => reader::sitemaps::show_robots,
    get "/ads.txt" => reader::site_files::show_ads_txt,
    get "/favicon.ico" => reader::site_files::show_favicon,
    get "/sitemap.xml" => reader::sitemaps::show_sitemap_index,
    get "/sitemaps/{name}" => reader::sitemaps::show_sitemap,
    get "/static/{*name}" => reader::assets::serve_static,
    get "/media/{*key}" => reader::media::serve_media,
    // Operations
    get "/healthz" => ops::healthz,
    get "/metrics" => ops::metrics,
    // JSON API
    get "/api/openapi.json" => api::openapi,
    get "/api/v1/sections" => api::list_sections,
    get "/api/v1/articles" => api::list_articles,
    post "/api/v1/articles" => api::create_article,
    get "/api/v1/articles/{id}" => api::show_article,
    post "/api/v1/articles/{id}/publish" => api::publish_article,
    post "/api/v1/cache/purge" => api::purge_cache,
}

/// Builds the whole router on a state.
pub fn router(state: AppState) -> Router {
    with_layers(state, add_language_routes(add_routes(Router::new())))
}

/// `routes` with the not-found page and every layer the site's routes have (tests add a route
/// of their own this way, e.g. one that panics).
pub fn with_layers(state: AppState, routes: Router<AppState>) -> Router {
    let body_limit = (state.config().server.max_body_mb as usize).saturating_mul(1024 * 1024);
    let routed = routes
        .fallback(reader::not_found)
        .layer(middleware::from_fn(layers::catch_panics))
        .layer(middleware::from_fn_with_state(state.clone(), layers::strip_nul_from_bodies))
        .layer(middleware::from_fn_with_state(state.clone(), layers::page_cache))
        .layer(middleware::from_fn_with_state(state.clone(), layers::render_error_pages))
        .layer(middleware::from_fn_with_state(state.clone(), layers::record_metrics))
        .layer(middleware::from_fn(layers::security_headers))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state.clone());
    // Layers on a router run after routing; a page the cache holds is answered before it.
    Router::new().fallback_service(routed).layer(middleware::from_fn_with_state(state, layers::answer_from_cache))
}
