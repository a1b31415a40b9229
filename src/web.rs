//! The HTTP surface: the route table, one line per route, and the layers every request crosses.
//!
//! The table is data as well as code: [`ROUTES`] lists every (method, path) the router serves,
//! built from the same lines, so tests that must visit every route (authorization, CSRF,
//! injection, the OpenAPI check) walk the router itself rather than a hand-kept list.

pub mod api;
pub mod layers;
pub mod ops;
pub mod reader;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

use crate::app::AppState;

macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every (method, path pattern) the router serves.
        pub const ROUTES: &[(&str, &str)] = &[$( (stringify!($method), $path) ),*];

        fn add_routes(router: Router<AppState>) -> Router<AppState> {
            router $( .route($path, axum::routing::$method($handler)) )*
        }
    };
}

route_table! {
    // Reader site
    get "/" => reader::front::show_front,
    get "/{section}/{slug}" => reader::article::show_article,
    get "/static/{name}" => reader::assets::serve_static,
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
}

/// Builds the whole router on a state.
pub fn router(state: AppState) -> Router {
    let body_limit = (state.config().server.max_body_mb as usize).saturating_mul(1024 * 1024);
    add_routes(Router::new())
        .fallback(reader::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), layers::render_error_pages))
        .layer(middleware::from_fn_with_state(state.clone(), layers::record_metrics))
        .layer(middleware::from_fn(layers::security_headers))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}
