//! Posting a comment under an article: a list of named checks, each turning the comment away
//! with its reason (the article page again, what was typed kept, the reason next to the field
//! or above the form); then the screening against the published policy; then one transaction
//! that stores the comment with the mails it causes.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::error::{AppError, PageError, PageResult};
use crate::jobs::{self, Job};
use crate::news::moderation::{Decision, Rules, Screening, Submission};
use crate::news::{CommentStatus, Lang, comments_open, looks_like_email};
use crate::notify;
use crate::secrets::identity_hash;
use crate::store::articles::{self, Article};
use crate::store::comments::{self, NewComment, Poster, PostingLimits, PostingVerdict};
use crate::store::{StoreError, now_ms};
use crate::web::client::ClientInfo;
use crate::web::reader::article::render_article;
use crate::web::reader::comment_form::{CommentForm, CommentInput, token_issued};
use crate::web::reader::like::same_origin;

const MAX_BODY: usize = 4000;

/// Forms older than this are refused as expired.
const TOKEN_LIFETIME_MS: i64 = 3 * 86_400_000;

pub async fn post_comment(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: axum::http::HeaderMap,
    Path((section, slug)): Path<(String, String)>,
    Form(input): Form<CommentInput>,
) -> PageResult<Response> {
    let article = articles::published_by_slug(state.db(), &slug).await?.ok_or(AppError::NotFound)?;
    if article.card.section_slug != section {
        return Err(AppError::NotFound.into());
    }
    if !same_origin(&headers, &state) {
        return Err(AppError::Forbidden.into());
    }
    let attempt = Attempt { state: &state, article: &article, lang: article.card.language, now: now_ms() };
    match attempt.accept(&input, &client).await {
        Ok(status) => Ok(redirect_after(&article, status)),
        Err(TurnedAway::Refused(refusal)) => show_refused(&state, article, input, refusal).await,
        Err(TurnedAway::Failed(error)) => Err(error),
    }
}

/// One posting of the form, and what the checks need to know about it.
struct Attempt<'a> {
    state: &'a AppState,
    article: &'a Article,
    /// The article's language: the messages' language.
    lang: Lang,
    now: i64,
}

/// A comment that passed the field checks.
struct Checked {
    name: String,
    email: String,
    website: String,
    body: String,
    parent_id: Option<i64>,
}

