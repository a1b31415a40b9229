//! The pages readers see.

pub mod accessibility;
pub mod article;
pub mod assets;
pub mod comment_form;
pub mod comments;
pub mod feeds;
pub mod front;
pub mod like;
pub mod listing;
pub mod media;
pub mod privacy;
pub mod reports;
pub mod search;
pub mod section;
pub mod site_files;
pub mod sitemaps;
pub mod structured_data;
pub mod subscriptions;

use crate::error::{AppError, PageError};

/// Any address no route knows.
pub async fn not_found() -> PageError {
    PageError(AppError::NotFound)
}
