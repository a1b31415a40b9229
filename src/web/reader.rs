//! The pages readers see.

pub mod article;
pub mod assets;
pub mod chrome;
pub mod comments;
pub mod feeds;
pub mod front;
pub mod lang;
pub mod like;
pub mod listing;
pub mod media;
pub mod pager;
pub mod privacy;
pub mod search;
pub mod section;
pub mod sitemaps;

use crate::error::{AppError, PageError};

/// Any address no route knows.
pub async fn not_found() -> PageError {
    PageError(AppError::NotFound)
}
