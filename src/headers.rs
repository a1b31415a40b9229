//! The security headers every answer carries, named once: the layer adds them to rendered
//! answers, and the page cache stores them with each page for the answers it gives before
//! routing. Both read them from here, below either of them.

use axum::http::header;

/// A strict policy: no inline script or style, nothing from another host, no framing. Styles,
/// fonts and connections fall back to `default-src 'self'` (saying each again cost every answer
/// 50 bytes); scripts are named anyway, for the reader of the header.
pub const CSP: &str = "default-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

/// The headers every answer carries unless its handler set its own (the cache stores them
/// with each page, for the answers it gives before routing).
pub const SECURITY_HEADERS: [(header::HeaderName, &str); 5] = [
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), payment=()"),
];
