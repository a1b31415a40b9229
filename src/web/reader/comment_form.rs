//! The comment form under each article: what a reader typed (kept whole when the form is
//! refused), the errors next to its fields, and the signed token that dates the form, so that
//! a bot posting faster than a person reads is turned away. The article page shows it
//! (`article.rs`); posting it is `comments.rs`.

use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::secrets::{constant_time_eq, keyed_hash};
use crate::store::now_ms;

/// The posted form; every field is text so that whatever was typed comes back.
#[derive(Deserialize, Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CommentInput {
    pub name: String,
    pub email: String,
    pub website: String,
    pub body: String,
    pub notify: String,
    pub parent_id: String,
    pub token: String,
    /// The honeypot: hidden from people, filled by bots.
    pub url_confirmation: String,
}

/// A form token: when the form was shown, signed for this article.
pub fn form_token(secret: &[u8], article_id: i64, issued: i64) -> String {
    let sig = &keyed_hash(secret, format!("comment-form:{article_id}:{issued}").as_bytes())[..24];
    format!("{issued}.{sig}")
}

/// When a valid token was issued.
pub fn token_issued(secret: &[u8], article_id: i64, token: &str) -> Option<i64> {
    let (issued, sig) = token.split_once('.')?;
    let issued: i64 = issued.parse().ok()?;
    let expected = form_token(secret, article_id, issued);
    constant_time_eq(token, &expected).then_some(issued).filter(|_| !sig.is_empty())
}

/// The comment form's state: what was typed, what is wrong, and the signed token that dates
/// the form (a bot that posts faster than a person reads is refused).
#[derive(Serialize, Default, Clone, Debug)]
pub struct CommentForm {
    pub input: CommentInput,
    pub errors: std::collections::BTreeMap<&'static str, String>,
    /// A message above the form: waiting for moderation, refused because ...
    pub notice: Option<String>,
    pub refused: Option<String>,
    pub token: String,
}

impl CommentForm {
    pub fn fresh(state: &AppState, article_id: i64) -> CommentForm {
        CommentForm { token: form_token(state.secret(), article_id, now_ms()), ..Default::default() }
    }
}
