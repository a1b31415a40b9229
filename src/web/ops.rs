//! Endpoints for operators and load balancers.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::store::jobs;

/// 200 when the database answers, 503 otherwise: what a load balancer's health check needs.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let headers = [(header::CACHE_CONTROL, "no-store")];
    if state.db().ping().await {
        (StatusCode::OK, headers, "ok\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, headers, "database unavailable\n").into_response()
    }
}

/// Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let job_counts = jobs::counts(state.db()).await.unwrap_or_default();
    let body = state.metrics().render(&job_counts);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], body)
        .into_response()
}
