//! The pages readers see.

pub mod article;
pub mod assets;
pub mod chrome;
pub mod front;
pub mod media;

use crate::error::{AppError, PageError};

/// Any address no route knows.
pub async fn not_found() -> PageError {
    PageError(AppError::NotFound)
}
