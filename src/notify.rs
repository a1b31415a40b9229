//! The mails about comments: confirming a subscription, new comments on an article, a refused
//! comment's reason, confirming an erasure, and the moderators' digest. Each mail has a text
//! and an HTML part in the reader's language, and a link to erase everything they wrote;
//! notifications carry one-click unsubscribe headers (RFC 8058).

use serde::Serialize;

use crate::app::AppState;
use crate::error::AppError;
use crate::mail::Mail;
use crate::news::Lang;
use crate::store::articles::Article;
use crate::store::comments::Subscription;

#[derive(Serialize)]
struct MailContext<'a> {
    lang: &'static str,
    dir: &'static str,
    site_name: &'a str,
    kind: &'a str,
    greeting: String,
    paragraphs: Vec<String>,
    /// (author, text) of comments listed in the mail.
    comments: Vec<(String, String)>,
    action_label: Option<String>,
    action_url: Option<String>,
    unsubscribe_url: Option<String>,
    erasure_url: String,
    footer: String,
}

fn t(state: &AppState, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    state.catalog().text(lang, &format!("mail.{key}"), args)
}

#[allow(clippy::too_many_arguments)]
fn compose(
    state: &AppState,
    lang: Lang,
    to: &str,
    kind: &str,
    subject: String,
    paragraphs: Vec<String>,
    comments: Vec<(String, String)>,
    action: Option<(String, String)>,
    unsubscribe: Option<String>,
) -> Result<Mail, AppError> {
    let base = state.config().base_url();
    let site = state.site();
    let context = MailContext {
        lang: lang.code(),
        dir: lang.dir(),
        site_name: &site.name,
        kind,
        greeting: t(state, lang, "greeting", &[]),
        paragraphs,
        comments,
        action_label: action.as_ref().map(|(label, _)| label.clone()),
        action_url: action.map(|(_, url)| url),
        unsubscribe_url: unsubscribe.clone(),
        erasure_url: format!("{base}{}", erasure_link(state, to)),
        footer: t(state, lang, "footer", &[("site", &site.name)]),
    };
    let text = state.templates().render("mail/message.txt", &context)?;
    let html = state.templates().render("mail/message.html", &context)?;
    let mut headers = Vec::new();
    if let Some(url) = unsubscribe {
        headers.push(("List-Unsubscribe".to_string(), format!("<{url}>")));
        headers.push(("List-Unsubscribe-Post".to_string(), "List-Unsubscribe=One-Click".to_string()));
    }
    Ok(Mail { to: to.to_string(), subject, text, html: Some(html), headers })
}

/// The signature of an erasure link for an e-mail address.
pub fn erasure_signature(secret: &[u8], email: &str) -> String {
    crate::secrets::keyed_hash(secret, format!("erasure:{email}").as_bytes())[..32].to_string()
}

/// The signed address, for a mail's "delete everything I wrote" link, of an e-mail.
pub fn erasure_link(state: &AppState, email: &str) -> String {
    let sig = erasure_signature(state.secret(), email);
    format!("/commentaires/effacer?email={}&sig={sig}", crate::urls::urlencode(email))
}

fn article_url(state: &AppState, article: &Article) -> String {
    format!("{}/{}/{}", state.config().base_url(), article.card.section_slug, article.card.slug)
}

/// "Confirm that you want the comments of this article by mail."
pub fn confirmation(
    state: &AppState,
    article: &Article,
    subscription: &Subscription,
    lang: Lang,
) -> Result<Mail, AppError> {
    let base = state.config().base_url();
    let title = article.card.title.as_str();
    compose(
        state,
        lang,
        &subscription.email,
        "confirm",
        t(state, lang, "confirm.subject", &[("title", title)]),
        vec![t(state, lang, "confirm.text", &[("title", title), ("url", &article_url(state, article))])],
        Vec::new(),
        Some((
            t(state, lang, "confirm.button", &[]),
            format!("{base}/commentaires/confirmer/{}", subscription.confirm_token),
        )),
        None,
    )
}

/// New comments on an article a reader follows.
pub fn new_comments(
    state: &AppState,
    article: &Article,
    subscription: &Subscription,
    comments: Vec<(String, String)>,
    lang: Lang,
) -> Result<Mail, AppError> {
    let base = state.config().base_url();
    let count = comments.len() as i64;
    let title = article.card.title.as_str();
    let subject = state.catalog().plural(lang, "mail.notify.subject", count, &count.to_string(), &[("title", title)]);
    compose(
        state,
        lang,
        &subscription.email,
        "notify",
        subject,
        vec![t(state, lang, "notify.text", &[("title", title)])],
        comments,
        Some((t(state, lang, "notify.button", &[]), format!("{}#comments", article_url(state, article)))),
        Some(format!("{base}/commentaires/desabonner/{}", subscription.unsubscribe_token)),
    )
}

/// Why a comment was refused, in the words of the policy.
pub fn refusal(state: &AppState, article: &Article, to: &str, reason: &str, lang: Lang) -> Result<Mail, AppError> {
    let title = article.card.title.as_str();
    let why = state.catalog().text(lang, &format!("comments.reason.{reason}"), &[]);
    let policy = state.site().localized(&state.site().comment_policy, lang).to_string();
    compose(
        state,
        lang,
        to,
        "refusal",
        t(state, lang, "refusal.subject", &[("title", title)]),
        vec![t(state, lang, "refusal.text", &[("title", title)]), why, policy],
        Vec::new(),
        None,
        None,
    )
}

/// Confirms a request to erase everything an e-mail wrote.
pub fn erasure_confirmation(state: &AppState, to: &str, token: &str, lang: Lang) -> Result<Mail, AppError> {
    let base = state.config().base_url();
    compose(
        state,
        lang,
        to,
        "erasure",
        t(state, lang, "erasure.subject", &[]),
        vec![t(state, lang, "erasure.text", &[])],
        Vec::new(),
        Some((t(state, lang, "erasure.button", &[]), format!("{base}/commentaires/effacement/{token}"))),
        None,
    )
}

/// Tells a moderator how many comments wait.
pub fn digest(state: &AppState, to: &str, pending: i64, lang: Lang) -> Result<Mail, AppError> {
    let base = state.config().base_url();
    let n = pending.to_string();
    compose(
        state,
        lang,
        to,
        "digest",
        state.catalog().plural(lang, "mail.digest.subject", pending, &n, &[]),
        vec![state.catalog().plural(lang, "mail.digest.text", pending, &n, &[])],
        Vec::new(),
        Some((t(state, lang, "digest.button", &[]), format!("{base}/redaction/commentaires"))),
        None,
    )
}
