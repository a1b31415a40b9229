//! Outgoing e-mail over SMTP. Mail is never sent from a request: the request enqueues a
//! `SendMail` job in its transaction and a worker sends it, retrying with backoff, so a mail
//! survives restarts and a slow or absent SMTP server never slows a page.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::config::MailConfig;

/// A message ready to send, as stored in a job's payload.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// HTML alternative, if any.
    #[serde(default)]
    pub html: Option<String>,
    /// Extra headers, e.g. List-Unsubscribe.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

/// Why a mail was not sent.
#[derive(Debug)]
pub enum MailError {
    /// No SMTP server configured: keep the mail for later.
    NotConfigured,
    /// The message cannot be built (a bad address): retrying will not help.
    Invalid(String),
    /// The server refused or could not be reached: retry later.
    Transport(String),
}

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailError::NotConfigured => write!(f, "mail.smtp_host is not set"),
            MailError::Invalid(e) => write!(f, "invalid message: {e}"),
            MailError::Transport(e) => write!(f, "SMTP: {e}"),
        }
    }
}

/// Sends one message through the configured SMTP server.
pub async fn send(config: &MailConfig, mail: &Mail) -> Result<(), MailError> {
    if config.smtp_host.is_empty() {
        return Err(MailError::NotConfigured);
    }
    let message = build(config, mail)?;
    let transport = transport(config)?;
    transport.send(message).await.map(|_| ()).map_err(|e| MailError::Transport(e.to_string()))
}

fn build(config: &MailConfig, mail: &Mail) -> Result<Message, MailError> {
    let from: Mailbox = if config.from.is_empty() {
        format!("Gazette <gazette@{}>", config.smtp_host).parse()
    } else {
        config.from.parse()
    }
    .map_err(|e| MailError::Invalid(format!("mail.from: {e}")))?;
    let to: Mailbox = mail.to.parse().map_err(|e| MailError::Invalid(format!("{}: {e}", mail.to)))?;
    let mut builder = Message::builder().from(from).to(to).subject(mail.subject.clone());
    for (name, value) in &mail.headers {
        let name =
            HeaderName::new_from_ascii(name.clone()).map_err(|e| MailError::Invalid(format!("header {name}: {e}")))?;
        builder = builder.raw_header(HeaderValue::new(name, value.clone()));
    }
    let message = match &mail.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(mail.text.clone(), html.clone())),
        None => builder.body(mail.text.clone()),
    };
    message.map_err(|e| MailError::Invalid(e.to_string()))
}

fn transport(config: &MailConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
    let host = config.smtp_host.as_str();
    let builder = match config.security.as_str() {
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| MailError::Transport(e.to_string()))?,
        "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| MailError::Transport(e.to_string()))?,
        // Plain SMTP: only for a relay on this machine or a test sink.
        _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
    };
    let mut builder = builder.port(config.smtp_port).timeout(Some(std::time::Duration::from_secs(20)));
    if !config.username.is_empty() {
        builder = builder.credentials(Credentials::new(config.username.clone(), config.password.clone()));
    }
    Ok(builder.build())
}