impl Attempt<'_> {
    /// The checks in order; the first to fail says why.
    async fn accept(&self, input: &CommentInput, client: &ClientInfo) -> Result<CommentStatus, TurnedAway> {
        self.refuse_when_closed()?;
        self.refuse_expired_form_or_bot(input)?;
        let comment = self.refuse_invalid_fields(input).await?;
        let ip_hash = identity_hash(self.state.secret(), "address", &client.addr);
        let email = comment.email.clone();
        let email_hash = identity_hash(self.state.secret(), "email", &email);
        let poster = Poster { ip_hash: &ip_hash, email: &email, email_hash: &email_hash };
        self.refuse_banned_or_flooding(
            comments::posting_verdict(self.state.db(), poster, self.limits(), self.now).await?,
        )?;
        let screening = self.screen(&comment).await?;
        let status = self.status_after(&screening, poster).await?;
        self.store(comment, poster, &screening, status, !input.notify.is_empty()).await?;
        self.refuse_against_the_policy(status, &screening)?;
        Ok(status)
    }

    /// Comments closed on this article (by its setting or its age).
    fn refuse_when_closed(&self) -> Result<(), TurnedAway> {
        let site = self.state.site();
        let open = comments_open(
            &self.article.comments_mode,
            self.article.card.publish_at,
            self.now,
            site.comments_auto_close_days,
        );
        if open {
            return Ok(());
        }
        let notice = self.state.catalog().text(self.lang, "comments.closed", &[]);
        Err(Refusal { status: StatusCode::FORBIDDEN, notice: Some(notice), ..Refusal::default() }.into())
    }

    /// Bots: a form not signed for this article or too old, posted sooner than a person can
    /// read and write, or with the hidden honeypot filled.
    fn refuse_expired_form_or_bot(&self, input: &CommentInput) -> Result<(), TurnedAway> {
        let min_ms = i64::from(self.state.site().comments.min_seconds) * 1000;
        match token_issued(self.state.secret(), self.article.card.id, &input.token) {
            None => Err(self.form_error("expired", StatusCode::UNPROCESSABLE_ENTITY)),
            Some(at) if self.now - at > TOKEN_LIFETIME_MS => {
                Err(self.form_error("expired", StatusCode::UNPROCESSABLE_ENTITY))
            }
            Some(at) if self.now - at < min_ms || !input.url_confirmation.is_empty() => {
                Err(self.form_error("too_fast", StatusCode::UNPROCESSABLE_ENTITY))
            }
            Some(_) => Ok(()),
        }
    }

    /// Name, e-mail, website, text and the comment replied to; every field's error at once.
    async fn refuse_invalid_fields(&self, input: &CommentInput) -> Result<Checked, TurnedAway> {
        let mut errors = BTreeMap::new();
        let comment = Checked {
            name: input.name.trim().to_string(),
            email: input.email.trim().to_lowercase(),
            website: input.website.trim().to_string(),
            body: input.body.trim().replace("\r\n", "\n"),
            parent_id: None,
        };
        if comment.name.is_empty() {
            errors.insert("name", self.error_text("name_missing"));
        } else if comment.name.chars().count() > 80 {
            errors.insert("name", self.error_text("name_long"));
        }
        if comment.email.is_empty() {
            errors.insert("email", self.error_text("email_missing"));
        } else if !looks_like_email(&comment.email) {
            errors.insert("email", self.error_text("email_invalid"));
        }
        let website = &comment.website;
        if !website.is_empty()
            && (!(website.starts_with("http://") || website.starts_with("https://"))
                || website.chars().count() > 200
                || website.contains(char::is_whitespace))
        {
            errors.insert("website", self.error_text("website_invalid"));
        }
        let length = comment.body.chars().count();
        if length < 2 {
            errors.insert("body", self.error_text("body_missing"));
        } else if length > MAX_BODY {
            let max = MAX_BODY.to_string();
            errors.insert("body", self.state.catalog().text(self.lang, "comments.error.body_long", &[("max", &max)]));
        }
        let parent_id = match input.parent_id.trim().parse::<i64>() {
            Ok(id) => {
                let top = comments::reply_target(self.state.db(), self.article.card.id, id).await?;
                if top.is_none() {
                    errors.insert("form", self.error_text("parent_missing"));
                }
                top
            }
            // An empty or garbled reply field is a new thread.
            Err(_) => None,
        };
        if !errors.is_empty() {
            return Err(Refusal { status: StatusCode::UNPROCESSABLE_ENTITY, errors, ..Refusal::default() }.into());
        }
        Ok(Checked { parent_id, ..comment })
    }

    /// A banned e-mail or address, or too many comments lately (the store's one verdict).
    fn refuse_banned_or_flooding(&self, verdict: PostingVerdict) -> Result<(), TurnedAway> {
        match verdict {
            PostingVerdict::Allowed => Ok(()),
            PostingVerdict::Banned => Err(self.form_error("banned", StatusCode::FORBIDDEN)),
            PostingVerdict::TooMany => Err(self.form_error("too_many", StatusCode::TOO_MANY_REQUESTS)),
        }
    }

    /// The screening against the policy, told whether the same text came in the last day.
    async fn screen(&self, comment: &Checked) -> Result<Screening, TurnedAway> {
        let settings = &self.state.site().comments;
        let repeated = comments::same_text_since(self.state.db(), &comment.body, self.now - 86_400_000).await?;
        let submission = Submission { repeated, ..Submission::new(&comment.name, &comment.body, &comment.website) };
        let rules = Rules { max_links: settings.max_links as usize };
        Ok(self.state.screener().screen(&submission, &rules))
    }

    /// What the screening's decision makes of the comment; a clean comment from a trusted
    /// commenter is published at once when the site says so.
    async fn status_after(&self, screening: &Screening, poster: Poster<'_>) -> Result<CommentStatus, TurnedAway> {
        Ok(match screening.decision {
            Decision::Refuse => CommentStatus::Refused,
            Decision::Spam => CommentStatus::Spam,
            Decision::Clean
                if self.state.site().comments.auto_approve_trusted
                    && comments::is_trusted(self.state.db(), poster.email, poster.email_hash).await? =>
            {
                CommentStatus::Approved
            }
            _ => CommentStatus::Pending,
        })
    }

    /// One transaction: the limits counted again under the address's lock (what holds when a
    /// burst arrives at once), the comment, the subscription and the mails it causes.
    async fn store(
        &self,
        comment: Checked,
        poster: Poster<'_>,
        screening: &Screening,
        status: CommentStatus,
        wants_notifications: bool,
    ) -> Result<(), TurnedAway> {
        let state = self.state;
        let settings = &state.site().comments;
        let max_attempts = state.config().jobs.max_attempts;
        let article_id = self.article.card.id;
        let mut tx = state.db().begin().await?;
        let verdict = comments::posting_verdict_locked(&mut tx, poster, self.limits(), self.now).await?;
        if verdict != PostingVerdict::Allowed {
            tx.rollback().await?;
            return self.refuse_banned_or_flooding(verdict);
        }
        let id = comments::insert(
            &mut tx,
            &NewComment {
                article_id,
                parent_id: comment.parent_id,
                author_name: comment.name,
                author_email: comment.email.clone(),
                author_website: comment.website,
                language: detect_language(&comment.body, self.lang).code().into(),
                body: comment.body,
                status,
                refusal_reason: screening
                    .reason
                    .filter(|_| matches!(status, CommentStatus::Refused | CommentStatus::Spam))
                    .map(|c| c.code().to_string()),
                screening: serde_json::to_string(screening).unwrap_or_else(|_| "{}".into()),
                ip_hash: poster.ip_hash.to_string(),
                created_at: None,
            },
        )
        .await?;
        if wants_notifications
            && status != CommentStatus::Spam
            && let Some(subscription) = comments::subscribe(&mut tx, article_id, &comment.email).await?
        {
            let mail = notify::confirmation(state, self.article, &subscription, self.lang)?;
            jobs::enqueue(&mut tx, &Job::SendMail { mail }, self.now, max_attempts).await?;
        }
        match status {
            CommentStatus::Approved => {
                let batch_ms = state.config().mail.notification_batch_seconds as i64 * 1000;
                let job = Job::NotifySubscribers { article_id };
                jobs::enqueue(&mut tx, &job, self.now + batch_ms, max_attempts).await?;
            }
            CommentStatus::Pending if settings.moderator_digest == "immediate" => {
                jobs::enqueue(&mut tx, &Job::ModeratorDigest, self.now, max_attempts).await?;
            }
            CommentStatus::Refused if settings.notify_refusals => {
                let mail = notify::refusal(state, self.article, &comment.email, refusal_code(screening), self.lang)?;
                jobs::enqueue(&mut tx, &Job::SendMail { mail }, self.now, max_attempts).await?;
            }
            _ => {}
        }
        tx.commit().await?;
        tracing::info!(comment = id, status = status.as_str(), "comment received");
        if status == CommentStatus::Approved {
            state.article_page_changed(article_id);
        }
        Ok(())
    }

    /// A refused comment (stored, for the record) is shown back with the policy's reason, in
    /// its words, and the text kept so that it can be rewritten.
    fn refuse_against_the_policy(&self, status: CommentStatus, screening: &Screening) -> Result<(), TurnedAway> {
        if status != CommentStatus::Refused {
            return Ok(());
        }
        let reason = self.state.catalog().text(self.lang, &format!("comments.reason.{}", refusal_code(screening)), &[]);
        Err(Refusal { status: StatusCode::UNPROCESSABLE_ENTITY, refused: Some(reason), ..Refusal::default() }.into())
    }

    fn limits(&self) -> PostingLimits {
        let settings = &self.state.site().comments;
        PostingLimits {
            per_address_per_10_min: i64::from(settings.per_address_per_10_min),
            per_email_per_hour: i64::from(settings.per_email_per_hour),
        }
    }

    fn error_text(&self, key: &str) -> String {
        self.state.catalog().text(self.lang, &format!("comments.error.{key}"), &[])
    }

    /// A refusal about the whole form, shown above it.
    fn form_error(&self, key: &str, status: StatusCode) -> TurnedAway {
        Refusal { status, errors: BTreeMap::from([("form", self.error_text(key))]), ..Refusal::default() }.into()
    }
}

