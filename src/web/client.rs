//! Who is asking, as far as a newspaper needs to know: the address (for rate limits and daily
//! hashes, never stored as such), the user agent, and whether it is a known robot.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use crate::app::AppState;

#[derive(Clone, Debug)]
pub struct ClientInfo {
    pub addr: String,
    pub user_agent: String,
}

impl ClientInfo {
    /// Crawlers and link previewers: their visits are not reads.
    pub fn is_bot(&self) -> bool {
        is_bot(&self.user_agent)
    }
}

/// Substrings of the user agents of crawlers, feed fetchers and link previewers.
const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "embedly",
    "preview",
    "feedfetcher",
    "mediapartners",
    "lighthouse",
    "pingdom",
    "uptime",
    "monitor",
    "python-requests",
    "go-http-client",
    "wget",
    "scrapy",
];

pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ua.is_empty() || BOT_MARKERS.iter().any(|m| ua.contains(m))
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let forwarded = if state.config().server.trust_proxy {
            parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        } else {
            None
        };
        let addr = forwarded
            .or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()))
            .unwrap_or_else(|| "unknown".to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect();
        Ok(ClientInfo { addr, user_agent })
    }
}

#[cfg(test)]
mod tests {
    use super::is_bot;

    #[test]
    fn robots_are_recognised_and_browsers_are_not() {
        assert!(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
        assert!(is_bot("facebookexternalhit/1.1"));
        assert!(is_bot(""));
        assert!(!is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Safari/537.36"
        ));
        assert!(!is_bot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"));
    }
}
