//! Passwords, random tokens and keyed hashes.
//!
//! Tokens given to people (session cookies, API tokens, unsubscribe links) are random and only
//! their hash is stored, so a copy of the database opens no account.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use blake2::{Blake2b256, Digest};

/// A random token of `bytes` bytes, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // getrandom fails only when the OS has no entropy source at all; a process that cannot
    // make secrets must not go on pretending.
    if let Err(e) = getrandom::fill(&mut buf) {
        panic!("the operating system gave no random bytes: {e}");
    }
    hex(&buf)
}

/// A password that people can type: 4 groups of 5 letters and digits without look-alikes.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut buf = [0u8; 20];
    if let Err(e) = getrandom::fill(&mut buf) {
        panic!("the operating system gave no random bytes: {e}");
    }
    let chars: Vec<char> = buf.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Hex of the BLAKE2b-256 hash of a token: what the database keeps instead of the token.
pub fn hash_token(token: &str) -> String {
    hash_bytes(token.as_bytes())
}

/// Hex of the BLAKE2b-256 hash of some bytes (content hashes of files).
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Blake2b256::digest(bytes))
}

/// A keyed hash (BLAKE2 has no length extension, so key || data is a sound MAC).
pub fn keyed_hash(key: &[u8], data: &[u8]) -> String {
    let mut hasher = Blake2b256::new();
    hasher.update((key.len() as u64).to_le_bytes());
    hasher.update(key);
    hasher.update(data);
    hex(&hasher.finalize())
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// True when `password` matches the PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Compares two strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("correct horsE", &phc));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        assert_ne!(random_token(16), random_token(16));
        assert_eq!(random_token(16).len(), 32);
        assert_eq!(hash_token("a"), hash_token("a"));
        assert_ne!(keyed_hash(b"k1", b"d"), keyed_hash(b"k2", b"d"));
        assert_eq!(random_password().len(), 23);
    }
}
