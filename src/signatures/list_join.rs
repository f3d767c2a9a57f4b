//! The join link of member updates and the release announcement (issue 20): a personal
//! link `/{tenant}/list/join/s/<signature id>-<mac>` under the app's secret, so each
//! email carries it without a row per email. It opens nothing but a page with the list's
//! rules and a Join button; only that button (the signer's own click) makes a member.
//! Signatures are below campaigns (which send the updates) and the coalition (which
//! answers the link), so both reach it here.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

const PURPOSE: &[u8] = b"list-join-signature:";

fn mac(secret: &[u8], signature: Uuid) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(PURPOSE);
    mac.update(signature.as_bytes());
    let bytes = mac.finalize().into_bytes();
    crate::tokens::hex(&bytes[..16])
}

/// `<signature id>-<mac>`: the last segment of the signer's join link.
pub fn join_token(secret: &[u8], signature: Uuid) -> String {
    format!("{}-{}", signature.simple(), mac(secret, signature))
}

/// The path of the signer's join link.
pub fn join_path(tenant_slug: &str, secret: &[u8], signature: Uuid) -> String {
    format!(
        "/{tenant_slug}/list/join/s/{}",
        join_token(secret, signature)
    )
}

/// The signature a join token names, if its MAC is right.
pub fn signature_of_join_token(secret: &[u8], token: &str) -> Option<Uuid> {
    let (id, given) = token.split_once('-')?;
    let signature = Uuid::try_parse(id).ok()?;
    let expected = mac(secret, signature);
    crate::tokens::constant_time_eq(given.as_bytes(), expected.as_bytes()).then_some(signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_token_names_only_its_signature() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let signature = Uuid::new_v4();
        let token = join_token(secret, signature);
        assert_eq!(signature_of_join_token(secret, &token), Some(signature));
        assert!(crate::tokens::holds_secret(&join_path(
            "water", secret, signature
        )));
        let other = Uuid::new_v4();
        let forged = format!("{}-{}", other.simple(), token.split_once('-').unwrap().1);
        assert_eq!(signature_of_join_token(secret, &forged), None);
        assert_eq!(signature_of_join_token(b"another secret", &token), None);
        assert_eq!(signature_of_join_token(secret, "nonsense"), None);
    }
}
