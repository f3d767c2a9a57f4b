//! Secret tokens for links and cookies: 256 random bits, shown once, stored only as a hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A freshly made secret token (URL-safe text) and the hash to store in its place.
pub struct NewToken {
    pub token: String,
    pub hash: Vec<u8>,
}

pub fn new_token() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    NewToken { token, hash }
}

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Cheap shape check before a database lookup: our tokens are 43 URL-safe characters.
pub fn looks_like_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The shortest run of URL-safe characters taken for a secret in a URL: our random tokens
/// are 43 characters, outreach's personal links 64 hex digits; ids (36) are shorter. A
/// slug of 43 characters or more is taken for one too: hiding it costs nothing.
const SECRET_RUN: usize = 43;

fn url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Whether `text` (a path, a query, a message) holds something shaped like a secret link
/// token: a run of `SECRET_RUN` URL-safe characters, whatever is stuck to it (a link
/// copied with its sentence's full stop, a path escaped into a query's `next=`).
pub fn holds_secret(text: &str) -> bool {
    text.as_bytes()
        .split(|b| !url_safe(*b))
        .any(|run| run.len() >= SECRET_RUN)
}

/// `text` as it may be logged (a request path, an error): every secret-shaped run (see
/// `holds_secret`) becomes `[redacted]`.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    if !holds_secret(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= SECRET_RUN {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii() && url_safe(c as u8) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    std::borrow::Cow::Owned(out)
}

/// Lower-case hexadecimal, for hashes shown or used as keys.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_long_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a.token, b.token);
        assert!(looks_like_token(&a.token));
        assert_eq!(a.hash, hash_token(&a.token));
        assert_ne!(a.hash, a.token.as_bytes());
        assert!(!looks_like_token("short"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn secrets_in_paths_and_messages_are_redacted_and_nothing_else() {
        let token = new_token().token;
        let ask = "0b0c8e3e1d7f4a2b9c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b";
        let id = "2f1c3a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b";
        let cases = [
            (
                format!("/river/water/signature/{token}"),
                "/river/water/signature/[redacted]".to_owned(),
            ),
            (
                format!("/river/water/signature/{token}/withdraw"),
                "/river/water/signature/[redacted]/withdraw".to_owned(),
            ),
            (
                format!("/password/reset/{token}"),
                "/password/reset/[redacted]".to_owned(),
            ),
            (
                format!("/invite/{token}/signup"),
                "/invite/[redacted]/signup".to_owned(),
            ),
            (
                format!("/mail/unsubscribe/{token}"),
                "/mail/unsubscribe/[redacted]".to_owned(),
            ),
            (
                format!("/river/water/ask/{ask}"),
                "/river/water/ask/[redacted]".to_owned(),
            ),
            // Pasted with the sentence's full stop, or escaped.
            (
                format!("/signup/confirm/{token}."),
                "/signup/confirm/[redacted].".to_owned(),
            ),
            (
                format!("/signup/confirm/{token}%20"),
                "/signup/confirm/[redacted]%20".to_owned(),
            ),
            // An error that names one.
            (
                format!("no signature for {token}: gone"),
                "no signature for [redacted]: gone".to_owned(),
            ),
            // Ids, slugs and short words stay.
            (
                format!("/app/river/mail/{id}"),
                format!("/app/river/mail/{id}"),
            ),
            (
                "/river/clean-rivers-now/sign".to_owned(),
                "/river/clean-rivers-now/sign".to_owned(),
            ),
            ("/".to_owned(), "/".to_owned()),
            (String::new(), String::new()),
        ];
        for (path, logged) in cases {
            assert_eq!(redact(&path), logged, "{path}");
            assert!(!redact(&path).contains(&token));
            assert_eq!(holds_secret(&path), path != logged, "{path}");
        }
        assert!(holds_secret(&format!("next=%2Finvite%2F{token}")));
        assert!(!holds_secret("next=%2Fapp%2Friver"));
    }
}