/// The policy's ground for a refusal.
fn refusal_code(screening: &Screening) -> &'static str {
    screening.reason.map(|c| c.code()).unwrap_or("insult")
}

/// Why a comment was turned away: the article page again with this status and these messages.
#[derive(Default)]
struct Refusal {
    status: StatusCode,
    /// Messages next to fields ("form": above the form).
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
    /// The policy's reason for a comment refused by the screening.
    refused: Option<String>,
}

/// How a posting ends other than accepted.
enum TurnedAway {
    Refused(Refusal),
    Failed(PageError),
}

impl From<Refusal> for TurnedAway {
    fn from(refusal: Refusal) -> Self {
        TurnedAway::Refused(refusal)
    }
}

impl From<PageError> for TurnedAway {
    fn from(error: PageError) -> Self {
        TurnedAway::Failed(error)
    }
}

impl From<AppError> for TurnedAway {
    fn from(error: AppError) -> Self {
        TurnedAway::Failed(error.into())
    }
}

impl From<sqlx::Error> for TurnedAway {
    fn from(error: sqlx::Error) -> Self {
        TurnedAway::from(StoreError::from(error))
    }
}

impl From<StoreError> for TurnedAway {
    fn from(error: StoreError) -> Self {
        TurnedAway::Failed(error.into())
    }
}

/// The article page again, with the reasons and what was typed (never the used token).
async fn show_refused(
    state: &AppState,
    article: Article,
    input: CommentInput,
    refusal: Refusal,
) -> PageResult<Response> {
    let mut form = CommentForm::fresh(state, article.card.id);
    form.input = CommentInput { token: String::new(), url_confirmation: String::new(), ..input };
    form.errors = refusal.errors;
    form.notice = refusal.notice;
    form.refused = refusal.refused;
    let mut response = render_article(state, article, form, refusal.status).await?;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Back to the article, with a word saying what became of the comment.
fn redirect_after(article: &Article, status: CommentStatus) -> Response {
    let word = match status {
        CommentStatus::Approved => "publie",
        CommentStatus::Spam => "indesirable",
        _ => "attente",
    };
    let to = format!("/{}/{}?commentaire={word}#comments", article.card.section_slug, article.card.slug);
    // An Arabic address travels percent-encoded: header values are ASCII.
    Redirect::to(&crate::urls::header_safe(&to)).into_response()
}

/// Arabic script in most letters: Arabic; else the article's language.
fn detect_language(text: &str, fallback: Lang) -> Lang {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let arabic = text.chars().filter(|c| ('\u{0600}'..='\u{06FF}').contains(c)).count();
    if letters > 0 && arabic * 2 > letters { Lang::Ar } else { fallback }
}
