//! Domain types and rules, free of I/O: languages, roles, statuses, slugs, excerpts.

pub mod diff;
pub mod excerpt;
pub mod moderation;
pub mod old_addresses;
pub mod slug;
pub mod text;

use serde::{Deserialize, Serialize};

/// A language the site can be read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    Ar,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Fr, Lang::Ar, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "fr" => Some(Lang::Fr),
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Text direction for the `dir` attribute.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language's own name, for switchers.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::Ar => "العربية",
            Lang::En => "English",
        }
    }

    /// The Open Graph locale of the edition (a Moroccan paper's Arabic is `ar_MA`).
    pub fn og_locale(self) -> &'static str {
        match self {
            Lang::Fr => "fr_FR",
            Lang::Ar => "ar_MA",
            Lang::En => "en_GB",
        }
    }
}

/// What a member of staff may do; checked on the server for every action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Journalist,
    Moderator,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Journalist, Role::Moderator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Journalist => "journalist",
            Role::Moderator => "moderator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// May publish, schedule and unpublish any article, curate the front page, manage sections.
    pub fn can_publish(self) -> bool {
        matches!(self, Role::Admin | Role::Editor)
    }

    /// May write articles (own drafts at least).
    pub fn can_write(self) -> bool {
        matches!(self, Role::Admin | Role::Editor | Role::Journalist)
    }

    /// May moderate comments.
    pub fn can_moderate(self) -> bool {
        matches!(self, Role::Admin | Role::Editor | Role::Moderator)
    }
}

/// Where an article stands in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Draft,
    Review,
    Scheduled,
    Published,
    Unpublished,
}

impl ArticleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Review => "review",
            ArticleStatus::Scheduled => "scheduled",
            ArticleStatus::Published => "published",
            ArticleStatus::Unpublished => "unpublished",
        }
    }

    pub fn parse(s: &str) -> Option<ArticleStatus> {
        [Self::Draft, Self::Review, Self::Scheduled, Self::Published, Self::Unpublished]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Where a reader's comment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    Pending,
    Approved,
    Refused,
    Spam,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Approved => "approved",
            CommentStatus::Refused => "refused",
            CommentStatus::Spam => "spam",
        }
    }

    pub fn parse(s: &str) -> Option<CommentStatus> {
        [Self::Pending, Self::Approved, Self::Refused, Self::Spam].into_iter().find(|x| x.as_str() == s)
    }
}

/// A plain check of an e-mail address: one @, something on each side, a dot in the domain,
/// no spaces. Whether it exists is for the mail server to say.
pub fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && !domain.contains('@')
                && email.len() <= 254
        }
        None => false,
    }
}

/// Whether an article takes comments now: by its own setting (`open`, `closed`), or for
/// `auto_close_days` after its publication (`auto`).
pub fn comments_open(mode: &str, published_at: Option<i64>, now: i64, auto_close_days: u32) -> bool {
    match mode {
        "closed" => false,
        "auto" => now < published_at.unwrap_or(0) + i64::from(auto_close_days) * 86_400_000,
        _ => true,
    }
}
