//! What people do to the paper's content, one function per use case: creating, saving,
//! scheduling, publishing and unpublishing an article; deciding on comments. The newsroom, the
//! JSON API and the jobs call the same function, which writes in one transaction with its
//! audit entry and then refreshes what readers see (`AppState::refresh`), so that no caller
//! can forget either.

pub mod articles;
pub mod comments;

/// Who acts, as the audit log records it.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    /// The member of staff; `None` for the site itself (a scheduled publication).
    pub user_id: Option<i64>,
    /// Where the action came from: "newsroom", "api", "schedule".
    pub via: &'static str,
}

impl Actor {
    pub fn newsroom(user_id: i64) -> Actor {
        Actor { user_id: Some(user_id), via: "newsroom" }
    }

    pub fn api(user_id: i64) -> Actor {
        Actor { user_id: Some(user_id), via: "api" }
    }

    /// The job that publishes scheduled articles.
    pub fn schedule() -> Actor {
        Actor { user_id: None, via: "schedule" }
    }
}
