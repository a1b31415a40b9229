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
    hex::encode(buf)
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
    hex::encode(Blake2b256::digest(bytes))
}

/// A keyed hash (BLAKE2 has no length extension, so key || data is a sound MAC).
pub fn keyed_hash(key: &[u8], data: &[u8]) -> String {
    let mut hasher = Blake2b256::new();
    hasher.update((key.len() as u64).to_le_bytes());
    hasher.update(key);
    hasher.update(data);
    hex::encode(hasher.finalize())
}

/// A keyed hash for bans and rate limits: the e-mail or address itself is never compared.
pub fn identity_hash(secret: &[u8], kind: &str, value: &str) -> String {
    keyed_hash(secret, format!("{kind}:{}", value.trim().to_lowercase()).as_bytes())[..32].to_string()
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
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
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

/// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), for the
/// optional second factor at login.
pub mod totp {
    use hmac::{Hmac, KeyInit, Mac};
    use sha1::Sha1;

    const STEP_S: i64 = 30;

    /// A new random secret, base32 (what authenticator apps take).
    pub fn new_secret() -> String {
        let mut bytes = [0u8; 20];
        if let Err(e) = getrandom::fill(&mut bytes) {
            panic!("the operating system gave no random bytes: {e}");
        }
        base32_encode(&bytes)
    }

    /// The code for a time (unix seconds).
    pub fn code_at(secret_b32: &str, unix_s: i64) -> Option<u32> {
        // RFC 4226 asks for at least 128 bits of secret; a shorter one (an empty one, a secret
        // typed into the form by hand) would make codes that can be guessed.
        let key = base32_decode(secret_b32).filter(|key| key.len() >= 16)?;
        let counter = (unix_s.div_euclid(STEP_S)) as u64;
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&key).ok()?;
        mac.update(&counter.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = (digest[digest.len() - 1] & 0x0f) as usize;
        let binary =
            u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
        Some(binary % 1_000_000)
    }

    /// The 30-second step `code` belongs to when it is right now, or one step before or after
    /// (clocks drift). The caller claims the step for the account, so that a code seen once
    /// (over a shoulder, in a proxy's log) does not open a second session.
    pub fn verified_step(secret_b32: &str, code: &str, unix_s: i64) -> Option<i64> {
        let code = code.trim().replace(' ', "");
        let given = code.parse::<u32>().ok().filter(|_| code.len() == 6)?;
        [0, -STEP_S, STEP_S]
            .iter()
            .find(|d| code_at(secret_b32, unix_s + *d) == Some(given))
            .map(|d| (unix_s + d).div_euclid(STEP_S))
    }

    /// The otpauth:// address an authenticator app reads.
    pub fn uri(secret_b32: &str, account: &str, issuer: &str) -> String {
        let enc = crate::urls::urlencode;
        format!("otpauth://totp/{}:{}?secret={secret_b32}&issuer={}", enc(issuer), enc(account), enc(issuer))
    }

    /// Base32 without padding, as authenticator apps show and take secrets.
    pub fn base32_encode(bytes: &[u8]) -> String {
        data_encoding::BASE32_NOPAD.encode(bytes)
    }

    /// A secret as typed or pasted: any case, spaces and padding ignored.
    pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
        let clean: String =
            text.chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect();
        data_encoding::BASE32_NOPAD.decode(clean.as_bytes()).ok()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn rfc6238_test_vectors() {
            // RFC 6238 appendix B, SHA1, secret "12345678901234567890": the eight-digit codes'
            // last six digits, at every time the appendix lists.
            let secret = base32_encode(b"12345678901234567890");
            for (t, eight_digits) in [
                (59, 94_287_082),
                (1_111_111_109, 7_081_804),
                (1_111_111_111, 14_050_471),
                (1_234_567_890, 89_005_924),
                (2_000_000_000, 69_279_037),
                (20_000_000_000, 65_353_130),
            ] {
                assert_eq!(code_at(&secret, t), Some(eight_digits % 1_000_000), "T = {t}");
            }
            assert_eq!(verified_step(&secret, "287082", 59), Some(1));
            assert_eq!(verified_step(&secret, "287 082", 80), Some(1), "one step of drift is accepted");
            assert_eq!(verified_step(&secret, "287082", 5), Some(1), "and one step ahead");
            assert_eq!(verified_step(&secret, "287082", 200), None);
            assert_eq!(verified_step(&secret, "abc", 59), None);
            assert_eq!(verified_step(&secret, "0287082", 59), None, "six digits exactly");
            assert_eq!(code_at("", 59), None, "no secret, no code");
            assert_eq!(code_at(&base32_encode(b"short secret"), 59), None, "under 128 bits");
        }

        #[test]
        fn base32_round_trips() {
            let secret = new_secret();
            assert_eq!(secret.len(), 32);
            assert_eq!(base32_encode(&base32_decode(&secret).unwrap()), secret);
            assert_eq!(base32_decode("gezd gnbv gy3t qojq"), Some(b"1234567890".to_vec()), "any case, spaces");
            assert_eq!(base32_decode("not base32!"), None);
        }
    }
}
