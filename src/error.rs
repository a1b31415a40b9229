//! One error type for the web layer, turned into what the client needs: an HTML page in the
//! site's language for readers ([`PageError`]) or a JSON body for API clients ([`ApiError`]).
//! Causes are logged here, at the edge; clients never see SQL text or a stack trace.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// What went wrong, by what the client gets back.
#[derive(Debug, Clone)]
pub enum AppError {
    NotFound,
    /// The request is malformed; the message says how (already in the client's language when
    /// shown on a page, or English for the API).
    BadRequest(String),
    Unauthorized,
    Forbidden,
    Conflict(String),
    TooManyRequests,
    /// The database is unreachable: try again later.
    Unavailable,
    /// The disk under the database or the media is full: nothing was written.
    StorageFull,
    /// A bug or a damaged store; the cause is logged.
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code API clients can match on, and the message key pages translate.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests => "too_many",
            AppError::Unavailable => "unavailable",
            AppError::StorageFull => "storage_full",
            AppError::Internal(_) => "internal",
        }
    }

    /// A detail that may be shown to the client, if any.
    pub fn detail(&self) -> Option<&str> {
        match self {
            AppError::BadRequest(m) | AppError::Conflict(m) => Some(m),
            _ => None,
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(cause) => tracing::error!(%cause, "request failed"),
            AppError::Unavailable => tracing::warn!("database unavailable"),
            AppError::StorageFull => tracing::error!("the disk is full: a write was refused; free space"),
            _ => {}
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                AppError::Unavailable
            }
            StoreError::Full(cause) => {
                tracing::error!(%cause, "the disk is full");
                AppError::StorageFull
            }
            StoreError::Conflict => AppError::Conflict("changed by someone else".into()),
            StoreError::Duplicate { constraint } => AppError::Conflict(format!("already exists ({constraint})")),
            StoreError::Other(cause) => AppError::Internal(cause),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::from(error).into()
    }
}

impl From<minijinja::Error> for AppError {
    fn from(error: minijinja::Error) -> Self {
        AppError::Internal(format!("template: {error:#}"))
    }
}

/// Marks a response whose HTML body the error-page layer must render (it has the state and
/// the language that a bare `IntoResponse` lacks).
#[derive(Clone, Debug)]
pub struct ErrorPageMarker(pub AppError);

/// An error on a reader or newsroom page: becomes an HTML error page.
#[derive(Debug)]
pub struct PageError(pub AppError);

/// `?` turns store, template and app errors into either kind of web error.
macro_rules! wrap_errors {
    ($target:ident) => {
        impl From<AppError> for $target {
            fn from(error: AppError) -> Self {
                $target(error)
            }
        }
        impl From<StoreError> for $target {
            fn from(error: StoreError) -> Self {
                $target(error.into())
            }
        }
        impl From<sqlx::Error> for $target {
            fn from(error: sqlx::Error) -> Self {
                $target(StoreError::from(error).into())
            }
        }
        impl From<minijinja::Error> for $target {
            fn from(error: minijinja::Error) -> Self {
                $target(error.into())
            }
        }
    };
}

wrap_errors!(PageError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut response = self.0.status().into_response();
        retry_after(&self.0, &mut response);
        response.extensions_mut().insert(ErrorPageMarker(self.0));
        response
    }
}

/// An error on an API endpoint: becomes `{"error": {"code": ..., "message": ...}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

wrap_errors!(ApiError);

#[derive(Serialize)]
struct ApiErrorBody<'a> {
    error: ApiErrorDetail<'a>,
}

#[derive(Serialize)]
struct ApiErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let message = match &self.0 {
            AppError::NotFound => "no such resource",
            AppError::Unauthorized => "a valid API token is required (Authorization: Bearer ...)",
            AppError::Forbidden => "this token's role may not do that",
            AppError::TooManyRequests => "too many requests; slow down",
            AppError::Unavailable => "the database is unavailable; retry later",
            AppError::StorageFull => "the server's disk is full: nothing was saved; retry once space is freed",
            AppError::Internal(_) => "internal error; it has been logged",
            AppError::BadRequest(m) | AppError::Conflict(m) => m.as_str(),
        };
        let body = ApiErrorBody { error: ApiErrorDetail { code: self.0.code(), message } };
        let mut response = (self.0.status(), Json(body)).into_response();
        retry_after(&self.0, &mut response);
        response
    }
}

/// A database that cannot be reached is usually back within seconds (a restart, a failover):
/// clients and proxies are told when to try again.
fn retry_after(error: &AppError, response: &mut Response) {
    if matches!(error, AppError::Unavailable) && !response.headers().contains_key(axum::http::header::RETRY_AFTER) {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
    }
}

pub type PageResult<T> = Result<T, PageError>;
pub type ApiResult<T> = Result<T, ApiError>;
