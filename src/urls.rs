//! Addresses as text: percent-encoding a query component or a `Location` header, and decoding.
//! One home for what reader pages, mails, the newsroom and the TOTP URI put in their links,
//! through the `percent-encoding` crate.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters (letters, digits, `-`, `_`, `.`, `~`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Controls, space, non-ASCII bytes: what a header value cannot carry. Every visible ASCII
/// character passes unchanged (an address's delimiters, an already-encoded `%D8`).
const HEADER: &AsciiSet = &percent_encoding::CONTROLS.add(b' ');

/// Percent-encodes everything but unreserved characters: a query value or a path segment.
pub fn urlencode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// An address made fit for a `Location` header: an Arabic slug travels percent-encoded.
pub fn header_safe(address: &str) -> String {
    utf8_percent_encode(address, HEADER).to_string()
}

/// Decodes `%d8%a7`-style percent-encoding (WordPress stores non-Latin slugs that way); text
/// whose decoded bytes do not make UTF-8 is kept as it was.
pub fn percent_decode(text: &str) -> String {
    match percent_decode_str(text).decode_utf8() {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencode_keeps_only_unreserved() {
        assert_eq!(urlencode("a b/é?"), "a%20b%2F%C3%A9%3F");
        assert_eq!(urlencode("a.b-c_d~e"), "a.b-c_d~e");
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_utf8() {
        assert_eq!(percent_decode("%d8%a7%d9%84-x"), "ال-x");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%ff%fe"), "%ff%fe");
    }

    #[test]
    fn header_safe_addresses_encode_only_what_headers_cannot_carry() {
        assert_eq!(header_safe("/monde/%D8%A7?x=1#c"), "/monde/%D8%A7?x=1#c");
        assert_eq!(header_safe("/مجتمع/ال"), "/%D9%85%D8%AC%D8%AA%D9%85%D8%B9/%D8%A7%D9%84");
    }
}
